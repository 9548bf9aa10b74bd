//! Text from inputs on a terminal. Anyone can type anything into a login page, so a UPN, a
//! denial reason or a file name may hold escape sequences that set a window title, clear the
//! screen or draw a fake "all users registered". Every message (stderr) goes through
//! [`escape_control`], and standard output goes through [`TerminalSafe`] when it is a terminal;
//! a report written to a file or a pipe keeps its exact bytes.

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::Path;

/// Whether `c` is shown escaped: C0 controls, DEL, C1 controls, and the Unicode format characters
/// that reorder text (bidirectional overrides and isolates).
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// `s` with every control character (line breaks and tabs too) written as an escape: `\n`, `\t`,
/// `\r`, `\x1b`, `\u{202e}`. Borrowed when there is none.
pub fn escape_control(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_hidden(c) && (c as u32) < 0x80 => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if is_hidden(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `s` with control characters escaped but its line breaks and tabs kept: a multi-line text
/// (the audit's summary) for a terminal.
pub fn escape_layout(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| is_hidden(c) && c != '\n' && c != '\t') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for line in s.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        for part in body.split('\t').enumerate() {
            if part.0 > 0 {
                out.push('\t');
            }
            out.push_str(&escape_control(part.1));
        }
        out.push_str(end);
    }
    Cow::Owned(out)
}

/// A path for a message, escaped like any text from an input.
pub fn shown_path(path: &Path) -> String {
    escape_control(&path.display().to_string()).into_owned()
}

/// The longest message an error prints, in characters: an error quotes input, and a scheduler
/// log line should stay one readable line.
pub const MAX_MESSAGE_CHARS: usize = 600;

/// A message as one line: control characters escaped, cut at [`MAX_MESSAGE_CHARS`].
pub fn one_line(message: &str) -> String {
    cut(&escape_control(message), MAX_MESSAGE_CHARS)
}

/// `s` cut to at most `max` characters, with `...` where it was cut.
pub fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((at, _)) => format!("{}...", &s[..at]),
    }
}

/// `s` in at most `max` characters, the last an ellipsis where it was cut: for a field with a
/// hard length limit (a chart label, a chat block).
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut cut: String = s.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}

/// Input text quoted in a message: escaped and cut to `max` characters.
pub fn quoted(s: &str, max: usize) -> String {
    cut(&escape_control(s), max)
}

/// A writer for a terminal: passes text through with its line breaks and tabs (and CR only as
/// part of CRLF), and writes every other control character (C0, DEL, C1 as UTF-8) as an escape.
pub struct TerminalSafe<W: Write> {
    inner: W,
    /// A byte held back because what follows decides it (a CR, or the 0xC2 lead of a C1).
    held: Option<u8>,
}

impl<W: Write> TerminalSafe<W> {
    pub fn new(inner: W) -> TerminalSafe<W> {
        TerminalSafe { inner, held: None }
    }

    fn escaped(&mut self, code: u32) -> io::Result<()> {
        if code < 0x80 {
            write!(self.inner, "\\x{code:02x}")
        } else {
            write!(self.inner, "\\u{{{code:x}}}")
        }
    }

    /// Writes what is held back as it stands (at the end of the output).
    pub fn finish(mut self) -> io::Result<W> {
        match self.held.take() {
            Some(b'\r') => self.escaped(0x0d)?,
            Some(b) => self.inner.write_all(&[b])?,
            None => {}
        }
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for TerminalSafe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut plain_from = 0;
        for (i, &b) in buf.iter().enumerate() {
            if let Some(h) = self.held.take() {
                match (h, b) {
                    (b'\r', b'\n') => self.inner.write_all(b"\r")?,
                    (b'\r', _) => self.escaped(0x0d)?,
                    (0xc2, 0x80..=0x9f) => {
                        self.escaped(u32::from(b))?;
                        plain_from = i + 1;
                        continue;
                    }
                    (h, _) => self.inner.write_all(&[h])?,
                }
            }
            let hold = b == b'\r' || b == 0xc2;
            let hidden = (b < 0x20 && b != b'\n' && b != b'\t' && b != b'\r') || b == 0x7f;
            if hold || hidden {
                self.inner.write_all(&buf[plain_from..i])?;
                plain_from = i + 1;
                if hold {
                    self.held = Some(b);
                } else {
                    self.escaped(u32::from(b))?;
                }
            }
        }
        self.inner.write_all(&buf[plain_from..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// `a`, `a and b`, `a, b and c`.
pub fn and_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [rest @ .., last] => format!(
            "{} and {}",
            rest.iter()
                .map(|s| s.as_ref())
                .collect::<Vec<_>>()
                .join(", "),
            last.as_ref()
        ),
    }
}

/// `1 user`, `2 users`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_in_messages() {
        assert!(matches!(
            escape_control("ada@contoso.com"),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            escape_control("x\u{1b}]0;pwned\u{7}\u{1b}[2J\r\n\t\u{9b}\u{202e}é"),
            "x\\x1b]0;pwned\\x07\\x1b[2J\\r\\n\\t\\u{9b}\\u{202e}é"
        );
        assert_eq!(one_line(&"é".repeat(700)).chars().count(), 603);
        assert_eq!(quoted("abcdef", 3), "abc...");
    }

    fn through_terminal(chunks: &[&[u8]]) -> Vec<u8> {
        let mut t = TerminalSafe::new(Vec::new());
        for c in chunks {
            t.write_all(c).unwrap();
        }
        t.finish().unwrap()
    }

    #[test]
    fn a_terminal_gets_layout_but_no_escape_sequences() {
        let text = "a,b\r\nc\td\n\u{1b}[2JAll registered\rfake\u{9b}x é\u{7f}".as_bytes();
        let want = "a,b\r\nc\td\n\\x1b[2JAll registered\\x0dfake\\u{9b}x é\\x7f".as_bytes();
        assert_eq!(through_terminal(&[text]), want);
        // Split anywhere (a CR, or a C1's two bytes, across writes): the same.
        for at in 0..text.len() {
            let (a, b) = text.split_at(at);
            assert_eq!(through_terminal(&[a, b]), want, "split at {at}");
        }
        assert_eq!(through_terminal(&[b"end\r"]), b"end\\x0d");
    }
}
