//! What "the site" is: the registrable domain (eTLD+1) of the page, by the Public Suffix List
//! compiled into the `psl` crate. Requests and cookies outside it are third-party.

use url::Url;

/// Registrable domain of a host: `www.nrk.no` → `nrk.no`, `a.b.github.io` → `b.github.io`.
/// IP addresses and single-label hosts are their own site.
pub fn registrable_domain(host: &str) -> String {
    let host = host
        .trim_start_matches('.')
        .trim_end_matches('.')
        .to_ascii_lowercase();
    if host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') {
        return host;
    }
    match psl::domain_str(&host) {
        Some(domain) => domain.to_string(),
        None => host,
    }
}

/// The site of a URL (its registrable domain), or the URL itself when it has no host.
pub fn site_domain(url: &str) -> String {
    Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(registrable_domain))
        .unwrap_or_else(|| url.to_string())
}

/// Whether a cookie domain (`.example.com`, `www.example.com`) belongs to the site.
pub fn same_site(host_or_cookie_domain: &str, site_domain: &str) -> bool {
    registrable_domain(host_or_cookie_domain) == site_domain
}

/// Whether a request URL goes outside the site. `data:` and `blob:` URLs are the page's own.
pub fn is_third_party(url: &str, site_domain: &str) -> bool {
    match Url::parse(url) {
        Ok(u) => match u.host_str() {
            Some(host) => !same_site(host, site_domain),
            None => false,
        },
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrable_domains_follow_the_public_suffix_list() {
        assert_eq!(registrable_domain("www.nrk.no"), "nrk.no");
        assert_eq!(registrable_domain("www.bbc.co.uk"), "bbc.co.uk");
        assert_eq!(registrable_domain(".facebook.com"), "facebook.com");
        assert_eq!(registrable_domain("127.0.0.1"), "127.0.0.1");
        assert_eq!(registrable_domain("skeleton.test"), "skeleton.test");
    }

    #[test]
    fn third_party_is_outside_the_registrable_domain() {
        let site = site_domain("https://www.apotek.no/varer?id=1");
        assert_eq!(site, "apotek.no");
        assert!(!is_third_party("https://cdn.apotek.no/a.js", &site));
        assert!(is_third_party("https://www.facebook.com/tr/?id=1", &site));
        assert!(!is_third_party("data:image/png;base64,AAAA", &site));
        assert!(same_site(".apotek.no", &site));
    }
}
