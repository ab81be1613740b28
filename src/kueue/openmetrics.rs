//! OpenMetrics 1.0 text, from the same [`MetricFamily`] values as [`super::render_text`].
//!
//! The differences from text 0.0.4 that matter here: a counter's `# TYPE`/`# HELP` name is the
//! family name without `_total` (the samples keep it), `"` is escaped in help text, the page
//! ends with `# EOF`, and no other comment is allowed (so a duplicate series is dropped
//! silently rather than noted).

use std::collections::HashSet;
use std::fmt::Write as _;

use super::exposition::{label_set, write_float, FamilyData, MetricFamily};

/// `Content-Type` of [`render_openmetrics`]'s output.
pub const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Writes families as OpenMetrics 1.0 text, ending with `# EOF`.
///
/// Families without series are left out; a series whose labels repeat an earlier one of the
/// same family is left out too (an OpenMetrics parser rejects the whole page otherwise).
pub fn render_openmetrics(families: &[MetricFamily]) -> String {
    let mut out = String::new();
    for family in families.iter().filter(|f| !f.is_empty()) {
        write_family(&mut out, family);
    }
    out.push_str("# EOF\n");
    out
}

fn write_family(out: &mut String, family: &MetricFamily) {
    let name = &family.name;
    let type_name = match family.data {
        FamilyData::Gauge(_) => "gauge",
        FamilyData::Counter(_) => "counter",
        FamilyData::Histogram(_) => "histogram",
    };
    let _ = write!(out, "# HELP {name} ");
    for c in family.help.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    let _ = writeln!(out, "\n# TYPE {name} {type_name}");

    let mut seen = HashSet::new();
    match &family.data {
        FamilyData::Gauge(series) | FamilyData::Counter(series) => {
            let suffix = if matches!(family.data, FamilyData::Counter(_)) {
                "_total"
            } else {
                ""
            };
            for (labels, value) in series {
                let labels = label_set(labels, None);
                if seen.insert(labels.clone()) {
                    let _ = write!(out, "{name}{suffix}{labels} ");
                    write_float(out, *value);
                    out.push('\n');
                }
            }
        }
        FamilyData::Histogram(series) => {
            for (labels, histogram) in series {
                let plain = label_set(labels, None);
                if !seen.insert(plain.clone()) {
                    continue;
                }
                for bucket in histogram.buckets() {
                    let mut le = String::new();
                    write_float(&mut le, bucket.le);
                    let _ = writeln!(
                        out,
                        "{name}_bucket{} {}",
                        label_set(labels, Some(&le)),
                        bucket.count
                    );
                }
                let _ = write!(out, "{name}_sum{plain} ");
                write_float(out, histogram.sum());
                let _ = writeln!(out, "\n{name}_count{plain} {}", histogram.count());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{render_text, Histogram};
    use super::*;

    #[test]
    fn counters_histograms_escapes_and_eof() {
        let mut h = Histogram::new(&[1.0]).unwrap();
        h.observe(0.5);
        h.observe(2.0);
        let fams = [
            MetricFamily::counter(
                "c",
                "Say \"hi\"\\\n.",
                vec![
                    (vec![("q", "a\"b".into())], 3.0),
                    (vec![("q", "a\"b".into())], 4.0),
                ],
            ),
            MetricFamily::histogram("h", "H.", vec![(vec![("q", "a".into())], h)]),
            MetricFamily::gauge("empty", "E.", vec![]),
            MetricFamily::gauge("g", "G.", vec![(vec![], f64::NAN)]),
        ];
        assert_eq!(
            render_openmetrics(&fams),
            "# HELP c Say \\\"hi\\\"\\\\\\n.\n# TYPE c counter\nc_total{q=\"a\\\"b\"} 3\n\
             # HELP h H.\n# TYPE h histogram\n\
             h_bucket{q=\"a\",le=\"1\"} 1\nh_bucket{q=\"a\",le=\"+Inf\"} 2\n\
             h_sum{q=\"a\"} 2.5\nh_count{q=\"a\"} 2\n\
             # HELP g G.\n# TYPE g gauge\ng NaN\n# EOF\n"
        );
    }

    #[test]
    fn same_samples_as_text_format() {
        // Every sample line of the 0.0.4 page appears, unchanged, in the OpenMetrics page.
        let body = include_bytes!("../../tests/data/kueue/cq-gpu-a100-v1beta2.json");
        let mut opts = super::super::SummaryOptions::new(1_760_000_000.0);
        opts.cluster_queue = "gpu-a100".into();
        let report = super::super::pending_summary(body, &opts).unwrap();
        let fams = super::super::kueue_families(&report.summaries);
        let text = render_text(&fams);
        let om = render_openmetrics(&fams);
        let samples = |s: &str| -> Vec<String> {
            s.lines()
                .filter(|l| !l.starts_with('#'))
                .map(str::to_owned)
                .collect()
        };
        assert!(!samples(&text).is_empty());
        assert_eq!(samples(&text), samples(&om));
        assert!(om.ends_with("# EOF\n"));
        assert_eq!(om.matches("# EOF").count(), 1);
    }

    #[test]
    fn empty_page_is_just_eof() {
        assert_eq!(render_openmetrics(&[]), "# EOF\n");
    }
}
