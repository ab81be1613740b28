//! Recommended values rounded up to quantities people write (`240m`, `464Mi`, `2Gi`).

use super::spec::MIB;

const GIB: f64 = 1024.0 * MIB;
/// Products such as `0.02 * 100` land a hair above the whole number they mean.
const SLACK: f64 = 1e-6;

/// Cores rounded up: to 10m below one core, to 100m from one core.
pub fn round_cpu(cores: f64) -> f64 {
    let millis = (cores * 1000.0 - SLACK).ceil().max(0.0);
    let step = if millis < 1000.0 { 10.0 } else { 100.0 };
    // `+ 0.0` turns the -0 that ceil gives just below zero into 0.
    ((millis / step - SLACK).ceil() * step) / 1000.0 + 0.0
}

/// Bytes rounded up: to 16Mi below 1Gi, to 128Mi from 1Gi.
pub fn round_memory(bytes: f64) -> f64 {
    let mib = (bytes / MIB - SLACK).ceil().max(0.0);
    let step = if mib < 1024.0 { 16.0 } else { 128.0 };
    (mib / step - SLACK).ceil() * step * MIB + 0.0
}

/// Cores as a Kubernetes quantity: whole cores plain (`2`), else millicores (`1500m`).
pub fn cpu_quantity(cores: f64) -> String {
    let millis = (cores * 1000.0).round();
    // `fract` rather than `%`: f64 remainder pulls libm's fmod into the wasm module.
    if (millis / 1000.0).fract() == 0.0 {
        format!("{}", millis / 1000.0)
    } else {
        format!("{millis}m")
    }
}

/// Bytes as a Kubernetes quantity: `Gi` when whole, else `Mi` when whole, else bytes.
pub fn memory_quantity(bytes: f64) -> String {
    let bytes = bytes.ceil();
    if (bytes / GIB).fract() == 0.0 && bytes > 0.0 {
        format!("{}Gi", bytes / GIB)
    } else if (bytes / MIB).fract() == 0.0 && bytes > 0.0 {
        format!("{}Mi", bytes / MIB)
    } else {
        format!("{bytes}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quantity::parse_quantity;

    #[test]
    fn rounds_up_to_steps_people_write() {
        for (cores, want) in [
            (0.0, "0"),
            (0.001, "10m"),
            (0.01, "10m"),
            (0.02, "20m"),
            (0.2312, "240m"),
            (0.25, "250m"),
            (0.991, "1"),
            (1.0, "1"),
            (1.01, "1100m"),
            (2.0, "2"),
            (12.34, "12400m"),
        ] {
            assert_eq!(cpu_quantity(round_cpu(cores)), want, "{cores} cores");
        }
        for (mib, want) in [
            (0.5, "16Mi"),
            (100.0, "112Mi"),
            (460.0, "464Mi"),
            (512.0, "512Mi"),
            (1000.0, "1008Mi"),
            (1024.0, "1Gi"),
            (1025.0, "1152Mi"),
            (2048.0, "2Gi"),
        ] {
            assert_eq!(memory_quantity(round_memory(mib * MIB)), want, "{mib}Mi");
        }
    }

    #[test]
    fn quantities_read_back_as_the_rounded_values_never_below_the_input() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..10_000 {
            // xorshift: a fixed sequence of values over many magnitudes.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = (x % 1_000_000_000) as f64 / 1000.0;
            let cores = v / 1000.0;
            let c = round_cpu(cores);
            assert!(c >= cores - 1e-9, "{cores} -> {c}");
            assert_eq!(parse_quantity(&cpu_quantity(c)).unwrap(), c, "{cores}");
            let bytes = v * 1000.0;
            let m = round_memory(bytes);
            assert!(m >= bytes, "{bytes} -> {m}");
            assert_eq!(parse_quantity(&memory_quantity(m)).unwrap(), m, "{bytes}");
        }
    }
}
