//! The fast path from response bytes to per-pod values, in one call: the body is copied into
//! wasm memory once, scanned into columns (no JS object per series or sample) and aggregated;
//! only the per-pod report crosses back. Same numbers and errors as `parseResponse` then
//! `aggregatePodsReport`, bit for bit (tests/fast_path.rs, tests/js/fast_path.test.mjs).

use std::collections::HashMap;

use js_sys::{Array, Float64Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::{error, options};
use crate::aggregate::{
    aggregate_columns, aggregate_pods_from_bytes, stat, AggregateOptions, BytesAggregation, Stat,
};
use crate::response::scan::scan_matrix_in_windows;
use crate::response::DEFAULT_MAX_BYTES;

/// `aggregatePodsFromBytes` options: `maxBytes` and those of `aggregatePods`.
#[derive(Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FromBytesOptions {
    max_bytes: Option<f64>,
    unit: Option<String>,
    source_unit: Option<String>,
    #[serde(default)]
    stat: Stat,
    #[serde(default)]
    keep_series: bool,
    /// More statistics at once: each pod gets `stats: { last, avg, ... }`, every one equal to
    /// `value` of a call with that `stat`, without returning the pod's series.
    stats: Option<Vec<Stat>>,
}

/// Per-pod values straight from a query or query_range response body, with what was left out
/// and the response's warnings and infos.
#[wasm_bindgen(js_name = aggregatePodsFromBytes)]
pub fn aggregate_pods_from_bytes_js(body: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
    let opts: FromBytesOptions = options(opts, "options")?;
    let max_bytes = opts
        .max_bytes
        .map_or(DEFAULT_MAX_BYTES, |m| m.max(0.0) as usize);
    let aggregate = AggregateOptions {
        unit: opts.unit,
        source_unit: opts.source_unit,
        stat: opts.stat,
        // The extra statistics are taken from the pod series.
        keep_series: opts.keep_series || opts.stats.is_some(),
    };
    let shape = Shape {
        stats: opts.stats.unwrap_or_default(),
        keep_series: opts.keep_series,
    };
    if let Some(result) = in_windows(&body, max_bytes, &aggregate)? {
        return Ok(report_to_js(&result, &shape));
    }
    let bytes = super::core::body_within(&body, max_bytes)?;
    let result = aggregate_pods_from_bytes(&bytes, max_bytes, &aggregate)
        .map_err(|e| error(e.kind(), &e.to_string(), None, None))?;
    // The copy of a large body goes back to the allocator before the report is built.
    drop(bytes);
    Ok(report_to_js(&result, &shape))
}

/// What the report carries per pod besides `value`.
struct Shape {
    stats: Vec<Stat>,
    keep_series: bool,
}

fn stat_name(stat: Stat) -> &'static str {
    match stat {
        Stat::Last => "last",
        Stat::Avg => "avg",
        Stat::Min => "min",
        Stat::Max => "max",
        Stat::P50 => "p50",
        Stat::P95 => "p95",
        Stat::P99 => "p99",
    }
}

/// Bytes copied into wasm memory at a time when a large matrix is read in windows.
const WINDOW: usize = 1 << 20;

/// A large matrix body read a window at a time, so wasm memory holds the samples but never the
/// whole body; `None` when the body is small or not laid out as Prometheus writes a matrix.
fn in_windows(
    body: &JsValue,
    max_bytes: usize,
    opts: &AggregateOptions,
) -> Result<Option<BytesAggregation>, JsValue> {
    let view = if let Some(bytes) = body.dyn_ref::<Uint8Array>() {
        bytes.clone()
    } else if body.is_instance_of::<js_sys::ArrayBuffer>() {
        Uint8Array::new(body)
    } else {
        return Ok(None);
    };
    let total = view.length() as usize;
    if total <= 4 * WINDOW || total > max_bytes {
        return Ok(None);
    }
    let columns = scan_matrix_in_windows(total, max_bytes, WINDOW, |at, buf, len| {
        let start = buf.len();
        buf.resize(start + len, 0);
        view.subarray(at as u32, (at + len) as u32)
            .copy_to(&mut buf[start..]);
    });
    let Some(columns) = columns else {
        return Ok(None);
    };
    let aggregation = aggregate_columns(&columns, opts)
        .map_err(|e| error(e.kind(), &e.to_string(), None, None))?;
    Ok(Some(BytesAggregation {
        result_type: columns.result_type,
        aggregation,
        warnings: columns.warnings,
        infos: columns.infos,
    }))
}

/// Property keys and repeated strings made into JS strings once per call, not once per pod.
struct Strings {
    cache: HashMap<String, JsValue>,
}

impl Strings {
    fn get(&mut self, text: &str) -> JsValue {
        if let Some(value) = self.cache.get(text) {
            return value.clone();
        }
        let value = JsValue::from_str(text);
        self.cache.insert(text.to_owned(), value.clone());
        value
    }
}

fn put(target: &JsValue, key: &JsValue, value: &JsValue) {
    // Reflect.set only fails on frozen objects or proxies, and every target here is fresh.
    let _ = Reflect::set(target, key, value);
}

fn report_to_js(result: &BytesAggregation, shape: &Shape) -> JsValue {
    let mut strings = Strings {
        cache: HashMap::new(),
    };
    let agg = &result.aggregation;
    let [k_namespace, k_pod, k_value, k_unit, k_containers, k_container, k_timestamps, k_values] =
        [
            "namespace",
            "pod",
            "value",
            "unit",
            "containers",
            "container",
            "timestamps",
            "values",
        ]
        .map(JsValue::from_str);
    let k_stats = JsValue::from_str("stats");
    // Indexed by `Stat as usize`: the enum's declaration order.
    let k_stat = Stat::ALL.map(|s| JsValue::from_str(stat_name(s)));
    let pods = Array::new_with_length(agg.pods.len() as u32);
    for (i, pod) in agg.pods.iter().enumerate() {
        let item: JsValue = Object::new().into();
        put(&item, &k_namespace, &strings.get(&pod.namespace));
        put(&item, &k_pod, &JsValue::from_str(&pod.pod));
        put(&item, &k_value, &JsValue::from_f64(pod.value));
        put(&item, &k_unit, &strings.get(&pod.unit));
        let containers = Array::new_with_length(pod.containers.len() as u32);
        for (j, c) in pod.containers.iter().enumerate() {
            let entry: JsValue = Object::new().into();
            put(&entry, &k_container, &strings.get(&c.container));
            put(&entry, &k_value, &JsValue::from_f64(c.value));
            containers.set(j as u32, entry);
        }
        put(&item, &k_containers, &containers.into());
        if let Some((timestamps, values)) = &pod.series {
            if !shape.stats.is_empty() {
                let stats: JsValue = Object::new().into();
                for &s in &shape.stats {
                    put(
                        &stats,
                        &k_stat[s as usize],
                        &JsValue::from_f64(stat(values, s)),
                    );
                }
                put(&item, &k_stats, &stats);
            }
            if shape.keep_series {
                put(
                    &item,
                    &k_timestamps,
                    &Float64Array::from(&timestamps[..]).into(),
                );
                put(&item, &k_values, &Float64Array::from(&values[..]).into());
            }
        }
        pods.set(i as u32, item);
    }
    let report: JsValue = Object::new().into();
    let field = |key: &str, value: &JsValue| put(&report, &JsValue::from_str(key), value);
    field("resultType", &result.result_type.as_str().into());
    field("pods", &pods.into());
    let unattributed = Array::new_with_length(agg.unattributed.len() as u32);
    for (i, labels) in agg.unattributed.iter().enumerate() {
        let obj: JsValue = Object::new().into();
        for (k, v) in labels {
            put(&obj, &strings.get(k), &JsValue::from_str(v));
        }
        unattributed.set(i as u32, obj);
    }
    field("unattributed", &unattributed.into());
    field("droppedDuplicates", &(agg.dropped_duplicates as f64).into());
    field("skippedSamples", &(agg.skipped_samples as f64).into());
    let texts = |list: &[String]| -> JsValue {
        list.iter()
            .map(|s| JsValue::from_str(s))
            .collect::<Array>()
            .into()
    };
    field("warnings", &texts(&result.warnings));
    field("infos", &texts(&result.infos));
    report
}
