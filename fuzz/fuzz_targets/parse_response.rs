//! `parseResponse` and the client's response handling on arbitrary bytes: never a panic, every
//! error one of the documented kinds, and `maxBytes` always enforced.
#![no_main]

use kubeprom::client::{interpret, parse_query};
use kubeprom::response::{
    parse_query_response, parse_targets_response, ResponseError, ResultType, DEFAULT_MAX_BYTES,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match parse_query_response(data, DEFAULT_MAX_BYTES) {
        Ok(result) => {
            assert_eq!(result.timestamps.len(), result.values.len());
            let mut next = 0;
            for series in &result.series {
                assert!(series.start == next && series.start <= series.end);
                next = series.end;
            }
            assert_eq!(next, result.values.len(), "the series cover every sample, in order");
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
        Err(ResponseError::Malformed { message }) => assert!(!message.is_empty()),
        Err(ResponseError::Prometheus { error_type, .. }) => assert!(!error_type.is_empty()),
        Err(ResponseError::TooLarge { .. }) => unreachable!("within the default limit"),
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
