//! Numbers in messages and headers without core's float formatting and parsing, which cost
//! about 40 KB of wasm (code plus the Grisu/Dragon and power-of-five tables) for a few digits.

use std::fmt;

/// Displays a finite f64 with at most 3 decimals, trailing zeros trimmed (`2`, `2.5`, `0.125`).
pub struct Num(pub f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        if !v.is_finite() {
            return f.write_str(if v.is_nan() { "NaN" } else if v > 0.0 { "Infinity" } else { "-Infinity" });
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

/// A Unix time as UTC calendar fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Utc {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub milli: u32,
}

/// Splits `ms` since the epoch (negative clamps to the epoch) with Howard Hinnant's
/// days-to-civil algorithm.
pub fn utc(ms: f64) -> Utc {
    let ms = ms.max(0.0) as u64;
    let (days, rem) = ((ms / 86_400_000) as i64, ms % 86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    Utc {
        year: yoe + era * 400 + i64::from(month <= 2),
        month,
        day,
        hour: (rem / 3_600_000) as u32,
        minute: (rem / 60_000 % 60) as u32,
        second: (rem / 1000 % 60) as u32,
        milli: (rem % 1000) as u32,
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn numbers_display_briefly() {
        for (v, s) in [(2.0, "2"), (2.5, "2.5"), (0.125, "0.125"), (60.0004, "60"), (-1.5, "-1.5"), (-0.0001, "0"),
            (25_000_000.0, "25000000"), (f64::NAN, "NaN"), (f64::INFINITY, "Infinity"), (1e300, ">1e15"), (2.05, "2.05")] {
            assert_eq!(Num(v).to_string(), s, "{v:?}");
        }
    }

    #[test]
    fn utc_fields_of_known_instants() {
        let u = utc(951_782_400_123.0);
        assert_eq!((u.year, u.month, u.day, u.hour, u.minute, u.second, u.milli), (2000, 2, 29, 0, 0, 0, 123));
        let u = utc(1_795_255_200_000.0);
        assert_eq!((u.year, u.month, u.day, u.hour), (2026, 11, 21, 10));
        assert_eq!(utc(-5.0), utc(0.0));
    }

    #[test]
    fn decimals_parse_strictly() {
        for (s, v) in [("120", Some(120.0)), (" 7 ", Some(7.0)), ("12.5", Some(12.5)), (".5", Some(0.5)), ("-3", Some(-3.0)),
            ("+4", Some(4.0)), ("3600.0", Some(3600.0)), ("", None), (".", None), ("1e3", None), ("inf", None), ("NaN", None),
            ("1.2.3", None), ("12a", None)] {
            assert_eq!(parse_decimal(s), v, "{s:?}");
        }
        // Huge values stay huge (callers clamp them), within float rounding.
        let huge = parse_decimal("99999999999999999999").unwrap();
        assert!((huge / 1e20 - 1.0).abs() < 1e-12);
    }
}
