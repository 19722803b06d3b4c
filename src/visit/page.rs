//! Small reads from a live page, each bounded in time: a hostile page (an infinite loop, a
//! patched prototype) can make them fail, never hang.

use std::collections::BTreeMap;
use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::page::{
    CaptureScreenshotFormat, CaptureScreenshotParams, CreateIsolatedWorldParams, FrameId,
    Viewport as ClipViewport,
};
use chromiumoxide::cdp::js_protocol::runtime::{EvaluateParams, ExecutionContextId};
use chromiumoxide::Page;

use crate::error::{Error, Result};
use crate::model::BBox;

const READ_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a page may take to answer "are you there?" before it counts as hung.
pub const RESPONSIVE_TIMEOUT_MS: u64 = 5_000;
/// Longest wait for a screenshot: a page that keeps navigating or never paints gives none.
const SCREENSHOT_TIMEOUT: Duration = Duration::from_secs(5);
/// The name of the JavaScript world the reads run in (it shows in DevTools' context list).
const WORLD_NAME: &str = "consentlens";

/// Evaluates an expression in an isolated world of the top-level frame and returns its value
/// as JSON, or `None` if it failed or took too long.
///
/// The isolated world has its own globals and DOM wrappers, as an extension's content script
/// does: a page that replaces `String.prototype.slice`, `JSON`, `Storage.prototype.getItem` or
/// the `document.title` getter cannot change what these reads see or make them unbounded.
pub async fn evaluate_json(page: &Page, expression: &str) -> Option<serde_json::Value> {
    tokio::time::timeout(READ_TIMEOUT, async {
        let context = isolated_world(page).await?;
        evaluate(page, expression, false, Some(context)).await
    })
    .await
    .ok()
    .flatten()
}

/// Like [`evaluate_json`], for an expression that gives a promise: its resolved value. It runs
/// in the page's own world, for reading what the page's scripts provide (`__tcfapi`); the page
/// decides what such a read returns, so its callers must bound what they keep.
pub async fn evaluate_json_awaiting(page: &Page, expression: &str) -> Option<serde_json::Value> {
    tokio::time::timeout(READ_TIMEOUT, evaluate(page, expression, true, None))
        .await
        .ok()
        .flatten()
}

/// Whether the page's main thread answers within [`RESPONSIVE_TIMEOUT_MS`]; false for a page
/// stuck in a script that never yields. Any answer counts, an error too: a page in the middle
/// of navigating answers "no such context", and that answer comes from its main thread.
pub async fn responds(page: &Page) -> bool {
    let ask = page.execute(EvaluateParams::new("1"));
    match tokio::time::timeout(Duration::from_millis(RESPONSIVE_TIMEOUT_MS), ask).await {
        Ok(Ok(_)) | Ok(Err(chromiumoxide::error::CdpError::Chrome(_))) => true,
        Ok(Err(_)) | Err(_) => false,
    }
}

/// A fresh isolated world in the current document of the top-level frame.
async fn isolated_world(page: &Page) -> Option<ExecutionContextId> {
    let frame_id = match page.mainframe().await {
        Ok(Some(frame_id)) => frame_id,
        _ => FrameId::new(page.target_id().as_ref()),
    };
    let params = CreateIsolatedWorldParams::builder()
        .frame_id(frame_id)
        .world_name(WORLD_NAME)
        .build()
        .ok()?;
    Some(page.execute(params).await.ok()?.result.execution_context_id)
}

async fn evaluate(
    page: &Page,
    expression: &str,
    await_promise: bool,
    context: Option<ExecutionContextId>,
) -> Option<serde_json::Value> {
    let mut params = EvaluateParams::builder()
        .expression(expression)
        .return_by_value(true)
        .await_promise(await_promise)
        .timeout(chromiumoxide::cdp::js_protocol::runtime::TimeDelta::new(
            2_000.0,
        ));
    if let Some(context) = context {
        params = params.context_id(context);
    }
    let answer = page.execute(params.build().ok()?).await.ok()?.result;
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
    evaluate_string(page, "String(location.href).slice(0, 8192)", 8_192).await
}

pub async fn title(page: &Page) -> Option<String> {
    evaluate_string(page, "String(document.title).slice(0, 1000)", 1_000)
        .await
        .filter(|t| !t.is_empty())
}

/// What the first visit reads from a settled page.
#[derive(Debug, Clone, Default)]
pub struct PageFacts {
    pub url: Option<String>,
    /// `None` when empty.
    pub title: Option<String>,
    pub text: Option<String>,
}

/// The page's URL, title and visible text (as [`current_url`], [`title`] and [`visible_text`]
/// read them) in one evaluation instead of three: each read costs an isolated world and an
/// evaluation, two round trips. If the joint read fails (a page so big that its text cannot be
/// read in time), the URL and title are read on their own.
pub async fn facts(page: &Page) -> PageFacts {
    const READ: &str = r#"({
        url: String(location.href).slice(0, 8192),
        title: String(document.title).slice(0, 1000),
        text: document.body ? String(document.body.innerText).slice(0, 200000) : ''
    })"#;
    let Some(value) = evaluate_json(page, READ).await else {
        return PageFacts {
            url: current_url(page).await,
            title: title(page).await,
            text: None,
        };
    };
    let field = |name: &str, max_chars: usize| -> Option<String> {
        let text = value.get(name)?.as_str()?;
        Some(text.chars().take(max_chars).collect())
    };
    PageFacts {
        url: field("url", 8_192),
        title: field("title", 1_000).filter(|t| !t.is_empty()),
        text: field("text", 200_000),
    }
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

/// localStorage of the top-level origin: at most 500 entries, keys cut at 1 KiB and values at
/// 4 KiB. Read as pairs, so that a key such as `__proto__` is an entry like any other.
pub async fn local_storage(page: &Page) -> BTreeMap<String, String> {
    const READ: &str = r#"(() => { try {
        const out = [];
        const n = Math.min(localStorage.length, 500);
        for (let i = 0; i < n; i++) {
            const k = localStorage.key(i);
            out.push([String(k).slice(0, 1024), String(localStorage.getItem(k)).slice(0, 4096)]);
        }
        return out;
    } catch (e) { return []; } })()"#;
    let Some(serde_json::Value::Array(pairs)) = evaluate_json(page, READ).await else {
        return BTreeMap::new();
    };
    pairs
        .iter()
        .filter_map(|pair| {
            let key = pair.get(0)?.as_str()?;
            let value = pair.get(1)?.as_str()?;
            Some((key.to_string(), value.to_string()))
        })
        .collect()
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

async fn capture(page: &Page, mut params: CaptureScreenshotParams) -> Result<Vec<u8>> {
    use base64::Engine;
    // Chromium's fast PNG settings: the same pixels (PNG is lossless), encoded in far less of
    // the renderer's time, for a somewhat larger file.
    params.optimize_for_speed = Some(true);
    let answer = tokio::time::timeout(SCREENSHOT_TIMEOUT, page.execute(params))
        .await
        .map_err(|_| Error::Timeout {
            what: "a screenshot".into(),
            timeout_ms: SCREENSHOT_TIMEOUT.as_millis() as u64,
        })??;
    base64::engine::general_purpose::STANDARD
        .decode(AsRef::<str>::as_ref(&answer.result.data))
        .map_err(|e| Error::Protocol(format!("screenshot was not base64: {e}")))
}
