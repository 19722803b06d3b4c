//! One request: find its host, then answer it from the hostile-web routes, the host's files, the
//! tracker sink or a 404, and write it down.

use std::convert::Infallible;
use std::path::Path;
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE, HOST, LOCATION};
use hyper::{Method, Request, Response, StatusCode};
use tokio::sync::Notify;

use super::body::{full, ResponseBody};
use super::content::{content_type, normalize_host, HostKind, Lookup, Roots, SafePath};
use super::hostile::{self, escape_html, HostileAnswer};
use super::records::{now_ms, AccessEntry, Hit, Records};
use super::sidecar::Sidecar;
use super::{sink, tls};

/// What every request of one server shares.
#[derive(Debug)]
pub(crate) struct ServerState {
    pub roots: Roots,
    pub records: Arc<Records>,
}

/// What the requests of one connection share.
#[derive(Debug, Default)]
pub(crate) struct ConnectionContext {
    /// The TLS server name the client sent, normalised.
    pub sni: Option<String>,
    /// Notified to drop the connection without answering (`/__cl/close`).
    pub close: Notify,
}

/// Answers one request. Never fails: every problem becomes a response (or, by design, none).
pub(crate) async fn handle(
    state: Arc<ServerState>,
    connection: Arc<ConnectionContext>,
    request: Request<Incoming>,
) -> Result<Response<ResponseBody>, Infallible> {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let query = request.uri().query().map(str::to_string);
    let log = |host: &str, status: u16| {
        state.records.record_access(AccessEntry {
            method: method.to_string(),
            host: host.to_string(),
            path: path.clone(),
            status,
        })
    };

    let Some(host) = request_host(&request, connection.sni.as_deref()) else {
        log("", StatusCode::BAD_REQUEST.as_u16());
        return Ok(page(StatusCode::BAD_REQUEST, "missing or invalid Host"));
    };
    // Without SNI (a client that connected by address) the handshake could not be refused;
    // closing before any answer is the nearest thing.
    if tls::is_refused_name(&host) {
        log(&host, 0);
        return close_without_answer(&connection).await;
    }

    if let Some(route) = path.strip_prefix(hostile::PREFIX) {
        return match hostile::answer(route, query.as_deref()).await {
            HostileAnswer::Respond(response) => {
                log(&host, response.status().as_u16());
                Ok(response)
            }
            HostileAnswer::Hang => {
                log(&host, 0);
                std::future::pending().await
            }
            HostileAnswer::Close => {
                log(&host, 0);
                close_without_answer(&connection).await
            }
        };
    }

    let response = match state.roots.host_kind(&host).await {
        HostKind::Site => serve_site(&state.roots, &host, &path, query.as_deref()).await,
        HostKind::Sink { headers } => serve_sink(&state, &host, request, headers.as_deref()).await,
    };
    log(&host, response.status().as_u16());
    Ok(response)
}

/// The request's host: the URI authority (HTTP/2 `:authority`, absolute-form requests), else the
/// Host header, else the TLS server name. A host that is present but not a plain name is `None`.
fn request_host(request: &Request<Incoming>, sni: Option<&str>) -> Option<String> {
    let given = match request.uri().authority() {
        Some(authority) => Some(authority.as_str()),
        None => match request.headers().get(HOST) {
            Some(value) => Some(value.to_str().ok()?),
            None => None,
        },
    };
    match given {
        Some(raw) => normalize_host(raw.rsplit('@').next().unwrap_or(raw)),
        None => sni.map(str::to_string),
    }
}

async fn close_without_answer(
    connection: &ConnectionContext,
) -> Result<Response<ResponseBody>, Infallible> {
    connection.close.notify_one();
    std::future::pending().await
}

/// A host with a folder: its files, or a 404.
async fn serve_site(
    roots: &Roots,
    host: &str,
    path: &str,
    query: Option<&str>,
) -> Response<ResponseBody> {
    let Some(safe_path) = SafePath::parse(path) else {
        return page(StatusCode::BAD_REQUEST, "bad path");
    };
    match roots.lookup(host, &safe_path).await {
        Lookup::File(file) => serve_file(&file).await,
        Lookup::Directory => redirect_to_directory(path, query),
        Lookup::NotFound => page(StatusCode::NOT_FOUND, "404 Not Found"),
    }
}

/// A tracker host: logs the hit, then answers from a file when there is one, else as a sink.
async fn serve_sink(
    state: &ServerState,
    host: &str,
    request: Request<Incoming>,
    sink_headers: Option<&Path>,
) -> Response<ResponseBody> {
    let (parts, body) = request.into_parts();
    let hit = Hit {
        time_ms: now_ms(),
        method: parts.method.to_string(),
        host: host.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_string(), value)
            })
            .collect(),
        body: sink::capture_body(body).await,
    };
    state.records.record_hit(hit);

    let mut response = if sink::is_preflight(&parts.method, &parts.headers) {
        sink::preflight(&parts.headers)
    } else {
        let path = parts.uri.path();
        let lookup = match SafePath::parse(path) {
            Some(safe_path) => state.roots.lookup(host, &safe_path).await,
            None => Lookup::NotFound,
        };
        match lookup {
            Lookup::File(file) => serve_file(&file).await,
            Lookup::Directory => redirect_to_directory(path, parts.uri.query()),
            Lookup::NotFound => sink_answer(&parts.method, sink_headers).await,
        }
    };
    sink::add_cors_headers(&parts.headers, response.headers_mut());
    response
}

async fn sink_answer(method: &Method, sink_headers: Option<&Path>) -> Response<ResponseBody> {
    let mut response = sink::answer(method);
    if let Some(sidecar_path) = sink_headers {
        match Sidecar::read(sidecar_path).await {
            Ok(Some(sidecar)) => {
                let (mut parts, body) = response.into_parts();
                sidecar.apply(&mut parts.status, &mut parts.headers);
                response = Response::from_parts(parts, body);
            }
            Ok(None) => {}
            Err(message) => return page(StatusCode::INTERNAL_SERVER_ERROR, &message),
        }
    }
    response
}

/// A file with its content type and its sidecar headers. Files are small fixtures: read whole.
async fn serve_file(file: &Path) -> Response<ResponseBody> {
    let bytes = match tokio::fs::read(file).await {
        Ok(bytes) => bytes,
        Err(e) => {
            let message = format!("could not read {}: {e}", file.display());
            return page(StatusCode::INTERNAL_SERVER_ERROR, &message);
        }
    };
    let mut response = Response::new(full(bytes));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type(file)));
    // Revalidate every time, so that an edited fixture is never served stale.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));

    let mut sidecar_path = file.as_os_str().to_owned();
    sidecar_path.push(super::content::SIDECAR_SUFFIX);
    match Sidecar::read(Path::new(&sidecar_path)).await {
        Ok(Some(sidecar)) => {
            let (mut parts, body) = response.into_parts();
            sidecar.apply(&mut parts.status, &mut parts.headers);
            Response::from_parts(parts, body)
        }
        Ok(None) => response,
        Err(message) => page(StatusCode::INTERNAL_SERVER_ERROR, &message),
    }
}

/// 301 from `/shop` to `/shop/`, keeping the query.
fn redirect_to_directory(path: &str, query: Option<&str>) -> Response<ResponseBody> {
    // One leading slash only: `//name` in a Location is another host.
    let path = format!("/{}", path.trim_start_matches('/'));
    let location = match query {
        Some(query) => format!("{path}/?{query}"),
        None => format!("{path}/"),
    };
    let mut response = page(StatusCode::MOVED_PERMANENTLY, "moved");
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// A small HTML page with a status.
fn page(status: StatusCode, text: &str) -> Response<ResponseBody> {
    let text = escape_html(text);
    let mut response = Response::new(full(format!(
        "<!doctype html><title>{text}</title><h1>{text}</h1>\n"
    )));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}
