//! Entry points for the cargo-fuzz targets in `fuzz/` and for `tests/fuzz_replay.rs`, which
//! replays their corpora on stable Rust. Each target is one line calling one function here; each
//! function takes arbitrary bytes, must never panic on them, and checks what must hold of its
//! output (a failed check panics, which is how the fuzzer reports it).
//!
//! | target | function | what it exercises |
//! |---|---|---|
//! | `decode_request` | [`decode_request_input`] | every payload decoder (see [`crate::decode::fuzzing`]) |
//! | `parse_list` | [`parse_list_input`] | the filter-list loader and matcher |
//! | `check_url` | [`check_url_input`] | the input policy and the registrable-domain logic |
//! | `read_report` | [`read_report_input`] | reading a result document back, and rendering it |
//!
//! Only the crate's public API is used here, so the targets test what callers can reach.

use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use url::Host;

pub use crate::decode::fuzzing::{decode_request_input, parse_list_input};
use crate::model::SiteReport;
use crate::report::{read_document, site_card_html, site_report_html, Images};
use crate::visit::site::{is_third_party, registrable_domain, same_site, site_domain};
use crate::visit::target::check_url;

/// Inputs beyond this are cut, as the decoders cut bodies.
const MAX_INPUT_BYTES: usize = 1 << 20;

fn cut(data: &[u8]) -> &[u8] {
    &data[..data.len().min(MAX_INPUT_BYTES)]
}

/// What the input policy made of one text: the URL it would open, or the error kind, both when
/// private addresses are allowed (a researcher's machine) and when they are not (hosted use).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlVerdict {
    /// `check_url(input, true)`: the normalised URL, or the error's `kind`.
    pub local: Result<String, &'static str>,
    /// `check_url(input, false)`.
    pub hosted: Result<String, &'static str>,
    /// The registrable domain of the accepted URL's host (the site its third parties are
    /// counted against).
    pub site: Option<String>,
}

/// Runs one text (lossy UTF-8) through [`check_url`] both ways, and the accepted URL through
/// the site logic. Panics if the policy contradicts itself: a URL accepted for hosted use but
/// not locally, an accepted URL that is not http(s) or has no host, a hosted URL whose host is
/// a loopback, private or link-local address, an accepted URL that is refused or changed when
/// checked again, or a URL that is third-party to its own site (or, for a host whose labels are
/// all non-empty, a site that is empty or not its own site).
pub fn check_url_input(data: &[u8]) -> UrlVerdict {
    let text = String::from_utf8_lossy(cut(data));
    // The site logic also sees raw, unchecked strings (request URLs, cookie domains).
    let raw_site = site_domain(&text);
    let _ = is_third_party(&text, &raw_site);
    let _ = same_site(&text, &registrable_domain(&text));

    let verdict = |allow_private: bool| match check_url(&text, allow_private) {
        Ok(url) => {
            assert!(
                matches!(url.scheme(), "http" | "https"),
                "{text:?} accepted with scheme {}",
                url.scheme()
            );
            let again = check_url(url.as_str(), allow_private).unwrap_or_else(|e| {
                panic!("{text:?} accepted as {url}, which is then refused: {e}")
            });
            assert_eq!(
                again, url,
                "{text:?}: checking the accepted URL again changes it"
            );
            Ok(url)
        }
        Err(error) => {
            let kind = error.kind();
            assert!(
                matches!(kind, "invalid_url" | "forbidden_scheme")
                    || (kind == "forbidden_address" && !allow_private),
                "{text:?} refused with kind {kind} (private addresses allowed: {allow_private})"
            );
            Err(kind)
        }
    };
    let local = verdict(true);
    let hosted = verdict(false);

    if let Ok(url) = &hosted {
        assert_eq!(
            local.as_ref().ok(),
            Some(url),
            "{text:?} accepted for hosted use but not locally"
        );
        match url.host() {
            Some(Host::Ipv4(ip)) => assert!(
                !(ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified()),
                "{text:?}: hosted use would open {ip}"
            ),
            Some(Host::Ipv6(ip)) => assert!(
                !(ip.is_loopback() || ip.is_unspecified()),
                "{text:?}: hosted use would open {ip}"
            ),
            Some(Host::Domain(name)) => assert!(
                !name.eq_ignore_ascii_case("localhost"),
                "{text:?}: hosted use would open {name}"
            ),
            None => {}
        }
    }

    let site = local.as_ref().ok().map(|url| {
        let host = url
            .host_str()
            .unwrap_or_else(|| panic!("{text:?} accepted as {url}, which has no host"));
        let site = registrable_domain(host);
        assert_eq!(site_domain(url.as_str()), site, "{text:?}: two sites");
        assert!(!site.is_empty(), "{text:?}: empty site for host {host:?}");
        assert_eq!(
            registrable_domain(&site),
            site,
            "{text:?}: the site of a site is another site"
        );
        assert!(
            same_site(host, &site) && !is_third_party(url.as_str(), &site),
            "{text:?}: {url} is third-party to its own site {site}"
        );
        site
    });

    UrlVerdict {
        local: local.map(|url| url.to_string()),
        hosted: hosted.map(|url| url.to_string()),
        site,
    }
}

/// A result document read back and rendered.
#[derive(Debug, Clone)]
pub struct RenderedReport {
    pub report: SiteReport,
    /// The screenshots [`Images::load`] found for it.
    pub images: Images,
    /// [`site_report_html`].
    pub html: String,
    /// [`site_card_html`].
    pub card: String,
}

/// An artifacts folder with one screenshot of each kind (`page.png`, `banner.png`,
/// `annotated.png`, and `shots/page.png` one level down), beside a file outside it
/// (`../secret.png`) that no result document may reach.
#[derive(Debug, Clone)]
pub struct ArtifactsFixture {
    pub folder: PathBuf,
    pub secret: Vec<u8>,
}

impl ArtifactsFixture {
    /// The bytes of `<name>` in the fixture's folder.
    pub fn screenshot(name: &str) -> Vec<u8> {
        format!("\u{89}PNG fixture screenshot {name}").into_bytes()
    }

    /// Writes the fixture under `root` (which must exist).
    pub fn create(root: &Path) -> std::io::Result<ArtifactsFixture> {
        let folder = root.join("artifacts");
        std::fs::create_dir_all(folder.join("shots"))?;
        for name in ["page.png", "banner.png", "annotated.png", "shots/page.png"] {
            std::fs::write(folder.join(name), Self::screenshot(name))?;
        }
        let secret = b"SECRET: outside the artifacts folder".to_vec();
        std::fs::write(root.join("secret.png"), &secret)?;
        Ok(ArtifactsFixture { folder, secret })
    }
}

/// Reads arbitrary bytes (lossy UTF-8) as a result document with [`read_document`]; when they
/// parse, loads its screenshots from a fixture folder and renders the HTML report and the card.
/// Panics if a screenshot was read from outside the folder or if either rendering holds markup
/// the renderers do not write (see [`foreign_markup`]).
///
/// The fixture lives in a temporary folder made once per process and left behind (a few
/// bytes); [`read_report_with`] takes one the caller owns.
pub fn read_report_input(data: &[u8]) -> crate::error::Result<RenderedReport> {
    static FIXTURE: OnceLock<ArtifactsFixture> = OnceLock::new();
    let fixture = FIXTURE.get_or_init(|| {
        let root = tempfile::Builder::new()
            .prefix("consentlens-fuzz-")
            .tempdir()
            .expect("a temporary folder for the screenshot fixture")
            .keep();
        ArtifactsFixture::create(&root).expect("the screenshot fixture")
    });
    read_report_with(data, fixture)
}

/// [`read_report_input`] with the caller's fixture.
pub fn read_report_with(
    data: &[u8],
    fixture: &ArtifactsFixture,
) -> crate::error::Result<RenderedReport> {
    let text = String::from_utf8_lossy(cut(data));
    let report = read_document(&text)?;
    let images = Images::load(&report, &fixture.folder);
    for (what, name, bytes) in [
        (
            "banner",
            report.banner.as_ref().and_then(|b| b.screenshot.as_ref()),
            &images.banner,
        ),
        (
            "annotated",
            report
                .banner
                .as_ref()
                .and_then(|b| b.annotated_screenshot.as_ref()),
            &images.annotated,
        ),
        ("page", report.screenshot.as_ref(), &images.page),
    ] {
        if let Some(bytes) = bytes {
            assert!(
                *bytes != fixture.secret,
                "the {what} screenshot {name:?} was read from outside the artifacts folder"
            );
            let name = name.unwrap_or_else(|| panic!("a {what} screenshot from no file name"));
            assert!(
                Path::new(name)
                    .components()
                    .all(|c| matches!(c, Component::Normal(_))),
                "the {what} screenshot {name:?} is not a plain relative name"
            );
        }
    }
    let html = site_report_html(&report, &images);
    let card = site_card_html(&report, &images);
    for (what, markup) in [("HTML report", &html), ("card", &card)] {
        if let Some(problem) = foreign_markup(markup) {
            panic!("the {what} holds markup its renderer did not write: {problem}");
        }
    }
    Ok(RenderedReport {
        report,
        images,
        html,
        card,
    })
}

/// Elements the report and card renderers write.
const RENDERED_ELEMENTS: &[&str] = &[
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "footer",
    "section",
    "h1",
    "h2",
    "h3",
    "p",
    "span",
    "div",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "strong",
    "q",
    "mark",
    "ul",
    "ol",
    "li",
    "br",
    "figure",
    "figcaption",
    "img",
];

/// Attributes the renderers write (never an event handler, never a link).
const RENDERED_ATTRIBUTES: &[&str] = &[
    "lang",
    "charset",
    "http-equiv",
    "content",
    "name",
    "class",
    "id",
    "src",
    "alt",
    "colspan",
];

/// The first piece of markup in `html` that the renderers do not write, if any: a tag other
/// than theirs (`<script`, `<a`, a comment, `</style` where they close no style), an attribute
/// other than theirs (`onerror`, `href`), or an image that is not a `data:image/` URI.
///
/// Sound because maud escapes `&`, `<`, `>` and `"` in text and in attribute values alike: every
/// `<` in the output starts a tag the renderer wrote, which ends at the next `>`, and every
/// attribute value is one double-quoted run. So page text can only show up here if escaping
/// failed somewhere.
pub fn foreign_markup(html: &str) -> Option<String> {
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let end = match after.find('>') {
            Some(end) => end,
            None => return Some(format!("an unclosed tag {:?}", clip(&rest[start..]))),
        };
        let tag = &after[..end];
        rest = &after[end + 1..];
        if tag.eq_ignore_ascii_case("!DOCTYPE html") {
            continue;
        }
        let body = tag.strip_prefix('/').unwrap_or(tag);
        let name_end = body
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(body.len());
        let name = &body[..name_end];
        if !RENDERED_ELEMENTS.contains(&name) {
            return Some(format!("the tag <{}>", clip(tag)));
        }
        // Attributes: name="value" pairs; values are quoted runs without a `"` inside.
        let mut attributes = &body[name_end..];
        loop {
            attributes = attributes.trim_start();
            if attributes.is_empty() || attributes == "/" {
                break;
            }
            let attr_end = attributes
                .find(|c: char| c == '=' || c.is_whitespace())
                .unwrap_or(attributes.len());
            let attribute = &attributes[..attr_end];
            if !RENDERED_ATTRIBUTES.contains(&attribute) {
                return Some(format!("the attribute {attribute:?} in <{}>", clip(tag)));
            }
            attributes = &attributes[attr_end..];
            if let Some(value) = attributes.strip_prefix("=\"") {
                let Some(close) = value.find('"') else {
                    return Some(format!("an unquoted attribute in <{}>", clip(tag)));
                };
                if attribute == "src" && !value[..close].starts_with("data:image/") {
                    return Some(format!("an image source in <{}>", clip(tag)));
                }
                attributes = &value[close + 1..];
            } else if attributes.starts_with('=') {
                return Some(format!("an unquoted attribute in <{}>", clip(tag)));
            }
        }
    }
    None
}

fn clip(s: &str) -> &str {
    match s.char_indices().nth(80) {
        Some((at, _)) => &s[..at],
        None => s,
    }
}
