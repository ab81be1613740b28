//! Results crossing to JS as a few flat arrays and one string table, made into objects by
//! `unpack.js` in one JS loop: setting each property from wasm costs a boundary crossing per
//! property and a `TextDecoder` call per string, which on a 50,000-series answer took longer
//! than parsing it.
//!
//! Layouts (all ids index the string table):
//! - pods, per pod: `namespace, pod, unit, container count, series length`, then one id per
//!   container; numbers per pod: `value`, the extra statistics in order, one value per container;
//!   with series, the pod's samples follow the previous pod's in `timestamps` and `values`.
//! - label sets, per set: the count, then `name, value` id pairs.
//! - results: the series' label sets, then per series the `start, end` of its samples in
//!   `timestamps` and `values`; warnings and infos as string ids. Native histogram samples, when
//!   there are any, as their columns with per series the `start, end` of its samples in them.
//!
//! A result given back for aggregation comes the other way, packed by `packResult`.

use std::borrow::Cow;
use std::collections::HashMap;

use rustc_hash::FxBuildHasher as FastHash;
use wasm_bindgen::prelude::*;

use kubeprom::aggregate::{stat, PodTable, Stat};
use kubeprom::response::ResultType;
use kubeprom::response::{Histograms, QueryResult, Series};
use kubeprom_wasm_support::get;

#[wasm_bindgen(module = "/src/unpack.js")]
extern "C" {
    #[wasm_bindgen(js_name = unpackPods)]
    #[allow(clippy::too_many_arguments)]
    fn unpack_pods(
        text: &str,
        ends: &[u32],
        layout: &[u32],
        numbers: &[f64],
        stat_names: &str,
        timestamps: &[f64],
        values: &[f64],
        has_series: bool,
        unattributed: &[u32],
    ) -> JsValue;

    #[wasm_bindgen(js_name = copyPacking)]
    fn copy_packing(
        text: &str,
        ends: &[u32],
        labels: &[u32],
        bounds: &[u32],
        timestamps: &[f64],
        values: &[f64],
        histograms: &JsValue,
    ) -> JsValue;

    #[wasm_bindgen(js_name = copyHistograms)]
    #[allow(clippy::too_many_arguments)]
    fn copy_histograms(
        bounds: &[u32],
        timestamps: &[f64],
        counts: &[f64],
        sums: &[f64],
        bucket_ends: &[u32],
        rules: &[u8],
        lower: &[f64],
        upper: &[f64],
        bucket_counts: &[f64],
    ) -> JsValue;

    #[wasm_bindgen(js_name = packResult)]
    fn pack_result(result: &JsValue) -> JsValue;
}

/// Distinct strings, each stored once, with their ends in UTF-16 units (what JS slices by).
#[derive(Default)]
struct StringTable<'a> {
    text: String,
    ends: Vec<u32>,
    utf16_len: u32,
    ids: HashMap<&'a str, u32, FastHash>,
}

impl<'a> StringTable<'a> {
    /// The id of `s`, adding it when new.
    fn id(&mut self, s: &'a str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.push(s);
        self.ids.insert(s, id);
        id
    }

    /// Adds `s` under a new id without looking it up: for strings that are seldom repeated
    /// (pod names), where the lookup and the map entry would cost more than a second copy.
    fn push(&mut self, s: &str) -> u32 {
        let id = self.ends.len() as u32;
        self.text.push_str(s);
        let units = if s.is_ascii() {
            s.len()
        } else {
            s.encode_utf16().count()
        };
        self.utf16_len += units as u32;
        self.ends.push(self.utf16_len);
        id
    }
}

/// What `unpackPods` gives: `{ pods, unattributed }`.
pub(super) struct PackedPods {
    /// `PodValue[]`.
    pub pods: JsValue,
    /// Label objects of the series without namespace or pod.
    pub unattributed: JsValue,
}

/// The pods of `table` as JS objects; `stats` adds `stats: { name: value }` from each pod's
/// series (the table must have kept them); `with_series` adds the series as `timestamps` and
/// `values` when the table kept them.
pub(super) fn pods_to_js(
    table: &PodTable,
    stats: &[(Stat, &str)],
    with_series: bool,
) -> PackedPods {
    let keep_series = with_series && table.has_series;
    let mut strings = StringTable::default();
    let mut layout = Vec::with_capacity(table.pods.len() * 7);
    let mut numbers = Vec::with_capacity(table.pods.len() * (3 + stats.len()));
    let (mut timestamps, mut values) = (Vec::new(), Vec::new());
    let unit = strings.id(table.unit);
    // Pods come by namespace: most have the namespace of the pod before.
    let mut namespace = None;
    for pod in &table.pods {
        let containers = table.containers(pod);
        let series = table.series(pod);
        let namespace_id = match namespace {
            Some((name, id)) if name == pod.namespace => id,
            _ => strings.id(pod.namespace),
        };
        namespace = Some((pod.namespace, namespace_id));
        layout.push(namespace_id);
        layout.push(strings.push(pod.pod));
        layout.push(unit);
        layout.push(containers.len() as u32);
        let shown = series.filter(|_| keep_series);
        layout.push(shown.map_or(0, |(t, _)| t.len() as u32));
        numbers.push(pod.value);
        let pod_values = series.map_or(&[][..], |(_, v)| v);
        numbers.extend(stats.iter().map(|&(s, _)| stat(pod_values, s)));
        for &(container, value) in containers {
            layout.push(strings.id(container));
            numbers.push(value);
        }
        if let Some((t, v)) = shown {
            timestamps.extend_from_slice(t);
            values.extend_from_slice(v);
        }
    }
    let mut unattributed = Vec::new();
    for labels in &table.unattributed {
        unattributed.push(labels.len() as u32);
        for (name, value) in labels.iter() {
            unattributed.push(strings.id(name));
            unattributed.push(strings.id(value));
        }
    }
    let stat_names = stats
        .iter()
        .map(|&(_, name)| name)
        .collect::<Vec<_>>()
        .join(",");
    let out = unpack_pods(
        &strings.text,
        &strings.ends,
        &layout,
        &numbers,
        &stat_names,
        &timestamps,
        &values,
        keep_series,
        &unattributed,
    );
    PackedPods {
        pods: get(&out, "pods"),
        unattributed: get(&out, "unattributed"),
    }
}

/// Label strings seen at each position of the previous series, with their ids: consecutive
/// series mostly repeat their label names and many values, and comparing with the previous one
/// is cheaper than a lookup in the table.
#[derive(Default)]
struct PositionCache<'a> {
    previous: Vec<Option<(&'a str, u32)>>,
}

impl<'a> PositionCache<'a> {
    fn id(&mut self, at: usize, s: &'a str, table: &mut StringTable<'a>) -> u32 {
        if self.previous.len() <= at {
            self.previous.resize(at + 1, None);
        }
        if let Some((text, id)) = self.previous[at] {
            if text == s {
                return id;
            }
        }
        let id = table.id(s);
        self.previous[at] = Some((s, id));
        id
    }
}

/// A parsed result's series as a packing for `unpack.js`: its labels through one string table,
/// its samples as two arrays (copied into JS).
pub(super) fn packing_to_js(columns: &QueryResult) -> JsValue {
    let mut table = StringTable::default();
    let (mut names, mut values) = (PositionCache::default(), PositionCache::default());
    let mut labels = Vec::with_capacity(columns.series.len() * 25);
    let mut bounds = Vec::with_capacity(columns.series.len() * 2);
    for series in &columns.series {
        labels.push(series.labels.len() as u32);
        for (at, (name, value)) in series.labels.iter().enumerate() {
            labels.push(names.id(at, name, &mut table));
            labels.push(values.id(at, value, &mut table));
        }
        bounds.push(series.start as u32);
        bounds.push(series.end as u32);
    }
    copy_packing(
        &table.text,
        &table.ends,
        &labels,
        &bounds,
        &columns.timestamps,
        &columns.values,
        &histograms_to_js(columns),
    )
}

/// A result's native histogram samples for `unpack.js` (undefined when it has none): per series
/// the `start, end` of its samples in the sample columns, then the columns (see
/// [`kubeprom::response::Histograms`]), copied into JS.
fn histograms_to_js(columns: &QueryResult) -> JsValue {
    let histograms = &columns.histograms;
    if histograms.is_empty() {
        return JsValue::UNDEFINED;
    }
    let bounds: Vec<u32> = columns
        .series
        .iter()
        .flat_map(|s| [s.histograms.start as u32, s.histograms.end as u32])
        .collect();
    let bucket_ends: Vec<u32> = histograms.bucket_ends().iter().map(|&e| e as u32).collect();
    let rules: Vec<u8> = histograms.rules().iter().map(|r| r.code()).collect();
    copy_histograms(
        &bounds,
        histograms.timestamps(),
        histograms.counts(),
        histograms.sums(),
        &bucket_ends,
        &rules,
        histograms.lower_bounds(),
        histograms.upper_bounds(),
        histograms.bucket_counts(),
    )
}

/// A `QueryResult` from JS: the columns kept in wasm behind a result nobody has read or
/// changed, or else what `packResult` packed.
pub(super) enum ResultFromJs {
    /// Kept result `id` (see kept.rs).
    Kept(u32),
    /// A result packed by `packResult`.
    Packed(PackedResult),
}

impl ResultFromJs {
    /// `f` of the result's columns.
    pub(super) fn with_columns<R>(
        &mut self,
        f: impl FnOnce(&QueryResult) -> R,
    ) -> Result<R, JsValue> {
        match self {
            ResultFromJs::Kept(id) => crate::kept::with_columns(*id, f),
            ResultFromJs::Packed(packed) => Ok(f(&packed.columns()?)),
        }
    }
}

/// A `QueryResult` from JS, packed by `packResult` into what a core [`QueryResult`] is made of.
pub(super) struct PackedResult {
    result_type: ResultType,
    text: String,
    ends: Vec<u32>,
    labels: Vec<u32>,
    bounds: Vec<u32>,
    timestamps: Vec<f64>,
    values: Vec<f64>,
}

/// Reads a `QueryResult` given back from JS (as `parseResponse` made it, or built by hand);
/// a result of the wrong shape is an `invalid_argument` error naming the field.
pub(super) fn result_from_js(result: &JsValue) -> Result<ResultFromJs, JsValue> {
    let packed = pack_result(result);
    let field = |key: &str| get(&packed, key);
    if let Some(message) = field("error").as_string() {
        return Err(kubeprom_wasm_support::invalid(message));
    }
    if let Some(id) = field("kept").as_f64() {
        return Ok(ResultFromJs::Kept(id as u32));
    }
    // packResult checked it already.
    let result_type = field("resultType")
        .as_string()
        .and_then(|name| ResultType::parse(&name))
        .ok_or_else(|| {
            kubeprom_wasm_support::invalid("result.resultType: could not be read back")
        })?;
    let u32s = |key: &str| js_sys::Uint32Array::from(field(key)).to_vec();
    let f64s = |key: &str| js_sys::Float64Array::from(field(key)).to_vec();
    Ok(ResultFromJs::Packed(PackedResult {
        result_type,
        text: field("text").as_string().unwrap_or_default(),
        ends: u32s("ends"),
        labels: u32s("labels"),
        bounds: u32s("bounds"),
        timestamps: f64s("timestamps"),
        values: f64s("values"),
    }))
}

impl PackedResult {
    /// The result as columns borrowing its strings (the samples move into them).
    fn columns(&mut self) -> Result<QueryResult<'_>, JsValue> {
        let broken = || {
            kubeprom_wasm_support::invalid("result: could not be read back (inconsistent packing)")
        };
        let table = strings(&self.text, &self.ends).ok_or_else(broken)?;
        let mut series = Vec::with_capacity(self.bounds.len() / 2);
        let mut at = 0;
        for bounds in self.bounds.chunks_exact(2) {
            let count = *self.labels.get(at).ok_or_else(broken)? as usize;
            let pairs = self
                .labels
                .get(at + 1..at + 1 + 2 * count)
                .ok_or_else(broken)?;
            at += 1 + 2 * count;
            let labels = pairs
                .chunks_exact(2)
                .map(|pair| {
                    let name = table.get(pair[0] as usize)?;
                    let value = table.get(pair[1] as usize)?;
                    Some((Cow::Borrowed(*name), Cow::Borrowed(*value)))
                })
                .collect::<Option<Vec<_>>>()
                .ok_or_else(broken)?;
            let (start, end) = (bounds[0] as usize, bounds[1] as usize);
            if start > end || end > self.values.len() || end > self.timestamps.len() {
                return Err(broken());
            }
            series.push(Series::new(labels, start, end));
        }
        Ok(QueryResult {
            result_type: self.result_type,
            series,
            timestamps: std::mem::take(&mut self.timestamps),
            values: std::mem::take(&mut self.values),
            // Aggregations read a histogram sample's count, which `values` holds.
            histograms: Histograms::default(),
            string_value: None,
            warnings: Vec::new(),
            infos: Vec::new(),
            scanned: false,
        })
    }
}

/// The string table, cut at its ends (UTF-16 offsets, as JS counted them).
fn strings<'t>(text: &'t str, ends: &[u32]) -> Option<Vec<&'t str>> {
    let mut out = Vec::with_capacity(ends.len());
    let mut start = 0;
    if text.is_ascii() {
        for &end in ends {
            out.push(text.get(start..end as usize)?);
            start = end as usize;
        }
        return Some(out);
    }
    // Walk the characters, counting UTF-16 units, to find each end's byte offset.
    let mut wanted = ends.iter().copied().peekable();
    let mut units = 0u32;
    for (byte, ch) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        while wanted.peek() == Some(&units) {
            wanted.next();
            out.push(text.get(start..byte)?);
            start = byte;
        }
        units += ch.len_utf16() as u32;
    }
    (out.len() == ends.len()).then_some(out)
}
