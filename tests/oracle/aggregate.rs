//! The per-group (and per-pod) aggregation written the plain way, as a test oracle: a `BTreeMap` keyed by each
//! series' label set for duplicate scrapes, a tree per pod for tiers and containers, a tree per
//! timestamp for sums. It states the rules of `kubeprom::aggregate::aggregate_pods` in the
//! fewest moving parts; the shipped aggregation (hash maps, sorts, merges over sorted arrays)
//! must give the same numbers bit for bit. Used by `tests/fast_path.rs` and by the fuzz
//! targets (`fuzz/src/lib.rs` includes this file).

use std::cmp::Reverse;
use std::collections::BTreeMap;

use kubeprom::aggregate::{
    stat, AggregateOptions, Aggregation, Combine, ContainerValue, GroupValue, GroupedAggregation,
    Grouping, PartValue, PodValue,
};
use kubeprom::query::QueryError;
use kubeprom::response::QueryResult;
use kubeprom::units::{conversion, Conversion};

/// How a series relates to its group's parts; lower is finer and preferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tier {
    Part,
    Whole,
    Fallback,
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
    let grouped = aggregate_groups_oracle(result, &Grouping::pods(), opts)?;
    Ok(Aggregation {
        pods: grouped
            .groups
            .into_iter()
            .map(|g| PodValue {
                namespace: g.key[0].clone(),
                pod: g.key[1].clone(),
                value: g.value,
                unit: g.unit,
                containers: g
                    .parts
                    .into_iter()
                    .map(|p| ContainerValue {
                        container: p.part,
                        value: p.value,
                    })
                    .collect(),
                series: g.series,
            })
            .collect(),
        unattributed: grouped.unattributed,
        dropped_duplicates: grouped.dropped_duplicates,
        skipped_samples: grouped.skipped_samples,
    })
}

/// Per-group values of `result`, by the rules alone.
pub fn aggregate_groups_oracle(
    result: &QueryResult,
    grouping: &Grouping,
    opts: &AggregateOptions,
) -> Result<GroupedAggregation, QueryError> {
    let convert = conversion(opts.source_unit.as_deref(), opts.unit.as_deref())?;
    let combine = grouping.combine();
    let mut out = GroupedAggregation::default();
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
            .filter(|(name, _)| !grouping.is_identity(name))
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

    // Group by key, then by tier and part.
    type Parts<'a> = BTreeMap<(Tier, &'a str), Vec<&'a Plain<'a>>>;
    let mut groups: BTreeMap<Vec<&str>, Parts> = BTreeMap::new();
    for series in by_identity.into_values() {
        let key: Option<Vec<&str>> = grouping
            .group()
            .iter()
            .map(|label| label.names().iter().find_map(|name| series.label(name)))
            .collect();
        let Some(key) = key else {
            out.unattributed.push(
                series
                    .labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            );
            continue;
        };
        let part = grouping
            .part()
            .and_then(|name| series.label(name))
            .unwrap_or("");
        let tier = if part.is_empty() {
            Tier::Whole
        } else if grouping.fallback_part() == Some(part) {
            Tier::Fallback
        } else {
            Tier::Part
        };
        groups
            .entry(key)
            .or_default()
            .entry((tier, part))
            .or_default()
            .push(series);
    }

    for (key, parts_of) in groups {
        let Some(best) = parts_of.keys().map(|(tier, _)| *tier).min() else {
            continue;
        };
        let mut group_sum = Combined::new(combine);
        let mut parts = Vec::new();
        for ((tier, part), series) in parts_of {
            if tier != best {
                out.dropped_duplicates += series.len();
                continue;
            }
            let mut part_sum = Combined::new(combine);
            for s in series {
                out.skipped_samples += part_sum.add(s.timestamps, s.values, convert);
            }
            group_sum.add(
                &part_sum.timestamps(),
                &part_sum.values(),
                Conversion {
                    factor: 1.0,
                    unit: "",
                },
            );
            parts.push(PartValue {
                part: part.to_owned(),
                value: stat(&part_sum.values(), opts.stat),
            });
        }
        let values = group_sum.values();
        out.groups.push(GroupValue {
            key: key.into_iter().map(str::to_owned).collect(),
            value: stat(&values, opts.stat),
            unit: convert.unit.to_owned(),
            parts,
            series: opts.keep_series.then(|| (group_sum.timestamps(), values)),
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

/// A sum (or maximum) of series aligned by timestamp.
struct Combined {
    combine: Combine,
    points: BTreeMap<u64, f64>,
}

impl Combined {
    fn new(combine: Combine) -> Self {
        Self {
            combine,
            points: BTreeMap::new(),
        }
    }

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
            let x = v * convert.factor;
            let entry = self.points.entry(t.max(0.0).to_bits());
            match self.combine {
                Combine::Sum => *entry.or_insert(0.0) += x,
                Combine::Max => {
                    let max = entry.or_insert(x);
                    *max = max.max(x);
                }
            }
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
