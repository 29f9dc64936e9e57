#![no_main]
//! Feeds arbitrary bytes to the `census` reader and drains it: it must never panic.

use libfuzzer_sys::fuzz_target;
use uplift_ingest::{read_any, Kind};

fuzz_target!(|data: &[u8]| {
    if let Ok(reader) = read_any(Kind::Census, "fuzz.csv", std::io::Cursor::new(data)) {
        for row in reader {
            let _ = row;
        }
    }
});
