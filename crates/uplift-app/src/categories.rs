//! The lead's decisions on categories (`DecideCategories`): agreeing the
//! proposed categories of several schools in the annual review, confirming
//! or overriding one school's proposed category, and overriding one of a
//! school's derived flags. Each is audited; each refused input is named on
//! its field and nothing is saved.
//!
//! Field names in refusals: `urn` (the schools chosen), `rationale`,
//! `action` (confirm or override), `category`, `reason`, `flag`, `value`,
//! `flag_reason`.

use uplift_domain::access::{Action, Scope};
use uplift_domain::concern::Rationale;
use uplift_domain::policy::{FlagKind, Placement};
use uplift_store::categorisation::{self as store, flag_kind};

use crate::error::Problems;
use crate::{App, AppError, Caller, Result};

/// What the lead does with a school's proposed category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CategoryChoice {
    Confirm,
    Override,
}

impl CategoryChoice {
    /// From its name (`confirm`, `override`); anything else is refused.
    pub fn parse(s: &str) -> Option<CategoryChoice> {
        match s.trim() {
            "confirm" => Some(CategoryChoice::Confirm),
            "override" => Some(CategoryChoice::Override),
            _ => None,
        }
    }
}

/// A decision on one school's category, as typed.
#[derive(Debug, Clone, Default)]
pub struct DecideCategory {
    /// `confirm` or `override`.
    pub action: String,
    /// The category to place the school in (overriding).
    pub category: String,
    /// Why the proposed category is right (confirming).
    pub rationale: String,
    /// Why it is overridden (overriding).
    pub reason: String,
}

fn text_within(p: &mut Problems, field: &str, text: &str, missing: &str) {
    let t = text.trim();
    if t.is_empty() {
        p.add(field, missing);
    } else if t.chars().count() > Rationale::MAX_CHARS {
        p.add(field, "The text must be 4,000 characters or fewer");
    }
}

/// Agrees the proposed category of each chosen school (by URN, as given),
/// with one rationale. Returns how many were agreed.
pub async fn agree_categories(
    app: &App,
    caller: &Caller,
    urns: &[String],
    rationale: &str,
) -> Result<usize> {
    let org = caller.organisation_id();
    caller.authorize(Action::DecideCategories, Scope::Organisation(org))?;
    let mut p = Problems::new();
    if urns.iter().all(|u| u.trim().is_empty()) {
        p.add(
            "urn",
            "Select the schools whose proposed category you agree",
        );
    }
    text_within(
        &mut p,
        "rationale",
        rationale,
        "Enter the rationale for agreeing these categories",
    );
    p.done()?;
    let chosen: Vec<i64> = urns
        .iter()
        .map(|u| u.trim().parse::<i64>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| AppError::field("urn", "Select only schools of your organisation's estate"))?;
    let policy = app.db().policy_in_force(org).await?;
    let placements = app.db().categorise(org, &policy, app.today()).await?;
    let found: Vec<&Placement> = placements
        .iter()
        .filter(|p| chosen.contains(&i64::from(p.urn.get())))
        .collect();
    if found.len() != chosen.len() {
        return Err(AppError::field(
            "urn",
            "Select only schools of your organisation's estate",
        ));
    }
    let mut tx = app.db().begin().await?;
    for p in &found {
        store::confirm_category(&mut tx, &caller.actor, org, p, rationale).await?;
    }
    tx.commit().await?;
    Ok(found.len())
}

/// Confirms or overrides one school's proposed category.
pub async fn decide_category(
    app: &App,
    caller: &Caller,
    urn: i64,
    d: &DecideCategory,
) -> Result<CategoryChoice> {
    let org = caller.organisation_id();
    caller.authorize(
        Action::DecideCategories,
        Scope::School {
            organisation_id: org,
            urn,
        },
    )?;
    let policy = app.db().policy_in_force(org).await?;
    let placement = app
        .db()
        .categorise_school(org, &policy, urn, app.today())
        .await?
        .ok_or(AppError::NotFound)?;
    let mut p = Problems::new();
    let choice = CategoryChoice::parse(&d.action);
    match choice {
        None => p.add(
            "action",
            "Select whether to confirm or override the proposed category",
        ),
        Some(CategoryChoice::Confirm) => text_within(
            &mut p,
            "rationale",
            &d.rationale,
            "Enter the rationale for confirming the category",
        ),
        Some(CategoryChoice::Override) => {
            if policy.category_index(d.category.trim()).is_none() {
                p.add("category", "Select the category to place the school in");
            }
            text_within(
                &mut p,
                "reason",
                &d.reason,
                "Enter the reason for overriding the proposed category",
            );
        }
    }
    p.done()?;
    let choice = choice.ok_or(AppError::Invalid(Vec::new()))?;
    let mut tx = app.db().begin().await?;
    match choice {
        CategoryChoice::Confirm => {
            store::confirm_category(&mut tx, &caller.actor, org, &placement, &d.rationale)
                .await
                .map_err(AppError::refused_on("rationale"))?;
        }
        CategoryChoice::Override => {
            store::override_category(
                &mut tx,
                &caller.actor,
                org,
                &policy,
                &placement,
                d.category.trim(),
                &d.reason,
            )
            .await
            .map_err(AppError::refused_on("category"))?;
        }
    }
    tx.commit().await?;
    Ok(choice)
}

/// An override of a derived flag, as typed: the flag's name, `yes`, `no` or
/// `clear` (withdraw the override), and the reason.
#[derive(Debug, Clone, Default)]
pub struct OverrideFlag {
    pub flag: String,
    pub value: String,
    pub reason: String,
}

/// Overrides (or withdraws the override of) one of the school's flags.
pub async fn override_flag(
    app: &App,
    caller: &Caller,
    urn: i64,
    o: &OverrideFlag,
) -> Result<(FlagKind, Option<bool>)> {
    let org = caller.organisation_id();
    caller.authorize(
        Action::DecideCategories,
        Scope::School {
            organisation_id: org,
            urn,
        },
    )?;
    if !app.db().school_exists(urn).await? {
        return Err(AppError::NotFound);
    }
    let mut p = Problems::new();
    let kind = flag_kind(o.flag.trim());
    if kind.is_none() {
        p.add("flag", "Select the flag to override");
    }
    let value = match o.value.trim() {
        "yes" => Some(Some(true)),
        "no" => Some(Some(false)),
        "clear" => Some(None),
        _ => None,
    };
    if value.is_none() {
        p.add("value", "Select whether the flag applies");
    }
    if o.reason.trim().is_empty() {
        p.add("flag_reason", "Enter the reason for the override");
    } else if o.reason.trim().chars().count() > Rationale::MAX_CHARS {
        p.add(
            "flag_reason",
            "The reason must be 4,000 characters or fewer",
        );
    }
    p.done()?;
    let (Some(kind), Some(value)) = (kind, value) else {
        return Err(AppError::Invalid(Vec::new()));
    };
    let mut tx = app.db().begin().await?;
    store::override_flag(&mut tx, &caller.actor, org, urn, kind, value, &o.reason)
        .await
        .map_err(AppError::refused_on("flag_reason"))?;
    tx.commit().await?;
    Ok((kind, value))
}
