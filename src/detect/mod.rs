//! Detect: find the consent dialog in a page snapshot.
//!
//! Known CMPs first, from the table in `cmps.json`: a visible container of a known CMP is the
//! dialog. Otherwise the generic heuristic ([`heuristic`]) scores overlays and in-flow boxes by
//! their wording and buttons in thirteen languages. Either way the match is narrowed down to
//! the box the visitor sees ([`walk::tighten`]). Both look through open and closed shadow roots
//! and into same-site and cross-site frames, since the snapshot holds all of them.
//! [`find_layer`] follows a dialog from one layer to the next after a click: settings screens
//! seldom say "cookie", so the dialog's own box is looked for again first.

pub mod cmp;
pub mod heuristic;
pub mod terms;
#[cfg(test)]
pub mod test_support;
pub mod wait;
pub mod walk;

use std::collections::{BTreeMap, HashSet};

pub use crate::visit::dom::ShadowKind;
pub use cmp::{cmp_table, CmpSignature};

use crate::measure::buttons::collect_clickables;
use crate::measure::detect_language;
use crate::visit::dom::DomSnapshot;

/// Text read to tell the dialog's language.
const LANGUAGE_SAMPLE_CHARS: usize = 4_000;

/// The consent dialog found on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct DialogCandidate {
    /// Node id of the dialog's container (the box the visitor sees).
    pub root: usize,
    /// Lower-case CMP id when known (from its container, frame or script).
    pub cmp: Option<String>,
    /// `"cmp"` when a known CMP's container or frame matched, `"heuristic"` otherwise.
    pub found_by: &'static str,
    /// The heuristic's score of the dialog (also computed for CMP matches, for comparison).
    pub score: f64,
    /// ISO 639-1 code of the dialog's text.
    pub language: Option<String>,
    /// Set when the dialog lives in a shadow root.
    pub shadow_root: Option<ShadowKind>,
    /// URL of the frame whose document holds the dialog's buttons (the page or an iframe).
    pub frame_url: Option<String>,
    /// The element that matched (a CMP's container, the heuristic's overlay) before it was
    /// narrowed down to `root`; `root` itself or an ancestor of it.
    pub container: usize,
}

/// The consent dialog on the page, if there is one.
pub fn find_dialog(snapshot: &DomSnapshot) -> Option<DialogCandidate> {
    if let Some((container, cmp)) = best_cmp_container(snapshot) {
        let root = walk::tighten(snapshot, container);
        let score = heuristic::score(&heuristic::features(snapshot, root)).unwrap_or(0.0);
        return Some(candidate(
            snapshot,
            container,
            root,
            Some(cmp.id.clone()),
            "cmp",
            score,
        ));
    }
    let best = heuristic::best_candidate(snapshot)?;
    let root = walk::tighten(snapshot, best.root);
    let cmp = cmp::cmp_from_scripts(snapshot).map(|c| c.id.clone());
    Some(candidate(
        snapshot,
        best.root,
        root,
        cmp,
        "heuristic",
        best.score,
    ))
}

/// Where a dialog was, so that it can be found again after a click changed it: the DevTools
/// backend node ids of its box and of the wrappers up to the element that matched (innermost
/// first), which stay the same while the page lives, and what was known about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialogAnchor {
    backend_ids: Vec<i64>,
    cmp: Option<String>,
    found_by: &'static str,
}

impl DialogAnchor {
    pub fn new(snapshot: &DomSnapshot, dialog: &DialogCandidate) -> DialogAnchor {
        let chain: Vec<usize> = if walk::is_inside(snapshot, dialog.root, dialog.container) {
            std::iter::once(dialog.root)
                .chain(walk::ancestors(snapshot, dialog.root))
                .take_while(|&a| a != dialog.container)
                .chain(std::iter::once(dialog.container))
                .collect()
        } else {
            vec![dialog.root]
        };
        DialogAnchor {
            backend_ids: chain
                .into_iter()
                .filter_map(|id| walk::node(snapshot, id).map(|n| n.backend_node_id))
                .collect(),
            cmp: dialog.cmp.clone(),
            found_by: dialog.found_by,
        }
    }

    /// The anchor of a later layer, which also remembers the boxes of the earlier ones.
    pub fn then(mut self, earlier: &DialogAnchor) -> DialogAnchor {
        for id in &earlier.backend_ids {
            if !self.backend_ids.contains(id) {
                self.backend_ids.push(*id);
            }
        }
        self
    }
}

/// The dialog as it shows now, after a click on a dialog found earlier (`anchor`): a settings
/// layer opened in place or over it, or the same layer; `None` once it has gone.
///
/// A settings layer often says no word about cookies ("Privacy settings", purposes, "Save"),
/// so the detector alone would miss it. Three sources: the earlier dialog's own box or
/// wrapper, still showing (a layer switched in place); a consent dialog the detector finds;
/// an overlay with purpose switches and a save or answer button (a settings screen of its
/// own). The first is trusted most; another wins only when it is a separate box painted
/// above it (a settings modal opened over the banner).
pub fn find_layer(snapshot: &DomSnapshot, anchor: &DialogAnchor) -> Option<DialogCandidate> {
    let settings = heuristic::settings_overlay(snapshot).map(|overlay| {
        let root = walk::tighten(snapshot, overlay);
        candidate(
            snapshot,
            overlay,
            root,
            anchor.cmp.clone(),
            anchor.found_by,
            0.0,
        )
    });
    let mut found = [
        anchored_dialog(snapshot, anchor),
        find_dialog(snapshot),
        settings,
    ]
    .into_iter()
    .flatten();
    let mut best = found.next()?;
    for other in found {
        let nested = walk::is_inside(snapshot, other.root, best.root)
            || walk::is_inside(snapshot, best.root, other.root);
        if !nested && top_paint(snapshot, other.root) > top_paint(snapshot, best.root) {
            best = other;
        }
    }
    Some(best)
}

/// The innermost box of the anchor that still shows something, narrowed down again.
fn anchored_dialog(snapshot: &DomSnapshot, anchor: &DialogAnchor) -> Option<DialogCandidate> {
    let by_backend_id: std::collections::HashMap<i64, usize> = snapshot
        .nodes
        .iter()
        .take(walk::MAX_WALK_NODES * 4)
        .filter(|n| anchor.backend_ids.contains(&n.backend_node_id))
        .map(|n| (n.backend_node_id, n.id))
        .collect();
    let container = anchor
        .backend_ids
        .iter()
        .filter_map(|b| by_backend_id.get(b).copied())
        .find(|&id| shows_something(snapshot, id))?;
    let root = walk::tighten(snapshot, container);
    let score = heuristic::score(&heuristic::features(snapshot, root)).unwrap_or(0.0);
    Some(candidate(
        snapshot,
        container,
        root,
        anchor.cmp.clone(),
        anchor.found_by,
        score,
    ))
}

/// The highest paint order in a subtree: what decides which of two dialogs a visitor sees.
fn top_paint(snapshot: &DomSnapshot, id: usize) -> i64 {
    let own = walk::node(snapshot, id).and_then(|n| n.paint_order);
    let inner = walk::subtree(snapshot, id, walk::MAX_WALK_NODES)
        .into_iter()
        .filter_map(|d| walk::node(snapshot, d).and_then(|n| n.paint_order))
        .max();
    own.max(inner).unwrap_or(i64::MIN)
}

/// The visible CMP container painted on top, if any. Containers that show nothing a visitor
/// could read or press (an empty shell left after consent, a hidden template) do not count.
fn best_cmp_container(snapshot: &DomSnapshot) -> Option<(usize, &'static CmpSignature)> {
    let shown: Vec<(usize, &'static CmpSignature)> = cmp::container_matches(snapshot)
        .into_iter()
        .filter(|&(id, _)| shows_something(snapshot, id))
        .collect();
    // Of nested matches keep the outer one; of the rest, the one painted last.
    let outer: Vec<(usize, &'static CmpSignature)> = shown
        .iter()
        .copied()
        .filter(|&(id, _)| {
            !shown
                .iter()
                .any(|&(other, _)| other != id && walk::is_inside(snapshot, id, other))
        })
        .collect();
    outer
        .into_iter()
        .max_by_key(|&(id, _)| top_paint(snapshot, id))
}

/// Whether a container (or what it holds, for a zero-size host) is in the viewport with text or
/// a control in it. CMPs hide a dismissed dialog in many ways (display none, opacity 0,
/// visibility hidden, sliding it out of view); none of those count.
fn shows_something(snapshot: &DomSnapshot, id: usize) -> bool {
    let Some(n) = walk::node(snapshot, id) else {
        return false;
    };
    if walk::hides_subtree(n)
        || walk::ancestors(snapshot, id)
            .any(|a| walk::node(snapshot, a).is_some_and(walk::hides_subtree))
    {
        return false;
    }
    let has_text = walk::text_len(snapshot, id, 40) >= 10;
    let has_control = !collect_clickables(snapshot, id, 1).is_empty();
    let in_view = if walk::has_box(n) {
        walk::on_screen(snapshot, n)
    } else {
        has_visible_descendant_in_view(snapshot, id)
    };
    (has_text || has_control) && in_view
}

fn has_visible_descendant_in_view(snapshot: &DomSnapshot, id: usize) -> bool {
    walk::subtree(snapshot, id, walk::MAX_WALK_NODES)
        .into_iter()
        .any(|d| {
            walk::node(snapshot, d).is_some_and(|n| {
                n.kind == crate::visit::dom::NodeKind::Element
                    && walk::on_screen(snapshot, n)
                    && walk::is_visible(snapshot, d)
            })
        })
}

fn candidate(
    snapshot: &DomSnapshot,
    container: usize,
    root: usize,
    cmp: Option<String>,
    found_by: &'static str,
    score: f64,
) -> DialogCandidate {
    let text = walk::visible_text(snapshot, root, &HashSet::new(), LANGUAGE_SAMPLE_CHARS);
    let clickables = collect_clickables(snapshot, root, crate::measure::buttons::MAX_BUTTONS);
    let root_node = walk::node(snapshot, root);
    let shadow_root = root_node.and_then(|n| n.in_shadow).or_else(|| {
        clickables
            .iter()
            .find_map(|c| walk::node(snapshot, c.node).and_then(|n| n.in_shadow))
    });
    // The document that holds most of the buttons: the dialog may be an <iframe> in a box.
    let mut per_document: BTreeMap<usize, usize> = BTreeMap::new();
    for c in &clickables {
        if let Some(n) = walk::node(snapshot, c.node) {
            *per_document.entry(n.document).or_default() += 1;
        }
    }
    let document = per_document
        .iter()
        .max_by_key(|(doc, count)| (**count, std::cmp::Reverse(**doc)))
        .map(|(doc, _)| *doc)
        .or_else(|| root_node.map(|n| n.document));
    let frame_url = document
        .and_then(|d| snapshot.documents.get(d))
        .map(|d| d.url.clone());
    DialogCandidate {
        root,
        cmp,
        found_by,
        score,
        language: detect_language(&text).map(str::to_string),
        shadow_root,
        frame_url,
        container,
    }
}

#[cfg(test)]
mod tests;
