//! Every query buildQuery can produce lints clean: the linter and the builder agree on what a
//! correct query is.
#![cfg(all(feature = "lint", not(target_arch = "wasm32")))]

use kubeprom::lint::{lint_query, LintOptions};
use kubeprom::query::{
    build_query, ProfileSpec, QuerySpec, WorkloadKind, WorkloadRef, CATALOG, PROFILE_NAMES,
};

#[test]
fn every_built_query_lints_clean() {
    let opts = LintOptions {
        scrape_interval: Some(std::time::Duration::from_secs(30)),
    };
    for def in CATALOG {
        for profile in PROFILE_NAMES {
            for workload in [
                None,
                Some(WorkloadKind::Deployment),
                Some(WorkloadKind::CronJob),
                Some(WorkloadKind::StatefulSet),
            ] {
                let spec = QuerySpec {
                    metric: def.id.into(),
                    profile: Some(ProfileSpec::Named(profile.into())),
                    namespace: Some("ns".into()),
                    node: def.is_per_pod().then(|| "n".into()),
                    workload: workload
                        .filter(|_| def.is_per_pod())
                        .map(|kind| WorkloadRef {
                            kind,
                            name: "w".into(),
                        }),
                    ..Default::default()
                };
                let promql = build_query(&spec).unwrap();
                let findings = lint_query(&promql, &opts);
                assert!(findings.is_empty(), "{}: {promql}\n{findings:#?}", def.id);
            }
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
