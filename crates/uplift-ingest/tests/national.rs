//! Reads every real file under ../shared/data and checks counts against independent counts.

mod common;

use common::*;
use uplift_domain::register::{Inspection, LinkType, ReportCardGrade, SafeguardingStandard};
use uplift_ingest::{AnyRecord, Encoding, Kind};

#[test]
fn every_national_file_reads_with_counts_matching_an_independent_count() {
    let Some(dir) = shared_data() else { return };
    // Every CSV under shared/data is listed (only calendar/bank-holidays.json is not ours).
    let mut on_disk = Vec::new();
    for sub in ["gias", "ofsted", "performance"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            on_disk.push(format!(
                "{sub}/{}",
                e.unwrap().file_name().to_string_lossy()
            ));
        }
    }
    on_disk.sort();
    let mut listed: Vec<String> = NATIONAL_FILES.iter().map(|f| f.0.to_owned()).collect();
    listed.sort();
    assert_eq!(on_disk, listed, "a file under shared/data has no test");

    for (rel, kind, expected_rejected) in NATIONAL_FILES {
        let path = dir.join(rel);
        let bytes = std::fs::read(&path).unwrap();
        let expected = independent_row_count(&bytes);
        let (records, rejected) = read_all(*kind, &path);
        println!(
            "{rel}: {} records + {} rejected = {} rows (independent count {expected})",
            records.len(),
            rejected.len(),
            records.len() + rejected.len()
        );
        for r in &rejected {
            println!("  rejected: {r}");
        }
        assert_eq!(records.len() + rejected.len(), expected, "{rel}");
        assert_eq!(rejected.len(), *expected_rejected, "{rel}: {rejected:?}");
    }
}

#[test]
fn published_row_counts_from_provenance() {
    let Some(dir) = shared_data() else { return };
    // Row counts stated in shared/data/PROVENANCE.md.
    for (rel, n) in [
        ("gias/links_edubasealldata20250422.csv", 33_801),
        ("gias/links_edubasealldata_20250727.csv", 34_044),
        ("gias/sample_edubasealldata_2018_4rows.csv", 4),
        ("gias/edubaseallstatefunded_2026_EXCERPT.csv", 37),
        (
            "ofsted/ofsted_mi_latest_inspections_2026_report_card_EXCERPT.csv",
            18,
        ),
        ("performance/england_ks4provisional.csv", 5_652),
        ("performance/england_ks4-pupdest.csv", 3_877),
        ("performance/england_census.csv", 23_942),
        ("performance/england_abs.csv", 21_217),
        ("performance/ks4_school_info_202324.csv", 5_709),
        (
            "performance/spc_school_level_underlying_data_202223.csv",
            24_442,
        ),
        (
            "performance/england_ks2final_primary_relevant_columns.csv",
            16_190,
        ),
        ("gias/allgroupsdata_2022_processed.csv", 6_904),
        ("gias/alllinksdata_grouplinks_2022_processed.csv", 20_613),
    ] {
        let bytes = std::fs::read(dir.join(rel)).unwrap();
        assert_eq!(independent_row_count(&bytes), n, "{rel}");
    }
}

#[test]
fn gias_links_cp1252_is_decoded_and_damaged_copy_is_reported() {
    let Some(dir) = shared_data() else { return };
    let good = uplift_ingest::open(
        Kind::GiasLinks,
        &dir.join("gias/links_edubasealldata20250422.csv"),
    )
    .unwrap();
    assert_eq!(good.encoding, Encoding::Windows1252);
    let mut found = false;
    for row in good {
        if let AnyRecord::Link(l) = row.unwrap().value {
            if l.urn.get() == 108299 && l.linked_urn.get() == 138950 {
                assert_eq!(
                    l.linked_name.as_deref(),
                    Some("St Thomas \u{e0} Becket Catholic Secondary School, A Voluntary Academy")
                );
                assert_eq!(l.link_type, LinkType::Successor);
                found = true;
            }
        }
    }
    assert!(found);

    let (_, rejected) = read_all(
        Kind::GiasLinks,
        &dir.join("gias/links_edubasealldata_20250727.csv"),
    );
    let first = &rejected[0];
    assert_eq!(first.line, 4611);
    assert_eq!(first.field.as_deref(), Some("LinkName"));
    assert!(first
        .to_string()
        .contains("links_edubasealldata_20250727.csv: line 4611"));
}

#[test]
fn ofsted_2026_keeps_three_formats_apart() {
    let Some(dir) = shared_data() else { return };
    let (records, _) = read_all(
        Kind::Ofsted,
        &dir.join("ofsted/ofsted_mi_latest_inspections_2026_report_card_EXCERPT.csv"),
    );
    let mut report_cards = 0;
    let mut graded = 0;
    let mut ungraded = 0;
    for r in &records {
        let AnyRecord::Ofsted(o) = r else { panic!() };
        assert!(o.la_code.is_some());
        for i in &o.inspections {
            match i {
                Inspection::ReportCard(rc) => {
                    report_cards += 1;
                    assert_eq!(rc.safeguarding, Some(SafeguardingStandard::Met));
                    assert!(rc
                        .areas
                        .iter()
                        .any(|a| a.grade == ReportCardGrade::StrongStandard));
                }
                Inspection::Graded(_) => graded += 1,
                Inspection::Ungraded(u) => {
                    ungraded += 1;
                    assert!(!u.outcome.is_empty());
                }
            }
        }
    }
    assert_eq!(records.len(), 18);
    assert_eq!(report_cards, 1);
    assert_eq!(graded, 10);
    assert_eq!(ungraded, 9);
}

#[test]
fn ks2_rectype_levels_and_la_blocks() {
    let Some(dir) = shared_data() else { return };
    let (records, _) = read_all(
        Kind::Ks2,
        &dir.join("performance/england_ks2final_primary_relevant_columns.csv"),
    );
    use uplift_domain::register::Level;
    let mut counts = std::collections::HashMap::new();
    let mut last_block = 0;
    for r in &records {
        let AnyRecord::Performance(p) = r else {
            panic!()
        };
        *counts.entry(p.level_code.clone()).or_insert(0) += 1;
        if p.level == Level::Authority {
            last_block = p.la_block.unwrap();
        }
    }
    // PROVENANCE: 1 = 15,351, 2 = 685, 3 = 152, 4 and 5 = 1 each.
    assert_eq!(counts["1"], 15_351);
    assert_eq!(counts["2"], 685);
    assert_eq!(counts["3"], 152);
    assert_eq!(counts["4"], 1);
    assert_eq!(counts["5"], 1);
    assert_eq!(last_block, 151);
}

#[test]
fn gias_state_funded_excerpt_fields() {
    use uplift_domain::register::{EstablishmentStatus, Governance, SixthForm};
    let Some(dir) = shared_data() else { return };
    let (records, _) = read_all(
        Kind::Gias,
        &dir.join("gias/edubaseallstatefunded_2026_EXCERPT.csv"),
    );
    let AnyRecord::School(s) = &records[0] else {
        panic!()
    };
    assert_eq!(s.urn.get(), 100000);
    assert_eq!(s.la_code.get(), 201);
    assert_eq!(s.name, "The Aldgate School");
    assert_eq!(s.governance, Governance::Maintained);
    assert_eq!(s.status, EstablishmentStatus::Open);
    assert_eq!(s.sixth_form, SixthForm::No);
    assert_eq!(s.statutory_high_age, Some(11));
    assert_eq!(s.head_last_name.as_deref(), Some("Allan"));
    assert_eq!(
        s.number_on_roll, None,
        "the state-funded layout has no pupil numbers"
    );
}
