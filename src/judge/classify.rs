//! What the rules count as tracking, as an identifier, and as "the" accept or reject button.
//! One place, so that findings and metrics agree.

use crate::model::{Banner, Button, ButtonRole, Cookie, Request};

/// Tracker categories (of the decode stage's closed set) whose requests are tracking, plus
/// `tracking`, which EasyPrivacy matches carry when the catalogue does not know the vendor.
/// Not tracking in themselves: consent platforms (`consent`), tag managers (`tag_manager`, which
/// loading alone sends nothing about the visitor to anyone but itself), error `monitoring`,
/// `embedded_media` and `customer_engagement` widgets, and list matches of `unknown` purpose.
/// Their cookies still count when the catalogue marks them as identifiers.
pub(crate) const TRACKING_CATEGORIES: &[&str] = &[
    "advertising",
    "analytics",
    "session_replay",
    "social",
    "audience",
    "ab_testing",
    "marketing_automation",
    "tracking",
];

/// Whether a catalogue category is tracking; spelling variants ("Session replay",
/// "session-replay") count as the same category.
pub(crate) fn is_tracking_category(category: &str) -> bool {
    let normalised: String = category
        .trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            other => other.to_ascii_lowercase(),
        })
        .collect();
    TRACKING_CATEGORIES.contains(&normalised.as_str())
}

/// Whether a request went to a tracker that tracks (not a consent platform or tag manager).
pub(crate) fn is_tracking_request(request: &Request) -> bool {
    request
        .tracker
        .as_ref()
        .is_some_and(|t| is_tracking_category(&t.category))
}

/// Whether a cookie identifies the visitor for tracking: the catalogue says it holds an
/// identifier, or it belongs to a tracker vendor. Session, load-balancing and consent cookies
/// are neither, and are never flagged.
pub(crate) fn is_identifier_cookie(cookie: &Cookie) -> bool {
    cookie.is_identifier
        || (cookie.vendor.is_some() && cookie.category.as_deref().is_some_and(is_tracking_category))
}

/// The tracker vendors of `requests`, each once, in order of first appearance.
pub(crate) fn vendors<'r>(requests: impl IntoIterator<Item = &'r Request>) -> Vec<&'r str> {
    let mut names: Vec<&str> = Vec::new();
    for request in requests {
        if let Some(tracker) = &request.tracker {
            if !names.contains(&tracker.vendor.as_str()) {
                names.push(&tracker.vendor);
            }
        }
    }
    names
}

/// A button's area in CSS px², from the measurement or, failing that, its box.
pub(crate) fn button_area(button: &Button) -> f64 {
    if button.area_px > 0.0 {
        button.area_px
    } else {
        button.bbox.area()
    }
}

/// The first-layer button of `role` a visitor sees first: the largest one.
pub(crate) fn primary_button(banner: &Banner, role: ButtonRole) -> Option<&Button> {
    banner
        .buttons
        .iter()
        .filter(|b| b.role == role)
        .max_by(|a, b| button_area(a).total_cmp(&button_area(b)))
}

/// Reject's area over accept's, when both buttons are on the first layer with a measured area.
pub(crate) fn reject_to_accept_area_ratio(banner: &Banner) -> Option<f64> {
    let accept = button_area(primary_button(banner, ButtonRole::AcceptAll)?);
    let reject = button_area(primary_button(banner, ButtonRole::RejectAll)?);
    (accept > 0.0 && reject > 0.0).then(|| reject / accept)
}

/// A decoded data key without its wire wrapping, lower-cased: `cd[content_ids]` →
/// `content_ids`, `ud[em]` → `em`, `ecommerce.items` → `items`.
pub(crate) fn plain_key(key: &str) -> String {
    let inner = match (key.rfind('['), key.ends_with(']')) {
        (Some(open), true) => key.get(open + 1..key.len() - 1).unwrap_or(key),
        _ => key,
    };
    inner.rsplit('.').next().unwrap_or(inner).to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TrackerMatch;

    #[test]
    fn categories_are_compared_loosely_but_consent_and_tag_managers_are_not_tracking() {
        assert!(is_tracking_category("Session replay"));
        assert!(is_tracking_category("session-replay"));
        assert!(is_tracking_category("advertising"));
        assert!(!is_tracking_category("consent"));
        assert!(!is_tracking_category("tag_manager"));
        assert!(!is_tracking_category("monitoring"));
        assert!(!is_tracking_category("unknown"));
    }

    #[test]
    fn identifier_cookies_are_catalogue_identifiers_or_tracker_cookies() {
        let session = Cookie {
            name: "PHPSESSID".into(),
            ..Cookie::default()
        };
        assert!(!is_identifier_cookie(&session));
        let consent = Cookie {
            name: "CookieConsent".into(),
            vendor: Some("Cookiebot".into()),
            category: Some("consent".into()),
            ..Cookie::default()
        };
        assert!(!is_identifier_cookie(&consent));
        let fbp = Cookie {
            name: "_fbp".into(),
            vendor: Some("Meta Pixel".into()),
            category: Some("advertising".into()),
            ..Cookie::default()
        };
        assert!(is_identifier_cookie(&fbp));
        let flagged = Cookie {
            is_identifier: true,
            ..session
        };
        assert!(is_identifier_cookie(&flagged));
    }

    #[test]
    fn vendors_are_listed_once_in_order() {
        let request = |vendor: &str| Request {
            tracker: Some(TrackerMatch {
                vendor: vendor.into(),
                entity: None,
                category: "analytics".into(),
                matched_by: "catalogue".into(),
            }),
            ..Request::default()
        };
        let requests = [request("B"), request("A"), request("B"), Request::default()];
        assert_eq!(vendors(&requests), ["B", "A"]);
    }

    #[test]
    fn keys_lose_their_wire_wrapping() {
        assert_eq!(plain_key("cd[content_ids]"), "content_ids");
        assert_eq!(plain_key("ecommerce.items"), "items");
        assert_eq!(plain_key("Value"), "value");
        assert_eq!(plain_key("["), "[");
    }
}
