//! Conditions over named facts: `"<fact> <op> <value> [near <margin>]"`,
//! combined with `all` / `any`.
//!
//! * Operators: `>=`, `>`, `<=`, `<`, `==`, `!=`.
//! * Grades compare on their scale where larger is worse: Ofsted grades 1
//!   (outstanding) to 4 (inadequate), written as numbers or names
//!   (`>= requires_improvement` means RI or worse); report-card grades
//!   `exceptional` .. `urgent_improvement`; safeguarding `met` < `not_met`;
//!   categories of concern `none` < `serious_weaknesses` =
//!   `requires_significant_improvement` < `special_measures`.
//! * Text literals are quoted with single quotes (`school.phase == 'Primary'`,
//!   compared without regard to case); dates are `YYYY-MM-DD`.
//! * `near N` makes a condition "nearly met" when it would be met with the
//!   threshold moved by N (units for numbers, steps for grades).
//! * A fact the school does not have (no report card, no data) never meets a condition.

use super::facts::{
    concern_rank, grade_rank, report_card_rank, FactKey, FactType, FactValue, View, Worse,
};
use crate::register::{CategoryOfConcern, Date, OeifGrade, ReportCardGrade, SafeguardingStandard};
use serde::{Deserialize, Serialize};

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// `>=`
    Ge,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `<`
    Lt,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

impl Op {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            ">=" => Self::Ge,
            ">" => Self::Gt,
            "<=" => Self::Le,
            "<" => Self::Lt,
            "==" | "=" => Self::Eq,
            "!=" => Self::Ne,
            _ => return None,
        })
    }

    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ge => ">=",
            Self::Gt => ">",
            Self::Le => "<=",
            Self::Lt => "<",
            Self::Eq => "==",
            Self::Ne => "!=",
        }
    }
}

/// Met, nearly met (within the margin), or not met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tri {
    /// Met.
    Met,
    /// Not met, but within the condition's `near` margin.
    Near,
    /// Not met.
    NotMet,
}

/// One piece of evidence a rule read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The fact name.
    pub fact: String,
    /// The school's value as displayed, `None` when the school has no such fact.
    pub value: Option<String>,
    /// The comparator.
    pub comparator: String,
    /// The threshold as written in the policy.
    pub threshold: String,
    /// Whether the condition was met.
    pub outcome: Tri,
    /// The date of the evidence (inspection date, intelligence date, source date).
    pub date: Option<Date>,
    /// The source file or record.
    pub source: Option<String>,
    /// The condition as written.
    pub condition: String,
}

/// One comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Atom {
    /// The condition as written.
    pub text: String,
    /// The fact name.
    pub fact: String,
    pub(crate) key: FactKey,
    /// The fact's type.
    pub ty: FactType,
    /// The operator.
    pub op: Op,
    /// The literal compared with.
    pub value: FactValue,
    /// The near-miss margin.
    pub near: Option<f64>,
}

/// A condition tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// All must hold.
    All(Vec<Condition>),
    /// At least one must hold.
    Any(Vec<Condition>),
    /// A comparison.
    Atom(Atom),
}

/// A problem found while parsing a condition string: byte offset in the
/// string, kind, message.
pub(crate) type AtomError = (usize, super::PolicyErrorKind, String);

fn classify(tok: &str) -> Option<(FactType, FactValue)> {
    let t = tok;
    if let Ok(n) = t.parse::<f64>() {
        if n.is_finite() && !t.contains(['e', 'E']) {
            return Some((FactType::Number, FactValue::Number(n)));
        }
    }
    let grade = match t {
        "outstanding" => Some(OeifGrade::Outstanding),
        "good" => Some(OeifGrade::Good),
        "requires_improvement" => Some(OeifGrade::RequiresImprovement),
        "inadequate" => Some(OeifGrade::Inadequate),
        _ => None,
    };
    if let Some(g) = grade {
        return Some((FactType::Grade, FactValue::Grade(g)));
    }
    let rc = match t {
        "exceptional" => Some(ReportCardGrade::Exceptional),
        "strong_standard" => Some(ReportCardGrade::StrongStandard),
        "expected_standard" => Some(ReportCardGrade::ExpectedStandard),
        "needs_attention" => Some(ReportCardGrade::NeedsAttention),
        "urgent_improvement" => Some(ReportCardGrade::UrgentImprovement),
        _ => None,
    };
    if let Some(g) = rc {
        return Some((FactType::ReportCardGrade, FactValue::ReportCardGrade(g)));
    }
    match t {
        "met" => {
            return Some((
                FactType::Standard,
                FactValue::Standard(SafeguardingStandard::Met),
            ))
        }
        "not_met" => {
            return Some((
                FactType::Standard,
                FactValue::Standard(SafeguardingStandard::NotMet),
            ))
        }
        "none" => return Some((FactType::Concern, FactValue::Concern(None))),
        "serious_weaknesses" => {
            return Some((
                FactType::Concern,
                FactValue::Concern(Some(CategoryOfConcern::SeriousWeaknesses)),
            ))
        }
        "requires_significant_improvement" => {
            return Some((
                FactType::Concern,
                FactValue::Concern(Some(CategoryOfConcern::RequiresSignificantImprovement)),
            ))
        }
        "special_measures" => {
            return Some((
                FactType::Concern,
                FactValue::Concern(Some(CategoryOfConcern::SpecialMeasures)),
            ))
        }
        "true" => return Some((FactType::Bool, FactValue::Bool(true))),
        "false" => return Some((FactType::Bool, FactValue::Bool(false))),
        _ => {}
    }
    if t.len() == 10 && t.as_bytes().get(4) == Some(&b'-') {
        if let Ok(d) = t.parse::<Date>() {
            return Some((FactType::Date, FactValue::Date(d)));
        }
    }
    if t.len() >= 2 && t.starts_with('\'') && t.ends_with('\'') {
        return Some((
            FactType::Text,
            FactValue::Text(t[1..t.len() - 1].to_owned()),
        ));
    }
    None
}

/// Parses one condition string.
pub(crate) fn parse_atom(s: &str) -> Result<Atom, Vec<AtomError>> {
    use super::PolicyErrorKind as K;
    let lead = s.len() - s.trim_start().len();
    let body = s.trim();
    let fact_end = body
        .find(|c: char| c.is_whitespace() || "<>=!".contains(c))
        .unwrap_or(body.len());
    let fact = &body[..fact_end];
    if fact.is_empty() {
        return Err(vec![(
            lead,
            K::Invalid,
            "a condition is written '<fact> <op> <value>'".into(),
        )]);
    }
    let Some(key) = FactKey::resolve(fact) else {
        return Err(vec![(
            lead,
            K::UnknownFact,
            format!("unknown fact '{fact}' (see the fact catalogue)"),
        )]);
    };
    let (ty, _) = key.info();
    let rest0 = &body[fact_end..];
    let op_start = fact_end + (rest0.len() - rest0.trim_start().len());
    let rest = rest0.trim_start();
    let op_len = rest
        .find(|c: char| !"<>=!".contains(c))
        .unwrap_or(rest.len());
    let Some(op) = Op::parse(&rest[..op_len]) else {
        return Err(vec![(
            lead + op_start,
            K::Invalid,
            format!(
                "expected an operator (>=, >, <=, <, ==, !=) after '{fact}', found '{}'",
                rest.split_whitespace().next().unwrap_or("")
            ),
        )]);
    };
    let after_op = &rest[op_len..];
    let val_start = op_start + op_len + (after_op.len() - after_op.trim_start().len());
    let val_text = after_op.trim();
    // Split off a trailing `near N`.
    let (val_tok, near_tok) = if let Some(inner) = val_text.strip_prefix('\'') {
        match inner.find('\'') {
            Some(end) => {
                let tok = &val_text[..end + 2];
                let tail = val_text[end + 2..].trim();
                (tok, if tail.is_empty() { None } else { Some(tail) })
            }
            None => (val_text, None),
        }
    } else {
        match val_text.split_once(char::is_whitespace) {
            Some((v, tail)) => (v, Some(tail.trim())),
            None => (val_text, None),
        }
    };
    let vpos = lead + val_start;
    if val_tok.is_empty() {
        return Err(vec![(
            vpos,
            K::Invalid,
            format!("missing a value after '{fact} {}'", op.as_str()),
        )]);
    }
    let mut near = None;
    if let Some(tail) = near_tok {
        let near_pos = vpos + val_text.find(tail).unwrap_or(0);
        let margin = tail
            .strip_prefix("near")
            .map(str::trim)
            .and_then(|n| n.parse::<f64>().ok())
            .filter(|n| n.is_finite() && *n >= 0.0);
        match margin {
            Some(m) => near = Some((m, near_pos)),
            None => {
                return Err(vec![(
                    near_pos,
                    K::Invalid,
                    format!("unexpected '{tail}': only 'near <margin>' may follow the value"),
                )])
            }
        }
    }
    let Some((lit_ty, mut lit)) = classify(val_tok) else {
        return Err(vec![(
            vpos,
            K::Invalid,
            format!("'{val_tok}' is not a value (number, grade, report-card grade, met/not_met, category, true/false, 'text' or YYYY-MM-DD)"),
        )]);
    };
    // Four-point grades may be written as numbers 1-4.
    if ty == FactType::Grade && lit_ty == FactType::Number {
        if let FactValue::Number(n) = lit {
            lit = match n {
                1.0 => FactValue::Grade(OeifGrade::Outstanding),
                2.0 => FactValue::Grade(OeifGrade::Good),
                3.0 => FactValue::Grade(OeifGrade::RequiresImprovement),
                4.0 => FactValue::Grade(OeifGrade::Inadequate),
                _ => {
                    return Err(vec![(
                        vpos,
                        K::Type,
                        format!("'{fact}' is a grade (1-4); {val_tok} is not a grade"),
                    )])
                }
            };
        }
    } else if lit_ty != ty {
        let extra = if matches!(
            (ty, lit_ty),
            (FactType::Grade, FactType::ReportCardGrade)
                | (FactType::ReportCardGrade, FactType::Grade)
        ) {
            " (the four-point and report-card scales are not comparable; read the report-card areas directly)"
        } else {
            ""
        };
        return Err(vec![(
            vpos,
            K::Type,
            format!(
                "type error: '{fact}' is a {} but {val_tok} is a {}{extra}",
                ty.name(),
                lit_ty.name()
            ),
        )]);
    }
    if matches!(ty, FactType::Text | FactType::Bool) && !matches!(op, Op::Eq | Op::Ne) {
        return Err(vec![(
            lead + op_start,
            K::Type,
            format!(
                "type error: '{fact}' is {} and can only be compared with == or !=",
                ty.name()
            ),
        )]);
    }
    if let Some((_, pos)) = near {
        if matches!(ty, FactType::Text | FactType::Bool | FactType::Date) {
            return Err(vec![(
                pos,
                K::Type,
                format!(
                    "a near-miss margin needs a number or a graded scale; '{fact}' is {}",
                    ty.name()
                ),
            )]);
        }
        if op == Op::Ne {
            return Err(vec![(
                pos,
                K::Invalid,
                "a near-miss margin cannot be used with !=".into(),
            )]);
        }
    }
    Ok(Atom {
        text: body.to_owned(),
        fact: fact.to_owned(),
        key,
        ty,
        op,
        value: lit,
        near: near.map(|(m, _)| m),
    })
}

/// A comparable position of a value on its scale (larger is worse for grades).
fn rank(v: &FactValue) -> Option<f64> {
    Some(match v {
        FactValue::Number(n) => *n,
        FactValue::Grade(g) => f64::from(grade_rank(*g)?),
        FactValue::ReportCardGrade(g) => f64::from(report_card_rank(*g)),
        FactValue::Standard(SafeguardingStandard::Met) => 0.0,
        FactValue::Standard(SafeguardingStandard::NotMet) => 1.0,
        FactValue::Concern(c) => f64::from(concern_rank(c.as_ref())),
        FactValue::Bool(b) => f64::from(u8::from(*b)),
        FactValue::Date(d) => f64::from(i32::from(d.year())) * 400.0 + f64::from(d.day_of_year()),
        FactValue::Text(_) => return None,
    })
}

/// The smallest and largest ranks of a type's scale, where it has one.
fn bounds(ty: FactType) -> Option<(f64, f64)> {
    match ty {
        FactType::Grade => Some((1.0, 4.0)),
        FactType::ReportCardGrade => Some((1.0, 5.0)),
        FactType::Standard | FactType::Bool => Some((0.0, 1.0)),
        FactType::Concern => Some((0.0, 2.0)),
        _ => None,
    }
}

impl Atom {
    fn compare(&self, v: &FactValue, margin: f64) -> bool {
        if let (FactValue::Text(a), FactValue::Text(b)) = (v, &self.value) {
            let eq = a.trim().eq_ignore_ascii_case(b.trim());
            return match self.op {
                Op::Eq => eq,
                Op::Ne => !eq,
                _ => false,
            };
        }
        let (Some(x), Some(t)) = (rank(v), rank(&self.value)) else {
            return false;
        };
        match self.op {
            Op::Ge => x >= t - margin,
            Op::Gt => x > t - margin,
            Op::Le => x <= t + margin,
            Op::Lt => x < t + margin,
            Op::Eq => (x - t).abs() <= margin,
            Op::Ne => x != t,
        }
    }

    pub(crate) fn eval(&self, view: &View<'_>, out: &mut Vec<Evidence>) -> Tri {
        let read = view.read(self.key);
        let tri = match &read.value {
            None => Tri::NotMet,
            Some(v) => {
                if self.compare(v, 0.0) {
                    Tri::Met
                } else if self.near.is_some_and(|m| self.compare(v, m)) {
                    Tri::Near
                } else {
                    Tri::NotMet
                }
            }
        };
        out.push(Evidence {
            fact: self.fact.clone(),
            value: read.value.as_ref().map(|v| v.to_string()),
            comparator: self.op.as_str().into(),
            threshold: self.value.to_string(),
            outcome: tri,
            date: read.date,
            source: read.source,
            condition: self.text.clone(),
        });
        tri
    }

    /// Why this comparison is not "at least this bad" (see [`Worse`]), if it is not.
    pub(crate) fn monotonicity_problem(&self) -> Option<String> {
        let (_, worse) = self.key.info();
        let fact = &self.fact;
        match worse {
            Worse::Neutral => None,
            Worse::NotMonotone => Some(format!(
                "'{fact}' is not monotone in grades (it can switch off when things get worse), so category rules may not read it; use it in triggers"
            )),
            Worse::Higher | Worse::Lower => {
                let higher = worse == Worse::Higher;
                let t = rank(&self.value)?;
                let ok = match (self.op, bounds(self.ty)) {
                    (Op::Ge | Op::Gt, _) => higher,
                    (Op::Le | Op::Lt, _) => !higher,
                    (Op::Eq, Some((lo, hi))) => t == if higher { hi } else { lo },
                    (Op::Ne, Some((lo, hi))) => t == if higher { lo } else { hi },
                    (Op::Eq | Op::Ne, None) => false,
                };
                if ok {
                    None
                } else {
                    Some(format!(
                        "'{}' is not an 'at least this bad' condition: {} for '{fact}' is worse, so a school getting worse could stop meeting it; write it with {}",
                        self.text,
                        if higher { "higher" } else { "lower" },
                        if higher { ">= or >" } else { "<= or <" }
                    ))
                }
            }
        }
    }

    /// The interval of ranks the condition admits, for static satisfiability.
    fn interval(&self) -> Option<(f64, f64, bool)> {
        let t = rank(&self.value)?;
        let (lo, hi) = bounds(self.ty).unwrap_or(match self.key {
            FactKey::Measure(_, super::facts::MeasureField::Quartile) => (1.0, 4.0),
            FactKey::Intel(_, super::facts::IntelField::Count)
            | FactKey::Intel(_, super::facts::IntelField::Count12m)
            | FactKey::ReportCard(_, _) => (0.0, f64::INFINITY),
            _ => (f64::NEG_INFINITY, f64::INFINITY),
        });
        // (low, high, integral): the admitted range intersected with the scale.
        let e = 1e-9;
        let integral = lo.is_finite();
        Some(match self.op {
            Op::Ge => (t.max(lo), hi, integral),
            Op::Gt => (
                if integral {
                    (t + 1.0).max(lo)
                } else {
                    (t + e).max(lo)
                },
                hi,
                integral,
            ),
            Op::Le => (lo, t.min(hi), integral),
            Op::Lt => (
                lo,
                if integral {
                    (t - 1.0).min(hi)
                } else {
                    (t - e).min(hi)
                },
                integral,
            ),
            Op::Eq => (t.max(lo), t.min(hi), integral),
            Op::Ne => (lo, hi, integral),
        })
    }
}

impl Condition {
    pub(crate) fn eval(&self, view: &View<'_>, out: &mut Vec<Evidence>) -> Tri {
        match self {
            Self::Atom(a) => a.eval(view, out),
            Self::All(cs) => {
                let mut r = Tri::Met;
                for c in cs {
                    match c.eval(view, out) {
                        Tri::NotMet => r = Tri::NotMet,
                        Tri::Near if r == Tri::Met => r = Tri::Near,
                        _ => {}
                    }
                }
                r
            }
            Self::Any(cs) => {
                let mut r = Tri::NotMet;
                for c in cs {
                    match c.eval(view, out) {
                        Tri::Met => r = Tri::Met,
                        Tri::Near if r == Tri::NotMet => r = Tri::Near,
                        _ => {}
                    }
                }
                r
            }
        }
    }

    /// Every comparison in the tree.
    pub fn atoms(&self) -> Vec<&Atom> {
        let mut out = Vec::new();
        fn walk<'a>(c: &'a Condition, out: &mut Vec<&'a Atom>) {
            match c {
                Condition::Atom(a) => out.push(a),
                Condition::All(cs) | Condition::Any(cs) => cs.iter().for_each(|c| walk(c, out)),
            }
        }
        walk(self, &mut out);
        out
    }

    /// Whether some school could meet the condition (a conservative check:
    /// `false` only when it certainly cannot).
    pub(crate) fn satisfiable(&self) -> bool {
        match self {
            Self::Atom(a) => a.interval().is_none_or(|(lo, hi, _)| lo <= hi),
            Self::Any(cs) => cs.iter().any(Condition::satisfiable),
            Self::All(cs) => {
                if !cs.iter().all(Condition::satisfiable) {
                    return false;
                }
                // Intersect the ranges of direct comparisons on the same fact.
                let atoms: Vec<&Atom> = cs
                    .iter()
                    .filter_map(|c| match c {
                        Condition::Atom(a) => Some(a),
                        _ => None,
                    })
                    .collect();
                for (i, a) in atoms.iter().enumerate() {
                    let Some((mut lo, mut hi, _)) = a.interval() else {
                        continue;
                    };
                    for b in &atoms[i + 1..] {
                        if b.key == a.key {
                            if let Some((l2, h2, _)) = b.interval() {
                                lo = lo.max(l2);
                                hi = hi.min(h2);
                            }
                        }
                    }
                    if lo > hi {
                        return false;
                    }
                }
                true
            }
        }
    }
}
