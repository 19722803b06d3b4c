//! The core's one error type. Each variant has a stable `kind` id, used both in the result
//! document (`error.kind`) and to pick the Python exception class at the boundary.

use std::path::PathBuf;

/// Everything that can stop an evaluation or a crawl. Measurement outcomes (no dialog found,
/// refusal failed) are not errors: they are results.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("refused URL {url:?}: only http and https pages are evaluated, not {scheme}:")]
    ForbiddenScheme { url: String, scheme: String },
    #[error("refused URL {url:?}: {host} is a private, loopback or link-local address")]
    ForbiddenAddress { url: String, host: String },
    #[error(
        "no Chromium found: set CONSENTLENS_CHROME to its path, or install it \
         (Debian/Ubuntu: `sudo apt-get install -y chromium`)"
    )]
    BrowserNotFound,
    #[error("could not start Chromium at {path}: {message}")]
    LaunchFailed { path: PathBuf, message: String },
    #[error("the browser crashed or went away: {0}")]
    BrowserCrashed(String),
    #[error("the page's renderer crashed")]
    RendererCrashed,
    #[error("could not resolve the host name of {url} ({message})")]
    Dns { url: String, message: String },
    #[error("TLS failure for {url} ({message})")]
    Tls { url: String, message: String },
    #[error("connection to {url} was refused ({message})")]
    ConnectionRefused { url: String, message: String },
    #[error("connection to {url} failed ({message})")]
    Connection { url: String, message: String },
    #[error("navigation to {url} failed ({message})")]
    Navigation { url: String, message: String },
    #[error("{what} timed out after {timeout_ms} ms")]
    Timeout { what: String, timeout_ms: u64 },
    #[error("DevTools protocol error: {0}")]
    Protocol(String),
    #[error("tracker list {path}: {message}")]
    TrackerList { path: PathBuf, message: String },
    #[error("study store {path}: {message}")]
    Store { path: PathBuf, message: String },
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A text read back as a result document that is not one (the message says what and where).
    #[error("{0}")]
    ResultFormat(String),
    #[error("interrupted")]
    Interrupted,
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// The stable, lower-case id written to `error.kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::InvalidUrl { .. } => "invalid_url",
            Error::ForbiddenScheme { .. } => "forbidden_scheme",
            Error::ForbiddenAddress { .. } => "forbidden_address",
            Error::BrowserNotFound => "browser_not_found",
            Error::LaunchFailed { .. } => "launch_failed",
            Error::BrowserCrashed(_) => "browser_crashed",
            Error::RendererCrashed => "renderer_crashed",
            Error::Dns { .. } => "dns",
            Error::Tls { .. } => "tls",
            Error::ConnectionRefused { .. } => "connection_refused",
            Error::Connection { .. } => "connection_failed",
            Error::Navigation { .. } => "navigation_failed",
            Error::Timeout { .. } => "timeout",
            Error::Protocol(_) => "protocol",
            Error::TrackerList { .. } => "tracker_list",
            Error::Store { .. } => "store",
            Error::Config(_) => "config",
            Error::ResultFormat(_) => "result_format",
            Error::Interrupted => "interrupted",
            Error::Io(_) => "io",
        }
    }

    /// Whether this error belongs to one site (recorded as its result) rather than to the run.
    pub fn is_site_error(&self) -> bool {
        !matches!(
            self,
            Error::BrowserNotFound
                | Error::LaunchFailed { .. }
                | Error::TrackerList { .. }
                | Error::Store { .. }
                | Error::Config(_)
                | Error::Interrupted
        )
    }

    /// Classify a Chromium `net::ERR_*` navigation error text.
    pub fn from_net_error(url: &str, error_text: &str) -> Error {
        let (url, message) = (url.to_string(), error_text.to_string());
        let e = error_text;
        if e.contains("NAME_NOT_RESOLVED") || e.contains("NAME_RESOLUTION") || e.contains("DNS") {
            Error::Dns { url, message }
        } else if e.contains("CERT") || e.contains("SSL") || e.contains("TLS") {
            Error::Tls { url, message }
        } else if e.contains("CONNECTION_REFUSED") {
            Error::ConnectionRefused { url, message }
        } else if e.contains("TIMED_OUT") {
            Error::Timeout {
                what: format!("connecting to {url}"),
                timeout_ms: 0,
            }
        } else if e.contains("CONNECTION") || e.contains("ADDRESS") || e.contains("EMPTY_RESPONSE")
        {
            Error::Connection { url, message }
        } else {
            Error::Navigation { url, message }
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn net_errors_get_their_kind() {
        let u = "https://x.test/";
        assert_eq!(
            Error::from_net_error(u, "net::ERR_NAME_NOT_RESOLVED").kind(),
            "dns"
        );
        assert_eq!(
            Error::from_net_error(u, "net::ERR_CERT_AUTHORITY_INVALID").kind(),
            "tls"
        );
        assert_eq!(
            Error::from_net_error(u, "net::ERR_CONNECTION_REFUSED").kind(),
            "connection_refused"
        );
        assert_eq!(
            Error::from_net_error(u, "net::ERR_TIMED_OUT").kind(),
            "timeout"
        );
        assert_eq!(
            Error::from_net_error(u, "net::ERR_ABORTED").kind(),
            "navigation_failed"
        );
    }
}
