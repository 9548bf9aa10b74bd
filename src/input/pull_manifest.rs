//! What `mfaudit pull`'s `manifest.json` says about the files beside it. A file the last pull
//! could not fetch is still in the folder (the previous pull's copy) or missing, and an audit of
//! the folder must say so, whoever runs it: `run --config` right after the pull, or an auditor
//! who received the folder weeks later.

use crate::pull::FileStatus;

use super::walk::Skipped;

/// One warning per file the manifests among `skipped` say the last pull did not fetch.
pub fn warnings(skipped: &[Skipped]) -> Vec<String> {
    let mut out = Vec::new();
    for s in skipped
        .iter()
        .filter(|s| s.why == super::detect::PULL_MANIFEST)
    {
        let Some(m) = crate::pull::read_manifest(&s.path) else {
            out.push(format!(
                "{} is not a manifest this version of mfaudit reads: how old the pulled files beside it are is unknown.",
                s.path.display()
            ));
            continue;
        };
        for e in m.files.iter().filter(|e| e.status == FileStatus::Failed) {
            let error = e.error.as_deref().unwrap_or("failed");
            let read = match (e.previous_kept, &e.pulled_at) {
                (Some(true), Some(at)) => format!("the audit read the copy pulled at {at}"),
                (Some(true), None) => "the audit read an older copy, of unknown date".to_string(),
                _ => "there is no earlier copy, so what it holds is unknown".to_string(),
            };
            out.push(format!(
                "The pull at {} could not fetch {} ({error}); {read} ({}).",
                m.finished,
                e.file,
                s.path.display()
            ));
        }
    }
    out
}
