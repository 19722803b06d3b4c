//! The floor: the same Chromium, launched the same way, doing only the navigations and waits a
//! full evaluation needs, and nothing else: no recording, no DOM snapshots, no screenshots, no
//! decoding or judging.
//!
//! Per site, as the evaluation does: three visits at once, each in a fresh context. The visit
//! before consent navigates, settles and waits for the dialog; the accept and the reject visit
//! navigate and settle, wait for the first visit's verdict on the dialog (and stop when there is
//! none), then wait for the dialog, click the way to the answer, settle, reload, settle, watch for
//! the dialog coming back (as long as it took to show, plus `idle_ms`), open the subpage and
//! settle. The floor
//! knows each site's answer path in advance (`web.rs`), clicks from inside the page (one
//! protocol call per step) and waits on events, not timers, except for waits whose point is
//! that nothing happens (a dialog that never shows, one that does not come back).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chromiumoxide::cdp::browser_protocol::network::{
    EventLoadingFailed, EventLoadingFinished, EventRequestWillBeSent, RequestId,
};
use chromiumoxide::cdp::browser_protocol::page::{
    EventLoadEventFired, NavigateParams, ReloadParams,
};
use chromiumoxide::cdp::js_protocol::runtime::EvaluateParams;
use chromiumoxide::Page;
use consentlens::browser::Browser;
use consentlens::explore::{reappearance_watch_ms, FirstLook, FirstLookSender};
use futures::StreamExt;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::web::{Action, Site};
use crate::Settings;

/// How long a dialog may take to show its next layer after a click (`explore::LAYER_WAIT`).
const LAYER_WAIT_MS: u64 = 3_000;

/// What the floor did on one site, to compare with the evaluation.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct FloorSite {
    pub url: String,
    pub ok: bool,
    pub dialog_seen: bool,
    pub accept_done: bool,
    pub reject_done: bool,
    pub error: Option<String>,
}

pub async fn evaluate(browser: &Browser, site: &Site, settings: &Settings) -> FloorSite {
    let template = site.template();
    let mut outcome = FloorSite {
        url: site.url.clone(),
        ..FloorSite::default()
    };
    let (verdict, first_look) = FirstLook::channel();
    let (first, (accept, reject)) =
        tokio::join!(before_consent(browser, site, settings, verdict), async {
            tokio::join!(
                answer(browser, site, template.accept, settings, first_look.clone()),
                answer(browser, site, template.reject, settings, first_look.clone()),
            )
        });
    match first {
        Ok(seen) => outcome.dialog_seen = seen,
        Err(e) => {
            outcome.error = Some(e);
            return outcome;
        }
    }
    outcome.accept_done = accept.as_ref().is_ok_and(|&done| done);
    outcome.reject_done = reject.as_ref().is_ok_and(|&done| done);
    if let Some(e) = accept.err().or(reject.err()) {
        outcome.error = Some(e);
        return outcome;
    }
    outcome.ok = true;
    outcome
}

type Outcome<T> = std::result::Result<T, String>;

/// The visit before consent; whether the dialog showed, which it also tells the answer visits.
async fn before_consent(
    browser: &Browser,
    site: &Site,
    settings: &Settings,
    verdict: FirstLookSender,
) -> Outcome<bool> {
    let context = browser.new_context().await.map_err(|e| e.to_string())?;
    let outcome = async {
        let watch = Watch::start(&context.page).await?;
        navigate(&context.page, &watch, &site.url, settings).await?;
        let looking = Instant::now();
        let seen = wait_for_dialog(&context.page, site, settings.banner_wait_ms).await?;
        let took_ms = looking.elapsed().as_millis() as u64;
        verdict.tell(seen.then_some(took_ms));
        Ok(seen)
    }
    .await;
    browser.close_context(context).await;
    outcome
}

/// One answer in a fresh context; whether every step of its path could be taken.
async fn answer(
    browser: &Browser,
    site: &Site,
    path: &[Action],
    settings: &Settings,
    first_look: FirstLook,
) -> Outcome<bool> {
    let context = browser.new_context().await.map_err(|e| e.to_string())?;
    let outcome = async {
        let page = &context.page;
        let watch = Watch::start(page).await?;
        navigate(page, &watch, &site.url, settings).await?;
        let Some(first_took_ms) = first_look.dialog_after_ms().await else {
            return Ok(false);
        };
        let looking = Instant::now();
        if !wait_for_dialog(page, site, settings.banner_wait_ms).await? {
            return Ok(false);
        }
        let took_ms = looking.elapsed().as_millis() as u64;
        for action in path {
            let done = match action {
                Action::Click(text) => find_text(page, text, LAYER_WAIT_MS, true).await?,
                Action::UntickAll => untick_all(page).await?,
            };
            if !done {
                return Ok(false);
            }
        }
        watch.settle(settings).await;
        let loads = watch.loads();
        timed(settings.timeout_ms, page.execute(ReloadParams::default())).await?;
        watch.wait_load(loads, settings.timeout_ms).await;
        watch.settle(settings).await;
        let watch_ms = reappearance_watch_ms(
            took_ms.max(first_took_ms),
            settings.idle_ms,
            settings.banner_wait_ms,
        );
        wait_for_dialog(page, site, watch_ms).await?;
        if let Some(subpage) = site.template().subpage {
            let url = format!("{}{}", site.url.trim_end_matches('/'), subpage);
            navigate(page, &watch, &url, settings).await?;
        }
        Ok(true)
    }
    .await;
    browser.close_context(context).await;
    outcome
}

/// Navigates, waits for `load`, then for the network to settle.
async fn navigate(page: &Page, watch: &Watch, url: &str, settings: &Settings) -> Outcome<()> {
    let loads = watch.loads();
    let answer = timed(settings.timeout_ms, page.execute(NavigateParams::new(url))).await?;
    if let Some(error) = answer.result.error_text.filter(|e| !e.is_empty()) {
        return Err(format!("{url}: {error}"));
    }
    watch.wait_load(loads, settings.timeout_ms).await;
    watch.settle(settings).await;
    Ok(())
}

/// Waits until the site's dialog shows (its first accept button), at most `wait_ms`. A site
/// without a dialog is watched for the whole wait, as the evaluation does.
async fn wait_for_dialog(page: &Page, site: &Site, wait_ms: u64) -> Outcome<bool> {
    match site.template().accept.first() {
        Some(Action::Click(text)) => find_text(page, text, wait_ms, false).await,
        _ => {
            tokio::time::sleep(Duration::from_millis(wait_ms)).await;
            Ok(false)
        }
    }
}

async fn timed<T, E: std::fmt::Display>(
    timeout_ms: u64,
    future: impl std::future::Future<Output = std::result::Result<T, E>>,
) -> Outcome<T> {
    tokio::time::timeout(Duration::from_millis(timeout_ms), future)
        .await
        .map_err(|_| format!("no answer in {timeout_ms} ms"))?
        .map_err(|e| e.to_string())
}

/// Finds the visible button or link whose text is `text` (open shadow roots included), waiting
/// for it inside the page; clicks it when `click`. One protocol call.
const FIND_TEXT: &str = r#"(text, timeoutMs, click) => new Promise((resolve) => {
    const wanted = text.toLowerCase();
    const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
    const find = (root) => {
        for (const el of root.querySelectorAll('*')) {
            if (el.matches('button, a, [role=button]') && el.textContent.trim().toLowerCase() === wanted && visible(el)) return el;
            if (el.shadowRoot) { const inner = find(el.shadowRoot); if (inner) return inner; }
        }
        return null;
    };
    const deadline = performance.now() + timeoutMs;
    const look = () => {
        const el = find(document);
        if (el) { if (click) el.click(); resolve(true); return; }
        if (performance.now() >= deadline) { resolve(false); return; }
        setTimeout(look, 50);
    };
    look();
})"#;

/// Unticks every visible, ticked, enabled checkbox; true when there was one to untick.
const UNTICK_ALL: &str = r#"() => {
    let n = 0;
    for (const box of document.querySelectorAll('input[type=checkbox]')) {
        const r = box.getBoundingClientRect();
        const shown = r.width > 0 && r.height > 0 || (box.labels && box.labels.length > 0);
        if (box.checked && !box.disabled && shown) { box.click(); n++; }
    }
    return n > 0;
}"#;

async fn find_text(page: &Page, text: &str, timeout_ms: u64, click: bool) -> Outcome<bool> {
    let text = serde_json::to_string(text).map_err(|e| e.to_string())?;
    call(
        page,
        &format!("({FIND_TEXT})({text}, {timeout_ms}, {click})"),
    )
    .await
}

async fn untick_all(page: &Page) -> Outcome<bool> {
    call(page, &format!("({UNTICK_ALL})()")).await
}

async fn call(page: &Page, expression: &str) -> Outcome<bool> {
    let params = EvaluateParams::builder()
        .expression(expression)
        .await_promise(true)
        .return_by_value(true)
        .build()
        .map_err(|e| e.to_string())?;
    let answer = timed(30_000, page.execute(params)).await?;
    Ok(answer.result.result.value == Some(serde_json::Value::Bool(true)))
}

/// Requests in flight and `load` events of one page, from the protocol's events.
struct Watch {
    state: Arc<Mutex<NetState>>,
    changed: Arc<Notify>,
    task: JoinHandle<()>,
}

struct NetState {
    in_flight: HashSet<RequestId>,
    last_activity: Instant,
    loads: usize,
}

enum NetEvent {
    Started(RequestId),
    Ended(RequestId),
    Load,
}

impl Watch {
    async fn start(page: &Page) -> Outcome<Watch> {
        let e = |e: chromiumoxide::error::CdpError| e.to_string();
        let started = page
            .event_listener::<EventRequestWillBeSent>()
            .await
            .map_err(e)?
            .map(|ev| NetEvent::Started(ev.request_id.clone()));
        let finished = page
            .event_listener::<EventLoadingFinished>()
            .await
            .map_err(e)?
            .map(|ev| NetEvent::Ended(ev.request_id.clone()));
        let failed = page
            .event_listener::<EventLoadingFailed>()
            .await
            .map_err(e)?
            .map(|ev| NetEvent::Ended(ev.request_id.clone()));
        let loads = page
            .event_listener::<EventLoadEventFired>()
            .await
            .map_err(e)?
            .map(|_| NetEvent::Load);
        let mut events = futures::stream::select_all([
            started.boxed(),
            finished.boxed(),
            failed.boxed(),
            loads.boxed(),
        ]);
        let state = Arc::new(Mutex::new(NetState {
            in_flight: HashSet::new(),
            last_activity: Instant::now(),
            loads: 0,
        }));
        let changed = Arc::new(Notify::new());
        let (task_state, task_changed) = (state.clone(), changed.clone());
        let task = tokio::spawn(async move {
            while let Some(event) = events.next().await {
                {
                    let mut state = task_state.lock().unwrap_or_else(|e| e.into_inner());
                    match event {
                        NetEvent::Started(id) => {
                            state.in_flight.insert(id);
                            state.last_activity = Instant::now();
                        }
                        NetEvent::Ended(id) => {
                            state.in_flight.remove(&id);
                            state.last_activity = Instant::now();
                        }
                        NetEvent::Load => state.loads += 1,
                    }
                }
                task_changed.notify_waiters();
            }
        });
        Ok(Watch {
            state,
            changed,
            task,
        })
    }

    fn loads(&self) -> usize {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).loads
    }

    /// Waits for a `load` after the `before`-th, at most `timeout_ms`.
    async fn wait_load(&self, before: usize, timeout_ms: u64) {
        let deadline = tokio::time::Instant::now() + Duration::from_millis(timeout_ms);
        loop {
            let notified = self.changed.notified();
            if self.loads() > before {
                return;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return;
            }
        }
    }

    /// The evaluation's rule (`visit::settle`): quiet means at most two requests in flight for
    /// `idle_ms`; never longer than `settle_ms`. Woken by events and by the moment the quiet
    /// period would end, never by a polling timer.
    async fn settle(&self, settings: &Settings) {
        let deadline = tokio::time::Instant::now() + Duration::from_millis(settings.settle_ms);
        let idle = Duration::from_millis(settings.idle_ms);
        let mut quiet_since: Option<Instant> = None;
        loop {
            let notified = self.changed.notified();
            let (in_flight, last) = {
                let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
                (state.in_flight.len(), state.last_activity)
            };
            let now = Instant::now();
            let wake = if in_flight <= 2 {
                let since = *quiet_since.get_or_insert(now);
                let quiet_from = last.max(since);
                if now.duration_since(quiet_from) >= idle {
                    return;
                }
                tokio::time::Instant::from_std(quiet_from + idle).min(deadline)
            } else {
                quiet_since = None;
                deadline
            };
            if tokio::time::Instant::now() >= deadline {
                return;
            }
            tokio::select! {
                _ = notified => {}
                _ = tokio::time::sleep_until(wake) => {}
            }
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.task.abort();
    }
}
