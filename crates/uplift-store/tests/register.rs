//! The register: imports of every Camden file on both backends, re-import,
//! change history, intelligence, bad input, --la, quartiles and search.

use std::path::{Path, PathBuf};

use uplift_domain::register::LaCode;
use uplift_ingest::Kind;
use uplift_store::register::{ImportOptions, SchoolFilter, SchoolSort};
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

fn opts_la(la: &[u16]) -> ImportOptions {
    ImportOptions {
        la: la.iter().map(|&l| LaCode::new(l).unwrap()).collect(),
        ..ImportOptions::default()
    }
}

#[tokio::test]
async fn a_newer_file_records_changes_field_by_field_and_a_new_head() {
    let original = std::fs::read(camden().join("edubaseallstatefunded_2026_EXCERPT.csv")).unwrap();
    let text = String::from_utf8(original.clone()).unwrap();
    // Thomas Coram Centre (100005): an invented new headteacher surname.
    assert!(text.contains("\"Ms\",\"Perina\",\"Holness\""));
    let changed = text.replace("\"Holness\"", "\"Inventedname\"");
    for (db, _g) in each_backend().await {
        let opts = ImportOptions {
            changed_on: Some("2026-03-01".into()),
            ..ImportOptions::default()
        };
        let s = db
            .import_bytes(Kind::Gias, "gias_v1.csv", &original, &opts)
            .await
            .unwrap();
        assert_eq!((s.inserted, s.updated), (36, 0));
        let s = db
            .import_bytes(Kind::Gias, "gias_v2.csv", changed.as_bytes(), &opts)
            .await
            .unwrap();
        assert_eq!((s.inserted, s.updated, s.unchanged), (0, 1, 35), "{s:?}");
        let p = db.school_profile(100005, None).await.unwrap().unwrap();
        assert_eq!(p.changes.len(), 1, "{:?}", p.changes);
        let c = &p.changes[0];
        assert_eq!(c.field, "head_last_name");
        assert_eq!(c.old_value.as_deref(), Some("Holness"));
        assert_eq!(c.new_value.as_deref(), Some("Inventedname"));
        assert_eq!(c.changed_on, "2026-03-01");
        assert_eq!(c.source_file, "gias_v2.csv");
        assert_eq!(p.intelligence.len(), 1);
        let i = &p.intelligence[0];
        assert_eq!(i.kind, "leadership_change");
        assert!(
            i.summary.contains("Ms Perina Inventedname"),
            "{}",
            i.summary
        );
        assert!(i.summary.contains("Ms Perina Holness"), "{}", i.summary);
        assert_eq!(i.organisation_id, None);
        assert_eq!(p.school.head_start_date.as_deref(), Some("2026-03-01"));
        assert_eq!(p.head_name.as_deref(), Some("Ms Perina Inventedname"));
        // The same newer file again: nothing more.
        let s = db
            .import_bytes(Kind::Gias, "gias_v2.csv", changed.as_bytes(), &opts)
            .await
            .unwrap();
        assert_eq!((s.inserted, s.updated, s.unchanged), (0, 0, 36));
        assert_eq!(count(&db, "school_changes").await, 1);
        assert_eq!(count(&db, "intelligence").await, 1);
        // A school missing from a later file is not deleted; a closed one is marked closed.
        let closed = text.replacen(",\"Open\",", ",\"Closed\",", 1);
        let only_first: String = closed.lines().take(2).map(|l| format!("{l}\n")).collect();
        let s = db
            .import_bytes(Kind::Gias, "gias_v3.csv", only_first.as_bytes(), &opts)
            .await
            .unwrap();
        assert_eq!(s.updated, 1);
        assert_eq!(count(&db, "schools").await, 36);
        let p = db.school_profile(100005, None).await.unwrap().unwrap();
        assert_eq!(p.school.status.as_deref(), Some("Closed"));
    }
}

#[tokio::test]
async fn bad_rows_are_reported_and_fatal_errors_write_nothing() {
    let abs = std::fs::read_to_string(camden().join("england_abs.csv")).unwrap();
    assert!(abs.contains("\n202,2001,139837,3.8,4.4\n"));
    let bad = abs.replace("\n202,2001,139837,3.8,4.4\n", "\n202,2001,139837,3.8\n");
    for (db, _g) in each_backend().await {
        let s = db
            .import_bytes(
                Kind::Absence,
                "abs_bad.csv",
                bad.as_bytes(),
                &ImportOptions::default(),
            )
            .await
            .unwrap();
        assert_eq!(s.rejected.len(), 1, "{s:?}");
        assert_eq!(s.rejected[0].line, 3);
        assert_eq!(s.inserted, 58 - 1);

        // A file of another kind: refused, nothing written, no audit entry.
        let before = counts(&db).await;
        let audit = db.audit_count(None).await.unwrap();
        let links = camden().join("links_edubasealldata20250422.csv");
        let e = db
            .import_file(Kind::Gias, &links, &ImportOptions::default())
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("links_edubasealldata20250422.csv"), "{e}");
        assert!(e.contains("missing columns"), "{e}");
        // A read failure part-way: the transaction rolls back.
        let spc =
            std::fs::read(camden().join("spc_school_level_underlying_data_202223.csv")).unwrap();
        let reader =
            uplift_ingest::read_any(Kind::Spc, "spc_cut.csv", FailAfter::new(spc, 60_000)).unwrap();
        let e = db
            .import(Kind::Spc, "spc_cut.csv", reader, &ImportOptions::default())
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("spc_cut.csv") && e.contains("line"), "{e}");
        assert_eq!(counts(&db).await, before);
        assert_eq!(db.audit_count(None).await.unwrap(), audit);
    }
}

/// Reads normally on the encoding scan, then fails part-way through the second pass.
struct FailAfter {
    data: std::io::Cursor<Vec<u8>>,
    limit: u64,
    rewound: bool,
}
impl FailAfter {
    fn new(data: Vec<u8>, limit: u64) -> Self {
        FailAfter {
            data: std::io::Cursor::new(data),
            limit,
            rewound: false,
        }
    }
}
impl std::io::Read for FailAfter {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.rewound && self.data.position() >= self.limit {
            return Err(std::io::Error::other("disk went away"));
        }
        let n = buf.len().min(4096);
        self.data.read(&mut buf[..n])
    }
}
impl std::io::Seek for FailAfter {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        self.rewound = true;
        self.data.seek(pos)
    }
}

#[tokio::test]
async fn la_filter_keeps_only_those_authorities_and_national_rows() {
    let spc = camden().join("spc_school_level_underlying_data_202223.csv");
    let census = camden().join("england_census.csv");
    for (db, _g) in each_backend().await {
        let s = db
            .import_file(Kind::Spc, &spc, &opts_la(&[201]))
            .await
            .unwrap();
        assert_eq!((s.inserted, s.skipped), (0, 90));
        assert_eq!(count(&db, "schools").await, 0);
        let s = db
            .import_file(Kind::Census, &census, &opts_la(&[999]))
            .await
            .unwrap();
        assert!(s.inserted > 0 && s.skipped > 0, "{s:?}");
        let schools = db
            .execute_raw_text(
                "SELECT CAST(COUNT(*) AS TEXT) FROM performance_measures WHERE level = 'school'",
            )
            .await
            .unwrap();
        assert_eq!(schools, "0");
        let s = db
            .import_file(Kind::Spc, &spc, &opts_la(&[201, 202]))
            .await
            .unwrap();
        assert_eq!((s.inserted, s.skipped), (90, 0));
    }
}

#[tokio::test]
async fn quartiles_within_each_authority_by_hand() {
    // Invented URNs and figures.
    let csv = "LA,ESTAB,URN,PERCTOT,PPERSABS10\n\
               202,1001,900001,5.0,1\n\
               202,1002,900002,1.0,1\n\
               202,1003,900003,3.0,1\n\
               202,1004,900004,2.0,1\n\
               202,1005,900005,4.0,SUPP\n\
               203,1001,900006,10.0,2\n\
               203,1002,900007,20.0,3\n\
               NAT,PRI,,4,8.2\n";
    for (db, _g) in each_backend().await {
        db.import_bytes(
            Kind::Absence,
            "abs_fixture.csv",
            csv.as_bytes(),
            &ImportOptions::default(),
        )
        .await
        .unwrap();
        let got = db
            .execute_raw_text(
                "SELECT urn || ':' || measure || ':' || COALESCE(CAST(quartile AS TEXT), '-') FROM performance_measures
                 ORDER BY measure, urn",
            )
            .await
            .unwrap();
        // PERCTOT in 202 sorted 1,2,3,4,5 -> ranks 0..4 -> 4r/5+1 = 1,1,2,3,4.
        // In 203: 10, 20 -> 1, 3. PPERSABS10 in 202: four ties at rank 0 -> 1; SUPP has none.
        let want = [
            "900001:PERCTOT:4",
            "900002:PERCTOT:1",
            "900003:PERCTOT:2",
            "900004:PERCTOT:1",
            "900005:PERCTOT:3",
            "900006:PERCTOT:1",
            "900007:PERCTOT:3",
            "900001:PPERSABS10:1",
            "900002:PPERSABS10:1",
            "900003:PPERSABS10:1",
            "900004:PPERSABS10:1",
            "900005:PPERSABS10:-",
            "900006:PPERSABS10:1",
            "900007:PPERSABS10:3",
        ];
        let got: Vec<&str> = got.lines().filter(|l| !l.is_empty()).collect();
        assert_eq!(got, want);
        // The national row is the comparator (its URN is NULL, so it is not listed above).
        assert_eq!(
            uplift_domain::register::rules::quartiles(&[5.0, 1.0, 3.0, 2.0, 4.0]),
            vec![4, 1, 2, 1, 3]
        );
    }
}

#[tokio::test]
async fn school_search_filters_sorts_and_profiles() {
    for (db, _g) in each_backend().await {
        for (path, kind) in import_order(&camden()) {
            db.import_file(kind, &path, &ImportOptions::default())
                .await
                .unwrap();
        }
        let all = db.schools(&SchoolFilter::default()).await.unwrap();
        assert!(all.0 >= 90, "{}", all.0);
        // Case-insensitive substring of the name.
        let (n, rows) = db
            .schools(&SchoolFilter {
                q: Some("CORAM".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(rows[0].urn, 100005);
        // URN prefix.
        let (n, _) = db
            .schools(&SchoolFilter {
                q: Some("10000".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(n >= 5);
        // Filters and sort.
        let (n, rows) = db
            .schools(&SchoolFilter {
                la: Some("202".into()),
                phase: Some("primary".into()),
                sort: SchoolSort::Urn,
                descending: true,
                limit: 5,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(n > 5);
        assert_eq!(rows.len(), 5);
        assert!(rows.windows(2).all(|w| w[0].urn > w[1].urn));
        assert!(rows.iter().all(|r| r.phase.as_deref() == Some("Primary")));
        let (_, by_name) = db
            .schools(&SchoolFilter {
                sort: SchoolSort::Name,
                limit: 1000,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(by_name.windows(2).all(|w| w[0].name <= w[1].name));
        let (n, _) = db
            .schools(&SchoolFilter {
                status: Some("open".into()),
                la: Some("202".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(n > 0);
        // A profile with inspections in their own format, performance with comparators.
        let with_card: String = db
            .execute_raw_text("SELECT CAST(MIN(urn) AS TEXT) FROM inspections_report_card")
            .await
            .unwrap();
        let urn: i64 = with_card.parse().unwrap();
        let p = db.school_profile(urn, None).await.unwrap().unwrap();
        assert!(!p.report_cards.is_empty());
        assert!(p.report_cards.iter().all(|c| !c.generated));
        let absence = db.school_profile(100008, None).await.unwrap().unwrap();
        let m = absence
            .performance
            .iter()
            .find(|m| m.value.measure == "PERCTOT")
            .expect("absence measure");
        assert!(m.value.quartile.is_some());
        assert!(!m.national.is_empty(), "national comparator");
    }
}

/// `../shared/data` (CI always has it); `None` with one line when absent.
fn shared_data() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("national-data tests skipped: {} not found", dir.display());
        None
    }
}

#[tokio::test]
async fn every_national_file_imports_on_sqlite_with_counts_matching_the_reader() {
    let Some(dir) = shared_data() else { return };
    let (db, _g) = uplift_store::testkit::sqlite().await;
    let mut files = Vec::new();
    for sub in ["gias", "ofsted", "performance"] {
        files.extend(import_order(&dir.join(sub)));
    }
    // The register first (the census file is the national register), then the rest.
    files.sort_by_key(|(p, k)| {
        let spc_first = if *k == Kind::Spc { 0 } else { 1 };
        (spc_first, Kind::ALL.iter().position(|x| x == k), p.clone())
    });
    assert_eq!(files.len(), 14, "every CSV under shared/data");
    for (path, kind) in &files {
        let (ok, bad) = reader_counts(*kind, path);
        let s = db
            .import_file(*kind, path, &ImportOptions::default())
            .await
            .unwrap();
        println!(
            "{}: {} inserted, {} updated, {} unchanged, {} rejected",
            path.display(),
            s.inserted,
            s.updated,
            s.unchanged,
            s.rejected.len()
        );
        assert_eq!(
            s.inserted + s.updated + s.unchanged,
            ok,
            "{}",
            path.display()
        );
        assert_eq!(s.rejected.len() as u64, bad, "{}", path.display());
    }
    assert_eq!(count(&db, "spc_figures").await, 24_442);
    assert_eq!(count(&db, "register_groups").await, 6_904);
    assert_eq!(count(&db, "group_links").await, 20_613);
    let (n, _) = db.schools(&SchoolFilter::default()).await.unwrap();
    assert!(n >= 24_442, "{n}");
    // Search on the national register answers at once.
    let t = std::time::Instant::now();
    let (n, rows) = db
        .schools(&SchoolFilter {
            q: Some("st mary".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    println!("search 'st mary': {n} schools in {:?}", t.elapsed());
    assert!(n > 50 && !rows.is_empty());
}
