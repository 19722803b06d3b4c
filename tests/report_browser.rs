//! The HTML documents we write are read in a real browser: a page's hostile text must show as
//! text there, never run (issue 6: the evidence report and the notebook card).

mod common;

use common::with_fixture;
use consentlens::evaluate::{evaluate, EvaluateOptions};
use consentlens::model::Status;
use consentlens::report::{site_card_html, site_report_html};
use consentlens::visit::{self, page, Recorder, VisitOptions};

/// Opens a local HTML file and returns (JS dialogs opened, page errors, visible text).
async fn open_in_browser(
    browser: &consentlens::browser::Browser,
    path: &std::path::Path,
) -> (usize, Vec<String>, String) {
    let context = browser.new_context().await.expect("a context");
    let recorder = Recorder::start(&context.page).await.expect("a recorder");
    let options = VisitOptions {
        timeout_ms: 10_000,
        settle_ms: 1_000,
        idle_ms: 200,
    };
    let url = format!("file://{}", path.display());
    let loaded = visit::navigate(&context, &recorder, &url, &options)
        .await
        .expect("the report loads");
    visit::settle(&recorder, &options).await.expect("settles");
    let text = page::visible_text(&context.page).await.unwrap_or_default();
    let recording = recorder.finish(Some(&loaded.main_frame_id)).await;
    browser.close_context(context).await;
    (recording.js_dialogs.len(), recording.page_errors, text)
}

#[test]
fn hostile_dialog_text_shows_as_text_in_the_report_and_the_card() {
    with_fixture(|f| async move {
        let options = EvaluateOptions {
            explore: false,
            ..EvaluateOptions::default()
        };
        let evaluation = evaluate(&f.browser, "https://hostile-text.test/", &options).await;
        let report = &evaluation.report;
        assert_eq!(report.status, Status::Ok, "{:?}", report.error);
        let banner_text = &report
            .banner
            .as_ref()
            .expect("the hostile dialog is found")
            .text;
        assert!(
            banner_text.contains("<img src=x onerror=alert(1)>"),
            "{banner_text}"
        );

        let folder = tempfile::tempdir().unwrap();
        let report_file = folder.path().join("report.html");
        std::fs::write(
            &report_file,
            site_report_html(report, &evaluation.screenshots),
        )
        .unwrap();
        let card_file = folder.path().join("card.html");
        let card = site_card_html(report, &evaluation.screenshots);
        std::fs::write(
            &card_file,
            format!("<!doctype html><meta charset=utf-8><body>{card}</body>"),
        )
        .unwrap();

        // The report shows the dialog's text; the card shows the site and its findings.
        // Either way nothing may run.
        let checks = [
            (&report_file, "<img src=x onerror=alert(1)>"),
            (&card_file, "hostile-text.test"),
        ];
        for (file, shown) in checks {
            let (dialogs, errors, text) = open_in_browser(&f.browser, file).await;
            assert_eq!(dialogs, 0, "an injected script ran in {}", file.display());
            assert!(
                errors.is_empty(),
                "console errors in {}: {errors:?}",
                file.display()
            );
            assert!(
                text.contains(shown),
                "{}: {shown:?} is not shown",
                file.display()
            );
        }
    })
}
