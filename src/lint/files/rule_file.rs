//! Prometheus rule files and `PrometheusRule` objects: every `expr`, and the rules themselves.

use serde_json::{Map, Value};

use super::sanity::{
    ALERT_OR_RECORD, ALERT_SEVERITY, BAD_DURATION, DUPLICATE_RULE, GROUP_NAME, MISSING_EXPR,
    RECORD_ALERT_FIELD, RECORD_NAME,
};
use super::{
    array_field, object, str_field, type_name, whole_span, Collector, FileError, FileReport,
    Pointer, Subject,
};
use crate::lint::LintOptions;
use crate::query::{is_classic_metric_name, PromDuration};

/// Lints a Prometheus rule file (`{ groups: [...] }`, as YAML parsed into JSON) or a
/// prometheus-operator `PrometheusRule` object (`kind: PrometheusRule`, `spec.groups`).
///
/// Every rule's `expr` is linted like [`lint_query`](crate::lint::lint_query), and the rules are
/// checked against [`FILE_RULES`](super::FILE_RULES): what Prometheus refuses to load (a rule
/// that is not exactly one of alert and record, no `expr`, bad durations, alert-only fields on
/// a recording rule, missing or repeated group names), names that only Prometheus 3 accepts, alerts
/// without a `severity` label, and rules repeated in a group. A file whose shape is not a rule
/// file's (groups not an array, a rule not an object, `expr` not a string) is a [`FileError`].
pub fn lint_rules(file: &Value, opts: &LintOptions) -> Result<FileReport, FileError> {
    let root_at = Pointer::root();
    let root = object(file, &root_at)?;
    let (groups_owner, owner_at) = if str_field(root, "kind") == Some("PrometheusRule") {
        let spec_at = root_at.key("spec");
        let spec = root.get("spec").ok_or_else(|| FileError::Missing {
            pointer: String::new(),
            field: "spec",
            hint: "",
        })?;
        (object(spec, &spec_at)?, spec_at)
    } else {
        (root, root_at)
    };
    if !groups_owner.contains_key("groups") {
        return Err(FileError::Missing {
            pointer: owner_at.as_str().to_owned(),
            field: "groups",
            hint: if groups_owner.contains_key("panels") {
                " (this looks like a Grafana dashboard: lint it as a dashboard)"
            } else {
                ""
            },
        });
    }
    let mut out = Collector::default();
    // Linear scans: files hold tens of groups and rules, and no map code joins the wasm module.
    let mut group_names: Vec<&str> = Vec::new();
    let groups_at = owner_at.key("groups");
    for (g, group) in array_field(groups_owner, "groups", &owner_at)?
        .iter()
        .enumerate()
    {
        let g_at = groups_at.index(g);
        let group_obj = object(group, &g_at)?;
        let name = str_field(group_obj, "name").unwrap_or("");
        let subject = Subject::Group {
            name: name.to_owned(),
        };
        if name.is_empty() {
            out.sanity(
                &GROUP_NAME,
                &subject,
                &g_at,
                (0, 0),
                "the group has no `name`".to_owned(),
            );
        } else if group_names.contains(&name) {
            out.sanity(
                &GROUP_NAME,
                &subject,
                &g_at.key("name"),
                whole_span(name),
                format!("another group of this file is also named {name:?}"),
            );
        } else {
            group_names.push(name);
        }
        if let Some(interval) = group_obj.get("interval") {
            check_duration(
                &mut out,
                &subject,
                &g_at.key("interval"),
                "interval",
                interval,
            );
        }
        let rules_at = g_at.key("rules");
        let mut seen: Vec<(String, Labels)> = Vec::new();
        for (r, rule) in array_field(group_obj, "rules", &g_at)?.iter().enumerate() {
            let r_at = rules_at.index(r);
            let rule = object(rule, &r_at)?;
            self::rule(&mut out, rule, &r_at, name, r, &mut seen, opts)?;
        }
    }
    Ok(out.report)
}

/// A non-empty string field; Prometheus treats an empty name as no name.
fn name_field<'a>(rule: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    str_field(rule, key).filter(|s| !s.is_empty())
}

fn rule(
    out: &mut Collector,
    rule: &Map<String, Value>,
    at: &Pointer,
    group: &str,
    index: usize,
    seen: &mut Vec<(String, Labels)>,
    opts: &LintOptions,
) -> Result<(), FileError> {
    let alert = name_field(rule, "alert");
    let record = name_field(rule, "record");
    let subject = Subject::Rule {
        group: group.to_owned(),
        index,
        name: alert.or(record).map(str::to_owned),
    };
    if alert.is_some() == record.is_some() {
        let what = if alert.is_some() { "both" } else { "neither" };
        out.sanity(
            &ALERT_OR_RECORD,
            &subject,
            at,
            (0, 0),
            format!("the rule has {what} of `alert` and `record`; it needs exactly one"),
        );
    }
    match rule.get("expr") {
        None | Some(Value::Null) => out.sanity(
            &MISSING_EXPR,
            &subject,
            at,
            (0, 0),
            "the rule has no `expr`".to_owned(),
        ),
        Some(Value::String(expr)) if expr.trim().is_empty() => out.sanity(
            &MISSING_EXPR,
            &subject,
            &at.key("expr"),
            (0, 0),
            "the rule's `expr` is empty".to_owned(),
        ),
        Some(Value::String(expr)) => {
            out.lint_expr(&subject, &at.key("expr"), expr, 0, expr, opts);
        }
        // YAML reads `expr: 1` as a number, which Prometheus takes as the query `1`.
        Some(Value::Number(_) | Value::Bool(_)) => {}
        Some(other) => {
            return Err(FileError::WrongType {
                pointer: at.key("expr").as_str().to_owned(),
                expected: "a string",
                found: type_name(other),
            })
        }
    }
    for key in ["for", "keep_firing_for"] {
        let Some(value) = rule.get(key) else {
            continue;
        };
        let nonzero = check_duration(out, &subject, &at.key(key), key, value);
        if record.is_some() && alert.is_none() && nonzero {
            out.sanity(
                &RECORD_ALERT_FIELD,
                &subject,
                &at.key(key),
                value.as_str().map_or((0, 0), whole_span),
                format!("a recording rule cannot have `{key}`; only alerts wait or keep firing"),
            );
        }
    }
    let has_annotations = rule
        .get("annotations")
        .and_then(Value::as_object)
        .is_some_and(|a| !a.is_empty());
    if record.is_some() && alert.is_none() && has_annotations {
        out.sanity(
            &RECORD_ALERT_FIELD,
            &subject,
            &at.key("annotations"),
            (0, 0),
            "a recording rule cannot have `annotations`; only alerts carry them".to_owned(),
        );
    }
    let labels = labels(rule);
    if let (Some(name), None) = (alert, record) {
        if !labels.iter().any(|(k, _)| k == "severity") {
            out.sanity(
                &ALERT_SEVERITY,
                &subject,
                &at.key("alert"),
                whole_span(name),
                format!(
                    "alert {name} has no `severity` label, so routing trees that route on it \
                     send it to the default receiver"
                ),
            );
        }
    }
    if let (Some(name), None) = (record, alert) {
        if !is_classic_metric_name(name) {
            out.sanity(
                &RECORD_NAME,
                &subject,
                &at.key("record"),
                whole_span(name),
                format!(
                    "{name:?} is not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*): Prometheus before \
                     3.0 refuses it, and queries must quote it as {{\"{name}\"}}"
                ),
            );
        }
    }
    if let Some(name) = alert.xor(record) {
        let name_key = if alert.is_some() { "alert" } else { "record" };
        let key = (name.to_owned(), labels);
        if seen.contains(&key) {
            out.sanity(
                &DUPLICATE_RULE,
                &subject,
                &at.key(name_key),
                whole_span(name),
                format!("an earlier rule of this group is also {name} with the same labels"),
            );
        } else {
            seen.push(key);
        }
    }
    Ok(())
}

/// A rule's labels, sorted by name.
type Labels = Vec<(String, String)>;

/// A rule's labels as strings (YAML scalars such as `priority: 1` included).
fn labels(rule: &Map<String, Value>) -> Labels {
    let Some(labels) = rule.get("labels").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut out: Labels = labels
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => s.clone(),
                // Formatted without serde_json's writer, which the wasm module does not carry.
                Value::Number(n) => match n.as_i64() {
                    Some(i) => i.to_string(),
                    None => n.as_f64().unwrap_or(0.0).to_string(),
                },
                Value::Bool(b) => b.to_string(),
                Value::Null => String::new(),
                // Prometheus refuses a collection as a label value; it only has to differ here.
                Value::Array(_) | Value::Object(_) => format!("<{}>", type_name(v)),
            };
            (k.clone(), v)
        })
        .collect();
    // serde_json's map is sorted unless a crate turns on its `preserve_order`.
    out.sort();
    out
}

/// Checks a duration field; returns whether it is a duration other than zero.
fn check_duration(
    out: &mut Collector,
    subject: &Subject,
    at: &Pointer,
    key: &str,
    value: &Value,
) -> bool {
    let problem = match value {
        Value::Null => return false,
        // YAML reads `for: 0` as a number; Prometheus reads it as the duration 0.
        Value::Number(n) if n.as_u64() == Some(0) => return false,
        Value::String(s) if s == "0" => return false,
        Value::String(s) => {
            // PromDuration refuses zero, which Prometheus allows (`0s`): a zero duration is
            // valid when the same text with its zeros made ones is.
            let all_zero = s.bytes().all(|b| !b.is_ascii_digit() || b == b'0');
            let checked = if all_zero {
                s.replace('0', "1")
            } else {
                s.clone()
            };
            match PromDuration::parse(&checked, key) {
                Ok(_) => return !all_zero,
                Err(e) => e.to_string().replace(&checked, s),
            }
        }
        other => format!(
            "{key}: expected a duration such as \"5m\", found {}",
            type_name(other)
        ),
    };
    out.sanity(
        &BAD_DURATION,
        subject,
        at,
        value.as_str().map_or((0, 0), whole_span),
        problem,
    );
    false
}
