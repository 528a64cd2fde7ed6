//! The `stripe-billing-mock` binary: parse configuration, set up logging, serve until SIGINT or
//! SIGTERM.

use std::process::ExitCode;

use clap::Parser;
use stripe_billing_mock::config::{Command, Config, read_fixtures};
use stripe_billing_mock::fixtures;
use stripe_billing_mock::http::AppState;
use stripe_billing_mock::serve::serve;
use stripe_billing_mock::store::Store;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// mimalloc instead of the system allocator: request handling allocates many small, short-lived
/// buffers across worker threads, where glibc's arena locks make workers wait on each other.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let config = Config::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("failed to start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(config))
}

async fn run(config: Config) -> ExitCode {
    if let Some(Command::Healthcheck) = config.command {
        return healthcheck(&config).await;
    }
    // Held until `run` returns, so the log lines still queued are written before exit.
    let _log_writer = stripe_billing_mock::telemetry::init(config.log_format);
    let listener = match TcpListener::bind((config.host.as_str(), config.port)).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(host = %config.host, port = config.port, error = %e, "cannot bind");
            return ExitCode::FAILURE;
        }
    };
    let bound = listener.local_addr();
    let url = match &bound {
        Ok(addr) => format!("http://{addr}"),
        Err(_) => format!("http://{}:{}", config.host, config.port),
    };
    let limits = config.limits();
    tracing::info!(
        %url,
        max_connections = limits.max_connections,
        "stripe-billing-mock listening on {url}"
    );
    let state = AppState::new(Store::default(), config.journal_limit).with_start(config.start());
    state.versions.set_server(config.api_version);
    state.store.set_max_accounts(config.max_accounts);
    state.webhooks.set_retry_scale(config.webhook_retry_scale);
    state.webhooks.set_forward_to(config.forward_to.clone());
    if let Ok(bound) = bound {
        config.control_options().apply(&state, bound);
    }
    if let Some(url) = &config.forward_to {
        tracing::info!(
            forward_to = %url,
            secret = %state.webhooks.forward_secret(),
            "forwarding every event to {url}; signing secret {}",
            state.webhooks.forward_secret()
        );
    }
    if let Some(path) = &config.fixtures {
        let loaded = read_fixtures(path)
            .and_then(|docs| fixtures::templates(&state.store, &docs).map_err(|e| e.to_string()));
        match loaded {
            Ok(templates) => state.store.set_templates(Some(templates)),
            Err(e) => {
                tracing::error!(path = %path.display(), error = %e, "cannot load fixtures");
                return ExitCode::FAILURE;
            }
        }
        tracing::info!(path = %path.display(), "fixtures loaded into every new account");
    }
    match serve(listener, state, limits, shutdown_signal()).await {
        Ok(()) => {
            tracing::info!("shut down");
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!(error = %e, "server error");
            ExitCode::FAILURE
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}

/// `GET /healthz` over a raw connection, so the image needs no curl.
async fn healthcheck(config: &Config) -> ExitCode {
    let host = if config.host == "0.0.0.0" {
        "127.0.0.1"
    } else {
        config.host.as_str()
    };
    let check = async {
        let mut conn = tokio::net::TcpStream::connect((host, config.port)).await?;
        conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .await?;
        let mut buf = Vec::new();
        conn.read_to_end(&mut buf).await?;
        Ok::<bool, std::io::Error>(buf.starts_with(b"HTTP/1.1 200"))
    };
    match tokio::time::timeout(std::time::Duration::from_secs(3), check).await {
        Ok(Ok(true)) => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}
