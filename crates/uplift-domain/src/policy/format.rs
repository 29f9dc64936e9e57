//! The policy file (TOML) and its loader, which refuses a bad policy with the
//! line and column of every problem.

use super::condition::{parse_atom, Condition};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// RAG colour of a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rag {
    /// Red.
    Red,
    /// Amber.
    Amber,
    /// Green.
    Green,
    /// Grey (not rated).
    Grey,
}

impl Rag {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Red => "red",
            Self::Amber => "amber",
            Self::Green => "green",
            Self::Grey => "grey",
        }
    }
}

/// A named condition: a category rule, a causing-concern trigger, a removal block.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Id, unique within the policy.
    pub id: String,
    /// What it means, in the organisation's words.
    pub label: String,
    /// The passage of the source document it follows, if given.
    pub source: Option<String>,
    /// When it fires.
    pub condition: Condition,
}

/// A visit allowance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitAllowance {
    /// Number of visits per academic year, when the policy gives a number.
    pub count: Option<u32>,
    /// How the document describes it.
    pub note: Option<String>,
}

/// What a category (or an adjustment) gives a school.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Entitlement {
    /// Visits by type per academic year, e.g. `school_effectiveness`, `headline`, `new_to_headship`.
    pub visits: BTreeMap<String, VisitAllowance>,
    /// Funded support days by type per academic year, e.g. `sspc_able`, `sslc`.
    pub funded_days: BTreeMap<String, f64>,
    /// Review cadence, e.g. "half-termly".
    pub review: Option<String>,
    /// Other entitlements in words.
    pub notes: Vec<String>,
}

/// A category.
#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    /// Id, e.g. `4b`.
    pub id: String,
    /// Label, e.g. "4b Special measures".
    pub label: String,
    /// Description.
    pub description: String,
    /// RAG colour.
    pub rag: Rag,
    /// Whether the category means "causing concern" (on the list).
    pub causing_concern: bool,
    /// The rules that place a school here.
    pub rules: Vec<Rule>,
    /// Entitlements.
    pub entitlement: Entitlement,
}

/// How an adjustment changes the entitlement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustMode {
    /// Raise each listed allowance to at least this.
    Minimum,
    /// Add to each listed allowance.
    Add,
    /// Replace the visits and funded days with these.
    Set,
}

/// A change to the entitlement for schools in a circumstance (sixth form, PRU,
/// academy, new headteacher, ...). Applied in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Adjustment {
    /// Id.
    pub id: String,
    /// Label.
    pub label: String,
    /// How it changes the entitlement.
    pub mode: AdjustMode,
    /// Categories it applies to (all when empty).
    pub categories: Vec<String>,
    /// When it applies (always when `None`).
    pub condition: Option<Condition>,
    /// The change.
    pub entitlement: Entitlement,
}

/// Policy defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Defaults {
    /// An inspection is "expected soon" this many months after the last one.
    pub inspection_expected_after_months: u32,
    /// A headteacher is new for this many months.
    pub new_head_months: u32,
    /// Deadlines in working days by name, e.g. `warning_notice_compliance`.
    pub deadlines: BTreeMap<String, u32>,
}

impl Default for Defaults {
    fn default() -> Self {
        Self {
            inspection_expected_after_months: 36,
            new_head_months: 12,
            deadlines: BTreeMap::new(),
        }
    }
}

/// The report-card equivalents of "requires improvement" (latest) and "below
/// good" (previous) for the RISE "stuck" flag.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StuckConfig {
    /// Latest report card counts as "requires improvement".
    pub latest_report_card: Option<Condition>,
    /// Previous report card counts as "below good".
    pub previous_report_card: Option<Condition>,
}

/// A loaded policy. Immutable: load a new one to change it (and keep the old
/// one in force when loading fails).
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Short name, e.g. `la-differentiated`.
    pub name: String,
    /// Title.
    pub title: String,
    /// The document it follows.
    pub follows: String,
    /// Categories from least to most concerning; the first is the default.
    pub categories: Vec<Category>,
    /// Causing-concern triggers.
    pub triggers: Vec<Rule>,
    /// Conditions that block removal from the causing-concern list.
    pub removal_blocked_when: Vec<Rule>,
    /// Entitlement adjustments, in order.
    pub adjustments: Vec<Adjustment>,
    /// Defaults and deadlines.
    pub defaults: Defaults,
    /// Report-card equivalents for "stuck".
    pub stuck: StuckConfig,
}

/// What kind of problem a policy has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyErrorKind {
    /// Not valid TOML.
    Syntax,
    /// A fact name not in the catalogue.
    UnknownFact,
    /// A comparison between values of different types.
    Type,
    /// A category no rule can reach.
    Unreachable,
    /// A category rule that is not "at least this bad".
    NotMonotone,
    /// Anything else: missing or unknown keys, bad values, duplicates.
    Invalid,
}

impl PolicyErrorKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Syntax => "syntax error",
            Self::UnknownFact => "unknown fact",
            Self::Type => "type error",
            Self::Unreachable => "unreachable category",
            Self::NotMonotone => "not monotone",
            Self::Invalid => "invalid policy",
        }
    }
}

/// A problem in a policy file, at a line and column (both from 1; columns count characters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyError {
    /// The file or preset name given to [`Policy::parse`].
    pub file: String,
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
    /// Kind.
    pub kind: PolicyErrorKind,
    /// Message.
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.file,
            self.line,
            self.column,
            self.kind.as_str(),
            self.message
        )
    }
}

impl std::error::Error for PolicyError {}

/// Line and column (from 1, columns in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    (line, column)
}

struct Loader<'a> {
    file: &'a str,
    text: &'a str,
    errors: Vec<PolicyError>,
    /// Set while reading category rules, which must be "at least this bad".
    monotone_required: bool,
}

type Val<'i> = Spanned<DeValue<'i>>;

impl<'a> Loader<'a> {
    fn err(&mut self, offset: usize, kind: PolicyErrorKind, message: impl Into<String>) {
        let (line, column) = line_col(self.text, offset);
        self.errors.push(PolicyError {
            file: self.file.to_owned(),
            line,
            column,
            kind,
            message: message.into(),
        });
    }

    fn get<'t, 'i>(t: &'t DeTable<'i>, key: &str) -> Option<&'t Val<'i>> {
        t.iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(_, v)| v)
    }

    fn check_keys(&mut self, t: &DeTable<'_>, allowed: &[&str], what: &str) {
        for (k, _) in t.iter() {
            if !allowed.contains(&k.get_ref().as_ref()) {
                self.err(
                    k.span().start,
                    PolicyErrorKind::Invalid,
                    format!(
                        "unknown key '{}' in {what} (expected one of: {})",
                        k.get_ref(),
                        allowed.join(", ")
                    ),
                );
            }
        }
    }

    fn string(&mut self, t: &DeTable<'_>, key: &str, at: usize, required: bool) -> Option<String> {
        match Self::get(t, key) {
            Some(v) => match v.get_ref() {
                DeValue::String(s) => Some(s.to_string()),
                other => {
                    self.err(
                        v.span().start,
                        PolicyErrorKind::Invalid,
                        format!("'{key}' must be a string, not {}", other.type_str()),
                    );
                    None
                }
            },
            None => {
                if required {
                    self.err(at, PolicyErrorKind::Invalid, format!("missing '{key}'"));
                }
                None
            }
        }
    }

    fn uint(&mut self, v: &Val<'_>, what: &str) -> Option<u32> {
        match v.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) if (0..=u32::MAX as i64).contains(&n) => Some(n as u32),
                _ => {
                    self.err(
                        v.span().start,
                        PolicyErrorKind::Invalid,
                        format!("{what} must be a whole number from 0"),
                    );
                    None
                }
            },
            other => {
                self.err(
                    v.span().start,
                    PolicyErrorKind::Invalid,
                    format!("{what} must be a whole number, not {}", other.type_str()),
                );
                None
            }
        }
    }

    fn number(&mut self, v: &Val<'_>, what: &str) -> Option<f64> {
        match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(|n| n as f64),
            DeValue::Float(f) => f
                .as_str()
                .replace('_', "")
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite()),
            other => {
                self.err(
                    v.span().start,
                    PolicyErrorKind::Invalid,
                    format!("{what} must be a number, not {}", other.type_str()),
                );
                None
            }
        }
    }

    fn bool(&mut self, t: &DeTable<'_>, key: &str) -> bool {
        match Self::get(t, key) {
            Some(v) => match v.get_ref() {
                DeValue::Boolean(b) => *b,
                other => {
                    self.err(
                        v.span().start,
                        PolicyErrorKind::Invalid,
                        format!("'{key}' must be true or false, not {}", other.type_str()),
                    );
                    false
                }
            },
            None => false,
        }
    }

    /// The byte offset of the content of a string value (after its opening
    /// quote) when the source text equals the content, so positions inside the
    /// string map to the file.
    fn content_offset(&self, v: &Val<'_>, content: &str) -> Option<usize> {
        let span = v.span();
        let raw = self.text.get(span.clone())?;
        for q in ["\"\"\"", "'''", "\"", "'"] {
            if raw.starts_with(q) && raw.ends_with(q) && raw.len() >= 2 * q.len() {
                let inner = &raw[q.len()..raw.len() - q.len()];
                if inner == content {
                    return Some(span.start + q.len());
                }
            }
        }
        None
    }

    fn atom(&mut self, v: &Val<'_>, s: &str) -> Option<Condition> {
        match parse_atom(s) {
            Ok(a) => {
                if self.monotone_required {
                    if let Some(msg) = a.monotonicity_problem() {
                        let at = self.content_offset(v, s).unwrap_or(v.span().start)
                            + (s.len() - s.trim_start().len());
                        self.err(at, PolicyErrorKind::NotMonotone, msg);
                        return None;
                    }
                }
                Some(Condition::Atom(a))
            }
            Err(errs) => {
                let base = self.content_offset(v, s);
                for (off, kind, msg) in errs {
                    let at = base.map_or(v.span().start, |b| b + off);
                    self.err(at, kind, msg);
                }
                None
            }
        }
    }

    /// A condition: a string, or a table with exactly one of `all` / `any`.
    fn condition(&mut self, v: &Val<'_>) -> Option<Condition> {
        match v.get_ref() {
            DeValue::String(s) => self.atom(v, s),
            DeValue::Table(t) => self.group(t, v.span().start, "condition"),
            other => {
                self.err(
                    v.span().start,
                    PolicyErrorKind::Invalid,
                    format!("a condition is a string such as \"report_card.safeguarding == not_met\" or a table {{ any = [...] }}, not {}", other.type_str()),
                );
                None
            }
        }
    }

    /// `all = [...]` or `any = [...]` in a table that may have other keys.
    fn group(&mut self, t: &DeTable<'_>, at: usize, what: &str) -> Option<Condition> {
        let all = Self::get(t, "all");
        let any = Self::get(t, "any");
        let (list, is_all) = match (all, any) {
            (Some(a), None) => (a, true),
            (None, Some(a)) => (a, false),
            (Some(_), Some(b)) => {
                self.err(
                    b.span().start,
                    PolicyErrorKind::Invalid,
                    format!("a {what} has either 'all' or 'any', not both"),
                );
                return None;
            }
            (None, None) => {
                self.err(
                    at,
                    PolicyErrorKind::Invalid,
                    format!("a {what} needs 'all = [...]' or 'any = [...]'"),
                );
                return None;
            }
        };
        let DeValue::Array(items) = list.get_ref() else {
            self.err(
                list.span().start,
                PolicyErrorKind::Invalid,
                "'all' and 'any' take a list of conditions",
            );
            return None;
        };
        if items.is_empty() {
            self.err(
                list.span().start,
                PolicyErrorKind::Invalid,
                "an empty list of conditions",
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for item in items.iter() {
            match self.condition(item) {
                Some(c) => out.push(c),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        Some(if is_all {
            Condition::All(out)
        } else {
            Condition::Any(out)
        })
    }

    fn rule(&mut self, v: &Val<'_>, what: &str, extra_keys: &[&str]) -> Option<(Rule, usize)> {
        let DeValue::Table(t) = v.get_ref() else {
            self.err(
                v.span().start,
                PolicyErrorKind::Invalid,
                format!("a {what} is a table"),
            );
            return None;
        };
        let at = v.span().start;
        let mut keys = vec!["id", "label", "source", "all", "any"];
        keys.extend_from_slice(extra_keys);
        self.check_keys(t, &keys, what);
        let id = self.string(t, "id", at, true);
        let label = self.string(t, "label", at, false);
        let source = self.string(t, "source", at, false);
        let cond = self.group(t, at, what);
        let id_at = Self::get(t, "id").map_or(at, |x| x.span().start);
        let id = id?;
        Some((
            Rule {
                label: label.unwrap_or_else(|| id.clone()),
                id,
                source,
                condition: cond?,
            },
            id_at,
        ))
    }

    fn entitlement(&mut self, t: &DeTable<'_>) -> Entitlement {
        let mut e = Entitlement::default();
        if let Some(v) = Self::get(t, "visits") {
            match v.get_ref() {
                DeValue::Table(vt) => {
                    for (k, val) in vt.iter() {
                        let allowance = match val.get_ref() {
                            DeValue::Integer(_) => {
                                self.uint(val, "a visit count").map(|n| VisitAllowance {
                                    count: Some(n),
                                    note: None,
                                })
                            }
                            DeValue::Table(at) => {
                                self.check_keys(at, &["count", "note"], "a visit allowance");
                                let count = Self::get(at, "count")
                                    .and_then(|c| self.uint(c, "a visit count"));
                                let note = self.string(at, "note", val.span().start, false);
                                Some(VisitAllowance { count, note })
                            }
                            other => {
                                self.err(val.span().start, PolicyErrorKind::Invalid, format!("a visit allowance is a number or {{ count = .., note = \"..\" }}, not {}", other.type_str()));
                                None
                            }
                        };
                        if let Some(a) = allowance {
                            e.visits.insert(k.get_ref().to_string(), a);
                        }
                    }
                }
                other => self.err(
                    v.span().start,
                    PolicyErrorKind::Invalid,
                    format!("'visits' is a table, not {}", other.type_str()),
                ),
            }
        }
        if let Some(v) = Self::get(t, "funded_days") {
            match v.get_ref() {
                DeValue::Table(vt) => {
                    for (k, val) in vt.iter() {
                        if let Some(n) = self.number(val, "funded days") {
                            e.funded_days.insert(k.get_ref().to_string(), n);
                        }
                    }
                }
                other => self.err(
                    v.span().start,
                    PolicyErrorKind::Invalid,
                    format!("'funded_days' is a table, not {}", other.type_str()),
                ),
            }
        }
        e.review = self.string(t, "review", 0, false);
        if let Some(v) = Self::get(t, "notes") {
            match v.get_ref() {
                DeValue::Array(items) => {
                    for i in items.iter() {
                        match i.get_ref() {
                            DeValue::String(s) => e.notes.push(s.to_string()),
                            _ => self.err(
                                i.span().start,
                                PolicyErrorKind::Invalid,
                                "'notes' is a list of strings",
                            ),
                        }
                    }
                }
                _ => self.err(
                    v.span().start,
                    PolicyErrorKind::Invalid,
                    "'notes' is a list of strings",
                ),
            }
        }
        e
    }

    fn array_of_tables<'t, 'i>(&mut self, root: &'t DeTable<'i>, key: &str) -> Vec<&'t Val<'i>> {
        match Self::get(root, key) {
            None => vec![],
            Some(v) => match v.get_ref() {
                DeValue::Array(items) => items.iter().collect(),
                _ => {
                    self.err(
                        v.span().start,
                        PolicyErrorKind::Invalid,
                        format!("'{key}' is a list of tables: write [[{key}]]"),
                    );
                    vec![]
                }
            },
        }
    }

    fn load(&mut self, file_name: &str) -> Option<Policy> {
        let doc = match DeTable::parse(self.text) {
            Ok(d) => d,
            Err(e) => {
                let at = e.span().map_or(0, |s| s.start);
                let msg = e.message().trim().to_owned();
                self.err(at, PolicyErrorKind::Syntax, msg);
                return None;
            }
        };
        let root = doc.get_ref();
        self.check_keys(
            root,
            &[
                "policy",
                "defaults",
                "deadlines",
                "stuck",
                "category",
                "trigger",
                "removal",
                "adjustment",
            ],
            "the policy",
        );

        // [policy]
        let (mut name, mut title, mut follows) = (None, None, None);
        match Self::get(root, "policy") {
            Some(v) => match v.get_ref() {
                DeValue::Table(t) => {
                    self.check_keys(t, &["name", "title", "follows", "description"], "[policy]");
                    name = self.string(t, "name", v.span().start, false);
                    title = self.string(t, "title", v.span().start, true);
                    follows = self.string(t, "follows", v.span().start, true);
                }
                _ => self.err(
                    v.span().start,
                    PolicyErrorKind::Invalid,
                    "[policy] is a table",
                ),
            },
            None => self.err(
                0,
                PolicyErrorKind::Invalid,
                "missing the [policy] table (name, title, follows)",
            ),
        }

        // [defaults] and [deadlines]
        let mut defaults = Defaults::default();
        if let Some(v) = Self::get(root, "defaults") {
            if let DeValue::Table(t) = v.get_ref() {
                self.check_keys(
                    t,
                    &["inspection_expected_after_months", "new_head_months"],
                    "[defaults]",
                );
                if let Some(x) = Self::get(t, "inspection_expected_after_months") {
                    if let Some(n) = self.uint(x, "inspection_expected_after_months") {
                        defaults.inspection_expected_after_months = n;
                    }
                }
                if let Some(x) = Self::get(t, "new_head_months") {
                    if let Some(n) = self.uint(x, "new_head_months") {
                        defaults.new_head_months = n;
                    }
                }
            } else {
                self.err(
                    v.span().start,
                    PolicyErrorKind::Invalid,
                    "[defaults] is a table",
                );
            }
        }
        if let Some(v) = Self::get(root, "deadlines") {
            if let DeValue::Table(t) = v.get_ref() {
                for (k, x) in t.iter() {
                    if let Some(n) = self.uint(x, "a deadline in working days") {
                        defaults.deadlines.insert(k.get_ref().to_string(), n);
                    }
                }
            } else {
                self.err(
                    v.span().start,
                    PolicyErrorKind::Invalid,
                    "[deadlines] is a table of working days",
                );
            }
        }

        // [stuck]
        let mut stuck = StuckConfig::default();
        if let Some(v) = Self::get(root, "stuck") {
            if let DeValue::Table(t) = v.get_ref() {
                self.check_keys(
                    t,
                    &["latest_report_card", "previous_report_card", "note"],
                    "[stuck]",
                );
                if let Some(x) = Self::get(t, "latest_report_card") {
                    stuck.latest_report_card = self.condition(x);
                }
                if let Some(x) = Self::get(t, "previous_report_card") {
                    stuck.previous_report_card = self.condition(x);
                }
            } else {
                self.err(
                    v.span().start,
                    PolicyErrorKind::Invalid,
                    "[stuck] is a table",
                );
            }
        }

        let mut ids: BTreeMap<String, usize> = BTreeMap::new();
        let mut check_id = |me: &mut Self, id: &str, at: usize| {
            if ids.insert(id.to_owned(), at).is_some() {
                me.err(at, PolicyErrorKind::Invalid, format!("duplicate id '{id}'"));
            }
        };

        // [[category]]
        let mut categories = Vec::new();
        let cat_vals = self.array_of_tables(root, "category");
        if cat_vals.is_empty() {
            self.err(
                0,
                PolicyErrorKind::Invalid,
                "a policy needs at least one [[category]]; the first is the default",
            );
        }
        for (ci, cv) in cat_vals.iter().enumerate() {
            let DeValue::Table(t) = cv.get_ref() else {
                self.err(
                    cv.span().start,
                    PolicyErrorKind::Invalid,
                    "a [[category]] is a table",
                );
                continue;
            };
            let at = cv.span().start;
            self.check_keys(
                t,
                &[
                    "id",
                    "label",
                    "description",
                    "rag",
                    "causing_concern",
                    "rule",
                    "visits",
                    "funded_days",
                    "review",
                    "notes",
                ],
                "a [[category]]",
            );
            let id = self.string(t, "id", at, true);
            let id_at = Self::get(t, "id").map_or(at, |x| x.span().start);
            if let Some(id) = &id {
                check_id(self, id, id_at);
            }
            let label = self.string(t, "label", at, true);
            let description = self.string(t, "description", at, false).unwrap_or_default();
            let rag = match Self::get(t, "rag") {
                Some(v) => match v.get_ref() {
                    DeValue::String(s) => match s.as_ref() {
                        "red" => Some(Rag::Red),
                        "amber" => Some(Rag::Amber),
                        "green" => Some(Rag::Green),
                        "grey" | "gray" => Some(Rag::Grey),
                        other => {
                            self.err(
                                v.span().start,
                                PolicyErrorKind::Invalid,
                                format!("rag '{other}' is not red, amber, green or grey"),
                            );
                            None
                        }
                    },
                    _ => {
                        self.err(
                            v.span().start,
                            PolicyErrorKind::Invalid,
                            "rag is red, amber, green or grey",
                        );
                        None
                    }
                },
                None => {
                    self.err(
                        at,
                        PolicyErrorKind::Invalid,
                        "missing 'rag' (red, amber, green or grey)",
                    );
                    None
                }
            };
            let causing_concern = self.bool(t, "causing_concern");
            let mut rules = Vec::new();
            let rule_vals = self.array_of_tables(t, "rule");
            self.monotone_required = true;
            for rv in &rule_vals {
                if let Some((r, rat)) = self.rule(rv, "[[category.rule]]", &[]) {
                    check_id(self, &r.id, rat);
                    rules.push(r);
                }
            }
            self.monotone_required = false;
            let entitlement = self.entitlement(t);
            if ci > 0 && rule_vals.is_empty() {
                self.err(
                    id_at,
                    PolicyErrorKind::Unreachable,
                    format!(
                        "category '{}' has no rule, so no school can reach it (only the first, least concerning category is the default)",
                        id.as_deref().unwrap_or("?")
                    ),
                );
            } else if ci > 0
                && !rules.is_empty()
                && rules.len() == rule_vals.len()
                && !rules.iter().any(|r| r.condition.satisfiable())
            {
                self.err(
                    id_at,
                    PolicyErrorKind::Unreachable,
                    format!(
                        "category '{}' cannot be reached: none of its rules can ever be met (a grade beyond its scale, or contradictory conditions)",
                        id.as_deref().unwrap_or("?")
                    ),
                );
            }
            if let (Some(id), Some(label), Some(rag)) = (id, label, rag) {
                categories.push(Category {
                    id,
                    label,
                    description,
                    rag,
                    causing_concern,
                    rules,
                    entitlement,
                });
            }
        }

        // [[trigger]]
        let mut triggers = Vec::new();
        for tv in self.array_of_tables(root, "trigger") {
            if let Some((r, rat)) = self.rule(tv, "[[trigger]]", &[]) {
                check_id(self, &r.id, rat);
                triggers.push(r);
            }
        }

        // [removal]
        let mut removal_blocked_when = Vec::new();
        if let Some(v) = Self::get(root, "removal") {
            if let DeValue::Table(t) = v.get_ref() {
                self.check_keys(t, &["blocked_when"], "[removal]");
                match Self::get(t, "blocked_when") {
                    Some(bv) => match bv.get_ref() {
                        DeValue::Array(items) => {
                            for item in items.iter() {
                                if let Some((r, rat)) =
                                    self.rule(item, "[[removal.blocked_when]]", &[])
                                {
                                    check_id(self, &r.id, rat);
                                    removal_blocked_when.push(r);
                                }
                            }
                        }
                        _ => self.err(
                            bv.span().start,
                            PolicyErrorKind::Invalid,
                            "write [[removal.blocked_when]] tables",
                        ),
                    },
                    None => self.err(
                        v.span().start,
                        PolicyErrorKind::Invalid,
                        "[removal] needs [[removal.blocked_when]] rules",
                    ),
                }
            } else {
                self.err(
                    v.span().start,
                    PolicyErrorKind::Invalid,
                    "[removal] is a table",
                );
            }
        }

        // [[adjustment]]
        let mut adjustments = Vec::new();
        let cat_ids: Vec<String> = categories.iter().map(|c| c.id.clone()).collect();
        for av in self.array_of_tables(root, "adjustment") {
            let DeValue::Table(t) = av.get_ref() else {
                self.err(
                    av.span().start,
                    PolicyErrorKind::Invalid,
                    "an [[adjustment]] is a table",
                );
                continue;
            };
            let at = av.span().start;
            self.check_keys(
                t,
                &[
                    "id",
                    "label",
                    "mode",
                    "categories",
                    "all",
                    "any",
                    "visits",
                    "funded_days",
                    "review",
                    "notes",
                ],
                "an [[adjustment]]",
            );
            let id = self.string(t, "id", at, true);
            if let (Some(id), Some(x)) = (&id, Self::get(t, "id")) {
                check_id(self, id, x.span().start);
            }
            let label = self.string(t, "label", at, false);
            let mode = match Self::get(t, "mode") {
                None => Some(AdjustMode::Minimum),
                Some(v) => match v.get_ref() {
                    DeValue::String(s) if s.as_ref() == "minimum" => Some(AdjustMode::Minimum),
                    DeValue::String(s) if s.as_ref() == "add" => Some(AdjustMode::Add),
                    DeValue::String(s) if s.as_ref() == "set" => Some(AdjustMode::Set),
                    _ => {
                        self.err(
                            v.span().start,
                            PolicyErrorKind::Invalid,
                            "mode is \"minimum\", \"add\" or \"set\"",
                        );
                        None
                    }
                },
            };
            let mut categories_of = Vec::new();
            if let Some(v) = Self::get(t, "categories") {
                if let DeValue::Array(items) = v.get_ref() {
                    for i in items.iter() {
                        match i.get_ref() {
                            DeValue::String(s) if cat_ids.iter().any(|c| c == s.as_ref()) => {
                                categories_of.push(s.to_string())
                            }
                            DeValue::String(s) => self.err(
                                i.span().start,
                                PolicyErrorKind::Invalid,
                                format!("no category '{s}'"),
                            ),
                            _ => self.err(
                                i.span().start,
                                PolicyErrorKind::Invalid,
                                "categories is a list of category ids",
                            ),
                        }
                    }
                } else {
                    self.err(
                        v.span().start,
                        PolicyErrorKind::Invalid,
                        "categories is a list of category ids",
                    );
                }
            }
            let condition = if Self::get(t, "all").is_some() || Self::get(t, "any").is_some() {
                self.group(t, at, "[[adjustment]]")
            } else {
                None
            };
            let entitlement = self.entitlement(t);
            if let (Some(id), Some(mode)) = (id, mode) {
                adjustments.push(Adjustment {
                    label: label.unwrap_or_else(|| id.clone()),
                    id,
                    mode,
                    categories: categories_of,
                    condition,
                    entitlement,
                });
            }
        }

        if !self.errors.is_empty() {
            return None;
        }
        Some(Policy {
            name: name.unwrap_or_else(|| file_name.to_owned()),
            title: title.unwrap_or_default(),
            follows: follows.unwrap_or_default(),
            categories,
            triggers,
            removal_blocked_when,
            adjustments,
            defaults,
            stuck,
        })
    }
}

impl Policy {
    /// Loads a policy from TOML text. `name` names the file (or preset) in
    /// error messages and is the policy's name when `[policy] name` is absent.
    ///
    /// Every problem is reported, each with its line and column: TOML syntax,
    /// unknown facts, type errors, unreachable categories, category rules that
    /// are not "at least this bad", and missing or unknown keys.
    pub fn parse(name: &str, text: &str) -> Result<Policy, Vec<PolicyError>> {
        let mut loader = Loader {
            file: name,
            text,
            errors: Vec::new(),
            monotone_required: false,
        };
        match loader.load(name) {
            Some(p) if loader.errors.is_empty() => Ok(p),
            _ => {
                let mut errors = loader.errors;
                errors.sort_by_key(|e| (e.line, e.column));
                Err(errors)
            }
        }
    }

    /// A category by id.
    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// The position of a category from 0 (least concerning).
    pub fn category_index(&self, id: &str) -> Option<usize> {
        self.categories.iter().position(|c| c.id == id)
    }

    /// A deadline in working days, e.g. `warning_notice_compliance`.
    pub fn deadline_working_days(&self, name: &str) -> Option<u32> {
        self.defaults.deadlines.get(name).copied()
    }
}
