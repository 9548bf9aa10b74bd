//! What changed between two runs, as text: the audit's "since the previous run", and `mfaudit
//! diff` in either direction (from a later run back to an earlier one, the lists say what each run
//! had: nothing there became "newly" anything).

use super::audit::Changes;

/// An RFC 3339 time shown to the second (the history keeps it exactly).
pub fn to_the_second(when: &str) -> String {
    match when.parse::<jiff::Timestamp>() {
        Ok(t) => jiff::Timestamp::from_second(t.as_second())
            .map_or_else(|_| when.to_string(), |t| t.to_string()),
        Err(_) => when.to_string(),
    }
}

/// The title of each list.
struct Titles {
    registered: String,
    unregistered: String,
    state: String,
    added: String,
    removed: String,
    renamed: String,
    disabled: String,
    reenabled: String,
    excluded: String,
    not_required: String,
    protected: String,
    exceptions_added: String,
    exceptions_expired: String,
    exceptions_removed: String,
    raised: String,
    cleared: String,
}

/// One section per list, each with its count, then one indented line per entry.
pub fn render_changes(c: &Changes) -> String {
    render_lists(
        c,
        &Titles {
            registered: "Newly registered".into(),
            unregistered: "Newly unregistered".into(),
            state: "Per-user state changed".into(),
            added: "Users added".into(),
            removed: "Users removed".into(),
            renamed: "Users renamed".into(),
            disabled: "Accounts disabled".into(),
            reenabled: "Accounts re-enabled".into(),
            excluded: "Newly excluded from an MFA policy".into(),
            not_required: "Newly required to use MFA by no source".into(),
            protected: "Newly protected (registered and always required)".into(),
            exceptions_added: "Exceptions added".into(),
            exceptions_expired: "Exceptions expired".into(),
            exceptions_removed: "Exceptions removed".into(),
            raised: "Flags raised".into(),
            cleared: "Flags cleared".into(),
        },
    )
}

fn render_lists(c: &Changes, t: &Titles) -> String {
    let mut out = String::new();
    let mut section = |title: &str, lines: Vec<String>| {
        out.push_str(&format!("{title}: {}\n", lines.len()));
        for l in lines {
            out.push_str(&format!("  {l}\n"));
        }
    };
    section(&t.registered, c.newly_registered.clone());
    section(&t.unregistered, c.newly_unregistered.clone());
    section(
        &t.state,
        c.state_changed
            .iter()
            .map(|s| format!("{}: {} -> {}", s.upn, s.from, s.to))
            .collect(),
    );
    section(&t.added, c.users_added.clone());
    section(&t.removed, c.users_removed.clone());
    section(
        &t.renamed,
        c.users_renamed
            .iter()
            .map(|r| format!("{} -> {}", r.from, r.to))
            .collect(),
    );
    section(&t.disabled, c.users_disabled.clone());
    section(&t.reenabled, c.users_reenabled.clone());
    section(&t.excluded, c.newly_excluded.clone());
    section(&t.not_required, c.newly_not_required.clone());
    section(&t.protected, c.newly_protected.clone());
    section(&t.exceptions_added, c.exceptions_added.clone());
    section(&t.exceptions_expired, c.exceptions_expired.clone());
    section(&t.exceptions_removed, c.exceptions_removed.clone());
    let flags = |list: &[crate::report::audit::FlagChange]| {
        list.iter()
            .map(|f| format!("{}: {}", f.upn, f.flag))
            .collect()
    };
    section(&t.raised, flags(&c.flags_raised));
    section(&t.cleared, flags(&c.flags_cleared));
    out
}

/// The lists from run `from` to run `to` when `from` is the later one.
pub fn render_backwards(c: &Changes, from: i64, to: i64) -> String {
    let (a, b) = (format!("run {from}"), format!("run {to}"));
    render_lists(
        c,
        &Titles {
            registered: format!("Registered at {b}, not at {a}"),
            unregistered: format!("Not registered at {b}, not in that list at {a}"),
            state: format!("Per-user state at {a} -> at {b}"),
            added: format!("Users at {b}, not at {a}"),
            removed: format!("Users at {a}, not at {b}"),
            renamed: format!("UPN at {a} -> at {b}"),
            disabled: format!("Sign-in allowed at {a}, blocked at {b}"),
            reenabled: format!("Sign-in blocked at {a}, allowed at {b}"),
            excluded: format!("Excluded from an MFA policy at {b}, not at {a}"),
            not_required: format!("Required by no source at {b}, not at {a}"),
            protected: format!("Protected at {b}, not at {a}"),
            exceptions_added: format!("An exception at {b}, none at {a}"),
            exceptions_expired: format!("Exception expired at {b}, valid at {a}"),
            exceptions_removed: format!("An exception at {a}, none at {b}"),
            raised: format!("Flags at {b}, not at {a}"),
            cleared: format!("Flags at {a}, not at {b}"),
        },
    )
}
