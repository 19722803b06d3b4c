//! Shared set-up of the browser tests: one fixture web server and one Chromium per test binary,
//! on one runtime, so that tests run concurrently against a single browser (as a crawl does).

#![allow(dead_code)]

use std::future::Future;
use std::path::PathBuf;
use std::sync::OnceLock;

use consentlens::browser::{Browser, BrowserOptions};
use consentlens::webserver::WebServer;
use tokio::runtime::Runtime;
use tokio::sync::OnceCell;

pub struct Fixture {
    pub server: WebServer,
    pub browser: Browser,
}

fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime")
    })
}

pub fn sites_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sites")
}

/// Arguments that send every host to the fixture server, except two names kept for failures:
/// `refused.test` goes to a closed port and `nxdomain.test` does not resolve.
pub fn fixture_args(server: &WebServer) -> Vec<String> {
    vec![
        format!(
            "--host-resolver-rules=MAP refused.test 127.0.0.1:1, MAP nxdomain.test ~NOTFOUND, {}",
            server.host_resolver_rules()
        ),
        "--ignore-certificate-errors".into(),
    ]
}

async fn fixture() -> &'static Fixture {
    static FIXTURE: OnceCell<Fixture> = OnceCell::const_new();
    FIXTURE
        .get_or_init(|| async {
            let server = WebServer::start(vec![sites_root()])
                .await
                .expect("fixture server");
            let options = BrowserOptions {
                extra_args: fixture_args(&server),
                ..BrowserOptions::default()
            };
            let browser = Browser::launch(options)
                .await
                .expect("Chromium (apt-get install chromium)");
            Fixture { server, browser }
        })
        .await
}

/// Runs a test body with the shared fixture server and browser.
pub fn with_fixture<F, Fut>(body: F)
where
    F: FnOnce(&'static Fixture) -> Fut,
    Fut: Future<Output = ()>,
{
    runtime().block_on(async {
        let fixture = fixture().await;
        body(fixture).await
    })
}

/// Starts a fixture server on `roots` and a Chromium whose host names all reach it (with the
/// same two exceptions as [`fixture_args`]), for test binaries that serve other roots than
/// `tests/sites`.
pub async fn start_fixture(roots: Vec<PathBuf>) -> Fixture {
    let server = WebServer::start(roots).await.expect("fixture server");
    let options = BrowserOptions {
        extra_args: fixture_args(&server),
        ..BrowserOptions::default()
    };
    let browser = Browser::launch(options)
        .await
        .expect("Chromium (apt-get install chromium)");
    Fixture { server, browser }
}

/// Runs `future` on this test binary's shared runtime.
pub fn block_on<F: Future>(future: F) -> F::Output {
    runtime().block_on(future)
}
