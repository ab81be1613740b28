//! End-to-end tests on realistic fixtures (tests/data/kueue, made by generate.py there, which
//! also computes the expected numbers independently), promtool, and garbage input.

use std::io::Write as _;
use std::process::{Command, Stdio};

use proptest::prelude::*;
use serde_json::Value;

use super::*;

const EXPECTED: &str = include_str!("../../tests/data/kueue/expected.json");
const FIXTURES: &[(&str, &[u8])] = &[
    (
        "cq-gpu-a100-v1beta2.json",
        include_bytes!("../../tests/data/kueue/cq-gpu-a100-v1beta2.json"),
    ),
    (
        "cq-cpu-batch-v1beta1.json",
        include_bytes!("../../tests/data/kueue/cq-cpu-batch-v1beta1.json"),
    ),
    (
        "lq-ml-research-user-queue-v1beta2.json",
        include_bytes!("../../tests/data/kueue/lq-ml-research-user-queue-v1beta2.json"),
    ),
];

fn expected() -> Value {
    serde_json::from_str(EXPECTED).expect("expected.json is JSON")
}

fn options_for(expected: &Value, fixture: &str) -> SummaryOptions {
    let e = &expected["fixtures"][fixture];
    SummaryOptions {
        now: expected["now"].as_f64().unwrap(),
        cluster_queue: e["clusterQueue"].as_str().unwrap().to_owned(),
        head_limit: e["headLimit"].as_u64().unwrap() as usize,
    }
}

fn report_for(fixture: &str) -> SummaryReport {
    let body = FIXTURES.iter().find(|(n, _)| *n == fixture).unwrap().1;
    pending_summary(body, &options_for(&expected(), fixture)).unwrap()
}

/// Compares a serialised actual value with the expected one: numbers to a relative 1e-9,
/// `"+Inf"` against serde_json's `null` for infinity, everything else exactly.
fn assert_matches(actual: &Value, expected: &Value, path: &str) {
    match (actual, expected) {
        (Value::Number(a), Value::Number(e)) => {
            let (a, e) = (a.as_f64().unwrap(), e.as_f64().unwrap());
            assert!(
                (a - e).abs() <= 1e-9 * e.abs().max(1.0),
                "{path}: got {a}, expected {e}"
            );
        }
        (Value::Null, Value::String(e)) if e == "+Inf" => {}
        (Value::Object(a), Value::Object(e)) => {
            let mut ak: Vec<_> = a.keys().collect();
            let mut ek: Vec<_> = e
                .keys()
                .filter(|k| !e[*k].is_null() || a.contains_key(*k))
                .collect();
            ak.sort();
            ek.sort();
            assert_eq!(ak, ek, "{path}: keys differ");
            for k in ak {
                assert_matches(&a[k], &e[k], &format!("{path}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            assert_eq!(a.len(), e.len(), "{path}: lengths differ");
            for (i, (a, e)) in a.iter().zip(e).enumerate() {
                assert_matches(a, e, &format!("{path}[{i}]"));
            }
        }
        (a, e) => assert_eq!(a, e, "{path}"),
    }
}

#[test]
fn fixtures_match_independently_computed_summaries() {
    let expected = expected();
    for (fixture, _) in FIXTURES {
        let report = report_for(fixture);
        let want = &expected["fixtures"][fixture];
        let got = serde_json::to_value(&report.summaries).unwrap();
        assert_matches(&got, &want["summaries"], fixture);

        let skipped = want["skipped"].as_array().unwrap();
        assert_eq!(report.skipped.len(), skipped.len(), "{fixture}");
        for (got, want) in report.skipped.iter().zip(skipped) {
            assert_eq!(
                got.index as u64,
                want["index"].as_u64().unwrap(),
                "{fixture}"
            );
            assert_eq!(got.path, want["path"].as_str().unwrap(), "{fixture}");
            assert!(!got.message.is_empty());
        }
        for s in &report.summaries {
            let buckets = s.wait.histogram().buckets();
            assert_eq!(buckets.last().map(|b| b.le), Some(f64::INFINITY));
            assert_eq!(buckets.len(), WAIT_BUCKETS.len() + 1);
        }
    }
}

#[test]
fn fixtures_cover_what_they_claim() {
    let gpu = report_for("cq-gpu-a100-v1beta2.json");
    // A cluster queue, five local queues, hundreds of workloads, one bad item.
    assert_eq!(gpu.summaries.len(), 6);
    assert!(gpu.summaries[0].pending >= 400);
    assert_eq!(gpu.skipped.len(), 1);
    assert!(gpu.skipped[0].message.contains("invalid RFC 3339"));
    // Some workloads were created after `now` (clock skew): they wait 0 seconds.
    let zero = gpu.summaries[0].wait.histogram().buckets()[0].count;
    assert!(zero > 0);
    let cpu = report_for("cq-cpu-batch-v1beta1.json");
    assert!(cpu.skipped[0].message.contains("invalid type: string"));
    assert_eq!(cpu.summaries[0].head.len(), 5);
    let page = parse_pending_workloads(FIXTURES[1].1).unwrap();
    assert_eq!(
        page.api_version.as_deref(),
        Some("visibility.kueue.x-k8s.io/v1beta1")
    );
    // The local-queue response agrees with the same local queue seen in the cluster queue.
    let lq = report_for("lq-ml-research-user-queue-v1beta2.json");
    let from_cq = gpu
        .summaries
        .iter()
        .find(|s| {
            s.local_queue
                == Some(LocalQueueRef {
                    namespace: "ml-research".into(),
                    name: "user-queue".into(),
                })
        })
        .unwrap();
    assert_eq!(lq.summaries[1].pending, from_cq.pending);
    assert_eq!(lq.summaries[1].wait, from_cq.wait);
}

fn sample_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.starts_with('#')).collect()
}

#[test]
fn exposition_matches_independently_computed_lines() {
    let expected = expected();
    for (fixture, _) in FIXTURES {
        let text = to_exposition(&report_for(fixture).summaries);
        let want: Vec<&str> = expected["fixtures"][fixture]["exposition"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        assert_eq!(sample_lines(&text), want, "{fixture}");
        // Every family has its HELP and TYPE, once.
        for family in kueue_families(&report_for(fixture).summaries) {
            let help = format!("# HELP {} ", family.name);
            let kind = format!("# TYPE {} ", family.name);
            assert_eq!(text.matches(&help).count(), 1, "{}", family.name);
            assert_eq!(text.matches(&kind).count(), 1, "{}", family.name);
        }
    }
}

/// Runs `promtool check metrics` on the text; panics with promtool's output unless it passes.
fn promtool_check(text: &str) {
    let mut child = match Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) => panic!(
            "promtool is required for this test and could not be started ({e}); \
             install it (Debian: apt-get install prometheus) and put it on PATH"
        ),
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics failed ({}):\n{}{}\n--- input ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        text.chars().take(4000).collect::<String>()
    );
}

#[test]
fn promtool_accepts_the_exposition() {
    let mut all = Vec::new();
    for (fixture, _) in FIXTURES.iter().take(2) {
        all.extend(report_for(fixture).summaries);
    }
    let text = to_exposition(&all);
    assert!(text.contains("kubeprom_kueue_local_queue_pending_workload_position{"));
    promtool_check(&text);
}

#[test]
fn promtool_accepts_hostile_names_and_empty_queues() {
    let body =
        br#"{"kind":"PendingWorkloadsSummary","apiVersion":"visibility.kueue.x-k8s.io/v1beta2",
        "items":[{"metadata":{"name":"w\"1\\\n","namespace":"n\u00e9 \"x\"",
        "creationTimestamp":"2025-10-09T08:00:00Z"},"priority":-5,"localQueueName":"q\\\"}",
        "positionInClusterQueue":0,"positionInLocalQueue":0}]}"#;
    let mut opts = SummaryOptions::new(1_760_000_000.0);
    opts.cluster_queue = "cq \"a\"\\ {x=\"1\"}\nnext".into();
    let report = pending_summary(body, &opts).unwrap();
    let mut summaries = report.summaries;
    summaries.extend(summarize(&[], &SummaryOptions::new(0.0)).unwrap());
    let text = to_exposition(&summaries);
    assert!(
        text.contains(r#"cluster_queue="cq \"a\"\\ {x=\"1\"}\nnext""#),
        "{text}"
    );
    promtool_check(&text);
}

#[test]
fn duplicate_summaries_do_not_break_the_page() {
    let mut summaries = report_for("cq-cpu-batch-v1beta1.json").summaries;
    summaries.extend(summaries.clone());
    let text = to_exposition(&summaries);
    assert!(text.contains("# kubeprom: skipped duplicate series"));
    promtool_check(&text);
}

#[test]
fn report_serialises_to_the_typescript_shape() {
    let report = report_for("cq-gpu-a100-v1beta2.json");
    let v = serde_json::to_value(&report).unwrap();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["skipped", "summaries"]);
    assert_eq!(
        v["skipped"][0],
        serde_json::json!({
            "index": 137,
            "path": "items[137].metadata.creationTimestamp",
            "message": report.skipped[0].message,
        })
    );
    // Summaries read back (as the wasm layer does for toExposition) unchanged.
    let back: Vec<QueueSummary> = serde_json::from_value(v["summaries"].clone()).unwrap();
    assert_eq!(back, report.summaries);
}

#[test]
fn options_are_checked_before_the_body() {
    let mut opts = SummaryOptions::new(f64::NAN);
    opts.cluster_queue = "x".into();
    let e = pending_summary(b"not json", &opts).unwrap_err();
    assert_eq!(e.kind(), "invalid_argument");
    let e = pending_summary(b"not json", &SummaryOptions::new(0.0)).unwrap_err();
    assert_eq!(e.kind(), "malformed");
}

/// Any outcome is fine as long as it is a value, not a panic, and is self-consistent.
fn check_no_panic(body: &[u8]) {
    match pending_summary(body, &SummaryOptions::new(1_760_000_000.0)) {
        Ok(report) => {
            let text = to_exposition(&report.summaries);
            assert!(text.ends_with('\n'));
            for s in &report.skipped {
                assert!(s.path.starts_with(&format!("items[{}]", s.index)));
            }
        }
        Err(e) => assert_eq!(e.kind(), "malformed"),
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[a-zA-Z0-9:\\-TZ\" \\\\]{0,24}".prop_map(Value::String),
        Just(Value::String("2025-10-09T08:00:00Z".into())),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("metadata".to_owned()),
                        Just("name".to_owned()),
                        Just("namespace".to_owned()),
                        Just("creationTimestamp".to_owned()),
                        Just("ownerReferences".to_owned()),
                        Just("priority".to_owned()),
                        Just("localQueueName".to_owned()),
                        Just("positionInClusterQueue".to_owned()),
                        Just("positionInLocalQueue".to_owned()),
                        Just("items".to_owned()),
                        Just("kind".to_owned()),
                        "[a-z]{1,8}",
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn garbage_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        check_no_panic(&body);
    }

    #[test]
    fn random_json_documents_never_panic(doc in json_value()) {
        check_no_panic(doc.to_string().as_bytes());
    }

    #[test]
    fn random_items_never_panic_and_are_all_accounted_for(
        items in prop::collection::vec(json_value(), 0..8)
    ) {
        let body = serde_json::json!({"kind": "PendingWorkloadsSummary", "items": items}).to_string();
        match parse_pending_workloads(body.as_bytes()) {
            Ok(page) => prop_assert_eq!(page.workloads.len() + page.skipped.len(), items.len()),
            Err(e) => prop_assert!(e.path().starts_with("items[0]"), "{}", e),
        }
    }

    #[test]
    fn mutated_fixture_never_panics(
        cut in 0usize..147_000,
        flips in prop::collection::vec((0usize..147_000, any::<u8>()), 0..4)
    ) {
        let mut body = FIXTURES[0].1.to_vec();
        for (at, byte) in flips {
            let at = at % body.len();
            body[at] = byte;
        }
        body.truncate(cut.max(1));
        check_no_panic(&body);
    }
}
