//! Turns one `DOMSnapshot.captureSnapshot` answer into a [`DomSnapshot`]: all documents (the page
//! and its iframes) stitched into one tree, shadow roots (open and closed) in place, boxes moved
//! into top-level viewport coordinates.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::dom_snapshot::{
    CaptureSnapshotParams, CaptureSnapshotReturns, DocumentSnapshot, RareBooleanData,
    RareIntegerData, RareStringData,
};
use chromiumoxide::cdp::browser_protocol::performance::GetMetricsParams;
use chromiumoxide::Page;

use super::dom::{
    DocumentInfo, DomNode, DomSnapshot, NodeKind, ShadowKind, Style, CAPTURED_STYLES,
};
use crate::error::{Error, Result};
use crate::model::BBox;

/// Most DOM nodes (in the page's renderer, all frames and shadow roots) for which a snapshot is
/// taken. Chromium 156 takes about 0.1 ms per node with the captured styles (50,000 nodes: 5 s;
/// 100,000: 16 s, measured here) and the answer grows by about 100 bytes per node, so a page of
/// a million nodes would cost minutes and hundreds of megabytes. A larger page is refused at
/// once, as the timeout it would run into: an empty snapshot would read as "no dialog".
pub const MAX_SNAPSHOT_NODES: u64 = 100_000;
/// Longest wait for one snapshot.
pub const CAPTURE_TIMEOUT_MS: u64 = 15_000;

/// Captures the page as it is rendered now.
pub async fn capture(
    page: &Page,
    viewport_width: f64,
    viewport_height: f64,
) -> Result<DomSnapshot> {
    if let Some(nodes) = live_node_count(page).await {
        if nodes > MAX_SNAPSHOT_NODES {
            return Err(Error::Timeout {
                what: format!(
                    "a DOM snapshot of {nodes} nodes (more than {MAX_SNAPSHOT_NODES} cannot be \
                     captured in time)"
                ),
                timeout_ms: CAPTURE_TIMEOUT_MS,
            });
        }
    }
    let params = CaptureSnapshotParams::builder()
        .computed_styles(CAPTURED_STYLES.iter().map(|s| s.to_string()))
        .include_paint_order(true)
        .include_dom_rects(false)
        .build()
        .map_err(crate::error::Error::Protocol)?;
    let answer = tokio::time::timeout(
        Duration::from_millis(CAPTURE_TIMEOUT_MS),
        page.execute(params),
    )
    .await
    .map_err(|_| Error::Timeout {
        what: "a DOM snapshot".into(),
        timeout_ms: CAPTURE_TIMEOUT_MS,
    })??
    .result;
    Ok(convert(&answer, viewport_width, viewport_height))
}

/// The renderer's count of live DOM nodes (`Performance.getMetrics`, "Nodes"); each context has
/// its own renderer, so this is the page with its frames. `None` when it cannot be read.
async fn live_node_count(page: &Page) -> Option<u64> {
    let metrics = tokio::time::timeout(
        Duration::from_secs(3),
        page.execute(GetMetricsParams::default()),
    )
    .await
    .ok()?
    .ok()?
    .result
    .metrics;
    let nodes = metrics.iter().find(|m| m.name == "Nodes")?.value;
    (nodes.is_finite() && nodes >= 0.0).then_some(nodes as u64)
}

/// The pure part of [`capture`], kept separate so it can be tested on recorded answers.
pub fn convert(
    answer: &CaptureSnapshotReturns,
    viewport_width: f64,
    viewport_height: f64,
) -> DomSnapshot {
    let strings = &answer.strings;
    let string = |index: i64| -> String {
        usize::try_from(index)
            .ok()
            .and_then(|i| strings.get(i))
            .cloned()
            .unwrap_or_default()
    };
    let mut snapshot = DomSnapshot {
        viewport_width,
        viewport_height,
        ..DomSnapshot::default()
    };
    // Global id of each document's first node, and the iframe node owning each document.
    let mut first_node = Vec::with_capacity(answer.documents.len());
    let mut owner_of_document: HashMap<usize, usize> = HashMap::new();
    for (doc_index, doc) in answer.documents.iter().enumerate() {
        let offset = snapshot.nodes.len();
        first_node.push(offset);
        snapshot.documents.push(DocumentInfo {
            url: string(*doc.document_url.inner()),
            frame_id: string(*doc.frame_id.inner()),
            owner_node: None,
        });
        add_document_nodes(
            &mut snapshot,
            doc,
            doc_index,
            offset,
            &string,
            &mut owner_of_document,
        );
    }
    // Link each iframe to its content document, then place every box in viewport coordinates.
    for (&doc_index, &iframe) in &owner_of_document {
        if let Some(&root) = first_node.get(doc_index) {
            if root < snapshot.nodes.len() && iframe < snapshot.nodes.len() && root != iframe {
                snapshot.documents[doc_index].owner_node = Some(iframe);
                snapshot.nodes[iframe].children.push(root);
                snapshot.nodes[root].parent = Some(iframe);
            }
        }
    }
    place_boxes(&mut snapshot, answer);
    mark_shadow_membership(&mut snapshot);
    snapshot
}

fn add_document_nodes(
    snapshot: &mut DomSnapshot,
    doc: &DocumentSnapshot,
    doc_index: usize,
    offset: usize,
    string: &impl Fn(i64) -> String,
    owner_of_document: &mut HashMap<usize, usize>,
) {
    let nodes = &doc.nodes;
    let count = nodes.parent_index.as_ref().map_or(0, |p| p.len());
    let shadow_types = rare_strings(&nodes.shadow_root_type, string);
    let input_values = rare_strings(&nodes.input_value, string);
    let checked = rare_booleans(&nodes.input_checked);
    let clickable = rare_booleans(&nodes.is_clickable);
    let content_documents = rare_integers(&nodes.content_document_index);
    // Nodes inside user-agent shadow roots (an <input>'s inner editor, …) are internals: skipped.
    let mut skipped = vec![false; count];
    for i in 0..count {
        let parent = nodes
            .parent_index
            .as_ref()
            .and_then(|p| p.get(i))
            .copied()
            .unwrap_or(-1);
        let parent_local = usize::try_from(parent).ok().filter(|&p| p < count);
        let is_ua_shadow = shadow_types.get(&i).map(String::as_str) == Some("user-agent");
        if is_ua_shadow || parent_local.is_some_and(|p| skipped[p]) {
            skipped[i] = true;
        }
        let node_type = nodes
            .node_type
            .as_ref()
            .and_then(|t| t.get(i))
            .copied()
            .unwrap_or(0);
        let name = nodes
            .node_name
            .as_ref()
            .and_then(|n| n.get(i))
            .map(|s| string(*s.inner()))
            .unwrap_or_default();
        let kind = match node_type {
            1 => NodeKind::Element,
            3 => NodeKind::Text,
            9 => NodeKind::Document,
            11 if shadow_types.contains_key(&i) => NodeKind::ShadowRoot,
            _ => NodeKind::Other,
        };
        let mut attrs = BTreeMap::new();
        if let Some(list) = nodes.attributes.as_ref().and_then(|a| a.get(i)) {
            for pair in list.inner().chunks(2) {
                if let [name, value] = pair {
                    attrs.insert(
                        string(*name.inner()).to_ascii_lowercase(),
                        string(*value.inner()),
                    );
                }
            }
        }
        let text = match kind {
            NodeKind::Text => nodes
                .node_value
                .as_ref()
                .and_then(|v| v.get(i))
                .map(|s| string(*s.inner())),
            _ => input_values.get(&i).cloned(),
        };
        let id = offset + i;
        if let Some(&content_doc) = content_documents.get(&i) {
            if let Ok(content_doc) = usize::try_from(content_doc) {
                owner_of_document.insert(content_doc, id);
            }
        }
        let parent_global = parent_local.filter(|_| !skipped[i]).map(|p| offset + p);
        snapshot.nodes.push(DomNode {
            id,
            parent: parent_global,
            children: Vec::new(),
            backend_node_id: nodes
                .backend_node_id
                .as_ref()
                .and_then(|b| b.get(i))
                .map(|b| *b.inner())
                .unwrap_or(0),
            document: doc_index,
            kind,
            tag: match kind {
                NodeKind::Element => name.to_ascii_lowercase(),
                NodeKind::Text => "#text".into(),
                NodeKind::ShadowRoot => "#shadow-root".into(),
                NodeKind::Document => "#document".into(),
                NodeKind::Other => name.to_ascii_lowercase(),
            },
            attrs,
            text,
            bbox: None,
            style: Style::default(),
            shadow_root_kind: match shadow_types.get(&i).map(String::as_str) {
                Some("open") => Some(ShadowKind::Open),
                Some("closed") => Some(ShadowKind::Closed),
                _ => None,
            },
            in_shadow: None,
            // Only checked inputs are listed; unchecked ones get `false` below.
            checked: checked.get(i).copied().filter(|&c| c),
            is_clickable: clickable.get(i).copied().unwrap_or(false),
            paint_order: None,
        });
        if let Some(p) = parent_global {
            snapshot.nodes[p].children.push(id);
        }
    }
    // Unchecked checkboxes: the snapshot lists only the checked ones, so fill in `false`.
    for i in 0..count {
        let node = &mut snapshot.nodes[offset + i];
        let is_toggle_input = node.tag == "input"
            && matches!(
                node.attrs
                    .get("type")
                    .map(|t| t.to_ascii_lowercase())
                    .as_deref(),
                Some("checkbox") | Some("radio")
            );
        if is_toggle_input && node.checked.is_none() {
            node.checked = Some(false);
        }
        if !is_toggle_input {
            node.checked = None;
        }
    }
}

/// Moves layout boxes from each document's coordinates into the top-level viewport's.
fn place_boxes(snapshot: &mut DomSnapshot, answer: &CaptureSnapshotReturns) {
    let strings = &answer.strings;
    let mut offsets = vec![(0.0f64, 0.0f64); answer.documents.len()];
    let mut first_node = 0usize;
    // Documents come parents-first, so each iframe's own box is placed before its content.
    for (doc_index, doc) in answer.documents.iter().enumerate() {
        let scroll_x = doc.scroll_offset_x.unwrap_or(0.0);
        let scroll_y = doc.scroll_offset_y.unwrap_or(0.0);
        if let Some(iframe) = snapshot.documents[doc_index].owner_node {
            if let Some(b) = snapshot.nodes[iframe].bbox {
                let border =
                    parse_px(&snapshot.nodes[iframe].style.border_top_width).unwrap_or(0.0);
                offsets[doc_index] = (b.x + border, b.y + border);
            }
        }
        let (dx, dy) = offsets[doc_index];
        let layout = &doc.layout;
        for (j, node_index) in layout.node_index.iter().enumerate() {
            let Some(id) = usize::try_from(*node_index).ok().map(|n| first_node + n) else {
                continue;
            };
            let Some(node) = snapshot.nodes.get_mut(id) else {
                continue;
            };
            if let Some(rect) = layout.bounds.get(j) {
                let r = rect.inner();
                if r.len() == 4 {
                    node.bbox = Some(BBox {
                        x: r[0] - scroll_x + dx,
                        y: r[1] - scroll_y + dy,
                        width: r[2],
                        height: r[3],
                    });
                }
            }
            if let Some(styles) = layout.styles.get(j) {
                let value = |k: usize| -> String {
                    styles
                        .inner()
                        .get(k)
                        .and_then(|s| usize::try_from(*s.inner()).ok())
                        .and_then(|i| strings.get(i))
                        .cloned()
                        .unwrap_or_default()
                };
                node.style = Style {
                    display: value(0),
                    visibility: value(1),
                    position: value(2),
                    z_index: value(3),
                    opacity: value(4),
                    color: value(5),
                    background_color: value(6),
                    background_image: value(7),
                    font_size: value(8),
                    font_weight: value(9),
                    text_decoration_line: value(10),
                    border_top_width: value(11),
                    border_top_style: value(12),
                    border_top_color: value(13),
                    cursor: value(14),
                    pointer_events: value(15),
                };
            }
            node.paint_order = layout.paint_orders.as_ref().and_then(|p| p.get(j)).copied();
        }
        first_node += doc.nodes.parent_index.as_ref().map_or(0, |p| p.len());
    }
}

/// Records, for every node, the kind of the nearest shadow root it lives in.
fn mark_shadow_membership(snapshot: &mut DomSnapshot) {
    // Parents precede children in index order within a document, and iframe roots are linked to
    // earlier nodes, so one pass in index order suffices except across documents; a second
    // pass settles those.
    for _ in 0..2 {
        for id in 0..snapshot.nodes.len() {
            let inherited = snapshot.nodes[id].parent.and_then(|p| {
                let parent = &snapshot.nodes[p];
                parent.shadow_root_kind.or(parent.in_shadow)
            });
            snapshot.nodes[id].in_shadow = inherited;
        }
    }
}

fn rare_strings(
    data: &Option<RareStringData>,
    string: &impl Fn(i64) -> String,
) -> HashMap<usize, String> {
    data.as_ref()
        .map(|d| {
            d.index
                .iter()
                .zip(&d.value)
                .filter_map(|(i, v)| Some((usize::try_from(*i).ok()?, string(*v.inner()))))
                .collect()
        })
        .unwrap_or_default()
}

fn rare_booleans(data: &Option<RareBooleanData>) -> Vec<bool> {
    let mut out = Vec::new();
    if let Some(d) = data {
        for &i in &d.index {
            if let Ok(i) = usize::try_from(i) {
                if i < 10_000_000 {
                    if out.len() <= i {
                        out.resize(i + 1, false);
                    }
                    out[i] = true;
                }
            }
        }
    }
    out
}

fn rare_integers(data: &Option<RareIntegerData>) -> HashMap<usize, i64> {
    data.as_ref()
        .map(|d| {
            d.index
                .iter()
                .zip(&d.value)
                .filter_map(|(i, v)| Some((usize::try_from(*i).ok()?, *v)))
                .collect()
        })
        .unwrap_or_default()
}

/// `"12px"` → 12.0.
pub fn parse_px(value: &str) -> Option<f64> {
    value.trim().strip_suffix("px")?.trim().parse().ok()
}
