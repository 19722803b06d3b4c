//! Bounded walks over a [`DomSnapshot`]: what is visible, what text a subtree shows, and the
//! box that is really the dialog. A page can hold any number of nodes, so every walk stops
//! after a fixed budget instead of trusting the page to be small.

use std::collections::HashSet;

use crate::measure::contrast::parse_css_color;
use crate::visit::dom::{DomNode, DomSnapshot, NodeKind};

/// Most nodes one walk visits.
pub const MAX_WALK_NODES: usize = 60_000;
/// Most ancestors followed upwards (a real DOM is rarely 100 deep).
pub const MAX_DEPTH: usize = 512;

pub fn node(snapshot: &DomSnapshot, id: usize) -> Option<&DomNode> {
    snapshot.nodes.get(id)
}

pub fn is_element(snapshot: &DomSnapshot, id: usize) -> bool {
    node(snapshot, id).is_some_and(|n| n.kind == NodeKind::Element)
}

/// Ancestors of `id`, nearest first, crossing shadow roots and frames, at most [`MAX_DEPTH`].
pub fn ancestors(snapshot: &DomSnapshot, id: usize) -> impl Iterator<Item = usize> + '_ {
    std::iter::successors(node(snapshot, id).and_then(|n| n.parent), move |&p| {
        node(snapshot, p).and_then(|n| n.parent)
    })
    .take(MAX_DEPTH)
}

/// Whether `ancestor` is `id` or one of its ancestors.
pub fn is_inside(snapshot: &DomSnapshot, id: usize, ancestor: usize) -> bool {
    id == ancestor || ancestors(snapshot, id).any(|a| a == ancestor)
}

/// The subtree under `root` (excluding it) in tree order, at most `limit` nodes.
pub fn subtree(snapshot: &DomSnapshot, root: usize, limit: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let Some(start) = node(snapshot, root) else {
        return out;
    };
    let mut stack: Vec<usize> = start.children.iter().rev().copied().collect();
    while let Some(id) = stack.pop() {
        if out.len() >= limit {
            break;
        }
        let Some(n) = node(snapshot, id) else {
            continue;
        };
        out.push(id);
        stack.extend(n.children.iter().rev().copied());
    }
    out
}

/// A CSS number such as `opacity`; `default` when absent or unreadable.
pub fn css_number(value: &str, default: f64) -> f64 {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .unwrap_or(default)
}

/// A CSS length in px (`"16px"`, `"16"`); `None` otherwise.
pub fn css_px(value: &str) -> Option<f64> {
    let v = value.trim();
    v.strip_suffix("px")
        .unwrap_or(v)
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

/// Whether the node has a layout box of at least one CSS pixel each way.
pub fn has_box(node: &DomNode) -> bool {
    node.bbox.is_some_and(|b| b.width >= 1.0 && b.height >= 1.0)
}

/// Whether the node's own computed style hides it and everything in it.
pub fn hides_subtree(node: &DomNode) -> bool {
    node.kind == NodeKind::Element
        && (node.style.display == "none" || css_number(&node.style.opacity, 1.0) <= 0.01)
}

/// Whether the node's computed `visibility` hides it (it still takes up room).
pub fn hidden_visibility(node: &DomNode) -> bool {
    matches!(node.style.visibility.as_str(), "hidden" | "collapse")
}

/// Whether an element is painted: it has a box, its style does not hide it, and no ancestor
/// hides it (opacity 0, display none).
pub fn is_visible(snapshot: &DomSnapshot, id: usize) -> bool {
    let Some(n) = node(snapshot, id) else {
        return false;
    };
    has_box(n)
        && !hides_subtree(n)
        && !hidden_visibility(n)
        && !ancestors(snapshot, id).any(|a| node(snapshot, a).is_some_and(hides_subtree))
}

/// Whether the element paints something of its own: a fill, an image or a border.
pub fn paints_box(node: &DomNode) -> bool {
    let fill = parse_css_color(&node.style.background_color).is_some_and(|c| c[3] > 0);
    let image = !matches!(node.style.background_image.trim(), "" | "none");
    let border = css_px(&node.style.border_top_width).is_some_and(|w| w > 0.0)
        && !matches!(node.style.border_top_style.as_str(), "" | "none" | "hidden")
        && parse_css_color(&node.style.border_top_color).is_some_and(|c| c[3] > 0);
    fill || image || border
}

/// The visible text under `root`: text of rendered nodes, skipping the subtrees in `skip`,
/// whitespace folded, at most `max_chars` characters.
///
/// A text node counts when it has a layout box, or, when the snapshot gives text nodes no box,
/// when its element does; hidden subtrees (display none, opacity 0) are skipped.
pub fn visible_text(
    snapshot: &DomSnapshot,
    root: usize,
    skip: &HashSet<usize>,
    max_chars: usize,
) -> String {
    collect_text(snapshot, root, skip, max_chars, false)
}

/// The first line of the visible text under `root`: its text up to the first block-level
/// element that follows some text. A purpose's title, without the description set below it
/// ("Statistics" of `<label>Statistics<small style="display:block">Counting visits…`).
pub fn first_line(snapshot: &DomSnapshot, root: usize, max_chars: usize) -> String {
    collect_text(snapshot, root, &HashSet::new(), max_chars, true)
}

fn is_block_level(n: &DomNode) -> bool {
    matches!(
        n.style.display.as_str(),
        "block" | "flex" | "grid" | "list-item" | "table" | "flow-root" | "table-row"
    )
}

fn collect_text(
    snapshot: &DomSnapshot,
    root: usize,
    skip: &HashSet<usize>,
    max_chars: usize,
    first_line_only: bool,
) -> String {
    let mut out = String::new();
    let mut chars = 0usize;
    let mut visited = 0usize;
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        visited += 1;
        if visited > MAX_WALK_NODES || chars >= max_chars {
            break;
        }
        let Some(n) = node(snapshot, id) else {
            continue;
        };
        if id != root && skip.contains(&id) {
            continue;
        }
        match n.kind {
            NodeKind::Element
                if hides_subtree(n)
                    || matches!(n.tag.as_str(), "script" | "style" | "noscript" | "template") =>
            {
                continue;
            }
            NodeKind::Element
                if first_line_only && id != root && !out.is_empty() && is_block_level(n) =>
            {
                break;
            }
            NodeKind::Text => {
                if let Some(t) = n.text.as_deref().filter(|_| text_is_rendered(snapshot, n)) {
                    append_words(&mut out, &mut chars, t, max_chars);
                }
                continue;
            }
            _ => {}
        }
        stack.extend(n.children.iter().rev().copied());
    }
    out
}

/// Appends the words of `text` to `out`, space-separated, until `out` holds `max_chars`.
fn append_words(out: &mut String, chars: &mut usize, text: &str, max_chars: usize) {
    for word in text.split_whitespace() {
        if *chars >= max_chars {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
            *chars += 1;
        }
        let take = max_chars.saturating_sub(*chars);
        out.extend(word.chars().take(take));
        *chars += word.chars().count().min(take);
    }
}

fn text_is_rendered(snapshot: &DomSnapshot, text: &DomNode) -> bool {
    let parent = text.parent.and_then(|p| node(snapshot, p));
    if parent.is_some_and(hidden_visibility) {
        return false;
    }
    match text.bbox {
        Some(b) => b.width > 0.0 && b.height > 0.0,
        None => parent.is_some_and(has_box),
    }
}

/// Number of characters of visible text under `root`, counting at most `max_chars`.
pub fn text_len(snapshot: &DomSnapshot, root: usize, max_chars: usize) -> usize {
    visible_text(snapshot, root, &HashSet::new(), max_chars)
        .chars()
        .count()
}

/// Whether an element is something a visitor can press or tick.
pub fn is_interactive(node: &DomNode) -> bool {
    if node.kind != NodeKind::Element {
        return false;
    }
    let role = node.attrs.get("role").map(String::as_str).unwrap_or("");
    matches!(
        node.tag.as_str(),
        "button" | "input" | "select" | "textarea"
    ) || (node.tag == "a" && node.attrs.contains_key("href"))
        || matches!(role, "button" | "link" | "switch" | "checkbox")
        || node.is_clickable
}

/// Element children of `id`, looking through `#shadow-root` and `#document` nodes so that a
/// shadow host's or an iframe's content counts as its children.
pub fn element_children(snapshot: &DomSnapshot, id: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut stack: Vec<usize> = node(snapshot, id)
        .map(|n| n.children.iter().rev().copied().collect())
        .unwrap_or_default();
    let mut visited = 0;
    while let Some(c) = stack.pop() {
        visited += 1;
        if visited > MAX_WALK_NODES {
            break;
        }
        let Some(n) = node(snapshot, c) else {
            continue;
        };
        match n.kind {
            NodeKind::Element => out.push(c),
            NodeKind::ShadowRoot | NodeKind::Document => {
                stack.extend(n.children.iter().rev().copied())
            }
            _ => {}
        }
    }
    out
}

/// Text and controls under a node, to tell which child holds all of a dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Content {
    text: usize,
    controls: usize,
}

fn content_of(snapshot: &DomSnapshot, id: usize) -> Content {
    const TEXT_BUDGET: usize = 20_000;
    // Rendered controls only: a layer that is not open (no layout box) holds none yet.
    let controls = subtree(snapshot, id, MAX_WALK_NODES)
        .into_iter()
        .filter(|&d| {
            node(snapshot, d)
                .is_some_and(|n| is_interactive(n) && n.bbox.is_some() && !hides_subtree(n))
        })
        .count();
    Content {
        text: text_len(snapshot, id, TEXT_BUDGET),
        controls,
    }
}

/// Narrows a matched container down to the box a visitor sees as the dialog.
///
/// CMP containers and positioned overlays are often wrappers: a zero-size shadow host, a
/// full-screen dimmer, a transparent positioning div, an `<iframe>`. While the current node is
/// such a wrapper and exactly one child holds (nearly) all of its text and every one of its
/// controls, step into that child. Stop at the first box that paints itself and is not a
/// full-viewport backdrop, or where the content splits between children.
pub fn tighten(snapshot: &DomSnapshot, root: usize) -> usize {
    let viewport_area = snapshot.viewport_width * snapshot.viewport_height;
    let mut current = root;
    for _ in 0..64 {
        let Some(n) = node(snapshot, current) else {
            break;
        };
        let backdrop =
            viewport_area > 0.0 && n.bbox.is_some_and(|b| b.area() >= 0.8 * viewport_area);
        // A frame is a window onto another document, never the dialog's own box.
        let frame = matches!(n.tag.as_str(), "iframe" | "frame");
        if has_box(n) && paints_box(n) && !backdrop && !frame {
            break;
        }
        let here = content_of(snapshot, current);
        if here.text == 0 && here.controls == 0 {
            break;
        }
        let holder = element_children(snapshot, current)
            .into_iter()
            .filter(|&c| node(snapshot, c).is_some_and(|cn| !hides_subtree(cn)))
            .map(|c| (c, content_of(snapshot, c)))
            .max_by_key(|(_, content)| (content.controls, content.text));
        let Some((child, content)) = holder else {
            break;
        };
        let holds_all = content.controls == here.controls && content.text * 10 >= here.text * 9;
        if !holds_all || !subtree_has_box(snapshot, child) {
            break;
        }
        current = child;
    }
    current
}

fn subtree_has_box(snapshot: &DomSnapshot, id: usize) -> bool {
    node(snapshot, id).is_some_and(has_box)
        || subtree(snapshot, id, MAX_WALK_NODES)
            .into_iter()
            .any(|d| node(snapshot, d).is_some_and(|n| n.kind == NodeKind::Element && has_box(n)))
}

/// Whether a node's box lies at least partly inside the viewport (always, when the snapshot
/// does not say how large the viewport is).
pub fn on_screen(snapshot: &DomSnapshot, n: &DomNode) -> bool {
    let Some(b) = n.bbox else {
        return false;
    };
    if snapshot.viewport_width <= 0.0 || snapshot.viewport_height <= 0.0 {
        return true;
    }
    b.x < snapshot.viewport_width
        && b.y < snapshot.viewport_height
        && b.x + b.width > 0.0
        && b.y + b.height > 0.0
}

/// The computed `z-index` as a number (`auto` and garbage are `None`).
pub fn z_index(node: &DomNode) -> Option<i64> {
    node.style.z_index.trim().parse::<i64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::test_support::SnapshotBuilder;

    #[test]
    fn visible_text_skips_hidden_subtrees_and_respects_budget() {
        let mut b = SnapshotBuilder::new("https://example.org/");
        let body = b.body();
        let shown = b.div(body, [0.0, 0.0, 100.0, 20.0]);
        b.text(shown, "Shown words");
        let hidden = b.div(body, [0.0, 0.0, 100.0, 20.0]);
        b.style(hidden, |s| s.display = "none".into());
        b.text(hidden, "Secret");
        let snap = b.build();
        assert_eq!(
            visible_text(&snap, body, &HashSet::new(), 1000),
            "Shown words"
        );
        assert_eq!(visible_text(&snap, body, &HashSet::new(), 5), "Shown");
    }

    #[test]
    fn the_first_line_ends_at_the_first_block_after_some_text() {
        let mut b = SnapshotBuilder::new("https://example.org/");
        let body = b.body();
        let label = b.el(body, "label", &[], [0.0, 0.0, 300.0, 40.0]);
        b.style(label, |s| s.display = "inline".into());
        let title = b.el(label, "span", &[], [0.0, 0.0, 100.0, 20.0]);
        b.style(title, |s| s.display = "inline".into());
        b.text(title, "Statistics");
        b.text(label, "(optional)");
        let description = b.el(label, "small", &[], [0.0, 20.0, 300.0, 20.0]);
        b.text(description, "Counting visits.");
        // A block that comes first, before any text, is the first line itself.
        let card = b.div(body, [0.0, 50.0, 300.0, 60.0]);
        let heading = b.div(card, [0.0, 50.0, 300.0, 20.0]);
        b.text(heading, "Marketing");
        let more = b.div(card, [0.0, 70.0, 300.0, 40.0]);
        b.text(more, "Advertising by our partners.");
        let snap = b.build();
        assert_eq!(first_line(&snap, label, 100), "Statistics (optional)");
        assert_eq!(
            visible_text(&snap, label, &HashSet::new(), 100),
            "Statistics (optional) Counting visits."
        );
        assert_eq!(first_line(&snap, card, 100), "Marketing");
    }

    #[test]
    fn tighten_steps_through_backdrop_and_shadow_host_into_the_painted_box() {
        let mut b = SnapshotBuilder::new("https://example.org/");
        let body = b.body();
        let host = b.div(body, [0.0, 0.0, 0.0, 0.0]);
        let shadow = b.shadow_root(host, crate::visit::dom::ShadowKind::Closed);
        let backdrop = b.div(shadow, [0.0, 0.0, 1280.0, 800.0]);
        b.style(backdrop, |s| {
            s.position = "fixed".into();
            s.background_color = "rgba(0, 0, 0, 0.5)".into();
        });
        let dialog = b.div(backdrop, [340.0, 200.0, 600.0, 300.0]);
        b.style(dialog, |s| s.background_color = "rgb(255, 255, 255)".into());
        let p = b.div(dialog, [360.0, 220.0, 560.0, 100.0]);
        b.text(p, "We use cookies to measure traffic.");
        b.button(dialog, "Accept all", [360.0, 400.0, 120.0, 40.0]);
        let snap = b.build();
        assert_eq!(tighten(&snap, host), dialog);
        assert_eq!(tighten(&snap, dialog), dialog);
    }

    #[test]
    fn tighten_keeps_a_wrapper_whose_content_is_split() {
        let mut b = SnapshotBuilder::new("https://example.org/");
        let body = b.body();
        let bar = b.div(body, [0.0, 700.0, 1280.0, 100.0]);
        let text = b.div(bar, [0.0, 700.0, 900.0, 100.0]);
        b.text(
            text,
            "We use cookies. A long explanation of why and how we use them.",
        );
        let buttons = b.div(bar, [900.0, 700.0, 380.0, 100.0]);
        b.button(buttons, "OK", [900.0, 720.0, 80.0, 40.0]);
        let snap = b.build();
        assert_eq!(tighten(&snap, bar), bar);
    }

    #[test]
    fn css_values() {
        assert_eq!(css_px("13.5px"), Some(13.5));
        assert_eq!(css_px("auto"), None);
        assert_eq!(css_number("", 1.0), 1.0);
        assert_eq!(css_number("0.25", 1.0), 0.25);
    }
}
