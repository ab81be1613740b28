//! Binary operators whose result is not what it looks like.

use promql_parser::parser::value::ValueType;
use promql_parser::parser::Expr;

use super::super::metrics::exporter;
use super::super::syntax::Kind;
use super::super::text::{Edit, Span};
use super::super::tree::{metric_name, Cursor};
use super::super::{RuleInfo, Severity};
use super::{Ctx, LABEL_PRESERVING_FUNCTIONS};

fn number(c: &Cursor) -> Option<f64> {
    match c.unparen().expr {
        Expr::NumberLiteral(n) => Some(n.val),
        _ => None,
    }
}

fn op_span(c: &Cursor, parents: &[Cursor], ctx: &Ctx) -> Span {
    match c.node.map(|n| &n.kind) {
        Some(Kind::Binary(b)) => b.op,
        _ => ctx.span(c, parents),
    }
}

/// A comparison with NaN.
pub(super) const NAN_COMPARISON: RuleInfo = RuleInfo {
    id: "nan-comparison",
    severity: Severity::Warning,
    summary: "A comparison with NaN, which is never (or, for !=, always) true.",
    docs: "NaN is equal to nothing, itself included: every comparison with NaN is false, \
           except `!=`, which is always true. So `x == NaN` never keeps a sample, and \
           `x != NaN` keeps them all. To find NaN samples, compare a series with itself: \
           `x != x`.\n\n\
           Flagged: `node_load1 == NaN`\n\n\
           Instead: `node_load1 != node_load1`",
};

/// Reports [`NAN_COMPARISON`] on the NaN literal of a comparison.
pub(super) fn nan_comparison(c: &Cursor, parents: &[Cursor], ctx: &mut Ctx) {
    let Expr::Binary(b) = c.expr else {
        return;
    };
    if !b.op.is_comparison_operator() {
        return;
    }
    let sides = c.children();
    let Some(nan_side) = sides.iter().find(|s| number(s).is_some_and(f64::is_nan)) else {
        return;
    };
    let span = nan_side
        .unparen()
        .node
        .map(|n| n.span)
        .unwrap_or_else(|| op_span(c, parents, ctx));
    let op = b.op.to_string();
    let outcome = if op == "!=" {
        "is always true"
    } else {
        "is never true"
    };
    ctx.report(
        &NAN_COMPARISON,
        span,
        format!(
            "NaN is not equal to anything, not even NaN, so {op} NaN {outcome}. To find NaN \
             samples compare a series with itself: x != x."
        ),
        None,
    );
}

fn flip(op: &str) -> &str {
    match op {
        "<" => ">",
        ">" => "<",
        "<=" => ">=",
        ">=" => "<=",
        other => other,
    }
}

/// count() compared with 0.
pub(super) const COUNT_COMPARED_TO_ZERO: RuleInfo = RuleInfo {
    id: "count-compared-to-zero",
    severity: Severity::Warning,
    summary: "count(...) == 0, which never holds because count() of nothing is empty.",
    docs: "count() of no series is no result, not 0, so `count(x) == 0` (or `< 1`) never \
           holds: when the series are gone there is nothing to compare, and an alert on it \
           never fires. Use `absent(x)`, or, without grouping, `(count(x) or vector(0)) == 0`, \
           which the fix writes. With `by (...)`, a group whose series are all gone is simply \
           missing from the result, so no comparison can see it.\n\n\
           Flagged: `count(up{job=\"kube-state-metrics\"}) == 0`\n\n\
           Instead: `absent(up{job=\"kube-state-metrics\"})`",
};

/// Reports [`COUNT_COMPARED_TO_ZERO`] on a count() compared so that only an empty count would
/// pass.
pub(super) fn count_compared_to_zero(c: &Cursor, parents: &[Cursor], ctx: &mut Ctx) {
    let Expr::Binary(b) = c.expr else {
        return;
    };
    if !b.op.is_comparison_operator() {
        return;
    }
    let sides = c.children();
    let [lhs, rhs] = sides.as_slice() else {
        return;
    };
    let op = b.op.to_string();
    let (count_side, n, op) = match (lhs.unparen().expr, number(rhs), number(lhs)) {
        (Expr::Aggregate(_), Some(n), _) => (lhs.unparen(), n, op.as_str()),
        (_, _, Some(n)) if matches!(rhs.unparen().expr, Expr::Aggregate(_)) => {
            (rhs.unparen(), n, flip(&op))
        }
        _ => return,
    };
    let Expr::Aggregate(agg) = count_side.expr else {
        return;
    };
    if agg.op.to_string() != "count" {
        return;
    }
    let means_none = match op {
        "==" => n == 0.0,
        "<=" => (0.0..1.0).contains(&n),
        "<" => n > 0.0 && n <= 1.0,
        _ => false,
    };
    if !means_none {
        return;
    }
    let fix = match (agg.modifier.is_none(), count_side.node) {
        (true, Some(node)) => {
            let text = node.span.text(ctx.original);
            Some(Edit::replace(node.span, format!("({text} or vector(0))")))
        }
        _ => None,
    };
    let span = count_side
        .node
        .map(|n| n.span)
        .unwrap_or_else(|| op_span(c, parents, ctx));
    ctx.report(
        &COUNT_COMPARED_TO_ZERO,
        span,
        "count() over no series returns no result, not 0, so this comparison never holds when \
         the series are gone. Use absent(...), or count(...) or vector(0) when there is no \
         grouping."
            .to_owned(),
        fix,
    );
}

/// The exporter whose target labels a vector expression carries, when it is one selector seen
/// through label-preserving operations.
fn side_exporter<'a>(c: &Cursor<'a>) -> Option<(&'static str, &'a str)> {
    let c = c.unparen();
    match c.expr {
        Expr::VectorSelector(_) | Expr::MatrixSelector(_) => {
            let (vs, _) = c.selector()?;
            let name = metric_name(vs)?;
            Some((exporter(name)?, name))
        }
        Expr::Call(call) if LABEL_PRESERVING_FUNCTIONS.contains(&call.func.name) => c
            .children()
            .iter()
            .find(|a| matches!(a.expr.value_type(), ValueType::Vector | ValueType::Matrix))
            .and_then(side_exporter),
        Expr::Unary(_) => c.children().first().and_then(side_exporter),
        Expr::Binary(b) => {
            let sides = c.children();
            let [l, r] = sides.as_slice() else {
                return None;
            };
            match (b.lhs.value_type(), b.rhs.value_type()) {
                (ValueType::Vector, ValueType::Scalar) => side_exporter(l),
                (ValueType::Scalar, ValueType::Vector) => side_exporter(r),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A vector operation between two exporters' metrics, matching on all labels.
pub(super) const MISMATCHED_EXPORTERS: RuleInfo = RuleInfo {
    id: "mismatched-exporters",
    severity: Severity::Warning,
    summary: "A vector operation without on()/ignoring() between metrics of two exporters, \
              whose target labels never match.",
    docs: "Series from two exporters carry different target labels (`job`, `instance`), so a \
           vector operation that matches on all labels, without on() or ignoring(), pairs no \
           series and the result is empty. Match on the labels both sides share, such as \
           `on (namespace, pod)`, or aggregate both sides by them first. The exporter is told \
           by the metric name's prefix: `container_` and `machine_` for cAdvisor, `kube_` for \
           kube-state-metrics, `node_`, `kubelet_`, `apiserver_`, `kueue_`, `kuberay_` and \
           `spark_`. The set operators and, or and unless are not flagged.\n\n\
           Flagged: `container_memory_working_set_bytes{container!=\"\"} / kube_pod_container_resource_limits{resource=\"memory\"}`\n\n\
           Instead: `sum by (namespace, pod) (container_memory_working_set_bytes{container!=\"\"}) / sum by (namespace, pod) (kube_pod_container_resource_limits{resource=\"memory\"})`",
};

/// Reports [`MISMATCHED_EXPORTERS`] on the operator of a vector operation whose sides come
/// from two known exporters.
pub(super) fn mismatched_exporters(c: &Cursor, parents: &[Cursor], ctx: &mut Ctx) {
    let Expr::Binary(b) = c.expr else {
        return;
    };
    if b.op.is_set_operator()
        || b.lhs.value_type() != ValueType::Vector
        || b.rhs.value_type() != ValueType::Vector
        || b.modifier.as_ref().is_some_and(|m| m.matching.is_some())
    {
        return;
    }
    let sides = c.children();
    let [l, r] = sides.as_slice() else {
        return;
    };
    let (Some((le, ln)), Some((re, rn))) = (side_exporter(l), side_exporter(r)) else {
        return;
    };
    if le == re {
        return;
    }
    let op = b.op.to_string();
    let span = op_span(c, parents, ctx);
    ctx.report(
        &MISMATCHED_EXPORTERS,
        span,
        format!(
            "{ln} comes from {le} and {rn} from {re}: their job and instance labels differ, so \
             `{op}` matches no series and the result is empty. Match on the labels they share, \
             e.g. {op} on(namespace, pod), or aggregate both sides by those labels first."
        ),
        None,
    );
}

#[cfg(test)]
mod tests {
    use super::super::testing::{findings, fixed, marked};
    use super::{COUNT_COMPARED_TO_ZERO, MISMATCHED_EXPORTERS, NAN_COMPARISON};

    #[test]
    fn nan_comparison() {
        let rule = NAN_COMPARISON.id;
        assert_eq!(marked("x == NaN", rule), ["NaN"]);
        assert_eq!(marked("(nan) != x", rule), ["nan"]);
        assert!(findings("x == 0", rule).is_empty());
        assert!(findings("x + NaN", rule).is_empty());
    }

    #[test]
    fn count_compared_to_zero() {
        let rule = COUNT_COMPARED_TO_ZERO.id;
        assert_eq!(
            fixed("count(up{job=\"a\"}) == 0", rule),
            "(count(up{job=\"a\"}) or vector(0)) == 0"
        );
        assert_eq!(findings("count(x) < 1", rule).len(), 1);
        assert_eq!(findings("0 >= count(x)", rule).len(), 1);
        let f = findings("count by (job) (up) == 0", rule);
        assert_eq!(f.len(), 1);
        assert!(f[0].fix.is_none());
        for ok in [
            "count(x) > 0",
            "count(x) == 1",
            "sum(x) == 0",
            "count(x) < 2",
        ] {
            assert!(findings(ok, rule).is_empty(), "{ok}");
        }
    }

    #[test]
    fn mismatched_exporters() {
        let rule = MISMATCHED_EXPORTERS.id;
        let q = "container_memory_working_set_bytes{container!=\"\"} / kube_pod_container_resource_limits{resource=\"memory\"}";
        assert_eq!(marked(q, rule), ["/"]);
        assert_eq!(
            findings("rate(container_cpu_usage_seconds_total{container!=\"\"}[5m]) / (kube_pod_container_resource_requests * 1)", rule).len(),
            1
        );
        for ok in [
            "container_memory_rss / on(namespace, pod, container) kube_pod_container_resource_limits",
            "sum by (pod) (container_memory_rss) / sum by (pod) (kube_pod_container_resource_limits)",
            "container_memory_rss / container_spec_memory_limit_bytes",
            "container_memory_rss and kube_pod_info",
            "container_memory_rss / 1024",
        ] {
            assert!(findings(ok, rule).is_empty(), "{ok}");
        }
    }
}
