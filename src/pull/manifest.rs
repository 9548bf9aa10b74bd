//! `manifest.json`: what a pull fetched, when, from which tenant and cloud, how many records and
//! requests each file took, and each file that failed with the permission it needs. A file not
//! pulled this time (not in `--only`, or failed) keeps the entry of the pull that wrote it, so the
//! manifest always says how old each file in the folder is.

use serde::{Deserialize, Serialize};

use super::datasets::Dataset;

/// Marks the manifest as mfaudit's own file: the audit passes it over in a folder.
pub const SCHEMA: &str = "mfaudit.pull-manifest/1";
pub const FILE: &str = "manifest.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// First, so the folder walk knows the file for what it is.
    pub schema: String,
    pub tool: String,
    pub tenant: String,
    pub cloud: String,
    pub graph: String,
    pub credential: String,
    pub started: String,
    pub finished: String,
    /// The start of the sign-ins' window (`--since`).
    pub signins_since: Option<String>,
    /// Every file of the datasets asked for was pulled.
    pub complete: bool,
    pub files: Vec<Entry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub dataset: Dataset,
    pub file: String,
    /// `pulled` (this time), `failed` (this time; the previous file, if any, kept) or `kept` (not
    /// asked for this time: the earlier pull's file).
    pub status: Status,
    /// The Graph application permission the dataset needs.
    pub permission: String,
    /// When the file in the folder was pulled (for a failed file: the one kept), when known.
    pub pulled_at: Option<String>,
    /// Its records, when known.
    pub records: Option<u64>,
    /// Requests this pull made for it (pages, `$batch` calls, retries included).
    #[serde(default)]
    pub requests: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// For a failed file: whether a previous file of it is still in the folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_kept: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pulled,
    Failed,
    Kept,
}

/// The manifest in `path`, when it is one this version reads: the one reader of the file, for
/// the next pull (which carries its entries on) and for the audit (which says what failed).
pub fn read(path: &std::path::Path) -> Option<Manifest> {
    let bytes = std::fs::read(path).ok()?;
    let m: Manifest = serde_json::from_slice(&bytes).ok()?;
    (m.schema == SCHEMA).then_some(m)
}

/// The manifest an earlier pull left in the folder, if it is one.
pub fn previous(dir: &std::path::Path) -> Option<Manifest> {
    read(&dir.join(FILE))
}
