//! The MFA Server's Blocked and Bypassed User Histories joined to the users: each user's state at
//! the end of the block history and the bypasses granted, each event counted once (weekly exports
//! overlap), and what that does to the `blocked-from-mfa` and `bypass-used` flags.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use jiff::Timestamp;

use crate::model::UserActivity;
use crate::model::mfa_server::{BlockEvent, BypassEvent, MfaServerHistories};
use crate::report::audit::{AuditUser, MfaServerUser};
use crate::text::plural;

/// One user's events, folded.
#[derive(Debug, Default)]
struct Folded<'h> {
    last_block: Option<&'h BlockEvent>,
    block_events: u64,
    last_bypass: Option<&'h BypassEvent>,
    bypasses: u64,
}

/// The histories by user (lower-cased UPN), ready for the rows.
#[derive(Debug, Default)]
pub(super) struct Index {
    /// Whether each history was among the inputs.
    blocks_known: bool,
    bypasses_known: bool,
    /// Each user with an event: their entry, as the report gives it.
    users: HashMap<String, (Arc<MfaServerUser>, Option<Timestamp>)>,
    /// What a user without any event gets (shared).
    nothing: Option<Arc<MfaServerUser>>,
    /// How many events each history held twice (or more).
    repeated: (u64, u64),
}

impl Index {
    pub(super) fn new(h: &MfaServerHistories) -> Index {
        let mut index = Index {
            blocks_known: h.blocks.is_some(),
            bypasses_known: h.bypasses.is_some(),
            ..Index::default()
        };
        if h.is_empty() {
            return index;
        }
        let mut folded: HashMap<String, Folded<'_>> = HashMap::new();
        let mut seen = HashSet::new();
        for e in h.blocks.iter().flatten() {
            let who = e.user.to_lowercase();
            if !seen.insert((who.clone(), e.time, e.blocked)) {
                index.repeated.0 += 1;
                continue;
            }
            let f = folded.entry(who).or_default();
            f.block_events += 1;
            // The latest event decides; at the same second a block wins (the worse of the two).
            if f.last_block
                .is_none_or(|l| (e.time, e.blocked) > (l.time, l.blocked))
            {
                f.last_block = Some(e);
            }
        }
        let mut seen = HashSet::new();
        for e in h.bypasses.iter().flatten() {
            let who = e.user.to_lowercase();
            if !seen.insert((who.clone(), e.time, e.seconds)) {
                index.repeated.1 += 1;
                continue;
            }
            let f = folded.entry(who).or_default();
            f.bypasses += 1;
            if f.last_bypass.is_none_or(|l| e.time > l.time) {
                f.last_bypass = Some(e);
            }
        }
        index.nothing = Some(Arc::new(index.entry(&Folded::default())));
        index.users = folded
            .into_iter()
            .map(|(who, f)| {
                let blocked_at = f.last_block.map(|e| e.time);
                (who, (Arc::new(index.entry(&f)), blocked_at))
            })
            .collect();
        index
    }

    fn entry(&self, f: &Folded<'_>) -> MfaServerUser {
        let (blocks, bypasses) = (self.blocks_known, self.bypasses_known);
        let block = f.last_block;
        let bypass = f.last_bypass;
        MfaServerUser {
            blocked: blocks.then(|| block.is_some_and(|e| e.blocked)),
            block_events: blocks.then_some(f.block_events),
            block_changed: block.map(|e| e.time.to_string()),
            block_by: block.and_then(|e| e.by.clone()),
            block_reason: block.and_then(|e| e.reason.clone()),
            bypasses: bypasses.then_some(f.bypasses),
            last_bypass: bypass.map(|e| e.time.to_string()),
            last_bypass_seconds: bypass.and_then(|e| e.seconds),
            last_bypass_by: bypass.and_then(|e| e.by.clone()),
            last_bypass_reason: bypass.and_then(|e| e.reason.clone()),
        }
    }

    /// The user's entry (`None` without either history) and the time of the block event that
    /// decided it.
    pub(super) fn get(&self, upn: Option<&str>) -> Option<(Arc<MfaServerUser>, Option<Timestamp>)> {
        let nothing = self.nothing.as_ref()?;
        let found = upn.and_then(|u| {
            // Most users have no event: no lower-casing for them when the map is empty.
            if self.users.is_empty() {
                None
            } else {
                self.users.get(&u.to_lowercase())
            }
        });
        Some(found.cloned().unwrap_or_else(|| (nothing.clone(), None)))
    }

    /// What the report should say of the histories: events read twice, and users of the
    /// histories that are in no row (their events are in nobody's entry).
    pub(super) fn warnings(&self, users: &[AuditUser]) -> Vec<String> {
        let mut out = Vec::new();
        let (blocks, bypasses) = self.repeated;
        let repeated: Vec<String> = [
            (blocks, "block or unblock", "blocks and unblocks"),
            (bypasses, "bypass", "bypasses"),
        ]
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| plural(*n, one, many))
        .collect();
        if !repeated.is_empty() {
            out.push(format!(
                "{} of the MFA Server histories {} repeated (overlapping exports): each is counted once",
                repeated.join(" and "),
                if blocks + bypasses == 1 { "is" } else { "are" }
            ));
        }
        if self.users.is_empty() {
            return out;
        }
        let rows: HashSet<String> = users.iter().map(|u| u.upn.to_lowercase()).collect();
        let mut missing: Vec<&str> = self
            .users
            .keys()
            .filter(|k| !rows.contains(*k))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            missing.sort_unstable();
            let shown: Vec<String> = missing
                .iter()
                .take(3)
                .map(|u| crate::text::quoted(u, 80))
                .collect();
            out.push(format!(
                "{} of the MFA Server histories {} in no directory export or sign-in log (the histories join users by UPN), so no row shows their events: {}{}",
                plural(missing.len() as u64, "user", "users"),
                if missing.len() == 1 { "is" } else { "are" },
                shown.join(", "),
                if missing.len() > 3 { ", ..." } else { "" }
            ));
        }
        out
    }
}

/// Whether the user is blocked from MFA: the block history's last event decides, unless a call
/// result said "user is blocked" after it (or at a time the call did not give).
pub(super) fn blocked(
    a: &UserActivity,
    history: Option<&(Arc<MfaServerUser>, Option<Timestamp>)>,
) -> bool {
    let decided = history.and_then(|(m, at)| Some((m.blocked?, (*at)?)));
    match decided {
        Some((true, _)) => true,
        Some((false, unblocked)) => {
            a.blocked_in_mfa && a.blocked_at.is_none_or(|call| call > unblocked)
        }
        None => a.blocked_in_mfa,
    }
}

/// Whether a bypass let the user through: a call result said so, or the bypass history grants
/// one.
pub(super) fn bypassed(
    a: &UserActivity,
    history: Option<&(Arc<MfaServerUser>, Option<Timestamp>)>,
) -> bool {
    a.bypass_used || history.is_some_and(|(m, _)| m.bypasses.is_some_and(|n| n > 0))
}
