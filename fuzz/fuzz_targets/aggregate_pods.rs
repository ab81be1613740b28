//! `aggregatePods` on arbitrary series: never a panic, and nothing silently lost: every pod of
//! the input is in the output once, every series without namespace or pod is reported, and no
//! more NaN samples are reported skipped than there were.
#![no_main]

use std::collections::BTreeSet;

use arbitrary::Arbitrary;
use kubeprom::aggregate::{aggregate_pods, AggregateOptions, Stat, SCRAPE_IDENTITY_LABELS};
use std::borrow::Cow;

use kubeprom::response::{QueryResult, ResultType, Series};
use kubeprom_fuzz::oracle::aggregate_pods_oracle;
use libfuzzer_sys::fuzz_target;

const LABELS: &[&str] = &[
    "namespace",
    "pod",
    "container",
    "instance",
    "job",
    "replica",
    "id",
];
const VALUES: &[&str] = &["", "a", "b", "POD", "app", "x\"y"];
const UNITS: &[&str] = &[
    "cores",
    "millicores",
    "bytes",
    "MiB",
    "GiB",
    "percent",
    "parsecs",
    "",
];

#[derive(Debug, Arbitrary)]
struct Input {
    series: Vec<(Vec<(u8, u8)>, Vec<(u8, f64)>)>,
    stat: u8,
    unit: Option<u8>,
    keep_series: bool,
}

/// A planted bug (`--features inject-crash`, for `run.sh --self-test`): a pod of three or more
/// containers with a NaN sample, aggregated with `keepSeries`. It takes three series with the same
/// namespace and pod, distinct containers and a NaN: the self-test shows the fuzzer gets there
/// from an empty corpus and that a crash fails the run with its input saved.
#[cfg(feature = "inject-crash")]
fn planted_bug(agg: &kubeprom::aggregate::Aggregation, keep_series: bool) {
    if keep_series && agg.skipped_samples > 0 && agg.pods.iter().any(|p| p.containers.len() >= 3) {
        panic!("planted bug reached");
    }
}

#[cfg(not(feature = "inject-crash"))]
fn planted_bug(_: &kubeprom::aggregate::Aggregation, _: bool) {}

fuzz_target!(|input: Input| {
    let mut result = QueryResult {
        result_type: ResultType::Matrix,
        series: Vec::new(),
        timestamps: Vec::new(),
        values: Vec::new(),
        histograms: Default::default(),
        string_value: None,
        warnings: vec![],
        infos: vec![],
        scanned: false,
    };
    for (labels, samples) in &input.series {
        let mut pairs: Vec<(Cow<str>, Cow<str>)> = Vec::new();
        for (name, value) in labels {
            let name = LABELS[usize::from(*name) % LABELS.len()];
            if pairs.iter().all(|(n, _)| n != name) {
                pairs.push((
                    Cow::Borrowed(name),
                    Cow::Borrowed(VALUES[usize::from(*value) % VALUES.len()]),
                ));
            }
        }
        let start = result.values.len();
        result
            .timestamps
            .extend(samples.iter().map(|(t, _)| f64::from(*t)));
        result.values.extend(samples.iter().map(|(_, v)| *v));
        result
            .series
            .push(Series::new(pairs, start, result.values.len()));
    }
    let stats = Stat::ALL;
    let opts = AggregateOptions {
        unit: input
            .unit
            .map(|u| UNITS[usize::from(u) % UNITS.len()].to_owned()),
        stat: stats[usize::from(input.stat) % stats.len()],
        keep_series: input.keep_series,
        ..Default::default()
    };
    let Ok(agg) = aggregate_pods(&result, &opts) else {
        return;
    };
    // The same numbers, bit for bit, as the rules read plainly (Debug keeps NaN and -0.0).
    let oracle = aggregate_pods_oracle(&result, &opts).expect("the same options are valid");
    assert_eq!(
        format!("{agg:?}"),
        format!("{oracle:?}"),
        "differs from the oracle"
    );
    planted_bug(&agg, opts.keep_series);
    let pods_in: BTreeSet<(&str, &str)> = result
        .series
        .iter()
        .filter_map(|s| Some((s.label("namespace")?, s.label("pod")?)))
        .collect();
    let pods_out: Vec<(&str, &str)> = agg
        .pods
        .iter()
        .map(|p| (p.namespace.as_str(), p.pod.as_str()))
        .collect();
    assert_eq!(
        pods_in.into_iter().collect::<Vec<_>>(),
        pods_out,
        "one entry per pod, sorted"
    );
    // Series without a pod, counted once per label set without scrape identity labels.
    let unattributed: BTreeSet<Vec<(&str, &str)>> = result
        .series
        .iter()
        .filter(|s| s.label("namespace").is_none() || s.label("pod").is_none())
        .map(|s| {
            let mut key: Vec<(&str, &str)> = s
                .labels
                .iter()
                .filter(|(n, _)| !SCRAPE_IDENTITY_LABELS.contains(&n.as_ref()))
                .map(|(n, v)| (n.as_ref(), v.as_ref()))
                .collect();
            key.sort();
            key
        })
        .collect();
    assert_eq!(agg.unattributed.len(), unattributed.len());
    let nans = result.values.iter().filter(|v| v.is_nan()).count();
    assert!(agg.skipped_samples <= nans);
    assert!(agg.dropped_duplicates < result.series.len().max(1));
    for pod in &agg.pods {
        if let Some((timestamps, values)) = &pod.series {
            assert_eq!(timestamps.len(), values.len());
            assert!(timestamps.windows(2).all(|w| w[0] < w[1]), "time order");
        }
    }
});
