//! `lintDashboard` and `lintRules` on arbitrary JSON: never a panic, every finding's pointer
//! names a value of the document, offsets stay inside the string it names (UTF-16), and fixes
//! of query findings still parse. The value is also tried where each file kind reads queries
//! (as panels, targets, rule groups, rules), so mutations reach the walks, not just the shape
//! checks at the root.
#![no_main]

use std::time::Duration;

use kubeprom::lint::{lint_dashboard, lint_rules, FileReport, LintOptions, RULES};
use kubeprom_fuzz::{matchers, substitute_range_variables, utf16_len};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

fn check(doc: &Value, report: &FileReport) {
    for f in &report.findings {
        let target = doc
            .pointer(&f.pointer)
            .unwrap_or_else(|| panic!("{f:?}: pointer names nothing in {doc}"));
        let len = target.as_str().map_or(0, utf16_len);
        assert!(f.start <= f.end && f.end <= len, "{f:?} outside {len} units of {target}");
        let is_query_rule = RULES.iter().any(|r| r.id == f.rule);
        if let (Some(fix), true) = (&f.fix, is_query_rule) {
            // A fix rewrites the whole string; in a variable query that is `query_result(...)`.
            let inner = fix
                .trim()
                .strip_prefix("query_result(")
                .and_then(|s| s.strip_suffix(')'))
                .unwrap_or(fix);
            if let Err(e) = matchers(&substitute_range_variables(inner)) {
                panic!("fix of {} does not parse: {e}\nfix: {fix:?}", f.rule);
            }
        }
    }
    for s in &report.skipped {
        assert!(doc.pointer(&s.pointer).is_some(), "{s:?} in {doc}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(value) = serde_json::from_slice::<Value>(rest) else {
        return;
    };
    let opts = LintOptions {
        scrape_interval: (first != 0).then(|| Duration::from_secs(u64::from(first))),
    };
    let docs = [
        value.clone(),
        json!({ "panels": value }),
        json!({ "panels": [{ "targets": value }] }),
        json!({ "panels": [], "templating": { "list": value } }),
        json!({ "groups": value }),
        json!({ "groups": [{ "name": "g", "rules": value }] }),
        json!({ "kind": "PrometheusRule", "spec": { "groups": value } }),
    ];
    for doc in &docs {
        if let Ok(report) = lint_dashboard(doc, &opts) {
            check(doc, &report);
        }
        if let Ok(report) = lint_rules(doc, &opts) {
            check(doc, &report);
        }
    }
});
