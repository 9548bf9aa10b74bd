//! One module per command. Each takes already-parsed options, reads through `input`, asks
//! `report` for its data and writes through `output`.

pub mod audit;
pub mod classic;
pub mod codes;
pub mod history;
pub mod inspect;
pub mod load;
pub mod progress;

/// Warnings and notes on stderr (silenced by `--quiet`); stdout carries data only.
#[derive(Debug, Clone, Copy)]
pub struct Messages {
    pub quiet: bool,
}

impl Messages {
    /// A warning on stderr, as one line: text from inputs in it has its control characters
    /// escaped ([`crate::text::escape_control`]).
    pub fn warn(&self, text: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("warning: {}", crate::text::escape_control(text.as_ref()));
        }
    }

    /// A note on stderr, escaped like a warning.
    pub fn note(&self, text: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("note: {}", crate::text::escape_control(text.as_ref()));
        }
    }
}
