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
/// `{{user_rows rows}}`, `{{observed_rows rows}}`, `{{excluded_rows rows}}`: the `<tr>` of each
/// user of a table's first rows, `rows` being indexes into the report's users (which are not in
/// the template data: a large tenant's would take seconds to convert), written by `row`.
pub(super) struct Rows<'a> {
    pub(super) name: &'static str,
    pub(super) users: &'a [crate::report::audit::AuditUser],
    pub(super) row: fn(&crate::report::audit::AuditUser, &mut String),
}

impl HelperDef for Rows<'_> {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let rows = param(h, 0, self.name)?;
        let mut html = String::new();
        for index in rows.as_array().map(Vec::as_slice).unwrap_or_default() {
            let user = index
                .as_u64()
                .and_then(|i| self.users.get(usize::try_from(i).ok()?))
                .ok_or_else(|| {
                    RenderErrorReason::Other(format!(
                        "{}: {index} is not an index of the users",
                        self.name
                    ))
                })?;
            (self.row)(user, &mut html);
        }
        out.write(&html)?;
        Ok(())
    }
}

/// `(user_at i)`: the report's user `i` as its audit JSON, for a template's own rows:
/// `{{#each preview.rows}}{{#with (user_at this)}}<li>{{upn}}</li>{{/with}}{{/each}}`. Converted on
/// demand, so a template pays for the users it shows.
pub(super) struct UserLookup<'a>(pub(super) &'a [crate::report::audit::AuditUser]);

impl HelperDef for UserLookup<'_> {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<handlebars::ScopedJson<'rc>, RenderError> {
        let index = param(h, 0, "user_at")?;
        let user = index
            .as_u64()
            .and_then(|i| self.0.get(usize::try_from(i).ok()?))
            .ok_or_else(|| {
                RenderErrorReason::Other(format!("user_at: {index} is not an index of the users"))
            })?;
        let value = serde_json::to_value(user)
            .map_err(|e| RenderErrorReason::Other(format!("user_at {index}: {e}")))?;
        Ok(handlebars::ScopedJson::Derived(value))
    }
}

/// `{{{page_data}}}`: the page's data as JSON, for its script (see `data`); written as it is,
/// every `<` in it escaped already.
pub(super) struct PageData<'a>(pub(super) &'a str);

impl HelperDef for PageData<'_> {
    fn call<'reg: 'rc, 'rc>(
        &self,
        _: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        out.write(self.0)?;
        Ok(())
    }
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
