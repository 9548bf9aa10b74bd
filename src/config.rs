//! The settings of an audit, layered the way cargo and typos do it: built-in defaults < the
//! configuration file of `mfaudit run --config FILE` (for cron, systemd timers, Task Scheduler) <
//! the flags. Each source fills one [`Layer`], every field optional; [`Layer::update`] lays one over
//! another; [`Layer::resolve`] turns the result into the typed [`Settings`] the audit, the report
//! files and the mail take. Each default is defined once, by the type it belongs to
//! ([`AuditOptions`], [`email::SmtpSecurity`]).
//!
//! [`load`] reads and checks the file (every problem names the file, and the line and column where
//! there is one) and resolves its relative paths against the file's folder, so a scheduler's
//! working directory does not matter; the flags' paths stay as given. The file never holds the
//! SMTP password (a `password` key is refused); [`dump`] says where the password comes from, never
//! what it is.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::audit::AuditOptions;
use crate::deliver::email::{self, PASSWORD_ENV, SmtpSecurity};
use crate::deliver::webhook;
use crate::error::{ConfigError, Result, Usage};
use crate::input::ReadOptions;
use crate::input::decode::encoding_for_label;
use crate::input::mfa_server::{ColumnMap, ColumnMaps, Report};
use crate::report::findings::Thresholds;

/// One source of settings: the file, or the flags. Every key is optional; unknown keys are errors
/// (a typo must not be ignored in a job nobody watches). Its serde form is the file's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Layer {
    /// Export files, folders or glob patterns (`exports/*.csv`). Given, they replace the list of
    /// the layer below.
    #[serde(deserialize_with = "one_or_many", serialize_with = "lossy_paths")]
    pub inputs: Vec<PathBuf>,
    /// Read every input in this encoding (`--encoding`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// No warnings or progress on stderr (`--quiet`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quiet: Option<bool>,
    /// `mdy` or `dmy` (`--date-order`), lower case once checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_order: Option<String>,
    /// `user=COLUMN,time=COLUMN,result=COLUMN` (`--mfa-server-columns`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa_server_columns: Option<String>,
    /// The Blocked User History's columns (`--mfa-server-blocked-columns`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa_server_blocked_columns: Option<String>,
    /// The Bypassed User History's columns (`--mfa-server-bypassed-columns`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa_server_bypassed_columns: Option<String>,
    pub outputs: Outputs,
    pub email: EmailLayer,
    #[serde(skip_serializing_if = "WebhookLayer::is_empty")]
    pub webhook: WebhookLayer,
    /// `[pull]`: pull fresh exports from Graph before the audit (`mfaudit pull`'s options by
    /// their names). When the config names no inputs, the audit reads its `out`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pull: Option<crate::pull::Options>,
    pub policy: Policy,
    pub audit: Audit,
    pub exceptions: ExceptionsLayer,
    /// `[classes]`: account classes by UPN pattern (`service-account = ["svc-*@contoso.com"]`).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub classes: std::collections::BTreeMap<String, Vec<String>>,
}

/// `[exceptions]`: the exceptions files (`--exceptions`) and how many days ahead an expiry is
/// warned about (`--exception-warning-days`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct ExceptionsLayer {
    #[serde(deserialize_with = "one_or_many", serialize_with = "lossy_paths")]
    pub files: Vec<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning_days: Option<u32>,
}

/// The exceptions of a run, resolved.
#[derive(Debug, Clone, Default)]
pub struct ExceptionSettings {
    pub files: Vec<PathBuf>,
    pub warning_days: i64,
    /// `[classes]`: each class with a UPN pattern.
    pub patterns: Vec<(crate::model::exceptions::Class, String)>,
}

/// How many days before it ends an exception is `expiring` (cli.md).
pub const EXCEPTION_WARNING_DAYS: u32 = 14;

/// `[outputs]`: the report files (`--json`, `--csv`, `--html`, `--xlsx`, `--markdown`,
/// `--template-dir`, `--history`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Outputs {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csv: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xlsx: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub markdown: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<PathBuf>,
}

/// `[webhook]`: `format` (teams, slack, json) and `url-file`; never the URL itself, which
/// carries the signature that lets anyone post (it comes from MFAUDIT_WEBHOOK_URL otherwise).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct WebhookLayer {
    #[serde(alias = "webhook-format", skip_serializing_if = "Option::is_none")]
    pub format: Option<webhook::Format>,
    #[serde(alias = "webhook-url-file", skip_serializing_if = "Option::is_none")]
    pub url_file: Option<PathBuf>,
}

impl WebhookLayer {
    /// No chat delivery asked for: the dump leaves the section out.
    fn is_empty(&self) -> bool {
        self.format.is_none() && self.url_file.is_none()
    }
}

/// `[email]`: the email flags without their `email-` / `smtp-` prefix (the prefixed names are
/// accepted too), plus `password-file`. Never the password itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct EmailLayer {
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
    /// `--email-max-attachment MB`.
    #[serde(
        alias = "email-max-attachment",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_attachment: Option<f64>,
    /// `--email-html summary|full`.
    #[serde(alias = "email-html", skip_serializing_if = "Option::is_none")]
    pub html: Option<email::MailHtml>,
    /// Caught only to refuse it with a clear message (and its line); never stored anywhere else.
    #[serde(alias = "smtp-password", skip_serializing)]
    password: Option<toml::Spanned<toml::Value>>,
}

/// `[policy]`: thresholds that make the run exit 3 after the reports are written and sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Policy {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_if_unregistered: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_if_admins_without_mfa: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_if_unable_to_complete: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_if_not_required: Option<u64>,
}

/// `[audit]`: the push-fatigue detector.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Audit {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fatigue_threshold: Option<u32>,
    /// Minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fatigue_window: Option<u32>,
}

/// The settings of one audit, resolved: what `commands::audit` runs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub inputs: Vec<PathBuf>,
    /// Pulled from Graph before the audit reads the inputs.
    pub pull: Option<crate::pull::Options>,
    pub quiet: bool,
    pub read: ReadOptions,
    pub outputs: Outputs,
    /// The mail as asked for; `deliver::email::settings` checks it.
    pub email: email::Options,
    /// The chat delivery as asked for; `deliver::webhook::settings` checks it.
    pub webhook: webhook::Options,
    pub thresholds: Thresholds,
    pub audit: AuditOptions,
    pub exceptions: ExceptionSettings,
}

/// The values of `--date-order` / `date-order`, and whether each reads the day first.
pub const DATE_ORDERS: [(&str, bool); 2] = [("mdy", false), ("dmy", true)];

impl Layer {
    /// Lays `over` on top: each value `over` gives wins; a list it gives replaces this one's.
    pub fn update(&mut self, over: Layer) {
        fn take<T>(mine: &mut Option<T>, theirs: Option<T>) {
            if theirs.is_some() {
                *mine = theirs;
            }
        }
        fn take_list<T>(mine: &mut Vec<T>, theirs: Vec<T>) {
            if !theirs.is_empty() {
                *mine = theirs;
            }
        }
        take_list(&mut self.inputs, over.inputs);
        take(&mut self.encoding, over.encoding);
        take(&mut self.quiet, over.quiet);
        take(&mut self.date_order, over.date_order);
        take(&mut self.mfa_server_columns, over.mfa_server_columns);
        take(
            &mut self.mfa_server_blocked_columns,
            over.mfa_server_blocked_columns,
        );
        take(
            &mut self.mfa_server_bypassed_columns,
            over.mfa_server_bypassed_columns,
        );
        let (o, theirs) = (&mut self.outputs, over.outputs);
        take(&mut o.json, theirs.json);
        take(&mut o.csv, theirs.csv);
        take(&mut o.html, theirs.html);
        take(&mut o.xlsx, theirs.xlsx);
        take(&mut o.markdown, theirs.markdown);
        take(&mut o.template_dir, theirs.template_dir);
        take(&mut o.history, theirs.history);
        let (e, theirs) = (&mut self.email, over.email);
        take_list(&mut e.to, theirs.to);
        take(&mut e.from, theirs.from);
        take(&mut e.subject, theirs.subject);
        take(&mut e.host, theirs.host);
        take(&mut e.port, theirs.port);
        take(&mut e.security, theirs.security);
        take(&mut e.user, theirs.user);
        take(&mut e.password_file, theirs.password_file);
        take(&mut e.ca_file, theirs.ca_file);
        take(&mut e.dry_run, theirs.dry_run);
        take(&mut e.max_attachment, theirs.max_attachment);
        take(&mut e.html, theirs.html);
        let (w, theirs) = (&mut self.webhook, over.webhook);
        take(&mut w.format, theirs.format);
        take(&mut w.url_file, theirs.url_file);
        take(&mut self.pull, over.pull);
        let (p, theirs) = (&mut self.policy, over.policy);
        take(&mut p.fail_if_unregistered, theirs.fail_if_unregistered);
        take(
            &mut p.fail_if_admins_without_mfa,
            theirs.fail_if_admins_without_mfa,
        );
        take(
            &mut p.fail_if_unable_to_complete,
            theirs.fail_if_unable_to_complete,
        );
        take(&mut p.fail_if_not_required, theirs.fail_if_not_required);
        take(
            &mut self.audit.fatigue_threshold,
            over.audit.fatigue_threshold,
        );
        take(&mut self.audit.fatigue_window, over.audit.fatigue_window);
        take_list(&mut self.exceptions.files, over.exceptions.files);
        for (class, patterns) in over.classes {
            self.classes.insert(class, patterns);
        }
        take(
            &mut self.exceptions.warning_days,
            over.exceptions.warning_days,
        );
    }

    /// The MFA Server reports' column maps given.
    fn column_maps(&self) -> std::result::Result<ColumnMaps, crate::error::ColumnsError> {
        let mut maps = ColumnMaps::default();
        for (report, spec) in [
            (Report::Activity, &self.mfa_server_columns),
            (Report::Blocked, &self.mfa_server_blocked_columns),
            (Report::Bypassed, &self.mfa_server_bypassed_columns),
        ] {
            if let Some(spec) = spec {
                maps.add(ColumnMap::parse(report, spec)?);
            }
        }
        Ok(maps)
    }

    /// The options every reader takes (`encoding`, `mfa-server-columns`, `date-order`).
    pub fn read_options(&self) -> Result<ReadOptions> {
        Ok(ReadOptions {
            encoding: self
                .encoding
                .as_deref()
                .map(encoding_for_label)
                .transpose()?,
            mfa_server: self.column_maps().map_err(Usage::from)?,
            day_first: self.date_order.as_deref().and_then(day_first),
        })
    }

    /// The typed settings, each value not given taken from its default.
    pub fn resolve(&self) -> Result<Settings> {
        let e = &self.email;
        let pull = self.pull.clone();
        let inputs = match &pull {
            // The folder the pull fills is what the audit reads, unless the config says more.
            Some(p) if self.inputs.is_empty() => vec![p.out.clone()],
            _ => self.inputs.clone(),
        };
        Ok(Settings {
            inputs,
            pull,
            quiet: self.quiet.unwrap_or(false),
            read: self.read_options()?,
            outputs: self.outputs.clone(),
            email: email::Options {
                to: e.to.clone(),
                from: e.from.clone(),
                subject: e.subject.clone(),
                smtp_host: e.host.clone(),
                smtp_port: e.port,
                smtp_security: e.security,
                smtp_user: e.user.clone(),
                smtp_password_file: e.password_file.clone(),
                smtp_ca_file: e.ca_file.clone(),
                email_dry_run: e.dry_run.clone(),
                max_attachment_mb: e.max_attachment,
                html: e.html,
            },
            webhook: webhook::Options {
                format: self.webhook.format,
                url_file: self.webhook.url_file.clone(),
            },
            thresholds: Thresholds {
                unregistered: self.policy.fail_if_unregistered,
                admins_without_mfa: self.policy.fail_if_admins_without_mfa,
                unable_to_complete: self.policy.fail_if_unable_to_complete,
                not_required: self.policy.fail_if_not_required,
            },
            audit: self.audit_options(),
            exceptions: ExceptionSettings {
                patterns: self.class_patterns()?,
                files: self.exceptions.files.clone(),
                warning_days: i64::from(
                    self.exceptions
                        .warning_days
                        .unwrap_or(EXCEPTION_WARNING_DAYS),
                ),
            },
        })
    }

    /// `[classes]` checked: each key a class (other than a waiver, which needs an owner).
    fn class_patterns(&self) -> Result<Vec<(crate::model::exceptions::Class, String)>> {
        use crate::model::exceptions::Class;
        let mut out = Vec::new();
        for (name, patterns) in &self.classes {
            let class = Class::parse(name)
                .filter(|c| *c != Class::Waiver)
                .ok_or_else(|| ConfigError::Class { name: name.clone() })?;
            out.extend(patterns.iter().map(|p| (class, p.clone())));
        }
        Ok(out)
    }

    fn audit_options(&self) -> AuditOptions {
        let default = AuditOptions::default();
        AuditOptions {
            fatigue_threshold: self
                .audit
                .fatigue_threshold
                .unwrap_or(default.fatigue_threshold),
            fatigue_window: self
                .audit
                .fatigue_window
                .map_or(default.fatigue_window, |m| {
                    jiff::SignedDuration::from_mins(i64::from(m))
                }),
        }
    }

    /// Relative paths resolved against `dir` (the config file's folder); absolute ones and `-`
    /// stay as they are.
    fn relative_to(&mut self, dir: &Path) {
        for input in &mut self.inputs {
            *input = resolve_input(dir, input);
        }
        for f in &mut self.exceptions.files {
            *f = resolve(dir, f);
        }
        if let Some(p) = &mut self.pull {
            p.out = resolve(dir, &p.out);
            for f in [
                &mut p.certificate,
                &mut p.client_secret_file,
                &mut p.ca_file,
            ]
            .into_iter()
            .flatten()
            {
                *f = resolve(dir, f);
            }
        }
        let o = &mut self.outputs;
        let e = &mut self.email;
        for p in [
            &mut o.json,
            &mut o.csv,
            &mut o.html,
            &mut o.xlsx,
            &mut o.markdown,
            &mut o.template_dir,
            &mut o.history,
            &mut e.password_file,
            &mut self.webhook.url_file,
            &mut e.ca_file,
            &mut e.dry_run,
        ]
        .into_iter()
        .flatten()
        {
            *p = resolve(dir, p);
        }
    }
}

/// Whether a `date-order` value reads the day first; `None` for a value that is not one.
fn day_first(order: &str) -> Option<bool> {
    DATE_ORDERS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(order))
        .map(|(_, day_first)| *day_first)
}

/// Accepts `key = "one"` as well as `key = ["one", "two"]`.
fn one_or_many<'de, D, T>(d: D) -> std::result::Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: From<String>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s.into()],
        OneOrMany::Many(v) => v.into_iter().map(T::from).collect(),
    })
}

/// Paths as TOML strings, a name that is not Unicode shown with replacement characters (the dump
/// is for reading; the run itself keeps the path as given).
fn lossy_paths<S: Serializer>(paths: &[PathBuf], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(paths.iter().map(|p| p.to_string_lossy()))
}

/// Reads and checks a config file, its relative paths resolved against its folder. Every problem
/// is a [`ConfigError`] naming the file and, where there is one, the line and column.
pub fn load(path: &Path) -> Result<Layer> {
    let bytes = std::fs::read(path).map_err(|source| ConfigError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    let text = decode_text(&bytes, path)?;
    let mut layer = parse(&text, path)?;
    let dir = std::path::absolute(path)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."));
    layer.relative_to(&dir);
    Ok(layer)
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
    Err(ConfigError::NotText {
        path: path.to_path_buf(),
    }
    .into())
}

/// Parses the text of a config file, its paths as written; `path` only names it in errors.
pub fn parse(text: &str, path: &Path) -> Result<Layer> {
    let text = text.trim_start_matches('\u{feff}');
    let at = |offset: usize| {
        let (line, col) = line_col(text, offset);
        format!("{}:{line}:{col}", path.display())
    };
    let mut layer: Layer = toml::from_str(text).map_err(|e| {
        let place = match e.span() {
            Some(span) => at(span.start),
            None => path.display().to_string(),
        };
        ConfigError::Syntax {
            place,
            message: one_line(e.message()),
        }
    })?;
    if let Some(password) = &layer.email.password {
        return Err(ConfigError::Password {
            place: at(password.span().start),
            env: PASSWORD_ENV,
        }
        .into());
    }
    if let Some(order) = &mut layer.date_order {
        if day_first(order).is_none() {
            return Err(ConfigError::DateOrder {
                path: path.to_path_buf(),
                value: order.clone(),
            }
            .into());
        }
        order.make_ascii_lowercase();
    }
    let value = |key, source| ConfigError::Value {
        path: path.to_path_buf(),
        key,
        source,
    };
    for (report, key, spec) in [
        (
            Report::Activity,
            "mfa-server-columns",
            &layer.mfa_server_columns,
        ),
        (
            Report::Blocked,
            "mfa-server-blocked-columns",
            &layer.mfa_server_blocked_columns,
        ),
        (
            Report::Bypassed,
            "mfa-server-bypassed-columns",
            &layer.mfa_server_bypassed_columns,
        ),
    ] {
        if let Some(spec) = spec {
            ColumnMap::parse(report, spec).map_err(|e| value(key, e.into()))?;
        }
    }
    if let Some(label) = &layer.encoding {
        encoding_for_label(label).map_err(|e| value("encoding", e))?;
    }
    Ok(layer)
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

fn resolve(dir: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() || p.as_os_str() == "-" || dir.as_os_str().is_empty() {
        p.to_path_buf()
    } else {
        dir.join(p)
    }
}

/// Like [`resolve`], but a glob pattern keeps working when the folder's own name holds `[`, `*`
/// or `?`: the folder part is escaped.
fn resolve_input(dir: &Path, input: &Path) -> PathBuf {
    let is_pattern = input.to_str().is_some_and(|s| s.contains(['*', '?', '[']));
    if !is_pattern || input.is_absolute() || dir.as_os_str().is_empty() {
        return resolve(dir, input);
    }
    match dir.to_str() {
        Some(d) => Path::new(&glob::Pattern::escape(d)).join(input),
        None => dir.join(input),
    }
}

/// The layered settings as TOML (loadable again with `--config`), the defaults filled in. The
/// password is never shown: a comment in `[email]` says where it comes from.
pub fn dump(layer: &Layer) -> String {
    let env_set = std::env::var_os(PASSWORD_ENV).is_some_and(|v| !v.is_empty());
    dump_with(layer, env_set)
}

fn dump_with(layer: &Layer, env_password_set: bool) -> String {
    let audit = layer.audit_options();
    let mut shown = layer.clone();
    shown.quiet = Some(layer.quiet.unwrap_or(false));
    shown.audit = Audit {
        fatigue_threshold: Some(audit.fatigue_threshold),
        fatigue_window: Some(minutes(audit.fatigue_window)),
    };
    shown.exceptions.warning_days = Some(
        layer
            .exceptions
            .warning_days
            .unwrap_or(EXCEPTION_WARNING_DAYS),
    );
    let e = &layer.email;
    let password = match (&e.user, &e.password_file) {
        (None, _) => "(none: no user)".to_string(),
        (Some(_), Some(file)) => format!("(from {})", file.display()),
        (Some(_), None) if env_password_set => format!("(from {PASSWORD_ENV})"),
        (Some(_), None) => format!("(not set: set {PASSWORD_ENV} or password-file)"),
    };
    let toml = toml::to_string(&shown)
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

/// A window in whole minutes, as `fatigue-window` is written.
fn minutes(window: jiff::SignedDuration) -> u32 {
    u32::try_from(window.as_mins()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Layer {
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
             xlsx = \"out/a.xlsx\"\nmarkdown = \"out/a.md\"\ntemplate-dir = \"tpl\"\nhistory = \"h.db\"\n\
             [email]\nto = [\"sec@example.com\", \"Ops <ops@example.com>\"]\nfrom = \"mfaudit@example.com\"\n\
             subject = \"MFA\"\nhost = \"smtp.example.com\"\nport = 2587\nsecurity = \"tls\"\nuser = \"alice\"\n\
             password-file = \"/etc/mfaudit/pw\"\nca-file = \"ca.pem\"\ndry-run = \"out/m.eml\"\n\
             [policy]\nfail-if-unregistered = 10\nfail-if-admins-without-mfa = 0\nfail-if-unable-to-complete = 3\n\
             [audit]\nfatigue-threshold = 8\nfatigue-window = 15\n",
        );
        assert_eq!(c.inputs, [Path::new("exports/*.csv"), Path::new("signins")]);
        assert_eq!(c.encoding.as_deref(), Some("windows-1252"));
        assert_eq!(c.quiet, Some(true));
        assert_eq!(c.outputs.template_dir, Some(PathBuf::from("tpl")));
        assert_eq!(c.outputs.xlsx, Some(PathBuf::from("out/a.xlsx")));
        assert_eq!(c.outputs.markdown, Some(PathBuf::from("out/a.md")));
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
        assert_eq!(c.inputs, [Path::new("x.csv")]);
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
            let folder = std::path::absolute(dir.path()).expect("absolute");
            assert_eq!(c.inputs, [folder.join("exports/é*.csv")], "{name}");
            assert_eq!(c.policy.fail_if_unregistered, Some(2), "{name}");
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

    /// A file's layer as [`load`] gives it for a file in `dir`.
    fn file_in(dir: &str, text: &str) -> Layer {
        let mut c = parse_ok(text);
        c.relative_to(Path::new(dir));
        c
    }

    /// The file under the flags, resolved.
    fn merged(mut file: Layer, flags: Layer) -> Settings {
        file.update(flags);
        file.resolve().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn file_values_resolve_against_the_file_folder() {
        let c = file_in(
            "/etc/mfaudit",
            "inputs = [\"exports/*.csv\", \"/abs/x.csv\", \"-\"]\n[outputs]\nhtml = \"out/r.html\"\njson = \"/var/r.json\"\n\
             xlsx = \"out/r.xlsx\"\nmarkdown = \"-\"\n\
             [email]\nto = \"a@example.com\"\npassword-file = \"pw\"\n[audit]\nfatigue-threshold = 9\n",
        );
        let m = merged(c, Layer::default());
        assert_eq!(
            m.inputs,
            [
                PathBuf::from("/etc/mfaudit/exports/*.csv"),
                PathBuf::from("/abs/x.csv"),
                PathBuf::from("-")
            ]
        );
        assert_eq!(
            m.outputs.html,
            Some(PathBuf::from("/etc/mfaudit/out/r.html"))
        );
        assert_eq!(m.outputs.json, Some(PathBuf::from("/var/r.json")));
        assert_eq!(
            m.outputs.xlsx,
            Some(PathBuf::from("/etc/mfaudit/out/r.xlsx"))
        );
        assert_eq!(m.outputs.markdown, Some(PathBuf::from("-")));
        assert_eq!(
            m.email.smtp_password_file,
            Some(PathBuf::from("/etc/mfaudit/pw"))
        );
        assert_eq!(m.email.to, ["a@example.com"]);
        assert_eq!(m.audit.fatigue_threshold, 9);
        assert_eq!(
            m.audit.fatigue_window,
            AuditOptions::default().fatigue_window
        );
    }

    #[test]
    fn a_folder_with_glob_characters_is_escaped_in_patterns() {
        let c = file_in("/data/[2026]", "inputs = [\"*.csv\", \"users.csv\"]\n");
        let m = merged(c, Layer::default());
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
        let mut flags = Layer {
            inputs: vec![PathBuf::from("b")],
            ..Layer::default()
        };
        flags.outputs.html = Some(PathBuf::from("flag.html"));
        flags.email.to = vec!["flag@example.com".into()];
        flags.email.security = Some(SmtpSecurity::Starttls);
        flags.policy.fail_if_unregistered = Some(0);
        flags.audit.fatigue_threshold = Some(3);
        let m = merged(c, flags);
        assert_eq!(m.inputs, [PathBuf::from("b")]);
        assert_eq!(m.outputs.html, Some(PathBuf::from("flag.html")));
        assert_eq!(m.outputs.csv, Some(PathBuf::from("/cfg/r.csv")));
        assert_eq!(m.email.to, ["flag@example.com"]);
        assert_eq!(m.email.smtp_host.as_deref(), Some("file-host"));
        assert_eq!(m.email.smtp_port, Some(25));
        assert_eq!(m.email.smtp_security, Some(SmtpSecurity::Starttls));
        assert_eq!(m.thresholds.unregistered, Some(0));
        assert_eq!(m.thresholds.unable_to_complete, Some(2));
        assert_eq!(m.audit.fatigue_threshold, 3);
        assert_eq!(m.audit.fatigue_window, jiff::SignedDuration::from_mins(60));
    }

    #[test]
    fn global_options_merge() {
        let c = parse_ok("encoding = \"utf-16le\"\nquiet = true\ndate-order = \"DMY\"\n");
        assert_eq!(c.date_order.as_deref(), Some("dmy"));
        let flags = Layer {
            mfa_server_columns: Some("user=U,result=R".into()),
            ..Layer::default()
        };
        let g = merged(c, flags);
        assert_eq!(g.read.encoding, Some(encoding_rs::UTF_16LE));
        assert!(g.quiet);
        assert_eq!(g.read.day_first, Some(true));
        let map = g.read.mfa_server.get(Report::Activity).unwrap();
        assert_eq!(map.get("user"), Some("U"));
    }

    #[test]
    fn dump_says_where_the_password_comes_from_and_loads_back() {
        let c = file_in(
            "/cfg",
            "inputs = [\"a/*.csv\"]\n[outputs]\nhtml = \"r.html\"\n[email]\nto = [\"a@example.com\"]\n\
             from = \"m@example.com\"\nhost = \"smtp.example.com\"\nuser = \"alice\"\n[policy]\nfail-if-unregistered = 4\n",
        );
        let text = dump_with(&c, true);
        assert_eq!(
            text,
            "inputs = [\"/cfg/a/*.csv\"]\nquiet = false\n\n[outputs]\nhtml = \"/cfg/r.html\"\n\n\
             [email]\n# password: (from MFAUDIT_SMTP_PASSWORD)\nto = [\"a@example.com\"]\nfrom = \"m@example.com\"\n\
             host = \"smtp.example.com\"\nuser = \"alice\"\n\n[policy]\nfail-if-unregistered = 4\n\n\
             [audit]\nfatigue-threshold = 5\nfatigue-window = 30\n\n\
             [exceptions]\nfiles = []\nwarning-days = 14\n"
        );
        // The dump is a valid config that gives the same settings again, wherever it is.
        let mut again = parse_ok(&text);
        again.relative_to(Path::new("/elsewhere"));
        assert_eq!(
            format!("{:?}", again.resolve().map_err(|e| e.to_string())),
            format!("{:?}", c.resolve().map_err(|e| e.to_string()))
        );

        let mut with_file = c.clone();
        with_file.email.password_file = Some(PathBuf::from("/cfg/pw"));
        let text = dump_with(&with_file, true);
        assert!(text.contains("# password: (from /cfg/pw)\n"), "{text}");
        assert!(text.contains("password-file = \"/cfg/pw\""), "{text}");
        with_file.email.password_file = None;
        let text = dump_with(&with_file, false);
        assert!(
            text.contains("# password: (not set: set MFAUDIT_SMTP_PASSWORD or password-file)\n"),
            "{text}"
        );
        assert_eq!(
            dump_with(&Layer::default(), true),
            "inputs = []\nquiet = false\n\n[outputs]\n\n[email]\n# password: (none: no user)\nto = []\n\n\
             [policy]\n\n[audit]\nfatigue-threshold = 5\nfatigue-window = 30\n\n[exceptions]\nfiles = []\nwarning-days = 14\n"
        );
    }

    #[test]
    fn dump_includes_the_reading_options() {
        let layer = Layer {
            encoding: Some("windows-1252".into()),
            quiet: Some(true),
            date_order: Some("mdy".into()),
            ..Layer::default()
        };
        let text = dump_with(&layer, false);
        assert!(
            text.starts_with(
                "inputs = []\nencoding = \"windows-1252\"\nquiet = true\ndate-order = \"mdy\"\n"
            ),
            "{text}"
        );
        let back = parse_ok(&text);
        assert_eq!(back.date_order.as_deref(), Some("mdy"));
    }

    #[test]
    fn update_keeps_what_the_layer_above_leaves_out() {
        let mut below = parse_ok(
            "inputs = [\"a\"]\nquiet = true\n[email]\nto = \"a@example.com\"\nport = 25\n[audit]\nfatigue-window = 9\n",
        );
        let before = below.clone();
        below.update(Layer::default());
        assert_eq!(below, before);
        below.update(Layer {
            quiet: Some(false),
            ..Layer::default()
        });
        assert_eq!(below.quiet, Some(false));
        assert_eq!(below.email.port, Some(25));
    }
}
