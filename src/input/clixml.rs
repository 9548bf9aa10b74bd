//! `Get-MsolUser | Export-Clixml` files (powershell.md §7, formats.md §2.4), streamed with a pull
//! parser: one top-level `<Obj>` under `<Objs>` is one user, read into an [`MsolRecord`] and handed
//! on before the next one is parsed, so memory stays flat however many users the file holds.
//!
//! What is kept: only the properties the reports use (UserPrincipalName, DisplayName, ObjectId,
//! BlockCredential, UserType, IsLicensed, StrongAuthenticationMethods, StrongAuthenticationRequirements,
//! and the `MFA Status` / `MFA Methods` notes of the P3 one-liner's Select-Object output); every
//! other property is parsed and checked but dropped. PowerShell writes every property of an object
//! (`<Nil>` for null), so an absent member (Select-Object output) reads as unknown, never as null.
//!
//! Limits (each breach is an input error, never a panic or a runaway allocation): element nesting
//! [`MAX_DEPTH`]; one XML token (tag, text run, comment) [`MAX_EVENT_BYTES`]; one element's text
//! [`MAX_TEXT_BYTES`]; items kept from one list [`MAX_LIST_ITEMS`]. No DTD is accepted, so no entity
//! can be defined or expanded: only the five predefined entities and character references resolve.
//!
//! `<Ref RefId="n"/>` is PowerShell's "the same object instance again". Inside a user only a
//! wanted value can matter (a shared list instance, e.g. one empty `List` reused): wanted objects of
//! at most [`MAX_CACHED_NODES`] nodes are remembered, the newest [`MAX_CACHED_REFS`] of them. A
//! reference to anything else (a dropped property, an evicted or too large object) reads as unknown,
//! and is an error only where it would decide the report (the method or requirement list). A
//! top-level `<Ref>` is the same user piped twice: it is read once and counted in a warning.
//!
//! Long because CLIXML is one format with many rules (typed values, references, lists, notes, the
//! limits above), read by one pull parser whose states belong together; a third of the file is its
//! tests, each a PowerShell output quirk.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, BufRead, Read};
use std::path::PathBuf;

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::decode::Decoded;
use super::msonline::{self, MsolList, MsolMethod, MsolRecord};
use super::{Context, ReadStats};
use crate::error::{Error, Position, Result};
use crate::model::User;

/// Deepest element nesting accepted. A default (depth 2) `Get-MsolUser` export nests 8 deep,
/// each extra `-Depth` level adds about 3; PowerShell itself stops at 50 levels.
pub const MAX_DEPTH: usize = 64;
/// Largest single XML token (a tag, a run of text, a comment) in bytes of UTF-8.
pub const MAX_EVENT_BYTES: u64 = 1 << 20;
/// Largest text of one element (after entity resolution) in bytes of UTF-8.
pub const MAX_TEXT_BYTES: usize = 1 << 20;
/// Most items kept from one wanted list (a user has a handful of methods).
pub const MAX_LIST_ITEMS: usize = 10_000;
/// How many referenceable objects are remembered for `<Ref>`.
pub const MAX_CACHED_REFS: usize = 4096;
/// Largest object (in values) remembered for `<Ref>`.
pub const MAX_CACHED_NODES: usize = 256;
/// How many type lists (`<TN>`) are remembered for `<TNRef>`.
const MAX_TYPE_LISTS: usize = 4096;
const READ_CHUNK: usize = 64 * 1024;

/// Reads a CLIXML file of `Get-MsolUser` objects (or of the P1/P3 one-liners' Select-Object output).
pub fn read(
    decoded: Decoded,
    ctx: &Context,
    on_user: &mut dyn FnMut(User) -> Result<()>,
) -> Result<ReadStats> {
    let path = ctx.path().to_path_buf();
    let mut p = Parser::new(decoded.reader, path.clone());
    let mut stats = ReadStats::default();
    let root = p.expect_root()?;
    let mut index = 0u64;
    let mut duplicates = 0u64;
    let mut methods_unknown = 0u64;
    if !root.empty {
        loop {
            match p.next()? {
                Tok::Text => p.expect_blank("a user <Obj> or </Objs>")?,
                Tok::Close => break,
                Tok::Eof => return Err(p.truncated("Objs", root.at)),
                Tok::Open(o) => {
                    let record_index = index;
                    index += 1;
                    match o.tag {
                        Tag::Obj => {
                            let at = o.at;
                            let Val::Obj(obj) = p.parse_obj(o, Want::User)? else {
                                continue;
                            };
                            let shape = interpret(&obj).map_err(|m| p.error_at(at, m))?;
                            if shape.methods_unknown {
                                methods_unknown += 1;
                            }
                            let user = shape
                                .into_user(ctx.provenance(record_index))
                                .map_err(|m| p.error_at(at, m))?;
                            stats.records += 1;
                            on_user(user)?;
                        }
                        Tag::Ref => {
                            p.skip(o)?;
                            duplicates += 1;
                        }
                        other => {
                            return Err(p.error_at(
                                o.at,
                                format!(
                                    "malformed CLIXML: expected a user <Obj> under <Objs>, found <{}>: this file does not hold Get-MsolUser objects",
                                    other.name()
                                ),
                            ));
                        }
                    }
                }
            }
        }
    }
    p.expect_end()?;
    if duplicates > 0 {
        stats.warn(format!(
            "{duplicates} top-level <Ref> element(s) skipped: the same user object was exported more than once, and is counted once"
        ));
    }
    if methods_unknown > 0 {
        stats.warn(format!(
            "{methods_unknown} object(s) have no StrongAuthenticationMethods property (Select-Object output, e.g. of the registered/unregistered one-liners): their MFA registration is unknown"
        ));
    }
    Ok(stats)
}

/// Decodes PowerShell's `_xHHHH_` escapes (powershell.md §7.3; .NET `XmlConvert.DecodeName`):
/// `_x` or `_X`, then 4 (a UTF-16 code unit) or 8 (a code point) hex digits, then `_`. Surrogate
/// halves written separately are joined; a half without its partner becomes U+FFFD. Anything that
/// is not a complete escape stays as written.
pub fn unescape_xhhhh(s: &str) -> String {
    let bytes = s.as_bytes();
    if !bytes
        .windows(2)
        .any(|w| w[0] == b'_' && (w[1] == b'x' || w[1] == b'X'))
    {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut high: Option<u16> = None;
    let flush_high = |out: &mut String, high: &mut Option<u16>| {
        if high.take().is_some() {
            out.push(char::REPLACEMENT_CHARACTER);
        }
    };
    let (mut i, mut literal_from) = (0, 0);
    while i < bytes.len() {
        let escape = if bytes[i] == b'_' {
            parse_xhhhh(&bytes[i..])
        } else {
            None
        };
        let Some((value, len)) = escape else {
            i += 1;
            continue;
        };
        if literal_from < i {
            flush_high(&mut out, &mut high);
            out.push_str(&s[literal_from..i]);
        }
        i += len;
        literal_from = i;
        match value {
            0xD800..=0xDBFF => {
                flush_high(&mut out, &mut high);
                high = Some(value as u16);
            }
            0xDC00..=0xDFFF => match high.take() {
                Some(h) => {
                    let c = 0x10000 + ((u32::from(h) - 0xD800) << 10) + (value - 0xDC00);
                    out.push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
                }
                None => out.push(char::REPLACEMENT_CHARACTER),
            },
            v => {
                flush_high(&mut out, &mut high);
                out.push(char::from_u32(v).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
        }
    }
    flush_high(&mut out, &mut high);
    out.push_str(&s[literal_from..]);
    out
}

/// `_xHHHH_` or `_xHHHHHHHH_` at the start of `b`: the value and the escape's length.
fn parse_xhhhh(b: &[u8]) -> Option<(u32, usize)> {
    if b.len() < 7 || b[0] != b'_' || !matches!(b[1], b'x' | b'X') {
        return None;
    }
    let hex = |digits: &[u8]| -> Option<u32> {
        digits.iter().try_fold(0u32, |acc, &d| {
            (d as char).to_digit(16).map(|v| (acc << 4) | v)
        })
    };
    if b[6] == b'_' {
        return hex(&b[2..6]).map(|v| (v, 7));
    }
    if b.len() >= 11 && b[10] == b'_' {
        return hex(&b[2..10]).filter(|&v| v <= 0x10FFFF).map(|v| (v, 11));
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Interpretation: decoded objects → MsolRecord.

/// The members the reports read, in lower case (names match case-insensitively).
const USER_MEMBERS: &[&str] = &[
    "userprincipalname",
    "displayname",
    "objectid",
    "blockcredential",
    "usertype",
    "islicensed",
    "strongauthenticationmethods",
    "strongauthenticationrequirements",
    "mfa status",
    "mfa methods",
];
/// The members read from a method or requirement object.
const ITEM_MEMBERS: &[&str] = &["methodtype", "isdefault", "state"];

/// One top-level object, read. PowerShell writes every property of an object (`<Nil>` for
/// null), so a member that is absent was not exported (Select-Object output): unknown, not null.
struct Shape {
    record: MsolRecord,
    /// No `BlockCredential` member: sign-in state unknown.
    access_unknown: bool,
    /// Neither `StrongAuthenticationMethods` nor P3's `MFA Methods`: registration unknown.
    methods_unknown: bool,
    /// Neither `StrongAuthenticationRequirements` nor P3's `MFA Status`: per-user state unknown.
    state_unknown: bool,
    /// Both StrongAuthentication* members: a Get-MsolUser object, not a Select-Object of one.
    msonline_object: bool,
}

impl Shape {
    fn into_user(
        mut self,
        provenance: crate::model::Provenance,
    ) -> std::result::Result<User, String> {
        self.record.absent = msonline::Absent {
            block_credential: self.access_unknown,
            methods: self.methods_unknown,
            requirements: self.state_unknown,
            msonline_object: self.msonline_object,
        };
        self.record.into_user(provenance)
    }
}

fn interpret(obj: &ObjVal) -> std::result::Result<Shape, String> {
    let m = |name: &str| member(obj, name);
    let is_p3 = m("MFA Status").is_some() || m("MFA Methods").is_some();
    let is_user = [
        "UserPrincipalName",
        "ObjectId",
        "StrongAuthenticationMethods",
    ]
    .iter()
    .any(|n| m(n).is_some());
    if !is_p3 && !is_user {
        return Err(format!(
            "expected a Get-MsolUser object (with UserPrincipalName), found {}: this CLIXML was not written from Get-MsolUser output",
            obj.type_name.as_deref().map_or(
                "an object without those properties".to_string(),
                |t| format!("a {t}")
            )
        ));
    }
    let mut record = MsolRecord {
        upn: m("UserPrincipalName").and_then(text_of),
        display_name: m("DisplayName").and_then(text_of),
        object_id: m("ObjectId").and_then(text_of),
        block_credential: m("BlockCredential").and_then(bool_of),
        user_type: m("UserType").and_then(text_of),
        is_licensed: m("IsLicensed").and_then(bool_of),
        absent: Default::default(),
        methods: list_of(
            m("StrongAuthenticationMethods"),
            "StrongAuthenticationMethods",
            method_of,
        )?,
        requirements: list_of(
            m("StrongAuthenticationRequirements"),
            "StrongAuthenticationRequirements",
            |v| Item::Value(member_of(v, "State").and_then(text_of).unwrap_or_default()),
        )?,
    };
    if is_p3 {
        // P3's notes: `MFA Status` is the requirement States or "Disabled"; `MFA Methods` is null,
        // one name, or an array of names (powershell.md §2.3).
        if let Some(status) = m("MFA Status") {
            record.requirements = match list_of(Some(status), "MFA Status", |v| match text_of(v) {
                Some(s) => Item::Value(s),
                None => Item::Null,
            })? {
                MsolList::Items(states)
                    if states.len() == 1
                        && states[0]
                            .as_deref()
                            .is_some_and(|s| s.eq_ignore_ascii_case("Disabled")) =>
                {
                    MsolList::Items(vec![])
                }
                MsolList::Null => MsolList::Items(vec![]),
                other => other,
            };
        }
        if let Some(methods) = m("MFA Methods") {
            record.methods = match list_of(Some(methods), "MFA Methods", |v| match text_of(v) {
                Some(s) if msonline::is_type_name(&s) => Item::Lost(s),
                Some(s) => Item::Value(MsolMethod {
                    method_type: Some(s),
                    is_default: false,
                }),
                None => Item::Null,
            })? {
                MsolList::Null => MsolList::Items(vec![]),
                other => other,
            };
        }
    }
    Ok(Shape {
        record,
        access_unknown: m("BlockCredential").is_none(),
        methods_unknown: m("StrongAuthenticationMethods").is_none() && m("MFA Methods").is_none(),
        state_unknown: m("StrongAuthenticationRequirements").is_none() && m("MFA Status").is_none(),
        msonline_object: m("StrongAuthenticationMethods").is_some()
            && m("StrongAuthenticationRequirements").is_some(),
    })
}

fn method_of(v: &Val) -> Item<MsolMethod> {
    match v {
        Val::Obj(o) if o.items.is_none() => Item::Value(MsolMethod {
            method_type: member(o, "MethodType").and_then(text_of),
            is_default: member(o, "IsDefault").and_then(bool_of).unwrap_or(false),
        }),
        other => match text_of(other) {
            Some(s) => Item::Lost(s),
            None => Item::Lost("an unreadable value".into()),
        },
    }
}

fn member_of<'a>(v: &'a Val, name: &str) -> Option<&'a Val> {
    match v {
        Val::Obj(o) => member(o, name),
        _ => None,
    }
}

/// How one list element read.
enum Item<T> {
    Value(T),
    Null,
    /// A type name (or other text) where an object belonged: the data was lost at export.
    Lost(String),
}

/// A list-valued member: `<Nil>`, an `<Obj>` with `<LST>`, a single object, or (depth-truncated)
/// the list's type name as `<S>`.
fn list_of<T>(
    v: Option<&Val>,
    field: &str,
    item: impl Fn(&Val) -> Item<T>,
) -> std::result::Result<MsolList<T>, String> {
    let unresolved = |id: u64| {
        format!(
            "{field} refers to an object written earlier (<Ref RefId=\"{id}\">) that mfaudit did not keep; export without sharing objects between users, or report this file"
        )
    };
    let Some(v) = v else {
        return Ok(MsolList::Null);
    };
    match v {
        Val::Nil | Val::Skipped => Ok(MsolList::Null),
        Val::Ref(id) => Err(unresolved(*id)),
        Val::Obj(o) if o.items.is_some() => {
            let mut out = Vec::new();
            for it in o.items.iter().flatten() {
                match it {
                    Val::Nil => out.push(None),
                    Val::Ref(id) => return Err(unresolved(*id)),
                    Val::Prim(s) if msonline::is_type_name(s) => {
                        return Ok(MsolList::Lost(s.clone()));
                    }
                    other => match item(other) {
                        Item::Value(t) => out.push(Some(t)),
                        Item::Null => out.push(None),
                        Item::Lost(s) => return Ok(MsolList::Lost(s)),
                    },
                }
            }
            Ok(MsolList::Items(out))
        }
        Val::Prim(s) if msonline::is_type_name(s) => Ok(MsolList::Lost(s.clone())),
        other => match item(other) {
            Item::Value(t) => Ok(MsolList::Items(vec![Some(t)])),
            Item::Null => Ok(MsolList::Items(vec![None])),
            Item::Lost(s) => Ok(MsolList::Lost(s)),
        },
    }
}

fn member<'a>(o: &'a ObjVal, name: &str) -> Option<&'a Val> {
    o.members
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// A scalar's text: a primitive, an extended primitive's value, an enum's `<ToString>` name.
fn text_of(v: &Val) -> Option<String> {
    match v {
        Val::Prim(s) => Some(s.clone()),
        Val::Obj(o) if o.items.is_none() => o
            .to_string
            .clone()
            .or_else(|| o.value.as_ref().and_then(text_of)),
        _ => None,
    }
}

fn bool_of(v: &Val) -> Option<bool> {
    let s = text_of(v)?;
    match s.trim() {
        t if t.eq_ignore_ascii_case("true") || t == "1" => Some(true),
        t if t.eq_ignore_ascii_case("false") || t == "0" => Some(false),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Decoded values.

/// One CLIXML value as far as it was kept.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Nil,
    /// Any primitive's text (`S`, `B`, `G`, `I32`, ...), `_xHHHH_` decoded.
    Prim(String),
    Obj(Box<ObjVal>),
    /// A `<Ref>` whose object was not kept.
    Ref(u64),
    /// Parsed and dropped (not wanted).
    Skipped,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct ObjVal {
    /// The most specific type name (`<TN>`'s first `<T>`).
    type_name: Option<String>,
    to_string: Option<String>,
    /// An enum's underlying value or an extended primitive's value.
    value: Option<Val>,
    /// The container's items (`LST`, `IE`, `STK`, `QUE`).
    items: Option<Vec<Val>>,
    /// Wanted `Props` and `MS` members, names decoded.
    members: Vec<(String, Val)>,
}

impl Val {
    fn nodes(&self) -> usize {
        match self {
            Val::Obj(o) => {
                1 + o.value.as_ref().map_or(0, Val::nodes)
                    + o.items.iter().flatten().map(Val::nodes).sum::<usize>()
                    + o.members.iter().map(|(_, v)| v.nodes()).sum::<usize>()
            }
            _ => 1,
        }
    }
}

/// What the caller will do with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    /// A top-level user: keep the members in [`USER_MEMBERS`].
    User,
    /// A wanted member's value: keep lists, enum names and [`ITEM_MEMBERS`].
    Value,
    /// Check and drop.
    Skip,
}

// ---------------------------------------------------------------------------------------------
// Tokens.

/// Element names of the grammar (powershell.md §7.2). Any other name is read as a primitive.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tag {
    Objs,
    Obj,
    Ref,
    Nil,
    Tn,
    TnRef,
    T,
    ToString,
    Props,
    Ms,
    /// `LST`, `IE`, `STK`, `QUE`.
    List(&'static str),
    Dct,
    En,
    Prim(&'static str),
    Other(String),
}

/// Primitive element names (powershell.md §7.2 table), kept static to avoid an allocation each.
const PRIMITIVES: &[&str] = &[
    "S", "C", "B", "DT", "TS", "By", "SB", "U16", "I16", "U32", "I32", "U64", "I64", "Sg", "Db",
    "D", "G", "URI", "BA", "Version", "XD", "SBK", "SS", "PR",
];

impl Tag {
    fn from_name(name: &str) -> Tag {
        match name {
            "Objs" => Tag::Objs,
            "Obj" => Tag::Obj,
            "Ref" => Tag::Ref,
            "Nil" => Tag::Nil,
            "TN" => Tag::Tn,
            "TNRef" => Tag::TnRef,
            "T" => Tag::T,
            "ToString" => Tag::ToString,
            "Props" => Tag::Props,
            "MS" => Tag::Ms,
            "LST" => Tag::List("LST"),
            "IE" => Tag::List("IE"),
            "STK" => Tag::List("STK"),
            "QUE" => Tag::List("QUE"),
            "DCT" => Tag::Dct,
            "En" => Tag::En,
            other => match PRIMITIVES.iter().find(|p| **p == other) {
                Some(p) => Tag::Prim(p),
                None => Tag::Other(other.to_string()),
            },
        }
    }

    fn name(&self) -> &str {
        match self {
            Tag::Objs => "Objs",
            Tag::Obj => "Obj",
            Tag::Ref => "Ref",
            Tag::Nil => "Nil",
            Tag::Tn => "TN",
            Tag::TnRef => "TNRef",
            Tag::T => "T",
            Tag::ToString => "ToString",
            Tag::Props => "Props",
            Tag::Ms => "MS",
            Tag::List(n) | Tag::Prim(n) => n,
            Tag::Dct => "DCT",
            Tag::En => "En",
            Tag::Other(n) => n,
        }
    }
}

/// A start tag (or an empty element).
#[derive(Debug)]
struct Open {
    tag: Tag,
    /// The `N` attribute, XML entities resolved, `_xHHHH_` not yet decoded; `None` also when the
    /// name cannot be one the reader keeps ([`may_be_wanted`]).
    n: Option<String>,
    ref_id: Option<u64>,
    /// `<X ... />`: no content and no end tag follow.
    empty: bool,
    /// Line and column of the `<`.
    at: (u64, u64),
}

#[derive(Debug)]
enum Tok {
    Open(Open),
    /// The end tag of the innermost open element (quick-xml checks that the names match).
    Close,
    /// A run of text (entities resolved) in `Parser::text`.
    Text,
    Eof,
}

/// A `BufRead` that remembers the bytes of the XML token being read, so an error can name its line
/// and column, and refuses to let one token grow past [`MAX_EVENT_BYTES`].
struct Tracked<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    filled: usize,
    consumed: u64,
    /// Bytes consumed since `event_start`.
    event: Vec<u8>,
    event_start: u64,
    /// Line and column of `event_start`.
    line: u64,
    col: u64,
    over_limit: bool,
}

impl<R: Read> Tracked<R> {
    fn new(inner: R) -> Self {
        Tracked {
            inner,
            buf: vec![0; READ_CHUNK].into_boxed_slice(),
            pos: 0,
            filled: 0,
            consumed: 0,
            event: Vec::new(),
            event_start: 0,
            line: 1,
            col: 1,
            over_limit: false,
        }
    }

    /// Starts a new token at the current position.
    fn mark(&mut self) {
        (self.line, self.col) = advance((self.line, self.col), &self.event);
        self.event.clear();
        self.event_start = self.consumed;
    }

    /// Line and column of a byte offset inside the current token (or of the token's start).
    fn line_col(&self, offset: u64) -> (u64, u64) {
        let within = offset.saturating_sub(self.event_start) as usize;
        advance(
            (self.line, self.col),
            &self.event[..within.min(self.event.len())],
        )
    }
}

/// Moves a 1-based line/column (columns count characters) over `bytes`.
fn advance((line, col): (u64, u64), bytes: &[u8]) -> (u64, u64) {
    let chars = |b: &[u8]| b.iter().filter(|&&c| c & 0xC0 != 0x80).count() as u64;
    match bytes.iter().rposition(|&b| b == b'\n') {
        Some(last) => {
            let newlines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
            (line + newlines, 1 + chars(&bytes[last + 1..]))
        }
        None => (line, col + chars(bytes)),
    }
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let b = self.fill_buf()?;
            let n = b.len().min(out.len());
            out[..n].copy_from_slice(&b[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Tracked<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.filled {
            if self.consumed - self.event_start > MAX_EVENT_BYTES {
                self.over_limit = true;
                return Err(io::Error::other("XML token too large"));
            }
            self.filled = loop {
                match self.inner.read(&mut self.buf) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    other => break other?,
                }
            };
            self.pos = 0;
        }
        Ok(&self.buf[self.pos..self.filled])
    }

    fn consume(&mut self, n: usize) {
        let n = n.min(self.filled - self.pos);
        self.event
            .extend_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        self.consumed += n as u64;
    }
}

// ---------------------------------------------------------------------------------------------
// The parser.

struct Parser<R> {
    reader: Reader<Tracked<R>>,
    path: PathBuf,
    buf: Vec<u8>,
    /// The text of the last `Tok::Text`, and where it started.
    text: String,
    text_at: (u64, u64),
    /// A token read while finishing a text run.
    peeked: Option<Tok>,
    depth: usize,
    /// `<TN RefId>` → the most specific type name.
    type_lists: HashMap<u64, String>,
    /// `RefId` → small wanted objects, for `<Ref>`.
    refs: BTreeMap<u64, Val>,
}

impl<R: Read> Parser<R> {
    fn new(inner: R, path: PathBuf) -> Self {
        let mut reader = Reader::from_reader(Tracked::new(inner));
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
        Parser {
            reader,
            path,
            buf: Vec::with_capacity(4096),
            text: String::new(),
            text_at: (1, 1),
            peeked: None,
            depth: 0,
            type_lists: HashMap::new(),
            refs: BTreeMap::new(),
        }
    }

    fn error_at(&self, (line, col): (u64, u64), msg: impl Into<String>) -> Error {
        Error::input(&self.path, Position::LineCol(line, col), msg)
    }

    fn truncated(&self, element: &str, opened: (u64, u64)) -> Error {
        let (line, col) = self.reader.get_ref().line_col(u64::MAX);
        Error::input(
            &self.path,
            Position::LineCol(line, col),
            format!(
                "malformed CLIXML: expected </{element}> (opened at {}:{}), found the end of the file: the file is truncated; export it again",
                opened.0, opened.1
            ),
        )
    }

    fn xml_error(&self, e: quick_xml::Error) -> Error {
        let tracked = self.reader.get_ref();
        if tracked.over_limit {
            return self.error_at(
                tracked.line_col(u64::MAX),
                format!(
                    "malformed CLIXML: expected an element or text shorter than {} MiB; this is not an Export-Clixml file",
                    MAX_EVENT_BYTES >> 20
                ),
            );
        }
        if let quick_xml::Error::Io(io) = &e {
            return Error::io(&self.path, io::Error::new(io.kind(), io.to_string()));
        }
        let at = tracked.line_col(self.reader.error_position());
        self.error_at(
            at,
            format!("malformed CLIXML: {e}; the file is damaged or truncated, export it again"),
        )
    }

    /// The next token; text runs split by entity references come back as one `Tok::Text`.
    fn next(&mut self) -> Result<Tok> {
        if let Some(t) = self.peeked.take() {
            return Ok(t);
        }
        let mut in_text = false;
        loop {
            self.reader.get_mut().mark();
            let at = {
                let t = self.reader.get_ref();
                (t.line, t.col)
            };
            self.buf.clear();
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(e) => e,
                Err(e) => return Err(self.xml_error(e)),
            };
            // Text, CDATA and entity references make one text run until something else comes.
            if !in_text
                && matches!(
                    event,
                    Event::Text(_) | Event::CData(_) | Event::GeneralRef(_)
                )
            {
                self.text.clear();
                self.text_at = at;
                in_text = true;
            }
            let tok = match event {
                Event::Text(t) => {
                    self.text.push_str(&t.xml10_content());
                    Tok::Text
                }
                Event::CData(t) => {
                    self.text.push_str(&t.xml10_content());
                    Tok::Text
                }
                Event::GeneralRef(r) => {
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c),
                        Ok(None) => match &*r {
                            "lt" => Some('<'),
                            "gt" => Some('>'),
                            "amp" => Some('&'),
                            "apos" => Some('\''),
                            "quot" => Some('"'),
                            _ => None,
                        },
                        Err(_) => None,
                    };
                    match resolved {
                        Some(c) => self.text.push(c),
                        None => {
                            let msg = format!(
                                "malformed CLIXML: expected one of the predefined XML entities or a character reference, found &{};",
                                &*r
                            );
                            return Err(self.error_at(at, msg));
                        }
                    }
                    Tok::Text
                }
                Event::Start(s) => match open(&s, false, at) {
                    Ok(o) => Tok::Open(o),
                    Err(m) => return Err(self.error_at(at, m)),
                },
                Event::Empty(s) => match open(&s, true, at) {
                    Ok(o) => Tok::Open(o),
                    Err(m) => return Err(self.error_at(at, m)),
                },
                Event::End(_) => Tok::Close,
                Event::DocType(_) => {
                    return Err(self.error_at(
                        at,
                        "DTD is not allowed in CLIXML: Export-Clixml never writes <!DOCTYPE>, and mfaudit does not expand entities; this file was not written by PowerShell",
                    ));
                }
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) => continue,
                Event::Eof => Tok::Eof,
            };
            if let Tok::Text = tok {
                if self.text.len() > MAX_TEXT_BYTES {
                    return Err(self.error_at(
                        at,
                        format!(
                            "malformed CLIXML: expected element text shorter than {} MiB; this is not an Export-Clixml file of users",
                            MAX_TEXT_BYTES >> 20
                        ),
                    ));
                }
                continue;
            }
            match &tok {
                Tok::Open(o) if !o.empty => {
                    self.depth += 1;
                    if self.depth > MAX_DEPTH {
                        return Err(self.error_at(
                            at,
                            format!(
                                "malformed CLIXML: elements nested more than {MAX_DEPTH} deep (Export-Clixml stops at 50); this file was not written by PowerShell"
                            ),
                        ));
                    }
                }
                Tok::Close => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
            if in_text {
                self.peeked = Some(tok);
                return Ok(Tok::Text);
            }
            return Ok(tok);
        }
    }

    /// Text where only elements belong must be whitespace.
    fn expect_blank(&self, expected: &str) -> Result<()> {
        if self
            .text
            .chars()
            .all(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
        {
            return Ok(());
        }
        let shown: String = self.text.trim().chars().take(40).collect();
        Err(self.error_at(
            self.text_at,
            format!("malformed CLIXML: expected {expected}, found the text '{shown}'"),
        ))
    }

    fn expect_root(&mut self) -> Result<Open> {
        loop {
            match self.next()? {
                Tok::Text => self.expect_blank("the root element <Objs>")?,
                Tok::Open(o) if o.tag == Tag::Objs => return Ok(o),
                Tok::Open(o) => {
                    return Err(self.error_at(
                        o.at,
                        format!(
                            "malformed CLIXML: expected the root element <Objs>, found <{}>",
                            o.tag.name()
                        ),
                    ));
                }
                Tok::Close | Tok::Eof => {
                    let at = self.reader.get_ref().line_col(u64::MAX);
                    return Err(self.error_at(
                        at,
                        "malformed CLIXML: expected the root element <Objs>, found the end of the file: the file is truncated; export it again",
                    ));
                }
            }
        }
    }

    fn expect_end(&mut self) -> Result<()> {
        loop {
            match self.next()? {
                Tok::Text => self.expect_blank("the end of the file after </Objs>")?,
                Tok::Eof => return Ok(()),
                Tok::Open(o) => {
                    return Err(self.error_at(
                        o.at,
                        format!(
                            "malformed CLIXML: expected the end of the file after </Objs>, found <{}>",
                            o.tag.name()
                        ),
                    ));
                }
                Tok::Close => {
                    let at = self.reader.get_ref().line_col(0);
                    return Err(self.error_at(
                        at,
                        "malformed CLIXML: expected the end of the file after </Objs>",
                    ));
                }
            }
        }
    }

    /// Reads an element's text content (empty for `<X />`); `_xHHHH_` is not decoded here.
    fn read_text(&mut self, o: &Open) -> Result<String> {
        self.text_content(o, true)
    }

    /// An element's text, copied only when `keep` (skipped values cost no allocation).
    fn text_content(&mut self, o: &Open, keep: bool) -> Result<String> {
        let mut out = String::new();
        if o.empty {
            return Ok(out);
        }
        loop {
            match self.next()? {
                Tok::Text if keep => out.push_str(&self.text),
                Tok::Text => {}
                Tok::Close => return Ok(out),
                Tok::Eof => return Err(self.truncated(o.tag.name(), o.at)),
                Tok::Open(c) => {
                    return Err(self.error_at(
                        c.at,
                        format!(
                            "malformed CLIXML: expected the text of <{}>, found <{}>",
                            o.tag.name(),
                            c.tag.name()
                        ),
                    ));
                }
            }
        }
    }

    /// Reads past an element, remembering the type lists inside it.
    fn skip(&mut self, o: Open) -> Result<()> {
        if o.empty {
            return Ok(());
        }
        let mut open_at = vec![(o.tag, o.at)];
        while let Some((tag, at)) = open_at.last() {
            match self.next()? {
                Tok::Text => {}
                Tok::Close => {
                    open_at.pop();
                }
                Tok::Eof => return Err(self.truncated(tag.name(), *at)),
                Tok::Open(c) if c.tag == Tag::Tn => self.parse_type_list(c).map(|_| ())?,
                Tok::Open(c) if !c.empty => open_at.push((c.tag, c.at)),
                Tok::Open(_) => {}
            }
        }
        Ok(())
    }

    /// A value element: a primitive, `<Nil>`, `<Ref>` or `<Obj>`.
    fn parse_item(&mut self, o: Open, want: Want) -> Result<Val> {
        match o.tag {
            Tag::Obj => self.parse_obj(o, want),
            Tag::Nil => {
                self.skip(o)?;
                Ok(Val::Nil)
            }
            Tag::Ref => {
                let id = o.ref_id;
                self.skip(o)?;
                Ok(match (want, id) {
                    (Want::Skip, _) => Val::Skipped,
                    (_, Some(id)) => self.refs.get(&id).cloned().unwrap_or(Val::Ref(id)),
                    (_, None) => Val::Nil,
                })
            }
            Tag::Prim(_) | Tag::Other(_) => {
                let text = self.text_content(&o, want != Want::Skip)?;
                Ok(match want {
                    Want::Skip => Val::Skipped,
                    _ => Val::Prim(unescape_xhhhh(&text)),
                })
            }
            other => Err(self.error_at(
                o.at,
                format!(
                    "malformed CLIXML: expected a value (<S>, <B>, <Obj>, <Nil>, <Ref>...), found <{}>",
                    other.name()
                ),
            )),
        }
    }

    /// `<TN>`: returns the most specific type name and remembers it for `<TNRef>`.
    fn parse_type_list(&mut self, o: Open) -> Result<Option<String>> {
        let mut first = None;
        if !o.empty {
            loop {
                match self.next()? {
                    Tok::Text => self.expect_blank("<T> inside <TN>")?,
                    Tok::Close => break,
                    Tok::Eof => return Err(self.truncated("TN", o.at)),
                    Tok::Open(t) if t.tag == Tag::T => {
                        let name = self.read_text(&t)?;
                        if first.is_none() {
                            first = Some(unescape_xhhhh(&name));
                        }
                    }
                    Tok::Open(c) => {
                        return Err(self.error_at(
                            c.at,
                            format!(
                                "malformed CLIXML: expected <T> inside <TN>, found <{}>",
                                c.tag.name()
                            ),
                        ));
                    }
                }
            }
        }
        if let (Some(id), Some(name)) = (o.ref_id, &first)
            && self.type_lists.len() < MAX_TYPE_LISTS
        {
            self.type_lists.insert(id, name.clone());
        }
        Ok(first)
    }

    fn parse_obj(&mut self, o: Open, want: Want) -> Result<Val> {
        let mut obj = ObjVal::default();
        let keep = want != Want::Skip;
        if !o.empty {
            loop {
                let c = match self.next()? {
                    Tok::Text => {
                        self.expect_blank("an element inside <Obj>")?;
                        continue;
                    }
                    Tok::Close => break,
                    Tok::Eof => return Err(self.truncated("Obj", o.at)),
                    Tok::Open(c) => c,
                };
                match c.tag {
                    Tag::Tn => {
                        let name = self.parse_type_list(c)?;
                        if keep {
                            obj.type_name = name;
                        }
                    }
                    Tag::TnRef => {
                        if keep {
                            obj.type_name =
                                c.ref_id.and_then(|id| self.type_lists.get(&id).cloned());
                        }
                        self.skip(c)?;
                    }
                    Tag::ToString => {
                        let text = self.read_text(&c)?;
                        if keep {
                            obj.to_string = Some(unescape_xhhhh(&text));
                        }
                    }
                    Tag::List(_) => {
                        let items = self.parse_list(c, want)?;
                        if keep {
                            obj.items = Some(items);
                        }
                    }
                    Tag::Props | Tag::Ms => self.parse_members(c, want, &mut obj)?,
                    Tag::Dct => self.skip(c)?,
                    Tag::Obj | Tag::Ref | Tag::Nil | Tag::Prim(_) | Tag::Other(_) => {
                        let v = self.parse_item(c, if keep { Want::Value } else { Want::Skip })?;
                        if keep {
                            obj.value = Some(v);
                        }
                    }
                    Tag::Objs | Tag::T | Tag::En => {
                        return Err(self.error_at(
                            c.at,
                            format!(
                                "malformed CLIXML: expected <TN>, <ToString>, a value, a container, <Props> or <MS> inside <Obj>, found <{}>",
                                c.tag.name()
                            ),
                        ));
                    }
                }
            }
        }
        if !keep {
            return Ok(Val::Skipped);
        }
        let val = Val::Obj(Box::new(obj));
        if want == Want::Value
            && let Some(id) = o.ref_id
            && val.nodes() <= MAX_CACHED_NODES
        {
            self.refs.insert(id, val.clone());
            if self.refs.len() > MAX_CACHED_REFS {
                self.refs.pop_first();
            }
        }
        Ok(val)
    }

    fn parse_list(&mut self, o: Open, want: Want) -> Result<Vec<Val>> {
        let mut items = Vec::new();
        if o.empty {
            return Ok(items);
        }
        let item_want = if want == Want::Skip {
            Want::Skip
        } else {
            Want::Value
        };
        loop {
            match self.next()? {
                Tok::Text => self.expect_blank("an item inside <LST>")?,
                Tok::Close => return Ok(items),
                Tok::Eof => return Err(self.truncated(o.tag.name(), o.at)),
                Tok::Open(c) => {
                    let at = c.at;
                    let v = self.parse_item(c, item_want)?;
                    if item_want != Want::Skip {
                        if items.len() >= MAX_LIST_ITEMS {
                            return Err(self.error_at(
                                at,
                                format!(
                                    "malformed CLIXML: expected at most {MAX_LIST_ITEMS} items in a method or requirement list"
                                ),
                            ));
                        }
                        items.push(v);
                    }
                }
            }
        }
    }

    /// `<Props>` or `<MS>`: named values; keeps the ones `want` asks for.
    fn parse_members(&mut self, o: Open, want: Want, obj: &mut ObjVal) -> Result<()> {
        if o.empty {
            return Ok(());
        }
        let wanted_names = match want {
            Want::User => USER_MEMBERS,
            Want::Value => ITEM_MEMBERS,
            Want::Skip => &[],
        };
        loop {
            let c = match self.next()? {
                Tok::Text => {
                    self.expect_blank("a named value inside <Props>/<MS>")?;
                    continue;
                }
                Tok::Close => return Ok(()),
                Tok::Eof => return Err(self.truncated(o.tag.name(), o.at)),
                Tok::Open(c) => c,
            };
            if c.tag == Tag::Ms {
                // A member set (`<MS N="...">`): nothing the reports read.
                self.skip(c)?;
                continue;
            }
            let name = c.n.as_deref().map(|raw| {
                if raw.contains('_') {
                    unescape_xhhhh(raw)
                } else {
                    raw.to_string()
                }
            });
            let name = name.filter(|n| wanted_names.iter().any(|w| n.eq_ignore_ascii_case(w)));
            match name {
                Some(name) => {
                    let v = self.parse_item(c, Want::Value)?;
                    obj.members.push((name, v));
                }
                None => {
                    self.parse_item(c, Want::Skip)?;
                }
            }
        }
    }
}

/// True when a raw `N` value could name a member the reader keeps; the others are not copied.
fn may_be_wanted(raw: &str) -> bool {
    raw.contains(['&', '_'])
        || USER_MEMBERS
            .iter()
            .chain(ITEM_MEMBERS)
            .any(|w| raw.eq_ignore_ascii_case(w))
}

/// Reads a start tag's name and the attributes the grammar uses.
fn open(s: &BytesStart, empty: bool, at: (u64, u64)) -> std::result::Result<Open, String> {
    let tag = Tag::from_name(s.local_name().as_ref());
    let mut n = None;
    let mut ref_id = None;
    for attr in s.attributes() {
        let attr = attr.map_err(|e| format!("malformed CLIXML: {e}"))?;
        match attr.key.local_name().as_ref() {
            "N" if may_be_wanted(&attr.value) => {
                let v = attr
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map_err(|e| format!("malformed CLIXML: attribute N: {e}"))?;
                n = Some(v.into_owned());
            }
            "RefId" => {
                ref_id = Some(attr.value.trim().parse::<u64>().map_err(|_| {
                    format!(
                        "malformed CLIXML: expected a number in RefId, found '{}'",
                        attr.value
                    )
                })?);
            }
            _ => {}
        }
    }
    Ok(Open {
        tag,
        n,
        ref_id,
        empty,
        at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Kind;
    use crate::model::{Access, PerUserState};
    use crate::report::classic;
    use proptest::prelude::*;

    const HEAD: &str =
        r#"<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">"#;

    fn read_str(xml: &str) -> Result<(Vec<User>, ReadStats)> {
        crate::input::users_from_text("users.xml", xml, Some(Kind::MsolClixml), Kind::MsolClixml)
    }

    fn err(xml: &str) -> String {
        match read_str(xml) {
            Ok((users, _)) => panic!("expected an error, read {} users", users.len()),
            Err(e) => e.to_string(),
        }
    }

    fn doc(objs: &str) -> String {
        format!("{HEAD}\n{objs}\n</Objs>")
    }

    /// One live-shaped user (depth 2): Props, an enum, the two lists.
    fn user(refid: u32, upn: &str, block: &str, methods: &str, reqs: &str) -> String {
        format!(
            r#"  <Obj RefId="{refid}">
    <TN RefId="0"><T>Microsoft.Online.Administration.User</T><T>System.Object</T></TN>
    <ToString>Microsoft.Online.Administration.User</ToString>
    <Props>
      <B N="BlockCredential">{block}</B>
      <S N="DisplayName">Name_x0020_of {upn}</S>
      <G N="ObjectId">0b838a0a-f67c-448b-8731-ee3ddb18a605</G>
      {methods}
      {reqs}
      <Obj N="UserType" RefId="9{refid}">
        <TN RefId="6"><T>Microsoft.Online.Administration.UserType</T><T>System.Enum</T><T>System.ValueType</T><T>System.Object</T></TN>
        <ToString>Member</ToString><I32>0</I32>
      </Obj>
      <S N="UserPrincipalName">{upn}</S>
      <DT N="WhenCreated">2023-09-16T10:24:35Z</DT>
      <Nil N="SoftDeletionTimestamp" />
    </Props>
  </Obj>"#
        )
    }

    fn methods_xml(refid: u32, items: &[(&str, bool)]) -> String {
        let items: String = items
            .iter()
            .enumerate()
            .map(|(i, (m, d))| {
                format!(
                    r#"<Obj RefId="{refid}{i}"><TN RefId="4"><T>Microsoft.Online.Administration.StrongAuthenticationMethod</T><T>System.Object</T></TN>
                <ToString>Microsoft.Online.Administration.StrongAuthenticationMethod</ToString>
                <Props><S N="ExtensionData">System.Runtime.Serialization.ExtensionDataObject</S><B N="IsDefault">{d}</B><S N="MethodType">{m}</S></Props></Obj>"#
                )
            })
            .collect();
        format!(
            r#"<Obj N="StrongAuthenticationMethods" RefId="{refid}"><TN RefId="3"><T>System.Collections.Generic.List`1[[Microsoft.Online.Administration.StrongAuthenticationMethod, Microsoft.Online.Administration, Version=1.1.166.0, Culture=neutral, PublicKeyToken=null]]</T><T>System.Object</T></TN><LST>{items}</LST></Obj>"#
        )
    }

    fn reqs_xml(refid: u32, state: Option<&str>) -> String {
        let items = state.map_or(String::new(), |s| {
            format!(
                r#"<Obj RefId="{refid}0"><Props><S N="RelyingParty">*</S><DT N="RememberDevicesNotIssuedBefore">2019-11-19T12:00:00Z</DT><S N="State">{s}</S></Props></Obj>"#
            )
        });
        format!(
            r#"<Obj N="StrongAuthenticationRequirements" RefId="{refid}"><TN RefId="5"><T>System.Collections.Generic.List`1[[Microsoft.Online.Administration.StrongAuthenticationRequirement]]</T><T>System.Object</T></TN><LST>{items}</LST></Obj>"#
        )
    }

    #[test]
    fn unescape_vectors_of_powershell_md() {
        let cases = [
            ("a_x000D__x000A_b", "a\r\nb"),
            ("col1_x0009_col2", "col1\tcol2"),
            ("x_x005F_x0041_", "x_x0041_"),
            ("a_b", "a_b"),
            ("_xD83D__xDE00_", "😀"),
            ("_x007F_, _x0085_", "\u{7f}, \u{85}"),
            ("zoë", "zoë"),
            ("", ""),
            // .NET XmlConvert.DecodeName also takes X, lower-case hex and the 8-digit form.
            ("_X0041__x00e9_", "Aé"),
            ("_x0001F600_", "😀"),
            // Not escapes: left as written.
            (
                "_x12_ _x12345_ _xZZZZ_ _x0041",
                "_x12_ _x12345_ _xZZZZ_ _x0041",
            ),
            // Unpaired surrogate halves.
            ("_xD83D_a", "\u{FFFD}a"),
            ("a_xDE00_", "a\u{FFFD}"),
            ("_xD83D__xD83D__xDE00_", "\u{FFFD}😀"),
        ];
        for (escaped, plain) in cases {
            assert_eq!(unescape_xhhhh(escaped), plain, "{escaped}");
        }
    }

    /// powershell.md §7.3 step 1, done the way PowerShell does it: per UTF-16 code unit.
    fn escape_like_powershell(s: &str) -> String {
        let units: Vec<u16> = s.encode_utf16().collect();
        let mut out = String::new();
        for (i, &u) in units.iter().enumerate() {
            let next_is_x = matches!(units.get(i + 1), Some(&n) if n == u16::from(b'x') || n == u16::from(b'X'));
            if u <= 0x1F
                || (0x7F..=0x9F).contains(&u)
                || (0xD800..=0xDFFF).contains(&u)
                || (u == u16::from(b'_') && next_is_x)
            {
                out.push_str(&format!("_x{u:04X}_"));
            } else {
                out.push(char::from_u32(u32::from(u)).unwrap());
            }
        }
        out
    }

    fn tricky_string() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                Just('_'),
                Just('x'),
                Just('X'),
                Just('0'),
                Just('D'),
                Just('\r'),
                Just('\u{85}'),
                Just('😀'),
                any::<char>(),
            ],
            0..40,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #[test]
        fn unescape_inverts_powershell_escaping(s in tricky_string()) {
            let escaped = escape_like_powershell(&s);
            prop_assert!(!escaped.chars().any(|c| c.is_control()));
            prop_assert_eq!(unescape_xhhhh(&escaped), s);
        }

        #[test]
        fn unescape_never_panics(s in any::<String>()) {
            let _ = unescape_xhhhh(&s);
        }
    }

    #[test]
    fn reads_a_live_user() {
        let xml = doc(&user(
            0,
            "ada@contoso.com",
            "false",
            &methods_xml(1, &[("PhoneAppOTP", false), ("PhoneAppNotification", true)]),
            &reqs_xml(2, Some("Enforced")),
        ));
        let (users, stats) = read_str(&xml).unwrap();
        assert_eq!(stats.records, 1);
        assert!(stats.warnings.is_empty(), "{:?}", stats.warnings);
        let u = &users[0];
        assert_eq!(u.upn.as_deref(), Some("ada@contoso.com"));
        assert_eq!(u.display_name.as_deref(), Some("Name of ada@contoso.com"));
        assert_eq!(
            u.object_id.as_deref(),
            Some("0b838a0a-f67c-448b-8731-ee3ddb18a605")
        );
        assert_eq!(u.access, Access::Allowed);
        assert_eq!(u.user_type, crate::model::UserType::Member);
        assert_eq!(u.per_user_state, PerUserState::Enforced);
        assert_eq!(
            u.methods.as_ref().unwrap().names().collect::<Vec<_>>(),
            ["PhoneAppOTP", "PhoneAppNotification"]
        );
        assert_eq!(u.default_method.as_deref(), Some("PhoneAppNotification"));
        assert_eq!(u.sources[0].record, 0);
    }

    #[test]
    fn nil_lists_and_blocked_and_names_in_any_case() {
        let xml = doc(&format!(
            r#"{}
  <Obj RefId="5"><MS><S N="userprincipalname">f@x</S><Nil N="BLOCKCREDENTIAL" /><Nil N="StrongAuthenticationMethods" /><Nil N="StrongAuthenticationRequirements" /></MS></Obj>"#,
            user(0, "e@x", "true", &methods_xml(1, &[]), &reqs_xml(2, None))
        ));
        let (users, _) = read_str(&xml).unwrap();
        assert_eq!(users[0].access, Access::Blocked);
        assert_eq!(users[0].methods.as_ref().unwrap().entries.len(), 0);
        assert!(users[0].methods.as_ref().unwrap().present);
        assert_eq!(users[0].per_user_state, PerUserState::Disabled);
        assert_eq!(users[1].upn.as_deref(), Some("f@x"));
        assert_eq!(users[1].access, Access::NullInExport);
        assert!(!users[1].methods.as_ref().unwrap().present);
        assert_eq!(users[1].sources[0].record, 1);
    }

    #[test]
    fn depth_truncated_lists_are_lost_data_errors() {
        let xml = doc(&user(
            0,
            "a@x",
            "false",
            r#"<S N="StrongAuthenticationMethods">System.Collections.Generic.List`1[Microsoft.Online.Administration.StrongAuthenticationMethod]</S>"#,
            "",
        ));
        let e = err(&xml);
        assert!(e.starts_with("users.xml:2:3: StrongAuthenticationMethods holds the type name 'System.Collections.Generic.List`1[Microsoft.Online.Administration.StrongAuthenticationMethod]'"), "{e}");
        assert!(e.contains("-Depth 4"), "{e}");
        // Items written as their type name (the list one level deeper than -Depth).
        let xml = doc(&user(
            0,
            "a@x",
            "false",
            r#"<Obj N="StrongAuthenticationMethods" RefId="1"><TN RefId="3"><T>System.Collections.Generic.List`1[[X]]</T></TN><LST><S>Microsoft.Online.Administration.StrongAuthenticationMethod</S></LST></Obj>"#,
            "",
        ));
        assert!(err(&xml).contains(
            "holds the type name 'Microsoft.Online.Administration.StrongAuthenticationMethod'"
        ));
    }

    #[test]
    fn the_p3_select_object_vector() {
        // powershell.md §7.6, P3 output for alice, bob and carol.
        let xml = r#"<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">
  <Obj RefId="0">
    <TN RefId="0">
      <T>Selected.Microsoft.Online.Administration.User</T>
      <T>System.Management.Automation.PSCustomObject</T>
      <T>System.Object</T>
    </TN>
    <MS>
      <S N="UserPrincipalName">alice@contoso.com</S>
      <S N="MFA Status">Disabled</S>
      <Nil N="MFA Methods" />
    </MS>
  </Obj>
  <Obj RefId="1">
    <TNRef RefId="0" />
    <MS>
      <S N="UserPrincipalName">bob@contoso.com</S>
      <S N="MFA Status">Enforced</S>
      <Obj N="MFA Methods" RefId="2">
        <TN RefId="1">
          <T>System.Object[]</T>
          <T>System.Array</T>
          <T>System.Object</T>
        </TN>
        <LST>
          <S>PhoneAppOTP</S>
          <S>PhoneAppNotification</S>
        </LST>
      </Obj>
    </MS>
  </Obj>
  <Obj RefId="3">
    <TNRef RefId="0" />
    <MS>
      <S N="UserPrincipalName">carol@contoso.com</S>
      <S N="MFA Status">Enabled</S>
      <S N="MFA Methods">OneWaySMS</S>
    </MS>
  </Obj>
</Objs>"#;
        let (users, stats) = read_str(xml).unwrap();
        let rows: Vec<(String, Option<String>)> = users
            .iter()
            .map(|u| (classic::mfa_status(u), classic::mfa_methods(u)))
            .collect();
        assert_eq!(
            rows,
            [
                ("Disabled".to_string(), None),
                (
                    "Enforced".to_string(),
                    Some("PhoneAppOTP PhoneAppNotification".to_string())
                ),
                ("Enabled".to_string(), Some("OneWaySMS".to_string())),
            ]
        );
        assert!(users.iter().all(|u| u.access == Access::Unknown));
        assert_eq!(stats.records, 3);
    }

    #[test]
    fn the_p1_vector_reads_as_upn_only() {
        let xml = "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">\r\n  <Obj RefId=\"0\">\r\n    <TN RefId=\"0\">\r\n      <T>Selected.Microsoft.Online.Administration.User</T>\r\n      <T>System.Management.Automation.PSCustomObject</T>\r\n      <T>System.Object</T>\r\n    </TN>\r\n    <MS>\r\n      <S N=\"UserPrincipalName\">bob@contoso.com</S>\r\n    </MS>\r\n  </Obj>\r\n  <Obj RefId=\"1\">\r\n    <TNRef RefId=\"0\" />\r\n    <MS>\r\n      <S N=\"UserPrincipalName\">carol@contoso.com</S>\r\n    </MS>\r\n  </Obj>\r\n</Objs>";
        let (users, stats) = read_str(xml).unwrap();
        assert_eq!(users.len(), 2);
        assert_eq!(users[1].upn.as_deref(), Some("carol@contoso.com"));
        assert!(users[1].methods.is_none());
        assert_eq!(
            classic::verdict(&users[1]),
            classic::Verdict::RegistrationUnknown
        );
        assert_eq!(stats.warnings.len(), 1);
        assert!(
            stats.warnings[0]
                .starts_with("2 object(s) have no StrongAuthenticationMethods property")
        );
    }

    #[test]
    fn absent_members_are_unknown_not_null() {
        // A custom Select-Object with the requirement list but not the methods.
        let xml = doc(&format!(
            r#"<Obj RefId="0"><TN RefId="0"><T>Selected.Microsoft.Online.Administration.User</T></TN><MS><S N="UserPrincipalName">a@x</S><B N="BlockCredential">false</B>{}</MS></Obj>"#,
            reqs_xml(1, Some("Enforced"))
        ));
        let (users, stats) = read_str(&xml).unwrap();
        let u = &users[0];
        assert!(u.methods.is_none());
        assert!(u.requirements.is_none());
        assert_eq!(u.per_user_state, PerUserState::Enforced);
        assert_eq!(u.access, Access::Allowed);
        assert_eq!(classic::verdict(u), classic::Verdict::RegistrationUnknown);
        assert_eq!(classic::mfa_status(u), "Enforced");
        assert_eq!(stats.warnings.len(), 1);
        // The methods without the requirements: registration known, state unknown.
        let xml = doc(&format!(
            r#"<Obj RefId="0"><MS><S N="UserPrincipalName">a@x</S>{}</MS></Obj>"#,
            methods_xml(1, &[("PhoneAppOTP", true)])
        ));
        let (users, stats) = read_str(&xml).unwrap();
        let u = &users[0];
        assert_eq!(u.per_user_state, PerUserState::Unknown);
        assert_eq!(u.access, Access::Unknown);
        assert_eq!(classic::verdict(u), classic::Verdict::Registered);
        assert_eq!(classic::mfa_status(u), "Unknown");
        assert!(stats.warnings.is_empty());
    }

    #[test]
    fn refs_to_kept_lists_resolve_and_others_do_not() {
        // bob's requirement list is the same instance as alice's (RefId 2).
        let bob_methods = methods_xml(11, &[("OneWaySMS", true)]);
        let xml = doc(&format!(
            "{}\n{}",
            user(
                0,
                "alice@x",
                "false",
                &methods_xml(1, &[]),
                &reqs_xml(2, Some("Enabled"))
            ),
            user(
                10,
                "bob@x",
                "false",
                &bob_methods,
                r#"<Ref N="StrongAuthenticationRequirements" RefId="2" />"#
            )
        ));
        let (users, _) = read_str(&xml).unwrap();
        assert_eq!(users[1].per_user_state, PerUserState::Enabled);
        // A reference to a user-level object is not kept: an error where it decides the report.
        let xml = doc(&format!(
            "{}\n{}",
            user(0, "alice@x", "false", &methods_xml(1, &[]), ""),
            user(
                10,
                "bob@x",
                "false",
                r#"<Ref N="StrongAuthenticationMethods" RefId="0" />"#,
                ""
            )
        ));
        let e = err(&xml);
        assert!(e.contains("StrongAuthenticationMethods refers to an object written earlier (<Ref RefId=\"0\">)"), "{e}");
    }

    #[test]
    fn a_top_level_ref_is_the_same_user_again() {
        let xml = doc(&format!(
            "{}\n  <Ref RefId=\"0\" />",
            user(0, "alice@x", "false", &methods_xml(1, &[]), "")
        ));
        let (users, stats) = read_str(&xml).unwrap();
        assert_eq!(users.len(), 1);
        assert_eq!(stats.records, 1);
        assert!(stats.warnings[0].starts_with("1 top-level <Ref>"));
    }

    #[test]
    fn entities_and_char_refs_in_text_and_names() {
        let xml = doc(
            r#"<Obj RefId="0"><MS><S N="&#x55;serPrincipalName">o&apos;neil&amp;co&lt;&gt;&quot;&#233;@x</S><S N="Display&#78;ame">a&#x1F600;b_x000A_</S></MS></Obj>"#,
        );
        let (users, _) = read_str(&xml).unwrap();
        assert_eq!(users[0].upn.as_deref(), Some("o'neil&co<>\"é@x"));
        assert_eq!(users[0].display_name.as_deref(), Some("a😀b\n"));
        let e = err(&doc(
            r#"<Obj RefId="0"><MS><S N="UserPrincipalName">&xxe;</S></MS></Obj>"#,
        ));
        assert_eq!(
            e,
            "users.xml:2:45: malformed CLIXML: expected one of the predefined XML entities or a character reference, found &xxe;"
        );
    }

    #[test]
    fn dtd_is_refused() {
        let xml = format!(
            "<!DOCTYPE Objs [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n{}",
            doc(r#"<Obj RefId="0"><MS><S N="UserPrincipalName">&xxe;</S></MS></Obj>"#)
        );
        let e = err(&xml);
        assert!(
            e.starts_with("users.xml:1:1: DTD is not allowed in CLIXML"),
            "{e}"
        );
    }

    #[test]
    fn truncated_and_malformed_files_name_the_place() {
        let full = doc(&user(0, "a@x", "false", &methods_xml(1, &[]), ""));
        // Cut inside a tag, between elements, and just before </Objs>.
        let cut = &full[..full.find("<S N=\"UserPrincipalName\"").unwrap() + 5];
        let e = err(cut);
        assert!(e.starts_with("users.xml:"), "{e}");
        assert!(e.contains("malformed CLIXML"), "{e}");
        let cut = &full[..full.rfind("</Obj>").unwrap()];
        let e = err(cut);
        assert!(e.contains("malformed CLIXML: expected </Obj> (opened at 2:3), found the end of the file: the file is truncated"), "{e}");
        let cut = &full[..full.rfind("</Objs>").unwrap()];
        assert!(err(cut).contains("expected </Objs> (opened at 1:1)"));
        let e = err(&doc(
            r#"<Obj RefId="0"><MS><S N="UserPrincipalName">a</B></MS></Obj>"#,
        ));
        assert!(e.starts_with("users.xml:2:"), "{e}");
        assert!(e.contains("malformed CLIXML"), "{e}");
        assert!(e.contains("</S>"), "{e}");
        let e = err(&doc(r#"<Obj RefId="0">text<MS /></Obj>"#));
        assert_eq!(
            e,
            "users.xml:2:16: malformed CLIXML: expected an element inside <Obj>, found the text 'text'"
        );
        let e = err("<Users><User/></Users>");
        assert_eq!(
            e,
            "users.xml:1:1: malformed CLIXML: expected the root element <Objs>, found <Users>"
        );
        let e = err(&format!("{}<Objs/>", doc("")));
        assert!(
            e.contains("expected the end of the file after </Objs>"),
            "{e}"
        );
        let e = err(&doc(r#"<Obj RefId="x" />"#));
        assert!(e.contains("expected a number in RefId, found 'x'"), "{e}");
    }

    #[test]
    fn every_truncation_and_damage_is_an_error_not_a_panic() {
        let full = doc(&user(
            0,
            "ada@x",
            "false",
            &methods_xml(1, &[("PhoneAppOTP", true)]),
            &reqs_xml(2, Some("Enabled")),
        ));
        let end = full.len() - "</Objs>".len();
        for cut in (1..end).filter(|&i| full.is_char_boundary(i)) {
            let text = &full[..cut];
            if text.trim().is_empty() {
                continue;
            }
            let e = err(text);
            assert!(e.starts_with("users.xml:"), "{cut}: {e}");
        }
        for (i, c) in full.char_indices().step_by(3) {
            for bad in ["<", "\"", "&", "/", ">"] {
                let damaged = format!("{}{bad}{}", &full[..i], &full[i + c.len_utf8()..]);
                // Either reads (the damage was harmless) or reports a position: never panics.
                if let Err(e) = read_str(&damaged) {
                    assert!(e.to_string().starts_with("users.xml:"), "{e}");
                }
            }
        }
    }

    #[test]
    fn limits_are_errors() {
        let deep = format!(
            "{}{}",
            "<Obj RefId=\"0\">".repeat(MAX_DEPTH),
            "</Obj>".repeat(MAX_DEPTH)
        );
        let e = err(&doc(&deep));
        assert!(
            e.contains(&format!("nested more than {MAX_DEPTH} deep")),
            "{e}"
        );
        let long = "a".repeat(MAX_EVENT_BYTES as usize + 200_000);
        let e = err(&doc(&format!(
            r#"<Obj RefId="0"><MS><S N="UserPrincipalName">{long}</S></MS></Obj>"#
        )));
        assert!(e.contains("shorter than 1 MiB"), "{e}");
        // Many short runs joined by entities: the element text limit.
        let long = "abcdefgh&amp;".repeat(MAX_TEXT_BYTES / 9 + 10);
        let e = err(&doc(&format!(
            r#"<Obj RefId="0"><MS><S N="UserPrincipalName">{long}</S></MS></Obj>"#
        )));
        assert!(e.contains("element text shorter than 1 MiB"), "{e}");
    }

    #[test]
    fn other_objects_and_values_are_not_users() {
        let e = err(&doc(
            r#"<Obj RefId="0"><TN RefId="0"><T>System.Diagnostics.Process</T></TN><Props><S N="Name">pwsh</S></Props></Obj>"#,
        ));
        assert_eq!(
            e,
            "users.xml:2:1: expected a Get-MsolUser object (with UserPrincipalName), found a System.Diagnostics.Process: this CLIXML was not written from Get-MsolUser output"
        );
        let e = err(&doc("<S>hello</S>"));
        assert!(
            e.contains("expected a user <Obj> under <Objs>, found <S>"),
            "{e}"
        );
    }

    #[test]
    fn empty_objs_and_other_edges() {
        let (users, stats) = read_str(&format!("{HEAD}</Objs>")).unwrap();
        assert!(users.is_empty());
        assert_eq!(stats.records, 0);
        let (users, _) =
            read_str(r#"<?xml version="1.0"?><!-- c --><Objs Version="1.1.0.1" />"#).unwrap();
        assert!(users.is_empty());
        // Unknown members, dictionaries, member sets and extended primitives are read past.
        let xml = doc(
            r#"<Obj RefId="0"><Props><Obj N="Extra" RefId="1"><TN RefId="0"><T>System.Collections.Hashtable</T></TN><DCT><En><S N="Key">a</S><I32 N="Value">1</I32></En></DCT></Obj>
<Obj N="UserPrincipalName" RefId="2"><TN RefId="1"><T>System.String</T></TN><ToString>x@y</ToString><S>x@y</S><MS><S N="Note">n</S></MS></Obj>
<B N="IsLicensed">true</B></Props><MS><MS N="PSStandardMembers"><S N="x">y</S></MS></MS></Obj>"#,
        );
        let (users, _) = read_str(&xml).unwrap();
        assert_eq!(users[0].upn.as_deref(), Some("x@y"));
        assert_eq!(users[0].is_licensed, Some(true));
    }
}
