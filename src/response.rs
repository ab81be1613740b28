//! Prometheus HTTP API responses (`/api/v1/query`, `/api/v1/query_range`, `/api/v1/targets`),
//! parsed straight from bytes into typed values with serde, no generic JSON tree in between.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

pub mod histogram;
pub mod scan;

pub use histogram::{BoundaryRule, Bucket, HistogramError, Histograms};
pub use scan::{parse_query_response, parse_query_response_serde, Label, QueryResult, Series};

/// The default limit on a response body: 256 MiB.
pub const DEFAULT_MAX_BYTES: usize = 256 << 20;

/// Why a body is not a usable query result.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ResponseError {
    /// Prometheus answered with an error envelope.
    #[error("{message}")]
    Prometheus {
        /// The error kind in Prometheus' words (`bad_data`, `timeout`, `execution`, ...). A
        /// backend that answers with an HTTP status code as its `errorType` (VictoriaMetrics
        /// answers `"422"`) gets the kind Prometheus gives the same failure, so callers branch
        /// on one set of kinds whatever the backend.
        error_type: String,
        /// The backend's own `errorType`, when it is not a Prometheus kind.
        raw_error_type: Option<String>,
        /// Prometheus' `error`.
        message: String,
    },
    /// The body is not a Prometheus API response (an HTML page, truncated JSON, wrong shape).
    #[error("{message}")]
    Malformed {
        /// What is wrong, with a short excerpt of the body.
        message: String,
    },
    /// The body is larger than allowed.
    #[error("response body of {size} bytes is larger than maxBytes ({max})")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
}

impl ResponseError {
    /// The API error kind.
    pub fn kind(&self) -> &str {
        match self {
            Self::Prometheus { error_type, .. } => error_type,
            Self::Malformed { .. } => "malformed",
            Self::TooLarge { .. } => "too_large",
        }
    }

    /// The backend's own `errorType`, when [`ResponseError::kind`] is a translation of it.
    pub fn raw_error_type(&self) -> Option<&str> {
        match self {
            Self::Prometheus { raw_error_type, .. } => raw_error_type.as_deref(),
            _ => None,
        }
    }

    fn malformed(what: impl fmt::Display, body: &[u8]) -> Self {
        Self::Malformed {
            message: format!(
                "not a Prometheus API response: {what}; body starts: {}",
                excerpt(body)
            ),
        }
    }
}

/// The Prometheus error kind for an `errorType` that is an HTTP status code, as
/// VictoriaMetrics writes it; `None` for anything else, which is kept as it is.
///
/// Prometheus answers 400 `bad_data` for a query it cannot parse or whose arguments are wrong,
/// 422 `execution` when running it fails (too many samples), 503 `timeout` or `unavailable`.
/// VictoriaMetrics answers 422 for all of its query errors, so for 422 the message decides:
/// a resource limit is `execution`, a timeout is `timeout`, anything else is the query's fault.
fn kind_of_status_code(error_type: &str, message: &str) -> Option<&'static str> {
    let code: u16 = error_type.parse().ok()?;
    if !(100..=599).contains(&code) {
        return None;
    }
    let reason = without_echoed_query(message);
    let said = |words: &[&str]| words.iter().any(|w| reason.contains(w));
    let timed_out = said(&["timeout", "deadline exceeded"]);
    Some(match code {
        _ if timed_out => "timeout",
        422 if said(&["too many", "cannot exceed", "memory"]) => "execution",
        404 => "not_found",
        499 => "canceled",
        503 => "unavailable",
        400..=499 => "bad_data",
        500..=599 => "internal",
        _ => return None,
    })
}

/// The part of a VictoriaMetrics message after the query it echoes (`error when executing
/// query="..." for (time=..., step=...): reason`), so that a metric named `..._timeout` or
/// `..._memory_...` in the query says nothing of the failure.
fn without_echoed_query(message: &str) -> &str {
    let Some(quoted) = message.strip_prefix("error when executing query=\"") else {
        return message;
    };
    // The query is Go-quoted: a backslash escapes the next byte; the first bare quote ends it.
    let bytes = quoted.as_bytes();
    let mut i = 0;
    while i < bytes.len() && bytes[i] != b'"' {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    let after = quoted.get(i + 1..).unwrap_or("");
    after.find("): ").map_or(after, |at| &after[at + 3..])
}

/// The type of a query result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultType {
    /// An instant vector: one sample per series.
    Vector,
    /// A range vector: many samples per series.
    Matrix,
    /// A single number.
    Scalar,
    /// A single string.
    String,
}

impl ResultType {
    /// The name Prometheus uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Vector => "vector",
            Self::Matrix => "matrix",
            Self::Scalar => "scalar",
            Self::String => "string",
        }
    }

    /// The result type Prometheus names `name`.
    pub fn parse(name: &str) -> Option<ResultType> {
        [Self::Vector, Self::Matrix, Self::Scalar, Self::String]
            .into_iter()
            .find(|t| t.as_str() == name)
    }
}

/// A series' labels in the order Prometheus sent them.
pub type Labels = Vec<(String, String)>;

/// One series of the serde reading, with its samples as parallel arrays.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct PlainSeries {
    /// Label pairs, `__name__` included when present.
    pub labels: Labels,
    /// Sample times in unix seconds.
    pub timestamps: Vec<f64>,
    /// Sample values; NaN and ±Inf kept as such. For native histogram samples, their count.
    pub values: Vec<f64>,
}

#[cfg(test)]
impl PlainSeries {
    /// The value of label `name`, if the series has it.
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The serde reading of a query response, before it becomes a [`QueryResult`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PlainResult {
    /// The result type.
    pub result_type: ResultType,
    /// The series (a scalar or string result has one series without labels).
    pub series: Vec<PlainSeries>,
    /// The string of a `string` result.
    pub string_value: Option<String>,
    /// Warnings Prometheus (or Thanos/Mimir) attached: results may be partial.
    pub warnings: Vec<String>,
    /// Informational notes Prometheus attached.
    pub infos: Vec<String>,
}

/// The serde reading of a query or query_range body, one allocation per series: what the
/// scanner falls back to on anything outside its shape, and what it is tested against. Beside
/// the result, each series' native histogram samples whole (none for a scalar or string).
pub(crate) fn parse_plain(
    body: &[u8],
    max_bytes: usize,
) -> Result<(PlainResult, Vec<Histograms>), ResponseError> {
    let envelope: Envelope<Data> = parse_envelope(body, max_bytes)?;
    let data = envelope
        .data
        .ok_or_else(|| ResponseError::malformed("status is success but there is no data", body))?;
    let Some(result_type) = ResultType::parse(&data.result_type) else {
        return Err(ResponseError::malformed(
            format!("unknown resultType {:?}", data.result_type),
            body,
        ));
    };
    let mut string_value = None;
    let (series, histograms) = match (result_type, data.result) {
        (ResultType::Vector | ResultType::Matrix, RawResult::Series(series)) => {
            if let Some(bad) = series
                .iter()
                .position(|s| s.single != (result_type == ResultType::Vector))
            {
                return Err(ResponseError::malformed(
                    format!(
                        "result[{bad}] has {} in a {} result",
                        if series[bad].single {
                            "value"
                        } else {
                            "values"
                        },
                        result_type.as_str()
                    ),
                    body,
                ));
            }
            series.into_iter().map(|s| (s.series, s.histograms)).unzip()
        }
        (ResultType::Scalar, RawResult::Pair(time, text)) => {
            let value = parse_value(&text)
                .map_err(|e| ResponseError::malformed(format!("result: {e}"), body))?;
            (
                vec![PlainSeries {
                    labels: Vec::new(),
                    timestamps: vec![time],
                    values: vec![value],
                }],
                Vec::new(),
            )
        }
        (ResultType::String, RawResult::Pair(time, text)) => {
            string_value = Some(text.into_owned());
            (
                vec![PlainSeries {
                    labels: Vec::new(),
                    timestamps: vec![time],
                    values: vec![f64::NAN],
                }],
                Vec::new(),
            )
        }
        (ResultType::Vector | ResultType::Matrix, RawResult::Pair(..)) => {
            return Err(ResponseError::malformed(
                format!(
                    "result of a {} is not a list of series",
                    result_type.as_str()
                ),
                body,
            ))
        }
        (_, RawResult::Series(_)) => {
            return Err(ResponseError::malformed(
                format!(
                    "result of a {} is not a [time, value] pair",
                    result_type.as_str()
                ),
                body,
            ))
        }
    };
    let result = PlainResult {
        result_type,
        series,
        string_value,
        warnings: envelope.warnings,
        infos: envelope.infos,
    };
    Ok((result, histograms))
}

/// A scrape target from `/api/v1/targets`.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The `job` label.
    pub job: String,
    /// The scrape pool (the scrape config or ServiceMonitor it came from).
    pub scrape_pool: String,
    /// The URL scraped.
    pub scrape_url: String,
    /// `up`, `down` or `unknown`.
    pub health: String,
    /// The last scrape's error, empty when it succeeded.
    pub last_error: String,
    /// Unix seconds of the last scrape; NaN when never scraped.
    pub last_scrape: f64,
    /// The target's labels after relabelling.
    pub labels: Labels,
}

/// Parses a `/api/v1/targets` response (active targets).
pub fn parse_targets_response(body: &[u8], max_bytes: usize) -> Result<Vec<Target>, ResponseError> {
    let envelope: Envelope<TargetsData> = parse_envelope(body, max_bytes)?;
    let data = envelope
        .data
        .ok_or_else(|| ResponseError::malformed("status is success but there is no data", body))?;
    Ok(data
        .active_targets
        .into_iter()
        .map(|t| Target {
            job: t
                .labels
                .0
                .iter()
                .find(|(k, _)| k == "job")
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
            scrape_pool: t.scrape_pool,
            scrape_url: t.scrape_url,
            health: t.health,
            last_error: t.last_error,
            last_scrape: crate::kueue::parse_rfc3339(&t.last_scrape).unwrap_or(f64::NAN),
            labels: t.labels.0,
        })
        .collect())
}

/// Checks size and obvious non-JSON, then reads the envelope; turns error envelopes into errors.
fn parse_envelope<'a, D: Deserialize<'a>>(
    body: &'a [u8],
    max_bytes: usize,
) -> Result<Envelope<'a, D>, ResponseError> {
    if body.len() > max_bytes {
        return Err(ResponseError::TooLarge {
            size: body.len(),
            max: max_bytes,
        });
    }
    let trimmed = body.trim_ascii_start();
    if trimmed.is_empty() {
        return Err(ResponseError::Malformed {
            message: "not a Prometheus API response: the body is empty".into(),
        });
    }
    if trimmed[0] == b'<' {
        let title = html_title(trimmed)
            .map(|t| format!(" titled {t:?}"))
            .unwrap_or_default();
        return Err(ResponseError::Malformed {
            message: format!(
                "not a Prometheus API response: got an HTML page{title} (a proxy, load balancer or login page answered instead of Prometheus); body starts: {}",
                excerpt(body)
            ),
        });
    }
    let envelope: Envelope<D> = serde_json::from_slice(body)
        .map_err(|e| ResponseError::malformed(describe_json_error(&e), body))?;
    match envelope.status.as_ref() {
        "success" => Ok(envelope),
        "error" => {
            let message = envelope
                .error
                .map(Cow::into_owned)
                .unwrap_or_else(|| "Prometheus reported an error without a message".into());
            let raw = envelope.error_type.unwrap_or(Cow::Borrowed("unknown"));
            let (error_type, raw_error_type) = match kind_of_status_code(&raw, &message) {
                Some(kind) => (kind.to_owned(), Some(raw.into_owned())),
                None => (raw.into_owned(), None),
            };
            Err(ResponseError::Prometheus {
                error_type,
                raw_error_type,
                message,
            })
        }
        other => Err(ResponseError::malformed(
            format!("unknown status {other:?}"),
            body,
        )),
    }
}

fn describe_json_error(e: &serde_json::Error) -> String {
    match e.classify() {
        serde_json::error::Category::Eof => format!(
            "the JSON ends early (truncated body?) at line {} column {}",
            e.line(),
            e.column()
        ),
        _ => format!("{e}"),
    }
}

/// A short, single-line excerpt of a body for error messages.
pub(crate) fn excerpt(body: &[u8]) -> String {
    const MAX: usize = 120;
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX * 4)]);
    let mut out = String::new();
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
        if out.chars().count() >= MAX {
            break;
        }
    }
    let mut out: String = out.chars().take(MAX).collect();
    if body.len() > out.len() {
        out.push('…');
    }
    format!("{out:?}")
}

fn html_title(html: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&html[..html.len().min(4096)]);
    let lower = text.to_ascii_lowercase();
    let start = lower.find("<title>")? + "<title>".len();
    let end = start + lower[start..].find("</title>")?;
    Some(
        text[start..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// Parses a sample value as Prometheus writes it (`"1.5"`, `"NaN"`, `"+Inf"`, `"-Inf"`).
pub fn parse_value(text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .map_err(|_| format!("{text:?} is not a sample value"))
}

#[derive(Deserialize)]
struct Envelope<'a, D> {
    #[serde(borrow)]
    status: Cow<'a, str>,
    #[serde(default = "none")]
    data: Option<D>,
    #[serde(rename = "errorType", borrow, default)]
    error_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    error: Option<Cow<'a, str>>,
    #[serde(default)]
    warnings: Vec<String>,
    #[serde(default)]
    infos: Vec<String>,
}

fn none<D>() -> Option<D> {
    None
}

#[derive(Deserialize)]
struct Data<'a> {
    #[serde(rename = "resultType", borrow)]
    result_type: Cow<'a, str>,
    #[serde(borrow)]
    result: RawResult<'a>,
}

/// `result` before its type is checked: a list of series, or a `[time, "value"]` pair.
enum RawResult<'a> {
    Series(Vec<RawSeries>),
    Pair(f64, Cow<'a, str>),
}

struct RawSeries {
    series: PlainSeries,
    /// Its native histogram samples whole (in `series` as their counts).
    histograms: Histograms,
    /// Whether the series came with `value`/`histogram` (vector) rather than `values`.
    single: bool,
}

impl<'de: 'a, 'a> Deserialize<'de> for RawResult<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ResultVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for ResultVisitor<'a> {
            type Value = RawResult<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of series or a [time, value] pair")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut series = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                match seq.next_element::<Element>()? {
                    None => return Ok(RawResult::Series(series)),
                    Some(Element::Series(first)) => series.push(first),
                    Some(Element::Time(time)) => {
                        let value: Cow<'a, str> = seq.next_element()?.ok_or_else(|| {
                            de::Error::custom("a [time, value] pair needs a value")
                        })?;
                        if seq.next_element::<IgnoredAny>()?.is_some() {
                            return Err(de::Error::custom(
                                "a [time, value] pair has more than two elements",
                            ));
                        }
                        return Ok(RawResult::Pair(time, value));
                    }
                }
                while let Some(next) = seq.next_element::<RawSeries>()? {
                    series.push(next);
                }
                Ok(RawResult::Series(series))
            }
        }
        deserializer.deserialize_seq(ResultVisitor(std::marker::PhantomData))
    }
}

/// The first element of `result` tells which shape it has.
enum Element {
    Series(RawSeries),
    Time(f64),
}

impl<'de> Deserialize<'de> for Element {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ElementVisitor;
        impl<'de> Visitor<'de> for ElementVisitor {
            type Value = Element;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a series object or a sample time")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                SeriesVisitor.visit_map(map).map(Element::Series)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Element::Time(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Element::Time(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Element::Time(v as f64))
            }
        }
        deserializer.deserialize_any(ElementVisitor)
    }
}

impl<'de> Deserialize<'de> for RawSeries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(SeriesVisitor)
    }
}

struct SeriesVisitor;

impl<'de> Visitor<'de> for SeriesVisitor {
    type Value = RawSeries;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a series object with metric and value(s)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut labels: Option<Labels> = None;
        let mut samples = Samples::default();
        let mut seen = SampleKeys::default();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            let Some(kind) = SampleKey::of(&key) else {
                if key == "metric" {
                    if labels.is_some() {
                        return Err(de::Error::duplicate_field("metric"));
                    }
                    labels = Some(map.next_value::<LabelMap>()?.0);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
                continue;
            };
            seen.add(kind).map_err(de::Error::custom)?;
            let samples = &mut samples;
            let histogram = matches!(kind, SampleKey::Histogram | SampleKey::Histograms);
            if matches!(kind, SampleKey::Value | SampleKey::Histogram) {
                map.next_value_seed(SampleSeed { samples, histogram })?;
            } else {
                map.next_value_seed(SampleListSeed { samples, histogram })?;
            }
        }
        let labels = labels.unwrap_or_default();
        let single = seen.single().ok_or_else(|| {
            de::Error::custom("a series has no value, values, histogram or histograms")
        })?;
        Ok(RawSeries {
            series: PlainSeries {
                labels,
                timestamps: samples.timestamps,
                values: samples.values,
            },
            histograms: samples.histograms,
            single,
        })
    }
}

/// The keys of a series that hold samples.
#[derive(Debug, Clone, Copy, PartialEq)]
enum SampleKey {
    /// A vector's float sample.
    Value,
    /// A vector's native histogram sample.
    Histogram,
    /// A matrix's float samples.
    Values,
    /// A matrix's native histogram samples.
    Histograms,
}

impl SampleKey {
    fn of(key: &str) -> Option<Self> {
        Some(match key {
            "value" => Self::Value,
            "histogram" => Self::Histogram,
            "values" => Self::Values,
            "histograms" => Self::Histograms,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::Value => "value",
            Self::Histogram => "histogram",
            Self::Values => "values",
            Self::Histograms => "histograms",
        }
    }

    /// Whether it is a vector's, one sample.
    fn single(self) -> bool {
        matches!(self, Self::Value | Self::Histogram)
    }
}

/// The sample keys a series had so far. As the API has it: a vector series has `value` or
/// `histogram`, never both; a matrix series `values`, `histograms` or both; none twice.
#[derive(Default)]
struct SampleKeys(Option<SampleKey>, Option<SampleKey>);

impl SampleKeys {
    fn add(&mut self, key: SampleKey) -> Result<(), String> {
        let clash = [self.0, self.1]
            .into_iter()
            .flatten()
            .find(|&k| k == key || k.single() || key.single());
        match clash {
            Some(other) if other == key => Err(format!("a series has {} twice", key.name())),
            Some(other) => Err(format!(
                "a series has both {} and {}",
                other.name(),
                key.name()
            )),
            None if self.0.is_none() => {
                self.0 = Some(key);
                Ok(())
            }
            None => {
                self.1 = Some(key);
                Ok(())
            }
        }
    }

    /// Whether the series is a vector's, once it had a sample key.
    fn single(&self) -> Option<bool> {
        self.0.map(SampleKey::single)
    }
}

/// Label map that refuses duplicate names instead of silently keeping one.
struct LabelMap(Labels);

impl<'de> Deserialize<'de> for LabelMap {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LabelVisitor;
        impl<'de> Visitor<'de> for LabelVisitor {
            type Value = LabelMap;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a label map of strings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut labels: Labels = Vec::with_capacity(map.size_hint().unwrap_or(8).min(64));
                while let Some((name, value)) = map.next_entry::<Cow<'de, str>, Cow<'de, str>>()? {
                    if labels.iter().any(|(existing, _)| *existing == name) {
                        return Err(de::Error::custom(format!("label {name:?} appears twice")));
                    }
                    labels.push((name.into_owned(), value.into_owned()));
                }
                Ok(LabelMap(labels))
            }
        }
        deserializer.deserialize_map(LabelVisitor)
    }
}

#[derive(Default)]
struct Samples {
    timestamps: Vec<f64>,
    values: Vec<f64>,
    histograms: Histograms,
}

/// One `[time, "value"]` (or `[time, {histogram}]`) pushed straight into the sample arrays.
struct SampleSeed<'s> {
    samples: &'s mut Samples,
    histogram: bool,
}

impl<'de> DeserializeSeed<'de> for SampleSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for SampleSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a [time, value] pair")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let time: f64 = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let value = if self.histogram {
            let histogram = seq
                .next_element_seed(HistogramSeed(&mut self.samples.histograms))?
                .ok_or_else(|| de::Error::invalid_length(1, &self))?;
            if seq.next_element::<IgnoredAny>()?.is_some() {
                return Err(de::Error::invalid_length(3, &self));
            }
            self.samples
                .histograms
                .push_sample(time, histogram.count, histogram.sum);
            histogram.count
        } else {
            let text: Cow<'de, str> = seq
                .next_element()?
                .ok_or_else(|| de::Error::invalid_length(1, &self))?;
            let value = parse_value(&text).map_err(de::Error::custom)?;
            if seq.next_element::<IgnoredAny>()?.is_some() {
                return Err(de::Error::invalid_length(3, &self));
            }
            value
        };
        self.samples.timestamps.push(time);
        self.samples.values.push(value);
        Ok(())
    }
}

struct SampleListSeed<'s> {
    samples: &'s mut Samples,
    histogram: bool,
}

impl<'de> DeserializeSeed<'de> for SampleListSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for SampleListSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of [time, value] pairs")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let hint = seq.size_hint().unwrap_or(0).min(11_000);
        self.samples.timestamps.reserve(hint);
        self.samples.values.reserve(hint);
        while seq
            .next_element_seed(SampleSeed {
                samples: self.samples,
                histogram: self.histogram,
            })?
            .is_some()
        {}
        Ok(())
    }
}

/// A native histogram's count and sum; its buckets go straight into the columns.
struct HistogramTotals {
    count: f64,
    sum: f64,
}

/// A native histogram object, its buckets pushed into the columns as they are read (the
/// sample itself is pushed by the caller, who has its time).
struct HistogramSeed<'h>(&'h mut Histograms);

impl<'de> DeserializeSeed<'de> for HistogramSeed<'_> {
    type Value = HistogramTotals;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for HistogramSeed<'_> {
    type Value = HistogramTotals;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a native histogram {count, sum, buckets}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let number = |field, text: Cow<'de, str>| {
            histogram::parse_number(field, &text).map_err(de::Error::custom)
        };
        let (mut count, mut sum, mut buckets) = (None, None, false);
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "count" if count.is_none() => count = Some(number("count", map.next_value()?)?),
                "sum" if sum.is_none() => sum = Some(number("sum", map.next_value()?)?),
                "buckets" if !buckets => {
                    buckets = true;
                    map.next_value_seed(BucketListSeed(&mut *self.0))?;
                }
                "count" | "sum" | "buckets" => {
                    return Err(de::Error::custom(format!("a histogram has {key} twice")))
                }
                // Fields a later Prometheus may add say nothing of the ones read here.
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(HistogramTotals {
            count: count.ok_or_else(|| de::Error::missing_field("count"))?,
            sum: sum.ok_or_else(|| de::Error::missing_field("sum"))?,
        })
    }
}

/// A histogram's `buckets`, each pushed into the columns.
struct BucketListSeed<'h>(&'h mut Histograms);

impl<'de> DeserializeSeed<'de> for BucketListSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for BucketListSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of [rule, lower, upper, count] buckets")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        type RawBucket<'a> = (u64, Cow<'a, str>, Cow<'a, str>, Cow<'a, str>);
        while let Some((rule, lower, upper, count)) = seq.next_element::<RawBucket<'de>>()? {
            let bucket = Bucket::parse(rule, &lower, &upper, &count).map_err(de::Error::custom)?;
            self.0.push_bucket(bucket);
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct TargetsData {
    #[serde(rename = "activeTargets", default)]
    active_targets: Vec<RawTarget>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTarget {
    #[serde(default)]
    labels: LabelMapOrEmpty,
    #[serde(default)]
    scrape_pool: String,
    #[serde(default)]
    scrape_url: String,
    #[serde(default)]
    last_error: String,
    #[serde(default)]
    last_scrape: String,
    #[serde(default)]
    health: String,
}

#[derive(Default)]
struct LabelMapOrEmpty(Labels);

impl<'de> Deserialize<'de> for LabelMapOrEmpty {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        LabelMap::deserialize(deserializer).map(|m| LabelMapOrEmpty(m.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<PlainResult, ResponseError> {
        parse_plain(body.as_bytes(), DEFAULT_MAX_BYTES).map(|(result, _)| result)
    }

    #[test]
    fn vector_with_special_values() {
        let r = parse(
            r#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"__name__":"up","job":"a"},"value":[1700000000.5,"1"]},
            {"metric":{"job":"b"},"value":[1700000000,"NaN"]},
            {"metric":{"job":"c"},"value":[1700000000,"+Inf"]},
            {"metric":{"job":"d"},"value":[1700000000,"-Inf"]}]},"warnings":["partial"],"infos":["i"]}"#,
        )
        .unwrap();
        assert_eq!(r.result_type, ResultType::Vector);
        assert_eq!(r.series.len(), 4);
        assert_eq!(r.series[0].label("job"), Some("a"));
        assert_eq!(r.series[0].timestamps, vec![1700000000.5]);
        assert!(r.series[1].values[0].is_nan());
        assert_eq!(r.series[2].values[0], f64::INFINITY);
        assert_eq!(r.series[3].values[0], f64::NEG_INFINITY);
        assert_eq!(r.warnings, vec!["partial"]);
        assert_eq!(r.infos, vec!["i"]);
    }

    #[test]
    fn matrix_scalar_string_and_empty() {
        let m = parse(r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"x\"y"},"values":[[1,"1"],[2,"2.5e3"]]}]}}"#).unwrap();
        assert_eq!(
            m.series[0].labels,
            vec![("a".to_string(), "x\"y".to_string())]
        );
        assert_eq!(m.series[0].values, vec![1.0, 2500.0]);
        let s = parse(
            r#"{"status":"success","data":{"resultType":"scalar","result":[1435781451.781,"1"]}}"#,
        )
        .unwrap();
        assert_eq!(
            (s.series[0].timestamps[0], s.series[0].values[0]),
            (1435781451.781, 1.0)
        );
        let t =
            parse(r#"{"status":"success","data":{"resultType":"string","result":[1,"hello"]}}"#)
                .unwrap();
        assert_eq!(t.string_value.as_deref(), Some("hello"));
        let e =
            parse(r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#).unwrap();
        assert!(e.series.is_empty());
    }

    #[test]
    fn error_envelope_keeps_prometheus_kind() {
        let err =
            parse(r#"{"status":"error","errorType":"bad_data","error":"parse error at char 5"}"#)
                .unwrap_err();
        assert_eq!(err.kind(), "bad_data");
        assert_eq!(err.to_string(), "parse error at char 5");
    }

    #[test]
    fn status_code_error_types_get_prometheus_kinds_and_keep_their_own() {
        // VictoriaMetrics 1.79's answers, as it wrote them.
        let vm = |message: &str| {
            let body = serde_json::json!({"status": "error", "errorType": "422", "error": message});
            parse(&body.to_string()).unwrap_err()
        };
        for message in [
            r#"error when executing query="sum(" for (time=1796247461111, step=300000): singleExpr: unexpected token ""; want "(", "{", "-", "+"; unparsed data: """#,
            r#"error when executing query="foo(up)" for (time=1796247508405, step=300000): unknown func "foo""#,
            "missing `query` arg",
            r#"cannot parse "time"="abc": parsing time "abc" as "2006-01-02T15:04:05Z07:00""#,
        ] {
            let err = vm(message);
            assert_eq!(err.kind(), "bad_data", "{message}");
            assert_eq!(err.raw_error_type(), Some("422"));
            assert_eq!(err.to_string(), message);
        }
        let limit = vm(
            r#"error when executing query="up" on the time range (start=0, end=100000000000, step=1000): too many points for the given step=1000, start=0 and end=100000000000: 100000001; cannot exceed -search.maxPointsPerTimeseries=30000"#,
        );
        assert_eq!(limit.kind(), "execution");
        let slow = vm(r#"error when executing query="up" for (time=1, step=1): timeout exceeded"#);
        assert_eq!(slow.kind(), "timeout");
        // The echoed query's words are not the failure's.
        let named = vm(
            r#"error when executing query="sum(kueue_timeout_memory_total{a=\"too many\"}" for (time=1, step=1): unparsed data: """#,
        );
        assert_eq!(named.kind(), "bad_data");
        for (code, kind) in [
            ("400", "bad_data"),
            ("503", "unavailable"),
            ("500", "internal"),
            ("404", "not_found"),
        ] {
            let body = format!(r#"{{"status":"error","errorType":"{code}","error":"x"}}"#);
            let err = parse(&body).unwrap_err();
            assert_eq!((err.kind(), err.raw_error_type()), (kind, Some(code)));
        }
        // Prometheus' own kinds, and words that are not status codes, stay as they are.
        for raw in ["bad_data", "execution", "timeout", "canceled", "42x", "99"] {
            let body =
                format!(r#"{{"status":"error","errorType":"{raw}","error":"too many samples"}}"#);
            let err = parse(&body).unwrap_err();
            assert_eq!((err.kind(), err.raw_error_type()), (raw, None));
        }
    }

    #[test]
    fn non_prometheus_bodies_are_malformed() {
        let html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
        let err = parse(html).unwrap_err();
        assert_eq!(err.kind(), "malformed");
        assert!(err.to_string().contains("502 Bad Gateway"), "{err}");
        for body in ["", "   ", "{", "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{}", "[]", "null", "{\"status\":\"success\"}",
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"values":[[1,"1"]]}]}}"#,
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1","a":"2"},"value":[1,"1"]}]}}"#,
            r#"{"status":"success","status":"success","data":{"resultType":"vector","result":[]}}"#,
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"abc"]}]}}"#,
            r#"{"status":"success","data":{"resultType":"scalar","result":[{"metric":{},"value":[1,"1"]}]}}"#,
            r#"{"status":"success","data":{"resultType":"table","result":[]}}"#] {
            let err = parse(body).unwrap_err();
            assert_eq!(err.kind(), "malformed", "{body}: {err}");
        }
    }

    #[test]
    fn too_large_is_refused_before_parsing() {
        let err = parse_plain(b"{\"status\":\"success\"}", 4).unwrap_err();
        assert_eq!(err.kind(), "too_large");
    }

    fn vector_of(histogram: &str) -> String {
        format!(
            r#"{{"status":"success","data":{{"resultType":"vector","result":[{{"metric":{{}},"histogram":[1,{histogram}]}}]}}}}"#
        )
    }

    #[test]
    fn native_histograms_are_kept_whole_and_counted_as_their_count() {
        let body = vector_of(
            r#"{"count":"12","sum":"3.5","buckets":[[3,"-0.5","0.5","2"],[0,"0.5","1","10"]]}"#,
        );
        let (r, histograms) = parse_plain(body.as_bytes(), DEFAULT_MAX_BYTES).unwrap();
        assert_eq!(r.series[0].values, vec![12.0]);
        let h = &histograms[0];
        assert_eq!(
            (h.timestamps(), h.counts(), h.sums()),
            (&[1.0][..], &[12.0][..], &[3.5][..])
        );
        let buckets: Vec<Bucket> = h.buckets(0).collect();
        assert_eq!(
            buckets,
            [
                Bucket {
                    rule: BoundaryRule::ClosedBoth,
                    lower: -0.5,
                    upper: 0.5,
                    count: 2.0
                },
                Bucket {
                    rule: BoundaryRule::OpenLeft,
                    lower: 0.5,
                    upper: 1.0,
                    count: 10.0
                }
            ]
        );
        // Fields a later Prometheus may add are passed over.
        let body = vector_of(r#"{"count":"1","sum":"1","schema":3,"buckets":[]}"#);
        assert_eq!(
            parse_plain(body.as_bytes(), DEFAULT_MAX_BYTES).unwrap().1[0].len(),
            1
        );
    }

    #[test]
    fn malformed_histograms_say_what_is_wrong() {
        for (histogram, says) in [
            (
                r#"{"count":"1","sum":"1","buckets":[[4,"0","1","1"]]}"#,
                "boundary rule 4 is not 0 (open left)",
            ),
            (
                r#"{"count":"1","sum":"1","buckets":[[-1,"0","1","1"]]}"#,
                "-1",
            ),
            (
                r#"{"count":"1","sum":"1","buckets":[[0,"0","1,5","1"]]}"#,
                r#"bucket upper bound "1,5" is not a number"#,
            ),
            (
                r#"{"count":"1","sum":"1","buckets":[[0,"a","1","1"]]}"#,
                "bucket lower bound",
            ),
            (
                r#"{"count":"1","sum":"1","buckets":[[0,"0","1","many"]]}"#,
                "bucket count",
            ),
            (
                r#"{"count":"1","sum":"1","buckets":[[0,"0","1"]]}"#,
                "invalid length",
            ),
            (
                r#"{"count":"x","sum":"1"}"#,
                r#"histogram count "x" is not a number"#,
            ),
            (r#"{"count":"1","sum":""}"#, "histogram sum"),
            (r#"{"count":"1"}"#, "missing field `sum`"),
            (r#"{"sum":"1"}"#, "missing field `count`"),
            (
                r#"{"count":"1","sum":"1","sum":"2"}"#,
                "a histogram has sum twice",
            ),
            (r#"[1,2]"#, "native histogram"),
        ] {
            let err = parse(&vector_of(histogram)).unwrap_err();
            assert_eq!(err.kind(), "malformed", "{histogram}");
            assert!(err.to_string().contains(says), "{histogram}: {err}");
        }
        let series = |samples: &str| {
            format!(
                r#"{{"status":"success","data":{{"resultType":"matrix","result":[{{"metric":{{}},{samples}}}]}}}}"#
            )
        };
        let h = r#"{"count":"1","sum":"1"}"#;
        for (samples, says) in [
            (
                format!(r#""histograms":[[1,{h}]],"histograms":[]"#),
                "a series has histograms twice",
            ),
            (
                format!(r#""values":[],"histograms":[[1,{h}]],"values":[]"#),
                "a series has values twice",
            ),
            (
                format!(r#""histograms":[[1,{h}]],"value":[1,"1"]"#),
                "a series has both histograms and value",
            ),
        ] {
            let err = parse(&series(&samples)).unwrap_err();
            assert!(err.to_string().contains(says), "{samples}: {err}");
        }
        let err = parse(r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"histogram":[1,{"count":"1","sum":"1"}],"value":[1,"1"]}]}}"#).unwrap_err();
        assert!(
            err.to_string()
                .contains("a series has both histogram and value"),
            "{err}"
        );
    }

    #[test]
    fn targets() {
        let t = parse_targets_response(br#"{"status":"success","data":{"activeTargets":[{"discoveredLabels":{"__address__":"x"},"labels":{"job":"kuberay-operator","namespace":"ray-system"},"scrapePool":"serviceMonitor/ray-system/kuberay/0","scrapeUrl":"http://10.0.0.5:8080/metrics","globalUrl":"http://x","lastError":"","lastScrape":"2026-01-01T00:00:30.5Z","lastScrapeDuration":0.01,"health":"up","scrapeInterval":"30s","scrapeTimeout":"10s"}],"droppedTargets":[]}}"#, DEFAULT_MAX_BYTES).unwrap();
        assert_eq!(t[0].job, "kuberay-operator");
        assert_eq!(t[0].health, "up");
        assert_eq!(t[0].last_scrape, 1767225630.5);
    }
}
