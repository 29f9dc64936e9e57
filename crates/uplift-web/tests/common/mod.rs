//! An in-process Uplift for tests: a fresh database with two organisations,
//! one user per role in the first, and helpers to sign in and make requests.
#![allow(dead_code)]

pub mod concern_fixture;
pub mod meetings_fixture;
pub mod parity;
pub mod visits_fixture;

use axum::body::Body;
use axum::http::{header, Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;
use uplift_domain::access::Role;
use uplift_domain::identity::{Email, NewPassword, PasswordContext};
use uplift_store::audit::Actor;
use uplift_store::orgs::{self, NewOrganisation};
use uplift_store::testkit::TempDir;
use uplift_store::users::{self, NewUser};
use uplift_store::{tokens, Db};
use uplift_web::auth::password::hash_password;
use uplift_web::{router, AppState, WebConfig};

pub const PASSWORD: &str = "correct horse battery staple";
/// A real Camden school (GIAS): the school user's own.
pub const OWN_SCHOOL: i64 = 100005;
/// Another real Camden school.
pub const OTHER_SCHOOL: i64 = 100008;

pub struct TestUser {
    pub role: Role,
    pub email: String,
    pub id: i64,
    pub token: String,
    pub token_id: i64,
}

pub struct TestApp {
    pub state: AppState,
    pub db: Db,
    pub users: Vec<TestUser>,
    pub other_admin: TestUser,
    pub org_id: i64,
    pub other_org_id: i64,
    _dir: Option<TempDir>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect()
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies().iter().find_map(|c| {
            c.strip_prefix(&format!("{name}="))
                .map(|r| r.split(';').next().unwrap_or("").to_string())
        })
    }

    pub fn hidden(&self, name: &str) -> Option<String> {
        let needle = format!("name=\"{name}\" value=\"");
        let i = self.body.find(&needle)? + needle.len();
        Some(self.body[i..].split('"').next()?.to_string())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

async fn add_user(db: &Db, org: i64, role: Role, email: &str, school: Option<i64>) -> TestUser {
    let hash =
        hash_password(&NewPassword::parse(PASSWORD, &PasswordContext::default()).unwrap()).unwrap();
    let email_p = Email::parse(email).unwrap();
    let mut tx = db.begin().await.unwrap();
    let u = users::create(
        &mut tx,
        &Actor::cli(),
        &NewUser {
            organisation_id: org,
            email: &email_p,
            name: &format!("Test {role}"),
            role,
            school_urn: school,
            password_hash: &hash,
        },
    )
    .await
    .unwrap();
    let (t, plain) = tokens::create(&mut tx, &Actor::cli(), &u, "test", None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    TestUser {
        role,
        email: u.email,
        id: u.id,
        token: plain,
        token_id: t.id,
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        let (db, dir) = uplift_store::testkit::sqlite().await;
        Self::with_db(db, Some(dir)).await
    }

    pub async fn with_db(db: Db, dir: Option<TempDir>) -> TestApp {
        let t = uplift_store::now();
        for (urn, name) in [
            (OWN_SCHOOL, "Thomas Coram Centre"),
            (OTHER_SCHOOL, "Argyle Primary School"),
        ] {
            db.execute_raw(&format!(
                "INSERT INTO schools (urn, la_code, name, created_at, updated_at) VALUES ({urn}, '202', '{name}', '{t}', '{t}')"
            ))
            .await
            .unwrap();
        }
        let mut tx = db.begin().await.unwrap();
        let org = orgs::create(
            &mut tx,
            &Actor::cli(),
            &NewOrganisation {
                slug: "camden",
                name: "Camden Council",
                kind: "local-authority",
                la_code: Some("202"),
            },
        )
        .await
        .unwrap();
        let other = orgs::create(
            &mut tx,
            &Actor::cli(),
            &NewOrganisation {
                slug: "barnet",
                name: "Barnet Council",
                kind: "local-authority",
                la_code: Some("302"),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut users = Vec::new();
        for role in Role::ALL {
            let school = (role == Role::School).then_some(OWN_SCHOOL);
            users
                .push(add_user(&db, org.id, role, &format!("{role}@camden.example"), school).await);
        }
        let other_admin = add_user(&db, other.id, Role::Admin, "admin@barnet.example", None).await;
        let state = AppState::new(db.clone(), WebConfig::default());
        TestApp {
            state,
            db,
            users,
            other_admin,
            org_id: org.id,
            other_org_id: other.id,
            _dir: dir,
        }
    }

    pub fn user(&self, role: Role) -> &TestUser {
        self.users.iter().find(|u| u.role == role).unwrap()
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res: Response<Body> = router(self.state.clone()).oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut b = Request::builder().method(Method::GET).uri(path);
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    pub async fn post_form(
        &self,
        path: &str,
        cookie: Option<&str>,
        form: &[(&str, &str)],
    ) -> Reply {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut b = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::from(body)).unwrap()).await
    }

    pub async fn api(&self, method: Method, path: &str, token: Option<&str>) -> Reply {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    /// Signs in through the form; returns the session cookie header value and the session's CSRF token.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<(String, String), Reply> {
        let page = self.get("/sign-in", None).await;
        let pre = page.cookie("uplift_csrf").expect("pre-session CSRF cookie");
        let token = page.hidden("csrf_token").expect("csrf field");
        let r = self
            .post_form(
                "/sign-in",
                Some(&format!("uplift_csrf={pre}")),
                &[
                    ("email", email),
                    ("password", password),
                    ("csrf_token", &token),
                    ("next", "/"),
                ],
            )
            .await;
        let Some(session) = r.cookie("uplift_session") else {
            return Err(r);
        };
        let cookie = format!("uplift_session={session}");
        let account = self.get("/account", Some(&cookie)).await;
        let csrf = account
            .hidden("csrf_token")
            .expect("session CSRF token on the account page");
        Ok((cookie, csrf))
    }

    pub async fn session(&self, role: Role) -> (String, String) {
        let email = self.user(role).email.clone();
        self.sign_in(&email, PASSWORD)
            .await
            .unwrap_or_else(|r| panic!("sign-in failed: {} {}", r.status, r.body))
    }
}
