//! What every CSV reader shares: the `#TYPE` line, delimiter sniffing, header lookup through the
//! alias table (`vocab::headers`), and errors that name the line.

use std::io::{self, BufRead, Read};
use std::path::Path;

use super::decode::Decoded;
use crate::error::{Error, Position, Result};
use crate::vocab::names;

/// Longest field accepted (a sign-in's JSON-in-CSV columns are the largest real ones).
pub const MAX_FIELD_BYTES: usize = 8 * 1024 * 1024;

/// An opened CSV export: a reader positioned after the header, and the header itself.
pub struct CsvInput {
    pub reader: csv::Reader<Guard<Box<dyn BufRead + Send>>>,
    /// Header names as written.
    pub headers: Vec<String>,
    /// Header names through [`names::key`].
    pub normalized: Vec<String>,
    /// Lines before the first record (1 or 2), to turn record numbers into line numbers.
    pub lines_before: u64,
    /// Lines end in CRLF (the csv crate then counts record lines one short).
    pub crlf: bool,
}

/// The header line of a CSV head: the first line that is not a `#TYPE`/comment line, split on the
/// sniffed delimiter. Returns the type line too.
pub fn csv_header(text: &str) -> (Option<String>, Vec<String>, u8) {
    let mut type_line = None;
    let mut header_line = "";
    for line in text.lines() {
        let l = line.trim_start_matches('\u{feff}');
        if l.starts_with('#') && header_line.is_empty() && type_line.is_none() {
            type_line = Some(l.to_string());
            continue;
        }
        if l.trim().is_empty() {
            continue;
        }
        header_line = l;
        break;
    }
    let delimiter = sniff_delimiter(header_line);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(header_line.as_bytes());
    let fields = rdr
        .records()
        .next()
        .and_then(|r| r.ok())
        .map(|r| r.iter().map(str::to_string).collect())
        .unwrap_or_default();
    (type_line, fields, delimiter)
}

/// `,` unless the header line has more `;` (European `-UseCulture` exports) or tabs outside quotes.
pub fn sniff_delimiter(line: &str) -> u8 {
    let (mut commas, mut semis, mut tabs, mut quoted) = (0, 0, 0, false);
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semis += 1,
            '\t' if !quoted => tabs += 1,
            _ => {}
        }
    }
    if semis > commas && semis >= tabs {
        b';'
    } else if tabs > commas {
        b'\t'
    } else {
        b','
    }
}

/// Opens a decoded CSV: skips a leading `#TYPE`/comment line, sniffs the delimiter, reads the header.
pub fn open(mut decoded: Decoded) -> Result<CsvInput> {
    let (type_line, _, delimiter) = csv_header(&decoded.head);
    let crlf = decoded
        .head
        .find('\n')
        .is_some_and(|i| i > 0 && decoded.head.as_bytes()[i - 1] == b'\r');
    let mut lines_before = 1;
    if type_line.is_some() {
        let mut first = String::new();
        decoded
            .reader
            .read_line(&mut first)
            .map_err(|e| Error::io(&decoded.path, e))?;
        lines_before += 1;
    }
    let guard = Guard::new(decoded.reader, delimiter, lines_before - 1);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .trim(csv::Trim::None)
        .from_reader(guard);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| record_error(&decoded.path, &e, lines_before))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    let normalized = headers.iter().map(|h| names::key(h)).collect();
    Ok(CsvInput {
        reader,
        headers,
        normalized,
        lines_before,
        crlf,
    })
}

impl CsvInput {
    /// The 1-based line in the file where a record starts.
    pub fn line_of(&self, p: &csv::Position) -> u64 {
        p.line() + self.lines_before - 1 + u64::from(self.crlf)
    }

    /// Reads the next record into `record`: `false` at the end. A malformed record or an
    /// oversized field is an error naming its line. Returns the record's line in the file.
    pub fn next_record(
        &mut self,
        path: &Path,
        record: &mut csv::StringRecord,
    ) -> Result<Option<u64>> {
        match self.reader.read_record(record) {
            Ok(true) => {}
            Ok(false) => return Ok(None),
            Err(e) => return Err(self.error(path, &e)),
        }
        check_size(path, record)?;
        Ok(Some(
            record
                .position()
                .map_or(self.lines_before, |p| self.line_of(p)),
        ))
    }

    /// [`CsvInput::next_record`] for a directory export, whose rows PowerShell and the admin
    /// center always write whole: a row with another number of fields than the header, or a line
    /// break inside one of the fields in `read` (a UPN, a state: values that never hold one), is
    /// a broken file (a stray quote, a cut-short line), not a user.
    pub fn next_whole_record(
        &mut self,
        path: &Path,
        record: &mut csv::StringRecord,
        read: &[usize],
    ) -> Result<Option<u64>> {
        let Some(line) = self.next_record(path, record)? else {
            return Ok(None);
        };
        if record.len() != self.headers.len() {
            return Err(Error::input(
                path,
                Position::Line(line),
                format!(
                    "expected {} fields as in the header, found {}: the row is cut short or has a stray delimiter or quote",
                    self.headers.len(),
                    record.len()
                ),
            ));
        }
        if let Some(&i) = read
            .iter()
            .find(|&&i| record.get(i).is_some_and(|f| f.contains(['\n', '\r'])))
        {
            return Err(Error::input(
                path,
                Position::Line(line),
                format!(
                    "the {} field holds a line break, which this export never writes there: a stray quote swallowed the lines after it",
                    crate::text::quoted(&self.headers[i], 40)
                ),
            ));
        }
        Ok(Some(line))
    }

    /// A csv error as a one-line input error with the file's line number.
    pub fn error(&self, path: &Path, err: &csv::Error) -> Error {
        let offset = self.lines_before - 1 + u64::from(self.crlf);
        let line = err
            .position()
            .map_or(self.lines_before, |p| p.line() + offset);
        record_error_at(path, err, line)
    }

    /// The first column whose normalised name is one of `aliases` (already normalised).
    pub fn column(&self, aliases: &[&str]) -> Option<usize> {
        self.normalized
            .iter()
            .position(|h| aliases.contains(&h.as_str()))
    }
}

/// A csv error as a one-line input error with the line number.
pub fn record_error(path: &Path, err: &csv::Error, lines_before: u64) -> Error {
    let line = err.position().map_or(lines_before, |p| p.line());
    record_error_at(path, err, line)
}

fn record_error_at(path: &Path, err: &csv::Error, line: u64) -> Error {
    let what = match err.kind() {
        csv::ErrorKind::Utf8 { .. } => {
            "invalid UTF-8 inside a field (pass --encoding LABEL if the file is not UTF-8)"
                .to_string()
        }
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("expected {expected_len} fields, found {len}")
        }
        csv::ErrorKind::Io(e) => {
            if let Some(g) = e.get_ref().and_then(|g| g.downcast_ref::<GuardError>()) {
                return Error::input(path, Position::Line(g.line), g.what.clone());
            }
            format!("read error: {e}")
        }
        _ => format!("malformed CSV: {err}"),
    };
    Error::input(path, Position::Line(line), what)
}

/// What [`Guard`] stopped a CSV for, and on which line.
#[derive(Debug)]
pub struct GuardError {
    pub line: u64,
    pub what: String,
}

impl std::fmt::Display for GuardError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.what)
    }
}

impl std::error::Error for GuardError {}

/// Where a CSV's scanner is within a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    /// At the start of a field.
    Start,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: the field's end, or the first of a doubled quote.
    QuoteInQuoted,
}

/// Reads a CSV's bytes for the csv crate and follows its quoting as it goes, so that a field is
/// stopped at [`MAX_FIELD_BYTES`] before it is all in memory (a 1 GB field costs the limit, not a
/// gigabyte), and a file that ends inside a quoted field is an error naming the line the quote
/// opened on (the csv crate would take the rest of the file as one field).
pub struct Guard<R> {
    inner: R,
    delimiter: u8,
    state: Field,
    field_bytes: usize,
    /// Line breaks seen (the line of the current byte is `line + 1`).
    line: u64,
    quote_line: u64,
}

impl<R: Read> Guard<R> {
    /// `lines_before`: lines of the file already read past (a `#TYPE` line).
    pub fn new(inner: R, delimiter: u8, lines_before: u64) -> Guard<R> {
        Guard {
            inner,
            delimiter,
            state: Field::Start,
            field_bytes: 0,
            line: lines_before,
            quote_line: 0,
        }
    }

    fn stop(&self, line: u64, what: String) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, GuardError { line, what })
    }

    fn scan(&mut self, bytes: &[u8]) -> io::Result<()> {
        for &b in bytes {
            if b == b'\n' {
                self.line += 1;
            }
            self.state = match (self.state, b) {
                (Field::Start, b'"') => {
                    self.quote_line = self.line + 1;
                    Field::Quoted
                }
                (Field::Quoted, b'"') => Field::QuoteInQuoted,
                (Field::QuoteInQuoted, b'"') => Field::Quoted,
                (Field::Quoted, _) => Field::Quoted,
                (_, b'\n') => Field::Start,
                (_, c) if c == self.delimiter => Field::Start,
                (Field::QuoteInQuoted, _) | (Field::Start, _) | (Field::Unquoted, _) => {
                    Field::Unquoted
                }
            };
            if self.state == Field::Start {
                self.field_bytes = 0;
            } else {
                self.field_bytes += 1;
                if self.field_bytes > MAX_FIELD_BYTES {
                    return Err(self.stop(
                        self.line + 1,
                        format!(
                            "a field larger than {} MiB: not an export",
                            MAX_FIELD_BYTES >> 20
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && self.state == Field::Quoted {
            return Err(self.stop(
                self.quote_line,
                "the file ends inside the quoted field that opens on this line (a stray quote, or a file cut short)"
                    .into(),
            ));
        }
        self.scan(&buf[..n])?;
        Ok(n)
    }
}

/// Decides a CSV's day/month order before its rows are read: from the dates in `column` of the
/// rows in the file's head, then, when those leave it open and the file can be read twice (it is
/// not standard input), from the rest of the file's dates, read ahead (the rows stay unread).
pub fn learn_date_order(
    dates: &mut super::when::FileDates,
    file: &super::InputFile,
    opts: &super::ReadOptions,
    head: &str,
    column: Option<usize>,
) -> Result<()> {
    let Some(column) = column else {
        return Ok(());
    };
    let (_, _, delimiter) = csv_header(head);
    let mut sample = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .comment(Some(b'#'))
        .from_reader(head.as_bytes());
    let mut culture = false;
    for record in sample.records().flatten() {
        if let Some(v) = record.get(column) {
            culture |= super::when::order_hint(v) != super::when::Hint::Neither;
            dates.learn(v);
        }
        if dates.settled() {
            return Ok(());
        }
    }
    if !culture || file.path.as_os_str() == "-" {
        return Ok(());
    }
    // A file that cannot be opened again (held in memory) is read with what the head said.
    let Ok(mut ahead) = super::reopen(file, opts).and_then(open) else {
        return Ok(());
    };
    let mut record = csv::StringRecord::new();
    while !dates.settled() {
        match ahead.reader.read_record(&mut record) {
            Ok(true) => {
                if let Some(v) = record.get(column) {
                    dates.learn(v);
                }
            }
            // The real read reports what is wrong with the file.
            Ok(false) | Err(_) => break,
        }
    }
    Ok(())
}

/// The text of one field, trimmed; `None` when empty.
pub fn field(record: &csv::StringRecord, index: Option<usize>) -> Option<&str> {
    let v = record.get(index?)?.trim();
    (!v.is_empty()).then_some(v)
}

/// Checks a record's fields against the size limit (the [`Guard`] stops a larger one first; this
/// stays for records built another way).
pub fn check_size(path: &Path, record: &csv::StringRecord) -> Result<()> {
    if record.iter().any(|f| f.len() > MAX_FIELD_BYTES) {
        let line = record.position().map_or(0, |p| p.line());
        return Err(Error::input(
            path,
            Position::Line(line),
            format!(
                "a field larger than {} MiB: not an export",
                MAX_FIELD_BYTES >> 20
            ),
        ));
    }
    Ok(())
}

/// Reads `True`/`False`/`TRUE`/`yes`/`1`...; `None` for empty or unknown text.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "allowed" | "enabled" | "vrai" | "verdadero" | "oui"
        | "sí" | "si" => Some(true),
        "false" | "no" | "n" | "0" | "denied" | "blocked" | "disabled" | "faux" | "falso"
        | "non" => Some(false),
        _ => None,
    }
}
