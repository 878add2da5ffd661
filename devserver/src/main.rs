//! `vocafuse-devserver`: prints one line of JSON with its origins, logs requests to stderr, and
//! stops cleanly on SIGINT or SIGTERM.

use std::io::Write;
use std::process::ExitCode;

use vocafuse_devserver::config::{parse_args, USAGE};
use vocafuse_devserver::{start, Command};

#[tokio::main]
async fn main() -> ExitCode {
    let config = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Run(c)) => *c,
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("vocafuse-devserver: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let data_dir = config.data_dir.clone();
    let server = match start(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("vocafuse-devserver: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let stop = stop_signal();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", server.announcement());
    let _ = out.flush();
    drop(out);
    eprintln!("vocafuse-devserver: API {} · storage {} · data in {}", server.api_url(), server.storage_url(), data_dir.display());
    let keys = &server.app.credentials;
    eprintln!("vocafuse-devserver: backend API key {} secret {} (X-VocaFuse-API-Key / X-VocaFuse-API-Secret)", keys.api_key, keys.api_secret);

    stop.await;
    eprintln!("vocafuse-devserver: shutting down");
    server.shutdown().await;
    ExitCode::SUCCESS
}

/// Installs the SIGINT / SIGTERM handlers now (before the ready line, so a client that signals
/// as soon as it reads it is handled, not killed by the default action); resolves on either.
fn stop_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (term, int) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt()));
        async move {
            match (term, int) {
                (Ok(mut term), Ok(mut int)) => {
                    tokio::select! {
                        _ = term.recv() => {}
                        _ = int.recv() => {}
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
