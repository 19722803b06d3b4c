//! The network log of each phase as HAR 1.2, for Chrome DevTools, Firefox and HAR viewers.
//!
//! What the visit did not record is written the way the HAR 1.2 spec says unknowns are written
//! (`-1` sizes, empty strings) so importers never meet a `null` where they expect a number:
//! request headers were not recorded (only `Content-Type`, which is), response headers only as
//! their `Set-Cookie` lines, and timings only as each request's start. Times are anchored at
//! the evaluation's start plus each request's offset into its phase, so entries of different
//! phases can overlap in time; `pageref` keeps them apart. Chrome-style custom fields
//! (`_resourceType`, `_initiator`, `_error`) are filled where the data exists, and consentlens
//! adds `_phase`, `_step`, `_tracker` and `_frameUrl`.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Map, Value};
use url::Url;

use super::format::rfc3339;
use crate::model::*;

const HAR_VERSION: &str = "1.2";

/// Initiator types DevTools knows (`Network.Initiator.type` in the protocol).
const INITIATOR_TYPES: [&str; 6] = [
    "parser",
    "script",
    "preload",
    "SignedExchange",
    "preflight",
    "other",
];

/// The HAR of one phase, or `None` when the phase was not observed.
pub fn har_for_phase(report: &SiteReport, phase: PhaseName) -> Option<Value> {
    let observed = report.phases.iter().find(|(name, _)| *name == phase)?;
    Some(har_log(report, [observed]))
}

/// One HAR with a page per observed phase and all their entries, in phase order.
pub fn har_all(report: &SiteReport) -> Value {
    har_log(report, report.phases.iter())
}

fn har_log<'a>(
    report: &SiteReport,
    phases: impl IntoIterator<Item = (PhaseName, &'a Phase)>,
) -> Value {
    let provenance = &report.provenance;
    let mut pages = Vec::new();
    let mut entries = Vec::new();
    for (name, phase) in phases {
        pages.push(page(report, name, phase));
        let redirect_targets = redirect_targets(phase);
        entries.extend(phase.requests.iter().map(|request| {
            entry(
                request,
                name,
                provenance.started_at,
                redirect_targets.get(request.url.as_str()).copied(),
            )
        }));
    }
    let mut log = Map::new();
    log.insert("version".into(), json!(HAR_VERSION));
    log.insert(
        "creator".into(),
        json!({ "name": "consentlens", "version": env!("CARGO_PKG_VERSION") }),
    );
    if let Some(browser) = &provenance.browser_version {
        log.insert("browser".into(), browser_entry(browser));
    }
    log.insert("pages".into(), Value::Array(pages));
    log.insert("entries".into(), Value::Array(entries));
    log.insert(
        "comment".into(),
        json!(format!(
            "Recorded by consentlens {} for {}. Request headers other than Content-Type and \
             response headers other than Set-Cookie were not recorded; entry times are the \
             evaluation's start plus each request's offset into its phase.",
            provenance.tool_version, report.url
        )),
    );
    json!({ "log": log })
}

/// `Chromium/156.0.7502.3` or `Chrome 156` → `{name, version}`; anything else is the name.
fn browser_entry(browser: &str) -> Value {
    let (name, version) = match browser.split_once(['/', ' ']) {
        Some((name, version)) if !name.is_empty() => (name, version),
        _ => (browser, ""),
    };
    json!({ "name": name, "version": version })
}

/// The URL a phase's page showed: its first navigation, else its first document request.
fn page_url<'a>(report: &'a SiteReport, phase: &'a Phase) -> &'a str {
    phase
        .navigations
        .first()
        .map(|navigation| navigation.url.as_str())
        .or_else(|| {
            phase
                .requests
                .iter()
                .find(|request| request.resource_type == "document")
                .map(|request| request.url.as_str())
        })
        .or(report.final_url.as_deref())
        .unwrap_or(&report.url)
}

fn page(report: &SiteReport, name: PhaseName, phase: &Phase) -> Value {
    json!({
        "startedDateTime": rfc3339(&report.provenance.started_at),
        "id": name.as_str(),
        "title": page_url(report, phase),
        // Load timings were not recorded: -1, as the spec and DevTools' own export write it.
        "pageTimings": { "onContentLoad": -1, "onLoad": -1 },
        "comment": format!("consentlens phase {}", name.as_str()),
    })
}

/// For each URL that was redirected, where it went (from the next request's `redirected_from`).
fn redirect_targets(phase: &Phase) -> HashMap<&str, &str> {
    let mut targets = HashMap::new();
    for request in &phase.requests {
        if let Some(from) = &request.redirected_from {
            targets.entry(from.as_str()).or_insert(request.url.as_str());
        }
    }
    targets
}

/// Start time of a request: the evaluation's start plus its offset, clamped to sane values.
fn started(anchor: DateTime<Utc>, time_ms: f64) -> DateTime<Utc> {
    let offset_us = if time_ms.is_finite() && time_ms > 0.0 {
        // Saturating cast; a day is far beyond any evaluation.
        (time_ms * 1_000.0).min(86_400_000_000.0) as i64
    } else {
        0
    };
    anchor
        .checked_add_signed(Duration::microseconds(offset_us))
        .unwrap_or(anchor)
}

fn entry(
    request: &Request,
    phase: PhaseName,
    anchor: DateTime<Utc>,
    redirect_url: Option<&str>,
) -> Value {
    let mut entry = Map::new();
    entry.insert("pageref".into(), json!(phase.as_str()));
    entry.insert(
        "startedDateTime".into(),
        json!(rfc3339(&started(anchor, request.time_ms))),
    );
    entry.insert("time".into(), json!(0));
    entry.insert("request".into(), har_request(request));
    entry.insert("response".into(), har_response(request, redirect_url));
    entry.insert("cache".into(), json!({}));
    entry.insert(
        "timings".into(),
        json!({ "send": 0, "wait": 0, "receive": 0 }),
    );
    entry.insert("_phase".into(), json!(phase.as_str()));
    entry.insert("_step".into(), json!(request.step));
    entry.insert("_resourceType".into(), json!(request.resource_type));
    // DevTools reads `_initiator` as an object and rejects a `null`, so it is left out when unknown.
    if let Some(initiator) = &request.initiator {
        entry.insert("_initiator".into(), initiator_entry(initiator));
    }
    entry.insert("_frameUrl".into(), json!(request.frame_url));
    entry.insert("_tracker".into(), json!(request.tracker));
    Value::Object(entry)
}

/// The model's initiator (a script URL, or an initiator type) in DevTools' `{type, url}` form.
fn initiator_entry(initiator: &str) -> Value {
    if initiator.contains("://") {
        json!({ "type": "script", "url": initiator })
    } else if INITIATOR_TYPES.contains(&initiator) {
        json!({ "type": initiator })
    } else {
        json!({ "type": "other", "comment": initiator })
    }
}

fn har_request(request: &Request) -> Value {
    let body = request.body_bytes();
    let mut headers = Vec::new();
    if let Some(content_type) = &request.content_type {
        headers.push(json!({ "name": "Content-Type", "value": content_type }));
    }
    let mut har = Map::new();
    har.insert("method".into(), json!(request.method));
    har.insert("url".into(), json!(request.url));
    // The protocol version was not recorded.
    har.insert("httpVersion".into(), json!(""));
    har.insert("cookies".into(), json!([]));
    har.insert("headers".into(), Value::Array(headers));
    har.insert("queryString".into(), query_string(&request.url));
    if let Some(post_data) = post_data(request) {
        har.insert("postData".into(), post_data);
    }
    har.insert("headersSize".into(), json!(-1));
    har.insert("bodySize".into(), json!(body.map_or(0, |b| b.len())));
    Value::Object(har)
}

/// The decoded query parameters of a URL, in order; none when it does not parse.
fn query_string(url: &str) -> Value {
    let pairs = Url::parse(url)
        .map(|url| {
            url.query_pairs()
                .map(|(name, value)| json!({ "name": name, "value": value }))
                .collect()
        })
        .unwrap_or_default();
    Value::Array(pairs)
}

fn post_data(request: &Request) -> Option<Value> {
    let mime_type = request.content_type.as_deref().unwrap_or("");
    if let Some(text) = &request.post_data {
        return Some(json!({ "mimeType": mime_type, "text": text }));
    }
    // A binary body: HAR 1.2 has no encoding field for request bodies, so the base64 text is
    // marked the way response content marks it.
    request.post_data_base64.as_ref().map(|base64| {
        json!({
            "mimeType": mime_type,
            "text": base64,
            "_encoding": "base64",
            "comment": "binary body, base64-encoded",
        })
    })
}

fn har_response(request: &Request, redirect_url: Option<&str>) -> Value {
    let mime_type = request.mime_type.as_deref().unwrap_or("x-unknown");
    let headers: Vec<Value> = request
        .set_cookie
        .iter()
        .map(|line| json!({ "name": "Set-Cookie", "value": line }))
        .collect();
    let cookies: Vec<Value> = request
        .set_cookie
        .iter()
        .filter_map(|line| set_cookie(line))
        .collect();
    let mut har = Map::new();
    har.insert("status".into(), json!(request.status.unwrap_or(0)));
    har.insert("statusText".into(), json!(""));
    har.insert("httpVersion".into(), json!(""));
    har.insert("cookies".into(), Value::Array(cookies));
    har.insert("headers".into(), Value::Array(headers));
    // The body was not recorded: its size is unknown, which HAR content cannot say but 0 can.
    har.insert(
        "content".into(),
        json!({ "size": 0, "mimeType": mime_type }),
    );
    har.insert("redirectURL".into(), json!(redirect_url.unwrap_or("")));
    har.insert("headersSize".into(), json!(-1));
    har.insert("bodySize".into(), json!(-1));
    if let Some(failure) = &request.failure {
        har.insert("_error".into(), json!(failure));
    }
    Value::Object(har)
}

/// A `Set-Cookie` line as a HAR cookie: name, value and the flags; `None` without a name.
fn set_cookie(line: &str) -> Option<Value> {
    let mut parts = line.split(';');
    let (name, value) = parts.next()?.split_once('=')?;
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    let mut cookie = Map::new();
    cookie.insert("name".into(), json!(name));
    cookie.insert("value".into(), json!(value.trim()));
    for attribute in parts {
        let (key, val) = attribute.split_once('=').unwrap_or((attribute, ""));
        match key.trim().to_ascii_lowercase().as_str() {
            "path" => {
                cookie.insert("path".into(), json!(val.trim()));
            }
            "domain" => {
                cookie.insert("domain".into(), json!(val.trim()));
            }
            "httponly" => {
                cookie.insert("httpOnly".into(), json!(true));
            }
            "secure" => {
                cookie.insert("secure".into(), json!(true));
            }
            _ => {}
        }
    }
    Some(Value::Object(cookie))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures::{error_report, full_report, META_PIXEL_POST, PAGE};

    fn object<'a>(value: &'a Value, at: &str) -> &'a Map<String, Value> {
        value
            .as_object()
            .unwrap_or_else(|| panic!("{at} is not an object: {value}"))
    }

    /// A required field and the check of its JSON type.
    type Field<'a> = (&'a str, fn(&Value) -> bool);

    fn require(object: &Map<String, Value>, at: &str, fields: &[Field]) {
        for (field, is_right_type) in fields {
            let value = object
                .get(*field)
                .unwrap_or_else(|| panic!("{at}.{field} is missing"));
            assert!(
                is_right_type(value),
                "{at}.{field} has the wrong type: {value}"
            );
        }
    }

    fn is_date(value: &Value) -> bool {
        value
            .as_str()
            .is_some_and(|s| DateTime::parse_from_rfc3339(s).is_ok())
    }

    fn is_name_value_list(value: &Value) -> bool {
        value.as_array().is_some_and(|items| {
            items
                .iter()
                .all(|item| item["name"].is_string() && item["value"].is_string())
        })
    }

    /// Checks the fields HAR 1.2 requires, with their types, everywhere in a log.
    fn assert_valid_har(har: &Value) {
        let log = object(&har["log"], "log");
        require(
            log,
            "log",
            &[
                ("version", Value::is_string),
                ("creator", Value::is_object),
                ("entries", Value::is_array),
            ],
        );
        assert_eq!(log["version"], "1.2");
        require(
            object(&log["creator"], "creator"),
            "log.creator",
            &[("name", Value::is_string), ("version", Value::is_string)],
        );
        if let Some(browser) = log.get("browser") {
            require(
                object(browser, "browser"),
                "log.browser",
                &[("name", Value::is_string), ("version", Value::is_string)],
            );
        }
        let page_ids: Vec<&str> = log["pages"]
            .as_array()
            .expect("pages")
            .iter()
            .map(|page| {
                let page = object(page, "page");
                require(
                    page,
                    "page",
                    &[
                        ("startedDateTime", is_date),
                        ("id", Value::is_string),
                        ("title", Value::is_string),
                        ("pageTimings", Value::is_object),
                    ],
                );
                for timing in ["onContentLoad", "onLoad"] {
                    if let Some(value) = page["pageTimings"].get(timing) {
                        assert!(value.is_number(), "page.pageTimings.{timing}: {value}");
                    }
                }
                page["id"].as_str().unwrap_or_default()
            })
            .collect();
        for (i, entry) in log["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .enumerate()
        {
            let at = format!("entries[{i}]");
            let entry = object(entry, &at);
            require(
                entry,
                &at,
                &[
                    ("startedDateTime", is_date),
                    ("time", Value::is_number),
                    ("request", Value::is_object),
                    ("response", Value::is_object),
                    ("cache", Value::is_object),
                    ("timings", Value::is_object),
                ],
            );
            let pageref = entry["pageref"].as_str().expect("pageref");
            assert!(page_ids.contains(&pageref), "{at}: unknown page {pageref}");
            let request = object(&entry["request"], "request");
            require(
                request,
                &format!("{at}.request"),
                &[
                    ("method", Value::is_string),
                    ("url", Value::is_string),
                    ("httpVersion", Value::is_string),
                    ("cookies", Value::is_array),
                    ("headers", is_name_value_list),
                    ("queryString", is_name_value_list),
                    ("headersSize", Value::is_i64),
                    ("bodySize", Value::is_i64),
                ],
            );
            if let Some(post_data) = request.get("postData") {
                require(
                    object(post_data, "postData"),
                    &format!("{at}.request.postData"),
                    &[("mimeType", Value::is_string), ("text", Value::is_string)],
                );
            }
            let response = object(&entry["response"], "response");
            require(
                response,
                &format!("{at}.response"),
                &[
                    ("status", Value::is_i64),
                    ("statusText", Value::is_string),
                    ("httpVersion", Value::is_string),
                    ("cookies", Value::is_array),
                    ("headers", is_name_value_list),
                    ("content", Value::is_object),
                    ("redirectURL", Value::is_string),
                    ("headersSize", Value::is_i64),
                    ("bodySize", Value::is_i64),
                ],
            );
            require(
                object(&response["content"], "content"),
                &format!("{at}.response.content"),
                &[("size", Value::is_i64), ("mimeType", Value::is_string)],
            );
            let timings = object(&entry["timings"], "timings");
            require(
                timings,
                &format!("{at}.timings"),
                &[
                    ("send", Value::is_number),
                    ("wait", Value::is_number),
                    ("receive", Value::is_number),
                ],
            );
            for timing in ["send", "wait", "receive"] {
                assert!(
                    timings[timing].as_f64().is_some_and(|t| t >= 0.0),
                    "{at}.timings.{timing}"
                );
            }
            // DevTools throws on a non-object `_initiator`.
            if let Some(initiator) = entry.get("_initiator") {
                assert!(
                    initiator["type"].is_string(),
                    "{at}._initiator: {initiator}"
                );
            }
        }
    }

    #[test]
    fn every_phase_becomes_a_valid_har() {
        let report = full_report();
        for (name, phase) in report.phases.iter() {
            let har = har_for_phase(&report, name).expect("observed phase");
            // Serialised and parsed back, as a file would be.
            let har: Value = serde_json::from_str(&har.to_string()).expect("valid JSON");
            assert_valid_har(&har);
            let pages = har["log"]["pages"].as_array().expect("pages");
            assert_eq!(pages.len(), 1);
            assert_eq!(pages[0]["id"], name.as_str());
            let entries = har["log"]["entries"].as_array().expect("entries");
            assert_eq!(entries.len(), phase.requests.len());
            assert!(entries.iter().all(|e| e["_phase"] == name.as_str()));
        }
    }

    #[test]
    fn all_phases_share_one_log() {
        let report = full_report();
        let har = har_all(&report);
        assert_valid_har(&har);
        let log = &har["log"];
        let page_ids: Vec<&str> = log["pages"]
            .as_array()
            .expect("pages")
            .iter()
            .filter_map(|p| p["id"].as_str())
            .collect();
        assert_eq!(page_ids, ["before_consent", "after_accept", "after_reject"]);
        let requests: usize = report.phases.iter().map(|(_, p)| p.requests.len()).sum();
        assert_eq!(log["entries"].as_array().expect("entries").len(), requests);
        assert_eq!(log["creator"]["name"], "consentlens");
        assert_eq!(
            log["browser"],
            json!({ "name": "Chromium", "version": "156.0.7502.3" })
        );
        assert_eq!(log["pages"][0]["title"], PAGE);
    }

    #[test]
    fn entries_carry_what_was_recorded() {
        let report = full_report();
        let har = har_for_phase(&report, PhaseName::BeforeConsent).expect("phase");
        let entries = har["log"]["entries"].as_array().expect("entries");
        let by_url = |url: &str| {
            entries
                .iter()
                .find(|e| e["request"]["url"] == url)
                .expect(url)
        };

        // Query parameters are decoded.
        let pixel = by_url(crate::report::fixtures::META_PIXEL_GET);
        let query = pixel["request"]["queryString"].as_array().expect("query");
        assert!(query.contains(&json!({ "name": "ev", "value": "PageView" })));
        assert!(query.contains(&json!({ "name": "dl", "value": PAGE })));
        assert_eq!(pixel["request"]["bodySize"], 0);
        assert!(pixel["request"].get("postData").is_none());
        // Set-Cookie lines become headers and cookies.
        assert_eq!(pixel["response"]["headers"][0]["name"], "Set-Cookie");
        assert_eq!(pixel["response"]["cookies"][0]["name"], "fr");
        assert_eq!(pixel["response"]["cookies"][0]["domain"], ".facebook.com");
        assert_eq!(pixel["response"]["cookies"][0]["httpOnly"], true);
        assert_eq!(pixel["_tracker"]["vendor"], "Meta Pixel");
        assert_eq!(pixel["_resourceType"], "image");
        assert_eq!(pixel["_initiator"]["type"], "script");
        assert_eq!(
            pixel["_initiator"]["url"],
            "https://connect.facebook.net/en_US/fbevents.js"
        );
        // 402.25 ms after the start.
        assert_eq!(pixel["startedDateTime"], "2025-06-02T09:14:03.652Z");

        // A form-encoded POST keeps its body and type.
        let post = by_url(META_PIXEL_POST);
        assert_eq!(
            post["request"]["postData"]["mimeType"],
            "application/x-www-form-urlencoded"
        );
        let text = post["request"]["postData"]["text"].as_str().expect("text");
        assert!(text.contains("ev=AddToCart"));
        assert_eq!(post["request"]["bodySize"], text.len());
        assert_eq!(
            post["request"]["headers"][0]["value"],
            "application/x-www-form-urlencoded"
        );

        // A binary body travels as base64, marked as such; its size is the decoded size.
        let binary = by_url(crate::report::fixtures::GA_COLLECT);
        assert_eq!(binary["request"]["postData"]["_encoding"], "base64");
        assert!(binary["request"]["bodySize"]
            .as_u64()
            .is_some_and(|n| n > 0));
        assert_eq!(binary["_tracker"]["category"], "analytics");

        // The redirect points at where it went; a failed request has status 0 and its error.
        let redirect = entries
            .iter()
            .find(|e| e["response"]["status"] == 301)
            .expect("redirect");
        assert_eq!(redirect["response"]["redirectURL"], PAGE);
        assert_eq!(redirect["_tracker"], Value::Null);
        let failed = entries
            .iter()
            .find(|e| e["response"]["status"] == 0)
            .expect("failed");
        assert_eq!(failed["response"]["_error"], "net::ERR_CONNECTION_RESET");
        assert_eq!(failed["response"]["content"]["mimeType"], "x-unknown");
    }

    #[test]
    fn unobserved_phases_have_no_har() {
        let report = error_report();
        assert!(har_for_phase(&report, PhaseName::BeforeConsent).is_none());
        let har = har_all(&report);
        assert_valid_har(&har);
        assert_eq!(har["log"]["entries"], json!([]));
        assert!(har["log"].get("browser").is_none());
    }

    #[test]
    fn odd_recordings_still_give_numbers() {
        let mut report = full_report();
        if let Some(phase) = report.phases.before_consent.as_mut() {
            phase.requests[0].time_ms = f64::NAN;
            phase.requests[1].time_ms = -5.0;
            phase.requests[2].time_ms = f64::MAX;
            phase.requests[3].url = "not a url at all".into();
            phase.requests[3].initiator = Some("weird".into());
            phase.requests[3].set_cookie =
                vec!["=novalue".into(), "noequals".into(), "a=b; Secure".into()];
        }
        let har = har_for_phase(&report, PhaseName::BeforeConsent).expect("phase");
        assert_valid_har(&har);
        let entries = har["log"]["entries"].as_array().expect("entries");
        assert_eq!(entries[0]["startedDateTime"], "2025-06-02T09:14:03.250Z");
        assert_eq!(entries[1]["startedDateTime"], "2025-06-02T09:14:03.250Z");
        assert_eq!(entries[3]["request"]["queryString"], json!([]));
        assert_eq!(
            entries[3]["_initiator"],
            json!({ "type": "other", "comment": "weird" })
        );
        assert_eq!(
            entries[3]["response"]["cookies"],
            json!([{ "name": "a", "value": "b", "secure": true }])
        );
    }

    #[test]
    fn browser_versions_split_into_name_and_version() {
        assert_eq!(
            browser_entry("Chromium/156.0"),
            json!({ "name": "Chromium", "version": "156.0" })
        );
        assert_eq!(
            browser_entry("HeadlessChrome 156"),
            json!({ "name": "HeadlessChrome", "version": "156" })
        );
        assert_eq!(
            browser_entry("chromium"),
            json!({ "name": "chromium", "version": "" })
        );
        assert_eq!(
            browser_entry("/1.0"),
            json!({ "name": "/1.0", "version": "" })
        );
    }
}
