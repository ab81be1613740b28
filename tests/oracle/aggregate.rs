//! The per-pod aggregation written the plain way, as a test oracle: a `BTreeMap` keyed by each
//! series' label set for duplicate scrapes, a tree per pod for tiers and containers, a tree per
//! timestamp for sums. It states the rules of `kubeprom::aggregate::aggregate_pods` in the
//! fewest moving parts; the shipped aggregation (hash maps, sorts, merges over sorted arrays)
//! must give the same numbers bit for bit. Used by `tests/fast_path.rs` and by the fuzz
//! targets (`fuzz/src/lib.rs` includes this file).

use std::cmp::Reverse;
use std::collections::BTreeMap;

use kubeprom::aggregate::{
    stat, AggregateOptions, Aggregation, ContainerValue, PodValue, SCRAPE_IDENTITY_LABELS,
};
use kubeprom::query::QueryError;
use kubeprom::response::QueryResult;
use kubeprom::units::{conversion, Conversion};

/// How a series relates to its pod's containers; lower is finer and preferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tier {
    Container,
    PodLevel,
    Pause,
}

/// One series, owned, with its samples.
struct Plain<'r> {
    labels: Vec<(&'r str, &'r str)>,
    timestamps: &'r [f64],
    values: &'r [f64],
}

impl Plain<'_> {
    fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| *v)
    }
}

/// Per-pod values of `result`, by the rules alone.
pub fn aggregate_pods_oracle(
    result: &QueryResult,
    opts: &AggregateOptions,
) -> Result<Aggregation, QueryError> {
    let convert = conversion(opts.source_unit.as_deref(), opts.unit.as_deref())?;
    let mut out = Aggregation::default();
    let all: Vec<Plain> = result
        .series
        .iter()
        .map(|s| Plain {
            labels: s
                .labels
                .iter()
                .map(|(k, v)| (k.as_ref(), v.as_ref()))
                .collect(),
            timestamps: result.timestamps_of(s),
            values: result.values_of(s),
        })
        .collect();

    // Duplicate scrapes: keep one series per label set without scrape identity labels.
    let mut by_identity: BTreeMap<Vec<(&str, &str)>, &Plain> = BTreeMap::new();
    for series in &all {
        let mut key: Vec<(&str, &str)> = series
            .labels
            .iter()
            .filter(|(name, _)| !SCRAPE_IDENTITY_LABELS.contains(name))
            .copied()
            .collect();
        key.sort_unstable();
        match by_identity.get_mut(&key) {
            Some(kept) => {
                out.dropped_duplicates += 1;
                if prefer(series, kept) {
                    *kept = series;
                }
            }
            None => {
                by_identity.insert(key, series);
            }
        }
    }

    // Group by pod and tier.
    type PodKey<'a> = (&'a str, &'a str);
    let mut pods: BTreeMap<PodKey, BTreeMap<(Tier, &str), Vec<&Plain>>> = BTreeMap::new();
    for series in by_identity.into_values() {
        let (Some(namespace), Some(pod)) = (series.label("namespace"), series.label("pod")) else {
            out.unattributed.push(
                series
                    .labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            );
            continue;
        };
        let container = series.label("container").unwrap_or("");
        let tier = match container {
            "" => Tier::PodLevel,
            "POD" => Tier::Pause,
            _ => Tier::Container,
        };
        pods.entry((namespace, pod))
            .or_default()
            .entry((tier, container))
            .or_default()
            .push(series);
    }

    for ((namespace, pod), groups) in pods {
        let Some(best) = groups.keys().map(|(tier, _)| *tier).min() else {
            continue;
        };
        let mut pod_sum = Summed::default();
        let mut containers = Vec::new();
        for ((tier, container), series) in groups {
            if tier != best {
                out.dropped_duplicates += series.len();
                continue;
            }
            let mut container_sum = Summed::default();
            for s in series {
                out.skipped_samples += container_sum.add(s.timestamps, s.values, convert);
            }
            pod_sum.add(
                &container_sum.timestamps(),
                &container_sum.values(),
                Conversion {
                    factor: 1.0,
                    unit: "",
                },
            );
            containers.push(ContainerValue {
                container: container.to_owned(),
                value: stat(&container_sum.values(), opts.stat),
            });
        }
        let values = pod_sum.values();
        out.pods.push(PodValue {
            namespace: namespace.to_owned(),
            pod: pod.to_owned(),
            value: stat(&values, opts.stat),
            unit: convert.unit.to_owned(),
            containers,
            series: opts.keep_series.then(|| (pod_sum.timestamps(), values)),
        });
    }
    Ok(out)
}

/// Whether `candidate` should replace `kept` as the one copy of a duplicated series: the one with
/// more samples, then the smaller label set, so the choice does not depend on response order.
fn prefer(candidate: &Plain, kept: &Plain) -> bool {
    (candidate.values.len(), Reverse(&candidate.labels))
        > (kept.values.len(), Reverse(&kept.labels))
}

/// A sum of series aligned by timestamp.
#[derive(Default)]
struct Summed {
    points: BTreeMap<u64, f64>,
}

impl Summed {
    /// Adds a series (values times `convert.factor`), skipping NaN samples; returns how many.
    fn add(&mut self, timestamps: &[f64], values: &[f64], convert: Conversion) -> usize {
        let mut skipped = 0;
        for (&t, &v) in timestamps.iter().zip(values) {
            if v.is_nan() {
                skipped += 1;
                continue;
            }
            // Timestamps are finite unix seconds with millisecond precision; their bits order
            // like the numbers for non-negative values.
            *self.points.entry(t.max(0.0).to_bits()).or_insert(0.0) += v * convert.factor;
        }
        skipped
    }

    fn timestamps(&self) -> Vec<f64> {
        self.points
            .keys()
            .map(|&bits| f64::from_bits(bits))
            .collect()
    }

    fn values(&self) -> Vec<f64> {
        self.points.values().copied().collect()
    }
}
