//! The audit: the directory joined with activity, answering the six questions of Microsoft's MFA
//! sign-in report per user and for the tenant. [`AuditReport`] is the `--json` contract of cli.md
//! (`mfaudit.audit/1`); the HTML template and the email render this same structure.

use serde::{Deserialize, Serialize};

/// Schema name of the JSON output.
pub const SCHEMA: &str = "mfaudit.audit/1";

/// The whole audit, as written by `--json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
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
    /// Registered methods by strength class (enabled users).
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

/// One user in the audit.
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
    pub per_user_state: String,
    pub methods: Vec<String>,
    #[serde(default)]
    pub strongest: Option<String>,
    #[serde(default)]
    pub user_type: Option<String>,
    #[serde(default)]
    pub is_admin: Option<bool>,
    pub challenges: u64,
    pub completed: u64,
    pub denied: u64,
    pub last_result: Option<String>,
    #[serde(default)]
    pub last_signin: Option<String>,
    pub flags: Vec<String>,
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
    pub const BLOCKED: &str = "blocked";
    pub const BYPASS_USED: &str = "bypass-used";
    pub const PUSH_FATIGUE: &str = "push-fatigue-suspected";
    pub const TELEPHONY_ONLY: &str = "telephony-only";
    pub const NO_METHODS_IN_LOGS: &str = "logs-say-no-methods";
    pub const ADMIN_WITHOUT_MFA: &str = "admin-without-mfa";
    pub const ENFORCED_UNREGISTERED: &str = "enforced-unregistered";
}
