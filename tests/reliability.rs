//! Reliability: the bad-inputs catalogue of the README (each row one test here, and the same
//! rows through the wasm module in tests/js/faults.test.mjs), escaping of every filter of every
//! catalog metric, hostile filter values against the real Prometheus of the test harness, and
//! what aggregation reports instead of dropping.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{close, prometheus};
use kubeprom::aggregate::{aggregate_pods, AggregateOptions};
use kubeprom::client::{interpret, parse_query};
use kubeprom::query::{
    build_query, find, CustomProfile, ProfileSpec, QuerySpec, WorkloadKind, WorkloadRef, CATALOG,
};
use kubeprom::response::{parse_query_response, ResponseError, ResultType, DEFAULT_MAX_BYTES};
use promql_parser::parser::{self, Expr};
use promql_parser::util::{walk_expr, ExprVisitor};
use proptest::prelude::*;

fn parse(body: &[u8]) -> Result<common::Answer, ResponseError> {
    parse_query_response(body, DEFAULT_MAX_BYTES).map(common::Answer::from)
}

/// The error of a body that must fail, with its kind checked.
fn refused(body: &[u8], kind: &str) -> ResponseError {
    let err = parse(body).expect_err("must be refused");
    assert_eq!(
        err.kind(),
        kind,
        "{err} for {:?}",
        String::from_utf8_lossy(&body[..body.len().min(200)])
    );
    assert!(!err.to_string().is_empty());
    err
}

/// A real response of the harness Prometheus: a matrix with several series.
fn real_response() -> Vec<u8> {
    let prom = prometheus();
    let at = prom.anchor();
    prom.get(&format!(
        "/api/v1/query_range?query={}&start={}&end={at}&step=60",
        "container_memory_working_set_bytes%7Bnamespace%3D%22shop%22%7D",
        at - 600.0
    ))
}

const VALID: &[u8] = br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"namespace":"a","pod":"p"},"value":[1,"2"]}]}}"#;

/// After any bad input the next valid call still answers correctly (natively there is no state
/// to corrupt; the wasm rows of tests/js/faults.test.mjs check the module itself).
fn next_call_works() {
    let r = parse(VALID).unwrap();
    assert_eq!(r.series[0].values, vec![2.0]);
}

// ---------------------------------------------------------------------------------------------
// Bad inputs catalogue

#[test]
fn bad_input_empty_body() {
    for body in [&b""[..], b"   \n\t"] {
        let err = refused(body, "malformed");
        assert!(err.to_string().contains("empty"), "{err}");
    }
    next_call_works();
}

#[test]
fn bad_input_proxy_html_pages() {
    let pages = [
        ("502 Bad Gateway", "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"),
        ("503 Service Temporarily Unavailable", "<!DOCTYPE html><html><head><title>503 Service Temporarily Unavailable</title></head><body>upstream connect error</body></html>"),
        ("Sign in", "\n\n<!doctype html><HTML><HEAD><TITLE>Sign in</TITLE></HEAD></HTML>"),
    ];
    for (title, page) in pages {
        let err = refused(page.as_bytes(), "malformed");
        assert!(err.to_string().contains(title), "{err}");
        // Through the client: the HTTP status is kept beside the kind.
        let status = title[..3].parse().unwrap_or(200);
        let err = interpret(
            status,
            page.as_bytes(),
            None,
            DEFAULT_MAX_BYTES,
            parse_query,
        )
        .unwrap_err();
        assert_eq!(err.kind(), "malformed");
        assert_eq!(err.status(), Some(status));
    }
    next_call_works();
}

#[test]
fn bad_input_truncated_json_at_every_sixteenth_of_a_real_response() {
    let body = real_response();
    let full = parse(&body).expect("the whole response parses");
    assert!(full.series.len() >= 4, "a response with several series");
    // The whole response is read: each pod's memory is the dataset's.
    let pods = aggregate_pods(&full, &AggregateOptions::default())
        .unwrap()
        .pods;
    assert_eq!(pods.len(), 4);
    for pod in pods {
        let key = format!("{}/{}", pod.namespace, pod.pod);
        let want = prometheus().expected["pods"][&key]["memoryWorkingSet"]
            .as_f64()
            .unwrap_or_else(|| panic!("{key}"));
        assert!(close(pod.value, want), "{key}: {} vs {want}", pod.value);
    }
    for sixteenth in 0..16 {
        let cut = &body[..body.len() * sixteenth / 16];
        let err = refused(cut, "malformed");
        if sixteenth > 0 {
            assert!(
                err.to_string().contains("ends early"),
                "{sixteenth}/16: {err}"
            );
        }
    }
    next_call_works();
}

#[test]
fn bad_input_wrong_types() {
    for body in [
        r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,2]}]}}"#,
        r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":["1","2"]}]}}"#,
        r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":[],"value":[1,"2"]}]}}"#,
        r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":1},"value":[1,"2"]}]}}"#,
        r#"{"status":"success","data":{"resultType":7,"result":[]}}"#,
        r#"{"status":"success","data":{"resultType":"vector","result":{}}}"#,
        r#"{"status":true,"data":{"resultType":"vector","result":[]}}"#,
        r#"{"status":"success","data":[]}"#,
        r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"],"3"]}]}}"#,
        r#"{"status":"success","data":{"resultType":"vector","result":[]},"warnings":"one"}"#,
        r#"{"status":"error","errorType":5,"error":"x"}"#,
        r#""success""#,
        "42",
    ] {
        refused(body.as_bytes(), "malformed");
    }
    next_call_works();
}

#[test]
fn bad_input_duplicate_keys() {
    for body in [
        r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"pod":"a","pod":"b"},"value":[1,"1"]}]}}"#,
        r#"{"status":"success","status":"error","data":{"resultType":"vector","result":[]}}"#,
        r#"{"status":"success","data":{"resultType":"vector","result":[]},"data":{"resultType":"vector","result":[]}}"#,
        r#"{"status":"success","data":{"resultType":"vector","resultType":"matrix","result":[]}}"#,
        r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"metric":{},"value":[1,"1"]}]}}"#,
    ] {
        let err = refused(body.as_bytes(), "malformed");
        assert!(
            err.to_string().contains("twice") || err.to_string().contains("duplicate"),
            "{err}"
        );
    }
    next_call_works();
}

#[test]
fn bad_input_huge_numbers() {
    // A sample value beyond f64 reads as the infinity it rounds to (as Go's ParseFloat does);
    // Prometheus itself writes those as "+Inf". A time beyond f64 is refused.
    let r = parse(br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1e400"]},{"metric":{},"value":[1,"-1e400"]},{"metric":{},"value":[1,"1e-400"]},{"metric":{},"value":[18446744073709551616,"123456789012345678901234567890"]}]}}"#).unwrap();
    let values: Vec<f64> = r.series.iter().map(|s| s.values[0]).collect();
    assert_eq!(
        values,
        [f64::INFINITY, f64::NEG_INFINITY, 0.0, 1.2345678901234568e29]
    );
    assert_eq!(r.series[3].timestamps, [18446744073709551616.0]);
    refused(
        br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1e400,"1"]}]}}"#,
        "malformed",
    );
    // A 10,000-digit number is no trouble either.
    let long = format!(
        r#"{{"status":"success","data":{{"resultType":"scalar","result":[1,"{}"]}}}}"#,
        "9".repeat(10_000)
    );
    assert_eq!(
        parse(long.as_bytes()).unwrap().series[0].values,
        [f64::INFINITY]
    );
    next_call_works();
}

#[test]
fn bad_input_million_deep_nesting() {
    let depth = 1_000_000;
    // Where kubeprom reads values, serde_json's recursion limit (128) refuses deep nesting...
    for body in [
        format!(
            r#"{{"status":"success","data":{{"resultType":"vector","result":{}{}}}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        ),
        format!(
            r#"{{"status":"success","data":{{"resultType":"vector","result":[{{"metric":{}"x"{},"value":[1,"1"]}}]}}}}"#,
            r#"{"a":"#.repeat(depth),
            "}".repeat(depth)
        ),
        format!(
            r#"{{"status":"success","data":{{"resultType":"matrix","result":[{{"metric":{{}},"values":{}}}]}}}}"#,
            "[".repeat(depth)
        ),
    ] {
        refused(body.as_bytes(), "malformed");
    }
    // ...and a field it ignores is skipped without recursing: deep but valid JSON there is fine.
    let ignored = format!(
        r#"{{"status":"success","extra":{}1{},"data":{{"resultType":"scalar","result":[1,"7"]}}}}"#,
        r#"{"a":"#.repeat(depth),
        "}".repeat(depth)
    );
    assert_eq!(parse(ignored.as_bytes()).unwrap().series[0].values, [7.0]);
    next_call_works();
}

#[test]
fn bad_input_200_mb_body_is_refused_by_max_bytes() {
    let mut body = Vec::with_capacity(200 << 20);
    body.extend_from_slice(br#"{"status":"success","data":{"resultType":"vector","result":["#);
    let series = br#"{"metric":{"namespace":"a","pod":"p"},"value":[1,"2"]},"#;
    while body.len() + series.len() < (200 << 20) - 8 {
        body.extend_from_slice(series);
    }
    body.extend_from_slice(b"1]}}");
    let max = 64 << 20;
    // The body is also malformed (a number among the series): `too_large` rather than
    // `malformed` shows the size was checked before any parsing.
    let err = parse_query_response(&body, max).unwrap_err();
    assert_eq!(err.kind(), "too_large");
    assert!(
        err.to_string().contains(&body.len().to_string())
            && err.to_string().contains(&max.to_string())
    );
    // Through the client the same limit applies whatever the status.
    for status in [200, 500] {
        let err = interpret(status, &body, None, max, parse_query).unwrap_err();
        assert_eq!((err.kind(), err.status()), ("too_large", Some(status)));
    }
    next_call_works();
}

#[test]
fn bad_input_invalid_utf8_in_label_values() {
    let with_pod = |raw: &[u8]| {
        let mut body =
            br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"pod":""#
                .to_vec();
        body.extend_from_slice(raw);
        body.extend_from_slice(br#""},"value":[1,"1"]}]}}"#);
        body
    };
    assert_eq!(
        parse(&with_pod("caf\u{e9}".as_bytes())).unwrap().series[0].label("pod"),
        Some("caf\u{e9}")
    );
    assert_eq!(
        parse(&with_pod(b"caf\xc3\xa9")).unwrap().series[0].label("pod"),
        Some("caf\u{e9}")
    );
    for bad in [
        &b"caf\xe9"[..],
        b"\xff\xfe",
        b"\xed\xa0\x80",
        b"\xc3",
        br"\ud800",
        br"a\udc00b",
    ] {
        let err = refused(&with_pod(bad), "malformed");
        let text = err.to_string();
        assert!(
            ["unicode", "UTF-8", "surrogate", "hex escape"]
                .iter()
                .any(|w| text.contains(w)),
            "{err}"
        );
    }
    // In a label name too.
    refused(
        b"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"p\xc0d\":\"a\"},\"value\":[1,\"1\"]}]}}",
        "malformed",
    );
    next_call_works();
}

#[test]
fn bad_input_prometheus_error_envelopes_keep_their_kind() {
    for (status, body, kind) in [
        (
            503,
            r#"{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}"#,
            "timeout",
        ),
        (
            422,
            r#"{"status":"error","errorType":"execution","error":"found duplicate series for the match group"}"#,
            "execution",
        ),
        (
            400,
            r#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unclosed left parenthesis"}"#,
            "bad_data",
        ),
        (500, r#"{"status":"error"}"#, "unknown"),
    ] {
        assert_eq!(refused(body.as_bytes(), kind).kind(), kind);
        let err = interpret(
            status,
            body.as_bytes(),
            Some("3"),
            DEFAULT_MAX_BYTES,
            parse_query,
        )
        .unwrap_err();
        assert_eq!(
            (err.kind(), err.status(), err.retry_after()),
            (kind, Some(status), Some(3.0))
        );
    }
    next_call_works();
}

#[test]
fn partial_responses_keep_every_warning() {
    // Thanos and Mimir answer 200 with data and warnings when a store or querier is missing.
    let body = br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"namespace":"a","pod":"p"},"value":[1,"2"]}]},"warnings":["No StoreAPIs matched for this query","receive-0: context deadline exceeded"],"infos":["PromQL info: metric might not be a counter"]}"#;
    let r = interpret(200, body, None, DEFAULT_MAX_BYTES, parse_query).unwrap();
    assert_eq!(
        r.warnings,
        [
            "No StoreAPIs matched for this query",
            "receive-0: context deadline exceeded"
        ]
    );
    assert_eq!(r.infos, ["PromQL info: metric might not be a counter"]);
    assert_eq!(r.series.len(), 1);
    // Warnings on an error envelope do not hide the error.
    let err =
        parse(br#"{"status":"error","errorType":"execution","error":"boom","warnings":["w"]}"#)
            .unwrap_err();
    assert_eq!(err.kind(), "execution");
}

// ---------------------------------------------------------------------------------------------
// Injection: every filter of every catalog metric

/// Every (label, op, value) matcher of every selector of `promql`, which must parse.
fn matchers(promql: &str) -> Vec<(String, String, String)> {
    struct Collect(Vec<(String, String, String)>);
    impl ExprVisitor for Collect {
        type Error = ();
        fn pre_visit(&mut self, expr: &Expr) -> Result<bool, ()> {
            let vs = match expr {
                Expr::VectorSelector(vs) => Some(vs),
                Expr::MatrixSelector(ms) => Some(&ms.vs),
                _ => None,
            };
            for m in vs.iter().flat_map(|vs| &vs.matchers.matchers) {
                self.0
                    .push((m.name.clone(), m.op.to_string(), m.value.clone()));
            }
            Ok(true)
        }
    }
    let expr = parser::parse(promql).unwrap_or_else(|e| panic!("does not parse: {e}\n{promql}"));
    let mut collect = Collect(Vec::new());
    walk_expr(&mut collect, &expr).unwrap();
    collect.0
}

/// Strings that try to break out of a PromQL literal or a regex.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\"\\\\}{\\n\\r\\t.*+?()|^$ #=~!,\\[\\]`'\u{0}-\u{1f}\u{7f}\u{2028}\u{feff}é漢🙂]{0,24}",
        Just(String::new()),
        Just(r#"a"} or vector(1) #"#.to_string()),
        Just("\\".to_string()),
        Just(".*".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Each filter a metric accepts gets its own value, so a value that lands on the wrong
    /// label fails too; custom profile selector values and the cluster are covered as well.
    #[test]
    fn every_filter_of_every_metric_matches_its_value_exactly(
        values in proptest::collection::vec(hostile(), 9),
        kind in 0..WorkloadKind::ALL.len(),
    ) {
        for def in CATALOG {
            let filters = def.filters();
            let has = |f: &str| filters.contains(&f);
            let spec = QuerySpec {
                metric: def.id.into(),
                namespace: Some(values[0].clone()),
                pod: Some(values[1].clone()),
                container: has("container").then(|| values[2].clone()),
                node: has("node").then(|| values[3].clone()),
                workload: has("workload").then(|| WorkloadRef { kind: WorkloadKind::ALL[kind], name: values[4].clone() }),
                cluster: Some(values[5].clone()),
                selector: [("app".to_string(), values[6].clone())].into(),
                profile: Some(ProfileSpec::Custom(CustomProfile {
                    cadvisor: [("service".to_string(), values[7].clone())].into(),
                    kube_state_metrics: [("service".to_string(), values[8].clone())].into(),
                    cluster_label: Some("k8s_cluster".into()),
                    native_histograms: Vec::new(),
                })),
                ..Default::default()
            };
            let promql = build_query(&spec).unwrap();
            let found = matchers(&promql);
            let mut want = vec![
                ("namespace", &values[0]),
                ("pod", &values[1]),
                ("k8s_cluster", &values[5]),
                ("app", &values[6]),
            ];
            if has("container") { want.push(("container", &values[2])); }
            if has("node") { want.push(("node", &values[3])); }
            if has("workload") { want.push(("owner_name", &values[4])); }
            match def.source {
                kubeprom::query::Source::Cadvisor => want.push(("service", &values[7])),
                kubeprom::query::Source::KubeStateMetrics => want.push(("service", &values[8])),
                _ => {}
            }
            if has("node") || has("workload") {
                // The ownership and node joins read kube-state-metrics series.
                want.push(("service", &values[8]));
            }
            for (label, value) in want {
                prop_assert!(
                    found.iter().any(|(n, op, v)| n == label && op == "=" && v == value),
                    "{}: {}={:?} missing in {}", def.id, label, value, promql
                );
            }
            // No user value ever reaches a regex matcher.
            for (n, op, v) in &found {
                prop_assert!(!op.contains('~') || !values.contains(v), "{}: {} {} {:?}", def.id, n, op, v);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Hostile values against the real Prometheus

#[test]
fn hostile_values_on_every_filter_return_no_series_where_the_honest_value_does() {
    let prom = prometheus();
    let at = prom.anchor();
    let hostile = [
        r#"shop"} or vector(1) #"#,
        r#"shop"}) or (up{namespace="shop"#,
        "shop\" or namespace=\"batch",
        "shop\"\n",
        "shop\\",
        ".*",
        "shop|batch",
        "sh.p",
        "",
    ];
    let mut checked = 0;
    for def in CATALOG.iter().filter(|d| d.is_per_pod()) {
        let filters = def.filters();
        let honest = QuerySpec {
            metric: def.id.into(),
            namespace: Some("shop".into()),
            pod: Some("db-0".into()),
            container: filters.contains(&"container").then(|| "postgres".into()),
            ..Default::default()
        };
        let control = prom.query_at(&build_query(&honest).unwrap(), at);
        if control.series.is_empty() {
            // The dataset has no such series for db-0 (e.g. network of a pod without traffic).
            continue;
        }
        checked += 1;
        for value in hostile {
            let mut variants = vec![
                QuerySpec {
                    namespace: Some(value.into()),
                    ..honest.clone()
                },
                QuerySpec {
                    pod: Some(value.replace("shop", "db-0")),
                    ..honest.clone()
                },
                QuerySpec {
                    node: Some(value.replace("shop", "node-2")),
                    ..honest.clone()
                },
                QuerySpec {
                    workload: Some(WorkloadRef {
                        kind: WorkloadKind::StatefulSet,
                        name: value.replace("shop", "db"),
                    }),
                    ..honest.clone()
                },
            ];
            if honest.container.is_some() {
                variants.push(QuerySpec {
                    container: Some(value.replace("shop", "postgres")),
                    ..honest.clone()
                });
            }
            for spec in variants {
                let promql = build_query(&spec).unwrap();
                let r = prom.query_at(&promql, at);
                assert!(
                    r.series.is_empty(),
                    "{} with {value:?}: {promql}\nreturned {:?}",
                    def.id,
                    r.series
                );
            }
        }
    }
    assert!(
        checked >= 10,
        "only {checked} per-pod metrics had data for the control"
    );
    // The honest node and workload give the same pod back, so the joins were not vacuous.
    let joined = prom.query_at(
        &build_query(&QuerySpec {
            metric: "pod_memory_working_set".into(),
            namespace: Some("shop".into()),
            node: Some("node-2".into()),
            workload: Some(WorkloadRef {
                kind: WorkloadKind::StatefulSet,
                name: "db".into(),
            }),
            ..Default::default()
        })
        .unwrap(),
        at,
    );
    assert_eq!(joined.series.len(), 1, "{:?}", joined.series);
    assert!(find("pod_memory_working_set").is_some());
}

// ---------------------------------------------------------------------------------------------
// Nothing silently lost

#[test]
fn aggregation_reports_series_without_a_pod_and_skipped_nan_samples() {
    let prom = prometheus();
    let at = prom.anchor();
    // Per-namespace sums have no pod label: every series must be reported, none dropped.
    let by_namespace = prom.query_at(
        "sum by (namespace) (container_memory_working_set_bytes{container!=\"\"})",
        at,
    );
    assert!(by_namespace.series.len() >= 2);
    let agg = aggregate_pods(&by_namespace, &AggregateOptions::default()).unwrap();
    assert!(agg.pods.is_empty());
    assert_eq!(agg.unattributed.len(), by_namespace.series.len());
    for labels in &agg.unattributed {
        assert!(labels.iter().any(|(k, _)| k == "namespace"), "{labels:?}");
    }
    // NaN samples (0/0 in PromQL) are skipped by the stats and counted.
    let range = prom.query_range(
        "sum by (namespace, pod) (container_memory_working_set_bytes{pod=\"db-0\",container!=\"\"}) * 0 / 0",
        at - 300.0,
        at,
        60.0,
    );
    assert_eq!(range.result_type, ResultType::Matrix);
    let samples: usize = range.series.iter().map(|s| s.values.len()).sum();
    assert!(samples >= 5);
    let agg = aggregate_pods(&range, &AggregateOptions::default()).unwrap();
    assert_eq!(agg.skipped_samples, samples);
    assert_eq!(agg.pods.len(), 1);
    assert!(agg.pods[0].value.is_nan(), "no sample left, so no number");
}
