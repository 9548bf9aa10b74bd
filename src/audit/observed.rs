//! Enforcement as the sign-in logs show it (enforcement.md §1.5): who got in without MFA and to
//! what, who used a legacy protocol, what required MFA, and each Conditional Access policy as the
//! logs saw it. [`see`] decides for one sign-in; [`Tenant`] counts for the whole log and folds
//! each user's share into their tally. Nothing is kept per sign-in.
//!
//! *Signed in without MFA*: an interactive sign-in that succeeded (error code 0), whose
//! authentication requirement was single-factor and in which no MFA was performed (no MFA step,
//! no MFA result word). Non-interactive sign-ins refresh a session that may have met MFA earlier:
//! they are counted apart and are never "without MFA". A sign-in whose log says nothing of its
//! interactivity is taken as interactive (Graph's v1.0 sign-ins are), and counted so the report
//! can say it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use foldhash::fast::RandomState;

use crate::model::{Counts, Enforcement, SignIn};
use crate::report::audit::{
    AppCount, InputSummary, NamedCount, ObservedUser, PolicyObserved, PolicyReport, ProtocolCount,
    ProviderCount, ProviderSignins, UserEnforcement, WithoutMfa,
};
use crate::text::plural;
use crate::vocab::enforcement::{self, PolicyResult};

/// One sign-in as evidence of enforcement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seen<'a> {
    pub interactive: bool,
    /// An MFA challenge (`classify`), interactive or not.
    pub challenged: bool,
    /// Nothing said whether it was interactive.
    pub interactive_assumed: bool,
    pub succeeded: bool,
    pub without_mfa: bool,
    /// Succeeded, interactive, no MFA performed, and no authentication requirement in the log:
    /// whether MFA was required is unknown.
    pub requirement_unknown: bool,
    /// The legacy protocol, when the client was one.
    pub legacy: Option<&'static str>,
    /// The application's name, else its id.
    pub app: Option<&'a str>,
}

/// What `s` shows; `challenged` says whether it was an MFA challenge (`classify`).
pub(crate) fn see<'a>(s: &'a SignIn<'_>, challenged: bool) -> Seen<'a> {
    let interactive = s.interactive.unwrap_or(true);
    let succeeded = s.error_code == Some(0);
    let got_in_without_a_challenge = interactive && succeeded && !challenged;
    let requirement = s.authentication_requirement.as_deref();
    Seen {
        interactive,
        challenged,
        interactive_assumed: s.interactive.is_none(),
        succeeded,
        without_mfa: got_in_without_a_challenge
            && requirement.is_some_and(enforcement::is_single_factor),
        requirement_unknown: got_in_without_a_challenge && requirement.is_none(),
        legacy: s
            .client_app
            .as_deref()
            .and_then(enforcement::client_app)
            .filter(|c| c.legacy)
            .map(|c| c.name),
        app: s.app.as_deref().or(s.app_id.as_deref()),
    }
}

/// Where a sign-in names no application.
pub(crate) const NO_APP: &str = "(application not in the log)";

/// The counts of a policy's results, one slot per distinct result (see [`result_slot`]).
pub(crate) type Results = [u64; RESULTS];

/// Distinct policy results.
pub(crate) const RESULTS: usize = 9;

/// Where a result is counted in [`Results`].
pub(crate) fn result_slot(r: PolicyResult) -> usize {
    match r {
        PolicyResult::Success => 0,
        PolicyResult::Failure => 1,
        PolicyResult::NotApplied => 2,
        PolicyResult::NotEnabled => 3,
        PolicyResult::ReportOnlySuccess => 4,
        PolicyResult::ReportOnlyFailure => 5,
        PolicyResult::ReportOnlyNotApplied => 6,
        PolicyResult::ReportOnlyInterrupted => 7,
        PolicyResult::Unknown => 8,
    }
}

/// One Conditional Access policy as the sign-ins saw it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct PolicySeen {
    pub id: Option<Arc<str>>,
    /// Its display name (the smallest, when sign-ins gave it several: a rename).
    pub name: Option<Arc<str>>,
    pub results: Results,
    /// Some sign-in showed it demanding MFA.
    pub demands_mfa: bool,
}

/// The whole log's counts, kept by each ledger and merged.
#[derive(Debug, Default)]
pub(crate) struct Tenant {
    pub interactive: u64,
    pub noninteractive: u64,
    pub interactive_assumed: u64,
    pub without_mfa: u64,
    pub requirement_unknown: u64,
    pub legacy: u64,
    pub legacy_succeeded: u64,
    /// Sign-ins without MFA by application.
    pub apps_without_mfa: Counts,
    /// Legacy sign-ins by protocol, and the successful ones.
    pub legacy_protocols: Counts,
    pub legacy_protocols_succeeded: Counts,
    /// Interactive sign-ins by what required MFA for them.
    pub required_by: Counts,
    /// Sign-ins that carried the applied policies, and each policy by id (else name).
    pub with_policies: u64,
    pub policies: HashMap<Arc<str>, PolicySeen, RandomState>,
    /// One copy of each name met (applications, providers, policies).
    names: HashSet<Arc<str>, RandomState>,
}

impl Tenant {
    /// The shared copy of `name`.
    fn intern(&mut self, name: &str) -> Arc<str> {
        if let Some(n) = self.names.get(name) {
            return n.clone();
        }
        let n: Arc<str> = Arc::from(name);
        self.names.insert(n.clone());
        n
    }

    /// Counts one user sign-in, and folds the user's share into `user` (made when the sign-in
    /// shows something of theirs) when it names a user.
    pub(crate) fn add(
        &mut self,
        s: &SignIn<'_>,
        seen: &Seen<'_>,
        user: Option<&mut Option<Box<Enforcement>>>,
    ) {
        if seen.interactive {
            self.interactive += 1;
        } else {
            self.noninteractive += 1;
        }
        self.interactive_assumed += u64::from(seen.interactive_assumed);
        self.requirement_unknown += u64::from(seen.requirement_unknown);
        if let Some(policies) = &s.policies {
            self.with_policies += 1;
            for p in policies {
                self.add_policy(p);
            }
        }
        let app = seen
            .without_mfa
            .then(|| self.intern(seen.app.unwrap_or(NO_APP)));
        if let Some(app) = &app {
            self.without_mfa += 1;
            self.apps_without_mfa.add(app, 1);
        }
        let legacy = seen.legacy.map(|p| self.intern(p));
        if let Some(protocol) = &legacy {
            self.legacy += 1;
            self.legacy_protocols.add(protocol, 1);
            if seen.succeeded {
                self.legacy_succeeded += 1;
                self.legacy_protocols_succeeded.add(protocol, 1);
            }
        }
        // What required MFA of each MFA challenge (its share is over the challenges, interactive
        // or not), and the policies that demand it, for the sign-ins the user made.
        let providers: Vec<Arc<str>> = match &s.required_by {
            Some(required) if seen.challenged => required.iter().map(|p| self.intern(p)).collect(),
            _ => Vec::new(),
        };
        for p in &providers {
            self.required_by.add(p, 1);
        }
        let (enforced, report_only) = match (&s.policies, seen.interactive) {
            (Some(policies), true) => self.mfa_policies(policies),
            _ => (Vec::new(), Vec::new()),
        };
        let Some(user) = user else { return };
        if app.is_none()
            && legacy.is_none()
            && providers.is_empty()
            && enforced.is_empty()
            && report_only.is_empty()
        {
            return;
        }
        let e = user.get_or_insert_with(Box::default);
        if let Some(app) = &app {
            e.without_mfa += 1;
            if let Some(t) = s.time
                && e.last_without_mfa.is_none_or(|old| t > old)
            {
                e.last_without_mfa = Some(t);
            }
            e.apps_without_mfa.add(app, 1);
        }
        if let Some(protocol) = &legacy {
            e.legacy += 1;
            e.legacy_succeeded += u64::from(seen.succeeded);
            e.legacy_protocols.add(protocol, 1);
        }
        for p in &providers {
            e.required_by.add(p, 1);
        }
        for p in &enforced {
            e.policies.add(p, 1);
        }
        for p in &report_only {
            e.report_only.add(p, 1);
        }
    }

    fn add_policy(&mut self, p: &crate::model::AppliedPolicy<'_>) {
        let Some(key) = p.id.as_deref().or(p.name.as_deref()) else {
            return;
        };
        let slot = result_slot(
            p.result
                .as_deref()
                .map_or(PolicyResult::Unknown, enforcement::policy_result),
        );
        let renamed = match self.policies.get_mut(key) {
            Some(seen) => {
                seen.results[slot] += 1;
                seen.demands_mfa |= p.demands_mfa;
                match p.name.as_deref() {
                    Some(name) if seen.name.as_deref().is_none_or(|old| name < old) => Some(name),
                    _ => return,
                }
            }
            None => None,
        };
        if let Some(name) = renamed {
            let name = self.intern(name);
            if let Some(seen) = self.policies.get_mut(key) {
                seen.name = Some(name);
            }
            return;
        }
        let mut seen = PolicySeen {
            id: p.id.as_deref().map(|id| self.intern(id)),
            name: p.name.as_deref().map(|n| self.intern(n)),
            demands_mfa: p.demands_mfa,
            ..PolicySeen::default()
        };
        seen.results[slot] = 1;
        let key = self.intern(key);
        self.policies.insert(key, seen);
    }

    /// The policies demanding MFA that one sign-in enforced, and the report-only ones that would
    /// have applied, by name (else id).
    fn mfa_policies(
        &mut self,
        policies: &[crate::model::AppliedPolicy<'_>],
    ) -> (Vec<Arc<str>>, Vec<Arc<str>>) {
        let (mut enforced, mut report_only) = (Vec::new(), Vec::new());
        for p in policies.iter().filter(|p| p.demands_mfa) {
            let Some(name) = p.name.as_deref().or(p.id.as_deref()) else {
                continue;
            };
            let result = p
                .result
                .as_deref()
                .map_or(PolicyResult::Unknown, enforcement::policy_result);
            if result.enforced() {
                enforced.push(self.intern(name));
            } else if result.would_have_applied() {
                report_only.push(self.intern(name));
            }
        }
        (enforced, report_only)
    }

    /// Adds in another ledger's counts (the order does not matter).
    pub(crate) fn merge(&mut self, other: Tenant) {
        self.interactive += other.interactive;
        self.noninteractive += other.noninteractive;
        self.interactive_assumed += other.interactive_assumed;
        self.without_mfa += other.without_mfa;
        self.requirement_unknown += other.requirement_unknown;
        self.legacy += other.legacy;
        self.legacy_succeeded += other.legacy_succeeded;
        self.apps_without_mfa.merge(other.apps_without_mfa);
        self.legacy_protocols.merge(other.legacy_protocols);
        self.legacy_protocols_succeeded
            .merge(other.legacy_protocols_succeeded);
        self.required_by.merge(other.required_by);
        self.with_policies += other.with_policies;
        for (key, theirs) in other.policies {
            match self.policies.get_mut(&key) {
                Some(mine) => {
                    for (a, b) in mine.results.iter_mut().zip(theirs.results) {
                        *a += b;
                    }
                    mine.demands_mfa |= theirs.demands_mfa;
                    if let Some(name) = theirs.name
                        && mine.name.as_deref().is_none_or(|old| *name < *old)
                    {
                        mine.name = Some(name);
                    }
                }
                None => {
                    self.policies.insert(key, theirs);
                }
            }
        }
    }
}

/// A user's observed enforcement as the report writes it (`users[].enforcement`); `logs` says
/// whether the inputs held a sign-in log at all.
pub(crate) fn user_enforcement(e: Option<&Enforcement>, logs: bool) -> UserEnforcement {
    let named = |c: &Counts| -> Vec<NamedCount> {
        c.ranked()
            .into_iter()
            .map(|(name, signins)| NamedCount {
                name: name.to_string(),
                signins,
            })
            .collect()
    };
    UserEnforcement {
        configured: None,
        observed: e.map(|e| {
            Box::new(ObservedUser {
                signins_without_mfa: e.without_mfa,
                legacy_auth_signins: e.legacy_succeeded,
                apps_without_mfa: e
                    .apps_without_mfa
                    .ranked()
                    .into_iter()
                    .map(|(app, _)| app.to_string())
                    .collect(),
                required_by: e
                    .required_by
                    .ranked()
                    .into_iter()
                    .map(|(provider, signins)| ProviderSignins {
                        provider: provider.to_string(),
                        signins,
                    })
                    .collect(),
                last_without_mfa: e.last_without_mfa.map(|t| t.to_string()),
                legacy_attempts: e.legacy,
                legacy_protocols: named(&e.legacy_protocols),
                policies: named(&e.policies),
                report_only_would_require: named(&e.report_only),
            })
        }),
        logs,
    }
}

/// The tenant's part of `without_mfa` and `policies`, from the whole log's counts and each
/// user's share (`users` holds every user's, the directory's and the activity-only ones).
pub(crate) fn tenant_report<'a>(
    t: &Tenant,
    users: impl Iterator<Item = Option<&'a Enforcement>>,
    challenges: u64,
) -> (WithoutMfa, Vec<PolicyReport>) {
    // Users per application and per protocol, and users who got in without MFA.
    let mut app_users: HashMap<&str, u64, RandomState> = HashMap::default();
    let mut protocol_users: HashMap<&str, u64, RandomState> = HashMap::default();
    let mut users_without_mfa = 0;
    for e in users.flatten() {
        users_without_mfa += u64::from(e.without_mfa > 0);
        for (app, _) in &e.apps_without_mfa.0 {
            *app_users.entry(app).or_default() += 1;
        }
        for (protocol, _) in &e.legacy_protocols.0 {
            *protocol_users.entry(protocol).or_default() += 1;
        }
    }
    let succeeded: HashMap<&str, u64, RandomState> =
        t.legacy_protocols_succeeded.ranked().into_iter().collect();
    let w = WithoutMfa {
        signins_without_mfa: Some(t.without_mfa),
        users_without_mfa: Some(users_without_mfa),
        interactive_signins: Some(t.interactive),
        noninteractive_signins: Some(t.noninteractive),
        interactive_assumed: Some(t.interactive_assumed),
        requirement_unknown: Some(t.requirement_unknown),
        apps: t
            .apps_without_mfa
            .ranked()
            .into_iter()
            .map(|(app, signins)| AppCount {
                app: app.to_string(),
                signins,
                users: app_users.get(app).copied().unwrap_or(0),
            })
            .collect(),
        legacy: t
            .legacy_protocols
            .ranked()
            .into_iter()
            .map(|(protocol, signins)| ProtocolCount {
                protocol: protocol.to_string(),
                signins,
                succeeded: succeeded.get(protocol).copied().unwrap_or(0),
                users: protocol_users.get(protocol).copied().unwrap_or(0),
            })
            .collect(),
        required_by: t
            .required_by
            .ranked()
            .into_iter()
            .map(|(provider, signins)| ProviderCount {
                provider: provider.to_string(),
                name: enforcement::provider_name(provider)
                    .unwrap_or(provider)
                    .to_string(),
                signins,
                share: share(signins, challenges),
            })
            .collect(),
        ..WithoutMfa::default()
    };
    let mut policies: Vec<PolicyReport> = t
        .policies
        .values()
        .map(|p| {
            let r = &p.results;
            PolicyReport {
                id: p.id.as_deref().map(str::to_string),
                name: p.name.as_deref().map(str::to_string),
                observed: Some(PolicyObserved {
                    success: r[0],
                    failure: r[1],
                    not_applied: r[2],
                    not_enabled: r[3],
                    report_only_success: r[4],
                    report_only_failure: r[5],
                    report_only_not_applied: r[6],
                    report_only_interrupted: r[7],
                    unknown: r[8],
                    demands_mfa: p.demands_mfa,
                }),
                ..PolicyReport::default()
            }
        })
        .collect();
    policies.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    (w, policies)
}

/// What the logs left unsaid about who got in without MFA, each with what would settle it.
pub(crate) fn warnings(w: &WithoutMfa, inputs: &[InputSummary]) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(n) = w.requirement_unknown.filter(|n| *n > 0) {
        out.push(format!(
            "{} without an MFA challenge {} not say whether MFA was required (no authentication requirement in the log): whether they got in without MFA is unknown; {} would settle it.",
            plural(n, "successful interactive sign-in", "successful interactive sign-ins"),
            if n == 1 { "does" } else { "do" },
            SETTLED_BY_REQUIREMENT
        ));
    }
    if let Some(n) = w.interactive_assumed.filter(|n| *n > 0) {
        out.push(format!(
            "{} did not say whether {} interactive (no isInteractive, log category or file name): taken as interactive; {} would settle it.",
            plural(n, "sign-in", "sign-ins"),
            if n == 1 { "it was" } else { "they were" },
            SETTLED_BY_INTERACTIVE
        ));
    }
    // A field a whole log lacks: what it tells is unknown for that log's sign-ins, not none.
    for (field, what, settled_by) in LOG_FIELDS {
        let lacking: Vec<&str> = inputs
            .iter()
            .filter(|i| {
                i.signin_fields
                    .as_ref()
                    .is_some_and(|f| i.records > 0 && !f.contains(&field))
            })
            .map(|i| i.path.as_str())
            .collect();
        if !lacking.is_empty() {
            out.push(format!(
                "{} {} no {field}: {what} is unknown for {} sign-ins; {settled_by} would settle it.",
                lacking.join(", "),
                if lacking.len() == 1 { "carries" } else { "carry" },
                if lacking.len() == 1 { "its" } else { "their" }
            ));
        }
    }
    out
}

/// The fields whose absence from a whole log is said, with what they tell and the exports that
/// carry them (`inspect`'s names, `input::SignInFields`).
const LOG_FIELDS: [(&str, &str, &str); 3] = [
    (
        "client app",
        "legacy-protocol use",
        "an export with clientAppUsed (Graph signIns, the admin center download, Azure Monitor)",
    ),
    (
        "applied policies",
        "how each Conditional Access policy applied",
        "an export with appliedConditionalAccessPolicies (Graph signIns, the admin center's JSON download, Azure Monitor, Log Analytics)",
    ),
    (
        "requirement policies",
        "what required MFA (per-user MFA, Conditional Access, security defaults)",
        "an export with authenticationRequirementPolicies (Graph beta signIns, the admin center's JSON download, Azure Monitor, Log Analytics)",
    ),
];

const SETTLED_BY_REQUIREMENT: &str = "an export that carries authenticationRequirement (Graph signIns, the admin center's JSON or CSV download, Azure Monitor, Log Analytics)";
const SETTLED_BY_INTERACTIVE: &str = "an export that carries isInteractive (Graph beta signIns, Azure Monitor), or the admin center's interactive and non-interactive downloads under their own file names";

/// `part` over `whole`, four decimals; 0 of nothing.
fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    (part as f64 / whole as f64 * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AppliedPolicy;
    use crate::vocab::enforcement::POLICY_RESULTS;

    fn signin<'a>() -> SignIn<'a> {
        SignIn {
            upn: Some("ada@contoso.com".into()),
            error_code: Some(0),
            interactive: Some(true),
            authentication_requirement: Some("singleFactorAuthentication".into()),
            client_app: Some("Browser".into()),
            app: Some("Office 365 Exchange Online".into()),
            ..SignIn::default()
        }
    }

    #[test]
    fn who_got_in_without_mfa() {
        let s = signin();
        assert!(see(&s, false).without_mfa);
        // An MFA challenge (a claim in the token, a step) is not "without MFA".
        assert!(!see(&s, true).without_mfa);
        // A failed single-factor sign-in did not get in.
        let failed = SignIn {
            error_code: Some(50126),
            ..signin()
        };
        assert!(!see(&failed, false).without_mfa);
        // A non-interactive refresh never counts.
        let refresh = SignIn {
            interactive: Some(false),
            ..signin()
        };
        assert!(!see(&refresh, false).without_mfa);
        // Multifactor required: not without MFA even when no step shows it.
        let required = SignIn {
            authentication_requirement: Some("multiFactorAuthentication".into()),
            ..signin()
        };
        assert!(!see(&required, false).without_mfa);
        // No requirement in the log: unknown, said apart.
        let unsaid = SignIn {
            authentication_requirement: None,
            ..signin()
        };
        let seen = see(&unsaid, false);
        assert!(!seen.without_mfa && seen.requirement_unknown);
        // Nothing says whether it was interactive: taken as interactive, and counted.
        let assumed = SignIn {
            interactive: None,
            ..signin()
        };
        let seen = see(&assumed, false);
        assert!(seen.without_mfa && seen.interactive_assumed);
    }

    #[test]
    fn every_legacy_client_is_seen_as_legacy() {
        for c in enforcement::CLIENT_APPS {
            let s = SignIn {
                client_app: Some(c.name.into()),
                ..signin()
            };
            assert_eq!(
                see(&s, false).legacy,
                c.legacy.then_some(c.name),
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn a_user_and_the_tenant_are_counted_and_merge_in_any_order() {
        let policies = vec![
            AppliedPolicy {
                id: Some("p1".into()),
                name: Some("Require MFA for admins".into()),
                result: Some("success".into()),
                demands_mfa: true,
            },
            AppliedPolicy {
                id: Some("p2".into()),
                name: Some("MFA everywhere (report-only)".into()),
                result: Some("reportOnlyFailure".into()),
                demands_mfa: true,
            },
            AppliedPolicy {
                id: Some("p3".into()),
                name: Some("Block legacy".into()),
                result: Some("notApplied".into()),
                demands_mfa: false,
            },
        ];
        let events = [
            signin(),
            SignIn {
                client_app: Some("IMAP4".into()),
                app: None,
                ..signin()
            },
            SignIn {
                client_app: Some("POP3".into()),
                error_code: Some(50126),
                ..signin()
            },
            SignIn {
                authentication_requirement: Some("multiFactorAuthentication".into()),
                required_by: Some(vec!["multiConditionalAccess".into()]),
                policies: Some(policies),
                ..signin()
            },
        ];
        let fold = |order: &[usize]| {
            let (mut t, mut user) = (Tenant::default(), None);
            for &i in order {
                let s = &events[i];
                let challenged = i == 3;
                t.add(s, &see(s, challenged), Some(&mut user));
            }
            (t, user)
        };
        let (t, user) = fold(&[0, 1, 2, 3]);
        let e = user.expect("the user's share");
        assert_eq!(e.without_mfa, 2);
        assert_eq!(
            e.apps_without_mfa.ranked(),
            [
                ("(application not in the log)", 1),
                ("Office 365 Exchange Online", 1)
            ]
        );
        assert_eq!((e.legacy, e.legacy_succeeded), (2, 1));
        assert_eq!(e.legacy_protocols.ranked(), [("IMAP4", 1), ("POP3", 1)]);
        assert_eq!(e.required_by.ranked(), [("multiConditionalAccess", 1)]);
        assert_eq!(e.policies.ranked(), [("Require MFA for admins", 1)]);
        assert_eq!(
            e.report_only.ranked(),
            [("MFA everywhere (report-only)", 1)]
        );
        assert_eq!(
            (t.interactive, t.without_mfa, t.legacy_succeeded),
            (4, 2, 1)
        );
        assert_eq!(t.with_policies, 1);
        assert_eq!(
            t.policies["p2"].results[result_slot(PolicyResult::ReportOnlyFailure)],
            1
        );
        assert_eq!(
            t.policies["p3"].results[result_slot(PolicyResult::NotApplied)],
            1
        );
        // Two ledgers, each with half, merge to the same counts.
        let (mut a, ua) = fold(&[3, 1]);
        let (b, ub) = fold(&[2, 0]);
        a.merge(b);
        let mut merged = ua.expect("a");
        merged.merge(*ub.expect("b"));
        assert_eq!(merged.without_mfa, e.without_mfa);
        assert_eq!(
            merged.apps_without_mfa.ranked(),
            e.apps_without_mfa.ranked()
        );
        assert_eq!(
            merged.legacy_protocols.ranked(),
            e.legacy_protocols.ranked()
        );
        assert_eq!(merged.policies.ranked(), e.policies.ranked());
        assert_eq!(a.without_mfa, t.without_mfa);
        assert_eq!(a.policies, t.policies);
        assert_eq!(a.legacy_protocols_succeeded.ranked(), [("IMAP4", 1)]);
    }

    #[test]
    fn every_result_has_its_own_slot() {
        let mut slots: Vec<usize> = POLICY_RESULTS
            .iter()
            .map(|(_, r)| result_slot(*r))
            .collect();
        slots.sort_unstable();
        slots.dedup();
        // `unknown` and `unknownFutureValue` share one; every other result has its own.
        assert_eq!(slots, (0..RESULTS).collect::<Vec<_>>());
    }
}
