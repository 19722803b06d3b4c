//! Detect: find the consent dialog in a page snapshot.
//!
//! Known CMPs first, from the table in `cmps.json`: a visible container of a known CMP is the
//! dialog. Otherwise the generic heuristic ([`heuristic`]) scores overlays and in-flow boxes by
//! their wording and buttons in thirteen languages. Either way the match is narrowed down to
//! the box the visitor sees ([`walk::tighten`]). Both look through open and closed shadow roots
//! and into same-site and cross-site frames, since the snapshot holds all of them. The same
//! function finds a settings screen opened from the first layer.

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
}

/// The consent dialog on the page, if there is one.
pub fn find_dialog(snapshot: &DomSnapshot) -> Option<DialogCandidate> {
    if let Some((root, cmp)) = best_cmp_container(snapshot) {
        let root = walk::tighten(snapshot, root);
        let score = heuristic::score(&heuristic::features(snapshot, root)).unwrap_or(0.0);
        return Some(candidate(
            snapshot,
            root,
            Some(cmp.id.clone()),
            "cmp",
            score,
        ));
    }
    let best = heuristic::best_candidate(snapshot)?;
    let root = walk::tighten(snapshot, best.root);
    let cmp = cmp::cmp_from_scripts(snapshot).map(|c| c.id.clone());
    Some(candidate(snapshot, root, cmp, "heuristic", best.score))
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
    let paint = |id: usize| {
        let own = walk::node(snapshot, id).and_then(|n| n.paint_order);
        let inner = walk::subtree(snapshot, id, walk::MAX_WALK_NODES)
            .into_iter()
            .filter_map(|d| walk::node(snapshot, d).and_then(|n| n.paint_order))
            .max();
        own.max(inner).unwrap_or(i64::MIN)
    };
    outer.into_iter().max_by_key(|&(id, _)| paint(id))
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
    }
}

#[cfg(test)]
mod tests;
