//! # false-anonymity-claim
//!
//! ## What it flags
//!
//! The page or its consent dialog tells visitors that they are anonymous, that no personal data
//! is collected, or that they are not tracked (`report.claims`, found by `find_claims` with the
//! phrases of `src/judge/claims.txt` in six languages; negated, conditional and question forms
//! are not claims), while in some phase identifiers of the visitor went to third parties:
//! - identifier cookies set by trackers (see `cookies-before-consent`; a first-party cookie
//!   without a tracker vendor does not count);
//! - visitor identifiers in decoded third-party events (client, user, device, session and click
//!   ids, `fbp`, `cid`, …; a pixel's or property's own id identifies the site, not the visitor,
//!   and does not count);
//! - hashed personal data (`user_data_fields`).
//!
//! ## Why it matters
//!
//! Data protection law requires processing to be fair and transparent (GDPR Art. 5(1)(a)) and
//! information to be accurate, clear and given when the data is collected (Art. 12, 13). Telling
//! visitors they are anonymous while a cookie identifier or client id singles them out to an
//! advertising platform misleads them about the very thing they rely on, often on services for
//! people in vulnerable situations; an online identifier is personal data (Art. 4(1), Recital
//! 30). Several of the sites in the Norwegian Datatilsynet's 2025 decisions told visitors they
//! were anonymous.
//!
//! ## Example
//!
//! A children's chat says "Her er du helt anonym" while the Meta Pixel sets `_fbp` and sends
//! `fbp=fb.1.…`. Finding: "The page says "er du helt anonym", yet visitor identifiers went to
//! Meta Pixel (cookie _fbp; id fbp)", with the claim in its sentence, the cookie and the request.

use serde_json::{json, Map, Value};

use super::{sent_to_third_party, Rule, RuleContext};
use crate::judge::classify::is_identifier_cookie;
use crate::judge::{evidence, wording, RuleInfo};
use crate::model::{Evidence, Finding, Severity};

pub(crate) const RULE: Rule = Rule {
    info: RuleInfo {
        id: "false-anonymity-claim",
        severity: Severity::High,
        basis: &["GDPR Art. 5(1)(a)", "GDPR Art. 12", "GDPR Art. 13"],
        title: "Anonymity claimed while identifiers are sent",
    },
    check,
};

/// Id names that identify the visitor (as opposed to the site's pixel or property id).
const VISITOR_ID_NAMES: &[&str] = &[
    "cid",
    "uid",
    "sid",
    "fbp",
    "fbc",
    "_fbp",
    "_fbc",
    "_ga",
    "_gid",
    "gclid",
    "fbclid",
    "msclkid",
    "ttclid",
    "ttp",
    "muid",
    "ecid",
    "external_id",
    "gid",
    "scid",
    "pin_unauth",
    "epik",
    "li_fat_id",
    "gcl_au",
];
/// Parts of id names that identify the visitor (`client_id`, `user_id`, `device_id`, …).
const VISITOR_ID_PARTS: &[&str] = &[
    "client",
    "user",
    "visitor",
    "device",
    "anonymous",
    "session",
    "clid",
    "cookie",
];

fn is_visitor_id(name: &str) -> bool {
    let name = name.to_lowercase();
    VISITOR_ID_NAMES.contains(&name.as_str()) || VISITOR_ID_PARTS.iter().any(|p| name.contains(p))
}

fn check(ctx: &RuleContext) -> Option<Finding> {
    let first_claim = ctx.report.claims.first()?;
    let mut items: Vec<Evidence> = Vec::new();
    let mut vendors: Vec<String> = Vec::new();
    let mut cookie_names: Vec<String> = Vec::new();
    let mut id_names: Vec<String> = Vec::new();
    let mut add_vendor = |vendor: &str| {
        if !vendors.iter().any(|v| v == vendor) {
            vendors.push(vendor.to_string());
        }
    };

    for (phase_name, phase) in ctx.report.phases.iter() {
        for cookie in phase
            .cookies
            .iter()
            .filter(|c| is_identifier_cookie(c) && (c.third_party || c.vendor.is_some()))
        {
            if let Some(vendor) = &cookie.vendor {
                add_vendor(vendor);
            }
            if !cookie_names.contains(&cookie.name) {
                cookie_names.push(cookie.name.clone());
            }
            items.push(evidence::cookie(phase_name, cookie));
        }
        for event in phase
            .events
            .iter()
            .filter(|e| sent_to_third_party(phase, e))
        {
            let ids: Map<String, Value> = event
                .ids
                .iter()
                .filter(|(name, _)| is_visitor_id(name))
                .map(|(name, value)| (name.clone(), evidence::bounded_string(value)))
                .collect();
            if ids.is_empty() && event.user_data_fields.is_empty() {
                continue;
            }
            add_vendor(&event.vendor);
            for name in ids.keys() {
                if !id_names.contains(name) {
                    id_names.push(name.clone());
                }
            }
            let mut fields = Map::new();
            if !ids.is_empty() {
                fields.insert("ids".into(), Value::Object(ids));
            }
            if !event.user_data_fields.is_empty() {
                fields.insert("user_data_fields".into(), json!(event.user_data_fields));
                if !id_names.iter().any(|n| n == "hashed user data") {
                    id_names.push("hashed user data".into());
                }
            }
            items.push(evidence::event(phase_name, event, fields));
        }
    }
    if items.is_empty() {
        return None;
    }

    let speaker = if first_claim.source == "banner" {
        "The consent dialog says"
    } else {
        "The page says"
    };
    let mut what = Vec::new();
    if !cookie_names.is_empty() {
        what.push(format!(
            "{} {}",
            if cookie_names.len() == 1 {
                "cookie"
            } else {
                "cookies"
            },
            wording::list(&cookie_names)
        ));
    }
    if !id_names.is_empty() {
        what.push(format!(
            "{} {}",
            if id_names.len() == 1 { "id" } else { "ids" },
            wording::list(&id_names)
        ));
    }
    let receivers = if vendors.is_empty() {
        "third parties".to_string()
    } else {
        wording::list(&vendors)
    };
    let summary = format!(
        "{speaker} {}, yet visitor identifiers went to {receivers} ({})",
        wording::quote(&first_claim.phrase),
        what.join("; ")
    );
    let mut all: Vec<Evidence> = ctx.report.claims.iter().map(evidence::claim).collect();
    all.extend(items);
    let evidence = evidence::bounded(
        all,
        ctx.config.max_evidence_per_finding,
        "every claim is in claims, every cookie and event in the phases",
    );
    Some(RULE.info.finding(summary, evidence))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::is_visitor_id;
    use crate::judge::find_claims;
    use crate::judge::test_support::*;
    use crate::model::{Evidence, PhaseName, TrackerEvent};

    const ID: &str = "false-anonymity-claim";
    const PIXEL: &str = "https://www.facebook.com/tr?id=1234&ev=PageView";

    fn chat_site() -> crate::model::SiteReport {
        let mut report = compliant_site();
        report.claims = find_claims("Velkommen! Her er du helt anonym.", "page");
        report.phases.after_accept = None;
        report
    }

    #[test]
    fn fires_on_a_claim_with_tracker_cookies_and_visitor_ids() {
        let mut report = chat_site();
        let before = phase_mut(&mut report, PhaseName::BeforeConsent);
        before.cookies.push(cookie(
            "_fbp",
            ".chat.example",
            Some(("Meta Pixel", "advertising")),
            true,
        ));
        before
            .requests
            .push(tracker_request(PIXEL, "Meta Pixel", "advertising"));
        before.events.push(TrackerEvent {
            ids: ids(&[("pixel_id", "1234"), ("fbp", "fb.1.1700000000.42")]),
            ..event("Meta Pixel", PIXEL, "PageView", "https://chat.example/")
        });
        let finding = the_finding(ID, &report);
        assert_eq!(
            finding.summary,
            "The page says \"er du helt anonym\", yet visitor identifiers went to Meta Pixel \
             (cookie _fbp; id fbp)"
        );
        assert_eq!(
            finding.evidence[0],
            Evidence::Claim {
                phrase: "er du helt anonym".into(),
                context: "Her er du helt anonym.".into(),
                source: "page".into(),
            }
        );
        assert_eq!(evidence_cookies(&finding), ["_fbp"]);
        assert!(matches!(
            finding.evidence.last(),
            Some(Evidence::Request { url, fields, .. })
                if url == PIXEL && fields["ids"] == json!({"fbp": "fb.1.1700000000.42"})
        ));
    }

    #[test]
    fn does_not_fire_without_a_claim_or_without_visitor_identifiers() {
        // After "accept all" the compliant shop sets _ga and sends a page view: no claim.
        assert!(findings_of(ID, &compliant_site()).is_empty());
        // A claim, but only the site's own pixel id and a first-party session cookie.
        let mut report = chat_site();
        let before = phase_mut(&mut report, PhaseName::BeforeConsent);
        before.events.push(TrackerEvent {
            ids: ids(&[("pixel_id", "1234")]),
            ..event("Meta Pixel", PIXEL, "PageView", "https://chat.example/")
        });
        assert!(
            findings_of(ID, &report).is_empty(),
            "{:#?}",
            findings_of(ID, &report)
        );
    }

    #[test]
    fn visitor_ids_are_told_from_site_ids() {
        for name in [
            "cid",
            "client_id",
            "fbp",
            "user_id",
            "gclid",
            "scid",
            "anonymous_id",
        ] {
            assert!(is_visitor_id(name), "{name}");
        }
        for name in [
            "pixel_id",
            "tid",
            "measurement_id",
            "event_id",
            "page_load_id",
            "tag_id",
        ] {
            assert!(!is_visitor_id(name), "{name}");
        }
    }
}
