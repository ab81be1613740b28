//! buildQuery, parseResponse and aggregatePods against a real Prometheus over the bundled
//! dataset. Expected numbers come from tests/.work/expected.json, which the dataset generator
//! computes from its model, not from kubeprom.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::BTreeMap;

use common::{close, prometheus};
use kubeprom::aggregate::{aggregate_pods, AggregateOptions, Stat};
use kubeprom::query::{
    build_query, CustomKind, CustomMetric, CustomProfile, CustomScope, ProfileSpec, QuerySpec,
    Unit, WorkloadKind, WorkloadRef,
};

fn spec(metric: &str) -> QuerySpec {
    QuerySpec {
        metric: metric.into(),
        ..Default::default()
    }
}

/// Per-pod values of a built query at the anchor, keyed "namespace/pod".
fn per_pod(spec: &QuerySpec) -> BTreeMap<String, f64> {
    let prom = prometheus();
    let promql = build_query(spec).unwrap();
    let result = prom.query_at(&promql, prom.anchor());
    aggregate_pods(&result, &AggregateOptions::default())
        .unwrap()
        .pods
        .into_iter()
        .map(|p| (format!("{}/{}", p.namespace, p.pod), p.value))
        .collect()
}

fn expected_per_pod(field: &str, namespace: Option<&str>) -> BTreeMap<String, f64> {
    prometheus().expected["pods"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, p)| namespace.is_none_or(|ns| p["namespace"] == ns))
        .map(|(k, p)| {
            (
                k.clone(),
                p[field].as_f64().unwrap_or_else(|| panic!("{k}.{field}")),
            )
        })
        .collect()
}

fn assert_matches(metric: &str, actual: &BTreeMap<String, f64>, expected: &BTreeMap<String, f64>) {
    assert_eq!(
        actual.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "{metric}: pods"
    );
    for (pod, want) in expected {
        assert!(
            close(actual[pod], *want),
            "{metric} {pod}: got {}, want {want}",
            actual[pod]
        );
    }
}

#[test]
fn every_pod_metric_matches_the_model() {
    for (metric, field) in [
        ("pod_memory_working_set", "memoryWorkingSet"),
        ("pod_memory_rss", "memoryRss"),
        ("pod_cpu_usage", "cpu"),
        ("pod_cpu_throttling", "throttling"),
        ("pod_restarts", "restarts"),
        ("pod_cpu_requests", "cpuRequests"),
        ("pod_cpu_limits", "cpuLimits"),
        ("pod_memory_requests", "memoryRequests"),
        ("pod_memory_limits", "memoryLimits"),
        ("pod_network_receive", "networkReceive"),
        ("pod_network_transmit", "networkTransmit"),
        ("pod_fs_read", "fsRead"),
        ("pod_fs_write", "fsWrite"),
    ] {
        assert_matches(
            metric,
            &per_pod(&spec(metric)),
            &expected_per_pod(field, None),
        );
    }
}

/// A query of the dataset's application metric `series` in namespace shop.
fn custom(series: &str, kind: CustomKind, scope: CustomScope) -> QuerySpec {
    QuerySpec {
        metric: CustomMetric {
            series: series.into(),
            unit: Unit::Count,
            kind,
            scope,
            matchers: BTreeMap::new(),
        }
        .into(),
        namespace: Some("shop".into()),
        ..Default::default()
    }
}

#[test]
fn custom_metrics_sum_each_series_of_a_pod_once() {
    let prom = prometheus();
    let orders = &prom.expected["orders"];
    let depth = flatten1(orders, |o| num(&o["queueDepth"]));
    let gauge = custom("orders_queue_depth", CustomKind::Gauge, CustomScope::Pod);
    assert_matches("orders_queue_depth", &per_pod(&gauge), &depth);
    // Two jobs scrape every series: summed as they come, each pod counts twice.
    let naive = prom.query_at(
        r#"sum by (namespace, pod) (orders_queue_depth{namespace="shop"})"#,
        prom.anchor(),
    );
    for s in &naive.series {
        let pod = format!("shop/{}", s.label("pod").unwrap());
        assert!(
            close(s.values[0], 2.0 * depth[&pod]),
            "dataset lacks the second scrape"
        );
    }
    // One job's series alone: the same numbers, not half of them.
    let mut one_job = gauge.clone();
    if let kubeprom::query::MetricRef::Custom(def) = &mut one_job.metric {
        def.matchers.insert("job".into(), "web-legacy".into());
    }
    assert_matches("orders_queue_depth{job}", &per_pod(&one_job), &depth);
    // Pods by ownership, as the catalog's.
    let web = QuerySpec {
        workload: Some(WorkloadRef {
            kind: WorkloadKind::Deployment,
            name: "web".into(),
        }),
        ..gauge.clone()
    };
    assert_matches("orders_queue_depth by workload", &per_pod(&web), &depth);

    // Per container: the container label kept, the container filter accepted.
    let containers = QuerySpec {
        by: Some(vec!["namespace".into(), "pod".into(), "container".into()]),
        ..custom(
            "orders_queue_depth",
            CustomKind::Gauge,
            CustomScope::Container,
        )
    };
    let mut want = BTreeMap::new();
    for (pod, o) in orders.as_object().unwrap() {
        for (container, v) in o["queueDepthByContainer"].as_object().unwrap() {
            want.insert(format!("{pod}/{container}"), num(v));
        }
    }
    assert_keyed(
        "orders_queue_depth per container",
        &keyed(&containers, &["namespace", "pod", "container"]),
        &want,
    );
    let sidecar = QuerySpec {
        container: Some("sidecar".into()),
        ..custom(
            "orders_queue_depth",
            CustomKind::Gauge,
            CustomScope::Container,
        )
    };
    let sidecar_want: BTreeMap<String, f64> = orders
        .as_object()
        .unwrap()
        .iter()
        .map(|(pod, o)| (pod.clone(), num(&o["queueDepthByContainer"]["sidecar"])))
        .collect();
    assert_matches(
        "orders_queue_depth{container}",
        &per_pod(&sidecar),
        &sidecar_want,
    );

    // A counter as a rate, each status code's series once.
    assert_matches(
        "orders_processed_total",
        &per_pod(&custom(
            "orders_processed_total",
            CustomKind::Rate,
            CustomScope::Pod,
        )),
        &flatten1(orders, |o| num(&o["processedPerSecond"])),
    );
}

#[test]
fn two_container_pod_is_the_sum_of_its_containers_not_double() {
    let prom = prometheus();
    let pod = &prom.expected["pods"]["shop/web-7d4b9c-abcde"];
    let containers: f64 = pod["containers"]
        .as_object()
        .unwrap()
        .values()
        .map(|c| c["memory"].as_f64().unwrap())
        .sum();
    let got = per_pod(&QuerySpec {
        namespace: Some("shop".into()),
        pod: Some("web-7d4b9c-abcde".into()),
        ..spec("pod_memory_working_set")
    });
    assert_eq!(got.len(), 1);
    assert!(close(got["shop/web-7d4b9c-abcde"], containers));
    // The Headlamp plugin's workload query (no container filter) counts the pod-level cgroup and
    // the pause container too: the dataset must catch that mistake.
    let naive = prom.query_at(
        r#"sum(container_memory_working_set_bytes{namespace="shop",pod="web-7d4b9c-abcde"})"#,
        prom.anchor(),
    );
    assert!(
        naive.series[0].values[0] > containers * 1.9,
        "dataset lacks the pod-level series"
    );
}

#[test]
fn cpu_is_right_on_both_sides_of_a_counter_reset() {
    let prom = prometheus();
    let reset = prom.expected["resetAt"].as_f64().unwrap();
    let promql = build_query(&QuerySpec {
        pod: Some("db-0".into()),
        ..spec("pod_cpu_usage")
    })
    .unwrap();
    let want = prom.expected["pods"]["shop/db-0"]["cpu"].as_f64().unwrap();
    for t in [reset - 1800.0, reset + 1800.0] {
        let r = prom.query_at(&promql, t);
        assert!(
            close(r.series[0].values[0], want),
            "at {t}: {}",
            r.series[0].values[0]
        );
    }
}

#[test]
fn workloads_are_selected_by_ownership_not_name_prefix() {
    let prom = prometheus();
    for (namespace, kind, name) in [
        ("shop", WorkloadKind::Deployment, "web"),
        ("shop", WorkloadKind::Deployment, "web-api"),
        ("shop", WorkloadKind::StatefulSet, "db"),
        ("batch", WorkloadKind::CronJob, "nightly"),
        ("batch", WorkloadKind::DaemonSet, "node-agent"),
    ] {
        let kind_name = format!("{kind:?}");
        let mut want: Vec<String> = prom.expected["workloads"]
            [format!("{namespace}/{kind_name}/{name}")]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{namespace}/{}", p.as_str().unwrap()))
        .collect();
        want.sort();
        for metric in [
            "pod_memory_working_set",
            "pod_cpu_usage",
            "pod_restarts",
            "pod_network_receive",
        ] {
            let got = per_pod(&QuerySpec {
                namespace: Some(namespace.into()),
                workload: Some(WorkloadRef {
                    kind,
                    name: name.into(),
                }),
                ..spec(metric)
            });
            assert_eq!(
                got.keys().cloned().collect::<Vec<_>>(),
                want,
                "{metric} {kind_name}/{name}"
            );
        }
    }
    // A Job's pods by the Job's own name.
    let job = per_pod(&QuerySpec {
        workload: Some(WorkloadRef {
            kind: WorkloadKind::Job,
            name: "nightly-29000000".into(),
        }),
        ..spec("pod_memory_working_set")
    });
    assert_eq!(
        job.keys().collect::<Vec<_>>(),
        ["batch/nightly-29000000-q8x7z"]
    );
}

#[test]
fn node_filter_uses_pod_info() {
    let prom = prometheus();
    let mut want: Vec<String> = prom.expected["nodes"]["node-1"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect();
    want.sort();
    let got = per_pod(&QuerySpec {
        node: Some("node-1".into()),
        ..spec("pod_memory_working_set")
    });
    assert_eq!(got.keys().cloned().collect::<Vec<_>>(), want);
}

#[test]
fn last_terminated_reason_per_container() {
    let prom = prometheus();
    let promql = build_query(&spec("pod_last_terminated_reason")).unwrap();
    let r = prom.query_at(&promql, prom.anchor());
    let mut got: Vec<(String, String, String, f64)> = r
        .series
        .iter()
        .map(|s| {
            (
                s.label("pod").unwrap().into(),
                s.label("container").unwrap().into(),
                s.label("reason").unwrap().into(),
                s.values[0],
            )
        })
        .collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    let mut want = Vec::new();
    for p in prom.expected["pods"].as_object().unwrap().values() {
        for (container, reason) in p["lastTerminatedReason"].as_object().unwrap() {
            want.push((
                p["pod"].as_str().unwrap().to_owned(),
                container.clone(),
                reason.as_str().unwrap().to_owned(),
                1.0,
            ));
        }
    }
    want.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        got, want,
        "one series per container, counted once across kube-state-metrics replicas"
    );
}

#[test]
fn hostile_values_match_nothing_instead_of_everything() {
    let prom = prometheus();
    for hostile in [
        r#"shop"} or vector(1) #"#,
        r#"shop"}) or (up"#,
        "shop\"\n",
        ".*",
        "shop|batch",
        "shop\\",
    ] {
        for metric in ["pod_memory_working_set", "pod_cpu_usage", "pod_restarts"] {
            let promql = build_query(&QuerySpec {
                namespace: Some(hostile.into()),
                ..spec(metric)
            })
            .unwrap();
            let r = prom.query_at(&promql, prom.anchor());
            assert!(
                r.series.is_empty(),
                "{hostile:?} via {metric} returned {:?}",
                r.series
            );
        }
        let promql = build_query(&QuerySpec {
            namespace: Some("shop".into()),
            workload: Some(WorkloadRef {
                kind: WorkloadKind::Deployment,
                name: hostile.into(),
            }),
            ..spec("pod_memory_working_set")
        })
        .unwrap();
        assert!(
            prom.query_at(&promql, prom.anchor()).series.is_empty(),
            "{hostile:?} as a workload name"
        );
    }
}

#[test]
fn profiles_select_the_same_series() {
    let default = per_pod(&spec("pod_memory_working_set"));
    let plain = per_pod(&QuerySpec {
        profile: Some(ProfileSpec::Named("plain".into())),
        ..spec("pod_memory_working_set")
    });
    let custom = per_pod(&QuerySpec {
        profile: Some(ProfileSpec::Custom(CustomProfile {
            cadvisor: [(
                "service".to_string(),
                "kube-prometheus-stack-kubelet".to_string(),
            )]
            .into(),
            ..Default::default()
        })),
        ..spec("pod_memory_working_set")
    });
    assert_eq!(default, plain);
    assert_eq!(default, custom);
    // The dataset has no cluster label: a cluster filter must select nothing.
    let other_cluster = per_pod(&QuerySpec {
        profile: Some(ProfileSpec::Named("multi-cluster".into())),
        cluster: Some("other".into()),
        ..spec("pod_memory_working_set")
    });
    assert!(other_cluster.is_empty());
}

#[test]
fn range_queries_aggregate_over_time() {
    let prom = prometheus();
    let promql = build_query(&QuerySpec {
        namespace: Some("shop".into()),
        ..spec("pod_memory_working_set")
    })
    .unwrap();
    let (start, end) = (prom.anchor() - 3600.0, prom.anchor());
    let r = prom.query_range(&promql, start, end, 60.0);
    let want = expected_per_pod("memoryWorkingSet", Some("shop"));
    for stat in [Stat::Last, Stat::Avg, Stat::Max, Stat::P95] {
        let agg = aggregate_pods(
            &r,
            &AggregateOptions {
                stat,
                unit: Some("MiB".into()),
                keep_series: true,
                ..Default::default()
            },
        )
        .unwrap();
        for pod in &agg.pods {
            let key = format!("{}/{}", pod.namespace, pod.pod);
            assert!(close(pod.value, want[&key] / 1_048_576.0), "{stat:?} {key}");
            assert_eq!(pod.series.as_ref().unwrap().0.len(), 61);
            assert_eq!(pod.unit, "MiB");
        }
    }
}

#[test]
fn raw_cadvisor_result_aggregates_like_kubectl_top() {
    // A query that keeps every series (pod-level, pause, per container): aggregatePods must still
    // count each container once.
    let prom = prometheus();
    let r = prom.query_at(
        r#"container_memory_working_set_bytes{namespace="shop"}"#,
        prom.anchor(),
    );
    let got: BTreeMap<String, f64> = aggregate_pods(&r, &AggregateOptions::default())
        .unwrap()
        .pods
        .into_iter()
        .map(|p| (format!("{}/{}", p.namespace, p.pod), p.value))
        .collect();
    assert_matches(
        "raw working set",
        &got,
        &expected_per_pod("memoryWorkingSet", Some("shop")),
    );
    // kube-state-metrics from two replicas, raw.
    let r = prom.query_at(
        r#"kube_pod_container_resource_requests{resource="memory"}"#,
        prom.anchor(),
    );
    let got: BTreeMap<String, f64> = aggregate_pods(&r, &AggregateOptions::default())
        .unwrap()
        .pods
        .into_iter()
        .map(|p| (format!("{}/{}", p.namespace, p.pod), p.value))
        .collect();
    assert_matches(
        "raw requests",
        &got,
        &expected_per_pod("memoryRequests", None),
    );
}

#[test]
fn kueue_queues() {
    let prom = prometheus();
    let promql = build_query(&spec("kueue_pending_workloads")).unwrap();
    let r = prom.query_at(&promql, prom.anchor());
    let pending = &prom.expected["kueue"]["pending"];
    let mut seen = 0;
    for s in &r.series {
        let want = pending[s.label("cluster_queue").unwrap()][s.label("status").unwrap()]
            .as_f64()
            .unwrap();
        assert_eq!(
            s.values[0], want,
            "{:?} (the follower's stale gauges must not count)",
            s.labels
        );
        seen += 1;
    }
    assert_eq!(seen, 4);
    for (q, field) in [(0.5, "p50"), (0.95, "p95")] {
        let promql = build_query(&QuerySpec {
            quantile: Some(q),
            ..spec("kueue_admission_wait_time")
        })
        .unwrap();
        for s in prom.query_at(&promql, prom.anchor()).series {
            let want = prom.expected["kueue"]["admissionWait"][s.label("cluster_queue").unwrap()]
                [field]
                .as_f64()
                .unwrap();
            assert!(
                close(s.values[0], want),
                "{field} {:?}: {} vs {want}",
                s.labels,
                s.values[0]
            );
        }
    }
    let promql = build_query(&spec("kueue_admitted_workloads_rate")).unwrap();
    for s in prom.query_at(&promql, prom.anchor()).series {
        let want = prom.expected["kueue"]["admittedPerSecond"][s.label("cluster_queue").unwrap()]
            .as_f64()
            .unwrap();
        assert!(close(s.values[0], want));
    }
}

#[test]
fn kueue_local_queues() {
    let prom = prometheus();
    let queues = &prom.expected["kueue"]["localQueues"];
    let key = |s: &common::SeriesSamples| {
        format!(
            "{}/{}",
            s.label("exported_namespace").unwrap(),
            s.label("name").unwrap()
        )
    };
    let r = prom.query_at(
        &build_query(&spec("kueue_local_queue_pending_workloads")).unwrap(),
        prom.anchor(),
    );
    let mut got = BTreeMap::new();
    for s in &r.series {
        got.insert(
            format!("{}/{}", key(s), s.label("status").unwrap()),
            s.values[0],
        );
    }
    let mut want = BTreeMap::new();
    for (lq, q) in queues.as_object().unwrap() {
        for (status, n) in q["pending"].as_object().unwrap() {
            want.insert(format!("{lq}/{status}"), n.as_f64().unwrap());
        }
    }
    assert_eq!(
        got, want,
        "one value per local queue and status; the follower's stale gauges must not count"
    );

    // Filtered by the local queue's namespace and name: the same name in another namespace is
    // another queue. Scraped like Kueue's Helm chart does, the namespace is `exported_namespace`.
    let one = QuerySpec {
        selector: [
            ("exported_namespace".to_string(), "team-b".to_string()),
            ("name".to_string(), "gpu-jobs".to_string()),
        ]
        .into(),
        by: Some(vec!["name".into()]),
        ..spec("kueue_local_queue_pending_workloads")
    };
    let r = prom.query_at(&build_query(&one).unwrap(), prom.anchor());
    assert_eq!(r.series.len(), 1);
    let team_b = &queues["team-b/gpu-jobs"]["pending"];
    assert_eq!(
        r.series[0].values[0],
        team_b["active"].as_f64().unwrap() + team_b["inadmissible"].as_f64().unwrap()
    );

    for (q, field) in [(0.5, "p50"), (0.95, "p95")] {
        let promql = build_query(&QuerySpec {
            quantile: Some(q),
            ..spec("kueue_local_queue_admission_wait_time")
        })
        .unwrap();
        let r = prom.query_at(&promql, prom.anchor());
        assert_eq!(r.series.len(), queues.as_object().unwrap().len());
        for s in &r.series {
            let want = queues[key(s)]["admissionWait"][field].as_f64().unwrap();
            assert!(
                close(s.values[0], want),
                "{field} {:?}: {} vs {want}",
                s.labels,
                s.values[0]
            );
        }
    }
    for (metric, field) in [
        (
            "kueue_local_queue_admitted_workloads_rate",
            "admittedPerSecond",
        ),
        (
            "kueue_local_queue_admitted_active_workloads",
            "admittedActive",
        ),
    ] {
        let r = prom.query_at(&build_query(&spec(metric)).unwrap(), prom.anchor());
        assert_eq!(
            r.series.len(),
            queues.as_object().unwrap().len(),
            "{metric}"
        );
        for s in &r.series {
            let want = queues[key(s)][field].as_f64().unwrap();
            assert!(
                close(s.values[0], want),
                "{metric} {:?}: {} vs {want}",
                s.labels,
                s.values[0]
            );
        }
    }
}

#[test]
fn operators_and_scrape_targets() {
    let prom = prometheus();
    let ops = &prom.expected["operators"];
    let r = prom.query_at(
        &build_query(&spec("operator_reconcile_rate")).unwrap(),
        prom.anchor(),
    );
    assert!(!r.series.is_empty());
    for s in &r.series {
        let want = ops[s.label("job").unwrap()][s.label("controller").unwrap()]
            [s.label("result").unwrap()]
        .as_f64()
        .unwrap();
        assert!(close(s.values[0], want), "{:?}", s.labels);
    }
    let kuberay = QuerySpec {
        selector: [("job".to_string(), "kuberay-operator".to_string())].into(),
        ..spec("operator_reconcile_errors")
    };
    let r = prom.query_at(&build_query(&kuberay).unwrap(), prom.anchor());
    assert_eq!(r.series.len(), 2, "only KubeRay's controllers");
    for s in &r.series {
        assert!(close(
            s.values[0],
            ops["kuberay-operator"][s.label("controller").unwrap()]["error"]
                .as_f64()
                .unwrap()
        ));
    }
    let r = prom.query_at(
        &build_query(&spec("operator_workqueue_depth")).unwrap(),
        prom.anchor(),
    );
    for s in &r.series {
        assert_eq!(
            s.values[0],
            ops[s.label("job").unwrap()][s.label("name").unwrap()]["depth"]
                .as_f64()
                .unwrap()
        );
    }
    let up = QuerySpec {
        by: Some(vec!["job".into()]),
        ..spec("scrape_up")
    };
    let r = prom.query_at(&build_query(&up).unwrap(), prom.anchor());
    let got: BTreeMap<&str, f64> = r
        .series
        .iter()
        .map(|s| (s.label("job").unwrap(), s.values[0]))
        .collect();
    let want: BTreeMap<&str, f64> = prom.expected["up"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(job, v)| {
            (
                job.as_str(),
                v.as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_f64().unwrap())
                    .fold(1.0, f64::min),
            )
        })
        .collect();
    assert_eq!(got, want);
}

/// A built query's values at the anchor, keyed by the named labels joined with "/".
fn keyed(spec: &QuerySpec, labels: &[&str]) -> BTreeMap<String, f64> {
    keyed_by(spec, labels, |promql, s, l| {
        panic!("{promql}: no {l} in {:?}", s.labels)
    })
}

/// [`keyed`] where a label a series does not have (Kueue's empty values) counts as "".
fn keyed_lenient(spec: &QuerySpec, labels: &[&str]) -> BTreeMap<String, f64> {
    keyed_by(spec, labels, |_, _, _| "")
}

/// Values of a built query at the anchor keyed by `labels` joined with "/", `missing` giving the
/// key part of a label a series lacks.
fn keyed_by(
    spec: &QuerySpec,
    labels: &[&str],
    missing: impl for<'s> Fn(&str, &'s common::SeriesSamples, &str) -> &'s str,
) -> BTreeMap<String, f64> {
    let prom = prometheus();
    let promql = build_query(spec).unwrap();
    let r = prom.query_at(&promql, prom.anchor());
    let got: BTreeMap<String, f64> = r
        .series
        .iter()
        .map(|s| {
            let key: Vec<&str> = labels
                .iter()
                .map(|l| s.label(l).unwrap_or_else(|| missing(&promql, s, l)))
                .collect();
            (key.join("/"), s.values[0])
        })
        .collect();
    assert_eq!(got.len(), r.series.len(), "{promql}: a key twice");
    got
}

/// `got` has exactly `want`'s keys, each value within rounding.
fn assert_keyed(what: &str, got: &BTreeMap<String, f64>, want: &BTreeMap<String, f64>) {
    assert!(!want.is_empty(), "{what}: expected.json has no values");
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "{what}: keys"
    );
    for (k, w) in want {
        assert!(close(got[k], *w), "{what} {k}: got {}, want {w}", got[k]);
    }
}

/// expected.json's `section` of nested objects flattened to "outer/inner" -> pick(record).
fn flatten2(
    section: &serde_json::Value,
    pick: impl Fn(&serde_json::Value) -> f64,
) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for (outer, inner) in section.as_object().unwrap() {
        for (k, v) in inner.as_object().unwrap() {
            out.insert(format!("{outer}/{k}"), pick(v));
        }
    }
    out
}

/// expected.json's `section` (an object of numbers or of records) -> pick(value).
fn flatten1(
    section: &serde_json::Value,
    pick: impl Fn(&serde_json::Value) -> f64,
) -> BTreeMap<String, f64> {
    section
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), pick(v)))
        .collect()
}

fn num(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// A latency metric over 5m at each quantile the dataset's expectations hold, with the
/// expectation's field name.
fn latency_quantiles(metric: &str) -> impl Iterator<Item = (QuerySpec, &'static str)> + '_ {
    [(0.5, "p50"), (0.95, "p95"), (0.99, "p99")]
        .into_iter()
        .map(move |(q, field)| {
            let latency = QuerySpec {
                quantile: Some(q),
                window: Some("5m".into()),
                ..spec(metric)
            };
            (latency, field)
        })
}

#[test]
fn controller_runtime_latency_and_workers() {
    let cr = &prometheus().expected["controllerRuntime"];
    assert_keyed(
        "operator_active_workers",
        &keyed(&spec("operator_active_workers"), &["job", "controller"]),
        &flatten2(cr, |r| num(&r["activeWorkers"])),
    );
    for (latency, field) in latency_quantiles("operator_reconcile_latency") {
        assert_keyed(
            &format!("operator_reconcile_latency {field}"),
            &keyed(&latency, &["job", "controller"]),
            &flatten2(cr, |r| num(&r["reconcileLatency"][field])),
        );
    }
    // One operator's controllers only.
    let kuberay = QuerySpec {
        selector: [("job".to_string(), "kuberay-operator".to_string())].into(),
        quantile: Some(0.99),
        ..spec("operator_reconcile_latency")
    };
    assert_keyed(
        "operator_reconcile_latency of KubeRay",
        &keyed(&kuberay, &["controller"]),
        &flatten1(&cr["kuberay-operator"], |r| {
            num(&r["reconcileLatency"]["p99"])
        }),
    );
}

#[test]
fn kuberay_provisioning() {
    let want = flatten1(&prometheus().expected["kuberay"]["provisionedSeconds"], num);
    assert_keyed(
        "kuberay_cluster_provisioned_duration",
        &keyed(
            &spec("kuberay_cluster_provisioned_duration"),
            &["namespace", "name"],
        ),
        &want,
    );
    // A namespace filter keeps that namespace's RayClusters.
    let research = QuerySpec {
        namespace: Some("research".into()),
        ..spec("kuberay_cluster_provisioned_duration")
    };
    let only: BTreeMap<String, f64> = want
        .into_iter()
        .filter(|(k, _)| k.starts_with("research/"))
        .collect();
    assert_keyed(
        "kuberay_cluster_provisioned_duration in research",
        &keyed(&research, &["namespace", "name"]),
        &only,
    );
}

#[test]
fn spark_operator_applications() {
    let spark = &prometheus().expected["spark"];
    for (metric, field) in [
        ("spark_application_running", "running"),
        ("spark_application_submit_rate", "submitPerSecond"),
        ("spark_application_failure_rate", "failurePerSecond"),
        ("spark_application_success_rate", "successPerSecond"),
    ] {
        assert_keyed(
            metric,
            &keyed(&spec(metric), &["job"]),
            &flatten1(spark, |r| num(&r[field])),
        );
    }
    for (latency, field) in latency_quantiles("spark_application_start_latency") {
        assert_keyed(
            &format!("spark_application_start_latency {field}"),
            &keyed(&latency, &["job"]),
            &flatten1(spark, |r| num(&r["startLatency"][field])),
        );
    }
}

#[test]
fn waiting_reason_per_container() {
    let prom = prometheus();
    let promql = build_query(&spec("pod_waiting_reason")).unwrap();
    let r = prom.query_at(&promql, prom.anchor());
    let got: BTreeMap<String, String> = r
        .series
        .iter()
        .map(|s| {
            assert_eq!(
                s.values[0], 1.0,
                "one per container, however many replicas report it"
            );
            (
                format!(
                    "{}/{}/{}",
                    s.label("namespace").unwrap(),
                    s.label("pod").unwrap(),
                    s.label("container").unwrap()
                ),
                s.label("reason").unwrap().to_owned(),
            )
        })
        .collect();
    let want: BTreeMap<String, String> = prom.expected["waitingReason"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    // The model's containers all run, so this is empty: no other reason series leaks in.
    assert_eq!(got, want, "{promql}");
}

#[test]
fn kueue_reservations_evictions_and_active() {
    let kueue = &prometheus().expected["kueue"];
    assert_keyed(
        "kueue_quota_reserved_workloads_rate",
        &keyed(
            &spec("kueue_quota_reserved_workloads_rate"),
            &["cluster_queue"],
        ),
        &flatten1(&kueue["quotaReservedPerSecond"], num),
    );
    assert_keyed(
        "kueue_evicted_workloads_rate",
        &keyed(
            &spec("kueue_evicted_workloads_rate"),
            &["cluster_queue", "reason"],
        ),
        &flatten2(&kueue["evictedPerSecond"], num),
    );
    // The follower's stale gauge must not count.
    assert_keyed(
        "kueue_admitted_active_workloads",
        &keyed(&spec("kueue_admitted_active_workloads"), &["cluster_queue"]),
        &flatten1(&kueue["admittedActive"], num),
    );
}

#[test]
fn prometheus_errors_keep_their_kind() {
    let prom = prometheus();
    let body = prom.get("/api/v1/query?query=sum(");
    let err = kubeprom::response::parse_query_response(&body, 1 << 20).unwrap_err();
    assert_eq!(err.kind(), "bad_data");
}

#[test]
fn kueue_unadmitted_pending_resources_and_wait_stages() {
    let kueue = &prometheus().expected["kueue"];
    // The follower's stale gauges must not count; a reserved workload has no underlying cause.
    assert_keyed(
        "kueue_unadmitted_workloads",
        &keyed_lenient(
            &spec("kueue_unadmitted_workloads"),
            &["cluster_queue", "reason", "underlying_cause"],
        ),
        &flatten2(&kueue["unadmitted"], num),
    );
    let mut per_local_queue = BTreeMap::new();
    for (lq, q) in kueue["localQueues"].as_object().unwrap() {
        for (cause, n) in q["unadmitted"].as_object().unwrap() {
            let cq = q["clusterQueue"].as_str().unwrap();
            per_local_queue.insert(format!("{lq}/{cq}/{cause}"), num(n));
        }
    }
    assert_keyed(
        "kueue_local_queue_unadmitted_workloads",
        &keyed_lenient(
            &spec("kueue_local_queue_unadmitted_workloads"),
            &[
                "exported_namespace",
                "name",
                "cluster_queue",
                "reason",
                "underlying_cause",
            ],
        ),
        &per_local_queue,
    );

    let resources = &kueue["pendingResources"];
    assert_keyed(
        "kueue_pending_resources",
        &keyed(
            &spec("kueue_pending_resources"),
            &["cluster_queue", "resource"],
        ),
        &flatten2(resources, num),
    );
    for (metric, resource) in [
        ("kueue_pending_cpu", "cpu"),
        ("kueue_pending_memory", "memory"),
    ] {
        assert_keyed(
            metric,
            &keyed(&spec(metric), &["cluster_queue"]),
            &flatten1(resources, |r| num(&r[resource])),
        );
    }

    for (q, quantile) in [(0.5, "p50"), (0.95, "p95")] {
        assert_keyed(
            &format!("kueue eviction latency {quantile}"),
            &keyed(
                &QuerySpec {
                    quantile: Some(q),
                    window: Some("5m".into()),
                    ..spec("kueue_workload_eviction_latency")
                },
                &["cluster_queue", "reason"],
            ),
            &flatten2(&kueue["evictionLatency"], |r| num(&r[quantile])),
        );
    }
    for (stage, field) in [
        ("quota_reserved_wait_time", "quotaReservedWait"),
        ("admission_checks_wait_time", "admissionChecksWait"),
        ("ready_wait_time", "readyWait"),
        ("admitted_until_ready_wait_time", "admittedUntilReadyWait"),
    ] {
        for (q, quantile) in [(0.5, "p50"), (0.95, "p95")] {
            let at = |metric: String| QuerySpec {
                quantile: Some(q),
                window: Some("5m".into()),
                ..spec(&metric)
            };
            assert_keyed(
                &format!("kueue {stage} {quantile}"),
                &keyed(&at(format!("kueue_{stage}")), &["cluster_queue"]),
                &flatten1(&kueue["stageWait"], |r| num(&r[field][quantile])),
            );
            assert_keyed(
                &format!("kueue local queue {stage} {quantile}"),
                &keyed(
                    &at(format!("kueue_local_queue_{stage}")),
                    &["exported_namespace", "name"],
                ),
                &flatten1(&kueue["localQueues"], |r| {
                    num(&r["stageWait"][field][quantile])
                }),
            );
        }
    }
}
