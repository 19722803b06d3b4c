//! Hotjar streams recordings over a WebSocket (`wss://ws.hotjar.com/api/v2/client/ws`) and posts
//! visit data over HTTP (`in.hotjar.com/api/v2/client/sites/<site>/visit-data`). Hotjar does not
//! publish the message format, so this decoder reads JSON messages (text frames, or binary frames
//! that DevTools hands over in base64, possibly compressed) by the field names Hotjar's client uses
//! for what matters here: the action, the page URL and title, the site, user and session ids, and
//! Identify API attributes.

use serde_json::Value;

use crate::decode::event::EventBuilder;
use crate::decode::wire::{base64_decode, json_layers, WireRequest};
use crate::model::{TrackerEvent, WebSocketFrame};

/// JSON nodes visited per message.
const MAX_NODES: usize = 10_000;
const MAX_DEPTH: usize = 8;
/// WebSocket opcode of a binary frame.
const OPCODE_BINARY: u8 = 2;

pub(super) fn decode(request: &WireRequest<'_>) -> Vec<TrackerEvent> {
    let Some(message) = request.body_json() else {
        return Vec::new();
    };
    let mut builder = EventBuilder::new();
    read_site_id_from_url(&mut builder, request.url);
    read_message(&mut builder, &message);
    finish(builder)
}

pub(super) fn decode_frame(frame: &WebSocketFrame) -> Vec<TrackerEvent> {
    let message = if frame.opcode == Some(OPCODE_BINARY) {
        base64_decode(&frame.payload).and_then(|bytes| json_layers(&bytes))
    } else {
        json_layers(frame.payload.as_bytes())
    };
    let Some(message) = message else {
        return Vec::new();
    };
    let mut builder = EventBuilder::new();
    read_site_id_from_url(&mut builder, &frame.url);
    read_message(&mut builder, &message);
    finish(builder)
}

/// An event only when the message said something beyond the site it was sent for.
fn finish(builder: EventBuilder) -> Vec<TrackerEvent> {
    let event = builder.build();
    let only_site = event.event.is_none()
        && event.page_url.is_none()
        && event.data.is_empty()
        && event.ids.keys().all(|k| k == "site_id");
    if only_site {
        Vec::new()
    } else {
        vec![event]
    }
}

/// `?site_id=123` or `/sites/123/` in the URL.
fn read_site_id_from_url(builder: &mut EventBuilder, url: &str) {
    let Ok(parsed) = url::Url::parse(url) else {
        return;
    };
    if let Some((_, site)) = parsed.query_pairs().find(|(k, _)| k == "site_id") {
        builder.id("site_id", "site_id", &site);
        return;
    }
    let mut segments = parsed.path_segments().into_iter().flatten();
    while let Some(segment) = segments.next() {
        if segment == "sites" {
            if let Some(site) = segments.next() {
                builder.id("sites/<id>", "site_id", site);
            }
            return;
        }
    }
}

fn read_message(builder: &mut EventBuilder, message: &Value) {
    // The action is the top-level message's (or the first message's in a list).
    let top = match message {
        Value::Array(items) => items.iter().find(|item| item.is_object()),
        other => Some(other),
    };
    if let Some(action) = top.and_then(|t| t.get("action")).and_then(Value::as_str) {
        builder.event_name("action", action);
    }
    let mut visited = 0;
    walk(builder, message, 0, &mut visited);
}

fn walk(builder: &mut EventBuilder, value: &Value, depth: usize, visited: &mut usize) {
    *visited += 1;
    if *visited > MAX_NODES || depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Array(items) => {
            for item in items {
                walk(builder, item, depth + 1, visited);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                read_field(builder, key, item);
                walk(builder, item, depth + 1, visited);
            }
        }
        _ => {}
    }
}

fn read_field(builder: &mut EventBuilder, key: &str, value: &Value) {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Object(attributes) if key == "attributes" || key == "user_attributes" => {
            if !builder.has_data("attributes") {
                builder.data(key, "attributes", Value::Object(attributes.clone()));
            }
            return;
        }
        _ => return,
    };
    match key {
        "site_id" | "siteId" => {
            builder.id(key, "site_id", &text);
        }
        "user_id" | "userId" | "hjUserId" => {
            builder.id(key, "user_id", &text);
        }
        "session_id" | "sessionId" => {
            builder.id(key, "session_id", &text);
        }
        "url" | "page_url" | "href" if text.starts_with("http") && !builder.has_page_url() => {
            builder.page_url(key, &text);
        }
        "title" | "page_title" => {
            builder.title(key, &text);
        }
        "referrer" => {
            builder.referrer(key, &text);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decoders::test_support::{base64, fields, get, gzip, post};
    use serde_json::json;

    fn frame(payload: &str, opcode: u8) -> WebSocketFrame {
        WebSocketFrame {
            url: "wss://ws.hotjar.com/api/v2/client/ws?v=7&site_id=5212309".into(),
            direction: "sent".into(),
            payload: payload.into(),
            opcode: Some(opcode),
            time_ms: 1.0,
        }
    }

    #[test]
    fn decodes_text_frames() {
        let message = json!({
            "action": "identify_user",
            "site_id": 5212309,
            "user_id": "e5f6a7b8-1111-2222-3333-444455556666",
            "attributes": {"diagnose": "diabetes", "kunde_id": "K-991"},
            "page": {"url": "https://helse.example/min-side", "title": "Min side"}
        });
        let events = decode_frame(&frame(&message.to_string(), 1));
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.event.as_deref(), Some("identify_user"));
        assert_eq!(
            event.page_url.as_deref(),
            Some("https://helse.example/min-side")
        );
        assert_eq!(event.title.as_deref(), Some("Min side"));
        assert_eq!(event.data["attributes"]["diagnose"], "diabetes");
        assert_eq!(event.ids["site_id"], "5212309");
        assert_eq!(event.ids["user_id"], "e5f6a7b8-1111-2222-3333-444455556666");
        assert_eq!(fields(event, "page_url"), vec!["url"]);
    }

    #[test]
    fn decodes_binary_frames_and_message_lists() {
        let message = json!([{"action": "page_visit", "url": "https://s.example/a"}, {"action": "mouse_move"}]);
        let payload = base64(&gzip(message.to_string().as_bytes()));
        let event = &decode_frame(&frame(&payload, OPCODE_BINARY))[0];
        assert_eq!(event.event.as_deref(), Some("page_visit"));
        assert_eq!(event.page_url.as_deref(), Some("https://s.example/a"));
    }

    #[test]
    fn decodes_visit_data_posts() {
        let body = json!({"window_width": 1920, "window_height": 1080, "url": "https://klinikk.example/abort", "r_value": 1, "is_vpv": false, "user_id": "u-1"});
        let url = "https://in.hotjar.com/api/v2/client/sites/5212309/visit-data?sv=7";
        let event = &decode(&post(url, "application/json", body.to_string().as_bytes()))[0];
        assert_eq!(
            event.page_url.as_deref(),
            Some("https://klinikk.example/abort")
        );
        assert_eq!(event.ids["site_id"], "5212309");
        assert_eq!(event.ids["user_id"], "u-1");
        assert!(decode(&get("https://static.hotjar.com/c/hotjar-5212309.js?sv=7")).is_empty());
    }

    #[test]
    fn pings_and_malformed_frames_yield_nothing() {
        assert!(decode_frame(&frame(r#"{"site_id": 5}"#, 1)).is_empty());
        assert!(decode_frame(&frame("not json", 1)).is_empty());
        assert!(decode_frame(&frame("%%%", OPCODE_BINARY)).is_empty());
        let text = json!({"action": "x", "url": "https://s.example/"}).to_string();
        for cut in 0..text.len() {
            let _ = decode_frame(&frame(&text[..cut], 1));
        }
        let mut deep = json!("https://deep.example/");
        for _ in 0..200 {
            deep = json!({"url": deep});
        }
        let _ = decode_frame(&frame(&deep.to_string(), 1));
    }
}
