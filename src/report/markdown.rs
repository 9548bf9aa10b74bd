//! The Markdown summary (`audit --markdown`), GitHub-flavoured, for tickets, chat and CI job
//! summaries: the title with the generated time, the headline, the key figures, each finding
//! list's verdict with its first users, the seven answers and the warnings.
//!
//! Every text goes through [`escape`]: a display name is chosen by its owner, so it must not
//! start a heading or a list, break a table cell, or bring emphasis, code, links, images, HTML,
//! entities or math; control characters are written as escapes (`\n`, `\x1b`), so a value never
//! spans lines.

use std::fmt::Write as _;

use super::audit::AuditReport;
use super::figures::{self, Value};
use super::findings::{self, LISTS};
use crate::text::escape_control;
use crate::vocab::own_outputs::MARKDOWN_TITLE;

/// The users shown under each finding.
const SHOWN: usize = 10;

/// The summary of `report`.
pub(crate) fn render(report: &AuditReport) -> String {
    let mut out = String::new();
    let s = &report.summary;
    // `write!` into a String cannot fail.
    let _ = writeln!(out, "{MARKDOWN_TITLE}{}", escape(&report.generated_at));
    let _ = writeln!(out, "\n**{}**", escape(&findings::headline(s)));
    out.push_str("\n## Key figures\n\n| Figure | Value |\n| --- | ---: |\n");
    for (label, value) in figures::key_figures(report) {
        let value = match value {
            Value::Text(t) => escape(t),
            Value::Count(Some(n)) => n.to_string(),
            Value::Bool(Some(b)) => if b { "yes" } else { "no" }.to_string(),
            Value::Count(None) | Value::Bool(None) => "unknown".to_string(),
        };
        let _ = writeln!(out, "| {} | {value} |", escape(label));
    }
    out.push_str("\n## Findings\n");
    for list in LISTS {
        let users: Vec<_> = report.users.iter().filter(|u| list.holds(u)).collect();
        let verdict = (list.verdict)(s, users.len() as u64);
        let _ = writeln!(out, "\n### {} ({})\n", escape(list.title), users.len());
        let _ = writeln!(out, "{}", escape(&verdict.sentence));
        if users.is_empty() {
            continue;
        }
        out.push_str("\n| UPN | Display name |\n| --- | --- |\n");
        for u in users.iter().take(SHOWN) {
            let _ = writeln!(
                out,
                "| {} | {} |",
                escape(&u.upn),
                escape(u.display_name.as_deref().unwrap_or_default())
            );
        }
        if users.len() > SHOWN {
            let more = users.len() - SHOWN;
            let _ = writeln!(
                out,
                "\nAnd {more} more (the CSV and the workbook list every user)."
            );
        }
    }
    out.push_str("\n## Answers\n\n");
    for (question, answer) in figures::answers(report) {
        let _ = writeln!(out, "- **{}** {}", escape(question), escape(answer));
    }
    out.push_str("\n## Warnings\n\n");
    if report.warnings.is_empty() {
        out.push_str("None.\n");
    }
    for w in &report.warnings {
        let _ = writeln!(out, "- {}", escape(w));
    }
    out
}

/// `text` as literal Markdown on one line: control characters written as escapes, then a
/// backslash before each character that is markup anywhere (`` \ ` * _ [ ] < > | ~ & $ ``) and
/// before what starts a block at the start of the text (`#`, `-`, `+`, `=`, the `.` or `)` of a
/// number).
pub(crate) fn escape(text: &str) -> String {
    let text = escape_control(text);
    let start = text.len() - text.trim_start_matches(' ').len();
    let digits = text[start..].bytes().take_while(u8::is_ascii_digit).count();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.char_indices() {
        let markup = matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '$'
        );
        let block = (i == start && matches!(c, '#' | '-' | '+' | '='))
            || (digits > 0 && i == start + digits && matches!(c, '.' | ')'));
        if markup || block {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_controls_are_escaped() {
        assert_eq!(escape("ada@contoso.com"), "ada@contoso.com");
        assert_eq!(escape("Ada | x"), "Ada \\| x");
        assert_eq!(
            escape("*bold* _it_ `code` [a](http://x) <b> ~~s~~ &amp; $x$ \\"),
            "\\*bold\\* \\_it\\_ \\`code\\` \\[a\\](http://x) \\<b\\> \\~\\~s\\~\\~ \\&amp; \\$x\\$ \\\\"
        );
        assert_eq!(escape("# Title"), "\\# Title");
        assert_eq!(escape("  - item"), "  \\- item");
        assert_eq!(escape("+ x"), "\\+ x");
        assert_eq!(escape("=== x"), "\\=== x");
        assert_eq!(escape("12. x"), "12\\. x");
        assert_eq!(escape("3) x"), "3\\) x");
        // Only at the start: inside a sentence they are text.
        assert_eq!(escape("a # b - c 1. d"), "a # b - c 1. d");
        assert_eq!(escape("2026-11-30"), "2026-11-30");
        // Controls become escapes first (their backslash is then escaped too).
        assert_eq!(escape("a\nb\u{1b}[2J"), "a\\\\nb\\\\x1b\\[2J");
        assert_eq!(escape("x\u{202e}y"), "x\\\\u{202e}y");
    }
}
