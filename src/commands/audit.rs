//! `audit` (and `run`, which is `audit` driven by a config file): wires the audit pipeline, the
//! history, the report files, the stdout summary, the mail, the chat card and the thresholds — in that order, so
//! the reports exist before anything can fail on the network, and a run is recorded only once
//! all of it succeeded.

use std::path::Path;

use crate::audit;
use crate::config::{self, Layer, Settings};
use crate::console::Messages;
use crate::deliver::{email, webhook};
use crate::error::{Result, Usage};
use crate::input;
use crate::output::{self, Destination};
use crate::report::{answers, files, findings};
use crate::{Status, history};

/// Runs the audit.
pub fn run(settings: &Settings, msg: Messages) -> Result<Status> {
    run_with_warnings(settings, msg, Vec::new())
}

/// Runs the audit, with warnings of the run's own (a pull that did not complete) put first in
/// every report.
fn run_with_warnings(settings: &Settings, msg: Messages, warnings: Vec<String>) -> Result<Status> {
    let out = &settings.outputs;
    check_usage(settings)?;
    // Email settings are checked first, so a usage mistake costs no reading.
    let mail = email::settings(&settings.email)?;
    let hook = webhook::settings(&settings.webhook)?;
    // The history is opened (and checked to be one) before anything is read or written.
    let mut history = match &out.history {
        Some(db) => Some(history::History::open(db)?),
        None => None,
    };
    let outputs = output_paths(settings);
    let mut audited = audit::run(
        &audit::Request {
            inputs: &settings.inputs,
            read: &settings.read,
            options: settings.audit,
            outputs: &outputs,
            exceptions: &settings.exceptions,
        },
        msg,
    )?;
    if out.html.is_some() || mail.is_some() {
        audited.free_sources();
    }
    audited.report.warnings.splice(0..0, warnings);
    if let Some(h) = &history {
        let preview = h.preview(&audited.report)?;
        audited.report.changes = preview.changes;
        audited.report.trend = preview.trend;
    }
    let report = &audited.report;
    let written = files::write(
        report,
        &files::Targets {
            json: out.json.as_deref(),
            csv: out.csv.as_deref(),
            html: out.html.as_deref(),
            xlsx: out.xlsx.as_deref(),
            markdown: out.markdown.as_deref(),
            template_dir: out.template_dir.as_deref(),
            for_mail: mail.is_some(),
        },
    )?;
    crate::timing::phase("reports written");
    print_summary(&answers::summary_text(report, &written.files), out, msg)?;
    for w in &report.warnings {
        msg.warn(w);
    }
    if let Some(settings) = mail {
        send_mail(report, &written, out.template_dir.as_deref(), settings, msg)?;
    }
    if let Some(hook) = hook {
        webhook::post(report, &hook, settings.email.subject.as_deref())?;
        msg.note(format!(
            "summary posted to the {} webhook at {}",
            hook.format.name(),
            hook.host()
        ));
    }
    // Recorded only now that every output is written and the mail is sent: a failed run is not
    // in the history, so the next run still reports its changes.
    if let Some(h) = &mut history {
        h.record(report)?;
    }
    let status = thresholds(report, settings, msg);
    crate::timing::phase("done");
    Ok(status)
}

/// Refuses what cannot work before anything is read: no inputs, two outputs on stdout.
fn check_usage(settings: &Settings) -> Result<()> {
    let out = &settings.outputs;
    if settings.inputs.is_empty() {
        return Err(Usage::NoInputs.into());
    }
    output::at_most_one_stdout(&[
        ("--json", out.json.as_deref()),
        ("--csv", out.csv.as_deref()),
        ("--html", out.html.as_deref()),
        ("--xlsx", out.xlsx.as_deref()),
        ("--markdown", out.markdown.as_deref()),
        ("--email-dry-run", settings.email.email_dry_run.as_deref()),
    ])
}

/// The policy thresholds crossed, each said on stderr; exit 3 when any was.
fn thresholds(
    report: &crate::report::audit::AuditReport,
    settings: &Settings,
    msg: Messages,
) -> Status {
    let crossed = findings::crossed(&findings::unexcepted(report), &settings.thresholds);
    for c in &crossed {
        msg.warn(format!("policy: {c}"));
    }
    if crossed.is_empty() {
        Status::Done
    } else {
        Status::PolicyCrossed
    }
}

/// Mails the summary with the report files attached (or writes it, for `--email-dry-run`): the
/// HTML summary page (or the full one, `--email-html full`) and the CSV, zipped or left out when
/// too large; the operator is told which on stderr.
fn send_mail(
    report: &crate::report::audit::AuditReport,
    written: &files::Written,
    template_dir: Option<&Path>,
    mut settings: email::EmailSettings,
    msg: Messages,
) -> Result<()> {
    use crate::report::html;
    settings.report_files = written.files.clone();
    let page = match (settings.html, &written.html) {
        (email::MailHtml::Full, Some(full)) => std::borrow::Cow::Borrowed(full.as_str()),
        (email::MailHtml::Full, None) => html::render(report, template_dir)?.into(),
        (email::MailHtml::Summary, _) => html::render_summary(report, template_dir)?.into(),
    };
    let composed = email::compose(report, &page, &written.csv, &settings)?;
    email::send(&composed.message, &settings)?;
    let sent = match &settings.dry_run {
        Some(p) => format!("email written to {} (dry run)", crate::text::shown_path(p)),
        None => format!("email sent to {}", settings.to.join(", ")),
    };
    msg.note(format!(
        "{sent}: {}",
        email::attachments_said(&composed.attachments, settings.max_attachment_bytes)
    ));
    Ok(())
}

/// The human summary: on stdout, or on stderr with the other messages when stdout carries a
/// report.
fn print_summary(text: &str, out: &config::Outputs, msg: Messages) -> Result<()> {
    let data_on_stdout = [&out.json, &out.csv, &out.html, &out.xlsx, &out.markdown]
        .into_iter()
        .flatten()
        .any(|p| output::is_stdout(p));
    if data_on_stdout {
        if !msg.quiet {
            eprint!("{}", crate::text::escape_layout(text));
        }
        return Ok(());
    }
    let dest = Destination::Stdout;
    output::emit(&dest, |w| {
        w.write_all(text.as_bytes()).map_err(output::io_err(&dest))
    })
}

/// The files this run writes (none of them is ever an input).
fn output_paths(settings: &Settings) -> Vec<input::OutputPath<'_>> {
    let out = &settings.outputs;
    [
        ("--json", out.json.as_deref()),
        ("--csv", out.csv.as_deref()),
        ("--html", out.html.as_deref()),
        ("--xlsx", out.xlsx.as_deref()),
        ("--markdown", out.markdown.as_deref()),
        ("--history", out.history.as_deref()),
        ("--email-dry-run", settings.email.email_dry_run.as_deref()),
    ]
    .into_iter()
    .filter_map(|(option, path)| path.map(|path| input::OutputPath { option, path }))
    .collect()
}

/// `run --config FILE`: the file's settings under the command line's (`flags`).
pub fn run_config(config: &Path, dump: bool, flags: Layer) -> Result<Status> {
    let mut layer = config::load(config)?;
    layer.update(flags);
    if dump {
        let text = config::dump(&layer);
        let dest = Destination::Stdout;
        output::emit(&dest, |w| {
            w.write_all(text.as_bytes()).map_err(output::io_err(&dest))
        })?;
        return Ok(Status::Done);
    }
    let settings = layer.resolve()?;
    let msg = Messages {
        quiet: settings.quiet,
    };
    // An unattended job's report folders are made on its first run (the history's too).
    for out in output_paths(&settings) {
        if output::is_stdout(out.path) {
            continue;
        }
        if let Some(dir) = out.path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.exists()
        {
            std::fs::create_dir_all(dir).map_err(|e| crate::error::Error::io(dir, e))?;
            msg.note(format!(
                "created the folder {} for {}",
                crate::text::shown_path(dir),
                out.option
            ));
        }
    }
    // The pull first: a mistake in `[pull]` stops the job; a pull that failed, in full or in
    // part, is said in every report and by the exit code, and the audit still runs on the
    // files as they are (the previous pull's, for what failed).
    let mut warnings = Vec::new();
    let mut pull_failed = None;
    if let Some(pull) = &settings.pull {
        match super::pull::run(pull, msg) {
            Ok(_) => {}
            Err(e) if e.exit_code() == 2 => return Err(e),
            Err(e) => {
                msg.warn("the pull did not complete; auditing the files as they are");
                // Files that failed are in the manifest, whose warnings the audit gives; a
                // pull that got no token wrote no manifest, so it is said here.
                let per_file = matches!(
                    &e,
                    crate::error::Error::Pull(crate::error::PullError::Failed { .. })
                );
                if !per_file {
                    warnings.push(format!(
                    "The Graph pull before this audit did not run ({e}): every file audited is from an earlier pull, or missing; {} says how old each one is.",
                    crate::text::shown_path(&pull.out.join(crate::pull::MANIFEST_FILE))
                ));
                }
                pull_failed = Some(e);
            }
        }
    }
    let status = run_with_warnings(&settings, msg, warnings)?;
    match pull_failed {
        Some(e) => Err(e),
        None => Ok(status),
    }
}
