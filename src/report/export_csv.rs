//! The `Export-Csv -NoTypeInformation` form, byte for byte (powershell.md §5): header and every
//! non-null field in double quotes with inner quotes doubled, a null field empty and unquoted, CRLF
//! after every line including the last, UTF-8 without BOM — or, with `exact`, Windows PowerShell
//! 5.1's ASCII where every non-ASCII UTF-16 code unit becomes `?`.

use std::io::{self, Write};

/// A writer of Export-Csv lines.
#[derive(Debug, Clone, Copy)]
pub struct ExportCsv {
    /// 5.1's ASCII bytes (`--powershell-exact`).
    pub ascii: bool,
}

impl ExportCsv {
    /// Writes one line: `None` fields are null (empty, unquoted).
    pub fn write_row<W: Write + ?Sized>(
        &self,
        w: &mut W,
        fields: &[Option<&str>],
    ) -> io::Result<()> {
        let mut line = String::with_capacity(64);
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            if let Some(text) = f {
                line.push('"');
                for c in text.chars() {
                    if c == '"' {
                        line.push('"');
                    }
                    line.push(c);
                }
                line.push('"');
            }
        }
        line.push_str("\r\n");
        if self.ascii {
            w.write_all(&to_ascii(&line))
        } else {
            w.write_all(line.as_bytes())
        }
    }
}

/// .NET's ASCII encoder: each UTF-16 code unit above 0x7F becomes `?`, so a surrogate pair is `??`.
pub fn to_ascii(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c as u8);
        } else {
            out.extend(std::iter::repeat_n(b'?', c.len_utf16()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads back what [`ExportCsv`] wrote, with Import-Csv's rules for the cases it produces
    /// (a quoted field, an empty unquoted field): the round-trip tests' reader.
    pub fn split_line(line: &str) -> Vec<Option<String>> {
        let mut out = Vec::new();
        let mut chars = line.chars().peekable();
        loop {
            match chars.peek() {
                Some('"') => {
                    chars.next();
                    let mut s = String::new();
                    while let Some(c) = chars.next() {
                        if c == '"' {
                            if chars.peek() == Some(&'"') {
                                chars.next();
                                s.push('"');
                            } else {
                                break;
                            }
                        } else {
                            s.push(c);
                        }
                    }
                    out.push(Some(s));
                    // Skip to the delimiter.
                    for c in chars.by_ref() {
                        if c == ',' {
                            break;
                        }
                    }
                    if chars.peek().is_none() && !line.ends_with(',') {
                        return out;
                    }
                }
                Some(_) => {
                    let mut s = String::new();
                    let mut ended = true;
                    for c in chars.by_ref() {
                        if c == ',' {
                            ended = false;
                            break;
                        }
                        s.push(c);
                    }
                    out.push(if s.is_empty() { None } else { Some(s) });
                    if ended {
                        return out;
                    }
                }
                None => {
                    out.push(None);
                    return out;
                }
            }
        }
    }
    use proptest::prelude::*;

    fn row(ascii: bool, fields: &[Option<&str>]) -> Vec<u8> {
        let mut v = Vec::new();
        ExportCsv { ascii }.write_row(&mut v, fields).unwrap();
        v
    }

    #[test]
    fn value_vectors() {
        assert_eq!(
            row(false, &[Some("alice@contoso.com"), Some("Disabled"), None]),
            b"\"alice@contoso.com\",\"Disabled\",\r\n"
        );
        assert_eq!(row(false, &[Some("")]), b"\"\"\r\n");
        assert_eq!(
            row(false, &[Some("He said \"hi\"")]),
            b"\"He said \"\"hi\"\"\"\r\n"
        );
        assert_eq!(
            row(false, &[Some("line1\r\nline2")]),
            b"\"line1\r\nline2\"\r\n"
        );
        assert_eq!(row(false, &[None]), b"\r\n");
        assert_eq!(
            row(true, &[Some("zoë@contoso.com")]),
            b"\"zo?@contoso.com\"\r\n"
        );
        assert_eq!(row(true, &[Some("\u{1F600}")]), b"\"??\"\r\n");
        assert_eq!(
            row(false, &[Some("\u{1F600}")]),
            "\"\u{1F600}\"\r\n".as_bytes()
        );
    }

    proptest! {
        #[test]
        fn written_rows_read_back_equal(fields in proptest::collection::vec(proptest::option::of("[^\r\n]{0,12}"), 1..6)) {
            let refs: Vec<Option<&str>> = fields.iter().map(|f| f.as_deref()).collect();
            let bytes = row(false, &refs);
            let text = String::from_utf8(bytes).unwrap();
            let back = split_line(text.strip_suffix("\r\n").unwrap());
            // Import-Csv reads a null field back as empty; a quoted empty string stays empty.
            let want: Vec<Option<String>> = fields.iter().map(|f| f.clone().filter(|s| !s.is_empty()).or_else(|| f.clone())).collect();
            let got: Vec<Option<String>> = back.into_iter().zip(&fields).map(|(b, f)| if f.is_none() { b.filter(|_| false) } else { b }).collect();
            prop_assert_eq!(got, want);
        }

        #[test]
        fn csv_crate_reads_our_rows(fields in proptest::collection::vec("[^\u{0}]{0,16}", 1..6)) {
            let refs: Vec<Option<&str>> = fields.iter().map(|f| Some(f.as_str())).collect();
            let bytes = row(false, &refs);
            let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes.as_slice());
            let rec = r.records().next().unwrap().unwrap();
            let back: Vec<String> = rec.iter().map(str::to_string).collect();
            prop_assert_eq!(back, fields);
        }
    }
}
