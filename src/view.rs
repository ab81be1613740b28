//! Text for values, as both plugins and the demo show them: one set of rules, so a pod reads the
//! same in Headlamp and in Grafana.
//!
//! - CPU as `kubectl top` writes it: whole millicores (`250m`, `1500m`) up to ten cores, then
//!   cores (`12.5 cores`), where millicores stop being readable.
//! - Sizes and throughput in binary units, scaled to the largest unit that keeps the number at
//!   one or more (`250 MiB`, `11.7 GiB`, `1.2 MiB/s`), as Kubernetes' memory quantities are.
//! - Rates per second, always (`0.5/s`): one convention however a query's window was written.
//! - Durations in two units at most (`42s`, `1m 15s`, `1h 5m`, `2d 3h`), fractions of a second
//!   in milliseconds (`250ms`).
//! - Ratios as percentages (`12.5%`); counts as integers when they are.
//! - Numbers with three significant digits, whole from 100 up; no data (NaN) as `—`.

use crate::units::{self, Dimension};

/// What NaN, the absence of a value, is shown as.
pub const NO_VALUE: &str = "—";

/// Text for `value` given in `unit` (any unit of [`crate::units`], or another name, which is
/// written after the number as it is; an empty unit writes the number alone).
pub fn format_value(value: f64, unit: &str) -> String {
    if let Some(text) = special(value) {
        return text;
    }
    let Ok(info) = units::unit(unit, "unit") else {
        let n = format_number(value);
        return if unit.is_empty() {
            n
        } else {
            format!("{n} {unit}")
        };
    };
    let base = value * info.factor;
    match info.dimension {
        Dimension::Cpu => format_cores(base),
        Dimension::Bytes => binary(base, &["B", "KiB", "MiB", "GiB", "TiB", "PiB"]),
        Dimension::BytesPerSecond => {
            binary(base, &["B/s", "KiB/s", "MiB/s", "GiB/s", "TiB/s", "PiB/s"])
        }
        Dimension::Time => format_duration(base),
        Dimension::Ratio => format!("{}%", format_number(base * 100.0)),
        Dimension::Count => format_number(base),
        Dimension::OpsPerSecond => format!("{}/s", format_number(base)),
    }
}

/// A duration of `seconds` in at most two units: `250ms`, `42s`, `1m 15s`, `1h 5m`, `2d 3h`.
pub fn format_duration(seconds: f64) -> String {
    if let Some(text) = special(seconds) {
        return text;
    }
    let sign = if seconds < 0.0 { "-" } else { "" };
    let abs = seconds.abs();
    if abs < 1.0 && abs > 0.0 {
        return format!("{sign}{}ms", format_number(abs * 1000.0));
    }
    if abs < 60.0 {
        return format!("{sign}{}s", format_number(abs));
    }
    // Whole seconds from a minute up; the two largest non-zero units.
    let total = abs.round();
    const STEPS: [(&str, f64); 4] = [("d", 86_400.0), ("h", 3_600.0), ("m", 60.0), ("s", 1.0)];
    let Some(first) = STEPS.iter().position(|&(_, size)| total >= size) else {
        return format!("{sign}0s");
    };
    let (unit, size) = STEPS[first];
    let whole = (total / size).floor();
    let mut text = format!("{sign}{whole}{unit}");
    if let Some(&(next_unit, next_size)) = STEPS.get(first + 1) {
        let rest = ((total - whole * size) / next_size).floor();
        if rest > 0.0 {
            text += &format!(" {rest}{next_unit}");
        }
    }
    text
}

/// `value` with three significant digits below 100 and whole from 100 up, without trailing
/// zeros: `0.0125`, `2.5`, `42.1`, `250`, `12000`.
pub fn format_number(value: f64) -> String {
    if let Some(text) = special(value) {
        return text;
    }
    let abs = value.abs();
    let decimals = if abs >= 100.0 || abs == 0.0 {
        0
    } else {
        // 2 decimals in [1, 10), 1 in [10, 100), 3 in [0.1, 1), and so on down, at most 9.
        let magnitude = abs.log10().floor() as i32;
        (2 - magnitude).clamp(0, 9) as usize
    };
    let text = format!("{value:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    };
    // -0.0001 rounded to three significant digits is still non-zero; only an exact zero or a
    // rounding to zero of a negative value can read "-0".
    if text == "-0" {
        "0".to_owned()
    } else {
        text
    }
}

/// CPU in cores as `kubectl top` writes it, then in cores from ten up.
fn format_cores(cores: f64) -> String {
    if cores.abs() >= 10.0 {
        let n = format_number(cores);
        return format!("{n} cores");
    }
    let millicores = (cores * 1000.0).round();
    // Below half a millicore a pod is idle, not at 0m; keep the digits that show it is busy.
    if millicores == 0.0 && cores != 0.0 {
        return format!("{}m", format_number(cores * 1000.0));
    }
    format!("{}m", format_number(millicores))
}

/// `value` scaled by 1024 to the largest of `names` that keeps it at one or more.
fn binary(value: f64, names: &[&str]) -> String {
    let mut scaled = value;
    let mut at = 0;
    while scaled.abs() >= 1024.0 && at + 1 < names.len() {
        scaled /= 1024.0;
        at += 1;
    }
    // Rounding may carry to 1024 (1023.9 MiB reads "1024 MiB"): show the next unit instead.
    if format_number(scaled).trim_start_matches('-') == "1024" && at + 1 < names.len() {
        scaled /= 1024.0;
        at += 1;
    }
    format!("{} {}", format_number(scaled), names[at])
}

/// The text of NaN and the infinities, which no unit changes.
fn special(value: f64) -> Option<String> {
    if value.is_nan() {
        Some(NO_VALUE.to_owned())
    } else if value.is_infinite() {
        Some(if value > 0.0 { "+Inf" } else { "-Inf" }.to_owned())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_reads_as_kubectl_top_writes_it() {
        assert_eq!(format_value(0.25, "cores"), "250m");
        assert_eq!(format_value(250.0, "millicores"), "250m");
        assert_eq!(format_value(1.5, "cores"), "1500m");
        assert_eq!(format_value(0.0, "cores"), "0m");
        assert_eq!(format_value(0.0001, "cores"), "0.1m", "busy, not zero");
        assert_eq!(format_value(12.5, "cores"), "12.5 cores");
        assert_eq!(format_value(12_000.0, "millicores"), "12 cores");
    }

    #[test]
    fn sizes_scale_in_binary_units() {
        assert_eq!(format_value(12_000.0, "MiB"), "11.7 GiB");
        assert_eq!(format_value(250.0, "MiB"), "250 MiB");
        assert_eq!(format_value(512.0, "bytes"), "512 B");
        assert_eq!(format_value(1536.0, "bytes"), "1.5 KiB");
        assert_eq!(format_value(1.0, "GB"), "954 MiB");
        assert_eq!(
            format_value(1023.9, "MiB"),
            "1 GiB",
            "no 1024 MiB after rounding"
        );
        assert_eq!(format_value(-2048.0, "KiB"), "-2 MiB");
        assert_eq!(format_value(1_258_291.2, "bytes/s"), "1.2 MiB/s");
        assert_eq!(format_value(8.0, "bits/s"), "1 B/s");
    }

    #[test]
    fn rates_are_per_second_and_durations_use_two_units() {
        assert_eq!(format_value(0.5, "ops/s"), "0.5/s");
        assert_eq!(format_value(0.25, "ops/s"), "0.25/s");
        assert_eq!(format_value(75.0, "seconds"), "1m 15s");
        assert_eq!(format_value(3600.0, "seconds"), "1h");
        assert_eq!(format_value(3_900.0, "seconds"), "1h 5m");
        assert_eq!(format_value(183_600.0, "seconds"), "2d 3h");
        assert_eq!(format_value(0.25, "seconds"), "250ms");
        assert_eq!(format_value(250.0, "ms"), "250ms");
        assert_eq!(format_value(42.0, "seconds"), "42s");
        assert_eq!(format_value(2.5, "minutes"), "2m 30s");
        assert_eq!(format_duration(59.96), "60s");
        assert_eq!(format_duration(0.0), "0s");
        assert_eq!(format_duration(-90.0), "-1m 30s");
    }

    #[test]
    fn ratios_counts_and_other_units() {
        assert_eq!(format_value(0.125, "ratio"), "12.5%");
        assert_eq!(format_value(50.0, "percent"), "50%");
        assert_eq!(format_value(3.0, "count"), "3");
        assert_eq!(format_value(2.5, "count"), "2.5");
        assert_eq!(format_value(7.0, ""), "7");
        assert_eq!(format_value(7.0, "parsecs"), "7 parsecs");
    }

    #[test]
    fn no_value_and_infinities() {
        for unit in ["cores", "MiB", "seconds", "ops/s", "", "parsecs"] {
            assert_eq!(format_value(f64::NAN, unit), "—");
            assert_eq!(format_value(f64::INFINITY, unit), "+Inf");
            assert_eq!(format_value(f64::NEG_INFINITY, unit), "-Inf");
        }
    }

    #[test]
    fn numbers_keep_three_significant_digits() {
        assert_eq!(format_number(0.0125), "0.0125");
        assert_eq!(format_number(2.5), "2.5");
        assert_eq!(format_number(42.123), "42.1");
        assert_eq!(format_number(99.96), "100");
        assert_eq!(format_number(250.4), "250");
        assert_eq!(format_number(12_000.0), "12000");
        assert_eq!(format_number(-0.00001), "-0.00001");
        assert_eq!(format_number(1e-12), "0");
        assert_eq!(format_number(-1e-12), "0");
        assert_eq!(format_number(0.0), "0");
    }
}
