//! The input policy (`check_url`) and the registrable-domain logic, on arbitrary text.
//! Run with `cargo +nightly fuzz run check_url`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = consentlens::fuzzing::check_url_input(data);
});
