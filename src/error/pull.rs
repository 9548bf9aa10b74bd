//! The Graph pull: what was asked cannot work (exit 2, naming what fixes it), no token could be
//! had, or datasets failed (exit 1, after every other dataset was pulled and the manifest
//! written). No message holds the client secret, the private key or a token.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum PullError {
    #[error("{flag} {url}: not a URL; expected https://host[:port][/path]")]
    BadUrl { flag: &'static str, url: String },
    #[error(
        "{flag} {url}: the token would travel unencrypted; use an https:// URL (http:// only to this machine, for tests)"
    )]
    NotHttps { flag: &'static str, url: String },
    #[error(
        "no credential for the app: pass --certificate FILE.pem or --client-secret-file FILE, or set {env}"
    )]
    NoCredential { env: &'static str },
    #[error("--certificate and --client-secret-file both given: the app signs in with one of them")]
    TwoCredentials,
    #[error("--client-secret-file {}: cannot read it ({source})", crate::text::shown_path(.path))]
    SecretUnreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{from}: the first line is empty; put the client secret on it")]
    EmptySecret { from: String },
    #[error("--certificate {}: {detail}", crate::text::shown_path(.path))]
    Certificate { path: PathBuf, detail: String },
    #[error("the client assertion could not be signed with the certificate's key")]
    Signing,
    #[error("--ca-file {}: {detail}", crate::text::shown_path(.path))]
    CaFile { path: PathBuf, detail: String },
    #[error(
        "--since {value}: expected a number of days or hours back (7d, 12h), a date (2026-11-01) or a time (2026-11-01T08:00:00Z), not in the future"
    )]
    Since { value: String },
    #[error("--tenant and --client-id must not be empty")]
    Empty,
    #[error("--in-flight: expected 1 to {max} requests at once")]
    InFlight { max: usize },
    #[error("--out {}: {detail}", crate::text::shown_path(.path))]
    OutNotDir { path: PathBuf, detail: String },
    #[error(
        "no token from {host}: {detail}; check --tenant, --client-id and the credential registered on the app"
    )]
    Token { host: String, detail: String },
    #[error(
        "{failed} of {total} files not pulled: {list}; the folder keeps their previous versions, if any: see {}",
        crate::text::shown_path(.manifest)
    )]
    Failed {
        failed: usize,
        total: usize,
        list: String,
        manifest: PathBuf,
    },
}

impl PullError {
    pub fn exit_code(&self) -> u8 {
        match self {
            PullError::Token { .. } | PullError::Failed { .. } | PullError::Signing => 1,
            _ => 2,
        }
    }
}
