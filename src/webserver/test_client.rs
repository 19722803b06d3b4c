//! A small HTTPS client for the server's tests: HTTP/1.1 over tokio-rustls, any certificate
//! accepted (the server's is self-signed), the response read as it arrives.

use std::io;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

use super::tls::provider;

/// A request to send.
#[derive(Debug, Clone)]
pub(crate) struct TestRequest {
    pub method: String,
    pub host: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl TestRequest {
    pub fn get(host: &str, path: &str) -> TestRequest {
        TestRequest::new("GET", host, path)
    }

    pub fn new(method: &str, host: &str, path: &str) -> TestRequest {
        TestRequest {
            method: method.into(),
            host: host.into(),
            path: path.into(),
            headers: vec![],
            body: vec![],
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> TestRequest {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn body(mut self, body: &[u8]) -> TestRequest {
        self.body = body.to_vec();
        self
    }
}

/// A response whose status and headers have been read; the body is read on demand.
pub(crate) struct TestResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    reader: BufReader<TlsStream<TcpStream>>,
    is_head: bool,
}

impl TestResponse {
    /// The first value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header, in order.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn is_chunked(&self) -> bool {
        self.header("transfer-encoding")
            .is_some_and(|te| te.eq_ignore_ascii_case("chunked"))
    }

    fn content_length(&self) -> Option<u64> {
        self.header("content-length")?.trim().parse().ok()
    }

    /// The whole body.
    pub async fn body(mut self) -> io::Result<Vec<u8>> {
        let mut body = Vec::new();
        if self.is_head || self.status == 204 || self.status == 304 {
            return Ok(body);
        }
        if self.is_chunked() {
            while let Some(chunk) = self.next_chunk().await? {
                body.extend_from_slice(&chunk);
            }
        } else if let Some(length) = self.content_length() {
            (&mut self.reader)
                .take(length)
                .read_to_end(&mut body)
                .await?;
        } else {
            self.reader.read_to_end(&mut body).await?;
        }
        Ok(body)
    }

    pub async fn text(self) -> io::Result<String> {
        Ok(String::from_utf8_lossy(&self.body().await?).into_owned())
    }

    /// Reads the rest of the connection through a small buffer and counts the bytes, so that a
    /// huge body is never held.
    pub async fn count_body_bytes(mut self) -> io::Result<u64> {
        let mut buffer = vec![0u8; 16 * 1024];
        let mut total = 0u64;
        loop {
            let read = self.reader.read(&mut buffer).await?;
            if read == 0 {
                return Ok(total);
            }
            total += read as u64;
        }
    }

    /// The next chunk of a chunked body; `None` after the last.
    pub async fn next_chunk(&mut self) -> io::Result<Option<Vec<u8>>> {
        let size_line = read_line(&mut self.reader).await?;
        let size_hex = size_line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_hex, 16)
            .map_err(|_| invalid(format!("bad chunk size line {size_line:?}")))?;
        if size == 0 {
            // Trailers end with an empty line.
            while !read_line(&mut self.reader).await?.is_empty() {}
            return Ok(None);
        }
        let mut chunk = vec![0u8; size];
        self.reader.read_exact(&mut chunk).await?;
        read_line(&mut self.reader).await?;
        Ok(Some(chunk))
    }
}

/// Connects with TLS, sending `server_name` as SNI and offering `alpn`.
pub(crate) async fn connect(
    port: u16,
    server_name: &str,
    alpn: &[&[u8]],
) -> io::Result<TlsStream<TcpStream>> {
    let mut config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider())))
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let name = ServerName::try_from(server_name.to_string()).map_err(io::Error::other)?;
    let tcp = TcpStream::connect(("127.0.0.1", port)).await?;
    TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
}

/// Sends one request over a new connection (`Connection: close`) and reads the response head.
/// The TLS server name is the Host without port, or none (an address) when that is no DNS name.
pub(crate) async fn send(port: u16, request: &TestRequest) -> io::Result<TestResponse> {
    let host_name = request.host.split(':').next().unwrap_or_default();
    let server_name = match ServerName::try_from(host_name) {
        Ok(_) => host_name,
        Err(_) => "127.0.0.1",
    };
    let stream = connect(port, server_name, &[b"http/1.1"]).await?;
    send_on(stream, request).await
}

/// Sends one request over an established connection.
pub(crate) async fn send_on(
    mut stream: TlsStream<TcpStream>,
    request: &TestRequest,
) -> io::Result<TestResponse> {
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
        request.method, request.path, request.host
    );
    for (name, value) in &request.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !request.body.is_empty() || request.method == "POST" {
        head.push_str(&format!("Content-Length: {}\r\n", request.body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(&request.body).await?;
    stream.flush().await?;

    let mut reader = BufReader::new(stream);
    let status_line = read_line(&mut reader).await?;
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| invalid(format!("bad status line {status_line:?}")))?;
    let mut headers = Vec::new();
    loop {
        let line = read_line(&mut reader).await?;
        if line.is_empty() {
            break;
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| invalid(format!("bad header line {line:?}")))?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    Ok(TestResponse {
        status,
        headers,
        reader,
        is_head: request.method == "HEAD",
    })
}

/// One CRLF-terminated line without its terminator; EOF before any byte is an error.
async fn read_line(reader: &mut BufReader<TlsStream<TcpStream>>) -> io::Result<String> {
    let mut line = Vec::new();
    if reader.read_until(b'\n', &mut line).await? == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "connection closed",
        ));
    }
    let text = String::from_utf8_lossy(&line);
    Ok(text.trim_end_matches(['\r', '\n']).to_string())
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// Accepts any certificate, still checking that the handshake signatures are sound.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
