//! Whole files: a Grafana dashboard or a Prometheus rule file, already parsed into JSON.
//!
//! [`lint_dashboard`] lints every Prometheus query of a dashboard (panel targets, rows,
//! collapsed rows, query variables); [`lint_rules`] every `expr` of a rule file or of a
//! `PrometheusRule` object, plus the checks of [`FILE_RULES`] on the rules themselves. Both take
//! a [`serde_json::Value`], so callers parse JSON or YAML with whatever they already have and
//! the linter's wasm module needs no YAML parser.
//!
//! Each [`FileFinding`] names what it is about ([`Subject`]) and the JSON pointer of the string
//! it points into; its `start`/`end` are UTF-16 offsets into that string, exactly as
//! [`lint_query`](super::lint_query) gives them for the expression alone. Never panics.

mod dashboard;
mod rule_file;
mod sanity;

#[cfg(test)]
mod tests;

use serde::Serialize;
use serde_json::Value;

use super::{lint_query, text, Finding, LintOptions, Severity};

pub use self::dashboard::lint_dashboard;
pub use self::rule_file::lint_rules;
pub use self::sanity::FILE_RULES;

/// What a file lint found: findings, what it could not lint and why, and how much it linted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileReport {
    /// Findings in file order (panels, variables, groups and rules as they appear).
    pub findings: Vec<FileFinding>,
    /// Queries left unlinted, each with the reason; an empty list means every query was read.
    pub skipped: Vec<Skipped>,
    /// How many PromQL expressions were linted.
    pub linted: usize,
}

/// One finding in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileFinding {
    /// The panel, variable, group or rule it is about.
    pub subject: Subject,
    /// JSON pointer (RFC 6901) of the value it points into, such as `/panels/2/targets/0/expr`.
    pub pointer: String,
    /// The rule id: one of [`RULES`](super::RULES) for a query, of [`FILE_RULES`] otherwise.
    pub rule: &'static str,
    /// How bad it is.
    pub severity: Severity,
    /// What is wrong and what to do.
    pub message: String,
    /// Start, in UTF-16 code units, in the string at `pointer`; 0 when that value is not a string.
    pub start: usize,
    /// End (exclusive), in UTF-16 code units, in the string at `pointer`; 0 when not a string.
    pub end: usize,
    /// The whole string at `pointer` rewritten to fix the finding, when a safe rewrite exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// What a finding or a skipped query belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Subject {
    /// A dashboard panel's query.
    #[serde(rename_all = "camelCase")]
    Panel {
        /// The panel's `id`, when it has a numeric one.
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<i64>,
        /// The panel's `title` ("" when it has none).
        title: String,
        /// The target's `refId`, when the panel has one.
        #[serde(skip_serializing_if = "Option::is_none")]
        ref_id: Option<String>,
    },
    /// A dashboard template variable.
    Variable {
        /// The variable's `name`.
        name: String,
    },
    /// A rule group as a whole.
    Group {
        /// The group's `name`.
        name: String,
    },
    /// One rule of a group.
    Rule {
        /// The group's `name`.
        group: String,
        /// The rule's position in the group, from 0.
        index: usize,
        /// The rule's `alert` or `record` name, when it has one.
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Panel { id, title, ref_id } => {
                f.write_str("panel")?;
                if let Some(id) = id {
                    write!(f, " {id}")?;
                }
                if !title.is_empty() {
                    write!(f, " {title:?}")?;
                }
                if let Some(r) = ref_id {
                    write!(f, " target {r}")?;
                }
                Ok(())
            }
            Subject::Variable { name } => write!(f, "variable ${name}"),
            Subject::Group { name } => write!(f, "group {name:?}"),
            Subject::Rule { group, index, name } => match name {
                Some(n) => write!(f, "group {group:?} rule {n}"),
                None => write!(f, "group {group:?} rule #{index}"),
            },
        }
    }
}

/// A query the file lint did not read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    /// The panel or variable it belongs to.
    pub subject: Subject,
    /// JSON pointer of the skipped value.
    pub pointer: String,
    /// Why it was not linted.
    pub reason: String,
}

/// The file is not a dashboard or rule file at all: the shape is wrong at `pointer`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// A value that must be a JSON object is something else.
    #[error("{pointer}: expected an object, found {found}")]
    NotAnObject {
        /// JSON pointer of the value ("" for the whole document).
        pointer: String,
        /// The JSON type found instead.
        found: &'static str,
    },
    /// A required field is absent.
    #[error("{pointer}: missing field `{field}`{hint}")]
    Missing {
        /// JSON pointer of the object lacking it.
        pointer: String,
        /// The field's name.
        field: &'static str,
        /// What the file looks like instead, or "".
        hint: &'static str,
    },
    /// A field has the wrong JSON type.
    #[error("{pointer}: expected {expected}, found {found}")]
    WrongType {
        /// JSON pointer of the field.
        pointer: String,
        /// The JSON type it must have.
        expected: &'static str,
        /// The JSON type it has.
        found: &'static str,
    },
}

/// The JSON type of a value, for messages.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON pointer built segment by segment (RFC 6901 escapes `~` and `/`).
#[derive(Debug, Clone, Default)]
struct Pointer(String);

impl Pointer {
    fn root() -> Self {
        Pointer(String::new())
    }

    fn key(&self, key: &str) -> Self {
        let mut s = self.0.clone();
        s.push('/');
        for c in key.chars() {
            match c {
                '~' => s.push_str("~0"),
                '/' => s.push_str("~1"),
                c => s.push(c),
            }
        }
        Pointer(s)
    }

    fn index(&self, i: usize) -> Self {
        Pointer(format!("{}/{i}", self.0))
    }

    fn as_str(&self) -> &str {
        &self.0
    }
}

/// `v` as an object, or [`FileError::NotAnObject`].
fn object<'a>(v: &'a Value, at: &Pointer) -> Result<&'a serde_json::Map<String, Value>, FileError> {
    v.as_object().ok_or_else(|| FileError::NotAnObject {
        pointer: at.as_str().to_owned(),
        found: type_name(v),
    })
}

/// The optional array field `key` of `obj`; absent or null give an empty slice.
fn array_field<'a>(
    obj: &'a serde_json::Map<String, Value>,
    key: &'static str,
    at: &Pointer,
) -> Result<&'a [Value], FileError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(FileError::WrongType {
            pointer: at.key(key).as_str().to_owned(),
            expected: "an array",
            found: type_name(other),
        }),
    }
}

/// The string field `key` of `obj`, when it is a string.
fn str_field<'a>(obj: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a str> {
    obj.get(key).and_then(Value::as_str)
}

/// Collects a file's findings and skipped queries.
#[derive(Default)]
struct Collector {
    report: FileReport,
}

impl Collector {
    /// Lints the PromQL `expr`, found at byte `offset` of the string at `at`, which is `whole`:
    /// findings are moved from the expression's offsets to the string's (both UTF-16), and
    /// fixes rewrite the whole string. Expressions with template variables that masking cannot
    /// stand in for are skipped, since their parse error would only say they are not PromQL.
    fn lint_expr(
        &mut self,
        subject: &Subject,
        at: &Pointer,
        whole: &str,
        offset: usize,
        expr: &str,
        opts: &LintOptions,
    ) {
        if expr.trim().is_empty() {
            return;
        }
        if let Some(at_byte) = text::bare_template_variable(expr) {
            let var: String = expr[at_byte..]
                .chars()
                .take_while(|&c| {
                    c == '$'
                        || c == '{'
                        || c == '}'
                        || c == ':'
                        || c == '.'
                        || c == '_'
                        || c.is_ascii_alphanumeric()
                })
                .collect();
            self.skip(
                subject,
                at,
                format!(
                    "uses the template variable {var} outside a string or a [...] range, where \
                     it could stand for anything; substitute it to lint the query"
                ),
            );
            return;
        }
        self.report.linted += 1;
        let shift: usize = whole.get(..offset).map_or(0, |s| s.encode_utf16().count());
        let head = whole.get(..offset).unwrap_or("");
        let tail = whole.get(offset + expr.len()..).unwrap_or("");
        for f in lint_query(expr, opts) {
            let Finding {
                rule,
                severity,
                message,
                start,
                end,
                fix,
            } = f;
            self.report.findings.push(FileFinding {
                subject: subject.clone(),
                pointer: at.as_str().to_owned(),
                rule,
                severity,
                message,
                start: start + shift,
                end: end + shift,
                fix: fix.map(|f| format!("{head}{f}{tail}")),
            });
        }
    }

    /// A finding of one of [`FILE_RULES`] on the value at `at`, underlining `span` (UTF-16) of it.
    fn sanity(
        &mut self,
        rule: &sanity::Check,
        subject: &Subject,
        at: &Pointer,
        span: (usize, usize),
        message: String,
    ) {
        self.report.findings.push(FileFinding {
            subject: subject.clone(),
            pointer: at.as_str().to_owned(),
            rule: rule.id,
            severity: rule.severity,
            message,
            start: span.0,
            end: span.1,
            fix: None,
        });
    }

    fn skip(&mut self, subject: &Subject, at: &Pointer, reason: String) {
        self.report.skipped.push(Skipped {
            subject: subject.clone(),
            pointer: at.as_str().to_owned(),
            reason,
        });
    }
}

/// The UTF-16 span of the whole of `s`.
fn whole_span(s: &str) -> (usize, usize) {
    (0, s.encode_utf16().count())
}
