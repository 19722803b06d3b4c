//! One payload decoder per vendor, each a pure function from a recorded request (or WebSocket
//! frame) to the events it carried. A decoder returns nothing for endpoints that carry no payload
//! (scripts, configuration) and whatever it could read from malformed ones.
//!
//! Decoders fill what the wire says; [`crate::decode::decode_request`] adds the vendor name, the
//! request URL and the step.

mod adform;
mod clarity;
mod floodlight;
mod ga4;
mod google_ads;
mod google_common;
mod hotjar;
mod linkedin;
mod meta_pixel;
mod microsoft_uet;
mod pinterest;
mod snap;
mod tiktok;
mod universal_analytics;
mod x_pixel;

use crate::decode::wire::WireRequest;
use crate::model::{TrackerEvent, WebSocketFrame};

pub(crate) type RequestDecoder = fn(&WireRequest<'_>) -> Vec<TrackerEvent>;
pub(crate) type FrameDecoder = fn(&WebSocketFrame) -> Vec<TrackerEvent>;

/// Decoder ids as `vendors.json` names them.
pub(crate) const REQUEST_DECODERS: &[(&str, RequestDecoder)] = &[
    ("adform", adform::decode),
    ("clarity", clarity::decode),
    ("floodlight", floodlight::decode),
    ("ga4", ga4::decode),
    ("google_ads", google_ads::decode),
    ("hotjar", hotjar::decode),
    ("linkedin", linkedin::decode),
    ("meta_pixel", meta_pixel::decode),
    ("microsoft_uet", microsoft_uet::decode),
    ("pinterest", pinterest::decode),
    ("snap", snap::decode),
    ("tiktok", tiktok::decode),
    ("universal_analytics", universal_analytics::decode),
    ("x_pixel", x_pixel::decode),
];

const FRAME_DECODERS: &[(&str, FrameDecoder)] = &[("hotjar", hotjar::decode_frame)];

pub(crate) fn request_decoder(id: &str) -> Option<RequestDecoder> {
    REQUEST_DECODERS
        .iter()
        .find(|(name, _)| *name == id)
        .map(|(_, decoder)| *decoder)
}

pub(crate) fn frame_decoder(id: &str) -> Option<FrameDecoder> {
    FRAME_DECODERS
        .iter()
        .find(|(name, _)| *name == id)
        .map(|(_, decoder)| *decoder)
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Building recorded requests in tests.

    use std::io::Write;

    use crate::decode::wire::WireRequest;
    use crate::model::TrackerEvent;

    pub(crate) fn get(url: &str) -> WireRequest<'_> {
        WireRequest::new(url, None, None)
    }

    pub(crate) fn post<'a>(url: &'a str, content_type: &'a str, body: &[u8]) -> WireRequest<'a> {
        WireRequest::new(url, Some(content_type), Some(body.to_vec()))
    }

    pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    pub(crate) fn base64(bytes: &[u8]) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    pub(crate) fn base64_url(bytes: &[u8]) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    pub(crate) fn fields<'e>(event: &'e TrackerEvent, key: &str) -> Vec<&'e str> {
        event
            .fields
            .get(key)
            .map(|v| v.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// Every prefix of `text` cut at a char boundary, for truncation tests.
    pub(crate) fn prefixes(text: &str) -> impl Iterator<Item = &str> {
        text.char_indices().map(move |(i, _)| &text[..i])
    }
}
