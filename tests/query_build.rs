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
    build_query, selector, CustomProfile, ProfileSpec, QuerySpec, VariableMode, WorkloadKind,
    WorkloadRef, CATALOG,
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
}
