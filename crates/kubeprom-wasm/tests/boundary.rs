//! The wasm boundary in a real browser (`wasm-pack test --headless --chrome crates/kubeprom-wasm`):
//! errors become KubepromError-shaped values with a kind, typed arrays come back, and the module
//! keeps working after an error.
#![cfg(target_arch = "wasm32")]

use js_sys::{Float64Array, Reflect};
use kubeprom_wasm as wasm;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap()
}

fn spec(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

#[wasm_bindgen_test]
fn errors_carry_a_kind_and_the_module_survives_them() {
    let err = wasm::build_query(spec(r#"{"metric":"nope"}"#)).unwrap_err();
    assert_eq!(get(&err, "kind").as_string().unwrap(), "invalid_argument");
    assert_eq!(get(&err, "name").as_string().unwrap(), "KubepromError");
    assert!(err.is_instance_of::<js_sys::Error>());
    let err = wasm::build_query(JsValue::from_str("pod_cpu_usage")).unwrap_err();
    assert_eq!(get(&err, "kind").as_string().unwrap(), "invalid_argument");
    let err = wasm::parse_response(
        JsValue::from_str("<html><title>502 Bad Gateway</title></html>"),
        JsValue::UNDEFINED,
    )
    .unwrap_err();
    assert_eq!(get(&err, "kind").as_string().unwrap(), "malformed");
    let err = wasm::parse_response(
        JsValue::from_str(r#"{"status":"error","errorType":"timeout","error":"query timed out"}"#),
        JsValue::UNDEFINED,
    )
    .unwrap_err();
    assert_eq!(get(&err, "kind").as_string().unwrap(), "timeout");
    let err = wasm::parse_response(JsValue::from_str("{}"), spec(r#"{"maxBytes":1}"#)).unwrap_err();
    assert_eq!(get(&err, "kind").as_string().unwrap(), "too_large");
    // Still answering.
    let promql = wasm::build_query(spec(
        r#"{"metric":"pod_memory_working_set","namespace":"shop"}"#,
    ))
    .unwrap();
    assert!(promql.contains(r#"namespace="shop""#) && promql.contains(r#"container!="""#));
}

#[wasm_bindgen_test]
fn parse_and_aggregate_return_typed_arrays() {
    let body = js_sys::Uint8Array::from(
        br#"{"status":"success","data":{"resultType":"matrix","result":[
        {"metric":{"namespace":"a","pod":"p","container":"c1"},"values":[[1,"1"],[2,"NaN"],[3,"+Inf"]]},
        {"metric":{"namespace":"a","pod":"p","container":"c2"},"values":[[1,"2"],[3,"3"]]},
        {"metric":{"namespace":"a","pod":"p"},"values":[[1,"100"],[3,"100"]]}]},"warnings":["partial response"]}"#
            .as_slice(),
    );
    let result = wasm::parse_response(body.into(), JsValue::UNDEFINED).unwrap();
    assert_eq!(get(&result, "resultType").as_string().unwrap(), "matrix");
    let series: js_sys::Array = get(&result, "series").unchecked_into();
    let values: Float64Array = get(&series.get(0), "values").dyn_into().unwrap();
    assert!(values.get_index(1).is_nan());
    assert_eq!(values.get_index(2), f64::INFINITY);
    assert_eq!(
        js_sys::Array::from(&get(&result, "warnings"))
            .get(0)
            .as_string()
            .unwrap(),
        "partial response"
    );
    let report =
        wasm::aggregate_pods_report(result, spec(r#"{"stat":"last","keepSeries":true}"#)).unwrap();
    let pods: js_sys::Array = get(&report, "pods").unchecked_into();
    assert_eq!(pods.length(), 1);
    assert_eq!(get(&pods.get(0), "value").as_f64().unwrap(), f64::INFINITY);
    let timestamps: Float64Array = get(&pods.get(0), "timestamps").dyn_into().unwrap();
    // t=2 had only a NaN sample, so the pod has no value there.
    assert_eq!(timestamps.to_vec(), vec![1.0, 3.0]);
    assert_eq!(get(&report, "skippedSamples").as_f64().unwrap(), 1.0);
    assert_eq!(get(&report, "droppedDuplicates").as_f64().unwrap(), 1.0);
}

#[wasm_bindgen_test]
fn catalog_is_listed() {
    let metrics = js_sys::Array::from(&wasm::list_metrics());
    assert!(metrics.length() >= 24);
    let first = metrics.get(0);
    for key in ["id", "title", "unit", "kind", "source", "description"] {
        assert!(get(&first, key).is_string(), "{key}");
    }
}

#[wasm_bindgen_test]
async fn client_failures_reject_with_kinds() {
    let client = wasm::PrometheusClient::new(spec(
        r#"{"baseUrl":"http://127.0.0.1:9/prom","timeoutMs":2000}"#,
    ))
    .unwrap();
    let err =
        wasm_bindgen_futures::JsFuture::from(client.query("up".into(), None, JsValue::UNDEFINED))
            .await
            .unwrap_err();
    assert_eq!(get(&err, "kind").as_string().unwrap(), "network");
    let controller = web_sys::AbortController::new().unwrap();
    controller.abort();
    let opts = js_sys::Object::new();
    Reflect::set(&opts, &"signal".into(), &controller.signal()).unwrap();
    let err = wasm_bindgen_futures::JsFuture::from(client.query("up".into(), None, opts.into()))
        .await
        .unwrap_err();
    assert_eq!(get(&err, "kind").as_string().unwrap(), "aborted");
    let err = wasm::PrometheusClient::new(spec(r#"{"baseUrl":"prometheus:9090"}"#))
        .err()
        .unwrap();
    assert_eq!(get(&err, "kind").as_string().unwrap(), "invalid_argument");
}

#[wasm_bindgen_test]
fn groups_come_back_with_keys_parts_and_typed_series() {
    let body = r#"{"status":"success","data":{"resultType":"matrix","result":[
        {"metric":{"cluster_queue":"cq","status":"active","pod":"k-0"},"values":[[1,"2"],[2,"3"]]},
        {"metric":{"cluster_queue":"cq","status":"active","pod":"k-1"},"values":[[1,"2"],[2,"3"]]},
        {"metric":{"cluster_queue":"cq","status":"inadmissible"},"values":[[1,"1"],[2,"1"]]},
        {"metric":{"status":"active"},"values":[[1,"9"]]}]}}"#;
    let result = wasm::parse_response(JsValue::from_str(body), JsValue::UNDEFINED).unwrap();
    let report = wasm::aggregate_groups_js(
        result.clone(),
        spec(r#"{"group":["cluster_queue"],"part":"status","identity":["pod"],"keepSeries":true}"#),
    )
    .unwrap();
    let groups: js_sys::Array = get(&report, "groups").unchecked_into();
    assert_eq!(groups.length(), 1);
    let group = groups.get(0);
    assert_eq!(
        get(&get(&group, "labels"), "cluster_queue")
            .as_string()
            .unwrap(),
        "cq"
    );
    assert_eq!(get(&group, "value").as_f64().unwrap(), 4.0);
    let parts: js_sys::Array = get(&group, "parts").unchecked_into();
    assert_eq!(parts.length(), 2);
    assert_eq!(
        get(&parts.get(1), "part").as_string().unwrap(),
        "inadmissible"
    );
    let values: Float64Array = get(&group, "values").dyn_into().unwrap();
    assert_eq!(values.to_vec(), vec![3.0, 4.0]);
    assert_eq!(get(&report, "droppedDuplicates").as_f64().unwrap(), 1.0);
    let unattributed: js_sys::Array = get(&report, "unattributed").unchecked_into();
    assert_eq!(unattributed.length(), 1);
    // Bad options are typed errors, and the module keeps working.
    for opts in [
        r#"{}"#,
        r#"{"group":[["a"],7]}"#,
        r#"{"group":["q"],"combine":"mean"}"#,
    ] {
        let err = wasm::aggregate_groups_js(result.clone(), spec(opts)).unwrap_err();
        assert_eq!(
            get(&err, "kind").as_string().unwrap(),
            "invalid_argument",
            "{opts}"
        );
    }
    assert!(wasm::aggregate_groups_js(result, spec(r#"{"group":["status"]}"#)).is_ok());
}
