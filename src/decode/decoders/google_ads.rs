//! Google Ads conversion and remarketing tags: `/pagead/conversion/<id>/`,
//! `/pagead/viewthroughconversion/<id>/`, `/pagead/1p-user-list/<id>/`,
//! `/pagead/1p-conversion/<id>/` and the Google tag's `/ccm/collect`. The page is `url`, the
//! title `tiba`; remarketing parameters come semicolon-separated inside `data=`
//! (`event=add_to_cart;ecomm_prodid=…`).

use serde_json::Value;

use super::google_common::{apply_gcd, read_consent_param, read_user_provided_data};
use crate::decode::event::EventBuilder;
use crate::decode::wire::{number_or_string, semicolon_pairs, WireRequest};
use crate::model::TrackerEvent;

/// Path kinds and whether the path itself says "conversion".
const ENDPOINTS: &[(&str, bool)] = &[
    ("/pagead/conversion/", true),
    ("/pagead/1p-conversion/", true),
    ("/pagead/viewthroughconversion/", false),
    ("/pagead/1p-user-list/", false),
    ("/rmkt/collect/", false),
];

pub(super) fn decode(request: &WireRequest<'_>) -> Vec<TrackerEvent> {
    let path = request.path_lower();
    let mut builder = EventBuilder::new();
    let mut path_says_conversion = false;
    if let Some((prefix, is_conversion)) = ENDPOINTS.iter().find(|(p, _)| path.starts_with(p)) {
        path_says_conversion = *is_conversion;
        let conversion_id = path[prefix.len()..].split('/').next().unwrap_or("");
        builder.id("path", "conversion_id", conversion_id);
    } else if !path.ends_with("/ccm/collect") {
        return Vec::new();
    }

    let mut gcd = None;
    for (key, value) in request.all_pairs() {
        let key = key.as_str();
        if read_consent_param(&mut builder, key, &value) {
            if key == "gcd" {
                gcd = Some(value);
            }
            continue;
        }
        match key {
            "url" | "dl" => {
                builder.page_url(key, &value);
            }
            "ref" | "dr" => {
                builder.referrer(key, &value);
            }
            "tiba" | "dt" => {
                builder.title(key, &value);
            }
            "en" => {
                builder.event_name("en", &value);
            }
            "label" => {
                builder.id("label", "conversion_label", &value);
            }
            "tid" => {
                builder.id("tid", "tag_id", &value);
            }
            "auid" => {
                builder.id("auid", "gcl_au", &value);
            }
            "gclid" | "gclaw" => {
                builder.id(key, "gclid", &value);
            }
            "oid" => {
                builder.data("oid", "transaction_id", Value::from(value));
            }
            "value" => {
                builder.data("value", "value", number_or_string(&value));
            }
            "currency_code" => {
                builder.data("currency_code", "currency", Value::from(value));
            }
            "em" => read_user_provided_data(&mut builder, "em", &value),
            "data" => read_remarketing_data(&mut builder, &value),
            _ => {}
        }
    }
    if let Some(gcd) = &gcd {
        apply_gcd(&mut builder, Some(gcd));
    }
    if path_says_conversion && !builder.has_event_name() {
        builder.event_name("path", "conversion");
    }
    if builder.is_empty() {
        return Vec::new();
    }
    vec![builder.build()]
}

/// `data=event=purchase;ecomm_prodid=100234,200;ecomm_totalvalue=358`.
fn read_remarketing_data(builder: &mut EventBuilder, data: &str) {
    for (key, value) in semicolon_pairs(data) {
        if key == "event" {
            builder.event_name("data.event", &value);
        } else {
            builder.data(&format!("data.{key}"), &key, Value::from(value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decoders::test_support::{fields, get, prefixes};

    const REMARKETING: &str = "https://googleads.g.doubleclick.net/pagead/viewthroughconversion/987654321/?random=1791212460123&cv=11&fst=1791212460123&bg=ffffff&guid=ON&async=1&gtm=45be69u2&gcd=13r3r3r3r5l1&dma=0&u_w=1920&u_h=1080&url=https%3A%2F%2Fapotek.example%2Fprodukt%2Fnikotinplaster&ref=https%3A%2F%2Fapotek.example%2F&label=AbC-dEfGh&hn=www.googleadservices.com&frm=0&tiba=Nikotinplaster%2025mg&value=0&bttype=purchase&npa=0&pscdl=noapi&auid=1234567.1791212460&data=event%3Dview_item%3Becomm_prodid%3D100987%3Becomm_pagetype%3Dproduct%3Becomm_totalvalue%3D329&rfmt=3&fmt=4";

    #[test]
    fn decodes_remarketing_with_semicolon_data() {
        let events = decode(&get(REMARKETING));
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.event.as_deref(), Some("view_item"));
        assert_eq!(fields(event, "event"), vec!["data.event"]);
        assert_eq!(
            event.page_url.as_deref(),
            Some("https://apotek.example/produkt/nikotinplaster")
        );
        assert_eq!(event.title.as_deref(), Some("Nikotinplaster 25mg"));
        assert_eq!(event.data["ecomm_prodid"], "100987");
        assert_eq!(event.data["ecomm_pagetype"], "product");
        assert_eq!(event.data["ecomm_totalvalue"], "329");
        assert_eq!(event.ids["conversion_id"], "987654321");
        assert_eq!(event.ids["conversion_label"], "AbC-dEfGh");
        assert_eq!(event.ids["gcl_au"], "1234567.1791212460");
        assert_eq!(event.consent_mode["ad_storage"], "granted");
        assert_eq!(event.consent_mode["npa"], "0");
    }

    #[test]
    fn conversions_with_value_and_enhanced_conversion_data() {
        let url = "https://www.googleadservices.com/pagead/conversion/123456789/?label=AbC&value=80&currency_code=NOK&oid=ORD-1&gcs=G101&url=https%3A%2F%2Fshop.example%2Ftakk&em=tv.1~em.9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        let event = &decode(&get(url))[0];
        assert_eq!(event.event.as_deref(), Some("conversion"));
        assert_eq!(fields(event, "event"), vec!["path"]);
        assert_eq!(event.data["value"], serde_json::json!(80));
        assert_eq!(event.data["currency"], "NOK");
        assert_eq!(event.data["transaction_id"], "ORD-1");
        assert_eq!(event.user_data_fields, vec!["em"]);
        assert_eq!(event.consent_mode["ad_storage"], "denied");
    }

    #[test]
    fn google_tag_ccm_collect() {
        let url = "https://www.google.com/ccm/collect?en=page_view&dl=https%3A%2F%2Fshop.example%2F&dt=Butikk&tid=AW-1&gcs=G111";
        let event = &decode(&get(url))[0];
        assert_eq!(event.event.as_deref(), Some("page_view"));
        assert_eq!(event.page_url.as_deref(), Some("https://shop.example/"));
        assert_eq!(event.ids["tag_id"], "AW-1");
    }

    #[test]
    fn other_paths_and_malformed_input() {
        assert!(decode(&get(
            "https://www.googleadservices.com/pagead/conversion_async.js"
        ))
        .is_empty());
        for prefix in prefixes(REMARKETING) {
            let _ = decode(&get(prefix));
        }
        let odd = get("https://www.google.com/pagead/1p-user-list//?data=%3B%3D%3B%E2&gcd=x");
        let _ = decode(&odd);
    }
}
