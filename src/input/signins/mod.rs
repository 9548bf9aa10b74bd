//! Sign-in readers. JSON: Graph `signIns` pages (v1.0/beta), the admin center JSON download (one
//! array), arrays back to back, JSON Lines, and the Azure Monitor archive (`PT1H.json` lines and
//! `{"records":[...]}`, the sign-in under `properties`). CSV: the admin center download joined with
//! its `*_AuthDetails_*` companion, and the Log Analytics "Export to CSV" of `SigninLogs`.
//!
//! Every reader streams: one record in memory at a time (plus, for the admin center CSV, the
//! AuthDetails index, see [`csv`]). A malformed record is skipped and counted
//! ([`ReadStats::skip`]); a broken file (truncated JSON, an unreadable CSV) stops the read with a
//! warning when sign-ins were already read, and is the error when none were.
//!
//! Over 800 lines with its tests (the code is ~530): every sign-in shape has cases of its own.

mod csv;
mod raw;

use std::borrow::Cow;
use std::path::Path;

use super::decode::Decoded;
use super::json_stream::{self, RecordPos};
use super::when::parse_time;
use super::{Context, InputFile, Kind, ReadStats};
use crate::error::{Error, Position, Result};
use crate::model::{AppliedPolicy, SignIn, SignInStep, trim_cow};
use raw::{RawMfa, RawPolicies, RawRecord, RawRequirements, RawStatus, RawSteps, Text};

/// Reads a JSON sign-in log ([`Kind::SignInJson`] or [`Kind::AzureMonitorJson`]).
pub fn read_json(
    decoded: Decoded,
    ctx: &Context,
    on: &mut dyn FnMut(SignIn<'_>) -> Result<()>,
) -> Result<ReadStats> {
    let (part, framing) = frame_json(decoded, ctx, 0, &mut ReadHere, &mut |s, _| on(s));
    finish_json(ctx, vec![part], framing)
}

/// Framed records of a JSON sign-in log, in a batch that any thread can read
/// ([`read_json_batch`]).
pub struct JsonBatch {
    /// Which input the records are from (the caller's numbering).
    pub file: usize,
    text: Vec<u8>,
    /// Each record's bytes in `text`, and its place in the file.
    records: Vec<(std::ops::Range<usize>, RecordPos)>,
}

impl JsonBatch {
    /// Records in the batch.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// Where a reader hands the batches of records it would rather another thread read.
pub trait BatchSink {
    /// Whether a batch offered now would be taken.
    fn has_room(&self) -> bool;
    /// Takes `batch`, or gives it back to be read by the thread that framed it.
    fn offer(&mut self, batch: JsonBatch) -> Option<JsonBatch>;
}

/// No other thread: every record is read by the one that frames it.
struct ReadHere;

impl BatchSink for ReadHere {
    fn has_room(&self) -> bool {
        false
    }

    fn offer(&mut self, batch: JsonBatch) -> Option<JsonBatch> {
        Some(batch)
    }
}

/// Records per batch: large enough that handing a batch over costs nothing next to reading it.
const BATCH_RECORDS: usize = 256;

/// What one thread made of the records of one file it read; [`finish_json`] combines the parts.
#[derive(Default)]
pub struct JsonPart(Run);

impl JsonPart {
    /// Takes in another part of the same file.
    pub fn absorb(&mut self, other: JsonPart) {
        self.0.absorb(other.0);
    }
}

/// Reads a JSON sign-in log in batches, so that several threads can share the work: this thread
/// frames the records and offers each batch to `sink`, which hands it to another thread or gives
/// it back to be read here. While the sink has no room (the helper is still reading the
/// directory), records are read here as they are framed, straight from the read buffer, instead
/// of being copied into a batch first. `on` receives each sign-in read here with its
/// record number in the file. Returns what this thread read and how the framing ended.
pub fn frame_json(
    decoded: Decoded,
    ctx: &Context,
    file: usize,
    sink: &mut dyn BatchSink,
    on: &mut dyn FnMut(SignIn<'_>, u64) -> Result<()>,
) -> (JsonPart, Result<()>) {
    let path = ctx.path().to_path_buf();
    let mut part = JsonPart::default();
    let new_batch = || JsonBatch {
        file,
        text: Vec::with_capacity(BATCH_RECORDS * 2048),
        records: Vec::with_capacity(BATCH_RECORDS),
    };
    let mut batch = new_batch();
    // Records still to be read here as they are framed (asked again every batch's worth).
    let mut unbatched = 0;
    // Pages on JSON Lines lines are noticed by the record parser (see `read_json_batch`).
    let pages = json_stream::Pages::Caller;
    let mut framing =
        json_stream::for_each_record_with(decoded.reader, &path, pages, |bytes, pos| {
            if unbatched == 0 && batch.is_empty() && !sink.has_room() {
                unbatched = BATCH_RECORDS;
            }
            if unbatched > 0 {
                unbatched -= 1;
                return read_json_record(bytes, pos, true, ctx, &mut part, on);
            }
            let start = batch.text.len();
            batch.text.extend_from_slice(bytes);
            batch.records.push((start..batch.text.len(), pos));
            if batch.records.len() < BATCH_RECORDS {
                return Ok(());
            }
            let full = std::mem::replace(&mut batch, new_batch());
            match sink.offer(full) {
                Some(kept) => read_json_batch(&kept, ctx, &mut part, on),
                None => Ok(()),
            }
        })
        .map(|envelope| part.0.framed_pages_cut |= envelope.last_page_has_next);
    if framing.is_ok() || !part.0.consumer_failed {
        // What was framed before the end (or before a broken end) is read.
        let last = read_json_batch(&batch, ctx, &mut part, on);
        if framing.is_ok() {
            framing = last;
        }
    }
    (part, framing)
}

/// Reads one batch of records into `part`.
pub fn read_json_batch(
    batch: &JsonBatch,
    ctx: &Context,
    part: &mut JsonPart,
    on: &mut dyn FnMut(SignIn<'_>, u64) -> Result<()>,
) -> Result<()> {
    for (range, pos) in &batch.records {
        read_json_record(&batch.text[range.clone()], *pos, true, ctx, part, on)?;
    }
    Ok(())
}

/// Reads one framed record; a page of records (a JSON Lines line holding a Graph page or an
/// Azure Monitor `records` object) is framed here and its records read, when `pages` allows.
fn read_json_record(
    bytes: &[u8],
    pos: RecordPos,
    pages: bool,
    ctx: &Context,
    part: &mut JsonPart,
    on: &mut dyn FnMut(SignIn<'_>, u64) -> Result<()>,
) -> Result<()> {
    let path = ctx.path();
    if pos.oversized {
        return part
            .0
            .deliver_at(Err(pos.too_large(path)), pos.index, &mut |s| {
                on(s, pos.index)
            });
    }
    let parsed = json_stream::parse::<RawRecord>(bytes)
        .map_err(|e| pos.error(path, &e, "expected a sign-in record"))
        .and_then(|raw| {
            if raw.page && pages {
                return Ok(None);
            }
            signin_from_record(raw, ctx.opts.day_first)
                .map(|mut parsed| {
                    if let Parsed::SignIn(s) = &mut parsed
                        && s.interactive.is_none()
                    {
                        // Nothing in the record says: the file's name may, else Graph's v1.0
                        // sign-ins, which are all interactive.
                        s.interactive = Some(
                            ctx.path()
                                .file_name()
                                .and_then(|n| n.to_str())
                                .and_then(crate::vocab::workloads::file_name_is_interactive)
                                .unwrap_or(true),
                        );
                    }
                    parsed
                })
                .map(Some)
                .map_err(|m| Error::input(path, Position::LineCol(pos.line, pos.col), m))
        });
    match parsed {
        Ok(None) => {
            let framed = json_stream::frame_record(bytes, path, pos, &mut |inner, at| {
                read_json_record(inner, at, false, ctx, part, on)
            });
            match framed {
                Ok(envelope) => {
                    part.0.saw_page(pos.index, envelope.last_page_has_next);
                    Ok(())
                }
                Err(e) if part.0.consumer_failed => Err(e),
                // The page is JSON (it parsed), but not one the framing takes: a bad record.
                Err(e) => part
                    .0
                    .deliver_at(Err(e), pos.index, &mut |s| on(s, pos.index)),
            }
        }
        Ok(Some(parsed)) => part
            .0
            .deliver_at(Ok(parsed), pos.index, &mut |s| on(s, pos.index)),
        Err(e) => part
            .0
            .deliver_at(Err(e), pos.index, &mut |s| on(s, pos.index)),
    }
}

/// The stats of a JSON sign-in log read in parts (see [`frame_json`]), or the error it is.
pub fn finish_json(ctx: &Context, parts: Vec<JsonPart>, framing: Result<()>) -> Result<ReadStats> {
    let mut run = Run::default();
    for p in parts {
        run.absorb(p.0);
    }
    run.finish(ctx.path(), framing)
}

/// Reads a CSV sign-in log ([`Kind::SignInCsv`] with its AuthDetails companions, or
/// [`Kind::LogAnalyticsCsv`]).
pub fn read_csv(
    decoded: Decoded,
    ctx: &Context,
    auth_details: &[&InputFile],
    on: &mut dyn FnMut(SignIn<'_>) -> Result<()>,
) -> Result<ReadStats> {
    let steps = if ctx.file.kind == Kind::SignInCsv {
        csv::StepIndex::read(auth_details, ctx)?
    } else {
        csv::StepIndex::default()
    };
    csv::read(decoded, ctx, &steps, on)
}

/// The bookkeeping every reader shares: counts, skipped records, and whether an error came from
/// the consumer (which must pass through untouched) or from the file.
#[derive(Default)]
struct Run {
    stats: ReadStats,
    /// Malformed records.
    bad: u64,
    /// The first few malformed records with their record numbers: reported in the file's order
    /// however many threads read it, the first returned when nothing could be read.
    first_bad: Vec<(u64, Error)>,
    /// The consumer's callback failed: its error is returned as is.
    consumer_failed: bool,
    /// Azure Monitor records of another category (`AuditLogs`...), not sign-ins.
    foreign: u64,
    /// Records delivered (the record number for readers that do not give one).
    arrivals: u64,
    /// The framing's last page (a pretty-printed page) said more follow.
    framed_pages_cut: bool,
    /// The last page found on a JSON Lines line (by record number) and whether it said more
    /// follow.
    last_line_page: Option<(u64, bool)>,
}

/// Malformed records whose messages are kept ([`ReadStats::skip`] shows five, then says "more").
const KEPT_BAD: usize = 6;

/// What one record turned out to be.
// A sign-in is moved once from parser to consumer: boxing it would cost an allocation per record.
#[allow(clippy::large_enum_variant)]
enum Parsed<'a> {
    SignIn(SignIn<'a>),
    /// A record that is well formed but not a sign-in (another Azure Monitor category).
    Foreign,
}

impl Run {
    fn deliver(
        &mut self,
        parsed: Result<Parsed<'_>>,
        on: &mut dyn FnMut(SignIn<'_>) -> Result<()>,
    ) -> Result<()> {
        self.deliver_at(parsed, self.arrivals, on)
    }

    /// [`Run::deliver`] for a record whose number in the file is known.
    fn deliver_at(
        &mut self,
        parsed: Result<Parsed<'_>>,
        index: u64,
        on: &mut dyn FnMut(SignIn<'_>) -> Result<()>,
    ) -> Result<()> {
        self.arrivals += 1;
        match parsed {
            Ok(Parsed::SignIn(s)) => {
                self.stats.records += 1;
                self.stats.fields = self.stats.fields.union(crate::input::SignInFields::of(&s));
                if let Some(t) = s.time {
                    self.stats.saw_time(t);
                }
                on(s).inspect_err(|_| self.consumer_failed = true)
            }
            Ok(Parsed::Foreign) => {
                self.foreign += 1;
                Ok(())
            }
            Err(e) => {
                self.bad += 1;
                if self.first_bad.len() < KEPT_BAD {
                    self.first_bad.push((index, e));
                }
                Ok(())
            }
        }
    }

    /// Notes a page read from one JSON Lines line (record number `index`).
    fn saw_page(&mut self, index: u64, has_next: bool) {
        if self.last_line_page.is_none_or(|(last, _)| index >= last) {
            self.last_line_page = Some((index, has_next));
        }
    }

    /// Takes in what another thread read of the same file.
    fn absorb(&mut self, other: Run) {
        self.framed_pages_cut |= other.framed_pages_cut;
        if let Some((index, has_next)) = other.last_line_page {
            self.saw_page(index, has_next);
        }
        let s = other.stats;
        self.stats.fields = self.stats.fields.union(s.fields);
        self.stats.records += s.records;
        self.stats.skipped += s.skipped;
        self.stats.warnings.extend(s.warnings);
        for t in [s.first_time, s.last_time].into_iter().flatten() {
            self.stats.saw_time(t);
        }
        self.bad += other.bad;
        self.first_bad.extend(other.first_bad);
        self.first_bad.sort_by_key(|(index, _)| *index);
        self.first_bad.truncate(KEPT_BAD);
        self.consumer_failed |= other.consumer_failed;
        self.foreign += other.foreign;
        self.arrivals += other.arrivals;
    }

    /// Turns the end of a read into its result (see the module comment).
    fn finish(mut self, path: &Path, framing: Result<impl Sized>) -> Result<ReadStats> {
        let kept = self.first_bad.len() as u64;
        for (_, e) in &self.first_bad {
            self.stats.skip(e);
        }
        self.stats.skipped += self.bad - kept;
        let first_bad = self.first_bad.into_iter().next().map(|(_, e)| e);
        if let Err(e) = framing {
            if self.consumer_failed || self.stats.records == 0 {
                return Err(e);
            }
            self.stats.warn(format!(
                "stopped reading after {}: {e}",
                crate::text::plural(self.stats.records, "sign-in", "sign-ins")
            ));
        }
        if self.foreign > 0 {
            self.stats.warn(format!(
                "{} records of other log categories (not sign-ins) ignored",
                self.foreign
            ));
        }
        if self.framed_pages_cut || self.last_line_page.is_some_and(|(_, next)| next) {
            self.stats.cut_after_a_page();
        }
        if self.stats.records == 0 {
            return Err(match first_bad {
                Some(e) if self.stats.skipped == 1 => e,
                Some(e) => Error::input(
                    path,
                    Position::File,
                    format!(
                        "none of its {} records could be read as a sign-in; the first: {}",
                        self.stats.skipped,
                        message_of(&e)
                    ),
                ),
                None => Error::input(
                    path,
                    Position::File,
                    "holds no sign-in records: export a period that has sign-ins, or check that this is the right file",
                ),
            });
        }
        Ok(self.stats)
    }
}

/// An input error's message with its position, without the path (the caller names the file).
fn message_of(e: &Error) -> String {
    match e {
        Error::Input {
            position: Position::File,
            message,
            ..
        } => message.clone(),
        Error::Input {
            position, message, ..
        } => format!("{position}: {message}"),
        other => other.to_string(),
    }
}

/// A present, non-blank string, trimmed (borrowed from the record when it was).
fn text(t: Option<Text<'_>>) -> Option<Cow<'_, str>> {
    let t = trim_cow(t?.0);
    (!t.is_empty()).then_some(t)
}

/// A time field: blank is none, anything else must be a date.
fn time_of(
    field: &str,
    t: Option<&str>,
    day_first: Option<bool>,
) -> std::result::Result<Option<jiff::Timestamp>, String> {
    match t.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse_time(s, day_first)
            .map(Some)
            .ok_or_else(|| format!("{field} '{}' is not a date", shorten(s))),
    }
}

/// Caps a value quoted in an error message.
fn shorten(s: &str) -> String {
    if s.chars().count() <= 40 {
        s.to_string()
    } else {
        format!("{}...", s.chars().take(40).collect::<String>())
    }
}

/// `authenticationDetails[]` as model steps. A step time that is not a date is dropped (the
/// step still says what happened).
fn steps_of(steps: Option<RawSteps<'_>>) -> Vec<SignInStep<'_>> {
    steps
        .map(|s| s.0)
        .unwrap_or_default()
        .into_iter()
        .map(|s| SignInStep {
            method: text(s.method),
            succeeded: s.succeeded,
            result_detail: text(s.result_detail),
            requirement: text(s.requirement),
        })
        .collect()
}

/// True for an Azure Monitor category that holds sign-ins (`SignInLogs`,
/// `NonInteractiveUserSignInLogs`, `ServicePrincipalSignInLogs`, `ManagedIdentitySignInLogs`...).
fn is_signin_category(category: &str) -> bool {
    category
        .as_bytes()
        .windows(10)
        .any(|w| w.eq_ignore_ascii_case(b"signinlogs"))
}

/// One JSON record as a sign-in. Azure Monitor envelope members fill what `properties` lacks.
fn signin_from_record(
    raw: RawRecord<'_>,
    day_first: Option<bool>,
) -> std::result::Result<Parsed<'_>, String> {
    let mut raw = raw;
    // The sign-in is `properties` when there is one (Azure Monitor), the record itself otherwise;
    // fields are taken from it one by one (the records are large: moving them costs).
    let mut inner = raw.properties.take();
    let (sign_in, envelope): (&mut RawRecord, Option<&mut RawRecord>) = match inner.as_deref_mut() {
        Some(properties) => (properties, Some(&mut raw)),
        None => (&mut raw, None),
    };
    if let Some(env) = &envelope
        && let Some(category) = &env.category
        && !is_signin_category(&category.0)
    {
        return Ok(Parsed::Foreign);
    }
    let category = envelope.as_ref().and_then(|e| e.category.as_ref());
    let workload_category =
        category.is_some_and(|c| crate::vocab::workloads::is_workload_category(&c.0));
    let interactive = sign_in
        .is_interactive
        .or(sign_in.interactive_event)
        .or_else(|| category.and_then(|c| crate::vocab::workloads::category_is_interactive(&c.0)));
    let status = sign_in.status.take().unwrap_or_default();
    let mfa = sign_in.mfa.take().unwrap_or_default();
    let time = match time_of(
        "createdDateTime",
        sign_in.created.as_ref().map(|t| &*t.0),
        day_first,
    )? {
        Some(t) => Some(t),
        None => time_of(
            "time",
            envelope
                .as_ref()
                .and_then(|e| e.time.as_ref())
                .map(|t| &*t.0),
            day_first,
        )?,
    };
    let (env_code, env_reason) = match envelope {
        Some(e) => (e.result_type, e.result_description.take()),
        None => (None, None),
    };
    let service_principal = sign_in
        .service_principal_id
        .as_ref()
        .is_some_and(|id| crate::vocab::workloads::names_a_service_principal(&id.0));
    let mut signin = SignIn {
        time,
        request_id: text(sign_in.id.take()).or_else(|| text(sign_in.original_request_id.take())),
        user_id: text(sign_in.user_id.take()),
        upn: text(sign_in.upn.take()),
        error_code: status.error_code.or(env_code),
        failure_reason: text(status.failure_reason).or_else(|| text(env_reason)),
        additional_details: text(status.additional_details),
        authentication_requirement: text(sign_in.authentication_requirement.take()),
        mfa_method: text(mfa.auth_method),
        steps: steps_of(sign_in.steps.take()),
        call_result: None,
        workload: workload_category || sign_in.workload_event,
        interactive,
        client_app: text(sign_in.client_app.take()),
        app: text(sign_in.app.take()),
        app_id: text(sign_in.app_id.take()),
        ca_status: text(sign_in.ca_status.take()),
        policies: sign_in.policies.take().map(policies_of),
        required_by: sign_in
            .requirements
            .take()
            .map(|r| r.0.into_iter().filter_map(|p| text(Some(p))).collect()),
    };
    // A service principal's id without any user: a workload identity (Graph v1.0 user sign-ins
    // carry it empty).
    signin.workload |= service_principal && signin.upn.is_none() && signin.user_id.is_none();
    if signin.time.is_none()
        && signin.upn.is_none()
        && signin.user_id.is_none()
        && signin.request_id.is_none()
    {
        return Err(
            "not a sign-in record: it has no createdDateTime, userPrincipalName, userId or id"
                .into(),
        );
    }
    Ok(Parsed::SignIn(signin))
}

/// The applied policies as the model keeps them.
fn policies_of(policies: RawPolicies<'_>) -> Vec<AppliedPolicy<'_>> {
    policies
        .0
        .into_iter()
        .map(|p| AppliedPolicy {
            id: text(p.id),
            name: text(p.name),
            result: text(p.result),
            demands_mfa: p.demands_mfa,
        })
        .collect()
}

fn policies_from_json(cell: &str) -> std::result::Result<RawPolicies<'_>, serde_json::Error> {
    serde_json::from_str(cell)
}

fn requirements_from_json(
    cell: &str,
) -> std::result::Result<RawRequirements<'_>, serde_json::Error> {
    serde_json::from_str(cell)
}

/// The parts of a status/mfaDetail that CSV cells hold as JSON text.
fn status_from_json(cell: &str) -> std::result::Result<RawStatus<'_>, serde_json::Error> {
    serde_json::from_str(cell)
}

fn mfa_from_json(cell: &str) -> std::result::Result<RawMfa<'_>, serde_json::Error> {
    serde_json::from_str(cell)
}

fn steps_from_json(cell: &str) -> std::result::Result<RawSteps<'_>, serde_json::Error> {
    serde_json::from_str(cell)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{InputFile, ReadOptions, decode};

    pub(super) fn input(name: &str, kind: Kind) -> InputFile {
        InputFile::in_memory(name, kind, "UTF-8")
    }

    fn read(text: &str, kind: Kind) -> Result<(Vec<SignIn<'static>>, ReadStats)> {
        let file = input("s.json", kind);
        let opts = ReadOptions::default();
        let ctx = Context {
            file: &file,
            opts: &opts,
        };
        let decoded = decode::from_bytes(&file.path, text.as_bytes().to_vec(), None)?;
        let mut out = Vec::new();
        let stats = read_json(decoded, &ctx, &mut |s| {
            out.push(s.into_owned());
            Ok(())
        })?;
        Ok((out, stats))
    }

    fn ts(s: &str) -> Option<jiff::Timestamp> {
        Some(s.parse().unwrap())
    }

    const MFA_DENIED: &str = r#"{"id":"r2","createdDateTime":"2025-05-25T01:54:30Z","userPrincipalName":"ada@contoso.com","userId":"u1","userDisplayName":"Ada","correlationId":"c1","isInteractive":true,"ipAddress":"203.0.113.7",
      "clientAppUsed":"Browser","appDisplayName":"Office 365 Exchange Online","appId":"00000002-0000-0ff1-ce00-000000000000","conditionalAccessStatus":"failure",
      "appliedConditionalAccessPolicies":[{"id":"p1","displayName":"Require MFA","enforcedGrantControls":["Mfa"],"enforcedSessionControls":[],"result":"failure"},{"id":"p2","displayName":"Block legacy (report-only)","enforcedGrantControls":["Block"],"result":"reportOnlyNotApplied"}],
      "authenticationRequirementPolicies":[{"requirementProvider":"multiConditionalAccess","detail":"Conditional Access"}],
      "status":{"errorCode":500121,"failureReason":"Authentication failed during strong authentication request.","additionalDetails":"MFA denied; user declined the authentication"},
      "authenticationRequirement":"multiFactorAuthentication","mfaDetail":{"authMethod":"Mobile app notification","authDetail":"Pixel"},
      "authenticationDetails":[
        {"authenticationStepDateTime":"2025-05-25T01:54:30Z","authenticationMethod":"Password","authenticationMethodDetail":"Password in the cloud","succeeded":true,"authenticationStepResultDetail":"Correct password","authenticationStepRequirement":"Primary authentication"},
        {"authenticationStepDateTime":"2025-05-25T01:55:31Z","authenticationMethod":"Mobile app notification","succeeded":false,"authenticationStepResultDetail":"MFA denied; user declined the authentication","authenticationStepRequirement":"Multifactor authentication"}]}"#;

    /// Sign-ins with their record numbers, and the stats, as `frame_json` gives them when
    /// `room(call)` says whether a helper would take a batch now and the helper takes every
    /// `take_every`th batch offered (read after the framing, as another thread would).
    fn framed_and_shared(
        text: &str,
        room: impl Fn(usize) -> bool,
        take_every: usize,
    ) -> (Vec<(u64, SignIn<'static>)>, String) {
        let file = input("s.json", Kind::AzureMonitorJson);
        let opts = ReadOptions::default();
        let ctx = Context {
            file: &file,
            opts: &opts,
        };
        let decoded = decode::from_bytes(&file.path, text.as_bytes().to_vec(), None).unwrap();
        /// A helper that has room when `room` says so and takes every `take_every`th batch.
        struct Helper<R> {
            calls: std::cell::Cell<usize>,
            room: R,
            take_every: usize,
            offered: usize,
            taken: Vec<JsonBatch>,
        }
        impl<R: Fn(usize) -> bool> BatchSink for Helper<R> {
            fn has_room(&self) -> bool {
                self.calls.set(self.calls.get() + 1);
                (self.room)(self.calls.get())
            }
            fn offer(&mut self, batch: JsonBatch) -> Option<JsonBatch> {
                self.offered += 1;
                if self.offered.is_multiple_of(self.take_every) {
                    self.taken.push(batch);
                    None
                } else {
                    Some(batch)
                }
            }
        }
        let mut helper = Helper {
            calls: std::cell::Cell::new(0),
            room,
            take_every,
            offered: 0,
            taken: Vec::new(),
        };
        let mut out = Vec::new();
        let (part, framing) = frame_json(decoded, &ctx, 0, &mut helper, &mut |s, i| {
            out.push((i, s.into_owned()));
            Ok(())
        });
        let mut parts = vec![part];
        for batch in &helper.taken {
            let mut helper = JsonPart::default();
            read_json_batch(batch, &ctx, &mut helper, &mut |s, i| {
                out.push((i, s.into_owned()));
                Ok(())
            })
            .unwrap();
            parts.push(helper);
        }
        let stats = finish_json(&ctx, parts, framing)
            .map(|s| (s.records, s.skipped, s.warnings, s.first_time, s.last_time));
        // Stable: the records of a page share a number and are read by one thread in order.
        out.sort_by_key(|(i, _)| *i);
        (out, format!("{stats:?}"))
    }

    #[test]
    fn read_unbatched_batched_or_shared_alike() {
        // Records read as they are framed while no helper has room, in batches otherwise, some
        // batches read by a "helper": the same sign-ins, numbers and stats as reading in order.
        let mut text = String::new();
        for i in 0..1500 {
            let record = match i % 97 {
                5 => "{\"time\":\"2025-05-01T00:00:00Z\",\"properties\":{\"bad\":tru}}".to_string(),
                6 => format!(
                    "{{\"records\":[{{\"time\":\"2025-05-01T00:{:02}:00Z\",\"properties\":{{\"userPrincipalName\":\"p{i}@x\",\"id\":\"a{i}\"}}}},{{\"time\":\"2025-05-01T00:00:01Z\",\"properties\":{{\"userPrincipalName\":\"q{i}@x\",\"id\":\"b{i}\"}}}}]}}",
                    i % 60
                ),
                _ => format!(
                    "{{\"time\":\"2025-05-01T01:{:02}:00Z\",\"properties\":{{\"id\":\"r{i}\",\"userPrincipalName\":\"u{}@x\",\"status\":{{\"errorCode\":{}}}}}}}",
                    i % 60,
                    i % 13,
                    if i % 3 == 0 { 500121 } else { 0 }
                ),
            };
            text.push_str(&record);
            text.push('\n');
        }
        let in_order = framed_and_shared(&text, |_| false, 1);
        // 16 malformed records skipped; 16 pages of two make up for them.
        assert_eq!(in_order.0.len(), 1500);
        assert!(
            in_order.1.starts_with(
                "Ok((1500, 16, [\"skipped a malformed record: s.json:6:55: expected a sign-in record"
            ),
            "{}",
            in_order.1
        );
        for (name, room, take_every) in [
            (
                "always room, every batch taken",
                &(|_| true) as &dyn Fn(usize) -> bool,
                1,
            ),
            ("always room, every other batch taken", &|_| true, 2),
            ("room every third ask", &|c: usize| c.is_multiple_of(3), 1),
            (
                "room once in a while, batches kept",
                &|c: usize| c % 5 == 1,
                3,
            ),
        ] {
            assert_eq!(
                framed_and_shared(&text, room, take_every),
                in_order,
                "{name}"
            );
        }
    }

    #[test]
    fn graph_record_every_field() {
        let (s, stats) = read(&format!("[{MFA_DENIED}]"), Kind::SignInJson).unwrap();
        assert_eq!(stats.records, 1);
        let s = &s[0];
        let want = SignIn {
            time: ts("2025-05-25T01:54:30Z"),
            request_id: Some("r2".into()),
            user_id: Some("u1".into()),
            upn: Some("ada@contoso.com".into()),
            error_code: Some(500121),
            failure_reason: Some(
                "Authentication failed during strong authentication request.".into(),
            ),
            additional_details: Some("MFA denied; user declined the authentication".into()),
            authentication_requirement: Some("multiFactorAuthentication".into()),
            mfa_method: Some("Mobile app notification".into()),
            steps: vec![
                SignInStep {
                    method: Some("Password".into()),
                    succeeded: Some(true),
                    result_detail: Some("Correct password".into()),
                    requirement: Some("Primary authentication".into()),
                },
                SignInStep {
                    method: Some("Mobile app notification".into()),
                    succeeded: Some(false),
                    result_detail: Some("MFA denied; user declined the authentication".into()),
                    requirement: Some("Multifactor authentication".into()),
                },
            ],
            call_result: None,
            workload: false,
            interactive: Some(true),
            client_app: Some("Browser".into()),
            app: Some("Office 365 Exchange Online".into()),
            app_id: Some("00000002-0000-0ff1-ce00-000000000000".into()),
            ca_status: Some("failure".into()),
            policies: Some(vec![
                AppliedPolicy {
                    id: Some("p1".into()),
                    name: Some("Require MFA".into()),
                    result: Some("failure".into()),
                    demands_mfa: true,
                },
                AppliedPolicy {
                    id: Some("p2".into()),
                    name: Some("Block legacy (report-only)".into()),
                    result: Some("reportOnlyNotApplied".into()),
                    demands_mfa: false,
                },
            ]),
            required_by: Some(vec!["multiConditionalAccess".into()]),
        };
        assert_eq!(*s, want);
        assert_eq!(stats.first_time, ts("2025-05-25T01:54:30Z"));
    }

    #[test]
    fn every_framing_gives_the_same_records() {
        let a =
            r#"{"id":"a","createdDateTime":"2024-01-02T00:00:00Z","userPrincipalName":"a@c.com"}"#;
        let b =
            r#"{"id":"b","createdDateTime":"2024-01-01T00:00:00Z","userPrincipalName":"b@c.com"}"#;
        for text in [
            format!("[{a},{b}]"),
            format!("[{a}]\r\n[{b}]"),
            format!("{a}\n{b}\n"),
            format!(
                "{{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns\",\"value\":[{a},{b}],\"@odata.nextLink\":\"x\"}}"
            ),
        ] {
            let (s, stats) = read(&text, Kind::SignInJson).unwrap();
            let ids: Vec<_> = s.iter().map(|s| s.request_id.clone().unwrap()).collect();
            assert_eq!(ids, ["a", "b"], "{text}");
            assert_eq!(stats.first_time, ts("2024-01-01T00:00:00Z"));
            assert_eq!(stats.last_time, ts("2024-01-02T00:00:00Z"));
        }
    }

    #[test]
    fn sign_in_event_types_say_interactivity_when_is_interactive_does_not() {
        let record = |extra: &str| {
            format!(
                r#"[{{"id":"a","createdDateTime":"2024-01-02T00:00:00Z","userPrincipalName":"a@c.com"{extra}}}]"#
            )
        };
        for (extra, want) in [
            (r#","signInEventTypes":["nonInteractiveUser"]"#, Some(false)),
            (r#","signInEventTypes":["interactiveUser"]"#, Some(true)),
            (
                r#","isInteractive":true,"signInEventTypes":["nonInteractiveUser"]"#,
                Some(true),
            ),
            // Nothing says: Graph's v1.0 sign-ins, all interactive.
            (r#","signInEventTypes":["servicePrincipal"]"#, Some(true)),
            ("", Some(true)),
        ] {
            let (s, _) = read(&record(extra), Kind::SignInJson).unwrap();
            assert_eq!(s[0].interactive, want, "{extra}");
        }
    }

    #[test]
    fn azure_monitor_envelope_fills_gaps() {
        let line = r#"{"time":"2023-01-01T10:00:00.1234567Z","category":"NonInteractiveUserSignInLogs","resultType":"50076","resultDescription":"MFA required","callerIpAddress":"198.51.100.1","correlationId":"env-c","identity":"Bo","Level":"4","properties":{"id":"p1","userPrincipalName":"bo@c.com","status":{"errorCode":50076}}}"#;
        let text = format!("{{\"records\":[{line}]}}");
        let (s, _) = read(&text, Kind::AzureMonitorJson).unwrap();
        let s = &s[0];
        assert_eq!(s.time, ts("2023-01-01T10:00:00.1234567Z"));
        assert_eq!(s.error_code, Some(50076));
        assert_eq!(s.failure_reason.as_deref(), Some("MFA required"));
        // resultType alone (string) gives the code.
        let line = r#"{"category":"SignInLogs","resultType":"0","Level":4,"properties":{"id":"p2","createdDateTime":"2023-01-01T10:00:00+02:00"}}"#;
        let (s, _) = read(line, Kind::AzureMonitorJson).unwrap();
        assert_eq!(s[0].error_code, Some(0));
        assert_eq!(s[0].time, ts("2023-01-01T08:00:00Z"));
    }

    #[test]
    fn other_categories_are_ignored_with_a_warning() {
        let text = r#"{"category":"AuditLogs","properties":{"id":"x","activityDateTime":"2023-01-01T00:00:00Z"}}
{"category":"SignInLogs","properties":{"id":"p","userPrincipalName":"a@c.com"}}"#;
        let (s, stats) = read(text, Kind::AzureMonitorJson).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(stats.skipped, 0);
        assert_eq!(
            stats.warnings,
            ["1 records of other log categories (not sign-ins) ignored"]
        );
    }

    #[test]
    fn a_malformed_record_is_skipped_and_counted() {
        let text = "{\"id\":\"a\",\"userPrincipalName\":\"a@c.com\"}\n{\"id\":\"b\",\"createdDateTime\":\"yesterday\"}\n{\"hello\":1}\n{\"id\":\"c\",\"userPrincipalName\":{}}\n{\"id\":\"d\"}\n";
        let (s, stats) = read(text, Kind::SignInJson).unwrap();
        let ids: Vec<_> = s.iter().map(|s| s.request_id.clone().unwrap()).collect();
        assert_eq!(ids, ["a", "d"]);
        assert_eq!(stats.skipped, 3);
        assert_eq!(
            stats.warnings[0],
            "skipped a malformed record: s.json:2:1: createdDateTime 'yesterday' is not a date"
        );
        assert_eq!(
            stats.warnings[1],
            "skipped a malformed record: s.json:3:1: not a sign-in record: it has no createdDateTime, userPrincipalName, userId or id"
        );
        assert!(
            stats.warnings[2].starts_with(
                "skipped a malformed record: s.json:4:32: expected a sign-in record: invalid type: map, expected a string"
            ),
            "{}",
            stats.warnings[2]
        );
    }

    #[test]
    fn pages_on_json_lines_lines_are_read_record_by_record() {
        // A plain record, a Graph page, an Azure Monitor `records` object, a page spelled
        // `Value`, a record whose `value` member is not an array, bad records inside pages.
        let text = concat!(
            "{\"id\":\"a\",\"userPrincipalName\":\"a@c.com\"}\n",
            "{\"@odata.context\":\"x\",\"value\":[{\"id\":\"b\"},{\"id\":\"c\"}]}\n",
            "{\"records\":[{\"category\":\"SignInLogs\",\"properties\":{\"id\":\"d\"}}]}\n",
            "{\"Value\":[{\"id\":\"e\"}],\"@odata.nextLink\":\"y\"}\n",
            "{\"id\":\"f\",\"value\":\"not a page\"}\n",
            "{\"value\":[{\"id\":\"g\"},{\"id\":\"h\",\"createdDateTime\":\"soon\"}]}\n",
            "{\"value\":[{\"id\":\"i\"}, {\"id\":\"j\",\"createdDateTime\":\"later\"}]}\n",
        );
        let (s, stats) = read(text, Kind::SignInJson).unwrap();
        let ids: Vec<_> = s.iter().map(|s| s.request_id.clone().unwrap()).collect();
        assert_eq!(ids, ["a", "b", "c", "d", "e", "f", "g", "i"]);
        assert_eq!((stats.records, stats.skipped), (8, 2));
        assert_eq!(
            stats.warnings,
            [
                "skipped a malformed record: s.json:6:22: createdDateTime 'soon' is not a date",
                "skipped a malformed record: s.json:7:23: createdDateTime 'later' is not a date",
            ]
        );
    }

    #[test]
    fn an_array_of_pages_is_read_record_by_record() {
        let text = "[{\"value\":[{\"id\":\"a\"}]},\n {\"value\":[{\"id\":\"b\"},{\"id\":\"c\"}]}]";
        let (s, stats) = read(text, Kind::SignInJson).unwrap();
        let ids: Vec<_> = s.iter().map(|s| s.request_id.clone().unwrap()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(stats.skipped, 0);
    }

    #[test]
    fn truncation_after_records_warns_and_stops() {
        let text = "[{\"id\":\"a\",\"userPrincipalName\":\"a@c.com\"},\n{\"id\":\"b\",\"user";
        let (s, stats) = read(text, Kind::SignInJson).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(
            stats.warnings,
            [
                "stopped reading after 1 sign-in: s.json:2:16: the JSON ends inside a value that starts at 2:1: the file is truncated"
            ]
        );
    }

    #[test]
    fn nothing_read_is_an_input_error() {
        let e = read("[{\"id\":\"a\",\"user", Kind::SignInJson).unwrap_err();
        assert_eq!(
            e.to_string(),
            "s.json:1:17: the JSON ends inside a value that starts at 1:2: the file is truncated"
        );
        let e = read("{\"value\":[]}", Kind::SignInJson).unwrap_err();
        assert_eq!(
            e.to_string(),
            "s.json: holds no sign-in records: export a period that has sign-ins, or check that this is the right file"
        );
        let e = read("[{\"a\":1}]", Kind::SignInJson).unwrap_err();
        assert_eq!(
            e.to_string(),
            "s.json:1:2: not a sign-in record: it has no createdDateTime, userPrincipalName, userId or id"
        );
        let e = read("[{\"a\":1},{\"b\":2}]", Kind::SignInJson).unwrap_err();
        assert_eq!(
            e.to_string(),
            "s.json: none of its 2 records could be read as a sign-in; the first: 1:2: not a sign-in record: it has no createdDateTime, userPrincipalName, userId or id"
        );
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn consumer_errors_pass_through() {
        let file = input("s.json", Kind::SignInJson);
        let opts = ReadOptions::default();
        let ctx = Context {
            file: &file,
            opts: &opts,
        };
        let decoded = decode::from_bytes(
            &file.path,
            format!("[{MFA_DENIED},{MFA_DENIED}]").into_bytes(),
            None,
        )
        .unwrap();
        let e = read_json(decoded, &ctx, &mut |_| Err(Error::Stopped)).unwrap_err();
        assert!(matches!(e, Error::Stopped), "{e}");
    }
}
