//! Records everything a page does on the network while it is observed: requests (with bodies),
//! responses (with `Set-Cookie`), failures, redirects, WebSocket frames sent, JavaScript dialogs
//! (answered so that they cannot stall the visit) and renderer crashes.
//!
//! Events arrive on separate DevTools streams and are merged by request id, so their relative
//! order does not matter.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use base64::Engine;
use chromiumoxide::cdp::browser_protocol::inspector::EventTargetCrashed;
use chromiumoxide::cdp::browser_protocol::log::{EventEntryAdded, LogEntryLevel};
use chromiumoxide::cdp::browser_protocol::network::{
    EventLoadingFailed, EventLoadingFinished, EventRequestWillBeSent, EventResponseReceived,
    EventResponseReceivedExtraInfo, EventWebSocketCreated, EventWebSocketFrameSent,
    GetRequestPostDataParams, Headers, RequestId,
};
use chromiumoxide::cdp::browser_protocol::page::{
    DialogType, EventFrameNavigated, EventJavascriptDialogOpening, EventLoadEventFired,
    HandleJavaScriptDialogParams,
};
use chromiumoxide::cdp::js_protocol::runtime::EventExceptionThrown;
use chromiumoxide::Page;
use futures::stream::{BoxStream, SelectAll};
use futures::StreamExt;
use tokio::sync::futures::Notified;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::error::Result;
use crate::model::{JsDialog, Navigation, Request, Step, WebSocketFrame};

/// Most requests kept per phase: a page that floods the network cannot exhaust memory.
const MAX_REQUESTS: usize = 20_000;
/// Most WebSocket frames kept per phase, and the longest payload kept of each.
const MAX_WS_FRAMES: usize = 2_000;
const MAX_WS_PAYLOAD: usize = 64 * 1024;
/// Most requests whose events are held while their request has not been read yet.
const MAX_EARLY_REQUESTS: usize = 1_000;
/// Most JavaScript dialogs answered and recorded (alert storms).
const MAX_JS_DIALOGS: usize = 50;
/// Most page errors (uncaught exceptions, console errors) recorded, and their longest text.
const MAX_PAGE_ERRORS: usize = 50;
const MAX_PAGE_ERROR_CHARS: usize = 500;

/// What the recorder has seen so far.
#[derive(Default)]
struct State {
    requests: Vec<Recorded>,
    /// Request id → index of its latest entry in `requests` (a redirect starts a new entry).
    by_id: HashMap<RequestId, usize>,
    ws_urls: HashMap<RequestId, String>,
    ws_frames: Vec<WebSocketFrame>,
    js_dialogs: Vec<JsDialog>,
    page_errors: Vec<String>,
    step: Step,
    in_flight: usize,
    last_activity: Option<Instant>,
    load_events: usize,
    /// Documents committed in the top-level frame (error pages not counted).
    commits: usize,
    /// When the last JavaScript dialog was answered.
    last_dialog: Option<Instant>,
    crashed: bool,
    dropped_requests: usize,
    /// Events about requests not yet seen, kept until their request arrives: the recorder reads
    /// one stream per event type, and a response can be read before its request.
    early: HashMap<RequestId, Vec<Event>>,
}

/// A request with the bookkeeping needed until the phase ends.
struct Recorded {
    request: Request,
    request_id: RequestId,
    frame_id: Option<String>,
    has_post_data: bool,
    finished: bool,
}

pub struct Recorder {
    state: Arc<Mutex<State>>,
    /// Woken after every event the recorder takes in, so that waits for the page (load, quiet
    /// network) react at once instead of polling.
    changed: Arc<Notify>,
    task: JoinHandle<()>,
    page: Page,
    started: Instant,
}

enum Event {
    Request(Arc<EventRequestWillBeSent>),
    Response(Arc<EventResponseReceived>),
    ExtraInfo(Arc<EventResponseReceivedExtraInfo>),
    Finished(Arc<EventLoadingFinished>),
    Failed(Arc<EventLoadingFailed>),
    WsCreated(Arc<EventWebSocketCreated>),
    WsSent(Arc<EventWebSocketFrameSent>),
    Dialog(Arc<EventJavascriptDialogOpening>),
    Load,
    Committed(Arc<EventFrameNavigated>),
    Crashed,
    PageError(String),
}

impl Recorder {
    /// Starts recording on `page`. Call before navigating, so that nothing is missed.
    pub async fn start(page: &Page) -> Result<Recorder> {
        let mut events: SelectAll<BoxStream<'static, Event>> = SelectAll::new();
        events.push(
            page.event_listener::<EventRequestWillBeSent>()
                .await?
                .map(Event::Request)
                .boxed(),
        );
        events.push(
            page.event_listener::<EventResponseReceived>()
                .await?
                .map(Event::Response)
                .boxed(),
        );
        events.push(
            page.event_listener::<EventResponseReceivedExtraInfo>()
                .await?
                .map(Event::ExtraInfo)
                .boxed(),
        );
        events.push(
            page.event_listener::<EventLoadingFinished>()
                .await?
                .map(Event::Finished)
                .boxed(),
        );
        events.push(
            page.event_listener::<EventLoadingFailed>()
                .await?
                .map(Event::Failed)
                .boxed(),
        );
        events.push(
            page.event_listener::<EventWebSocketCreated>()
                .await?
                .map(Event::WsCreated)
                .boxed(),
        );
        events.push(
            page.event_listener::<EventWebSocketFrameSent>()
                .await?
                .map(Event::WsSent)
                .boxed(),
        );
        events.push(
            page.event_listener::<EventJavascriptDialogOpening>()
                .await?
                .map(Event::Dialog)
                .boxed(),
        );
        events.push(
            page.event_listener::<EventLoadEventFired>()
                .await?
                .map(|_| Event::Load)
                .boxed(),
        );
        events.push(
            page.event_listener::<EventExceptionThrown>()
                .await?
                .map(|e| Event::PageError(e.exception_details.text.clone()))
                .boxed(),
        );
        events.push(
            page.event_listener::<EventEntryAdded>()
                .await?
                .filter(|e| futures::future::ready(matches!(e.entry.level, LogEntryLevel::Error)))
                .map(|e| Event::PageError(e.entry.text.clone()))
                .boxed(),
        );
        events.push(
            page.event_listener::<EventFrameNavigated>()
                .await?
                .map(Event::Committed)
                .boxed(),
        );
        events.push(
            page.event_listener::<EventTargetCrashed>()
                .await?
                .map(|_| Event::Crashed)
                .boxed(),
        );
        let state = Arc::new(Mutex::new(State::default()));
        let started = Instant::now();
        let task_state = state.clone();
        let task_page = page.clone();
        let changed = Arc::new(Notify::new());
        let task_changed = changed.clone();
        let task = tokio::spawn(async move {
            while let Some(event) = events.next().await {
                if let Event::Dialog(dialog) = &event {
                    answer_dialog(&task_page, dialog, &task_state).await;
                } else {
                    let mut state = task_state.lock().unwrap_or_else(|e| e.into_inner());
                    state.apply(event, started);
                }
                task_changed.notify_waiters();
            }
        });
        Ok(Recorder {
            state,
            changed,
            task,
            page: page.clone(),
            started,
        })
    }

    /// Resolves at the next event the recorder takes in. Create it *before* looking at the
    /// recorder's state: an event that arrives between the look and the wait still wakes it.
    pub fn changed(&self) -> Notified<'_> {
        self.changed.notified()
    }

    /// Tags everything recorded from now on with `step`.
    pub fn set_step(&self, step: Step) {
        self.lock().step = step;
    }

    pub fn in_flight(&self) -> usize {
        self.lock().in_flight
    }

    /// Time of the last request start or end.
    pub fn last_activity(&self) -> Option<Instant> {
        self.lock().last_activity
    }

    pub fn load_events(&self) -> usize {
        self.lock().load_events
    }

    pub fn crashed(&self) -> bool {
        self.lock().crashed
    }

    /// Whether the renderer has crashed, or its crash is reported within `grace`.
    pub async fn crashes_within(&self, grace: std::time::Duration) -> bool {
        let give_up = tokio::time::Instant::now() + grace;
        loop {
            let changed = self.changed();
            if self.crashed() {
                return true;
            }
            if tokio::time::timeout_at(give_up, changed).await.is_err() {
                return self.crashed();
            }
        }
    }

    /// When the page last opened a JavaScript dialog (which the recorder answered): a page
    /// busy with dialogs is alive even when it answers nothing else.
    pub fn last_dialog(&self) -> Option<Instant> {
        self.lock().last_dialog
    }

    /// How many documents the top-level frame has committed so far (Chromium's error pages,
    /// `chrome-error://`, are not counted: they stand for a failed navigation).
    pub fn commits(&self) -> usize {
        self.lock().commits
    }

    /// The first failed top-level document request among those recorded after the first
    /// `since` requests: `(url, error text, HTTP status, MIME type)`.
    pub fn failed_main_document(
        &self,
        main_frame_id: &str,
        since: usize,
    ) -> Option<(String, String, Option<u16>, Option<String>)> {
        let state = self.lock();
        state.requests.get(since..)?.iter().find_map(|r| {
            let is_main_document = r.request.resource_type == "document"
                && r.frame_id.as_deref() == Some(main_frame_id);
            let failure = r.request.failure.as_ref().filter(|_| is_main_document)?;
            Some((
                r.request.url.clone(),
                failure.clone(),
                r.request.status,
                r.request.mime_type.clone(),
            ))
        })
    }

    pub fn request_count(&self) -> usize {
        self.lock().requests.len()
    }

    /// URL and status of the main frame's latest document request.
    pub fn main_document(&self, main_frame_id: &str) -> Option<(String, Option<u16>)> {
        let state = self.lock();
        state
            .requests
            .iter()
            .rev()
            .find(|r| {
                r.request.resource_type == "document"
                    && r.frame_id.as_deref() == Some(main_frame_id)
            })
            .map(|r| (r.request.url.clone(), r.request.status))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stops recording and hands over what was seen. Bodies that Chromium did not put into the
    /// events are fetched now, while the page still holds them.
    pub async fn finish(self, main_frame_id: Option<&str>) -> Recording {
        self.task.abort();
        let missing_bodies: Vec<(usize, RequestId)> = {
            let state = self.lock();
            state
                .requests
                .iter()
                .enumerate()
                .filter(|(_, r)| {
                    r.has_post_data
                        && r.request.post_data.is_none()
                        && r.request.post_data_base64.is_none()
                })
                .map(|(i, r)| (i, r.request_id.clone()))
                .take(200)
                .collect()
        };
        let mut bodies = Vec::new();
        // Each fetch may take 500 ms and all of them together 3 s: a hung page costs no more.
        let give_up = Instant::now() + std::time::Duration::from_secs(3);
        for (index, id) in missing_bodies {
            let left = give_up.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            let fetch = self.page.execute(GetRequestPostDataParams::new(id));
            let wait = left.min(std::time::Duration::from_millis(500));
            if let Ok(Ok(body)) = tokio::time::timeout(wait, fetch).await {
                bodies.push((index, body.result.post_data.into_bytes()));
            }
        }
        let mut state = std::mem::take(&mut *self.lock());
        for (index, bytes) in bodies {
            set_body(&mut state.requests[index].request, bytes);
        }
        let navigations = main_frame_id
            .map(|id| navigations(&state.requests, id))
            .unwrap_or_default();
        Recording {
            requests: state.requests.into_iter().map(|r| r.request).collect(),
            websocket_frames: state.ws_frames,
            js_dialogs: state.js_dialogs,
            page_errors: state.page_errors,
            navigations,
            crashed: state.crashed,
            dropped_requests: state.dropped_requests,
            duration_ms: self.started.elapsed().as_millis() as u64,
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What one recording produced.
#[derive(Debug, Default)]
pub struct Recording {
    pub requests: Vec<Request>,
    pub websocket_frames: Vec<WebSocketFrame>,
    pub js_dialogs: Vec<JsDialog>,
    /// Uncaught exceptions and console errors of the page (CSP violations among them).
    pub page_errors: Vec<String>,
    pub navigations: Vec<Navigation>,
    pub crashed: bool,
    pub dropped_requests: usize,
    pub duration_ms: u64,
}

impl State {
    fn apply(&mut self, event: Event, started: Instant) {
        let about = match &event {
            Event::Response(e) => Some(&e.request_id),
            Event::ExtraInfo(e) => Some(&e.request_id),
            Event::Finished(e) => Some(&e.request_id),
            Event::Failed(e) => Some(&e.request_id),
            _ => None,
        };
        if let Some(id) = about.filter(|id| !self.by_id.contains_key(*id)) {
            if self.early.contains_key(id) || self.early.len() < MAX_EARLY_REQUESTS {
                self.early.entry(id.clone()).or_default().push(event);
            }
            return;
        }
        let request_id = match &event {
            Event::Request(e) => Some(e.request_id.clone()),
            _ => None,
        };
        self.apply_in_order(event, started);
        if let Some(held) = request_id.and_then(|id| self.early.remove(&id)) {
            for event in held {
                self.apply_in_order(event, started);
            }
        }
    }

    fn apply_in_order(&mut self, event: Event, started: Instant) {
        let now = Instant::now();
        let time_ms = now.duration_since(started).as_secs_f64() * 1000.0;
        match event {
            Event::Request(e) => {
                self.last_activity = Some(now);
                let mut redirected_from = None;
                if let (Some(response), Some(&index)) =
                    (&e.redirect_response, self.by_id.get(&e.request_id))
                {
                    // A redirect: the earlier entry ends here with the redirect's response.
                    let previous = &mut self.requests[index];
                    previous.request.status = u16::try_from(response.status).ok();
                    previous.request.mime_type = Some(response.mime_type.clone());
                    previous.finished = true;
                    redirected_from = Some(previous.request.url.clone());
                    self.in_flight = self.in_flight.saturating_sub(1);
                }
                if self.requests.len() >= MAX_REQUESTS {
                    self.dropped_requests += 1;
                    return;
                }
                let request = &e.request;
                let mut recorded = Request {
                    url: match &request.url_fragment {
                        Some(fragment) => format!("{}{}", request.url, fragment),
                        None => request.url.clone(),
                    },
                    method: request.method.clone(),
                    resource_type: e
                        .r#type
                        .as_ref()
                        .map(|t| t.as_ref().to_ascii_lowercase())
                        .unwrap_or_else(|| "other".into()),
                    frame_url: (!e.document_url.is_empty()).then(|| e.document_url.clone()),
                    initiator: initiator_of(&e),
                    content_type: header(&request.headers, "content-type"),
                    redirected_from,
                    time_ms,
                    step: self.step,
                    ..Request::default()
                };
                if let Some(entries) = &request.post_data_entries {
                    let bytes: Vec<u8> = entries
                        .iter()
                        .filter_map(|entry| entry.bytes.as_ref())
                        .flat_map(|b| {
                            base64::engine::general_purpose::STANDARD
                                .decode(AsRef::<str>::as_ref(b))
                                .unwrap_or_default()
                        })
                        .collect();
                    if !bytes.is_empty() {
                        set_body(&mut recorded, bytes);
                    }
                }
                self.by_id.insert(e.request_id.clone(), self.requests.len());
                self.requests.push(Recorded {
                    request: recorded,
                    request_id: e.request_id.clone(),
                    frame_id: e.frame_id.as_ref().map(|f| f.as_ref().to_string()),
                    has_post_data: request.has_post_data == Some(true),
                    finished: false,
                });
                self.in_flight += 1;
            }
            Event::Response(e) => {
                if let Some(r) = self.entry(&e.request_id) {
                    r.request.status = u16::try_from(e.response.status).ok();
                    r.request.mime_type = Some(e.response.mime_type.clone());
                }
            }
            Event::ExtraInfo(e) => {
                if let Some(r) = self.entry(&e.request_id) {
                    r.request.set_cookie = set_cookie_lines(&e.headers);
                    if r.request.status.is_none() {
                        r.request.status = u16::try_from(e.status_code).ok();
                    }
                }
            }
            Event::Finished(e) => self.end(&e.request_id, None, now),
            Event::Failed(e) => self.end(&e.request_id, Some(e.error_text.clone()), now),
            Event::WsCreated(e) => {
                self.ws_urls.insert(e.request_id.clone(), e.url.clone());
            }
            Event::WsSent(e) => {
                if self.ws_frames.len() < MAX_WS_FRAMES {
                    let mut payload = e.response.payload_data.clone();
                    truncate_at_char_boundary(&mut payload, MAX_WS_PAYLOAD);
                    self.ws_frames.push(WebSocketFrame {
                        url: self.ws_urls.get(&e.request_id).cloned().unwrap_or_default(),
                        direction: "sent".into(),
                        payload,
                        opcode: u8::try_from(e.response.opcode as i64).ok(),
                        time_ms,
                    });
                }
            }
            Event::Load => self.load_events += 1,
            Event::PageError(mut text) => {
                if self.page_errors.len() < MAX_PAGE_ERRORS {
                    truncate_at_char_boundary(&mut text, MAX_PAGE_ERROR_CHARS);
                    self.page_errors.push(text);
                }
            }
            Event::Committed(e) => {
                let is_top = e.frame.parent_id.is_none();
                if is_top && !e.frame.url.starts_with("chrome-error:") {
                    self.commits += 1;
                }
            }
            Event::Crashed => self.crashed = true,
            Event::Dialog(_) => {}
        }
    }

    fn entry(&mut self, id: &RequestId) -> Option<&mut Recorded> {
        let index = *self.by_id.get(id)?;
        self.requests.get_mut(index)
    }

    fn end(&mut self, id: &RequestId, failure: Option<String>, now: Instant) {
        self.last_activity = Some(now);
        let mut ended = false;
        if let Some(r) = self.entry(id) {
            if !r.finished {
                r.finished = true;
                r.request.failure = failure;
                ended = true;
            }
        }
        if ended {
            self.in_flight = self.in_flight.saturating_sub(1);
        }
    }
}

/// Answers a JavaScript dialog the way a visitor who wants to get on would, and records it.
async fn answer_dialog(page: &Page, dialog: &EventJavascriptDialogOpening, state: &Mutex<State>) {
    let kind = dialog.r#type.as_ref().to_ascii_lowercase();
    // Accept alerts, confirms and "leave page?" prompts; a prompt gets its default text.
    let mut params = HandleJavaScriptDialogParams::new(true);
    if matches!(dialog.r#type, DialogType::Prompt) {
        params.prompt_text = dialog.default_prompt.clone();
    }
    // A dialog left open blocks the page, and everything read from it, for good, so an answer
    // that fails is sent again for a few seconds: one that times out (a busy browser), and one
    // refused with "Not attached to an active page", which Chromium says while the page is
    // between two documents (a dialog opened as a reload or a navigation starts). "No dialog is
    // showing" means the dialog is gone, which is what the answer is for.
    let give_up = Instant::now() + std::time::Duration::from_secs(4);
    loop {
        let answer = page.execute(params.clone());
        let outcome = tokio::time::timeout(std::time::Duration::from_secs(2), answer).await;
        let answered = match &outcome {
            Ok(Ok(_)) => true,
            Ok(Err(error)) => error.to_string().contains("No dialog is showing"),
            Err(_) => false,
        };
        if answered || Instant::now() >= give_up {
            break;
        }
        if outcome.is_ok() {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
    state.last_dialog = Some(Instant::now());
    if state.js_dialogs.len() < MAX_JS_DIALOGS {
        let mut message = dialog.message.clone();
        truncate_at_char_boundary(&mut message, 2_000);
        state.js_dialogs.push(JsDialog {
            kind,
            message,
            accepted: true,
        });
    }
}

fn initiator_of(e: &EventRequestWillBeSent) -> Option<String> {
    let initiator = &e.initiator;
    initiator
        .url
        .clone()
        .filter(|u| !u.is_empty())
        .or_else(|| {
            initiator.stack.as_ref().and_then(|stack| {
                stack
                    .call_frames
                    .iter()
                    .map(|f| f.url.clone())
                    .find(|u| !u.is_empty())
            })
        })
        .or_else(|| Some(initiator.r#type.as_ref().to_ascii_lowercase()))
}

fn header(headers: &Headers, name: &str) -> Option<String> {
    headers.inner().as_object().and_then(|map| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_str().map(String::from))
    })
}

/// `Set-Cookie` lines of a response; DevTools joins repeated headers with newlines.
fn set_cookie_lines(headers: &Headers) -> Vec<String> {
    header(headers, "set-cookie")
        .map(|v| {
            v.lines()
                .map(String::from)
                .filter(|l| !l.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Stores a body as text when it is UTF-8, else as base64 (gzip, protobuf).
fn set_body(request: &mut Request, bytes: Vec<u8>) {
    match String::from_utf8(bytes) {
        Ok(text) => request.post_data = Some(text),
        Err(e) => {
            request.post_data_base64 =
                Some(base64::engine::general_purpose::STANDARD.encode(e.as_bytes()))
        }
    }
}

fn truncate_at_char_boundary(s: &mut String, max: usize) {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
}

/// Top-level navigations with their redirect chains, from the main frame's document requests.
fn navigations(requests: &[Recorded], main_frame_id: &str) -> Vec<Navigation> {
    let mut out: Vec<Navigation> = Vec::new();
    let mut chain: Vec<String> = Vec::new();
    for r in requests.iter().filter(|r| {
        r.request.resource_type == "document" && r.frame_id.as_deref() == Some(main_frame_id)
    }) {
        if r.request.redirected_from.is_none() {
            chain.clear();
        }
        let is_redirect = matches!(r.request.status, Some(300..=399));
        if is_redirect {
            chain.push(r.request.url.clone());
            continue;
        }
        out.push(Navigation {
            url: r.request.url.clone(),
            status: r.request.status,
            redirects: std::mem::take(&mut chain),
            step: r.request.step,
        });
    }
    if !chain.is_empty() {
        // A chain that never ended (a redirect loop, a timeout): record where it got to.
        out.push(Navigation {
            url: chain.last().cloned().unwrap_or_default(),
            status: None,
            redirects: chain,
            step: requests.last().map(|r| r.request.step).unwrap_or_default(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_char_boundaries() {
        let mut s = "ææææ".to_string(); // 2 bytes each
        truncate_at_char_boundary(&mut s, 3);
        assert_eq!(s, "æ");
    }

    #[test]
    fn binary_bodies_are_kept_as_base64() {
        let mut r = Request::default();
        set_body(&mut r, vec![0x1f, 0x8b, 0xff, 0x00]);
        assert!(r.post_data.is_none());
        assert_eq!(r.body_bytes(), Some(vec![0x1f, 0x8b, 0xff, 0x00]));
        let mut r = Request::default();
        set_body(&mut r, b"ev=PageView".to_vec());
        assert_eq!(r.post_data.as_deref(), Some("ev=PageView"));
    }

    /// A protocol event from its JSON, as Chromium sends it.
    fn event<T: serde::de::DeserializeOwned>(json: serde_json::Value) -> Arc<T> {
        Arc::new(serde_json::from_value(json).expect("a valid protocol event"))
    }

    fn request_will_be_sent(id: &str, url: &str) -> Event {
        Event::Request(event(serde_json::json!({
            "requestId": id, "loaderId": "L", "documentURL": "https://site.test/",
            "request": {"url": url, "method": "GET", "headers": {},
                        "initialPriority": "High", "referrerPolicy": "no-referrer"},
            "timestamp": 1.0, "wallTime": 1.0, "initiator": {"type": "other"},
            "redirectHasExtraInfo": false, "type": "Image", "frameId": "F"
        })))
    }

    fn response_received(id: &str, url: &str, status: u16) -> Event {
        Event::Response(event(serde_json::json!({
            "requestId": id, "loaderId": "L", "timestamp": 1.1, "type": "Image", "frameId": "F",
            "hasExtraInfo": false,
            "response": {"url": url, "status": status, "statusText": "", "headers": {},
                         "mimeType": "image/gif", "charset": "", "connectionReused": false,
                         "connectionId": 1.0, "encodedDataLength": 43.0,
                         "securityState": "secure"}
        })))
    }

    fn loading_finished(id: &str) -> Event {
        Event::Finished(event(serde_json::json!({
            "requestId": id, "timestamp": 1.2, "encodedDataLength": 43.0
        })))
    }

    #[test]
    fn a_response_read_before_its_request_is_kept_for_it() {
        let started = Instant::now();
        let mut state = State::default();
        let pixel = "https://tracker.test/p.gif";
        // The response and the end of the load come first, as they can when the recorder
        // reads them from their own streams; then the request, then an unrelated one in order.
        state.apply(response_received("1", pixel, 204), started);
        state.apply(loading_finished("1"), started);
        assert!(state.requests.is_empty());
        state.apply(request_will_be_sent("1", pixel), started);
        state.apply(request_will_be_sent("2", "https://site.test/a.js"), started);
        state.apply(
            response_received("2", "https://site.test/a.js", 200),
            started,
        );

        let first = &state.requests[0];
        assert_eq!(first.request.status, Some(204));
        assert_eq!(first.request.mime_type.as_deref(), Some("image/gif"));
        assert!(first.finished, "the held end of the load was applied");
        assert_eq!(state.requests[1].request.status, Some(200));
        assert!(!state.requests[1].finished);
        assert_eq!(
            state.in_flight, 1,
            "only the second request is still loading"
        );
        assert!(state.early.is_empty());
    }
}
