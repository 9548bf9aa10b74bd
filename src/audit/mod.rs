//! The audit pipeline, behind one door: [`run`] identifies the inputs, reads the directory and
//! the sign-in logs at the same time (on both cores, see `read`), folds the sign-ins into
//! per-identity ledgers (`ledger`, classifying each with `classify`), joins them to the directory
//! and builds the report (`build`). Commands call [`run`] and get the report; how the work is
//! split between threads and when memory is freed stay in here.

mod build;
mod classify;
mod configured;
mod exceptions;
mod ledger;
mod mfa_server;
mod observed;
mod read;

pub use build::Auditor;
use build::Leftovers;
pub use ledger::AuditOptions;
use ledger::SeenIds;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::console::Messages;
use crate::error::{Error, Result};
use crate::input::load::{self, Inputs};
use crate::input::{self, InputFile, Kind, OutputPath, ReadOptions, ReadStats};
use crate::model::Directory;
use crate::model::config::TenantConfig;
use crate::model::directory::GuestIndex;
use crate::par;
use crate::report::audit::{AuditReport, InputSummary};
use crate::report::explain::Explanation;
use read::{FileRead, SHARED_BATCHES, help_read, read_activity};

/// What an audit reads, and how.
pub struct Request<'a> {
    /// The files, folders, patterns and `-` given.
    pub inputs: &'a [PathBuf],
    pub read: &'a ReadOptions,
    pub options: AuditOptions,
    /// The files this run writes: never inputs.
    pub outputs: &'a [OutputPath<'a>],
    /// The exceptions files, and how many days ahead an expiry is `expiring`.
    pub exceptions: &'a crate::config::ExceptionSettings,
}

/// An audit's report, with what it was built from: freed when this is dropped (on another thread:
/// freeing a large tenant's tables takes a while, and the command is done with them), or sooner
/// with [`Audited::free_sources`].
pub struct Audited {
    pub report: AuditReport,
    sources: Option<Leftovers>,
}

impl Audited {
    /// Frees what the report was built from now, in the background: before a step that needs the
    /// memory more (the HTML page's data copies the report). Without it they are freed after the
    /// report's files are written, not during the writing, where freeing hundreds of thousands of
    /// small blocks makes the allocator tidy up on the writer's path.
    pub fn free_sources(&mut self) {
        if let Some(sources) = self.sources.take() {
            par::free_in_background(sources);
        }
    }
}

impl Drop for Audited {
    fn drop(&mut self) {
        let report = std::mem::take(&mut self.report);
        let sources = self.sources.take();
        par::free_in_background((report, sources));
    }
}

/// Runs the audit: the report, without history (the caller adds the changes).
pub fn run(request: &Request<'_>, msg: Messages) -> Result<Audited> {
    let (report, sources) = build_report(request, msg)?;
    Ok(Audited {
        report,
        sources: Some(sources),
    })
}

/// The time the report says it was generated: now, or `SOURCE_DATE_EPOCH` (seconds) when set, so
/// that a report can be reproduced byte for byte.
pub fn generated_at() -> jiff::Timestamp {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .unwrap_or_else(jiff::Timestamp::now)
}

/// `mfaudit explain USER`: the user's configured verdict with every step of it, and what the
/// sign-in logs saw of them (the whole audit runs when sign-in logs are among the inputs).
pub fn explain(request: &Request<'_>, msg: Messages, who: &str) -> Result<Explanation> {
    use crate::report::explain::{SCHEMA, Source};
    let opts = request.read;
    let inputs = Inputs::identify(request.inputs, opts, request.outputs)?;
    load::print_skipped(&inputs, msg);
    let dir_files: Vec<&InputFile> = inputs.directory().collect();
    if dir_files.is_empty() {
        return Err(crate::error::Usage::NoDirectory.into());
    }
    let (directory, _) = load::merge(&dir_files, opts, msg)?;
    let mut config = TenantConfig::default();
    for f in inputs.config() {
        let read = input::read_config(f, opts, &mut config)?;
        for w in &read.warnings {
            msg.warn(format!("{}: {w}", f.path.display()));
        }
    }
    let Some(index) = directory.find_upn(who).or_else(|| directory.find_id(who)) else {
        return Err(crate::error::Usage::UnknownUser { user: who.into() }.into());
    };
    let path_of = |file: u32| {
        inputs
            .all
            .iter()
            .find(|f| f.index == file)
            .map(|f| f.path.display().to_string())
    };
    let evaluation = configured::evaluate(&config, &directory, true);
    let user = &directory.users[index];
    let policies = config.policies.as_deref().unwrap_or_default();
    let steps = evaluation
        .trace
        .as_ref()
        .map(|t| t[index].clone())
        .unwrap_or_default();
    let mut sources: Vec<Source> = steps
        .iter()
        .map(|step| {
            let p = &policies[step.policy];
            let (outcome, detail) = match (&p.state, &step.outcome) {
                (crate::model::config::PolicyState::Disabled, _) => (
                    "disabled",
                    "a disabled policy counts for nobody".to_string(),
                ),
                (_, configured::Applies::Yes { via }) => ("applies", format!("included: {via}")),
                (_, configured::Applies::Excluded { included, via }) => {
                    ("excluded", format!("included: {included}; excluded: {via}"))
                }
                (_, configured::Applies::No) => (
                    "not included",
                    format!("it targets {}", configured::targets(p, &config)),
                ),
                (_, configured::Applies::Unknown { why }) => ("unknown", why.to_string()),
            };
            Source {
                kind: "conditional-access",
                name: p.name.clone(),
                id: p.id.clone(),
                state: p.state.as_str().to_string(),
                requires: Some(configured::Requires::of(p).label()),
                outcome: outcome.to_string(),
                detail,
                file: path_of(p.file),
            }
        })
        .collect();
    if config.policies.is_none() {
        sources.push(Source {
            kind: "conditional-access",
            name: None,
            id: None,
            state: "unknown".into(),
            requires: None,
            outcome: "unknown".into(),
            detail: "no Conditional Access policy export among the inputs".into(),
            file: None,
        });
    }
    use crate::model::PerUserState;
    sources.push(Source {
        kind: "per-user",
        name: Some("per-user MFA".into()),
        id: None,
        state: user.per_user_state.title().to_ascii_lowercase(),
        requires: None,
        outcome: match user.per_user_state {
            PerUserState::Enforced | PerUserState::Enabled => "requires MFA",
            PerUserState::Disabled => "no MFA",
            PerUserState::Unknown => "unknown",
        }
        .into(),
        detail: String::new(),
        file: None,
    });
    let enabled_policy = policies
        .iter()
        .find(|p| p.state == crate::model::config::PolicyState::Enabled);
    sources.push(Source {
        kind: "security-defaults",
        name: Some("security defaults".into()),
        id: None,
        state: match evaluation.security_defaults {
            Some(true) => "on",
            Some(false) => "off",
            None => "unknown",
        }
        .into(),
        requires: None,
        outcome: match evaluation.security_defaults {
            Some(true) => "requires MFA",
            Some(false) => "no MFA",
            None => "unknown",
        }
        .into(),
        detail: match (config.security_defaults, enabled_policy) {
            (Some(_), _) => String::new(),
            (None, Some(p)) => format!("implied off: the policy {} is enabled", p.label()),
            (None, None) => "no identitySecurityDefaultsEnforcementPolicy export".into(),
        },
        file: config.security_defaults_file.and_then(path_of),
    });
    let roles = configured::role_notes(&config, &directory, index);
    let configured = evaluation.users[index].as_deref().cloned();
    let (upn, object_id) = (user.upn.clone(), user.object_id.clone());
    let mut explanation = Explanation {
        schema: SCHEMA,
        display_name: user.display_name.clone(),
        user_type: match &user.user_type {
            crate::model::UserType::Member => Some("member".into()),
            crate::model::UserType::Guest => Some("guest".into()),
            crate::model::UserType::Other(t) => Some(t.clone()),
            crate::model::UserType::Unknown => None,
        },
        enabled: match user.access {
            crate::model::Access::Allowed => Some(true),
            crate::model::Access::Blocked => Some(false),
            _ => None,
        },
        registered: crate::report::classic::is_registered(user),
        configured,
        sources,
        roles,
        observed: None,
        flags: Vec::new(),
        upn,
        object_id,
    };
    // The flags and the logs' part: the whole audit, then this user's row.
    {
        let audited = run(request, msg)?;
        let row = audited.report.users.iter().find(|u| {
            explanation
                .upn
                .as_deref()
                .is_some_and(|p| u.upn.eq_ignore_ascii_case(p))
                || (u.object_id.is_some() && u.object_id == explanation.object_id)
        });
        if let Some(row) = row {
            explanation.observed = match (&row.enforcement.observed, row.enforcement.logs) {
                (Some(o), _) => Some((**o).clone()),
                (None, true) => Some(Default::default()),
                (None, false) => None,
            };
            explanation.flags = row.flags.iter().map(|f| f.to_string()).collect();
        }
    }
    Ok(explanation)
}

/// Reads every input and returns the audit report (without history), and what it was built from.
fn build_report(request: &Request<'_>, msg: Messages) -> Result<(AuditReport, Leftovers)> {
    let opts = request.read;
    crate::timing::phase("start");
    let inputs = Inputs::identify(request.inputs, opts, request.outputs)?;
    crate::timing::phase("inputs identified");
    // Read first: a mistake in them costs no reading of the exports.
    let mut exceptions = Vec::new();
    for f in &request.exceptions.files {
        exceptions.extend(input::exceptions::read_exceptions(f)?);
    }
    // The configuration's `[classes]` patterns, after the files' exceptions (which win).
    for (class, pattern) in &request.exceptions.patterns {
        exceptions.push(crate::model::exceptions::Exception {
            who: crate::model::exceptions::Who::parse(pattern),
            user: pattern.clone(),
            class: *class,
            reason: format!("matches the [classes] {} pattern", class.name()),
            owner: None,
            ticket: None,
            expires: None,
            covers: Vec::new(),
            source: format!("inferred:[classes] {} = {pattern}", class.name()),
        });
    }
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
    let audit_opts = request.options;
    let mut stats: Vec<Option<ReadStats>> = vec![None; inputs.all.len()];

    // Two threads. One reads the sign-ins and folds them into a ledger of per-identity tallies
    // (which needs no directory); the other reads the directory meanwhile, then helps with the
    // sign-ins: the first thread hands it batches of JSON records through `share`. The ledgers are
    // merged and joined to the directory once both are done. Memory grows with users (the
    // hand-over holds a few batches); the set of request ids that counts each sign-in once is the
    // one thing kept per sign-in.
    let stop = AtomicBool::new(false);
    let share = par::Share::new(SHARED_BATCHES);
    // Every ledger counts a sign-in once, whichever thread meets it first.
    let seen = std::sync::Arc::new(SeenIds::default());
    let (read, directory_side) = par::alongside(
        || {
            let _closer = share.closer();
            read_activity(
                &activity, &auth, opts, msg, audit_opts, &stop, &share, &seen,
            )
        },
        || -> Result<_> {
            let dir_files: Vec<&InputFile> = inputs.directory().collect();
            // Without a directory export the report's warnings say so (once, with what to add).
            let merged = if dir_files.is_empty() {
                Ok((Directory::new(), Vec::new()))
            } else {
                load::merge(&dir_files, opts, msg)
            };
            // On a directory error the reader is told to stop at its next sign-in.
            let (directory, mut dir_stats) =
                merged.inspect_err(|_| stop.store(true, Ordering::Relaxed))?;
            crate::timing::phase("directory read");
            // The configuration exports are small: read here, one after the other.
            let mut config = TenantConfig::default();
            for f in inputs.config() {
                let read = input::read_config(f, opts, &mut config)
                    .inspect_err(|_| stop.store(true, Ordering::Relaxed))?;
                dir_stats.push((f.index as usize, read));
            }
            load::report_conflicts(&directory, msg);
            // Built here, while the other thread is still reading sign-ins.
            let guests = GuestIndex::new(&directory);
            let helped = help_read(&activity, opts, audit_opts, &share, &seen);
            Ok((directory, dir_stats, guests, helped, config))
        },
    );
    let (directory, dir_stats, guests, mut helped, config) = directory_side?;
    let (mut ledgers, outcomes) =
        read.map_err(|_| Error::Internal("the sign-in reader stopped unexpectedly"))??;
    for (i, s) in dir_stats {
        stats[i] = Some(s);
    }
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
    ledgers.push(helped.ledger);
    crate::timing::phase("sign-ins read");
    let (mut report, leftovers) = Auditor::with_ledgers(ledgers)
        .with_guest_index(guests)
        .with_config(config)
        .with_exceptions(exceptions, request.exceptions.warning_days)
        .finish_keeping(directory, summaries, generated_at());
    // First: what the data is worth comes before what it says.
    report
        .warnings
        .splice(0..0, input::pull_manifest::warnings(&inputs.skipped));
    Ok((report, leftovers))
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
        activity: !f.kind.is_directory() && !f.kind.is_config() && f.kind != Kind::AuthDetailsCsv,
        incomplete: s.is_some_and(|s| s.incomplete),
        signin_fields: f
            .kind
            .is_signin_log()
            .then(|| s.map(|s| s.fields.names()).unwrap_or_default()),
    }
}
