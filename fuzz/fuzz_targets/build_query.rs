//! `buildQuery` with arbitrary specs: never a panic, and every query it returns parses with
//! promql-parser with each user value back as an exact `=` matcher on its label, never a regex.
#![no_main]

use std::collections::BTreeMap;

use arbitrary::Arbitrary;
use kubeprom::query::{
    build_query, CustomKind, CustomMetric, CustomProfile, CustomScope, MatchValue, MetricRef,
    ProfileSpec, QuerySpec, Source, Unit, VariableMode, WorkloadKind, WorkloadRef, CATALOG,
    PROFILE_NAMES,
};
use kubeprom_fuzz::{matchers, substitute_range_variables};
use libfuzzer_sys::fuzz_target;

/// Mostly a catalog id, sometimes any text or a custom definition.
#[derive(Debug, Arbitrary)]
enum Metric {
    Known(u8),
    Any(String),
    Custom {
        series: String,
        kind: u8,
        per_container: bool,
        matchers: Vec<(Name, String)>,
    },
}

/// Mostly a known label name (classic or Prometheus 3's UTF-8), sometimes any text.
#[derive(Debug, Arbitrary)]
enum Name {
    Known(u8),
    Any(String),
}

const NAMES: &[&str] = &[
    "app",
    "namespace",
    "pod",
    "container",
    "le",
    "job",
    "_x",
    "cluster",
    "k8s.pod.name",
    "http.status",
];

impl Name {
    fn text(&self) -> String {
        match self {
            Name::Known(i) => NAMES[usize::from(*i) % NAMES.len()].to_owned(),
            Name::Any(text) => text.clone(),
        }
    }
}

#[derive(Debug, Arbitrary)]
enum Profile {
    Named(u8),
    Any(String),
    Custom {
        cadvisor: Vec<(Name, String)>,
        kube_state_metrics: Vec<(Name, String)>,
        cluster_label: Option<Name>,
        /// Which sources have native histograms, one bit each.
        native_histograms: u8,
    },
}

#[derive(Debug, Arbitrary)]
struct Spec {
    metric: Metric,
    namespace: Option<String>,
    pod: Option<String>,
    container: Option<String>,
    node: Option<String>,
    cluster: Option<String>,
    workload: Option<(u8, String)>,
    selector: Vec<(Name, String)>,
    window: Option<String>,
    by: Option<Vec<Name>>,
    quantile: Option<f64>,
    profile: Option<Profile>,
    variables: Option<u8>,
}

fn pairs(list: &[(Name, String)]) -> BTreeMap<String, String> {
    list.iter().map(|(n, v)| (n.text(), v.clone())).collect()
}

fn to_query_spec(s: &Spec) -> QuerySpec {
    QuerySpec {
        metric: match &s.metric {
            Metric::Known(i) => CATALOG[usize::from(*i) % CATALOG.len()].id.into(),
            Metric::Any(text) => text.clone().into(),
            Metric::Custom {
                series,
                kind,
                per_container,
                matchers,
            } => CustomMetric {
                series: series.clone(),
                unit: Unit::Count,
                kind: [CustomKind::Gauge, CustomKind::Rate, CustomKind::Increase]
                    [usize::from(*kind) % 3],
                scope: if *per_container {
                    CustomScope::Container
                } else {
                    CustomScope::Pod
                },
                matchers: pairs(matchers),
            }
            .into(),
        },
        namespace: s.namespace.clone(),
        pod: s.pod.clone(),
        container: s.container.clone(),
        node: s.node.clone(),
        cluster: s.cluster.clone(),
        workload: s.workload.as_ref().map(|(kind, name)| WorkloadRef {
            kind: WorkloadKind::ALL[usize::from(*kind) % WorkloadKind::ALL.len()],
            name: name.clone(),
        }),
        selector: pairs(&s.selector),
        window: s.window.clone(),
        by: s
            .by
            .as_ref()
            .map(|names| names.iter().map(Name::text).collect()),
        quantile: s.quantile,
        profile: s.profile.as_ref().map(|p| match p {
            Profile::Named(i) => {
                ProfileSpec::Named(PROFILE_NAMES[usize::from(*i) % PROFILE_NAMES.len()].into())
            }
            Profile::Any(text) => ProfileSpec::Named(text.clone()),
            Profile::Custom {
                cadvisor,
                kube_state_metrics,
                cluster_label,
                native_histograms,
            } => ProfileSpec::Custom(CustomProfile {
                cadvisor: pairs(cadvisor),
                kube_state_metrics: pairs(kube_state_metrics),
                cluster_label: cluster_label.as_ref().map(Name::text),
                native_histograms: [
                    Source::Kueue,
                    Source::ControllerRuntime,
                    Source::SparkOperator,
                ]
                .into_iter()
                .enumerate()
                .filter(|(bit, _)| native_histograms & (1 << bit) != 0)
                .map(|(_, source)| source)
                .collect(),
            }),
        }),
        variables: s.variables.map(|v| match v % 3 {
            0 => VariableMode::Off,
            1 => VariableMode::Exact,
            _ => VariableMode::Regex,
        }),
    }
}

fuzz_target!(|spec: Spec| {
    let spec = to_query_spec(&spec);
    let Ok(promql) = build_query(&spec) else {
        return;
    };
    let found = matchers(&substitute_range_variables(&promql))
        .unwrap_or_else(|e| panic!("built query does not parse: {e}\n{promql}\n{spec:?}"));
    let literal = |value: &str| {
        spec.variables.unwrap_or_default() == VariableMode::Off
            || MatchValue::grafana_variable(value).is_none()
    };
    let cluster_label = match &spec.profile {
        Some(ProfileSpec::Named(name)) if name == "multi-cluster" => Some("cluster".to_owned()),
        Some(ProfileSpec::Custom(custom)) => custom.cluster_label.clone(),
        _ => None,
    };
    let mut expected: Vec<(String, &str)> = Vec::new();
    for (label, value) in [
        ("namespace", &spec.namespace),
        ("pod", &spec.pod),
        ("container", &spec.container),
        ("node", &spec.node),
    ] {
        if let Some(value) = value {
            expected.push((label.to_owned(), value));
        }
    }
    if let (Some(label), Some(value)) = (&cluster_label, &spec.cluster) {
        expected.push((label.clone(), value));
    }
    if let Some(workload) = &spec.workload {
        expected.push(("owner_name".to_owned(), &workload.name));
    }
    for (label, value) in &spec.selector {
        expected.push((label.clone(), value));
    }
    if let MetricRef::Custom(custom) = &spec.metric {
        for (label, value) in &custom.matchers {
            expected.push((label.clone(), value));
        }
    }
    for (label, value) in expected {
        if literal(value) {
            assert!(
                found
                    .iter()
                    .any(|(n, op, v)| *n == label && op == "=" && v == value),
                "{label}={value:?} not matched exactly in\n{promql}"
            );
            assert!(
                !found
                    .iter()
                    .any(|(_, op, v)| op.contains('~') && v == value),
                "{value:?} became a regex in\n{promql}"
            );
        }
    }
});
