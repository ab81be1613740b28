//! A scanner for the shape Prometheus gives `query` and `query_range` answers, straight from
//! bytes into columns: one label list per series and two shared `f64` arrays for all samples.
//!
//! It only accepts what the serde reading ([`parse_query_response_serde`]) accepts with the same
//! meaning: success envelopes of vector and matrix results in Prometheus' field layout, native
//! histogram samples included. Anything else (error envelopes, scalars, unknown fields,
//! duplicate keys, odd numbers, truncated or invalid JSON) stops the scanner and the body goes
//! through the serde reading instead, which fills the same [`QueryResult`], so errors and rare
//! shapes keep exactly the plain path's behaviour. Numbers take a short exact path when the
//! result is provably the correctly rounded one, and the plain path's own parsers otherwise.

use std::borrow::Cow;
use std::ops::Range;

use super::{
    parse_plain, parse_value, BoundaryRule, Bucket, Histograms, PlainResult, ResponseError,
    ResultType,
};

mod stream;
pub use stream::ResultStream;

/// A label of a [`Series`]: name and value, borrowed from the body when unescaped.
pub type Label<'a> = (Cow<'a, str>, Cow<'a, str>);

/// A series of a [`QueryResult`] result: its labels and where its samples are.
#[derive(Debug, Clone, PartialEq)]
pub struct Series<'a> {
    /// Label pairs in the order Prometheus sent them.
    pub labels: Vec<Label<'a>>,
    /// Index of the series' first sample in [`QueryResult::timestamps`] and [`QueryResult::values`].
    pub start: usize,
    /// One past its last sample.
    pub end: usize,
    /// Its native histogram samples in [`QueryResult::histograms`]. Each is also one of its
    /// samples `start..end`, with its count as the value, after its float samples when the
    /// body gave them first.
    pub histograms: Range<usize>,
    /// Whether the label names strictly ascend, as Prometheus sends them (then no name repeats
    /// and the labels are already in the order of a sorted label set).
    pub names_ascending: bool,
}

impl<'a> Series<'a> {
    /// A series with samples `start..end`, finding out whether its label names ascend (the
    /// scanner knows that already and sets the field itself).
    pub fn new(labels: Vec<Label<'a>>, start: usize, end: usize) -> Self {
        Series {
            names_ascending: labels.windows(2).all(|w| w[0].0 < w[1].0),
            labels,
            start,
            end,
            histograms: 0..0,
        }
    }

    /// The value of label `name`, if the series has it.
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_ref())
    }

    /// How many samples it has.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether it has no samples.
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// A parsed `query` or `query_range` answer, in columns: one label list per series and two
/// arrays shared by every sample, so a result costs no allocation per series' samples and no
/// copy of label strings that need no unescaping. The scanner fills it; so does the serde
/// reading it falls back to, and so does the wasm boundary from a result given back by JS.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryResult<'a> {
    /// The result type.
    pub result_type: ResultType,
    /// The series, in response order (a scalar or string result has one series without
    /// labels).
    pub series: Vec<Series<'a>>,
    /// Every sample time in unix seconds, series after series.
    pub timestamps: Vec<f64>,
    /// Every sample value, aligned with `timestamps`; NaN and ±Inf kept as such. For native
    /// histogram samples, their count.
    pub values: Vec<f64>,
    /// Every native histogram sample whole (time, count, sum, buckets), series after series.
    pub histograms: Histograms,
    /// The string of a `string` result.
    pub string_value: Option<String>,
    /// Warnings Prometheus (or Thanos/Mimir) attached: results may be partial.
    pub warnings: Vec<String>,
    /// Informational notes Prometheus attached.
    pub infos: Vec<String>,
    /// Whether the scanner read the body itself (false: the serde reading did).
    pub scanned: bool,
}

impl QueryResult<'_> {
    /// An empty result for the scanner to fill.
    fn scanning(result_type: ResultType) -> Self {
        QueryResult {
            result_type,
            series: Vec::new(),
            timestamps: Vec::new(),
            values: Vec::new(),
            histograms: Histograms::default(),
            string_value: None,
            warnings: Vec::new(),
            infos: Vec::new(),
            scanned: true,
        }
    }

    /// Sample times of `series`.
    pub fn timestamps_of(&self, series: &Series) -> &[f64] {
        &self.timestamps[series.start..series.end]
    }

    /// Sample values of `series`.
    pub fn values_of(&self, series: &Series) -> &[f64] {
        &self.values[series.start..series.end]
    }

    /// The same result owning every label, so it no longer borrows the body.
    pub fn into_owned(self) -> QueryResult<'static> {
        QueryResult {
            result_type: self.result_type,
            series: self.series.into_iter().fold(Vec::new(), |mut owned, s| {
                let labels = owned_labels(s.labels, owned.last());
                owned.push(Series {
                    labels,
                    start: s.start,
                    end: s.end,
                    histograms: s.histograms,
                    names_ascending: s.names_ascending,
                });
                owned
            }),
            timestamps: self.timestamps,
            values: self.values,
            histograms: self.histograms,
            string_value: self.string_value,
            warnings: self.warnings,
            infos: self.infos,
            scanned: self.scanned,
        }
    }
}

impl From<PlainResult> for QueryResult<'static> {
    fn from(result: PlainResult) -> Self {
        QueryResult::from_plain(result, Vec::new())
    }
}

impl QueryResult<'static> {
    /// The columns of a serde reading, with `histograms[i]` the native histogram samples of
    /// its series `i` (none for series past its end).
    fn from_plain(result: PlainResult, histograms: Vec<Histograms>) -> Self {
        let mut histograms = histograms.into_iter();
        let total = result.series.iter().map(|s| s.values.len()).sum();
        let mut columns = QueryResult {
            result_type: result.result_type,
            series: Vec::with_capacity(result.series.len()),
            timestamps: Vec::with_capacity(total),
            values: Vec::with_capacity(total),
            histograms: Histograms::default(),
            string_value: result.string_value,
            warnings: result.warnings,
            infos: result.infos,
            scanned: false,
        };
        for s in result.series {
            let start = columns.values.len();
            columns.timestamps.extend_from_slice(&s.timestamps);
            columns.values.extend_from_slice(&s.values);
            let labels = s
                .labels
                .into_iter()
                .map(|(k, v)| (Cow::Owned(k), Cow::Owned(v)))
                .collect();
            let first_histogram = columns.histograms.len();
            if let Some(of_series) = histograms.next() {
                columns.histograms.append(&of_series);
            }
            columns.series.push(Series {
                histograms: first_histogram..columns.histograms.len(),
                ..Series::new(labels, start, columns.values.len())
            });
        }
        columns
    }
}

/// Parses a `query` or `query_range` response body: the scanner for Prometheus' own shape,
/// the serde reading for everything else, with the same results and errors either way, bit for
/// bit (`scanned` tells which read it).
pub fn parse_query_response(
    body: &[u8],
    max_bytes: usize,
) -> Result<QueryResult<'_>, ResponseError> {
    if body.len() <= max_bytes {
        if let Ok(columns) = Scanner::new(body).response() {
            return Ok(columns);
        }
    }
    parse_query_response_serde(body, max_bytes)
}

/// The serde reading alone, without the scanner: what [`parse_query_response`] falls back to,
/// public so that tests and fuzz targets can hold the scanner to it.
pub fn parse_query_response_serde(
    body: &[u8],
    max_bytes: usize,
) -> Result<QueryResult<'static>, ResponseError> {
    let (result, histograms) = parse_plain(body, max_bytes)?;
    Ok(QueryResult::from_plain(result, histograms))
}

/// The scanner met something outside its shape; the plain parser decides.
#[derive(Debug)]
struct Fallback;

type Fast<T> = Result<T, Fallback>;

/// Powers of ten that are exact in an `f64`.
const EXACT_POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Largest integer below which every integer is exact in an `f64`.
const EXACT_INT: u64 = 1 << 53;

/// `digits / 10^scale` when both are exact, so the one IEEE division is correctly rounded and
/// equals what any correct parser (Rust's, serde_json's in both its modes) gives for the text.
#[inline]
fn exact_decimal(digits: u64, scale: usize) -> Option<f64> {
    if scale == 0 && digits < EXACT_INT {
        return Some(digits as f64);
    }
    if digits < EXACT_INT && scale < EXACT_POW10.len() {
        Some(digits as f64 / EXACT_POW10[scale])
    } else {
        None
    }
}

/// Reserves the sample arrays for the rest of a body of `rest` bytes, if it is like the first
/// `read` bytes that gave the samples in `columns`.
fn reserve_like(read: usize, rest: usize, columns: &mut QueryResult<'_>) {
    let samples = columns.values.len();
    if samples == 0 {
        return;
    }
    let bytes_per_sample = (read / samples).max(1);
    let rest = rest / bytes_per_sample;
    let total = samples + rest + rest / 32 + 16;
    columns.timestamps.reserve_exact(total - samples);
    columns.values.reserve_exact(total - samples);
}

/// Label names of the series kube-prometheus-stack stores (cAdvisor, kubelet, kube-state-metrics,
/// node-exporter, Kueue), sorted: a series that outlives the body it was read from (streamed, or
/// made owned) refers to these instead of copying its name, the same in nearly every series.
const COMMON_NAMES: &[&str] = &[
    "__name__",
    "cluster_queue",
    "condition",
    "container",
    "cpu",
    "created_by_kind",
    "created_by_name",
    "device",
    "endpoint",
    "host_ip",
    "id",
    "image",
    "image_id",
    "instance",
    "interface",
    "job",
    "le",
    "local_queue",
    "metrics_path",
    "mode",
    "name",
    "namespace",
    "node",
    "owner_is_controller",
    "owner_kind",
    "owner_name",
    "phase",
    "pod",
    "pod_ip",
    "priority_class",
    "prometheus",
    "prometheus_replica",
    "quantile",
    "reason",
    "resource",
    "service",
    "status",
    "uid",
    "unit",
];

/// A label set that no longer borrows the body it was read from. `previous` is the series made
/// owned before it: series of one answer carry the same names in the same places, so a name is
/// first compared with the one there.
fn owned_labels(labels: Vec<Label<'_>>, previous: Option<&Series<'static>>) -> Vec<Label<'static>> {
    let previous = previous.map_or(&[][..], |s| &s.labels[..]);
    labels
        .into_iter()
        .enumerate()
        .map(|(at, (name, value))| {
            let name = match previous.get(at) {
                Some((Cow::Borrowed(common), _)) if *common == name => Cow::Borrowed(*common),
                _ => match COMMON_NAMES.binary_search(&name.as_ref()) {
                    Ok(at) => Cow::Borrowed(COMMON_NAMES[at]),
                    Err(_) => Cow::Owned(name.into_owned()),
                },
            };
            (name, Cow::Owned(value.into_owned()))
        })
        .collect()
}

/// Scans a matrix body of `total` bytes that is read in windows of about `window` bytes, so the
/// whole body is never in memory at once: `read(offset, buf, len)` writes the `len` bytes of the
/// body at `offset` into `buf`. Only what a [`ResultStream`] reads is read this way, and only
/// matrices; `None` means "use [`parse_query_response`] on the whole body", which then decides
/// (other layouts, errors, vectors, anything odd).
pub fn scan_matrix_in_windows(
    total: usize,
    max_bytes: usize,
    window: usize,
    mut read: impl FnMut(usize, &mut [u8], usize),
) -> Option<QueryResult<'static>> {
    if total > max_bytes {
        return None;
    }
    let window = window.max(64);
    let mut stream = ResultStream::new(Some(total));
    let mut at = 0;
    while at < total {
        let len = window.min(total - at);
        stream.push_with(len, |buf| read(at, buf, len));
        at += len;
        if stream.gave_up() || stream.result_type() == Some(ResultType::Vector) {
            return None;
        }
    }
    stream.finish()
}

/// Digits that always fit a u64 (10^19 - 1 < 2^64).
const MAX_EXACT_DIGITS: usize = 19;

/// Whether the eight bytes of `v` are all ASCII digits.
#[inline]
fn eight_digits(v: u64) -> bool {
    (v.wrapping_add(0x4646_4646_4646_4646) | v.wrapping_sub(0x3030_3030_3030_3030))
        & 0x8080_8080_8080_8080
        == 0
}

/// The number eight ASCII digits spell, first digit in the lowest byte.
#[inline]
fn parse_eight(v: u64) -> u64 {
    const MASK: u64 = 0x0000_00FF_0000_00FF;
    const MUL1: u64 = 100 + (1_000_000 << 32);
    const MUL2: u64 = 1 + (10_000 << 32);
    let v = v.wrapping_sub(0x3030_3030_3030_3030);
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let high = (v & MASK).wrapping_mul(MUL1);
    let low = ((v >> 16) & MASK).wrapping_mul(MUL2);
    u64::from(high.wrapping_add(low).wrapping_shr(32) as u32)
}

/// Eight copies of byte `b`.
const fn lanes(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

/// Whether any of the eight bytes of `v` may end a string's plain run: a quote, a backslash or
/// a control character. Exact when it says no; a yes is checked byte by byte (the zero-byte
/// test can flag a lane above a true match, never miss one).
#[inline]
fn may_end_string(v: u64) -> bool {
    let has_zero = |x: u64| x.wrapping_sub(lanes(0x01)) & !x & lanes(0x80);
    let quote = has_zero(v ^ lanes(b'"'));
    let backslash = has_zero(v ^ lanes(b'\\'));
    // Bytes below 0x20; bytes of 0x80 and above are excluded by `!v`.
    let control = v.wrapping_sub(lanes(0x20)) & !v & lanes(0x80);
    quote | backslash | control != 0
}

/// Where the plain run of a string's bytes ends (at a quote, backslash or control character),
/// eight bytes at a time: label values such as cAdvisor's `id` are a hundred bytes or more.
/// Also says whether every byte before the end is ASCII.
#[inline]
fn string_end(bytes: &[u8]) -> Option<(usize, bool)> {
    let mut at = 0;
    // The OR of every byte looked at: a high bit means a non-ASCII byte may be in the run.
    let mut seen = 0u64;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let Ok(eight) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let v = u64::from_le_bytes(eight);
        seen |= v;
        if may_end_string(v) {
            break;
        }
        at += 8;
    }
    let len = at
        + bytes[at..]
            .iter()
            .position(|&c| c == b'"' || c == b'\\' || c < 0x20)?;
    let tail = bytes[at..len].iter().fold(0u8, |acc, &c| acc | c);
    Some((len, (seen & lanes(0x80)) == 0 && tail < 0x80))
}

/// The text of a run of bytes, without a UTF-8 check when [`string_end`] found them all ASCII
/// (a check per label string was a tenth of the scan of a large instant vector).
#[inline]
fn run_text(run: &[u8], ascii: bool) -> Option<&str> {
    if ascii {
        debug_assert!(run.is_ascii());
        // SAFETY: every byte of `run` is below 0x80 (string_end looked at each of them), and
        // a sequence of ASCII bytes is valid UTF-8.
        Some(unsafe { std::str::from_utf8_unchecked(run) })
    } else {
        std::str::from_utf8(run).ok()
    }
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Scanner<'a> {
    fn new(b: &'a [u8]) -> Self {
        Scanner { b, i: 0 }
    }

    #[inline]
    fn peek(&self) -> Fast<u8> {
        self.b.get(self.i).copied().ok_or(Fallback)
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            if matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    /// Skips whitespace and takes `c`.
    #[inline]
    fn expect(&mut self, c: u8) -> Fast<()> {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            return Ok(());
        }
        self.ws();
        if self.peek()? == c {
            self.i += 1;
            Ok(())
        } else {
            Err(Fallback)
        }
    }

    /// Skips whitespace and takes `c` if it is next.
    #[inline]
    fn take(&mut self, c: u8) -> bool {
        if self.b.get(self.i) != Some(&c) {
            self.ws();
        }
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// A JSON string; borrowed when it has no escapes.
    #[inline]
    fn string(&mut self) -> Fast<Cow<'a, str>> {
        self.expect(b'"')?;
        let start = self.i;
        let rest = &self.b[start..];
        let Some((len, ascii)) = string_end(rest) else {
            return Err(Fallback);
        };
        match rest[len] {
            b'"' => {
                self.i = start + len + 1;
                run_text(&rest[..len], ascii)
                    .map(Cow::Borrowed)
                    .ok_or(Fallback)
            }
            b'\\' => self.escaped_string(start),
            _ => Err(Fallback),
        }
    }

    /// A string with escapes, decoded by serde_json itself.
    #[cold]
    fn escaped_string(&mut self, start: usize) -> Fast<Cow<'a, str>> {
        let mut j = start;
        loop {
            match self.b.get(j) {
                Some(b'"') => break,
                Some(b'\\') => j += 2,
                Some(_) => j += 1,
                None => return Err(Fallback),
            }
        }
        self.i = j + 1;
        serde_json::from_slice::<String>(&self.b[start - 1..=j])
            .map(Cow::Owned)
            .map_err(|_| Fallback)
    }

    /// An object key and its colon.
    #[inline]
    fn key(&mut self) -> Fast<Cow<'a, str>> {
        let key = self.string()?;
        self.expect(b':')?;
        Ok(key)
    }

    /// After `{` or a member: whether another member follows (`,`) or the object ends (`}`).
    #[inline]
    fn more(&mut self, close: u8, first: &mut bool) -> Fast<bool> {
        if *first {
            *first = false;
            return Ok(!self.take(close));
        }
        if self.take(b',') {
            Ok(true)
        } else if self.take(close) {
            Ok(false)
        } else {
            Err(Fallback)
        }
    }

    fn response(mut self) -> Fast<QueryResult<'a>> {
        self.expect(b'{')?;
        let mut status = false;
        let mut data = None;
        let mut warnings = None;
        let mut infos = None;
        let mut first = true;
        while self.more(b'}', &mut first)? {
            let key = self.key()?;
            match key.as_ref() {
                "status" if !status => {
                    if self.string()? != "success" {
                        return Err(Fallback);
                    }
                    status = true;
                }
                "data" if data.is_none() => data = Some(self.data()?),
                "warnings" if warnings.is_none() => warnings = Some(self.strings()?),
                "infos" if infos.is_none() => infos = Some(self.strings()?),
                _ => return Err(Fallback),
            }
        }
        self.ws();
        if self.i != self.b.len() || !status {
            return Err(Fallback);
        }
        let mut columns = data.ok_or(Fallback)?;
        columns.warnings = warnings.unwrap_or_default();
        columns.infos = infos.unwrap_or_default();
        Ok(columns)
    }

    /// `{"status":"success","data":{"resultType":"vector","result":[` (or `"matrix"`), spaces
    /// allowed: the start of a body in Prometheus' own field order.
    fn result_prefix(&mut self) -> Fast<ResultType> {
        self.expect(b'{')?;
        let head = self.key()? == "status"
            && self.string()? == "success"
            && self.take(b',')
            && self.key()? == "data"
            && self.take(b'{')
            && self.key()? == "resultType";
        if !head {
            return Err(Fallback);
        }
        let result_type = match self.string()?.as_ref() {
            "vector" => ResultType::Vector,
            "matrix" => ResultType::Matrix,
            _ => return Err(Fallback),
        };
        if self.take(b',') && self.key()? == "result" && self.take(b'[') {
            Ok(result_type)
        } else {
            Err(Fallback)
        }
    }

    fn strings(&mut self) -> Fast<Vec<String>> {
        self.expect(b'[')?;
        let mut out = Vec::new();
        let mut first = true;
        while self.more(b']', &mut first)? {
            out.push(self.string()?.into_owned());
        }
        Ok(out)
    }

    fn data(&mut self) -> Fast<QueryResult<'a>> {
        self.expect(b'{')?;
        let mut result_type = None;
        let mut columns = None;
        let mut first = true;
        while self.more(b'}', &mut first)? {
            let key = self.key()?;
            match (key.as_ref(), result_type) {
                ("resultType", None) => {
                    result_type = Some(match self.string()?.as_ref() {
                        "vector" => ResultType::Vector,
                        "matrix" => ResultType::Matrix,
                        _ => return Err(Fallback),
                    })
                }
                ("result", Some(kind)) if columns.is_none() => {
                    columns = Some(self.result(kind)?);
                }
                _ => return Err(Fallback),
            }
        }
        columns.ok_or(Fallback)
    }

    fn result(&mut self, result_type: ResultType) -> Fast<QueryResult<'a>> {
        let mut columns = QueryResult::scanning(result_type);
        self.expect(b'[')?;
        let start = self.i;
        let mut first = true;
        while self.more(b']', &mut first)? {
            let series = self.series(result_type, &mut columns)?;
            columns.series.push(series);
            if columns.series.len() == 1 {
                self.reserve_like_first_series(start, &mut columns);
            }
        }
        Ok(columns)
    }

    /// Reserves the sample arrays once, for as many samples as the rest of the body holds if it
    /// is like the first series: doubling growth would hold the old and the new arrays at once,
    /// which on a large matrix was a third of the peak memory.
    fn reserve_like_first_series(&self, start: usize, columns: &mut QueryResult<'a>) {
        reserve_like(self.i - start, self.b.len() - self.i, columns);
    }

    fn series(
        &mut self,
        result_type: ResultType,
        columns: &mut QueryResult<'_>,
    ) -> Fast<Series<'a>> {
        self.expect(b'{')?;
        let mut labels = None;
        let start = columns.values.len();
        let first_histogram = columns.histograms.len();
        // A vector series has `value` or `histogram`; a matrix one `values`, `histograms` or
        // both, each once.
        let (mut floats, mut histograms) = (false, false);
        let mut first = true;
        while self.more(b'}', &mut first)? {
            let key = self.key()?;
            match (key.as_ref(), result_type) {
                ("metric", _) if labels.is_none() => labels = Some(self.labels()?),
                ("values", ResultType::Matrix) if !floats => {
                    floats = true;
                    self.expect(b'[')?;
                    self.samples(columns)?;
                }
                ("histograms", ResultType::Matrix) if !histograms => {
                    histograms = true;
                    self.expect(b'[')?;
                    self.histogram_samples(columns)?;
                }
                ("value", ResultType::Vector) if !floats && !histograms => {
                    floats = true;
                    self.any_sample(columns)?;
                }
                ("histogram", ResultType::Vector) if !floats && !histograms => {
                    histograms = true;
                    self.histogram_sample(columns)?;
                }
                _ => return Err(Fallback),
            }
        }
        if !floats && !histograms {
            return Err(Fallback);
        }
        let (labels, names_ascending) = labels.unwrap_or((Vec::new(), true));
        Ok(Series {
            labels,
            start,
            end: columns.values.len(),
            histograms: first_histogram..columns.histograms.len(),
            names_ascending,
        })
    }

    /// The labels, and whether their names ascend.
    fn labels(&mut self) -> Fast<(Vec<Label<'a>>, bool)> {
        self.expect(b'{')?;
        let mut labels: Vec<Label<'a>> = Vec::with_capacity(16);
        let mut ascending = true;
        let mut first = true;
        while self.more(b'}', &mut first)? {
            let name = self.key()?;
            let value = self.string()?;
            // Prometheus sends label names sorted: while they ascend, a name above the last
            // one is new; any other order needs the search.
            ascending = ascending && labels.last().is_none_or(|(last, _)| *last < name);
            if !ascending && labels.iter().any(|(existing, _)| *existing == name) {
                return Err(Fallback);
            }
            labels.push((name, value));
        }
        Ok((labels, ascending))
    }

    /// A matrix series' samples after its `[`, up to and with the closing `]`. Most samples
    /// are in Prometheus' own layout, with the separators right after them; that case runs
    /// without the general helpers, which were half of the time on a large matrix.
    fn samples(&mut self, columns: &mut QueryResult<'_>) -> Fast<()> {
        let mut first = true;
        if !self.more(b']', &mut first)? {
            return Ok(());
        }
        loop {
            self.any_sample(columns)?;
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(());
                }
                _ => {
                    if !self.more(b']', &mut first)? {
                        return Ok(());
                    }
                }
            }
        }
    }

    /// A sample in Prometheus' layout through [`Self::plain_sample`], any other through
    /// [`Self::sample`].
    #[inline]
    fn any_sample(&mut self, columns: &mut QueryResult<'_>) -> Fast<()> {
        let start = self.i;
        if let Some((time, value)) = self.plain_sample() {
            columns.timestamps.push(time);
            columns.values.push(value);
            return Ok(());
        }
        self.i = start;
        self.sample(columns)
    }

    /// Whether the next two bytes are `first` and `second`.
    #[inline(always)]
    fn next_two(&self, first: u8, second: u8) -> bool {
        self.b.get(self.i) == Some(&first) && self.b.get(self.i + 1) == Some(&second)
    }

    /// `[1763700000.5,"-0.25"]` exactly: no spaces, plain decimals short enough to be exact.
    /// Every sample it reads, [`Self::sample`] reads to the same bits (the same tests in a
    /// fixed order); `None` leaves the rest to it.
    #[inline(always)]
    fn plain_sample(&mut self) -> Option<(f64, f64)> {
        if self.b.get(self.i) != Some(&b'[') {
            return None;
        }
        self.i += 1;
        let time = self.short_time()?;
        if !self.next_two(b',', b'"') {
            return None;
        }
        self.i += 2;
        let text_start = self.i;
        let (negative, acc, int_len, scale) = self.decimal();
        if !self.next_two(b'"', b']') {
            return None;
        }
        let text = &self.b[text_start..self.i];
        self.i += 2;
        let exact = (int_len > 0 && int_len + scale <= MAX_EXACT_DIGITS)
            .then(|| exact_decimal(acc, scale))
            .flatten();
        let value = match exact {
            Some(v) if negative => -v,
            Some(v) => v,
            // Too many digits to be exact (rates print 16-17): the parser `slow_value` would
            // call, on the same text, without looking for the string's end again.
            None => parse_value(std::str::from_utf8(text).ok()?).ok()?,
        };
        Some((time, value))
    }

    /// `[time, "value"]`.
    #[inline]
    fn sample(&mut self, columns: &mut QueryResult<'_>) -> Fast<()> {
        self.expect(b'[')?;
        self.ws();
        let time = self.time()?;
        self.expect(b',')?;
        self.ws();
        let value = self.value()?;
        self.expect(b']')?;
        columns.timestamps.push(time);
        columns.values.push(value);
        Ok(())
    }

    /// A matrix series' native histogram samples after its `[`, up to and with the `]`.
    fn histogram_samples(&mut self, columns: &mut QueryResult<'_>) -> Fast<()> {
        let mut first = true;
        while self.more(b']', &mut first)? {
            self.histogram_sample(columns)?;
        }
        Ok(())
    }

    /// `[time, {histogram}]`: the sample whole into the histogram columns, and its count as
    /// a sample value, as the serde reading has it.
    fn histogram_sample(&mut self, columns: &mut QueryResult<'_>) -> Fast<()> {
        self.expect(b'[')?;
        self.ws();
        let time = self.time()?;
        self.expect(b',')?;
        let (count, sum) = self.histogram(&mut columns.histograms)?;
        self.expect(b']')?;
        columns.histograms.push_sample(time, count, sum);
        columns.timestamps.push(time);
        columns.values.push(count);
        Ok(())
    }

    /// `{"count":"..","sum":"..","buckets":[..]}`, keys in any order, `buckets` optional (as
    /// Prometheus leaves it out when every bucket is empty): the count and sum; the buckets
    /// are pushed for the sample the caller pushes next. Any other key goes to the serde
    /// reading, which decides.
    fn histogram(&mut self, histograms: &mut Histograms) -> Fast<(f64, f64)> {
        self.expect(b'{')?;
        let (mut count, mut sum, mut buckets) = (None, None, false);
        let mut first = true;
        while self.more(b'}', &mut first)? {
            let key = self.key()?;
            self.ws();
            match key.as_ref() {
                "count" if count.is_none() => count = Some(self.value()?),
                "sum" if sum.is_none() => sum = Some(self.value()?),
                "buckets" if !buckets => {
                    buckets = true;
                    self.buckets(histograms)?;
                }
                _ => return Err(Fallback),
            }
        }
        Ok((count.ok_or(Fallback)?, sum.ok_or(Fallback)?))
    }

    /// `[[rule, "lower", "upper", "count"], ...]`, each bucket pushed.
    fn buckets(&mut self, histograms: &mut Histograms) -> Fast<()> {
        self.expect(b'[')?;
        let mut first = true;
        while self.more(b']', &mut first)? {
            self.expect(b'[')?;
            self.ws();
            let rule = self.boundary_rule()?;
            let number = |s: &mut Self| {
                s.expect(b',')?;
                s.ws();
                s.value()
            };
            let lower = number(self)?;
            let upper = number(self)?;
            let count = number(self)?;
            self.expect(b']')?;
            histograms.push_bucket(Bucket {
                rule,
                lower,
                upper,
                count,
            });
        }
        Ok(())
    }

    /// A boundary rule written as Prometheus writes it, one digit `0` to `3`; any other
    /// number (`4`, `01`, `1.0`, `-0`) is the serde reading's to accept or refuse.
    fn boundary_rule(&mut self) -> Fast<BoundaryRule> {
        let digit = self.peek()?.wrapping_sub(b'0');
        if matches!(
            self.b.get(self.i + 1),
            Some(b'0'..=b'9' | b'.' | b'e' | b'E')
        ) {
            return Err(Fallback);
        }
        let rule = BoundaryRule::try_from(u64::from(digit)).map_err(|_| Fallback)?;
        self.i += 1;
        Ok(rule)
    }

    /// Reads decimal digits into `acc` (wrapping: callers use it only for at most 19 digits,
    /// which fit a u64), eight at a time while it can; returns how many there were.
    #[inline]
    fn digits(&mut self, acc: &mut u64) -> usize {
        let start = self.i;
        let mut a = *acc;
        while let Some(chunk) = self.b.get(self.i..self.i + 8) {
            let Ok(bytes) = <[u8; 8]>::try_from(chunk) else {
                break;
            };
            let v = u64::from_le_bytes(bytes);
            if !eight_digits(v) {
                break;
            }
            a = a.wrapping_mul(100_000_000).wrapping_add(parse_eight(v));
            self.i += 8;
        }
        while let Some(&c) = self.b.get(self.i) {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            a = a.wrapping_mul(10).wrapping_add(u64::from(d));
            self.i += 1;
        }
        *acc = a;
        self.i - start
    }

    /// A sample time: a JSON number, read as serde_json reads it into an `f64`.
    #[inline]
    fn time(&mut self) -> Fast<f64> {
        let start = self.i;
        if let Some(t) = self.short_time() {
            if !matches!(self.b.get(self.i), Some(b'e' | b'E' | b'.' | b'-' | b'+')) {
                return Ok(t);
            }
        }
        self.i = start;
        self.slow_time()
    }

    /// A sample time that is a plain JSON decimal (`1763700000` or `1763700000.5`, no leading
    /// zero, digits after a point) short enough to convert exactly; `None` for any other, with
    /// the position left wherever it stopped. The caller checks what follows.
    #[inline(always)]
    fn short_time(&mut self) -> Option<f64> {
        let first_digit = self.i;
        let mut acc = 0u64;
        let int_len = self.digits(&mut acc);
        // JSON forbids leading zeros; leave such numbers to serde_json.
        if int_len == 0 || (int_len > 1 && self.b[first_digit] == b'0') {
            return None;
        }
        let mut scale = 0;
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            scale = self.digits(&mut acc);
            if scale == 0 {
                return None;
            }
        }
        if int_len + scale > MAX_EXACT_DIGITS {
            return None;
        }
        exact_decimal(acc, scale)
    }

    #[cold]
    fn slow_time(&mut self) -> Fast<f64> {
        let start = self.i;
        while let Some(&c) = self.b.get(self.i) {
            if c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E') {
                self.i += 1;
            } else {
                break;
            }
        }
        serde_json::from_slice::<f64>(&self.b[start..self.i]).map_err(|_| Fallback)
    }

    /// A sample value: a JSON string holding a float as Prometheus formats it.
    #[inline]
    fn value(&mut self) -> Fast<f64> {
        if self.b.get(self.i) != Some(&b'"') {
            return Err(Fallback);
        }
        self.i += 1;
        let start = self.i;
        let (negative, acc, int_len, scale) = self.decimal();
        let exact = int_len > 0 && int_len + scale <= MAX_EXACT_DIGITS;
        if exact && self.b.get(self.i) == Some(&b'"') {
            if let Some(v) = exact_decimal(acc, scale) {
                self.i += 1;
                return Ok(if negative { -v } else { v });
            }
        }
        self.i = start - 1;
        self.slow_value()
    }

    /// `-?digits(.digits)?` as far as it goes: the sign, the digits as one integer (wrapping
    /// past 19 digits, so only to be used below that), and how many digits come before and
    /// after the point.
    #[inline(always)]
    fn decimal(&mut self) -> (bool, u64, usize, usize) {
        let negative = self.b.get(self.i) == Some(&b'-');
        if negative {
            self.i += 1;
        }
        let mut acc = 0u64;
        let int_len = self.digits(&mut acc);
        let mut scale = 0;
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            scale = self.digits(&mut acc);
        }
        (negative, acc, int_len, scale)
    }

    /// Any other value string goes through the plain path's own parser.
    #[cold]
    fn slow_value(&mut self) -> Fast<f64> {
        let text = self.string()?;
        parse_value(&text).map_err(|_| Fallback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::DEFAULT_MAX_BYTES;

    /// Whether the scanner read `body`, after checking it gives what the serde reading gives.
    fn same(body: &str) -> bool {
        let plain = parse_query_response_serde(body.as_bytes(), DEFAULT_MAX_BYTES);
        let fast = parse_query_response(body.as_bytes(), DEFAULT_MAX_BYTES);
        let scanned = fast.as_ref().is_ok_and(|c| c.scanned);
        let fast = fast.map(|c| QueryResult {
            scanned: false,
            ..c
        });
        assert_eq!(format!("{plain:?}"), format!("{fast:?}"), "{body}");
        if let (Ok(p), Ok(f)) = (&plain, &fast) {
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&p.timestamps), bits(&f.timestamps), "{body}");
            assert_eq!(bits(&p.values), bits(&f.values), "{body}");
            let (ph, fh) = (&p.histograms, &f.histograms);
            for (p, f) in [
                (ph.timestamps(), fh.timestamps()),
                (ph.counts(), fh.counts()),
                (ph.sums(), fh.sums()),
                (ph.lower_bounds(), fh.lower_bounds()),
                (ph.upper_bounds(), fh.upper_bounds()),
                (ph.bucket_counts(), fh.bucket_counts()),
            ] {
                assert_eq!(bits(p), bits(f), "{body}");
            }
        }
        scanned
    }

    fn envelope(result_type: &str, series: &str) -> String {
        format!(
            r#"{{"status":"success","data":{{"resultType":"{result_type}","result":[{series}]}}}}"#
        )
    }

    #[test]
    fn scans_native_histograms_as_the_serde_reading_does() {
        // As Prometheus writes them: the zero bucket closed on both sides around zero, negative
        // buckets open right, positive ones open left; a custom-bucket histogram from -Inf to
        // +Inf; no `buckets` when every bucket is empty.
        let exponential = r#"{"count":"42","sum":"34593.34","buckets":[[1,"-4","-2","1"],[3,"-0.25","0.25","3"],[0,"0.25","0.5","12"],[0,"2","4","26"]]}"#;
        let custom = r#"{"count":"+Inf","sum":"NaN","buckets":[[0,"-Inf","0.5","1"],[2,"0.5","1e300","2"],[0,"1e300","+Inf","+Inf"]]}"#;
        let vector = envelope(
            "vector",
            &format!(
                r#"{{"metric":{{"a":"x"}},"histogram":[1700000000.5,{exponential}]}},{{"metric":{{}},"value":[1,"2"]}},{{"metric":{{"b":"y"}},"histogram":[3,{custom}]}},{{"metric":{{}},"histogram":[4,{{"count":"0","sum":"0"}}]}}"#
            ),
        );
        assert!(same(&vector));
        let r = parse_query_response(vector.as_bytes(), DEFAULT_MAX_BYTES).unwrap();
        assert_eq!(r.values, [42.0, 2.0, f64::INFINITY, 0.0]);
        let ranges: Vec<_> = r.series.iter().map(|s| s.histograms.clone()).collect();
        assert_eq!(ranges, [0..1, 1..1, 1..2, 2..3]);
        let h = &r.histograms;
        assert_eq!(h.timestamps(), [1700000000.5, 3.0, 4.0]);
        assert_eq!(h.counts()[..2], [42.0, f64::INFINITY]);
        assert!(h.sums()[1].is_nan());
        let rules: Vec<u8> = h.rules().iter().map(|r| r.code()).collect();
        assert_eq!(rules, [1, 3, 0, 0, 0, 2, 0]);
        assert_eq!(
            h.lower_bounds(),
            [-4.0, -0.25, 0.25, 2.0, f64::NEG_INFINITY, 0.5, 1e300]
        );
        assert_eq!(h.upper_bounds()[6], f64::INFINITY);
        assert_eq!(h.bucket_counts()[6], f64::INFINITY);
        assert_eq!(h.bucket_ends(), [4, 7, 7]);
        assert_eq!(h.buckets(2).count(), 0);

        // A matrix series may have float samples, histogram samples or both, in either order,
        // each kept: the floats in `values` and the histograms whole, their counts in `values`.
        let histograms = format!(r#"[[10,{exponential}],[20,{custom}]]"#);
        let floats = r#"[[30,"1.5"],[40,"NaN"]]"#;
        for series in [
            format!(r#"{{"metric":{{}},"values":{floats},"histograms":{histograms}}}"#),
            format!(r#"{{"metric":{{}},"histograms":{histograms},"values":{floats}}}"#),
            format!(
                r#"{{"histograms":{histograms},"metric":{{"a":"b"}}}},{{"metric":{{}},"values":{floats}}}"#
            ),
        ] {
            let body = envelope("matrix", &series);
            assert!(same(&body), "{body}");
            let r = parse_query_response(body.as_bytes(), DEFAULT_MAX_BYTES).unwrap();
            assert_eq!(r.histograms.timestamps(), [10.0, 20.0]);
            assert_eq!(r.histograms.bucket_ends(), [4, 7]);
            let mut times = r.timestamps.clone();
            times.sort_by(f64::total_cmp);
            assert_eq!(times, [10.0, 20.0, 30.0, 40.0]);
            let first = &r.series[0];
            let of_first = &r.timestamps[first.start..first.end];
            assert_eq!(first.histograms, 0..2);
            assert!(
                of_first.contains(&10.0) && of_first.contains(&20.0),
                "{body}"
            );
        }
        // Spaces anywhere JSON allows them, keys in another order.
        assert!(same(&envelope(
            "vector",
            r#" { "histogram" : [ 1 , { "buckets" : [ [ 0 , "1" , "2" , "3" ] , [3,"-1","1","1"] ] , "sum" : "4.5" , "count" : "4" } ] , "metric" : { } } "#
        )));
    }

    #[test]
    fn histogram_shapes_outside_the_api_go_to_the_serde_reading() {
        let h = r#"{"count":"1","sum":"2","buckets":[[0,"0","1","1"]]}"#;
        for series in [
            // Boundary rules the API does not have, or not as Prometheus writes them.
            r#"{"metric":{},"histogram":[1,{"count":"1","sum":"2","buckets":[[4,"0","1","1"]]}]}"#,
            r#"{"metric":{},"histogram":[1,{"count":"1","sum":"2","buckets":[[01,"0","1","1"]]}]}"#,
            r#"{"metric":{},"histogram":[1,{"count":"1","sum":"2","buckets":[[1.0,"0","1","1"]]}]}"#,
            r#"{"metric":{},"histogram":[1,{"count":"1","sum":"2","buckets":[[-0,"0","1","1"]]}]}"#,
            r#"{"metric":{},"histogram":[1,{"count":"1","sum":"2","buckets":[["0","0","1","1"]]}]}"#,
            // Buckets of the wrong length, numbers that are not numbers.
            r#"{"metric":{},"histogram":[1,{"count":"1","sum":"2","buckets":[[0,"0","1"]]}]}"#,
            r#"{"metric":{},"histogram":[1,{"count":"1","sum":"2","buckets":[[0,"0","1","1","1"]]}]}"#,
            r#"{"metric":{},"histogram":[1,{"count":"1","sum":"2","buckets":[[0,"0","one","1"]]}]}"#,
            r#"{"metric":{},"histogram":[1,{"count":1,"sum":"2"}]}"#,
            r#"{"metric":{},"histogram":[1,{"count":"x","sum":"2"}]}"#,
            r#"{"metric":{},"histogram":[1,{"count":"1","sum":"2","buckets":{}}]}"#,
            // Missing, repeated or unknown fields.
            r#"{"metric":{},"histogram":[1,{"count":"1"}]}"#,
            r#"{"metric":{},"histogram":[1,{"sum":"1"}]}"#,
            r#"{"metric":{},"histogram":[1,{"count":"1","sum":"2","count":"3"}]}"#,
            r#"{"metric":{},"histogram":[1,{"count":"1","sum":"2","buckets":[],"buckets":[]}]}"#,
            r#"{"metric":{},"histogram":[1,{"count":"1","sum":"2","schema":3}]}"#,
            r#"{"metric":{},"histogram":[1,"1"]}"#,
            r#"{"metric":{},"histogram":[1]}"#,
        ] {
            assert!(!same(&envelope("vector", series)), "{series}");
        }
        for (result_type, series) in [
            // A vector series has one sample; a matrix one each list once.
            (
                "vector",
                format!(r#"{{"metric":{{}},"value":[1,"1"],"histogram":[1,{h}]}}"#),
            ),
            (
                "vector",
                format!(r#"{{"metric":{{}},"histogram":[1,{h}],"histogram":[1,{h}]}}"#),
            ),
            (
                "vector",
                format!(r#"{{"metric":{{}},"histograms":[[1,{h}]]}}"#),
            ),
            (
                "matrix",
                format!(r#"{{"metric":{{}},"histogram":[1,{h}]}}"#),
            ),
            (
                "matrix",
                format!(r#"{{"metric":{{}},"histograms":[[1,{h}]],"histograms":[]}}"#),
            ),
            (
                "matrix",
                format!(r#"{{"metric":{{}},"histograms":[[1,{h}]],"value":[1,"1"]}}"#),
            ),
            (
                "matrix",
                format!(r#"{{"metric":{{}},"histograms":[[1,{h},2]]}}"#),
            ),
        ] {
            let body = envelope(result_type, &series);
            assert!(!same(&body), "{body}");
            let err = parse_query_response(body.as_bytes(), DEFAULT_MAX_BYTES).unwrap_err();
            assert_eq!(err.kind(), "malformed", "{body}");
        }
    }

    #[test]
    fn common_names_are_sorted_for_the_binary_search() {
        assert!(COMMON_NAMES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn owned_labels_equal_the_borrowed_ones() {
        let body = br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"a","zz":"1"},"value":[1,"1"]},{"metric":{"job":"b","pod":"p"},"value":[1,"2"]}]}}"#;
        let borrowed = parse_query_response(body, DEFAULT_MAX_BYTES).unwrap();
        assert_eq!(borrowed.clone().into_owned(), borrowed);
    }

    #[test]
    fn scans_prometheus_shapes() {
        assert!(same(
            r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"x","pod":"p"},"values":[[1700000000,"1"],[1700000030.5,"2.25"],[1700000060.125,"-0.0"]]}]},"warnings":["w"],"infos":["i"]}"#
        ));
        assert!(same(
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1.5,"NaN"]},{"value":[2,"+Inf"],"metric":{"a":"\"q\" \u00e9"}},{"metric":{"a":"b"},"value":[3,"-Inf"]}]}}"#
        ));
        assert!(same(
            " {\n \"status\" : \"success\" , \"data\" : { \"resultType\" : \"matrix\" , \"result\" : [ ] } } \n"
        ));
        same(
            r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"é"},"values":[[1e3,"1e3"],[1.0E+2,"0.30000000000000004"],[-5,"123456789012345678901234"],[0.1,"0.000000000000000000000001"],[1234567890123456789012,".5"],[1,"5."]]}]}}"#,
        );
        assert!(!same(
            r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1_0"]]}]}}"#
        ));
    }

    #[test]
    fn string_ends_found_eight_bytes_at_a_time() {
        let ends = |c: u8| c == b'"' || c == b'\\' || c < 0x20;
        let mut x: u64 = 0x51_7cc1_b727_220a;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Mostly plain bytes, with each kind of end and high bytes sprinkled in.
            let bytes: Vec<u8> = (0..(x % 24) as usize)
                .map(|i| match (x >> (i % 60)) % 16 {
                    0 => b'"',
                    1 => b'\\',
                    2 => (x >> 3) as u8 % 0x20,
                    3 => 0x80 | (x >> 5) as u8,
                    _ => b' ' + ((x >> (i % 50)) as u8 % 90),
                })
                .collect();
            let end = bytes.iter().position(|&c| ends(c));
            let found = string_end(&bytes);
            assert_eq!(found.map(|(len, _)| len), end, "{bytes:?}");
            // ASCII may be missed (bytes after the end are looked at too), never claimed wrongly.
            if let Some((len, true)) = found {
                assert!(bytes[..len].is_ascii(), "{bytes:?}");
            }
            if let Some(len) = end.filter(|&len| bytes[..(len + 8).min(bytes.len())].is_ascii()) {
                assert_eq!(found, Some((len, true)), "{bytes:?}");
            }
            if let Ok(eight) = <[u8; 8]>::try_from(&bytes[..bytes.len().min(8)]) {
                assert_eq!(
                    may_end_string(u64::from_le_bytes(eight)),
                    eight.iter().any(|&c| ends(c)),
                    "{eight:?}"
                );
            }
        }
    }

    #[test]
    fn eight_digits_at_once() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..100_000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let n = x % 100_000_000;
            let text = format!("{n:08}");
            let v = u64::from_le_bytes(text.as_bytes().try_into().unwrap());
            assert!(eight_digits(v), "{text}");
            assert_eq!(parse_eight(v), n, "{text}");
            let mut bad = text.into_bytes();
            bad[(x >> 40) as usize % 8] =
                [b'/', b':', b'.', b'"', b'a', 0xb0][(x >> 50) as usize % 6];
            assert!(!eight_digits(u64::from_le_bytes(
                bad[..].try_into().unwrap()
            )));
        }
    }

    #[test]
    fn hands_everything_else_to_the_plain_parser() {
        for body in [
            "",
            "<html><title>502</title></html>",
            r#"{"status":"error","errorType":"bad_data","error":"x"}"#,
            r#"{"status":"success","data":{"resultType":"scalar","result":[1,"1"]}}"#,
            r#"{"status":"success","data":{"resultType":"string","result":[1,"s"]}}"#,
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1","a":"2"},"value":[1,"1"]}]}}"#,
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"b":"1","a":"2","b":"3"},"value":[1,"1"]}]}}"#,
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"values":[[1,"1"]]}]}}"#,
            r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"]],"values":[[2,"2"]]}]}}"#,
            r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[01,"1"]]}]}}"#,
            r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"abc"]]}]}}"#,
            r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,1]]}]}}"#,
            r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"]]}]}} x"#,
            r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"]]}]},"stats":{}}"#,
            r#"{"status":"success","data":{"result":[],"resultType":"matrix"}}"#,
            r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"]]}"#,
        ] {
            assert!(!same(body), "{body}");
        }
    }
}
