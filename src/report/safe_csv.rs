//! (being written)
use crate::report::audit::AuditReport;
pub fn write_users_csv(_w: &mut dyn std::io::Write, _report: &AuditReport) -> std::io::Result<()> {
    Ok(())
}
