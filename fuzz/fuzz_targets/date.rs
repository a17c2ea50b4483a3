//! Any string must go through the date parser without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let _ = orrery_feed::date::parse_date(s);
});
