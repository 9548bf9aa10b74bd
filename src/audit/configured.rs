//! Who is required to use MFA, as the tenant is configured (enforcement.md §2): each enabled
//! Conditional Access policy evaluated for each user (included and by what, excluded and by what,
//! what it requires, its scope), per-user MFA and security defaults as sources too. A user's
//! `mfa_required` is the widest scope over every source, `never` only when every source is known,
//! and `null` with the reasons in `unresolved` otherwise.
//!
//! Groups are resolved once per group a policy names (nested groups followed, cycles cut); role
//! holders once per role. Nothing here reads a file: the readers filled [`TenantConfig`].

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::model::config::{
    GuestTargets, MemberKind, Policy, PolicyState, RoleAssignment, TenantConfig,
};
use crate::model::{Directory, PerUserState, User, UserType, settled_by};
use crate::report::audit::{Configured, ExcludedBy, PolicyRef, PolicyReport, RequiredBy};
use crate::vocab::{enforcement, roles};

pub(crate) const ALWAYS: &str = "always";
pub(crate) const CONDITIONAL: &str = "conditional";
pub(crate) const NEVER: &str = "never";

/// The configuration evaluated for every directory user, and each policy's part.
pub(crate) struct Evaluation {
    /// Per directory user, in directory order; `None` where no input says anything (no
    /// configuration export and an unknown per-user state: every field null).
    pub users: Vec<Option<Configured>>,
    /// Each policy with what only its export says (`observed` left for the logs).
    pub policies: Vec<PolicyReport>,
    /// Security defaults as given, or implied off by an enabled policy.
    pub security_defaults: Option<bool>,
    /// Per user, how each policy (index into `policies`) came out: for `explain`.
    pub trace: Option<Vec<Vec<Step>>>,
}

/// One step of a user's evaluation, for `mfaudit explain`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Step {
    pub policy: usize,
    pub outcome: Applies,
}

/// What a policy requires, from its grant controls (§2.4).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Requires {
    /// MFA itself, strictly.
    Mfa,
    /// An authentication strength, by name (or id); phishing-resistant or not.
    Strength {
        name: String,
        phishing_resistant: bool,
    },
    /// `OR` with MFA and another control: the other control lets the user in without MFA.
    MfaOrAlternative {
        alternatives: Vec<String>,
    },
    Block,
    Other,
}

impl Requires {
    pub(crate) fn of(p: &Policy) -> Requires {
        let g = &p.grant;
        let controls: Vec<String> = g.controls.iter().map(|c| c.to_ascii_lowercase()).collect();
        let or = g
            .operator
            .as_deref()
            .is_some_and(|o| o.eq_ignore_ascii_case("or"));
        if controls.iter().any(|c| c == "block") {
            return Requires::Block;
        }
        let mfa = controls.iter().any(|c| c == "mfa");
        let others: Vec<String> = g
            .controls
            .iter()
            .filter(|c| !c.eq_ignore_ascii_case("mfa"))
            .cloned()
            .collect();
        if (mfa || g.strength.is_some()) && or && !others.is_empty() {
            return Requires::MfaOrAlternative {
                alternatives: others,
            };
        }
        if let Some(s) = &g.strength {
            return Requires::Strength {
                name: s
                    .name
                    .clone()
                    .or_else(|| s.id.clone())
                    .unwrap_or_else(|| "unnamed".into()),
                phishing_resistant: enforcement::strength_is_phishing_resistant(
                    s.id.as_deref(),
                    s.name.as_deref(),
                    &s.combinations,
                ),
            };
        }
        if mfa {
            return Requires::Mfa;
        }
        Requires::Other
    }

    /// Demands a second factor (strictly or with an alternative).
    fn is_mfa(&self) -> bool {
        matches!(
            self,
            Requires::Mfa | Requires::Strength { .. } | Requires::MfaOrAlternative { .. }
        )
    }

    /// cli.md's `requires`.
    pub(crate) fn label(&self) -> String {
        match self {
            Requires::Mfa => "mfa".into(),
            Requires::Strength { name, .. } => format!("authentication-strength:{name}"),
            Requires::MfaOrAlternative { .. } => "mfa-or-alternative".into(),
            Requires::Block => "block".into(),
            Requires::Other => "other".into(),
        }
    }
}

/// Whether a policy applies to a user, and why.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Applies {
    /// Included (by `via`) and not excluded.
    Yes { via: String },
    /// Included, and excluded by `via`.
    Excluded { included: String, via: String },
    /// Not included.
    No,
    /// An input that would settle it is missing.
    Unknown { why: String },
}

/// The tri-state of one include or exclude list.
enum Hit {
    Yes(String),
    No,
    Unknown(String),
}

/// What a policy says whatever the user: requirement, resources, conditions.
struct PolicyFacts {
    requires: Requires,
    /// Narrowing conditions other than the client apps (resources, user actions, conditions,
    /// alternatives).
    narrowing: Vec<String>,
    /// The client app types it covers: every client, the modern ones only, or another set.
    clients: Clients,
    /// It blocks legacy clients for everyone it applies to, on every resource, unconditionally.
    blocks_legacy: bool,
    resources: String,
}

#[derive(Clone, Copy, PartialEq)]
enum Clients {
    All,
    ModernOnly,
    Other,
}

const MODERN: [&str; 2] = ["browser", "mobileappsanddesktopclients"];
const LEGACY: [&str; 2] = ["exchangeactivesync", "other"];

impl PolicyFacts {
    fn of(p: &Policy) -> PolicyFacts {
        let a = &p.applications;
        let has = |list: &[String], v: &str| list.iter().any(|x| x.eq_ignore_ascii_case(v));
        let all_resources = has(&a.include, "All") && a.exclude.is_empty();
        let mut narrowing = Vec::new();
        let resources = if has(&a.include, "All") {
            if a.exclude.is_empty() {
                "All".to_string()
            } else {
                format!("All except {}", a.exclude.join(", "))
            }
        } else if !a.include.is_empty() {
            a.include.join(", ")
        } else if !a.user_actions.is_empty() {
            format!("user actions: {}", a.user_actions.join(", "))
        } else if !a.auth_contexts.is_empty() {
            format!("authentication contexts: {}", a.auth_contexts.join(", "))
        } else {
            "None".to_string()
        };
        if !all_resources {
            narrowing.push(if a.user_actions.is_empty() && a.auth_contexts.is_empty() {
                format!("resources: {resources}")
            } else {
                resources.clone()
            });
        }
        narrowing.extend(p.narrowing.iter().cloned());
        let types: Vec<String> = p
            .client_app_types
            .iter()
            .map(|t| t.to_ascii_lowercase())
            .collect();
        let covers = |t: &str| types.iter().any(|x| x == t);
        let every = MODERN.iter().chain(&LEGACY).all(|t| covers(t));
        let clients = if types.is_empty() || covers("all") || every {
            Clients::All
        } else if MODERN.iter().all(|t| covers(t)) && !LEGACY.iter().any(|t| covers(t)) {
            Clients::ModernOnly
        } else {
            Clients::Other
        };
        if clients == Clients::Other {
            narrowing.push(format!("client apps: {}", p.client_app_types.join(", ")));
        }
        let requires = Requires::of(p);
        if let Requires::MfaOrAlternative { alternatives } = &requires {
            narrowing.push(format!("alternative: {}", alternatives.join(", ")));
        }
        let legacy_covered = clients == Clients::All || LEGACY.iter().all(|t| covers(t));
        let blocks_legacy = requires == Requires::Block
            && legacy_covered
            && all_resources
            && p.narrowing.is_empty()
            && p.state == PolicyState::Enabled;
        PolicyFacts {
            requires,
            narrowing,
            clients,
            blocks_legacy,
            resources,
        }
    }
}

/// The words of the client-app narrowing when legacy clients stay open.
const LEGACY_OPEN: &str =
    "client apps: browser, mobile apps and desktop clients (legacy clients not blocked)";

/// Group members resolved to directory users, once per group.
struct Groups<'a> {
    config: &'a TenantConfig,
    directory: &'a Directory,
    resolved: HashMap<String, Resolved>,
}

#[derive(Clone, Default)]
struct Resolved {
    users: HashSet<u32>,
    /// Why some members are unknown (a nested group without membership, a list cut at 20).
    gaps: Vec<String>,
}

impl<'a> Groups<'a> {
    fn new(config: &'a TenantConfig, directory: &'a Directory) -> Self {
        Groups {
            config,
            directory,
            resolved: HashMap::new(),
        }
    }

    fn name(&self, id: &str) -> String {
        self.config
            .groups
            .get(&id.to_ascii_lowercase())
            .and_then(|g| g.name.clone())
            .unwrap_or_else(|| id.to_string())
    }

    /// The users of group `id`, nested groups followed; each group once per walk (cycles cut).
    fn resolve(&mut self, id: &str) -> &Resolved {
        let key = id.to_ascii_lowercase();
        if !self.resolved.contains_key(&key) {
            let mut out = Resolved::default();
            let mut seen = HashSet::new();
            let mut stack = vec![key.clone()];
            while let Some(g) = stack.pop() {
                if !seen.insert(g.clone()) {
                    continue;
                }
                // The readers key groups by their lower-cased id.
                let Some(group) = self.config.groups.get(&g) else {
                    out.gaps
                        .push(format!("group {} is in no group export", self.name(&g)));
                    continue;
                };
                let Some(members) = &group.members else {
                    out.gaps.push(format!(
                        "group {} has no membership export",
                        group.name.as_deref().unwrap_or(&group.id)
                    ));
                    continue;
                };
                if group.maybe_truncated {
                    out.gaps.push(format!(
                        "group {} lists exactly 20 members (Graph's $expand cap): export /groups/{}/transitiveMembers",
                        group.name.as_deref().unwrap_or(&group.id),
                        group.id
                    ));
                }
                for m in members {
                    match (m.kind, self.directory.find_id(&m.id)) {
                        (MemberKind::Group, _) => stack.push(m.id.to_ascii_lowercase()),
                        (_, Some(i)) => {
                            out.users.insert(i as u32);
                        }
                        (MemberKind::User | MemberKind::Unknown, None) => {
                            // A member by UPN only, or a nested group without its type.
                            if let Some(i) =
                                m.upn.as_deref().and_then(|u| self.directory.find_upn(u))
                            {
                                out.users.insert(i as u32);
                            } else if m.kind == MemberKind::Unknown
                                && self.config.groups.contains_key(&m.id.to_ascii_lowercase())
                            {
                                stack.push(m.id.to_ascii_lowercase());
                            }
                        }
                        (MemberKind::Other, None) => {}
                    }
                }
            }
            self.resolved.insert(key.clone(), out);
        }
        &self.resolved[&key]
    }
}

/// Who holds which role, from the role exports.
struct Roles {
    /// Active, directory-wide, built-in: user index → role template ids.
    active: HashMap<u32, Vec<String>>,
    /// Eligible only, or scoped to an administrative unit, or custom: user index → what.
    other: HashMap<u32, Vec<String>>,
}

impl Roles {
    fn new(assignments: &[RoleAssignment], directory: &Directory, groups: &mut Groups<'_>) -> Self {
        let mut active: HashMap<u32, Vec<String>> = HashMap::new();
        let mut other: HashMap<u32, Vec<String>> = HashMap::new();
        for a in assignments {
            // The principal: a user, else a role-assignable group's members.
            let holders: Vec<u32> = match directory.find_id(&a.principal_id).or_else(|| {
                a.principal_upn
                    .as_deref()
                    .and_then(|u| directory.find_upn(u))
            }) {
                Some(i) => vec![i as u32],
                None if groups
                    .config
                    .groups
                    .contains_key(&a.principal_id.to_ascii_lowercase()) =>
                {
                    groups
                        .resolve(&a.principal_id)
                        .users
                        .iter()
                        .copied()
                        .collect()
                }
                None => Vec::new(),
            };
            let template = a.role_template_id.to_ascii_lowercase();
            let name =
                roles::name(&template).map_or_else(|| a.role_template_id.clone(), str::to_string);
            let covered = !a.eligible && !a.custom && a.scope.trim() == "/";
            for h in holders {
                if covered {
                    active.entry(h).or_default().push(template.clone());
                } else {
                    let why = if a.eligible {
                        format!("eligible for {name} (not covered while the role is inactive)")
                    } else if a.custom {
                        format!(
                            "custom role {name} (role-targeted policies cover built-in roles only)"
                        )
                    } else {
                        format!(
                            "{name} scoped to {} (role-targeted policies cover directory-wide assignments only)",
                            a.scope
                        )
                    };
                    other.entry(h).or_default().push(why);
                }
            }
        }
        Roles { active, other }
    }

    fn holds(&self, user: u32, template: &str) -> bool {
        self.active
            .get(&user)
            .is_some_and(|r| r.iter().any(|t| t.eq_ignore_ascii_case(template)))
    }
}

/// The guest or external type of a user (§2.3), or `None` for a member of the tenant; `Err` when
/// it cannot be told.
fn guest_type(u: &User) -> Result<Option<&'static str>, String> {
    let ext = u
        .upn
        .as_deref()
        .is_some_and(|p| p.to_ascii_uppercase().contains("#EXT#"));
    match (&u.user_type, ext) {
        (UserType::Guest, true) => Ok(Some("b2bCollaborationGuest")),
        (UserType::Member, true) => Ok(Some("b2bCollaborationMember")),
        (UserType::Guest, false) => Ok(Some("internalGuest")),
        (UserType::Member, false) => Ok(None),
        (_, true) => {
            Err("its user type is unknown: b2bCollaborationGuest or b2bCollaborationMember".into())
        }
        (_, false) => Ok(None),
    }
}

fn guests_hit(t: &GuestTargets, u: &User) -> Hit {
    match guest_type(u) {
        Ok(None) => Hit::No,
        Ok(Some(kind)) => {
            if !t.types.iter().any(|x| x.trim().eq_ignore_ascii_case(kind)) {
                Hit::No
            } else if t.all_tenants {
                Hit::Yes(format!("guest:{kind}"))
            } else {
                Hit::Unknown(format!(
                    "guest:{kind} from listed tenants only, and the user's home tenant is not in the exports"
                ))
            }
        }
        Err(why) => {
            if t.types.iter().any(|x| {
                x.trim().eq_ignore_ascii_case("b2bCollaborationGuest")
                    || x.trim().eq_ignore_ascii_case("b2bCollaborationMember")
            }) {
                Hit::Unknown(format!("guest type: {why}"))
            } else {
                Hit::No
            }
        }
    }
}

struct Context<'a, 'c> {
    groups: Groups<'a>,
    roles: Option<Roles>,
    config: &'c TenantConfig,
}

impl Context<'_, '_> {
    /// One list of a policy's user conditions (the include or the exclude side).
    #[allow(clippy::too_many_arguments)]
    fn hit(
        &mut self,
        i: u32,
        u: &User,
        users: &[String],
        groups: &[String],
        role_list: &[String],
        guests: Option<&GuestTargets>,
        including: bool,
    ) -> Hit {
        let mut unknown: Vec<String> = Vec::new();
        let id = u.object_id.as_deref();
        for x in users {
            let t = x.trim();
            if including && t.eq_ignore_ascii_case("All") {
                return Hit::Yes("all users".into());
            }
            if t.eq_ignore_ascii_case("GuestsOrExternalUsers") {
                match guest_type(u) {
                    Ok(Some(kind)) => return Hit::Yes(format!("guest:{kind}")),
                    Ok(None) => {}
                    Err(why) => unknown.push(format!("guests: {why}")),
                }
            }
            if id.is_some_and(|id| id.eq_ignore_ascii_case(t)) {
                return Hit::Yes("user".into());
            }
        }
        for g in groups {
            let name = self.groups.name(g);
            let r = self.groups.resolve(g);
            if r.users.contains(&i) {
                return Hit::Yes(format!("group:{name}"));
            }
            unknown.extend(r.gaps.iter().cloned());
        }
        if !role_list.is_empty() {
            match &self.roles {
                Some(roles) => {
                    for t in role_list {
                        if roles.holds(i, t) {
                            let name = roles::name(t).map_or_else(|| t.clone(), str::to_string);
                            return Hit::Yes(format!("role:{name}"));
                        }
                    }
                }
                None => unknown.push(
                    "no directory role export: whether the user holds a role it names is unknown"
                        .into(),
                ),
            }
        }
        if let Some(g) = guests {
            match guests_hit(g, u) {
                Hit::Yes(via) => return Hit::Yes(via),
                Hit::Unknown(why) => unknown.push(why),
                Hit::No => {}
            }
        }
        if unknown.is_empty() {
            Hit::No
        } else {
            unknown.dedup();
            Hit::Unknown(unknown.join("; "))
        }
    }

    fn applies(&mut self, p: &Policy, i: u32, u: &User) -> Applies {
        let t = &p.users;
        let none_only = t
            .include_users
            .iter()
            .all(|x| x.trim().eq_ignore_ascii_case("None"))
            && t.include_groups.is_empty()
            && t.include_roles.is_empty()
            && t.include_guests.is_none();
        if none_only {
            return Applies::No;
        }
        let inc = self.hit(
            i,
            u,
            &t.include_users,
            &t.include_groups,
            &t.include_roles,
            t.include_guests.as_ref(),
            true,
        );
        if matches!(inc, Hit::No) {
            return Applies::No;
        }
        let exc = self.hit(
            i,
            u,
            &t.exclude_users,
            &t.exclude_groups,
            &t.exclude_roles,
            t.exclude_guests.as_ref(),
            false,
        );
        match (inc, exc) {
            (Hit::Yes(included), Hit::Yes(via)) => Applies::Excluded { included, via },
            (_, Hit::Yes(_)) => Applies::No,
            (Hit::Yes(via), Hit::No) => Applies::Yes { via },
            (Hit::Yes(_), Hit::Unknown(why)) => Applies::Unknown {
                why: format!("whether an exclusion removes the user: {why}"),
            },
            (Hit::Unknown(why), _) => Applies::Unknown { why },
            (Hit::No, _) => Applies::No,
        }
    }
}

/// Evaluates the configuration for every directory user. `trace` keeps each user's steps (for
/// `mfaudit explain`); the audit does without.
pub(crate) fn evaluate(config: &TenantConfig, directory: &Directory, trace: bool) -> Evaluation {
    let policies: &[Policy] = config.policies.as_deref().unwrap_or_default();
    let facts: Vec<PolicyFacts> = policies.iter().map(PolicyFacts::of).collect();
    let enabled_ca = policies.iter().any(|p| p.state == PolicyState::Enabled);
    // Security defaults and enabled CA policies exclude each other.
    let security_defaults = config.security_defaults.or(enabled_ca.then_some(false));
    let mut groups = Groups::new(config, directory);
    let roles = config
        .roles
        .as_deref()
        .map(|a| Roles::new(a, directory, &mut groups));
    let mut cx = Context {
        groups,
        roles,
        config,
    };
    let conditions: Vec<Arc<Vec<String>>> = facts
        .iter()
        .map(|f| Arc::new(f.narrowing.clone()))
        .collect();
    let legacy_open: Vec<Arc<Vec<String>>> = facts
        .iter()
        .map(|f| {
            let mut v = f.narrowing.clone();
            v.push(LEGACY_OPEN.to_string());
            Arc::new(v)
        })
        .collect();
    let names: Vec<Names> = policies
        .iter()
        .map(|p| {
            (
                p.name.as_deref().map(Arc::from),
                p.id.as_deref().map(Arc::from),
            )
        })
        .collect();
    let mut covered = vec![0u64; policies.len()];
    let mut excluded = vec![0u64; policies.len()];
    let mut users = Vec::with_capacity(directory.users.len());
    let mut traces = trace.then(Vec::new);
    for (i, u) in directory.users.iter().enumerate() {
        let i = i as u32;
        let outcomes: Vec<Applies> = policies
            .iter()
            .map(|p| {
                if p.state == PolicyState::Disabled {
                    Applies::No
                } else {
                    cx.applies(p, i, u)
                }
            })
            .collect();
        // A policy's reach is counted over enabled users: a disabled account signs in to nothing.
        if crate::report::classic::counts_as_enabled(u) {
            for (k, o) in outcomes.iter().enumerate() {
                match o {
                    Applies::Yes { .. } => covered[k] += 1,
                    Applies::Excluded { .. } => excluded[k] += 1,
                    _ => {}
                }
            }
        }
        let legacy_blocked = security_defaults == Some(true)
            || outcomes
                .iter()
                .zip(&facts)
                .any(|(o, f)| f.blocks_legacy && matches!(o, Applies::Yes { .. }));
        let nothing_known = config.is_empty() && u.per_user_state == PerUserState::Unknown;
        users.push((!nothing_known).then(|| {
            user_verdict(
                u,
                i,
                policies,
                &facts,
                &outcomes,
                legacy_blocked,
                security_defaults,
                &cx,
                (&conditions, &legacy_open, &names),
            )
        }));
        if let Some(t) = &mut traces {
            t.push(
                outcomes
                    .into_iter()
                    .enumerate()
                    .map(|(policy, outcome)| Step { policy, outcome })
                    .collect(),
            );
        }
    }
    let policies = policies
        .iter()
        .zip(&facts)
        .enumerate()
        .map(|(k, (p, f))| PolicyReport {
            id: p.id.clone(),
            name: p.name.clone(),
            state: Some(p.state.as_str().to_string()),
            requires: Some(f.requires.label()),
            users_covered: Some(covered[k]),
            users_excluded: Some(excluded[k]),
            resources: Some(f.resources.clone()),
            conditions: Some({
                let mut c = f.narrowing.clone();
                if f.clients == Clients::ModernOnly {
                    c.push("client apps: browser, mobile apps and desktop clients".into());
                }
                c
            }),
            observed: None,
        })
        .collect();
    Evaluation {
        users,
        policies,
        security_defaults,
        trace: traces,
    }
}

/// A policy's display name and id, shared by every user's entries.
type Names = (Option<Arc<str>>, Option<Arc<str>>);

type Shared<'s> = (&'s [Arc<Vec<String>>], &'s [Arc<Vec<String>>], &'s [Names]);

#[allow(clippy::too_many_arguments)]
fn user_verdict(
    u: &User,
    i: u32,
    policies: &[Policy],
    facts: &[PolicyFacts],
    outcomes: &[Applies],
    legacy_blocked: bool,
    security_defaults: Option<bool>,
    cx: &Context<'_, '_>,
    (conditions, legacy_open, names): Shared<'_>,
) -> Configured {
    let mut required_by = Vec::new();
    let mut excluded_by = Vec::new();
    let mut report_only = Vec::new();
    let mut unresolved = Vec::new();
    let mut phishing = false;
    // Some enabled policy's reach is unknown for the user.
    let mut ca_unknown = false;
    for (k, ((p, f), o)) in policies.iter().zip(facts).zip(outcomes).enumerate() {
        if !f.requires.is_mfa() {
            continue;
        }
        let (policy, policy_id) = names[k].clone();
        match (&p.state, o) {
            (PolicyState::Enabled, Applies::Yes { via }) => {
                let open = f.clients == Clients::ModernOnly && !legacy_blocked;
                let conds = if open {
                    legacy_open[k].clone()
                } else {
                    conditions[k].clone()
                };
                let scope = if conds.is_empty() {
                    ALWAYS
                } else {
                    CONDITIONAL
                };
                if let Requires::Strength {
                    phishing_resistant: true,
                    ..
                } = f.requires
                {
                    phishing = true;
                }
                required_by.push(RequiredBy {
                    source: Cow::Borrowed("conditional-access"),
                    policy,
                    policy_id,
                    via: Some(via.clone()),
                    scope: Cow::Borrowed(scope),
                    conditions: conds,
                });
            }
            (PolicyState::Enabled, Applies::Excluded { via, .. }) => {
                excluded_by.push(ExcludedBy {
                    policy,
                    policy_id,
                    via: via.clone(),
                });
            }
            (PolicyState::Enabled, Applies::Unknown { why }) => {
                ca_unknown = true;
                unresolved.push(format!("{}: {why}", p.label()));
            }
            (PolicyState::EnabledForReportingButNotEnforced, Applies::Yes { .. }) => {
                report_only.push(PolicyRef { policy, policy_id });
            }
            _ => {}
        }
    }
    if cx.config.policies.is_none() {
        unresolved.push("no Conditional Access policy export: whether a policy requires MFA of the user is unknown; export GET /identity/conditionalAccess/policies".to_string());
    }
    match u.per_user_state {
        PerUserState::Enforced | PerUserState::Enabled => required_by.push(RequiredBy {
            source: Cow::Borrowed("per-user"),
            policy: None,
            policy_id: None,
            via: None,
            scope: Cow::Borrowed(ALWAYS),
            conditions: Arc::default(),
        }),
        PerUserState::Disabled => {}
        PerUserState::Unknown => unresolved.push(format!(
            "per-user MFA state unknown; {} would settle it",
            settled_by::PER_USER_STATE
        )),
    }
    match security_defaults {
        Some(true) => {
            let protected = cx.roles.as_ref().map(|r| {
                r.active
                    .get(&i)
                    .is_some_and(|held| held.iter().any(|t| roles::security_defaults_protects(t)))
            });
            match protected {
                Some(true) => required_by.push(security_defaults_source(ALWAYS, Vec::new())),
                Some(false) => required_by.push(security_defaults_source(
                    CONDITIONAL,
                    vec!["when Entra ID judges it necessary".into()],
                )),
                None => {
                    required_by.push(security_defaults_source(
                        CONDITIONAL,
                        vec!["when Entra ID judges it necessary".into()],
                    ));
                    unresolved.push("security defaults require MFA always of administrators: no directory role export says whether the user holds one of their roles".into());
                }
            }
        }
        Some(false) => {}
        None => unresolved.push("security defaults unknown: no identitySecurityDefaultsEnforcementPolicy export, and no enabled Conditional Access policy implies them off".into()),
    }
    let widest = if required_by.iter().any(|r| r.scope == ALWAYS) {
        Some(ALWAYS)
    } else if !unresolved.is_empty() {
        None
    } else if required_by.is_empty() {
        Some(NEVER)
    } else {
        Some(CONDITIONAL)
    };
    let ca_known = cx.config.policies.is_some() && !ca_unknown;
    Configured {
        mfa_required: widest.map(Cow::Borrowed),
        phishing_resistant_required: if phishing {
            Some(true)
        } else {
            ca_known.then_some(false)
        },
        required_by: Some(required_by),
        // Only a policy export can say who is excluded or covered report-only.
        excluded_by: cx.config.policies.is_some().then_some(excluded_by),
        report_only: cx.config.policies.is_some().then_some(report_only),
        unresolved: Some(unresolved),
    }
}

/// Who a policy targets, in words (for a user it does not include).
pub(crate) fn targets(p: &Policy) -> String {
    let t = &p.users;
    let mut parts = Vec::new();
    if !t.include_users.is_empty() {
        parts.push(format!("users: {}", t.include_users.join(", ")));
    }
    if !t.include_groups.is_empty() {
        parts.push(format!("groups: {}", t.include_groups.join(", ")));
    }
    if !t.include_roles.is_empty() {
        let names: Vec<String> = t
            .include_roles
            .iter()
            .map(|r| roles::name(r).map_or_else(|| r.clone(), str::to_string))
            .collect();
        parts.push(format!("roles: {}", names.join(", ")));
    }
    if let Some(g) = &t.include_guests {
        parts.push(format!("guests: {}", g.types.join(", ")));
    }
    if parts.is_empty() {
        "nobody".into()
    } else {
        parts.join("; ")
    }
}

/// What the role exports say of one user beyond the roles policies count: eligible-only,
/// AU-scoped and custom assignments.
pub(crate) fn role_notes(config: &TenantConfig, directory: &Directory, user: usize) -> Vec<String> {
    let Some(assignments) = config.roles.as_deref() else {
        return vec!["no directory role export: the user's roles are unknown".into()];
    };
    let mut groups = Groups::new(config, directory);
    let r = Roles::new(assignments, directory, &mut groups);
    let i = user as u32;
    let mut notes: Vec<String> = r
        .active
        .get(&i)
        .into_iter()
        .flatten()
        .map(|t| {
            format!(
                "{} (active, directory-wide)",
                roles::name(t).map_or_else(|| t.clone(), str::to_string)
            )
        })
        .collect();
    notes.extend(r.other.get(&i).into_iter().flatten().cloned());
    notes
}

fn security_defaults_source(scope: &'static str, conditions: Vec<String>) -> RequiredBy {
    RequiredBy {
        source: Cow::Borrowed("security-defaults"),
        policy: Some(Arc::from("Security defaults")),
        policy_id: None,
        via: None,
        scope: Cow::Borrowed(scope),
        conditions: Arc::new(conditions),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Provenance;
    use crate::model::config::{AppTargets, Grant, Group, Member, Strength, UserTargets};

    const ADA: &str = "a0000000-0000-4000-8000-000000000001";
    const BO: &str = "a0000000-0000-4000-8000-000000000002";
    const GUEST: &str = "a0000000-0000-4000-8000-000000000003";
    const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";

    fn user(id: &str, upn: &str, kind: UserType, state: PerUserState) -> User {
        User {
            upn: Some(upn.into()),
            object_id: Some(id.into()),
            user_type: kind,
            per_user_state: state,
            sources: vec![Provenance { file: 0, record: 0 }],
            ..User::default()
        }
    }

    /// Ada and Bo, members with per-user MFA off; a B2B guest.
    fn directory() -> Directory {
        let mut d = Directory::new();
        for u in [
            user(
                ADA,
                "ada@contoso.com",
                UserType::Member,
                PerUserState::Disabled,
            ),
            user(
                BO,
                "bo@contoso.com",
                UserType::Member,
                PerUserState::Disabled,
            ),
            user(
                GUEST,
                "gus_fabrikam.com#EXT#@contoso.onmicrosoft.com",
                UserType::Guest,
                PerUserState::Disabled,
            ),
        ] {
            d.insert(u);
        }
        d
    }

    /// An enabled policy for all users and resources requiring MFA.
    fn mfa_for_all() -> Policy {
        Policy {
            id: Some("p-all".into()),
            name: Some("MFA for all".into()),
            state: PolicyState::Enabled,
            users: UserTargets {
                include_users: vec!["All".into()],
                ..UserTargets::default()
            },
            applications: AppTargets {
                include: vec!["All".into()],
                ..AppTargets::default()
            },
            client_app_types: vec!["all".into()],
            narrowing: vec![],
            grant: Grant {
                operator: Some("OR".into()),
                controls: vec!["mfa".into()],
                strength: None,
            },
            created: None,
            modified: None,
            file: 0,
        }
    }

    fn config(policies: Vec<Policy>) -> TenantConfig {
        TenantConfig {
            policies: Some(policies),
            ..TenantConfig::default()
        }
    }

    fn group(id: &str, name: &str, members: Option<Vec<(&str, MemberKind)>>) -> (String, Group) {
        (
            id.to_string(),
            Group {
                id: id.into(),
                name: Some(name.into()),
                members: members.map(|m| {
                    m.into_iter()
                        .map(|(id, kind)| Member {
                            id: id.into(),
                            upn: None,
                            kind,
                        })
                        .collect()
                }),
                ..Group::default()
            },
        )
    }

    fn eval(c: &TenantConfig) -> Vec<Configured> {
        evaluate(c, &directory(), false)
            .users
            .into_iter()
            .map(|u| u.expect("known"))
            .collect()
    }

    fn required(c: &Configured) -> Option<&str> {
        c.mfa_required.as_deref()
    }

    fn vias(c: &Configured) -> Vec<(&str, Option<&str>, &str)> {
        c.required_by
            .iter()
            .flatten()
            .map(|r| (r.source.as_ref(), r.via.as_deref(), r.scope.as_ref()))
            .collect()
    }

    #[test]
    fn all_users_with_a_nested_group_exclusion() {
        let mut p = mfa_for_all();
        p.users.exclude_groups = vec!["g-outer".into()];
        let mut c = config(vec![p]);
        c.groups = [
            group(
                "g-outer",
                "Break glass",
                Some(vec![("g-inner", MemberKind::Group)]),
            ),
            group(
                "g-inner",
                "Nested",
                Some(vec![(BO, MemberKind::User), ("g-outer", MemberKind::Group)]),
            ),
        ]
        .into_iter()
        .collect();
        c.security_defaults = Some(false);
        let v = eval(&c);
        assert_eq!(required(&v[0]), Some(ALWAYS));
        assert_eq!(
            vias(&v[0]),
            [("conditional-access", Some("all users"), ALWAYS)]
        );
        // Bo is in the nested group (a cycle back to the outer one is cut): excluded, never.
        assert_eq!(required(&v[1]), Some(NEVER));
        assert_eq!(
            v[1].excluded_by.as_deref().unwrap(),
            [ExcludedBy {
                policy: Some("MFA for all".into()),
                policy_id: Some("p-all".into()),
                via: "group:Break glass".into()
            }]
        );
        // "All users" includes B2B guests.
        assert_eq!(
            vias(&v[2]),
            [("conditional-access", Some("all users"), ALWAYS)]
        );
    }

    #[test]
    fn a_group_without_membership_is_unresolved_not_empty() {
        let mut p = mfa_for_all();
        p.users.exclude_groups = vec!["g-x".into()];
        let mut c = config(vec![p]);
        c.groups = [group("g-x", "Exclusions", None)].into_iter().collect();
        c.security_defaults = Some(false);
        let v = eval(&c);
        assert_eq!(required(&v[0]), None);
        assert_eq!(
            v[0].unresolved.as_deref().unwrap(),
            [
                "MFA for all: whether an exclusion removes the user: group Exclusions has no membership export"
            ]
        );
        // A group no export describes at all.
        let mut p = mfa_for_all();
        p.users.include_users = vec![];
        p.users.include_groups = vec!["g-missing".into()];
        let mut c = config(vec![p]);
        c.security_defaults = Some(false);
        assert_eq!(
            eval(&c)[0].unresolved.as_deref().unwrap(),
            ["MFA for all: group g-missing is in no group export"]
        );
    }

    #[test]
    fn roles_count_when_active_directory_wide_and_built_in() {
        let mut p = mfa_for_all();
        p.users.include_users = vec![];
        p.users.include_roles = vec![GLOBAL_ADMIN.into()];
        let assignment = |who: &str, scope: &str, eligible: bool| RoleAssignment {
            principal_id: who.into(),
            principal_upn: None,
            role_template_id: GLOBAL_ADMIN.into(),
            scope: scope.into(),
            eligible,
            custom: false,
            file: 0,
        };
        let mut c = config(vec![p]);
        c.security_defaults = Some(false);
        // Without a role export nobody is known to hold the role.
        assert_eq!(
            eval(&c)[0].unresolved.as_deref().unwrap(),
            [
                "MFA for all: no directory role export: whether the user holds a role it names is unknown"
            ]
        );
        c.roles = Some(vec![
            assignment(ADA, "/", false),
            // An assignment scoped to an administrative unit, and an eligible-only one.
            assignment(BO, "/administrativeUnits/au-1", false),
            assignment(GUEST, "/", true),
        ]);
        let v = eval(&c);
        assert_eq!(required(&v[0]), Some(ALWAYS));
        assert_eq!(
            vias(&v[0])[0].1,
            Some(format!("role:{}", roles::name(GLOBAL_ADMIN).unwrap_or(GLOBAL_ADMIN)).as_str())
        );
        assert_eq!(required(&v[1]), Some(NEVER));
        assert_eq!(required(&v[2]), Some(NEVER));
    }

    #[test]
    fn guest_types_from_the_directory() {
        let mut p = mfa_for_all();
        p.users.include_users = vec![];
        p.users.include_guests = Some(GuestTargets {
            types: vec!["b2bCollaborationGuest".into()],
            all_tenants: true,
            tenants: vec![],
        });
        let mut c = config(vec![p]);
        c.security_defaults = Some(false);
        let v = eval(&c);
        assert_eq!(required(&v[0]), Some(NEVER));
        assert_eq!(
            vias(&v[2]),
            [(
                "conditional-access",
                Some("guest:b2bCollaborationGuest"),
                ALWAYS
            )]
        );
        // The legacy GuestsOrExternalUsers value.
        let mut p = mfa_for_all();
        p.users.include_users = vec!["GuestsOrExternalUsers".into()];
        let mut c = config(vec![p]);
        c.security_defaults = Some(false);
        let v = eval(&c);
        assert_eq!(required(&v[1]), Some(NEVER));
        assert_eq!(required(&v[2]), Some(ALWAYS));
    }

    #[test]
    fn what_a_policy_requires() {
        let with = |operator: &str, controls: &[&str], strength: Option<Strength>| {
            let mut p = mfa_for_all();
            p.grant = Grant {
                operator: Some(operator.into()),
                controls: controls.iter().map(|c| c.to_string()).collect(),
                strength,
            };
            Requires::of(&p)
        };
        assert_eq!(with("OR", &["mfa"], None), Requires::Mfa);
        assert_eq!(
            with("AND", &["mfa", "compliantDevice"], None),
            Requires::Mfa
        );
        assert_eq!(
            with("OR", &["mfa", "compliantDevice"], None),
            Requires::MfaOrAlternative {
                alternatives: vec!["compliantDevice".into()]
            }
        );
        assert_eq!(with("OR", &["block"], None), Requires::Block);
        assert_eq!(with("OR", &["compliantDevice"], None), Requires::Other);
        let by_id = Strength {
            id: Some("00000000-0000-0000-0000-000000000004".into()),
            ..Strength::default()
        };
        assert_eq!(
            with("OR", &[], Some(by_id)),
            Requires::Strength {
                name: "00000000-0000-0000-0000-000000000004".into(),
                phishing_resistant: true
            }
        );
        let by_name = Strength {
            name: Some("Multifactor authentication".into()),
            ..Strength::default()
        };
        assert_eq!(
            with("AND", &["compliantDevice"], Some(by_name)),
            Requires::Strength {
                name: "Multifactor authentication".into(),
                phishing_resistant: false
            }
        );
        let combos = Strength {
            name: Some("Keys only".into()),
            combinations: vec!["fido2".into(), "windowsHelloForBusiness".into()],
            ..Strength::default()
        };
        assert_eq!(
            with("OR", &[], Some(combos)),
            Requires::Strength {
                name: "Keys only".into(),
                phishing_resistant: true
            }
        );
    }

    #[test]
    fn mfa_or_a_compliant_device_is_at_most_conditional() {
        let mut p = mfa_for_all();
        p.grant.controls.push("compliantDevice".into());
        let mut c = config(vec![p]);
        c.security_defaults = Some(false);
        let v = eval(&c);
        assert_eq!(required(&v[0]), Some(CONDITIONAL));
        assert_eq!(
            *v[0].required_by.as_ref().unwrap()[0].conditions,
            ["alternative: compliantDevice"]
        );
    }

    #[test]
    fn modern_clients_only_leave_legacy_open_unless_blocked() {
        let mut p = mfa_for_all();
        p.client_app_types = vec!["browser".into(), "mobileAppsAndDesktopClients".into()];
        let mut c = config(vec![p.clone()]);
        c.security_defaults = Some(false);
        let v = eval(&c);
        assert_eq!(required(&v[0]), Some(CONDITIONAL));
        assert_eq!(
            *v[0].required_by.as_ref().unwrap()[0].conditions,
            [LEGACY_OPEN]
        );
        let block = Policy {
            id: Some("p-legacy".into()),
            name: Some("Block legacy".into()),
            client_app_types: vec!["exchangeActiveSync".into(), "other".into()],
            grant: Grant {
                operator: Some("OR".into()),
                controls: vec!["block".into()],
                strength: None,
            },
            ..mfa_for_all()
        };
        let mut c = config(vec![p, block]);
        c.security_defaults = Some(false);
        assert_eq!(required(&eval(&c)[0]), Some(ALWAYS));
    }

    #[test]
    fn report_only_disabled_user_actions_and_none() {
        let mut report_only = mfa_for_all();
        report_only.state = PolicyState::EnabledForReportingButNotEnforced;
        let mut disabled = mfa_for_all();
        disabled.state = PolicyState::Disabled;
        let mut c = config(vec![report_only, disabled]);
        c.security_defaults = Some(false);
        let v = eval(&c);
        // Neither enforces anything: per-user MFA off, security defaults off, never.
        assert_eq!(required(&v[0]), Some(NEVER));
        assert_eq!(
            v[0].report_only.as_deref().unwrap(),
            [PolicyRef {
                policy: Some("MFA for all".into()),
                policy_id: Some("p-all".into())
            }]
        );
        let mut action = mfa_for_all();
        action.applications = AppTargets {
            user_actions: vec!["urn:user:registerdevice".into()],
            ..AppTargets::default()
        };
        let mut nobody = mfa_for_all();
        nobody.users.include_users = vec!["None".into()];
        let mut c = config(vec![action, nobody]);
        c.security_defaults = Some(false);
        let v = eval(&c);
        assert_eq!(required(&v[0]), Some(CONDITIONAL));
        assert_eq!(
            *v[0].required_by.as_ref().unwrap()[0].conditions,
            ["user actions: urn:user:registerdevice"]
        );
        assert_eq!(
            v[0].required_by.as_ref().unwrap().len(),
            1,
            "None includes nobody"
        );
    }

    #[test]
    fn never_only_when_every_source_is_known() {
        // No policy export: unknown, whatever the per-user state.
        let c = TenantConfig {
            security_defaults: Some(false),
            ..TenantConfig::default()
        };
        assert_eq!(required(&eval(&c)[0]), None);
        // Policies known, security defaults implied off by an enabled policy, per-user off.
        let mut p = mfa_for_all();
        p.users.include_users = vec![BO.into()];
        let v = eval(&config(vec![p]));
        assert_eq!(required(&v[0]), Some(NEVER));
        assert_eq!(required(&v[1]), Some(ALWAYS));
        assert_eq!(vias(&v[1]), [("conditional-access", Some("user"), ALWAYS)]);
        // Security defaults on: conditional for members, unknown for admins without a role export.
        let c = TenantConfig {
            policies: Some(vec![]),
            security_defaults: Some(true),
            roles: Some(vec![]),
            ..TenantConfig::default()
        };
        let v = eval(&c);
        assert_eq!(required(&v[0]), Some(CONDITIONAL));
        assert_eq!(vias(&v[0]), [("security-defaults", None, CONDITIONAL)]);
    }

    #[test]
    fn narrowing_conditions_make_it_conditional_and_are_named() {
        let mut p = mfa_for_all();
        p.applications.include = vec!["Office365".into()];
        p.narrowing = vec!["locations: All except AllTrusted".into()];
        let mut c = config(vec![p]);
        c.security_defaults = Some(false);
        let v = eval(&c);
        assert_eq!(required(&v[0]), Some(CONDITIONAL));
        assert_eq!(
            *v[0].required_by.as_ref().unwrap()[0].conditions,
            ["resources: Office365", "locations: All except AllTrusted"]
        );
        let e = evaluate(&c, &directory(), false);
        assert_eq!(e.policies[0].users_covered, Some(3));
        assert_eq!(e.policies[0].requires.as_deref(), Some("mfa"));
        assert_eq!(e.policies[0].resources.as_deref(), Some("Office365"));
    }
}
