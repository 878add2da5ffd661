//! Plain text the SDK reads and writes: numbers here; HTTP dates in `date`, a server's text
//! cleaned into a message in `clean`. Without core's float formatting and parsing, which cost
//! about 40 KB of wasm (code plus the Grisu/Dragon and power-of-five tables) for a few digits.

mod clean;
mod date;

pub use clean::MAX_MESSAGE_CHARS;
pub(crate) use clean::{clip, compose, find, tail};
pub use date::{parse_http_date, utc, Utc};

use std::fmt;

/// Displays a finite f64 with at most 3 decimals, trailing zeros trimmed (`2`, `2.5`, `0.125`).
#[derive(Clone, Copy, Debug)]
pub struct Num(pub f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        if !v.is_finite() {
            return f.write_str(if v.is_nan() {
                "NaN"
            } else if v > 0.0 {
                "Infinity"
            } else {
                "-Infinity"
            });
        }
        if v.abs() >= 1e15 {
            return f.write_str(if v > 0.0 { ">1e15" } else { "<-1e15" });
        }
        let milli = (v.abs() * 1000.0).round() as u64;
        let (whole, mut frac) = (milli / 1000, milli % 1000);
        if v < 0.0 && milli > 0 {
            f.write_str("-")?;
        }
        write!(f, "{whole}")?;
        if frac > 0 {
            let mut digits = 3;
            while frac % 10 == 0 {
                frac /= 10;
                digits -= 1;
            }
            write!(f, ".{frac:0digits$}")?;
        }
        Ok(())
    }
}

/// Parses `123`, `-4`, `12.5` or `.5` (no exponent, no `inf`/`nan`); `None` for anything else.
pub fn parse_decimal(s: &str) -> Option<f64> {
    let s = s.trim();
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && frac.is_empty()) || !all_digits(whole) || !all_digits(frac) {
        return None;
    }
    let mut value = whole.bytes().fold(0.0, |acc, b| acc * 10.0 + f64::from(b - b'0'));
    let mut scale = 0.1;
    for b in frac.bytes().take(17) {
        value += f64::from(b - b'0') * scale;
        scale /= 10.0;
    }
    Some(if negative { -value } else { value })
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn numbers_display_briefly() {
        for (v, s) in [
            (2.0, "2"),
            (2.5, "2.5"),
            (0.125, "0.125"),
            (60.0004, "60"),
            (-1.5, "-1.5"),
            (-0.0001, "0"),
            (25_000_000.0, "25000000"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (1e300, ">1e15"),
            (2.05, "2.05"),
        ] {
            assert_eq!(Num(v).to_string(), s, "{v:?}");
        }
    }

    #[test]
    fn decimals_parse_strictly() {
        for (s, v) in [
            ("120", Some(120.0)),
            (" 7 ", Some(7.0)),
            ("12.5", Some(12.5)),
            (".5", Some(0.5)),
            ("-3", Some(-3.0)),
            ("+4", Some(4.0)),
            ("3600.0", Some(3600.0)),
            ("", None),
            (".", None),
            ("1e3", None),
            ("inf", None),
            ("NaN", None),
            ("1.2.3", None),
            ("12a", None),
        ] {
            assert_eq!(parse_decimal(s), v, "{s:?}");
        }
        // Huge values stay huge (callers clamp them), within float rounding.
        let huge = parse_decimal("99999999999999999999").unwrap();
        assert!((huge / 1e20 - 1.0).abs() < 1e-12);
    }
}
