//! The tracker sink: answers every request to a tracker host that has no file for it, the way a
//! real pixel endpoint does (a 1×1 GIF, or 204 for beacons), and lets credentialed cross-origin
//! `fetch`/XHR pixels through CORS so that the page's request completes as it would in the wild.

use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::{
    HeaderValue, ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS,
    ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, CACHE_CONTROL, CONTENT_TYPE,
    ORIGIN, VARY,
};
use hyper::{HeaderMap, Method, Response, StatusCode};

use super::body::{empty, full, ResponseBody};
use super::records::MAX_HIT_BODY_BYTES;

/// A 1×1 transparent GIF (GIF89a, two-colour table, graphic control extension marking colour 0
/// transparent), what tracking pixels conventionally return.
pub(crate) const TRANSPARENT_GIF: [u8; 43] = [
    b'G', b'I', b'F', b'8', b'9', b'a', // signature
    0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, // 1×1, global colour table of 2, bg 0
    0x00, 0x00, 0x00, 0xff, 0xff, 0xff, // colour table: black, white
    0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, // graphic control: colour 0 transparent
    0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, // image descriptor 1×1
    0x02, 0x02, 0x44, 0x01, 0x00, // LZW data: one pixel of colour 0
    0x3b, // trailer
];

/// Request bytes read past [`MAX_HIT_BODY_BYTES`] before giving up on a body; bounds the time a
/// client can keep the handler busy while the stored part stays at 1 MiB.
const MAX_DRAINED_BODY_BYTES: usize = 64 * 1024 * 1024;

/// The sink's answer to a request that is not a CORS preflight: GET/HEAD get the GIF (HEAD's body
/// is dropped by hyper), other methods 204. Never cached, so every repeat reaches the log.
pub(crate) fn answer(method: &Method) -> Response<ResponseBody> {
    let mut response = if method == Method::GET || method == Method::HEAD {
        let mut response = Response::new(full(&TRANSPARENT_GIF[..]));
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("image/gif"));
        response
    } else {
        let mut response = Response::new(empty());
        *response.status_mut() = StatusCode::NO_CONTENT;
        response
    };
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Whether a request is a CORS preflight (OPTIONS with `Access-Control-Request-Method`).
pub(crate) fn is_preflight(method: &Method, headers: &HeaderMap) -> bool {
    method == Method::OPTIONS && headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD)
}

/// The answer to a CORS preflight: allows the method and headers asked for.
pub(crate) fn preflight(request_headers: &HeaderMap) -> Response<ResponseBody> {
    let mut response = Response::new(empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    if let Some(method) = request_headers.get(ACCESS_CONTROL_REQUEST_METHOD) {
        headers.insert(ACCESS_CONTROL_ALLOW_METHODS, method.clone());
    }
    if let Some(asked) = request_headers.get(ACCESS_CONTROL_REQUEST_HEADERS) {
        headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, asked.clone());
    }
    headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    response
}

/// Allows the requesting origin with credentials. A credentialed request may not be answered
/// with `*`, so the origin is echoed; without an Origin header there is nothing to allow.
pub(crate) fn add_cors_headers(request_headers: &HeaderMap, response_headers: &mut HeaderMap) {
    response_headers.append(VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = request_headers.get(ORIGIN) {
        response_headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        response_headers.insert(
            ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
    }
}

/// Reads a request body, keeping its first [`MAX_HIT_BODY_BYTES`] bytes.
pub(crate) async fn capture_body(mut body: Incoming) -> Vec<u8> {
    let mut kept = Vec::new();
    let mut seen = 0usize;
    while let Some(Ok(frame)) = body.frame().await {
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        seen = seen.saturating_add(data.len());
        let room = MAX_HIT_BODY_BYTES.saturating_sub(kept.len());
        kept.extend_from_slice(&data[..data.len().min(room)]);
        if seen > MAX_HIT_BODY_BYTES + MAX_DRAINED_BODY_BYTES {
            break;
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gif_is_one_transparent_pixel() {
        assert_eq!(&TRANSPARENT_GIF[..6], b"GIF89a");
        let width = u16::from_le_bytes([TRANSPARENT_GIF[6], TRANSPARENT_GIF[7]]);
        let height = u16::from_le_bytes([TRANSPARENT_GIF[8], TRANSPARENT_GIF[9]]);
        assert_eq!((width, height), (1, 1));
        // Graphic control extension: transparency flag set, transparent index 0.
        assert_eq!(&TRANSPARENT_GIF[19..22], &[0x21, 0xf9, 0x04]);
        assert_eq!(TRANSPARENT_GIF[22] & 1, 1);
        assert_eq!(TRANSPARENT_GIF[42], 0x3b);
    }

    #[test]
    fn get_gets_the_gif_and_post_gets_no_content() {
        let get = answer(&Method::GET);
        assert_eq!(get.status(), StatusCode::OK);
        assert_eq!(get.headers()[CONTENT_TYPE], "image/gif");
        assert_eq!(get.headers()[CACHE_CONTROL], "no-store");
        let post = answer(&Method::POST);
        assert_eq!(post.status(), StatusCode::NO_CONTENT);
        assert!(post.headers().get(CONTENT_TYPE).is_none());
    }

    #[test]
    fn preflight_allows_what_was_asked() {
        let mut request = HeaderMap::new();
        assert!(!is_preflight(&Method::OPTIONS, &request));
        request.insert(
            ACCESS_CONTROL_REQUEST_METHOD,
            HeaderValue::from_static("POST"),
        );
        request.insert(
            ACCESS_CONTROL_REQUEST_HEADERS,
            HeaderValue::from_static("content-type"),
        );
        assert!(is_preflight(&Method::OPTIONS, &request));
        assert!(!is_preflight(&Method::POST, &request));
        let response = preflight(&request);
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(response.headers()[ACCESS_CONTROL_ALLOW_METHODS], "POST");
        assert_eq!(
            response.headers()[ACCESS_CONTROL_ALLOW_HEADERS],
            "content-type"
        );
    }

    #[test]
    fn cors_echoes_the_origin_with_credentials() {
        let mut request = HeaderMap::new();
        let mut response = HeaderMap::new();
        add_cors_headers(&request, &mut response);
        assert!(response.get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
        request.insert(ORIGIN, HeaderValue::from_static("https://pharmacy.test"));
        add_cors_headers(&request, &mut response);
        assert_eq!(
            response[ACCESS_CONTROL_ALLOW_ORIGIN],
            "https://pharmacy.test"
        );
        assert_eq!(response[ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");
    }
}
