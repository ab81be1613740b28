//! The exporter binary against a loopback stand-in for the Kubernetes API server, scraped by a
//! real Prometheus. Expected numbers come from the fixtures' JSON (tests/exporter/fixtures.rs)
//! and from generate.py's expected.json, never from the crate.
//!
//! Needs `prometheus` and `promtool` on PATH (Debian package `prometheus`).

mod fixtures;
mod harness;
mod standin;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde_json::Value;

use fixtures::{expect, fixture_now, queues, BUCKETS};
use harness::{eventually, Exporter, Prometheus};
use standin::{Fault, StandIn, World};

const TOKEN: &str = "kubeprom-test-token-5e1f";

/// A world with the two fixture queues and an empty one, their waits made fresh: the
/// fixture's `now` becomes the start of the test.
fn world(visibility: &[&str]) -> (World, i64) {
    let start = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let shift = start - fixture_now();
    let mut w = World {
        token: TOKEN.into(),
        kueue_versions: vec!["v1beta1".into()],
        visibility_versions: visibility.iter().map(|v| v.to_string()).collect(),
        ..World::default()
    };
    for q in queues(shift) {
        w.cluster_queues.insert(q.name.clone(), q.items.clone());
    }
    w.cluster_queues.insert("idle".into(), Vec::new());
    (w, shift)
}

fn q(s: &str) -> String {
    format!("{s:?}")
}

#[test]
fn fixtures_agree_with_generate_py() {
    let exp = fixtures::expected();
    for queue in queues(0) {
        let file = exp["fixtures"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(f, v)| v["clusterQueue"] == queue.name.as_str() && f.starts_with("cq-"))
            .unwrap()
            .1;
        let (cq, lqs) = expect(&queue, "positionInLocalQueue");
        let sums = file["summaries"].as_array().unwrap();
        assert_eq!(cq.pending, sums[0]["pending"].as_u64().unwrap());
        assert_eq!(lqs.len(), sums.len() - 1);
        let wait_max = sums[0]["wait"]["max"].as_f64().unwrap();
        assert_eq!(cq.oldest_age(fixture_now() as f64), wait_max);
    }
}

#[test]
fn prometheus_scrapes_the_exporter() {
    let (mut w, shift) = world(&["v1beta2", "v1beta1"]);
    // Listed, then gone: one not_found error, so the page has a counter for Prometheus to parse.
    w.ghosts.push("ghost".into());
    let api = StandIn::start(w.clone());
    let exporter = Exporter::start(
        &api,
        &[
            "--page-size",
            "100",
            "--poll-interval",
            "3600",
            "--head-limit",
            "3",
        ],
    );
    eventually(Duration::from_secs(30), "the first poll", || {
        exporter.ready().then_some(())
    });
    let prom = Prometheus::start(exporter.port);

    // All three queues read, in one poll.
    let last: BTreeMap<String, f64> = eventually(Duration::from_secs(60), "a scrape", || {
        let r = prom.query("kubeprom_kueue_exporter_last_success_timestamp_seconds");
        (r.len() == 3).then(|| {
            r.iter()
                .map(|s| {
                    (
                        s["metric"]["cluster_queue"].as_str().unwrap().to_owned(),
                        value(s),
                    )
                })
                .collect()
        })
    });
    assert_eq!(prom.query("up{job=\"kueue-exporter\"}")[0]["value"][1], "1");

    for queue in queues(shift) {
        let (cq, lqs) = expect(&queue, "positionInLocalQueue");
        let now = last[&queue.name];
        let sel = format!("{{cluster_queue={}}}", q(&queue.name));
        assert_eq!(
            prom.value(&format!("kubeprom_kueue_pending_workloads{sel}")),
            cq.pending as f64
        );
        let age = prom.value(&format!(
            "kubeprom_kueue_oldest_pending_workload_age_seconds{sel}"
        ));
        assert!(
            (age - cq.oldest_age(now)).abs() < 1e-6,
            "{age} vs {}",
            cq.oldest_age(now)
        );
        for le in BUCKETS {
            let got = prom.value(&format!(
                "kubeprom_kueue_pending_workload_age_seconds_bucket{{cluster_queue={},le=\"{le}\"}}",
                q(&queue.name)
            ));
            assert_eq!(got, cq.bucket(le, now) as f64, "{} le={le}", queue.name);
        }
        assert_eq!(
            prom.value(&format!(
                "kubeprom_kueue_pending_workload_age_seconds_count{sel}"
            )),
            cq.pending as f64
        );
        for (priority, n) in &cq.by_priority {
            let got = prom.value(&format!(
                "kubeprom_kueue_pending_workloads_by_priority{{cluster_queue={},priority=\"{priority}\"}}",
                q(&queue.name)
            ));
            assert_eq!(got, *n as f64);
        }
        // Only the first three of each queue have a position series.
        let positions = prom.query(&format!("kubeprom_kueue_pending_workload_position{sel}"));
        let got: BTreeSet<(String, u64)> = positions
            .iter()
            .map(|s| {
                (
                    s["metric"]["workload"].as_str().unwrap().to_owned(),
                    value(s) as u64,
                )
            })
            .collect();
        let want: BTreeSet<(String, u64)> = cq.positions.iter().take(3).cloned().collect();
        assert_eq!(got, want);
        for ((ns, lq), e) in &lqs {
            let sel = format!(
                "{{cluster_queue={},namespace={},local_queue={}}}",
                q(&queue.name),
                q(ns),
                q(lq)
            );
            assert_eq!(
                prom.value(&format!(
                    "kubeprom_kueue_local_queue_pending_workloads{sel}"
                )),
                e.pending as f64,
                "{sel}"
            );
            let age = prom.value(&format!(
                "kubeprom_kueue_local_queue_oldest_pending_workload_age_seconds{sel}"
            ));
            assert!((age - e.oldest_age(now)).abs() < 1e-6, "{sel}");
        }
        assert_eq!(
            prom.value(&format!("kubeprom_kueue_exporter_skipped_items{sel}")),
            queue.bad.len() as f64
        );
        assert_eq!(
            prom.value(&format!("kubeprom_kueue_exporter_stale{sel}")),
            0.0
        );
    }
    assert_eq!(
        prom.value("kubeprom_kueue_pending_workloads{cluster_queue=\"idle\"}"),
        0.0
    );
    assert_eq!(
        prom.value("kubeprom_kueue_oldest_pending_workload_age_seconds{cluster_queue=\"idle\"}"),
        0.0
    );
    assert_eq!(
        prom.value(
            "kubeprom_kueue_exporter_errors_total{cluster_queue=\"ghost\",kind=\"not_found\"}"
        ),
        1.0
    );
    assert_eq!(
        prom.value("kubeprom_kueue_exporter_stale{cluster_queue=\"ghost\"}"),
        1.0
    );
    assert_eq!(
        prom.value("kubeprom_kueue_exporter_poll_duration_seconds_count"),
        1.0
    );
    // The numbers also agree with generate.py's own count.
    let exp = fixtures::expected();
    assert_eq!(
        prom.value("kubeprom_kueue_pending_workloads{cluster_queue=\"gpu-a100\"}"),
        exp["fixtures"]["cq-gpu-a100-v1beta2.json"]["summaries"][0]["pending"]
            .as_f64()
            .unwrap()
    );
    // Prometheus asked for, and parsed, OpenMetrics; promtool checks the 0.0.4 text.
    let (ctype, om) = exporter.metrics(Some("application/openmetrics-text;version=1.0.0"));
    assert!(ctype.starts_with("application/openmetrics-text"), "{ctype}");
    assert!(om.ends_with("# EOF\n"));
    let (ctype, text) = exporter.metrics(None);
    assert!(ctype.starts_with("text/plain; version=0.0.4"), "{ctype}");
    harness::promtool_check_metrics(&text);

    // v1beta2 preferred when served; paging walks 100 at a time; every call had the token.
    let reqs = api.requests();
    assert!(reqs.iter().all(|r| r.authorized));
    let gpu: Vec<&str> = reqs
        .iter()
        .filter(|r| {
            r.path
                == "/apis/visibility.kueue.x-k8s.io/v1beta2/clusterqueues/gpu-a100/pendingworkloads"
        })
        .map(|r| r.query.as_str())
        .collect();
    assert_eq!(
        gpu,
        [
            "limit=100&offset=0",
            "limit=100&offset=100",
            "limit=100&offset=200",
            "limit=100&offset=300",
            "limit=100&offset=400"
        ]
    );
    assert!(!reqs
        .iter()
        .any(|r| r.path.contains("/v1beta1/clusterqueues/")));
    exporter.terminate();
}

#[test]
fn max_workloads_cuts_long_queues_and_says_so() {
    let (w, shift) = world(&["v1beta2"]);
    let api = StandIn::start(w);
    let exporter = Exporter::start(
        &api,
        &[
            "--poll-interval",
            "3600",
            "--page-size",
            "100",
            "--max-workloads",
            "250",
        ],
    );
    let m = eventually(Duration::from_secs(30), "a poll", || {
        let m = exporter.scrape();
        (m.keys()
            .filter(|k| k.starts_with("kubeprom_kueue_exporter_truncated{"))
            .count()
            == 3)
            .then_some(m)
    });
    for queue in queues(shift) {
        let first = fixtures::Queue {
            items: queue.items[..250].to_vec(),
            bad: queue.bad.iter().copied().filter(|i| *i < 250).collect(),
            ..queue.clone()
        };
        let (cq, _) = expect(&first, "positionInLocalQueue");
        let sel = format!("{{cluster_queue={}}}", q(&queue.name));
        assert_eq!(
            m[&format!("kubeprom_kueue_pending_workloads{sel}")],
            cq.pending as f64
        );
        assert_eq!(m[&format!("kubeprom_kueue_exporter_truncated{sel}")], 1.0);
    }
    assert_eq!(
        m["kubeprom_kueue_exporter_truncated{cluster_queue=\"idle\"}"],
        0.0
    );
    let limits: Vec<String> = api
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/gpu-a100/pendingworkloads"))
        .map(|r| r.query.clone())
        .collect();
    assert_eq!(
        limits,
        [
            "limit=100&offset=0",
            "limit=100&offset=100",
            "limit=50&offset=200"
        ]
    );
    exporter.terminate();
}

#[test]
fn rejected_credentials_are_reported() {
    let (w, _) = world(&["v1beta2"]);
    let api = StandIn::start(w);
    let exporter = Exporter::start(&api, &["--poll-interval", "0.3"]);
    eventually(Duration::from_secs(20), "a good poll", || {
        exporter.ready().then_some(())
    });
    // The token is revoked: every call is answered 401.
    api.update(|w| w.token = "rotated".into());
    let m = eventually(Duration::from_secs(20), "a 401", || {
        let m = exporter.scrape();
        m.contains_key(
            "kubeprom_kueue_exporter_errors_total{cluster_queue=\"\",kind=\"unauthorized\"}",
        )
        .then_some(m)
    });
    assert_eq!(m["kubeprom_kueue_exporter_up"], 0.0);
    assert_eq!(
        m["kubeprom_kueue_exporter_stale{cluster_queue=\"gpu-a100\"}"],
        1.0
    );
    assert!(exporter
        .log()
        .contains("did not accept the exporter's credentials"));
    assert!(exporter.terminate().success());
}

#[test]
fn token_file_credentials_are_used() {
    let (w, _) = world(&["v1beta2"]);
    let api = StandIn::start(w);
    let dir = harness::temp_dir("token-file");
    let token = dir.join("token");
    std::fs::write(&token, TOKEN).unwrap();
    let kubeconfig = api.kubeconfig_with_token_file(&dir, &token);
    let exporter = Exporter::start_with_kubeconfig(&kubeconfig, &["--poll-interval", "3600"]);
    eventually(Duration::from_secs(20), "a good poll", || {
        exporter.ready().then_some(())
    });
    let reqs = api.requests();
    assert!(!reqs.is_empty());
    assert!(
        reqs.iter()
            .all(|r| r.authorized && r.bearer.as_deref() == Some(TOKEN)),
        "{reqs:?}"
    );
    assert!(exporter.terminate().success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unusable_token_file_is_a_credentials_fault() {
    let (w, _) = world(&["v1beta2"]);
    let api = StandIn::start(w);
    let dir = harness::temp_dir("token-newline");
    let token = dir.join("token");
    // As `kubectl create token NAME > FILE` writes it: kube sends the newline too, which no
    // header value may hold, so nothing reaches the API server.
    std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
    let kubeconfig = api.kubeconfig_with_token_file(&dir, &token);
    let exporter = Exporter::start_with_kubeconfig(&kubeconfig, &["--poll-interval", "0.3"]);
    let m = eventually(Duration::from_secs(20), "a credentials fault", || {
        let m = exporter.scrape();
        m.contains_key(
            "kubeprom_kueue_exporter_errors_total{cluster_queue=\"\",kind=\"unauthorized\"}",
        )
        .then_some(m)
    });
    assert!(
        !m.keys().any(|k| k.contains("kind=\"unreachable\"")),
        "{m:?}"
    );
    assert_eq!(m["kubeprom_kueue_exporter_up"], 0.0);
    assert!(api.requests().is_empty());
    let log = exporter.log();
    assert!(
        log.contains("credentials cannot be used: invalid bearer token")
            && log.contains("does the token file end with a newline?"),
        "{log}"
    );
    assert!(exporter.terminate().success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn faults_are_survived_and_reported() {
    let (mut w, _) = world(&["v1beta2"]);
    w.list_fault = Some(Fault::Status(403));
    let api = StandIn::start(w);
    let exporter = Exporter::start(
        &api,
        &[
            "--poll-interval",
            "0.3",
            "--request-timeout",
            "1",
            "--page-size",
            "500",
        ],
    );
    // Listing is forbidden: alive, not ready, and the log names the missing permission.
    eventually(Duration::from_secs(20), "a forbidden list", || {
        let m = exporter.scrape();
        (m.get("kubeprom_kueue_exporter_errors_total{cluster_queue=\"\",kind=\"forbidden\"}")
            >= Some(&1.0))
        .then_some(())
    });
    assert!(exporter.healthy());
    assert!(!exporter.ready());
    assert_eq!(exporter.scrape()["kubeprom_kueue_exporter_up"], 0.0);
    assert!(exporter
        .log()
        .contains("RBAC denies the exporter `list` on `clusterqueues` in apiGroup kueue.x-k8s.io"));

    api.update(|w| w.list_fault = None);
    let good = eventually(Duration::from_secs(20), "a good poll", || {
        let m = exporter.scrape();
        (exporter.ready()
            && m.get("kubeprom_kueue_exporter_stale{cluster_queue=\"idle\"}") == Some(&0.0)
            && m.get("kubeprom_kueue_exporter_stale{cluster_queue=\"gpu-a100\"}") == Some(&0.0)
            && m.get("kubeprom_kueue_exporter_stale{cluster_queue=\"cpu-batch\"}") == Some(&0.0))
        .then_some(m)
    });
    let pending = |m: &BTreeMap<String, f64>, cq: &str| {
        m[&format!("kubeprom_kueue_pending_workloads{{cluster_queue=\"{cq}\"}}")]
    };

    // One fault per queue; a queue listed but gone by the time it is read (404).
    api.update(|w| {
        w.queue_faults.insert("gpu-a100".into(), Fault::Status(403));
        w.queue_faults
            .insert("cpu-batch".into(), Fault::Slow(Duration::from_secs(3)));
        w.queue_faults.insert("idle".into(), Fault::Malformed);
        w.cluster_queues.insert("flaky".into(), Vec::new());
        w.queue_faults.insert("flaky".into(), Fault::Status(500));
        w.ghosts.push("deleted".into());
    });
    let kinds = [
        ("gpu-a100", "forbidden"),
        ("cpu-batch", "timeout"),
        ("idle", "malformed"),
        ("flaky", "server_error"),
        ("deleted", "not_found"),
    ];
    let faulty = eventually(Duration::from_secs(30), "every fault", || {
        let m = exporter.scrape();
        kinds
            .iter()
            .all(|(cq, kind)| {
                m.contains_key(&format!(
                    "kubeprom_kueue_exporter_errors_total{{cluster_queue=\"{cq}\",kind=\"{kind}\"}}"
                ))
            })
            .then_some(m)
    });
    for (cq, _) in kinds {
        assert_eq!(
            faulty[&format!("kubeprom_kueue_exporter_stale{{cluster_queue=\"{cq}\"}}")],
            1.0,
            "{cq}"
        );
    }
    // The last good values are still served, and stay as they were over several failed polls.
    std::thread::sleep(Duration::from_millis(1500));
    let later = exporter.scrape();
    for cq in ["gpu-a100", "cpu-batch", "idle"] {
        assert_eq!(pending(&later, cq), pending(&good, cq), "{cq}");
        let ts = format!(
            "kubeprom_kueue_exporter_last_success_timestamp_seconds{{cluster_queue=\"{cq}\"}}"
        );
        assert_eq!(later[&ts], faulty[&ts], "{cq}");
        assert!(later[&ts] >= good[&ts], "{cq}");
        let age =
            format!("kubeprom_kueue_oldest_pending_workload_age_seconds{{cluster_queue=\"{cq}\"}}");
        assert_eq!(later[&age], faulty[&age], "{cq}");
    }
    let errors = |m: &BTreeMap<String, f64>| {
        m["kubeprom_kueue_exporter_errors_total{cluster_queue=\"gpu-a100\",kind=\"forbidden\"}"]
    };
    assert!(
        errors(&later) > errors(&faulty),
        "a fault per poll is counted"
    );
    assert!(!faulty.contains_key("kubeprom_kueue_pending_workloads{cluster_queue=\"deleted\"}"));
    assert_eq!(faulty["kubeprom_kueue_exporter_up"], 1.0);
    let log = exporter.log();
    for needle in [
        "RBAC denies the exporter `get` on `clusterqueues/pendingworkloads` in apiGroup visibility.kueue.x-k8s.io",
        "no complete answer within 1s",
        "get clusterqueues/pendingworkloads \"deleted\" (apiGroup visibility.kueue.x-k8s.io): not found (deleted since it was listed?)",
        "kind=\"malformed\"",
        "the API server answered 500",
        "kind=\"malformed_item\"",
    ] {
        assert!(log.contains(needle), "log lacks {needle:?}:\n{log}");
    }
    // A queue deleted for good disappears at the next list; its error counter stays.
    api.update(|w| w.ghosts.clear());
    eventually(
        Duration::from_secs(20),
        "the deleted queue forgotten",
        || {
            let m = exporter.scrape();
            (!m.contains_key("kubeprom_kueue_exporter_stale{cluster_queue=\"deleted\"}")
            && m.contains_key("kubeprom_kueue_exporter_errors_total{cluster_queue=\"deleted\",kind=\"not_found\"}"))
        .then_some(())
        },
    );

    // The API server goes away: still serving, everything stale, `up` 0.
    api.stop();
    let down = eventually(Duration::from_secs(20), "unreachable", || {
        let m = exporter.scrape();
        (m.get("kubeprom_kueue_exporter_errors_total{cluster_queue=\"\",kind=\"unreachable\"}")
            >= Some(&1.0))
        .then_some(m)
    });
    assert_eq!(down["kubeprom_kueue_exporter_up"], 0.0);
    assert_eq!(
        down["kubeprom_kueue_exporter_stale{cluster_queue=\"idle\"}"],
        1.0
    );
    assert_eq!(pending(&down, "gpu-a100"), pending(&good, "gpu-a100"));
    assert!(exporter.healthy());
    assert!(exporter.log().contains("API server unreachable"));
    // Each fault is one log line: no line from the libraries.
    let log = exporter.log();
    assert!(
        log.lines()
            .filter(|l| !l.contains(" INFO "))
            .all(|l| l.contains(" WARN ") && l.contains(" kind=\"")),
        "{log}"
    );

    let status = exporter.terminate();
    assert!(status.success(), "{status:?}");
    assert!(exporter.log().contains("SIGTERM: shutting down"));
}

#[test]
fn v1beta1_server_local_queues_and_rbac() {
    let (mut w, _) = world(&["v1beta1"]);
    // The local queues of the fixtures, plus one with nothing pending.
    let mut lqs = BTreeSet::new();
    for (cq, items) in &w.cluster_queues {
        for i in items {
            lqs.insert((
                i["metadata"]["namespace"].as_str().unwrap().to_owned(),
                i["localQueueName"].as_str().unwrap().to_owned(),
                cq.clone(),
            ));
        }
    }
    lqs.insert(("quiet".into(), "nobody".into(), "idle".into()));
    w.local_queues = lqs.iter().cloned().collect();
    let api = StandIn::start(w.clone());
    let exporter = Exporter::start(&api, &["--local-queues", "--poll-interval", "3600"]);
    let m = eventually(Duration::from_secs(30), "a poll", || {
        let m = exporter.scrape();
        (exporter.ready()
            && m.keys()
                .filter(|k| k.starts_with("kubeprom_kueue_exporter_last_success_timestamp_seconds"))
                .count()
                == 3 + lqs.len())
        .then_some(m)
    });
    for (ns, lq, cq) in &lqs {
        let items = standin::local_queue_items(&w, ns, lq);
        let bad: Vec<usize> = items
            .iter()
            .enumerate()
            .filter(|(_, i)| {
                !i["priority"].is_i64()
                    || i["metadata"]["creationTimestamp"]
                        .as_str()
                        .and_then(fixtures::unix)
                        .is_none()
            })
            .map(|(n, _)| n)
            .collect();
        let fixture = fixtures::Queue {
            name: cq.clone(),
            items,
            bad,
        };
        let (_, mut by_lq) = expect(&fixture, "positionInLocalQueue");
        let e = by_lq.remove(&(ns.clone(), lq.clone())).unwrap_or_default();
        let sel = format!(
            "{{cluster_queue={},namespace={},local_queue={}}}",
            q(cq),
            q(ns),
            q(lq)
        );
        let now = m[&format!("kubeprom_kueue_exporter_last_success_timestamp_seconds{sel}")];
        assert_eq!(
            m[&format!("kubeprom_kueue_local_queue_pending_workloads{sel}")],
            e.pending as f64,
            "{sel}"
        );
        let age =
            m[&format!("kubeprom_kueue_local_queue_oldest_pending_workload_age_seconds{sel}")];
        assert!((age - e.oldest_age(now)).abs() < 1e-6, "{sel}");
        // Positions from the local queue's own endpoint: 0, 1, 2... within the namespace.
        for (name, pos) in e.positions.iter().take(10) {
            let key = format!(
                "kubeprom_kueue_local_queue_pending_workload_position{{cluster_queue={},namespace={},local_queue={},workload={}}}",
                q(cq), q(ns), q(lq), q(name)
            );
            assert_eq!(m.get(&key), Some(&(*pos as f64)), "{key}");
        }
    }
    let reqs = api.requests();
    assert!(reqs.iter().all(|r| r.authorized));
    assert!(reqs.iter().any(|r| r.path
        == "/apis/visibility.kueue.x-k8s.io/v1beta1/clusterqueues/gpu-a100/pendingworkloads"));
    assert!(!reqs.iter().any(|r| r.path.contains("/v1beta2/")));
    // The list was read across `continue` pages.
    assert!(reqs
        .iter()
        .any(|r| r.path.ends_with("/clusterqueues") && r.query.contains("continue=")));

    // The ClusterRole grants exactly what the exporter called.
    let used: BTreeSet<(String, String, String)> =
        reqs.iter().filter_map(harness::rbac_of).collect();
    let granted = harness::cluster_role_grants(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../deploy/kueue-exporter/rbac.yaml"
    ));
    assert_eq!(used, granted);
    // Discovery is the only other call, and needs no grant.
    for r in &reqs {
        if harness::rbac_of(r).is_none() {
            assert!(
                r.path == "/apis/kueue.x-k8s.io" || r.path == "/apis/visibility.kueue.x-k8s.io",
                "{r:?}"
            );
        }
    }
    exporter.terminate();
}

/// Not in the suite (`-- --ignored --nocapture`, best with `--release`): the exporter's peak
/// resident memory and poll time for one queue of 100,000 workloads read in pages of 1,000.
#[test]
#[ignore]
fn peak_memory_with_100k_workloads() {
    let (mut w, _) = world(&["v1beta2"]);
    let template: Vec<Value> = w.cluster_queues["gpu-a100"]
        .iter()
        .filter(|i| {
            i["priority"].is_i64()
                && i["metadata"]["creationTimestamp"]
                    .as_str()
                    .and_then(fixtures::unix)
                    .is_some()
        })
        .cloned()
        .collect();
    let items: Vec<Value> = (0..100_000)
        .map(|i| {
            let mut it = template[i % template.len()].clone();
            it["metadata"]["name"] = Value::String(format!("w-{i:06}"));
            it["positionInClusterQueue"] = Value::from(i);
            it
        })
        .collect();
    w.cluster_queues = BTreeMap::from([("big".to_owned(), items)]);
    let api = StandIn::start(w);
    let exporter = Exporter::start(
        &api,
        &["--poll-interval", "3600", "--request-timeout", "60"],
    );
    let rss_idle = exporter.peak_rss_kib();
    let started = std::time::Instant::now();
    let m = eventually(Duration::from_secs(300), "the big poll", || {
        let m = exporter.scrape();
        (m.get("kubeprom_kueue_pending_workloads{cluster_queue=\"big\"}") == Some(&100_000.0))
            .then_some(m)
    });
    println!(
        "100000 workloads: first poll done after {:.2} s (incl. the stand-in's serialisation), \
         poll_duration_seconds_sum {:.3}, peak RSS {} KiB (before the poll: {} KiB)",
        started.elapsed().as_secs_f64(),
        m["kubeprom_kueue_exporter_poll_duration_seconds_sum"],
        exporter.peak_rss_kib(),
        rss_idle
    );
    exporter.terminate();
}

fn value(sample: &Value) -> f64 {
    sample["value"][1].as_str().unwrap().parse().unwrap()
}

#[test]
fn throttled_and_unavailable_answers_are_counted_once_as_answered() {
    let (w, _) = world(&["v1beta2"]);
    let api = StandIn::start(w);
    // A request timeout longer than the wait below: an error counted in time cannot be a
    // timeout ending a burst of retries.
    let exporter = Exporter::start(&api, &["--poll-interval", "0.3", "--request-timeout", "5"]);
    api.update(|w| {
        // 503: the aggregation layer with Kueue's visibility server down; 429 with
        // Retry-After: API Priority and Fairness.
        w.queue_faults.insert("gpu-a100".into(), Fault::Status(503));
        w.queue_faults
            .insert("cpu-batch".into(), Fault::Status(504));
        w.queue_faults
            .insert("idle".into(), Fault::TooManyRequests(1));
    });
    let key = |cq: &str, kind: &str| {
        format!("kubeprom_kueue_exporter_errors_total{{cluster_queue=\"{cq}\",kind=\"{kind}\"}}")
    };
    let m = eventually(Duration::from_secs(4), "three server errors", || {
        let m = exporter.scrape();
        ["gpu-a100", "cpu-batch", "idle"]
            .iter()
            .all(|cq| m.get(&key(cq, "server_error")) >= Some(&2.0))
            .then_some(m)
    });
    assert!(!m.keys().any(|k| k.contains("kind=\"timeout\"")), "{m:?}");
    // One request per counted error (and at most one more in flight): no hidden retries.
    let calls = api
        .requests()
        .iter()
        .filter(|r| r.cluster_queue.as_deref() == Some("gpu-a100"))
        .count() as f64;
    let counted = m[&key("gpu-a100", "server_error")];
    assert!(
        calls >= counted && calls <= counted + 2.0,
        "{calls} calls, {counted} counted"
    );
    let log = exporter.log();
    for needle in [
        "the API server answered 503",
        "the API server answered 504",
        "the API server answered 429",
    ] {
        assert!(log.contains(needle), "log lacks {needle:?}:\n{log}");
    }
    assert!(exporter.terminate().success());
}

#[test]
fn truncated_and_slow_bodies() {
    let (mut w, _) = world(&["v1beta2"]);
    w.cluster_queues.insert("slowish".into(), Vec::new());
    let api = StandIn::start(w);
    let exporter = Exporter::start(&api, &["--poll-interval", "0.3", "--request-timeout", "1"]);
    api.update(|w| {
        w.queue_faults.insert("gpu-a100".into(), Fault::Truncated);
        w.queue_faults
            .insert("cpu-batch".into(), Fault::SlowBody(Duration::from_secs(3)));
        // Slow, but complete within --request-timeout: not a fault.
        w.queue_faults
            .insert("idle".into(), Fault::Slow(Duration::from_millis(300)));
        w.queue_faults.insert(
            "slowish".into(),
            Fault::SlowBody(Duration::from_millis(300)),
        );
    });
    let key = |cq: &str, kind: &str| {
        format!("kubeprom_kueue_exporter_errors_total{{cluster_queue=\"{cq}\",kind=\"{kind}\"}}")
    };
    let m = eventually(Duration::from_secs(20), "both faults", || {
        let m = exporter.scrape();
        (m.contains_key(&key("gpu-a100", "unreachable"))
            && m.contains_key(&key("cpu-batch", "timeout")))
        .then_some(m)
    });
    for cq in ["idle", "slowish"] {
        assert!(
            !m.keys()
                .any(|k| k.starts_with("kubeprom_kueue_exporter_errors_total")
                    && k.contains(&format!("cluster_queue=\"{cq}\""))),
            "{cq}: {m:?}"
        );
        assert_eq!(
            m[&format!("kubeprom_kueue_exporter_stale{{cluster_queue=\"{cq}\"}}")],
            0.0
        );
    }
    let log = exporter.log();
    assert!(
        log.contains("API server unreachable: error reading a body from connection"),
        "{log}"
    );
    assert!(exporter.terminate().success());
}
