//! `mfaudit explain USER`: why one user is or is not required to use MFA — every source, every
//! policy with its inclusion and exclusion step, the file each fact came from — and what the
//! sign-in logs saw of them. The contract type and its text form; the audit fills it.

use std::io::{self, Write};

use serde::Serialize;

use super::audit::{Configured, ObservedUser};

pub const SCHEMA: &str = "mfaudit.explain/1";

#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub schema: &'static str,
    pub upn: Option<String>,
    pub object_id: Option<String>,
    pub display_name: Option<String>,
    pub user_type: Option<String>,
    pub enabled: Option<bool>,
    pub registered: Option<bool>,
    /// The verdict, as `users[].enforcement` gives it.
    pub configured: Option<Configured>,
    /// Every source, in order: the policies as exported, per-user MFA, security defaults.
    pub sources: Vec<Source>,
    /// The roles the user holds, and the assignments role-targeted policies do not count.
    pub roles: Vec<String>,
    /// What the sign-in logs showed; `None` without a sign-in log.
    pub observed: Option<ObservedUser>,
    pub flags: Vec<String>,
}

/// One source's step for the user.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    /// `conditional-access`, `per-user`, `security-defaults`.
    pub kind: &'static str,
    pub name: Option<String>,
    pub id: Option<String>,
    /// The policy's state, the per-user state, or `on` / `off` / `unknown`.
    pub state: String,
    /// What it requires (`mfa`, `block`, ...), when a policy.
    pub requires: Option<String>,
    /// `applies`, `excluded`, `not included`, `unknown`, `disabled`, `requires MFA`, `no MFA`.
    pub outcome: String,
    /// How the user is included, excluded, or why it is unknown.
    pub detail: String,
    /// The file the fact came from.
    pub file: Option<String>,
}

/// The explanation as the terminal shows it.
pub fn write_table(w: &mut dyn Write, e: &Explanation) -> io::Result<()> {
    let name = e
        .upn
        .as_deref()
        .or(e.object_id.as_deref())
        .unwrap_or("(unnamed user)");
    writeln!(w, "{name}")?;
    if let Some(d) = &e.display_name {
        writeln!(w, "  name:        {d}")?;
    }
    let tri = |b: Option<bool>| match b {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    };
    writeln!(
        w,
        "  enabled:     {}   registered: {}   type: {}",
        tri(e.enabled),
        tri(e.registered),
        e.user_type.as_deref().unwrap_or("unknown")
    )?;
    let c = e.configured.as_ref();
    writeln!(
        w,
        "  MFA required: {}",
        c.and_then(|c| c.mfa_required.as_deref())
            .unwrap_or("unknown")
    )?;
    if c.and_then(|c| c.phishing_resistant_required) == Some(true) {
        writeln!(w, "  phishing-resistant methods required")?;
    }
    writeln!(w)?;
    writeln!(w, "sources:")?;
    for s in &e.sources {
        let label = s.name.as_deref().or(s.id.as_deref()).unwrap_or(s.kind);
        write!(w, "  {label} [{}", s.state)?;
        if let Some(r) = &s.requires {
            write!(w, ", requires {r}")?;
        }
        writeln!(w, "]: {}", s.outcome)?;
        if !s.detail.is_empty() {
            writeln!(w, "      {}", s.detail)?;
        }
        if let Some(f) = &s.file {
            writeln!(w, "      from {f}")?;
        }
    }
    if !e.roles.is_empty() {
        writeln!(w)?;
        writeln!(w, "roles:")?;
        for r in &e.roles {
            writeln!(w, "  {r}")?;
        }
    }
    if let Some(u) = c
        .and_then(|c| c.unresolved.as_ref())
        .filter(|u| !u.is_empty())
    {
        writeln!(w)?;
        writeln!(w, "unresolved:")?;
        for r in u {
            writeln!(w, "  {r}")?;
        }
    }
    writeln!(w)?;
    match &e.observed {
        None => writeln!(
            w,
            "sign-ins: no sign-in log among the inputs (what the logs would show is unknown)"
        )?,
        Some(o) => {
            writeln!(
                w,
                "sign-ins: {} without MFA{}, {} legacy (of {} attempts)",
                o.signins_without_mfa,
                o.last_without_mfa
                    .as_deref()
                    .map(|t| format!(" (last {t})"))
                    .unwrap_or_default(),
                o.legacy_auth_signins,
                o.legacy_attempts
            )?;
            if !o.apps_without_mfa.is_empty() {
                writeln!(
                    w,
                    "  reached without MFA: {}",
                    o.apps_without_mfa.join(", ")
                )?;
            }
        }
    }
    if !e.flags.is_empty() {
        writeln!(w, "flags: {}", e.flags.join(", "))?;
    }
    Ok(())
}
