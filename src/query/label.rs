//! Label names, label values and matchers, rendered so that any user string matches itself.

use std::fmt;

use super::QueryError;

/// A Prometheus label name: `[a-zA-Z_][a-zA-Z0-9_]*`.
///
/// Checked on construction, so a name can be written into a query without quoting.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LabelName(String);

impl LabelName {
    /// Checks `name`; `field` names the input in the error.
    pub fn new(name: &str, field: &str) -> Result<Self, QueryError> {
        let mut chars = name.chars();
        let valid_start = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_');
        if valid_start && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
            Ok(Self(name.to_owned()))
        } else {
            Err(QueryError::invalid(
                field,
                format!("{name:?} is not a label name (letters, digits and '_', not starting with a digit)"),
            ))
        }
    }

    /// A name known to be valid at compile time.
    pub(crate) fn known(name: &'static str) -> Self {
        debug_assert!(Self::new(name, "label").is_ok());
        Self(name.to_owned())
    }

    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LabelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
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
    /// Writes a double-quoted literal. Backslash, quote and control characters are escaped with
    /// the escapes PromQL shares with Go (`strconv.Unquote`), so the parser gives back the input.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        f.write_char('"')?;
        for c in self.0.chars() {
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
        assert!(LabelName::new("namespace", "by").is_ok());
        assert!(LabelName::new("_x9", "by").is_ok());
        for bad in ["", "9a", "a-b", "a b", "é", "a\"}"] {
            let err = LabelName::new(bad, "by[0]").unwrap_err();
            assert!(err.to_string().contains("by[0]"), "{err}");
        }
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
