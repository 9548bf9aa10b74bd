//! Shared test helpers: the binary, temporary folders, and the shared samples.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The mfaudit binary, with the environment variables that change its behaviour removed.
pub fn mfaudit() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_mfaudit"));
    for var in [
        "MFAUDIT_SMTP_PASSWORD",
        "MFAUDIT_CONFIG",
        "RUST_LOG",
        "RUST_BACKTRACE",
        "NO_COLOR",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// `../shared/samples` beside the project, when it exists. Tests that need it print that they
/// skipped when it does not.
pub fn samples() -> Option<PathBuf> {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Beside the project; or two levels up, from a git worktree of it.
    for p in [
        base.join("../shared/samples"),
        base.join("../../shared/samples"),
    ] {
        if p.is_dir() {
            return Some(p);
        }
    }
    eprintln!("skipped: ../shared/samples is not present");
    None
}

/// A fresh temporary folder.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary folder")
}

/// Encodes text as UTF-16LE with a BOM (Windows PowerShell 5.1's `>` and Export-Clixml).
pub fn utf16le_bom(text: &str) -> Vec<u8> {
    let mut v = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        v.extend_from_slice(&u.to_le_bytes());
    }
    v
}

/// Writes `bytes` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("create folder");
    }
    std::fs::write(&p, bytes).expect("write fixture");
    p
}

/// Runs mfaudit with `args` then `inputs`, asserts it succeeded, and returns its stdout.
pub fn stdout_of(args: &[&str], inputs: &[&Path]) -> Vec<u8> {
    let out = mfaudit()
        .args(args)
        .args(inputs)
        .output()
        .expect("run mfaudit");
    assert!(
        out.status.success(),
        "mfaudit {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
