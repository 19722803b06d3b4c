//! Entry points for the cargo-fuzz targets in `fuzz/` (and for the test that replays their seed
//! corpus), so that the targets are one line each and compile as ordinary code.
//!
//! A `decode_request` input is text-framed so that seeds stay readable:
//!
//! ```text
//! <vendor name or id, may be empty>
//! <METHOD> <URL>
//! <Content-Type, may be empty>
//!
//! <body bytes>
//! ```

use base64::Engine as _;

use crate::decode::lists::ListEngine;
use crate::decode::{decode_request, decode_websocket_frame, Classifier};
use crate::model::{Request, TrackerEvent, WebSocketFrame};

/// Inputs beyond this are cut, as the decoders cut bodies.
const MAX_INPUT_BYTES: usize = 1 << 20;

/// Decodes one framed request every way the pipeline would: as a request (by its named vendor
/// and by its URL), and its body as a sent WebSocket frame (text and binary).
pub fn decode_request_input(data: &[u8]) -> Vec<TrackerEvent> {
    let data = &data[..data.len().min(MAX_INPUT_BYTES)];
    let (vendor, rest) = split_line(data);
    let (request_line, rest) = split_line(rest);
    let (content_type, rest) = split_line(rest);
    let body = rest.strip_prefix(b"\n").unwrap_or(rest);

    let vendor = String::from_utf8_lossy(vendor).trim().to_string();
    let request_line = String::from_utf8_lossy(request_line);
    let (method, url) = request_line
        .trim()
        .split_once(' ')
        .unwrap_or(("GET", request_line.trim()));
    let content_type = String::from_utf8_lossy(content_type).trim().to_string();

    let mut request = Request {
        url: url.trim().to_string(),
        method: method.to_string(),
        resource_type: "xhr".to_string(),
        content_type: (!content_type.is_empty()).then_some(content_type),
        ..Request::default()
    };
    if !body.is_empty() {
        match std::str::from_utf8(body) {
            Ok(text) => request.post_data = Some(text.to_string()),
            Err(_) => {
                request.post_data_base64 =
                    Some(base64::engine::general_purpose::STANDARD.encode(body))
            }
        }
    }

    let classifier = Classifier::builtin();
    let _ = classifier.match_request(
        &request.url,
        "https://site.example/",
        &request.resource_type,
    );
    let named = (!vendor.is_empty()).then_some(vendor.as_str());
    let mut events = decode_request(&request, named);
    if named.is_some() {
        events.extend(decode_request(&request, None));
    }
    let ws_url = request.url.replacen("https://", "wss://", 1);
    for (opcode, payload) in [
        (1, String::from_utf8_lossy(body).into_owned()),
        (2, base64::engine::general_purpose::STANDARD.encode(body)),
    ] {
        events.extend(decode_websocket_frame(&WebSocketFrame {
            url: ws_url.clone(),
            direction: "sent".to_string(),
            payload,
            opcode: Some(opcode),
            time_ms: 0.0,
        }));
    }
    events
}

/// Compiles the input as a filter list and matches a few requests against it; the list's rule
/// count when it compiled.
pub fn parse_list_input(data: &[u8]) -> Option<usize> {
    let data = &data[..data.len().min(MAX_INPUT_BYTES)];
    let engine = ListEngine::from_bytes(vec![("fuzz".to_string(), data.to_vec())]).ok()?;
    for (url, request_type) in [
        ("https://www.tracker.example/collect?id=1", "image"),
        ("https://cdn.site.example/app.js", "script"),
        ("wss://ws.tracker.example/socket", "websocket"),
        ("https://site.example/frame.html", "subdocument"),
    ] {
        let _ = engine.check(url, "https://site.example/", request_type, "GET");
    }
    engine.provenance().first().map(|list| list.rules)
}

fn split_line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/corpus")
            .join(target);
        let mut seeds: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.is_file())
            .map(|path| {
                let bytes = std::fs::read(&path).unwrap();
                (path, bytes)
            })
            .collect();
        seeds.sort();
        seeds
    }

    #[test]
    fn every_decode_request_seed_decodes_to_events() {
        let seeds = corpus("decode_request");
        assert!(seeds.len() >= 14, "only {} seeds", seeds.len());
        for (path, bytes) in seeds {
            let events = decode_request_input(&bytes);
            assert!(!events.is_empty(), "{} decoded to nothing", path.display());
            // Every prefix, as a truncated capture would be, still decodes without panicking.
            for cut in (0..bytes.len()).step_by(7) {
                let _ = decode_request_input(&bytes[..cut]);
            }
        }
    }

    #[test]
    fn every_parse_list_seed_compiles() {
        let seeds = corpus("parse_list");
        assert!(!seeds.is_empty());
        for (path, bytes) in seeds {
            let rules = parse_list_input(&bytes);
            assert!(
                rules.is_some_and(|n| n > 0),
                "{} has no rules",
                path.display()
            );
            for cut in (0..bytes.len()).step_by(5) {
                let _ = parse_list_input(&bytes[..cut]);
            }
        }
    }

    #[test]
    fn framing_tolerates_missing_parts() {
        assert!(decode_request_input(b"").is_empty());
        assert!(decode_request_input(b"meta_pixel").is_empty());
        let events = decode_request_input(b"\nGET https://www.facebook.com/tr?id=1&ev=Lead");
        assert_eq!(events[0].event.as_deref(), Some("Lead"));
        assert_eq!(parse_list_input(b""), None);
        assert_eq!(parse_list_input(b"||a.example^\n"), Some(1));
    }
}
