//! The result document, schema version 1 (see `docs/schema/site-report.v1.json`).
//!
//! These types are the contract that tools outside this repository read: fields may be added,
//! none renamed or removed without raising [`SCHEMA_VERSION`]. Every stage of the pipeline writes
//! into one part of a [`SiteReport`]; nothing here knows how it was measured.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Version of the result document's schema. Raised only when a field is renamed or removed.
pub const SCHEMA_VERSION: u32 = 1;

/// The result of evaluating one site: everything observed, measured and judged.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SiteReport {
    pub schema_version: u32,
    /// The URL exactly as the caller gave it.
    pub url: String,
    /// Where the first visit ended after redirects; `null` when the page never loaded.
    pub final_url: Option<String>,
    pub status: Status,
    pub error: Option<ErrorInfo>,
    pub provenance: Provenance,
    pub banner: Option<Banner>,
    /// `null` when there was no dialog to answer (or exploring was switched off).
    pub click_paths: Option<ClickPaths>,
    pub phases: Phases,
    pub findings: Vec<Finding>,
    pub metrics: Metrics,
    /// HTTP status of the main document of the first visit.
    #[serde(default)]
    pub http_status: Option<u16>,
    /// Title of the page at the end of the first visit.
    #[serde(default)]
    pub title: Option<String>,
    /// File name (relative to the artifacts folder) of the first visit's viewport screenshot.
    #[serde(default)]
    pub screenshot: Option<String>,
    /// Statements on the page or in the dialog that visitors are anonymous, or similar.
    #[serde(default)]
    pub claims: Vec<Claim>,
    /// Consent state the site stored after each answer (cookies, localStorage, TCF, Consent Mode).
    #[serde(default)]
    pub consent_state: Option<ConsentStates>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Error,
}

/// A failure of the whole evaluation, as data: `kind` is a stable lower-case id.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ErrorInfo {
    pub kind: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Provenance {
    pub tool_version: String,
    pub browser_version: Option<String>,
    pub user_agent: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub viewport: Viewport,
    pub locale: String,
    pub third_party_cookies: ThirdPartyCookies,
    pub tracker_lists: Vec<TrackerList>,
    /// IANA time zone presented to the page.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Whether `navigator.webdriver` read false in the page, as in a person's browser.
    #[serde(default)]
    pub webdriver_hidden: Option<bool>,
    /// Every argument the browser was started with (the methodology of this run).
    #[serde(default)]
    pub browser_args: Vec<String>,
    #[serde(default)]
    pub timeout_ms: u64,
    #[serde(default)]
    pub settle_ms: u64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct Viewport {
    pub width: u32,
    pub height: u32,
    pub device_scale_factor: f64,
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport {
            width: 1366,
            height: 768,
            device_scale_factor: 1.0,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ThirdPartyCookies {
    Allowed,
    Blocked,
}

/// One tracker list used for matching, identified by its content hash.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TrackerList {
    pub name: String,
    pub sha256: String,
    pub rules: usize,
}

/// A rectangle in CSS pixels of the top-level viewport.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub struct BBox {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl BBox {
    pub fn area(&self) -> f64 {
        self.width.max(0.0) * self.height.max(0.0)
    }

    pub fn center(&self) -> (f64, f64) {
        (self.x + self.width / 2.0, self.y + self.height / 2.0)
    }

    pub fn contains(&self, other: &BBox) -> bool {
        other.x >= self.x - 0.5
            && other.y >= self.y - 0.5
            && other.x + other.width <= self.x + self.width + 0.5
            && other.y + other.height <= self.y + self.height + 0.5
    }

    pub fn intersects(&self, other: &BBox) -> bool {
        self.x < other.x + other.width
            && other.x < self.x + self.width
            && self.y < other.y + other.height
            && other.y < self.y + self.height
    }
}

/// The consent dialog as found and measured on the first layer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Banner {
    /// Lower-case id of the consent platform behind the dialog: from a known CMP's container
    /// or frame (`found_by` `"cmp"`), or, for a dialog found by the heuristic, from a known CMP's
    /// script on the page; `null` when no known CMP is recognised.
    pub cmp: Option<String>,
    pub text: String,
    /// ISO 639-1 code of the dialog's language, when recognised.
    pub language: Option<String>,
    pub bbox: BBox,
    /// URL of the frame that holds the dialog (the top-level page or an iframe).
    pub frame_url: Option<String>,
    /// File name (relative to the artifacts folder) of the dialog's screenshot.
    pub screenshot: Option<String>,
    pub buttons: Vec<Button>,
    pub checkboxes: Vec<Checkbox>,
    /// File name of the screenshot annotated with each button's box, role and contrast.
    #[serde(default)]
    pub annotated_screenshot: Option<String>,
    /// `"open"` or `"closed"` when the dialog lives in a shadow root.
    #[serde(default)]
    pub shadow_root: Option<String>,
    /// How it was found: `"cmp"` (a known signature) or `"heuristic"`.
    #[serde(default)]
    pub found_by: Option<String>,
    /// Milliseconds after `load` at which the dialog was first seen.
    #[serde(default)]
    pub appeared_after_ms: Option<u64>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ButtonRole {
    AcceptAll,
    RejectAll,
    Settings,
    Save,
    Close,
    Other,
}

impl ButtonRole {
    pub fn as_str(&self) -> &'static str {
        match self {
            ButtonRole::AcceptAll => "accept_all",
            ButtonRole::RejectAll => "reject_all",
            ButtonRole::Settings => "settings",
            ButtonRole::Save => "save",
            ButtonRole::Close => "close",
            ButtonRole::Other => "other",
        }
    }
}

/// A button or clickable link of the dialog, with what a visitor sees of it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Button {
    pub role: ButtonRole,
    pub text: String,
    pub bbox: BBox,
    pub area_px: f64,
    pub font_size_px: Option<f64>,
    pub font_weight: Option<u32>,
    pub is_link_styled: bool,
    /// WCAG 2.1 ratio of the label against the button, measured from the screenshot's pixels.
    pub text_contrast: Option<f64>,
    /// WCAG 2.1 ratio of the button against the dialog around it, from pixels.
    pub background_contrast: Option<f64>,
    pub css_color: Option<String>,
    pub css_background: Option<String>,
    /// Why the pixel and CSS readings disagree (gradient, image, transparency), when they do.
    pub contrast_note: Option<String>,
    /// WCAG ratio computed from the CSS colours alone.
    #[serde(default)]
    pub css_text_contrast: Option<f64>,
    #[serde(default)]
    pub tag: Option<String>,
    #[serde(default)]
    pub aria_label: Option<String>,
}

/// A purpose checkbox or toggle switch, with its state before the visitor acts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Checkbox {
    pub label: String,
    pub checked: bool,
    pub disabled: bool,
    /// 1 = the dialog's first screen, 2 = the settings layer, …
    pub layer: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ClickPaths {
    pub accept: ClickPath,
    pub reject: ClickPath,
}

/// The shortest sequence of actions found that reaches one answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ClickPath {
    /// Number of actions (toggles count); `null` when no way was found.
    pub clicks: Option<u32>,
    pub steps: Vec<ClickStep>,
    pub succeeded: bool,
    pub dismissed_banner: bool,
    /// Why the path failed, when it did.
    #[serde(default)]
    pub failure: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ClickStep {
    /// `"click"`, `"toggle"` or `"dismiss"`.
    pub action: String,
    pub text: String,
    pub role: ButtonRole,
    /// The layer the element was on (1 = first screen).
    #[serde(default)]
    pub layer: Option<u32>,
    /// Where the click landed, in CSS pixels of the viewport.
    #[serde(default)]
    pub point: Option<(f64, f64)>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Phases {
    pub before_consent: Option<Phase>,
    pub after_accept: Option<Phase>,
    pub after_reject: Option<Phase>,
}

impl Phases {
    /// The observed phases with their names, in pipeline order.
    pub fn iter(&self) -> impl Iterator<Item = (PhaseName, &Phase)> {
        [
            (PhaseName::BeforeConsent, self.before_consent.as_ref()),
            (PhaseName::AfterAccept, self.after_accept.as_ref()),
            (PhaseName::AfterReject, self.after_reject.as_ref()),
        ]
        .into_iter()
        .filter_map(|(name, phase)| phase.map(|p| (name, p)))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (PhaseName, &mut Phase)> {
        [
            (PhaseName::BeforeConsent, self.before_consent.as_mut()),
            (PhaseName::AfterAccept, self.after_accept.as_mut()),
            (PhaseName::AfterReject, self.after_reject.as_mut()),
        ]
        .into_iter()
        .filter_map(|(name, phase)| phase.map(|p| (name, p)))
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum PhaseName {
    BeforeConsent,
    AfterAccept,
    AfterReject,
}

impl PhaseName {
    pub fn as_str(&self) -> &'static str {
        match self {
            PhaseName::BeforeConsent => "before_consent",
            PhaseName::AfterAccept => "after_accept",
            PhaseName::AfterReject => "after_reject",
        }
    }
}

/// Everything the browser did during one phase of the evaluation.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Phase {
    pub requests: Vec<Request>,
    pub cookies: Vec<Cookie>,
    pub events: Vec<TrackerEvent>,
    #[serde(default)]
    pub websocket_frames: Vec<WebSocketFrame>,
    /// Top-level navigations, in order, each with its redirect chain.
    #[serde(default)]
    pub navigations: Vec<Navigation>,
    /// localStorage entries of the top-level origin at the end of the phase.
    #[serde(default)]
    pub local_storage: BTreeMap<String, String>,
    /// JavaScript dialogs (`alert`, `confirm`, `beforeunload`) the page opened, and how they were answered.
    #[serde(default)]
    pub js_dialogs: Vec<JsDialog>,
    /// Uncaught exceptions and console errors the page produced (at most 50).
    #[serde(default)]
    pub page_errors: Vec<String>,
    /// Whether the consent dialog was showing again after the reload in this phase.
    #[serde(default)]
    pub banner_reappeared: Option<bool>,
}

/// What part of a phase a request or navigation belongs to.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// The first page load (or, after an answer, the time right after the click).
    #[default]
    Load,
    /// The answer click(s) and what they triggered.
    Answer,
    /// Reloading the page after the answer.
    Reload,
    /// Opening one same-site subpage after the answer.
    Subpage,
}

/// One network request, with its response when there was one.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Request {
    pub url: String,
    pub method: String,
    /// DevTools resource type in lower case: `document`, `script`, `image`, `xhr`, `fetch`, `ping`, …
    pub resource_type: String,
    pub frame_url: Option<String>,
    /// Who started it: the script URL, `"parser"` for markup, or the initiator type.
    pub initiator: Option<String>,
    /// Whether the request's host lies outside the site's registrable domain.
    pub third_party: bool,
    /// The request body as text (UTF-8, lossy for binary bodies; see `post_data_base64`).
    pub post_data: Option<String>,
    pub tracker: Option<TrackerMatch>,
    /// The body as base64 when it was not valid UTF-8 (gzip, protobuf).
    #[serde(default)]
    pub post_data_base64: Option<String>,
    /// `Content-Type` of the request, which tells decoders how to read the body.
    #[serde(default)]
    pub content_type: Option<String>,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub mime_type: Option<String>,
    /// `Set-Cookie` header lines of the response.
    #[serde(default)]
    pub set_cookie: Vec<String>,
    /// Network error text when the request failed.
    #[serde(default)]
    pub failure: Option<String>,
    /// URL of the request this one was redirected from.
    #[serde(default)]
    pub redirected_from: Option<String>,
    /// Milliseconds since the phase started.
    #[serde(default)]
    pub time_ms: f64,
    #[serde(default)]
    pub step: Step,
}

impl Request {
    /// The raw body bytes, whichever way they were stored.
    pub fn body_bytes(&self) -> Option<Vec<u8>> {
        use base64::Engine;
        if let Some(b64) = &self.post_data_base64 {
            return base64::engine::general_purpose::STANDARD.decode(b64).ok();
        }
        self.post_data.as_ref().map(|s| s.as_bytes().to_vec())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TrackerMatch {
    /// Vendor name from the catalogue, or the request's registrable domain for list-only matches.
    pub vendor: String,
    pub entity: Option<String>,
    pub category: String,
    /// `"catalogue"`, or `"list:<name>:<rule>"` for a list rule.
    pub matched_by: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Cookie {
    pub name: String,
    pub domain: String,
    pub path: String,
    /// Expiry as Unix seconds; `null` for a session cookie.
    pub expires: Option<f64>,
    pub third_party: bool,
    pub http_only: bool,
    pub secure: bool,
    pub same_site: Option<String>,
    /// Vendor that sets this cookie name, from the catalogue.
    pub vendor: Option<String>,
    #[serde(default)]
    pub value: String,
    /// CHIPS partition key (the top-level site), when the cookie is partitioned.
    #[serde(default)]
    pub partition_key: Option<String>,
    /// Whether the cookie holds an identifier used for tracking (from the catalogue).
    #[serde(default)]
    pub is_identifier: bool,
    /// What the cookie is for, from the catalogue (`advertising`, `analytics`, `consent`, …).
    #[serde(default)]
    pub category: Option<String>,
}

/// One thing a tracking pixel told its vendor, decoded from the request.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct TrackerEvent {
    pub vendor: String,
    pub request_url: String,
    /// Event name (`PageView`, `page_view`, `AddToCart`, …).
    pub event: Option<String>,
    /// The page URL the pixel reported.
    pub page_url: Option<String>,
    /// Decoded custom data (cart contents, values, titles, search strings).
    pub data: Map<String, Value>,
    /// Names of hashed personal data fields sent (`em`, `ph`, `fn`, …).
    pub user_data_fields: Vec<String>,
    /// Identifiers: pixel or property id, client id, click id, …
    pub ids: BTreeMap<String, String>,
    /// Which wire fields carried what: `{"page_url": ["dl"], "event": ["ev"], "data": [...], "user_data": [...]}`.
    #[serde(default)]
    pub fields: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub referrer: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    /// Google Consent Mode state the request carried (`gcs`, `gcd`).
    #[serde(default)]
    pub consent_mode: BTreeMap<String, String>,
    #[serde(default)]
    pub step: Step,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WebSocketFrame {
    pub url: String,
    /// `"sent"` or `"received"`.
    pub direction: String,
    pub payload: String,
    #[serde(default)]
    pub opcode: Option<u8>,
    #[serde(default)]
    pub time_ms: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Navigation {
    pub url: String,
    pub status: Option<u16>,
    /// URLs this navigation was redirected through, in order.
    pub redirects: Vec<String>,
    #[serde(default)]
    pub step: Step,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JsDialog {
    /// `alert`, `confirm`, `prompt` or `beforeunload`.
    pub kind: String,
    pub message: String,
    pub accepted: bool,
}

/// A statement in the page or dialog about anonymity or not collecting personal data.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claim {
    /// What is claimed: `anonymous`, `no_personal_data`, `no_tracking`, …
    pub kind: String,
    /// The phrase that matched.
    pub phrase: String,
    /// The sentence around it, as the page wrote it.
    pub context: String,
    pub language: Option<String>,
    /// `"page"` or `"banner"`.
    pub source: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ConsentStates {
    pub after_accept: Option<ConsentState>,
    pub after_reject: Option<ConsentState>,
}

/// What the site stored to remember an answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ConsentState {
    /// Cookies the answer created or changed: name → value.
    pub cookies_changed: BTreeMap<String, String>,
    /// localStorage entries the answer created or changed.
    pub local_storage_changed: BTreeMap<String, String>,
    /// The IAB TCF consent string from `__tcfapi('getTCData')`, when the page has one.
    pub tc_string: Option<String>,
    /// Purposes with consent in the TC string.
    pub tcf_purposes: Vec<u32>,
    /// Vendors with consent in the TC string.
    pub tcf_vendors: Vec<u32>,
    /// Google Consent Mode states seen in requests after the answer (`gcs` values).
    pub consent_mode: Vec<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
}

/// One problem, with the evidence that proves it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Finding {
    /// Stable id from the finding catalogue (`tracker-before-consent`, …).
    pub id: String,
    pub severity: Severity,
    /// One plain sentence.
    pub summary: String,
    pub evidence: Vec<Evidence>,
    /// Legal basis and guidance, as short references.
    #[serde(default)]
    pub basis: Vec<String>,
}

/// A pointer at the proof of a finding.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    Request {
        phase: PhaseName,
        url: String,
        vendor: Option<String>,
        /// Decoded fields that matter here (e.g. `{"ev": "AddToCart"}`).
        #[serde(default)]
        fields: Map<String, Value>,
    },
    Cookie {
        phase: PhaseName,
        name: String,
        domain: String,
        vendor: Option<String>,
    },
    Button {
        role: ButtonRole,
        text: String,
        bbox: BBox,
        /// The measurements that matter here (`text_contrast`, `area_px`, …).
        #[serde(default)]
        measures: Map<String, Value>,
    },
    Step {
        path: String,
        index: usize,
        action: String,
        text: String,
    },
    Checkbox {
        label: String,
        checked: bool,
        layer: u32,
    },
    Term {
        phase: PhaseName,
        category: String,
        term: String,
        /// Where the term was found (`page_url`, `data.content_name`, `title`, …).
        field: String,
        value: String,
        url: String,
        vendor: Option<String>,
    },
    Claim {
        phrase: String,
        context: String,
        source: String,
    },
    Note {
        text: String,
    },
}

/// Flat numbers for tables; every field is `null` when it could not be measured.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Metrics {
    pub clicks_to_accept: Option<u32>,
    pub clicks_to_reject: Option<u32>,
    pub reject_to_accept_area_ratio: Option<f64>,
    pub accept_text_contrast: Option<f64>,
    pub reject_text_contrast: Option<f64>,
    pub trackers_before_consent: Option<u32>,
    pub trackers_after_accept: Option<u32>,
    pub trackers_after_reject: Option<u32>,
    pub tracker_requests_before_consent: Option<u32>,
    pub cookies_before_consent: Option<u32>,
    pub cookies_after_accept: Option<u32>,
    pub cookies_after_reject: Option<u32>,
    pub identifier_cookies_before_consent: Option<u32>,
    pub identifier_cookies_after_reject: Option<u32>,
    pub requests_before_consent: Option<u32>,
    pub third_party_requests_before_consent: Option<u32>,
    pub events_before_consent: Option<u32>,
    pub findings: Option<u32>,
    pub duration_ms: Option<u64>,
}
