//! The activity side of the audit: sign-ins folded into per-user tallies before the directory is
//! known, so that the sign-in log and the directory exports can be read at the same time.
//!
//! A tally is kept per sign-in identity — the pair (user id, UPN) as join keys — because that pair
//! alone decides which directory user a sign-in belongs to. [`Ledger::join`] then maps each identity
//! onto the directory (by id, else UPN, else a guest's home form) and merges the tallies of the
//! identities that turn out to be one user. Memory grows with the identities, never with the
//! sign-ins; the result is the one a sign-in-by-sign-in join would give (see `join`).
//!
//! Long because the fold, the arrival order rules and the join must be read together: the join is
//! only correct because of how the fold numbers what it keeps. Its proptest and unit tests follow.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hash, Hasher};

use foldhash::fast::RandomState;
use jiff::{SignedDuration, Timestamp};

use super::classify::classify;
use super::observed::{Tenant, see};
use crate::model::directory::{GuestIndex, id_key, upn_key};
use crate::model::{Challenge, Directory, Outcome, SignIn, UserActivity};

/// The most denied or unanswered push times kept per user while looking for fatigue. Beyond it
/// the time farthest from the newest arrival is forgotten, so memory stays bounded however long
/// the log, and a log read newest-first or oldest-first loses nothing near where it is reading.
pub const MAX_PUSH_TIMES: usize = 1024;
/// Examples of sign-ins not in the directory kept for the report.
pub const MAX_UNMATCHED_EXAMPLES: usize = 5;

/// Knobs of the audit (cli.md `--fatigue-threshold`, `--fatigue-window`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditOptions {
    /// Denied or unanswered pushes within `fatigue_window` that raise `push-fatigue-suspected`;
    /// 0 turns the flag off.
    pub fatigue_threshold: u32,
    pub fatigue_window: SignedDuration,
}

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions {
            fatigue_threshold: 5,
            fatigue_window: SignedDuration::from_mins(30),
        }
    }
}

/// No entry: the end of a hash chain.
const NONE: u32 = u32::MAX;

/// One user's tallies, plus what keeps them independent of the order events arrive (and of the
/// order identities are merged in).
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub(crate) activity: UserActivity,
    /// Time of the challenge `last_result` describes (none when it came from a timeless one).
    last_result_time: Option<Timestamp>,
    /// Arrival number of a timeless `last_result`: without times, the first one is kept.
    last_result_seq: u64,
}

/// A `how` or a `reason`: how often, and for which identities.
#[derive(Debug, Default)]
struct Ranked {
    count: u64,
    identities: HashSet<u32, RandomState>,
}

/// One sign-in identity: its join keys, the name it would be listed under, its tally. Its texts
/// are in the ledger's [`Texts`].
#[derive(Debug)]
struct Identity {
    /// The user id as a join key ([`id_key`]), then the UPN as a join key ([`upn_key`]), one after
    /// the other.
    keys: Keys,
    /// The first sign-in's UPN as written (trimmed), else its user id: the name of a user the
    /// directory does not know.
    name: Text,
    /// The next identity with the same hash.
    next: u32,
    /// Arrival number of its first sign-in: the order identities were first seen, whichever
    /// ledger (thread) saw them.
    first_seq: u64,
    tally: Tally,
}

/// Where an identity's keys are in [`Texts`]: the id's bytes, then the UPN's.
#[derive(Debug, Clone, Copy)]
struct Keys {
    at: usize,
    /// [`ABSENT`] for none.
    id_len: u32,
    upn_len: u32,
}

/// Where a text is in [`Texts`].
#[derive(Debug, Clone, Copy)]
struct Text {
    at: usize,
    len: u32,
}

/// The length of a key that is not there.
const ABSENT: u32 = u32::MAX;

/// The text of every identity of a ledger, one after the other: one allocation instead of three
/// per identity, freed at once (a few hundred thousand small blocks freed during the report made
/// the allocator tidy them all up on the report's path), and an identity's two keys side by side.
/// No text is longer than a JSON record or a CSV field (64 and 8 MiB at most: `MAX_RECORD_BYTES`,
/// `MAX_FIELD_BYTES`), so a `u32` holds its length.
#[derive(Debug, Default)]
struct Texts(String);

impl Texts {
    fn push(&mut self, text: &str) -> Text {
        let at = self.0.len();
        self.0.push_str(text);
        Text {
            at,
            len: text.len() as u32,
        }
    }

    fn push_keys(&mut self, id: Option<&str>, upn: Option<&str>) -> Keys {
        let at = self.0.len();
        let id_len = id.map_or(ABSENT, |k| self.push(k).len);
        let upn_len = upn.map_or(ABSENT, |k| self.push(k).len);
        Keys {
            at,
            id_len,
            upn_len,
        }
    }

    fn get(&self, t: Text) -> &str {
        &self.0[t.at..t.at + t.len as usize]
    }

    /// The id and the UPN.
    fn keys(&self, k: Keys) -> (Option<&str>, Option<&str>) {
        let id = (k.id_len != ABSENT).then(|| {
            self.get(Text {
                at: k.at,
                len: k.id_len,
            })
        });
        let upn_at = k.at + id.map_or(0, str::len);
        let upn = (k.upn_len != ABSENT).then(|| {
            self.get(Text {
                at: upn_at,
                len: k.upn_len,
            })
        });
        (id, upn)
    }
}

/// One ledger's identities and the texts of their keys and names (see [`Ledger::concat`]).
struct Part {
    /// The number of its first identity: the parts' identities are numbered one after the other.
    start: u32,
    identities: Vec<Identity>,
    texts: Texts,
}

/// The request ids of the sign-ins folded so far, shared by every ledger of one audit: a sign-in
/// that two exports share (a Graph page and an admin center download of overlapping days) is
/// counted once. Each id is kept as its 128 bits (exact for a GUID, which request ids are; a
/// 128-bit hash of anything else), 16 bytes and a little more per sign-in with an id, never the
/// text; in shards, so that two threads folding at once rarely wait for each other.
#[derive(Debug)]
pub struct SeenIds {
    shards: Vec<std::sync::Mutex<HashSet<u128, IdBits>>>,
}

/// Shards of [`SeenIds`].
const SEEN_SHARDS: usize = 16;

impl Default for SeenIds {
    fn default() -> Self {
        SeenIds {
            shards: (0..SEEN_SHARDS)
                .map(|_| std::sync::Mutex::new(HashSet::default()))
                .collect(),
        }
    }
}

impl SeenIds {
    /// True the first time `request_id` is seen (by any thread), false after.
    pub fn first(&self, request_id: &str) -> bool {
        let Some(key) = id_bits(request_id) else {
            return true;
        };
        let shard = &self.shards[(key >> 64) as usize % SEEN_SHARDS];
        shard
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key)
    }

    /// Ids kept.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().map_or(0, |s| s.len()))
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A request id's 128 bits: a GUID's own (compared by value, in either case), else a 128-bit hash
/// of the trimmed, lower-cased text. `None` for a blank id.
fn id_bits(id: &str) -> Option<u128> {
    if let Some((hi, lo)) = crate::model::directory::guid(id) {
        return Some((u128::from(hi) << 64) | u128::from(lo));
    }
    let key = id_key(id)?;
    static STATES: std::sync::LazyLock<(RandomState, RandomState)> =
        std::sync::LazyLock::new(|| (RandomState::default(), RandomState::default()));
    let (a, b) = &*STATES;
    Some((u128::from(a.hash_one(&*key)) << 64) | u128::from(b.hash_one(&*key)))
}

/// The hasher of [`SeenIds`]: its keys are already uniformly spread bits.
#[derive(Debug, Clone, Copy, Default)]
struct IdBits;

impl BuildHasher for IdBits {
    type Hasher = IdBitsHasher;
    fn build_hasher(&self) -> IdBitsHasher {
        IdBitsHasher(0)
    }
}

#[derive(Debug, Default)]
struct IdBitsHasher(u64);

impl Hasher for IdBitsHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u128(&mut self, n: u128) {
        // A GUID's random bits are in both halves; mixed so that any half would do.
        self.0 = (n as u64) ^ ((n >> 64) as u64).rotate_left(32);
    }
}

/// Sign-ins folded per identity; see the module comment.
#[derive(Debug)]
pub struct Ledger {
    opts: AuditOptions,
    /// Request ids already folded (shared with the audit's other ledgers).
    seen: std::sync::Arc<SeenIds>,
    /// Sign-ins not folded because an earlier one had their request id.
    duplicates: u64,
    /// Workload identities' sign-ins, left out.
    workloads: u64,
    hasher: RandomState,
    /// Hash of (id, UPN) → first identity with that hash (collisions chain through `next`).
    heads: HashMap<u64, u32, RandomState>,
    identities: Vec<Identity>,
    texts: Texts,
    signins: u64,
    challenges: u64,
    satisfied: u64,
    denied: u64,
    pending: u64,
    /// Sign-ins with neither a user id nor a UPN.
    anonymous_signins: u64,
    hows: HashMap<String, Ranked, RandomState>,
    reasons: HashMap<String, Ranked, RandomState>,
    /// Enforcement as the sign-ins showed it.
    observed: Tenant,
}

/// The ledger joined with the directory: tallies indexed like the directory's users, then the
/// users seen only in the activity. What [`super::audit::Auditor`] builds the report from.
#[derive(Debug)]
pub(crate) struct Joined {
    pub(crate) tallies: Vec<Tally>,
    pub(crate) directory_len: usize,
    /// The name of each activity-only user (tally index − `directory_len`).
    pub(crate) extra_names: Vec<String>,
    /// The object id (lower case) of each activity-only user, when a sign-in carried it.
    pub(crate) extra_ids: Vec<Option<String>>,
    pub(crate) signins: u64,
    pub(crate) challenges: u64,
    pub(crate) satisfied: u64,
    pub(crate) denied: u64,
    pub(crate) pending: u64,
    /// (how, times, users), most frequent first, ties by name.
    pub(crate) hows: Vec<(String, u64, u64)>,
    pub(crate) reasons: Vec<(String, u64, u64)>,
    pub(crate) unmatched_signins: u64,
    pub(crate) unmatched_examples: Vec<String>,
    pub(crate) anonymous_signins: u64,
    /// Sign-ins counted once although several inputs held them.
    pub(crate) duplicate_signins: u64,
    /// Workload identities' sign-ins, left out of every count.
    pub(crate) workload_signins: u64,
    /// Enforcement as the sign-ins showed it.
    pub(crate) observed: Tenant,
}

impl Ledger {
    pub fn new(opts: AuditOptions) -> Ledger {
        Ledger::sharing(opts, std::sync::Arc::default())
    }

    /// A ledger that counts a sign-in once however many of the ledgers sharing `seen` meet it.
    pub fn sharing(opts: AuditOptions, seen: std::sync::Arc<SeenIds>) -> Ledger {
        Ledger {
            opts,
            seen,
            duplicates: 0,
            workloads: 0,
            hasher: RandomState::default(),
            heads: HashMap::default(),
            identities: Vec::new(),
            texts: Texts::default(),
            signins: 0,
            challenges: 0,
            satisfied: 0,
            denied: 0,
            pending: 0,
            anonymous_signins: 0,
            hows: HashMap::default(),
            reasons: HashMap::default(),
            observed: Tenant::default(),
        }
    }

    /// Sign-ins folded so far.
    pub fn signins(&self) -> u64 {
        self.signins
    }

    /// Folds one sign-in (or MFA Server call) in, numbered as the next to arrive.
    pub fn add(&mut self, s: &SignIn<'_>) {
        let seq = self.signins + 1;
        self.add_at(s, seq);
    }

    /// Folds one sign-in in, given its arrival number: its place in the inputs, so that sign-ins
    /// folded into several ledgers (on several threads) merge as if read in order. A sign-in whose
    /// request id was folded before is counted once (as a duplicate), and a workload identity's is
    /// only counted as left out.
    pub fn add_at(&mut self, s: &SignIn<'_>, seq: u64) {
        if let Some(id) = s.request_id.as_deref()
            && !self.seen.first(id)
        {
            self.duplicates += 1;
            return;
        }
        if s.workload {
            self.workloads += 1;
            return;
        }
        self.signins += 1;
        let who = self.identity_of(s, seq);
        if who.is_none() {
            self.anonymous_signins += 1;
        }
        if let Some(i) = who {
            let a = &mut self.identities[i as usize].tally.activity;
            a.signins += 1;
            if let Some(t) = s.time
                && a.last_time.is_none_or(|old| t > old)
            {
                a.last_time = Some(t);
            }
        }
        let challenge = classify(s);
        let seen = see(s, challenge.is_some());
        let user = who.map(|i| &mut self.identities[i as usize].tally.activity.enforcement);
        self.observed.add(s, &seen, user);
        let Some(c) = challenge else { return };
        self.challenges += 1;
        match &c.outcome {
            Outcome::Satisfied { how } => {
                self.satisfied += 1;
                rank(&mut self.hows, how, who);
            }
            Outcome::Denied { reason } => {
                self.denied += 1;
                rank(&mut self.reasons, reason, who);
            }
            Outcome::Pending { .. } => self.pending += 1,
        }
        if let Some(i) = who {
            let opts = self.opts;
            fold_challenge(
                &mut self.identities[i as usize].tally,
                &c,
                s.time,
                seq,
                opts,
            );
        }
    }

    /// The identity of a sign-in, created on first sight; none when it names no user.
    fn identity_of(&mut self, s: &SignIn<'_>, seq: u64) -> Option<u32> {
        let id = s.user_id.as_deref().and_then(id_key);
        let upn = s.upn.as_deref().and_then(upn_key);
        if id.is_none() && upn.is_none() {
            return None;
        }
        let (id, upn) = (id.as_deref(), upn.as_deref());
        let (hash, found) = self.find(id, upn);
        if let Some(i) = found {
            let e = &mut self.identities[i as usize];
            if seq < e.first_seq {
                // Seen earlier in the inputs than anything folded so far: it names the identity.
                e.first_seq = seq;
                e.name = self.texts.push(display_name(s));
            }
            return Some(i);
        }
        let index = self.push(hash, id, upn, display_name(s), seq);
        Some(index)
    }

    /// The hash of an identity's keys, and the identity when it is known.
    fn find(&self, id: Option<&str>, upn: Option<&str>) -> (u64, Option<u32>) {
        let hash = {
            let mut h = self.hasher.build_hasher();
            id.hash(&mut h);
            upn.hash(&mut h);
            h.finish()
        };
        let mut at = self.heads.get(&hash).copied().unwrap_or(NONE);
        while at != NONE {
            let e = &self.identities[at as usize];
            if self.texts.keys(e.keys) == (id, upn) {
                return (hash, Some(at));
            }
            at = e.next;
        }
        (hash, None)
    }

    /// Adds a new identity (its keys not known yet).
    fn push(
        &mut self,
        hash: u64,
        id: Option<&str>,
        upn: Option<&str>,
        name: &str,
        first_seq: u64,
    ) -> u32 {
        let index = self.identities.len() as u32;
        let head = self.heads.insert(hash, index).unwrap_or(NONE);
        let keys = self.texts.push_keys(id, upn);
        let name = self.texts.push(name);
        self.identities.push(Identity {
            keys,
            name,
            next: head,
            first_seq,
            tally: Tally::default(),
        });
        index
    }

    /// Maps every identity onto the directory and merges the tallies of identities that are one
    /// user. Identities the directory does not know become activity-only users, joined among
    /// themselves by id, else UPN, in the order they were first seen — exactly what joining each
    /// sign-in as it arrived would give.
    ///
    /// Several ledgers (one per thread that read sign-ins) are joined as one: an identity seen by
    /// two of them is two entries here that map to the same user, and their tallies merge.
    pub(crate) fn join(ledgers: Vec<Ledger>, directory: &Directory, guests: &GuestIndex) -> Joined {
        let (all, parts) = Ledger::concat(ledgers);
        all.join_parts(parts, directory, guests)
    }

    /// The ledgers' counts and rankings merged, and their identities as parts numbered one after
    /// the other (not deduplicated: only `join` may follow). The identities are not copied into
    /// one list: a copy of every identity would sit on the way to the report, for nothing.
    fn concat(ledgers: Vec<Ledger>) -> (Ledger, Vec<Part>) {
        let mut ledgers = ledgers.into_iter();
        let mut all = ledgers
            .next()
            .unwrap_or_else(|| Ledger::new(AuditOptions::default()));
        let mut parts = vec![Part {
            start: 0,
            identities: std::mem::take(&mut all.identities),
            texts: std::mem::take(&mut all.texts),
        }];
        for other in ledgers {
            let offset = parts
                .last()
                .map_or(0, |p| p.start + p.identities.len() as u32);
            for (mine, theirs) in [
                (&mut all.hows, other.hows),
                (&mut all.reasons, other.reasons),
            ] {
                for (key, r) in theirs {
                    let into = mine.entry(key).or_default();
                    into.count += r.count;
                    into.identities
                        .extend(r.identities.iter().map(|&i| i + offset));
                }
            }
            all.signins += other.signins;
            all.challenges += other.challenges;
            all.satisfied += other.satisfied;
            all.denied += other.denied;
            all.pending += other.pending;
            all.anonymous_signins += other.anonymous_signins;
            all.duplicates += other.duplicates;
            all.workloads += other.workloads;
            all.observed.merge(other.observed);
            parts.push(Part {
                start: offset,
                identities: other.identities,
                texts: other.texts,
            });
        }
        (all, parts)
    }

    /// Joins the identities of `parts` (numbered one after the other) to the directory, with this
    /// ledger's counts and rankings (see [`Ledger::concat`]).
    fn join_parts(
        self,
        mut parts: Vec<Part>,
        directory: &Directory,
        guests: &GuestIndex,
    ) -> Joined {
        let directory_len = directory.len();
        let mut tallies: Vec<Tally> = crate::par::filled(directory_len, Tally::default);
        let total: usize = parts.iter().map(|p| p.identities.len()).sum();
        // Identity number `i`, and the texts its keys are in.
        let at = |i: usize| {
            let p = &parts[parts.partition_point(|p| p.start as usize <= i) - 1];
            (&p.identities[i - p.start as usize], &p.texts)
        };
        let mut target: Vec<u32> = vec![0; total];
        let mut extra_names: Vec<String> = Vec::new();
        let mut extra_ids: Vec<Option<String>> = Vec::new();
        let mut extra_by_id: HashMap<&str, usize, RandomState> = HashMap::default();
        let mut extra_by_upn: HashMap<&str, usize, RandomState> = HashMap::default();
        let mut unmatched_signins = self.anonymous_signins;
        let mut unmatched_examples = Vec::new();
        let opts = self.opts;
        let mut found = Vec::with_capacity(total);
        for p in &parts {
            found.extend(crate::par::map(&p.identities, |_, e| {
                let (id, upn) = p.texts.keys(e.keys);
                guests.find(directory, id, upn)
            }));
        }
        // In the order identities were first seen in the inputs; equal arrival numbers (the
        // records of one page, folded by one thread in file order) in the order of the parts.
        let mut order: Vec<(u64, u32)> = parts
            .iter()
            .flat_map(|p| p.identities.iter())
            .enumerate()
            .map(|(i, e)| (e.first_seq, i as u32))
            .collect();
        crate::par::sort_unstable(&mut order);
        // The sign-ins link ids and UPNs themselves: an identity the directory does not know
        // (a sign-in with only a user id, or a renamed user's new UPN) is the user another
        // identity with the same id or UPN was joined to — the first such, in arrival order. Only
        // the keys of the identities left over are looked for (a few, next to the users).
        let unresolved: Vec<u32> = order
            .iter()
            .map(|&(_, i)| i)
            .filter(|&i| found[i as usize].is_none())
            .collect();
        if !unresolved.is_empty() {
            let mut by_id: HashMap<&str, Option<usize>, RandomState> = HashMap::default();
            let mut by_upn: HashMap<&str, Option<usize>, RandomState> = HashMap::default();
            for &i in &unresolved {
                let (e, texts) = at(i as usize);
                let (id, upn) = texts.keys(e.keys);
                if let Some(k) = id {
                    by_id.insert(k, None);
                }
                if let Some(k) = upn {
                    by_upn.insert(k, None);
                }
            }
            let link =
                |i: u32,
                 user: usize,
                 by_id: &mut HashMap<&str, Option<usize>, RandomState>,
                 by_upn: &mut HashMap<&str, Option<usize>, RandomState>| {
                    let (e, texts) = at(i as usize);
                    let (id, upn) = texts.keys(e.keys);
                    if let Some(slot) = id.and_then(|k| by_id.get_mut(k)) {
                        slot.get_or_insert(user);
                    }
                    if let Some(slot) = upn.and_then(|k| by_upn.get_mut(k)) {
                        slot.get_or_insert(user);
                    }
                };
            for &(_, i) in &order {
                if let Some(user) = found[i as usize] {
                    link(i, user, &mut by_id, &mut by_upn);
                }
            }
            // An identity linked this way links others in turn (an id-only sign-in, then the
            // renamed UPN that came with the id): rounds until none is linked.
            let mut pending = unresolved;
            loop {
                let mut linked = Vec::new();
                pending.retain(|&i| {
                    let (e, texts) = at(i as usize);
                    let (id, upn) = texts.keys(e.keys);
                    let user = id
                        .and_then(|k| by_id.get(k).copied().flatten())
                        .or_else(|| upn.and_then(|k| by_upn.get(k).copied().flatten()));
                    found[i as usize] = user;
                    if let Some(u) = user {
                        linked.push((i, u));
                    }
                    user.is_none()
                });
                if linked.is_empty() || pending.is_empty() {
                    break;
                }
                for (i, user) in linked {
                    link(i, user, &mut by_id, &mut by_upn);
                }
            }
        }
        for &(_, i) in &order {
            let (e, texts) = at(i as usize);
            let index = match found[i as usize] {
                Some(user) => user,
                None => {
                    unmatched_signins += e.tally.activity.signins;
                    let (id, upn) = texts.keys(e.keys);
                    let known = id
                        .and_then(|k| extra_by_id.get(k))
                        .or_else(|| upn.and_then(|k| extra_by_upn.get(k)))
                        .copied();
                    let index = known.unwrap_or_else(|| {
                        let name = texts.get(e.name);
                        if unmatched_examples.len() < MAX_UNMATCHED_EXAMPLES {
                            unmatched_examples.push(name.to_string());
                        }
                        extra_names.push(name.to_string());
                        extra_ids.push(None);
                        tallies.push(Tally::default());
                        tallies.len() - 1
                    });
                    // The id, when this sign-in (or a later one of the same user) carried it.
                    if let (Some(k), Some(slot)) =
                        (id, extra_ids.get_mut(index.wrapping_sub(directory_len)))
                        && slot.is_none()
                    {
                        *slot = Some(k.to_string());
                    }
                    if let Some(k) = id {
                        extra_by_id.entry(k).or_insert(index);
                    }
                    if let Some(k) = upn {
                        extra_by_upn.entry(k).or_insert(index);
                    }
                    index
                }
            };
            target[i as usize] = index as u32;
        }
        drop(extra_by_id);
        drop(extra_by_upn);
        // A user's first tally moves in whole; only a second identity of the same user merges.
        let mut filled = vec![false; tallies.len()];
        let identities = parts.iter_mut().flat_map(|p| p.identities.iter_mut());
        for (e, &to) in identities.zip(&target) {
            let tally = std::mem::take(&mut e.tally);
            let to = to as usize;
            if filled[to] {
                merge(&mut tallies[to], tally, opts);
            } else {
                tallies[to] = tally;
                filled[to] = true;
            }
        }
        drop(parts);
        // Distinct users per how or reason: each user's slot is stamped with the last entry that
        // counted it (a dense array, not a set per entry).
        let mut stamp: Vec<u32> = vec![u32::MAX; tallies.len()];
        let mut entry = 0u32;
        let mut ranked = |map: HashMap<String, Ranked, RandomState>| -> Vec<(String, u64, u64)> {
            let mut v: Vec<(String, u64, u64)> = map
                .into_iter()
                .map(|(k, r)| {
                    let mut users = 0u64;
                    for &i in &r.identities {
                        let user = target[i as usize] as usize;
                        if stamp[user] != entry {
                            stamp[user] = entry;
                            users += 1;
                        }
                    }
                    entry += 1;
                    (k, r.count, users)
                })
                .collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            v
        };
        let hows = ranked(self.hows);
        let reasons = ranked(self.reasons);
        Joined {
            hows,
            reasons,
            tallies,
            directory_len,
            extra_names,
            extra_ids,
            signins: self.signins,
            challenges: self.challenges,
            satisfied: self.satisfied,
            denied: self.denied,
            pending: self.pending,
            unmatched_signins,
            unmatched_examples,
            anonymous_signins: self.anonymous_signins,
            duplicate_signins: self.duplicates,
            workload_signins: self.workloads,
            observed: self.observed,
        }
    }
}

/// The name an activity-only user is listed under: the sign-in's UPN as written (trimmed), else
/// its user id.
fn display_name<'a>(s: &'a SignIn<'_>) -> &'a str {
    s.upn
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .or(s.user_id.as_deref().map(str::trim))
        .unwrap_or_default()
}

fn rank(map: &mut HashMap<String, Ranked, RandomState>, key: &str, who: Option<u32>) {
    let r = match map.get_mut(key) {
        Some(r) => r,
        None => map.entry(key.to_string()).or_default(),
    };
    r.count += 1;
    if let Some(i) = who {
        r.identities.insert(i);
    }
}

/// `last_result` as the report words it.
fn result_text(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Satisfied { how } => format!("satisfied: {how}"),
        Outcome::Denied { reason } => format!("denied: {reason}"),
        Outcome::Pending { detail } => format!("pending: {detail}"),
    }
}

/// Whether a result (`time`, `text`, arrival `seq`) replaces the tally's: the newest wins, equal
/// times are settled by the text, and without times the first to arrive stays — so the answer
/// depends neither on the order of events nor on the order tallies are merged.
fn replaces(t: &Tally, time: Option<Timestamp>, text: &str, seq: u64) -> bool {
    let a = &t.activity;
    match (time, t.last_result_time) {
        (Some(new), Some(old)) => {
            new > old || (new == old && a.last_result.as_deref().is_none_or(|r| text > r))
        }
        (Some(_), None) => true,
        (None, Some(_)) => false,
        (None, None) => a.last_result.is_none() || seq < t.last_result_seq,
    }
}

/// Folds one challenge into a tally.
pub(crate) fn fold_challenge(
    t: &mut Tally,
    c: &Challenge<'_>,
    time: Option<Timestamp>,
    seq: u64,
    opts: AuditOptions,
) {
    let a = &mut t.activity;
    a.challenges += 1;
    match &c.outcome {
        Outcome::Satisfied { .. } => a.completed += 1,
        Outcome::Denied { .. } => a.denied += 1,
        Outcome::Pending { .. } => {}
    }
    a.fraud_reported |= c.fraud;
    a.bypass_used |= c.bypass;
    a.blocked_in_mfa |= c.blocked;
    if c.blocked
        && let Some(t) = time
        && a.blocked_at.is_none_or(|old| t > old)
    {
        a.blocked_at = Some(t);
    }
    a.logs_say_no_methods |= c.no_methods;
    // Most challenges of a time-ordered log are newer than the last: decide before writing text.
    let clearly_newer = matches!((time, t.last_result_time), (Some(new), Some(old)) if new > old)
        || (time.is_some() && t.last_result_time.is_none());
    if clearly_newer {
        set_result(t, time, result_text(&c.outcome), seq);
    } else {
        let text = result_text(&c.outcome);
        if replaces(t, time, &text, seq) {
            set_result(t, time, text, seq);
        }
    }
    if c.push_unanswered_or_denied
        && let Some(at) = time
    {
        record_push_failure(&mut t.activity, at, opts);
    }
}

fn set_result(t: &mut Tally, time: Option<Timestamp>, text: String, seq: u64) {
    t.activity.last_result = Some(text);
    t.last_result_time = time;
    t.last_result_seq = seq;
}

/// Merges the tally of a second identity of the same user into `into`.
fn merge(into: &mut Tally, from: Tally, opts: AuditOptions) {
    let b = from.activity;
    if let Some(text) = b.last_result
        && replaces(into, from.last_result_time, &text, from.last_result_seq)
    {
        set_result(into, from.last_result_time, text, from.last_result_seq);
    }
    let a = &mut into.activity;
    a.signins += b.signins;
    a.challenges += b.challenges;
    a.completed += b.completed;
    a.denied += b.denied;
    if let Some(t) = b.last_time
        && a.last_time.is_none_or(|old| t > old)
    {
        a.last_time = Some(t);
    }
    match (&mut a.enforcement, b.enforcement) {
        (Some(mine), Some(theirs)) => mine.merge(*theirs),
        (mine @ None, theirs) => *mine = theirs,
        (Some(_), None) => {}
    }
    a.fraud_reported |= b.fraud_reported;
    a.bypass_used |= b.bypass_used;
    a.blocked_in_mfa |= b.blocked_in_mfa;
    a.blocked_at = a.blocked_at.max(b.blocked_at);
    a.logs_say_no_methods |= b.logs_say_no_methods;
    if b.push_fatigue {
        a.push_fatigue = true;
        a.recent_push_failures = Vec::new();
    } else {
        for at in b.recent_push_failures {
            record_push_failure(a, at, opts);
        }
    }
}

/// Records a denied or unanswered push and raises `push_fatigue` when `fatigue_threshold` of them
/// fall within `fatigue_window` — in any arrival order. Times are kept sorted; only windows through
/// the new time can have changed, so each event costs O(threshold) checks plus the insertion.
pub(crate) fn record_push_failure(a: &mut UserActivity, at: Timestamp, opts: AuditOptions) {
    let n = opts.fatigue_threshold as usize;
    if a.push_fatigue || n == 0 {
        return;
    }
    let times = &mut a.recent_push_failures;
    let pos = times.partition_point(|t| *t <= at);
    times.insert(pos, at);
    let first = pos.saturating_sub(n - 1);
    let hit = (first..=pos).any(|start| {
        times
            .get(start + n - 1)
            .is_some_and(|end| end.duration_since(times[start]) <= opts.fatigue_window)
    });
    if hit {
        a.push_fatigue = true;
        *times = Vec::new();
    } else if times.len() > MAX_PUSH_TIMES {
        // Forget the end farther from the new time: the log is moving away from it.
        let (first, last) = (times[0], times[times.len() - 1]);
        if at.duration_since(first) > last.duration_since(at) {
            times.remove(0);
        } else {
            times.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Auditor;
    use crate::model::{Provenance, User};
    use crate::report::audit::AuditReport;
    use proptest::prelude::*;

    fn directory() -> Directory {
        let mut d = Directory::new();
        for (upn, id) in [
            ("ada@contoso.com", Some("ID-ADA")),
            ("Grace_Example.org#EXT#@contoso.onmicrosoft.com", None),
            ("bob@contoso.com", None),
        ] {
            d.insert(User {
                upn: Some(upn.into()),
                object_id: id.map(str::to_string),
                sources: vec![Provenance { file: 0, record: 0 }],
                ..User::default()
            });
        }
        d
    }

    /// Who signs in: the same people under several spellings, strangers, and nobody.
    const WHO: [(Option<&str>, Option<&str>); 8] = [
        (Some("id-ada"), Some("ada@contoso.com")),
        (None, Some(" ADA@contoso.com")),
        (Some("ID-ADA"), None),
        (None, Some("grace@example.org")),
        (None, Some("Bob@Contoso.com")),
        (Some("id-x"), Some("Xavier@Fabrikam.com")),
        (None, Some("xavier@fabrikam.com")),
        (None, None),
    ];

    const WHAT: [Option<&str>; 6] = [
        Some("MFA successfully completed"),
        Some("MFA denied; user declined the authentication"),
        Some("MFA denied; user did not respond to mobile app notification"),
        Some("MFA requirement satisfied by claim in the token"),
        Some("MFA denied; user entered incorrect code"),
        None,
    ];

    fn signin(who: usize, what: usize, minute: Option<i64>) -> SignIn<'static> {
        let (id, upn) = WHO[who];
        SignIn {
            user_id: id.map(|s| s.to_string().into()),
            upn: upn.map(|s| s.to_string().into()),
            time: minute.map(|m| {
                "2025-05-01T10:00:00Z".parse::<Timestamp>().unwrap() + SignedDuration::from_mins(m)
            }),
            additional_details: WHAT[what].map(|s| s.to_string().into()),
            mfa_method: (what == 2).then(|| "Mobile app notification".into()),
            ..SignIn::default()
        }
    }

    fn report(ledgers: Vec<Ledger>) -> AuditReport {
        let at = "2025-05-02T00:00:00Z".parse().unwrap();
        Auditor::with_ledgers(ledgers).finish(directory(), Vec::new(), at)
    }

    proptest! {
        /// Sign-ins split between three ledgers in any way (threads taking batches) and joined
        /// together give the report that folding them in order gives: counts, names, last results
        /// (timeless ones too), fatigue, rankings and the unmatched examples.
        #[test]
        fn split_and_merged_is_folded_in_order(
            events in proptest::collection::vec(
                (0..WHO.len(), 0..WHAT.len(), proptest::option::of(0i64..40), 0..3usize),
                0..60,
            )
        ) {
            let opts = AuditOptions { fatigue_threshold: 3, ..AuditOptions::default() };
            let mut in_order = Ledger::new(opts);
            let mut split = [Ledger::new(opts), Ledger::new(opts), Ledger::new(opts)];
            for (seq, &(who, what, minute, side)) in events.iter().enumerate() {
                let s = signin(who, what, minute);
                in_order.add(&s);
                split[side].add_at(&s, seq as u64 + 1);
            }
            let [a, b, c] = split;
            prop_assert_eq!(report(vec![c, a, b]), report(vec![in_order]));
        }
    }

    /// A sign-in with only a user id joins the directory user another sign-in linked that id to
    /// (by its UPN), instead of becoming a phantom user; so does a renamed user's new UPN.
    #[test]
    fn sign_ins_link_ids_and_upns() {
        let mut ledger = Ledger::new(AuditOptions::default());
        let by = |id: Option<&str>, upn: Option<&str>| SignIn {
            user_id: id.map(|s| s.to_string().into()),
            upn: upn.map(|s| s.to_string().into()),
            ..SignIn::default()
        };
        // bob is in the directory by UPN only.
        ledger.add(&by(Some("ID-BOB"), None));
        ledger.add(&by(Some("id-bob"), Some("Bob@Contoso.com")));
        ledger.add(&by(Some("id-bob"), Some("robert@contoso.com")));
        ledger.add(&by(None, Some("robert@contoso.com")));
        let r = report(vec![ledger]);
        let bob = r.users.iter().find(|u| u.upn == "bob@contoso.com").unwrap();
        assert_eq!(bob.object_id, None);
        assert_eq!(r.users.len(), 3, "no phantom user: {:?}", r.users);
        assert_eq!(r.unmatched_signins.signins, 0);
        let signins: u64 = r.users.iter().map(|u| u.challenges).sum();
        assert_eq!(signins, 0);
        let joined = Ledger::join(
            {
                let mut l = Ledger::new(AuditOptions::default());
                for s in [
                    by(Some("ID-BOB"), None),
                    by(Some("id-bob"), Some("Bob@Contoso.com")),
                    by(None, Some("robert@contoso.com")),
                    by(Some("id-bob"), Some("robert@contoso.com")),
                ] {
                    l.add(&s);
                }
                vec![l]
            },
            &directory(),
            &GuestIndex::new(&directory()),
        );
        let signins: Vec<u64> = joined.tallies.iter().map(|t| t.activity.signins).collect();
        assert_eq!(signins, [0, 0, 4]);
    }

    /// The same sign-in (request id) folded by two ledgers, or twice by one, counts once; a
    /// workload identity's counts in nothing but its own count.
    #[test]
    fn a_sign_in_met_twice_counts_once() {
        let seen = std::sync::Arc::new(SeenIds::default());
        let opts = AuditOptions::default();
        let (mut a, mut b) = (
            Ledger::sharing(opts, seen.clone()),
            Ledger::sharing(opts, seen),
        );
        let denied = |id: &str| SignIn {
            request_id: Some(id.to_string().into()),
            ..signin(0, 2, Some(1))
        };
        a.add_at(&denied("A0000021-1111-4222-8333-000000000021"), 1);
        b.add_at(&denied("a0000021-1111-4222-8333-000000000021"), 2);
        a.add_at(&denied("not-a-guid"), 3);
        a.add_at(&denied(" NOT-A-GUID "), 4);
        b.add_at(
            &SignIn {
                workload: true,
                request_id: Some("w1".into()),
                ..SignIn::default()
            },
            5,
        );
        let joined = Ledger::join(vec![a, b], &directory(), &GuestIndex::new(&directory()));
        assert_eq!(
            (
                joined.signins,
                joined.duplicate_signins,
                joined.workload_signins
            ),
            (2, 2, 1)
        );
        assert_eq!(joined.tallies[0].activity.denied, 2);
    }

    #[test]
    fn texts_keep_keys_apart() {
        let mut t = Texts::default();
        let cases = [
            (Some("id-1"), Some("ada@x")),
            (None, Some("ada@x")),
            (Some("ada@x"), None),
            (Some(""), None),
            (None, Some("")),
            (None, None),
            (Some("é"), Some("ü@x")),
        ];
        let keys: Vec<Keys> = cases.iter().map(|&(i, u)| t.push_keys(i, u)).collect();
        let name = t.push("Ada Lovelace");
        for (k, want) in keys.iter().zip(cases) {
            assert_eq!(t.keys(*k), want);
        }
        assert_eq!(t.get(name), "Ada Lovelace");
    }

    #[test]
    fn timeless_results_keep_the_first_to_arrive_across_ledgers() {
        let opts = AuditOptions::default();
        let (mut early, mut late) = (Ledger::new(opts), Ledger::new(opts));
        late.add_at(&signin(0, 1, None), 7);
        early.add_at(&signin(1, 0, None), 3);
        let r = report(vec![late, early]);
        assert_eq!(
            r.users[0].last_result.as_deref(),
            Some("satisfied: successfully completed")
        );
        assert_eq!(r.users[0].challenges, 2);
    }
}
