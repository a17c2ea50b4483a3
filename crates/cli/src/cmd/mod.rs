//! One module per subcommand.

pub mod add;
pub mod config;
pub mod expunge;
pub mod fetch;
pub mod init;
pub mod parse;
pub mod theme;
pub mod update;
