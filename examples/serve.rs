//! Serves fixture folders over HTTPS on 127.0.0.1 until Ctrl-C, and prints how to point
//! Chromium at it.
//!
//! ```text
//! cargo run --example serve -- tests/fixtures/sites
//! ```
//!
//! Each root holds one folder per host name (`pharmacy.test/index.html`); hosts without a folder
//! are tracker sinks. Set `CONSENTLENS_PORT` to choose the port.

use std::path::PathBuf;

use consentlens::webserver::WebServer;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let roots: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if roots.is_empty() {
        eprintln!("usage: cargo run --example serve -- <root>...");
        std::process::exit(2);
    }
    let port = match std::env::var("CONSENTLENS_PORT") {
        Ok(port) => port.parse()?,
        Err(_) => 0,
    };
    let server = WebServer::start_on(roots, port).await?;
    println!("serving on https://127.0.0.1:{}", server.port());
    println!("Chromium flags:");
    println!(
        "  --host-resolver-rules=\"{}\"",
        server.host_resolver_rules()
    );
    println!("  --ignore-certificate-errors");
    println!("press Ctrl-C to stop");

    tokio::signal::ctrl_c().await?;
    let hits = server.hits();
    println!("stopping; {} tracker hits, by host:", hits.len());
    let mut hosts: Vec<&str> = hits.iter().map(|hit| hit.host.as_str()).collect();
    hosts.sort_unstable();
    hosts.dedup();
    for host in hosts {
        let count = hits.iter().filter(|hit| hit.host == host).count();
        println!("  {count:6}  {host}");
    }
    server.shutdown().await;
    Ok(())
}
