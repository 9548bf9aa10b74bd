//! Sign-in error codes that matter for MFA (formats.md §5.6): what each means and how the audit
//! counts it. Only the class drives classification; the meaning is the wording reports show when no
//! MFA result word says more.

use serde::Serialize;

/// How the audit counts a sign-in that ended with a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CodeClass {
    /// 0.
    Success,
    /// MFA was attempted and failed (500121 is the push-fatigue code).
    MfaFailed,
    /// MFA is required and the client must come back interactively; often followed by a success
    /// in the same correlation: an interrupt, not a failure.
    MfaRequired,
    /// The user must register for MFA (or cannot, from here).
    RegistrationRequired,
    /// A benign interrupt (keep me signed in, no SSO session): never a failure.
    Benign,
    /// A failure that is not about MFA (bad password, Conditional Access block, device, account).
    NotMfa,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ErrorCode {
    pub code: i64,
    /// Microsoft's name for it; empty where none is documented.
    pub name: &'static str,
    /// What it means, in the words the audit reports.
    pub meaning: &'static str,
    pub class: CodeClass,
}

const fn e(code: i64, name: &'static str, meaning: &'static str, class: CodeClass) -> ErrorCode {
    ErrorCode {
        code,
        name,
        meaning,
        class,
    }
}

use CodeClass::*;

/// The codes, grouped as formats.md §5.6 lists them.
pub const ERROR_CODES: &[ErrorCode] = &[
    e(0, "", "success", Success),
    e(
        50072,
        "UserStrongAuthEnrollmentRequiredInterrupt",
        "user must register for MFA",
        RegistrationRequired,
    ),
    e(
        50074,
        "UserStrongAuthClientAuthNRequiredInterrupt",
        "strong authentication required (interrupt)",
        MfaRequired,
    ),
    e(
        50076,
        "UserStrongAuthClientAuthNRequired",
        "MFA required; the client must retry interactively",
        MfaRequired,
    ),
    e(
        50078,
        "UserStrongAuthExpired",
        "presented MFA has expired under policy",
        MfaRequired,
    ),
    e(
        50079,
        "UserStrongAuthEnrollmentRequired",
        "MFA required and the user must register",
        RegistrationRequired,
    ),
    e(
        500121,
        "",
        "authentication failed during strong authentication request",
        MfaFailed,
    ),
    e(
        50158,
        "ExternalSecurityChallenge",
        "external security challenge not satisfied",
        MfaFailed,
    ),
    e(
        50161,
        "InvalidExternalSecurityChallengeConfiguration",
        "claims from the external MFA provider are missing",
        MfaFailed,
    ),
    e(
        50087,
        "SasRetryableError",
        "transient error in the strong authentication service",
        MfaFailed,
    ),
    e(
        50086,
        "SasNonRetryableError",
        "non-retryable error in the strong authentication service",
        MfaFailed,
    ),
    e(50088, "", "telecom MFA call limit reached", MfaFailed),
    e(
        53003,
        "BlockedByConditionalAccess",
        "blocked by Conditional Access",
        NotMfa,
    ),
    e(
        530035,
        "BlockedBySecurityDefaults",
        "blocked by security defaults",
        NotMfa,
    ),
    e(
        53004,
        "ProofUpBlockedDueToRisk",
        "MFA registration required but blocked by risk",
        RegistrationRequired,
    ),
    e(
        53010,
        "ProofUpBlockedDueToSecurityInfoAcr",
        "MFA registration allowed only from specific locations or devices",
        RegistrationRequired,
    ),
    e(53000, "DeviceNotCompliant", "device not compliant", NotMfa),
    e(
        53001,
        "DeviceNotDomainJoined",
        "device not domain joined",
        NotMfa,
    ),
    e(
        53002,
        "ApplicationUsedIsNotAnApprovedApp",
        "application is not an approved app",
        NotMfa,
    ),
    e(
        50125,
        "PasswordResetRegistrationRequiredInterrupt",
        "password reset registration interrupt",
        Benign,
    ),
    e(
        50126,
        "InvalidUserNameOrPassword",
        "invalid user name or password",
        NotMfa,
    ),
    e(50053, "IdsLocked", "account locked", NotMfa),
    e(
        50055,
        "InvalidPasswordExpiredPassword",
        "password expired",
        NotMfa,
    ),
    e(50057, "UserDisabled", "account disabled", NotMfa),
    e(
        50097,
        "DeviceAuthenticationRequired",
        "device authentication required",
        NotMfa,
    ),
    e(
        50155,
        "DeviceAuthenticationFailed",
        "device authentication failed",
        NotMfa,
    ),
    e(50140, "KmsiInterrupt", "keep me signed in prompt", Benign),
    e(50199, "CmsiInterrupt", "user confirmation prompt", Benign),
    e(
        50058,
        "UserInformationNotProvided",
        "no single sign-on session",
        Benign,
    ),
];

/// Looks a code up.
pub fn lookup(code: i64) -> Option<&'static ErrorCode> {
    ERROR_CODES.iter().find(|e| e.code == code)
}

/// The class of any code; codes not in the table are failures that are not about MFA.
pub fn class(code: i64) -> CodeClass {
    lookup(code).map_or(NotMfa, |e| e.class)
}

/// `meaning (code)`, or `error code N` for codes not in the table.
pub fn describe(code: i64) -> String {
    match lookup(code) {
        Some(e) => format!("{} ({code})", e.meaning),
        None => format!("error code {code}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn table_walk() {
        let mut seen = HashSet::new();
        for row in ERROR_CODES {
            assert!(seen.insert(row.code), "duplicate {}", row.code);
            assert_eq!(lookup(row.code), Some(row));
            assert_eq!(class(row.code), row.class);
            assert!(!row.meaning.is_empty());
            assert_eq!(
                describe(row.code),
                format!("{} ({})", row.meaning, row.code)
            );
        }
        assert_eq!(ERROR_CODES.len(), 29);
    }

    #[test]
    fn classes() {
        assert_eq!(class(0), Success);
        assert_eq!(class(500121), MfaFailed);
        for code in [50074, 50076, 50078] {
            assert_eq!(class(code), MfaRequired);
        }
        for code in [50072, 50079] {
            assert_eq!(class(code), RegistrationRequired);
        }
        for code in [50140, 50199, 50058] {
            assert_eq!(class(code), Benign);
        }
        assert_eq!(class(53003), NotMfa);
        assert_eq!(class(90_000_001), NotMfa);
        assert_eq!(describe(90_000_001), "error code 90000001");
    }
}
