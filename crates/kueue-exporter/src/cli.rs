//! Command-line flags.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

/// Serves Kueue's pending workloads (visibility API) as Prometheus metrics.
#[derive(Debug, Clone, Parser)]
#[command(name = "kubeprom-kueue-exporter", version)]
pub struct Args {
    /// Kubeconfig file. Without it: $KUBECONFIG, ~/.kube/config, then the in-cluster service
    /// account.
    #[arg(long, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,

    /// Kubeconfig context (default: the current context).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,

    /// Address to serve /metrics, /healthz and /readyz on.
    #[arg(long, value_name = "ADDR", default_value = "0.0.0.0:8080")]
    pub listen_address: SocketAddr,

    /// Seconds between two polls of all queues.
    #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = seconds)]
    pub poll_interval: Duration,

    /// Seconds one API request may take (connect, answer and body) before it counts as a
    /// timeout.
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = seconds)]
    pub request_timeout: Duration,

    /// Workloads asked for per request (`limit`); longer queues are read with `offset`.
    #[arg(long, value_name = "N", default_value = "1000", value_parser = clap::value_parser!(u32).range(1..))]
    pub page_size: u32,

    /// Most workloads read per queue per poll; the rest of a longer queue is not counted
    /// (kubeprom_kueue_exporter_truncated says so).
    #[arg(long, value_name = "N", default_value = "100000", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_workloads: u32,

    /// Workloads at the head of each queue that get a position series.
    #[arg(long, value_name = "N", default_value_t = kubeprom::kueue::DEFAULT_HEAD_LIMIT)]
    pub head_limit: usize,

    /// Also list LocalQueues and read each one's own pendingworkloads endpoint; local-queue
    /// metrics then come from there (exact per-namespace positions) instead of from the
    /// cluster queue's answer.
    #[arg(long)]
    pub local_queues: bool,

    /// Version of visibility.kueue.x-k8s.io to call; `auto` takes v1beta2 when the API server
    /// serves it, else v1beta1.
    #[arg(long, value_enum, default_value = "auto")]
    pub visibility_version: VisibilityVersion,

    /// Queues polled at the same time.
    #[arg(long, value_name = "N", default_value = "4", value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,

    /// Log level of the exporter's own messages.
    #[arg(long, value_enum, default_value = "info")]
    pub log_level: LogLevel,
}

/// `--visibility-version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VisibilityVersion {
    /// v1beta2 when served, else v1beta1.
    Auto,
    /// Always v1beta1.
    V1beta1,
    /// Always v1beta2.
    V1beta2,
}

/// `--log-level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogLevel {
    /// Errors only.
    Error,
    /// Faults and errors.
    Warn,
    /// Start, stop, faults.
    Info,
    /// Every poll.
    Debug,
}

fn seconds(text: &str) -> Result<Duration, String> {
    let s: f64 = text
        .trim_end_matches('s')
        .parse()
        .map_err(|e| format!("{text:?} is not a number of seconds: {e}"))?;
    // Tokio's timers tick in milliseconds, and a value that rounds to zero would make the
    // poll ticker panic inside its task (the process would serve on, never polling).
    if !(s.is_finite() && (0.001..=86_400.0).contains(&s)) {
        return Err(format!("{text:?}: give seconds from 0.001 to 86400"));
    }
    Ok(Duration::from_secs_f64(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_durations() {
        let a = Args::try_parse_from(["x"]).unwrap();
        assert_eq!(a.poll_interval, Duration::from_secs(30));
        assert_eq!(a.page_size, 1000);
        assert_eq!(a.visibility_version, VisibilityVersion::Auto);
        let a = Args::try_parse_from(["x", "--poll-interval", "0.5s", "--request-timeout", "2"])
            .unwrap();
        assert_eq!(a.poll_interval, Duration::from_millis(500));
        assert_eq!(a.request_timeout, Duration::from_secs(2));
        let a = Args::try_parse_from(["x", "--poll-interval", "0.001"]).unwrap();
        assert_eq!(a.poll_interval, Duration::from_millis(1));
        for bad in ["0", "-1", "NaN", "soon", "1e9", "0.0009", "1e-10"] {
            assert!(
                Args::try_parse_from(["x", "--poll-interval", bad]).is_err(),
                "{bad}"
            );
        }
        assert!(Args::try_parse_from(["x", "--page-size", "0"]).is_err());
    }
}
