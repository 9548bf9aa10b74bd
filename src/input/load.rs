//! Reading the directory: every directory input, in command-line order, merged — or, when there
//! is one directory input and the report allows it, streamed user by user in constant memory.

use std::path::PathBuf;

use crate::error::Result;
use crate::input::{self, InputFile, OutputPath, ReadOptions, ReadStats, Skipped};
use crate::model::{Directory, User};

use crate::console::Messages;
use crate::console::Progress;

/// Detected inputs split into directory, activity and configuration files.
pub struct Inputs {
    pub all: Vec<InputFile>,
    /// Files found in folders that are not read (said once on stderr, listed by `inspect`).
    pub skipped: Vec<Skipped>,
}

impl Inputs {
    /// Finds and detects the inputs; `outputs` are the files this run writes, never inputs.
    pub fn identify(
        paths: &[PathBuf],
        opts: &ReadOptions,
        outputs: &[OutputPath<'_>],
    ) -> Result<Inputs> {
        let expanded = input::expand(paths, outputs)?;
        let (all, mut skipped) = input::identify(&expanded.files, opts)?;
        let mut passed_over = expanded.skipped;
        passed_over.append(&mut skipped);
        Ok(Inputs {
            all,
            skipped: passed_over,
        })
    }

    pub fn directory(&self) -> impl Iterator<Item = &InputFile> {
        self.all.iter().filter(|f| f.kind.is_directory())
    }

    /// Sign-in logs, their AuthDetails companions, MFA Server calls.
    pub fn activity(&self) -> impl Iterator<Item = &InputFile> {
        self.all.iter().filter(|f| f.kind.is_activity())
    }

    /// Configuration exports: policies, security defaults, roles, groups
    /// ([`read_config`](input::read_config) reads them).
    pub fn config(&self) -> impl Iterator<Item = &InputFile> {
        self.all.iter().filter(|f| f.kind.is_config())
    }
}

/// Calls `each` for every user: streamed straight from the file when there is one directory input,
/// otherwise after merging all of them. Returns the per-file stats (in `inputs.all` order, `None`
/// for files not read here) and the merge conflicts' count.
pub fn for_each_user(
    inputs: &Inputs,
    opts: &ReadOptions,
    msg: Messages,
    each: &mut dyn FnMut(&User) -> Result<()>,
) -> Result<Vec<Option<ReadStats>>> {
    let dir_files: Vec<&InputFile> = inputs.directory().collect();
    let mut stats: Vec<Option<ReadStats>> = vec![None; inputs.all.len()];
    if dir_files.is_empty() {
        return Err(crate::error::Usage::NoDirectory.into());
    }
    for f in inputs.activity() {
        msg.warn(format!(
            "{}: {} is not used by this report (the audit command reads sign-ins)",
            f.path.display(),
            f.kind.describe()
        ));
    }
    for f in inputs.config() {
        msg.warn(format!(
            "{}: {} is not used by this report (the audit command reads the configuration)",
            f.path.display(),
            f.kind.describe()
        ));
    }
    if let [only] = dir_files.as_slice() {
        let mut progress = Progress::new(msg.quiet, &only.path, "users");
        let mut lost = 0u64;
        let s = input::read_users(only, opts, &mut |u| {
            progress.inc();
            lost += u64::from(u.upn.as_deref().is_some_and(|u| u.contains('?')));
            each(&u)
        })?;
        progress.finish();
        if lost > 0 {
            msg.warn(format!(
                "{}: {lost} UPN(s) hold '?' where a Windows PowerShell 5.1 export in ASCII lost characters: they are written as they are; export with -Encoding UTF8 to keep the names whole",
                only.path.display()
            ));
        }
        stats[only.index as usize] = Some(s);
        return Ok(stats);
    }
    let (directory, read) = merge(&dir_files, opts, msg)?;
    for (i, s) in read {
        stats[i] = Some(s);
    }
    report_conflicts(&directory, msg);
    if let Some(w) = directory.lost_characters_warning() {
        msg.warn(w);
    }
    for u in &directory.users {
        each(u)?;
    }
    Ok(stats)
}

/// Stats per file, by the file's index among the inputs.
pub type FileStats = Vec<(usize, ReadStats)>;

/// Reads every directory file into one merged directory.
pub fn merge(
    files: &[&InputFile],
    opts: &ReadOptions,
    msg: Messages,
) -> Result<(Directory, FileStats)> {
    let mut directory = Directory::new();
    let mut read = Vec::new();
    for f in files {
        let mut progress = Progress::new(msg.quiet, &f.path, "users");
        let s = input::read_users(f, opts, &mut |u| {
            progress.inc();
            directory.insert(u);
            Ok(())
        })?;
        progress.finish();
        read.push((f.index as usize, s));
    }
    directory.match_lost_characters();
    Ok((directory, read))
}

/// Says on stderr how many facts two sources disagreed on, with the first few.
pub fn report_conflicts(directory: &Directory, msg: Messages) {
    if directory.conflicts.is_empty() {
        return;
    }
    msg.warn(format!(
        "{} disagreement(s) between inputs; the input given first wins (mfaudit inspect lists them all)",
        directory.conflicts.len()
    ));
    for c in directory.conflicts.iter().take(5) {
        msg.warn(format!(
            "  {}: {} is '{}' in input {} but '{}' in input {}",
            c.upn,
            c.field,
            c.kept,
            c.kept_from.file + 1,
            c.other,
            c.other_from.file + 1
        ));
    }
}

/// Prints the files passed over, then each file's reader warnings.
pub fn print_warnings(inputs: &Inputs, stats: &[Option<ReadStats>], msg: Messages) {
    print_skipped(inputs, msg);
    print_read_warnings(inputs, stats, msg);
}

/// Prints the files found in folders that are not exports (passed over).
pub fn print_skipped(inputs: &Inputs, msg: Messages) {
    for s in &inputs.skipped {
        if s.note {
            msg.note(s.message());
        } else {
            msg.warn(s.message());
        }
    }
}

/// Prints what each file's reader met: skipped records with their lines, a file cut short...
pub fn print_read_warnings(inputs: &Inputs, stats: &[Option<ReadStats>], msg: Messages) {
    for f in &inputs.all {
        for w in &f.warnings {
            msg.warn(format!("{}: {w}", f.path.display()));
        }
        if let Some(Some(s)) = stats.get(f.index as usize) {
            for w in &s.warnings {
                msg.warn(format!("{}: {w}", f.path.display()));
            }
        }
    }
}
