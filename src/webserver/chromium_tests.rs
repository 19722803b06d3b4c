//! The server as Chromium sees it: a page over HTTP/2 with its tracker pixel, a `badtls.*` name
//! that fails as a TLS error despite `--ignore-certificate-errors`, and a shutdown that ends an
//! HTTP/2 request left hanging, with Debian's Chromium at /usr/bin/chromium.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use super::WebServer;
use crate::error::Error;

const CHROMIUM: &str = "/usr/bin/chromium";

/// Chromium headless starts and loads a small page in a few seconds; this only catches a hang.
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(90);

const PAGE: &str = r#"<!doctype html><html><body><h1>fixture site</h1>
<img src="https://www.facebook.com/tr?id=1&ev=PageView">
<script>
document.body.dataset.protocol =
  performance.getEntriesByType("navigation")[0].nextHopProtocol;
</script>
</body></html>"#;

struct DumpedDom {
    stdout: String,
    stderr: String,
}

/// Runs `chromium --headless --dump-dom url` against the server, in a throwaway profile.
async fn dump_dom(host_resolver_rules: String, url: &str) -> DumpedDom {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut command = tokio::process::Command::new(CHROMIUM);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--ignore-certificate-errors",
        ])
        .arg(format!("--host-resolver-rules={host_resolver_rules}"))
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--dump-dom", url])
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let output = tokio::time::timeout(CHROMIUM_TIMEOUT, command.output())
        .await
        .unwrap_or_else(|_| panic!("chromium took longer than {CHROMIUM_TIMEOUT:?} on {url}"))
        .expect("chromium runs");
    DumpedDom {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_loads_a_site_fails_badtls_and_is_let_go_at_shutdown() {
    // scripts/setup.sh installs Chromium: its absence is a failure, not a skip.
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing (apt-get install chromium)"
    );
    let root = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(root.path().join("site.test")).expect("site folder");
    std::fs::write(root.path().join("site.test/index.html"), PAGE).expect("page");
    let tasks_before_server = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();
    let server = WebServer::start(vec![root.path().to_path_buf()])
        .await
        .expect("server starts");
    let rules = server.host_resolver_rules();

    let (site, badtls) = tokio::join!(
        dump_dom(rules.clone(), "https://site.test/"),
        dump_dom(rules.clone(), "https://badtls.test/")
    );

    assert!(
        site.stdout.contains("<h1>fixture site</h1>"),
        "no page; stderr:\n{}",
        site.stderr
    );
    // ALPN gave Chromium HTTP/2.
    assert!(
        site.stdout.contains(r#"data-protocol="h2""#),
        "{}",
        site.stdout
    );
    let pixels = server.hits_for("www.facebook.com");
    assert!(
        pixels
            .iter()
            .any(|hit| hit.path == "/tr" && hit.query.as_deref() == Some("id=1&ev=PageView")),
        "pixel not logged: {pixels:?}"
    );
    assert!(server
        .access_log()
        .contains(&("GET".into(), "site.test".into(), "/".into(), 200)));

    // The handshake was refused before any HTTP; Chromium reports the alert as a TLS error
    // (its headless command handler logs "Page load failed: net::ERR_…").
    assert!(!badtls.stdout.contains("fixture site"));
    assert!(
        badtls
            .stderr
            .contains("net::ERR_SSL_UNRECOGNIZED_NAME_ALERT"),
        "unexpected failure:\n{}",
        badtls.stderr
    );
    let error = Error::from_net_error(
        "https://badtls.test/",
        "net::ERR_SSL_UNRECOGNIZED_NAME_ALERT",
    );
    assert_eq!(error.kind(), "tls");
    assert!(!server
        .access_log()
        .iter()
        .any(|(_, host, _, _)| host == "badtls.test"));

    // A request that hangs on an HTTP/2 stream (served by a task of its own) must not outlive
    // the server.
    let hanging = tokio::spawn(dump_dom(rules, "https://site.test/__cl/hang"));
    let waiting_since = Instant::now();
    while !server
        .access_log()
        .iter()
        .any(|(_, _, path, _)| path == "/__cl/hang")
    {
        assert!(
            waiting_since.elapsed() < CHROMIUM_TIMEOUT,
            "chromium never asked for /__cl/hang"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::timeout(Duration::from_secs(2), server.shutdown())
        .await
        .expect("shutdown completes while chromium waits on a hanging request");
    let hung = hanging.await.expect("chromium task");
    assert!(!hung.stdout.contains("fixture site"));
    let waiting_since = Instant::now();
    while tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
        > tasks_before_server
    {
        assert!(
            waiting_since.elapsed() < Duration::from_secs(2),
            "server tasks outlived the shutdown"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
