//! RFC 3339 timestamps (`metav1.Time`) to Unix seconds.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Parses an RFC 3339 date-time (`2023-12-05T15:42:03Z`, with optional fractional seconds and a
/// numeric offset) into Unix seconds.
///
/// Kubernetes writes `metav1.Time` as UTC with whole seconds; the rest of RFC 3339 is accepted
/// because other writers (proxies, test tools) produce it. The error string says what is wrong
/// and is meant to follow the field's path.
pub fn parse_rfc3339(text: &str) -> Result<f64, String> {
    match OffsetDateTime::parse(text, &Rfc3339) {
        // Whole seconds and nanoseconds are added separately so whole-second stamps stay exact.
        Ok(t) => Ok(t.unix_timestamp() as f64 + f64::from(t.nanosecond()) / 1e9),
        Err(e) => Err(format!("invalid RFC 3339 timestamp {text:?}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_form() {
        // 2023-12-05T15:42:03Z, from `date -u -d 2023-12-05T15:42:03Z +%s`.
        assert_eq!(parse_rfc3339("2023-12-05T15:42:03Z"), Ok(1_701_790_923.0));
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Ok(0.0));
        assert_eq!(parse_rfc3339("1969-12-31T23:59:59Z"), Ok(-1.0));
        // Leap day.
        assert_eq!(parse_rfc3339("2024-02-29T00:00:00Z"), Ok(1_709_164_800.0));
    }

    #[test]
    fn fractions_and_offsets() {
        assert_eq!(parse_rfc3339("2023-12-05T15:42:03.5Z"), Ok(1_701_790_923.5));
        assert_eq!(
            parse_rfc3339("2023-12-05T17:42:03+02:00"),
            Ok(1_701_790_923.0)
        );
        assert_eq!(
            parse_rfc3339("2023-12-05T10:12:03-05:30"),
            Ok(1_701_790_923.0)
        );
        let micro = parse_rfc3339("2023-12-05T15:42:03.123456Z").unwrap();
        assert!((micro - 1_701_790_923.123456).abs() < 1e-6);
        // RFC 3339 allows lower-case separators, and (its section 5.6 note) a space for `T`.
        assert_eq!(parse_rfc3339("2023-12-05t15:42:03z"), Ok(1_701_790_923.0));
        assert_eq!(parse_rfc3339("2023-12-05 15:42:03Z"), Ok(1_701_790_923.0));
    }

    #[test]
    fn rejects_non_rfc3339() {
        for bad in [
            "",
            "2023-12-05",
            "2023-12-05T15:42:03",
            "2023-13-05T15:42:03Z",
            "2023-02-30T15:42:03Z",
            "2023-12-05T24:00:00Z",
            "2023-12-05T15:42:03+25:00",
            "1701790923",
            "yesterday",
            "2023-12-05T15:42:03Zjunk",
        ] {
            let err = parse_rfc3339(bad).expect_err(bad);
            assert!(err.contains("invalid RFC 3339 timestamp"), "{err}");
        }
    }
}
