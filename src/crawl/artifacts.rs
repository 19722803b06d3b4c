//! Screenshots as files in the study's artifacts folder, written before the site's row so that
//! a stored row never names a file that is not there.
//!
//! Names are derived from a hash of the URL, so that a retried or re-crawled site overwrites its
//! own files instead of adding new ones, and no page-controlled text reaches the file system:
//! `3f/3fa2c09e1b7d5e64-page.png`. Files are spread over 256 folders by the hash's first byte,
//! which keeps each folder small at 100,000 sites.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::evaluate::Evaluation;
use crate::model::SiteReport;

/// Hex digits of the URL's hash in a file name: 64 bits, no collision in any real study.
const HASH_HEX_DIGITS: usize = 16;

/// The three pictures of a site, by the suffix of their file names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Picture {
    Page,
    Banner,
    Annotated,
}

impl Picture {
    fn suffix(self) -> &'static str {
        match self {
            Picture::Page => "page",
            Picture::Banner => "banner",
            Picture::Annotated => "annotated",
        }
    }
}

/// The relative file name of a site's picture: `<2 hex>/<16 hex>-<suffix>.png`.
fn file_name(url: &str, picture: Picture) -> String {
    let digest = hex::encode(Sha256::digest(url.as_bytes()));
    let stem = &digest[..HASH_HEX_DIGITS];
    format!("{}/{stem}-{}.png", &stem[..2], picture.suffix())
}

/// Writes an evaluation's screenshots under `folder` and returns its report with their relative
/// file names filled in (`screenshot`, `banner.screenshot`, `banner.annotated_screenshot`).
/// A banner picture without a banner in the report is not written: nothing would name it.
pub fn store_screenshots(folder: &Path, evaluation: Evaluation) -> Result<SiteReport> {
    let Evaluation {
        mut report,
        screenshots,
    } = evaluation;
    let url = report.url.clone();
    if let Some(png) = &screenshots.page {
        report.screenshot = Some(write_picture(folder, &url, Picture::Page, png)?);
    }
    if let Some(banner) = report.banner.as_mut() {
        if let Some(png) = &screenshots.banner {
            banner.screenshot = Some(write_picture(folder, &url, Picture::Banner, png)?);
        }
        if let Some(png) = &screenshots.annotated {
            banner.annotated_screenshot =
                Some(write_picture(folder, &url, Picture::Annotated, png)?);
        }
    }
    Ok(report)
}

/// Writes one picture durably: to a temporary file, synced, then renamed over the final name,
/// and the folder synced so the rename itself survives a power loss.
fn write_picture(folder: &Path, url: &str, picture: Picture, png: &[u8]) -> Result<String> {
    let name = file_name(url, picture);
    let path = folder.join(&name);
    let parent = path.parent().unwrap_or(folder).to_path_buf();
    let io_error = |action: &str, path: &Path, error: std::io::Error| {
        // The site's rows are not written yet, so it stays pending: say how to go on.
        let advice = if error.kind() == std::io::ErrorKind::StorageFull {
            "disk full: free some space and run again to resume where the crawl stopped; "
        } else {
            ""
        };
        Error::Io(std::io::Error::new(
            error.kind(),
            format!("{advice}cannot {action} {}: {error}", path.display()),
        ))
    };
    fs::create_dir_all(&parent).map_err(|e| io_error("create the folder", &parent, e))?;
    let temporary = temporary_path(&path);
    let written = File::create(&temporary).and_then(|mut file| {
        file.write_all(png)?;
        file.sync_all()
    });
    if let Err(error) = written.and_then(|()| fs::rename(&temporary, &path)) {
        let _ = fs::remove_file(&temporary);
        return Err(io_error("write the screenshot", &path, error));
    }
    File::open(&parent)
        .and_then(|dir| dir.sync_all())
        .map_err(|e| io_error("sync the folder", &parent, e))?;
    Ok(name)
}

fn temporary_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{}.tmp", std::process::id()));
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::Screenshots;
    use crate::model::Banner;

    fn evaluation(url: &str, with_banner: bool) -> Evaluation {
        let mut report = super::super::tests::ok_report(url);
        if with_banner {
            report.banner = Some(
                serde_json::from_value::<Banner>(serde_json::json!({
                    "cmp": null, "text": "We use cookies", "language": null,
                    "bbox": {"x": 0.0, "y": 0.0, "width": 10.0, "height": 10.0},
                    "frame_url": null, "screenshot": null, "buttons": [], "checkboxes": []
                }))
                .expect("a minimal banner"),
            );
        }
        Evaluation {
            report,
            screenshots: Screenshots {
                page: Some(b"page-png".to_vec()),
                banner: Some(b"banner-png".to_vec()),
                annotated: Some(b"annotated-png".to_vec()),
            },
        }
    }

    #[test]
    fn names_are_stable_per_url_and_hold_no_page_text() {
        let url = "https://example.test/../../etc/passwd?<script>";
        let name = file_name(url, Picture::Page);
        assert_eq!(name, file_name(url, Picture::Page));
        assert_ne!(name, file_name("https://example.test/", Picture::Page));
        assert_ne!(name, file_name(url, Picture::Banner));
        let (folder, file) = name.split_once('/').expect("a folder and a file");
        assert_eq!(folder.len(), 2);
        assert!(file.starts_with(folder));
        assert!(file.ends_with("-page.png"));
        assert!(name
            .chars()
            .all(|c| c.is_ascii_hexdigit() || "/-.pageng".contains(c)));
    }

    #[test]
    fn screenshots_are_written_and_named_in_the_report() {
        let folder = tempfile::tempdir().expect("temp dir");
        let report =
            store_screenshots(folder.path(), evaluation("https://a.test/", true)).expect("written");
        let page = report.screenshot.as_deref().expect("page screenshot named");
        assert_eq!(
            fs::read(folder.path().join(page)).expect("page file"),
            b"page-png"
        );
        let banner = report.banner.as_ref().expect("banner");
        let banner_file = banner.screenshot.as_deref().expect("banner named");
        let annotated = banner.annotated_screenshot.as_deref().expect("annotated");
        assert_eq!(
            fs::read(folder.path().join(banner_file)).expect("banner file"),
            b"banner-png"
        );
        assert_eq!(
            fs::read(folder.path().join(annotated)).expect("annotated file"),
            b"annotated-png"
        );
        // No temporary file is left behind.
        let parent = folder.path().join(page).parent().map(Path::to_path_buf);
        let leftovers: Vec<_> = fs::read_dir(parent.expect("parent"))
            .expect("listing")
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn banner_pictures_without_a_banner_are_not_written() {
        let folder = tempfile::tempdir().expect("temp dir");
        let report = store_screenshots(folder.path(), evaluation("https://b.test/", false))
            .expect("written");
        assert!(report.banner.is_none());
        let written: usize = fs::read_dir(folder.path())
            .expect("listing")
            .filter_map(|e| e.ok())
            .map(|dir| fs::read_dir(dir.path()).map(|d| d.count()).unwrap_or(0))
            .sum();
        assert_eq!(written, 1, "only the page screenshot");
    }

    #[test]
    fn a_folder_that_cannot_be_created_is_an_io_error_naming_it() {
        let folder = tempfile::tempdir().expect("temp dir");
        let blocker = folder.path().join("file");
        fs::write(&blocker, b"x").expect("a file where the folder should be");
        let error = store_screenshots(&blocker, evaluation("https://c.test/", false))
            .expect_err("cannot create a folder inside a file");
        assert_eq!(error.kind(), "io");
        assert!(error.to_string().contains("file"), "{error}");
    }
}
