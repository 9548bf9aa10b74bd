//! `mfaudit codes [CODE]`: the MFA Server `Call Result` table, or one code explained, on stdout.

use crate::cli::CodesFormat;
use crate::error::Result;
use crate::output::{self, Destination};
use crate::report::codes::{self, Format};

/// Prints the table, or one code, to standard output.
pub fn run(code: Option<&str>, format: CodesFormat) -> Result<()> {
    let format = match format {
        CodesFormat::Table => Format::Table,
        CodesFormat::Csv => Format::Csv,
        CodesFormat::Json => Format::Json,
    };
    let text = codes::render(code, format)?;
    let dest = Destination::Stdout;
    output::emit(&dest, |w| {
        w.write_all(text.as_bytes()).map_err(output::io_err(&dest))
    })
}
