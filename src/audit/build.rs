//! The report from the folded sign-ins and the directory: the user rows with their flags, the
//! summary, the rankings, and the warnings that say what the data does not show. Sign-ins stream
//! through [`Auditor::add`] (or are folded ahead into ledgers on several threads, see `read`);
//! [`Auditor::finish`] builds the report. The English of the six answers is `report::answers`'.
//!
//! Over 800 lines with its tests (the code is ~640): each flag and warning is tested here.

use std::borrow::Cow;
use std::sync::Arc;

use jiff::Timestamp;

use crate::model::config::TenantConfig;
use crate::model::exceptions::Exception;
use crate::report::audit::{
    AuditReport, AuditUser, Configured, HowCount, InputSummary, PolicyReport, ReasonCount,
    RequiredCounts, SCHEMA, StrengthCount, Summary, UnmatchedSignIns, UserEnforcement, flag,
};

use super::ledger::{AuditOptions, Joined, Ledger, Tally};
use crate::model::MethodsGap;
use crate::model::directory::GuestIndex;
use crate::model::{
    Access, Directory, PerUserState, SignIn, User, UserActivity, UserType, settled_by,
};
use crate::report::answers::{self, ISSUE_FLAGS};
use crate::report::audit::Question;
use crate::report::classic::{counts_as_enabled, is_registered, registration_gap};
use crate::text::plural;
use crate::vocab::methods::{self, Strength};

/// Folds sign-ins as they stream and builds the report against the directory; never keeps a
/// sign-in.
///
/// Sign-ins join the directory by user id, else by UPN (case-insensitive), else by a guest's home
/// form (`ada@example.org` for `ada_example.org#EXT#@tenant`). Sign-ins of users not in the
/// directory are tallied too (the six questions are about everyone who signed in) and reported as
/// unmatched; sign-ins without any user are counted only. The folding itself is the directory-free
/// [`Ledger`]: `audit` fills one while the directory is still being read and hands it to
/// [`Auditor::with_ledgers`].
#[derive(Debug)]
pub struct Auditor {
    /// One per thread that read sign-ins; [`Auditor::add`] folds into the first.
    ledgers: Vec<Ledger>,
    /// The directory's guest index, when it was built ahead (see [`Auditor::with_guest_index`]).
    guests: Option<GuestIndex>,
    /// What the configuration exports said (policies, roles, groups, security defaults).
    config: TenantConfig,
    /// The exceptions files' entries, and the days ahead an expiry is `expiring`.
    exceptions: (Vec<Exception>, i64),
}

impl Auditor {
    pub fn new(opts: AuditOptions) -> Auditor {
        Auditor::with_ledgers(vec![Ledger::new(opts)])
    }

    /// An auditor over sign-ins already folded, by one or more threads (while the directory was
    /// being read).
    pub fn with_ledgers(ledgers: Vec<Ledger>) -> Auditor {
        Auditor {
            ledgers,
            guests: None,
            config: TenantConfig::default(),
            exceptions: (Vec::new(), i64::from(crate::config::EXCEPTION_WARNING_DAYS)),
        }
    }

    /// The exceptions to mark users with (`--exceptions`).
    pub fn with_exceptions(mut self, exceptions: Vec<Exception>, warning_days: i64) -> Auditor {
        self.exceptions = (exceptions, warning_days);
        self
    }

    /// The configuration to evaluate for every user (Conditional Access, roles, groups).
    pub fn with_config(mut self, config: TenantConfig) -> Auditor {
        self.config = config;
        self
    }

    /// Uses `guests`, built from the directory `finish` will be given, instead of building it
    /// there: `audit` builds it on the directory's thread while the sign-ins are still being read.
    pub fn with_guest_index(mut self, guests: GuestIndex) -> Auditor {
        self.guests = Some(guests);
        self
    }

    /// Folds one sign-in (or MFA Server call) in.
    pub fn add(&mut self, s: &SignIn) {
        if let Some(l) = self.ledgers.first_mut() {
            l.add(s);
        }
    }
    /// The report. The directory is consumed: its users' names move into the report's rows
    /// instead of being copied (a large tenant's names are a large share of the memory).
    pub fn finish(
        self,
        directory: Directory,
        inputs: Vec<InputSummary>,
        generated_at: Timestamp,
    ) -> AuditReport {
        self.finish_keeping(directory, inputs, generated_at).0
    }

    /// [`Auditor::finish`], also handing back what the report was built from, for the caller to
    /// drop once its files are written (see [`Leftovers`]).
    pub fn finish_keeping(
        self,
        directory: Directory,
        inputs: Vec<InputSummary>,
        generated_at: Timestamp,
    ) -> (AuditReport, Leftovers) {
        let guests = self.guests.unwrap_or_else(|| GuestIndex::new(&directory));
        let joined = Ledger::join(self.ledgers, &directory, &guests);
        let mut leftovers = Leftovers::default();
        leftovers.keep(guests);
        crate::timing::phase("sign-ins joined to the directory");
        let mut report = joined.report(
            directory,
            inputs,
            generated_at,
            &self.config,
            &mut leftovers,
        );
        // The run's date decides whether an exception is active, expiring or expired.
        let today = jiff::tz::TimeZone::UTC.to_datetime(generated_at).date();
        let (exceptions, warning_days) = &self.exceptions;
        super::exceptions::apply(
            &mut report,
            exceptions,
            &self.config.mailboxes,
            today,
            *warning_days,
        );
        crate::timing::phase("report built");
        (report, leftovers)
    }
}

/// What a report was built from and no longer needs: the directory's leftovers, the sign-in
/// tallies, the guest index. Freed after the report's files are written, not meanwhile: freeing
/// hundreds of thousands of small blocks makes glibc's allocator tidy them all up at the next large
/// allocation (`malloc_consolidate`), which would then fall on the writer. Freed when dropped.
#[derive(Default)]
pub struct Leftovers(Vec<Box<dyn Send>>);

impl Leftovers {
    fn keep(&mut self, x: impl Send + 'static) {
        self.0.push(Box::new(x));
    }
}

impl std::fmt::Debug for Leftovers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Leftovers({} tables)", self.0.len())
    }
}

impl Joined {
    fn report(
        mut self,
        mut directory: Directory,
        inputs: Vec<InputSummary>,
        generated_at: Timestamp,
        config: &TenantConfig,
        leftovers: &mut Leftovers,
    ) -> AuditReport {
        // A sign-in log among the inputs makes what the logs observed known (zero, not null); MFA
        // Server calls are all challenges and cannot show a sign-in without MFA. Callers that
        // feed sign-ins without an input list (the library's tests) have fed a log.
        let logs = inputs.iter().any(|i| i.signin_fields.is_some())
            || (inputs.is_empty() && self.signins + self.workload_signins > 0);
        // Before the user rows take the names out of the directory.
        let evaluation = super::configured::evaluate(config, &directory, false);
        let required = required_counts(&directory, &evaluation.users, config);
        crate::timing::phase("configuration evaluated");
        let histories = super::mfa_server::Index::new(&config.mfa_server);
        let users = self.users(&mut directory, logs, evaluation.users, &histories);
        crate::timing::phase("user rows built");
        let owned = directory;
        let directory = &owned;
        // The methods by strength (a catalog lookup per user and method) alongside the rest, a
        // pass or two over the users: both on the same pool of threads, one per core.
        let (
            methods_by_strength,
            (summary, questions, warnings, mfa_completed_by, mfa_denied_because),
        ) = crate::par::join(
            || methods_by_strength(directory),
            || {
                let summary = self.summary(directory, &inputs, logs);
                let mfa_completed_by = self
                    .hows
                    .iter()
                    .cloned()
                    .map(|(how, count, users)| HowCount {
                        prompted: super::classify::prompted(&how),
                        how,
                        count,
                        users,
                    })
                    .collect::<Vec<_>>();
                let mfa_denied_because = self
                    .reasons
                    .iter()
                    .cloned()
                    .map(|(reason, count, users)| ReasonCount {
                        reason,
                        count,
                        users,
                    })
                    .collect::<Vec<_>>();
                let questions =
                    self.questions(&summary, &mfa_completed_by, &mfa_denied_because, &users);
                let warnings = self.warnings(directory, &summary, &inputs);
                (
                    summary,
                    questions,
                    warnings,
                    mfa_completed_by,
                    mfa_denied_because,
                )
            },
        );
        let mut summary = summary;
        if let Some((counts, protection)) = required {
            summary.enforcement.mfa_required = Some(counts);
            summary.enforcement.protected_enabled = Some(protection.protected);
            summary.enforcement.unprotected_enabled = Some(protection.unprotected);
            summary.enforcement.protection_unknown_enabled = Some(protection.unknown);
        }
        summary.enforcement.security_defaults = evaluation.security_defaults;
        let (mut without_mfa, observed_policies) = if logs {
            super::observed::tenant_report(
                &self.observed,
                self.tallies
                    .iter()
                    .map(|t| t.activity.enforcement.as_deref()),
                self.challenges,
            )
        } else {
            Default::default()
        };
        let policies = merge_policies(evaluation.policies, observed_policies);
        answers::without_mfa(&mut without_mfa, &summary);
        let mut warnings = warnings;
        if logs {
            warnings.extend(super::observed::warnings(&without_mfa, &inputs));
        }
        warnings.extend(super::configured::snapshot_warning(config, &inputs));
        warnings.extend(histories.warnings(&users));
        let unmatched_signins = UnmatchedSignIns {
            signins: self.unmatched_signins,
            users: self.extra_names.len() as u64,
            examples: self.unmatched_examples.clone(),
        };
        leftovers.keep((owned, self));
        AuditReport {
            schema: SCHEMA.to_string(),
            generated_at: generated_at.to_string(),
            inputs,
            summary,
            questions,
            mfa_completed_by,
            mfa_denied_because,
            users,
            changes: None,
            warnings,
            unmatched_signins,
            methods_by_strength,
            trend: Vec::new(),
            without_mfa,
            policies,
            exceptions: Vec::new(),
        }
    }

    fn summary(&self, directory: &Directory, inputs: &[InputSummary], logs: bool) -> Summary {
        let mut s = Summary {
            users_total: directory.len() as u64,
            signins_total: self.signins,
            mfa_challenges: self.challenges,
            // Sign-ins folded came from some activity input, whether or not it was listed.
            activity_inputs: (inputs.iter().filter(|i| i.activity).count() as u64)
                .max(u64::from(self.signins + self.workload_signins > 0)),
            duplicate_signins: self.duplicate_signins,
            workload_signins: self.workload_signins,
            ..Summary::default()
        };
        for u in &directory.users {
            match u.per_user_state {
                PerUserState::Enforced => s.per_user_state.enforced += 1,
                PerUserState::Enabled => s.per_user_state.enabled += 1,
                PerUserState::Disabled => s.per_user_state.disabled += 1,
                PerUserState::Unknown => s.per_user_state.unknown += 1,
            }
            if u.access == Access::Unknown {
                s.access_unknown += 1;
            }
            if !counts_as_enabled(u) {
                continue;
            }
            s.users_enabled += 1;
            let registered = is_registered(u);
            match registered {
                Some(true) => s.registered_enabled += 1,
                Some(false) => s.unregistered_enabled += 1,
                None => s.registration_unknown_enabled += 1,
            }
            match (u.is_admin, registered) {
                (Some(true), Some(false)) => s.admins_without_mfa += 1,
                (Some(false), _) | (_, Some(true)) => {}
                _ => s.admins_without_mfa_unknown += 1,
            }
        }
        if logs {
            // Over enabled users (cli.md): each counted once, whatever number of sign-ins.
            let (mut without, mut legacy) = (0, 0);
            for (u, t) in directory.users.iter().zip(&self.tallies) {
                if let Some(e) = &t.activity.enforcement
                    && counts_as_enabled(u)
                {
                    without += u64::from(e.without_mfa > 0);
                    legacy += u64::from(e.legacy_succeeded > 0);
                }
            }
            s.enforcement.users_signed_in_without_mfa = Some(without);
            s.enforcement.users_legacy_auth = Some(legacy);
        }
        for t in &self.tallies {
            let a = &t.activity;
            if a.challenges == 0 {
                continue;
            }
            s.challenged_users += 1;
            if a.completed > 0 {
                s.users_completed_mfa += 1;
            } else {
                s.users_unable_to_complete += 1;
            }
            if a.denied > 0 {
                s.users_with_failures += 1;
            }
        }
        s
    }

    /// Directory users in directory order, then activity-only users by name.
    fn users(
        &mut self,
        directory: &mut Directory,
        logs: bool,
        configured: Vec<Option<Arc<Configured>>>,
        histories: &super::mfa_server::Index,
    ) -> Vec<AuditUser> {
        // Names moved out of the directory and the tallies (nothing after this needs them there).
        let directory_len = self.directory_len;
        let split = directory_len.min(self.tallies.len());
        let (known, _) = self.tallies.split_at_mut(split);
        let mut rows: Vec<Row<'_>> = directory
            .users
            .iter_mut()
            .zip(
                known
                    .iter_mut()
                    .map(Some)
                    .chain(std::iter::repeat_with(|| None)),
            )
            .zip(configured)
            .map(|((u, t), c)| (u, t, c))
            .collect();
        let mut out: Vec<AuditUser> = crate::par::map_mut(&mut rows, |_, (u, t, c)| {
            let h = histories.get(u.upn.as_deref());
            match t {
                Some(t) => directory_user(u, t, logs, c.take(), h),
                None => directory_user(u, &mut Tally::default(), logs, c.take(), h),
            }
        });
        drop(rows);
        let mut extra: Vec<AuditUser> = self
            .extra_names
            .iter()
            .enumerate()
            .map(|(j, name)| {
                let h = histories.get(Some(name));
                let mut u = activity_user(name, &self.tallies[self.directory_len + j], logs, h);
                u.object_id = self.extra_ids.get(j).cloned().flatten();
                u
            })
            .collect();
        // Each key lower-cased once, not once per comparison.
        extra.sort_by_cached_key(|u| (u.upn.to_lowercase(), u.upn.clone()));
        out.extend(extra);
        out
    }

    /// The six answers: the counts here, the words in `report::answers`.
    fn questions(
        &self,
        s: &Summary,
        completed_by: &[HowCount],
        denied_because: &[ReasonCount],
        users: &[AuditUser],
    ) -> Vec<Question> {
        // Users with each issue flag, in one pass over the users.
        let mut flagged = [0u64; ISSUE_FLAGS.len()];
        for u in users {
            let mut has = [false; ISSUE_FLAGS.len()];
            for f in &u.flags {
                if let Some(i) = ISSUE_FLAGS.iter().position(|(name, _)| f == name) {
                    has[i] = true;
                }
            }
            for (n, h) in flagged.iter_mut().zip(has) {
                *n += u64::from(h);
            }
        }
        answers::questions(&answers::Facts {
            signins: self.signins,
            challenges: self.challenges,
            satisfied: self.satisfied,
            denied: self.denied,
            pending: self.pending,
            signed_in_users: self
                .tallies
                .iter()
                .filter(|t| t.activity.signins > 0)
                .count() as u64,
            summary: s,
            completed_by,
            denied_because,
            flagged,
        })
    }

    fn warnings(&self, directory: &Directory, s: &Summary, inputs: &[InputSummary]) -> Vec<String> {
        let mut w = Vec::new();
        for i in inputs.iter().filter(|i| i.incomplete) {
            w.push(format!(
                "{} is incomplete: its last page says more pages follow (@odata.nextLink), but they are not among the inputs; every count drawn from it is partial until it is exported again with every page.",
                i.path
            ));
        }
        if directory.is_empty() {
            w.push(format!("No directory export was in the inputs: registration, per-user state and sign-in state are unknown for every user; add {} and a users export.", settled_by::REGISTRATION));
        }
        if s.registration_unknown_enabled > 0 {
            // Said by what would settle it: a missing export, or names the export lost.
            let mut gaps: std::collections::BTreeMap<MethodsGap, u64> = Default::default();
            for u in directory.users.iter().filter(|u| counts_as_enabled(u)) {
                if let Some(gap) = registration_gap(u) {
                    *gaps.entry(gap).or_default() += 1;
                }
            }
            for (gap, n) in gaps {
                w.push(match gap {
                    MethodsGap::NoSource => format!(
                        "Registration is unknown for {} (in neither the registered nor the unregistered count); {} would settle it.",
                        plural(n, "enabled user", "enabled users"),
                        settled_by::REGISTRATION
                    ),
                    other => format!(
                        "Registration is unknown for {} (in neither count): {}.",
                        plural(n, "enabled user", "enabled users"),
                        other.why()
                    ),
                });
            }
        }
        if s.access_unknown > 0 {
            w.push(format!(
                "Sign-in state is unknown for {} (counted as enabled); {} would settle it.",
                plural(s.access_unknown, "user", "users"),
                settled_by::SIGN_IN_STATE
            ));
        }
        if !directory.is_empty() && s.per_user_state.unknown > 0 {
            let cut_msonline = directory
                .users
                .iter()
                .filter(|u| u.per_user_state == PerUserState::Unknown && u.msol_gaps.requirements)
                .count() as u64;
            let elsewhere = s.per_user_state.unknown - cut_msonline;
            if elsewhere > 0 {
                w.push(format!(
                    "Per-user MFA state is unknown for {}; the per-user MFA state export (Get-MsolUser or Graph authentication/requirements) would settle it.",
                    plural(elsewhere, "user", "users")
                ));
            }
            if cut_msonline > 0 {
                w.push(format!(
                    "Per-user MFA state is unknown for {}: their Get-MsolUser export was written without StrongAuthenticationRequirements; export it again with that property.",
                    plural(cut_msonline, "user", "users")
                ));
            }
        }
        if self.signins == 0 {
            w.push("No sign-in activity was in the inputs: the challenge questions are unanswered and no activity flag can be raised; add a sign-in log export.".to_string());
        }
        let named = self.unmatched_signins - self.anonymous_signins;
        if named > 0 && !directory.is_empty() {
            w.push(format!(
                "{} of {} {} not in the directory (e.g. {}); they are listed after the directory users, without registration data.",
                plural(named, "sign-in", "sign-ins"),
                plural(self.extra_names.len() as u64, "user", "users"),
                if named == 1 { "is" } else { "are" },
                self.unmatched_examples.join(", ")
            ));
        }
        if self.duplicate_signins > 0 {
            w.push(format!(
                "{} met more than once (the same request id in two inputs, or twice in one): each was counted once.",
                plural(self.duplicate_signins, "sign-in was", "sign-ins were")
            ));
        }
        if self.workload_signins > 0 {
            w.push(format!(
                "{} of workload identities (service principals, managed identities) {} not user sign-ins: left out of every count.",
                plural(self.workload_signins, "sign-in", "sign-ins"),
                if self.workload_signins == 1 { "is" } else { "are" }
            ));
        }
        if self.anonymous_signins > 0 {
            w.push(format!(
                "{} carried neither a user id nor a UPN and could not be joined to a user.",
                plural(self.anonymous_signins, "sign-in", "sign-ins")
            ));
        }
        if let Some(lost) = directory.lost_characters_warning() {
            w.push(format!("{lost}."));
        }
        if !directory.conflicts.is_empty() {
            w.push(format!(
                "The inputs disagree on {} (the input given first was kept).",
                plural(directory.conflicts.len() as u64, "fact", "facts")
            ));
        }
        w
    }
}

fn access_known(u: &User) -> Option<bool> {
    match u.access {
        Access::Allowed => Some(true),
        Access::Blocked => Some(false),
        Access::NullInExport | Access::Unknown => None,
    }
}

/// What a row says about a user's registered methods, from one catalog lookup per name.
struct MethodsSeen {
    /// Every method named, in the catalog's wording (unknown names as written), once each.
    shown: Vec<Cow<'static, str>>,
    /// The strongest catalog MFA method's class.
    strongest: Option<Strength>,
    /// Catalog MFA methods exist and all are telephony.
    telephony_only: bool,
}

fn methods_seen(u: &User) -> MethodsSeen {
    let mut seen = MethodsSeen {
        shown: Vec::new(),
        strongest: None,
        telephony_only: true,
    };
    for name in u.methods.iter().flat_map(|m| m.names()) {
        let found = methods::lookup(name);
        if let Some(m) = found.filter(|m| m.is_mfa) {
            seen.strongest = Some(seen.strongest.map_or(m.strength, |s| s.min(m.strength)));
            seen.telephony_only &= m.strength == Strength::Telephony;
        }
        if !methods::is_some_method(name) {
            continue;
        }
        let shown = found.map_or_else(
            || Cow::Owned(name.trim().to_string()),
            |m| Cow::Borrowed(m.display),
        );
        if !seen.shown.contains(&shown) {
            seen.shown.push(shown);
        }
    }
    seen.telephony_only &= seen.strongest.is_some();
    seen
}

fn user_type(u: &User) -> Option<Cow<'static, str>> {
    match &u.user_type {
        UserType::Member => Some(Cow::Borrowed("member")),
        UserType::Guest => Some(Cow::Borrowed("guest")),
        UserType::Other(s) => Some(Cow::Owned(s.clone())),
        UserType::Unknown => None,
    }
}

/// A directory user's report row; the user's names and the tally's last result are moved into it.
fn directory_user(
    u: &mut User,
    t: &mut Tally,
    logs: bool,
    configured: Option<Arc<Configured>>,
    history: MfaServerEntry,
) -> AuditUser {
    let taken = (
        u.upn.take(),
        u.display_name.take(),
        u.object_id.take(),
        t.activity.last_result.take(),
    );
    let (u, t) = (&*u, &*t);
    let a = &t.activity;
    let enabled = counts_as_enabled(u);
    let registered = is_registered(u);
    let seen = methods_seen(u);
    let mut flags = Vec::new();
    if enabled && registered == Some(false) {
        flags.push(flag::ENABLED_UNREGISTERED);
    }
    if enabled && registered == Some(true) && a.signins > 0 && a.challenges == 0 {
        flags.push(flag::REGISTERED_NEVER_CHALLENGED);
    }
    activity_flags(a, history.as_ref(), &mut flags);
    if enabled && seen.telephony_only {
        flags.push(flag::TELEPHONY_ONLY);
    }
    if a.logs_say_no_methods && registered == Some(true) {
        flags.push(flag::NO_METHODS_IN_LOGS);
    }
    if enabled && u.is_admin == Some(true) && registered == Some(false) {
        flags.push(flag::ADMIN_WITHOUT_MFA);
    }
    if enabled && u.per_user_state == PerUserState::Enforced && registered == Some(false) {
        flags.push(flag::ENFORCED_UNREGISTERED);
    }
    if let Some(c) = &configured {
        configured_flags(c, u, enabled, registered, a, &mut flags);
    }
    AuditUser {
        upn: taken.0.or_else(|| taken.2.clone()).unwrap_or_default(),
        display_name: taken.1,
        object_id: taken.2,
        enabled: access_known(u),
        registered,
        per_user_state: Cow::Borrowed(u.per_user_state.title()),
        methods: seen.shown,
        strongest: seen.strongest.map(|s| Cow::Borrowed(s.label())),
        user_type: user_type(u),
        is_admin: u.is_admin,
        challenges: a.challenges,
        completed: a.completed,
        denied: a.denied,
        last_result: taken.3,
        last_signin: a.last_time.map(|t| t.to_string()),
        flags: flags.into_iter().map(Cow::Borrowed).collect(),
        enforcement: UserEnforcement {
            configured,
            ..super::observed::user_enforcement(a.enforcement.as_deref(), logs)
        },
        exception: None,
        mfa_server: history.map(|(m, _)| m),
    }
}

/// What the MFA Server histories say of one user, and when the block that decided it happened.
type MfaServerEntry = Option<(Arc<crate::report::audit::MfaServerUser>, Option<Timestamp>)>;

/// A directory user with their tally and configured verdict, as the rows are built.
type Row<'a> = (&'a mut User, Option<&'a mut Tally>, Option<Arc<Configured>>);

/// The flags the configuration raises, joined with registration and the logs (issue 20).
fn configured_flags(
    c: &Configured,
    u: &User,
    enabled: bool,
    registered: Option<bool>,
    a: &UserActivity,
    flags: &mut Vec<&'static str>,
) {
    use super::configured::{ALWAYS, CONDITIONAL, NEVER};
    if !enabled {
        return;
    }
    let required = c.mfa_required.as_deref();
    if required == Some(NEVER) {
        flags.push(flag::MFA_NOT_REQUIRED);
    }
    if c.excluded_by.as_ref().is_some_and(|e| !e.is_empty()) {
        flags.push(flag::EXCLUDED_FROM_MFA_POLICY);
    }
    if matches!(required, Some(ALWAYS | CONDITIONAL)) && registered == Some(false) {
        flags.push(flag::REQUIRED_NOT_REGISTERED);
    }
    // The methods are known (registered or not) and none satisfies what the strength allows.
    if c.phishing_resistant_required == Some(true) && registered.is_some() {
        let allowed = c.phishing_resistant_allowed.as_deref();
        let satisfied = u
            .methods
            .iter()
            .flat_map(|m| m.names())
            .filter_map(methods::lookup)
            .any(|m| match allowed {
                Some(allowed) => crate::vocab::enforcement::method_satisfies(m.id, allowed),
                None => m.strength == Strength::PhishingResistant,
            });
        if !satisfied {
            flags.push(flag::PHISHING_RESISTANT_REQUIRED_NOT_REGISTERED);
        }
    }
    // The configuration says always, and the logs show a sign-in without MFA: the finding an
    // auditor wants most.
    if required == Some(ALWAYS) && a.enforcement.as_ref().is_some_and(|e| e.without_mfa > 0) {
        flags.push(flag::REQUIRED_BUT_SIGNED_IN_WITHOUT_MFA);
    }
}

/// The policies of the export with what the logs saw of each (matched by id, else by name),
/// then those only the logs name.
fn merge_policies(exported: Vec<PolicyReport>, observed: Vec<PolicyReport>) -> Vec<PolicyReport> {
    let mut out = exported;
    for seen in observed {
        let same = |p: &PolicyReport| match (&p.id, &seen.id) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => p.name.is_some() && p.name == seen.name,
        };
        match out.iter_mut().find(|p| same(p)) {
            Some(p) => p.observed = seen.observed,
            None => out.push(seen),
        }
    }
    out
}

/// Enabled users protected (registered and always required), known not to be, and neither.
#[derive(Default)]
struct Protection {
    protected: u64,
    unprotected: u64,
    unknown: u64,
}

/// `summary.enforcement.mfa_required` and the protection counts, over enabled users.
fn required_counts(
    directory: &Directory,
    configured: &[Option<Arc<Configured>>],
    config: &TenantConfig,
) -> Option<(RequiredCounts, Protection)> {
    use super::configured::{ALWAYS, CONDITIONAL, NEVER};
    if configured.iter().all(Option::is_none) && config.is_empty() {
        return None;
    }
    let mut counts = RequiredCounts::default();
    let mut p = Protection::default();
    for (u, c) in directory.users.iter().zip(configured) {
        if !counts_as_enabled(u) {
            continue;
        }
        let required = c.as_ref().and_then(|c| c.mfa_required.as_deref());
        match required {
            Some(ALWAYS) => counts.always += 1,
            Some(CONDITIONAL) => counts.conditional += 1,
            Some(NEVER) => counts.never += 1,
            _ => counts.unknown += 1,
        }
        match (required, is_registered(u)) {
            (Some(ALWAYS), Some(true)) => p.protected += 1,
            (Some(CONDITIONAL | NEVER), _) | (_, Some(false)) => p.unprotected += 1,
            _ => p.unknown += 1,
        }
    }
    Some((counts, p))
}

/// The flags the activity (and the MFA Server histories) raise, in the order of [`flag`].
fn activity_flags(
    a: &UserActivity,
    history: Option<&(Arc<crate::report::audit::MfaServerUser>, Option<Timestamp>)>,
    flags: &mut Vec<&'static str>,
) {
    if a.challenges > 0 && a.completed == 0 {
        flags.push(flag::CHALLENGED_NEVER_COMPLETED);
    }
    if a.fraud_reported {
        flags.push(flag::FRAUD_REPORTED);
    }
    if super::mfa_server::blocked(a, history) {
        flags.push(flag::BLOCKED);
    }
    if super::mfa_server::bypassed(a, history) {
        flags.push(flag::BYPASS_USED);
    }
    if a.push_fatigue {
        flags.push(flag::PUSH_FATIGUE);
    }
    if let Some(e) = &a.enforcement {
        if e.without_mfa > 0 {
            flags.push(flag::SIGNED_IN_WITHOUT_MFA);
        }
        if e.legacy_succeeded > 0 {
            flags.push(flag::LEGACY_AUTH_SIGN_IN);
        }
    }
}

fn activity_user(name: &str, t: &Tally, logs: bool, history: MfaServerEntry) -> AuditUser {
    let a = &t.activity;
    let mut flags = Vec::new();
    activity_flags(a, history.as_ref(), &mut flags);
    AuditUser {
        upn: name.to_string(),
        per_user_state: Cow::Borrowed(PerUserState::Unknown.title()),
        challenges: a.challenges,
        completed: a.completed,
        denied: a.denied,
        last_result: a.last_result.clone(),
        last_signin: a.last_time.map(|t| t.to_string()),
        flags: flags.into_iter().map(Cow::Borrowed).collect(),
        enforcement: super::observed::user_enforcement(a.enforcement.as_deref(), logs),
        mfa_server: history.map(|(m, _)| m),
        ..AuditUser::default()
    }
}

/// Each enabled user whose methods are known, counted once by the strongest method registered:
/// the strongest MFA class; else `other` (names not in the catalog, a Temporary Access Pass), else
/// `not MFA` (email, security questions), else `none`. Users whose methods are unknown are in no
/// class (the summary counts them).
fn methods_by_strength(directory: &Directory) -> Vec<StrengthCount> {
    const CLASSES: [Strength; 5] = [
        Strength::PhishingResistant,
        Strength::AppBased,
        Strength::Telephony,
        Strength::Other,
        Strength::NotMfa,
    ];
    // The last slot counts users with no method at all.
    const NONE: usize = CLASSES.len();
    // On every core: a name lookup per method and user adds up in a large tenant.
    let per_part = crate::par::parts(&directory.users, |users| {
        let mut counts = [0u64; CLASSES.len() + 1];
        for u in users.iter().filter(|u| counts_as_enabled(u)) {
            let Some(list) = &u.methods else { continue };
            let mut mfa: Option<Strength> = None;
            let (mut other, mut not_mfa) = (false, false);
            for name in list.names().filter(|n| methods::is_some_method(n)) {
                match methods::lookup(name) {
                    Some(m) if m.is_mfa => {
                        mfa = Some(mfa.map_or(m.strength, |s| s.min(m.strength)));
                    }
                    Some(m) if m.strength == Strength::NotMfa => not_mfa = true,
                    _ => other = true,
                }
            }
            let class = match (mfa, other, not_mfa) {
                (Some(s), _, _) => s,
                (None, true, _) => Strength::Other,
                (None, false, true) => Strength::NotMfa,
                (None, false, false) => {
                    counts[NONE] += 1;
                    continue;
                }
            };
            if let Some(i) = CLASSES.iter().position(|c| *c == class) {
                counts[i] += 1;
            }
        }
        counts
    });
    let mut counts = [0u64; CLASSES.len() + 1];
    for part in per_part {
        for (c, n) in counts.iter_mut().zip(part) {
            *c += n;
        }
    }
    CLASSES
        .iter()
        .map(|c| c.label())
        .chain(std::iter::once("none"))
        .zip(counts)
        .map(|(strength, users)| StrengthCount {
            strength: strength.to_string(),
            users,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::classify::classify;
    use crate::audit::ledger::{MAX_PUSH_TIMES, fold_challenge, record_push_failure};
    use crate::model::{MethodList, Provenance};
    use jiff::SignedDuration;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn user(upn: &str, id: Option<&str>) -> User {
        User {
            upn: Some(upn.into()),
            object_id: id.map(str::to_string),
            sources: vec![Provenance { file: 0, record: 0 }],
            ..User::default()
        }
    }

    fn denied_push(upn: &str, time: &str) -> SignIn<'static> {
        SignIn {
            upn: Some(upn.to_string().into()),
            time: Some(at(time)),
            additional_details: Some(
                "MFA denied; user did not respond to mobile app notification".into(),
            ),
            mfa_method: Some("Mobile app notification".into()),
            ..SignIn::default()
        }
    }

    fn opts(threshold: u32, minutes: i64) -> AuditOptions {
        AuditOptions {
            fatigue_threshold: threshold,
            fatigue_window: SignedDuration::from_mins(minutes),
        }
    }

    fn fatigue(times: &[&str], o: AuditOptions) -> bool {
        let mut a = UserActivity::default();
        for t in times {
            record_push_failure(&mut a, at(t), o);
        }
        a.push_fatigue
    }

    #[test]
    fn fatigue_window_in_any_order() {
        let inside = [
            "2025-05-01T10:00:00Z",
            "2025-05-01T10:10:00Z",
            "2025-05-01T10:20:00Z",
            "2025-05-01T10:30:00Z",
            "2025-05-01T10:05:00Z",
        ];
        let o = opts(5, 30);
        // Oldest first, newest first, and shuffled with far-away noise in between.
        let mut sorted = inside.to_vec();
        sorted.sort();
        assert!(fatigue(&sorted, o));
        let mut newest_first = sorted.clone();
        newest_first.reverse();
        assert!(fatigue(&newest_first, o));
        assert!(fatigue(
            &[
                inside[3],
                "2025-04-01T00:00:00Z",
                inside[0],
                "2025-06-01T00:00:00Z",
                inside[4],
                inside[1],
                inside[2],
            ],
            o
        ));
        // Exactly the window counts; one second more does not.
        assert!(fatigue(
            &["2025-05-01T10:00:00Z", "2025-05-01T10:30:00Z"],
            opts(2, 30)
        ));
        assert!(!fatigue(
            &["2025-05-01T10:00:00Z", "2025-05-01T10:30:01Z"],
            opts(2, 30)
        ));
        // Four in the window is not five.
        assert!(!fatigue(&inside[..4], o));
        // Five spread over a day are not fatigue.
        assert!(!fatigue(
            &[
                "2025-05-01T01:00:00Z",
                "2025-05-01T05:00:00Z",
                "2025-05-01T09:00:00Z",
                "2025-05-01T13:00:00Z",
                "2025-05-01T17:00:00Z",
            ],
            o
        ));
        // Threshold 0 turns the flag off.
        assert!(!fatigue(&inside, opts(0, 30)));
        assert!(fatigue(&inside[..1], opts(1, 0)));
    }

    #[test]
    fn fatigue_memory_is_bounded() {
        let mut a = UserActivity::default();
        let start = at("2025-01-01T00:00:00Z");
        for i in 0..(MAX_PUSH_TIMES as i64 + 500) {
            record_push_failure(&mut a, start + SignedDuration::from_hours(i), opts(5, 30));
        }
        assert!(!a.push_fatigue);
        assert_eq!(a.recent_push_failures.len(), MAX_PUSH_TIMES);
        // Once raised, the times are dropped.
        for m in 0..5 {
            record_push_failure(&mut a, start + SignedDuration::from_mins(m), opts(5, 30));
        }
        assert!(a.push_fatigue);
        assert!(a.recent_push_failures.is_empty());
    }

    #[test]
    fn fatigue_through_the_auditor_counts_only_push_refusals() {
        let mut d = Directory::new();
        d.insert(user("ada@contoso.com", None));
        let three = [
            denied_push("ADA@contoso.com", "2025-05-01T10:09:00Z"),
            // A wrong code is a denial but not a push refusal.
            SignIn {
                upn: Some("ada@contoso.com".into()),
                time: Some(at("2025-05-01T10:05:00Z")),
                additional_details: Some("MFA denied; user entered incorrect code".into()),
                ..SignIn::default()
            },
            denied_push("ada@contoso.com", "2025-05-01T10:00:00Z"),
        ];
        let fatigued = |events: &[SignIn]| {
            let mut auditor = Auditor::new(opts(3, 10));
            for s in events {
                auditor.add(s);
            }
            Ledger::join(auditor.ledgers, &d, &GuestIndex::new(&d)).tallies[0]
                .activity
                .push_fatigue
        };
        assert!(!fatigued(&three));
        let mut four = three.to_vec();
        four.push(denied_push("ada@contoso.com", "2025-05-01T10:04:00Z"));
        assert!(fatigued(&four));
        let mut auditor = Auditor::new(opts(3, 10));
        for s in &four {
            auditor.add(s);
        }
        let report = auditor.finish(d, vec![], at("2025-05-02T00:00:00Z"));
        assert_eq!(
            report.users[0].flags,
            ["challenged-never-completed", "push-fatigue-suspected"]
        );
        assert_eq!(
            report.users[0].last_result.as_deref(),
            Some("denied: user did not respond to mobile app notification")
        );
        assert_eq!(
            report.users[0].last_signin.as_deref(),
            Some("2025-05-01T10:09:00Z")
        );
    }

    #[test]
    fn joins_by_id_upn_and_guest_home_form() {
        let mut d = Directory::new();
        d.insert(user("ada@contoso.com", Some("ID-ADA")));
        d.insert(user("Grace_Example.org#EXT#@contoso.onmicrosoft.com", None));
        let mut auditor = Auditor::new(AuditOptions::default());
        let by = |id: Option<&str>, upn: Option<&str>| SignIn {
            user_id: id.map(|s| s.to_string().into()),
            upn: upn.map(|s| s.to_string().into()),
            ..SignIn::default()
        };
        auditor.add(&by(Some("id-ada"), Some("renamed@contoso.com")));
        auditor.add(&by(None, Some(" Ada@Contoso.com ")));
        auditor.add(&by(None, Some("grace@example.org")));
        auditor.add(&by(Some("id-x"), Some("Xavier@Fabrikam.com")));
        auditor.add(&by(None, Some("xavier@fabrikam.com")));
        auditor.add(&by(Some("ID-X"), None));
        auditor.add(&by(None, None));
        let joined = Ledger::join(auditor.ledgers, &d, &GuestIndex::new(&d));
        let signins: Vec<u64> = joined.tallies.iter().map(|t| t.activity.signins).collect();
        assert_eq!(signins, [2, 1, 3]);
        let report = joined.report(
            d,
            vec![],
            at("2025-05-02T00:00:00Z"),
            &TenantConfig::default(),
            &mut Leftovers::default(),
        );
        assert_eq!(
            report.unmatched_signins,
            UnmatchedSignIns {
                signins: 4,
                users: 1,
                examples: vec!["Xavier@Fabrikam.com".into()],
            }
        );
        let upns: Vec<&str> = report.users.iter().map(|u| u.upn.as_str()).collect();
        assert_eq!(
            upns,
            [
                "ada@contoso.com",
                "Grace_Example.org#EXT#@contoso.onmicrosoft.com",
                "Xavier@Fabrikam.com"
            ]
        );
        assert_eq!(report.users[2].registered, None);
        assert_eq!(report.users[2].per_user_state, "Unknown");
        assert_eq!(
            report.warnings,
            [
                "Registration is unknown for 2 enabled users (in neither the registered nor the unregistered count); the registration details export (admin center or Graph userRegistrationDetails) would settle it.",
                "Sign-in state is unknown for 2 users (counted as enabled); a users export (Graph /users with accountEnabled, or the admin center 'Download users' CSV) would settle it.",
                "Per-user MFA state is unknown for 2 users; the per-user MFA state export (Get-MsolUser or Graph authentication/requirements) would settle it.",
                "3 sign-ins of 1 user are not in the directory (e.g. Xavier@Fabrikam.com); they are listed after the directory users, without registration data.",
                "1 sign-in carried neither a user id nor a UPN and could not be joined to a user.",
                "7 sign-ins did not say whether they were interactive (no isInteractive, log category or file name): taken as interactive; an export that carries isInteractive (Graph beta signIns, Azure Monitor), or the admin center's interactive and non-interactive downloads under their own file names would settle it.",
            ]
        );
    }

    #[test]
    fn last_result_does_not_depend_on_order() {
        let events = [
            SignIn {
                time: Some(at("2025-05-01T09:00:00Z")),
                additional_details: Some("MFA denied; user declined the authentication".into()),
                ..SignIn::default()
            },
            SignIn {
                time: Some(at("2025-05-01T10:00:00Z")),
                additional_details: Some("MFA successfully completed".into()),
                ..SignIn::default()
            },
            SignIn {
                time: None,
                additional_details: Some("MFA denied; user is blocked".into()),
                ..SignIn::default()
            },
        ];
        for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1]] {
            let mut t = Tally::default();
            for (seq, i) in order.into_iter().enumerate() {
                let c = classify(&events[i]).unwrap();
                fold_challenge(
                    &mut t,
                    &c,
                    events[i].time,
                    seq as u64 + 1,
                    AuditOptions::default(),
                );
            }
            assert_eq!(
                t.activity.last_result.as_deref(),
                Some("satisfied: successfully completed"),
                "{order:?}"
            );
            assert!(t.activity.blocked_in_mfa);
        }
    }

    #[test]
    fn directory_flags() {
        let mut admin = user("root@contoso.com", None);
        admin.access = Access::Allowed;
        admin.is_admin = Some(true);
        admin.per_user_state = PerUserState::Enforced;
        admin.methods = Some(MethodList::from_names(Vec::new()));
        let mut phone = user("pat@contoso.com", None);
        phone.access = Access::Allowed;
        phone.methods = Some(MethodList::from_names(
            ["mobilePhone", "email", "OneWaySMS"].map(String::from),
        ));
        let mut blocked = user("gone@contoso.com", None);
        blocked.access = Access::Blocked;
        blocked.methods = Some(MethodList::from_names(Vec::new()));
        let mut d = Directory::new();
        for u in [admin, phone, blocked] {
            d.insert(u);
        }
        let mut auditor = Auditor::new(AuditOptions::default());
        auditor.add(&SignIn {
            upn: Some("pat@contoso.com".into()),
            additional_details: Some(
                "MFA denied; user does not have any verification methods registered".into(),
            ),
            ..SignIn::default()
        });
        let r = auditor.finish(d, vec![], at("2025-05-02T00:00:00Z"));
        let flags: Vec<Vec<&str>> = r
            .users
            .iter()
            .map(|u| u.flags.iter().map(|f| f.as_ref()).collect())
            .collect();
        assert_eq!(
            flags,
            [
                vec![
                    "enabled-unregistered",
                    "admin-without-mfa",
                    "enforced-unregistered",
                    // Per-user MFA enforced requires MFA always (issue 20).
                    "required-not-registered"
                ],
                vec![
                    "challenged-never-completed",
                    "telephony-only",
                    "logs-say-no-methods"
                ],
                vec![],
            ]
        );
        assert_eq!(
            r.users[1].methods,
            [
                "Mobile phone (SMS or voice)",
                "Email (SSPR only)",
                "Text message (SMS)"
            ]
        );
        assert_eq!(r.users[1].strongest.as_deref(), Some("telephony"));
        assert_eq!(r.users[2].enabled, Some(false));
        let strength: Vec<(&str, u64)> = r
            .methods_by_strength
            .iter()
            .map(|s| (s.strength.as_str(), s.users))
            .collect();
        assert_eq!(
            strength,
            // Each enabled user once, by the strongest method: pat's email does not count her
            // again as "not MFA"; root has none.
            [
                ("phishing-resistant", 0),
                ("app-based", 0),
                ("telephony", 1),
                ("other", 0),
                ("not MFA", 0),
                ("none", 1)
            ]
        );
    }

    #[test]
    fn no_signins_says_so() {
        let d = Directory::new();
        let r = Auditor::new(AuditOptions::default()).finish(d, vec![], at("2025-05-02T00:00:00Z"));
        assert_eq!(r.questions.len(), 6);
        assert!(
            r.questions
                .iter()
                .all(|q| q.answer.starts_with("No sign-in activity"))
        );
        assert_eq!(r.generated_at, "2025-05-02T00:00:00Z");
        assert_eq!(r.schema, SCHEMA);
        assert_eq!(r.warnings.len(), 2);
    }
}
