//! cAdvisor container metrics: the pod-level cgroup series and the per-pod network series.

use promql_parser::label::{MatchOp, Matcher};
use promql_parser::parser::value::ValueType;
use promql_parser::parser::{AggregateExpr, BinaryExpr, Expr, LabelModifier};

use super::super::metrics::{is_cadvisor_network, is_cadvisor_per_container};
use super::super::syntax::Selector;
use super::super::text::{list_separator, remove_list_item, Edit};
use super::super::tree::{matcher_groups, metric_name, Cursor};
use super::super::{RuleInfo, Severity};
use super::values::only_presence_matters;
use super::{Ctx, LABEL_PRESERVING_FUNCTIONS};

/// Whether `label` names the container: `container`, or `container_name` as cAdvisor called it
/// before Kubernetes 1.16 (and old dashboards still match on).
fn is_container_label(label: &str) -> bool {
    label == "container" || label == "container_name"
}

/// Whether a matcher rules out the pod-level cgroup series, which has neither a `container`
/// nor an `image` label (the pause container has an image, so `image!=""` keeps it; it is tiny
/// and not a double count).
fn excludes_pod_cgroup(m: &Matcher) -> bool {
    (is_container_label(&m.name) || m.name == "image") && !m.is_match("")
}

/// Whether a matcher selects one cgroup by its path (`id="/"` is the root cgroup, the whole
/// machine): one series per target, never a pod's containers together with the pod.
fn one_cgroup(m: &Matcher) -> bool {
    m.name == "id" && m.op == MatchOp::Equal && !m.value.is_empty()
}

/// Whether a matcher selects the pod-level series only (`container=""`).
fn only_pod_cgroup(m: &Matcher) -> bool {
    is_container_label(&m.name)
        && match &m.op {
            MatchOp::Equal => m.value.is_empty(),
            MatchOp::Re(_) => m.value.is_empty() || m.value == "^$",
            _ => false,
        }
}

/// A per-container cAdvisor metric selected with its pod-level series.
pub(super) const CADVISOR_DOUBLE_COUNT: RuleInfo = RuleInfo {
    id: "cadvisor-double-count",
    severity: Severity::Warning,
    summary: "A per-container cAdvisor metric selected without excluding the pod-level \
              series (container!=\"\"), which counts every pod twice.",
    docs: "cAdvisor reports every container's cgroup and also the pod's own cgroup, as a series \
           with an empty `container` label that already holds the sum of the pod's containers. \
           A sum or a per-pod view over both counts every pod twice. A matcher that rules out \
           the empty container name (`container!=\"\"`, `container=~\".+\"`, a named \
           container, or `image!=\"\"`; `container_name`, the label's name before Kubernetes \
           1.16, counts too) keeps the real containers only; the fix adds `container!=\"\"`. \
           `container!=\"POD\"` is not enough: it drops the pause container, not the pod-level \
           series. Not flagged: a selector of one cgroup by its path, such as the root cgroup's \
           `id=\"/\"` (the whole machine); selectors whose pod-level series are dropped anyway, \
           by a match on `container` with a per-container operand; and selectors that go \
           straight into a `group` without `container`, where the pod-level series falls into \
           its own pod's group.\n\n\
           Flagged: `sum by (namespace, pod) (container_memory_working_set_bytes{namespace=\"shop\"})`\n\n\
           Instead: `sum by (namespace, pod) (container_memory_working_set_bytes{namespace=\"shop\", container!=\"\"})`",
};

/// Reports [`CADVISOR_DOUBLE_COUNT`] on a selector of a per-container cAdvisor metric whose
/// pod-level series reaches the result.
pub(super) fn double_count(c: &Cursor, parents: &[Cursor], ctx: &mut Ctx) {
    let Some((vs, sel)) = c.selector() else {
        return;
    };
    let Some(name) = metric_name(vs) else {
        return;
    };
    if !is_cadvisor_per_container(name) {
        return;
    }
    let groups = matcher_groups(vs);
    let safe = groups.iter().all(|g| {
        g.iter()
            .any(|m| excludes_pod_cgroup(m) || only_pod_cgroup(m) || one_cgroup(m))
    });
    if safe
        || only_presence_matters(c, parents)
        || pod_series_filtered_out(c, parents)
        || grouped_with_its_pod(parents)
    {
        return;
    }
    let span = sel
        .and_then(Selector::span)
        .unwrap_or_else(|| ctx.span(c, parents));
    let fix = sel.and_then(|s| insert_container_filter(s, ctx.original));
    ctx.report(
        &CADVISOR_DOUBLE_COUNT,
        span,
        format!(
            "{name} also has a pod-level series (no container label) that already holds the sum \
             of the pod's containers, so this selects the pod twice. Add container!=\"\" to keep \
             the real containers only."
        ),
        fix,
    );
}

fn lists_container(labels: &[String]) -> bool {
    labels.iter().any(|l| is_container_label(l))
}

/// Whether an aggregation's output series keep their `container` label.
fn keeps_container(a: &AggregateExpr) -> bool {
    if matches!(
        a.op.to_string().as_str(),
        "topk" | "bottomk" | "limitk" | "limit_ratio"
    ) {
        // These select input series and keep all their labels.
        return true;
    }
    match &a.modifier {
        Some(LabelModifier::Include(l)) => lists_container(&l.labels),
        Some(LabelModifier::Exclude(l)) => !lists_container(&l.labels),
        None => false,
    }
}

/// Whether a binary operation matches series on their `container` label among others.
fn matches_on_container(b: &BinaryExpr) -> bool {
    match b.modifier.as_ref().and_then(|m| m.matching.as_ref()) {
        None => true,
        Some(LabelModifier::Include(l)) => lists_container(&l.labels),
        Some(LabelModifier::Exclude(l)) => !lists_container(&l.labels),
    }
}

/// Whether every series of `c` has a non-empty `container` label.
fn has_container(c: Cursor) -> bool {
    let c = c.unparen();
    match c.expr {
        Expr::VectorSelector(_) | Expr::MatrixSelector(_) => {
            let Some((vs, _)) = c.selector() else {
                return false;
            };
            metric_name(vs).is_some_and(|n| n.starts_with("kube_pod_container_"))
                || matcher_groups(vs).iter().all(|g| {
                    g.iter()
                        .any(|m| is_container_label(&m.name) && !m.is_match(""))
                })
        }
        Expr::Call(call) if LABEL_PRESERVING_FUNCTIONS.contains(&call.func.name) => c
            .children()
            .into_iter()
            .find(|a| matches!(a.expr.value_type(), ValueType::Vector | ValueType::Matrix))
            .is_some_and(has_container),
        Expr::Aggregate(a) => {
            keeps_container(a) && c.children().last().is_some_and(|e| has_container(*e))
        }
        Expr::Unary(_) => c.children().first().is_some_and(|e| has_container(*e)),
        Expr::Binary(b) => {
            let sides = c.children();
            let [l, r] = sides.as_slice() else {
                return false;
            };
            let (lt, rt) = (b.lhs.value_type(), b.rhs.value_type());
            if rt == ValueType::Scalar {
                return has_container(*l);
            }
            if lt == ValueType::Scalar {
                return has_container(*r);
            }
            match b.op.to_string().as_str() {
                "or" => has_container(*l) && has_container(*r),
                "and" | "unless" => has_container(*l),
                _ if matches_on_container(b) => has_container(*l) || has_container(*r),
                _ => has_container(*l),
            }
        }
        _ => false,
    }
}

/// Whether the pod-level series of `c` are dropped on the way up anyway: a vector operation
/// that matches on `container` with an operand whose series all have a container (as in
/// `throttled{container!=""} / on(pod, container) periods`).
fn pod_series_filtered_out(c: &Cursor, parents: &[Cursor]) -> bool {
    let mut child = *c;
    for p in parents.iter().rev() {
        match p.expr {
            Expr::Paren(_) | Expr::Unary(_) => {}
            Expr::Call(call) if LABEL_PRESERVING_FUNCTIONS.contains(&call.func.name) => {}
            Expr::Aggregate(a) => {
                if !keeps_container(a) {
                    return false;
                }
            }
            Expr::Binary(b) => {
                let sides = p.children();
                let [l, r] = sides.as_slice() else {
                    return false;
                };
                let we_are_lhs = std::ptr::eq(&*b.lhs, child.expr);
                let other = if we_are_lhs { *r } else { *l };
                if other.expr.value_type() == ValueType::Vector {
                    let op = b.op.to_string();
                    let filters = match op.as_str() {
                        "or" | "unless" => false,
                        "and" => we_are_lhs,
                        _ => true,
                    };
                    if filters && matches_on_container(b) && has_container(other) {
                        return true;
                    }
                }
            }
            _ => return false,
        }
        child = *p;
    }
    false
}

/// Whether the series of a selector whose parents are `parents` go straight (through
/// parentheses and label-preserving functions) into a `group` that drops the container label:
/// the pod-level series falls into its own pod's group, which its containers make exist
/// anyway, as in `count by (namespace) (group by (namespace, pod) (container_last_seen))`.
///
/// Anything that reads values on the way (a filter, arithmetic) could keep a pod for the sake of
/// its pod-level series alone, so it ends the search.
fn grouped_with_its_pod(parents: &[Cursor]) -> bool {
    for p in parents.iter().rev() {
        match p.expr {
            Expr::Paren(_) => {}
            Expr::Call(call)
                if LABEL_PRESERVING_FUNCTIONS.contains(&call.func.name)
                    || matches!(call.func.name, "label_replace" | "label_join") => {}
            Expr::Aggregate(a) => return a.op.to_string() == "group" && !keeps_container(a),
            _ => return false,
        }
    }
    false
}

/// The edit adding `container!=""` to a selector, after its last matcher.
fn insert_container_filter(sel: &Selector, src: &str) -> Option<Edit> {
    const FILTER: &str = "container!=\"\"";
    if sel.has_or {
        // Each `or` alternative would need the filter; not a one-place edit.
        return None;
    }
    match (sel.braces, sel.matchers.last()) {
        (Some(_), Some(last)) => {
            let sep = list_separator(&sel.matcher_spans(), src);
            Some(Edit::insert(last.span.end, format!("{sep}{FILTER}")))
        }
        (Some(braces), None) => Some(Edit::replace(braces, format!("{{{FILTER}}}"))),
        (None, _) => sel
            .name
            .map(|name| Edit::insert(name.end, format!("{{{FILTER}}}"))),
    }
}

/// A container filter on a cAdvisor network metric, which exists per pod only.
pub(super) const NETWORK_METRIC_PER_CONTAINER: RuleInfo = RuleInfo {
    id: "network-metric-per-container",
    severity: Severity::Warning,
    summary: "A container filter on cAdvisor network metrics, which exist per pod only.",
    docs: "The containers of a pod share its network namespace, so cAdvisor reports network \
           traffic once per pod, on the pod sandbox, whose `container` label is empty (or \
           `POD` with dockershim). A matcher that rules out the empty container name, such as \
           a `container!=\"\"` added against double counting, drops every series and the \
           result is empty. Remove it; the fix does.\n\n\
           Flagged: `sum by (namespace, pod) (rate(container_network_receive_bytes_total{namespace=\"shop\", container!=\"\"}[5m]))`\n\n\
           Instead: `sum by (namespace, pod) (rate(container_network_receive_bytes_total{namespace=\"shop\"}[5m]))`",
};

/// Reports [`NETWORK_METRIC_PER_CONTAINER`] on each matcher of a cAdvisor network selector
/// that rules out the empty container name.
pub(super) fn network_per_container(c: &Cursor, parents: &[Cursor], ctx: &mut Ctx) {
    let Some((vs, sel)) = c.selector() else {
        return;
    };
    let Some(name) = metric_name(vs) else {
        return;
    };
    if !is_cadvisor_network(name) || !vs.matchers.or_matchers.is_empty() {
        return;
    }
    for (i, m) in vs.matchers.matchers.iter().enumerate() {
        if !is_container_label(&m.name) || m.is_match("") {
            continue;
        }
        let matcher_node = sel.and_then(|s| s.matchers.get(i));
        let span = matcher_node
            .map(|n| n.span)
            .unwrap_or_else(|| ctx.span(c, parents));
        let fix = sel.and_then(|s| {
            let inner = s.inner()?;
            remove_list_item(&s.matcher_spans(), i, inner)
        });
        ctx.report(
            &NETWORK_METRIC_PER_CONTAINER,
            span,
            format!(
                "cAdvisor reports {name} once per pod, on the pod sandbox whose container \
                 label is empty (or \"POD\"), not per application container: this container \
                 matcher can drop every series. Remove it."
            ),
            fix,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{findings, fixed, marked};
    use super::{CADVISOR_DOUBLE_COUNT, NETWORK_METRIC_PER_CONTAINER};

    const RULE: &str = CADVISOR_DOUBLE_COUNT.id;

    #[test]
    fn flags_memory_without_container_filter() {
        let q = "sum(container_memory_working_set_bytes{namespace=\"a\",pod=~\"web\"}) by (pod,namespace)";
        assert_eq!(
            marked(q, RULE),
            ["container_memory_working_set_bytes{namespace=\"a\",pod=~\"web\"}"]
        );
        assert_eq!(
            fixed(q, RULE),
            "sum(container_memory_working_set_bytes{namespace=\"a\",pod=~\"web\",container!=\"\"}) by (pod,namespace)"
        );
    }

    #[test]
    fn accepts_equivalent_exclusions() {
        for m in [
            "container!=\"\"",
            "container=~\".+\"",
            "container=\"app\"",
            "container=~\"app|sidecar\"",
            "container!~\"\"",
            "image!=\"\"",
            "container=\"\"",
            "id=\"/\"",
            "id=\"/kubepods.slice\"",
            "container_name!=\"\"",
            "container_name!=\"POD\", container_name!=\"\"",
        ] {
            let q = format!("sum(container_memory_rss{{pod=\"p\", {m}}})");
            assert!(findings(&q, RULE).is_empty(), "{q}");
        }
    }

    #[test]
    fn filters_that_keep_the_pod_series_are_flagged() {
        for m in [
            "container!=\"POD\"",
            "container=~\".*\"",
            "container=~\"app|\"",
            "id=~\"/kubepods.*\"",
            "id!=\"/\"",
        ] {
            let q = format!("sum(container_memory_rss{{pod=\"p\", {m}}})");
            assert_eq!(findings(&q, RULE).len(), 1, "{q}");
        }
    }

    #[test]
    fn fix_inserts_into_each_selector_shape() {
        assert_eq!(
            fixed("rate(container_cpu_usage_seconds_total[5m])", RULE),
            "rate(container_cpu_usage_seconds_total{container!=\"\"}[5m])"
        );
        assert_eq!(
            fixed("container_memory_rss{}", RULE),
            "container_memory_rss{container!=\"\"}"
        );
        assert_eq!(
            fixed("container_memory_rss{pod=\"a\", }", RULE),
            "container_memory_rss{pod=\"a\", container!=\"\", }"
        );
        assert_eq!(
            fixed("{__name__=\"container_memory_rss\", pod=\"a\"}", RULE),
            "{__name__=\"container_memory_rss\", pod=\"a\", container!=\"\"}"
        );
    }

    #[test]
    fn or_selectors_are_flagged_without_fix() {
        let q = "container_memory_rss{pod=\"a\" or container!=\"\"}";
        let f = findings(q, RULE);
        assert_eq!(f.len(), 1);
        assert!(f[0].fix.is_none());
        assert!(findings(
            "container_memory_rss{pod=\"a\", container!=\"\" or image!=\"\"}",
            RULE
        )
        .is_empty());
    }

    #[test]
    fn network_and_unrelated_metrics_are_not_flagged() {
        for q in [
            "sum(rate(container_network_receive_bytes_total{pod=\"a\"}[5m]))",
            "kube_pod_container_resource_limits{pod=\"a\"}",
            "sum(node_namespace_pod_container:container_memory_working_set_bytes{pod=\"a\"})",
            "up and on(pod) container_memory_rss",
            "absent(container_memory_rss{pod=\"a\"})",
            "rate(container_cpu_cfs_throttled_periods_total{container!=\"\"}[5m]) / rate(container_cpu_cfs_periods_total[5m])",
            "sum by (pod, container) (container_memory_rss{container!=\"\"}) / on(pod, container) sum by (pod, container) (container_spec_memory_limit_bytes)",
            "container_memory_rss / on(pod, container) group_left kube_pod_container_resource_limits{resource=\"memory\"}",
            "count by (namespace) (group by (namespace, pod) (container_last_seen))",
            "group without (container, id, name, image) (rate(container_cpu_usage_seconds_total[5m]))",
        ] {
            assert!(findings(q, RULE).is_empty(), "{q}");
        }
    }

    #[test]
    fn operands_that_keep_the_pod_series_do_not_filter() {
        for q in [
            // Matching without container lets the pod-level series through.
            "container_memory_rss / on(pod) group_left kube_pod_container_resource_limits",
            // Aggregating away container merges the pod-level series in before the division.
            "sum by (pod) (container_memory_rss) / sum by (pod) (container_memory_rss{container!=\"\"})",
            "container_memory_rss or container_memory_cache{container!=\"\"}",
            "sum by (pod_name) (container_memory_rss{container_name!=\"POD\"})",
            // The pod-level series is a group of its own when container is kept.
            "group by (namespace, pod, container) (container_memory_rss)",
            // A filter on the way can keep a pod for its pod-level series alone.
            "group by (namespace, pod) (rate(container_cpu_usage_seconds_total[5m]) > 0.5)",
            "count by (namespace, pod) (container_memory_rss)",
        ] {
            assert_eq!(findings(q, RULE).len(), 1, "{q}");
        }
    }

    #[test]
    fn each_selector_gets_its_own_fix() {
        let q = "container_memory_rss{pod=\"a\"} / container_spec_memory_limit_bytes{pod=\"a\"}";
        let f = findings(q, RULE);
        assert_eq!(f.len(), 2);
        let first = f[0].fix.clone().unwrap();
        assert_eq!(
            first,
            "container_memory_rss{pod=\"a\", container!=\"\"} / container_spec_memory_limit_bytes{pod=\"a\"}"
        );
        // With the left side per container, the division drops the right side's pod series.
        assert!(findings(&first, RULE).is_empty());
    }

    #[test]
    fn network_container_filter() {
        let rule = NETWORK_METRIC_PER_CONTAINER.id;
        let q = "sum(rate(container_network_receive_bytes_total{container!=\"\", pod=\"a\"}[5m]))";
        assert_eq!(marked(q, rule), ["container!=\"\""]);
        assert_eq!(
            fixed(q, rule),
            "sum(rate(container_network_receive_bytes_total{pod=\"a\"}[5m]))"
        );
        assert!(findings(
            "sum(rate(container_network_receive_bytes_total{pod=\"a\", container!=\"POD\"}[5m]))",
            rule
        )
        .is_empty());
        assert_eq!(
            marked(
                "rate(container_network_transmit_bytes_total{pod_name=\"a\", container_name!=\"\"}[5m])",
                rule
            ),
            ["container_name!=\"\""]
        );
    }
}
