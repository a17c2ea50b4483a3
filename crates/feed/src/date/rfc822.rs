//! RFC 822 dates and the families rewritten into them: asctime, Perforce and Greek.

use super::{char_slice, checked_timestamp, days_from_civil, int, is_space, split_ws};

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// 1-based month for a lower-case English abbreviation.
fn month_number(abbr: &str) -> Option<i64> {
    let index = MONTHS.iter().position(|&m| m == abbr)?;
    i64::try_from(index + 1).ok()
}

/// Zone names seen in RFC 822 dates (RFC 822's own, US abbreviations with and without the
/// daylight letter, military letters, Central European); anything else counts as UTC.
fn zone_hours(name: &str) -> i64 {
    match name {
        "met" => 1,
        "mest" => 2,
        other => super::iso::zone_hours(other),
    }
}

/// `[Weekday,] DD Mon YY[YY] [hh:mm[:ss]] [zone]`, also with day and month swapped, a comma
/// glued to the day, any amount of whitespace, a full month name, no time or no zone.
pub(super) fn rfc822(s: &str) -> Option<i64> {
    let lower = s.to_lowercase();
    let mut parts = split_ws(&lower);
    if parts.len() < 5 {
        parts.extend(["00:00:00", "0000"]);
    }
    if DAY_NAMES.contains(&char_slice(parts.first()?, 0, Some(3))) {
        let weekday = parts.remove(0);
        // "Fri,24 Nov 2023": the day is glued to the weekday.
        if let Some((_, day)) = weekday.rsplit_once(',').filter(|(_, d)| !d.is_empty()) {
            parts.insert(0, day);
        }
    }
    let [first, second, year_text, clock, zone, ..] = parts[..] else {
        return None;
    };
    let month_of = |p: &str| month_number(char_slice(p, 0, Some(3)));
    let (day, month) = match int(first) {
        Some(day) => (day, month_of(second)?),
        None => {
            let month = month_of(first)?;
            (int(second)?, month)
        }
    };

    let mut year = int(year_text)?;
    if year_text.chars().count() <= 2 {
        year += if year < 90 { 2000 } else { 1900 };
    }

    let mut time: Vec<&str> = clock.split(':').collect();
    if time.len() > 3 {
        return None;
    }
    time.resize(3, "0");
    let (hour, minute, second) = (int(time[0])?, int(time[1])?, int(time[2])?);

    let zone = zone.strip_prefix("etc/").unwrap_or(zone);
    let gmt_offset;
    let zone = match zone.strip_prefix("gmt") {
        Some("") | None => zone,
        Some(offset) => {
            gmt_offset = offset.replace(':', "");
            gmt_offset.as_str()
        }
    };
    let (tz_hours, tz_minutes) = if zone.starts_with(['-', '+']) {
        let minutes_from = if zone.contains(':') { 4 } else { 3 };
        let hours = int(char_slice(zone, 1, Some(3)))?;
        let minutes = int(char_slice(zone, minutes_from, None))?;
        if zone.starts_with('-') {
            (-hours, -minutes)
        } else {
            (hours, minutes)
        }
    } else {
        (zone_hours(zone), 0)
    };
    checked_timestamp(
        [year, month, day, hour, minute, second],
        tz_hours,
        tz_minutes,
    )
}

/// `Wkd Mon DD hh:mm:ss [zone] YYYY`, as C `asctime` and Twitter write it.
pub(super) fn asctime(s: &str) -> Option<i64> {
    let mut parts = split_ws(s);
    if parts.len() == 5 {
        parts.insert(4, "+0000");
    }
    let [weekday, month, day, clock, zone, year] = parts[..] else {
        return None;
    };
    rfc822(&[weekday, day, month, year, clock, zone].join(" "))
}

/// Takes one or more whitespace characters.
fn spaces(s: &str) -> Option<&str> {
    let rest = s.trim_start_matches(is_space);
    (rest.len() < s.len()).then_some(rest)
}

/// Takes exactly `n` ASCII digits (the next character must not be a digit).
fn digits(s: &str, n: usize) -> Option<(&str, &str)> {
    let len = s.bytes().take_while(u8::is_ascii_digit).count();
    (len == n).then(|| s.split_at(n))
}

/// Takes between 0 and `max` ASCII digits (the next character must not be a digit).
fn up_to_digits(s: &str, max: usize) -> Option<(&str, &str)> {
    let len = s.bytes().take_while(u8::is_ascii_digit).count();
    (len <= max).then(|| s.split_at(len))
}

/// Takes a non-empty run of non-whitespace.
fn word(s: &str) -> Option<(&str, &str)> {
    let len = s.find(is_space).unwrap_or(s.len());
    (len > 0).then(|| s.split_at(len))
}

/// Weekday names as Greek feeds abbreviate them, with their English equivalent.
const GREEK_WEEKDAYS: [(&str, &str); 7] = [
    ("Κυρ", "Sun"),
    ("Δευ", "Mon"),
    ("Τρι", "Tue"),
    ("Τετ", "Wed"),
    ("Πεμ", "Thu"),
    ("Παρ", "Fri"),
    ("Σαβ", "Sat"),
];

/// Month abbreviations as Greek feeds write them, spelling variants included.
const GREEK_MONTHS: [(&str, &str); 19] = [
    ("Ιαν", "Jan"),
    ("Φεβ", "Feb"),
    ("Μάώ", "Mar"),
    ("Μαώ", "Mar"),
    ("Απρ", "Apr"),
    ("Μάι", "May"),
    ("Μαϊ", "May"),
    ("Μαι", "May"),
    ("Ιούν", "Jun"),
    ("Ιον", "Jun"),
    ("Ιούλ", "Jul"),
    ("Ιολ", "Jul"),
    ("Αύγ", "Aug"),
    ("Αυγ", "Aug"),
    ("Σεπ", "Sep"),
    ("Οκτ", "Oct"),
    ("Νοέ", "Nov"),
    ("Νοε", "Nov"),
    ("Δεκ", "Dec"),
];

fn lookup<'a>(table: &[(&str, &'a str)], key: &str) -> Option<&'a str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// `Κυρ, 11 Ιούλ 2004 12:00:00 EST`: RFC 822 with Greek weekday and month names.
pub(super) fn greek(s: &str) -> Option<i64> {
    let (weekday, rest) = s.split_once(',')?;
    let weekday = lookup(&GREEK_WEEKDAYS, weekday)?;
    let (day, rest) = digits(spaces(rest)?, 2)?;
    let (month, rest) = word(spaces(rest)?)?;
    let month = lookup(&GREEK_MONTHS, month)?;
    let (year, rest) = digits(spaces(rest)?, 4)?;
    let (hour, rest) = digits(spaces(rest)?, 2)?;
    let (minute, rest) = digits(rest.strip_prefix(':')?, 2)?;
    let (second, rest) = digits(rest.strip_prefix(':')?, 2)?;
    let (zone, _) = word(spaces(rest)?)?;
    rfc822(&format!(
        "{weekday}, {day} {month} {year} {hour}:{minute}:{second} {zone}"
    ))
}

/// Zones of RFC 822 proper as the e-mail date parser knows them, in hours.
fn email_zone_hours(name: &str) -> Option<i64> {
    Some(match name {
        "UT" | "UTC" | "GMT" | "Z" => 0,
        "ADT" => -3,
        "AST" | "EDT" => -4,
        "EST" | "CDT" => -5,
        "CST" | "MDT" => -6,
        "MST" | "PDT" => -7,
        "PST" => -8,
        _ => return None,
    })
}

/// `Fri, 2006/09/15 08:19:53 EDT`, as Perforce writes it, found anywhere in the string. Day,
/// hour, minute and second are not range-checked (they count on linearly); month 0 means
/// December; an unknown zone means UTC.
pub(super) fn perforce(s: &str) -> Option<i64> {
    let fields = s
        .match_indices(", ")
        .find_map(|(at, sep)| perforce_fields(s.get(at + sep.len()..)?))?;
    let [year, month, day, hour, minute, second, mut zone] = fields;
    // The e-mail date reader this family goes through takes a numeric zone for a missing year.
    let year = match year {
        "" if zone.starts_with(|c: char| c.is_ascii_digit()) => std::mem::take(&mut zone),
        year => year,
    };
    let mut year = int(year)?;
    if year < 100 {
        year += if year > 68 { 1900 } else { 2000 };
    }
    let month = match int(month)? {
        0 => 12,
        m @ 1..=12 => m,
        _ => return None,
    };
    let zone = zone.to_uppercase();
    let offset = match email_zone_hours(&zone) {
        Some(hours) => hours * 3600,
        // A numeric zone is read as hhmm.
        None => int(&zone).map_or(0, |hhmm| (hhmm / 100) * 3600 + (hhmm % 100) * 60),
    };
    let days = days_from_civil(year, month, int(day)?);
    Some(days * 86_400 + int(hour)? * 3600 + int(minute)? * 60 + int(second)? - offset)
}

/// `YYYY/MM/DD hh:mm:ss zone` with the field widths Perforce allows.
fn perforce_fields(s: &str) -> Option<[&str; 7]> {
    let (year, rest) = up_to_digits(s, 4)?;
    let (month, rest) = up_to_digits(rest.strip_prefix('/')?, 2)?;
    let (day, rest) = digits(rest.strip_prefix('/')?, 2)?;
    let (hour, rest) = up_to_digits(rest.strip_prefix(' ')?, 2)?;
    let (minute, rest) = digits(rest.strip_prefix(':')?, 2)?;
    let (second, rest) = digits(rest.strip_prefix(':')?, 2)?;
    let rest = rest.strip_prefix(' ')?;
    let zone_len: usize = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .take(3)
        .map(char::len_utf8)
        .sum();
    let zone = rest.get(..zone_len)?;
    Some([year, month, day, hour, minute, second, zone])
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn show(secs: Option<i64>) -> Option<String> {
        secs.and_then(|t| DateTime::from_timestamp(t, 0))
            .map(|d| d.format("%Y-%m-%dT%H:%M:%S").to_string())
    }

    #[test]
    fn rfc822_variants() {
        let r = |s| show(rfc822(s));
        assert_eq!(
            r("Thu, 01 Jan 2004 19:48:21 GMT").as_deref(),
            Some("2004-01-01T19:48:21")
        );
        // Two-digit years pivot at 90.
        assert_eq!(
            r("01 Jan 89 00:00 GMT").as_deref(),
            Some("2089-01-01T00:00:00")
        );
        assert_eq!(
            r("01 Jan 90 00:00 GMT").as_deref(),
            Some("1990-01-01T00:00:00")
        );
        // Month before day, full month name, military zone letter.
        assert_eq!(
            r("Sat, January 31 2004 12:00 Y").as_deref(),
            Some("2004-01-31T00:00:00")
        );
        // Weekday typo is not a weekday: the first field must then be a day or a month.
        assert_eq!(r("Thx, 01 Jan 2004 00:00:00 GMT"), None);
        assert_eq!(
            r("Thursday, 01 Jan 2004 10:00:00 +05:30").as_deref(),
            Some("2004-01-01T04:30:00")
        );
        assert_eq!(r("01 Jan 2004 10:00:00 GMT+2"), None);
        assert_eq!(
            r("01 Jan 2004 10:00:00 Europe/Paris").as_deref(),
            Some("2004-01-01T10:00:00")
        );
        // Out-of-range fields are refused.
        assert_eq!(r("31 Feb 2004 10:00:00 GMT"), None);
        assert_eq!(r("01 Jan 2004 10:60:00 GMT"), None);
        assert_eq!(r("01 Jan 2004 1:2:3:4 GMT"), None);
    }

    #[test]
    fn asctime_forms() {
        let a = |s| show(asctime(s));
        assert_eq!(
            a("Sun Jan  4 16:29:06 2004").as_deref(),
            Some("2004-01-04T16:29:06")
        );
        assert_eq!(
            a("Sun Jul 15 01:16:00 -0130 2012").as_deref(),
            Some("2012-07-15T02:46:00")
        );
        assert_eq!(a("Sun Jul 15 01:16:00"), None);
    }

    #[test]
    fn perforce_forms() {
        let p = |s| show(perforce(s));
        assert_eq!(
            p("Fri, 2006/09/15 08:19:53 EDT").as_deref(),
            Some("2006-09-15T12:19:53")
        );
        // Found inside a longer string, two-digit year, numeric zone, rolled-over day.
        assert_eq!(
            p("at Fri, 06/09/31 08:19:53 130 by x").as_deref(),
            Some("2006-10-01T06:49:53")
        );
        assert_eq!(
            p("Fri, 2006/00/15 08:19:53 UTC").as_deref(),
            Some("2006-12-15T08:19:53")
        );
        assert_eq!(p("Fri, 2006/13/15 08:19:53 UTC"), None);
        assert_eq!(p("Fri, /09/15 08:19:53 UTC"), None);
        assert_eq!(
            p("Fri, /09/15 08:19:53 130").as_deref(),
            Some("0130-09-15T08:19:53")
        );
        assert_eq!(p("Fri, 2006/09/15 :19:53 UTC"), None);
    }

    #[test]
    fn greek_names() {
        let g = |s| show(greek(s));
        assert_eq!(
            g("Πεμ, 01 Ιαν 2004 10:00:00 GMT").as_deref(),
            Some("2004-01-01T10:00:00")
        );
        assert_eq!(
            g("Σαβ, 31 Μαϊ 2008 10:00:00 +0300").as_deref(),
            Some("2008-05-31T07:00:00")
        );
        assert_eq!(g("Foo, 01 Ιαν 2004 10:00:00 GMT"), None);
        assert_eq!(g("Πεμ, 01 Jan 2004 10:00:00 GMT"), None);
        assert_eq!(g("Πεμ, 1 Ιαν 2004 10:00:00 GMT"), None);
    }
}
