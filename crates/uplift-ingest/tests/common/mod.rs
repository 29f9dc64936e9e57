//! Helpers shared by the integration tests (included with `mod common;`).
#![allow(dead_code)]

use std::path::PathBuf;
use uplift_ingest::{AnyRecord, Kind, RowError};

/// `../shared/data` relative to the workspace root, if present.
pub fn shared_data() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!(
            "national-data tests skipped: {} not found (CI always has it)",
            dir.display()
        );
        None
    }
}

/// The Camden extract shipped in the repository.
pub fn camden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/demo/camden")
}

/// Counts data rows independently of the CSV parser: walks the raw bytes, toggling a
/// "inside quotes" flag on every `"` (a doubled `""` toggles twice, so it is neutral),
/// and counts line ends outside quotes; a final line without a line end counts too; lines
/// that are empty (or only `\r`) are not rows. The header line is subtracted.
pub fn independent_row_count(bytes: &[u8]) -> usize {
    let mut rows = 0usize;
    let mut in_quotes = false;
    let mut line_has_content = false;
    for &b in bytes {
        match b {
            b'"' => {
                in_quotes = !in_quotes;
                line_has_content = true;
            }
            b'\n' if !in_quotes => {
                if line_has_content {
                    rows += 1;
                }
                line_has_content = false;
            }
            b'\r' if !in_quotes => {}
            _ => line_has_content = true,
        }
    }
    if line_has_content {
        rows += 1;
    }
    rows.saturating_sub(1)
}

/// Reads a whole file with the given kind; returns (records, rejected rows).
pub fn read_all(kind: Kind, path: &std::path::Path) -> (Vec<AnyRecord>, Vec<RowError>) {
    let reader = uplift_ingest::open(kind, path)
        .unwrap_or_else(|e| panic!("{} should open as {kind}: {e}", path.display()));
    let mut records = Vec::new();
    let mut rejected = Vec::new();
    for row in reader {
        match row {
            Ok(r) => records.push(r.value),
            Err(e) => {
                assert!(!e.is_fatal(), "fatal error: {e}");
                rejected.push(e)
            }
        }
    }
    (records, rejected)
}

/// Kinds of every file under shared/data, with the rejected rows expected.
pub const NATIONAL_FILES: &[(&str, Kind, usize)] = &[
    ("gias/allgroupsdata_2022_processed.csv", Kind::GiasGroups, 0),
    (
        "gias/alllinksdata_grouplinks_2022_processed.csv",
        Kind::GiasGroupLinks,
        0,
    ),
    ("gias/edubaseallstatefunded_2026_EXCERPT.csv", Kind::Gias, 0),
    ("gias/links_edubasealldata20250422.csv", Kind::GiasLinks, 0),
    // 8 rows hold U+FFFD where the original had "à" (or another character): rejected.
    ("gias/links_edubasealldata_20250727.csv", Kind::GiasLinks, 8),
    ("gias/sample_edubasealldata_2018_4rows.csv", Kind::Gias, 0),
    (
        "ofsted/ofsted_mi_latest_inspections_2026_report_card_EXCERPT.csv",
        Kind::Ofsted,
        0,
    ),
    ("performance/england_abs.csv", Kind::Absence, 0),
    ("performance/england_census.csv", Kind::Census, 0),
    (
        "performance/england_ks2final_primary_relevant_columns.csv",
        Kind::Ks2,
        0,
    ),
    ("performance/england_ks4-pupdest.csv", Kind::Ks4, 0),
    ("performance/england_ks4provisional.csv", Kind::Ks4, 0),
    ("performance/ks4_school_info_202324.csv", Kind::Ks4, 0),
    (
        "performance/spc_school_level_underlying_data_202223.csv",
        Kind::Spc,
        0,
    ),
];
