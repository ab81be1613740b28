//! Shared by the integration tests: the real Prometheus of the test harness.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use std::ops::Deref;

use kubeprom::response::{parse_query_response, QueryResult, DEFAULT_MAX_BYTES};

/// A parsed answer, with each series' samples beside its labels for reading in assertions; it
/// dereferences to the core's [`QueryResult`], so it goes to `aggregate_pods` as it is.
#[derive(Debug)]
#[allow(dead_code)] // each test binary reads a different part
pub struct Answer {
    pub result: QueryResult<'static>,
    pub series: Vec<SeriesSamples>,
}

/// One series of an [`Answer`].
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesSamples {
    pub labels: Vec<(String, String)>,
    pub timestamps: Vec<f64>,
    pub values: Vec<f64>,
}

impl SeriesSamples {
    #[allow(dead_code)] // each test binary reads a different part
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl From<QueryResult<'_>> for Answer {
    fn from(result: QueryResult<'_>) -> Self {
        let series = result
            .series
            .iter()
            .map(|s| SeriesSamples {
                labels: s
                    .labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                timestamps: result.timestamps_of(s).to_vec(),
                values: result.values_of(s).to_vec(),
            })
            .collect();
        Answer {
            result: result.into_owned(),
            series,
        }
    }
}

impl Deref for Answer {
    type Target = QueryResult<'static>;
    fn deref(&self) -> &Self::Target {
        &self.result
    }
}

/// A running Prometheus over the bundled dataset, and the dataset's expectations.
pub struct Prometheus {
    pub url: String,
    pub expected: serde_json::Value,
}

/// Starts the harness once per test binary (or uses `KUBEPROM_PROMETHEUS_URL` and
/// `KUBEPROM_EXPECTED`); it stops by itself when this process exits.
#[allow(dead_code)] // each test binary reads a different part
pub fn prometheus() -> &'static Prometheus {
    static PROM: OnceLock<Prometheus> = OnceLock::new();
    PROM.get_or_init(|| {
        match (
            std::env::var("KUBEPROM_PROMETHEUS_URL"),
            std::env::var("KUBEPROM_EXPECTED"),
        ) {
            (Ok(url), Ok(expected)) => Prometheus::with(url, &expected),
            _ => Prometheus::start("main"),
        }
    })
}

/// A running Prometheus over the right-sizing dataset (tests/data/history.mjs: 15 days of a few
/// workloads), started once per test binary.
#[allow(dead_code)]
pub fn history_prometheus() -> &'static Prometheus {
    static PROM: OnceLock<Prometheus> = OnceLock::new();
    PROM.get_or_init(|| Prometheus::start("history"))
}

impl Prometheus {
    fn with(url: String, expected_path: &str) -> Self {
        let expected =
            serde_json::from_str(&std::fs::read_to_string(expected_path).expect("expected.json"))
                .expect("json");
        Prometheus { url, expected }
    }

    /// Starts `tests/harness/prometheus.mjs serve` over `dataset`; the child runs until this
    /// process exits (it watches our pid).
    fn start(dataset: &str) -> Self {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut child = Command::new("node")
            .arg(format!("{root}/tests/harness/prometheus.mjs"))
            .args(["serve", "--dataset", dataset])
            .args(["--exit-with", &std::process::id().to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .expect("node must be installed to start the test Prometheus (see .ci/run)");
        let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let mut field = |prefix: &str| {
            let line = lines
                .next()
                .expect("harness printed nothing")
                .expect("harness output");
            line.strip_prefix(prefix)
                .unwrap_or_else(|| panic!("harness said {line:?}"))
                .to_owned()
        };
        let url = field("PROMETHEUS_URL=");
        let expected = field("EXPECTED=");
        std::mem::forget(child);
        Self::with(url, &expected)
    }
}

impl Prometheus {
    /// The raw body of an API call.
    pub fn get(&self, path_and_query: &str) -> Vec<u8> {
        let url = format!("{}{path_and_query}", self.url);
        let mut response = ureq::get(&url)
            .config()
            .http_status_as_error(false)
            .build()
            .call()
            .expect("Prometheus answers");
        response
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_vec()
            .expect("body")
    }

    /// An instant query at `time` (unix seconds), parsed by kubeprom.
    pub fn query_at(&self, promql: &str, time: f64) -> Answer {
        let body = self.get(&format!(
            "/api/v1/query?query={}&time={time}",
            encode(promql)
        ));
        parse_query_response(&body, DEFAULT_MAX_BYTES)
            .unwrap_or_else(|e| panic!("{promql}: {e}"))
            .into()
    }

    /// A range query, parsed by kubeprom.
    #[allow(dead_code)] // each test binary reads a different part
    pub fn query_range(&self, promql: &str, start: f64, end: f64, step: f64) -> Answer {
        let body = self.get(&format!(
            "/api/v1/query_range?query={}&start={start}&end={end}&step={step}",
            encode(promql)
        ));
        parse_query_response(&body, DEFAULT_MAX_BYTES)
            .unwrap_or_else(|e| panic!("{promql}: {e}"))
            .into()
    }

    /// The dataset's anchor time: the data holds hours on either side.
    pub fn anchor(&self) -> f64 {
        self.expected["anchor"].as_f64().expect("anchor")
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Relative comparison for values that went through float arithmetic in Prometheus.
pub fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0)
}
