//! The command line, read by hand: one subcommand and three options need no parser crate.

use std::time::Duration;

use kubeprom::lint::Severity;

/// Usage text, printed by `--help` and after a usage error.
pub const USAGE: &str = "\
usage: kubeprom lint [--scrape-interval DURATION] [--deny error|warning|info] FILE...

Lints Grafana dashboards (JSON) and Prometheus rule files or PrometheusRule objects (YAML or
JSON): every PromQL query, and the rules themselves. Findings are printed as
FILE:LINE:COL: SEVERITY[RULE]: MESSAGE, queries left unlinted as notes.

options:
  --scrape-interval DURATION  the scrape interval of the queried series (such as 30s);
                              enables rate-window-too-short
  --deny LEVEL                the least severity that fails the run (default: warning)
  -h, --help                  this text
  -V, --version               the version

exit status: 0 no finding at or above --deny, 1 some, 2 usage error or unreadable file";

/// What to do.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// Print the usage.
    Help,
    /// Print the version.
    Version,
    /// Lint files.
    Lint(LintArgs),
}

/// The arguments of `kubeprom lint`.
#[derive(Debug, PartialEq, Eq)]
pub struct LintArgs {
    /// Enables `rate-window-too-short`.
    pub scrape_interval: Option<Duration>,
    /// The least severity that makes the exit status 1.
    pub deny: Severity,
    /// The files, in the order given.
    pub files: Vec<String>,
}

/// Reads the arguments after the program name.
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut args = args.into_iter();
    match args.next().as_deref() {
        None => return Err("missing command: kubeprom lint FILE...".to_owned()),
        Some("-h" | "--help" | "help") => return Ok(Command::Help),
        Some("-V" | "--version") => return Ok(Command::Version),
        Some("lint") => {}
        Some(other) => return Err(format!("unknown command {other:?}: the command is `lint`")),
    }
    let mut out = LintArgs {
        scrape_interval: None,
        deny: Severity::Warning,
        files: Vec::new(),
    };
    let mut only_files = false;
    while let Some(arg) = args.next() {
        if only_files || arg == "-" || !arg.starts_with('-') {
            out.files.push(arg);
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        let mut value = |what: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value: {what}"))
        };
        match name.as_str() {
            "--" => only_files = true,
            "-h" | "--help" => return Ok(Command::Help),
            "--scrape-interval" => {
                let text = value("a duration such as 30s")?;
                let d = kubeprom::lint::parse_duration(&text)
                    .map_err(|e| format!("--scrape-interval: {e}"))?;
                out.scrape_interval = Some(d);
            }
            "--deny" => {
                out.deny = match value("error, warning or info")?.as_str() {
                    "error" => Severity::Error,
                    "warning" => Severity::Warning,
                    "info" => Severity::Info,
                    other => {
                        return Err(format!(
                            "--deny: {other:?} is not one of error, warning, info"
                        ))
                    }
                }
            }
            _ => return Err(format!("unknown option {name}")),
        }
    }
    if out.files.is_empty() {
        return Err("no FILE to lint".to_owned());
    }
    Ok(Command::Lint(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Command, String> {
        parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn options_and_files() {
        assert_eq!(
            p(&[
                "lint",
                "--scrape-interval",
                "30s",
                "a.json",
                "--deny=info",
                "--",
                "-b"
            ]),
            Ok(Command::Lint(LintArgs {
                scrape_interval: Some(Duration::from_secs(30)),
                deny: Severity::Info,
                files: vec!["a.json".into(), "-b".into()],
            }))
        );
        assert_eq!(p(&["--help"]), Ok(Command::Help));
        assert_eq!(p(&["lint", "x", "-h"]), Ok(Command::Help));
    }

    #[test]
    fn usage_errors() {
        assert!(p(&[]).is_err());
        assert!(p(&["check", "x"]).unwrap_err().contains("lint"));
        assert!(p(&["lint"]).unwrap_err().contains("no FILE"));
        assert!(p(&["lint", "--deny", "all", "x"]).is_err());
        assert!(p(&["lint", "--scrape-interval"])
            .unwrap_err()
            .contains("needs a value"));
        assert!(p(&["lint", "--scrape-interval", "5x", "a"]).is_err());
        assert!(p(&["lint", "--fast", "a"]).unwrap_err().contains("--fast"));
    }
}
