//! The rows of the user tables, from the report's users: as HTML for the rows a page shows
//! without scripts (`{{user_rows}}`, `{{observed_rows}}`, `{{excluded_rows}}`), and as the cell
//! texts the embedded data gives the script (`data`), so that both say the same.

use std::fmt::Write as _;

use crate::report::audit::{AuditUser, MfaServerUser, ObservedUser};
use crate::report::escape_html as esc;

use super::helpers::short_time;

/// The user cell: name, UPN, an admin tag, the exception's class (its reason and state on hover).
fn who(u: &AuditUser, html: &mut String) {
    let _ = write!(
        html,
        r#"<td class="who"><b>{}</b><span class="upn">{}</span>"#,
        esc(u.display_name.as_deref().unwrap_or_default()),
        esc(&u.upn)
    );
    if u.is_admin == Some(true) {
        html.push_str(r#" <span class="tag admin">admin</span>"#);
    }
    if let Some(e) = &u.exception {
        let _ = write!(
            html,
            r#" <span class="tag excepted {state}" title="{reason} ({state})">{class}</span>"#,
            class = esc(&e.class),
            reason = esc(&e.reason),
            state = esc(&e.state),
        );
    }
    html.push_str("</td>");
}

/// One row of an action table; columns as in the header of user_table.hbs.
pub(super) fn user_row(u: &AuditUser, html: &mut String) {
    html.push_str("<tr>");
    who(u, html);
    let _ = write!(
        html,
        r#"<td>{state}</td><td>{methods}</td><td class="num">{ch}</td><td class="num">{co}</td><td class="num">{de}</td><td class="result">{result}</td><td class="when">{last}</td><td class="flags">"#,
        state = esc(&u.per_user_state),
        methods = esc(&methods(u)),
        ch = u.challenges,
        co = u.completed,
        de = u.denied,
        result = esc(u.last_result.as_deref().unwrap_or_default()),
        last = esc(&u.last_signin.as_deref().map(short_time).unwrap_or_default()),
    );
    for flag in &u.flags {
        let title = u
            .mfa_server
            .as_deref()
            .and_then(|m| flag_title(m, flag))
            .map(|t| format!(r#" title="{}""#, esc(&t)))
            .unwrap_or_default();
        let flag = esc(flag);
        let _ = write!(html, r#"<span class="tag {flag}"{title}>{flag}</span>"#);
    }
    html.push_str("</td></tr>\n");
}

pub(super) fn methods(u: &AuditUser) -> String {
    u.methods.join(", ")
}

/// What the MFA Server histories say behind a block or bypass flag, on hover: the event that
/// decided it (when, by whom, why).
pub(super) fn flag_title(m: &MfaServerUser, flag: &str) -> Option<String> {
    let said = |what: String, by: &Option<String>, reason: &Option<String>| {
        let mut t = what;
        if let Some(by) = by {
            let _ = write!(t, " by {by}");
        }
        if let Some(reason) = reason {
            let _ = write!(t, ": {reason}");
        }
        t
    };
    match flag {
        "blocked-from-mfa" if m.blocked == Some(true) => Some(said(
            format!("blocked {}", m.block_changed.as_deref().unwrap_or_default()),
            &m.block_by,
            &m.block_reason,
        )),
        "bypass-used" => match (m.bypasses, &m.last_bypass) {
            (Some(n), Some(last)) if n > 0 => Some(said(
                format!(
                    "{n} one-time {} granted, the last {last}",
                    if n == 1 { "bypass" } else { "bypasses" }
                ),
                &m.last_bypass_by,
                &m.last_bypass_reason,
            )),
            _ => None,
        },
        _ => None,
    }
}

/// The cells of a "got in without MFA" row after the user, as text: sign-ins without MFA,
/// applications, last without MFA, legacy successes, legacy protocols, what required MFA,
/// report-only policies that would have.
pub(super) struct ObservedCells {
    pub(super) without: u64,
    pub(super) apps: String,
    pub(super) last: Option<String>,
    pub(super) legacy: u64,
    pub(super) protocols: String,
    pub(super) required: String,
    pub(super) report_only: String,
}

pub(super) fn observed_cells(o: &ObservedUser) -> ObservedCells {
    let counted = |items: &[crate::report::audit::NamedCount]| -> Vec<String> {
        items
            .iter()
            .map(|e| format!("{} ({})", e.name, e.signins))
            .collect()
    };
    let mut required = counted(&o.policies);
    required.extend(o.required_by.iter().map(|e| {
        let name = crate::vocab::enforcement::provider_name(&e.provider).unwrap_or(&e.provider);
        format!("{name} ({})", e.signins)
    }));
    ObservedCells {
        without: o.signins_without_mfa,
        apps: o.apps_without_mfa.join(", "),
        last: o.last_without_mfa.clone(),
        legacy: o.legacy_auth_signins,
        protocols: counted(&o.legacy_protocols).join(", "),
        required: required.join(", "),
        report_only: counted(&o.report_only_would_require).join(", "),
    }
}

/// One user's row of what the sign-ins showed; columns as in the header of enforcement.hbs.
pub(super) fn observed_row(u: &AuditUser, html: &mut String) {
    let Some(o) = u.enforcement.observed.as_deref() else {
        return;
    };
    let c = observed_cells(o);
    html.push_str("<tr>");
    who(u, html);
    let _ = writeln!(
        html,
        r#"<td class="num">{}</td><td>{}</td><td class="when">{}</td><td class="num">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
        c.without,
        esc(&c.apps),
        esc(&c.last.as_deref().map(short_time).unwrap_or_default()),
        c.legacy,
        esc(&c.protocols),
        esc(&c.required),
        esc(&c.report_only),
    );
}

/// The policies an exclusion removes the user from, each with what excludes them.
pub(super) fn exclusions(u: &AuditUser) -> Vec<(String, String)> {
    u.enforcement
        .configured
        .as_deref()
        .and_then(|c| c.excluded_by.as_deref())
        .unwrap_or_default()
        .iter()
        .map(|x| {
            let policy = x
                .policy
                .as_deref()
                .or(x.policy_id.as_deref())
                .unwrap_or_default();
            (policy.to_string(), x.via.clone())
        })
        .collect()
}

/// The user's `mfa_required`, or `unknown`.
pub(super) fn required(u: &AuditUser) -> &str {
    u.enforcement
        .configured
        .as_deref()
        .and_then(|c| c.mfa_required.as_deref())
        .unwrap_or("unknown")
}

/// One excluded user: the policies and what excludes them, and what that leaves; columns as in
/// the header of coverage.hbs.
pub(super) fn excluded_row(u: &AuditUser, html: &mut String) {
    let cells: Vec<String> = exclusions(u)
        .iter()
        .map(|(policy, via)| {
            format!(
                r#"<span class="tag">{}</span> <span class="muted">by {}</span>"#,
                esc(policy),
                esc(via)
            )
        })
        .collect();
    html.push_str("<tr>");
    who(u, html);
    let _ = writeln!(
        html,
        "<td>{}</td><td>{}</td></tr>",
        cells.join("<br>"),
        esc(required(u))
    );
}
