//! Quantiles: `histogram_quantile()` and its φ argument.

use promql_parser::parser::{Expr, LabelModifier};

use super::super::syntax::{Kind, Node};
use super::super::text::{list_separator, remove_list_item, Edit};
use super::super::tree::{metric_name, Cursor};
use super::super::{RuleInfo, Severity};
use super::{for_each, Ctx};

/// Aggregations that build new series and keep only the grouping labels.
const GROUPING_AGGREGATIONS: &[&str] = &[
    "sum", "avg", "min", "max", "count", "group", "stddev", "stdvar", "quantile",
];

/// histogram_quantile() over an aggregation that drops the buckets' `le`.
pub(super) const HISTOGRAM_QUANTILE_WITHOUT_LE: RuleInfo = RuleInfo {
    id: "histogram-quantile-without-le",
    severity: Severity::Error,
    summary: "histogram_quantile() over an aggregation of _bucket series that drops le.",
    docs: "A classic histogram is a set of `_bucket` series, one per upper bound, given in the \
           `le` label. histogram_quantile() interpolates between those buckets, so an \
           aggregation inside it must keep `le` (`sum by (le, ...)`); one that drops it leaves \
           no buckets, and the result is empty. The fix adds `le` to the `by` list, or takes \
           it out of the `without` list. Native histograms have no `le` and are not \
           flagged.\n\n\
           Flagged: `histogram_quantile(0.95, sum by (job) (rate(http_request_duration_seconds_bucket[5m])))`\n\n\
           Instead: `histogram_quantile(0.95, sum by (le, job) (rate(http_request_duration_seconds_bucket[5m])))`",
};

/// Reports [`HISTOGRAM_QUANTILE_WITHOUT_LE`] on the aggregation of classic buckets that
/// histogram_quantile() reads, when it drops `le`.
pub(super) fn quantile_without_le(c: &Cursor, parents: &[Cursor], ctx: &mut Ctx) {
    if c.call_name() != Some("histogram_quantile") {
        return;
    }
    let Some(arg) = c.children().get(1).map(|a| a.unparen()) else {
        return;
    };
    let Expr::Aggregate(agg) = arg.expr else {
        return;
    };
    let op = agg.op.to_string();
    if !GROUPING_AGGREGATIONS.contains(&op.as_str()) {
        return;
    }
    let keeps_le = match &agg.modifier {
        None => false,
        Some(LabelModifier::Include(l)) => l.labels.iter().any(|l| l == "le"),
        Some(LabelModifier::Exclude(l)) => !l.labels.iter().any(|l| l == "le"),
    };
    if keeps_le {
        return;
    }
    // Native histograms have no `le`: only classic `_bucket` series need it.
    let mut classic = false;
    for_each(arg, &mut |d| {
        if let Some((vs, _)) = d.selector() {
            if metric_name(vs).is_some_and(|n| n.contains("_bucket")) {
                classic = true;
            }
        }
    });
    if !classic {
        return;
    }
    let fix = arg.node.and_then(|n| add_le(n, ctx.original));
    let span = arg
        .node
        .map(|n| n.span)
        .unwrap_or_else(|| ctx.span(c, parents));
    ctx.report(
        &HISTOGRAM_QUANTILE_WITHOUT_LE,
        span,
        format!(
            "histogram_quantile() needs the le label of the _bucket series, but this {op}() \
             drops it, so no buckets are left and the result is empty. Keep le in the grouping: \
             {op} by (le, ...)."
        ),
        fix,
    );
}

/// The edit that makes an aggregation node keep `le`.
fn add_le(agg: &Node, src: &str) -> Option<Edit> {
    let Kind::Aggregate(a) = &agg.kind else {
        return None;
    };
    match &a.grouping {
        None => {
            let after = src.get(a.op.end..).unwrap_or("");
            let space = if after.starts_with(char::is_whitespace) {
                ""
            } else {
                " "
            };
            Some(Edit::insert(a.op.end, format!(" by (le){space}")))
        }
        Some(g) => {
            let keyword = g.keyword.text(src).to_ascii_lowercase();
            let spans = g.list.spans();
            if keyword == "by" {
                match g.list.labels.last() {
                    None => Some(Edit::insert(g.list.inner().start, "le")),
                    Some(last) => {
                        let sep = list_separator(&spans, src);
                        Some(Edit::insert(last.span.end, format!("{sep}le")))
                    }
                }
            } else {
                let i = g.list.labels.iter().position(|l| l.name == "le")?;
                remove_list_item(&spans, i, g.list.inner())
            }
        }
    }
}

/// A quantile φ outside [0, 1].
pub(super) const QUANTILE_OUT_OF_RANGE: RuleInfo = RuleInfo {
    id: "quantile-out-of-range",
    severity: Severity::Error,
    summary: "A quantile φ outside [0, 1], such as 95 for 0.95.",
    docs: "The φ of histogram_quantile(), quantile() and quantile_over_time() is a fraction \
           from 0 to 1. A percentile such as 95 in its place gives +Inf for every series (a \
           negative φ, -Inf). The fix moves the decimal point of a percentile written as a \
           plain number: 95 becomes 0.95, and 99.9 becomes 0.999.\n\n\
           Flagged: `histogram_quantile(99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))`\n\n\
           Instead: `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))`",
};

/// Reports [`QUANTILE_OUT_OF_RANGE`] on a literal φ outside [0, 1].
pub(super) fn quantile_out_of_range(c: &Cursor, parents: &[Cursor], ctx: &mut Ctx) {
    let (what, phi) = match c.expr {
        Expr::Call(call)
            if matches!(call.func.name, "histogram_quantile" | "quantile_over_time") =>
        {
            let Some(phi) = c.children().first().map(|a| a.unparen()) else {
                return;
            };
            (call.func.name, phi)
        }
        Expr::Aggregate(a) if a.op.to_string() == "quantile" => {
            let Some(phi) = c.children().first().map(|a| a.unparen()) else {
                return;
            };
            ("quantile", phi)
        }
        _ => return,
    };
    let Expr::NumberLiteral(n) = phi.expr else {
        return;
    };
    let v = n.val;
    if v.is_nan() || (0.0..=1.0).contains(&v) {
        return;
    }
    let span = phi
        .node
        .map(|n| n.span)
        .unwrap_or_else(|| ctx.span(c, parents));
    let suggestion = if v > 1.0 && v <= 100.0 {
        phi.node
            .and_then(|n| percent_to_fraction(n.span.text(ctx.original)))
    } else {
        None
    };
    let result = if v > 1.0 { "+Inf" } else { "-Inf" };
    let hint = match &suggestion {
        Some(s) => format!(" Did you mean {s}?"),
        None => String::new(),
    };
    let fix = suggestion.map(|s| Edit::replace(span, s));
    ctx.report(
        &QUANTILE_OUT_OF_RANGE,
        span,
        format!("{what}() takes φ between 0 and 1; {v} yields {result} for every series.{hint}"),
        fix,
    );
}

/// `95` → `0.95`, `99.9` → `0.999`, by moving the decimal point of a plain decimal literal, so
/// no floating-point noise creeps in.
fn percent_to_fraction(text: &str) -> Option<String> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if int.is_empty()
        || int.starts_with('0')
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let digits = format!("{int}{frac}");
    let point = int.len() as isize - 2;
    let (int_part, frac_part) = if point <= 0 {
        let zeros = "0".repeat(point.unsigned_abs());
        ("0".to_owned(), format!("{zeros}{digits}"))
    } else {
        let (i, f) = digits.split_at(point.unsigned_abs());
        (i.to_owned(), f.to_owned())
    };
    let frac_part = frac_part.trim_end_matches('0');
    Some(if frac_part.is_empty() {
        int_part
    } else {
        format!("{int_part}.{frac_part}")
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{findings, fixed, marked};
    use super::{percent_to_fraction, HISTOGRAM_QUANTILE_WITHOUT_LE, QUANTILE_OUT_OF_RANGE};

    #[test]
    fn missing_le_is_added() {
        let rule = HISTOGRAM_QUANTILE_WITHOUT_LE.id;
        assert_eq!(
            fixed("histogram_quantile(0.9, sum(rate(x_bucket[5m])))", rule),
            "histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))"
        );
        assert_eq!(
            fixed(
                "histogram_quantile(0.9, sum by (job) (rate(x_bucket[5m])))",
                rule
            ),
            "histogram_quantile(0.9, sum by (job, le) (rate(x_bucket[5m])))"
        );
        assert_eq!(
            fixed(
                "histogram_quantile(0.9, sum(rate(x_bucket[5m])) by (job,pod))",
                rule
            ),
            "histogram_quantile(0.9, sum(rate(x_bucket[5m])) by (job,pod,le))"
        );
        assert_eq!(
            fixed(
                "histogram_quantile(0.9, sum without (le, pod) (rate(x_bucket[5m])))",
                rule
            ),
            "histogram_quantile(0.9, sum without (pod) (rate(x_bucket[5m])))"
        );
        assert_eq!(
            fixed(
                "histogram_quantile(0.9, (sum by () (rate(x_bucket[5m]))))",
                rule
            ),
            "histogram_quantile(0.9, (sum by (le) (rate(x_bucket[5m]))))"
        );
        assert_eq!(
            marked("histogram_quantile(0.5, max(x_bucket))", rule),
            ["max(x_bucket)"]
        );
    }

    #[test]
    fn kept_le_and_native_histograms_pass() {
        let rule = HISTOGRAM_QUANTILE_WITHOUT_LE.id;
        for ok in [
            "histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))",
            "histogram_quantile(0.9, sum(rate(x_bucket[5m])) by (le, job))",
            "histogram_quantile(0.9, sum without (pod) (rate(x_bucket[5m])))",
            "histogram_quantile(0.9, rate(x_bucket[5m]))",
            "histogram_quantile(0.9, sum(rate(x[5m])))",
        ] {
            assert!(findings(ok, rule).is_empty(), "{ok}");
        }
    }

    #[test]
    fn quantile_out_of_range() {
        let rule = QUANTILE_OUT_OF_RANGE.id;
        assert_eq!(
            fixed(
                "histogram_quantile(95, sum by (le) (rate(x_bucket[5m])))",
                rule
            ),
            "histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m])))"
        );
        assert_eq!(fixed("quantile(99.9, x)", rule), "quantile(0.999, x)");
        assert_eq!(
            fixed("quantile_over_time(50, x[5m])", rule),
            "quantile_over_time(0.5, x[5m])"
        );
        let f = findings("histogram_quantile(-0.5, x_bucket)", rule);
        assert_eq!(f.len(), 1);
        assert!(f[0].fix.is_none());
        assert!(findings("histogram_quantile(1, x_bucket)", rule).is_empty());
        assert!(findings("quantile(0, x)", rule).is_empty());
    }

    #[test]
    fn percent_shift() {
        assert_eq!(percent_to_fraction("95").as_deref(), Some("0.95"));
        assert_eq!(percent_to_fraction("99.9").as_deref(), Some("0.999"));
        assert_eq!(percent_to_fraction("100").as_deref(), Some("1"));
        assert_eq!(percent_to_fraction("5").as_deref(), Some("0.05"));
        assert_eq!(percent_to_fraction("50.50").as_deref(), Some("0.505"));
        assert_eq!(percent_to_fraction("0x10"), None);
        assert_eq!(percent_to_fraction("1e2"), None);
        assert_eq!(percent_to_fraction("095"), None);
    }
}
