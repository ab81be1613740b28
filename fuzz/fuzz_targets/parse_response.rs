//! `parseResponse` and the client's response handling on arbitrary bytes: never a panic, every
//! error one of the documented kinds, `maxBytes` always enforced, and the scanner's result or
//! error that of the serde reading, native histograms included.
#![no_main]

use kubeprom::client::{interpret, parse_query};
use kubeprom::response::{
    parse_query_response, parse_query_response_serde, parse_targets_response, QueryResult,
    ResponseError, ResultType, Series, DEFAULT_MAX_BYTES,
};
use libfuzzer_sys::fuzz_target;

/// Each series' histogram samples are its own, in order, and each is one of its samples too
/// (time and count), in one run before or after its float samples.
fn check_histograms(result: &QueryResult, series: &Series, next: &mut usize) {
    let h = &result.histograms;
    let own = series.histograms.clone();
    assert!(own.start == *next && own.start <= own.end && own.end <= h.len());
    *next = own.end;
    assert!(own.len() <= series.len());
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let (times, counts) = (
        bits(&h.timestamps()[own.clone()]),
        bits(&h.counts()[own.clone()]),
    );
    let (all_times, all_values) = (
        bits(result.timestamps_of(series)),
        bits(result.values_of(series)),
    );
    let n = own.len();
    let first = all_times[..n] == times[..] && all_values[..n] == counts[..];
    let tail = all_times.len() - n;
    let last = all_times[tail..] == times[..] && all_values[tail..] == counts[..];
    assert!(
        first || last,
        "histogram samples are samples of their series"
    );
    let buckets = h.bucket_range(own.clone());
    assert!(buckets.start <= buckets.end && buckets.end <= h.rules().len());
    for sample in own {
        assert_eq!(
            h.buckets(sample).count(),
            h.bucket_range(sample..sample + 1).len()
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let plain = parse_query_response_serde(data, DEFAULT_MAX_BYTES);
    match parse_query_response(data, DEFAULT_MAX_BYTES) {
        Ok(result) => {
            let unscanned = QueryResult {
                scanned: false,
                ..result.clone()
            };
            // Debug output compares NaN as NaN and keeps the sign of zero.
            assert_eq!(
                format!("{:?}", Ok::<_, &str>(&unscanned)),
                format!("{:?}", plain.as_ref().map_err(|_| "error")),
                "the scanner and the serde reading differ"
            );
            assert_eq!(result.timestamps.len(), result.values.len());
            let (mut next, mut next_histogram) = (0, 0);
            for series in &result.series {
                assert!(series.start == next && series.start <= series.end);
                next = series.end;
                check_histograms(&result, series, &mut next_histogram);
            }
            assert_eq!(
                next,
                result.values.len(),
                "the series cover every sample, in order"
            );
            assert_eq!(next_histogram, result.histograms.len());
            let buckets = result.histograms.bucket_ends().last().copied().unwrap_or(0);
            assert_eq!(buckets, result.histograms.rules().len());
            assert_eq!(buckets, result.histograms.bucket_counts().len());
            let ends = result.histograms.bucket_ends();
            assert!(
                ends.windows(2).all(|w| w[0] <= w[1]),
                "buckets in sample order"
            );
            if matches!(result.result_type, ResultType::Scalar | ResultType::String) {
                assert_eq!(result.series.len(), 1);
            }
            assert_eq!(
                result.string_value.is_some(),
                result.result_type == ResultType::String
            );
            // The same body one byte over the limit is refused before parsing.
            if !data.is_empty() {
                let err = parse_query_response(data, data.len() - 1).unwrap_err();
                assert!(matches!(err, ResponseError::TooLarge { .. }));
            }
        }
        Err(e) => {
            assert_eq!(Err(&e), plain.as_ref().map(|_| "ok"), "the errors differ");
            match e {
                ResponseError::Malformed { message } => assert!(!message.is_empty()),
                ResponseError::Prometheus { error_type, .. } => assert!(!error_type.is_empty()),
                ResponseError::TooLarge { .. } => unreachable!("within the default limit"),
            }
        }
    }
    if let Ok(targets) = parse_targets_response(data, DEFAULT_MAX_BYTES) {
        for t in targets {
            assert!(t.last_scrape.is_nan() || t.last_scrape.is_finite());
        }
    }
    // What the client does with the same body under any status and Retry-After.
    let status = u16::from(data.first().copied().unwrap_or(0)) * 3;
    let retry_after = std::str::from_utf8(data.get(1..4).unwrap_or_default()).ok();
    if let Err(e) = interpret(status, data, retry_after, DEFAULT_MAX_BYTES, parse_query) {
        assert!(!e.kind().is_empty());
        assert!(!e.to_string().is_empty());
        if (200..300).contains(&status) {
            assert_eq!(e.status(), Some(status));
        }
    }
});
