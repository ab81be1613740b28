//! The lint rules and the walk that runs them.
//!
//! Each rule looks at one expression at a time, with the chain of expressions around it, and
//! reports [`Issue`]s with byte spans and optional [`Edit`]s. The caller turns them into public
//! findings.

mod binary;
mod cadvisor;
mod grouping;
mod histogram;
mod matchers;
mod rates;

use promql_parser::parser::Expr;

use super::syntax::Node;
use super::text::{Edit, Masked, Span};
use super::tree::Cursor;
use super::{LintOptions, Severity};

/// Rule ids; part of the public API.
pub(super) mod ids {
    pub const PARSE_ERROR: &str = "parse-error";
    pub const CADVISOR_DOUBLE_COUNT: &str = "cadvisor-double-count";
    pub const COUNTER_WITHOUT_RATE: &str = "counter-without-rate";
    pub const RATE_ON_GAUGE: &str = "rate-on-gauge";
    pub const HISTOGRAM_QUANTILE_WITHOUT_LE: &str = "histogram-quantile-without-le";
    pub const RATE_WINDOW_TOO_SHORT: &str = "rate-window-too-short";
    pub const HIGH_CARDINALITY_GROUPING: &str = "high-cardinality-grouping";
    pub const SUM_THEN_RATE: &str = "sum-then-rate";
    pub const IRATE_LONG_WINDOW: &str = "irate-long-window";
    pub const QUANTILE_OUT_OF_RANGE: &str = "quantile-out-of-range";
    pub const REGEX_ALWAYS_MATCHES: &str = "regex-always-matches";
    pub const POD_PREFIX_REGEX: &str = "pod-prefix-regex";
    pub const NETWORK_METRIC_PER_CONTAINER: &str = "network-metric-per-container";
    pub const POD_WITHOUT_NAMESPACE: &str = "pod-without-namespace";
    pub const NAN_COMPARISON: &str = "nan-comparison";
    pub const COUNT_COMPARED_TO_ZERO: &str = "count-compared-to-zero";
    pub const MISMATCHED_EXPORTERS: &str = "mismatched-exporters";
}

/// A finding in byte offsets, before conversion to the public form.
#[derive(Debug, Clone)]
pub(super) struct Issue {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    pub fix: Option<Edit>,
}

/// What every rule gets to see besides the expression.
pub(super) struct Ctx<'a> {
    /// The query with template variables masked; same offsets as the original.
    pub src: &'a str,
    /// The query as given: the text fixes copy from.
    pub original: &'a str,
    pub masked: &'a Masked,
    pub opts: &'a LintOptions,
    issues: Vec<Issue>,
}

impl Ctx<'_> {
    /// The span of `c`, or of the closest enclosing expression with a position, or the whole
    /// query.
    pub fn span(&self, c: &Cursor, parents: &[Cursor]) -> Span {
        c.node
            .map(|n| n.span)
            .or_else(|| parents.iter().rev().find_map(|p| p.node.map(|n| n.span)))
            .unwrap_or(Span::new(0, self.src.len()))
    }

    pub fn report(
        &mut self,
        rule: &'static str,
        severity: Severity,
        span: Span,
        message: String,
        fix: Option<Edit>,
    ) {
        self.issues.push(Issue {
            rule,
            severity,
            message,
            span,
            fix,
        });
    }
}

/// Runs every rule over `expr`; `node` is the positioned tree when it could be built.
pub(super) fn run(
    expr: &Expr,
    node: Option<&Node>,
    original: &str,
    masked: &Masked,
    opts: &LintOptions,
) -> Vec<Issue> {
    let mut ctx = Ctx {
        src: &masked.text,
        original,
        masked,
        opts,
        issues: Vec::new(),
    };
    let mut parents = Vec::new();
    walk(Cursor::new(expr, node), &mut parents, &mut ctx);
    ctx.issues
}

type Rule = fn(&Cursor, &[Cursor], &mut Ctx);

const RULES: &[Rule] = &[
    cadvisor::double_count,
    cadvisor::network_per_container,
    rates::counter_without_rate,
    rates::rate_on_gauge,
    rates::rate_window_too_short,
    rates::sum_then_rate,
    rates::irate_long_window,
    histogram::quantile_without_le,
    histogram::quantile_out_of_range,
    grouping::high_cardinality,
    grouping::pod_without_namespace,
    matchers::regex_always_matches,
    matchers::pod_prefix_regex,
    binary::nan_comparison,
    binary::count_compared_to_zero,
    binary::mismatched_exporters,
];

fn walk<'a>(c: Cursor<'a>, parents: &mut Vec<Cursor<'a>>, ctx: &mut Ctx) {
    for rule in RULES {
        rule(&c, parents, ctx);
    }
    parents.push(c);
    for child in c.children() {
        walk(child, parents, ctx);
    }
    parents.pop();
}

/// Calls `f` on `c` and every expression below it.
pub(super) fn for_each<'a>(c: Cursor<'a>, f: &mut dyn FnMut(Cursor<'a>)) {
    f(c);
    for child in c.children() {
        for_each(child, f);
    }
}

/// The closest enclosing expression that is not a parenthesis, with its child on the path.
pub(super) fn consumer<'a, 'p>(
    c: &Cursor<'a>,
    parents: &'p [Cursor<'a>],
) -> Option<(&'p Cursor<'a>, Cursor<'a>)> {
    let mut child = *c;
    for p in parents.iter().rev() {
        if matches!(p.expr, Expr::Paren(_)) {
            child = *p;
            continue;
        }
        return Some((p, child));
    }
    None
}

/// Whether the values of `c` are unused because it is the right-hand side of `and`/`unless`,
/// which only filter the left-hand side by labels.
pub(super) fn values_unused(c: &Cursor, parents: &[Cursor]) -> bool {
    let mut child = *c;
    for p in parents.iter().rev() {
        if let Expr::Binary(b) = p.expr {
            let op = b.op.to_string();
            if (op == "and" || op == "unless") && std::ptr::eq(&*b.rhs, child.expr) {
                return true;
            }
        }
        if let Expr::Call(call) = p.expr {
            if matches!(
                call.func.name,
                "absent" | "absent_over_time" | "present_over_time" | "timestamp"
            ) {
                return true;
            }
        }
        child = *p;
    }
    false
}

/// Functions whose result keeps the labels of their (single) vector or matrix argument.
pub(super) const LABEL_PRESERVING_FUNCTIONS: &[&str] = &[
    "rate",
    "irate",
    "increase",
    "delta",
    "idelta",
    "deriv",
    "resets",
    "changes",
    "predict_linear",
    "holt_winters",
    "double_exponential_smoothing",
    "avg_over_time",
    "min_over_time",
    "max_over_time",
    "sum_over_time",
    "count_over_time",
    "last_over_time",
    "quantile_over_time",
    "stddev_over_time",
    "stdvar_over_time",
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
    "timestamp",
];

/// Formats a duration the way PromQL writes it (`90s` → `1m30s`).
pub(super) fn format_duration(d: std::time::Duration) -> String {
    promql_parser::util::display_duration(&d)
}

#[cfg(test)]
pub(super) mod testing {
    //! Helpers for rule tests.

    use super::super::{lint_query, Finding, LintOptions};

    /// Findings of `rule` for `q`.
    pub fn findings(q: &str, rule: &str) -> Vec<Finding> {
        findings_with(q, rule, &LintOptions::default())
    }

    pub fn findings_with(q: &str, rule: &str, opts: &LintOptions) -> Vec<Finding> {
        lint_query(q, opts)
            .into_iter()
            .filter(|f| f.rule == rule)
            .collect()
    }

    /// The underlined text of each finding of `rule` (the queries in tests are ASCII).
    pub fn marked(q: &str, rule: &str) -> Vec<String> {
        findings(q, rule)
            .iter()
            .map(|f| q[f.start..f.end].to_owned())
            .collect()
    }

    /// The single fix for `rule` in `q`, checked to clear the rule.
    pub fn fixed(q: &str, rule: &str) -> String {
        fixed_with(q, rule, &LintOptions::default())
    }

    pub fn fixed_with(q: &str, rule: &str, opts: &LintOptions) -> String {
        let found = findings_with(q, rule, opts);
        assert_eq!(
            found.len(),
            1,
            "expected one {rule} finding in {q}: {found:?}"
        );
        let fix = found[0]
            .fix
            .clone()
            .unwrap_or_else(|| panic!("no fix for {rule} in {q}"));
        assert!(
            promql_parser::parser::parse(&fix).is_ok() || fix.contains('$'),
            "fix does not parse: {fix}"
        );
        assert!(
            findings_with(&fix, rule, opts).is_empty(),
            "fix {fix} still has {rule}"
        );
        fix
    }
}
