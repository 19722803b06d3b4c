//! Small reads from a live page, each bounded in time: a hostile page (an infinite loop, a
//! patched prototype) can make them fail, never hang.

use std::collections::BTreeMap;
use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::page::{
    CaptureScreenshotFormat, CaptureScreenshotParams, Viewport as ClipViewport,
};
use chromiumoxide::cdp::js_protocol::runtime::EvaluateParams;
use chromiumoxide::Page;

use crate::error::{Error, Result};
use crate::model::BBox;

const READ_TIMEOUT: Duration = Duration::from_secs(3);

/// Evaluates an expression and returns its value as JSON, or `None` if it failed or took too long.
pub async fn evaluate_json(page: &Page, expression: &str) -> Option<serde_json::Value> {
    evaluate(page, expression, false).await
}

/// Like [`evaluate_json`], for an expression that gives a promise: its resolved value.
pub async fn evaluate_json_awaiting(page: &Page, expression: &str) -> Option<serde_json::Value> {
    evaluate(page, expression, true).await
}

async fn evaluate(page: &Page, expression: &str, await_promise: bool) -> Option<serde_json::Value> {
    let params = EvaluateParams::builder()
        .expression(expression)
        .return_by_value(true)
        .await_promise(await_promise)
        .timeout(chromiumoxide::cdp::js_protocol::runtime::TimeDelta::new(
            2_000.0,
        ))
        .build()
        .ok()?;
    let answer = tokio::time::timeout(READ_TIMEOUT, page.execute(params))
        .await
        .ok()?
        .ok()?
        .result;
    if answer.exception_details.is_some() {
        return None;
    }
    answer.result.value
}

async fn evaluate_string(page: &Page, expression: &str, max_chars: usize) -> Option<String> {
    let value = evaluate_json(page, expression).await?;
    let text = value.as_str()?;
    Some(text.chars().take(max_chars).collect())
}

pub async fn current_url(page: &Page) -> Option<String> {
    evaluate_string(page, "location.href", 8_192).await
}

pub async fn title(page: &Page) -> Option<String> {
    evaluate_string(page, "document.title", 1_000)
        .await
        .filter(|t| !t.is_empty())
}

/// The page's visible text (for claims such as "you are anonymous"), at most 200,000 characters.
pub async fn visible_text(page: &Page) -> Option<String> {
    evaluate_string(
        page,
        "document.body ? String(document.body.innerText).slice(0, 200000) : ''",
        200_000,
    )
    .await
}

/// localStorage of the top-level origin: at most 500 entries of at most 4 KiB each.
pub async fn local_storage(page: &Page) -> BTreeMap<String, String> {
    const READ: &str = r#"(() => { try {
        const out = {};
        const n = Math.min(localStorage.length, 500);
        for (let i = 0; i < n; i++) {
            const k = localStorage.key(i);
            out[String(k)] = String(localStorage.getItem(k)).slice(0, 4096);
        }
        return out;
    } catch (e) { return {}; } })()"#;
    evaluate_json(page, READ)
        .await
        .and_then(|v| v.as_object().cloned())
        .map(|map| {
            map.into_iter()
                .filter_map(|(k, v)| Some((k, v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// A PNG of the viewport.
pub async fn screenshot(page: &Page) -> Result<Vec<u8>> {
    capture(
        page,
        CaptureScreenshotParams::builder()
            .format(CaptureScreenshotFormat::Png)
            .build(),
    )
    .await
}

/// A PNG of one region of the viewport, rendered at `scale` image pixels per CSS pixel.
pub async fn screenshot_region(page: &Page, region: BBox, scale: f64) -> Result<Vec<u8>> {
    let clip = ClipViewport {
        x: region.x.max(0.0),
        y: region.y.max(0.0),
        width: region.width.max(1.0),
        height: region.height.max(1.0),
        scale,
    };
    capture(
        page,
        CaptureScreenshotParams::builder()
            .format(CaptureScreenshotFormat::Png)
            .clip(clip)
            .build(),
    )
    .await
}

async fn capture(page: &Page, params: CaptureScreenshotParams) -> Result<Vec<u8>> {
    use base64::Engine;
    let answer = tokio::time::timeout(Duration::from_secs(10), page.execute(params))
        .await
        .map_err(|_| Error::Timeout {
            what: "a screenshot".into(),
            timeout_ms: 10_000,
        })??;
    base64::engine::general_purpose::STANDARD
        .decode(AsRef::<str>::as_ref(&answer.result.data))
        .map_err(|e| Error::Protocol(format!("screenshot was not base64: {e}")))
}
