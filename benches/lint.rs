//! Lint throughput, in queries per second, for typical dashboard queries.
//!
//! `cargo bench --bench lint` (a plain `harness = false` program: no extra dependencies).
//! Each query is linted repeatedly for about a second after a warm-up; promql-parser's parse of
//! the same query is timed alongside, since parsing is the floor for any linter built on it.

use std::hint::black_box;
use std::time::{Duration, Instant};

use kubeprom::lint::{lint_query, LintOptions};

const QUERIES: &[(&str, &str)] = &[
    (
        "per-pod CPU (clean)",
        r#"sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{container!="", namespace="shop"}[5m]))"#,
    ),
    (
        "Headlamp pod memory (finding + fix)",
        r#"sum(container_memory_working_set_bytes{namespace='shop',pod=~'web-7d9f8c6b5-x2x4q'}) by (pod,namespace)"#,
    ),
    (
        "kubernetes-mixin CPUThrottlingHigh",
        r#"sum without (id, metrics_path, name, image, endpoint, job, node) (topk by (cluster, namespace, pod, container, instance) (1, increase(container_cpu_cfs_throttled_periods_total{container!="", job="cadvisor", }[5m]))) / on (cluster, namespace, pod, container, instance) group_left sum without (id, metrics_path, name, image, endpoint, job, node) (topk by (cluster, namespace, pod, container, instance) (1, increase(container_cpu_cfs_periods_total{job="cadvisor", }[5m]))) > ( 25 / 100 )"#,
    ),
    (
        "kubernetes-mixin namespace-by-pod receive bandwidth",
        r#"sum by (pod) ((8 * rate(container_network_receive_bytes_total{cluster="$cluster",namespace=~"$namespace"}[$__rate_interval])) * on (cluster,namespace,pod) group_left () topk by (cluster,namespace,pod) (1, max by (cluster,namespace,pod) (kube_pod_info{host_network="false"})))"#,
    ),
];

/// Runs `f` for about `budget` and returns calls per second.
fn throughput(budget: Duration, mut f: impl FnMut()) -> f64 {
    for _ in 0..200 {
        f();
    }
    let start = Instant::now();
    let mut n: u64 = 0;
    while start.elapsed() < budget {
        for _ in 0..100 {
            f();
        }
        n += 100;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let opts = LintOptions {
        scrape_interval: Some(Duration::from_secs(30)),
    };
    let budget = Duration::from_secs(1);
    println!(
        "{:<52} {:>14} {:>16} {:>9}",
        "query", "lint q/s", "parse-only q/s", "findings"
    );
    for (name, q) in QUERIES {
        let findings = lint_query(q, &opts).len();
        let lint = throughput(budget, || {
            black_box(lint_query(black_box(q), &opts));
        });
        // promql-parser rejects Grafana variables; time it on the query it would be given.
        let plain = q.replace("$__rate_interval", "5m");
        let parse = throughput(budget, || {
            let _ = black_box(promql_parser::parser::parse(black_box(&plain)));
        });
        println!("{name:<52} {lint:>14.0} {parse:>16.0} {findings:>9}");
    }
}
