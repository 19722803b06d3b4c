//! Universal Analytics (`analytics.js`, Measurement Protocol v1): `/collect?v=1&t=pageview&…`, the
//! same parameters as a POST body, or `/batch` with one hit per body line. `t` is the hit type;
//! for `event` hits `ea` names the event. Products are `pr<N><field>` (`pr1nm`, `pr1pr`, …).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::google_common::{apply_gcd, read_consent_param};
use crate::decode::event::EventBuilder;
use crate::decode::wire::{form_pairs, number_or_string, WireRequest, MAX_PARAMS};
use crate::model::TrackerEvent;

const MAX_PRODUCTS: u32 = 200;
const MAX_HITS: usize = 500;

pub(super) fn decode(request: &WireRequest<'_>) -> Vec<TrackerEvent> {
    let path = request.path_lower();
    let is_hit = path.ends_with("/collect");
    let is_batch = path.ends_with("/batch");
    if !is_hit && !is_batch {
        return Vec::new();
    }
    let query = request.query_pairs();
    let body = request.body_text().unwrap_or_default();
    let mut hits: Vec<Vec<(String, String)>> = if is_batch {
        body.lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .take(MAX_HITS)
            .map(|line| form_pairs(line.as_bytes()))
            .collect()
    } else {
        let mut pairs = query.clone();
        pairs.extend(form_pairs(body.trim().as_bytes()));
        pairs.truncate(MAX_PARAMS);
        vec![pairs]
    };
    if is_batch {
        // Parameters in a batch URL apply to every hit.
        for hit in &mut hits {
            let mut merged = query.clone();
            merged.append(hit);
            *hit = merged;
        }
    }
    hits.iter().filter_map(|hit| decode_hit(hit)).collect()
}

fn decode_hit(params: &[(String, String)]) -> Option<TrackerEvent> {
    let mut builder = EventBuilder::new();
    let mut hit_type = None;
    let mut event_action = None;
    let mut products: BTreeMap<u32, Map<String, Value>> = BTreeMap::new();
    let mut product_wires = Vec::new();
    let mut gcd = None;
    for (key, value) in params {
        let key = key.as_str();
        if read_consent_param(&mut builder, key, value) {
            if key == "gcd" {
                gcd = Some(value.as_str());
            }
            continue;
        }
        let data_name = match key {
            "t" => {
                hit_type = Some(value.as_str());
                continue;
            }
            "dl" => {
                builder.page_url("dl", value);
                continue;
            }
            "dr" => {
                builder.referrer("dr", value);
                continue;
            }
            "dt" => {
                builder.title("dt", value);
                continue;
            }
            "tid" => {
                builder.id("tid", "property_id", value);
                continue;
            }
            "cid" => {
                builder.id("cid", "client_id", value);
                continue;
            }
            "uid" => {
                builder.id("uid", "user_id", value);
                continue;
            }
            "_gid" => {
                builder.id("_gid", "gid", value);
                continue;
            }
            "ea" => {
                event_action = Some(value.as_str());
                "event_action"
            }
            "ec" => "event_category",
            "el" => "event_label",
            "ev" => "event_value",
            "dp" => "page_path",
            "dh" => "host_name",
            "ti" => "transaction_id",
            "ta" => "affiliation",
            "tr" => "revenue",
            "ts" => "shipping",
            "tt" => "tax",
            "tcc" => "coupon",
            "cu" => "currency",
            "pa" => "product_action",
            "pal" => "product_action_list",
            "in" => "item_name",
            "ip" => "item_price",
            "iq" => "item_quantity",
            "ic" => "item_code",
            "iv" => "item_category",
            _ => {
                if let Some((index, field)) = product_field(key) {
                    products
                        .entry(index)
                        .or_default()
                        .insert(field.to_string(), product_value(field, value));
                    product_wires.push(key);
                } else if let Some(n) = numbered(key, "cd") {
                    builder.data(key, &format!("dimension{n}"), Value::from(value.as_str()));
                } else if let Some(n) = numbered(key, "cm") {
                    builder.data(key, &format!("metric{n}"), number_or_string(value));
                }
                continue;
            }
        };
        let value = match data_name {
            "event_value" | "revenue" | "shipping" | "tax" | "item_price" | "item_quantity" => {
                number_or_string(value)
            }
            _ => Value::from(value.as_str()),
        };
        builder.data(key, data_name, value);
    }
    match (hit_type, event_action) {
        (Some("event"), Some(action)) if !action.is_empty() => {
            builder.event_name("ea", action);
        }
        (Some(hit_type), _) => {
            builder.event_name("t", hit_type);
        }
        _ => {}
    }
    apply_gcd(&mut builder, gcd);
    if !products.is_empty() {
        let items: Vec<Value> = products.into_values().map(Value::Object).collect();
        builder.data_from(product_wires, "items", Value::Array(items));
    }
    (!builder.is_empty()).then(|| builder.build())
}

/// `pr2nm` → (2, "name"); `pr1cd3` → (1, "dimension3").
fn product_field(key: &str) -> Option<(u32, &'static str)> {
    let rest = key.strip_prefix("pr")?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let index: u32 = rest.get(..digits)?.parse().ok()?;
    if !(1..=MAX_PRODUCTS).contains(&index) {
        return None;
    }
    let field = match rest.get(digits..)? {
        "id" => "id",
        "nm" => "name",
        "br" => "brand",
        "ca" => "category",
        "va" => "variant",
        "pr" => "price",
        "qt" => "quantity",
        "cc" => "coupon",
        "ps" => "position",
        other if numbered(other, "cd").is_some() => "custom_dimension",
        other if numbered(other, "cm").is_some() => "custom_metric",
        _ => return None,
    };
    Some((index, field))
}

fn product_value(field: &str, value: &str) -> Value {
    match field {
        "price" | "quantity" | "position" | "custom_metric" => number_or_string(value),
        _ => Value::from(value),
    }
}

/// `cd12` → 12 for prefix `cd`.
fn numbered(key: &str, prefix: &str) -> Option<u32> {
    let digits = key.strip_prefix(prefix)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decoders::test_support::{fields, get, post, prefixes};
    use serde_json::json;

    const EVENT_HIT: &str = "https://www.google-analytics.com/collect?v=1&_v=j101&a=1234&t=event&ni=0&_s=2&dl=https%3A%2F%2Fklinikk.example%2Fbehandlinger%2Fabort&dr=&ul=nb-no&de=UTF-8&dt=Abort%20-%20Klinikken&sd=24-bit&sr=1920x1080&vp=1903x969&je=0&ec=Booking&ea=Start%20timebestilling&el=abort-konsultasjon&ev=1&_u=QACAAEABAAAAACAAI~&jid=&gjid=&cid=1234567890.1791212460&tid=UA-12345-1&_gid=987654321.1791212460&cd1=pasient&z=1527";

    #[test]
    fn decodes_an_event_hit() {
        let events = decode(&get(EVENT_HIT));
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.event.as_deref(), Some("Start timebestilling"));
        assert_eq!(fields(event, "event"), vec!["ea"]);
        assert_eq!(
            event.page_url.as_deref(),
            Some("https://klinikk.example/behandlinger/abort")
        );
        assert_eq!(event.referrer, None);
        assert_eq!(event.title.as_deref(), Some("Abort - Klinikken"));
        assert_eq!(event.data["event_category"], "Booking");
        assert_eq!(event.data["event_label"], "abort-konsultasjon");
        assert_eq!(event.data["event_value"], json!(1));
        assert_eq!(event.data["dimension1"], "pasient");
        assert_eq!(event.ids["property_id"], "UA-12345-1");
        assert_eq!(event.ids["client_id"], "1234567890.1791212460");
        assert_eq!(event.ids["gid"], "987654321.1791212460");
    }

    #[test]
    fn decodes_enhanced_ecommerce_products_from_a_post_body() {
        let body = "v=1&t=pageview&tid=UA-1-1&cid=5.6&dl=https%3A%2F%2Fapotek.example%2Fkasse&pa=purchase&ti=T-1001&tr=358.00&cu=NOK&pr1id=100234&pr1nm=Clearblue%20graviditetstest&pr1pr=119.00&pr1qt=1&pr2id=200&pr2nm=Folsyre&pr2qt=2&pr2cd1=gravid";
        let events = decode(&post(
            "https://www.google-analytics.com/collect",
            "text/plain;charset=UTF-8",
            body.as_bytes(),
        ));
        let event = &events[0];
        assert_eq!(event.event.as_deref(), Some("pageview"));
        assert_eq!(event.data["product_action"], "purchase");
        assert_eq!(event.data["transaction_id"], "T-1001");
        assert_eq!(event.data["revenue"], json!(358.0));
        assert_eq!(
            event.data["items"],
            json!([
                {"id": "100234", "name": "Clearblue graviditetstest", "price": 119.0, "quantity": 1},
                {"id": "200", "name": "Folsyre", "quantity": 2, "custom_dimension": "gravid"}
            ])
        );
    }

    #[test]
    fn splits_batches_into_hits() {
        let body = "v=1&t=pageview&tid=UA-1-1&cid=1.2&dl=https%3A%2F%2Fa.example%2F\nv=1&t=event&tid=UA-1-1&cid=1.2&ec=Video&ea=play\n\n";
        let events = decode(&post(
            "https://www.google-analytics.com/batch",
            "text/plain",
            body.as_bytes(),
        ));
        let names: Vec<_> = events.iter().map(|e| e.event.as_deref()).collect();
        assert_eq!(names, vec![Some("pageview"), Some("play")]);
    }

    #[test]
    fn other_paths_and_malformed_input() {
        assert!(decode(&get("https://www.google-analytics.com/analytics.js")).is_empty());
        for prefix in prefixes(EVENT_HIT) {
            let _ = decode(&get(prefix));
        }
        let odd = get("https://www.google-analytics.com/collect?t=event&ea=&pr0nm=x&pr1=y&pr1zz=z&pr99999999999nm=q&cd=1&cdx=2");
        let event = &decode(&odd)[0];
        assert_eq!(
            event.event.as_deref(),
            Some("event"),
            "empty ea falls back to t"
        );
        assert!(!event.data.contains_key("items"));
    }
}
