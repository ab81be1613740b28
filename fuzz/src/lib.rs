//! Oracles shared by the fuzz targets, written independently of the code under test: a strict
//! reader of Prometheus text exposition 0.0.4 and a collector of PromQL label matchers (on
//! promql-parser, the parser Prometheus' Rust ecosystem uses).

use std::collections::BTreeMap;

use promql_parser::parser::{self, Expr};
use promql_parser::util::{walk_expr, ExprVisitor};

/// One sample line of an exposition page.
/// The per-pod aggregation read plainly, shared with the integration tests: the fuzz targets
/// hold the shipped aggregation to it.
#[path = "../../tests/oracle/aggregate.rs"]
pub mod oracle;

#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Metric name.
    pub name: String,
    /// Label pairs in written order, values unescaped.
    pub labels: Vec<(String, String)>,
    /// The value (`NaN`, `+Inf`, `-Inf` included).
    pub value: f64,
}

/// Reads a text exposition page strictly: every line is `# HELP`, `# TYPE`, a comment or a
/// sample; every sample belongs to the family of the last `# TYPE`; no series appears twice.
/// Returns the samples, or what is wrong and on which line.
pub fn read_exposition(text: &str) -> Result<Vec<Sample>, String> {
    if !text.is_empty() && !text.ends_with('\n') {
        return Err("the page does not end with a newline".into());
    }
    let mut samples = Vec::new();
    let mut family: Option<(String, String)> = None;
    let mut seen = std::collections::HashSet::new();
    for (n, line) in text.lines().enumerate() {
        let at = |why: String| format!("line {}: {why}: {line:?}", n + 1);
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest
                .split_once(' ')
                .ok_or_else(|| at("TYPE without a type".into()))?;
            check_metric_name(name).map_err(at)?;
            if !["gauge", "counter", "histogram", "summary", "untyped"].contains(&kind) {
                return Err(at(format!("unknown type {kind:?}")));
            }
            family = Some((name.to_owned(), kind.to_owned()));
            continue;
        }
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').unwrap_or((rest, ""));
            check_metric_name(name).map_err(at)?;
            unescape(help, false).map_err(at)?;
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let sample = read_sample(line).map_err(at)?;
        let Some((family_name, kind)) = &family else {
            return Err(at("a sample before any # TYPE".into()));
        };
        let belongs = match kind.as_str() {
            "histogram" => ["_bucket", "_sum", "_count"]
                .iter()
                .any(|suffix| sample.name == format!("{family_name}{suffix}")),
            // A counter's TYPE line names the sample (`x_total`) in text format 0.0.4.
            _ => sample.name == *family_name,
        };
        if !belongs {
            return Err(at(format!("sample outside its family {family_name}")));
        }
        let mut key_labels = sample.labels.clone();
        key_labels.sort();
        if !seen.insert((sample.name.clone(), key_labels)) {
            return Err(at("the same series twice".into()));
        }
        samples.push(sample);
    }
    Ok(samples)
}

fn check_metric_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let ok = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
    if ok {
        Ok(())
    } else {
        Err(format!("{name:?} is not a metric name"))
    }
}

fn check_label_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let ok = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!("{name:?} is not a label name"))
    }
}

/// Undoes the exposition escapes: `\\`, `\n`, and in label values `\"`. Anything else after a
/// backslash is an error (Prometheus' parser refuses it).
fn unescape(text: &str, quotes: bool) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('\\') => out.push('\\'),
                Some('n') => out.push('\n'),
                Some('"') if quotes => out.push('"'),
                other => return Err(format!("bad escape \\{other:?}")),
            },
            '"' if quotes => return Err("unescaped quote".into()),
            '\n' => return Err("raw newline".into()),
            c => out.push(c),
        }
    }
    Ok(out)
}

fn read_sample(line: &str) -> Result<Sample, String> {
    let name_end = line
        .find(|c: char| c == '{' || c == ' ')
        .ok_or("a sample without a value")?;
    let name = &line[..name_end];
    check_metric_name(name)?;
    let mut rest = &line[name_end..];
    let mut labels = Vec::new();
    if let Some(after) = rest.strip_prefix('{') {
        rest = after;
        loop {
            if let Some(after) = rest.strip_prefix('}') {
                rest = after;
                break;
            }
            let eq = rest.find("=\"").ok_or("a label without =\"")?;
            let label = &rest[..eq];
            check_label_name(label)?;
            rest = &rest[eq + 2..];
            // The value ends at the first quote not escaped by a backslash.
            let mut end = None;
            let mut escaped = false;
            for (i, c) in rest.char_indices() {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => {
                        end = Some(i);
                        break;
                    }
                    _ => {}
                }
            }
            let end = end.ok_or("an unterminated label value")?;
            let value = unescape(&rest[..end], true)?;
            if labels.iter().any(|(l, _): &(String, String)| l == label) {
                return Err(format!("label {label} twice"));
            }
            labels.push((label.to_owned(), value));
            rest = &rest[end + 1..];
            if let Some(after) = rest.strip_prefix(',') {
                rest = after;
            } else if !rest.starts_with('}') {
                return Err("labels not separated by ,".into());
            }
        }
    }
    let value_text = rest.strip_prefix(' ').ok_or("no space before the value")?;
    let value = match value_text {
        "NaN" => f64::NAN,
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        text if text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+')) =>
        {
            text.parse::<f64>()
                .map_err(|_| format!("{text:?} is not a value"))?
        }
        text => return Err(format!("{text:?} is not a value")),
    };
    Ok(Sample {
        name: name.to_owned(),
        labels,
        value,
    })
}

/// Every `(label, op, value)` matcher of every vector selector of a PromQL query, or the parse
/// error.
pub fn matchers(promql: &str) -> Result<Vec<(String, String, String)>, String> {
    struct Collect(Vec<(String, String, String)>);
    impl ExprVisitor for Collect {
        type Error = ();
        fn pre_visit(&mut self, expr: &Expr) -> Result<bool, ()> {
            let selector = match expr {
                Expr::VectorSelector(vs) => Some(vs),
                Expr::MatrixSelector(ms) => Some(&ms.vs),
                _ => None,
            };
            if let Some(vs) = selector {
                for m in &vs.matchers.matchers {
                    self.0
                        .push((m.name.clone(), m.op.to_string(), m.value.clone()));
                }
            }
            Ok(true)
        }
    }
    let expr = parser::parse(promql)?;
    let mut collect = Collect(Vec::new());
    let _ = walk_expr(&mut collect, &expr);
    Ok(collect.0)
}

/// The query as Grafana would send it: every template variable inside a range or subquery
/// bracket (`[$__rate_interval]`, `[ ${window} ]`, `[$__range:$__interval]`, the old
/// `[[name]]` syntax, with any whitespace around) becomes the duration `5m`, as Grafana
/// substitutes it. String literals and `#` comments are left alone, and so are variables
/// outside brackets: they are not durations, so Grafana's substitution would not make them
/// parse either.
pub fn substitute_range_variables(promql: &str) -> String {
    let mut out = String::with_capacity(promql.len());
    let mut quote: Option<char> = None;
    let mut in_brackets = false;
    let mut in_comment = false;
    let mut chars = promql.char_indices();
    while let Some((i, c)) = chars.next() {
        if in_comment {
            in_comment = !matches!(c, '\n' | '\r');
            out.push(c);
            continue;
        }
        if let Some(q) = quote {
            out.push(c);
            if c == '\\' {
                if let Some((_, escaped)) = chars.next() {
                    out.push(escaped);
                }
            } else if c == q {
                quote = None;
            }
            continue;
        }
        if in_brackets {
            if let Some(len) = grafana_variable_len(&promql[i..]) {
                out.push_str("5m");
                // The variable is ASCII, one char a byte; its first char is `c`.
                for _ in 1..len {
                    chars.next();
                }
                continue;
            }
            in_brackets = c != ']';
        } else {
            match c {
                '"' | '\'' | '`' => quote = Some(c),
                '#' => in_comment = true,
                '[' => in_brackets = true,
                _ => {}
            }
        }
        out.push(c);
    }
    out
}

/// Length in bytes of the Grafana variable reference `text` starts with: `$name`,
/// `${name}`, `${name:format}` or `[[name]]`/`[[name:format]]`.
fn grafana_variable_len(text: &str) -> Option<usize> {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let braced = |open: &str, close: &str| {
        let rest = text.strip_prefix(open)?;
        let len = rest.find(close)?;
        let inside = &rest[..len];
        let name_len = inside.find(':').unwrap_or(inside.len());
        let valid = name_len > 0
            && inside[..name_len].chars().all(is_name)
            && inside[name_len..]
                .chars()
                .all(|c| is_name(c) || matches!(c, ':' | '.'));
        valid.then_some(open.len() + len + close.len())
    };
    if let Some(rest) = text.strip_prefix('$') {
        if rest.starts_with('{') {
            return braced("${", "}");
        }
        let len = rest.find(|c: char| !is_name(c)).unwrap_or(rest.len());
        return (len > 0).then_some(1 + len);
    }
    braced("[[", "]]")
}

/// Length of `text` in UTF-16 code units, the unit of lint findings' offsets.
pub fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Groups samples by (name, sorted labels) for lookups.
pub fn by_series(samples: &[Sample]) -> BTreeMap<(String, Vec<(String, String)>), f64> {
    samples
        .iter()
        .map(|s| {
            let mut labels = s.labels.clone();
            labels.sort();
            ((s.name.clone(), labels), s.value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_page_and_refuses_broken_ones() {
        let page = "# HELP x_total A \\\\ help\n# TYPE x_total counter\nx_total{a=\"q\\\"}\\n\",b=\"\"} 1.5\nx_total 2\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 3\nh_sum NaN\nh_count 3\n";
        let samples = read_exposition(page).unwrap();
        assert_eq!(samples[0].labels[0].1, "q\"}\n");
        assert_eq!(samples.len(), 5);
        for bad in [
            "x 1\n",
            "# TYPE x gauge\nx{a=\"b} 1\n",
            "# TYPE x gauge\nx{a=\"\\t\"} 1\n",
            "# TYPE x gauge\ny 1\n",
            "# TYPE x gauge\nx 1\nx 2\n",
            "# TYPE x gauge\nx one\n",
            "# TYPE x gauge\nx 1",
        ] {
            assert!(read_exposition(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn collects_matchers() {
        let found: Vec<_> = matchers(r#"sum(rate(x{a="b\"c"}[5m])) and y{d=~"e"}"#)
            .unwrap()
            .into_iter()
            .filter(|(name, _, _)| name != "__name__")
            .collect();
        let want = [("a", "=", "b\"c"), ("d", "=~", "e")]
            .map(|(n, o, v)| (n.to_owned(), o.to_owned(), v.to_owned()));
        assert_eq!(found, want);
        assert!(matchers("sum(").is_err());
        assert_eq!(
            substitute_range_variables(
                r#"rate(x{a="[$x]"}[$__rate_interval]) + y[${w}] + z[$__range:$s]"#
            ),
            r#"rate(x{a="[$x]"}[5m]) + y[5m] + z[5m:5m]"#
        );
        assert_eq!(
            substitute_range_variables("rate(x[[[w]]]) + y[1]"),
            "rate(x[5m]) + y[1]"
        );
    }

    /// Every spelling of a range variable that the linter accepts (whitespace and newlines
    /// inside the brackets, braces with a format, subqueries, comments holding quotes) comes
    /// out as a query promql-parser reads. The first is the input that once made the
    /// lint_query target fail on a correct fix.
    #[test]
    fn substituted_range_variables_parse_in_any_spelling() {
        for query in [
            "sum(rate(container_cpu_usage_seconds_total{namespace=\"a\"}[$__rate_interval\n]))",
            "rate(x[ $__rate_interval ])",
            "rate(x[\t${__interval}\r\n])",
            "rate(x[${window:text}])",
            "max_over_time(rate(x[$__rate_interval])[ $__range : $__interval ])",
            "rate(x[[[window]]])",
            "rate(x[ [[window:raw]] ])",
            "x # a \"quote in a comment\n + rate(y[$__rate_interval])",
            "rate(x{a=\"[$y]\"}[$__Rate_Interval])",
        ] {
            let substituted = substitute_range_variables(query);
            assert!(
                matchers(&substituted).is_ok(),
                "{query:?} became {substituted:?}"
            );
        }
        assert_eq!(
            substitute_range_variables("x # [$v]\n"),
            "x # [$v]\n",
            "comments are left alone"
        );
        assert_eq!(substitute_range_variables("x[$]"), "x[$]", "a lone $ is no variable");
    }
}
