//! Turning the command line's inputs into the files to read: folders walked recursively (in
//! sorted order), glob patterns expanded (Windows shells do not), `-` for standard input.
//!
//! Each file is read once however it was reached (named twice, through a folder and by name,
//! through a symbolic link): files and folders are known by their device and inode, so a link to
//! an ancestor or a mesh of links between folders ends. A file this run writes is never an
//! input: named explicitly it is refused before anything is read or written, met in a folder it
//! is passed over with a note. Devices, FIFOs and sockets are never read: named explicitly they are
//! refused, met in a folder they are passed over with a warning.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result, Usage};

/// One path to read, and whether it was found inside a folder (an unrecognised file found in a
/// folder is skipped with a warning; one named on the command line is an error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    pub path: PathBuf,
    pub from_folder: bool,
    /// This run writes its report of this option (`--json`) at this path, found in a folder:
    /// passed over when it is mfaudit's own earlier report, refused when it is an export.
    pub output_of: Option<String>,
}

/// A file passed over, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    pub path: PathBuf,
    pub why: String,
    /// Said as a note (mfaudit's own outputs) rather than as a warning.
    #[serde(skip)]
    pub note: bool,
}

impl Skipped {
    pub fn warning(path: impl Into<PathBuf>, why: impl Into<String>) -> Skipped {
        Skipped {
            path: path.into(),
            why: why.into(),
            note: false,
        }
    }

    pub fn note(path: impl Into<PathBuf>, why: impl Into<String>) -> Skipped {
        Skipped {
            path: path.into(),
            why: why.into(),
            note: true,
        }
    }

    /// The line stderr shows.
    pub fn message(&self) -> String {
        format!(
            "{}: skipped: {}",
            crate::text::shown_path(&self.path),
            self.why
        )
    }
}

/// An output of this run: the option that names it and its path.
#[derive(Debug, Clone, Copy)]
pub struct OutputPath<'a> {
    pub option: &'a str,
    pub path: &'a Path,
}

/// The files to read and those passed over.
#[derive(Debug, Default)]
pub struct Expansion {
    pub files: Vec<Expanded>,
    pub skipped: Vec<Skipped>,
}

/// What identifies a file or folder however it is reached.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum FileId {
    #[cfg(unix)]
    Inode(u64, u64),
    #[allow(dead_code)]
    Path(PathBuf),
}

fn file_id(path: &Path, meta: &std::fs::Metadata) -> FileId {
    #[cfg(unix)]
    {
        let _ = path;
        use std::os::unix::fs::MetadataExt;
        FileId::Inode(meta.dev(), meta.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        FileId::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
    }
}

/// What a path that is neither a file nor a folder is, for messages.
fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    let _ = meta;
    "not a regular file"
}

/// Walks the inputs; see the module comment. `outputs` are the files this run writes.
pub fn expand(inputs: &[PathBuf], outputs: &[OutputPath<'_>]) -> Result<Expansion> {
    let mut walk = Walk {
        outputs: outputs
            .iter()
            .filter(|o| !crate::output::is_stdout(o.path))
            .filter_map(|o| {
                std::fs::metadata(o.path)
                    .ok()
                    .map(|m| (file_id(o.path, &m), *o))
            })
            .collect(),
        ..Walk::default()
    };
    for input in inputs {
        walk.input(input)?;
    }
    if walk.out.files.is_empty() {
        return Err(Usage::NoInputFiles {
            passed_over: walk.out.skipped.len(),
        }
        .into());
    }
    Ok(walk.out)
}

#[derive(Default)]
struct Walk<'a> {
    outputs: Vec<(FileId, OutputPath<'a>)>,
    /// Files taken, by identity, and where in `out.files` each is.
    files: std::collections::HashMap<FileId, usize>,
    folders: HashSet<FileId>,
    stdin: bool,
    out: Expansion,
}

impl Walk<'_> {
    fn input(&mut self, input: &Path) -> Result<()> {
        let s = input.to_string_lossy();
        if s == "-" {
            if !self.stdin {
                self.stdin = true;
                self.out.files.push(Expanded {
                    path: input.to_path_buf(),
                    from_folder: false,
                    output_of: None,
                });
            }
            return Ok(());
        }
        match std::fs::metadata(input) {
            Ok(m) if m.is_dir() => self.folder(input, &m),
            Ok(m) if m.is_file() => self.file(input, &m, false),
            Ok(m) => Err(Usage::Special {
                path: input.to_path_buf(),
                kind: special_kind(&m),
            }
            .into()),
            Err(_) if s.contains(['*', '?', '[']) => self.pattern(&s),
            Err(source) => {
                let path = input.to_path_buf();
                Err(match std::fs::symlink_metadata(input) {
                    Ok(l) if l.file_type().is_symlink() => Usage::DanglingLink { path, source },
                    _ if source.kind() == std::io::ErrorKind::NotFound => Usage::NotFound { path },
                    _ => Usage::Unreachable { path, source },
                }
                .into())
            }
        }
    }

    fn pattern(&mut self, pattern: &str) -> Result<()> {
        let mut matched: Vec<PathBuf> = glob::glob(pattern)
            .map_err(|source| Usage::BadPattern {
                pattern: pattern.to_string(),
                source,
            })?
            .filter_map(|p| p.ok())
            .collect();
        matched.sort();
        let mut any = false;
        for p in matched {
            if let Ok(m) = std::fs::metadata(&p)
                && m.is_file()
            {
                any = true;
                self.file(&p, &m, false)?;
            }
        }
        if !any {
            return Err(Usage::NoMatch {
                pattern: pattern.to_string(),
            }
            .into());
        }
        Ok(())
    }

    /// Takes a file unless it was taken already; a file named explicitly that a folder already
    /// gave is now explicit (it must fail loudly).
    fn file(&mut self, path: &Path, meta: &std::fs::Metadata, from_folder: bool) -> Result<()> {
        let id = file_id(path, meta);
        let output_of = self
            .outputs
            .iter()
            .find(|(o, _)| *o == id)
            .map(|(_, out)| out.option.to_string());
        if let Some(option) = &output_of {
            if from_folder {
                // Its content decides (see `input::identify`): an earlier report is passed over,
                // an export is never replaced.
                if !self.files.contains_key(&id) {
                    self.files.insert(id, self.out.files.len());
                    self.out.files.push(Expanded {
                        path: path.to_path_buf(),
                        from_folder,
                        output_of: output_of.clone(),
                    });
                }
                return Ok(());
            }
            return Err(Usage::OutputIsInput {
                path: path.to_path_buf(),
                option: option.clone(),
                in_folder: false,
            }
            .into());
        }
        match self.files.get(&id) {
            Some(&at) => {
                if !from_folder {
                    self.out.files[at].from_folder = false;
                }
            }
            None => {
                self.files.insert(id, self.out.files.len());
                self.out.files.push(Expanded {
                    path: path.to_path_buf(),
                    from_folder,
                    output_of: None,
                });
            }
        }
        Ok(())
    }

    fn folder(&mut self, dir: &Path, meta: &std::fs::Metadata) -> Result<()> {
        if !self.folders.insert(file_id(dir, meta)) {
            // Reached again (named twice, or through a link back up): walked once.
            return Ok(());
        }
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for p in entries {
            let hidden = p
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if hidden {
                continue;
            }
            match std::fs::metadata(&p) {
                Ok(m) if m.is_dir() => self.folder(&p, &m)?,
                Ok(m) if m.is_file() => self.file(&p, &m, true)?,
                Ok(m) => self.out.skipped.push(Skipped::warning(
                    &p,
                    format!("{}, not a file: not read", special_kind(&m)),
                )),
                Err(e) => self.out.skipped.push(Skipped::warning(
                    &p,
                    match std::fs::symlink_metadata(&p) {
                        Ok(l) if l.file_type().is_symlink() => {
                            "a symbolic link to something that does not exist".to_string()
                        }
                        _ => format!("cannot be read: {e}"),
                    },
                )),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(e: &Expansion, root: &Path) -> Vec<(String, bool)> {
        e.files
            .iter()
            .map(|f| {
                (
                    f.path
                        .strip_prefix(root)
                        .unwrap_or(&f.path)
                        .display()
                        .to_string(),
                    f.from_folder,
                )
            })
            .collect()
    }

    #[test]
    fn a_file_reached_twice_is_read_once_and_explicit_wins() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("e")).unwrap();
        std::fs::write(root.join("e/a.json"), "{}").unwrap();
        std::fs::write(root.join("e/b.json"), "{}").unwrap();
        let e = expand(
            &[
                root.join("e"),
                root.join("e/b.json"),
                root.join("e/./a.json"),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(
            names(&e, root),
            [
                ("e/a.json".to_string(), false),
                ("e/b.json".to_string(), false)
            ]
        );
        let e = expand(&[root.join("e"), root.join("e")], &[]).unwrap();
        assert_eq!(e.files.len(), 2);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_end_and_each_file_is_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("e/sub")).unwrap();
        std::fs::write(root.join("e/sub/s.json"), "{}").unwrap();
        std::os::unix::fs::symlink("..", root.join("e/sub/up")).unwrap();
        std::os::unix::fs::symlink("s.json", root.join("e/sub/again.json")).unwrap();
        // A mesh: three folders linking to each other.
        for n in 0..3 {
            std::fs::create_dir(root.join(format!("m{n}"))).unwrap();
            std::fs::write(root.join(format!("m{n}/f{n}.json")), "{}").unwrap();
        }
        for n in 0..3 {
            for k in 0..3 {
                if n != k {
                    std::os::unix::fs::symlink(
                        format!("../m{k}"),
                        root.join(format!("m{n}/to{k}")),
                    )
                    .unwrap();
                }
            }
        }
        let e = expand(&[root.join("e")], &[]).unwrap();
        assert_eq!(names(&e, root), [("e/sub/again.json".to_string(), true)]);
        let e = expand(&[root.join("m0")], &[]).unwrap();
        let mut got: Vec<String> = names(&e, root).into_iter().map(|(n, _)| n).collect();
        got.sort();
        assert_eq!(got.len(), 3, "{got:?}");
    }

    #[cfg(unix)]
    #[test]
    fn fifos_are_refused_by_name_and_passed_over_in_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let fifo = root.join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        if !made {
            eprintln!("skipped: mkfifo is not available");
            return;
        }
        std::fs::write(root.join("a.json"), "{}").unwrap();
        let e = expand(std::slice::from_ref(&fifo), &[]).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "{}: is a FIFO (named pipe), which mfaudit does not read: to read a stream, pass - and redirect it to standard input",
                fifo.display()
            )
        );
        let e = expand(&[root.to_path_buf()], &[]).unwrap();
        assert_eq!(e.files.len(), 1);
        assert_eq!(
            e.skipped[0].message(),
            format!(
                "{}: skipped: a FIFO (named pipe), not a file: not read",
                fifo.display()
            )
        );
    }

    #[test]
    fn an_output_is_never_an_input() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("reg.json"), "{}").unwrap();
        std::fs::write(root.join("out.csv"), "old").unwrap();
        let outputs = [OutputPath {
            option: "--csv",
            path: &root.join("out.csv"),
        }];
        // Found in a folder, it is marked: its content decides (an earlier report is passed over,
        // an export refused).
        let e = expand(&[root.to_path_buf()], &outputs).unwrap();
        assert_eq!(e.files.len(), 2);
        assert_eq!(e.files[0].output_of.as_deref(), Some("--csv"));
        assert_eq!(e.files[1].output_of, None);
        let outputs = [OutputPath {
            option: "--json",
            path: &root.join("reg.json"),
        }];
        let e = expand(&[root.join("reg.json")], &outputs).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert_eq!(
            e.to_string(),
            format!(
                "{} is both an input and the --json output: the report would replace the export; write the report elsewhere",
                root.join("reg.json").display()
            )
        );
    }
}
