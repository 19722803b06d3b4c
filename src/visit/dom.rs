//! A browser-independent picture of the rendered page: every node of every frame and shadow
//! root, with its box in viewport coordinates and the computed styles the later stages need.
//!
//! It is built from one `DOMSnapshot.captureSnapshot` call (which sees through closed shadow
//! roots and, with site isolation off, cross-site iframes), so that detection and measurement are
//! pure functions that tests can feed with hand-made snapshots.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::BBox;

/// The computed styles captured for every node, in this order.
pub const CAPTURED_STYLES: &[&str] = &[
    "display",
    "visibility",
    "position",
    "z-index",
    "opacity",
    "color",
    "background-color",
    "background-image",
    "font-size",
    "font-weight",
    "text-decoration-line",
    "border-top-width",
    "border-top-style",
    "border-top-color",
    "cursor",
    "pointer-events",
];

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DomSnapshot {
    pub nodes: Vec<DomNode>,
    pub documents: Vec<DocumentInfo>,
    /// Size of the top-level viewport in CSS pixels.
    pub viewport_width: f64,
    pub viewport_height: f64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DocumentInfo {
    pub url: String,
    pub frame_id: String,
    /// The `<iframe>` node (in its parent document) that holds this document; `None` for the top.
    pub owner_node: Option<usize>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    Element,
    Text,
    ShadowRoot,
    Document,
    Other,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ShadowKind {
    Open,
    Closed,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Style {
    pub display: String,
    pub visibility: String,
    pub position: String,
    pub z_index: String,
    pub opacity: String,
    pub color: String,
    pub background_color: String,
    pub background_image: String,
    pub font_size: String,
    pub font_weight: String,
    pub text_decoration_line: String,
    pub border_top_width: String,
    pub border_top_style: String,
    pub border_top_color: String,
    pub cursor: String,
    pub pointer_events: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DomNode {
    /// Index of this node in [`DomSnapshot::nodes`].
    pub id: usize,
    pub parent: Option<usize>,
    /// Children in tree order; a shadow host's `#shadow-root` child comes first, an `<iframe>`'s
    /// content document is its only child.
    pub children: Vec<usize>,
    /// DevTools backend node id, for resolving the node again in the live page.
    pub backend_node_id: i64,
    /// Index into [`DomSnapshot::documents`].
    pub document: usize,
    pub kind: NodeKind,
    /// Lower-case element name; `#text`, `#shadow-root`, `#document` for other kinds.
    pub tag: String,
    pub attrs: BTreeMap<String, String>,
    /// Text of a text node (or the value of an `<input>`).
    pub text: Option<String>,
    /// Layout box in CSS pixels of the top-level viewport; `None` when not rendered.
    pub bbox: Option<BBox>,
    pub style: Style,
    /// For `#shadow-root` nodes: whether the root is open or closed.
    pub shadow_root_kind: Option<ShadowKind>,
    /// The kind of the nearest shadow root this node lives in, if any.
    pub in_shadow: Option<ShadowKind>,
    /// State of a checkbox or radio `<input>`.
    pub checked: Option<bool>,
    /// Whether Blink considers the node clickable (has a click listener, is a link or control).
    pub is_clickable: bool,
    /// Blink's paint order; higher paints later (on top).
    pub paint_order: Option<i64>,
}

impl DomSnapshot {
    pub fn node(&self, id: usize) -> &DomNode {
        &self.nodes[id]
    }

    /// All descendants of `id` in tree order (through shadow roots and iframes), excluding `id`.
    pub fn descendants(&self, id: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack: Vec<usize> = self.nodes[id].children.iter().rev().copied().collect();
        while let Some(n) = stack.pop() {
            out.push(n);
            stack.extend(self.nodes[n].children.iter().rev().copied());
        }
        out
    }

    /// Ancestors of `id`, nearest first (crossing shadow and frame boundaries).
    pub fn ancestors(&self, id: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(self.nodes[id].parent, move |&p| self.nodes[p].parent)
    }

    /// The visible text of a subtree: text nodes of rendered elements, whitespace folded.
    pub fn text_of(&self, id: usize) -> String {
        let mut parts: Vec<&str> = Vec::new();
        let mut stack = vec![id];
        while let Some(n) = stack.pop() {
            let node = &self.nodes[n];
            if node.kind == NodeKind::Element
                && (matches!(
                    node.tag.as_str(),
                    "script" | "style" | "noscript" | "template"
                ) || node.style.display == "none"
                    || node.style.visibility == "hidden")
            {
                continue;
            }
            if node.kind == NodeKind::Text {
                if let Some(t) = &node.text {
                    parts.push(t);
                }
            }
            stack.extend(node.children.iter().rev().copied());
        }
        fold_whitespace(&parts.join(" "))
    }

    /// The URL of the document a node belongs to.
    pub fn document_url(&self, id: usize) -> &str {
        &self.documents[self.nodes[id].document].url
    }
}

/// Collapses runs of whitespace to one space and trims.
pub fn fold_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
