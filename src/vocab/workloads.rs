//! Workload identities: service principals and managed identities sign in too, and their records
//! sit in the same logs as users' (Azure Monitor categories, Log Analytics tables, Graph's
//! `signInEventTypes`). They are not user sign-ins: the audit leaves them out of every user count
//! and says how many it left out.

/// Azure Monitor `category` and Log Analytics `Type` / `Category` values of workload identities'
/// sign-in logs (formats.md §6, enforcement.md §1.5).
pub const CATEGORIES: &[&str] = &[
    "ServicePrincipalSignInLogs",
    "ManagedIdentitySignInLogs",
    "MicrosoftServicePrincipalSignInLogs",
    "AADServicePrincipalSignInLogs",
    "AADManagedIdentitySignInLogs",
];

/// Azure Monitor `category` and Log Analytics `Type` / `Category` values of users' sign-in logs,
/// and whether each holds interactive sign-ins (the user was there) or non-interactive ones (a
/// client refreshing a session the user started earlier).
pub const USER_CATEGORIES: &[(&str, bool)] = &[
    ("SignInLogs", true),
    ("NonInteractiveUserSignInLogs", false),
    ("AADNonInteractiveUserSignInLogs", false),
];

/// Whether a users' log category or table holds interactive sign-ins; `None` for any other.
pub fn category_is_interactive(category: &str) -> Option<bool> {
    let c = category.trim();
    USER_CATEGORIES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(c))
        .map(|(_, interactive)| *interactive)
}

/// Graph's `signInEventTypes` values of users' sign-ins, and whether each is interactive.
pub const USER_EVENT_TYPES: &[(&str, bool)] =
    &[("interactiveUser", true), ("nonInteractiveUser", false)];

/// Whether a `signInEventTypes` value says the sign-in was interactive; `None` for any other.
pub fn event_type_is_interactive(event_type: &str) -> Option<bool> {
    let t = event_type.trim();
    USER_EVENT_TYPES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(t))
        .map(|(_, interactive)| *interactive)
}

/// Whether a sign-in export's file name says which log it is: the admin center names its
/// downloads `InteractiveSignIns_…` and `NonInteractiveSignIns_…`.
pub fn file_name_is_interactive(name: &str) -> Option<bool> {
    let lower = name.to_ascii_lowercase();
    if lower.contains("noninteractive") {
        Some(false)
    } else if lower.contains("interactivesignins") {
        Some(true)
    } else {
        None
    }
}

/// Graph `signInEventTypes` values of workload identities.
pub const EVENT_TYPES: &[&str] = &["servicePrincipal", "managedIdentity"];

/// Whether a log category or table holds workload identities' sign-ins.
pub fn is_workload_category(category: &str) -> bool {
    let c = category.trim();
    CATEGORIES.iter().any(|w| w.eq_ignore_ascii_case(c))
}

/// Whether a `signInEventTypes` value names a workload identity.
pub fn is_workload_event_type(event_type: &str) -> bool {
    let t = event_type.trim();
    EVENT_TYPES.iter().any(|w| w.eq_ignore_ascii_case(t))
}

/// Whether a `servicePrincipalId` names a service principal: user sign-ins carry it empty or as
/// the all-zero GUID.
pub fn names_a_service_principal(id: &str) -> bool {
    let t = id.trim();
    !t.is_empty() && !t.bytes().all(|b| b == b'0' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workload_tables() {
        for c in CATEGORIES {
            assert!(is_workload_category(c));
            assert!(is_workload_category(&c.to_ascii_lowercase()));
        }
        for user_log in [
            "SignInLogs",
            "NonInteractiveUserSignInLogs",
            "SigninLogs",
            "AADNonInteractiveUserSignInLogs",
        ] {
            assert!(!is_workload_category(user_log), "{user_log}");
        }
        assert_eq!(category_is_interactive("SignInLogs"), Some(true));
        assert_eq!(category_is_interactive("SigninLogs"), Some(true));
        assert_eq!(
            category_is_interactive("AADNonInteractiveUserSignInLogs"),
            Some(false)
        );
        assert_eq!(category_is_interactive("ServicePrincipalSignInLogs"), None);
        assert_eq!(
            file_name_is_interactive("NonInteractiveSignIns_2025-05-01_2025-05-31.csv"),
            Some(false)
        );
        assert_eq!(
            file_name_is_interactive("InteractiveSignIns_AuthDetails_2025-05-01.csv"),
            Some(true)
        );
        assert_eq!(file_name_is_interactive("signins.csv"), None);
        assert!(is_workload_event_type("managedIdentity"));
        assert!(!is_workload_event_type("interactiveUser"));
        assert!(!names_a_service_principal(""));
        assert!(!names_a_service_principal(
            "00000000-0000-0000-0000-000000000000"
        ));
        assert!(names_a_service_principal(
            "8c59ead7-d703-4a27-9e55-c96a0054c8d2"
        ));
    }
}
