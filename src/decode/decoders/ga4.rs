//! Google Analytics 4 (`gtag.js`): `/g/collect?v=2&tid=G-…`. A GET carries one event; a POST
//! carries the shared parameters in the query and one event per body line, each line's parameters
//! overriding the shared ones. `ep.*` are text event parameters, `epn.*` numeric ones, `up.*` /
//! `upn.*` user properties, `pr1`… the items (`id…~nm…~pr…~qt…`).

use std::collections::{BTreeMap, HashSet};

use serde_json::{Map, Value};

use super::google_common::{apply_gcd, read_consent_param, read_user_provided_data};
use crate::decode::event::EventBuilder;
use crate::decode::wire::{form_pairs, number_or_string, WireRequest};
use crate::model::TrackerEvent;

/// Items read from one event (GA4 accepts 200).
const MAX_ITEMS: u32 = 200;
/// Body lines read from one batch.
const MAX_LINES: usize = 500;

pub(super) fn decode(request: &WireRequest<'_>) -> Vec<TrackerEvent> {
    if !request.path_lower().ends_with("/g/collect") {
        return Vec::new();
    }
    let shared = request.query_pairs();
    let lines: Vec<Vec<(String, String)>> = request
        .body_text()
        .map(|body| {
            body.lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .take(MAX_LINES)
                .map(|line| form_pairs(line.as_bytes()))
                .filter(|pairs| !pairs.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if lines.is_empty() {
        return decode_event(&shared, &[]).into_iter().collect();
    }
    lines
        .iter()
        .filter_map(|line| decode_event(&shared, line))
        .collect()
}

fn decode_event(shared: &[(String, String)], line: &[(String, String)]) -> Option<TrackerEvent> {
    let overridden: HashSet<&str> = line.iter().map(|(k, _)| k.as_str()).collect();
    let params = shared
        .iter()
        .filter(|(k, _)| !overridden.contains(k.as_str()))
        .chain(line.iter());

    let mut builder = EventBuilder::new();
    let mut items: BTreeMap<u32, (String, Map<String, Value>)> = BTreeMap::new();
    let mut user_properties = Map::new();
    let mut user_property_wires = Vec::new();
    let mut gcd = None;
    for (key, value) in params {
        let key = key.as_str();
        if read_consent_param(&mut builder, key, value) {
            if key == "gcd" {
                gcd = Some(value.as_str());
            }
            continue;
        }
        match key {
            "en" => {
                builder.event_name("en", value);
            }
            "dl" => {
                builder.page_url("dl", value);
            }
            "dr" => {
                builder.referrer("dr", value);
            }
            "dt" => {
                builder.title("dt", value);
            }
            "tid" => {
                builder.id("tid", "measurement_id", value);
            }
            "cid" => {
                builder.id("cid", "client_id", value);
            }
            "sid" => {
                builder.id("sid", "session_id", value);
            }
            "uid" => {
                builder.id("uid", "user_id", value);
            }
            "cu" => {
                builder.data("cu", "currency", Value::from(value.as_str()));
            }
            "em" => read_user_provided_data(&mut builder, "em", value),
            _ => {
                if let Some(name) = key.strip_prefix("ep.") {
                    builder.data(key, name, Value::from(value.as_str()));
                } else if let Some(name) = key.strip_prefix("epn.") {
                    builder.data(key, name, number_or_string(value));
                } else if let Some(name) = key.strip_prefix("up.") {
                    user_properties.insert(name.to_string(), Value::from(value.as_str()));
                    user_property_wires.push(key);
                } else if let Some(name) = key.strip_prefix("upn.") {
                    user_properties.insert(name.to_string(), number_or_string(value));
                    user_property_wires.push(key);
                } else if let Some(index) = item_index(key) {
                    items.insert(index, (key.to_string(), parse_item(value)));
                }
            }
        }
    }
    apply_gcd(&mut builder, gcd);
    if !items.is_empty() {
        let wires: Vec<String> = items.values().map(|(wire, _)| wire.clone()).collect();
        let items: Vec<Value> = items
            .into_values()
            .map(|(_, item)| Value::Object(item))
            .collect();
        builder.data_from(
            wires.iter().map(String::as_str),
            "items",
            Value::Array(items),
        );
    }
    if !user_properties.is_empty() {
        builder.data_from(
            user_property_wires,
            "user_properties",
            Value::Object(user_properties),
        );
    }
    (!builder.is_empty()).then(|| builder.build())
}

/// `pr3` → 3.
fn item_index(key: &str) -> Option<u32> {
    let digits = key.strip_prefix("pr")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits
        .parse()
        .ok()
        .filter(|&i| (1..=MAX_ITEMS).contains(&i))
}

/// `idSKU1~nmClearblue~pr119~qt1~k0colour~v0blue` → `{"item_id": "SKU1", …, "colour": "blue"}`.
fn parse_item(text: &str) -> Map<String, Value> {
    let mut item = Map::new();
    let mut custom_keys: Vec<(&str, &str)> = Vec::new();
    let mut custom_values: Vec<&str> = Vec::new();
    for part in text.split('~').take(100) {
        let (Some(code), Some(value)) = (part.get(..2), part.get(2..)) else {
            continue;
        };
        let (name, numeric) = match code {
            "id" => ("item_id", false),
            "nm" => ("item_name", false),
            "af" => ("affiliation", false),
            "cp" => ("coupon", false),
            "ds" => ("discount", true),
            "lp" => ("index", true),
            "br" => ("item_brand", false),
            "ca" => ("item_category", false),
            "c2" => ("item_category2", false),
            "c3" => ("item_category3", false),
            "c4" => ("item_category4", false),
            "c5" => ("item_category5", false),
            "li" => ("item_list_id", false),
            "ln" => ("item_list_name", false),
            "va" => ("item_variant", false),
            "lo" => ("location_id", false),
            "pr" => ("price", true),
            "qt" => ("quantity", true),
            "pi" => ("promotion_id", false),
            "pn" => ("promotion_name", false),
            "cn" => ("creative_name", false),
            "cs" => ("creative_slot", false),
            _ => {
                if let Some((index, key)) = custom_key(part) {
                    custom_keys.push((index, key));
                } else if let Some(value) = part.strip_prefix('v') {
                    custom_values.push(value);
                }
                continue;
            }
        };
        let value = if numeric {
            number_or_string(value)
        } else {
            Value::from(value)
        };
        item.insert(name.to_string(), value);
    }
    // `k1` and `k10` both exist in long items: match each value to the longest index it starts with.
    let mut indexes: Vec<&str> = custom_keys.iter().map(|(index, _)| *index).collect();
    indexes.sort_by_key(|index| std::cmp::Reverse(index.len()));
    for value in custom_values {
        let Some(index) = indexes.iter().find(|index| value.starts_with(**index)) else {
            continue;
        };
        if let Some((_, key)) = custom_keys.iter().find(|(i, _)| i == index) {
            item.insert((*key).to_string(), Value::from(&value[index.len()..]));
        }
    }
    item
}

/// `k12colour` → ("12", "colour").
fn custom_key(part: &str) -> Option<(&str, &str)> {
    let rest = part.strip_prefix('k')?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    (digits > 0 && digits < rest.len()).then(|| rest.split_at(digits))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decoders::test_support::{fields, get, post, prefixes};
    use serde_json::json;

    const PAGE_VIEW: &str = "https://region1.google-analytics.com/g/collect?v=2&tid=G-HELSE42&gtm=45je69u2v878222536za200&_p=1791212458528&gcs=G111&gcd=13r3r3r3r5l1&npa=0&dma=0&cid=746406658.1791212460&ul=nb-no&sr=1920x1080&_s=1&sid=1791212459&sct=1&seg=0&dl=https%3A%2F%2Fhelse.example%2Fsykdommer%2Fdepresjon&dr=https%3A%2F%2Fwww.google.com%2F&dt=Depresjon%20-%20symptomer%20og%20behandling&en=page_view&_fv=1&_ss=1&ep.content_group=psykisk%20helse&tfd=1679";

    #[test]
    fn decodes_a_page_view_with_consent_mode() {
        let events = decode(&get(PAGE_VIEW));
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.event.as_deref(), Some("page_view"));
        assert_eq!(
            event.page_url.as_deref(),
            Some("https://helse.example/sykdommer/depresjon")
        );
        assert_eq!(event.referrer.as_deref(), Some("https://www.google.com/"));
        assert_eq!(
            event.title.as_deref(),
            Some("Depresjon - symptomer og behandling")
        );
        assert_eq!(event.data["content_group"], "psykisk helse");
        assert_eq!(event.ids["measurement_id"], "G-HELSE42");
        assert_eq!(event.ids["client_id"], "746406658.1791212460");
        assert_eq!(event.ids["session_id"], "1791212459");
        assert_eq!(event.consent_mode["gcs"], "G111");
        assert_eq!(event.consent_mode["gcd"], "13r3r3r3r5l1");
        assert_eq!(event.consent_mode["ad_storage"], "granted");
        assert_eq!(event.consent_mode["ad_user_data"], "granted");
        assert_eq!(fields(event, "page_url"), vec!["dl"]);
        assert_eq!(fields(event, "title"), vec!["dt"]);
        assert_eq!(fields(event, "data"), vec!["ep.content_group"]);
    }

    #[test]
    fn splits_a_batched_post_into_its_events() {
        let url = "https://region1.google-analytics.com/g/collect?v=2&tid=G-ABC123&gcs=G100&gcd=13p3p3p3p5l1&cid=1.2&dl=https%3A%2F%2Fapotek.example%2Fsok&dt=S%C3%B8k&en=ignored_shared";
        let body = "en=view_search_results&ep.search_term=angstdempende%20uten%20resept\r\nen=add_to_cart&cu=NOK&epn.value=249.5&pr1=id100234~nmSertralin%20Teva~caReseptfritt~pr249.50~qt1~k0form~v0tablett~k10strength~v1050mg&pr2=idX2~nmPlaster\r\nen=user_engagement&_et=5123&dl=https%3A%2F%2Fapotek.example%2Fhandlekurv\r\n";
        let events = decode(&post(url, "text/plain;charset=UTF-8", body.as_bytes()));
        let names: Vec<_> = events.iter().map(|e| e.event.as_deref().unwrap()).collect();
        assert_eq!(
            names,
            vec!["view_search_results", "add_to_cart", "user_engagement"]
        );
        assert!(events.iter().all(|e| e.ids["measurement_id"] == "G-ABC123"));
        assert!(events
            .iter()
            .all(|e| e.consent_mode["analytics_storage"] == "denied"));

        assert_eq!(events[0].data["search_term"], "angstdempende uten resept");
        assert_eq!(
            events[0].page_url.as_deref(),
            Some("https://apotek.example/sok")
        );
        assert_eq!(events[0].title.as_deref(), Some("Søk"));

        let cart = &events[1];
        assert_eq!(cart.data["value"], json!(249.5));
        assert_eq!(cart.data["currency"], "NOK");
        assert_eq!(
            cart.data["items"],
            json!([
                {"item_id": "100234", "item_name": "Sertralin Teva", "item_category": "Reseptfritt",
                 "price": 249.5, "quantity": 1, "form": "tablett", "strength": "50mg"},
                {"item_id": "X2", "item_name": "Plaster"}
            ])
        );
        assert_eq!(fields(cart, "data"), vec!["cu", "epn.value", "pr1", "pr2"]);

        // A line's own dl overrides the shared one.
        assert_eq!(
            events[2].page_url.as_deref(),
            Some("https://apotek.example/handlekurv")
        );
    }

    #[test]
    fn reads_user_properties_and_hashed_user_data() {
        let url = "https://www.google-analytics.com/g/collect?v=2&tid=G-1&en=sign_up&up.membership=gold&upn.age=34&em=tv.1~em.2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";
        let event = &decode(&get(url))[0];
        assert_eq!(
            event.data["user_properties"],
            json!({"membership": "gold", "age": 34})
        );
        assert_eq!(event.user_data_fields, vec!["em"]);
    }

    #[test]
    fn gzip_bodies_and_signals_pings_are_read() {
        use crate::decode::decoders::test_support::gzip;
        let url = "https://region1.google-analytics.com/g/collect?v=2&tid=G-1&cid=1.2";
        let body = gzip(b"en=scroll&epn.percent_scrolled=90");
        let event = &decode(&post(url, "text/plain", &body))[0];
        assert_eq!(event.event.as_deref(), Some("scroll"));
        assert_eq!(event.data["percent_scrolled"], json!(90));

        let signals = "https://stats.g.doubleclick.net/g/collect?v=2&tid=G-1&cid=1.2&gcs=G111";
        let event = &decode(&get(signals))[0];
        assert_eq!(event.event, None);
        assert_eq!(event.ids["client_id"], "1.2");
    }

    #[test]
    fn other_paths_and_malformed_input() {
        assert!(decode(&get("https://www.googletagmanager.com/gtag/js?id=G-1")).is_empty());
        assert!(decode(&get("https://www.google-analytics.com/g/collect")).is_empty());
        for prefix in prefixes(PAGE_VIEW) {
            let _ = decode(&get(prefix));
        }
        let odd = "https://www.google-analytics.com/g/collect?en=x&pr1=~~%E2%82~k~v~k1~v1&pr0=idA&pr99999999999=idB&prx=idC&gcd=%FF%FE";
        let event = &decode(&get(odd))[0];
        assert_eq!(event.event.as_deref(), Some("x"));
        assert_eq!(event.data["items"], json!([{}]));
        let binary = post(
            "https://www.google-analytics.com/g/collect?en=a",
            "text/plain",
            &[0xff, 0x00, 0x1f, 0x8b, 0x08],
        );
        let _ = decode(&binary);
    }
}
