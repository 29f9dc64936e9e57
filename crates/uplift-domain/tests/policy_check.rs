//! `uplift policy check`: bad policies are refused with the line and column.

use uplift_domain::policy::{Policy, PolicyErrorKind as K};

const HEAD: &str = r#"[policy]
name = "t"
title = "Test"
follows = "nothing"

[[category]]
id = "ok"
label = "OK"
rag = "green"
"#;

fn errors(text: &str) -> Vec<(usize, usize, K, String)> {
    match Policy::parse("test.toml", text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e
            .into_iter()
            .map(|e| (e.line, e.column, e.kind, e.message))
            .collect(),
    }
}

fn one(text: &str) -> (usize, usize, K, String) {
    let e = errors(text);
    assert_eq!(e.len(), 1, "{e:#?}");
    e.into_iter().next().expect("one")
}

fn with_rule(cond: &str) -> String {
    format!(
        "{HEAD}\n[[category]]\nid = \"bad\"\nlabel = \"Bad\"\nrag = \"red\"\n[[category.rule]]\nid = \"r\"\nany = [\"{cond}\"]\n"
    )
}

// The rule's condition string is on line 17 (`any = ["..."]`); its content starts at column 9.
const RULE_LINE: usize = 17;
const CONTENT_COL: usize = 9;

#[test]
fn a_good_policy_loads() {
    let p = Policy::parse(
        "test.toml",
        &with_rule("report_card.safeguarding == not_met"),
    )
    .expect("loads");
    assert_eq!(p.categories.len(), 2);
}

#[test]
fn syntax_error() {
    let text = format!("{HEAD}\n[[category]\nid = \"x\"\n");
    let (line, col, kind, msg) = one(&text);
    assert_eq!(kind, K::Syntax, "{msg}");
    // Column 12: just after `[[category]`, where the second `]` is expected.
    assert_eq!((line, col), (11, 12), "{msg}");
}

#[test]
fn syntax_error_unterminated_string() {
    let text = "[policy]\nname = \"t\ntitle = \"x\"\n";
    let (line, col, kind, _) = one(text);
    assert_eq!(kind, K::Syntax);
    assert_eq!(line, 2);
    assert!(col >= 8, "{col}");
}

#[test]
fn unknown_fact() {
    let (line, col, kind, msg) = one(&with_rule("report_card.leadership >= needs_attention"));
    assert_eq!(kind, K::UnknownFact);
    assert_eq!((line, col), (RULE_LINE, CONTENT_COL));
    assert!(msg.contains("report_card.leadership"), "{msg}");
}

#[test]
fn text_compared_with_a_number() {
    let (line, col, kind, msg) = one(&with_rule("school.phase >= 3"));
    assert_eq!(kind, K::Type, "{msg}");
    // Points at the value: `school.phase >= 3` -> '3' is 16 characters in.
    assert_eq!((line, col), (RULE_LINE, CONTENT_COL + 16));
    assert!(msg.contains("text") && msg.contains("number"), "{msg}");
}

#[test]
fn grade_compared_with_a_bool() {
    let (line, col, kind, msg) = one(&with_rule("inspection.latest.oeif.overall >= true"));
    assert_eq!(kind, K::Type, "{msg}");
    assert_eq!((line, col), (RULE_LINE, CONTENT_COL + 34));
}

#[test]
fn report_card_grade_compared_with_a_four_point_grade() {
    let (_, _, kind, msg) = one(&with_rule(
        "report_card.leadership_and_governance >= requires_improvement",
    ));
    assert_eq!(kind, K::Type);
    assert!(msg.contains("not comparable"), "{msg}");
}

#[test]
fn ordering_text() {
    let (line, col, kind, _) = one(&with_rule("school.phase > 'Primary'"));
    assert_eq!(kind, K::Type);
    assert_eq!((line, col), (RULE_LINE, CONTENT_COL + 13));
}

#[test]
fn unreachable_category_without_rules() {
    let text =
        format!("{HEAD}\n[[category]]\nid = \"lonely\"\nlabel = \"Lonely\"\nrag = \"red\"\n");
    let (line, col, kind, msg) = one(&text);
    assert_eq!(kind, K::Unreachable, "{msg}");
    assert_eq!((line, col), (12, 6));
}

#[test]
fn unreachable_category_with_impossible_rules() {
    let (line, col, kind, _) = one(&with_rule("inspection.latest.oeif.overall > inadequate"));
    assert_eq!(kind, K::Unreachable);
    assert_eq!((line, col), (12, 6));
    let text = format!(
        "{HEAD}\n[[category]]\nid = \"bad\"\nlabel = \"Bad\"\nrag = \"red\"\n[[category.rule]]\nid = \"r\"\nall = [\"head.months_in_post >= 12\", \"head.months_in_post < 6\"]\n"
    );
    let e = errors(&text);
    assert!(e.iter().any(|x| x.2 == K::Unreachable), "{e:#?}");
}

#[test]
fn not_monotone_rules_are_refused() {
    let (line, col, kind, msg) = one(&with_rule("inspection.latest.oeif.overall <= good"));
    assert_eq!(kind, K::NotMonotone, "{msg}");
    assert_eq!((line, col), (RULE_LINE, CONTENT_COL));
    let (_, _, kind, _) = one(&with_rule("flag.stuck == true"));
    assert_eq!(kind, K::NotMonotone);
    let (_, _, kind, _) = one(&with_rule("performance.ks2.rwm_expected >= 60"));
    assert_eq!(kind, K::NotMonotone);
    // Equality on the worst value of a scale is fine.
    Policy::parse(
        "t",
        &with_rule("report_card.leadership_and_governance == urgent_improvement"),
    )
    .expect("monotone");
    Policy::parse("t", &with_rule("performance.ks2.rwm_expected < 40 near 5")).expect("monotone");
}

#[test]
fn unknown_keys_and_missing_fields() {
    let text = format!("{HEAD}colour = \"blue\"\n");
    let (line, col, kind, msg) = one(&text);
    assert_eq!(kind, K::Invalid);
    assert_eq!((line, col), (10, 1), "{msg}");
    let e = errors("[policy]\nname = \"t\"\n");
    assert!(e.iter().any(|x| x.3.contains("title")));
    assert!(e.iter().any(|x| x.3.contains("category")));
}

#[test]
fn several_errors_are_all_reported_in_order() {
    let text = format!(
        "{HEAD}\n[[category]]\nid = \"bad\"\nlabel = \"Bad\"\nrag = \"red\"\n[[category.rule]]\nid = \"r\"\nany = [\n  \"nope.fact >= 1\",\n  \"school.is_academy == 3\",\n]\n"
    );
    let e = errors(&text);
    let pos: Vec<(usize, usize, K)> = e.iter().map(|x| (x.0, x.1, x.2)).collect();
    assert_eq!(
        pos,
        vec![(18, 4, K::UnknownFact), (19, 25, K::Type)],
        "{e:#?}"
    );
}

#[test]
fn the_previous_policy_stays_in_force() {
    let good = Policy::preset("trust").expect("preset");
    let mut in_force = good.clone();
    if let Ok(p) = Policy::parse("edit.toml", &with_rule("school.phase >= 3")) {
        in_force = p;
    }
    assert_eq!(in_force, good);
}

#[test]
fn error_display_has_file_line_column() {
    let e = Policy::parse("mine.toml", &with_rule("nope >= 1")).expect_err("bad");
    assert_eq!(e[0].to_string(), format!("mine.toml:{RULE_LINE}:{CONTENT_COL}: unknown fact: unknown fact 'nope' (see the fact catalogue)"));
}

#[test]
fn unknown_preset() {
    let e = Policy::preset("nope").expect_err("no such preset");
    assert!(e[0].message.contains("la-differentiated"));
}
