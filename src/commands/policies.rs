//! `policies` and `explain`: the Conditional Access side of the audit, per policy and per user,
//! as text or JSON.

use std::path::PathBuf;

use crate::audit::{self, AuditOptions};
use crate::cli::InspectFormat;
use crate::console::Messages;
use crate::error::{ReportError, Result};
use crate::input::ReadOptions;
use crate::output::{self, Destination};
use crate::report::{explain, policies};

/// `mfaudit policies INPUT...`: one entry per policy (and per policy only the logs name).
pub fn list(
    paths: &[PathBuf],
    format: InspectFormat,
    opts: &ReadOptions,
    msg: Messages,
) -> Result<()> {
    let audited = audit::run(&request(paths, opts), msg)?;
    let report = &audited.report;
    emit(format, &report.policies, |w| {
        policies::write_table(w, report)
    })
}

/// `mfaudit explain USER INPUT...`.
pub fn explain(
    user: &str,
    paths: &[PathBuf],
    format: InspectFormat,
    opts: &ReadOptions,
    msg: Messages,
) -> Result<()> {
    let e = audit::explain(&request(paths, opts), msg, user)?;
    emit(format, &e, |w| explain::write_table(w, &e))
}

/// `policies` and `explain` read no exceptions file.
static NO_EXCEPTIONS: crate::config::ExceptionSettings = crate::config::ExceptionSettings {
    files: Vec::new(),
    warning_days: 14,
    patterns: Vec::new(),
};

fn request<'a>(paths: &'a [PathBuf], opts: &'a ReadOptions) -> audit::Request<'a> {
    audit::Request {
        inputs: paths,
        read: opts,
        options: AuditOptions::default(),
        outputs: &[],
        exceptions: &NO_EXCEPTIONS,
    }
}

fn emit(
    format: InspectFormat,
    value: &impl serde::Serialize,
    table: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<()> {
    let dest = Destination::Stdout;
    output::emit(&dest, |w| {
        let ioe = output::io_err(&dest);
        match format {
            InspectFormat::Json => {
                let text = serde_json::to_string_pretty(value)
                    .map_err(|e| ReportError::serialize("writing JSON", e))?;
                writeln!(w, "{text}").map_err(&ioe)
            }
            InspectFormat::Table => table(w).map_err(&ioe),
        }
    })
}
