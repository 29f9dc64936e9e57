//! Reads every file of the shipped Camden extract (data/demo/camden) with the readers.

mod common;

use common::*;
use uplift_domain::register::Level;
use uplift_ingest::{AnyRecord, Kind};

fn kind_of(name: &str) -> Kind {
    NATIONAL_FILES
        .iter()
        .find(|(rel, _, _)| rel.ends_with(&format!("/{name}")))
        .map(|(_, k, _)| *k)
        .unwrap_or_else(|| panic!("no kind known for {name}"))
}

#[test]
fn every_camden_file_reads_completely() {
    let dir = camden_dir();
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).expect("data/demo/camden exists") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".csv") {
            continue;
        }
        files += 1;
        let kind = kind_of(&name);
        let bytes = std::fs::read(&path).unwrap();
        let (records, rejected) = read_all(kind, &path);
        assert!(rejected.is_empty(), "{name}: {rejected:?}");
        assert_eq!(records.len(), independent_row_count(&bytes), "{name}");
        assert!(!records.is_empty(), "{name}");
        for r in &records {
            let la = match r {
                AnyRecord::School(s) => Some(s.la_code),
                AnyRecord::GroupLink(g) => g.la_code,
                AnyRecord::Spc(s) => Some(s.la_code),
                AnyRecord::Ofsted(o) => o.la_code,
                AnyRecord::Census(c) if c.level == Level::School => c.la_code,
                AnyRecord::Absence(a) if a.level == Level::School => a.la_code,
                AnyRecord::Performance(p) if p.level != Level::National => p.la_code,
                _ => None,
            };
            if let Some(la) = la {
                assert_eq!(la.get(), 202, "{name}: {r:?}");
            }
        }
    }
    assert_eq!(files, 13, "every extract file is read");
}

#[test]
fn camden_extract_preserves_source_encodings() {
    let dir = camden_dir();
    let links = std::fs::read(dir.join("links_edubasealldata20250422.csv")).unwrap();
    assert!(links.windows(2).any(|w| w == b"\r\n"), "CRLF kept");
    let census = std::fs::read(dir.join("england_census.csv")).unwrap();
    assert!(census.starts_with(b"\xef\xbb\xbf"), "BOM kept");
}
