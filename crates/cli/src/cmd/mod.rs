//! One module per subcommand.

pub mod config;
pub mod expunge;
pub mod fetch;
pub mod parse;
pub mod update;
