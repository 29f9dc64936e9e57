//! `uplift serve`: the web interface and the JSON API, and the demo sign-in.

use anyhow::{Context, Result};
use uplift_domain::access::Role;
use uplift_domain::identity::{Email, PasswordContext};
use uplift_store::audit::Actor;
use uplift_store::orgs::{self, NewOrganisation};
use uplift_store::users::{self, NewUser};
use uplift_store::Db;
use uplift_web::auth::password::{generate_for, hash_password};
use uplift_web::{AppState, WebConfig};

use crate::cli::ServeArgs;
use crate::config::Config;

pub async fn run(db: Db, config: &Config, args: ServeArgs) -> Result<()> {
    let bind = args.bind.unwrap_or_else(|| config.bind.clone());
    if args.demo {
        if db.organisations().await?.is_empty() || demo_present(&db).await? {
            load_demo(&db).await?.print();
        } else {
            println!("The database already holds organisations other than the demo: --demo loads nothing.");
        }
    }
    let web = WebConfig {
        service_name: config.service_name.clone(),
        session_idle_minutes: config.session_idle_minutes,
        session_absolute_hours: config.session_absolute_hours,
        cookie_secure: config.cookie_secure.parse().map_err(anyhow::Error::msg)?,
        attachment_max_bytes: config.attachment_max_mb.saturating_mul(1024 * 1024),
        trusted_proxies: config.trusted_proxies()?,
    };
    let _background = super::notify::spawn_background(
        db.clone(),
        config.smtp(),
        super::maintenance::purge_policy(config),
    );
    let state = AppState::new(db, web);
    let listener = tokio::net::TcpListener::bind(&bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    let addr = listener.local_addr()?;
    println!("Uplift is serving on http://{addr}/ (stop with Ctrl-C)");
    tracing::info!(%addr, "listening");
    uplift_web::serve(listener, state, shutdown()).await?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

/// The demo organisation's slug.
pub const DEMO_ORG: &str = "camden";
/// Demo accounts end with this domain (reserved: it can never be a real address).
pub const DEMO_DOMAIN: &str = "demo.uplift.invalid";

async fn demo_present(db: &Db) -> Result<bool> {
    let mut tx = db.begin_read().await?;
    Ok(orgs::by_slug(&mut tx, DEMO_ORG).await?.is_some())
}

/// The demo accounts and their passwords, to print.
pub struct DemoSignIn {
    pub accounts: Vec<(String, Role, String)>,
}

impl DemoSignIn {
    pub fn print(&self) {
        println!("Demo sign-in (the passwords are new each time the demo is loaded):");
        for (email, role, password) in &self.accounts {
            println!("  {:<13} {:<40} {}", role.as_str(), email, password);
        }
    }
}

/// Loads the sample authority and demo users. Run again, it adds what is
/// missing and gives the demo accounts new passwords.
pub async fn load_demo(db: &Db) -> Result<DemoSignIn> {
    let actor = Actor::system("demo");
    let mut tx = db.begin().await?;
    let org = match orgs::by_slug(&mut tx, DEMO_ORG).await? {
        Some(o) => o,
        None => {
            orgs::create(
                &mut tx,
                &actor,
                &NewOrganisation {
                    slug: DEMO_ORG,
                    name: "Camden Council",
                    kind: "local-authority",
                    la_code: Some("202"),
                },
            )
            .await?
        }
    };
    tx.commit().await?;
    // The School Improvement Service's letterhead on every document (no logo).
    uplift_store::letterhead::load_demo(db, org.id).await?;
    let school_urn = super::data::load_demo_register(db, org.id).await?;
    let mut accounts = Vec::new();
    let mut tx = db.begin().await?;
    for role in Role::ALL {
        let urn = match role {
            Role::School => match school_urn {
                Some(u) => Some(u),
                None => continue,
            },
            _ => None,
        };
        let email = Email::parse(&format!("{}@{DEMO_DOMAIN}", role.as_str()))?;
        let name = format!("Demo {}", role.label().to_lowercase());
        let password = generate_for(&PasswordContext {
            email: Some(&email),
            name: Some(&name),
            organisation: Some(&org.name),
        })?;
        let hash = hash_password(&password).map_err(anyhow::Error::msg)?;
        let plain = password.expose().to_string();
        match users::by_email(&mut tx, &email).await? {
            Some(u) => users::set_password(&mut tx, &actor, &u, &hash).await?,
            None => {
                users::create(
                    &mut tx,
                    &actor,
                    &NewUser {
                        organisation_id: org.id,
                        email: &email,
                        name: &name,
                        role,
                        school_urn: urn,
                        password_hash: &hash,
                    },
                )
                .await?;
            }
        }
        accounts.push((email.to_string(), role, plain));
    }
    tx.commit().await?;
    // Advisers, named advisers, entitlements and a few visits (issue 5).
    let visits =
        uplift_store::visits::load_demo(db, org.id, uplift_app::clock::today_in_england()).await?;
    for s in &visits.skipped {
        tracing::warn!(step = %s, "demo visit step skipped");
    }
    // Fictional chairs of governors for two demo schools (the rest: none recorded).
    uplift_store::contacts::load_demo(db, org.id).await?;
    Ok(DemoSignIn { accounts })
}
