//! Stage 1, visit: open a URL in an isolated context, record everything it does, and stop when
//! the page has settled.

pub mod dom;
pub mod page;
pub mod recorder;
pub mod site;
pub mod snapshot;
pub mod target;

use std::time::{Duration, Instant};

use chromiumoxide::cdp::browser_protocol::page::NavigateParams;

use crate::browser::{Browser, Context};
use crate::error::{Error, Result};
use crate::model::{Cookie, Phase, Step};
pub use recorder::{Recorder, Recording};

/// How long to wait for what. All in milliseconds.
#[derive(Debug, Clone, Copy)]
pub struct VisitOptions {
    /// Longest wait for the main document's response and the `load` event.
    pub timeout_ms: u64,
    /// Longest wait for the network to go quiet after `load`.
    pub settle_ms: u64,
    /// The network counts as quiet after this long with at most two requests in flight.
    pub idle_ms: u64,
}

impl Default for VisitOptions {
    fn default() -> Self {
        VisitOptions {
            timeout_ms: 30_000,
            settle_ms: 5_000,
            idle_ms: 500,
        }
    }
}

/// How long a failed command waits for the renderer's crash event that may explain it.
const CRASH_EVENT_GRACE: Duration = Duration::from_millis(300);

/// How long a failed document request waits for its response's event (status, MIME type).
const RESPONSE_AFTER_FAILURE: Duration = Duration::from_millis(200);

/// How a navigation ended.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub main_frame_id: String,
    /// Whether `load` fired before the timeout (a page can be usable without it).
    pub load_fired: bool,
}

/// Navigates the context's page to `url` and waits for `load`, at most `timeout_ms` in all.
///
/// A navigation that fails at the network level is an error of its kind; an HTTP error page is
/// a page like any other. A page that commits but never fires `load` (a hanging image, a
/// slow-loris server, a script that keeps navigating) is observed as far as it got:
/// [`Loaded::load_fired`] is false. Only a navigation that commits nothing within the time is a
/// timeout.
///
/// chromiumoxide answers `Page.navigate` only after `load`, so the answer is not waited for:
/// the recorder's events say when the document committed, failed, or its renderer crashed.
pub async fn navigate(
    context: &Context,
    recorder: &Recorder,
    url: &str,
    options: &VisitOptions,
) -> Result<Loaded> {
    let started = Instant::now();
    let deadline = started + Duration::from_millis(options.timeout_ms);
    let loads_before = recorder.load_events();
    let commits_before = recorder.commits();
    let requests_before = recorder.request_count();
    let main_frame_id = main_frame_id(&context.page).await;
    let navigate = context.page.execute(NavigateParams::new(url));
    tokio::pin!(navigate);
    // Until the document commits: the answer, a failed document request, or a crash. Woken by
    // the recorder's events, not by a timer.
    loop {
        let changed = recorder.changed();
        if recorder.crashed() {
            return Err(Error::RendererCrashed);
        }
        if recorder.commits() > commits_before {
            break;
        }
        if let Some(mut failure) = recorder.failed_main_document(&main_frame_id, requests_before) {
            // The response's event can come just after the failure's: wait a moment for it.
            let give_up = tokio::time::Instant::now() + RESPONSE_AFTER_FAILURE;
            while failure.2.is_none() {
                let changed = recorder.changed();
                if let Some(newer) = recorder.failed_main_document(&main_frame_id, requests_before)
                {
                    failure = newer;
                }
                if failure.2.is_some() || tokio::time::timeout_at(give_up, changed).await.is_err() {
                    break;
                }
            }
            let (_, error_text, status, mime_type) = failure;
            return Err(not_a_page(url, &error_text, status, mime_type.as_deref()));
        }
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(Error::Timeout {
                what: format!("loading {url}"),
                timeout_ms: options.timeout_ms,
            });
        }
        let tick = tokio::time::sleep(remaining);
        tokio::select! {
            answer = &mut navigate => {
                // chromiumoxide answers after `load`, or with the error of a failed navigation.
                let answer = match answer {
                    Ok(answer) => answer.result,
                    // A crashed renderer fails the command too; the crash's own event, which
                    // says what happened, can be read a moment after the answer.
                    Err(_) if recorder.crashes_within(CRASH_EVENT_GRACE).await => {
                        return Err(Error::RendererCrashed)
                    }
                    Err(error) => return Err(error.into()),
                };
                if let Some(error_text) = answer.error_text.filter(|e| !e.is_empty()) {
                    return Err(Error::from_net_error(url, &error_text));
                }
                return Ok(Loaded { main_frame_id, load_fired: true });
            }
            () = changed => {}
            () = tick => {}
        }
    }
    let mut load_fired = false;
    loop {
        let changed = recorder.changed();
        if recorder.crashed() {
            return Err(Error::RendererCrashed);
        }
        if recorder.load_events() > loads_before {
            load_fired = true;
            break;
        }
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() || tokio::time::timeout(remaining, changed).await.is_err() {
            break;
        }
    }
    Ok(Loaded {
        main_frame_id,
        load_fired,
    })
}

/// The id of the page's top-level frame (which is its target id in Chromium).
async fn main_frame_id(page: &chromiumoxide::Page) -> String {
    match page.mainframe().await {
        Ok(Some(frame_id)) => frame_id.as_ref().to_string(),
        _ => page.target_id().as_ref().to_string(),
    }
}

/// The error for a top-level document request that failed before anything committed.
/// `net::ERR_ABORTED` there means Chromium decided the response is not a page to show: a
/// download (an attachment, a type it does not render) or a response without content (204).
fn not_a_page(url: &str, error_text: &str, status: Option<u16>, mime_type: Option<&str>) -> Error {
    if error_text.contains("ERR_ABORTED") {
        let status = status.map_or_else(|| "no status".to_string(), |s| format!("HTTP {s}"));
        let mime_type = mime_type.filter(|m| !m.is_empty()).unwrap_or("no type");
        return Error::Navigation {
            url: url.to_string(),
            message: format!(
                "{error_text}: the response ({status}, {mime_type}) is not a page \
                 (a download, or no content)"
            ),
        };
    }
    Error::from_net_error(url, error_text)
}

/// Waits until the network is quiet (at most two requests in flight for `idle_ms`), or
/// `settle_ms` have passed, whichever comes first.
pub async fn settle(recorder: &Recorder, options: &VisitOptions) -> Result<()> {
    let started = Instant::now();
    let max = Duration::from_millis(options.settle_ms);
    let idle = Duration::from_millis(options.idle_ms);
    let mut quiet_since: Option<Instant> = None;
    // Woken by the recorder's events and by the moment the quiet period would be over.
    while started.elapsed() < max {
        let changed = recorder.changed();
        if recorder.crashed() {
            return Err(Error::RendererCrashed);
        }
        let now = Instant::now();
        let wake = if recorder.in_flight() <= 2 {
            let since = *quiet_since.get_or_insert(now);
            let last = recorder.last_activity().unwrap_or(since).max(since);
            if now.duration_since(last) >= idle {
                return Ok(());
            }
            last + idle
        } else {
            quiet_since = None;
            started + max
        };
        let wake = wake.min(started + max);
        let _ = tokio::time::timeout(wake.saturating_duration_since(now), changed).await;
    }
    Ok(())
}

/// Cookies of the context, as the result document describes them.
pub async fn cookies(
    browser: &Browser,
    context: &Context,
    site_domain: &str,
) -> Result<Vec<Cookie>> {
    let raw = browser.cookies(context).await?;
    Ok(raw
        .into_iter()
        .map(|c| Cookie {
            third_party: !site::same_site(&c.domain, site_domain),
            expires: (!c.session && c.expires > 0.0).then_some(c.expires),
            same_site: c.same_site.as_ref().map(|s| s.as_ref().to_string()),
            partition_key: c.partition_key.as_ref().map(|k| k.top_level_site.clone()),
            name: c.name,
            domain: c.domain,
            path: c.path,
            http_only: c.http_only,
            secure: c.secure,
            value: c.value,
            ..Cookie::default()
        })
        .collect())
}

/// Assembles a phase from a finished recording and the state read at its end.
pub fn phase_from(recording: Recording, cookies: Vec<Cookie>, site_domain: &str) -> Phase {
    let mut requests = recording.requests;
    for request in &mut requests {
        request.third_party = site::is_third_party(&request.url, site_domain);
    }
    Phase {
        requests,
        cookies,
        events: Vec::new(),
        websocket_frames: recording.websocket_frames,
        navigations: recording.navigations,
        local_storage: Default::default(),
        js_dialogs: recording.js_dialogs,
        page_errors: recording.page_errors,
        banner_reappeared: None,
    }
}

/// A page loaded, settled and answering, its recorder still running.
pub struct Landing {
    pub main_frame_id: String,
    /// The URL and HTTP status of the main frame's last document.
    pub main_document: Option<(String, Option<u16>)>,
}

/// Everything the first visit yields before the dialog is touched.
pub struct FirstVisit {
    pub final_url: Option<String>,
    pub http_status: Option<u16>,
    pub title: Option<String>,
    pub page_text: String,
    pub screenshot: Option<Vec<u8>>,
    pub site_domain: String,
    pub main_frame_id: String,
}

/// Loads `url` in `context` with a recorder attached, waits until the network settles and
/// checks that the page answers. The recorder is handed back still running so that later
/// stages (the dialog, clicks) can go on recording into it.
pub async fn land(
    context: &Context,
    url: &str,
    options: &VisitOptions,
) -> Result<(Landing, Recorder)> {
    let recorder = Recorder::start(&context.page).await?;
    recorder.set_step(Step::Load);
    let loaded = navigate(context, &recorder, url, options).await?;
    settle(&recorder, options).await?;
    check_responsive(context, &recorder, url).await?;
    let landing = Landing {
        main_document: recorder.main_document(&loaded.main_frame_id),
        main_frame_id: loaded.main_frame_id,
    };
    Ok((landing, recorder))
}

/// Visits `url` in `context` and records the phase before any choice: [`land`], then the
/// page's URL, title, text and screenshot.
pub async fn first_visit(
    context: &Context,
    url: &str,
    options: &VisitOptions,
) -> Result<(FirstVisit, Recorder)> {
    let (landing, recorder) = land(context, url, options).await?;
    // The reads and the screenshot do not depend on each other: both at once.
    let (facts, screenshot) =
        tokio::join!(page::facts(&context.page), page::screenshot(&context.page));
    let main_document = landing.main_document;
    let final_url = facts
        .url
        .or_else(|| main_document.as_ref().map(|(u, _)| u.clone()));
    let site_domain = site::site_domain(final_url.as_deref().unwrap_or(url));
    let visit = FirstVisit {
        http_status: main_document.and_then(|(_, status)| status),
        title: facts.title,
        page_text: facts.text.unwrap_or_default(),
        screenshot: screenshot.ok(),
        final_url,
        site_domain,
        main_frame_id: landing.main_frame_id,
    };
    Ok((visit, recorder))
}

/// Fails when the page's main thread does not answer: a script that never yields (an infinite
/// loop) leaves nothing to observe, and every later read would wait out its own timeout. A page
/// that does not answer but is visibly at work (its requests keep starting and ending, or it
/// opens JavaScript dialogs, which the recorder answers) is busy rather than stuck: it is asked
/// again, up to [`RESPONSIVE_ATTEMPTS`] times.
async fn check_responsive(context: &Context, recorder: &Recorder, url: &str) -> Result<()> {
    for _ in 0..RESPONSIVE_ATTEMPTS {
        let asked = Instant::now();
        if page::responds(&context.page).await {
            return Ok(());
        }
        if recorder.crashed() {
            return Err(Error::RendererCrashed);
        }
        let at_work = recorder.last_dialog().is_some_and(|at| at >= asked)
            || recorder.last_activity().is_some_and(|at| at >= asked);
        if !at_work {
            break;
        }
    }
    Err(Error::Timeout {
        what: format!("{url}: the page's main thread (busy, or in a script that never yields)"),
        timeout_ms: page::RESPONSIVE_TIMEOUT_MS,
    })
}

/// How many times a page that is at work but does not answer is asked (each time waiting
/// [`page::RESPONSIVE_TIMEOUT_MS`]).
const RESPONSIVE_ATTEMPTS: usize = 3;

/// Ends a phase: stops the recorder and reads cookies and localStorage.
pub async fn end_phase(
    browser: &Browser,
    context: &Context,
    recorder: Recorder,
    main_frame_id: &str,
    site_domain: &str,
) -> Result<Phase> {
    let recording = recorder.finish(Some(main_frame_id)).await;
    if recording.crashed {
        return Err(Error::RendererCrashed);
    }
    // Two independent reads (the browser's cookie store, the page's storage): at the same time.
    let (cookies, local_storage) = tokio::join!(
        cookies(browser, context, site_domain),
        page::local_storage(&context.page)
    );
    let mut phase = phase_from(recording, cookies?, site_domain);
    phase.local_storage = local_storage;
    Ok(phase)
}
