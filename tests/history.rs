//! Run history on real SQLite files in temporary folders: evolving runs and the exact changes each
//! reports, a rerun that reports nothing, migration of an old-schema file, refusal of files that are
//! not (sound) history databases without touching a byte, and two writers at once.

use std::path::Path;
use std::time::{Duration, Instant};

use mfaudit::commands::history as cmd;
use mfaudit::history::{self, History};
use mfaudit::report::audit::{
    AuditReport, AuditUser, Changes, FlagChange, InputSummary, SCHEMA, StateChange, Summary,
    TrendPoint,
};

use crate::support;

const T1: &str = "2026-01-05T08:00:00Z";
const T2: &str = "2026-01-12T08:00:00Z";
const T3: &str = "2026-01-19T08:00:00Z";
const T4: &str = "2026-01-26T08:00:00Z";

fn user(
    upn: &str,
    enabled: Option<bool>,
    registered: Option<bool>,
    state: &str,
    flags: &[&str],
) -> AuditUser {
    AuditUser {
        upn: upn.to_string(),
        enabled,
        registered,
        per_user_state: state.to_string().into(),
        methods: if registered == Some(true) {
            vec!["PhoneAppNotification".into(), "PhoneAppOTP".into()]
        } else {
            Vec::new()
        },
        flags: flags.iter().map(|f| f.to_string().into()).collect(),
        ..AuditUser::default()
    }
}

/// A report whose summary is counted from its users the way the audit counts them.
fn report(at: &str, users: Vec<AuditUser>) -> AuditReport {
    let enabled = users.iter().filter(|u| u.enabled != Some(false));
    let summary = Summary {
        users_total: users.len() as u64,
        users_enabled: enabled.clone().count() as u64,
        registered_enabled: enabled
            .clone()
            .filter(|u| u.registered == Some(true))
            .count() as u64,
        unregistered_enabled: enabled.filter(|u| u.registered == Some(false)).count() as u64,
        ..Summary::default()
    };
    AuditReport {
        schema: SCHEMA.to_string(),
        generated_at: at.to_string(),
        inputs: vec![InputSummary {
            path: "-".to_string(),
            kind: "msonline-json".to_string(),
            records: users.len() as u64,
            ..InputSummary::default()
        }],
        summary,
        questions: Vec::new(),
        mfa_completed_by: Vec::new(),
        mfa_denied_because: Vec::new(),
        users,
        changes: None,
        warnings: Vec::new(),
        unmatched_signins: Default::default(),
        methods_by_strength: Vec::new(),
        trend: Vec::new(),
        without_mfa: Default::default(),
        policies: Vec::new(),
        exceptions: Vec::new(),
    }
}

const EU: &str = "enabled-unregistered";
const ADMIN: &str = "admin-without-mfa";
const NEVER: &str = "registered-never-challenged";

fn run1() -> AuditReport {
    report(
        T1,
        vec![
            user(
                "alice@contoso.test",
                Some(true),
                Some(true),
                "Enforced",
                &[],
            ),
            user(
                "bob@contoso.test",
                Some(true),
                Some(false),
                "Disabled",
                &[EU],
            ),
            user(
                "carol@contoso.test",
                Some(true),
                Some(false),
                "Disabled",
                &[EU, ADMIN],
            ),
            user(
                "dave@contoso.test",
                Some(false),
                Some(false),
                "Disabled",
                &[],
            ),
        ],
    )
}

/// Bob registers, Dave leaves, Erin arrives unregistered.
fn run2() -> AuditReport {
    report(
        T2,
        vec![
            user(
                "alice@contoso.test",
                Some(true),
                Some(true),
                "Enforced",
                &[],
            ),
            user("bob@contoso.test", Some(true), Some(true), "Enabled", &[]),
            user(
                "carol@contoso.test",
                Some(true),
                Some(false),
                "Disabled",
                &[EU, ADMIN],
            ),
            user(
                "erin@contoso.test",
                Some(true),
                Some(false),
                "Disabled",
                &[EU],
            ),
        ],
    )
}

/// Alice's UPN changes case and she gains a flag, Carol registers, Erin is blocked, Dave comes
/// back with his sign-in state unknown (counted as enabled).
fn run3() -> AuditReport {
    report(
        T3,
        vec![
            user(
                "Alice@Contoso.test",
                Some(true),
                Some(true),
                "Enforced",
                &[NEVER],
            ),
            user("bob@contoso.test", Some(true), Some(true), "Enabled", &[]),
            user(
                "carol@contoso.test",
                Some(true),
                Some(true),
                "Enforced",
                &[],
            ),
            user("dave@contoso.test", None, Some(false), "Disabled", &[EU]),
            user(
                "erin@contoso.test",
                Some(false),
                Some(false),
                "Disabled",
                &[],
            ),
        ],
    )
}

fn flag(upn: &str, flag: &str) -> FlagChange {
    FlagChange {
        upn: upn.to_string(),
        flag: flag.to_string(),
    }
}

fn state(upn: &str, from: &str, to: &str) -> StateChange {
    StateChange {
        upn: upn.to_string(),
        from: from.to_string(),
        to: to.to_string(),
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn point(run: &str, share: f64, unregistered: u64) -> TrendPoint {
    TrendPoint {
        run: run.to_string(),
        registered_share: share,
        unregistered_enabled: unregistered,
    }
}

fn changes_1_to_2() -> Changes {
    Changes {
        previous_run: T1.to_string(),
        newly_registered: strings(&["bob@contoso.test"]),
        newly_unregistered: strings(&["erin@contoso.test"]),
        state_changed: vec![state("bob@contoso.test", "Disabled", "Enabled")],
        users_added: strings(&["erin@contoso.test"]),
        users_removed: strings(&["dave@contoso.test"]),
        flags_raised: vec![flag("erin@contoso.test", EU)],
        flags_cleared: vec![flag("bob@contoso.test", EU)],
        ..Changes::default()
    }
}

fn changes_2_to_3() -> Changes {
    Changes {
        previous_run: T2.to_string(),
        newly_registered: strings(&["carol@contoso.test"]),
        newly_unregistered: strings(&["dave@contoso.test"]),
        state_changed: vec![state("carol@contoso.test", "Disabled", "Enforced")],
        users_added: strings(&["dave@contoso.test"]),
        users_removed: Vec::new(),
        flags_raised: vec![
            flag("Alice@Contoso.test", NEVER),
            flag("dave@contoso.test", EU),
        ],
        flags_cleared: vec![
            flag("carol@contoso.test", ADMIN),
            flag("carol@contoso.test", EU),
            flag("erin@contoso.test", EU),
        ],
        users_disabled: strings(&["erin@contoso.test"]),
        ..Changes::default()
    }
}

#[test]
fn three_evolving_runs_report_exact_changes_and_a_rerun_reports_none() {
    let dir = support::tempdir();
    let db = dir.path().join("history.db");

    let mut h = History::open(&db).unwrap();
    let first = h.record(&run1()).unwrap();
    assert_eq!(first.run_id, 1);
    assert_eq!(first.changes, None);
    assert_eq!(first.trend, [point(T1, 0.3333, 2)]);

    let second = h.record(&run2()).unwrap();
    assert_eq!(second.run_id, 2);
    assert_eq!(second.changes, Some(changes_1_to_2()));
    assert_eq!(second.trend, [point(T1, 0.3333, 2), point(T2, 0.5, 2)]);
    drop(h);

    // A new process: the history survives closing.
    let mut h = History::open(&db).unwrap();
    let third = h.record(&run3()).unwrap();
    assert_eq!(third.run_id, 3);
    assert_eq!(third.changes, Some(changes_2_to_3()));

    let mut again = run3();
    again.generated_at = T4.to_string();
    let fourth = h.record(&again).unwrap();
    assert_eq!(fourth.run_id, 4);
    let none = fourth.changes.unwrap();
    assert!(history::is_empty(&none), "{none:?}");
    assert_eq!(none.previous_run, T3);
    assert_eq!(
        fourth.trend,
        [
            point(T1, 0.3333, 2),
            point(T2, 0.5, 2),
            point(T3, 0.75, 1),
            point(T4, 0.75, 1)
        ]
    );

    // Any two runs, either way round.
    assert_eq!(h.diff(1, 2).unwrap(), changes_1_to_2());
    assert_eq!(
        h.diff(3, 4).unwrap(),
        Changes {
            previous_run: T3.to_string(),
            ..Changes::default()
        }
    );
    assert_eq!(
        h.diff(1, 3).unwrap(),
        Changes {
            previous_run: T1.to_string(),
            newly_registered: strings(&["bob@contoso.test", "carol@contoso.test"]),
            // Dave was blocked at run 1 (not in the list), and is counted as enabled now.
            newly_unregistered: strings(&["dave@contoso.test"]),
            state_changed: vec![
                state("bob@contoso.test", "Disabled", "Enabled"),
                state("carol@contoso.test", "Disabled", "Enforced"),
            ],
            users_added: strings(&["erin@contoso.test"]),
            users_removed: Vec::new(),
            flags_raised: vec![
                flag("Alice@Contoso.test", NEVER),
                flag("dave@contoso.test", EU)
            ],
            flags_cleared: vec![
                flag("bob@contoso.test", EU),
                flag("carol@contoso.test", ADMIN),
                flag("carol@contoso.test", EU),
            ],
            ..Changes::default()
        }
    );
    let back = h.diff(2, 1).unwrap();
    assert_eq!(back.previous_run, T2);
    assert_eq!(back.users_added, ["dave@contoso.test"]);
    assert_eq!(back.users_removed, ["erin@contoso.test"]);
    assert_eq!(back.newly_unregistered, ["bob@contoso.test"]);

    // What each run holds.
    let runs = h.runs().unwrap();
    let summary: Vec<(i64, &str, u64, u64, u64, u64, f64)> = runs
        .iter()
        .map(|r| {
            (
                r.id,
                r.when.as_str(),
                r.users_total,
                r.users_enabled,
                r.registered_enabled,
                r.unregistered_enabled,
                r.registered_share,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (1, T1, 4, 3, 1, 2, 0.3333),
            (2, T2, 4, 4, 2, 2, 0.5),
            (3, T3, 5, 4, 3, 1, 0.75),
            (4, T4, 5, 4, 3, 1, 0.75),
        ]
    );
    assert!(
        runs.iter()
            .all(|r| r.mfaudit_version.as_deref() == Some(env!("CARGO_PKG_VERSION")))
    );
    let alice = &h.statuses(3).unwrap()[0];
    assert_eq!(alice.key, "alice@contoso.test");
    assert_eq!(alice.upn, "Alice@Contoso.test");
    assert_eq!(alice.methods, ["PhoneAppNotification", "PhoneAppOTP"]);
    assert_eq!(alice.flags, [NEVER]);
    assert_eq!(alice.enabled, Some(true));
    let dave = h
        .statuses(3)
        .unwrap()
        .into_iter()
        .find(|s| s.key == "dave@contoso.test")
        .unwrap();
    assert_eq!(dave.enabled, None);
}

#[test]
fn an_unknown_run_is_a_usage_error_listing_the_recorded_ones() {
    let dir = support::tempdir();
    let db = dir.path().join("h.db");
    let mut h = History::open(&db).unwrap();
    let e = h.diff(1, 2).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert_eq!(
        e.to_string(),
        format!("{}: there is no run 1; it holds no runs yet", db.display())
    );
    for r in [run1(), run2(), run3()] {
        h.record(&r).unwrap();
    }
    let e = h.diff(2, 9).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert_eq!(
        e.to_string(),
        format!(
            "{}: there is no run 9; the recorded runs are 1-3",
            db.display()
        )
    );
    let e = cmd::diff(&db, 0, 3, mfaudit::cli::InspectFormat::Json).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}: there is no run 0; the recorded runs are 1-3",
            db.display()
        )
    );
}

#[test]
fn list_and_diff_never_create_a_database() {
    let dir = support::tempdir();
    let db = dir.path().join("missing.db");
    let e = cmd::list(&db, mfaudit::cli::InspectFormat::Table).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert_eq!(
        e.to_string(),
        format!(
            "{0}: no such history database; `mfaudit audit --history {0}` creates it",
            db.display()
        )
    );
    assert!(!db.exists());
}

#[test]
fn inputs_are_recorded_with_their_fingerprint() {
    let dir = support::tempdir();
    let export = support::write(
        dir.path(),
        "users.json",
        r#"[{"UserPrincipalName":"a@x.test"}]"#,
    );
    let mut r = run1();
    r.inputs = vec![
        InputSummary {
            path: export.display().to_string(),
            kind: "msonline-json".into(),
            records: 1,
            ..InputSummary::default()
        },
        InputSummary {
            path: "signins.csv".into(),
            kind: "signins-csv".into(),
            records: 7,
            fingerprint: Some("fnv1a64w:00000000000000ff:9".into()),
            ..InputSummary::default()
        },
        InputSummary {
            path: "-".into(),
            kind: "graph-users".into(),
            records: 3,
            ..InputSummary::default()
        },
    ];
    let mut h = History::open(&dir.path().join("h.db")).unwrap();
    h.record(&r).unwrap();
    let inputs = &h.runs().unwrap()[0].inputs;
    let got: Vec<(&str, &str, u64, Option<&str>)> = inputs
        .iter()
        .map(|i| {
            (
                i.path.as_str(),
                i.kind.as_str(),
                i.records,
                i.fingerprint.as_deref(),
            )
        })
        .collect();
    let expected_fp = history::fingerprint(&export).unwrap();
    assert_eq!(
        expected_fp,
        format!(
            "fnv1a64w:{:016x}:34",
            fnv(br#"[{"UserPrincipalName":"a@x.test"}]"#)
        )
    );
    assert_eq!(
        got,
        [
            (
                export.to_str().unwrap(),
                "msonline-json",
                1,
                Some(expected_fp.as_str())
            ),
            (
                "signins.csv",
                "signins-csv",
                7,
                Some("fnv1a64w:00000000000000ff:9")
            ),
            ("-", "graph-users", 3, None),
        ]
    );
}

/// The fingerprint's hash (FNV-1a over little-endian 64-bit words, then the tail bytes), written
/// out independently of the module.
fn fnv(bytes: &[u8]) -> u64 {
    let mut words = bytes.chunks_exact(8);
    let step = |h: u64, x: u64| (h ^ x).wrapping_mul(0x100000001b3);
    let h = (&mut words).fold(0xcbf29ce484222325, |h, w| {
        step(h, u64::from_le_bytes(w.try_into().unwrap()))
    });
    words.remainder().iter().fold(h, |h, &b| step(h, b as u64))
}

/// The schema-1 layout exactly as the first mfaudit with history wrote it, in rollback-journal
/// mode, with one run of two users.
fn write_schema_1_database(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        r#"
        PRAGMA application_id = 1835426165;
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            run_at TEXT NOT NULL,
            users_total INTEGER NOT NULL,
            users_enabled INTEGER NOT NULL,
            registered_enabled INTEGER NOT NULL,
            unregistered_enabled INTEGER NOT NULL,
            summary TEXT NOT NULL
        );
        CREATE TABLE run_inputs (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            path TEXT NOT NULL,
            kind TEXT NOT NULL,
            records INTEGER NOT NULL,
            fingerprint TEXT,
            PRIMARY KEY (run_id, position)
        ) WITHOUT ROWID;
        CREATE TABLE user_status (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            upn_key TEXT NOT NULL,
            upn TEXT NOT NULL,
            enabled INTEGER,
            registered INTEGER,
            per_user_state TEXT NOT NULL,
            methods TEXT NOT NULL,
            flags TEXT NOT NULL,
            PRIMARY KEY (run_id, upn_key)
        ) WITHOUT ROWID;
        INSERT INTO runs VALUES (1, '2025-12-29T08:00:00Z', 2, 2, 1, 1, '{"users_total":2}');
        INSERT INTO run_inputs VALUES (1, 0, 'old.json', 'msonline-json', 2, 'fnv1a64w:0000000000000001:2');
        INSERT INTO user_status VALUES
            (1, 'alice@contoso.test', 'alice@contoso.test', 1, 1, 'Enforced', '["PhoneAppOTP"]', '[]'),
            (1, 'bob@contoso.test', 'bob@contoso.test', 1, 0, 'Disabled', '[]', '["enabled-unregistered"]');
        PRAGMA user_version = 1;
        "#,
    )
    .unwrap();
}

#[test]
fn a_schema_1_database_is_migrated_and_keeps_its_runs() {
    let dir = support::tempdir();
    let db = dir.path().join("old.db");
    write_schema_1_database(&db);

    let mut h = History::open(&db).unwrap();
    assert_eq!(h.schema_version().unwrap(), history::schema_version());
    assert_eq!(history::schema_version(), 5);
    let runs = h.runs().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].when, "2025-12-29T08:00:00Z");
    assert_eq!(runs[0].mfaudit_version, None);
    assert_eq!(
        runs[0].inputs[0].fingerprint.as_deref(),
        Some("fnv1a64w:0000000000000001:2")
    );

    let recorded = h.record(&run1()).unwrap();
    assert_eq!(recorded.run_id, 2);
    assert_eq!(
        recorded.changes,
        Some(Changes {
            previous_run: "2025-12-29T08:00:00Z".into(),
            newly_registered: Vec::new(),
            newly_unregistered: strings(&["carol@contoso.test"]),
            state_changed: Vec::new(),
            users_added: strings(&["carol@contoso.test", "dave@contoso.test"]),
            users_removed: Vec::new(),
            flags_raised: vec![
                flag("carol@contoso.test", ADMIN),
                flag("carol@contoso.test", EU)
            ],
            flags_cleared: Vec::new(),
            ..Changes::default()
        })
    );
    drop(h);

    // The migrated file is in WAL mode and has migration 2's column.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let versions: Vec<Option<String>> = conn
        .prepare("SELECT mfaudit_version FROM runs ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        versions,
        [None, Some(env!("CARGO_PKG_VERSION").to_string())]
    );
}

#[test]
fn an_empty_file_and_an_empty_sqlite_file_become_history_databases() {
    let dir = support::tempdir();
    let empty = support::write(dir.path(), "empty.db", b"");
    let blank = dir.path().join("blank.db");
    {
        let conn = rusqlite::Connection::open(&blank).unwrap();
        conn.execute_batch("CREATE TABLE t (x); DROP TABLE t;")
            .unwrap();
    }
    for path in [&empty, &blank] {
        let mut h = History::open(path).unwrap();
        assert_eq!(h.schema_version().unwrap(), 5);
        assert_eq!(h.record(&run1()).unwrap().run_id, 1);
    }
}

/// Opening and recording must fail with exit 2 and `message`, leaving the file's bytes (and the
/// folder) exactly as they were.
fn assert_refused_untouched(db: &Path, message: &str) {
    let before = std::fs::read(db).unwrap();
    let folder_before = folder_listing(db);
    let result = History::open(db).and_then(|mut h| h.record(&run1()).map(|_| ()));
    let e = result.unwrap_err();
    assert_eq!(e.exit_code(), 2, "{e}");
    assert_eq!(e.to_string(), format!("{}: {message}", db.display()));
    assert_eq!(std::fs::read(db).unwrap(), before, "the file was modified");
    assert_eq!(folder_listing(db), folder_before);
}

fn folder_listing(db: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(db.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

const REFUSED: &str = "not an mfaudit history database (or it is damaged)";
const UNTOUCHED: &str = "it was left untouched: move it aside or give another --history file";

#[test]
fn a_file_that_is_not_sqlite_is_refused_and_left_untouched() {
    let dir = support::tempdir();
    let db = support::write(
        dir.path(),
        "history.db",
        "UserPrincipalName,MFA Status\r\na@x.test,Enforced\r\n",
    );
    assert_refused_untouched(
        &db,
        &format!("{REFUSED}: it does not start with the SQLite header; {UNTOUCHED}"),
    );
    let tiny = support::write(dir.path(), "tiny.db", b"SQLite");
    assert_refused_untouched(
        &tiny,
        &format!("{REFUSED}: it does not start with the SQLite header; {UNTOUCHED}"),
    );
}

#[test]
fn another_programs_sqlite_database_is_refused_and_left_untouched() {
    let dir = support::tempdir();
    let db = dir.path().join("notes.db");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me');")
            .unwrap();
    }
    assert_refused_untouched(
        &db,
        &format!("{REFUSED}: it is an SQLite database with other tables (notes); {UNTOUCHED}"),
    );
    let tagged = dir.path().join("tagged.db");
    {
        let conn = rusqlite::Connection::open(&tagged).unwrap();
        conn.execute_batch("PRAGMA application_id = 42; CREATE TABLE runs (x);")
            .unwrap();
    }
    assert_refused_untouched(
        &tagged,
        &format!(
            "{REFUSED}: it is another program's SQLite database (application id 0x2a); {UNTOUCHED}"
        ),
    );
}

#[test]
fn a_database_from_a_newer_mfaudit_is_refused_and_left_untouched() {
    let dir = support::tempdir();
    let db = dir.path().join("h.db");
    History::open(&db).unwrap().record(&run1()).unwrap();
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.pragma_update(None, "user_version", 7).unwrap();
    }
    assert_refused_untouched(
        &db,
        "written by a newer mfaudit (history schema 7; this mfaudit knows up to 5); it was left \
         untouched: upgrade mfaudit or give another --history file",
    );
}

/// A history database of several pages, closed (so everything is in the main file).
fn written_database(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("h.db");
    let mut h = History::open(&db).unwrap();
    for (i, at) in [T1, T2, T3].iter().enumerate() {
        let users = (0..400)
            .map(|n| {
                user(
                    &format!("user{n:04}@contoso.test"),
                    Some(true),
                    Some((n + i) % 3 == 0),
                    "Disabled",
                    &[EU],
                )
            })
            .collect();
        h.record(&report(at, users)).unwrap();
    }
    drop(h);
    assert!(
        !dir.join("h.db-wal").exists(),
        "closing checkpoints the WAL"
    );
    db
}

#[test]
fn a_damaged_database_is_refused_and_left_untouched() {
    let dir = support::tempdir();
    let db = written_database(dir.path());
    let mut bytes = std::fs::read(&db).unwrap();
    let page = 4096;
    assert!(bytes.len() >= 8 * page, "{} bytes", bytes.len());
    // Scribble over the b-tree header of a page in the middle.
    for b in &mut bytes[4 * page..4 * page + 64] {
        *b = 0xA5;
    }
    std::fs::write(&db, &bytes).unwrap();
    let before = std::fs::read(&db).unwrap();
    let e = History::open(&db)
        .and_then(|mut h| h.record(&run1()).map(|_| ()))
        .unwrap_err();
    assert_eq!(e.exit_code(), 2, "{e}");
    let text = e.to_string();
    assert!(!text.contains('\n'), "one line: {text}");
    assert!(
        text.starts_with(&format!(
            "{}: {REFUSED}: SQLite's quick_check says \"Tree ",
            db.display()
        )),
        "{text}"
    );
    assert!(text.ends_with(UNTOUCHED), "{text}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn a_truncated_database_is_refused_and_left_untouched() {
    let dir = support::tempdir();
    let db = written_database(dir.path());
    let bytes = std::fs::read(&db).unwrap();
    std::fs::write(&db, &bytes[..bytes.len() / 2]).unwrap();
    let before = std::fs::read(&db).unwrap();
    let e = History::open(&db)
        .and_then(|mut h| h.record(&run1()).map(|_| ()))
        .unwrap_err();
    assert_eq!(e.exit_code(), 2, "{e}");
    assert!(e.to_string().contains(REFUSED), "{e}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn a_second_writer_waits_for_the_busy_timeout_then_fails_clearly() {
    let dir = support::tempdir();
    let db = dir.path().join("h.db");
    History::open(&db).unwrap().record(&run1()).unwrap();

    // Another run holds the write lock.
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();

    let mut h = History::open_with_busy_timeout(&db, Duration::from_millis(300)).unwrap();
    // Readers are not blocked by a writer (WAL).
    assert_eq!(h.runs().unwrap().len(), 1);
    let started = Instant::now();
    let e = h.record(&run2()).unwrap_err();
    let waited = started.elapsed();
    assert_eq!(e.exit_code(), 1);
    assert_eq!(
        e.to_string(),
        format!(
            "{}: the history database is busy: another mfaudit run is writing it (waited 300 ms); \
             try again when it has finished",
            db.display()
        )
    );
    assert!(
        waited >= Duration::from_millis(250),
        "gave up after {waited:?}"
    );
    assert!(waited < Duration::from_secs(5), "waited {waited:?}");

    holder.execute_batch("COMMIT").unwrap();
    // Nothing of the failed run was written; the next run succeeds.
    assert_eq!(h.runs().unwrap().len(), 1);
    assert_eq!(h.record(&run2()).unwrap().changes, Some(changes_1_to_2()));
}

#[test]
fn a_second_writer_that_gets_the_lock_in_time_records_after_the_first() {
    let dir = support::tempdir();
    let db = dir.path().join("h.db");
    History::open(&db).unwrap().record(&run1()).unwrap();

    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let path = db.clone();
    let waiter = std::thread::spawn(move || {
        let mut h = History::open_with_busy_timeout(&path, Duration::from_secs(10)).unwrap();
        let started = Instant::now();
        let recorded = h.record(&run2());
        (recorded, started.elapsed())
    });
    std::thread::sleep(Duration::from_millis(400));
    holder.execute_batch("COMMIT").unwrap();
    let (recorded, waited) = waiter.join().unwrap();
    let recorded = recorded.unwrap();
    assert_eq!(recorded.run_id, 2);
    assert_eq!(recorded.changes, Some(changes_1_to_2()));
    assert!(
        waited >= Duration::from_millis(200),
        "did not wait: {waited:?}"
    );
}

#[test]
fn concurrent_runs_are_serialized_and_each_compares_with_the_one_before() {
    let dir = support::tempdir();
    let db = dir.path().join("h.db");
    History::open(&db).unwrap();
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let path = db.clone();
            std::thread::spawn(move || {
                let mut h = History::open(&path).unwrap();
                let mut r = if i % 2 == 0 { run1() } else { run2() };
                r.generated_at = format!("2026-02-0{}T08:00:00Z", i + 1);
                let recorded = h.record(&r).unwrap();
                (recorded.run_id, r, recorded.changes)
            })
        })
        .collect();
    let mut results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    results.sort_by_key(|(id, _, _)| *id);
    assert_eq!(
        results.iter().map(|(id, _, _)| *id).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    assert_eq!(results[0].2, None);
    // Each run's changes are those from the run just before it, whichever thread wrote that.
    for pair in results.windows(2) {
        let (_, prev, _) = &pair[0];
        let (_, now, changes) = &pair[1];
        let statuses = |r: &AuditReport| {
            r.users
                .iter()
                .map(history::UserStatus::from_user)
                .collect::<Vec<_>>()
        };
        let expected =
            history::compute_changes(&statuses(prev), &statuses(now), &prev.generated_at);
        assert_eq!(changes.as_ref(), Some(&expected));
    }
    let conn = rusqlite::Connection::open(&db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

/// One Graph sign-in: interactive, successful; `mfa` says whether MFA was required and performed.
fn graph_signin(id: u32, upn: &str, day: u32, client: &str, mfa: bool) -> String {
    let (requirement, details) = if mfa {
        (
            "multiFactorAuthentication",
            r#","additionalDetails":"MFA successfully completed""#,
        )
    } else {
        ("singleFactorAuthentication", "")
    };
    format!(
        r#"{{"id":"00000000-0000-4000-8000-{id:012}","createdDateTime":"2026-01-{day:02}T09:00:00Z","userPrincipalName":"{upn}","appDisplayName":"Office 365 Exchange Online","clientAppUsed":"{client}","isInteractive":true,"status":{{"errorCode":0{details}}},"authenticationRequirement":"{requirement}","conditionalAccessStatus":"notApplied"}}"#
    )
}

/// The flags the sign-in logs raise, `signed-in-without-mfa` and `legacy-auth-sign-in`, are
/// recorded with each run and their changes reported like every other flag's: in the audit's
/// `changes`, and by `mfaudit diff`.
#[test]
fn the_sign_in_flags_changes_are_reported() {
    let dir = support::tempdir();
    let db = dir.path().join("history.db");
    let users = support::write(
        dir.path(),
        "users.csv",
        "userPrincipalName,displayName,accountEnabled\r\nada@contoso.test,Ada,True\r\nbo@contoso.test,Bo,True\r\ncy@contoso.test,Cy,True\r\n",
    );
    let page = |records: &[String]| {
        format!(
            r#"{{"@odata.context":"https://graph.microsoft.com/beta/$metadata#auditLogs/signIns","value":[{}]}}"#,
            records.join(",")
        )
    };
    // Week 1: Ada got in without MFA in a browser; Bo over IMAP (legacy, so no MFA either).
    let week1 = support::write(
        dir.path(),
        "week1/signins.json",
        page(&[
            graph_signin(1, "ada@contoso.test", 5, "Browser", false),
            graph_signin(2, "bo@contoso.test", 5, "IMAP4", false),
            graph_signin(3, "cy@contoso.test", 5, "Browser", true),
        ]),
    );
    // Week 2: Ada performs MFA; Bo still uses IMAP; Cy gets in without it.
    let week2 = support::write(
        dir.path(),
        "week2/signins.json",
        page(&[
            graph_signin(4, "ada@contoso.test", 12, "Browser", true),
            graph_signin(5, "bo@contoso.test", 12, "IMAP4", false),
            graph_signin(
                6,
                "cy@contoso.test",
                12,
                "Mobile Apps and Desktop clients",
                false,
            ),
        ]),
    );
    let run = |signins: &Path, epoch: &str| {
        let ran = support::Test::new()
            .env("SOURCE_DATE_EPOCH", epoch)
            .args(["audit", "--json", "-", "--history"])
            .arg(&db)
            .arg(&users)
            .arg(signins)
            .run();
        ran.ok();
        serde_json::from_str::<serde_json::Value>(&ran.stdout).expect("the audit JSON")
    };
    let first = run(&week1, "1767600000");
    let flags = |r: &serde_json::Value, upn: &str| {
        r["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["upn"] == upn)
            .map(|u| u["flags"].clone())
            .unwrap()
    };
    assert_eq!(
        flags(&first, "ada@contoso.test"),
        serde_json::json!(["signed-in-without-mfa"])
    );
    assert_eq!(
        flags(&first, "bo@contoso.test"),
        serde_json::json!(["signed-in-without-mfa", "legacy-auth-sign-in"])
    );
    assert_eq!(flags(&first, "cy@contoso.test"), serde_json::json!([]));
    let second = run(&week2, "1768204800");
    let c = &second["changes"];
    assert_eq!(
        c["flags_raised"],
        serde_json::json!([{"upn": "cy@contoso.test", "flag": "signed-in-without-mfa"}])
    );
    assert_eq!(
        c["flags_cleared"],
        serde_json::json!([{"upn": "ada@contoso.test", "flag": "signed-in-without-mfa"}])
    );
    let diff = support::Test::new()
        .args(["diff", "--db"])
        .arg(&db)
        .args(["1", "2"])
        .run();
    diff.ok().utf8();
    assert!(
        diff.stdout.ends_with(
            "Flags raised: 1\n  cy@contoso.test: signed-in-without-mfa\nFlags cleared: 1\n  ada@contoso.test: signed-in-without-mfa\n"
        ),
        "{}",
        diff.stdout
    );
}

/// The configured side's changes between two runs: a user the exclusion group took in is newly
/// excluded and newly required by no source; a user who registered is newly protected.
#[test]
fn newly_excluded_not_required_and_protected_users_are_reported() {
    let dir = support::tempdir();
    let db = dir.path().join("history.db");
    let id = |n: u32| format!("c0470000-0000-4000-8000-{n:012}");
    let users = format!(
        "userPrincipalName,displayName,id,userType,accountEnabled\r\nada@contoso.test,Ada,{},Member,True\r\nbo@contoso.test,Bo,{},Member,True\r\ncy@contoso.test,Cy,{},Member,True\r\n",
        id(1),
        id(2),
        id(3)
    );
    let states = format!(
        "userPrincipalName,id,perUserMfaState\r\nada@contoso.test,{},disabled\r\nbo@contoso.test,{},disabled\r\ncy@contoso.test,{},disabled\r\n",
        id(1),
        id(2),
        id(3)
    );
    let registration = |bo: bool| {
        let user = |n: u32, upn: &str, registered: bool| {
            format!(
                r#"{{"id":"{}","userPrincipalName":"{upn}","isAdmin":false,"isMfaRegistered":{registered},"isMfaCapable":{registered},"methodsRegistered":{}}}"#,
                id(n),
                if registered {
                    r#"["microsoftAuthenticatorPush"]"#
                } else {
                    "[]"
                }
            )
        };
        format!(
            r#"{{"@odata.context":"https://graph.microsoft.com/beta/$metadata#reports/authenticationMethods/userRegistrationDetails","value":[{},{},{}]}}"#,
            user(1, "ada@contoso.test", true),
            user(2, "bo@contoso.test", bo),
            user(3, "cy@contoso.test", true)
        )
    };
    let policies = r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies","value":[{"id":"p1","displayName":"MFA for all","state":"enabled","conditions":{"users":{"includeUsers":["All"],"excludeUsers":[],"includeGroups":[],"excludeGroups":["g1"],"includeRoles":[],"excludeRoles":[]},"applications":{"includeApplications":["All"],"excludeApplications":[]},"clientAppTypes":["all"]},"grantControls":{"operator":"OR","builtInControls":["mfa"]}}]}"#;
    let groups = |members: &str| {
        format!(
            r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#groups","value":[{{"id":"g1","displayName":"Exclusions","members":[{members}]}}]}}"#
        )
    };
    let cy = format!(
        r##"{{"@odata.type":"#microsoft.graph.user","id":"{}","userPrincipalName":"cy@contoso.test"}}"##,
        id(3)
    );
    let run = |week: &str, bo_registered: bool, members: &str, epoch: &str| {
        let d = dir.path().join(week);
        let files = [
            support::write(&d, "users.csv", &users),
            support::write(&d, "per-user.csv", &states),
            support::write(&d, "registration.json", registration(bo_registered)),
            support::write(&d, "policies.json", policies),
            support::write(&d, "groups.json", groups(members)),
        ];
        let ran = support::Test::new()
            .env("SOURCE_DATE_EPOCH", epoch)
            .args(["audit", "--json", "-", "--history"])
            .arg(&db)
            .args(&files)
            .run();
        ran.ok();
        serde_json::from_str::<serde_json::Value>(&ran.stdout).expect("the audit JSON")
    };
    let first = run("week1", false, "", "1767600000");
    assert_eq!(
        first["summary"]["enforcement"]["mfa_required"],
        serde_json::json!({"always": 3, "conditional": 0, "never": 0, "unknown": 0})
    );
    let second = run("week2", true, &cy, "1768204800");
    let c = &second["changes"];
    assert_eq!(c["newly_excluded"], serde_json::json!(["cy@contoso.test"]));
    assert_eq!(
        c["newly_not_required"],
        serde_json::json!(["cy@contoso.test"])
    );
    assert_eq!(c["newly_protected"], serde_json::json!(["bo@contoso.test"]));
    let diff = support::Test::new()
        .args(["diff", "--db"])
        .arg(&db)
        .args(["1", "2"])
        .run();
    diff.ok().utf8();
    assert!(
        diff.stdout.contains(
            "Newly excluded from an MFA policy: 1\n  cy@contoso.test\nNewly required to use MFA by no source: 1\n  cy@contoso.test\nNewly protected (registered and always required): 1\n  bo@contoso.test\n"
        ),
        "{}",
        diff.stdout
    );
}

/// The history records each run's exceptions: a waiver that ran out between two runs is reported
/// as expired, one given since as added, one taken away as removed (in the audit's `changes` and
/// by `mfaudit diff`).
#[test]
fn exceptions_added_expired_and_removed_are_reported() {
    let dir = support::tempdir();
    let db = dir.path().join("history.db");
    let users = support::write(
        dir.path(),
        "users.csv",
        "userPrincipalName,displayName,accountEnabled\r\nada@contoso.test,Ada,True\r\nbo@contoso.test,Bo,True\r\ncy@contoso.test,Cy,True\r\n",
    );
    let week1 = support::write(
        dir.path(),
        "week1.csv",
        "user,class,reason,owner,expires\r\nada@contoso.test,waiver,New phone,Ann,2026-01-10\r\ncy@contoso.test,break-glass,Emergency access,,\r\n",
    );
    let week2 = support::write(
        dir.path(),
        "week2.csv",
        "user,class,reason,owner,expires\r\nada@contoso.test,waiver,New phone,Ann,2026-01-10\r\nbo@contoso.test,service-account,Backups,,\r\n",
    );
    let run = |exceptions: &Path, epoch: &str| {
        let ran = support::Test::new()
            .env("SOURCE_DATE_EPOCH", epoch)
            .args(["audit", "--json", "-", "--history"])
            .arg(&db)
            .arg("--exceptions")
            .arg(exceptions)
            .arg(&users)
            .run();
        ran.ok();
        serde_json::from_str::<serde_json::Value>(&ran.stdout).expect("the audit JSON")
    };
    // 2026-01-05: Ada's waiver ends in 5 days (expiring); 2026-01-12: it has ended.
    let first = run(&week1, "1767600000");
    assert_eq!(first["users"][0]["exception"]["state"], "expiring");
    let second = run(&week2, "1768204800");
    assert_eq!(second["users"][0]["exception"]["state"], "expired");
    let c = &second["changes"];
    assert_eq!(
        c["exceptions_added"],
        serde_json::json!(["bo@contoso.test"])
    );
    assert_eq!(
        c["exceptions_expired"],
        serde_json::json!(["ada@contoso.test"])
    );
    assert_eq!(
        c["exceptions_removed"],
        serde_json::json!(["cy@contoso.test"])
    );
    let diff = support::Test::new()
        .args(["diff", "--db"])
        .arg(&db)
        .args(["1", "2"])
        .run();
    diff.ok().utf8();
    assert!(
        diff.stdout.contains(
            "Exceptions added: 1\n  bo@contoso.test\nExceptions expired: 1\n  ada@contoso.test\nExceptions removed: 1\n  cy@contoso.test\n"
        ),
        "{}",
        diff.stdout
    );
}
