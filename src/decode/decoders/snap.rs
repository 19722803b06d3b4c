//! Snap Pixel: `tr.snapchat.com/p`, classically a form body (or query) of `pid`, `ev`, `pl` (page),
//! `rf` (referrer), `e_*` event data and `u_*` user data (`u_hem` hashed e-mail, `u_hpn` hashed
//! phone, `u_c1` the `_scid` cookie); newer tags POST JSON `{"ctx": …, "req": [{"t": {…}}]}` with
//! the same keys inside each `t`.

use serde_json::Value;

use crate::decode::event::EventBuilder;
use crate::decode::wire::{json_or_string, WireRequest};
use crate::model::TrackerEvent;

const MAX_REQUESTS: usize = 200;

pub(super) fn decode(request: &WireRequest<'_>) -> Vec<TrackerEvent> {
    let path = request.path_lower();
    if path != "/p" && path != "/p/" {
        return Vec::new();
    }
    if let Some(body) = request.body_json() {
        return decode_json(&body);
    }
    let pairs = request.all_pairs();
    let params = pairs.iter().map(|(k, v)| (k.as_str(), v.clone()));
    decode_params(params).into_iter().collect()
}

fn decode_json(body: &Value) -> Vec<TrackerEvent> {
    let Some(entries) = body.get("req").and_then(Value::as_array) else {
        return Vec::new();
    };
    entries
        .iter()
        .take(MAX_REQUESTS)
        .filter_map(|entry| entry.get("t").and_then(Value::as_object))
        .filter_map(|tracking| {
            decode_params(tracking.iter().filter_map(|(key, value)| {
                let text = match value {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Array(_) | Value::Object(_) => value.to_string(),
                    _ => return None,
                };
                Some((key.as_str(), text))
            }))
        })
        .collect()
}

fn decode_params<'k>(params: impl Iterator<Item = (&'k str, String)>) -> Option<TrackerEvent> {
    let mut builder = EventBuilder::new();
    for (key, value) in params {
        match key {
            "pid" => {
                builder.id("pid", "pixel_id", &value);
            }
            "ev" => {
                builder.event_name("ev", &value);
            }
            "pl" => {
                builder.page_url("pl", &value);
            }
            "rf" => {
                builder.referrer("rf", &value);
            }
            "u_c1" => {
                builder.id("u_c1", "scid", &value);
            }
            "u_sclid" => {
                builder.id("u_sclid", "sclid", &value);
            }
            "u_scsid" => {
                builder.id("u_scsid", "session_id", &value);
            }
            "u_hem" => {
                builder.user_data("u_hem", "em", &value);
            }
            "u_hpn" => {
                builder.user_data("u_hpn", "ph", &value);
            }
            _ => {
                if let Some(name) = key.strip_prefix("u_h") {
                    builder.user_data(key, name, &value);
                } else if let Some(name) = key.strip_prefix("e_") {
                    builder.data(key, event_data_name(name), json_or_string(&value));
                }
            }
        }
    }
    (!builder.is_empty()).then(|| builder.build())
}

fn event_data_name(short: &str) -> &str {
    match short {
        "desc" => "description",
        "iids" => "item_ids",
        "ic" => "item_category",
        "cur" => "currency",
        "pr" => "price",
        "ni" => "number_items",
        "tid" => "transaction_id",
        "ss" => "search_string",
        "su" => "sign_up_method",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decoders::test_support::{fields, get, post};
    use serde_json::json;

    const FORM: &str = "pid=6e8044a0-9669-417b-8667-cfd1d4c37f5d&ev=ADD_CART&pl=https%3A%2F%2Fapotek.example%2Fprodukt%2Fgraviditetstest&ts=1791212460123&rf=https%3A%2F%2Fapotek.example%2F&v=1.5&e_desc=Clearblue%20graviditetstest&e_iids=%5B%22100234%22%5D&e_cur=NOK&e_pr=119&u_hem=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08&u_hpn=&u_c1=4f1e2b3c-1111-2222-3333-444455556666&u_scsid=a1b2c3d4&bt=12345678&m_sl=1234";

    #[test]
    fn decodes_the_form_body() {
        let events = decode(&post(
            "https://tr.snapchat.com/p",
            "application/x-www-form-urlencoded",
            FORM.as_bytes(),
        ));
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.event.as_deref(), Some("ADD_CART"));
        assert_eq!(
            event.page_url.as_deref(),
            Some("https://apotek.example/produkt/graviditetstest")
        );
        assert_eq!(event.data["description"], "Clearblue graviditetstest");
        assert_eq!(event.data["item_ids"], json!(["100234"]));
        assert_eq!(event.data["currency"], "NOK");
        assert_eq!(event.data["price"], "119");
        assert_eq!(
            event.user_data_fields,
            vec!["em"],
            "empty u_hpn is not sent data"
        );
        assert_eq!(
            event.ids["pixel_id"],
            "6e8044a0-9669-417b-8667-cfd1d4c37f5d"
        );
        assert_eq!(event.ids["scid"], "4f1e2b3c-1111-2222-3333-444455556666");
        assert_eq!(fields(event, "user_data"), vec!["u_hem"]);
    }

    #[test]
    fn decodes_query_and_json_variants() {
        let event = &decode(&get(
            "https://tr.snapchat.com/p?pid=abc&ev=PAGE_VIEW&pl=https%3A%2F%2Fs.example%2F",
        ))[0];
        assert_eq!(event.event.as_deref(), Some("PAGE_VIEW"));

        let body = json!({
            "ctx": {"url": "https://s.example/"},
            "req": [
                {"t": {"pid": "301bc76a", "ev": "PURCHASE", "pl": "https://s.example/takk", "e_pr": 80, "e_iids": ["1", "2"]}},
                {"i": {"pids": ["301bc76a"]}},
                {"log": {"name": "SB"}}
            ]
        })
        .to_string();
        let events = decode(&post(
            "https://tr.snapchat.com/p",
            "application/json",
            body.as_bytes(),
        ));
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].event.as_deref(), Some("PURCHASE"));
        assert_eq!(events[0].data["price"], "80");
        assert_eq!(events[0].data["item_ids"], json!(["1", "2"]));
    }

    #[test]
    fn other_paths_and_malformed_input() {
        assert!(decode(&get("https://sc-static.net/scevent.min.js")).is_empty());
        for cut in 0..FORM.len() {
            let _ = decode(&post(
                "https://tr.snapchat.com/p",
                "application/x-www-form-urlencoded",
                &FORM.as_bytes()[..cut],
            ));
        }
        let latin1 = post(
            "https://tr.snapchat.com/p",
            "application/x-www-form-urlencoded",
            b"pid=1&e_desc=R\xf8yk",
        );
        assert_eq!(decode(&latin1)[0].data["description"], "R\u{fffd}yk");
        let junk = post(
            "https://tr.snapchat.com/p",
            "application/json",
            br#"{"req": "x"}"#,
        );
        assert!(decode(&junk).is_empty());
    }
}
