//! When a feed is next due, from what its last fetch said.
//!
//! # Rules
//!
//! After a usable answer (a new copy or a 304) the feed is fresh for as long as its publisher
//! says, the longest of:
//! - `Cache-Control: s-maxage` (a planet is a shared cache), else `max-age`;
//! - without either, `Expires` minus the time of the fetch;
//! - the RSS `<ttl>`, in minutes.
//!
//! A bare `no-cache` or `no-store` cancels the HTTP hints (the publisher wants every request to
//! revalidate), not the `<ttl>`. A hint of zero is no hint.
//!
//! After a failure, the feed is retried at the next round, then at 2, 4 and at most 8 times the
//! planet's interval as failures go on ([`MAX_BACKOFF_FACTOR`]), or later when the server's
//! `Retry-After` (429, 503) says so.
//!
//! Every delay is then clamped:
//! - floor: the planet's interval, counted from the start of the round, so that a feed without
//!   hints (or with `max-age=0`) is fetched once a round, never more often;
//! - ceiling: [`MAX_DELAY`] (or the interval when it is longer), so that a lying hint (`Expires`
//!   in 2100, `max-age` of ten years) cannot freeze a feed. The ceiling is not configurable: a
//!   publisher may ask for less traffic, but a planet still looks at least once a day.
//!
//! Hints are counted from the feed's own fetch, which is what the server's words mean; the
//! floor and the back-off are counted from the round's start, so that they line up with the
//! rounds instead of drifting by the time each feed took. Due times are kept to the second.
//!
//! Without an interval (a one-off `orrery update`), only the hints and `Retry-After` are
//! recorded: nothing is known about the next run.

use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use orrery_store::{DueReason, HttpState};

/// The longest delay any hint can buy: a feed is fetched at least once a day.
pub const MAX_DELAY: Duration = Duration::from_secs(24 * 60 * 60);

/// A failing feed is retried at most this many intervals apart.
pub const MAX_BACKOFF_FACTOR: u32 = 8;

/// When a feed is next due, and what decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub at: DateTime<Utc>,
    pub reason: DueReason,
}

/// What a usable answer said about its freshness.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Hints<'a> {
    pub cache_control: Option<&'a str>,
    pub expires: Option<SystemTime>,
    /// The RSS `<ttl>`, see [`ttl`].
    pub ttl: Option<Duration>,
}

/// The schedule of one run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Schedule {
    /// How often the planet is updated; `None` for a one-off run.
    pub interval: Option<Duration>,
    /// When the round started.
    pub round: DateTime<Utc>,
}

impl Schedule {
    fn ceiling(&self) -> Duration {
        self.interval.map_or(MAX_DELAY, |i| i.max(MAX_DELAY))
    }

    /// Due time after a usable answer fetched at `at`.
    pub fn after_success(&self, at: DateTime<Utc>, hints: &Hints<'_>) -> Option<Due> {
        let http = http_freshness(hints.cache_control, hints.expires, at);
        let ttl = hints.ttl.map(|d| (d, DueReason::Ttl));
        let hinted = match (http, ttl) {
            (Some(h), Some(t)) => Some(if t.0 > h.0 { t } else { h }),
            (h, t) => h.or(t),
        }
        .filter(|(delay, _)| !delay.is_zero())
        .map(|(delay, reason)| Due {
            at: add(at, delay.min(self.ceiling())),
            reason,
        });
        self.at_least_a_round(hinted)
    }

    /// Due time after a failure at `at`; `failures` counts this one.
    pub fn after_failure(
        &self,
        at: DateTime<Utc>,
        retry_after: Option<Duration>,
        failures: u32,
    ) -> Option<Due> {
        let asked = retry_after.map(|wait| Due {
            at: add(at, wait.min(self.ceiling())),
            reason: DueReason::RetryAfter,
        });
        let backoff = self.interval.map(|interval| {
            let factor = 1u32
                .checked_shl(failures.saturating_sub(1).min(31))
                .unwrap_or(u32::MAX)
                .min(MAX_BACKOFF_FACTOR);
            let delay = interval.saturating_mul(factor).min(self.ceiling());
            Due {
                at: add(self.round, delay),
                reason: if factor > 1 {
                    DueReason::Backoff
                } else {
                    DueReason::Interval
                },
            }
        });
        match (asked, backoff) {
            (Some(a), Some(b)) => Some(if b.at > a.at { b } else { a }),
            (a, b) => a.or(b),
        }
    }

    /// Never sooner than one interval after the round's start.
    fn at_least_a_round(&self, due: Option<Due>) -> Option<Due> {
        let Some(interval) = self.interval else {
            return due;
        };
        let floor = Due {
            at: add(self.round, interval),
            reason: DueReason::Interval,
        };
        Some(match due {
            Some(due) if due.at > floor.at => due,
            _ => floor,
        })
    }

    /// Why a feed is not fetched in this round at `now`, if it is not. A run on a schedule
    /// honours every due time; a one-off run only a server's `Retry-After` (and 410 Gone).
    pub fn waiting(&self, http: &HttpState, now: DateTime<Utc>) -> Option<String> {
        if http.gone {
            return Some("gone: the server answered 410 Gone; remove the subscription".into());
        }
        let after = http.next_fetch_after.filter(|t| *t > now)?;
        let when = after.format("%Y-%m-%d %H:%M:%S UTC");
        match http.next_fetch_reason {
            Some(DueReason::RetryAfter) | None => {
                Some(format!("the server asked not to fetch before {when}"))
            }
            Some(reason) if self.interval.is_some() => {
                Some(format!("not due before {when} ({})", reason.as_str()))
            }
            Some(_) => None,
        }
    }
}

/// How long an answer stays fresh by its HTTP headers, per RFC 9111 §4.2.1, for a shared cache.
fn http_freshness(
    cache_control: Option<&str>,
    expires: Option<SystemTime>,
    at: DateTime<Utc>,
) -> Option<(Duration, DueReason)> {
    let mut max_age = None;
    let mut s_maxage = None;
    for directive in cache_control.unwrap_or_default().split(',') {
        let (name, value) = match directive.split_once('=') {
            Some((name, value)) => (name.trim(), Some(value.trim().trim_matches('"'))),
            None => (directive.trim(), None),
        };
        if name.eq_ignore_ascii_case("no-store")
            || (name.eq_ignore_ascii_case("no-cache") && value.is_none())
        {
            return None;
        }
        let seconds = value.and_then(delta_seconds);
        if name.eq_ignore_ascii_case("max-age") {
            max_age = max_age.or(seconds);
        } else if name.eq_ignore_ascii_case("s-maxage") {
            s_maxage = s_maxage.or(seconds);
        }
    }
    if let Some(age) = s_maxage.or(max_age) {
        return Some((age, DueReason::CacheControl));
    }
    let expires = expires?.duration_since(SystemTime::UNIX_EPOCH).ok()?;
    let fetched = u64::try_from(at.timestamp()).ok()?;
    let left = expires.as_secs().checked_sub(fetched)?;
    Some((Duration::from_secs(left), DueReason::Expires))
}

/// `delta-seconds`: digits only; a value too large to hold saturates, as RFC 9111 §1.2.2 asks.
fn delta_seconds(value: &str) -> Option<Duration> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)))
}

/// The RSS `<ttl>` as written (minutes); `None` unless it is a number.
pub(crate) fn ttl(text: &str) -> Option<Duration> {
    let minutes: u64 = text.trim().parse().ok()?;
    Some(Duration::from_secs(minutes.saturating_mul(60)))
}

/// `at + delay`, saturating at the end of time, to the whole second (what
/// the store keeps, so that a report says what was recorded).
fn add(at: DateTime<Utc>, delay: Duration) -> DateTime<Utc> {
    let due = chrono::Duration::from_std(delay)
        .ok()
        .and_then(|d| at.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    DateTime::from_timestamp(due.timestamp(), 0).unwrap_or(due)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    /// The round starts at noon; the feed itself is fetched 20 s later.
    fn noon() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-10T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn fetched() -> DateTime<Utc> {
        noon() + chrono::Duration::seconds(20)
    }

    fn every(minutes: u64) -> Schedule {
        Schedule {
            interval: Some(MIN * u32::try_from(minutes).unwrap()),
            round: noon(),
        }
    }

    fn one_off() -> Schedule {
        Schedule {
            interval: None,
            round: noon(),
        }
    }

    fn cc(value: &str) -> Hints<'_> {
        Hints {
            cache_control: Some(value),
            ..Hints::default()
        }
    }

    fn expires_in(seconds: i64) -> Option<SystemTime> {
        let at = u64::try_from(fetched().timestamp() + seconds).unwrap();
        Some(SystemTime::UNIX_EPOCH + Duration::from_secs(at))
    }

    fn due(after: Option<Due>) -> (i64, DueReason) {
        let due = after.expect("a due time");
        ((due.at - noon()).num_seconds(), due.reason)
    }

    #[test]
    fn no_hint_means_the_next_round() {
        let s = every(30);
        assert_eq!(
            due(s.after_success(fetched(), &Hints::default())),
            (1800, DueReason::Interval)
        );
        for useless in [
            "no-cache",
            "no-store",
            "max-age=0",
            "public",
            "max-age=soon",
            "",
        ] {
            assert_eq!(
                due(s.after_success(fetched(), &cc(useless))),
                (1800, DueReason::Interval),
                "{useless}"
            );
        }
        assert_eq!(one_off().after_success(fetched(), &Hints::default()), None);
    }

    #[test]
    fn cache_control_counts_from_the_fetch() {
        let s = every(30);
        assert_eq!(
            due(s.after_success(fetched(), &cc("public, max-age=3600"))),
            (3620, DueReason::CacheControl)
        );
        // s-maxage speaks to shared caches and wins; names are case-insensitive.
        assert_eq!(
            due(s.after_success(fetched(), &cc("Max-Age=3600, S-MaxAge=\"7200\""))),
            (7220, DueReason::CacheControl)
        );
        // Shorter than a round: the round wins.
        assert_eq!(
            due(s.after_success(fetched(), &cc("max-age=60"))),
            (1800, DueReason::Interval)
        );
        // A one-off run records the hint as it is.
        assert_eq!(
            due(one_off().after_success(fetched(), &cc("max-age=60"))),
            (80, DueReason::CacheControl)
        );
    }

    #[test]
    fn no_cache_cancels_http_hints_but_not_the_ttl() {
        let s = every(30);
        let hints = Hints {
            cache_control: Some("max-age=7200, no-cache"),
            expires: expires_in(7200),
            ttl: None,
        };
        assert_eq!(
            due(s.after_success(fetched(), &hints)),
            (1800, DueReason::Interval)
        );
        // Qualified no-cache is about header fields, not the document.
        assert_eq!(
            due(s.after_success(fetched(), &cc("no-cache=\"Set-Cookie\", max-age=7200"))),
            (7220, DueReason::CacheControl)
        );
        let ttl = Hints {
            cache_control: Some("no-store"),
            ttl: ttl(" 90 "),
            ..Hints::default()
        };
        assert_eq!(
            due(s.after_success(fetched(), &ttl)),
            (5420, DueReason::Ttl)
        );
    }

    #[test]
    fn expires_only_without_max_age() {
        let s = every(30);
        let hints = Hints {
            expires: expires_in(7200),
            ..Hints::default()
        };
        assert_eq!(
            due(s.after_success(fetched(), &hints)),
            (7220, DueReason::Expires)
        );
        let both = Hints {
            cache_control: Some("max-age=3600"),
            ..hints
        };
        assert_eq!(
            due(s.after_success(fetched(), &both)),
            (3620, DueReason::CacheControl)
        );
        let past = Hints {
            expires: expires_in(-60),
            ..Hints::default()
        };
        assert_eq!(
            due(s.after_success(fetched(), &past)),
            (1800, DueReason::Interval)
        );
    }

    #[test]
    fn the_longest_hint_wins() {
        let s = every(30);
        let hints = Hints {
            cache_control: Some("max-age=3600"),
            expires: None,
            ttl: ttl("120"),
        };
        assert_eq!(
            due(s.after_success(fetched(), &hints)),
            (7220, DueReason::Ttl)
        );
        let bad_ttl = Hints {
            ttl: ttl("two hours"),
            ..hints
        };
        assert_eq!(
            due(s.after_success(fetched(), &bad_ttl)),
            (3620, DueReason::CacheControl)
        );
    }

    #[test]
    fn lying_hints_are_held_to_a_day() {
        let s = every(30);
        let day = 24 * 3600 + 20;
        let far = Hints {
            expires: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(4_102_444_800)),
            ..Hints::default()
        };
        assert_eq!(due(s.after_success(fetched(), &far)).0, day);
        assert_eq!(
            due(s.after_success(fetched(), &cc("max-age=99999999999999999999999"))).0,
            day
        );
        assert_eq!(
            due(s.after_success(
                fetched(),
                &Hints {
                    ttl: ttl("18446744073709551615"),
                    ..Hints::default()
                }
            ))
            .0,
            day
        );
        // A planet updated every two days is held to its interval, not to a day.
        assert_eq!(
            due(every(48 * 60).after_success(fetched(), &cc("max-age=999999999"))).0,
            48 * 3600 + 20
        );
    }

    #[test]
    fn failures_back_off_to_eight_intervals() {
        let s = every(30);
        let gaps: Vec<_> = (1..=6)
            .map(|n| due(s.after_failure(fetched(), None, n)))
            .collect();
        assert_eq!(
            gaps,
            [
                (1800, DueReason::Interval),
                (3600, DueReason::Backoff),
                (7200, DueReason::Backoff),
                (14400, DueReason::Backoff),
                (14400, DueReason::Backoff),
                (14400, DueReason::Backoff),
            ]
        );
        assert_eq!(due(s.after_failure(fetched(), None, u32::MAX)).0, 14400);
        // Eight times six hours would be two days: held to one.
        assert_eq!(
            due(every(360).after_failure(fetched(), None, 9)).0,
            24 * 3600
        );
        assert_eq!(one_off().after_failure(fetched(), None, 3), None);
    }

    #[test]
    fn retry_after_when_it_is_later_than_the_back_off() {
        let s = every(30);
        assert_eq!(
            due(s.after_failure(fetched(), Some(MIN * 120), 1)),
            (7220, DueReason::RetryAfter)
        );
        assert_eq!(
            due(s.after_failure(fetched(), Some(MIN), 3)),
            (7200, DueReason::Backoff)
        );
        assert_eq!(
            due(one_off().after_failure(fetched(), Some(MIN), 1)),
            (80, DueReason::RetryAfter)
        );
        assert_eq!(
            due(s.after_failure(fetched(), Some(Duration::MAX), 1)).0,
            24 * 3600 + 20
        );
    }

    #[test]
    fn who_waits_for_what() {
        let now = noon();
        let later = |reason| HttpState {
            next_fetch_after: Some(now + chrono::Duration::minutes(5)),
            next_fetch_reason: Some(reason),
            ..HttpState::default()
        };
        let scheduled = every(30);
        let once = one_off();
        for reason in [
            DueReason::CacheControl,
            DueReason::Backoff,
            DueReason::Interval,
        ] {
            let state = later(reason);
            let wait = scheduled.waiting(&state, now).expect("waits on a schedule");
            assert!(
                wait.contains(reason.as_str()) && wait.contains("12:05:00"),
                "{wait}"
            );
            assert_eq!(once.waiting(&state, now), None, "{reason:?}");
        }
        let asked = later(DueReason::RetryAfter);
        assert!(once.waiting(&asked, now).unwrap().contains("server asked"));
        assert!(scheduled
            .waiting(&asked, now)
            .unwrap()
            .contains("server asked"));
        // Due now or in the past: fetched.
        let due_now = HttpState {
            next_fetch_after: Some(now),
            ..later(DueReason::Ttl)
        };
        assert_eq!(scheduled.waiting(&due_now, now), None);
        let gone = HttpState {
            gone: true,
            ..HttpState::default()
        };
        assert!(once.waiting(&gone, now).unwrap().contains("410"));
    }
}
