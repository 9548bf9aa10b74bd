//! PowerShell's console table for a one-column `Select-Object` result (powershell.md §4.3).
//! PowerShell 7: one blank line before, none of the cells padded, one blank line after.
//! Windows PowerShell 5.1: every cell padded to the column width, two blank lines after.

use unicode_width::UnicodeWidthStr;

/// Which PowerShell printed the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableStyle {
    /// PowerShell 7 plain text, with this newline.
    Ps7 { crlf: bool },
    /// Windows PowerShell 5.1 (always CRLF).
    Ps51,
}

impl TableStyle {
    /// PowerShell 7 with the newline of the platform mfaudit runs on.
    pub fn ps7_native() -> TableStyle {
        TableStyle::Ps7 {
            crlf: cfg!(windows),
        }
    }
}

/// Renders a one-column table. Nothing at all when there are no rows.
pub fn render(header: &str, rows: &[Option<&str>], style: TableStyle) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let nl = match style {
        TableStyle::Ps7 { crlf: false } => "\n",
        _ => "\r\n",
    };
    let width = rows
        .iter()
        .map(|r| r.map_or(0, UnicodeWidthStr::width))
        .chain([header.width()])
        .max()
        .unwrap_or(0);
    let dashes = "-".repeat(header.width().min(width));
    let pad = |s: &str| -> String {
        match style {
            TableStyle::Ps51 => format!("{s}{}", " ".repeat(width - s.width())),
            TableStyle::Ps7 { .. } => s.to_string(),
        }
    };
    let mut out = String::new();
    out.push_str(nl);
    out.push_str(&pad(header));
    out.push_str(nl);
    out.push_str(&pad(&dashes));
    out.push_str(nl);
    for r in rows {
        out.push_str(&pad(r.unwrap_or("")));
        out.push_str(nl);
    }
    out.push_str(nl);
    if style == TableStyle::Ps51 {
        out.push_str(nl);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_p1() {
        let rows = [Some("bob@contoso.com"), Some("carol@contoso.com")];
        assert_eq!(
            render("UserPrincipalName", &rows, TableStyle::Ps7 { crlf: true }),
            "\r\nUserPrincipalName\r\n-----------------\r\nbob@contoso.com\r\ncarol@contoso.com\r\n\r\n"
        );
        assert_eq!(
            render("UserPrincipalName", &rows, TableStyle::Ps7 { crlf: false }),
            "\nUserPrincipalName\n-----------------\nbob@contoso.com\ncarol@contoso.com\n\n"
        );
        assert_eq!(
            render("UserPrincipalName", &rows, TableStyle::Ps51),
            "\r\nUserPrincipalName\r\n-----------------\r\nbob@contoso.com  \r\ncarol@contoso.com\r\n\r\n\r\n"
        );
        assert_eq!(render("UserPrincipalName", &[], TableStyle::Ps51), "");
    }

    #[test]
    fn wider_values_pad_header_in_51() {
        let t = render(
            "UserPrincipalName",
            &[Some("a-long-name@contoso.com")],
            TableStyle::Ps51,
        );
        assert_eq!(
            t,
            "\r\nUserPrincipalName      \r\n-----------------      \r\na-long-name@contoso.com\r\n\r\n\r\n"
        );
    }
}
