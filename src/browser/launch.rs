//! Starting Chromium with the arguments our methodology depends on, and making each page look
//! like a person's desktop browser.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::emulation::{
    SetDeviceMetricsOverrideParams, SetLocaleOverrideParams, SetTimezoneOverrideParams,
    SetUserAgentOverrideParams, UserAgentBrandVersion, UserAgentMetadata,
};
use chromiumoxide::cdp::browser_protocol::network;
use chromiumoxide::Page;

use super::{Browser, BrowserOptions};
use crate::error::{Error, Result};

/// Features switched off. Site isolation is off so that requests from cross-site iframes reach
/// the page's DevTools session (DESIGN.md, "Cross-site iframes"); the rest only make noise.
const DISABLED_FEATURES: &[&str] = &[
    "IsolateOrigins",
    "site-per-process",
    "Translate",
    "MediaRouter",
    "OptimizationHints",
    "InterestFeedContentSuggestions",
    "DialMediaRouteProvider",
    "HttpsUpgrades",
];

/// The full argument list for one launch (everything except the executable).
pub fn chromium_args(options: &BrowserOptions, user_data_dir: &Path) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "--headless".into(),
        "--remote-debugging-port=0".into(),
        format!("--user-data-dir={}", user_data_dir.display()),
        // This network refuses Google's background connections; do not wait for them.
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--no-first-run".into(),
        "--no-default-browser-check".into(),
        "--disable-sync".into(),
        "--disable-default-apps".into(),
        "--disable-extensions".into(),
        "--disable-breakpad".into(),
        "--password-store=basic".into(),
        "--use-mock-keychain".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--hide-scrollbars".into(),
        "--mute-audio".into(),
        // Several contexts run at once: none of them may be throttled as a background tab.
        "--disable-renderer-backgrounding".into(),
        "--disable-background-timer-throttling".into(),
        "--disable-backgrounding-occluded-windows".into(),
        // navigator.webdriver must read false, as in a person's browser.
        "--disable-blink-features=AutomationControlled".into(),
        "--disable-site-isolation-trials".into(),
        format!("--lang={}", options.locale),
        format!(
            "--window-size={},{}",
            options.viewport.width, options.viewport.height
        ),
    ];
    if running_as_root() {
        // Chromium's sandbox cannot run as root; it stays on for everyone else.
        args.push("--no-sandbox".into());
    }
    let mut disabled: Vec<String> = DISABLED_FEATURES.iter().map(|s| s.to_string()).collect();
    for extra in &options.extra_args {
        // Chromium honours only the last --disable-features: merge the caller's into ours.
        if let Some(list) = extra.strip_prefix("--disable-features=") {
            disabled.extend(list.split(',').filter(|f| !f.is_empty()).map(String::from));
        } else {
            args.push(extra.clone());
        }
    }
    args.push(format!("--disable-features={}", disabled.join(",")));
    args
}

fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// The profile preferences written before launch. `cookie_controls_mode: 0` allows third-party
/// cookies, as a default desktop Chrome does (a fresh headless profile blocks them).
fn profile_preferences(locale: &str) -> serde_json::Value {
    serde_json::json!({
        "profile": { "cookie_controls_mode": 0, "block_third_party_cookies": false },
        "intl": { "accept_languages": locale },
    })
}

/// The Chromium process, in its own process group.
pub(super) struct ChromiumProcess {
    child: Mutex<Child>,
    pub pid: u32,
    pub ws_url: String,
    pub args: Vec<String>,
    /// The last lines Chromium wrote to stderr, for error messages.
    stderr_tail: Arc<Mutex<Vec<String>>>,
    _user_data_dir: tempfile::TempDir,
    /// Dropping it lets the thread that forked Chromium end.
    _guardian_stop: std::sync::mpsc::Sender<()>,
}

impl ChromiumProcess {
    pub async fn spawn(executable: &Path, options: &BrowserOptions) -> Result<ChromiumProcess> {
        let launch_failed = |message: String| Error::LaunchFailed {
            path: executable.to_path_buf(),
            message,
        };
        let user_data_dir = tempfile::Builder::new()
            .prefix("consentlens-chromium-")
            .tempdir()?;
        let default_profile = user_data_dir.path().join("Default");
        std::fs::create_dir_all(&default_profile)?;
        std::fs::write(
            default_profile.join("Preferences"),
            profile_preferences(&options.locale).to_string(),
        )?;
        let args = chromium_args(options, user_data_dir.path());
        let mut command = Command::new(executable);
        command
            .args(&args)
            .env("TZ", &options.timezone)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0);
        // SAFETY: prctl is async-signal-safe; the closure allocates nothing.
        unsafe {
            command.pre_exec(|| {
                // If we are killed (even with SIGKILL), the kernel kills Chromium too.
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        // The kernel's parent-death signal follows the *thread* that forked, not the process, so
        // Chromium is forked from a thread that lives exactly as long as this handle.
        let (spawned_tx, spawned_rx) = std::sync::mpsc::channel();
        let (guardian_stop, guardian_stop_rx) = std::sync::mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("chromium-guardian".into())
            .spawn(move || {
                let _ = spawned_tx.send(command.spawn());
                // Returns when the handle is dropped (its sender goes away).
                let _ = guardian_stop_rx.recv();
            })?;
        let mut child = spawned_rx
            .recv()
            .map_err(|_| launch_failed("the launcher thread died".into()))?
            .map_err(|e| launch_failed(format!("could not start the process: {e}")))?;
        let pid = child.id();
        let stderr = child.stderr.take().expect("stderr is piped");
        let stderr_tail = Arc::new(Mutex::new(Vec::new()));
        let (url_tx, url_rx) = tokio::sync::oneshot::channel();
        let tail = stderr_tail.clone();
        // Chromium must never block on a full stderr pipe, so a thread drains it for its lifetime.
        std::thread::Builder::new()
            .name("chromium-stderr".into())
            .spawn(move || {
                let mut url_tx = Some(url_tx);
                for line in BufReader::new(stderr).lines().map_while(|l| l.ok()) {
                    if let Some(pos) = line.find("ws://") {
                        if let Some(tx) = url_tx.take() {
                            let _ = tx.send(line[pos..].trim().to_string());
                        }
                    }
                    let mut tail = tail.lock().unwrap_or_else(|e| e.into_inner());
                    if tail.len() >= 40 {
                        tail.remove(0);
                    }
                    tail.push(line);
                }
            })?;
        let mut process = ChromiumProcess {
            child: Mutex::new(child),
            pid,
            ws_url: String::new(),
            args,
            stderr_tail,
            _user_data_dir: user_data_dir,
            _guardian_stop: guardian_stop,
        };
        match tokio::time::timeout(Duration::from_millis(options.launch_timeout_ms), url_rx).await {
            Ok(Ok(url)) => {
                process.ws_url = url;
                Ok(process)
            }
            outcome => {
                let reason = if outcome.is_err() {
                    format!("no DevTools address after {} ms", options.launch_timeout_ms)
                } else {
                    "the process exited before it was ready".to_string()
                };
                let tail = process.stderr_tail();
                process.kill_now();
                Err(launch_failed(format!("{reason}; stderr: {tail}")))
            }
        }
    }

    fn stderr_tail(&self) -> String {
        self.stderr_tail
            .lock()
            .map(|t| t.join("\n"))
            .unwrap_or_default()
    }

    pub fn is_running(&self) -> bool {
        let mut child = self.child.lock().unwrap_or_else(|e| e.into_inner());
        matches!(child.try_wait(), Ok(None))
    }

    /// SIGKILL to the whole process group (browser, zygotes, renderers), then reap the leader.
    pub fn kill_now(&self) {
        // SAFETY: kill(2) with a negative pid signals the group we created at spawn.
        unsafe {
            libc::kill(-(self.pid as i32), libc::SIGKILL);
        }
        let mut child = self.child.lock().unwrap_or_else(|e| e.into_inner());
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// The user agent a person's Chromium would send: no "HeadlessChrome", and the reduced
/// `MAJOR.0.0.0` version that Chrome has sent since 2023.
pub fn personal_user_agent(headless_user_agent: &str) -> String {
    let mut out = String::with_capacity(headless_user_agent.len());
    for token in headless_user_agent.split(' ') {
        if !out.is_empty() {
            out.push(' ');
        }
        match token
            .strip_prefix("HeadlessChrome/")
            .or_else(|| token.strip_prefix("Chrome/"))
        {
            Some(version) => {
                let major = version.split('.').next().unwrap_or(version);
                out.push_str(&format!("Chrome/{major}.0.0.0"));
            }
            None => out.push_str(token),
        }
    }
    out
}

fn major_version(user_agent: &str) -> String {
    user_agent
        .split(' ')
        .find_map(|t| t.strip_prefix("Chrome/"))
        .and_then(|v| v.split('.').next())
        .unwrap_or("0")
        .to_string()
}

/// Viewport, user agent (with client hints), language and time zone of an ordinary desktop.
pub(super) async fn present_as_person(page: &Page, browser: &Browser) -> Result<()> {
    let options = &browser.options;
    let viewport = options.viewport;
    page.execute(
        SetDeviceMetricsOverrideParams::builder()
            .width(viewport.width as i64)
            .height(viewport.height as i64)
            .device_scale_factor(viewport.device_scale_factor)
            .mobile(false)
            .build()
            .map_err(Error::Protocol)?,
    )
    .await?;
    let major = major_version(&browser.user_agent);
    let brands = vec![
        UserAgentBrandVersion::new("Chromium", major.clone()),
        UserAgentBrandVersion::new("Not_A Brand", "24"),
    ];
    let metadata = UserAgentMetadata::builder()
        .brands(brands)
        .platform("Linux")
        .platform_version("")
        .architecture("x86")
        .model("")
        .mobile(false)
        .build()
        .map_err(Error::Protocol)?;
    page.execute(
        SetUserAgentOverrideParams::builder()
            .user_agent(browser.user_agent.clone())
            .accept_language(accept_language(&options.locale))
            .platform("Linux x86_64")
            .user_agent_metadata(metadata)
            .build()
            .map_err(Error::Protocol)?,
    )
    .await?;
    page.execute(
        SetLocaleOverrideParams::builder()
            .locale(options.locale.clone())
            .build(),
    )
    .await?;
    page.execute(SetTimezoneOverrideParams::new(options.timezone.clone()))
        .await?;
    // Keep request bodies up to 1 MiB in the events, so pixels' POST payloads are recorded.
    page.execute(
        network::EnableParams::builder()
            .max_post_data_size(1 << 20)
            .build(),
    )
    .await?;
    Ok(())
}

/// `en-GB` → `en-GB,en;q=0.9`, as a browser set to that language sends.
fn accept_language(locale: &str) -> String {
    match locale.split_once('-') {
        Some((lang, _)) => format!("{locale},{lang};q=0.9"),
        None => locale.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_loses_headless_and_minor_versions() {
        let ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.8078.108 Safari/537.36";
        assert_eq!(
            personal_user_agent(ua),
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"
        );
        assert_eq!(major_version(&personal_user_agent(ua)), "156");
    }

    #[test]
    fn caller_disable_features_are_merged_into_one_flag() {
        let options = BrowserOptions {
            extra_args: vec![
                "--disable-features=Foo,Bar".into(),
                "--host-resolver-rules=MAP * 127.0.0.1:1".into(),
            ],
            ..BrowserOptions::default()
        };
        let args = chromium_args(&options, Path::new("/tmp/x"));
        let disable: Vec<_> = args
            .iter()
            .filter(|a| a.starts_with("--disable-features="))
            .collect();
        assert_eq!(disable.len(), 1);
        assert!(disable[0].contains("site-per-process") && disable[0].contains("Foo,Bar"));
        assert!(args.contains(&"--host-resolver-rules=MAP * 127.0.0.1:1".to_string()));
        assert!(args.contains(&"--disable-blink-features=AutomationControlled".to_string()));
        assert!(!args.iter().any(|a| a == "--enable-automation"));
    }

    #[test]
    fn accept_language_has_the_base_language_as_fallback() {
        assert_eq!(accept_language("nb-NO"), "nb-NO,nb;q=0.9");
        assert_eq!(accept_language("de"), "de");
    }
}
