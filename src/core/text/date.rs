//! HTTP dates and UTC calendar fields, with Howard Hinnant's day algorithms.

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

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

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
}
