//! The mail: settings that cannot work (exit 2, naming the flag that fixes them) and a delivery
//! that failed (exit 1, saying what failed and which flag fixes it).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// An email flag without `--email-to`.
    #[error(
        "{flag} was given without --email-to: add --email-to ADDR (repeatable) to mail the report"
    )]
    WithoutRecipient { flag: &'static str },
    #[error(
        "{flag} '{value}' is not an email address (expected name@example.com or \"Name <name@example.com>\")"
    )]
    NotAMailbox { flag: &'static str, value: String },
    #[error("--email-to needs --email-from ADDR (a sender address the SMTP server accepts)")]
    NoSender,
    #[error("--email-subject must be one line of text (no line breaks or control characters)")]
    SubjectNotOneLine,
    #[error("--smtp-host is empty: give the SMTP server's name")]
    EmptyHost,
    #[error(
        "--email-to needs --smtp-host HOST (or --email-dry-run FILE.eml to write the message instead of sending it)"
    )]
    NoHost,
    #[error("--smtp-port 0 is not a port: give 1-65535 (587 for starttls, 465 for tls)")]
    PortZero,
    #[error("--smtp-password-file needs --smtp-user USER")]
    PasswordFileWithoutUser,
    #[error("--email-max-attachment {given}: give a size in MB, 0 or more (10 is the default)")]
    MaxAttachment { given: String },
    #[error("could not zip {name} for the mail: {detail}")]
    Zip { name: String, detail: String },
    #[error("--smtp-password-file {}: cannot read it ({source})", .path.display())]
    PasswordFileUnreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--smtp-password-file {}: the first line is empty; put the password on it", .path.display())]
    PasswordFileEmpty { path: PathBuf },
    #[error("--smtp-user {user} needs a password: set {env} or pass --smtp-password-file FILE")]
    NoPassword { user: String, env: &'static str },
    #[error(
        "refusing to send the SMTP password unencrypted to {host}: use --smtp-security starttls (or tls)"
    )]
    PlaintextPassword { host: String },
    #[error("--smtp-ca-file {}: {problem}", .path.display())]
    CaFile { path: PathBuf, problem: CaProblem },
    #[error("could not build the email: {0}")]
    Build(#[source] lettre::error::Error),
    #[error("content type {content_type}: {detail}")]
    ContentType {
        content_type: String,
        detail: String,
    },
    #[error("could not encode the attachment {name}")]
    Encode { name: String },
    #[error("email not sent: cannot set up TLS for {host}: {source}")]
    Tls {
        host: String,
        source: lettre::transport::smtp::Error,
    },
    /// What went wrong and which flag fixes it, with the password (and whatever the server
    /// echoed of it) already removed: the SMTP error itself is not kept, since its text may hold
    /// the password.
    #[error("email not sent: {reason}")]
    NotSent { reason: String },
}

/// Why a `--smtp-ca-file` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CaProblem {
    #[error("cannot read it ({0})")]
    Unreadable(#[source] std::io::Error),
    #[error("no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)")]
    NotPem,
    #[error("not a valid PEM certificate ({0})")]
    Invalid(#[source] lettre::transport::smtp::Error),
}

impl MailError {
    /// 2 for settings that cannot work (nothing was tried), 1 for a delivery that failed.
    pub fn exit_code(&self) -> u8 {
        match self {
            MailError::Build(_)
            | MailError::ContentType { .. }
            | MailError::Encode { .. }
            | MailError::Zip { .. }
            | MailError::Tls { .. }
            | MailError::NotSent { .. } => 1,
            _ => 2,
        }
    }
}
