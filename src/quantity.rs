//! Kubernetes resource quantities (`250m`, `1234567n`, `200Mi`, `1e3`), as the `metrics.k8s.io`
//! API reports pod usage and as requests and limits are written, read into their base unit
//! (cores for CPU, bytes for memory).
//!
//! The grammar is apimachinery's (`k8s.io/apimachinery/pkg/api/resource`):
//!
//! ```text
//! quantity        ::= signedNumber suffix
//! signedNumber    ::= [+-] number
//! number          ::= digits | digits "." digits | digits "." | "." digits
//! suffix          ::= binarySI | decimalExponent | decimalSI
//! binarySI        ::= Ki | Mi | Gi | Ti | Pi | Ei
//! decimalSI       ::= n | u | m | "" | k | M | G | T | P | E
//! decimalExponent ::= ("e" | "E") [+-] digits
//! ```
//!
//! `E` alone is exa; `E` followed by digits is an exponent.

/// A string that is not a Kubernetes quantity, or one too large for a double.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{input:?} is not a Kubernetes quantity: {reason}")]
pub struct QuantityError {
    /// The text that was given (cut to 64 characters).
    pub input: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl QuantityError {
    /// The `KubepromError` kind this error maps to.
    pub fn kind(&self) -> &'static str {
        "invalid_argument"
    }
}

/// The value of a Kubernetes quantity in its base unit.
///
/// Decimal scaling goes through one correctly rounded decimal-to-double conversion
/// (`1234567n` is exactly the double nearest 0.001234567), binary scaling is exact.
pub fn parse_quantity(text: &str) -> Result<f64, QuantityError> {
    let fail = |reason| QuantityError {
        input: text.chars().take(64).collect(),
        reason,
    };
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        Some(_) => (false, text),
        None => return Err(fail("empty")),
    };
    let number_len = unsigned
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'.')
        .count();
    let (number, suffix) = unsigned.split_at(number_len);
    let digits = number.bytes().filter(u8::is_ascii_digit).count();
    if digits == 0 || number.bytes().filter(|b| *b == b'.').count() > 1 {
        return Err(fail("expected a number such as 250, 0.5 or .5"));
    }
    let (power_of_ten, power_of_two) = match suffix {
        "Ki" => (0, 10),
        "Mi" => (0, 20),
        "Gi" => (0, 30),
        "Ti" => (0, 40),
        "Pi" => (0, 50),
        "Ei" => (0, 60),
        "n" => (-9, 0),
        "u" => (-6, 0),
        "m" => (-3, 0),
        "" => (0, 0),
        "k" => (3, 0),
        "M" => (6, 0),
        "G" => (9, 0),
        "T" => (12, 0),
        "P" => (15, 0),
        "E" => (18, 0),
        exponent if exponent.starts_with(['e', 'E']) => (exponent_value(&exponent[1..]).ok_or_else(|| {
            fail("expected a suffix (n, u, m, k, M, G, T, P, E, Ki ... Ei) or an exponent such as e3")
        })?, 0),
        _ => {
            return Err(fail(
                "expected a suffix (n, u, m, k, M, G, T, P, E, Ki ... Ei) or an exponent such as e3",
            ))
        }
    };
    // Rust's float parser takes "5." and ".5", and an exponent after either.
    let magnitude: f64 = format!("{number}e{power_of_ten}")
        .parse()
        .map_err(|_| fail("expected a number such as 250, 0.5 or .5"))?;
    // Powers of two are exact doubles, so binary scaling adds no rounding.
    let value = magnitude * 2f64.powi(power_of_two);
    if !value.is_finite() {
        return Err(fail("out of range"));
    }
    Ok(if negative { -value } else { value })
}

/// A signed decimal exponent, bounded far beyond what a double can scale to.
fn exponent_value(text: &str) -> Option<i32> {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    if unsigned.is_empty() || unsigned.len() > 6 || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_suffix_in_its_base_unit() {
        for (text, want) in [
            ("250m", 0.25),
            ("1234567n", 1234567.0 / 1e9),
            ("5u", 5.0 / 1e6),
            ("2", 2.0),
            ("1.5", 1.5),
            ("5.", 5.0),
            (".5", 0.5),
            ("+3k", 3000.0),
            ("-2M", -2_000_000.0),
            ("1G", 1e9),
            ("1T", 1e12),
            ("1P", 1e15),
            ("1E", 1e18),
            ("200Mi", 200.0 * 1_048_576.0),
            ("123456Ki", 123_456.0 * 1024.0),
            ("1Gi", 1_073_741_824.0),
            ("1Ti", 1_099_511_627_776.0),
            ("1Pi", 1_125_899_906_842_624.0),
            ("1Ei", 1_152_921_504_606_846_976.0),
            ("1.5Gi", 1.5 * 1_073_741_824.0),
            ("1e3", 1000.0),
            ("1E3", 1000.0),
            ("1e-3", 0.001),
            ("1E+3", 1000.0),
            ("209715200", 209_715_200.0),
        ] {
            assert_eq!(parse_quantity(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn decimal_scaling_is_correctly_rounded() {
        // 1234567 * 1e-9 is not the double nearest 0.001234567; the parse must be.
        assert_eq!(
            parse_quantity("1234567n").unwrap(),
            "0.001234567".parse::<f64>().unwrap()
        );
        assert_eq!(parse_quantity("100m").unwrap(), 0.1);
    }

    #[test]
    fn refuses_what_is_not_a_quantity() {
        for text in [
            "",
            "-",
            "+",
            ".",
            "m",
            "1.2.3",
            "1x",
            "1mi",
            "1KI",
            "1 Mi",
            " 1",
            "1e",
            "1e+",
            "1ee3",
            "1e3.5",
            "1e9999999",
            "0x10",
            "NaN",
            "inf",
            "1Mi2",
            "١٢",
        ] {
            let err = parse_quantity(text).unwrap_err();
            assert_eq!(err.kind(), "invalid_argument", "{text}");
        }
        assert_eq!(parse_quantity("1e400").unwrap_err().reason, "out of range");
        assert!(parse_quantity(&"9".repeat(400)).unwrap_err().input.len() <= 64);
    }
}
