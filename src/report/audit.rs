//! The audit: the directory joined with activity, answering the six questions of Microsoft's MFA
//! sign-in report per user and for the tenant. [`AuditReport`] is the `--json` contract of cli.md
//! (`mfaudit.audit/1`); the HTML template and the email render this same structure.

use std::borrow::Cow;

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
}
