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
    /// Whether the user was there (`isInteractive`, the log's category, the file name); `None`
    /// when nothing says.
    pub interactive: Option<bool>,
    /// `clientAppUsed` (`Browser`, `IMAP4`, ...).
    pub client_app: Option<Cow<'a, str>>,
    /// `appDisplayName`, and `appId`.
    pub app: Option<Cow<'a, str>>,
    pub app_id: Option<Cow<'a, str>>,
    /// `conditionalAccessStatus` (`success`, `failure`, `notApplied`).
    pub ca_status: Option<Cow<'a, str>>,
    /// `appliedConditionalAccessPolicies[]`; `None` when the export does not carry them (an empty
    /// list is "none applied").
    pub policies: Option<Vec<AppliedPolicy<'a>>>,
    /// `authenticationRequirementPolicies[].requirementProvider`: what required MFA; `None` when
    /// the export does not carry them (an empty list is "nothing required it").
    pub required_by: Option<Vec<Cow<'a, str>>>,
}

/// One Conditional Access policy as a sign-in applied it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AppliedPolicy<'a> {
    pub id: Option<Cow<'a, str>>,
    pub name: Option<Cow<'a, str>>,
    /// `success`, `failure`, `notApplied`, `reportOnlyFailure`, ...
    pub result: Option<Cow<'a, str>>,
    /// Its grant controls demand a second factor (`Mfa`, an authentication strength).
    pub demands_mfa: bool,
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
            interactive: self.interactive,
            client_app: owned(self.client_app),
            app: owned(self.app),
            app_id: owned(self.app_id),
            ca_status: owned(self.ca_status),
            policies: self
                .policies
                .map(|p| p.into_iter().map(AppliedPolicy::into_owned).collect()),
            required_by: self
                .required_by
                .map(|r| r.into_iter().map(|p| Cow::Owned(p.into_owned())).collect()),
        }
    }
}

impl AppliedPolicy<'_> {
    /// The same policy with its text copied.
    pub fn into_owned(self) -> AppliedPolicy<'static> {
        AppliedPolicy {
            id: owned(self.id),
            name: owned(self.name),
            result: owned(self.result),
            demands_mfa: self.demands_mfa,
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
    /// The latest call or sign-in that said the user is blocked (when it had a time).
    pub blocked_at: Option<jiff::Timestamp>,
    pub logs_say_no_methods: bool,
    pub push_fatigue: bool,
    /// Times of recent denied/unanswered pushes (bounded; for the fatigue window).
    #[serde(skip)]
    pub recent_push_failures: Vec<jiff::Timestamp>,
    /// What the user's sign-ins showed of enforcement; made at the first sign-in that shows
    /// something, so a user whose logs say nothing of it costs a pointer.
    #[serde(skip)]
    pub enforcement: Option<Box<Enforcement>>,
}

/// What one user's sign-ins showed of enforcement (enforcement.md §1.5).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Enforcement {
    /// Successful interactive sign-ins that neither required nor performed MFA.
    pub without_mfa: u64,
    pub last_without_mfa: Option<jiff::Timestamp>,
    /// The applications of those sign-ins.
    pub apps_without_mfa: Counts,
    /// Sign-ins by a legacy client (no MFA possible), and how many of them succeeded.
    pub legacy: u64,
    pub legacy_succeeded: u64,
    /// The legacy protocols, by sign-ins.
    pub legacy_protocols: Counts,
    /// What required MFA (`authenticationRequirementPolicies`), by sign-ins.
    pub required_by: Counts,
    /// Enforced Conditional Access policies that demand MFA, by sign-ins they applied to.
    pub policies: Counts,
    /// Report-only policies demanding MFA that would have applied, by sign-ins.
    pub report_only: Counts,
}

impl Enforcement {
    /// Adds in what another tally of the same user saw (the order does not matter).
    pub fn merge(&mut self, other: Enforcement) {
        self.without_mfa += other.without_mfa;
        if let Some(t) = other.last_without_mfa
            && self.last_without_mfa.is_none_or(|old| t > old)
        {
            self.last_without_mfa = Some(t);
        }
        self.apps_without_mfa.merge(other.apps_without_mfa);
        self.legacy += other.legacy;
        self.legacy_succeeded += other.legacy_succeeded;
        self.legacy_protocols.merge(other.legacy_protocols);
        self.required_by.merge(other.required_by);
        self.policies.merge(other.policies);
        self.report_only.merge(other.report_only);
    }
}

/// Names, each with how many times it was seen. The names are shared with the ledger that met
/// them (one copy of an application's name, however many users used it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts(pub Vec<(std::sync::Arc<str>, u64)>);

impl Counts {
    /// Counts `name` `n` more times.
    pub fn add(&mut self, name: &std::sync::Arc<str>, n: u64) {
        match self.0.iter_mut().find(|(k, _)| **k == **name) {
            Some((_, count)) => *count += n,
            None => self.0.push((name.clone(), n)),
        }
    }

    pub fn merge(&mut self, other: Counts) {
        for (name, n) in other.0 {
            self.add(&name, n);
        }
    }

    /// Most often first, ties by name: the same whatever order the names were met in.
    pub fn ranked(&self) -> Vec<(&str, u64)> {
        let mut v: Vec<(&str, u64)> = self.0.iter().map(|(k, n)| (&**k, *n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        v
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
