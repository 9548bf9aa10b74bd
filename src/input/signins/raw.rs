//! The sign-in record as serde sees it: only the fields the audit needs, strings borrowed from the
//! input when they hold no escapes, every other member skipped with `IgnoredAny`. Hand-written map
//! visitors, because Microsoft's JSON repeats keys (the Graph docs' `uniqueTokenIdentifier`,
//! `homeTenantId`) and derived structs reject duplicates; here the last value wins.
//!
//! One record type serves Graph sign-ins (camelCase), PowerShell SDK objects (PascalCase: names
//! match case-insensitively when they start upper case) and the Azure Monitor envelope, whose
//! sign-in is under `properties`. Nested objects also accept JSON text (Log Analytics writes
//! `Status`, `AuthenticationDetails`, `MfaDetail` as strings), so the CSV reader parses its cells
//! with the same types.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// Member names that are matched case-insensitively only when they start upper case (camelCase
/// exact matches stay on the fast path).
trait KeySet: Sized {
    fn from_name(s: &str) -> Self;
}

macro_rules! key_set {
    ($name:ident { $($variant:ident = $text:literal),* $(,)? }
     $(also { $($also:ident if $test:path),* $(,)? })?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum $name { $($variant,)* $($($also,)*)? Other }
        impl KeySet for $name {
            fn from_name(s: &str) -> Self {
                // Names another module's table decides.
                $($(if $test(s) { return $name::$also; })*)?
                match s {
                    $($text => $name::$variant,)*
                    _ if s.as_bytes().first().is_some_and(u8::is_ascii_uppercase) => {
                        $(if s.eq_ignore_ascii_case($text) { return $name::$variant; })*
                        $name::Other
                    }
                    _ => $name::Other,
                }
            }
        }
    };
}

key_set!(RecordKey {
    Id = "id",
    Created = "createdDateTime",
    Upn = "userPrincipalName",
    UserId = "userId",
    Status = "status",
    AuthRequirement = "authenticationRequirement",
    MfaDetail = "mfaDetail",
    Steps = "authenticationDetails",
    Properties = "properties",
    Time = "time",
    ResultType = "resultType",
    Category = "category",
    ResultDescription = "resultDescription",
    OriginalRequestId = "originalRequestId",
    ServicePrincipalId = "servicePrincipalId",
    EventTypes = "signInEventTypes",
    IsInteractive = "isInteractive",
    ClientApp = "clientAppUsed",
    AppName = "appDisplayName",
    AppId = "appId",
    CaStatus = "conditionalAccessStatus",
    Policies = "appliedConditionalAccessPolicies",
    Requirements = "authenticationRequirementPolicies",
} also {
    // A page of records, when the member is an array: matched as the framing matches it.
    Page if crate::input::json_stream::is_page_member,
});

key_set!(StatusKey {
    ErrorCode = "errorCode",
    FailureReason = "failureReason",
    AdditionalDetails = "additionalDetails",
});

key_set!(MfaKey {
    AuthMethod = "authMethod",
    AuthDetail = "authDetail",
});

key_set!(PolicyKey {
    Id = "id",
    Name = "displayName",
    Result = "result",
    Grants = "enforcedGrantControls",
});

key_set!(RequirementKey {
    Provider = "requirementProvider",
});

key_set!(StepKey {
    Method = "authenticationMethod",
    Succeeded = "succeeded",
    ResultDetail = "authenticationStepResultDetail",
    Requirement = "authenticationStepRequirement",
});

/// A member name, identified without allocating.
struct Key<K>(K);

impl<'de, K: KeySet> Deserialize<'de> for Key<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<K>(PhantomData<K>);
        impl<K: KeySet> Visitor<'_> for V<K> {
            type Value = Key<K>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<K>, E> {
                Ok(Key(K::from_name(s)))
            }
            fn visit_bytes<E: de::Error>(self, b: &[u8]) -> Result<Key<K>, E> {
                Ok(Key(K::from_name(&String::from_utf8_lossy(b))))
            }
        }
        d.deserialize_identifier(V(PhantomData))
    }
}

/// A scalar as text: borrowed when the input allows, numbers and booleans written out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text<'a>(pub Cow<'a, str>);

impl Text<'_> {
    pub fn into_static(self) -> Text<'static> {
        Text(Cow::Owned(self.0.into_owned()))
    }
}

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(s)))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(n.to_string())))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(n.to_string())))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(n.to_string())))
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(if b { "true" } else { "false" })))
            }
        }
        d.deserialize_any(V)
    }
}

/// An error code: a JSON number, or a number written as a string (Azure Monitor `resultType`).
/// Anything else (`null`, `""`, words) reads as no code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Code(pub Option<i64>);

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Code;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an error code")
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Code, E> {
                Ok(Code(Some(n)))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Code, E> {
                Ok(Code(i64::try_from(n).ok()))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Code, E> {
                Ok(Code(
                    (n.fract() == 0.0 && n.abs() < 9e15).then_some(n as i64),
                ))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Code, E> {
                Ok(Code(parse_code(s)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Code, E> {
                Ok(Code(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Code, E> {
                Ok(Code(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Code, D::Error> {
                Code::deserialize(d)
            }
        }
        d.deserialize_any(V)
    }
}

/// An error code written as text; `None` unless it is an integer.
pub fn parse_code(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

/// A boolean: JSON `true`/`false`, or the words CSVs and PowerShell use (`True`, `TRUE`, `1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flag(pub Option<bool>);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Flag;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("true or false")
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Flag, E> {
                Ok(Flag(Some(b)))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Flag, E> {
                Ok(Flag(Some(n != 0)))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Flag, E> {
                Ok(Flag(Some(n != 0)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Flag, E> {
                Ok(Flag(crate::input::csv_util::parse_bool(s)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Flag, E> {
                Ok(Flag(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// `status`: `{errorCode, failureReason, additionalDetails}`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawStatus<'a> {
    pub error_code: Option<i64>,
    pub failure_reason: Option<Text<'a>>,
    pub additional_details: Option<Text<'a>>,
}

/// `mfaDetail`: `{authMethod, authDetail}` (often `{}`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawMfa<'a> {
    pub auth_method: Option<Text<'a>>,
    pub auth_detail: Option<Text<'a>>,
}

/// One `authenticationDetails[]` item.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawStep<'a> {
    pub method: Option<Text<'a>>,
    pub succeeded: Option<bool>,
    pub result_detail: Option<Text<'a>>,
    pub requirement: Option<Text<'a>>,
}

/// `authenticationDetails`: an array (or JSON text of one, or null).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawSteps<'a>(pub Vec<RawStep<'a>>);

/// One `appliedConditionalAccessPolicies[]` item.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawPolicy<'a> {
    pub id: Option<Text<'a>>,
    pub name: Option<Text<'a>>,
    pub result: Option<Text<'a>>,
    /// Its `enforcedGrantControls` demand a second factor.
    pub demands_mfa: bool,
}

/// `appliedConditionalAccessPolicies`: an array (or JSON text of one, or null).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawPolicies<'a>(pub Vec<RawPolicy<'a>>);

/// `authenticationRequirementPolicies`: the providers that required MFA (or JSON text of them).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawRequirements<'a>(pub Vec<Text<'a>>);

/// One sign-in, or an Azure Monitor record (envelope members plus the sign-in in `properties`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawRecord<'a> {
    pub id: Option<Text<'a>>,
    pub created: Option<Text<'a>>,
    pub upn: Option<Text<'a>>,
    pub user_id: Option<Text<'a>>,
    pub status: Option<RawStatus<'a>>,
    pub authentication_requirement: Option<Text<'a>>,
    pub mfa: Option<RawMfa<'a>>,
    pub steps: Option<RawSteps<'a>>,
    /// Azure Monitor: the sign-in itself.
    pub properties: Option<Box<RawRecord<'a>>>,
    pub time: Option<Text<'a>>,
    pub result_type: Option<i64>,
    pub category: Option<Text<'a>>,
    pub result_description: Option<Text<'a>>,
    /// The request id where `id` is not exported.
    pub original_request_id: Option<Text<'a>>,
    pub service_principal_id: Option<Text<'a>>,
    /// `signInEventTypes` names a workload identity (`servicePrincipal`, `managedIdentity`).
    pub workload_event: bool,
    /// `signInEventTypes` says interactive (`interactiveUser`) or not (`nonInteractiveUser`);
    /// `isInteractive` outranks it.
    pub interactive_event: Option<bool>,
    /// It has a `value`/`records` array: a page of records rather than one (a JSON Lines line the
    /// framing handed over whole).
    pub page: bool,
    pub is_interactive: Option<bool>,
    pub client_app: Option<Text<'a>>,
    pub app: Option<Text<'a>>,
    pub app_id: Option<Text<'a>>,
    pub ca_status: Option<Text<'a>>,
    pub policies: Option<RawPolicies<'a>>,
    pub requirements: Option<RawRequirements<'a>>,
}

/// Serde's "object or JSON text" for the nested members: Log Analytics and some tools write the
/// object as a string holding JSON. Text is parsed into owned values.
macro_rules! object_or_text {
    ($ty:ident, $visitor:ident, $expecting:literal $($method:tt)*) => {
        impl<'de> Deserialize<'de> for $ty<'de> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any($visitor)
            }
        }
        struct $visitor;
        impl<'de> Visitor<'de> for $visitor {
            type Value = $ty<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str($expecting)
            }
            fn visit_unit<E: de::Error>(self) -> Result<$ty<'de>, E> {
                Ok($ty::default())
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<$ty<'de>, E> {
                if not_json(s, $expecting)? {
                    return Ok($ty::default());
                }
                serde_json::from_str::<$ty<'de>>(s).map_err(|e| E::custom(format!("{} in JSON text: {e}", $expecting)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<$ty<'de>, E> {
                if not_json(s, $expecting)? {
                    return Ok($ty::default());
                }
                serde_json::from_str::<$ty<'_>>(s)
                    .map(|v| v.into_static())
                    .map_err(|e| E::custom(format!("{} in JSON text: {e}", $expecting)))
            }
            $($method)*
        }
    };
}

/// For a string where an object was expected: `Ok(true)` when it says "nothing" (blank, `null`),
/// `Ok(false)` when it is JSON text to parse, and an error naming the likely cause otherwise
/// (a .NET type name: PowerShell's `ConvertTo-Json` ran out of depth and the data was lost).
fn not_json<E: de::Error>(s: &str, expecting: &str) -> Result<bool, E> {
    let t = s.trim();
    if t.is_empty() || t == "null" {
        return Ok(true);
    }
    if t.starts_with(['{', '[']) {
        return Ok(false);
    }
    let shown: String = t.chars().take(60).collect();
    Err(E::custom(format!(
        "expected {expecting}, found the text '{shown}': if it is a .NET type name, the data was lost at export (ConvertTo-Json needs -Depth 5 or more)"
    )))
}

object_or_text! {
    RawStatus, StatusVisitor, "a status object"
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawStatus<'de>, A::Error> {
        let mut s = RawStatus::default();
        while let Some(Key(k)) = map.next_key::<Key<StatusKey>>()? {
            match k {
                StatusKey::ErrorCode => s.error_code = map.next_value::<Code>()?.0,
                StatusKey::FailureReason => s.failure_reason = map.next_value()?,
                StatusKey::AdditionalDetails => s.additional_details = map.next_value()?,
                StatusKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(s)
    }
}

object_or_text! {
    RawMfa, MfaVisitor, "an mfaDetail object"
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawMfa<'de>, A::Error> {
        let mut m = RawMfa::default();
        while let Some(Key(k)) = map.next_key::<Key<MfaKey>>()? {
            match k {
                MfaKey::AuthMethod => m.auth_method = map.next_value()?,
                MfaKey::AuthDetail => m.auth_detail = map.next_value()?,
                MfaKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(m)
    }
}

object_or_text! {
    RawSteps, StepsVisitor, "an authenticationDetails array"
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawSteps<'de>, A::Error> {
        let mut steps = Vec::with_capacity(seq.size_hint().unwrap_or(2).min(16));
        while let Some(step) = seq.next_element::<Option<RawStep<'de>>>()? {
            steps.extend(step);
        }
        Ok(RawSteps(steps))
    }
    /// A single step object where an array was expected.
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawSteps<'de>, A::Error> {
        Ok(RawSteps(vec![StepVisitor.visit_map(map)?]))
    }
}

object_or_text! {
    RawPolicies, PoliciesVisitor, "an appliedConditionalAccessPolicies array"
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawPolicies<'de>, A::Error> {
        let mut policies = Vec::with_capacity(seq.size_hint().unwrap_or(4).min(32));
        while let Some(p) = seq.next_element::<Option<RawPolicy<'de>>>()? {
            policies.extend(p);
        }
        Ok(RawPolicies(policies))
    }
}

impl<'de> Deserialize<'de> for RawPolicy<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawPolicy<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an applied policy object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawPolicy<'de>, A::Error> {
                let mut p = RawPolicy::default();
                while let Some(Key(k)) = map.next_key::<Key<PolicyKey>>()? {
                    match k {
                        PolicyKey::Id => p.id = map.next_value()?,
                        PolicyKey::Name => p.name = map.next_value()?,
                        PolicyKey::Result => p.result = map.next_value()?,
                        PolicyKey::Grants => p.demands_mfa = map.next_value::<MfaGrant>()?.0,
                        PolicyKey::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(p)
            }
        }
        d.deserialize_map(V)
    }
}

/// `enforcedGrantControls`: whether any of its values demands a second factor (the strings are
/// not kept).
struct MfaGrant(bool);

impl<'de> Deserialize<'de> for MfaGrant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MfaGrant;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of grant controls")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<MfaGrant, A::Error> {
                let mut mfa = false;
                while let Some(t) = seq.next_element::<Option<Text<'de>>>()? {
                    mfa |= t.is_some_and(|t| crate::vocab::enforcement::demands_mfa(&t.0));
                }
                Ok(MfaGrant(mfa))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<MfaGrant, E> {
                Ok(MfaGrant(crate::vocab::enforcement::demands_mfa(s)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<MfaGrant, E> {
                Ok(MfaGrant(false))
            }
        }
        d.deserialize_any(V)
    }
}

object_or_text! {
    RawRequirements, RequirementsVisitor, "an authenticationRequirementPolicies array"
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawRequirements<'de>, A::Error> {
        let mut providers = Vec::with_capacity(seq.size_hint().unwrap_or(2).min(8));
        while let Some(p) = seq.next_element::<Option<RawRequirement<'de>>>()? {
            providers.extend(p.and_then(|p| p.0));
        }
        Ok(RawRequirements(providers))
    }
}

/// One `authenticationRequirementPolicies[]` item: its provider (the `detail` is not kept).
struct RawRequirement<'a>(Option<Text<'a>>);

impl<'de> Deserialize<'de> for RawRequirement<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawRequirement<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a requirement policy object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawRequirement<'de>, A::Error> {
                let mut provider = None;
                while let Some(Key(k)) = map.next_key::<Key<RequirementKey>>()? {
                    match k {
                        RequirementKey::Provider => provider = map.next_value()?,
                        RequirementKey::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(RawRequirement(provider))
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for RawStep<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(StepVisitor)
    }
}

struct StepVisitor;

impl<'de> Visitor<'de> for StepVisitor {
    type Value = RawStep<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an authentication step object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawStep<'de>, A::Error> {
        let mut s = RawStep::default();
        while let Some(Key(k)) = map.next_key::<Key<StepKey>>()? {
            match k {
                StepKey::Method => s.method = map.next_value()?,
                StepKey::Succeeded => {
                    s.succeeded = map.next_value::<Option<Flag>>()?.and_then(|f| f.0)
                }
                StepKey::ResultDetail => s.result_detail = map.next_value()?,
                StepKey::Requirement => s.requirement = map.next_value()?,
                StepKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(s)
    }
}

impl<'de> Deserialize<'de> for RawRecord<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(RecordVisitor)
    }
}

struct RecordVisitor;

impl<'de> Visitor<'de> for RecordVisitor {
    type Value = RawRecord<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a sign-in object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawRecord<'de>, A::Error> {
        let mut r = RawRecord::default();
        while let Some(Key(k)) = map.next_key::<Key<RecordKey>>()? {
            match k {
                RecordKey::Id => r.id = map.next_value()?,
                RecordKey::Created => r.created = map.next_value()?,
                RecordKey::Upn => r.upn = map.next_value()?,
                RecordKey::UserId => r.user_id = map.next_value()?,
                RecordKey::Status => r.status = map.next_value()?,
                RecordKey::AuthRequirement => r.authentication_requirement = map.next_value()?,
                RecordKey::MfaDetail => r.mfa = map.next_value()?,
                RecordKey::Steps => r.steps = map.next_value()?,
                RecordKey::Properties => {
                    // Only an object is a sign-in; anything else under `properties` is not ours.
                    r.properties = map
                        .next_value::<Option<MaybeRecord<'de>>>()?
                        .and_then(|m| m.0);
                }
                RecordKey::Time => r.time = map.next_value()?,
                RecordKey::ResultType => r.result_type = map.next_value::<Code>()?.0,
                RecordKey::Category => r.category = map.next_value()?,
                RecordKey::ResultDescription => r.result_description = map.next_value()?,
                RecordKey::OriginalRequestId => r.original_request_id = map.next_value()?,
                RecordKey::ServicePrincipalId => r.service_principal_id = map.next_value()?,
                RecordKey::EventTypes => {
                    let events = map.next_value::<EventTypes>()?;
                    r.workload_event |= events.workload;
                    r.interactive_event = r.interactive_event.or(events.interactive);
                }
                RecordKey::Page => {
                    r.page |= map.next_value::<IsArray>()?.0;
                }
                RecordKey::IsInteractive => {
                    r.is_interactive = map.next_value::<Option<Flag>>()?.and_then(|f| f.0)
                }
                RecordKey::ClientApp => r.client_app = map.next_value()?,
                RecordKey::AppName => r.app = map.next_value()?,
                RecordKey::AppId => r.app_id = map.next_value()?,
                RecordKey::CaStatus => r.ca_status = map.next_value()?,
                RecordKey::Policies => r.policies = map.next_value()?,
                RecordKey::Requirements => r.requirements = map.next_value()?,
                RecordKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(r)
    }
}

/// `properties` when it is an object; any other value is skipped.
/// Whether a value is an array (skipped unread either way).
/// `signInEventTypes`: whether any of its values names a workload identity, and whether they say
/// the sign-in was interactive. Read without keeping the strings; anything but an array of
/// strings is no evidence.
#[derive(Default)]
struct EventTypes {
    workload: bool,
    interactive: Option<bool>,
}

impl EventTypes {
    fn see(&mut self, t: &str) {
        self.workload |= crate::vocab::is_workload_event_type(t);
        self.interactive = self
            .interactive
            .or(crate::vocab::workloads::event_type_is_interactive(t));
    }
}

impl<'de> Deserialize<'de> for EventTypes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = EventTypes;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of sign-in event types")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<EventTypes, A::Error> {
                let mut events = EventTypes::default();
                while let Some(t) = seq.next_element::<Option<Text<'de>>>()? {
                    if let Some(t) = t {
                        events.see(&t.0);
                    }
                }
                Ok(events)
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<EventTypes, E> {
                let mut events = EventTypes::default();
                events.see(s);
                Ok(events)
            }
            fn visit_unit<E: de::Error>(self) -> Result<EventTypes, E> {
                Ok(EventTypes::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<EventTypes, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(EventTypes::default())
            }
        }
        d.deserialize_any(V)
    }
}

struct IsArray(bool);

impl<'de> Deserialize<'de> for IsArray {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = IsArray;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<IsArray, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(IsArray(true))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<IsArray, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(IsArray(false))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<IsArray, E> {
                Ok(IsArray(false))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<IsArray, E> {
                Ok(IsArray(false))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<IsArray, E> {
                Ok(IsArray(false))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<IsArray, E> {
                Ok(IsArray(false))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<IsArray, E> {
                Ok(IsArray(false))
            }
            fn visit_unit<E: de::Error>(self) -> Result<IsArray, E> {
                Ok(IsArray(false))
            }
        }
        d.deserialize_any(V)
    }
}

/// Boxed as soon as it is read: a record is hundreds of bytes, copied at every step out.
struct MaybeRecord<'a>(Option<Box<RawRecord<'a>>>);

impl<'de> Deserialize<'de> for MaybeRecord<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeRecord<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("properties")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<MaybeRecord<'de>, A::Error> {
                RecordVisitor
                    .visit_map(map)
                    .map(|r| MaybeRecord(Some(Box::new(r))))
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<MaybeRecord<'de>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MaybeRecord(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<MaybeRecord<'de>, E> {
                Ok(MaybeRecord(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<MaybeRecord<'de>, E> {
                Ok(MaybeRecord(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<MaybeRecord<'de>, E> {
                Ok(MaybeRecord(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<MaybeRecord<'de>, E> {
                Ok(MaybeRecord(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<MaybeRecord<'de>, E> {
                Ok(MaybeRecord(None))
            }
        }
        d.deserialize_any(V)
    }
}

impl RawStatus<'_> {
    fn into_static(self) -> RawStatus<'static> {
        RawStatus {
            error_code: self.error_code,
            failure_reason: self.failure_reason.map(Text::into_static),
            additional_details: self.additional_details.map(Text::into_static),
        }
    }
}

impl RawMfa<'_> {
    fn into_static(self) -> RawMfa<'static> {
        RawMfa {
            auth_method: self.auth_method.map(Text::into_static),
            auth_detail: self.auth_detail.map(Text::into_static),
        }
    }
}

impl RawPolicies<'_> {
    fn into_static(self) -> RawPolicies<'static> {
        RawPolicies(
            self.0
                .into_iter()
                .map(|p| RawPolicy {
                    id: p.id.map(Text::into_static),
                    name: p.name.map(Text::into_static),
                    result: p.result.map(Text::into_static),
                    demands_mfa: p.demands_mfa,
                })
                .collect(),
        )
    }
}

impl RawRequirements<'_> {
    fn into_static(self) -> RawRequirements<'static> {
        RawRequirements(self.0.into_iter().map(Text::into_static).collect())
    }
}

impl RawSteps<'_> {
    fn into_static(self) -> RawSteps<'static> {
        RawSteps(
            self.0
                .into_iter()
                .map(|s| RawStep {
                    method: s.method.map(Text::into_static),
                    succeeded: s.succeeded,
                    result_detail: s.result_detail.map(Text::into_static),
                    requirement: s.requirement.map(Text::into_static),
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Option<Text<'_>> {
        Some(Text(Cow::Borrowed(s)))
    }

    #[test]
    fn duplicate_keys_last_wins_and_strings_borrow() {
        let json = r#"{"id":"a","userPrincipalName":"x@c.com","id":"b","Level":4,"extra":{"deep":[1,{"id":"no"}]}}"#;
        let r: RawRecord = serde_json::from_str(json).unwrap();
        assert_eq!(r.id, t("b"));
        assert!(matches!(r.upn, Some(Text(Cow::Borrowed("x@c.com")))));
    }

    #[test]
    fn pascal_case_members_match() {
        let json = r#"{"Id":"r1","CreatedDateTime":"2024-01-01T00:00:00Z","Status":{"ErrorCode":50074,"AdditionalDetails":"MFA required"},"IsInteractive":"True"}"#;
        let r: RawRecord = serde_json::from_str(json).unwrap();
        assert_eq!(r.id, t("r1"));
        assert_eq!(r.created, t("2024-01-01T00:00:00Z"));
        let s = r.status.unwrap();
        assert_eq!(s.error_code, Some(50074));
        assert_eq!(s.additional_details, t("MFA required"));
    }

    #[test]
    fn codes_flags_and_nulls() {
        let r: RawRecord = serde_json::from_str(
            r#"{"resultType":"50140","status":{"errorCode":"0","failureReason":null},"isInteractive":null,"mfaDetail":{},"authenticationDetails":null,"signInEventTypes":["nonInteractiveUser"]}"#,
        )
        .unwrap();
        assert_eq!(r.result_type, Some(50140));
        assert_eq!(r.status.as_ref().unwrap().error_code, Some(0));
        assert_eq!(r.status.unwrap().failure_reason, None);
        assert_eq!(r.mfa, Some(RawMfa::default()));
        assert_eq!(r.steps, None);
        let r: RawRecord = serde_json::from_str(r#"{"resultType":"Success"}"#).unwrap();
        assert_eq!(r.result_type, None);
    }

    #[test]
    fn nested_json_text_is_parsed() {
        let r: RawRecord = serde_json::from_str(
            r#"{"status":"{\"errorCode\":500121,\"additionalDetails\":\"MFA denied; user declined the authentication\"}","authenticationDetails":"[{\"authenticationMethod\":\"Mobile app notification\",\"succeeded\":false}]","mfaDetail":""}"#,
        )
        .unwrap();
        let s = r.status.unwrap();
        assert_eq!(s.error_code, Some(500121));
        assert_eq!(
            s.additional_details,
            t("MFA denied; user declined the authentication")
        );
        let steps = r.steps.unwrap().0;
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].method, t("Mobile app notification"));
        assert_eq!(steps[0].succeeded, Some(false));
        assert_eq!(r.mfa, Some(RawMfa::default()));
    }

    #[test]
    fn envelope_with_properties() {
        let r: RawRecord = serde_json::from_str(
            r#"{"time":"2022-01-24T05:10:08Z","resultType":"0","Level":"4","properties":{"id":"p","status":{"errorCode":0}}}"#,
        )
        .unwrap();
        assert_eq!(r.properties.unwrap().id, t("p"));
        let r: RawRecord = serde_json::from_str(r#"{"properties":"text"}"#).unwrap();
        assert_eq!(r.properties, None);
    }

    #[test]
    fn wrong_types_are_errors() {
        assert!(serde_json::from_str::<RawRecord>(r#"{"userPrincipalName":{"a":1}}"#).is_err());
        assert!(serde_json::from_str::<RawRecord>(r#"[1,2]"#).is_err());
        assert!(serde_json::from_str::<RawRecord>(r#"{"status":"{not json"}"#).is_err());
        let e = serde_json::from_str::<RawRecord>(
            r#"{"Status":"Microsoft.Graph.PowerShell.Models.MicrosoftGraphSignInStatus"}"#,
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with("expected a status object, found the text 'Microsoft.Graph.PowerShell.Models.MicrosoftGraphSignInStatus': if it is a .NET type name, the data was lost at export (ConvertTo-Json needs -Depth 5 or more)"),
            "{e}"
        );
        let r: RawRecord = serde_json::from_str(r#"{"mfaDetail":"null"}"#).unwrap();
        assert_eq!(r.mfa, Some(RawMfa::default()));
    }
}
