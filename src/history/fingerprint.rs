//! A content fingerprint for each input file, so `mfaudit history` can tell "same export again" from
//! "new export with the same name". It is not a security hash: it must be cheap, deterministic on
//! every platform and need no new crate. It is 64-bit FNV-1a over every byte, plus the size:
//! `fnv1a64:<16 hex digits>:<size in bytes>`.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Streaming FNV-1a (64-bit).
#[derive(Debug, Clone, Copy)]
struct Fnv1a64(u64);

impl Fnv1a64 {
    fn new() -> Self {
        Fnv1a64(FNV_OFFSET_BASIS)
    }

    fn update(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(FNV_PRIME);
        }
        self.0 = h;
    }
}

/// The fingerprint of a file's bytes, read in chunks (a sign-in log is never held in memory).
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
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hash.update(&buf[..n]);
        size += n as u64;
    }
    Ok(format!("fnv1a64:{:016x}:{size}", hash.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(bytes: &[u8]) -> String {
        fingerprint_reader(&mut &bytes[..]).unwrap()
    }

    #[test]
    fn matches_the_published_fnv1a64_vectors() {
        // Test vectors from the FNV reference (Fowler, Noll, Vo).
        assert_eq!(of(b""), "fnv1a64:cbf29ce484222325:0");
        assert_eq!(of(b"a"), "fnv1a64:af63dc4c8601ec8c:1");
        assert_eq!(of(b"foobar"), "fnv1a64:85944171f73967e8:6");
    }

    #[test]
    fn chunking_does_not_change_the_fingerprint() {
        let data: Vec<u8> = (0..600_000u32)
            .map(|i| (i.wrapping_mul(31) >> 3) as u8)
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.json");
        std::fs::write(&path, &data).unwrap();
        assert_eq!(fingerprint(&path).unwrap(), of(&data));
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
