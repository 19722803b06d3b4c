//! Known consent management platforms, read from the data file `cmps.json`.

use std::collections::BTreeMap;

use once_cell::sync::Lazy;
use serde::Deserialize;

use super::walk::{self, MAX_WALK_NODES};
use crate::model::ButtonRole;
use crate::visit::dom::{DomSnapshot, NodeKind};

/// One element test: every field that is given must hold.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Matcher {
    /// The element's `id`, exactly.
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub id_prefix: Option<String>,
    /// Some class token starts with this.
    #[serde(default)]
    pub class_prefix: Option<String>,
    /// The attribute is present (and equals `value`, when given).
    #[serde(default)]
    pub attr: Option<String>,
    #[serde(default)]
    pub value: Option<String>,
}

impl Matcher {
    pub fn matches(&self, attrs: &BTreeMap<String, String>) -> bool {
        let given = self.id.is_some()
            || self.id_prefix.is_some()
            || self.class_prefix.is_some()
            || self.attr.is_some();
        let id = attrs.get("id").map(String::as_str);
        given
            && self.id.as_deref().is_none_or(|want| id == Some(want))
            && self
                .id_prefix
                .as_deref()
                .is_none_or(|p| id.is_some_and(|id| id.starts_with(p)))
            && self.class_prefix.as_deref().is_none_or(|p| {
                attrs
                    .get("class")
                    .is_some_and(|c| c.split_whitespace().any(|token| token.starts_with(p)))
            })
            && self.attr.as_deref().is_none_or(|name| {
                attrs
                    .get(name)
                    .is_some_and(|v| self.value.as_deref().is_none_or(|want| v == want))
            })
    }
}

/// Hints for a CMP's buttons, by role.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ButtonHints {
    #[serde(default)]
    pub accept: Vec<Matcher>,
    #[serde(default)]
    pub reject: Vec<Matcher>,
    #[serde(default)]
    pub settings: Vec<Matcher>,
    #[serde(default)]
    pub save: Vec<Matcher>,
    #[serde(default)]
    pub close: Vec<Matcher>,
}

impl ButtonHints {
    /// The role whose hint matches these attributes, if any.
    pub fn role_of(&self, attrs: &BTreeMap<String, String>) -> Option<ButtonRole> {
        [
            (&self.reject, ButtonRole::RejectAll),
            (&self.save, ButtonRole::Save),
            (&self.accept, ButtonRole::AcceptAll),
            (&self.settings, ButtonRole::Settings),
            (&self.close, ButtonRole::Close),
        ]
        .into_iter()
        .find(|(matchers, _)| matchers.iter().any(|m| m.matches(attrs)))
        .map(|(_, role)| role)
    }
}

/// A known CMP: how to recognise its dialog and its buttons.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CmpSignature {
    /// Lower-case id written to `banner.cmp`.
    pub id: String,
    pub name: String,
    /// Elements that hold the CMP's dialog while it shows.
    pub containers: Vec<Matcher>,
    /// Lower-case fragments of the CMP's script URLs.
    pub script_src: Vec<String>,
    /// Lower-case fragments of URLs of frames that hold the CMP's dialog.
    pub frame_src: Vec<String>,
    pub buttons: ButtonHints,
}

#[derive(Deserialize)]
struct CmpFile {
    cmps: Vec<CmpSignature>,
}

static CMPS: Lazy<Vec<CmpSignature>> = Lazy::new(|| {
    serde_json::from_str::<CmpFile>(include_str!("cmps.json"))
        .expect("src/detect/cmps.json is valid (checked by a unit test)")
        .cmps
});

/// The table of known CMPs, from `src/detect/cmps.json`.
pub fn cmp_table() -> &'static [CmpSignature] {
    &CMPS
}

/// Elements that a CMP's container signature names, in tree order: the element itself, or for
/// a frame signature the `<iframe>` whose document's URL matches.
pub fn container_matches(snapshot: &DomSnapshot) -> Vec<(usize, &'static CmpSignature)> {
    let mut found = Vec::new();
    for node in snapshot.nodes.iter().take(MAX_WALK_NODES * 4) {
        if node.kind != NodeKind::Element {
            continue;
        }
        let frame_url = (node.tag == "iframe")
            .then(|| frame_document_url(snapshot, node.id))
            .flatten();
        for cmp in cmp_table() {
            let by_container = cmp.containers.iter().any(|m| m.matches(&node.attrs));
            let by_frame = frame_url.as_deref().is_some_and(|url| {
                let url = url.to_lowercase();
                cmp.frame_src.iter().any(|f| url.contains(f.as_str()))
            });
            if by_container || by_frame {
                found.push((node.id, cmp));
            }
        }
    }
    found
}

/// The URL of the document an `<iframe>` shows, falling back to its `src`.
fn frame_document_url(snapshot: &DomSnapshot, iframe: usize) -> Option<String> {
    let from_document = snapshot
        .documents
        .iter()
        .find(|d| d.owner_node == Some(iframe))
        .map(|d| d.url.clone());
    from_document.or_else(|| walk::node(snapshot, iframe)?.attrs.get("src").cloned())
}

/// The first CMP whose script the page loads, if any.
pub fn cmp_from_scripts(snapshot: &DomSnapshot) -> Option<&'static CmpSignature> {
    snapshot
        .nodes
        .iter()
        .take(MAX_WALK_NODES * 4)
        .filter(|n| n.kind == NodeKind::Element && n.tag == "script")
        .filter_map(|n| n.attrs.get("src"))
        .find_map(|src| {
            let src = src.to_lowercase();
            cmp_table()
                .iter()
                .find(|cmp| cmp.script_src.iter().any(|s| src.contains(s.as_str())))
        })
}

/// The role a known CMP gives a button with these attributes, if any CMP's hint matches.
pub fn hinted_role(attrs: &BTreeMap<String, String>) -> Option<ButtonRole> {
    cmp_table()
        .iter()
        .find_map(|cmp| cmp.buttons.role_of(attrs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_table_parses_and_covers_the_required_cmps() {
        let ids: Vec<&str> = cmp_table().iter().map(|c| c.id.as_str()).collect();
        for required in [
            "onetrust",
            "cookiebot",
            "didomi",
            "quantcast",
            "trustarc",
            "usercentrics",
            "sourcepoint",
            "cookieyes",
            "complianz",
            "iubenda",
            "termly",
            "civic",
            "borlabs",
            "cookieinformation",
            "cookiefirst",
            "axeptio",
            "consentmanager",
            "sirdata",
            "commandersact",
            "funding_choices",
        ] {
            assert!(ids.contains(&required), "{required} missing from cmps.json");
        }
        for cmp in cmp_table() {
            assert!(
                !cmp.containers.is_empty() || !cmp.frame_src.is_empty(),
                "{}",
                cmp.id
            );
            assert_eq!(cmp.id, cmp.id.to_lowercase());
            for m in &cmp.containers {
                assert_ne!(m, &Matcher::default(), "{} has an empty matcher", cmp.id);
            }
        }
    }

    #[test]
    fn matchers_need_every_given_field() {
        let m = Matcher {
            id: Some("cookie-notice".into()),
            class_prefix: Some("cn-position-".into()),
            ..Matcher::default()
        };
        assert!(m.matches(&attrs(&[
            ("id", "cookie-notice"),
            ("class", "cookie-revoke-hidden cn-position-bottom")
        ])));
        assert!(!m.matches(&attrs(&[("id", "cookie-notice")])));
        assert!(!Matcher::default().matches(&attrs(&[("id", "x")])));
    }

    #[test]
    fn attribute_value_and_prefix_matchers() {
        let m = Matcher {
            attr: Some("data-testid".into()),
            value: Some("uc-deny-all-button".into()),
            ..Matcher::default()
        };
        assert!(m.matches(&attrs(&[("data-testid", "uc-deny-all-button")])));
        assert!(!m.matches(&attrs(&[("data-testid", "uc-accept-all-button")])));
        let p = Matcher {
            id_prefix: Some("sp_message_container_".into()),
            ..Matcher::default()
        };
        assert!(p.matches(&attrs(&[("id", "sp_message_container_1234")])));
    }

    #[test]
    fn button_hints_give_roles() {
        assert_eq!(
            hinted_role(&attrs(&[("id", "onetrust-reject-all-handler")])),
            Some(ButtonRole::RejectAll)
        );
        assert_eq!(
            hinted_role(&attrs(&[("class", "cmplz-btn cmplz-accept")])),
            Some(ButtonRole::AcceptAll)
        );
        assert_eq!(hinted_role(&attrs(&[("id", "buy-now")])), None);
    }
}
