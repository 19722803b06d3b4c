//! TLS: a self-signed certificate made at start, HTTP/2 and HTTP/1.1 offered through ALPN, and the
//! refusal of `badtls.*` names.
//!
//! The certificate cannot be valid for every host the fixtures use (`www.facebook.com` among
//! them); Chromium is run with `--ignore-certificate-errors`, which accepts it anyway.
//!
//! `badtls.*`: the server answers the ClientHello with a fatal `unrecognized_name` alert instead
//! of a ServerHello. `--ignore-certificate-errors` only waives certificate verification, so
//! Chromium still fails the navigation, with `net::ERR_SSL_UNRECOGNIZED_NAME_ALERT` (seen with
//! Chromium 156, see the Chromium test in `chromium_tests.rs`). Merely closing the socket would
//! show up as `ERR_CONNECTION_CLOSED`, which reads as a network failure, not a TLS one.

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::ServerConfig;
use tokio::io::{AsyncWrite, AsyncWriteExt};

/// Host names whose TLS handshake is refused, for tests of TLS failures.
const REFUSED_NAME_PREFIX: &str = "badtls.";

/// A TLS record holding one fatal alert (level 2) `unrecognized_name` (112), record version
/// TLS 1.2 as every TLS 1.3 peer accepts before the version is negotiated (RFC 8446, 5.1).
const UNRECOGNIZED_NAME_ALERT: [u8; 7] = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x70];

/// The names the certificate is issued for; any other name is a certificate error that
/// `--ignore-certificate-errors` waives.
const CERTIFICATE_NAMES: [&str; 4] = ["localhost", "127.0.0.1", "*.test", "*.localhost"];

/// The crypto provider used on both sides (ring, as the crate's dependencies are built).
pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A server configuration with a fresh self-signed certificate, offering h2 and http/1.1.
pub(crate) fn server_config() -> Result<Arc<ServerConfig>, String> {
    let names: Vec<String> = CERTIFICATE_NAMES.iter().map(|n| n.to_string()).collect();
    let certified = rcgen::generate_simple_self_signed(names)
        .map_err(|e| format!("could not create a self-signed certificate: {e}"))?;
    let key = PrivateKeyDer::from(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS configuration: {e}"))?
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .map_err(|e| format!("TLS certificate: {e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Whether the handshake for this (normalised) host name is refused.
pub(crate) fn is_refused_name(host: &str) -> bool {
    host.starts_with(REFUSED_NAME_PREFIX)
}

/// Refuses a handshake after reading the ClientHello: sends the fatal alert; the caller then
/// drops the connection.
pub(crate) async fn refuse_handshake<IO: AsyncWrite + Unpin>(io: &mut IO) {
    // The peer may already be gone; there is nothing to do about a failed write.
    let _ = io.write_all(&UNRECOGNIZED_NAME_ALERT).await;
    let _ = io.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_config_with_alpn() {
        let config = server_config().unwrap();
        assert_eq!(
            config.alpn_protocols,
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        );
    }

    #[test]
    fn only_badtls_names_are_refused() {
        assert!(is_refused_name("badtls.test"));
        assert!(is_refused_name("badtls.example.com"));
        assert!(!is_refused_name("site.test"));
        assert!(!is_refused_name("notbadtls.test"));
    }
}
