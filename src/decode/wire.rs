//! Reading pixel payloads off the wire: query strings, form and multipart bodies, gzip, base64 and
//! JSON, each bounded and lossy rather than failing. Everything here treats its input as hostile.

use std::io::Read;

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use serde_json::Value;
use url::Url;

use crate::model::Request;

/// Bodies beyond this are cut before decoding: no pixel sends more, a page might.
pub(crate) const MAX_BODY_BYTES: usize = 4 << 20;
/// Decompressed bodies are cut here (a gzip bomb inflates a thousandfold).
pub(crate) const MAX_INFLATED_BYTES: usize = 16 << 20;
/// Parameters read from one query string or body.
pub(crate) const MAX_PARAMS: usize = 2_000;
/// Layers of gzip/base64 wrapping peeled before giving up.
const MAX_LAYERS: usize = 4;

/// A recorded request as the decoders see it: URL, content type and body bytes. (No decoder
/// needs the method: pixels send the same parameters by GET and POST.)
#[derive(Debug, Clone)]
pub(crate) struct WireRequest<'a> {
    pub url: &'a str,
    pub content_type: Option<&'a str>,
    pub body: Option<Vec<u8>>,
    parsed: Option<Url>,
}

impl<'a> WireRequest<'a> {
    pub(crate) fn new(
        url: &'a str,
        content_type: Option<&'a str>,
        body: Option<Vec<u8>>,
    ) -> WireRequest<'a> {
        let body = body.map(|mut bytes| {
            bytes.truncate(MAX_BODY_BYTES);
            bytes
        });
        WireRequest {
            url,
            content_type,
            body,
            parsed: Url::parse(url).ok(),
        }
    }

    pub(crate) fn from_request(request: &'a Request) -> WireRequest<'a> {
        WireRequest::new(
            &request.url,
            request.content_type.as_deref(),
            request.body_bytes(),
        )
    }

    /// The lower-cased path, `/` when the URL does not parse.
    pub(crate) fn path_lower(&self) -> String {
        self.parsed
            .as_ref()
            .map_or_else(|| "/".to_string(), |u| u.path().to_ascii_lowercase())
    }

    /// The raw (still percent-encoded) path.
    pub(crate) fn path(&self) -> &str {
        self.parsed.as_ref().map_or("/", |u| u.path())
    }

    /// Decoded query parameters, in order, duplicates kept.
    pub(crate) fn query_pairs(&self) -> Vec<(String, String)> {
        match self.parsed.as_ref().and_then(|u| u.query()) {
            Some(query) => form_pairs(query.as_bytes()),
            None => Vec::new(),
        }
    }

    /// Parameters of a form or multipart body; empty for other bodies.
    pub(crate) fn body_pairs(&self) -> Vec<(String, String)> {
        let Some(body) = self.body.as_deref() else {
            return Vec::new();
        };
        if let Some(boundary) = self.content_type.and_then(multipart_boundary) {
            return multipart_pairs(body, &boundary);
        }
        let is_form = self
            .content_type
            .is_some_and(|ct| ct.to_ascii_lowercase().contains("x-www-form-urlencoded"));
        let trimmed = trim_ascii(body);
        let looks_structured = matches!(trimmed.first(), Some(b'{') | Some(b'['));
        if is_form || (!looks_structured && looks_like_form(trimmed)) {
            form_pairs(trimmed)
        } else {
            Vec::new()
        }
    }

    /// Query parameters followed by body parameters (body values come last, so they win in maps).
    pub(crate) fn all_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = self.query_pairs();
        pairs.extend(self.body_pairs());
        pairs.truncate(MAX_PARAMS);
        pairs
    }

    /// The body as JSON, through any gzip/zlib and base64 wrapping.
    pub(crate) fn body_json(&self) -> Option<Value> {
        json_layers(self.body.as_deref()?)
    }

    /// The body as text, through any gzip/zlib wrapping (lossy UTF-8).
    pub(crate) fn body_text(&self) -> Option<String> {
        let body = self.body.as_deref()?;
        let bytes = inflate(body).unwrap_or_else(|| body.to_vec());
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// `a=1&b=2` with `+` as space and lossy percent-decoding, at most [`MAX_PARAMS`] pairs.
pub(crate) fn form_pairs(input: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(input)
        .take(MAX_PARAMS)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// `a=1;b=2` as Floodlight and Google Ads' `data=` write them: percent-decoded, no `+` rule.
pub(crate) fn semicolon_pairs(input: &str) -> Vec<(String, String)> {
    input
        .split(';')
        .filter(|part| !part.is_empty())
        .take(MAX_PARAMS)
        .map(|part| {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

pub(crate) fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

fn looks_like_form(body: &[u8]) -> bool {
    !body.is_empty()
        && body.contains(&b'=')
        && body
            .iter()
            .all(|&b| b.is_ascii_graphic() || b == b' ' || b == b'\n' || b == b'\r')
}

fn trim_ascii(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

fn multipart_boundary(content_type: &str) -> Option<String> {
    if !content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        return None;
    }
    content_type.split(';').find_map(|param| {
        let (key, value) = param.trim().split_once('=')?;
        if key.trim().eq_ignore_ascii_case("boundary") {
            let value = value.trim().trim_matches('"');
            (!value.is_empty()).then(|| value.to_string())
        } else {
            None
        }
    })
}

/// The named text fields of a `multipart/form-data` body (files are read as text too).
pub(crate) fn multipart_pairs(body: &[u8], boundary: &str) -> Vec<(String, String)> {
    let delimiter = format!("--{boundary}");
    let mut pairs = Vec::new();
    for part in split_bytes(body, delimiter.as_bytes()).skip(1) {
        if part.starts_with(b"--") || pairs.len() >= MAX_PARAMS {
            break;
        }
        let part = part
            .strip_prefix(b"\r\n")
            .or_else(|| part.strip_prefix(b"\n"))
            .unwrap_or(part);
        let (headers, value) = match find_bytes(part, b"\r\n\r\n") {
            Some(i) => (&part[..i], &part[i + 4..]),
            None => match find_bytes(part, b"\n\n") {
                Some(i) => (&part[..i], &part[i + 2..]),
                None => continue,
            },
        };
        let value = value
            .strip_suffix(b"\r\n")
            .or_else(|| value.strip_suffix(b"\n"))
            .unwrap_or(value);
        let headers = String::from_utf8_lossy(headers);
        let Some(name) = disposition_name(&headers) else {
            continue;
        };
        pairs.push((name, String::from_utf8_lossy(value).into_owned()));
    }
    pairs
}

fn disposition_name(headers: &str) -> Option<String> {
    let line = headers
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))?;
    let start = line.find("name=\"")? + "name=\"".len();
    let rest = line.get(start..)?;
    let end = rest.find('"')?;
    Some(rest[..end].to_string())
}

fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn split_bytes<'h>(haystack: &'h [u8], needle: &'h [u8]) -> impl Iterator<Item = &'h [u8]> + 'h {
    let mut rest = Some(haystack);
    std::iter::from_fn(move || {
        let current = rest?;
        match find_bytes(current, needle) {
            Some(i) => {
                rest = Some(&current[i + needle.len()..]);
                Some(&current[..i])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// Gunzips or inflates a zlib stream. A truncated stream yields what was decoded before the cut;
/// input that is neither yields `None`.
pub(crate) fn inflate(bytes: &[u8]) -> Option<Vec<u8>> {
    let limit = MAX_INFLATED_BYTES as u64;
    let mut out = Vec::new();
    let result = if bytes.starts_with(&[0x1f, 0x8b]) {
        flate2::read::MultiGzDecoder::new(bytes)
            .take(limit)
            .read_to_end(&mut out)
    } else if is_zlib_header(bytes) {
        flate2::read::ZlibDecoder::new(bytes)
            .take(limit)
            .read_to_end(&mut out)
    } else {
        return None;
    };
    match result {
        Ok(_) => Some(out),
        Err(_) if !out.is_empty() => Some(out),
        Err(_) => None,
    }
}

fn is_zlib_header(bytes: &[u8]) -> bool {
    match bytes {
        [cmf, flg, ..] => cmf & 0x0f == 8 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0,
        _ => false,
    }
}

const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const BASE64_STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
const BASE64_URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

/// Base64 in either alphabet, padded or not, ignoring whitespace.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    if text.len() > MAX_BODY_BYTES * 2 {
        return None;
    }
    let cleaned: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if cleaned.is_empty() {
        return None;
    }
    BASE64_STANDARD_LENIENT
        .decode(&cleaned)
        .or_else(|_| BASE64_URL_SAFE_LENIENT.decode(&cleaned))
        .ok()
}

fn looks_like_base64(bytes: &[u8]) -> bool {
    bytes.len() >= 4
        && bytes.iter().all(|&b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_')
                || b.is_ascii_whitespace()
        })
}

/// JSON found under up to [`MAX_LAYERS`] layers of gzip/zlib and base64.
pub(crate) fn json_layers(bytes: &[u8]) -> Option<Value> {
    let mut current = bytes.to_vec();
    for _ in 0..=MAX_LAYERS {
        let trimmed = trim_ascii(&current);
        if let Some(inflated) = inflate(trimmed) {
            current = inflated;
            continue;
        }
        if matches!(trimmed.first(), Some(b'{') | Some(b'[')) {
            return serde_json::from_slice(trimmed).ok();
        }
        if looks_like_base64(trimmed) {
            let text = std::str::from_utf8(trimmed).ok()?;
            current = base64_decode(text)?;
            continue;
        }
        return None;
    }
    None
}

/// A parameter value that may hold JSON (`cd[contents]=[{...}]`): the JSON when it parses as an
/// object or array, the text otherwise.
pub(crate) fn json_or_string(text: &str) -> Value {
    let trimmed = text.trim();
    if matches!(trimmed.as_bytes().first(), Some(b'{') | Some(b'[')) {
        if let Ok(value) = serde_json::from_str::<Value>(trimmed) {
            return value;
        }
    }
    Value::String(text.to_string())
}

/// A number when the text is one (`119`, `119.5`), the text otherwise.
pub(crate) fn number_or_string(text: &str) -> Value {
    let trimmed = text.trim();
    if let Ok(int) = trimmed.parse::<i64>() {
        return Value::from(int);
    }
    if let Ok(float) = trimmed.parse::<f64>() {
        if float.is_finite() && !trimmed.is_empty() && !trimmed.starts_with('+') {
            if let Some(number) = serde_json::Number::from_f64(float) {
                return Value::Number(number);
            }
        }
    }
    Value::String(text.to_string())
}

/// A string field of a JSON object, numbers rendered as text.
pub(crate) fn json_str<'v>(value: &'v Value, key: &str) -> Option<std::borrow::Cow<'v, str>> {
    match value.get(key)? {
        Value::String(s) if !s.is_empty() => Some(std::borrow::Cow::Borrowed(s)),
        Value::Number(n) => Some(std::borrow::Cow::Owned(n.to_string())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decoders::test_support::gzip;

    #[test]
    fn form_pairs_decode_plus_and_percent_lossily() {
        let pairs = form_pairs(b"a=1+2&b=%C3%A6%FF&c&=x");
        assert_eq!(pairs[0], ("a".into(), "1 2".into()));
        assert_eq!(pairs[1], ("b".into(), "æ\u{fffd}".into()));
        assert_eq!(pairs[2], ("c".into(), "".into()));
    }

    #[test]
    fn semicolon_pairs_keep_plus_signs() {
        assert_eq!(
            semicolon_pairs("src=1;u1=a+b%20c;;flag"),
            vec![
                ("src".into(), "1".into()),
                ("u1".into(), "a+b c".into()),
                ("flag".into(), "".into())
            ]
        );
    }

    #[test]
    fn multipart_bodies_are_read_by_field_name() {
        let body = "------WebKitFormBoundaryX\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n123\r\n------WebKitFormBoundaryX\r\nContent-Disposition: form-data; name=\"cd[content_name]\"\r\n\r\nGraviditetstest\r\n------WebKitFormBoundaryX--\r\n";
        let request = WireRequest::new(
            "https://www.facebook.com/tr/",
            Some("multipart/form-data; boundary=----WebKitFormBoundaryX"),
            Some(body.as_bytes().to_vec()),
        );
        assert_eq!(
            request.body_pairs(),
            vec![
                ("id".into(), "123".into()),
                ("cd[content_name]".into(), "Graviditetstest".into())
            ]
        );
        // A truncated body yields the complete parts before the cut.
        let truncated = &body[..body.len() - 40];
        assert_eq!(
            multipart_pairs(truncated.as_bytes(), "----WebKitFormBoundaryX").len(),
            2
        );
        assert!(multipart_pairs(b"garbage", "x").is_empty());
    }

    #[test]
    fn json_is_found_under_gzip_and_base64() {
        let json = br#"{"a":1}"#;
        let expected: Value = serde_json::json!({"a": 1});
        assert_eq!(json_layers(json), Some(expected.clone()));
        assert_eq!(json_layers(&gzip(json)), Some(expected.clone()));
        let b64_of_gzip = base64::engine::general_purpose::STANDARD.encode(gzip(json));
        assert_eq!(json_layers(b64_of_gzip.as_bytes()), Some(expected.clone()));
        let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
        assert_eq!(json_layers(url_safe.as_bytes()), Some(expected));
        assert_eq!(json_layers(b"not json at all!"), None);
        assert_eq!(json_layers(b"{\"a\":"), None);
    }

    #[test]
    fn truncated_gzip_yields_what_was_decoded() {
        let text = "x".repeat(10_000);
        let compressed = gzip(text.as_bytes());
        let cut = &compressed[..compressed.len() - 8];
        let out = inflate(cut).unwrap();
        assert!(!out.is_empty() && out.len() <= text.len());
        assert_eq!(inflate(b"\x1f\x8bnot really gzip"), None);
        assert_eq!(inflate(b"plain"), None);
    }

    #[test]
    fn inflating_is_bounded() {
        let zeros = vec![0u8; MAX_INFLATED_BYTES + 1024];
        let bomb = gzip(&zeros);
        assert_eq!(inflate(&bomb).unwrap().len(), MAX_INFLATED_BYTES);
    }

    #[test]
    fn base64_accepts_both_alphabets_and_missing_padding() {
        assert_eq!(base64_decode("aGk=").unwrap(), b"hi");
        assert_eq!(base64_decode("aGk").unwrap(), b"hi");
        assert_eq!(base64_decode("-_8").unwrap(), vec![0xfb, 0xff]);
        assert_eq!(base64_decode("a G\nk=").unwrap(), b"hi");
        assert!(base64_decode("!!!").is_none());
        assert!(base64_decode("").is_none());
    }

    #[test]
    fn values_become_numbers_or_json_when_they_are() {
        assert_eq!(number_or_string("119"), Value::from(119));
        assert_eq!(number_or_string("119.5"), serde_json::json!(119.5));
        assert_eq!(number_or_string("NaN"), Value::from("NaN"));
        assert_eq!(number_or_string("12abc"), Value::from("12abc"));
        assert_eq!(
            json_or_string(r#"["1","2"]"#),
            serde_json::json!(["1", "2"])
        );
        assert_eq!(json_or_string("[not json"), Value::from("[not json"));
    }

    #[test]
    fn plain_text_bodies_are_not_mistaken_for_forms() {
        let json = WireRequest::new("https://x.example/", None, Some(br#"{"a=b":1}"#.to_vec()));
        assert!(json.body_pairs().is_empty());
        let binary = WireRequest::new("https://x.example/", None, Some(vec![0x1f, 0x8b, b'=']));
        assert!(binary.body_pairs().is_empty());
        let form = WireRequest::new("https://x.example/", None, Some(b"a=1&b=2".to_vec()));
        assert_eq!(form.body_pairs().len(), 2);
    }
}
