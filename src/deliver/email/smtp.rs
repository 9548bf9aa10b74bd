//! How the mail leaves: SMTP over STARTTLS, implicit TLS or plain (or an `.eml` for a dry run),
//! within one deadline for the whole delivery, and every failure turned into one line that says
//! what failed and which flag fixes it, with the password scrubbed from whatever the server said.

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};

use super::*;
use crate::error::{Error, MailError, Result};

/// Sends the message, or writes its exact bytes to the dry-run `.eml` (atomically).
pub fn send(message: &Message, settings: &EmailSettings) -> Result<()> {
    if let Some(path) = &settings.dry_run {
        return crate::output::write_bytes(path, &message.formatted());
    }
    let transport = transport(settings)?;
    // On a thread of its own, so that the bound holds for the whole delivery: lettre's timeout
    // holds per step, and a silent server costs it one wait to connect and another to say QUIT.
    let (done, result) = std::sync::mpsc::channel();
    let message = message.clone();
    crate::par::in_background(move || {
        let _ = done.send(transport.send(&message));
    });
    match result.recv_timeout(settings.timeout) {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(explain(&e, settings)),
        Err(_) => Err(MailError::NotSent {
            reason: format!(
                "{} did not answer within {} s: check --smtp-host/--smtp-port and that a firewall lets the connection through{}",
                settings.server(),
                settings.timeout.as_secs().max(1),
                timeout_hint(settings)
            ),
        }
        .into()),
    }
}

pub(super) fn timeout_hint(settings: &EmailSettings) -> &'static str {
    match settings.security {
        SmtpSecurity::Tls => "",
        _ => " (if this port expects implicit TLS, as 465 does, use --smtp-security tls)",
    }
}

pub(super) fn transport(settings: &EmailSettings) -> Result<SmtpTransport> {
    let tls_parameters = || -> Result<TlsParameters> {
        let mut builder = TlsParameters::builder(settings.host.clone());
        if let Some(ca) = &settings.ca_file {
            builder = builder.add_root_certificate(load_ca(ca)?);
        }
        builder.build_rustls().map_err(|source| {
            MailError::Tls {
                host: settings.host.clone(),
                source,
            }
            .into()
        })
    };
    let tls = match settings.security {
        SmtpSecurity::Starttls => Tls::Required(tls_parameters()?),
        SmtpSecurity::Tls => Tls::Wrapper(tls_parameters()?),
        SmtpSecurity::None => Tls::None,
    };
    let mut builder = SmtpTransport::builder_dangerous(settings.host.as_str())
        .port(settings.port())
        .tls(tls)
        .timeout(Some(settings.timeout));
    if let (Some(user), Some(password)) = (&settings.user, &settings.password) {
        builder = builder.credentials(Credentials::new(
            user.clone(),
            password.expose().to_string(),
        ));
    }
    Ok(builder.build())
}

/// Turns a lettre error into one line that says what failed and which flag fixes it. The password
/// is scrubbed from the text, whatever the server echoed.
pub(super) fn explain(e: &lettre::transport::smtp::Error, settings: &EmailSettings) -> Error {
    let server = settings.server();
    let detail = error_chain(e);
    let io_kind = io_error_kind(e);
    let code = e.status().map(|c| c.to_string());
    let lower = detail.to_ascii_lowercase();
    let timeout_hint = timeout_hint(settings);
    // A password too short to be told apart from the rest of the text: the server's own words
    // (which may echo it) are not shown at all.
    let detail = shown_detail(detail, settings.password.as_ref());
    let what = if io_kind == Some(std::io::ErrorKind::ConnectionRefused) {
        format!(
            "connection to {server} refused: is the server at {server} running? check --smtp-host/--smtp-port"
        )
    } else if e.is_timeout()
        || matches!(
            io_kind,
            Some(std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)
        )
    {
        format!(
            "{server} did not answer within {} s: check --smtp-host/--smtp-port and that a firewall lets the connection through{timeout_hint}",
            settings.timeout.as_secs().max(1)
        )
    } else if lower.contains("failed to lookup address")
        || lower.contains("name or service not known")
        || lower.contains("no such host")
    {
        format!(
            "cannot resolve the SMTP host '{}': check --smtp-host",
            settings.host
        )
    } else if code.as_deref() == Some("535") {
        format!(
            "SMTP authentication failed for user {} at {server}: check {PASSWORD_ENV} / --smtp-password-file (server said: {})",
            settings.user.as_deref().unwrap_or("(none)"),
            server_text(&detail)
        )
    } else if matches!(code.as_deref(), Some("530")) || lower.contains("authentication required") {
        format!(
            "the SMTP server at {server} requires authentication: pass --smtp-user USER and set {PASSWORD_ENV} or --smtp-password-file (server said: {})",
            server_text(&detail)
        )
    } else if lower.contains("starttls is not supported") {
        format!(
            "the SMTP server at {server} does not offer STARTTLS: use --smtp-security tls for implicit TLS (port 465), or none only for a loopback relay"
        )
    } else if lower.contains("no compatible authentication mechanism") {
        format!(
            "the SMTP server at {server} offers no AUTH PLAIN/LOGIN (it may only offer it after STARTTLS): check --smtp-security and --smtp-user"
        )
    } else if lower.contains("notvalidforname") || lower.contains("not valid for name") {
        format!(
            "the certificate of {server} is not valid for the name '{}': give --smtp-host the name the certificate was issued for ({detail})",
            settings.host
        )
    } else if lower.contains("invalid peer certificate") || lower.contains("unknownissuer") {
        format!(
            "certificate not trusted: the certificate of {server} was not accepted ({detail}): pass --smtp-ca-file PEM with the CA that signed it"
        )
    } else if e.is_tls() || lower.contains("corrupt message") || lower.contains("tls") {
        format!(
            "TLS with {server} failed ({detail}): check --smtp-security (tls for implicit TLS, usually port 465; starttls, usually 587)"
        )
    } else if e.is_permanent() || e.is_transient() {
        format!("the SMTP server at {server} refused the email: {detail}")
    } else {
        format!("sending through {server} failed: {detail}")
    };
    let mut reason = what;
    if let Some(password) = &settings.password {
        reason = scrub(
            &reason,
            password.expose(),
            settings.user.as_deref().unwrap_or(""),
        );
    }
    MailError::NotSent { reason }.into()
}

/// The server's words as a message may show them: withheld when the password is too short to
/// be searched for in them.
pub(super) fn shown_detail(detail: String, password: Option<&Secret>) -> String {
    match password {
        Some(p) if p.expose().chars().count() < MIN_SCRUBBED_CHARS => {
            "the server's reply is not shown: the password is too short to be removed from it safely"
                .to_string()
        }
        _ => detail,
    }
}

/// Below this many characters a password is not searched for in a server's reply (a one-letter
/// password is in every word): the reply is withheld instead.
pub(super) const MIN_SCRUBBED_CHARS: usize = 4;

/// `text` with the password removed, as written and in the base64 forms an AUTH PLAIN or AUTH
/// LOGIN exchange carries it in (which a server may echo in an error).
pub(super) fn scrub(text: &str, password: &str, user: &str) -> String {
    if password.is_empty() {
        return text.to_string();
    }
    let forms = [
        password.to_string(),
        base64(password.as_bytes()),
        base64(format!("\0{user}\0{password}").as_bytes()),
        base64(format!("{user}\0{user}\0{password}").as_bytes()),
    ];
    let mut out = text.to_string();
    for form in forms {
        // Without its padding too: a server may trim it.
        for f in [form.as_str(), form.trim_end_matches('=')] {
            if !f.is_empty() {
                out = out.replace(f, "***");
            }
        }
    }
    out
}

/// Standard base64 with padding (RFC 4648), for [`scrub`].
pub(super) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The error and its causes, each once, joined with ": ".
pub(super) fn error_chain(e: &lettre::transport::smtp::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

pub(super) fn io_error_kind(e: &lettre::transport::smtp::Error) -> Option<std::io::ErrorKind> {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        source = s.source();
    }
    None
}

/// The server's own words from "permanent error (535): 5.7.8 ...".
pub(super) fn server_text(detail: &str) -> &str {
    detail
        .split_once("): ")
        .map(|(_, rest)| rest)
        .unwrap_or(detail)
        .trim()
}
