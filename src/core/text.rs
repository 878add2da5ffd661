//! Plain text the SDK reads and writes: numbers in messages and headers, HTTP dates, and a
//! server's text cleaned into a message. Without core's float formatting and parsing, which cost
//! about 40 KB of wasm (code plus the Grisu/Dragon and power-of-five tables) for a few digits,
//! and without str's substring searcher.

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

/// A Unix time as UTC calendar fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Utc {
    /// The year (1970 or later).
    pub year: i64,
    /// 1 to 12.
    pub month: u32,
    /// 1 to 31.
    pub day: u32,
    /// 0 to 23.
    pub hour: u32,
    /// 0 to 59.
    pub minute: u32,
    /// 0 to 59.
    pub second: u32,
    /// 0 to 999.
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

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const LONG_WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// Seconds since the Unix epoch of an HTTP date (RFC 9110): IMF-fixdate
/// (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) or asctime
/// (`Sun Nov  6 08:49:37 1994`). Years 1970 to 9999; `None` for anything else, including
/// impossible dates (31 Feb) and times.
pub fn parse_http_date(s: &str) -> Option<u64> {
    let number = |t: &str| -> Option<u32> {
        (!t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.bytes().fold(0, |n, b| n * 10 + u32::from(b - b'0')))
    };
    let month = |t: &str| MONTHS.iter().position(|m| *m == t).map(|i| i as u32 + 1);
    // A comma is the weekday's (asctime has none); split on the char: a string pattern would bring
    // str's substring searcher into the wasm.
    let (day, mon, year, time) = if let Some((weekday, rest)) = s.split_once(',') {
        let rest = rest.strip_prefix(' ')?.strip_suffix(" GMT")?;
        let (date, time) = rest.rsplit_once(' ')?;
        let long = LONG_WEEKDAYS.contains(&weekday);
        if !long && !WEEKDAYS.contains(&weekday) {
            return None;
        }
        let mut parts = if long { date.split('-') } else { date.split(' ') };
        let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || d.len() != 2 || y.len() != if long { 2 } else { 4 } {
            return None;
        }
        let mut year = number(y)?;
        if long {
            year += if year < 70 { 2000 } else { 1900 };
        }
        (number(d)?, month(m)?, year, time)
    } else {
        let mut parts = s.split(' ').filter(|p| !p.is_empty());
        let (weekday, m, d, time, y) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || !WEEKDAYS.contains(&weekday) || y.len() != 4 {
            return None;
        }
        (number(d)?, month(m)?, number(y)?, time)
    };
    let mut hms = time.split(':');
    let (h, m, sec) = (hms.next()?, hms.next()?, hms.next()?);
    if hms.next().is_some() || h.len() != 2 || m.len() != 2 || sec.len() != 2 {
        return None;
    }
    let (h, m, sec) = (number(h)?, number(m)?, number(sec)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mon as usize - 1];
    if !(1970..=9999).contains(&year) || day == 0 || day > month_days || h > 23 || m > 59 || sec > 59 {
        return None;
    }
    // Howard Hinnant's days-from-civil.
    let (y, mon) = (i64::from(year) - i64::from(mon <= 2), i64::from(mon));
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if mon > 2 { mon - 3 } else { mon + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days as u64 * 86_400 + u64::from(h) * 3600 + u64::from(m) * 60 + u64::from(sec))
}

// ---- cleaning server text for a message ----

/// Longest `message`, in chars, including the trailing "…" when cut.
pub const MAX_MESSAGE_CHARS: usize = 300;

/// `prefix` + ": " + the cleaned text, or `None` when the text has nothing visible.
pub(crate) fn compose(prefix: &str, text: &str) -> Option<String> {
    let mut out = String::with_capacity(64);
    out.push_str(prefix);
    if !prefix.is_empty() {
        out.push_str(": ");
    }
    append_clean(&mut out, text).then_some(out)
}

/// Appends `text` with control characters removed and whitespace collapsed, keeping `out` at
/// most `MAX_MESSAGE_CHARS` chars (cut with "…"). Reads only as much of `text` as it needs.
/// Returns whether anything visible was appended.
fn append_clean(out: &mut String, text: &str) -> bool {
    let mut count = out.chars().count();
    let (mut pending_space, mut any, mut cut) = (false, false, false);
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = any;
            continue;
        }
        if c.is_control() || is_invisible(c) {
            continue;
        }
        let needed = if pending_space { 2 } else { 1 };
        if count + needed > MAX_MESSAGE_CHARS {
            cut = true;
            break;
        }
        if pending_space {
            out.push(' ');
        }
        out.push(c);
        count += needed;
        pending_space = false;
        any = true;
    }
    if cut {
        while count > MAX_MESSAGE_CHARS - 1 {
            out.pop();
            count -= 1;
        }
        let trimmed_len = out.trim_end().len();
        out.truncate(trimmed_len);
        out.push('…');
    }
    any
}

/// Zero-width and bidi-override characters: invisible in logs, and a spoofing risk.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

/// The longest start of `s` of at most `max` bytes, cut between chars.
pub(crate) fn clip(s: &str, max: usize) -> &str {
    let mut i = max.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    s.get(..i).unwrap_or_default()
}

/// `s` from byte `from` on (empty past the end). The text helpers here cut only where they found
/// an ASCII byte or a whole char, so never inside one; `get` instead of `&s[from..]` keeps str
/// slicing's panic messages, with their formatting, out of the wasm.
pub(crate) fn tail(s: &str, from: usize) -> &str {
    s.get(from..).unwrap_or_default()
}

/// Where `needle` first occurs in `hay`, comparing bytes: a match of valid UTF-8 in valid UTF-8
/// starts on a char boundary. `str::find` with a string pattern would bring the two-way searcher
/// (and str slicing's panic formatting) into the wasm for haystacks of at most 64 KB.
pub(crate) fn find(hay: &str, needle: &str) -> Option<usize> {
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    (0..=hay.len().checked_sub(needle.len())?).find(|&i| hay.get(i..i + needle.len()) == Some(needle))
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
    fn utc_fields_of_known_instants() {
        let u = utc(951_782_400_123.0);
        assert_eq!((u.year, u.month, u.day, u.hour, u.minute, u.second, u.milli), (2000, 2, 29, 0, 0, 0, 123));
        let u = utc(1_795_255_200_000.0);
        assert_eq!((u.year, u.month, u.day, u.hour), (2026, 11, 21, 10));
        assert_eq!(utc(-5.0), utc(0.0));
    }

    #[test]
    fn http_dates_in_all_three_forms() {
        for (text, secs) in [
            ("Sun, 06 Nov 1994 08:49:37 GMT", Some(784_111_777)),
            ("Sunday, 06-Nov-94 08:49:37 GMT", Some(784_111_777)),
            ("Sun Nov  6 08:49:37 1994", Some(784_111_777)),
            ("Thu, 01 Jan 1970 00:00:00 GMT", Some(0)),
            ("Tue, 29 Feb 2000 23:59:59 GMT", Some(951_868_799)),
            ("Fri, 31 Dec 9999 23:59:59 GMT", Some(253_402_300_799)),
            ("Tuesday, 14-Nov-23 22:15:20 GMT", Some(1_700_000_120)),
            ("Mon, 29 Feb 2100 00:00:00 GMT", None),
            ("Sun, 06 Nov 1994 08:49:37 UTC", None),
            ("Sun, 6 Nov 1994 08:49:37 GMT", None),
            ("Sun, 06 Nov 1994 8:49:37 GMT", None),
            ("Sun, 06 Nov 1994 08:60:37 GMT", None),
            ("Sun, 06 Nov 1969 08:49:37 GMT", None),
            ("Xyz, 06 Nov 1994 08:49:37 GMT", None),
            ("Sun, 06 Foo 1994 08:49:37 GMT", None),
            ("Sun Nov  6 08:49:37 1994 extra", None),
            ("", None),
        ] {
            assert_eq!(parse_http_date(text), secs, "{text:?}");
        }
    }

    #[test]
    fn http_dates_agree_with_the_httpdate_crate() {
        use proptest::prelude::*;
        use std::time::{Duration, UNIX_EPOCH};
        proptest!(ProptestConfig::with_cases(3000), |(secs in 0u64..253_402_300_800)| {
            let text = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(secs));
            prop_assert_eq!(parse_http_date(&text), Some(secs), "{}", text);
        });
        proptest!(ProptestConfig::with_cases(3000), |(text in "[A-Za-z]{3}, [0-9]{2} [A-Za-z]{3} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT")| {
            let theirs = httpdate::parse_http_date(&text).ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map(|d| d.as_secs());
            prop_assert_eq!(parse_http_date(&text), theirs, "{}", text);
        });
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
