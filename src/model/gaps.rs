//! What is unknown about a user, why, and the export that would settle it: the clauses every
//! report that counts an unknown quotes (the classic reports' notes, `inspect`, the audit's
//! warnings).

use super::{User, settled_by};

/// Why a user's registered methods are unknown, for the note that says what would settle it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MethodsGap {
    /// The export wrote a type name (`System.Object[]`) where the method names were.
    NamesLost,
    /// A Get-MsolUser export written without `StrongAuthenticationMethods`.
    MsolWithoutMethods,
    /// A Get-MsolUser method list of only null elements: in neither P1 nor P2.
    NullEntries,
    /// No registration source covered the user.
    NoSource,
}

impl MethodsGap {
    /// Why, and what would settle it, as a clause after "… user(s) …:".
    pub fn why(self) -> String {
        match self {
            MethodsGap::NamesLost => "the export lost their method names (a type name such as System.Object[] where the names were); a Get-MsolUser export with ConvertTo-Json -Depth 4, or the registration details export, would give them".to_string(),
            MethodsGap::MsolWithoutMethods => "their Get-MsolUser export was written without StrongAuthenticationMethods; export it again with that property (Get-MsolUser -All | Select-Object UserPrincipalName,BlockCredential,StrongAuthenticationMethods,StrongAuthenticationRequirements | ConvertTo-Json -Depth 4)".to_string(),
            MethodsGap::NullEntries => "their StrongAuthenticationMethods hold only null elements (PowerShell's P1 drops the nulls and P2 counts them, so they are in neither list); export again with ConvertTo-Json -Depth 4".to_string(),
            MethodsGap::NoSource => format!(
                "they are in no registration source; {} would settle it",
                settled_by::REGISTRATION
            ),
        }
    }
}

/// Why `u`'s registered methods are unknown; `None` when they are known.
pub fn methods_gap(u: &User) -> Option<MethodsGap> {
    if u.methods.is_some() {
        return None;
    }
    Some(if u.methods_lost {
        MethodsGap::NamesLost
    } else if u.msol_gaps.methods {
        MethodsGap::MsolWithoutMethods
    } else {
        MethodsGap::NoSource
    })
}

/// Why `u`'s per-user state is unknown, and what would settle it, as a clause after
/// "… user(s) …:": the same Get-MsolUser export with its requirements, or another source.
pub fn state_why(u: &User) -> String {
    if u.msol_gaps.requirements {
        "their Get-MsolUser export was written without StrongAuthenticationRequirements; export it again with that property".to_string()
    } else {
        format!(
            "no input gave their per-user MFA state; {} would settle it",
            settled_by::PER_USER_STATE
        )
    }
}
