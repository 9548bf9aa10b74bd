//! `templates dump DIR`: the built-in HTML templates, written out to be edited.

use std::path::Path;

use crate::console::Messages;
use crate::error::Result;
use crate::report::html;

pub fn dump(dir: &Path, msg: Messages) -> Result<()> {
    let written = html::dump_templates(dir)?;
    msg.note(format!(
        "{written} templates written to {}; use them with --template-dir {}",
        crate::text::shown_path(dir),
        crate::text::shown_path(dir)
    ));
    Ok(())
}
