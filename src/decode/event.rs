//! Building a [`TrackerEvent`] while recording which wire field carried each part of it, so that
//! every decoded value can be traced back to the request.

use serde_json::Value;

use crate::model::TrackerEvent;

/// Keys of [`TrackerEvent::fields`].
pub(crate) const FIELD_PAGE_URL: &str = "page_url";
pub(crate) const FIELD_EVENT: &str = "event";
pub(crate) const FIELD_DATA: &str = "data";
pub(crate) const FIELD_USER_DATA: &str = "user_data";
pub(crate) const FIELD_REFERRER: &str = "referrer";
pub(crate) const FIELD_TITLE: &str = "title";
pub(crate) const FIELD_IDS: &str = "ids";
pub(crate) const FIELD_CONSENT: &str = "consent_mode";

/// Accumulates one event. Empty values are skipped: a pixel that sends `rl=` sent no referrer.
#[derive(Debug, Default, Clone)]
pub(crate) struct EventBuilder {
    event: TrackerEvent,
}

impl EventBuilder {
    pub(crate) fn new() -> EventBuilder {
        EventBuilder::default()
    }

    fn record(&mut self, field: &str, wire: &str) {
        let wires = self.event.fields.entry(field.to_string()).or_default();
        if !wires.iter().any(|w| w == wire) {
            wires.push(wire.to_string());
        }
    }

    pub(crate) fn event_name(&mut self, wire: &str, name: &str) -> &mut Self {
        if !name.trim().is_empty() {
            self.event.event = Some(name.to_string());
            self.record(FIELD_EVENT, wire);
        }
        self
    }

    pub(crate) fn has_event_name(&self) -> bool {
        self.event.event.is_some()
    }

    pub(crate) fn page_url(&mut self, wire: &str, url: &str) -> &mut Self {
        if !url.trim().is_empty() {
            self.event.page_url = Some(url.to_string());
            self.record(FIELD_PAGE_URL, wire);
        }
        self
    }

    pub(crate) fn has_page_url(&self) -> bool {
        self.event.page_url.is_some()
    }

    pub(crate) fn referrer(&mut self, wire: &str, url: &str) -> &mut Self {
        if !url.trim().is_empty() {
            self.event.referrer = Some(url.to_string());
            self.record(FIELD_REFERRER, wire);
        }
        self
    }

    pub(crate) fn title(&mut self, wire: &str, title: &str) -> &mut Self {
        if !title.trim().is_empty() {
            self.event.title = Some(title.to_string());
            self.record(FIELD_TITLE, wire);
        }
        self
    }

    /// Custom data under a readable key; empty strings and nulls are skipped.
    pub(crate) fn data(&mut self, wire: &str, key: &str, value: Value) -> &mut Self {
        let empty = match &value {
            Value::Null => true,
            Value::String(s) => s.trim().is_empty(),
            _ => false,
        };
        if !empty && !key.is_empty() {
            self.event.data.insert(key.to_string(), value);
            self.record(FIELD_DATA, wire);
        }
        self
    }

    /// Custom data assembled from several wire fields (`pr1`, `pr2`, … into `items`).
    pub(crate) fn data_from<'w>(
        &mut self,
        wires: impl IntoIterator<Item = &'w str>,
        key: &str,
        value: Value,
    ) -> &mut Self {
        let wires: Vec<&str> = wires.into_iter().collect();
        let Some((first, rest)) = wires.split_first() else {
            return self;
        };
        let before = self.event.data.len();
        self.data(first, key, value);
        if self.event.data.len() > before {
            for wire in rest {
                self.record(FIELD_DATA, wire);
            }
        }
        self
    }

    pub(crate) fn has_data(&self, key: &str) -> bool {
        self.event.data.contains_key(key)
    }

    /// A hashed personal-data field, by its short name (`em`, `ph`, `fn`, `external_id`, …).
    pub(crate) fn user_data(&mut self, wire: &str, name: &str, value: &str) -> &mut Self {
        if !value.trim().is_empty() && !name.is_empty() {
            if !self.event.user_data_fields.iter().any(|n| n == name) {
                self.event.user_data_fields.push(name.to_string());
            }
            self.record(FIELD_USER_DATA, wire);
        }
        self
    }

    /// An identifier: pixel or property id, client id, click id, …
    pub(crate) fn id(&mut self, wire: &str, key: &str, value: &str) -> &mut Self {
        if !value.trim().is_empty() {
            self.event.ids.insert(key.to_string(), value.to_string());
            self.record(FIELD_IDS, wire);
        }
        self
    }

    pub(crate) fn consent(&mut self, wire: &str, key: &str, value: &str) -> &mut Self {
        if !value.trim().is_empty() {
            self.event
                .consent_mode
                .insert(key.to_string(), value.to_string());
            self.record(FIELD_CONSENT, wire);
        }
        self
    }

    pub(crate) fn has_consent(&self, key: &str) -> bool {
        self.event.consent_mode.contains_key(key)
    }

    /// Whether anything at all was read.
    pub(crate) fn is_empty(&self) -> bool {
        self.event.fields.is_empty()
    }

    pub(crate) fn build(self) -> TrackerEvent {
        self.event
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_which_wire_fields_carried_what() {
        let mut builder = EventBuilder::new();
        builder
            .event_name("ev", "AddToCart")
            .page_url("dl", "https://shop.example/p/1")
            .referrer("rl", "")
            .data("cd[value]", "value", Value::from(119))
            .data("cd[currency]", "currency", Value::from("NOK"))
            .data("cd[empty]", "empty", Value::from(" "))
            .user_data("ud[em]", "em", "a1b2")
            .user_data("udff[em]", "em", "a1b2")
            .id("id", "pixel_id", "123");
        let event = builder.build();
        assert_eq!(event.event.as_deref(), Some("AddToCart"));
        assert_eq!(event.referrer, None, "empty referrer is not a referrer");
        assert_eq!(event.fields["event"], vec!["ev"]);
        assert_eq!(event.fields["page_url"], vec!["dl"]);
        assert_eq!(event.fields["data"], vec!["cd[value]", "cd[currency]"]);
        assert_eq!(event.fields["user_data"], vec!["ud[em]", "udff[em]"]);
        assert_eq!(event.user_data_fields, vec!["em"]);
        assert!(!event.data.contains_key("empty"));
        assert!(!event.fields.contains_key("referrer"));
    }
}
