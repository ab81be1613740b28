//! Query specs that cover the whole catalog: every metric under every profile, with and without
//! each kind of ownership join, with the filters each metric accepts.

use kubeprom::query::{ProfileSpec, QuerySpec, WorkloadKind, WorkloadRef, CATALOG, PROFILE_NAMES};

/// Every metric × profile × workload kind (or none), in namespace `ns`, node `n` and cluster
/// `c1` where they apply, with a 10m window and quantile 0.99.
pub fn every_spec() -> Vec<QuerySpec> {
    let workloads = [
        None,
        Some(WorkloadKind::Deployment),
        Some(WorkloadKind::CronJob),
        Some(WorkloadKind::Job),
        Some(WorkloadKind::StatefulSet),
    ];
    let mut specs = Vec::new();
    for def in CATALOG {
        for profile in PROFILE_NAMES {
            for workload in workloads {
                specs.push(QuerySpec {
                    metric: def.id.into(),
                    profile: Some(ProfileSpec::Named(profile.into())),
                    cluster: (profile == "multi-cluster").then(|| "c1".into()),
                    namespace: Some("ns".into()),
                    workload: workload
                        .filter(|_| def.is_per_pod())
                        .map(|kind| WorkloadRef {
                            kind,
                            name: "w".into(),
                        }),
                    node: def.is_per_pod().then(|| "n".into()),
                    window: Some("10m".into()),
                    quantile: Some(0.99),
                    ..Default::default()
                });
            }
        }
    }
    specs
}
