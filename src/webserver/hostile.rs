//! The hostile web, under the reserved prefix `/__cl/` on every host: the ways real servers
//! misbehave, so that tests can check the visit survives them.
//!
//! | route | behaviour |
//! |---|---|
//! | `hang` | accepts the request and never answers |
//! | `slow?ms=N` | answers after N ms (at most ten minutes) |
//! | `slowloris` | sends the headers, then one byte per second forever |
//! | `big?mb=N` | streams N MiB (default 1, at most 1024) of HTML-ish text |
//! | `redirect-loop?n=K` | 302 to itself with `n=K+1`, forever |
//! | `redirect?to=URL` | 302 to URL |
//! | `status/NNN` | answers with status NNN (200–599) |
//! | `empty` | 200 with a 0-byte body |
//! | `close` | closes the connection without answering |
//! | `download` | a binary attachment (`Content-Disposition: attachment`) |

use std::time::Duration;

use hyper::header::{HeaderValue, CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use hyper::{Response, StatusCode};

use super::body::{empty, full, BigBody, ResponseBody, TrickleBody};
use http_body_util::BodyExt;

/// The reserved path prefix.
pub(crate) const PREFIX: &str = "/__cl/";

const MAX_SLOW_MS: u64 = 10 * 60 * 1000;
const DEFAULT_BIG_MIB: u64 = 1;
const MAX_BIG_MIB: u64 = 1024;
const SLOWLORIS_INTERVAL: Duration = Duration::from_secs(1);
const DOWNLOAD_FILE_NAME: &str = "consentlens-download.bin";
const DOWNLOAD_BYTES: usize = 4096;

/// What to do with a hostile-web request.
pub(crate) enum HostileAnswer {
    Respond(Response<ResponseBody>),
    /// Never answer; the request stays open until the client or the server goes away.
    Hang,
    /// Close the connection without a response.
    Close,
}

/// Answers the route after [`PREFIX`] (`slow`, `status/503`, …) with its query string.
pub(crate) async fn answer(route: &str, query: Option<&str>) -> HostileAnswer {
    let respond = HostileAnswer::Respond;
    match route {
        "hang" => HostileAnswer::Hang,
        "close" => HostileAnswer::Close,
        "slow" => {
            let ms = query_u64(query, "ms").unwrap_or(0).min(MAX_SLOW_MS);
            tokio::time::sleep(Duration::from_millis(ms)).await;
            respond(html(
                StatusCode::OK,
                &format!("slow: answered after {ms} ms"),
            ))
        }
        "slowloris" => {
            let mut response = Response::new(TrickleBody::new(SLOWLORIS_INTERVAL).boxed_unsync());
            set_content_type(&mut response, "text/html; charset=utf-8");
            respond(response)
        }
        "big" => {
            let mib = query_u64(query, "mb")
                .unwrap_or(DEFAULT_BIG_MIB)
                .min(MAX_BIG_MIB);
            let mut response = Response::new(BigBody::new(mib * 1024 * 1024).boxed_unsync());
            set_content_type(&mut response, "text/html; charset=utf-8");
            respond(response)
        }
        "redirect-loop" => {
            let next = query_u64(query, "n").unwrap_or(0).saturating_add(1);
            respond(redirect(&format!("{PREFIX}redirect-loop?n={next}")))
        }
        "redirect" => match query_value(query, "to") {
            Some(to) if HeaderValue::from_str(&to).is_ok() => respond(redirect(&to)),
            _ => respond(html(StatusCode::BAD_REQUEST, "redirect needs ?to=URL")),
        },
        "empty" => {
            let mut response = Response::new(empty());
            set_content_type(&mut response, "text/html; charset=utf-8");
            respond(response)
        }
        "download" => respond(download()),
        _ => match route.strip_prefix("status/").and_then(parse_status) {
            Some(status) => respond(html(status, &format!("status {}", status.as_u16()))),
            None => respond(html(
                StatusCode::NOT_FOUND,
                &format!("no hostile-web route {route:?}"),
            )),
        },
    }
}

/// A status for `status/NNN`: final statuses only, since 1xx cannot end a response.
fn parse_status(code: &str) -> Option<StatusCode> {
    let code: u16 = code.parse().ok()?;
    (200..=599)
        .contains(&code)
        .then(|| StatusCode::from_u16(code).ok())
        .flatten()
}

fn query_value(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

fn query_u64(query: Option<&str>, name: &str) -> Option<u64> {
    query_value(query, name)?.trim().parse().ok()
}

fn set_content_type(response: &mut Response<ResponseBody>, content_type: &'static str) {
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
}

fn html(status: StatusCode, text: &str) -> Response<ResponseBody> {
    // Bodies on 204/304 are not allowed; hyper drops them, but do not rely on it.
    let body = if status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED {
        empty()
    } else {
        let text = escape_html(text);
        full(format!(
            "<!doctype html><title>{text}</title><p>{text}</p>\n"
        ))
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    set_content_type(&mut response, "text/html; charset=utf-8");
    response
}

/// Escapes text for an HTML page; routes come from the network.
pub(crate) fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// A 302 to `location`, which the caller has checked is a valid header value.
fn redirect(location: &str) -> Response<ResponseBody> {
    let mut response = html(StatusCode::FOUND, "redirect");
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

fn download() -> Response<ResponseBody> {
    // Every byte value, so that any text decoding along the way would show.
    let bytes: Vec<u8> = (0..DOWNLOAD_BYTES).map(|i| (i % 256) as u8).collect();
    let mut response = Response::new(full(bytes));
    set_content_type(&mut response, "application/octet-stream");
    let disposition = format!("attachment; filename=\"{DOWNLOAD_FILE_NAME}\"");
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response.headers_mut().insert(CONTENT_DISPOSITION, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn respond(route: &str, query: Option<&str>) -> Response<ResponseBody> {
        match answer(route, query).await {
            HostileAnswer::Respond(response) => response,
            HostileAnswer::Hang => panic!("{route} hangs"),
            HostileAnswer::Close => panic!("{route} closes"),
        }
    }

    #[tokio::test]
    async fn redirect_loop_counts_up() {
        let response = respond("redirect-loop", Some("n=7")).await;
        assert_eq!(response.status(), StatusCode::FOUND);
        assert_eq!(response.headers()[LOCATION], "/__cl/redirect-loop?n=8");
        let first = respond("redirect-loop", None).await;
        assert_eq!(first.headers()[LOCATION], "/__cl/redirect-loop?n=1");
    }

    #[tokio::test]
    async fn redirect_decodes_its_target_and_refuses_bad_ones() {
        let response = respond("redirect", Some("to=https%3A%2F%2Fsite.test%2Fa%3Fb%3D1")).await;
        assert_eq!(response.headers()[LOCATION], "https://site.test/a?b=1");
        let bad = respond("redirect", Some("to=%0d%0aSet-Cookie:%20x=1")).await;
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
        assert!(bad.headers().get(LOCATION).is_none());
        assert_eq!(
            respond("redirect", None).await.status(),
            StatusCode::BAD_REQUEST
        );
    }

    #[tokio::test]
    async fn status_route_answers_final_statuses_only() {
        assert_eq!(
            respond("status/503", None).await.status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            respond("status/204", None).await.status(),
            StatusCode::NO_CONTENT
        );
        for bad in ["status/101", "status/600", "status/abc", "status/"] {
            assert_eq!(respond(bad, None).await.status(), StatusCode::NOT_FOUND);
        }
    }

    #[tokio::test]
    async fn big_is_bounded_and_sized() {
        let response = respond("big", Some("mb=2")).await;
        assert_eq!(
            hyper::body::Body::size_hint(response.body()).exact(),
            Some(2 * 1024 * 1024)
        );
        let capped = respond("big", Some("mb=999999")).await;
        assert_eq!(
            hyper::body::Body::size_hint(capped.body()).exact(),
            Some(MAX_BIG_MIB * 1024 * 1024)
        );
    }

    #[tokio::test]
    async fn download_is_an_attachment() {
        let response = respond("download", None).await;
        assert_eq!(
            response.headers()[CONTENT_DISPOSITION],
            "attachment; filename=\"consentlens-download.bin\""
        );
        assert_eq!(response.headers()[CONTENT_TYPE], "application/octet-stream");
    }

    #[tokio::test]
    async fn hang_and_close_are_not_answers() {
        assert!(matches!(answer("hang", None).await, HostileAnswer::Hang));
        assert!(matches!(answer("close", None).await, HostileAnswer::Close));
        assert_eq!(
            respond("nonsense", None).await.status(),
            StatusCode::NOT_FOUND
        );
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape_html("<script>a&'b\"</script>"),
            "&lt;script&gt;a&amp;&#39;b&quot;&lt;/script&gt;"
        );
    }

    #[tokio::test]
    async fn slow_waits_about_the_time_asked() {
        let started = std::time::Instant::now();
        let response = respond("slow", Some("ms=60")).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(started.elapsed() >= Duration::from_millis(60));
    }
}
