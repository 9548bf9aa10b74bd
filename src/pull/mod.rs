//! `mfaudit pull`: fetches from Microsoft Graph the exports the audit reads and writes them into a
//! folder, each file atomically and in a shape the readers detect, with `manifest.json` saying
//! what was pulled. The offline audit stays as it is: it reads the folder like any other.
//!
//! `endpoints` knows the clouds and which URLs a token may go to, `auth` the app's credential and
//! its client assertion, `client` the requests (permits, retries, token renewal), `datasets` what
//! each dataset asks and how it is written, `manifest` the record of the pull.

mod auth;
mod client;
mod datasets;
mod endpoints;
mod manifest;

use std::path::{Path, PathBuf};
use std::sync::mpsc::sync_channel;

pub use auth::SECRET_ENV;
pub use datasets::Dataset;
pub use endpoints::Cloud;
pub use manifest::{
    Entry, FILE as MANIFEST_FILE, Manifest, SCHEMA as MANIFEST_SCHEMA, Status as FileStatus,
    read as read_manifest,
};

use crate::console::{Messages, ProgressGroup};
use crate::error::{Error, PullError, Result};
use client::{Counter, Failure, Http};
use datasets::{Context, Outcome};

/// The default of `--in-flight`: Graph's guidance for a tenant's app-only reads.
pub const DEFAULT_IN_FLIGHT: usize = 4;
/// The most requests in flight `--in-flight` accepts.
pub const MAX_IN_FLIGHT: usize = 16;
/// The default of `--since`.
pub const DEFAULT_SINCE: &str = "7d";
/// How long Graph keeps sign-ins (with Entra ID P1 or P2; seven days without).
const SIGNIN_RETENTION_DAYS: i64 = 30;

/// A pull as asked for: `mfaudit pull`'s flags, and the config's `[pull]` section by the same
/// names (kebab-case; never the secret itself, which comes from MFAUDIT_CLIENT_SECRET otherwise).
#[derive(Debug, Clone, PartialEq, clap::Args, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    /// The tenant: its id or one of its domains (contoso.onmicrosoft.com).
    #[arg(long, value_name = "ID|DOMAIN")]
    pub tenant: String,
    /// The application (client) id of the app registration.
    #[arg(long = "client-id", value_name = "APP_ID")]
    pub client_id: String,
    /// A PEM file holding the certificate uploaded to the app registration and its private key
    /// (RSA): the app signs in with a client assertion signed by that key.
    #[arg(long, value_name = "FILE.pem", conflicts_with = "client_secret_file")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<PathBuf>,
    /// A file whose first line is the client secret (else MFAUDIT_CLIENT_SECRET).
    #[arg(long = "client-secret-file", value_name = "FILE")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_file: Option<PathBuf>,
    /// The folder the files are written into (made when missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Sign-ins from this far back: days or hours (7d, 12h), a date or a time.
    #[arg(long, value_name = "7d|DATE", default_value = DEFAULT_SINCE)]
    #[serde(default = "default_since")]
    pub since: String,
    /// Only these datasets (comma-separated); the others' files are left as they are.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "DATASETS")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub only: Vec<Dataset>,
    /// Pull the non-interactive sign-ins too (token refreshes; large in a busy tenant).
    #[arg(long = "non-interactive")]
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub non_interactive: bool,
    /// The national cloud the tenant lives in.
    #[arg(long, value_enum, value_name = "CLOUD", default_value_t = Cloud::Global)]
    #[serde(default)]
    pub cloud: Cloud,
    /// Graph at another address (https; http only to this machine, for tests).
    #[arg(long = "graph-url", value_name = "URL")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph_url: Option<String>,
    /// The sign-in endpoint at another address (https; http only to this machine, for tests).
    #[arg(long = "login-url", value_name = "URL")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_url: Option<String>,
    /// Trust the certificate authorities in this PEM file instead of the system's (a TLS-inspecting
    /// proxy's, or a test server's).
    #[arg(long = "ca-file", value_name = "PEM")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    /// At most this many requests in flight at once (1 to 16).
    #[arg(long = "in-flight", value_name = "N", default_value_t = DEFAULT_IN_FLIGHT)]
    #[serde(default = "default_in_flight")]
    pub in_flight: usize,
}

fn default_since() -> String {
    DEFAULT_SINCE.to_string()
}

fn default_in_flight() -> usize {
    DEFAULT_IN_FLIGHT
}

/// What each file came to, in the manifest's words.
#[derive(Debug)]
pub struct Pulled {
    pub manifest: Manifest,
    pub path: PathBuf,
}

/// Pulls the datasets asked for into `opts.out`. Every problem with what was asked (credential,
/// URLs, folder) is found before any request; a token that cannot be had stops the pull; a
/// dataset that fails is reported in the manifest and in the error returned at the end, after
/// every other dataset was pulled.
pub fn pull(opts: &Options, env_secret: Option<String>, msg: Messages) -> Result<Pulled> {
    let endpoints = endpoints::Endpoints::new(
        opts.cloud,
        opts.graph_url.as_deref(),
        opts.login_url.as_deref(),
    )?;
    let credential = auth::Credential::load(
        opts.certificate.as_deref(),
        opts.client_secret_file.as_deref(),
        env_secret,
    )?;
    let roots = opts.ca_file.as_deref().map(read_ca_file).transpose()?;
    let since = since(&opts.since, jiff::Timestamp::now())?;
    if opts.tenant.trim().is_empty() || opts.client_id.trim().is_empty() {
        return Err(PullError::Empty.into());
    }
    if !(1..=MAX_IN_FLIGHT).contains(&opts.in_flight) {
        return Err(PullError::InFlight { max: MAX_IN_FLIGHT }.into());
    }
    let dir = &opts.out;
    prepare_dir(dir, msg)?;
    let selected: Vec<Dataset> = if opts.only.is_empty() {
        Dataset::ALL.to_vec()
    } else {
        let mut d = opts.only.clone();
        d.sort();
        d.dedup();
        d
    };
    if selected.contains(&Dataset::Signins) {
        let oldest = jiff::Timestamp::now()
            .checked_sub(jiff::SignedDuration::from_hours(24 * SIGNIN_RETENTION_DAYS))
            .unwrap_or_default();
        if since.timestamp < oldest {
            msg.note(format!(
                "--since {}: Graph keeps sign-ins for {SIGNIN_RETENTION_DAYS} days (7 without Entra ID P1 or P2); older ones are not there to pull",
                opts.since
            ));
        }
    }
    let started = now();
    let http = Http::new(
        endpoints,
        opts.tenant.trim(),
        opts.client_id.trim(),
        credential,
        roots,
        opts.in_flight,
    );
    http.sign_in()?;
    let bars = ProgressGroup::new(msg.quiet);
    let ctx = Context {
        http: &http,
        dir,
        since: since.text.clone(),
        non_interactive: opts.non_interactive,
        workers: opts.in_flight,
        bars: &bars,
    };
    let outcomes = run_datasets(&ctx, &selected);
    let previous = manifest::previous(dir);
    let manifest = record(
        opts, &http, &selected, &since, started, outcomes, previous, dir,
    );
    let path = dir.join(manifest::FILE);
    let text = serde_json::to_string_pretty(&manifest)
        .map_err(|_| Error::Internal("the manifest is always serializable"))?;
    crate::output::write_bytes(&path, format!("{text}\n").as_bytes())?;
    report(&manifest, msg);
    let failed: Vec<&Entry> = manifest
        .files
        .iter()
        .filter(|e| e.status == FileStatus::Failed)
        .collect();
    if !failed.is_empty() {
        let list = failed
            .iter()
            .map(|e| format!("{} (needs {})", e.file, e.permission))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(PullError::Failed {
            failed: failed.len(),
            total: manifest
                .files
                .iter()
                .filter(|e| e.status != FileStatus::Kept)
                .count(),
            list,
            manifest: path,
        }
        .into());
    }
    Ok(Pulled { manifest, path })
}

/// Every selected dataset on its own thread; the outcomes in the manifest's order.
fn run_datasets(ctx: &Context, selected: &[Dataset]) -> Vec<Outcome> {
    let has = |d| selected.contains(&d);
    let per_user_counter = Counter::default();
    let groups_counter = Counter::default();
    let mut outcomes: Vec<Outcome> = std::thread::scope(|s| {
        let mut jobs: Vec<std::thread::ScopedJoinHandle<Vec<Outcome>>> = Vec::new();
        let (ids_tx, ids_rx) = sync_channel(2);
        let (groups_tx, groups_rx) = sync_channel(1);
        let ids_tx = has(Dataset::PerUserState).then_some(ids_tx);
        let groups_tx = has(Dataset::Groups).then_some(groups_tx);
        if has(Dataset::Users) {
            let tx = ids_tx.clone();
            jobs.push(s.spawn(move || vec![ctx.users(tx)]));
        } else if let Some(tx) = ids_tx.clone() {
            let counter = &per_user_counter;
            s.spawn(move || ctx.user_ids(tx, counter));
        }
        drop(ids_tx);
        if has(Dataset::PerUserState) {
            let counter = &per_user_counter;
            jobs.push(s.spawn(move || vec![ctx.per_user_state(ids_rx, counter)]));
        }
        if has(Dataset::Registration) {
            jobs.push(s.spawn(move || vec![ctx.registration()]));
        }
        if has(Dataset::Signins) {
            jobs.push(s.spawn(move || {
                let mut o = vec![ctx.signins(&datasets::SIGNINS_INTERACTIVE)];
                if ctx.non_interactive {
                    o.push(ctx.signins(&datasets::SIGNINS_NONINTERACTIVE));
                }
                o
            }));
        }
        if has(Dataset::Policies) {
            let tx = groups_tx.clone();
            jobs.push(s.spawn(move || vec![ctx.policies(tx), ctx.security_defaults()]));
        }
        if has(Dataset::Roles) {
            jobs.push(s.spawn(move || {
                [
                    &datasets::ROLE_ASSIGNMENTS,
                    &datasets::ROLE_ELIGIBILITY,
                    &datasets::ROLE_DEFINITIONS,
                ]
                .into_iter()
                .map(|spec| ctx.roles(spec))
                .collect()
            }));
        }
        if has(Dataset::Groups) {
            let from_policies = has(Dataset::Policies);
            let counter = &groups_counter;
            jobs.push(s.spawn(move || {
                let named = if from_policies {
                    groups_rx.recv().unwrap_or_else(|_| {
                        Err("the policies naming the groups could not be read".to_string())
                    })
                } else {
                    ctx.policy_groups(counter)
                };
                let mut o = ctx.groups(named);
                o.requests += counter.get();
                vec![o]
            }));
        }
        drop(groups_tx);
        jobs.into_iter()
            .flat_map(|j| {
                j.join().unwrap_or_else(|_| {
                    vec![Outcome {
                        dataset: Dataset::Users,
                        file: "?",
                        requests: 0,
                        result: Err(Failure::Response("a thread of the pull panicked".into())),
                        notes: Vec::new(),
                    }]
                })
            })
            .collect()
    });
    let order = datasets::FILE_ORDER;
    outcomes.sort_by_key(|o| {
        order
            .iter()
            .position(|f| *f == o.file)
            .unwrap_or(order.len())
    });
    outcomes
}

/// The manifest of this pull: its own files, and the entries of an earlier one for the files it
/// did not pull.
#[allow(clippy::too_many_arguments)]
fn record(
    opts: &Options,
    http: &Http,
    selected: &[Dataset],
    since: &Since,
    started: String,
    outcomes: Vec<Outcome>,
    previous: Option<Manifest>,
    dir: &Path,
) -> Manifest {
    let finished = now();
    let earlier = |file: &str| {
        previous
            .as_ref()
            .and_then(|m| m.files.iter().find(|e| e.file == file))
            .filter(|e| e.status != FileStatus::Failed || e.pulled_at.is_some())
    };
    let mut notes = Vec::new();
    let mut files: Vec<Entry> = outcomes
        .into_iter()
        .map(|o| {
            notes.extend(o.notes.iter().map(|n| format!("{}: {n}", o.file)));
            match o.result {
                Ok(records) => Entry {
                    dataset: o.dataset,
                    file: o.file.to_string(),
                    status: FileStatus::Pulled,
                    permission: o.dataset.permission().to_string(),
                    pulled_at: Some(finished.clone()),
                    records: Some(records),
                    requests: o.requests,
                    error: None,
                    previous_kept: None,
                },
                Err(f) => {
                    let kept = dir.join(o.file).is_file();
                    let before = earlier(o.file).filter(|_| kept);
                    let mut error = f.describe();
                    if f.denied() {
                        error.push_str(&format!(
                            "; grant the app the application permission {} (with admin consent)",
                            o.dataset.permission()
                        ));
                    }
                    Entry {
                        dataset: o.dataset,
                        file: o.file.to_string(),
                        status: FileStatus::Failed,
                        permission: o.dataset.permission().to_string(),
                        pulled_at: before.and_then(|e| e.pulled_at.clone()),
                        records: before.and_then(|e| e.records),
                        requests: o.requests,
                        error: Some(error),
                        previous_kept: Some(kept),
                    }
                }
            }
        })
        .collect();
    if let Some(previous) = &previous {
        for e in &previous.files {
            let pulled_now = files.iter().any(|f| f.file == e.file);
            // Any file an earlier pull wrote and this one did not (a dataset left out of
            // `--only`, the non-interactive sign-ins without `--non-interactive`) is still read
            // by the audit: its entry says how old it is.
            if !pulled_now && dir.join(&e.file).is_file() {
                files.push(Entry {
                    status: FileStatus::Kept,
                    requests: 0,
                    error: None,
                    previous_kept: None,
                    ..e.clone()
                });
            }
        }
    }
    Manifest {
        schema: manifest::SCHEMA.to_string(),
        tool: concat!("mfaudit ", env!("CARGO_PKG_VERSION")).to_string(),
        tenant: opts.tenant.trim().to_string(),
        cloud: opts.cloud.name().to_string(),
        graph: http.endpoints.graph.clone(),
        credential: auth::describe(opts.certificate.as_ref()).to_string(),
        started,
        finished,
        signins_since: selected
            .contains(&Dataset::Signins)
            .then(|| since.text.clone()),
        complete: !files.iter().any(|e| e.status == FileStatus::Failed),
        files,
        notes,
    }
}

/// One line per file on stderr.
fn report(m: &Manifest, msg: Messages) {
    for e in &m.files {
        match e.status {
            FileStatus::Pulled => msg.note(format!(
                "pulled {}: {} records in {} requests",
                e.file,
                crate::report::html::thousands(e.records.unwrap_or(0)),
                crate::report::html::thousands(e.requests)
            )),
            FileStatus::Failed => msg.warn(format!(
                "{} not pulled ({}); {}",
                e.file,
                e.error.as_deref().unwrap_or("failed"),
                if e.previous_kept == Some(true) {
                    "the previous file was kept"
                } else {
                    "there is no previous file"
                }
            )),
            FileStatus::Kept => {}
        }
    }
    for n in &m.notes {
        msg.warn(n);
    }
}

fn now() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .unwrap_or_else(|_| jiff::Timestamp::now())
        .to_string()
}

/// The start of the sign-ins' window.
#[derive(Debug, Clone)]
struct Since {
    timestamp: jiff::Timestamp,
    /// As Graph's filter takes it: `2026-11-26T10:00:00Z`.
    text: String,
}

/// `--since`: `7d` or `12h` back from `now`, a date (its midnight UTC) or a time.
fn since(value: &str, now: jiff::Timestamp) -> Result<Since, PullError> {
    let v = value.trim();
    let bad = || PullError::Since {
        value: value.to_string(),
    };
    let ago = |n: &str, hours: i64| -> Result<jiff::Timestamp, PullError> {
        let n: i64 = n.parse().map_err(|_| bad())?;
        if !(1..=3650 * 24).contains(&(n * hours)) {
            return Err(bad());
        }
        now.checked_sub(jiff::SignedDuration::from_hours(n * hours))
            .map_err(|_| bad())
    };
    let timestamp = if let Some(n) = v.strip_suffix(['d', 'D']) {
        ago(n, 24)?
    } else if let Some(n) = v.strip_suffix(['h', 'H']) {
        ago(n, 1)?
    } else if let Ok(t) = v.parse::<jiff::Timestamp>() {
        t
    } else if let Ok(d) = v.parse::<jiff::civil::Date>() {
        d.to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .map_err(|_| bad())?
            .timestamp()
    } else {
        return Err(bad());
    };
    if timestamp > now {
        return Err(bad());
    }
    let timestamp = timestamp.round(jiff::Unit::Second).map_err(|_| bad())?;
    Ok(Since {
        timestamp,
        text: timestamp.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
    })
}

/// The test CA (or a proxy's) given by `--ca-file`, trusted instead of the platform's roots.
fn read_ca_file(path: &Path) -> Result<Vec<ureq::tls::Certificate<'static>>, PullError> {
    let bad = |detail: String| PullError::CaFile {
        path: path.to_path_buf(),
        detail,
    };
    let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot read it ({e})")))?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&bytes) {
        if let ureq::tls::PemItem::Certificate(c) =
            item.map_err(|e| bad(format!("not a readable PEM file ({e})")))?
        {
            certs.push(c.to_owned());
        }
    }
    if certs.is_empty() {
        return Err(bad(
            "no certificate in it: expected BEGIN CERTIFICATE blocks".into(),
        ));
    }
    Ok(certs)
}

/// The output folder, made when missing; never standard output or a file.
fn prepare_dir(dir: &Path, msg: Messages) -> Result<(), PullError> {
    if crate::output::is_stdout(dir) {
        return Err(PullError::OutNotDir {
            path: dir.to_path_buf(),
            detail: "pull writes several files: name a folder".into(),
        });
    }
    if dir.exists() {
        if !dir.is_dir() {
            return Err(PullError::OutNotDir {
                path: dir.to_path_buf(),
                detail: "not a folder".into(),
            });
        }
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| PullError::OutNotDir {
        path: dir.to_path_buf(),
        detail: format!("cannot make the folder ({e})"),
    })?;
    msg.note(format!(
        "created the folder {} for the pulled files",
        crate::text::shown_path(dir)
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_is_days_hours_a_date_or_a_time() {
        let now: jiff::Timestamp = "2026-12-03T10:09:14.5Z".parse().unwrap();
        assert_eq!(since("7d", now).unwrap().text, "2026-11-26T10:09:15Z");
        assert_eq!(since("12h", now).unwrap().text, "2026-12-02T22:09:15Z");
        assert_eq!(
            since("2026-11-01", now).unwrap().text,
            "2026-11-01T00:00:00Z"
        );
        assert_eq!(
            since("2026-11-30T08:00:00+01:00", now).unwrap().text,
            "2026-11-30T07:00:00Z"
        );
        for bad in ["", "7", "0d", "-3d", "xd", "2027-01-01", "yesterday"] {
            let e = since(bad, now).unwrap_err().to_string();
            assert!(e.starts_with(&format!("--since {bad}: ")), "{e}");
        }
    }
}
