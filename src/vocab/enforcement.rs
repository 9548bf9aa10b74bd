//! What the sign-in logs say about enforcement (enforcement.md §1.5), one table each: the client
//! apps (legacy protocols cannot do MFA), the results a Conditional Access policy can have in a
//! sign-in, the grant controls that demand MFA, and the providers that required it.

use super::names;

/// One `clientAppUsed` value: its name as the report writes it, and whether it is a legacy
/// protocol (basic authentication: no MFA is possible over it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientApp {
    pub name: &'static str,
    pub legacy: bool,
}

/// Every client app value of the logs, legacy ones first (enforcement.md §1.5).
pub const CLIENT_APPS: &[ClientApp] = &[
    legacy("Authenticated SMTP"),
    legacy("AutoDiscover"),
    legacy("Exchange ActiveSync"),
    legacy("Exchange Online PowerShell"),
    legacy("Exchange Web Services"),
    legacy("IMAP4"),
    legacy("MAPI Over HTTP"),
    legacy("Offline Address Book"),
    legacy("Other clients"),
    legacy("Outlook Anywhere (RPC over HTTP)"),
    legacy("POP3"),
    legacy("Reporting Web Services"),
    legacy("Universal Outlook"),
    modern("Browser"),
    modern("Mobile Apps and Desktop clients"),
];

const fn legacy(name: &'static str) -> ClientApp {
    ClientApp { name, legacy: true }
}

const fn modern(name: &'static str) -> ClientApp {
    ClientApp {
        name,
        legacy: false,
    }
}

/// The client app a `clientAppUsed` value names (case, spaces and punctuation aside); `None` for
/// a value not in the table, which is neither legacy nor modern as far as the report says.
pub fn client_app(value: &str) -> Option<&'static ClientApp> {
    names::find(CLIENT_APPS, |c| c.name, value)
}

/// How a Conditional Access policy took part in one sign-in (`appliedConditionalAccessPolicies[]
/// .result`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyResult {
    Success,
    Failure,
    NotApplied,
    NotEnabled,
    ReportOnlySuccess,
    ReportOnlyFailure,
    ReportOnlyNotApplied,
    ReportOnlyInterrupted,
    Unknown,
}

/// Each result as the logs write it.
pub const POLICY_RESULTS: &[(&str, PolicyResult)] = &[
    ("success", PolicyResult::Success),
    ("failure", PolicyResult::Failure),
    ("notApplied", PolicyResult::NotApplied),
    ("notEnabled", PolicyResult::NotEnabled),
    ("reportOnlySuccess", PolicyResult::ReportOnlySuccess),
    ("reportOnlyFailure", PolicyResult::ReportOnlyFailure),
    ("reportOnlyNotApplied", PolicyResult::ReportOnlyNotApplied),
    ("reportOnlyInterrupted", PolicyResult::ReportOnlyInterrupted),
    ("unknownFutureValue", PolicyResult::Unknown),
    ("unknown", PolicyResult::Unknown),
];

/// The result a log value names; anything else is `Unknown`.
pub fn policy_result(value: &str) -> PolicyResult {
    names::find(POLICY_RESULTS, |(name, _)| name, value).map_or(PolicyResult::Unknown, |(_, r)| *r)
}

impl PolicyResult {
    /// The policy applied to the sign-in and was enforced (its grant controls were demanded).
    pub fn enforced(self) -> bool {
        matches!(self, PolicyResult::Success | PolicyResult::Failure)
    }

    /// A report-only policy that would have applied: its controls would have been demanded.
    pub fn would_have_applied(self) -> bool {
        matches!(
            self,
            PolicyResult::ReportOnlySuccess
                | PolicyResult::ReportOnlyFailure
                | PolicyResult::ReportOnlyInterrupted
        )
    }
}

/// `enforcedGrantControls` values that demand a second factor: MFA itself, or an authentication
/// strength (every built-in strength is multifactor).
pub const MFA_GRANT_CONTROLS: &[&str] = &["Mfa", "RequireMfa", "AuthenticationStrength"];

/// Whether a grant control demands a second factor.
pub fn demands_mfa(control: &str) -> bool {
    if MFA_GRANT_CONTROLS.contains(&control) {
        return true;
    }
    names::with_key(control, |key| {
        MFA_GRANT_CONTROLS
            .iter()
            .any(|c| names::with_key(c, |k| key.starts_with(k)))
    })
}

/// `authenticationRequirementPolicies[].requirementProvider` values, and how the report names
/// them. Others are reported as the log wrote them.
pub const REQUIREMENT_PROVIDERS: &[(&str, &str)] = &[
    ("multiConditionalAccess", "Conditional Access"),
    ("user", "per-user MFA"),
    ("securityDefaults", "security defaults"),
    ("riskBasedPolicy", "risk-based policy"),
    ("tenantSessionRiskPolicy", "session risk policy"),
    ("accountCompromisePolicies", "account compromise policy"),
    ("v1ConditionalAccess", "Conditional Access (classic)"),
    (
        "v1ConditionalAccessDependency",
        "Conditional Access (classic dependency)",
    ),
    (
        "v1ConditionalAccessPolicyIdRequested",
        "Conditional Access (classic, requested)",
    ),
    (
        "mfaRegistrationRequiredByIdentityProtectionPolicy",
        "Identity Protection registration policy",
    ),
    ("baselineProtection", "baseline protection"),
    (
        "mfaRegistrationRequiredByBaselineProtection",
        "baseline protection registration",
    ),
    (
        "mfaRegistrationRequiredByMultiConditionalAccess",
        "Conditional Access registration",
    ),
    (
        "mfaRegistrationRequiredBySecurityDefaults",
        "security defaults registration",
    ),
    ("enforcedForCspAdmins", "enforced for CSP admins"),
    ("request", "the request"),
    ("servicePrincipal", "the service principal"),
    ("crossTenantOutboundRule", "cross-tenant outbound rule"),
    ("gpsLocationCondition", "GPS location condition"),
    ("scopeBasedAuthRequirementPolicy", "scope-based requirement"),
    ("authenticationStrengths", "authentication strength"),
    ("proofUpCodeRequest", "proof-up code request"),
];

/// The report's name for a requirement provider.
pub fn provider_name(provider: &str) -> Option<&'static str> {
    names::find(REQUIREMENT_PROVIDERS, |(p, _)| p, provider).map(|(_, name)| *name)
}

/// The built-in authentication strengths: id, display name, and whether phishing-resistant.
pub const BUILT_IN_STRENGTHS: &[(&str, &str, bool)] = &[
    (
        "00000000-0000-0000-0000-000000000002",
        "Multifactor authentication",
        false,
    ),
    (
        "00000000-0000-0000-0000-000000000003",
        "Passwordless MFA",
        false,
    ),
    (
        "00000000-0000-0000-0000-000000000004",
        "Phishing-resistant MFA",
        true,
    ),
];

/// `allowedCombinations` values that are phishing-resistant on their own.
pub const PHISHING_RESISTANT_COMBINATIONS: &[&str] = &[
    "windowsHelloForBusiness",
    "fido2",
    "x509CertificateMultiFactor",
    "passkey",
    "passKeyDeviceBound",
    "passKeyDeviceBoundAuthenticator",
    "passKeyDeviceBoundWindowsHello",
];

/// The `allowedCombinations` each catalog method (`vocab::methods` ids) can satisfy on its own.
pub const METHOD_COMBINATIONS: &[(&str, &[&str])] = &[
    ("fido2", &["fido2"]),
    ("passkey", &["fido2", "passkey"]),
    ("windows-hello", &["windowsHelloForBusiness"]),
    // Entra lists the macOS platform credential under the Windows Hello combination.
    ("macos-platform-credential", &["windowsHelloForBusiness"]),
    ("certificate", &["x509CertificateMultiFactor"]),
];

/// The combinations the built-in phishing-resistant strength allows.
pub const PHISHING_RESISTANT_DEFAULT: &[&str] = &[
    "windowsHelloForBusiness",
    "fido2",
    "x509CertificateMultiFactor",
];

/// Whether a method (catalog id) satisfies one of `allowed` on its own.
pub fn method_satisfies(method_id: &str, allowed: &[String]) -> bool {
    METHOD_COMBINATIONS
        .iter()
        .filter(|(id, _)| *id == method_id)
        .flat_map(|(_, combos)| combos.iter())
        .any(|c| allowed.iter().any(|a| a.trim().eq_ignore_ascii_case(c)))
}

/// Whether an authentication strength demands phishing-resistant methods: the built-in one (by id
/// or name), or allowed combinations that are all phishing-resistant.
pub fn strength_is_phishing_resistant(
    id: Option<&str>,
    name: Option<&str>,
    combinations: &[String],
) -> bool {
    let built_in = BUILT_IN_STRENGTHS.iter().find(|(i, n, _)| {
        id.is_some_and(|id| id.trim().eq_ignore_ascii_case(i))
            || name.is_some_and(|name| names::with_key(name, |k| names::with_key(n, |m| k == m)))
    });
    if let Some((_, _, phishing)) = built_in {
        return *phishing;
    }
    !combinations.is_empty()
        && combinations.iter().all(|c| {
            PHISHING_RESISTANT_COMBINATIONS
                .iter()
                .any(|p| names::with_key(c, |k| names::with_key(p, |q| k == q)))
        })
}

/// An authentication requirement of one factor (`singleFactorAuthentication`, the portal's
/// `Single-factor authentication`).
pub fn is_single_factor(requirement: &str) -> bool {
    names::with_key(requirement, |key| key.starts_with(b"singlefactor"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_apps_are_told_legacy_or_modern() {
        for c in CLIENT_APPS {
            assert_eq!(client_app(c.name), Some(c), "{}", c.name);
            assert_eq!(
                client_app(&c.name.to_ascii_uppercase()),
                Some(c),
                "{}",
                c.name
            );
        }
        assert_eq!(CLIENT_APPS.iter().filter(|c| c.legacy).count(), 13);
        assert!(client_app("IMAP4").is_some_and(|c| c.legacy));
        assert!(client_app("imap 4").is_some_and(|c| c.legacy));
        assert!(client_app("Outlook Anywhere (RPC over HTTP)").is_some_and(|c| c.legacy));
        assert!(client_app("Browser").is_some_and(|c| !c.legacy));
        assert_eq!(client_app("Something new"), None);
        assert_eq!(client_app(""), None);
    }

    #[test]
    fn policy_results_and_controls() {
        for (name, result) in POLICY_RESULTS {
            assert_eq!(policy_result(name), *result, "{name}");
        }
        assert_eq!(
            policy_result("ReportOnlyFailure"),
            PolicyResult::ReportOnlyFailure
        );
        assert_eq!(policy_result("whatever"), PolicyResult::Unknown);
        assert!(PolicyResult::Failure.enforced());
        assert!(!PolicyResult::ReportOnlyFailure.enforced());
        assert!(PolicyResult::ReportOnlyInterrupted.would_have_applied());
        assert!(!PolicyResult::ReportOnlyNotApplied.would_have_applied());
        assert!(demands_mfa("Mfa"));
        assert!(demands_mfa("mfa"));
        assert!(demands_mfa("AuthenticationStrength"));
        assert!(demands_mfa("Authentication Strength(s)"));
        assert!(!demands_mfa("Block"));
        assert!(!demands_mfa("RequireCompliantDevice"));
        assert_eq!(
            provider_name("multiConditionalAccess"),
            Some("Conditional Access")
        );
        assert_eq!(provider_name("User"), Some("per-user MFA"));
        assert_eq!(provider_name("somethingElse"), None);
        assert!(is_single_factor("singleFactorAuthentication"));
        assert!(is_single_factor("Single-factor authentication"));
        assert!(!is_single_factor("multiFactorAuthentication"));
    }
}
