//! The plan editor: a multi-row form of priorities and actions, read into
//! a plan's content.

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------------------
// The editor

/// The raw rows of the plan editor, as typed.
#[derive(Debug, Clone, Default)]
pub struct Editor {
    pub priorities: Vec<(String, String)>,
    pub actions: Vec<ActionRow>,
    pub cadence: String,
}

#[derive(Debug, Clone, Default)]
pub struct ActionRow {
    pub priority: String,
    pub description: String,
    pub owner: String,
    pub owner_name: String,
    pub milestones: String,
    pub criteria: String,
    pub evidence: String,
    pub rag: String,
}

pub(super) const MAX_ROWS: usize = 40;

impl Editor {
    /// A blank editor: three priorities, six actions.
    pub fn blank() -> Editor {
        Editor {
            priorities: vec![Default::default(); 3],
            actions: vec![Default::default(); 6],
            cadence: "half_termly".into(),
        }
    }

    /// An editor holding a version's content, with a blank row of each kind to add.
    pub fn from_content(c: &PlanContent) -> Editor {
        let mut e = Editor {
            priorities: Vec::new(),
            actions: Vec::new(),
            cadence: match c.review_cadence {
                ReviewCadence::Termly => "termly".into(),
                ReviewCadence::HalfTermly => "half_termly".into(),
            },
        };
        for (i, p) in c.priorities.iter().enumerate() {
            e.priorities
                .push((p.title.clone(), p.success_criteria.join("\n")));
            for a in &p.actions {
                e.actions.push(ActionRow {
                    priority: (i + 1).to_string(),
                    description: a.description.clone(),
                    owner: owner_value(a.owner).into(),
                    owner_name: a.owner_name.clone().unwrap_or_default(),
                    milestones: a
                        .milestones
                        .iter()
                        .map(|m| format!("{}: {}", m.due, m.description))
                        .collect::<Vec<_>>()
                        .join("\n"),
                    criteria: a.success_criteria.join("\n"),
                    evidence: a.evidence.join("\n"),
                    rag: a.rag.as_str().into(),
                });
            }
        }
        e.priorities.push(Default::default());
        e.actions.push(Default::default());
        e
    }

    /// The editor's rows from a form (`np` priorities, `na` actions), plus
    /// one more of each kind the "add another" button asked for.
    pub fn from_form(fields: &[(String, String)]) -> Editor {
        let np = field(fields, "np")
            .parse::<usize>()
            .unwrap_or(3)
            .clamp(1, MAX_ROWS);
        let na = field(fields, "na")
            .parse::<usize>()
            .unwrap_or(6)
            .clamp(1, MAX_ROWS);
        let mut e = Editor {
            priorities: (1..=np)
                .map(|i| {
                    (
                        field(fields, &format!("p{i}_title")).to_string(),
                        field(fields, &format!("p{i}_criteria")).to_string(),
                    )
                })
                .collect(),
            actions: (1..=na)
                .map(|j| {
                    let f = |n: &str| field(fields, &format!("a{j}_{n}")).to_string();
                    ActionRow {
                        priority: f("priority"),
                        description: f("description"),
                        owner: f("owner"),
                        owner_name: f("owner_name"),
                        milestones: f("milestones"),
                        criteria: f("criteria"),
                        evidence: f("evidence"),
                        rag: f("rag"),
                    }
                })
                .collect(),
            cadence: field(fields, "cadence").to_string(),
        };
        match field(fields, "add") {
            "priority" if e.priorities.len() < MAX_ROWS => e.priorities.push(Default::default()),
            "action" if e.actions.len() < MAX_ROWS => e.actions.push(Default::default()),
            _ => {}
        }
        e
    }

    /// The content the rows describe, or the errors (by field id).
    pub fn content(&self) -> Result<PlanContent, Vec<(String, String)>> {
        let mut errors: Vec<(String, String)> = Vec::new();
        let cadence = match self.cadence.as_str() {
            "termly" => Some(ReviewCadence::Termly),
            "half_termly" => Some(ReviewCadence::HalfTermly),
            _ => {
                errors.push((
                    "cadence".into(),
                    "Select how often the plan is reviewed".into(),
                ));
                None
            }
        };
        // Priority rows in use, by their row number.
        let mut priorities: Vec<(usize, Priority)> = Vec::new();
        for (i, (title, criteria)) in self.priorities.iter().enumerate() {
            let n = i + 1;
            if title.trim().is_empty() {
                if !criteria.trim().is_empty() {
                    errors.push((
                        format!("p{n}_title"),
                        format!("Enter the title of priority {n}, or clear its success criteria"),
                    ));
                }
                continue;
            }
            if title.trim().chars().count() > 500 {
                errors.push((
                    format!("p{n}_title"),
                    format!("The title of priority {n} must be 500 characters or fewer"),
                ));
            }
            priorities.push((
                n,
                Priority {
                    title: title.trim().to_string(),
                    success_criteria: lines(criteria),
                    actions: Vec::new(),
                },
            ));
        }
        for (j, a) in self.actions.iter().enumerate() {
            let n = j + 1;
            let used = [
                &a.description,
                &a.owner_name,
                &a.milestones,
                &a.criteria,
                &a.evidence,
            ]
            .iter()
            .any(|s| !s.trim().is_empty());
            if !used {
                continue;
            }
            if a.description.trim().is_empty() {
                errors.push((
                    format!("a{n}_description"),
                    format!("Enter what action {n} is, or clear its other fields"),
                ));
                continue;
            }
            let Some(owner) = OWNERS
                .iter()
                .find(|(v, _, _)| *v == a.owner.trim())
                .map(|(_, _, k)| *k)
            else {
                errors.push((format!("a{n}_owner"), format!("Select who owns action {n}")));
                continue;
            };
            let Some(rag) = parse_rag(&a.rag) else {
                errors.push((
                    format!("a{n}_rag"),
                    format!("Select the progress of action {n}"),
                ));
                continue;
            };
            let mut milestones = Vec::new();
            for (k, line) in lines(&a.milestones).iter().enumerate() {
                let parsed = line
                    .split_once(':')
                    .and_then(|(d, t)| Some((parse_date(d)?, t.trim())))
                    .filter(|(_, t)| !t.is_empty());
                match parsed {
                    Some((due, text)) => milestones.push(Milestone {
                        due,
                        description: text.to_string(),
                        met: None,
                    }),
                    None => {
                        errors.push((
                            format!("a{n}_milestones"),
                            format!(
                                "Line {} of the milestones of action {n} must be a date, a colon and what is due, for example 2027-02-12: half the pupils at the expected standard",
                                k + 1
                            ),
                        ));
                        break;
                    }
                }
            }
            let pnum = a.priority.trim().parse::<usize>().ok();
            let Some(target) = pnum.and_then(|p| priorities.iter_mut().find(|(n, _)| *n == p))
            else {
                errors.push((
                    format!("a{n}_priority"),
                    format!("Select a priority with a title for action {n}"),
                ));
                continue;
            };
            target.1.actions.push(PlanAction {
                description: a.description.trim().to_string(),
                owner,
                owner_name: Some(a.owner_name.trim().to_string()).filter(|s| !s.is_empty()),
                milestones,
                success_criteria: lines(&a.criteria),
                evidence: lines(&a.evidence),
                rag,
            });
        }
        if priorities.is_empty() && errors.is_empty() {
            errors.push((
                "p1_title".into(),
                "Enter at least one priority, with at least one action".into(),
            ));
        }
        for (n, p) in &priorities {
            if p.actions.is_empty() {
                errors.push((
                    format!("p{n}_title"),
                    format!(
                        "Priority {n} ({}) has no actions: add an action for it",
                        p.title
                    ),
                ));
            }
        }
        match (cadence, errors.is_empty()) {
            (Some(review_cadence), true) => Ok(PlanContent {
                priorities: priorities.into_iter().map(|(_, p)| p).collect(),
                review_cadence,
            }),
            _ => Err(errors),
        }
    }

    /// The editor for the template.
    pub fn view(&self, errors: &[(String, String)]) -> Value {
        let e = |f: String| errors.iter().find(|(k, _)| *k == f).map(|(_, v)| v.clone());
        let priority_options: Vec<Value> =
            std::iter::once(context! { value => "", text => "Select a priority" })
                .chain((1..=self.priorities.len()).map(|i| {
                    let title = &self.priorities[i - 1].0;
                    let text = if title.trim().is_empty() {
                        format!("Priority {i}")
                    } else {
                        format!("Priority {i}: {}", title.trim())
                    };
                    context! { value => i.to_string(), text => text }
                }))
                .collect();
        let owners: Vec<Value> =
            std::iter::once(context! { value => "", text => "Select an owner" })
                .chain(
                    OWNERS
                        .iter()
                        .map(|(v, t, _)| context! { value => *v, text => *t }),
                )
                .collect();
        let rags: Vec<Value> = [
            ("grey", "Not yet judged"),
            ("red", "Red"),
            ("amber", "Amber"),
            ("green", "Green"),
        ]
        .iter()
        .map(|(v, t)| context! { value => *v, text => *t })
        .collect();
        context! {
            np => self.priorities.len(),
            na => self.actions.len(),
            cadence => self.cadence.clone(),
            cadence_error => e("cadence".into()),
            priorities => self.priorities.iter().enumerate().map(|(i, (t, c))| {
                let n = i + 1;
                context! { n => n, title => t.clone(), criteria => c.clone(), error_title => e(format!("p{n}_title")) }
            }).collect::<Vec<_>>(),
            actions => self.actions.iter().enumerate().map(|(j, a)| {
                let n = j + 1;
                context! {
                    n => n, priority => a.priority.clone(), description => a.description.clone(),
                    owner => a.owner.clone(), owner_name => a.owner_name.clone(), milestones => a.milestones.clone(),
                    criteria => a.criteria.clone(), evidence => a.evidence.clone(),
                    rag => if a.rag.is_empty() { "grey".to_string() } else { a.rag.clone() },
                    error_priority => e(format!("a{n}_priority")), error_description => e(format!("a{n}_description")),
                    error_owner => e(format!("a{n}_owner")), error_milestones => e(format!("a{n}_milestones")),
                    error_rag => e(format!("a{n}_rag")),
                }
            }).collect::<Vec<_>>(),
            priority_options => priority_options,
            owners => owners,
            rags => rags,
        }
    }
}

pub(super) fn errors_view(errors: &[(String, String)]) -> Vec<Value> {
    errors.iter().map(|(f, t)| err(f, t)).collect()
}
