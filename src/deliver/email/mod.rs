//! The summary mail: who gets it and how ([`EmailSettings`], from the `--email-*` / `--smtp-*`
//! flags), what it says ([`compose`]: a subject that leads with the number of enabled users not
//! registered, a plain-text and a mail-client HTML summary, the full report and the CSV attached)
//! and how it leaves ([`send`]: SMTP over STARTTLS, implicit TLS or plain, or an `.eml` for a dry
//! run).
//!
//! The SMTP password comes from `MFAUDIT_SMTP_PASSWORD` or `--smtp-password-file`, never from a
//! flag value, and is kept in a [`Secret`] that prints as `***` everywhere. SMTP failures become
//! one-line [`MailError`]s that say what failed and which flag fixes it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::client::Certificate;
use serde::{Serialize, Serializer};

use crate::error::{CaProblem, MailError, Result};

mod compose;
mod smtp;

pub use compose::{
    Composed, Packed, attachments_said, compose, finding_sentences, headline, subject,
};
pub use smtp::send;

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

/// Which HTML page the mail attaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailHtml {
    /// Every section with each table's first rows, no inventory: small whatever the tenant.
    #[default]
    Summary,
    /// The page `--html` writes, every user in it.
    Full,
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
    /// `--email-max-attachment MB`.
    pub max_attachment_mb: Option<f64>,
    /// `--email-html summary|full`.
    pub html: Option<MailHtml>,
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
    /// Attachments are sent as they are while their total stays under this, else zipped, else
    /// left out (the body says so and how to get them).
    pub max_attachment_bytes: u64,
    /// The HTML page attached: the summary (default) or the full report.
    pub html: MailHtml,
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
            ("--email-max-attachment", args.max_attachment_mb.is_some()),
            ("--email-html", args.html.is_some()),
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
    if password.is_some() && security == SmtpSecurity::None && !crate::net::is_loopback(&host) {
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
        max_attachment_bytes: match args.max_attachment_mb {
            None => DEFAULT_MAX_ATTACHMENT_BYTES,
            Some(mb) if mb.is_finite() && mb >= 0.0 => (mb * 1024.0 * 1024.0).round() as u64,
            Some(mb) => {
                return Err(MailError::MaxAttachment {
                    given: mb.to_string(),
                }
                .into());
            }
        },
        html: args.html.unwrap_or_default(),
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

#[cfg(test)]
mod tests {
    use super::compose::*;
    use super::smtp::*;
    use super::*;
    use crate::error::Error;
    use crate::report::audit::AuditReport;
    use crate::report::audit::{Changes, Question, SCHEMA, Summary};
    use crate::report::escape_html as esc;

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
            without_mfa: Default::default(),
            policies: Vec::new(),
            exceptions: Vec::new(),
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
            attachments: &[],
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
        let m = compose(&report(2), "<html></html>", b"upn\r\n", &s)
            .expect("compose")
            .message;
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
        let m = compose(&report(2), "<html></html>", b"upn\r\n", &s)
            .expect("compose")
            .message;
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
