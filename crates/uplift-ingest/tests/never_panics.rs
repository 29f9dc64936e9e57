//! Property tests: no reader panics on arbitrary bytes, and every row is accounted for.

use proptest::prelude::*;
use std::io::Cursor;
use uplift_ingest::{read_any, Kind};

const HEADERS: &[&str] = &[
    "\"URN\",\"LinkURN\",\"LinkName\",\"LinkType\",\"LinkEstablishedDate\"\r\n",
    "LA,ESTAB,URN,PERCTOT,PPERSABS10\n",
    "URN,LA,ESTAB,SCHOOLTYPE,NOR,PNUMEAL\n",
    "RECTYPE,URN,PTREADAT\n",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        for kind in Kind::ALL {
            if let Ok(reader) = read_any(kind, "fuzz.csv", Cursor::new(bytes.clone())) {
                for _ in reader {}
            }
        }
    }

    #[test]
    fn arbitrary_rows_under_a_valid_header_never_panic(
        h in 0usize..HEADERS.len(),
        body in proptest::collection::vec(
            prop_oneof![Just(b','), Just(b'"'), Just(b'\n'), Just(b'\r'), Just(0xe0u8), Just(0x81u8), any::<u8>(), b'0'..=b'9'],
            0..600,
        ),
    ) {
        let mut bytes = HEADERS[h].as_bytes().to_vec();
        bytes.extend_from_slice(&body);
        for kind in Kind::ALL {
            if let Ok(reader) = read_any(kind, "fuzz.csv", Cursor::new(bytes.clone())) {
                let mut last_line = 0;
                for row in reader {
                    let line = match &row { Ok(r) => r.line, Err(e) => e.line };
                    prop_assert!(line > last_line, "lines must increase");
                    last_line = line;
                }
            }
        }
    }
}
