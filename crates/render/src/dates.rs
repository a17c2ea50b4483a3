//! Dates in the three forms Venus templates expose, always in UTC.

use std::fmt::Write;

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, Utc};

use crate::Error;

/// A validated strftime pattern (`date_format`, `new_date_format`).
///
/// Validating once up front turns a bad pattern into a clear configuration
/// error instead of a failure in the middle of a page.
#[derive(Debug, Clone)]
pub struct DateFormat {
    items: Vec<Item<'static>>,
}

impl DateFormat {
    pub fn new(pattern: &str) -> Result<Self, Error> {
        let items: Vec<Item<'static>> = StrftimeItems::new(pattern)
            .map(|item| item.to_owned())
            .collect();
        if items.iter().any(|item| matches!(item, Item::Error)) {
            return Err(Error::DateFormat(pattern.to_owned()));
        }
        Ok(DateFormat { items })
    }

    pub fn format(&self, date: &DateTime<Utc>) -> String {
        let mut out = String::new();
        // Every item was validated, so formatting cannot fail; an empty
        // string is still a better outcome than a panic.
        if write!(out, "{}", date.format_with_items(self.items.iter())).is_err() {
            out.clear();
        }
        out
    }
}

/// `2004-02-29T02:14:55+00:00`, Venus's `*_iso`.
pub fn iso(date: &DateTime<Utc>) -> String {
    date.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
}

/// `Sun, 29 Feb 2004 02:14:55 +0000`, Venus's `*_822` and RSS dates.
pub fn rfc822(date: &DateTime<Utc>) -> String {
    date.format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// `2004-02-29T02:14:55Z`, for Atom and JSON Feed.
pub fn rfc3339(date: &DateTime<Utc>) -> String {
    date.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use orrery_config::options;

    fn leap() -> DateTime<Utc> {
        // The instant of Venus's tmpl tests (updated.xml, published.xml).
        Utc.with_ymd_and_hms(2004, 2, 29, 2, 14, 55)
            .single()
            .unwrap()
    }

    #[test]
    fn venus_default_patterns() {
        let d = leap();
        let long = DateFormat::new(options::default("date_format")).unwrap();
        let day = DateFormat::new(options::default("new_date_format")).unwrap();
        assert_eq!(long.format(&d), "February 29, 2004 02:14 AM");
        assert_eq!(day.format(&d), "February 29, 2004");
    }

    #[test]
    fn venus_iso_and_822_forms() {
        assert_eq!(iso(&leap()), "2004-02-29T02:14:55+00:00");
        assert_eq!(rfc822(&leap()), "Sun, 29 Feb 2004 02:14:55 +0000");
        assert_eq!(rfc3339(&leap()), "2004-02-29T02:14:55Z");
    }

    #[test]
    fn afternoon_uses_pm_and_twelve_hour_clock() {
        // page.txt of Planet OpenStack: "August 26, 2016 03:49 PM".
        let d = Utc
            .with_ymd_and_hms(2016, 8, 26, 15, 49, 0)
            .single()
            .unwrap();
        let long = DateFormat::new(options::default("date_format")).unwrap();
        assert_eq!(long.format(&d), "August 26, 2016 03:49 PM");
        let noon = Utc
            .with_ymd_and_hms(2016, 8, 15, 12, 0, 0)
            .single()
            .unwrap();
        assert_eq!(long.format(&noon), "August 15, 2016 12:00 PM");
    }

    #[test]
    fn other_strftime_directives() {
        let f = DateFormat::new("%A %j %% %y-%m-%d %H:%M:%S %b %a").unwrap();
        assert_eq!(f.format(&leap()), "Sunday 060 % 04-02-29 02:14:55 Feb Sun");
    }

    #[test]
    fn invalid_pattern_is_an_error_not_a_panic() {
        assert!(DateFormat::new("%Q broken").is_err());
        assert!(DateFormat::new("trailing %").is_err());
    }
}
