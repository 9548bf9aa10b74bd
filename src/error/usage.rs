//! What the command line, or the inputs it names, got wrong: exit 2, and a message that says what
//! to give instead.

use std::path::PathBuf;

use crate::text::{escape_control, shown_path};

/// A mistake in what mfaudit was asked to do.
#[derive(Debug, thiserror::Error)]
pub enum Usage {
    #[error("no inputs: give export files or folders (directory exports and sign-in logs)")]
    NoInputs,
    /// Every input was a folder or pattern, and nothing in them could be read.
    #[error("{}", no_input_files(*.passed_over))]
    NoInputFiles { passed_over: usize },
    #[error("{}: no such file or folder", shown_path(.path))]
    NotFound { path: PathBuf },
    #[error("{}: is a symbolic link to something that does not exist ({source})", shown_path(.path))]
    DanglingLink {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {source}", shown_path(.path))]
    Unreachable {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A FIFO, a socket or a device named as an input.
    #[error("{}: is {kind}, which mfaudit does not read: to read a stream, pass - and redirect it to standard input", shown_path(.path))]
    Special { path: PathBuf, kind: &'static str },
    #[error("bad pattern '{}': {source}", escape_control(.pattern))]
    BadPattern {
        pattern: String,
        source: glob::PatternError,
    },
    #[error("no file matches '{}'", escape_control(.pattern))]
    NoMatch { pattern: String },
    /// An input is also where this run writes a report.
    #[error("{} is both an input{} and the {option} output: the report would replace the export; write the report elsewhere", shown_path(.path), if *.in_folder { " (found in a folder given)" } else { "" })]
    OutputIsInput {
        path: PathBuf,
        option: String,
        in_folder: bool,
    },
    /// None of the files named is an export; `passed_over` says why, for the first few.
    #[error("none of the {count} file(s) given is an export mfaudit recognises{passed_over}")]
    NoneRecognised { count: usize, passed_over: String },
    #[error(
        "no directory export among the inputs: give a Get-MsolUser export, a registration details export or a users export"
    )]
    NoDirectory,
    /// `mfaudit explain USER` named a user no directory export holds.
    #[error("{}: no user of the directory exports has this UPN or object id; `mfaudit inspect` lists what the inputs hold", escape_control(.user))]
    UnknownUser { user: String },
    #[error(
        "unknown encoding '{label}': use a WHATWG label such as utf-8, utf-16le, utf-16be or windows-1252"
    )]
    UnknownEncoding { label: String },
    #[error(transparent)]
    Columns(#[from] ColumnsError),
    #[error("{}: an MFA Server CSV needs --mfa-server-columns user=COL,time=COL,result=COL (or a history's --mfa-server-blocked-columns / --mfa-server-bypassed-columns)", .path.display())]
    MfaServerNeedsColumns { path: PathBuf },
    #[error(
        "{options} all write to standard output ('-'): at most one output may go there; give the others a file name"
    )]
    StdoutTwice { options: String },
    #[error("{}: is a folder, not a file: give the report a file name", .path.display())]
    OutputIsFolder { path: PathBuf },
    #[error("{}: too many levels of symbolic links", .path.display())]
    LinkLoop { path: PathBuf },
    #[error("unknown call result '{code}'; closest: {closest} (`mfaudit codes` lists all {count})")]
    UnknownCode {
        code: String,
        closest: String,
        count: usize,
    },
    #[error("{}: exists; choose an empty folder for the templates or remove the file", .path.display())]
    TemplateExists { path: PathBuf },
}

fn no_input_files(passed_over: usize) -> String {
    if passed_over == 0 {
        "no input files: give exports or folders to read".into()
    } else {
        format!(
            "no input files: every file found was passed over ({passed_over}); give exports or folders to read"
        )
    }
}

/// `--mfa-server-columns` or a history's columns option (or its key in a config file) that is
/// not `KEY=COLUMN,...` with the report's keys.
#[derive(Debug, thiserror::Error)]
pub enum ColumnsError {
    #[error("{option}: '{part}' is not KEY=COLUMN; expected {spec}")]
    NotKeyValue {
        option: &'static str,
        part: String,
        spec: &'static str,
    },
    #[error("{option}: unknown key '{key}'; expected {keys}")]
    UnknownKey {
        option: &'static str,
        key: String,
        keys: String,
    },
    #[error("{option} needs at least {needs}")]
    Missing { option: &'static str, needs: String },
}
