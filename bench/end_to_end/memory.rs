//! Memory of a whole process tree (the measured process and every Chromium, renderer, GPU and
//! utility process under it), read from `/proc`.
//!
//! Two sums are kept. RSS is what the issue asks for, but summed over a tree it counts every
//! shared page (Chromium's binary, fonts, shared memory between the browser and its renderers)
//! once per process that maps it, so it overstates the tree's footprint. PSS divides each shared
//! page among the processes that share it, so the PSS sum is the memory the tree really holds.

use std::collections::HashMap;
use std::fs;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde::Serialize;

/// Memory of a process tree at one moment, in MiB.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct TreeMemory {
    pub processes: usize,
    pub rss_mib: f64,
    pub pss_mib: f64,
}

impl TreeMemory {
    fn max(self, other: TreeMemory) -> TreeMemory {
        TreeMemory {
            processes: self.processes.max(other.processes),
            rss_mib: self.rss_mib.max(other.rss_mib),
            pss_mib: self.pss_mib.max(other.pss_mib),
        }
    }
}

/// `root` and all its descendants, from the parent ids in `/proc/<pid>/stat`.
pub fn tree(root: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    let Ok(entries) = fs::read_dir("/proc") else {
        return vec![root];
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if let Some(parent) = parent_of(pid) {
            children.entry(parent).or_default().push(pid);
        }
    }
    let mut out = vec![root];
    let mut next = 0;
    while next < out.len() {
        if let Some(kids) = children.get(&out[next]) {
            out.extend(kids);
        }
        next += 1;
    }
    out
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may contain spaces: fields start after the last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// Sums RSS and PSS over `root`'s tree.
pub fn measure(root: u32) -> TreeMemory {
    let mut total = TreeMemory::default();
    for pid in tree(root) {
        let Ok(rollup) = fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
            continue; // the process ended meanwhile
        };
        total.processes += 1;
        total.rss_mib += field_kib(&rollup, "Rss:") / 1024.0;
        total.pss_mib += field_kib(&rollup, "Pss:") / 1024.0;
    }
    total
}

fn field_kib(text: &str, name: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

/// Samples a tree on a thread of its own until stopped, keeping the peak of the whole run and
/// the peak of the current window (see [`PeakSampler::new_window`]).
pub struct PeakSampler {
    stop: Arc<AtomicBool>,
    peaks: Arc<Mutex<Peaks>>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Default, Clone, Copy)]
struct Peaks {
    run: TreeMemory,
    window: TreeMemory,
}

impl PeakSampler {
    pub fn start(root: u32, interval: Duration) -> PeakSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let peaks = Arc::new(Mutex::new(Peaks::default()));
        let (thread_stop, thread_peaks) = (stop.clone(), peaks.clone());
        let thread = std::thread::spawn(move || {
            while !thread_stop.load(Ordering::Relaxed) {
                let now = measure(root);
                let mut peaks = thread_peaks.lock().unwrap_or_else(|e| e.into_inner());
                peaks.run = peaks.run.max(now);
                peaks.window = peaks.window.max(now);
                drop(peaks);
                std::thread::sleep(interval);
            }
        });
        PeakSampler {
            stop,
            peaks,
            thread: Some(thread),
        }
    }

    fn peaks(&self) -> Peaks {
        *self.peaks.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts a new window: its peak starts from nothing.
    pub fn new_window(&self) {
        self.peaks.lock().unwrap_or_else(|e| e.into_inner()).window = TreeMemory::default();
    }

    /// The peak since the last [`PeakSampler::new_window`].
    pub fn window_peak(&self) -> TreeMemory {
        self.peaks().window
    }

    /// Stops sampling; the peak of the whole run.
    pub fn stop(mut self) -> TreeMemory {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.peaks().run
    }
}
