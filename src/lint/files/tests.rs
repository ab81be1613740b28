//! File lint tests: what is read, where findings point, the sanity checks, and bad shapes.

use serde_json::{json, Value};

use super::dashboard::variable_query_parts;
use super::*;
use crate::lint::RULES;

fn dash(v: Value) -> FileReport {
    match lint_dashboard(&v, &LintOptions::default()) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    }
}

fn rules(v: Value) -> FileReport {
    match lint_rules(&v, &LintOptions::default()) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    }
}

fn ids(r: &FileReport) -> Vec<&'static str> {
    r.findings.iter().map(|f| f.rule).collect()
}

/// The UTF-16 text a finding underlines in the string it points into.
fn underlined(s: &str, f: &FileFinding) -> String {
    let units: Vec<u16> = s.encode_utf16().collect();
    String::from_utf16_lossy(&units[f.start..f.end])
}

const RAW_COUNTER: &str = "sum(http_requests_total{path=\"é\"})";

#[test]
fn dashboard_targets_in_rows_and_collapsed_rows_are_linted_with_their_place() {
    let r = dash(json!({
        "panels": [
            {"id": 1, "title": "ok", "targets": [{"refId": "A", "expr": "sum(rate(x_total[5m]))"}]},
            {"id": 2, "type": "row", "collapsed": true, "panels": [
                {"id": 3, "title": "CPU", "targets": [{"refId": "B", "expr": RAW_COUNTER}]}
            ]}
        ],
        "rows": [{"panels": [{"id": 4, "targets": [{"refId": "C", "expr": RAW_COUNTER}]}]}]
    }));
    assert_eq!(r.linted, 3);
    assert_eq!(ids(&r), ["counter-without-rate", "counter-without-rate"]);
    let f = &r.findings[0];
    assert_eq!(f.pointer, "/panels/1/panels/0/targets/0/expr");
    assert_eq!(
        f.subject,
        Subject::Panel {
            id: Some(3),
            title: "CPU".into(),
            ref_id: Some("B".into())
        }
    );
    assert_eq!(f.subject.to_string(), "panel 3 \"CPU\" target B");
    // Exactly what lintQuery gives for the expression alone.
    let alone = lint_query(RAW_COUNTER, &LintOptions::default());
    assert_eq!((f.start, f.end), (alone[0].start, alone[0].end));
    assert_eq!(r.findings[1].pointer, "/rows/0/panels/0/targets/0/expr");
}

#[test]
fn the_api_envelope_is_read_too() {
    let r = dash(json!({"dashboard": {"panels": [{"targets": [{"expr": RAW_COUNTER}]}]}}));
    assert_eq!(r.findings[0].pointer, "/dashboard/panels/0/targets/0/expr");
}

#[test]
fn grafana_variables_never_crash_or_give_false_positives() {
    let exprs = [
        "sum by (pod) (rate(http_requests_total{namespace=~\"$namespace\", \
         pod=~\"${pod:regex}\"}[$__rate_interval]))",
        "rate(x_total{a=\"$a\"}[$__interval])",
        "avg_over_time(up[$__range])",
        "max_over_time(up[${__range_s}s])",
    ];
    for expr in exprs {
        let r = dash(json!({"panels": [{"targets": [{"expr": expr}]}]}));
        assert!(r.findings.is_empty(), "{expr}: {:?}", r.findings);
    }
    // A variable standing for a number or a label name cannot be masked: skipped, said why.
    let r = dash(json!({"panels": [{"id": 9, "targets": [
        {"refId": "A", "expr": "sum by ($group) (up)"},
        {"refId": "B", "expr": "up > ${threshold}"}
    ]}]}));
    assert!(r.findings.is_empty());
    assert_eq!(r.skipped.len(), 2);
    assert!(r.skipped[0].reason.contains("$group"), "{:?}", r.skipped);
    assert!(
        r.skipped[1].reason.contains("${threshold}"),
        "{:?}",
        r.skipped
    );
    assert_eq!(r.linted, 0);
}

#[test]
fn non_prometheus_and_library_panels_are_skipped_and_said_so() {
    let r = dash(json!({"panels": [
        {"datasource": {"type": "loki", "uid": "l"}, "targets": [{"expr": "{app=\"x\"} |= \"err\""}]},
        {"datasource": {"type": "datasource", "uid": "-- Mixed --"}, "targets": [
            {"datasource": {"type": "loki"}, "expr": "{app=\"x\"}"},
            {"datasource": {"type": "prometheus"}, "expr": RAW_COUNTER}
        ]},
        {"id": 5, "libraryPanel": {"uid": "u", "name": "Shared CPU"}}
    ]}));
    assert_eq!(ids(&r), ["counter-without-rate"]);
    assert_eq!(r.skipped.len(), 3);
    assert!(r.skipped[0].reason.contains("\"loki\""));
    assert!(r.skipped[2].reason.contains("Shared CPU"));
}

#[test]
fn variable_queries_are_split_into_their_promql() {
    assert_eq!(
        variable_query_parts(" query_result(max(up))"),
        Some((true, 14, "max(up)"))
    );
    assert_eq!(
        variable_query_parts("label_values(kube_pod_info{a=\"x,y\"}, pod)"),
        Some((false, 13, "kube_pod_info{a=\"x,y\"}"))
    );
    assert_eq!(variable_query_parts("label_values(pod)"), None);
    assert_eq!(variable_query_parts("label_names()"), None);
    assert_eq!(variable_query_parts("metrics(kube_.*)"), None);
    assert_eq!(
        variable_query_parts("up{job=\"x\"}"),
        Some((false, 0, "up{job=\"x\"}"))
    );
}

#[test]
fn variable_findings_point_into_the_whole_query_string() {
    let q = "query_result(sum(http_requests_total))";
    let r = dash(json!({"panels": [], "templating": {"list": [
        {"type": "query", "name": "ns", "query": {"query": q, "refId": "x"}},
        {"type": "query", "name": "pod", "query": "label_values(container_cpu_usage_seconds_total, pod)"},
        {"type": "query", "name": "bad", "query": "label_values(up{a=}, pod)"},
        {"type": "custom", "name": "c", "query": "a,b"}
    ]}}));
    assert_eq!(ids(&r), ["counter-without-rate", "parse-error"]);
    let f = &r.findings[0];
    assert_eq!(f.pointer, "/templating/list/0/query/query");
    assert_eq!(f.subject, Subject::Variable { name: "ns".into() });
    assert_eq!(underlined(q, f), "http_requests_total", "{f:?}");
    // The raw counter listed for its labels is fine; the broken selector is not.
    assert_eq!(r.findings[1].pointer, "/templating/list/2/query");
    assert_eq!(r.linted, 3);
}

#[test]
fn fixes_rewrite_the_whole_string() {
    let q = "query_result(sum(rate(x_total[5m])) by (pod) > NaN)";
    let r = dash(
        json!({"panels": [], "templating": {"list": [{"type": "query", "name": "v", "query": q}]}}),
    );
    for f in &r.findings {
        if let Some(fix) = &f.fix {
            assert!(
                fix.starts_with("query_result(") && fix.ends_with(')'),
                "{fix}"
            );
        }
    }
}

#[test]
fn dashboard_shape_errors_name_the_place() {
    let o = LintOptions::default();
    let e = |v: Value| match lint_dashboard(&v, &o) {
        Ok(r) => panic!("{r:?}"),
        Err(e) => e.to_string(),
    };
    assert_eq!(e(json!([1])), ": expected an object, found an array");
    assert_eq!(e(json!({"title": "x"})), ": missing field `panels`");
    assert!(e(json!({"groups": []})).contains("rule file"));
    assert_eq!(
        e(json!({"panels": [{"targets": [{"expr": 3}]}]})),
        "/panels/0/targets/0/expr: expected a string, found a number"
    );
    assert_eq!(
        e(json!({"panels": {"a": 1}})),
        "/panels: expected an array, found an object"
    );
}

#[test]
fn rule_files_and_prometheus_rules_lint_every_expr() {
    let groups = json!([{"name": "g", "rules": [
        {"record": "ns:cpu:sum", "expr": RAW_COUNTER},
        {"alert": "High", "expr": "up == 0", "for": "5m", "labels": {"severity": "page"}}
    ]}]);
    let plain = rules(json!({"groups": groups}));
    assert_eq!(ids(&plain), ["counter-without-rate"]);
    assert_eq!(plain.findings[0].pointer, "/groups/0/rules/0/expr");
    assert_eq!(
        plain.findings[0].subject.to_string(),
        "group \"g\" rule ns:cpu:sum"
    );
    assert_eq!(plain.linted, 2);
    let cr = rules(json!({
        "apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
        "metadata": {"name": "x"}, "spec": {"groups": groups}
    }));
    assert_eq!(cr.findings[0].pointer, "/spec/groups/0/rules/0/expr");
}

#[test]
fn sanity_checks_find_what_prometheus_refuses() {
    let r = rules(json!({"groups": [
        {"name": "g", "interval": "1x", "rules": [
            {"expr": "up"},
            {"alert": "A", "record": "b", "expr": "up", "labels": {"severity": "x"}},
            {"record": "my-metric", "expr": "up"},
            {"record": "ok:name", "expr": "up", "for": "5m", "annotations": {"a": "b"}},
            {"record": "zero", "expr": "up", "for": "0s"},
            {"alert": "NoSev", "expr": "up == 0", "for": "5 m"},
            {"alert": "Dup", "expr": "up", "labels": {"severity": "warning"}},
            {"alert": "Dup", "expr": "up > 1", "labels": {"severity": "warning"}},
            {"alert": "Dup", "expr": "up", "labels": {"severity": "critical"}},
            {"alert": "NoExpr", "labels": {"severity": "x"}, "for": 0}
        ]},
        {"name": "g", "rules": []},
        {"rules": []}
    ]}));
    let got: Vec<(&str, &str)> = r
        .findings
        .iter()
        .map(|f| (f.rule, f.pointer.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("rule-duration-invalid", "/groups/0/interval"),
            ("rule-alert-or-record", "/groups/0/rules/0"),
            ("rule-alert-or-record", "/groups/0/rules/1"),
            ("record-name-invalid", "/groups/0/rules/2/record"),
            ("recording-rule-alert-field", "/groups/0/rules/3/for"),
            (
                "recording-rule-alert-field",
                "/groups/0/rules/3/annotations"
            ),
            ("rule-duration-invalid", "/groups/0/rules/5/for"),
            ("alert-without-severity", "/groups/0/rules/5/alert"),
            ("duplicate-rule", "/groups/0/rules/7/alert"),
            ("rule-missing-expr", "/groups/0/rules/9"),
            ("group-name-invalid", "/groups/1/name"),
            ("group-name-invalid", "/groups/2"),
        ]
    );
    let bad_for = &r.findings[6];
    assert_eq!((bad_for.start, bad_for.end), (0, 3));
    assert!(bad_for.message.contains("\"5 m\""), "{}", bad_for.message);
    for f in &r.findings {
        let info = FILE_RULES.iter().find(|i| i.id == f.rule);
        assert_eq!(info.map(|i| i.severity), Some(f.severity), "{f:?}");
    }
}

#[test]
fn rule_shape_errors_name_the_place() {
    let o = LintOptions::default();
    let e = |v: Value| match lint_rules(&v, &o) {
        Ok(r) => panic!("{r:?}"),
        Err(e) => e.to_string(),
    };
    assert_eq!(e(json!("groups")), ": expected an object, found a string");
    assert!(e(json!({"panels": []})).contains("dashboard"));
    assert_eq!(
        e(json!({"kind": "PrometheusRule"})),
        ": missing field `spec`"
    );
    assert_eq!(
        e(json!({"groups": [{"name": "g", "rules": [3]}]})),
        "/groups/0/rules/0: expected an object, found a number"
    );
    assert_eq!(
        e(json!({"groups": [{"name": "g", "rules": [{"record": "a", "expr": ["up"]}]}]})),
        "/groups/0/rules/0/expr: expected a string, found an array"
    );
}

#[test]
fn pointers_escape_slashes_and_tildes() {
    assert_eq!(Pointer::root().key("a/b~c").index(2).as_str(), "/a~1b~0c/2");
}

#[test]
fn file_rule_ids_are_unique_and_distinct_from_query_rules() {
    let mut seen = std::collections::HashSet::new();
    for r in FILE_RULES {
        assert!(seen.insert(r.id), "{} twice", r.id);
        assert!(
            RULES.iter().all(|q| q.id != r.id),
            "{} is a query rule",
            r.id
        );
        assert!(!r.summary.is_empty() && !r.docs.is_empty());
    }
}

#[test]
fn findings_serialize_with_a_tagged_subject() {
    let r = rules(json!({"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "up"}]}]}));
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["findings"][0]["subject"]["kind"], "rule");
    assert_eq!(v["findings"][0]["subject"]["name"], "A");
    assert_eq!(v["findings"][0]["rule"], "alert-without-severity");
    assert_eq!(v["linted"], 1);
}
