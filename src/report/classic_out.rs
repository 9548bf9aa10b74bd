//! Writing the classic reports as PowerShell wrote them: P1/P2 as a console table, an
//! `Export-Csv`, a list or JSON, and P3 (`MFA_Report.csv`), row by row as users stream.

use std::io::Write;

use super::classic;
use super::export_csv::ExportCsv;
use super::table::{self, TableStyle};
use crate::model::User;

/// How P1/P2 are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    Table,
    Csv,
    List,
    Json,
}

/// P1 or P2, one user at a time. Table and JSON need every row first (column width, array
/// framing); CSV and list stream.
pub struct ListWriter {
    format: ListFormat,
    /// Windows PowerShell 5.1's bytes (`--powershell-exact`).
    exact: bool,
    rows: Vec<Option<String>>,
    header_written: bool,
}

impl ListWriter {
    pub fn new(format: ListFormat, exact: bool) -> ListWriter {
        ListWriter {
            format,
            exact,
            rows: Vec::new(),
            header_written: false,
        }
    }

    /// One user of the list.
    pub fn push(&mut self, w: &mut dyn Write, upn: Option<&str>) -> std::io::Result<()> {
        match self.format {
            ListFormat::Csv => {
                let csv = ExportCsv { ascii: self.exact };
                // Export-Csv writes nothing at all, not even the header, when no object reaches
                // it.
                if !self.header_written {
                    self.header_written = true;
                    csv.write_row(w, &[Some("UserPrincipalName")])?;
                }
                csv.write_row(w, &[upn])
            }
            ListFormat::List => match upn {
                Some(upn) => writeln!(w, "{upn}"),
                None => Ok(()),
            },
            ListFormat::Table | ListFormat::Json => {
                self.rows.push(upn.map(str::to_string));
                Ok(())
            }
        }
    }

    /// What comes after the last user.
    pub fn finish(self, w: &mut dyn Write) -> std::io::Result<()> {
        match self.format {
            ListFormat::Table => {
                let style = if self.exact {
                    TableStyle::Ps51
                } else {
                    TableStyle::ps7_native()
                };
                let refs: Vec<Option<&str>> = self.rows.iter().map(|r| r.as_deref()).collect();
                let text = table::render("UserPrincipalName", &refs, style);
                let bytes = if self.exact {
                    super::export_csv::to_ascii(&text)
                } else {
                    text.into_bytes()
                };
                w.write_all(&bytes)
            }
            ListFormat::Json => {
                let objs: Vec<serde_json::Value> = self
                    .rows
                    .iter()
                    .map(|r| serde_json::json!({ "UserPrincipalName": r }))
                    .collect();
                let text = serde_json::to_string_pretty(&objs).map_err(std::io::Error::other)?;
                writeln!(w, "{text}")
            }
            ListFormat::Csv | ListFormat::List => Ok(()),
        }
    }
}

/// P3, `MFA_Report.csv`: `UserPrincipalName`, `MFA Status`, `MFA Methods`, one user at a time.
pub struct MethodsWriter {
    csv: ExportCsv,
    header_written: bool,
}

impl MethodsWriter {
    pub fn new(exact: bool) -> MethodsWriter {
        MethodsWriter {
            csv: ExportCsv { ascii: exact },
            header_written: false,
        }
    }

    pub fn push(&mut self, w: &mut dyn Write, u: &User) -> std::io::Result<()> {
        if !self.header_written {
            self.header_written = true;
            self.csv.write_row(
                w,
                &[
                    Some("UserPrincipalName"),
                    Some("MFA Status"),
                    Some("MFA Methods"),
                ],
            )?;
        }
        let status = classic::mfa_status(u);
        let methods = classic::mfa_methods(u);
        self.csv
            .write_row(w, &[u.upn.as_deref(), Some(&status), methods.as_deref()])
    }
}
