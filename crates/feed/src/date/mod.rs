//! Date parsing: RFC 822 and its wild variants, W3C-DTF/ISO 8601, asctime, Greek, Perforce and
//! localized month names, normalised to UTC.
//!
//! Feeds carry dates in every shape imaginable, and subscribers expect the same instant the
//! Universal Feed Parser derives, so the families are tried in its order and each one keeps its
//! quirks: out-of-range ISO 8601 fields roll over like C `mktime`, two-digit years follow each
//! family's own pivot, unknown zone names mean UTC, and ISO 8601 fields that are missing
//! altogether come from today's date. The Hungarian and Korean (OnBlog, Nate) formats need no
//! parser of their own: they begin with a four-digit year, which the ISO 8601 templates claim
//! first, exactly as in the reference implementation. Last comes what the reference lacks: RFC
//! 822 dates with month names in other European languages and Russian.
//!
//! Every family is a small hand scanner over at most [`MAX_LEN`] bytes, so the work per input is
//! bounded.

mod iso;
mod localized;
mod rfc822;

use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// Inputs longer than this are not dates; real ones are under 50 bytes.
pub const MAX_LEN: usize = 256;

/// Parses a date as found in a feed; `None` when no known format matches.
pub fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    if let Some(secs) = common_shape(s) {
        return DateTime::from_timestamp(secs, 0);
    }
    parse_date_on(s, Utc::now().date_naive())
}

/// [`parse_date`] with "today" given, for the ISO 8601 forms that omit the year, month or day.
fn parse_date_on(s: &str, today: NaiveDate) -> Option<DateTime<Utc>> {
    if s.is_empty() || s.len() > MAX_LEN {
        return None;
    }
    let secs = iso::w3dtf(s)
        .or_else(|| rfc822::rfc822(s))
        .or_else(|| iso::iso8601(s, today))
        .or_else(|| rfc822::asctime(s))
        .or_else(|| rfc822::perforce(s))
        .or_else(|| rfc822::greek(s))
        .or_else(|| localized::localized(s))?;
    DateTime::from_timestamp(secs, 0)
}

/// The two shapes nearly every feed writes, `Mon, 07 Dec 2026 17:16:52 +0000` (RFC 822 with
/// `GMT`, `UTC` or a numeric zone) and `2026-12-07T17:16:52Z` (W3C-DTF with seconds, an
/// optional fraction and `Z` or `±hh:mm`), read in one pass without allocating. Anything else,
/// including these shapes with a field out of range, returns `None` and takes the full chain,
/// which gives the same instant for every string accepted here (the `fast_path_agrees` test
/// checks it) at several times the cost.
fn common_shape(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.first()?.is_ascii_digit() {
        w3dtf_common(b)
    } else {
        rfc822_common(b)
    }
}

/// `n` ASCII digits at `at`, as a number.
fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let field = b.get(at..at + n)?;
    field.iter().try_fold(0u32, |acc, &d| {
        d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
    })
}

/// Seconds since the epoch of a wall-clock time `offset` seconds east of UTC.
/// Years outside the ones feeds write take the full chain, whose limits (no year 0, nothing
/// past 9999 in RFC 822) the fast path need not copy.
fn instant(y: u32, mo: u32, d: u32, h: u32, mi: u32, s: u32, offset: i64) -> Option<i64> {
    if !(1900..2200).contains(&y) {
        return None;
    }
    let year = i32::try_from(y).ok()?;
    let local = NaiveDate::from_ymd_opt(year, mo, d)?.and_hms_opt(h, mi, s)?;
    Some(local.and_utc().timestamp() - offset)
}

/// A `±hhmm` (`colon`: `±hh:mm`) zone as seconds east of UTC, whole string consumed.
fn numeric_zone(z: &[u8], colon: bool) -> Option<i64> {
    let (sign, rest) = match z.split_first()? {
        (b'+', rest) => (1, rest),
        (b'-', rest) => (-1, rest),
        _ => return None,
    };
    let (h, m) = match (colon, rest.len()) {
        (false, 4) => (digits(rest, 0, 2)?, digits(rest, 2, 2)?),
        (true, 5) if rest[2] == b':' => (digits(rest, 0, 2)?, digits(rest, 3, 2)?),
        _ => return None,
    };
    (h <= 14 && m <= 59).then(|| sign * i64::from(h * 3600 + m * 60))
}

fn rfc822_common(b: &[u8]) -> Option<i64> {
    const DAYS: [&[u8]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
    const MONTHS: [&[u8]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    if !DAYS.contains(&b.get(..3)?) || b.get(3..5)? != b", " {
        return None;
    }
    // The day has one digit or two.
    let (day, at) = match b.get(6)? {
        b' ' => (digits(b, 5, 1)?, 7),
        _ => (digits(b, 5, 2)?, 8),
    };
    if b.get(at - 1)? != &b' ' {
        return None;
    }
    let month = MONTHS.iter().position(|m| Some(*m) == b.get(at..at + 3))?;
    let t = at + 4;
    if b.get(at + 3)? != &b' ' || b.get(t + 4)? != &b' ' {
        return None;
    }
    let year = digits(b, t, 4)?;
    let c = t + 5;
    if b.get(c + 2)? != &b':' || b.get(c + 5)? != &b':' || b.get(c + 8)? != &b' ' {
        return None;
    }
    let (h, mi, sec) = (digits(b, c, 2)?, digits(b, c + 3, 2)?, digits(b, c + 6, 2)?);
    let offset = match b.get(c + 9..)? {
        b"GMT" | b"UTC" => 0,
        z => numeric_zone(z, false)?,
    };
    let month = u32::try_from(month).ok()? + 1;
    instant(year, month, day, h, mi, sec, offset)
}

fn w3dtf_common(b: &[u8]) -> Option<i64> {
    if b.get(4)? != &b'-' || b.get(7)? != &b'-' || b.get(10)? != &b'T' {
        return None;
    }
    if b.get(13)? != &b':' || b.get(16)? != &b':' {
        return None;
    }
    let (y, mo, d) = (digits(b, 0, 4)?, digits(b, 5, 2)?, digits(b, 8, 2)?);
    let (h, mi, sec) = (digits(b, 11, 2)?, digits(b, 14, 2)?, digits(b, 17, 2)?);
    let mut rest = b.get(19..)?;
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 || n > 9 {
            return None;
        }
        rest = &frac[n..];
    }
    let offset = match rest {
        b"Z" => 0,
        z => numeric_zone(z, true)?,
    };
    instant(y, mo, d, h, mi, sec, offset)
}

/// Today's fields, for the ISO 8601 templates that leave some out.
fn today_fields(today: NaiveDate) -> (i64, i64, i64) {
    (
        i64::from(today.year()),
        i64::from(today.month()),
        i64::from(today.day()),
    )
}

/// Whitespace as Python's `str.split()` sees it (Unicode White_Space plus the ASCII separators).
fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Splits on runs of whitespace, dropping empty pieces.
fn split_ws(s: &str) -> Vec<&str> {
    s.split(is_space).filter(|p| !p.is_empty()).collect()
}

/// The characters `start..end` of `s` (by character, not byte; clamped like a Python slice).
fn char_slice(s: &str, start: usize, end: Option<usize>) -> &str {
    let byte_at = |n: usize| s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
    let from = byte_at(start);
    let to = end.map_or(s.len(), byte_at).max(from);
    s.get(from..to).unwrap_or("")
}

/// An integer as Python's `int(str)` reads it: surrounding whitespace, an optional sign, digits
/// with single underscores between them. `None` for anything else or beyond 18 digits.
fn int(s: &str) -> Option<i64> {
    let t = s.trim_matches(is_space);
    let (neg, digits) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let mut value: i64 = 0;
    let mut count = 0;
    for b in digits.bytes() {
        match b {
            b'0'..=b'9' => {
                count += 1;
                if count > 18 {
                    return None;
                }
                value = value * 10 + i64::from(b - b'0');
            }
            b'_' => {}
            _ => return None,
        }
    }
    Some(if neg { -value } else { value })
}

/// `int(float(s))`: a decimal number truncated toward zero; `None` if it is not finite or huge.
fn float_trunc(s: &str) -> Option<i64> {
    let f: f64 = s.trim_matches(is_space).parse().ok()?;
    let t = f.trunc();
    (t.is_finite() && t.abs() < 1e15).then_some(t as i64)
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (month 1..=12; the day may be any
/// value and simply counts on from the first of the month).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468 + day - 1
}

/// Seconds since the epoch for fields that may be out of range, normalised the way C `mktime`
/// does in a UTC locale (month overflow carries into the year, everything else adds linearly).
fn normalized_timestamp(fields: [i64; 6]) -> i64 {
    let [year, month, day, hour, minute, second] = fields;
    let year = year + (month - 1).div_euclid(12);
    let month = (month - 1).rem_euclid(12) + 1;
    days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
}

/// Python's `datetime(...) - timedelta(hours, minutes)` as seconds since the epoch: every field
/// must be in range, and so must the result (years 1 to 9999).
fn checked_timestamp(fields: [i64; 6], offset_hours: i64, offset_minutes: i64) -> Option<i64> {
    let [year, month, day, hour, minute, second] = fields;
    let valid_day = u32::try_from(month)
        .ok()
        .zip(u32::try_from(day).ok())
        .and_then(|(m, d)| NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, m, d));
    if !(1..=9999).contains(&year)
        || valid_day.is_none()
        || !(0..24).contains(&hour)
        || !(0..60).contains(&minute)
        || !(0..60).contains(&second)
    {
        return None;
    }
    let offset = offset_hours
        .checked_mul(3600)?
        .checked_add(offset_minutes.checked_mul(60)?)?;
    let t = normalized_timestamp(fields).checked_sub(offset)?;
    let min = days_from_civil(1, 1, 1) * 86_400;
    let max = days_from_civil(10_000, 1, 1) * 86_400 - 1;
    (min..=max).contains(&t).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(s: &str, today: NaiveDate) -> Option<String> {
        parse_date_on(s, today).map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    }

    fn utc(s: &str) -> Option<String> {
        on(s, NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default())
    }

    /// What the full chain makes of `s`, in seconds.
    fn chain(s: &str) -> Option<i64> {
        parse_date_on(s, NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default())
            .map(|d| d.timestamp())
    }

    #[test]
    fn fast_path_reads_the_common_shapes() {
        let cases = [
            ("Mon, 07 Dec 2026 17:16:52 +0000", "2026-12-07T17:16:52Z"),
            ("Sun, 7 Dec 2026 17:16:52 GMT", "2026-12-07T17:16:52Z"),
            ("Fri, 26 Aug 2016 23:30:00 -0700", "2016-08-27T06:30:00Z"),
            ("Tue, 01 Mar 2016 00:00:00 UTC", "2016-03-01T00:00:00Z"),
            ("2016-08-27T06:30:00Z", "2016-08-27T06:30:00Z"),
            ("2016-08-26T23:30:00.123456-07:00", "2016-08-27T06:30:00Z"),
            ("1999-12-31T23:59:59+01:30", "1999-12-31T22:29:59Z"),
        ];
        for (input, want) in cases {
            let got = common_shape(input).and_then(|secs| DateTime::from_timestamp(secs, 0));
            let got = got.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            assert_eq!(got.as_deref(), Some(want), "{input}");
            assert_eq!(common_shape(input), chain(input), "{input}");
        }
        // Out of range or another shape: left to the full chain.
        for input in [
            "Mon, 31 Feb 2026 10:00:00 GMT",
            "Mon, 07 Dec 2026 24:00:00 GMT",
            "Mon, 07 Dec 2026 17:16:60 GMT",
            "Mon, 07 Dec 2026 17:16:52 EST",
            "Mon, 07 Dec 26 17:16:52 GMT",
            "Monday, 07 Dec 2026 17:16:52 GMT",
            "2026-12-07T17:16Z",
            "2026-12-07 17:16:52Z",
            "2026-12-07T17:16:52",
            "2026-12-07t17:16:52z",
            "2026-13-07T17:16:52Z",
        ] {
            assert_eq!(common_shape(input), None, "{input}");
        }
    }

    proptest::proptest! {
        /// Whatever the fast path accepts, the full chain reads as the same instant; and
        /// in-range fields are always accepted.
        #[test]
        fn fast_path_agrees(
            wd in 0usize..7, day in 0u32..33, two_digit_day in proptest::bool::ANY,
            month in 0usize..12, year in 0u32..10000, h in 0u32..26, mi in 0u32..62,
            sec in 0u32..62, zone in 0usize..8, zh in 0u32..16, zm in 0u32..61,
            frac in 0usize..4,
        ) {
            const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
            const MONTHS: [&str; 12] = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ];
            let sign = if zone % 2 == 0 { '+' } else { '-' };
            let (rfc_zone, iso_zone) = match zone {
                0 | 1 => (format!("{sign}{zh:02}{zm:02}"), format!("{sign}{zh:02}:{zm:02}")),
                2 => ("GMT".to_string(), "Z".to_string()),
                3 => ("UTC".to_string(), "Z".to_string()),
                _ => (format!("{sign}{:02}{:02}", zh % 13, zm % 60), format!("{sign}{:02}:{:02}", zh % 13, zm % 60)),
            };
            let d = if two_digit_day { format!("{day:02}") } else { day.to_string() };
            let rfc = format!("{}, {d} {} {year:04} {h:02}:{mi:02}:{sec:02} {rfc_zone}", DAYS[wd], MONTHS[month]);
            let fraction = [String::new(), ".5".to_string(), ".123456".to_string(), ".000000001".to_string()][frac].clone();
            let iso = format!("{year:04}-{:02}-{day:02}T{h:02}:{mi:02}:{sec:02}{fraction}{iso_zone}", month + 1);
            let valid = NaiveDate::from_ymd_opt(i32::try_from(year).unwrap_or(0), u32::try_from(month).unwrap_or(0) + 1, day).is_some()
                && (1900..2200).contains(&year) && h < 24 && mi < 60 && sec < 60 && zh <= 14 && zm < 60;
            for s in [rfc.as_str(), iso.as_str()] {
                let fast = common_shape(s);
                if let Some(secs) = fast {
                    proptest::prop_assert_eq!(Some(secs), chain(s), "{}", s);
                }
                if valid {
                    proptest::prop_assert!(fast.is_some(), "in-range fields refused: {}", s);
                }
            }
        }
    }

    #[test]
    fn python_int_rules() {
        assert_eq!(int(" 42 "), Some(42));
        assert_eq!(int("-07"), Some(-7));
        assert_eq!(int("+1_000"), Some(1000));
        for bad in [
            "",
            "-",
            "1__0",
            "_1",
            "1_",
            "1.0",
            "x1",
            "9999999999999999999",
        ] {
            assert_eq!(int(bad), None, "{bad:?}");
        }
        assert_eq!(float_trunc("55.9"), Some(55));
        assert_eq!(float_trunc("-0.5"), Some(0));
        assert_eq!(float_trunc("1e2"), Some(100));
        assert_eq!(float_trunc("inf"), None);
        assert_eq!(float_trunc("nan"), None);
    }

    #[test]
    fn civil_days_match_chrono() {
        for (y, m, d) in [
            (1970, 1, 1),
            (2000, 2, 29),
            (1, 1, 1),
            (9999, 12, 31),
            (1600, 3, 1),
        ] {
            let expected = NaiveDate::from_ymd_opt(y, m, d)
                .and_then(|date| date.and_hms_opt(0, 0, 0))
                .map(|dt| dt.and_utc().timestamp());
            let days = days_from_civil(i64::from(y), i64::from(m), i64::from(d));
            assert_eq!(Some(days * 86_400), expected, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn char_slices_clamp_like_python() {
        assert_eq!(char_slice("+0530", 1, Some(3)), "05");
        assert_eq!(char_slice("+05", 3, None), "");
        assert_eq!(char_slice("ιούλ", 1, Some(3)), "ού");
        assert_eq!(char_slice("ab", 5, Some(2)), "");
    }

    #[test]
    fn rejects_empty_and_oversized_input() {
        assert_eq!(utc(""), None);
        assert_eq!(utc("   "), None);
        let long = format!("2003-12-31T10:14:55Z{}", " ".repeat(MAX_LEN));
        assert_eq!(utc(&long), None);
    }

    /// The cases of the shared table whose expectation was computed on 2026-11-24 and depends on
    /// that date (missing month or century taken from "today").
    #[test]
    fn current_date_cases_of_the_reference_table() {
        let table: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/data/dates.json")).unwrap_or_default();
        let cases = table.as_array().cloned().unwrap_or_default();
        let mut checked = 0;
        for case in cases {
            if case["depends_on_current_date"] != serde_json::Value::Bool(true) {
                continue;
            }
            let input = case["input"].as_str().unwrap_or_default();
            let expected = case["expected_utc"].as_str().map(str::to_owned);
            assert_eq!(utc(input), expected, "{input:?}");
            checked += 1;
        }
        assert!(checked >= 4, "table has its current-date cases");
    }

    #[test]
    fn missing_fields_come_from_today() {
        let today = NaiveDate::from_ymd_opt(2031, 5, 17).unwrap_or_default();
        // Time only: today's date.
        assert_eq!(on("10:30", today).as_deref(), Some("2031-05-17T10:30:00Z"));
        // Two-digit years belong to the current century.
        assert_eq!(on("990101", today).as_deref(), Some("2099-01-01T00:00:00Z"));
        // Century only: its first year, this month.
        assert_eq!(on("20", today).as_deref(), Some("1901-05-01T00:00:00Z"));
    }
}
