//! What the tenant is configured to require (enforcement.md §1.1–1.4): Conditional Access
//! policies, security defaults, directory role assignments and group memberships, as the readers
//! fill them. Each part is `None`/empty until an export of it is read: a missing export is unknown,
//! never "no policy", "no admin" or "no member".

use std::collections::HashMap;

use serde::Serialize;

/// Everything the configuration exports said, merged over every input.
#[derive(Debug, Clone, Default)]
pub struct TenantConfig {
    /// Conditional Access policies; `None` when no policy export was read (an export holding no
    /// policy is `Some` and empty).
    pub policies: Option<Vec<Policy>>,
    /// Security defaults on or off; `None` when no export said.
    pub security_defaults: Option<bool>,
    /// Directory role assignments, active and eligible; `None` when no role export was read.
    pub roles: Option<Vec<RoleAssignment>>,
    /// Role definition id or template id (lower case) → display name, from role definition
    /// exports and `directoryRoles` exports (the built-in names are in `vocab::roles`).
    pub role_names: HashMap<String, String>,
    /// Role definition id or template id (lower case) → `isBuiltIn`, as role definition exports
    /// say: what decides `RoleAssignment::custom` before the built-in table does.
    pub role_built_in: HashMap<String, bool>,
    /// Shared, room and equipment mailboxes from an Exchange recipient export.
    pub mailboxes: Vec<Mailbox>,
    /// Groups by object id (lower case), with their members as exported.
    pub groups: HashMap<String, Group>,
    /// The MFA Server's Blocked and Bypassed User History reports.
    pub mfa_server: crate::model::mfa_server::MfaServerHistories,
    /// Which input file each part came from, for `explain` (index into the run's inputs).
    pub policy_files: Vec<u32>,
    pub role_files: Vec<u32>,
    pub group_files: Vec<u32>,
    pub security_defaults_file: Option<u32>,
}

impl TenantConfig {
    /// Whether any configuration export was read (the configured side of the report is known in
    /// part at least).
    pub fn is_empty(&self) -> bool {
        self.policies.is_none()
            && self.security_defaults.is_none()
            && self.roles.is_none()
            && self.groups.is_empty()
    }
}

/// A policy's `state`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PolicyState {
    Enabled,
    /// `enabledForReportingButNotEnforced`: report-only, enforces nothing.
    EnabledForReportingButNotEnforced,
    Disabled,
    /// A value the docs do not list, kept as written.
    #[serde(untagged)]
    Other(String),
}

impl PolicyState {
    pub fn parse(s: &str) -> PolicyState {
        match s.trim() {
            t if t.eq_ignore_ascii_case("enabled") => PolicyState::Enabled,
            t if t.eq_ignore_ascii_case("enabledForReportingButNotEnforced") => {
                PolicyState::EnabledForReportingButNotEnforced
            }
            t if t.eq_ignore_ascii_case("disabled") => PolicyState::Disabled,
            t => PolicyState::Other(t.to_string()),
        }
    }

    /// The state as the export writes it.
    pub fn as_str(&self) -> &str {
        match self {
            PolicyState::Enabled => "enabled",
            PolicyState::EnabledForReportingButNotEnforced => "enabledForReportingButNotEnforced",
            PolicyState::Disabled => "disabled",
            PolicyState::Other(s) => s,
        }
    }
}

/// One Conditional Access policy (`conditionalAccessPolicy`).
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub id: Option<String>,
    pub name: Option<String>,
    pub state: PolicyState,
    pub users: UserTargets,
    pub applications: AppTargets,
    /// `conditions.clientAppTypes` as written (`all`, `browser`, `mobileAppsAndDesktopClients`,
    /// `exchangeActiveSync`, `other`); empty means every client.
    pub client_app_types: Vec<String>,
    /// The other conditions that narrow where the policy applies, each named for the report
    /// (`platforms: android, iOS`, `locations`, `sign-in risk: high`, `device filter`, ...).
    /// Empty when none is set.
    pub narrowing: Vec<String>,
    pub grant: Grant,
    pub created: Option<String>,
    pub modified: Option<String>,
    /// The input it came from (index into the run's inputs).
    pub file: u32,
}

impl Policy {
    /// Its name for messages: the display name, else the id.
    pub fn label(&self) -> &str {
        self.name
            .as_deref()
            .or(self.id.as_deref())
            .unwrap_or("(unnamed policy)")
    }
}

/// `conditions.users`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserTargets {
    /// Object ids, or `All`, `None`, `GuestsOrExternalUsers`.
    pub include_users: Vec<String>,
    pub exclude_users: Vec<String>,
    pub include_groups: Vec<String>,
    pub exclude_groups: Vec<String>,
    /// Directory role template ids.
    pub include_roles: Vec<String>,
    pub exclude_roles: Vec<String>,
    pub include_guests: Option<GuestTargets>,
    pub exclude_guests: Option<GuestTargets>,
}

/// `includeGuestsOrExternalUsers` / `excludeGuestsOrExternalUsers`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GuestTargets {
    /// `internalGuest`, `b2bCollaborationGuest`, `b2bCollaborationMember`, `b2bDirectConnectUser`,
    /// `otherExternalUser`, `serviceProvider` (split from the comma-separated string).
    pub types: Vec<String>,
    /// `externalTenants.membershipKind` is `all` (or absent); `false` when it lists tenants.
    pub all_tenants: bool,
    /// The tenants listed when `all_tenants` is false.
    pub tenants: Vec<String>,
}

/// `conditions.applications`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AppTargets {
    /// `All`, `None`, `Office365`, `MicrosoftAdminPortals`, or application ids.
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// `urn:user:registersecurityinfo`, `urn:user:registerdevice`.
    pub user_actions: Vec<String>,
    /// Authentication context class references (`c1`, ...).
    pub auth_contexts: Vec<String>,
}

/// `grantControls`; `None` controls (a session-only policy) leave everything empty.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Grant {
    /// `AND` or `OR` as written.
    pub operator: Option<String>,
    /// `mfa`, `block`, `compliantDevice`, `domainJoinedDevice`, `approvedApplication`,
    /// `compliantApplication`, `passwordChange`.
    pub controls: Vec<String>,
    pub strength: Option<Strength>,
}

/// `grantControls.authenticationStrength`: an export may hold only the id or only the name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Strength {
    pub id: Option<String>,
    pub name: Option<String>,
    /// `allowedCombinations` (`windowsHelloForBusiness`, `fido2`, `password,microsoftAuthenticatorPush`...).
    pub combinations: Vec<String>,
}

/// One directory role assignment (`roleAssignments`, `directoryRoles` members, or a PIM
/// eligibility).
#[derive(Debug, Clone, PartialEq)]
pub struct RoleAssignment {
    /// The assignee's object id.
    pub principal_id: String,
    /// The assignee's UPN when the export expanded it.
    pub principal_upn: Option<String>,
    /// The role's template id (built-in roles: the id CA policies name).
    pub role_template_id: String,
    /// `directoryScopeId`: `/` is the whole directory; anything else an administrative unit or an
    /// object, which role-targeted policies do not cover.
    pub scope: String,
    /// An eligible (PIM) assignment, not an active one.
    pub eligible: bool,
    /// The role is a custom one (role-targeted policies cover built-in roles only).
    pub custom: bool,
    pub file: u32,
}

/// A mailbox no person signs in to, as an Exchange recipient export lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Mailbox {
    pub upn: Option<String>,
    pub smtp: Option<String>,
    /// `ExternalDirectoryObjectId`: the account's Entra object id.
    pub object_id: Option<String>,
    pub class: crate::model::exceptions::Class,
    /// `RecipientTypeDetails` as written.
    pub kind: String,
    pub file: u32,
}

/// A group as exported, with its members.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Group {
    pub id: String,
    pub name: Option<String>,
    /// The members as listed; `None` when the export carried no member list (a group object
    /// alone: its membership is unresolved).
    pub members: Option<Vec<Member>>,
    /// The list is `transitiveMembers` (nested members already flattened).
    pub transitive: bool,
    /// The list came from `$expand` and holds exactly its 20-member cap: possibly cut short.
    pub maybe_truncated: bool,
    pub file: u32,
}

/// One member of a group.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub id: String,
    pub upn: Option<String>,
    pub kind: MemberKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberKind {
    User,
    Group,
    /// A device, service principal, contact...
    Other,
    /// The export did not say.
    Unknown,
}
