//! The content of a note of visit (rule 4) and its validation.
//!
//! Seed 003 (Barnet), Part B: "Following each School Effectiveness Visit the
//! LNI/BSIP will make a judgement of the effectiveness of the school on each
//! area of focus, judging each area to be either Emerging, Secure or Highly
//! Effective. ... Where the LNI does not agree the grades in the self
//! evaluation this will be made clear to the headteacher and recorded in the
//! note of visit."
//!
//! [`NoteOfVisitForm`] is what a form posts (strings); [`NoteOfVisitForm::validate`]
//! turns it into a [`NoteOfVisit`] or every [`FieldError`] at once.

use super::FieldError;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The judgement scale of seed 003, least to most effective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Judgement {
    /// Emerging.
    Emerging,
    /// Secure.
    Secure,
    /// Highly Effective.
    HighlyEffective,
}

impl Judgement {
    /// The scale in order.
    pub const SCALE: [Judgement; 3] = [
        Judgement::Emerging,
        Judgement::Secure,
        Judgement::HighlyEffective,
    ];

    /// The words on screen.
    pub fn label(self) -> &'static str {
        match self {
            Judgement::Emerging => "Emerging",
            Judgement::Secure => "Secure",
            Judgement::HighlyEffective => "Highly Effective",
        }
    }

    /// Parses the label or the snake-case key, ignoring case and spaces.
    pub fn parse(text: &str) -> Option<Judgement> {
        let key: String = text
            .trim()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match key.as_str() {
            "emerging" => Some(Judgement::Emerging),
            "secure" => Some(Judgement::Secure),
            "highlyeffective" => Some(Judgement::HighlyEffective),
            _ => None,
        }
    }
}

impl fmt::Display for Judgement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One area of focus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FocusArea {
    /// The area, e.g. "Quality of education: reading".
    pub title: String,
    /// What the adviser saw.
    pub commentary: String,
    /// The adviser's judgement.
    pub adviser_judgement: Judgement,
    /// The school's own grade from its self-evaluation, when it gave one.
    pub school_grade: Option<Judgement>,
    /// When the two differ: how the disagreement was made clear and recorded.
    pub disagreement_note: Option<String>,
}

impl FocusArea {
    /// Whether the adviser does not agree the school's grade.
    pub fn disagrees(&self) -> bool {
        self.school_grade
            .is_some_and(|g| g != self.adviser_judgement)
    }
}

/// An agreed action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreedAction {
    /// What will be done.
    pub action: String,
    /// Who owns it (school, LA, adviser, brokered partner, a named person).
    pub owner: String,
    /// By when.
    pub due: Date,
}

/// The next visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextVisit {
    /// When, if agreed.
    pub date: Option<Date>,
    /// Its focus.
    pub focus: String,
}

/// A disagreement between the adviser's judgement and the school's grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disagreement {
    /// Index of the focus area.
    pub index: usize,
    /// Its title.
    pub title: String,
    /// The adviser's judgement.
    pub adviser: Judgement,
    /// The school's grade.
    pub school: Judgement,
    /// What was recorded.
    pub note: String,
    /// In words, with the seed.
    pub reason: String,
}

/// A validated note of visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteOfVisit {
    /// Areas of focus, at least one.
    pub focus_areas: Vec<FocusArea>,
    /// Strengths.
    pub strengths: Vec<String>,
    /// Areas for development.
    pub areas_for_development: Vec<String>,
    /// Agreed actions.
    pub agreed_actions: Vec<AgreedAction>,
    /// The next visit.
    pub next_visit: Option<NextVisit>,
}

impl NoteOfVisit {
    /// Every focus area where the adviser does not agree the school's grade.
    pub fn disagreements(&self) -> Vec<Disagreement> {
        self.focus_areas
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let school = f.school_grade?;
                (school != f.adviser_judgement).then(|| Disagreement {
                    index: i,
                    title: f.title.clone(),
                    adviser: f.adviser_judgement,
                    school,
                    note: f.disagreement_note.clone().unwrap_or_default(),
                    reason: format!(
                        "'{}': the school graded itself {school}, the adviser judged {}; seed 003: \"Where the LNI does not agree the grades in the self evaluation this will be made clear to the headteacher and recorded in the note of visit.\"",
                        f.title, f.adviser_judgement
                    ),
                })
            })
            .collect()
    }
}

/// A focus area as posted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FocusAreaForm {
    /// Title.
    pub title: String,
    /// Commentary.
    pub commentary: String,
    /// Adviser's judgement.
    pub adviser_judgement: String,
    /// School's grade (empty when none).
    pub school_grade: String,
    /// Disagreement note.
    pub disagreement_note: String,
}

/// An agreed action as posted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreedActionForm {
    /// Action.
    pub action: String,
    /// Owner.
    pub owner: String,
    /// Due date, `YYYY-MM-DD`.
    pub due: String,
}

/// A note of visit as posted by a form or the API.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteOfVisitForm {
    /// Focus areas.
    pub focus_areas: Vec<FocusAreaForm>,
    /// Strengths, one per entry (blank entries are ignored).
    pub strengths: Vec<String>,
    /// Areas for development.
    pub areas_for_development: Vec<String>,
    /// Agreed actions.
    pub agreed_actions: Vec<AgreedActionForm>,
    /// Next visit date, `YYYY-MM-DD` or empty.
    pub next_visit_date: String,
    /// Next visit focus.
    pub next_visit_focus: String,
}

fn parse_date(s: &str) -> Option<Date> {
    s.trim().parse::<Date>().ok()
}

const SCALE_MESSAGE: &str = "must be one of Emerging, Secure or Highly Effective";

impl NoteOfVisitForm {
    /// Validates the note. `visit_date` is the day of the visit: agreed
    /// actions and the next visit may not be dated before it.
    pub fn validate(&self, visit_date: Date) -> Result<NoteOfVisit, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.focus_areas.is_empty() {
            errors.push(FieldError::new(
                "focus_areas",
                "Add at least one area of focus",
            ));
        }
        let mut focus_areas = Vec::new();
        for (i, f) in self.focus_areas.iter().enumerate() {
            let path = |name: &str| format!("focus_areas[{i}].{name}");
            let n = i + 1;
            if f.title.trim().is_empty() {
                errors.push(FieldError::new(
                    path("title"),
                    format!("Enter the title of area of focus {n}"),
                ));
            }
            let adviser = match f.adviser_judgement.trim() {
                "" => {
                    errors.push(FieldError::new(
                        path("adviser_judgement"),
                        format!("Select the adviser's judgement for area of focus {n}"),
                    ));
                    None
                }
                s => match Judgement::parse(s) {
                    Some(j) => Some(j),
                    None => {
                        errors.push(FieldError::new(
                            path("adviser_judgement"),
                            format!(
                                "The adviser's judgement for area of focus {n} {SCALE_MESSAGE}"
                            ),
                        ));
                        None
                    }
                },
            };
            let school = match f.school_grade.trim() {
                "" => None,
                s => match Judgement::parse(s) {
                    Some(j) => Some(j),
                    None => {
                        errors.push(FieldError::new(
                            path("school_grade"),
                            format!("The school's own grade for area of focus {n} {SCALE_MESSAGE}"),
                        ));
                        None
                    }
                },
            };
            let note = f.disagreement_note.trim();
            if let (Some(a), Some(s)) = (adviser, school) {
                if a != s && note.is_empty() {
                    errors.push(FieldError::new(
                        path("disagreement_note"),
                        format!("The school graded area of focus {n} {s} and you judged it {a}: record the disagreement"),
                    ));
                }
            }
            if let Some(a) = adviser {
                focus_areas.push(FocusArea {
                    title: f.title.trim().to_owned(),
                    commentary: f.commentary.trim().to_owned(),
                    adviser_judgement: a,
                    school_grade: school,
                    disagreement_note: (!note.is_empty()).then(|| note.to_owned()),
                });
            }
        }
        let mut agreed_actions = Vec::new();
        for (i, a) in self.agreed_actions.iter().enumerate() {
            let path = |name: &str| format!("agreed_actions[{i}].{name}");
            let n = i + 1;
            if a.action.trim().is_empty() && a.owner.trim().is_empty() && a.due.trim().is_empty() {
                continue; // a blank row of the form
            }
            if a.action.trim().is_empty() {
                errors.push(FieldError::new(
                    path("action"),
                    format!("Enter agreed action {n}"),
                ));
            }
            if a.owner.trim().is_empty() {
                errors.push(FieldError::new(
                    path("owner"),
                    format!("Enter who owns agreed action {n}"),
                ));
            }
            let due = match a.due.trim() {
                "" => {
                    errors.push(FieldError::new(
                        path("due"),
                        format!("Enter the date agreed action {n} is due"),
                    ));
                    None
                }
                s => match parse_date(s) {
                    None => {
                        errors.push(FieldError::new(
                            path("due"),
                            format!("The date agreed action {n} is due must be a real date"),
                        ));
                        None
                    }
                    Some(d) if d < visit_date => {
                        errors.push(FieldError::new(
                            path("due"),
                            format!("The date agreed action {n} is due must be on or after the visit ({visit_date})"),
                        ));
                        None
                    }
                    Some(d) => Some(d),
                },
            };
            if let Some(due) = due {
                agreed_actions.push(AgreedAction {
                    action: a.action.trim().to_owned(),
                    owner: a.owner.trim().to_owned(),
                    due,
                });
            }
        }
        let next_date = match self.next_visit_date.trim() {
            "" => None,
            s => {
                match parse_date(s) {
                    None => {
                        errors.push(FieldError::new(
                            "next_visit_date",
                            "The date of the next visit must be a real date",
                        ));
                        None
                    }
                    Some(d) if d <= visit_date => {
                        errors.push(FieldError::new(
                        "next_visit_date",
                        format!("The date of the next visit must be after this visit ({visit_date})"),
                    ));
                        None
                    }
                    Some(d) => Some(d),
                }
            }
        };
        let next_focus = self.next_visit_focus.trim();
        if next_date.is_some() && next_focus.is_empty() {
            errors.push(FieldError::new(
                "next_visit_focus",
                "Enter the focus of the next visit",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let list = |v: &[String]| -> Vec<String> {
            v.iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        };
        Ok(NoteOfVisit {
            focus_areas,
            strengths: list(&self.strengths),
            areas_for_development: list(&self.areas_for_development),
            agreed_actions,
            next_visit: (next_date.is_some() || !next_focus.is_empty()).then(|| NextVisit {
                date: next_date,
                focus: next_focus.to_owned(),
            }),
        })
    }
}
