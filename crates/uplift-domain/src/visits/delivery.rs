//! Delivered against due (rule 2).
//!
//! Each entitled visit is a [`DueVisit`] with a date it is due by (from
//! [`plan_visits`](super::plan_visits): the end of its half term). For each
//! school and visit type the due visits, earliest first, are matched in order
//! with the completed visits, earliest first: the k-th completed visit
//! delivers the k-th due one. A due visit without a completed visit is
//! overdue once its due date has passed (`as_of > due_by`), otherwise
//! pending. Seed 003: the visits table sets how many visits a year each
//! school receives; DESIGN.md section 3.3 asks for "entitlement delivered
//! versus due".

use super::VisitType;
use crate::calendar::{AcademicYear, TermName};
use crate::register::Urn;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One entitled visit, due by a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueVisit {
    /// The school.
    pub urn: Urn,
    /// The school's named adviser.
    pub adviser_id: String,
    /// The school's category.
    pub category: String,
    /// The type.
    pub visit_type: VisitType,
    /// Academic year.
    pub academic_year: AcademicYear,
    /// The term it falls in.
    pub term: TermName,
    /// Due by.
    pub due_by: Date,
}

/// A visit on record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitRecord {
    /// Visit id.
    pub visit_id: String,
    /// The school.
    pub urn: Urn,
    /// The type.
    pub visit_type: VisitType,
    /// Date held (completed) or planned.
    pub date: Date,
    /// Whether it took place.
    pub completed: bool,
}

/// What became of a due visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum DeliveryStatus {
    /// A completed visit delivered it.
    Delivered {
        /// Which.
        visit_id: String,
        /// When.
        date: Date,
    },
    /// Due by a date that has passed, with no completed visit.
    Overdue {
        /// A visit planned for it, if any.
        planned: Option<Date>,
    },
    /// Not yet due.
    Pending {
        /// A visit planned for it, if any.
        planned: Option<Date>,
    },
}

/// One due visit with its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryLine {
    /// The due visit.
    pub due: DueVisit,
    /// Its status.
    pub status: DeliveryStatus,
    /// Why, in words.
    pub reason: String,
}

/// How to tally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    /// By school (URN).
    School,
    /// By adviser.
    Adviser,
    /// By category.
    Category,
    /// By academic year and term.
    Term,
}

/// Due, delivered and overdue for one group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryTally {
    /// The group's key (URN, adviser id, category id or "2026/27 Autumn").
    pub key: String,
    /// Entitled visits.
    pub due: usize,
    /// Delivered.
    pub delivered: usize,
    /// Overdue.
    pub overdue: usize,
    /// Neither (not yet due).
    pub pending: usize,
}

/// Every due visit with its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryReport {
    /// The date it describes.
    pub as_of: Date,
    /// One line per due visit, by school, type and due date.
    pub lines: Vec<DeliveryLine>,
}

impl DeliveryReport {
    /// Tallies by `grouping`, keys in order.
    pub fn tally(&self, grouping: Grouping) -> Vec<DeliveryTally> {
        let mut map: BTreeMap<String, DeliveryTally> = BTreeMap::new();
        for line in &self.lines {
            let key = match grouping {
                Grouping::School => line.due.urn.to_string(),
                Grouping::Adviser => line.due.adviser_id.clone(),
                Grouping::Category => line.due.category.clone(),
                Grouping::Term => format!("{} {}", line.due.academic_year, line.due.term),
            };
            let t = map.entry(key.clone()).or_insert(DeliveryTally {
                key,
                due: 0,
                delivered: 0,
                overdue: 0,
                pending: 0,
            });
            t.due += 1;
            match line.status {
                DeliveryStatus::Delivered { .. } => t.delivered += 1,
                DeliveryStatus::Overdue { .. } => t.overdue += 1,
                DeliveryStatus::Pending { .. } => t.pending += 1,
            }
        }
        map.into_values().collect()
    }

    /// The overdue lines.
    pub fn overdue(&self) -> impl Iterator<Item = &DeliveryLine> + '_ {
        self.lines
            .iter()
            .filter(|l| matches!(l.status, DeliveryStatus::Overdue { .. }))
    }
}

/// Matches due visits with visits on record, on `as_of`.
pub fn delivery(due: &[DueVisit], visits: &[VisitRecord], as_of: Date) -> DeliveryReport {
    type Key = (Urn, VisitType);
    let mut dues: BTreeMap<Key, Vec<&DueVisit>> = BTreeMap::new();
    for d in due {
        dues.entry((d.urn, d.visit_type.clone()))
            .or_default()
            .push(d);
    }
    let mut done: BTreeMap<Key, Vec<&VisitRecord>> = BTreeMap::new();
    let mut planned: BTreeMap<Key, Vec<&VisitRecord>> = BTreeMap::new();
    for v in visits {
        let map = if v.completed { &mut done } else { &mut planned };
        map.entry((v.urn, v.visit_type.clone()))
            .or_default()
            .push(v);
    }
    let mut lines = Vec::new();
    for (key, mut ds) in dues {
        ds.sort_by_key(|d| d.due_by);
        let mut completed = done.remove(&key).unwrap_or_default();
        completed.sort_by(|a, b| (a.date, &a.visit_id).cmp(&(b.date, &b.visit_id)));
        let mut upcoming = planned.remove(&key).unwrap_or_default();
        upcoming.sort_by(|a, b| (a.date, &a.visit_id).cmp(&(b.date, &b.visit_id)));
        let mut upcoming = upcoming.into_iter();
        let n = ds.len();
        for (i, d) in ds.into_iter().enumerate() {
            let label = d.visit_type.label();
            let (status, reason) = match completed.get(i) {
                Some(v) => (
                    DeliveryStatus::Delivered {
                        visit_id: v.visit_id.clone(),
                        date: v.date,
                    },
                    format!(
                        "{label} {} of {n} due by {}: delivered by visit {} on {}{}",
                        i + 1,
                        d.due_by,
                        v.visit_id,
                        v.date,
                        if v.date > d.due_by { " (late)" } else { "" }
                    ),
                ),
                None => {
                    let plan = upcoming.next().map(|v| v.date);
                    let planned_words = match plan {
                        Some(p) => format!("; a visit is planned for {p}"),
                        None => "; no visit planned".to_owned(),
                    };
                    if as_of > d.due_by {
                        (
                            DeliveryStatus::Overdue { planned: plan },
                            format!(
                                "{label} {} of {n} was due by {}, which has passed ({as_of}), and only {} completed{planned_words}",
                                i + 1,
                                d.due_by,
                                completed.len()
                            ),
                        )
                    } else {
                        (
                            DeliveryStatus::Pending { planned: plan },
                            format!(
                                "{label} {} of {n} is due by {}{planned_words}",
                                i + 1,
                                d.due_by
                            ),
                        )
                    }
                }
            };
            lines.push(DeliveryLine {
                due: d.clone(),
                status,
                reason,
            });
        }
    }
    DeliveryReport { as_of, lines }
}
