//! Every pod's workload by ownership, for queries over all workloads at once (cluster-wide rules,
//! a namespace's workloads). A single workload's pods are selected in the builder instead
//! (`workload` in [`QuerySpec`](super::QuerySpec)); both follow the same owner chains.

use super::label::{selector, LabelName, LabelValue, MatchOp, MatchValue, Matcher};
use super::labels as labels_text;
use super::profile::Profile;

/// Where [`pod_workloads`] looks: everywhere by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnerScope {
    /// Only this namespace.
    pub namespace: Option<String>,
    /// Only this cluster, for profiles with a cluster label.
    pub cluster: Option<String>,
}

/// The labels [`pod_workloads`] adds to each pod: the workload's name and kind.
pub const WORKLOAD_LABELS: [&str; 2] = ["workload", "workload_kind"];

/// A vector of 1 per pod with its `workload` and `workload_kind` (`Deployment`, `StatefulSet`,
/// `DaemonSet`, `Job`, `CronJob`), from kube-state-metrics' owner series: a Deployment's pods
/// through their ReplicaSet, a CronJob's through their Job; a Job owned by a CronJob counts as
/// the CronJob. Pods of other owners (a bare ReplicaSet, a custom controller) and pods without
/// one are not in it. Labels: the profile's cluster label, `namespace`, `pod` and the two
/// workload labels; each pod once, however many kube-state-metrics replicas are scraped.
/// `profile` gives the kube-state-metrics matchers and the cluster label; `scope` restricts
/// every owner series to one namespace (and cluster), so that a namespace's page does not
/// join the whole cluster's pods at every step of a history.
pub fn pod_workloads(profile: &Profile, scope: &OwnerScope) -> String {
    let ksm = |series: &str, extra: Vec<Matcher>| {
        let mut matchers = profile.kube_state_metrics.clone();
        if let Some(namespace) = &scope.namespace {
            matchers.push(Matcher::equal(LabelName::known("namespace"), namespace));
        }
        if let (Some(label), Some(cluster)) = (&profile.cluster_label, &scope.cluster) {
            matchers.push(Matcher::equal(label.clone(), cluster));
        }
        matchers.extend(extra);
        selector(series, &matchers)
    };
    let kind = |kind: &str| Matcher::equal(LabelName::known("owner_kind"), kind);
    let scope: Vec<LabelName> = profile.cluster_label.iter().cloned().collect();
    let on = |link: &'static str| {
        let mut names = scope.clone();
        names.extend([LabelName::known("namespace"), LabelName::known(link)]);
        labels_text(&names)
    };
    let named = |vector: String| {
        format!(
            "label_replace(label_replace({vector}, \"workload\", \"$1\", \"owner_name\", \"(.+)\"), \"workload_kind\", \"$1\", \"owner_kind\", \"(.+)\")"
        )
    };
    // The pod's owner renamed to the intermediate object's label, its owner's name and kind
    // taken from that object (`group_left` copies them over the pod's own).
    let through = |direct: &str, link: &'static str, link_series: &str, top: &str| {
        let on = on(link);
        named(format!(
            "label_replace({pods}, \"{link}\", \"$1\", \"owner_name\", \"(.+)\") * on ({on}) group_left (owner_name, owner_kind) max by ({on}, owner_name, owner_kind) ({owners})",
            pods = ksm("kube_pod_owner", vec![kind(direct)]),
            owners = ksm(link_series, vec![kind(top)]),
        ))
    };
    let deployments = through(
        "ReplicaSet",
        "replicaset",
        "kube_replicaset_owner",
        "Deployment",
    );
    let cron_jobs = through("Job", "job_name", "kube_job_owner", "CronJob");
    let direct = ksm(
        "kube_pod_owner",
        vec![Matcher {
            name: LabelName::known("owner_kind"),
            op: MatchOp::Regex,
            value: MatchValue::Literal(LabelValue::new("StatefulSet|DaemonSet")),
        }],
    );
    // Jobs of a CronJob are the CronJob's: left out here by their name.
    let jobs = format!(
        "{pods} unless on ({on}) label_replace({cron_owned}, \"owner_name\", \"$1\", \"job_name\", \"(.+)\")",
        pods = ksm("kube_pod_owner", vec![kind("Job")]),
        on = on("owner_name"),
        cron_owned = ksm("kube_job_owner", vec![kind("CronJob")]),
    );
    let mut by = scope.clone();
    by.extend(
        ["namespace", "pod"]
            .into_iter()
            .chain(WORKLOAD_LABELS)
            .map(LabelName::known),
    );
    format!(
        "max by ({by}) ({deployments} or {cron_jobs} or {direct} or {jobs})",
        by = labels_text(&by),
        direct = named(direct),
        jobs = named(format!("({jobs})")),
    )
}
