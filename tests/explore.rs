//! Click paths and what the sites do after each answer, on the `paths-*` fixtures (and the
//! dialog fixtures whose paths are worth walking), against a real Chromium: the exact clicks,
//! which trackers fire after accepting and after refusing (on the answer, after a reload and on
//! a subpage), whether the dialog comes back, and the TCF consent the answer stored.

mod common;

use std::collections::BTreeSet;

use common::with_fixture;
use consentlens::evaluate::{evaluate, EvaluateOptions};
use consentlens::explore::{explore, ExploreOptions, FirstLook, Goal};
use consentlens::model::{ButtonRole, ClickPath, Phase, SiteReport, Status, Step};
use consentlens::visit::VisitOptions;

const META: &str = "Meta Pixel";
const GA4: &str = "Google Analytics 4";
const ADFORM: &str = "Adform";

fn visit_options() -> VisitOptions {
    VisitOptions {
        settle_ms: 1_500,
        idle_ms: 300,
        ..VisitOptions::default()
    }
}

fn options() -> EvaluateOptions {
    EvaluateOptions {
        visit: visit_options(),
        banner_wait_ms: 3_000,
        ..EvaluateOptions::default()
    }
}

async fn evaluated(f: &common::Fixture, host: &str) -> SiteReport {
    let report = evaluate(&f.browser, &format!("https://{host}/"), &options())
        .await
        .report;
    assert_eq!(report.status, Status::Ok, "{host}: {:?}", report.error);
    assert!(report.banner.is_some(), "{host}: no dialog found");
    report
}

/// One step as `(action, text, role, layer)`.
type StepSummary = (String, String, ButtonRole, Option<u32>);

fn step(action: &str, text: &str, role: ButtonRole, layer: u32) -> StepSummary {
    (action.into(), text.into(), role, Some(layer))
}

/// Asserts a path that reached its answer with exactly these steps, each a real mouse click
/// at a point of the element (not a click through the DOM).
fn assert_path(path: &ClickPath, expected: &[StepSummary]) {
    let got: Vec<StepSummary> = path
        .steps
        .iter()
        .map(|s| (s.action.clone(), s.text.clone(), s.role, s.layer))
        .collect();
    assert_eq!(got, expected, "{path:?}");
    assert_eq!(path.clicks, Some(expected.len() as u32), "{path:?}");
    assert!(path.succeeded, "{path:?}");
    assert!(path.dismissed_banner, "{path:?}");
    assert_eq!(path.failure, None);
    assert!(path.steps.iter().all(|s| s.point.is_some()), "{path:?}");
}

fn accept_all_in_one(path: &ClickPath) {
    assert_path(
        path,
        &[step("click", "Accept all", ButtonRole::AcceptAll, 1)],
    );
}

fn reject_all_in_one(path: &ClickPath) {
    assert_path(
        path,
        &[step("click", "Reject all", ButtonRole::RejectAll, 1)],
    );
}

fn paths(report: &SiteReport) -> (&ClickPath, &ClickPath) {
    let paths = report.click_paths.as_ref().expect("click paths explored");
    (&paths.accept, &paths.reject)
}

fn after_accept(report: &SiteReport) -> &Phase {
    report.phases.after_accept.as_ref().expect("after_accept")
}

fn after_reject(report: &SiteReport) -> &Phase {
    report.phases.after_reject.as_ref().expect("after_reject")
}

/// Tracker vendors whose requests a phase saw during `step`.
fn vendors(phase: &Phase, step: Step) -> BTreeSet<&str> {
    phase
        .requests
        .iter()
        .filter(|r| r.step == step)
        .filter_map(|r| r.tracker.as_ref().map(|t| t.vendor.as_str()))
        .collect()
}

fn set(names: &[&'static str]) -> BTreeSet<&'static str> {
    names.iter().copied().collect()
}

fn cookie_names(phase: &Phase) -> BTreeSet<&str> {
    phase.cookies.iter().map(|c| c.name.as_str()).collect()
}

/// These vendors fire on the answer, after the reload and on the subpage.
fn assert_fire_throughout(phase: &Phase, expected: &[&'static str]) {
    for step in [Step::Answer, Step::Reload, Step::Subpage] {
        assert_eq!(vendors(phase, step), set(expected), "{step:?}");
    }
}

/// No third-party request at all after the answer: not on the answer, the reload or the subpage.
fn assert_nothing_fires(phase: &Phase) {
    let third_party: Vec<&str> = phase
        .requests
        .iter()
        .filter(|r| r.third_party)
        .map(|r| r.url.as_str())
        .collect();
    assert_eq!(third_party, Vec::<&str>::new());
    // The subpage was visited, so "nothing" is an observation, not a missing step.
    assert!(phase.navigations.iter().any(|n| n.step == Step::Subpage));
}

fn consent_cookie(report: &SiteReport, accepted: bool) -> Option<&str> {
    let states = report.consent_state.as_ref().expect("consent states");
    let state = if accepted {
        states.after_accept.as_ref()
    } else {
        states.after_reject.as_ref()
    };
    state?
        .cookies_changed
        .iter()
        .find(|(k, _)| k.starts_with("consent@"))
        .map(|(_, v)| v.as_str())
}

#[test]
fn both_answers_on_the_first_layer_take_one_click() {
    with_fixture(|f| async move {
        let report = evaluated(f, "paths-first-layer.test").await;
        let (accept, reject) = paths(&report);
        accept_all_in_one(accept);
        // The settings layer offers a longer way to refuse; the first layer's button is shorter.
        reject_all_in_one(reject);
        assert_fire_throughout(after_accept(&report), &[META, GA4]);
        assert_eq!(
            cookie_names(after_accept(&report)),
            set(&["_fbp", "_ga", "consent"])
        );
        assert_nothing_fires(after_reject(&report));
        assert_eq!(cookie_names(after_reject(&report)), set(&["consent"]));
        assert_eq!(
            consent_cookie(&report, true),
            Some("necessary.statistics.marketing")
        );
        assert_eq!(consent_cookie(&report, false), Some("necessary"));
        assert_eq!(after_accept(&report).banner_reappeared, Some(false));
        assert_eq!(after_reject(&report).banner_reappeared, Some(false));
    })
}

#[test]
fn refusing_through_the_settings_layer_takes_two_clicks() {
    with_fixture(|f| async move {
        let report = evaluated(f, "paths-settings.test").await;
        let (accept, reject) = paths(&report);
        accept_all_in_one(accept);
        assert_path(
            reject,
            &[
                step("click", "Settings", ButtonRole::Settings, 1),
                step("click", "Reject all", ButtonRole::RejectAll, 2),
            ],
        );
        assert_fire_throughout(after_accept(&report), &[META, GA4]);
        assert_nothing_fires(after_reject(&report));
        assert_eq!(consent_cookie(&report, false), Some("necessary"));
    })
}

#[test]
fn refusing_by_switching_purposes_off_takes_five_clicks() {
    with_fixture(|f| async move {
        let report = evaluated(f, "paths-toggles.test").await;
        let (accept, reject) = paths(&report);
        accept_all_in_one(accept);
        assert_path(
            reject,
            &[
                step("click", "Settings", ButtonRole::Settings, 1),
                step("toggle", "Statistics", ButtonRole::Other, 2),
                step("toggle", "Marketing", ButtonRole::Other, 2),
                step("toggle", "Personalisation", ButtonRole::Other, 2),
                step("click", "Save", ButtonRole::Save, 2),
            ],
        );
        assert_fire_throughout(after_accept(&report), &[META, GA4]);
        assert_nothing_fires(after_reject(&report));
        assert_eq!(consent_cookie(&report, false), Some("necessary"));
    })
}

fn explore_options() -> ExploreOptions {
    ExploreOptions {
        visit: visit_options(),
        banner_wait_ms: 3_000,
        max_depth: 4,
        max_toggles: 50,
    }
}

#[test]
fn an_answer_is_called_off_when_the_first_visit_saw_no_dialog_or_failed() {
    with_fixture(|f| async move {
        let url = "https://paths-reappear.test/";
        let options = explore_options();
        let (failed_first_visit, called_off) = FirstLook::channel();
        drop(failed_first_visit);
        let (no_dialog, failed) = tokio::join!(
            explore(
                &f.browser,
                url,
                Goal::Accept,
                &options,
                FirstLook::known(None)
            ),
            explore(&f.browser, url, Goal::Accept, &options, called_off),
        );
        assert!(no_dialog.expect("no error").is_none());
        assert!(failed.expect("no error").is_none());
        // The same site is explored once the first visit has seen its dialog.
        let (tell, first_look) = FirstLook::channel();
        tell.tell(Some(0));
        let explored = explore(&f.browser, url, Goal::Accept, &options, first_look)
            .await
            .expect("no error")
            .expect("explored");
        assert!(explored.path.succeeded);
    })
}

#[test]
fn a_late_dialog_is_watched_for_as_long_as_it_took_to_show() {
    with_fixture(|f| async move {
        let report = evaluated(f, "paths-reappear-late.test").await;
        let banner = report.banner.as_ref().expect("a banner");
        assert!(
            banner.appeared_after_ms.is_some_and(|ms| ms >= 1_000),
            "{banner:?}"
        );
        let (accept, reject) = paths(&report);
        accept_all_in_one(accept);
        reject_all_in_one(reject);
        assert_eq!(after_reject(&report).banner_reappeared, Some(true));
        assert_eq!(after_accept(&report).banner_reappeared, Some(false));
    })
}

/// The checkboxes the reject walk saw on the layers behind the first, as they opened.
async fn deeper_checkboxes(f: &common::Fixture, host: &str) -> Vec<(String, bool, bool, u32)> {
    let options = explore_options();
    let explored = explore(
        &f.browser,
        &format!("https://{host}/"),
        Goal::Reject,
        &options,
        FirstLook::known(Some(0)),
    )
    .await
    .expect("explored")
    .expect("a dialog to answer");
    explored
        .deeper_checkboxes
        .iter()
        .map(|c| (c.label.clone(), c.checked, c.disabled, c.layer))
        .collect()
}

fn row(label: &str, checked: bool, disabled: bool) -> (String, bool, bool, u32) {
    (label.to_string(), checked, disabled, 2)
}

#[test]
fn the_switches_of_the_settings_layer_are_read_as_they_open() {
    with_fixture(|f| async move {
        let (toggles, settings_only) = tokio::join!(
            deeper_checkboxes(f, "paths-toggles.test"),
            deeper_checkboxes(f, "dialog-settings-only.test"),
        );
        assert_eq!(
            toggles,
            [
                row("Necessary", true, true),
                row("Statistics", true, false),
                row("Marketing", true, false),
                row("Personalisation", true, false),
            ]
        );
        assert_eq!(
            settings_only,
            [
                row("Strictly necessary", true, true),
                row("Statistics", false, false),
                row("Marketing", false, false),
                row("Personalisation", false, false),
            ]
        );
    })
}

#[test]
fn an_ignored_refusal_keeps_the_trackers_firing() {
    with_fixture(|f| async move {
        let report = evaluated(f, "paths-ignored-reject.test").await;
        let (accept, reject) = paths(&report);
        accept_all_in_one(accept);
        reject_all_in_one(reject);
        assert_fire_throughout(after_accept(&report), &[META, GA4]);
        assert_fire_throughout(after_reject(&report), &[META, GA4]);
        assert_eq!(
            cookie_names(after_reject(&report)),
            set(&["_fbp", "_ga", "consent"])
        );
        assert_eq!(consent_cookie(&report, false), Some("necessary"));
    })
}

#[test]
fn an_honoured_refusal_stops_everything() {
    with_fixture(|f| async move {
        let report = evaluated(f, "paths-honoured.test").await;
        let (accept, reject) = paths(&report);
        accept_all_in_one(accept);
        reject_all_in_one(reject);
        assert_fire_throughout(after_accept(&report), &[META, GA4]);
        assert_eq!(
            cookie_names(after_accept(&report)),
            set(&["_fbp", "_ga", "consent"])
        );
        assert_nothing_fires(after_reject(&report));
        assert_eq!(cookie_names(after_reject(&report)), set(&["consent"]));
        let states = report.consent_state.as_ref().expect("consent states");
        let accepted = states.after_accept.as_ref().expect("after accept");
        assert_eq!(accepted.consent_mode, ["G111"]);
        assert!(states
            .after_reject
            .as_ref()
            .is_some_and(|s| s.consent_mode.is_empty()));
    })
}

#[test]
fn an_accept_link_that_navigates_is_followed() {
    with_fixture(|f| async move {
        let report = evaluated(f, "paths-navigate.test").await;
        let banner = report.banner.as_ref().expect("a dialog");
        let accept_button = banner
            .buttons
            .iter()
            .find(|b| b.role == ButtonRole::AcceptAll)
            .expect("the accept link");
        assert_eq!(accept_button.tag.as_deref(), Some("a"));
        assert!(!accept_button.is_link_styled, "it looks like a button");
        let (accept, reject) = paths(&report);
        accept_all_in_one(accept);
        reject_all_in_one(reject);
        let accepted = after_accept(&report);
        assert!(
            accepted
                .navigations
                .iter()
                .any(|n| n.step == Step::Answer
                    && n.url == "https://paths-navigate.test/?consent=yes"),
            "{:?}",
            accepted.navigations
        );
        assert_fire_throughout(accepted, &[META, GA4]);
        assert_eq!(consent_cookie(&report, true), Some("all"));
        assert_nothing_fires(after_reject(&report));
    })
}

#[test]
fn a_dialog_that_returns_after_a_refusal_is_seen_again() {
    with_fixture(|f| async move {
        let report = evaluated(f, "paths-reappear.test").await;
        let (accept, reject) = paths(&report);
        accept_all_in_one(accept);
        reject_all_in_one(reject);
        assert_eq!(after_reject(&report).banner_reappeared, Some(true));
        assert_eq!(after_accept(&report).banner_reappeared, Some(false));
        assert_nothing_fires(after_reject(&report));
        assert_fire_throughout(after_accept(&report), &[META, GA4]);
    })
}

#[test]
fn the_tcf_consent_of_each_answer_is_decoded() {
    const ACCEPT: &str =
        "CQNlwwAQNlwwA__ABBENBkEsAP_AAEPAABpwF5wBQAKgAgABkAFsBeYF5wAgAZALzAAA.IF5wBQAKgAgABkAFsBeY";
    const REJECT: &str = "CQNlwwAQNlwwA__ABBENBkEgAAAAAAAAABpwAAAAAAAA.IF5wBQAKgAgABkAFsBeY";
    with_fixture(|f| async move {
        let report = evaluated(f, "paths-tcf.test").await;
        let (accept, reject) = paths(&report);
        accept_all_in_one(accept);
        reject_all_in_one(reject);
        let states = report.consent_state.as_ref().expect("consent states");
        let accepted = states.after_accept.as_ref().expect("after accept");
        assert_eq!(accepted.tc_string.as_deref(), Some(ACCEPT));
        assert_eq!(accepted.tcf_purposes, (1..=10).collect::<Vec<u32>>());
        assert_eq!(accepted.tcf_vendors, [21, 32, 50, 91, 755]);
        let rejected = states.after_reject.as_ref().expect("after reject");
        assert_eq!(rejected.tc_string.as_deref(), Some(REJECT));
        assert!(rejected.tcf_purposes.is_empty() && rejected.tcf_vendors.is_empty());

        let phase = after_accept(&report);
        assert_fire_throughout(phase, &[GA4, ADFORM]);
        let adform = phase
            .requests
            .iter()
            .find(|r| {
                r.url
                    .starts_with("https://track.adform.net/Serving/TrackPoint/")
            })
            .expect("the Adform request");
        assert!(
            adform.url.contains(&format!("gdpr_consent={ACCEPT}")),
            "{}",
            adform.url
        );
        assert_nothing_fires(after_reject(&report));
    })
}

#[test]
fn a_settings_only_first_layer_needs_two_clicks_to_refuse() {
    with_fixture(|f| async move {
        let report = evaluated(f, "dialog-settings-only.test").await;
        let (accept, reject) = paths(&report);
        accept_all_in_one(accept);
        assert_path(
            reject,
            &[
                step("click", "Settings", ButtonRole::Settings, 1),
                step("click", "Reject all", ButtonRole::RejectAll, 2),
            ],
        );
        let rejected = after_reject(&report);
        assert_eq!(vendors(rejected, Step::Answer), BTreeSet::new());
        assert_eq!(vendors(rejected, Step::Reload), BTreeSet::new());
        assert_eq!(consent_cookie(&report, false), Some("necessary"));
    })
}

#[test]
fn buttons_in_a_cross_site_frame_are_clicked_where_they_show() {
    with_fixture(|f| async move {
        let report = evaluated(f, "dialog-iframe.test").await;
        let frame = report.banner.as_ref().expect("a dialog").bbox;
        let (accept, reject) = paths(&report);
        accept_all_in_one(accept);
        reject_all_in_one(reject);
        for path in [accept, reject] {
            let (_, y) = path.steps[0].point.expect("a mouse click");
            assert!(
                y >= frame.y && y <= frame.y + frame.height,
                "{y} in {frame:?}"
            );
        }
        let accepted = after_accept(&report);
        assert_eq!(vendors(accepted, Step::Answer), set(&[META, GA4]));
        let rejected = after_reject(&report);
        assert_eq!(vendors(rejected, Step::Answer), BTreeSet::new());
        assert_eq!(vendors(rejected, Step::Reload), BTreeSet::new());
    })
}

#[test]
fn buttons_in_a_closed_shadow_root_are_clicked() {
    with_fixture(|f| async move {
        let report = evaluated(f, "dialog-shadow-closed.test").await;
        let (accept, reject) = paths(&report);
        accept_all_in_one(accept);
        reject_all_in_one(reject);
        assert_eq!(
            vendors(after_accept(&report), Step::Answer),
            set(&[META, GA4])
        );
        assert_eq!(
            vendors(after_reject(&report), Step::Answer),
            BTreeSet::new()
        );
    })
}
