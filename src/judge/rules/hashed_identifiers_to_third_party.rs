//! # hashed-identifiers-to-third-party
//!
//! ## What it flags
//!
//! Hashed personal data sent to a third party in any phase, as advertising platforms' "advanced
//! matching" does: a decoded event whose `user_data_fields` is not empty (`em` e-mail, `ph`
//! phone, `fn`/`ln` name, `ge` gender, `db` date of birth, `ct`/`st`/`zp` address,
//! `external_id`), or custom data or, for requests no decoder understood, query parameters that
//! carry such fields: explicitly named ones (`sha256_email_address`, `hashed_email`, …), the
//! short names inside user-data wrappers (`ud[em]`, `udff[ph]`), or a short name whose value is
//! a hex digest (MD5, SHA-1, SHA-256).
//!
//! ## Why it matters
//!
//! A hash of an e-mail address or phone number is not anonymous: the recipient hashes the
//! addresses it already holds and matches them, which is the whole purpose. The hash is personal
//! data (GDPR Art. 4(1), Recital 26; hashing is at most pseudonymisation, Art. 4(5)), and
//! sending it links the visit to a person's account on the platform. That needs a legal basis
//! (Art. 6) and information the visitor can understand (Art. 13).
//!
//! ## Example
//!
//! The checkout page's Meta Pixel sends `ud[em]=5e88…` and `ud[ph]=a1b2…`. Finding: "Hashed
//! personal data (e-mail and phone number) sent to Meta Pixel (1 request)", with the request
//! and the fields it carried.

use serde_json::{json, Map};

use super::{events_of, sent_to_third_party, Rule, RuleContext};
use crate::judge::classify::{is_tracking_request, plain_key};
use crate::judge::text::is_hex_digest;
use crate::judge::{evidence, wording, RuleInfo};
use crate::model::{Evidence, Finding, Severity};

pub(crate) const RULE: Rule = Rule {
    info: RuleInfo {
        id: "hashed-identifiers-to-third-party",
        severity: Severity::High,
        basis: &["GDPR Art. 4(1)", "GDPR Art. 6"],
        title: "Hashed identifiers sent to a third party",
    },
    check,
};

/// Short user-data field names (Meta's advanced matching, also used by TikTok, Pinterest,
/// Snap) and what they hold.
const SHORT_FIELDS: &[(&str, &str)] = &[
    ("em", "e-mail"),
    ("ph", "phone number"),
    ("fn", "first name"),
    ("ln", "last name"),
    ("ge", "gender"),
    ("db", "date of birth"),
    ("ct", "city"),
    ("st", "state"),
    ("zp", "postcode"),
    ("country", "country"),
    ("external_id", "external id"),
];

/// Parameter names that say outright that they carry a hash of personal data.
const HASHED_FIELDS: &[(&str, &str)] = &[
    ("sha256_email_address", "e-mail"),
    ("sha256_phone_number", "phone number"),
    ("sha256_first_name", "first name"),
    ("sha256_last_name", "last name"),
    ("hashed_email", "e-mail"),
    ("email_hash", "e-mail"),
    ("hashed_phone", "phone number"),
    ("hashed_phone_number", "phone number"),
];

/// Wrappers that mark a short name as user data (`ud[em]`, `udff[em]`).
const USER_DATA_WRAPPERS: &[&str] = &["ud[", "udff[", "user_data["];

fn check(ctx: &RuleContext) -> Option<Finding> {
    let mut items: Vec<Evidence> = Vec::new();
    let mut kinds: Vec<&str> = Vec::new();
    let mut vendors: Vec<String> = Vec::new();
    let mut note = |found: &[(String, &'static str)], vendor: Option<&str>| {
        for (_, kind) in found {
            if !kinds.contains(kind) {
                kinds.push(kind);
            }
        }
        if let Some(vendor) = vendor {
            if !vendors.iter().any(|v| v == vendor) {
                vendors.push(vendor.to_string());
            }
        }
    };

    for (phase_name, phase) in ctx.report.phases.iter() {
        for event in phase
            .events
            .iter()
            .filter(|e| sent_to_third_party(phase, e))
        {
            let mut found: Vec<(String, &'static str)> = event
                .user_data_fields
                .iter()
                .map(|f| {
                    (
                        f.clone(),
                        kind_of_short(&f.to_lowercase()).unwrap_or("personal data"),
                    )
                })
                .collect();
            let mut fields = Map::new();
            for (key, value) in &event.data {
                let text = value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_string);
                if let Some(kind) = hashed_kind(key, &text) {
                    found.push((key.clone(), kind));
                    fields.insert(key.clone(), evidence::bounded_value(value));
                }
            }
            if found.is_empty() {
                continue;
            }
            note(&found, Some(&event.vendor));
            if !event.user_data_fields.is_empty() {
                fields.insert("user_data_fields".into(), json!(event.user_data_fields));
            }
            items.push(evidence::event(phase_name, event, fields));
        }
        for request in phase
            .requests
            .iter()
            .filter(|r| r.third_party && is_tracking_request(r) && events_of(phase, r).is_empty())
        {
            let Ok(url) = url::Url::parse(&request.url) else {
                continue;
            };
            let mut found = Vec::new();
            let mut fields = Map::new();
            for (key, value) in url.query_pairs() {
                if let Some(kind) = hashed_kind(&key, &value) {
                    found.push((key.to_string(), kind));
                    fields.insert(key.to_string(), evidence::bounded_string(&value));
                }
            }
            if found.is_empty() {
                continue;
            }
            let vendor = request.tracker.as_ref().map(|t| t.vendor.as_str());
            note(&found, vendor);
            items.push(Evidence::Request {
                phase: phase_name,
                url: request.url.clone(),
                vendor: vendor.map(str::to_string),
                fields,
            });
        }
    }
    if items.is_empty() {
        return None;
    }
    let receivers = if vendors.is_empty() {
        "a third party".to_string()
    } else {
        wording::list(&vendors)
    };
    let summary = format!(
        "Hashed personal data ({}) sent to {receivers} ({})",
        wording::list(&kinds),
        wording::count(items.len(), "request", "requests")
    );
    let evidence = evidence::bounded(
        items,
        ctx.config.max_evidence_per_finding,
        "every request is in the phases",
    );
    Some(RULE.info.finding(summary, evidence))
}

fn kind_of_short(name: &str) -> Option<&'static str> {
    SHORT_FIELDS
        .iter()
        .find(|(short, _)| *short == name)
        .map(|(_, kind)| *kind)
}

/// What personal data a key/value pair carries hashed, if it does.
fn hashed_kind(raw_key: &str, value: &str) -> Option<&'static str> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let key = plain_key(raw_key);
    if let Some((_, kind)) = HASHED_FIELDS.iter().find(|(name, _)| *name == key) {
        return Some(kind);
    }
    let wrapped = USER_DATA_WRAPPERS
        .iter()
        .any(|w| raw_key.to_lowercase().starts_with(w));
    let kind = kind_of_short(&key)?;
    (wrapped || is_hex_digest(value)).then_some(kind)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::hashed_kind;
    use crate::judge::test_support::*;
    use crate::model::{Evidence, PhaseName, TrackerEvent};

    const ID: &str = "hashed-identifiers-to-third-party";
    const PIXEL: &str = "https://www.facebook.com/tr?id=1234&ev=Purchase";
    const SHA: &str = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8";

    #[test]
    fn fires_on_decoded_user_data_fields() {
        let mut report = compliant_site();
        phase_mut(&mut report, PhaseName::AfterAccept)
            .events
            .push(TrackerEvent {
                user_data_fields: vec!["em".into(), "ph".into()],
                ..event(
                    "Meta Pixel",
                    PIXEL,
                    "Purchase",
                    "https://butikk.example/kvittering",
                )
            });
        let finding = the_finding(ID, &report);
        assert_eq!(
            finding.summary,
            "Hashed personal data (e-mail and phone number) sent to Meta Pixel (1 request)"
        );
        assert!(matches!(
            &finding.evidence[0],
            Evidence::Request { url, phase: PhaseName::AfterAccept, fields, .. }
                if url == PIXEL && fields["user_data_fields"] == json!(["em", "ph"])
        ));
    }

    #[test]
    fn fires_on_hashed_parameters_of_undecoded_requests() {
        let mut report = compliant_site();
        let url = format!("https://analytics.tiktok.com/api/v2/pixel?sha256_email_address={SHA}");
        phase_mut(&mut report, PhaseName::BeforeConsent)
            .requests
            .push(tracker_request(&url, "TikTok Pixel", "advertising"));
        let finding = the_finding(ID, &report);
        assert_eq!(evidence_urls(&finding), [url.as_str()]);
        assert!(finding
            .summary
            .starts_with("Hashed personal data (e-mail) sent to TikTok Pixel"));
    }

    #[test]
    fn short_names_count_only_wrapped_or_hashed() {
        assert_eq!(hashed_kind("ud[em]", "abc"), Some("e-mail"));
        assert_eq!(hashed_kind("em", SHA), Some("e-mail"));
        assert_eq!(hashed_kind("em", "1.5"), None, "`em` as a CSS unit");
        assert_eq!(hashed_kind("st", "ok"), None);
        assert_eq!(hashed_kind("ud[em]", " "), None);
        assert_eq!(hashed_kind("hashed_email", "x"), Some("e-mail"));
    }

    #[test]
    fn does_not_fire_without_hashed_data() {
        assert!(findings_of(ID, &compliant_site()).is_empty());
    }
}
