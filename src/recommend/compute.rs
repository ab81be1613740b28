//! From the answers of a [`Plan`]'s queries to a recommendation per container.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::plan::{Need, Plan};
use super::rounding::{cpu_quantity, memory_quantity, round_cpu, round_memory};
use super::spec::{CpuLimitPolicy, RecommendSpec, Settings, MIB};
use crate::query::{WorkloadKind, WorkloadRef};
use crate::response::QueryResult;

/// A container an answer is about: its name, and its workload when the plan was for a whole
/// namespace (a workload's plan reduces each answer to the container alone).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ContainerKey {
    /// The container's workload, from the answer's `workload` and `workload_kind` labels.
    pub workload: Option<WorkloadRef>,
    /// The container name.
    pub container: String,
}

/// Per-container values of each answered query.
pub type Answers = BTreeMap<Need, BTreeMap<ContainerKey, f64>>;

/// How a current setting compares with the recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Within the tolerance.
    Fine,
    /// More than recommended: resources reserved and unused.
    OverProvisioned,
    /// Less than recommended, or not set: throttling, eviction or OOM kills ahead.
    UnderProvisioned,
    /// Too little history to tell.
    NotEnoughData,
}

/// One resource setting of a container: what it is, what it should be.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Advice {
    /// The current value (cores or bytes); `None` when not set.
    pub current: Option<f64>,
    /// The recommended value; `None` when nothing is recommended (not enough data, or a CPU
    /// limit under the `none` policy).
    pub recommended: Option<f64>,
    /// The recommended value as a Kubernetes quantity (`250m`, `512Mi`).
    pub quantity: Option<String>,
    /// `current - recommended`, when both are known.
    pub difference: Option<f64>,
    /// The comparison; `None` when there is nothing to compare.
    pub status: Option<Status>,
}

/// The recommendation for one container of the workload.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerAdvice {
    /// The container's workload: the spec's, or in a namespace's recommendation the one its
    /// pods belong to.
    pub workload: Option<WorkloadRef>,
    /// The container name.
    pub container: String,
    /// The worst status of its settings, or `not-enough-data`.
    pub status: Status,
    /// Seconds of history with usage (steps seen times the step).
    pub history_seconds: f64,
    /// The CPU usage percentile over the history, cores.
    pub cpu_usage: Option<f64>,
    /// The peak working set over the history, bytes.
    pub memory_peak: Option<f64>,
    /// Whether a run ended OOMKilled within the history: the peak seen is then a floor, and
    /// the memory recommendation is at least the current limit plus the buffer.
    pub oom_killed: bool,
    /// CPU request.
    pub cpu_request: Advice,
    /// CPU limit.
    pub cpu_limit: Advice,
    /// Memory request.
    pub memory_request: Advice,
    /// Memory limit (equal to the request: memory is not compressible).
    pub memory_limit: Advice,
    /// A `kubectl set resources` command applying the recommendation; `None` without one.
    pub kubectl: Option<String>,
}

/// One planned query's answer per container: each series' last sample, series without a
/// `container` label left out (the plan's queries keep only that label, and the workload's
/// in a namespace's plan), and series of a workload kind this method does not know.
pub fn container_values(result: &QueryResult) -> BTreeMap<ContainerKey, f64> {
    // Inserts rather than `collect`: collecting into a map sorts first, and every sort is
    // another copy of std's sort in the wasm module.
    let mut out = BTreeMap::new();
    for s in &result.series {
        let (Some(container), Some(value)) = (s.label("container"), result.values_of(s).last())
        else {
            continue;
        };
        let workload = match (s.label("workload"), s.label("workload_kind")) {
            (None, None) => None,
            (Some(name), Some(kind)) => match WorkloadKind::parse(kind) {
                Some(kind) => Some(WorkloadRef {
                    name: name.to_owned(),
                    kind,
                }),
                None => continue,
            },
            _ => continue,
        };
        out.insert(
            ContainerKey {
                workload,
                container: container.to_owned(),
            },
            *value,
        );
    }
    out
}

/// Differences within these are fine whatever the tolerance: rounding and noise.
pub(crate) const CPU_MARGIN: f64 = 0.02;
pub(crate) const MEMORY_MARGIN: f64 = 16.0 * MIB;

/// The recommendation for every container found in `answers`, sorted by workload (name, then
/// kind) and name.
///
/// A value that is NaN or infinite counts as missing; an answer missing altogether as no
/// container having it.
pub fn recommend(spec: &RecommendSpec, plan: &Plan, answers: &Answers) -> Vec<ContainerAdvice> {
    let s = &plan.settings;
    let value = |need: Need, key: &ContainerKey| {
        answers
            .get(&need)
            .and_then(|by| by.get(key))
            .copied()
            .filter(|v| v.is_finite())
    };
    let mut containers = BTreeSet::new();
    for by in answers.values() {
        containers.extend(by.keys());
    }
    containers
        .into_iter()
        .map(|c| {
            let workload = c.workload.as_ref().or(spec.workload.as_ref());
            let history = value(Need::CpuSamples, c).unwrap_or(0.0) * s.step.as_secs_f64();
            let cpu_usage = value(Need::CpuUsage, c);
            let memory_peak = value(Need::MemoryPeak, c);
            let oom_killed = value(Need::OomKilled, c).is_some_and(|v| v > 0.0);
            let enough = history >= s.min_history.as_secs_f64()
                && cpu_usage.is_some()
                && memory_peak.is_some();
            let current = |need| value(need, c);
            let (cpu_req, mem) = if enough {
                (
                    cpu_usage.map(|u| round_cpu(u.max(s.min_cpu))),
                    memory_peak.map(|peak| {
                        let floor = if oom_killed {
                            current(Need::MemoryLimit).unwrap_or(0.0)
                        } else {
                            0.0
                        };
                        round_memory((peak.max(floor) * (1.0 + s.memory_buffer)).max(s.min_memory))
                    }),
                )
            } else {
                (None, None)
            };
            let cpu_lim = match s.cpu_limit {
                CpuLimitPolicy::None => None,
                CpuLimitPolicy::RequestTimes(k) => cpu_req.map(|r| round_cpu(r * k)),
            };
            // Past f64's range (a peak near 1e308 times the buffer) there is nothing to write.
            let finite = |v: Option<f64>| v.filter(|v| v.is_finite());
            let (cpu_req, cpu_lim, mem) = (finite(cpu_req), finite(cpu_lim), finite(mem));
            let advise = |need, recommended: Option<f64>, compare: bool| {
                advice(s, need, current(need), recommended, enough && compare)
            };
            let cpu_request = advise(Need::CpuRequest, cpu_req, true);
            let cpu_limit = advise(Need::CpuLimit, cpu_lim, s.cpu_limit != CpuLimitPolicy::None);
            let memory_request = advise(Need::MemoryRequest, mem, true);
            let mut memory_limit = advise(Need::MemoryLimit, mem, true);
            // A limit the container was killed at is too small, however close it is.
            if oom_killed && memory_limit.difference.is_some_and(|d| d < 0.0) {
                memory_limit.status = Some(Status::UnderProvisioned);
            }
            let status = if enough {
                [&cpu_request, &cpu_limit, &memory_request, &memory_limit]
                    .iter()
                    .filter_map(|a| a.status)
                    .max()
                    .unwrap_or(Status::Fine)
            } else {
                Status::NotEnoughData
            };
            let kubectl = workload.filter(|_| enough).and_then(|w| {
                kubectl(
                    spec,
                    w,
                    &c.container,
                    &cpu_request,
                    &cpu_limit,
                    &memory_request,
                )
            });
            ContainerAdvice {
                workload: workload.cloned(),
                container: c.container.clone(),
                status,
                history_seconds: history,
                cpu_usage,
                memory_peak,
                oom_killed,
                cpu_request,
                cpu_limit,
                memory_request,
                memory_limit,
                kubectl,
            }
        })
        .collect()
}

/// The advice on the setting `need` reads (a request or limit).
fn advice(
    s: &Settings,
    need: Need,
    current: Option<f64>,
    recommended: Option<f64>,
    compare: bool,
) -> Advice {
    let cpu = matches!(need, Need::CpuRequest | Need::CpuLimit);
    // No request is scheduling without a reservation (under-provisioned); no limit is a choice
    // this method does not judge.
    let unset_is_under = matches!(need, Need::CpuRequest | Need::MemoryRequest);
    let margin = if cpu { CPU_MARGIN } else { MEMORY_MARGIN };
    let status = match (compare, current, recommended) {
        (false, _, _) | (_, _, None) => None,
        (true, None, Some(_)) => unset_is_under.then_some(Status::UnderProvisioned),
        (true, Some(now), Some(want)) => {
            Some(if (now - want).abs() <= margin.max(s.tolerance * want) {
                Status::Fine
            } else if now < want {
                Status::UnderProvisioned
            } else {
                Status::OverProvisioned
            })
        }
    };
    Advice {
        current,
        recommended,
        quantity: recommended.map(|v| {
            if cpu {
                cpu_quantity(v)
            } else {
                memory_quantity(v)
            }
        }),
        difference: current.zip(recommended).map(|(now, want)| now - want),
        status,
    }
}

/// `kubectl set resources KIND/NAME -n NS -c CONTAINER --requests=... --limits=...` with the
/// advices' quantities; memory's limit is its request.
fn kubectl(
    spec: &RecommendSpec,
    workload: &WorkloadRef,
    container: &str,
    cpu_request: &Advice,
    cpu_limit: &Advice,
    memory: &Advice,
) -> Option<String> {
    let mut requests = Vec::new();
    let mut limits = Vec::new();
    if let Some(cpu) = &cpu_request.quantity {
        requests.push(format!("cpu={cpu}"));
    }
    if let Some(cpu) = &cpu_limit.quantity {
        limits.push(format!("cpu={cpu}"));
    }
    if let Some(mem) = &memory.quantity {
        requests.push(format!("memory={mem}"));
        limits.push(format!("memory={mem}"));
    }
    if requests.is_empty() {
        return None;
    }
    // kubectl's resource names are the kinds in lower case.
    let kind = workload.kind.as_str().to_ascii_lowercase();
    let mut cmd = format!(
        "kubectl set resources {} -n {} -c {} --requests={}",
        shell_word(&format!("{kind}/{}", workload.name)),
        shell_word(&spec.namespace),
        shell_word(container),
        requests.join(",")
    );
    if !limits.is_empty() {
        cmd.push_str(&format!(" --limits={}", limits.join(",")));
    }
    Some(cmd)
}

/// `word` as one shell word: as is when it holds only characters no shell treats specially,
/// else single-quoted.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._/:=".contains(&b));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::WorkloadRef;
    use crate::recommend::plan::plan;

    fn spec() -> RecommendSpec {
        serde_json::from_value(serde_json::json!({
            "namespace": "shop",
            "workload": { "kind": "Deployment", "name": "web" },
        }))
        .unwrap()
    }

    fn answers(rows: &[(Need, &str, f64)]) -> Answers {
        let mut out = Answers::new();
        for (need, c, v) in rows {
            let key = ContainerKey {
                workload: None,
                container: (*c).to_owned(),
            };
            out.entry(*need).or_default().insert(key, *v);
        }
        out
    }

    const DAY_OF_5M_STEPS: f64 = 288.0;

    #[test]
    fn percentile_and_peak_plus_buffer_rounded_beside_the_current_values() {
        let s = spec();
        let p = plan(&s).unwrap();
        let got = recommend(
            &s,
            &p,
            &answers(&[
                (Need::CpuUsage, "app", 0.2312),
                (Need::CpuSamples, "app", 14.0 * DAY_OF_5M_STEPS),
                (Need::MemoryPeak, "app", 400.0 * MIB),
                (Need::CpuRequest, "app", 1.0),
                (Need::MemoryRequest, "app", 128.0 * MIB),
                (Need::MemoryLimit, "app", 128.0 * MIB),
            ]),
        );
        assert_eq!(got.len(), 1);
        let app = &got[0];
        // 231.2m rounds up to 240m; 400Mi * 1.15 = 460Mi rounds up to 464Mi.
        assert_eq!(app.cpu_request.recommended, Some(0.24));
        assert_eq!(app.cpu_request.quantity.as_deref(), Some("240m"));
        assert_eq!(app.cpu_request.status, Some(Status::OverProvisioned));
        assert_eq!(app.memory_request.quantity.as_deref(), Some("464Mi"));
        assert_eq!(app.memory_request.status, Some(Status::UnderProvisioned));
        assert_eq!(app.memory_limit.recommended, Some(464.0 * MIB));
        assert_eq!(app.cpu_limit.recommended, None, "no CPU limit by default");
        assert_eq!(app.cpu_limit.status, None);
        assert_eq!(app.status, Status::UnderProvisioned);
        assert_eq!(app.history_seconds, 14.0 * 86400.0);
        assert_eq!(
            app.kubectl.as_deref(),
            Some("kubectl set resources deployment/web -n shop -c app --requests=cpu=240m,memory=464Mi --limits=memory=464Mi")
        );
    }

    #[test]
    fn too_little_history_or_no_usage_recommends_nothing() {
        let s = spec();
        let p = plan(&s).unwrap();
        let got = recommend(
            &s,
            &p,
            &answers(&[
                (Need::CpuUsage, "new", 0.5),
                (Need::CpuSamples, "new", 100.0),
                (Need::MemoryPeak, "new", 100.0 * MIB),
                (Need::CpuRequest, "idle", 0.1),
                (Need::CpuUsage, "nan", f64::NAN),
                (Need::CpuSamples, "nan", 14.0 * DAY_OF_5M_STEPS),
                (Need::MemoryPeak, "nan", 100.0 * MIB),
            ]),
        );
        assert_eq!(
            got.iter()
                .map(|c| (c.container.as_str(), c.status))
                .collect::<Vec<_>>(),
            [
                ("idle", Status::NotEnoughData),
                ("nan", Status::NotEnoughData),
                ("new", Status::NotEnoughData)
            ]
        );
        for c in &got {
            assert_eq!(c.cpu_request.recommended, None);
            assert_eq!(c.memory_request.status, None);
            assert_eq!(c.kubectl, None);
        }
        assert_eq!(got[0].cpu_request.current, Some(0.1));
    }

    #[test]
    fn an_oom_kill_raises_memory_to_the_limit_plus_the_buffer_and_unset_requests_are_under() {
        let s = RecommendSpec {
            cpu_limit: Some(CpuLimitPolicy::RequestTimes(2.0)),
            workload: Some(WorkloadRef {
                kind: WorkloadKind::StatefulSet,
                name: "db's".into(),
            }),
            ..spec()
        };
        let p = plan(&s).unwrap();
        let got = recommend(
            &s,
            &p,
            &answers(&[
                (Need::CpuUsage, "db", 0.001),
                (Need::CpuSamples, "db", 2.0 * DAY_OF_5M_STEPS),
                // Killed at its 256Mi limit: the peak seen is the limit or a bit below.
                (Need::MemoryPeak, "db", 250.0 * MIB),
                (Need::OomKilled, "db", 1.0),
                (Need::MemoryLimit, "db", 256.0 * MIB),
            ]),
        );
        let db = &got[0];
        assert!(db.oom_killed);
        // 256Mi * 1.15 = 294.4Mi, rounded up to 304Mi; the CPU minimum is 10m.
        assert_eq!(db.memory_limit.quantity.as_deref(), Some("304Mi"));
        assert_eq!(db.cpu_request.quantity.as_deref(), Some("10m"));
        assert_eq!(db.cpu_limit.quantity.as_deref(), Some("20m"));
        assert_eq!(
            db.cpu_request.status,
            Some(Status::UnderProvisioned),
            "no request set"
        );
        assert_eq!(db.cpu_limit.status, None, "no limit set: not judged");
        assert_eq!(db.cpu_request.difference, None);
        assert_eq!(
            db.kubectl.as_deref(),
            Some("kubectl set resources 'statefulset/db'\\''s' -n shop -c db --requests=cpu=10m,memory=304Mi --limits=cpu=20m,memory=304Mi")
        );
    }

    /// A namespace's plan: every query joins pods to their workloads in that namespace only,
    /// keeps the workload labels, and parses.
    #[test]
    fn a_namespace_plan_joins_pods_to_their_workloads() {
        let s = RecommendSpec {
            workload: None,
            ..spec()
        };
        let p = plan(&s).unwrap();
        for q in &p.queries {
            assert!(
                q.promql
                    .contains("max by (workload, workload_kind, container) ("),
                "{}",
                q.promql
            );
            assert!(
                q.promql
                    .contains("* on (namespace, pod) group_left (workload, workload_kind) "),
                "{}",
                q.promql
            );
            assert!(
                q.promql.contains(
                    r#"kube_pod_owner{job="kube-state-metrics", namespace="shop", owner_kind="ReplicaSet"}"#
                ),
                "{}",
                q.promql
            );
            assert!(!q.promql.contains("owner_name=\"web\""), "{}", q.promql);
            #[cfg(feature = "lint")]
            promql_parser::parser::parse(&q.promql).unwrap_or_else(|e| panic!("{e}: {}", q.promql));
        }
        // With a cluster label, pods of two clusters stay apart until the join.
        let multi = RecommendSpec {
            profile: Some(crate::query::ProfileSpec::Named("multi-cluster".into())),
            cluster: Some("east".into()),
            ..s
        };
        let p = plan(&multi).unwrap();
        assert!(p.queries[0].promql.contains("on (cluster, namespace, pod)"));
        assert!(p.queries[0]
            .promql
            .contains(r#"namespace="shop", cluster="east", owner_kind="ReplicaSet"}"#));
    }

    /// In a namespace's recommendation each container is keyed by its workload: rows sorted by
    /// workload name, then kind, then container; each command names its own workload; series of
    /// an unknown kind or with half a workload are not read.
    #[test]
    fn a_namespace_recommendation_is_per_workload_and_container() {
        use crate::response::{PlainResult, PlainSeries, ResultType};
        let s = RecommendSpec {
            workload: None,
            ..spec()
        };
        let p = plan(&s).unwrap();
        let answer = |rows: &[(&[(&str, &str)], f64)]| -> QueryResult<'static> {
            PlainResult {
                result_type: ResultType::Vector,
                series: rows
                    .iter()
                    .map(|(labels, v)| PlainSeries {
                        labels: labels
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.to_string()))
                            .collect(),
                        timestamps: vec![1000.0],
                        values: vec![*v],
                    })
                    .collect(),
                string_value: None,
                warnings: vec![],
                infos: vec![],
            }
            .into()
        };
        let web: &[(&str, &str)] = &[
            ("container", "app"),
            ("workload", "web"),
            ("workload_kind", "Deployment"),
        ];
        let db: &[(&str, &str)] = &[
            ("container", "app"),
            ("workload", "db"),
            ("workload_kind", "StatefulSet"),
        ];
        let job: &[(&str, &str)] = &[
            ("container", "app"),
            ("workload", "db"),
            ("workload_kind", "CronJob"),
        ];
        let odd: &[(&str, &str)] = &[
            ("container", "app"),
            ("workload", "x"),
            ("workload_kind", "Rollout"),
        ];
        let half: &[(&str, &str)] = &[("container", "app"), ("workload", "y")];
        let mut answers = Answers::new();
        let usage = answer(&[
            (web, 0.2312),
            (db, 0.5),
            (job, 1.0),
            (odd, 1.0),
            (half, 1.0),
        ]);
        answers.insert(Need::CpuUsage, container_values(&usage));
        let samples = 14.0 * DAY_OF_5M_STEPS;
        answers.insert(
            Need::CpuSamples,
            container_values(&answer(&[(web, samples), (db, samples), (job, samples)])),
        );
        answers.insert(
            Need::MemoryPeak,
            container_values(&answer(&[(web, 400.0 * MIB), (db, MIB), (job, 10.0 * MIB)])),
        );
        answers.insert(
            Need::CpuRequest,
            container_values(&answer(&[(web, 1.0), (db, 0.5)])),
        );
        let got = recommend(&s, &p, &answers);
        let rows: Vec<(String, WorkloadKind, &str, Option<&str>)> = got
            .iter()
            .map(|c| {
                let w = c.workload.as_ref().unwrap();
                (
                    w.name.clone(),
                    w.kind,
                    c.container.as_str(),
                    c.cpu_request.quantity.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("db".into(), WorkloadKind::StatefulSet, "app", Some("500m")),
                ("db".into(), WorkloadKind::CronJob, "app", Some("1")),
                ("web".into(), WorkloadKind::Deployment, "app", Some("240m")),
            ]
        );
        assert_eq!(got[0].cpu_request.status, Some(Status::Fine));
        // 10Mi of peak: the 100Mi minimum, rounded up to the 16Mi step.
        assert_eq!(
            got[1].kubectl.as_deref(),
            Some("kubectl set resources cronjob/db -n shop -c app --requests=cpu=1,memory=112Mi --limits=memory=112Mi")
        );
        assert!(got[2]
            .kubectl
            .as_deref()
            .unwrap()
            .starts_with("kubectl set resources deployment/web -n shop -c app "));
    }

    #[test]
    fn within_the_tolerance_or_the_margins_is_fine() {
        let s = spec();
        let p = plan(&s).unwrap();
        let got = recommend(
            &s,
            &p,
            &answers(&[
                (Need::CpuUsage, "a", 0.095),
                (Need::CpuSamples, "a", DAY_OF_5M_STEPS),
                (Need::MemoryPeak, "a", 1000.0 * MIB),
                // 100m wanted, 110m set: within 20m. 1152Mi wanted, 1300Mi set: within 20%.
                (Need::CpuRequest, "a", 0.11),
                (Need::MemoryRequest, "a", 1300.0 * MIB),
                (Need::MemoryLimit, "a", 1300.0 * MIB),
            ]),
        );
        assert_eq!(got[0].memory_request.quantity.as_deref(), Some("1152Mi"));
        assert_eq!(got[0].status, Status::Fine);
    }
}
