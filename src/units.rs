//! Unit conversion for displayed values, and RFC 3339 timestamps.

use crate::query::QueryError;

/// A dimension of units that convert into each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    /// CPU: cores, millicores.
    Cpu,
    /// Sizes: bytes, KB..., KiB...
    Bytes,
    /// Throughput: bytes/s, KiB/s, ...
    BytesPerSecond,
    /// Time: seconds, ms, minutes, hours.
    Time,
    /// Fractions: ratio, percent.
    Ratio,
    /// Counts.
    Count,
    /// Operation rates.
    OpsPerSecond,
}

/// `(unit name, dimension, how many base units one of it is)`. The first unit of each
/// dimension is its base unit, the one Prometheus reports.
const UNITS: &[(&str, Dimension, f64)] = &[
    ("cores", Dimension::Cpu, 1.0),
    ("millicores", Dimension::Cpu, 1e-3),
    ("bytes", Dimension::Bytes, 1.0),
    ("KB", Dimension::Bytes, 1e3),
    ("MB", Dimension::Bytes, 1e6),
    ("GB", Dimension::Bytes, 1e9),
    ("TB", Dimension::Bytes, 1e12),
    ("KiB", Dimension::Bytes, 1024.0),
    ("MiB", Dimension::Bytes, 1_048_576.0),
    ("GiB", Dimension::Bytes, 1_073_741_824.0),
    ("TiB", Dimension::Bytes, 1_099_511_627_776.0),
    ("bytes/s", Dimension::BytesPerSecond, 1.0),
    ("KB/s", Dimension::BytesPerSecond, 1e3),
    ("MB/s", Dimension::BytesPerSecond, 1e6),
    ("GB/s", Dimension::BytesPerSecond, 1e9),
    ("KiB/s", Dimension::BytesPerSecond, 1024.0),
    ("MiB/s", Dimension::BytesPerSecond, 1_048_576.0),
    ("GiB/s", Dimension::BytesPerSecond, 1_073_741_824.0),
    ("bits/s", Dimension::BytesPerSecond, 0.125),
    ("seconds", Dimension::Time, 1.0),
    ("ms", Dimension::Time, 1e-3),
    ("minutes", Dimension::Time, 60.0),
    ("hours", Dimension::Time, 3600.0),
    ("ratio", Dimension::Ratio, 1.0),
    ("percent", Dimension::Ratio, 0.01),
    ("count", Dimension::Count, 1.0),
    ("ops/s", Dimension::OpsPerSecond, 1.0),
];

/// A known unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnitInfo {
    /// Its name.
    pub name: &'static str,
    /// Its dimension.
    pub dimension: Dimension,
    /// Base units in one of it.
    pub factor: f64,
}

/// Looks a unit up by name; `field` names the input in the error.
pub fn unit(name: &str, field: &str) -> Result<UnitInfo, QueryError> {
    UNITS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|&(name, dimension, factor)| UnitInfo {
            name,
            dimension,
            factor,
        })
        .ok_or_else(|| {
            let known: Vec<&str> = UNITS.iter().map(|(n, _, _)| *n).collect();
            QueryError::invalid(
                field,
                format!("unknown unit {name:?}; known: {}", known.join(", ")),
            )
        })
}

/// The base unit of a dimension.
pub fn base_unit(dimension: Dimension) -> UnitInfo {
    UNITS
        .iter()
        .find(|(_, d, _)| *d == dimension)
        .map(|&(name, dimension, factor)| UnitInfo {
            name,
            dimension,
            factor,
        })
        .unwrap_or(UnitInfo {
            name: "",
            dimension,
            factor: 1.0,
        })
}

/// A conversion from one unit to another of the same dimension.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Conversion {
    /// Multiply source values by this.
    pub factor: f64,
    /// Name of the target unit.
    pub unit: &'static str,
}

/// Plans converting values in `source` (default: the base unit of `target`'s dimension) to `target`.
pub fn conversion(source: Option<&str>, target: Option<&str>) -> Result<Conversion, QueryError> {
    match (source, target) {
        (None, None) => Ok(Conversion {
            factor: 1.0,
            unit: "",
        }),
        (Some(source), None) => {
            let from = unit(source, "sourceUnit")?;
            Ok(Conversion {
                factor: 1.0,
                unit: from.name,
            })
        }
        (source, Some(target)) => {
            let to = unit(target, "unit")?;
            let from = match source {
                Some(source) => unit(source, "sourceUnit")?,
                None => base_unit(to.dimension),
            };
            if from.dimension != to.dimension {
                return Err(QueryError::invalid(
                    "unit",
                    format!("cannot convert {} to {}", from.name, to.name),
                ));
            }
            Ok(Conversion {
                factor: from.factor / to.factor,
                unit: to.name,
            })
        }
    }
}

/// Parses an RFC 3339 timestamp (`2026-01-01T00:00:00Z`, fractions and offsets allowed) to unix
/// seconds. `None` for anything else.
pub fn parse_rfc3339(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        let s = b.get(range)?;
        if s.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(s).ok()?.parse().ok()
        } else {
            None
        }
    };
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [
        31,
        if leap(year) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&month)
        || day < 1
        || day > month_days[(month - 1) as usize]
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &text[19..];
    let mut fraction = 0.0;
    if let Some(after_dot) = rest.strip_prefix('.') {
        let n = after_dot.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        fraction = format!("0.{}", &after_dot[..n]).parse().ok()?;
        rest = &after_dot[n..];
    }
    let offset_seconds = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = std::str::from_utf8(&[*h1, *h2]).ok()?.parse::<i64>().ok()?;
            let minutes = std::str::from_utf8(&[*m1, *m2]).ok()?.parse::<i64>().ok()?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let total = hours * 3600 + minutes * 60;
            if *sign == b'+' {
                total
            } else {
                -total
            }
        }
        _ => return None,
    };
    // Days from 1970-01-01 to the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    Some(seconds as f64 + fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_within_a_dimension() {
        assert_eq!(
            conversion(None, Some("millicores")).unwrap(),
            Conversion {
                factor: 1000.0,
                unit: "millicores"
            }
        );
        assert_eq!(
            conversion(None, Some("MiB")).unwrap().factor,
            1.0 / 1_048_576.0
        );
        assert_eq!(conversion(Some("MiB"), Some("KiB")).unwrap().factor, 1024.0);
        assert_eq!(conversion(None, Some("percent")).unwrap().factor, 100.0);
        assert!(conversion(Some("bytes"), Some("cores")).is_err());
        assert_eq!(
            conversion(None, Some("furlongs")).unwrap_err().kind(),
            "invalid_argument"
        );
    }

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(parse_rfc3339("2026-01-01T00:00:00Z"), Some(1_767_225_600.0));
        assert_eq!(
            parse_rfc3339("2024-02-29T12:00:00.25+01:00"),
            Some(1_709_204_400.25)
        );
        assert_eq!(
            parse_rfc3339("2017-01-17T15:07:44.723715405-02:30"),
            Some(1_484_674_664.723_715_4)
        );
        for bad in [
            "",
            "2026-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2026-01-01 00:00:00",
            "2026-01-01T00:00:00",
            "0001-01-01T00:00:00Zjunk",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }
}
