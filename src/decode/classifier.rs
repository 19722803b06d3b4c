//! Deciding whether a request or cookie belongs to a tracker: the vendor catalogue first (it names
//! the vendor), then the filter lists (they only say "tracking", so the registrable domain stands
//! in for the vendor).

use crate::decode::catalogue::{self, split_host_path, Catalogue};
use crate::decode::lists::{self, adblock_request_type, ListEngine};
use crate::decode::ListSource;
use crate::error::Result;
use crate::model::{TrackerList, TrackerMatch};

/// `matched_by` for catalogue matches.
pub const MATCHED_BY_CATALOGUE: &str = "catalogue";
/// Category of a request matched only by EasyPrivacy, which lists tracking and nothing else.
pub const CATEGORY_TRACKING: &str = "tracking";
/// Category of a request matched only by a list of unknown purpose.
pub const CATEGORY_UNKNOWN: &str = "unknown";

/// The vendor catalogue plus any filter lists, compiled once and shared by concurrent evaluations.
pub struct Classifier {
    catalogue: &'static Catalogue,
    lists: Option<ListEngine>,
}

impl std::fmt::Debug for Classifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Classifier")
            .field("tracker_lists", &self.tracker_lists())
            .finish_non_exhaustive()
    }
}

/// What is known about a cookie's name and domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieMatch {
    /// Vendor name from the catalogue.
    pub vendor: String,
    pub entity: String,
    /// `advertising`, `analytics`, `consent`, …
    pub category: String,
    /// Whether the cookie holds an identifier used for tracking.
    pub is_identifier: bool,
    /// False when the name is unknown and only the cookie's domain belongs to the vendor.
    pub matched_by_name: bool,
}

impl Classifier {
    /// The vendor catalogue only.
    pub fn builtin() -> Classifier {
        Classifier {
            catalogue: catalogue::builtin(),
            lists: None,
        }
    }

    /// The vendor catalogue plus these lists. An unreadable or empty list is an
    /// [`Error::TrackerList`](crate::error::Error::TrackerList).
    pub fn new(lists: &[ListSource]) -> Result<Classifier> {
        let lists = if lists.is_empty() {
            None
        } else {
            Some(ListEngine::load(lists)?)
        };
        Ok(Classifier {
            catalogue: catalogue::builtin(),
            lists,
        })
    }

    /// Debian's EasyPrivacy list when a uBlock Origin package is installed, else nothing.
    pub fn default_list_sources() -> Vec<ListSource> {
        lists::default_list_sources()
    }

    /// The vendor catalogue, the default lists and these further lists.
    pub fn with_default_lists(extra_lists: &[ListSource]) -> Result<Classifier> {
        let mut sources = Classifier::default_list_sources();
        sources.extend_from_slice(extra_lists);
        Classifier::new(&sources)
    }

    /// The catalogue and the default lists, loaded once per process and shared: parsing
    /// EasyPrivacy takes a while, and the engine is read-only. A default list that cannot be
    /// read leaves the catalogue alone (the provenance then names no list).
    pub fn shared_default() -> std::sync::Arc<Classifier> {
        static SHARED: std::sync::OnceLock<std::sync::Arc<Classifier>> = std::sync::OnceLock::new();
        SHARED
            .get_or_init(|| {
                std::sync::Arc::new(
                    Classifier::with_default_lists(&[]).unwrap_or_else(|_| Classifier::builtin()),
                )
            })
            .clone()
    }

    /// Name, SHA-256 and rule count of each list, for the result's provenance.
    pub fn tracker_lists(&self) -> &[TrackerList] {
        self.lists.as_ref().map_or(&[], ListEngine::provenance)
    }

    /// The tracker behind a request, if any. `site_url` is the page (or frame) that made it;
    /// `resource_type` the DevTools resource type in lower case.
    pub fn match_request(
        &self,
        url: &str,
        site_url: &str,
        resource_type: &str,
    ) -> Option<TrackerMatch> {
        self.match_request_with_method(url, site_url, resource_type, "")
    }

    /// [`Classifier::match_request`] with the HTTP method, which list rules with `$method` need.
    pub fn match_request_with_method(
        &self,
        url: &str,
        site_url: &str,
        resource_type: &str,
        method: &str,
    ) -> Option<TrackerMatch> {
        let (host, path) = split_host_path(url)?;
        let is_document = resource_type.eq_ignore_ascii_case("document");
        if is_document && is_same_site(&host, site_url) {
            // The site's own pages are what is being evaluated, never a tracker on it.
            return None;
        }
        if let Some(vendor) = self.catalogue.match_host_path(&host, path) {
            return Some(TrackerMatch {
                vendor: vendor.name.clone(),
                entity: Some(vendor.entity.clone()),
                category: vendor.category.clone(),
                matched_by: MATCHED_BY_CATALOGUE.to_string(),
            });
        }
        let lists = self.lists.as_ref()?;
        // Same-site documents returned above, so any document left is a frame's.
        let request_type = adblock_request_type(resource_type, false);
        let hit = lists.check(url, site_url, request_type, method)?;
        Some(TrackerMatch {
            vendor: registrable_domain(&host).to_string(),
            entity: None,
            category: if hit.is_easyprivacy {
                CATEGORY_TRACKING
            } else {
                CATEGORY_UNKNOWN
            }
            .to_string(),
            matched_by: format!("list:{}:{}", hit.list_name, hit.rule),
        })
    }

    /// What the catalogue knows about a cookie (`domain` as the browser reports it, leading dot
    /// or not).
    pub fn match_cookie(&self, name: &str, domain: &str) -> Option<CookieMatch> {
        let known = self.catalogue.match_cookie(name, domain)?;
        Some(CookieMatch {
            vendor: known.vendor.name.clone(),
            entity: known.vendor.entity.clone(),
            category: known.category.to_string(),
            is_identifier: known.is_identifier,
            matched_by_name: known.matched_by_name,
        })
    }
}

/// The registrable domain (eTLD+1) of a host, or the host itself when it has none (an IP
/// address, `localhost`).
pub(crate) fn registrable_domain(host: &str) -> &str {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if bare.parse::<std::net::IpAddr>().is_ok() {
        return host;
    }
    psl::domain_str(host).unwrap_or(host)
}

fn is_same_site(host: &str, site_url: &str) -> bool {
    split_host_path(site_url)
        .is_some_and(|(site_host, _)| registrable_domain(&site_host) == registrable_domain(host))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// Writes a list to its own file (tests run in parallel, so no two share a path).
    fn write_list(name: &str, text: &str) -> ListSource {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("consentlens-{}-{n}-{name}.txt", std::process::id()));
        std::fs::write(&path, text).unwrap();
        ListSource {
            name: name.to_string(),
            path,
        }
    }

    #[test]
    fn classifier_is_shareable_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Classifier>();
    }

    #[test]
    fn catalogue_matches_name_the_vendor() {
        let classifier = Classifier::builtin();
        let hit = classifier
            .match_request(
                "https://www.facebook.com/tr/?id=1&ev=PageView",
                "https://apotek.example/",
                "image",
            )
            .unwrap();
        assert_eq!(hit.vendor, "Meta Pixel");
        assert_eq!(hit.entity.as_deref(), Some("Meta Platforms, Inc."));
        assert_eq!(hit.category, "advertising");
        assert_eq!(hit.matched_by, "catalogue");
        assert!(classifier
            .match_request(
                "https://cdn.apotek.example/app.js",
                "https://apotek.example/",
                "script"
            )
            .is_none());
        assert!(classifier.tracker_lists().is_empty());
    }

    #[test]
    fn list_matches_name_the_registrable_domain_and_the_rule() {
        let easyprivacy = write_list(
            "EasyPrivacy",
            "! Title: EasyPrivacy\n||metrics.tracker.co.uk^\n",
        );
        let custom = write_list("mine", "||pixel.other.example/p.gif\n");
        let classifier = Classifier::new(&[easyprivacy.clone(), custom.clone()]).unwrap();
        let site = "https://apotek.example/";
        let hit = classifier
            .match_request("https://eu.metrics.tracker.co.uk/c?x=1", site, "xhr")
            .unwrap();
        assert_eq!(hit.vendor, "tracker.co.uk");
        assert_eq!(hit.entity, None);
        assert_eq!(hit.category, "tracking");
        assert_eq!(hit.matched_by, "list:EasyPrivacy:||metrics.tracker.co.uk^");

        let hit = classifier
            .match_request("https://pixel.other.example/p.gif", site, "image")
            .unwrap();
        assert_eq!(hit.category, "unknown");
        assert_eq!(hit.matched_by, "list:mine:||pixel.other.example/p.gif");

        assert_eq!(classifier.tracker_lists().len(), 2);
        assert_eq!(classifier.tracker_lists()[0].rules, 1);
        assert_eq!(classifier.tracker_lists()[0].sha256.len(), 64);
        for list in [easyprivacy, custom] {
            std::fs::remove_file(list.path).unwrap();
        }
    }

    #[test]
    fn catalogue_beats_lists() {
        let list = write_list("EasyPrivacy", "||facebook.com/tr^\n");
        let classifier = Classifier::new(std::slice::from_ref(&list)).unwrap();
        let hit = classifier
            .match_request(
                "https://www.facebook.com/tr?id=1",
                "https://s.example/",
                "image",
            )
            .unwrap();
        assert_eq!(hit.matched_by, "catalogue");
        std::fs::remove_file(list.path).unwrap();
    }

    #[test]
    fn the_sites_own_documents_are_never_trackers() {
        let list = write_list("EasyPrivacy", "||hotjar.com^\n||tracker.example^\n");
        let classifier = Classifier::new(std::slice::from_ref(&list)).unwrap();
        assert!(classifier
            .match_request(
                "https://www.hotjar.com/",
                "https://www.hotjar.com/",
                "document"
            )
            .is_none());
        // …but a tracker's document in a frame is.
        assert!(classifier
            .match_request(
                "https://tracker.example/frame.html",
                "https://s.example/",
                "document"
            )
            .is_some());
        std::fs::remove_file(list.path).unwrap();
    }

    #[test]
    fn unreadable_lists_fail_construction() {
        let missing = ListSource {
            name: "gone".into(),
            path: PathBuf::from("/nonexistent/easyprivacy.txt"),
        };
        let err = Classifier::new(&[missing]).err().unwrap();
        assert_eq!(err.kind(), "tracker_list");
    }

    #[test]
    fn list_vendors_of_ip_hosts_are_the_address() {
        assert_eq!(registrable_domain("127.0.0.1"), "127.0.0.1");
        assert_eq!(registrable_domain("[::1]"), "[::1]");
        assert_eq!(registrable_domain("a.b.tracker.co.uk"), "tracker.co.uk");
        assert_eq!(registrable_domain("localhost"), "localhost");
    }

    #[test]
    fn the_identifier_cookies_the_issue_names_are_known() {
        let classifier = Classifier::builtin();
        for (name, vendor) in [
            ("_fbp", "Meta Pixel"),
            ("_ga", "Google Analytics 4"),
            ("_ga_ABC123", "Google Analytics 4"),
            ("_gcl_au", "Google Ads"),
            ("_ttp", "TikTok Pixel"),
            ("_scid", "Snap Pixel"),
            ("li_fat_id", "LinkedIn Insight Tag"),
            ("li_sugr", "LinkedIn Insight Tag"),
            ("_pin_unauth", "Pinterest Tag"),
            ("_uetvid", "Microsoft Advertising UET"),
            ("_clck", "Microsoft Clarity"),
            ("_hjSessionUser_3141592", "Hotjar"),
        ] {
            let known = classifier
                .match_cookie(name, ".site.example")
                .unwrap_or_else(|| panic!("{name} unknown"));
            assert_eq!(known.vendor, vendor, "{name}");
            assert!(known.is_identifier, "{name}");
            assert!(known.matched_by_name, "{name}");
        }
    }

    #[test]
    fn non_web_urls_are_ignored() {
        let classifier = Classifier::builtin();
        for url in [
            "data:image/gif;base64,R0lGOD",
            "blob:https://s.example/1",
            "about:blank",
            "",
        ] {
            assert!(classifier
                .match_request(url, "https://s.example/", "image")
                .is_none());
        }
    }

    #[test]
    fn cookies_get_vendor_category_and_identifier_flag() {
        let classifier = Classifier::builtin();
        let ga = classifier.match_cookie("_ga", ".apotek.example").unwrap();
        assert_eq!(ga.vendor, "Google Analytics 4");
        assert_eq!(ga.category, "analytics");
        assert!(ga.is_identifier);
        let consent = classifier
            .match_cookie("CookieConsent", "apotek.example")
            .unwrap();
        assert_eq!(consent.category, "consent");
        assert!(!consent.is_identifier);
        assert!(classifier
            .match_cookie("PHPSESSID", "apotek.example")
            .is_none());
    }

    #[test]
    fn debian_easyprivacy_loads() {
        // scripts/setup.sh installs webext-ublock-origin-chromium: its absence is a failure.
        let sources = Classifier::default_list_sources();
        let source = sources
            .first()
            .expect("Debian's EasyPrivacy (apt-get install webext-ublock-origin-chromium)");
        let classifier = Classifier::new(&sources).unwrap();
        let list = &classifier.tracker_lists()[0];
        assert_eq!(list.name, "EasyPrivacy");
        assert!(
            list.rules > 10_000,
            "{} rules in {:?}",
            list.rules,
            source.path
        );
        // A Norwegian audience-measurement host EasyPrivacy lists and the catalogue does not.
        let hit = classifier
            .match_request(
                "https://log.medietall.no/analytics.js",
                "https://avis.example/",
                "script",
            )
            .unwrap();
        assert_eq!(hit.vendor, "medietall.no");
        assert_eq!(hit.category, "tracking");
        assert!(
            hit.matched_by.starts_with("list:EasyPrivacy:"),
            "{}",
            hit.matched_by
        );
    }
}
