//! `by (...)` groupings of per-pod results.

use promql_parser::label::MatchOp;
use promql_parser::parser::{Expr, LabelModifier};

use super::super::syntax::{Grouping, Kind};
use super::super::text::{list_separator, remove_list_item, Edit};
use super::super::tree::{all_matchers, Cursor};
use super::super::{RuleInfo, Severity};
use super::{for_each, Ctx};

/// Labels that split one pod into several series, and why.
const HIGH_CARDINALITY: &[(&str, &str)] = &[
    (
        "id",
        "is the cgroup path: the pod cgroup and every container cgroup each have their own",
    ),
    ("uid", "changes every time the pod is recreated"),
    ("pod_uid", "changes every time the pod is recreated"),
    ("container_id", "changes every time a container restarts"),
    (
        "image_id",
        "changes with every image digest, splitting a pod across rollouts",
    ),
    (
        "instance",
        "is the scrape target: the same pod seen by two scrapers or endpoints becomes two series",
    ),
];

/// Aggregations that merge the series of a group without adding them up: duplicates of one pod
/// (seen by two scrapers, or under two uids) come out as one value, or are counted on purpose.
const MERGING: &[&str] = &["max", "min", "avg", "group", "count"];

/// Whether the output of aggregation `a` keeps `label`.
fn keeps_label(a: &promql_parser::parser::AggregateExpr, label: &str) -> bool {
    if matches!(
        a.op.to_string().as_str(),
        "topk" | "bottomk" | "limitk" | "limit_ratio"
    ) {
        // These return their input series with every label.
        return true;
    }
    match &a.modifier {
        Some(LabelModifier::Include(l)) => l.labels.iter().any(|l| l == label),
        Some(LabelModifier::Exclude(l)) => !l.labels.iter().any(|l| l == label),
        None => false,
    }
}

/// Whether the closest enclosing aggregation that drops `label` merges the split series again
/// without adding them up, as in `max by (namespace, pod) (sum by (namespace, pod, instance)
/// (...))`, which dedupes two scrapers.
fn split_merged_above(label: &str, parents: &[Cursor]) -> bool {
    for p in parents.iter().rev() {
        if let Expr::Aggregate(a) = p.expr {
            if !keeps_label(a, label) {
                return MERGING.contains(&a.op.to_string().as_str());
            }
        }
    }
    false
}

/// The `by` grouping of an aggregation, with its position when known.
fn by_labels<'a>(c: &Cursor<'a>) -> Option<(&'a [String], Option<&'a Grouping>)> {
    let Expr::Aggregate(a) = c.expr else {
        return None;
    };
    let Some(LabelModifier::Include(labels)) = &a.modifier else {
        return None;
    };
    let grouping = match c.node.map(|n| &n.kind) {
        Some(Kind::Aggregate(n)) => n.grouping.as_ref(),
        _ => None,
    };
    Some((&labels.labels, grouping))
}

/// A per-pod grouping by a label that splits pods.
pub(super) const HIGH_CARDINALITY_GROUPING: RuleInfo = RuleInfo {
    id: "high-cardinality-grouping",
    severity: Severity::Warning,
    summary: "A per-pod grouping that also groups by id, uid, pod_uid, container_id, \
              image_id or instance, splitting pods into several series.",
    docs: "A per-pod grouping (`by` lists `pod`) that also groups by a label that varies within \
           one pod gives several series per pod: `id` is the cgroup path (the pod's and each \
           container's), `uid` and `pod_uid` change when the pod is recreated, `container_id` \
           when a container restarts, `image_id` with every image digest, and `instance` when \
           two scrapers or endpoints see the same pod. Drop the label to get one value per \
           pod; the fix does. topk() and the other selecting aggregations are not \
           flagged, nor is a split that an enclosing max(), min(), avg(), group() or count() \
           merges again without the label, as two scrapers are deduped by \
           `max by (namespace, pod) (sum by (namespace, pod, instance) (...))`.\n\n\
           Flagged: `sum by (namespace, pod, instance) (container_memory_working_set_bytes{container!=\"\"})`\n\n\
           Instead: `sum by (namespace, pod) (container_memory_working_set_bytes{container!=\"\"})`",
};

/// Reports [`HIGH_CARDINALITY_GROUPING`] on each splitting label of a per-pod `by` list.
pub(super) fn high_cardinality(c: &Cursor, parents: &[Cursor], ctx: &mut Ctx) {
    let Some((labels, grouping)) = by_labels(c) else {
        return;
    };
    if let Expr::Aggregate(a) = c.expr {
        if a.op.is_aggregator_with_param() && a.op.to_string() != "quantile" {
            // topk, bottomk, limitk... return their input series: `by` only scopes the pick.
            return;
        }
    }
    if !labels.iter().any(|l| l == "pod") {
        return;
    }
    for (i, label) in labels.iter().enumerate() {
        let Some((_, why)) = HIGH_CARDINALITY.iter().find(|(l, _)| l == label) else {
            continue;
        };
        if split_merged_above(label, parents) {
            continue;
        }
        let positioned = grouping.filter(|g| g.list.labels.len() == labels.len());
        let span = positioned
            .and_then(|g| g.list.labels.get(i))
            .map(|l| l.span)
            .unwrap_or_else(|| ctx.span(c, parents));
        let fix = positioned.and_then(|g| remove_list_item(&g.list.spans(), i, g.list.inner()));
        ctx.report(
            &HIGH_CARDINALITY_GROUPING,
            span,
            format!(
                "grouping by {label} gives several series per pod: {label} {why}. Drop it to \
                 get one value per pod."
            ),
            fix,
        );
    }
}

/// A grouping by pod without namespace.
pub(super) const POD_WITHOUT_NAMESPACE: RuleInfo = RuleInfo {
    id: "pod-without-namespace",
    severity: Severity::Info,
    summary: "Grouping by pod without namespace over several namespaces.",
    docs: "Pod names are unique only within a namespace: StatefulSet pods (`db-0`) and the \
           pods of same-named workloads recur across namespaces. Grouping by `pod` without \
           `namespace`, over series of every namespace, adds such pods together. Group by \
           `namespace` too (the fix adds it), or select a namespace with a `namespace` \
           matcher, which is not flagged.\n\n\
           Flagged: `sum by (pod) (rate(container_cpu_usage_seconds_total{container!=\"\"}[5m]))`\n\n\
           Instead: `sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{container!=\"\"}[5m]))`",
};

/// Reports [`POD_WITHOUT_NAMESPACE`] on a `by` list with `pod` and without `namespace`, over
/// selectors that do not pin a namespace.
pub(super) fn pod_without_namespace(c: &Cursor, parents: &[Cursor], ctx: &mut Ctx) {
    let Some((labels, grouping)) = by_labels(c) else {
        return;
    };
    if !labels.iter().any(|l| l == "pod") || labels.iter().any(|l| l == "namespace") {
        return;
    }
    // A selector that pins the namespace (`namespace="a"`, or a regex/variable the user chose)
    // means the grouping stays within what the user asked for.
    let mut pinned = false;
    let mut selectors = 0;
    for_each(*c, &mut |d| {
        if let Some((vs, _)) = d.selector() {
            selectors += 1;
            if all_matchers(vs).any(|m| {
                m.name == "namespace"
                    && matches!(m.op, MatchOp::Equal | MatchOp::Re(_))
                    && !m.is_match("")
            }) {
                pinned = true;
            }
        }
    });
    if pinned || selectors == 0 {
        return;
    }
    let positioned = grouping.filter(|g| g.list.labels.len() == labels.len());
    let span = positioned
        .map(|g| g.list.parens)
        .unwrap_or_else(|| ctx.span(c, parents));
    let fix = positioned.and_then(|g| {
        let last = g.list.labels.last()?;
        let sep = list_separator(&g.list.spans(), ctx.original);
        Some(Edit::insert(last.span.end, format!("{sep}namespace")))
    });
    ctx.report(
        &POD_WITHOUT_NAMESPACE,
        span,
        "pod names are unique only within a namespace: grouping by pod without namespace, over \
         every namespace, adds up same-named pods (a StatefulSet's db-0 in two namespaces). \
         Group by namespace too, or select one namespace."
            .to_owned(),
        fix,
    );
}

#[cfg(test)]
mod tests {
    use super::super::testing::{findings, fixed, marked};
    use super::{HIGH_CARDINALITY_GROUPING, POD_WITHOUT_NAMESPACE};

    #[test]
    fn high_cardinality_labels_next_to_pod() {
        let rule = HIGH_CARDINALITY_GROUPING.id;
        let q = "sum by (namespace, pod, id) (container_memory_rss{container!=\"\"})";
        assert_eq!(marked(q, rule), ["id"]);
        assert_eq!(
            fixed(q, rule),
            "sum by (namespace, pod) (container_memory_rss{container!=\"\"})"
        );
        let q = "sum(rate(x_total[5m])) by (instance, pod, namespace)";
        assert_eq!(fixed(q, rule), "sum(rate(x_total[5m])) by (pod, namespace)");
        assert_eq!(
            marked("max by (pod, uid, container_id) (x)", rule),
            ["uid", "container_id"]
        );
        for ok in [
            "sum by (instance) (up)",
            "sum by (namespace, pod) (x)",
            "sum without (id) (x)",
            "topk by (pod, instance) (1, x)",
            "max by (namespace, pod) (sum by (namespace, pod, instance) (rate(x_total[5m])))",
            "count by (namespace, pod) (group by (namespace, pod, uid) (kube_pod_info))",
            "avg without (instance) (sum by (namespace, pod, instance) (x))",
        ] {
            assert!(findings(ok, rule).is_empty(), "{ok}");
        }
        for q in [
            // A sum over the split adds the duplicates up.
            "sum by (namespace) (sum by (namespace, pod, instance) (x))",
            // The enclosing max keeps instance: the split reaches the result.
            "max by (namespace, pod, instance) (sum by (namespace, pod, instance) (x))",
            // topk keeps every label, so the split goes on up to the sum.
            "sum by (namespace, pod) (topk(3, sum by (namespace, pod, instance) (x)))",
            // count_values turns the split series' values into labels.
            "count_values by (namespace) (\"v\", sum by (namespace, pod, instance) (x))",
        ] {
            assert_eq!(
                marked(q, rule).last().map(String::as_str),
                Some("instance"),
                "{q}"
            );
        }
        // The closest aggregation that drops instance decides, here a max.
        assert!(findings(
            "max by (namespace) (topk(3, sum by (namespace, pod, instance) (x)))",
            rule
        )
        .is_empty());
    }

    #[test]
    fn pod_without_namespace() {
        let rule = POD_WITHOUT_NAMESPACE.id;
        let q = "sum(container_memory_rss{container!=\"\", node=\"n1\"}) by (pod)";
        assert_eq!(marked(q, rule), ["(pod)"]);
        assert_eq!(
            fixed(q, rule),
            "sum(container_memory_rss{container!=\"\", node=\"n1\"}) by (pod, namespace)"
        );
        for ok in [
            "sum(container_memory_rss{namespace=\"a\"}) by (pod)",
            "sum(container_memory_rss{namespace=~\"$namespace\"}) by (pod)",
            "sum by (namespace, pod) (x)",
            "sum by (pod) (x{namespace=\"a\"} * on(pod) group_left() y)",
        ] {
            assert!(findings(ok, rule).is_empty(), "{ok}");
        }
        assert_eq!(findings("sum by (pod) (x{namespace!=\"\"})", rule).len(), 1);
    }
}
