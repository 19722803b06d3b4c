//! End-to-end throughput and memory: sites per minute on a generated fixture web of at least 50
//! sites, at 1, 2 and 4 workers, for three systems in the same run:
//!
//! - **consentlens**: the crawl engine, full evaluation of every site (before consent, accept
//!   path, reject path, with measurement, decoding and findings);
//! - **baseline**: `bench/baseline_playwright.py`, the Playwright-for-Python script a researcher
//!   would write for the same observation (Debian's Chromium, same concurrency, same settle
//!   times);
//! - **floor**: the same Chromium doing only the navigations and waits a full evaluation needs,
//!   with no measurement (`floor.rs`).
//!
//! Each system runs in a process of its own, so that the memory of its whole process tree (the
//! process and every Chromium process under it) is its own; the fixture server runs in another.
//! The web is served by consentlens' HTTPS fixture server; Chromium reaches it through
//! `--host-resolver-rules` and `--ignore-certificate-errors`.
//!
//! ```text
//! cargo bench --bench end_to_end -- --sites 54 --workers 1,2,4
//! cargo bench --bench end_to_end -- --memory-sites 100,1000 --memory-workers 2 --workers none
//! cargo bench --bench end_to_end -- --profile 2
//! ```
//!
//! `--help` lists every option. Nothing here asserts a time: the numbers are printed, and
//! written as JSON with `--out`.

mod floor;
mod memory;
mod ours;
mod profile;
mod web;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use memory::{PeakSampler, TreeMemory};
use web::Site;

/// The waits of one evaluation, given to all three systems alike.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    pub timeout_ms: u64,
    pub settle_ms: u64,
    pub idle_ms: u64,
    pub banner_wait_ms: u64,
}

/// What one child process runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    pub system: String,
    pub workers: usize,
    pub sites: Vec<Site>,
    pub settings: Settings,
    /// Arguments that point Chromium at the fixture server.
    pub chromium_args: Vec<String>,
    pub chromium: String,
    /// For the baseline: the settle style (see `baseline_playwright.py`).
    pub baseline_settle: String,
}

/// What one system did on one site, in terms all three share.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SiteOutcome {
    pub url: String,
    pub ok: bool,
    /// The consent dialog was seen.
    pub dialog: bool,
    /// The accept (reject) answer was given.
    pub accept: bool,
    pub reject: bool,
    pub error: Option<String>,
    #[serde(default)]
    pub detail: Option<serde_json::Value>,
}

/// What a child process reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunResult {
    pub system: String,
    pub workers: usize,
    /// From the launch of the first browser to the last site's result.
    pub elapsed_s: f64,
    pub sites: Vec<SiteOutcome>,
    #[serde(default)]
    pub note: String,
}

impl RunResult {
    pub fn new(
        system: &str,
        workers: usize,
        elapsed_s: f64,
        sites: Vec<SiteOutcome>,
        note: String,
    ) -> RunResult {
        RunResult {
            system: system.to_string(),
            workers,
            elapsed_s,
            sites,
            note,
        }
    }

    fn sites_per_minute(&self) -> f64 {
        self.sites.len() as f64 * 60.0 / self.elapsed_s.max(1e-9)
    }

    fn count(&self, f: impl Fn(&SiteOutcome) -> bool) -> usize {
        self.sites.iter().filter(|s| f(s)).count()
    }
}

/// A finished run with the memory the harness saw.
#[derive(Debug, Clone, Serialize)]
struct Measured {
    result: RunResult,
    peak: TreeMemory,
    /// Memory at checkpoints: (sites finished, tree now, peak over the last tenth before it).
    checkpoints: Vec<Checkpoint>,
}

#[derive(Debug, Clone, Serialize)]
struct Checkpoint {
    sites: usize,
    now: TreeMemory,
    window_peak: TreeMemory,
}

struct Options {
    sites: usize,
    workers: Vec<usize>,
    systems: Vec<String>,
    settings: Settings,
    memory_sites: Vec<usize>,
    memory_workers: usize,
    python: PathBuf,
    chromium: String,
    baseline_settle: String,
    out: Option<PathBuf>,
    profile_rounds: usize,
}

const USAGE: &str = "usage: end_to_end [options]
  --sites N               sites in the throughput runs (default 54)
  --workers 1,2,4         worker counts of the throughput runs; 'none' skips them
  --systems a,b,c         any of floor,consentlens,baseline,baseline-fixed (default all)
  --settle-ms N           longest settle wait after a load or a click (default 5000)
  --idle-ms N             quiet period that ends a settle wait (default 500)
  --banner-wait-ms N      longest wait for a consent dialog (default 3000)
  --timeout-ms N          longest wait for a load (default 30000)
  --baseline-settle S     how 'baseline' waits: networkidle (default) or fixed;
                          'baseline-fixed' always waits the fixed settle time
  --memory-sites 100,1000 checkpoints of the memory run (consentlens only); none by default
  --memory-workers N      workers of the memory run (default 2)
  --python PATH           Python with playwright (default .venv/bin/python)
  --chromium PATH         Chromium (default /usr/bin/chromium)
  --profile N             time each stage of one evaluation per template, N rounds, and exit
  --out FILE              also write every number as JSON";

fn parse_options(args: &[String]) -> Result<Options, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut options = Options {
        sites: 54,
        workers: vec![1, 2, 4],
        systems: ["floor", "consentlens", "baseline", "baseline-fixed"]
            .map(String::from)
            .to_vec(),
        settings: Settings {
            timeout_ms: 30_000,
            settle_ms: 5_000,
            idle_ms: 500,
            banner_wait_ms: 3_000,
        },
        memory_sites: Vec::new(),
        memory_workers: 2,
        python: root.join(".venv/bin/python"),
        chromium: "/usr/bin/chromium".into(),
        baseline_settle: "networkidle".into(),
        out: None,
        profile_rounds: 0,
    };
    let list = |v: &str| -> Result<Vec<usize>, String> {
        if v == "none" {
            return Ok(Vec::new());
        }
        v.split(',')
            .map(|n| n.trim().parse().map_err(|_| format!("not a number: {n}")))
            .collect()
    };
    let number =
        |v: &str| -> Result<u64, String> { v.parse().map_err(|_| format!("not a number: {v}")) };
    let mut i = 0;
    while i < args.len() {
        let flag = args[i].as_str();
        // `cargo bench` passes --bench to every bench binary.
        if flag == "--bench" {
            i += 1;
            continue;
        }
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.into());
        }
        let value = args
            .get(i + 1)
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag {
            "--sites" => options.sites = number(value)? as usize,
            "--workers" => options.workers = list(value)?,
            "--systems" => options.systems = value.split(',').map(String::from).collect(),
            "--settle-ms" => options.settings.settle_ms = number(value)?,
            "--idle-ms" => options.settings.idle_ms = number(value)?,
            "--banner-wait-ms" => options.settings.banner_wait_ms = number(value)?,
            "--timeout-ms" => options.settings.timeout_ms = number(value)?,
            "--baseline-settle" => options.baseline_settle = value.clone(),
            "--memory-sites" => options.memory_sites = list(value)?,
            "--memory-workers" => options.memory_workers = number(value)? as usize,
            "--python" => options.python = PathBuf::from(value),
            "--chromium" => options.chromium = value.clone(),
            "--profile" => options.profile_rounds = number(value)? as usize,
            "--out" => options.out = Some(PathBuf::from(value)),
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
        i += 2;
    }
    Ok(options)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("__serve") => serve(&args[1..]),
        Some("__run") => run_child(&args[1..]),
        _ => parse_options(&args).and_then(orchestrate),
    };
    if let Err(message) = outcome {
        eprintln!("{message}");
        std::process::exit(2);
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

/// Child: the fixture server on its own, until stdin closes (the harness ended).
fn serve(args: &[String]) -> Result<(), String> {
    let roots: Vec<PathBuf> = args.iter().map(PathBuf::from).collect();
    runtime()?.block_on(async {
        let server = consentlens::webserver::WebServer::start(roots)
            .await
            .map_err(|e| e.to_string())?;
        println!("port {}", server.port());
        let _ = std::io::stdout().flush();
        // Blocks until the harness closes our stdin (or dies).
        let _ = tokio::task::spawn_blocking(|| {
            let mut sink = String::new();
            let _ = std::io::stdin().read_line(&mut sink);
        })
        .await;
        server.shutdown().await;
        Ok(())
    })
}

/// Child: one system over one list of sites.
fn run_child(args: &[String]) -> Result<(), String> {
    let path = args.first().ok_or("__run needs a job file")?;
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let job: Job = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let result = runtime()?.block_on(async {
        match job.system.as_str() {
            "consentlens" => Ok(ours::run(&job).await),
            "floor" => Ok(run_floor(&job).await),
            "profile" => profile::run(&job).await,
            other => Err(format!("unknown system {other}")),
        }
    })?;
    println!(
        "result {}",
        serde_json::to_string(&result).map_err(|e| e.to_string())?
    );
    Ok(())
}

async fn run_floor(job: &Job) -> RunResult {
    use consentlens::browser::{Browser, BrowserOptions};
    let queue = Arc::new(Mutex::new(job.sites.clone().into_iter()));
    let results = Arc::new(Mutex::new(Vec::new()));
    let done = Arc::new(AtomicUsize::new(0));
    let started = std::time::Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..job.workers {
        let (queue, results, done) = (queue.clone(), results.clone(), done.clone());
        let settings = job.settings.clone();
        let options = BrowserOptions {
            extra_args: job.chromium_args.clone(),
            executable: Some(PathBuf::from(&job.chromium)),
            ..BrowserOptions::default()
        };
        workers.spawn(async move {
            let browser = match Browser::launch(options).await {
                Ok(browser) => browser,
                Err(e) => return Err(e.to_string()),
            };
            loop {
                let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                let Some(site) = next else { break };
                let outcome = floor::evaluate(&browser, &site, &settings).await;
                results
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(SiteOutcome {
                        url: outcome.url,
                        ok: outcome.ok,
                        dialog: outcome.dialog_seen,
                        accept: outcome.accept_done,
                        reject: outcome.reject_done,
                        error: outcome.error,
                        detail: None,
                    });
                println!("progress {}", done.fetch_add(1, Ordering::SeqCst) + 1);
                let _ = std::io::stdout().flush();
            }
            Ok(browser)
        });
    }
    let mut browsers = Vec::new();
    let mut note = String::new();
    while let Some(joined) = workers.join_next().await {
        match joined {
            Ok(Ok(browser)) => browsers.push(browser),
            Ok(Err(e)) => note = format!("a browser failed to launch: {e}"),
            Err(e) => note = format!("a worker panicked: {e}"),
        }
    }
    let elapsed_s = started.elapsed().as_secs_f64();
    for browser in browsers {
        browser.close().await;
    }
    let sites = std::mem::take(&mut *results.lock().unwrap_or_else(|e| e.into_inner()));
    RunResult::new("floor", job.workers, elapsed_s, sites, note)
}

/// The fixture server child; killed when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(root: &Path) -> Result<Server, String> {
        let mut child = Command::new(std::env::current_exe().map_err(|e| e.to_string())?)
            .arg("__serve")
            .arg(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("fixture server: {e}"))?;
        let stdout = child.stdout.take().ok_or("fixture server has no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        let port = line
            .trim()
            .strip_prefix("port ")
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| format!("fixture server said {line:?}"))?;
        Ok(Server { child, port })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn orchestrate(options: Options) -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let largest = options
        .memory_sites
        .iter()
        .copied()
        .chain([options.sites, web::TEMPLATES.len()])
        .max()
        .unwrap_or(options.sites);
    let web = web::generate(&root.join("tests/sites"), largest).map_err(|e| e.to_string())?;
    let server = Server::start(web.root())?;
    let chromium_args = vec![
        format!(
            "--host-resolver-rules={}",
            consentlens::webserver::host_resolver_rules(server.port)
        ),
        "--ignore-certificate-errors".to_string(),
    ];
    let job = |system: &str, workers: usize, sites: &[Site]| Job {
        system: system.to_string(),
        workers,
        sites: sites.to_vec(),
        settings: options.settings.clone(),
        chromium_args: chromium_args.clone(),
        chromium: options.chromium.clone(),
        baseline_settle: if system == "baseline-fixed" {
            "fixed".to_string()
        } else {
            options.baseline_settle.clone()
        },
    };
    eprintln!(
        "fixture web: {} sites from {} templates in {}; load average now {}",
        largest,
        web::TEMPLATES.len(),
        web.root().display(),
        load_average()
    );

    if options.profile_rounds > 0 {
        let mut sites: Vec<Site> = web.sites[..web::TEMPLATES.len()].to_vec();
        let one_round = sites.clone();
        for _ in 1..options.profile_rounds {
            sites.extend(one_round.iter().cloned());
        }
        let measured = run_measured(&job("profile", 1, &sites), &options, &[])?;
        drop(measured);
        return Ok(());
    }

    let throughput_sites = &web.sites[..options.sites.min(web.sites.len())];
    let mut runs: Vec<Measured> = Vec::new();
    for &workers in &options.workers {
        for system in &options.systems {
            eprintln!(
                "running {system} with {workers} worker(s) on {} sites (load average {})",
                throughput_sites.len(),
                load_average()
            );
            let measured = run_measured(&job(system, workers, throughput_sites), &options, &[])?;
            eprintln!(
                "  {:.1} sites/min, {} ok, peak PSS {:.0} MiB",
                measured.result.sites_per_minute(),
                measured.result.count(|s| s.ok),
                measured.peak.pss_mib
            );
            // A fixture web that lost a dialog (a missing file) measures less work, not speed.
            let with_dialog = throughput_sites
                .iter()
                .filter(|s| !s.template().accept.is_empty())
                .count();
            let seen = measured.result.count(|s| s.dialog);
            if seen < with_dialog {
                eprintln!("  WARNING: {system} saw a dialog on {seen} of {with_dialog} sites that have one");
            }
            runs.push(measured);
        }
    }
    let memory = match options.memory_sites.iter().max() {
        Some(&most) => {
            eprintln!(
                "memory run: consentlens, {} workers, {most} sites (load average {})",
                options.memory_workers,
                load_average()
            );
            Some(run_measured(
                &job("consentlens", options.memory_workers, &web.sites[..most]),
                &options,
                &options.memory_sites,
            )?)
        }
        None => None,
    };
    drop(server);

    let table = render(&runs, memory.as_ref(), &options);
    println!("{table}");
    if let Some(out) = &options.out {
        let json = serde_json::json!({
            "settings": options.settings,
            "baseline_settle": options.baseline_settle,
            "sites": throughput_sites.len(),
            "runs": runs,
            "memory": memory,
            "load_average_after": load_average(),
        });
        std::fs::write(out, serde_json::to_string_pretty(&json).unwrap_or_default())
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Runs one job in a child process, sampling its process tree's memory.
fn run_measured(job: &Job, options: &Options, checkpoints: &[usize]) -> Result<Measured, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let job_file = dir.path().join("job.json");
    std::fs::write(
        &job_file,
        serde_json::to_string(job).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let mut command = if job.system.starts_with("baseline") {
        let mut c = Command::new(&options.python);
        c.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/baseline_playwright.py"));
        c
    } else {
        let mut c = Command::new(std::env::current_exe().map_err(|e| e.to_string())?);
        c.arg("__run");
        c
    };
    let mut child = command
        .arg(&job_file)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: {e}", job.system))?;
    let sampler = PeakSampler::start(child.id(), Duration::from_millis(250));
    let stdout = child.stdout.take().ok_or("child has no stdout")?;
    let windows: HashMap<usize, usize> = checkpoints
        .iter()
        .map(|&c| (c - (c / 10).max(1), c))
        .collect();
    let mut measured_checkpoints = Vec::new();
    let mut result = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| e.to_string())?;
        if let Some(n) = line
            .strip_prefix("progress ")
            .and_then(|n| n.parse::<usize>().ok())
        {
            if windows.contains_key(&n) {
                sampler.new_window();
            }
            if checkpoints.contains(&n) {
                measured_checkpoints.push(Checkpoint {
                    sites: n,
                    now: memory::measure(child.id()),
                    window_peak: sampler.window_peak(),
                });
            }
        } else if let Some(json) = line.strip_prefix("result ") {
            result = Some(serde_json::from_str::<RunResult>(json).map_err(|e| e.to_string())?);
        } else {
            println!("{line}");
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    let peak = sampler.stop();
    let result =
        result.ok_or_else(|| format!("{} ended without a result ({status})", job.system))?;
    Ok(Measured {
        result,
        peak,
        checkpoints: measured_checkpoints,
    })
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// The results as Markdown tables (the form BENCHMARKS.md uses).
fn render(runs: &[Measured], memory: Option<&Measured>, options: &Options) -> String {
    let mut out = String::new();
    let s = &options.settings;
    out.push_str(&format!(
        "\nsettle_ms {} · idle_ms {} · banner_wait_ms {} · baseline settles by {}, baseline-fixed waits settle_ms after each load and click · load average after: {}\n\n",
        s.settle_ms, s.idle_ms, s.banner_wait_ms, options.baseline_settle, load_average()
    ));
    out.push_str("| workers | system | sites | ok | dialog | accept | reject | seconds | sites/min | peak RSS MiB (per worker) | peak PSS MiB (per worker) |\n");
    out.push_str("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for m in runs {
        let r = &m.result;
        let w = r.workers.max(1) as f64;
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {:.1} | {:.1} | {:.0} ({:.0}) | {:.0} ({:.0}) |\n",
            r.workers,
            r.system,
            r.sites.len(),
            r.count(|s| s.ok),
            r.count(|s| s.dialog),
            r.count(|s| s.accept),
            r.count(|s| s.reject),
            r.elapsed_s,
            r.sites_per_minute(),
            m.peak.rss_mib,
            m.peak.rss_mib / w,
            m.peak.pss_mib,
            m.peak.pss_mib / w,
        ));
    }
    out.push_str(
        "\n| workers | consentlens / baseline (networkidle) | consentlens / baseline (fixed waits) | consentlens time / floor time |\n|---:|---:|---:|---:|\n",
    );
    for &workers in &options.workers {
        let rate = |system: &str| {
            runs.iter()
                .find(|m| m.result.workers == workers && m.result.system == system)
                .map(|m| m.result.sites_per_minute())
        };
        let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
            _ => "–".to_string(),
        };
        let ours = rate("consentlens");
        // Overhead as a time ratio: how much longer consentlens takes than the floor.
        out.push_str(&format!(
            "| {workers} | {} | {} | {} |\n",
            ratio(ours, rate("baseline")),
            ratio(ours, rate("baseline-fixed")),
            ratio(rate("floor"), ours),
        ));
    }
    if let Some(m) = memory {
        out.push_str(&format!(
            "\nmemory run: consentlens, {} workers, {} sites in {:.0} s ({})\n\n",
            m.result.workers,
            m.result.sites.len(),
            m.result.elapsed_s,
            m.result.note
        ));
        out.push_str("| after sites | tree RSS MiB now | tree PSS MiB now | peak RSS MiB over the last tenth | peak PSS MiB over the last tenth |\n|---:|---:|---:|---:|---:|\n");
        for c in &m.checkpoints {
            out.push_str(&format!(
                "| {} | {:.0} | {:.0} | {:.0} | {:.0} |\n",
                c.sites, c.now.rss_mib, c.now.pss_mib, c.window_peak.rss_mib, c.window_peak.pss_mib
            ));
        }
    }
    out.push_str(&cross_check(runs));
    out
}

/// Sites where the systems disagree on what happened (the floor's plans are written by hand in
/// `web.rs`; the baseline finds buttons by text as a researcher's script does).
fn cross_check(runs: &[Measured]) -> String {
    let mut out = String::new();
    let Some(ours) = runs.iter().find(|m| m.result.system == "consentlens") else {
        return out;
    };
    let by_url: HashMap<&str, &SiteOutcome> = ours
        .result
        .sites
        .iter()
        .map(|s| (s.url.as_str(), s))
        .collect();
    for other in ["floor", "baseline", "baseline-fixed"] {
        let Some(run) = runs.iter().find(|m| m.result.system == other) else {
            continue;
        };
        let mut differences = Vec::new();
        for site in &run.result.sites {
            let Some(mine) = by_url.get(site.url.as_str()) else {
                continue;
            };
            let key = |s: &SiteOutcome| (s.ok, s.dialog, s.accept, s.reject);
            if key(site) != key(mine) {
                differences.push(format!(
                    "  {}: consentlens ok/dialog/accept/reject {:?}, {other} {:?}{}",
                    site.url,
                    key(mine),
                    key(site),
                    site.error
                        .as_ref()
                        .or(mine.error.as_ref())
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default()
                ));
            }
        }
        out.push_str(&format!(
            "\n{} site(s) where {other} and consentlens disagree (first run of each):\n{}\n",
            differences.len(),
            differences.join("\n")
        ));
    }
    out
}
