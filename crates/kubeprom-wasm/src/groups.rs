//! `aggregateGroups`: the per-pod rules for any group and part labels (Kueue queues and their
//! statuses, controllers, scrape targets). Groups are few, so they cross as plain objects.

use js_sys::{Array, Float64Array, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::{labels_to_js, query_error, set_left_out};
use crate::packed;
use kubeprom::aggregate::{
    aggregate_groups, AggregateOptions, Combine, GroupLabel, GroupedAggregation, Grouping,
};
use kubeprom_wasm_support::{get, invalid, options_beside, set};

/// `value` as a list of strings, or `not_names()` when it is not one.
fn strings(value: &JsValue, not_names: impl Fn() -> JsValue) -> Result<Vec<String>, JsValue> {
    let list: &Array = value.dyn_ref().ok_or_else(&not_names)?;
    list.iter()
        .map(|n| n.as_string().ok_or_else(&not_names))
        .collect()
}

/// `opts.group`: each entry a label name or a list of alternative names; with the first name
/// of each, which names the group's `labels`.
fn group_labels(opts: &JsValue) -> Result<(Vec<GroupLabel>, Vec<String>), JsValue> {
    let entries = get(opts, "group");
    if entries.is_undefined() {
        return Ok((Vec::new(), Vec::new()));
    }
    let not_names = || invalid("options.group: expected an array of label names or lists of names");
    let entries: Array = entries.dyn_into().map_err(|_| not_names())?;
    let mut group = Vec::new();
    let mut first_names = Vec::new();
    for entry in entries.iter() {
        let names: Vec<String> = match entry.as_string() {
            Some(name) => vec![name],
            None => strings(&entry, not_names)?,
        };
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        group.push(GroupLabel::any_of(&refs).map_err(query_error)?);
        first_names.push(names.into_iter().next().unwrap_or_default());
    }
    Ok((group, first_names))
}

/// `opts.part`, `opts.identity` and `opts.combine`, read by hand like `group`: the rest of the
/// options are `AggregateOptions`, whose reader the module already has.
fn grouping_of(opts: &JsValue, group: Vec<GroupLabel>) -> Result<Grouping, JsValue> {
    let text = |key: &str| -> Result<Option<String>, JsValue> {
        let value = get(opts, key);
        if value.is_undefined() {
            return Ok(None);
        }
        value
            .as_string()
            .map(Some)
            .ok_or_else(|| invalid(format!("options.{key}: expected a string")))
    };
    let part = text("part")?;
    let combine = match text("combine")?.as_deref() {
        None | Some("sum") => Combine::Sum,
        Some("max") => Combine::Max,
        Some(other) => {
            return Err(invalid(format!(
                "options.combine: expected 'sum' or 'max', got {other:?}"
            )))
        }
    };
    let identity = get(opts, "identity");
    let identity: Vec<String> = if identity.is_undefined() {
        Vec::new()
    } else {
        strings(&identity, || {
            invalid("options.identity: expected an array of label names")
        })?
    };
    if group.is_empty() && part.is_none() {
        // Everything in one group is legal, but options without either are almost always a
        // forgotten `group`.
        return Err(invalid(
            "options.group: name the group labels (or a part label to split one group)",
        ));
    }
    let identity: Vec<&str> = identity.iter().map(String::as_str).collect();
    Ok(Grouping::new(group, part.as_deref())
        .map_err(query_error)?
        .with_identity(&identity)
        .with_combine(combine))
}

/// One value per group of the given labels, parts combined once each.
#[wasm_bindgen(js_name = aggregateGroups)]
pub fn aggregate_groups_js(result: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
    let (group, names) = group_labels(&opts)?;
    let grouping = grouping_of(&opts, group)?;
    let opts: AggregateOptions =
        options_beside(opts, "options", &["group", "part", "identity", "combine"])?;
    let aggregation = packed::result_from_js(&result)?
        .with_columns(|columns| aggregate_groups(columns, &grouping, &opts))?
        .map_err(query_error)?;
    Ok(report_to_js(&aggregation, &names))
}

fn report_to_js(aggregation: &GroupedAggregation, names: &[String]) -> JsValue {
    let groups: Array = aggregation
        .groups
        .iter()
        .map(|g| {
            let group: JsValue = Object::new().into();
            let key: Array = g.key.iter().map(|k| JsValue::from_str(k)).collect();
            set(&group, "key", &key);
            let labels: Vec<(String, String)> = names.iter().cloned().zip(g.key.clone()).collect();
            set(&group, "labels", &labels_to_js(&labels));
            set(&group, "value", &g.value.into());
            set(&group, "unit", &g.unit.as_str().into());
            let parts: Array = g
                .parts
                .iter()
                .map(|p| {
                    let part: JsValue = Object::new().into();
                    set(&part, "part", &p.part.as_str().into());
                    set(&part, "value", &p.value.into());
                    part
                })
                .collect();
            set(&group, "parts", &parts);
            if let Some((timestamps, values)) = &g.series {
                set(&group, "timestamps", &Float64Array::from(&timestamps[..]));
                set(&group, "values", &Float64Array::from(&values[..]));
            }
            group
        })
        .collect();
    let unattributed: Array = aggregation
        .unattributed
        .iter()
        .map(|labels| labels_to_js(labels))
        .collect();
    let report: JsValue = Object::new().into();
    set(&report, "groups", &groups);
    set(&report, "unattributed", &unattributed);
    set_left_out(
        &report,
        aggregation.dropped_duplicates,
        aggregation.skipped_samples,
    );
    report
}
