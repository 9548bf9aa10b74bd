//! The view: what the templates need beyond the audit JSON (percentages, tones, the action tables
//! in pages, the changes, the charts), computed once here so the JSON and the HTML cannot
//! disagree.

use serde::Serialize;

use super::PREVIEW;
use super::charts::charts;
use crate::report::audit::{AuditReport, Summary};
use crate::report::findings::{self, Tone};

#[derive(Serialize)]
pub(super) struct View {
    pub(super) generator: String,
    pub(super) pct: Percentages,
    /// The summary cards' tones (`good` only when nothing they cover is unknown).
    pub(super) tone: Tones,
    /// Whether the registration facts and the activity are unknown altogether.
    pub(super) unknown: Unknowns,
    /// Data-quality notes derived from the counts (unknowns, unmatched sign-ins); the audit's own
    /// `warnings` come first in the banner.
    pub(super) notices: Vec<String>,
    pub(super) banner: bool,
    pub(super) charts: Vec<Chart>,
    pub(super) tables: Vec<UserTable>,
    /// The "Who got in without MFA" section.
    pub(super) observed: super::observed::ObservedView,
    /// The "Who is required to use MFA" section.
    pub(super) coverage: super::coverage::CoverageView,
    /// The exceptions by state, and those that name nobody.
    pub(super) exceptions: ExceptionCounts,
    pub(super) changes: Option<ChangeView>,
    pub(super) inputs: Vec<InputView>,
    /// Rows each table shows without scripts.
    pub(super) preview: usize,
    /// The page holds every user as data for its script (the inventory and every table whole);
    /// false for the summary the mail attaches.
    pub(super) inventory: bool,
    /// The users the report lists: the directory's and those only the sign-ins name.
    pub(super) users_listed: usize,
}

#[derive(Serialize)]
pub(super) struct ExceptionCounts {
    pub(super) active: usize,
    pub(super) expiring: usize,
    pub(super) expired: usize,
    pub(super) unmatched: usize,
}

impl ExceptionCounts {
    fn of(r: &AuditReport) -> ExceptionCounts {
        let n = |state: &str| r.exceptions.iter().filter(|e| e.state == state).count();
        ExceptionCounts {
            active: n("active"),
            expiring: n("expiring"),
            expired: n("expired"),
            unmatched: r.exceptions.iter().filter(|e| e.matched == 0).count(),
        }
    }
}

#[derive(Serialize)]
pub(super) struct Tones {
    pub(super) registered: &'static str,
    pub(super) unregistered: &'static str,
    pub(super) unable: &'static str,
    pub(super) failures: &'static str,
}

#[derive(Serialize)]
pub(super) struct Unknowns {
    pub(super) registration: bool,
    pub(super) activity: bool,
}

#[derive(Serialize)]
pub(super) struct Percentages {
    pub(super) enabled_of_users: String,
    pub(super) registered_of_enabled: String,
    pub(super) unregistered_of_enabled: String,
    pub(super) unknown_of_enabled: String,
    pub(super) completed_of_challenged: String,
    pub(super) unable_of_challenged: String,
    pub(super) failures_of_challenged: String,
    pub(super) enforced_of_users: String,
}

/// One chart: `svg` is markup built by this module (labels escaped here); `caption` is the same
/// numbers as text for readers without images.
#[derive(Serialize)]
pub(super) struct Chart {
    pub(super) id: &'static str,
    pub(super) title: &'static str,
    pub(super) caption: String,
    pub(super) svg: String,
    pub(super) empty: bool,
}

/// An action table: the users carrying any of its flags. Without scripts the page shows the
/// first [`PREVIEW`] (indexes into the report's users); the script renders the whole list from
/// the page's data.
#[derive(Serialize)]
pub(super) struct UserTable {
    pub(super) id: &'static str,
    pub(super) title: &'static str,
    pub(super) why: &'static str,
    /// What an empty table says: a clean bill only when nothing it covers is unknown.
    pub(super) empty: String,
    /// `good`, `warn`, `bad` or `unknown` (see [`Tone`]).
    pub(super) tone: &'static str,
    pub(super) total: usize,
    /// The flags that put a user in the table (the script selects by them).
    pub(super) flags: String,
    pub(super) preview: Preview<usize>,
}

/// The first rows of a table, and what the page says of the rest.
#[derive(Serialize)]
pub(super) struct Preview<T> {
    pub(super) rows: Vec<T>,
    /// `first 25 of 1,204 users`; empty when every row is shown.
    pub(super) more: String,
}

impl<T> Preview<T> {
    /// The first [`PREVIEW`] of `rows`.
    pub(super) fn of(rows: impl IntoIterator<Item = T>, total: usize, noun: Noun) -> Preview<T> {
        Preview {
            rows: rows.into_iter().take(PREVIEW).collect(),
            more: if total > PREVIEW {
                format!("first {} of {}", PREVIEW, count(total as u64, noun))
            } else {
                String::new()
            },
        }
    }
}

/// The lists that changed, and the titles of those that did not (said in one line).
#[derive(Serialize)]
pub(super) struct ChangeView {
    pub(super) lists: Vec<ChangeList>,
    pub(super) unchanged: Vec<&'static str>,
}

#[derive(Serialize)]
pub(super) struct ChangeList {
    pub(super) id: &'static str,
    pub(super) title: &'static str,
    pub(super) total: usize,
    pub(super) preview: Preview<ChangeRow>,
    /// Every row, for the page's data.
    #[serde(skip)]
    pub(super) rows: Vec<ChangeRow>,
}

#[derive(Serialize, Clone)]
pub(super) struct ChangeRow {
    pub(super) upn: String,
    pub(super) detail: String,
}

#[derive(Serialize)]
pub(super) struct InputView {
    pub(super) date_range: String,
}

impl View {
    pub(super) fn build(report: &AuditReport, inventory: bool) -> Self {
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
            tables: findings::LISTS
                .iter()
                .map(|spec| user_table(spec, report))
                .collect(),
            observed: super::observed::observed_view(report),
            coverage: super::coverage::coverage_view(report),
            exceptions: ExceptionCounts::of(report),
            changes: report.changes.as_ref().map(change_view),
            inputs: report
                .inputs
                .iter()
                .map(|i| InputView {
                    date_range: date_range(i.first_time.as_deref(), i.last_time.as_deref()),
                })
                .collect(),
            preview: PREVIEW,
            inventory,
            users_listed: report.users.len(),
        }
    }
}

pub(super) fn tones(s: &Summary) -> Tones {
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

pub(super) fn percentages(r: &AuditReport) -> Percentages {
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
pub(super) fn notices(r: &AuditReport) -> Vec<String> {
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

pub(super) fn user_table(spec: &findings::FindingList, report: &AuditReport) -> UserTable {
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
        flags: spec.flags.join(" "),
        preview: Preview::of(selected.iter().copied(), selected.len(), USERS),
    }
}

/// Singular and plural of a counted noun.
pub(super) type Noun = (&'static str, &'static str);
pub(super) const USERS: Noun = ("user", "users");
pub(super) const TIMES: Noun = ("time", "times");

/// `1 user`, `1,203 users`.
pub(super) fn count(n: u64, (one, many): Noun) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

pub(super) fn change_view(c: &crate::report::audit::Changes) -> ChangeView {
    let (lists, empty): (Vec<ChangeList>, Vec<ChangeList>) =
        change_lists(c).into_iter().partition(|l| l.total > 0);
    ChangeView {
        lists,
        unchanged: empty.iter().map(|l| l.title).collect(),
    }
}

pub(super) fn change_lists(c: &crate::report::audit::Changes) -> Vec<ChangeList> {
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
        preview: Preview::of(rows.iter().cloned(), rows.len(), USERS),
        rows,
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
        list(
            "newly-excluded",
            "Newly excluded from an MFA policy",
            plain(&c.newly_excluded),
        ),
        list(
            "newly-not-required",
            "Newly required to use MFA by no source",
            plain(&c.newly_not_required),
        ),
        list(
            "newly-protected",
            "Newly protected",
            plain(&c.newly_protected),
        ),
        list(
            "exceptions-added",
            "Exceptions added",
            plain(&c.exceptions_added),
        ),
        list(
            "exceptions-expired",
            "Exceptions expired",
            plain(&c.exceptions_expired),
        ),
        list(
            "exceptions-removed",
            "Exceptions removed",
            plain(&c.exceptions_removed),
        ),
        list("users-added", "Users added", plain(&c.users_added)),
        list("users-removed", "Users removed", plain(&c.users_removed)),
    ]
}

pub(super) fn date_range(first: Option<&str>, last: Option<&str>) -> String {
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

pub(super) fn percent(part: u64, whole: u64) -> String {
    percent_f(part as f64, whole as f64)
}

/// One decimal; never shows 100.0% for less than all, nor 0.0% for more than none.
pub(super) fn percent_f(part: f64, whole: f64) -> String {
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
