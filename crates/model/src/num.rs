//! Numbers read from text and written as text, for code that runs in the designer.
//!
//! Why not `str::parse::<f64>` and `{}`/`{:.N}` on an f64: the designer's wasm is held to a size
//! budget, and core's float parser carries a 10 KB table of powers of five that does not
//! compress, while serde_json's parser (with `float_roundtrip`, correctly rounded too) is there
//! anyway for reading JSON. Core's float *formatting* stays (serde's error messages use it), but
//! each use of the designer's own added code around it (leptos' rendering of `f64` attributes,
//! float `Debug` through `f64::clamp`'s assertion): 5.5 KB of wasm together. The tests compare
//! every function here with core's on many numbers.

/// `text` as the nearest `f64`: an optional sign, digits with an optional `.` (`7.`, `.5`), and an
/// optional exponent, as YAML, ISO-8601 durations and HTML number inputs write them. `None` for
/// anything else, and for numbers too large for an `f64`.
pub fn parse_f64(text: &str) -> Option<f64> {
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() && frac.is_empty() || !digits(int) || !digits(frac) {
        return None;
    }
    // JSON's spelling of the same number: no `+`, no leading zeros, digits on both sides of `.`.
    let mut json = String::with_capacity(text.len() + 2);
    if negative {
        json.push('-');
    }
    let int = int.trim_start_matches('0');
    json.push_str(if int.is_empty() { "0" } else { int });
    if !frac.is_empty() {
        json.push('.');
        json.push_str(frac);
    }
    if let Some(exp) = exponent {
        let exp_digits = exp.strip_prefix(['-', '+']).unwrap_or(exp);
        if exp_digits.is_empty() || !digits(exp_digits) {
            return None;
        }
        json.push('e');
        json.push_str(exp);
    }
    serde_json::from_str(&json).ok()
}

#[cfg(test)]
mod tests {
    use super::parse_f64;
    use proptest::prelude::*;

    #[test]
    fn reads_what_people_write() {
        for (text, want) in [
            ("0", 0.0),
            ("-0", -0.0),
            ("1.5", 1.5),
            ("+2", 2.0),
            ("007.25", 7.25),
            (".5", 0.5),
            ("-.5", -0.5),
            ("7.", 7.0),
            ("1e3", 1000.0),
            ("1E-2", 0.01),
            ("2.5e+2", 250.0),
            ("0.1", 0.1),
            ("123456789012345678901234567890", 1.2345678901234568e29),
            ("2.2250738585072011e-308", 2.225073858507201e-308),
        ] {
            assert_eq!(parse_f64(text), Some(want), "{text}");
            assert_eq!(
                parse_f64(text).map(f64::to_bits),
                Some(want.to_bits()),
                "{text}"
            );
        }
        for text in [
            "", "-", ".", "e5", "1e", "1e+", "1.2.3", "1,5", "0x10", "inf", "NaN", " 1", "1 ",
            "1e400", "--1",
        ] {
            assert_eq!(parse_f64(text), None, "{text:?}");
        }
    }

    proptest! {
        /// Every `f64` written shortest, in exponent form, and with many digits reads back as core
        /// reads it: bit for bit.
        #[test]
        fn agrees_with_core(bits in any::<u64>(), digits in "[0-9]{1,25}", frac in "[0-9]{0,25}", exp in -330i32..330) {
            let x = f64::from_bits(bits);
            if x.is_finite() {
                for text in [format!("{x}"), format!("{x:e}"), format!("{x:.20e}")] {
                    prop_assert_eq!(parse_f64(&text).map(f64::to_bits), Some(x.to_bits()), "{}", text);
                }
            }
            let text = format!("{digits}.{frac}e{exp}");
            let core = text.parse::<f64>().ok().filter(|v| v.is_finite());
            prop_assert_eq!(parse_f64(&text).map(f64::to_bits), core.map(f64::to_bits), "{}", text);
        }
    }
}

/// `x` written with `decimals` digits after the point, as `{:.N}` writes it (ties to even), for
/// coordinates and durations in SVG, CSS and labels. Magnitudes beyond 2^63 / 10^N saturate.
#[derive(Clone, Copy, Debug)]
pub struct Fixed(pub f64, pub u8);

impl std::fmt::Display for Fixed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Fixed(x, decimals) = *self;
        let scale = 10u64.pow(u32::from(decimals.min(9)));
        let scaled = (x * scale as f64).round_ties_even();
        let n = scaled.abs() as u64;
        // `{:.1}` writes -0.04 as "-0.0": the sign of the number, not of its rounding.
        if x.is_sign_negative() && !x.is_nan() {
            f.write_str("-")?;
        }
        write!(f, "{}", n / scale)?;
        if decimals > 0 {
            write!(
                f,
                ".{:0width$}",
                n % scale,
                width = usize::from(decimals.min(9))
            )?;
        }
        Ok(())
    }
}

/// `x` as `{}` writes it: the fewest digits that read back to `x`, in plain decimal notation
/// (the digits from zmij, which serde_json writes numbers with).
#[derive(Clone, Copy, Debug)]
pub struct Shortest(pub f64);

impl std::fmt::Display for Shortest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let x = self.0;
        if x.fract() == 0.0 && x.abs() < 9e15 {
            if x == 0.0 && x.is_sign_negative() {
                return f.write_str("-0");
            }
            // Exact: an integral f64 below 2^53 is the integer it prints as.
            return write!(f, "{}", x as i64);
        }
        let mut buffer = zmij::Buffer::new();
        let text = buffer.format(x);
        let Some((mantissa, exp)) = text.split_once('e') else {
            return f.write_str(text.strip_suffix(".0").unwrap_or(text));
        };
        // zmij writes `1e-7` and `1.5e20` where `{}` writes every digit out.
        let (sign, mantissa) = match mantissa.strip_prefix('-') {
            Some(m) => ("-", m),
            None => ("", mantissa),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = format!("{int}{frac}");
        let point = int.len() as i64 + exp.parse::<i64>().unwrap_or(0);
        f.write_str(sign)?;
        if point <= 0 {
            f.write_str("0.")?;
            for _ in 0..-point {
                f.write_str("0")?;
            }
            f.write_str(&digits)
        } else if point as usize >= digits.len() {
            f.write_str(&digits)?;
            for _ in digits.len()..point as usize {
                f.write_str("0")?;
            }
            Ok(())
        } else {
            let (a, b) = digits.split_at(point as usize);
            write!(f, "{a}.{b}")
        }
    }
}

/// `x` within `lo..=hi`, as `f64::clamp` (`lo` when `lo > hi`, where `clamp` panics, formatting
/// the bounds with `Debug`).
pub fn clamp(x: f64, lo: f64, hi: f64) -> f64 {
    x.min(hi).max(lo)
}

/// `x` as text for an SVG or CSS attribute: [`Shortest`].
pub fn text(x: f64) -> String {
    Shortest(x).to_string()
}

#[cfg(test)]
mod fixed_tests {
    use super::{Fixed, Shortest};
    use proptest::prelude::*;

    #[test]
    fn writes_as_core_does() {
        for (x, d, want) in [
            (0.0, 1, "0.0"),
            (12.0, 1, "12.0"),
            (-3.25, 2, "-3.25"),
            (1234.56, 0, "1235"),
            (-0.04, 1, "-0.0"),
            (0.5, 0, "0"),
            (1.5, 0, "2"),
            (1.0, 3, "1.000"),
            (0.999, 2, "1.00"),
        ] {
            assert_eq!(Fixed(x, d).to_string(), want, "{x} to {d}");
            assert_eq!(
                format!("{x:.*}", usize::from(d)),
                want,
                "core writes {x} to {d}"
            );
        }
    }

    #[test]
    fn clamps_as_core_does() {
        for (x, lo, hi) in [
            (5.0, 0.0, 1.0),
            (-1.0, 0.0, 1.0),
            (0.5, 0.0, 1.0),
            (2.0, 0.1, 3.0),
        ] {
            assert_eq!(super::clamp(x, lo, hi), x.clamp(lo, hi));
        }
        assert_eq!(super::clamp(5.0, 2.0, 1.0), 2.0);
    }

    #[test]
    fn shortest_writes_as_core_does() {
        for x in [
            0.0,
            -0.0,
            1.0,
            -12.0,
            0.5,
            123.45,
            1.0 / 3.0,
            2147483647.0,
            -9223372036854775808.0,
            1e15,
            0.001,
            1e-9,
            -1.5e-7,
            1.5e20,
            1e300,
            f64::MAX,
            5e-324,
        ] {
            assert_eq!(Shortest(x).to_string(), format!("{x}"), "{x}");
        }
        assert_eq!(Shortest(f64::NAN).to_string(), "NaN");
        assert_eq!(Shortest(f64::NEG_INFINITY).to_string(), "-inf");
    }

    proptest! {
        /// Any f64 is written as core writes it.
        #[test]
        fn shortest_agrees_with_core(bits in any::<u64>(), x in -1.0e9f64..1.0e9) {
            let y = f64::from_bits(bits);
            prop_assert_eq!(Shortest(x).to_string(), format!("{x}"));
            prop_assert_eq!(Shortest(y).to_string(), format!("{y}"));
        }

        /// Coordinates as the canvas has them (within ±10^7 px, 0 to 3 decimals) are written as
        /// core writes them, except where `x·10^N` lands within a rounding error of a tie.
        #[test]
        fn agrees_with_core_on_coordinates(x in -1.0e7f64..1.0e7, d in 0u8..4) {
            let scaled = x * 10f64.powi(i32::from(d));
            prop_assume!((scaled.fract().abs() - 0.5).abs() > 1e-6);
            prop_assert_eq!(Fixed(x, d).to_string(), format!("{x:.*}", usize::from(d)));
        }
    }
}
