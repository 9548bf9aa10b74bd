//! Chat delivery: settings that cannot work (exit 2, naming what fixes them) and a post that
//! failed (exit 1, after the reports are written). No message ever holds the webhook's URL: it
//! carries the signature that lets anyone post.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error(
        "--webhook-url-file was given without --webhook-format: add --webhook-format teams|slack|json"
    )]
    FileWithoutFormat,
    #[error("--webhook-format needs the webhook's URL: set {env} or pass --webhook-url-file FILE")]
    NoUrl { env: &'static str },
    #[error("--webhook-url-file {}: cannot read it ({source})", .path.display())]
    FileUnreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{from}: the first line is empty; put the webhook's URL on it")]
    Empty { from: String },
    #[error(
        "{from}: the webhook's URL must start with https:// (http:// only to this machine, for tests)"
    )]
    NotHttps { from: String },
    #[error("summary not posted to the {format} webhook at {host}: {detail}")]
    Post {
        format: &'static str,
        host: String,
        detail: String,
    },
}

impl WebhookError {
    pub fn exit_code(&self) -> u8 {
        match self {
            WebhookError::Post { .. } => 1,
            _ => 2,
        }
    }
}
