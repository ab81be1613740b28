//! Prometheus' current pod usage checked against metrics-server's (`metrics.k8s.io`, what
//! `kubectl top pod` shows): where the two disagree beyond a tolerance, the likely cause, so a
//! plugin never shows two different numbers without saying why.

use serde::{Deserialize, Serialize};

use crate::query::QueryError;
use crate::view::format_value;

/// One container's current usage from one source, in base units.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContainerUsage {
    /// The container's name (`""` for a series without one, as the pod-level cgroup's).
    pub container: String,
    /// CPU in cores; NaN or absent when the source has no value.
    #[serde(default = "no_value")]
    pub cpu: f64,
    /// Memory (working set) in bytes; NaN or absent when the source has no value.
    #[serde(default = "no_value")]
    pub memory: f64,
}

fn no_value() -> f64 {
    f64::NAN
}

/// How far apart the two sources may be and still agree: a difference within the relative
/// share of metrics-server's value, or within the absolute margin, whichever is larger.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Tolerance {
    /// Share of metrics-server's value (0.1: 10%).
    pub relative: f64,
    /// CPU margin in cores (0.02: 20m), for small values whose share is noise.
    pub cpu_cores: f64,
    /// Memory margin in bytes (16 MiB).
    pub memory_bytes: f64,
}

impl Tolerance {
    /// Refuses a share or margin that is negative or not a number, naming it.
    pub fn check(&self) -> Result<(), QueryError> {
        for (field, value) in [
            ("tolerance.relative", self.relative),
            ("tolerance.cpuCores", self.cpu_cores),
            ("tolerance.memoryBytes", self.memory_bytes),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(QueryError::invalid(
                    field,
                    format!("{value} is not a non-negative number"),
                ));
            }
        }
        Ok(())
    }
}

impl Default for Tolerance {
    fn default() -> Self {
        Self {
            relative: 0.1,
            cpu_cores: 0.02,
            memory_bytes: 16.0 * 1024.0 * 1024.0,
        }
    }
}

/// The resource a comparison is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Resource {
    /// CPU, in cores.
    Cpu,
    /// Memory working set, in bytes.
    Memory,
}

/// One resource of the pod from both sources.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    /// Which resource.
    pub resource: Resource,
    /// The pod's sum from Prometheus (NaN: no value).
    pub prometheus: f64,
    /// The pod's sum from metrics-server (NaN: no value).
    pub metrics_server: f64,
    /// Prometheus minus metrics-server.
    pub difference: f64,
    /// Whether the difference is within the tolerance (false when either side has no value).
    pub agree: bool,
}

/// Why the two sources likely disagree.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Cause {
    /// Prometheus is about twice metrics-server: the same usage counted twice, as when the
    /// pod-level cgroup series is summed with the containers'.
    DoubleCount {
        /// The resource counted twice.
        resource: Resource,
    },
    /// Prometheus has series of containers metrics-server does not list (the pod-level cgroup
    /// `""`, the pause container `POD`): a query without the container filter.
    ContainersOnlyInPrometheus {
        /// Their names.
        containers: Vec<String>,
    },
    /// metrics-server lists containers Prometheus has no series of: not scraped yet, or
    /// dropped by the scrape configuration or the label profile.
    ContainersOnlyInMetricsServer {
        /// Their names.
        containers: Vec<String>,
    },
    /// Same containers, CPU apart only: the two average over different windows
    /// (metrics-server over its last scrapes, Prometheus over the rate window).
    Windows,
    /// Same containers, memory apart: Prometheus' last sample is old (a series stays in
    /// instant queries for five minutes after its last scrape) or the scrapes lag.
    StaleScrape,
}

impl Cause {
    /// The cause as a sentence a plugin shows.
    pub fn message(&self) -> String {
        let names = |containers: &[String]| {
            containers
                .iter()
                .map(|c| {
                    if c.is_empty() {
                        "\"\" (the pod-level cgroup)".to_owned()
                    } else {
                        c.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Self::DoubleCount { resource } => format!(
                "Prometheus shows about twice metrics-server's {}: the usage is counted twice, as when the pod-level cgroup series (no container label) or a second scrape of the same series is summed with the containers'. A query needs container!=\"\" and each scrape counted once.",
                resource_name(*resource)
            ),
            Self::ContainersOnlyInPrometheus { containers } => format!(
                "Prometheus has series of containers metrics-server does not list: {}. A query without container!=\"\" and container!=\"POD\" counts them.",
                names(containers)
            ),
            Self::ContainersOnlyInMetricsServer { containers } => format!(
                "Prometheus has no series of containers metrics-server lists: {}. They may not be scraped yet, or the scrape configuration or label profile drops them.",
                names(containers)
            ),
            Self::Windows => "CPU differs with the same containers on both sides: metrics-server averages over its last scrapes, Prometheus over the rate window, so a bursty pod reads differently.".to_owned(),
            Self::StaleScrape => "Memory differs with the same containers on both sides: Prometheus' last sample may be stale (a series stays in queries for five minutes after its last scrape) or its scrapes lag.".to_owned(),
        }
    }
}

fn resource_name(resource: Resource) -> &'static str {
    match resource {
        Resource::Cpu => "CPU",
        Resource::Memory => "memory",
    }
}

/// The cross-check of one pod.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageCheck {
    /// CPU, then memory.
    pub comparisons: [Comparison; 2],
    /// Whether both resources agree.
    pub agree: bool,
    /// Likely causes of a disagreement, most telling first; empty when both agree.
    pub causes: Vec<Cause>,
    /// Each cause as a sentence ([`Cause::message`]), in the same order.
    pub messages: Vec<String>,
    /// One line per disagreeing resource, with both numbers (`memory: Prometheus 500 MiB,
    /// metrics-server 250 MiB`), for the plugin to show before the causes.
    pub summary: Vec<String>,
}

/// Compares a pod's current usage from Prometheus with metrics-server's.
///
/// Each side's pod value is the sum of its containers, as `kubectl top pod` adds them. Causes
/// are looked for only when a resource disagrees: a factor near two, containers only one side
/// has, and for the same containers, the windows (CPU) or a stale scrape (memory).
pub fn check_usage(
    prometheus: &[ContainerUsage],
    metrics_server: &[ContainerUsage],
    tolerance: &Tolerance,
) -> UsageCheck {
    let compare = |resource: Resource| {
        let pick = |c: &ContainerUsage| match resource {
            Resource::Cpu => c.cpu,
            Resource::Memory => c.memory,
        };
        let sum = |side: &[ContainerUsage]| {
            let values: Vec<f64> = side.iter().map(pick).filter(|v| v.is_finite()).collect();
            if values.is_empty() {
                f64::NAN
            } else {
                values.iter().sum()
            }
        };
        let (p, m) = (sum(prometheus), sum(metrics_server));
        let margin = match resource {
            Resource::Cpu => tolerance.cpu_cores,
            Resource::Memory => tolerance.memory_bytes,
        };
        let difference = p - m;
        Comparison {
            resource,
            prometheus: p,
            metrics_server: m,
            difference,
            agree: difference.abs() <= (tolerance.relative * m.abs()).max(margin),
        }
    };
    let comparisons = [compare(Resource::Cpu), compare(Resource::Memory)];
    let agree = comparisons.iter().all(|c| c.agree);
    let mut causes = Vec::new();
    let mut summary = Vec::new();
    if !agree {
        // Each name once, in the order given: a few containers, so a scan beats a map or a sort.
        let names = |side: &[ContainerUsage]| -> Vec<String> {
            let mut names: Vec<String> = Vec::new();
            for c in side {
                if !names.contains(&c.container) {
                    names.push(c.container.clone());
                }
            }
            names
        };
        let (in_p, in_m) = (names(prometheus), names(metrics_server));
        let only = |a: &[String], b: &[String]| -> Vec<String> {
            a.iter().filter(|k| !b.contains(k)).cloned().collect()
        };
        let (only_p, only_m) = (only(&in_p, &in_m), only(&in_m, &in_p));
        for c in comparisons.iter().filter(|c| !c.agree) {
            let ratio = c.prometheus / c.metrics_server;
            if (1.8..=2.2).contains(&ratio) {
                causes.push(Cause::DoubleCount {
                    resource: c.resource,
                });
            }
        }
        if !only_p.is_empty() {
            causes.push(Cause::ContainersOnlyInPrometheus { containers: only_p });
        }
        if !only_m.is_empty() {
            causes.push(Cause::ContainersOnlyInMetricsServer { containers: only_m });
        }
        if causes.is_empty() {
            for c in comparisons
                .iter()
                .filter(|c| !c.agree && c.prometheus.is_finite() && c.metrics_server.is_finite())
            {
                causes.push(match c.resource {
                    Resource::Cpu => Cause::Windows,
                    Resource::Memory => Cause::StaleScrape,
                });
            }
        }
        for c in comparisons.iter().filter(|c| !c.agree) {
            let (unit, name) = match c.resource {
                Resource::Cpu => ("cores", "CPU"),
                Resource::Memory => ("bytes", "memory"),
            };
            summary.push(format!(
                "{name}: Prometheus {}, metrics-server {}",
                format_value(c.prometheus, unit),
                format_value(c.metrics_server, unit)
            ));
        }
    }
    let messages = causes.iter().map(Cause::message).collect();
    UsageCheck {
        comparisons,
        agree,
        causes,
        messages,
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: f64 = 1024.0 * 1024.0;

    fn usage(container: &str, cpu: f64, memory_mib: f64) -> ContainerUsage {
        ContainerUsage {
            container: container.to_owned(),
            cpu,
            memory: memory_mib * MIB,
        }
    }

    fn check(p: &[ContainerUsage], m: &[ContainerUsage]) -> UsageCheck {
        check_usage(p, m, &Tolerance::default())
    }

    #[test]
    fn the_same_pod_agrees_within_the_margins() {
        let m = [usage("app", 0.08, 200.0), usage("sidecar", 0.02, 50.0)];
        // 15m and 10 MiB apart: 15% of the CPU, but under the 20m and 16 MiB margins.
        let p = [usage("app", 0.095, 205.0), usage("sidecar", 0.02, 55.0)];
        let c = check(&p, &m);
        assert!(c.agree, "{c:?}");
        assert!(c.causes.is_empty() && c.summary.is_empty());
        assert_eq!(c.comparisons[1].metrics_server, 250.0 * MIB);
        assert_eq!(c.comparisons[1].difference, 10.0 * MIB);
    }

    #[test]
    fn a_bad_tolerance_is_named() {
        assert!(Tolerance::default().check().is_ok());
        let bad = Tolerance {
            cpu_cores: -1.0,
            ..Tolerance::default()
        };
        assert!(bad
            .check()
            .unwrap_err()
            .to_string()
            .starts_with("tolerance.cpuCores:"));
        let nan = Tolerance {
            relative: f64::NAN,
            ..Tolerance::default()
        };
        assert!(nan
            .check()
            .unwrap_err()
            .to_string()
            .starts_with("tolerance.relative:"));
    }

    #[test]
    fn twice_the_memory_is_a_double_count() {
        let m = [usage("app", 0.25, 200.0), usage("sidecar", 0.05, 50.0)];
        let p = [usage("app", 0.25, 400.0), usage("sidecar", 0.05, 100.0)];
        let c = check(&p, &m);
        assert!(!c.agree && c.comparisons[0].agree && !c.comparisons[1].agree);
        assert_eq!(
            c.causes,
            [Cause::DoubleCount {
                resource: Resource::Memory
            }]
        );
        assert_eq!(
            c.summary,
            ["memory: Prometheus 500 MiB, metrics-server 250 MiB"]
        );
        assert_eq!(c.messages, [c.causes[0].message()]);
        assert!(c.messages[0].contains("container!=\"\""));
    }

    #[test]
    fn containers_on_one_side_only_are_named() {
        let m = [usage("app", 0.25, 200.0)];
        let p = [
            usage("app", 0.25, 200.0),
            usage("", 0.25, 206.0),
            usage("POD", 0.0, 1.0),
        ];
        let c = check(&p, &m);
        assert_eq!(
            c.causes,
            [
                Cause::DoubleCount {
                    resource: Resource::Cpu
                },
                Cause::DoubleCount {
                    resource: Resource::Memory
                },
                Cause::ContainersOnlyInPrometheus {
                    containers: vec!["".into(), "POD".into()]
                }
            ]
        );
        assert!(c.causes[2]
            .message()
            .contains("\"\" (the pod-level cgroup), POD"));
        let missing = check(
            &[usage("app", 0.25, 200.0)],
            &[usage("app", 0.25, 200.0), usage("init-sidecar", 0.1, 100.0)],
        );
        assert_eq!(
            missing.causes,
            [Cause::ContainersOnlyInMetricsServer {
                containers: vec!["init-sidecar".into()]
            }]
        );
    }

    #[test]
    fn same_containers_apart_are_windows_for_cpu_and_staleness_for_memory() {
        let m = [usage("app", 0.5, 200.0)];
        assert_eq!(
            check(&[usage("app", 0.3, 200.0)], &m).causes,
            [Cause::Windows]
        );
        assert_eq!(
            check(&[usage("app", 0.5, 300.0)], &m).causes,
            [Cause::StaleScrape]
        );
    }

    #[test]
    fn no_value_on_a_side_is_a_disagreement_without_a_guess() {
        let c = check(&[], &[usage("app", 0.5, 200.0)]);
        assert!(!c.agree && c.comparisons[0].prometheus.is_nan());
        assert_eq!(
            c.causes,
            [Cause::ContainersOnlyInMetricsServer {
                containers: vec!["app".into()]
            }]
        );
        let nan = check(
            &[ContainerUsage {
                container: "app".into(),
                cpu: f64::NAN,
                memory: f64::NAN,
            }],
            &[ContainerUsage {
                container: "app".into(),
                cpu: f64::NAN,
                memory: f64::NAN,
            }],
        );
        assert!(!nan.agree && nan.causes.is_empty() && nan.messages.is_empty());
        assert_eq!(
            nan.summary,
            [
                "CPU: Prometheus —, metrics-server —",
                "memory: Prometheus —, metrics-server —"
            ]
        );
    }

    fn any_usage() -> impl proptest::strategy::Strategy<Value = Vec<ContainerUsage>> {
        use proptest::prelude::*;
        let value = prop_oneof![
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(0.0),
            0.0..4.0f64,
            any::<f64>()
        ];
        prop::collection::vec(
            (
                prop_oneof![Just(""), Just("POD"), Just("app"), Just("db")],
                value.clone(),
                value,
            )
                .prop_map(|(c, cpu, memory)| ContainerUsage {
                    container: c.to_owned(),
                    cpu,
                    memory,
                }),
            0..4,
        )
    }

    proptest::proptest! {
        /// Any values: no panic; an agreement has no causes; each cause has its message; the
        /// sums are the finite values' sums.
        #[test]
        fn any_usage_checks_consistently(p in any_usage(), m in any_usage()) {
            let c = check(&p, &m);
            proptest::prop_assert_eq!(c.agree, c.comparisons.iter().all(|x| x.agree));
            if c.agree {
                proptest::prop_assert!(c.causes.is_empty() && c.summary.is_empty());
            } else {
                proptest::prop_assert_eq!(c.summary.len(), c.comparisons.iter().filter(|x| !x.agree).count());
            }
            proptest::prop_assert_eq!(c.messages.len(), c.causes.len());
            let finite: Vec<f64> = p.iter().map(|x| x.cpu).filter(|v| v.is_finite()).collect();
            let want = if finite.is_empty() { f64::NAN } else { finite.iter().sum() };
            proptest::prop_assert!(c.comparisons[0].prometheus.to_bits() == want.to_bits() || (c.comparisons[0].prometheus.is_nan() && want.is_nan()));
        }
    }
}
