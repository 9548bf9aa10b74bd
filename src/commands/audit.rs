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
use crate::report::audit::{AuditOptions, AuditReport, Auditor, InputSummary, Leftovers};
use crate::report::ledger::{Ledger, SeenIds};
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
    output::at_most_one_stdout(&[
        ("--json", args.json.as_deref()),
        ("--csv", args.csv.as_deref()),
        ("--html", args.html.as_deref()),
        ("--email-dry-run", args.email.email_dry_run.as_deref()),
    ])?;
    // Email settings are checked first, so a usage mistake costs no reading.
    let mail = email::settings(&args.email)?;
    // The history is opened (and checked to be one) before anything is read or written.
    let mut history = match &args.history {
        Some(db) => Some(history::History::open(db)?),
        None => None,
    };
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

    if let Some(h) = &history {
        let preview = h.preview(&report)?;
        report.changes = preview.changes;
        report.trend = preview.trend;
    }

    let written = write_reports(&report, args, mail.is_some())?;
    crate::timing::phase("reports written");
    // Standard output carries a report when one was asked for there; the summary then goes to
    // stderr with the other messages.
    let data_on_stdout = [&args.json, &args.csv, &args.html]
        .into_iter()
        .flatten()
        .any(|p| output::is_stdout(p));
    if data_on_stdout {
        if !msg.quiet {
            eprint!(
                "{}",
                crate::text::escape_layout(&summary_text(&report, &written.files))
            );
        }
    } else {
        print_summary(&report, &written.files)?;
    }
    for w in &report.warnings {
        msg.warn(w);
    }

    if let Some(mut settings) = mail {
        settings.report_files = written.files.clone();
        let message = email::compose(
            &report,
            written.html.as_deref().unwrap_or_default(),
            &written.csv,
            &settings,
        )?;
        email::send(&message, &settings)?;
        match &settings.dry_run {
            Some(p) => msg.note(format!(
                "email written to {} (dry run)",
                crate::text::shown_path(p)
            )),
            None => msg.note(format!("email sent to {}", settings.to.join(", "))),
        }
    }
    // Recorded only now that every output is written and the mail is sent: a failed run is not
    // in the history, so the next run still reports its changes.
    if let Some(h) = &mut history {
        h.record(&report)?;
    }
    let status = policy(&report, args, msg);
    crate::timing::phase("done");
    // A large report takes a while to free, and the command is done with it.
    std::thread::spawn(move || drop((report, leftovers)));
    Ok(status)
}

/// The reports a run wrote, and the bytes the mail attaches.
struct Written {
    /// The files written, as the user named them (not standard output).
    files: Vec<PathBuf>,
    html: Option<String>,
    csv: Vec<u8>,
}

/// Writes the JSON, CSV and HTML reports asked for, all or none: each is staged first, and they
/// are put in place together once all of them were written.
fn write_reports(report: &AuditReport, args: &AuditArgs, for_mail: bool) -> Result<Written> {
    let html = if args.html.is_some() || for_mail {
        Some(html::render(report, args.template_dir.as_deref())?)
    } else {
        None
    };
    let mut csv = Vec::new();
    if args.csv.is_some() || for_mail {
        safe_csv::write_users_csv(&mut csv, report)
            .map_err(|e| Error::Failed(format!("CSV: {e}")))?;
    }
    let mut outputs = output::Outputs::new();
    let mut files = Vec::new();
    if let Some(p) = &args.json {
        let dest = Destination::of(p);
        // Streamed into the file: the JSON of a large tenant is never held in memory.
        outputs.stage(&dest, |w| {
            let ioe = output::io_err(&dest);
            json::write_pretty(&mut *w, report).map_err(&ioe)?;
            w.write_all(b"\n").map_err(&ioe)
        })?;
        files.push(p.clone());
    }
    if let Some(p) = &args.csv {
        let dest = Destination::of(p);
        outputs.stage(&dest, |w| w.write_all(&csv).map_err(output::io_err(&dest)))?;
        files.push(p.clone());
    }
    if let (Some(p), Some(text)) = (&args.html, &html) {
        let dest = Destination::of(p);
        outputs.stage(&dest, |w| {
            w.write_all(text.as_bytes()).map_err(output::io_err(&dest))
        })?;
        files.push(p.clone());
    }
    outputs.commit()?;
    files.retain(|p| !output::is_stdout(p));
    Ok(Written { files, html, csv })
}

/// The files this run writes (none of them is ever an input).
fn output_paths(args: &AuditArgs) -> Vec<input::OutputPath<'_>> {
    [
        ("--json", args.json.as_deref()),
        ("--csv", args.csv.as_deref()),
        ("--html", args.html.as_deref()),
        ("--history", args.history.as_deref()),
        ("--email-dry-run", args.email.email_dry_run.as_deref()),
    ]
    .into_iter()
    .filter_map(|(option, path)| path.map(|path| input::OutputPath { option, path }))
    .collect()
}

/// Reads every input and returns the audit report (without history), and what it was built from,
/// to be freed once the report's files are written ([`Leftovers`]).
pub fn build(
    args: &AuditArgs,
    opts: &ReadOptions,
    msg: Messages,
) -> Result<(AuditReport, Leftovers)> {
    crate::timing::phase("start");
    let inputs = Inputs::identify(&args.inputs, opts, &output_paths(args))?;
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
    // Every ledger counts a sign-in once, whichever thread meets it first.
    let seen = std::sync::Arc::new(SeenIds::default());
    let report = std::thread::scope(|scope| -> Result<(AuditReport, Leftovers)> {
        let reader = scope.spawn(|| {
            let _closer = share.closer();
            read_activity(
                &activity, &auth, opts, msg, audit_opts, &stop, &share, &seen,
            )
        });
        let dir_files: Vec<&InputFile> = inputs.directory().collect();
        // Without a directory export the report's warnings say so (once, with what to add).
        let merged = if dir_files.is_empty() {
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
        let mut helped = help_read(&activity, opts, audit_opts, &share, &seen);
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
            // Its AuthDetails companions were read with it: their rows are theirs.
            for &(companion, rows) in &read.companions {
                stats[companion as usize] = Some(ReadStats {
                    records: rows,
                    ..ReadStats::default()
                });
            }
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
/// it with how each input was read, in order, up to the first input that failed. Each input is
/// folded whole before the next one starts (its batches a helper took are waited for): a sign-in
/// that two inputs share is then always counted from the input given first.
#[allow(clippy::too_many_arguments)]
fn read_activity(
    files: &[&InputFile],
    auth: &[&InputFile],
    opts: &ReadOptions,
    msg: Messages,
    audit_opts: AuditOptions,
    stop: &AtomicBool,
    share: &par::Share<signins::JsonBatch>,
    seen: &std::sync::Arc<SeenIds>,
) -> Result<(Vec<Ledger>, Vec<FileRead>)> {
    let mut ledger = Ledger::sharing(audit_opts, seen.clone());
    let mut out: Vec<FileRead> = Vec::new();
    let stopped = || Error::Failed(STOPPED.into());
    for (n, f) in files.iter().enumerate() {
        if n > 0 {
            share.settle(|batch| {
                let file = batch.file;
                let mut part = signins::JsonPart::default();
                let _ =
                    input::read_signin_batch(files[file], opts, &batch, &mut part, &mut |s, i| {
                        ledger.add_at(&s, arrival(file, i));
                        Ok(())
                    });
                if let Some(FileRead::Shared(mine, _)) = out.get_mut(file) {
                    mine.absorb(part);
                }
            });
        }
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
    let helped = help_read(files, opts, audit_opts, share, seen);
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
    fn new(files: usize, audit_opts: AuditOptions, seen: &std::sync::Arc<SeenIds>) -> Helped {
        Helped {
            ledger: Ledger::sharing(audit_opts, seen.clone()),
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
            share.done();
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
    seen: &std::sync::Arc<SeenIds>,
) -> Helped {
    let mut helped = Helped::new(files.len(), audit_opts, seen);
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
        activity: !f.kind.is_directory() && f.kind != Kind::AuthDetailsCsv,
        incomplete: s.is_some_and(|s| s.incomplete),
    }
}

/// The human summary on stdout: the six questions answered, then what changed and what was written.
fn print_summary(report: &AuditReport, written: &[PathBuf]) -> Result<()> {
    let text = summary_text(report, written);
    let dest = Destination::Stdout;
    output::emit(&dest, |w| {
        w.write_all(text.as_bytes()).map_err(output::io_err(&dest))
    })
}

/// The human summary: the headline, the six questions answered, what changed, what was written.
fn summary_text(report: &AuditReport, written: &[PathBuf]) -> String {
    use std::fmt::Write as _;
    let mut w = String::new();
    let s = &report.summary;
    let _ = writeln!(
        w,
        "mfaudit audit: {}",
        crate::report::findings::headline(&report.summary)
    );
    let _ = writeln!(w);
    for (i, q) in report.questions.iter().enumerate() {
        let _ = writeln!(w, "{}. {}\n   {}", i + 1, q.question, q.answer);
    }
    let _ = s;
    if let Some(c) = &report.changes {
        let _ = writeln!(w);
        let _ = writeln!(
            w,
            "Since the previous run ({}):",
            crate::commands::history::to_the_second(&c.previous_run)
        );
        w.push_str(&crate::commands::history::render_changes(c));
    }
    if !written.is_empty() {
        let _ = writeln!(w);
        let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        let _ = writeln!(w, "Written: {}", names.join(", "));
    }
    w
}

/// Exit code 3 when a threshold was crossed (after every report was written and sent). A
/// threshold is decided on the worst case: users whose status is unknown could be on the wrong
/// side of it, so it holds only when it would hold with all of them counted (cli.md).
fn policy(report: &AuditReport, args: &AuditArgs, msg: Messages) -> Status {
    use crate::report::findings::{self, Verdict};
    let p = &args.policy;
    let s = &report.summary;
    // What was found and what is unknown, in the singular and the plural.
    type Words = ((&'static str, &'static str), (&'static str, &'static str));
    let checks: [(Option<u64>, Verdict, Words); 3] = [
        (
            p.fail_if_unregistered,
            findings::unregistered(s),
            (
                (
                    "enabled user is not registered",
                    "enabled users are not registered",
                ),
                (
                    "enabled user's registration is unknown",
                    "enabled users' registration is unknown",
                ),
            ),
        ),
        (
            p.fail_if_admins_without_mfa,
            findings::admins_without_mfa(s),
            (
                ("admin has no MFA method", "admins have no MFA method"),
                (
                    "enabled user could be an admin without MFA (admin role or registration unknown)",
                    "enabled users could be admins without MFA (admin role or registration unknown)",
                ),
            ),
        ),
        (
            p.fail_if_unable_to_complete,
            findings::unable_to_complete(s),
            (
                (
                    "challenged user could not complete MFA",
                    "challenged users could not complete MFA",
                ),
                (
                    "user's MFA completion is unknown",
                    "users' MFA completion is unknown",
                ),
            ),
        ),
    ];
    let mut crossed = Vec::new();
    for (threshold, v, ((found_one, found_many), (unknown_one, unknown_many))) in checks {
        let Some(n) = threshold else { continue };
        let found_words = findings::plural(v.found, found_one, found_many);
        let unknown_words = findings::plural(v.unknown, unknown_one, unknown_many);
        if v.found > n {
            crossed.push(format!("{found_words} (threshold {n})"));
        } else if v.all_unknown && v.unknown == 0 {
            let mut why = v.sentence.clone();
            if let Some(first) = why.get(..1) {
                why = first.to_lowercase() + &why[1..];
            }
            crossed.push(format!("the threshold {n} cannot be checked: {why}"));
        } else if v.worst_case() > n {
            let mut line = format!(
                "{found_words} and {unknown_words} (threshold {n}): the threshold is not shown to hold"
            );
            if let Some(by) = v.settled_by {
                line.push_str(&format!("; {by} would settle it"));
            }
            crossed.push(line);
        }
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
