//! Sidecar header files: `<file>.headers` next to a file (and `_sink.headers` in a host's folder)
//! add response headers, one `Name: value` per line, and may set the status with `Status: NNN`.
//!
//! ```text
//! # lines starting with '#' are comments
//! Status: 200
//! Set-Cookie: _fbp=fb.1.1700000000000.42; Path=/; Max-Age=7776000
//! Set-Cookie: other=1; Path=/
//! Cache-Control: max-age=3600
//! ```
//!
//! A header named in the sidecar replaces the server's default of that name (Content-Type,
//! Cache-Control); repeated names are all sent.

use std::path::Path;

use hyper::header::{HeaderName, HeaderValue};
use hyper::{HeaderMap, StatusCode};

/// Sidecars are hand-written fixture files; anything larger is a mistake, not a header list.
const MAX_SIDECAR_BYTES: u64 = 64 * 1024;

/// The parsed content of a sidecar file.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Sidecar {
    pub status: Option<StatusCode>,
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl Sidecar {
    /// Parses a sidecar; the error names the first bad line, so a broken fixture is obvious.
    pub fn parse(text: &str) -> Result<Sidecar, String> {
        let mut sidecar = Sidecar::default();
        for (index, raw_line) in text.lines().enumerate() {
            let line_number = index + 1;
            let line = raw_line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((name, value)) = line.split_once(':') else {
                return Err(format!("line {line_number}: expected `Name: value`"));
            };
            let (name, value) = (name.trim(), value.trim());
            if name.eq_ignore_ascii_case("status") {
                let status = value
                    .parse::<u16>()
                    .ok()
                    .and_then(|code| StatusCode::from_u16(code).ok())
                    .filter(|status| !status.is_informational())
                    .ok_or_else(|| format!("line {line_number}: bad status {value:?}"))?;
                sidecar.status = Some(status);
                continue;
            }
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("line {line_number}: bad header name {name:?}"))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| format!("line {line_number}: bad header value for {name}"))?;
            sidecar.headers.push((name, value));
        }
        Ok(sidecar)
    }

    /// Reads and parses the sidecar at `path`; `Ok(None)` when there is none.
    pub async fn read(path: &Path) -> Result<Option<Sidecar>, String> {
        let metadata = match tokio::fs::metadata(path).await {
            Ok(metadata) if metadata.is_file() => metadata,
            _ => return Ok(None),
        };
        if metadata.len() > MAX_SIDECAR_BYTES {
            return Err(format!(
                "{}: larger than {MAX_SIDECAR_BYTES} bytes",
                path.display()
            ));
        }
        let text = tokio::fs::read_to_string(path)
            .await
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Sidecar::parse(&text)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Applies the sidecar over a response's defaults.
    pub fn apply(&self, status: &mut StatusCode, headers: &mut HeaderMap) {
        if let Some(sidecar_status) = self.status {
            *status = sidecar_status;
        }
        for (name, _) in &self.headers {
            headers.remove(name);
        }
        for (name, value) in &self.headers {
            headers.append(name.clone(), value.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::{CONTENT_TYPE, SET_COOKIE};

    #[test]
    fn parses_status_repeated_headers_and_comments() {
        let sidecar = Sidecar::parse(
            "# fixture\nStatus: 201\n\nSet-Cookie: a=1; Path=/\nset-cookie: b=2\nX-Note:  spaced value  \n",
        )
        .unwrap();
        assert_eq!(sidecar.status, Some(StatusCode::CREATED));
        let cookies: Vec<_> = sidecar
            .headers
            .iter()
            .filter(|(name, _)| name == SET_COOKIE)
            .map(|(_, value)| value.to_str().unwrap())
            .collect();
        assert_eq!(cookies, ["a=1; Path=/", "b=2"]);
        assert_eq!(sidecar.headers[2].1, "spaced value");
    }

    #[test]
    fn value_may_contain_colons() {
        let sidecar = Sidecar::parse("Location: https://site.test:443/next").unwrap();
        assert_eq!(sidecar.headers[0].1, "https://site.test:443/next");
    }

    #[test]
    fn rejects_bad_lines_with_their_number() {
        assert_eq!(
            Sidecar::parse("X-Ok: 1\nno colon here").unwrap_err(),
            "line 2: expected `Name: value`"
        );
        assert!(Sidecar::parse("Status: abc")
            .unwrap_err()
            .contains("bad status"));
        assert!(Sidecar::parse("Status: 101")
            .unwrap_err()
            .contains("bad status"));
        assert!(Sidecar::parse("Bad Name: 1")
            .unwrap_err()
            .contains("bad header name"));
        assert!(Sidecar::parse("X-Evil: a\u{7}b")
            .unwrap_err()
            .contains("bad header value"));
    }

    #[test]
    fn sidecar_headers_replace_defaults_of_the_same_name() {
        let sidecar = Sidecar::parse(
            "Content-Type: application/javascript\nSet-Cookie: a=1\nSet-Cookie: b=2",
        )
        .unwrap();
        let mut status = StatusCode::OK;
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        headers.insert("x-default", HeaderValue::from_static("kept"));
        sidecar.apply(&mut status, &mut headers);
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[CONTENT_TYPE], "application/javascript");
        assert_eq!(headers.get_all(CONTENT_TYPE).iter().count(), 1);
        assert_eq!(headers.get_all(SET_COOKIE).iter().count(), 2);
        assert_eq!(headers["x-default"], "kept");
    }

    #[tokio::test]
    async fn reading_a_missing_sidecar_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            Sidecar::read(&dir.path().join("nothing.headers"))
                .await
                .unwrap(),
            None
        );
        let path = dir.path().join("page.html.headers");
        std::fs::write(&path, "Status: 404\n").unwrap();
        let sidecar = Sidecar::read(&path).await.unwrap().unwrap();
        assert_eq!(sidecar.status, Some(StatusCode::NOT_FOUND));
    }
}
