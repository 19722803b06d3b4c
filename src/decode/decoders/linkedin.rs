//! LinkedIn Insight Tag: `px.ads.linkedin.com/collect?pid=…&url=…&conversionId=…` and the
//! website-signals endpoint `/wa/`, whose POST body is JSON, sometimes gzipped and base64-encoded
//! (`pids`, `url`, `pageTitle`, `signalType`, `conversionId`, `liFatId`, `hem` hashed e-mail).

use serde_json::Value;

use crate::decode::event::EventBuilder;
use crate::decode::wire::{json_str, WireRequest};
use crate::model::TrackerEvent;

pub(super) fn decode(request: &WireRequest<'_>) -> Vec<TrackerEvent> {
    let path = request.path_lower();
    let is_collect = path.starts_with("/collect");
    let is_signals = path.starts_with("/wa");
    if !is_collect && !is_signals {
        return Vec::new();
    }
    let mut builder = EventBuilder::new();
    let mut conversion = false;
    for (key, value) in request.query_pairs() {
        match key.as_str() {
            "pid" => {
                builder.id("pid", "partner_id", &value);
            }
            "url" => {
                builder.page_url("url", &value);
            }
            "conversionId" => {
                conversion |= !value.is_empty();
                builder.id("conversionId", "conversion_id", &value);
            }
            "li_fat_id" => {
                builder.id("li_fat_id", "li_fat_id", &value);
            }
            _ => {}
        }
    }
    if let Some(body) = request.body_json() {
        read_signal(&mut builder, &body, &mut conversion);
    }
    if conversion {
        builder.event_name("conversionId", "conversion");
    }
    if builder.is_empty() {
        return Vec::new();
    }
    vec![builder.build()]
}

fn read_signal(builder: &mut EventBuilder, body: &Value, conversion: &mut bool) {
    if let Some(pids) = body.get("pids").and_then(Value::as_array) {
        let ids: Vec<String> = pids
            .iter()
            .take(50)
            .filter_map(|p| match p {
                Value::Number(n) => Some(n.to_string()),
                Value::String(s) => Some(s.clone()),
                _ => None,
            })
            .collect();
        builder.id("pids", "partner_id", &ids.join(","));
    }
    if let Some(url) = json_str(body, "url") {
        builder.page_url("url", &url);
    }
    if let Some(title) = json_str(body, "pageTitle") {
        builder.title("pageTitle", &title);
    }
    if let Some(signal) = json_str(body, "signalType") {
        builder.event_name("signalType", &signal);
    }
    if let Some(conversion_id) = json_str(body, "conversionId") {
        *conversion = true;
        builder.id("conversionId", "conversion_id", &conversion_id);
    }
    if let Some(fat_id) = json_str(body, "liFatId") {
        builder.id("liFatId", "li_fat_id", &fat_id);
    }
    for key in ["hem", "hashedEmail"] {
        if let Some(hash) = json_str(body, key) {
            builder.user_data(key, "em", &hash);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decoders::test_support::{base64, fields, get, gzip, post};
    use serde_json::json;

    fn signal() -> Value {
        json!({
            "pids": [3346164],
            "scriptVersion": 192,
            "time": 1791212460123u64,
            "domain": "klinikk.example",
            "url": "https://klinikk.example/timebestilling/psykolog",
            "pageTitle": "Bestill time hos psykolog",
            "websiteSignalRequestId": "f1e2d3c4-0000-1111-2222-333344445555",
            "isTranslated": false,
            "liFatId": "",
            "liGiant": "",
            "misc": {"psbState": -4},
            "isLinkedInApp": false,
            "hem": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "signalType": "CLICK"
        })
    }

    #[test]
    fn decodes_the_collect_pixel() {
        let url = "https://px.ads.linkedin.com/collect/?pid=3127001&conversionId=8105412&fmt=gif&url=https%3A%2F%2Fklinikk.example%2Ftakk&time=1791212460123&liSync=true";
        let events = decode(&get(url));
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.event.as_deref(), Some("conversion"));
        assert_eq!(
            event.page_url.as_deref(),
            Some("https://klinikk.example/takk")
        );
        assert_eq!(event.ids["partner_id"], "3127001");
        assert_eq!(event.ids["conversion_id"], "8105412");

        let page_view = &decode(&get(
            "https://px.ads.linkedin.com/collect?v=2&fmt=js&pid=1&url=https%3A%2F%2Fa.example%2F",
        ))[0];
        assert_eq!(page_view.event, None);
    }

    #[test]
    fn decodes_plain_and_base64_gzip_signal_bodies() {
        let json = signal().to_string();
        let wrapped = base64(&gzip(json.as_bytes()));
        for body in [
            json.into_bytes(),
            wrapped.into_bytes(),
            gzip(signal().to_string().as_bytes()),
        ] {
            let events = decode(&post(
                "https://px.ads.linkedin.com/wa/",
                "text/plain",
                &body,
            ));
            assert_eq!(events.len(), 1);
            let event = &events[0];
            assert_eq!(event.event.as_deref(), Some("CLICK"));
            assert_eq!(
                event.page_url.as_deref(),
                Some("https://klinikk.example/timebestilling/psykolog")
            );
            assert_eq!(event.title.as_deref(), Some("Bestill time hos psykolog"));
            assert_eq!(event.ids["partner_id"], "3346164");
            assert_eq!(event.user_data_fields, vec!["em"]);
            assert_eq!(fields(event, "user_data"), vec!["hem"]);
            assert!(!event.ids.contains_key("li_fat_id"), "empty liFatId");
        }
    }

    #[test]
    fn other_paths_and_malformed_input() {
        assert!(decode(&get(
            "https://snap.licdn.com/li.lms-analytics/insight.min.js"
        ))
        .is_empty());
        let wrapped = base64(&gzip(signal().to_string().as_bytes()));
        for cut in 0..wrapped.len() {
            let _ = decode(&post(
                "https://px.ads.linkedin.com/wa/",
                "text/plain",
                &wrapped.as_bytes()[..cut],
            ));
        }
        let not_base64 = post(
            "https://px.ads.linkedin.com/wa/",
            "text/plain",
            b"H4sI%%%garbage",
        );
        assert!(decode(&not_base64).is_empty());
    }
}
