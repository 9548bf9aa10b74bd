//! `mfaudit history --db DB` (the recorded runs) and `mfaudit diff --db DB FROM TO` (what changed
//! between two of them). Both read an existing database and never create one.

use std::path::Path;

use crate::cli::InspectFormat;
use crate::error::{Error, Result};
use crate::history::History;
use crate::output::{Destination, emit};
use crate::report::runs::{render_diff, render_runs_table, runs_json, to_json};

/// Lists the runs recorded in `db`, oldest first.
pub fn list(db: &Path, format: InspectFormat) -> Result<()> {
    let runs = History::open_existing(db)?.runs()?;
    let text = match format {
        InspectFormat::Table => render_runs_table(&runs),
        InspectFormat::Json => runs_json(&runs)?,
    };
    print(&text)
}

/// Shows the changes from run `from` to run `to`.
pub fn diff(db: &Path, from: i64, to: i64, format: InspectFormat) -> Result<()> {
    let history = History::open_existing(db)?;
    let changes = history.diff(from, to)?;
    let text = match format {
        InspectFormat::Table => render_diff(&history.run(from)?, &history.run(to)?, &changes),
        InspectFormat::Json => to_json(&changes)?,
    };
    print(&text)
}

fn print(text: &str) -> Result<()> {
    emit(&Destination::Stdout, |w| {
        w.write_all(text.as_bytes())
            .map_err(|e| Error::io("<stdout>", e))
    })
}
