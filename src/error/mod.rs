//! Errors with the exit code they map to, one type per layer (what the command line or the inputs
//! as given got wrong, the config file, the mail, the history, the reports), gathered in [`Error`]
//! and rendered once, by `main_with_args`. Every error that comes from a file names the file, the
//! position and what was expected, in one line, so a scheduler log says what to fix.
//!
//! The types live here rather than beside their layers so that every layer can return any of
//! them (a mail may fail on an output file, a report on a template) without the layers depending
//! on one another.

use std::fmt;
use std::path::{Path, PathBuf};

mod config;
mod history;
mod mail;
mod pull;
mod report;
mod usage;
mod webhook;

pub use config::ConfigError;
pub use history::HistoryError;
pub use mail::{CaProblem, MailError};
pub use pull::PullError;
pub use report::ReportError;
pub use usage::{ColumnsError, Usage};
pub use webhook::WebhookError;

/// Where in a file something went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    /// 1-based line and column in the decoded text.
    LineCol(u64, u64),
    /// 1-based line only (CSV records).
    Line(u64),
    /// Byte offset in the raw file.
    Byte(u64),
    /// The whole file (empty file, unknown format).
    File,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::LineCol(l, c) => write!(f, "{l}:{c}"),
            Position::Line(l) => write!(f, "line {l}"),
            Position::Byte(b) => write!(f, "byte {b}"),
            Position::File => Ok(()),
        }
    }
}

/// Every failure mfaudit reports. `exit_code` maps it to the codes in cli.md.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input file could not be understood: exit 2.
    #[error("{}", fmt_input(path, position, message))]
    Input {
        path: PathBuf,
        position: Position,
        message: String,
    },
    /// The command line, or the inputs as given, are wrong: exit 2.
    #[error(transparent)]
    Usage(#[from] Usage),
    /// The config file is wrong: exit 2.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Reading or writing a file failed: exit 1.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The mail could not be set up (exit 2) or sent (exit 1).
    #[error(transparent)]
    Mail(#[from] MailError),
    /// The history database is missing what was asked (exit 2) or failed (exit 1).
    #[error(transparent)]
    History(#[from] HistoryError),
    #[error(transparent)]
    Webhook(#[from] WebhookError),
    /// The Graph pull was asked wrong (exit 2), or could not be done in full (exit 1).
    #[error(transparent)]
    Pull(#[from] PullError),
    /// A report could not be made: exit 1.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// A reader was told to stop (another part of the run failed, and its error is the one
    /// shown): never printed.
    #[error("the audit stopped")]
    Stopped,
    /// Something that cannot happen did: exit 1.
    #[error("internal error: {0}")]
    Internal(&'static str),
}

fn fmt_input(path: &Path, position: &Position, message: &str) -> String {
    match position {
        Position::File => format!("{}: {message}", path.display()),
        p => format!("{}:{p}: {message}", path.display()),
    }
}

impl Error {
    pub fn input(path: impl Into<PathBuf>, position: Position, message: impl Into<String>) -> Self {
        Error::Input {
            path: path.into(),
            position,
            message: message.into(),
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// The process exit code for this error (cli.md).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Input { .. } | Error::Usage(_) | Error::Config(_) => 2,
            Error::Mail(e) => e.exit_code(),
            Error::History(e) => e.exit_code(),
            Error::Webhook(e) => e.exit_code(),
            Error::Pull(e) => e.exit_code(),
            Error::Io { .. } | Error::Report(_) | Error::Stopped | Error::Internal(_) => 1,
        }
    }

    /// True when the error is a closed pipe on stdout (`mfaudit ... | head`), which is not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
