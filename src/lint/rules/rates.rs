//! Counters, gauges and the range functions over them.

use std::time::Duration;

use promql_parser::parser::value::ValueType;
use promql_parser::parser::Expr;

use super::super::metrics::{is_counter, is_gauge};
use super::super::syntax::{Kind, Node};
use super::super::text::{Edit, Span};
use super::super::tree::{metric_name, Cursor};
use super::super::{RuleInfo, Severity};
use super::values::values_matter;
use super::{format_duration, Ctx};

/// Functions that pass their argument's values through (possibly transformed), so a raw
/// counter inside them is still a raw counter.
const TRANSPARENT: &[&str] = &[
    "abs",
    "ceil",
    "floor",
    "round",
    "clamp",
    "clamp_min",
    "clamp_max",
    "exp",
    "ln",
    "log2",
    "log10",
    "sqrt",
    "sgn",
    "label_replace",
    "label_join",
    "sort",
    "sort_desc",
    "sort_by_label",
    "sort_by_label_desc",
    "scalar",
];

/// Aggregations that combine values (`count`, `group`, `min`, `max`, `topk`... pick or count
/// series, and a raw value picked or counted is a fine use of it).
///
/// `count_values("v", x_total)` is not among them either, though it reads every value: it
/// turns each raw value into a label, an exact reading of the counter like a comparison with a
/// threshold, with no sum or difference that a reset would break. A sum below it is still
/// flagged, since count_values makes its argument's values matter (see `values_matter`).
const COMBINING: &[&str] = &["sum", "avg", "stddev", "stdvar", "quantile"];

/// Range functions meant for gauges, with the counter function to use instead (if any).
const GAUGE_RANGE_FUNCTIONS: &[(&str, Option<&str>)] = &[
    ("delta", Some("increase")),
    ("idelta", None),
    ("deriv", Some("rate")),
    ("predict_linear", None),
    ("holt_winters", None),
    ("double_exponential_smoothing", None),
    ("avg_over_time", None),
    ("sum_over_time", None),
    ("stddev_over_time", None),
    ("stdvar_over_time", None),
    ("quantile_over_time", None),
];

/// Functions that compute a per-second rate or an increase and assume a counter.
const COUNTER_FUNCTIONS: &[&str] = &["rate", "irate", "increase"];

/// Range functions whose result needs several samples in the window.
const WINDOWED_FUNCTIONS: &[&str] = &[
    "rate",
    "irate",
    "increase",
    "delta",
    "idelta",
    "deriv",
    "predict_linear",
    "resets",
    "changes",
];

/// A counter's raw value used as if it were a gauge.
pub(super) const COUNTER_WITHOUT_RATE: RuleInfo = RuleInfo {
    id: "counter-without-rate",
    severity: Severity::Warning,
    summary: "A counter's raw value used in arithmetic, a sum or a quantile, or passed to a \
              gauge function such as delta().",
    docs: "A counter (`_total`, or the `_count`, `_sum` and `_bucket` series of a histogram or \
           summary) only grows, and falls back to 0 when its process restarts. Its raw value \
           depends on when the process started, so adding, averaging or dividing raw counters, \
           or taking a quantile of raw buckets, gives numbers that mean nothing: take rate() \
           or increase() first. Functions meant for gauges, such as delta(), deriv() or \
           avg_over_time(), do not handle resets either; the fix turns delta() into \
           increase() and deriv() into rate(). Comparisons, count() and topk() are fine on a \
           raw counter, and kube-state-metrics' `_total` series, which copy a count from an \
           object's status, are not flagged. Nor is a counter whose values cannot reach the \
           result: under count() or group(), inside absent(), absent_over_time(), \
           present_over_time(), count_over_time() or timestamp(), on the right-hand side of \
           `and`/`unless`, or multiplied by 0 to join on its labels, as in \
           `count by (instance) (sum by (instance, cpu) (node_cpu_seconds_total))`.\n\n\
           Flagged: `sum by (code) (http_requests_total)`\n\n\
           Instead: `sum by (code) (rate(http_requests_total[5m]))`",
};

/// Reports [`COUNTER_WITHOUT_RATE`] on a counter selector whose raw value is combined, and on
/// a gauge range function over a counter.
pub(super) fn counter_without_rate(c: &Cursor, parents: &[Cursor], ctx: &mut Ctx) {
    match c.expr {
        Expr::VectorSelector(vs) => {
            let Some(name) = metric_name(vs) else {
                return;
            };
            if !is_counter(name) {
                return;
            }
            let Some((use_site, at)) = raw_value_use(c, parents) else {
                return;
            };
            let operand = parents.get(at + 1).unwrap_or(c);
            let Some(above) = parents.get(..=at) else {
                return;
            };
            if !values_matter(operand, above) {
                return;
            }
            let span = ctx.span(c, parents);
            let series = crate::query::bare_selector(name);
            ctx.report(
                &COUNTER_WITHOUT_RATE,
                span,
                format!(
                    "{name} is a counter: its raw value only grows and falls back to 0 when the \
                     process restarts, so {use_site} of it is not meaningful. Use \
                     rate({series}[5m]) or increase({series}[1h]) instead."
                ),
                None,
            );
        }
        Expr::Call(call) => {
            let Some((_, replacement)) = GAUGE_RANGE_FUNCTIONS
                .iter()
                .find(|(f, _)| *f == call.func.name)
            else {
                return;
            };
            let Some(arg) = c
                .children()
                .into_iter()
                .find(|a| matches!(a.expr, Expr::MatrixSelector(_)))
            else {
                return;
            };
            let Some((vs, _)) = arg.selector() else {
                return;
            };
            let Some(name) = metric_name(vs) else {
                return;
            };
            if !is_counter(name) || !values_matter(c, parents) {
                return;
            }
            let fname = call.func.name;
            let name_span = match c.node.map(|n| &n.kind) {
                Some(Kind::Call(n)) => Some(n.name),
                _ => None,
            };
            let fix = match (replacement, name_span) {
                (Some(r), Some(span)) => Some(Edit::replace(span, *r)),
                _ => None,
            };
            let advice = match replacement {
                Some(r) => format!("use {r}(), which handles counter resets"),
                None => "use rate() or increase(), which handle counter resets".to_owned(),
            };
            let span = name_span.unwrap_or_else(|| ctx.span(c, parents));
            ctx.report(
                &COUNTER_WITHOUT_RATE,
                span,
                format!(
                    "{fname}() is meant for gauges, but {name} is a counter: it falls back to 0 \
                     whenever the process restarts, which {fname}() does not account for; \
                     {advice}."
                ),
                fix,
            );
        }
        _ => {}
    }
}

/// Aggregations whose results are values of their input series (picked, not computed), so a
/// raw counter comes out of them still a raw counter.
const PICKING: &[&str] = &["min", "max", "topk", "bottomk", "limitk", "limit_ratio"];

/// How a raw value is used, looking up through the operators that pass it on unchanged
/// (parentheses, value-preserving functions, picking aggregations, filters, set operators):
/// `Some(("arithmetic", i))` etc. when the use needs a rate, with `parents[i]` the expression
/// that combines the value; `None` when the use is fine.
///
/// Whether the combined value can change the result at all is [`values_matter`]'s question,
/// asked of the combining expression's operand: what the operators in between read (topk
/// comparing raw values to pick one, a filter comparing with a threshold) is a fine use.
fn raw_value_use(c: &Cursor, parents: &[Cursor]) -> Option<(&'static str, usize)> {
    let mut child = *c;
    for (i, parent) in parents.iter().enumerate().rev() {
        match parent.expr {
            Expr::Paren(_) => {}
            Expr::Binary(b) => {
                let is_rhs = std::ptr::eq(&*b.rhs, child.expr);
                let op = b.op.to_string();
                let passes_on = if b.op.is_set_operator() {
                    // `or` passes both sides' samples on, `and`/`unless` the left-hand ones.
                    op == "or" || !is_rhs
                } else if b.op.is_comparison_operator() {
                    // A filter passes on the samples of its vector side (the left-hand one
                    // when both are vectors); `bool` yields 0 or 1 instead. A raw counter
                    // compared with a threshold is a fine use of its value.
                    let scalar_lhs = b.lhs.value_type() == ValueType::Scalar;
                    !b.return_bool() && is_rhs == scalar_lhs
                } else {
                    return Some(("arithmetic", i));
                };
                if !passes_on {
                    return None;
                }
            }
            Expr::Aggregate(a) => {
                let op = a.op.to_string();
                let is_param = a
                    .param
                    .as_deref()
                    .is_some_and(|p| std::ptr::eq(p, child.expr));
                if is_param {
                    return None;
                }
                if COMBINING.contains(&op.as_str()) {
                    let what = match op.as_str() {
                        "sum" => "a sum",
                        "avg" => "an average",
                        _ => "an aggregation",
                    };
                    return Some((what, i));
                }
                if !PICKING.contains(&op.as_str()) {
                    return None;
                }
            }
            Expr::Call(call) => {
                if call.func.name == "histogram_quantile" {
                    return Some(("a quantile", i));
                }
                if !TRANSPARENT.contains(&call.func.name) {
                    return None;
                }
            }
            _ => return None,
        }
        // The value goes on up unchanged.
        child = parents[i];
    }
    None
}

/// The matrix selector a range function reads, with the span of its range duration.
fn range_arg<'a>(c: &Cursor<'a>) -> Option<(Cursor<'a>, Option<Span>)> {
    let arg = c
        .children()
        .into_iter()
        .find(|a| matches!(a.expr, Expr::MatrixSelector(_)))?;
    let range = match arg.node.map(|n| &n.kind) {
        Some(Kind::Matrix(m)) => Some(m.range),
        _ => None,
    };
    Some((arg, range))
}

/// A counter function over a gauge.
pub(super) const RATE_ON_GAUGE: RuleInfo = RuleInfo {
    id: "rate-on-gauge",
    severity: Severity::Warning,
    summary: "rate(), irate() or increase() over a gauge.",
    docs: "rate(), irate() and increase() assume a counter: they read every drop in value as a \
           counter reset, as if it had restarted from 0, so a gauge that goes down (memory in \
           use, a queue's depth, kube-state-metrics' object state) gives large false spikes. \
           For a gauge, use deriv() for the per-second trend, delta() for the change over the \
           window, or avg_over_time() to smooth it. Gauges are known by name: a list of common \
           ones, kube-state-metrics series not ending in `_total`, and suffixes such as \
           `_bytes`, `_ratio` and `_info`. A rate read by a histogram function, as in \
           `histogram_quantile(0.9, sum(rate(http_response_size_bytes[5m])))`, is of a native \
           histogram, whatever its name, and is not flagged.\n\n\
           Flagged: `rate(workqueue_depth[5m])`\n\n\
           Instead: `deriv(workqueue_depth[5m])`",
};

/// Reports [`RATE_ON_GAUGE`] on a counter function whose range selector reads a gauge.
pub(super) fn rate_on_gauge(c: &Cursor, parents: &[Cursor], ctx: &mut Ctx) {
    let Some(fname) = c.call_name() else {
        return;
    };
    if !COUNTER_FUNCTIONS.contains(&fname) {
        return;
    }
    let Some((arg, _)) = range_arg(c) else {
        return;
    };
    let Some((vs, _)) = arg.selector() else {
        return;
    };
    let Some(name) = metric_name(vs) else {
        return;
    };
    if !is_gauge(name) || read_as_native_histogram(parents) {
        return;
    }
    let span = ctx.span(c, parents);
    ctx.report(
        &RATE_ON_GAUGE,
        span,
        format!(
            "{name} is a gauge, but {fname}() expects a counter and reads every drop as a \
             counter reset, which produces bogus spikes. Use deriv() for a per-second trend, \
             delta() for the change, or avg_over_time() to smooth it."
        ),
        None,
    );
}

/// Whether the rate whose parents are `parents` is read by a histogram function
/// (`histogram_quantile`, `histogram_count`, ...), through aggregations and label rewrites.
///
/// Then the series is a native histogram, whose name carries no `_bucket` suffix but its unit:
/// `rate(http_response_size_bytes[5m])` inside histogram_quantile() is a histogram's rate, not
/// a gauge's.
fn read_as_native_histogram(parents: &[Cursor]) -> bool {
    for p in parents.iter().rev() {
        match p.expr {
            Expr::Paren(_) | Expr::Aggregate(_) => {}
            Expr::Call(call) if call.func.name.starts_with("histogram_") => return true,
            Expr::Call(call) if matches!(call.func.name, "label_replace" | "label_join") => {}
            _ => return false,
        }
    }
    false
}

/// A range window too short for the scrape interval.
pub(super) const RATE_WINDOW_TOO_SHORT: RuleInfo = RuleInfo {
    id: "rate-window-too-short",
    severity: Severity::Warning,
    summary: "A rate window shorter than four scrape intervals (needs scrapeInterval).",
    docs: "rate() and the other functions of a window's samples (irate(), increase(), \
           delta(), idelta(), deriv(), predict_linear(), resets(), changes()) need at least two \
           samples in the window, and more to survive a missed scrape: a window of fewer than \
           four scrape intervals leaves gaps, or no result at all. The rule is off unless the \
           `scrapeInterval` option is given; the fix widens the window to four scrape \
           intervals. Windows that Grafana sizes, such as `[$__rate_interval]`, are not \
           flagged. With a 30s scrape interval:\n\n\
           Flagged: `rate(http_requests_total[1m])`\n\n\
           Instead: `rate(http_requests_total[2m])`",
};

/// Reports [`RATE_WINDOW_TOO_SHORT`] on a range function's window, given the scrape interval.
pub(super) fn rate_window_too_short(c: &Cursor, parents: &[Cursor], ctx: &mut Ctx) {
    let Some(scrape) = ctx.opts.scrape_interval.filter(|d| !d.is_zero()) else {
        return;
    };
    let Some(fname) = c.call_name() else {
        return;
    };
    if !WINDOWED_FUNCTIONS.contains(&fname) {
        return;
    }
    let Some((arg, range_span)) = range_arg(c) else {
        return;
    };
    let Expr::MatrixSelector(ms) = arg.expr else {
        return;
    };
    if let Some(span) = range_span {
        if ctx.masked.is_templated(span) {
            // `$__rate_interval` and friends are sized by Grafana.
            return;
        }
    }
    let minimum = scrape.saturating_mul(4);
    if ms.range >= minimum {
        return;
    }
    let samples = ms.range.as_secs_f64() / scrape.as_secs_f64();
    let span = range_span.unwrap_or_else(|| ctx.span(c, parents));
    let wanted = format_duration(minimum);
    let fix = range_span.map(|s| Edit::replace(s, wanted.clone()));
    ctx.report(
        &RATE_WINDOW_TOO_SHORT,
        span,
        format!(
            "a {} window holds about {samples:.1} samples at a {} scrape interval; {fname}() \
             needs two and a single missed scrape leaves gaps. Use at least [{wanted}], four \
             scrape intervals.",
            format_duration(ms.range),
            format_duration(scrape)
        ),
        fix,
    );
}

/// A rate of a sum of counters, through a subquery.
pub(super) const SUM_THEN_RATE: RuleInfo = RuleInfo {
    id: "sum-then-rate",
    severity: Severity::Warning,
    summary: "rate() of an aggregation through a subquery, rate(sum(x)[5m:]), which turns \
              one series' counter reset into a false spike.",
    docs: "`rate(sum(x)[5m:])` adds the counters up first and takes the rate of the total. When \
           one of them resets (a pod restarts) the total drops, rate() reads the drop as a \
           reset of the whole total, and the result shows a false spike as large as the \
           total. Take the rate of each series first, then aggregate: `sum(rate(x[5m]))`. The \
           fix does that rewrite when the aggregation reads a plain selector. The same holds \
           for irate(), increase() and resets().\n\n\
           Flagged: `rate(sum by (namespace) (http_requests_total)[5m:])`\n\n\
           Instead: `sum by (namespace) (rate(http_requests_total[5m]))`",
};

/// Reports [`SUM_THEN_RATE`] on a counter function over a subquery of an aggregation.
pub(super) fn sum_then_rate(c: &Cursor, parents: &[Cursor], ctx: &mut Ctx) {
    let Some(fname) = c.call_name() else {
        return;
    };
    if !matches!(fname, "rate" | "irate" | "increase" | "resets") {
        return;
    }
    let Some(sub) = c
        .children()
        .into_iter()
        .map(Cursor::unparen)
        .find(|a| matches!(a.expr, Expr::Subquery(_)))
    else {
        return;
    };
    let Expr::Subquery(sq) = sub.expr else {
        return;
    };
    let Some(inner) = sub.children().first().map(|i| i.unparen()) else {
        return;
    };
    let Expr::Aggregate(agg) = inner.expr else {
        return;
    };
    let op = agg.op.to_string();
    let span = ctx.span(c, parents);
    let fix = if fname == "resets" || sq.offset.is_some() || sq.at.is_some() {
        None
    } else {
        sum_then_rate_fix(c, &inner, fname, ctx.original)
    };
    ctx.report(
        &SUM_THEN_RATE,
        span,
        format!(
            "{fname}() over a {op}(): when one of the summed counters resets (a pod restarts) \
             the {op} drops, and {fname}() reads that as a reset of the whole {op}, producing a \
             false spike. Take the {fname}() of each series first, then {op}: \
             {op}({fname}(x[window]))."
        ),
        fix,
    );
}

/// `rate(sum by (g) (x)[5m:])` → `sum by (g) (rate(x[5m]))` when the aggregation reads a plain
/// selector.
fn sum_then_rate_fix(call: &Cursor, agg: &Cursor, fname: &str, src: &str) -> Option<Edit> {
    let call_node = call.node?;
    let agg_node = agg.node?;
    let Expr::Aggregate(a) = agg.expr else {
        return None;
    };
    if a.param.is_some() {
        return None;
    }
    let arg = agg.children().first().map(|c| c.unparen())?;
    let Expr::VectorSelector(vs) = arg.expr else {
        return None;
    };
    if vs.offset.is_some() || vs.at.is_some() {
        return None;
    }
    let arg_node = arg.node?;
    let range = subquery_range(call_node)?;
    let agg_text = agg_node.span.text(src);
    let rel = Span::new(
        arg_node.span.start.checked_sub(agg_node.span.start)?,
        arg_node.span.end.checked_sub(agg_node.span.start)?,
    );
    let inner = format!("{fname}({}[{}])", arg_node.span.text(src), range.text(src));
    let rewritten = Edit::replace(rel, inner).apply(agg_text)?;
    Some(Edit::replace(call_node.span, rewritten))
}

/// The range token of the subquery argument of a call node.
fn subquery_range(call: &Node) -> Option<Span> {
    let Kind::Call(c) = &call.kind else {
        return None;
    };
    c.args.iter().find_map(|a| {
        let mut n = a;
        while let Kind::Paren(inner) = &n.kind {
            n = inner;
        }
        match &n.kind {
            Kind::Subquery(s) => Some(s.range),
            _ => None,
        }
    })
}

/// Longest window over which `irate()` is not misleading.
const IRATE_MAX_WINDOW: Duration = Duration::from_secs(5 * 60);

/// irate() over a long window, which still reads two samples.
pub(super) const IRATE_LONG_WINDOW: RuleInfo = RuleInfo {
    id: "irate-long-window",
    severity: Severity::Info,
    summary: "irate() with a window over 5m, which still only looks at two samples.",
    docs: "irate() (like idelta()) uses only the last two samples in its window, however long \
           the window: `irate(x[1h])` is not an hourly average but the rate between the last \
           two scrapes, as jumpy as `irate(x[1m])`; the long window only lets it reach further \
           back when samples are missing. For the average over the window use rate() (or \
           delta()); the fix does that swap. Windows up to 5m are not flagged.\n\n\
           Flagged: `irate(http_requests_total[1h])`\n\n\
           Instead: `rate(http_requests_total[1h])`",
};

/// Reports [`IRATE_LONG_WINDOW`] on an irate() or idelta() call with a window over
/// [`IRATE_MAX_WINDOW`].
pub(super) fn irate_long_window(c: &Cursor, parents: &[Cursor], ctx: &mut Ctx) {
    let Some(fname) = c.call_name() else {
        return;
    };
    if fname != "irate" && fname != "idelta" {
        return;
    }
    let Some((arg, range_span)) = range_arg(c) else {
        return;
    };
    let Expr::MatrixSelector(ms) = arg.expr else {
        return;
    };
    if ms.range <= IRATE_MAX_WINDOW || range_span.is_some_and(|s| ctx.masked.is_templated(s)) {
        return;
    }
    let name_span = match c.node.map(|n| &n.kind) {
        Some(Kind::Call(n)) => Some(n.name),
        _ => None,
    };
    let smooth = if fname == "irate" { "rate" } else { "delta" };
    let fix = name_span.map(|s| Edit::replace(s, smooth));
    let span = name_span.unwrap_or_else(|| ctx.span(c, parents));
    ctx.report(
        &IRATE_LONG_WINDOW,
        span,
        format!(
            "{fname}() only uses the last two samples in the window; a {} window does not \
             average anything, it only allows older samples. Use {smooth}() for the average \
             over {}.",
            format_duration(ms.range),
            format_duration(ms.range)
        ),
        fix,
    );
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::super::LintOptions;
    use super::super::testing::{findings, findings_with, fixed, fixed_with, marked};
    use super::{
        COUNTER_WITHOUT_RATE, IRATE_LONG_WINDOW, RATE_ON_GAUGE, RATE_WINDOW_TOO_SHORT,
        SUM_THEN_RATE,
    };

    #[test]
    fn counter_without_rate() {
        let rule = COUNTER_WITHOUT_RATE.id;
        assert_eq!(
            marked("sum(http_requests_total{job=\"a\"})", rule),
            ["http_requests_total{job=\"a\"}"]
        );
        assert_eq!(marked("x_sum / x_count", rule), ["x_sum", "x_count"]);
        assert_eq!(marked("abs(x_total) * 2", rule), ["x_total"]);
        assert_eq!(
            marked("histogram_quantile(0.9, x_bucket)", rule),
            ["x_bucket"]
        );
        for ok in [
            "http_requests_total",
            "http_requests_total > 100",
            "count(http_requests_total)",
            "max(http_requests_total)",
            "sum(rate(http_requests_total[5m]))",
            "sum(kube_pod_container_status_restarts_total{namespace=\"a\"}) by (pod)",
            "topk(5, x_total)",
            "sum(job:http_requests_total:rate5m)",
            "a and x_total",
            "timestamp(x_total) * 2",
            "count_values(\"value\", x_total)",
        ] {
            assert!(findings(ok, rule).is_empty(), "{ok}");
        }
    }

    #[test]
    fn counters_whose_values_cannot_matter() {
        let rule = COUNTER_WITHOUT_RATE.id;
        for ok in [
            "count(sum(node_cpu_seconds_total) by (instance, cpu)) by (instance)",
            "count by (node) (node_cpu_seconds_total{mode=\"idle\"} * on (namespace, pod) group_left (node) topk by (namespace, pod) (1, kube_pod_info))",
            "group by (job) (sum by (job, code) (x_total))",
            "absent(sum(x_total{job=\"a\"}))",
            "absent_over_time(sum(x_total)[10m:])",
            "present_over_time(sum(x_total)[10m:])",
            "count_over_time(sum(x_total)[10m:1m])",
            "timestamp(sum by (pod) (x_total))",
            "y and on (pod) sum by (pod) (x_total)",
            "y unless on (pod) (x_total * 2)",
            "count(label_replace(sum by (pod) (x_total), \"p\", \"$1\", \"pod\", \"(.*)\"))",
            "y + on (pod) group_left (node) (0 * sum by (pod, node) (x_total))",
            "count(sum by (pod) (x_total) > bool 0)",
            "count by (pod) (y * on (pod) group_left x_total)",
            // topk reads the raw values to pick one, a fine use; the product is only counted.
            "count by (node) (rate(x_total[5m]) * on (pod) group_left (node) topk by (pod) (1, x_total))",
            "count(sum(x_total > 5))",
        ] {
            assert!(findings(ok, rule).is_empty(), "{ok}");
        }
    }

    #[test]
    fn counters_whose_values_reach_the_result() {
        let rule = COUNTER_WITHOUT_RATE.id;
        for (q, at) in [
            // A filter reads the sum's values even when only the series are counted.
            ("count(sum by (pod) (x_total) > 0)", "x_total"),
            // count_values turns each distinct value of the sum into a label.
            ("count_values(\"v\", sum(x_total))", "x_total"),
            ("y or sum(x_total)", "x_total"),
            (
                "label_replace(sum(x_total), \"p\", \"$1\", \"pod\", \"(.*)\")",
                "x_total",
            ),
            // topk and max pick raw values and pass them on to the arithmetic or sum above.
            (
                "y * on (pod) group_left topk by (pod) (1, x_total)",
                "x_total",
            ),
            ("sum(max by (cpu) (x_total))", "x_total"),
            ("sum(x_total > 0)", "x_total"),
            ("sum(5 < x_total)", "x_total"),
            ("avg(x_total and on (pod) y)", "x_total"),
            ("max_over_time(sum(x_total)[1h:])", "x_total"),
        ] {
            assert_eq!(marked(q, rule), [at], "{q}");
        }
        assert!(findings("count(delta(x_total[1h]))", rule).is_empty());
        assert_eq!(findings("count(delta(x_total[1h]) > 0)", rule).len(), 1);
    }

    #[test]
    fn gauge_functions_on_counters() {
        let rule = COUNTER_WITHOUT_RATE.id;
        assert_eq!(
            fixed("delta(http_requests_total[1h])", rule),
            "increase(http_requests_total[1h])"
        );
        assert_eq!(fixed("deriv(x_total[5m])", rule), "rate(x_total[5m])");
        let f = findings("avg_over_time(x_total[5m])", rule);
        assert_eq!(f.len(), 1);
        assert!(f[0].fix.is_none());
        assert!(findings("delta(node_memory_Active_bytes[1h])", rule).is_empty());
    }

    #[test]
    fn rate_on_gauge() {
        let rule = RATE_ON_GAUGE.id;
        for q in [
            "rate(container_memory_working_set_bytes[5m])",
            "increase(kube_pod_status_phase[1h])",
            "irate(up[5m])",
            "sum(rate(workqueue_depth{name=\"x\"}[5m]))",
            // A histogram function over a ratio of rates reads no histogram.
            "histogram_quantile(0.9, rate(x_bytes[5m]) / 2)",
        ] {
            assert_eq!(findings(q, rule).len(), 1, "{q}");
        }
        for ok in [
            "rate(container_cpu_usage_seconds_total[5m])",
            "rate(kube_pod_container_status_restarts_total[5m])",
            "rate(something_unknown[5m])",
            "deriv(container_memory_working_set_bytes[5m])",
            "histogram_quantile(0.9, sum by (job) (rate(http_response_size_bytes[5m])))",
            "histogram_avg(rate(http_request_size_bytes[5m]))",
        ] {
            assert!(findings(ok, rule).is_empty(), "{ok}");
        }
    }

    #[test]
    fn rate_window_needs_a_scrape_interval() {
        let rule = RATE_WINDOW_TOO_SHORT.id;
        let q = "sum(rate(x_total[1m]))";
        assert!(findings(q, rule).is_empty());
        let opts = LintOptions {
            scrape_interval: Some(Duration::from_secs(30)),
        };
        let f = findings_with(q, rule, &opts);
        assert_eq!(f.len(), 1);
        assert_eq!(&q[f[0].start..f[0].end], "1m");
        assert_eq!(fixed_with(q, rule, &opts), "sum(rate(x_total[2m]))");
        assert!(findings_with("rate(x_total[2m])", rule, &opts).is_empty());
        assert!(findings_with("rate(x_total[$__rate_interval])", rule, &opts).is_empty());
        let opts = LintOptions {
            scrape_interval: Some(Duration::from_secs(45)),
        };
        assert_eq!(
            fixed_with("increase(x_total[1m])", rule, &opts),
            "increase(x_total[3m])"
        );
        let opts = LintOptions {
            scrape_interval: Some(Duration::from_secs(20)),
        };
        assert_eq!(fixed_with("deriv(x[1m])", rule, &opts), "deriv(x[1m20s])");
    }

    #[test]
    fn sum_then_rate() {
        let rule = SUM_THEN_RATE.id;
        assert_eq!(
            fixed("rate(sum(http_requests_total{job=\"a\"})[5m:])", rule),
            "sum(rate(http_requests_total{job=\"a\"}[5m]))"
        );
        assert_eq!(
            fixed("increase(sum by (pod) (x_total)[1h:1m]) > 0", rule),
            "sum by (pod) (increase(x_total[1h])) > 0"
        );
        assert_eq!(
            fixed("rate((sum(x_total) by (pod))[$__rate_interval:])", rule),
            "sum(rate(x_total[$__rate_interval])) by (pod)"
        );
        let f = findings("rate(sum(a_total + b_total)[5m:])", rule);
        assert_eq!(f.len(), 1);
        assert!(f[0].fix.is_none());
        assert!(findings("sum(rate(x_total[5m]))", rule).is_empty());
        assert!(findings("max_over_time(sum(x)[1h:])", rule).is_empty());
        assert!(findings("rate(x_total[5m:])", rule).is_empty());
    }

    #[test]
    fn irate_long_window() {
        let rule = IRATE_LONG_WINDOW.id;
        assert_eq!(fixed("irate(x_total[1h])", rule), "rate(x_total[1h])");
        assert!(findings("irate(x_total[5m])", rule).is_empty());
        assert!(findings("irate(x_total[$__range])", rule).is_empty());
        assert_eq!(marked("sum(irate(x_total[30m]))", rule), ["irate"]);
    }
}
