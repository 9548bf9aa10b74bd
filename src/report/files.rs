//! Writing the audit's files: the JSON contract, the per-user CSV, the HTML page, the workbook
//! and the Markdown summary, all or none (each staged, then put in place together), and the
//! bytes the mail attaches.

use std::path::{Path, PathBuf};

use super::audit::AuditReport;
use super::{html, json, markdown, safe_csv, xlsx};
use crate::error::{ReportError, Result};
use crate::output::{self, Destination};

/// The files an audit writes; `-` is standard output.
#[derive(Debug, Clone, Copy, Default)]
pub struct Targets<'a> {
    pub json: Option<&'a Path>,
    pub csv: Option<&'a Path>,
    pub html: Option<&'a Path>,
    pub xlsx: Option<&'a Path>,
    pub markdown: Option<&'a Path>,
    pub template_dir: Option<&'a Path>,
    /// The mail attaches the CSV: it is made even when not written (the mail's HTML page is its
    /// own, the summary).
    pub for_mail: bool,
}

/// The reports a run wrote, and the bytes the mail attaches.
pub struct Written {
    /// The files written, as the user named them (not standard output).
    pub files: Vec<PathBuf>,
    pub html: Option<String>,
    pub csv: Vec<u8>,
}

/// Writes the JSON, CSV, HTML, XLSX and Markdown reports asked for, all or none: each is staged
/// first, and they are put in place together once all of them were written.
pub fn write(report: &AuditReport, t: &Targets<'_>) -> Result<Written> {
    let for_mail = t.for_mail;
    let html = match t.html {
        Some(_) => Some(html::render(report, t.template_dir)?),
        None => None,
    };
    let mut csv = Vec::new();
    if t.csv.is_some() || for_mail {
        safe_csv::write_users_csv(&mut csv, report)
            .map_err(|e| ReportError::serialize("CSV", e))?;
    }
    let mut outputs = output::Outputs::new();
    let mut files = Vec::new();
    if let Some(p) = t.json {
        let dest = Destination::of(p);
        // Streamed into the file: the JSON of a large tenant is never held in memory.
        outputs.stage(&dest, |w| {
            let ioe = output::io_err(&dest);
            json::write_pretty(&mut *w, report).map_err(&ioe)?;
            w.write_all(b"\n").map_err(&ioe)
        })?;
        files.push(p.to_path_buf());
    }
    if let Some(p) = t.csv {
        stage_bytes(&mut outputs, p, &csv)?;
        files.push(p.to_path_buf());
    }
    if let (Some(p), Some(text)) = (t.html, &html) {
        let dest = Destination::of(p);
        outputs.stage(&dest, |w| {
            w.write_all(text.as_bytes()).map_err(output::io_err(&dest))
        })?;
        files.push(p.to_path_buf());
    }
    if let Some(p) = t.xlsx {
        let dest = Destination::of(p);
        outputs.stage(&dest, |w| xlsx::write(w, report, output::io_err(&dest)))?;
        files.push(p.to_path_buf());
    }
    if let Some(p) = t.markdown {
        stage_bytes(&mut outputs, p, markdown::render(report).as_bytes())?;
        files.push(p.to_path_buf());
    }
    outputs.commit()?;
    files.retain(|p| !output::is_stdout(p));
    Ok(Written { files, html, csv })
}

/// Stages `bytes` for `path` (`-`: standard output).
fn stage_bytes(outputs: &mut output::Outputs, path: &Path, bytes: &[u8]) -> Result<()> {
    let dest = Destination::of(path);
    outputs.stage(&dest, |w| w.write_all(bytes).map_err(output::io_err(&dest)))
}
