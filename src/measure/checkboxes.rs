//! Purpose checkboxes and toggle switches of a dialog, with their state before the visitor acts.
//!
//! Native `<input type=checkbox>` and ARIA `role=switch|checkbox` with `aria-checked`. Custom
//! toggles usually hide the native input (opacity 0, a 1-pixel clip) and paint a slider next to
//! it, so an input counts when its row is shown, not only when the input itself is.

use std::collections::HashSet;

use super::buttons::{clean_label, IdIndex, MAX_LABEL_CHARS};
use crate::detect::walk::{self, has_box, hides_subtree, node, visible_text, MAX_WALK_NODES};
use crate::model::Checkbox;
use crate::visit::dom::{DomNode, DomSnapshot, NodeKind};

/// Most checkboxes read from one dialog (vendor lists hold hundreds).
pub const MAX_CHECKBOXES: usize = 300;
/// How many ancestors up a label is looked for, and a shown row for a hidden input.
const ROW_DEPTH: usize = 4;

/// A checkbox or switch found in the dialog.
#[derive(Debug, Clone, PartialEq)]
pub struct Toggle {
    pub node: usize,
    pub checkbox: Checkbox,
}

fn is_native_checkbox(n: &DomNode) -> bool {
    n.kind == NodeKind::Element
        && n.tag == "input"
        && n.attrs
            .get("type")
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("checkbox"))
}

fn is_aria_toggle(n: &DomNode) -> bool {
    n.kind == NodeKind::Element
        && n.attrs
            .get("role")
            .is_some_and(|r| matches!(r.trim(), "switch" | "checkbox"))
        && n.attrs.contains_key("aria-checked")
}

/// The checkboxes and switches under `root`, in tree order, at most `limit`.
pub fn collect_toggles(
    snapshot: &DomSnapshot,
    root: usize,
    layer: u32,
    limit: usize,
) -> Vec<Toggle> {
    let ids = IdIndex::new(snapshot);
    let nodes = walk::subtree(snapshot, root, MAX_WALK_NODES);
    let native: HashSet<usize> = nodes
        .iter()
        .copied()
        .filter(|&id| node(snapshot, id).is_some_and(is_native_checkbox))
        .collect();
    let mut out = Vec::new();
    for &id in &nodes {
        let Some(n) = node(snapshot, id) else {
            continue;
        };
        let is_native = native.contains(&id);
        if !is_native && !is_aria_toggle(n) {
            continue;
        }
        // One control, two markups: an ARIA switch wrapping (or labelling) a native input.
        if !is_native && wraps_or_sits_in_native(snapshot, id, &native) {
            continue;
        }
        if !is_shown(snapshot, id) {
            continue;
        }
        let checked = if is_native {
            n.checked.unwrap_or_else(|| n.attrs.contains_key("checked"))
        } else {
            n.attrs
                .get("aria-checked")
                .is_some_and(|v| v.trim() == "true")
        };
        let disabled = n.attrs.contains_key("disabled")
            || n.attrs
                .get("aria-disabled")
                .is_some_and(|v| v.trim() == "true");
        out.push(Toggle {
            node: id,
            checkbox: Checkbox {
                label: toggle_label(snapshot, &ids, id),
                checked,
                disabled,
                layer,
            },
        });
        if out.len() >= limit {
            break;
        }
    }
    out
}

fn wraps_or_sits_in_native(snapshot: &DomSnapshot, id: usize, native: &HashSet<usize>) -> bool {
    walk::ancestors(snapshot, id)
        .take(ROW_DEPTH)
        .any(|a| native.contains(&a))
        || walk::subtree(snapshot, id, 200)
            .iter()
            .any(|d| native.contains(d))
}

/// Whether the control or its row is painted: nothing above hides it, and it or one of its
/// nearest ancestors has a box.
fn is_shown(snapshot: &DomSnapshot, id: usize) -> bool {
    let hidden_above = walk::ancestors(snapshot, id)
        .filter_map(|a| node(snapshot, a))
        .any(hides_subtree);
    let own_box = node(snapshot, id).is_some_and(has_box);
    let row_box = walk::ancestors(snapshot, id)
        .take(ROW_DEPTH)
        .filter_map(|a| node(snapshot, a))
        .any(|a| a.kind == NodeKind::Element && has_box(a));
    !hidden_above && (own_box || row_box)
}

/// The purpose a toggle is for: its accessible name, its `<label>`, else the text of the
/// nearest row around it.
fn toggle_label(snapshot: &DomSnapshot, ids: &IdIndex, id: usize) -> String {
    let Some(n) = node(snapshot, id) else {
        return String::new();
    };
    let text = |e: usize| visible_text(snapshot, e, &HashSet::new(), MAX_LABEL_CHARS);
    if let Some(l) = n
        .attrs
        .get("aria-label")
        .map(|v| clean_label(v))
        .filter(|v| !v.is_empty())
    {
        return l;
    }
    if let Some(refs) = n.attrs.get("aria-labelledby") {
        let t = ids.texts(n.document, refs);
        if !t.is_empty() {
            return t;
        }
    }
    if let Some(label) = n.attrs.get("id").and_then(|i| ids.label_for(n.document, i)) {
        let t = text(label);
        if !t.is_empty() {
            return t;
        }
    }
    walk::ancestors(snapshot, id)
        .take(ROW_DEPTH)
        .map(text)
        .find(|t| !t.is_empty())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::test_support::SnapshotBuilder;

    #[test]
    fn native_and_aria_toggles_with_labels_and_state() {
        let mut b = SnapshotBuilder::new("https://example.org/");
        let body = b.body();
        // <label for>: a pre-ticked box.
        let label = b.el(body, "label", &[("for", "stats")], [0.0, 0.0, 200.0, 20.0]);
        b.text(label, "Statistikk");
        let stats = b.checkbox(body, true, [210.0, 0.0, 20.0, 20.0]);
        b.attr(stats, "id", "stats");
        // A custom switch: the native input is invisible, its row is shown.
        let row = b.div(body, [0.0, 30.0, 300.0, 30.0]);
        b.text(row, "Markedsføring");
        let hidden_input = b.checkbox(row, false, [0.0, 0.0, 0.0, 0.0]);
        b.style(hidden_input, |s| s.opacity = "0".into());
        // An ARIA switch that is disabled and on (strictly necessary).
        b.el(
            body,
            "button",
            &[
                ("role", "switch"),
                ("aria-checked", "true"),
                ("aria-disabled", "true"),
                ("aria-label", "Nødvendige"),
            ],
            [0.0, 70.0, 40.0, 20.0],
        );
        // An ARIA switch wrapping a native input is one toggle.
        let wrapper = b.el(
            body,
            "div",
            &[("role", "switch"), ("aria-checked", "false")],
            [0.0, 100.0, 40.0, 20.0],
        );
        let inner = b.checkbox(wrapper, false, [0.0, 100.0, 40.0, 20.0]);
        b.attr(inner, "aria-label", "Personalisering");
        // In a collapsed section: not on this layer.
        let collapsed = b.div(body, [0.0, 0.0, 0.0, 0.0]);
        b.style(collapsed, |s| s.display = "none".into());
        b.node_mut(collapsed).bbox = None;
        b.checkbox(collapsed, true, [0.0, 0.0, 20.0, 20.0]);
        let snap = b.build();
        let found: Vec<Checkbox> = collect_toggles(&snap, body, 2, MAX_CHECKBOXES)
            .into_iter()
            .map(|t| t.checkbox)
            .collect();
        let expected = [
            ("Statistikk", true, false),
            ("Markedsføring", false, false),
            ("Nødvendige", true, true),
            ("Personalisering", false, false),
        ];
        assert_eq!(found.len(), expected.len(), "{found:?}");
        for (got, (label, checked, disabled)) in found.iter().zip(expected) {
            assert_eq!(
                (got.label.as_str(), got.checked, got.disabled),
                (label, checked, disabled)
            );
            assert_eq!(got.layer, 2);
        }
    }
}
