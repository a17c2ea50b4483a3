//! End-to-end tests of orrery: planets built by the real `orrery` binary,
//! served on loopback and opened in a headless Chromium. The tests live in
//! `tests/`; this library holds what they share.

pub mod chrome;
pub mod planet;
pub mod server;
