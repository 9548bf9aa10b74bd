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
        let mut w = BufWriter::with_capacity(256 * 1024, tmp.as_file());
        write(&mut w)?;
        w.flush().map_err(|e| Error::io(path, e))?;
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
