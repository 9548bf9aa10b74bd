//! The helpers the templates may call (documented at the top of report.html.hbs): numbers,
//! percentages, lists, plurals, dates, includes, and the long tables' rows, built here as HTML
//! because handlebars would take minutes over 200,000 rows.

use std::fmt::Write as _;

use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext, RenderError,
    RenderErrorReason, Renderable,
};
use serde_json::Value;

use super::view::{percent_f, thousands};
use crate::report::escape_html as esc;

/// `{{fmt_int n}}`: an integer with thousands separators (`200,000`).
pub(super) fn fmt_int_helper(
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
pub(super) fn pct_helper(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let number = |i: usize| -> Result<f64, RenderError> {
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
pub(super) fn join_helper(
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
pub(super) struct IncludeHelper {
    depth: std::sync::atomic::AtomicUsize,
}

/// Deeper than any sensible page: a template that includes itself stops here.
pub(super) const MAX_INCLUDE_DEPTH: usize = 32;

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
pub(super) fn user_rows_helper(
    h: &Helper,
    _: &Handlebars,
    ctx: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    indexed_rows(h, ctx, out, "user_rows", user_row)
}

/// Writes `row` for each user a page's `rows` (indexes into the report's `users`) names.
fn indexed_rows(
    h: &Helper,
    ctx: &Context,
    out: &mut dyn Output,
    helper: &'static str,
    row: fn(&Value, &mut String),
) -> HelperResult {
    let rows = param(h, 0, helper)?;
    let users = ctx
        .data()
        .get("users")
        .and_then(Value::as_array)
        .ok_or_else(|| RenderErrorReason::Other(format!("{helper} needs the report's users")))?;
    let mut html = String::new();
    for index in rows.as_array().map(Vec::as_slice).unwrap_or_default() {
        let user = index
            .as_u64()
            .and_then(|i| users.get(usize::try_from(i).ok()?))
            .ok_or_else(|| {
                RenderErrorReason::Other(format!("{helper}: {index} is not an index of users"))
            })?;
        row(user, &mut html);
    }
    out.write(&html)?;
    Ok(())
}

/// A JSON string, HTML-escaped; empty for anything else.
fn text_of(v: Option<&Value>) -> String {
    v.and_then(Value::as_str).map(esc).unwrap_or_default()
}

/// One user row; columns as in the header of user_table.hbs.
pub(super) fn user_row(user: &Value, html: &mut String) {
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
    // An excepted user is marked with the class and, on hover, the reason and state.
    let excepted = match user.get("exception") {
        Some(Value::Object(e)) => format!(
            r#" <span class="tag excepted {state}" title="{reason} ({state})">{class}</span>"#,
            class = text_of(e.get("class")),
            reason = text_of(e.get("reason")),
            state = text_of(e.get("state")),
        ),
        _ => String::new(),
    };
    let last_signin = user
        .get("last_signin")
        .and_then(Value::as_str)
        .map(|t| esc(&short_time(t)))
        .unwrap_or_default();
    let _ = write!(
        html,
        r#"<tr><td class="who"><b>{name}</b><span class="upn">{upn}</span>{admin}{excepted}</td><td>{state}</td><td>{methods}</td><td class="num">{challenges}</td><td class="num">{completed}</td><td class="num">{denied}</td><td class="result">{result}</td><td class="when">{last_signin}</td><td class="flags">"#,
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
        let title = mfa_server_title(user.get("mfa_server"), flag);
        let flag = esc(flag);
        let _ = write!(html, r#"<span class="tag {flag}"{title}>{flag}</span>"#);
    }
    html.push_str("</td></tr>\n");
}

/// What the MFA Server histories say behind a block or bypass flag, on hover: the event that
/// decided it (when, by whom, why).
fn mfa_server_title(m: Option<&Value>, flag: &str) -> String {
    let Some(Value::Object(m)) = m else {
        return String::new();
    };
    let part = |key: &str| m.get(key).and_then(Value::as_str).map(esc);
    let said = |what: String, by: Option<String>, reason: Option<String>| {
        let mut t = what;
        if let Some(by) = by {
            let _ = write!(t, " by {by}");
        }
        if let Some(reason) = reason {
            let _ = write!(t, ": {reason}");
        }
        format!(r#" title="{t}""#)
    };
    match flag {
        "blocked-from-mfa" if m.get("blocked") == Some(&Value::Bool(true)) => said(
            format!("blocked {}", part("block_changed").unwrap_or_default()),
            part("block_by"),
            part("block_reason"),
        ),
        "bypass-used" => match (
            m.get("bypasses").and_then(Value::as_u64),
            part("last_bypass"),
        ) {
            (Some(n), Some(last)) if n > 0 => said(
                format!(
                    "{n} one-time {} granted, the last {last}",
                    if n == 1 { "bypass" } else { "bypasses" }
                ),
                part("last_bypass_by"),
                part("last_bypass_reason"),
            ),
            _ => String::new(),
        },
        _ => String::new(),
    }
}

/// `{{observed_rows rows}}`: the `<tr>` of each user of a page of the "got in without MFA"
/// table, rows being indexes into users; columns as in the header of enforcement.hbs.
pub(super) fn observed_rows_helper(
    h: &Helper,
    _: &Handlebars,
    ctx: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    indexed_rows(h, ctx, out, "observed_rows", observed_row)
}

/// One user's row of what the sign-ins showed.
fn observed_row(user: &Value, html: &mut String) {
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => esc(s),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let o = &user["enforcement"]["observed"];
    let strings = |key: &str| -> String {
        let items: Vec<&str> = o[key]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        esc(&items.join(", "))
    };
    // `[{name, signins}]` lists, and `required_by`'s `[{provider, signins}]`.
    let counted = |key: &str, name: &str| -> Vec<String> {
        o[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| format!("{} ({})", text(e.get(name)), text(e.get("signins"))))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut required = counted("policies", "name");
    required.extend(
        o["required_by"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|e| {
                let provider = e["provider"].as_str().unwrap_or_default();
                let name = crate::vocab::enforcement::provider_name(provider).unwrap_or(provider);
                format!("{} ({})", esc(name), text(e.get("signins")))
            }),
    );
    let last = o["last_without_mfa"]
        .as_str()
        .map(|t| esc(&short_time(t)))
        .unwrap_or_default();
    let _ = writeln!(
        html,
        r#"<tr><td class="who"><b>{name}</b><span class="upn">{upn}</span></td><td class="num">{without}</td><td>{apps}</td><td class="when">{last}</td><td class="num">{legacy}</td><td>{protocols}</td><td>{required}</td><td>{report_only}</td></tr>"#,
        name = text(user.get("display_name")),
        upn = text(user.get("upn")),
        without = text(o.get("signins_without_mfa")),
        apps = strings("apps_without_mfa"),
        legacy = text(o.get("legacy_auth_signins")),
        protocols = counted("legacy_protocols", "name").join(", "),
        required = required.join(", "),
        report_only = counted("report_only_would_require", "name").join(", "),
    );
}

/// `{{excluded_rows rows}}`: the `<tr>` of each user an exclusion removes from an MFA policy,
/// rows being indexes into users; columns as in the header of coverage.hbs.
pub(super) fn excluded_rows_helper(
    h: &Helper,
    _: &Handlebars,
    ctx: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    indexed_rows(h, ctx, out, "excluded_rows", excluded_row)
}

/// One excluded user: the policies and what excludes them, and what that leaves.
fn excluded_row(user: &Value, html: &mut String) {
    let text = |v: &Value| v.as_str().map(esc).unwrap_or_default();
    let e = &user["enforcement"];
    let exclusions: Vec<String> = e["excluded_by"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|x| {
            let policy = if x["policy"].is_string() {
                &x["policy"]
            } else {
                &x["policy_id"]
            };
            format!(
                r#"<span class="tag">{}</span> <span class="muted">by {}</span>"#,
                text(policy),
                text(&x["via"])
            )
        })
        .collect();
    let _ = writeln!(
        html,
        r#"<tr><td class="who"><b>{name}</b><span class="upn">{upn}</span></td><td>{exclusions}</td><td>{required}</td></tr>"#,
        name = text(&user["display_name"]),
        upn = text(&user["upn"]),
        exclusions = exclusions.join("<br>"),
        required = e["mfa_required"]
            .as_str()
            .map_or("unknown".to_string(), esc),
    );
}

/// `{{change_rows rows}}`: the `<tr>` of each `{upn, detail}` row of a change list.
pub(super) fn change_rows_helper(
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
pub(super) fn plural_helper(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let n = param(h, 0, "plural")?.as_u64().ok_or_else(|| {
        RenderErrorReason::ParamTypeMismatchForName("plural", "0".into(), "a count".into())
    })?;
    let word = |i: usize| -> Result<&str, RenderError> {
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
pub(super) fn datetime_helper(
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
pub(super) fn short_time(s: &str) -> String {
    match s.parse::<jiff::Timestamp>() {
        Ok(t) => t.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        Err(_) => s.to_string(),
    }
}

pub(super) fn param<'a>(
    h: &'a Helper,
    index: usize,
    helper: &'static str,
) -> Result<&'a Value, RenderError> {
    h.param(index)
        .filter(|p| !p.is_value_missing())
        .map(|p| p.value())
        .ok_or_else(|| RenderErrorReason::ParamNotFoundForIndex(helper, index).into())
}
