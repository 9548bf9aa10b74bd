//! Sign-in activity: the one event type every sign-in reader fills, and the per-user tallies the
//! audit folds events into as they stream. Sign-ins are never collected.

use serde::Serialize;

/// One sign-in (or one MFA Server call), reduced to the fields the audit needs: readers skip the
/// rest of a record (IP address, display name, correlation id...) without reading it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SignIn {
    /// When it happened (UTC).
    pub time: Option<jiff::Timestamp>,
    /// Graph `id` / portal `Request ID`.
    pub request_id: Option<String>,
    pub user_id: Option<String>,
    pub upn: Option<String>,
    /// `status.errorCode` / `resultType` / `Sign-in error code`; 0 is success.
    pub error_code: Option<i64>,
    pub failure_reason: Option<String>,
    /// `status.additionalDetails` / portal `Multifactor authentication result`: where the MFA result
    /// words usually are (`MFA requirement satisfied by claim in the token`, `MFA denied; ...`).
    pub additional_details: Option<String>,
    /// `authenticationRequirement` (`multiFactorAuthentication`, `Multifactor authentication`...).
    pub authentication_requirement: Option<String>,
    /// `mfaDetail.authMethod` / portal `Multifactor authentication auth method`.
    pub mfa_method: Option<String>,
    /// `authenticationDetails[]`, or the AuthDetails companion rows.
    pub steps: Vec<SignInStep>,
    /// MFA Server `Call Result` code (e.g. `FAILED_PHONE_APP_DENIED`).
    pub call_result: Option<String>,
}

/// One authentication step of a sign-in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SignInStep {
    /// `Password`, `Mobile app notification`, `Text message`, `Previously satisfied`...
    pub method: Option<String>,
    pub succeeded: Option<bool>,
    /// `MFA successfully completed`, `MFA denied; user declined the authentication`...
    pub result_detail: Option<String>,
    /// `Primary authentication` / `Multifactor authentication`.
    pub requirement: Option<String>,
}

/// How one sign-in ended as far as MFA is concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    /// MFA was not required.
    NotChallenged,
    /// MFA was required and satisfied; `how` is the report's wording.
    Satisfied { how: String },
    /// MFA was required and denied; `reason` is the report's wording.
    Denied { reason: String },
    /// MFA was required but the logs say neither satisfied nor denied (an interrupt, in progress).
    Pending { detail: String },
}

/// The classification of one sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Challenge {
    pub outcome: Outcome,
    /// The MFA method used, as the log named it.
    pub method: Option<String>,
    /// The user reported fraud.
    pub fraud: bool,
    /// A one-time bypass was used.
    pub bypass: bool,
    /// The log says the user has no verification methods registered.
    pub no_methods: bool,
    /// The user was blocked from MFA.
    pub blocked: bool,
    /// A push notification was sent and denied or left unanswered (push fatigue signal).
    pub push_unanswered_or_denied: bool,
}

/// Per-user tallies, folded as sign-ins stream.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UserActivity {
    pub signins: u64,
    pub challenges: u64,
    pub completed: u64,
    pub denied: u64,
    pub last_time: Option<jiff::Timestamp>,
    pub last_result: Option<String>,
    pub fraud_reported: bool,
    pub bypass_used: bool,
    pub blocked_in_mfa: bool,
    pub logs_say_no_methods: bool,
    pub push_fatigue: bool,
    /// Times of recent denied/unanswered pushes (bounded; for the fatigue window).
    #[serde(skip)]
    pub recent_push_failures: Vec<jiff::Timestamp>,
}
