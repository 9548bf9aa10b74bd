//! Writing outputs. A file is written to a temporary file beside it and renamed into place, so an
//! error or a kill never leaves a truncated report where the previous one was.

use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Where an output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Stdout,
    File(PathBuf),
}

impl Destination {
    pub fn from_option(path: Option<&Path>) -> Destination {
        match path {
            Some(p) if p.as_os_str() != "-" => Destination::File(p.to_path_buf()),
            _ => Destination::Stdout,
        }
    }
}

/// Writes through `write` to the destination; a file appears only once everything was written.
pub fn emit(dest: &Destination, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    match dest {
        Destination::Stdout => {
            // Spooled to an anonymous temporary file and copied out only on success, so a bad
            // record half-way through never leaves half a report in a redirected file.
            let spool = tempfile::tempfile().map_err(|e| Error::io("<temporary file>", e))?;
            let mut w = BufWriter::with_capacity(256 * 1024, spool);
            write(&mut w)?;
            let mut spool = w
                .into_inner()
                .map_err(|e| Error::io("<temporary file>", e.into_error()))?;
            spool
                .seek(SeekFrom::Start(0))
                .map_err(|e| Error::io("<temporary file>", e))?;
            let stdout = io::stdout();
            let mut out = stdout.lock();
            io::copy(&mut spool, &mut out).map_err(|e| Error::io("<stdout>", e))?;
            out.flush().map_err(|e| Error::io("<stdout>", e))
        }
        Destination::File(path) => write_atomic(path, write),
    }
}

/// Writes a file atomically: a temporary file in the same folder, then a rename.
pub fn write_atomic(path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".mfaudit-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| Error::io(path, e))?;
    {
        let mut early = EarlySync::new(tmp.as_file());
        {
            let mut w = BufWriter::with_capacity(256 * 1024, &mut early);
            write(&mut w)?;
            w.flush().map_err(|e| Error::io(path, e))?;
        }
        early.finish().map_err(|e| Error::io(path, e))?;
    }
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    // The temporary file is private (0600); the report gets the permissions of the file it
    // replaces, or the usual 0644 for a new one.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_or(0o644, |m| m.permissions().mode() & 0o7777);
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(mode))
            .map_err(|e| Error::io(path, e))?;
    }
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Bytes written between two early flushes to disk.
const EARLY_SYNC_BYTES: u64 = 16 << 20;

/// A file writer that has a helper thread flush what was written to disk every
/// [`EARLY_SYNC_BYTES`], while writing goes on: the `sync_all` before the rename then waits for the
/// last part only, not for the whole of a large report (an audit's JSON of 200,000 users is 122 MB).
/// A small file never starts the helper.
struct EarlySync<'a> {
    file: &'a std::fs::File,
    written: u64,
    syncer: Option<Syncer>,
}

struct Syncer {
    /// Holds at most one pending request: a flush asked for while one is running covers both.
    ask: std::sync::mpsc::SyncSender<()>,
    done: std::thread::JoinHandle<io::Result<()>>,
}

impl<'a> EarlySync<'a> {
    fn new(file: &'a std::fs::File) -> EarlySync<'a> {
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
            let done = std::thread::spawn(move || {
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

#[cfg(test)]
mod tests {
    use super::*;

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
            Err(Error::Failed("stopped half-way".into()))
        })
        .unwrap_err();
        assert_eq!(e.to_string(), "stopped half-way");
        assert_eq!(std::fs::read(&path).unwrap(), b"previous");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "{left:?}");
    }
}
