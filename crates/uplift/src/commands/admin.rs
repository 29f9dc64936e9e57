//! Organisations, users and tokens from the command line. Every change is
//! audited with the actor `cli`.

use std::io::{BufRead, IsTerminal};

use anyhow::{anyhow, bail, Result};
use uplift_domain::access::Role;
use uplift_domain::identity::{Email, NewPassword, PasswordContext, TokenLifetime};
use uplift_store::audit::Actor;
use uplift_store::orgs::{self, NewOrganisation, Organisation};
use uplift_store::users::{self, NewUser};
use uplift_store::{tokens, Db, Tx};
use uplift_web::auth::password::{generate_for, hash_password};

use crate::cli::{OrgCommand, TokenCommand, UserCommand};

pub async fn org(db: &Db, cmd: OrgCommand) -> Result<()> {
    match cmd {
        OrgCommand::Add {
            slug,
            name,
            kind,
            la,
        } => {
            let mut tx = db.begin().await?;
            let o = orgs::create(
                &mut tx,
                &Actor::cli(),
                &NewOrganisation {
                    slug: &slug,
                    name: &name,
                    kind: &kind,
                    la_code: la.as_deref(),
                },
            )
            .await?;
            tx.commit().await?;
            println!("Added organisation {} ({}).", o.name, o.slug);
        }
        OrgCommand::List => {
            for o in db.organisations().await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    o.slug,
                    o.kind,
                    o.la_code.unwrap_or_default(),
                    o.name
                );
            }
        }
    }
    Ok(())
}

/// The organisation named, or the only one there is.
pub async fn organisation(db: &Db, tx: &mut Tx, slug: Option<&str>) -> Result<Organisation> {
    match slug {
        Some(s) => orgs::by_slug(tx, s)
            .await?
            .ok_or_else(|| anyhow!("no organisation {s:?} (see `uplift org list`)")),
        None => {
            let all = db.organisations().await?;
            match all.len() {
                1 => Ok(all.into_iter().next().ok_or_else(|| anyhow!("no organisation"))?),
                0 => bail!("there is no organisation yet: add one with `uplift org add` (or run `uplift demo load`)"),
                _ => bail!("there are several organisations: name one with --organisation SLUG"),
            }
        }
    }
}

/// The new password: generated (and printed by the caller), or one line of
/// standard input, checked by the one password policy for this person.
fn password_source(context: &PasswordContext<'_>, generate: bool) -> Result<(NewPassword, bool)> {
    if generate || std::io::stdin().is_terminal() {
        return Ok((generate_for(context)?, true));
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let line = line.trim_end_matches(['\r', '\n']);
    Ok((NewPassword::parse(line, context)?, false))
}

pub async fn user(db: &Db, cmd: UserCommand) -> Result<()> {
    match cmd {
        UserCommand::Add {
            email,
            name,
            role,
            school,
            organisation: org_slug,
            generate_password,
        } => {
            let role: Role = role.parse()?;
            let email = Email::parse(&email)?;
            let org = {
                let mut tx = db.begin_read().await?;
                organisation(db, &mut tx, org_slug.as_deref()).await?
            };
            let context = PasswordContext {
                email: Some(&email),
                name: Some(&name),
                organisation: Some(&org.name),
            };
            let (password, generated) = password_source(&context, generate_password)?;
            let hash = hash_password(&password).map_err(|e| anyhow!(e))?;
            let mut tx = db.begin().await?;
            let u = users::create(
                &mut tx,
                &Actor::cli(),
                &NewUser {
                    organisation_id: org.id,
                    email: &email,
                    name: &name,
                    role,
                    school_urn: school,
                    password_hash: &hash,
                },
            )
            .await?;
            tx.commit().await?;
            println!(
                "Added {} <{}> as {} in {}.",
                u.name,
                u.email,
                role.label(),
                org.name
            );
            if generated {
                println!("Password: {}", password.expose());
            }
        }
        UserCommand::Reset {
            email,
            generate_password,
        } => {
            let email = Email::parse(&email)?;
            let u = {
                let mut tx = db.begin_read().await?;
                users::by_email(&mut tx, &email)
                    .await?
                    .ok_or_else(|| anyhow!("no user with email {email}"))?
            };
            let org = db
                .organisation(u.organisation_id)
                .await?
                .ok_or_else(|| anyhow!("{email} has no organisation"))?;
            let context = PasswordContext {
                email: Some(&email),
                name: Some(&u.name),
                organisation: Some(&org.name),
            };
            let (password, generated) = password_source(&context, generate_password)?;
            let hash = hash_password(&password).map_err(|e| anyhow!(e))?;
            let mut tx = db.begin().await?;
            users::set_password(&mut tx, &Actor::cli(), &u, &hash).await?;
            tx.commit().await?;
            println!(
                "Password reset for {}; their sessions and API tokens have ended.",
                u.email
            );
            if generated {
                println!("Password: {}", password.expose());
            }
        }
        UserCommand::Disable { email } => {
            let email = Email::parse(&email)?;
            let mut tx = db.begin().await?;
            let u = users::by_email(&mut tx, &email)
                .await?
                .ok_or_else(|| anyhow!("no user with email {email}"))?;
            if !u.active {
                println!("{} is already disabled.", u.email);
                return Ok(());
            }
            users::set_active(&mut tx, &Actor::cli(), &u, false).await?;
            tx.commit().await?;
            println!(
                "Disabled {}: they cannot sign in, and their sessions and API tokens have ended.",
                u.email
            );
        }
        UserCommand::Enable { email } => {
            let email = Email::parse(&email)?;
            let mut tx = db.begin().await?;
            let u = users::by_email(&mut tx, &email)
                .await?
                .ok_or_else(|| anyhow!("no user with email {email}"))?;
            if u.active {
                println!("{} is already enabled.", u.email);
                return Ok(());
            }
            users::set_active(&mut tx, &Actor::cli(), &u, true).await?;
            tx.commit().await?;
            println!(
                "Enabled {}: they can sign in again; their old API tokens stay revoked.",
                u.email
            );
        }
        UserCommand::List {
            organisation: org_slug,
        } => {
            let mut tx = db.begin_read().await?;
            let org = organisation(db, &mut tx, org_slug.as_deref()).await?;
            drop(tx);
            for u in db.users(org.id).await? {
                let school = u.school_urn.map(|s| s.to_string()).unwrap_or_default();
                let state = if u.active { "active" } else { "inactive" };
                println!("{}\t{}\t{}\t{}\t{}", u.email, u.role, school, state, u.name);
            }
        }
    }
    Ok(())
}

pub async fn token(db: &Db, cmd: TokenCommand) -> Result<()> {
    match cmd {
        TokenCommand::Create {
            email,
            name,
            expires_in_days,
        } => {
            let lifetime = match expires_in_days {
                Some(days) => Some(
                    TokenLifetime::parse(&days)
                        .map_err(|e| anyhow!("--expires-in-days {days:?}: {e}"))?
                        .ok_or_else(|| {
                            anyhow!("--expires-in-days needs a number of days, from 1 to 366")
                        })?,
                ),
                None => None,
            };
            let email = Email::parse(&email)?;
            let mut tx = db.begin().await?;
            let u = users::by_email(&mut tx, &email)
                .await?
                .ok_or_else(|| anyhow!("no user with email {email}"))?;
            if !u.active {
                bail!("{email} is inactive: tokens cannot be created for an inactive user");
            }
            let (t, plain) = tokens::create(&mut tx, &Actor::cli(), &u, &name, lifetime).await?;
            tx.commit().await?;
            let expiry = match &t.expires_at {
                Some(at) => format!("expires {}", at.get(..10).unwrap_or(at)),
                None => "no expiry".into(),
            };
            eprintln!("Token {name:?} for {email}, {expiry} (shown once; send it as `Authorization: Bearer TOKEN`):");
            println!("{plain}");
        }
    }
    Ok(())
}
