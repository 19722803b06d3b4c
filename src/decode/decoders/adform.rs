//! Adform Site Tracking: `track.adform.net/Serving/TrackPoint/?pm=…&ADFPageName=…&loc=<page>`.
//! `ecpr` carries the products as base64url-encoded JSON (`pid`, `pnm` name, `pgr` group, `psl`
//! sales); order variables (`orderid`, `sales`, `currency`, `sv1`…) come as parameters or inside
//! `itm`, a JavaScript-style object literal.

use once_cell::sync::Lazy;
use regex::Regex;
use serde_json::{Map, Value};

use crate::decode::event::EventBuilder;
use crate::decode::wire::{base64_decode, percent_decode, WireRequest};
use crate::model::TrackerEvent;

const MAX_PRODUCTS: usize = 200;

pub(super) fn decode(request: &WireRequest<'_>) -> Vec<TrackerEvent> {
    let path = request.path_lower();
    if path.trim_end_matches('/') != "/serving/trackpoint" {
        return Vec::new();
    }
    let mut builder = EventBuilder::new();
    for (key, value) in request.all_pairs() {
        match key.as_str() {
            "pm" => {
                builder.id("pm", "tracking_setup_id", &value);
            }
            "ADFPageName" => {
                builder.event_name("ADFPageName", &decode_again(&value));
            }
            "loc" => {
                builder.page_url("loc", &value);
            }
            "CookieId" | "cid" => {
                builder.id(&key, "cookie_id", &value);
            }
            "gdpr" | "gdpr_consent" => {
                builder.consent(&key, &key, &value);
            }
            "ecpr" => {
                if let Some(products) = decode_products(&value) {
                    builder.data("ecpr", "items", Value::Array(products));
                }
            }
            "itm" => {
                for (name, item) in decode_order(&value) {
                    builder.data("itm", &name, item);
                }
            }
            name if is_order_variable(name) => {
                builder.data(name, name, Value::from(value));
            }
            _ => {}
        }
    }
    if builder.is_empty() {
        return Vec::new();
    }
    vec![builder.build()]
}

/// Page names are often percent-encoded twice (`Produkt%7CDetalj`).
fn decode_again(value: &str) -> String {
    let has_escape = value
        .as_bytes()
        .windows(3)
        .any(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit());
    if has_escape {
        percent_decode(value)
    } else {
        value.to_string()
    }
}

fn is_order_variable(name: &str) -> bool {
    matches!(
        name,
        "orderid" | "sales" | "currency" | "basketsize" | "country" | "agegroup" | "gender"
    ) || ["sv", "svn"].iter().any(|prefix| {
        name.strip_prefix(prefix)
            .is_some_and(|n| !n.is_empty() && n.len() <= 3 && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// `ecpr` → the product objects, short keys spelled out.
fn decode_products(value: &str) -> Option<Vec<Value>> {
    let bytes = base64_decode(value)?;
    let products: Value = serde_json::from_slice(&bytes).ok()?;
    let list = match products {
        Value::Array(list) => list,
        single @ Value::Object(_) => vec![single],
        _ => return None,
    };
    Some(
        list.into_iter()
            .take(MAX_PRODUCTS)
            .filter_map(|product| match product {
                Value::Object(fields) => Some(Value::Object(readable_product(fields))),
                _ => None,
            })
            .collect(),
    )
}

fn readable_product(fields: Map<String, Value>) -> Map<String, Value> {
    fields
        .into_iter()
        .map(|(key, value)| {
            let name = match key.as_str() {
                "pid" => "product_id",
                "pnm" => "product_name",
                "pgr" => "product_group",
                "psl" => "product_sales",
                "pcnt" => "product_count",
                "step" => "step",
                "categoryName" => "category_name",
                other => other,
            };
            (name.to_string(), value)
        })
        .collect()
}

/// `itm` as JSON, or as the object literal Adform's snippets build (`{sl:"100",id:"T-1"}`).
fn decode_order(value: &str) -> Vec<(String, Value)> {
    static LITERAL_FIELD: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r#"([A-Za-z_][A-Za-z0-9_]*)\s*:\s*"([^"]*)""#).expect("valid regex")
    });
    if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(value) {
        return map.into_iter().take(100).collect();
    }
    LITERAL_FIELD
        .captures_iter(value)
        .take(100)
        .map(|c| (c[1].to_string(), Value::from(&c[2])))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decoders::test_support::{base64_url, fields, get, prefixes};
    use serde_json::json;

    fn product_view() -> String {
        let products = json!([{"pid": "100234", "step": 2, "pnm": "Clearblue graviditetstest", "pgr": "Graviditet/Tester", "psl": "119.00"}]);
        let ecpr = base64_url(products.to_string().as_bytes());
        format!("https://track.adform.net/Serving/TrackPoint/?pm=2443498&ADFPageName=Produkt%2520side%257CGraviditetstest&ADFdivider=%7C&ord=472794611264&ADFtpmode=2&ecpr={ecpr}&loc=https%3A%2F%2Fapotek.example%2Fprodukt%2Fclearblue&Set1=nb-NO%7Cnb-NO%7C1920x1080%7C24&gdpr=1&gdpr_consent=CPx")
    }

    #[test]
    fn decodes_products_page_name_and_location() {
        let url = product_view();
        let events = decode(&get(&url));
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.event.as_deref(), Some("Produkt side|Graviditetstest"));
        assert_eq!(
            event.page_url.as_deref(),
            Some("https://apotek.example/produkt/clearblue")
        );
        assert_eq!(
            event.data["items"],
            json!([{"product_id": "100234", "step": 2, "product_name": "Clearblue graviditetstest", "product_group": "Graviditet/Tester", "product_sales": "119.00"}])
        );
        assert_eq!(event.ids["tracking_setup_id"], "2443498");
        assert_eq!(event.consent_mode["gdpr_consent"], "CPx");
        assert_eq!(fields(event, "data"), vec!["ecpr"]);
        assert_eq!(fields(event, "event"), vec!["ADFPageName"]);
    }

    #[test]
    fn decodes_order_variables_and_the_itm_literal() {
        let url = "https://track.adform.net/Serving/TrackPoint/?pm=1&ADFPageName=Kvittering&orderid=T-1001&sales=358&currency=NOK&sv1=gravid&gender=female&itm=%7Bsl%3A%22358%22%2Cid%3A%22T-1001%22%2Ccur%3A%22NOK%22%7D";
        let event = &decode(&get(url))[0];
        assert_eq!(event.data["orderid"], "T-1001");
        assert_eq!(event.data["sv1"], "gravid");
        assert_eq!(event.data["gender"], "female");
        assert_eq!(event.data["sl"], "358");
        assert_eq!(event.data["cur"], "NOK");
    }

    #[test]
    fn other_paths_and_malformed_input() {
        assert!(decode(&get(
            "https://track.adform.net/serving/scripts/trackpoint/async/"
        ))
        .is_empty());
        let url = product_view();
        for prefix in prefixes(&url) {
            let _ = decode(&get(prefix));
        }
        let odd = get("https://a2.adform.net/Serving/TrackPoint/?pm=1&ecpr=%%%&itm=%7B&ADFPageName=%25E2%2582");
        let event = &decode(&odd)[0];
        assert!(!event.data.contains_key("items"));
        assert_eq!(event.event.as_deref(), Some("\u{fffd}"));
        let not_a_list = format!(
            "https://track.adform.net/Serving/TrackPoint/?pm=1&ecpr={}",
            base64_url(b"\"text\"")
        );
        assert!(!decode(&get(&not_a_list))[0].data.contains_key("items"));
    }
}
