//! Users, their roles and, for school users, their one school.

use serde::Serialize;
use sqlx::FromRow;
use uplift_domain::access::{Principal, Role};
use uplift_domain::identity::Email;

use crate::audit::{self, Actor, Change};
use crate::{now, Db, Result, StoreError, Tx};

/// A user as the rest of Uplift sees it (never with the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct User {
    pub id: i64,
    pub organisation_id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub school_urn: Option<i64>,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl User {
    /// The user's role; a stored role this build does not know is refused.
    pub fn role(&self) -> Result<Role> {
        self.role
            .parse()
            .map_err(|e: uplift_domain::access::UnknownRole| StoreError::Invalid(e.to_string()))
    }

    pub fn principal(&self) -> Result<Principal> {
        Ok(Principal {
            user_id: self.id,
            organisation_id: self.organisation_id,
            role: self.role()?,
            school_urn: self.school_urn,
        })
    }
}

pub(crate) const COLS: &str =
    "id, organisation_id, email, name, role, school_urn, active, created_at, updated_at";

pub struct NewUser<'a> {
    pub organisation_id: i64,
    pub email: &'a Email,
    pub name: &'a str,
    pub role: Role,
    pub school_urn: Option<i64>,
    /// Already hashed (argon2 PHC string).
    pub password_hash: &'a str,
}

pub async fn create(tx: &mut Tx, actor: &Actor, new: &NewUser<'_>) -> Result<User> {
    let name = new.name.trim();
    if name.is_empty() {
        return Err(StoreError::Invalid("name is empty".into()));
    }
    match (new.role, new.school_urn) {
        (Role::School, None) => {
            return Err(StoreError::Invalid(
                "a school user needs --school URN".into(),
            ))
        }
        (r, Some(_)) if r != Role::School => {
            return Err(StoreError::Invalid(format!(
                "only school users are tied to a school, not the {r} role"
            )))
        }
        _ => {}
    }
    if let Some(urn) = new.school_urn {
        let known: Option<i64> = on_tx!(tx, c => sqlx::query_scalar("SELECT urn FROM schools WHERE urn = $1")
            .bind(urn).fetch_optional(&mut **c).await)?;
        if known.is_none() {
            return Err(StoreError::Invalid(format!(
                "school URN {urn} is not in the register (import it first)"
            )));
        }
    }
    if by_email(tx, new.email).await?.is_some() {
        return Err(StoreError::Conflict(format!(
            "a user with email {} already exists",
            new.email
        )));
    }
    let t = now();
    let sql = format!(
        "INSERT INTO users (organisation_id, email, name, role, school_urn, password_hash, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLS}"
    );
    let user: User = on_tx!(tx, c => sqlx::query_as(&sql)
        .bind(new.organisation_id).bind(new.email.as_str()).bind(name).bind(new.role.as_str())
        .bind(new.school_urn).bind(new.password_hash).bind(true).bind(&t).bind(&t)
        .fetch_one(&mut **c).await)?;
    audit::record(
        tx,
        actor,
        Change::created("user", user.id, Some(user.organisation_id), &user),
    )
    .await?;
    Ok(user)
}

pub async fn by_email(tx: &mut Tx, email: &Email) -> Result<Option<User>> {
    let sql = format!("SELECT {COLS} FROM users WHERE email = $1");
    Ok(on_tx!(tx, c => sqlx::query_as(&sql).bind(email.as_str()).fetch_optional(&mut **c).await)?)
}

/// Replaces a user's password hash; every session and API token of the user
/// ends. The audit entry says the password changed, never what it is.
pub async fn set_password(
    tx: &mut Tx,
    actor: &Actor,
    user: &User,
    password_hash: &str,
) -> Result<()> {
    let t = now();
    on_tx!(tx, c => sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(password_hash).bind(&t).bind(user.id).execute(&mut **c).await.map(|r| r.rows_affected()))?;
    // Every session and token of the user ends with the old password.
    on_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user.id).execute(&mut **c).await.map(|r| r.rows_affected()))?;
    audit::record(
        tx,
        actor,
        Change::updated(
            "user",
            user.id,
            Some(user.organisation_id),
            &serde_json::json!({"password": "(previous)"}),
            &serde_json::json!({"password": "(changed)", "sessions": "ended", "api_tokens": "revoked"}),
        ),
    )
    .await?;
    crate::tokens::revoke_all(tx, actor, user).await?;
    Ok(())
}

/// Turns a user on or off. Turning them off ends their sessions and revokes
/// their API tokens at once (turning them on again brings neither back).
pub async fn set_active(tx: &mut Tx, actor: &Actor, user: &User, active: bool) -> Result<User> {
    let sql =
        format!("UPDATE users SET active = $1, updated_at = $2 WHERE id = $3 RETURNING {COLS}");
    let after: User = on_tx!(tx, c => sqlx::query_as(&sql)
        .bind(active).bind(now()).bind(user.id).fetch_one(&mut **c).await)?;
    if !active {
        on_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.id).execute(&mut **c).await.map(|r| r.rows_affected()))?;
    }
    audit::record(
        tx,
        actor,
        Change::updated("user", user.id, Some(user.organisation_id), user, &after),
    )
    .await?;
    if !active {
        crate::tokens::revoke_all(tx, actor, user).await?;
    }
    Ok(after)
}

impl Db {
    pub async fn user(&self, id: i64) -> Result<Option<User>> {
        let sql = format!("SELECT {COLS} FROM users WHERE id = $1");
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await)?)
    }

    /// The user and stored password hash, for signing in.
    pub async fn user_with_hash(&self, email: &Email) -> Result<Option<(User, String)>> {
        let sql = format!("SELECT {COLS}, password_hash FROM users WHERE email = $1");
        let row = on_pool!(self.pool(), p => {
            use sqlx::Row;
            sqlx::query(&sql).bind(email.as_str()).fetch_optional(p).await?
                .map(|r| -> Result<(User, String)> {
                    Ok((User::from_row(&r)?, r.try_get("password_hash")?))
                }).transpose()
        })?;
        Ok(row)
    }

    /// Users of an organisation, by name.
    pub async fn users(&self, organisation_id: i64) -> Result<Vec<User>> {
        let sql = format!("SELECT {COLS} FROM users WHERE organisation_id = $1 ORDER BY name, id");
        Ok(
            on_pool!(self.pool(), p => sqlx::query_as(&sql).bind(organisation_id).fetch_all(p).await)?,
        )
    }

    pub async fn user_count(&self, organisation_id: i64) -> Result<i64> {
        Ok(
            on_pool!(self.pool(), p => sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE organisation_id = $1")
            .bind(organisation_id).fetch_one(p).await)?,
        )
    }
}
