//! The configuration file of `mfaudit run --config FILE`, for unattended runs (cron, systemd
//! timers, Task Scheduler): inputs (globs, since Windows shells do not expand them), outputs,
//! email, policy thresholds and audit settings, in TOML.
//!
//! Layers: built-in defaults < the file < flags. [`load`] reads and checks the file, [`merge`]
//! lays the flags over it (relative paths in the file resolve against the file's folder, so a
//! scheduler's working directory does not matter) and [`dump`] shows the merged result for
//! `--dump-config`. The file never holds the SMTP password (a `password` key is refused); the dump
//! says where the password comes from, never what it is.

use std::path::{Path, PathBuf};

use clap::ValueEnum;
use serde::{Deserialize, Deserializer, Serialize};

use crate::cli::{AuditArgs, DateOrder, EmailArgs, GlobalArgs, PolicyArgs, SmtpSecurity};
use crate::deliver::email::PASSWORD_ENV;
use crate::error::{Error, Result};

/// `--fatigue-threshold`'s default: denied or unanswered pushes that make a burst.
pub const DEFAULT_FATIGUE_THRESHOLD: u32 = 5;
/// `--fatigue-window`'s default, in minutes.
pub const DEFAULT_FATIGUE_WINDOW: u32 = 30;

/// The whole file. Every key is optional; unknown keys are errors (a typo must not be ignored in
/// a job nobody watches).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct FileConfig {
    /// Export files, folders or glob patterns (`exports/*.csv`), relative to the file's folder.
    #[serde(deserialize_with = "one_or_many")]
    pub inputs: Vec<String>,
    /// Read every input in this encoding (`--encoding`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// No warnings or progress on stderr (`--quiet`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quiet: Option<bool>,
    /// `mdy` or `dmy` (`--date-order`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_order: Option<String>,
    /// `user=COLUMN,time=COLUMN,result=COLUMN` (`--mfa-server-columns`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa_server_columns: Option<String>,
    pub outputs: OutputsConfig,
    pub email: EmailConfig,
    pub policy: PolicyConfig,
    pub audit: AuditConfig,
    /// The folder of the file, against which its relative paths resolve. Set by [`load`].
    #[serde(skip)]
    pub dir: PathBuf,
}

/// `[outputs]`: the report files (`--json`, `--csv`, `--html`, `--template-dir`, `--history`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct OutputsConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csv: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<PathBuf>,
}

/// `[email]`: the email flags without their `email-` / `smtp-` prefix (the prefixed names are
/// accepted too), plus `password-file`. Never the password itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct EmailConfig {
    #[serde(alias = "email-to", deserialize_with = "one_or_many")]
    pub to: Vec<String>,
    #[serde(alias = "email-from", skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(alias = "email-subject", skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(alias = "smtp-host", skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(alias = "smtp-port", skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(alias = "smtp-security", skip_serializing_if = "Option::is_none")]
    pub security: Option<SmtpSecurity>,
    #[serde(alias = "smtp-user", skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(alias = "smtp-password-file", skip_serializing_if = "Option::is_none")]
    pub password_file: Option<PathBuf>,
    #[serde(alias = "smtp-ca-file", skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    #[serde(alias = "email-dry-run", skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<PathBuf>,
    /// Caught only to refuse it with a clear message (and its line); never stored anywhere else.
    #[serde(alias = "smtp-password", skip_serializing)]
    password: Option<toml::Spanned<toml::Value>>,
}

/// `[policy]`: thresholds that make the run exit 3 after the reports are written and sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct PolicyConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_if_unregistered: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_if_admins_without_mfa: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_if_unable_to_complete: Option<u64>,
}

/// `[audit]`: the push-fatigue detector.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct AuditConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fatigue_threshold: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fatigue_window: Option<u32>,
}

/// Accepts `key = "one"` as well as `key = ["one", "two"]`.
fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

/// Reads and checks a config file. Every problem is an [`Error::Usage`] naming the file and,
/// where there is one, the line and column.
pub fn load(path: &Path) -> Result<FileConfig> {
    let bytes = std::fs::read(path).map_err(|e| {
        Error::Usage(format!(
            "{}: cannot read the config file ({e})",
            path.display()
        ))
    })?;
    let text = decode_text(&bytes, path)?;
    let mut config = parse(&text, path)?;
    config.dir = std::path::absolute(path)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."));
    Ok(config)
}

/// UTF-8 (with or without BOM), or UTF-16 with a BOM: what Windows PowerShell 5.1's `Out-File`
/// and `>` write, so a config made there loads as it is.
fn decode_text(bytes: &[u8], path: &Path) -> Result<String> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom..]);
        if !had_errors {
            return Ok(text.into_owned());
        }
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    Err(Error::Usage(format!(
        "{}: the config file is not UTF-8 or UTF-16 text: save it as UTF-8",
        path.display()
    )))
}

/// Parses the text of a config file; `path` only names it in errors.
pub fn parse(text: &str, path: &Path) -> Result<FileConfig> {
    let text = text.trim_start_matches('\u{feff}');
    let at = |offset: usize| {
        let (line, col) = line_col(text, offset);
        format!("{}:{line}:{col}", path.display())
    };
    let config: FileConfig = toml::from_str(text).map_err(|e| {
        let place = match e.span() {
            Some(span) => at(span.start),
            None => path.display().to_string(),
        };
        Error::Usage(format!("{place}: {}", one_line(e.message())))
    })?;
    if let Some(password) = &config.email.password {
        return Err(Error::Usage(format!(
            "{}: [email] password is not allowed in a config file: set {PASSWORD_ENV} or password-file = \"FILE\" (a file only the job's account can read)",
            at(password.span().start)
        )));
    }
    if let Some(order) = &config.date_order
        && DateOrder::from_str(order, true).is_err()
    {
        return Err(Error::Usage(format!(
            "{}: date-order = \"{order}\": expected \"mdy\" or \"dmy\"",
            path.display()
        )));
    }
    if let Some(spec) = &config.mfa_server_columns {
        crate::cli::parse_column_map(spec)
            .map_err(|e| Error::Usage(format!("{}: mfa-server-columns: {e}", path.display())))?;
    }
    if let Some(label) = &config.encoding {
        crate::input::decode::encoding_for_label(label)
            .map_err(|e| Error::Usage(format!("{}: encoding: {e}", path.display())))?;
    }
    Ok(config)
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lays the flags over the file: a flag given wins, otherwise the file's value, otherwise the
/// default. Relative paths from the file are resolved against its folder; the flags' stay as given
/// (relative to the working directory). Inputs from the flags replace the file's list.
pub fn merge(file: FileConfig, flags: &AuditArgs) -> AuditArgs {
    let dir = file.dir.as_path();
    let path = |p: &Option<PathBuf>| p.as_ref().map(|p| resolve(dir, p));
    let o = &file.outputs;
    let e = &file.email;
    let f = &flags.email;
    AuditArgs {
        json: flags.json.clone().or_else(|| path(&o.json)),
        csv: flags.csv.clone().or_else(|| path(&o.csv)),
        html: flags.html.clone().or_else(|| path(&o.html)),
        template_dir: flags.template_dir.clone().or_else(|| path(&o.template_dir)),
        history: flags.history.clone().or_else(|| path(&o.history)),
        fatigue_threshold: flags
            .fatigue_threshold
            .or(file.audit.fatigue_threshold)
            .or(Some(DEFAULT_FATIGUE_THRESHOLD)),
        fatigue_window: flags
            .fatigue_window
            .or(file.audit.fatigue_window)
            .or(Some(DEFAULT_FATIGUE_WINDOW)),
        email: EmailArgs {
            to: if f.to.is_empty() {
                e.to.clone()
            } else {
                f.to.clone()
            },
            from: f.from.clone().or_else(|| e.from.clone()),
            subject: f.subject.clone().or_else(|| e.subject.clone()),
            smtp_host: f.smtp_host.clone().or_else(|| e.host.clone()),
            smtp_port: f.smtp_port.or(e.port),
            smtp_security: f.smtp_security.or(e.security),
            smtp_user: f.smtp_user.clone().or_else(|| e.user.clone()),
            smtp_password_file: f
                .smtp_password_file
                .clone()
                .or_else(|| path(&e.password_file)),
            smtp_ca_file: f.smtp_ca_file.clone().or_else(|| path(&e.ca_file)),
            email_dry_run: f.email_dry_run.clone().or_else(|| path(&e.dry_run)),
        },
        policy: PolicyArgs {
            fail_if_unregistered: flags
                .policy
                .fail_if_unregistered
                .or(file.policy.fail_if_unregistered),
            fail_if_admins_without_mfa: flags
                .policy
                .fail_if_admins_without_mfa
                .or(file.policy.fail_if_admins_without_mfa),
            fail_if_unable_to_complete: flags
                .policy
                .fail_if_unable_to_complete
                .or(file.policy.fail_if_unable_to_complete),
        },
        inputs: if flags.inputs.is_empty() {
            file.inputs.iter().map(|i| resolve_input(dir, i)).collect()
        } else {
            flags.inputs.clone()
        },
    }
}

/// The global options (`encoding`, `quiet`, `date-order`, `mfa-server-columns`): flags over file.
pub fn merge_global(file: &FileConfig, flags: &GlobalArgs) -> GlobalArgs {
    GlobalArgs {
        encoding: flags.encoding.clone().or_else(|| file.encoding.clone()),
        quiet: flags.quiet || file.quiet.unwrap_or(false),
        date_order: flags.date_order.or_else(|| {
            file.date_order
                .as_deref()
                .and_then(|s| DateOrder::from_str(s, true).ok())
        }),
        mfa_server_columns: flags
            .mfa_server_columns
            .clone()
            .or_else(|| file.mfa_server_columns.clone()),
    }
}

fn resolve(dir: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() || p.as_os_str() == "-" || dir.as_os_str().is_empty() {
        p.to_path_buf()
    } else {
        dir.join(p)
    }
}

/// Like [`resolve`], but a glob pattern keeps working when the folder's own name holds `[`, `*`
/// or `?`: the folder part is escaped.
fn resolve_input(dir: &Path, input: &str) -> PathBuf {
    let p = Path::new(input);
    let is_pattern = input.contains(['*', '?', '[']);
    if !is_pattern || p.is_absolute() || dir.as_os_str().is_empty() {
        return resolve(dir, p);
    }
    match dir.to_str() {
        Some(d) => Path::new(&glob::Pattern::escape(d)).join(p),
        None => dir.join(p),
    }
}

/// The merged configuration as TOML (loadable again with `--config`). The password is never
/// shown: a comment in `[email]` says where it comes from.
pub fn dump(args: &AuditArgs) -> String {
    let env_set = std::env::var_os(PASSWORD_ENV).is_some_and(|v| !v.is_empty());
    dump_with(None, args, env_set)
}

/// [`dump`] with the global options (`encoding`, `quiet`, ...) too.
pub fn dump_all(global: &GlobalArgs, args: &AuditArgs) -> String {
    let env_set = std::env::var_os(PASSWORD_ENV).is_some_and(|v| !v.is_empty());
    dump_with(Some(global), args, env_set)
}

fn dump_with(global: Option<&GlobalArgs>, args: &AuditArgs, env_password_set: bool) -> String {
    let lossy = |p: &PathBuf| p.to_string_lossy().into_owned();
    let e = &args.email;
    let mut config = FileConfig {
        inputs: args.inputs.iter().map(lossy).collect(),
        outputs: OutputsConfig {
            json: args.json.clone(),
            csv: args.csv.clone(),
            html: args.html.clone(),
            template_dir: args.template_dir.clone(),
            history: args.history.clone(),
        },
        email: EmailConfig {
            to: e.to.clone(),
            from: e.from.clone(),
            subject: e.subject.clone(),
            host: e.smtp_host.clone(),
            port: e.smtp_port,
            security: e.smtp_security,
            user: e.smtp_user.clone(),
            password_file: e.smtp_password_file.clone(),
            ca_file: e.smtp_ca_file.clone(),
            dry_run: e.email_dry_run.clone(),
            password: None,
        },
        policy: PolicyConfig {
            fail_if_unregistered: args.policy.fail_if_unregistered,
            fail_if_admins_without_mfa: args.policy.fail_if_admins_without_mfa,
            fail_if_unable_to_complete: args.policy.fail_if_unable_to_complete,
        },
        audit: AuditConfig {
            fatigue_threshold: Some(args.fatigue_threshold.unwrap_or(DEFAULT_FATIGUE_THRESHOLD)),
            fatigue_window: Some(args.fatigue_window.unwrap_or(DEFAULT_FATIGUE_WINDOW)),
        },
        ..FileConfig::default()
    };
    if let Some(g) = global {
        config.encoding = g.encoding.clone();
        config.quiet = Some(g.quiet);
        config.date_order = g
            .date_order
            .and_then(|o| o.to_possible_value().map(|v| v.get_name().to_string()));
        config.mfa_server_columns = g.mfa_server_columns.clone();
    }
    let password = match (&e.smtp_user, &e.smtp_password_file) {
        (None, _) => "(none: no user)".to_string(),
        (Some(_), Some(file)) => format!("(from {})", file.display()),
        (Some(_), None) if env_password_set => format!("(from {PASSWORD_ENV})"),
        (Some(_), None) => format!("(not set: set {PASSWORD_ENV} or password-file)"),
    };
    let toml = toml::to_string(&config)
        .unwrap_or_else(|e| format!("# the configuration could not be shown as TOML: {e}\n"));
    let comment = format!("# password: {password}");
    let mut out = String::with_capacity(toml.len() + comment.len() + 1);
    let mut placed = false;
    for line in toml.lines() {
        out.push_str(line);
        out.push('\n');
        if line.trim() == "[email]" {
            out.push_str(&comment);
            out.push('\n');
            placed = true;
        }
    }
    if !placed {
        out.push_str("\n[email]\n");
        out.push_str(&comment);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> FileConfig {
        match parse(text, Path::new("m.toml")) {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        }
    }

    fn parse_err(text: &str) -> String {
        match parse(text, Path::new("m.toml")) {
            Ok(c) => panic!("accepted: {c:?}"),
            Err(e) => {
                assert_eq!(e.exit_code(), 2, "{e}");
                e.to_string()
            }
        }
    }

    #[test]
    fn every_section_parses() {
        let c = parse_ok(
            "inputs = [\"exports/*.csv\", \"signins\"]\nencoding = \"windows-1252\"\nquiet = true\n\
             date-order = \"dmy\"\n\
             [outputs]\njson = \"out/a.json\"\ncsv = \"out/a.csv\"\nhtml = \"out/a.html\"\n\
             template-dir = \"tpl\"\nhistory = \"h.db\"\n\
             [email]\nto = [\"sec@example.com\", \"Ops <ops@example.com>\"]\nfrom = \"mfaudit@example.com\"\n\
             subject = \"MFA\"\nhost = \"smtp.example.com\"\nport = 2587\nsecurity = \"tls\"\nuser = \"alice\"\n\
             password-file = \"/etc/mfaudit/pw\"\nca-file = \"ca.pem\"\ndry-run = \"out/m.eml\"\n\
             [policy]\nfail-if-unregistered = 10\nfail-if-admins-without-mfa = 0\nfail-if-unable-to-complete = 3\n\
             [audit]\nfatigue-threshold = 8\nfatigue-window = 15\n",
        );
        assert_eq!(c.inputs, ["exports/*.csv", "signins"]);
        assert_eq!(c.encoding.as_deref(), Some("windows-1252"));
        assert_eq!(c.quiet, Some(true));
        assert_eq!(c.outputs.template_dir, Some(PathBuf::from("tpl")));
        assert_eq!(c.email.to, ["sec@example.com", "Ops <ops@example.com>"]);
        assert_eq!(c.email.port, Some(2587));
        assert_eq!(c.email.security, Some(SmtpSecurity::Tls));
        assert_eq!(
            c.email.password_file,
            Some(PathBuf::from("/etc/mfaudit/pw"))
        );
        assert_eq!(c.policy.fail_if_admins_without_mfa, Some(0));
        assert_eq!(c.audit.fatigue_window, Some(15));
    }

    #[test]
    fn single_strings_and_flag_names_are_accepted() {
        let c = parse_ok(
            "inputs = \"x.csv\"\n[email]\nemail-to = \"a@example.com\"\nsmtp-host = \"h\"\nsmtp-security = \"none\"\n",
        );
        assert_eq!(c.inputs, ["x.csv"]);
        assert_eq!(c.email.to, ["a@example.com"]);
        assert_eq!(c.email.host.as_deref(), Some("h"));
        assert_eq!(c.email.security, Some(SmtpSecurity::None));
    }

    #[test]
    fn a_password_key_is_refused_with_its_line_and_never_echoed() {
        let msg = parse_err("[email]\nto = \"a@example.com\"\npassword = \"hunter22\"\n");
        assert!(
            msg.starts_with("m.toml:3:12: [email] password is not allowed"),
            "{msg}"
        );
        assert!(msg.contains("MFAUDIT_SMTP_PASSWORD"), "{msg}");
        assert!(!msg.contains("hunter22"), "{msg}");
        let msg = parse_err("[email]\nsmtp-password = \"hunter22\"\n");
        assert!(msg.starts_with("m.toml:2:"), "{msg}");
        assert!(!msg.contains("hunter22"), "{msg}");
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_line() {
        let msg = parse_err("[outputs]\njson = \"a\"\nhtlm = \"b\"\n");
        assert!(msg.starts_with("m.toml:3:1: unknown field `htlm`"), "{msg}");
        let msg = parse_err("[email]\nsecurity = \"ssl\"\n");
        assert!(
            msg.starts_with("m.toml:2:12: unknown variant `ssl`"),
            "{msg}"
        );
        let msg = parse_err("[policy]\nfail-if-unregistered = -1\n");
        assert!(msg.starts_with("m.toml:2:"), "{msg}");
        let msg = parse_err("inputs = [\n");
        assert!(msg.starts_with("m.toml:"), "{msg}");
        assert_eq!(
            parse_err("date-order = \"ymd\"\n"),
            "m.toml: date-order = \"ymd\": expected \"mdy\" or \"dmy\""
        );
        assert!(parse_err("encoding = \"klingon\"\n").starts_with("m.toml: encoding: "));
    }

    #[test]
    fn utf16_and_bom_configs_load() {
        let dir = tempfile::tempdir().expect("temp dir");
        let text = "inputs = [\"exports/é*.csv\"]\n[policy]\nfail-if-unregistered = 2\n";
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        let mut utf8_bom = b"\xEF\xBB\xBF".to_vec();
        utf8_bom.extend_from_slice(text.as_bytes());
        for (name, bytes) in [("u16.toml", utf16), ("bom.toml", utf8_bom)] {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).expect("write");
            let c = load(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(c.inputs, ["exports/é*.csv"], "{name}");
            assert_eq!(c.policy.fail_if_unregistered, Some(2), "{name}");
            assert_eq!(c.dir, std::path::absolute(dir.path()).expect("absolute"));
        }
        let ansi = dir.path().join("ansi.toml");
        std::fs::write(&ansi, b"inputs = [\"caf\xE9.csv\"]\n").expect("write");
        let err = load(&ansi).expect_err("windows-1252 is refused");
        assert_eq!(
            err.to_string(),
            format!(
                "{}: the config file is not UTF-8 or UTF-16 text: save it as UTF-8",
                ansi.display()
            )
        );
        let missing = dir.path().join("missing.toml");
        assert!(
            load(&missing)
                .expect_err("missing")
                .to_string()
                .starts_with(&format!(
                    "{}: cannot read the config file (",
                    missing.display()
                ))
        );
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncé\nx", 0), (1, 1));
        assert_eq!(line_col("ab\ncé\nx", 3), (2, 1));
        assert_eq!(line_col("ab\ncé\nx", 7), (3, 1));
        assert_eq!(line_col("ab\ncé\nx", 6), (2, 3));
    }

    fn file_in(dir: &str, text: &str) -> FileConfig {
        let mut c = parse_ok(text);
        c.dir = PathBuf::from(dir);
        c
    }

    #[test]
    fn file_values_resolve_against_the_file_folder() {
        let c = file_in(
            "/etc/mfaudit",
            "inputs = [\"exports/*.csv\", \"/abs/x.csv\", \"-\"]\n[outputs]\nhtml = \"out/r.html\"\njson = \"/var/r.json\"\n\
             [email]\nto = \"a@example.com\"\npassword-file = \"pw\"\n[audit]\nfatigue-threshold = 9\n",
        );
        let m = merge(c, &AuditArgs::default_for_merge());
        assert_eq!(
            m.inputs,
            [
                PathBuf::from("/etc/mfaudit/exports/*.csv"),
                PathBuf::from("/abs/x.csv"),
                PathBuf::from("-")
            ]
        );
        assert_eq!(m.html, Some(PathBuf::from("/etc/mfaudit/out/r.html")));
        assert_eq!(m.json, Some(PathBuf::from("/var/r.json")));
        assert_eq!(
            m.email.smtp_password_file,
            Some(PathBuf::from("/etc/mfaudit/pw"))
        );
        assert_eq!(m.email.to, ["a@example.com"]);
        assert_eq!(m.fatigue_threshold, Some(9));
        assert_eq!(m.fatigue_window, Some(DEFAULT_FATIGUE_WINDOW));
    }

    #[test]
    fn a_folder_with_glob_characters_is_escaped_in_patterns() {
        let c = file_in("/data/[2026]", "inputs = [\"*.csv\", \"users.csv\"]\n");
        let m = merge(c, &AuditArgs::default_for_merge());
        assert_eq!(
            m.inputs,
            [
                PathBuf::from("/data/[[]2026[]]/*.csv"),
                PathBuf::from("/data/[2026]/users.csv")
            ]
        );
    }

    #[test]
    fn flags_override_the_file() {
        let c = file_in(
            "/cfg",
            "inputs = [\"a\"]\n[outputs]\nhtml = \"r.html\"\ncsv = \"r.csv\"\n[email]\nto = \"file@example.com\"\n\
             host = \"file-host\"\nport = 25\nsecurity = \"none\"\n[policy]\nfail-if-unregistered = 10\n\
             fail-if-unable-to-complete = 2\n[audit]\nfatigue-threshold = 9\nfatigue-window = 60\n",
        );
        let mut flags = AuditArgs::default_for_merge();
        flags.inputs = vec![PathBuf::from("b")];
        flags.html = Some(PathBuf::from("flag.html"));
        flags.email.to = vec!["flag@example.com".into()];
        flags.email.smtp_security = Some(SmtpSecurity::Starttls);
        flags.policy.fail_if_unregistered = Some(0);
        flags.fatigue_threshold = Some(3);
        let m = merge(c, &flags);
        assert_eq!(m.inputs, [PathBuf::from("b")]);
        assert_eq!(m.html, Some(PathBuf::from("flag.html")));
        assert_eq!(m.csv, Some(PathBuf::from("/cfg/r.csv")));
        assert_eq!(m.email.to, ["flag@example.com"]);
        assert_eq!(m.email.smtp_host.as_deref(), Some("file-host"));
        assert_eq!(m.email.smtp_port, Some(25));
        assert_eq!(m.email.smtp_security, Some(SmtpSecurity::Starttls));
        assert_eq!(m.policy.fail_if_unregistered, Some(0));
        assert_eq!(m.policy.fail_if_unable_to_complete, Some(2));
        assert_eq!(m.fatigue_threshold, Some(3));
        assert_eq!(m.fatigue_window, Some(60));
    }

    #[test]
    fn global_options_merge() {
        let c = parse_ok("encoding = \"utf-16le\"\nquiet = true\ndate-order = \"dmy\"\n");
        let flags = GlobalArgs {
            encoding: None,
            quiet: false,
            date_order: None,
            mfa_server_columns: Some("user=U,result=R".into()),
        };
        let g = merge_global(&c, &flags);
        assert_eq!(g.encoding.as_deref(), Some("utf-16le"));
        assert!(g.quiet);
        assert!(matches!(g.date_order, Some(DateOrder::Dmy)));
        assert_eq!(g.mfa_server_columns.as_deref(), Some("user=U,result=R"));
    }

    #[test]
    fn dump_says_where_the_password_comes_from_and_loads_back() {
        let c = file_in(
            "/cfg",
            "inputs = [\"a/*.csv\"]\n[outputs]\nhtml = \"r.html\"\n[email]\nto = [\"a@example.com\"]\n\
             from = \"m@example.com\"\nhost = \"smtp.example.com\"\nuser = \"alice\"\n[policy]\nfail-if-unregistered = 4\n",
        );
        let merged = merge(c, &AuditArgs::default_for_merge());
        let text = dump_with(None, &merged, true);
        assert!(
            text.contains("[email]\n# password: (from MFAUDIT_SMTP_PASSWORD)\n"),
            "{text}"
        );
        assert!(text.contains("html = \"/cfg/r.html\""), "{text}");
        assert!(text.contains("fail-if-unregistered = 4"), "{text}");
        assert!(text.contains("fatigue-threshold = 5"), "{text}");
        // The dump is a valid config that gives the same merged result again.
        let mut again = parse_ok(&text);
        again.dir = PathBuf::from("/elsewhere");
        let round = merge(again, &AuditArgs::default_for_merge());
        assert_eq!(format!("{round:?}"), format!("{merged:?}"));

        let mut with_file = merged.clone();
        with_file.email.smtp_password_file = Some(PathBuf::from("/cfg/pw"));
        let text = dump_with(None, &with_file, true);
        assert!(text.contains("# password: (from /cfg/pw)\n"), "{text}");
        assert!(text.contains("password-file = \"/cfg/pw\""), "{text}");
        let text = dump_with(None, &AuditArgs::default_for_merge(), true);
        assert!(
            text.contains("[email]\n# password: (none: no user)\n"),
            "{text}"
        );
    }

    #[test]
    fn dump_all_includes_global_options() {
        let g = GlobalArgs {
            encoding: Some("windows-1252".into()),
            quiet: true,
            date_order: Some(DateOrder::Mdy),
            mfa_server_columns: None,
        };
        let text = dump_with(Some(&g), &AuditArgs::default_for_merge(), false);
        assert!(
            text.starts_with(
                "inputs = []\nencoding = \"windows-1252\"\nquiet = true\ndate-order = \"mdy\"\n"
            ),
            "{text}"
        );
        let back = parse_ok(&text);
        assert_eq!(back.date_order.as_deref(), Some("mdy"));
    }

    impl AuditArgs {
        /// What clap gives when no flag is passed (its defaults for the fatigue settings).
        fn default_for_merge() -> AuditArgs {
            AuditArgs {
                fatigue_threshold: None,
                fatigue_window: None,
                ..AuditArgs::default()
            }
        }
    }
}
