//! `planRecommendation` and `recommendResources`: right-sizing's queries, and the
//! recommendation from their answers.

use js_sys::Object;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::core::query_error;
use crate::packed::result_from_js;
use kubeprom::recommend::{
    self, container_values, Answers, ContainerAdvice, Need, Plan, PlannedQuery, RecommendSpec,
};
use kubeprom_wasm_support::{get, invalid, struct_from_js, to_js};

/// What `recommendResources` returns.
#[derive(Serialize)]
struct Recommendation<'a> {
    containers: Vec<ContainerAdvice>,
    queries: &'a [PlannedQuery],
}

/// Reads and plans a `RecommendSpec`.
pub(crate) fn planned(spec: JsValue) -> Result<(RecommendSpec, Plan), JsValue> {
    if !spec.is_object() {
        return Err(invalid(
            "spec: expected an object with `namespace` (and `workload`)",
        ));
    }
    let spec: RecommendSpec = struct_from_js(spec, "spec")?;
    let plan = recommend::plan(&spec).map_err(query_error)?;
    Ok((spec, plan))
}

/// The recommendation as JS: per container, and the PromQL it came from.
pub(crate) fn recommendation_to_js(
    spec: &RecommendSpec,
    plan: &Plan,
    answers: &Answers,
) -> JsValue {
    to_js(&Recommendation {
        containers: recommend::recommend(spec, plan, answers),
        queries: &plan.queries,
    })
}

/// The instant queries a recommendation needs, each with the name its answer goes under.
#[wasm_bindgen(js_name = planRecommendation)]
pub fn plan_recommendation(spec: JsValue) -> Result<JsValue, JsValue> {
    let (_, plan) = planned(spec)?;
    let out: JsValue = Object::new().into();
    kubeprom_wasm_support::set(&out, "queries", &to_js(&plan.queries));
    Ok(out)
}

/// The recommendation from the answers of `planRecommendation`'s queries, keyed by `need`.
#[wasm_bindgen(js_name = recommendResources)]
pub fn recommend_resources(spec: JsValue, answers: JsValue) -> Result<JsValue, JsValue> {
    let (spec, plan) = planned(spec)?;
    if !answers.is_object() {
        return Err(invalid(
            "answers: expected an object of QueryResults keyed by planRecommendation's `need`s",
        ));
    }
    let mut read = Answers::new();
    for need in Need::ALL {
        let result = get(&answers, need.name());
        if result.is_undefined() {
            return Err(invalid(format!(
                "answers.{}: missing; run every query of planRecommendation",
                need.name()
            )));
        }
        let values = result_from_js(&result)?.with_columns(container_values)?;
        read.insert(need, values);
    }
    Ok(recommendation_to_js(&spec, &plan, &read))
}

/// The right-sizing method as Prometheus rules over every workload: recording rules and alert
/// conditions (see `RightSizingRules` in index.d.ts).
#[wasm_bindgen(js_name = rightSizingRules)]
pub fn right_sizing_rules(spec: JsValue) -> Result<JsValue, JsValue> {
    let spec: recommend::RulesSpec = kubeprom_wasm_support::options(spec, "spec")?;
    recommend::right_sizing_rules(&spec)
        .map(|rules| to_js(&rules))
        .map_err(query_error)
}
