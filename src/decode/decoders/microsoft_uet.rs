//! Microsoft Advertising Universal Event Tracking: `bat.bing.com/action/0?ti=…&evt=…`. `evt` is
//! `pageLoad` or `custom` (then `ea` names the event); `p` is the page, `r` the referrer, `tl` the
//! title, `kw` the page's keywords; `gv`/`gc` the goal value and currency; `asc` the ad storage
//! consent (`G`/`D`).

use serde_json::Value;

use crate::decode::event::EventBuilder;
use crate::decode::wire::{json_or_string, number_or_string, WireRequest};
use crate::model::TrackerEvent;

pub(super) fn decode(request: &WireRequest<'_>) -> Vec<TrackerEvent> {
    let path = request.path_lower();
    if !(path.starts_with("/action/") || path.starts_with("/actionp/")) {
        return Vec::new();
    }
    let mut builder = EventBuilder::new();
    let mut event_type = None;
    let mut event_action = None;
    for (key, value) in request.all_pairs() {
        let key = key.as_str();
        let data_name = match key {
            "ti" => {
                builder.id("ti", "tag_id", &value);
                continue;
            }
            "mid" => {
                builder.id("mid", "page_load_id", &value);
                continue;
            }
            "sid" => {
                builder.id("sid", "session_id", &value);
                continue;
            }
            "vid" => {
                builder.id("vid", "visitor_id", &value);
                continue;
            }
            "msclkid" if value != "N" => {
                builder.id("msclkid", "msclkid", &value);
                continue;
            }
            "p" => {
                builder.page_url("p", &value);
                continue;
            }
            "r" => {
                builder.referrer("r", &value);
                continue;
            }
            "tl" => {
                builder.title("tl", &value);
                continue;
            }
            "evt" => {
                event_type = Some(value);
                continue;
            }
            "asc" => {
                let state = match value.as_str() {
                    "G" => "granted",
                    "D" => "denied",
                    _ => "",
                };
                builder.consent("asc", "asc", &value);
                builder.consent("asc", "ad_storage", state);
                continue;
            }
            "em" | "ph" => {
                builder.user_data(key, key, &value);
                continue;
            }
            "ea" => {
                event_action = Some(value.clone());
                "event_action"
            }
            "ec" => "event_category",
            "el" => "event_label",
            "ev" => "event_value",
            "gv" => "revenue_value",
            "gc" => "currency",
            "kw" => "keywords",
            "prodid" | "ecomm_prodid" => "product_id",
            "pagetype" | "ecomm_pagetype" => "page_type",
            "ecomm_totalvalue" => "total_value",
            "ecomm_category" => "category",
            "ecomm_query" | "search_term" => "search_term",
            "items" => "items",
            "transaction_id" => "transaction_id",
            _ => continue,
        };
        let value = match data_name {
            "event_value" | "revenue_value" | "total_value" => number_or_string(&value),
            "items" => json_or_string(&value),
            _ => Value::from(value),
        };
        builder.data(key, data_name, value);
    }
    match (event_type.as_deref(), event_action.as_deref()) {
        (Some("custom"), Some(action)) if !action.is_empty() => {
            builder.event_name("ea", action);
        }
        (Some(event_type), _) => {
            builder.event_name("evt", event_type);
        }
        (None, Some(action)) => {
            builder.event_name("ea", action);
        }
        (None, None) => {}
    }
    if builder.is_empty() {
        return Vec::new();
    }
    vec![builder.build()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decoders::test_support::{fields, get, prefixes};
    use serde_json::json;

    const CUSTOM: &str = "https://bat.bing.com/action/0?ti=26101359&tm=gtm002&Ver=2&mid=3b9a1f2e-1111-2222-3333-444455556666&sid=a1b2c3d0f0e111ee9c1e2f3a4b5c6d7e&vid=b2c3d4e0f0e111eeaf1e2f3a4b5c6d7e&vids=0&msclkid=N&ea=add_to_cart&ec=ecommerce&el=Graviditetstest&ev=119&gv=119&gc=NOK&prodid=100234&pagetype=cart&items=%5B%7B%22id%22%3A%22100234%22%2C%22quantity%22%3A1%2C%22price%22%3A119%7D%5D&evt=custom&asc=G&uach=pv%3D10.0&pi=918639831&lg=nb-NO&sw=1920&sh=1080&sc=24&tl=Handlekurv%20-%20Apotek&kw=graviditet%2C%20test&p=https%3A%2F%2Fapotek.example%2Fhandlekurv&r=https%3A%2F%2Fapotek.example%2Fprodukt%2F100234&lt=512&sv=1&rn=123456";

    #[test]
    fn decodes_a_custom_event() {
        let events = decode(&get(CUSTOM));
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.event.as_deref(), Some("add_to_cart"));
        assert_eq!(fields(event, "event"), vec!["ea"]);
        assert_eq!(
            event.page_url.as_deref(),
            Some("https://apotek.example/handlekurv")
        );
        assert_eq!(event.title.as_deref(), Some("Handlekurv - Apotek"));
        assert_eq!(event.data["event_label"], "Graviditetstest");
        assert_eq!(event.data["revenue_value"], json!(119));
        assert_eq!(event.data["keywords"], "graviditet, test");
        assert_eq!(event.data["items"][0]["id"], "100234");
        assert_eq!(event.ids["tag_id"], "26101359");
        assert_eq!(event.ids["visitor_id"], "b2c3d4e0f0e111eeaf1e2f3a4b5c6d7e");
        assert!(!event.ids.contains_key("msclkid"), "N means no click id");
        assert_eq!(event.consent_mode["ad_storage"], "granted");
    }

    #[test]
    fn page_loads_are_named_by_evt() {
        let url = "https://bat.bing.com/action/0?ti=1&evt=pageLoad&p=https%3A%2F%2Fs.example%2F";
        let event = &decode(&get(url))[0];
        assert_eq!(event.event.as_deref(), Some("pageLoad"));
        assert_eq!(fields(event, "event"), vec!["evt"]);
    }

    #[test]
    fn other_paths_and_malformed_input() {
        assert!(decode(&get("https://bat.bing.com/bat.js")).is_empty());
        assert!(decode(&get("https://bat.bing.com/p/action/26101359.js")).is_empty());
        for prefix in prefixes(CUSTOM) {
            let _ = decode(&get(prefix));
        }
        let odd = get("https://bat.bing.com/action/0?evt=custom&ea=&items=%5B&asc=X");
        let event = &decode(&odd)[0];
        assert_eq!(event.event.as_deref(), Some("custom"));
        assert_eq!(event.data["items"], "[");
        assert!(!event.consent_mode.contains_key("ad_storage"));
    }
}
