//! The served content: `<root>/<host>/<path>` over one or more roots, the first root that has a
//! file wins. Host names and paths come from the network, so both are checked before they touch
//! the file system: a host is a plain DNS-like name, a path has no `..` and no backslash.

use std::path::{Path, PathBuf};

/// The file in a host's folder that makes the host a tracker sink and holds the sink's headers.
pub(crate) const SINK_HEADERS_FILE: &str = "_sink.headers";

/// The folder of a root whose files every site of that root serves under `/_shared/`: a script
/// that several fixture sites use, served from each site's own origin as its own script would be.
pub(crate) const SHARED_FOLDER: &str = "_shared";

/// Suffix of sidecar files; they configure responses and are never served themselves.
pub(crate) const SIDECAR_SUFFIX: &str = ".headers";

/// Longest host name accepted (the DNS limit).
const MAX_HOST_LEN: usize = 253;

/// How a host is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HostKind {
    /// A site with a folder: a missing file is a 404.
    Site,
    /// A tracker sink: a missing file is answered by the sink. `headers` is the `_sink.headers`
    /// file to add, when there is one.
    Sink { headers: Option<PathBuf> },
}

/// The outcome of looking a path up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lookup {
    File(PathBuf),
    /// A directory asked for without its trailing slash: redirect, so relative links resolve.
    Directory,
    NotFound,
}

/// A request path split into safe segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SafePath {
    segments: Vec<String>,
    /// Whether the path names a directory (ends with `/`).
    is_directory: bool,
}

impl SafePath {
    /// Percent-decodes and checks a request path; `None` when it is not a plain relative path
    /// (`..`, backslashes, NUL, invalid UTF-8).
    pub fn parse(raw_path: &str) -> Option<SafePath> {
        let decoded = percent_encoding::percent_decode_str(raw_path)
            .decode_utf8()
            .ok()?;
        let mut segments = Vec::new();
        for segment in decoded.split('/') {
            match segment {
                "" | "." => continue,
                ".." => return None,
                _ if segment.contains(['\\', '\0']) => return None,
                _ => segments.push(segment.to_string()),
            }
        }
        let is_directory = segments.is_empty() || decoded.ends_with('/');
        Some(SafePath {
            segments,
            is_directory,
        })
    }

    fn under(&self, folder: &Path) -> PathBuf {
        let mut path = folder.to_path_buf();
        path.extend(&self.segments);
        path
    }
}

/// Normalises a host name from a Host header, `:authority` or SNI: lower case, no port, no
/// trailing dot. `None` when it is not a plain name made of letters, digits, `-`, `_` and `.`
/// (an IPv4 address passes; an IPv6 literal does not).
pub(crate) fn normalize_host(raw: &str) -> Option<String> {
    let without_port = match raw.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => raw,
    };
    let host = without_port
        .strip_suffix('.')
        .unwrap_or(without_port)
        .to_ascii_lowercase();
    let is_plain = !host.is_empty()
        && host.len() <= MAX_HOST_LEN
        && !host.starts_with('.')
        && !host.contains("..")
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    is_plain.then_some(host)
}

/// The content roots of one server.
#[derive(Debug, Clone)]
pub(crate) struct Roots {
    roots: Vec<PathBuf>,
}

impl Roots {
    pub fn new(roots: Vec<PathBuf>) -> Roots {
        Roots { roots }
    }

    /// A host is a sink when no root has a folder for it, or when one of its folders holds
    /// `_sink.headers` (a tracker that also serves files, like `connect.facebook.net`).
    pub async fn host_kind(&self, host: &str) -> HostKind {
        let mut has_folder = false;
        for root in &self.roots {
            let folder = root.join(host);
            if !is_dir(&folder).await {
                continue;
            }
            has_folder = true;
            let sink_headers = folder.join(SINK_HEADERS_FILE);
            if is_file(&sink_headers).await {
                return HostKind::Sink {
                    headers: Some(sink_headers),
                };
            }
        }
        if has_folder {
            HostKind::Site
        } else {
            HostKind::Sink { headers: None }
        }
    }

    /// Finds the file for `host` and `path`: a file, or a directory's `index.html`; a path
    /// under `/_shared/` is looked up in the roots' [`SHARED_FOLDER`], whatever the host.
    pub async fn lookup(&self, host: &str, path: &SafePath) -> Lookup {
        let is_sidecar = path
            .segments
            .last()
            .is_some_and(|name| name.ends_with(SIDECAR_SUFFIX));
        if is_sidecar {
            return Lookup::NotFound;
        }
        let is_shared = path.segments.first().is_some_and(|s| s == SHARED_FOLDER);
        for root in &self.roots {
            // A shared path's first segment is the shared folder itself.
            let folder = if is_shared {
                root.clone()
            } else {
                root.join(host)
            };
            let candidate = path.under(&folder);
            if !path.is_directory && is_file(&candidate).await {
                return Lookup::File(candidate);
            }
            if is_dir(&candidate).await {
                if !path.is_directory {
                    return Lookup::Directory;
                }
                let index = candidate.join("index.html");
                if is_file(&index).await {
                    return Lookup::File(index);
                }
            }
        }
        Lookup::NotFound
    }
}

async fn is_file(path: &Path) -> bool {
    tokio::fs::metadata(path)
        .await
        .is_ok_and(|metadata| metadata.is_file())
}

async fn is_dir(path: &Path) -> bool {
    tokio::fs::metadata(path)
        .await
        .is_ok_and(|metadata| metadata.is_dir())
}

/// The Content-Type for a file, from its extension.
pub(crate) fn content_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "gif" => "image/gif",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "wasm" => "application/wasm",
        "webmanifest" => "application/manifest+json",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_normalised() {
        assert_eq!(
            normalize_host("Pharmacy.TEST").as_deref(),
            Some("pharmacy.test")
        );
        assert_eq!(
            normalize_host("site.test:8443").as_deref(),
            Some("site.test")
        );
        assert_eq!(normalize_host("site.test.").as_deref(), Some("site.test"));
        assert_eq!(normalize_host("127.0.0.1:80").as_deref(), Some("127.0.0.1"));
        assert_eq!(
            normalize_host("www.google-analytics.com").as_deref(),
            Some("www.google-analytics.com")
        );
    }

    #[test]
    fn hostile_hosts_are_refused() {
        for raw in [
            "",
            ".",
            "..",
            "../etc",
            "a/b",
            "a\\b",
            "site..test",
            ".hidden",
            "[::1]:443",
            "a b",
            "é.test",
        ] {
            assert_eq!(normalize_host(raw), None, "{raw:?}");
        }
        assert_eq!(normalize_host(&"a".repeat(300)), None);
    }

    #[test]
    fn paths_are_split_into_safe_segments() {
        let path = SafePath::parse("/a/b%20c/./d.html").unwrap();
        assert_eq!(path.segments, ["a", "b c", "d.html"]);
        assert!(!path.is_directory);
        let root = SafePath::parse("/").unwrap();
        assert!(root.segments.is_empty() && root.is_directory);
        assert!(SafePath::parse("/shop/").unwrap().is_directory);
        assert!(SafePath::parse("//double//slash").is_some());
    }

    #[test]
    fn traversal_and_odd_bytes_are_refused() {
        for raw in [
            "/../secret",
            "/a/%2e%2e/b",
            "/a/..",
            "/a%5c..%5cb",
            "/a%00b",
            "/%ff",
        ] {
            assert_eq!(SafePath::parse(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(
            content_type(Path::new("a/index.html")),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("fbevents.JS")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("p.gif")), "image/gif");
        assert_eq!(content_type(Path::new("logo.svg")), "image/svg+xml");
        assert_eq!(content_type(Path::new("noext")), "application/octet-stream");
    }

    #[tokio::test]
    async fn first_root_wins_and_directories_serve_index() {
        let first = tempfile::tempdir().unwrap();
        let second = tempfile::tempdir().unwrap();
        let write = |root: &Path, rel: &str, text: &str| {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(first.path(), "site.test/index.html", "first");
        write(second.path(), "site.test/index.html", "second");
        write(second.path(), "site.test/only-second.txt", "2");
        write(second.path(), "site.test/shop/index.html", "shop");
        write(second.path(), "site.test/page.html.headers", "Status: 200");
        let roots = Roots::new(vec![first.path().into(), second.path().into()]);
        let lookup = |p: &'static str| {
            let roots = roots.clone();
            async move {
                roots
                    .lookup("site.test", &SafePath::parse(p).unwrap())
                    .await
            }
        };
        assert_eq!(
            lookup("/").await,
            Lookup::File(first.path().join("site.test/index.html"))
        );
        assert_eq!(
            lookup("/only-second.txt").await,
            Lookup::File(second.path().join("site.test/only-second.txt"))
        );
        assert_eq!(
            lookup("/shop/").await,
            Lookup::File(second.path().join("site.test/shop/index.html"))
        );
        assert_eq!(lookup("/shop").await, Lookup::Directory);
        assert_eq!(lookup("/page.html.headers").await, Lookup::NotFound);
        assert_eq!(lookup("/missing").await, Lookup::NotFound);
    }

    #[tokio::test]
    async fn every_site_serves_the_shared_folder_under_its_own_origin() {
        let root = tempfile::tempdir().unwrap();
        for rel in [
            "_shared/consent.js",
            "one.test/index.html",
            "two.test/_shared/x.js",
        ] {
            let path = root.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, rel).unwrap();
        }
        let roots = Roots::new(vec![root.path().into()]);
        let shared = root.path().join("_shared/consent.js");
        for host in ["one.test", "two.test"] {
            let path = SafePath::parse("/_shared/consent.js").unwrap();
            assert_eq!(
                roots.lookup(host, &path).await,
                Lookup::File(shared.clone())
            );
        }
        // A site's own folder of that name is not reached, and `..` does not leave the folder.
        let own = SafePath::parse("/_shared/x.js").unwrap();
        assert_eq!(roots.lookup("two.test", &own).await, Lookup::NotFound);
        assert!(SafePath::parse("/_shared/../one.test/index.html").is_none());
    }

    #[tokio::test]
    async fn sink_hosts_are_those_without_folder_or_with_sink_headers() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("site.test")).unwrap();
        std::fs::create_dir_all(root.path().join("connect.facebook.net")).unwrap();
        let sink_headers = root
            .path()
            .join("connect.facebook.net")
            .join(SINK_HEADERS_FILE);
        std::fs::write(&sink_headers, "").unwrap();
        let roots = Roots::new(vec![root.path().into()]);
        assert_eq!(roots.host_kind("site.test").await, HostKind::Site);
        assert_eq!(
            roots.host_kind("connect.facebook.net").await,
            HostKind::Sink {
                headers: Some(sink_headers)
            }
        );
        assert_eq!(
            roots.host_kind("www.facebook.com").await,
            HostKind::Sink { headers: None }
        );
    }
}
