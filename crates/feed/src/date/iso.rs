//! W3C-DTF (with the MSSQL space-separated variant) and the looser ISO 8601 templates.

use chrono::NaiveDate;

use super::{char_slice, checked_timestamp, float_trunc, int, normalized_timestamp, split_ws};

/// US zone abbreviations and military letters (UT, GMT and Z are UTC, as is anything unknown).
pub(super) fn zone_hours(name: &str) -> i64 {
    match name {
        "adt" => -3,
        "ast" | "at" | "edt" => -4,
        "est" | "et" | "cdt" => -5,
        "cst" | "ct" | "mdt" => -6,
        "mst" | "mt" | "pdt" => -7,
        "pst" | "pt" => -8,
        "a" => -1,
        "n" => 1,
        "m" => -12,
        "y" => 12,
        _ => 0,
    }
}

/// `YYYY[-MM[-DD]][Thh:mm[:ss[.f]]][zone]`, also with a space instead of `T`. Strict about
/// ranges: an hour of 25 is not a W3C-DTF date (the ISO 8601 templates may still take it).
pub(super) fn w3dtf(s: &str) -> Option<i64> {
    if s.trim_matches(super::is_space).is_empty() {
        return None;
    }
    let lower = s.to_lowercase();
    let mut parts: Vec<&str> = lower.split('t').collect();
    match parts.len() {
        1 => {
            parts = split_ws(&lower);
            if parts.len() == 1 {
                parts.push("00:00:00z");
            }
        }
        2 => {}
        _ => return None,
    }
    let (date_part, mut time_part) = (*parts.first()?, *parts.get(1)?);
    let mut zone = parts.get(2).copied();

    let mut date: Vec<&str> = date_part.splitn(3, '-').collect();
    if date.first()?.chars().count() != 4 {
        return None;
    }
    date.resize(3, "1");
    let (year, month, day) = (int(date[0])?, int(date[1])?, int(date[2])?);

    if let Some(stripped) = time_part.strip_suffix('z') {
        time_part = stripped;
        zone.get_or_insert("z");
    }
    let offset_at = time_part
        .find('-')
        .or_else(|| time_part.find('+'))
        .unwrap_or(time_part.len());
    let (clock, numeric_zone) = time_part.split_at(offset_at);
    let zone = zone.unwrap_or(numeric_zone);

    let (tz_hours, tz_minutes) = if zone.starts_with(['-', '+']) {
        let hours = int(char_slice(zone, 1, Some(3)))?;
        let minutes = int(char_slice(zone, 4, None))?;
        if zone.starts_with('-') {
            (-hours, -minutes)
        } else {
            (hours, minutes)
        }
    } else {
        (zone_hours(zone), 0)
    };

    let mut time: Vec<&str> = clock.splitn(3, ':').collect();
    time.resize(3, "0");
    let (hour, minute, second) = (
        float_trunc(time[0])?,
        float_trunc(time[1])?,
        float_trunc(time[2])?,
    );
    checked_timestamp(
        [year, month, day, hour, minute, second],
        tz_hours,
        tz_minutes,
    )
}

/// One element of a date template.
#[derive(Clone, Copy)]
enum Tok {
    /// Four digits.
    Year4,
    /// Two digits, in the current century.
    Year2,
    /// `[01]\d`.
    Month,
    /// A month that may be absent.
    OptMonth,
    /// `[0123]\d`.
    Day,
    /// Day of the year, `[0123]\d\d`.
    Ordinal,
    /// Two digits that must end the string: a century.
    Century,
    Dash,
    OptDash,
    Zero,
}

use Tok::*;

/// The date templates in the order they are tried; the first that matches at the start wins,
/// and whatever follows a matched date and optional time is ignored.
const TEMPLATES: &[&[Tok]] = &[
    &[Year4, OptDash, Month, OptDash, Day],
    &[Year4, Dash, Zero, OptMonth, OptDash, Day],
    &[Year4, Dash, Month],
    &[Year4, OptDash, Ordinal],
    &[Year2, OptDash, Month, OptDash, Day],
    &[Year2, OptDash, Ordinal],
    &[Year4],
    &[Dash, Year2, OptDash, Month],
    &[Dash, Ordinal],
    &[Dash, Year2],
    &[Dash, Dash, Month, OptDash, Day],
    &[Dash, Dash, Month],
    &[Dash, Dash, Dash, Day],
    &[Century],
    &[],
];

/// The date fields a template captured.
#[derive(Clone, Copy, Default)]
struct DateFields {
    year4: Option<i64>,
    year2: Option<i64>,
    month: Option<i64>,
    day: Option<i64>,
    ordinal: Option<i64>,
    century: Option<i64>,
}

/// The value of `n` ASCII digits at `pos` whose first digit is at most `first_max`.
fn digits_at(b: &[u8], pos: usize, n: usize, first_max: u8) -> Option<i64> {
    let run = b.get(pos..pos + n)?;
    if !run.iter().all(u8::is_ascii_digit) || run.first().is_some_and(|&d| d > first_max) {
        return None;
    }
    Some(run.iter().fold(0, |acc, &d| acc * 10 + i64::from(d - b'0')))
}

/// Matches `toks` at `pos`, backtracking over the optional elements; returns the end position.
/// Templates have at most six elements, so the search is tiny.
fn match_template(
    b: &[u8],
    toks: &[Tok],
    pos: usize,
    f: DateFields,
) -> Option<(usize, DateFields)> {
    let Some((&tok, rest)) = toks.split_first() else {
        return Some((pos, f));
    };
    let dash = b.get(pos) == Some(&b'-');
    match tok {
        Dash if dash => match_template(b, rest, pos + 1, f),
        Zero if b.get(pos) == Some(&b'0') => match_template(b, rest, pos + 1, f),
        Dash | Zero => None,
        OptDash => dash
            .then(|| match_template(b, rest, pos + 1, f))
            .flatten()
            .or_else(|| match_template(b, rest, pos, f)),
        OptMonth => digits_at(b, pos, 2, b'1')
            .and_then(|m| {
                match_template(
                    b,
                    rest,
                    pos + 2,
                    DateFields {
                        month: Some(m),
                        ..f
                    },
                )
            })
            .or_else(|| match_template(b, rest, pos, f)),
        Year4 => {
            let v = digits_at(b, pos, 4, b'9')?;
            match_template(
                b,
                rest,
                pos + 4,
                DateFields {
                    year4: Some(v),
                    ..f
                },
            )
        }
        Year2 => {
            let v = digits_at(b, pos, 2, b'9')?;
            match_template(
                b,
                rest,
                pos + 2,
                DateFields {
                    year2: Some(v),
                    ..f
                },
            )
        }
        Month => {
            let v = digits_at(b, pos, 2, b'1')?;
            match_template(
                b,
                rest,
                pos + 2,
                DateFields {
                    month: Some(v),
                    ..f
                },
            )
        }
        Day => {
            let v = digits_at(b, pos, 2, b'3')?;
            match_template(b, rest, pos + 2, DateFields { day: Some(v), ..f })
        }
        Ordinal => {
            let v = digits_at(b, pos, 3, b'3')?;
            match_template(
                b,
                rest,
                pos + 3,
                DateFields {
                    ordinal: Some(v),
                    ..f
                },
            )
        }
        Century => {
            let v = digits_at(b, pos, 2, b'9')?;
            let end = pos + 2;
            // The century must end the string (a final newline is allowed, as with `$`).
            let at_end = end == b.len() || (end + 1 == b.len() && b.get(end) == Some(&b'\n'));
            at_end.then(|| {
                match_template(
                    b,
                    rest,
                    end,
                    DateFields {
                        century: Some(v),
                        ..f
                    },
                )
            })?
        }
    }
}

/// The optional `[T]hh:mm[:ss][.fff][±hh[:mm]|Z]` after a date.
#[derive(Default)]
struct TimeFields {
    end: usize,
    hour: i64,
    minute: i64,
    second: i64,
    /// Offset to add to the local time to get UTC, in hours and minutes.
    to_utc: (i64, i64),
}

fn match_time(b: &[u8], start: usize) -> TimeFields {
    let none = TimeFields {
        end: start,
        ..TimeFields::default()
    };
    let mut pos = start + usize::from(b.get(start) == Some(&b'T'));
    let (Some(hour), Some(b':'), Some(minute)) = (
        digits_at(b, pos, 2, b'9'),
        b.get(pos + 2),
        digits_at(b, pos + 3, 2, b'9'),
    ) else {
        return none;
    };
    pos += 5;
    let mut t = TimeFields {
        hour,
        minute,
        ..none
    };
    if b.get(pos) == Some(&b':') {
        if let Some(second) = digits_at(b, pos + 1, 2, b'9') {
            t.second = second;
            pos += 3;
        }
    }
    if b.get(pos) == Some(&b'.') && b.get(pos + 1).is_some_and(u8::is_ascii_digit) {
        pos += 1;
        while b.get(pos).is_some_and(u8::is_ascii_digit) {
            pos += 1;
        }
    }
    match b.get(pos) {
        Some(&sign @ (b'+' | b'-')) => {
            if let Some(hours) = digits_at(b, pos + 1, 2, b'9') {
                pos += 3;
                let mut minutes = 0;
                if b.get(pos) == Some(&b':') {
                    if let Some(m) = digits_at(b, pos + 1, 2, b'9') {
                        minutes = m;
                        pos += 3;
                    }
                }
                t.to_utc = if sign == b'-' {
                    (hours, minutes)
                } else {
                    (-hours, -minutes)
                };
            }
        }
        Some(b'Z') => pos += 1,
        _ => {}
    }
    t.end = pos;
    t
}

/// Basic and extended ISO 8601 dates (`20040105`, `2003-335`, `--12-31`, `-03`...), with an
/// optional time. Fields out of range roll over instead of failing, and fields left out come
/// from `today`.
pub(super) fn iso8601(s: &str, today: NaiveDate) -> Option<i64> {
    let b = s.as_bytes();
    let (date_end, f) = TEMPLATES
        .iter()
        .find_map(|toks| match_template(b, toks, 0, DateFields::default()))?;
    let time = match_time(b, date_end);
    if time.end == 0 {
        return None;
    }
    let (this_year, this_month, this_day) = super::today_fields(today);
    let ordinal = f.ordinal.filter(|&o| o != 0);
    let mut year = match (f.year4, f.year2) {
        (Some(y), _) => y,
        (None, Some(yy)) => this_year.div_euclid(100) * 100 + yy,
        (None, None) => this_year,
    };
    let month = f
        .month
        .unwrap_or(if ordinal.is_some() { 1 } else { this_month });
    let day = f.day.or(ordinal).unwrap_or(
        if f.century.is_some() || f.year4.is_some() || f.year2.is_some() || f.month.is_some() {
            1
        } else {
            this_day
        },
    );
    if let Some(c) = f.century {
        year = (c - 1) * 100 + 1;
    }
    let (tz_hours, tz_minutes) = time.to_utc;
    Some(normalized_timestamp([
        year,
        month,
        day,
        time.hour + tz_hours,
        time.minute + tz_minutes,
        time.second,
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn show(secs: Option<i64>) -> Option<String> {
        secs.and_then(|t| DateTime::from_timestamp(t, 0))
            .map(|d| d.format("%Y-%m-%dT%H:%M:%S").to_string())
    }

    fn iso(s: &str) -> Option<String> {
        show(iso8601(
            s,
            NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default(),
        ))
    }

    #[test]
    fn w3dtf_forms() {
        let w = |s| show(w3dtf(s));
        assert_eq!(w("2003").as_deref(), Some("2003-01-01T00:00:00"));
        assert_eq!(w("2003-12").as_deref(), Some("2003-12-01T00:00:00"));
        assert_eq!(
            w("2003-12-31T10:14:55.9Z").as_deref(),
            Some("2003-12-31T10:14:55")
        );
        assert_eq!(
            w("2003-12-31t10:14+05:30").as_deref(),
            Some("2003-12-31T04:44:00")
        );
        // MSSQL style, with a military zone letter (named zones with a `t` split the string).
        assert_eq!(
            w("2004-07-08 23:56:58 n").as_deref(),
            Some("2004-07-08T22:56:58")
        );
        // Strict ranges, a zone without minutes, and three `t`s are all refused.
        for bad in [
            "2003-12-31T25:00Z",
            "2003-02-29",
            "2003-12-31T10:00-05",
            "2003-12-31T10:00 est",
        ] {
            assert_eq!(w(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn iso8601_templates() {
        assert_eq!(iso("20040105").as_deref(), Some("2004-01-05T00:00:00"));
        assert_eq!(iso("2003-335").as_deref(), Some("2003-12-01T00:00:00"));
        assert_eq!(iso("2003335T10:14").as_deref(), Some("2003-12-01T10:14:00"));
        // Without its colon the time is not a time, and only the date counts.
        assert_eq!(iso("2003335T1014").as_deref(), Some("2003-12-01T00:00:00"));
        assert_eq!(iso("--12-31").as_deref(), Some("2026-12-31T00:00:00"));
        assert_eq!(iso("---05").as_deref(), Some("2026-11-05T00:00:00"));
        // A month of 13 and a zero day roll over, as with C mktime.
        assert_eq!(iso("2003-13-10").as_deref(), Some("2004-01-10T00:00:00"));
        assert_eq!(
            iso("2003-12-00T10:00").as_deref(),
            Some("2003-11-30T10:00:00")
        );
        // Zone offsets are applied field by field, then normalised.
        assert_eq!(
            iso("20031231T23:30-01:45").as_deref(),
            Some("2004-01-01T01:15:00")
        );
        // Trailing garbage after a recognised prefix is ignored.
        assert_eq!(
            iso("2004-05-25 junk").as_deref(),
            Some("2004-05-25T00:00:00")
        );
        assert_eq!(iso("x2004"), None);
        assert_eq!(iso(""), None);
    }
}
