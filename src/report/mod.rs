//! Reports: pure functions from the model to report data, and the writers that print it.
//! PowerShell's semantics for the classic three live in `classic` and only there.

pub mod audit;
pub mod classic;
pub mod classify;
pub mod export_csv;
pub mod html;
pub mod safe_csv;
pub mod table;
