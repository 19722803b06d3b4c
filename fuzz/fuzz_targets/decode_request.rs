//! Every payload decoder, on arbitrary requests and WebSocket frames. Input format: see
//! `consentlens::decode::fuzzing`. Run with `cargo +nightly fuzz run decode_request`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = consentlens::decode::fuzzing::decode_request_input(data);
});
