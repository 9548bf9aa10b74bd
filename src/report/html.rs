//! The HTML audit report: one self-contained file (inline CSS, inline SVG, a little optional
//! script, no request to any other host) rendered by handlebars from the same [`AuditReport`] the
//! `--json` output writes, plus a precomputed `view` (percentages, charts, pages of long tables),
//! so the JSON and the HTML cannot disagree.
//!
//! Templates are embedded, so the tool works from anywhere; a `--template-dir` file of the same
//! name replaces a built-in one, and any other `NAME.hbs` there becomes the partial `NAME`.
//! Every value goes through handlebars' HTML escaping; the only unescaped insertions are the SVG
//! strings built here, which escape their own labels.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext, RenderError,
    RenderErrorReason, Renderable, TemplateError,
};
use serde::Serialize;
use serde_json::Value;

use super::audit::{AuditReport, Summary, flag};
use super::findings::{self, Tone, Verdict};
use crate::error::{Error, Position, ReportError, Result, Usage};

/// The built-in templates: file name and text. The page is `report.html.hbs`; the others are its
/// partials, named by their file name without `.hbs`.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "report.html.hbs",
        include_str!("../../templates/report.html.hbs"),
    ),
    ("style.hbs", include_str!("../../templates/style.hbs")),
    ("banner.hbs", include_str!("../../templates/banner.hbs")),
    ("cards.hbs", include_str!("../../templates/cards.hbs")),
    (
        "questions.hbs",
        include_str!("../../templates/questions.hbs"),
    ),
    ("charts.hbs", include_str!("../../templates/charts.hbs")),
    ("tables.hbs", include_str!("../../templates/tables.hbs")),
    (
        "user_table.hbs",
        include_str!("../../templates/user_table.hbs"),
    ),
    ("changes.hbs", include_str!("../../templates/changes.hbs")),
    ("inputs.hbs", include_str!("../../templates/inputs.hbs")),
    ("script.hbs", include_str!("../../templates/script.hbs")),
];

/// The page template's registered name.
const PAGE: &str = "report.html";
const TEMPLATE_EXTENSION: &str = ".hbs";

/// Rows per collapsible page of a long table: enough to scan, few enough for a browser to stay
/// responsive with 200,000 users.
pub const PAGE_SIZE: usize = 500;

/// Renders the audit as one HTML document. `template_dir` overrides built-in templates by file
/// name; a broken template there is an input error naming the file and position.
pub fn render(report: &AuditReport, template_dir: Option<&Path>) -> Result<String> {
    let (registry, origins) = registry(template_dir)?;
    let mut data = serde_json::to_value(report)
        .map_err(|e| ReportError::serialize("could not prepare the report data", e))?;
    let view = serde_json::to_value(View::build(report))
        .map_err(|e| ReportError::serialize("could not prepare the report view", e))?;
    if let Value::Object(map) = &mut data {
        map.insert("view".into(), view);
    }
    let context = Context::from(data);
    let html = registry
        .render_with_context(PAGE, &context)
        .map_err(|e| render_error(e, &origins));
    // Freeing the data of 200,000 users takes a quarter of the render time; nobody waits for it.
    crate::par::free_in_background(context);
    html
}

/// Writes the built-in templates into `dir` (created if missing) as a starting point for
/// `--template-dir`, and says how many. Refuses before writing anything when any of them is there
/// already (a file, a link, even a broken one), so customisations survive; each file is created
/// new, never opened over something that appeared meanwhile.
pub fn dump_templates(dir: &Path) -> Result<usize> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    for (file, _) in TEMPLATES {
        let path = dir.join(file);
        if path.symlink_metadata().is_ok() {
            return Err(Usage::TemplateExists { path }.into());
        }
    }
    for (file, text) in TEMPLATES {
        let path = dir.join(file);
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => {
                    Usage::TemplateExists { path: path.clone() }.into()
                }
                _ => Error::io(&path, e),
            })?;
        std::io::Write::write_all(&mut out, text.as_bytes()).map_err(|e| Error::io(&path, e))?;
    }
    Ok(TEMPLATES.len())
}

/// Template name → the file it came from, for templates read from `--template-dir`.
type Origins = HashMap<String, PathBuf>;

fn registry(template_dir: Option<&Path>) -> Result<(Handlebars<'static>, Origins)> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    // Partials are spliced as written: re-indenting every line of a 200,000-row table costs time
    // and changes nothing a browser shows.
    hb.set_prevent_indent(true);
    hb.register_helper("fmt_int", Box::new(fmt_int_helper));
    hb.register_helper("pct", Box::new(pct_helper));
    hb.register_helper("join", Box::new(join_helper));
    hb.register_helper("datetime", Box::new(datetime_helper));
    hb.register_helper("plural", Box::new(plural_helper));
    hb.register_helper("include", Box::new(IncludeHelper::default()));
    hb.register_helper("user_rows", Box::new(user_rows_helper));
    hb.register_helper("change_rows", Box::new(change_rows_helper));

    let mut origins = Origins::new();
    let mut custom: HashMap<String, PathBuf> = HashMap::new();
    if let Some(dir) = template_dir {
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(dir, e))?;
            let file = entry.file_name().to_string_lossy().into_owned();
            if file.ends_with(TEMPLATE_EXTENSION) && entry.path().is_file() {
                custom.insert(file, entry.path());
            }
        }
    }
    for (file, text) in TEMPLATES {
        if !custom.contains_key(*file) {
            hb.register_template_string(template_name(file), *text)
                .map_err(|e| ReportError::BuiltinTemplate {
                    file: file.to_string(),
                    source: Box::new(e),
                })?;
        }
    }
    for (file, path) in custom {
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let name = template_name(&file).to_string();
        hb.register_template_string(&name, text)
            .map_err(|e| template_error(&path, &e))?;
        origins.insert(name, path);
    }
    Ok((hb, origins))
}

fn template_name(file: &str) -> &str {
    file.strip_suffix(TEMPLATE_EXTENSION).unwrap_or(file)
}

fn template_error(path: &Path, e: &TemplateError) -> Error {
    let position = match e.pos() {
        Some((line, col)) => Position::LineCol(line as u64, col as u64),
        None => Position::File,
    };
    Error::input(
        path,
        position,
        format!("not a valid handlebars template: {}", e.reason()),
    )
}

fn render_error(e: RenderError, origins: &Origins) -> Error {
    let origin = e.template_name.as_ref().and_then(|name| origins.get(name));
    match origin {
        Some(path) => {
            let position = match (e.line_no, e.column_no) {
                (Some(line), Some(col)) => Position::LineCol(line as u64, col as u64),
                _ => Position::File,
            };
            Error::input(
                path,
                position,
                format!(
                    "the template failed: {}; it may only use the fields of the audit JSON and `view`",
                    e.reason()
                ),
            )
        }
        None => ReportError::Render(Box::new(e)).into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers for template authors (documented at the top of report.html.hbs).

/// `{{fmt_int n}}`: an integer with thousands separators (`200,000`).
fn fmt_int_helper(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let value = param(h, 0, "fmt_int")?;
    let text = match value {
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => thousands(u),
            (None, Some(i), _) => format!("-{}", thousands(i.unsigned_abs())),
            (None, None, Some(f)) => {
                let rounded = f.round();
                let sign = if rounded < 0.0 { "-" } else { "" };
                format!("{sign}{}", thousands(rounded.abs() as u64))
            }
            _ => n.to_string(),
        },
        Value::Null => String::new(),
        other => {
            return Err(RenderErrorReason::ParamTypeMismatchForName(
                "fmt_int",
                "0".into(),
                format!("a number, not {other}"),
            )
            .into());
        }
    };
    out.write(&handlebars::html_escape(&text))?;
    Ok(())
}

/// `{{pct part whole}}`: `part` as a share of `whole`, one decimal (`87.5%`), `–` when `whole`
/// is 0.
fn pct_helper(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let number = |i: usize| -> std::result::Result<f64, RenderError> {
        param(h, i, "pct")?.as_f64().ok_or_else(|| {
            RenderErrorReason::ParamTypeMismatchForName("pct", i.to_string(), "a number".into())
                .into()
        })
    };
    let text = percent_f(number(0)?, number(1)?);
    out.write(&handlebars::html_escape(&text))?;
    Ok(())
}

/// `{{join list ", "}}`: the items of a list joined by a separator (default `, `).
fn join_helper(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let list = param(h, 0, "join")?;
    let sep = h.param(1).and_then(|p| p.value().as_str()).unwrap_or(", ");
    let mut text = String::new();
    if let Value::Array(items) = list {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                text.push_str(sep);
            }
            match item {
                Value::String(s) => text.push_str(s),
                other => text.push_str(&other.to_string()),
            }
        }
    }
    out.write(&handlebars::html_escape(&text))?;
    Ok(())
}

/// `{{include "name"}}`: renders the template `name` in the current context, like `{{> name}}`
/// but without the copy of the context handlebars makes for a partial, which costs seconds when
/// the context holds 200,000 users.
#[derive(Default)]
struct IncludeHelper {
    depth: std::sync::atomic::AtomicUsize,
}

/// Deeper than any sensible page: a template that includes itself stops here.
const MAX_INCLUDE_DEPTH: usize = 32;

impl HelperDef for IncludeHelper {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        use std::sync::atomic::Ordering;
        let name = param(h, 0, "include")?.as_str().ok_or_else(|| {
            RenderErrorReason::ParamTypeMismatchForName(
                "include",
                "0".into(),
                "a template name in quotes".into(),
            )
        })?;
        let template = r
            .get_template(name)
            .ok_or_else(|| RenderErrorReason::PartialNotFound(name.to_owned()))?;
        if self.depth.fetch_add(1, Ordering::Relaxed) >= MAX_INCLUDE_DEPTH {
            self.depth.fetch_sub(1, Ordering::Relaxed);
            return Err(RenderErrorReason::Other(format!(
                "templates include each other more than {MAX_INCLUDE_DEPTH} deep (\"{name}\")"
            ))
            .into());
        }
        let caller = rc.get_current_template_name();
        let result = template.render(r, ctx, rc, out);
        rc.set_current_template_name(caller);
        self.depth.fetch_sub(1, Ordering::Relaxed);
        result
    }
}

/// `{{user_rows rows}}`: the `<tr>` of each user of an action-table page (`rows` are indexes
/// into the report's `users`), escaped here. Same markup as an `{{#each}}` in the template would
/// give, at a fraction of the time: handlebars spends microseconds per expression, and 200,000
/// users make millions of them.
fn user_rows_helper(
    h: &Helper,
    _: &Handlebars,
    ctx: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let rows = param(h, 0, "user_rows")?;
    let users = ctx
        .data()
        .get("users")
        .and_then(Value::as_array)
        .ok_or_else(|| RenderErrorReason::Other("user_rows needs the report's users".into()))?;
    let mut html = String::new();
    for index in rows.as_array().map(Vec::as_slice).unwrap_or_default() {
        let user = index
            .as_u64()
            .and_then(|i| users.get(usize::try_from(i).ok()?))
            .ok_or_else(|| {
                RenderErrorReason::Other(format!("user_rows: {index} is not an index of users"))
            })?;
        user_row(user, &mut html);
    }
    out.write(&html)?;
    Ok(())
}

/// One user row; columns as in the header of user_table.hbs.
fn user_row(user: &Value, html: &mut String) {
    let text = |key: &str| match user.get(key) {
        Some(Value::String(s)) => esc(s),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let list = |key: &str| -> Vec<&str> {
        match user.get(key) {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    };
    let admin = if user.get("is_admin") == Some(&Value::Bool(true)) {
        r#" <span class="tag admin">admin</span>"#
    } else {
        ""
    };
    let last_signin = user
        .get("last_signin")
        .and_then(Value::as_str)
        .map(|t| esc(&short_time(t)))
        .unwrap_or_default();
    let _ = write!(
        html,
        r#"<tr><td class="who"><b>{name}</b><span class="upn">{upn}</span>{admin}</td><td>{state}</td><td>{methods}</td><td class="num">{challenges}</td><td class="num">{completed}</td><td class="num">{denied}</td><td class="result">{result}</td><td class="when">{last_signin}</td><td class="flags">"#,
        name = text("display_name"),
        upn = text("upn"),
        state = text("per_user_state"),
        methods = esc(&list("methods").join(", ")),
        challenges = text("challenges"),
        completed = text("completed"),
        denied = text("denied"),
        result = text("last_result"),
    );
    for flag in list("flags") {
        let flag = esc(flag);
        let _ = write!(html, r#"<span class="tag {flag}">{flag}</span>"#);
    }
    html.push_str("</td></tr>\n");
}

/// `{{change_rows rows}}`: the `<tr>` of each `{upn, detail}` row of a change list.
fn change_rows_helper(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let rows = param(h, 0, "change_rows")?;
    let mut html = String::new();
    for row in rows.as_array().map(Vec::as_slice).unwrap_or_default() {
        let field = |key: &str| esc(row.get(key).and_then(Value::as_str).unwrap_or_default());
        let _ = writeln!(
            html,
            r#"<tr><td class="upn">{}</td><td>{}</td></tr>"#,
            field("upn"),
            field("detail")
        );
    }
    out.write(&html)?;
    Ok(())
}

/// `{{plural n "file" "files"}}`: the count with thousands separators and the noun that fits.
fn plural_helper(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let n = param(h, 0, "plural")?.as_u64().ok_or_else(|| {
        RenderErrorReason::ParamTypeMismatchForName("plural", "0".into(), "a count".into())
    })?;
    let word = |i: usize| -> std::result::Result<&str, RenderError> {
        param(h, i, "plural")?.as_str().ok_or_else(|| {
            RenderErrorReason::ParamTypeMismatchForName("plural", i.to_string(), "text".into())
                .into()
        })
    };
    let noun = if n == 1 { word(1)? } else { word(2)? };
    out.write(&handlebars::html_escape(&format!(
        "{} {noun}",
        thousands(n)
    )))?;
    Ok(())
}

/// `{{datetime t}}`: an RFC 3339 time as `2025-05-30 09:12 UTC`; other text unchanged, null empty.
fn datetime_helper(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let text = match param(h, 0, "datetime")? {
        Value::String(s) => short_time(s),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    out.write(&handlebars::html_escape(&text))?;
    Ok(())
}

/// Minutes are enough to find a sign-in; the JSON keeps the exact time.
fn short_time(s: &str) -> String {
    match s.parse::<jiff::Timestamp>() {
        Ok(t) => t.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        Err(_) => s.to_string(),
    }
}

fn param<'a>(
    h: &'a Helper,
    index: usize,
    helper: &'static str,
) -> std::result::Result<&'a Value, RenderError> {
    h.param(index)
        .filter(|p| !p.is_value_missing())
        .map(|p| p.value())
        .ok_or_else(|| RenderErrorReason::ParamNotFoundForIndex(helper, index).into())
}

// ---------------------------------------------------------------------------------------------
// The view: what the template needs beyond the audit JSON, computed once here.

#[derive(Serialize)]
struct View {
    generator: String,
    pct: Percentages,
    /// The summary cards' tones (`good` only when nothing they cover is unknown).
    tone: Tones,
    /// Whether the registration facts and the activity are unknown altogether.
    unknown: Unknowns,
    /// Data-quality notes derived from the counts (unknowns, unmatched sign-ins); the audit's own
    /// `warnings` come first in the banner.
    notices: Vec<String>,
    banner: bool,
    charts: Vec<Chart>,
    tables: Vec<UserTable>,
    changes: Option<ChangeView>,
    inputs: Vec<InputView>,
    page_size: usize,
}

#[derive(Serialize)]
struct Tones {
    registered: &'static str,
    unregistered: &'static str,
    unable: &'static str,
    failures: &'static str,
}

#[derive(Serialize)]
struct Unknowns {
    registration: bool,
    activity: bool,
}

#[derive(Serialize)]
struct Percentages {
    enabled_of_users: String,
    registered_of_enabled: String,
    unregistered_of_enabled: String,
    unknown_of_enabled: String,
    completed_of_challenged: String,
    unable_of_challenged: String,
    failures_of_challenged: String,
    enforced_of_users: String,
}

/// One chart: `svg` is markup built by this module (labels escaped here); `caption` is the same
/// numbers as text for readers without images.
#[derive(Serialize)]
struct Chart {
    id: &'static str,
    title: &'static str,
    caption: String,
    svg: String,
    empty: bool,
}

/// An action table: the users carrying any of its flags, every one listed, in pages of indexes
/// into `users` (copies of 200,000 users would double the work for nothing).
#[derive(Serialize)]
struct UserTable {
    id: &'static str,
    title: &'static str,
    why: &'static str,
    /// What an empty table says: a clean bill only when nothing it covers is unknown.
    empty: String,
    /// `good`, `warn`, `bad` or `unknown` (see [`Tone`]).
    tone: &'static str,
    total: usize,
    pages: Vec<Page<usize>>,
}

#[derive(Serialize)]
struct Page<T> {
    label: String,
    open: bool,
    rows: Vec<T>,
}

/// The lists that changed, and the titles of those that did not (said in one line).
#[derive(Serialize)]
struct ChangeView {
    lists: Vec<ChangeList>,
    unchanged: Vec<&'static str>,
}

#[derive(Serialize)]
struct ChangeList {
    id: &'static str,
    title: &'static str,
    total: usize,
    pages: Vec<Page<ChangeRow>>,
}

#[derive(Serialize)]
struct ChangeRow {
    upn: String,
    detail: String,
}

#[derive(Serialize)]
struct InputView {
    date_range: String,
}

/// The action tables, in the order the report shows them: which flags put a user in each.
struct TableSpec {
    id: &'static str,
    title: &'static str,
    why: &'static str,
    /// The table's verdict, given how many users it lists.
    verdict: fn(&Summary, u64) -> Verdict,
    flags: &'static [&'static str],
}

const ACTION_TABLES: &[TableSpec] = &[
    TableSpec {
        id: "enabled-unregistered",
        title: "Enabled users not registered for MFA",
        why: "They can sign in but have no MFA method: the first to enrol, or to block.",
        verdict: |s, _| findings::unregistered(s),
        flags: &[flag::ENABLED_UNREGISTERED],
    },
    TableSpec {
        id: "unable-to-complete",
        title: "Users unable to complete MFA",
        why: "Challenged for MFA but never satisfied it: a broken method, a lost phone, or someone \
              else trying their password.",
        verdict: |s, _| findings::unable_to_complete(s),
        flags: &[flag::CHALLENGED_NEVER_COMPLETED],
    },
    TableSpec {
        id: "fraud-fatigue",
        title: "Fraud reports, push fatigue, blocks and bypasses",
        why: "A user reported fraud, denied a burst of prompts, was blocked, or signed in with a \
              one-time bypass: check with them first.",
        verdict: findings::fraud_and_fatigue,
        flags: &[
            flag::FRAUD_REPORTED,
            flag::PUSH_FATIGUE,
            flag::BLOCKED,
            flag::BYPASS_USED,
        ],
    },
    TableSpec {
        id: "telephony-only",
        title: "Users with telephony methods only",
        why: "SMS and voice calls are the weakest MFA methods: move them to an app or a passkey.",
        verdict: findings::telephony_only,
        flags: &[flag::TELEPHONY_ONLY],
    },
    TableSpec {
        id: "admins-without-mfa",
        title: "Administrators without MFA",
        why: "A privileged account without MFA is the most valuable account to steal.",
        verdict: |s, _| findings::admins_without_mfa(s),
        flags: &[flag::ADMIN_WITHOUT_MFA],
    },
];

impl View {
    fn build(report: &AuditReport) -> Self {
        let notices = notices(report);
        View {
            generator: format!("mfaudit {}", env!("CARGO_PKG_VERSION")),
            pct: percentages(report),
            tone: tones(&report.summary),
            unknown: Unknowns {
                registration: findings::unregistered(&report.summary).all_unknown,
                activity: report.summary.activity_inputs == 0,
            },
            banner: !report.warnings.is_empty() || !notices.is_empty(),
            notices,
            charts: charts(report),
            tables: ACTION_TABLES
                .iter()
                .map(|spec| user_table(spec, report))
                .collect(),
            changes: report.changes.as_ref().map(change_view),
            inputs: report
                .inputs
                .iter()
                .map(|i| InputView {
                    date_range: date_range(i.first_time.as_deref(), i.last_time.as_deref()),
                })
                .collect(),
            page_size: PAGE_SIZE,
        }
    }
}

fn tones(s: &Summary) -> Tones {
    let unregistered = findings::unregistered(s);
    Tones {
        // The registered share is good only when the unregistered count is known to be zero.
        registered: match unregistered.tone {
            Tone::Bad => Tone::Warn,
            other => other,
        }
        .class(),
        unregistered: unregistered.tone.class(),
        unable: findings::unable_to_complete(s).tone.class(),
        failures: match findings::with_failures(s).tone {
            Tone::Bad => Tone::Warn,
            other => other,
        }
        .class(),
    }
}

fn percentages(r: &AuditReport) -> Percentages {
    let s = &r.summary;
    Percentages {
        enabled_of_users: percent(s.users_enabled, s.users_total),
        registered_of_enabled: percent(s.registered_enabled, s.users_enabled),
        unregistered_of_enabled: percent(s.unregistered_enabled, s.users_enabled),
        unknown_of_enabled: percent(s.registration_unknown_enabled, s.users_enabled),
        completed_of_challenged: percent(s.users_completed_mfa, s.challenged_users),
        unable_of_challenged: percent(s.users_unable_to_complete, s.challenged_users),
        failures_of_challenged: percent(s.users_with_failures, s.challenged_users),
        enforced_of_users: percent(s.per_user_state.enforced, s.users_total),
    }
}

/// Banner lines the view adds to the report's own `warnings` (which already name every unknown and
/// the sign-ins outside the directory, with the export that would settle them).
fn notices(r: &AuditReport) -> Vec<String> {
    let mut out = Vec::new();
    let input_warnings: usize = r.inputs.iter().map(|i| i.warnings.len()).sum();
    if input_warnings > 0 {
        out.push(format!(
            "The input files gave {}; see Inputs at the end.",
            count(input_warnings as u64, ("warning", "warnings"))
        ));
    }
    out
}

fn user_table(spec: &TableSpec, report: &AuditReport) -> UserTable {
    let selected: Vec<usize> = report
        .users
        .iter()
        .enumerate()
        .filter(|(_, u)| u.flags.iter().any(|f| spec.flags.contains(&f.as_ref())))
        .map(|(i, _)| i)
        .collect();
    let verdict = (spec.verdict)(&report.summary, selected.len() as u64);
    UserTable {
        id: spec.id,
        title: spec.title,
        why: spec.why,
        empty: verdict.sentence,
        tone: verdict.tone.class(),
        total: selected.len(),
        pages: paginate(selected, USERS),
    }
}

/// Singular and plural of a counted noun.
type Noun = (&'static str, &'static str);
const USERS: Noun = ("user", "users");
const TIMES: Noun = ("time", "times");

/// `1 user`, `1,203 users`.
fn count(n: u64, (one, many): Noun) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// Splits rows into pages of [`PAGE_SIZE`]; only the first is open.
fn paginate<T>(rows: Vec<T>, noun: Noun) -> Vec<Page<T>> {
    let total = rows.len();
    let mut pages = Vec::with_capacity(total.div_ceil(PAGE_SIZE));
    let mut rows = rows.into_iter();
    let mut first = 0;
    while first < total {
        let chunk: Vec<T> = rows.by_ref().take(PAGE_SIZE).collect();
        let last = first + chunk.len();
        let label = if total <= PAGE_SIZE {
            count(total as u64, noun)
        } else {
            format!(
                "{} {}–{} of {}",
                noun.1,
                thousands(first as u64 + 1),
                thousands(last as u64),
                thousands(total as u64)
            )
        };
        pages.push(Page {
            label,
            open: first == 0,
            rows: chunk,
        });
        first = last;
    }
    pages
}

fn change_view(c: &super::audit::Changes) -> ChangeView {
    let (lists, empty): (Vec<ChangeList>, Vec<ChangeList>) =
        change_lists(c).into_iter().partition(|l| l.total > 0);
    ChangeView {
        lists,
        unchanged: empty.iter().map(|l| l.title).collect(),
    }
}

fn change_lists(c: &super::audit::Changes) -> Vec<ChangeList> {
    let plain = |upns: &[String]| -> Vec<ChangeRow> {
        upns.iter()
            .map(|u| ChangeRow {
                upn: u.clone(),
                detail: String::new(),
            })
            .collect()
    };
    let list = |id, title, rows: Vec<ChangeRow>| ChangeList {
        id,
        title,
        total: rows.len(),
        pages: paginate(rows, USERS),
    };
    vec![
        list(
            "newly-unregistered",
            "Newly unregistered",
            plain(&c.newly_unregistered),
        ),
        list(
            "newly-registered",
            "Newly registered",
            plain(&c.newly_registered),
        ),
        list(
            "state-changed",
            "Per-user MFA state changed",
            c.state_changed
                .iter()
                .map(|s| ChangeRow {
                    upn: s.upn.clone(),
                    detail: format!("{} → {}", s.from, s.to),
                })
                .collect(),
        ),
        list(
            "flags-raised",
            "Flags raised",
            c.flags_raised
                .iter()
                .map(|f| ChangeRow {
                    upn: f.upn.clone(),
                    detail: f.flag.clone(),
                })
                .collect(),
        ),
        list(
            "flags-cleared",
            "Flags cleared",
            c.flags_cleared
                .iter()
                .map(|f| ChangeRow {
                    upn: f.upn.clone(),
                    detail: f.flag.clone(),
                })
                .collect(),
        ),
        list("users-added", "Users added", plain(&c.users_added)),
        list("users-removed", "Users removed", plain(&c.users_removed)),
    ]
}

fn date_range(first: Option<&str>, last: Option<&str>) -> String {
    match (first, last) {
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) => format!("{a} – {b}"),
        (Some(a), None) => format!("from {a}"),
        (None, Some(b)) => format!("until {b}"),
        (None, None) => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Numbers as people read them.

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn percent(part: u64, whole: u64) -> String {
    percent_f(part as f64, whole as f64)
}

/// One decimal; never shows 100.0% for less than all, nor 0.0% for more than none.
fn percent_f(part: f64, whole: f64) -> String {
    if whole <= 0.0 {
        return "–".into();
    }
    let share = part / whole * 100.0;
    let shown = (share * 10.0).round() / 10.0;
    if shown >= 100.0 && part < whole {
        "99.9%".into()
    } else if shown <= 0.0 && part > 0.0 {
        "<0.1%".into()
    } else {
        format!("{shown:.1}%")
    }
}

// ---------------------------------------------------------------------------------------------
// Charts: small hand-written SVG, labels escaped here because the template inserts them raw.

const GREEN: &str = "#2e7d4f";
const RED: &str = "#c0392b";
const AMBER: &str = "#d68910";
const GREY: &str = "#a0a7b1";
const BLUE: &str = "#2563a8";
const TEAL: &str = "#17817a";
const PURPLE: &str = "#6d4c9f";

use crate::report::escape_html as esc;

/// The first `n` of a ranking (`mfa_completed_by`, `mfa_denied_because`) as bars: the wording,
/// how often, and for how many users.
fn ranked_bars<'a>(
    ranking: impl Iterator<Item = (&'a String, u64, u64)>,
    n: usize,
    color: &'static str,
) -> Vec<Bar> {
    ranking
        .take(n)
        .map(|(label, times, users)| Bar {
            label: label.clone(),
            value: times,
            note: format!("{} · {}", count(times, TIMES), count(users, USERS)),
            color,
        })
        .collect()
}

/// Cuts a label to `max` characters with an ellipsis; the full text stays in a `<title>`.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut cut: String = s.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}

fn charts(r: &AuditReport) -> Vec<Chart> {
    let s = &r.summary;
    let mut out = Vec::new();

    let known = s.registered_enabled + s.unregistered_enabled;
    let unknown = s
        .registration_unknown_enabled
        .max(s.users_enabled.saturating_sub(known));
    let registration = [
        ("Registered", s.registered_enabled, GREEN),
        ("Not registered", s.unregistered_enabled, RED),
        ("Unknown", unknown, GREY),
    ];
    out.push(Chart {
        id: "registration",
        title: "MFA registration of enabled users",
        caption: caption(&registration, s.users_enabled),
        svg: donut(
            &registration,
            &percent(s.registered_enabled, s.users_enabled),
            "registered",
        ),
        empty: s.users_enabled == 0,
    });

    let state = [
        ("Enforced", s.per_user_state.enforced, GREEN),
        ("Enabled", s.per_user_state.enabled, BLUE),
        ("Disabled", s.per_user_state.disabled, AMBER),
        ("Unknown", s.per_user_state.unknown, GREY),
    ];
    let state_total: u64 = state.iter().map(|x| x.1).sum();
    out.push(Chart {
        id: "per-user-state",
        title: "Per-user MFA state",
        caption: caption(&state, state_total),
        svg: stacked_bar(&state),
        empty: state_total == 0,
    });

    let strengths: Vec<Bar> = r
        .methods_by_strength
        .iter()
        .map(|c| Bar {
            label: c.strength.clone(),
            value: c.users,
            note: count(c.users, USERS),
            color: strength_color(&c.strength),
        })
        .collect();
    let mut strength_caption = format!(
        "Each enabled user once, by the strongest method registered. {}",
        bar_caption(&strengths)
    );
    if s.registration_unknown_enabled > 0 {
        strength_caption.push_str(&format!(
            "; not counted: {} whose methods are unknown",
            count(s.registration_unknown_enabled, USERS)
        ));
    }
    out.push(Chart {
        id: "methods-by-strength",
        title: "Enabled users by their strongest method",
        caption: strength_caption,
        svg: hbars(&strengths),
        empty: strengths.iter().all(|b| b.value == 0),
    });

    let outcomes = [
        ("Completed MFA", s.users_completed_mfa, GREEN),
        ("Unable to complete", s.users_unable_to_complete, RED),
    ];
    let shown: Vec<(String, u64, u64, Option<bool>)> = r
        .mfa_completed_by
        .iter()
        .map(|c| (c.shown(), c.count, c.users, c.prompted))
        .collect();
    let mut completed_by = ranked_bars(shown.iter().map(|c| (&c.0, c.1, c.2)), 8, TEAL);
    // Met without a prompt in another colour than completed at one.
    for (bar, c) in completed_by.iter_mut().zip(&shown) {
        if c.3 != Some(true) {
            bar.color = BLUE;
        }
    }
    let mut outcome_svg = stacked_bar(&outcomes);
    outcome_svg.push_str(&hbars(&completed_by));
    let mut outcome_caption = caption(&outcomes, s.challenged_users);
    if !completed_by.is_empty() {
        let _ = write!(
            outcome_caption,
            " Completed by: {}",
            bar_caption(&completed_by)
        );
    }
    out.push(Chart {
        id: "mfa-outcomes",
        title: "MFA outcomes of challenged users",
        caption: outcome_caption,
        svg: outcome_svg,
        empty: s.challenged_users == 0,
    });

    let denials = ranked_bars(
        r.mfa_denied_because
            .iter()
            .map(|c| (&c.reason, c.count, c.users)),
        10,
        RED,
    );
    out.push(Chart {
        id: "denial-reasons",
        title: "Most common reasons MFA was denied",
        caption: bar_caption(&denials),
        svg: hbars(&denials),
        empty: denials.is_empty(),
    });

    if r.trend.len() >= 2 {
        // The share is a fraction (0–1); a history that stored percentages is read as such.
        let scale = if r.trend.iter().any(|p| p.registered_share > 1.0) {
            1.0
        } else {
            100.0
        };
        let points: Vec<(String, f64)> = r
            .trend
            .iter()
            .map(|p| (p.run.clone(), p.registered_share * scale))
            .collect();
        out.push(Chart {
            id: "trend",
            title: "Registered share over runs",
            caption: points
                .iter()
                .map(|(run, v)| format!("{run}: {v:.1}%"))
                .collect::<Vec<_>>()
                .join("; "),
            svg: line_chart(&points),
            empty: false,
        });
    }
    out
}

fn strength_color(strength: &str) -> &'static str {
    match strength.to_ascii_lowercase().as_str() {
        "phishing-resistant" => GREEN,
        "app-based" => TEAL,
        "telephony" => AMBER,
        "not mfa" | "none" => RED,
        "other" => PURPLE,
        _ => BLUE,
    }
}

fn caption(parts: &[(&str, u64, &str)], total: u64) -> String {
    parts
        .iter()
        .filter(|p| p.1 > 0)
        .map(|(label, n, _)| format!("{label}: {} ({})", thousands(*n), percent(*n, total)))
        .collect::<Vec<_>>()
        .join("; ")
}

fn bar_caption(bars: &[Bar]) -> String {
    bars.iter()
        .map(|b| format!("{}: {}", b.label, b.note))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A ring of segments with the headline share in its middle and a legend beside it.
fn donut(parts: &[(&str, u64, &str)], headline: &str, headline_note: &str) -> String {
    let total: u64 = parts.iter().map(|p| p.1).sum();
    let (cx, cy, radius, width) = (90.0, 90.0, 66.0, 26.0);
    let circumference = 2.0 * std::f64::consts::PI * radius;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg class="chart donut" viewBox="0 0 400 180" aria-hidden="true"><circle cx="{cx}" cy="{cy}" r="{radius}" fill="none" stroke="#e8ebef" stroke-width="{width}"/>"##
    );
    let mut offset = 0.0;
    for (label, n, color) in parts {
        if *n == 0 || total == 0 {
            continue;
        }
        let len = circumference * (*n as f64) / (total as f64);
        let _ = write!(
            svg,
            r#"<circle cx="{cx}" cy="{cy}" r="{radius}" fill="none" stroke="{color}" stroke-width="{width}" stroke-dasharray="{len:.2} {rest:.2}" stroke-dashoffset="{off:.2}" transform="rotate(-90 {cx} {cy})"><title>{title}</title></circle>"#,
            rest = circumference - len,
            off = -offset,
            title = esc(&format!("{label}: {}", thousands(*n))),
        );
        offset += len;
    }
    let _ = write!(
        svg,
        r##"<text x="{cx}" y="{y1}" text-anchor="middle" font-size="22" font-weight="700" fill="#1d2733">{h}</text><text x="{cx}" y="{y2}" text-anchor="middle" font-size="12" fill="#5b6673">{n}</text>"##,
        y1 = cy + 4.0,
        y2 = cy + 22.0,
        h = esc(headline),
        n = esc(headline_note),
    );
    legend(&mut svg, parts, total, 200.0, 50.0);
    svg.push_str("</svg>");
    svg
}

fn legend(svg: &mut String, parts: &[(&str, u64, &str)], total: u64, x: f64, y: f64) {
    for (i, (label, n, color)) in parts.iter().enumerate() {
        let y = y + i as f64 * 24.0;
        let _ = write!(
            svg,
            r##"<rect x="{x}" y="{ry}" width="12" height="12" rx="2" fill="{color}"/><text x="{tx}" y="{ty}" font-size="13" fill="#1d2733">{label} <tspan fill="#5b6673">{n} · {p}</tspan></text>"##,
            ry = y - 10.0,
            tx = x + 20.0,
            ty = y,
            label = esc(label),
            n = thousands(*n),
            p = esc(&percent(*n, total)),
        );
    }
}

/// One horizontal bar split into segments, with a legend under it.
fn stacked_bar(parts: &[(&str, u64, &str)]) -> String {
    let total: u64 = parts.iter().map(|p| p.1).sum();
    let (x0, width) = (10.0, 580.0);
    let rows = parts.len().div_ceil(2);
    let height = 50.0 + rows as f64 * 22.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg class="chart stacked" viewBox="0 0 600 {height}" aria-hidden="true"><rect x="{x0}" y="8" width="{width}" height="26" rx="4" fill="#e8ebef"/>"##
    );
    let mut x = x0;
    for (label, n, color) in parts {
        if *n == 0 || total == 0 {
            continue;
        }
        let w = width * (*n as f64) / (total as f64);
        let _ = write!(
            svg,
            r#"<rect x="{x:.2}" y="8" width="{w:.2}" height="26" fill="{color}"><title>{t}</title></rect>"#,
            t = esc(&format!("{label}: {}", thousands(*n))),
        );
        x += w;
    }
    for (i, (label, n, color)) in parts.iter().enumerate() {
        let lx = x0 + (i % 2) as f64 * 290.0;
        let ly = 58.0 + (i / 2) as f64 * 22.0;
        let _ = write!(
            svg,
            r##"<rect x="{lx}" y="{ry}" width="12" height="12" rx="2" fill="{color}"/><text x="{tx}" y="{ly}" font-size="13" fill="#1d2733">{label} <tspan fill="#5b6673">{n} · {p}</tspan></text>"##,
            ry = ly - 10.0,
            tx = lx + 20.0,
            label = esc(label),
            n = thousands(*n),
            p = esc(&percent(*n, total)),
        );
    }
    svg.push_str("</svg>");
    svg
}

struct Bar {
    label: String,
    value: u64,
    note: String,
    color: &'static str,
}

/// Horizontal bars, in the order given, scaled to the largest; each label sits above its bar at
/// full width, so long reasons stay readable.
fn hbars(bars: &[Bar]) -> String {
    if bars.is_empty() {
        return String::new();
    }
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let (x0, width, row_h) = (10.0, 580.0, 40.0);
    let height = 6.0 + bars.len() as f64 * row_h;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart bars" viewBox="0 0 600 {height}" aria-hidden="true">"#
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 4.0 + i as f64 * row_h;
        let w = (width * b.value as f64 / max as f64).max(if b.value > 0 { 3.0 } else { 0.0 });
        let _ = write!(
            svg,
            r##"<g><title>{full}</title><text x="{x0}" y="{ty}" font-size="13" fill="#1d2733">{label}</text><text x="{nx}" y="{ty}" text-anchor="end" font-size="12" fill="#5b6673">{note}</text><rect x="{x0}" y="{by}" width="{width}" height="12" rx="3" fill="#eef1f4"/><rect x="{x0}" y="{by}" width="{w:.2}" height="12" rx="3" fill="{color}"/></g>"##,
            full = esc(&format!("{}: {}", b.label, b.note)),
            ty = y + 13.0,
            label = esc(&shorten(&b.label, 60)),
            nx = x0 + width,
            note = esc(&b.note),
            by = y + 19.0,
            color = b.color,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Axis bounds and step for percentages between `lo` and `hi`: round ticks, one step of air on
/// each side, inside 0–100.
fn percent_axis(lo: f64, hi: f64) -> (f64, f64, f64) {
    let raw = ((hi - lo).max(4.0)) / 4.0;
    let step = [1.0, 2.0, 5.0, 10.0, 20.0, 25.0]
        .into_iter()
        .find(|s| *s >= raw)
        .unwrap_or(25.0);
    let bottom = ((lo / step).floor() * step - step).max(0.0);
    let top = ((hi / step).ceil() * step + step).min(100.0);
    (bottom, top, step)
}

/// The registered share (percent) over runs, oldest first.
fn line_chart(points: &[(String, f64)]) -> String {
    let (x0, x1, y0, y1) = (50.0, 580.0, 14.0, 170.0);
    let lo = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let hi = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let (bottom, top, step) = percent_axis(lo, hi);
    let span = (top - bottom).max(1.0);
    let dx = if points.len() > 1 {
        (x1 - x0) / (points.len() - 1) as f64
    } else {
        0.0
    };
    let xy = |i: usize, v: f64| (x0 + dx * i as f64, y1 - (v - bottom) / span * (y1 - y0));
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart trend" viewBox="0 0 600 205" aria-hidden="true">"#
    );
    let mut tick = bottom;
    while tick <= top + 1e-9 {
        let y = y1 - (tick - bottom) / span * (y1 - y0);
        let _ = write!(
            svg,
            r##"<line x1="{x0}" x2="{x1}" y1="{y:.1}" y2="{y:.1}" stroke="#e3e7ec"/><text x="{tx}" y="{ty:.1}" text-anchor="end" font-size="11" fill="#5b6673">{tick:.0}%</text>"##,
            tx = x0 - 8.0,
            ty = y + 4.0,
        );
        tick += step;
    }
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (x, y) = xy(i, p.1);
            format!("{x:.1},{y:.1}")
        })
        .collect();
    let _ = write!(
        svg,
        r#"<polyline points="{}" fill="none" stroke="{BLUE}" stroke-width="2.5" stroke-linejoin="round"/>"#,
        path.join(" ")
    );
    let label_every = points.len().div_ceil(7).max(1);
    let last = points.len() - 1;
    for (i, (run, v)) in points.iter().enumerate() {
        let (x, y) = xy(i, *v);
        let _ = write!(
            svg,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="4" fill="{BLUE}"><title>{t}</title></circle>"#,
            t = esc(&format!("{run}: {v:.1}%")),
        );
        if i % label_every == 0 || i == last {
            let anchor = match i {
                0 => "start",
                i if i == last => "end",
                _ => "middle",
            };
            let _ = write!(
                svg,
                r##"<text x="{x:.1}" y="192" text-anchor="{anchor}" font-size="11" fill="#5b6673">{d}</text>"##,
                d = esc(&shorten(run.get(..10).unwrap_or(run), 12)),
            );
        }
    }
    let (lx, ly) = xy(last, points[last].1);
    let _ = write!(
        svg,
        r##"<text x="{lx:.1}" y="{ty:.1}" text-anchor="end" font-size="12" font-weight="700" fill="{BLUE}">{v:.1}%</text>"##,
        ty = ly - 10.0,
        v = points[last].1,
    );
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(200_000), "200,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn percent_never_rounds_to_all_or_nothing() {
        assert_eq!(percent(7, 8), "87.5%");
        assert_eq!(percent(0, 0), "–");
        assert_eq!(percent(0, 5), "0.0%");
        assert_eq!(percent(5, 5), "100.0%");
        assert_eq!(percent(199_999, 200_000), "99.9%");
        assert_eq!(percent(1, 200_000), "<0.1%");
    }

    #[test]
    fn svg_labels_are_escaped() {
        let bars = [Bar {
            label: "<script>alert(1)</script>".into(),
            value: 3,
            note: "\"><img src=x>".into(),
            color: RED,
        }];
        let svg = hbars(&bars);
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(!svg.contains("<img"), "{svg}");
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(svg.contains("&quot;&gt;&lt;img src=x&gt;"));
    }

    #[test]
    fn percent_axis_has_round_ticks_inside_0_to_100() {
        assert_eq!(percent_axis(25.0, 40.0), (20.0, 45.0, 5.0));
        assert_eq!(percent_axis(97.0, 99.5), (96.0, 100.0, 1.0));
        assert_eq!(percent_axis(0.0, 100.0), (0.0, 100.0, 25.0));
        assert_eq!(percent_axis(50.0, 50.0), (49.0, 51.0, 1.0));
    }

    #[test]
    fn times_are_shortened_to_minutes_in_utc() {
        assert_eq!(
            short_time("2025-05-30T09:12:43.123Z"),
            "2025-05-30 09:12 UTC"
        );
        assert_eq!(
            short_time("2025-05-30T11:12:00+02:00"),
            "2025-05-30 09:12 UTC"
        );
        assert_eq!(short_time("yesterday"), "yesterday");
    }

    #[test]
    fn pages_hold_page_size_rows_and_only_the_first_is_open() {
        let pages = paginate((0..1201).collect::<Vec<_>>(), USERS);
        let sizes: Vec<usize> = pages.iter().map(|p| p.rows.len()).collect();
        assert_eq!(sizes, [500, 500, 201]);
        let open: Vec<bool> = pages.iter().map(|p| p.open).collect();
        assert_eq!(open, [true, false, false]);
        assert_eq!(pages[1].label, "users 501–1,000 of 1,201");
        assert_eq!(paginate(vec![1, 2], USERS)[0].label, "2 users");
        assert_eq!(paginate(vec![1], USERS)[0].label, "1 user");
        assert!(paginate(Vec::<u8>::new(), USERS).is_empty());
    }

    #[test]
    fn helpers_format_numbers_for_template_authors() {
        let (hb, _) = registry(None).unwrap();
        let data = serde_json::json!({"n": 1234567, "neg": -1500, "a": 7, "b": 8, "zero": 0,
            "list": ["a<b", "c"], "one": 1, "t": "2025-05-30T09:12:43Z", "nil": null});
        let out = hb
            .render_template(
                "{{fmt_int n}}|{{fmt_int neg}}|{{pct a b}}|{{pct a zero}}|{{join list \"; \"}}|{{join list}}|\
                 {{plural a \"file\" \"files\"}}|{{plural one \"file\" \"files\"}}|{{datetime t}}|{{datetime nil}}",
                &data,
            )
            .unwrap();
        assert_eq!(
            out,
            "1,234,567|-1,500|87.5%|–|a&lt;b; c|a&lt;b, c|7 files|1 file|2025-05-30 09:12 UTC|"
        );
    }

    #[test]
    fn include_renders_in_the_current_context_and_stops_a_loop() {
        let (mut hb, _) = registry(None).unwrap();
        hb.register_template_string("row", "[{{name}}]").unwrap();
        hb.register_template_string("loop", "{{include \"loop\"}}")
            .unwrap();
        let data = serde_json::json!({"rows": [{"name": "a<"}, {"name": "b"}]});
        let out = hb
            .render_template("{{#each rows}}{{include \"row\"}}{{/each}}", &data)
            .unwrap();
        assert_eq!(out, "[a&lt;][b]");
        let err = hb.render("loop", &data).unwrap_err();
        assert!(err.to_string().contains("more than 32 deep"), "{err}");
        let err = hb
            .render_template("{{include \"nope\"}}", &data)
            .unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
    }

    #[test]
    fn strict_mode_rejects_a_missing_field() {
        let (hb, _) = registry(None).unwrap();
        let err = hb
            .render_template("{{summary.nope}}", &serde_json::json!({"summary": {}}))
            .unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
    }
}
