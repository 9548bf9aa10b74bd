//! Run history in an embedded SQLite database (`--history DB`): each audit records when it ran, its
//! inputs with a content fingerprint, the summary and every user's status, and gets back what
//! changed since the previous run and the trend of the registered share.
//!
//! Safety rules, because the file is the user's record of past audits:
//! - a file that is not an mfaudit history database (another program's SQLite file, a text file,
//!   a damaged database) is refused before anything is written to it, and left byte for byte as it was;
//! - WAL mode, and every write takes the write lock up front (`BEGIN IMMEDIATE`): a second run at
//!   the same time waits for the first (the busy timeout, 10 s by default) and then fails clearly;
//! - the schema evolves through `PRAGMA user_version` ([`schema`]); a database from a newer mfaudit
//!   is refused rather than guessed at.

mod changes;
mod fingerprint;
mod schema;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};

pub use changes::{UserStatus, compute_changes, is_empty};
pub use fingerprint::fingerprint;
pub use schema::latest as schema_version;

use crate::error::{Error, HistoryError, Position, Result};
use crate::report::audit::{AuditReport, Changes, InputSummary, TrendPoint};
pub use crate::report::runs::{RunInfo, RunInput};

/// How long a run waits for another run that is writing the database.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How many runs the trend holds (a year of weekly audits).
pub const TREND_RUNS: usize = 52;

/// The first 16 bytes of every SQLite 3 database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// An open history database.
#[derive(Debug)]
pub struct History {
    conn: Connection,
    place: Place,
}

/// What a recorded run gives back to the audit.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecorded {
    pub run_id: i64,
    /// Relative to the previous run; `None` on the first run.
    pub changes: Option<Changes>,
    /// The registered share over the last [`TREND_RUNS`] runs, oldest first, this run last.
    pub trend: Vec<TrendPoint>,
}

/// The database's path and busy timeout, which every error message needs.
#[derive(Debug, Clone)]
struct Place {
    path: PathBuf,
    busy_timeout: Duration,
}

impl Place {
    /// Maps an SQLite error to mfaudit's: busy → a clear "another run" failure, not-a-database or
    /// corrupt → exit 2 naming the file, anything else → a failure naming the file.
    fn sql(&self, e: rusqlite::Error) -> Error {
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => HistoryError::Busy {
                path: self.path.clone(),
                waited: fmt_duration(self.busy_timeout),
            }
            .into(),
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
                self.damaged(&e.to_string())
            }
            Some(
                code @ (ErrorCode::CannotOpen | ErrorCode::ReadOnly | ErrorCode::PermissionDenied),
            ) => {
                let why = match code {
                    ErrorCode::CannotOpen => "SQLite cannot open it",
                    ErrorCode::ReadOnly => "it is read-only",
                    _ => "permission denied",
                };
                HistoryError::Unwritable {
                    path: self.path.clone(),
                    why,
                }
                .into()
            }
            _ => HistoryError::Sqlite {
                path: self.path.clone(),
                source: e,
            }
            .into(),
        }
    }

    fn damaged(&self, detail: &str) -> Error {
        Error::input(
            &self.path,
            Position::File,
            format!(
                "not an mfaudit history database (or it is damaged): {detail}; it was left \
                 untouched: move it aside or give another --history file"
            ),
        )
    }
}

fn fmt_duration(d: Duration) -> String {
    if d.as_millis().is_multiple_of(1000) {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

impl History {
    /// Opens the database, creating it when the file does not exist (or is empty).
    pub fn open(path: &Path) -> Result<History> {
        History::open_with_busy_timeout(path, DEFAULT_BUSY_TIMEOUT)
    }

    /// As [`History::open`], waiting at most `busy_timeout` for another run's write lock.
    pub fn open_with_busy_timeout(path: &Path, busy_timeout: Duration) -> Result<History> {
        History::open_inner(path, busy_timeout, true)
    }

    /// Opens a database that must exist already (`mfaudit history`, `mfaudit diff`).
    pub fn open_existing(path: &Path) -> Result<History> {
        History::open_inner(path, DEFAULT_BUSY_TIMEOUT, false)
    }

    fn open_inner(path: &Path, busy_timeout: Duration, create: bool) -> Result<History> {
        let place = Place {
            path: path.to_path_buf(),
            busy_timeout,
        };
        check_file(&place, create)?;
        // No SQLITE_OPEN_URI: a path is a path, even one that starts with "file:".
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn = Connection::open_with_flags(path, flags).map_err(|e| place.sql(e))?;
        conn.busy_timeout(busy_timeout).map_err(|e| place.sql(e))?;
        let mut history = History { conn, place };
        history.prepare()?;
        Ok(history)
    }

    /// Checks the file is ours (reading only), then switches to WAL and migrates.
    fn prepare(&mut self) -> Result<()> {
        let place = self.place.clone();
        let sql = |e| place.sql(e);
        let app_id: i32 = self
            .conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(sql)?;
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(sql)?;
        let tables = table_names(&self.conn).map_err(sql)?;
        if app_id != 0 && app_id != schema::APPLICATION_ID {
            return Err(place.damaged(&format!(
                "it is another program's SQLite database (application id {app_id:#x})"
            )));
        }
        if version > schema::latest() {
            return Err(Error::input(
                &place.path,
                Position::File,
                format!(
                    "written by a newer mfaudit (history schema {version}; this mfaudit knows up \
                     to {}); it was left untouched: upgrade mfaudit or give another --history file",
                    schema::latest()
                ),
            ));
        }
        let ours = |t: &String| schema::OUR_TABLES.contains(&t.as_str());
        if version == 0 && !tables.is_empty() {
            return Err(place.damaged(&format!(
                "it is an SQLite database with other tables ({})",
                tables.join(", ")
            )));
        }
        if version > 0
            && !schema::OUR_TABLES
                .iter()
                .all(|t| tables.iter().any(|x| x == t))
        {
            let found: Vec<&str> = tables
                .iter()
                .filter(|t| !ours(t))
                .map(String::as_str)
                .collect();
            return Err(place.damaged(&format!(
                "schema {version} without the history tables (found: {})",
                if found.is_empty() {
                    "none".to_string()
                } else {
                    found.join(", ")
                }
            )));
        }
        let mode: String = self
            .conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .map_err(sql)?;
        let needs_writing = version < schema::latest() || !mode.eq_ignore_ascii_case("wal");
        if needs_writing && !tables.is_empty() {
            // Anything damaged is refused before the first byte is written.
            check_sound(&self.conn, &place)?;
        }
        if !mode.eq_ignore_ascii_case("wal") {
            // Some file systems cannot do WAL; SQLite then keeps its rollback journal, which is
            // still safe (only slower for concurrent readers).
            let _: String = self
                .conn
                .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
                .map_err(sql)?;
        }
        self.conn
            .pragma_update(None, "foreign_keys", true)
            .map_err(sql)?;
        if version < schema::latest() {
            self.migrate()?;
        }
        Ok(())
    }

    /// Applies the migrations this file lacks, under the write lock (another run may have
    /// migrated it meanwhile, so the version is read again inside the lock).
    fn migrate(&mut self) -> Result<()> {
        let place = self.place.clone();
        let sql = |e| place.sql(e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let version: i64 = tx
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(sql)?;
        for (done, migration) in schema::MIGRATIONS
            .iter()
            .enumerate()
            .skip(version.max(0) as usize)
        {
            tx.execute_batch(migration).map_err(sql)?;
            tx.pragma_update(None, "user_version", done as i64 + 1)
                .map_err(sql)?;
        }
        tx.commit().map_err(sql)
    }

    /// The database's schema version (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| self.place.sql(e))
    }

    /// What [`History::record`] would give back for this report, without writing anything: the
    /// audit asks before its outputs are written and its mail is sent, and records the run only
    /// once all of that succeeded, so a failed run never hides its changes from the next one.
    pub fn preview(&self, report: &AuditReport) -> Result<RunRecorded> {
        let statuses = statuses_of(report);
        let place = self.place.clone();
        let sql = |e| place.sql(e);
        let previous = previous_run(&self.conn).map_err(sql)?;
        let changes = match &previous {
            Some((id, at)) => {
                let before = load_statuses(&self.conn, &place, *id)?;
                Some(compute_changes(&before, &statuses, at))
            }
            None => None,
        };
        let mut trend = load_trend(&self.conn, &place)?;
        let s = &report.summary;
        trend.push(TrendPoint {
            run: run_time(&report.generated_at),
            registered_share: share(s.registered_enabled, s.users_enabled),
            unregistered_enabled: s.unregistered_enabled,
        });
        if trend.len() > TREND_RUNS {
            trend.drain(..trend.len() - TREND_RUNS);
        }
        Ok(RunRecorded {
            run_id: previous.map_or(1, |(id, _)| id + 1),
            changes,
            trend,
        })
    }

    /// Records a run and returns the changes since the previous one, read and written in one
    /// transaction so two runs never interleave. Inputs without a fingerprint get one here when
    /// their path is a readable file.
    pub fn record(&mut self, report: &AuditReport) -> Result<RunRecorded> {
        let statuses = statuses_of(report);
        let inputs: Vec<RunInput> = report.inputs.iter().map(run_input).collect();
        let when = run_time(&report.generated_at);
        let summary = serde_json::to_string(&report.summary).map_err(HistoryError::Serialize)?;
        let place = self.place.clone();
        let sql = |e| place.sql(e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        check_sound(&tx, &place)?;
        let previous = previous_run(&tx).map_err(sql)?;
        let previous_statuses = match &previous {
            Some((id, _)) => load_statuses(&tx, &place, *id)?,
            None => Vec::new(),
        };
        let s = &report.summary;
        tx.execute(
            "INSERT INTO runs (run_at, users_total, users_enabled, registered_enabled, \
             unregistered_enabled, summary, mfaudit_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![
                when,
                to_i64(s.users_total),
                to_i64(s.users_enabled),
                to_i64(s.registered_enabled),
                to_i64(s.unregistered_enabled),
                summary,
                env!("CARGO_PKG_VERSION"),
            ],
        )
        .map_err(sql)?;
        let run_id = tx.last_insert_rowid();
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO run_inputs (run_id, position, path, kind, records, fingerprint) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(sql)?;
            for (position, input) in inputs.iter().enumerate() {
                insert
                    .execute(rusqlite::params![
                        run_id,
                        position as i64,
                        input.path,
                        input.kind,
                        to_i64(input.records),
                        input.fingerprint,
                    ])
                    .map_err(sql)?;
            }
            let mut insert = tx
                .prepare(
                    "INSERT INTO user_status (run_id, upn_key, upn, enabled, registered, \
                     per_user_state, methods, flags, object_id, mfa_required, exception) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )
                .map_err(sql)?;
            for u in &statuses {
                insert
                    .execute(rusqlite::params![
                        run_id,
                        u.key,
                        u.upn,
                        u.enabled,
                        u.registered,
                        u.per_user_state,
                        json_list(&u.methods),
                        json_list(&u.flags),
                        u.object_id,
                        u.mfa_required,
                        u.exception,
                    ])
                    .map_err(sql)?;
            }
        }
        let changes = previous.map(|(_, at)| compute_changes(&previous_statuses, &statuses, &at));
        let trend = load_trend(&tx, &place)?;
        tx.commit().map_err(sql)?;
        Ok(RunRecorded {
            run_id,
            changes,
            trend,
        })
    }

    /// Every recorded run, oldest first.
    pub fn runs(&self) -> Result<Vec<RunInfo>> {
        let sql = |e| self.place.sql(e);
        let mut inputs: BTreeMap<i64, Vec<RunInput>> = BTreeMap::new();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT run_id, path, kind, records, fingerprint FROM run_inputs \
                 ORDER BY run_id, position",
            )
            .map_err(sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    RunInput {
                        path: r.get(1)?,
                        kind: r.get(2)?,
                        records: from_i64(r.get(3)?),
                        fingerprint: r.get(4)?,
                    },
                ))
            })
            .map_err(sql)?;
        for row in rows {
            let (run, input) = row.map_err(sql)?;
            inputs.entry(run).or_default().push(input);
        }
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, run_at, users_total, users_enabled, registered_enabled, \
                 unregistered_enabled, mfaudit_version FROM runs ORDER BY id",
            )
            .map_err(sql)?;
        let rows = stmt
            .query_map([], |r| {
                let users_enabled = from_i64(r.get(3)?);
                let registered_enabled = from_i64(r.get(4)?);
                Ok(RunInfo {
                    id: r.get(0)?,
                    when: r.get(1)?,
                    users_total: from_i64(r.get(2)?),
                    users_enabled,
                    registered_enabled,
                    unregistered_enabled: from_i64(r.get(5)?),
                    registered_share: share(registered_enabled, users_enabled),
                    mfaudit_version: r.get(6)?,
                    inputs: Vec::new(),
                })
            })
            .map_err(sql)?;
        let mut runs = Vec::new();
        for row in rows {
            let mut run = row.map_err(sql)?;
            run.inputs = inputs.remove(&run.id).unwrap_or_default();
            runs.push(run);
        }
        Ok(runs)
    }

    /// One recorded run; an unknown id is a usage error listing the recorded ones.
    pub fn run(&self, id: i64) -> Result<RunInfo> {
        let runs = self.runs()?;
        let ids: Vec<i64> = runs.iter().map(|r| r.id).collect();
        runs.into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| self.unknown_run(id, &ids))
    }

    /// Every user's status at a run, ordered by key.
    pub fn statuses(&self, run_id: i64) -> Result<Vec<UserStatus>> {
        self.check_run_ids(&[run_id])?;
        load_statuses(&self.conn, &self.place, run_id)
    }

    /// The changes from run `from` to run `to` (any two runs, in either order).
    pub fn diff(&self, from: i64, to: i64) -> Result<Changes> {
        self.check_run_ids(&[from, to])?;
        let at: String = self
            .conn
            .query_row("SELECT run_at FROM runs WHERE id = ?1", [from], |r| {
                r.get(0)
            })
            .map_err(|e| self.place.sql(e))?;
        let before = load_statuses(&self.conn, &self.place, from)?;
        let after = load_statuses(&self.conn, &self.place, to)?;
        let mut changes = compute_changes(&before, &after, &at);
        // Run ids grow with time: from a later run to an earlier one, the lists say what the
        // earlier run had, not what became new.
        changes.backwards = from > to;
        Ok(changes)
    }

    fn check_run_ids(&self, wanted: &[i64]) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM runs ORDER BY id")
            .map_err(|e| self.place.sql(e))?;
        let ids = stmt
            .query_map([], |r| r.get::<_, i64>(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<i64>>>())
            .map_err(|e| self.place.sql(e))?;
        match wanted.iter().find(|w| !ids.contains(w)) {
            Some(&missing) => Err(self.unknown_run(missing, &ids)),
            None => Ok(()),
        }
    }

    fn unknown_run(&self, id: i64, ids: &[i64]) -> Error {
        let known = if ids.is_empty() {
            "it holds no runs yet".to_string()
        } else {
            format!("the recorded runs are {}", id_ranges(ids))
        };
        HistoryError::NoRun {
            path: self.place.path.clone(),
            id,
            known,
        }
        .into()
    }
}

/// Refuses a folder, a missing file when not creating, and any file that does not start with the
/// SQLite header, without opening it with SQLite (an empty file is a new database).
fn check_file(place: &Place, create: bool) -> Result<()> {
    use std::io::Read;
    let path = &place.path;
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            return Err(Error::input(
                path,
                Position::File,
                "is a folder; the history database is a file (e.g. mfaudit-history.db)",
            ));
        }
        Ok(meta) if meta.len() == 0 => return Ok(()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return if create {
                Ok(())
            } else {
                Err(HistoryError::NoDatabase { path: path.clone() }.into())
            };
        }
        Err(e) => return Err(Error::io(path, e)),
    }
    let mut head = Vec::with_capacity(16);
    std::fs::File::open(path)
        .and_then(|f| f.take(16).read_to_end(&mut head))
        .map_err(|e| Error::io(path, e))?;
    if head.as_slice() != SQLITE_HEADER {
        return Err(place.damaged("it does not start with the SQLite header"));
    }
    Ok(())
}

/// `PRAGMA quick_check`: refuses a damaged database before writing to it.
fn check_sound(conn: &Connection, place: &Place) -> Result<()> {
    let verdict: String = conn
        .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
        .map_err(|e| place.sql(e))?;
    if verdict == "ok" {
        Ok(())
    } else {
        // quick_check reports over several lines ("*** in database main ***", then one per problem).
        let problems: Vec<&str> = verdict
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("***"))
            .collect();
        Err(place.damaged(&format!(
            "SQLite's quick_check says \"{}\"",
            problems.join("; ")
        )))
    }
}

/// The id and time of the last recorded run.
fn previous_run(conn: &Connection) -> rusqlite::Result<Option<(i64, String)>> {
    conn.query_row(
        "SELECT id, run_at FROM runs ORDER BY id DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

fn table_names(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') \
         AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )?;
    stmt.query_map([], |r| r.get(0))?.collect()
}

fn load_statuses(conn: &Connection, place: &Place, run_id: i64) -> Result<Vec<UserStatus>> {
    let sql = |e| place.sql(e);
    let mut stmt = conn
        .prepare(
            "SELECT upn_key, upn, enabled, registered, per_user_state, methods, flags, object_id, \
             mfa_required, exception FROM user_status WHERE run_id = ?1 ORDER BY upn_key",
        )
        .map_err(sql)?;
    let rows = stmt
        .query_map([run_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<bool>>(2)?,
                r.get::<_, Option<bool>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, Option<String>>(8)?,
                r.get::<_, Option<String>>(9)?,
            ))
        })
        .map_err(sql)?;
    let mut out = Vec::new();
    for row in rows {
        let (
            key,
            upn,
            enabled,
            registered,
            per_user_state,
            methods,
            flags,
            object_id,
            mfa_required,
            exception,
        ) = row.map_err(sql)?;
        let list = |text: &str, what: &str| {
            serde_json::from_str::<Vec<String>>(text)
                .map(|items| {
                    // A flag an earlier mfaudit named otherwise: today's name, so that a rename
                    // is not a flag cleared and another raised.
                    items
                        .into_iter()
                        .map(|f| {
                            crate::report::audit::flag::RENAMED
                                .iter()
                                .find(|(old, _)| *old == f)
                                .map_or(f, |(_, new)| (*new).to_string())
                        })
                        .collect::<Vec<_>>()
                })
                .map_err(|_| {
                    place.damaged(&format!(
                        "run {run_id}, user {upn}: {what} is not a JSON list"
                    ))
                })
        };
        out.push(UserStatus {
            methods: list(&methods, "methods")?,
            flags: list(&flags, "flags")?,
            key,
            upn,
            object_id,
            enabled,
            registered,
            per_user_state,
            mfa_required,
            exception,
        });
    }
    Ok(out)
}

fn load_trend(conn: &Connection, place: &Place) -> Result<Vec<TrendPoint>> {
    let sql = |e| place.sql(e);
    let mut stmt = conn
        .prepare(
            "SELECT run_at, users_enabled, registered_enabled, unregistered_enabled FROM \
             (SELECT * FROM runs ORDER BY id DESC LIMIT ?1) ORDER BY id",
        )
        .map_err(sql)?;
    let rows = stmt
        .query_map([TREND_RUNS as i64], |r| {
            Ok(TrendPoint {
                run: r.get(0)?,
                registered_share: share(from_i64(r.get(2)?), from_i64(r.get(1)?)),
                unregistered_enabled: from_i64(r.get(3)?),
            })
        })
        .map_err(sql)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sql)
}

/// The report's users as statuses, one per key (the first wins, as the primary key demands).
fn statuses_of(report: &AuditReport) -> Vec<UserStatus> {
    let mut seen = std::collections::HashSet::new();
    report
        .users
        .iter()
        .map(UserStatus::from_user)
        .filter(|s| seen.insert(s.key.clone()))
        .collect()
}

fn run_input(input: &InputSummary) -> RunInput {
    let fingerprint = input.fingerprint.clone().or_else(|| {
        let path = Path::new(&input.path);
        if path.is_file() {
            fingerprint(path).ok()
        } else {
            None
        }
    });
    RunInput {
        path: input.path.clone(),
        kind: input.kind.clone(),
        records: input.records,
        fingerprint,
    }
}

/// The run's time: the report's `generated_at` when it is RFC 3339, else now (UTC, seconds).
fn run_time(generated_at: &str) -> String {
    let given = generated_at.trim();
    if given.parse::<jiff::Timestamp>().is_ok() {
        return given.to_string();
    }
    let now = jiff::Timestamp::now();
    jiff::Timestamp::from_second(now.as_second())
        .unwrap_or(now)
        .to_string()
}

/// `registered / enabled`, rounded to four decimals so the JSON is stable.
fn share(registered: u64, enabled: u64) -> f64 {
    if enabled == 0 {
        return 0.0;
    }
    (registered as f64 / enabled as f64 * 10_000.0).round() / 10_000.0
}

fn json_list(items: &[String]) -> String {
    serde_json::Value::from(items.to_vec()).to_string()
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn from_i64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// `1-3, 5, 8-9`: run ids for a message.
fn id_ranges(ids: &[i64]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < ids.len() {
        let start = ids[i];
        let mut end = start;
        while i + 1 < ids.len() && ids[i + 1] == end + 1 {
            i += 1;
            end = ids[i];
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_are_listed_as_ranges() {
        assert_eq!(id_ranges(&[1, 2, 3, 5, 8, 9]), "1-3, 5, 8-9");
        assert_eq!(id_ranges(&[4]), "4");
        assert_eq!(id_ranges(&[]), "");
    }

    #[test]
    fn share_is_rounded_and_zero_without_enabled_users() {
        assert_eq!(share(2, 3), 0.6667);
        assert_eq!(share(0, 0), 0.0);
        assert_eq!(share(5, 5), 1.0);
    }

    #[test]
    fn run_time_keeps_a_valid_generated_at_and_replaces_anything_else() {
        assert_eq!(
            run_time("2026-01-05T08:00:00+01:00"),
            "2026-01-05T08:00:00+01:00"
        );
        let now = run_time("yesterday");
        assert!(now.parse::<jiff::Timestamp>().is_ok(), "{now}");
        assert!(now.ends_with('Z') && !now.contains('.'), "{now}");
    }

    #[test]
    fn a_missing_folder_is_a_clear_failure() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("no-such-folder").join("h.db");
        let e = History::open(&db).unwrap_err();
        assert_eq!(e.exit_code(), 1);
        assert_eq!(
            e.to_string(),
            format!(
                "{}: cannot write the history database (SQLite cannot open it): does its folder \
                 exist, and may mfaudit write the file and create files beside it (-wal, -shm)?",
                db.display()
            )
        );
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(fmt_duration(Duration::from_secs(10)), "10 s");
        assert_eq!(fmt_duration(Duration::from_millis(250)), "250 ms");
    }
}
