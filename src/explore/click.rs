//! Clicking as a person would: with the mouse, at a point of the element that is really on top.
//! A button covered by another element is clicked where it shows; if no point of it shows, it is
//! clicked through the DOM as a last resort, and that is recorded.

use std::collections::HashSet;

use chromiumoxide::cdp::browser_protocol::dom::{
    BackendNodeId, GetNodeForLocationParams, ResolveNodeParams,
};
use chromiumoxide::cdp::browser_protocol::input::{
    DispatchMouseEventParams, DispatchMouseEventType, MouseButton,
};
use chromiumoxide::cdp::js_protocol::runtime::CallFunctionOnParams;
use chromiumoxide::Page;

use crate::error::{Error, Result};
use crate::model::BBox;
use crate::visit::dom::DomSnapshot;

/// How a click was delivered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Clicked {
    /// A real mouse click at this viewport point.
    AtPoint(f64, f64),
    /// No point of the element was on top; `element.click()` was called instead.
    ThroughDom,
}

/// Points tried, as fractions of the box: the centre first, then inwards from the corners.
const PROBES: &[(f64, f64)] = &[
    (0.5, 0.5),
    (0.25, 0.5),
    (0.75, 0.5),
    (0.5, 0.25),
    (0.5, 0.75),
    (0.15, 0.2),
    (0.85, 0.8),
];

/// Clicks node `id` of `snapshot` (which must describe the live page as it is now).
pub async fn click_node(page: &Page, snapshot: &DomSnapshot, id: usize) -> Result<Clicked> {
    let node = snapshot.node(id);
    let bbox = node.bbox.unwrap_or_default();
    // The element and everything inside it: a hit on its label's <span> is a hit on it.
    let own: HashSet<i64> = std::iter::once(id)
        .chain(snapshot.descendants(id))
        .map(|n| snapshot.node(n).backend_node_id)
        .collect();
    if let Some((x, y)) = visible_point(page, bbox, snapshot, &own).await {
        mouse_click(page, x, y).await?;
        return Ok(Clicked::AtPoint(x, y));
    }
    dom_click(page, node.backend_node_id).await?;
    Ok(Clicked::ThroughDom)
}

async fn visible_point(
    page: &Page,
    bbox: BBox,
    snapshot: &DomSnapshot,
    own: &HashSet<i64>,
) -> Option<(f64, f64)> {
    if bbox.width < 1.0 || bbox.height < 1.0 {
        return None;
    }
    for &(fx, fy) in PROBES {
        let (x, y) = (bbox.x + bbox.width * fx, bbox.y + bbox.height * fy);
        if x < 0.0 || y < 0.0 || x >= snapshot.viewport_width || y >= snapshot.viewport_height {
            continue;
        }
        let params = GetNodeForLocationParams::builder()
            .x(x.round() as i64)
            .y(y.round() as i64)
            .include_user_agent_shadow_dom(false)
            .ignore_pointer_events_none(true)
            .build()
            .ok()?;
        if let Ok(hit) = page.execute(params).await {
            if own.contains(hit.result.backend_node_id.inner()) {
                return Some((x, y));
            }
        }
    }
    None
}

async fn mouse_click(page: &Page, x: f64, y: f64) -> Result<()> {
    let event = |kind: DispatchMouseEventType| {
        DispatchMouseEventParams::builder()
            .r#type(kind)
            .x(x)
            .y(y)
            .button(MouseButton::Left)
            .click_count(1)
            .build()
            .map_err(Error::Protocol)
    };
    page.execute(event(DispatchMouseEventType::MouseMoved)?)
        .await?;
    page.execute(event(DispatchMouseEventType::MousePressed)?)
        .await?;
    page.execute(event(DispatchMouseEventType::MouseReleased)?)
        .await?;
    Ok(())
}

async fn dom_click(page: &Page, backend_node_id: i64) -> Result<()> {
    let object = page
        .execute(
            ResolveNodeParams::builder()
                .backend_node_id(BackendNodeId::new(backend_node_id))
                .build(),
        )
        .await?
        .result
        .object
        .object_id
        .ok_or_else(|| Error::Protocol("the element is gone".into()))?;
    page.execute(
        CallFunctionOnParams::builder()
            .function_declaration("function () { this.click(); }")
            .object_id(object)
            .user_gesture(true)
            .build()
            .map_err(Error::Protocol)?,
    )
    .await?;
    Ok(())
}
