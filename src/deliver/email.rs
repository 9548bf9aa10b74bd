//! The summary mail: who gets it and how ([`EmailSettings`], from the `--email-*` / `--smtp-*`
//! flags), what it says ([`compose`]: a subject that leads with the number of enabled users not
//! registered, a plain-text and a mail-client HTML summary, the full report and the CSV attached)
//! and how it leaves ([`send`]: SMTP over STARTTLS, implicit TLS or plain, or an `.eml` for a dry
//! run).
//!
//! The SMTP password comes from `MFAUDIT_SMTP_PASSWORD` or `--smtp-password-file`, never from a
//! flag value, and is kept in a [`Secret`] that prints as `***` everywhere. SMTP failures become
//! one-line [`MailError`]s that say what failed and which flag fixes it.

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Attachment, Body, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use serde::{Serialize, Serializer};

use crate::error::{CaProblem, Error, MailError, Result};
use crate::report::audit::{AuditReport, AuditUser, flag};
use crate::text::plural;

/// The environment variable that holds the SMTP password.
pub const PASSWORD_ENV: &str = "MFAUDIT_SMTP_PASSWORD";
/// Attachments above this many bytes in total are left out (with a note in the body).
pub const DEFAULT_MAX_ATTACHMENT_BYTES: u64 = 10 * 1024 * 1024;
/// How long the whole delivery may take (connecting, every reply, the message itself): a server
/// that goes silent at any step is given up on after this, and the message says so.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(60);
/// File name of the attached HTML report.
pub const REPORT_ATTACHMENT: &str = "mfaudit-report.html";
/// File name of the attached per-user CSV.
pub const CSV_ATTACHMENT: &str = "mfaudit-users.csv";
/// How many users the body lists by name before "and N more".
const LISTED_USERS: usize = 50;
/// How many rows of "completed by" / "denied because" the body shows.
const LISTED_REASONS: usize = 5;

/// A password: its Debug, Display and Serialize forms are `***`, so no log, error or dump of the
/// settings can show it. [`Secret::expose`] is the only way to the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The password itself, for the SMTP AUTH exchange only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str("***")
    }
}

/// How the mail leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// STARTTLS, required (port 587).
    #[default]
    Starttls,
    /// Implicit TLS (port 465).
    Tls,
    /// No encryption (loopback relays only).
    None,
}

/// The mail as asked for (by the flags, the config file or both), before it is checked: what
/// [`settings`] validates. The messages name the flags, which the config keys mirror.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    /// `--email-to`, repeatable.
    pub to: Vec<String>,
    pub from: Option<String>,
    pub subject: Option<String>,
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u16>,
    pub smtp_security: Option<SmtpSecurity>,
    pub smtp_user: Option<String>,
    pub smtp_password_file: Option<PathBuf>,
    pub smtp_ca_file: Option<PathBuf>,
    pub email_dry_run: Option<PathBuf>,
}

/// Everything needed to compose and send the mail, validated.
#[derive(Debug, Clone, Serialize)]
pub struct EmailSettings {
    /// Recipients, each a valid mailbox (`a@b` or `Name <a@b>`).
    pub to: Vec<String>,
    pub from: String,
    /// A subject that replaces the default; `{unregistered}` and `{date}` are filled in.
    pub subject: Option<String>,
    /// The SMTP server; empty only for a dry run without `--smtp-host`.
    pub host: String,
    /// The port given; [`EmailSettings::port`] gives the effective one.
    pub port: Option<u16>,
    pub security: SmtpSecurity,
    pub user: Option<String>,
    pub password: Option<Secret>,
    /// An extra CA (PEM) trusted for the server, on top of the system's.
    pub ca_file: Option<PathBuf>,
    /// Write the message to this `.eml` instead of sending it.
    pub dry_run: Option<PathBuf>,
    /// Above this total, attachments are left out and the body says where the files are.
    pub max_attachment_bytes: u64,
    /// Per-step SMTP timeout ([`SMTP_TIMEOUT`] unless a test shortens it).
    pub timeout: Duration,
    /// Report files already written (`--html`, `--csv`, `--json`): named in the body when the
    /// attachments are too large to send. Set by the caller after writing them.
    pub report_files: Vec<PathBuf>,
}

impl EmailSettings {
    /// The port in use: the one given, else 587 (starttls), 465 (tls) or 25 (none).
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::None => 25,
        })
    }

    /// `host:port`, as messages name the server.
    pub fn server(&self) -> String {
        format!("{}:{}", self.host, self.port())
    }
}

/// Builds the settings from the flags, the password from `MFAUDIT_SMTP_PASSWORD` or
/// `--smtp-password-file`. `None` when no `--email-to` was given (and no other email flag).
pub fn settings(args: &Options) -> Result<Option<EmailSettings>> {
    settings_with_env_password(args, std::env::var(PASSWORD_ENV).ok())
}

/// [`settings`] with the value of `MFAUDIT_SMTP_PASSWORD` passed in (tests, and callers that read
/// the environment once).
pub fn settings_with_env_password(
    args: &Options,
    env_password: Option<String>,
) -> Result<Option<EmailSettings>> {
    if args.to.is_empty() {
        let given = [
            ("--email-from", args.from.is_some()),
            ("--email-subject", args.subject.is_some()),
            ("--smtp-host", args.smtp_host.is_some()),
            ("--smtp-port", args.smtp_port.is_some()),
            ("--smtp-security", args.smtp_security.is_some()),
            ("--smtp-user", args.smtp_user.is_some()),
            ("--smtp-password-file", args.smtp_password_file.is_some()),
            ("--smtp-ca-file", args.smtp_ca_file.is_some()),
            ("--email-dry-run", args.email_dry_run.is_some()),
        ];
        if let Some((flag, _)) = given.iter().find(|(_, set)| *set) {
            return Err(MailError::WithoutRecipient { flag }.into());
        }
        return Ok(None);
    }
    for to in &args.to {
        parse_mailbox("--email-to", to)?;
    }
    let from = args.from.clone().ok_or(MailError::NoSender)?;
    parse_mailbox("--email-from", &from)?;
    if let Some(subject) = &args.subject
        && subject.chars().any(char::is_control)
    {
        return Err(MailError::SubjectNotOneLine.into());
    }
    let host = match (&args.smtp_host, &args.email_dry_run) {
        (Some(h), _) if h.trim().is_empty() => {
            return Err(MailError::EmptyHost.into());
        }
        (Some(h), _) => h.trim().to_string(),
        (None, Some(_)) => String::new(),
        (None, None) => {
            return Err(MailError::NoHost.into());
        }
    };
    if args.smtp_port == Some(0) {
        return Err(MailError::PortZero.into());
    }
    let security = args.smtp_security.unwrap_or_default();

    if args.smtp_password_file.is_some() && args.smtp_user.is_none() {
        return Err(MailError::PasswordFileWithoutUser.into());
    }
    let password = match &args.smtp_password_file {
        Some(path) => Some(read_password_file(path)?),
        None => env_password.filter(|p| !p.is_empty()).map(Secret::new),
    };
    let password = match (&args.smtp_user, password) {
        (Some(user), None) => {
            return Err(MailError::NoPassword {
                user: user.clone(),
                env: PASSWORD_ENV,
            }
            .into());
        }
        // A password in the environment alone (no user) is not used: there is no one to log in as.
        (None, _) => None,
        (Some(_), p) => p,
    };
    if password.is_some() && security == SmtpSecurity::None && !is_loopback(&host) {
        return Err(MailError::PlaintextPassword { host }.into());
    }
    if let Some(ca) = &args.smtp_ca_file {
        load_ca(ca)?;
    }
    Ok(Some(EmailSettings {
        to: args.to.clone(),
        from,
        subject: args.subject.clone(),
        host,
        port: args.smtp_port,
        security,
        user: args.smtp_user.clone(),
        password,
        ca_file: args.smtp_ca_file.clone(),
        dry_run: args.email_dry_run.clone(),
        max_attachment_bytes: DEFAULT_MAX_ATTACHMENT_BYTES,
        timeout: SMTP_TIMEOUT,
        report_files: Vec::new(),
    }))
}

fn parse_mailbox(flag: &'static str, value: &str) -> Result<Mailbox> {
    value.trim().parse::<Mailbox>().map_err(|_| {
        MailError::NotAMailbox {
            flag,
            value: value.to_string(),
        }
        .into()
    })
}

/// The first line of the file, without its line ending (and a leading BOM).
fn read_password_file(path: &Path) -> Result<Secret> {
    let text =
        std::fs::read_to_string(path).map_err(|source| MailError::PasswordFileUnreadable {
            path: path.to_path_buf(),
            source,
        })?;
    let first = text
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap_or("")
        .trim_end_matches('\r');
    if first.is_empty() {
        return Err(MailError::PasswordFileEmpty {
            path: path.to_path_buf(),
        }
        .into());
    }
    Ok(Secret::new(first))
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Reads a PEM file of CA certificates (at least one).
fn load_ca(path: &Path) -> Result<Certificate> {
    let problem = |problem| MailError::CaFile {
        path: path.to_path_buf(),
        problem,
    };
    let pem = std::fs::read(path).map_err(|e| problem(CaProblem::Unreadable(e)))?;
    if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
        return Err(problem(CaProblem::NotPem).into());
    }
    Certificate::from_pem(&pem).map_err(|e| problem(CaProblem::Invalid(e)).into())
}

/// The subject: the custom one (with `{unregistered}` and `{date}` filled in) or
/// "N enabled users not registered for MFA — mfaudit audit DATE", plus "(+A / -B since last run)"
/// when the report carries changes: A users newly not registered, B newly registered.
pub fn subject(report: &AuditReport, custom: Option<&str>) -> String {
    let v = crate::report::findings::unregistered(&report.summary);
    let unregistered = match (v.all_unknown, v.unknown) {
        (true, _) => "unknown".to_string(),
        (false, 0) => v.found.to_string(),
        (false, u) => format!("{} (+{u} unknown)", v.found),
    };
    let date = report_date(report);
    if let Some(custom) = custom {
        return custom
            .replace("{unregistered}", &unregistered)
            .replace("{date}", date);
    }
    let mut s = if v.all_unknown && report.summary.users_total == 0 {
        format!("MFA registration unknown (no directory export) — mfaudit audit {date}")
    } else if v.all_unknown {
        format!(
            "MFA registration unknown for {} enabled {} — mfaudit audit {date}",
            v.unknown,
            if v.unknown == 1 { "user" } else { "users" }
        )
    } else {
        let users = if v.found == 1 { "user" } else { "users" };
        format!("{unregistered} enabled {users} not registered for MFA — mfaudit audit {date}")
    };
    if let Some(changes) = &report.changes {
        let _ = write!(
            s,
            " (+{} / -{} since last run)",
            changes.newly_unregistered.len(),
            changes.newly_registered.len()
        );
    }
    s
}

/// The date part of `generated_at` (YYYY-MM-DD), or the whole value when it has no such prefix.
fn report_date(report: &AuditReport) -> &str {
    let g = report.generated_at.as_str();
    match g.get(..10) {
        Some(d)
            if d.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            }) =>
        {
            d
        }
        _ => g,
    }
}

/// An attachment the size limit kept out of the mail.
struct LeftOut {
    name: &'static str,
    bytes: u64,
}

/// Builds the message: multipart/mixed of multipart/alternative (text, mail-client HTML) and the
/// attachments `mfaudit-report.html` and `mfaudit-users.csv`. Attachments that would take the
/// total above `max_attachment_bytes` are left out and the body says so and where the files are
/// (no compression: that would take a zip crate).
pub fn compose(
    report: &AuditReport,
    html_report: &str,
    users_csv: &[u8],
    settings: &EmailSettings,
) -> Result<Message> {
    let mut budget = settings.max_attachment_bytes;
    let mut attach_html = false;
    let mut attach_csv = false;
    let mut left_out = Vec::new();
    for (name, bytes, keep) in [
        (
            REPORT_ATTACHMENT,
            html_report.len() as u64,
            &mut attach_html,
        ),
        (CSV_ATTACHMENT, users_csv.len() as u64, &mut attach_csv),
    ] {
        if bytes <= budget {
            budget -= bytes;
            *keep = true;
        } else {
            left_out.push(LeftOut { name, bytes });
        }
    }
    let attached: Vec<&str> = [
        (REPORT_ATTACHMENT, attach_html),
        (CSV_ATTACHMENT, attach_csv),
    ]
    .into_iter()
    .filter(|(_, keep)| *keep)
    .map(|(name, _)| name)
    .collect();
    let body = Summaries {
        report,
        attached: &attached,
        left_out: &left_out,
        limit: settings.max_attachment_bytes,
        report_files: &settings.report_files,
    };

    let mut builder = Message::builder()
        .from(parse_mailbox("--email-from", &settings.from)?)
        .subject(subject(report, settings.subject.as_deref()))
        .message_id(None)
        .user_agent(format!("mfaudit/{}", env!("CARGO_PKG_VERSION")));
    for to in &settings.to {
        builder = builder.to(parse_mailbox("--email-to", to)?);
    }
    let mut mixed =
        MultiPart::mixed().multipart(MultiPart::alternative_plain_html(body.text(), body.html()));
    if attach_html {
        mixed = mixed.singlepart(attachment(
            REPORT_ATTACHMENT,
            html_report.as_bytes().to_vec(),
            "text/html; charset=utf-8",
        )?);
    }
    if attach_csv {
        mixed = mixed.singlepart(attachment(
            CSV_ATTACHMENT,
            users_csv.to_vec(),
            "text/csv; charset=utf-8",
        )?);
    }
    builder
        .multipart(mixed)
        .map_err(|e| MailError::Build(e).into())
}

/// An attachment in base64, so its bytes (CRLF line ends of the CSV included) arrive exactly as
/// written, whatever the relays do to line endings.
fn attachment(name: &str, bytes: Vec<u8>, content_type: &str) -> Result<SinglePart> {
    let ct = ContentType::parse(content_type).map_err(|e| MailError::ContentType {
        content_type: content_type.to_string(),
        detail: e.to_string(),
    })?;
    let body = Body::new_with_encoding(bytes, ContentTransferEncoding::Base64).map_err(|_| {
        MailError::Encode {
            name: name.to_string(),
        }
    })?;
    Ok(Attachment::new(name.to_string()).body(body, ct))
}

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

fn timeout_hint(settings: &EmailSettings) -> &'static str {
    match settings.security {
        SmtpSecurity::Tls => "",
        _ => " (if this port expects implicit TLS, as 465 does, use --smtp-security tls)",
    }
}

fn transport(settings: &EmailSettings) -> Result<SmtpTransport> {
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
fn explain(e: &lettre::transport::smtp::Error, settings: &EmailSettings) -> Error {
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
fn shown_detail(detail: String, password: Option<&Secret>) -> String {
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
const MIN_SCRUBBED_CHARS: usize = 4;

/// `text` with the password removed, as written and in the base64 forms an AUTH PLAIN or AUTH
/// LOGIN exchange carries it in (which a server may echo in an error).
fn scrub(text: &str, password: &str, user: &str) -> String {
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
fn base64(bytes: &[u8]) -> String {
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
fn error_chain(e: &lettre::transport::smtp::Error) -> String {
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

fn io_error_kind(e: &lettre::transport::smtp::Error) -> Option<std::io::ErrorKind> {
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
fn server_text(detail: &str) -> &str {
    detail
        .split_once("): ")
        .map(|(_, rest)| rest)
        .unwrap_or(detail)
        .trim()
}

/// The two summaries (text and HTML) of one report.
struct Summaries<'a> {
    report: &'a AuditReport,
    attached: &'a [&'a str],
    left_out: &'a [LeftOut],
    limit: u64,
    report_files: &'a [PathBuf],
}

impl Summaries<'_> {
    fn unregistered(&self) -> Vec<&AuditUser> {
        self.report
            .users
            .iter()
            .filter(|u| u.enabled == Some(true) && u.registered == Some(false))
            .collect()
    }

    fn admins_without_mfa(&self) -> Vec<&AuditUser> {
        self.report
            .users
            .iter()
            .filter(|u| u.flags.iter().any(|f| f == flag::ADMIN_WITHOUT_MFA))
            .collect()
    }

    fn headline(&self) -> String {
        let s = &self.report.summary;
        let v = crate::report::findings::unregistered(s);
        if v.unknown == 0 && !v.all_unknown {
            format!(
                "{} of {} {} not registered for MFA.",
                s.unregistered_enabled,
                plural(s.users_enabled, "enabled user", "enabled users"),
                if s.unregistered_enabled == 1 {
                    "is"
                } else {
                    "are"
                }
            )
        } else {
            v.sentence
        }
    }

    /// Each finding in one sentence: what was found, or what is unknown and what would settle it.
    fn findings(&self) -> Vec<String> {
        use crate::report::findings;
        let s = &self.report.summary;
        let flagged = |names: &[&str]| {
            self.report
                .users
                .iter()
                .filter(|u| u.flags.iter().any(|f| names.contains(&f.as_ref())))
                .count() as u64
        };
        vec![
            findings::unregistered(s).sentence,
            findings::admins_without_mfa(s).sentence,
            findings::unable_to_complete(s).sentence,
            findings::fraud_and_fatigue(
                s,
                flagged(&[
                    flag::FRAUD_REPORTED,
                    flag::PUSH_FATIGUE,
                    flag::BLOCKED,
                    flag::BYPASS_USED,
                ]),
            )
            .sentence,
            findings::telephony_only(s, flagged(&[flag::TELEPHONY_ONLY])).sentence,
        ]
    }

    fn changes_line(&self) -> Option<String> {
        let c = self.report.changes.as_ref()?;
        let n = |v: usize| v as u64;
        Some(format!(
            "Since the run of {}: {} newly not registered, {} newly registered, {}, {} added, {} removed.",
            c.previous_run,
            n(c.newly_unregistered.len()),
            n(c.newly_registered.len()),
            plural(
                n(c.state_changed.len()),
                "per-user state change",
                "per-user state changes"
            ),
            plural(n(c.users_added.len()), "user", "users"),
            n(c.users_removed.len())
        ))
    }

    fn count_lines(&self) -> Vec<(&'static str, String)> {
        let s = &self.report.summary;
        let p = &s.per_user_state;
        let directory = if s.users_total == 0 {
            "no directory export among the inputs: registration and sign-in state unknown"
                .to_string()
        } else {
            let mut d = format!(
                "{}, {} enabled: {} registered, {} not registered",
                plural(s.users_total, "user", "users"),
                s.users_enabled,
                s.registered_enabled,
                s.unregistered_enabled
            );
            if s.registration_unknown_enabled > 0 {
                let _ = write!(d, ", {} unknown", s.registration_unknown_enabled);
            }
            d
        };
        let mut lines = vec![("Directory", directory)];
        if s.users_total > 0 {
            lines.push((
                "Per-user MFA state",
                format!(
                    "enforced {}, enabled {}, disabled {}, unknown {}",
                    p.enforced, p.enabled, p.disabled, p.unknown
                ),
            ));
        }
        if s.activity_inputs == 0 {
            lines.push((
                "Sign-ins",
                "no sign-in log among the inputs: challenges, completions and denials unknown"
                    .to_string(),
            ));
            return lines;
        }
        lines.push((
            "Sign-ins",
            format!(
                "{}, {}",
                plural(s.signins_total, "sign-in", "sign-ins"),
                plural(s.mfa_challenges, "MFA challenge", "MFA challenges")
            ),
        ));
        lines.push((
            "Challenged users",
            format!(
                "{}: {} completed MFA, {} unable to complete, {} with failures",
                s.challenged_users,
                s.users_completed_mfa,
                s.users_unable_to_complete,
                s.users_with_failures
            ),
        ));
        lines
    }

    fn attachments_note(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if !self.attached.is_empty() {
            notes.push(format!("Attached: {}.", self.attached.join(", ")));
        }
        if !self.left_out.is_empty() {
            let names: Vec<String> = self
                .left_out
                .iter()
                .map(|l| format!("{} ({})", l.name, human_bytes(l.bytes)))
                .collect();
            notes.push(format!(
                "Not attached: {}: the attachments would exceed the limit of {} per mail.",
                names.join(", "),
                human_bytes(self.limit)
            ));
            if self.report_files.is_empty() {
                notes.push(
                    "The reports were not written to disk; run the audit with --html FILE and --csv FILE to keep them."
                        .to_string(),
                );
            } else {
                let files: Vec<String> = self
                    .report_files
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect();
                notes.push(format!(
                    "The report files were written to: {}.",
                    files.join(", ")
                ));
            }
        }
        notes
    }

    fn footer(&self) -> String {
        format!(
            "mfaudit {} · generated {} · {} input files",
            env!("CARGO_PKG_VERSION"),
            self.report.generated_at,
            self.report.inputs.len()
        )
    }

    fn text(&self) -> String {
        let r = self.report;
        let mut t = String::new();
        let _ = writeln!(t, "{}", self.headline());
        if let Some(c) = self.changes_line() {
            let _ = writeln!(t, "{c}");
        }
        t.push('\n');
        for (label, value) in self.count_lines() {
            let _ = writeln!(t, "{label}: {value}");
        }
        let _ = writeln!(t, "\nFindings");
        for f in self.findings() {
            let _ = writeln!(t, "  - {f}");
        }
        if !r.questions.is_empty() {
            let _ = writeln!(t, "\nThe six questions");
            for (i, q) in r.questions.iter().enumerate() {
                let _ = writeln!(t, "{}. {}\n   {}", i + 1, q.question, q.answer);
            }
        }
        if !r.mfa_completed_by.is_empty() {
            let _ = writeln!(t, "\nMFA completed by");
            for h in r.mfa_completed_by.iter().take(LISTED_REASONS) {
                let _ = writeln!(
                    t,
                    "  {}: {} sign-ins, {} users",
                    h.shown(),
                    h.count,
                    h.users
                );
            }
        }
        if !r.mfa_denied_because.is_empty() {
            let _ = writeln!(t, "\nMFA denied because");
            for d in r.mfa_denied_because.iter().take(LISTED_REASONS) {
                let _ = writeln!(
                    t,
                    "  {}: {}, {}",
                    d.reason,
                    plural(d.count, "sign-in", "sign-ins"),
                    plural(d.users, "user", "users")
                );
            }
        }
        for (title, users) in [
            ("Admins without MFA", self.admins_without_mfa()),
            ("Enabled users not registered", self.unregistered()),
        ] {
            if users.is_empty() {
                continue;
            }
            let _ = writeln!(t, "\n{title} ({})", users.len());
            for u in users.iter().take(LISTED_USERS) {
                let _ = writeln!(t, "  {}", u.upn);
            }
            if users.len() > LISTED_USERS {
                let _ = writeln!(
                    t,
                    "  ... and {} more (see the CSV)",
                    users.len() - LISTED_USERS
                );
            }
        }
        if !r.warnings.is_empty() {
            let _ = writeln!(t, "\nData warnings");
            for w in &r.warnings {
                let _ = writeln!(t, "  - {w}");
            }
        }
        t.push('\n');
        for note in self.attachments_note() {
            let _ = writeln!(t, "{note}");
        }
        let _ = writeln!(t, "\n-- \n{}", self.footer());
        t
    }

    /// Table-based HTML with inline styles only: what Outlook's Word engine and Gmail render.
    fn html(&self) -> String {
        const TD: &str = "padding:4px 8px;border-bottom:1px solid #ddd;vertical-align:top";
        const TH: &str = "padding:4px 8px;border-bottom:2px solid #999;text-align:left";
        const H2: &str = "font-size:16px;margin:20px 0 6px 0";
        let r = self.report;
        let s = &r.summary;
        let mut h = String::new();
        h.push_str(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>mfaudit</title></head>\n",
        );
        h.push_str("<body style=\"margin:0;padding:16px;font-family:Segoe UI,Arial,sans-serif;font-size:14px;color:#222\">\n");
        let _ = writeln!(
            h,
            "<h1 style=\"font-size:20px;margin:0 0 8px 0\">{}</h1>",
            esc(&self.headline())
        );
        if let Some(c) = self.changes_line() {
            let _ = writeln!(h, "<p style=\"margin:0 0 8px 0\">{}</p>", esc(&c));
        }
        // The bar: rounded percents of the enabled users; "not registered" takes the rounding
        // remainder, so the three add up to 100 and "unknown" shows only when some are unknown.
        let rounded = |n: u64| {
            n.saturating_mul(100)
                .saturating_add(s.users_enabled / 2)
                .checked_div(s.users_enabled)
                .map(|p| p.min(100))
        };
        let unknown = s
            .users_enabled
            .saturating_sub(s.registered_enabled.saturating_add(s.unregistered_enabled));
        if let (Some(registered_pct), Some(unknown_pct)) =
            (rounded(s.registered_enabled), rounded(unknown))
        {
            let unknown_pct = if unknown > 0 { unknown_pct.max(1) } else { 0 };
            let unknown_pct = unknown_pct.min(100 - registered_pct);
            let unregistered_pct = 100 - registered_pct - unknown_pct;
            let rest = unknown_pct;
            h.push_str("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"border-collapse:collapse;margin:8px 0\"><tr>");
            for (pct, color, label) in [
                (registered_pct, "#2e7d32", "registered"),
                (unregistered_pct, "#c62828", "not registered"),
                (rest, "#9e9e9e", "unknown"),
            ] {
                if pct > 0 {
                    let _ = write!(
                        h,
                        "<td style=\"width:{pct}%;background:{color};color:#fff;font-size:12px;padding:2px 4px\">{pct}% {label}</td>"
                    );
                }
            }
            h.push_str("</tr></table>\n");
        }
        let _ = writeln!(
            h,
            "<table cellpadding=\"0\" cellspacing=\"0\" style=\"border-collapse:collapse\">"
        );
        for (label, value) in self.count_lines() {
            let _ = writeln!(
                h,
                "<tr><th style=\"{TH};border-bottom:1px solid #ddd\">{}</th><td style=\"{TD}\">{}</td></tr>",
                esc(label),
                esc(&value)
            );
        }
        h.push_str("</table>\n");
        let _ = writeln!(
            h,
            "<h2 style=\"{H2}\">Findings</h2>\n<ul style=\"margin:0;padding-left:20px\">"
        );
        for f in self.findings() {
            let _ = writeln!(h, "<li>{}</li>", esc(&f));
        }
        h.push_str("</ul>\n");
        if !r.questions.is_empty() {
            let _ = writeln!(h, "<h2 style=\"{H2}\">The six questions</h2>");
            let _ = writeln!(
                h,
                "<table cellpadding=\"0\" cellspacing=\"0\" style=\"border-collapse:collapse\"><tr><th style=\"{TH}\">Question</th><th style=\"{TH}\">Answer</th></tr>"
            );
            for q in &r.questions {
                let _ = writeln!(
                    h,
                    "<tr><td style=\"{TD}\">{}</td><td style=\"{TD}\">{}</td></tr>",
                    esc(&q.question),
                    esc(&q.answer)
                );
            }
            h.push_str("</table>\n");
        }
        for (title, first, rows) in [
            (
                "MFA completed by",
                "How",
                r.mfa_completed_by
                    .iter()
                    .take(LISTED_REASONS)
                    .map(|x| (x.shown(), x.count, x.users))
                    .collect::<Vec<_>>(),
            ),
            (
                "MFA denied because",
                "Reason",
                r.mfa_denied_because
                    .iter()
                    .take(LISTED_REASONS)
                    .map(|x| (x.reason.clone(), x.count, x.users))
                    .collect::<Vec<_>>(),
            ),
        ] {
            if rows.is_empty() {
                continue;
            }
            let _ = writeln!(h, "<h2 style=\"{H2}\">{title}</h2>");
            let _ = writeln!(
                h,
                "<table cellpadding=\"0\" cellspacing=\"0\" style=\"border-collapse:collapse\"><tr><th style=\"{TH}\">{first}</th><th style=\"{TH};text-align:right\">Sign-ins</th><th style=\"{TH};text-align:right\">Users</th></tr>"
            );
            for (name, count, users) in rows {
                let _ = writeln!(
                    h,
                    "<tr><td style=\"{TD}\">{}</td><td style=\"{TD};text-align:right\">{count}</td><td style=\"{TD};text-align:right\">{users}</td></tr>",
                    esc(&name)
                );
            }
            h.push_str("</table>\n");
        }
        for (title, users) in [
            ("Admins without MFA", self.admins_without_mfa()),
            ("Enabled users not registered", self.unregistered()),
        ] {
            if users.is_empty() {
                continue;
            }
            let _ = writeln!(
                h,
                "<h2 style=\"{H2}\">{} ({})</h2>",
                esc(title),
                users.len()
            );
            let _ = writeln!(
                h,
                "<table cellpadding=\"0\" cellspacing=\"0\" style=\"border-collapse:collapse\"><tr><th style=\"{TH}\">User</th><th style=\"{TH}\">Name</th><th style=\"{TH}\">Per-user MFA</th></tr>"
            );
            for u in users.iter().take(LISTED_USERS) {
                let _ = writeln!(
                    h,
                    "<tr><td style=\"{TD}\">{}</td><td style=\"{TD}\">{}</td><td style=\"{TD}\">{}</td></tr>",
                    esc(&u.upn),
                    esc(u.display_name.as_deref().unwrap_or("")),
                    esc(&u.per_user_state)
                );
            }
            h.push_str("</table>\n");
            if users.len() > LISTED_USERS {
                let _ = writeln!(
                    h,
                    "<p>... and {} more (see the CSV)</p>",
                    users.len() - LISTED_USERS
                );
            }
        }
        if !r.warnings.is_empty() {
            let _ = writeln!(h, "<h2 style=\"{H2}\">Data warnings</h2><ul>");
            for w in &r.warnings {
                let _ = writeln!(h, "<li>{}</li>", esc(w));
            }
            h.push_str("</ul>\n");
        }
        for note in self.attachments_note() {
            let _ = writeln!(h, "<p style=\"margin:12px 0 0 0\">{}</p>", esc(&note));
        }
        let _ = writeln!(
            h,
            "<p style=\"margin:16px 0 0 0;font-size:12px;color:#777\">{}</p>\n</body></html>",
            esc(&self.footer())
        );
        h
    }
}

use crate::report::escape_html as esc;

fn human_bytes(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    } else if bytes >= 1024 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::audit::{Changes, Question, SCHEMA, Summary};

    fn report(unregistered: u64) -> AuditReport {
        AuditReport {
            schema: SCHEMA.into(),
            generated_at: "2026-11-29T06:00:00Z".into(),
            inputs: vec![],
            summary: Summary {
                users_total: 20,
                users_enabled: 16,
                registered_enabled: 16u64.saturating_sub(unregistered),
                unregistered_enabled: unregistered,
                ..Summary::default()
            },
            questions: vec![Question {
                question: "Who <b>?".into(),
                answer: "A & B".into(),
            }],
            mfa_completed_by: vec![],
            mfa_denied_because: vec![],
            users: vec![],
            changes: None,
            warnings: vec![],
            unmatched_signins: Default::default(),
            methods_by_strength: vec![],
            trend: vec![],
        }
    }

    fn args() -> Options {
        Options {
            to: vec!["sec@example.com".into()],
            from: Some("mfaudit@example.com".into()),
            smtp_host: Some("smtp.example.com".into()),
            ..Options::default()
        }
    }

    fn usage_error(args: &Options, env: Option<&str>) -> String {
        match settings_with_env_password(args, env.map(String::from)) {
            Err(e @ Error::Mail(_)) if e.exit_code() == 2 => e.to_string(),
            other => panic!("expected a usage error, got {other:?}"),
        }
    }

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("hunter22");
        assert_eq!(format!("{s} {s:?}"), "*** ***");
        assert_eq!(serde_json::to_string(&s).ok().as_deref(), Some("\"***\""));
        assert_eq!(s.expose(), "hunter22");
        let mut a = args();
        a.smtp_user = Some("alice".into());
        let settings = settings_with_env_password(&a, Some("hunter22".into()));
        let text = format!("{settings:?}");
        assert!(text.contains("password: Some(***)"), "{text}");
        assert!(!text.contains("hunter22"));
    }

    #[test]
    fn settings_defaults_and_none_without_recipient() {
        assert!(matches!(
            settings_with_env_password(&Options::default(), Some("pw".into())),
            Ok(None)
        ));
        let s = match settings_with_env_password(&args(), Some("pw".into())) {
            Ok(Some(s)) => s,
            other => panic!("{other:?}"),
        };
        assert_eq!(s.security, SmtpSecurity::Starttls);
        assert_eq!(s.port(), 587);
        assert_eq!(s.server(), "smtp.example.com:587");
        // A password in the environment without a user is not used.
        assert!(s.password.is_none());
        assert_eq!(s.max_attachment_bytes, 10 * 1024 * 1024);
        assert_eq!(s.timeout, Duration::from_secs(60));
    }

    #[test]
    fn settings_validation_says_what_to_fix() {
        let mut a = Options {
            smtp_host: Some("h".into()),
            ..Options::default()
        };
        assert_eq!(
            usage_error(&a, None),
            "--smtp-host was given without --email-to: add --email-to ADDR (repeatable) to mail the report"
        );
        a = args();
        a.to.push("not an address".into());
        assert_eq!(
            usage_error(&a, None),
            "--email-to 'not an address' is not an email address (expected name@example.com or \"Name <name@example.com>\")"
        );
        a = args();
        a.from = None;
        assert!(usage_error(&a, None).starts_with("--email-to needs --email-from ADDR"));
        a = args();
        a.smtp_host = None;
        assert!(usage_error(&a, None).starts_with("--email-to needs --smtp-host HOST"));
        a.email_dry_run = Some("m.eml".into());
        assert!(matches!(settings_with_env_password(&a, None), Ok(Some(s)) if s.host.is_empty()));
        a = args();
        a.smtp_user = Some("alice".into());
        assert_eq!(
            usage_error(&a, None),
            "--smtp-user alice needs a password: set MFAUDIT_SMTP_PASSWORD or pass --smtp-password-file FILE"
        );
        a.smtp_security = Some(SmtpSecurity::None);
        assert_eq!(
            usage_error(&a, Some("pw")),
            "refusing to send the SMTP password unencrypted to smtp.example.com: use --smtp-security starttls (or tls)"
        );
        a.smtp_host = Some("127.0.0.1".into());
        assert!(settings_with_env_password(&a, Some("pw".into())).is_ok());
        a = args();
        a.subject = Some("two\nlines".into());
        assert!(usage_error(&a, None).starts_with("--email-subject must be one line"));
        a = args();
        a.smtp_port = Some(0);
        assert!(usage_error(&a, None).starts_with("--smtp-port 0 is not a port"));
    }

    #[test]
    fn password_file_first_line_wins_over_the_environment() {
        let dir = tempfile::tempdir().expect("temp dir");
        let pw = dir.path().join("pw");
        std::fs::write(&pw, "\u{feff}s3cret pass\r\nsecond line\n").expect("write");
        let mut a = args();
        a.smtp_user = Some("alice".into());
        a.smtp_password_file = Some(pw.clone());
        let s = match settings_with_env_password(&a, Some("from-env".into())) {
            Ok(Some(s)) => s,
            other => panic!("{other:?}"),
        };
        assert_eq!(s.password.as_ref().map(Secret::expose), Some("s3cret pass"));
        std::fs::write(&pw, "\n").expect("write");
        assert!(usage_error(&a, None).ends_with("the first line is empty; put the password on it"));
        a.smtp_password_file = Some(dir.path().join("missing"));
        assert!(usage_error(&a, None).contains("missing: cannot read it"));
        a.smtp_user = None;
        a.smtp_password_file = Some(pw);
        assert_eq!(
            usage_error(&a, None),
            "--smtp-password-file needs --smtp-user USER"
        );
    }

    #[test]
    fn ca_file_must_hold_a_certificate() {
        let dir = tempfile::tempdir().expect("temp dir");
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, "not a certificate").expect("write");
        let mut a = args();
        a.smtp_ca_file = Some(ca);
        assert!(
            usage_error(&a, None)
                .ends_with("no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)")
        );
    }

    #[test]
    fn base64_is_rfc_4648() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
            ("\0svc\0pw", "AHN2YwBwdw=="),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain:?}");
        }
    }

    /// The password never reaches a message: as written, in AUTH PLAIN's and AUTH LOGIN's base64
    /// (padded or not), and a short one withholds the server's reply altogether.
    #[test]
    fn the_password_is_scrubbed_in_every_form() {
        let echoed =
            "535 5.7.8 rejected AUTH PLAIN AHN2YwBzM2NyZXQh (s3cret!) czNjcmV0IQ== czNjcmV0IQ";
        let out = scrub(echoed, "s3cret!", "svc");
        assert_eq!(out, "535 5.7.8 rejected AUTH PLAIN *** (***) *** ***");
        for short in ["a", "ab", "abc"] {
            let secret = Secret::new(short);
            let shown = shown_detail(format!("535 no {short}"), Some(&secret));
            assert!(!shown.contains("535 no"), "{short}: {shown}");
        }
        let secret = Secret::new("long enough");
        assert_eq!(shown_detail("535 no".into(), Some(&secret)), "535 no");
    }

    #[test]
    fn subject_leads_with_the_unregistered_count() {
        assert_eq!(
            subject(&report(12), None),
            "12 enabled users not registered for MFA — mfaudit audit 2026-11-29"
        );
        assert_eq!(
            subject(&report(1), None),
            "1 enabled user not registered for MFA — mfaudit audit 2026-11-29"
        );
        let mut r = report(12);
        r.changes = Some(Changes {
            previous_run: "2026-11-22T06:00:00Z".into(),
            newly_unregistered: vec!["a".into(), "b".into(), "c".into()],
            newly_registered: vec!["d".into()],
            ..Changes::default()
        });
        assert_eq!(
            subject(&r, None),
            "12 enabled users not registered for MFA — mfaudit audit 2026-11-29 (+3 / -1 since last run)"
        );
        assert_eq!(
            subject(&r, Some("[MFA] {unregistered} unregistered ({date})")),
            "[MFA] 12 unregistered (2026-11-29)"
        );
        r.generated_at = "yesterday".into();
        assert_eq!(
            subject(&r, None),
            "12 enabled users not registered for MFA — mfaudit audit yesterday (+3 / -1 since last run)"
        );
    }

    #[test]
    fn html_escapes_every_character_that_matters() {
        assert_eq!(
            esc("<a href=\"x\">O'Brien & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;O&#39;Brien &amp; co&lt;/a&gt;"
        );
    }

    fn bar(registered: u64, unregistered: u64, enabled: u64) -> Vec<String> {
        let mut r = report(unregistered);
        r.summary.registered_enabled = registered;
        r.summary.users_enabled = enabled;
        let body = Summaries {
            report: &r,
            attached: &[],
            left_out: &[],
            limit: 0,
            report_files: &[],
        };
        body.html()
            .split("<td style=\"width:")
            .skip(1)
            .map(|cell| {
                let (width, rest) = cell.split_once(';').unwrap_or_default();
                let label = rest.split_once('>').unwrap_or_default().1;
                format!("{width} {}", label.split('<').next().unwrap_or_default())
            })
            .filter(|cell| !cell.contains("padding:4px"))
            .collect()
    }

    #[test]
    fn the_bar_adds_up_to_100_and_shows_unknown_only_when_there_is_some() {
        assert_eq!(
            bar(14, 2, 16),
            ["88% 88% registered", "12% 12% not registered"]
        );
        assert_eq!(
            bar(1, 2, 3),
            ["33% 33% registered", "67% 67% not registered"]
        );
        assert_eq!(
            bar(900, 99, 1000),
            [
                "90% 90% registered",
                "9% 9% not registered",
                "1% 1% unknown"
            ]
        );
        assert_eq!(bar(0, 0, 0), Vec::<String>::new());
        // Inconsistent counts (more registered than enabled) stay inside the bar.
        assert_eq!(bar(20, 0, 16), ["100% 100% registered"]);
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(512), "512 bytes");
        assert_eq!(human_bytes(1536), "1.5 KB");
        assert_eq!(human_bytes(10 * 1024 * 1024), "10.0 MB");
    }

    fn smtp_settings(port: u16, timeout: Duration) -> EmailSettings {
        let mut a = args();
        a.smtp_host = Some("127.0.0.1".into());
        a.smtp_port = Some(port);
        a.smtp_security = Some(SmtpSecurity::None);
        let mut s = match settings_with_env_password(&a, None) {
            Ok(Some(s)) => s,
            other => panic!("{other:?}"),
        };
        s.timeout = timeout;
        s
    }

    #[test]
    fn refused_connection_says_which_server_and_flags() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr").port()
        };
        let s = smtp_settings(port, Duration::from_secs(5));
        let m = compose(&report(2), "<html></html>", b"upn\r\n", &s).expect("compose");
        let err = send(&m, &s).expect_err("nothing listens there");
        assert_eq!(err.exit_code(), 1);
        assert_eq!(
            err.to_string(),
            format!(
                "email not sent: connection to 127.0.0.1:{port} refused: is the server at 127.0.0.1:{port} running? check --smtp-host/--smtp-port"
            )
        );
    }

    #[test]
    fn a_silent_server_times_out() {
        // Accepted by the kernel's backlog, never answered: the greeting never comes.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let s = smtp_settings(port, Duration::from_secs(1));
        let m = compose(&report(2), "<html></html>", b"upn\r\n", &s).expect("compose");
        let started = std::time::Instant::now();
        let err = send(&m, &s).expect_err("the server never answers");
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(
            err.to_string(),
            format!(
                "email not sent: 127.0.0.1:{port} did not answer within 1 s: check --smtp-host/--smtp-port and that a firewall lets the connection through (if this port expects implicit TLS, as 465 does, use --smtp-security tls)"
            )
        );
        drop(listener);
    }
}
