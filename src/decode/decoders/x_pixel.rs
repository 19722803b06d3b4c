//! X (Twitter) Pixel: `analytics.twitter.com/i/adsct` (also `/1/i/adsct`, the POST form
//! `/i/adsctp`, `analytics.x.com` and `t.co`). `txn_id` is the pixel, `tw_document_href` the page,
//! `events` a JSON list of `[name, params]` pairs, one event each; `event` a single JSON object of
//! parameters.

use serde_json::{Map, Value};

use crate::decode::event::EventBuilder;
use crate::decode::wire::{number_or_string, WireRequest};
use crate::model::TrackerEvent;

const MAX_EVENTS: usize = 100;

pub(super) fn decode(request: &WireRequest<'_>) -> Vec<TrackerEvent> {
    let path = request.path_lower();
    if !(path.ends_with("/i/adsct") || path.ends_with("/i/adsctp")) {
        return Vec::new();
    }
    let mut shared = EventBuilder::new();
    let mut events_param = None;
    let mut event_param = None;
    for (key, value) in request.all_pairs() {
        match key.as_str() {
            "txn_id" => {
                shared.id("txn_id", "pixel_id", &value);
            }
            "tw_document_href" => {
                shared.page_url("tw_document_href", &value);
            }
            "event_id" => {
                shared.id("event_id", "event_id", &value);
            }
            "tw_sale_amount" | "tw_order_quantity" if value != "0" => {
                let name = key.trim_start_matches("tw_").to_string();
                shared.data(&key, &name, number_or_string(&value));
            }
            "events" => events_param = Some(value),
            "event" => event_param = Some(value),
            _ => {}
        }
    }
    if let Some(params) = event_param
        .as_deref()
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
        .and_then(|value| value.as_object().cloned())
    {
        read_event_params(&mut shared, "event", &params);
    }
    let listed: Vec<(String, Map<String, Value>)> = events_param
        .as_deref()
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
        .and_then(|value| value.as_array().cloned())
        .unwrap_or_default()
        .into_iter()
        .take(MAX_EVENTS)
        .filter_map(|entry| {
            let pair = entry.as_array()?;
            let name = pair.first()?.as_str()?.to_string();
            let params = pair
                .get(1)
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            Some((name, params))
        })
        .collect();
    if listed.is_empty() {
        return if shared.is_empty() {
            Vec::new()
        } else {
            vec![shared.build()]
        };
    }
    listed
        .into_iter()
        .map(|(name, params)| {
            let mut builder = shared.clone();
            builder.event_name("events", &name);
            read_event_params(&mut builder, "events", &params);
            builder.build()
        })
        .collect()
}

/// Conversion parameters; e-mail and phone are user data (the pixel may send them hashed or not).
fn read_event_params(builder: &mut EventBuilder, wire: &str, params: &Map<String, Value>) {
    for (key, value) in params {
        let field = format!("{wire}.{key}");
        match key.as_str() {
            "email_address" | "phone_number" => {
                let name = if key == "email_address" { "em" } else { "ph" };
                builder.user_data(&field, name, value.as_str().unwrap_or(""));
            }
            _ => {
                builder.data(&field, key, value.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decoders::test_support::{fields, get, post, prefixes};
    use serde_json::json;

    const PURCHASE: &str = "https://analytics.twitter.com/i/adsct?bci=3&dv=Europe%2FOslo%26nb-NO&eci=2&event=%7B%7D&event_id=9c8b7a6d-1234&events=%5B%5B%22pageview%22%2C%7B%7D%5D%2C%5B%22tw-o7kth-od5qz%22%2C%7B%22value%22%3A358%2C%22currency%22%3A%22NOK%22%2C%22contents%22%3A%5B%7B%22content_name%22%3A%22Nikotinplaster%22%7D%5D%2C%22email_address%22%3A%229f86d081884c%22%7D%5D%5D&integration=advertiser&p_id=Twitter&p_user_id=0&pl_id=1a2b3c&tw_document_href=https%3A%2F%2Fapotek.example%2Fkasse%2Ftakk&tw_iframe_status=0&tw_order_quantity=0&tw_sale_amount=0&txn_id=o7kth&type=javascript&version=2.3.29";

    #[test]
    fn one_event_per_listed_event() {
        let events = decode(&get(PURCHASE));
        let names: Vec<_> = events.iter().map(|e| e.event.as_deref()).collect();
        assert_eq!(names, vec![Some("pageview"), Some("tw-o7kth-od5qz")]);
        for event in &events {
            assert_eq!(event.ids["pixel_id"], "o7kth");
            assert_eq!(
                event.page_url.as_deref(),
                Some("https://apotek.example/kasse/takk")
            );
            assert!(
                !event.data.contains_key("sale_amount"),
                "zero amounts are defaults"
            );
        }
        let purchase = &events[1];
        assert_eq!(purchase.data["value"], json!(358));
        assert_eq!(
            purchase.data["contents"][0]["content_name"],
            "Nikotinplaster"
        );
        assert_eq!(purchase.user_data_fields, vec!["em"]);
        assert_eq!(fields(purchase, "user_data"), vec!["events.email_address"]);
        assert!(events[0].data.is_empty());
    }

    #[test]
    fn post_form_with_a_single_event_object() {
        let body = b"event=%7B%22value%22%3A%2249%22%7D&txn_id=num2q&tw_document_href=https%3A%2F%2Fs.example%2F&tw_sale_amount=49";
        let events = decode(&post(
            "https://analytics.x.com/1/i/adsctp",
            "application/x-www-form-urlencoded",
            body,
        ));
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].event, None);
        assert_eq!(events[0].data["value"], "49");
        assert_eq!(events[0].data["sale_amount"], json!(49));
    }

    #[test]
    fn other_paths_and_malformed_input() {
        assert!(decode(&get("https://static.ads-twitter.com/uwt.js")).is_empty());
        for prefix in prefixes(PURCHASE) {
            let _ = decode(&get(prefix));
        }
        let odd = get("https://t.co/i/adsct?txn_id=x&events=%5B5%2C%5B%5D%2C%5B%22a%22%2C7%5D%5D");
        let events = decode(&odd);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].event.as_deref(), Some("a"));
    }
}
