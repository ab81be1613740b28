//! Grafana dashboards: panel targets (in rows and collapsed rows too) and query variables.

use serde_json::Value;

use super::{array_field, object, str_field, Collector, FileError, FileReport, Pointer, Subject};
use crate::lint::LintOptions;

/// Deepest nesting of `panels` inside panels that is read; Grafana nests one level (rows).
const MAX_PANEL_DEPTH: usize = 8;

/// Rules that still hold for a series selector handed to the series API (a variable's
/// `label_values(selector, label)` or bare selector): the others judge what a query computes,
/// and would flag, say, a raw counter that is only listed for its labels.
const SELECTOR_RULES: &[&str] = &["parse-error", "regex-always-matches", "pod-prefix-regex"];

/// Lints every Prometheus query of a Grafana dashboard: the dashboard JSON as exported or
/// provisioned, or the `{ "dashboard": ... }` envelope of Grafana's HTTP API.
///
/// Read: `panels[].targets[].expr`, panels inside row panels (`panels[].panels[]`) and inside
/// the old `rows[].panels[]`, and `templating.list[]` variables of type `query`
/// (`query_result(q)` is linted whole, `label_values(selector, label)` and a bare series
/// selector for the matcher rules only; `label_names()`, `metrics()` and `label_values(label)`
/// hold no PromQL). Targets and variables whose data source type is set and is not
/// `prometheus` are skipped, as are library panels (their queries live elsewhere) and
/// queries with template variables outside strings and `[...]` ranges; each skip is reported.
/// A data source without a type (a name, or `${datasource}`) is taken as Prometheus.
pub fn lint_dashboard(dashboard: &Value, opts: &LintOptions) -> Result<FileReport, FileError> {
    let mut at = Pointer::root();
    let mut root = object(dashboard, &at)?;
    if let Some(inner) = root
        .get("dashboard")
        .filter(|_| !root.contains_key("panels"))
    {
        at = at.key("dashboard");
        root = object(inner, &at)?;
    }
    if !root.contains_key("panels") && !root.contains_key("rows") {
        return Err(FileError::Missing {
            pointer: at.as_str().to_owned(),
            field: "panels",
            hint: if root.contains_key("groups") || root.contains_key("spec") {
                " (this looks like a rule file: lint it as rules)"
            } else {
                ""
            },
        });
    }
    let mut out = Collector::default();
    let templating = at.key("templating");
    if let Some(t) = root.get("templating").filter(|t| !t.is_null()) {
        let t = object(t, &templating)?;
        let list = templating.key("list");
        for (i, var) in array_field(t, "list", &templating)?.iter().enumerate() {
            variable(&mut out, var, &list.index(i), opts)?;
        }
    }
    let panels_at = at.key("panels");
    for (i, panel) in array_field(root, "panels", &at)?.iter().enumerate() {
        self::panel(&mut out, panel, &panels_at.index(i), None, 0, opts)?;
    }
    let rows_at = at.key("rows");
    for (r, row) in array_field(root, "rows", &at)?.iter().enumerate() {
        let row_at = rows_at.index(r);
        let row = object(row, &row_at)?;
        let inner = row_at.key("panels");
        for (i, panel) in array_field(row, "panels", &row_at)?.iter().enumerate() {
            self::panel(&mut out, panel, &inner.index(i), None, 1, opts)?;
        }
    }
    Ok(out.report)
}

/// The data source type of a `datasource` field, when it names one.
fn datasource_type(ds: Option<&Value>) -> Option<&str> {
    ds?.as_object()?.get("type")?.as_str()
}

/// Whether a data source type is one whose queries are PromQL; `None` (unknown) counts as yes.
fn is_prometheus(kind: Option<&str>) -> bool {
    // "datasource" is Grafana's built-in "-- Mixed --" / "-- Dashboard --" source; a mixed
    // panel's targets say their own type.
    kind.is_none_or(|k| k == "prometheus" || k == "datasource" || k.starts_with('$'))
}

fn panel(
    out: &mut Collector,
    panel: &Value,
    at: &Pointer,
    inherited_ds: Option<&Value>,
    depth: usize,
    opts: &LintOptions,
) -> Result<(), FileError> {
    let p = object(panel, at)?;
    let id = p.get("id").and_then(Value::as_i64);
    let title = str_field(p, "title").unwrap_or("");
    let panel_subject = |ref_id: Option<&str>| Subject::Panel {
        id,
        title: title.to_owned(),
        ref_id: ref_id.map(str::to_owned),
    };
    let subject = panel_subject(None);
    let ds = p
        .get("datasource")
        .filter(|d| !d.is_null())
        .or(inherited_ds);
    let targets = array_field(p, "targets", at)?;
    if targets.is_empty() {
        if let Some(lib) = p.get("libraryPanel").and_then(Value::as_object) {
            let name = str_field(lib, "name")
                .or(str_field(lib, "uid"))
                .unwrap_or("?");
            out.skip(
                &subject,
                &at.key("libraryPanel"),
                format!(
                    "library panel {name:?}: its queries are stored in Grafana, not in this file"
                ),
            );
        }
    }
    let targets_at = at.key("targets");
    for (i, target) in targets.iter().enumerate() {
        let t_at = targets_at.index(i);
        let t = object(target, &t_at)?;
        let target_subject = panel_subject(str_field(t, "refId"));
        let Some(expr) = t.get("expr") else {
            continue;
        };
        let expr_at = t_at.key("expr");
        let Some(expr) = expr.as_str() else {
            return Err(FileError::WrongType {
                pointer: expr_at.as_str().to_owned(),
                expected: "a string",
                found: super::type_name(expr),
            });
        };
        let kind = datasource_type(t.get("datasource").filter(|d| !d.is_null()).or(ds));
        if !is_prometheus(kind) {
            if !expr.trim().is_empty() {
                let kind = kind.unwrap_or("");
                out.skip(
                    &target_subject,
                    &expr_at,
                    format!("data source type {kind:?} is not Prometheus"),
                );
            }
            continue;
        }
        out.lint_expr(&target_subject, &expr_at, expr, 0, expr, opts);
    }
    let nested_at = at.key("panels");
    let nested = array_field(p, "panels", at)?;
    if !nested.is_empty() && depth >= MAX_PANEL_DEPTH {
        out.skip(
            &subject,
            &nested_at,
            format!("panels nested more than {MAX_PANEL_DEPTH} deep are not read"),
        );
        return Ok(());
    }
    for (i, inner) in nested.iter().enumerate() {
        self::panel(out, inner, &nested_at.index(i), ds, depth + 1, opts)?;
    }
    Ok(())
}

fn variable(
    out: &mut Collector,
    var: &Value,
    at: &Pointer,
    opts: &LintOptions,
) -> Result<(), FileError> {
    let v = object(var, at)?;
    if str_field(v, "type") != Some("query") {
        return Ok(());
    }
    let subject = Subject::Variable {
        name: str_field(v, "name").unwrap_or("").to_owned(),
    };
    let (query, query_at) = match v.get("query") {
        Some(Value::String(q)) => (q.as_str(), at.key("query")),
        Some(Value::Object(q)) => match q.get("query") {
            Some(Value::String(inner)) => (inner.as_str(), at.key("query").key("query")),
            _ => return Ok(()),
        },
        _ => return Ok(()),
    };
    if !is_prometheus(datasource_type(v.get("datasource"))) {
        if !query.trim().is_empty() {
            let kind = datasource_type(v.get("datasource")).unwrap_or("");
            out.skip(
                &subject,
                &query_at,
                format!("data source type {kind:?} is not Prometheus"),
            );
        }
        return Ok(());
    }
    match VariableQuery::parse(query) {
        VariableQuery::Promql { offset, expr } => {
            out.lint_expr(&subject, &query_at, query, offset, expr, opts);
        }
        VariableQuery::Selector { offset, expr } => {
            let before = out.report.findings.len();
            out.lint_expr(&subject, &query_at, query, offset, expr, opts);
            keep_selector_rules(&mut out.report.findings, before);
        }
        VariableQuery::NoPromql => {}
    }
    Ok(())
}

/// Drops, from `findings[from..]`, those of rules that do not apply to a bare selector.
fn keep_selector_rules(findings: &mut Vec<super::FileFinding>, from: usize) {
    let mut i = from;
    while i < findings.len() {
        if SELECTOR_RULES.contains(&findings[i].rule) {
            i += 1;
        } else {
            findings.remove(i);
        }
    }
}

/// What a Grafana Prometheus variable query holds, with byte offsets into its text.
#[derive(Debug, PartialEq, Eq)]
enum VariableQuery<'a> {
    /// `query_result(expr)`: a whole PromQL query.
    Promql { offset: usize, expr: &'a str },
    /// `label_values(selector, label)` or a bare selector: a series selector.
    Selector { offset: usize, expr: &'a str },
    /// `label_names()`, `metrics(regex)`, `label_values(label)`: no PromQL.
    NoPromql,
}

impl<'a> VariableQuery<'a> {
    fn parse(query: &'a str) -> Self {
        let lead = query.len() - query.trim_start().len();
        let q = query.trim();
        if q.is_empty() {
            return VariableQuery::NoPromql;
        }
        let call = |name: &str| -> Option<(usize, &'a str)> {
            let rest = q.strip_prefix(name)?.trim_start();
            let inner = rest.strip_prefix('(')?.strip_suffix(')')?;
            Some((lead + (q.len() - rest.len()) + 1, inner))
        };
        if let Some((offset, inner)) = call("query_result") {
            return VariableQuery::Promql {
                offset,
                expr: inner,
            };
        }
        if let Some((offset, inner)) = call("label_values") {
            return match top_level_comma(inner) {
                Some(comma) => VariableQuery::Selector {
                    offset,
                    expr: &inner[..comma],
                },
                None => VariableQuery::NoPromql,
            };
        }
        if call("label_names").is_some() || call("metrics").is_some() {
            return VariableQuery::NoPromql;
        }
        // Grafana sends any other text to the series API as a selector.
        VariableQuery::Selector {
            offset: lead,
            expr: q,
        }
    }
}

/// The byte offset of the last comma of `s` outside quotes, braces and parentheses.
fn top_level_comma(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut last = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            if b == b'\\' {
                i += 1;
            } else if b == q {
                quote = None;
            }
        } else {
            match b {
                b'"' | b'\'' | b'`' => quote = Some(b),
                b'(' | b'{' | b'[' => depth += 1,
                b')' | b'}' | b']' => depth = depth.saturating_sub(1),
                b',' if depth == 0 => last = Some(i),
                _ => {}
            }
        }
        i += 1;
    }
    last
}

/// Used by the tests of this module's parts.
#[cfg(test)]
pub(super) fn variable_query_parts(query: &str) -> Option<(bool, usize, &str)> {
    match VariableQuery::parse(query) {
        VariableQuery::Promql { offset, expr } => Some((true, offset, expr)),
        VariableQuery::Selector { offset, expr } => Some((false, offset, expr)),
        VariableQuery::NoPromql => None,
    }
}
