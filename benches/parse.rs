//! Response bytes to numbers, natively, on the browser bench's inputs (www/bench/generate.mjs;
//! generated with node when missing): kubeprom's scanner beside serde_json into typed structs
//! with borrowed strings, serde_json into `Value`, and kubeprom's serde reading (the scanner's
//! fallback) and the stream scanner fed 64 KiB chunks; then bytes to per-pod values.
//!
//! `cargo bench --bench parse` (criterion; reports MB/s as throughput).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kubeprom::aggregate::{aggregate_pods_from_bytes, AggregateOptions, Stat};
use kubeprom::response::scan::ResultStream;
use kubeprom::response::{parse_query_response, parse_query_response_serde, DEFAULT_MAX_BYTES};
use serde::Deserialize;

const INPUTS: &[&str] = &[
    "matrix-2000",
    "matrix-200",
    "vector-50000",
    "vector-pods-50000",
    "vector-pods-12500x4",
];

fn input(name: &str) -> Vec<u8> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("www/bench/.data").join(format!("{name}.json"));
    if !path.exists() {
        let status = Command::new("node")
            .arg(root.join("www/bench/generate.mjs"))
            .status()
            .expect("node must be installed to generate the bench inputs");
        assert!(status.success(), "www/bench/generate.mjs failed");
    }
    std::fs::read(&path).expect("bench input")
}

/// The typed serde_json baseline: structs with borrowed strings, values parsed afterwards.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    status: &'a str,
    #[serde(borrow)]
    data: Data<'a>,
}

#[derive(Deserialize)]
struct Data<'a> {
    #[serde(rename = "resultType", borrow)]
    result_type: &'a str,
    #[serde(borrow)]
    result: Vec<TypedSeries<'a>>,
}

#[derive(Deserialize)]
struct TypedSeries<'a> {
    #[serde(borrow)]
    metric: BTreeMap<Cow<'a, str>, Cow<'a, str>>,
    #[serde(borrow, default)]
    values: Vec<(f64, &'a str)>,
    #[serde(borrow, default)]
    value: Option<(f64, &'a str)>,
}

/// Sum of all values, so every sample is parsed and used.
fn typed(body: &[u8]) -> f64 {
    let envelope: Envelope = serde_json::from_slice(body).expect("typed parse");
    assert_eq!(
        (envelope.status, !envelope.data.result_type.is_empty()),
        ("success", true)
    );
    let mut sum = 0.0;
    for s in &envelope.data.result {
        black_box(&s.metric);
        for (t, v) in s.values.iter().chain(s.value.iter()) {
            sum += t + v.parse::<f64>().unwrap_or(f64::NAN);
        }
    }
    sum
}

fn value_tree(body: &[u8]) -> usize {
    let value: serde_json::Value = serde_json::from_slice(body).expect("Value parse");
    value["data"]["result"].as_array().map_or(0, Vec::len)
}

fn bench(c: &mut Criterion) {
    let opts = AggregateOptions {
        stat: Stat::P95,
        ..Default::default()
    };
    for name in INPUTS {
        let body = input(name);
        let mut group = c.benchmark_group(*name);
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.sample_size(10);
        group.warm_up_time(Duration::from_secs(1));
        group.measurement_time(Duration::from_secs(4));
        group.bench_function("kubeprom scan", |b| {
            b.iter(|| {
                parse_query_response(black_box(&body), DEFAULT_MAX_BYTES).map(|c| c.values.len())
            })
        });
        group.bench_function("serde_json typed", |b| b.iter(|| typed(black_box(&body))));
        group.bench_function("serde_json Value", |b| {
            b.iter(|| value_tree(black_box(&body)))
        });
        group.bench_function("kubeprom serde reading", |b| {
            b.iter(|| {
                parse_query_response_serde(black_box(&body), DEFAULT_MAX_BYTES)
                    .map(|r| r.series.len())
            })
        });
        group.bench_function("kubeprom stream scan, 64 KiB chunks", |b| {
            b.iter(|| {
                let mut stream = ResultStream::new(Some(body.len()));
                for chunk in black_box(&body).chunks(1 << 16) {
                    stream.push(chunk);
                }
                stream.finish().map(|c| c.values.len())
            })
        });
        group.bench_function("bytes to pods", |b| {
            b.iter(|| {
                aggregate_pods_from_bytes(black_box(&body), DEFAULT_MAX_BYTES, &opts)
                    .map(|a| a.aggregation.pods.len())
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
