//! The three classic reports of the MSOnline era (powershell.md P1, P2, P3), with PowerShell's
//! semantics, and the same reports for users that came from current (Graph, admin center) exports.
//!
//! For an MSOnline record the rules are PowerShell's to the letter: registered needs a non-null
//! method and `BlockCredential` equal to boolean false; unregistered needs a method count of zero
//! and the same; a null `BlockCredential` is in neither list. For current data: registered is
//! `isMfaRegistered` when present, else at least one MFA method; a user whose sign-in state no input
//! gave is counted as enabled (and the caller says so); a user no registration source covered is in
//! neither list, because unknown is not false.

use crate::model::{Access, MethodsGap, PerUserState, User, UserType, methods_gap};
use crate::vocab::methods;

/// Why a user is or is not in the registered / unregistered lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Registered,
    Unregistered,
    /// Sign-in blocked (or MSOnline's null BlockCredential): in neither list.
    NotEnabled,
    /// No registration data for this user: in neither list.
    RegistrationUnknown,
}

/// True when the user's facts came from MSOnline (and PowerShell's rules apply).
fn is_msonline(u: &User) -> bool {
    u.requirements.is_some() && u.mfa_registered.is_none()
}

/// Registered for MFA? `None` when no source says.
pub fn is_registered(u: &User) -> Option<bool> {
    if let Some(r) = u.mfa_registered {
        return Some(r);
    }
    let Some(list) = u.methods.as_ref() else {
        // `isMfaCapable` is true only for a user with a registered MFA method (and allowed to use
        // it): registered, even where the export left the method list out.
        return u.mfa_capable.filter(|&capable| capable);
    };
    if is_msonline(u) {
        // P1: `$_.StrongAuthenticationMethods -ne $null` is truthy with one non-null element; a
        // list of only null elements is in neither P1 nor P2 (its Count is not 0): unknown here
        // too, so that the counts agree with the lists.
        let non_null = list.entries.iter().any(Option::is_some);
        return if non_null {
            Some(true)
        } else if list.entries.is_empty() {
            Some(false)
        } else {
            None
        };
    }
    Some(list.names().any(methods::counts_as_mfa))
}

/// Whether the user counts as enabled for the lists (Unknown counts: the caller reports how many).
pub fn counts_as_enabled(u: &User) -> bool {
    matches!(u.access, Access::Allowed | Access::Unknown)
}

/// The user's place in P1/P2.
pub fn verdict(u: &User) -> Verdict {
    if !counts_as_enabled(u) {
        return Verdict::NotEnabled;
    }
    if is_msonline(u) {
        let list = u.methods.as_ref();
        let count = list.map_or(0, |l| l.entries.len());
        let non_null = list.is_some_and(|l| l.entries.iter().any(Option::is_some));
        return if non_null {
            Verdict::Registered
        } else if count == 0 {
            Verdict::Unregistered
        } else {
            // A list of only null elements: P1's filter drops them, P2's Count sees them.
            Verdict::NotEnabled
        };
    }
    match is_registered(u) {
        Some(true) => Verdict::Registered,
        Some(false) => Verdict::Unregistered,
        None => Verdict::RegistrationUnknown,
    }
}

/// Why `u`'s registration is unknown; `None` when it is known.
pub fn registration_gap(u: &User) -> Option<MethodsGap> {
    if is_registered(u).is_some() {
        return None;
    }
    methods_gap(u).or(Some(MethodsGap::NullEntries))
}

/// P3's `MFA Status`: the requirement States (joined by one space when several), else `Disabled`;
/// for current data the per-user state, `Unknown` when no source gave it.
pub fn mfa_status(u: &User) -> String {
    if let Some(req) = &u.requirements {
        let values: Vec<&str> = req.states.iter().flatten().map(String::as_str).collect();
        return match values.as_slice() {
            [] => "Disabled".to_string(),
            [""] => "Disabled".to_string(),
            [one] => (*one).to_string(),
            many => many.join(" "),
        };
    }
    match u.per_user_state {
        PerUserState::Unknown => "Unknown".to_string(),
        s => s.title().to_string(),
    }
}

/// P3's `MFA Methods`: null for none, the name for one, names joined by one space for several
/// (PowerShell's PSObject-wrapped array, not `System.Object[]`). `Unknown` when no registration
/// source covered the user.
pub fn mfa_methods(u: &User) -> Option<String> {
    let Some(list) = &u.methods else {
        return Some("Unknown".to_string());
    };
    let names: Vec<Option<&str>> = list
        .entries
        .iter()
        .flatten()
        .map(|m| m.name.as_deref())
        .collect();
    match names.as_slice() {
        [] => None,
        [one] => one.map(str::to_string),
        many => Some(
            many.iter()
                .map(|n| n.unwrap_or(""))
                .collect::<Vec<_>>()
                .join(" "),
        ),
    }
}

/// The filters the older MFA status scripts offered (`--per-user-state`, `--user-type`,
/// `--admins-only`, `--licensed-only`, `--sign-in-allowed`). A user whose fact a filter needs is
/// unknown is neither in nor out: the caller leaves them out and says how many.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only users in one of these states (any state when empty).
    pub per_user_state: Vec<PerUserState>,
    /// Only members, or only guests.
    pub user_type: Option<UserType>,
    pub admins_only: bool,
    pub licensed_only: bool,
    /// Only users whose sign-in is allowed (`true`) or blocked (`false`).
    pub sign_in_allowed: Option<bool>,
}

impl Filter {
    /// Whether `u` passes; `None` when the fact a filter needs is unknown.
    pub fn passes(&self, u: &User) -> Option<bool> {
        let f = self;
        if !f.per_user_state.is_empty() && !f.per_user_state.contains(&u.per_user_state) {
            return Some(false);
        }
        if let Some(t) = &f.user_type {
            let guest = match &u.user_type {
                UserType::Guest => true,
                UserType::Member => false,
                _ => match &u.upn {
                    Some(upn) => upn.to_ascii_lowercase().contains("#ext#"),
                    None => return None,
                },
            };
            if guest != (*t == UserType::Guest) {
                return Some(false);
            }
        }
        if f.admins_only && !u.is_admin? {
            return Some(false);
        }
        if f.licensed_only && !u.is_licensed? {
            return Some(false);
        }
        if let Some(allowed) = f.sign_in_allowed {
            let is_allowed = match u.access {
                Access::Allowed => true,
                Access::Blocked => false,
                _ => return None,
            };
            if is_allowed != allowed {
                return Some(false);
            }
        }
        Some(true)
    }

    /// The fact the filters need, as the note about users left out names it.
    pub fn field(&self) -> &'static str {
        let f = self;
        if f.admins_only {
            "admin role (the registration details export carries isAdmin)"
        } else if f.licensed_only {
            "license state (Get-MsolUser's IsLicensed)"
        } else if f.sign_in_allowed.is_some() {
            "sign-in state (a users export)"
        } else {
            "user type"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::msonline::{MsolList, MsolMethod, MsolRecord};
    use crate::model::{MethodList, Provenance};

    fn msol(
        upn: &str,
        block: Option<bool>,
        methods: MsolList<MsolMethod>,
        states: MsolList<String>,
    ) -> User {
        MsolRecord {
            upn: Some(upn.into()),
            block_credential: block,
            methods,
            requirements: states,
            ..MsolRecord::default()
        }
        .into_user(Provenance { file: 0, record: 0 })
        .unwrap()
    }

    fn methods(names: &[&str]) -> MsolList<MsolMethod> {
        MsolList::Items(
            names
                .iter()
                .map(|n| {
                    Some(MsolMethod {
                        method_type: Some(n.to_string()),
                        is_default: false,
                    })
                })
                .collect(),
        )
    }

    fn states(s: &[&str]) -> MsolList<String> {
        MsolList::Items(s.iter().map(|s| Some(s.to_string())).collect())
    }

    /// Fixture F1 of powershell.md.
    pub fn f1() -> Vec<User> {
        vec![
            msol("alice@contoso.com", Some(false), methods(&[]), states(&[])),
            msol(
                "bob@contoso.com",
                Some(false),
                methods(&["PhoneAppOTP", "PhoneAppNotification"]),
                states(&["Enforced"]),
            ),
            msol(
                "carol@contoso.com",
                Some(false),
                methods(&["OneWaySMS"]),
                states(&["Enabled"]),
            ),
            msol(
                "dave@contoso.com",
                Some(true),
                methods(&["PhoneAppOTP"]),
                states(&[]),
            ),
            msol("erin@contoso.com", Some(true), methods(&[]), states(&[])),
            msol(
                "frank@contoso.com",
                Some(false),
                MsolList::Null,
                MsolList::Null,
            ),
        ]
    }

    #[test]
    fn fixture_f1() {
        let users = f1();
        let p1: Vec<&str> = users
            .iter()
            .filter(|u| verdict(u) == Verdict::Registered)
            .filter_map(|u| u.upn.as_deref())
            .collect();
        let p2: Vec<&str> = users
            .iter()
            .filter(|u| verdict(u) == Verdict::Unregistered)
            .filter_map(|u| u.upn.as_deref())
            .collect();
        assert_eq!(p1, ["bob@contoso.com", "carol@contoso.com"]);
        assert_eq!(p2, ["alice@contoso.com", "frank@contoso.com"]);
        let p3: Vec<(String, Option<String>)> = users
            .iter()
            .map(|u| (mfa_status(u), mfa_methods(u)))
            .collect();
        assert_eq!(
            p3[1],
            (
                "Enforced".into(),
                Some("PhoneAppOTP PhoneAppNotification".into())
            )
        );
        assert_eq!(p3[0], ("Disabled".into(), None));
        assert_eq!(p3[5], ("Disabled".into(), None));
    }

    #[test]
    fn null_block_credential_is_in_neither_list() {
        let u = msol("x", None, methods(&["OneWaySMS"]), states(&[]));
        assert_eq!(verdict(&u), Verdict::NotEnabled);
    }

    #[test]
    fn two_requirements_join_with_a_space() {
        let u = msol(
            "x",
            Some(false),
            methods(&[]),
            states(&["Enabled", "Enforced"]),
        );
        assert_eq!(mfa_status(&u), "Enabled Enforced");
    }

    #[test]
    fn current_data_unknown_stays_unknown() {
        let mut u = User {
            upn: Some("g@x".into()),
            ..User::default()
        };
        assert_eq!(verdict(&u), Verdict::RegistrationUnknown);
        assert_eq!(mfa_status(&u), "Unknown");
        u.methods = Some(MethodList::from_names(["email".to_string()]));
        assert_eq!(verdict(&u), Verdict::Unregistered);
        u.methods = Some(MethodList::from_names([
            "email".to_string(),
            "fido2".to_string(),
        ]));
        assert_eq!(verdict(&u), Verdict::Registered);
        u.access = Access::Blocked;
        assert_eq!(verdict(&u), Verdict::NotEnabled);
    }
}
