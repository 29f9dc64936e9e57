//! Small inline fixtures for every kind of bad input.

use std::io::Cursor;
use uplift_ingest::{read_any, AnyRecord, IngestError, Kind, Reason, Record, RowError};

type Rows = Vec<Result<Record<AnyRecord>, RowError>>;

fn read(kind: Kind, bytes: &[u8]) -> Result<Rows, IngestError> {
    Ok(read_any(kind, "fixture.csv", Cursor::new(bytes.to_vec()))?.collect())
}

fn rejected(rows: &Rows) -> Vec<&RowError> {
    rows.iter().filter_map(|r| r.as_ref().err()).collect()
}

const LINKS_HEADER: &str =
    "\"URN\",\"LinkURN\",\"LinkName\",\"LinkType\",\"LinkEstablishedDate\"\r\n";

#[test]
fn cp1252_file_is_decoded() {
    let mut b = LINKS_HEADER.as_bytes().to_vec();
    b.extend_from_slice(
        b"108299,138950,\"St Thomas \xe0 Becket\",\"Successor\",\"31-10-2012\"\r\n",
    );
    let rows = read(Kind::GiasLinks, &b).unwrap();
    let Ok(Record {
        line: 2,
        value: AnyRecord::Link(l),
    }) = &rows[0]
    else {
        panic!("{rows:?}")
    };
    assert_eq!(l.linked_name.as_deref(), Some("St Thomas \u{e0} Becket"));
}

#[test]
fn undefined_cp1252_byte_rejects_the_row() {
    let mut b = LINKS_HEADER.as_bytes().to_vec();
    b.extend_from_slice(b"100001,100002,\"Bad \x81 byte\",\"Successor\",\"01-01-2020\"\r\n");
    b.extend_from_slice(b"100003,100004,\"Fine\",\"Successor\",\"01-01-2020\"\r\n");
    let rows = read(Kind::GiasLinks, &b).unwrap();
    let e = rows[0].as_ref().unwrap_err();
    assert_eq!(e.line, 2);
    assert_eq!(e.field.as_deref(), Some("LinkName"));
    assert_eq!(e.reason, Reason::UndecodableByte { byte: 0x81 });
    assert!(rows[1].is_ok());
}

#[test]
fn replacement_character_in_utf8_file_rejects_the_row() {
    let text = format!(
        "{LINKS_HEADER}108299,138950,\"St Thomas \u{fffd} Becket\",\"Successor\",\"31-10-2012\"\r\n"
    );
    let rows = read(Kind::GiasLinks, text.as_bytes()).unwrap();
    let e = rows[0].as_ref().unwrap_err();
    assert_eq!((e.line, e.field.as_deref()), (2, Some("LinkName")));
    assert!(matches!(e.reason, Reason::ReplacementCharacter { .. }));
    assert!(e.to_string().contains("fixture.csv: line 2"));
}

#[test]
fn utf8_with_bom_is_read() {
    let b = "\u{feff}LA,ESTAB,URN,PERCTOT,PPERSABS10\n202,2000,100001,4.5,SUPP\n";
    let rows = read(Kind::Absence, b.as_bytes()).unwrap();
    let Ok(Record {
        value: AnyRecord::Absence(a),
        ..
    }) = &rows[0]
    else {
        panic!("{rows:?}")
    };
    assert_eq!(a.la_code.map(|l| l.get()), Some(202));
}

#[test]
fn missing_columns_are_listed() {
    let b = b"LA,ESTAB,URN,PERCTOT\n202,2000,100001,4.5\n";
    match read(Kind::Absence, b) {
        Err(IngestError::UnrecognisedHeader { missing, kind, .. }) => {
            assert_eq!(kind, "absence");
            assert_eq!(missing, vec!["PPERSABS10".to_owned()]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn wrong_kind_of_file_is_refused() {
    let census = b"URN,LA,ESTAB,SCHOOLTYPE,NOR,PNUMEAL\n100001,202,2000,x,10,5\n";
    for kind in Kind::ALL {
        if kind == Kind::Census {
            assert!(read(kind, census).is_ok());
        } else {
            let e = read(kind, census).unwrap_err();
            assert!(
                matches!(e, IngestError::UnrecognisedHeader { .. }),
                "{kind}: {e}"
            );
            assert!(e.to_string().contains("missing columns"), "{e}");
        }
    }
    // Group links carry group columns too, but are not a groups file.
    let group_links = b",URN,Group UID,Group Name,Group Type,Group Status,Joined date\n0,100001,5,T,Trust,Open,2020-01-01\n";
    assert!(read(Kind::GiasGroups, group_links).is_err());
    assert!(read(Kind::GiasGroupLinks, group_links).is_ok());
}

#[test]
fn empty_file_is_refused() {
    assert!(matches!(
        read(Kind::Gias, b""),
        Err(IngestError::Empty { .. })
    ));
}

#[test]
fn duplicated_urns_are_reported() {
    let b = b"LA,ESTAB,URN,PERCTOT,PPERSABS10\n202,2000,100001,4.5,10\n202,2001,100001,4.6,11\n";
    let rows = read(Kind::Absence, b).unwrap();
    assert!(rows[0].is_ok());
    let e = rows[1].as_ref().unwrap_err();
    assert_eq!(e.line, 3);
    assert!(matches!(e.reason, Reason::DuplicateKey { .. }));
}

#[test]
fn malformed_dates_are_reported_with_field() {
    let text = format!("{LINKS_HEADER}100001,100002,\"A\",\"Successor\",\"31/02/2020\"\r\n100001,100003,\"B\",\"Successor\",\"2020\"\r\n");
    let rows = read(Kind::GiasLinks, text.as_bytes()).unwrap();
    for (i, r) in rows.iter().enumerate() {
        let e = r.as_ref().unwrap_err();
        assert_eq!(e.line, i as u64 + 2);
        assert_eq!(e.field.as_deref(), Some("LinkEstablishedDate"));
        assert!(matches!(e.reason, Reason::MalformedDate { .. }));
    }
}

#[test]
fn truncated_final_row_is_reported() {
    let text = format!(
        "{LINKS_HEADER}100001,100002,\"A\",\"Successor\",\"01-01-2020\"\r\n100001,100003,\"B"
    );
    let rows = read(Kind::GiasLinks, text.as_bytes()).unwrap();
    assert!(rows[0].is_ok());
    let e = rows[1].as_ref().unwrap_err();
    assert_eq!(e.line, 3);
    assert!(matches!(
        e.reason,
        Reason::TruncatedFinalRow {
            found: 3,
            expected: 5
        }
    ));
    // A short row in the middle is a field-count error, not truncation.
    let text = format!(
        "{LINKS_HEADER}100001,100002\r\n100001,100003,\"B\",\"Successor\",\"01-01-2020\"\r\n"
    );
    let rows = read(Kind::GiasLinks, text.as_bytes()).unwrap();
    assert!(matches!(
        rows[0].as_ref().unwrap_err().reason,
        Reason::WrongFieldCount { .. }
    ));
}

#[test]
fn blank_lines_are_skipped_and_lines_still_numbered() {
    let b = b"LA,ESTAB,URN,PERCTOT,PPERSABS10\r\n\r\n202,2000,100001,4.5,10\r\n   \r\n\n202,2001,100002,4.6,11\r\n\r\n";
    let rows = read(Kind::Absence, b).unwrap();
    let lines: Vec<u64> = rows.iter().map(|r| r.as_ref().unwrap().line).collect();
    assert_eq!(lines, vec![3, 6]);
}

#[test]
fn lf_and_crlf_give_the_same_records() {
    let lf = b"LA,ESTAB,URN,PERCTOT,PPERSABS10\n202,2000,100001,4.5,10\n";
    let crlf = b"LA,ESTAB,URN,PERCTOT,PPERSABS10\r\n202,2000,100001,4.5,10\r\n";
    let a: Vec<_> = read(Kind::Absence, lf)
        .unwrap()
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    let b: Vec<_> = read(Kind::Absence, crlf)
        .unwrap()
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(a, b);
}

#[test]
fn bad_urn_and_bad_number_name_the_field() {
    let b = b"LA,ESTAB,URN,PERCTOT,PPERSABS10\n202,2000,ABC,4.5,10\n202,2000,100002,lots,10\n";
    let rows = read(Kind::Absence, b).unwrap();
    let errs = rejected(&rows);
    assert_eq!(errs[0].field.as_deref(), Some("URN"));
    assert_eq!(errs[1].field.as_deref(), Some("PERCTOT"));
}

#[test]
fn markers_are_typed_not_available() {
    use uplift_domain::register::{Marker, MeasureValue};
    let b = b"LA,ESTAB,URN,PERCTOT,PPERSABS10\n202,2000,100001,SUPP,NE\nNAT,PRI,,4.2,NA\n";
    let rows = read(Kind::Absence, b).unwrap();
    let Ok(Record {
        value: AnyRecord::Absence(a),
        ..
    }) = &rows[0]
    else {
        panic!()
    };
    assert_eq!(
        a.overall_absence_percent,
        MeasureValue::NotAvailable(Marker::Suppressed)
    );
    assert_eq!(
        a.persistent_absence_percent,
        MeasureValue::NotAvailable(Marker::NoEntries)
    );
    let Ok(Record {
        value: AnyRecord::Absence(n),
        ..
    }) = &rows[1]
    else {
        panic!()
    };
    assert_eq!(n.level, uplift_domain::register::Level::National);
}

#[test]
fn ofsted_older_layout_with_overall_effectiveness() {
    use uplift_domain::register::{CategoryOfConcern, Inspection, OeifGrade};
    let b = b"URN,LAESTAB,School name,Inspection number,Inspection type,Inspection start date,Publication date,Overall effectiveness,Category of concern,Quality of education,Behaviour and attitudes,Personal development,Effectiveness of leadership and management,Safeguarding is effective?,Early years provision (where applicable),Sixth form provision (where applicable)\n100001,2022000,A School,10000001,S5 Inspection,05/03/2019,01/04/2019,4,SM,4,3,3,4,No,9,9\n";
    let rows = read(Kind::Ofsted, b).unwrap();
    let Ok(Record {
        value: AnyRecord::Ofsted(o),
        ..
    }) = &rows[0]
    else {
        panic!("{rows:?}")
    };
    let [Inspection::Graded(g)] = o.inspections.as_slice() else {
        panic!()
    };
    assert_eq!(g.overall_effectiveness, Some(OeifGrade::Inadequate));
    assert_eq!(
        g.category_of_concern,
        Some(CategoryOfConcern::SpecialMeasures)
    );
    assert_eq!(g.early_years, Some(OeifGrade::NotApplicable));
    assert_eq!(g.safeguarding_effective, Some(false));
    assert_eq!(o.la_code.map(|l| l.get()), Some(202));
}

#[test]
fn gias_groups_pandas_1900_means_unknown() {
    let b = b"Group UID,Group Name,Group Type,Group Status,Group Postcode,Open date,Closed Date\n5,T,Trust,Open,NW1 1AA,1900-01-01,2022-07-05\n";
    let rows = read(Kind::GiasGroups, b).unwrap();
    let Ok(Record {
        value: AnyRecord::Group(g),
        ..
    }) = &rows[0]
    else {
        panic!("{rows:?}")
    };
    assert_eq!(g.open_date, None);
    assert_eq!(g.closed_date, Some(jiff::civil::date(2022, 7, 5)));
}
