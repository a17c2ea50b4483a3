//! Printing that ends quietly when the reader has gone.
//!
//! `std`'s `print!` panics when standard output is a pipe whose reader has
//! closed it (`orrery parse FEED | head -1`). The crate's `print!`,
//! `println!`, `eprint!` and `eprintln!` (defined in `main.rs`, ahead of
//! every module, so they replace `std`'s everywhere in the program) write
//! through these functions instead: a closed pipe on standard output ends
//! the program with status 0, as if the output had been read; another write
//! error on it ends the program with that error; errors on standard error
//! are ignored, there being nowhere left to report them.

use std::io::{ErrorKind, Write};

/// Writes `text` to standard output (see the module's documentation).
pub fn out(text: std::fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_fmt(text) {
        if e.kind() == ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        let _ = writeln!(
            std::io::stderr(),
            "orrery: writing to standard output: {}",
            orrery_render::io_text(&e)
        );
        std::process::exit(2);
    }
}

/// Writes `text` to standard error, ignoring failures.
pub fn err(text: std::fmt::Arguments<'_>) {
    let _ = std::io::stderr().lock().write_fmt(text);
}
