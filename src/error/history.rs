//! The history database: a run or a database that is not there (exit 2), or SQLite failing
//! (exit 1). A file that is not a history database is an input error, like any other bad file.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("{}: no such history database; `mfaudit audit --history {}` creates it", .path.display(), .path.display())]
    NoDatabase { path: PathBuf },
    /// `known` says which runs there are ("it holds no runs yet", "the recorded runs are 1-3").
    #[error("{}: there is no run {id}; {known}", .path.display())]
    NoRun {
        path: PathBuf,
        id: i64,
        known: String,
    },
    #[error("{}: the history database is busy: another mfaudit run is writing it (waited {waited}); try again when it has finished", .path.display())]
    Busy { path: PathBuf, waited: String },
    #[error("{}: cannot write the history database ({why}): does its folder exist, and may mfaudit write the file and create files beside it (-wal, -shm)?", .path.display())]
    Unwritable { path: PathBuf, why: &'static str },
    #[error("{}: history database: {source}", .path.display())]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("history: cannot serialize the summary: {0}")]
    Serialize(#[source] serde_json::Error),
}

impl HistoryError {
    pub fn exit_code(&self) -> u8 {
        match self {
            HistoryError::NoDatabase { .. } | HistoryError::NoRun { .. } => 2,
            _ => 1,
        }
    }
}
