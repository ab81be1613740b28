//! Whole-linter tests: API shape, positions, bad input, and differential checks against
//! promql-parser.

use std::time::Duration;

use proptest::prelude::*;

use super::rules::PARSE_ERROR;
use super::tree::Cursor;
use super::{lexer, lint_query, parse_duration, syntax, Finding, LintOptions, Severity, RULES};

fn lint(q: &str) -> Vec<Finding> {
    lint_query(q, &LintOptions::default())
}

/// The text a finding underlines, taking its offsets as UTF-16 code units.
fn underlined(q: &str, f: &Finding) -> String {
    let units: Vec<u16> = q.encode_utf16().collect();
    String::from_utf16_lossy(&units[f.start..f.end])
}

/// Checks the contract every finding must keep, whatever the query.
fn check_invariants(q: &str, findings: &[Finding]) {
    check_invariants_with(q, findings, &LintOptions::default());
}

fn check_invariants_with(q: &str, findings: &[Finding], opts: &LintOptions) {
    let len16 = q.encode_utf16().count();
    for f in findings {
        assert!(
            f.start <= f.end && f.end <= len16,
            "bad offsets {f:?} in {q:?}"
        );
        assert!(
            RULES
                .iter()
                .any(|r| r.id == f.rule && r.severity == f.severity),
            "rule {} ({}) is not in RULES with that severity",
            f.rule,
            f.severity
        );
        assert!(!f.message.is_empty());
        if let Some(fix) = &f.fix {
            assert_ne!(fix, q);
            assert!(
                super::fix_parses(fix),
                "fix for {} does not parse: {fix:?} (from {q:?})",
                f.rule
            );
            let again = lint_query(fix, opts);
            let before = findings.iter().filter(|g| g.rule == f.rule).count();
            let after = again.iter().filter(|g| g.rule == f.rule).count();
            assert!(
                after < before,
                "fix for {} at {} does not clear it: {q:?} -> {fix:?}",
                f.rule,
                f.start
            );
            // Outside the finding's span (widened over separators) the text is untouched.
            let units: Vec<u16> = q.encode_utf16().collect();
            let mut start = String::from_utf16_lossy(&units[..f.start]).len();
            let mut end = String::from_utf16_lossy(&units[..f.end]).len();
            let sep = |c: char| c.is_whitespace() || c == ',';
            while let Some(c) = q[..start].chars().next_back().filter(|c| sep(*c)) {
                start -= c.len_utf8();
            }
            while let Some(c) = q[end..].chars().next().filter(|c| sep(*c)) {
                end += c.len_utf8();
            }
            assert!(
                fix.starts_with(&q[..start])
                    && fix.ends_with(&q[end..])
                    && fix.len() >= start + (q.len() - end),
                "{} fix edits outside its span {}..{}: {q:?} -> {fix:?}",
                f.rule,
                f.start,
                f.end
            );
        }
    }
}

#[test]
fn finding_serializes_as_the_api_says() {
    let f = lint("sum(container_memory_working_set_bytes{pod=\"a\"})");
    let json = serde_json::to_value(&f).unwrap();
    let first = &json[0];
    assert_eq!(first["rule"], "cadvisor-double-count");
    assert_eq!(first["severity"], "warning");
    assert!(first["start"].is_u64() && first["end"].is_u64());
    assert!(first["fix"].is_string());
    let f = lint("sum(");
    let json = serde_json::to_value(&f).unwrap();
    assert_eq!(json[0]["severity"], "error");
    assert!(json[0].get("fix").is_none(), "fix must be omitted: {json}");
    let keys: Vec<&String> = json[0].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 5);
}

/// The query after `label: ` on a line of a rule's docs, between backticks.
fn doc_example<'a>(docs: &'a str, label: &str) -> Option<&'a str> {
    docs.lines().find_map(|line| {
        line.strip_prefix(label)?
            .strip_prefix(": `")?
            .strip_suffix('`')
    })
}

#[test]
fn rule_table_is_consistent() {
    let mut seen = std::collections::HashSet::new();
    for r in RULES {
        assert!(seen.insert(r.id), "duplicate rule {}", r.id);
        assert!(r.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
        assert!(
            r.summary.ends_with('.'),
            "{}: summary {:?}",
            r.id,
            r.summary
        );
        assert!(
            !r.docs.is_empty() && !r.docs.contains("  "),
            "{}: docs {:?}",
            r.id,
            r.docs
        );
        assert!(doc_example(r.docs, "Flagged").is_some(), "{}", r.id);
        assert!(doc_example(r.docs, "Instead").is_some(), "{}", r.id);
    }
    assert_eq!(RULES[0].id, "parse-error");
    for required in [
        "parse-error",
        "cadvisor-double-count",
        "counter-without-rate",
        "rate-on-gauge",
        "histogram-quantile-without-le",
        "rate-window-too-short",
        "high-cardinality-grouping",
    ] {
        assert!(seen.contains(required), "{required}");
    }
}

/// Each rule's documented `Flagged:` query gets a finding of that rule, with its severity, and
/// the `Instead:` query lints clean; both with a 30s scrape interval, which
/// `rate-window-too-short` needs.
#[test]
fn every_rule_flags_its_documented_example() {
    let opts = LintOptions {
        scrape_interval: Some(Duration::from_secs(30)),
    };
    for r in RULES {
        let flagged = doc_example(r.docs, "Flagged").unwrap_or_default();
        let f = lint_query(flagged, &opts);
        check_invariants_with(flagged, &f, &opts);
        assert!(
            f.iter().any(|f| f.rule == r.id && f.severity == r.severity),
            "{}: {flagged}: {f:?}",
            r.id
        );
        let instead = doc_example(r.docs, "Instead").unwrap_or_default();
        let f = lint_query(instead, &opts);
        assert!(f.is_empty(), "{}: {instead}: {f:?}", r.id);
    }
}

/// The corpus files, each with the fewest entries it may have: a truncated or emptied file
/// fails the corpus test instead of passing with less to check.
const CORPUS: &[(&str, &str, usize)] = &[
    (
        "corpus.json",
        include_str!("../../tests/data/lint/corpus.json"),
        141,
    ),
    (
        "idioms.json",
        include_str!("../../tests/data/lint/idioms.json"),
        372,
    ),
];

/// The entries of one corpus file.
fn corpus_entries(name: &str, text: &str) -> Vec<serde_json::Value> {
    let doc: serde_json::Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    doc["queries"]
        .as_array()
        .unwrap_or_else(|| panic!("{name}: no queries"))
        .clone()
}

/// The corpus names only rules of the table (its expectations are written by hand, so a typo
/// or a renamed rule would otherwise show up only as a confusing mismatch), and its ids are
/// unique across files, so a failure names one entry.
#[test]
fn corpus_names_only_listed_rules() {
    let mut named = 0;
    let mut ids = std::collections::HashSet::new();
    for (name, text, _) in CORPUS {
        for e in corpus_entries(name, text) {
            let id = e["id"].as_str().unwrap().to_owned();
            for x in e["expect"].as_array().unwrap() {
                let rule = x["rule"].as_str().unwrap();
                assert!(
                    RULES.iter().any(|r| r.id == rule),
                    "{name}: {id}: unknown rule {rule}"
                );
                named += 1;
            }
            assert!(ids.insert(id.clone()), "{name}: duplicate id {id}");
        }
    }
    assert!(named > 0);
}

#[test]
fn clean_queries_have_no_findings() {
    for q in [
        "sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{container!=\"\", namespace=\"a\"}[5m]))",
        "sum by (namespace, pod) (container_memory_working_set_bytes{container!=\"\", image!=\"\"})",
        "histogram_quantile(0.95, sum by (le, controller) (rate(controller_runtime_reconcile_time_seconds_bucket[5m])))",
        "sum by (namespace, pod) (kube_pod_container_status_restarts_total)",
        "max_over_time(kube_pod_container_status_waiting_reason{reason=\"CrashLoopBackOff\"}[5m]) >= 1",
        "sum by (cluster_queue, status) (kueue_pending_workloads)",
        "up{job=\"kube-state-metrics\"} == 0",
    ] {
        let f = lint(q);
        assert!(f.is_empty(), "{q}: {f:?}");
    }
}

#[test]
fn parse_errors_point_at_the_problem() {
    let cases: &[(&str, &str, &str)] = &[
        ("sum(rate(x[5m])", "(", "unclosed left parenthesis"),
        ("rate(x[5m]))", ")", "unexpected right parenthesis"),
        ("x{a=\"b\"", "", "unexpected end of input inside braces"),
        ("sum(x) by (pod", "(", "unclosed left parenthesis"),
        ("a b", "b", "unexpected \"b\""),
        ("rate(x[5m]) +", "+", "unexpected end of input"),
        ("sum(rate(x))", "rate(x)", "expected type matrix"),
        ("x{a=~\"(\"}", "x{a=~\"(\"}", "illegal regex"),
        (
            "rate(x[$__rate_interval]) > $threshold",
            "$",
            "Grafana template variables",
        ),
        ("foo(x)", "foo(x)", "unknown function"),
        ("1 > 2", "1 > 2", "comparisons between scalars"),
    ];
    for (q, at, msg) in cases {
        let f = lint(q);
        assert_eq!(f.len(), 1, "{q}: {f:?}");
        assert_eq!(f[0].rule, PARSE_ERROR.id, "{q}");
        assert_eq!(f[0].severity, Severity::Error);
        assert!(f[0].message.contains(msg), "{q}: {}", f[0].message);
        if !at.is_empty() {
            assert_eq!(underlined(q, &f[0]), *at, "{q}: {f:?}");
        }
    }
}

#[test]
fn empty_and_blank_queries() {
    for q in ["", " ", "\n\t", "# just a comment"] {
        let f = lint(q);
        assert_eq!(f.len(), 1, "{q:?}");
        assert_eq!(f[0].rule, PARSE_ERROR.id);
        check_invariants(q, &f);
    }
}

#[test]
fn offsets_are_utf16_code_units() {
    // é is 2 bytes / 1 unit, 😀 is 4 bytes / 2 units: byte offsets would be off by 4.
    let q = "sum(container_memory_rss{namespace=\"é😀\", pod=\"p\"}) by (pod, id)";
    let f = lint(q);
    let double = f
        .iter()
        .find(|f| f.rule == "cadvisor-double-count")
        .unwrap();
    assert_eq!(
        underlined(q, double),
        "container_memory_rss{namespace=\"é😀\", pod=\"p\"}"
    );
    let high = f
        .iter()
        .find(|f| f.rule == "high-cardinality-grouping")
        .unwrap();
    assert_eq!(underlined(q, high), "id");
    assert_eq!(high.start, q.encode_utf16().count() - 3);
    check_invariants(q, &f);
    let fix = double.fix.as_ref().unwrap();
    assert!(fix.contains("pod=\"p\", container!=\"\"}"));

    let q = "sum(rate(x[5m]) é";
    let f = lint(q);
    assert_eq!(f[0].rule, PARSE_ERROR.id);
    assert_eq!(underlined(q, &f[0]), "é");
}

/// Bad input of every kind: a finding or nothing, never a panic, and quickly.
#[test]
fn hostile_input_is_survived() {
    let mut inputs: Vec<String> = vec![
        "(".repeat(100_000),
        ")".repeat(100_000),
        format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000)),
        format!("{}x", "-".repeat(100_000)),
        format!("{}x", "+".repeat(100_000)),
        vec!["x"; 50_000].join(" + "),
        vec!["x"; 50_000].join(" ^ "),
        format!("{}x{}", "sum(".repeat(10_000), ")".repeat(10_000)),
        format!("{}x{}", "abs(".repeat(10_000), ")".repeat(10_000)),
        format!("x{}", "[5m:]".repeat(10_000)),
        "{".repeat(100_000),
        "[".repeat(100_000),
        "\"".repeat(100_001),
        "x{a=\"".to_owned() + &"é".repeat(100_000),
        "😀".repeat(100_000),
        "x offset nan".into(),
        "x offset -Inf".into(),
        "x[1e999]".into(),
        "x[99999999999999999999]".into(),
        "x[5m:1e400]".into(),
        "x @ nan".into(),
        "x @ 1e400".into(),
        "x{a=~\"\\xé\"}".into(),
        "x{a=\"\\u12\"}".into(),
        "x{a=\"\\U0011FFFF\"}".into(),
        "'\\".into(),
        "`".into(),
        "0x".into(),
        "0xffffffffffffffffffff".into(),
        "1e".into(),
        "..".into(),
        "\u{0}".into(),
        "sum by (\"é\") (x)".into(),
        format!("x{{a=~\"{}\"}}", "(".repeat(1000)),
        format!("x{{a=~\"{}\"}}", "a{1000}".repeat(100)),
        "a".repeat(MAX + 1),
    ];
    const MAX: usize = super::MAX_QUERY_BYTES;
    // 1 MB of pseudo-random bytes, made into a string both ways.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let bytes: Vec<u8> = (0..1_000_000)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect();
    inputs.push(String::from_utf8_lossy(&bytes).into_owned());
    inputs.push(
        bytes
            .iter()
            .map(|b| char::from(b"()[]{}xy1.,=~!\"' +-*/^@:#\n$5m"[usize::from(*b) % 29]))
            .collect(),
    );
    // Garbage just under the length limit, so that it is really lexed and parsed.
    inputs.push(
        bytes[..MAX - 10]
            .iter()
            .map(|b| char::from(b"()[]{}xy1.,=~!\"' +-*/^@:#\n$5m"[usize::from(*b) % 29]))
            .collect(),
    );
    inputs
        .push(vec!["sum(rate(container_cpu_usage_seconds_total[5m])) by (pod)"; 3000].join(" + "));
    for q in &inputs {
        let f = lint(q);
        check_invariants(q, &f);
    }
    // The deep ones are refused before promql-parser sees them.
    let f = lint(&"(".repeat(100_000));
    assert_eq!(f[0].rule, PARSE_ERROR.id);
    let f = lint(&format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000)));
    assert!(f[0].message.contains("nests deeper"), "{}", f[0].message);
    let f = lint(&vec!["x"; 50_000].join(" + "));
    assert!(f[0].message.contains("nests deeper"), "{}", f[0].message);
    let f = lint(&"a".repeat(MAX + 1));
    assert!(f[0].message.contains("at most"), "{}", f[0].message);
}

#[test]
fn invalid_utf8_bytes_become_replacement_chars_and_lint() {
    let bytes = b"sum(container_memory_rss{pod=\"\xff\xfe\"})";
    let q = String::from_utf8_lossy(bytes);
    let f = lint(&q);
    check_invariants(&q, &f);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].rule, "cadvisor-double-count");
}

#[test]
fn parse_duration_accepts_promql_durations() {
    assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
    assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
    assert_eq!(parse_duration(" 2h "), Ok(Duration::from_secs(7200)));
    assert_eq!(parse_duration("1d2h"), Ok(Duration::from_secs(26 * 3600)));
    assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
    assert_eq!(parse_duration("1w"), Ok(Duration::from_secs(7 * 86400)));
    for bad in [
        "",
        "30",
        "s",
        "1m1h",
        "1s1s",
        "-5s",
        "1.5s",
        "NaN",
        "inf",
        "5x",
        "0s",
        "1m 30s",
        "99999999999999999999y",
        "😀",
    ] {
        assert!(parse_duration(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn scrape_interval_option_enables_the_window_rule() {
    let q = "rate(container_cpu_usage_seconds_total{container!=\"\"}[1m])";
    assert!(lint(q).is_empty());
    let opts = LintOptions {
        scrape_interval: Some(parse_duration("30s").unwrap()),
    };
    let f = lint_query(q, &opts);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].rule, "rate-window-too-short");
    let opts = LintOptions {
        scrape_interval: Some(Duration::ZERO),
    };
    assert!(lint_query(q, &opts).is_empty());
}

/// Every node of promql-parser's tree gets a position from the positioned parser.
fn fully_paired(q: &str) -> Result<(), String> {
    let expr = promql_parser::parser::parse(q).map_err(|e| format!("promql-parser: {e}"))?;
    let tokens = lexer::lex(q).map_err(|e| format!("lexer: {e:?}"))?;
    let node = syntax::parse(q, &tokens).map_err(|e| format!("syntax: {e:?}"))?;
    fn walk(c: Cursor, missing: &mut usize) {
        if c.node.is_none() {
            *missing += 1;
        }
        for child in c.children() {
            walk(child, missing);
        }
    }
    let mut missing = 0;
    walk(Cursor::new(&expr, Some(&node)), &mut missing);
    if missing > 0 {
        return Err(format!("{missing} nodes without position"));
    }
    Ok(())
}

#[test]
fn positioned_tree_matches_promql_parser_on_real_queries() {
    for q in [
        "sum by (pod) (rate(x{a=\"b\"}[5m] offset 1m @ 100)) / on(pod) group_left(node) kube_pod_info",
        "topk(3, -sum without (a) (x) ^ 2 > bool 1) or vector(0)",
        "label_replace(rate(x[5m:30s]), \"a\", \"$1\", \"b\", \"(.*)\")",
        "count_values(\"v\", x) unless on() absent(y)",
        "histogram_quantile(0.9, sum(rate(x_bucket[5m])) by (le)) * 1e3",
        "(((x)))",
        "- - x + + 1",
        "x @ start() offset -5m",
        "{__name__=~\"a.*\", b!~\"c\" or d=\"e\",}",
        "quantile(0.5, x) atan2 y",
        "a + fill(0) b",
        "a % on(x) group_right () b",
    ] {
        fully_paired(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    }
}

fn token_soup() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "sum",
        "rate",
        "irate",
        "histogram_quantile",
        "topk",
        "count_values",
        "label_replace",
        "abs",
        "(",
        ")",
        "(",
        ")",
        "{",
        "}",
        "[",
        "]",
        "5m",
        "1",
        "0.9",
        "0x1f",
        "1e3",
        "x",
        "x_total",
        "container_memory_rss",
        "kube_pod_info",
        "a:b:c",
        "by",
        "without",
        "on",
        "ignoring",
        "group_left",
        "group_right",
        "offset",
        "@",
        ",",
        ",",
        "\"a\"",
        "'b'",
        "`c`",
        "=",
        "!=",
        "=~",
        "!~",
        "+",
        "-",
        "*",
        "/",
        "%",
        "^",
        "==",
        ">",
        "<=",
        "and",
        "or",
        "unless",
        "atan2",
        "bool",
        "le",
        "pod",
        ":",
        "nan",
        "Inf",
        "start",
        "end",
        "fill",
        "é",
        "😀",
        "#c\n",
        "$__rate_interval",
        "$x",
        "\\",
        "1e999",
        "\n",
        "ms",
        "5m:1m",
    ]);
    prop::collection::vec((atoms, prop::bool::ANY), 0..24).prop_map(|v| {
        v.into_iter()
            .map(|(a, space)| if space { format!("{a} ") } else { a.to_owned() })
            .collect()
    })
}

/// A valid query with one small edit: near-valid input, where parsers most often disagree.
fn mutated_query() -> impl Strategy<Value = String> {
    let insert = prop::sample::select(vec![
        "(",
        ")",
        "{",
        "}",
        "[",
        "]",
        ",",
        "by",
        "on",
        "offset",
        "5m",
        ":",
        "\"",
        "=",
        "-",
        "+",
        "bool",
        "group_left",
        "[5m:]",
        "@",
        "1",
        "x",
        "or",
        "é",
        "$y",
        "#",
        "\n",
    ]);
    (
        valid_query(),
        any::<prop::sample::Index>(),
        0usize..4,
        insert,
    )
        .prop_map(|(q, at, delete, ins)| {
            let bounds: Vec<usize> = q.char_indices().map(|(i, _)| i).chain([q.len()]).collect();
            let i = at.index(bounds.len());
            let start = bounds[i];
            let end = bounds[(i + delete).min(bounds.len() - 1)];
            format!("{}{}{}", &q[..start], ins, &q[end..])
        })
}

fn selector() -> impl Strategy<Value = String> {
    let name = prop::sample::select(vec![
        "x",
        "http_requests_total",
        "container_memory_working_set_bytes",
        "container_cpu_usage_seconds_total",
        "container_network_receive_bytes_total",
        "kube_pod_container_resource_limits",
        "x_bucket",
        "ns:x:rate5m",
        "sum",
    ]);
    let matcher = prop::sample::select(vec![
        "pod=\"a\"",
        "container!=\"\"",
        "namespace=~\"é.*\"",
        "pod=~\".*\"",
        "pod=~\"web-.*\"",
        "container=\"POD\"",
        "image!=\"\"",
        "le=\"0.5\"",
        "\"k8s.pod.name\"=\"a\"",
        "\"container\"!=\"\"",
    ]);
    let classic = (
        name,
        prop::collection::vec(matcher.clone(), 0..3),
        prop::bool::ANY,
    )
        .prop_map(|(n, ms, braces)| {
            if ms.is_empty() && !braces {
                n.to_owned()
            } else {
                format!("{n}{{{}}}", ms.join(", "))
            }
        });
    // Prometheus 3: the metric name quoted inside the braces.
    let quoted_name = prop::sample::select(vec![
        "k8s.pod.cpu.time",
        "container_memory_working_set_bytes",
        "http.server.request.duration_seconds_bucket",
    ]);
    let quoted = (quoted_name, prop::collection::vec(matcher, 0..3)).prop_map(|(n, ms)| {
        let parts: Vec<String> = std::iter::once(format!("\"{n}\""))
            .chain(ms.into_iter().map(str::to_owned))
            .collect();
        format!("{{{}}}", parts.join(", "))
    });
    prop_oneof![3 => classic, 1 => quoted]
}

fn valid_query() -> impl Strategy<Value = String> {
    let window = prop::sample::select(vec!["1m", "5m", "1h", "30s", "$__rate_interval"]);
    let leaf = prop_oneof![
        selector(),
        (
            selector(),
            window.clone(),
            prop::sample::select(vec!["rate", "irate", "increase", "delta", "avg_over_time"])
        )
            .prop_map(|(s, w, f)| format!("{f}({s}[{w}])")),
        prop::sample::select(vec!["1", "0.95", "95", "NaN", "-2"]).prop_map(str::to_owned),
    ];
    leaf.prop_recursive(5, 40, 3, move |inner| {
        let labels = prop::sample::select(vec![
            "pod",
            "namespace, pod",
            "le",
            "pod, id",
            "instance, pod",
            "\"k8s.pod.name\", pod",
            "",
        ]);
        prop_oneof![
            (
                prop::sample::select(vec!["sum", "avg", "max", "count"]),
                labels.clone(),
                inner.clone(),
                prop::bool::ANY
            )
                .prop_map(|(op, l, e, before)| if before {
                    format!("{op} by ({l}) ({e})")
                } else {
                    format!("{op}({e}) by ({l})")
                }),
            (
                inner.clone(),
                prop::sample::select(vec![
                    "+",
                    "/",
                    "*",
                    "==",
                    "> bool",
                    "and",
                    "or",
                    "/ on(pod)",
                    "* ignoring(a) group_left",
                    "* on(\"k8s.pod.uid\") group_left(\"k8s.node.name\")"
                ]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
            inner.clone().prop_map(|e| format!("({e})")),
            inner.clone().prop_map(|e| format!("-{e}")),
            (inner.clone(), labels)
                .prop_map(|(e, l)| format!("histogram_quantile(0.9, sum by ({l}) ({e}))")),
            inner.clone().prop_map(|e| format!("rate(sum({e})[5m:])")),
            inner.clone().prop_map(|e| format!("abs({e})")),
            inner.prop_map(|e| format!("count({e}) == 0")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: ProptestConfig::default().cases.max(2000), .. ProptestConfig::default() })]

    /// Any string at all: no panic, and the finding invariants hold.
    #[test]
    fn arbitrary_strings_never_panic(q in any::<String>()) {
        let f = lint(&q);
        check_invariants(&q, &f);
    }

    /// The lexer accepts exactly what promql-parser's lexer accepts, with its messages.
    #[test]
    fn lexer_agrees_with_promql_parser(q in prop_oneof![token_soup(), mutated_query()]) {
        let ours = lexer::lex(&q);
        let theirs = promql_parser::parser::lexer(&q);
        match (&ours, &theirs) {
            (Ok(_), Ok(_)) => {}
            (Err(a), Err(b)) => prop_assert_eq!(&a.message, b),
            _ => prop_assert!(false, "lexers disagree on {:?}: {:?} vs {:?}", q, ours.err(), theirs.err()),
        }
    }

    /// The positioned parser accepts every query promql-parser accepts (and builds the same
    /// tree), and rejects every query promql-parser finds ungrammatical.
    #[test]
    fn parser_agrees_with_promql_parser(q in prop_oneof![token_soup(), mutated_query()]) {
        let f = lint(&q);
        check_invariants(&q, &f);
        let Ok(tokens) = lexer::lex(&q) else { return Ok(()); };
        if syntax::check_durations(&q, &tokens).is_some() {
            return Ok(());
        }
        let ours = syntax::parse(&q, &tokens);
        match promql_parser::parser::parse(&q) {
            Ok(_) => prop_assert!(fully_paired(&q).is_ok(), "{:?}: {:?}", q, fully_paired(&q)),
            Err(m) if m == "invalid promql query" => prop_assert!(ours.is_err(), "we accept {:?}", q),
            Err(_) => {}
        }
    }

    /// Generated valid queries: fully positioned, and every fix keeps the contract.
    #[test]
    fn valid_queries_are_positioned_and_fixes_hold(q in valid_query()) {
        let masked = super::text::mask_template_variables(&q);
        if promql_parser::parser::parse(&masked.text).is_ok() {
            prop_assert!(fully_paired(&masked.text).is_ok(), "{:?}: {:?}", q, fully_paired(&masked.text));
        }
        for opts in [LintOptions::default(), LintOptions { scrape_interval: Some(Duration::from_secs(30)) }] {
            let f = lint_query(&q, &opts);
            check_invariants_with(&q, &f, &opts);
        }
    }
}

/// Every corpus entry gets exactly the findings it lists, no more and no fewer: real dashboard
/// queries (kubernetes-mixin, Headlamp's Prometheus plugin) and the idioms of Kubernetes rules
/// and dashboards; see tests/data/lint/README.md for where they come from. A new finding on a
/// clean entry fails here.
#[test]
fn corpus_entries_get_exactly_their_findings() {
    let mut failures = Vec::new();
    let (mut total, mut clean) = (0, 0);
    for (name, text, fewest) in CORPUS {
        let entries = corpus_entries(name, text);
        assert!(
            entries.len() >= *fewest,
            "{name} has {} entries, fewer than {fewest}",
            entries.len()
        );
        total += entries.len();
        for e in &entries {
            let id = e["id"].as_str().unwrap();
            let q = e["query"].as_str().unwrap();
            let opts = LintOptions {
                scrape_interval: e["scrapeInterval"]
                    .as_str()
                    .map(|s| parse_duration(s).unwrap()),
            };
            let expect = e["expect"].as_array().unwrap();
            if expect.is_empty() {
                clean += 1;
            }
            let found = lint_query(q, &opts);
            check_invariants_with(q, &found, &opts);
            let mut got: Vec<(String, String)> = found
                .iter()
                .map(|f| (f.rule.to_owned(), underlined(q, f)))
                .collect();
            let mut want: Vec<(String, String)> = expect
                .iter()
                .map(|x| {
                    (
                        x["rule"].as_str().unwrap().to_owned(),
                        x["at"].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            got.sort();
            want.sort();
            if got != want {
                failures.push(format!(
                    "{name}: {id}\n  query: {q}\n  want: {want:?}\n  got:  {got:?}"
                ));
                continue;
            }
            for x in expect {
                let Some(fix) = x["fix"].as_str() else {
                    continue;
                };
                let rule = x["rule"].as_str().unwrap();
                let at = x["at"].as_str().unwrap();
                let f = found
                    .iter()
                    .find(|f| f.rule == rule && underlined(q, f) == at)
                    .unwrap();
                if f.fix.as_deref() != Some(fix) {
                    failures.push(format!(
                        "{name}: {id}: fix\n  want: {fix}\n  got:  {:?}",
                        f.fix
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Most of the corpus is correct queries: the linter is judged on its silence as much as on
    // its findings.
    assert!(clean * 3 >= total * 2, "{clean} clean of {total}");
}

#[test]
fn headlamp_original_memory_query_is_flagged_for_double_counting() {
    let q = "sum(container_memory_working_set_bytes{namespace='shop',pod=~'web-7d9f8c6b5-x2x4q'}) by (pod,namespace)";
    let f = lint(q);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].rule, "cadvisor-double-count");
    assert_eq!(f[0].severity, Severity::Warning);
    assert_eq!(
        f[0].fix.as_deref(),
        Some("sum(container_memory_working_set_bytes{namespace='shop',pod=~'web-7d9f8c6b5-x2x4q',container!=\"\"}) by (pod,namespace)")
    );
    assert!(lint(f[0].fix.as_deref().unwrap()).is_empty());
}

/// The deepest queries the linter accepts (and the first it refuses) fit in 1 MiB of stack,
/// the default for wasm, even unoptimized.
#[test]
fn deepest_accepted_queries_fit_in_a_wasm_sized_stack() {
    let n = syntax::MAX_DEPTH - 2;
    let queries = [
        format!("{}x{}", "sum(rate(".repeat(n / 3), "[5m:]))".repeat(n / 3)),
        format!("{}x{}", "(".repeat(n), ")".repeat(n)),
        format!("{}x{}", "abs(".repeat(n), ")".repeat(n)),
        format!("{}x", "-".repeat(n)),
        format!("{}x{}", "(".repeat(n + 3), ")".repeat(n + 3)),
    ];
    let results = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || queries.iter().map(|q| lint(q)).collect::<Vec<_>>())
        .unwrap()
        .join()
        .unwrap();
    for f in &results[..4] {
        assert!(!f.iter().any(|f| f.rule == PARSE_ERROR.id), "{f:?}");
    }
    assert!(results[4][0].message.contains("nests deeper"));
}
