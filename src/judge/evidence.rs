//! Builds the evidence items that findings point at, each with the decoded or measured values
//! that make it proof, and keeps a finding's evidence to a bounded length.

use serde_json::{json, Map, Value};

use super::text::truncate_chars;
use super::wording;
use crate::model::{
    Button, Checkbox, Claim, ClickStep, Cookie, Evidence, PhaseName, Request, TrackerEvent,
};

/// Longest string value copied into evidence fields, in characters.
const MAX_VALUE_CHARS: usize = 500;

/// A request, with what its decoded events said (event names, page URL, identifiers).
pub(crate) fn request(phase: PhaseName, request: &Request, events: &[&TrackerEvent]) -> Evidence {
    let mut fields = Map::new();
    match events {
        [] => {
            fields.insert("resource_type".into(), json!(request.resource_type));
        }
        [event] => {
            if let Some(name) = &event.event {
                fields.insert("event".into(), json!(name));
            }
        }
        several => {
            let names: Vec<&str> = several.iter().filter_map(|e| e.event.as_deref()).collect();
            fields.insert("events".into(), json!(names));
        }
    }
    if let Some(page_url) = events.iter().find_map(|e| e.page_url.as_deref()) {
        fields.insert("page_url".into(), bounded_string(page_url));
    }
    let ids: Map<String, Value> = events
        .iter()
        .flat_map(|e| &e.ids)
        .map(|(key, value)| (key.clone(), bounded_string(value)))
        .collect();
    if !ids.is_empty() {
        fields.insert("ids".into(), Value::Object(ids));
    }
    if let Some(consent_mode) = events.iter().find(|e| !e.consent_mode.is_empty()) {
        fields.insert("consent_mode".into(), json!(consent_mode.consent_mode));
    }
    Evidence::Request {
        phase,
        url: request.url.clone(),
        vendor: request.tracker.as_ref().map(|t| t.vendor.clone()),
        fields,
    }
}

/// The request that carried `event`, with `fields` chosen by the rule.
pub(crate) fn event(
    phase: PhaseName,
    event: &TrackerEvent,
    fields: Map<String, Value>,
) -> Evidence {
    let mut all = Map::new();
    if let Some(name) = &event.event {
        all.insert("event".into(), json!(name));
    }
    all.extend(fields);
    Evidence::Request {
        phase,
        url: event.request_url.clone(),
        vendor: Some(event.vendor.clone()),
        fields: all,
    }
}

pub(crate) fn cookie(phase: PhaseName, cookie: &Cookie) -> Evidence {
    Evidence::Cookie {
        phase,
        name: cookie.name.clone(),
        domain: cookie.domain.clone(),
        vendor: cookie.vendor.clone(),
    }
}

/// A button with every measurement a reader needs to compare it with the other buttons.
pub(crate) fn button(button: &Button) -> Evidence {
    let mut measures = Map::new();
    measures.insert("area_px".into(), json!(button.area_px));
    measures.insert("is_link_styled".into(), json!(button.is_link_styled));
    for (name, value) in [
        ("text_contrast", button.text_contrast),
        ("background_contrast", button.background_contrast),
        ("font_size_px", button.font_size_px),
    ] {
        if let Some(value) = value {
            measures.insert(name.into(), json!(value));
        }
    }
    if let Some(weight) = button.font_weight {
        measures.insert("font_weight".into(), json!(weight));
    }
    if let Some(note) = &button.contrast_note {
        measures.insert("contrast_note".into(), json!(note));
    }
    Evidence::Button {
        role: button.role,
        text: button.text.clone(),
        bbox: button.bbox,
        measures,
    }
}

/// One step of a click path; `path` is `"accept"` or `"reject"`.
pub(crate) fn step(path: &str, index: usize, step: &ClickStep) -> Evidence {
    Evidence::Step {
        path: path.to_string(),
        index,
        action: step.action.clone(),
        text: step.text.clone(),
    }
}

pub(crate) fn checkbox(checkbox: &Checkbox) -> Evidence {
    Evidence::Checkbox {
        label: checkbox.label.clone(),
        checked: checkbox.checked,
        layer: checkbox.layer,
    }
}

pub(crate) fn claim(claim: &Claim) -> Evidence {
    Evidence::Claim {
        phrase: claim.phrase.clone(),
        context: claim.context.clone(),
        source: claim.source.clone(),
    }
}

pub(crate) fn note(text: impl Into<String>) -> Evidence {
    Evidence::Note { text: text.into() }
}

/// A string for evidence, cut to a bounded length.
pub(crate) fn bounded_string(value: &str) -> Value {
    Value::String(truncate_chars(value, MAX_VALUE_CHARS))
}

/// A JSON value for evidence: strings are cut, and a value whose text is long is replaced by
/// its cut text, so that one cart with a thousand items cannot swell a finding.
pub(crate) fn bounded_value(value: &Value) -> Value {
    match value {
        Value::String(text) => bounded_string(text),
        other => {
            let text = other.to_string();
            if text.chars().count() > MAX_VALUE_CHARS {
                bounded_string(&text)
            } else {
                other.clone()
            }
        }
    }
}

/// Takes items from each group in turn, so that a bounded list still shows every group
/// (every vendor) before it shows a second item of any.
pub(crate) fn interleave(groups: Vec<Vec<Evidence>>) -> Vec<Evidence> {
    let mut iterators: Vec<_> = groups.into_iter().map(Vec::into_iter).collect();
    let mut out = Vec::new();
    loop {
        let before = out.len();
        for items in &mut iterators {
            if let Some(item) = items.next() {
                out.push(item);
            }
        }
        if out.len() == before {
            return out;
        }
    }
}

/// At most `max` items (at least one); what is left out is counted in a closing note.
/// `where_all` tells the reader where the complete record is.
pub(crate) fn bounded(mut evidence: Vec<Evidence>, max: usize, where_all: &str) -> Vec<Evidence> {
    let max = max.max(2);
    if evidence.len() > max {
        let left_out = evidence.len() - (max - 1);
        evidence.truncate(max - 1);
        evidence.push(note(format!(
            "{} not listed here; {where_all}",
            wording::count(left_out, "more item", "more items")
        )));
    }
    evidence
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notes(n: usize) -> Vec<Evidence> {
        (0..n).map(|i| note(i.to_string())).collect()
    }

    #[test]
    fn bounded_keeps_the_first_items_and_counts_the_rest() {
        let kept = bounded(notes(10), 4, "see phases");
        assert_eq!(kept.len(), 4);
        assert_eq!(kept[0], note("0"));
        assert_eq!(kept[3], note("7 more items not listed here; see phases"));
        assert_eq!(bounded(notes(3), 4, "x").len(), 3);
    }

    #[test]
    fn interleave_shows_every_group_first() {
        let mixed = interleave(vec![notes(3), vec![note("b")]]);
        assert_eq!(mixed, [note("0"), note("b"), note("1"), note("2")]);
    }

    #[test]
    fn long_values_are_cut() {
        let long = Value::Array((0..1000).map(|i| json!(i)).collect());
        assert!(bounded_value(&long)
            .as_str()
            .is_some_and(|s| s.ends_with('…')));
        assert_eq!(bounded_value(&json!(119)), json!(119));
    }
}
