//! Campaign Manager 360 Floodlight: parameters live in the path, semicolon-separated:
//! `ad.doubleclick.net/activity;src=…;type=…;cat=…;ord=…;u1=…;~oref=<page>?` (also `activityi`,
//! `/ddm/activity/src=…` and `<id>.fls.doubleclick.net`). The activity is `type/cat`.

use serde_json::Value;

use super::google_common::{apply_gcd, read_consent_param};
use crate::decode::event::EventBuilder;
use crate::decode::wire::{number_or_string, semicolon_pairs, WireRequest};
use crate::model::TrackerEvent;

pub(super) fn decode(request: &WireRequest<'_>) -> Vec<TrackerEvent> {
    let Some(path_params) = activity_params(request.path()) else {
        return Vec::new();
    };
    let mut params = semicolon_pairs(path_params);
    params.extend(request.query_pairs());

    let mut builder = EventBuilder::new();
    let (mut activity_group, mut activity_tag) = (None, None);
    let mut gcd = None;
    for (key, value) in &params {
        let key = key.as_str();
        if read_consent_param(&mut builder, key, value) {
            if key == "gcd" {
                gcd = Some(value.as_str());
            }
            continue;
        }
        match key {
            "src" => {
                builder.id("src", "advertiser_id", value);
            }
            "type" => activity_group = Some(value.as_str()),
            "cat" => activity_tag = Some(value.as_str()),
            "~oref" => {
                builder.page_url("~oref", value);
            }
            "ord" => {
                builder.data("ord", "order_id", Value::from(value.as_str()));
            }
            "qty" => {
                builder.data("qty", "quantity", number_or_string(value));
            }
            "cost" => {
                builder.data("cost", "revenue", number_or_string(value));
            }
            "prd" => {
                builder.data("prd", "products", Value::from(value.as_str()));
            }
            "tag_for_child_directed_treatment" | "tfua" => {
                builder.data(key, key, Value::from(value.as_str()));
            }
            "auiddc" => {
                builder.id("auiddc", "gcl_au", value);
            }
            "gclid" | "dclid" => {
                builder.id(key, key, value);
            }
            _ if is_custom_variable(key) => {
                builder.data(key, key, Value::from(value.as_str()));
            }
            _ => {}
        }
    }
    apply_gcd(&mut builder, gcd);
    match (activity_group, activity_tag) {
        (Some(group), Some(tag)) => {
            let activity = format!("{group}/{tag}");
            builder
                .event_name("type", &activity)
                .event_name("cat", &activity);
        }
        (Some(only), None) | (None, Some(only)) => {
            let wire = if activity_group.is_some() {
                "type"
            } else {
                "cat"
            };
            builder.event_name(wire, only);
        }
        (None, None) => {}
    }
    if builder.is_empty() {
        return Vec::new();
    }
    vec![builder.build()]
}

/// The `src=…;type=…` part of an activity path.
fn activity_params(path: &str) -> Option<&str> {
    let lower = path.to_ascii_lowercase();
    let at = lower.find("activity")?;
    let rest = &path[at + "activity".len()..];
    let rest = rest.strip_prefix(['i', 'I']).unwrap_or(rest);
    let rest = rest.strip_prefix([';', '/'])?;
    Some(rest.trim_end_matches('/'))
}

/// `u1` … `u100`: the advertiser's custom Floodlight variables.
fn is_custom_variable(key: &str) -> bool {
    key.strip_prefix('u')
        .is_some_and(|n| !n.is_empty() && n.len() <= 3 && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decoders::test_support::{fields, get, prefixes};

    const SALE: &str = "https://ad.doubleclick.net/activity;src=1234567;type=sales;cat=purch0;qty=1;cost=249.00;u1=Sertralin%2050mg;u5=reseptbelagt;dc_lat=;dc_rdid=;tag_for_child_directed_treatment=;tfua=;npa=0;gdpr=1;gdpr_consent=CPx-AAAAAA;ord=T-1001;num=1791212460?";

    #[test]
    fn decodes_semicolon_parameters_in_the_path() {
        let events = decode(&get(SALE));
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.event.as_deref(), Some("sales/purch0"));
        assert_eq!(fields(event, "event"), vec!["type", "cat"]);
        assert_eq!(event.ids["advertiser_id"], "1234567");
        assert_eq!(event.data["u1"], "Sertralin 50mg");
        assert_eq!(event.data["u5"], "reseptbelagt");
        assert_eq!(event.data["revenue"], serde_json::json!(249.0));
        assert_eq!(event.data["order_id"], "T-1001");
        assert!(
            !event.data.contains_key("tfua"),
            "empty values are not data"
        );
        assert_eq!(event.consent_mode["gdpr_consent"], "CPx-AAAAAA");
    }

    #[test]
    fn gtag_iframe_variant_on_fls_host() {
        let url = "https://8765432.fls.doubleclick.net/activityi;dc_pre=CJ;src=8765432;type=visit0;cat=helse0;ord=1;num=2;npa=0;auiddc=111.222;u2=%2Fsykdommer%2Fhiv;ps=1;pcor=3;uaa=x86;gcs=G111;~oref=https%3A%2F%2Fhelse.example%2Fsykdommer%2Fhiv?";
        let event = &decode(&get(url))[0];
        assert_eq!(event.event.as_deref(), Some("visit0/helse0"));
        assert_eq!(
            event.page_url.as_deref(),
            Some("https://helse.example/sykdommer/hiv")
        );
        assert_eq!(event.data["u2"], "/sykdommer/hiv");
        assert_eq!(event.ids["gcl_au"], "111.222");
        assert_eq!(event.consent_mode["analytics_storage"], "granted");
    }

    #[test]
    fn ddm_activity_path() {
        let url = "https://ad.doubleclick.net/ddm/activity/src=1;type=a;cat=b;ord=9/";
        let event = &decode(&get(url))[0];
        assert_eq!(event.event.as_deref(), Some("a/b"));
        assert_eq!(event.data["order_id"], "9");
    }

    #[test]
    fn other_paths_and_malformed_input() {
        assert!(decode(&get("https://ad.doubleclick.net/favicon.ico")).is_empty());
        assert!(decode(&get("https://ad.doubleclick.net/activity")).is_empty());
        for prefix in prefixes(SALE) {
            let _ = decode(&get(prefix));
        }
        let odd = get("https://ad.doubleclick.net/activity;;;=;type;u1=%E2%82;src=%FF?x");
        let event = &decode(&odd)[0];
        assert_eq!(event.ids["advertiser_id"], "\u{fffd}");
    }
}
