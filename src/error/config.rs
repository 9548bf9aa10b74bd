//! A config file that cannot be used: exit 2, naming the file and, where there is one, the line
//! and column.

use std::path::PathBuf;

use super::Usage;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: cannot read the config file ({source})", .path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: the config file is not UTF-8 or UTF-16 text: save it as UTF-8", .path.display())]
    NotText { path: PathBuf },
    /// TOML the parser refused, or a key or value it does not take; `place` is `FILE:LINE:COL`
    /// (or the file alone) and `message` the parser's, on one line.
    #[error("{place}: {message}")]
    Syntax { place: String, message: String },
    #[error(
        "{place}: [email] password is not allowed in a config file: set {env} or password-file = \"FILE\" (a file only the job's account can read)"
    )]
    Password { place: String, env: &'static str },
    #[error("{}: date-order = \"{value}\": expected \"mdy\" or \"dmy\"", .path.display())]
    DateOrder { path: PathBuf, value: String },
    /// A `[classes]` key that is not an account class.
    #[error("[classes] {}: not an account class; use break-glass, service-account, shared-mailbox, resource-mailbox or sync-account (a waiver belongs in an exceptions file, with its owner and expiry)", crate::text::escape_control(.name))]
    Class { name: String },
    /// A value the flag of the same name would refuse too.
    #[error("{}: {key}: {source}", .path.display())]
    Value {
        path: PathBuf,
        key: &'static str,
        source: Usage,
    },
}
