//! Reading a result document back, loading its screenshots and rendering it, on arbitrary text.
//! Run with `cargo +nightly fuzz run read_report`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = consentlens::fuzzing::read_report_input(data);
});
