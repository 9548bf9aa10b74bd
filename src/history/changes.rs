//! What changed between two runs, as a pure function of the two runs' per-user statuses, so the
//! rules of cli.md ("changes") are tested without a database.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::report::audit::{AuditUser, Changes, FlagChange, Rename, StateChange};

/// One user's status at one run: what history keeps of an [`AuditUser`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserStatus {
    /// The UPN lower-cased (Entra compares UPNs without case); `id:<object id>` for a user
    /// without a UPN. Users are matched across runs by this key.
    pub key: String,
    /// The UPN as the report spelled it, for display (the key when there is no UPN).
    pub upn: String,
    /// The object id, lower-cased, when the inputs gave one: a user is the same user across runs
    /// by it, whatever their UPN became (runs recorded before it was kept have none).
    #[serde(default)]
    pub object_id: Option<String>,
    /// `None` when no input said (counted as enabled, as the classic lists do).
    pub enabled: Option<bool>,
    /// `None` when no input said (then the user is in neither list).
    pub registered: Option<bool>,
    pub per_user_state: String,
    pub methods: Vec<String>,
    /// Sorted and without duplicates.
    pub flags: Vec<String>,
    /// `always`, `conditional`, `never` or `unknown`; `None` in runs recorded before it was kept.
    #[serde(default)]
    pub mfa_required: Option<String>,
    /// `CLASS:STATE` (`waiver:expiring`); `None` without an exception.
    #[serde(default)]
    pub exception: Option<String>,
}

impl UserStatus {
    pub fn from_user(user: &AuditUser) -> UserStatus {
        let mut flags: Vec<String> = user.flags.iter().map(|f| f.to_string()).collect();
        flags.sort();
        flags.dedup();
        let key = user_key(&user.upn, user.object_id.as_deref());
        let upn = if user.upn.trim().is_empty() {
            key.clone()
        } else {
            user.upn.clone()
        };
        UserStatus {
            key,
            upn,
            object_id: user
                .object_id
                .as_deref()
                .map(|id| id.trim().to_lowercase())
                .filter(|id| !id.is_empty()),
            enabled: user.enabled,
            registered: user.registered,
            per_user_state: user.per_user_state.to_string(),
            methods: user.methods.iter().map(|m| m.to_string()).collect(),
            flags,
            mfa_required: Some(
                user.enforcement
                    .configured
                    .as_ref()
                    .and_then(|c| c.mfa_required.as_deref())
                    .unwrap_or("unknown")
                    .to_string(),
            ),
            exception: user
                .exception
                .as_ref()
                .map(|e| format!("{}:{}", e.class, e.state)),
        }
    }

    /// Registered and always required to use MFA; `None` when not recorded.
    fn protected(&self) -> Option<bool> {
        let required = self.mfa_required.as_deref()?;
        Some(required == "always" && self.registered == Some(true))
    }

    /// Sign-in allowed, or unknown (which the registered / unregistered lists count as enabled).
    fn counts_as_enabled(&self) -> bool {
        self.enabled != Some(false)
    }

    /// In the `registered` list: enabled with MFA registered.
    pub fn in_registered_list(&self) -> bool {
        self.counts_as_enabled() && self.registered == Some(true)
    }

    /// In the `unregistered` list: enabled and known not to be registered.
    pub fn in_unregistered_list(&self) -> bool {
        self.counts_as_enabled() && self.registered == Some(false)
    }
}

/// The key users are matched by across runs.
pub fn user_key(upn: &str, object_id: Option<&str>) -> String {
    match object_id {
        Some(id) if upn.trim().is_empty() => format!("id:{}", id.to_lowercase()),
        _ => upn.trim().to_lowercase(),
    }
}

/// Indexes statuses by key; when a key repeats, the first status wins (as in `record`).
fn by_key(statuses: &[UserStatus]) -> BTreeMap<&str, &UserStatus> {
    let mut map = BTreeMap::new();
    for s in statuses {
        map.entry(s.key.as_str()).or_insert(s);
    }
    map
}

/// The changes from `prev` to `now` (cli.md): a user is newly registered / unregistered when in
/// that list now and not at the previous run (new users included); flags raised count new users'
/// flags too, while a removed user's flags are not "cleared" (`users_removed` says they left).
/// A user is the same user across runs by object id where both runs know it (a renamed user is a
/// rename, not one user removed and another added), else by UPN. Every list is sorted by the
/// lower-cased UPN (then the flag), so the output is deterministic.
pub fn compute_changes(prev: &[UserStatus], now: &[UserStatus], previous_run: &str) -> Changes {
    let prev = by_key(prev);
    let now = by_key(now);
    let prev_by_id: BTreeMap<&str, &UserStatus> = prev
        .values()
        .filter_map(|s| s.object_id.as_deref().map(|id| (id, *s)))
        .collect();
    let mut matched: BTreeSet<&str> = BTreeSet::new();
    let mut changes = Changes {
        previous_run: previous_run.to_string(),
        ..Changes::default()
    };
    for user in now.values() {
        // By object id when both runs know it; by UPN when the earlier run's user has no id, or
        // the same one.
        let before = user
            .object_id
            .as_deref()
            .and_then(|id| prev_by_id.get(id).copied())
            .or_else(|| {
                prev.get(user.key.as_str()).copied().filter(|b| {
                    b.object_id.is_none()
                        || user.object_id.is_none()
                        || b.object_id == user.object_id
                })
            });
        if let Some(b) = before {
            matched.insert(b.key.as_str());
            if b.key != user.key {
                changes.users_renamed.push(Rename {
                    from: b.upn.clone(),
                    to: user.upn.clone(),
                });
            }
        }
        if user.in_registered_list() && !before.is_some_and(|b| b.in_registered_list()) {
            changes.newly_registered.push(user.upn.clone());
        }
        if user.in_unregistered_list() && !before.is_some_and(|b| b.in_unregistered_list()) {
            changes.newly_unregistered.push(user.upn.clone());
        }
        let flags_before: BTreeSet<&str> = before
            .map(|b| b.flags.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let flags_now: BTreeSet<&str> = user.flags.iter().map(String::as_str).collect();
        for flag in flags_now.difference(&flags_before) {
            changes.flags_raised.push(flag_change(user, flag));
            if *flag == crate::report::audit::flag::EXCLUDED_FROM_MFA_POLICY && before.is_some() {
                changes.newly_excluded.push(user.upn.clone());
            }
        }
        // Exceptions: given, expired, taken away (a run recorded before them has none: the first
        // run that records them reports each as added).
        if let Some(b) = before {
            let state = |s: &UserStatus| {
                s.exception
                    .as_deref()
                    .and_then(|e| e.rsplit(':').next())
                    .map(str::to_string)
            };
            match (state(b), state(user)) {
                (None, Some(_)) => changes.exceptions_added.push(user.upn.clone()),
                (Some(was), Some(now)) if now == "expired" && was != "expired" => {
                    changes.exceptions_expired.push(user.upn.clone())
                }
                (Some(_), None) => changes.exceptions_removed.push(user.upn.clone()),
                _ => {}
            }
        }
        // Compared only with a run that recorded the requirement.
        if let Some(b) = before.filter(|b| b.mfa_required.is_some()) {
            if user.mfa_required.as_deref() == Some("never")
                && b.mfa_required.as_deref() != Some("never")
            {
                changes.newly_not_required.push(user.upn.clone());
            }
            if user.protected() == Some(true) && b.protected() == Some(false) {
                changes.newly_protected.push(user.upn.clone());
            }
        }
        match before {
            None => changes.users_added.push(user.upn.clone()),
            Some(b) => {
                for flag in flags_before.difference(&flags_now) {
                    changes.flags_cleared.push(flag_change(user, flag));
                }
                if b.per_user_state != user.per_user_state {
                    changes.state_changed.push(StateChange {
                        upn: user.upn.clone(),
                        from: b.per_user_state.clone(),
                        to: user.per_user_state.clone(),
                    });
                }
                match (b.enabled, user.enabled) {
                    (Some(true), Some(false)) => changes.users_disabled.push(user.upn.clone()),
                    (Some(false), Some(true)) => changes.users_reenabled.push(user.upn.clone()),
                    _ => {}
                }
            }
        }
    }
    for (key, user) in &prev {
        if !matched.contains(key) {
            changes.users_removed.push(user.upn.clone());
        }
    }
    let by_upn = |a: &String, b: &String| a.to_lowercase().cmp(&b.to_lowercase()).then(a.cmp(b));
    for list in [
        &mut changes.newly_registered,
        &mut changes.newly_unregistered,
        &mut changes.users_added,
        &mut changes.users_removed,
        &mut changes.users_disabled,
        &mut changes.users_reenabled,
        &mut changes.newly_excluded,
        &mut changes.newly_not_required,
        &mut changes.newly_protected,
        &mut changes.exceptions_added,
        &mut changes.exceptions_expired,
        &mut changes.exceptions_removed,
    ] {
        list.sort_by(by_upn);
    }
    changes.users_renamed.sort_by(|a, b| by_upn(&a.to, &b.to));
    changes.state_changed.sort_by(|a, b| by_upn(&a.upn, &b.upn));
    for list in [&mut changes.flags_raised, &mut changes.flags_cleared] {
        list.sort_by(|a, b| by_upn(&a.upn, &b.upn).then(a.flag.cmp(&b.flag)));
    }
    changes
}

fn flag_change(user: &UserStatus, flag: &str) -> FlagChange {
    FlagChange {
        upn: user.upn.clone(),
        flag: flag.to_string(),
    }
}

/// True when no list holds anything.
pub fn is_empty(c: &Changes) -> bool {
    c.newly_registered.is_empty()
        && c.newly_unregistered.is_empty()
        && c.state_changed.is_empty()
        && c.users_added.is_empty()
        && c.users_removed.is_empty()
        && c.flags_raised.is_empty()
        && c.flags_cleared.is_empty()
        && c.users_renamed.is_empty()
        && c.users_disabled.is_empty()
        && c.users_reenabled.is_empty()
        && c.newly_excluded.is_empty()
        && c.newly_not_required.is_empty()
        && c.newly_protected.is_empty()
        && c.exceptions_added.is_empty()
        && c.exceptions_expired.is_empty()
        && c.exceptions_removed.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(
        upn: &str,
        enabled: Option<bool>,
        registered: Option<bool>,
        state: &str,
        flags: &[&str],
    ) -> UserStatus {
        UserStatus::from_user(&AuditUser {
            upn: upn.to_string(),
            enabled,
            registered,
            per_user_state: state.to_string().into(),
            flags: flags.iter().map(|f| f.to_string().into()).collect(),
            ..AuditUser::default()
        })
    }

    fn fc(upn: &str, flag: &str) -> FlagChange {
        FlagChange {
            upn: upn.to_string(),
            flag: flag.to_string(),
        }
    }

    #[test]
    fn identical_runs_have_no_changes() {
        let run = vec![
            status(
                "a@x.test",
                Some(true),
                Some(true),
                "Enforced",
                &["registered-never-challenged"],
            ),
            status(
                "b@x.test",
                Some(true),
                Some(false),
                "Disabled",
                &["enabled-unregistered"],
            ),
            status("c@x.test", None, None, "Unknown", &[]),
        ];
        let c = compute_changes(&run, &run, "2026-01-05T08:00:00Z");
        assert!(is_empty(&c));
        assert_eq!(c.previous_run, "2026-01-05T08:00:00Z");
    }

    #[test]
    fn lists_follow_the_registered_and_unregistered_lists() {
        let prev = vec![
            status("stays@x.test", Some(true), Some(true), "Enforced", &[]),
            status(
                "registers@x.test",
                Some(true),
                Some(false),
                "Disabled",
                &["enabled-unregistered"],
            ),
            status(
                "unblocked@x.test",
                Some(false),
                Some(false),
                "Disabled",
                &[],
            ),
            status("learned@x.test", Some(true), None, "Unknown", &[]),
            status(
                "leaves@x.test",
                Some(true),
                Some(false),
                "Disabled",
                &["enabled-unregistered"],
            ),
        ];
        let now = vec![
            status("stays@x.test", Some(true), Some(true), "Enforced", &[]),
            status("registers@x.test", Some(true), Some(true), "Enabled", &[]),
            // Blocked before, so not in the unregistered list then: newly unregistered now.
            status(
                "unblocked@x.test",
                Some(true),
                Some(false),
                "Disabled",
                &["enabled-unregistered"],
            ),
            // Unknown registration was in neither list.
            status("learned@x.test", Some(true), Some(true), "Unknown", &[]),
            status(
                "new@x.test",
                None,
                Some(false),
                "Disabled",
                &["enabled-unregistered", "admin-without-mfa"],
            ),
            status(
                "blockednew@x.test",
                Some(false),
                Some(false),
                "Disabled",
                &[],
            ),
        ];
        let c = compute_changes(&prev, &now, "T0");
        assert_eq!(c.newly_registered, ["learned@x.test", "registers@x.test"]);
        assert_eq!(c.newly_unregistered, ["new@x.test", "unblocked@x.test"]);
        assert_eq!(
            c.state_changed,
            [StateChange {
                upn: "registers@x.test".into(),
                from: "Disabled".into(),
                to: "Enabled".into()
            }]
        );
        assert_eq!(c.users_added, ["blockednew@x.test", "new@x.test"]);
        assert_eq!(c.users_removed, ["leaves@x.test"]);
        assert_eq!(
            c.flags_raised,
            [
                fc("new@x.test", "admin-without-mfa"),
                fc("new@x.test", "enabled-unregistered"),
                fc("unblocked@x.test", "enabled-unregistered"),
            ]
        );
        assert_eq!(
            c.flags_cleared,
            [fc("registers@x.test", "enabled-unregistered")]
        );
    }

    #[test]
    fn users_match_without_case_and_show_the_current_spelling() {
        let prev = vec![status(
            "Alice@X.test",
            Some(true),
            Some(false),
            "Disabled",
            &[],
        )];
        let now = vec![status(
            "alice@x.test",
            Some(true),
            Some(true),
            "Disabled",
            &[],
        )];
        let c = compute_changes(&prev, &now, "T0");
        assert_eq!(c.newly_registered, ["alice@x.test"]);
        assert!(c.users_added.is_empty() && c.users_removed.is_empty());
    }

    #[test]
    fn repeated_flags_and_keys_count_once() {
        let prev = vec![];
        let now = vec![
            status(
                "a@x.test",
                Some(true),
                Some(false),
                "Disabled",
                &["blocked-from-mfa", "blocked-from-mfa"],
            ),
            status(
                "A@x.test",
                Some(true),
                Some(true),
                "Enforced",
                &["telephony-only"],
            ),
        ];
        let c = compute_changes(&prev, &now, "T0");
        assert_eq!(c.users_added, ["a@x.test"]);
        assert_eq!(c.flags_raised, [fc("a@x.test", "blocked-from-mfa")]);
        assert_eq!(c.newly_unregistered, ["a@x.test"]);
        assert!(c.newly_registered.is_empty());
    }

    fn with_id(upn: &str, id: &str, enabled: Option<bool>, registered: Option<bool>) -> UserStatus {
        UserStatus::from_user(&AuditUser {
            upn: upn.to_string(),
            object_id: Some(id.to_string()),
            enabled,
            registered,
            per_user_state: "Disabled".into(),
            ..AuditUser::default()
        })
    }

    /// A renamed user (same object id, new UPN) is a rename, not one removal and one newly
    /// registered user; disabled and re-enabled accounts are said.
    #[test]
    fn users_are_matched_by_object_id_across_renames() {
        let prev = vec![
            with_id("ada@x.test", "ID-1", Some(true), Some(true)),
            with_id("bob@x.test", "id-2", Some(true), Some(true)),
            with_id("cy@x.test", "id-3", Some(false), Some(false)),
        ];
        let now = vec![
            with_id("ada.lovelace@x.test", "id-1", Some(true), Some(true)),
            with_id("bob@x.test", "id-2", Some(false), Some(true)),
            with_id("cy@x.test", "id-3", Some(true), Some(false)),
        ];
        let c = compute_changes(&prev, &now, "T0");
        assert_eq!(
            c.users_renamed,
            [Rename {
                from: "ada@x.test".into(),
                to: "ada.lovelace@x.test".into()
            }]
        );
        assert!(
            c.users_added.is_empty() && c.users_removed.is_empty(),
            "{c:?}"
        );
        assert!(c.newly_registered.is_empty(), "{c:?}");
        assert_eq!(c.users_disabled, ["bob@x.test"]);
        assert_eq!(c.users_reenabled, ["cy@x.test"]);
        assert_eq!(c.newly_unregistered, ["cy@x.test"]);
        // A UPN reused by another person (another object id) is not the same user.
        let prev = vec![with_id("desk@x.test", "id-9", Some(true), Some(true))];
        let now = vec![with_id("desk@x.test", "id-10", Some(true), Some(true))];
        let c = compute_changes(&prev, &now, "T0");
        assert_eq!(
            (c.users_added.as_slice(), c.users_removed.as_slice()),
            (
                ["desk@x.test".to_string()].as_slice(),
                ["desk@x.test".to_string()].as_slice()
            )
        );
    }

    #[test]
    fn a_user_without_upn_is_matched_by_object_id() {
        let user = |oid: &str| AuditUser {
            object_id: Some(oid.to_string()),
            enabled: Some(true),
            registered: Some(true),
            per_user_state: "Unknown".into(),
            ..AuditUser::default()
        };
        let prev = vec![UserStatus::from_user(&user("AAAA"))];
        let now = vec![
            UserStatus::from_user(&user("aaaa")),
            UserStatus::from_user(&user("bbbb")),
        ];
        assert_eq!(now[1].key, "id:bbbb");
        let c = compute_changes(&prev, &now, "T0");
        assert_eq!(c.users_added, ["id:bbbb"]);
        assert!(c.users_removed.is_empty());
    }
}
