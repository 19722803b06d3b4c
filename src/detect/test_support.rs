//! A small builder of hand-made [`DomSnapshot`]s, so that detection and measurement tests read
//! like the page they describe.

use std::collections::BTreeMap;

use crate::model::BBox;
use crate::visit::dom::{DocumentInfo, DomNode, DomSnapshot, NodeKind, ShadowKind, Style};

pub const VIEWPORT: (f64, f64) = (1280.0, 800.0);

/// A rectangle as `[x, y, width, height]` in CSS pixels.
pub type Rect = [f64; 4];

pub fn bbox(r: Rect) -> BBox {
    BBox {
        x: r[0],
        y: r[1],
        width: r[2],
        height: r[3],
    }
}

/// The computed style of an ordinary block with nothing painted.
pub fn plain_style() -> Style {
    Style {
        display: "block".into(),
        visibility: "visible".into(),
        position: "static".into(),
        z_index: "auto".into(),
        opacity: "1".into(),
        color: "rgb(0, 0, 0)".into(),
        background_color: "rgba(0, 0, 0, 0)".into(),
        background_image: "none".into(),
        font_size: "16px".into(),
        font_weight: "400".into(),
        text_decoration_line: "none".into(),
        border_top_width: "0px".into(),
        border_top_style: "none".into(),
        border_top_color: "rgb(0, 0, 0)".into(),
        cursor: "auto".into(),
        pointer_events: "auto".into(),
    }
}

pub struct SnapshotBuilder {
    snap: DomSnapshot,
    body: usize,
}

impl SnapshotBuilder {
    /// A page at `url` with `<html><body>` filling the viewport.
    pub fn new(url: &str) -> SnapshotBuilder {
        let mut b = SnapshotBuilder {
            snap: DomSnapshot {
                viewport_width: VIEWPORT.0,
                viewport_height: VIEWPORT.1,
                ..DomSnapshot::default()
            },
            body: 0,
        };
        let (_, body) = b.document(None, url);
        b.body = body;
        b
    }

    pub fn body(&self) -> usize {
        self.body
    }

    fn push(&mut self, parent: Option<usize>, kind: NodeKind, tag: &str) -> usize {
        let id = self.snap.nodes.len();
        let document = parent.map_or(self.snap.documents.len().saturating_sub(1), |p| {
            self.snap.nodes[p].document
        });
        let in_shadow = parent.and_then(|p| {
            let pn = &self.snap.nodes[p];
            pn.shadow_root_kind.or(pn.in_shadow)
        });
        self.snap.nodes.push(DomNode {
            id,
            parent,
            children: Vec::new(),
            backend_node_id: id as i64 + 1,
            document,
            kind,
            tag: tag.to_string(),
            attrs: BTreeMap::new(),
            text: None,
            bbox: None,
            style: Style::default(),
            shadow_root_kind: None,
            in_shadow,
            checked: None,
            is_clickable: false,
            paint_order: Some(id as i64),
        });
        if let Some(p) = parent {
            self.snap.nodes[p].children.push(id);
        }
        id
    }

    /// A new document (`#document > html > body`), owned by `owner` when it is an iframe's.
    fn document(&mut self, owner: Option<usize>, url: &str) -> (usize, usize) {
        self.snap.documents.push(DocumentInfo {
            url: url.to_string(),
            frame_id: format!("frame-{}", self.snap.documents.len()),
            owner_node: owner,
        });
        let doc_index = self.snap.documents.len() - 1;
        let doc = self.push(owner, NodeKind::Document, "#document");
        self.snap.nodes[doc].document = doc_index;
        self.snap.nodes[doc].in_shadow = None;
        let frame = owner
            .and_then(|o| self.snap.nodes[o].bbox)
            .map_or([0.0, 0.0, VIEWPORT.0, VIEWPORT.1], |b| {
                [b.x, b.y, b.width, b.height]
            });
        let html = self.el(doc, "html", &[], frame);
        let body = self.el(html, "body", &[], frame);
        (doc, body)
    }

    /// An element with attributes, a box and the plain style.
    pub fn el(&mut self, parent: usize, tag: &str, attrs: &[(&str, &str)], rect: Rect) -> usize {
        let id = self.push(Some(parent), NodeKind::Element, tag);
        let n = &mut self.snap.nodes[id];
        n.attrs = attrs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        n.bbox = Some(bbox(rect));
        n.style = plain_style();
        if tag == "a" && n.attrs.contains_key("href") || tag == "button" {
            n.is_clickable = true;
        }
        id
    }

    pub fn div(&mut self, parent: usize, rect: Rect) -> usize {
        self.el(parent, "div", &[], rect)
    }

    /// A text node with its element's box and style.
    pub fn text(&mut self, parent: usize, text: &str) -> usize {
        let id = self.push(Some(parent), NodeKind::Text, "#text");
        self.snap.nodes[id].text = Some(text.to_string());
        self.snap.nodes[id].bbox = self.snap.nodes[parent].bbox;
        id
    }

    /// A `<button>` with a grey fill, a border and its label.
    pub fn button(&mut self, parent: usize, label: &str, rect: Rect) -> usize {
        let id = self.el(parent, "button", &[], rect);
        self.style(id, |s| {
            s.background_color = "rgb(239, 239, 239)".into();
            s.border_top_width = "1px".into();
            s.border_top_style = "solid".into();
            s.border_top_color = "rgb(118, 118, 118)".into();
            s.cursor = "pointer".into();
        });
        self.text(id, label);
        id
    }

    /// An `<a href>` styled as a plain underlined link.
    pub fn link(&mut self, parent: usize, label: &str, rect: Rect) -> usize {
        let id = self.el(parent, "a", &[("href", "#")], rect);
        self.style(id, |s| {
            s.text_decoration_line = "underline".into();
            s.color = "rgb(0, 0, 238)".into();
            s.display = "inline".into();
        });
        self.text(id, label);
        id
    }

    pub fn style(&mut self, id: usize, f: impl FnOnce(&mut Style)) {
        f(&mut self.snap.nodes[id].style);
    }

    pub fn attr(&mut self, id: usize, name: &str, value: &str) {
        self.snap.nodes[id]
            .attrs
            .insert(name.to_string(), value.to_string());
    }

    pub fn node_mut(&mut self, id: usize) -> &mut DomNode {
        &mut self.snap.nodes[id]
    }

    /// Makes an element a fixed overlay with the given z-index.
    pub fn fixed(&mut self, id: usize, z_index: i64) {
        self.style(id, |s| {
            s.position = "fixed".into();
            s.z_index = z_index.to_string();
            s.background_color = "rgb(255, 255, 255)".into();
        });
        self.snap.nodes[id].paint_order = Some(100_000 + id as i64);
    }

    pub fn shadow_root(&mut self, host: usize, kind: ShadowKind) -> usize {
        let id = self.push(Some(host), NodeKind::ShadowRoot, "#shadow-root");
        self.snap.nodes[id].shadow_root_kind = Some(kind);
        // The shadow root comes first among the host's children.
        let children = &mut self.snap.nodes[host].children;
        children.retain(|&c| c != id);
        children.insert(0, id);
        id
    }

    /// An `<iframe>` showing a document at `url`; returns the iframe and the frame's body.
    pub fn iframe(&mut self, parent: usize, url: &str, rect: Rect) -> (usize, usize) {
        let frame = self.el(parent, "iframe", &[("src", url)], rect);
        let (_, body) = self.document(Some(frame), url);
        (frame, body)
    }

    pub fn checkbox(&mut self, parent: usize, checked: bool, rect: Rect) -> usize {
        let id = self.el(parent, "input", &[("type", "checkbox")], rect);
        self.snap.nodes[id].checked = Some(checked);
        self.snap.nodes[id].is_clickable = true;
        id
    }

    /// Takes an element and everything in it out of the rendering, as `display: none` does in
    /// a real snapshot: no layout box and no computed style.
    pub fn unrendered(&mut self, id: usize) {
        let mut stack = vec![id];
        while let Some(n) = stack.pop() {
            let node = &mut self.snap.nodes[n];
            node.bbox = None;
            node.style = Style::default();
            node.paint_order = None;
            stack.extend(node.children.iter().copied());
        }
    }

    pub fn build(self) -> DomSnapshot {
        self.snap
    }
}
