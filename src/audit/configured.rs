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
    pub users: Vec<Option<Arc<Configured>>>,
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
            // A built-in strength given by id alone is named as Microsoft names it.
            let built_in = s.id.as_deref().and_then(|id| {
                enforcement::BUILT_IN_STRENGTHS
                    .iter()
                    .find(|(i, _, _)| i.eq_ignore_ascii_case(id.trim()))
                    .map(|(_, name, _)| name.to_string())
            });
            return Requires::Strength {
                name: s
                    .name
                    .clone()
                    .or(built_in)
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

/// How one policy came out for one user, as the evaluation works with it: the texts are indexes
/// into the shared table ([`Vias`]), one per group, role or guest type, so evaluating a user
/// allocates and shares nothing where the outcome is settled.
#[derive(Clone, PartialEq)]
enum Outcome {
    Yes { via: u32 },
    Excluded { included: u32, via: u32 },
    No,
    Unknown { why: Arc<str> },
}

/// The tri-state of one include or exclude list.
enum Hit {
    Yes(u32),
    No,
    Unknown(Arc<str>),
}

/// Every "included by" / "excluded by" text, once.
#[derive(Default)]
struct Vias(Vec<Arc<str>>);

impl Vias {
    fn add(&mut self, text: String) -> u32 {
        self.0.push(Arc::from(text));
        (self.0.len() - 1) as u32
    }

    fn text(&self, via: u32) -> &Arc<str> {
        &self.0[via as usize]
    }
}

impl Outcome {
    fn traced(&self, vias: &Vias) -> Applies {
        match self {
            Outcome::Yes { via } => Applies::Yes {
                via: vias.text(*via).to_string(),
            },
            Outcome::Excluded { included, via } => Applies::Excluded {
                included: vias.text(*included).to_string(),
                via: vias.text(*via).to_string(),
            },
            Outcome::No => Applies::No,
            Outcome::Unknown { why } => Applies::Unknown {
                why: why.to_string(),
            },
        }
    }
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
        } else if !a.include.is_empty() && a.exclude.is_empty() {
            a.include.join(", ")
        } else if !a.include.is_empty() {
            format!("{} except {}", a.include.join(", "), a.exclude.join(", "))
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

/// Group members resolved to directory users, once per group a policy or a role assignment
/// names, before any user is evaluated (read-only after, so users are evaluated on every core).
struct Groups<'a> {
    config: &'a TenantConfig,
    resolved: HashMap<String, Resolved>,
}

#[derive(Clone, Default)]
struct Resolved {
    users: Bitset,
    /// `group:NAME`, as a user included or excluded by it is told (in [`Vias`]).
    via: u32,
    /// Why some members are unknown (a nested group without membership, a list cut at 20),
    /// joined; `None` when every member is known.
    gaps: Option<Arc<str>>,
}

impl<'a> Groups<'a> {
    fn new(config: &'a TenantConfig, directory: &Directory, vias: &mut Vias) -> Self {
        let mut named: Vec<&str> = Vec::new();
        for p in config.policies.iter().flatten() {
            let t = &p.users;
            named.extend(
                t.include_groups
                    .iter()
                    .chain(&t.exclude_groups)
                    .map(String::as_str),
            );
        }
        for a in config.roles.iter().flatten() {
            if config
                .groups
                .contains_key(&a.principal_id.to_ascii_lowercase())
            {
                named.push(&a.principal_id);
            }
        }
        let mut groups = Groups {
            config,
            resolved: HashMap::new(),
        };
        for id in named {
            let key = id.to_ascii_lowercase();
            if !groups.resolved.contains_key(&key) {
                let r = groups.walk(&key, directory, vias);
                groups.resolved.insert(key, r);
            }
        }
        groups
    }

    fn name(&self, id: &str) -> String {
        self.config
            .groups
            .get(&id.to_ascii_lowercase())
            .and_then(|g| g.name.clone())
            .unwrap_or_else(|| id.to_string())
    }

    /// The group a policy names, resolved (every named group was, in [`Groups::new`]).
    fn get(&self, id: &str) -> Option<&Resolved> {
        self.resolved.get(&id.to_ascii_lowercase())
    }

    /// The users of group `key`, nested groups followed; each group once per walk (cycles cut).
    fn walk(&self, key: &str, directory: &Directory, vias: &mut Vias) -> Resolved {
        let mut users = Bitset::new(directory.users.len());
        let mut gaps: Vec<String> = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![key.to_string()];
        while let Some(g) = stack.pop() {
            if !seen.insert(g.clone()) {
                continue;
            }
            // The readers key groups by their lower-cased id.
            let Some(group) = self.config.groups.get(&g) else {
                gaps.push(format!("group {} is in no group export", self.name(&g)));
                continue;
            };
            let Some(members) = &group.members else {
                gaps.push(format!(
                    "group {} has no membership export",
                    group.name.as_deref().unwrap_or(&group.id)
                ));
                continue;
            };
            if group.maybe_truncated {
                gaps.push(format!(
                    "group {} lists exactly 20 members (Graph's $expand cap): export /groups/{}/transitiveMembers",
                    group.name.as_deref().unwrap_or(&group.id),
                    group.id
                ));
            }
            for m in members {
                match (m.kind, directory.find_id(&m.id)) {
                    (MemberKind::Group, _) => stack.push(m.id.to_ascii_lowercase()),
                    (_, Some(i)) => users.insert(i as u32),
                    (MemberKind::User | MemberKind::Unknown, None) => {
                        // A member by UPN only, or a nested group without its type.
                        if let Some(i) = m.upn.as_deref().and_then(|u| directory.find_upn(u)) {
                            users.insert(i as u32)
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
        Resolved {
            users,
            via: vias.add(format!("group:{}", self.name(key))),
            gaps: (!gaps.is_empty()).then(|| Arc::from(gaps.join("; "))),
        }
    }
}

/// A set of directory users, one bit each: membership is tested for every user and policy.
#[derive(Clone, Default)]
struct Bitset(Vec<u64>);

impl Bitset {
    fn new(n: usize) -> Bitset {
        Bitset(vec![0; n.div_ceil(64)])
    }

    fn insert(&mut self, i: u32) {
        if let Some(w) = self.0.get_mut(i as usize / 64) {
            *w |= 1 << (i % 64);
        }
    }

    fn contains(&self, i: u32) -> bool {
        self.0
            .get(i as usize / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.0.iter().enumerate().flat_map(|(k, &w)| {
            (0..64)
                .filter(move |b| w & (1 << b) != 0)
                .map(move |b| (k * 64 + b) as u32)
        })
    }
}

/// Who holds which role, from the role exports.
struct Roles {
    /// Active, directory-wide, built-in: user index → role template ids.
    active: HashMap<u32, Vec<String>>,
    /// Eligible only, or scoped to an administrative unit, or custom: user index → what.
    other: HashMap<u32, Vec<String>>,
    /// `role:NAME` per template id (lower case), as a user included by it is told.
    via: HashMap<String, u32>,
    /// The active holders of each role the policies name (lower-case template id).
    holders: HashMap<String, Bitset>,
}

impl Roles {
    fn new(assignments: &[RoleAssignment], directory: &Directory, groups: &Groups<'_>) -> Self {
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
                None => groups
                    .get(&a.principal_id)
                    .map(|r| r.users.iter().collect())
                    .unwrap_or_default(),
            };
            let template = a.role_template_id.to_ascii_lowercase();
            let name = role_name(&template);
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
        Roles {
            active,
            other,
            via: HashMap::new(),
            holders: HashMap::new(),
        }
    }

    /// The shared `role:NAME` text and the holders of each role the policies name.
    fn name_roles(&mut self, policies: &[Policy], users: usize, vias: &mut Vias) {
        for p in policies {
            for t in p.users.include_roles.iter().chain(&p.users.exclude_roles) {
                let key = t.to_ascii_lowercase();
                if self.via.contains_key(&key) {
                    continue;
                }
                let mut holders = Bitset::new(users);
                for (&u, held) in &self.active {
                    if held.contains(&key) {
                        holders.insert(u);
                    }
                }
                self.holders.insert(key.clone(), holders);
                self.via
                    .insert(key.clone(), vias.add(format!("role:{}", role_name(&key))));
            }
        }
    }
}

/// A role's display name, else its template id.
fn role_name(template: &str) -> String {
    roles::name(template).map_or_else(|| template.to_string(), str::to_string)
}

/// The guest and external types the directory tells apart (§2.3).
const GUEST_TYPES: [&str; 3] = [
    "b2bCollaborationGuest",
    "b2bCollaborationMember",
    "internalGuest",
];

/// The guest or external type of a user (§2.3) as an index into [`GUEST_TYPES`], or `None` for a
/// member of the tenant; `Err` when it cannot be told.
fn guest_type(u: &User) -> Result<Option<usize>, ()> {
    let ext = u
        .upn
        .as_deref()
        .is_some_and(|p| p.to_ascii_uppercase().contains("#EXT#"));
    match (&u.user_type, ext) {
        (UserType::Guest, true) => Ok(Some(0)),
        (UserType::Member, true) => Ok(Some(1)),
        (UserType::Guest, false) => Ok(Some(2)),
        (UserType::Member, false) => Ok(None),
        (_, true) => Err(()),
        (_, false) => Ok(None),
    }
}

/// The texts every user's evaluation shares.
struct Texts {
    all_users: u32,
    user: u32,
    /// `guest:TYPE`, per [`GUEST_TYPES`].
    guests: [u32; 3],
    guest_type_unknown: Arc<str>,
    listed_tenants: [Arc<str>; 3],
    no_roles: Arc<str>,
}

impl Texts {
    fn new(vias: &mut Vias) -> Texts {
        Texts {
            all_users: vias.add("all users".into()),
            user: vias.add("user".into()),
            guests: GUEST_TYPES.map(|t| vias.add(format!("guest:{t}"))),
            guest_type_unknown: Arc::from(
                "guest type: its user type is unknown: b2bCollaborationGuest or b2bCollaborationMember",
            ),
            listed_tenants: GUEST_TYPES.map(|t| {
                Arc::from(format!(
                    "guest:{t} from listed tenants only, and the user's home tenant is not in the exports"
                ))
            }),
            no_roles: Arc::from(
                "no directory role export: whether the user holds a role it names is unknown",
            ),
        }
    }
}

/// A policy's groups and roles, resolved once: what each user is tested against.
struct Reach<'r> {
    /// `includeUsers` names nobody but `None`, and nothing else includes anyone.
    nobody: bool,
    include: UserNames<'r>,
    exclude: UserNames<'r>,
    include_groups: Vec<&'r Resolved>,
    exclude_groups: Vec<&'r Resolved>,
    /// `None` when the policy names roles and no role export was read.
    include_roles: Option<Vec<(&'r Bitset, u32)>>,
    exclude_roles: Option<Vec<(&'r Bitset, u32)>>,
}

/// A policy's `includeUsers` / `excludeUsers`, sorted out once.
struct UserNames<'r> {
    /// `All` (on the include side).
    all: bool,
    /// `GuestsOrExternalUsers`.
    guests: bool,
    /// Object ids.
    ids: Vec<&'r str>,
}

impl<'r> UserNames<'r> {
    fn of(list: &'r [String], including: bool) -> UserNames<'r> {
        let is = |x: &str, v: &str| x.trim().eq_ignore_ascii_case(v);
        UserNames {
            all: including && list.iter().any(|x| is(x, "All")),
            guests: list.iter().any(|x| is(x, "GuestsOrExternalUsers")),
            ids: list
                .iter()
                .map(|x| x.trim())
                .filter(|x| {
                    !["All", "None", "GuestsOrExternalUsers"]
                        .iter()
                        .any(|v| x.eq_ignore_ascii_case(v))
                })
                .collect(),
        }
    }
}

impl<'r> Reach<'r> {
    fn of(p: &'r Policy, groups: &'r Groups<'_>, roles: Option<&'r Roles>) -> Reach<'r> {
        let resolve = |ids: &[String]| ids.iter().filter_map(|g| groups.get(g)).collect();
        let roles_of = |ids: &[String]| -> Option<Vec<(&'r Bitset, u32)>> {
            if ids.is_empty() {
                return Some(Vec::new());
            }
            let roles = roles?;
            Some(
                ids.iter()
                    .filter_map(|t| {
                        let key = t.to_ascii_lowercase();
                        Some((roles.holders.get(&key)?, *roles.via.get(&key)?))
                    })
                    .collect(),
            )
        };
        let t = &p.users;
        Reach {
            nobody: t
                .include_users
                .iter()
                .all(|x| x.trim().eq_ignore_ascii_case("None"))
                && t.include_groups.is_empty()
                && t.include_roles.is_empty()
                && t.include_guests.is_none(),
            include: UserNames::of(&t.include_users, true),
            exclude: UserNames::of(&t.exclude_users, false),
            include_groups: resolve(&p.users.include_groups),
            exclude_groups: resolve(&p.users.exclude_groups),
            include_roles: roles_of(&p.users.include_roles),
            exclude_roles: roles_of(&p.users.exclude_roles),
        }
    }
}

struct Context<'a, 'c> {
    groups: Groups<'a>,
    roles: Option<Roles>,
    config: &'c TenantConfig,
    texts: Texts,
    vias: Vias,
}

impl Context<'_, '_> {
    fn guests_hit(&self, t: &GuestTargets, u: &User) -> Hit {
        let listed = |kind: &str| t.types.iter().any(|x| x.trim().eq_ignore_ascii_case(kind));
        match guest_type(u) {
            Ok(None) => Hit::No,
            Ok(Some(k)) if !listed(GUEST_TYPES[k]) => Hit::No,
            Ok(Some(k)) if t.all_tenants => Hit::Yes(self.texts.guests[k]),
            Ok(Some(k)) => Hit::Unknown(self.texts.listed_tenants[k].clone()),
            Err(()) if listed(GUEST_TYPES[0]) || listed(GUEST_TYPES[1]) => {
                Hit::Unknown(self.texts.guest_type_unknown.clone())
            }
            Err(()) => Hit::No,
        }
    }

    /// One list of a policy's user conditions (the include or the exclude side).
    #[allow(clippy::too_many_arguments)]
    fn hit(
        &self,
        i: u32,
        u: &User,
        users: &UserNames<'_>,
        groups: &[&Resolved],
        role_list: Option<&[(&Bitset, u32)]>,
        guests: Option<&GuestTargets>,
    ) -> Hit {
        if users.all {
            return Hit::Yes(self.texts.all_users);
        }
        let mut unknown: Vec<Arc<str>> = Vec::new();
        if users.guests {
            match guest_type(u) {
                Ok(Some(k)) => return Hit::Yes(self.texts.guests[k]),
                Ok(None) => {}
                Err(()) => unknown.push(self.texts.guest_type_unknown.clone()),
            }
        }
        if let Some(id) = u.object_id.as_deref()
            && users.ids.iter().any(|x| x.eq_ignore_ascii_case(id))
        {
            return Hit::Yes(self.texts.user);
        }
        for r in groups {
            if r.users.contains(i) {
                return Hit::Yes(r.via);
            }
            unknown.extend(r.gaps.iter().cloned());
        }
        match role_list {
            Some(roles) => {
                for &(holders, via) in roles {
                    if holders.contains(i) {
                        return Hit::Yes(via);
                    }
                }
            }
            None => unknown.push(self.texts.no_roles.clone()),
        }
        if let Some(g) = guests {
            match self.guests_hit(g, u) {
                Hit::Yes(via) => return Hit::Yes(via),
                Hit::Unknown(why) => unknown.push(why),
                Hit::No => {}
            }
        }
        match unknown.len() {
            0 => Hit::No,
            1 => Hit::Unknown(unknown.remove(0)),
            _ => {
                unknown.dedup();
                let texts: Vec<&str> = unknown.iter().map(|w| &**w).collect();
                Hit::Unknown(Arc::from(texts.join("; ")))
            }
        }
    }

    fn applies(&self, p: &Policy, r: &Reach<'_>, i: u32, u: &User) -> Outcome {
        let t = &p.users;
        if r.nobody {
            return Outcome::No;
        }
        let inc = self.hit(
            i,
            u,
            &r.include,
            &r.include_groups,
            r.include_roles.as_deref(),
            t.include_guests.as_ref(),
        );
        if matches!(inc, Hit::No) {
            return Outcome::No;
        }
        let exc = self.hit(
            i,
            u,
            &r.exclude,
            &r.exclude_groups,
            r.exclude_roles.as_deref(),
            t.exclude_guests.as_ref(),
        );
        match (inc, exc) {
            (Hit::Yes(included), Hit::Yes(via)) => Outcome::Excluded { included, via },
            (_, Hit::Yes(_)) => Outcome::No,
            (Hit::Yes(via), Hit::No) => Outcome::Yes { via },
            (Hit::Yes(_), Hit::Unknown(why)) => Outcome::Unknown {
                why: Arc::from(format!("whether an exclusion removes the user: {why}")),
            },
            (Hit::Unknown(why), _) => Outcome::Unknown { why },
            (Hit::No, _) => Outcome::No,
        }
    }
}

/// Evaluates the configuration for every directory user, on every core. Users whose evaluation
/// came out the same (the same policies applying the same way, the same per-user state) share one
/// verdict: a large tenant has a few thousand distinct ones, not one per user. `trace` keeps each
/// user's steps (for `mfaudit explain`); the audit does without.
pub(crate) fn evaluate(config: &TenantConfig, directory: &Directory, trace: bool) -> Evaluation {
    let policies: &[Policy] = config.policies.as_deref().unwrap_or_default();
    let facts: Vec<PolicyFacts> = policies.iter().map(PolicyFacts::of).collect();
    let enabled_ca = policies.iter().any(|p| p.state == PolicyState::Enabled);
    // Security defaults and enabled CA policies exclude each other.
    let security_defaults = config.security_defaults.or(enabled_ca.then_some(false));
    let mut vias = Vias::default();
    let texts = Texts::new(&mut vias);
    let groups = Groups::new(config, directory, &mut vias);
    let roles = config.roles.as_deref().map(|a| {
        let mut r = Roles::new(a, directory, &groups);
        r.name_roles(policies, directory.users.len(), &mut vias);
        r
    });
    let cx = Context {
        groups,
        roles,
        config,
        texts,
        vias,
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
    let shared = (&conditions[..], &legacy_open[..], &names[..]);
    let reach: Vec<Reach<'_>> = policies
        .iter()
        .map(|p| Reach::of(p, &cx.groups, cx.roles.as_ref()))
        .collect();
    let indexes: Vec<u32> = (0..directory.users.len() as u32).collect();
    let parts = crate::par::parts(&indexes, |part| {
        let mut out = Part {
            users: Vec::with_capacity(part.len()),
            covered: vec![0; policies.len()],
            excluded: vec![0; policies.len()],
            traces: Vec::new(),
        };
        let mut verdicts: HashMap<Key, Arc<Configured>, foldhash::fast::RandomState> =
            HashMap::default();
        for &i in part {
            let u = &directory.users[i as usize];
            let outcomes: Vec<Outcome> = policies
                .iter()
                .zip(&reach)
                .map(|(p, r)| {
                    if p.state == PolicyState::Disabled {
                        Outcome::No
                    } else {
                        cx.applies(p, r, i, u)
                    }
                })
                .collect();
            // A policy's reach is counted over enabled users: a disabled account signs in to
            // nothing.
            if crate::report::classic::counts_as_enabled(u) {
                for (k, o) in outcomes.iter().enumerate() {
                    match o {
                        Outcome::Yes { .. } => out.covered[k] += 1,
                        Outcome::Excluded { .. } => out.excluded[k] += 1,
                        _ => {}
                    }
                }
            }
            let nothing_known = config.is_empty() && u.per_user_state == PerUserState::Unknown;
            if nothing_known {
                out.users.push(None);
            } else {
                let legacy_blocked = security_defaults == Some(true)
                    || outcomes
                        .iter()
                        .zip(&facts)
                        .any(|(o, f)| f.blocks_legacy && matches!(o, Outcome::Yes { .. }));
                // A legacy block whose reach is unknown leaves the legacy clients' fate unknown.
                let legacy_unknown =
                    (!legacy_blocked)
                        .then(|| {
                            outcomes.iter().zip(&facts).zip(policies).find_map(
                                |((o, f), p)| match o {
                                    Outcome::Unknown { why } if f.blocks_legacy => {
                                        Some(Arc::<str>::from(format!("{}: {why}", p.label())))
                                    }
                                    _ => None,
                                },
                            )
                        })
                        .flatten();
                // Whether the user holds a role security defaults protects (unknown without a
                // role export).
                let protected = cx.roles.as_ref().map(|r| {
                    r.active.get(&i).is_some_and(|held| {
                        held.iter().any(|t| roles::security_defaults_protects(t))
                    })
                });
                let key = Key {
                    per_user: u.per_user_state,
                    legacy_blocked,
                    legacy_unknown: legacy_unknown.clone(),
                    protected,
                    outcomes: outcomes.iter().map(KeyPart::of).collect(),
                };
                let verdict = verdicts.entry(key).or_insert_with(|| {
                    Arc::new(user_verdict(
                        u,
                        policies,
                        &facts,
                        &outcomes,
                        (legacy_blocked, legacy_unknown.as_deref(), protected),
                        security_defaults,
                        &cx,
                        shared,
                    ))
                });
                out.users.push(Some(verdict.clone()));
            }
            if trace {
                out.traces.push(
                    outcomes
                        .iter()
                        .enumerate()
                        .map(|(policy, o)| Step {
                            policy,
                            outcome: o.traced(&cx.vias),
                        })
                        .collect(),
                );
            }
        }
        out
    });
    let mut covered = vec![0u64; policies.len()];
    let mut excluded = vec![0u64; policies.len()];
    let mut users = Vec::with_capacity(directory.users.len());
    let mut traces = trace.then(Vec::new);
    for part in parts {
        for k in 0..policies.len() {
            covered[k] += part.covered[k];
            excluded[k] += part.excluded[k];
        }
        users.extend(part.users);
        if let Some(t) = &mut traces {
            t.extend(part.traces);
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

/// What one thread evaluated.
struct Part {
    users: Vec<Option<Arc<Configured>>>,
    covered: Vec<u64>,
    excluded: Vec<u64>,
    traces: Vec<Vec<Step>>,
}

/// Everything a user's verdict depends on: two users with the same key get the same verdict.
/// The texts are compared by identity where they are shared (one per group, role or type).
#[derive(PartialEq, Eq, Hash)]
struct Key {
    per_user: PerUserState,
    legacy_blocked: bool,
    legacy_unknown: Option<Arc<str>>,
    protected: Option<bool>,
    outcomes: Vec<KeyPart>,
}

#[derive(PartialEq, Eq, Hash)]
enum KeyPart {
    No,
    Yes(u32),
    Excluded(u32),
    Unknown(Arc<str>),
}

impl KeyPart {
    fn of(o: &Outcome) -> KeyPart {
        match o {
            Outcome::No => KeyPart::No,
            Outcome::Yes { via } => KeyPart::Yes(*via),
            Outcome::Excluded { via, .. } => KeyPart::Excluded(*via),
            Outcome::Unknown { why } => KeyPart::Unknown(why.clone()),
        }
    }
}

/// A policy's display name and id, shared by every user's entries.
type Names = (Option<Arc<str>>, Option<Arc<str>>);

type Shared<'s> = (&'s [Arc<Vec<String>>], &'s [Arc<Vec<String>>], &'s [Names]);

#[allow(clippy::too_many_arguments)]
fn user_verdict(
    u: &User,
    policies: &[Policy],
    facts: &[PolicyFacts],
    outcomes: &[Outcome],
    (legacy_blocked, legacy_unknown, protected): (bool, Option<&str>, Option<bool>),
    security_defaults: Option<bool>,
    cx: &Context<'_, '_>,
    (conditions, legacy_open, names): Shared<'_>,
) -> Configured {
    let mut required_by = Vec::new();
    let mut excluded_by = Vec::new();
    let mut report_only = Vec::new();
    let mut unresolved = Vec::new();
    let mut phishing = false;
    // What the phishing-resistant strengths that apply allow, together.
    let mut allowed: Vec<String> = Vec::new();
    // Some enabled policy's reach is unknown for the user.
    let mut ca_unknown = false;
    for (k, ((p, f), o)) in policies.iter().zip(facts).zip(outcomes).enumerate() {
        if !f.requires.is_mfa() {
            continue;
        }
        let (policy, policy_id) = names[k].clone();
        match (&p.state, o) {
            (PolicyState::Enabled, Outcome::Yes { via }) => {
                let open = f.clients == Clients::ModernOnly && !legacy_blocked;
                if open && let Some(why) = legacy_unknown {
                    ca_unknown = true;
                    let line = format!(
                        "{}: whether legacy clients are blocked for the user is unknown ({why})",
                        p.label()
                    );
                    if !unresolved.contains(&line) {
                        unresolved.push(line);
                    }
                }
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
                    let combos = p.grant.strength.as_ref().map(|s| &s.combinations);
                    match combos.filter(|c| !c.is_empty()) {
                        Some(c) => allowed.extend(c.iter().cloned()),
                        None => allowed.extend(
                            enforcement::PHISHING_RESISTANT_DEFAULT
                                .iter()
                                .map(|c| c.to_string()),
                        ),
                    }
                }
                required_by.push(RequiredBy {
                    source: Cow::Borrowed("conditional-access"),
                    policy,
                    policy_id,
                    via: Some(cx.vias.text(*via).to_string()),
                    scope: Cow::Borrowed(scope),
                    conditions: conds,
                });
            }
            (PolicyState::Enabled, Outcome::Excluded { via, .. }) => {
                excluded_by.push(ExcludedBy {
                    policy,
                    policy_id,
                    via: cx.vias.text(*via).to_string(),
                });
            }
            (PolicyState::Enabled, Outcome::Unknown { why }) => {
                ca_unknown = true;
                unresolved.push(format!("{}: {why}", p.label()));
            }
            (PolicyState::EnabledForReportingButNotEnforced, Outcome::Yes { .. }) => {
                report_only.push(PolicyRef { policy, policy_id });
            }
            _ => {}
        }
    }
    // Security defaults on mean no Conditional Access policy is enabled: nothing to miss.
    if cx.config.policies.is_none() && security_defaults != Some(true) {
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
        phishing_resistant_allowed: phishing.then(|| Arc::new(allowed)),
    }
}

/// A policy export is a snapshot: sign-ins older than an enabled policy were not under it. Said
/// once, naming the policies created after the earliest sign-in of the logs.
pub(crate) fn snapshot_warning(
    config: &TenantConfig,
    inputs: &[crate::report::audit::InputSummary],
) -> Option<String> {
    let earliest = inputs
        .iter()
        .filter(|i| i.signin_fields.is_some())
        .filter_map(|i| i.first_time.as_deref()?.parse::<jiff::Timestamp>().ok())
        .min()?;
    let later: Vec<&str> = config
        .policies
        .iter()
        .flatten()
        .filter(|p| p.state == PolicyState::Enabled)
        .filter(|p| {
            p.created
                .as_deref()
                .and_then(|c| c.parse::<jiff::Timestamp>().ok())
                .is_some_and(|c| c > earliest)
        })
        .map(Policy::label)
        .collect();
    if later.is_empty() {
        return None;
    }
    Some(format!(
        "The sign-in logs start {earliest}, before {} was created ({}): the policy export is a snapshot, and sign-ins before then were not under {}.",
        if later.len() == 1 {
            "a policy"
        } else {
            "these policies"
        },
        later.join(", "),
        if later.len() == 1 { "it" } else { "them" }
    ))
}

/// Who a policy targets, in words (for a user it does not include).
pub(crate) fn targets(p: &Policy, config: &TenantConfig) -> String {
    let t = &p.users;
    let mut parts = Vec::new();
    if !t.include_users.is_empty() {
        parts.push(format!("users: {}", t.include_users.join(", ")));
    }
    if !t.include_groups.is_empty() {
        let names: Vec<String> = t
            .include_groups
            .iter()
            .map(|g| {
                config
                    .groups
                    .get(&g.to_ascii_lowercase())
                    .and_then(|g| g.name.clone())
                    .unwrap_or_else(|| g.clone())
            })
            .collect();
        parts.push(format!("groups: {}", names.join(", ")));
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
    let groups = Groups::new(config, directory, &mut Vias::default());
    let r = Roles::new(assignments, directory, &groups);
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
            .map(|u| (*u.expect("known")).clone())
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
                name: "Phishing-resistant MFA".into(),
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

    /// Sign-ins older than an enabled policy were not under it: said once, with the policy.
    #[test]
    fn a_policy_younger_than_the_logs_is_said() {
        let mut young = mfa_for_all();
        young.created = Some("2025-05-10T00:00:00Z".into());
        let mut old = mfa_for_all();
        old.name = Some("Old".into());
        old.created = Some("2024-01-01T00:00:00Z".into());
        let c = config(vec![young, old]);
        let log = |first: &str| crate::report::audit::InputSummary {
            first_time: Some(first.into()),
            signin_fields: Some(vec![]),
            ..Default::default()
        };
        assert_eq!(
            snapshot_warning(&c, &[log("2025-05-01T00:00:00Z")]).as_deref(),
            Some(
                "The sign-in logs start 2025-05-01T00:00:00Z, before a policy was created (MFA for all): the policy export is a snapshot, and sign-ins before then were not under it."
            )
        );
        assert_eq!(snapshot_warning(&c, &[log("2025-06-01T00:00:00Z")]), None);
        // No sign-in log: nothing to say.
        assert_eq!(snapshot_warning(&c, &[]), None);
    }

    /// Users whose evaluation comes out the same share one verdict; a different one does not.
    #[test]
    fn the_same_evaluation_is_one_shared_verdict() {
        let mut p = mfa_for_all();
        p.users.exclude_users = vec![BO.into()];
        let mut c = config(vec![p]);
        c.security_defaults = Some(false);
        let users = evaluate(&c, &directory(), false).users;
        let [ada, bo, guest] = [0, 1, 2].map(|i| users[i].clone().unwrap());
        assert!(
            Arc::ptr_eq(&ada, &guest),
            "Ada and the guest: all users, per-user off"
        );
        assert!(!Arc::ptr_eq(&ada, &bo));
        assert_eq!(required(&bo), Some(NEVER));
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
