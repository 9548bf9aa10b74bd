//! A content fingerprint for each input file, so `mfaudit history` can tell "same export again" from
//! "new export with the same name". It is not a security hash: it must be cheap, deterministic on
//! every platform and need no new crate. It is FNV-1a with the 64-bit offset basis and prime, fed
//! the file as little-endian 64-bit words (the last 0 to 7 bytes one at a time), plus the size:
//! `fnv1a64w:<16 hex digits>:<size in bytes>`. Word steps make it several times faster than
//! byte-wise FNV-1a (one multiplication per 8 bytes instead of per byte), and since
//! each step is a bijection of the state, two files of the same size that differ in one word
//! never share a fingerprint. Files under 8 bytes get plain FNV-1a.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a (64-bit) state.
#[derive(Debug, Clone, Copy)]
struct Fnv1a64(u64);

impl Fnv1a64 {
    fn new() -> Self {
        Fnv1a64(FNV_OFFSET_BASIS)
    }

    fn word(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(FNV_PRIME);
    }

    /// Whole words, then the tail byte by byte: only the last block of a file may have a tail.
    fn block(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut le = [0u8; 8];
            le.copy_from_slice(w);
            self.word(u64::from_le_bytes(le));
        }
        for &b in words.remainder() {
            self.word(u64::from(b));
        }
    }
}

/// The fingerprint of a file's bytes, read in blocks (a sign-in log is never held in memory).
pub fn fingerprint(path: &Path) -> Result<String> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    fingerprint_reader(&mut file).map_err(|e| Error::io(path, e))
}

/// The fingerprint of everything `reader` yields.
pub fn fingerprint_reader(reader: &mut dyn Read) -> std::io::Result<String> {
    let mut hash = Fnv1a64::new();
    let mut size: u64 = 0;
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = fill(reader, &mut buf)?;
        hash.block(&buf[..n]);
        size += n as u64;
        if n < buf.len() {
            break;
        }
    }
    Ok(format!("fnv1a64w:{:016x}:{size}", hash.0))
}

/// Reads until `buf` is full or the input ends (so blocks stay word-aligned whatever sizes
/// `read` returns); returns how many bytes were read.
fn fill(reader: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(bytes: &[u8]) -> String {
        fingerprint_reader(&mut &bytes[..]).unwrap()
    }

    /// The definition, written out plainly.
    fn reference(bytes: &[u8]) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let whole = bytes.len() / 8 * 8;
        for i in (0..whole).step_by(8) {
            let mut w = 0u64;
            for k in 0..8 {
                w |= u64::from(bytes[i + k]) << (8 * k);
            }
            h = (h ^ w).wrapping_mul(0x100_0000_01b3);
        }
        for &b in &bytes[whole..] {
            h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
        format!("fnv1a64w:{h:016x}:{}", bytes.len())
    }

    #[test]
    fn short_inputs_match_the_published_fnv1a64_vectors() {
        // Test vectors from the FNV reference (Fowler, Noll, Vo).
        assert_eq!(of(b""), "fnv1a64w:cbf29ce484222325:0");
        assert_eq!(of(b"a"), "fnv1a64w:af63dc4c8601ec8c:1");
        assert_eq!(of(b"foobar"), "fnv1a64w:85944171f73967e8:6");
    }

    #[test]
    fn longer_inputs_are_hashed_by_words() {
        assert_eq!(of(b"12345678"), "fnv1a64w:49f2564e2d0004fc:8");
        for len in [9, 15, 16, 17, 1000] {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            assert_eq!(of(&data), reference(&data), "length {len}");
        }
    }

    /// A reader that returns a few bytes at a time, as pipes and network files do.
    struct Dribble<'a>(&'a [u8]);

    impl Read for Dribble<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.0.len()).min(5);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn block_and_read_sizes_do_not_change_the_fingerprint() {
        let data: Vec<u8> = (0..600_003u32)
            .map(|i| (i.wrapping_mul(31) >> 3) as u8)
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.json");
        std::fs::write(&path, &data).unwrap();
        assert_eq!(fingerprint(&path).unwrap(), reference(&data));
        assert_eq!(
            fingerprint_reader(&mut Dribble(&data)).unwrap(),
            reference(&data)
        );
        let mut one_byte_changed = data.clone();
        one_byte_changed[300_000] ^= 1;
        assert_ne!(of(&one_byte_changed), of(&data));
    }

    #[test]
    fn a_missing_file_is_an_io_error_naming_it() {
        let e = fingerprint(Path::new("/nonexistent/mfaudit/x.csv")).unwrap_err();
        assert_eq!(e.exit_code(), 1);
        assert!(
            e.to_string().starts_with("/nonexistent/mfaudit/x.csv: "),
            "{e}"
        );
    }
}
