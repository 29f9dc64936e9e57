//! `uplift categorise` and `uplift policy check|use|list`: every school placed
//! under a policy with its reasons, and choosing the policy in force.

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};
use uplift_domain::policy::{presets, EstateAssessment, Placement, Policy, RuleOutcome};
use uplift_domain::register::Date;
use uplift_store::audit::Actor;
use uplift_store::categorisation::{self, describe_errors, load_policy, PolicySource};
use uplift_store::Db;

use crate::cli::{CategoriseArgs, CategoriseFormat, PolicyCommand};

/// Today in England (Europe/London).
pub fn today() -> Date {
    uplift_app::clock::today_in_england()
}

fn is_preset(name: &str) -> bool {
    presets().iter().any(|(n, _)| *n == name)
}

/// A preset by name, or a policy file: (policy, source name, file text).
fn read_policy(arg: &str) -> Result<(Policy, Option<String>)> {
    if is_preset(arg) {
        let p = load_policy(PolicySource::Preset(arg)).map_err(|e| anyhow!(describe_errors(&e)))?;
        return Ok((p, None));
    }
    let path = Path::new(arg);
    if !path.exists() {
        let names: Vec<&str> = presets().iter().map(|(n, _)| *n).collect();
        bail!(
            "{arg:?} is neither a preset ({}) nor a policy file",
            names.join(", ")
        );
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = path.display().to_string();
    let p = load_policy(PolicySource::File {
        name: &name,
        text: &text,
    })
    .map_err(|e| anyhow!("the policy was refused: {}", describe_errors(&e)))?;
    Ok((p, Some(text)))
}

fn parse_date(s: Option<&str>) -> Result<Date> {
    match s {
        None => Ok(today()),
        Some(t) => t
            .trim()
            .parse::<Date>()
            .map_err(|_| anyhow!("--as-of {t:?} is not a date (YYYY-MM-DD)")),
    }
}

fn outcome_json(r: &RuleOutcome) -> Value {
    json!({
        "rule": r.rule,
        "label": r.label,
        "category": r.category,
        "source": r.source,
        "summary": r.summary,
        "evidence": r.evidence,
    })
}

/// One school as `--format json` and the API show it.
pub fn placement_json(p: &Placement, a: &EstateAssessment) -> Value {
    let moved = a.movements.iter().find(|m| m.urn == p.urn);
    let (last_year, movement) = match moved {
        Some(m) => (m.from.clone(), m.direction.as_str()),
        None => (Some(p.category.clone()), "unchanged"),
    };
    let flags: Vec<&str> = p.flags.set_names();
    let mut reasons = serde_json::Map::new();
    for k in uplift_domain::policy::FlagKind::ALL {
        let f = p.flags.get(k);
        if f.effective() {
            reasons.insert(k.name().into(), json!(f.reason));
        }
    }
    json!({
        "urn": p.urn.get(),
        "name": p.name,
        "policy": p.policy,
        "as_of": p.as_of.to_string(),
        "category": p.category,
        "category_label": p.category_label,
        "rag": p.rag.as_str(),
        "causing_concern": p.causing_concern,
        "flags": flags,
        "flag_reasons": reasons,
        "rationale": p.rationale.iter().map(outcome_json).collect::<Vec<_>>(),
        "near_misses": p.near_misses.iter().map(|r| r.summary.clone()).collect::<Vec<_>>(),
        "triggers": p.triggers.iter().map(|r| r.summary.clone()).collect::<Vec<_>>(),
        "proposals": p.proposals,
        "last_year_category": last_year,
        "movement": movement,
    })
}

fn table(a: &EstateAssessment) -> String {
    let mut out = format!("Policy: {} ({})\n", a.policy_title, a.policy);
    for c in &a.counts {
        out.push_str(&format!(
            "  {:<40} {:>5} (last year {})\n",
            format!("{} [{}]", c.label, c.rag.as_str()),
            c.count,
            c.last_year
        ));
    }
    out.push_str(&format!(
        "{} schools; {} movements since last year\n\n",
        a.placements.len(),
        a.movements.len()
    ));
    out.push_str(&format!(
        "{:<8} {:<40} {:<24} {:<6} {:<40} {}\n",
        "URN", "Name", "Category", "RAG", "Flags", "Rationale"
    ));
    for p in &a.placements {
        let name: String = p.name.chars().take(40).collect();
        let cat: String = p.category_label.chars().take(24).collect();
        let summary = p
            .rationale
            .first()
            .map(|r| r.summary.as_str())
            .unwrap_or("");
        out.push_str(&format!(
            "{:<8} {:<40} {:<24} {:<6} {:<40} {}\n",
            p.urn.get(),
            name,
            cat,
            p.rag.as_str(),
            p.flags.set_names().join(","),
            summary
        ));
    }
    out
}

/// `uplift categorise`.
pub async fn run(db: &Db, args: CategoriseArgs) -> Result<()> {
    let as_of = parse_date(args.as_of.as_deref())?;
    let mut tx = db.begin().await?;
    let org = super::admin::organisation(db, &mut tx, args.organisation.as_deref()).await?;
    tx.rollback().await?;
    let policy = match &args.policy {
        Some(p) => read_policy(p)?.0,
        None => db.policy_in_force(org.id).await?,
    };
    let assessment = db.estate_assessment(org.id, &policy, as_of).await?;
    if assessment.placements.is_empty() {
        bail!(
            "the organisation {} has no schools in its estate (load the register first)",
            org.slug
        );
    }
    match args.format {
        CategoriseFormat::Table => print!("{}", table(&assessment)),
        CategoriseFormat::Csv => print!(
            "{}",
            uplift_docs::csv::to_string(EstateAssessment::CSV_HEADER, &assessment.csv_rows())
        ),
        CategoriseFormat::Json => {
            let all: Vec<Value> = assessment
                .placements
                .iter()
                .map(|p| placement_json(p, &assessment))
                .collect();
            println!("{}", serde_json::to_string_pretty(&all)?);
        }
    }
    if args.apply {
        let mut tx = db.begin().await?;
        let s = categorisation::apply_placements(
            &mut tx,
            &Actor::cli(),
            org.id,
            &assessment.placements,
        )
        .await?;
        tx.commit().await?;
        eprintln!(
            "Recorded {} first categories and {} proposals for a lead to decide ({} unchanged).",
            s.initial, s.proposed, s.unchanged
        );
    }
    Ok(())
}

/// `uplift policy check FILE` (needs no database).
pub fn check(file: &Path) -> Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let name = file.display().to_string();
    match Policy::parse(&name, &text) {
        Ok(p) => {
            println!(
                "{name}: policy {} ({}) is valid: {} categories, {} triggers.",
                p.name,
                p.title,
                p.categories.len(),
                p.triggers.len()
            );
            Ok(())
        }
        Err(errors) => {
            for e in &errors {
                println!("{e}");
            }
            let first = errors.first().map(ToString::to_string).unwrap_or_default();
            bail!(
                "{name}: {} {} (first: {first})",
                errors.len(),
                if errors.len() == 1 {
                    "problem"
                } else {
                    "problems"
                }
            )
        }
    }
}

/// `uplift policy use|list`.
pub async fn policy(db: &Db, cmd: PolicyCommand) -> Result<()> {
    match cmd {
        PolicyCommand::Check { file } => check(&file),
        PolicyCommand::Use {
            policy,
            organisation,
        } => {
            let mut tx = db.begin().await?;
            let org = super::admin::organisation(db, &mut tx, organisation.as_deref()).await?;
            let rec = if is_preset(&policy) {
                categorisation::adopt_policy(
                    &mut tx,
                    &Actor::cli(),
                    org.id,
                    PolicySource::Preset(&policy),
                )
                .await?
            } else {
                let path = Path::new(&policy);
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| policy.clone());
                categorisation::adopt_policy(
                    &mut tx,
                    &Actor::cli(),
                    org.id,
                    PolicySource::File {
                        name: &name,
                        text: &text,
                    },
                )
                .await?
            };
            tx.commit().await?;
            println!(
                "{} now categorises its schools under {} ({}).",
                org.name, rec.title, rec.name
            );
            Ok(())
        }
        PolicyCommand::List { organisation } => {
            let mut tx = db.begin().await?;
            let org = super::admin::organisation(db, &mut tx, organisation.as_deref()).await?;
            tx.rollback().await?;
            println!("Presets:");
            for (name, _) in presets() {
                if let Ok(p) = Policy::preset(name) {
                    println!("  {name:<20} {}", p.title);
                }
            }
            let in_force = db.policy_in_force(org.id).await?;
            println!(
                "In force for {}: {} ({})",
                org.slug, in_force.title, in_force.name
            );
            for r in db.policy_history(org.id).await? {
                println!(
                    "  {}  {} ({}) by {}",
                    r.adopted_at, r.title, r.source_name, r.adopted_by
                );
            }
            Ok(())
        }
    }
}
