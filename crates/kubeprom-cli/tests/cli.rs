//! The built `kubeprom` binary on real files: positions in the file, exit statuses, both kinds
//! of file, bad input, and the project's own generated dashboards and rules.

use std::path::{Path, PathBuf};
use std::process::Command;

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

fn kubeprom(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_kubeprom"))
        .args(args)
        .output()
        .expect("the kubeprom binary runs");
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A file of its own in a folder of this test process, so parallel tests never share one.
fn file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kubeprom-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("temp file");
    path
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

#[test]
fn dashboard_findings_point_at_line_and_column_of_the_file() {
    let path = file(
        "dash.json",
        r#"{
  "panels": [
    {"id": 7, "title": "Req", "targets": [
      {"refId": "A", "expr": "sum(http_requests_total{path=\"é\"})"}
    ]}
  ]
}
"#,
    );
    let run = kubeprom(&["lint", s(&path)]);
    assert_eq!(run.status, 1, "{}{}", run.stdout, run.stderr);
    // The metric starts at column 35: the opening quote of the expr is at 30, then `sum(`.
    let expected = format!("{}:4:35: warning[counter-without-rate]: ", path.display());
    assert!(run.stdout.starts_with(&expected), "{}", run.stdout);
    assert!(
        run.stdout.contains("[panel 7 \"Req\" target A]"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("1 file, 1 query linted, 1 finding (1 at or above warning)"),
        "{}",
        run.stderr
    );
}

#[test]
fn rule_findings_in_literal_blocks_point_into_the_block() {
    let path = file(
        "rules.yaml",
        "groups:\n- name: g\n  rules:\n  - record: job:x:sum\n    expr: |\n      sum by (job) (\n        http_requests_total\n      )\n  - alert: Quiet\n    expr: up == 0\n    for: 5 minutes\n",
    );
    let run = kubeprom(&["lint", s(&path)]);
    assert_eq!(run.status, 1, "{}{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let p = path.display();
    assert!(
        lines[0].starts_with(&format!("{p}:7:9: warning[counter-without-rate]:")),
        "{}",
        run.stdout
    );
    assert!(
        lines[1].starts_with(&format!("{p}:11:10: error[rule-duration-invalid]:")),
        "{}",
        run.stdout
    );
    assert!(
        lines[2].starts_with(&format!("{p}:9:12: warning[alert-without-severity]:")),
        "{}",
        run.stdout
    );
}

#[test]
fn prometheus_rule_objects_and_multi_document_files() {
    let path = file(
        "cr.yaml",
        "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: x}\nspec:\n  groups:\n  - name: g\n    rules:\n    - record: \"a:b\"\n      expr: \"rate(x_total[5m])\"\n---\ngroups:\n- name: h\n  rules:\n  - record: c\n    expr: 'irate(x_total[1h])'\n",
    );
    let clean = kubeprom(&["lint", "--deny", "warning", s(&path)]);
    // irate over an hour is only info: it does not fail the run unless asked.
    assert_eq!(clean.status, 0, "{}{}", clean.stdout, clean.stderr);
    assert!(
        clean.stdout.contains(&format!(
            "{}:15:12: info[irate-long-window]",
            path.display()
        )),
        "{}",
        clean.stdout
    );
    let strict = kubeprom(&["lint", "--deny=info", s(&path)]);
    assert_eq!(strict.status, 1);
    assert!(
        strict.stderr.contains("2 queries linted"),
        "{}",
        strict.stderr
    );
}

#[test]
fn skipped_queries_are_notes_that_do_not_fail() {
    let path = file(
        "vars.json",
        r#"{"panels": [{"id": 1, "targets": [{"refId": "A", "expr": "up > $threshold"}]}]}"#,
    );
    let run = kubeprom(&["lint", s(&path)]);
    assert_eq!(run.status, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains(": note: not linted: uses the template variable $threshold"),
        "{}",
        run.stdout
    );
}

#[test]
fn bad_input_is_exit_status_2_with_the_reason() {
    let broken = file("broken.json", "{\"panels\": [");
    let neither = file("neither.yaml", "apiVersion: v1\nkind: ConfigMap\n");
    let shape = file("shape.yaml", "groups:\n- name: g\n  rules: [3]\n");
    let good = file("good.yaml", "groups: []\n");
    for (path, why) in [
        (&broken, "invalid JSON"),
        (&neither, "neither a Grafana dashboard"),
        (
            &shape,
            "/groups/0/rules/0: expected an object, found a number",
        ),
    ] {
        let run = kubeprom(&["lint", s(path), s(&good)]);
        assert_eq!(run.status, 2, "{}: {}", path.display(), run.stderr);
        assert!(run.stderr.contains(why), "{}", run.stderr);
    }
    let missing = kubeprom(&["lint", "/nonexistent/kubeprom.json"]);
    assert_eq!(missing.status, 2);
    assert!(missing.stderr.contains("cannot read"), "{}", missing.stderr);
    let usage = kubeprom(&["lint"]);
    assert_eq!(usage.status, 2);
    assert!(
        usage.stderr.contains("usage: kubeprom lint"),
        "{}",
        usage.stderr
    );
    assert_eq!(kubeprom(&["lint", s(&good)]).status, 0);
}

/// The project's own generated dashboards and rules lint clean: CI fails when the generator
/// starts writing a query the linter flags (or the linter starts flagging a good one).
#[test]
fn the_projects_generated_dashboards_and_rules_lint_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for (dir, ext) in [
        ("deploy/dashboards", "json"),
        ("deploy/grafana-provisioning/dashboards", "json"),
        ("deploy/rules", "yaml"),
    ] {
        let entries = std::fs::read_dir(root.join(dir)).expect("deploy folder");
        for entry in entries {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == ext) {
                files.push(path.to_string_lossy().into_owned());
            }
        }
    }
    files.sort();
    assert!(files.len() >= 10, "{files:?}");
    let mut args = vec!["lint", "--scrape-interval", "30s", "--deny", "info"];
    args.extend(files.iter().map(String::as_str));
    let run = kubeprom(&args);
    assert_eq!(run.status, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout, "",
        "findings or skipped queries in the project's files"
    );
    assert!(run.stderr.contains(" 0 findings"), "{}", run.stderr);
}

#[test]
fn folded_scalars_point_at_their_start_and_say_so() {
    let path = file(
        "folded.yaml",
        "groups:\n- name: g\n  rules:\n  - record: a:b\n    expr: >\n      sum(\n      http_requests_total)\n",
    );
    let run = kubeprom(&["lint", s(&path)]);
    assert_eq!(run.status, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.starts_with(&format!(
            "{}:6:7: warning[counter-without-rate]:",
            path.display()
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("(at the start of the value"),
        "{}",
        run.stdout
    );
}

#[test]
fn json_escapes_are_counted_in_columns() {
    // `\u00e9` is one character of the query but six of the file.
    let path = file(
        "escaped.json",
        "{\"panels\": [{\"targets\": [{\"expr\": \"up{a=\\\"\\u00e9\\\"} + sum(http_requests_total)\"}]}]}\n",
    );
    let run = kubeprom(&["lint", s(&path)]);
    assert_eq!(run.status, 1, "{}{}", run.stdout, run.stderr);
    // The opening quote of the expr is column 35; `up{a=\"\u00e9\"} + sum(` is 23 file columns.
    assert!(
        run.stdout.starts_with(&format!(
            "{}:1:59: warning[counter-without-rate]:",
            path.display()
        )),
        "{}",
        run.stdout
    );
}
