//! What `mfaudit history` and `mfaudit diff` print: the recorded runs as a table or JSON
//! (`mfaudit.history/1`), and the changes between two runs.

use serde::Serialize;

use super::audit::Changes;
use super::changes;
use crate::error::{ReportError, Result};

/// Schema name of `mfaudit history --format json`.
pub const RUNS_SCHEMA: &str = "mfaudit.history/1";

/// One recorded run, as `mfaudit history` lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunInfo {
    pub id: i64,
    /// RFC 3339: the report's `generated_at`.
    pub when: String,
    pub users_total: u64,
    pub users_enabled: u64,
    pub registered_enabled: u64,
    pub unregistered_enabled: u64,
    /// `registered_enabled / users_enabled` (0 to 1, four decimals; 0 without enabled users).
    pub registered_share: f64,
    /// The mfaudit version that recorded the run (`None` for runs of schema 1).
    pub mfaudit_version: Option<String>,
    pub inputs: Vec<RunInput>,
}

/// One input of a recorded run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunInput {
    pub path: String,
    pub kind: String,
    pub records: u64,
    /// `history::fingerprint`; `None` when the file could not be read again (standard input).
    pub fingerprint: Option<String>,
}

/// Any report value as pretty JSON, one line break after it.
pub(crate) fn to_json(value: &impl Serialize) -> Result<String> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| ReportError::serialize("cannot write JSON", e))?;
    text.push('\n');
    Ok(text)
}

/// `{"schema": "mfaudit.history/1", "runs": [RunInfo...]}`.
pub fn runs_json(runs: &[RunInfo]) -> Result<String> {
    #[derive(Serialize)]
    struct Runs<'a> {
        schema: &'static str,
        runs: &'a [RunInfo],
    }
    to_json(&Runs {
        schema: RUNS_SCHEMA,
        runs,
    })
}

/// The runs as an aligned table: text columns left, numbers right, two spaces between.
pub fn render_runs_table(runs: &[RunInfo]) -> String {
    const HEADER: [&str; 6] = [
        "Run",
        "When",
        "Users",
        "Enabled",
        "Registered share",
        "Unregistered",
    ];
    let rows: Vec<[String; 6]> = runs
        .iter()
        .map(|r| {
            [
                r.id.to_string(),
                changes::to_the_second(&r.when),
                r.users_total.to_string(),
                r.users_enabled.to_string(),
                format!("{:.2}%", r.registered_share * 100.0),
                r.unregistered_enabled.to_string(),
            ]
        })
        .collect();
    let mut widths = HEADER.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 6]| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                out.push_str("  ");
            }
            let pad = widths[i] - cell.chars().count();
            if i == 1 {
                // `When` is the only text column, and never the last.
                out.push_str(cell);
                out.push_str(&" ".repeat(pad));
            } else {
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            }
        }
        out.push('\n');
        out
    };
    let mut out = line(HEADER);
    for row in &rows {
        out.push_str(&line(row.each_ref().map(String::as_str)));
    }
    out
}

/// The human form of `mfaudit diff`: a heading naming both runs, then the lists (see
/// [`changes::render_backwards`] for a later run compared with an earlier one).
pub fn render_diff(from: &RunInfo, to: &RunInfo, c: &Changes) -> String {
    let heading = format!(
        "Changes from run {} ({}) to run {} ({})",
        from.id,
        changes::to_the_second(&from.when),
        to.id,
        changes::to_the_second(&to.when)
    );
    let body = if c.backwards {
        changes::render_backwards(c, from.id, to.id)
    } else {
        changes::render_changes(c)
    };
    format!("{heading}\n\n{body}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::audit::{FlagChange, StateChange};

    fn run(id: i64, when: &str, users: u64, enabled: u64, registered: u64) -> RunInfo {
        RunInfo {
            id,
            when: when.to_string(),
            users_total: users,
            users_enabled: enabled,
            registered_enabled: registered,
            unregistered_enabled: enabled - registered,
            registered_share: (registered as f64 / enabled as f64 * 10_000.0).round() / 10_000.0,
            mfaudit_version: Some("0.1.0".into()),
            inputs: vec![RunInput {
                path: "users.json".into(),
                kind: "msonline-json".into(),
                records: users,
                fingerprint: Some("fnv1a64w:0000000000000001:10".into()),
            }],
        }
    }

    #[test]
    fn runs_table_aligns_columns() {
        let runs = [
            run(1, "2026-01-05T08:00:00Z", 4, 3, 2),
            run(12, "2026-01-12T08:00:00Z", 1250, 1200, 1199),
        ];
        assert_eq!(
            render_runs_table(&runs),
            "Run  When                  Users  Enabled  Registered share  Unregistered\n\
             \x20 1  2026-01-05T08:00:00Z      4        3            66.67%             1\n\
             \x2012  2026-01-12T08:00:00Z   1250     1200            99.92%             1\n"
        );
    }

    #[test]
    fn an_empty_history_is_a_header() {
        assert_eq!(
            render_runs_table(&[]),
            "Run  When  Users  Enabled  Registered share  Unregistered\n"
        );
    }

    #[test]
    fn runs_json_names_its_schema() {
        let json = runs_json(&[run(1, "2026-01-05T08:00:00Z", 4, 3, 2)]).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["schema"], "mfaudit.history/1");
        assert_eq!(v["runs"][0]["id"], 1);
        assert_eq!(v["runs"][0]["registered_share"], 0.6667);
        assert_eq!(
            v["runs"][0]["inputs"][0]["fingerprint"],
            "fnv1a64w:0000000000000001:10"
        );
    }

    #[test]
    fn diff_text_has_every_section_with_its_count() {
        let changes = Changes {
            previous_run: "2026-01-05T08:00:00Z".into(),
            newly_registered: vec!["a@x.test".into(), "b@x.test".into()],
            state_changed: vec![StateChange {
                upn: "c@x.test".into(),
                from: "Disabled".into(),
                to: "Enforced".into(),
            }],
            flags_cleared: vec![FlagChange {
                upn: "a@x.test".into(),
                flag: "enabled-unregistered".into(),
            }],
            newly_excluded: vec!["b@x.test".into()],
            newly_protected: vec!["c@x.test".into()],
            ..Changes::default()
        };
        let text = render_diff(
            &run(1, "2026-01-05T08:00:00Z", 4, 3, 1),
            &run(3, "2026-01-19T08:00:00Z", 4, 3, 3),
            &changes,
        );
        assert_eq!(
            text,
            "Changes from run 1 (2026-01-05T08:00:00Z) to run 3 (2026-01-19T08:00:00Z)\n\
             \n\
             Newly registered: 2\n  a@x.test\n  b@x.test\n\
             Newly unregistered: 0\n\
             Per-user state changed: 1\n  c@x.test: Disabled -> Enforced\n\
             Users added: 0\n\
             Users removed: 0\n\
             Users renamed: 0\n\
             Accounts disabled: 0\n\
             Accounts re-enabled: 0\n\
             Newly excluded from an MFA policy: 1\n  b@x.test\n\
             Newly required to use MFA by no source: 0\n\
             Newly protected (registered and always required): 1\n  c@x.test\n\
             Exceptions added: 0\n\
             Exceptions expired: 0\n\
             Exceptions removed: 0\n\
             Flags raised: 0\n\
             Flags cleared: 1\n  a@x.test: enabled-unregistered\n"
        );
    }

    /// From a later run back to an earlier one, the lists say what each run had: nothing there
    /// is "newly" registered.
    #[test]
    fn a_backwards_diff_says_what_each_run_had() {
        let changes = Changes {
            previous_run: "2026-01-19T08:00:00.123456Z".into(),
            newly_registered: vec!["a@x.test".into()],
            backwards: true,
            ..Changes::default()
        };
        let text = render_diff(
            &run(3, "2026-01-19T08:00:00.123456Z", 4, 3, 1),
            &run(1, "2026-01-05T08:00:00.5Z", 4, 3, 3),
            &changes,
        );
        assert!(!text.contains("Newly"), "{text}");
        assert!(
            text.starts_with(
                "Changes from run 3 (2026-01-19T08:00:00Z) to run 1 (2026-01-05T08:00:00Z)\n\nRegistered at run 1, not at run 3: 1\n  a@x.test\n"
            ),
            "{text}"
        );
        assert_eq!(
            render_runs_table(&[run(1, "2026-01-05T08:00:00.5Z", 4, 3, 3)])
                .lines()
                .nth(1)
                .map(|l| l.contains("2026-01-05T08:00:00Z ")),
            Some(true)
        );
    }
}
