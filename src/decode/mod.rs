//! The decode stage: which requests and cookies belong to trackers, and what each tracking pixel
//! told its vendor.
//!
//! - [`Classifier`] matches requests against the vendor catalogue (`vendors.json`, written by this
//!   project) and any EasyPrivacy-format lists (Brave's `adblock` engine), and cookies against the
//!   catalogue's cookie names.
//! - [`decode_request`] and [`decode_websocket_frame`] turn a recorded request or frame into
//!   [`TrackerEvent`]s with one pure decoder per vendor (`decoders/`): page URL, event name,
//!   custom data, hashed user data and identifiers, each with the wire field that carried it.
//! - [`annotate_phase`] does both for everything one phase recorded.
//!
//! Every decoder reads hostile input: bodies are bounded, decoding is lossy, and a malformed
//! payload yields whatever could be read, never a panic.

mod catalogue;
mod classifier;
pub(crate) mod decoders;
mod event;
#[doc(hidden)]
pub mod fuzzing;
mod lists;
mod wire;

use std::path::PathBuf;

use crate::model::{Phase, Request, Step, TrackerEvent, WebSocketFrame};

pub use catalogue::CATEGORIES;
pub use classifier::{
    Classifier, CookieMatch, CATEGORY_TRACKING, CATEGORY_UNKNOWN, MATCHED_BY_CATALOGUE,
};
pub use lists::EASYPRIVACY_NAME;

/// A filter list to load: its name in results (`matched_by`, provenance) and its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSource {
    pub name: String,
    pub path: PathBuf,
}

/// Events decoded from one request are cut at this many (a GA4 batch holds a few dozen).
const MAX_EVENTS_PER_REQUEST: usize = 500;
/// Events kept for one phase.
const MAX_EVENTS_PER_PHASE: usize = 20_000;

/// What a tracking request told its vendor. `vendor` is the catalogue vendor's name or id (as in
/// [`TrackerMatch::vendor`](crate::model::TrackerMatch)); when it is `None` or not a catalogue
/// vendor, the URL decides. Requests of vendors without a decoder, and endpoints that carry no
/// payload (scripts, config), yield nothing.
pub fn decode_request(request: &Request, vendor: Option<&str>) -> Vec<TrackerEvent> {
    let catalogue = catalogue::builtin();
    let vendor = vendor
        .and_then(|name| catalogue.vendor(name))
        .or_else(|| catalogue.match_url(&request.url));
    let Some(vendor) = vendor else {
        return Vec::new();
    };
    let Some(decoder) = vendor
        .decoder
        .as_deref()
        .and_then(decoders::request_decoder)
    else {
        return Vec::new();
    };
    let wire = wire::WireRequest::from_request(request);
    let mut events = decoder(&wire);
    events.truncate(MAX_EVENTS_PER_REQUEST);
    for event in &mut events {
        event.vendor = vendor.name.clone();
        event.request_url = request.url.clone();
        event.step = request.step;
    }
    events
}

/// What a WebSocket frame the page sent told its vendor (Hotjar streams recordings this way).
/// Frames the page received, and frames to vendors without a frame decoder, yield nothing.
pub fn decode_websocket_frame(frame: &WebSocketFrame) -> Vec<TrackerEvent> {
    // Base64 doubles a binary frame; anything larger than a body the decoders would read is
    // page content (a DOM snapshot), not a message about the visitor.
    if !frame.direction.eq_ignore_ascii_case("sent")
        || frame.payload.len() > 2 * wire::MAX_BODY_BYTES
    {
        return Vec::new();
    }
    let Some(vendor) = catalogue::builtin().match_url(&frame.url) else {
        return Vec::new();
    };
    let Some(decoder) = vendor.decoder.as_deref().and_then(decoders::frame_decoder) else {
        return Vec::new();
    };
    let mut events = decoder(frame);
    events.truncate(MAX_EVENTS_PER_REQUEST);
    for event in &mut events {
        event.vendor = vendor.name.clone();
        event.request_url = frame.url.clone();
    }
    events
}

/// Stage entry: fills each request's `tracker`, each cookie's `vendor`, `category` and
/// `is_identifier`, and replaces `phase.events` with the events decoded from the phase's tracker
/// requests and sent WebSocket frames, each carrying its request's `step`.
pub fn annotate_phase(phase: &mut Phase, site_url: &str, classifier: &Classifier) {
    for request in &mut phase.requests {
        request.tracker = classifier.match_request_with_method(
            &request.url,
            request_source_url(request, site_url),
            &request.resource_type,
            &request.method,
        );
    }
    for cookie in &mut phase.cookies {
        let known = classifier.match_cookie(&cookie.name, &cookie.domain);
        cookie.is_identifier = known.as_ref().is_some_and(|k| k.is_identifier);
        cookie.category = known.as_ref().map(|k| k.category.clone());
        cookie.vendor = known.map(|k| k.vendor);
    }
    let mut events = Vec::new();
    for request in &phase.requests {
        if let Some(tracker) = &request.tracker {
            events.extend(decode_request(request, Some(&tracker.vendor)));
        }
    }
    for frame in &phase.websocket_frames {
        let step = handshake_step(&phase.requests, &frame.url);
        events.extend(decode_websocket_frame(frame).into_iter().map(|mut event| {
            event.step = step;
            event
        }));
    }
    events.truncate(MAX_EVENTS_PER_PHASE);
    phase.events = events;
}

/// The document a request came from, as list rules with `$domain` and `$third-party` see it: the
/// requesting frame for subresources, the site for documents (a frame's own navigation is
/// recorded against itself).
fn request_source_url<'a>(request: &'a Request, site_url: &'a str) -> &'a str {
    if request.resource_type.eq_ignore_ascii_case("document") {
        return site_url;
    }
    request
        .frame_url
        .as_deref()
        .filter(|frame| frame.starts_with("http://") || frame.starts_with("https://"))
        .unwrap_or(site_url)
}

/// A frame belongs to the step in which its socket was opened.
fn handshake_step(requests: &[Request], socket_url: &str) -> Step {
    requests
        .iter()
        .find(|r| r.url == socket_url && r.resource_type.eq_ignore_ascii_case("websocket"))
        .map(|r| r.step)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Cookie;

    fn request(url: &str, resource_type: &str, step: Step) -> Request {
        Request {
            url: url.to_string(),
            method: "GET".to_string(),
            resource_type: resource_type.to_string(),
            step,
            ..Request::default()
        }
    }

    #[test]
    fn annotates_requests_cookies_and_events_of_a_phase() {
        let mut phase = Phase {
            requests: vec![
                request("https://apotek.example/", "document", Step::Load),
                request(
                    "https://www.facebook.com/tr/?id=42&ev=PageView&dl=https%3A%2F%2Fapotek.example%2F",
                    "image",
                    Step::Load,
                ),
                request(
                    "https://www.facebook.com/tr/?id=42&ev=AddToCart&cd[content_name]=Graviditetstest",
                    "image",
                    Step::Answer,
                ),
                request("https://connect.facebook.net/en_US/fbevents.js", "script", Step::Load),
                request("https://apotek.example/app.js", "script", Step::Load),
                request("wss://ws.hotjar.com/api/v2/client/ws?v=7&site_id=99", "websocket", Step::Reload),
            ],
            cookies: vec![
                Cookie {
                    name: "_fbp".into(),
                    domain: ".apotek.example".into(),
                    ..Cookie::default()
                },
                Cookie {
                    name: "session".into(),
                    domain: "apotek.example".into(),
                    vendor: Some("stale".into()),
                    ..Cookie::default()
                },
            ],
            websocket_frames: vec![WebSocketFrame {
                url: "wss://ws.hotjar.com/api/v2/client/ws?v=7&site_id=99".into(),
                direction: "sent".into(),
                payload: r#"{"action":"identify_user","user_id":"u-1","url":"https://apotek.example/"}"#.into(),
                opcode: Some(1),
                time_ms: 10.0,
            }],
            ..Phase::default()
        };
        let classifier = Classifier::builtin();
        annotate_phase(&mut phase, "https://apotek.example/", &classifier);

        let vendors: Vec<Option<&str>> = phase
            .requests
            .iter()
            .map(|r| r.tracker.as_ref().map(|t| t.vendor.as_str()))
            .collect();
        assert_eq!(
            vendors,
            vec![
                None,
                Some("Meta Pixel"),
                Some("Meta Pixel"),
                Some("Meta Pixel"),
                None,
                Some("Hotjar")
            ]
        );
        assert_eq!(phase.cookies[0].vendor.as_deref(), Some("Meta Pixel"));
        assert_eq!(phase.cookies[0].category.as_deref(), Some("advertising"));
        assert!(phase.cookies[0].is_identifier);
        assert_eq!(
            phase.cookies[1].vendor, None,
            "stale annotations are cleared"
        );

        let summary: Vec<(&str, Option<&str>, Step)> = phase
            .events
            .iter()
            .map(|e| (e.vendor.as_str(), e.event.as_deref(), e.step))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("Meta Pixel", Some("PageView"), Step::Load),
                ("Meta Pixel", Some("AddToCart"), Step::Answer),
                ("Hotjar", Some("identify_user"), Step::Reload),
            ]
        );
        assert_eq!(phase.events[1].data["content_name"], "Graviditetstest");

        // Annotating twice gives the same result.
        let once = phase.clone();
        annotate_phase(&mut phase, "https://apotek.example/", &classifier);
        assert_eq!(phase, once);
    }

    #[test]
    fn decode_request_finds_the_vendor_from_the_url_or_the_name() {
        let pixel = request(
            "https://www.facebook.com/tr/?id=42&ev=Purchase",
            "image",
            Step::Answer,
        );
        for vendor in [
            None,
            Some("Meta Pixel"),
            Some("meta_pixel"),
            Some("facebook.com"),
        ] {
            let events = decode_request(&pixel, vendor);
            assert_eq!(events.len(), 1, "vendor {vendor:?}");
            assert_eq!(events[0].vendor, "Meta Pixel");
            assert_eq!(events[0].request_url, pixel.url);
            assert_eq!(events[0].step, Step::Answer);
        }
        let unknown = request("https://shop.example/track?ev=x", "image", Step::Load);
        assert!(decode_request(&unknown, None).is_empty());
        let no_decoder = request(
            "https://www.googletagmanager.com/gtm.js?id=GTM-1",
            "script",
            Step::Load,
        );
        assert!(decode_request(&no_decoder, None).is_empty());
    }

    #[test]
    fn received_frames_are_not_decoded() {
        let frame = WebSocketFrame {
            url: "wss://ws.hotjar.com/api/v2/client/ws".into(),
            direction: "received".into(),
            payload: r#"{"action":"identify_user","user_id":"u-1"}"#.into(),
            opcode: Some(1),
            time_ms: 0.0,
        };
        assert!(decode_websocket_frame(&frame).is_empty());
    }
}
