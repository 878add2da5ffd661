//! Listing voice notes as the backend API does: `page` (from 0), `limit` (1 to 100, default 50),
//! `status`, `date_from`, `date_to` (ISO 8601), `user_id`; the answer's `pagination`.
//!
//! A bad parameter is refused as 2003 `{field, value, reason}`, never ignored, so a backend
//! whose filter would be silently dropped by a typo learns it here first.

use serde::Serialize;

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 100;
/// What `status` may ask for (`transcribed` is the Node SDK's word for `completed`).
pub const STATUSES: [&str; 5] = ["pending", "processing", "completed", "failed", "transcribed"];

/// A parameter that is not what the API takes: the 2003 answer's `details`.
#[derive(Clone, Debug, PartialEq)]
pub struct BadParam {
    pub field: &'static str,
    pub value: String,
    pub reason: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListQuery {
    pub page: u64,
    pub limit: u64,
    pub status: Option<String>,
    /// Unix ms, inclusive.
    pub from_ms: Option<f64>,
    /// Unix ms, inclusive (a bare date means the end of that day).
    pub to_ms: Option<f64>,
    pub user_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pagination {
    pub page: u64,
    pub limit: u64,
    pub total: u64,
    pub has_more: bool,
}

impl ListQuery {
    /// Reads the query string (already split into decoded pairs). Unknown names are ignored.
    pub fn parse(pairs: &[(String, String)]) -> Result<ListQuery, BadParam> {
        let mut q = ListQuery { limit: DEFAULT_LIMIT, ..ListQuery::default() };
        for (name, value) in pairs {
            let bad = |field: &'static str, reason: &str| BadParam { field, value: value.clone(), reason: reason.into() };
            match name.as_str() {
                "page" => q.page = value.parse().map_err(|_| bad("page", "must be an integer of 0 or more"))?,
                "limit" => {
                    q.limit = value.parse().ok().filter(|l| (1..=MAX_LIMIT).contains(l)).ok_or_else(|| bad("limit", "must be an integer between 1 and 100"))?;
                }
                "status" => {
                    if !STATUSES.contains(&value.as_str()) {
                        return Err(bad("status", "must be one of pending, processing, completed (or transcribed), failed"));
                    }
                    q.status = Some(if value == "transcribed" { "completed".into() } else { value.clone() });
                }
                "date_from" => q.from_ms = Some(parse_iso(value, false).ok_or_else(|| bad("date_from", "must be an ISO 8601 date or date-time"))?),
                "date_to" => q.to_ms = Some(parse_iso(value, true).ok_or_else(|| bad("date_to", "must be an ISO 8601 date or date-time"))?),
                "user_id" => q.user_id = Some(value.clone()),
                _ => {}
            }
        }
        Ok(q)
    }

    /// Whether a note (its backend status, creation time, user) passes the filters.
    pub fn keeps(&self, status: &str, created_ms: f64, user_id: Option<&str>) -> bool {
        self.status.as_deref().is_none_or(|s| s == status)
            && self.from_ms.is_none_or(|f| created_ms >= f)
            && self.to_ms.is_none_or(|t| created_ms <= t)
            && self.user_id.as_deref().is_none_or(|u| Some(u) == user_id)
    }

    /// This page of `items` (already filtered, newest first), and the pagination block.
    pub fn page_of<T>(&self, items: Vec<T>) -> (Vec<T>, Pagination) {
        let total = items.len() as u64;
        let start = self.page.saturating_mul(self.limit);
        let page: Vec<T> = items.into_iter().skip(usize::try_from(start).unwrap_or(usize::MAX)).take(self.limit as usize).collect();
        let has_more = start.saturating_add(page.len() as u64) < total;
        (page, Pagination { page: self.page, limit: self.limit, total, has_more })
    }
}

/// `2026-11-21`, `2026-11-21T10:00:00Z`, `…T10:00:00.123+02:00`, `…T10:00` as Unix ms. A bare date
/// is its first millisecond, or its last when `end_of_day`.
pub fn parse_iso(s: &str, end_of_day: bool) -> Option<f64> {
    let s = s.trim();
    let (date, time) = match s.split_once(['T', 't', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let mut d = date.split('-');
    let (y, m, day) = (num(d.next()?, 4)?, num(d.next()?, 2)?, num(d.next()?, 2)?);
    if d.next().is_some() || !(1..=12).contains(&m) || day < 1 || day > days_in_month(y, m) {
        return None;
    }
    let days = days_from_civil(y, m, day) as f64;
    let Some(time) = time else {
        return Some(days * 86_400_000.0 + if end_of_day { 86_399_999.0 } else { 0.0 });
    };
    let (clock, offset_min) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
        (c, 0i64)
    } else if let Some(i) = time.rfind(['+', '-']) {
        let (c, off) = time.split_at(i);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (oh, om) = off[1..].split_once(':').unwrap_or((&off[1..], "00"));
        let (oh, om) = (num(oh, 2)?, num(om, 2)?);
        if oh > 23 || om > 59 {
            return None;
        }
        (c, sign * (oh * 60 + om) as i64)
    } else {
        (time, 0)
    };
    let (hms, frac) = clock.split_once('.').unwrap_or((clock, ""));
    let mut t = hms.split(':');
    let (h, mi) = (num(t.next()?, 2)?, num(t.next()?, 2)?);
    let sec = match t.next() {
        Some(x) => num(x, 2)?,
        None => 0,
    };
    if t.next().is_some() || h > 23 || mi > 59 || sec > 60 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let ms = if frac.is_empty() { 0.0 } else { format!("0.{frac}").parse::<f64>().ok()? * 1000.0 };
    Some(days * 86_400_000.0 + ((h * 3600 + mi * 60 + sec) as f64) * 1000.0 + ms - offset_min as f64 * 60_000.0)
}

/// Exactly `width` ASCII digits.
fn num(s: &str, width: usize) -> Option<u32> {
    (s.len() == width && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: u32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Result<ListQuery, BadParam> {
        ListQuery::parse(&pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>())
    }

    #[test]
    fn dates() {
        assert_eq!(parse_iso("2026-11-21T10:00:00.123Z", false), Some(1_795_255_200_123.0));
        assert_eq!(parse_iso("2026-11-21T12:00:00.123+02:00", false), Some(1_795_255_200_123.0));
        assert_eq!(parse_iso("2026-11-21T10:00", false), Some(1_795_255_200_000.0));
        assert_eq!(parse_iso("1970-01-01", false), Some(0.0));
        assert_eq!(parse_iso("1970-01-01", true), Some(86_399_999.0));
        assert_eq!(parse_iso("2000-02-29", false), Some(951_782_400_000.0));
        for bad in ["", "2026", "2026-13-01", "2025-02-29", "2026-1-01", "yesterday", "2026-11-21T25:00Z", "2026-11-21T10:00:00.x"] {
            assert_eq!(parse_iso(bad, false), None, "{bad}");
        }
    }

    #[test]
    fn parameters_filters_and_pages() {
        let d = q(&[]).unwrap();
        assert_eq!((d.page, d.limit, d.status.clone()), (0, 50, None));
        let f = q(&[("page", "1"), ("limit", "2"), ("status", "transcribed"), ("date_from", "2026-11-21"), ("user_id", "u1"), ("other", "x")]).unwrap();
        assert_eq!(f.status.as_deref(), Some("completed"));
        assert!(f.keeps("completed", 1_795_255_200_000.0, Some("u1")));
        assert!(!f.keeps("processing", 1_795_255_200_000.0, Some("u1")));
        assert!(!f.keeps("completed", 0.0, Some("u1")) && !f.keeps("completed", 1_795_255_200_000.0, None));
        let (page, p) = f.page_of(vec![1, 2, 3, 4, 5]);
        assert_eq!((page, p), (vec![3, 4], Pagination { page: 1, limit: 2, total: 5, has_more: true }));
        let (page, p) = q(&[("page", "2"), ("limit", "2")]).unwrap().page_of(vec![1, 2, 3, 4, 5]);
        assert_eq!((page, p.has_more), (vec![5], false));
        let (page, p) = q(&[("page", "18446744073709551615"), ("limit", "100")]).unwrap().page_of(vec![1]);
        assert_eq!((page.len(), p.has_more), (0, false));
        for (name, value) in [("page", "-1"), ("page", "x"), ("limit", "0"), ("limit", "101"), ("status", "done"), ("date_to", "soon")] {
            let e = q(&[(name, value)]).unwrap_err();
            assert_eq!((e.field, e.value.as_str()), (name, value));
        }
    }
}
