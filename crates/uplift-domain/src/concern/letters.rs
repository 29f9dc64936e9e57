//! Letter templates: a tiny placeholder language and a fixed catalogue of
//! placeholders per letter kind.
//!
//! A template is plain text with placeholders `{{name}}` (spaces inside the
//! braces are allowed: `{{ school.name }}`). Names are dotted lower-case
//! words. Parsing refuses, with the line and column (both from 1) of the
//! opening braces, a placeholder the letter kind does not offer, a malformed
//! or unterminated one, and a template missing a placeholder the kind
//! requires (a warning notice must state its compliance end date). Rendering
//! is a pure function from a context of values.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The kinds of letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LetterKind {
    /// The school is a priority (causing concern), with the rationale.
    PriorityDecision,
    /// The school is not a priority this year.
    NotAPriority,
    /// Removal from the list.
    Removal,
    /// Letter of concern.
    LetterOfConcern,
    /// Formal warning notice (s60 / s60A).
    WarningNotice,
    /// Written notice of proposed intervention (s59, Part 4 powers).
    NoticeOfProposedIntervention,
    /// Academy: concern to the trust.
    AcademyConcernToTrust,
    /// Academy: concern to the DfE regional director.
    AcademyConcernToRegionalDirector,
}

impl LetterKind {
    /// Every kind.
    pub const ALL: [LetterKind; 8] = [
        Self::PriorityDecision,
        Self::NotAPriority,
        Self::Removal,
        Self::LetterOfConcern,
        Self::WarningNotice,
        Self::NoticeOfProposedIntervention,
        Self::AcademyConcernToTrust,
        Self::AcademyConcernToRegionalDirector,
    ];

    /// The file-name stem, e.g. `warning_notice`.
    pub fn slug(self) -> &'static str {
        match self {
            Self::PriorityDecision => "priority_decision",
            Self::NotAPriority => "not_a_priority",
            Self::Removal => "removal",
            Self::LetterOfConcern => "letter_of_concern",
            Self::WarningNotice => "warning_notice",
            Self::NoticeOfProposedIntervention => "notice_of_proposed_intervention",
            Self::AcademyConcernToTrust => "academy_concern_to_trust",
            Self::AcademyConcernToRegionalDirector => "academy_concern_to_regional_director",
        }
    }

    /// The shipped template text.
    pub fn default_text(self) -> &'static str {
        match self {
            Self::PriorityDecision => include_str!("../../letters/priority_decision.txt"),
            Self::NotAPriority => include_str!("../../letters/not_a_priority.txt"),
            Self::Removal => include_str!("../../letters/removal.txt"),
            Self::LetterOfConcern => include_str!("../../letters/letter_of_concern.txt"),
            Self::WarningNotice => include_str!("../../letters/warning_notice.txt"),
            Self::NoticeOfProposedIntervention => {
                include_str!("../../letters/notice_of_proposed_intervention.txt")
            }
            Self::AcademyConcernToTrust => {
                include_str!("../../letters/academy_concern_to_trust.txt")
            }
            Self::AcademyConcernToRegionalDirector => {
                include_str!("../../letters/academy_concern_to_regional_director.txt")
            }
        }
    }

    /// The placeholders this kind offers, with what each holds.
    pub fn placeholders(self) -> Vec<(&'static str, &'static str)> {
        let mut out = COMMON.to_vec();
        let extra: &[(&str, &str)] = match self {
            Self::PriorityDecision => &[
                ("decision.date", "the date of the decision"),
                ("decision.rationale", "why the school is a priority"),
                ("decision.triggers", "the triggers that applied"),
                ("lead_officer.name", "the Lead Officer"),
                ("meeting.name", "the meeting that decided"),
            ],
            Self::NotAPriority => &[
                ("decision.date", "the date of the decision"),
                ("decision.rationale", "why the school is not a priority"),
            ],
            Self::Removal => &[
                ("decision.date", "the date of the decision"),
                ("decision.rationale", "why the school is removed"),
                ("inspection.summary", "the inspection that allowed removal"),
            ],
            Self::LetterOfConcern => &[
                ("decision.date", "the date of the decision"),
                ("decision.rationale", "why the letter is sent"),
                ("concerns", "the concerns"),
                ("required_action", "what the school must do"),
                ("response_date", "the date to respond by"),
                ("lead_officer.name", "the Lead Officer"),
            ],
            Self::WarningNotice => &[
                ("notice.issue_date", "the date the notice is given"),
                ("notice.section", "s60 or s60A"),
                ("notice.grounds", "the statutory grounds, cited"),
                ("notice.concerns", "the concerns"),
                ("notice.required_action", "the action required"),
                (
                    "notice.compliance_period",
                    "the compliance period in working days",
                ),
                (
                    "notice.compliance_end_date",
                    "the last day of the compliance period",
                ),
            ],
            Self::NoticeOfProposedIntervention => &[
                ("notice.issue_date", "the date the warning notice was given"),
                (
                    "notice.compliance_end_date",
                    "the last day of its compliance period",
                ),
                ("intervention.date", "the date of this notice"),
                (
                    "intervention.reason",
                    "why the authority proposes to intervene",
                ),
                ("intervention.powers", "the powers proposed, cited"),
            ],
            Self::AcademyConcernToTrust => &[
                ("trust.name", "the academy trust"),
                ("trust.ceo.name", "the trust's chief executive"),
                ("concerns", "the concerns"),
                ("recommended_action", "the authority's recommended actions"),
                ("response_date", "the date to respond by"),
            ],
            Self::AcademyConcernToRegionalDirector => &[
                ("trust.name", "the academy trust"),
                ("regional_director.name", "the DfE regional director"),
                ("region.name", "the DfE region"),
                ("concerns", "the concerns"),
                (
                    "engagement",
                    "the attempts made to agree action with the trust",
                ),
                (
                    "trust.informed_date",
                    "when the trust was told of this letter",
                ),
            ],
        };
        out.extend_from_slice(extra);
        out
    }

    /// Placeholders a template of this kind must contain.
    pub fn required(self) -> &'static [&'static str] {
        match self {
            Self::PriorityDecision | Self::NotAPriority | Self::Removal => &["decision.rationale"],
            Self::LetterOfConcern => &["concerns"],
            Self::WarningNotice => &[
                "notice.grounds",
                "notice.concerns",
                "notice.required_action",
                "notice.compliance_end_date",
            ],
            Self::NoticeOfProposedIntervention => &["intervention.powers"],
            Self::AcademyConcernToTrust => &["concerns"],
            Self::AcademyConcernToRegionalDirector => &["concerns", "engagement"],
        }
    }
}

const COMMON: &[(&str, &str)] = &[
    ("authority.name", "the council"),
    ("letter.date", "the date of the letter"),
    ("school.name", "the school"),
    ("school.urn", "the school's URN"),
    ("headteacher.name", "the headteacher"),
    ("chair.name", "the chair of governors"),
    ("signatory.name", "who signs the letter"),
    ("signatory.role", "their role"),
];

/// Why a template was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum TemplateError {
    /// A placeholder the kind does not offer.
    #[error(
        "line {line}, column {column}: unknown placeholder {{{{{name}}}}} for a {kind:?} letter"
    )]
    UnknownPlaceholder {
        /// The name.
        name: String,
        /// Line, from 1.
        line: usize,
        /// Column, from 1 (characters).
        column: usize,
        /// The letter kind.
        kind: LetterKind,
    },
    /// `{{` without `}}`.
    #[error("line {line}, column {column}: \"{{{{\" is not closed by \"}}}}\"")]
    Unterminated {
        /// Line.
        line: usize,
        /// Column.
        column: usize,
    },
    /// Not a dotted lower-case name.
    #[error("line {line}, column {column}: \"{text}\" is not a placeholder name (lower-case words joined by dots)")]
    BadName {
        /// The text between the braces.
        text: String,
        /// Line.
        line: usize,
        /// Column.
        column: usize,
    },
    /// A required placeholder is absent.
    #[error("a {kind:?} letter must contain {{{{{name}}}}}")]
    MissingRequired {
        /// The name.
        name: String,
        /// The letter kind.
        kind: LetterKind,
    },
}

/// A piece of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "segment", rename_all = "snake_case")]
pub enum Segment {
    /// Literal text.
    Text {
        /// The text.
        text: String,
    },
    /// A placeholder.
    Placeholder {
        /// Its name.
        name: String,
        /// Line.
        line: usize,
        /// Column.
        column: usize,
    },
}

/// A checked template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    kind: LetterKind,
    segments: Vec<Segment>,
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
}

fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..offset].chars().count() + 1)
}

impl Template {
    /// Parses `text` for `kind`, returning every problem.
    pub fn parse(kind: LetterKind, text: &str) -> Result<Self, Vec<TemplateError>> {
        let known: Vec<&str> = kind.placeholders().iter().map(|(n, _)| *n).collect();
        let mut errors = Vec::new();
        let mut segments = Vec::new();
        let mut rest = 0;
        while let Some(found) = text[rest..].find("{{") {
            let open = rest + found;
            if open > rest {
                segments.push(Segment::Text {
                    text: text[rest..open].to_owned(),
                });
            }
            let (line, column) = position(text, open);
            let Some(close) = text[open + 2..].find("}}") else {
                errors.push(TemplateError::Unterminated { line, column });
                rest = text.len();
                break;
            };
            let inner = &text[open + 2..open + 2 + close];
            let name = inner.trim();
            if inner.contains("{{") || inner.contains('\n') {
                errors.push(TemplateError::Unterminated { line, column });
            } else if !valid_name(name) {
                errors.push(TemplateError::BadName {
                    text: inner.to_owned(),
                    line,
                    column,
                });
            } else if !known.contains(&name) {
                errors.push(TemplateError::UnknownPlaceholder {
                    name: name.to_owned(),
                    line,
                    column,
                    kind,
                });
            } else {
                segments.push(Segment::Placeholder {
                    name: name.to_owned(),
                    line,
                    column,
                });
            }
            rest = open + 2 + close + 2;
        }
        if rest < text.len() {
            segments.push(Segment::Text {
                text: text[rest..].to_owned(),
            });
        }
        for required in kind.required() {
            let present = segments
                .iter()
                .any(|s| matches!(s, Segment::Placeholder { name, .. } if name == required));
            if !present {
                errors.push(TemplateError::MissingRequired {
                    name: (*required).to_owned(),
                    kind,
                });
            }
        }
        if errors.is_empty() {
            Ok(Self { kind, segments })
        } else {
            Err(errors)
        }
    }

    /// The shipped template of `kind`.
    pub fn default_for(kind: LetterKind) -> Result<Self, Vec<TemplateError>> {
        Self::parse(kind, kind.default_text())
    }

    /// The kind.
    pub fn kind(&self) -> LetterKind {
        self.kind
    }

    /// The segments.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The placeholders used, in order of first use.
    pub fn used(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for s in &self.segments {
            if let Segment::Placeholder { name, .. } = s {
                if !out.contains(&name.as_str()) {
                    out.push(name);
                }
            }
        }
        out
    }

    /// Renders with `context`; refuses, naming them, when values are missing.
    pub fn render(&self, context: &LetterContext) -> Result<String, RenderError> {
        let missing: Vec<String> = self
            .used()
            .into_iter()
            .filter(|n| !context.values.contains_key(*n))
            .map(str::to_owned)
            .collect();
        if !missing.is_empty() {
            return Err(RenderError { missing });
        }
        let mut out = String::new();
        for s in &self.segments {
            match s {
                Segment::Text { text } => out.push_str(text),
                Segment::Placeholder { name, .. } => {
                    if let Some(v) = context.values.get(name) {
                        out.push_str(v);
                    }
                }
            }
        }
        Ok(out)
    }
}

/// Values missing from a context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("no value for {}", missing.join(", "))]
pub struct RenderError {
    /// The placeholders without a value.
    pub missing: Vec<String>,
}

/// The values a letter is rendered with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterContext {
    values: BTreeMap<String, String>,
}

impl LetterContext {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a value (builder style).
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.values.insert(name.to_owned(), value.into());
        self
    }

    /// Sets a value.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.values.insert(name.to_owned(), value.into());
    }

    /// The values of a warning notice: issue date, section, grounds (cited),
    /// concerns, required action, compliance period and end date.
    pub fn with_notice(self, notice: &super::escalation::WarningNotice) -> Self {
        let bullets = |v: &[String]| -> String {
            v.iter()
                .map(|s| format!("- {s}"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let grounds: Vec<String> = notice
            .grounds
            .iter()
            .map(|g| format!("{}: {}", g.citation(), g.description()))
            .collect();
        self.with("notice.issue_date", long_date(notice.issued))
            .with(
                "notice.section",
                match notice.section {
                    crate::policy::WarningNoticeSection::S60 => "section 60",
                    crate::policy::WarningNoticeSection::S60A => "section 60A",
                },
            )
            .with("notice.grounds", bullets(&grounds))
            .with("notice.concerns", bullets(&notice.concerns))
            .with("notice.required_action", bullets(&notice.required_action))
            .with(
                "notice.compliance_period",
                notice.compliance_period.working_days().to_string(),
            )
            .with(
                "notice.compliance_end_date",
                long_date(notice.compliance_end_date),
            )
    }
}

/// A date in a letter's words: "Wednesday 13 January 2027".
pub fn long_date(date: jiff::civil::Date) -> String {
    date.strftime("%A %-d %B %Y").to_string()
}
