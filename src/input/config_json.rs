//! What the configuration readers (Conditional Access policies, roles, groups) share: each framed
//! JSON record read as a small tree that borrows its strings from the record, and lookups that
//! take the exports as they come — member names in any case (Graph's camelCase, the PowerShell
//! SDK's PascalCase), the SDK's `AdditionalProperties` bag searched like the object itself,
//! annotation members (`state@odata.type`, `@odata.id`) never mistaken for data, duplicate
//! members resolved to the last one, and a value that `ConvertTo-Json` cut at its depth (a .NET
//! type name where an object or a list belongs) refused with the fix.
//!
//! These exports are small (hundreds of policies, tens of thousands of groups): a tree per record
//! keeps each reader a plain walk over the fields it needs.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::decode::Decoded;
use super::json_stream::{self, RecordPos};
use super::{Context, ReadStats};
use crate::error::{Error, Position, Result};

/// One JSON value of a record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node<'a> {
    Null,
    Bool(bool),
    Number(f64),
    Text(Cow<'a, str>),
    List(Vec<Node<'a>>),
    Object(Object<'a>),
}

/// A JSON object: its members in file order (names as written).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Object<'a> {
    members: Vec<(Cow<'a, str>, Node<'a>)>,
}

/// The member where the PowerShell SDK puts what its model class does not declare
/// (`@odata.type`, `userPrincipalName` of a directory object).
const BAG: &str = "AdditionalProperties";

impl<'a> Object<'a> {
    /// The member `name` (any case; the last one when repeated), else the one in the
    /// `AdditionalProperties` bag.
    pub fn get(&self, name: &str) -> Option<&Node<'a>> {
        self.own(name).or_else(|| match self.own(BAG) {
            Some(Node::Object(bag)) => bag.own(name),
            _ => None,
        })
    }

    fn own(&self, name: &str) -> Option<&Node<'a>> {
        self.members
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Whether the object has a member `name` (any case, in the bag too), whatever its value.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// A scalar member as text, trimmed; `None` when absent, null, empty, a list or an object.
    pub fn text(&self, name: &str) -> Option<String> {
        match self.get(name)? {
            Node::Text(t) => Some(t.trim()).filter(|t| !t.is_empty()).map(str::to_string),
            Node::Number(n) => Some(n.to_string()),
            Node::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A boolean member: JSON `true`/`false`, or PowerShell's `"True"`/`"False"`.
    pub fn bool(&self, name: &str) -> Option<bool> {
        match self.get(name)? {
            Node::Bool(b) => Some(*b),
            Node::Text(t) => match t.trim() {
                s if s.eq_ignore_ascii_case("true") => Some(true),
                s if s.eq_ignore_ascii_case("false") => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// An object member; `None` when absent or null. `path` names it in the error a cut export
    /// or another value gives.
    pub fn object(&self, name: &str, path: &str) -> Result<Option<&Object<'a>>, Shape> {
        match self.get(name) {
            None | Some(Node::Null) => Ok(None),
            Some(Node::Object(o)) => Ok(Some(o)),
            Some(other) => Err(Shape::new(path, other, "an object")),
        }
    }

    /// A list of strings (`includeUsers`); absent or null is empty. A lone string is a list of
    /// one, unless it is a type name (the list was cut at the export's depth).
    pub fn list(&self, name: &str, path: &str) -> Result<Vec<String>, Shape> {
        let mut out = Vec::new();
        match self.get(name) {
            None | Some(Node::Null) => {}
            Some(Node::List(items)) => {
                for item in items {
                    match item {
                        Node::Text(t) if is_type_name(t) => {
                            return Err(Shape::new(path, item, "a list of names"));
                        }
                        Node::Text(t) => push_trimmed(&mut out, t),
                        Node::Null => {}
                        Node::Number(n) => out.push(n.to_string()),
                        other => return Err(Shape::new(path, other, "a list of names")),
                    }
                }
            }
            Some(node @ Node::Text(t)) => {
                if is_type_name(t) {
                    return Err(Shape::new(path, node, "a list of names"));
                }
                push_trimmed(&mut out, t);
            }
            Some(other) => return Err(Shape::new(path, other, "a list of names")),
        }
        Ok(out)
    }

    /// A flags value (`"high,medium"`, `"deviceCodeFlow,authenticationTransfer"`) or a list of
    /// them, as its words.
    pub fn words(&self, name: &str, path: &str) -> Result<Vec<String>, Shape> {
        Ok(self
            .list(name, path)?
            .iter()
            .flat_map(|w| w.split(','))
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect())
    }

    /// A list of objects (`members`, `value`); absent or null is empty. `None` elements are
    /// passed over; any other element, or a type name for the list, is an error.
    pub fn objects(&self, name: &str, path: &str) -> Result<Vec<&Object<'a>>, Shape> {
        match self.get(name) {
            None | Some(Node::Null) => Ok(Vec::new()),
            Some(Node::List(items)) => items
                .iter()
                .filter(|i| **i != Node::Null)
                .map(|i| match i {
                    Node::Object(o) => Ok(o),
                    other => Err(Shape::new(path, other, "a list of objects")),
                })
                .collect(),
            Some(Node::Object(o)) => Ok(vec![o]),
            Some(other) => Err(Shape::new(path, other, "a list of objects")),
        }
    }

    /// The member names that are data, not annotations (`@odata.*`, `name@odata.type`,
    /// `#microsoft.graph.restore`), the bag's too.
    pub fn data_names(&self) -> impl Iterator<Item = &str> {
        let bag = match self.own(BAG) {
            Some(Node::Object(bag)) => bag.members.as_slice(),
            _ => &[],
        };
        self.members
            .iter()
            .chain(bag)
            .map(|(k, _)| k.as_ref())
            .filter(|k| {
                !k.contains("@odata") && !k.starts_with('#') && !k.eq_ignore_ascii_case(BAG)
            })
    }

    /// `@odata.type` without its `#microsoft.graph.` prefix (`user`, `group`).
    pub fn odata_type(&self) -> Option<String> {
        let t = self.text("@odata.type")?;
        let t = t.trim_start_matches('#');
        let t = t
            .strip_prefix("microsoft.graph.")
            .or_else(|| t.strip_prefix("Microsoft.Graph."))
            .unwrap_or(t);
        Some(t.to_string())
    }
}

fn push_trimmed(out: &mut Vec<String>, t: &str) {
    let t = t.trim();
    if !t.is_empty() {
        out.push(t.to_string());
    }
}

/// A .NET type name written where data belongs: what `ConvertTo-Json` writes for an object past
/// its `-Depth` (`Microsoft.Graph.PowerShell.Models.MicrosoftGraphConditionalAccessUsers`,
/// `System.Object[]`, `System.Collections.Hashtable`, `@{...}` for a PowerShell object).
pub(crate) fn is_type_name(text: &str) -> bool {
    let t = text.trim();
    t.starts_with("Microsoft.Graph.")
        || t.starts_with("System.")
        || t.starts_with("Deserialized.")
        || (t.starts_with("@{") && t.ends_with('}'))
}

/// A value of the wrong shape where a reader needed a member, and where it is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Shape {
    /// The member as Graph names it (`conditions.users`).
    pub path: String,
    /// What the member held, as text (a type name, for a cut export).
    pub found: String,
    /// The type name when the export was cut at its depth.
    pub type_name: bool,
    expected: &'static str,
}

impl Shape {
    fn new(path: &str, found: &Node<'_>, expected: &'static str) -> Shape {
        let (found, type_name) = match found {
            Node::Text(t) => (t.trim().to_string(), is_type_name(t)),
            Node::Null => ("null".into(), false),
            Node::Bool(b) => (b.to_string(), false),
            Node::Number(n) => (n.to_string(), false),
            Node::List(_) => ("a list".into(), false),
            Node::Object(_) => ("an object".into(), false),
        };
        Shape {
            path: path.to_string(),
            found,
            type_name,
            expected,
        }
    }

    /// The position of the offending value in the file: where its text is in the record, else
    /// the record's start.
    pub fn position(&self, record: &[u8], pos: &RecordPos) -> Position {
        let needle = format!("\"{}\"", self.found);
        match memchr::memmem::find(record, needle.as_bytes()) {
            Some(at) if self.type_name => offset_position(record, at, pos),
            _ => Position::LineCol(pos.line, pos.col),
        }
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.type_name {
            write!(
                f,
                "{} holds the type name '{}' instead of its value: ConvertTo-Json cut the export at its depth (2 by default), so the data is not in the file; export again with ConvertTo-Json -Depth 10",
                self.path, self.found
            )
        } else {
            write!(
                f,
                "{} is '{}', expected {}",
                self.path,
                crate::text::quoted(&self.found, 60),
                self.expected
            )
        }
    }
}

/// The file position of byte `at` of a record that starts at `pos`.
pub(crate) fn offset_position(record: &[u8], at: usize, pos: &RecordPos) -> Position {
    let before = &record[..at.min(record.len())];
    match memchr::memrchr(b'\n', before) {
        Some(nl) => Position::LineCol(
            pos.line + memchr::memchr_iter(b'\n', before).count() as u64,
            (at - nl) as u64,
        ),
        None => Position::LineCol(pos.line, pos.col + at as u64),
    }
}

impl<'de> Deserialize<'de> for Node<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Node<'de>, E> {
        Ok(Node::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Node<'de>, E> {
        Ok(Node::Number(n as f64))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Node<'de>, E> {
        Ok(Node::Number(n as f64))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Node<'de>, E> {
        Ok(Node::Number(n))
    }

    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Node<'de>, E> {
        Ok(Node::Text(Cow::Borrowed(s)))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Node<'de>, E> {
        Ok(Node::Text(Cow::Owned(s.to_string())))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Node<'de>, E> {
        Ok(Node::Text(Cow::Owned(s)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let mut members = Vec::new();
        while let Some(Name(key)) = map.next_key()? {
            members.push((key, map.next_value()?));
        }
        Ok(Node::Object(Object { members }))
    }
}

/// A member name, borrowed when it holds no escape.
struct Name<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Node::deserialize(d)? {
            Node::Text(t) => Ok(Name(t)),
            _ => Err(de::Error::custom("a member name")),
        }
    }
}

/// Why a record is not what its reader needs.
pub(crate) enum Problem {
    /// A member of the wrong shape (a cut export, a scalar where an object belongs).
    Shape(Shape),
    /// A member the record must have (`conditions.users`, `principalId`).
    Missing(&'static str),
}

impl From<Shape> for Problem {
    fn from(s: Shape) -> Problem {
        Problem::Shape(s)
    }
}

/// Frames every record of a configuration export and hands each one, as an object, to `each`.
/// A record that is not an object, is not well formed or gives a [`Problem`] is an error naming
/// the file and where: `what` says what a record should be, `about` names the record in the
/// message (`policy 'CA000': `, or nothing). Counts the records, and marks a file whose last page
/// says more follow.
pub(crate) fn for_each_object(
    decoded: Decoded,
    ctx: &Context,
    what: &str,
    about: fn(&Object<'_>) -> String,
    stats: &mut ReadStats,
    mut each: impl FnMut(&Object<'_>) -> std::result::Result<(), Problem>,
) -> Result<()> {
    let path = ctx.path();
    let envelope = json_stream::for_each_record(decoded.reader, path, |bytes, pos| {
        if pos.oversized {
            return Err(pos.too_large(path));
        }
        let node = json_stream::parse(bytes).map_err(|e| pos.error(path, &e, what))?;
        let start = Position::LineCol(pos.line, pos.col);
        let Node::Object(o) = node else {
            return Err(Error::input(path, start, what));
        };
        each(&o).map_err(|problem| match problem {
            Problem::Shape(s) => {
                Error::input(path, s.position(bytes, &pos), format!("{}{s}", about(&o)))
            }
            Problem::Missing(member) => {
                Error::input(path, start, format!("{}{what}: no {member}", about(&o)))
            }
        })?;
        stats.records += 1;
        Ok(())
    })?;
    if envelope.last_page_has_next {
        stats.cut_after_a_page();
    }
    Ok(())
}

/// No name for a record in messages.
pub(crate) fn nameless(_: &Object<'_>) -> String {
    String::new()
}

/// Whether a value says nothing: null, empty text, an empty list, or an object whose data members
/// all say nothing (`"platforms": {"includePlatforms": [], "excludePlatforms": []}`).
pub(crate) fn is_empty(node: &Node<'_>) -> bool {
    match node {
        Node::Null => true,
        Node::Text(t) => t.trim().is_empty(),
        Node::List(items) => items.iter().all(is_empty),
        Node::Object(o) => o.data_names().all(|name| o.get(name).is_none_or(is_empty)),
        Node::Bool(_) | Node::Number(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(text: &str) -> Object<'_> {
        match json_stream::parse(text.as_bytes()).unwrap() {
            Node::Object(o) => o,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn names_in_any_case_the_bag_and_the_last_duplicate() {
        let o = object(
            r##"{"DisplayName":"a","state@odata.type":"#x","State":"enabled","state":"disabled",
                "AdditionalProperties":{"@odata.type":"#microsoft.graph.user","userPrincipalName":"u@x"}}"##,
        );
        assert_eq!(o.text("displayName").as_deref(), Some("a"));
        assert_eq!(o.text("state").as_deref(), Some("disabled"));
        assert_eq!(o.text("userPrincipalName").as_deref(), Some("u@x"));
        assert_eq!(o.odata_type().as_deref(), Some("user"));
        assert_eq!(
            o.data_names().collect::<Vec<_>>(),
            ["DisplayName", "State", "state", "userPrincipalName"]
        );
    }

    #[test]
    fn lists_words_and_cut_values() {
        let o = object(
            r#"{"a":["x"," y ",null,""],"b":"high, medium","c":"System.String[]",
                "d":"Microsoft.Graph.PowerShell.Models.MicrosoftGraphConditionalAccessUsers","e":null}"#,
        );
        assert_eq!(o.list("a", "a").unwrap(), ["x", "y"]);
        assert_eq!(o.words("b", "b").unwrap(), ["high", "medium"]);
        assert!(o.list("c", "c").unwrap_err().type_name);
        assert_eq!(o.list("e", "e").unwrap(), Vec::<String>::new());
        assert_eq!(o.object("e", "e").unwrap(), None);
        let err = o.object("d", "conditions.users").unwrap_err();
        assert!(err.type_name);
        assert!(
            err.to_string().starts_with(
                "conditions.users holds the type name 'Microsoft.Graph.PowerShell.Models.MicrosoftGraphConditionalAccessUsers' instead of its value"
            ),
            "{err}"
        );
        assert!(err.to_string().ends_with("ConvertTo-Json -Depth 10"));
        let err = o.object("b", "x.b").unwrap_err();
        assert!(!err.type_name);
        assert_eq!(err.to_string(), "x.b is 'high, medium', expected an object");
    }

    #[test]
    fn the_position_of_a_cut_value() {
        let text = "{\n  \"users\": \"System.Collections.Hashtable\"\n}";
        let o = object(text);
        let err = o.object("users", "conditions.users").unwrap_err();
        let pos = RecordPos {
            line: 3,
            col: 5,
            index: 0,
            oversized: false,
        };
        assert_eq!(
            err.position(text.as_bytes(), &pos),
            Position::LineCol(4, 12)
        );
        assert_eq!(
            offset_position(text.as_bytes(), 0, &pos),
            Position::LineCol(3, 5)
        );
    }
}
