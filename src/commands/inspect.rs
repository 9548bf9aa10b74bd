//! `inspect`: what mfaudit made of each input, as text or JSON.

use std::path::PathBuf;

use crate::cli::InspectFormat;
use crate::console::Messages;
use crate::error::{ReportError, Result};
use crate::input::ReadOptions;
use crate::input::inspect::inspect;
use crate::output::{self, Destination};
use crate::report::inspection::write_table;

/// The `inspect` command.
pub fn run(
    paths: &[PathBuf],
    format: InspectFormat,
    opts: &ReadOptions,
    _msg: Messages,
) -> Result<()> {
    let report = inspect(paths, opts)?;
    let dest = Destination::Stdout;
    output::emit(&dest, |w| {
        let ioe = output::io_err(&dest);
        match format {
            InspectFormat::Json => {
                let text = serde_json::to_string_pretty(&report)
                    .map_err(|e| ReportError::serialize("writing JSON", e))?;
                writeln!(w, "{text}").map_err(&ioe)
            }
            InspectFormat::Table => write_table(w, &report).map_err(&ioe),
        }
    })
}
