//! Unit conversion for displayed values.

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
}
