//! EasyPrivacy-format filter lists, matched with Brave's `adblock` engine.
//!
//! All lists go into one engine, so that an exception rule in one list lifts a block in another,
//! as in uBlock Origin. The engine is built in debug mode and without rule fusion: then every match
//! reports its exact rule text and the list it came from, which is the evidence a finding cites.
//! Measured on the full EasyPrivacy list, neither choice costs matching throughput
//! (see `benches/matching.rs`).

use std::path::{Path, PathBuf};

use adblock::lists::{FilterSet, ParseOptions, ParsedLine, RuleTypes};
use adblock::request::Request as AdblockRequest;
use adblock::Engine;
use sha2::{Digest, Sha256};

use crate::decode::ListSource;
use crate::error::{Error, Result};
use crate::model::TrackerList;

/// A list file larger than this is refused rather than read into memory (EasyPrivacy is ~1.5 MB).
const MAX_LIST_BYTES: u64 = 64 << 20;

/// Where Debian's uBlock Origin packages put their assets, newest layout first:
/// `webext-ublock-origin-chromium` (bookworm and later), its older `/usr/share/webext` homes, and
/// the Firefox package.
const UBLOCK_ASSET_ROOTS: &[&str] = &[
    "/usr/share/chromium/extensions/ublock-origin",
    "/usr/share/webext/ublock-origin-chromium",
    "/usr/share/webext/ublock-origin",
    "/usr/share/webext/ublock-origin-firefox",
    "/usr/share/mozilla/extensions/{ec8030f7-c20a-464f-9b0e-13a3a9e97384}/uBlock0@raymondhill.net",
];

/// Where EasyPrivacy sits inside an asset root, in current and older uBlock Origin versions.
const EASYPRIVACY_SUBPATHS: &[&str] = &[
    "assets/thirdparties/easylist/easyprivacy.txt",
    "assets/thirdparties/easylist-downloads.adblockplus.org/easyprivacy.txt",
];

/// The name EasyPrivacy gets when found through [`default_list_sources`].
pub const EASYPRIVACY_NAME: &str = "EasyPrivacy";

/// Debian's EasyPrivacy file when a uBlock Origin package is installed, else nothing.
pub(crate) fn default_list_sources() -> Vec<ListSource> {
    let roots: Vec<PathBuf> = UBLOCK_ASSET_ROOTS.iter().map(PathBuf::from).collect();
    find_easyprivacy(&roots).into_iter().collect()
}

/// The first EasyPrivacy file under any of these uBlock Origin asset roots.
pub(crate) fn find_easyprivacy(roots: &[PathBuf]) -> Option<ListSource> {
    roots
        .iter()
        .flat_map(|root| EASYPRIVACY_SUBPATHS.iter().map(move |sub| root.join(sub)))
        .find(|path| path.is_file())
        .map(|path| ListSource {
            name: EASYPRIVACY_NAME.to_string(),
            path,
        })
}

/// The adblock request type for a DevTools resource type (`Network.ResourceType`, lower case).
/// adblock's own names are accepted too. `fetch` and `eventsource` are XHR-like; a document is a
/// `subdocument` unless it is the top-level page.
pub(crate) fn adblock_request_type(resource_type: &str, is_top_level: bool) -> &'static str {
    match resource_type.to_ascii_lowercase().as_str() {
        "document" | "main_frame" if is_top_level => "document",
        "document" | "main_frame" | "sub_frame" | "subdocument" => "subdocument",
        "stylesheet" => "stylesheet",
        "image" | "imageset" => "image",
        "media" => "media",
        "font" => "font",
        "script" => "script",
        "xhr" | "fetch" | "eventsource" | "xmlhttprequest" => "xmlhttprequest",
        "websocket" => "websocket",
        "ping" | "beacon" => "ping",
        "cspviolationreport" | "csp_report" => "csp_report",
        "object" => "object",
        // texttrack, prefetch, manifest, signedexchange, preflight, fedcm, other, …
        _ => "other",
    }
}

/// One list rule that decided a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListMatch<'a> {
    pub list_name: &'a str,
    pub rule: String,
    pub is_easyprivacy: bool,
}

/// The compiled lists and their provenance.
pub(crate) struct ListEngine {
    engine: Engine,
    provenance: Vec<TrackerList>,
    is_easyprivacy: Vec<bool>,
}

impl ListEngine {
    /// Reads and compiles the named list files. An unreadable, oversized or rule-less file is an
    /// [`Error::TrackerList`] naming that file.
    pub(crate) fn load(sources: &[ListSource]) -> Result<ListEngine> {
        let mut lists = Vec::with_capacity(sources.len());
        for source in sources {
            let bytes = read_list(&source.path)?;
            lists.push((source.name.clone(), bytes));
        }
        ListEngine::from_bytes(lists).map_err(|(index, message)| Error::TrackerList {
            path: sources[index].path.clone(),
            message,
        })
    }

    /// Compiles lists given as (name, file bytes). On failure, the index of the offending list and
    /// why.
    pub(crate) fn from_bytes(
        lists: Vec<(String, Vec<u8>)>,
    ) -> std::result::Result<ListEngine, (usize, String)> {
        let options = ParseOptions {
            rule_types: RuleTypes::NetworkOnly,
            ..ParseOptions::default()
        };
        let mut filter_set = FilterSet::new(true);
        let mut provenance = Vec::with_capacity(lists.len());
        let mut is_easyprivacy = Vec::with_capacity(lists.len());
        for (index, (name, bytes)) in lists.into_iter().enumerate() {
            let sha256 = hex::encode(Sha256::digest(&bytes));
            let text = match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            };
            let rules = count_network_rules(&text, options);
            if rules == 0 {
                return Err((index, "no network filter rules found".to_string()));
            }
            let record = filter_set.add_filter_list(text, options);
            let titled_easyprivacy = record
                .metadata
                .title
                .as_deref()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("easyprivacy"));
            is_easyprivacy
                .push(titled_easyprivacy || name.to_ascii_lowercase().contains("easyprivacy"));
            provenance.push(TrackerList {
                name,
                sha256,
                rules,
            });
        }
        // Unfused rules keep their exact text and source for `matched_by`.
        let engine = Engine::new_with_filter_set_no_optimize(filter_set);
        Ok(ListEngine {
            engine,
            provenance,
            is_easyprivacy,
        })
    }

    pub(crate) fn provenance(&self) -> &[TrackerList] {
        &self.provenance
    }

    /// The rule that blocks this request, if any (an exception rule that lifts it means none).
    pub(crate) fn check(
        &self,
        url: &str,
        source_url: &str,
        request_type: &str,
        method: &str,
    ) -> Option<ListMatch<'_>> {
        let request = AdblockRequest::new(url, source_url, request_type, method).ok()?;
        let result = self.engine.check_network_request(&request);
        if !result.should_block() {
            return None;
        }
        let filter = result.filter?;
        let list_index = filter
            .source_location
            .as_ref()
            .map(|location| location.source_index as usize)
            .filter(|&index| index < self.provenance.len())
            .unwrap_or(0);
        Some(ListMatch {
            list_name: &self.provenance.get(list_index)?.name,
            rule: filter.raw_line.unwrap_or_default(),
            is_easyprivacy: self
                .is_easyprivacy
                .get(list_index)
                .copied()
                .unwrap_or(false),
        })
    }
}

fn read_list(path: &Path) -> Result<Vec<u8>> {
    let tracker_list_error = |message: String| Error::TrackerList {
        path: path.to_path_buf(),
        message,
    };
    let metadata = std::fs::metadata(path).map_err(|e| tracker_list_error(e.to_string()))?;
    if !metadata.is_file() {
        return Err(tracker_list_error("not a regular file".to_string()));
    }
    if metadata.len() > MAX_LIST_BYTES {
        return Err(tracker_list_error(format!(
            "{} bytes is more than the {MAX_LIST_BYTES} a filter list may have",
            metadata.len()
        )));
    }
    std::fs::read(path).map_err(|e| tracker_list_error(e.to_string()))
}

/// Network rules adblock accepts from this text; cosmetic rules play no part in tracker matching.
fn count_network_rules(text: &str, options: ParseOptions) -> usize {
    text.lines()
        .filter(|line| {
            matches!(
                adblock::lists::parse_filter(line, false, options),
                Ok(ParsedLine::Network(_))
            )
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(lists: &[(&str, &str)]) -> ListEngine {
        ListEngine::from_bytes(
            lists
                .iter()
                .map(|(name, text)| (name.to_string(), text.as_bytes().to_vec()))
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn devtools_resource_types_map_to_adblock_types() {
        assert_eq!(adblock_request_type("xhr", false), "xmlhttprequest");
        assert_eq!(adblock_request_type("fetch", false), "xmlhttprequest");
        assert_eq!(adblock_request_type("EventSource", false), "xmlhttprequest");
        assert_eq!(adblock_request_type("ping", false), "ping");
        assert_eq!(adblock_request_type("document", true), "document");
        assert_eq!(adblock_request_type("document", false), "subdocument");
        assert_eq!(adblock_request_type("image", false), "image");
        assert_eq!(adblock_request_type("websocket", false), "websocket");
        assert_eq!(
            adblock_request_type("cspviolationreport", false),
            "csp_report"
        );
        assert_eq!(adblock_request_type("prefetch", false), "other");
        assert_eq!(adblock_request_type("", false), "other");
    }

    #[test]
    fn request_type_options_are_honoured() {
        let lists = engine(&[("custom", "||pixel.example^$image\n||beacon.example^$ping\n")]);
        let site = "https://www.shop.example/";
        assert!(lists
            .check("https://pixel.example/p.gif", site, "image", "GET")
            .is_some());
        assert!(lists
            .check("https://pixel.example/p.js", site, "script", "GET")
            .is_none());
        assert!(lists
            .check(
                "https://beacon.example/b",
                site,
                adblock_request_type("ping", false),
                "POST"
            )
            .is_some());
    }

    #[test]
    fn third_party_and_domain_options_see_the_source_url() {
        let lists = engine(&[(
            "custom",
            "||cdn.example^$third-party\n||stats.example^$domain=shop.example\n",
        )]);
        let cdn = "https://cdn.example/x.js";
        assert!(lists
            .check(cdn, "https://www.shop.example/", "script", "GET")
            .is_some());
        assert!(lists
            .check(cdn, "https://www.cdn.example/", "script", "GET")
            .is_none());
        let stats = "https://stats.example/c";
        assert!(lists
            .check(stats, "https://www.shop.example/", "xmlhttprequest", "GET")
            .is_some());
        assert!(lists
            .check(stats, "https://news.example/", "xmlhttprequest", "GET")
            .is_none());
    }

    #[test]
    fn reports_the_exact_rule_and_its_list() {
        let lists = engine(&[
            ("first", "||one.example^\n"),
            (
                "second",
                "! comment\n||two.example/collect\n||two.example/c2\n",
            ),
        ]);
        let hit = lists
            .check(
                "https://two.example/collect?x=1",
                "https://s.example/",
                "image",
                "GET",
            )
            .unwrap();
        assert_eq!(hit.list_name, "second");
        assert_eq!(hit.rule, "||two.example/collect");
        assert!(!hit.is_easyprivacy);
    }

    #[test]
    fn exceptions_in_any_list_lift_blocks() {
        let lists = engine(&[
            ("blocks", "||cdn.example^\n"),
            ("allows", "@@||cdn.example/lib.js\n"),
        ]);
        let site = "https://s.example/";
        assert!(lists
            .check("https://cdn.example/lib.js", site, "script", "GET")
            .is_none());
        assert!(lists
            .check("https://cdn.example/t.js", site, "script", "GET")
            .is_some());
    }

    #[test]
    fn provenance_has_hash_and_rule_count() {
        let text = "[Adblock Plus 2.0]\n! Title: EasyPrivacy\n||a.example^\n||b.example/x\nexample.com##.ad\n";
        let lists = engine(&[("whatever", text)]);
        let provenance = &lists.provenance()[0];
        assert_eq!(provenance.name, "whatever");
        assert_eq!(
            provenance.rules, 2,
            "cosmetic rules and comments do not count"
        );
        assert_eq!(
            provenance.sha256,
            hex::encode(Sha256::digest(text.as_bytes()))
        );
        // Recognised as EasyPrivacy by its title even under another name.
        assert!(
            lists
                .check("https://a.example/", "https://s.example/", "script", "GET")
                .unwrap()
                .is_easyprivacy
        );
    }

    #[test]
    fn a_list_without_rules_is_refused() {
        let err = ListEngine::from_bytes(vec![
            ("ok".into(), b"||a.example^\n".to_vec()),
            (
                "comments".into(),
                b"! Title: nothing\n! only comments\n\nexample.com##.ad\n".to_vec(),
            ),
        ])
        .err()
        .unwrap();
        assert_eq!(err.0, 1);
    }

    #[test]
    fn unreadable_files_are_tracker_list_errors() {
        let missing = ListSource {
            name: "missing".into(),
            path: PathBuf::from("/nonexistent/consentlens/list.txt"),
        };
        let err = ListEngine::load(&[missing]).err().unwrap();
        assert_eq!(err.kind(), "tracker_list");
        assert!(err
            .to_string()
            .contains("/nonexistent/consentlens/list.txt"));

        let dir = ListSource {
            name: "dir".into(),
            path: std::env::temp_dir(),
        };
        assert_eq!(
            ListEngine::load(&[dir]).err().unwrap().kind(),
            "tracker_list"
        );
    }

    #[test]
    fn easyprivacy_is_found_under_any_known_layout() {
        let root = std::env::temp_dir().join(format!("consentlens-ublock-{}", std::process::id()));
        let old_layout = root.join("webext/ublock-origin");
        let file = old_layout
            .join("assets/thirdparties/easylist-downloads.adblockplus.org/easyprivacy.txt");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "||a.example^\n").unwrap();
        let found = find_easyprivacy(&[root.join("chromium/missing"), old_layout.clone()]).unwrap();
        assert_eq!(found.path, file);
        assert_eq!(found.name, EASYPRIVACY_NAME);
        assert!(find_easyprivacy(&[root.join("nothing-here")]).is_none());
        std::fs::remove_dir_all(&root).unwrap();
    }
}
