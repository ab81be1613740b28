//! Native histogram samples (`"histogram"` in a vector, `"histograms"` in a matrix), kept in
//! columns beside the float samples: per sample its time, count and sum, per bucket its
//! boundary rule, bounds and count, as Prometheus' API writes them (`count`, `sum` and each
//! bucket's bounds and count as strings, `"+Inf"`, `"-Inf"` and `"NaN"` included; buckets
//! with a count of zero left out, and `buckets` itself when none is left).

use std::ops::Range;

/// Which of its bounds a bucket includes: the API's `<boundary_rule>`, an integer 0 to 3.
///
/// With Prometheus' exponential schemas positive buckets are [`BoundaryRule::OpenLeft`],
/// negative ones [`BoundaryRule::OpenRight`] and the zero bucket (from minus to plus the zero
/// threshold) [`BoundaryRule::ClosedBoth`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum BoundaryRule {
    /// `0`, "open left": the lower bound is excluded, the upper one included.
    OpenLeft = 0,
    /// `1`, "open right": the lower bound is included, the upper one excluded.
    OpenRight = 1,
    /// `2`, "open both": both bounds are excluded.
    OpenBoth = 2,
    /// `3`, "closed both": both bounds are included.
    ClosedBoth = 3,
}

impl BoundaryRule {
    /// The integer the API writes for it.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// Whether an observation equal to the lower bound is in the bucket.
    pub const fn lower_inclusive(self) -> bool {
        matches!(self, Self::OpenRight | Self::ClosedBoth)
    }

    /// Whether an observation equal to the upper bound is in the bucket.
    pub const fn upper_inclusive(self) -> bool {
        matches!(self, Self::OpenLeft | Self::ClosedBoth)
    }

    /// Whether an observation `x` falls in a bucket from `lower` to `upper` under this rule
    /// (never for NaN, which compares with nothing).
    pub fn contains(self, lower: f64, upper: f64, x: f64) -> bool {
        let above = if self.lower_inclusive() {
            x >= lower
        } else {
            x > lower
        };
        let below = if self.upper_inclusive() {
            x <= upper
        } else {
            x < upper
        };
        above && below
    }
}

impl TryFrom<u64> for BoundaryRule {
    type Error = HistogramError;

    fn try_from(code: u64) -> Result<Self, Self::Error> {
        match code {
            0 => Ok(Self::OpenLeft),
            1 => Ok(Self::OpenRight),
            2 => Ok(Self::OpenBoth),
            3 => Ok(Self::ClosedBoth),
            _ => Err(HistogramError::UnknownBoundaryRule(code)),
        }
    }
}

/// Why a native histogram object cannot be read; a response holding one is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistogramError {
    /// A bucket's boundary rule is not one the API defines.
    #[error(
        "bucket boundary rule {0} is not 0 (open left), 1 (open right), 2 (open both) or 3 (closed both)"
    )]
    UnknownBoundaryRule(u64),
    /// A count, sum or bound is not a number as Prometheus writes one.
    #[error("histogram {field} {text:?} is not a number")]
    NotANumber {
        /// Which number: `count`, `sum`, `bucket lower bound`, `bucket upper bound` or
        /// `bucket count`.
        field: &'static str,
        /// The text found.
        text: String,
    },
}

/// `text` read as the number `field` of a histogram, as sample values are read.
pub(crate) fn parse_number(field: &'static str, text: &str) -> Result<f64, HistogramError> {
    super::parse_value(text).map_err(|_| HistogramError::NotANumber {
        field,
        text: text.to_owned(),
    })
}

/// One bucket of a native histogram sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// Which bounds it includes.
    pub rule: BoundaryRule,
    /// Its lower bound (`-Inf` for a custom-bucket histogram's first bucket).
    pub lower: f64,
    /// Its upper bound (`+Inf` for a custom-bucket histogram's last bucket).
    pub upper: f64,
    /// How many observations fell in it (not cumulative, unlike a classic `le` bucket).
    pub count: f64,
}

impl Bucket {
    /// A bucket as the API writes it: `[rule, "lower", "upper", "count"]`.
    pub fn parse(rule: u64, lower: &str, upper: &str, count: &str) -> Result<Self, HistogramError> {
        Ok(Bucket {
            rule: BoundaryRule::try_from(rule)?,
            lower: parse_number("bucket lower bound", lower)?,
            upper: parse_number("bucket upper bound", upper)?,
            count: parse_number("bucket count", count)?,
        })
    }
}

/// Native histogram samples in columns: per sample its time, count and sum and where its
/// buckets end; per bucket its rule, bounds and count. The columns only grow together
/// ([`Histograms::push_bucket`], then [`Histograms::push_sample`] for the sample they belong
/// to), so every sample's buckets are where its end says. Most results have none: then it
/// holds no columns at all, only an empty pointer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Histograms(Option<Box<Columns>>);

#[derive(Debug, Clone, Default, PartialEq)]
struct Columns {
    timestamps: Vec<f64>,
    counts: Vec<f64>,
    sums: Vec<f64>,
    /// One past each sample's last bucket; its first is the previous sample's end (0 first).
    bucket_ends: Vec<usize>,
    rules: Vec<BoundaryRule>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    bucket_counts: Vec<f64>,
}

impl Histograms {
    fn columns(&self) -> Option<&Columns> {
        self.0.as_deref()
    }

    fn columns_mut(&mut self) -> &mut Columns {
        self.0.get_or_insert_with(Box::default)
    }

    /// A column of every sample or bucket, empty when there are none.
    fn column<T>(&self, of: impl FnOnce(&Columns) -> &Vec<T>) -> &[T] {
        self.columns().map_or(&[], |c| of(c))
    }

    /// How many samples there are.
    pub fn len(&self) -> usize {
        self.timestamps().len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds a bucket to the sample being read (the next one pushed).
    pub fn push_bucket(&mut self, bucket: Bucket) {
        let c = self.columns_mut();
        c.rules.push(bucket.rule);
        c.lower.push(bucket.lower);
        c.upper.push(bucket.upper);
        c.bucket_counts.push(bucket.count);
    }

    /// Adds a sample, with the buckets pushed since the previous one.
    pub fn push_sample(&mut self, timestamp: f64, count: f64, sum: f64) {
        let c = self.columns_mut();
        c.timestamps.push(timestamp);
        c.counts.push(count);
        c.sums.push(sum);
        c.bucket_ends.push(c.rules.len());
    }

    /// Keeps the first `samples` samples and their buckets only (also dropping buckets pushed
    /// for a sample not pushed yet).
    pub fn truncate(&mut self, samples: usize) {
        if samples == 0 {
            self.0 = None;
            return;
        }
        let Some(c) = self.0.as_deref_mut() else {
            return;
        };
        c.timestamps.truncate(samples);
        c.counts.truncate(samples);
        c.sums.truncate(samples);
        c.bucket_ends.truncate(samples);
        let buckets = c.bucket_ends.last().copied().unwrap_or(0);
        c.rules.truncate(buckets);
        c.lower.truncate(buckets);
        c.upper.truncate(buckets);
        c.bucket_counts.truncate(buckets);
    }

    /// Adds every sample of `other`, after those there are.
    pub fn append(&mut self, other: &Histograms) {
        let Some(other) = other.columns().filter(|o| !o.timestamps.is_empty()) else {
            return;
        };
        let c = self.columns_mut();
        let offset = c.rules.len();
        c.timestamps.extend_from_slice(&other.timestamps);
        c.counts.extend_from_slice(&other.counts);
        c.sums.extend_from_slice(&other.sums);
        c.bucket_ends
            .extend(other.bucket_ends.iter().map(|end| end + offset));
        c.rules.extend_from_slice(&other.rules);
        c.lower.extend_from_slice(&other.lower);
        c.upper.extend_from_slice(&other.upper);
        c.bucket_counts.extend_from_slice(&other.bucket_counts);
    }

    /// Sample times in unix seconds.
    pub fn timestamps(&self) -> &[f64] {
        self.column(|c| &c.timestamps)
    }

    /// Sample counts of observations.
    pub fn counts(&self) -> &[f64] {
        self.column(|c| &c.counts)
    }

    /// Sample sums of observations.
    pub fn sums(&self) -> &[f64] {
        self.column(|c| &c.sums)
    }

    /// Per sample, one past its last bucket in the bucket columns.
    pub fn bucket_ends(&self) -> &[usize] {
        self.column(|c| &c.bucket_ends)
    }

    /// Every bucket's boundary rule.
    pub fn rules(&self) -> &[BoundaryRule] {
        self.column(|c| &c.rules)
    }

    /// Every bucket's lower bound.
    pub fn lower_bounds(&self) -> &[f64] {
        self.column(|c| &c.lower)
    }

    /// Every bucket's upper bound.
    pub fn upper_bounds(&self) -> &[f64] {
        self.column(|c| &c.upper)
    }

    /// Every bucket's count.
    pub fn bucket_counts(&self) -> &[f64] {
        self.column(|c| &c.bucket_counts)
    }

    /// Where the buckets of samples `samples` are in the bucket columns.
    pub fn bucket_range(&self, samples: Range<usize>) -> Range<usize> {
        let ends = self.bucket_ends();
        let end_of = |sample: usize| match sample.checked_sub(1) {
            Some(last) => ends.get(last).copied().unwrap_or(self.rules().len()),
            None => 0,
        };
        end_of(samples.start)..end_of(samples.end)
    }

    /// The buckets of sample `sample` (none past the last sample).
    pub fn buckets(&self, sample: usize) -> impl Iterator<Item = Bucket> + '_ {
        let range = if sample < self.len() {
            self.bucket_range(sample..sample + 1)
        } else {
            0..0
        };
        let (rules, lower, upper, counts) = (
            self.rules(),
            self.lower_bounds(),
            self.upper_bounds(),
            self.bucket_counts(),
        );
        range.map(move |at| Bucket {
            rule: rules[at],
            lower: lower[at],
            upper: upper[at],
            count: counts[at],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundary_rules_are_the_api_docs_ones() {
        let rules: Vec<BoundaryRule> = (0..4).map(|c| BoundaryRule::try_from(c).unwrap()).collect();
        assert_eq!(
            rules,
            [
                BoundaryRule::OpenLeft,
                BoundaryRule::OpenRight,
                BoundaryRule::OpenBoth,
                BoundaryRule::ClosedBoth
            ]
        );
        for (code, rule) in rules.iter().enumerate() {
            assert_eq!(usize::from(rule.code()), code);
        }
        // (lower included, upper included) for 0 "open left", 1 "open right", 2 "open both",
        // 3 "closed both".
        let bounds: Vec<(bool, bool)> = rules
            .iter()
            .map(|r| (r.lower_inclusive(), r.upper_inclusive()))
            .collect();
        assert_eq!(
            bounds,
            [(false, true), (true, false), (false, false), (true, true)]
        );
        for rule in rules {
            assert_eq!(rule.contains(1.0, 2.0, 1.0), rule.lower_inclusive());
            assert_eq!(rule.contains(1.0, 2.0, 2.0), rule.upper_inclusive());
            assert!(rule.contains(1.0, 2.0, 1.5));
            assert!(!rule.contains(1.0, 2.0, 0.5) && !rule.contains(1.0, 2.0, 2.5));
            assert!(!rule.contains(1.0, 2.0, f64::NAN));
            assert!(rule.contains(f64::NEG_INFINITY, f64::INFINITY, 1e308));
        }
    }

    #[test]
    fn unknown_boundary_rules_are_typed_errors() {
        for code in [4, 9, u64::MAX] {
            let err = BoundaryRule::try_from(code).unwrap_err();
            assert_eq!(err, HistogramError::UnknownBoundaryRule(code));
            assert!(err.to_string().contains(&code.to_string()), "{err}");
        }
        let err = parse_number("sum", "1,5").unwrap_err();
        assert_eq!(
            err,
            HistogramError::NotANumber {
                field: "sum",
                text: "1,5".into()
            }
        );
    }

    fn bucket(lower: f64, upper: f64, count: f64) -> Bucket {
        Bucket {
            rule: BoundaryRule::OpenLeft,
            lower,
            upper,
            count,
        }
    }

    #[test]
    fn samples_own_the_buckets_pushed_before_them() {
        let mut h = Histograms::default();
        h.push_bucket(bucket(0.0, 1.0, 2.0));
        h.push_bucket(bucket(1.0, 2.0, 3.0));
        h.push_sample(10.0, 5.0, 6.5);
        h.push_sample(20.0, 0.0, 0.0);
        h.push_bucket(bucket(2.0, 4.0, 1.0));
        h.push_sample(30.0, 1.0, 3.0);
        assert_eq!(h.len(), 3);
        assert_eq!(h.bucket_ends(), [2, 2, 3]);
        assert_eq!(
            h.buckets(0).map(|b| b.count).collect::<Vec<_>>(),
            [2.0, 3.0]
        );
        assert_eq!(h.buckets(1).count(), 0);
        assert_eq!(h.buckets(2).map(|b| b.upper).collect::<Vec<_>>(), [4.0]);
        assert_eq!(h.buckets(3).count(), 0);
        assert_eq!(h.bucket_range(1..3), 2..3);
        assert_eq!(h.bucket_range(0..0), 0..0);

        let mut joined = h.clone();
        joined.append(&h);
        assert_eq!(joined.bucket_ends(), [2, 2, 3, 5, 5, 6]);
        assert_eq!(
            joined.buckets(3).collect::<Vec<_>>(),
            h.buckets(0).collect::<Vec<_>>()
        );

        // Buckets of an unfinished sample go with the samples cut off.
        joined.push_bucket(bucket(9.0, 10.0, 1.0));
        joined.truncate(3);
        assert_eq!(joined, h);
        joined.truncate(0);
        assert_eq!(joined, Histograms::default());
    }
}
