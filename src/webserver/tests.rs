//! The server end to end, over real TLS connections on 127.0.0.1.

use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::sink::TRANSPARENT_GIF;
use super::test_client::{connect, send, send_on, TestRequest, TestResponse};
use super::{BackgroundWebServer, WebServer};
use crate::error::Error;

/// Upper bound for anything that should be quick; a test that hits it has found a hang.
const PATIENCE: Duration = Duration::from_secs(10);

const SINK_COOKIE: &str = "tp_uid=42; Path=/; Max-Age=31536000; SameSite=None; Secure";

fn write(root: &Path, relative: &str, content: &str) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().expect("fixture paths have a parent"))
        .expect("create fixture folder");
    std::fs::write(path, content).expect("write fixture");
}

/// Two sites, a tracker host that serves a script and sinks the rest, nothing for
/// `www.facebook.com` (a pure sink).
fn fixture_root() -> TempDir {
    let root = tempfile::tempdir().expect("temp dir");
    let r = root.path();
    write(r, "site.test/index.html", "<h1>site home</h1>");
    write(r, "site.test/shop/index.html", "<h1>shop</h1>");
    write(r, "site.test/cookie.html", "<p>cookies</p>");
    write(
        r,
        "site.test/cookie.html.headers",
        "Set-Cookie: a=1; Path=/\nSet-Cookie: b=2; Path=/\nX-Fixture: yes\n",
    );
    write(r, "site.test/gone.html", "<p>gone</p>");
    write(r, "site.test/gone.html.headers", "Status: 410\n");
    write(r, "site.test/broken.html", "<p>broken</p>");
    write(r, "site.test/broken.html.headers", "no colon\n");
    write(r, "other.test/index.html", "<h1>other home</h1>");
    write(r, "connect.facebook.net/en_US/fbevents.js", "/* pixel */");
    write(
        r,
        "connect.facebook.net/_sink.headers",
        &format!("Set-Cookie: {SINK_COOKIE}\n"),
    );
    root
}

async fn start(root: &TempDir) -> WebServer {
    WebServer::start(vec![root.path().to_path_buf()])
        .await
        .expect("server starts")
}

async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(PATIENCE, future)
        .await
        .unwrap_or_else(|_| panic!("{what} took longer than {PATIENCE:?}"))
}

async fn fetch(server: &WebServer, request: TestRequest) -> TestResponse {
    let what = format!(
        "{} https://{}{}",
        request.method, request.host, request.path
    );
    within(&what, send(server.port(), &request))
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"))
}

async fn fetch_text(server: &WebServer, request: TestRequest) -> (u16, String) {
    let response = fetch(server, request).await;
    let status = response.status;
    (status, within("body", response.text()).await.expect("body"))
}

#[tokio::test]
async fn routes_by_host_header_and_serves_index() {
    let root = fixture_root();
    let server = start(&root).await;
    let response = fetch(&server, TestRequest::get("site.test", "/")).await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(response.text().await.unwrap(), "<h1>site home</h1>");
    assert_eq!(
        fetch_text(&server, TestRequest::get("Other.Test:443", "/")).await,
        (200, "<h1>other home</h1>".to_string())
    );
    assert_eq!(
        fetch_text(&server, TestRequest::get("site.test", "/shop/")).await,
        (200, "<h1>shop</h1>".to_string())
    );

    // The Host header decides, not the TLS server name.
    let stream = connect(server.port(), "site.test", &[b"http/1.1"])
        .await
        .unwrap();
    let response = send_on(stream, &TestRequest::get("other.test", "/"))
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), "<h1>other home</h1>");
}

#[tokio::test]
async fn sidecars_add_headers_and_set_status() {
    let root = fixture_root();
    let server = start(&root).await;
    let response = fetch(&server, TestRequest::get("site.test", "/cookie.html")).await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header_all("set-cookie"),
        ["a=1; Path=/", "b=2; Path=/"]
    );
    assert_eq!(response.header("x-fixture"), Some("yes"));

    let gone = fetch(&server, TestRequest::get("site.test", "/gone.html")).await;
    assert_eq!(gone.status, 410);
    assert_eq!(gone.text().await.unwrap(), "<p>gone</p>");

    let (status, text) = fetch_text(&server, TestRequest::get("site.test", "/broken.html")).await;
    assert_eq!(status, 500);
    assert!(text.contains("line 1"), "{text}");

    // Sidecars configure; they are not content.
    let sidecar = fetch(
        &server,
        TestRequest::get("site.test", "/cookie.html.headers"),
    )
    .await;
    assert_eq!(sidecar.status, 404);
}

#[tokio::test]
async fn missing_files_on_real_sites_are_404_and_logged() {
    let root = fixture_root();
    let server = start(&root).await;
    let (status, text) = fetch_text(&server, TestRequest::get("site.test", "/missing?x=1")).await;
    assert_eq!(status, 404);
    assert!(text.contains("404"));
    let traversal = fetch(
        &server,
        TestRequest::get("site.test", "/a/%2e%2e/%2e%2e/etc"),
    )
    .await;
    assert_eq!(traversal.status, 400);

    let shop = fetch(&server, TestRequest::get("site.test", "/shop?tab=1")).await;
    assert_eq!(shop.status, 301);
    assert_eq!(shop.header("location"), Some("/shop/?tab=1"));

    assert!(server.hits().is_empty(), "a real site is not a sink");
    let log = server.access_log();
    assert!(log.contains(&("GET".into(), "site.test".into(), "/missing".into(), 404)));
    assert!(log.contains(&("GET".into(), "site.test".into(), "/shop".into(), 301)));
}

#[tokio::test]
async fn bad_host_is_400() {
    let root = fixture_root();
    let server = start(&root).await;
    let response = fetch(&server, TestRequest::get("../etc", "/")).await;
    assert_eq!(response.status, 400);
}

#[tokio::test]
async fn sink_answers_get_with_a_gif_and_logs_the_hit() {
    let root = fixture_root();
    let server = start(&root).await;
    let request = TestRequest::get(
        "www.facebook.com",
        "/tr?id=123&ev=PageView&dl=https%3A%2F%2Fsite.test%2F",
    )
    .header("Origin", "https://site.test")
    .header("Cookie", "fr=abc");
    let response = fetch(&server, request).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("image/gif"));
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some("https://site.test")
    );
    assert_eq!(
        response.header("access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(response.body().await.unwrap(), TRANSPARENT_GIF);

    let hits = server.hits_for("www.facebook.com");
    assert_eq!(hits.len(), 1);
    let hit = &hits[0];
    assert_eq!(hit.method, "GET");
    assert_eq!(hit.path, "/tr");
    assert_eq!(
        hit.query.as_deref(),
        Some("id=123&ev=PageView&dl=https%3A%2F%2Fsite.test%2F")
    );
    assert!(hit.headers.contains(&("cookie".into(), "fr=abc".into())));
    assert!(hit.time_ms > 0.0);
    assert!(server.hits_for("site.test").is_empty());

    let head = fetch(&server, TestRequest::new("HEAD", "www.facebook.com", "/tr")).await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-type"), Some("image/gif"));
    assert_eq!(server.hits_for("www.facebook.com")[1].method, "HEAD");
    server.clear_hits();
    assert!(server.hits().is_empty());
}

#[tokio::test]
async fn sink_post_keeps_the_body_and_sends_sink_headers() {
    let root = fixture_root();
    let server = start(&root).await;
    let payload = b"ev=Purchase&cd[content_name]=Clearblue&cd[value]=119";
    let request = TestRequest::new("POST", "connect.facebook.net", "/tr/")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(payload);
    let response = fetch(&server, request).await;
    assert_eq!(response.status, 204);
    assert_eq!(response.header_all("set-cookie"), [SINK_COOKIE]);

    // The same host still serves its files, and those requests are hits too.
    let script = fetch(
        &server,
        TestRequest::get("connect.facebook.net", "/en_US/fbevents.js"),
    )
    .await;
    assert_eq!(script.status, 200);
    assert_eq!(
        script.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(script.text().await.unwrap(), "/* pixel */");

    let hits = server.hits_for("connect.facebook.net");
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0].method, "POST");
    assert_eq!(hits[0].body, payload);
    assert_eq!(hits[1].path, "/en_US/fbevents.js");
}

#[tokio::test]
async fn sink_keeps_at_most_one_mebibyte_of_a_body() {
    let root = fixture_root();
    let server = start(&root).await;
    let payload = vec![b'x'; 1024 * 1024 + 512 * 1024];
    let request = TestRequest::new("POST", "collector.test", "/upload").body(&payload);
    assert_eq!(fetch(&server, request).await.status, 204);
    let hits = server.hits_for("collector.test");
    assert_eq!(hits[0].body.len(), 1024 * 1024);
}

#[tokio::test]
async fn sink_answers_cors_preflight() {
    let root = fixture_root();
    let server = start(&root).await;
    let request = TestRequest::new("OPTIONS", "www.google-analytics.com", "/g/collect")
        .header("Origin", "https://site.test")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type");
    let response = fetch(&server, request).await;
    assert_eq!(response.status, 204);
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some("https://site.test")
    );
    assert_eq!(
        response.header("access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(
        response.header("access-control-allow-methods"),
        Some("POST")
    );
    assert_eq!(
        response.header("access-control-allow-headers"),
        Some("content-type")
    );
}

#[tokio::test]
async fn hostile_routes_redirect_set_status_and_send_files() {
    let root = fixture_root();
    let server = start(&root).await;
    let looped = fetch(
        &server,
        TestRequest::get("site.test", "/__cl/redirect-loop?n=3"),
    )
    .await;
    assert_eq!(looped.status, 302);
    assert_eq!(looped.header("location"), Some("/__cl/redirect-loop?n=4"));

    let redirect = fetch(
        &server,
        TestRequest::get("site.test", "/__cl/redirect?to=https%3A%2F%2Fother.test%2F"),
    )
    .await;
    assert_eq!(redirect.status, 302);
    assert_eq!(redirect.header("location"), Some("https://other.test/"));

    let unavailable = fetch(
        &server,
        TestRequest::get("www.facebook.com", "/__cl/status/503"),
    )
    .await;
    assert_eq!(unavailable.status, 503);

    let empty = fetch(&server, TestRequest::get("site.test", "/__cl/empty")).await;
    assert_eq!(empty.status, 200);
    assert_eq!(empty.header("content-length"), Some("0"));
    assert!(empty.body().await.unwrap().is_empty());

    let download = fetch(&server, TestRequest::get("site.test", "/__cl/download")).await;
    assert!(download
        .header("content-disposition")
        .is_some_and(|d| d.starts_with("attachment")));
    let bytes = download.body().await.unwrap();
    assert_eq!(bytes.len(), 4096);
    assert_eq!(bytes[255], 255);

    let started = Instant::now();
    let slow = fetch(&server, TestRequest::get("site.test", "/__cl/slow?ms=300")).await;
    assert_eq!(slow.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    // Hostile routes are test machinery, not tracker traffic.
    assert!(server.hits_for("www.facebook.com").is_empty());
}

#[tokio::test]
async fn hang_never_answers_while_others_are_served() {
    let root = fixture_root();
    let server = start(&root).await;
    let port = server.port();
    let hanging =
        tokio::spawn(async move { send(port, &TestRequest::get("site.test", "/__cl/hang")).await });
    let (status, _) = fetch_text(&server, TestRequest::get("site.test", "/")).await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!hanging.is_finished(), "the hanging request got an answer");
    assert!(server.access_log().contains(&(
        "GET".into(),
        "site.test".into(),
        "/__cl/hang".into(),
        0
    )));
    hanging.abort();
}

#[tokio::test]
async fn close_drops_the_connection_without_an_answer() {
    let root = fixture_root();
    let server = start(&root).await;
    let result = within(
        "close",
        send(server.port(), &TestRequest::get("site.test", "/__cl/close")),
    )
    .await;
    let error = result.err().expect("no response expected");
    assert_eq!(error.kind(), std::io::ErrorKind::UnexpectedEof, "{error}");
}

#[tokio::test]
async fn big_is_streamed_to_the_exact_size() {
    let root = fixture_root();
    let server = start(&root).await;
    let response = fetch(&server, TestRequest::get("site.test", "/__cl/big?mb=32")).await;
    assert_eq!(response.status, 200);
    let expected = 32 * 1024 * 1024u64;
    assert_eq!(
        response.header("content-length"),
        Some(&*expected.to_string())
    );
    let received = within("big body", response.count_body_bytes())
        .await
        .unwrap();
    assert_eq!(received, expected);
}

#[tokio::test]
async fn slowloris_sends_headers_then_trickles() {
    let root = fixture_root();
    let server = start(&root).await;
    let started = Instant::now();
    let mut response = fetch(&server, TestRequest::get("site.test", "/__cl/slowloris")).await;
    assert_eq!(response.status, 200);
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "headers came after {:?}",
        started.elapsed()
    );
    for _ in 0..2 {
        let chunk = within("a trickled byte", response.next_chunk())
            .await
            .unwrap();
        assert_eq!(chunk.as_deref(), Some(&b"."[..]));
    }
    assert!(started.elapsed() >= Duration::from_secs(2));
}

#[tokio::test]
async fn badtls_handshake_is_refused() {
    let root = fixture_root();
    let server = start(&root).await;
    let error = within(
        "badtls handshake",
        connect(server.port(), "badtls.test", &[b"http/1.1"]),
    )
    .await
    .expect_err("the handshake must fail");
    assert!(
        error.to_string().contains("UnrecognisedName"),
        "unexpected error: {error}"
    );
    // Without SNI the name is only known from Host: the request is closed unanswered.
    let stream = connect(server.port(), "127.0.0.1", &[b"http/1.1"])
        .await
        .unwrap();
    let result = within(
        "badtls by Host",
        send_on(stream, &TestRequest::get("badtls.test", "/")),
    )
    .await;
    assert!(result.is_err());
    // The server is unharmed.
    assert_eq!(
        fetch(&server, TestRequest::get("site.test", "/"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn alpn_offers_http2() {
    let root = fixture_root();
    let server = start(&root).await;
    let stream = connect(server.port(), "site.test", &[b"h2", b"http/1.1"])
        .await
        .unwrap();
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
}

#[tokio::test]
async fn shutdown_closes_hanging_connections_promptly() {
    let root = fixture_root();
    let server = start(&root).await;
    let port = server.port();
    let mut hanging = Vec::new();
    for path in ["/__cl/hang", "/__cl/slowloris"] {
        hanging.push(tokio::spawn(async move {
            let response = send(port, &TestRequest::get("site.test", path)).await?;
            response.body().await
        }));
    }
    // Both requests must have reached the server before it stops.
    within("requests to arrive", async {
        while server.access_log().len() < 2 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;

    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(2), server.shutdown())
        .await
        .expect("shutdown completes with hanging connections open");
    assert!(started.elapsed() < Duration::from_secs(2));
    for client in hanging {
        let outcome = within("the client to notice", client).await.unwrap();
        assert!(outcome.is_err(), "a hanging request was answered in full");
    }
    assert!(tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err());
}

#[tokio::test]
async fn dropping_the_server_stops_it() {
    let root = fixture_root();
    let server = start(&root).await;
    let port = server.port();
    drop(server);
    within("the listener to close", async {
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
}

#[tokio::test]
async fn start_refuses_a_missing_root() {
    let root = fixture_root();
    let missing = root.path().join("no-such-folder");
    let error = WebServer::start(vec![missing]).await.expect_err("error");
    assert!(matches!(error, Error::Config(_)), "{error}");
}

#[tokio::test]
async fn listens_on_loopback_only() {
    let root = fixture_root();
    let server = start(&root).await;
    assert_eq!(
        server.host_resolver_rules(),
        format!("MAP * 127.0.0.1:{}", server.port())
    );
    assert!(std::net::TcpStream::connect(("127.0.0.1", server.port())).is_ok());
    // All of 127/8 is loopback on Linux; a server bound to 0.0.0.0 would answer here too.
    assert!(std::net::TcpStream::connect(("127.0.0.2", server.port())).is_err());
}

#[test]
fn background_server_runs_without_a_caller_runtime() {
    let root = fixture_root();
    let server = BackgroundWebServer::start(vec![root.path().to_path_buf()]).expect("starts");
    let port = server.port();
    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = client.block_on(async {
        let response = send(port, &TestRequest::get("www.facebook.com", "/tr?ev=Lead"))
            .await
            .unwrap();
        response.status
    });
    assert_eq!(status, 200);
    let hits = server.hits();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].query.as_deref(), Some("ev=Lead"));
    server.stop();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}

fn alive_tasks() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}

#[tokio::test]
async fn a_client_that_leaves_releases_its_hanging_request() {
    let root = fixture_root();
    let tasks_before_server = alive_tasks();
    let server = start(&root).await;
    let port = server.port();
    let client = tokio::spawn(async move {
        send(port, &TestRequest::get("site.test", "/__cl/hang"))
            .await
            .map(|_| ())
    });
    within("the request to arrive", async {
        while server.access_log().is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    // The accept loop, the connection and the client.
    assert_eq!(alive_tasks(), tasks_before_server + 3);
    client.abort();
    let _ = client.await;
    within("the connection to end", async {
        while alive_tasks() > tasks_before_server + 1 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
}
