//! The report stage: turns [`SiteReport`](crate::model::SiteReport)s into documents people and
//! tools read.
//!
//! - [`SCHEMA_JSON`]: the JSON Schema (draft 2020-12) of the result document, version 1, kept in
//!   `docs/schema/site-report.v1.json` and checked against the model's types by a test.
//! - [`site_report_html`]: one self-contained HTML evidence report per site (inline CSS, images
//!   as data URIs, no scripts, prints to PDF).
//! - [`site_card_html`]: a compact card for a notebook's `_repr_html_()`.
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
        let read = |name: Option<&String>| -> Option<Vec<u8>> {
            let name = std::path::Path::new(name?);
            let plain = name
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
            if !plain {
                return None;
            }
            std::fs::read(folder.join(name)).ok()
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
