//! The filter-list loader and matcher, on arbitrary list text.
//! Run with `cargo +nightly fuzz run parse_list`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = consentlens::decode::fuzzing::parse_list_input(data);
});
