//! Which failures are worth a second visit.
//!
//! A failure that says something about the moment (a hang, a crash, a dropped DevTools
//! connection) is retried, up to [`CrawlOptions::retries`](super::CrawlOptions::retries) times;
//! one that says something about the site (its name does not resolve, it refuses connections, the
//! URL is not a web page) is final at once, because a second visit would only repeat it.

use crate::model::SiteReport;

/// `error.kind`s that are retried: transient failures of the visit or of the browser.
pub const RETRIED_KINDS: &[&str] = &["timeout", "browser_crashed", "renderer_crashed", "protocol"];

/// Whether a finished evaluation failed in a way that a second visit may not repeat.
pub fn is_retryable(report: &SiteReport) -> bool {
    report
        .error
        .as_ref()
        .is_some_and(|error| RETRIED_KINDS.contains(&error.kind.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ErrorInfo, Status};

    fn report_with(error_kind: Option<&str>) -> SiteReport {
        let mut report = super::super::tests::ok_report("https://a.test/");
        if let Some(kind) = error_kind {
            report.status = Status::Error;
            report.error = Some(ErrorInfo {
                kind: kind.into(),
                message: "m".into(),
            });
        }
        report
    }

    #[test]
    fn transient_failures_are_retried_and_the_sites_own_are_not() {
        for kind in ["timeout", "browser_crashed", "renderer_crashed", "protocol"] {
            assert!(is_retryable(&report_with(Some(kind))), "{kind}");
        }
        for kind in [
            "dns",
            "tls",
            "connection_refused",
            "invalid_url",
            "internal_error",
        ] {
            assert!(!is_retryable(&report_with(Some(kind))), "{kind}");
        }
        assert!(!is_retryable(&report_with(None)));
    }

    #[test]
    fn every_retried_kind_is_a_kind_the_core_reports() {
        use crate::error::Error;
        let kinds = [
            Error::Timeout {
                what: String::new(),
                timeout_ms: 0,
            }
            .kind(),
            Error::BrowserCrashed(String::new()).kind(),
            Error::RendererCrashed.kind(),
            Error::Protocol(String::new()).kind(),
        ];
        for kind in RETRIED_KINDS {
            assert!(kinds.contains(kind), "{kind} is not an error kind");
        }
    }
}
