//! Today's directory exports: Graph `userRegistrationDetails` (JSON pages, v1.0 and beta), the
//! registration details CSVs (admin center download, Graph SDK `Export-Csv`, other tools), Graph
//! `/users` JSON, the admin center "Download users" CSV, and per-user MFA state collections.
//!
//! One record shape serves them all: each record sets the facts it carries and leaves the rest
//! unknown, so a users export never claims "no methods" and a registration export never claims
//! "sign-in allowed". JSON keys and CSV headers go through the same alias table, compared after
//! [`names::key`](crate::vocab::names::key) (so `userPrincipalName`, `UserPrincipalName` and `User principal name` match).
//!
//! Over 800 lines with its tests (the code is ~700): every export shape of the family has cases of
//! its own.

use std::fmt;
use std::path::Path;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use super::csv_util::{self, CsvInput};
use super::decode::Decoded;
use super::json_stream::{self, RecordPos};
use super::msonline::is_type_name;
use super::{Context, Kind, ReadStats};
use crate::error::{Error, Position, Result};
use crate::model::{Access, MethodList, PerUserState, User, UserType};

/// Every Graph-family property or column mfaudit reads, with its names (normalised). JSON keys and
/// CSV headers share it: the admin center and the Graph SDK use the Graph property names.
const FIELDS: &[(Field, &[&str])] = &[
    (Field::Id, &["id", "objectid", "userid"]),
    (Field::Upn, &["userprincipalname", "upn"]),
    (
        Field::DisplayName,
        &["displayname", "userdisplayname", "name"],
    ),
    (Field::UserType, &["usertype"]),
    (Field::AccountEnabled, &["accountenabled"]),
    (Field::IsAdmin, &["isadmin"]),
    (Field::MfaRegistered, &["ismfaregistered", "mfaregistered"]),
    (Field::MfaCapable, &["ismfacapable", "mfacapable"]),
    (Field::Methods, &["methodsregistered"]),
    (Field::DefaultMfaMethod, &["defaultmfamethod"]),
    (
        Field::PreferredMethod,
        &["userpreferredmethodforsecondaryauthentication"],
    ),
    (Field::PerUserState, &["perusermfastate"]),
    (Field::AssignedLicenses, &["assignedlicenses"]),
    // JSON only: the response of one user's `authentication/requirements` names the user in its
    // context; a `$batch` response holds one such body per request.
    (Field::Context, &["@odatacontext"]),
    (Field::Responses, &["responses"]),
];

/// Detection's question to this reader's table: does one of these (normalised) headers name a
/// field among `wanted`?
pub(crate) fn names_any(headers: &[String], wanted: &[Field]) -> bool {
    headers
        .iter()
        .filter_map(|h| field_named(h))
        .any(|f| wanted.contains(&f))
}

/// One fact of the Graph family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Id,
    Upn,
    DisplayName,
    UserType,
    AccountEnabled,
    IsAdmin,
    MfaRegistered,
    MfaCapable,
    Methods,
    DefaultMfaMethod,
    PreferredMethod,
    PerUserState,
    AssignedLicenses,
    Context,
    Responses,
}

/// The field a JSON key or CSV header names, compared by [`names::key`](crate::vocab::names::key)
/// (on the stack: a large export has millions of keys).
fn field_named(key: &str) -> Option<Field> {
    /// Every alias, hashed (the first field to list a name wins, as a scan of `FIELDS` would).
    static BY_NAME: std::sync::LazyLock<
        std::collections::HashMap<&'static [u8], Field, foldhash::fast::RandomState>,
    > = std::sync::LazyLock::new(|| {
        let mut map = std::collections::HashMap::default();
        for (field, names) in FIELDS {
            for n in *names {
                map.entry(n.as_bytes()).or_insert(*field);
            }
        }
        map
    });
    crate::vocab::names::with_key(key, |k| BY_NAME.get(k).copied())
}

/// Reads a key straight into the field it names, borrowing the key's text.
struct KeySeed;

impl<'de> de::DeserializeSeed<'de> for KeySeed {
    type Value = Option<Field>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = Option<Field>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> std::result::Result<Self::Value, E> {
        Ok(field_of_key(key))
    }
}

/// [`field_named`] for a JSON key, remembering the keys already seen as the file spells them: an
/// export repeats the same few dozen keys on every record.
fn field_of_key(key: &str) -> Option<Field> {
    thread_local! {
        static SEEN: crate::vocab::Spellings<Option<Field>> = Default::default();
    }
    crate::vocab::remembered(&SEEN, key, field_named)
}

/// A field's name as Graph spells it, for messages.
fn graph_name(field: Field) -> &'static str {
    match field {
        Field::Id => "id",
        Field::Upn => "userPrincipalName",
        Field::DisplayName => "displayName",
        Field::UserType => "userType",
        Field::AccountEnabled => "accountEnabled",
        Field::IsAdmin => "isAdmin",
        Field::MfaRegistered => "isMfaRegistered",
        Field::MfaCapable => "isMfaCapable",
        Field::Methods => "methodsRegistered",
        Field::DefaultMfaMethod => "defaultMfaMethod",
        Field::PreferredMethod => "userPreferredMethodForSecondaryAuthentication",
        Field::PerUserState => "perUserMfaState",
        Field::AssignedLicenses => "assignedLicenses",
        Field::Context => "@odata.context",
        Field::Responses => "responses",
    }
}

/// The registered-methods list as one record held it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
enum Methods {
    /// Not in the record, or null: the record does not know.
    #[default]
    Absent,
    Names(Vec<String>),
    /// A .NET type name where the list should be (`System.String[]`): lost at export time.
    Lost(String),
}

/// The facts one record carried; every one may be absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Facts {
    object_id: Option<String>,
    upn: Option<String>,
    display_name: Option<String>,
    user_type: Option<String>,
    account_enabled: Option<bool>,
    is_admin: Option<bool>,
    mfa_registered: Option<bool>,
    mfa_capable: Option<bool>,
    is_licensed: Option<bool>,
    methods: Methods,
    default_mfa_method: Option<String>,
    preferred_method: Option<String>,
    per_user_state: Option<String>,
    /// The user an `@odata.context` names (`users('a%40contoso.com')/...`), decoded.
    context_user: Option<String>,
}

impl Facts {
    /// A record without its own UPN or id takes the user its context names: a UPN when it has
    /// an `@`, else an object id.
    fn with_context_user(mut self) -> Facts {
        if self.upn.is_none()
            && self.object_id.is_none()
            && let Some(u) = self.context_user.take()
        {
            if u.contains('@') {
                self.upn = Some(u);
            } else {
                self.object_id = Some(u);
            }
        }
        self
    }
}

/// The user an `@odata.context` of a per-user resource names: `users('ID or UPN')` or
/// `users/ID`, percent-decoded.
fn context_user(context: &str) -> Option<String> {
    let at = context.find("users(")? + "users(".len();
    let rest = &context[at..];
    let inner = rest
        .strip_prefix('\'')
        .and_then(|r| r.split_once('\''))
        .map(|(u, _)| u)?;
    let decoded = percent_decode(inner);
    let decoded = decoded.trim();
    (!decoded.is_empty()).then(|| decoded.to_string())
}

/// `%40` and the other `%XX` escapes of a URL path, as text (invalid escapes are kept).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Counts for the warnings one file gets (one line each, however many users).
#[derive(Debug, Default)]
struct Tally {
    /// Records with neither UPN nor id, and where the first one was.
    no_key: u64,
    first_no_key: Option<String>,
    /// Records whose method list was a type name, and that name.
    lost: u64,
    lost_example: Option<String>,
    /// perUserMfaState values that are not disabled/enabled/enforced.
    odd_state: u64,
    odd_state_example: Option<String>,
}

impl Tally {
    fn finish(self, stats: &mut ReadStats) {
        if self.no_key > 0 {
            stats.warn(format!(
                "{} record(s) without a userPrincipalName or id were skipped (the first {}): they cannot be joined to anything",
                self.no_key,
                self.first_no_key.unwrap_or_default()
            ));
        }
        if self.lost > 0 {
            stats.warn(format!(
                "{} user(s): methodsRegistered holds the type name '{}' instead of the methods, so the list was lost when the file was written (Export-Csv of Graph SDK objects); their methods are treated as unknown, not as none; export with ConvertTo-Json, or add @{{N='MethodsRegistered';E={{$_.MethodsRegistered -join ','}}}} before Export-Csv",
                self.lost,
                self.lost_example.unwrap_or_default()
            ));
        }
        if self.odd_state > 0 {
            stats.warn(format!(
                "{} user(s) have a perUserMfaState that is not disabled, enabled or enforced (e.g. '{}'); their per-user state is treated as unknown",
                self.odd_state,
                self.odd_state_example.unwrap_or_default()
            ));
        }
    }
}

impl Facts {
    /// Turns the facts into a model user, or `None` when the record has no join key.
    /// `at` says where the record is (asked only for a warning).
    fn into_user(
        self,
        ctx: &Context,
        record: u64,
        at: &dyn Fn() -> String,
        tally: &mut Tally,
    ) -> Option<User> {
        if self.upn.is_none() && self.object_id.is_none() {
            tally.no_key += 1;
            tally.first_no_key.get_or_insert_with(at);
            return None;
        }
        let per_user_state = match self.per_user_state.as_deref() {
            None => PerUserState::Unknown,
            Some(text) => {
                let s = PerUserState::parse(text);
                if s == PerUserState::Unknown {
                    tally.odd_state += 1;
                    tally
                        .odd_state_example
                        .get_or_insert_with(|| text.to_string());
                }
                s
            }
        };
        let (methods, methods_lost) = match self.methods {
            Methods::Absent => (None, false),
            Methods::Names(names) => (Some(MethodList::from_names(names)), false),
            Methods::Lost(name) => {
                tally.lost += 1;
                tally.lost_example.get_or_insert(name);
                (None, true)
            }
        };
        let default_method = [self.default_mfa_method, self.preferred_method]
            .into_iter()
            .flatten()
            .find(|m| crate::vocab::methods::is_some_method(m))
            .map(crate::vocab::methods::intern);
        Some(User {
            object_id: self.object_id,
            upn: self.upn,
            display_name: self.display_name,
            access: match self.account_enabled {
                Some(true) => Access::Allowed,
                Some(false) => Access::Blocked,
                None => Access::Unknown,
            },
            user_type: self
                .user_type
                .as_deref()
                .map_or(UserType::Unknown, UserType::parse),
            requirements: None,
            per_user_state,
            methods,
            mfa_registered: self.mfa_registered,
            mfa_capable: self.mfa_capable,
            is_admin: self.is_admin,
            is_licensed: self.is_licensed,
            default_method,
            methods_lost,
            msol_gaps: Default::default(),
            sources: vec![ctx.provenance(record)],
        })
    }
}

/// Reads one Graph-family directory export (JSON or CSV, as detected).
pub fn read(
    decoded: Decoded,
    ctx: &Context,
    on_user: &mut dyn FnMut(User) -> Result<()>,
) -> Result<ReadStats> {
    match ctx.file.kind {
        Kind::GraphRegistrationJson | Kind::GraphUsersJson | Kind::PerUserStateJson => {
            read_json(decoded, ctx, on_user)
        }
        Kind::RegistrationCsv | Kind::UsersCsv | Kind::PerUserStateCsv => {
            read_csv(decoded, ctx, on_user)
        }
        _ => Err(Error::Internal(
            "the Graph reader was given a file of another family",
        )),
    }
}

/// What a record of each JSON kind is, for error messages.
fn json_expectation(kind: Kind) -> &'static str {
    match kind {
        Kind::GraphRegistrationJson => "expected a userRegistrationDetails object",
        Kind::GraphUsersJson => "expected a Graph user object",
        _ => "expected an object with userPrincipalName and perUserMfaState",
    }
}

fn read_json(
    decoded: Decoded,
    ctx: &Context,
    on_user: &mut dyn FnMut(User) -> Result<()>,
) -> Result<ReadStats> {
    let path = ctx.path().to_path_buf();
    let what = json_expectation(ctx.file.kind);
    let mut stats = ReadStats::default();
    let mut tally = Tally::default();
    let mut failed_responses: Vec<u64> = Vec::new();
    let envelope = json_stream::for_each_record(decoded.reader, &path, |bytes, pos: RecordPos| {
        if pos.oversized {
            return Err(pos.too_large(&path));
        }
        let Record(facts, batch) =
            json_stream::parse(bytes).map_err(|e| pos.error(&path, &e, what))?;
        let at = || format!("at {}:{}", pos.line, pos.col);
        if batch.is_empty() {
            if let Some(user) = facts.into_user(ctx, pos.index, &at, &mut tally) {
                stats.records += 1;
                on_user(user)?;
            }
            return Ok(());
        }
        for response in batch {
            match (response.status, response.body) {
                (Some(200..=299) | None, Some(body)) => {
                    if let Some(user) = body.into_user(ctx, pos.index, &at, &mut tally) {
                        stats.records += 1;
                        on_user(user)?;
                    }
                }
                (status, _) => failed_responses.push(status.unwrap_or(0)),
            }
        }
        Ok(())
    })?;
    if !failed_responses.is_empty() {
        let mut statuses: Vec<String> = failed_responses.iter().map(u64::to_string).collect();
        statuses.sort();
        statuses.dedup();
        stats.warn(format!(
            "{} $batch response(s) carry no user (status {}): those users' per-user state is unknown; request them again",
            failed_responses.len(),
            statuses.join(", ")
        ));
    }
    tally.finish(&mut stats);
    if envelope.last_page_has_next {
        stats.cut_after_a_page();
    }
    Ok(stats)
}

/// A JSON record read key by key: case-insensitive names, nulls anywhere, and duplicate keys (the
/// last one wins, as in every JSON library Microsoft's exporters are read with). A `$batch`
/// response holds the bodies of its responses instead.
struct Record(Facts, Vec<BatchResponse>);

/// One response of a `$batch`: its status and, for a success, its body's facts.
struct BatchResponse {
    status: Option<u64>,
    body: Option<Facts>,
}

impl<'de> de::Deserialize<'de> for Record {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_map(RecordVisitor)
    }
}

struct RecordVisitor;

impl<'de> Visitor<'de> for RecordVisitor {
    type Value = Record;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Record, A::Error> {
        let mut r = Facts::default();
        let mut batch = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let Some(field) = key else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let v = map.next_value::<Value>()?;
            match field {
                Field::Id => r.object_id = json_text(v),
                Field::Upn => r.upn = json_text(v),
                Field::DisplayName => r.display_name = json_text(v),
                Field::UserType => r.user_type = json_text(v),
                Field::AccountEnabled => r.account_enabled = json_bool(&v),
                Field::IsAdmin => r.is_admin = json_bool(&v),
                Field::MfaRegistered => r.mfa_registered = json_bool(&v),
                Field::MfaCapable => r.mfa_capable = json_bool(&v),
                Field::Methods => r.methods = json_methods(v).map_err(de::Error::custom)?,
                Field::DefaultMfaMethod => r.default_mfa_method = json_text(v),
                Field::PreferredMethod => r.preferred_method = json_text(v),
                Field::PerUserState => r.per_user_state = json_text(v),
                Field::AssignedLicenses => {
                    r.is_licensed = match v {
                        Value::Array(a) => Some(!a.is_empty()),
                        _ => None,
                    }
                }
                Field::Context => r.context_user = json_text(v).as_deref().and_then(context_user),
                Field::Responses => {
                    if let Value::Array(items) = v {
                        for item in items {
                            let Value::Object(o) = item else { continue };
                            let status = o.get("status").and_then(Value::as_u64);
                            let body = match o.get("body") {
                                Some(b @ Value::Object(_)) => {
                                    serde_json::from_value::<Record>(b.clone())
                                        .ok()
                                        .map(|Record(facts, _)| facts.with_context_user())
                                }
                                _ => None,
                            };
                            batch.push(BatchResponse { status, body });
                        }
                    }
                }
            }
        }
        Ok(Record(r.with_context_user(), batch))
    }
}

/// A scalar as trimmed text; `None` for null, empty text, arrays and objects.
fn json_text(v: Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s,
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    let s = trimmed(s);
    (!s.is_empty()).then_some(s)
}

/// `s` trimmed, reusing it when there is nothing to trim.
fn trimmed(s: String) -> String {
    crate::model::trim_cow(std::borrow::Cow::Owned(s)).into_owned()
}

/// JSON true/false, or PowerShell's `"True"`/`"False"` strings.
fn json_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => cell_bool(s),
        _ => None,
    }
}

fn json_methods(v: Value) -> std::result::Result<Methods, String> {
    match v {
        Value::Null => Ok(Methods::Absent),
        Value::Array(items) => {
            let mut names = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(s) if is_type_name(&s) || s.starts_with("System.") => {
                        return Ok(Methods::Lost(s));
                    }
                    Value::String(s) if !s.trim().is_empty() => names.push(trimmed(s)),
                    // Null (or empty) elements name nothing.
                    Value::String(_) | Value::Null => {}
                    other => {
                        return Err(format!(
                            "methodsRegistered holds {other} where a method name was expected"
                        ));
                    }
                }
            }
            Ok(Methods::Names(names))
        }
        Value::String(s) => cell_methods(&s),
        other => Err(format!(
            "methodsRegistered is {other}, expected an array of method names"
        )),
    }
}

/// A methods cell: `[]`, a JSON array (the admin center), a type name (the Graph SDK through
/// Export-Csv: lost), names joined by `, ` or `;` (Extractor-Suite and other scripts), or empty.
fn cell_methods(cell: &str) -> std::result::Result<Methods, String> {
    let cell = cell.trim();
    if cell.starts_with('[') {
        let items: Vec<Option<String>> = serde_json::from_str(cell).map_err(|e| {
            format!(
                "methodsRegistered is not a JSON array of names ({e}): expected [] or [\"a\",\"b\"]"
            )
        })?;
        return Ok(Methods::Names(
            items
                .into_iter()
                .flatten()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
        ));
    }
    if is_type_name(cell) || cell.starts_with("System.") {
        return Ok(Methods::Lost(cell.to_string()));
    }
    Ok(Methods::Names(
        cell.split([',', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
    ))
}

/// `True`/`False` and friends, plus the admin center UI's filter words.
fn cell_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "capable" | "registered" => Some(true),
        "not capable" | "not registered" => Some(false),
        _ => csv_util::parse_bool(text),
    }
}

/// The columns of one CSV, found through [`FIELDS`].
struct Columns(Vec<(Field, usize)>);

impl Columns {
    fn find(csv: &CsvInput) -> Columns {
        Columns(
            FIELDS
                .iter()
                .filter_map(|(f, names)| csv.column(names).map(|i| (*f, i)))
                .collect(),
        )
    }

    fn has(&self, f: Field) -> bool {
        self.0.iter().any(|(g, _)| *g == f)
    }
}

/// The columns a CSV of each kind must have beside UPN or id, as header names for the message.
fn required(kind: Kind) -> &'static [Field] {
    match kind {
        Kind::RegistrationCsv => &[Field::Methods, Field::MfaRegistered, Field::MfaCapable],
        Kind::PerUserStateCsv => &[Field::PerUserState],
        _ => &[],
    }
}

fn read_csv(
    decoded: Decoded,
    ctx: &Context,
    on_user: &mut dyn FnMut(User) -> Result<()>,
) -> Result<ReadStats> {
    let path = ctx.path().to_path_buf();
    let mut csv = csv_util::open(decoded)?;
    let cols = Columns::find(&csv);
    let kind = ctx.file.kind;
    let needs = required(kind);
    let has_key = cols.has(Field::Upn) || cols.has(Field::Id);
    if !has_key || (!needs.is_empty() && !needs.iter().any(|f| cols.has(*f))) {
        return Err(header_error(&path, &csv, kind, needs));
    }
    let mut stats = ReadStats::default();
    let mut tally = Tally::default();
    let mut record = csv::StringRecord::new();
    let mut index = 0u64;
    let read: Vec<usize> = cols.0.iter().map(|(_, i)| *i).collect();
    while let Some(line) = csv.next_whole_record(&path, &mut record, &read)? {
        let facts =
            csv_facts(&record, &cols).map_err(|m| Error::input(&path, Position::Line(line), m))?;
        if let Some(user) = facts.into_user(ctx, index, &|| format!("at line {line}"), &mut tally) {
            stats.records += 1;
            on_user(user)?;
        }
        index += 1;
    }
    tally.finish(&mut stats);
    Ok(stats)
}

fn header_error(path: &Path, csv: &CsvInput, kind: Kind, needs: &[Field]) -> Error {
    let mut expected = format!("{} or {}", graph_name(Field::Upn), graph_name(Field::Id));
    if !needs.is_empty() {
        let any: Vec<&str> = needs.iter().map(|f| graph_name(*f)).collect();
        expected.push_str(&format!(" with one of {}", any.join(", ")));
    }
    Error::input(
        path,
        Position::Line(csv.lines_before),
        format!(
            "this {} has no column mfaudit can join on: expected {expected} (header names compared without case, spaces or underscores), found {}",
            kind.describe(),
            csv.headers.join(", ")
        ),
    )
}

fn csv_facts(record: &csv::StringRecord, cols: &Columns) -> std::result::Result<Facts, String> {
    let mut r = Facts::default();
    for &(field, i) in &cols.0 {
        let Some(cell) = csv_util::field(record, Some(i)) else {
            continue;
        };
        let text = || Some(cell.to_string());
        match field {
            Field::Id => r.object_id = text(),
            Field::Upn => r.upn = text(),
            Field::DisplayName => r.display_name = text(),
            Field::UserType => r.user_type = text(),
            Field::AccountEnabled => r.account_enabled = cell_bool(cell),
            Field::IsAdmin => r.is_admin = cell_bool(cell),
            Field::MfaRegistered => r.mfa_registered = cell_bool(cell),
            Field::MfaCapable => r.mfa_capable = cell_bool(cell),
            Field::Methods => r.methods = cell_methods(cell)?,
            Field::DefaultMfaMethod => r.default_mfa_method = text(),
            Field::PreferredMethod => r.preferred_method = text(),
            Field::PerUserState => r.per_user_state = text(),
            Field::AssignedLicenses | Field::Context | Field::Responses => {}
        }
    }
    // An empty methods cell says "none" only beside a registration fact of the same row
    // (Extractor-Suite joins an empty array to "" next to IsMfaRegistered); a row whose
    // registration cells are all empty says nothing: the admin center writes `[]` for none.
    if r.methods == Methods::Absent
        && cols.has(Field::Methods)
        && (r.mfa_registered.is_some() || r.mfa_capable.is_some())
    {
        r.methods = Methods::Names(vec![]);
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(json: &str) -> Facts {
        serde_json::from_str::<Record>(json).unwrap().0
    }

    #[test]
    fn registration_json_record() {
        let r = record(
            r#"{"id":"86462606","userPrincipalName":"AlexW@Contoso.com","userDisplayName":"Alex Wilber",
            "isAdmin":false,"isMfaRegistered":true,"isMfaCapable":true,
            "methodsRegistered":["microsoftAuthenticatorPush","softwareOneTimePasscode"],
            "systemPreferredAuthenticationMethods":["push"],
            "userPreferredMethodForSecondaryAuthentication":"push","userType":"member"}"#,
        );
        assert_eq!(r.object_id.as_deref(), Some("86462606"));
        assert_eq!(r.upn.as_deref(), Some("AlexW@Contoso.com"));
        assert_eq!(r.display_name.as_deref(), Some("Alex Wilber"));
        assert_eq!(r.is_admin, Some(false));
        assert_eq!((r.mfa_registered, r.mfa_capable), (Some(true), Some(true)));
        assert_eq!(
            r.methods,
            Methods::Names(vec![
                "microsoftAuthenticatorPush".into(),
                "softwareOneTimePasscode".into()
            ])
        );
        assert_eq!(r.preferred_method.as_deref(), Some("push"));
        assert_eq!(r.user_type.as_deref(), Some("member"));
    }

    #[test]
    fn nulls_everywhere_and_null_elements() {
        let r = record(
            r#"{"id":null,"userPrincipalName":"a@x","userDisplayName":null,"userType":null,"isAdmin":null,
            "isMfaRegistered":null,"isMfaCapable":null,"methodsRegistered":null,
            "systemPreferredAuthenticationMethods":[null],"defaultMfaMethod":null,
            "userPreferredMethodForSecondaryAuthentication":null,"lastUpdatedDateTime":null}"#,
        );
        assert_eq!(
            r,
            Facts {
                upn: Some("a@x".into()),
                ..Facts::default()
            }
        );
        let r = record(r#"{"userPrincipalName":"a@x","methodsRegistered":[null,"fido2",""]}"#);
        assert_eq!(r.methods, Methods::Names(vec!["fido2".into()]));
    }

    #[test]
    fn duplicate_keys_last_wins_and_any_case() {
        let r = record(
            r#"{"UserPrincipalName":"first@x","userprincipalname":"last@x","AccountEnabled":"False","accountEnabled":false}"#,
        );
        assert_eq!(r.upn.as_deref(), Some("last@x"));
        assert_eq!(r.account_enabled, Some(false));
    }

    #[test]
    fn users_json_record() {
        let r = record(
            r#"{"id":"1","userPrincipalName":"b@x","displayName":"B","accountEnabled":true,"userType":"Guest",
            "assignedLicenses":[{"skuId":"s"}],"signInActivity":{"lastSignInDateTime":"2024-01-01T00:00:00Z"}}"#,
        );
        assert_eq!(r.account_enabled, Some(true));
        assert_eq!(r.is_licensed, Some(true));
        assert_eq!(r.methods, Methods::Absent);
        assert_eq!(r.user_type.as_deref(), Some("Guest"));
    }

    #[test]
    fn bad_methods_value_is_an_error() {
        let e = serde_json::from_str::<Record>(r#"{"methodsRegistered":42}"#)
            .err()
            .unwrap();
        assert!(
            e.to_string().contains("expected an array of method names"),
            "{e}"
        );
        let e = serde_json::from_str::<Record>(r#"{"methodsRegistered":[{"a":1}]}"#)
            .err()
            .unwrap();
        assert!(
            e.to_string().contains("where a method name was expected"),
            "{e}"
        );
    }

    #[test]
    fn method_cells() {
        assert_eq!(cell_methods("[]"), Ok(Methods::Names(vec![])));
        assert_eq!(
            cell_methods(r#"["microsoftAuthenticatorPush","softwareOneTimePasscode"]"#),
            Ok(Methods::Names(vec![
                "microsoftAuthenticatorPush".into(),
                "softwareOneTimePasscode".into()
            ]))
        );
        assert_eq!(
            cell_methods("System.String[]"),
            Ok(Methods::Lost("System.String[]".into()))
        );
        assert_eq!(
            cell_methods("mobilePhone, email"),
            Ok(Methods::Names(vec!["mobilePhone".into(), "email".into()]))
        );
        assert_eq!(cell_methods(""), Ok(Methods::Names(vec![])));
        assert!(
            cell_methods("[\"a\",")
                .unwrap_err()
                .contains("not a JSON array")
        );
    }

    #[test]
    fn key_matching_agrees_with_header_normalisation() {
        for key in [
            "userPrincipalName",
            "UserPrincipalName",
            "User principal name",
            "user_principal_name",
            "\u{feff}id",
            "MethodsRegistered",
            "perUserMfaState",
            "PER-USER-MFA-STATE",
        ] {
            let normalized = crate::vocab::names::key(key);
            let by_table = FIELDS
                .iter()
                .find(|(_, names)| names.contains(&normalized.as_str()))
                .map(|(f, _)| *f);
            assert!(by_table.is_some(), "{key}");
            assert_eq!(field_named(key), by_table, "{key}");
        }
        assert_eq!(field_named("userPrincipalNameX"), None);
        assert_eq!(field_named("@odata.type"), None);
    }

    #[test]
    fn bool_cells() {
        assert_eq!(cell_bool("True"), Some(true));
        assert_eq!(cell_bool("FALSE"), Some(false));
        assert_eq!(cell_bool("Not Capable"), Some(false));
        assert_eq!(cell_bool("Registered"), Some(true));
        assert_eq!(cell_bool("maybe"), None);
    }

    #[test]
    fn default_method_skips_none() {
        let mut tally = Tally::default();
        let file = crate::input::InputFile {
            index: 3,
            ..crate::input::InputFile::in_memory("f.json", Kind::GraphRegistrationJson, "")
        };
        let opts = crate::input::ReadOptions::default();
        let ctx = Context {
            file: &file,
            opts: &opts,
        };
        let facts = Facts {
            upn: Some("a@x".into()),
            default_mfa_method: Some("none".into()),
            preferred_method: Some("sms".into()),
            per_user_state: Some("ENFORCED".into()),
            methods: Methods::Names(vec!["mobilePhone".into()]),
            ..Facts::default()
        };
        let u = facts
            .into_user(&ctx, 7, &|| "at 1:1".to_string(), &mut tally)
            .unwrap();
        assert_eq!(u.default_method.as_deref(), Some("sms"));
        assert_eq!(u.per_user_state, PerUserState::Enforced);
        assert_eq!(u.access, Access::Unknown);
        assert_eq!(u.sources[0].file, 3);
        assert_eq!(u.sources[0].record, 7);
        assert_eq!(
            u.methods.unwrap().names().collect::<Vec<_>>(),
            ["mobilePhone"]
        );
        let lost = Facts {
            upn: Some("b@x".into()),
            methods: Methods::Lost("System.String[]".into()),
            per_user_state: Some("sometimes".into()),
            ..Facts::default()
        };
        let u = lost
            .into_user(&ctx, 8, &|| "at 2:1".to_string(), &mut tally)
            .unwrap();
        assert!(u.methods.is_none() && u.methods_lost);
        assert_eq!(u.per_user_state, PerUserState::Unknown);
        assert!(
            Facts::default()
                .into_user(&ctx, 9, &|| "at 3:1".to_string(), &mut tally)
                .is_none()
        );
        let mut stats = ReadStats::default();
        tally.finish(&mut stats);
        assert_eq!(stats.warnings.len(), 3);
        assert!(stats.warnings[0].starts_with(
            "1 record(s) without a userPrincipalName or id were skipped (the first at 3:1)"
        ));
        assert!(
            stats.warnings[1]
                .starts_with("1 user(s): methodsRegistered holds the type name 'System.String[]'")
        );
        assert!(stats.warnings[2].contains("(e.g. 'sometimes')"));
    }
}

#[cfg(test)]
mod csv_tests {
    use super::*;

    /// Detects and reads a text as mfaudit would a file.
    pub(crate) fn read_text(text: &str) -> Result<(Vec<User>, ReadStats)> {
        crate::input::users_from_text("t.csv", text, None, Kind::UsersCsv)
    }

    fn names(u: &User) -> Option<Vec<&str>> {
        u.methods.as_ref().map(|m| m.names().collect())
    }

    #[test]
    fn portal_registration_csv() {
        let (users, stats) = read_text(
            "\u{feff}userPrincipalName,userDisplayName,isMfaCapable,isPasswordlessCapable,isSsprCapable,defaultMfaMethod,methodsRegistered,lastUpdatedDateTime\r\n\
             a@x,A,False,False,False,none,[],2026-09-22T18:49:13.142503Z\r\n\
             b@x,B,True,False,True,microsoftAuthenticatorPush,\"[\"\"microsoftAuthenticatorPush\"\",\"\"softwareOneTimePasscode\"\"]\",2026-09-18T21:36:33.91918Z\r\n",
        )
        .unwrap();
        assert_eq!(stats.records, 2);
        assert!(stats.warnings.is_empty());
        assert_eq!(names(&users[0]), Some(vec![]));
        assert_eq!(users[0].mfa_capable, Some(false));
        assert_eq!(users[0].default_method, None);
        assert_eq!(
            names(&users[1]),
            Some(vec![
                "microsoftAuthenticatorPush",
                "softwareOneTimePasscode"
            ])
        );
        assert_eq!(
            users[1].default_method.as_deref(),
            Some("microsoftAuthenticatorPush")
        );
        assert_eq!(users[1].access, Access::Unknown);
        assert_eq!(users[1].mfa_registered, None);
        assert_eq!(users[1].sources[0].record, 1);
    }

    #[test]
    fn sdk_csv_lost_arrays_are_unknown_not_empty() {
        let (users, stats) = read_text(
            "#TYPE Microsoft.Graph.PowerShell.Models.MicrosoftGraphUserRegistrationDetails\r\n\
             \"Id\",\"IsAdmin\",\"IsMfaCapable\",\"IsMfaRegistered\",\"MethodsRegistered\",\"SystemPreferredAuthenticationMethods\",\"UserPrincipalName\",\"UserType\",\"AdditionalProperties\"\r\n\
             \"1\",\"True\",\"True\",\"True\",\"System.String[]\",\"System.String[]\",\"a@x\",\"member\",\"System.Collections.Generic.Dictionary`2[System.String,System.Object]\"\r\n\
             \"2\",\"False\",\"False\",\"False\",\"System.String[]\",\"System.String[]\",\"b@x\",\"guest\",\"x\"\r\n",
        )
        .unwrap();
        assert_eq!(users.len(), 2);
        assert!(users.iter().all(|u| u.methods.is_none() && u.methods_lost));
        assert_eq!(users[0].mfa_registered, Some(true));
        assert_eq!(users[0].is_admin, Some(true));
        assert_eq!(users[1].user_type, UserType::Guest);
        assert_eq!(stats.warnings.len(), 1);
        assert!(
            stats.warnings[0]
                .starts_with("2 user(s): methodsRegistered holds the type name 'System.String[]'"),
            "{}",
            stats.warnings[0]
        );
    }

    #[test]
    fn semicolons_and_rows_without_a_key() {
        let (users, stats) = read_text(
            "userPrincipalName;id;accountEnabled;userType\r\n\
             a@x;1;False;Member\r\n\
             b@x;2;;\r\n\
             ;;True;Member\r\n",
        )
        .unwrap();
        assert_eq!(users.len(), 2);
        assert_eq!(users[0].access, Access::Blocked);
        assert_eq!(users[0].user_type, UserType::Member);
        assert!(users[0].methods.is_none());
        assert_eq!(users[1].access, Access::Unknown);
        assert_eq!(users[1].object_id.as_deref(), Some("2"));
        assert_eq!(
            stats.warnings,
            [
                "1 record(s) without a userPrincipalName or id were skipped (the first at line 4): they cannot be joined to anything"
            ]
        );
    }

    /// The documented response of `GET /users/{id}/authentication/requirements` names its user
    /// only in `@odata.context`; a `$batch` of them holds one body per response.
    #[test]
    fn per_user_state_entity_and_batch_responses() {
        let read = |text: &str| {
            crate::input::users_from_text("s.json", text, None, Kind::PerUserStateJson).unwrap()
        };
        let (users, _) = read(
            r#"{"@odata.context": "https://graph.microsoft.com/beta/$metadata#users('a%40contoso.com')/authentication/requirements/$entity", "perUserMfaState": "enforced"}"#,
        );
        assert_eq!(users.len(), 1);
        assert_eq!(users[0].upn.as_deref(), Some("a@contoso.com"));
        assert_eq!(users[0].per_user_state, PerUserState::Enforced);
        let (users, stats) = read(
            r#"{"responses":[
              {"id":"1","status":200,"headers":{"Content-Type":"application/json"},"body":{"@odata.context":"https://graph.microsoft.com/beta/$metadata#users('b%40contoso.com')/authentication/requirements/$entity","perUserMfaState":"disabled"}},
              {"id":"2","status":200,"body":{"@odata.context":"https://graph.microsoft.com/beta/$metadata#users('6d341e10-39aa-4b99-8b79-9a76c3e893aa')/authentication/requirements/$entity","perUserMfaState":"enabled"}},
              {"id":"3","status":404,"body":{"error":{"code":"Request_ResourceNotFound"}}}]}"#,
        );
        let got: Vec<(Option<&str>, Option<&str>, PerUserState)> = users
            .iter()
            .map(|u| (u.upn.as_deref(), u.object_id.as_deref(), u.per_user_state))
            .collect();
        assert_eq!(
            got,
            [
                (Some("b@contoso.com"), None, PerUserState::Disabled),
                (
                    None,
                    Some("6d341e10-39aa-4b99-8b79-9a76c3e893aa"),
                    PerUserState::Enabled
                ),
            ]
        );
        assert_eq!(
            stats.warnings,
            [
                "1 $batch response(s) carry no user (status 404): those users' per-user state is unknown; request them again"
            ]
        );
        assert_eq!(
            crate::input::detect::detect(
                r#"{"responses":[{"id":"1","status":200,"body":{"perUserMfaState":"enforced"}}]}"#
            )
            .map(|d| d.kind),
            Some(Kind::PerUserStateJson)
        );
    }

    /// An empty registration row says nothing (unknown, not "not registered"); `isMfaCapable`
    /// true without a method list is registered; an empty methods cell beside a registration fact
    /// is "none".
    #[test]
    fn empty_registration_cells_are_unknown() {
        use crate::report::classic::is_registered;
        let (users, _) = read_text(
            "userPrincipalName,isMfaCapable,methodsRegistered\r\n\
             empty@x,,\r\n\
             none@x,False,\r\n\
             listed@x,,[]\r\n",
        )
        .unwrap();
        let got: Vec<Option<bool>> = users.iter().map(is_registered).collect();
        assert_eq!(got, [None, Some(false), Some(false)]);
        let (users, _) = crate::input::users_from_text(
            "r.json",
            r#"[{"userPrincipalName":"c@x","isMfaCapable":true},{"userPrincipalName":"d@x","isMfaCapable":false}]"#,
            Some(Kind::GraphRegistrationJson),
            Kind::GraphRegistrationJson,
        )
        .unwrap();
        let got: Vec<Option<bool>> = users.iter().map(is_registered).collect();
        assert_eq!(got, [Some(true), None]);
    }

    /// A directory export's rows are written whole: a short or long row, a stray quote that
    /// swallows the lines after it, and a file cut inside a quote are errors naming the line, never
    /// users (a fake user whose UPN is twelve lines of the file, ten users gone).
    #[test]
    fn broken_rows_are_errors_not_users() {
        let err = |text: &str| read_text(text).err().map(|e| e.to_string());
        assert_eq!(
            err("userPrincipalName,perUserMfaState\r\na@x,enabled\r\nb@x\r\nc@x,enforced\r\n"),
            Some("t.csv:line 3: expected 2 fields as in the header, found 1: the row is cut short or has a stray delimiter or quote".into())
        );
        assert_eq!(
            err("userPrincipalName,perUserMfaState\r\na@x,enabled,x\r\n"),
            Some("t.csv:line 2: expected 2 fields as in the header, found 3: the row is cut short or has a stray delimiter or quote".into())
        );
        assert_eq!(
            err("userPrincipalName,perUserMfaState\r\n\"a@x,enabled\r\nb@x,enforced\r\nc@x\",disabled\r\n"),
            Some("t.csv:line 2: the userPrincipalName field holds a line break, which this export never writes there: a stray quote swallowed the lines after it".into())
        );
        assert_eq!(
            err("userPrincipalName,accountEnabled\r\na@x,True\r\n\"b@x,True\r\n"),
            Some("t.csv:line 3: the file ends inside the quoted field that opens on this line (a stray quote, or a file cut short)".into())
        );
        assert_eq!(
            err("userPrincipalName,accountEnabled\r\na@x,True\r\n\"b@x,True"),
            Some("t.csv:line 3: the file ends inside the quoted field that opens on this line (a stray quote, or a file cut short)".into())
        );
        // A line break inside a column mfaudit does not read is the export's business.
        let (users, _) = read_text(
            "userPrincipalName,accountEnabled,streetAddress\r\na@x,True,\"1 Main St\r\nFloor 2\"\r\n",
        )
        .unwrap();
        assert_eq!(users.len(), 1);
    }

    #[test]
    fn other_tools_join_with_commas() {
        let (users, _) = read_text(
            "\u{feff}\"id\",\"userPrincipalName\",\"isMfaRegistered\",\"methodsRegistered\"\r\n\
             \"1\",\"a@x\",\"True\",\"mobilePhone, microsoftAuthenticatorPush\"\r\n\
             \"2\",\"b@x\",\"False\",\"\"\r\n",
        )
        .unwrap();
        assert_eq!(
            names(&users[0]),
            Some(vec!["mobilePhone", "microsoftAuthenticatorPush"])
        );
        assert_eq!(names(&users[1]), Some(vec![]));
    }

    #[test]
    fn per_user_state_csv() {
        let (users, stats) = read_text(
            "UserPrincipalName,PerUserMfaState\r\na@x,enforced\r\nb@x,Disabled\r\nc@x,\r\nd@x,odd\r\n",
        )
        .unwrap();
        let states: Vec<PerUserState> = users.iter().map(|u| u.per_user_state).collect();
        assert_eq!(
            states,
            [
                PerUserState::Enforced,
                PerUserState::Disabled,
                PerUserState::Unknown,
                PerUserState::Unknown
            ]
        );
        assert!(users.iter().all(|u| u.methods.is_none()));
        assert_eq!(stats.warnings.len(), 1);
        assert!(stats.warnings[0].contains("(e.g. 'odd')"));
    }

    #[test]
    fn header_without_a_key_is_an_error() {
        let err = read_text("isMfaCapable,methodsRegistered\r\nTrue,[]\r\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv:line 1: this user registration details CSV has no column mfaudit can join on: expected userPrincipalName or id with one of methodsRegistered, isMfaRegistered, isMfaCapable (header names compared without case, spaces or underscores), found isMfaCapable, methodsRegistered"
        );
    }

    #[test]
    fn bad_json_cell_names_the_line() {
        let err =
            read_text("userPrincipalName,methodsRegistered\r\na@x,[]\r\nb@x,\"[\"\"a\"\"\"\r\n")
                .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("t.csv:line 3: methodsRegistered is not a JSON array of names"),
            "{err}"
        );
    }

    #[test]
    fn json_pages_back_to_back_and_a_key_less_record() {
        let (users, stats) = read_text(
            "{\"@odata.context\":\"https://graph.microsoft.com/beta/$metadata#reports/authenticationMethods/userRegistrationDetails\",\"@odata.nextLink\":\"n\",\"value\":[{\"userPrincipalName\":\"a@x\",\"methodsRegistered\":[],\"defaultMfaMethod\":\"none\"}]}\n\
             {\"value\":[{\"userPrincipalName\":\"b@x\",\"methodsRegistered\":[\"fido2\"],\"defaultMfaMethod\":\"mobilePhone\",\"userPreferredMethodForSecondaryAuthentication\":\"sms\"},{\"userDisplayName\":\"nobody\"}]}\n",
        )
        .unwrap();
        assert_eq!(users.len(), 2);
        assert_eq!(users[1].default_method.as_deref(), Some("mobilePhone"));
        assert_eq!(users[1].sources[0].record, 1);
        let second = "{\"value\":[{\"userPrincipalName\":\"b@x\",\"methodsRegistered\":[\"fido2\"],\"defaultMfaMethod\":\"mobilePhone\",\"userPreferredMethodForSecondaryAuthentication\":\"sms\"},";
        assert_eq!(
            stats.warnings,
            [format!(
                "1 record(s) without a userPrincipalName or id were skipped (the first at 2:{}): they cannot be joined to anything",
                second.len() + 1
            )]
        );
    }

    #[test]
    fn json_errors_have_positions() {
        let err =
            read_text("[{\"userPrincipalName\":\"a@x\",\"perUserMfaState\":\"enabled\"},\n 42]")
                .unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv:2:3: expected an object with userPrincipalName and perUserMfaState: invalid type: integer `42`, expected a JSON object"
        );
    }
}
