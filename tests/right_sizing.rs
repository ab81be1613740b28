//! Right-sizing against a real Prometheus over 15 days of backfilled history
//! (tests/data/history.mjs). The expected recommendations come from the generator's model and
//! the documented method, not from kubeprom.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{close, history_prometheus};
use kubeprom::recommend::{
    container_values, plan, recommend, Answers, ContainerAdvice, RecommendSpec, Status,
};

fn recommend_for(kind: &str, name: &str) -> Vec<ContainerAdvice> {
    recommend_in(serde_json::json!({
        "namespace": history_prometheus().expected["namespace"],
        "workload": { "kind": kind, "name": name },
    }))
}

fn recommend_in(spec: serde_json::Value) -> Vec<ContainerAdvice> {
    let prom = history_prometheus();
    let spec: RecommendSpec = serde_json::from_value(spec).unwrap();
    let plan = plan(&spec).unwrap();
    let anchor = prom.anchor();
    let mut answers = Answers::new();
    for q in &plan.queries {
        answers.insert(q.need, container_values(&prom.query_at(&q.promql, anchor)));
    }
    recommend(&spec, &plan, &answers)
}

fn expected(workload: &str) -> &'static serde_json::Map<String, serde_json::Value> {
    history_prometheus().expected["workloads"][workload]
        .as_object()
        .unwrap_or_else(|| panic!("expected-history.json has no {workload}"))
}

/// Every container of the model, and nothing else (a pod named like the workload's is not one
/// of its pods).
fn check_containers(workload: &str, got: &[ContainerAdvice]) {
    let names: Vec<&str> = got.iter().map(|c| c.container.as_str()).collect();
    let want: Vec<&str> = expected(workload).keys().map(String::as_str).collect();
    assert_eq!(names, want, "{workload}");
    for c in got {
        let e = &expected(workload)[&c.container];
        let what = format!("{workload} {}", c.container);
        let num = |v: &serde_json::Value| v.as_f64();
        assert_eq!(
            c.cpu_request.current,
            num(&e["current"]["cpuRequest"]),
            "{what}"
        );
        assert_eq!(
            c.cpu_limit.current,
            num(&e["current"]["cpuLimit"]),
            "{what}"
        );
        assert_eq!(
            c.memory_request.current,
            num(&e["current"]["memoryRequest"]),
            "{what}"
        );
        assert_eq!(
            c.memory_limit.current,
            num(&e["current"]["memoryLimit"]),
            "{what}"
        );
        assert_eq!(c.oom_killed, e["oomKilled"].as_bool().unwrap(), "{what}");
        let peak = c.memory_peak.expect("a peak");
        assert_eq!(
            peak,
            e["memoryPeak"].as_f64().unwrap(),
            "{what}: the peak of every pod that ran"
        );
        let days = e["historyDays"].as_f64().unwrap();
        // The subquery's steps within the pods' lifetimes, give or take one step and the lookback.
        assert!(
            (c.history_seconds / 86400.0 - days).abs() <= 600.0 / 86400.0,
            "{what}: {} s of history, want {days} days",
            c.history_seconds
        );
        if e["enoughHistory"].as_bool().unwrap() {
            let usage = c.cpu_usage.expect("usage");
            assert!(
                close(usage, e["cpuUsage"].as_f64().unwrap()),
                "{what}: p95 {usage}"
            );
            let r = &e["recommended"];
            assert_eq!(
                c.cpu_request.quantity.as_deref(),
                r["cpuRequest"].as_str(),
                "{what}"
            );
            assert_eq!(
                c.memory_request.quantity.as_deref(),
                r["memory"].as_str(),
                "{what}"
            );
            assert_eq!(
                c.memory_limit.quantity.as_deref(),
                r["memory"].as_str(),
                "{what}"
            );
            assert!(c.kubectl.is_some(), "{what}");
        } else {
            assert_eq!(c.status, Status::NotEnoughData, "{what}");
            assert_eq!(c.cpu_request.recommended, None, "{what}");
            assert_eq!(c.kubectl, None, "{what}");
        }
        // No CPU limit is recommended by default.
        assert_eq!(c.cpu_limit.recommended, None, "{what}");
    }
}

#[test]
fn a_deployment_whose_replicas_were_replaced_over_the_history() {
    let got = recommend_for("Deployment", "api");
    check_containers("Deployment/api", &got);
    let app = &got[0];
    assert_eq!(
        app.cpu_request.status,
        Some(Status::OverProvisioned),
        "1 core set, 500m used"
    );
    assert_eq!(
        app.memory_request.status,
        Some(Status::UnderProvisioned),
        "256Mi set, 700Mi peak"
    );
    assert_eq!(app.status, Status::UnderProvisioned);
    assert_eq!(
        app.kubectl.as_deref(),
        Some("kubectl set resources deployment/api -n rs -c app --requests=cpu=500m,memory=816Mi --limits=memory=816Mi")
    );
    let proxy = &got[1];
    assert_eq!(proxy.status, Status::Fine, "{proxy:#?}");
}

#[test]
fn a_statefulset_killed_for_memory_without_a_cpu_request() {
    let got = recommend_for("StatefulSet", "cache");
    check_containers("StatefulSet/cache", &got);
    let redis = &got[0];
    assert_eq!(
        redis.cpu_request.status,
        Some(Status::UnderProvisioned),
        "no request set"
    );
    assert_eq!(redis.cpu_request.difference, None);
    assert_eq!(
        redis.memory_limit.status,
        Some(Status::UnderProvisioned),
        "killed at its limit"
    );
}

#[test]
fn a_workload_younger_than_the_minimum_history() {
    let got = recommend_for("Deployment", "fresh");
    check_containers("Deployment/fresh", &got);
}

#[test]
fn a_workload_without_pods_has_no_containers() {
    assert!(recommend_for("Deployment", "gone").is_empty());
}

/// The namespace's recommendation is every workload's, each container under its own workload
/// by ownership (the canary's pod is named like api's and is not api's).
#[test]
fn a_namespace_is_every_workload_by_ownership() {
    let got = recommend_in(serde_json::json!({
        "namespace": history_prometheus().expected["namespace"],
    }));
    let mut by_workload: std::collections::BTreeMap<String, Vec<ContainerAdvice>> =
        Default::default();
    for c in got {
        let w = c.workload.clone().expect("a workload");
        let kind = serde_json::to_value(w.kind).unwrap();
        let key = format!("{}/{}", kind.as_str().unwrap(), w.name);
        by_workload.entry(key).or_default().push(c);
    }
    let want: Vec<&String> = history_prometheus().expected["workloads"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(by_workload.keys().collect::<Vec<_>>(), want);
    for (workload, containers) in &by_workload {
        check_containers(workload, containers);
        for c in containers {
            if let Some(cmd) = &c.kubectl {
                let name = workload.split('/').nth(1).unwrap();
                assert!(
                    cmd.starts_with(&format!("kubectl set resources deployment/{name} "))
                        || cmd.starts_with(&format!("kubectl set resources statefulset/{name} ")),
                    "{cmd}"
                );
            }
        }
    }
}
