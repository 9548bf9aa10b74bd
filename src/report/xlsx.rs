//! The workbook (`audit --xlsx`): a Summary sheet (the key figures, the seven answers, the
//! warnings), a Users sheet (the audit CSV's columns, one row per user) and one sheet per finding
//! list, written with `rust_xlsxwriter`. Numbers are numbers, booleans TRUE and FALSE, unknown
//! values empty cells; every text is written as a string, never as a formula, so a display name
//! such as `=HYPERLINK(...)` stays text without the CSV's leading `'`. The user sheets are written
//! in constant-memory mode (a row at a time into a temporary file), so a tenant of hundreds of
//! thousands of users costs the workbook little memory beyond the report itself.

use std::borrow::Cow;
use std::io::{self, Seek, SeekFrom, Write};

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError,
};

use super::audit::{AuditReport, AuditUser};
use super::columns::{self, Cell};
use super::figures::{self, Value};
use super::findings::LISTS;
use crate::error::{Error, ReportError, Result};
use crate::vocab::own_outputs::CSV_HEADER;

/// The rows of a sheet (Excel's limit), the header row included.
const MAX_ROWS: u32 = 1_048_576;

/// The longest text a cell holds, in UTF-16 units (Excel's limit).
const MAX_TEXT: usize = 32_767;

/// The longest sheet name (Excel's limit), in characters.
const MAX_SHEET_NAME: usize = 31;

/// The width of each user column, in characters: the header and its filter button, or the
/// values it usually holds.
const WIDTHS: [f64; columns::COUNT] = [
    34.0, // upn
    26.0, // display_name
    12.0, // user_type
    11.0, // is_admin
    10.0, // enabled
    13.0, // registered
    17.0, // per_user_state
    40.0, // methods
    20.0, // strongest
    13.0, // challenges
    12.0, // completed
    9.0,  // denied
    40.0, // last_result
    22.0, // last_signin
    40.0, // flags
    22.0, // signins_without_mfa
    22.0, // legacy_auth_signins
    30.0, // apps_without_mfa
    15.0, // mfa_required
    30.0, // excluded_by
];

/// Writes the workbook of `report` to `w`. The zip is made in a temporary file first (the
/// writer must be `Send`), then copied; `io_err` names the destination of a failed copy.
pub(crate) fn write(
    w: &mut dyn Write,
    report: &AuditReport,
    io_err: impl Fn(io::Error) -> Error,
) -> Result<()> {
    let mut book = workbook(report, MAX_ROWS - 1).map_err(xlsx_error)?;
    let temp_err = |e| Error::io("<temporary file>", e);
    let mut temp = tempfile::tempfile().map_err(temp_err)?;
    book.save_to_writer(&mut temp).map_err(xlsx_error)?;
    temp.seek(SeekFrom::Start(0)).map_err(temp_err)?;
    io::copy(&mut temp, w).map_err(io_err)?;
    Ok(())
}

fn xlsx_error(e: XlsxError) -> Error {
    ReportError::serialize("XLSX", e).into()
}

/// The workbook, each user sheet holding at most `max_users` rows below its header.
fn workbook(report: &AuditReport, max_users: u32) -> std::result::Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    // Made when the report was (`SOURCE_DATE_EPOCH` then gives the same bytes every time).
    let mut properties = DocProperties::new().set_title("MFA audit");
    if let Ok(t) = report.generated_at.parse::<jiff::Timestamp>() {
        properties =
            properties.set_creation_datetime(&ExcelDateTime::from_timestamp(t.as_second())?);
    }
    book.set_properties(&properties);
    let bold = Format::new().set_bold();
    let names = sheet_names();
    let lists: Vec<Vec<&AuditUser>> = LISTS
        .iter()
        .map(|list| report.users.iter().filter(|u| list.holds(u)).collect())
        .collect();
    // What a sheet cannot hold is said on the Summary, which is written first.
    let mut cut = Vec::new();
    let over = |sheet: &str, n: usize| {
        (n > max_users as usize).then(|| {
            format!(
                "The sheet \"{sheet}\" holds the first {max_users} of its {n} users (Excel's limit \
                 of rows); the CSV and the JSON hold them all."
            )
        })
    };
    cut.extend(over("Users", report.users.len()));
    for (name, users) in names.iter().zip(&lists) {
        cut.extend(over(name, users.len()));
    }
    summary_sheet(book.add_worksheet(), report, &cut, &bold)?;
    let sheet = book.add_worksheet_with_constant_memory()?;
    user_sheet(sheet, "Users", report.users.iter(), max_users, &bold)?;
    for (name, users) in names.iter().zip(lists) {
        let sheet = book.add_worksheet_with_constant_memory()?;
        user_sheet(sheet, name, users.into_iter(), max_users, &bold)?;
    }
    Ok(book)
}

/// The Summary: the key figures, the seven answers and the warnings, as label and value rows
/// under a bold header each.
fn summary_sheet(
    sheet: &mut Worksheet,
    report: &AuditReport,
    cut: &[String],
    bold: &Format,
) -> std::result::Result<(), XlsxError> {
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    sheet.set_name("Summary")?;
    sheet.set_column_width(0, 58)?;
    sheet.set_column_width(1, 100)?;
    let mut row = 0;
    header(sheet, &mut row, ["Key figure", "Value"], bold)?;
    for (label, value) in figures::key_figures(report) {
        sheet.write_string(row, 0, label)?;
        match value {
            Value::Text(t) => text(sheet, row, 1, t, Some(&wrap))?,
            Value::Count(Some(n)) => number(sheet, row, 1, n)?,
            Value::Bool(Some(b)) => boolean(sheet, row, 1, b)?,
            Value::Count(None) | Value::Bool(None) => {}
        }
        row += 1;
    }
    row += 1;
    header(sheet, &mut row, ["Question", "Answer"], bold)?;
    for (question, answer) in figures::answers(report) {
        text(sheet, row, 0, question, Some(&wrap))?;
        text(sheet, row, 1, answer, Some(&wrap))?;
        row += 1;
    }
    row += 1;
    header(sheet, &mut row, ["Warnings"], bold)?;
    let warnings: Vec<&str> = report
        .warnings
        .iter()
        .chain(cut)
        .map(String::as_str)
        .collect();
    if warnings.is_empty() {
        sheet.write_string(row, 0, "None")?;
    }
    for (i, warning) in warnings.iter().enumerate() {
        sheet.write_string(row, 0, format!("Warning {}", i + 1))?;
        text(sheet, row, 1, warning, Some(&wrap))?;
        row += 1;
    }
    Ok(())
}

/// A bold header row of the Summary at `row`, which then moves on.
fn header(
    sheet: &mut Worksheet,
    row: &mut u32,
    titles: impl IntoIterator<Item = &'static str>,
    bold: &Format,
) -> std::result::Result<(), XlsxError> {
    for (col, title) in (0u16..).zip(titles) {
        sheet.write_string_with_format(*row, col, title, bold)?;
    }
    *row += 1;
    Ok(())
}

/// A sheet of users: the CSV's header (frozen, with a filter over the whole table), then one row
/// per user, at most `max_users`.
fn user_sheet<'a>(
    sheet: &mut Worksheet,
    name: &str,
    users: impl Iterator<Item = &'a AuditUser>,
    max_users: u32,
    bold: &Format,
) -> std::result::Result<(), XlsxError> {
    sheet.set_name(name)?;
    for (col, width) in (0u16..).zip(WIDTHS) {
        sheet.set_column_width(col, width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (col, title) in (0u16..).zip(CSV_HEADER) {
        sheet.write_string_with_format(0, col, title, bold)?;
    }
    let mut last = 0;
    for (row, user) in (1..=max_users).zip(users) {
        for (col, cell) in (0u16..).zip(columns::cells(user)) {
            match cell {
                Cell::Text(t) => text(sheet, row, col, &t, None)?,
                Cell::Count(n) => number(sheet, row, col, n)?,
                Cell::Bool(b) => boolean(sheet, row, col, b)?,
                Cell::Unknown => {}
            }
        }
        last = row;
    }
    sheet.autofilter(0, 0, last, columns::COUNT as u16 - 1)?;
    Ok(())
}

/// A text cell, always a string (never a formula, a number or a link), cut to Excel's limit;
/// an empty text is an empty cell.
fn text(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    s: &str,
    format: Option<&Format>,
) -> std::result::Result<(), XlsxError> {
    if s.is_empty() {
        return Ok(());
    }
    let s = fit(s);
    match format {
        Some(f) => sheet.write_string_with_format(row, col, s, f)?,
        None => sheet.write_string(row, col, s)?,
    };
    Ok(())
}

fn number(sheet: &mut Worksheet, row: u32, col: u16, n: u64) -> std::result::Result<(), XlsxError> {
    sheet.write_number(row, col, n as f64)?;
    Ok(())
}

fn boolean(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    b: bool,
) -> std::result::Result<(), XlsxError> {
    sheet.write_boolean(row, col, b)?;
    Ok(())
}

/// `s` within [`MAX_TEXT`] UTF-16 units: cut, with `...` where it was cut, when it is longer.
fn fit(s: &str) -> Cow<'_, str> {
    // A character takes no more UTF-16 units than UTF-8 bytes.
    if s.len() <= MAX_TEXT || s.encode_utf16().count() <= MAX_TEXT {
        return Cow::Borrowed(s);
    }
    let mut units = 0;
    for (at, c) in s.char_indices() {
        units += c.len_utf16();
        if units > MAX_TEXT - 3 {
            return Cow::Owned(format!("{}...", &s[..at]));
        }
    }
    Cow::Borrowed(s)
}

/// The finding lists' sheet names, in the order of [`LISTS`]: each title without the characters
/// Excel refuses (`[]:*?/\`), cut at a word to 31 characters with `…`, unique (Excel compares
/// names without case, and "Summary" and "Users" are taken).
fn sheet_names() -> Vec<String> {
    let mut taken: Vec<String> = vec!["summary".into(), "users".into()];
    let mut names = Vec::new();
    for list in LISTS {
        let clean: String = list
            .title
            .chars()
            .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
            .collect();
        let clean = clean.trim_matches(|c: char| c == '\'' || c.is_whitespace());
        let mut name = shorten(clean, MAX_SHEET_NAME);
        let mut n = 2;
        while taken.contains(&name.to_lowercase()) {
            let suffix = format!(" ({n})");
            name = format!(
                "{}{suffix}",
                shorten(clean, MAX_SHEET_NAME - suffix.chars().count())
            );
            n += 1;
        }
        taken.push(name.to_lowercase());
        names.push(name);
    }
    names
}

/// `s` in at most `max` characters: cut at the last word that fits, with `…`.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let head: String = s.chars().take(max - 1).collect();
    // Cut at a space when one follows a word that fits (else mid-word), then drop the
    // punctuation the cut leaves at the end.
    let head = match s.chars().nth(max - 1) {
        Some(' ') => head.as_str(),
        _ => head.rfind(' ').map_or(head.as_str(), |at| &head[..at]),
    };
    format!("{}…", head.trim_end_matches([' ', ',', ';', '-']))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names themselves are asserted by tests/outputs.rs.
    #[test]
    fn sheet_names_fit_excel() {
        let names = sheet_names();
        assert_eq!(names.len(), LISTS.len());
        for (i, name) in names.iter().enumerate() {
            assert!(name.chars().count() <= MAX_SHEET_NAME, "{name}");
            assert!(
                !name.contains(['[', ']', ':', '*', '?', '/', '\\']),
                "{name}"
            );
            let lower = name.to_lowercase();
            assert!(lower != "summary" && lower != "users", "{name}");
            assert!(
                names[..i].iter().all(|n| n.to_lowercase() != lower),
                "{name}"
            );
        }
        assert_eq!(shorten("abcdefgh", 5), "abcd…");
        assert_eq!(shorten("ab cd ef", 6), "ab cd…");
    }

    #[test]
    fn long_texts_are_cut_to_excels_limit() {
        let short = "é".repeat(MAX_TEXT);
        assert!(matches!(fit(&short), Cow::Borrowed(_)));
        let long = "x".repeat(MAX_TEXT + 1);
        let cut = fit(&long);
        assert_eq!(cut.len(), MAX_TEXT);
        assert!(cut.ends_with("x..."));
        // Astral characters take two UTF-16 units each.
        let astral = "😀".repeat(MAX_TEXT / 2 + 1);
        let cut = fit(&astral);
        assert_eq!(cut.encode_utf16().count(), MAX_TEXT);
        assert!(cut.ends_with("😀..."));
    }

    /// More users than a sheet holds: the sheets stop at the limit and the Summary says so.
    #[test]
    fn a_full_sheet_is_said_on_the_summary() {
        use calamine::{Data, Reader, Xlsx};
        let user = |upn: &str| AuditUser {
            upn: upn.into(),
            per_user_state: "disabled".into(),
            flags: vec![super::super::audit::flag::ENABLED_UNREGISTERED.into()],
            ..AuditUser::default()
        };
        let report = AuditReport {
            users: vec![user("a@x"), user("b@x")],
            ..AuditReport::default()
        };
        let bytes = workbook(&report, 1).unwrap().save_to_buffer().unwrap();
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(io::Cursor::new(bytes)).unwrap();
        let column = |book: &mut Xlsx<_>, sheet: &str, col: usize| -> Vec<Data> {
            let range = book.worksheet_range(sheet).unwrap();
            range.rows().map(|r| r[col].clone()).collect()
        };
        let s = |t: &str| Data::String(t.into());
        assert_eq!(column(&mut book, "Users", 0), [s("upn"), s("a@x")]);
        assert_eq!(
            column(&mut book, "Enabled users not registered…", 0),
            [s("upn"), s("a@x")]
        );
        let warnings = column(&mut book, "Summary", 1);
        assert_eq!(
            warnings[warnings.len() - 2..],
            [
                s(
                    "The sheet \"Users\" holds the first 1 of its 2 users (Excel's limit of rows); the CSV and the JSON hold them all."
                ),
                s(
                    "The sheet \"Enabled users not registered…\" holds the first 1 of its 2 users (Excel's limit of rows); the CSV and the JSON hold them all."
                ),
            ]
        );
    }
}
