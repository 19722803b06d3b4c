//! The server on a thread of its own with its own tokio runtime, for callers that have none: the
//! Python module, the examples, synchronous tests.

use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

use tokio::sync::oneshot;

use super::records::Records;
use super::{host_resolver_rules, Hit, WebServer};
use crate::error::{Error, Result};

/// Worker threads of the server's runtime: serving fixtures is I/O bound, two keep a big
/// download from delaying a page.
const WORKER_THREADS: usize = 2;

/// A [`WebServer`] running in the background. Stops on [`BackgroundWebServer::stop`] or when
/// dropped.
#[derive(Debug)]
pub struct BackgroundWebServer {
    port: u16,
    records: Arc<Records>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl BackgroundWebServer {
    /// Serves `roots` on 127.0.0.1 on a free port; returns once the server accepts connections.
    /// May be called from anywhere, inside a tokio runtime too.
    pub fn start(roots: Vec<PathBuf>) -> Result<BackgroundWebServer> {
        BackgroundWebServer::start_on(roots, 0)
    }

    /// Serves `roots` on 127.0.0.1:`port` (0: a free port).
    pub fn start_on(roots: Vec<PathBuf>, port: u16) -> Result<BackgroundWebServer> {
        let (ready_sender, ready) = std::sync::mpsc::channel::<Result<(u16, Arc<Records>)>>();
        let (stop, stop_requested) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("consentlens-webserver".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(WORKER_THREADS)
                    .thread_name("consentlens-webserver-worker")
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = ready_sender.send(Err(e.into()));
                        return;
                    }
                };
                runtime.block_on(async move {
                    match WebServer::start_on(roots, port).await {
                        Ok(server) => {
                            let _ = ready_sender.send(Ok((server.port(), server.records())));
                            // A dropped sender means the handle is gone: stop as well.
                            let _ = stop_requested.await;
                            server.shutdown().await;
                        }
                        Err(e) => {
                            let _ = ready_sender.send(Err(e));
                        }
                    }
                });
            })?;
        let started = ready.recv().unwrap_or_else(|_| {
            Err(Error::Config(
                "the web server thread ended before it started".into(),
            ))
        });
        match started {
            Ok((port, records)) => Ok(BackgroundWebServer {
                port,
                records,
                stop: Some(stop),
                thread: Some(thread),
            }),
            Err(e) => {
                let _ = thread.join();
                Err(e)
            }
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The value for Chromium's `--host-resolver-rules`.
    pub fn host_resolver_rules(&self) -> String {
        host_resolver_rules(self.port)
    }

    /// The requests to tracker sinks so far, oldest first.
    pub fn hits(&self) -> Vec<Hit> {
        self.records.hits()
    }

    pub fn hits_for(&self, host: &str) -> Vec<Hit> {
        self.records.hits_for(host)
    }

    pub fn clear_hits(&self) {
        self.records.clear_hits()
    }

    /// Every request so far: method, host, path, status (0: never answered).
    pub fn access_log(&self) -> Vec<(String, String, String, u16)> {
        self.records.access_log()
    }

    /// Stops the server and waits for its thread to end.
    pub fn stop(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            // A panic on the server thread has already been reported by the panic hook.
            let _ = thread.join();
        }
    }
}

impl Drop for BackgroundWebServer {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}
