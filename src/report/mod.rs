//! The report stage: turns [`SiteReport`](crate::model::SiteReport)s into documents people and
//! tools read.
//!
//! - [`SCHEMA_JSON`]: the JSON Schema (draft 2020-12) of the result document, version 1, kept in
//!   `docs/schema/site-report.v1.json` and checked against the model's types by a test.
//! - [`site_report_html`]: one self-contained HTML evidence report per site (inline CSS, images
//!   as data URIs, no scripts, prints to PDF).
//! - [`site_card_html`]: a compact card for a notebook's `_repr_html_()`.
//! - [`read_document`]: a result document read back from JSON text, which is untrusted input.
//! - [`har_for_phase`], [`har_all`]: the network log as HAR 1.2, which Chrome DevTools imports.
//! - [`StudyStats`]: counts and distributions across many sites, built one site at a time, as
//!   HTML with inline SVG charts or as JSON.
//!
//! Every function here is pure: documents in, strings or JSON values out. Writing files is the
//! caller's job. Page-derived text is escaped by maud, bounded in length, and has its invisible
//! controls (bidi overrides) shown, so a hostile page cannot inject markup or disguise evidence.

mod card;
mod format;
mod har;
mod html;
mod schema;
mod study;
mod text;

#[cfg(test)]
pub(crate) mod fixtures;

pub use card::site_card_html;
pub use har::{har_all, har_for_phase};
pub use html::site_report_html;
pub use schema::SCHEMA_JSON;
pub use study::{Histogram, StudyStats, VendorCounts, HEURISTIC_CMP, MAX_VENDORS, OTHER_VENDORS};

use base64::Engine as _;

/// Reads a result document (schema version 1) from JSON text, as a tool reading a result file
/// back must: the text is input like any other, so anything that is not such a document is a
/// [`Error::ResultFormat`](crate::error::Error::ResultFormat), never a panic. Unknown fields
/// are ignored (later releases may add some).
pub fn read_document(text: &str) -> crate::error::Result<crate::model::SiteReport> {
    use crate::error::Error;
    let report: crate::model::SiteReport = serde_json::from_str(text)
        .map_err(|e| Error::ResultFormat(format!("not a consentlens result document: {e}")))?;
    if report.schema_version != crate::model::SCHEMA_VERSION {
        return Err(Error::ResultFormat(format!(
            "result document schema version {} is not supported (this consentlens reads version {})",
            report.schema_version,
            crate::model::SCHEMA_VERSION
        )));
    }
    Ok(report)
}

/// Screenshot files larger than this are not read back (a full-page PNG is a few MiB).
const MAX_SCREENSHOT_BYTES: u64 = 64 * 1024 * 1024;

/// Screenshots to embed, as encoded image bytes (PNG from the measure stage; JPEG and WebP are
/// recognised too). Each is optional: a report without images is still complete.
#[derive(Debug, Clone, Default)]
pub struct Images {
    /// The consent dialog as the visitor saw it.
    pub banner: Option<Vec<u8>>,
    /// The dialog with each button's box, role and contrast drawn on it.
    pub annotated: Option<Vec<u8>>,
    /// The viewport of the first visit.
    pub page: Option<Vec<u8>>,
}

impl Images {
    /// The pictures a stored report names, read from the folder its file names are relative
    /// to. A name that is missing, unreadable or tries to leave the folder is skipped: a result
    /// file is input like any other.
    pub fn load(report: &crate::model::SiteReport, folder: &std::path::Path) -> Images {
        let folder_path = folder.canonicalize().ok();
        let read = |name: Option<&String>| -> Option<Vec<u8>> {
            let name = std::path::Path::new(name?);
            let plain = name
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
            if !plain {
                return None;
            }
            // A link inside the folder may point anywhere: only what really lies inside it,
            // as a regular file of picture size, is read.
            let path = folder.join(name).canonicalize().ok()?;
            let inside = folder_path.as_ref().is_some_and(|f| path.starts_with(f));
            let metadata = std::fs::metadata(&path).ok()?;
            if !inside || !metadata.is_file() || metadata.len() > MAX_SCREENSHOT_BYTES {
                return None;
            }
            std::fs::read(path).ok()
        };
        let banner = report.banner.as_ref();
        Images {
            banner: read(banner.and_then(|b| b.screenshot.as_ref())),
            annotated: read(banner.and_then(|b| b.annotated_screenshot.as_ref())),
            page: read(report.screenshot.as_ref()),
        }
    }

    /// The best picture of the dialog: annotated when there is one.
    fn dialog(&self) -> Option<&[u8]> {
        self.annotated.as_deref().or(self.banner.as_deref())
    }
}

/// A `data:` URI for encoded image bytes, typed by their signature.
fn image_data_uri(bytes: &[u8]) -> String {
    let mime = if bytes.starts_with(b"\xFF\xD8\xFF") {
        "image/jpeg"
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && bytes[8..12] == *b"WEBP" {
        "image/webp"
    } else {
        "image/png"
    };
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    format!("data:{mime};base64,{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_data_uris_carry_the_right_type() {
        let png = b"\x89PNG\r\n\x1a\n\0\0";
        assert_eq!(
            image_data_uri(png),
            "data:image/png;base64,iVBORw0KGgoAAA=="
        );
        assert!(image_data_uri(b"\xFF\xD8\xFF\xE0").starts_with("data:image/jpeg;base64,"));
        assert!(image_data_uri(b"RIFF\0\0\0\0WEBPVP8 ").starts_with("data:image/webp;base64,"));
        // Too short to be WebP: no out-of-bounds read, falls back to PNG.
        assert!(image_data_uri(b"RIFF").starts_with("data:image/png;base64,"));
    }

    #[test]
    fn screenshots_are_read_only_from_inside_the_artifacts_folder() {
        let root = tempfile::tempdir().expect("temp dir");
        let folder = root.path().join("artifacts");
        std::fs::create_dir_all(folder.join("ab")).expect("folder");
        std::fs::write(root.path().join("secret.png"), b"secret").expect("outside file");
        std::fs::write(folder.join("ab/page.png"), b"page").expect("page");
        std::os::unix::fs::symlink(root.path().join("secret.png"), folder.join("link.png"))
            .expect("link out");
        std::os::unix::fs::symlink(folder.join("ab/page.png"), folder.join("inner.png"))
            .expect("link in");
        let with_page = |name: &str| {
            let mut report = fixtures::full_report();
            report.screenshot = Some(name.to_string());
            Images::load(&report, &folder).page
        };
        assert_eq!(with_page("ab/page.png").as_deref(), Some(&b"page"[..]));
        assert_eq!(with_page("inner.png").as_deref(), Some(&b"page"[..]));
        for outside in [
            "link.png",
            "../secret.png",
            "/etc/passwd",
            "ab",
            "missing.png",
        ] {
            assert_eq!(with_page(outside), None, "{outside}");
        }
    }

    #[test]
    fn the_annotated_screenshot_is_preferred() {
        let images = Images {
            banner: Some(vec![1]),
            annotated: Some(vec![2]),
            page: None,
        };
        assert_eq!(images.dialog(), Some(&[2u8][..]));
        let images = Images {
            annotated: None,
            ..images
        };
        assert_eq!(images.dialog(), Some(&[1u8][..]));
    }
}
