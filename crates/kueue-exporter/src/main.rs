//! `kubeprom-kueue-exporter`: Kueue's pending workloads, read from the on-demand visibility API
//! (`visibility.kueue.x-k8s.io`), served as Prometheus metrics.
//!
//! Every `--poll-interval` it lists the ClusterQueues (and with `--local-queues` the
//! LocalQueues), reads each one's `pendingworkloads` page by page, summarises with
//! `kubeprom::kueue` (the same code the wasm build exports as `kueuePendingSummary` and
//! `toExposition`) and keeps the result for `/metrics`. Faults never stop it: the last good
//! values stay, marked stale. See deploy/kueue-exporter/README.md.

mod api;
mod cli;
mod poll;
mod server;
mod state;

use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use clap::Parser;
use kube::config::{KubeConfigOptions, Kubeconfig};
use tokio::sync::watch;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::cli::{Args, LogLevel};
use crate::poll::{poll_once, Settings};
use crate::state::State;

fn main() -> ExitCode {
    let args = Args::parse();
    init_logging(args.log_level);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(level: LogLevel) {
    let level = match level {
        LogLevel::Error => LevelFilter::ERROR,
        LogLevel::Warn => LevelFilter::WARN,
        LogLevel::Info => LevelFilter::INFO,
        LogLevel::Debug => LevelFilter::DEBUG,
    };
    // kube (and its tower-http trace layer, at ERROR) logs its own line for every failed
    // request; the exporter logs one clear line per fault instead, so those are off and the
    // other libraries only speak up for errors.
    let filter = Targets::new()
        .with_default(LevelFilter::ERROR)
        .with_target("tower_http", LevelFilter::OFF)
        .with_target("kube_client", LevelFilter::OFF)
        .with_target("kubeprom_kueue_exporter", level);
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_target(false)
                .with_ansi(false),
        )
        .with(filter)
        .init();
}

async fn client(args: &Args) -> Result<kube::Client, String> {
    let mut config = match &args.kubeconfig {
        Some(path) => {
            let file = Kubeconfig::read_from(path)
                .map_err(|e| format!("cannot read kubeconfig {}: {e}", path.display()))?;
            let options = KubeConfigOptions {
                context: args.context.clone(),
                ..KubeConfigOptions::default()
            };
            kube::Config::from_custom_kubeconfig(file, &options)
                .await
                .map_err(|e| format!("kubeconfig {}: {e}", path.display()))?
        }
        None if args.context.is_some() => {
            let options = KubeConfigOptions {
                context: args.context.clone(),
                ..KubeConfigOptions::default()
            };
            kube::Config::from_kubeconfig(&options)
                .await
                .map_err(|e| format!("kubeconfig: {e}"))?
        }
        None => kube::Config::infer().await.map_err(|e| {
            format!("no Kubernetes configuration (give --kubeconfig, set KUBECONFIG, or run in a pod): {e}")
        })?,
    };
    config.connect_timeout = Some(args.request_timeout);
    config.read_timeout = Some(args.request_timeout);
    // kube retries 429, 503 and 504 itself (up to 15 times, honouring Retry-After) by default,
    // inside one call: a visibility server that is down then turns each read into a burst of
    // retries ended by --request-timeout and counted as `timeout`, not `server_error`. The
    // next poll is the exporter's retry, so every failed call is counted once, as it was
    // answered.
    config.default_retry = false;
    let url = config.cluster_url.to_string();
    let client = kube::Client::try_from(config)
        .map_err(|e| format!("cannot build a Kubernetes client for {url}: {e}"))?;
    tracing::info!(api_server = url, "using the Kubernetes API server");
    Ok(client)
}

async fn run(args: Args) -> Result<(), String> {
    let client = client(&args).await?;
    let kube = api::Kube::new(client, args.request_timeout);
    let settings = Settings {
        page_size: args.page_size,
        max_workloads: args.max_workloads,
        head_limit: args.head_limit,
        local_queues: args.local_queues,
        visibility_version: args.visibility_version,
        concurrency: args.concurrency,
    };
    let state = Arc::new(Mutex::new(State::default()));

    let listener = tokio::net::TcpListener::bind(args.listen_address)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen_address))?;
    let bound = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    tracing::info!(listen = %bound, "serving /metrics, /healthz and /readyz");

    let (stop_tx, stop_rx) = watch::channel(false);
    let poller = {
        let state = Arc::clone(&state);
        let mut stop = stop_rx.clone();
        let interval = args.poll_interval;
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = ticker.tick() => {}
                    _ = stop.changed() => break,
                }
                tokio::select! {
                    () = poll_once(&kube, &settings, &state) => {}
                    // A poll in flight is abandoned on shutdown rather than waited for.
                    _ = stop.changed() => break,
                }
            }
        })
    };

    let mut server_stop = stop_rx;
    let server = axum::serve(listener, server::router(state)).with_graceful_shutdown(async move {
        let _ = server_stop.changed().await;
    });
    let serving = tokio::spawn(async move { server.await });

    let signal = shutdown_signal().await;
    tracing::info!("{signal}: shutting down");
    let _ = stop_tx.send(true);
    let _ = poller.await;
    match serving.await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(format!("the HTTP server failed: {e}")),
        Err(e) => return Err(format!("the HTTP server task failed: {e}")),
    }
    tracing::info!("stopped");
    Ok(())
}

/// Waits for SIGTERM (what Kubernetes sends) or SIGINT, and names it.
async fn shutdown_signal() -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(mut term), Ok(mut int)) => tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        },
        _ => {
            tracing::warn!("cannot install signal handlers; stop with SIGKILL");
            std::future::pending::<&'static str>().await
        }
    }
}
