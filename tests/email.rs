//! Email delivery and the run configuration, through the library (the `audit` command is wired
//! elsewhere).
//!
//! Real-server tests need the SMTP sinks of `.ci/smtp.sh` (aiosmtpd on loopback, each on a free
//! port it exports): plain (`MFAUDIT_TEST_SMTP_PLAIN_PORT`), STARTTLS + AUTH alice:s3cret
//! (`MFAUDIT_TEST_SMTP_STARTTLS_PORT`), implicit TLS (`MFAUDIT_TEST_SMTP_SMTPS_PORT`), with
//! `MFAUDIT_TEST_SMTP=1`, `MFAUDIT_TEST_SMTP_CA=<ca.pem>` and the Maildirs under
//! `MFAUDIT_TEST_SMTP_DIR` (default `target/smtp`): `<dir>/{plain,starttls,smtps}/new/`. Each test
//! mails a unique recipient and finds its message by the `X-RcptTo` header the sink adds. Without
//! `MFAUDIT_TEST_SMTP` those tests print that they skipped.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use mailparse::{MailHeaderMap, ParsedMail};
use mfaudit::config::{self, Layer};
use mfaudit::deliver::email::{self, EmailSettings, Options, SmtpSecurity};
use mfaudit::report::audit::{
    AuditReport, AuditUser, Changes, HowCount, Question, ReasonCount, SCHEMA, Summary, flag,
};

use crate::support;

const HTML_REPORT: &str = "<!DOCTYPE html><html><body><h1>Full report</h1><svg role=\"img\"><title>chart</title></svg></body></html>\n";
const USERS_CSV: &[u8] = b"\xEF\xBB\xBF\"upn\",\"registered\"\r\n\"ana@contoso.com\",\"false\"\r\n\"=cmd|' /C calc'!A0\",\"true\"\r\n";

fn user(upn: &str, registered: bool, flags: &[&str]) -> AuditUser {
    AuditUser {
        upn: upn.into(),
        display_name: Some(format!("Name of {upn}")),
        enabled: Some(true),
        registered: Some(registered),
        per_user_state: "disabled".into(),
        flags: flags.iter().map(|f| f.to_string().into()).collect(),
        ..AuditUser::default()
    }
}

/// A hand-built audit with the six answers, changes, hostile names and a warning.
fn report() -> AuditReport {
    let questions = [
        (
            "How many users are registered for MFA?",
            "14 of 16 enabled users (87.5%)",
        ),
        ("How many users are not registered?", "2 enabled users"),
        (
            "How many users were challenged?",
            "9 users in 120 challenges",
        ),
        ("How many completed MFA?", "8 users"),
        ("How many could not complete MFA?", "1 user"),
        (
            "Why did MFA fail?",
            "MFA denied; user declined the authentication & 2 more",
        ),
    ];
    AuditReport {
        schema: SCHEMA.into(),
        generated_at: "2026-11-29T06:00:00Z".into(),
        inputs: vec![],
        summary: Summary {
            users_total: 20,
            users_enabled: 16,
            registered_enabled: 14,
            unregistered_enabled: 2,
            signins_total: 900,
            mfa_challenges: 120,
            challenged_users: 9,
            users_completed_mfa: 8,
            users_unable_to_complete: 1,
            users_with_failures: 2,
            ..Summary::default()
        },
        questions: questions
            .iter()
            .map(|(q, a)| Question {
                question: q.to_string(),
                answer: a.to_string(),
            })
            .collect(),
        mfa_completed_by: vec![HowCount {
            how: "Mobile app notification".into(),
            count: 100,
            users: 8,
            prompted: None,
        }],
        mfa_denied_because: vec![ReasonCount {
            reason: "MFA denied; user declined the authentication".into(),
            count: 5,
            users: 2,
        }],
        users: vec![
            user("ana@contoso.com", false, &[flag::ENABLED_UNREGISTERED]),
            user(
                "<script>alert(1)</script>@contoso.com",
                false,
                &[flag::ENABLED_UNREGISTERED, flag::ADMIN_WITHOUT_MFA],
            ),
            user("bo@contoso.com", true, &[]),
        ],
        changes: Some(Changes {
            previous_run: "2026-11-22T06:00:00Z".into(),
            newly_unregistered: vec!["ana@contoso.com".into()],
            ..Changes::default()
        }),
        warnings: vec!["No sign-in export older than 2026-11-01 <partial>".into()],
        unmatched_signins: Default::default(),
        methods_by_strength: vec![],
        trend: vec![],
        without_mfa: Default::default(),
        policies: Vec::new(),
        exceptions: Vec::new(),
    }
}

const SUBJECT: &str =
    "2 enabled users not registered for MFA — mfaudit audit 2026-11-29 (+1 / -0 since last run)";

fn settings_for(args: &Options, env_password: Option<&str>) -> EmailSettings {
    match email::settings_with_env_password(args, env_password.map(String::from)) {
        Ok(Some(s)) => s,
        other => panic!("settings: {other:?}"),
    }
}

fn base_args(to: &str) -> Options {
    Options {
        to: vec![to.to_string()],
        from: Some("mfaudit@contoso.com".into()),
        ..Options::default()
    }
}

/// The part tree as "type[filename]" strings, depth first.
fn shape(mail: &ParsedMail, out: &mut Vec<String>) {
    let name = mail
        .get_content_disposition()
        .params
        .get("filename")
        .map(|f| format!("[{f}]"))
        .unwrap_or_default();
    out.push(format!("{}{name}", mail.ctype.mimetype));
    for p in &mail.subparts {
        shape(p, out);
    }
}

/// Checks everything a recipient sees: subject, parts, the two summaries and the attachments.
fn assert_summary_mail(bytes: &[u8], to: &str) {
    let mail = mailparse::parse_mail(bytes).expect("a parsable message");
    assert_eq!(
        mail.headers.get_first_value("Subject").as_deref(),
        Some(SUBJECT)
    );
    assert_eq!(
        mail.headers.get_first_value("From").as_deref(),
        Some("mfaudit@contoso.com")
    );
    assert_eq!(mail.headers.get_first_value("To").as_deref(), Some(to));
    let mut parts = Vec::new();
    shape(&mail, &mut parts);
    assert_eq!(
        parts,
        [
            "multipart/mixed",
            "multipart/alternative",
            "text/plain",
            "text/html",
            "text/html[mfaudit-report.html]",
            "text/csv[mfaudit-users.csv]",
        ]
    );
    let alternative = &mail.subparts[0];
    // Text parts travel with CRLF line ends; compare with LF.
    let text = alternative.subparts[0]
        .get_body()
        .expect("text part")
        .replace("\r\n", "\n");
    assert!(
        text.starts_with("2 of 16 enabled users are not registered for MFA.\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "1. How many users are registered for MFA?\n   14 of 16 enabled users (87.5%)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "6. Why did MFA fail?\n   MFA denied; user declined the authentication & 2 more\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("Administrators without MFA (1)\n  <script>alert(1)</script>@contoso.com\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Attached: mfaudit-report.html ({} bytes), mfaudit-users.csv ({} bytes).",
            HTML_REPORT.len(),
            USERS_CSV.len()
        )),
        "{text}"
    );

    let html = alternative.subparts[1]
        .get_body()
        .expect("html part")
        .replace("\r\n", "\n");
    assert!(html.contains("<h1 style=\"font-size:20px;margin:0 0 8px 0\">2 of 16 enabled users are not registered for MFA.</h1>"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;@contoso.com"),
        "{html}"
    );
    assert!(
        html.contains("user declined the authentication &amp; 2 more"),
        "{html}"
    );
    assert!(
        html.contains("older than 2026-11-01 &lt;partial&gt;"),
        "{html}"
    );
    assert!(
        html.contains(
            "<td style=\"width:88%;background:#2e7d32;color:#fff;font-size:12px;padding:2px 4px\">88% registered</td>\
             <td style=\"width:12%;background:#c62828;color:#fff;font-size:12px;padding:2px 4px\">12% not registered</td></tr>"
        ),
        "{html}"
    );
    for banned in [
        "<script",
        "<svg",
        "src=\"http",
        "href=\"http",
        "<style",
        "<link",
    ] {
        assert!(!html.contains(banned), "{banned} in the HTML body: {html}");
    }

    assert_eq!(
        mail.subparts[1].get_body_raw().expect("report"),
        HTML_REPORT.as_bytes()
    );
    assert_eq!(mail.subparts[2].get_body_raw().expect("csv"), USERS_CSV);
}

#[test]
fn dry_run_writes_the_exact_message_to_an_eml() {
    let dir = support::tempdir();
    let eml = dir.path().join("out/summary.eml");
    std::fs::create_dir_all(eml.parent().expect("parent")).expect("mkdir");
    let mut args = base_args("security@contoso.com");
    args.email_dry_run = Some(eml.clone());
    let settings = settings_for(&args, None);
    let message = email::compose(&report(), HTML_REPORT, USERS_CSV, &settings)
        .expect("compose")
        .message;
    email::send(&message, &settings).expect("dry run");
    let written = std::fs::read(&eml).expect("the .eml");
    assert_eq!(written, message.formatted());
    assert_summary_mail(&written, "security@contoso.com");
    // Nothing else was left in the folder (the write is atomic).
    let names: Vec<_> = std::fs::read_dir(eml.parent().expect("parent"))
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["summary.eml"]);
}

#[test]
fn attachments_over_the_limit_are_zipped_then_left_out_with_a_note() {
    let dir = support::tempdir();
    let eml = dir.path().join("big.eml");
    let mut args = base_args("security@contoso.com");
    args.email_dry_run = Some(eml.clone());
    let mut settings = settings_for(&args, None);
    settings.max_attachment_bytes = 1000;
    settings.report_files = vec![
        PathBuf::from("/srv/mfaudit/report.html"),
        PathBuf::from("/srv/mfaudit/users.csv"),
    ];
    // 2,013 bytes that zip to a few dozen: zipped, it fits; the CSV then fits as it is.
    let big_html = format!("<html>{}</html>", "x".repeat(2000));
    let composed = email::compose(&report(), &big_html, USERS_CSV, &settings).expect("compose");
    let zipped = composed.attachments[0].zipped.expect("zipped");
    assert!(zipped < 400, "{zipped}");
    assert_eq!(
        composed.attachments,
        [
            email::Packed {
                name: "mfaudit-report.html",
                bytes: 2013,
                zipped: Some(zipped),
                attached: true,
            },
            email::Packed {
                name: "mfaudit-users.csv",
                bytes: USERS_CSV.len() as u64,
                zipped: None,
                attached: true,
            },
        ]
    );
    email::send(&composed.message, &settings).expect("dry run");
    let bytes = std::fs::read(&eml).expect("the .eml");
    assert_eq!(
        shape_of(&bytes),
        [
            "multipart/mixed",
            "multipart/alternative",
            "text/plain",
            "text/html",
            "application/zip[mfaudit-report.html.zip]",
            "text/csv[mfaudit-users.csv]",
        ]
    );
    // The zip holds the report, byte for byte.
    let mail = mailparse::parse_mail(&bytes).expect("parse");
    let zip_bytes = mail.subparts[1].get_body_raw().expect("zip");
    assert_eq!(
        unzipped(zip_bytes, "mfaudit-report.html"),
        big_html.as_bytes()
    );

    // A limit neither file fits, even zipped: both left out, the body says how to get them and
    // names no path of the machine that ran the audit.
    settings.max_attachment_bytes = 10;
    let composed = email::compose(&report(), &big_html, USERS_CSV, &settings).expect("compose");
    assert!(composed.attachments.iter().all(|a| !a.attached));
    let said = email::attachments_said(&composed.attachments, 10);
    assert_eq!(
        said,
        format!(
            "nothing attached; left out mfaudit-report.html.zip ({zipped} bytes, zipped from 2.0 KB), mfaudit-users.csv.zip ({} bytes, zipped from {} bytes): over the 10 bytes limit (--email-max-attachment MB)",
            composed.attachments[1].zipped.unwrap(),
            USERS_CSV.len()
        )
    );
    email::send(&composed.message, &settings).expect("dry run");
    let bytes = std::fs::read(&eml).expect("the .eml");
    assert_eq!(
        shape_of(&bytes),
        [
            "multipart/mixed",
            "multipart/alternative",
            "text/plain",
            "text/html"
        ]
    );
    let mail = mailparse::parse_mail(&bytes).expect("parse");
    let text = text_of(&mail);
    let note = format!(
        "Not attached: mfaudit-report.html (2.0 KB, {zipped} bytes zipped), mfaudit-users.csv ({} bytes, {} bytes zipped): over this mail's limit of 10 bytes for attachments.\nThe sender's audit wrote them as report.html, users.csv: ask the sender to share them, or to raise --email-max-attachment.\n",
        USERS_CSV.len(),
        composed.attachments[1].zipped.unwrap()
    );
    assert!(text.contains(&note), "{text}");
    assert!(!text.contains("/srv/"), "{text}");
    let html = mail.subparts[0].subparts[1].get_body().expect("html");
    assert!(!html.contains("/srv/"), "{html}");
}

#[test]
fn the_example_config_loads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/mfaudit.toml");
    let file = config::load(&path).expect("examples/mfaudit.toml is a valid config");
    let merged = file.resolve().expect("its settings resolve");
    assert!(!merged.inputs.is_empty());
    assert!(merged.inputs[0].starts_with(path.parent().expect("examples folder")));
    // It pulls from Graph first, and audits what it pulled.
    let pull = merged.pull.as_ref().expect("the example's [pull]");
    assert_eq!(merged.inputs, std::slice::from_ref(&pull.out));
    assert!(
        pull.certificate
            .as_ref()
            .expect("a certificate")
            .is_absolute()
    );
    assert_eq!(pull.since, "7d");
    assert!(!merged.email.to.is_empty());
    assert_eq!(merged.email.smtp_security, Some(SmtpSecurity::Starttls));
    assert!(merged.thresholds.unregistered.is_some());
}

#[test]
fn config_file_merge_and_dump_never_show_the_password() {
    let dir = support::tempdir();
    let pw = support::write(dir.path(), "secrets/smtp-password", "Pa55-w0rd-in-file\n");
    let cfg = support::write(
        dir.path(),
        "conf/mfaudit.toml",
        "inputs = [\"../exports/*.csv\"]\n\n[outputs]\nhtml = \"../out/report.html\"\n\n[email]\n\
         to = [\"security@contoso.com\"]\nfrom = \"mfaudit@contoso.com\"\nhost = \"smtp.contoso.com\"\n\
         user = \"svc-mfaudit\"\npassword-file = \"../secrets/smtp-password\"\n\n[policy]\nfail-if-unregistered = 0\n",
    );
    let mut layer = config::load(&cfg).expect("load");
    let conf_dir = std::path::absolute(dir.path().join("conf")).expect("absolute");
    let mut flags = Layer::default();
    flags.email.port = Some(2587);
    layer.update(flags);
    let merged = layer.resolve().expect("resolve");
    assert_eq!(
        merged.outputs.html,
        Some(conf_dir.join("../out/report.html"))
    );
    assert_eq!(
        merged.email.smtp_password_file,
        Some(conf_dir.join("../secrets/smtp-password"))
    );
    assert_eq!(merged.email.smtp_port, Some(2587));
    assert_eq!(merged.thresholds.unregistered, Some(0));
    // The merged flags give working settings: the password comes from the file.
    let settings = settings_for(&merged.email, None);
    assert_eq!(
        settings.password.as_ref().map(|p| p.expose()),
        Some("Pa55-w0rd-in-file")
    );
    assert_eq!(settings.port(), 2587);
    assert!(!format!("{settings:?}").contains("Pa55"));

    let dump = config::dump(&layer);
    assert!(!dump.contains("Pa55"), "{dump}");
    let shown = format!(
        "# password: (from {})\n",
        conf_dir.join("../secrets/smtp-password").display()
    );
    assert!(dump.contains(&shown), "{dump}");
    assert!(dump.contains("port = 2587\n"), "{dump}");
    assert_eq!(pw, dir.path().join("secrets/smtp-password"));

    let bad = support::write(
        dir.path(),
        "bad.toml",
        "[email]\nto = \"a@contoso.com\"\npassword = \"Pa55-w0rd-in-file\"\n",
    );
    let err = config::load(&bad).expect_err("a password in the file is refused");
    let msg = err.to_string();
    assert_eq!(err.exit_code(), 2);
    assert!(
        msg.starts_with(&format!(
            "{}:3:12: [email] password is not allowed",
            bad.display()
        )),
        "{msg}"
    );
    assert!(!msg.contains("Pa55"), "{msg}");
}

/// Where the sinks of `.ci/smtp.sh` are, or None (and "skipped" on stderr).
struct Sinks {
    ca: PathBuf,
    maildirs: PathBuf,
    plain: u16,
    starttls: u16,
    smtps: u16,
}

fn sinks() -> Option<Sinks> {
    if std::env::var_os("MFAUDIT_TEST_SMTP").is_none() {
        eprintln!("skipped: set MFAUDIT_TEST_SMTP (see .ci/smtp.sh)");
        return None;
    }
    let maildirs = std::env::var_os("MFAUDIT_TEST_SMTP_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/smtp"));
    let ca = std::env::var_os("MFAUDIT_TEST_SMTP_CA")
        .map(PathBuf::from)
        .unwrap_or_else(|| maildirs.join("ca.pem"));
    // Each sink's port: exported by .ci/smtp.sh, else the "listening on HOST:PORT" line of its log.
    let port = |mode: &str| -> u16 {
        let var = format!("MFAUDIT_TEST_SMTP_{}_PORT", mode.to_ascii_uppercase());
        std::env::var(&var)
            .ok()
            .or_else(|| {
                let log = std::fs::read_to_string(maildirs.join(format!("{mode}.log"))).ok()?;
                log.lines()
                    .find_map(|l| l.strip_prefix("listening on "))
                    .and_then(|a| a.rsplit(':').next().map(str::to_string))
            })
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("{var} is not set and {mode}.log names no port"))
    };
    Some(Sinks {
        plain: port("plain"),
        starttls: port("starttls"),
        smtps: port("smtps"),
        ca,
        maildirs,
    })
}

/// A recipient no other test (or earlier run) uses.
fn unique_recipient() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "t-{}-{}-{nanos}@example.test",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// The message the sink wrote for this recipient, waiting up to 10 s.
fn received(maildir: &Path, recipient: &str) -> Vec<u8> {
    let new = maildir.join("new");
    let needle = format!("X-RcptTo: {recipient}");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(entries) = std::fs::read_dir(&new) {
            for entry in entries.flatten() {
                if let Ok(bytes) = std::fs::read(entry.path())
                    && String::from_utf8_lossy(&bytes).contains(&needle)
                {
                    return bytes;
                }
            }
        }
        assert!(
            Instant::now() < deadline,
            "no message for {recipient} in {}",
            new.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn smtp_args(to: &str, port: u16, security: SmtpSecurity) -> Options {
    Options {
        smtp_host: Some("localhost".into()),
        smtp_port: Some(port),
        smtp_security: Some(security),
        ..base_args(to)
    }
}

fn send_and_receive(settings: &EmailSettings, maildir: &Path, to: &str) {
    let message = email::compose(&report(), HTML_REPORT, USERS_CSV, settings)
        .expect("compose")
        .message;
    email::send(&message, settings).unwrap_or_else(|e| panic!("send: {e}"));
    let bytes = received(maildir, to);
    assert_summary_mail(&bytes, to);
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("X-MailFrom: mfaudit@contoso.com"), "{text}");
}

#[test]
fn smtp_plain() {
    let Some(s) = sinks() else { return };
    let to = unique_recipient();
    let settings = settings_for(&smtp_args(&to, s.plain, SmtpSecurity::None), None);
    send_and_receive(&settings, &s.maildirs.join("plain"), &to);
}

#[test]
fn smtp_starttls_with_authentication() {
    let Some(s) = sinks() else { return };
    let to = unique_recipient();
    let mut args = smtp_args(&to, s.starttls, SmtpSecurity::Starttls);
    args.smtp_user = Some("alice".into());
    args.smtp_ca_file = Some(s.ca.clone());
    let settings = settings_for(&args, Some("s3cret"));
    send_and_receive(&settings, &s.maildirs.join("starttls"), &to);
}

#[test]
fn smtp_implicit_tls() {
    let Some(s) = sinks() else { return };
    let to = unique_recipient();
    let mut args = smtp_args(&to, s.smtps, SmtpSecurity::Tls);
    args.smtp_ca_file = Some(s.ca.clone());
    let settings = settings_for(&args, None);
    send_and_receive(&settings, &s.maildirs.join("smtps"), &to);
}

fn send_error(settings: &EmailSettings) -> String {
    let message = email::compose(&report(), HTML_REPORT, USERS_CSV, settings)
        .expect("compose")
        .message;
    let err = email::send(&message, settings).expect_err("sending must fail");
    assert_eq!(err.exit_code(), 1, "{err}");
    err.to_string()
}

#[test]
fn smtp_wrong_password_fails_fast_and_clearly() {
    let Some(s) = sinks() else { return };
    let to = unique_recipient();
    let dir = support::tempdir();
    let pw = support::write(dir.path(), "pw", "Wr0ng-Passw0rd\n");
    let mut args = smtp_args(&to, s.starttls, SmtpSecurity::Starttls);
    args.smtp_user = Some("alice".into());
    args.smtp_password_file = Some(pw);
    args.smtp_ca_file = Some(s.ca.clone());
    let settings = settings_for(&args, None);
    let started = Instant::now();
    let msg = send_error(&settings);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        msg,
        format!(
            "email not sent: SMTP authentication failed for user alice at localhost:{}: check MFAUDIT_SMTP_PASSWORD / --smtp-password-file (server said: 5.7.8 Authentication credentials invalid)",
            s.starttls
        )
    );
    assert!(!msg.contains("Wr0ng"));
    assert!(!format!("{settings:?}").contains("Wr0ng"));
}

#[test]
fn smtp_untrusted_certificate_names_the_fix() {
    let Some(s) = sinks() else { return };
    let settings = settings_for(
        &smtp_args(&unique_recipient(), s.smtps, SmtpSecurity::Tls),
        None,
    );
    let msg = send_error(&settings);
    assert!(
        msg.starts_with(&format!(
            "email not sent: certificate not trusted: the certificate of localhost:{} was not accepted (",
            s.smtps
        )),
        "{msg}"
    );
    assert!(
        msg.ends_with("): pass --smtp-ca-file PEM with the CA that signed it"),
        "{msg}"
    );
}

#[test]
fn smtp_starttls_against_a_server_without_it() {
    let Some(s) = sinks() else { return };
    let mut args = smtp_args(&unique_recipient(), s.plain, SmtpSecurity::Starttls);
    args.smtp_ca_file = Some(s.ca.clone());
    let msg = send_error(&settings_for(&args, None));
    assert_eq!(
        msg,
        format!(
            "email not sent: the SMTP server at localhost:{} does not offer STARTTLS: use --smtp-security tls for implicit TLS (port 465), or none only for a loopback relay",
            s.plain
        )
    );
}

#[test]
fn smtp_authentication_required_but_not_given() {
    let Some(s) = sinks() else { return };
    let mut args = smtp_args(&unique_recipient(), s.starttls, SmtpSecurity::Starttls);
    args.smtp_ca_file = Some(s.ca.clone());
    let msg = send_error(&settings_for(&args, None));
    assert!(
        msg.starts_with(&format!(
            "email not sent: the SMTP server at localhost:{} requires authentication: pass --smtp-user USER and set MFAUDIT_SMTP_PASSWORD or --smtp-password-file (server said: ",
            s.starttls
        )),
        "{msg}"
    );
}

#[test]
fn smtp_implicit_tls_against_a_plain_server() {
    let Some(s) = sinks() else { return };
    let mut args = smtp_args(&unique_recipient(), s.plain, SmtpSecurity::Tls);
    args.smtp_ca_file = Some(s.ca.clone());
    let msg = send_error(&settings_for(&args, None));
    assert!(
        msg.starts_with(&format!(
            "email not sent: TLS with localhost:{} failed (",
            s.plain
        )),
        "{msg}"
    );
    assert!(msg.ends_with("): check --smtp-security (tls for implicit TLS, usually port 465; starttls, usually 587)"), "{msg}");
}

#[test]
fn the_example_schedules_run_the_config() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/schedules");
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).expect(name);
    let cron = read("mfaudit.cron");
    let job: Vec<&str> = cron
        .lines()
        .filter(|l| l.starts_with("0 6 * * 1 "))
        .collect();
    assert_eq!(job.len(), 1, "{cron}");
    assert!(
        job[0].contains(" run --config /etc/mfaudit/mfaudit.toml "),
        "{cron}"
    );
    assert!(!job[0].contains('%'), "cron turns % into newlines: {cron}");
    let service = read("mfaudit.service");
    assert!(service.contains("\nType=oneshot\n"), "{service}");
    assert!(
        service.contains("mfaudit run --config /etc/mfaudit/mfaudit.toml"),
        "{service}"
    );
    let timer = read("mfaudit.timer");
    assert!(
        timer.contains("\nOnCalendar=Mon *-*-* 06:00:00\n"),
        "{timer}"
    );
    assert!(timer.contains("\nWantedBy=timers.target\n"), "{timer}");
    let ps1 = read("register-mfaudit-task.ps1");
    assert!(ps1.contains("Register-ScheduledTask"), "{ps1}");

    // The Task Scheduler XML is well-formed and runs the config.
    let xml = read("mfaudit-task.xml");
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut elements, mut path, mut arguments) = (0, Vec::<String>::new(), String::new());
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e)) => {
                elements += 1;
                path.push(e.name().as_ref().to_string());
            }
            Ok(quick_xml::events::Event::Empty(_)) => elements += 1,
            Ok(quick_xml::events::Event::End(_)) => {
                path.pop();
            }
            Ok(quick_xml::events::Event::Text(t))
                if path.last().map(String::as_str) == Some("Arguments") =>
            {
                arguments.push_str(t.as_ref());
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("mfaudit-task.xml at byte {}: {e}", reader.buffer_position()),
        }
    }
    assert!(elements > 20 && path.is_empty(), "{elements} {path:?}");
    assert_eq!(
        arguments,
        "run --config \"C:\\ProgramData\\mfaudit\\mfaudit.toml\" --quiet"
    );
}

/// The shape of a message (see [`shape`]).
fn shape_of(bytes: &[u8]) -> Vec<String> {
    let mail = mailparse::parse_mail(bytes).expect("a parsable message");
    let mut parts = Vec::new();
    shape(&mail, &mut parts);
    parts
}

/// The one file `name` of a zip archive.
fn unzipped(zip_bytes: Vec<u8>, name: &str) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).expect("a zip");
    assert_eq!(archive.len(), 1);
    let mut inside = Vec::new();
    std::io::Read::read_to_end(&mut archive.by_name(name).expect("the file"), &mut inside)
        .expect("read");
    inside
}

/// The plain-text summary of a message, with LF line ends.
fn text_of(mail: &ParsedMail) -> String {
    mail.subparts[0].subparts[0]
        .get_body()
        .expect("text")
        .replace("\r\n", "\n")
}

/// A tenant of `n` enabled users, half of them not registered, as the admin center's users and
/// registration details downloads.
fn large_tenant(dir: &Path, n: usize) {
    let mut users = String::from("userPrincipalName,displayName,accountEnabled\r\n");
    let mut registration =
        String::from("userPrincipalName,userDisplayName,isMfaRegistered,methodsRegistered\r\n");
    for i in 0..n {
        let upn = format!("person{i:05}@contoso.com");
        users.push_str(&format!("{upn},Person {i},True\r\n"));
        let (registered, methods) = if i % 2 == 0 {
            ("False", "")
        } else {
            ("True", "microsoftAuthenticatorPush")
        };
        registration.push_str(&format!("{upn},Person {i},{registered},{methods}\r\n"));
    }
    support::write(dir, "exports/users.csv", users);
    support::write(dir, "exports/registration.csv", registration);
}

/// The mail of a 3,000-user audit through a real SMTP server: the summary page attached as it is,
/// the CSV over the limit zipped, what was attached said on stderr; with `--email-html full` and a
/// smaller limit, the full page left out and the body saying how to get it.
#[test]
fn the_mail_of_a_large_tenant_fits_its_limit() {
    let Some(s) = sinks() else { return };
    let dir = support::tempdir();
    large_tenant(dir.path(), 3000);
    let run = |to: &str, extra: &[&str]| {
        support::Test::new()
            .current_dir(dir.path())
            .args([
                "audit",
                "exports",
                "--csv",
                "users-out.csv",
                "--html",
                "report.html",
            ])
            .args(["--email-to", to, "--email-from", "mfaudit@contoso.com"])
            .args(["--smtp-host", "127.0.0.1", "--smtp-security", "none"])
            .arg("--smtp-port")
            .arg(s.plain.to_string())
            .args(extra)
            .env("SOURCE_DATE_EPOCH", "1796212800")
            .run()
    };
    let to = unique_recipient();
    let ran = run(&to, &["--email-max-attachment", "0.25"]);
    ran.ok();
    let csv = std::fs::read(dir.path().join("users-out.csv")).unwrap();
    let full = std::fs::read(dir.path().join("report.html")).unwrap();
    assert!(csv.len() > 256 * 1024, "{} bytes", csv.len());
    let bytes = received(&s.maildirs.join("plain"), &to);
    assert_eq!(
        shape_of(&bytes),
        [
            "multipart/mixed",
            "multipart/alternative",
            "text/plain",
            "text/html",
            "text/html[mfaudit-report.html]",
            "application/zip[mfaudit-users.csv.zip]",
        ]
    );
    let mail = mailparse::parse_mail(&bytes).expect("parse");
    // The summary page: no inventory, far smaller than the full one.
    let page = mail.subparts[1].get_body_raw().unwrap();
    let page_text = String::from_utf8(page.clone()).unwrap();
    assert!(!page_text.contains("id=\"mfaudit-data\""));
    assert!(
        page.len() * 3 < full.len(),
        "{} vs {}",
        page.len(),
        full.len()
    );
    // The zip holds the CSV the run wrote, byte for byte.
    let zip_bytes = mail.subparts[2].get_body_raw().unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
    let mut inside = Vec::new();
    std::io::Read::read_to_end(
        &mut archive.by_name("mfaudit-users.csv").unwrap(),
        &mut inside,
    )
    .unwrap();
    assert_eq!(inside, csv);
    let note = ran
        .stderr_lines()
        .into_iter()
        .find_map(|l| {
            l.strip_prefix("note: ")
                .filter(|l| l.starts_with("email sent to "))
        })
        .expect("the operator is told")
        .to_string();
    assert!(
        note.starts_with(&format!(
            "email sent to {to}: attached mfaudit-report.html ("
        )) && note.contains("), mfaudit-users.csv.zip (")
            && note.ends_with(&format!(
                ", zipped from {:.1} KB)",
                csv.len() as f64 / 1024.0
            )),
        "{note}"
    );
    // The body lists the top of every finding list, here the 1,500 unregistered users' first.
    let text = text_of(&mail);
    assert!(
        text.contains(
            "Enabled users not registered for MFA (1500)\n  person00000@contoso.com\n  person00002@contoso.com\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("  ... and 1450 more (see the CSV)\n"),
        "{text}"
    );

    // The full page with a limit it cannot meet even zipped: left out, and said.
    let to = unique_recipient();
    let ran = run(
        &to,
        &["--email-html", "full", "--email-max-attachment", "0.01"],
    );
    ran.ok();
    let bytes = received(&s.maildirs.join("plain"), &to);
    let mail = mailparse::parse_mail(&bytes).expect("parse");
    let mut parts = Vec::new();
    shape(&mail, &mut parts);
    assert_eq!(
        parts,
        [
            "multipart/mixed",
            "multipart/alternative",
            "text/plain",
            "text/html"
        ]
    );
    let text = mail.subparts[0].subparts[0]
        .get_body()
        .unwrap()
        .replace("\r\n", "\n");
    assert!(
        text.contains("over this mail's limit of 10.2 KB for attachments.\nThe sender's audit wrote them as users-out.csv, report.html: ask the sender to share them, or to raise --email-max-attachment.\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Not attached: mfaudit-report.html ({:.1} KB, ",
            full.len() as f64 / 1024.0
        )),
        "{text}"
    );
    let note = ran
        .stderr_lines()
        .into_iter()
        .find_map(|l| {
            l.strip_prefix("note: ")
                .filter(|l| l.starts_with("email sent to "))
        })
        .unwrap()
        .to_string();
    assert!(
        note.starts_with(&format!(
            "email sent to {to}: nothing attached; left out mfaudit-report.html.zip ("
        )) && note.ends_with("over the 10.2 KB limit (--email-max-attachment MB)"),
        "{note}"
    );
}
