//! `kubeprom`: kubeprom's linter on whole files, for CI pipelines.
//!
//! `kubeprom lint [--scrape-interval 30s] [--deny warning] FILE...` lints Grafana dashboards
//! (JSON) and Prometheus rule files or `PrometheusRule` objects (YAML or JSON), prints each
//! finding as `FILE:LINE:COL: SEVERITY[RULE]: MESSAGE [WHERE]` like a compiler, and exits 0 when
//! no finding reaches `--deny`, 1 when one does, 2 on a usage error or a file it cannot read.

mod args;
mod locate;
mod run;
mod yaml;

use std::process::ExitCode;

fn main() -> ExitCode {
    let command = match args::parse(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kubeprom: {e}\n\n{}", args::USAGE);
            return ExitCode::from(run::TROUBLE);
        }
    };
    match command {
        args::Command::Help => {
            println!("{}", args::USAGE);
            ExitCode::SUCCESS
        }
        args::Command::Version => {
            println!("kubeprom {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        args::Command::Lint(lint) => {
            let status = run::lint(
                &lint,
                &mut std::io::stdout().lock(),
                &mut std::io::stderr().lock(),
            );
            ExitCode::from(status)
        }
    }
}
