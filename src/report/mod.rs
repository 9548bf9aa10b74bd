//! Reports: pure functions from the model to report data, and the writers that print it.
//! PowerShell's semantics for the classic three live in `classic` and only there.

pub(crate) mod answers;
pub mod audit;
pub(crate) mod changes;
pub(crate) mod classic;
pub(crate) mod classic_out;
pub(crate) mod codes;
mod columns;
pub mod explain;
pub(crate) mod export_csv;
pub(crate) mod figures;
pub(crate) mod files;
pub(crate) mod findings;
pub mod html;
pub(crate) mod inspection;
pub(crate) mod json;
mod markdown;
pub(crate) mod policies;
pub(crate) mod runs;
pub(crate) mod safe_csv;
pub(crate) mod table;
mod xlsx;

/// Escapes text for HTML element content and quoted attribute values (the report's SVG, the
/// email's HTML part). Display names are chosen by outsiders: everything rendered goes through it.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
