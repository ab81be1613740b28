//! Histograms with cumulative buckets, and exact quantiles of samples.

use serde::{Deserialize, Serialize};

use super::error::KueueError;

/// Upper bounds, in seconds, of the pending-age histogram (a final `+Inf` bucket is implied).
///
/// Queue waits run from seconds (an idle queue) to days (a saturated GPU queue), so the bounds
/// follow the units people reason in: 1 s, 5 s, 15 s, 30 s, 1 min, 2 min, 5 min, 10 min,
/// 30 min, 1 h, 2 h, 4 h, 8 h, 12 h, 1 day, 2 days, 4 days, 1 week. Eighteen bounds keep a
/// series per queue affordable; `histogram_quantile` interpolates inside them.
pub const WAIT_BUCKETS: [f64; 18] = [
    1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0, 14400.0, 28800.0,
    43200.0, 86400.0, 172_800.0, 345_600.0, 604_800.0,
];

/// One cumulative bucket: how many observations were `<= le`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    /// Upper bound (inclusive); `+Inf` for the last bucket. JSON has no infinity, so `null`
    /// is read as `+Inf` (serde_json writes `+Inf` as `null`).
    #[serde(deserialize_with = "number_or_null_as_inf")]
    pub le: f64,
    /// Observations `<= le`.
    pub count: u64,
}

fn number_or_null_as_inf<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::INFINITY))
}

/// A Prometheus-style histogram: finite, strictly increasing bucket bounds plus the implied
/// `+Inf` bucket, the number and the sum of the observations.
///
/// The fields are private so a histogram is always valid exposition: cumulative counts never
/// decrease and the `+Inf` bucket equals the count.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    /// Finite upper bounds, strictly increasing.
    bounds: Vec<f64>,
    /// Non-cumulative count per bucket; one more entry than `bounds` (the `+Inf` bucket).
    counts: Vec<u64>,
    sum: f64,
}

impl Histogram {
    /// An empty histogram with the given upper bounds (a trailing `+Inf` may be given or not).
    ///
    /// Errors with `invalid_argument` unless the bounds are strictly increasing and, but for
    /// that trailing `+Inf`, finite.
    pub fn new(bounds: &[f64]) -> Result<Self, KueueError> {
        let finite = match bounds.split_last() {
            Some((last, rest)) if *last == f64::INFINITY => rest,
            _ => bounds,
        };
        for (i, b) in finite.iter().enumerate() {
            if !b.is_finite() {
                return Err(KueueError::invalid_argument(
                    format!("buckets[{i}]"),
                    format!("bucket bound {b} is not finite (only the last may be +Inf)"),
                ));
            }
            if i > 0 && finite[i - 1] >= *b {
                return Err(KueueError::invalid_argument(
                    format!("buckets[{i}]"),
                    format!(
                        "bucket bounds must increase strictly, {} is followed by {b}",
                        finite[i - 1]
                    ),
                ));
            }
        }
        Ok(Histogram {
            bounds: finite.to_vec(),
            counts: vec![0; finite.len() + 1],
            sum: 0.0,
        })
    }

    /// An empty histogram with the [`WAIT_BUCKETS`] bounds.
    pub fn for_waits() -> Self {
        Histogram {
            bounds: WAIT_BUCKETS.to_vec(),
            counts: vec![0; WAIT_BUCKETS.len() + 1],
            sum: 0.0,
        }
    }

    /// Rebuilds a histogram from cumulative buckets (the last one `+Inf`) and a sum.
    ///
    /// Errors with `invalid_argument` when the buckets would not be valid exposition.
    pub fn from_cumulative(buckets: &[Bucket], sum: f64) -> Result<Self, KueueError> {
        match buckets.last() {
            Some(last) if last.le == f64::INFINITY => {}
            _ => {
                return Err(KueueError::invalid_argument(
                    "buckets",
                    "the last bucket must have le = +Inf",
                ))
            }
        }
        let bounds: Vec<f64> = buckets.iter().map(|b| b.le).collect();
        let mut hist = Histogram::new(&bounds)?;
        let mut previous = 0u64;
        for (i, b) in buckets.iter().enumerate() {
            if b.count < previous {
                return Err(KueueError::invalid_argument(
                    format!("buckets[{i}]"),
                    format!(
                        "cumulative counts must not decrease, {previous} is followed by {}",
                        b.count
                    ),
                ));
            }
            if let Some(c) = hist.counts.get_mut(i) {
                *c = b.count - previous;
            }
            previous = b.count;
        }
        hist.sum = sum;
        Ok(hist)
    }

    /// Counts one observation in the first bucket whose bound is `>= value` (NaN goes to
    /// `+Inf`, as in the Prometheus Go client).
    pub fn observe(&mut self, value: f64) {
        let i = if value.is_nan() {
            self.bounds.len()
        } else {
            self.bounds.partition_point(|b| *b < value)
        };
        if let Some(c) = self.counts.get_mut(i) {
            *c += 1;
        }
        self.sum += value;
    }

    /// Number of observations (the `+Inf` bucket's cumulative count).
    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Sum of the observations.
    pub fn sum(&self) -> f64 {
        self.sum
    }

    /// The cumulative buckets, the last one with `le = +Inf`.
    pub fn buckets(&self) -> Vec<Bucket> {
        let mut total = 0u64;
        self.counts
            .iter()
            .enumerate()
            .map(|(i, c)| {
                total += c;
                Bucket {
                    le: self.bounds.get(i).copied().unwrap_or(f64::INFINITY),
                    count: total,
                }
            })
            .collect()
    }
}

/// The `q`-quantile (0..=1) of samples in any order, interpolating linearly between the closest
/// ranks (numpy's default, R's type 7). NaN for no samples.
///
/// The two ranks are found by selection under `total_cmp`, a total order, so they are the bits
/// a sort would put there; the aggregation selects the same way, so the module has one
/// selection and no sort for this.
pub fn quantile(samples: &[f64], q: f64) -> f64 {
    let Some(last) = samples.len().checked_sub(1) else {
        return f64::NAN;
    };
    let rank = q.clamp(0.0, 1.0) * last as f64;
    let lo = (rank.floor() as usize).min(last);
    let mut scratch = samples.to_vec();
    let (_, &mut a, above) = scratch.select_nth_unstable_by(lo, f64::total_cmp);
    // The next rank is the least sample above `lo`; at the top it is `lo` itself.
    let b = above.iter().copied().min_by(f64::total_cmp).unwrap_or(a);
    let frac = rank - lo as f64;
    if frac == 0.0 {
        a
    } else {
        a + (b - a) * frac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_numpy_linear() {
        // numpy.percentile([1, 2, 3, 4], [0, 50, 95, 100]) == [1, 2.5, 3.85, 4]
        let s = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&s, 0.0), 1.0);
        assert_eq!(quantile(&s, 0.5), 2.5);
        assert!((quantile(&s, 0.95) - 3.85).abs() < 1e-12);
        assert_eq!(quantile(&s, 1.0), 4.0);
        assert_eq!(quantile(&[7.0], 0.95), 7.0);
        assert!(quantile(&[], 0.5).is_nan());
        // numpy.percentile([0, 10, 10, 1000, 5000], 95) == 4200
        let s = [0.0, 10.0, 10.0, 1000.0, 5000.0];
        assert!((quantile(&s, 0.95) - 4200.0).abs() < 1e-9);
        // Any order of the same samples: the same bits.
        let shuffled = [1000.0, 10.0, 5000.0, 0.0, 10.0];
        for q in [0.0, 0.25, 0.5, 0.95, 0.99, 1.0] {
            assert_eq!(
                quantile(&shuffled, q).to_bits(),
                quantile(&s, q).to_bits(),
                "{q}"
            );
        }
    }

    #[test]
    fn histogram_buckets_are_cumulative_and_inclusive() {
        let mut h = Histogram::new(&[1.0, 5.0]).unwrap();
        for v in [0.0, 1.0, 1.5, 5.0, 6.0, f64::NAN] {
            h.observe(v);
        }
        let b = h.buckets();
        assert_eq!(
            b.iter().map(|b| (b.le, b.count)).collect::<Vec<_>>(),
            vec![(1.0, 2), (5.0, 4), (f64::INFINITY, 6)]
        );
        assert_eq!(h.count(), 6);
        assert!(h.sum().is_nan());
        let round = Histogram::from_cumulative(&b, h.sum()).unwrap();
        assert_eq!(round.buckets(), b);
    }

    #[test]
    fn bad_bounds_are_invalid_arguments() {
        for bounds in [
            vec![1.0, 1.0],
            vec![5.0, 1.0],
            vec![f64::NAN],
            vec![f64::INFINITY, 1.0],
            vec![f64::NEG_INFINITY, 1.0],
        ] {
            let e = Histogram::new(&bounds).unwrap_err();
            assert_eq!(e.kind(), "invalid_argument", "{bounds:?}");
        }
        let no_inf = [Bucket { le: 1.0, count: 1 }];
        assert!(Histogram::from_cumulative(&no_inf, 1.0).is_err());
        let decreasing = [
            Bucket { le: 1.0, count: 2 },
            Bucket {
                le: f64::INFINITY,
                count: 1,
            },
        ];
        assert!(Histogram::from_cumulative(&decreasing, 1.0).is_err());
    }

    #[test]
    fn wait_buckets_are_valid() {
        assert_eq!(
            Histogram::new(&WAIT_BUCKETS).unwrap(),
            Histogram::for_waits()
        );
        assert_eq!(WAIT_BUCKETS[0], 1.0);
        assert_eq!(WAIT_BUCKETS[WAIT_BUCKETS.len() - 1], 7.0 * 86400.0);
    }
}
