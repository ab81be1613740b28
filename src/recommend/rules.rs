//! Right-sizing as Prometheus rules, for every workload's containers at once: recording rules
//! for the recommendation, the current requests and the history's length, and alerts for
//! requests outside the tolerance. The same method and defaults as [`plan`](super::plan) and
//! [`recommend`](super::recommend), with two simplifications a rule cannot avoid: the
//! recommendation is compared unrounded, and an OOM kill does not raise the memory floor (the
//! pod alerts report OOM kills on their own).

use serde::Serialize;

use super::compute::{Status, CPU_MARGIN, MEMORY_MARGIN};
use super::spec::{RulesSpec, Settings};
use crate::query::{
    build_query, pod_workloads, OwnerScope, QueryError, QuerySpec, WORKLOAD_LABELS,
};

/// A recording rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordingRule {
    /// The recorded series' name.
    pub record: &'static str,
    /// Its PromQL.
    pub expr: String,
}

/// An alerting rule's condition; its texts, `for` and labels are the rule file's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertCondition {
    /// The alert's name.
    pub alert: &'static str,
    /// `cpu` or `memory`.
    pub resource: &'static str,
    /// What a firing alert says of the request.
    pub status: Status,
    /// Its PromQL, over the recorded series; the value is how far the request is from the
    /// recommendation (positive: the excess, or the shortfall, the whole recommendation for a
    /// container without a request).
    pub expr: String,
}

/// The right-sizing rules: one group, evaluated every `interval`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RightSizingRules {
    /// How often the group should run: the history's subqueries read `window` of samples, so
    /// once an hour is plenty for a recommendation over days.
    pub interval: &'static str,
    /// Labels of every recorded series and alert.
    pub labels: Vec<String>,
    /// Recording rules, in dependency order.
    pub records: Vec<RecordingRule>,
    /// Alert conditions.
    pub alerts: Vec<AlertCondition>,
}

/// The recorded series' names.
pub mod names {
    /// CPU request recommended: the usage percentile, at least the minimum (cores).
    pub const CPU_RECOMMENDED: &str =
        "namespace_workload_container:kubeprom_cpu_request_recommended:cores";
    /// Memory request (and limit) recommended: the peak plus the buffer, at least the minimum.
    pub const MEMORY_RECOMMENDED: &str =
        "namespace_workload_container:kubeprom_memory_request_recommended:bytes";
    /// Seconds of the history with CPU usage.
    pub const HISTORY: &str = "namespace_workload_container:kubeprom_usage_history:seconds";
    /// Current CPU request, the largest of the workload's pods (cores).
    pub const CPU_REQUEST: &str = "namespace_workload_container:kubeprom_cpu_request:cores";
    /// Current memory request, the largest of the workload's pods (bytes).
    pub const MEMORY_REQUEST: &str = "namespace_workload_container:kubeprom_memory_request:bytes";
}

/// The right-sizing rules for `spec`.
pub fn right_sizing_rules(spec: &RulesSpec) -> Result<RightSizingRules, QueryError> {
    let s = Settings::tuned(spec, None)?;
    let profile = crate::query::Profile::resolve(spec.profile.as_ref())?;
    let owners = pod_workloads(&profile, &OwnerScope::default());
    // The cluster label as QuerySpec takes it (raw) and as PromQL writes it (quoted if need be).
    let scope_names: Vec<String> = profile
        .cluster_label
        .iter()
        .map(|l| l.as_str().to_owned())
        .collect();
    let scope: Vec<String> = profile
        .cluster_label
        .iter()
        .map(|l| l.to_string())
        .collect();
    let pod_on = scope
        .iter()
        .cloned()
        .chain(["namespace".into(), "pod".into()])
        .collect::<Vec<_>>()
        .join(", ");
    let labels: Vec<String> = scope
        .iter()
        .cloned()
        .chain(["namespace".into()])
        .chain(WORKLOAD_LABELS.iter().map(|l| (*l).to_owned()))
        .chain(["container".into()])
        .collect();
    let by = labels.join(", ");
    // Per container of each pod, as the catalog counts it; then the busiest pod of the
    // workload per container.
    let per_workload = |metric: &str, window: Option<String>| -> Result<String, QueryError> {
        let per_pod = build_query(&QuerySpec {
            metric: metric.into(),
            window,
            by: Some(
                scope_names
                    .iter()
                    .cloned()
                    .chain(["namespace".into(), "pod".into(), "container".into()])
                    .collect(),
            ),
            profile: spec.profile.clone(),
            ..QuerySpec::default()
        })?;
        Ok(format!(
            "max by ({by}) ({per_pod} * on ({pod_on}) group_left ({workload}) {owners})",
            workload = WORKLOAD_LABELS.join(", "),
        ))
    };
    let history = format!("[{}:{}]", s.window, s.step);
    let cpu = per_workload("pod_cpu_usage", Some(s.rate_window.to_string()))?;
    let memory = per_workload("pod_memory_working_set", None)?;
    let number = crate::query::format_float;
    let records = vec![
        RecordingRule {
            record: names::CPU_RECOMMENDED,
            expr: format!(
                "clamp_min(quantile_over_time({}, ({cpu}){history}), {})",
                number(s.cpu_percentile),
                number(s.min_cpu)
            ),
        },
        RecordingRule {
            record: names::MEMORY_RECOMMENDED,
            expr: format!(
                "clamp_min(max_over_time(({memory}){history}) * {}, {})",
                number(1.0 + s.memory_buffer),
                number(s.min_memory)
            ),
        },
        RecordingRule {
            record: names::HISTORY,
            expr: format!(
                "count_over_time(({cpu}){history}) * {}",
                number(s.step.as_secs_f64())
            ),
        },
        RecordingRule {
            record: names::CPU_REQUEST,
            expr: per_workload("pod_cpu_requests", None)?,
        },
        RecordingRule {
            record: names::MEMORY_REQUEST,
            expr: per_workload("pod_memory_requests", None)?,
        },
    ];
    let enough = format!(
        "{} >= {}",
        names::HISTORY,
        number(s.min_history.as_secs_f64())
    );
    let tolerance = number(s.tolerance);
    // As the recommendation judges a request: fine within the larger of the tolerance and the
    // margin; a container without a request is under-provisioned.
    let over = |request: &str, recommended: &str, margin: f64| {
        format!(
            "({request} - {recommended} > clamp_min({recommended} * {tolerance}, {margin})) and on ({by}) {enough}",
            margin = number(margin),
        )
    };
    let under = |request: &str, recommended: &str, margin: f64| {
        format!(
            "({recommended} - {request} > clamp_min({recommended} * {tolerance}, {margin}) or {recommended} unless on ({by}) {request}) and on ({by}) {enough}",
            margin = number(margin),
        )
    };
    let alerts = vec![
        AlertCondition {
            alert: "KubepromCPURequestOverProvisioned",
            resource: "cpu",
            status: Status::OverProvisioned,
            expr: over(names::CPU_REQUEST, names::CPU_RECOMMENDED, CPU_MARGIN),
        },
        AlertCondition {
            alert: "KubepromCPURequestUnderProvisioned",
            resource: "cpu",
            status: Status::UnderProvisioned,
            expr: under(names::CPU_REQUEST, names::CPU_RECOMMENDED, CPU_MARGIN),
        },
        AlertCondition {
            alert: "KubepromMemoryRequestOverProvisioned",
            resource: "memory",
            status: Status::OverProvisioned,
            expr: over(
                names::MEMORY_REQUEST,
                names::MEMORY_RECOMMENDED,
                MEMORY_MARGIN,
            ),
        },
        AlertCondition {
            alert: "KubepromMemoryRequestUnderProvisioned",
            resource: "memory",
            status: Status::UnderProvisioned,
            expr: under(
                names::MEMORY_REQUEST,
                names::MEMORY_RECOMMENDED,
                MEMORY_MARGIN,
            ),
        },
    ];
    Ok(RightSizingRules {
        interval: "1h",
        labels,
        records,
        alerts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "lint")]
    #[test]
    fn every_rule_parses_as_promql() {
        let rules = right_sizing_rules(&RulesSpec::default()).unwrap();
        let exprs = rules.records.iter().map(|r| &r.expr);
        for expr in exprs.chain(rules.alerts.iter().map(|a| &a.expr)) {
            promql_parser::parser::parse(expr).unwrap_or_else(|e| panic!("{e}: {expr}"));
        }
    }

    #[test]
    fn the_settings_are_the_recommendations_defaults_and_reach_the_rules() {
        let rules = right_sizing_rules(&RulesSpec::default()).unwrap();
        let cpu = &rules.records[0].expr;
        assert!(
            cpu.starts_with("clamp_min(quantile_over_time(0.95, ("),
            "{cpu}"
        );
        assert!(cpu.ends_with(")[2w:5m]), 0.01)"), "{cpu}");
        let memory = &rules.records[1].expr;
        assert!(memory.ends_with(")[2w:5m]) * 1.15, 104857600)"), "{memory}");
        assert!(rules.alerts[0].expr.contains(">= 86400"));
        assert!(rules.alerts[0].expr.contains("* 0.2, 0.02)"));
        assert_eq!(
            rules.labels,
            ["namespace", "workload", "workload_kind", "container"]
        );

        let tuned = right_sizing_rules(&RulesSpec {
            window: Some("7d".into()),
            cpu_percentile: Some(0.9),
            memory_buffer: Some(0.3),
            tolerance: Some(0.5),
            ..RulesSpec::default()
        })
        .unwrap();
        assert!(tuned.records[0].expr.contains("quantile_over_time(0.9, ("));
        assert!(tuned.records[0].expr.contains(")[1w:5m])"));
        assert!(tuned.records[1].expr.contains(" * 1.3, "));
        assert!(tuned.alerts[2].expr.contains("* 0.5, 16777216)"));
    }

    #[test]
    fn bad_settings_name_the_field() {
        let err = right_sizing_rules(&RulesSpec {
            cpu_percentile: Some(1.5),
            ..RulesSpec::default()
        })
        .unwrap_err();
        assert!(err.to_string().starts_with("cpuPercentile:"), "{err}");
        let err = right_sizing_rules(&RulesSpec {
            min_history: Some("30d".into()),
            ..RulesSpec::default()
        })
        .unwrap_err();
        assert!(err.to_string().starts_with("minHistory:"), "{err}");
    }

    #[test]
    fn a_cluster_label_keeps_clusters_apart() {
        let rules = right_sizing_rules(&RulesSpec {
            profile: Some(crate::query::ProfileSpec::Named("multi-cluster".into())),
            ..RulesSpec::default()
        })
        .unwrap();
        assert_eq!(rules.labels[0], "cluster");
        assert!(rules.records[3]
            .expr
            .contains("on (cluster, namespace, pod)"));
    }
}
