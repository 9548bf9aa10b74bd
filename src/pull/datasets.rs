//! The datasets a pull fetches, each written as the readers detect it while its pages stream in:
//! Graph pages one per line (the `@odata.context` says what they are), the per-user MFA state as
//! JSON Lines, group members as CSV. Only what the audit reads is selected, and every list asks
//! for the largest page the API allows. Each dataset runs on its own thread; the requests of all
//! of them share the client's permits.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};

use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};

use super::client::{self, Counter, Failure, Http};
use super::endpoints::encode;
use crate::console::{Progress, ProgressGroup};

/// A dataset of `--only`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Deserialize,
    serde::Serialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Dataset {
    /// Accounts: enabled, member or guest, licensed.
    Users,
    /// Registration details: methods, MFA registered and capable, admin.
    Registration,
    /// Per-user MFA state (beta `authentication/requirements`, through `$batch`).
    PerUserState,
    /// Sign-ins since `--since` (interactive; non-interactive too with `--non-interactive`).
    Signins,
    /// Conditional Access policies and security defaults.
    Policies,
    /// Directory role assignments, active and eligible, and the role definitions.
    Roles,
    /// The transitive members of the groups the policies name.
    Groups,
}

/// Each dataset's name and the Graph application permission it needs.
const PERMISSIONS: &[(Dataset, &str, &str)] = &[
    (Dataset::Users, "users", "User.Read.All"),
    (Dataset::Registration, "registration", "AuditLog.Read.All"),
    (
        Dataset::PerUserState,
        "per-user-state",
        "UserAuthenticationMethod.Read.All",
    ),
    (Dataset::Signins, "signins", "AuditLog.Read.All"),
    (Dataset::Policies, "policies", "Policy.Read.All"),
    (Dataset::Roles, "roles", "RoleManagement.Read.Directory"),
    (Dataset::Groups, "groups", "GroupMember.Read.All"),
];

impl Dataset {
    pub const ALL: [Dataset; 7] = [
        Dataset::Users,
        Dataset::Registration,
        Dataset::PerUserState,
        Dataset::Signins,
        Dataset::Policies,
        Dataset::Roles,
        Dataset::Groups,
    ];

    fn row(self) -> &'static (Dataset, &'static str, &'static str) {
        PERMISSIONS
            .iter()
            .find(|(d, ..)| *d == self)
            .expect("every dataset has a row")
    }

    pub fn name(self) -> &'static str {
        self.row().1
    }

    /// The Graph application permission the dataset needs.
    pub fn permission(self) -> &'static str {
        self.row().2
    }
}

/// The files a pull writes, each with its dataset and (for the lists) its first request.
pub struct FileSpec {
    pub dataset: Dataset,
    pub file: &'static str,
    path: &'static str,
}

const USER_FIELDS: &str =
    "id,userPrincipalName,displayName,accountEnabled,userType,assignedLicenses";
const REGISTRATION_FIELDS: &str = "id,userPrincipalName,userDisplayName,userType,isAdmin,isMfaRegistered,isMfaCapable,methodsRegistered,userPreferredMethodForSecondaryAuthentication";
const SIGNIN_FIELDS: &str = "id,createdDateTime,userPrincipalName,userId,userDisplayName,status,authenticationRequirement,mfaDetail,authenticationDetails,originalRequestId,servicePrincipalId,signInEventTypes,isInteractive,clientAppUsed,appDisplayName,appId,conditionalAccessStatus,appliedConditionalAccessPolicies,authenticationRequirementPolicies";
const ROLE_FIELDS: &str = "id,principalId,roleDefinitionId,directoryScopeId";

pub const USERS: FileSpec = FileSpec {
    dataset: Dataset::Users,
    file: "users.json",
    path: "/v1.0/users",
};
pub const REGISTRATION: FileSpec = FileSpec {
    dataset: Dataset::Registration,
    file: "registration-details.json",
    path: "/v1.0/reports/authenticationMethods/userRegistrationDetails",
};
pub const PER_USER_STATE: FileSpec = FileSpec {
    dataset: Dataset::PerUserState,
    file: "per-user-mfa-state.json",
    path: "/beta/$batch",
};
pub const SIGNINS_INTERACTIVE: FileSpec = FileSpec {
    dataset: Dataset::Signins,
    file: "signins-interactive.json",
    path: "/beta/auditLogs/signIns",
};
pub const SIGNINS_NONINTERACTIVE: FileSpec = FileSpec {
    dataset: Dataset::Signins,
    file: "signins-noninteractive.json",
    path: "/beta/auditLogs/signIns",
};
pub const POLICIES: FileSpec = FileSpec {
    dataset: Dataset::Policies,
    file: "conditional-access-policies.json",
    path: "/v1.0/identity/conditionalAccess/policies",
};
pub const SECURITY_DEFAULTS: FileSpec = FileSpec {
    dataset: Dataset::Policies,
    file: "security-defaults.json",
    path: "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy",
};
pub const ROLE_ASSIGNMENTS: FileSpec = FileSpec {
    dataset: Dataset::Roles,
    file: "role-assignments.json",
    path: "/v1.0/roleManagement/directory/roleAssignments",
};
pub const ROLE_ELIGIBILITY: FileSpec = FileSpec {
    dataset: Dataset::Roles,
    file: "role-eligibility.json",
    path: "/v1.0/roleManagement/directory/roleEligibilitySchedules",
};
pub const ROLE_DEFINITIONS: FileSpec = FileSpec {
    dataset: Dataset::Roles,
    file: "role-definitions.json",
    path: "/v1.0/roleManagement/directory/roleDefinitions",
};
pub const GROUP_MEMBERS: FileSpec = FileSpec {
    dataset: Dataset::Groups,
    file: "group-members.csv",
    path: "/v1.0/groups",
};

/// The files in the manifest's order.
pub const FILE_ORDER: [&str; 11] = [
    USERS.file,
    REGISTRATION.file,
    PER_USER_STATE.file,
    SIGNINS_INTERACTIVE.file,
    SIGNINS_NONINTERACTIVE.file,
    POLICIES.file,
    SECURITY_DEFAULTS.file,
    ROLE_ASSIGNMENTS.file,
    ROLE_ELIGIBILITY.file,
    ROLE_DEFINITIONS.file,
    GROUP_MEMBERS.file,
];

/// The most requests one `$batch` may carry (Graph's limit).
pub const BATCH_SIZE: usize = 20;

/// What one file came to.
pub struct Outcome {
    pub dataset: Dataset,
    pub file: &'static str,
    pub requests: u64,
    pub result: Result<u64, Failure>,
    /// What the records do not say (a group a policy names that no longer exists).
    pub notes: Vec<String>,
}

/// What the dataset threads share.
pub struct Context<'a> {
    pub http: &'a Http,
    pub dir: &'a Path,
    /// The sign-in filter's start, `2026-11-26T00:00:00Z`.
    pub since: String,
    pub non_interactive: bool,
    pub workers: usize,
    pub bars: &'a ProgressGroup,
}

/// A page of users handed to the per-user state, or why none will come.
pub enum Ids {
    Page(Vec<UserRef>),
    Failed(String),
}

#[derive(Debug, Clone, Deserialize)]
pub struct UserRef {
    id: String,
    #[serde(default, rename = "userPrincipalName")]
    upn: Option<String>,
}

/// The groups the policies name, or why they are unknown.
pub type GroupIds = Result<BTreeSet<String>, String>;

#[derive(Deserialize)]
struct Page<T> {
    #[serde(default = "Vec::new")]
    value: Vec<T>,
    #[serde(default, rename = "@odata.nextLink")]
    next: Option<String>,
}

impl<'a> Context<'a> {
    fn url(&self, path: &str, query: &[(&str, &str)]) -> String {
        let mut url = format!("{}{path}", self.http.endpoints.graph);
        for (i, (k, v)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(k);
            url.push('=');
            url.push_str(&encode(v));
        }
        url
    }

    fn path(&self, spec: &FileSpec) -> PathBuf {
        self.dir.join(spec.file)
    }

    fn bar(&self, spec: &FileSpec, what: &'static str) -> Progress {
        self.bars.bar(spec.file, what)
    }

    /// Follows `@odata.nextLink` from `first` to the last page, handing each page to `each`: its
    /// body as Graph sent it and its records.
    fn pages<T: DeserializeOwned>(
        &self,
        first: String,
        counter: &Counter,
        mut each: impl FnMut(&[u8], Vec<T>) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        let mut url = first;
        loop {
            let body = self.http.get(&url, counter)?;
            let page: Page<T> = serde_json::from_slice(&body).map_err(|e| {
                Failure::Response(format!("a page that is not a Graph collection ({e})"))
            })?;
            each(&body, page.value)?;
            match page.next {
                Some(next) => url = next,
                None => return Ok(()),
            }
        }
    }

    /// Every page from `first` on, each written to `w` on its own line as Graph sent it, its
    /// records handed to `each`; the number of records.
    fn stream<T: DeserializeOwned>(
        &self,
        first: String,
        w: &mut dyn Write,
        path: &Path,
        counter: &Counter,
        bar: &mut Progress,
        mut each: impl FnMut(Vec<T>),
    ) -> Result<u64, Failure> {
        let mut records = 0;
        self.pages(first, counter, |body, page: Vec<T>| {
            write_line(w, path, body)?;
            let n = page.len() as u64;
            records += n;
            bar.inc_by(n);
            each(page);
            Ok(())
        })?;
        Ok(records)
    }

    /// A list dataset written as pages.
    fn list(&self, spec: &FileSpec, query: &[(&str, &str)], what: &'static str) -> Outcome {
        let counter = Counter::default();
        let path = self.path(spec);
        let mut bar = self.bar(spec, what);
        let first = self.url(spec.path, query);
        let result = write_file(&path, |w| {
            self.stream::<IgnoredAny>(first, w, &path, &counter, &mut bar, |_| {})
        });
        bar.finish();
        outcome(spec, &counter, result)
    }

    pub fn users(&self, ids: Option<SyncSender<Ids>>) -> Outcome {
        let counter = Counter::default();
        let path = self.path(&USERS);
        let mut bar = self.bar(&USERS, "users");
        let first = self.url(USERS.path, &[("$select", USER_FIELDS), ("$top", "999")]);
        let result = write_file(&path, |w| {
            self.stream::<UserRef>(first, w, &path, &counter, &mut bar, |page| {
                if let Some(tx) = &ids {
                    // The per-user state may have stopped; the users go on.
                    let _ = tx.send(Ids::Page(page));
                }
            })
        });
        bar.finish();
        if let (Some(tx), Err(f)) = (&ids, &result) {
            let _ = tx.send(Ids::Failed(format!(
                "the user list could not be read ({})",
                f.describe()
            )));
        }
        outcome(&USERS, &counter, result)
    }

    pub fn registration(&self) -> Outcome {
        self.list(
            &REGISTRATION,
            &[("$select", REGISTRATION_FIELDS), ("$top", "999")],
            "registrations",
        )
    }

    pub fn signins(&self, spec: &FileSpec) -> Outcome {
        let mut filter = format!("createdDateTime ge {}", self.since);
        if spec.file == SIGNINS_NONINTERACTIVE.file {
            filter.push_str(" and signInEventTypes/any(t: t eq 'nonInteractiveUser')");
        }
        self.list(
            spec,
            &[
                ("$filter", &filter),
                ("$select", SIGNIN_FIELDS),
                ("$top", "1000"),
            ],
            "sign-ins",
        )
    }

    /// The Conditional Access policies (whole: the evaluation reads nearly every part of them),
    /// and the groups they name, for the groups dataset.
    pub fn policies(&self, groups: Option<SyncSender<GroupIds>>) -> Outcome {
        let counter = Counter::default();
        let path = self.path(&POLICIES);
        let mut bar = self.bar(&POLICIES, "policies");
        let mut named = BTreeSet::new();
        let first = self.url(POLICIES.path, &[]);
        let result = write_file(&path, |w| {
            self.stream::<PolicyGroups>(first, w, &path, &counter, &mut bar, |page| {
                named.extend(page.into_iter().flat_map(PolicyGroups::ids));
            })
        });
        bar.finish();
        if let Some(tx) = groups {
            let _ = tx.send(match &result {
                Ok(_) => Ok(named),
                Err(f) => Err(format!(
                    "the policies naming the groups could not be read ({})",
                    f.describe()
                )),
            });
        }
        outcome(&POLICIES, &counter, result)
    }

    pub fn security_defaults(&self) -> Outcome {
        let counter = Counter::default();
        let path = self.path(&SECURITY_DEFAULTS);
        let url = self.url(SECURITY_DEFAULTS.path, &[]);
        let result = self.http.get(&url, &counter).and_then(|body| {
            serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&body).map_err(
                |e| {
                    Failure::Response(format!(
                        "the security defaults policy is not an object ({e})"
                    ))
                },
            )?;
            write_file(&path, |w| write_line(w, &path, &body).map(|()| 1))
        });
        outcome(&SECURITY_DEFAULTS, &counter, result)
    }

    pub fn roles(&self, spec: &FileSpec) -> Outcome {
        if spec.file == ROLE_DEFINITIONS.file {
            return self.list(
                spec,
                &[("$select", "id,displayName,isBuiltIn,templateId")],
                "role definitions",
            );
        }
        let select = if spec.file == ROLE_ELIGIBILITY.file {
            // The status and creation time are what tell an eligibility schedule from an
            // assignment.
            "id,principalId,roleDefinitionId,directoryScopeId,memberType,status,createdDateTime,scheduleInfo"
        } else {
            ROLE_FIELDS
        };
        self.list(
            spec,
            &[("$select", select), ("$expand", "principal")],
            "role assignments",
        )
    }

    /// The transitive members of each group the policies name, as a membership CSV.
    pub fn groups(&self, named: GroupIds) -> Outcome {
        let counter = Counter::default();
        let path = self.path(&GROUP_MEMBERS);
        let mut notes = Vec::new();
        let named = match named {
            Ok(n) => n,
            Err(why) => return outcome(&GROUP_MEMBERS, &counter, Err(Failure::Upstream(why))),
        };
        let mut bar = self.bar(&GROUP_MEMBERS, "members");
        let result = write_file(&path, |w| {
            let mut csv = csv::Writer::from_writer(w);
            let fail = |e: csv::Error| Failure::Write(crate::error::Error::io(&path, e.into()));
            csv.write_record([
                "groupId",
                "memberId",
                "memberUserPrincipalName",
                "memberType",
            ])
            .map_err(fail)?;
            let mut rows = 0;
            for group in &named {
                let first = self.url(
                    &format!("{}/{}/transitiveMembers", GROUP_MEMBERS.path, encode(group)),
                    &[("$select", "id,userPrincipalName"), ("$top", "999")],
                );
                let members = self.pages(first, &counter, |_, page: Vec<Member>| {
                    for m in &page {
                        let kind = m.kind.as_deref().unwrap_or("");
                        let kind = kind.rsplit('.').next().unwrap_or(kind);
                        csv.write_record([
                            group.as_str(),
                            &m.id,
                            m.upn.as_deref().unwrap_or(""),
                            kind,
                        ])
                        .map_err(fail)?;
                    }
                    rows += page.len() as u64;
                    bar.inc_by(page.len() as u64);
                    Ok(())
                });
                match members {
                    Ok(()) => {}
                    Err(Failure::Status { status: 404, .. }) => {
                        notes.push(format!(
                            "group {group} is named by a policy but does not exist"
                        ));
                    }
                    Err(f) => return Err(f),
                }
            }
            csv.flush()
                .map_err(|e| Failure::Write(crate::error::Error::io(&path, e)))?;
            Ok(rows)
        });
        bar.finish();
        let mut o = outcome(&GROUP_MEMBERS, &counter, result);
        o.notes = notes;
        o
    }

    /// The groups the policies name, read in memory when the policies are not pulled themselves.
    pub fn policy_groups(&self, counter: &Counter) -> GroupIds {
        let mut named = BTreeSet::new();
        self.pages(
            self.url(POLICIES.path, &[]),
            counter,
            |_, page: Vec<PolicyGroups>| {
                named.extend(page.into_iter().flat_map(PolicyGroups::ids));
                Ok(())
            },
        )
        .map_err(|f| {
            format!(
                "the policies naming the groups could not be read ({})",
                f.describe()
            )
        })?;
        Ok(named)
    }

    /// The users' ids alone, for the per-user state when the users are not pulled themselves.
    pub fn user_ids(&self, tx: SyncSender<Ids>, counter: &Counter) {
        let first = self.url(
            USERS.path,
            &[("$select", "id,userPrincipalName"), ("$top", "999")],
        );
        let read = self.pages(first, counter, |_, page: Vec<UserRef>| {
            // The per-user state stopped: nobody wants the rest.
            tx.send(Ids::Page(page)).map_err(|_| Failure::Cancelled)
        });
        match read {
            Ok(()) | Err(Failure::Cancelled) => {}
            Err(f) => {
                let _ = tx.send(Ids::Failed(format!(
                    "the user list could not be read ({})",
                    f.describe()
                )));
            }
        }
    }

    /// The per-user MFA state of every user `ids` brings, asked twenty at a time through `$batch`
    /// by `workers` threads and written in the users' order as JSON Lines.
    pub fn per_user_state(&self, ids: Receiver<Ids>, counter: &Counter) -> Outcome {
        let path = self.path(&PER_USER_STATE);
        let mut bar = self.bar(&PER_USER_STATE, "users");
        let result = write_file(&path, |w| {
            self.per_user_state_in(ids, counter, w, &path, &mut bar)
        });
        bar.finish();
        outcome(&PER_USER_STATE, counter, result)
    }

    fn per_user_state_in(
        &self,
        ids: Receiver<Ids>,
        counter: &Counter,
        w: &mut dyn Write,
        path: &Path,
        bar: &mut Progress,
    ) -> Result<u64, Failure> {
        type Done = (u64, Vec<UserRef>, Result<Vec<Option<String>>, Failure>);
        // At most this many batches are asked ahead of the one written next, so that a batch
        // retried for a while does not let the others pile up in memory.
        let window = self.workers * 4;
        let (tickets_tx, tickets_rx) = sync_channel::<()>(window);
        for _ in 0..window {
            let _ = tickets_tx.send(());
        }
        let (work_tx, work_rx) = sync_channel::<(u64, Vec<UserRef>)>(self.workers);
        let work_rx = Mutex::new(work_rx);
        let (done_tx, done_rx) = channel::<Done>();
        let stop = AtomicBool::new(false);
        let (work_rx, stop) = (&work_rx, &stop);
        std::thread::scope(|s| {
            for _ in 0..self.workers {
                let done_tx = done_tx.clone();
                s.spawn(move || {
                    loop {
                        let job = work_rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        let Ok((seq, users)) = job else { return };
                        let states = if stop.load(Ordering::Relaxed) {
                            Err(Failure::Cancelled)
                        } else {
                            self.batch(&users, counter)
                        };
                        if done_tx.send((seq, users, states)).is_err() {
                            return;
                        }
                    }
                });
            }
            drop(done_tx);
            let feeder = s.spawn(move || -> Result<(), Failure> {
                let mut seq = 0;
                let mut send = |batch: Vec<UserRef>| {
                    if stop.load(Ordering::Relaxed)
                        || tickets_rx.recv().is_err()
                        || work_tx.send((seq, batch)).is_err()
                    {
                        return;
                    }
                    seq += 1;
                };
                // Batches run across the pages (of 999 users), so there are never more than
                // users/20 of them.
                let mut waiting: Vec<UserRef> = Vec::new();
                for page in ids {
                    match page {
                        Ids::Page(users) => waiting.extend(users),
                        Ids::Failed(why) => return Err(Failure::Upstream(why)),
                    }
                    let rest = waiting.split_off(waiting.len() / BATCH_SIZE * BATCH_SIZE);
                    for batch in waiting.chunks(BATCH_SIZE) {
                        send(batch.to_vec());
                    }
                    waiting = rest;
                }
                if !waiting.is_empty() {
                    send(waiting);
                }
                Ok(())
            });
            let mut pending: BTreeMap<u64, (Vec<UserRef>, Vec<Option<String>>)> = BTreeMap::new();
            let mut next = 0;
            let mut written = 0;
            let mut failure = None;
            for (seq, users, states) in done_rx {
                let _ = tickets_tx.send(());
                match states {
                    Ok(states) if failure.is_none() => {
                        pending.insert(seq, (users, states));
                    }
                    Ok(_) => {}
                    Err(f) => {
                        stop.store(true, Ordering::Relaxed);
                        if failure.is_none() && !matches!(f, Failure::Cancelled) {
                            failure = Some(f);
                        }
                    }
                }
                while let Some((users, states)) = pending.remove(&next) {
                    next += 1;
                    if failure.is_some() {
                        continue;
                    }
                    for (u, state) in users.iter().zip(states) {
                        let line = serde_json::json!({
                            "id": u.id,
                            "userPrincipalName": u.upn,
                            "perUserMfaState": state,
                        });
                        if let Err(f) = write_line(w, path, line.to_string().as_bytes()) {
                            stop.store(true, Ordering::Relaxed);
                            failure = Some(f);
                            break;
                        }
                        written += 1;
                    }
                    bar.inc_by(users.len() as u64);
                }
            }
            let fed = feeder
                .join()
                .unwrap_or_else(|_| Err(Failure::Response("a thread of the pull panicked".into())));
            match (failure, fed) {
                (Some(f), _) | (None, Err(f)) => Err(f),
                (None, Ok(())) => Ok(written),
            }
        })
    }

    /// One `$batch` of `authentication/requirements`: the state of each user, `None` for a user
    /// Graph no longer has. Items throttled inside the batch are asked again.
    fn batch(&self, users: &[UserRef], counter: &Counter) -> Result<Vec<Option<String>>, Failure> {
        let url = self.url(PER_USER_STATE.path, &[]);
        let mut states: Vec<Option<Option<String>>> = vec![None; users.len()];
        for attempt in 1..=client::MAX_ATTEMPTS {
            let asked: Vec<usize> = (0..users.len()).filter(|&i| states[i].is_none()).collect();
            if asked.is_empty() {
                break;
            }
            let requests: Vec<serde_json::Value> = asked
                .iter()
                .map(|&i| {
                    serde_json::json!({
                        "id": i.to_string(),
                        "method": "GET",
                        "url": format!("/users/{}/authentication/requirements", encode(&users[i].id)),
                    })
                })
                .collect();
            let body = serde_json::json!({ "requests": requests }).to_string();
            let answer = self.http.post_json(&url, body.as_bytes(), counter)?;
            let answer: BatchAnswer = serde_json::from_slice(&answer)
                .map_err(|e| Failure::Response(format!("a $batch answer that is not one ({e})")))?;
            let mut wait: Option<std::time::Duration> = None;
            for r in answer.responses {
                let Some(i) = r.id.parse::<usize>().ok().filter(|i| asked.contains(i)) else {
                    continue;
                };
                match r.status {
                    200..=299 => {
                        let state = r
                            .body
                            .get("perUserMfaState")
                            .and_then(|v| v.as_str())
                            .map(str::to_string);
                        states[i] = Some(state);
                    }
                    404 => states[i] = Some(None),
                    status if client::retried(status) && attempt < client::MAX_ATTEMPTS => {
                        let after = r
                            .headers
                            .iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
                            .and_then(|(_, v)| client::retry_after(v.as_str()?))
                            .unwrap_or_else(|| self.http.backoff(attempt));
                        wait = Some(wait.unwrap_or_default().max(after));
                    }
                    status => return Err(self.http.failure(status, &r.body)),
                }
            }
            if let Some(wait) = wait {
                std::thread::sleep(wait);
            }
        }
        states
            .into_iter()
            .map(|s| {
                s.ok_or_else(|| {
                    Failure::Response(
                        "a $batch answer left users unanswered after every retry".into(),
                    )
                })
            })
            .collect()
    }
}

#[derive(Deserialize)]
struct BatchAnswer {
    #[serde(default)]
    responses: Vec<BatchItem>,
}

#[derive(Deserialize)]
struct BatchItem {
    #[serde(default)]
    id: String,
    #[serde(default)]
    status: u16,
    #[serde(default)]
    headers: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    body: serde_json::Value,
}

#[derive(Deserialize)]
struct Member {
    id: String,
    #[serde(default, rename = "userPrincipalName")]
    upn: Option<String>,
    #[serde(default, rename = "@odata.type")]
    kind: Option<String>,
}

/// The groups one policy names, included or excluded.
#[derive(Deserialize, Default)]
#[serde(default)]
struct PolicyGroups {
    conditions: Option<Conditions>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Conditions {
    users: Option<UserConditions>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct UserConditions {
    include_groups: Option<Vec<String>>,
    exclude_groups: Option<Vec<String>>,
}

impl PolicyGroups {
    fn ids(self) -> Vec<String> {
        let Some(u) = self.conditions.and_then(|c| c.users) else {
            return Vec::new();
        };
        u.include_groups
            .into_iter()
            .chain(u.exclude_groups)
            .flatten()
            .filter(|g| !g.trim().is_empty())
            .collect()
    }
}

fn write_line(w: &mut dyn Write, path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    w.write_all(bytes)
        .and_then(|()| w.write_all(b"\n"))
        .map_err(|e| Failure::Write(crate::error::Error::io(path, e)))
}

/// Writes `path` atomically through `fill`: a failure leaves the previous file as it was.
fn write_file(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<u64, Failure>,
) -> Result<u64, Failure> {
    let mut failure = None;
    let mut records = 0;
    let written = crate::output::write_atomic(path, |w| match fill(w) {
        Ok(n) => {
            records = n;
            Ok(())
        }
        Err(f) => {
            failure = Some(f);
            Err(crate::error::Error::Stopped)
        }
    });
    match (failure, written) {
        (Some(f), _) => Err(f),
        (None, Err(e)) => Err(Failure::Write(e)),
        (None, Ok(())) => Ok(records),
    }
}

fn outcome(spec: &FileSpec, counter: &Counter, result: Result<u64, Failure>) -> Outcome {
    Outcome {
        dataset: spec.dataset,
        file: spec.file,
        requests: counter.get(),
        result,
        notes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dataset_has_a_name_and_a_permission() {
        let names: Vec<&str> = Dataset::ALL.iter().map(|d| d.name()).collect();
        assert_eq!(
            names,
            [
                "users",
                "registration",
                "per-user-state",
                "signins",
                "policies",
                "roles",
                "groups"
            ]
        );
        assert_eq!(
            Dataset::PerUserState.permission(),
            "UserAuthenticationMethod.Read.All"
        );
        for d in Dataset::ALL {
            use clap::ValueEnum;
            assert_eq!(d.to_possible_value().unwrap().get_name(), d.name());
        }
    }

    #[test]
    fn the_groups_of_policies_are_their_include_and_exclude_groups() {
        let p: PolicyGroups = serde_json::from_str(
            r#"{"conditions":{"users":{"includeGroups":["g1"],"excludeGroups":["g2",""],"includeUsers":["All"]}}}"#,
        )
        .unwrap();
        assert_eq!(p.ids(), ["g1", "g2"]);
        let p: PolicyGroups = serde_json::from_str(r#"{"conditions":{"users":null}}"#).unwrap();
        assert!(p.ids().is_empty());
    }
}
