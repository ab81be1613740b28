//! `kubeprom lint`: reads each file, lints it as what it is, prints compiler-style lines.

use std::io::{Read, Write};

use kubeprom::lint::{lint_dashboard, lint_rules, FileReport, LintOptions, Severity};
use serde_json::Value;

use crate::args::LintArgs;
use crate::locate::{place, Place};
use crate::yaml::{self, Document};

/// Exit statuses.
pub const CLEAN: u8 = 0;
/// Some finding at or above `--deny`.
pub const FINDINGS: u8 = 1;
/// Usage error, or a file that cannot be read or is neither kind of file.
pub const TROUBLE: u8 = 2;

/// Totals over all files, for the summary line.
#[derive(Default)]
struct Totals {
    files: usize,
    linted: usize,
    denied: usize,
    findings: usize,
    skipped: usize,
    broken: usize,
}

/// Lints every file, printing findings to `out` and problems to `err`; returns the exit status.
pub fn lint(args: &LintArgs, out: &mut impl Write, err: &mut impl Write) -> u8 {
    let opts = LintOptions {
        scrape_interval: args.scrape_interval,
    };
    let mut totals = Totals::default();
    for path in &args.files {
        totals.files += 1;
        if let Err(message) = lint_file(path, &opts, args.deny, &mut totals, out) {
            totals.broken += 1;
            let _ = writeln!(err, "{path}: error: {message}");
        }
    }
    let mut summary = format!(
        "kubeprom lint: {}, {} linted, {} ({} at or above {}), {} skipped",
        count(totals.files, "file", "files"),
        count(totals.linted, "query", "queries"),
        count(totals.findings, "finding", "findings"),
        totals.denied,
        args.deny,
        totals.skipped,
    );
    if totals.broken > 0 {
        summary.push_str(&format!(
            ", {} not read",
            count(totals.broken, "file", "files")
        ));
    }
    let _ = writeln!(err, "{summary}");
    if totals.broken > 0 {
        TROUBLE
    } else if totals.denied > 0 {
        FINDINGS
    } else {
        CLEAN
    }
}

/// `n` and the noun that goes with it.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn read(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))
}

/// The documents of a file: JSON read by serde_json (its exact numbers and its messages), with
/// the positions from the YAML reader, which reads JSON too; YAML by the YAML reader alone.
fn documents(path: &str, text: &str) -> Result<Vec<Document>, String> {
    if path.ends_with(".json") || text.trim_start().starts_with('{') {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
        let scalars = yaml::parse(text)
            .ok()
            .and_then(|mut docs| (docs.len() == 1).then(|| docs.remove(0).scalars))
            .unwrap_or_default();
        return Ok(vec![Document { value, scalars }]);
    }
    yaml::parse(text).map_err(|e| format!("invalid YAML at {e}"))
}

/// Whether a document is a dashboard (else it is taken as rules when it looks like them).
fn kind(value: &Value) -> Option<bool> {
    let obj = value.as_object()?;
    let dashboard = obj.contains_key("panels")
        || obj.contains_key("rows")
        || obj.get("dashboard").is_some_and(Value::is_object);
    let rules = obj.contains_key("groups")
        || obj.get("kind").and_then(Value::as_str) == Some("PrometheusRule");
    match (dashboard, rules) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

fn lint_file(
    path: &str,
    opts: &LintOptions,
    deny: Severity,
    totals: &mut Totals,
    out: &mut impl Write,
) -> Result<(), String> {
    let text = read(path)?;
    let docs = documents(path, &text)?;
    let lines: Vec<&str> = text.lines().collect();
    let mut any = false;
    for (d, doc) in docs.iter().enumerate() {
        if doc.value.is_null() {
            continue;
        }
        let report = match kind(&doc.value) {
            Some(true) => lint_dashboard(&doc.value, opts),
            Some(false) => lint_rules(&doc.value, opts),
            None => {
                return Err(format!(
                    "document {} is neither a Grafana dashboard (panels) nor a rule file \
                     (groups, or kind: PrometheusRule)",
                    d + 1
                ))
            }
        }
        .map_err(|e| format!("document {}: {e}", d + 1))?;
        any = true;
        print_report(path, doc, &lines, &report, deny, totals, out);
    }
    if !any {
        return Err("the file holds no document".to_owned());
    }
    Ok(())
}

fn print_report(
    path: &str,
    doc: &Document,
    lines: &[&str],
    report: &FileReport,
    deny: Severity,
    totals: &mut Totals,
    out: &mut impl Write,
) {
    totals.linted += report.linted;
    totals.skipped += report.skipped.len();
    totals.findings += report.findings.len();
    for f in &report.findings {
        // Severity orders Error < Warning < Info: "at or above" is "<=".
        if f.severity <= deny {
            totals.denied += 1;
        }
        let at = where_in_file(doc, lines, &f.pointer, f.start);
        let approx = if at.exact {
            ""
        } else {
            " (at the start of the value: its line folding hides the exact column)"
        };
        let _ = writeln!(
            out,
            "{path}:{}:{}: {}[{}]: {} [{}]{approx}",
            at.line, at.col, f.severity, f.rule, f.message, f.subject
        );
        if let Some(fix) = &f.fix {
            let _ = writeln!(out, "    fix: {fix}");
        }
    }
    for s in &report.skipped {
        let at = where_in_file(doc, lines, &s.pointer, 0);
        let _ = writeln!(
            out,
            "{path}:{}:{}: note: not linted: {} [{}]",
            at.line, at.col, s.reason, s.subject
        );
    }
}

/// Where the UTF-16 offset `offset` of the value at `pointer` is; for a collection (or a value
/// without a position) the nearest scalar inside or above it that has one.
fn where_in_file(doc: &Document, lines: &[&str], pointer: &str, offset: usize) -> Place {
    if let Some(pos) = doc.scalars.get(pointer) {
        if let Some(value) = doc.value.pointer(pointer).and_then(Value::as_str) {
            return place(lines, pos, value, offset);
        }
        return Place {
            line: pos.start.line(),
            col: pos.start.col() + 1,
            exact: offset == 0,
        };
    }
    // A mapping: its first scalar below (the key order of the file), else its parent's place.
    let first_inside = doc
        .scalars
        .iter()
        .filter(|(p, _)| p.starts_with(pointer) && p[pointer.len()..].starts_with('/'))
        .map(|(_, pos)| pos.start)
        .min_by_key(|m| m.index());
    if let Some(m) = first_inside {
        return Place {
            line: m.line(),
            col: m.col() + 1,
            exact: offset == 0,
        };
    }
    match pointer.rfind('/') {
        Some(i) => where_in_file(doc, lines, &pointer[..i], 0),
        None => Place {
            line: 1,
            col: 1,
            exact: offset == 0,
        },
    }
}
