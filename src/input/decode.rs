//! Decoding once, at the door: every input becomes UTF-8 text here, and no reader ever sees another
//! encoding. BOMs decide first (UTF-8, UTF-16LE/BE); BOM-less UTF-16 is recognised by its NUL pattern;
//! text that is not valid UTF-8 is read as Windows-1252 with a warning; `--encoding` overrides all.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

use crate::error::{Error, Position, Result, Usage};

/// How many bytes of decoded text detection looks at.
pub const HEAD_BYTES: usize = 64 * 1024;
/// How much of a file is checked for UTF-8 before it is read, when its first bytes do not settle
/// it ([`head_is_utf8`]). Files that are not UTF-8 (Windows PowerShell's `Set-Content`, Excel's
/// "CSV" save) are small directory exports; a larger file (a sign-in archive) is checked as its
/// records are parsed, which names the record that fails.
pub const PRESCAN_BYTES: u64 = 64 * 1024 * 1024;
const BUF_CAPACITY: usize = 256 * 1024;

/// An opened input: a UTF-8 stream plus what was learned while opening it.
pub struct Decoded {
    pub path: PathBuf,
    /// UTF-8 text, BOM removed.
    pub reader: Box<dyn BufRead + Send>,
    /// The first bytes of the decoded text, for detection.
    pub head: String,
    /// The encoding that was used, as a label for `inspect` (e.g. `UTF-16LE (BOM)`).
    pub encoding: String,
    /// The encoding itself, so that reading the file again need not decide it again.
    pub encoding_used: &'static Encoding,
    pub warnings: Vec<String>,
}

impl Decoded {
    /// What was decided about the file, its reader closed (identification keeps many of these).
    pub fn without_reader(self) -> Decoded {
        Decoded {
            reader: Box::new(io::empty()),
            ..self
        }
    }
}

/// Opens `path` (or standard input for `-`) and decodes it to UTF-8.
pub fn open(path: &Path, forced: Option<&'static Encoding>) -> Result<Decoded> {
    if path.as_os_str() == "-" {
        return decode_source(path, Source::Stdin(stdin_head(path)?), forced);
    }
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    decode_source(path, Source::File(file), forced)
}

/// Standard input's first [`HEAD_BYTES`], read once and kept: detection looks at them, then the
/// reader reads them again followed by the rest of the stream, which is never held whole.
static STDIN_HEAD: std::sync::Mutex<Option<std::sync::Arc<Vec<u8>>>> = std::sync::Mutex::new(None);
/// Set once a reader has started on the rest of standard input: it can be streamed only once.
static STDIN_STREAMED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn stdin_head(path: &Path) -> Result<std::sync::Arc<Vec<u8>>> {
    let mut guard = STDIN_HEAD
        .lock()
        .map_err(|_| Error::Internal("the standard input lock is poisoned"))?;
    if let Some(head) = guard.as_ref() {
        return Ok(head.clone());
    }
    let mut head = Vec::with_capacity(HEAD_BYTES);
    io::stdin()
        .lock()
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|e| Error::io(path, e))?;
    let head = std::sync::Arc::new(head);
    *guard = Some(head.clone());
    Ok(head)
}

/// The rest of standard input, after its head.
struct StdinRest {
    started: bool,
}

impl Read for StdinRest {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.started {
            if STDIN_STREAMED.swap(true, std::sync::atomic::Ordering::SeqCst) {
                return Err(io::Error::other(
                    "standard input was already read once: it cannot be read again",
                ));
            }
            self.started = true;
        }
        io::stdin().lock().read(buf)
    }
}

/// Decodes a stream that can be read only once (standard input is one): its first
/// [`HEAD_BYTES`] are read for detection, then the reader reads them again followed by the rest
/// of the stream, which is never held whole.
pub fn from_stream(
    path: &Path,
    mut stream: Box<dyn Read + Send>,
    forced: Option<&'static Encoding>,
) -> Result<Decoded> {
    let mut head = Vec::with_capacity(HEAD_BYTES);
    (&mut stream)
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|e| Error::io(path, e))?;
    decode_source(
        path,
        Source::Stream(std::sync::Arc::new(head), stream),
        forced,
    )
}

/// Decodes bytes already in memory (tests, fuzzing).
pub fn from_bytes(
    path: &Path,
    bytes: Vec<u8>,
    forced: Option<&'static Encoding>,
) -> Result<Decoded> {
    decode_source(path, Source::Memory(bytes), forced)
}

enum Source {
    File(File),
    Memory(Vec<u8>),
    /// Standard input: its head, then the rest of the stream.
    Stdin(std::sync::Arc<Vec<u8>>),
    /// Another stream read once: its head, then the rest.
    Stream(std::sync::Arc<Vec<u8>>, Box<dyn Read + Send>),
}

impl Source {
    fn prefix(&mut self, path: &Path, n: usize) -> Result<Vec<u8>> {
        match self {
            Source::Memory(b) => Ok(b[..b.len().min(n)].to_vec()),
            Source::Stdin(head) | Source::Stream(head, _) => Ok(head[..head.len().min(n)].to_vec()),
            Source::File(f) => {
                let mut buf = Vec::with_capacity(n);
                f.by_ref()
                    .take(n as u64)
                    .read_to_end(&mut buf)
                    .map_err(|e| Error::io(path, e))?;
                f.seek(SeekFrom::Start(0)).map_err(|e| Error::io(path, e))?;
                Ok(buf)
            }
        }
    }

    /// True when the whole source is valid UTF-8 (after `skip` bytes).
    fn is_utf8(&mut self, path: &Path, skip: usize) -> Result<bool> {
        match self {
            Source::Memory(b) => Ok(std::str::from_utf8(&b[skip.min(b.len())..]).is_ok()),
            // A stream cannot be looked ahead in: its head decides, and a byte further on that
            // is not UTF-8 is an error naming its line.
            Source::Stdin(head) | Source::Stream(head, _) => {
                Ok(match std::str::from_utf8(&head[skip.min(head.len())..]) {
                    Ok(_) => true,
                    Err(e) => e.error_len().is_none() && head.len() == HEAD_BYTES,
                })
            }
            Source::File(f) => {
                let mut reader = BufReader::with_capacity(1 << 20, (&mut *f).take(PRESCAN_BYTES));
                let ok = utf8_stream_valid(&mut reader, skip).map_err(|e| Error::io(path, e))?;
                f.seek(SeekFrom::Start(0)).map_err(|e| Error::io(path, e))?;
                Ok(ok)
            }
        }
    }

    fn into_reader(self, skip: usize) -> Box<dyn Read + Send> {
        match self {
            Source::Memory(mut b) => {
                b.drain(..skip.min(b.len()));
                Box::new(Cursor::new(b))
            }
            Source::File(mut f) => {
                // A failed seek shows up as a read error on the first read.
                let _ = f.seek(SeekFrom::Start(skip as u64));
                Box::new(f)
            }
            Source::Stdin(head) => {
                let from = skip.min(head.len());
                Box::new(Cursor::new(head[from..].to_vec()).chain(StdinRest { started: false }))
            }
            Source::Stream(head, rest) => {
                let from = skip.min(head.len());
                Box::new(Cursor::new(head[from..].to_vec()).chain(rest))
            }
        }
    }
}

/// True when the first bytes of a file are UTF-8 beyond doubt: valid, and at least one character
/// in them is written in several bytes. Text in another encoding (Windows-1252's `é` is the one
/// byte 0xE9) is not valid UTF-8 as soon as it holds such a character, so a file that shows one
/// is read as UTF-8 without checking its first 64 MiB as well: for a sign-in archive, that check
/// read 64 MiB twice (15–25 ms of an audit, BENCHMARKS.md). A byte that is not UTF-8 further on
/// is then an error naming its record or line, as in a file larger than [`PRESCAN_BYTES`].
fn head_is_utf8(prefix: &[u8]) -> bool {
    let valid = match std::str::from_utf8(prefix) {
        Ok(_) => prefix.len(),
        // A character cut where the head was cut off.
        Err(e) if e.error_len().is_none() && prefix.len() == HEAD_BYTES => e.valid_up_to(),
        Err(_) => return false,
    };
    !prefix[..valid].is_ascii()
}

fn utf8_stream_valid(reader: &mut impl BufRead, skip: usize) -> io::Result<bool> {
    let mut carry: Vec<u8> = Vec::new();
    let mut to_skip = skip;
    let mut seen: u64 = 0;
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            // A character cut by the prescan limit is not an error.
            return Ok(carry.is_empty() || (seen >= PRESCAN_BYTES && carry.len() < 4));
        }
        let n = chunk.len();
        seen += n as u64;
        let data: &[u8] = if to_skip > 0 {
            let s = to_skip.min(n);
            to_skip -= s;
            &chunk[s..]
        } else {
            chunk
        };
        let joined;
        let data = if carry.is_empty() {
            data
        } else {
            joined = [carry.as_slice(), data].concat();
            joined.as_slice()
        };
        // simdutf8's `compat` API: std's errors (where the valid text ends, whether a character
        // is cut or wrong), with SIMD.
        match simdutf8::compat::from_utf8(data) {
            Ok(_) => carry.clear(),
            Err(e) if e.error_len().is_none() => carry = data[e.valid_up_to()..].to_vec(),
            Err(_) => return Ok(false),
        }
        reader.consume(n);
    }
}

fn decode_source(
    path: &Path,
    mut src: Source,
    forced: Option<&'static Encoding>,
) -> Result<Decoded> {
    let prefix = src.prefix(path, HEAD_BYTES)?;
    if prefix.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::input(
            path,
            Position::File,
            "the file is empty: an empty export is almost always a failed export; export it again",
        ));
    }
    let mut warnings = Vec::new();
    let (encoding, bom_len, label): (&'static Encoding, usize, String) = if let Some(enc) = forced {
        let bom = Encoding::for_bom(&prefix)
            .filter(|(e, _)| *e == enc)
            .map_or(0, |(_, n)| n);
        (enc, bom, format!("{} (--encoding)", enc.name()))
    } else if prefix.starts_with(&[0xFF, 0xFE, 0, 0]) || prefix.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return Err(Error::input(
            path,
            Position::File,
            "the file is UTF-32, which mfaudit does not read; save it again as UTF-8 or UTF-16",
        ));
    } else if let Some((enc, n)) = Encoding::for_bom(&prefix) {
        (enc, n, format!("{} (BOM)", enc.name()))
    } else if let Some(enc) = utf16_without_bom(&prefix) {
        warnings.push(format!(
            "no byte order mark; the NUL pattern says {}",
            enc.name()
        ));
        (enc, 0, format!("{} (no BOM)", enc.name()))
    } else if prefix.contains(&0) {
        return Err(Error::input(
            path,
            Position::Byte(prefix.iter().position(|&b| b == 0).unwrap_or(0) as u64),
            "binary data (a NUL byte) where text was expected: this is not an export mfaudit reads",
        ));
    } else if head_is_utf8(&prefix) || src.is_utf8(path, 0)? {
        (UTF_8, 0, "UTF-8".to_string())
    } else {
        warnings.push(
            "not valid UTF-8; read as Windows-1252 (pass --encoding LABEL if that is wrong)".into(),
        );
        (WINDOWS_1252, 0, "windows-1252 (fallback)".to_string())
    };

    let head = decode_head(&prefix[bom_len..], encoding);
    let raw = src.into_reader(bom_len);
    let reader: Box<dyn BufRead + Send> = if encoding == UTF_8 {
        Box::new(BufReader::with_capacity(BUF_CAPACITY, raw))
    } else {
        let decoder = encoding_rs_io::DecodeReaderBytesBuilder::new()
            .encoding(Some(encoding))
            .bom_override(false)
            .strip_bom(true)
            .build(raw);
        Box::new(BufReader::with_capacity(BUF_CAPACITY, decoder))
    };
    Ok(Decoded {
        path: path.to_path_buf(),
        reader,
        head,
        encoding: label,
        encoding_used: encoding,
        warnings,
    })
}

fn decode_head(bytes: &[u8], encoding: &'static Encoding) -> String {
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    let mut s = text.into_owned();
    // A multi-byte sequence cut at the prefix boundary decodes to U+FFFD; detection does not care.
    if s.len() > HEAD_BYTES {
        let mut cut = HEAD_BYTES;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

/// UTF-16 without a BOM: mostly ASCII text where every other byte is NUL.
fn utf16_without_bom(prefix: &[u8]) -> Option<&'static Encoding> {
    let n = prefix.len().min(512) & !1;
    if n < 4 {
        return None;
    }
    let pairs = n / 2;
    let even_nul = prefix[..n].iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_nul = prefix[1..n].iter().step_by(2).filter(|&&b| b == 0).count();
    if odd_nul * 10 >= pairs * 9 && even_nul == 0 {
        Some(UTF_16LE)
    } else if even_nul * 10 >= pairs * 9 && odd_nul == 0 {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Resolves an `--encoding` label (`utf-16le`, `windows-1252`, `latin1`, `utf8` ...).
pub fn encoding_for_label(label: &str) -> Result<&'static Encoding, Usage> {
    let normalised = match label.to_ascii_lowercase().as_str() {
        "utf8" | "utf8bom" | "utf8nobom" => "utf-8".to_string(),
        "unicode" | "utf16" | "utf-16" => "utf-16le".to_string(),
        "bigendianunicode" => "utf-16be".to_string(),
        "ansi" | "default" => "windows-1252".to_string(),
        other => other.to_string(),
    };
    Encoding::for_label(normalised.as_bytes()).ok_or_else(|| Usage::UnknownEncoding {
        label: label.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: &[u8]) -> (String, String, Vec<String>) {
        let mut d = from_bytes(Path::new("t"), bytes.to_vec(), None).unwrap();
        let mut s = String::new();
        d.reader.read_to_string(&mut s).unwrap();
        (s, d.encoding, d.warnings)
    }

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut v = if bom { vec![0xFF, 0xFE] } else { vec![] };
        for u in s.encode_utf16() {
            v.extend_from_slice(&u.to_le_bytes());
        }
        v
    }

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(text("zoë".as_bytes()).0, "zoë");
        assert_eq!(text(b"\xEF\xBB\xBFzo\xC3\xAB").0, "zoë");
        assert_eq!(text(b"\xEF\xBB\xBFzo\xC3\xAB").1, "UTF-8 (BOM)");
    }

    #[test]
    fn utf16_both_orders_and_without_bom() {
        assert_eq!(
            text(&utf16le("[{\"a\":\"zoë\"}]", true)).0,
            "[{\"a\":\"zoë\"}]"
        );
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("zoë".encode_utf16().flat_map(|u| u.to_be_bytes()))
            .collect();
        assert_eq!(text(&be).0, "zoë");
        let (s, enc, warn) = text(&utf16le("[{\"a\":1}]", false));
        assert_eq!(s, "[{\"a\":1}]");
        assert_eq!(enc, "UTF-16LE (no BOM)");
        assert_eq!(warn.len(), 1);
    }

    #[test]
    fn windows_1252_fallback_warns() {
        let (s, enc, warn) = text(b"zo\xEB \x80");
        assert_eq!(s, "zoë €");
        assert_eq!(enc, "windows-1252 (fallback)");
        assert!(warn[0].contains("Windows-1252"));
    }

    /// A multi-byte character in the first 64 KiB settles UTF-8: a Windows-1252 byte further on is
    /// then an error when it is read, not a reason to read the whole file as Windows-1252. Without
    /// one, the first 64 MiB decide, as before.
    #[test]
    fn a_multibyte_character_in_the_head_settles_utf8() {
        let mut data = "name\nZoë\n".as_bytes().to_vec();
        data.resize(HEAD_BYTES + 10, b'a');
        data.extend_from_slice(b"\nZo\xEB\n");
        let mut d = from_bytes(Path::new("t"), data.clone(), None).unwrap();
        assert_eq!((d.encoding.as_str(), d.warnings.len()), ("UTF-8", 0));
        let mut s = String::new();
        let e = d.reader.read_to_string(&mut s).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);

        // The same file with only ASCII in its head: the later byte makes it Windows-1252.
        data[6..8].copy_from_slice(b"e ");
        let (text, enc, _) = text(&data);
        assert_eq!(enc, "windows-1252 (fallback)");
        assert!(text.ends_with("\nZoë\n"));

        // A character cut where the head ends is no error, but no evidence either.
        let mut cut = vec![b'a'; HEAD_BYTES - 1];
        cut.extend_from_slice("ë".as_bytes());
        assert!(!head_is_utf8(&cut[..HEAD_BYTES]));
        cut[..2].copy_from_slice("ë".as_bytes());
        assert!(head_is_utf8(&cut[..HEAD_BYTES]));
        // Cut before a shorter file's end, it is an error.
        assert!(!head_is_utf8("zoë".as_bytes().split_last().unwrap().1));
        assert!(!head_is_utf8(b"zo\xEB"));
        assert!(head_is_utf8("zoë".as_bytes()));
    }

    /// A stream read once gives what the same bytes give from memory, head and rest alike.
    #[test]
    fn a_stream_reads_like_the_same_bytes() {
        struct Trickle(Vec<u8>, usize);
        impl Read for Trickle {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = 7.min(buf.len()).min(self.0.len() - self.1);
                buf[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
                self.1 += n;
                Ok(n)
            }
        }
        let mut bytes = "\u{feff}name\nZoë\n".as_bytes().to_vec();
        bytes.extend(std::iter::repeat_n(b'a', HEAD_BYTES * 2));
        let mut streamed =
            from_stream(Path::new("-"), Box::new(Trickle(bytes.clone(), 0)), None).unwrap();
        let mut whole = from_bytes(Path::new("-"), bytes, None).unwrap();
        let (mut a, mut b) = (String::new(), String::new());
        streamed.reader.read_to_string(&mut a).unwrap();
        whole.reader.read_to_string(&mut b).unwrap();
        assert_eq!(a, b);
        assert_eq!(streamed.encoding, whole.encoding);
        assert_eq!(streamed.head, whole.head);
    }

    #[test]
    fn empty_and_binary_are_refused() {
        let e = from_bytes(Path::new("x.json"), b"  \r\n".to_vec(), None)
            .err()
            .unwrap();
        assert_eq!(
            e.to_string(),
            "x.json: the file is empty: an empty export is almost always a failed export; export it again"
        );
        let e = from_bytes(
            Path::new("x.bin"),
            b"\x89PNG\r\n\x1a\n\0\0\0".to_vec(),
            None,
        )
        .err()
        .unwrap();
        assert!(
            e.to_string().starts_with("x.bin:byte 8: binary data"),
            "{e}"
        );
    }

    #[test]
    fn utf8_validity_across_chunk_boundaries() {
        let mut data = vec![b'a'; 9];
        data.extend_from_slice("ë".as_bytes());
        let mut r = BufReader::with_capacity(10, Cursor::new(data.clone()));
        assert!(utf8_stream_valid(&mut r, 0).unwrap());
        data.push(0xFF);
        let mut r = BufReader::with_capacity(10, Cursor::new(data));
        assert!(!utf8_stream_valid(&mut r, 0).unwrap());
    }
}
