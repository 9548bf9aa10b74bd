//! `mfaudit policies` as text: each policy's state, requirement, reach, resources, conditions and
//! what the sign-ins showed of it.

use std::io::{self, Write};

use super::audit::AuditReport;

pub fn write_table(w: &mut dyn Write, r: &AuditReport) -> io::Result<()> {
    let e = &r.summary.enforcement;
    let exported = r.policies.iter().filter(|p| p.state.is_some()).count();
    if exported == 0 {
        writeln!(
            w,
            "no Conditional Access policy export among the inputs{}",
            if r.policies.is_empty() {
                ""
            } else {
                ": the policies below are the ones the sign-ins name"
            }
        )?;
    }
    for p in &r.policies {
        writeln!(w)?;
        writeln!(
            w,
            "{}",
            p.name
                .as_deref()
                .or(p.id.as_deref())
                .unwrap_or("(unnamed policy)")
        )?;
        if let Some(id) = &p.id {
            writeln!(w, "  id:          {id}")?;
        }
        let or_unknown =
            |v: Option<&str>| v.unwrap_or("unknown (not in a policy export)").to_string();
        writeln!(w, "  state:       {}", or_unknown(p.state.as_deref()))?;
        writeln!(w, "  requires:    {}", or_unknown(p.requires.as_deref()))?;
        if let (Some(c), Some(x)) = (p.users_covered, p.users_excluded) {
            writeln!(w, "  users:       {c} covered, {x} excluded")?;
        }
        if let Some(res) = &p.resources {
            writeln!(w, "  resources:   {res}")?;
        }
        if let Some(c) = &p.conditions {
            let c = if c.is_empty() {
                "none".to_string()
            } else {
                c.join("; ")
            };
            writeln!(w, "  conditions:  {c}")?;
        }
        match &p.observed {
            Some(o) => writeln!(
                w,
                "  sign-ins:    {} success, {} failure, {} not applied, report-only {} success / {} failure / {} not applied",
                o.success,
                o.failure,
                o.not_applied,
                o.report_only_success,
                o.report_only_failure,
                o.report_only_not_applied
            )?,
            None => writeln!(w, "  sign-ins:    none of the inputs' sign-ins lists it")?,
        }
    }
    writeln!(w)?;
    writeln!(
        w,
        "security defaults: {}",
        match e.security_defaults {
            Some(true) => "on",
            Some(false) => "off",
            None => "unknown",
        }
    )?;
    if let Some(m) = &e.mfa_required {
        writeln!(
            w,
            "enabled users: {} always required, {} under conditions, {} never, {} unknown",
            m.always, m.conditional, m.never, m.unknown
        )?;
    }
    Ok(())
}
