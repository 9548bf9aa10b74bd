//! `audit` (and `run`, which is `audit` driven by a config file): read the directory, stream the
//! activity through the auditor, then write JSON / CSV / HTML, record history, print the six
//! answers, mail the summary, and apply the policy thresholds — in that order, so the reports exist
//! before anything can fail on the network.

use std::path::{Path, PathBuf};

use crate::cli::{AuditArgs, GlobalArgs};
use crate::deliver::email;
use crate::error::{Error, Result};
use crate::input::signins;
use crate::input::{self, InputFile, Kind, ReadOptions, ReadStats};
use crate::model::Directory;
use crate::model::directory::GuestIndex;
use crate::output::{self, Destination};
use crate::par;
use crate::report::audit::{AuditOptions, AuditReport, Auditor, InputSummary, Leftovers, flag};
use crate::report::ledger::Ledger;
use crate::report::{html, json, safe_csv};
use crate::{Status, history};
use std::sync::atomic::{AtomicBool, Ordering};

use super::Messages;
use super::load::{self, Inputs};
use super::progress::Progress;

/// The time the report says it was generated: now, or `SOURCE_DATE_EPOCH` (seconds) when set, so
/// that a report can be reproduced byte for byte.
pub fn generated_at() -> jiff::Timestamp {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .unwrap_or_else(jiff::Timestamp::now)
}

/// Runs the audit.
pub fn run(args: &AuditArgs, opts: &ReadOptions, msg: Messages) -> Result<Status> {
    if args.inputs.is_empty() {
        return Err(Error::Usage(
            "no inputs: give export files or folders (directory exports and sign-in logs)".into(),
        ));
    }
    // Email settings are checked first, so a usage mistake costs no reading.
    let mail = email::settings(&args.email)?;
    let (mut report, leftovers) = build(args, opts, msg)?;
    // What the report was built from is freed once its files are written (see `Leftovers`), unless
    // an HTML page is built: that needs the memory more (its template data copies the report).
    let html_wanted = args.html.is_some() || mail.is_some();
    let leftovers = if html_wanted {
        std::thread::spawn(move || drop(leftovers));
        None
    } else {
        Some(leftovers)
    };

    if let Some(db) = &args.history {
        let recorded = history::History::open(db)?.record(&report)?;
        report.changes = recorded.changes;
        report.trend = recorded.trend;
    }

    let mut written: Vec<PathBuf> = Vec::new();
    let html_text = if html_wanted {
        Some(html::render(&report, args.template_dir.as_deref())?)
    } else {
        None
    };
    let mut csv_bytes = Vec::new();
    if args.csv.is_some() || mail.is_some() {
        safe_csv::write_users_csv(&mut csv_bytes, &report)
            .map_err(|e| Error::Failed(format!("CSV: {e}")))?;
    }
    if let Some(p) = &args.json {
        // Streamed into the file: the JSON of a large tenant is never held in memory.
        output::write_atomic(p, |w| {
            json::write_pretty(&mut *w, &report).map_err(|e| Error::io(p, e))?;
            w.write_all(b"\n").map_err(|e| Error::io(p, e))
        })?;
        written.push(p.to_path_buf());
    }
    if let Some(p) = &args.csv {
        output::write_bytes(p, &csv_bytes)?;
        written.push(p.to_path_buf());
    }
    if let (Some(p), Some(text)) = (&args.html, &html_text) {
        output::write_bytes(p, text.as_bytes())?;
        written.push(p.to_path_buf());
    }

    crate::timing::phase("reports written");
    print_summary(&report, &written)?;
    for w in &report.warnings {
        msg.warn(w);
    }

    if let Some(mut settings) = mail {
        settings.report_files = written.clone();
        let message = email::compose(
            &report,
            html_text.as_deref().unwrap_or_default(),
            &csv_bytes,
            &settings,
        )?;
        email::send(&message, &settings)?;
        match &settings.dry_run {
            Some(p) => msg.note(format!("email written to {} (dry run)", p.display())),
            None => msg.note(format!("email sent to {}", settings.to.join(", "))),
        }
    }
    let status = policy(&report, args, msg);
    crate::timing::phase("done");
    // A large report takes a while to free, and the command is done with it.
    std::thread::spawn(move || drop((report, leftovers)));
    Ok(status)
}

/// Reads every input and returns the audit report (without history), and what it was built from,
/// to be freed once the report's files are written ([`Leftovers`]).
pub fn build(
    args: &AuditArgs,
    opts: &ReadOptions,
    msg: Messages,
) -> Result<(AuditReport, Leftovers)> {
    crate::timing::phase("start");
    let inputs = Inputs::identify(&args.inputs, opts)?;
    crate::timing::phase("inputs identified");
    load::print_skipped(&inputs, msg);
    let auth: Vec<&InputFile> = inputs
        .all
        .iter()
        .filter(|f| f.kind == Kind::AuthDetailsCsv)
        .collect();
    if !auth.is_empty() && !inputs.all.iter().any(|f| f.kind == Kind::SignInCsv) {
        msg.warn(
            "an AuthDetails CSV was given without its main sign-in CSV: it is not read on its own",
        );
    }
    let activity: Vec<&InputFile> = inputs
        .activity()
        .filter(|f| f.kind != Kind::AuthDetailsCsv)
        .collect();
    let audit_opts = AuditOptions {
        fatigue_threshold: args
            .fatigue_threshold
            .unwrap_or(crate::config::DEFAULT_FATIGUE_THRESHOLD),
        fatigue_window: jiff::SignedDuration::from_mins(i64::from(
            args.fatigue_window
                .unwrap_or(crate::config::DEFAULT_FATIGUE_WINDOW),
        )),
    };
    let mut stats: Vec<Option<ReadStats>> = vec![None; inputs.all.len()];

    // Two threads. One reads the sign-ins and folds them into a ledger of per-identity tallies
    // (which needs no directory); the other reads the directory meanwhile, then helps with the
    // sign-ins: the first thread hands it batches of JSON records through `share`. The ledgers are
    // merged and joined to the directory once both are done. Memory grows with users, never with
    // sign-ins (the hand-over holds a few batches).
    let stop = AtomicBool::new(false);
    let share = par::Share::new(SHARED_BATCHES);
    let report = std::thread::scope(|scope| -> Result<(AuditReport, Leftovers)> {
        let reader = scope.spawn(|| {
            let _closer = share.closer();
            read_activity(&activity, &auth, opts, msg, audit_opts, &stop, &share)
        });
        let dir_files: Vec<&InputFile> = inputs.directory().collect();
        let merged = if dir_files.is_empty() {
            msg.warn("no directory export among the inputs: users are known only from their sign-ins, so registration and sign-in state are unknown");
            Ok((Directory::new(), Vec::new()))
        } else {
            load::merge(&dir_files, opts, msg)
        };
        // On a directory error the reader is told to stop at its next sign-in.
        let (directory, dir_stats) = match merged {
            Ok(m) => m,
            Err(e) => {
                stop.store(true, Ordering::Relaxed);
                let _ = reader.join();
                return Err(e);
            }
        };
        crate::timing::phase("directory read");
        load::report_conflicts(&directory, msg);
        // Built here, while the other thread is still reading sign-ins.
        let guests = GuestIndex::new(&directory);
        for (i, s) in dir_stats {
            stats[i] = Some(s);
        }
        let mut helped = help_read(&activity, opts, audit_opts, &share);
        let (ledgers, outcomes) = reader.join().map_err(|_| {
            Error::Failed("internal: the sign-in reader stopped unexpectedly".into())
        })??;
        for (n, outcome) in outcomes.into_iter().enumerate() {
            let f = activity[n];
            let read = match outcome {
                FileRead::Whole(read) => read?,
                FileRead::Shared(part, framing) => {
                    let mut parts = vec![part];
                    parts.extend(helped.parts[n].take());
                    input::finish_signins_shared(f, opts, parts, framing)?
                }
            };
            stats[f.index as usize] = Some(read);
        }
        load::print_read_warnings(&inputs, &stats, msg);
        let summaries: Vec<InputSummary> = inputs
            .all
            .iter()
            .map(|f| summarize(f, stats[f.index as usize].as_ref()))
            .collect();
        let mut ledgers = ledgers;
        ledgers.push(helped.ledger);
        crate::timing::phase("sign-ins read");
        Ok(Auditor::with_ledgers(ledgers)
            .with_guest_index(guests)
            .finish_keeping(directory, summaries, generated_at()))
    })?;
    Ok(report)
}

/// Batches of sign-in records waiting for the helper thread, at most.
const SHARED_BATCHES: usize = 4;

/// The message a stopped reader returns (never shown: the directory's error is).
const STOPPED: &str = "the audit stopped";

/// The arrival number of record `index` of activity input `n`: inputs in order, records in order
/// (the records of a page on one JSON Lines line share it, and are folded by one thread in order).
fn arrival(n: usize, index: u64) -> u64 {
    ((n as u64) << 40) | index
}

/// How the reader thread left one activity input.
enum FileRead {
    /// Read on this thread alone: its stats, or the error it is.
    Whole(Result<ReadStats>),
    /// Read with help: this thread's part and how the framing ended (see
    /// [`input::finish_signins_shared`]).
    Shared(signins::JsonPart, Result<()>),
}

/// Reads every activity input into a ledger, offering JSON record batches to a helper; returns
/// it with how each input was read, in order, up to the first input that failed.
fn read_activity(
    files: &[&InputFile],
    auth: &[&InputFile],
    opts: &ReadOptions,
    msg: Messages,
    audit_opts: AuditOptions,
    stop: &AtomicBool,
    share: &par::Share<signins::JsonBatch>,
) -> Result<(Vec<Ledger>, Vec<FileRead>)> {
    let mut ledger = Ledger::new(audit_opts);
    let mut out = Vec::new();
    let stopped = || Error::Failed(STOPPED.into());
    for (n, f) in files.iter().enumerate() {
        let mut progress = Progress::new(msg.quiet, &f.path, "sign-ins");
        if input::shares_work(f) {
            // Counted when handed over, or when read here.
            let counted = std::cell::RefCell::new(&mut progress);
            let (part, framing) = input::read_signins_shared(
                f,
                n,
                opts,
                &|| share.has_room(),
                &mut |batch| {
                    if stop.load(Ordering::Relaxed) {
                        // Given back, to be read here: reading it fails with `stopped`.
                        return Some(batch);
                    }
                    let records = batch.len() as u64;
                    let back = share.offer(batch);
                    if back.is_none() {
                        counted.borrow_mut().inc_by(records);
                    }
                    back
                },
                &mut |s, index| {
                    if stop.load(Ordering::Relaxed) {
                        return Err(stopped());
                    }
                    counted.borrow_mut().inc();
                    ledger.add_at(&s, arrival(n, index));
                    Ok(())
                },
            )?;
            progress.finish();
            if matches!(&framing, Err(Error::Failed(m)) if m == STOPPED) {
                return Ok((vec![ledger], out));
            }
            // A broken file may still count as read (with a warning): decided with all its parts.
            out.push(FileRead::Shared(part, framing));
        } else {
            let mut count = 0u64;
            let read = input::read_signins(f, auth, opts, &mut |s| {
                progress.inc();
                if count.is_multiple_of(4096) && stop.load(Ordering::Relaxed) {
                    return Err(stopped());
                }
                ledger.add_at(&s, arrival(n, count));
                count += 1;
                Ok(())
            });
            progress.finish();
            match read {
                Err(Error::Failed(m)) if m == STOPPED => return Ok((vec![ledger], out)),
                Err(e) => {
                    out.push(FileRead::Whole(Err(e)));
                    return Ok((vec![ledger], out));
                }
                Ok(s) => out.push(FileRead::Whole(Ok(s))),
            }
        }
    }
    // Batches still queued (the helper was busy with the directory) are read here as well.
    share.close();
    let helped = help_read(files, opts, audit_opts, share);
    for (n, part) in helped.parts.into_iter().enumerate() {
        if let (Some(part), Some(FileRead::Shared(mine, _))) = (part, out.get_mut(n)) {
            mine.absorb(part);
        }
    }
    Ok((vec![ledger, helped.ledger], out))
}

/// What a helper thread read of the shared inputs.
struct Helped {
    ledger: Ledger,
    /// Per activity input.
    parts: Vec<Option<signins::JsonPart>>,
}

impl Helped {
    fn new(files: usize, audit_opts: AuditOptions) -> Helped {
        Helped {
            ledger: Ledger::new(audit_opts),
            parts: (0..files).map(|_| None).collect(),
        }
    }

    /// Reads batches until the reader closes the hand-over.
    fn read_all(
        &mut self,
        files: &[&InputFile],
        opts: &ReadOptions,
        share: &par::Share<signins::JsonBatch>,
    ) {
        while let Some(batch) = share.take() {
            let n = batch.file;
            let part = self.parts[n].get_or_insert_default();
            let ledger = &mut self.ledger;
            // The ledger never fails, so neither does reading the batch: bad records are counted
            // in the part.
            let _ = input::read_signin_batch(files[n], opts, &batch, part, &mut |s, index| {
                ledger.add_at(&s, arrival(n, index));
                Ok(())
            });
        }
    }
}

/// A helper's side: reads shared batches until the reader closes the hand-over (the directory's
/// thread once the directory is in, and the reader itself for what is still queued at the end).
fn help_read(
    files: &[&InputFile],
    opts: &ReadOptions,
    audit_opts: AuditOptions,
    share: &par::Share<signins::JsonBatch>,
) -> Helped {
    let mut helped = Helped::new(files.len(), audit_opts);
    helped.read_all(files, opts, share);
    helped
}

fn summarize(f: &InputFile, s: Option<&ReadStats>) -> InputSummary {
    let mut warnings = f.warnings.clone();
    if let Some(s) = s {
        warnings.extend(s.warnings.iter().cloned());
    }
    InputSummary {
        path: f.path.display().to_string(),
        kind: serde_json::to_value(f.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        records: s.map_or(0, |s| s.records),
        warnings,
        encoding: f.encoding.clone(),
        first_time: s.and_then(|s| s.first_time).map(|t| t.to_string()),
        last_time: s.and_then(|s| s.last_time).map(|t| t.to_string()),
        // Filled by `history` when the run is recorded: reading every input again costs time.
        fingerprint: None,
    }
}

/// The human summary on stdout: the six questions answered, then what changed and what was written.
fn print_summary(report: &AuditReport, written: &[PathBuf]) -> Result<()> {
    let dest = Destination::Stdout;
    output::emit(&dest, |w| {
        let ioe = output::io_err(&dest);
        let s = &report.summary;
        writeln!(
            w,
            "mfaudit audit: {} users ({} enabled), {} registered and {} not registered among the enabled; {} sign-ins, {} MFA challenges",
            s.users_total, s.users_enabled, s.registered_enabled, s.unregistered_enabled, s.signins_total, s.mfa_challenges
        )
        .map_err(&ioe)?;
        writeln!(w).map_err(&ioe)?;
        for (i, q) in report.questions.iter().enumerate() {
            writeln!(w, "{}. {}\n   {}", i + 1, q.question, q.answer).map_err(&ioe)?;
        }
        if let Some(c) = &report.changes {
            writeln!(w).map_err(&ioe)?;
            writeln!(w, "Since the previous run ({}):", c.previous_run).map_err(&ioe)?;
            w.write_all(crate::commands::history::render_changes(c).as_bytes())
                .map_err(&ioe)?;
        }
        if !written.is_empty() {
            writeln!(w).map_err(&ioe)?;
            let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
            writeln!(w, "Written: {}", names.join(", ")).map_err(&ioe)?;
        }
        Ok(())
    })
}

/// Exit code 3 when a threshold was crossed (after every report was written and sent).
fn policy(report: &AuditReport, args: &AuditArgs, msg: Messages) -> Status {
    let p = &args.policy;
    let mut crossed = Vec::new();
    let unregistered = report.summary.unregistered_enabled;
    if let Some(n) = p.fail_if_unregistered.filter(|&n| unregistered > n) {
        crossed.push(format!(
            "{unregistered} enabled users are not registered (threshold {n})"
        ));
    }
    let admins = report
        .users
        .iter()
        .filter(|u| u.flags.iter().any(|f| f == flag::ADMIN_WITHOUT_MFA))
        .count() as u64;
    if let Some(n) = p.fail_if_admins_without_mfa.filter(|&n| admins > n) {
        crossed.push(format!(
            "{admins} admins have no MFA method (threshold {n})"
        ));
    }
    let unable = report.summary.users_unable_to_complete;
    if let Some(n) = p.fail_if_unable_to_complete.filter(|&n| unable > n) {
        crossed.push(format!(
            "{unable} challenged users could not complete MFA (threshold {n})"
        ));
    }
    if crossed.is_empty() {
        return Status::Done;
    }
    for c in &crossed {
        msg.warn(format!("policy: {c}"));
    }
    Status::PolicyCrossed
}

/// `run --config FILE`: the file's settings under the command line's.
pub fn run_config(
    config: &Path,
    dump: bool,
    overrides: &AuditArgs,
    global: &GlobalArgs,
) -> Result<Status> {
    let file = crate::config::load(config)?;
    let global = crate::config::merge_global(&file, global);
    let args = crate::config::merge(file, overrides);
    if dump {
        let text = crate::config::dump_all(&global, &args);
        let dest = Destination::Stdout;
        output::emit(&dest, |w| {
            w.write_all(text.as_bytes()).map_err(output::io_err(&dest))
        })?;
        return Ok(Status::Done);
    }
    let msg = Messages {
        quiet: global.quiet,
    };
    let opts = global.read_options()?;
    run(&args, &opts, msg)
}
