//! Oracles shared by the fuzz targets, written independently of the code under test: a strict
//! reader of Prometheus text exposition 0.0.4 and a collector of PromQL label matchers (on
//! promql-parser, the parser Prometheus' Rust ecosystem uses).

use std::collections::BTreeMap;

use promql_parser::parser::{self, Expr};
use promql_parser::util::{walk_expr, ExprVisitor};

/// One sample line of an exposition page.
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

/// The query as Grafana would send it: a template variable used as a range (`[$__rate_interval]`,
/// `[${window}]`, `[$__range:$__interval]`) becomes a duration, as Grafana substitutes it.
/// Text inside string literals is left alone.
pub fn substitute_range_variables(promql: &str) -> String {
    let mut out = String::with_capacity(promql.len());
    let mut quote: Option<char> = None;
    let mut chars = promql.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == '\\' {
                    if let Some((_, escaped)) = chars.next() {
                        out.push(escaped);
                    }
                } else if c == q {
                    quote = None;
                }
            }
            None if matches!(c, '"' | '\'' | '`') => {
                quote = Some(c);
                out.push(c);
            }
            // Grafana's old `[[name]]` syntax as a whole range: `x[[[name]]]`.
            None if c == '[' && promql[i + 1..].starts_with("[[") => {
                let rest = &promql[i + 3..];
                match rest.find("]]]") {
                    Some(len)
                        if rest[..len]
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
                    {
                        out.push_str("[5m]");
                        for _ in 0..len + 5 {
                            chars.next();
                        }
                    }
                    _ => out.push(c),
                }
            }
            None if c == '[' && promql[i + 1..].starts_with('$') => {
                let Some(len) = promql[i + 1..].find(']') else {
                    out.push(c);
                    continue;
                };
                let inside = &promql[i + 1..i + 1 + len];
                let variable_chars = |t: &str| {
                    t.chars().all(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '{' | '}' | ':')
                    })
                };
                if !variable_chars(inside) {
                    out.push(c);
                    continue;
                }
                out.push_str(if inside.contains(':') {
                    "[5m:1m]"
                } else {
                    "[5m]"
                });
                for _ in 0..inside.chars().count() + 1 {
                    chars.next();
                }
            }
            None => out.push(c),
        }
    }
    out
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
            r#"rate(x{a="[$x]"}[5m]) + y[5m] + z[5m:1m]"#
        );
        assert_eq!(
            substitute_range_variables("rate(x[[[w]]]) + y[1]"),
            "rate(x[5m]) + y[1]"
        );
    }
}
