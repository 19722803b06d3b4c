//! The browser: Debian's Chromium, started by us and driven over the DevTools protocol with
//! `chromiumoxide` (DESIGN.md says why not `headless_chrome`).
//!
//! We start the process ourselves rather than through `chromiumoxide::Browser::launch` so that we
//! choose every argument (its defaults include `--enable-automation`, which makes
//! `navigator.webdriver` read true), put Chromium in its own process group (so that every helper
//! process dies with it), and ask the kernel to kill it if we die first.

mod find;
mod launch;
mod relay;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::browser::{
    BrowserContextId, SetDownloadBehaviorBehavior, SetDownloadBehaviorParams,
};
use chromiumoxide::cdp::browser_protocol::target::{
    CloseTargetParams, CreateBrowserContextParams, CreateTargetParams, DisposeBrowserContextParams,
};
use chromiumoxide::handler::HandlerConfig;
use chromiumoxide::Page;
use futures::StreamExt;
use tokio::task::JoinHandle;

use crate::error::{Error, Result};
use crate::model::{ThirdPartyCookies, Viewport};

pub use find::find_chromium;
pub use launch::chromium_args;

impl From<chromiumoxide::error::CdpError> for Error {
    fn from(e: chromiumoxide::error::CdpError) -> Self {
        use chromiumoxide::error::CdpError;
        match e {
            CdpError::Timeout => Error::Timeout {
                what: "a DevTools command".into(),
                timeout_ms: 0,
            },
            CdpError::ChannelSendError(_) | CdpError::NoResponse => {
                Error::BrowserCrashed(e.to_string())
            }
            other => Error::Protocol(other.to_string()),
        }
    }
}

/// How the browser is started and what it presents to pages.
#[derive(Debug, Clone)]
pub struct BrowserOptions {
    /// Chromium's path; found via `CONSENTLENS_CHROME` and `PATH` when `None`.
    pub executable: Option<PathBuf>,
    /// Extra command-line arguments, appended after ours (`--disable-features` lists are merged).
    pub extra_args: Vec<String>,
    pub viewport: Viewport,
    /// BCP 47 language tag presented in `navigator.language` and `Accept-Language`.
    pub locale: String,
    /// IANA time zone presented to pages.
    pub timezone: String,
    /// How long a single DevTools command may take before the browser is considered hung.
    pub command_timeout_ms: u64,
    pub launch_timeout_ms: u64,
}

impl Default for BrowserOptions {
    fn default() -> Self {
        BrowserOptions {
            executable: None,
            extra_args: Vec::new(),
            viewport: Viewport::default(),
            // A European desktop: CMPs that geo-target by time zone or language show their EU dialog.
            locale: "en-GB".into(),
            timezone: "Europe/Oslo".into(),
            command_timeout_ms: 20_000,
            launch_timeout_ms: 30_000,
        }
    }
}

/// One running Chromium. It serves many observations, each in its own browser context.
pub struct Browser {
    inner: chromiumoxide::Browser,
    handler: JoinHandle<()>,
    process: launch::ChromiumProcess,
    _relay: relay::DevtoolsRelay,
    /// e.g. `"Chromium/156.0.8078.108"`.
    pub version: String,
    /// The user agent presented to pages (without "HeadlessChrome").
    pub user_agent: String,
    /// Every argument Chromium was started with.
    pub args: Vec<String>,
    pub options: BrowserOptions,
    /// Set by the handler task when the connection to the browser is gone.
    disconnected: Arc<AtomicBool>,
}

impl Browser {
    /// Starts Chromium and connects to it.
    pub async fn launch(options: BrowserOptions) -> Result<Browser> {
        let executable = match &options.executable {
            Some(path) => path.clone(),
            None => find_chromium()?,
        };
        let process = launch::ChromiumProcess::spawn(&executable, &options).await?;
        let config = HandlerConfig {
            // Certificate errors stay errors unless the caller passes --ignore-certificate-errors.
            ignore_https_errors: false,
            ignore_invalid_messages: true,
            // We emulate the viewport ourselves: chromiumoxide's emulation turns on touch input,
            // which is not what a desktop visitor has.
            viewport: None,
            request_timeout: Duration::from_millis(options.command_timeout_ms),
            request_intercept: false,
            cache_enabled: true,
            ..HandlerConfig::default()
        };
        // Every message passes the relay, which makes it readable whatever a page put in it.
        let relay = relay::DevtoolsRelay::start(&process.ws_url).await?;
        let (inner, mut handler) =
            chromiumoxide::Browser::connect_with_config(relay.ws_url.clone(), config)
                .await
                .map_err(|e| Error::LaunchFailed {
                    path: executable.clone(),
                    message: format!("could not connect to DevTools: {e}"),
                })?;
        let disconnected = Arc::new(AtomicBool::new(false));
        let flag = disconnected.clone();
        let handler = tokio::spawn(async move {
            while let Some(event) = handler.next().await {
                if let Err(chromiumoxide::error::CdpError::Ws(_)) = event {
                    break;
                }
            }
            flag.store(true, Ordering::SeqCst);
        });
        let version = inner.version().await?;
        let user_agent = launch::personal_user_agent(&version.user_agent);
        Ok(Browser {
            version: browser_name(&executable, &version.product),
            user_agent,
            args: process.args.clone(),
            inner,
            handler,
            process,
            _relay: relay,
            options,
            disconnected,
        })
    }

    /// Whether the browser process and its DevTools connection are still there.
    pub fn is_alive(&self) -> bool {
        !self.disconnected.load(Ordering::SeqCst) && self.process.is_running()
    }

    /// Kills the browser's whole process group at once (for a hung or abandoned browser).
    pub fn kill(&self) {
        self.process.kill_now();
        self.disconnected.store(true, Ordering::SeqCst);
    }

    /// Width and height of every page's viewport, in CSS pixels.
    pub fn viewport_css(&self) -> (f64, f64) {
        let viewport = self.options.viewport;
        (f64::from(viewport.width), f64::from(viewport.height))
    }

    pub fn pid(&self) -> u32 {
        self.process.pid
    }

    /// Third-party cookie policy of every context (set in the profile before launch).
    pub fn third_party_cookies(&self) -> ThirdPartyCookies {
        ThirdPartyCookies::Allowed
    }

    /// A fresh, isolated browser context (its own cookies, storage and cache) with one page,
    /// set up to look like a person's desktop browser.
    pub async fn new_context(&self) -> Result<Context> {
        let id = self
            .inner
            .execute(CreateBrowserContextParams::default())
            .await?
            .result
            .browser_context_id;
        // A URL that answers with a download is not a page: nothing may be written to disk.
        let deny_downloads = SetDownloadBehaviorParams::builder()
            .behavior(SetDownloadBehaviorBehavior::Deny)
            .browser_context_id(id.clone())
            .build()
            .map_err(Error::Protocol)?;
        if let Err(error) = self.inner.execute(deny_downloads).await {
            let _ = self
                .inner
                .execute(DisposeBrowserContextParams::new(id))
                .await;
            return Err(error.into());
        }
        let page = match self
            .inner
            .new_page(
                CreateTargetParams::builder()
                    .url("about:blank")
                    .browser_context_id(id.clone())
                    .build()
                    .map_err(Error::Protocol)?,
            )
            .await
        {
            Ok(page) => page,
            Err(e) => {
                let _ = self
                    .inner
                    .execute(DisposeBrowserContextParams::new(id))
                    .await;
                return Err(e.into());
            }
        };
        let context = Context { id, page };
        launch::present_as_person(&context.page, self).await?;
        Ok(context)
    }

    /// Closes the browser: politely first, then by killing its process group.
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(2), self.inner.close()).await;
        self.process.kill_now();
        self.handler.abort();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.process.kill_now();
        self.handler.abort();
    }
}

/// `"Chromium 156.0.8078.108"`: the product's version under the name of the executable that ran
/// (Chromium reports itself as "Chrome" over DevTools).
fn browser_name(executable: &std::path::Path, product: &str) -> String {
    let number = product.split_once('/').map_or(product, |(_, v)| v);
    let file = executable
        .file_name()
        .map(|f| f.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let name = if file.contains("chromium") {
        "Chromium"
    } else {
        "Chrome"
    };
    format!("{name} {number}")
}

/// An isolated browser context with its page. Dispose of it with [`Browser::close_context`].
pub struct Context {
    pub id: BrowserContextId,
    pub page: Page,
}

impl Browser {
    /// Throws away the context with every page in it (pop-ups included), its cookies and its
    /// storage. Disposing of a context closes its pages without running their `beforeunload`
    /// handlers, so a page stuck in a dialog, a trap or a script cannot keep it open.
    pub async fn close_context(&self, context: Context) {
        let dispose = self
            .inner
            .execute(DisposeBrowserContextParams::new(context.id.clone()));
        let disposed = tokio::time::timeout(Duration::from_secs(5), dispose).await;
        if !matches!(disposed, Ok(Ok(_))) {
            // The context could not be disposed of: at least close its page.
            let close = self
                .inner
                .execute(CloseTargetParams::new(context.page.target_id().clone()));
            let _ = tokio::time::timeout(Duration::from_secs(2), close).await;
        }
    }
}

/// A page (tab or pop-up) open in the browser, as DevTools lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenPage {
    pub target_id: String,
    pub url: String,
    /// The browser context it lives in; `None` for the default context.
    pub context_id: Option<String>,
}

impl Browser {
    /// Every page open in the browser, in any context (for checking that nothing is left open).
    pub async fn open_pages(&self) -> Result<Vec<OpenPage>> {
        use chromiumoxide::cdp::browser_protocol::target::GetTargetsParams;
        let answer = self.inner.execute(GetTargetsParams::default()).await?;
        Ok(answer
            .result
            .target_infos
            .into_iter()
            .filter(|t| t.r#type == "page")
            .map(|t| OpenPage {
                target_id: t.target_id.as_ref().to_string(),
                url: t.url,
                context_id: t.browser_context_id.map(|c| c.as_ref().to_string()),
            })
            .collect())
    }

    /// How many browser contexts are open (the default one not counted).
    pub async fn open_context_count(&self) -> Result<usize> {
        use chromiumoxide::cdp::browser_protocol::target::GetBrowserContextsParams;
        let answer = self
            .inner
            .execute(GetBrowserContextsParams::default())
            .await?;
        Ok(answer.result.browser_context_ids.len())
    }

    /// Crashes one page's renderer (`Page.crash`), as a fault injection for tests: a web page
    /// cannot do this to itself, and the pipeline's handling of a crash must be tested.
    pub async fn crash_page(&self, target_id: &str) -> Result<()> {
        use chromiumoxide::cdp::browser_protocol::page::CrashParams;
        use chromiumoxide::cdp::browser_protocol::target::TargetId;
        let page = self.inner.get_page(TargetId::new(target_id)).await?;
        // The renderer dies before it can answer: no answer is the expected outcome.
        let _ = tokio::time::timeout(Duration::from_secs(2), page.execute(CrashParams::default()))
            .await;
        Ok(())
    }

    /// Every cookie of a context: all domains, partitioned ones included.
    pub async fn cookies(
        &self,
        context: &Context,
    ) -> Result<Vec<chromiumoxide::cdp::browser_protocol::network::Cookie>> {
        use chromiumoxide::cdp::browser_protocol::storage::GetCookiesParams;
        let params = GetCookiesParams::builder()
            .browser_context_id(context.id.clone())
            .build();
        Ok(self.inner.execute(params).await?.result.cookies)
    }
}
