//! orrery-feed: a liberal feed parser (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, CDF, JSON Feed).
//!
//! Bytes in (plus an optional document URL and HTTP headers), a feed model out; no I/O, so the
//! parser can be fuzzed and reused. Results follow the Universal Feed Parser's conventions so
//! that its test suite applies unchanged.

pub mod date;
pub mod encoding;
