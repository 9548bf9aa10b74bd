//! Shared test helpers: the binary (run through [`Test`]), temporary folders, and the shared
//! samples.

#![allow(dead_code)]

pub mod graph_server;

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The mfaudit binary, with the environment variables that change its behaviour (or the look of
/// its help) removed, so that a variable in the developer's shell cannot change what a test sees.
/// Private: every run goes through [`Test`].
fn mfaudit() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mfaudit"));
    for var in [
        "MFAUDIT_SMTP_PASSWORD",
        "MFAUDIT_CLIENT_SECRET",
        "MFAUDIT_WEBHOOK_URL",
        "MFAUDIT_CONFIG",
        "MFAUDIT_TIMINGS",
        "RUST_LOG",
        "RUST_BACKTRACE",
        "NO_COLOR",
        "CLICOLOR",
        "CLICOLOR_FORCE",
        "COLUMNS",
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

/// Runs mfaudit with `args` then `inputs`, asserts it succeeded, and returns its stdout as bytes
/// (the classic reports are compared byte for byte: CRLF, BOMs, ASCII).
pub fn stdout_of(args: &[&str], inputs: &[&Path]) -> Vec<u8> {
    let ran = Test::new().args(args).args(inputs).run();
    ran.ok();
    ran.stdout_bytes
}

/// One run of the binary, built step by step: `Test::new().args([..]).stdin(..).run()`, then exact
/// assertions on what it printed and how it exited. Every test that runs the binary goes through
/// it, so that every run has the same clean environment, the same time limit and failure messages
/// that name the command. It drives `std::process` itself rather than assert_cmd, which always
/// pipes stdin: some tests need a device as standard input, or the process while it runs.
pub struct Test {
    cmd: Command,
    stdin: Input,
    umask: Option<u32>,
}

/// What the process reads on standard input.
enum Input {
    /// A pipe closed at once: the end of input straight away, and still a pipe (never a terminal,
    /// so a test cannot wait on the keyboard).
    Closed,
    /// A pipe that is fed these bytes, then closed.
    Bytes(Vec<u8>),
    /// The file itself (a device, say), not a copy of it in memory.
    File(std::fs::File),
}

/// What one run printed and how it exited. `stdout` and `stderr` are the bytes decoded lossily, so
/// that a failure can always be shown; the exact checks (`stdout_is`, `stderr_is`, `utf8`) look at
/// the bytes, which are also there for the outputs compared byte for byte.
#[derive(Debug)]
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub stdout_bytes: Vec<u8>,
    pub stderr_bytes: Vec<u8>,
    /// The command line, for failure messages (a test in a loop then needs no context of its own).
    shown: String,
}

/// The longest a run may take: a hang is a failure, not a stuck test run.
const TIME_LIMIT: Duration = Duration::from_secs(60);

impl Default for Test {
    fn default() -> Self {
        Test::new()
    }
}

impl Test {
    pub fn new() -> Test {
        Test {
            cmd: mfaudit(),
            stdin: Input::Closed,
            umask: None,
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Test {
        self.cmd.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Test
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd.args(args);
        self
    }

    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Test {
        self.stdin = Input::Bytes(bytes.into());
        self
    }

    /// Standard input is this file itself, for streams that must not be read into memory first
    /// (an endless device).
    pub fn stdin_file(mut self, file: std::fs::File) -> Test {
        self.stdin = Input::File(file);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Test {
        self.cmd.env(key, value);
        self
    }

    pub fn current_dir(mut self, dir: &Path) -> Test {
        self.cmd.current_dir(dir);
        self
    }

    /// Runs under this umask. The umask belongs to the whole test process (the tests running beside
    /// this one share it) and setting it takes unsafe code, so `sh` sets it for the child alone and
    /// then execs the binary.
    #[cfg(unix)]
    pub fn umask(mut self, mask: u32) -> Test {
        self.umask = Some(mask);
        self
    }

    /// Runs it to the end and keeps what it printed.
    pub fn run(self) -> Ran {
        let shown = self.shown();
        let (mut child, bytes) = self.start(Stdio::piped(), Stdio::piped());
        // Fed from a thread, so that a process printing before it reads cannot deadlock; a process
        // that exits without reading it all (a broken pipe) is its own business.
        let writer = child.stdin.take().map(|mut pipe| {
            std::thread::spawn(move || {
                let _ = pipe.write_all(&bytes);
            })
        });
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for mfaudit") {
                break status;
            }
            if started.elapsed() > TIME_LIMIT {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{shown}: still running after {TIME_LIMIT:?}; killed");
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        if let Some(writer) = writer {
            writer.join().expect("write mfaudit's stdin");
        }
        let stdout_bytes = stdout.join().expect("read mfaudit's stdout");
        let stderr_bytes = stderr.join().expect("read mfaudit's stderr");
        Ran {
            code: status.code(),
            stdout: String::from_utf8_lossy(&stdout_bytes).into_owned(),
            stderr: String::from_utf8_lossy(&stderr_bytes).into_owned(),
            stdout_bytes,
            stderr_bytes,
            shown,
        }
    }

    /// Starts it and returns at once, its output discarded: for tests that act on the process while
    /// it runs (kill it halfway through a write). No time limit: the test waits on the child.
    pub fn spawn(self) -> Child {
        assert!(
            !matches!(self.stdin, Input::Bytes(_)),
            "spawn feeds no stdin"
        );
        let (mut child, _) = self.start(Stdio::null(), Stdio::null());
        drop(child.stdin.take());
        child
    }

    /// The process, started; the bytes its stdin pipe (if any) is to be fed.
    fn start(self, stdout: Stdio, stderr: Stdio) -> (Child, Vec<u8>) {
        #[cfg(unix)]
        let mut cmd = match self.umask {
            Some(mask) => under_umask(&self.cmd, mask),
            None => self.cmd,
        };
        #[cfg(not(unix))]
        let mut cmd = self.cmd;
        let (stdin, bytes) = match self.stdin {
            Input::Closed => (Stdio::piped(), Vec::new()),
            Input::Bytes(bytes) => (Stdio::piped(), bytes),
            Input::File(file) => (Stdio::from(file), Vec::new()),
        };
        let child = cmd
            .stdin(stdin)
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .expect("start mfaudit");
        (child, bytes)
    }

    fn shown(&self) -> String {
        let mut shown = String::from("mfaudit");
        for arg in self.cmd.get_args() {
            shown.push(' ');
            shown.push_str(&arg.to_string_lossy());
        }
        shown
    }
}

/// `cmd` run by `sh` under `umask MASK`, with the same arguments, environment and folder.
#[cfg(unix)]
fn under_umask(cmd: &Command, mask: u32) -> Command {
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(format!("umask {mask:03o} && exec \"$0\" \"$@\""))
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => sh.env(key, value),
            None => sh.env_remove(key),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        sh.current_dir(dir);
    }
    sh
}

/// Reads a pipe to its end on a thread of its own (a full stdout pipe must not block stderr).
fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            pipe.read_to_end(&mut bytes).expect("read mfaudit's output");
        }
        bytes
    })
}

impl Ran {
    /// Asserts the exit code, showing both streams when it differs.
    pub fn code(&self, want: i32) -> &Ran {
        assert_eq!(
            self.code,
            Some(want),
            "{}\nstderr: {}\nstdout: {}",
            self.shown,
            self.stderr,
            self.stdout
        );
        self
    }

    /// Asserts exit code 0, showing both streams when it is not.
    pub fn ok(&self) -> &Ran {
        self.code(0)
    }

    /// Asserts that both streams are UTF-8, so that `stdout` and `stderr` are exactly what was
    /// printed (nothing replaced by the lossy decoding).
    pub fn utf8(&self) -> &Ran {
        for (name, bytes) in [
            ("stdout", &self.stdout_bytes),
            ("stderr", &self.stderr_bytes),
        ] {
            if let Err(e) = std::str::from_utf8(bytes) {
                panic!(
                    "{}: {name} is not UTF-8 ({e}): {}",
                    self.shown,
                    bytes.escape_ascii()
                );
            }
        }
        self
    }

    /// Asserts stdout is exactly `want`, byte for byte.
    pub fn stdout_is(&self, want: &str) -> &Ran {
        assert_eq!(self.stdout, want, "{}: stdout", self.shown);
        assert_eq!(self.stdout_bytes, want.as_bytes(), "{}: stdout", self.shown);
        self
    }

    /// Asserts stderr is exactly `want`, byte for byte.
    pub fn stderr_is(&self, want: &str) -> &Ran {
        assert_eq!(self.stderr, want, "{}: stderr", self.shown);
        assert_eq!(self.stderr_bytes, want.as_bytes(), "{}: stderr", self.shown);
        self
    }

    /// The lines of stderr, for tests that check some of them exactly.
    pub fn stderr_lines(&self) -> Vec<&str> {
        self.stderr.lines().collect()
    }
}
