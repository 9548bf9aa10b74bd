//! Sign-in activity: the one event type every sign-in reader fills, and the per-user tallies the
//! audit folds events into as they stream. Sign-ins are never collected.

use std::borrow::Cow;

use serde::Serialize;

/// One sign-in (or one MFA Server call), reduced to the fields the audit needs: readers skip the
/// rest of a record (IP address, display name, correlation id...) without reading it. Text is
/// borrowed from the record being read where it can be: a sign-in lives only until it is folded
/// in, so copying its strings would cost an allocation per field and sign-in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SignIn<'a> {
    /// When it happened (UTC).
    pub time: Option<jiff::Timestamp>,
    /// Graph `id` / portal `Request ID` / Log Analytics `Id` (else `OriginalRequestId`): one
    /// sign-in's identity, by which two exports that share it count it once.
    pub request_id: Option<Cow<'a, str>>,
    pub user_id: Option<Cow<'a, str>>,
    pub upn: Option<Cow<'a, str>>,
    /// `status.errorCode` / `resultType` / `Sign-in error code`; 0 is success.
    pub error_code: Option<i64>,
    pub failure_reason: Option<Cow<'a, str>>,
    /// `status.additionalDetails` / portal `Multifactor authentication result`: where the MFA result
    /// words usually are (`MFA requirement satisfied by claim in the token`, `MFA denied; ...`).
    pub additional_details: Option<Cow<'a, str>>,
    /// `authenticationRequirement` (`multiFactorAuthentication`, `Multifactor authentication`...).
    pub authentication_requirement: Option<Cow<'a, str>>,
    /// `mfaDetail.authMethod` / portal `Multifactor authentication auth method`.
    pub mfa_method: Option<Cow<'a, str>>,
    /// `authenticationDetails[]`, or the AuthDetails companion rows.
    pub steps: Vec<SignInStep<'a>>,
    /// MFA Server `Call Result` code (e.g. `FAILED_PHONE_APP_DENIED`).
    pub call_result: Option<Cow<'a, str>>,
    /// A workload identity's sign-in (a service principal, a managed identity): not a user's.
    pub workload: bool,
}

/// One authentication step of a sign-in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SignInStep<'a> {
    /// `Password`, `Mobile app notification`, `Text message`, `Previously satisfied`...
    pub method: Option<Cow<'a, str>>,
    pub succeeded: Option<bool>,
    /// `MFA successfully completed`, `MFA denied; user declined the authentication`...
    pub result_detail: Option<Cow<'a, str>>,
    /// `Primary authentication` / `Multifactor authentication`.
    pub requirement: Option<Cow<'a, str>>,
}

fn owned(t: Option<Cow<'_, str>>) -> Option<Cow<'static, str>> {
    t.map(|t| Cow::Owned(t.into_owned()))
}

impl SignIn<'_> {
    /// The same sign-in with its text copied (to keep it past the record it was read from).
    pub fn into_owned(self) -> SignIn<'static> {
        SignIn {
            time: self.time,
            request_id: owned(self.request_id),
            user_id: owned(self.user_id),
            upn: owned(self.upn),
            error_code: self.error_code,
            failure_reason: owned(self.failure_reason),
            additional_details: owned(self.additional_details),
            authentication_requirement: owned(self.authentication_requirement),
            mfa_method: owned(self.mfa_method),
            steps: self.steps.into_iter().map(SignInStep::into_owned).collect(),
            call_result: owned(self.call_result),
            workload: self.workload,
        }
    }
}

impl SignInStep<'_> {
    /// The same step with its text copied.
    pub fn into_owned(self) -> SignInStep<'static> {
        SignInStep {
            method: owned(self.method),
            succeeded: self.succeeded,
            result_detail: owned(self.result_detail),
            requirement: owned(self.requirement),
        }
    }
}

/// How one MFA challenge ended (a sign-in that did not require MFA has no challenge at all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    /// MFA was required and satisfied; `how` is the report's wording.
    Satisfied { how: Cow<'static, str> },
    /// MFA was required and denied; `reason` is the report's wording.
    Denied { reason: Cow<'static, str> },
    /// MFA was required but the logs say neither satisfied nor denied (an interrupt, in progress).
    Pending { detail: Cow<'static, str> },
}

/// The classification of one sign-in (the report's words are borrowed from the vocabulary tables,
/// the method from the sign-in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Challenge<'a> {
    pub outcome: Outcome,
    /// The MFA method used, as the log named it.
    pub method: Option<Cow<'a, str>>,
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
