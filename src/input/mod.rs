//! Inputs: turning files into model records. `decode` makes text, `detect` names the kind, and one
//! reader per format family streams records to a callback. Nothing here decides what a report says.

pub(crate) mod ca_policies;
pub(crate) mod clixml;
pub(crate) mod config_json;
pub(crate) mod csv_util;
pub mod decode;
pub(crate) mod detect;
pub(crate) mod exceptions;
pub(crate) mod exchange;
pub(crate) mod flat_csv;
pub(crate) mod graph;
pub(crate) mod groups;
pub(crate) mod inspect;
pub mod json_stream;
pub(crate) mod load;
pub mod mfa_server;
pub(crate) mod msonline;
pub(crate) mod pull_manifest;
pub(crate) mod roles;
pub(crate) mod signins;
pub(crate) mod walk;
pub mod when;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Position, Result, Usage};
use crate::model::config::TenantConfig;
use crate::model::{SignIn, User};
pub use detect::Kind;

/// Options every reader may need; built once from the command line.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// `--encoding`: overrides detection for every input.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// `--mfa-server-columns user=COL,time=COL,result=COL` and the histories' column maps.
    pub mfa_server: mfa_server::ColumnMaps,
    /// `--date-order dmy|mdy` for culture-formatted dates that cannot be told apart.
    pub day_first: Option<bool>,
}

/// What one reader learned about its file, for `inspect`, warnings and the audit's input list.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReadStats {
    pub records: u64,
    /// Records that could not be read and were skipped (sign-in logs only; directory errors are fatal).
    pub skipped: u64,
    pub warnings: Vec<String>,
    pub first_time: Option<jiff::Timestamp>,
    pub last_time: Option<jiff::Timestamp>,
    /// The file's last page said more pages follow (`@odata.nextLink`) and they are not in it.
    pub incomplete: bool,
    /// Companion files read with this one (an admin center CSV's AuthDetails files): each one's
    /// index among the inputs and its rows.
    pub companions: Vec<(u32, u64)>,
    /// The enforcement fields its sign-ins carried (any one of them that did).
    pub fields: SignInFields,
}

/// Which of the fields that tell enforcement a sign-in log carries: where one is missing, what
/// it would say is unknown for that log's sign-ins (`inspect` lists them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignInFields(u8);

impl Serialize for SignInFields {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.names())
    }
}

impl SignInFields {
    /// Each field, with the name `inspect` gives it.
    pub const NAMES: [(u8, &'static str); 7] = [
        (1, "interactive"),
        (2, "client app"),
        (4, "application"),
        (8, "authentication requirement"),
        (16, "Conditional Access status"),
        (32, "applied policies"),
        (64, "requirement policies"),
    ];

    /// The fields `s` carries.
    pub fn of(s: &SignIn<'_>) -> SignInFields {
        let bits = [
            s.interactive.is_some(),
            s.client_app.is_some(),
            s.app.is_some() || s.app_id.is_some(),
            s.authentication_requirement.is_some(),
            s.ca_status.is_some(),
            s.policies.is_some(),
            s.required_by.is_some(),
        ];
        SignInFields(
            bits.iter()
                .zip(Self::NAMES)
                .filter(|(set, _)| **set)
                .fold(0, |acc, (_, (bit, _))| acc | bit),
        )
    }

    pub fn union(self, other: SignInFields) -> SignInFields {
        SignInFields(self.0 | other.0)
    }

    /// The names of the fields carried, in table order.
    pub fn names(self) -> Vec<&'static str> {
        self.select(true)
    }

    /// The names of the fields not carried, in table order.
    pub fn missing(self) -> Vec<&'static str> {
        self.select(false)
    }

    fn select(self, carried: bool) -> Vec<&'static str> {
        Self::NAMES
            .iter()
            .filter(|(bit, _)| (self.0 & bit != 0) == carried)
            .map(|(_, name)| *name)
            .collect()
    }
}

/// The warning an incomplete Graph export gets.
pub const INCOMPLETE: &str = "the export is incomplete: its last page says more pages follow (@odata.nextLink), but they are not in this file; export again with every page (-All in the Graph SDK, or follow @odata.nextLink to the end)";

impl ReadStats {
    /// Marks the file as cut short after a page that said more follow.
    pub fn cut_after_a_page(&mut self) {
        if !self.incomplete {
            self.incomplete = true;
            self.warn(INCOMPLETE);
        }
    }

    pub fn warn(&mut self, w: impl Into<String>) {
        self.warnings.push(w.into());
    }

    /// Widens the date range with one event time.
    pub fn saw_time(&mut self, t: jiff::Timestamp) {
        if self.first_time.is_none_or(|f| t < f) {
            self.first_time = Some(t);
        }
        if self.last_time.is_none_or(|l| t > l) {
            self.last_time = Some(t);
        }
    }

    /// Records one bad sign-in record: keeps the first few messages, counts the rest.
    pub fn skip(&mut self, err: &Error) {
        self.skipped += 1;
        if self.skipped <= 5 {
            self.warnings
                .push(format!("skipped a malformed record: {err}"));
        } else if self.skipped == 6 {
            self.warnings
                .push("more malformed records skipped (see the count)".into());
        }
    }
}

/// One input file after detection.
#[derive(Debug, Clone, Serialize)]
pub struct InputFile {
    /// Position in the run's list of inputs (`Provenance::file`).
    pub index: u32,
    pub path: PathBuf,
    pub kind: Kind,
    pub reason: String,
    pub encoding: String,
    /// The encoding detection decided on; reading the file uses it instead of deciding again
    /// (which would mean a second UTF-8 check over the first 64 MiB). `None` decides again.
    #[serde(skip)]
    pub decoded_as: Option<&'static encoding_rs::Encoding>,
    pub warnings: Vec<String>,
}

impl InputFile {
    /// An input that was not found among the command line's paths (bytes held in memory, a test's
    /// text): the first input, already decoded as `encoding`, with no detection reason or warning.
    pub fn in_memory(path: impl Into<PathBuf>, kind: Kind, encoding: &str) -> InputFile {
        InputFile {
            index: 0,
            path: path.into(),
            kind,
            reason: String::new(),
            encoding: encoding.to_string(),
            decoded_as: None,
            warnings: Vec::new(),
        }
    }
}

pub use walk::{Expanded, OutputPath, Skipped, expand};

/// Opens an input: standard input for `-` (streamed, never held whole), else the file.
pub fn open(path: &Path, opts: &ReadOptions) -> Result<decode::Decoded> {
    decode::open(path, opts.encoding)
}

/// Opens an identified input again to read it, in the encoding detection decided on.
pub fn reopen(file: &InputFile, opts: &ReadOptions) -> Result<decode::Decoded> {
    decode::open(&file.path, opts.encoding.or(file.decoded_as))
}

/// Opens and detects every input (reading only its head). A file found inside a folder that is
/// not an export (or is mfaudit's own report) is passed over and returned in `skipped`; one named
/// on the command line is an error.
pub fn identify(paths: &[Expanded], opts: &ReadOptions) -> Result<(Vec<InputFile>, Vec<Skipped>)> {
    // Opening decides the encoding, which reads up to 64 MiB of each file: on every core.
    let opened: Vec<Result<decode::Decoded>> = crate::par::parts_of(paths, 1, |part| {
        part.iter()
            .map(|e| open(&e.path, opts).map(decode::Decoded::without_reader))
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect();
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for (e, decoded) in paths.iter().zip(opened) {
        let p = &e.path;
        let decoded = match decoded {
            Ok(d) => d,
            // An earlier workbook of this run's --xlsx is binary, not text: what it is decides
            // nothing, this run replaces it.
            Err(Error::Input { .. }) if e.output_of.is_some() => {
                skipped.push(replaced(p, e.output_of.as_deref().unwrap_or_default()));
                continue;
            }
            Err(err @ Error::Input { .. }) if e.from_folder => {
                skipped.push(Skipped::warning(p, not_read_because(&err)));
                continue;
            }
            Err(err) => return Err(err),
        };
        let own = detect::own_output(&decoded.head);
        if let Some(option) = &e.output_of {
            if own.is_some() || decoded.head.trim().is_empty() {
                skipped.push(replaced(p, option));
                continue;
            }
            if detect::detect(&decoded.head).is_some() {
                return Err(Usage::OutputIsInput {
                    path: p.clone(),
                    option: option.clone(),
                    in_folder: true,
                }
                .into());
            }
        }
        if let Some(own) = own {
            if e.from_folder {
                skipped.push(Skipped::note(p, own));
                continue;
            }
            return Err(Error::input(
                p,
                Position::File,
                format!("{own}: give the exports it was made from instead"),
            ));
        }
        let detection = match detect::detect(&decoded.head) {
            Some(d) => d,
            None if !opts.mfa_server.is_empty() && looks_like_csv(&decoded.head) => {
                match opts.mfa_server.choose(&decoded.head) {
                    Ok(report) => detect::Detection {
                        kind: report.kind(),
                        reason: format!("CSV read through {}", report.option()),
                    },
                    Err(why) if e.from_folder => {
                        skipped.push(Skipped::warning(p, why));
                        continue;
                    }
                    Err(why) => return Err(Error::input(p, Position::Line(1), why)),
                }
            }
            None if is_empty_json(&decoded.head) => {
                let why = "the JSON holds no records (an empty array or page): an empty export is almost always a failed export; export it again";
                if e.from_folder {
                    skipped.push(Skipped::warning(p, why));
                    continue;
                }
                return Err(Error::input(p, Position::File, why));
            }
            None if e.from_folder => {
                skipped.push(Skipped::warning(p, "not an export mfaudit recognises"));
                continue;
            }
            None => {
                return Err(Error::input(
                    p,
                    Position::File,
                    format!(
                        "not an export mfaudit recognises (tried: {}); check that this is the right file, or for an MFA Server report name its columns (--mfa-server-columns or a history's, see --help)",
                        detect::TRIED
                    ),
                ));
            }
        };
        // A user list's header is loose enough to hold an MFA Server report's columns: the
        // report's map decides, when every column it names is there.
        let (kind, reason) = match opts.mfa_server.fits(&decoded.head) {
            Some(report) if matches!(detection.kind, Kind::UsersCsv) => (
                report.kind(),
                format!("CSV read through {}", report.option()),
            ),
            _ => (detection.kind, detection.reason),
        };
        files.push(InputFile {
            index: files.len() as u32,
            path: p.clone(),
            kind,
            reason,
            encoding: decoded.encoding,
            decoded_as: Some(decoded.encoding_used),
            warnings: decoded.warnings,
        });
    }
    if files.is_empty() {
        return Err(Usage::NoneRecognised {
            count: paths.len(),
            passed_over: if skipped.is_empty() {
                String::new()
            } else {
                format!(
                    " ({} passed over: {})",
                    skipped.len(),
                    skipped
                        .iter()
                        .take(3)
                        .map(Skipped::message)
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            },
        }
        .into());
    }
    Ok((files, skipped))
}

/// The note on an earlier report this run's `option` replaces.
fn replaced(path: &Path, option: &str) -> Skipped {
    Skipped::note(
        path,
        format!("this run writes its {option} report there (in place of an earlier one)"),
    )
}

/// Why a file found in a folder is not read, from the error opening it gave.
fn not_read_because(err: &Error) -> String {
    match err {
        Error::Input { message, .. } => {
            if message.starts_with("binary data") {
                "binary data, not an export mfaudit reads (an image, a spreadsheet, an archive?)"
                    .to_string()
            } else {
                message.clone()
            }
        }
        other => other.to_string(),
    }
}

/// JSON with no member name at all besides `@odata`/`Count` envelope members: `[]`, `{"value":[]}`.
fn is_empty_json(head: &str) -> bool {
    let t = head.trim_start();
    (t.starts_with('[') || t.starts_with('{'))
        && !t.split('"').skip(1).step_by(2).any(|k| {
            !k.is_empty()
                && !k.starts_with("@odata")
                && k != "value"
                && k != "Count"
                && k != "records"
                && !k.starts_with("http")
        })
}

fn looks_like_csv(head: &str) -> bool {
    head.lines()
        .next()
        .is_some_and(|l| l.contains(',') || l.contains(';'))
}

/// Reads one directory input, handing each user to `on_user`.
pub fn read_users(
    file: &InputFile,
    opts: &ReadOptions,
    on_user: &mut dyn FnMut(User) -> Result<()>,
) -> Result<ReadStats> {
    let decoded = reopen(file, opts)?;
    read_users_from(file, decoded, opts, on_user)
}

/// Reads one directory input that is already open.
pub fn read_users_from(
    file: &InputFile,
    decoded: decode::Decoded,
    opts: &ReadOptions,
    on_user: &mut dyn FnMut(User) -> Result<()>,
) -> Result<ReadStats> {
    let ctx = Context { file, opts };
    match file.kind {
        Kind::MsolJson => msonline::read_json(decoded, &ctx, on_user),
        Kind::MsolClixml => clixml::read(decoded, &ctx, on_user),
        Kind::MsolRawCsv => Err(Error::input(
            &file.path,
            Position::File,
            "this is a raw Get-MsolUser | Export-Csv: its StrongAuthentication* columns hold .NET type names, not methods, so the MFA data is not in the file; export with ConvertTo-Json -Depth 4 or Export-Clixml instead, or use the MFA_Report.csv pipeline",
        )),
        Kind::MfaReportCsv | Kind::FlatMsolCsv => flat_csv::read(decoded, &ctx, on_user),
        Kind::GraphRegistrationJson
        | Kind::RegistrationCsv
        | Kind::GraphUsersJson
        | Kind::UsersCsv
        | Kind::PerUserStateJson
        | Kind::PerUserStateCsv => graph::read(decoded, &ctx, on_user),
        _ => Err(Error::Internal(
            "a file that is not a directory export was read as one",
        )),
    }
}

/// Reads one configuration input ([`Kind::is_config`]: Conditional Access policies, the security
/// defaults policy, role assignments and definitions, groups) into the configuration read so far:
/// policies and role assignments appended (`policies` and `roles` become `Some` even when the file
/// holds none), security defaults set, role names and groups merged, the file noted.
pub fn read_config(
    file: &InputFile,
    opts: &ReadOptions,
    into: &mut TenantConfig,
) -> Result<ReadStats> {
    let decoded = reopen(file, opts)?;
    read_config_from(file, decoded, opts, into)
}

/// Reads one configuration input that is already open.
pub fn read_config_from(
    file: &InputFile,
    decoded: decode::Decoded,
    opts: &ReadOptions,
    into: &mut TenantConfig,
) -> Result<ReadStats> {
    let ctx = Context { file, opts };
    match file.kind {
        Kind::ConditionalAccessJson | Kind::SecurityDefaultsJson => {
            ca_policies::read(decoded, &ctx, into)
        }
        Kind::RoleAssignmentsJson
        | Kind::RoleEligibilityJson
        | Kind::DirectoryRolesJson
        | Kind::RoleDefinitionsJson => roles::read(decoded, &ctx, into),
        Kind::GroupsJson | Kind::GroupMembersCsv => groups::read(decoded, &ctx, into),
        Kind::ExchangeRecipientsCsv => exchange::read(decoded, &ctx, into),
        Kind::MfaServerBlockedCsv | Kind::MfaServerBypassedCsv => {
            mfa_server::read_history(decoded, &ctx, into)
        }
        _ => Err(Error::Internal(
            "a file that is not a configuration export was read as one",
        )),
    }
}

/// Reads one activity input, handing each sign-in to `on_signin`. `auth_details` holds the
/// AuthDetails companion files, joined to admin center CSV sign-ins by Request ID.
pub fn read_signins(
    file: &InputFile,
    auth_details: &[&InputFile],
    opts: &ReadOptions,
    on_signin: &mut dyn FnMut(SignIn<'_>) -> Result<()>,
) -> Result<ReadStats> {
    let decoded = reopen(file, opts)?;
    read_signins_from(file, decoded, auth_details, opts, on_signin)
}

/// Reads one activity input that is already open.
pub fn read_signins_from(
    file: &InputFile,
    decoded: decode::Decoded,
    auth_details: &[&InputFile],
    opts: &ReadOptions,
    on_signin: &mut dyn FnMut(SignIn<'_>) -> Result<()>,
) -> Result<ReadStats> {
    let ctx = Context { file, opts };
    match file.kind {
        Kind::SignInJson | Kind::AzureMonitorJson => signins::read_json(decoded, &ctx, on_signin),
        Kind::SignInCsv | Kind::LogAnalyticsCsv => {
            signins::read_csv(decoded, &ctx, auth_details, on_signin)
        }
        Kind::MfaServerCsv => mfa_server::read(decoded, &ctx, on_signin),
        _ => Err(Error::Internal(
            "a file that is not a sign-in log was read as one",
        )),
    }
}

/// Whether a sign-in input can be read on several threads ([`read_signins_shared`]): the JSON
/// logs, whose records are framed cheaply and read independently.
pub fn shares_work(file: &InputFile) -> bool {
    matches!(file.kind, Kind::SignInJson | Kind::AzureMonitorJson)
}

/// Reads a JSON sign-in input with help: this thread frames its records and offers them in
/// batches to `sink` (see [`signins::frame_json`]); helpers read the batches they take with
/// [`read_signin_batch`], and [`finish_signins_shared`] combines the parts. `n` numbers the
/// input in the batches; `on` gets the sign-ins read on this thread, with their record numbers.
pub fn read_signins_shared(
    file: &InputFile,
    n: usize,
    opts: &ReadOptions,
    sink: &mut dyn signins::BatchSink,
    on: &mut dyn FnMut(SignIn<'_>, u64) -> Result<()>,
) -> Result<(signins::JsonPart, Result<()>)> {
    let decoded = reopen(file, opts)?;
    let ctx = Context { file, opts };
    Ok(signins::frame_json(decoded, &ctx, n, sink, on))
}

/// Reads one batch of a shared input (on a helper thread) into `part`.
pub fn read_signin_batch(
    file: &InputFile,
    opts: &ReadOptions,
    batch: &signins::JsonBatch,
    part: &mut signins::JsonPart,
    on: &mut dyn FnMut(SignIn<'_>, u64) -> Result<()>,
) -> Result<()> {
    signins::read_json_batch(batch, &Context { file, opts }, part, on)
}

/// The stats of a shared input from the parts every thread read, or the error the file is.
pub fn finish_signins_shared(
    file: &InputFile,
    opts: &ReadOptions,
    parts: Vec<signins::JsonPart>,
    framing: Result<()>,
) -> Result<ReadStats> {
    signins::finish_json(&Context { file, opts }, parts, framing)
}

/// Decodes, detects and reads bytes held in memory, as the file `name` (fuzzing and tests).
/// `force` reads them as that kind instead of detecting it. Returns the kind and the records read.
pub fn read_bytes(
    name: &str,
    bytes: Vec<u8>,
    force: Option<Kind>,
    opts: &ReadOptions,
) -> Result<(Kind, u64)> {
    let path = PathBuf::from(name);
    let decoded = decode::from_bytes(&path, bytes, opts.encoding)?;
    let kind = match force {
        Some(k) => k,
        None => detect::detect(&decoded.head)
            .map(|d| d.kind)
            .ok_or_else(|| {
                Error::input(&path, Position::File, "not an export mfaudit recognises")
            })?,
    };
    let file = InputFile::in_memory(path, kind, &decoded.encoding);
    let n = count_records(&file, decoded, opts)?;
    Ok((kind, n))
}

/// Decodes, detects and reads a stream read only once, as standard input is read (fuzzing and
/// tests of that path). Returns the kind and the records read.
pub fn read_stream(
    name: &str,
    stream: Box<dyn std::io::Read + Send>,
    opts: &ReadOptions,
) -> Result<(Kind, u64)> {
    let path = PathBuf::from(name);
    let decoded = decode::from_stream(&path, stream, opts.encoding)?;
    let kind = detect::detect(&decoded.head)
        .map(|d| d.kind)
        .ok_or_else(|| Error::input(&path, Position::File, "not an export mfaudit recognises"))?;
    let file = InputFile::in_memory(path, kind, &decoded.encoding);
    let n = count_records(&file, decoded, opts)?;
    Ok((kind, n))
}

/// Reads a decoded input of any kind to the end: its records (users, sign-ins, or what a
/// configuration export holds).
fn count_records(file: &InputFile, decoded: decode::Decoded, opts: &ReadOptions) -> Result<u64> {
    let mut n = 0u64;
    if file.kind.is_directory() {
        read_users_from(file, decoded, opts, &mut |_| {
            n += 1;
            Ok(())
        })?;
    } else if file.kind.is_config() {
        n = read_config_from(file, decoded, opts, &mut TenantConfig::default())?.records;
    } else if file.kind != Kind::AuthDetailsCsv {
        read_signins_from(file, decoded, &[], opts, &mut |_| {
            n += 1;
            Ok(())
        })?;
    }
    Ok(n)
}

/// Detects and reads texts held in memory as the files `name`, in order, into one configuration
/// (the configuration readers' unit tests). Every text must be a configuration export.
#[cfg(test)]
pub(crate) fn config_read_all(texts: &[(&str, &str)]) -> Result<(TenantConfig, ReadStats)> {
    let mut config = TenantConfig::default();
    let mut last = ReadStats::default();
    for (index, (name, text)) in texts.iter().enumerate() {
        let path = PathBuf::from(name);
        let decoded = decode::from_bytes(&path, text.as_bytes().to_vec(), None)?;
        let detection = detect::detect(&decoded.head)
            .ok_or_else(|| Error::input(&path, Position::File, "not recognised"))?;
        assert!(
            detection.kind.is_config(),
            "{name} was detected as {:?}",
            detection.kind
        );
        let mut file = InputFile::in_memory(path, detection.kind, &decoded.encoding);
        file.index = index as u32;
        last = read_config_from(&file, decoded, &ReadOptions::default(), &mut config)?;
    }
    Ok((config, last))
}

/// [`config_read_all`] for one text.
#[cfg(test)]
pub(crate) fn config_read(name: &str, text: &str) -> Result<(TenantConfig, ReadStats)> {
    config_read_all(&[(name, text)])
}

/// Reads a text held in memory as the file `name`, as `kind` (detected when `None`, else
/// `fallback`), and collects its users: how the directory readers' unit tests run a reader.
#[cfg(test)]
pub(crate) fn users_from_text(
    name: &str,
    text: &str,
    kind: Option<Kind>,
    fallback: Kind,
) -> Result<(Vec<User>, ReadStats)> {
    let path = PathBuf::from(name);
    let decoded = decode::from_bytes(&path, text.as_bytes().to_vec(), None)?;
    let kind = kind.unwrap_or_else(|| detect::detect(&decoded.head).map_or(fallback, |d| d.kind));
    let file = InputFile::in_memory(path, kind, &decoded.encoding);
    let mut users = Vec::new();
    let stats = read_users_from(&file, decoded, &ReadOptions::default(), &mut |u| {
        users.push(u);
        Ok(())
    })?;
    Ok((users, stats))
}

/// What a reader gets besides the text.
pub struct Context<'a> {
    pub file: &'a InputFile,
    pub opts: &'a ReadOptions,
}

impl Context<'_> {
    pub fn path(&self) -> &Path {
        &self.file.path
    }

    pub fn provenance(&self, record: u64) -> crate::model::Provenance {
        crate::model::Provenance {
            file: self.file.index,
            record: record.min(u32::MAX as u64) as u32,
        }
    }
}
