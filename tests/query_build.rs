//! Every query buildQuery can produce parses with promql-parser, and every user value comes back
//! out of the parsed query exactly as given, for arbitrary strings.
#![cfg(not(target_arch = "wasm32"))]

use promql_parser::parser::{self, Expr, LabelModifier, VectorSelector};
use promql_parser::util::{walk_expr, ExprVisitor};
use proptest::prelude::*;

#[path = "common/specs.rs"]
mod specs;
use specs::every_spec;

use kubeprom::query::{
    build_query, selector, CustomKind, CustomMetric, CustomProfile, CustomScope, ProfileSpec,
    QuerySpec, Unit, VariableMode, WorkloadKind, WorkloadRef, CATALOG,
};

/// Every (label, op, value) matcher of every vector selector in `promql`.
fn matchers(promql: &str) -> Vec<(String, String, String)> {
    struct Collect(Vec<(String, String, String)>);
    impl ExprVisitor for Collect {
        type Error = ();
        fn pre_visit(&mut self, expr: &Expr) -> Result<bool, ()> {
            let selector = match expr {
                Expr::VectorSelector(vs) => Some(vs),
                Expr::MatrixSelector(ms) => Some(&ms.vs),
                _ => None,
            };
            if let Some(vs) = selector {
                for m in &vs.matchers.matchers {
                    self.0
                        .push((m.name.clone(), m.op.to_string(), m.value.clone()));
                }
            }
            Ok(true)
        }
    }
    let expr = parser::parse(promql).unwrap_or_else(|e| panic!("does not parse: {e}\n{promql}"));
    let mut collect = Collect(Vec::new());
    walk_expr(&mut collect, &expr).unwrap();
    collect.0
}

/// A selector's metric name, written bare before the braces or quoted inside them.
fn metric_name(vs: &VectorSelector) -> Option<String> {
    vs.name.clone().or_else(|| {
        vs.matchers
            .matchers
            .iter()
            .find(|m| m.name == "__name__" && m.op.to_string() == "=")
            .map(|m| m.value.clone())
    })
}

/// Every label of every `by (...)` and `on (...)` clause in `promql`, and every selector's metric
/// name.
fn grouping_and_names(promql: &str) -> (Vec<String>, Vec<String>) {
    #[derive(Default)]
    struct Collect(Vec<String>, Vec<String>);
    impl ExprVisitor for Collect {
        type Error = ();
        fn pre_visit(&mut self, expr: &Expr) -> Result<bool, ()> {
            match expr {
                Expr::Aggregate(agg) => {
                    if let Some(LabelModifier::Include(labels)) = &agg.modifier {
                        self.0.extend(labels.labels.iter().cloned());
                    }
                }
                Expr::Binary(binary) => {
                    if let Some(LabelModifier::Include(labels)) =
                        binary.modifier.as_ref().and_then(|m| m.matching.as_ref())
                    {
                        self.0.extend(labels.labels.iter().cloned());
                    }
                }
                Expr::VectorSelector(vs) => self.1.extend(metric_name(vs)),
                Expr::MatrixSelector(ms) => self.1.extend(metric_name(&ms.vs)),
                _ => {}
            }
            Ok(true)
        }
    }
    let expr = parser::parse(promql).unwrap_or_else(|e| panic!("does not parse: {e}\n{promql}"));
    let mut collect = Collect::default();
    walk_expr(&mut collect, &expr).unwrap();
    (collect.0, collect.1)
}

fn full_spec(metric: &str, value: &str) -> QuerySpec {
    let def = kubeprom::query::find(metric).unwrap();
    let filters = def.filters();
    let has = |f: &str| filters.contains(&f);
    QuerySpec {
        metric: metric.into(),
        namespace: Some(value.into()),
        pod: Some(value.into()),
        container: has("container").then(|| value.into()),
        node: has("node").then(|| value.into()),
        workload: has("workload").then(|| WorkloadRef {
            kind: WorkloadKind::Deployment,
            name: value.into(),
        }),
        selector: [("app".to_string(), value.to_string())].into(),
        ..Default::default()
    }
}

#[test]
fn every_metric_profile_and_filter_combination_parses() {
    for spec in every_spec() {
        let promql = build_query(&spec).unwrap();
        let found = matchers(&promql);
        assert!(
            found.contains(&("namespace".into(), "=".into(), "ns".into())),
            "{promql}"
        );
        if spec.cluster.is_some() {
            assert!(
                found.contains(&("cluster".into(), "=".into(), "c1".into())),
                "{promql}"
            );
        }
    }
}

/// A custom metric named like a PromQL keyword or number (`on`, `NaN`) is selected by
/// `__name__`, which both Prometheus 2 and 3 read; any other classic name stays bare.
#[test]
fn metric_names_that_are_keywords_are_matched_by_name() {
    for name in [
        "on",
        "ON",
        "bool",
        "group_left",
        "atan2",
        "inf",
        "NaN",
        "smoothed",
        "sum",
        "offset",
    ] {
        let promql = build_query(&QuerySpec {
            metric: kubeprom::query::MetricRef::Custom(custom_metric(
                name,
                CustomKind::Rate,
                CustomScope::Container,
            )),
            namespace: Some("ns".into()),
            ..Default::default()
        })
        .unwrap();
        let found = matchers(&promql);
        assert!(
            found.contains(&("__name__".into(), "=".into(), name.into())),
            "{name}: {promql}"
        );
    }
    let plain = build_query(&QuerySpec {
        metric: kubeprom::query::MetricRef::Custom(custom_metric(
            "online_users",
            CustomKind::Rate,
            CustomScope::Container,
        )),
        ..Default::default()
    })
    .unwrap();
    assert!(plain.contains("rate(online_users{"), "{plain}");
}

/// With a profile that says a source's histograms are native, every quantile of that source
/// reads the histogram series itself (no `_bucket`, no `le`) and the others stay classic; both
/// parse, keep the grouping asked for and lint clean.
#[test]
fn quantiles_over_native_histograms_where_the_profile_says_so() {
    let profile: CustomProfile = serde_json::from_value(serde_json::json!({
        "kubeStateMetrics": { "job": "kube-state-metrics" },
        "nativeHistograms": ["kueue"],
    }))
    .unwrap();
    let mut native = 0;
    for def in CATALOG.iter().filter(|d| d.uses_quantile()) {
        let spec = QuerySpec {
            metric: def.id.into(),
            profile: Some(ProfileSpec::Custom(profile.clone())),
            ..Default::default()
        };
        let promql = build_query(&spec).unwrap();
        let (grouping, names) = grouping_and_names(&promql);
        let kueue = serde_json::to_value(def.source).unwrap() == "kueue";
        if kueue {
            native += 1;
            assert!(names.iter().all(|n| !n.ends_with("_bucket")), "{promql}");
            assert!(!grouping.contains(&"le".to_string()), "{promql}");
            assert!(
                promql.starts_with("histogram_quantile(0.95, sum by ("),
                "{promql}"
            );
        } else {
            assert!(names.iter().all(|n| n.ends_with("_bucket")), "{promql}");
            assert!(grouping.contains(&"le".to_string()), "{promql}");
        }
        for label in def.default_by {
            assert!(grouping.contains(&label.to_string()), "{promql}");
        }
        #[cfg(feature = "lint")]
        {
            let findings = kubeprom::lint::lint_query(&promql, &Default::default());
            assert!(findings.is_empty(), "{promql}: {findings:?}");
        }
    }
    assert!(native >= 10, "the Kueue wait-time quantiles: {native}");
    let admission = build_query(&QuerySpec {
        metric: "kueue_admission_wait_time".into(),
        profile: Some(ProfileSpec::Custom(profile)),
        ..Default::default()
    })
    .unwrap();
    assert!(
        admission.contains("rate(kueue_admission_wait_time_seconds{"),
        "{admission}"
    );
    // A source kubeprom does not know is refused by name.
    let err = serde_json::from_value::<CustomProfile>(serde_json::json!({
        "nativeHistograms": ["istio"],
    }))
    .unwrap_err();
    assert!(err.to_string().contains("istio"), "{err}");
}

#[test]
fn cadvisor_container_queries_exclude_pod_level_and_pause() {
    for def in CATALOG.iter().filter(|d| {
        d.accepts_container()
            && d.id.starts_with("pod_")
            && d.source == kubeprom::query::Source::Cadvisor
    }) {
        let found = matchers(
            &build_query(&QuerySpec {
                metric: def.id.into(),
                ..Default::default()
            })
            .unwrap(),
        );
        for metric_matchers in [("container", "!=", ""), ("container", "!=", "POD")] {
            let m = (
                metric_matchers.0.to_string(),
                metric_matchers.1.to_string(),
                metric_matchers.2.to_string(),
            );
            assert!(found.contains(&m), "{}: {found:?}", def.id);
        }
    }
}

#[test]
fn bad_input_names_the_field() {
    let cases: Vec<(QuerySpec, &str)> = vec![
        (
            QuerySpec {
                metric: "nope".into(),
                ..Default::default()
            },
            "metric",
        ),
        (
            QuerySpec {
                metric: "pod_cpu_usage".into(),
                window: Some("5".into()),
                ..Default::default()
            },
            "window",
        ),
        (
            QuerySpec {
                metric: "kueue_admission_wait_time".into(),
                quantile: Some(1.5),
                ..Default::default()
            },
            "quantile",
        ),
        (
            QuerySpec {
                metric: "pod_cpu_usage".into(),
                by: Some(vec!["ok".into(), "".into()]),
                ..Default::default()
            },
            "by[1]",
        ),
        (
            QuerySpec {
                metric: "pod_cpu_usage".into(),
                selector: [(String::new(), "x".to_string())].into(),
                ..Default::default()
            },
            "selector.",
        ),
        (
            QuerySpec {
                metric: "pod_cpu_usage".into(),
                profile: Some(ProfileSpec::Named("nope".into())),
                ..Default::default()
            },
            "profile",
        ),
        (
            QuerySpec {
                metric: "pod_cpu_usage".into(),
                cluster: Some("c".into()),
                ..Default::default()
            },
            "cluster",
        ),
        (
            QuerySpec {
                metric: "pod_network_receive".into(),
                container: Some("c".into()),
                ..Default::default()
            },
            "container",
        ),
        (
            QuerySpec {
                metric: "scrape_up".into(),
                node: Some("n".into()),
                ..Default::default()
            },
            "node",
        ),
    ];
    for (spec, field) in cases {
        let err = build_query(&spec).unwrap_err();
        assert_eq!(err.kind(), "invalid_argument");
        assert!(err.to_string().starts_with(&format!("{field}:")), "{err}");
    }
}

fn custom_metric(series: &str, kind: CustomKind, scope: CustomScope) -> CustomMetric {
    CustomMetric {
        series: series.into(),
        unit: Unit::Count,
        kind,
        scope,
        matchers: [("job".to_string(), "orders".to_string())].into(),
    }
}

#[test]
fn custom_metrics_are_built_like_the_catalog() {
    let spec = |def: CustomMetric| QuerySpec {
        metric: def.into(),
        namespace: Some("shop".into()),
        ..Default::default()
    };
    let gauge = build_query(&spec(custom_metric(
        "orders_queue_depth",
        CustomKind::Gauge,
        CustomScope::Pod,
    )))
    .unwrap();
    assert_eq!(
        gauge,
        r#"sum by (namespace, pod) (max without (instance, job, service, endpoint, replica, prometheus_replica, prometheus, __replica__) (orders_queue_depth{job="orders", namespace="shop"}))"#
    );
    let rate = build_query(&QuerySpec {
        window: Some("2m".into()),
        container: Some("app".into()),
        by: Some(vec!["namespace".into(), "pod".into(), "job".into()]),
        ..spec(custom_metric(
            "orders_processed_total",
            CustomKind::Rate,
            CustomScope::Container,
        ))
    })
    .unwrap();
    // A label the caller groups by is kept, though it names the scrape.
    assert_eq!(
        rate,
        r#"sum by (namespace, pod, job) (max without (instance, service, endpoint, replica, prometheus_replica, prometheus, __replica__) (rate(orders_processed_total{job="orders", namespace="shop", container="app", container!="", container!="POD"}[2m])))"#
    );
    let increase = build_query(&QuerySpec {
        workload: Some(WorkloadRef {
            kind: WorkloadKind::StatefulSet,
            name: "db".into(),
        }),
        ..spec(custom_metric(
            "k8s.app.jobs",
            CustomKind::Increase,
            CustomScope::Pod,
        ))
    })
    .unwrap();
    assert!(
        increase.starts_with(r#"sum by (namespace, pod) (max without (instance, job, service, endpoint, replica, prometheus_replica, prometheus, __replica__) (increase({"k8s.app.jobs", job="orders", namespace="shop"}[5m])) and on (namespace, pod) (kube_pod_owner{"#),
        "{increase}"
    );
    matchers(&increase);
}

#[test]
fn bad_custom_metrics_are_typed_errors_naming_the_field() {
    let field = |spec: QuerySpec| build_query(&spec).unwrap_err().to_string();
    let pod = custom_metric("orders_queue_depth", CustomKind::Gauge, CustomScope::Pod);
    let empty = CustomMetric {
        series: String::new(),
        ..pod.clone()
    };
    assert!(field(QuerySpec {
        metric: empty.into(),
        ..Default::default()
    })
    .starts_with("metric.series:"));
    let mut unnamed = pod.clone();
    unnamed.matchers.insert(String::new(), "x".into());
    assert!(field(QuerySpec {
        metric: unnamed.into(),
        ..Default::default()
    })
    .starts_with("metric.matchers.:"));
    assert!(field(QuerySpec {
        metric: pod.into(),
        container: Some("app".into()),
        ..Default::default()
    })
    .starts_with("container: orders_queue_depth is not measured per container"));
    // From JSON, as the wasm boundary reads it: the definition's own field names in its errors.
    let read = |json: &str| {
        serde_json::from_str::<QuerySpec>(json)
            .map(|_| ())
            .unwrap_err()
            .to_string()
    };
    assert!(read(
        r#"{"metric": {"series": "x", "unit": "count", "kind": "gauge", "scop": "pod"}}"#
    )
    .contains("unknown field `scop`"));
    assert!(
        read(r#"{"metric": {"series": "x", "unit": "count", "kind": "histogram"}}"#)
            .contains("unknown variant `histogram`")
    );
    assert!(
        read(r#"{"metric": {"series": "x", "unit": "parsecs", "kind": "gauge"}}"#)
            .contains("unknown variant `parsecs`")
    );
    assert!(read(r#"{"metric": {"unit": "count", "kind": "gauge"}}"#)
        .contains("missing field `series`"));
    assert!(read(r#"{"metric": 7}"#).contains("a catalog id or a custom metric"));
    let ok: QuerySpec = serde_json::from_str(
        r#"{"metric": {"series": "x", "unit": "bytes/s", "kind": "rate", "scope": "container", "matchers": {"job": "a"}}}"#,
    )
    .unwrap();
    assert!(build_query(&ok)
        .unwrap()
        .contains(r#"rate(x{job="a", container!="", container!="POD"}[5m])"#));
}

#[test]
fn grafana_variables_pass_through_only_when_asked() {
    let spec = |mode| QuerySpec {
        metric: "pod_memory_working_set".into(),
        namespace: Some("$namespace".into()),
        pod: Some("${pod:regex}".into()),
        variables: Some(mode),
        ..Default::default()
    };
    let literal = build_query(&spec(VariableMode::Off)).unwrap();
    assert!(literal.contains(r#"namespace="$namespace""#));
    let regex = build_query(&spec(VariableMode::Regex)).unwrap();
    assert!(
        regex.contains(r#"namespace=~"$namespace""#) && regex.contains(r#"pod=~"${pod:regex}""#),
        "{regex}"
    );
    let exact = build_query(&spec(VariableMode::Exact)).unwrap();
    assert!(exact.contains(r#"namespace="$namespace""#));
    let window = build_query(&QuerySpec {
        metric: "pod_cpu_usage".into(),
        window: Some("$__rate_interval".into()),
        variables: Some(VariableMode::Exact),
        ..Default::default()
    })
    .unwrap();
    assert!(window.contains("[$__rate_interval]"), "{window}");
    // Something that only looks like a variable stays a literal, escaped.
    let sneaky = build_query(&QuerySpec {
        namespace: Some("$ns\"} or up".into()),
        ..spec(VariableMode::Regex)
    })
    .unwrap();
    assert!(matchers(&sneaky).contains(&("namespace".into(), "=".into(), "$ns\"} or up".into())));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_string_is_matched_exactly_in_every_metric(value in prop_oneof![
        any::<String>(),
        "[\"\\\\}{\\n\\r\\t.*+?()|^$ #=~!,\\[\\]`'\u{0}-\u{1f}\u{7f}é漢🙂]{0,24}",
    ]) {
        for def in CATALOG {
            let promql = build_query(&full_spec(def.id, &value)).unwrap();
            let found = matchers(&promql);
            for field in ["namespace", "pod", "app"] {
                prop_assert!(found.iter().any(|(n, op, v)| n == field && op == "=" && v == &value), "{} {}: {:?}", def.id, field, promql);
            }
            // Nothing the user typed ever becomes a regex.
            prop_assert!(found.iter().all(|(_, op, v)| !(op.contains('~') && v == &value)));
        }
    }

    /// Prometheus 3 names (any UTF-8: `k8s.pod.name`, OpenTelemetry's) in a selector, in `by`
    /// and as the profile's cluster label come back out of the parsed query as given; classic
    /// names stay bare, so Prometheus 2 reads every query it could read before.
    #[test]
    fn any_label_name_reads_back_in_every_metric(name in prop_oneof![
        any::<String>(),
        "[a-zA-Z_.:\\-\"\\\\}{\n()= #~!,0-9é漢🙂\u{0}-\u{1f}]{1,16}",
    ].prop_filter("a name is not empty", |n| !n.is_empty())) {
        for def in CATALOG {
            let mut spec = full_spec(def.id, "v");
            spec.selector = [(name.clone(), "x".to_string())].into();
            spec.by = Some(vec![name.clone()]);
            spec.cluster = Some("c1".into());
            spec.profile = Some(ProfileSpec::Custom(CustomProfile {
                cluster_label: Some(name.clone()),
                ..Default::default()
            }));
            let promql = build_query(&spec).unwrap();
            let found = matchers(&promql);
            prop_assert!(found.contains(&(name.clone(), "=".into(), "x".into())), "{}: {}", def.id, promql);
            prop_assert!(found.contains(&(name.clone(), "=".into(), "c1".into())), "{}: {}", def.id, promql);
            let (grouping, _) = grouping_and_names(&promql);
            prop_assert!(grouping.contains(&name), "{}: {}", def.id, promql);
            let classic = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            // Written bare when classic; quoted otherwise (escapes aside, which the parse covers).
            let plain = !name.contains(['"', '\\']) && !name.chars().any(char::is_control);
            if classic {
                prop_assert!(promql.contains(&format!("by ({name}")), "{}", promql);
            } else if plain {
                prop_assert!(promql.contains(&format!("by (\"{name}\"")), "{}", promql);
            }
        }
    }

    /// A metric name of any UTF-8 reads back as the selector's name.
    #[test]
    fn any_metric_name_reads_back(name in prop_oneof![
        any::<String>(),
        "[a-zA-Z_.:\\-\"\\\\}{\n()= #0-9é🙂]{1,16}",
    ].prop_filter("a name is not empty", |n| !n.is_empty())) {
        let promql = selector(&name, &[]);
        let (_, names) = grouping_and_names(&promql);
        prop_assert_eq!(names, vec![name.clone()], "{}", promql);
        let ranged = format!("rate({}[5m])", selector(&name, &[]));
        prop_assert_eq!(grouping_and_names(&ranged).1, vec![name], "{}", ranged);
    }

    /// A custom metric's name and matcher values of any UTF-8 read back exactly.
    #[test]
    fn any_custom_metric_reads_back(series in "[a-zA-Z_.:\"\\\\}{\n #0-9é🙂]{1,12}", value in any::<String>()) {
        for scope in [CustomScope::Pod, CustomScope::Container] {
            let def = CustomMetric {
                series: series.clone(),
                unit: Unit::Count,
                kind: CustomKind::Rate,
                scope,
                matchers: [("app.name".to_string(), value.clone())].into(),
            };
            let promql = build_query(&QuerySpec {
                metric: def.into(),
                namespace: Some(value.clone()),
                ..Default::default()
            })
            .unwrap();
            let found = matchers(&promql);
            prop_assert!(found.contains(&("app.name".into(), "=".into(), value.clone())), "{}", promql);
            prop_assert!(found.contains(&("namespace".into(), "=".into(), value.clone())), "{}", promql);
            prop_assert_eq!(grouping_and_names(&promql).1, vec![series.clone()], "{}", promql);
        }
    }
}
