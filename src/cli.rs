//! The command line (cli.md): clap types that mirror the flags, and their translation into a
//! settings [`Layer`] (or the options a command takes). Nothing below `commands` sees clap types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::{Audit, EmailLayer, Layer, Outputs, Policy};
use crate::deliver::email::SmtpSecurity;
use crate::error::Result;
use crate::input::ReadOptions;
use crate::model::PerUserState;

/// Audit MFA registration and activity in Microsoft Entra ID from exported files, offline.
///
/// mfaudit reads Get-MsolUser exports (JSON, CLIXML), Graph and admin center exports
/// (registration details, users, per-user MFA state) and sign-in logs in every shape they are
/// downloaded in, detects each file's kind from its content, merges them, and writes the classic
/// MSOnline reports byte for byte or a full audit (JSON, CSV, HTML, XLSX, Markdown, email).
///
/// Inputs are files or folders (read recursively); `-` is standard input; glob patterns are
/// expanded by mfaudit itself (Windows shells do not).
#[derive(Debug, Parser)]
#[command(name = "mfaudit", version, about, long_about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub global: GlobalArgs,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Print no warnings or progress on stderr (errors are still printed).
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

/// How the inputs are read: on the commands that read exports, and nowhere else.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Reading the inputs")]
pub struct ReadArgs {
    /// Read every input in this encoding instead of detecting it (utf-8, utf-16le, utf-16be,
    /// windows-1252, ...).
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,

    /// How to read culture dates whose day and month cannot be told apart (4/12/2025).
    #[arg(long, value_enum, value_name = "ORDER")]
    pub date_order: Option<DateOrder>,

    /// Columns of MFA Server activity CSVs, whose layout was never documented:
    /// `user=COLUMN,time=COLUMN,result=COLUMN` (header names as in the file).
    #[arg(long, value_name = "SPEC")]
    pub mfa_server_columns: Option<String>,

    /// Columns of the MFA Server's Blocked User History CSV:
    /// `user=COLUMN,time=COLUMN,action=COLUMN[,by=COLUMN][,reason=COLUMN]`.
    #[arg(long, value_name = "SPEC")]
    pub mfa_server_blocked_columns: Option<String>,

    /// Columns of the MFA Server's Bypassed User History CSV:
    /// `user=COLUMN,time=COLUMN[,length=COLUMN][,by=COLUMN][,reason=COLUMN]`.
    #[arg(long, value_name = "SPEC")]
    pub mfa_server_bypassed_columns: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DateOrder {
    /// Month first (en-US, the portal default).
    Mdy,
    /// Day first (en-GB, fr-FR, de-DE).
    Dmy,
}

/// The `--help` footer of a classic report: its examples, then why its CSV is not neutralised.
macro_rules! const_format_help {
    ($examples:literal) => {
        concat!(
            "Examples:\n  ",
            $examples,
            "\n\n",
            "The CSV (--format csv, and methods) is PowerShell's own Export-Csv bytes, byte for byte: cells are\n",
            "not formula-neutralised, so a display name such as =HYPERLINK(...) stays as PowerShell wrote it.\n",
            "For a file to open in a spreadsheet, use `mfaudit audit --csv`, which neutralises formulas."
        )
    };
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Enabled users with at least one MFA method (the classic "registered" pipeline, P1).
    #[command(after_help = const_format_help!(
        "mfaudit registered msol-users.json\n  mfaudit registered exports/ --format csv -o registered.csv"
    ))]
    Registered(ListArgs),
    /// Enabled users with no MFA method (the classic "not registered" pipeline, P2).
    #[command(after_help = const_format_help!(
        "mfaudit unregistered msol-users.json --format list\n  mfaudit unregistered exports/ --admins-only"
    ))]
    Unregistered(ListArgs),
    /// MFA_Report.csv: UserPrincipalName, MFA Status, MFA Methods for every user (P3).
    #[command(after_help = const_format_help!(
        "mfaudit methods msol-users.json -o MFA_Report.csv\n  mfaudit methods msol-ps51.json --powershell-exact -o MFA_Report.csv"
    ))]
    Methods(MethodsArgs),
    /// Join the directory with sign-in activity: the six MFA report questions, and who got in without MFA.
    #[command(after_help = "\
Examples:
  mfaudit audit exports/ --html audit.html --json audit.json --csv users.csv
  mfaudit audit exports/ --xlsx audit.xlsx --markdown - >> \"$GITHUB_STEP_SUMMARY\"
  mfaudit audit exports/ --json - | jq .summary
  mfaudit audit exports/ --json - | jq '.without_mfa.apps'
  mfaudit audit exports/ --history mfa-history.db --fail-if-unregistered 0
  mfaudit audit exports/ --mfa-server-blocked-columns \"user=Username,time=Date Time,action=Action\"

Who got in without MFA comes from the sign-in logs: successful interactive sign-ins that neither
required nor performed MFA, legacy protocols, what required MFA and each Conditional Access policy
as the logs saw it. Non-interactive sign-ins (token refreshes) are counted apart and never \"without
MFA\". Without a sign-in log the answer is unknown, never none.

Who is required to use MFA comes from the configuration exports among the inputs (Conditional
Access policies, security defaults, role assignments, group memberships) and the per-user MFA
state: `mfaudit policies` lists the policies, `mfaudit explain USER` one user's verdict.

Files found in a folder that are not exports (images, spreadsheets, other JSON) and mfaudit's own
reports are passed over with one line on stderr; a file named explicitly must be an export. A file
reached twice (by name and through a folder, or through a link) is read once, and a sign-in that
two exports share (the same request id) is counted once. Sign-ins of workload identities (service
principals, managed identities) are not user sign-ins: they are left out of every count and their
number is said.")]
    Audit(Box<AuditArgs>),
    /// Show what mfaudit makes of each input: kind, encoding, records, matches, warnings.
    #[command(after_help = "\
Examples:
  mfaudit inspect exports/
  mfaudit inspect signins.json --format json")]
    Inspect(InspectArgs),
    /// Each Conditional Access policy: state, requirement, users covered and excluded, conditions.
    #[command(after_help = "\
Examples:
  mfaudit policies exports/
  mfaudit policies exports/ --format json | jq '.[] | select(.requires == \"mfa\")'

Give the policy export (GET /identity/conditionalAccess/policies) with the directory, role and
group exports to count who each policy covers; add sign-in logs to see each policy's results.")]
    Policies(InspectArgs),
    /// Why one user is or is not required to use MFA: every source and every step.
    #[command(after_help = "\
Examples:
  mfaudit explain ada@contoso.com exports/
  mfaudit explain 8e75af29-0000-4000-8000-000000000001 exports/ --format json

USER is a UPN or an object id of the directory exports. Each policy says whether it applies
and why (included by, excluded by, or the export that would settle it), with its file.")]
    Explain(ExplainArgs),
    /// List or explain the 45 MFA Server `Call Result` codes.
    #[command(after_help = "\
Examples:
  mfaudit codes
  mfaudit codes FAILED_PHONE_APP_DENIED")]
    Codes(CodesArgs),
    /// Run an unattended audit from a configuration file (for cron, systemd, Task Scheduler).
    #[command(after_help = "\
Examples:
  mfaudit run --config examples/mfaudit.toml
  mfaudit run --config mfaudit.toml --dump-config")]
    Run(RunArgs),
    /// Pull the exports the audit reads from Microsoft Graph into a folder (app-only sign-in).
    #[command(after_help = "\
Examples:
  mfaudit pull --tenant contoso.onmicrosoft.com --client-id 00000000-0000-0000-0000-000000000000 \\
      --certificate mfaudit-app.pem --out exports/
  MFAUDIT_CLIENT_SECRET=... mfaudit pull --tenant contoso.onmicrosoft.com --client-id APP_ID \\
      --out exports/ --since 30d --non-interactive
  mfaudit pull ... --only users,registration,per-user-state --out exports/
  mfaudit audit exports/ --html audit.html

Files written into DIR (each atomically; a dataset that fails keeps its previous file):
  users.json, registration-details.json, per-user-mfa-state.json, signins-interactive.json
  (and signins-noninteractive.json), conditional-access-policies.json, security-defaults.json,
  role-assignments.json, role-eligibility.json, role-definitions.json, group-members.csv, and
  manifest.json: what was pulled, when, how many records and requests, and each file that failed
  with the Graph permission it needs.

The app registration needs these application permissions, with admin consent: User.Read.All
(users), AuditLog.Read.All (registration, signins), UserAuthenticationMethod.Read.All
(per-user-state), Policy.Read.All (policies), RoleManagement.Read.Directory (roles),
GroupMember.Read.All (groups). The secret is read from MFAUDIT_CLIENT_SECRET or
--client-secret-file, never from the command line, and is never printed. Exit 1 when any file
could not be pulled or no token could be had.")]
    Pull(Box<crate::pull::Options>),
    /// List the runs recorded in a history database.
    #[command(after_help = "\
Examples:
  mfaudit history --db mfa-history.db")]
    History(HistoryArgs),
    /// Show what changed between two recorded runs.
    #[command(after_help = "\
Examples:
  mfaudit diff --db mfa-history.db 3 7")]
    Diff(DiffArgs),
    /// The HTML report's templates, as a starting point for `audit --template-dir`.
    #[command(subcommand)]
    Templates(TemplatesCommand),
    /// Print a shell completion script (nothing is installed: put it where your shell reads it).
    #[command(after_help = "\
Examples:
  mfaudit completions bash > ~/.local/share/bash-completion/completions/mfaudit
  mfaudit completions zsh > ~/.zfunc/_mfaudit          # with fpath+=~/.zfunc in ~/.zshrc
  mfaudit completions fish > ~/.config/fish/completions/mfaudit.fish
  mfaudit completions powershell >> $PROFILE")]
    Completions(CompletionsArgs),
    /// Print the manual page (roff), or write one page per command into a folder.
    #[command(after_help = "\
Examples:
  mfaudit man | man -l -
  mfaudit man --dir ~/.local/share/man/man1")]
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write mfaudit.1 and a page per command (mfaudit-audit.1, ...) into DIR instead of printing
    /// mfaudit.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// Write the built-in templates into DIR (created if missing; a file there is never replaced).
    #[command(after_help = "\
Examples:
  mfaudit templates dump my-templates
  mfaudit audit exports/ --html audit.html --template-dir my-templates

Edit any of the files; a template left out of DIR falls back to the built-in one. A template that
fails names its file, line and column, and the fields it may use are those of the audit JSON and
`view` (documented at the top of report.html.hbs).")]
    Dump {
        /// The folder to write the templates into.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
}

/// Filters the older MFA status scripts offered. Users whose fact is unknown are left out and
/// counted on stderr.
#[derive(Debug, Args, Clone, Default)]
pub struct FilterArgs {
    /// Only users in this per-user MFA state (repeatable).
    #[arg(long = "per-user-state", value_enum, value_name = "STATE")]
    pub per_user_state: Vec<StateArg>,
    /// Only members or only guests.
    #[arg(long, value_enum, value_name = "TYPE")]
    pub user_type: Option<UserTypeArg>,
    /// Only users with an admin role (needs a source with isAdmin).
    #[arg(long)]
    pub admins_only: bool,
    /// Only licensed users (needs a source with IsLicensed).
    #[arg(long)]
    pub licensed_only: bool,
    /// Only users whose sign-in is allowed (true) or blocked (false).
    #[arg(long, value_name = "BOOL")]
    pub sign_in_allowed: Option<bool>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum StateArg {
    Disabled,
    Enabled,
    Enforced,
    Unknown,
}

impl StateArg {
    pub fn state(self) -> PerUserState {
        match self {
            StateArg::Disabled => PerUserState::Disabled,
            StateArg::Enabled => PerUserState::Enabled,
            StateArg::Enforced => PerUserState::Enforced,
            StateArg::Unknown => PerUserState::Unknown,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum UserTypeArg {
    Member,
    Guest,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum ListFormat {
    /// PowerShell's console table (PowerShell 7; 5.1's bytes with --powershell-exact).
    #[default]
    Table,
    /// Export-Csv -NoTypeInformation.
    Csv,
    /// One UPN per line.
    List,
    /// An array of {"UserPrincipalName": "..."}.
    Json,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Windows PowerShell 5.1's bytes: CSV in ASCII (non-ASCII becomes ?), the 5.1 console table.
    #[arg(long)]
    pub powershell_exact: bool,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Export files or folders.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(Debug, Args)]
pub struct MethodsArgs {
    /// Windows PowerShell 5.1's bytes: ASCII, each non-ASCII character written as ?.
    #[arg(long)]
    pub powershell_exact: bool,
    /// Write MFA_Report.csv to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Export files or folders.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(Debug, Args, Clone, Default)]
pub struct AuditArgs {
    /// Write the audit as JSON (schema mfaudit.audit/1).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write one row per user as CSV (spreadsheet formulas neutralised).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Write the self-contained HTML report.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Write an Excel workbook: the summary, every user, one sheet per finding.
    #[arg(long, value_name = "FILE")]
    pub xlsx: Option<PathBuf>,
    /// Write a Markdown summary (GitHub-flavoured) for tickets, chat and CI job summaries.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Templates that replace the built-in ones of the same name.
    #[arg(long, value_name = "DIR")]
    pub template_dir: Option<PathBuf>,
    /// Record this run in a SQLite history and report what changed since the previous one.
    #[arg(long, value_name = "DB")]
    pub history: Option<PathBuf>,
    /// Denied or unanswered pushes within --fatigue-window that raise the push-fatigue flag
    /// [default: 5].
    #[arg(long, value_name = "N")]
    pub fatigue_threshold: Option<u32>,
    /// The window, in minutes, for --fatigue-threshold [default: 30].
    #[arg(long, value_name = "MINUTES")]
    pub fatigue_window: Option<u32>,
    /// Exceptions (CSV or TOML; repeatable): break-glass, service and shared accounts, waivers,
    /// each with its reason (and a waiver's owner and expiry).
    #[arg(long = "exceptions", value_name = "FILE")]
    pub exceptions: Vec<PathBuf>,
    /// Days before its end an exception is reported as expiring [default: 14].
    #[arg(long, value_name = "DAYS")]
    pub exception_warning_days: Option<u32>,
    // Before the flattened groups: a `next_help_heading` they set would otherwise put the inputs
    // under "Policy" in --help.
    /// Export files or folders (directory and sign-in exports, mixed).
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub email: EmailArgs,
    #[command(flatten)]
    pub webhook: WebhookArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// Email delivery (cli.md). The password comes from MFAUDIT_SMTP_PASSWORD or --smtp-password-file.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Email")]
pub struct EmailArgs {
    /// Recipient (repeatable).
    #[arg(long = "email-to", value_name = "ADDR")]
    pub to: Vec<String>,
    /// Sender address.
    #[arg(long = "email-from", value_name = "ADDR")]
    pub from: Option<String>,
    /// Subject (default: leads with the number of enabled users not registered).
    #[arg(long = "email-subject", value_name = "TEXT")]
    pub subject: Option<String>,
    /// SMTP server.
    #[arg(long, value_name = "HOST")]
    pub smtp_host: Option<String>,
    /// SMTP port (default 587 for starttls, 465 for tls, 25 for none).
    #[arg(long, value_name = "N")]
    pub smtp_port: Option<u16>,
    /// Transport security.
    #[arg(long, value_enum, value_name = "MODE")]
    pub smtp_security: Option<SecurityArg>,
    /// SMTP user name (the password comes from MFAUDIT_SMTP_PASSWORD or --smtp-password-file).
    #[arg(long, value_name = "USER")]
    pub smtp_user: Option<String>,
    /// A file holding the SMTP password (first line).
    #[arg(long, value_name = "FILE")]
    pub smtp_password_file: Option<PathBuf>,
    /// Extra CA certificate (PEM) to trust for the SMTP server.
    #[arg(long, value_name = "PEM")]
    pub smtp_ca_file: Option<PathBuf>,
    /// Write the exact message to FILE.eml instead of sending it.
    #[arg(long, value_name = "FILE.eml")]
    pub email_dry_run: Option<PathBuf>,
    /// Attachments per mail, in MB (default 10): over it they go zipped, and when still too
    /// large they are left out and the body says how to get them.
    #[arg(long = "email-max-attachment", value_name = "MB")]
    pub email_max_attachment: Option<f64>,
    /// The HTML page attached: `summary` (default: every section, each table's first rows, no
    /// inventory) or `full` (the page --html writes, every user).
    #[arg(long = "email-html", value_enum, value_name = "PAGE")]
    pub email_html: Option<MailHtmlArg>,
}

/// Chat delivery (cli.md). The URL comes from MFAUDIT_WEBHOOK_URL or --webhook-url-file.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Chat")]
pub struct WebhookArgs {
    /// Post a summary card after the reports are written: `teams` (a Teams workflow webhook,
    /// an Adaptive Card), `slack` (an incoming webhook) or `json` (the summary as JSON).
    #[arg(long = "webhook-format", value_enum, value_name = "FORMAT")]
    pub webhook_format: Option<crate::deliver::webhook::Format>,
    /// A file whose first line is the webhook's URL (else MFAUDIT_WEBHOOK_URL): it carries the
    /// signature that lets anyone post, so it is never printed.
    #[arg(long = "webhook-url-file", value_name = "FILE")]
    pub webhook_url_file: Option<PathBuf>,
}

/// `--email-html`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum MailHtmlArg {
    /// Every section, each table's first rows, no inventory.
    Summary,
    /// The full report, every user.
    Full,
}

/// `--smtp-security`: the values of [`SmtpSecurity`], as clap shows them.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SecurityArg {
    /// STARTTLS, required (port 587).
    Starttls,
    /// Implicit TLS (port 465).
    Tls,
    /// No encryption (loopback relays only).
    None,
}

impl From<SecurityArg> for SmtpSecurity {
    fn from(arg: SecurityArg) -> SmtpSecurity {
        match arg {
            SecurityArg::Starttls => SmtpSecurity::Starttls,
            SecurityArg::Tls => SmtpSecurity::Tls,
            SecurityArg::None => SmtpSecurity::None,
        }
    }
}

/// Thresholds that make the run exit with code 3 after the reports are written and sent.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Policy")]
pub struct PolicyArgs {
    /// Exit 3 when more than N enabled users are not registered.
    #[arg(long, value_name = "N")]
    pub fail_if_unregistered: Option<u64>,
    /// Exit 3 when more than N admins have no MFA method.
    #[arg(long, value_name = "N")]
    pub fail_if_admins_without_mfa: Option<u64>,
    /// Exit 3 when more than N challenged users could not complete MFA.
    #[arg(long, value_name = "N")]
    pub fail_if_unable_to_complete: Option<u64>,
    /// Exit 3 when more than N enabled users are required to use MFA by no source (unknown ones
    /// count as failing).
    #[arg(long, value_name = "N")]
    pub fail_if_not_required: Option<u64>,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = InspectFormat::Table)]
    pub format: InspectFormat,
    /// Export files or folders.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The user: a UPN or an object id.
    #[arg(value_name = "USER")]
    pub user: String,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = InspectFormat::Table)]
    pub format: InspectFormat,
    /// Export files or folders.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum InspectFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct CodesArgs {
    /// A code to explain (e.g. SUCCESS_NO_PIN_BUT_TIMEOUT); all codes when omitted.
    pub code: Option<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = CodesFormat::Table)]
    pub format: CodesFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum CodesFormat {
    Table,
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The configuration file (TOML).
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// Print the merged configuration (password never shown) and exit.
    #[arg(long)]
    pub dump_config: bool,
    /// Flags given here override the file.
    #[command(flatten)]
    pub overrides: Box<AuditArgs>,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The history database.
    #[arg(long, value_name = "DB")]
    pub db: PathBuf,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = InspectFormat::Table)]
    pub format: InspectFormat,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The history database.
    #[arg(long, value_name = "DB")]
    pub db: PathBuf,
    /// The earlier run (its number in `mfaudit history`).
    pub from: i64,
    /// The later run.
    pub to: i64,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = InspectFormat::Table)]
    pub format: InspectFormat,
}

impl GlobalArgs {
    /// What these flags say, as a settings layer.
    pub fn layer(&self) -> Layer {
        Layer {
            quiet: self.quiet.then_some(true),
            ..Layer::default()
        }
    }
}

impl ReadArgs {
    /// The options every reader takes.
    pub fn read_options(&self) -> Result<ReadOptions> {
        self.layer().read_options()
    }

    /// What these flags say, as a settings layer.
    pub fn layer(&self) -> Layer {
        Layer {
            encoding: self.encoding.clone(),
            date_order: self.date_order.map(|o| {
                match o {
                    DateOrder::Mdy => "mdy",
                    DateOrder::Dmy => "dmy",
                }
                .to_string()
            }),
            mfa_server_columns: self.mfa_server_columns.clone(),
            mfa_server_blocked_columns: self.mfa_server_blocked_columns.clone(),
            mfa_server_bypassed_columns: self.mfa_server_bypassed_columns.clone(),
            ..Layer::default()
        }
    }
}

impl AuditArgs {
    /// What these flags say, as a settings layer.
    pub fn layer(&self) -> Layer {
        let e = &self.email;
        // Field by field: the layer's email section has a private field (the refused password).
        let mut email = EmailLayer::default();
        email.to.clone_from(&e.to);
        email.from.clone_from(&e.from);
        email.subject.clone_from(&e.subject);
        email.host.clone_from(&e.smtp_host);
        email.port = e.smtp_port;
        email.security = e.smtp_security.map(SmtpSecurity::from);
        email.user.clone_from(&e.smtp_user);
        email.password_file.clone_from(&e.smtp_password_file);
        email.ca_file.clone_from(&e.smtp_ca_file);
        email.dry_run.clone_from(&e.email_dry_run);
        email.max_attachment = e.email_max_attachment;
        email.html = e.email_html.map(|h| match h {
            MailHtmlArg::Summary => crate::deliver::email::MailHtml::Summary,
            MailHtmlArg::Full => crate::deliver::email::MailHtml::Full,
        });
        Layer {
            inputs: self.inputs.clone(),
            outputs: Outputs {
                json: self.json.clone(),
                csv: self.csv.clone(),
                html: self.html.clone(),
                xlsx: self.xlsx.clone(),
                markdown: self.markdown.clone(),
                template_dir: self.template_dir.clone(),
                history: self.history.clone(),
            },
            email,
            webhook: crate::config::WebhookLayer {
                format: self.webhook.webhook_format,
                url_file: self.webhook.webhook_url_file.clone(),
            },
            exceptions: crate::config::ExceptionsLayer {
                files: self.exceptions.clone(),
                warning_days: self.exception_warning_days,
            },
            policy: Policy {
                fail_if_unregistered: self.policy.fail_if_unregistered,
                fail_if_admins_without_mfa: self.policy.fail_if_admins_without_mfa,
                fail_if_unable_to_complete: self.policy.fail_if_unable_to_complete,
                fail_if_not_required: self.policy.fail_if_not_required,
            },
            audit: Audit {
                fatigue_threshold: self.fatigue_threshold,
                fatigue_window: self.fatigue_window,
            },
            ..self.read.layer()
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;
    use crate::audit::AuditOptions;

    /// The help of an `audit` flag, as `--help` shows it.
    fn help(flag: &str) -> String {
        let cli = Cli::command();
        let audit = cli.find_subcommand("audit").expect("audit command");
        audit
            .get_arguments()
            .find(|a| a.get_long() == Some(flag))
            .and_then(|a| a.get_help())
            .map(ToString::to_string)
            .unwrap_or_default()
    }

    /// The fatigue defaults are defined by `AuditOptions`; the help states them (a flag given
    /// must be told apart from one left out, so clap cannot hold the default itself).
    #[test]
    fn the_help_states_the_fatigue_defaults_the_audit_uses() {
        let d = AuditOptions::default();
        assert!(
            help("fatigue-threshold").ends_with(&format!("[default: {}]", d.fatigue_threshold)),
            "{}",
            help("fatigue-threshold")
        );
        assert!(
            help("fatigue-window").ends_with(&format!("[default: {}]", d.fatigue_window.as_mins())),
            "{}",
            help("fatigue-window")
        );
    }
}
