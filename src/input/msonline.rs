//! MSOnline `Get-MsolUser` exports: the record both the JSON and the CLIXML reader fill
//! ([`MsolRecord`]), its interpretation into a model [`User`], and the `ConvertTo-Json` reader
//! (5.1 and 7; arrays, a bare object, the `{"value":[...],"Count":n}` wrapper, JSON Lines;
//! property names in any case; enums as numbers or names; `\/Date(ms)\/` or ISO dates).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use super::decode::Decoded;
use super::json_stream::{self, RecordPos};
use super::{Context, ReadStats};
use crate::error::{Error, Position, Result};
use crate::model::{
    Access, MethodList, PerUserState, Provenance, RegisteredMethod, Requirements, User, UserType,
};

/// A list-valued MSOnline property as the export held it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum MsolList<T> {
    /// The property was missing or `$null`.
    #[default]
    Null,
    /// A list; `None` items are null elements.
    Items(Vec<Option<T>>),
    /// The export wrote .NET type names where the items should be: the data was lost at export
    /// time (depth too small, or `-UseWindowsPowerShell` remoting). Holds one such name.
    Lost(String),
    /// Neither a list nor a type name (a number, a boolean): not a Get-MsolUser export.
    Invalid(String),
}

/// One `StrongAuthenticationMethod`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MsolMethod {
    pub method_type: Option<String>,
    pub is_default: bool,
}

/// The MSOnline facts of one user, before interpretation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MsolRecord {
    pub upn: Option<String>,
    pub display_name: Option<String>,
    pub object_id: Option<String>,
    /// `None` when `BlockCredential` was missing or null.
    pub block_credential: Option<bool>,
    /// `UserType` as a name (`Member`) or a number (`0`) as text.
    pub user_type: Option<String>,
    pub is_licensed: Option<bool>,
    pub methods: MsolList<MsolMethod>,
    /// `StrongAuthenticationRequirements[].State` values.
    pub requirements: MsolList<String>,
    /// Members the record did not carry at all.
    pub absent: Absent,
}

/// Members a record did not carry at all. PowerShell writes every property of a `Get-MsolUser`
/// object (null as `null` / `<Nil>`), so a missing member means it was not exported (Select-Object
/// output, hand-made files). A missing method or requirement list is unknown (PowerShell's "no
/// methods" rules do not apply to a list nobody exported). A missing `BlockCredential` in a record
/// that carries both MFA lists (a Get-MsolUser object) is read as PowerShell reads a missing
/// property, `$null`: `-eq $False` is false for it, so the user is in neither list, exactly as
/// with an explicit null; in a record without them (a `Select-Object` output read back) nothing
/// is known about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Absent {
    pub block_credential: bool,
    pub methods: bool,
    pub requirements: bool,
    /// The record carried both `StrongAuthenticationMethods` and
    /// `StrongAuthenticationRequirements`: it is a Get-MsolUser object, not a `Select-Object` of one.
    pub msonline_object: bool,
}

impl Absent {
    /// Turns the facts of absent members into unknowns.
    pub fn apply(self, user: &mut User) {
        if self.block_credential {
            user.access = if self.msonline_object {
                Access::NullInExport
            } else {
                Access::Unknown
            };
        }
        // `requirements` marks a record as MSOnline's, whose rules read a missing method list as
        // "none"; without the lists the record falls back to the unknown-aware rules.
        if self.methods || self.requirements {
            user.requirements = None;
        }
        if self.methods {
            user.methods = None;
            user.default_method = None;
        }
        if self.requirements {
            user.per_user_state = PerUserState::Unknown;
        }
        user.msol_gaps = crate::model::MsolGaps {
            methods: self.methods,
            requirements: self.requirements,
        };
    }
}

/// True for a string that is a .NET type name standing in for an object (data lost at export).
pub fn is_type_name(s: &str) -> bool {
    let s = s.trim();
    s.starts_with("Microsoft.Online.Administration.")
        || s.starts_with("System.Collections.Generic.List`1")
        || s.starts_with("Deserialized.Microsoft.Online")
        || s == "System.Object[]"
}

/// The message for an export that lost its method list.
pub fn lost_message(field: &str, example: &str) -> String {
    format!(
        "{field} holds the type name '{example}' instead of the methods: the data was lost when the file was exported (ConvertTo-Json/Export-Clixml depth too small, or MSOnline through -UseWindowsPowerShell); export again with 'ConvertTo-Json -Depth 4' or 'Export-Clixml -Depth 4' from Windows PowerShell 5.1"
    )
}

/// The message for a list property holding something that is neither a list nor a type name.
pub fn invalid_message(field: &str, value: &str) -> String {
    format!("{field} is {value}: expected a list (or null); this is not a Get-MsolUser export")
}

impl MsolRecord {
    /// Interprets the record. Fails when the method list was lost at export time: reading it as
    /// "no methods" would call registered users unregistered.
    pub fn into_user(self, provenance: Provenance) -> std::result::Result<User, String> {
        let methods = match self.methods {
            MsolList::Null => MethodList {
                present: false,
                entries: vec![],
            },
            MsolList::Items(items) => MethodList {
                present: true,
                entries: items
                    .into_iter()
                    .map(|m| {
                        m.map(|m| RegisteredMethod {
                            name: m.method_type.map(crate::vocab::methods::intern),
                            is_default: m.is_default,
                        })
                    })
                    .collect(),
            },
            MsolList::Lost(name) => return Err(lost_message("StrongAuthenticationMethods", &name)),
            MsolList::Invalid(v) => return Err(invalid_message("StrongAuthenticationMethods", &v)),
        };
        let requirements = match self.requirements {
            MsolList::Null => Requirements { states: vec![] },
            MsolList::Items(items) => Requirements { states: items },
            MsolList::Lost(name) => {
                return Err(lost_message("StrongAuthenticationRequirements", &name));
            }
            MsolList::Invalid(v) => {
                return Err(invalid_message("StrongAuthenticationRequirements", &v));
            }
        };
        let per_user_state = requirements
            .states
            .iter()
            .flatten()
            .map(|s| PerUserState::parse(s))
            .find(|s| *s != PerUserState::Unknown)
            .unwrap_or(PerUserState::Disabled);
        let user_type = match self.user_type.as_deref() {
            Some(t) if !t.trim().is_empty() && !t.trim().chars().all(|c| c.is_ascii_digit()) => {
                UserType::parse(t)
            }
            // A number: MSOnline's enum numbering is not verified, so decide from the UPN.
            Some(_) => match &self.upn {
                Some(u) if u.to_ascii_lowercase().contains("#ext#") => UserType::Guest,
                Some(_) => UserType::Member,
                None => UserType::Unknown,
            },
            None => UserType::Unknown,
        };
        let absent = self.absent;
        let mut user = User {
            object_id: self.object_id,
            upn: self.upn,
            display_name: self.display_name,
            access: match self.block_credential {
                Some(false) => Access::Allowed,
                Some(true) => Access::Blocked,
                None => Access::NullInExport,
            },
            user_type,
            requirements: Some(requirements),
            per_user_state,
            default_method: methods
                .entries
                .iter()
                .flatten()
                .find(|m| m.is_default)
                .and_then(|m| m.name.clone()),
            methods: Some(methods),
            mfa_registered: None,
            mfa_capable: None,
            is_admin: None,
            is_licensed: self.is_licensed,
            methods_lost: false,
            msol_gaps: Default::default(),
            sources: vec![provenance],
        };
        absent.apply(&mut user);
        Ok(user)
    }
}

/// Reads `Get-MsolUser | ConvertTo-Json` output.
pub fn read_json(
    decoded: Decoded,
    ctx: &Context,
    on_user: &mut dyn FnMut(User) -> Result<()>,
) -> Result<ReadStats> {
    let path = ctx.path().to_path_buf();
    let mut stats = ReadStats::default();
    json_stream::for_each_record(decoded.reader, &path, |bytes, pos: RecordPos| {
        if pos.oversized {
            return Err(pos.too_large(&path));
        }
        let record: MsolRecord = json_stream::parse(bytes)
            .map_err(|e| pos.error(&path, &e, "expected a Get-MsolUser object"))?;
        let user = record
            .into_user(ctx.provenance(pos.index))
            .map_err(|m| Error::input(&path, Position::LineCol(pos.line, pos.col), m))?;
        stats.records += 1;
        on_user(user)
    })?;
    Ok(stats)
}

impl<'de> de::Deserialize<'de> for MsolRecord {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_map(RecordVisitor)
    }
}

struct RecordVisitor;

impl<'de> Visitor<'de> for RecordVisitor {
    type Value = MsolRecord;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Get-MsolUser object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<MsolRecord, A::Error> {
        let mut r = MsolRecord {
            absent: Absent {
                block_credential: true,
                methods: true,
                requirements: true,
                msonline_object: false,
            },
            ..MsolRecord::default()
        };
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            let k = key.as_ref();
            let is = |name: &str| k.eq_ignore_ascii_case(name);
            if is("UserPrincipalName") {
                r.upn = map.next_value::<Option<String>>()?;
            } else if is("DisplayName") {
                r.display_name = map.next_value::<Option<String>>()?;
            } else if is("ObjectId") {
                r.object_id = map.next_value::<Option<Value>>()?.and_then(scalar_text);
            } else if is("BlockCredential") {
                r.absent.block_credential = false;
                r.block_credential = map
                    .next_value::<Option<Value>>()?
                    .and_then(|v| bool_value(&v));
            } else if is("UserType") {
                r.user_type = map.next_value::<Option<Value>>()?.and_then(scalar_text);
            } else if is("IsLicensed") {
                r.is_licensed = map
                    .next_value::<Option<Value>>()?
                    .and_then(|v| bool_value(&v));
            } else if is("StrongAuthenticationMethods") {
                r.absent.methods = false;
                let v = map.next_value::<Value>()?;
                r.methods = list_of(v, |item| match item {
                    Value::Object(o) => Ok(MsolMethod {
                        method_type: get_ci(&o, "MethodType").and_then(scalar_text),
                        is_default: get_ci(&o, "IsDefault")
                            .and_then(|v| bool_value(&v))
                            .unwrap_or(false),
                    }),
                    other => Err(other),
                });
            } else if is("StrongAuthenticationRequirements") {
                r.absent.requirements = false;
                let v = map.next_value::<Value>()?;
                // One requirement whose State is the number 0 or false: P3's `if (...State)` is
                // false for it, so its MFA Status is Disabled (with several, the array is true and
                // they print joined, 0 and False as written).
                let falsy_single = match &v {
                    Value::Array(items) if items.len() == 1 => match &items[0] {
                        Value::Object(o) => get_ci(o, "State")
                            .is_some_and(|s| s == Value::Bool(false) || s.as_f64() == Some(0.0)),
                        _ => false,
                    },
                    _ => false,
                };
                r.requirements = list_of(v, |item| match item {
                    Value::Object(o) => Ok(get_ci(&o, "State")
                        .and_then(scalar_text)
                        .unwrap_or_default()),
                    other => Err(other),
                });
                // A requirement whose State is null reads as "" here; PowerShell treats both as falsy.
                if falsy_single {
                    r.requirements = MsolList::Items(vec![Some(String::new())]);
                }
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        r.absent.msonline_object = !r.absent.methods && !r.absent.requirements;
        Ok(r)
    }
}

/// Interprets a list property: null, an array (of objects or nulls), 5.1's `{"value":[...],"Count":n}`
/// wrapper, or type-name strings (data lost).
fn list_of<T>(v: Value, item: impl Fn(Value) -> std::result::Result<T, Value>) -> MsolList<T> {
    match v {
        Value::Null => MsolList::Null,
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for it in items {
                match it {
                    Value::Null => out.push(None),
                    other => match item(other) {
                        Ok(t) => out.push(Some(t)),
                        Err(Value::String(s)) => return MsolList::Lost(s),
                        Err(other) => return MsolList::Invalid(format!("a list holding {other}")),
                    },
                }
            }
            MsolList::Items(out)
        }
        Value::Object(o) if get_ci(&o, "value").is_some_and(|v| v.is_array()) => {
            list_of(get_ci(&o, "value").unwrap_or(Value::Null), item)
        }
        Value::Object(o) => match item(Value::Object(o)) {
            Ok(t) => MsolList::Items(vec![Some(t)]),
            Err(other) => MsolList::Invalid(other.to_string()),
        },
        // Depth-truncated: the list became its items' ToString joined by spaces. An empty list
        // became "", which still says "no items".
        Value::String(s) if s.trim().is_empty() => MsolList::Items(vec![]),
        Value::String(s) => MsolList::Lost(s.split(' ').next().unwrap_or_default().to_string()),
        other => MsolList::Invalid(other.to_string()),
    }
}

fn get_ci(o: &serde_json::Map<String, Value>, name: &str) -> Option<Value> {
    o.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

fn scalar_text(v: Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if b { "True" } else { "False" }.into()),
        _ => None,
    }
}

/// JSON true/false, or the strings PowerShell compares equal to them (`"False" -eq $False`).
fn bool_value(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::Number(n) => n.as_i64().map(|n| n != 0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(json: &str) -> MsolRecord {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn reads_51_shape_case_insensitively() {
        let r = rec(
            r#"{"ExtensionData":{},"blockcredential":false,"DisplayName":"Ada","ObjectId":"0b83",
            "StrongAuthenticationMethods":[{"ExtensionData":"System.Runtime.Serialization.ExtensionDataObject","IsDefault":true,"MethodType":"PhoneAppNotification"},{"IsDefault":false,"methodtype":"PhoneAppOTP"}],
            "StrongAuthenticationRequirements":[{"RelyingParty":"*","RememberDevicesNotIssuedBefore":"\/Date(1574164800000)\/","State":"Enforced"}],
            "UserPrincipalName":"ada@contoso.com","UserType":0}"#,
        );
        assert_eq!(r.upn.as_deref(), Some("ada@contoso.com"));
        assert_eq!(r.block_credential, Some(false));
        assert_eq!(r.user_type.as_deref(), Some("0"));
        let u = r.into_user(Provenance { file: 0, record: 0 }).unwrap();
        assert_eq!(u.per_user_state, PerUserState::Enforced);
        assert_eq!(
            u.methods.as_ref().unwrap().names().collect::<Vec<_>>(),
            ["PhoneAppNotification", "PhoneAppOTP"]
        );
        assert_eq!(u.default_method.as_deref(), Some("PhoneAppNotification"));
        assert_eq!(u.user_type, UserType::Member);
    }

    /// A Get-MsolUser object without a BlockCredential key reads as PowerShell reads a missing
    /// property: `$null`, in neither list. A lone requirement whose State is 0 or false is
    /// `Disabled` (`if (0)` is false); with two, they print joined.
    #[test]
    fn missing_block_credential_is_null_and_falsy_states_are_disabled() {
        use crate::report::classic::{Verdict, mfa_status, verdict};
        let user = |json: &str| {
            rec(json)
                .into_user(Provenance { file: 0, record: 0 })
                .unwrap()
        };
        let u = user(
            r#"{"UserPrincipalName":"a@x","StrongAuthenticationMethods":[{"MethodType":"OneWaySMS"}],"StrongAuthenticationRequirements":[]}"#,
        );
        assert_eq!(u.access, Access::NullInExport);
        assert_eq!(verdict(&u), Verdict::NotEnabled);
        for state in ["0", "false", "0.0"] {
            let u = user(&format!(
                r#"{{"UserPrincipalName":"a@x","BlockCredential":false,"StrongAuthenticationMethods":[],"StrongAuthenticationRequirements":[{{"State":{state}}}]}}"#
            ));
            assert_eq!(mfa_status(&u), "Disabled", "{state}");
            assert_eq!(u.per_user_state, PerUserState::Disabled, "{state}");
        }
        // A string "0" is truthy in PowerShell: printed as it is.
        let u = user(
            r#"{"UserPrincipalName":"a@x","BlockCredential":false,"StrongAuthenticationMethods":[],"StrongAuthenticationRequirements":[{"State":"0"}]}"#,
        );
        assert_eq!(mfa_status(&u), "0");
        let u = user(
            r#"{"UserPrincipalName":"a@x","BlockCredential":false,"StrongAuthenticationMethods":[],"StrongAuthenticationRequirements":[{"State":0},{"State":"Enforced"}]}"#,
        );
        assert_eq!(mfa_status(&u), "0 Enforced");
    }

    #[test]
    fn null_and_wrappers() {
        let r = rec(
            r#"{"UserPrincipalName":"f","BlockCredential":null,"StrongAuthenticationMethods":null}"#,
        );
        assert_eq!(r.methods, MsolList::Null);
        let u = r.into_user(Provenance { file: 0, record: 0 }).unwrap();
        assert_eq!(u.access, Access::NullInExport);
        assert!(!u.methods.unwrap().present);
        let r = rec(
            r#"{"StrongAuthenticationMethods":{"value":[{"MethodType":"OneWaySMS"}],"Count":1}}"#,
        );
        assert_eq!(
            r.methods,
            MsolList::Items(vec![Some(MsolMethod {
                method_type: Some("OneWaySMS".into()),
                is_default: false
            })])
        );
    }

    #[test]
    fn lost_data_is_an_error_not_no_methods() {
        let r = rec(
            r#"{"StrongAuthenticationMethods":["Microsoft.Online.Administration.StrongAuthenticationMethod"]}"#,
        );
        let err = r.into_user(Provenance { file: 0, record: 0 }).unwrap_err();
        assert!(err.contains("-Depth 4"), "{err}");
        let r = rec(
            r#"{"StrongAuthenticationMethods":"Microsoft.Online.Administration.StrongAuthenticationMethod Microsoft.Online.Administration.StrongAuthenticationMethod"}"#,
        );
        assert!(matches!(r.methods, MsolList::Lost(_)));
    }
}
