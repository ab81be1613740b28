//! Label names, label values and matchers, rendered so that any user string matches itself.

use std::borrow::Cow;
use std::fmt;

use super::QueryError;

/// A Prometheus label name: any non-empty string, as Prometheus 3 allows.
///
/// A name of the classic form `[a-zA-Z_][a-zA-Z0-9_]*` is written bare, which every Prometheus
/// reads; any other (`k8s.pod.name`, as OpenTelemetry data brings) is written as a quoted string
/// (`"k8s.pod.name"`), the form Prometheus 3 reads in selectors and grouping clauses alike.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LabelName(String);

impl LabelName {
    /// Checks `name`; `field` names the input in the error.
    pub fn new(name: &str, field: &str) -> Result<Self, QueryError> {
        if name.is_empty() {
            Err(QueryError::invalid(field, "a label name is empty"))
        } else {
            Ok(Self(name.to_owned()))
        }
    }

    /// A name known to be valid at compile time.
    pub(crate) fn known(name: &'static str) -> Self {
        debug_assert!(is_classic_label_name(name));
        Self(name.to_owned())
    }

    /// The name as given, unquoted.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether Prometheus 2 can read the name: it is written bare.
    pub fn is_classic(&self) -> bool {
        is_classic_label_name(&self.0)
    }
}

impl fmt::Display for LabelName {
    /// Writes the name bare when it has the classic form, quoted and escaped otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_classic() {
            f.write_str(&self.0)
        } else {
            write_quoted(f, &self.0)
        }
    }
}

/// A label name as a query writes it: bare when it has the classic form, quoted otherwise.
pub fn label_name_text(name: &str) -> Cow<'_, str> {
    if is_classic_label_name(name) {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(LabelValue::new(name).to_string())
    }
}

/// `[a-zA-Z_][a-zA-Z0-9_]*`: the label names every Prometheus reads unquoted.
pub fn is_classic_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `[a-zA-Z_:][a-zA-Z0-9_:]*`: the metric names every Prometheus reads unquoted.
pub fn is_classic_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// Words PromQL reads as keywords, operators or numbers (case-insensitively) where a metric name
/// would stand: `on{job="x"}` and `rate(inf[5m])` do not parse, and a bare `nan` is a number.
const RESERVED_NAMES: &[&str] = &[
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "by",
    "without",
    "offset",
    "start",
    "end",
    "and",
    "or",
    "unless",
    "atan2",
    "inf",
    "nan",
    "smoothed",
    "anchored",
    "sum",
    "avg",
    "count",
    "min",
    "max",
    "group",
    "stddev",
    "stdvar",
    "topk",
    "bottomk",
    "count_values",
    "quantile",
    "limitk",
    "limit_ratio",
];

/// How a selector names its metric.
enum NameForm {
    /// `name{...}`.
    Bare,
    /// `{"name", ...}`: the form Prometheus 3 reads for any UTF-8 name.
    Quoted,
    /// `{__name__="name", ...}`: a classic name PromQL reads as a keyword; both Prometheus 2 and
    /// 3 read this form.
    Matched,
}

fn name_form(metric: &str) -> NameForm {
    if !is_classic_metric_name(metric) {
        NameForm::Quoted
    } else if RESERVED_NAMES
        .iter()
        .any(|word| word.eq_ignore_ascii_case(metric))
    {
        NameForm::Matched
    } else {
        NameForm::Bare
    }
}

/// A series selector: `name{m1, m2}` (just `name` without matchers) when the metric name has the
/// classic form, `{"name", m1, m2}` otherwise, the form Prometheus 3 reads for any UTF-8 name;
/// `{__name__="name", m1, m2}` for a classic name PromQL reads as a keyword.
pub fn selector(metric: &str, matchers: &[Matcher]) -> String {
    if matchers.is_empty() {
        return bare_selector(metric).into_owned();
    }
    let rendered = matchers
        .iter()
        .map(Matcher::to_string)
        .collect::<Vec<String>>()
        .join(", ");
    match name_form(metric) {
        NameForm::Bare => format!("{metric}{{{rendered}}}"),
        NameForm::Quoted => format!("{{{}, {rendered}}}", LabelValue::new(metric)),
        NameForm::Matched => format!("{{__name__={}, {rendered}}}", LabelValue::new(metric)),
    }
}

/// A selector of a metric name alone: the name, or `{"name"}` when it must be quoted
/// (`{__name__="name"}` when it is a keyword).
pub fn bare_selector(metric: &str) -> Cow<'_, str> {
    match name_form(metric) {
        NameForm::Bare => Cow::Borrowed(metric),
        NameForm::Quoted => Cow::Owned(format!("{{{}}}", LabelValue::new(metric))),
        NameForm::Matched => Cow::Owned(format!("{{__name__={}}}", LabelValue::new(metric))),
    }
}

/// Writes `text` as a double-quoted PromQL string that unquotes to exactly `text`. Backslash,
/// quote and control characters are escaped with the escapes PromQL shares with Go
/// (`strconv.Unquote`).
fn write_quoted(f: &mut impl fmt::Write, text: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in text.chars() {
        match c {
            '\\' => f.write_str("\\\\")?,
            '"' => f.write_str("\\\"")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if (c as u32) < 0x20 || c == '\u{7f}' => write!(f, "\\x{:02x}", c as u32)?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

/// A label value: any string, written as a PromQL string literal that unquotes to exactly it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelValue(String);

impl LabelValue {
    /// Wraps any string.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The raw value.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LabelValue {
    /// Writes a double-quoted literal that the parser unquotes to exactly the value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_quoted(f, &self.0)
    }
}

/// How a matcher compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOp {
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
    /// `=~`
    Regex,
}

impl MatchOp {
    fn as_str(self) -> &'static str {
        match self {
            Self::Equal => "=",
            Self::NotEqual => "!=",
            Self::Regex => "=~",
        }
    }
}

/// The right-hand side of a matcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchValue {
    /// A literal, escaped when written.
    Literal(LabelValue),
    /// A Grafana template variable (`$ns`, `${ns}`, `${ns:regex}`, `[[ns]]`), written inside quotes
    /// as is so that Grafana substitutes it. Only constructed from text that cannot end the string.
    Variable(String),
}

impl MatchValue {
    /// Recognises a whole-value Grafana variable reference. The accepted characters (word
    /// characters, `$`, braces, brackets and one `:`) can never close a PromQL string literal.
    pub fn grafana_variable(text: &str) -> Option<Self> {
        let word =
            |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        let is_variable =
            if let Some(inner) = text.strip_prefix("${").and_then(|s| s.strip_suffix('}')) {
                match inner.split_once(':') {
                    Some((name, format)) => word(name) && word(format),
                    None => word(inner),
                }
            } else if let Some(inner) = text.strip_prefix("[[").and_then(|s| s.strip_suffix("]]")) {
                word(inner)
            } else if let Some(name) = text.strip_prefix('$') {
                word(name)
            } else {
                false
            };
        is_variable.then(|| Self::Variable(text.to_owned()))
    }
}

impl fmt::Display for MatchValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Literal(value) => value.fmt(f),
            Self::Variable(text) => write!(f, "\"{text}\""),
        }
    }
}

/// One label matcher of a selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matcher {
    /// The label.
    pub name: LabelName,
    /// The comparison.
    pub op: MatchOp,
    /// The value compared with.
    pub value: MatchValue,
}

impl Matcher {
    /// `name="value"`, matching exactly `value`.
    pub fn equal(name: LabelName, value: impl Into<String>) -> Self {
        Self {
            name,
            op: MatchOp::Equal,
            value: MatchValue::Literal(LabelValue::new(value)),
        }
    }

    /// `name!="value"`.
    pub fn not_equal(name: LabelName, value: impl Into<String>) -> Self {
        Self {
            name,
            op: MatchOp::NotEqual,
            value: MatchValue::Literal(LabelValue::new(value)),
        }
    }
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{}", self.name, self.op.as_str(), self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_names_are_checked() {
        let err = LabelName::new("", "by[0]").unwrap_err();
        assert!(err.to_string().starts_with("by[0]:"), "{err}");
    }

    #[test]
    fn classic_names_are_bare_and_others_quoted() {
        let written = |name: &str| LabelName::new(name, "by").unwrap().to_string();
        assert_eq!(written("namespace"), "namespace");
        assert_eq!(written("_x9"), "_x9");
        assert_eq!(written("k8s.pod.name"), r#""k8s.pod.name""#);
        assert_eq!(written("9a"), r#""9a""#);
        assert_eq!(written("a:b"), r#""a:b""#);
        assert_eq!(written("é"), r#""é""#);
        assert_eq!(written("a\"} or up"), r#""a\"} or up""#);
    }

    #[test]
    fn selectors_quote_the_metric_name_only_when_needed() {
        let pod = Matcher::equal(LabelName::known("pod"), "web-0");
        assert_eq!(selector("up", &[]), "up");
        assert_eq!(
            selector("a:b_c", std::slice::from_ref(&pod)),
            r#"a:b_c{pod="web-0"}"#
        );
        assert_eq!(selector("k8s.pod.cpu.time", &[]), r#"{"k8s.pod.cpu.time"}"#);
        let name = Matcher::equal(LabelName::new("k8s.pod.name", "selector").unwrap(), "web-0");
        assert_eq!(
            selector("k8s.pod.cpu.time", &[pod, name]),
            r#"{"k8s.pod.cpu.time", pod="web-0", "k8s.pod.name"="web-0"}"#
        );
    }

    #[test]
    fn values_are_escaped() {
        let hostile = LabelValue::new("a\"} or vector(1) #\\\n\u{1}");
        assert_eq!(hostile.to_string(), r#""a\"} or vector(1) #\\\n\x01""#);
    }

    #[test]
    fn grafana_variables_are_recognised_only_whole() {
        for ok in ["$ns", "${ns}", "${ns:regex}", "[[ns]]", "$__all"] {
            assert!(MatchValue::grafana_variable(ok).is_some(), "{ok}");
        }
        for not in [
            "$", "${}", "a$ns", "$ns\"", "${ns:}", "${a b}", "[[ns]", "$ns-1",
        ] {
            assert!(MatchValue::grafana_variable(not).is_none(), "{not}");
        }
    }
}
