//! RFC 822 dates written with the month names of other languages (`Di, 03 Mär 2009`,
//! `3 février 2009 10:00`, `12 ago 2010`, `5 мая 2011`), as localized blog engines emit them.
//!
//! Tried only after every other family has failed, so it never changes a date the reference
//! parser understands; it only rescues ones that it would drop, English dates with a misspelt
//! weekday among them.

use super::split_ws;

/// Month-name beginnings in German, French, Spanish, Italian, Dutch, Portuguese and Russian,
/// with the English abbreviation. A token matches the first entry it starts with, so the longer
/// entries that would otherwise be shadowed come first.
const MONTH_PREFIXES: [(&str, &str); 49] = [
    ("juin", "jun"),
    ("juil", "jul"),
    ("jan", "jan"),
    ("ene", "jan"),
    ("gen", "jan"),
    ("янв", "jan"),
    ("feb", "feb"),
    ("fév", "feb"),
    ("fev", "feb"),
    ("фев", "feb"),
    ("mär", "mar"),
    ("mrz", "mar"),
    ("mrt", "mar"),
    ("mar", "mar"),
    ("мар", "mar"),
    ("apr", "apr"),
    ("avr", "apr"),
    ("abr", "apr"),
    ("апр", "apr"),
    ("mai", "may"),
    ("may", "may"),
    ("mag", "may"),
    ("mei", "may"),
    ("мая", "may"),
    ("май", "may"),
    ("jun", "jun"),
    ("giu", "jun"),
    ("июн", "jun"),
    ("jul", "jul"),
    ("lug", "jul"),
    ("июл", "jul"),
    ("aug", "aug"),
    ("aoû", "aug"),
    ("ago", "aug"),
    ("авг", "aug"),
    ("sep", "sep"),
    ("set", "sep"),
    ("сен", "sep"),
    ("okt", "oct"),
    ("oct", "oct"),
    ("ott", "oct"),
    ("out", "oct"),
    ("окт", "oct"),
    ("nov", "nov"),
    ("ноя", "nov"),
    ("dez", "dec"),
    ("déc", "dec"),
    ("dic", "dec"),
    ("дек", "dec"),
];

/// The English abbreviation of a lower-case month name in any of the known languages.
fn english_month(token: &str) -> Option<&'static str> {
    let token = token.trim_end_matches(['.', ',']);
    MONTH_PREFIXES
        .iter()
        .find(|(prefix, _)| token.starts_with(prefix))
        .map(|(_, english)| *english)
}

/// `[weekday,] D[.] month YYYY [time [zone]]` or with month and day swapped, in any language
/// of the table; the weekday is recognised by its comma, whatever its language.
pub(super) fn localized(s: &str) -> Option<i64> {
    let lower = s.to_lowercase();
    let mut tokens = split_ws(&lower);
    if tokens.first()?.ends_with(',') {
        tokens.remove(0);
    }
    let [first, second, rest @ ..] = &tokens[..] else {
        return None;
    };
    let (day, month) = match english_month(second) {
        Some(month) => (first, month),
        None => (second, english_month(first)?),
    };
    let day = day.trim_end_matches(['.', ',']);
    super::rfc822::rfc822(&format!("{day} {month} {}", rest.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn show(s: &str) -> Option<String> {
        localized(s)
            .and_then(|t| DateTime::from_timestamp(t, 0))
            .map(|d| d.format("%Y-%m-%dT%H:%M:%S").to_string())
    }

    #[test]
    fn month_names_of_other_languages() {
        let cases = [
            ("Di, 03 Mär 2009 10:00:00 +0100", "2009-03-03T09:00:00"),
            ("Dienstag, 3. März 2009", "2009-03-03T00:00:00"),
            ("mer., 3 févr. 2010 08:00:00 GMT", "2010-02-03T08:00:00"),
            ("lun, 2 juin 2008 12:00", "2008-06-02T12:00:00"),
            ("mié, 12 ago 2010 10:00:00 +0200", "2010-08-12T08:00:00"),
            ("12 dicembre 2011 10:00", "2011-12-12T10:00:00"),
            ("ma, 14 mrt 2011 09:00:00 GMT", "2011-03-14T09:00:00"),
            ("qua, 05 out 2011 10:00:00 -0300", "2011-10-05T13:00:00"),
            ("5 мая 2011 10:00:00 +0400", "2011-05-05T06:00:00"),
            ("Dez 24 2012 18:00:00 GMT", "2012-12-24T18:00:00"),
            // A misspelt weekday is just as well recognised by its comma.
            ("Thx, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21"),
        ];
        for (input, expected) in cases {
            assert_eq!(show(input).as_deref(), Some(expected), "{input:?}");
        }
    }

    #[test]
    fn still_needs_a_real_date() {
        for input in [
            "Mo, 31 Feb 2009",
            "3 Foo 2009",
            "Mär 2009",
            "Di, 3 Mär zwei",
            "",
        ] {
            assert_eq!(show(input), None, "{input:?}");
        }
    }
}
