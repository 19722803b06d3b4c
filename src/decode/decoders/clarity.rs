//! Microsoft Clarity: `POST *.clarity.ms/collect` with a gzip body (`application/x-clarity-gzip`)
//! holding `{"e": envelope, "a": analytics events, "p": playback events}`. The envelope is
//! `[version, sequence, start, duration, projectId, userId, sessionId, pageNum, upload, end, …]`;
//! each event is `[time, type, …]`. Dimension events (type 1) carry the page URL (1), referrer (2),
//! title (3) and product details the page's schema.org markup revealed; custom events (24) and
//! variables (34) carry what the site chose to send.

use serde_json::{Map, Value};

use crate::decode::event::EventBuilder;
use crate::decode::wire::WireRequest;
use crate::model::TrackerEvent;

const EVENT_DIMENSION: i64 = 1;
const EVENT_CUSTOM: i64 = 24;
const EVENT_VARIABLE: i64 = 34;
/// Events of one upload read (Clarity caps uploads far below this).
const MAX_EVENTS: usize = 5_000;

pub(super) fn decode(request: &WireRequest<'_>) -> Vec<TrackerEvent> {
    if !request.path_lower().ends_with("/collect") {
        return Vec::new();
    }
    let Some(payload) = request.body_json() else {
        return Vec::new();
    };
    let mut builder = EventBuilder::new();
    if let Some(envelope) = payload.get("e").and_then(Value::as_array) {
        let text = |index: usize| match envelope.get(index) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        builder.id("e[4]", "project_id", &text(4));
        builder.id("e[5]", "user_id", &text(5));
        builder.id("e[6]", "session_id", &text(6));
        let url = text(11);
        if url.starts_with("http") {
            builder.page_url("e[11]", &url);
        }
    }
    let mut custom_events = Vec::new();
    let mut variables = Map::new();
    let events = payload
        .get("a")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .take(MAX_EVENTS);
    for event in events {
        let Some(tokens) = event.as_array() else {
            continue;
        };
        match tokens.get(1).and_then(Value::as_i64) {
            Some(EVENT_DIMENSION) => read_dimensions(&mut builder, &tokens[2..]),
            Some(EVENT_CUSTOM) => {
                let strings: Vec<&str> = tokens[2..].iter().filter_map(Value::as_str).collect();
                match strings.as_slice() {
                    [value] => custom_events.push(Value::from(*value)),
                    [key, value, ..] => {
                        custom_events.push(serde_json::json!({"key": key, "value": value}))
                    }
                    [] => {}
                }
            }
            Some(EVENT_VARIABLE) => {
                for pair in tokens[2..].chunks(2) {
                    if let [Value::String(name), values] = pair {
                        variables.insert(name.clone(), values.clone());
                    }
                }
            }
            _ => {}
        }
    }
    if !custom_events.is_empty() {
        builder.data("a[24]", "custom_events", Value::Array(custom_events));
    }
    if !variables.is_empty() {
        builder.data("a[34]", "variables", Value::Object(variables));
    }
    if builder.is_empty() {
        return Vec::new();
    }
    vec![builder.build()]
}

/// `[key, [values], key, [values], …]` of a dimension event.
fn read_dimensions(builder: &mut EventBuilder, tokens: &[Value]) {
    for pair in tokens.chunks(2) {
        let [Value::Number(key), values] = pair else {
            continue;
        };
        let Some(value) = first_string(values) else {
            continue;
        };
        let wire = format!("a[1].{key}");
        match key.as_i64() {
            Some(1) => {
                builder.page_url(&wire, value);
            }
            Some(2) => {
                builder.referrer(&wire, value);
            }
            Some(3) => {
                builder.title(&wire, value);
            }
            Some(6) => {
                builder.data(&wire, "product_brand", Value::from(value));
            }
            Some(10) => {
                builder.data(&wire, "product_name", Value::from(value));
            }
            Some(11) => {
                builder.data(&wire, "product_category", Value::from(value));
            }
            Some(12) => {
                builder.data(&wire, "product_sku", Value::from(value));
            }
            Some(13) => {
                builder.data(&wire, "product_currency", Value::from(value));
            }
            _ => {}
        }
    }
}

fn first_string(values: &Value) -> Option<&str> {
    match values {
        Value::String(s) => Some(s),
        Value::Array(items) => items.iter().find_map(Value::as_str),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decoders::test_support::{fields, get, gzip, post};
    use serde_json::json;

    fn payload() -> String {
        json!({
            "e": ["0.8.9", 1, 0, 1250, "kxdc4874py", "1x2y3z4w5v", "9a8b7c6d", 1, 0, 0],
            "a": [
                [12, 1, 0, ["Mozilla/5.0"], 1, ["https://helse.example/sykdommer/diabetes"], 2, ["https://www.google.com/"], 3, ["Diabetes type 2"], 10, ["Blodsukkermåler"], 13, ["NOK"]],
                [40, 0, 1, 0, 2, 1520],
                [55, 24, "Blodsukker-kalkulator"],
                [56, 24, "diagnose", "type2"],
                [60, 34, "userHint", ["p***@example.com"], "plan", ["gold"]],
                "junk",
                [61]
            ],
            "p": [[70, 6, 1, null, "HTML"]]
        })
        .to_string()
    }

    #[test]
    fn decodes_a_gzip_upload() {
        let body = gzip(payload().as_bytes());
        let events = decode(&post(
            "https://y.clarity.ms/collect",
            "application/x-clarity-gzip",
            &body,
        ));
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(
            event.page_url.as_deref(),
            Some("https://helse.example/sykdommer/diabetes")
        );
        assert_eq!(event.referrer.as_deref(), Some("https://www.google.com/"));
        assert_eq!(event.title.as_deref(), Some("Diabetes type 2"));
        assert_eq!(event.data["product_name"], "Blodsukkermåler");
        assert_eq!(
            event.data["custom_events"],
            json!(["Blodsukker-kalkulator", {"key": "diagnose", "value": "type2"}])
        );
        assert_eq!(event.data["variables"]["plan"], json!(["gold"]));
        assert_eq!(event.ids["project_id"], "kxdc4874py");
        assert_eq!(event.ids["user_id"], "1x2y3z4w5v");
        assert_eq!(event.ids["session_id"], "9a8b7c6d");
        assert_eq!(fields(event, "page_url"), vec!["a[1].1"]);
    }

    #[test]
    fn plain_json_bodies_are_read_too() {
        let events = decode(&post(
            "https://x.clarity.ms/collect",
            "application/json",
            payload().as_bytes(),
        ));
        assert_eq!(events[0].ids["project_id"], "kxdc4874py");
    }

    #[test]
    fn other_paths_and_malformed_input() {
        assert!(decode(&get("https://www.clarity.ms/tag/kxdc4874py")).is_empty());
        let body = gzip(payload().as_bytes());
        for cut in 0..body.len() {
            let _ = decode(&post(
                "https://y.clarity.ms/collect",
                "application/x-clarity-gzip",
                &body[..cut],
            ));
        }
        let odd = json!({"e": "x", "a": [[1, 1, "k", 5, 1, {}], [1, 24], [1, 34, 5, 6, "a"]]})
            .to_string();
        assert!(decode(&post(
            "https://y.clarity.ms/collect",
            "application/json",
            odd.as_bytes()
        ))
        .is_empty());
    }
}
