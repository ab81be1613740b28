//! Binary operators whose result is not what it looks like.

use promql_parser::parser::value::ValueType;
use promql_parser::parser::Expr;

use super::super::metrics::exporter;
use super::super::syntax::Kind;
use super::super::text::{Edit, Span};
use super::super::tree::{metric_name, Cursor};
use super::super::Severity;
use super::{ids, Ctx, LABEL_PRESERVING_FUNCTIONS};

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

/// `nan-comparison`: `x == NaN` never matches, `x != NaN` always does.
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
        ids::NAN_COMPARISON,
        Severity::Warning,
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

/// `count-compared-to-zero`: `count(x) == 0` never fires, because `count()` of no series is no
/// result rather than 0.
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
        ids::COUNT_COMPARED_TO_ZERO,
        Severity::Warning,
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

/// `mismatched-exporters`: a vector operation without `on`/`ignoring` between series of two
/// exporters, whose target labels (`job`, `instance`, ...) differ, so no series match.
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
        ids::MISMATCHED_EXPORTERS,
        Severity::Warning,
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
    use super::ids;

    #[test]
    fn nan_comparison() {
        let rule = ids::NAN_COMPARISON;
        assert_eq!(marked("x == NaN", rule), ["NaN"]);
        assert_eq!(marked("(nan) != x", rule), ["nan"]);
        assert!(findings("x == 0", rule).is_empty());
        assert!(findings("x + NaN", rule).is_empty());
    }

    #[test]
    fn count_compared_to_zero() {
        let rule = ids::COUNT_COMPARED_TO_ZERO;
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
        let rule = ids::MISMATCHED_EXPORTERS;
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
