//! (being written)
use crate::error::{Error, Result};
use crate::report::audit::AuditReport;
pub fn render(_report: &AuditReport, _dir: Option<&std::path::Path>) -> Result<String> {
    Err(Error::Failed("HTML report not built yet".into()))
}
