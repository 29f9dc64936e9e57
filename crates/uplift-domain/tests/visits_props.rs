//! Properties of the QA sample and the ICS writer.

use jiff::civil::date;
use proptest::prelude::*;
use std::collections::BTreeSet;
use uplift_domain::calendar::{AcademicYear, TermName};
use uplift_domain::register::Urn;
use uplift_domain::visits::ics::{escape_text, fold_line};
use uplift_domain::visits::{draw_qa_sample, FinalisedNote, QaConfig};

fn notes(per_adviser: &[usize]) -> Vec<FinalisedNote> {
    let mut out = Vec::new();
    for (a, n) in per_adviser.iter().enumerate() {
        for i in 0..*n {
            out.push(FinalisedNote {
                note_id: format!("a{a}-n{i}"),
                adviser_id: format!("adviser-{a}"),
                urn: Urn::new(100000 + (a * 1000 + i) as u32).unwrap(),
                finalised_on: date(2026, 12, 1),
            });
        }
    }
    out
}

fn year() -> AcademicYear {
    AcademicYear::new(2026).unwrap()
}

proptest! {
    #[test]
    fn qa_sample_is_reproducible_and_order_independent(
        per in proptest::collection::vec(0usize..40, 1..8),
        org in "[a-z]{1,8}",
        rotate in 0usize..50,
    ) {
        let ns = notes(&per);
        let reviewers = vec!["r1".to_string(), "r2".to_string()];
        let a = draw_qa_sample(&org, year(), TermName::Spring, &ns, &reviewers, &QaConfig::default());
        let b = draw_qa_sample(&org, year(), TermName::Spring, &ns, &reviewers, &QaConfig::default());
        prop_assert_eq!(&a, &b);
        let mut shuffled = ns.clone();
        if !shuffled.is_empty() {
            let k = rotate % shuffled.len();
            shuffled.rotate_left(k);
            shuffled.reverse();
        }
        let c = draw_qa_sample(&org, year(), TermName::Spring, &shuffled, &reviewers, &QaConfig::default());
        let ids = |s: &uplift_domain::visits::QaSample| s.picks.iter().map(|p| p.note_id.clone()).collect::<BTreeSet<_>>();
        prop_assert_eq!(ids(&a), ids(&c));
    }

    #[test]
    fn every_adviser_with_notes_is_represented(
        per in proptest::collection::vec(0usize..30, 1..10),
        share in 0.0f64..0.5,
    ) {
        let ns = notes(&per);
        let config = QaConfig { share, min_per_adviser: 1 };
        let s = draw_qa_sample("org", year(), TermName::Autumn, &ns, &["hmi".into()], &config);
        for (a, n) in per.iter().enumerate() {
            let picked = s.picks.iter().filter(|p| p.adviser_id == format!("adviser-{a}")).count();
            if *n == 0 {
                prop_assert_eq!(picked, 0);
            } else {
                prop_assert!(picked >= 1);
                prop_assert!(picked <= *n);
                let expected = ((share * *n as f64).round() as usize).max(1);
                prop_assert_eq!(picked, expected);
            }
        }
        let unique: BTreeSet<_> = s.picks.iter().map(|p| &p.note_id).collect();
        prop_assert_eq!(unique.len(), s.picks.len());
        prop_assert!(s.picks.iter().all(|p| p.reviewer_id.as_deref() == Some("hmi")));
    }

    #[test]
    fn different_terms_draw_different_samples(seed in 0u32..1000) {
        let ns = notes(&[200]);
        let org = format!("org{seed}");
        let a = draw_qa_sample(&org, year(), TermName::Autumn, &ns, &[], &QaConfig::default());
        let b = draw_qa_sample(&org, year(), TermName::Summer, &ns, &[], &QaConfig::default());
        prop_assert_eq!(a.picks.len(), 20);
        prop_assert_ne!(a.picks, b.picks);
    }

    #[test]
    fn folding_keeps_lines_short_and_unfolds_to_the_original(s in "\\PC{0,300}") {
        let line = format!("DESCRIPTION:{}", escape_text(&s));
        let folded = fold_line(&line);
        prop_assert!(folded.ends_with("\r\n"));
        for l in folded.trim_end_matches("\r\n").split("\r\n") {
            prop_assert!(l.len() <= 75);
        }
        let unfolded = folded.trim_end_matches("\r\n").replace("\r\n ", "");
        prop_assert_eq!(&unfolded, &line);
        // Unescape and compare with the input (CR LF and CR become LF).
        let value = &unfolded["DESCRIPTION:".len()..];
        let mut out = String::new();
        let mut chars = value.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some(o) => out.push(o),
                    None => prop_assert!(false, "dangling backslash"),
                }
            } else {
                prop_assert!(c != ',' && c != ';');
                out.push(c);
            }
        }
        let expected: String = s.replace("\r\n", "\n").replace('\r', "\n").chars().filter(|c| *c == '\n' || *c == '\t' || !c.is_control()).collect();
        prop_assert_eq!(out, expected);
    }
}

#[test]
fn about_ten_percent_over_many_notes() {
    let ns = notes(&[97, 153, 250, 61, 439]);
    let s = draw_qa_sample(
        "org",
        year(),
        TermName::Autumn,
        &ns,
        &[],
        &QaConfig::default(),
    );
    let share = s.picks.len() as f64 / ns.len() as f64;
    assert!((share - 0.10).abs() < 0.01, "share {share}");
}
