//! PromQL durations such as `5m` or `1h30m`.

use std::fmt;

use super::QueryError;

/// A positive PromQL range duration, kept in milliseconds and written back in canonical form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PromDuration(u64);

const UNITS: [(&str, u64); 7] = [
    ("y", 365 * 24 * 3_600_000),
    ("w", 7 * 24 * 3_600_000),
    ("d", 24 * 3_600_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("s", 1_000),
    ("ms", 1),
];

impl PromDuration {
    /// Parses `text` (units y, w, d, h, m, s, ms, largest first, each at most once); `field`
    /// names the input in the error.
    pub fn parse(text: &str, field: &str) -> Result<Self, QueryError> {
        let invalid = |why: &str| {
            QueryError::invalid(field, format!("{text:?} is not a PromQL duration: {why}"))
        };
        if text.is_empty() {
            return Err(invalid("empty"));
        }
        let mut rest = text;
        let mut total: u64 = 0;
        let mut last_unit = usize::MAX;
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(invalid("expected a number such as 5m"));
            }
            let number: u64 = rest[..digits]
                .parse()
                .map_err(|_| invalid("number too large"))?;
            rest = &rest[digits..];
            // "ms" must be tried before "m".
            let unit = [6usize, 0, 1, 2, 3, 4, 5]
                .into_iter()
                .find(|&i| rest.starts_with(UNITS[i].0))
                .ok_or_else(|| invalid("unit must be one of y, w, d, h, m, s, ms"))?;
            if last_unit != usize::MAX && unit <= last_unit {
                return Err(invalid("units must go from largest to smallest, each once"));
            }
            last_unit = unit;
            rest = &rest[UNITS[unit].0.len()..];
            total = number
                .checked_mul(UNITS[unit].1)
                .and_then(|ms| total.checked_add(ms))
                .ok_or_else(|| invalid("too long"))?;
        }
        if total == 0 {
            return Err(invalid("must be longer than zero"));
        }
        Ok(Self(total))
    }

    /// A duration of `ms` milliseconds; zero is refused.
    pub fn from_millis(ms: u64) -> Option<Self> {
        (ms > 0).then_some(Self(ms))
    }

    /// Length in milliseconds.
    pub fn as_millis(self) -> u64 {
        self.0
    }

    /// Length in seconds.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }
}

impl fmt::Display for PromDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        for (unit, ms) in UNITS {
            if rest >= ms {
                write!(f, "{}{unit}", rest / ms)?;
                rest %= ms;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_canonically() {
        for (text, ms, canonical) in [
            ("5m", 300_000, "5m"),
            ("90s", 90_000, "1m30s"),
            ("1h30m", 5_400_000, "1h30m"),
            ("250ms", 250, "250ms"),
            ("1d", 86_400_000, "1d"),
            ("2w", 1_209_600_000, "2w"),
        ] {
            let d = PromDuration::parse(text, "window").unwrap();
            assert_eq!(d.as_millis(), ms);
            assert_eq!(d.to_string(), canonical);
        }
    }

    #[test]
    fn refuses_bad_durations() {
        for bad in [
            "",
            "5",
            "m",
            "5x",
            "0s",
            "1m1h",
            "1m1m",
            "-5m",
            "5 m",
            "99999999999999999999y",
        ] {
            let err = PromDuration::parse(bad, "window").unwrap_err();
            assert!(err.to_string().starts_with("window:"), "{err}");
        }
    }
}
