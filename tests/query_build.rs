//! Every query buildQuery can produce parses with promql-parser, and every user value comes back
//! out of the parsed query exactly as given, for arbitrary strings.
#![cfg(not(target_arch = "wasm32"))]

use promql_parser::parser::{self, Expr};
use promql_parser::util::{walk_expr, ExprVisitor};
use proptest::prelude::*;

#[path = "common/specs.rs"]
mod specs;
use specs::every_spec;

use kubeprom::query::{
    build_query, ProfileSpec, QuerySpec, VariableMode, WorkloadKind, WorkloadRef, CATALOG,
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
                by: Some(vec!["ok".into(), "not ok".into()]),
                ..Default::default()
            },
            "by[1]",
        ),
        (
            QuerySpec {
                metric: "pod_cpu_usage".into(),
                selector: [("a-b".to_string(), "x".to_string())].into(),
                ..Default::default()
            },
            "selector.a-b",
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
}
