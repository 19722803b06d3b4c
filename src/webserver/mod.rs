//! The HTTPS server behind every fixture site and the demo web.
//!
//! Chromium is launched with `--host-resolver-rules=MAP * 127.0.0.1:PORT
//! --ignore-certificate-errors`, so every host name (the sites under test, `pharmacy.test`, and the
//! trackers, `www.facebook.com`) reaches this one server on 127.0.0.1, which routes by the Host
//! header (`:authority` in HTTP/2, the TLS server name when neither is sent):
//!
//! - `<root>/<host>/<path>` is served from the first root that has it; a directory serves its
//!   `index.html`; `<file>.headers` adds response headers and may set the status
//!   (see `sidecar.rs`).
//! - A host with no folder, or whose folder holds `_sink.headers`, is a tracker sink: a path with
//!   no file gets a 1×1 GIF (GET/HEAD) or 204 (other methods), plus the headers of
//!   `_sink.headers`, and CORS that admits credentialed requests. Every request to a sink host
//!   (outside `/__cl/`) is kept as a [`Hit`], body included, whether a file or the sink answered.
//! - A host with a folder and no `_sink.headers` answers a missing file with 404.
//! - `/__cl/…` on any host is the hostile web (see `hostile.rs`); `badtls.*` has its TLS
//!   handshake refused (see `tls.rs`).
//!
//! The server only ever listens on 127.0.0.1.
//!
//! With `MAP *`, Chromium's own background requests reach the server too (seen with Chromium 156
//! despite `--disable-background-networking`: `accounts.google.com`, `update.googleapis.com`,
//! `redirector.gvt1.com`); they land on sinks, so read hits per host with
//! [`WebServer::hits_for`].

mod background;
mod body;
mod connection;
mod content;
mod handler;
mod hostile;
mod records;
mod sidecar;
mod sink;
mod tls;

#[cfg(test)]
mod chromium_tests;
#[cfg(test)]
mod test_client;
#[cfg(test)]
mod tests;

use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::error::{Error, Result};

pub use background::BackgroundWebServer;
pub use records::Hit;

use content::Roots;
use handler::ServerState;
use records::Records;

/// A running server. Stops on [`WebServer::shutdown`] or when dropped.
#[derive(Debug)]
pub struct WebServer {
    port: u16,
    records: Arc<Records>,
    stop: watch::Sender<bool>,
    accept_task: Option<JoinHandle<()>>,
}

impl WebServer {
    /// Serves `roots` on 127.0.0.1 on a free port.
    pub async fn start(roots: Vec<PathBuf>) -> Result<WebServer> {
        WebServer::start_on(roots, 0).await
    }

    /// Serves `roots` on 127.0.0.1:`port` (0: a free port).
    pub async fn start_on(roots: Vec<PathBuf>, port: u16) -> Result<WebServer> {
        if let Some(missing) = roots.iter().find(|root| !root.is_dir()) {
            return Err(Error::Config(format!(
                "web root {} is not a directory",
                missing.display()
            )));
        }
        let tls_config = tls::server_config().map_err(Error::Config)?;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
        let port = listener.local_addr()?.port();
        let records = Arc::new(Records::default());
        let state = Arc::new(ServerState {
            roots: Roots::new(roots),
            records: records.clone(),
        });
        let (stop, stop_receiver) = watch::channel(false);
        let accept_task = tokio::spawn(connection::accept_loop(
            listener,
            tls_config,
            state,
            stop_receiver,
        ));
        Ok(WebServer {
            port,
            records,
            stop,
            accept_task: Some(accept_task),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The value for Chromium's `--host-resolver-rules`: every host name to this server.
    pub fn host_resolver_rules(&self) -> String {
        host_resolver_rules(self.port)
    }

    /// The requests to tracker sinks so far, oldest first (the last 100,000).
    pub fn hits(&self) -> Vec<Hit> {
        self.records.hits()
    }

    /// The sink hits for one host (lower case, without port).
    pub fn hits_for(&self, host: &str) -> Vec<Hit> {
        self.records.hits_for(host)
    }

    pub fn clear_hits(&self) {
        self.records.clear_hits()
    }

    /// Every request so far, oldest first: method, host, path (without query), status; status 0
    /// means the request was never answered.
    pub fn access_log(&self) -> Vec<(String, String, String, u16)> {
        self.records.access_log()
    }

    /// Stops accepting, closes every open connection (hanging ones included) and waits until
    /// all of them are gone.
    pub async fn shutdown(mut self) {
        self.stop.send_replace(true);
        if let Some(accept_task) = self.accept_task.take() {
            // The task only ends by returning or being cancelled; neither needs handling.
            let _ = accept_task.await;
        }
    }

    pub(crate) fn records(&self) -> Arc<Records> {
        self.records.clone()
    }
}

impl Drop for WebServer {
    fn drop(&mut self) {
        // The accept loop sees this (or the sender going away) and closes everything.
        self.stop.send_replace(true);
    }
}

/// `MAP * 127.0.0.1:PORT`, for `--host-resolver-rules`.
pub fn host_resolver_rules(port: u16) -> String {
    format!("MAP * 127.0.0.1:{port}")
}
