//! Writing outputs without ever destroying a file.
//!
//! A run's outputs are written together ([`Outputs`]): each one is staged first, then all of them
//! are put in place at the end, so a run that fails leaves every previous output as it was. A
//! regular file (or a new path) is replaced by renaming a temporary file written beside it, so an
//! error or a kill never leaves a truncated report; a device or a FIFO is written in place (it is
//! never replaced by a file), a symbolic link's target is the file replaced (the link stays), and
//! `-` is standard output, copied out only once the report is complete. A replaced file keeps its
//! permission bits (never setuid, setgid or sticky); a new file gets the usual mode under the
//! process's umask.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result, Usage};

/// Where an output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Stdout,
    File(PathBuf),
}

impl Destination {
    /// `None` and `-` are standard output.
    pub fn from_option(path: Option<&Path>) -> Destination {
        match path {
            Some(p) if !is_stdout(p) => Destination::File(p.to_path_buf()),
            _ => Destination::Stdout,
        }
    }

    /// The destination a file option names (`-` is standard output).
    pub fn of(path: &Path) -> Destination {
        Destination::from_option(Some(path))
    }
}

/// True for the path `-`, which every file option reads as standard output (cli.md).
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Refuses a set of file options of which more than one is `-`: standard output carries one
/// report.
pub fn at_most_one_stdout(options: &[(&str, Option<&Path>)]) -> Result<()> {
    let on_stdout: Vec<&str> = options
        .iter()
        .filter(|(_, p)| p.is_some_and(is_stdout))
        .map(|(name, _)| *name)
        .collect();
    if on_stdout.len() > 1 {
        return Err(Usage::StdoutTwice {
            options: on_stdout.join(" and "),
        }
        .into());
    }
    Ok(())
}

/// Writes through `write` to one destination; it appears only once everything was written.
pub fn emit(dest: &Destination, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let mut outputs = Outputs::new();
    outputs.stage(dest, write)?;
    outputs.commit()
}

/// Writes a file atomically (see the module comment).
pub fn write_atomic(path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    emit(&Destination::of(path), write)
}

/// Writes bytes atomically.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic(path, |w| w.write_all(bytes).map_err(|e| Error::io(path, e)))
}

/// Maps an io error on an output to an [`Error`] naming the destination.
pub fn io_err(dest: &Destination) -> impl Fn(io::Error) -> Error + '_ {
    move |e| match dest {
        Destination::Stdout => Error::io("<stdout>", e),
        Destination::File(p) => Error::io(p, e),
    }
}

/// Outputs staged to be put in place together by [`Outputs::commit`]; dropped without a commit,
/// the staged files are removed and nothing was touched.
#[derive(Default)]
pub struct Outputs {
    staged: Vec<Staged>,
}

/// One staged output.
struct Staged {
    /// The path as the user gave it, for messages.
    shown: PathBuf,
    how: Placement,
    /// The staged bytes.
    temp: Temp,
    /// Put in place by a rename: the temporary file is gone.
    renamed: bool,
}

/// How a staged output is put in place.
enum Placement {
    /// Renamed over `path` (a regular file or a new one), then given `mode`.
    Rename { path: PathBuf, mode: Option<u32> },
    /// Copied into a device or FIFO, which is opened for writing and never replaced.
    InPlace { path: PathBuf },
    /// Copied to standard output.
    Stdout,
}

/// A temporary file: named beside the output it will replace, or anonymous.
enum Temp {
    Named { path: PathBuf, file: File },
    Anonymous(File),
}

impl Temp {
    fn file(&self) -> &File {
        match self {
            Temp::Named { file, .. } | Temp::Anonymous(file) => file,
        }
    }
}

impl Outputs {
    pub fn new() -> Outputs {
        Outputs::default()
    }

    /// Writes one output to its staging file. Nothing is in place until [`Outputs::commit`].
    pub fn stage(
        &mut self,
        dest: &Destination,
        write: impl FnOnce(&mut dyn Write) -> Result<()>,
    ) -> Result<()> {
        let (shown, how) = match dest {
            Destination::Stdout => (PathBuf::from("<stdout>"), Placement::Stdout),
            Destination::File(p) => (p.clone(), placement(p)?),
        };
        let temp = match &how {
            Placement::Rename { path, .. } => named_temp(path)?,
            Placement::InPlace { .. } | Placement::Stdout => {
                // A failure names the output, never the staging file (which the user never sees).
                Temp::Anonymous(tempfile::tempfile().map_err(|e| Error::io(&shown, e))?)
            }
        };
        // Registered before writing, so that a failed write removes the temporary file too.
        self.staged.push(Staged {
            shown,
            how,
            temp,
            renamed: false,
        });
        let staged = self.staged.last().expect("just pushed");
        let err = |e| Error::io(&staged.shown, e);
        {
            let mut early = EarlySync::new(staged.temp.file());
            {
                let mut w = BufWriter::with_capacity(256 * 1024, &mut early);
                write(&mut w)?;
                w.flush().map_err(err)?;
            }
            early.finish().map_err(err)?;
        }
        if let Placement::Rename { .. } = staged.how {
            staged.temp.file().sync_all().map_err(err)?;
        }
        Ok(())
    }

    /// Puts every staged output in place: first those written in place (standard output, devices,
    /// FIFOs: the ones that can fail half-way), then the renames. On an error the outputs not yet
    /// in place keep their previous contents.
    pub fn commit(mut self) -> Result<()> {
        let mut staged = std::mem::take(&mut self.staged);
        staged.sort_by_key(|s| matches!(s.how, Placement::Rename { .. }));
        let mut left = staged.into_iter();
        while let Some(s) = left.next() {
            if let Err(e) = s.put_in_place() {
                // The rest are removed when `left` is dropped.
                self.staged.extend(left);
                return Err(e);
            }
        }
        Ok(())
    }
}

impl Staged {
    fn put_in_place(mut self) -> Result<()> {
        let shown = self.shown.clone();
        let err = |e| Error::io(&shown, e);
        match &self.how {
            Placement::Stdout => {
                use std::io::IsTerminal;
                let stdout = io::stdout();
                let mut out = stdout.lock();
                if out.is_terminal() {
                    // Text from the inputs never reaches a terminal as escape sequences.
                    let mut safe = crate::text::TerminalSafe::new(&mut out);
                    copy_from_start(self.temp.file(), &mut safe).map_err(err)?;
                    safe.finish().map_err(err)?;
                } else {
                    copy_from_start(self.temp.file(), &mut out).map_err(err)?;
                }
                out.flush().map_err(err)
            }
            Placement::InPlace { path } => {
                let mut out = OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(|e| Error::io(path, e))?;
                copy_from_start(self.temp.file(), &mut out).map_err(err)?;
                out.flush().map_err(err)?;
                // A device that takes bytes it cannot store says so on sync (or never).
                match out.sync_all() {
                    Err(e) if e.kind() != io::ErrorKind::InvalidInput => Err(err(e)),
                    _ => Ok(()),
                }
            }
            Placement::Rename { path, mode } => {
                let Temp::Named { path: temp, .. } = &self.temp else {
                    return Err(Error::Internal(
                        "a renamed output has no named temporary file",
                    ));
                };
                set_mode(temp, *mode).map_err(err)?;
                std::fs::rename(temp, path).map_err(err)?;
                // Renamed: nothing to remove any more.
                self.renamed = true;
                Ok(())
            }
        }
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let (Temp::Named { path, .. }, false) = (&self.temp, self.renamed) {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn copy_from_start(mut from: &File, to: &mut dyn Write) -> io::Result<()> {
    from.seek(SeekFrom::Start(0))?;
    io::copy(&mut from, to)?;
    Ok(())
}

/// How an output at `path` is put in place: what the path is decides.
fn placement(path: &Path) -> Result<Placement> {
    let target = resolve_links(path)?;
    match std::fs::metadata(&target) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Placement::Rename {
            path: target,
            mode: None,
        }),
        Err(e) => Err(Error::io(path, e)),
        Ok(m) if m.is_file() => Ok(Placement::Rename {
            mode: Some(kept_mode(&m)),
            path: target,
        }),
        Ok(m) if m.is_dir() => Err(Usage::OutputIsFolder {
            path: path.to_path_buf(),
        }
        .into()),
        // A device, a FIFO, a socket: written in place, never replaced by a file.
        Ok(_) => Ok(Placement::InPlace { path: target }),
    }
}

/// The path a symbolic link (or a chain of them) finally names; `path` itself when it is none.
fn resolve_links(path: &Path) -> Result<PathBuf> {
    let mut at = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&at).map_err(|e| Error::io(&at, e))?;
                at = match at.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(at),
        }
    }
    Err(Usage::LinkLoop {
        path: path.to_path_buf(),
    }
    .into())
}

/// The permission bits a replaced file keeps: its own, without setuid, setgid or sticky.
#[cfg(unix)]
fn kept_mode(m: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    m.permissions().mode() & 0o777
}

#[cfg(not(unix))]
fn kept_mode(_: &std::fs::Metadata) -> u32 {
    0
}

/// The prefix of this program's temporary files; they start with a dot, so that a folder walk
/// never takes one for an input.
const TEMP_PREFIX: &str = ".mfaudit-";
const TEMP_SUFFIX: &str = ".tmp";

/// A new temporary file beside `path`, named `.mfaudit-<pid>-<random>.tmp`, private while it is
/// written. Stale ones a killed run left in that folder are removed first.
fn named_temp(path: &Path) -> Result<Temp> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    remove_stale_temps(&dir);
    let pid = std::process::id();
    for attempt in 0u32..100 {
        let name = format!(
            "{TEMP_PREFIX}{pid}-{:08x}{TEMP_SUFFIX}",
            random_u32() ^ attempt
        );
        let temp = dir.join(name);
        let mut options = OpenOptions::new();
        options.write(true).read(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // Created with the mode a new report gets, which the umask decides; made private
            // at once, and given its final mode when it is put in place.
            options.mode(0o666);
        }
        match options.open(&temp) {
            Ok(file) => {
                let new_file_mode = private(&file, &temp).map_err(|e| Error::io(path, e))?;
                NEW_FILE_MODE.get_or_init(|| new_file_mode);
                return Ok(Temp::Named { path: temp, file });
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    Err(Error::io(
        path,
        io::Error::other("could not create a temporary file beside it"),
    ))
}

/// The mode a new file gets under this process's umask (learnt from the first temporary file).
static NEW_FILE_MODE: std::sync::OnceLock<u32> = std::sync::OnceLock::new();

/// Makes a just-created temporary file private; returns the mode it was created with.
#[cfg(unix)]
fn private(file: &File, path: &Path) -> io::Result<u32> {
    use std::os::unix::fs::PermissionsExt;
    let created = file.metadata()?.permissions().mode() & 0o777;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    Ok(created)
}

#[cfg(not(unix))]
fn private(_: &File, _: &Path) -> io::Result<u32> {
    Ok(0)
}

/// Gives the staged file its final mode: the replaced file's, else a new file's.
#[cfg(unix)]
fn set_mode(temp: &Path, mode: Option<u32>) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = mode
        .or_else(|| NEW_FILE_MODE.get().copied())
        .unwrap_or(0o644);
    std::fs::set_permissions(temp, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: Option<u32>) -> io::Result<()> {
    Ok(())
}

/// A little randomness for temporary names (collisions are retried anyway).
fn random_u32() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish() as u32
}

/// Temporary files of this program that a killed run left in `dir`: those of a process that is no
/// longer running where that can be told (Linux), else those older than a day. Best effort.
fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(middle) = name
            .strip_prefix(TEMP_PREFIX)
            .and_then(|r| r.strip_suffix(TEMP_SUFFIX))
        else {
            continue;
        };
        if is_stale(&entry, middle) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn is_stale(entry: &std::fs::DirEntry, middle: &str) -> bool {
    let Ok(meta) = entry.metadata() else {
        return false;
    };
    if !meta.is_file() {
        return false;
    }
    let pid = middle
        .split_once('-')
        .and_then(|(pid, _)| pid.parse::<u32>().ok());
    let proc_root = Path::new("/proc/self");
    match pid {
        Some(pid) if pid == std::process::id() => false,
        Some(pid) if proc_root.exists() => !Path::new(&format!("/proc/{pid}")).exists(),
        _ => meta
            .modified()
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > std::time::Duration::from_secs(24 * 3600)),
    }
}

/// Bytes written between two early flushes to disk.
const EARLY_SYNC_BYTES: u64 = 16 << 20;

/// A file writer that has a helper thread flush what was written to disk every
/// [`EARLY_SYNC_BYTES`], while writing goes on: the `sync_all` before the rename then waits for
/// the last part only, not for the whole of a large report. A small file never starts the helper.
struct EarlySync<'a> {
    file: &'a File,
    written: u64,
    syncer: Option<Syncer>,
}

struct Syncer {
    /// Holds at most one pending request: a flush asked for while one is running covers both.
    ask: std::sync::mpsc::SyncSender<()>,
    done: std::thread::JoinHandle<io::Result<()>>,
}

impl<'a> EarlySync<'a> {
    fn new(file: &'a File) -> EarlySync<'a> {
        EarlySync {
            file,
            written: 0,
            syncer: None,
        }
    }

    /// Best effort: without a second handle on the file there is no early flush, and the final
    /// `sync_all` does it all, as it would without this writer.
    fn ask_for_flush(&mut self) {
        if self.syncer.is_none() {
            let Ok(file) = self.file.try_clone() else {
                return;
            };
            let (ask, asked) = std::sync::mpsc::sync_channel::<()>(1);
            let done = crate::par::in_background(move || {
                while asked.recv().is_ok() {
                    file.sync_data()?;
                }
                Ok(())
            });
            self.syncer = Some(Syncer { ask, done });
        }
        if let Some(s) = &self.syncer {
            // Full: a flush is pending and will take these bytes too. Gone: the helper failed,
            // and `finish` reports why.
            let _ = s.ask.try_send(());
        }
    }

    /// Waits for the helper; its error, if a flush failed.
    fn finish(mut self) -> io::Result<()> {
        self.stop()
    }

    fn stop(&mut self) -> io::Result<()> {
        match self.syncer.take() {
            Some(Syncer { ask, done }) => {
                drop(ask);
                done.join()
                    .unwrap_or_else(|_| Err(io::Error::other("the flushing thread stopped")))
            }
            None => Ok(()),
        }
    }
}

impl Write for EarlySync<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = (&*self.file).write(buf)?;
        let before = self.written;
        self.written += n as u64;
        if self.written / EARLY_SYNC_BYTES > before / EARLY_SYNC_BYTES {
            self.ask_for_flush();
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        (&*self.file).flush()
    }
}

impl Drop for EarlySync<'_> {
    /// On an error the helper is still waited for: nothing outlives the file.
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_in(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    /// 70 MB in 1 MB writes: the early flushes run (twice) and the file is exactly what was written.
    #[test]
    fn a_large_file_is_flushed_early_and_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        let block: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
        write_atomic(&path, |w| {
            for _ in 0..70 {
                w.write_all(&block).map_err(|e| Error::io("big", e))?;
            }
            Ok(())
        })
        .unwrap();
        let written = std::fs::read(&path).unwrap();
        assert_eq!(written.len(), 70 << 20);
        assert!(written.chunks(1 << 20).all(|c| c == block.as_slice()));
    }

    /// A write that fails after the early flushes started leaves the previous file as it was and
    /// no temporary file behind.
    #[test]
    fn a_failed_large_write_leaves_the_previous_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        std::fs::write(&path, b"previous").unwrap();
        let block = vec![b'x'; 1 << 20];
        let e = write_atomic(&path, |w| {
            for _ in 0..40 {
                w.write_all(&block).map_err(|e| Error::io("report", e))?;
            }
            Err(Error::Internal("stopped half-way"))
        })
        .unwrap_err();
        assert_eq!(e.to_string(), "internal error: stopped half-way");
        assert_eq!(std::fs::read(&path).unwrap(), b"previous");
        assert_eq!(names_in(dir.path()), ["report.json"]);
    }

    /// Three outputs, the third fails: neither of the first two was replaced, no temporary file
    /// is left.
    #[test]
    fn outputs_are_all_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            dir.path().join("a.json"),
            dir.path().join("b.csv"),
            dir.path().join("c.html"),
        );
        for p in [&a, &b, &c] {
            std::fs::write(p, b"old").unwrap();
        }
        let mut outputs = Outputs::new();
        for p in [&a, &b] {
            outputs
                .stage(&Destination::of(p), |w| {
                    w.write_all(b"new").map_err(|e| Error::io(p, e))
                })
                .unwrap();
        }
        let e = outputs
            .stage(&Destination::of(&c), |_| Err(Error::Internal("no")))
            .unwrap_err();
        assert_eq!(e.to_string(), "internal error: no");
        drop(outputs);
        for p in [&a, &b, &c] {
            assert_eq!(std::fs::read(p).unwrap(), b"old");
        }
        assert_eq!(names_in(dir.path()), ["a.json", "b.csv", "c.html"]);

        let mut outputs = Outputs::new();
        for p in [&a, &b, &c] {
            outputs
                .stage(&Destination::of(p), |w| {
                    w.write_all(b"new").map_err(|e| Error::io(p, e))
                })
                .unwrap();
        }
        outputs.commit().unwrap();
        for p in [&a, &b, &c] {
            assert_eq!(std::fs::read(p).unwrap(), b"new");
        }
        assert_eq!(names_in(dir.path()), ["a.json", "b.csv", "c.html"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_followed_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.json");
        std::fs::write(&target, b"old").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink("real.json", &link).unwrap();
        write_bytes(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        // A dangling link: its target is created.
        let dangling = dir.path().join("dangling.json");
        std::os::unix::fs::symlink("sub-target.json", &dangling).unwrap();
        write_bytes(&dangling, b"made").unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("sub-target.json")).unwrap(),
            b"made"
        );
        assert!(
            std::fs::symlink_metadata(&dangling)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_mode_without_setuid() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        std::fs::write(&path, b"old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o4751)).unwrap();
        write_bytes(&path, b"new").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o751);
    }

    #[test]
    fn a_folder_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let e = write_bytes(dir.path(), b"x").unwrap_err();
        assert!(
            e.to_string()
                .ends_with("is a folder, not a file: give the report a file name")
        );
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn stale_temporary_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        // A pid that is not running (above any pid_max) and one that is: this process's.
        let stale = dir.path().join(".mfaudit-4294967295-0000abcd.tmp");
        let mine = dir
            .path()
            .join(format!(".mfaudit-{}-0000abcd.tmp", std::process::id()));
        let other = dir.path().join(".other.tmp");
        for p in [&stale, &mine, &other] {
            std::fs::write(p, b"x").unwrap();
        }
        write_bytes(&dir.path().join("r.json"), b"{}").unwrap();
        let mut want = vec![
            ".other.tmp".to_string(),
            mine.file_name().unwrap().to_string_lossy().into_owned(),
            "r.json".to_string(),
        ];
        if !Path::new("/proc/self").exists() {
            // Without /proc only old files are known to be stale.
            want.push(stale.file_name().unwrap().to_string_lossy().into_owned());
        }
        want.sort();
        assert_eq!(names_in(dir.path()), want);
    }

    #[test]
    fn two_outputs_on_stdout_are_refused() {
        let e = at_most_one_stdout(&[
            ("--json", Some(Path::new("-"))),
            ("--csv", Some(Path::new("a.csv"))),
            ("--html", Some(Path::new("-"))),
        ])
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "--json and --html all write to standard output ('-'): at most one output may go there; give the others a file name"
        );
        assert!(at_most_one_stdout(&[("--json", Some(Path::new("-"))), ("--csv", None)]).is_ok());
    }
}
