//! The fast path from response bytes to per-pod values, in one call: the body is copied into
//! wasm memory once, scanned into columns (no JS object per series or sample) and aggregated;
//! only the per-pod report crosses back. Same numbers and errors as `parseResponse` then
//! `aggregatePodsReport`, bit for bit (tests/fast_path.rs, tests/js/fast_path.test.mjs).

use js_sys::{Array, Object, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::query_error;
use crate::packed::{pods_to_js, PackedPods};
use kubeprom::aggregate::{
    aggregate_pod_table, AggregateOptions, Order, PodRef, PodSelection, Stat,
};
use kubeprom::query::QueryError;
use kubeprom::response::scan::scan_matrix_in_windows;
use kubeprom::response::{parse_query_response, QueryResult, DEFAULT_MAX_BYTES};
use kubeprom_wasm_support::{error, get, invalid, options_beside, set};

/// Options of the per-pod calls (`aggregatePods`, `aggregatePodsReport`,
/// `aggregatePodsFromBytes`): those of the core's aggregation, `stats`, the pod selection and,
/// for bytes only, `maxBytes`.
#[derive(Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PodOptions {
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
    /// Only the first `top` pods by value (in `order`), picked in wasm.
    top: Option<f64>,
    #[serde(default)]
    order: Order,
}

/// A per-pod call's options, read and checked once.
pub(crate) struct PodCall {
    /// `maxBytes`, when given.
    pub max_bytes: Option<usize>,
    pub aggregate: AggregateOptions,
    pub selection: PodSelection,
    shape: Shape,
}

impl PodCall {
    /// Reads the options of a per-pod call.
    pub fn read(opts: JsValue) -> Result<PodCall, JsValue> {
        let pods = pod_refs(&opts)?;
        let opts: PodOptions = options_beside(opts, "options", &["pods"])?;
        Ok(PodCall {
            max_bytes: opts.max_bytes.map(|m| m.max(0.0) as usize),
            aggregate: AggregateOptions {
                unit: opts.unit,
                source_unit: opts.source_unit,
                stat: opts.stat,
                // The extra statistics are taken from the pod series.
                keep_series: opts.keep_series || opts.stats.is_some(),
            },
            selection: PodSelection {
                pods,
                top: opts.top.map(|n| (n.max(0.0) as usize, opts.order)),
            },
            shape: Shape {
                stats: opts.stats.unwrap_or_default(),
                keep_series: opts.keep_series,
            },
        })
    }

    /// The pods of `columns` as the call picks them, with what was left out and the count
    /// before the pick.
    pub fn report(&self, columns: &QueryResult) -> Result<PodReport, QueryError> {
        let mut table = aggregate_pod_table(columns, &self.aggregate)?;
        let total = table.select(&self.selection);
        let stats: Vec<(Stat, &str)> = self
            .shape
            .stats
            .iter()
            .map(|&s| (s, stat_name(s)))
            .collect();
        Ok(PodReport {
            pods: pods_to_js(&table, &stats, self.shape.keep_series),
            total,
            dropped_duplicates: table.dropped_duplicates,
            skipped_samples: table.skipped_samples,
        })
    }
}

/// A per-pod call's answer.
pub(crate) struct PodReport {
    pub pods: PackedPods,
    /// Pods before `top` and `pods` picked some.
    total: usize,
    dropped_duplicates: usize,
    skipped_samples: usize,
}

impl PodReport {
    /// The report object: its pods, the series of no pod, what was left out and the number of
    /// pods before the pick.
    pub fn to_js(&self) -> JsValue {
        let report: JsValue = Object::new().into();
        set(&report, "pods", &self.pods.pods);
        set(&report, "unattributed", &self.pods.unattributed);
        crate::core::set_left_out(&report, self.dropped_duplicates, self.skipped_samples);
        set(&report, "totalPods", &(self.total as f64).into());
        report
    }
}

/// `opts.pods`, read by hand: a serde reader for one more struct would add kilobytes to the
/// module for two strings per entry.
fn pod_refs(opts: &JsValue) -> Result<Option<Vec<PodRef>>, JsValue> {
    let list = get(opts, "pods");
    if list.is_undefined() || list.is_null() {
        return Ok(None);
    }
    let bad = || invalid("options.pods: expected an array of { namespace, pod }");
    let list: Array = list.dyn_into().map_err(|_| bad())?;
    list.iter()
        .map(|entry| {
            let text = |key| get(&entry, key).as_string().ok_or_else(bad);
            Ok(PodRef {
                namespace: text("namespace")?,
                pod: text("pod")?,
            })
        })
        .collect::<Result<Vec<_>, JsValue>>()
        .map(Some)
}

/// Per-pod values straight from a query or query_range response body, with what was left out
/// and the response's warnings and infos.
#[wasm_bindgen(js_name = aggregatePodsFromBytes)]
pub fn aggregate_pods_from_bytes_js(body: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
    let call = PodCall::read(opts)?;
    let max_bytes = call.max_bytes.unwrap_or(DEFAULT_MAX_BYTES);
    if let Some(columns) = in_windows(&body, max_bytes)? {
        return bytes_report(&call, &columns);
    }
    let bytes = crate::core::body_within(&body, max_bytes)?;
    // A body error comes before an options error, as in the core's `aggregate_pods_from_bytes`.
    let columns = parse_query_response(&bytes, max_bytes).map_err(|e| {
        let err = error(e.kind(), &e.to_string(), None, None);
        crate::core::with_raw_error_type(err, e.raw_error_type())
    })?;
    bytes_report(&call, &columns)
}

/// The report of a call that read a body: the pods as `call` picks them, what was left out, the
/// result type and the response's warnings and infos.
pub(crate) fn bytes_report(call: &PodCall, columns: &QueryResult) -> Result<JsValue, JsValue> {
    let report = call.report(columns).map_err(query_error)?.to_js();
    set(&report, "resultType", &columns.result_type.as_str().into());
    let texts = |list: &[String]| -> JsValue {
        list.iter()
            .map(|s| JsValue::from_str(s))
            .collect::<Array>()
            .into()
    };
    set(&report, "warnings", &texts(&columns.warnings));
    set(&report, "infos", &texts(&columns.infos));
    Ok(report)
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
fn in_windows(body: &JsValue, max_bytes: usize) -> Result<Option<QueryResult<'static>>, JsValue> {
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
    Ok(scan_matrix_in_windows(
        total,
        max_bytes,
        WINDOW,
        |at, buf, len| {
            view.subarray(at as u32, (at + len) as u32).copy_to(buf);
        },
    ))
}
