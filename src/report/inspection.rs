//! `mfaudit inspect` as text: each file, the files passed over, and what the directory knows.

use std::io::Write;

use crate::input::Kind;
use crate::input::inspect::Inspection;

/// The inspection as the terminal shows it.
pub fn write_table(w: &mut dyn Write, r: &Inspection) -> std::io::Result<()> {
    for f in &r.files {
        writeln!(w, "{}", f.path)?;
        writeln!(w, "  kind:      {} ({})", f.kind, f.detected_because)?;
        writeln!(w, "  encoding:  {}", f.encoding)?;
        if let Some(contents) = &f.contents {
            writeln!(w, "  records:   {contents}")?;
        } else {
            let what = if f.kind_id.is_directory() {
                "users"
            } else if f.kind_id == Kind::AuthDetailsCsv {
                "authentication steps (read with their sign-in CSV)"
            } else {
                "sign-ins"
            };
            writeln!(w, "  records:   {} {what}", f.records)?;
        }
        if f.kind_id.is_directory() {
            writeln!(
                w,
                "  matched:   {} joined a user from an earlier input",
                f.matched
            )?;
        } else if f.kind_id.is_activity() && f.kind_id != Kind::AuthDetailsCsv {
            writeln!(
                w,
                "  matched:   {} of {} {} to a user in the directory",
                f.matched,
                crate::text::plural(f.records, "sign-in", "sign-ins"),
                if f.matched == 1 { "belongs" } else { "belong" }
            )?;
        }
        if f.skipped > 0 {
            writeln!(w, "  skipped:   {} malformed record(s)", f.skipped)?;
        }
        if let (Some(a), Some(b)) = (&f.first_time, &f.last_time) {
            writeln!(w, "  dates:     {a} .. {b} (UTC)")?;
        }
        if let Some(fields) = &f.signin_fields {
            let list = |v: &[&str]| {
                if v.is_empty() {
                    "none".to_string()
                } else {
                    v.join(", ")
                }
            };
            writeln!(w, "  carries:   {}", list(&fields.carried))?;
            if !fields.missing.is_empty() {
                writeln!(
                    w,
                    "  lacks:     {} (unknown for these sign-ins)",
                    list(&fields.missing)
                )?;
            }
        }
        for warning in &f.warnings {
            writeln!(w, "  warning:   {warning}")?;
        }
    }
    if !r.skipped.is_empty() {
        writeln!(w)?;
        writeln!(w, "not read: {}", r.skipped.len())?;
        for s in &r.skipped {
            writeln!(w, "  {}", s.message())?;
        }
    }
    let d = &r.directory;
    writeln!(w)?;
    writeln!(w, "directory: {} user(s)", d.users)?;
    writeln!(
        w,
        "  sign-in:   {} allowed, {} blocked, {} null in an MSOnline export, {} unknown",
        d.access_allowed, d.access_blocked, d.access_null_in_msonline_export, d.access_unknown
    )?;
    writeln!(
        w,
        "  per-user:  {} known, {} unknown",
        d.per_user_state_known, d.per_user_state_unknown
    )?;
    writeln!(
        w,
        "  registration unknown: {} (and {} blocked users, whom the registration report leaves out by design)",
        d.registration_unknown, d.blocked_without_registration
    )?;
    writeln!(
        w,
        "  conflicts: {} (the input given first wins)",
        d.conflicts.len()
    )?;
    for c in &d.conflicts {
        writeln!(
            w,
            "    {}: {} '{}' (input {}, record {}) vs '{}' (input {}, record {})",
            c.upn,
            c.field,
            c.kept,
            c.kept_from.file + 1,
            c.kept_from.record + 1,
            c.other,
            c.other_from.file + 1,
            c.other_from.record + 1
        )?;
    }
    for a in &d.advice {
        writeln!(w, "  advice:    {a}")?;
    }
    Ok(())
}
