//! Pinterest Tag: `ct.pinterest.com/v3/?event=…&tid=…` (and `/user/`) with JSON inside query
//! values: `ed` event data (value, currency, line items), `ad` browser data (`loc` the page, `ref`
//! the referrer, `pin_unauth`) and `pd` hashed user data (`em`, `external_id`, …).

use serde_json::{Map, Value};

use crate::decode::event::EventBuilder;
use crate::decode::wire::{json_str, WireRequest};
use crate::model::TrackerEvent;

pub(super) fn decode(request: &WireRequest<'_>) -> Vec<TrackerEvent> {
    let path = request.path_lower();
    if !(path.starts_with("/v3") || path.starts_with("/user")) {
        return Vec::new();
    }
    let mut builder = EventBuilder::new();
    for (key, value) in request.all_pairs() {
        match key.as_str() {
            "event" => {
                builder.event_name("event", &value);
            }
            "tid" => {
                builder.id("tid", "tag_id", &value);
            }
            "pin_unauth" => {
                builder.id("pin_unauth", "pin_unauth", &value);
            }
            "epik" => {
                builder.id("epik", "epik", &value);
            }
            "aem" => {
                builder.user_data("aem", "em", &value);
            }
            "ed" => {
                if let Some(data) = json_object(&value) {
                    for (name, item) in data.iter().filter(|(name, _)| *name != "np") {
                        builder.data(&format!("ed.{name}"), name, item.clone());
                    }
                }
            }
            "ad" => {
                if let Some(browser) = json_object(&value) {
                    read_browser_data(&mut builder, &Value::Object(browser));
                }
            }
            "pd" => {
                if let Some(user) = json_object(&value) {
                    for (name, item) in user.iter().filter(|(name, _)| *name != "np") {
                        if let Some(text) = item.as_str() {
                            builder.user_data(&format!("pd.{name}"), name, text);
                        } else if let Some(list) = item.as_array() {
                            let first = list.iter().find_map(Value::as_str).unwrap_or("");
                            builder.user_data(&format!("pd.{name}"), name, first);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if builder.is_empty() {
        return Vec::new();
    }
    vec![builder.build()]
}

fn read_browser_data(builder: &mut EventBuilder, browser: &Value) {
    if let Some(location) = json_str(browser, "loc") {
        builder.page_url("ad.loc", &location);
    }
    if let Some(referrer) = json_str(browser, "ref") {
        builder.referrer("ad.ref", &referrer);
    }
    if let Some(unauth) = json_str(browser, "pin_unauth") {
        builder.id("ad.pin_unauth", "pin_unauth", &unauth);
    }
    if let Some(hashed) = json_str(browser, "aem") {
        builder.user_data("ad.aem", "em", &hashed);
    }
}

fn json_object(text: &str) -> Option<Map<String, Value>> {
    match serde_json::from_str::<Value>(text).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decoders::test_support::{fields, get, prefixes};
    use serde_json::json;

    const CHECKOUT: &str = "https://ct.pinterest.com/v3/?event=checkout&ed=%7B%22value%22%3A%22358.00%22%2C%22order_quantity%22%3A3%2C%22currency%22%3A%22NOK%22%2C%22order_id%22%3A%22T-1001%22%2C%22line_items%22%3A%5B%7B%22product_name%22%3A%22Graviditetstest%22%2C%22product_id%22%3A%22100234%22%2C%22product_price%22%3A119%7D%5D%2C%22np%22%3A%22gtm%22%7D&tid=2612733222301&pd=%7B%22em%22%3A%229f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08%22%2C%22np%22%3A%22gtm%22%7D&ad=%7B%22loc%22%3A%22https%3A%2F%2Fapotek.example%2Fkasse%2Ftakk%22%2C%22ref%22%3A%22https%3A%2F%2Fapotek.example%2Fkasse%22%2C%22if%22%3Afalse%2C%22sh%22%3A1080%2C%22sw%22%3A1920%2C%22mh%22%3A%2212ab34cd%22%2C%22is_eu%22%3Atrue%2C%22ecm_enabled%22%3Atrue%2C%22pin_unauth%22%3A%22dWlkPU1qQTVZVFEz%22%7D&cb=1791212460123";

    #[test]
    fn decodes_json_inside_query_values() {
        let events = decode(&get(CHECKOUT));
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.event.as_deref(), Some("checkout"));
        assert_eq!(
            event.page_url.as_deref(),
            Some("https://apotek.example/kasse/takk")
        );
        assert_eq!(
            event.referrer.as_deref(),
            Some("https://apotek.example/kasse")
        );
        assert_eq!(event.data["value"], "358.00");
        assert_eq!(event.data["currency"], "NOK");
        assert_eq!(
            event.data["line_items"][0]["product_name"],
            "Graviditetstest"
        );
        assert!(
            !event.data.contains_key("np"),
            "the integration name is not event data"
        );
        assert_eq!(event.user_data_fields, vec!["em"]);
        assert_eq!(event.ids["tag_id"], "2612733222301");
        assert_eq!(event.ids["pin_unauth"], "dWlkPU1qQTVZVFEz");
        assert_eq!(fields(event, "page_url"), vec!["ad.loc"]);
        assert_eq!(fields(event, "user_data"), vec!["pd.em"]);
        assert_eq!(event.data["order_quantity"], json!(3));
    }

    #[test]
    fn other_paths_and_malformed_input() {
        assert!(decode(&get("https://s.pinimg.com/ct/core.js")).is_empty());
        for prefix in prefixes(CHECKOUT) {
            let _ = decode(&get(prefix));
        }
        let broken = get("https://ct.pinterest.com/v3/?event=init&tid=1&ed=%7B%22value&ad=%5B1%5D&pd=%7B%22em%22%3A5%7D");
        let event = &decode(&broken)[0];
        assert_eq!(event.event.as_deref(), Some("init"));
        assert!(event.data.is_empty() && event.user_data_fields.is_empty());
    }
}
