//! TikTok Pixel: `POST analytics.tiktok.com/api/v2/pixel` (and `/pixel/act`, `/pixel/track`)
//! with a JSON body: `event`, `context.page.url`, `context.pixel.code`, `context.user` (the
//! anonymous id and any hashed e-mail, phone or external id) and `properties` (contents, value,
//! currency). A `batch` array carries several events.

use serde_json::Value;

use crate::decode::event::EventBuilder;
use crate::decode::wire::{json_str, WireRequest};
use crate::model::TrackerEvent;

const MAX_BATCH: usize = 200;

pub(super) fn decode(request: &WireRequest<'_>) -> Vec<TrackerEvent> {
    if !request.path_lower().starts_with("/api/v2/pixel") {
        return Vec::new();
    }
    let Some(body) = request.body_json() else {
        return Vec::new();
    };
    let messages: Vec<&Value> = match body.get("batch").and_then(Value::as_array) {
        Some(batch) => batch.iter().take(MAX_BATCH).collect(),
        None => vec![&body],
    };
    messages
        .into_iter()
        .filter_map(|message| decode_message(message, &body))
        .collect()
}

/// One event; `envelope` is the whole body, whose `context` a batch shares.
fn decode_message(message: &Value, envelope: &Value) -> Option<TrackerEvent> {
    if !message.is_object() {
        return None;
    }
    let mut builder = EventBuilder::new();
    if let Some(event) = json_str(message, "event") {
        builder.event_name("event", &event);
    } else if let Some(action) = json_str(message, "action") {
        builder.event_name("action", &action);
    }
    let context = message
        .get("context")
        .or_else(|| envelope.get("context"))
        .unwrap_or(&Value::Null);
    let page = context.get("page").unwrap_or(&Value::Null);
    if let Some(url) = json_str(page, "url") {
        builder.page_url("context.page.url", &url);
    }
    if let Some(referrer) = json_str(page, "referrer") {
        builder.referrer("context.page.referrer", &referrer);
    }
    if let Some(title) = json_str(page, "title") {
        builder.title("context.page.title", &title);
    }
    if let Some(code) = context.get("pixel").and_then(|p| json_str(p, "code")) {
        builder.id("context.pixel.code", "pixel_code", &code);
    }
    if let Some(session) = json_str(context, "session_id") {
        builder.id("context.session_id", "session_id", &session);
    }
    if let Some(ttclid) = context.get("ad").and_then(|ad| json_str(ad, "callback")) {
        builder.id("context.ad.callback", "ttclid", &ttclid);
    }
    if let Some(user) = context.get("user").and_then(Value::as_object) {
        for (key, value) in user {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => continue,
            };
            let wire = format!("context.user.{key}");
            match key.as_str() {
                "anonymous_id" => {
                    builder.id(&wire, "anonymous_id", &text);
                }
                "email" | "sha256_email" => {
                    builder.user_data(&wire, "em", &text);
                }
                "phone_number" | "sha256_phone_number" => {
                    builder.user_data(&wire, "ph", &text);
                }
                _ => {
                    builder.user_data(&wire, key, &text);
                }
            }
        }
    }
    if let Some(properties) = message.get("properties").and_then(Value::as_object) {
        for (key, value) in properties {
            builder.data(&format!("properties.{key}"), key, value.clone());
        }
    }
    (!builder.is_empty()).then(|| builder.build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decoders::test_support::{fields, get, post};
    use serde_json::json;

    fn body() -> Value {
        json!({
            "event": "AddToCart",
            "message_id": "messageId-1791212460-1",
            "event_id": "",
            "is_onsite": false,
            "timestamp": "2026-10-05T15:23:27.068Z",
            "context": {
                "ad": {"sdk_env": "external", "jsb_status": 2},
                "user": {
                    "anonymous_id": "7Xq0pYAbcDEf1gH2IjK3lMnO4pQ",
                    "email": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
                },
                "pixel": {"code": "C97F14JC77U63IDI7U40"},
                "page": {"url": "https://apotek.example/produkt/prevensjon", "referrer": "https://apotek.example/"},
                "library": {"name": "pixel.js", "version": "2.2.0"},
                "device": {"platform": "pc"},
                "session_id": "sid-123"
            },
            "properties": {
                "contents": [{"content_id": "100234", "content_name": "Angrepille", "quantity": 1, "price": 199}],
                "value": 199,
                "currency": "NOK"
            }
        })
    }

    #[test]
    fn decodes_a_json_event() {
        let text = body().to_string();
        let events = decode(&post(
            "https://analytics.tiktok.com/api/v2/pixel",
            "application/json",
            text.as_bytes(),
        ));
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.event.as_deref(), Some("AddToCart"));
        assert_eq!(
            event.page_url.as_deref(),
            Some("https://apotek.example/produkt/prevensjon")
        );
        assert_eq!(event.data["value"], json!(199));
        assert_eq!(event.data["contents"][0]["content_name"], "Angrepille");
        assert_eq!(event.user_data_fields, vec!["em"]);
        assert_eq!(event.ids["pixel_code"], "C97F14JC77U63IDI7U40");
        assert_eq!(event.ids["anonymous_id"], "7Xq0pYAbcDEf1gH2IjK3lMnO4pQ");
        assert_eq!(fields(event, "page_url"), vec!["context.page.url"]);
        assert_eq!(fields(event, "user_data"), vec!["context.user.email"]);
    }

    #[test]
    fn batches_share_the_envelope_context() {
        let mut envelope = body();
        let context = envelope["context"].clone();
        envelope = json!({
            "context": context,
            "batch": [{"event": "PageView"}, {"event": "ViewContent", "properties": {"content_name": "x"}}, 3]
        });
        let text = envelope.to_string();
        let events = decode(&post(
            "https://analytics.tiktok.com/api/v2/pixel/batch",
            "application/json",
            text.as_bytes(),
        ));
        let names: Vec<_> = events.iter().map(|e| e.event.as_deref()).collect();
        assert_eq!(names, vec![Some("PageView"), Some("ViewContent")]);
        assert!(events
            .iter()
            .all(|e| e.ids["pixel_code"] == "C97F14JC77U63IDI7U40"));
    }

    #[test]
    fn other_paths_and_malformed_input() {
        assert!(decode(&get(
            "https://analytics.tiktok.com/i18n/pixel/events.js?sdkid=C1"
        ))
        .is_empty());
        let text = body().to_string();
        for cut in 0..text.len() {
            let _ = decode(&post(
                "https://analytics.tiktok.com/api/v2/pixel",
                "application/json",
                &text.as_bytes()[..cut],
            ));
        }
        let wrong_types = json!({"event": 5, "context": {"page": [], "user": "x", "pixel": {"code": {}}}, "properties": 7});
        let text = wrong_types.to_string();
        let events = decode(&post(
            "https://analytics.tiktok.com/api/v2/pixel",
            "application/json",
            text.as_bytes(),
        ));
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].event.as_deref(), Some("5"));
        assert!(
            events[0].page_url.is_none() && events[0].ids.is_empty() && events[0].data.is_empty()
        );
    }
}
