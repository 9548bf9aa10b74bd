//! The database layout and its migrations. `PRAGMA user_version` holds the number of migrations
//! applied; each migration runs once, in order, inside one write transaction with the version bump,
//! so a crash or a concurrent run never leaves a half-migrated file. A released migration is never
//! edited: a change is a new entry at the end.

/// `PRAGMA application_id` of an mfaudit history database ("mfau"), so `file(1)` and mfaudit itself
/// can tell it from another program's SQLite file.
pub const APPLICATION_ID: i32 = 0x6d66_6175;

/// Migration N+1 is `MIGRATIONS[N]`.
pub const MIGRATIONS: &[&str] = &[
    // 1: the initial schema. Times are RFC 3339 TEXT; `summary` is the report's Summary JSON;
    // `methods` and `flags` are JSON arrays of strings (readable with SQLite's json_each).
    "
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
    ",
    // 2: which mfaudit recorded a run, since flag vocabularies grow between versions and a flag
    // raised only because a newer mfaudit knows it is worth telling apart.
    "
    ALTER TABLE runs ADD COLUMN mfaudit_version TEXT;
    ",
    // 3: each user's object id, by which a user is the same user across runs whatever their UPN
    // became (null for the runs recorded before, which are matched by UPN).
    "
    ALTER TABLE user_status ADD COLUMN object_id TEXT;
    ",
    // 4: whether MFA is required of the user (`always`, `conditional`, `never`, `unknown`), so
    // that newly excluded, newly not required and newly protected users can be told (null for
    // the runs recorded before, which are compared on nothing of it).
    "
    ALTER TABLE user_status ADD COLUMN mfa_required TEXT;
    ",
    // 5: the user's exception as `CLASS:STATE` (null when none, and in the runs recorded before,
    // which are compared on nothing of it).
    "
    ALTER TABLE user_status ADD COLUMN exception TEXT;
    ",
];

/// The schema version this mfaudit writes.
pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

/// The tables of an mfaudit history database (any version).
pub const OUR_TABLES: &[&str] = &["runs", "run_inputs", "user_status"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_application_id_in_migration_1_is_the_constant() {
        assert_eq!(APPLICATION_ID, 1_835_426_165);
        assert!(MIGRATIONS[0].contains(&format!("application_id = {APPLICATION_ID};")));
    }

    #[test]
    fn every_migration_applies_in_order_on_an_empty_database() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for sql in MIGRATIONS {
            conn.execute_batch(sql).unwrap();
        }
        let id: i32 = conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .unwrap();
        assert_eq!(id, APPLICATION_ID);
    }
}
