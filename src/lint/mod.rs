//! PromQL doctor: lints user PromQL for the mistakes that give plausible but wrong numbers.
//!
//! [`lint_query`] parses a query with promql-parser, runs the rules listed in [`RULES`] and
//! returns [`Finding`]s with UTF-16 offsets (what a JS editor indexes) and, where a safe one
//! exists, a fix: the whole query rewritten, changed only where the finding points.
//!
//! The module is self-contained (it uses only promql-parser, serde and thiserror) and never
//! panics: queries that are too long or nest too deeply are reported as parse errors before the
//! parser sees them, because promql-parser recurses without bound and panics on some numbers.

mod files;
mod lexer;
mod metrics;
mod rules;
mod syntax;
mod text;
mod tree;

#[cfg(test)]
mod tests;

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use crate::query::PromDuration;

pub use self::files::{
    lint_dashboard, lint_rules, FileError, FileFinding, FileReport, Skipped, Subject, FILE_RULES,
};
use self::rules::Issue;
use self::text::{Masked, Span, Utf16Map};

/// Longest query, in bytes, the linter reads; longer ones get a single `parse-error`.
pub const MAX_QUERY_BYTES: usize = 256 * 1024;

/// Most findings returned for one query.
pub const MAX_FINDINGS: usize = 200;

/// Longest query, in bytes, for which fixes are computed (each fix is a full copy).
pub const MAX_FIX_QUERY_BYTES: usize = 32 * 1024;

/// When the positioned parser fails but promql-parser might not, promql-parser only gets the
/// query if it is this short, since nothing else bounds its recursion then.
const FALLBACK_TOKEN_LIMIT: usize = 200;

/// Most sub-expressions re-parsed to locate a semantic error.
const LOCATE_BUDGET: usize = 200;

/// promql-parser's message for every grammar error; it says nothing about where.
const GENERIC_PARSE_ERROR: &str = "invalid promql query";

/// Settings for [`lint_query`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LintOptions {
    /// The scrape interval of the queried series; enables `rate-window-too-short`.
    /// `None` (or zero) leaves that rule off.
    pub scrape_interval: Option<Duration>,
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The query does not parse, or certainly returns nothing useful.
    Error,
    /// The query runs but the numbers are likely wrong.
    Warning,
    /// Worth a look; often harmless.
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

/// One problem found in a query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The rule id, one of [`RULES`].
    pub rule: &'static str,
    /// How bad it is.
    pub severity: Severity,
    /// What is wrong and what to do, in one or two sentences.
    pub message: String,
    /// Start of the offending text, in UTF-16 code units into the query.
    pub start: usize,
    /// End (exclusive) of the offending text, in UTF-16 code units into the query.
    pub end: usize,
    /// The whole query rewritten to fix this finding; it parses, no longer has this finding,
    /// and equals the query outside the edited spot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// A rule: its id, its severity, what it checks and why.
///
/// Each rule is declared once, as a `RuleInfo` constant beside the check that reports it; the
/// findings take their id and severity from that constant, and [`RULES`] lists the same values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    /// The id findings carry.
    pub id: &'static str,
    /// The severity of its findings.
    pub severity: Severity,
    /// What it checks, in one sentence.
    pub summary: &'static str,
    /// Why it matters, in Markdown, ending with a `Flagged:` query that has the finding and an
    /// `Instead:` query that does not (the rule table's tests lint both).
    pub docs: &'static str,
}

/// Every rule of the linter, `parse-error` first.
pub const RULES: &[RuleInfo] = rules::ALL;

/// Lints one PromQL query.
///
/// Grafana template variables used as ranges (`[$__rate_interval]`) are accepted; other
/// template variables are not PromQL and give a `parse-error`. Findings are sorted by position.
/// Never panics, whatever the input.
pub fn lint_query(promql: &str, opts: &LintOptions) -> Vec<Finding> {
    let masked = text::mask_template_variables(promql);
    let issues = analyze(promql, &masked, opts);
    to_findings(promql, issues)
}

/// Parses a PromQL duration such as `30s`, `1m30s` or `1h` (units `y w d h m s ms`, largest
/// first, each at most once; whitespace around it is ignored), as used for the
/// `scrapeInterval` option: [`PromDuration::parse`], the one duration parser.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    PromDuration::parse(s.trim(), "scrapeInterval")
        .map(|d| Duration::from_millis(d.as_millis()))
        .map_err(|e| e.to_string())
}

fn parse_error(span: Span, message: String) -> Vec<Issue> {
    vec![Issue {
        rule: &rules::PARSE_ERROR,
        message,
        span,
        fix: None,
    }]
}

/// A hint for text that is a Grafana template variable.
fn variable_hint(src: &str, span: Span) -> &'static str {
    let at = src.get(span.start..).unwrap_or("");
    if at.starts_with('$') || span.text(src).contains('$') {
        " (Grafana template variables such as $var are only understood as [...] ranges; \
         substitute the others before linting)"
    } else {
        ""
    }
}

fn analyze(src: &str, masked: &Masked, opts: &LintOptions) -> Vec<Issue> {
    if src.len() > MAX_QUERY_BYTES {
        return parse_error(
            Span::new(0, src.len()),
            format!(
                "the query is {} bytes long; the linter reads at most {MAX_QUERY_BYTES}",
                src.len()
            ),
        );
    }
    let m = masked.text.as_str();
    let tokens = match lexer::lex(m) {
        Ok(t) => t,
        Err(e) => {
            // The lexer mirrors promql-parser's, message for message; promql-parser would fail
            // on the same text, so it is not asked.
            let hint = variable_hint(src, e.span);
            return parse_error(e.span, format!("{}{hint}", e.message));
        }
    };
    if let Some(e) = syntax::check_durations(m, &tokens) {
        return parse_error(e.span, e.message);
    }
    let tree = syntax::parse(m, &tokens);
    if let Err(e) = &tree {
        if e.fatal || tokens.len() > FALLBACK_TOKEN_LIMIT {
            let hint = variable_hint(src, e.span);
            return parse_error(e.span, format!("{}{hint}", e.message));
        }
    }
    match promql_parser::parser::parse(m) {
        Err(message) => {
            let (span, message) = match &tree {
                Err(e) if message == GENERIC_PARSE_ERROR => (e.span, e.message.clone()),
                Err(e) => (e.span, message),
                Ok(node) => {
                    let mut budget = LOCATE_BUDGET;
                    (locate(node, m, &mut budget), message)
                }
            };
            let hint = variable_hint(src, span);
            parse_error(span, format!("{message}{hint}"))
        }
        Ok(expr) => rules::run(&expr, tree.as_ref().ok(), src, masked, opts),
    }
}

/// The smallest sub-expression that promql-parser rejects on its own: where a semantic error
/// (wrong argument type, bad regex...) is.
fn locate(node: &syntax::Node, src: &str, budget: &mut usize) -> Span {
    let children: Vec<&syntax::Node> = match &node.kind {
        syntax::Kind::Aggregate(a) => a.args.iter().collect(),
        syntax::Kind::Call(c) => c.args.iter().collect(),
        syntax::Kind::Binary(b) => vec![&*b.lhs, &*b.rhs],
        syntax::Kind::Unary(e) | syntax::Kind::Paren(e) => vec![&**e],
        syntax::Kind::Subquery(s) => vec![&*s.expr],
        _ => Vec::new(),
    };
    for child in children {
        if *budget == 0 {
            break;
        }
        *budget -= 1;
        if promql_parser::parser::parse(child.span.text(src)).is_err() {
            return locate(child, src, budget);
        }
    }
    node.span
}

/// Whether a fixed query is still good PromQL (and safe to hand to promql-parser).
fn fix_parses(fixed: &str) -> bool {
    let masked = text::mask_template_variables(fixed);
    let m = masked.text.as_str();
    let Ok(tokens) = lexer::lex(m) else {
        return false;
    };
    syntax::check_durations(m, &tokens).is_none()
        && syntax::parse(m, &tokens).is_ok()
        && promql_parser::parser::parse(m).is_ok()
}

fn to_findings(src: &str, mut issues: Vec<Issue>) -> Vec<Finding> {
    issues.sort_by(|a, b| (a.span, a.rule.id).cmp(&(b.span, b.rule.id)));
    issues.dedup_by(|a, b| a.span == b.span && a.rule.id == b.rule.id && a.message == b.message);
    issues.truncate(MAX_FINDINGS);
    let map = Utf16Map::new(src);
    issues
        .into_iter()
        .map(|issue| {
            let mut span = issue.span;
            if span.start >= span.end && span.start >= src.len() && !src.is_empty() {
                // An error at the end of input: underline the last character.
                let last = src.char_indices().next_back().map_or(0, |(i, _)| i);
                span = Span::new(last, src.len());
            }
            let fix = if src.len() <= MAX_FIX_QUERY_BYTES {
                issue
                    .fix
                    .and_then(|e| e.apply(src))
                    .filter(|f| f != src && fix_parses(f))
            } else {
                None
            };
            Finding {
                rule: issue.rule.id,
                severity: issue.rule.severity,
                message: issue.message,
                start: map.convert(span.start),
                end: map.convert(span.end),
                fix,
            }
        })
        .collect()
}
