//! The annual risk assessment of the school estate: counts by category,
//! movements since last year, and each school's rationale, as data and CSV.

use super::engine::{Placement, ProposalAction};
use super::format::{Policy, Rag};
use crate::register::Urn;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How many schools are in a category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCount {
    /// Category id.
    pub category: String,
    /// Label.
    pub label: String,
    /// RAG colour.
    pub rag: Rag,
    /// Schools in it now.
    pub count: usize,
    /// Schools in it last year (among those given).
    pub last_year: usize,
}

/// Which way a school moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// To a more concerning category.
    MoreConcerning,
    /// To a less concerning category.
    LessConcerning,
    /// Same category.
    Unchanged,
    /// No category last year.
    New,
    /// Last year's category is not one of this policy's.
    Changed,
}

impl Direction {
    /// Name in CSV and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MoreConcerning => "more_concerning",
            Self::LessConcerning => "less_concerning",
            Self::Unchanged => "unchanged",
            Self::New => "new",
            Self::Changed => "changed",
        }
    }
}

/// A school's movement since last year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Movement {
    /// URN.
    pub urn: Urn,
    /// Name.
    pub name: String,
    /// Last year's category.
    pub from: Option<String>,
    /// This year's proposed category.
    pub to: String,
    /// Direction.
    pub direction: Direction,
}

/// The risk assessment of the school estate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstateAssessment {
    /// Policy name.
    pub policy: String,
    /// Policy title.
    pub policy_title: String,
    /// Counts by category, least to most concerning.
    pub counts: Vec<CategoryCount>,
    /// Schools whose category differs from last year's (or that had none).
    pub movements: Vec<Movement>,
    /// Every school's placement, in the order given.
    pub placements: Vec<Placement>,
}

impl EstateAssessment {
    /// Builds the assessment from placements and last year's categories (by URN).
    pub fn new(
        policy: &Policy,
        placements: Vec<Placement>,
        last_year: &BTreeMap<Urn, String>,
    ) -> Self {
        let mut counts: Vec<CategoryCount> = policy
            .categories
            .iter()
            .map(|c| CategoryCount {
                category: c.id.clone(),
                label: c.label.clone(),
                rag: c.rag,
                count: 0,
                last_year: 0,
            })
            .collect();
        let mut movements = Vec::new();
        for p in &placements {
            if let Some(c) = counts.iter_mut().find(|c| c.category == p.category) {
                c.count += 1;
            }
            let from = last_year.get(&p.urn);
            if let Some(f) = from {
                if let Some(c) = counts.iter_mut().find(|c| &c.category == f) {
                    c.last_year += 1;
                }
            }
            let direction = movement(policy, from.map(String::as_str), &p.category);
            if direction != Direction::Unchanged {
                movements.push(Movement {
                    urn: p.urn,
                    name: p.name.clone(),
                    from: from.cloned(),
                    to: p.category.clone(),
                    direction,
                });
            }
        }
        Self {
            policy: policy.name.clone(),
            policy_title: policy.title.clone(),
            counts,
            movements,
            placements,
        }
    }

    /// The columns of the assessment as a table (`uplift categorise --format
    /// csv` and `/estate-assessment.csv` write it with `uplift_docs::csv`).
    pub const CSV_HEADER: &'static [&'static str] = &[
        "urn",
        "name",
        "category",
        "category_label",
        "rag",
        "causing_concern",
        "last_year_category",
        "movement",
        "flags",
        "proposals",
        "rationale",
    ];

    /// The assessment as rows under [`Self::CSV_HEADER`], one per school.
    pub fn csv_rows(&self) -> Vec<Vec<String>> {
        let mut out = Vec::with_capacity(self.placements.len());
        for p in &self.placements {
            let moved = self.movements.iter().find(|m| m.urn == p.urn);
            // A school with no movement kept last year's category.
            let from = match moved {
                Some(m) => m.from.as_deref(),
                None => Some(p.category.as_str()),
            };
            let proposals: Vec<String> = p
                .proposals
                .iter()
                .map(|x| {
                    format!(
                        "{} ({})",
                        match x.action {
                            ProposalAction::AddToCausingConcernList => "add",
                            ProposalAction::RemoveFromCausingConcernList => "remove",
                        },
                        x.grounds
                    )
                })
                .collect();
            let rationale: Vec<&str> = p.rationale.iter().map(|r| r.summary.as_str()).collect();
            let dir = moved.map_or(Direction::Unchanged, |m| m.direction);
            out.push(vec![
                p.urn.to_string(),
                p.name.clone(),
                p.category.clone(),
                p.category_label.clone(),
                p.rag.as_str().to_string(),
                if p.causing_concern { "yes" } else { "no" }.to_string(),
                from.unwrap_or("").to_string(),
                dir.as_str().to_string(),
                p.flags.set_names().join("; "),
                proposals.join("; "),
                rationale.join(" | "),
            ]);
        }
        out
    }
}

fn movement(policy: &Policy, from: Option<&str>, to: &str) -> Direction {
    let Some(from) = from else {
        return Direction::New;
    };
    if from == to {
        return Direction::Unchanged;
    }
    match (policy.category_index(from), policy.category_index(to)) {
        (Some(a), Some(b)) if b > a => Direction::MoreConcerning,
        (Some(_), Some(_)) => Direction::LessConcerning,
        _ => Direction::Changed,
    }
}
