//! Parsed results kept in wasm memory behind the `QueryResult` objects that `parseResponse` and
//! the client return. The per-pod, per-group and right-sizing calls then read the columns where
//! the scanner left them (labels still borrowed from the body), instead of every label being
//! packed into JS and back: on a 50,000-series answer that round trip cost more than the
//! aggregation.
//!
//! The JS half (`unpack.js`) owns the lifecycle. A result makes its `series` from the columns
//! when they are first read; JS then holds its own copy, and the columns here are released. A
//! result nobody reads is released when it is garbage-collected (a `FinalizationRegistry`), or
//! moved out to JS as a copy of its body once the kept results pass a byte budget, to be kept
//! again if it is used. wasm memory never shrinks, so the budget bounds what the page keeps
//! whatever the garbage collector does.

use std::cell::RefCell;
use std::collections::HashMap;
use std::mem::size_of;

use js_sys::{Array, Uint8Array};
use rustc_hash::FxBuildHasher as FastHash;
use wasm_bindgen::prelude::*;

use kubeprom::response::{self, QueryResult, ResponseError, Series};

self_cell::self_cell!(
    /// A response body with its columns, whose labels borrow from it.
    struct Columns {
        owner: Vec<u8>,
        #[covariant]
        dependent: QueryResult,
    }
);

#[wasm_bindgen(module = "/src/unpack.js")]
extern "C" {
    /// Gives the JS half its ways back into the kept columns (once, on first use).
    #[wasm_bindgen(js_name = installKeeper)]
    fn install_keeper(pack: &JsValue, release: &JsValue, body: &JsValue, keep_again: &JsValue);

    /// The JS `QueryResult` of kept result `id`.
    #[wasm_bindgen(js_name = keptResult)]
    #[allow(clippy::too_many_arguments)]
    fn kept_result(
        id: u32,
        bytes: f64,
        max_bytes: f64,
        result_type: &str,
        warnings: Array,
        infos: Array,
        string_value: JsValue,
    ) -> JsValue;
}

/// The kept results by id.
#[derive(Default)]
struct Kept {
    next_id: u32,
    results: HashMap<u32, Columns, FastHash>,
    keeper_installed: bool,
}

thread_local! {
    static KEPT: RefCell<Kept> = RefCell::new(Kept::default());
}

/// The JS `QueryResult` of a body, its columns kept here. A body that does not parse comes back
/// with the error, for the caller's own reading of it (the client's status-aware errors).
pub(crate) fn keep(body: Vec<u8>, max_bytes: usize) -> Result<JsValue, (Vec<u8>, ResponseError)> {
    let columns =
        Columns::try_new_or_recover(body, |body| response::parse_query_response(body, max_bytes))?;
    let result = columns.borrow_dependent();
    let bytes = estimated_bytes(columns.borrow_owner(), result) as f64;
    let result_type = result.result_type.as_str();
    let strings = |list: &[String]| list.iter().map(|s| JsValue::from_str(s)).collect::<Array>();
    let (warnings, infos) = (strings(&result.warnings), strings(&result.infos));
    let string_value = result
        .string_value
        .as_deref()
        .map_or(JsValue::UNDEFINED, JsValue::from_str);
    let id = insert(columns);
    // Called with nothing borrowed: keptResult may spill older results, which calls `body`.
    Ok(kept_result(
        id,
        bytes,
        max_bytes as f64,
        result_type,
        warnings,
        infos,
        string_value,
    ))
}

/// Keeps `columns` under a new id.
fn insert(columns: Columns) -> u32 {
    let install = KEPT.with(|kept| {
        let mut kept = kept.borrow_mut();
        !std::mem::replace(&mut kept.keeper_installed, true)
    });
    if install {
        install_keeper(
            &Closure::<dyn Fn(u32) -> JsValue>::new(pack).into_js_value(),
            &Closure::<dyn Fn(u32)>::new(release).into_js_value(),
            &Closure::<dyn Fn(u32) -> JsValue>::new(body).into_js_value(),
            &Closure::<dyn Fn(Uint8Array, f64) -> Result<u32, JsValue>>::new(keep_again)
                .into_js_value(),
        );
    }
    KEPT.with(|kept| {
        let mut kept = kept.borrow_mut();
        let id = kept.next_id;
        kept.next_id = kept.next_id.wrapping_add(1);
        kept.results.insert(id, columns);
        id
    })
}

/// What a kept result holds in wasm memory, roughly: its body, samples and label lists.
fn estimated_bytes(body: &[u8], result: &QueryResult) -> usize {
    let labels: usize = result.series.iter().map(|s| s.labels.len()).sum();
    body.len()
        + result.series.len() * size_of::<Series>()
        + labels * size_of::<response::scan::Label>()
        + (result.timestamps.len() + result.values.len()) * size_of::<f64>()
        + histogram_bytes(&result.histograms)
}

/// The native histograms' columns: per sample its time, count, sum and bucket end; per bucket
/// its rule, bounds and count.
fn histogram_bytes(histograms: &response::Histograms) -> usize {
    histograms.len() * (3 * size_of::<f64>() + size_of::<usize>())
        + histograms.lower_bounds().len()
            * (3 * size_of::<f64>() + size_of::<response::BoundaryRule>())
}

/// `f` of kept result `id`'s columns; an `internal` error when it is no longer kept.
pub(crate) fn with_columns<R>(id: u32, f: impl FnOnce(&QueryResult) -> R) -> Result<R, JsValue> {
    KEPT.with(|kept| {
        kept.borrow()
            .results
            .get(&id)
            .map(|columns| f(columns.borrow_dependent()))
    })
    .ok_or_else(|| {
        kubeprom_wasm_support::error(
            "internal",
            "result: its parsed columns were already released (a kubeprom bug)",
            None,
            None,
        )
    })
}

/// `f` of kept result `id`, or undefined when it is no longer kept.
fn of_kept(id: u32, f: impl FnOnce(&Columns) -> JsValue) -> JsValue {
    KEPT.with(|kept| kept.borrow().results.get(&id).map_or(JsValue::UNDEFINED, f))
}

/// The packing of kept result `id` (see packed.rs), or undefined when it is no longer kept.
fn pack(id: u32) -> JsValue {
    of_kept(id, |columns| {
        crate::packed::packing_to_js(columns.borrow_dependent())
    })
}

/// A copy of kept result `id`'s body (JS-owned), or undefined when it is no longer kept.
fn body(id: u32) -> JsValue {
    of_kept(id, |columns| {
        Uint8Array::from(columns.borrow_owner().as_slice()).into()
    })
}

/// Keeps a body that was kept before (and handed to JS by `body`) again, under a new id.
fn keep_again(body: Uint8Array, max_bytes: f64) -> Result<u32, JsValue> {
    let columns = Columns::try_new(body.to_vec(), |body| {
        response::parse_query_response(body, max_bytes as usize)
    })
    .map_err(|e| kubeprom_wasm_support::error(e.kind(), &e.to_string(), None, None))?;
    Ok(insert(columns))
}

/// Frees kept result `id` (again: nothing).
fn release(id: u32) {
    // Taken out first, so that the columns are dropped with nothing borrowed.
    let columns = KEPT.with(|kept| kept.borrow_mut().results.remove(&id));
    drop(columns);
}
