//! Import benchmark (issue 3 "Performance"), `cargo bench -p uplift-store --bench import`:
//!
//! 1. imports the largest real file in ../shared/data (the 23 MB DfE school-level
//!    census file, the national register) into a fresh SQLite database;
//! 2. in the same run, times SQLite's own `.import` of the same file into a plain
//!    table with the `sqlite3` command-line shell (the practical limit), and prints
//!    the ratio (target: at most 1.2);
//! 3. prints peak memory (VmHWM);
//! 4. times the whole national register load end to end from a fresh database.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use uplift_ingest::Kind;
use uplift_store::register::ImportOptions;
use uplift_store::testkit::TempDir;
use uplift_store::Db;

/// Every national file, in load order (register first, so joins on URN work).
pub const NATIONAL: &[(Kind, &str)] = &[
    (
        Kind::Spc,
        "performance/spc_school_level_underlying_data_202223.csv",
    ),
    (Kind::Gias, "gias/sample_edubasealldata_2018_4rows.csv"),
    (Kind::Gias, "gias/edubaseallstatefunded_2026_EXCERPT.csv"),
    (Kind::GiasLinks, "gias/links_edubasealldata20250422.csv"),
    (Kind::GiasLinks, "gias/links_edubasealldata_20250727.csv"),
    (Kind::GiasGroups, "gias/allgroupsdata_2022_processed.csv"),
    (
        Kind::GiasGroupLinks,
        "gias/alllinksdata_grouplinks_2022_processed.csv",
    ),
    (
        Kind::Ofsted,
        "ofsted/ofsted_mi_latest_inspections_2026_report_card_EXCERPT.csv",
    ),
    (
        Kind::Ks2,
        "performance/england_ks2final_primary_relevant_columns.csv",
    ),
    (Kind::Ks4, "performance/england_ks4provisional.csv"),
    (Kind::Ks4, "performance/england_ks4-pupdest.csv"),
    (Kind::Ks4, "performance/ks4_school_info_202324.csv"),
    (Kind::Census, "performance/england_census.csv"),
    (Kind::Absence, "performance/england_abs.csv"),
];

fn peak_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

async fn fresh(dir: &Path, name: &str) -> Db {
    let url = format!("sqlite://{}", dir.join(name).display());
    Db::open(&url).await.expect("open a fresh database")
}

fn sqlite_import(dir: &Path, file: &Path) -> Option<f64> {
    let db = dir.join("plain.db");
    let t = Instant::now();
    let out = Command::new("sqlite3")
        .arg(&db)
        .arg(".mode csv")
        .arg(format!(".import '{}' plain", file.display()))
        .output();
    match out {
        Ok(o) if o.status.success() => Some(t.elapsed().as_secs_f64()),
        Ok(o) => {
            println!(
                "sqlite3 .import failed: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            );
            None
        }
        Err(e) => {
            println!("the sqlite3 shell is not installed ({e}): apt-get install -y sqlite3");
            None
        }
    }
}

#[tokio::main]
async fn main() {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if !data.is_dir() {
        println!("import benchmark skipped: {} not found", data.display());
        return;
    }
    let dir = TempDir::new();
    let file = data.join(NATIONAL[0].1);
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);

    // 1. Ours.
    let db = fresh(dir.path(), "uplift.db").await;
    let t = Instant::now();
    let s = db
        .import_file(Kind::Spc, &file, &ImportOptions::default())
        .await
        .expect("import");
    let ours = t.elapsed().as_secs_f64();
    println!(
        "uplift import spc {}: {:.3} s ({} rows, {:.1} MB/s)",
        file.file_name().unwrap_or_default().to_string_lossy(),
        ours,
        s.inserted,
        size as f64 / 1e6 / ours
    );
    let t = Instant::now();
    let again = db
        .import_file(Kind::Spc, &file, &ImportOptions::default())
        .await
        .expect("re-import");
    println!(
        "re-import (all unchanged: {}): {:.3} s",
        again.unchanged,
        t.elapsed().as_secs_f64()
    );
    db.close().await;

    // 2. SQLite's own bulk import of the same file.
    if let Some(base) = sqlite_import(dir.path(), &file) {
        println!("sqlite3 .import (plain table, all columns as text): {base:.3} s");
        println!(
            "ratio uplift / sqlite3 .import: {:.2} (target <= 1.20)",
            ours / base
        );
    }

    // 3. Peak memory so far.
    if let Some(kb) = peak_kb() {
        println!("peak memory (VmHWM): {:.1} MB", kb as f64 / 1024.0);
    }

    // 4. The whole national register, end to end.
    let db = fresh(dir.path(), "national.db").await;
    let t = Instant::now();
    for (kind, rel) in NATIONAL {
        let path = data.join(rel);
        let t1 = Instant::now();
        let s = db
            .import_file(*kind, &path, &ImportOptions::default())
            .await
            .expect("national import");
        println!(
            "  {kind:<16} {rel:<70} {:>7} inserted {:>6} updated {:>6} unchanged {:>4} rejected {:>7.3} s",
            s.inserted,
            s.updated,
            s.unchanged,
            s.rejected.len(),
            t1.elapsed().as_secs_f64()
        );
    }
    println!(
        "national register load (register + links + groups + Ofsted + KS2 + KS4 + census + absence): {:.2} s",
        t.elapsed().as_secs_f64()
    );
    if let Some(kb) = peak_kb() {
        println!(
            "peak memory after the national load (VmHWM): {:.1} MB",
            kb as f64 / 1024.0
        );
    }
    db.close().await;
}
