//! People in feeds: RSS gives a free-form string ("jane@example.org (Jane Doe)"), Atom gives
//! name, email and URI; each form is derived from the other as the Universal Feed Parser does.

use crate::model::Common;

/// Finds an e-mail address in a free-form author string ("Jane (jane@example.org)").
fn find_email(s: &str) -> Option<(usize, usize)> {
    let b = s.as_bytes();
    let local_ok = |c: u8| c.is_ascii_alphanumeric() || b"_-.+".contains(&c);
    let mut at = 0;
    while let Some(off) = s[at..].find('@') {
        let pos = at + off;
        let mut start = pos;
        while start > 0 && local_ok(b[start - 1]) {
            start -= 1;
        }
        let mut end = pos + 1;
        while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'-' || b[end] == b'.')
        {
            end += 1;
        }
        // The domain must end in a dot-separated label of 2-4 letters or 1-3 digits.
        let mut domain = &s[pos + 1..end];
        while domain.ends_with('.') {
            domain = &domain[..domain.len() - 1];
        }
        let end = pos + 1 + domain.len();
        let tld = domain.rsplit('.').next().unwrap_or("");
        let tld_ok = domain.contains('.')
            && ((2..=4).contains(&tld.len()) && tld.bytes().all(|c| c.is_ascii_alphabetic())
                || (1..=3).contains(&tld.len()) && tld.bytes().all(|c| c.is_ascii_digit()));
        if start < pos && tld_ok {
            let mut end = end;
            if s[end..].starts_with("?subject=") {
                let rest = &s[end + 9..];
                let n = rest.find(char::is_whitespace).unwrap_or(rest.len());
                if n > 0 {
                    end += 9 + n;
                }
            }
            return Some((start, end));
        }
        at = pos + 1;
    }
    None
}

/// Splits a display string into name and e-mail address; `None` if nothing is left.
pub(crate) fn split_display(display: &str) -> Option<(Option<String>, Option<String>)> {
    if display.is_empty() {
        return None;
    }
    let mut name = display.to_string();
    let mut email = None;
    if let Some((s, e)) = find_email(display) {
        let found = &display[s..e];
        name = name
            .replace(found, "")
            .replace("()", "")
            .replace("<>", "")
            .replace("&lt;&gt;", "");
        let mut n = name.trim();
        n = n.strip_prefix('(').unwrap_or(n);
        n = n.strip_suffix(')').unwrap_or(n);
        name = n.trim().to_string();
        email = Some(found.to_string());
    }
    let name = (!name.is_empty()).then_some(name);
    (name.is_some() || email.is_some()).then_some((name, email))
}

/// Rebuilds the `author` display string from the last author.
pub(crate) fn sync_display(c: &mut Common) {
    let Some(p) = c.authors.last() else {
        return;
    };
    let display = match (&p.name, &p.email) {
        (Some(n), Some(e)) if !n.is_empty() && !e.is_empty() => Some(format!("{n} ({e})")),
        (Some(n), _) if !n.is_empty() => Some(n.clone()),
        (_, Some(e)) if !e.is_empty() => Some(e.clone()),
        _ => None,
    };
    if display.is_some() {
        c.author = display;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_emails_in_author_strings() {
        let s = "Jane Doe (jane@example.org)";
        let (a, b) = find_email(s).unwrap();
        assert_eq!(&s[a..b], "jane@example.org");
        assert!(find_email("no address here").is_none());
        assert!(find_email("me@localhost").is_none());
    }

    #[test]
    fn splits_display_strings() {
        let split = |s| split_display(s).unwrap();
        assert_eq!(
            split("jane@example.org (Jane Doe)"),
            (Some("Jane Doe".into()), Some("jane@example.org".into()))
        );
        assert_eq!(
            split("Jane Doe <jane@example.org>").1.as_deref(),
            Some("jane@example.org")
        );
        assert_eq!(split("Jane"), (Some("Jane".into()), None));
        assert_eq!(split("(a@b.org)"), (None, Some("a@b.org".into())));
        assert!(split_display("").is_none());
    }
}
