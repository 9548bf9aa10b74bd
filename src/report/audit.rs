//! The audit: the directory joined with activity, answering the six questions of Microsoft's MFA
//! sign-in report per user and for the tenant. [`AuditReport`] is the `--json` contract of cli.md
//! (`mfaudit.audit/1`); the HTML template and the email render this same structure.

use std::borrow::Cow;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// Schema name of the JSON output.
pub const SCHEMA: &str = "mfaudit.audit/1";

/// The whole audit, as written by `--json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct AuditReport {
    pub schema: String,
    pub generated_at: String,
    pub inputs: Vec<InputSummary>,
    pub summary: Summary,
    pub questions: Vec<Question>,
    pub mfa_completed_by: Vec<HowCount>,
    pub mfa_denied_because: Vec<ReasonCount>,
    pub users: Vec<AuditUser>,
    /// Filled by `--history`; null on the first run and without history.
    pub changes: Option<Changes>,
    /// Data-quality warnings: partial, stale or unknown data, with the export that would settle it.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Sign-ins whose user is not in the directory.
    #[serde(default)]
    pub unmatched_signins: UnmatchedSignIns,
    /// Enabled users by the strongest method they registered (each once; unknown methods in none).
    #[serde(default)]
    pub methods_by_strength: Vec<StrengthCount>,
    /// The trend of the registered share over past runs (with `--history`).
    #[serde(default)]
    pub trend: Vec<TrendPoint>,
    /// The seventh question, "Who signed in without MFA?", with what the sign-in logs show of
    /// enforcement for the tenant (issue 19; the six of `questions` stay the seed's).
    #[serde(default)]
    pub without_mfa: WithoutMfa,
    /// Each Conditional Access policy the sign-ins showed (cli.md, Enforcement); what only a
    /// policy export can say is null until one is read.
    #[serde(default)]
    pub policies: Vec<PolicyReport>,
    /// Every exception of the `--exceptions` files, with its state and how many users it names
    /// (cli.md, Exceptions and account classes).
    #[serde(default)]
    pub exceptions: Vec<ExceptionEntry>,
}

/// One exception of a file, as the report lists it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExceptionEntry {
    /// As the file names the user (a UPN, an object id or a pattern).
    pub user: String,
    pub class: String,
    pub reason: String,
    pub owner: Option<String>,
    pub ticket: Option<String>,
    pub expires: Option<String>,
    /// `FILE:LINE`.
    pub source: String,
    /// `active`, `expiring`, `expired`.
    pub state: String,
    /// The users it matched (0: it names nobody, which is said).
    pub matched: u64,
}

/// `users[].exception` (cli.md).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UserException {
    pub class: String,
    pub reason: String,
    pub owner: Option<String>,
    pub ticket: Option<String>,
    pub expires: Option<String>,
    /// `FILE:LINE`, or `inferred:WHY`.
    pub source: String,
    /// `active`, `expiring`, `expired`.
    pub state: String,
    /// The flags it covers; every flag when empty. Not in the JSON (the file lists them).
    #[serde(skip)]
    pub covers: Vec<String>,
}

impl UserException {
    /// Active or expiring (an inferred class is active): it covers what it names.
    pub fn is_valid(&self) -> bool {
        self.state != "expired"
    }

    /// Whether it covers `flag` for the thresholds.
    pub fn covers(&self, flag: &str) -> bool {
        self.is_valid() && (self.covers.is_empty() || self.covers.iter().any(|c| c == flag))
    }
}

/// `without_mfa`: who got in without MFA, to what, over which protocols, and what required MFA
/// for the others. Every count is null without a sign-in log among the inputs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct WithoutMfa {
    pub question: String,
    pub answer: String,
    /// Successful interactive sign-ins that neither required nor performed MFA.
    pub signins_without_mfa: Option<u64>,
    /// Users (directory or not) with at least one of them.
    pub users_without_mfa: Option<u64>,
    pub interactive_signins: Option<u64>,
    /// Counted apart: they refresh a session whose MFA may have been met earlier.
    pub noninteractive_signins: Option<u64>,
    /// Taken as interactive because nothing in the log said.
    pub interactive_assumed: Option<u64>,
    /// Successful interactive sign-ins without MFA whose log gives no authentication
    /// requirement: whether they needed MFA is unknown.
    pub requirement_unknown: Option<u64>,
    /// The applications of the sign-ins without MFA, most often first.
    pub apps: Vec<AppCount>,
    /// Legacy protocols (no MFA possible), most often first.
    pub legacy: Vec<ProtocolCount>,
    /// What required MFA of the MFA challenges, interactive or not
    /// (`authenticationRequirementPolicies`), with its share of them.
    pub required_by: Vec<ProviderCount>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AppCount {
    pub app: String,
    pub signins: u64,
    pub users: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ProtocolCount {
    pub protocol: String,
    pub signins: u64,
    pub succeeded: u64,
    pub users: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ProviderCount {
    /// As the log writes it (`multiConditionalAccess`, `user`, `securityDefaults`).
    pub provider: String,
    /// As the report words it (`Conditional Access`, `per-user MFA`, `security defaults`).
    pub name: String,
    pub signins: u64,
    /// `signins` over the MFA challenges (0 to 1, four decimals).
    pub share: f64,
}

/// `policies[]` (cli.md).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct PolicyReport {
    pub id: Option<String>,
    pub name: Option<String>,
    /// What only the policy export says: null until one is read.
    pub state: Option<String>,
    pub requires: Option<String>,
    pub users_covered: Option<u64>,
    pub users_excluded: Option<u64>,
    pub resources: Option<String>,
    pub conditions: Option<Vec<String>>,
    /// Its results in the sign-ins; null when no sign-in carried the applied policies.
    pub observed: Option<PolicyObserved>,
}

/// How often each result came up for one policy in the sign-ins.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct PolicyObserved {
    pub success: u64,
    pub failure: u64,
    pub not_applied: u64,
    pub report_only_success: u64,
    pub report_only_failure: u64,
    pub report_only_not_applied: u64,
    #[serde(default)]
    pub not_enabled: u64,
    #[serde(default)]
    pub report_only_interrupted: u64,
    #[serde(default)]
    pub unknown: u64,
    /// A sign-in showed it demanding MFA (`enforcedGrantControls`).
    #[serde(default)]
    pub demands_mfa: bool,
}

/// `summary.enforcement` over enabled users (cli.md); null where no input settles it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct SummaryEnforcement {
    pub mfa_required: Option<RequiredCounts>,
    pub protected_enabled: Option<u64>,
    pub users_signed_in_without_mfa: Option<u64>,
    pub users_legacy_auth: Option<u64>,
    pub security_defaults: Option<bool>,
    /// Enabled users known not to be protected: not registered, or MFA not always required.
    #[serde(default)]
    pub unprotected_enabled: Option<u64>,
    /// Enabled users neither known protected nor known unprotected.
    #[serde(default)]
    pub protection_unknown_enabled: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct RequiredCounts {
    pub always: u64,
    pub conditional: u64,
    pub never: u64,
    pub unknown: u64,
}

/// One input file, as `inputs` lists it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct InputSummary {
    pub path: String,
    pub kind: String,
    pub records: u64,
    pub warnings: Vec<String>,
    #[serde(default)]
    pub encoding: String,
    #[serde(default)]
    pub first_time: Option<String>,
    #[serde(default)]
    pub last_time: Option<String>,
    /// Content fingerprint, `fnv1a64w:<16 hex>:<size>` (`history::fingerprint`); filled by history.
    #[serde(default)]
    pub fingerprint: Option<String>,
    /// The export is incomplete: its last page said more pages follow, and they are not in it.
    #[serde(default)]
    pub incomplete: bool,
    /// An activity input (a sign-in log or MFA Server calls), not a directory export.
    #[serde(skip)]
    pub activity: bool,
    /// For a sign-in log, the enforcement fields its sign-ins carried (`inspect`'s names); `None`
    /// for every other input.
    #[serde(skip)]
    pub signin_fields: Option<Vec<&'static str>>,
}

/// Tenant-wide counts (cli.md).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Summary {
    pub users_total: u64,
    pub users_enabled: u64,
    pub registered_enabled: u64,
    pub unregistered_enabled: u64,
    pub per_user_state: PerUserStateCounts,
    pub signins_total: u64,
    pub mfa_challenges: u64,
    /// Users with at least one MFA challenge.
    pub challenged_users: u64,
    /// Challenged users with at least one satisfied challenge.
    pub users_completed_mfa: u64,
    /// Challenged users with no satisfied challenge.
    pub users_unable_to_complete: u64,
    /// Challenged users with at least one denied challenge.
    pub users_with_failures: u64,
    /// Enabled users whose registration no input gave.
    #[serde(default)]
    pub registration_unknown_enabled: u64,
    /// Users whose sign-in state no input gave (counted as enabled).
    #[serde(default)]
    pub access_unknown: u64,
    /// Enabled users known to be administrators without an MFA method (`admin-without-mfa`).
    #[serde(default)]
    pub admins_without_mfa: u64,
    /// Enabled users who could be administrators without MFA as far as the inputs tell: their
    /// admin role or their registration is unknown.
    #[serde(default)]
    pub admins_without_mfa_unknown: u64,
    /// Activity inputs read (sign-in logs, MFA Server call logs): without one, every activity
    /// count is unknown, not zero.
    #[serde(default)]
    pub activity_inputs: u64,
    /// Sign-ins met again (the same request id in several inputs, or twice in one), counted once:
    /// `signins_total` counts each sign-in once.
    #[serde(default)]
    pub duplicate_signins: u64,
    /// Sign-ins of workload identities (service principals, managed identities): not user
    /// sign-ins, so in no count.
    #[serde(default)]
    pub workload_signins: u64,
    #[serde(default)]
    pub enforcement: SummaryEnforcement,
    /// Enabled users with a valid exception (active or expiring, or an inferred class).
    #[serde(default)]
    pub excepted_enabled: u64,
    /// Enabled users not registered and not excepted from it.
    #[serde(default)]
    pub unregistered_enabled_unexcepted: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct PerUserStateCounts {
    pub enforced: u64,
    pub enabled: u64,
    pub disabled: u64,
    pub unknown: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Question {
    pub question: String,
    pub answer: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HowCount {
    pub how: String,
    pub count: u64,
    pub users: u64,
    /// Met at a prompt in the sign-in (`true`), without one (`false`: a claim in the token, a
    /// trusted location or device, an app password), or not said (`null`).
    #[serde(default)]
    pub prompted: Option<bool>,
}

impl HowCount {
    /// The wording as tables show it, with whether the user was prompted.
    pub fn shown(&self) -> String {
        match self.prompted {
            Some(true) => format!("{} (at a prompt)", self.how),
            Some(false) => format!("{} (no prompt)", self.how),
            None => self.how.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReasonCount {
    pub reason: String,
    pub count: u64,
    pub users: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StrengthCount {
    pub strength: String,
    pub users: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct UnmatchedSignIns {
    pub signins: u64,
    pub users: u64,
    /// A few examples (UPN or user id).
    pub examples: Vec<String>,
}

/// One user in the audit. The words from fixed vocabularies (states, method names, flags) are
/// borrowed, not copied per user: a large tenant has hundreds of thousands of rows.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct AuditUser {
    pub upn: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub object_id: Option<String>,
    /// `null` when unknown.
    pub enabled: Option<bool>,
    /// `null` when unknown.
    pub registered: Option<bool>,
    pub per_user_state: Cow<'static, str>,
    pub methods: Vec<Cow<'static, str>>,
    #[serde(default)]
    pub strongest: Option<Cow<'static, str>>,
    #[serde(default)]
    pub user_type: Option<Cow<'static, str>>,
    #[serde(default)]
    pub is_admin: Option<bool>,
    pub challenges: u64,
    pub completed: u64,
    pub denied: u64,
    pub last_result: Option<String>,
    #[serde(default)]
    pub last_signin: Option<String>,
    pub flags: Vec<Cow<'static, str>>,
    #[serde(default)]
    pub enforcement: UserEnforcement,
    /// The user's exception, or an inferred class; `None` when there is none.
    #[serde(default)]
    pub exception: Option<Box<UserException>>,
    /// What the MFA Server's histories say of the user; `None` without either history. Users
    /// with no event share one.
    #[serde(default)]
    pub mfa_server: Option<Arc<MfaServerUser>>,
}

/// `users[].mfa_server` (cli.md): the Blocked and Bypassed User History reports, each event
/// counted once. A field is `null` when the history that would say it is not among the inputs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct MfaServerUser {
    /// Blocked at the end of the Blocked User History (false: never blocked in it, or unblocked).
    pub blocked: Option<bool>,
    /// The user's block and unblock events.
    pub block_events: Option<u64>,
    /// The last of them: when, by whom, why.
    pub block_changed: Option<String>,
    pub block_by: Option<String>,
    pub block_reason: Option<String>,
    /// One-time bypasses granted to the user.
    pub bypasses: Option<u64>,
    /// The last of them: when, how long (seconds), by whom, why.
    pub last_bypass: Option<String>,
    pub last_bypass_seconds: Option<u64>,
    pub last_bypass_by: Option<String>,
    pub last_bypass_reason: Option<String>,
}

/// `users[].enforcement` (cli.md): what requires MFA of the user — settled by the policy exports,
/// so null until they are read — and what the sign-in logs observed. Two pointers per user: a
/// large tenant has hundreds of thousands.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserEnforcement {
    /// Shared by the users whose evaluation came out the same.
    pub configured: Option<Arc<Configured>>,
    /// The user's sign-ins showed something (absent with `logs`: they showed nothing).
    pub observed: Option<Box<ObservedUser>>,
    /// The inputs held a sign-in log: `observed` is known (zero when absent), not null.
    pub logs: bool,
}

/// What requires MFA of a user (cli.md's `mfa_required` ... `unresolved`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Configured {
    /// `always`, `conditional`, `never`; `None` when an input that could widen it is missing.
    pub mfa_required: Option<Cow<'static, str>>,
    pub phishing_resistant_required: Option<bool>,
    pub required_by: Option<Vec<RequiredBy>>,
    pub excluded_by: Option<Vec<ExcludedBy>>,
    pub report_only: Option<Vec<PolicyRef>>,
    pub unresolved: Option<Vec<String>>,
    /// What the phishing-resistant strengths that apply allow (`allowedCombinations`): the user's
    /// methods must satisfy one. Not in the JSON.
    #[serde(skip)]
    pub phishing_resistant_allowed: Option<Arc<Vec<String>>>,
}

/// One source that requires MFA of a user.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RequiredBy {
    /// `conditional-access`, `per-user`, `security-defaults`.
    pub source: Cow<'static, str>,
    pub policy: Option<Arc<str>>,
    pub policy_id: Option<Arc<str>>,
    /// `all users`, `user`, `group:NAME`, `role:NAME`, `guest:TYPE`; `None` for per-user MFA.
    pub via: Option<String>,
    /// `always` or `conditional`.
    pub scope: Cow<'static, str>,
    /// What narrows a conditional scope (shared by every user of the policy).
    pub conditions: Arc<Vec<String>>,
}

/// An enabled policy requiring MFA that would apply, but an exclusion removes the user.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExcludedBy {
    pub policy: Option<Arc<str>>,
    pub policy_id: Option<Arc<str>>,
    /// `user`, `group:NAME`, `role:NAME`, `guest:TYPE`.
    pub via: String,
}

/// A policy named by its display name and id.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PolicyRef {
    pub policy: Option<Arc<str>>,
    pub policy_id: Option<Arc<str>>,
}

/// `users[].enforcement.observed`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct ObservedUser {
    pub signins_without_mfa: u64,
    /// Successful sign-ins by a legacy client.
    pub legacy_auth_signins: u64,
    pub apps_without_mfa: Vec<String>,
    pub required_by: Vec<ProviderSignins>,
    /// The last sign-in without MFA.
    #[serde(default)]
    pub last_without_mfa: Option<String>,
    /// Every sign-in by a legacy client, successful or not, and the protocols.
    #[serde(default)]
    pub legacy_attempts: u64,
    #[serde(default)]
    pub legacy_protocols: Vec<NamedCount>,
    /// Enforced Conditional Access policies that demanded MFA of the user, by sign-ins.
    #[serde(default)]
    pub policies: Vec<NamedCount>,
    /// Report-only policies demanding MFA that would have applied, by sign-ins.
    #[serde(default)]
    pub report_only_would_require: Vec<NamedCount>,
}

impl ObservedUser {
    /// Nothing observed: what a user with no sign-in in the logs shows.
    pub fn is_empty(&self) -> bool {
        *self == ObservedUser::default()
    }
}

/// A policy or protocol with how many sign-ins.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NamedCount {
    pub name: String,
    pub signins: u64,
}

/// What required MFA (`authenticationRequirementPolicies[].requirementProvider`), with how many
/// sign-ins.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ProviderSignins {
    pub provider: String,
    pub signins: u64,
}

/// The JSON form of [`UserEnforcement`]: cli.md's fields in order, flat.
#[derive(Deserialize)]
struct EnforcementJson {
    #[serde(flatten)]
    configured: Configured,
    observed: Option<ObservedUser>,
}

/// [`EnforcementJson`] borrowed, for writing.
#[derive(Serialize)]
struct EnforcementOut<'a> {
    #[serde(flatten)]
    configured: &'a Configured,
    observed: Option<&'a ObservedUser>,
}

/// Nothing known: every configured field null.
static NOTHING_CONFIGURED: Configured = Configured {
    mfa_required: None,
    phishing_resistant_required: None,
    required_by: None,
    excluded_by: None,
    report_only: None,
    unresolved: None,
    phishing_resistant_allowed: None,
};

/// Nothing seen in the logs (they were read).
static NOTHING_OBSERVED: ObservedUser = ObservedUser {
    signins_without_mfa: 0,
    legacy_auth_signins: 0,
    apps_without_mfa: Vec::new(),
    required_by: Vec::new(),
    last_without_mfa: None,
    legacy_attempts: 0,
    legacy_protocols: Vec::new(),
    policies: Vec::new(),
    report_only_would_require: Vec::new(),
};

impl Serialize for UserEnforcement {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        EnforcementOut {
            configured: self.configured.as_deref().unwrap_or(&NOTHING_CONFIGURED),
            observed: match &self.observed {
                Some(o) => Some(o),
                None if self.logs => Some(&NOTHING_OBSERVED),
                None => None,
            },
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for UserEnforcement {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let j = EnforcementJson::deserialize(d)?;
        Ok(UserEnforcement {
            configured: (j.configured != Configured::default()).then(|| Arc::new(j.configured)),
            logs: j.observed.is_some(),
            observed: j.observed.filter(|o| !o.is_empty()).map(Box::new),
        })
    }
}

/// What changed since the previous run (with `--history`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Changes {
    pub previous_run: String,
    pub newly_registered: Vec<String>,
    pub newly_unregistered: Vec<String>,
    pub state_changed: Vec<StateChange>,
    pub users_added: Vec<String>,
    pub users_removed: Vec<String>,
    #[serde(default)]
    pub flags_raised: Vec<FlagChange>,
    #[serde(default)]
    pub flags_cleared: Vec<FlagChange>,
    /// The same user (by object id) under a new UPN.
    #[serde(default)]
    pub users_renamed: Vec<Rename>,
    /// Accounts whose sign-in was allowed before and is blocked now.
    #[serde(default)]
    pub users_disabled: Vec<String>,
    /// Accounts whose sign-in was blocked before and is allowed now.
    #[serde(default)]
    pub users_reenabled: Vec<String>,
    /// Users an exclusion now removes from an enabled MFA policy, and not before.
    #[serde(default)]
    pub newly_excluded: Vec<String>,
    /// Users no source requires to use MFA now, and some did (or it was unknown) before.
    #[serde(default)]
    pub newly_not_required: Vec<String>,
    /// Users registered and always required now, and not before.
    #[serde(default)]
    pub newly_protected: Vec<String>,
    /// Users with an exception now and none before.
    #[serde(default)]
    pub exceptions_added: Vec<String>,
    /// Users whose exception expired since.
    #[serde(default)]
    pub exceptions_expired: Vec<String>,
    /// Users whose exception is gone.
    #[serde(default)]
    pub exceptions_removed: Vec<String>,
    /// The changes compare a later run with an earlier one (`mfaudit diff` backwards): each list
    /// then says what the earlier run had that the later did not.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub backwards: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Rename {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StateChange {
    pub upn: String,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FlagChange {
    pub upn: String,
    pub flag: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TrendPoint {
    pub run: String,
    pub registered_share: f64,
    pub unregistered_enabled: u64,
}

/// The per-user flags, as they appear in `flags`.
pub mod flag {
    pub const ENABLED_UNREGISTERED: &str = "enabled-unregistered";
    pub const REGISTERED_NEVER_CHALLENGED: &str = "registered-never-challenged";
    pub const CHALLENGED_NEVER_COMPLETED: &str = "challenged-never-completed";
    pub const FRAUD_REPORTED: &str = "fraud-reported";
    /// Blocked from MFA (the MFA Server's block list, or "MFA denied; user is blocked"): the
    /// account may well be enabled. Named `blocked` before, which read as a disabled account.
    pub const BLOCKED: &str = "blocked-from-mfa";
    /// What earlier mfaudit versions called a flag, as history databases hold it.
    pub const RENAMED: &[(&str, &str)] = &[("blocked", BLOCKED)];
    pub const BYPASS_USED: &str = "bypass-used";
    pub const PUSH_FATIGUE: &str = "push-fatigue-suspected";
    pub const TELEPHONY_ONLY: &str = "telephony-only";
    pub const NO_METHODS_IN_LOGS: &str = "logs-say-no-methods";
    pub const ADMIN_WITHOUT_MFA: &str = "admin-without-mfa";
    pub const ENFORCED_UNREGISTERED: &str = "enforced-unregistered";
    /// A successful interactive sign-in that neither required nor performed MFA (cli.md).
    pub const SIGNED_IN_WITHOUT_MFA: &str = "signed-in-without-mfa";
    /// A successful sign-in by a legacy client, over which no MFA is possible.
    pub const LEGACY_AUTH_SIGN_IN: &str = "legacy-auth-sign-in";
    /// Enabled, and every source is known to require no MFA (cli.md).
    pub const MFA_NOT_REQUIRED: &str = "mfa-not-required";
    /// An enabled policy requiring MFA would apply, but an exclusion removes the user.
    pub const EXCLUDED_FROM_MFA_POLICY: &str = "excluded-from-mfa-policy";
    /// Required to use MFA and not registered: whoever signs in first registers the methods.
    pub const REQUIRED_NOT_REGISTERED: &str = "required-not-registered";
    /// A policy demands a phishing-resistant strength the user's methods cannot meet.
    pub const PHISHING_RESISTANT_REQUIRED_NOT_REGISTERED: &str =
        "phishing-resistant-required-not-registered";
    /// The configuration requires MFA always, yet the logs show a sign-in without it.
    pub const REQUIRED_BUT_SIGNED_IN_WITHOUT_MFA: &str = "required-but-signed-in-without-mfa";
    /// The user's exception expired: it covers nothing any more.
    pub const EXCEPTION_EXPIRED: &str = "exception-expired";
    /// A shared or resource mailbox whose sign-in is enabled: it should be blocked.
    pub const SHARED_MAILBOX_SIGN_IN_ENABLED: &str = "shared-mailbox-sign-in-enabled";
    /// A break-glass account without a phishing-resistant method.
    pub const BREAK_GLASS_WITHOUT_PHISHING_RESISTANT: &str =
        "break-glass-without-phishing-resistant";
}
