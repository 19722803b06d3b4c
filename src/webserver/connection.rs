//! Accepting connections: TLS (refusing `badtls.*` at the ClientHello), then HTTP/1.1 or HTTP/2 as
//! ALPN chose, until the server stops. Stopping drops every connection and every request still in
//! flight, hanging ones included.

use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use rustls::ServerConfig;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::{timeout_at, Instant};
use tokio_rustls::LazyConfigAcceptor;

use super::content::normalize_host;
use super::handler::{self, ConnectionContext, ServerState};
use super::tls;

/// Time a client gets to complete the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Pause after a failed accept (out of file descriptors), so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

type HttpBuilder = auto::Builder<TokioExecutor>;

/// Runs until `stop` turns true or its sender is dropped, then drops every connection.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    tls_config: Arc<ServerConfig>,
    state: Arc<ServerState>,
    mut stop: watch::Receiver<bool>,
) {
    let http = Arc::new(http_builder());
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stopped(&mut stop) => break,
            accepted = listener.accept() => match accepted {
                Ok((tcp, _peer)) => {
                    let serving = serve(tcp, tls_config.clone(), http.clone(), state.clone());
                    connections.spawn(serving);
                }
                Err(_) => tokio::time::sleep(ACCEPT_BACKOFF).await,
            },
            // Reap finished connections so the set holds only open ones.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    connections.shutdown().await;
}

/// HTTP/2 streams run as tasks of their own; dropping their connection resets them, which ends
/// even a hanging one (the Chromium test checks that no task outlives the server).
fn http_builder() -> HttpBuilder {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // The timer enables hyper's header read timeout, which bounds idle HTTP/1 clients.
    builder.http1().timer(TokioTimer::new());
    builder.http2().timer(TokioTimer::new());
    builder
}

async fn serve(
    tcp: TcpStream,
    tls_config: Arc<ServerConfig>,
    http: Arc<HttpBuilder>,
    state: Arc<ServerState>,
) {
    // Small writes (the slowloris byte) go out at once.
    let _ = tcp.set_nodelay(true);
    let deadline = Instant::now() + HANDSHAKE_TIMEOUT;
    let acceptor = LazyConfigAcceptor::new(rustls::server::Acceptor::default(), tcp);
    let Ok(Ok(mut start)) = timeout_at(deadline, acceptor).await else {
        return;
    };
    let sni = start.client_hello().server_name().and_then(normalize_host);
    if sni.as_deref().is_some_and(tls::is_refused_name) {
        tls::refuse_handshake(&mut start.io).await;
        return;
    }
    let Ok(Ok(stream)) = timeout_at(deadline, start.into_stream(tls_config)).await else {
        return;
    };

    let connection = Arc::new(ConnectionContext {
        sni,
        ..ConnectionContext::default()
    });
    let service = service_fn({
        let connection = connection.clone();
        move |request| handler::handle(state.clone(), connection.clone(), request)
    });
    let serving = http.serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = serving => {}
        // `/__cl/close`: dropping the connection closes the socket with no answer.
        _ = connection.close.notified() => {}
    }
}

/// Resolves once the server is told to stop, or its handle is gone.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    // Either outcome means stop; the borrowed value must not be held across an await.
    let _ = stop.wait_for(|stopped| *stopped).await.map(|_| ());
}
