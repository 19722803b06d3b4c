//! Explore: in a fresh context per answer, find the shortest way to "accept all" and to
//! "reject all", perform it as a visitor would (mouse clicks on what shows), then watch what the
//! site does: right after the answer, after a reload, and on one same-site subpage.
//!
//! The way is found greedily, layer by layer, which is the shortest path for the designs in
//! use: the goal's own button on the current layer (1 click); else, on a settings layer, the
//! purpose switches set as the goal wants and "save" (each switch counts); else open the
//! settings layer and look again. `max_depth` bounds the layer-changing clicks; switches are
//! bounded separately, since a settings screen can list dozens of purposes.

pub mod click;
pub mod tcf;

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::page::ReloadParams;
use futures::future::{self, Either};
use tokio::sync::watch;
use url::Url;

use crate::browser::{Browser, Context};
use crate::detect::wait::wait_for_dialog;
use crate::detect::walk::visible_text;
use crate::detect::{find_layer, DialogAnchor, DialogCandidate};
use crate::error::Result;
use crate::measure::checkboxes::is_checked;
use crate::measure::{measure_dialog, MeasuredDialog, MAX_BANNER_TEXT_CHARS};
use crate::model::{Banner, ButtonRole, Checkbox, ClickPath, ClickStep, ConsentState, Phase, Step};
use crate::visit::dom::DomSnapshot;
use crate::visit::{self, page, site, snapshot, Landing, Recorder, VisitOptions};
use click::{click_node, Clicked};

/// The answer being explored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goal {
    Accept,
    Reject,
}

impl Goal {
    fn role(self) -> ButtonRole {
        match self {
            Goal::Accept => ButtonRole::AcceptAll,
            Goal::Reject => ButtonRole::RejectAll,
        }
    }

    /// The state a purpose switch must end in for this answer.
    fn wants_checked(self) -> bool {
        self == Goal::Accept
    }

    fn name(self) -> &'static str {
        match self {
            Goal::Accept => "accept",
            Goal::Reject => "reject",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ExploreOptions {
    pub visit: VisitOptions,
    pub banner_wait_ms: u64,
    /// Most layer-changing clicks (opening settings, answering) on one path.
    pub max_depth: u32,
    /// Most purpose switches flipped on one settings layer.
    pub max_toggles: u32,
}

/// One explored answer.
#[derive(Debug, Clone, Default)]
pub struct Explored {
    pub path: ClickPath,
    /// What the site did after the answer (requests tagged answer / reload / subpage).
    pub phase: Option<Phase>,
    pub consent_state: Option<ConsentState>,
    /// The checkboxes and switches of the layers behind the first (layer ≥ 2), as they were
    /// when each layer opened, before the explorer flipped any: the first visit cannot see
    /// them, since a layer that is not open is not rendered.
    pub deeper_checkboxes: Vec<Checkbox>,
}

/// Adds the checkboxes the explorer found on deeper layers to the banner's (layer 1) list,
/// each once: the accept and the reject walk may both have opened the same layer.
pub fn add_deeper_checkboxes<'a>(
    banner: &mut Banner,
    explored: impl IntoIterator<Item = &'a Explored>,
) {
    for checkbox in explored.into_iter().flat_map(|e| &e.deeper_checkboxes) {
        let known = banner
            .checkboxes
            .iter()
            .any(|c| c.layer == checkbox.layer && c.label == checkbox.label);
        if !known {
            banner.checkboxes.push(checkbox.clone());
        }
    }
}

/// The verdict of the visit before consent on the dialog, shared with the answer visits that
/// load beside it: an answer is explored only when that visit saw a consent dialog.
///
/// The three visits of a site load at the same time, each in its own context; an answer visit
/// that has landed waits for the verdict, and one that is called off is dropped where it is.
/// Loading the answer visits during the first visit, instead of after it, saves a whole visit's
/// time per site (a context, a load and its settle) and costs a wasted load only on sites
/// without a dialog.
///
/// The verdict carries how long after settling the dialog showed, the best estimate of how long
/// this site's dialog takes: an answer visit may only look once the verdict is in, so its own
/// look cannot tell.
#[derive(Clone)]
pub struct FirstLook(watch::Receiver<Option<Verdict>>);

/// `Some(after_ms)`: the dialog showed `after_ms` after the page settled; `None`: no dialog.
type Verdict = Option<u64>;

/// The visit before consent's end of a [`FirstLook`]. Dropped without [`tell`] (that visit
/// failed), it calls the answers off.
///
/// [`tell`]: FirstLookSender::tell
pub struct FirstLookSender(watch::Sender<Option<Verdict>>);

impl FirstLook {
    pub fn channel() -> (FirstLookSender, FirstLook) {
        let (sender, receiver) = watch::channel(None);
        (FirstLookSender(sender), FirstLook(receiver))
    }

    /// A verdict that is already known: the dialog showed `dialog_after_ms` after the page
    /// settled, or not at all (`None`).
    pub fn known(dialog_after_ms: Option<u64>) -> FirstLook {
        FirstLook(watch::channel(Some(dialog_after_ms)).1)
    }

    /// How long after settling the first visit saw the dialog; `None` when it saw none, or
    /// failed before it could tell.
    pub async fn dialog_after_ms(mut self) -> Option<u64> {
        let verdict = self.0.wait_for(Option::is_some).await;
        verdict.ok().and_then(|verdict| verdict.flatten())
    }
}

impl FirstLookSender {
    /// Tells the answer visits when the dialog showed (`None`: it did not).
    pub fn tell(self, dialog_after_ms: Option<u64>) {
        // Nobody listening (exploring is off) is fine.
        let _ = self.0.send(Some(dialog_after_ms));
    }
}

/// Explores one answer in a fresh context of `browser`. `None` when `first_look` says there is
/// no dialog to answer.
pub async fn explore(
    browser: &Browser,
    url: &str,
    goal: Goal,
    options: &ExploreOptions,
    first_look: FirstLook,
) -> Result<Option<Explored>> {
    let context = browser.new_context().await?;
    let landed = if_confirmed(
        visit::land(&context, url, &options.visit),
        first_look.dialog_after_ms(),
    )
    .await;
    let outcome = match landed {
        None => Ok(None),
        Some((Err(error), _)) => Err(error),
        Some((Ok((landing, recorder)), first_after_ms)) => {
            let landed = Landed {
                landing,
                recorder,
                first_after_ms,
            };
            explore_in(browser, &context, url, landed, goal, options)
                .await
                .map(Some)
        }
    };
    browser.close_context(context).await;
    outcome
}

/// `work`'s outcome and what `go` said, when `go` comes out `Some`; `None` when it comes out
/// `None`, and then `work` is dropped as soon as that is known.
async fn if_confirmed<T, G>(
    work: impl Future<Output = T>,
    go: impl Future<Output = Option<G>>,
) -> Option<(T, G)> {
    let (work, go) = (std::pin::pin!(work), std::pin::pin!(go));
    match future::select(work, go).await {
        Either::Left((outcome, go)) => go.await.map(|said| (outcome, said)),
        Either::Right((Some(said), work)) => Some((work.await, said)),
        Either::Right((None, _)) => None,
    }
}

/// An answer visit that has loaded, with the first visit's word on when the dialog showed.
struct Landed {
    landing: Landing,
    recorder: Recorder,
    first_after_ms: u64,
}

async fn explore_in(
    browser: &Browser,
    context: &Context,
    url: &str,
    landed: Landed,
    goal: Goal,
    options: &ExploreOptions,
) -> Result<Explored> {
    let Landed {
        landing,
        recorder,
        first_after_ms,
    } = landed;
    let page = &context.page;
    let viewport = browser.viewport_css();
    let final_url = page::current_url(page)
        .await
        .or_else(|| landing.main_document.map(|(u, _)| u))
        .unwrap_or_else(|| url.to_string());
    let site_domain = site::site_domain(&final_url);
    let sighting = wait_for_dialog(page, viewport, options.banner_wait_ms).await?;
    let Some(dialog) = sighting.dialog else {
        return Ok(Explored {
            path: failed_path(Vec::new(), "no consent dialog appeared in this visit"),
            ..Explored::default()
        });
    };
    let cookies_before = cookie_values(browser, context).await;
    let storage_before = page::local_storage(page).await;

    let walk = walk_to_answer(
        page,
        &recorder,
        viewport,
        sighting.snapshot,
        dialog,
        goal,
        options,
    )
    .await;
    let deeper_checkboxes = walk.deeper_checkboxes.clone();
    let mut path = ClickPath {
        clicks: walk.answered.then(|| count(&walk.steps)),
        steps: walk.steps,
        succeeded: false,
        dismissed_banner: false,
        failure: walk.failure,
    };
    visit::settle(&recorder, &options.visit).await?;
    let after = snapshot::capture(page, viewport.0, viewport.1).await?;
    let dialog_gone = find_layer(&after, &walk.anchor).is_none();
    path.dismissed_banner = dialog_gone && !path.steps.is_empty();
    path.succeeded = walk.answered && dialog_gone;
    if walk.answered && !dialog_gone {
        path.failure = Some(format!(
            "the dialog was still showing after the {} click",
            goal.name()
        ));
    }
    if !walk.answered {
        // A dismissal ("×") is recorded, but it is not an answer: no after-phase for it.
        return Ok(Explored {
            path,
            deeper_checkboxes,
            ..Explored::default()
        });
    }

    let mut state = ConsentState {
        cookies_changed: changed(&cookies_before, &cookie_values(browser, context).await),
        local_storage_changed: changed(&storage_before, &page::local_storage(page).await),
        ..ConsentState::default()
    };
    if let Some(tc_string) = tc_string(page).await {
        if let Some(consent) = tcf::decode_tc_string(&tc_string) {
            state.tcf_purposes = consent.purposes;
            state.tcf_vendors = consent.vendors;
        }
        state.tc_string = Some(tc_string);
    }

    // After a reload: does the site remember the answer, and does the dialog come back?
    recorder.set_step(Step::Reload);
    // This visit looked only once the first visit had seen the dialog: its own look says
    // little about how long the dialog takes, the first visit's says more.
    let watch_ms = reappearance_watch_ms(
        sighting.after_ms.max(first_after_ms),
        options.visit.idle_ms,
        options.banner_wait_ms,
    );
    let reappeared = reload(page, &recorder, viewport, &options.visit, watch_ms).await?;
    // One same-site subpage.
    if let Some(subpage) = same_site_link(&after, &site_domain, &final_url) {
        recorder.set_step(Step::Subpage);
        if visit::navigate(context, &recorder, &subpage, &options.visit)
            .await
            .is_ok()
        {
            visit::settle(&recorder, &options.visit).await?;
        }
    }
    let mut phase = visit::end_phase(
        browser,
        context,
        recorder,
        &landing.main_frame_id,
        &site_domain,
    )
    .await?;
    // What happened before the answer was observed already, in the before-consent phase.
    phase.requests.retain(|r| r.step != Step::Load);
    phase.navigations.retain(|n| n.step != Step::Load);
    phase.banner_reappeared = Some(reappeared);
    state.consent_mode = consent_mode_states(&phase);
    Ok(Explored {
        path,
        phase: Some(phase),
        consent_state: Some(state),
        deeper_checkboxes,
    })
}

/// The clicks made on the way to an answer.
struct Walk {
    steps: Vec<ClickStep>,
    answered: bool,
    failure: Option<String>,
    /// Where the last layer was, to tell afterwards whether the dialog went away.
    anchor: DialogAnchor,
    /// Checkboxes of layers ≥ 2 as they first showed.
    deeper_checkboxes: Vec<Checkbox>,
}

impl Walk {
    fn answered(mut self, step: ClickStep) -> Walk {
        self.steps.push(step);
        self.answered = true;
        self
    }

    fn failed(mut self, failure: String) -> Walk {
        self.failure = Some(failure);
        self
    }
}

/// Walks the dialog's layers towards `goal`. A click that cannot be delivered ends the walk
/// with a failure instead of failing the evaluation: the site is still observed.
async fn walk_to_answer(
    page: &chromiumoxide::Page,
    recorder: &Recorder,
    viewport: (f64, f64),
    mut snapshot: DomSnapshot,
    mut dialog: DialogCandidate,
    goal: Goal,
    options: &ExploreOptions,
) -> Walk {
    let mut walk = Walk {
        steps: Vec::new(),
        answered: false,
        failure: None,
        anchor: DialogAnchor::new(&snapshot, &dialog),
        deeper_checkboxes: Vec::new(),
    };
    let mut layer = 1u32;
    let mut layer_clicks = 0u32;
    loop {
        let measured = measure_dialog(&snapshot, &dialog, None, layer);
        if layer > 1 {
            walk.deeper_checkboxes
                .extend(measured.banner.checkboxes.iter().cloned());
        }
        if let Some(i) = button_with_role(&measured, goal.role()) {
            recorder.set_step(Step::Answer);
            return match click(page, &snapshot, &measured, i, "click", layer).await {
                Ok(step) => walk.answered(step),
                Err(failure) => walk.failed(failure),
            };
        }
        if layer > 1 {
            if let Some(save) = button_with_role(&measured, ButtonRole::Save) {
                let (flips, outcome) =
                    set_switches(page, viewport, &snapshot, &measured, layer, goal, options).await;
                walk.steps.extend(flips);
                if let Err(failure) = outcome {
                    return walk.failed(failure);
                }
                recorder.set_step(Step::Answer);
                return match click(page, &snapshot, &measured, save, "click", layer).await {
                    Ok(step) => walk.answered(step),
                    Err(failure) => walk.failed(failure),
                };
            }
        }
        let settings = button_with_role(&measured, ButtonRole::Settings);
        match settings {
            Some(i) if layer_clicks + 1 < options.max_depth => {
                match click(page, &snapshot, &measured, i, "click", layer).await {
                    Ok(step) => walk.steps.push(step),
                    Err(failure) => return walk.failed(failure),
                }
                layer_clicks += 1;
                let root = snapshot.node(dialog.root).backend_node_id;
                match next_layer(page, viewport, &walk.anchor, root, &measured.banner.text).await {
                    Some((next_snapshot, next_dialog)) => {
                        walk.anchor =
                            DialogAnchor::new(&next_snapshot, &next_dialog).then(&walk.anchor);
                        snapshot = next_snapshot;
                        dialog = next_dialog;
                        layer += 1;
                    }
                    None => return walk.failed("the dialog closed without an answer".into()),
                }
            }
            _ => {
                let failure = format!("no way to {} found within {} layer(s)", goal.name(), layer);
                if let Some(close) = button_with_role(&measured, ButtonRole::Close) {
                    if let Ok(step) =
                        click(page, &snapshot, &measured, close, "dismiss", layer).await
                    {
                        walk.steps.push(step);
                    }
                }
                return walk.failed(failure);
            }
        }
    }
}

/// Sets every purpose switch of a settings layer as `goal` wants it (each flip is a step),
/// then checks in a fresh snapshot that the switches really moved: saving switches that did
/// not would record an answer the visitor did not give. Returns the steps taken, and the
/// failure that stopped it, if any.
async fn set_switches(
    page: &chromiumoxide::Page,
    viewport: (f64, f64),
    snapshot: &DomSnapshot,
    measured: &MeasuredDialog,
    layer: u32,
    goal: Goal,
    options: &ExploreOptions,
) -> (Vec<ClickStep>, std::result::Result<(), String>) {
    let mut steps = Vec::new();
    let mut flipped: Vec<(i64, &str)> = Vec::new();
    let to_flip = measured
        .banner
        .checkboxes
        .iter()
        .zip(&measured.checkbox_nodes)
        .zip(&measured.checkbox_targets)
        .filter(|((c, _), _)| !c.disabled && c.checked != goal.wants_checked())
        .take(options.max_toggles as usize);
    for ((checkbox, &control), &target) in to_flip {
        match click_node(page, snapshot, target).await {
            Ok(clicked) => steps.push(ClickStep {
                action: "toggle".into(),
                text: checkbox.label.clone(),
                role: ButtonRole::Other,
                layer: Some(layer),
                point: point_of(clicked),
            }),
            Err(e) => {
                let failure = format!("could not click the switch \"{}\": {e}", checkbox.label);
                return (steps, Err(failure));
            }
        }
        flipped.push((snapshot.node(control).backend_node_id, &checkbox.label));
    }
    if flipped.is_empty() {
        return (steps, Ok(()));
    }
    tokio::time::sleep(LAYER_POLL).await;
    let now = match snapshot::capture(page, viewport.0, viewport.1).await {
        Ok(now) => now,
        Err(e) => {
            let failure = format!("could not look at the switches after flipping them: {e}");
            return (steps, Err(failure));
        }
    };
    let wanted = goal.wants_checked();
    let stuck = flipped.into_iter().find(|(backend_id, _)| {
        let state = now
            .nodes
            .iter()
            .find(|n| n.backend_node_id == *backend_id)
            .map(is_checked);
        state != Some(wanted)
    });
    let outcome = match stuck {
        Some((_, label)) => Err(format!(
            "the switch \"{label}\" did not turn {} when clicked",
            if wanted { "on" } else { "off" }
        )),
        None => Ok(()),
    };
    (steps, outcome)
}

fn button_with_role(measured: &MeasuredDialog, role: ButtonRole) -> Option<usize> {
    // The most prominent of several (a big "Accept all" beats a small one in a footer).
    measured
        .banner
        .buttons
        .iter()
        .enumerate()
        .filter(|(_, b)| b.role == role)
        .max_by(|(_, a), (_, b)| a.area_px.total_cmp(&b.area_px))
        .map(|(i, _)| i)
}

/// Clicks button `index` of the measured layer; the error says which button failed.
async fn click(
    page: &chromiumoxide::Page,
    snapshot: &DomSnapshot,
    measured: &MeasuredDialog,
    index: usize,
    action: &str,
    layer: u32,
) -> std::result::Result<ClickStep, String> {
    let (Some(button), Some(&node)) = (
        measured.banner.buttons.get(index),
        measured.button_nodes.get(index),
    ) else {
        return Err("no such button".into());
    };
    let clicked = click_node(page, snapshot, node)
        .await
        .map_err(|e| format!("could not click \"{}\": {e}", button.text))?;
    Ok(ClickStep {
        action: action.into(),
        text: button.text.clone(),
        role: button.role,
        layer: Some(layer),
        point: point_of(clicked),
    })
}

fn point_of(clicked: Clicked) -> Option<(f64, f64)> {
    match clicked {
        Clicked::AtPoint(x, y) => Some((x, y)),
        Clicked::ThroughDom => None,
    }
}

/// How long a dialog may take to show its next layer after a click.
const LAYER_WAIT: Duration = Duration::from_millis(3_000);
const LAYER_POLL: Duration = Duration::from_millis(150);

/// Waits for the dialog to change after a settings click: another box, or other visible text.
/// `None` when it went away. A look that fails (the page is navigating) is retried until the
/// wait is over.
async fn next_layer(
    page: &chromiumoxide::Page,
    viewport: (f64, f64),
    anchor: &DialogAnchor,
    previous_root: i64,
    previous_text: &str,
) -> Option<(DomSnapshot, DialogCandidate)> {
    let deadline = tokio::time::Instant::now() + LAYER_WAIT;
    let mut last = None;
    loop {
        tokio::time::sleep(LAYER_POLL).await;
        if let Ok(snapshot) = snapshot::capture(page, viewport.0, viewport.1).await {
            let dialog = find_layer(&snapshot, anchor);
            let changed = match &dialog {
                Some(d) => {
                    snapshot.node(d.root).backend_node_id != previous_root
                        || visible_text(
                            &snapshot,
                            d.root,
                            &Default::default(),
                            MAX_BANNER_TEXT_CHARS,
                        ) != previous_text
                }
                None => true,
            };
            last = dialog.map(|d| (snapshot, d));
            if changed {
                return last;
            }
        }
        if tokio::time::Instant::now() >= deadline {
            return last;
        }
    }
}

/// How long a reloaded page is watched for the dialog coming back: as long as the dialog took
/// to show after the page settled, plus one quiet period (`idle_ms`), and never longer than the
/// first look waited for it. A dialog that came at once comes back at once, if at all; one
/// that came late is given its time again (a fixed watch would miss it, or waste time on every
/// site whose dialog comes at once, which is most of them).
pub fn reappearance_watch_ms(first_after_ms: u64, idle_ms: u64, banner_wait_ms: u64) -> u64 {
    first_after_ms.saturating_add(idle_ms).min(banner_wait_ms)
}

/// Reloads and reports whether the consent dialog showed again within `watch_ms`.
async fn reload(
    page: &chromiumoxide::Page,
    recorder: &Recorder,
    viewport: (f64, f64),
    options: &VisitOptions,
    watch_ms: u64,
) -> Result<bool> {
    let loads = recorder.load_events();
    let _ = tokio::time::timeout(
        Duration::from_millis(options.timeout_ms),
        page.execute(ReloadParams::default()),
    )
    .await;
    let deadline = tokio::time::Instant::now() + Duration::from_millis(options.timeout_ms);
    while recorder.load_events() == loads
        && tokio::time::Instant::now() < deadline
        && !recorder.crashed()
    {
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    visit::settle(recorder, options).await?;
    let sighting = wait_for_dialog(page, viewport, watch_ms).await?;
    Ok(sighting.dialog.is_some())
}

/// The first visible link to another page of the same site, avoiding the privacy and cookie
/// pages (which may behave differently from the rest).
fn same_site_link(snapshot: &DomSnapshot, site_domain: &str, current_url: &str) -> Option<String> {
    let base = Url::parse(current_url).ok()?;
    snapshot
        .nodes
        .iter()
        .filter(|n| n.tag == "a" && n.bbox.is_some_and(|b| b.width > 0.0 && b.height > 0.0))
        .filter_map(|n| base.join(n.attrs.get("href")?).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .filter(|u| {
            u.host_str()
                .is_some_and(|h| site::same_site(h, site_domain))
        })
        .filter(|u| u.path() != base.path())
        .find(|u| {
            let path = u.path().to_ascii_lowercase();
            ![
                "privacy",
                "personvern",
                "cookie",
                "datenschutz",
                "informasjonskapsler",
            ]
            .iter()
            .any(|w| path.contains(w))
        })
        .map(|mut u| {
            u.set_fragment(None);
            u.to_string()
        })
}

async fn cookie_values(browser: &Browser, context: &Context) -> BTreeMap<String, String> {
    browser
        .cookies(context)
        .await
        .map(|cookies| {
            cookies
                .into_iter()
                .map(|c| (format!("{}@{}", c.name, c.domain), c.value))
                .collect()
        })
        .unwrap_or_default()
}

/// Entries that are new or have a new value.
fn changed(
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The TC string from the page's `__tcfapi`, when it has one (waits at most a second).
async fn tc_string(page: &chromiumoxide::Page) -> Option<String> {
    const READ: &str = r#"new Promise((resolve) => {
        try {
            if (typeof window.__tcfapi !== 'function') { resolve(null); return; }
            setTimeout(() => resolve(null), 1000);
            window.__tcfapi('getTCData', 2, (data, ok) => resolve(ok && data ? String(data.tcString || '') : null));
        } catch (e) { resolve(null); }
    })"#;
    page::evaluate_json_awaiting(page, READ)
        .await
        .and_then(|v| v.as_str().map(String::from))
        .filter(|s| !s.is_empty())
}

/// Google Consent Mode states (`gcs`) the page's requests carried after the answer.
fn consent_mode_states(phase: &Phase) -> Vec<String> {
    let mut states: Vec<String> = phase
        .requests
        .iter()
        .filter_map(|r| Url::parse(&r.url).ok())
        .filter_map(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "gcs")
                .map(|(_, v)| v.into_owned())
        })
        .collect();
    states.sort();
    states.dedup();
    states
}

fn count(steps: &[ClickStep]) -> u32 {
    u32::try_from(steps.len()).unwrap_or(u32::MAX)
}

fn failed_path(steps: Vec<ClickStep>, failure: &str) -> ClickPath {
    ClickPath {
        clicks: None,
        steps,
        succeeded: false,
        dismissed_banner: false,
        failure: Some(failure.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reload_is_watched_as_long_as_the_dialog_took_plus_a_quiet_period() {
        // A dialog that showed at once: one quiet period.
        assert_eq!(reappearance_watch_ms(0, 500, 3_000), 500);
        // A late dialog gets its time again.
        assert_eq!(reappearance_watch_ms(1_800, 500, 3_000), 2_300);
        // Never longer than the first visit waited.
        assert_eq!(reappearance_watch_ms(2_900, 500, 3_000), 3_000);
        assert_eq!(reappearance_watch_ms(u64::MAX, 500, 3_000), 3_000);
    }

    async fn work_done(ms: u64) -> &'static str {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        "done"
    }

    async fn verdict_after(ms: u64, dialog_seen: bool) -> Option<u64> {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        dialog_seen.then_some(ms)
    }

    #[tokio::test(start_paused = true)]
    async fn work_goes_on_only_when_the_first_look_confirms_it() {
        let start = tokio::time::Instant::now();
        // The verdict comes first: "no" drops the work at once, "yes" lets it finish.
        assert_eq!(
            if_confirmed(work_done(1_000), verdict_after(10, false)).await,
            None
        );
        assert_eq!(start.elapsed(), Duration::from_millis(10));
        let start = tokio::time::Instant::now();
        assert_eq!(
            if_confirmed(work_done(1_000), verdict_after(10, true)).await,
            Some(("done", 10))
        );
        assert_eq!(start.elapsed(), Duration::from_millis(1_000));
        // The work is done first: its outcome waits for the verdict.
        let start = tokio::time::Instant::now();
        assert_eq!(
            if_confirmed(work_done(10), verdict_after(500, false)).await,
            None
        );
        assert_eq!(
            if_confirmed(work_done(10), verdict_after(500, true)).await,
            Some(("done", 500))
        );
        assert_eq!(start.elapsed(), Duration::from_millis(1_000));
    }

    #[tokio::test]
    async fn a_first_look_that_is_dropped_untold_calls_the_answers_off() {
        let (tell, first_look) = FirstLook::channel();
        let waiting = tokio::spawn(first_look.clone().dialog_after_ms());
        drop(tell);
        assert_eq!(waiting.await.expect("joined"), None);
        let (tell, first_look) = FirstLook::channel();
        tell.tell(Some(1_250));
        // Told before anyone asked: the verdict is kept.
        assert_eq!(first_look.clone().dialog_after_ms().await, Some(1_250));
        assert_eq!(FirstLook::known(None).dialog_after_ms().await, None);
    }

    fn checkbox(label: &str, checked: bool, layer: u32) -> Checkbox {
        Checkbox {
            label: label.into(),
            checked,
            disabled: false,
            layer,
        }
    }

    #[test]
    fn deeper_checkboxes_are_added_once_after_the_first_layers() {
        let mut banner = Banner {
            cmp: None,
            text: String::new(),
            language: None,
            bbox: Default::default(),
            frame_url: None,
            screenshot: None,
            buttons: Vec::new(),
            checkboxes: vec![checkbox("Statistics", false, 1)],
            annotated_screenshot: None,
            shadow_root: None,
            found_by: None,
            appeared_after_ms: None,
        };
        let layer_two = vec![
            checkbox("Statistics", true, 2),
            checkbox("Marketing", true, 2),
        ];
        let accept = Explored::default();
        let reject = Explored {
            deeper_checkboxes: layer_two.clone(),
            ..Explored::default()
        };
        let again = Explored {
            deeper_checkboxes: layer_two,
            ..Explored::default()
        };
        add_deeper_checkboxes(&mut banner, [&accept, &reject, &again]);
        let got: Vec<(&str, bool, u32)> = banner
            .checkboxes
            .iter()
            .map(|c| (c.label.as_str(), c.checked, c.layer))
            .collect();
        assert_eq!(
            got,
            [
                ("Statistics", false, 1),
                ("Statistics", true, 2),
                ("Marketing", true, 2)
            ]
        );
    }

    #[test]
    fn changed_entries_are_new_or_different() {
        let before = BTreeMap::from([
            ("a".to_string(), "1".to_string()),
            ("b".to_string(), "2".to_string()),
        ]);
        let after = BTreeMap::from([
            ("a".to_string(), "1".to_string()),
            ("b".to_string(), "3".to_string()),
            ("c".to_string(), "4".to_string()),
        ]);
        let diff = changed(&before, &after);
        assert_eq!(diff.keys().collect::<Vec<_>>(), vec!["b", "c"]);
    }
}
