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
    pub fn warn(&self, text: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("warning: {}", text.as_ref());
        }
    }

    pub fn note(&self, text: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("note: {}", text.as_ref());
        }
    }
}
