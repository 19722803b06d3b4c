//! The walking skeleton against a real Chromium and the HTTPS fixture server.

mod common;

use common::with_fixture;
use consentlens::evaluate::{evaluate, EvaluateOptions};
use consentlens::model::Status;

fn options() -> EvaluateOptions {
    EvaluateOptions {
        explore: false,
        ..EvaluateOptions::default()
    }
}

#[test]
fn the_skeleton_fixture_is_recorded_before_consent() {
    with_fixture(|f| async move {
        let evaluation = evaluate(&f.browser, "https://skeleton.test/", &options()).await;
        let report = evaluation.report;
        assert_eq!(report.status, Status::Ok, "{:?}", report.error);
        assert_eq!(report.http_status, Some(200));
        let phase = report
            .phases
            .before_consent
            .as_ref()
            .expect("before_consent observed");

        let pixel = phase
            .requests
            .iter()
            .find(|r| r.url.starts_with("https://www.facebook.com/tr/"))
            .expect("the Meta pixel request");
        assert!(pixel.url.contains("ev=PageView"), "{}", pixel.url);
        assert!(pixel.third_party);
        assert_eq!(pixel.resource_type, "image");

        let beacon = phase
            .requests
            .iter()
            .find(|r| r.url.starts_with("https://collector.tracker.test/beacon"))
            .expect("the sendBeacon request");
        assert_eq!(beacon.method, "POST");
        assert_eq!(beacon.resource_type, "ping");
        let body = beacon.post_data.as_deref().expect("the beacon body");
        assert!(!body.is_empty());
        // The body arrived at the server exactly as recorded.
        let hits = f.server.hits_for("collector.tracker.test");
        assert!(hits.iter().any(|h| h.body == body.as_bytes()), "{hits:?}");

        let from_iframe = phase
            .requests
            .iter()
            .find(|r| r.url.starts_with("https://pixel.iframe-tracker.test/"))
            .expect("the request fired inside the cross-site iframe");
        assert!(
            from_iframe
                .frame_url
                .as_deref()
                .is_some_and(|u| u.starts_with("https://widget.othersite.test/")),
            "{from_iframe:?}"
        );

        let first_party = phase
            .cookies
            .iter()
            .find(|c| c.name == "fp_session")
            .expect("the first-party cookie set by script");
        assert!(!first_party.third_party);
        let third_party = phase
            .cookies
            .iter()
            .find(|c| c.name == "tp_uid")
            .expect("the third-party cookie (SameSite=None; Secure) is stored");
        assert!(third_party.third_party);
        assert!(third_party.secure);
        assert_eq!(third_party.same_site.as_deref(), Some("None"));

        let p = &report.provenance;
        assert_eq!(
            p.third_party_cookies,
            consentlens::ThirdPartyCookies::Allowed
        );
        assert!(
            p.browser_version
                .as_deref()
                .is_some_and(|v| v.starts_with("Chromium 1")),
            "{:?}",
            p.browser_version
        );
        assert!(!p.user_agent.as_deref().unwrap_or("").contains("Headless"));
        assert_eq!(p.webdriver_hidden, Some(true));
        assert!(p.finished_at >= p.started_at);
        assert!(evaluation
            .screenshots
            .page
            .as_ref()
            .is_some_and(|png| png.starts_with(b"\x89PNG")));
    })
}

#[test]
fn http_error_pages_are_still_observed() {
    with_fixture(|f| async move {
        let report = evaluate(
            &f.browser,
            "https://skeleton.test/notfound.html",
            &options(),
        )
        .await
        .report;
        assert_eq!(report.status, Status::Ok, "{:?}", report.error);
        assert_eq!(report.http_status, Some(404));
    })
}

#[test]
fn unreachable_hosts_give_an_error_of_their_kind() {
    with_fixture(|f| async move {
        for (url, kind) in [
            ("https://refused.test/", "connection_refused"),
            ("https://nxdomain.test/", "dns"),
            ("file:///etc/passwd", "forbidden_scheme"),
            ("https://exa mple.test/", "invalid_url"),
        ] {
            let report = evaluate(&f.browser, url, &options()).await.report;
            assert_eq!(report.status, Status::Error, "{url}");
            let error = report.error.expect("error details");
            assert_eq!(error.kind, kind, "{url}: {}", error.message);
            assert!(report.phases.before_consent.is_none());
        }
        // The browser is still usable afterwards.
        let report = evaluate(&f.browser, "https://quiet.test/", &options())
            .await
            .report;
        assert_eq!(report.status, Status::Ok, "{:?}", report.error);
    })
}
