//! Where the time of one evaluation goes: the stages of `evaluate` run one after another, as
//! `evaluate.rs` runs them, with a clock around each; then the accept visit of `explore` step by
//! step (the walk is shortened to the first-layer button, which is every template's accept
//! path). Sites are evaluated one at a time on one browser, so no stage waits for another
//! site's. Printed as a table of median and mean milliseconds per stage.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chromiumoxide::cdp::browser_protocol::page::ReloadParams;
use consentlens::browser::{Browser, BrowserOptions};
use consentlens::decode::annotate_phase;
use consentlens::detect::wait::wait_for_dialog;
use consentlens::evaluate::{refused_report, EvaluateOptions};
use consentlens::explore::click::click_node;
use consentlens::explore::{explore, reappearance_watch_ms, ExploreOptions, FirstLook, Goal};
use consentlens::judge::{compute_metrics, find_claims, judge};
use consentlens::measure::capture::capture_dialog;
use consentlens::measure::measure_dialog;
use consentlens::model::{ButtonRole, Phases, SiteReport, Status};
use consentlens::visit::{self, page, snapshot, Recorder, VisitOptions};

use crate::{Job, RunResult};

/// Stage name → milliseconds, one entry per site that ran the stage.
#[derive(Default)]
struct Clock {
    stages: BTreeMap<String, Vec<f64>>,
    order: Vec<String>,
}

impl Clock {
    fn add(&mut self, stage: &str, since: Instant) -> Instant {
        let now = Instant::now();
        if !self.stages.contains_key(stage) {
            self.order.push(stage.to_string());
        }
        self.stages
            .entry(stage.to_string())
            .or_default()
            .push(now.duration_since(since).as_secs_f64() * 1000.0);
        now
    }

    fn table(&self, title: &str) -> String {
        let mut out = format!(
            "\n{title}\n\n| stage | sites | median ms | mean ms | share of the sum of means |\n|---|---:|---:|---:|---:|\n"
        );
        let mean = |v: &Vec<f64>| v.iter().sum::<f64>() / v.len().max(1) as f64;
        // Totals ("= …") are not stages: left out of the sum, and listed last.
        let total: f64 = self
            .stages
            .iter()
            .filter(|(name, _)| !name.starts_with('='))
            .map(|(_, v)| mean(v))
            .sum();
        let (totals, stages): (Vec<&String>, Vec<&String>) =
            self.order.iter().partition(|name| name.starts_with('='));
        for stage in stages.into_iter().chain(totals) {
            let values = &self.stages[stage];
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            out.push_str(&format!(
                "| {stage} | {} | {:.0} | {:.0} | {:.0}% |\n",
                values.len(),
                sorted[sorted.len() / 2],
                mean(values),
                100.0 * mean(values) / total.max(1e-9)
            ));
        }
        out
    }
}

pub async fn run(job: &Job) -> Result<RunResult, String> {
    let browser = Browser::launch(BrowserOptions {
        extra_args: job.chromium_args.clone(),
        ..BrowserOptions::default()
    })
    .await
    .map_err(|e| e.to_string())?;
    let s = &job.settings;
    let options = EvaluateOptions {
        visit: VisitOptions {
            timeout_ms: s.timeout_ms,
            settle_ms: s.settle_ms,
            idle_ms: s.idle_ms,
        },
        banner_wait_ms: s.banner_wait_ms,
        ..EvaluateOptions::default()
    };
    let mut evaluation = Clock::default();
    let mut accept_visit = Clock::default();
    let mut capture = Clock::default();
    let started = Instant::now();
    for site in &job.sites {
        if let Err(e) = evaluate_timed(&browser, &site.url, &options, &mut evaluation).await {
            eprintln!("{}: {e}", site.url);
        }
        if !site.template().accept.is_empty() {
            let subpage = site
                .template()
                .subpage
                .map(|p| format!("{}{}", site.url.trim_end_matches('/'), p));
            if let Err(e) = accept_visit_timed(
                &browser,
                &site.url,
                subpage,
                &options,
                &mut accept_visit,
                &mut capture,
            )
            .await
            {
                eprintln!("{} (accept visit): {e}", site.url);
            }
        }
    }
    let elapsed_s = started.elapsed().as_secs_f64();
    browser.close().await;
    println!(
        "{}",
        evaluation.table("One evaluation, stage by stage (evaluate.rs order)")
    );
    println!(
        "{}",
        accept_visit
            .table("The accept visit of explore, step by step (one of the two run at once)")
    );
    println!(
        "{}",
        capture.table("Measuring the dialog (capture_dialog), step by step")
    );
    match context_creation(job, 20).await {
        Ok(contexts) => println!(
            "{}",
            contexts
                .table("A fresh context, step by step (chromiumoxide directly, same arguments)")
        ),
        Err(e) => eprintln!("context creation could not be measured: {e}"),
    }
    Ok(RunResult::new(
        "profile",
        1,
        elapsed_s,
        Vec::new(),
        String::new(),
    ))
}

/// `evaluate::run` with a clock around each stage.
async fn evaluate_timed(
    browser: &Browser,
    url: &str,
    options: &EvaluateOptions,
    clock: &mut Clock,
) -> consentlens::Result<()> {
    let start = Instant::now();
    let viewport = (
        f64::from(browser.options.viewport.width),
        f64::from(browser.options.viewport.height),
    );
    let context = browser.new_context().await?;
    let t = clock.add("1 new context (create, page, present as a person)", start);
    let page = &context.page;
    let recorder = Recorder::start(page).await?;
    let t = clock.add("1 recorder start (12 event streams)", t);
    let loaded = visit::navigate(&context, &recorder, url, &options.visit).await?;
    let t = clock.add("1 navigate until load", t);
    visit::settle(&recorder, &options.visit).await?;
    let t = clock.add("1 settle (network quiet for idle_ms)", t);
    let final_url = page::current_url(page).await;
    let _title = page::title(page).await;
    let text = page::visible_text(page).await.unwrap_or_default();
    let _webdriver = page::evaluate_json(page, "navigator.webdriver").await;
    let t = clock.add("1 page reads (url, title, text, webdriver)", t);
    let _shot = page::screenshot(page).await.ok();
    let t = clock.add("1 page screenshot (PNG)", t);
    let sighting = wait_for_dialog(page, viewport, options.banner_wait_ms).await?;
    let mut t = clock.add("1 wait for dialog (DOM snapshots + detection)", t);
    let mut report_banner = None;
    if let Some(dialog) = &sighting.dialog {
        let captured = capture_dialog(page, &sighting.snapshot, dialog, 1).await;
        report_banner = Some(captured.measured.banner);
        t = clock.add("1 measure dialog (region screenshot, pixels, PNGs)", t);
    }
    let site_domain = visit::site::site_domain(final_url.as_deref().unwrap_or(url));
    let phase = visit::end_phase(
        browser,
        &context,
        recorder,
        &loaded.main_frame_id,
        &site_domain,
    )
    .await?;
    let t = clock.add("1 end phase (post bodies, cookies, localStorage)", t);
    browser.close_context(context).await;
    let mut t = clock.add("1 close context", t);
    let mut phases = Phases {
        before_consent: Some(phase),
        ..Phases::default()
    };
    if options.explore && report_banner.is_some() {
        let explore_options = ExploreOptions {
            visit: options.visit,
            banner_wait_ms: options.banner_wait_ms,
            max_depth: options.max_depth,
            max_toggles: 50,
        };
        // The evaluation loads the answer visits while the first visit runs; here they start
        // after it, so that each stage has a time of its own.
        let (accept, reject) = tokio::join!(
            explore(
                browser,
                url,
                Goal::Accept,
                &explore_options,
                FirstLook::known(Some(sighting.after_ms))
            ),
            explore(
                browser,
                url,
                Goal::Reject,
                &explore_options,
                FirstLook::known(Some(sighting.after_ms))
            ),
        );
        phases.after_accept = accept?.and_then(|explored| explored.phase);
        phases.after_reject = reject?.and_then(|explored| explored.phase);
        t = clock.add("2 explore accept ‖ reject (two fresh contexts at once)", t);
    }
    let site_url = final_url.unwrap_or_else(|| url.to_string());
    let mut report = empty_report(url, browser, options);
    report.banner = report_banner;
    report.phases = phases;
    for (_, phase) in report.phases.iter_mut() {
        annotate_phase(phase, &site_url, &options.classifier);
    }
    report.claims = find_claims(&text, "page");
    report.findings = judge(&report, &options.judge);
    report.metrics = compute_metrics(&report);
    clock.add("3 decode, claims, findings, metrics", t);
    clock.add("= whole evaluation", start);
    Ok(())
}

/// The accept visit of `explore::explore_in`, step by step, for a first-layer accept button.
async fn accept_visit_timed(
    browser: &Browser,
    url: &str,
    subpage: Option<String>,
    options: &EvaluateOptions,
    clock: &mut Clock,
    capture: &mut Clock,
) -> consentlens::Result<()> {
    let start = Instant::now();
    let viewport = (
        f64::from(browser.options.viewport.width),
        f64::from(browser.options.viewport.height),
    );
    let context = browser.new_context().await?;
    let t = clock.add("new context", start);
    let page = &context.page;
    let (landing, recorder) = visit::land(&context, url, &options.visit).await?;
    let site_domain = visit::site::site_domain(&page::current_url(page).await.unwrap_or_default());
    let t = clock.add("land (recorder, load, settle, responsive check, URL)", t);
    let sighting = wait_for_dialog(page, viewport, options.banner_wait_ms).await?;
    let t = clock.add("wait for dialog", t);
    let _ = browser.cookies(&context).await;
    let _ = page::local_storage(page).await;
    clock.add("cookies + localStorage before", t);
    let Some(dialog) = sighting.dialog else {
        return Ok(());
    };
    // Not part of the visit: the clock of the visit restarts after it.
    let aside = Instant::now();
    capture_timed(page, &sighting.snapshot, &dialog, capture).await;
    let start = start + aside.elapsed();
    let t = Instant::now();
    let measured = measure_dialog(&sighting.snapshot, &dialog, None, 1);
    let accept = measured
        .banner
        .buttons
        .iter()
        .position(|b| b.role == ButtonRole::AcceptAll)
        .and_then(|i| measured.button_nodes.get(i).copied());
    let t = clock.add("measure layer (no pixels)", t);
    if let Some(node) = accept {
        let _ = click_node(page, &sighting.snapshot, node).await;
    }
    let t = clock.add("click (hit test + mouse events)", t);
    visit::settle(&recorder, &options.visit).await?;
    let t = clock.add("settle after the click", t);
    let _after = snapshot::capture(page, viewport.0, viewport.1).await?;
    let t = clock.add("DOM snapshot after the answer", t);
    let _ = browser.cookies(&context).await;
    let _ = page::local_storage(page).await;
    let t = clock.add("cookies + localStorage after", t);
    let loads = recorder.load_events();
    let _ = page.execute(ReloadParams::default()).await;
    while recorder.load_events() == loads && t.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let t = clock.add("reload until load", t);
    visit::settle(&recorder, &options.visit).await?;
    let t = clock.add("settle after reload", t);
    let watch_ms = reappearance_watch_ms(
        sighting.after_ms,
        options.visit.idle_ms,
        options.banner_wait_ms,
    );
    let _ = wait_for_dialog(page, viewport, watch_ms).await?;
    let mut t = clock.add("watch for the dialog coming back", t);
    if let Some(subpage) = subpage {
        if visit::navigate(&context, &recorder, &subpage, &options.visit)
            .await
            .is_ok()
        {
            t = clock.add("subpage until load", t);
            visit::settle(&recorder, &options.visit).await?;
            t = clock.add("settle on the subpage", t);
        }
    }
    visit::end_phase(
        browser,
        &context,
        recorder,
        &landing.main_frame_id,
        &site_domain,
    )
    .await?;
    let t = clock.add("end phase", t);
    browser.close_context(context).await;
    clock.add("close context", t);
    clock.add("= whole accept visit", start);
    Ok(())
}

/// A result document to judge: the one a refused URL gets, turned back into a success.
fn empty_report(url: &str, browser: &Browser, options: &EvaluateOptions) -> SiteReport {
    let mut report = refused_report(
        url,
        &consentlens::Error::Interrupted,
        Some(browser),
        options,
    );
    report.status = Status::Ok;
    report.error = None;
    report
}

/// What a fresh context costs, step by step: chromiumoxide's `new_page` (create the target,
/// attach, and its chain of enable commands, one after another, until `about:blank` has
/// loaded), then the five commands of `present_as_person` one after another (as
/// `Browser::new_context` sends them) and, on the next context, all at once.
async fn context_creation(job: &Job, rounds: usize) -> Result<Clock, String> {
    use chromiumoxide::cdp::browser_protocol::emulation::{
        SetDeviceMetricsOverrideParams, SetLocaleOverrideParams, SetTimezoneOverrideParams,
        SetUserAgentOverrideParams,
    };
    use chromiumoxide::cdp::browser_protocol::network;
    use chromiumoxide::cdp::browser_protocol::target::{
        CreateBrowserContextParams, CreateTargetParams, DisposeBrowserContextParams,
    };
    use futures::StreamExt;

    let user_data_dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let options = BrowserOptions {
        extra_args: job.chromium_args.clone(),
        ..BrowserOptions::default()
    };
    // chromiumoxide writes each argument as `--<key>`.
    let args: Vec<String> = consentlens::browser::chromium_args(&options, user_data_dir.path())
        .into_iter()
        .map(|a| a.trim_start_matches("--").to_string())
        .collect();
    let config = chromiumoxide::BrowserConfig::builder()
        .chrome_executable(&job.chromium)
        .disable_default_args()
        .no_sandbox()
        .args(args)
        .viewport(None)
        .build()?;
    let (browser, mut handler) = chromiumoxide::Browser::launch(config)
        .await
        .map_err(|e| e.to_string())?;
    let handler = tokio::spawn(async move { while handler.next().await.is_some() {} });
    let err = |e: chromiumoxide::error::CdpError| e.to_string();
    let mut clock = Clock::default();
    for round in 0..rounds {
        let start = Instant::now();
        let id = browser
            .execute(CreateBrowserContextParams::default())
            .await
            .map_err(err)?
            .result
            .browser_context_id;
        let t = clock.add("Target.createBrowserContext", start);
        let page = browser
            .new_page(
                CreateTargetParams::builder()
                    .url("about:blank")
                    .browser_context_id(id.clone())
                    .build()?,
            )
            .await
            .map_err(err)?;
        let t = clock.add(
            "new_page (createTarget, attach, 10 init commands, about:blank)",
            t,
        );
        let metrics = SetDeviceMetricsOverrideParams::new(1366, 768, 1.0, false);
        let agent =
            SetUserAgentOverrideParams::new("Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0");
        let locale = SetLocaleOverrideParams::builder().locale("en-GB").build();
        let zone = SetTimezoneOverrideParams::new("Europe/Oslo");
        let net = network::EnableParams::builder()
            .max_post_data_size(1 << 20)
            .build();
        let t = if round % 2 == 0 {
            page.execute(metrics).await.map_err(err)?;
            page.execute(agent).await.map_err(err)?;
            page.execute(locale).await.map_err(err)?;
            page.execute(zone).await.map_err(err)?;
            page.execute(net).await.map_err(err)?;
            clock.add("present as a person: 5 commands one after another", t)
        } else {
            let (a, b, c, d, e) = tokio::join!(
                page.execute(metrics),
                page.execute(agent),
                page.execute(locale),
                page.execute(zone),
                page.execute(net)
            );
            a.map_err(err)?;
            b.map_err(err)?;
            c.map_err(err)?;
            d.map_err(err)?;
            e.map_err(err)?;
            clock.add("present as a person: 5 commands at once", t)
        };
        page.close().await.map_err(err)?;
        let t = clock.add("close page", t);
        browser
            .execute(DisposeBrowserContextParams::new(id))
            .await
            .map_err(err)?;
        clock.add("dispose context", t);
    }
    let mut browser = browser;
    let _ = browser.close().await;
    handler.abort();
    Ok(clock)
}

/// `measure::capture::capture_dialog`, step by step.
async fn capture_timed(
    page: &chromiumoxide::Page,
    snapshot: &consentlens::visit::dom::DomSnapshot,
    dialog: &consentlens::detect::DialogCandidate,
    clock: &mut Clock,
) {
    use consentlens::measure::{annotate, dialog_screenshot, encode_png, PageShot};
    let start = Instant::now();
    let Some(root) = snapshot.node(dialog.root).bbox else {
        return;
    };
    let region = consentlens::model::BBox {
        x: (root.x - 12.0).max(0.0),
        y: (root.y - 12.0).max(0.0),
        width: (root.width + 24.0).min(snapshot.viewport_width),
        height: (root.height + 24.0).min(snapshot.viewport_height - (root.y - 12.0).max(0.0)),
    };
    let Ok(png) = page::screenshot_region(page, region, 2.0).await else {
        return;
    };
    let t = clock.add("region screenshot at scale 2 (Chromium encodes PNG)", start);
    let Ok(image) = image::load_from_memory(&png) else {
        return;
    };
    let shot = PageShot {
        image: image.to_rgba8(),
        scale: 2.0,
        origin_x: region.x,
        origin_y: region.y,
    };
    let t = clock.add("decode PNG", t);
    let measured = measure_dialog(snapshot, dialog, Some(&shot), 1);
    let t = clock.add("measure (styles, roles, pixel contrast)", t);
    let _ = encode_png(&dialog_screenshot(&shot, &measured.banner.bbox));
    let t = clock.add("encode dialog PNG", t);
    let _ = encode_png(&annotate(&shot, &measured.banner));
    let t = clock.add("annotate + encode PNG", t);
    let _ = t;
    clock.add("= whole", start);
}
