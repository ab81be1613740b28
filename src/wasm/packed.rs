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

use std::collections::HashMap;

use rustc_hash::FxBuildHasher as FastHash;
use wasm_bindgen::prelude::*;

use crate::aggregate::{stat, Aggregation, Stat};

#[wasm_bindgen(module = "/src/wasm/unpack.js")]
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
}

/// Distinct strings, each stored once, with their ends in UTF-16 units (what JS slices by).
#[derive(Default)]
pub(super) struct StringTable<'a> {
    text: String,
    ends: Vec<u32>,
    utf16_len: u32,
    ids: HashMap<&'a str, u32, FastHash>,
}

impl<'a> StringTable<'a> {
    /// The id of `s`, adding it when new.
    pub(super) fn id(&mut self, s: &'a str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.ends.len() as u32;
        self.text.push_str(s);
        let units = if s.is_ascii() {
            s.len()
        } else {
            s.encode_utf16().count()
        };
        self.utf16_len += units as u32;
        self.ends.push(self.utf16_len);
        self.ids.insert(s, id);
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

/// The pods of `aggregation` as JS objects; `stats` adds `stats: { name: value }` from each
/// pod's series (the aggregation must have kept them); `with_series` adds the series as
/// `timestamps` and `values` when the aggregation kept them.
pub(super) fn pods_to_js(
    aggregation: &Aggregation,
    stats: &[(Stat, &str)],
    with_series: bool,
) -> PackedPods {
    let keep_series = with_series && aggregation.pods.iter().all(|p| p.series.is_some());
    let mut table = StringTable::default();
    let mut layout = Vec::with_capacity(aggregation.pods.len() * 7);
    let mut numbers = Vec::with_capacity(aggregation.pods.len() * (3 + stats.len()));
    let (mut timestamps, mut values) = (Vec::new(), Vec::new());
    for pod in &aggregation.pods {
        layout.push(table.id(&pod.namespace));
        layout.push(table.id(&pod.pod));
        layout.push(table.id(&pod.unit));
        layout.push(pod.containers.len() as u32);
        let series = pod.series.as_ref().filter(|_| keep_series);
        layout.push(series.map_or(0, |(t, _)| t.len() as u32));
        numbers.push(pod.value);
        let pod_values = pod.series.as_ref().map_or(&[][..], |(_, v)| &v[..]);
        numbers.extend(stats.iter().map(|&(s, _)| stat(pod_values, s)));
        for container in &pod.containers {
            layout.push(table.id(&container.container));
            numbers.push(container.value);
        }
        if let Some((t, v)) = series {
            timestamps.extend_from_slice(t);
            values.extend_from_slice(v);
        }
    }
    let mut unattributed = Vec::new();
    for labels in &aggregation.unattributed {
        unattributed.push(labels.len() as u32);
        for (name, value) in labels {
            unattributed.push(table.id(name));
            unattributed.push(table.id(value));
        }
    }
    let stat_names = stats
        .iter()
        .map(|&(_, name)| name)
        .collect::<Vec<_>>()
        .join(",");
    let out = unpack_pods(
        &table.text,
        &table.ends,
        &layout,
        &numbers,
        &stat_names,
        &timestamps,
        &values,
        keep_series,
        &unattributed,
    );
    let field = |key: &str| {
        js_sys::Reflect::get(&out, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    };
    PackedPods {
        pods: field("pods"),
        unattributed: field("unattributed"),
    }
}
