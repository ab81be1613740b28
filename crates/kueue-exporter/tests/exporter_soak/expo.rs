//! Reading a `/metrics` page (text 0.0.4 or OpenMetrics 1.0) into samples, with no code of the
//! crate: the soak judges the exporter's output, it must not share its writer.

use std::collections::{BTreeMap, BTreeSet};

/// One sample line.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Metric name as written (`_total`, `_bucket`, ... included).
    pub name: String,
    /// Labels in the order written.
    pub labels: Vec<(String, String)>,
    /// Value.
    pub value: f64,
}

impl Sample {
    /// The value of label `key`, if present.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Every sample of a page; an error names the first line that is not a sample.
pub fn parse(body: &str) -> Result<Vec<Sample>, String> {
    body.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| parse_line(l).ok_or_else(|| format!("not a sample line: {l:?}")))
        .collect()
}

fn parse_line(line: &str) -> Option<Sample> {
    let name_end = line.find(['{', ' '])?;
    let name = line[..name_end].to_owned();
    let mut rest = &line[name_end..];
    let mut labels = Vec::new();
    if let Some(mut s) = rest.strip_prefix('{') {
        loop {
            s = s.strip_prefix(',').unwrap_or(s);
            if let Some(after) = s.strip_prefix('}') {
                rest = after;
                break;
            }
            let eq = s.find('=')?;
            let key = s[..eq].to_owned();
            s = s[eq + 1..].strip_prefix('"')?;
            let mut value = String::new();
            let mut chars = s.char_indices();
            let end = loop {
                match chars.next()? {
                    (_, '\\') => match chars.next()?.1 {
                        'n' => value.push('\n'),
                        escaped => value.push(escaped),
                    },
                    (i, '"') => break i,
                    (_, c) => value.push(c),
                }
            };
            labels.push((key, value));
            s = &s[end + 1..];
        }
    }
    let value = rest.split_whitespace().next()?.parse().ok()?;
    Some(Sample {
        name,
        labels,
        value,
    })
}

/// What the soak reads off one page.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// `kubeprom_kueue_exporter_poll_duration_seconds_count`: polls completed.
    pub polls: Option<u64>,
    /// `kubeprom_kueue_exporter_poll_duration_seconds_sum`: seconds spent in those polls.
    pub poll_seconds: Option<f64>,
    /// `kubeprom_kueue_exporter_up`.
    pub up: Option<f64>,
    /// `kubeprom_kueue_pending_workloads` by cluster queue.
    pub pending: BTreeMap<String, f64>,
    /// Cluster queues with any series other than the error counter (which outlives a queue).
    pub queues_shown: BTreeSet<String>,
    /// `kubeprom_kueue_exporter_errors_total` by (cluster queue, kind).
    pub errors: BTreeMap<(String, String), f64>,
}

impl Page {
    /// Sorts the samples of a page.
    pub fn new(samples: &[Sample]) -> Page {
        let mut page = Page::default();
        for s in samples {
            match s.name.as_str() {
                "kubeprom_kueue_exporter_poll_duration_seconds_count" => {
                    page.polls = Some(s.value as u64);
                }
                "kubeprom_kueue_exporter_poll_duration_seconds_sum" => {
                    page.poll_seconds = Some(s.value);
                }
                "kubeprom_kueue_exporter_up" => page.up = Some(s.value),
                "kubeprom_kueue_exporter_errors_total" => {
                    let key = (
                        s.label("cluster_queue").unwrap_or("").to_owned(),
                        s.label("kind").unwrap_or("").to_owned(),
                    );
                    page.errors.insert(key, s.value);
                    continue;
                }
                "kubeprom_kueue_pending_workloads" => {
                    if let Some(cq) = s.label("cluster_queue") {
                        page.pending.insert(cq.to_owned(), s.value);
                    }
                }
                _ => {}
            }
            if let Some(cq) = s.label("cluster_queue") {
                page.queues_shown.insert(cq.to_owned());
            }
        }
        page
    }
}

/// Checks the parser on lines as the exporter writes them (run at the start of the soak: a
/// parser that read nothing would make every later check pass vacuously).
pub fn self_check() -> Result<(), String> {
    let text = "# HELP x y\nkubeprom_kueue_exporter_up 1\n\
                kubeprom_kueue_exporter_errors_total{cluster_queue=\"\",kind=\"timeout\"} 3\n\
                kubeprom_kueue_pending_workloads{cluster_queue=\"a\\\"b\"} 2.0\n\
                kubeprom_kueue_pending_workload_age_seconds_bucket{cluster_queue=\"a\",le=\"+Inf\"} 7\n\
                # EOF\n";
    let samples = parse(text)?;
    let page = Page::new(&samples);
    let ok = samples.len() == 4
        && page.up == Some(1.0)
        && page.errors.get(&(String::new(), "timeout".to_owned())) == Some(&3.0)
        && page.pending.get("a\"b") == Some(&2.0)
        && page.queues_shown.contains("a")
        && samples[3].label("le") == Some("+Inf");
    if ok {
        Ok(())
    } else {
        Err(format!(
            "the exposition parser misread its own example: {samples:?}"
        ))
    }
}
