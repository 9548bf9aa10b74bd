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

/// One run of the binary, built step by step: `Test::new().args([..]).stdin(..).run()`, then exact
/// assertions on what it printed and how it exited.
pub struct Test {
    cmd: assert_cmd::Command,
}

/// What one run printed and how it exited.
#[derive(Debug)]
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Default for Test {
    fn default() -> Self {
        Test::new()
    }
}

impl Test {
    pub fn new() -> Test {
        Test { cmd: mfaudit() }
    }

    pub fn arg(mut self, arg: impl AsRef<std::ffi::OsStr>) -> Test {
        self.cmd.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Test
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd.args(args);
        self
    }

    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Test {
        self.cmd.write_stdin(bytes.into());
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Test {
        self.cmd.env(key, value);
        self
    }

    pub fn current_dir(mut self, dir: &Path) -> Test {
        self.cmd.current_dir(dir);
        self
    }

    /// Runs it (within a minute: a hang is a failure, not a stuck test run).
    pub fn run(mut self) -> Ran {
        self.cmd.timeout(std::time::Duration::from_secs(60));
        let out = self.cmd.output().expect("run mfaudit");
        Ran {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Ran {
    /// Asserts the exit code, showing stderr when it differs.
    pub fn code(&self, want: i32) -> &Ran {
        assert_eq!(
            self.code,
            Some(want),
            "stderr: {}\nstdout: {}",
            self.stderr,
            self.stdout
        );
        self
    }

    pub fn stderr_is(&self, want: &str) -> &Ran {
        assert_eq!(self.stderr, want);
        self
    }

    pub fn stdout_is(&self, want: &str) -> &Ran {
        assert_eq!(self.stdout, want);
        self
    }

    /// The lines of stderr, for tests that check some of them exactly.
    pub fn stderr_lines(&self) -> Vec<&str> {
        self.stderr.lines().collect()
    }
}
