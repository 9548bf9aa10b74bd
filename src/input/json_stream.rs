//! JSON framing, shared by every JSON reader: finds the records in a stream whatever way they were
//! written — one array, a bare object, `{"value":[...]}` pages (Graph, and PowerShell 5.1's
//! `{"value":[...],"Count":n}` wrapper), `{"records":[...]}` (Azure Monitor), JSON Lines, or several
//! arrays back to back — and hands each record's bytes to the caller. Memory is one record at a time.
//!
//! Long because framing is one state machine over bytes (strings, escapes, nesting, pages, lines)
//! whose fast paths must agree with its slow one; a quarter of it is the tests that hold them to it.

use std::io::BufRead;
use std::path::Path;

use crate::error::{Error, Position, Result};

/// Nesting deeper than this is refused: no export nests anywhere near it.
pub const MAX_DEPTH: usize = 200;
/// One record larger than this is refused.
pub const MAX_RECORD_BYTES: usize = 64 * 1024 * 1024;

/// Where a record starts in the decoded text (1-based), and its ordinal in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordPos {
    pub line: u64,
    pub col: u64,
    pub index: u64,
    /// The record (a JSON Lines line) was larger than [`MAX_RECORD_BYTES`]: its bytes were not
    /// kept (the caller gets none), and the lines after it are read on.
    pub oversized: bool,
}

impl RecordPos {
    /// The error an oversized record is.
    pub fn too_large(&self, path: &Path) -> Error {
        Error::input(
            path,
            Position::LineCol(self.line, self.col),
            format!(
                "one JSON record is larger than {} MiB: not an export record",
                MAX_RECORD_BYTES >> 20
            ),
        )
    }

    /// Turns a serde_json error inside this record into a file position.
    pub fn error(&self, path: &Path, err: &serde_json::Error, what: &str) -> Error {
        let (line, col) = if err.line() <= 1 {
            (self.line, self.col + err.column().saturating_sub(1) as u64)
        } else {
            (self.line + err.line() as u64 - 1, err.column() as u64)
        };
        let detail = err.to_string();
        let detail = detail.split(" at line ").next().unwrap_or(&detail);
        Error::input(
            path,
            Position::LineCol(line, col),
            format!("{what}: {detail}"),
        )
    }
}

/// What the framing found besides records: the envelope members of wrapper objects.
#[derive(Debug, Default, Clone)]
pub struct Envelope {
    /// `@odata.context` of the first page, when present.
    pub odata_context: Option<String>,
    /// Number of `@odata.nextLink` members seen (pages that said more followed).
    pub next_links: u64,
    /// Number of top-level JSON values (pages, arrays, lines).
    pub top_level_values: u64,
    /// The last page read still said more pages follow (`@odata.nextLink`): the pages after it
    /// are not in the file, so the export is incomplete.
    pub last_page_has_next: bool,
}

struct Scanner<R> {
    reader: R,
    line: u64,
    /// Bytes consumed so far.
    offset: u64,
    /// Offset of the first byte of the current line.
    line_start: u64,
}

impl<R: BufRead> Scanner<R> {
    /// 1-based column, in bytes, of the next byte.
    fn col(&self) -> u64 {
        self.offset - self.line_start + 1
    }

    fn bump(&mut self, b: u8) {
        self.reader.consume(1);
        self.offset += 1;
        if b == b'\n' {
            self.line += 1;
            self.line_start = self.offset;
        }
    }

    fn skip_ws(&mut self, path: &Path) -> Result<Option<u8>> {
        loop {
            let buf = self.reader.fill_buf().map_err(|e| Error::io(path, e))?;
            if buf.is_empty() {
                return Ok(None);
            }
            let mut n = 0;
            let mut found = None;
            for &b in buf {
                // A stray BOM between appended files (Out-File -Append) is whitespace here.
                if matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0xEF | 0xBB | 0xBF) {
                    n += 1;
                    if b == b'\n' {
                        self.line += 1;
                        self.line_start = self.offset + n as u64;
                    }
                } else {
                    found = Some(b);
                    break;
                }
            }
            self.reader.consume(n);
            self.offset += n as u64;
            if found.is_some() {
                return Ok(found);
            }
        }
    }

    fn err(&self, path: &Path, msg: impl Into<String>) -> Error {
        Error::input(path, Position::LineCol(self.line, self.col()), msg)
    }

    /// The next value, when it is an object lying whole in the reader's buffer: handed to `emit`
    /// from there, without a copy, its end found by serde's skipping (several times faster than
    /// [`Scanner::capture_value`]'s walk). `Ok(false)`, with nothing consumed, otherwise — the
    /// value crosses the buffer's end, is not an object, or is not well formed — and
    /// `capture_value` frames it (and reports what is wrong) as it always has.
    fn emit_buffered_object(
        &mut self,
        path: &Path,
        emit: &mut impl FnMut(&[u8]) -> Result<()>,
    ) -> Result<bool> {
        /// Below this much buffered text the value may well not lie whole in it (a decoding
        /// reader hands over a few KiB at a time): a failed attempt would be work thrown away.
        const WORTH_TRYING: usize = 64 * 1024;
        let buf = self.reader.fill_buf().map_err(|e| Error::io(path, e))?;
        if buf.len() < WORTH_TRYING || buf.first() != Some(&b'{') {
            return Ok(false);
        }
        let mut values =
            serde_json::Deserializer::from_slice(buf).into_iter::<serde::de::IgnoredAny>();
        if !matches!(values.next(), Some(Ok(_))) {
            return Ok(false);
        }
        let end = values.byte_offset();
        let value = &buf[..end];
        // Positions after the value: the line breaks inside it (pretty-printed exports).
        if let Some(last) = memchr::memrchr(b'\n', value) {
            self.line += memchr::memchr_iter(b'\n', value).count() as u64;
            self.line_start = self.offset + last as u64 + 1;
        }
        emit(value)?;
        self.reader.consume(end);
        self.offset += end as u64;
        Ok(true)
    }

    /// Appends one complete JSON value to `out`. The stream must be at its first byte.
    fn capture_value(&mut self, path: &Path, out: &mut Vec<u8>) -> Result<()> {
        let mut depth: usize = 0;
        let mut in_string = false;
        let mut scalar = false;
        let start_line = self.line;
        let start_col = self.col();
        let start_len = out.len();
        loop {
            let buf = self.reader.fill_buf().map_err(|e| Error::io(path, e))?;
            if buf.is_empty() {
                if scalar && depth == 0 {
                    return Ok(());
                }
                return Err(Error::input(
                    path,
                    Position::LineCol(self.line, self.col()),
                    format!(
                        "the JSON ends inside a value that starts at {start_line}:{start_col}: the file is truncated"
                    ),
                ));
            }
            let mut i = 0;
            let mut done = false;
            let mut pending_escape = false;
            while i < buf.len() {
                if in_string {
                    if pending_escape {
                        pending_escape = false;
                        i += 1;
                        continue;
                    }
                    // Strings hold no raw newline: jump to the next quote or backslash.
                    match memchr::memchr2(b'"', b'\\', &buf[i..]) {
                        None => {
                            i = buf.len();
                            break;
                        }
                        Some(k) => {
                            i += k;
                            if buf[i] == b'\\' {
                                pending_escape = true;
                                i += 1;
                                continue;
                            }
                            in_string = false;
                            i += 1;
                            if depth == 0 {
                                done = true;
                                break;
                            }
                            continue;
                        }
                    }
                }
                let b = buf[i];
                if scalar && depth == 0 {
                    if matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\r' | b'\n') {
                        done = true;
                        break;
                    }
                    i += 1;
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => {
                        depth += 1;
                        if depth > MAX_DEPTH {
                            let col = self.offset + i as u64 - self.line_start + 1;
                            return Err(Error::input(
                                path,
                                Position::LineCol(self.line, col),
                                format!(
                                    "JSON nested deeper than {MAX_DEPTH} levels: not an export"
                                ),
                            ));
                        }
                    }
                    b'}' | b']' => {
                        if depth == 0 {
                            let col = self.offset + i as u64 - self.line_start + 1;
                            return Err(Error::input(
                                path,
                                Position::LineCol(self.line, col),
                                "a closing bracket where a value was expected",
                            ));
                        }
                        depth -= 1;
                        if depth == 0 {
                            i += 1;
                            done = true;
                            break;
                        }
                    }
                    b'\n' => {
                        if depth == 0 {
                            done = true;
                            break;
                        }
                        self.line += 1;
                        self.line_start = self.offset + i as u64 + 1;
                        // Indentation: PowerShell 5.1's layout is half spaces.
                        while i + 1 < buf.len() && buf[i + 1] == b' ' {
                            i += 1;
                        }
                    }
                    b' ' | b'\t' | b'\r' | b',' | b':' => {
                        if depth == 0 {
                            done = true;
                            break;
                        }
                        while i + 1 < buf.len() && buf[i + 1] == b' ' {
                            i += 1;
                        }
                    }
                    _ => {
                        if depth == 0 {
                            scalar = true;
                        }
                    }
                }
                i += 1;
            }
            // An escape split across two buffers: the next buffer's first byte is escaped.
            if pending_escape && !done {
                out.extend_from_slice(&buf[..i]);
                self.reader.consume(i);
                self.offset += i as u64;
                let next = self.reader.fill_buf().map_err(|e| Error::io(path, e))?;
                if let Some(&b) = next.first() {
                    out.push(b);
                    self.reader.consume(1);
                    self.offset += 1;
                }
                continue;
            }
            out.extend_from_slice(&buf[..i]);
            self.reader.consume(i);
            self.offset += i as u64;
            if out.len() - start_len > MAX_RECORD_BYTES {
                return Err(Error::input(
                    path,
                    Position::LineCol(start_line, start_col),
                    format!(
                        "one JSON record is larger than {} MiB: not an export record",
                        MAX_RECORD_BYTES >> 20
                    ),
                ));
            }
            if done {
                return Ok(());
            }
        }
    }

    fn expect(&mut self, path: &Path, want: u8, what: &str) -> Result<()> {
        match self.skip_ws(path)? {
            Some(b) if b == want => {
                self.bump(b);
                Ok(())
            }
            Some(b) => Err(self.err(path, format!("expected {what}, found '{}'", b as char))),
            None => Err(self.err(
                path,
                format!("expected {what}, found the end of the file: the file is truncated"),
            )),
        }
    }
}

/// Parses one framed record. The text is checked as UTF-8 once, as a whole, so that serde need not
/// check every string again (a third of the parse); text that is not UTF-8 goes serde's checking
/// way, whose error says where.
pub fn parse<'a, T: serde::Deserialize<'a>>(bytes: &'a [u8]) -> serde_json::Result<T> {
    // simdutf8: several times faster than `std::str::from_utf8` on long records.
    match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(bytes),
    }
}

/// A JSON Lines line without what may end it after the record: the line break, blanks, and a
/// comma (hand-joined files).
fn line_record(line: &[u8]) -> &[u8] {
    let mut record = line;
    while let [rest @ .., b'\n' | b'\r' | b' ' | b'\t' | b','] = record {
        record = rest;
    }
    record
}

/// `BufRead::read_until(b'\n')` with the `memchr` crate's search (std's is several times slower,
/// and a JSON Lines log is searched end to end). At most `cap` bytes are kept: the rest of a longer
/// line is read past, not kept (`buf` then holds more than `cap` bytes' worth only as a marker: its
/// length is `cap + 1`).
fn read_line<R: BufRead>(reader: &mut R, buf: &mut Vec<u8>, cap: usize) -> std::io::Result<usize> {
    let mut read = 0;
    let start = buf.len();
    loop {
        let (done, used) = {
            let available = match reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            let (part, done) = match memchr::memchr(b'\n', available) {
                Some(i) => (&available[..=i], true),
                None => (available, available.is_empty()),
            };
            let room = (cap + 1).saturating_sub(buf.len() - start);
            buf.extend_from_slice(&part[..part.len().min(room)]);
            if done && part.len() > room && part.last() == Some(&b'\n') {
                // The kept part of an oversized line still ends the line.
                buf.push(b'\n');
            }
            (done, part.len())
        };
        reader.consume(used);
        read += used;
        if done {
            return Ok(read);
        }
    }
}

/// The members whose array holds a page's records: Graph's `value` (and PowerShell 5.1's
/// `{"value":[...],"Count":n}`), Azure Monitor's `records`. Matched in any case.
pub const PAGE_MEMBERS: [&str; 2] = ["value", "records"];

/// Whether a member name is one of [`PAGE_MEMBERS`].
pub fn is_page_member(name: &str) -> bool {
    PAGE_MEMBERS.iter().any(|m| name.eq_ignore_ascii_case(m))
}

/// Who looks for pages (a `value`/`records` array wrapping the records) on the lines of a JSON
/// Lines file, which the framing hands over whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pages {
    /// The framing searches each line for `"value"`/`"records"` and frames a page's records.
    Framer,
    /// The caller's record parser notices a page (a member it reads anyway) and frames it with
    /// [`frame_record`]: no search through every line.
    Caller,
}

/// Streams the records of a JSON input to `on_record(bytes, position)`.
pub fn for_each_record<R: BufRead>(
    reader: R,
    path: &Path,
    mut on_record: impl FnMut(&[u8], RecordPos) -> Result<()>,
) -> Result<Envelope> {
    frame_from(reader, path, (1, 1), Pages::Framer, &mut on_record)
}

/// [`for_each_record`], saying who looks for pages on JSON Lines lines.
pub fn for_each_record_with<R: BufRead>(
    reader: R,
    path: &Path,
    pages: Pages,
    mut on_record: impl FnMut(&[u8], RecordPos) -> Result<()>,
) -> Result<Envelope> {
    frame_from(reader, path, (1, 1), pages, &mut on_record)
}

/// Frames one record found at `pos` that turned out to be a page: its records, with their own
/// positions in the file (and `pos.index` as their record number).
pub fn frame_record(
    bytes: &[u8],
    path: &Path,
    pos: RecordPos,
    on_record: &mut dyn FnMut(&[u8], RecordPos) -> Result<()>,
) -> Result<Envelope> {
    frame_from(
        bytes,
        path,
        (pos.line, pos.col),
        Pages::Framer,
        &mut |b, p| {
            on_record(
                b,
                RecordPos {
                    index: pos.index,
                    ..p
                },
            )
        },
    )
}

/// The framing of text that starts at `(line, col)` of the file (the whole file, or one line of a
/// JSON Lines file framed on its own), so that positions in records and in errors are the file's.
/// The callback is dynamic so that a page found on one line can be framed by the same code.
fn frame_from<R: BufRead>(
    reader: R,
    path: &Path,
    (line, col): (u64, u64),
    pages: Pages,
    on_record: &mut dyn FnMut(&[u8], RecordPos) -> Result<()>,
) -> Result<Envelope> {
    let mut sc = Scanner {
        reader,
        line,
        // Columns count from the line's start: the bytes before `col` are as good as consumed.
        offset: col - 1,
        line_start: 0,
    };
    let mut env = Envelope::default();
    let mut buf = Vec::with_capacity(16 * 1024);
    // Both callbacks number the records; a cell shares the count between them.
    let index = std::cell::Cell::new(0u64);
    let on_record = std::cell::RefCell::new(on_record);
    let deliver = |buf: &[u8], line, col, oversized| -> Result<()> {
        let pos = RecordPos {
            line,
            col,
            index: index.get(),
            oversized,
        };
        index.set(index.get() + 1);
        (on_record.borrow_mut())(buf, pos)
    };
    let mut emit = |buf: &[u8], line, col| deliver(buf, line, col, false);
    let oversized = |line, col| deliver(&[], line, col, true);
    // JSON Lines (Azure Monitor archives, SOF-ELK files): once the first object has started and
    // ended on one line, each later line that starts with `{` is handed over whole — the record
    // parser checks it — instead of being walked byte by byte here.
    let mut json_lines: Option<bool> = None;
    // Searchers built once (a log has millions of lines), for each page member as exports spell
    // it.
    static PAGE_FINDERS: std::sync::LazyLock<Vec<memchr::memmem::Finder<'static>>> =
        std::sync::LazyLock::new(|| {
            PAGE_MEMBERS
                .iter()
                .map(|m| memchr::memmem::Finder::new(&format!("\"{m}\"")).into_owned())
                .collect()
        });
    let is_page =
        |line: &[u8]| pages == Pages::Framer && PAGE_FINDERS.iter().any(|f| f.find(line).is_some());
    while let Some(b) = sc.skip_ws(path)? {
        env.top_level_values += 1;
        if b == b'{' && json_lines == Some(true) {
            let (line, col) = (sc.line, sc.col());
            // A line lying whole in the read buffer is handed over from there, without a copy.
            let used = {
                let available = sc.reader.fill_buf().map_err(|e| Error::io(path, e))?;
                match memchr::memchr(b'\n', available) {
                    Some(end) if end <= MAX_RECORD_BYTES && !is_page(&available[..end]) => {
                        emit(line_record(&available[..end]), line, col)?;
                        Some(end + 1)
                    }
                    _ => None,
                }
            };
            if let Some(n) = used {
                sc.reader.consume(n);
                sc.offset += n as u64;
                sc.line += 1;
                sc.line_start = sc.offset;
                continue;
            }
            buf.clear();
            let n = read_line(&mut sc.reader, &mut buf, MAX_RECORD_BYTES)
                .map_err(|e| Error::io(path, e))?;
            sc.offset += n as u64;
            let whole_line = buf.last() == Some(&b'\n');
            if whole_line {
                sc.line += 1;
                sc.line_start = sc.offset;
            }
            if n > MAX_RECORD_BYTES + 1 {
                // Too large to be a record: passed over (never held whole), the log read on.
                oversized(line, col)?;
                continue;
            }
            buf.truncate(line_record(&buf).len());
            let wrapper = is_page(&buf);
            if wrapper || !whole_line {
                // A page on one line, or the last line (perhaps cut short): frame it properly,
                // positions shifted to this line.
                let line_bytes = std::mem::take(&mut buf);
                let inner = frame_from(
                    line_bytes.as_slice(),
                    path,
                    (line, col),
                    pages,
                    &mut |bytes, pos| emit(bytes, pos.line, pos.col),
                )?;
                if wrapper {
                    env.next_links += inner.next_links;
                    env.last_page_has_next = inner.last_page_has_next;
                }
                buf = line_bytes;
            } else {
                emit(&buf, line, col)?;
            }
            continue;
        }
        match b {
            b'[' => {
                sc.bump(b);
                stream_array(&mut sc, path, &mut buf, &mut emit)?;
            }
            b'{' => {
                let (line, col) = (sc.line, sc.col());
                sc.bump(b);
                // The members are copied straight into the record buffer; a `value`/`records`
                // array is streamed instead (its elements are the records) and the envelope kept
                // apart.
                buf.clear();
                buf.push(b'{');
                let mut envelope_members = false;
                let mut wrapper = false;
                let mut saw_next = false;
                loop {
                    match sc.skip_ws(path)? {
                        Some(b'}') => {
                            sc.bump(b'}');
                            break;
                        }
                        Some(b'"') => {}
                        Some(c) => {
                            return Err(sc.err(
                                path,
                                format!("expected a member name, found '{}'", c as char),
                            ));
                        }
                        None => {
                            return Err(sc.err(
                                path,
                                "the JSON ends inside an object: the file is truncated",
                            ));
                        }
                    }
                    let member_start = buf.len();
                    if envelope_members {
                        buf.push(b',');
                    }
                    let key_start = buf.len();
                    sc.capture_value(path, &mut buf)?;
                    let key_end = buf.len();
                    sc.expect(path, b':', "':' after a member name")?;
                    let name = &buf[key_start + 1..key_end.saturating_sub(1).max(key_start + 1)];
                    let next = sc.skip_ws(path)?;
                    if next.is_none() {
                        return Err(sc.err(
                            path,
                            "the JSON ends after a member name: the file is truncated",
                        ));
                    }
                    if next == Some(b'[')
                        && PAGE_MEMBERS
                            .iter()
                            .any(|m| name.eq_ignore_ascii_case(m.as_bytes()))
                    {
                        buf.truncate(member_start);
                        wrapper = true;
                        sc.bump(b'[');
                        let mut elements = Vec::with_capacity(16 * 1024);
                        stream_array(&mut sc, path, &mut elements, &mut emit)?;
                    } else {
                        let is_context = name == b"@odata.context";
                        let is_next = name == b"@odata.nextLink";
                        buf.push(b':');
                        let value_start = buf.len();
                        sc.capture_value(path, &mut buf)?;
                        if is_context && env.odata_context.is_none() {
                            env.odata_context =
                                serde_json::from_slice::<String>(&buf[value_start..]).ok();
                        }
                        if is_next {
                            env.next_links += 1;
                            saw_next = true;
                        }
                        envelope_members = true;
                    }
                    match sc.skip_ws(path)? {
                        Some(b',') => sc.bump(b','),
                        Some(b'}') => {
                            sc.bump(b'}');
                            break;
                        }
                        Some(c) => {
                            return Err(sc.err(
                                path,
                                format!("expected ',' or '}}' in an object, found '{}'", c as char),
                            ));
                        }
                        None => {
                            return Err(sc.err(
                                path,
                                "the JSON ends inside an object: the file is truncated",
                            ));
                        }
                    }
                }
                if wrapper {
                    env.last_page_has_next = saw_next;
                } else {
                    buf.push(b'}');
                    emit(&buf, line, col)?;
                }
                if json_lines.is_none() {
                    json_lines = Some(!wrapper && sc.line == line);
                }
            }
            c => {
                return Err(sc.err(
                    path,
                    format!("expected a JSON array or object, found '{}'", char::from(c)),
                ));
            }
        }
        // Tolerate a comma between top-level values (hand-joined files).
        if sc.skip_ws(path)? == Some(b',') {
            sc.bump(b',');
        }
    }
    Ok(env)
}

fn stream_array<R: BufRead>(
    sc: &mut Scanner<R>,
    path: &Path,
    buf: &mut Vec<u8>,
    emit: &mut impl FnMut(&[u8], u64, u64) -> Result<()>,
) -> Result<()> {
    loop {
        match sc.skip_ws(path)? {
            Some(b']') => {
                sc.bump(b']');
                return Ok(());
            }
            Some(_) => {}
            None => {
                return Err(sc.err(path, "the JSON ends inside an array: the file is truncated"));
            }
        }
        let (line, col) = (sc.line, sc.col());
        if !sc.emit_buffered_object(path, &mut |value| emit(value, line, col))? {
            buf.clear();
            sc.capture_value(path, buf)?;
            emit(buf, line, col)?;
        }
        match sc.skip_ws(path)? {
            Some(b',') => sc.bump(b','),
            Some(b']') => {
                sc.bump(b']');
                return Ok(());
            }
            Some(c) => {
                return Err(sc.err(
                    path,
                    format!("expected ',' or ']' in an array, found '{}'", c as char),
                ));
            }
            None => {
                return Err(sc.err(path, "the JSON ends inside an array: the file is truncated"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records framed from a reader with a buffer of `capacity` bytes: what each was (bytes,
    /// line, column, number) and how the framing ended.
    fn framed(text: &[u8], capacity: usize) -> (Vec<(String, u64, u64, u64)>, String) {
        let reader = std::io::BufReader::with_capacity(capacity, text);
        let mut out = Vec::new();
        let end = for_each_record(reader, Path::new("t.json"), |bytes, pos| {
            let text = String::from_utf8_lossy(bytes).into_owned();
            out.push((text, pos.line, pos.col, pos.index));
            Ok(())
        });
        (out, format!("{:?}", end.map(|e| e.top_level_values)))
    }

    #[test]
    fn objects_framed_from_the_buffer_equal_objects_walked() {
        // Compact and pretty-printed arrays, a page, nested values, strings with escaped quotes
        // and brackets, non-objects, a malformed element, one nested too deep for serde, and a
        // file cut short. A 1-byte buffer never holds an object whole: the reference.
        let deep = format!("{}1{}", "[".repeat(150), "]".repeat(150));
        let texts: Vec<String> = vec![
            r#"[{"a":1},{"b":"x\"}{[]"},{"c":{"d":[1,2,{"e":null}]}}]"#.to_string(),
            "[\n  {\n    \"a\": 1,\n    \"b\": [\n      2\n    ]\n  },\n  {\"c\": \"\\u00e9\"}\n]\n".to_string(),
            r#"{"@odata.context":"x","value":[{"id":"1"},{"id":"2","n":[{"m":"}"}]}]}"#.to_string(),
            r#"[1, "two", {"three":3}, [4], {"bad":tru}, {"after":1}]"#.to_string(),
            format!(r#"[{{"deep":{deep}}}, {{"next":1}}]"#),
            r#"[{"a":1},{"b":"cut"#.to_string(),
            "[{\"a\":\"line\nbreak\"},{\"z\":0}]".to_string(),
            // JSON Lines: a line lying whole in the buffer is handed over from there.
            "{\"a\":1}\r\n{\"a\":2} ,\t\n  {\"b\":\"x\\\"}\"}\n{\"value\":[{\"c\":1},{\"c\":2}]}\n{\"records\":[{\"d\":1}]}\r\n{\"e\":\"\u{e9}\"}\n{\"bad\":tru}\n{\"last\":0}".to_string(),
            "{\"a\":1}\n{\"a\":2}\n{\"cut\":[1".to_string(),
        ];
        // The buffer holds enough to try the fast path only past 64 KiB: the same cases in a large
        // array, some pretty-printed, with buffers that end inside records.
        let mut large = String::from("[");
        for i in 0..3000 {
            large.push_str(&format!(
                "{{\"id\":\"{i}\",\"name\":\"user \\\"{i}\\\" {{[\",\"n\":[{i},{{\"m\":null}}]}},\n"
            ));
            match i % 500 {
                7 => large.push_str("{\"bad\":tru},"),
                8 => large.push_str(&format!("{{\"deep\":{deep}}},")),
                9 => large.push_str("{\n  \"pretty\": [\n    1\n  ]\n},"),
                _ => {}
            }
        }
        large.push_str("{\"last\":true}]");
        let reference = framed(large.as_bytes(), 1);
        assert!(reference.0.len() > 3000);
        for capacity in [70_000, 100_000, 1 << 20] {
            assert_eq!(
                framed(large.as_bytes(), capacity),
                reference,
                "capacity {capacity}"
            );
        }
        for text in &texts {
            let reference = framed(text.as_bytes(), 1);
            for capacity in [2, 7, 16, 64, 4096, 1 << 20] {
                assert_eq!(
                    framed(text.as_bytes(), capacity),
                    reference,
                    "capacity {capacity}: {text}"
                );
            }
        }
    }

    #[test]
    fn read_line_is_read_until_newline() {
        let text: &[u8] =
            b"{\"a\":1}\n\n{\"b\":\"long enough to cross buffers\"}\r\nlast without newline";
        for capacity in [1, 3, 7, 64] {
            let mut ours = std::io::BufReader::with_capacity(capacity, text);
            let mut std_way = std::io::BufReader::with_capacity(capacity, text);
            loop {
                let (mut a, mut b) = (Vec::new(), Vec::new());
                let n = read_line(&mut ours, &mut a, usize::MAX - 1).unwrap();
                let m = std_way.read_until(b'\n', &mut b).unwrap();
                assert_eq!((n, &a), (m, &b), "capacity {capacity}");
                if n == 0 {
                    break;
                }
            }
        }
    }

    /// A JSON Lines line over the limit is read past, never held whole: the caller is told it
    /// was oversized, and the lines after it are framed as usual.
    #[test]
    fn an_oversized_line_is_skipped_not_held() {
        let mut text = b"{\"a\":1}\n{\"b\":\"".to_vec();
        text.resize(text.len() + MAX_RECORD_BYTES + 10, b'x');
        text.extend_from_slice(b"\"}\n{\"c\":3}\n");
        let mut seen = Vec::new();
        let mut largest = 0;
        let reader = std::io::BufReader::with_capacity(64 * 1024, text.as_slice());
        for_each_record(reader, Path::new("big.json"), |b, p| {
            largest = largest.max(b.len());
            seen.push((String::from_utf8_lossy(b).into_owned(), p.line, p.oversized));
            Ok(())
        })
        .unwrap();
        assert_eq!(
            seen,
            [
                ("{\"a\":1}".to_string(), 1, false),
                (String::new(), 2, true),
                ("{\"c\":3}".to_string(), 3, false),
            ]
        );
        assert!(largest < 16, "no record held: {largest}");
        let mut kept = Vec::new();
        let mut capped = std::io::BufReader::with_capacity(1024, &text[8..]);
        let n = read_line(&mut capped, &mut kept, 100).unwrap();
        assert_eq!((n, kept.len()), (MAX_RECORD_BYTES + 19, 102));
    }

    /// A Graph export whose last page still carries `@odata.nextLink` is incomplete; one whose
    /// last page has none is whole.
    #[test]
    fn a_last_page_with_a_next_link_is_incomplete() {
        let page = |next: bool| {
            format!(
                "{{\"@odata.context\":\"x\",{}\"value\":[{{\"id\":\"1\"}}]}}",
                if next {
                    "\"@odata.nextLink\":\"y\","
                } else {
                    ""
                }
            )
        };
        for (text, cut) in [
            (page(false), false),
            (page(true), true),
            (format!("{}\n{}", page(true), page(false)), false),
            (format!("{}\n{}", page(false), page(true)), true),
            (format!("{}\r\n{}\r\n", page(true), page(true)), true),
        ] {
            let env = for_each_record(text.as_bytes(), Path::new("p.json"), |_, _| Ok(())).unwrap();
            assert_eq!(env.last_page_has_next, cut, "{text}");
        }
    }

    type Found = Vec<(String, u64, u64)>;

    fn records(text: &str) -> Result<(Found, Envelope)> {
        let mut out = Vec::new();
        let env = for_each_record(text.as_bytes(), Path::new("f.json"), |b, p| {
            out.push((String::from_utf8(b.to_vec()).unwrap(), p.line, p.col));
            Ok(())
        })?;
        Ok((out, env))
    }

    fn bodies(text: &str) -> Vec<String> {
        records(text).unwrap().0.into_iter().map(|r| r.0).collect()
    }

    #[test]
    fn every_framing() {
        assert_eq!(
            bodies("[{\"a\":1},\r\n {\"a\":2}]"),
            ["{\"a\":1}", "{\"a\":2}"]
        );
        assert_eq!(bodies("{\"a\" :  [1, \"]\"]}"), ["{\"a\":[1, \"]\"]}"]);
        assert_eq!(bodies("{\"value\":[{\"a\":1}],\"Count\":1}"), ["{\"a\":1}"]);
        assert_eq!(
            bodies("{\"records\":[{\"a\":1},{\"a\":2}]}"),
            ["{\"a\":1}", "{\"a\":2}"]
        );
        assert_eq!(bodies("{\"a\":1}\n{\"a\":2}\n"), ["{\"a\":1}", "{\"a\":2}"]);
        assert_eq!(
            bodies("[{\"a\":1}]\r\n[{\"a\":2}]"),
            ["{\"a\":1}", "{\"a\":2}"]
        );
        assert_eq!(bodies("[\r\n\r\n]"), Vec::<String>::new());
        assert_eq!(bodies("[{\"s\":\"x\\\"}\"}]"), ["{\"s\":\"x\\\"}\"}"]);
    }

    proptest::proptest! {
        /// Framing gives the same records whatever the read buffer size (escapes and strings split
        /// across buffer boundaries).
        #[test]
        fn buffer_boundaries_do_not_matter(
            strings in proptest::collection::vec("[a-z\\\\\"\\]\\[{}é ]{0,12}", 0..6),
            cap in 1usize..9,
        ) {
            let records: Vec<String> = strings
                .iter()
                .map(|s| serde_json::json!({"s": s, "n": [1, {"k": s}]}).to_string())
                .collect();
            let text = format!("{{\"@odata.context\":\"x\",\"value\":[{}]}}\n{}", records.join(",\r\n"), records.join("\n"));
            let reader = std::io::BufReader::with_capacity(cap, text.as_bytes());
            let mut got = Vec::new();
            for_each_record(reader, Path::new("p"), |b, _| {
                got.push(String::from_utf8(b.to_vec()).unwrap());
                Ok(())
            })
            .unwrap();
            let mut want = records.clone();
            want.extend(records.iter().cloned());
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn graph_envelope() {
        let (r, env) = records(
            "{\"@odata.context\":\"https://graph/$metadata#users\",\"@odata.nextLink\":\"n\",\"value\":[{\"id\":1}]}",
        )
        .unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(
            env.odata_context.as_deref(),
            Some("https://graph/$metadata#users")
        );
        assert_eq!(env.next_links, 1);
    }

    #[test]
    fn json_lines_fast_path() {
        let text = "{\"a\":1}\r\n{\"a\":2},\n\n{\"value\":[{\"b\":1},{\"b\":2}]}\n{\"a\":\"}\"}\n";
        let (r, _) = records(text).unwrap();
        let got: Vec<(&str, u64, u64)> = r.iter().map(|(s, l, c)| (s.as_str(), *l, *c)).collect();
        assert_eq!(
            got,
            [
                ("{\"a\":1}", 1, 1),
                ("{\"a\":2}", 2, 1),
                ("{\"b\":1}", 4, 11),
                ("{\"b\":2}", 4, 19),
                ("{\"a\":\"}\"}", 5, 1)
            ]
        );
    }

    #[test]
    fn a_json_lines_file_cut_short_is_reported_at_its_last_line() {
        let e = records("{\"a\":1}\n{\"a\":2}\n  {\"a\":[1").unwrap_err();
        assert_eq!(
            e.to_string(),
            "f.json:3:10: the JSON ends inside a value that starts at 3:8: the file is truncated"
        );
    }

    #[test]
    fn positions() {
        let (r, _) = records("[\n  {\"a\":1},\n  {\"b\":2}\n]").unwrap();
        assert_eq!((r[1].1, r[1].2), (3, 3));
    }

    #[test]
    fn truncated_and_garbage() {
        let e = records("[{\"a\":1},\n{\"a\":").unwrap_err();
        assert_eq!(
            e.to_string(),
            "f.json:2:6: the JSON ends inside a value that starts at 2:1: the file is truncated"
        );
        let e = records("hello").unwrap_err();
        assert_eq!(
            e.to_string(),
            "f.json:1:1: expected a JSON array or object, found 'h'"
        );
        let deep = "[".repeat(500);
        let e = records(&deep).unwrap_err();
        assert!(e.to_string().contains("nested deeper"), "{e}");
    }
}
