//! Every query buildQuery can produce lints clean: the linter and the builder agree on what a
//! correct query is.
#![cfg(all(feature = "lint", not(target_arch = "wasm32")))]

use kubeprom::lint::{lint_query, LintOptions};
use kubeprom::query::build_query;
use kubeprom::recommend::{plan, RecommendSpec};

#[path = "common/specs.rs"]
mod specs;
use specs::every_spec;

#[test]
fn every_built_query_lints_clean() {
    let opts = LintOptions {
        scrape_interval: Some(std::time::Duration::from_secs(30)),
    };
    for spec in every_spec() {
        let promql = build_query(&spec).unwrap();
        let findings = lint_query(&promql, &opts);
        assert!(
            findings.is_empty(),
            "{:?}: {promql}\n{findings:#?}",
            spec.metric
        );
    }
}

#[test]
fn every_right_sizing_query_lints_clean() {
    let opts = LintOptions {
        scrape_interval: Some(std::time::Duration::from_secs(30)),
    };
    for kind in ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"] {
        let spec: RecommendSpec = serde_json::from_value(serde_json::json!({
            "namespace": "shop",
            "workload": { "kind": kind, "name": "web" },
            "container": "app",
        }))
        .unwrap();
        for q in plan(&spec).unwrap().queries {
            let findings = lint_query(&q.promql, &opts);
            assert!(
                findings.is_empty(),
                "{:?}: {}\n{findings:#?}",
                q.need,
                q.promql
            );
        }
    }
}

#[test]
fn the_headlamp_workload_memory_query_is_flagged_and_fixed() {
    let headlamp = r#"sum(container_memory_working_set_bytes{namespace='shop',pod=~'web-.*'})"#;
    let findings = lint_query(headlamp, &LintOptions::default());
    let finding = findings
        .iter()
        .find(|f| f.rule == "cadvisor-double-count")
        .expect("flagged");
    let fix = finding.fix.as_deref().expect("a fix");
    assert!(fix.contains(r#"container!="""#), "{fix}");
    assert!(lint_query(fix, &LintOptions::default())
        .iter()
        .all(|f| f.rule != "cadvisor-double-count"));
}
