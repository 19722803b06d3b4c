//! The buttons and clickable links of a dialog, and what each one says.
//!
//! A button is a `<button>`, an `<a href>`, an `<input type=button|submit|reset|image>`, an
//! element with `role=button|link`, or (weaker evidence) an element Blink reports as clickable
//! or where the pointer cursor starts, with a short label. Invisible ones are skipped. Nested
//! clickables are one button: a `<span>` inside a `<button>` is the button's label, and an
//! element that merely wraps several buttons is not itself one.

use std::collections::{HashMap, HashSet};

use once_cell::unsync::OnceCell;

use crate::detect::walk::{self, is_visible, node, visible_text, MAX_WALK_NODES};
use crate::visit::dom::{fold_whitespace, DomNode, DomSnapshot, NodeKind};

/// Most buttons read from one dialog (a vendor list can hold hundreds of links).
pub const MAX_BUTTONS: usize = 400;
/// A clickable without button semantics counts only with a label this short.
const MAX_WEAK_LABEL_CHARS: usize = 60;
/// Labels are kept up to this many characters.
pub const MAX_LABEL_CHARS: usize = 200;

/// A button or link of the dialog.
#[derive(Debug, Clone, PartialEq)]
pub struct Clickable {
    pub node: usize,
    /// What it says: visible text, else `aria-label`, `aria-labelledby`, `title`, `value`, `alt`.
    pub label: String,
    pub aria_label: Option<String>,
    /// The element that holds the label's first text (for font and colour); the clickable
    /// itself when the label is not text.
    pub text_element: usize,
}

fn role(n: &DomNode) -> &str {
    n.attrs.get("role").map(|r| r.trim()).unwrap_or("")
}

/// Button semantics from markup.
fn is_button_element(n: &DomNode) -> bool {
    if n.kind != NodeKind::Element || is_toggle_element(n) {
        return false;
    }
    let input_type = n
        .attrs
        .get("type")
        .map(|t| t.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match n.tag.as_str() {
        "button" => true,
        "a" => n.attrs.contains_key("href") || matches!(role(n), "button" | "link"),
        "input" => matches!(input_type.as_str(), "button" | "submit" | "reset" | "image"),
        _ => matches!(role(n), "button" | "link"),
    }
}

/// A checkbox or switch: measured as a checkbox, not a button.
pub fn is_toggle_element(n: &DomNode) -> bool {
    let input_toggle = n.tag == "input"
        && n.attrs.get("type").is_some_and(|t| {
            matches!(t.trim().to_ascii_lowercase().as_str(), "checkbox" | "radio")
        });
    input_toggle || matches!(role(n), "switch" | "checkbox" | "radio")
}

/// Clickable by behaviour only: Blink's click-listener flag, or the element where the pointer
/// cursor begins (sites that attach listeners at the document root leave no flag).
fn is_weak_clickable(snapshot: &DomSnapshot, n: &DomNode) -> bool {
    if n.kind != NodeKind::Element
        || is_toggle_element(n)
        || matches!(
            n.tag.as_str(),
            "html"
                | "body"
                | "label"
                | "input"
                | "select"
                | "option"
                | "textarea"
                | "iframe"
                | "form"
        )
        || matches!(
            role(n),
            "dialog" | "alertdialog" | "tabpanel" | "none" | "presentation"
        )
    {
        return false;
    }
    let pointer_starts_here = n.style.cursor == "pointer"
        && n.parent
            .and_then(|p| parent_element(snapshot, p))
            .is_none_or(|p| p.style.cursor != "pointer");
    n.is_clickable || pointer_starts_here
}

/// The nearest element at or above `id` (skipping shadow-root nodes).
fn parent_element(snapshot: &DomSnapshot, id: usize) -> Option<&DomNode> {
    std::iter::once(id)
        .chain(walk::ancestors(snapshot, id))
        .filter_map(|a| node(snapshot, a))
        .find(|a| a.kind == NodeKind::Element || a.kind == NodeKind::Document)
        .filter(|a| a.kind == NodeKind::Element)
}

/// The buttons and links under `root`, in tree order, at most `limit`.
pub fn collect_clickables(snapshot: &DomSnapshot, root: usize, limit: usize) -> Vec<Clickable> {
    let ids = IdIndex::new(snapshot);
    let nodes = walk::subtree(snapshot, root, MAX_WALK_NODES);
    let mut strong: HashSet<usize> = HashSet::new();
    let mut weak_ids: HashSet<usize> = HashSet::new();
    let mut candidates: Vec<(usize, bool, Clickable)> = Vec::new();
    for &id in &nodes {
        let Some(n) = node(snapshot, id) else {
            continue;
        };
        let is_strong = is_button_element(n);
        if !is_strong && !is_weak_clickable(snapshot, n) {
            continue;
        }
        if !is_visible(snapshot, id) {
            continue;
        }
        let label = label_of(snapshot, &ids, id);
        if !is_strong {
            let chars = label.chars().count();
            if chars == 0 || chars > MAX_WEAK_LABEL_CHARS || contains_toggle(snapshot, id) {
                continue;
            }
        }
        let clickable = Clickable {
            node: id,
            aria_label: n
                .attrs
                .get("aria-label")
                .map(|s| clean_label(s))
                .filter(|s| !s.is_empty()),
            text_element: text_element(snapshot, id),
            label,
        };
        if is_strong {
            strong.insert(id);
        } else {
            weak_ids.insert(id);
        }
        candidates.push((id, is_strong, clickable));
    }
    // For each candidate, the strong and weak candidates above it (within `root`).
    let (strong_ref, weak_ref) = (&strong, &weak_ids);
    let candidate_ancestors = move |id: usize| {
        walk::ancestors(snapshot, id)
            .take_while(move |&a| a != root)
            .filter(move |a| strong_ref.contains(a) || weak_ref.contains(a))
    };
    let mut strong_below: HashMap<usize, usize> = HashMap::new();
    let mut weak_below: HashMap<usize, usize> = HashMap::new();
    for (id, is_strong, _) in &candidates {
        for a in candidate_ancestors(*id) {
            let counter = if *is_strong {
                &mut strong_below
            } else {
                &mut weak_below
            };
            *counter.entry(a).or_default() += 1;
        }
    }
    let mut kept: HashSet<usize> = HashSet::new();
    let mut out = Vec::new();
    for (id, is_strong, clickable) in candidates {
        let mut above = candidate_ancestors(id);
        let keep = if is_strong {
            !above.any(|a| strong.contains(&a))
        } else {
            !above.any(|a| strong.contains(&a) || kept.contains(&a))
                && strong_below.get(&id).copied().unwrap_or(0) == 0
                && weak_below.get(&id).copied().unwrap_or(0) <= 1
        };
        if keep {
            kept.insert(id);
            out.push(clickable);
            if out.len() >= limit {
                break;
            }
        }
    }
    out
}

fn contains_toggle(snapshot: &DomSnapshot, id: usize) -> bool {
    walk::subtree(snapshot, id, 2_000)
        .into_iter()
        .any(|d| node(snapshot, d).is_some_and(is_toggle_element))
}

/// Whitespace folded, at most [`MAX_LABEL_CHARS`].
pub fn clean_label(s: &str) -> String {
    fold_whitespace(&s.chars().take(MAX_LABEL_CHARS * 4).collect::<String>())
        .chars()
        .take(MAX_LABEL_CHARS)
        .collect()
}

/// The label a visitor (or a screen reader, for icon buttons) gets.
pub fn label_of(snapshot: &DomSnapshot, ids: &IdIndex, id: usize) -> String {
    let Some(n) = node(snapshot, id) else {
        return String::new();
    };
    let visible = visible_text(snapshot, id, &HashSet::new(), MAX_LABEL_CHARS);
    if !visible.is_empty() {
        return visible;
    }
    let attr = |name: &str| {
        n.attrs
            .get(name)
            .map(|v| clean_label(v))
            .filter(|v| !v.is_empty())
    };
    attr("aria-label")
        .or_else(|| {
            let refs = n.attrs.get("aria-labelledby")?;
            let text = ids.texts(n.document, refs);
            (!text.is_empty()).then_some(text)
        })
        .or_else(|| attr("title"))
        .or_else(|| attr("value"))
        .or_else(|| n.text.as_deref().map(clean_label).filter(|v| !v.is_empty()))
        .or_else(|| image_alt(snapshot, id))
        .unwrap_or_default()
}

fn image_alt(snapshot: &DomSnapshot, id: usize) -> Option<String> {
    walk::subtree(snapshot, id, 200).into_iter().find_map(|d| {
        let n = node(snapshot, d)?;
        let alt = match n.tag.as_str() {
            "img" => n.attrs.get("alt"),
            "svg" => n.attrs.get("aria-label"),
            _ => None,
        }?;
        Some(clean_label(alt)).filter(|a| !a.is_empty())
    })
}

/// The element holding the first rendered, non-blank text under `id`.
fn text_element(snapshot: &DomSnapshot, id: usize) -> usize {
    walk::subtree(snapshot, id, 2_000)
        .into_iter()
        .filter_map(|d| node(snapshot, d))
        .find(|n| {
            n.kind == NodeKind::Text
                && n.text.as_deref().is_some_and(|t| !t.trim().is_empty())
                && n.bbox.is_none_or(|b| b.width > 0.0 && b.height > 0.0)
        })
        .and_then(|t| t.parent)
        .and_then(|p| parent_element(snapshot, p))
        .map_or(id, |e| e.id)
}

/// Elements by `id` attribute within each document, for `aria-labelledby` and `<label for>`.
/// Built on first use: most dialogs never need it, and it reads the whole snapshot.
pub struct IdIndex<'a> {
    snapshot: &'a DomSnapshot,
    maps: OnceCell<IdMaps>,
}

#[derive(Default)]
struct IdMaps {
    by_id: HashMap<(usize, String), usize>,
    label_for: HashMap<(usize, String), usize>,
}

impl<'a> IdIndex<'a> {
    pub fn new(snapshot: &'a DomSnapshot) -> IdIndex<'a> {
        IdIndex {
            snapshot,
            maps: OnceCell::new(),
        }
    }

    fn maps(&self) -> &IdMaps {
        self.maps.get_or_init(|| {
            let mut maps = IdMaps::default();
            for n in self.snapshot.nodes.iter().take(MAX_WALK_NODES * 4) {
                if n.kind != NodeKind::Element {
                    continue;
                }
                if let Some(id) = n.attrs.get("id") {
                    maps.by_id.entry((n.document, id.clone())).or_insert(n.id);
                }
                if n.tag == "label" {
                    if let Some(target) = n.attrs.get("for") {
                        maps.label_for
                            .entry((n.document, target.clone()))
                            .or_insert(n.id);
                    }
                }
            }
            maps
        })
    }

    /// The visible text of the elements named by a space-separated id list.
    pub fn texts(&self, document: usize, ids: &str) -> String {
        let maps = self.maps();
        let parts: Vec<String> = ids
            .split_whitespace()
            .take(8)
            .filter_map(|i| maps.by_id.get(&(document, i.to_string())))
            .map(|&e| visible_text(self.snapshot, e, &HashSet::new(), MAX_LABEL_CHARS))
            .filter(|t| !t.is_empty())
            .collect();
        clean_label(&parts.join(" "))
    }

    /// The `<label for=…>` of an element id.
    pub fn label_for(&self, document: usize, id: &str) -> Option<usize> {
        self.maps()
            .label_for
            .get(&(document, id.to_string()))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::test_support::SnapshotBuilder;

    fn labels(snapshot: &DomSnapshot, root: usize) -> Vec<String> {
        collect_clickables(snapshot, root, MAX_BUTTONS)
            .into_iter()
            .map(|c| c.label)
            .collect()
    }

    #[test]
    fn buttons_links_inputs_and_roles() {
        let mut b = SnapshotBuilder::new("https://example.org/");
        let body = b.body();
        b.button(body, "Accept all", [0.0, 0.0, 100.0, 40.0]);
        b.link(body, "Read more", [0.0, 50.0, 80.0, 20.0]);
        let input = b.el(
            body,
            "input",
            &[("type", "submit"), ("value", "Reject all")],
            [0.0, 80.0, 100.0, 40.0],
        );
        b.node_mut(input).text = Some("Reject all".into());
        let div = b.el(
            body,
            "div",
            &[("role", "button")],
            [0.0, 130.0, 100.0, 40.0],
        );
        b.text(div, "Settings");
        let anchor_without_href = b.el(body, "a", &[], [0.0, 180.0, 100.0, 20.0]);
        b.text(anchor_without_href, "Not a link");
        let snap = b.build();
        assert_eq!(
            labels(&snap, body),
            ["Accept all", "Read more", "Reject all", "Settings"]
        );
    }

    #[test]
    fn invisible_ones_are_skipped() {
        let mut b = SnapshotBuilder::new("https://example.org/");
        let body = b.body();
        let hidden = b.button(body, "Hidden", [0.0, 0.0, 100.0, 40.0]);
        b.style(hidden, |s| s.visibility = "hidden".into());
        let transparent = b.div(body, [0.0, 50.0, 100.0, 40.0]);
        b.style(transparent, |s| s.opacity = "0".into());
        b.button(
            transparent,
            "In a transparent box",
            [0.0, 50.0, 100.0, 40.0],
        );
        b.button(body, "Zero size", [0.0, 100.0, 0.0, 0.0]);
        let unrendered = b.button(body, "Unrendered", [0.0, 0.0, 1.0, 1.0]);
        b.node_mut(unrendered).bbox = None;
        b.button(body, "Shown", [0.0, 150.0, 100.0, 40.0]);
        let snap = b.build();
        assert_eq!(labels(&snap, body), ["Shown"]);
    }

    #[test]
    fn nested_clickables_are_one_button() {
        let mut b = SnapshotBuilder::new("https://example.org/");
        let body = b.body();
        let button = b.el(body, "button", &[], [0.0, 0.0, 120.0, 40.0]);
        let span = b.el(button, "span", &[], [10.0, 10.0, 100.0, 20.0]);
        b.node_mut(span).is_clickable = true;
        b.text(span, "Godta alle");
        // A clickable wrapper around two clickable divs is a container, not a button.
        let wrapper = b.div(body, [0.0, 50.0, 300.0, 40.0]);
        b.node_mut(wrapper).is_clickable = true;
        for (i, label) in ["Avvis", "Innstillinger"].into_iter().enumerate() {
            let d = b.div(wrapper, [i as f64 * 150.0, 50.0, 140.0, 40.0]);
            b.node_mut(d).is_clickable = true;
            b.text(d, label);
        }
        // Where the pointer cursor starts is a button; its children inherit the cursor.
        let pointer = b.div(body, [0.0, 100.0, 100.0, 40.0]);
        b.style(pointer, |s| s.cursor = "pointer".into());
        let inner = b.el(pointer, "span", &[], [0.0, 100.0, 100.0, 40.0]);
        b.style(inner, |s| s.cursor = "pointer".into());
        b.text(inner, "Lagre valg");
        let snap = b.build();
        let found = collect_clickables(&snap, body, MAX_BUTTONS);
        let found: Vec<(usize, &str)> = found.iter().map(|c| (c.node, c.label.as_str())).collect();
        assert_eq!(found[0], (button, "Godta alle"));
        assert_eq!(found[1].1, "Avvis");
        assert_eq!(found[2].1, "Innstillinger");
        assert_eq!(found[3], (pointer, "Lagre valg"));
        assert_eq!(found.len(), 4);
    }

    #[test]
    fn labels_fall_back_to_accessible_names() {
        let mut b = SnapshotBuilder::new("https://example.org/");
        let body = b.body();
        b.el(
            body,
            "button",
            &[("aria-label", "Close")],
            [0.0, 0.0, 24.0, 24.0],
        );
        let named = b.el(body, "span", &[("id", "lbl")], [0.0, 30.0, 50.0, 20.0]);
        b.text(named, "Reject everything");
        b.el(
            body,
            "button",
            &[("aria-labelledby", "lbl")],
            [60.0, 30.0, 24.0, 24.0],
        );
        let img_button = b.el(body, "button", &[], [0.0, 60.0, 24.0, 24.0]);
        b.el(
            img_button,
            "img",
            &[("alt", "Lukk")],
            [0.0, 60.0, 24.0, 24.0],
        );
        let snap = b.build();
        assert_eq!(
            labels(&snap, body)[..],
            ["Close", "Reject everything", "Lukk"]
        );
    }

    #[test]
    fn toggles_are_not_buttons() {
        let mut b = SnapshotBuilder::new("https://example.org/");
        let body = b.body();
        b.el(
            body,
            "button",
            &[("role", "switch"), ("aria-checked", "false")],
            [0.0, 0.0, 40.0, 20.0],
        );
        b.checkbox(body, true, [0.0, 30.0, 20.0, 20.0]);
        let row = b.div(body, [0.0, 60.0, 300.0, 30.0]);
        b.node_mut(row).is_clickable = true;
        b.text(row, "Analytics");
        b.checkbox(row, false, [280.0, 60.0, 20.0, 20.0]);
        let snap = b.build();
        assert!(labels(&snap, body).is_empty());
    }
}
