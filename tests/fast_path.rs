//! The shipped path (the scanner of `parse_query_response`, `aggregate_pods`,
//! `aggregate_pods_from_bytes`) against the plain one (the serde reading alone,
//! `parse_query_response_serde`, and the `BTreeMap` oracle of `tests/oracle/aggregate.rs`): the
//! same results bit for bit, the same errors, on the browser bench's inputs, on every answer the
//! test Prometheus gives to the catalog's queries, and on generated bodies full of odd shapes
//! (proptest).
#![cfg(not(target_arch = "wasm32"))]

#[allow(dead_code)]
mod common;
#[path = "oracle/aggregate.rs"]
mod oracle;

use std::path::PathBuf;
use std::process::Command;

use kubeprom::aggregate::{
    aggregate_groups, aggregate_pods, aggregate_pods_from_bytes, AggregateOptions, Aggregation,
    Combine, GroupLabel, GroupedAggregation, Grouping, Stat,
};
use kubeprom::query::{build_query, QuerySpec, CATALOG};
use kubeprom::response::scan::{scan_matrix_in_windows, ResultStream};
use kubeprom::response::{
    parse_query_response, parse_query_response_serde, QueryResult, DEFAULT_MAX_BYTES,
};
use oracle::{aggregate_groups_oracle, aggregate_pods_oracle};
use proptest::prelude::*;

/// A text form where every float is its bits, so NaN == NaN and -0.0 != 0.0.
fn bits_of_result(r: &QueryResult) -> String {
    let mut out = format!(
        "{:?} {:?} {:?} {:?}\n",
        r.result_type, r.string_value, r.warnings, r.infos
    );
    for s in &r.series {
        out += &format!(
            "{:?} {:x?} {:x?}\n",
            s.labels,
            r.timestamps_of(s)
                .iter()
                .map(|t| t.to_bits())
                .collect::<Vec<_>>(),
            r.values_of(s)
                .iter()
                .map(|v| v.to_bits())
                .collect::<Vec<_>>()
        );
        let h = &r.histograms;
        let buckets = h.bucket_range(s.histograms.clone());
        let samples = s.histograms.clone();
        let floats = |column: &[f64], at: std::ops::Range<usize>| {
            column[at].iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        };
        out += &format!(
            "  histograms {:x?} {:x?} {:x?} {:?} {:?} {:x?} {:x?} {:x?}\n",
            floats(h.timestamps(), samples.clone()),
            floats(h.counts(), samples.clone()),
            floats(h.sums(), samples.clone()),
            h.bucket_ends()[samples]
                .iter()
                .map(|end| end - buckets.start)
                .collect::<Vec<_>>(),
            &h.rules()[buckets.clone()],
            floats(h.lower_bounds(), buckets.clone()),
            floats(h.upper_bounds(), buckets.clone()),
            floats(h.bucket_counts(), buckets),
        );
    }
    out
}

fn bits_of_aggregation(a: &Aggregation) -> String {
    let mut out = format!(
        "{:?} {} {}\n",
        a.unattributed, a.dropped_duplicates, a.skipped_samples
    );
    for p in &a.pods {
        out += &format!(
            "{}/{} {:x} {} {:?} {:?}\n",
            p.namespace,
            p.pod,
            p.value.to_bits(),
            p.unit,
            p.containers
                .iter()
                .map(|c| (c.container.as_str(), c.value.to_bits()))
                .collect::<Vec<_>>(),
            p.series.as_ref().map(|(t, v)| (
                t.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                v.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
            ))
        );
    }
    out
}

fn bits_of_groups(a: &GroupedAggregation) -> String {
    let mut out = format!(
        "{:?} {} {}\n",
        a.unattributed, a.dropped_duplicates, a.skipped_samples
    );
    for g in &a.groups {
        out += &format!(
            "{:?} {:x} {} {:?} {:?}\n",
            g.key,
            g.value.to_bits(),
            g.unit,
            g.parts
                .iter()
                .map(|p| (p.part.as_str(), p.value.to_bits()))
                .collect::<Vec<_>>(),
            g.series.as_ref().map(|(t, v)| (
                t.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                v.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
            ))
        );
    }
    out
}

/// The groupings the plugins use (Kueue queues by status, local queues with the renamed
/// namespace, controllers, scrape targets), with either combination.
fn groupings() -> Vec<Grouping> {
    let target_labels = ["job", "pod", "service", "endpoint", "namespace"];
    let mut all = vec![
        Grouping::pods(),
        Grouping::new(vec![GroupLabel::new("cluster_queue")], Some("status"))
            .expect("grouping")
            .with_identity(&target_labels),
        Grouping::new(
            vec![
                GroupLabel::any_of(&["exported_namespace", "namespace"]).expect("label"),
                GroupLabel::new("name"),
            ],
            Some("status"),
        )
        .expect("grouping")
        .with_identity(&target_labels),
        Grouping::new(
            vec![GroupLabel::new("job"), GroupLabel::new("controller")],
            None,
        )
        .expect("grouping"),
        Grouping::new(vec![], Some("status")).expect("grouping"),
    ];
    let maxed: Vec<Grouping> = all
        .iter()
        .map(|g| g.clone().with_combine(Combine::Max))
        .collect();
    all.extend(maxed);
    all
}

/// Asserts the grouped aggregation equals the oracle on `body` for every grouping.
fn assert_same_groups(what: &str, body: &[u8]) {
    let Ok(result) = parse_query_response(body, DEFAULT_MAX_BYTES) else {
        return;
    };
    for grouping in groupings() {
        for opts in &option_sets()[..2] {
            let plain = aggregate_groups_oracle(&result, &grouping, opts)
                .map(|a| bits_of_groups(&a))
                .map_err(|e| e.kind().to_owned());
            let fast = aggregate_groups(&result, &grouping, opts)
                .map(|a| bits_of_groups(&a))
                .map_err(|e| e.kind().to_owned());
            assert_eq!(plain, fast, "{what} by {grouping:?} with {opts:?}");
        }
    }
}

fn option_sets() -> Vec<AggregateOptions> {
    let mut sets = Vec::new();
    for stat in Stat::ALL {
        sets.push(AggregateOptions {
            stat,
            keep_series: stat == Stat::Last,
            ..Default::default()
        });
    }
    sets.push(AggregateOptions {
        unit: Some("MiB".into()),
        source_unit: Some("bytes".into()),
        stat: Stat::Avg,
        keep_series: true,
    });
    sets.push(AggregateOptions {
        unit: Some("millicores".into()),
        stat: Stat::P95,
        ..Default::default()
    });
    sets.push(AggregateOptions {
        unit: Some("parsecs".into()),
        ..Default::default()
    });
    sets
}

/// Asserts both paths agree on `body`; returns whether the scanner read it itself.
fn assert_same(what: &str, body: &[u8], max_bytes: usize, all_options: bool) -> bool {
    let plain = parse_query_response_serde(body, max_bytes);
    let fast = parse_query_response(body, max_bytes);
    let scanned = fast.as_ref().is_ok_and(|c| c.scanned);
    match (&plain, &fast) {
        (Ok(p), Ok(f)) => assert_eq!(
            bits_of_result(p),
            bits_of_result(f),
            "{what}: results differ"
        ),
        (Err(p), Err(f)) => assert_eq!(p, f, "{what}: errors differ"),
        _ => panic!(
            "{what}: plain {:?} but fast {:?}",
            plain.as_ref().map(|_| "ok"),
            fast.as_ref().map(|_| "ok")
        ),
    }
    // Read in windows: the same result whenever the windowed scanner takes the body.
    let windows: &[usize] = if body.len() > 1 << 20 {
        &[1 << 16, 1 << 20]
    } else {
        &[1, 64, 1000]
    };
    for &window in windows {
        let windowed = scan_matrix_in_windows(body.len(), max_bytes, window, |at, buf, len| {
            buf.copy_from_slice(&body[at..at + len])
        });
        if let Some(columns) = windowed {
            let p = plain.as_ref().unwrap_or_else(|e| {
                panic!("{what}: windowed scan took a body the plain path refuses: {e}")
            });
            assert_eq!(
                bits_of_result(p),
                bits_of_result(&columns),
                "{what}: windowed ({window}) result differs"
            );
        } else if scanned && body.len() <= max_bytes && in_prometheus_order(body, "matrix") {
            panic!("{what}: the windowed scanner ({window}) gave up on a plain matrix body");
        }
    }
    // Streamed in chunks of any size: the scanner's result, or none at all. The limit is the
    // reader's to enforce, before it pushes more.
    let chunks: &[usize] = if body.len() > max_bytes {
        &[]
    } else if body.len() > 1 << 20 {
        &[1 << 16, 1 << 20, usize::MAX]
    } else {
        &[1, 7, 64, 1000, usize::MAX]
    };
    for &chunk in chunks {
        let mut stream = ResultStream::new(Some(body.len()));
        for part in body.chunks(chunk.min(body.len()).max(1)) {
            stream.push(part);
        }
        assert_eq!(stream.received(), body.len(), "{what}: bytes counted");
        match stream.finish() {
            Some(columns) => {
                let p = plain.as_ref().unwrap_or_else(|e| {
                    panic!("{what}: the stream took a body the plain path refuses: {e}")
                });
                assert_eq!(
                    bits_of_result(p),
                    bits_of_result(&columns),
                    "{what}: streamed ({chunk}) result differs"
                );
            }
            None => assert!(
                !(scanned
                    && (in_prometheus_order(body, "matrix")
                        || in_prometheus_order(body, "vector"))),
                "{what}: the stream ({chunk}) gave up on a body in Prometheus' layout"
            ),
        }
    }
    let sets = option_sets();
    let sets = if all_options { &sets[..] } else { &sets[..1] };
    for opts in sets {
        let plain = parse_query_response_serde(body, max_bytes)
            .map_err(|e| e.kind().to_owned())
            .and_then(|r| {
                aggregate_pods_oracle(&r, opts)
                    .map(|a| (bits_of_aggregation(&a), r.warnings, r.infos))
                    .map_err(|e| e.kind().to_owned())
            });
        let fast = aggregate_pods_from_bytes(body, max_bytes, opts)
            .map(|a| (bits_of_aggregation(&a.aggregation), a.warnings, a.infos))
            .map_err(|e| e.kind().to_owned());
        assert_eq!(plain, fast, "{what} with {opts:?}");
        // What the wasm aggregatePods does with a result read back from JS: owned labels.
        if let Ok(r) = parse_query_response_serde(body, max_bytes) {
            let owned = aggregate_pods(&r, opts)
                .map(|a| bits_of_aggregation(&a))
                .map_err(|e| e.kind().to_owned());
            assert_eq!(
                plain.as_ref().map(|p| p.0.clone()).map_err(Clone::clone),
                owned,
                "{what} with {opts:?}: owned columns"
            );
        }
    }
    scanned
}

/// Whether the body starts as Prometheus writes a matrix (the windowed scanner's layout).
/// Whether `body` starts as Prometheus writes a `result_type` answer, field by field.
fn in_prometheus_order(body: &[u8], result_type: &str) -> bool {
    let prefix =
        format!(r#"{{"status":"success","data":{{"resultType":"{result_type}","result":["#);
    body.starts_with(prefix.as_bytes())
}

fn bench_input(name: &str) -> Vec<u8> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("www/bench/.data").join(format!("{name}.json"));
    if !path.exists() {
        let status = Command::new("node")
            .arg(root.join("www/bench/generate.mjs"))
            .status()
            .expect("node generates the bench inputs");
        assert!(status.success());
    }
    std::fs::read(path).expect("bench input")
}

#[test]
fn bench_inputs_are_identical_both_ways() {
    for name in ["matrix-2000", "matrix-200", "vector-50000"] {
        let body = bench_input(name);
        assert!(
            assert_same(name, &body, DEFAULT_MAX_BYTES, true),
            "{name} was not scanned"
        );
        // Over the limit: the same too_large error.
        assert_same(name, &body, body.len() - 1, false);
        // Cut short anywhere: the same malformed error.
        for cut in [1, 100, body.len() / 3, body.len() - 2] {
            assert_same(name, &body[..cut], DEFAULT_MAX_BYTES, false);
        }
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn every_test_prometheus_answer_is_identical_both_ways() {
    let prom = common::prometheus();
    let anchor = prom.anchor();
    let mut queries: Vec<String> = CATALOG
        .iter()
        .map(|def| {
            build_query(&QuerySpec {
                metric: def.id.into(),
                ..Default::default()
            })
            .expect("catalog query")
        })
        .collect();
    queries.extend(
        [
            r#"{__name__=~".+"}"#,
            "container_memory_working_set_bytes",
            r#"container_cpu_usage_seconds_total{namespace="shop"}"#,
            "rate(container_cpu_usage_seconds_total[5m])",
            "up",
            "1",
            r#""a string""#,
            "sum(",
            "vector(0) / 0",
            "-vector(1) / 0",
        ]
        .map(String::from),
    );
    let (mut answers, mut scanned) = (0, 0);
    for q in &queries {
        let q = encode(q);
        let paths = [
            format!("/api/v1/query?query={q}&time={anchor}"),
            format!(
                "/api/v1/query_range?query={q}&start={}&end={anchor}&step=60",
                anchor - 7200.0
            ),
            format!(
                "/api/v1/query_range?query={q}&start={}&end={anchor}&step=15.5",
                anchor - 1800.0
            ),
        ];
        for path in paths {
            let body = prom.get(&path);
            answers += 1;
            if assert_same(&path, &body, DEFAULT_MAX_BYTES, true) {
                scanned += 1;
            }
        }
    }
    // Most answers are vectors and matrices, which the scanner reads itself.
    for q in [
        "kueue_pending_workloads",
        "kueue_admission_wait_time_seconds_bucket",
        "controller_runtime_reconcile_total",
        "up",
    ] {
        let path = format!(
            "/api/v1/query_range?query={q}&start={}&end={anchor}&step=60",
            anchor - 3600.0
        );
        assert_same_groups(&path, &prom.get(&path));
    }
    assert!(
        scanned * 10 >= answers * 8,
        "{scanned} of {answers} scanned"
    );
}

fn label_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_]{1,6}",
        Just("POD".to_string()),
        Just(String::new()),
        "[ -~]{0,8}",
        "\\PC{0,4}",
    ]
}

fn value_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<u32>().prop_map(|v| v.to_string()),
        any::<f64>().prop_map(|v| v.to_string()),
        (any::<u64>(), 0u32..30).prop_map(|(m, e)| format!(
            "{}.{m:0>width$}",
            m % 7,
            width = e as usize
        )),
        "-?[0-9]{0,20}(\\.[0-9]{0,25})?([eE][-+]?[0-9]{1,3})?",
        Just("NaN".to_string()),
        Just("+Inf".to_string()),
        Just("-Inf".to_string()),
        Just("-0".to_string()),
        "[ -~]{0,6}",
    ]
}

fn time_text() -> impl Strategy<Value = String> {
    prop_oneof![
        (1_600_000_000u64..1_800_000_000, 0u32..1000).prop_map(|(s, ms)| format!("{s}.{ms:03}")),
        (1_600_000_000u64..1_800_000_000).prop_map(|s| s.to_string()),
        "-?(0|[1-9][0-9]{0,22})(\\.[0-9]{1,25})?([eE][-+]?[0-9]{1,3})?",
        "[0-9.eE+-]{1,8}",
    ]
}

/// JSON string literal of `s`; with `escape_all`, every character as a `\u` escape.
fn quote(s: &str, escape_all: bool) -> String {
    if escape_all && s.chars().all(|c| (c as u32) < 0x10000) {
        let inner: String = s.chars().map(|c| format!("\\u{:04x}", c as u32)).collect();
        format!("\"{inner}\"")
    } else {
        serde_json::to_string(s).expect("string")
    }
}

type Pairs = Vec<(String, String)>;

#[derive(Debug, Clone)]
struct Body {
    matrix: bool,
    /// Per series: label pairs, then (time, value) texts.
    series: Vec<(Pairs, Pairs)>,
    /// Per series (by index, as far as there are), its native histogram samples: time text,
    /// then the histogram object's text; and whether they come before the float samples.
    histograms: Vec<(Vec<(String, String)>, bool)>,
    escape: bool,
    spaces: bool,
    extra: Option<String>,
    warnings: Vec<String>,
}

impl Body {
    fn render(&self) -> String {
        let sp = if self.spaces { " \n" } else { "" };
        let mut series = Vec::new();
        for (i, (labels, samples)) in self.series.iter().enumerate() {
            let labels: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{}{sp}:{sp}{}", quote(k, self.escape), quote(v, false)))
                .collect();
            let samples: Vec<String> = samples
                .iter()
                .map(|(t, v)| {
                    format!(
                        "[{sp}{t}{sp},{sp}{}{sp}]",
                        quote(v, self.escape && v.len() == 1)
                    )
                })
                .collect();
            let (histograms, histograms_first) = self
                .histograms
                .get(i)
                .map_or((&[][..], false), |(h, first)| (&h[..], *first));
            let histograms: Vec<String> = histograms
                .iter()
                .map(|(t, h)| format!("[{sp}{t}{sp},{sp}{h}{sp}]"))
                .collect();
            let samples = match (self.matrix, histograms.is_empty()) {
                (true, true) => format!("\"values\":[{}]", samples.join(",")),
                (true, false) => {
                    let floats = format!("\"values\":[{}]", samples.join(","));
                    let histograms = format!("\"histograms\":[{}]", histograms.join(","));
                    match (samples.is_empty(), histograms_first) {
                        (true, _) => histograms,
                        (false, true) => format!("{histograms},{sp}{floats}"),
                        (false, false) => format!("{floats},{sp}{histograms}"),
                    }
                }
                (false, false) => format!("\"histogram\":{}", histograms[0]),
                (false, true) => format!(
                    "\"value\":{}",
                    samples
                        .first()
                        .cloned()
                        .unwrap_or_else(|| "[1,\"1\"]".into())
                ),
            };
            series.push(format!("{{\"metric\":{{{}}},{samples}}}", labels.join(",")));
        }
        let warnings = if self.warnings.is_empty() {
            String::new()
        } else {
            format!(
                ",\"warnings\":[{}]",
                self.warnings
                    .iter()
                    .map(|w| quote(w, false))
                    .collect::<Vec<_>>()
                    .join(",")
            )
        };
        format!(
            "{sp}{{\"status\":\"success\",{sp}\"data\":{{\"resultType\":\"{}\",\"result\":[{}]{}}}{warnings}}}{sp}",
            if self.matrix { "matrix" } else { "vector" },
            series.join(","),
            self.extra.as_deref().unwrap_or(""),
        )
    }
}

/// A number of a histogram: mostly one Prometheus could write (a histogram has a dozen of
/// them, so any odd one in [`value_text`]'s share would make most bodies malformed).
fn histogram_number() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => any::<f64>().prop_map(|v| v.to_string()),
        4 => any::<u32>().prop_map(|v| v.to_string()),
        1 => prop::sample::select(vec!["NaN", "+Inf", "-Inf"]).prop_map(str::to_string),
        1 => value_text(),
    ]
}

/// A native histogram object's text: mostly as Prometheus writes one, sometimes with keys in
/// another order, spaces, a missing or extra field, or a bucket of an unknown rule.
fn histogram_text() -> impl Strategy<Value = String> {
    let bucket = (
        prop_oneof![12 => 0u8..4, 1 => 4u8..10],
        histogram_number(),
        histogram_number(),
        histogram_number(),
    )
        .prop_map(|(rule, lower, upper, count)| {
            format!(
                "[{rule},{},{},{}]",
                quote(&lower, false),
                quote(&upper, false),
                quote(&count, false)
            )
        });
    (
        histogram_number(),
        histogram_number(),
        prop::option::of(prop::collection::vec(bucket, 0..5)),
        0u8..12,
    )
        .prop_map(|(count, sum, buckets, shape)| {
            let count = format!("\"count\":{}", quote(&count, false));
            let sum = format!("\"sum\":{}", quote(&sum, false));
            let mut fields = vec![count, sum];
            if let Some(buckets) = buckets {
                fields.push(format!("\"buckets\":[{}]", buckets.join(",")));
            }
            match shape {
                0 => fields.reverse(),
                1 => {
                    fields.pop();
                }
                2 => fields.push("\"schema\":3".into()),
                3 => return format!("{{ {} }}", fields.join(" , ")),
                _ => {}
            }
            format!("{{{}}}", fields.join(","))
        })
}

fn body() -> impl Strategy<Value = Body> {
    body_with(&["namespace", "pod", "container", "instance"])
}

/// Bodies whose label names are mostly `names`.
fn body_with(names: &'static [&'static str]) -> impl Strategy<Value = Body> {
    let labels = prop::collection::vec(
        (
            prop_oneof![
                3 => prop::sample::select(names).prop_map(str::to_string),
                1 => label_text()
            ],
            prop_oneof![Just("a".to_string()), Just("b".to_string()), label_text()],
        ),
        0..6,
    );
    let samples = prop::collection::vec((time_text(), value_text()), 0..6);
    (
        any::<bool>(),
        prop::collection::vec((labels, samples), 0..6),
        any::<bool>(),
        any::<bool>(),
        prop::option::of(prop_oneof![
            Just(",\"stats\":{}".to_string()),
            Just(",\"resultType\":\"matrix\"".to_string())
        ]),
        prop::collection::vec(label_text(), 0..2),
        any::<bool>(),
        prop::collection::vec(
            prop_oneof![
                2 => Just((Vec::new(), false)),
                1 => (
                    prop::collection::vec((time_text(), histogram_text()), 1..4),
                    any::<bool>()
                ),
            ],
            0..6,
        ),
    )
        .prop_map(
            |(matrix, mut series, escape, spaces, extra, warnings, shared_times, histograms)| {
                // Range answers put every series on one time grid; the aggregation has a fast
                // path for that, so half the bodies do too (missing samples become NaN).
                if shared_times {
                    let grid: Vec<String> = series
                        .first()
                        .map(|(_, samples)| samples.iter().map(|(t, _)| t.clone()).collect())
                        .unwrap_or_default();
                    for (_, samples) in &mut series {
                        *samples = grid
                            .iter()
                            .enumerate()
                            .map(|(i, t)| {
                                let value = samples.get(i).map_or("NaN", |(_, v)| v.as_str());
                                (t.clone(), value.to_string())
                            })
                            .collect();
                    }
                }
                Body {
                    matrix,
                    series,
                    histograms,
                    escape,
                    spaces,
                    extra,
                    warnings,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn generated_bodies_are_identical_both_ways(body in body(), cut in any::<prop::sample::Index>(), flip in any::<Option<(prop::sample::Index, u8)>>()) {
        let text = body.render();
        assert_same("generated", text.as_bytes(), DEFAULT_MAX_BYTES, false);
        let mut bytes = text.into_bytes();
        if let Some((at, byte)) = flip {
            let at = at.index(bytes.len());
            bytes[at] = byte;
            assert_same("flipped", &bytes, DEFAULT_MAX_BYTES, false);
        }
        let cut = cut.index(bytes.len() + 1);
        assert_same("cut", &bytes[..cut], DEFAULT_MAX_BYTES, false);
    }

    #[test]
    fn generated_bodies_group_as_the_oracle_does(
        body in body_with(&[
            "cluster_queue", "status", "namespace", "exported_namespace", "name", "job", "pod",
            "instance", "controller", "container",
        ])
    ) {
        assert_same_groups("generated", body.render().as_bytes());
    }
}
