//! The input policy: which URLs are evaluated at all. Checked before any browser work, so a
//! refused URL costs nothing and gets a clear, typed error.

use std::net::IpAddr;

use url::{Host, Url};

use crate::error::{Error, Result};

/// Parses and checks a URL given by a caller. A bare host name (`nrk.no`, as in top-site lists)
/// means its `https://` home page. Only `http` and `https` are evaluated; with
/// `allow_private_addresses` false, loopback, private and link-local hosts are refused too
/// (for hosted use, where a caller must not reach the operator's network).
pub fn check_url(input: &str, allow_private_addresses: bool) -> Result<Url> {
    let trimmed = input.trim();
    let invalid = |reason: &str| Error::InvalidUrl {
        url: input.to_string(),
        reason: reason.to_string(),
    };
    if trimmed.is_empty() {
        return Err(invalid("the URL is empty"));
    }
    if trimmed.chars().any(|c| c.is_control()) {
        return Err(invalid("the URL contains control characters"));
    }
    let candidate = if looks_like_bare_host(trimmed) {
        format!("https://{trimmed}")
    } else {
        trimmed.to_string()
    };
    let url = Url::parse(&candidate).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::ForbiddenScheme {
            url: input.to_string(),
            scheme: url.scheme().to_string(),
        });
    }
    let host = url.host().ok_or_else(|| invalid("the URL has no host"))?;
    if let Host::Domain(name) = &host {
        // `http://./` and `a..example` parse, but name no site.
        if name.trim_end_matches('.').split('.').any(str::is_empty) {
            return Err(invalid("the host name has an empty label"));
        }
    }
    if !allow_private_addresses && is_private_host(&host) {
        return Err(Error::ForbiddenAddress {
            url: input.to_string(),
            host: host.to_string(),
        });
    }
    Ok(url)
}

/// `example.com` or `example.com/path`: no scheme, and a dot in the first label run.
fn looks_like_bare_host(s: &str) -> bool {
    if s.contains("://") {
        return false;
    }
    let host = s.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    host.contains('.')
        && !host.starts_with('.')
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
}

fn is_private_host(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost") || name.ends_with(".local")
        }
        Host::Ipv4(ip) => is_private_ip(&IpAddr::V4(*ip)),
        Host::Ipv6(ip) => is_private_ip(&IpAddr::V6(*ip)),
    }
}

fn is_private_ip(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                // 100.64.0.0/10, carrier-grade NAT
                || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64)
        }
        IpAddr::V6(v6) => {
            let segments = v6.segments();
            let embedded = |high: u16, low: u16| {
                let [a, b] = high.to_be_bytes();
                let [c, d] = low.to_be_bytes();
                is_private_ip(&IpAddr::V4(std::net::Ipv4Addr::new(a, b, c, d)))
            };
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (segments[0] & 0xfe00) == 0xfc00 // unique local
                || (segments[0] & 0xffc0) == 0xfe80 // link local
                || (segments[0] & 0xffc0) == 0xfec0 // site local (deprecated, still routed)
                || v6.to_ipv4_mapped().is_some_and(|v4| is_private_ip(&IpAddr::V4(v4)))
                // IPv4-compatible ::a.b.c.d and NAT64 64:ff9b::a.b.c.d reach the IPv4 host.
                || (segments[..6] == [0; 6] && embedded(segments[6], segments[7]))
                || (segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] && embedded(segments[6], segments[7]))
                // 6to4: 2002:aabb:ccdd::/48 carries a.b.c.d.
                || (segments[0] == 0x2002 && embedded(segments[1], segments[2]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(input: &str, allow_private: bool) -> &'static str {
        match check_url(input, allow_private) {
            Ok(_) => "ok",
            Err(e) => e.kind(),
        }
    }

    #[test]
    fn only_http_and_https_are_evaluated() {
        assert_eq!(kind("https://www.nrk.no/", true), "ok");
        assert_eq!(kind("http://example.com", true), "ok");
        assert_eq!(kind("file:///etc/passwd", true), "forbidden_scheme");
        assert_eq!(kind("javascript:alert(1)", true), "forbidden_scheme");
        assert_eq!(kind("data:text/html,<p>x</p>", true), "forbidden_scheme");
        assert_eq!(kind("chrome://settings", true), "forbidden_scheme");
        assert_eq!(kind("ftp://example.com/", true), "forbidden_scheme");
    }

    #[test]
    fn malformed_urls_are_invalid() {
        assert_eq!(kind("", true), "invalid_url");
        assert_eq!(kind("   ", true), "invalid_url");
        assert_eq!(kind("https://", true), "invalid_url");
        assert_eq!(kind("http://exa mple.com", true), "invalid_url");
        assert_eq!(kind("not a url", true), "invalid_url");
        assert_eq!(kind("https://example.com/\u{0}x", true), "invalid_url");
        assert_eq!(kind("http://./", true), "invalid_url");
        assert_eq!(kind("https://a..example/", true), "invalid_url");
        assert_eq!(
            kind("https://example.com./", true),
            "ok",
            "a fully qualified name"
        );
    }

    #[test]
    fn bare_hosts_mean_their_https_home_page() {
        assert_eq!(
            check_url("nrk.no", true).unwrap().as_str(),
            "https://nrk.no/"
        );
        assert_eq!(
            check_url("www.vg.no/nyheter", true).unwrap().as_str(),
            "https://www.vg.no/nyheter"
        );
    }

    #[test]
    fn private_addresses_are_refused_only_when_asked() {
        for url in [
            "https://127.0.0.1/",
            "http://localhost:8080/",
            "http://10.1.2.3/",
            "http://192.168.0.1/",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/",
            "http://[fd00::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::127.0.0.1]/",
            "http://[64:ff9b::a00:1]/",
            "http://[2002:c0a8:1::1]/",
            "http://[fec0::1]/",
            "http://[ff02::1]/",
        ] {
            assert_eq!(kind(url, false), "forbidden_address", "{url}");
            assert_eq!(kind(url, true), "ok", "{url}");
        }
        assert_eq!(kind("https://8.8.8.8/", false), "ok");
        assert_eq!(kind("https://[2001:4860:4860::8888]/", false), "ok");
        assert_eq!(
            kind("http://[64:ff9b::808:808]/", false),
            "ok",
            "NAT64 to a public host"
        );
    }
}
