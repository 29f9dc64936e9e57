//! The register: imports of every Camden file on both backends, re-import,
//! change history, intelligence, bad input, --la, quartiles and search.

use std::path::{Path, PathBuf};

use uplift_ingest::Kind;
use uplift_store::register::ImportOptions;
use uplift_store::testkit::each_backend;
use uplift_store::Db;

fn camden() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/demo/camden")
}

/// The kind of each file name (Camden extract and shared/data use the same names).
fn kind_of(name: &str) -> Kind {
    let k = [
        ("links_edubasealldata", Kind::GiasLinks),
        ("edubase", Kind::Gias),
        ("allgroupsdata", Kind::GiasGroups),
        ("alllinksdata_grouplinks", Kind::GiasGroupLinks),
        ("spc_", Kind::Spc),
        ("ofsted_mi", Kind::Ofsted),
        ("england_ks2", Kind::Ks2),
        ("england_ks4", Kind::Ks4),
        ("ks4_school_info", Kind::Ks4),
        ("england_census", Kind::Census),
        ("england_abs", Kind::Absence),
    ];
    k.iter()
        .find(|(p, _)| name.contains(p))
        .map(|(_, k)| *k)
        .unwrap_or_else(|| panic!("no kind for {name}"))
}

/// Register first, so joins on URN find their schools.
fn import_order(dir: &Path) -> Vec<(PathBuf, Kind)> {
    let mut files: Vec<(PathBuf, Kind)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .map(|p| {
            let k = kind_of(&p.file_name().unwrap().to_string_lossy());
            (p, k)
        })
        .collect();
    files.sort_by_key(|(p, k)| (Kind::ALL.iter().position(|x| x == k), p.clone()));
    files
}

/// Records and rejected rows as the reader alone counts them.
fn reader_counts(kind: Kind, path: &Path) -> (u64, u64) {
    let (mut ok, mut bad) = (0, 0);
    for r in uplift_ingest::open(kind, path).unwrap() {
        match r {
            Ok(_) => ok += 1,
            Err(_) => bad += 1,
        }
    }
    (ok, bad)
}

async fn count(db: &Db, table: &str) -> i64 {
    db.execute_raw_text(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}"))
        .await
        .unwrap()
        .parse()
        .unwrap()
}

const TABLES: &[&str] = &[
    "schools",
    "establishment_links",
    "register_groups",
    "group_links",
    "inspections_graded",
    "inspections_ungraded",
    "inspections_report_card",
    "performance_measures",
    "spc_figures",
    "school_changes",
    "intelligence",
];

async fn counts(db: &Db) -> Vec<i64> {
    let mut v = Vec::new();
    for t in TABLES {
        v.push(count(db, t).await);
    }
    v
}

#[tokio::test]
async fn every_camden_file_imports_and_reimport_changes_nothing() {
    for (db, _g) in each_backend().await {
        let opts = ImportOptions::default();
        for (path, kind) in import_order(&camden()) {
            let (ok, bad) = reader_counts(kind, &path);
            let s = db.import_file(kind, &path, &opts).await.unwrap();
            assert_eq!(
                s.inserted + s.updated + s.unchanged + s.skipped,
                ok,
                "{}: {s:?}",
                path.display()
            );
            assert_eq!(s.rejected.len() as u64, bad, "{}", path.display());
        }
        assert_eq!(count(&db, "spc_figures").await, 90);
        assert_eq!(count(&db, "register_groups").await, 9);
        assert_eq!(count(&db, "group_links").await, 9);
        assert!(count(&db, "inspections_report_card").await > 0);
        let before = counts(&db).await;
        let audit_before = db.audit_count(None).await.unwrap();
        for (path, kind) in import_order(&camden()) {
            let s = db.import_file(kind, &path, &opts).await.unwrap();
            assert_eq!((s.inserted, s.updated), (0, 0), "{}: {s:?}", path.display());
        }
        assert_eq!(counts(&db).await, before, "re-import wrote rows");
        // One audit entry per import.
        assert_eq!(
            db.audit_count(None).await.unwrap(),
            audit_before + import_order(&camden()).len() as i64
        );
    }
}
