//! `audit` (and `run`, which is `audit` driven by a config file): read the directory, stream the
//! activity through the auditor, then write JSON / CSV / HTML, record history, print the six
//! answers, mail the summary, and apply the policy thresholds — in that order, so the reports exist
//! before anything can fail on the network.

use std::path::{Path, PathBuf};

use crate::cli::{AuditArgs, GlobalArgs};
use crate::deliver::email;
use crate::error::{Error, Result};
use crate::input::{self, InputFile, Kind, ReadOptions, ReadStats};
use crate::model::Directory;
use crate::output::{self, Destination};
use crate::report::audit::{AuditOptions, AuditReport, Auditor, InputSummary, flag};
use crate::report::{html, safe_csv};
use crate::{Status, history};

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
    let report = build(args, opts, msg)?;
    let mut report = report;

    if let Some(db) = &args.history {
        let recorded = history::History::open(db)?.record(&report)?;
        report.changes = recorded.changes;
        report.trend = recorded.trend;
    }

    let mut written: Vec<PathBuf> = Vec::new();
    let html_text = if args.html.is_some() || mail.is_some() {
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
            serde_json::to_writer_pretty(&mut *w, &report)
                .map_err(|e| Error::Failed(format!("{}: {e}", p.display())))?;
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
    Ok(policy(&report, args, msg))
}

/// Reads every input and returns the audit report (without history).
pub fn build(args: &AuditArgs, opts: &ReadOptions, msg: Messages) -> Result<AuditReport> {
    let inputs = Inputs::identify(&args.inputs, opts)?;
    for s in &inputs.skipped {
        msg.warn(s);
    }
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

    // Two threads: one parses the sign-ins (the heavy part) while the other reads the directory,
    // then folds the parsed sign-ins into the audit. Batches go through a bounded channel, so
    // memory stays independent of the number of sign-ins.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(4);
    let report = std::thread::scope(|scope| -> Result<AuditReport> {
        let reader = scope.spawn(|| read_activity(&activity, &auth, opts, msg, tx));
        let dir_files: Vec<&InputFile> = inputs.directory().collect();
        let merged = if dir_files.is_empty() {
            msg.warn("no directory export among the inputs: users are known only from their sign-ins, so registration and sign-in state are unknown");
            Ok((Directory::new(), Vec::new()))
        } else {
            load::merge(&dir_files, opts, msg)
        };
        // On a directory error, dropping the receiver stops the reader at its next batch.
        let (directory, dir_stats) = match merged {
            Ok(m) => m,
            Err(e) => {
                drop(rx);
                let _ = reader.join();
                return Err(e);
            }
        };
        load::report_conflicts(&directory, msg);
        for (i, s) in dir_stats {
            stats[i] = Some(s);
        }
        let mut auditor = Auditor::new(&directory, audit_opts);
        for batch in rx {
            for s in &batch {
                auditor.add(s);
            }
        }
        let read = reader.join().map_err(|_| {
            Error::Failed("internal: the sign-in reader stopped unexpectedly".into())
        })??;
        for (i, s) in read {
            stats[i] = Some(s);
        }
        let summaries: Vec<InputSummary> = inputs
            .all
            .iter()
            .map(|f| summarize(f, stats[f.index as usize].as_ref()))
            .collect();
        Ok(auditor.finish(&directory, summaries, generated_at()))
    })?;
    Ok(report)
}

/// Sign-ins travel between the threads in batches of this many.
const BATCH: usize = 1024;
type Batch = Vec<crate::model::SignIn>;

/// Reads every activity file, sending batches of sign-ins; returns each file's stats.
fn read_activity(
    files: &[&InputFile],
    auth: &[&InputFile],
    opts: &ReadOptions,
    msg: Messages,
    tx: std::sync::mpsc::SyncSender<Batch>,
) -> Result<Vec<(usize, ReadStats)>> {
    let mut out = Vec::new();
    let mut batch: Batch = Vec::with_capacity(BATCH);
    for f in files {
        let mut progress = Progress::new(msg.quiet, &f.path, "sign-ins");
        let s = input::read_signins(f, auth, opts, &mut |s| {
            progress.inc();
            batch.push(s);
            if batch.len() == BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                // The receiver is gone only when the directory failed: stop quietly.
                tx.send(full)
                    .map_err(|_| Error::Failed("the audit stopped".into()))?;
            }
            Ok(())
        });
        progress.finish();
        match s {
            Ok(s) => out.push((f.index as usize, s)),
            Err(Error::Failed(m)) if m == "the audit stopped" => return Ok(out),
            Err(e) => return Err(e),
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(batch);
    }
    Ok(out)
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
