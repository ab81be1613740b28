//! The lint rules and the walk that runs them.
//!
//! Each rule is one [`RuleInfo`] constant (id, severity, summary, docs), declared in the module
//! of the check that reports it and listed once in [`ALL`]. A check looks at one expression at
//! a time, with the chain of expressions around it, and reports [`Issue`]s of its rules with
//! byte spans and optional [`Edit`]s; the caller turns them into public findings.

mod binary;
mod cadvisor;
mod grouping;
mod histogram;
mod matchers;
mod rates;
mod values;

use promql_parser::parser::Expr;

use super::syntax::Node;
use super::text::{Edit, Masked, Span};
use super::tree::Cursor;
use super::{LintOptions, RuleInfo, Severity};

/// The query does not parse. The caller reports it before any check runs; it is declared here
/// with the others so that [`ALL`] is the one list of rules.
pub(super) const PARSE_ERROR: RuleInfo = RuleInfo {
    id: "parse-error",
    severity: Severity::Error,
    summary: "The query does not parse; the finding points at the offending text.",
    docs: "The query is not PromQL, or promql-parser rejects it: an unknown function, an \
           argument of the wrong type, an invalid regex. The finding underlines the offending \
           text, and no other rule runs until the query parses. Grafana template variables are \
           understood only as ranges (`[$__rate_interval]`); substitute the others before \
           linting.\n\n\
           Flagged: `sum(rate(http_requests_total[5m])`\n\n\
           Instead: `sum(rate(http_requests_total[5m]))`",
};

/// Every rule, in the order of the public [`RULES`](super::RULES) table. Each value is the
/// constant its check reports, so ids and severities cannot drift apart.
pub(super) const ALL: &[RuleInfo] = &[
    PARSE_ERROR,
    cadvisor::CADVISOR_DOUBLE_COUNT,
    rates::COUNTER_WITHOUT_RATE,
    rates::RATE_ON_GAUGE,
    histogram::HISTOGRAM_QUANTILE_WITHOUT_LE,
    rates::RATE_WINDOW_TOO_SHORT,
    grouping::HIGH_CARDINALITY_GROUPING,
    rates::SUM_THEN_RATE,
    rates::IRATE_LONG_WINDOW,
    histogram::QUANTILE_OUT_OF_RANGE,
    matchers::REGEX_ALWAYS_MATCHES,
    matchers::POD_PREFIX_REGEX,
    cadvisor::NETWORK_METRIC_PER_CONTAINER,
    grouping::POD_WITHOUT_NAMESPACE,
    binary::NAN_COMPARISON,
    binary::COUNT_COMPARED_TO_ZERO,
    binary::MISMATCHED_EXPORTERS,
];

/// A finding in byte offsets, before conversion to the public form.
#[derive(Debug, Clone)]
pub(super) struct Issue {
    /// The rule, which also gives the severity.
    pub rule: &'static RuleInfo,
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

    /// Records a finding of `rule`, with the rule's severity.
    pub fn report(
        &mut self,
        rule: &'static RuleInfo,
        span: Span,
        message: String,
        fix: Option<Edit>,
    ) {
        // A rule missing from the table would reach users with an id that no documentation
        // lists; every test that reports it catches that here.
        debug_assert!(
            ALL.iter().any(|r| r == rule),
            "rule {} is not listed in rules::ALL",
            rule.id
        );
        self.issues.push(Issue {
            rule,
            message,
            span,
            fix,
        });
    }
}

/// Runs every check over `expr`; `node` is the positioned tree when it could be built.
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

/// A check: looks at one expression, with the chain of expressions above it, and reports.
type Check = fn(&Cursor, &[Cursor], &mut Ctx);

/// Every check, run on every expression. A check may report more than one rule, and
/// `parse-error` has none, so this is not the rule table.
const CHECKS: &[Check] = &[
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
    for check in CHECKS {
        check(&c, parents, ctx);
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
