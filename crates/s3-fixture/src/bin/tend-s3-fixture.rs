//! Runs the S3 fixture server until killed, for browser tests and benches that run `tend` against S3.
//!
//! Usage: `tend-s3-fixture [PORT]` (default 0: any free port). Prints one line
//! `S3 http://127.0.0.1:PORT bucket=NAME access_key=... secret_key=...`, then serves. On SIGINT or SIGTERM it
//! stops and removes its temporary folder.

use std::net::SocketAddr;
use std::process::ExitCode;

use tend_s3_fixture::S3Server;

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let port = match args.next().as_deref() {
        None => 0,
        Some("-h" | "--help") => {
            println!("usage: tend-s3-fixture [PORT]   (default 0: any free port)");
            return ExitCode::SUCCESS;
        }
        Some(arg) => match arg.parse::<u16>() {
            Ok(port) => port,
            Err(_) => {
                eprintln!("tend-s3-fixture: not a port: {arg:?}");
                return ExitCode::from(2);
            }
        },
    };
    if args.next().is_some() {
        eprintln!("usage: tend-s3-fixture [PORT]");
        return ExitCode::from(2);
    }

    let server = match S3Server::start_on(SocketAddr::from(([127, 0, 0, 1], port))).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("tend-s3-fixture: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "S3 {} bucket={} access_key={} secret_key={}",
        server.endpoint, server.bucket, server.access_key, server.secret_key
    );

    if let Err(e) = shutdown_signal().await {
        eprintln!("tend-s3-fixture: cannot wait for signals: {e}");
        return ExitCode::FAILURE;
    }
    drop(server);
    ExitCode::SUCCESS
}

async fn shutdown_signal() -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r,
        _ = term.recv() => Ok(()),
    }
}
