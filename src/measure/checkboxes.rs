//! Purpose checkboxes and toggle switches of a dialog, with their state before the visitor acts.
//!
//! Native `<input type=checkbox>` and ARIA `role=switch|checkbox` with `aria-checked`. Only the
//! controls of the layer that shows count: a settings screen that is not rendered yet (its
//! section `display: none`, so nothing in it has a layout box) is a later layer. Custom toggles
//! usually hide the native input (opacity 0, a 1-pixel clip, even `display: none`) and paint a
//! slider next to it, so an input also counts when the row around it is rendered.

use std::collections::HashSet;

use super::buttons::{clean_label, IdIndex, MAX_LABEL_CHARS};
use crate::detect::walk::{
    self, first_line, has_box, hidden_visibility, hides_subtree, is_visible, node, MAX_WALK_NODES,
};
use crate::model::Checkbox;
use crate::visit::dom::{DomNode, DomSnapshot, NodeKind};

/// Most checkboxes read from one dialog (vendor lists hold hundreds).
pub const MAX_CHECKBOXES: usize = 300;
/// How many ancestors up a label is looked for, and a shown row for a hidden input.
const ROW_DEPTH: usize = 4;
/// A row's first line is cut to this: a label, not a description.
const SHORT_LABEL_CHARS: usize = 80;

/// A checkbox or switch found in the dialog.
#[derive(Debug, Clone, PartialEq)]
pub struct Toggle {
    /// The control itself (whose state is read).
    pub node: usize,
    /// What a visitor clicks to flip it: the control when it shows, else its label or row.
    pub target: usize,
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

/// The checkboxes and switches under `root` that show, in tree order, at most `limit`.
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
    let controls: Vec<usize> = nodes
        .iter()
        .copied()
        .filter(|&id| {
            node(snapshot, id).is_some_and(|n| {
                native.contains(&id)
                    // One control, two markups: an ARIA switch wrapping (or labelling) a native
                    // input is the input.
                    || (is_aria_toggle(n) && !wraps_or_sits_in_native(snapshot, id, &native))
            })
        })
        .filter(|&id| is_shown(snapshot, id))
        .take(limit)
        .collect();
    let all: HashSet<usize> = controls.iter().copied().collect();
    let mut out = Vec::with_capacity(controls.len());
    for &id in &controls {
        let Some(n) = node(snapshot, id) else {
            continue;
        };
        let checked = is_checked(n);
        let disabled = n.attrs.contains_key("disabled")
            || n.attrs
                .get("aria-disabled")
                .is_some_and(|v| v.trim() == "true");
        let row = Row {
            snapshot,
            ids: &ids,
            root,
            toggles: &all,
        };
        out.push(Toggle {
            node: id,
            target: row.click_target(id),
            checkbox: Checkbox {
                label: row.label(id),
                checked,
                disabled,
                layer,
            },
        });
    }
    out
}

/// Whether a checkbox or switch is on: a native input's live state, else `aria-checked`.
pub fn is_checked(n: &DomNode) -> bool {
    if is_native_checkbox(n) {
        n.checked.unwrap_or_else(|| n.attrs.contains_key("checked"))
    } else {
        n.attrs
            .get("aria-checked")
            .is_some_and(|v| v.trim() == "true")
    }
}

fn wraps_or_sits_in_native(snapshot: &DomSnapshot, id: usize, native: &HashSet<usize>) -> bool {
    walk::ancestors(snapshot, id)
        .take(ROW_DEPTH)
        .any(|a| native.contains(&a))
        || walk::subtree(snapshot, id, 200)
            .iter()
            .any(|d| native.contains(d))
}

/// The nearest element above `id` (looking through shadow roots and frame documents).
fn parent_element(snapshot: &DomSnapshot, id: usize) -> Option<&DomNode> {
    walk::ancestors(snapshot, id)
        .filter_map(|a| node(snapshot, a))
        .find(|a| a.kind == NodeKind::Element)
}

/// Whether the control belongs to the layer that shows.
///
/// A node without a layout box is not rendered: it or an ancestor is `display: none` (the
/// snapshot gives such nodes no computed style, so their `display` cannot be read directly).
/// The control must be rendered, or be a hidden input whose own parent (the switch's label or
/// row) is; nothing above it may hide it, its row must not be `visibility: hidden` (which is
/// inherited, so a hidden layer shows in its rows), and it or a near ancestor must have a size.
pub fn is_shown(snapshot: &DomSnapshot, id: usize) -> bool {
    let Some(n) = node(snapshot, id) else {
        return false;
    };
    let parent = parent_element(snapshot, id);
    let parent_rendered = parent.is_some_and(|p| p.bbox.is_some());
    if n.bbox.is_none() && !parent_rendered {
        return false;
    }
    let row_hidden = match parent {
        Some(p) if parent_rendered => hidden_visibility(p),
        _ => hidden_visibility(n),
    };
    let hidden_above = walk::ancestors(snapshot, id)
        .filter_map(|a| node(snapshot, a))
        .any(hides_subtree);
    let sized = has_box(n)
        || walk::ancestors(snapshot, id)
            .take(ROW_DEPTH)
            .filter_map(|a| node(snapshot, a))
            .any(|a| a.kind == NodeKind::Element && has_box(a));
    !row_hidden && !hidden_above && sized
}

/// The row around one toggle, for its label and for where to click it.
struct Row<'a> {
    snapshot: &'a DomSnapshot,
    ids: &'a IdIndex<'a>,
    /// The dialog: never a toggle's row.
    root: usize,
    /// Every toggle of the dialog: a box holding two of them is a list, not a row.
    toggles: &'a HashSet<usize>,
}

impl Row<'_> {
    /// The `<label>` of the control: `<label for=id>`, else a `<label>` around it.
    fn label_element(&self, id: usize) -> Option<usize> {
        let n = node(self.snapshot, id)?;
        n.attrs
            .get("id")
            .and_then(|i| self.ids.label_for(n.document, i))
            .or_else(|| {
                self.ancestors_in_row(id)
                    .into_iter()
                    .find(|&a| node(self.snapshot, a).is_some_and(|a| a.tag == "label"))
            })
    }

    /// Ancestors of `id` up to [`ROW_DEPTH`], stopping below the dialog's root and below the
    /// first box that holds another toggle.
    fn ancestors_in_row(&self, id: usize) -> Vec<usize> {
        let mut out = Vec::new();
        for a in walk::ancestors(self.snapshot, id).take(ROW_DEPTH) {
            if a == self.root || self.holds_another_toggle(a, id) {
                break;
            }
            if walk::is_element(self.snapshot, a) {
                out.push(a);
            }
        }
        out
    }

    fn holds_another_toggle(&self, container: usize, toggle: usize) -> bool {
        self.toggles
            .iter()
            .any(|&t| t != toggle && walk::is_inside(self.snapshot, t, container))
    }

    /// The purpose a toggle is for: its accessible name (`aria-labelledby`, `aria-label`, the
    /// first line of its `<label>`, which leaves out a description set below the title), else
    /// the first line of the nearest row around it. Never a text beyond its own row.
    fn label(&self, id: usize) -> String {
        let Some(n) = node(self.snapshot, id) else {
            return String::new();
        };
        if let Some(refs) = n.attrs.get("aria-labelledby") {
            let t = self.ids.texts(n.document, refs);
            if !t.is_empty() {
                return t;
            }
        }
        if let Some(l) = n
            .attrs
            .get("aria-label")
            .map(|v| clean_label(v))
            .filter(|v| !v.is_empty())
        {
            return l;
        }
        if let Some(label) = self.label_element(id) {
            let t = first_line(self.snapshot, label, MAX_LABEL_CHARS);
            if !t.is_empty() {
                return t;
            }
        }
        self.ancestors_in_row(id)
            .into_iter()
            .map(|row| first_line(self.snapshot, row, SHORT_LABEL_CHARS))
            .find(|t| !t.is_empty())
            .unwrap_or_default()
    }

    /// Where to click: the control when it shows itself; else (a hidden input behind a painted
    /// slider) its `<label>`, which flips it, or the nearest shown element of its row.
    fn click_target(&self, id: usize) -> usize {
        let shows = |e: usize| {
            is_visible(self.snapshot, e)
                && node(self.snapshot, e).is_some_and(|n| !hidden_visibility(n))
        };
        if shows(id) {
            return id;
        }
        self.label_element(id)
            .filter(|&l| shows(l))
            .or_else(|| self.ancestors_in_row(id).into_iter().find(|&a| shows(a)))
            .unwrap_or(id)
    }
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
        b.checkbox(collapsed, true, [0.0, 0.0, 20.0, 20.0]);
        b.unrendered(collapsed);
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

    /// A first layer with its settings layer in the same dialog, not rendered yet; then the
    /// same dialog after "Settings", with the first layer gone.
    fn two_layers(settings_open: bool) -> (DomSnapshot, usize, [usize; 3]) {
        let mut b = SnapshotBuilder::new("https://example.org/");
        let body = b.body();
        let dialog = b.el(
            body,
            "div",
            &[("role", "dialog")],
            [0.0, 600.0, 1280.0, 200.0],
        );
        b.fixed(dialog, 1000);
        let first = b.div(dialog, [20.0, 620.0, 1240.0, 160.0]);
        let p = b.el(first, "p", &[], [20.0, 620.0, 1240.0, 60.0]);
        b.text(
            p,
            "We and our partners use cookies to measure how the site is used and to show you \
             relevant advertising. Accept all, or open the settings to choose.",
        );
        b.button(first, "Accept all", [20.0, 700.0, 180.0, 48.0]);
        b.button(first, "Settings", [220.0, 700.0, 180.0, 48.0]);
        let second = b.div(dialog, [20.0, 620.0, 1240.0, 160.0]);
        let purposes = b.div(second, [20.0, 620.0, 1240.0, 30.0]);
        let mut boxes = [0; 3];
        for (i, name) in ["Necessary", "Statistics", "Marketing"]
            .into_iter()
            .enumerate()
        {
            let x = 20.0 + 200.0 * i as f64;
            let label = b.el(purposes, "label", &[], [x, 620.0, 180.0, 30.0]);
            boxes[i] = b.checkbox(label, i == 0, [x, 625.0, 20.0, 20.0]);
            b.text(label, name);
        }
        b.attr(boxes[0], "disabled", "");
        b.button(second, "Save choices", [20.0, 700.0, 180.0, 48.0]);
        b.unrendered(if settings_open { first } else { second });
        (b.build(), dialog, boxes)
    }

    #[test]
    fn a_layer_that_is_not_rendered_has_no_checkboxes_yet() {
        let (snap, dialog, _) = two_layers(false);
        assert_eq!(collect_toggles(&snap, dialog, 1, MAX_CHECKBOXES), []);
    }

    #[test]
    fn each_checkbox_is_labelled_by_its_own_row_never_by_the_dialog() {
        let (snap, dialog, boxes) = two_layers(true);
        let found = collect_toggles(&snap, dialog, 2, MAX_CHECKBOXES);
        let got: Vec<(usize, &str, bool, bool)> = found
            .iter()
            .map(|t| {
                let c = &t.checkbox;
                (t.node, c.label.as_str(), c.checked, c.disabled)
            })
            .collect();
        assert_eq!(
            got,
            [
                (boxes[0], "Necessary", true, true),
                (boxes[1], "Statistics", false, false),
                (boxes[2], "Marketing", false, false),
            ]
        );
        assert!(found.iter().all(|t| t.target == t.node));
    }

    #[test]
    fn a_lone_unlabelled_switch_takes_its_rows_title_not_the_dialogs_text() {
        let mut b = SnapshotBuilder::new("https://example.org/");
        let body = b.body();
        let dialog = b.div(body, [0.0, 0.0, 600.0, 400.0]);
        let intro = b.el(dialog, "p", &[], [0.0, 0.0, 600.0, 100.0]);
        b.text(
            intro,
            "We use cookies. Choose which purposes you allow below, then save.",
        );
        let row = b.div(dialog, [0.0, 120.0, 600.0, 80.0]);
        let title = b.el(row, "strong", &[], [0.0, 120.0, 200.0, 20.0]);
        b.text(title, "Personalised advertising");
        let description = b.el(row, "p", &[], [0.0, 140.0, 560.0, 60.0]);
        b.text(
            description,
            "Our partners build a profile of your interests from the pages you visit here and \
             elsewhere, and show you advertising that matches it.",
        );
        let switch = b.el(
            row,
            "div",
            &[("role", "switch"), ("aria-checked", "true")],
            [560.0, 120.0, 40.0, 20.0],
        );
        let snap = b.build();
        let found = collect_toggles(&snap, dialog, 2, MAX_CHECKBOXES);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].node, switch);
        assert_eq!(found[0].checkbox.label, "Personalised advertising");
    }

    #[test]
    fn a_hidden_input_is_clicked_through_its_label() {
        let mut b = SnapshotBuilder::new("https://example.org/");
        let body = b.body();
        let dialog = b.div(body, [0.0, 0.0, 600.0, 400.0]);
        let label = b.el(dialog, "label", &[], [0.0, 0.0, 200.0, 24.0]);
        let input = b.checkbox(label, true, [0.0, 0.0, 20.0, 20.0]);
        b.unrendered(input);
        let slider = b.el(label, "span", &[], [0.0, 0.0, 40.0, 24.0]);
        b.style(slider, |s| s.background_color = "rgb(26, 86, 219)".into());
        b.text(label, "Statistics");
        let snap = b.build();
        let found = collect_toggles(&snap, dialog, 1, MAX_CHECKBOXES);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].node, found[0].target), (input, label));
        assert_eq!(found[0].checkbox.label, "Statistics");
        assert!(found[0].checkbox.checked);
    }
}
