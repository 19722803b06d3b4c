//! The vendor catalogue: who runs which tracking host, which cookies they set, and which payload
//! decoder reads their requests. The knowledge lives in `vendors.json`; this file only loads and
//! queries it.

use std::collections::HashMap;

use once_cell::sync::Lazy;
use regex::Regex;
use serde::Deserialize;

/// What a vendor (or one of its cookies) is for. Closed so that tables built from results group
/// cleanly; the catalogue test rejects anything else.
pub const CATEGORIES: &[&str] = &[
    "advertising",
    "analytics",
    "session_replay",
    "social",
    "tag_manager",
    "consent",
    "audience",
    "ab_testing",
    "monitoring",
    "marketing_automation",
    "customer_engagement",
    "embedded_media",
];

const CATALOGUE_JSON: &str = include_str!("vendors.json");

/// The catalogue shipped with consentlens, parsed once per process.
pub(crate) fn builtin() -> &'static Catalogue {
    static CATALOGUE: Lazy<Catalogue> = Lazy::new(|| {
        // The file is part of the source tree and checked by a unit test, so a failure here is a
        // build defect, not bad input.
        Catalogue::from_json(CATALOGUE_JSON).expect("src/decode/vendors.json is valid")
    });
    &CATALOGUE
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    vendors: Vec<VendorSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VendorSpec {
    id: String,
    name: String,
    entity: String,
    category: String,
    #[serde(default)]
    decoder: Option<String>,
    #[serde(default)]
    #[allow(dead_code)] // documentation for readers of the data file
    notes: Option<String>,
    patterns: Vec<PatternSpec>,
    #[serde(default)]
    cookies: Vec<CookieSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternSpec {
    #[serde(default)]
    host: Option<String>,
    #[serde(default)]
    path: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CookieSpec {
    name: String,
    identifier: bool,
    #[serde(default)]
    domains: Vec<String>,
    #[serde(default)]
    category: Option<String>,
}

/// One vendor of the catalogue.
#[derive(Debug)]
pub(crate) struct Vendor {
    pub id: String,
    pub name: String,
    pub entity: String,
    pub category: String,
    /// Id of the payload decoder for this vendor's requests (see `decoders::request_decoder`).
    pub decoder: Option<String>,
}

/// A host (matched with its subdomains) and/or a path prefix glob; at least one of the two.
#[derive(Debug)]
struct Pattern {
    vendor: usize,
    host: Option<String>,
    path: Option<PathGlob>,
}

/// A path pattern: anchored at the start of the path, `*` matches anything, and the match must end
/// at a segment boundary (`/`, `;` or the end) unless the pattern ends with `/` or `*`. So `/tr`
/// matches `/tr`, `/tr/` and `/tr;x`, but not `/track`. Case-insensitive, as trackers are.
#[derive(Debug)]
struct PathGlob {
    text: String,
    regex: Regex,
}

impl PathGlob {
    fn new(text: &str) -> Result<PathGlob, String> {
        if !text.starts_with('/') {
            return Err(format!("path pattern {text:?} must start with '/'"));
        }
        let body = text
            .split('*')
            .map(regex::escape)
            .collect::<Vec<_>>()
            .join(".*");
        let open_ended = text.ends_with('/') || text.ends_with('*');
        let boundary = if open_ended { "" } else { "(?:[/;]|$)" };
        let regex = Regex::new(&format!("(?i)^{body}{boundary}"))
            .map_err(|e| format!("path pattern {text:?}: {e}"))?;
        Ok(PathGlob {
            text: text.to_string(),
            regex,
        })
    }

    fn matches(&self, path: &str) -> bool {
        self.regex.is_match(path)
    }
}

/// A cookie name rule: an exact name or a glob with `*`, optionally only on some domains.
#[derive(Debug)]
struct CookieRule {
    vendor: usize,
    /// `None` for exact names (indexed by name in `cookies_by_name`).
    glob: Option<Regex>,
    domains: Vec<String>,
    is_identifier: bool,
    category: Option<String>,
}

/// What the catalogue knows about a cookie.
#[derive(Debug)]
pub(crate) struct CatalogueCookie<'a> {
    pub vendor: &'a Vendor,
    pub category: &'a str,
    pub is_identifier: bool,
    /// True when the name matched a rule; false when only the domain belongs to the vendor.
    pub matched_by_name: bool,
}

#[derive(Debug)]
pub(crate) struct Catalogue {
    vendors: Vec<Vendor>,
    patterns: Vec<Pattern>,
    /// Host → indexes into `patterns`, for patterns with a host.
    by_host: HashMap<String, Vec<usize>>,
    /// Indexes into `patterns` of path-only patterns, which apply on any host.
    any_host: Vec<usize>,
    cookies: Vec<CookieRule>,
    /// Exact cookie name → indexes into `cookies`.
    cookies_by_name: HashMap<String, Vec<usize>>,
    /// Indexes into `cookies` of glob rules.
    cookie_globs: Vec<usize>,
}

impl Catalogue {
    pub(crate) fn from_json(text: &str) -> Result<Catalogue, String> {
        let file: CatalogueFile =
            serde_json::from_str(text).map_err(|e| format!("catalogue JSON: {e}"))?;
        let mut catalogue = Catalogue {
            vendors: Vec::with_capacity(file.vendors.len()),
            patterns: Vec::new(),
            by_host: HashMap::new(),
            any_host: Vec::new(),
            cookies: Vec::new(),
            cookies_by_name: HashMap::new(),
            cookie_globs: Vec::new(),
        };
        for spec in file.vendors {
            let vendor_index = catalogue.vendors.len();
            if !CATEGORIES.contains(&spec.category.as_str()) {
                return Err(format!(
                    "vendor {}: unknown category {:?}",
                    spec.id, spec.category
                ));
            }
            if spec.patterns.is_empty() {
                return Err(format!("vendor {}: no patterns", spec.id));
            }
            for pattern in spec.patterns {
                let host = match pattern.host {
                    Some(host) => {
                        Some(validate_host(&host).map_err(|e| format!("vendor {}: {e}", spec.id))?)
                    }
                    None => None,
                };
                let path = match pattern.path {
                    Some(path) => {
                        Some(PathGlob::new(&path).map_err(|e| format!("vendor {}: {e}", spec.id))?)
                    }
                    None => None,
                };
                if host.is_none() && path.is_none() {
                    return Err(format!("vendor {}: empty pattern", spec.id));
                }
                let index = catalogue.patterns.len();
                match &host {
                    Some(host) => catalogue
                        .by_host
                        .entry(host.clone())
                        .or_default()
                        .push(index),
                    None => catalogue.any_host.push(index),
                }
                catalogue.patterns.push(Pattern {
                    vendor: vendor_index,
                    host,
                    path,
                });
            }
            for cookie in spec.cookies {
                if cookie.name.is_empty() {
                    return Err(format!("vendor {}: empty cookie name", spec.id));
                }
                if let Some(category) = &cookie.category {
                    if !CATEGORIES.contains(&category.as_str()) {
                        return Err(format!(
                            "vendor {}: cookie {}: unknown category {category:?}",
                            spec.id, cookie.name
                        ));
                    }
                }
                let domains = cookie
                    .domains
                    .iter()
                    .map(|d| validate_host(d).map_err(|e| format!("vendor {}: {e}", spec.id)))
                    .collect::<Result<Vec<_>, _>>()?;
                let glob = if cookie.name.contains('*') {
                    let body = cookie
                        .name
                        .split('*')
                        .map(regex::escape)
                        .collect::<Vec<_>>()
                        .join(".*");
                    Some(
                        Regex::new(&format!("^{body}$"))
                            .map_err(|e| format!("cookie {}: {e}", cookie.name))?,
                    )
                } else {
                    None
                };
                let index = catalogue.cookies.len();
                if glob.is_some() {
                    catalogue.cookie_globs.push(index);
                } else {
                    catalogue
                        .cookies_by_name
                        .entry(cookie.name.clone())
                        .or_default()
                        .push(index);
                }
                catalogue.cookies.push(CookieRule {
                    vendor: vendor_index,
                    glob,
                    domains,
                    is_identifier: cookie.identifier,
                    category: cookie.category,
                });
            }
            catalogue.vendors.push(Vendor {
                id: spec.id,
                name: spec.name,
                entity: spec.entity,
                category: spec.category,
                decoder: spec.decoder,
            });
        }
        Ok(catalogue)
    }

    #[cfg(test)]
    pub(crate) fn vendors(&self) -> &[Vendor] {
        &self.vendors
    }

    /// The vendor with this display name or id (case-insensitive).
    pub(crate) fn vendor(&self, name_or_id: &str) -> Option<&Vendor> {
        self.vendors.iter().find(|v| {
            v.name.eq_ignore_ascii_case(name_or_id) || v.id.eq_ignore_ascii_case(name_or_id)
        })
    }

    /// The vendor whose most specific pattern matches this URL. A pattern with a host beats a
    /// path-only pattern; with a path beats without; then the longer host, then the longer path.
    pub(crate) fn match_url(&self, url: &str) -> Option<&Vendor> {
        let (host, path) = split_host_path(url)?;
        self.match_host_path(&host, path)
    }

    pub(crate) fn match_host_path(&self, host: &str, path: &str) -> Option<&Vendor> {
        let host_patterns = host_suffixes(host)
            .filter_map(|suffix| self.by_host.get(suffix))
            .flatten();
        host_patterns
            .chain(&self.any_host)
            .map(|&index| &self.patterns[index])
            .filter(|pattern| pattern.path.as_ref().is_none_or(|glob| glob.matches(path)))
            .max_by_key(|pattern| {
                (
                    pattern.host.is_some(),
                    pattern.path.is_some(),
                    pattern.host.as_ref().map_or(0, String::len),
                    pattern.path.as_ref().map_or(0, |p| p.text.len()),
                )
            })
            .map(|pattern| &self.vendors[pattern.vendor])
    }

    /// What the catalogue knows about a cookie: a name rule restricted to the cookie's domain
    /// first, then an exact name, then a glob; failing those, the vendor whose host the cookie
    /// lives on (then it is not known to be an identifier).
    pub(crate) fn match_cookie(&self, name: &str, domain: &str) -> Option<CatalogueCookie<'_>> {
        let domain = normalise_domain(domain);
        let rule_applies = |rule: &CookieRule| {
            rule.domains.is_empty() || rule.domains.iter().any(|d| host_within(&domain, d))
        };
        let exact = self
            .cookies_by_name
            .get(name)
            .into_iter()
            .flatten()
            .map(|&i| &self.cookies[i]);
        let globbed = self
            .cookie_globs
            .iter()
            .map(|&i| &self.cookies[i])
            .filter(|rule| rule.glob.as_ref().is_some_and(|g| g.is_match(name)));
        let candidates: Vec<&CookieRule> =
            exact.chain(globbed).filter(|r| rule_applies(r)).collect();
        // Domain-restricted rules are the more specific knowledge; among equals, exact names come
        // first because they were chained first.
        let rule = candidates
            .iter()
            .find(|r| !r.domains.is_empty())
            .or_else(|| candidates.first());
        if let Some(rule) = rule {
            let vendor = &self.vendors[rule.vendor];
            return Some(CatalogueCookie {
                vendor,
                category: rule.category.as_deref().unwrap_or(&vendor.category),
                is_identifier: rule.is_identifier,
                matched_by_name: true,
            });
        }
        let vendor = self.match_host_path(&domain, "/")?;
        Some(CatalogueCookie {
            vendor,
            category: &vendor.category,
            is_identifier: false,
            matched_by_name: false,
        })
    }

    /// (name or glob, domains) of every cookie rule.
    #[cfg(test)]
    fn cookie_rule_names(&self) -> Vec<(String, &[String])> {
        let exact = self.cookies_by_name.iter().flat_map(|(name, indexes)| {
            indexes
                .iter()
                .map(move |&i| (name.clone(), self.cookies[i].domains.as_slice()))
        });
        let globs = self.cookie_globs.iter().map(|&i| {
            let rule = &self.cookies[i];
            let pattern = rule.glob.as_ref().map_or("", |g| g.as_str());
            (pattern.to_string(), rule.domains.as_slice())
        });
        exact.chain(globs).collect()
    }
}

/// Lower-case host without a leading dot, as cookie domains are written (`.facebook.com`).
fn normalise_domain(domain: &str) -> String {
    domain.trim().trim_start_matches('.').to_ascii_lowercase()
}

/// Whether `host` is `domain` or one of its subdomains.
pub(crate) fn host_within(host: &str, domain: &str) -> bool {
    host == domain
        || (host.len() > domain.len()
            && host.ends_with(domain)
            && host.as_bytes()[host.len() - domain.len() - 1] == b'.')
}

/// `a.b.example.com`, `b.example.com`, `example.com`, `com`.
fn host_suffixes(host: &str) -> impl Iterator<Item = &str> {
    std::iter::once(host).chain(
        host.char_indices()
            .filter(|&(_, c)| c == '.')
            .map(move |(i, _)| &host[i + 1..]),
    )
}

fn validate_host(host: &str) -> Result<String, String> {
    let valid = !host.is_empty()
        && host.len() <= 253
        && host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
    if valid {
        Ok(host.to_string())
    } else {
        Err(format!("invalid host pattern {host:?}"))
    }
}

/// The lower-cased host and the raw path of an http(s) or ws(s) URL, without parsing the rest.
/// Cheap on purpose: it runs on every request of every phase.
pub(crate) fn split_host_path(url: &str) -> Option<(String, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    if !matches!(
        scheme.to_ascii_lowercase().as_str(),
        "http" | "https" | "ws" | "wss"
    ) {
        return None;
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host_port.starts_with('[') {
        // IPv6 literal: never a catalogue host, but keep it whole.
        host_port.split_once(']').map_or(host_port, |(h, _)| h)
    } else {
        host_port.split_once(':').map_or(host_port, |(h, _)| h)
    };
    if host.is_empty() {
        return None;
    }
    let after = &rest[authority_end..];
    let path_end = after.find(['?', '#']).unwrap_or(after.len());
    let path = if after.starts_with('/') {
        &after[..path_end]
    } else {
        "/"
    };
    Some((host.trim_end_matches('.').to_ascii_lowercase(), path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_shipped_catalogue_is_valid_and_large_enough() {
        let catalogue = Catalogue::from_json(CATALOGUE_JSON).expect("catalogue parses");
        assert!(
            catalogue.vendors().len() >= 60,
            "only {} vendors",
            catalogue.vendors().len()
        );
        let mut ids = HashSet::new();
        let mut names = HashSet::new();
        for vendor in catalogue.vendors() {
            assert!(ids.insert(vendor.id.as_str()), "duplicate id {}", vendor.id);
            assert!(
                names.insert(vendor.name.to_ascii_lowercase()),
                "duplicate name {}",
                vendor.name
            );
            assert!(
                vendor
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "id {} is not snake_case",
                vendor.id
            );
            assert!(
                !vendor.entity.trim().is_empty(),
                "{} has no entity",
                vendor.id
            );
            if let Some(decoder) = &vendor.decoder {
                assert!(
                    crate::decode::decoders::request_decoder(decoder).is_some(),
                    "{} names unknown decoder {decoder}",
                    vendor.id
                );
            }
        }
    }

    #[test]
    fn no_two_vendors_claim_the_same_host_and_path() {
        let catalogue = builtin();
        let mut seen = HashSet::new();
        for pattern in &catalogue.patterns {
            let key = (
                pattern.host.clone(),
                pattern.path.as_ref().map(|p| p.text.to_ascii_lowercase()),
            );
            assert!(seen.insert(key.clone()), "pattern {key:?} appears twice");
        }
    }

    #[test]
    fn no_two_cookie_rules_claim_the_same_name_on_the_same_domains() {
        let mut seen = HashSet::new();
        let rules = builtin().cookie_rule_names();
        assert!(rules.len() > 100, "only {} cookie rules", rules.len());
        for (name, domains) in rules {
            let mut domains = domains.to_vec();
            domains.sort();
            assert!(
                seen.insert((name.clone(), domains.clone())),
                "cookie {name} on {domains:?} appears twice"
            );
        }
    }

    #[test]
    fn covers_the_nordic_vendors_the_issue_names() {
        for id in [
            "adform",
            "schibsted",
            "amedia",
            "kilkaya",
            "gemius",
            "piano",
            "siteimprove",
            "snowplow",
        ] {
            assert!(builtin().vendor(id).is_some(), "missing vendor {id}");
        }
    }

    #[test]
    fn invalid_catalogues_are_rejected_with_a_reason() {
        let bad_category = r#"{"vendors":[{"id":"x","name":"X","entity":"X Inc.","category":"spying","patterns":[{"host":"x.example"}]}]}"#;
        assert!(Catalogue::from_json(bad_category)
            .unwrap_err()
            .contains("unknown category"));
        let bad_host = r#"{"vendors":[{"id":"x","name":"X","entity":"X Inc.","category":"analytics","patterns":[{"host":"https://x.example/"}]}]}"#;
        assert!(Catalogue::from_json(bad_host)
            .unwrap_err()
            .contains("invalid host"));
        let bad_path = r#"{"vendors":[{"id":"x","name":"X","entity":"X Inc.","category":"analytics","patterns":[{"path":"collect"}]}]}"#;
        assert!(Catalogue::from_json(bad_path)
            .unwrap_err()
            .contains("must start with '/'"));
        let empty = r#"{"vendors":[{"id":"x","name":"X","entity":"X Inc.","category":"analytics","patterns":[{}]}]}"#;
        assert!(Catalogue::from_json(empty)
            .unwrap_err()
            .contains("empty pattern"));
        let typo = r#"{"vendors":[{"id":"x","name":"X","entity":"X Inc.","category":"analytics","patterns":[{"hots":"x.example"}]}]}"#;
        assert!(Catalogue::from_json(typo).is_err());
    }

    #[test]
    fn the_most_specific_pattern_wins() {
        let catalogue = builtin();
        let name = |url: &str| catalogue.match_url(url).map(|v| v.id.as_str());
        assert_eq!(
            name("https://www.facebook.com/tr/?id=1&ev=PageView"),
            Some("meta_pixel")
        );
        assert_eq!(name("https://www.facebook.com/tr?id=1"), Some("meta_pixel"));
        assert_eq!(
            name("https://www.facebook.com/plugins/like.php?href=x"),
            Some("facebook_social")
        );
        // `/tr` is a whole segment, not a prefix of `/track`.
        assert_eq!(
            name("https://www.facebook.com/track/x"),
            Some("facebook_social")
        );
        assert_eq!(
            name("https://region1.google-analytics.com/g/collect?v=2"),
            Some("google_analytics_4")
        );
        assert_eq!(
            name("https://www.google-analytics.com/collect?v=1"),
            Some("universal_analytics")
        );
        assert_eq!(
            name("https://ad.doubleclick.net/activity;src=1;type=a;cat=b"),
            Some("google_floodlight")
        );
        assert_eq!(
            name("https://securepubads.g.doubleclick.net/gampad/ads?x"),
            Some("google_marketing_platform")
        );
        assert_eq!(
            name("https://Track.Adform.net/Serving/TrackPoint/?pm=1"),
            Some("adform")
        );
        assert_eq!(name("https://example.com/"), None);
        assert_eq!(name("https://notfacebook.com/tr"), None);
    }

    #[test]
    fn path_only_patterns_match_on_any_host() {
        let catalogue = builtin();
        let name = |url: &str| catalogue.match_url(url).map(|v| v.id.as_str());
        assert_eq!(
            name("https://sp.example.no/com.snowplowanalytics.snowplow/tp2"),
            Some("snowplow")
        );
        assert_eq!(
            name("https://stats.example.org/matomo.php?idsite=1&rec=1"),
            Some("matomo")
        );
        assert_eq!(name("https://stats.example.org/matomo.phpx"), None);
    }

    #[test]
    fn splits_urls_without_a_full_parse() {
        assert_eq!(
            split_host_path("https://User@WWW.Example.COM.:8443/a/b?c#d"),
            Some(("www.example.com".to_string(), "/a/b"))
        );
        assert_eq!(
            split_host_path("wss://ws.hotjar.com?x=1"),
            Some(("ws.hotjar.com".to_string(), "/"))
        );
        assert_eq!(split_host_path("data:image/png;base64,xx"), None);
        assert_eq!(split_host_path("https:///nohost"), None);
        assert_eq!(split_host_path("blob:https://x.example/1"), None);
    }

    #[test]
    fn cookies_are_recognised_by_name_and_domain() {
        let catalogue = builtin();
        let fbp = catalogue.match_cookie("_fbp", ".shop.example").unwrap();
        assert_eq!(fbp.vendor.id, "meta_pixel");
        assert!(fbp.is_identifier && fbp.matched_by_name);

        let hotjar = catalogue
            .match_cookie("_hjSessionUser_123456", "www.shop.example")
            .unwrap();
        assert_eq!(hotjar.vendor.id, "hotjar");
        assert!(hotjar.is_identifier);

        let first_seen = catalogue
            .match_cookie("_hjFirstSeen", "www.shop.example")
            .unwrap();
        assert!(!first_seen.is_identifier);

        // `IDE` means something only on doubleclick.net.
        assert!(catalogue.match_cookie("IDE", "shop.example").is_none());
        let ide = catalogue.match_cookie("IDE", ".doubleclick.net").unwrap();
        assert_eq!(ide.vendor.id, "google_marketing_platform");
        assert!(ide.is_identifier);

        // Exact knowledge beats the `li_*` glob.
        let li_gc = catalogue.match_cookie("li_gc", ".linkedin.com").unwrap();
        assert!(!li_gc.is_identifier);
        let li_other = catalogue.match_cookie("li_xyz", "shop.example").unwrap();
        assert_eq!(li_other.vendor.id, "linkedin_insight");
        assert!(li_other.is_identifier);

        // A per-cookie category overrides the vendor's.
        let socs = catalogue.match_cookie("SOCS", ".google.com").unwrap();
        assert_eq!(socs.category, "consent");

        // Unknown name on a vendor's host: the vendor, but not known to be an identifier.
        let unknown = catalogue.match_cookie("xyz", ".criteo.com").unwrap();
        assert_eq!(unknown.vendor.id, "criteo");
        assert!(!unknown.is_identifier && !unknown.matched_by_name);

        assert!(catalogue.match_cookie("session", "shop.example").is_none());
    }
}
