//! The canonical data every reader fills and every report reads. Users live in a [`Directory`]
//! (merged from every directory source); sign-ins are folded into per-user tallies as they stream
//! (`activity`). Facts that a source did not carry stay unknown: never false.

pub mod activity;
pub mod config;
pub mod directory;
pub mod exceptions;
pub mod gaps;
pub mod mfa_server;

pub use activity::{
    AppliedPolicy, Challenge, Counts, Enforcement, Outcome, SignIn, SignInStep, UserActivity,
};
pub use directory::{Conflict, Directory};
pub use gaps::{MethodsGap, methods_gap, state_why};

use serde::Serialize;

/// The export that settles each fact that can be unknown: one table, quoted by every message that
/// reports an unknown (the classic reports' notes, `inspect`, the audit's warnings).
pub mod settled_by {
    /// Whether sign-in is allowed.
    pub const SIGN_IN_STATE: &str = "a users export (Graph /users with accountEnabled, or the admin center 'Download users' CSV)";
    /// Whether the user is registered for MFA, and with which methods.
    pub const REGISTRATION: &str =
        "the registration details export (admin center or Graph userRegistrationDetails)";
    /// The per-user MFA state.
    pub const PER_USER_STATE: &str =
        "a per-user state export (perUserMfaState) or a Get-MsolUser export";
}

/// Whether the account may sign in, and how we know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// `BlockCredential` false, or `accountEnabled` true.
    Allowed,
    /// `BlockCredential` true, or `accountEnabled` false.
    Blocked,
    /// An MSOnline record that carried `BlockCredential` as null: PowerShell's `-eq $False` drops it
    /// from both the registered and the unregistered list, and so do we.
    NullInExport,
    /// No input said: a users export (Graph `/users` or the admin center download) would settle it.
    #[default]
    Unknown,
}

/// Per-user MFA state (the legacy per-user switch, not Conditional Access).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Default, Hash)]
#[serde(rename_all = "snake_case")]
pub enum PerUserState {
    Disabled,
    Enabled,
    Enforced,
    /// No per-user state source covered this user.
    #[default]
    Unknown,
}

impl PerUserState {
    /// Reads `disabled`/`Enabled`/`ENFORCED`... in any case; anything else is unknown.
    pub fn parse(s: &str) -> PerUserState {
        match s.trim().to_ascii_lowercase().as_str() {
            "disabled" => PerUserState::Disabled,
            "enabled" => PerUserState::Enabled,
            "enforced" => PerUserState::Enforced,
            _ => PerUserState::Unknown,
        }
    }

    /// The word the classic `MFA Status` column uses.
    pub fn title(self) -> &'static str {
        match self {
            PerUserState::Disabled => "Disabled",
            PerUserState::Enabled => "Enabled",
            PerUserState::Enforced => "Enforced",
            PerUserState::Unknown => "Unknown",
        }
    }
}

/// Member or guest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum UserType {
    Member,
    Guest,
    /// A value we do not know (`Other`, `Viral`, a number).
    Other(String),
    #[default]
    Unknown,
}

impl UserType {
    /// Reads `Member`/`member`/`Guest`/`guest`; MSOnline enum numbers are not trusted (formats.md §2.3).
    pub fn parse(s: &str) -> UserType {
        match s.trim().to_ascii_lowercase().as_str() {
            "member" => UserType::Member,
            "guest" => UserType::Guest,
            "" => UserType::Unknown,
            _ => UserType::Other(s.trim().to_string()),
        }
    }
}

/// A method name as the source wrote it; known spellings are shared, not copied
/// ([`crate::vocab::methods::intern`]).
pub type MethodName = std::borrow::Cow<'static, str>;

/// One registered method as the source named it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisteredMethod {
    /// The source's own name (`PhoneAppOTP`, `microsoftAuthenticatorPush`...); `None` when the
    /// source had the method with a null name.
    pub name: Option<MethodName>,
    pub is_default: bool,
}

/// The registered-methods list exactly as the source held it, so the classic reports can apply
/// PowerShell's rules (`$null` list vs empty list vs null elements).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct MethodList {
    /// False when the property itself was `$null` (MSOnline).
    pub present: bool,
    /// `None` entries are null list elements.
    pub entries: Vec<Option<RegisteredMethod>>,
}

impl MethodList {
    pub fn from_names<I: IntoIterator<Item = String>>(names: I) -> MethodList {
        MethodList {
            present: true,
            entries: names
                .into_iter()
                .map(|n| {
                    Some(RegisteredMethod {
                        name: Some(crate::vocab::methods::intern(n)),
                        is_default: false,
                    })
                })
                .collect(),
        }
    }

    /// Method names, nulls skipped.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .flatten()
            .filter_map(|m| m.name.as_deref())
    }
}

/// The per-user MFA requirement as MSOnline held it: one entry per `StrongAuthenticationRequirements`
/// element, holding its `State` (which may be null).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Requirements {
    pub states: Vec<Option<String>>,
}

/// The StrongAuthentication* members an MSOnline record lacked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct MsolGaps {
    pub methods: bool,
    pub requirements: bool,
}

/// Which file and record a fact came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// Index into the run's list of inputs.
    pub file: u32,
    /// 0-based record number in that file.
    pub record: u32,
}

/// One user as one source describes it; the directory merges these.
#[derive(Debug, Clone, Default, Serialize)]
pub struct User {
    pub object_id: Option<String>,
    pub upn: Option<String>,
    pub display_name: Option<String>,
    pub access: Access,
    pub user_type: UserType,
    /// MSOnline requirement list; `None` when the source was not MSOnline.
    pub requirements: Option<Requirements>,
    pub per_user_state: PerUserState,
    /// Registered methods; `None` when no registration source covered the user.
    pub methods: Option<MethodList>,
    /// Graph `isMfaRegistered`, when the source had it.
    pub mfa_registered: Option<bool>,
    /// Graph `isMfaCapable`.
    pub mfa_capable: Option<bool>,
    pub is_admin: Option<bool>,
    pub is_licensed: Option<bool>,
    /// The default / preferred MFA method as the source named it.
    pub default_method: Option<MethodName>,
    /// Set when the export lost the method list (type names in place of methods).
    pub methods_lost: bool,
    /// An MSOnline record of this user lacked a StrongAuthentication* member (a `Select-Object`
    /// or hand-cut export): the fix is the same export with those properties, not another one.
    pub msol_gaps: MsolGaps,
    pub sources: Vec<Provenance>,
}

/// Case-insensitive UPN key. Guests' `name_home.tld#EXT#@tenant` stays as written here; the
/// activity join maps the home form onto it (`guest_home_form`).
pub fn normalize_upn(upn: &str) -> String {
    let t = trim(upn);
    // The same result for ASCII, without Unicode case tables.
    if t.is_ascii() {
        t.to_ascii_lowercase()
    } else {
        t.to_lowercase()
    }
}

/// `s` trimmed, keeping its own text (borrowed or owned) when there is nothing to trim: readers trim
/// every value, and most need nothing.
pub fn trim_cow(s: std::borrow::Cow<'_, str>) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    let t = trim(&s);
    if t.len() == s.len() {
        return s;
    }
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(trim(b)),
        Cow::Owned(o) => Cow::Owned(trim(&o).to_owned()),
    }
}

/// `str::trim`, answering at once for the usual value that starts and ends with a printable ASCII
/// byte (the join keys are trimmed once per sign-in and per lookup; `str::trim` decodes chars).
pub fn trim(s: &str) -> &str {
    let printable = |b: Option<&u8>| b.is_some_and(|&b| b > b' ' && b < 0x80);
    if printable(s.as_bytes().first()) && printable(s.as_bytes().last()) {
        s
    } else {
        s.trim()
    }
}

/// `name_home.tld#EXT#@tenant.onmicrosoft.com` → `name@home.tld` (the form sign-in logs use).
/// The last `_` before `#EXT#` separates the user name from the home domain.
pub fn guest_home_form(upn: &str) -> Option<String> {
    // Most UPNs are members': answer without lower-casing them.
    if memchr::memchr(b'#', upn.as_bytes()).is_none()
        || !upn
            .as_bytes()
            .windows(5)
            .any(|w| w.eq_ignore_ascii_case(b"#ext#"))
    {
        return None;
    }
    let lower = upn.to_lowercase();
    let ext = lower.find("#ext#")?;
    let local = &lower[..ext];
    let underscore = local.rfind('_')?;
    let (name, domain) = (&local[..underscore], &local[underscore + 1..]);
    if name.is_empty() || domain.is_empty() {
        return None;
    }
    Some(format!("{name}@{domain}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_cow_keeps_its_text_when_there_is_nothing_to_trim() {
        use std::borrow::Cow;
        for text in ["ada", " ada ", "\u{a0}ada", "", "  "] {
            assert!(matches!(trim_cow(Cow::Borrowed(text)), Cow::Borrowed(t) if t == text.trim()));
            let owned = text.to_string();
            let at = owned.as_ptr();
            let got = trim_cow(Cow::Owned(owned));
            assert_eq!(got, text.trim());
            if text == text.trim() {
                assert_eq!(got.as_ptr(), at, "reused, not copied: {text:?}");
            }
        }
    }

    #[test]
    fn trim_is_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\tada@contoso.com\r\n",
            "\u{a0}ada\u{3000}",
            "ada\u{85}",
            "\u{2003}",
            "é",
            "ada é",
            "\u{7f}x\u{7f}",
            "x\u{1}",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn guest_forms() {
        assert_eq!(
            guest_home_form("Ada.Lovelace_Example.org#EXT#@contoso.onmicrosoft.com").as_deref(),
            Some("ada.lovelace@example.org")
        );
        assert_eq!(
            guest_home_form("first_last_gmail.com#EXT#@t.onmicrosoft.com").as_deref(),
            Some("first_last@gmail.com")
        );
        assert_eq!(guest_home_form("bob@contoso.com"), None);
    }

    #[test]
    fn states_parse_any_case() {
        assert_eq!(PerUserState::parse("ENFORCED"), PerUserState::Enforced);
        assert_eq!(PerUserState::parse("enabled"), PerUserState::Enabled);
        assert_eq!(PerUserState::parse("weird"), PerUserState::Unknown);
    }
}
