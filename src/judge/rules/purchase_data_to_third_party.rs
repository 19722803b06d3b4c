//! # purchase-data-to-third-party
//!
//! ## What it flags
//!
//! Decoded third-party tracker events, in any phase, whose custom data holds what is in a cart
//! or an order: product lists or ids (`content_ids`, `contents`, `items`, `products`,
//! `product_id`, `product_sku`, `num_items`), order or transaction ids (`order_id`,
//! `transaction_id`), or, in a shopping event (purchase, add to cart, checkout, payment,
//! shipping, cart view, refund), an amount with its currency (`value` or `revenue`, and
//! `currency`). An amount alone says what was paid, not what was bought, and in a donation or
//! lead event it is no purchase at all (what a donation reveals is judged by
//! `sensitive-data-to-third-party`). Keys are compared without their wire wrapping
//! (`cd[content_ids]` reads as `content_ids`, `ecommerce.items` as `items`), and an empty value
//! (`[]`, `""`, `[{}]`) does not count.
//!
//! ## Why it matters
//!
//! What a person buys says a great deal about them, and sending it to an advertising platform
//! is a processing of its own that needs a legal basis (GDPR Art. 6) and must be limited to
//! what the purpose needs (Art. 5(1)(c), data minimisation). For a pharmacy, a cart is health
//! data (CJEU C-21/23 Lindenapotheke); `sensitive-data-to-third-party` reports such contents
//! when their words reveal it. The Datatilsynet's 2025 decisions found an online pharmacy
//! sending cart contents to Meta.
//!
//! ## Example
//!
//! `www.facebook.com/tr?ev=AddToCart&cd[content_ids]=["7021"]&cd[value]=119&cd[currency]=NOK`.
//! Finding: "Cart or purchase contents (content_ids and value with currency) sent to Meta Pixel
//! in 1 event (AddToCart)", with the request and the decoded values.

use serde_json::{Map, Value};

use super::{sent_to_third_party, Rule, RuleContext};
use crate::judge::classify::plain_key;
use crate::judge::{evidence, wording, RuleInfo};
use crate::model::{Finding, Severity, TrackerEvent};

pub(crate) const RULE: Rule = Rule {
    info: RuleInfo {
        id: "purchase-data-to-third-party",
        severity: Severity::Medium,
        basis: &["GDPR Art. 5(1)(c)", "GDPR Art. 6"],
        title: "Purchase data sent to a third party",
    },
    check,
};

/// Custom-data keys that carry cart or order contents on their own.
const CONTENT_KEYS: &[&str] = &[
    "content_ids",
    "contents",
    "items",
    "products",
    "product_id",
    "product_ids",
    "product_sku",
    "num_items",
    "order_id",
    "orderid",
    "transaction_id",
    "transactionid",
];

fn check(ctx: &RuleContext) -> Option<Finding> {
    let mut items = Vec::new();
    let mut vendors: Vec<&str> = Vec::new();
    let mut event_names: Vec<&str> = Vec::new();
    let mut keys_seen: Vec<String> = Vec::new();
    let mut count = 0;
    for (phase_name, phase) in ctx.report.phases.iter() {
        for event in phase
            .events
            .iter()
            .filter(|e| sent_to_third_party(phase, e))
        {
            let purchase = purchase_fields(event);
            if purchase.is_empty() {
                continue;
            }
            count += 1;
            if !vendors.contains(&event.vendor.as_str()) {
                vendors.push(&event.vendor);
            }
            if let Some(name) = event.event.as_deref() {
                if !event_names.contains(&name) {
                    event_names.push(name);
                }
            }
            for key in purchase.keys() {
                let label = if matches!(key.as_str(), "value" | "revenue" | "currency") {
                    "value with currency".to_string()
                } else {
                    key.clone()
                };
                if !keys_seen.contains(&label) {
                    keys_seen.push(label);
                }
            }
            items.push(evidence::event(phase_name, event, purchase));
        }
    }
    if items.is_empty() {
        return None;
    }
    let events = if event_names.is_empty() {
        String::new()
    } else {
        format!(" ({})", wording::list(&event_names))
    };
    let summary = format!(
        "Cart or purchase contents ({}) sent to {} in {}{events}",
        wording::list(&keys_seen),
        wording::list(&vendors),
        wording::count(count, "event", "events"),
    );
    let evidence = evidence::bounded(
        items,
        ctx.config.max_evidence_per_finding,
        "every decoded event is in the phases' events",
    );
    Some(RULE.info.finding(summary, evidence))
}

/// The event's purchase-related custom data, under their plain key names.
fn purchase_fields(event: &TrackerEvent) -> Map<String, Value> {
    let mut found = Map::new();
    for (raw_key, value) in &event.data {
        let key = plain_key(raw_key);
        if CONTENT_KEYS.contains(&key.as_str()) && !is_empty(value) {
            found.insert(key, evidence::bounded_value(value));
        }
    }
    if !is_shopping_event(event) {
        return found;
    }
    let with_key = |wanted: &[&str]| {
        event.data.iter().find_map(|(raw_key, value)| {
            let key = plain_key(raw_key);
            (wanted.contains(&key.as_str()) && !is_empty(value)).then_some((key, value))
        })
    };
    if let (Some((amount_key, amount)), Some((currency_key, currency))) =
        (with_key(&["value", "revenue"]), with_key(&["currency"]))
    {
        found.insert(amount_key, evidence::bounded_value(amount));
        found.insert(currency_key, evidence::bounded_value(currency));
    }
    found
}

/// Event names of shopping steps, compared without case, `_`, `-` or spaces.
const SHOPPING_EVENTS: &[&str] = &[
    "purchase",
    "addtocart",
    "removefromcart",
    "viewcart",
    "initiatecheckout",
    "begincheckout",
    "checkout",
    "addpaymentinfo",
    "addshippinginfo",
    "placeanorder",
    "completepayment",
    "refund",
];

fn is_shopping_event(event: &TrackerEvent) -> bool {
    event.event.as_deref().is_some_and(|name| {
        let name: String = name
            .chars()
            .filter(|c| !matches!(c, '_' | '-' | ' '))
            .flat_map(char::to_lowercase)
            .collect();
        SHOPPING_EVENTS.contains(&name.as_str())
    })
}

/// Nothing in it: null, blank, `[]`, `{}`, or a list of such (`[{}]`).
fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => {
            let s = s.trim();
            s.is_empty() || s == "[]" || s == "{}"
        }
        Value::Array(items) => items.iter().all(is_empty),
        Value::Object(map) => map.values().all(is_empty),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::judge::test_support::*;
    use crate::model::{Evidence, PhaseName, TrackerEvent};

    const ID: &str = "purchase-data-to-third-party";
    const PIXEL: &str = "https://www.facebook.com/tr?id=1234&ev=AddToCart";

    #[test]
    fn fires_on_cart_contents_and_shows_them() {
        let mut report = compliant_site();
        let phase = phase_mut(&mut report, PhaseName::BeforeConsent);
        phase.events.push(TrackerEvent {
            data: data(json!({
                "cd[content_ids]": "[\"7021\"]",
                "cd[value]": "119",
                "cd[currency]": "NOK",
                "cd[content_type]": "product",
            })),
            ..event(
                "Meta Pixel",
                PIXEL,
                "AddToCart",
                "https://butikk.example/kasse",
            )
        });
        let finding = the_finding(ID, &report);
        assert_eq!(
            finding.summary,
            "Cart or purchase contents (content_ids and value with currency) sent to Meta Pixel \
             in 1 event (AddToCart)"
        );
        let Evidence::Request {
            url,
            fields,
            phase,
            vendor,
        } = &finding.evidence[0]
        else {
            panic!("not a request: {:?}", finding.evidence[0]);
        };
        assert_eq!((url.as_str(), *phase), (PIXEL, PhaseName::BeforeConsent));
        assert_eq!(vendor.as_deref(), Some("Meta Pixel"));
        assert_eq!(
            serde_json::Value::Object(fields.clone()),
            json!({"event": "AddToCart", "content_ids": "[\"7021\"]", "value": "119", "currency": "NOK"})
        );
    }

    #[test]
    fn an_amount_counts_only_in_a_shopping_event() {
        let mut report = compliant_site();
        phase_mut(&mut report, PhaseName::AfterAccept)
            .events
            .push(TrackerEvent {
                data: data(json!({
                    "content_name": "Gave til bibelarbeidet",
                    "value": "500",
                    "currency": "NOK",
                })),
                ..event(
                    "Meta Pixel",
                    PIXEL,
                    "Donate",
                    "https://butikk.example/gave/takk.html",
                )
            });
        assert!(
            findings_of(ID, &report).is_empty(),
            "a donation is no purchase"
        );

        let collect = "https://region1.google-analytics.com/g/collect?v=2&en=purchase";
        phase_mut(&mut report, PhaseName::AfterAccept)
            .events
            .push(TrackerEvent {
                data: data(json!({"revenue": 249.5, "currency": "NOK"})),
                ..event(
                    "Google Analytics",
                    collect,
                    "purchase",
                    "https://butikk.example/",
                )
            });
        let finding = the_finding(ID, &report);
        assert_eq!(
            finding.summary,
            "Cart or purchase contents (value with currency) sent to Google Analytics in 1 event \
             (purchase)"
        );
        assert_eq!(evidence_urls(&finding), [collect]);
    }

    #[test]
    fn page_views_and_empty_carts_do_not_fire() {
        assert!(findings_of(ID, &compliant_site()).is_empty());
        let mut report = compliant_site();
        phase_mut(&mut report, PhaseName::AfterAccept)
            .events
            .push(TrackerEvent {
                data: data(json!({
                    "value": "0",
                    "currency": "NOK",
                    "items": [{}],
                    "cd[content_ids]": "[]",
                })),
                ..event("Meta Pixel", PIXEL, "PageView", "https://butikk.example/")
            });
        assert!(findings_of(ID, &report).is_empty());
    }
}
