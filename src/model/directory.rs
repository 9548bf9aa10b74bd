//! Merging users from every directory source into one directory.
//!
//! Records join on object id, else on UPN compared case-insensitively. A user present in one source
//! only is kept. The merge rule is one line: **a known fact is never replaced — the input given
//! first wins — and every disagreement between two known facts is recorded as a [`Conflict`]**.
//! Unknown (and MSOnline's null `BlockCredential`) is always filled in by a later known value.
//!
//! Over 800 lines with its tests (the code is ~540): the merge rule's cases are tested one by one.

use std::borrow::Cow;
use std::collections::HashMap;

use foldhash::fast::RandomState;

use serde::Serialize;

use super::{Access, PerUserState, Provenance, User, UserType, normalize_upn, trim};

/// Two sources that disagree about one fact of one user.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Conflict {
    pub upn: String,
    pub field: &'static str,
    /// The value kept (from the input given first).
    pub kept: String,
    pub other: String,
    pub kept_from: Provenance,
    pub other_from: Provenance,
}

/// All users, merged, in the order they were first seen.
#[derive(Debug, Default)]
pub struct Directory {
    pub users: Vec<User>,
    by_id: KeyIndex,
    by_upn: KeyIndex,
    pub conflicts: Vec<Conflict>,
    /// UPNs with characters lost at export, and what became of them.
    pub lost: LostCharacters,
}

/// A GUID's 128 bits. An id key written as a GUID (`8-4-4-4-12` hex digits, either case) and its
/// bits stand for each other one to one, so ids in that form are compared by value.
type Guid = (u64, u64);

/// The bits of `id` when it is a GUID in the usual form (trimmed first), else `None`.
pub fn guid(id: &str) -> Option<Guid> {
    let b = trim(id).as_bytes();
    if b.len() != 36 || [b[8], b[13], b[18], b[23]] != [b'-'; 4] {
        return None;
    }
    // Without a branch per digit: a bad digit leaves its mark in `bad`.
    let mut bad = 0u8;
    let mut digits = |part: &[u8], into: &mut u64| {
        for &c in part {
            let v = HEX_DIGIT[c as usize];
            bad |= v;
            *into = (*into << 4) | u64::from(v);
        }
    };
    let (mut hi, mut lo) = (0u64, 0u64);
    digits(&b[0..8], &mut hi);
    digits(&b[9..13], &mut hi);
    digits(&b[14..18], &mut hi);
    digits(&b[19..23], &mut lo);
    digits(&b[24..36], &mut lo);
    (bad & NOT_HEX == 0).then_some((hi, lo))
}

/// Marks a byte that is not a hex digit in [`HEX_DIGIT`].
const NOT_HEX: u8 = 0x10;

/// Each byte's value as a hex digit (either case), or [`NOT_HEX`].
const HEX_DIGIT: [u8; 256] = {
    let mut t = [NOT_HEX; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// An object id as a join key: trimmed, lower-cased; borrowed when it already is.
pub fn id_key(id: &str) -> Option<Cow<'_, str>> {
    let t = trim(id);
    if t.is_empty() {
        None
    } else if t.bytes().any(|b| b.is_ascii_uppercase()) {
        Some(Cow::Owned(t.to_ascii_lowercase()))
    } else {
        Some(Cow::Borrowed(t))
    }
}

/// A UPN as a join key ([`normalize_upn`]); borrowed when it already is, as sign-in logs write it.
pub fn upn_key(upn: &str) -> Option<Cow<'_, str>> {
    let t = trim(upn);
    if t.is_empty() {
        None
    } else if !t.bytes().any(|b| b >= 0x80 || b.is_ascii_uppercase()) {
        Some(Cow::Borrowed(t))
    } else {
        Some(Cow::Owned(normalize_upn(t)))
    }
}

/// A map from a join key to a user that keeps only the key's 64-bit hash: a copy of every UPN and
/// id would cost more than the users themselves. A hit is confirmed against the user's own field;
/// keys that cannot be confirmed that way (a hash collision, a user known by a second UPN) live in a
/// small map of full keys.
#[derive(Debug, Default)]
struct KeyIndex {
    hashed: HashMap<u64, u32, RandomState>,
    full: HashMap<String, u32, RandomState>,
}

/// A key's hash (foldhash: several times faster than the default SipHash on short keys; a
/// collision costs only a lookup in `full`, so flooding needs no stronger hash here).
fn key_hash(key: &str) -> u64 {
    use std::hash::BuildHasher;
    static STATE: std::sync::LazyLock<RandomState> = std::sync::LazyLock::new(RandomState::default);
    STATE.hash_one(key)
}

impl KeyIndex {
    /// The user for `key`; `owns(i)` says whether user `i`'s own field has this key.
    fn get(&self, key: &str, owns: impl Fn(u32) -> bool) -> Option<u32> {
        self.get_hashed(key_hash(key), key, owns)
    }

    /// [`KeyIndex::get`] with the key's hash already worked out.
    fn get_hashed(&self, hash: u64, key: &str, owns: impl Fn(u32) -> bool) -> Option<u32> {
        match self.hashed.get(&hash) {
            Some(&i) if owns(i) => Some(i),
            _ => self.full.get(key).copied(),
        }
    }

    /// Records an unknown key that user `index`'s own field has; `key` gives it in full, needed
    /// only when another key has the same hash.
    fn insert_own(&mut self, hash: u64, index: u32, key: impl FnOnce() -> String) {
        match self.hashed.entry(hash) {
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(index);
            }
            std::collections::hash_map::Entry::Occupied(_) => {
                self.full.entry(key()).or_insert(index);
            }
        }
    }

    /// Records `key -> index` unless the key is already known. `own` says whether the user's own
    /// field has this key (so that a hashed entry can be confirmed later).
    fn insert(&mut self, key: &str, index: u32, own: bool, owns: impl Fn(u32) -> bool) {
        if self.get(key, &owns).is_some() {
            return;
        }
        if own
            && let std::collections::hash_map::Entry::Vacant(e) = self.hashed.entry(key_hash(key))
        {
            e.insert(index);
            return;
        }
        self.full.entry(key.to_string()).or_insert(index);
    }
}

impl Directory {
    pub fn new() -> Directory {
        Directory::default()
    }

    pub fn len(&self) -> usize {
        self.users.len()
    }

    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    /// Finds a user by object id (case-insensitive).
    pub fn find_id(&self, id: &str) -> Option<usize> {
        let key = id_key(id)?;
        self.by_id
            .get(&key, |i| owns(&self.users, i, object_id_of, id_key, &key))
            .map(|i| i as usize)
    }

    /// Finds a user by UPN (case-insensitive).
    pub fn find_upn(&self, upn: &str) -> Option<usize> {
        let key = upn_key(upn)?;
        self.by_upn
            .get(&key, |i| owns(&self.users, i, upn_of, upn_key, &key))
            .map(|i| i as usize)
    }

    /// Adds one source record, merging it into the user it matches. Returns the user's index and
    /// whether it matched an existing user.
    pub fn insert(&mut self, user: User) -> (usize, bool) {
        // The record's keys are looked up once, by hash. A new user's keys are then indexed from
        // the user's own fields (no copy); a record merged into a known user keeps copies, since
        // its fields move into that user.
        let (id_hash, upn_hash, found, merged_keys) = {
            let id = user.object_id.as_deref().and_then(id_key);
            let upn = user.upn.as_deref().and_then(upn_key);
            let id_hash = id.as_deref().map(key_hash);
            let upn_hash = upn.as_deref().map(key_hash);
            let users = &self.users;
            let found = id
                .as_deref()
                .zip(id_hash)
                .and_then(|(k, h)| {
                    self.by_id
                        .get_hashed(h, k, |i| owns(users, i, object_id_of, id_key, k))
                })
                .or_else(|| {
                    upn.as_deref().zip(upn_hash).and_then(|(k, h)| {
                        self.by_upn
                            .get_hashed(h, k, |i| owns(users, i, upn_of, upn_key, k))
                    })
                });
            let merged_keys = found.map(|_| (id.map(Cow::into_owned), upn.map(Cow::into_owned)));
            (id_hash, upn_hash, found, merged_keys)
        };
        let Some(index) = found else {
            let index = self.users.len() as u32;
            self.users.push(user);
            let own = &self.users[index as usize];
            // Neither key is known (both were looked up): each goes in as the user's own.
            if let Some(h) = id_hash {
                self.by_id.insert_own(h, index, || {
                    own.object_id
                        .as_deref()
                        .and_then(id_key)
                        .unwrap_or_default()
                        .into()
                });
            }
            if let Some(h) = upn_hash {
                self.by_upn.insert_own(h, index, || {
                    own.upn
                        .as_deref()
                        .and_then(upn_key)
                        .unwrap_or_default()
                        .into()
                });
            }
            return (index as usize, false);
        };
        let (existing, conflicts) = (&mut self.users[index as usize], &mut self.conflicts);
        merge_into(existing, user, conflicts);
        let users = &self.users;
        let (id, upn) = merged_keys.unwrap_or_default();
        if let Some(k) = id {
            let field = object_id_of;
            let own = owns(users, index, field, id_key, &k);
            self.by_id
                .insert(&k, index, own, |i| owns(users, i, field, id_key, &k));
        }
        if let Some(k) = upn {
            let field = upn_of;
            let own = owns(users, index, field, upn_key, &k);
            self.by_upn
                .insert(&k, index, own, |i| owns(users, i, field, upn_key, &k));
        }
        (index as usize, true)
    }
}

/// What [`Directory::match_lost_characters`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LostCharacters {
    /// UPNs with `?` merged into the one user whose UPN fits: (as exported, as matched).
    pub matched: Vec<(String, String)>,
    /// UPNs with `?` that fit no user, or several: kept as their own users.
    pub unmatched: Vec<String>,
}

/// A UPN as Windows PowerShell 5.1's ASCII `Export-Csv` would have written it, lower-cased: every
/// UTF-16 unit outside ASCII becomes `?`.
fn ascii_skeleton(upn: &str) -> String {
    let mut out = String::with_capacity(upn.len());
    for unit in trim(upn).encode_utf16() {
        match u8::try_from(unit) {
            Ok(b) if b.is_ascii() => out.push(b.to_ascii_lowercase() as char),
            _ => out.push('?'),
        }
    }
    out
}

impl Directory {
    /// Merges each user whose UPN holds `?` — the mark a Windows PowerShell 5.1 ASCII export
    /// leaves where it lost a character (`?` is not a UPN character) — into the one user whose
    /// UPN it fits (each `?` one UTF-16 unit outside ASCII), instead of keeping a second user for
    /// one person. A UPN that fits none or several users is kept as it is, and said.
    pub fn match_lost_characters(&mut self) -> LostCharacters {
        let mut out = LostCharacters::default();
        let damaged: Vec<usize> = (0..self.users.len())
            .filter(|&i| {
                self.users[i]
                    .upn
                    .as_deref()
                    .is_some_and(|u| u.contains('?'))
            })
            .collect();
        if damaged.is_empty() {
            return out;
        }
        // Only UPNs with characters outside ASCII can be what a `?` stood for.
        let mut by_skeleton: HashMap<String, Vec<usize>, RandomState> = HashMap::default();
        for (i, u) in self.users.iter().enumerate() {
            if let Some(upn) = u.upn.as_deref()
                && !upn.is_ascii()
                && !upn.contains('?')
            {
                by_skeleton.entry(ascii_skeleton(upn)).or_default().push(i);
            }
        }
        let mut merges: Vec<(usize, usize)> = Vec::new();
        for &d in &damaged {
            let upn = self.users[d].upn.clone().unwrap_or_default();
            match by_skeleton.get(&ascii_skeleton(&upn)).map(Vec::as_slice) {
                Some(&[into])
                    if self.users[d].object_id.is_none()
                        || self.users[into].object_id.is_none()
                        || self.users[d].object_id.as_deref().and_then(id_key)
                            == self.users[into].object_id.as_deref().and_then(id_key) =>
                {
                    out.matched
                        .push((upn, self.users[into].upn.clone().unwrap_or_default()));
                    merges.push((d, into));
                }
                _ => out.unmatched.push(upn),
            }
        }
        if merges.is_empty() {
            self.lost = out.clone();
            return out;
        }
        for &(from, into) in &merges {
            let mut record = std::mem::take(&mut self.users[from]);
            // The damaged UPN never replaces the one it stood for.
            record.upn = None;
            merge_into(&mut self.users[into], record, &mut self.conflicts);
        }
        let gone: std::collections::HashSet<usize> = merges.iter().map(|&(from, _)| from).collect();
        let users = std::mem::take(&mut self.users);
        let conflicts = std::mem::take(&mut self.conflicts);
        for (i, u) in users.into_iter().enumerate() {
            if !gone.contains(&i) {
                self.users.push(u);
            }
        }
        // The indexes point at positions that moved: built again.
        let kept = std::mem::take(&mut self.users);
        self.by_id = KeyIndex::default();
        self.by_upn = KeyIndex::default();
        for u in kept {
            self.insert(u);
        }
        self.conflicts = conflicts;
        self.lost = out.clone();
        out
    }

    /// What a reader of the report is told about UPNs with lost characters.
    pub fn lost_characters_warning(&self) -> Option<String> {
        let l = &self.lost;
        if l.matched.is_empty() && l.unmatched.is_empty() {
            return None;
        }
        let mut text = format!(
            "{} UPN(s) hold '?' where a Windows PowerShell 5.1 export in ASCII lost characters",
            l.matched.len() + l.unmatched.len()
        );
        if let Some((from, to)) = l.matched.first() {
            text.push_str(&format!(
                "; {} matched to the one directory user each fits (e.g. {from} is {to})",
                l.matched.len()
            ));
        }
        if let Some(first) = l.unmatched.first() {
            text.push_str(&format!(
                "; {} fit no single user and are kept as written (e.g. {first})",
                l.unmatched.len()
            ));
        }
        text.push_str(": export with -Encoding UTF8 to keep the names whole");
        Some(text)
    }
}

fn object_id_of(u: &User) -> Option<&str> {
    u.object_id.as_deref()
}

fn upn_of(u: &User) -> Option<&str> {
    u.upn.as_deref()
}

/// Whether user `i`'s own field, as a join key, is `key`.
fn owns(
    users: &[User],
    i: u32,
    field: fn(&User) -> Option<&str>,
    to_key: fn(&str) -> Option<Cow<'_, str>>,
    key: &str,
) -> bool {
    users
        .get(i as usize)
        .and_then(field)
        .and_then(to_key)
        .is_some_and(|k| k == key)
}

fn merge_into(kept: &mut User, new: User, conflicts: &mut Vec<Conflict>) {
    let kept_from = kept
        .sources
        .first()
        .copied()
        .unwrap_or(Provenance { file: 0, record: 0 });
    let other_from = new
        .sources
        .first()
        .copied()
        .unwrap_or(Provenance { file: 0, record: 0 });
    let upn = kept
        .upn
        .clone()
        .or_else(|| new.upn.clone())
        .unwrap_or_default();
    let mut conflict = |field: &'static str, a: String, b: String| {
        conflicts.push(Conflict {
            upn: upn.clone(),
            field,
            kept: a,
            other: b,
            kept_from,
            other_from,
        });
    };

    fill(&mut kept.object_id, new.object_id);
    fill(&mut kept.upn, new.upn);
    fill(&mut kept.display_name, new.display_name);
    fill(&mut kept.default_method, new.default_method);

    match (kept.access, new.access) {
        (Access::Unknown | Access::NullInExport, a) if !matches!(a, Access::Unknown) => {
            kept.access = a
        }
        (a, b) if is_known_access(a) && is_known_access(b) && a != b => conflict(
            "access",
            format!("{a:?}").to_lowercase(),
            format!("{b:?}").to_lowercase(),
        ),
        _ => {}
    }
    match (&kept.user_type, new.user_type) {
        (UserType::Unknown, t) => kept.user_type = t,
        (a, b) if b != UserType::Unknown && *a != b => {
            conflict("user_type", format!("{a:?}"), format!("{b:?}"))
        }
        _ => {}
    }
    match (kept.per_user_state, new.per_user_state) {
        (PerUserState::Unknown, s) => kept.per_user_state = s,
        (a, b) if b != PerUserState::Unknown && a != b => {
            conflict("per_user_state", a.title().into(), b.title().into())
        }
        _ => {}
    }
    if kept.requirements.is_none() {
        kept.requirements = new.requirements;
    }
    match (&kept.methods, new.methods) {
        (None, m) => kept.methods = m,
        (Some(a), Some(b)) => {
            let (x, y): (Vec<&str>, Vec<&str>) = (a.names().collect(), b.names().collect());
            if x.is_empty() != y.is_empty() {
                conflict("methods", x.join(" "), y.join(" "));
            }
        }
        _ => {}
    }
    merge_bool(
        &mut kept.mfa_registered,
        new.mfa_registered,
        "mfa_registered",
        &mut conflict,
    );
    merge_bool(
        &mut kept.mfa_capable,
        new.mfa_capable,
        "mfa_capable",
        &mut conflict,
    );
    merge_bool(&mut kept.is_admin, new.is_admin, "is_admin", &mut conflict);
    merge_bool(
        &mut kept.is_licensed,
        new.is_licensed,
        "is_licensed",
        &mut conflict,
    );
    kept.methods_lost |= new.methods_lost;
    kept.msol_gaps.methods |= new.msol_gaps.methods;
    kept.msol_gaps.requirements |= new.msol_gaps.requirements;
    kept.sources.extend(new.sources);
}

fn is_known_access(a: Access) -> bool {
    matches!(a, Access::Allowed | Access::Blocked)
}

fn fill<T>(slot: &mut Option<T>, value: Option<T>) {
    if slot.is_none() {
        *slot = value;
    }
}

fn merge_bool(
    slot: &mut Option<bool>,
    value: Option<bool>,
    field: &'static str,
    conflict: &mut impl FnMut(&'static str, String, String),
) {
    match (*slot, value) {
        (None, v) => *slot = v,
        (Some(a), Some(b)) if a != b => conflict(field, a.to_string(), b.to_string()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `zo?@contoso.com` from a 5.1 ASCII export is the directory's `zoë@contoso.com` when it is
    /// the one user it fits; a `?` that fits two users, or none, stays a user of its own.
    #[test]
    fn lost_characters_match_the_one_user_they_fit() {
        let user = |upn: &str| User {
            upn: Some(upn.into()),
            ..User::default()
        };
        let mut d = Directory::new();
        d.insert(user("zoë@contoso.com"));
        d.insert(user("rené@contoso.com"));
        d.insert(user("renê@contoso.com"));
        let mut damaged = user("ZO?@contoso.com");
        damaged.access = Access::Blocked;
        d.insert(damaged);
        d.insert(user("ren?@contoso.com"));
        d.insert(user("nobody?@contoso.com"));
        // A character outside the BMP is two UTF-16 units: two `?`.
        d.insert(user("emoji\u{1f600}@contoso.com"));
        d.insert(user("emoji??@contoso.com"));
        let lost = d.match_lost_characters();
        assert_eq!(
            lost.matched,
            [
                ("ZO?@contoso.com".to_string(), "zoë@contoso.com".to_string()),
                (
                    "emoji??@contoso.com".to_string(),
                    "emoji\u{1f600}@contoso.com".to_string()
                ),
            ]
        );
        assert_eq!(lost.unmatched, ["ren?@contoso.com", "nobody?@contoso.com"]);
        let upns: Vec<&str> = d.users.iter().filter_map(|u| u.upn.as_deref()).collect();
        assert_eq!(
            upns,
            [
                "zoë@contoso.com",
                "rené@contoso.com",
                "renê@contoso.com",
                "ren?@contoso.com",
                "nobody?@contoso.com",
                "emoji\u{1f600}@contoso.com"
            ]
        );
        assert_eq!(d.users[0].access, Access::Blocked);
        assert_eq!(d.find_upn("ZOË@contoso.com"), Some(0));
        assert_eq!(d.find_upn("nobody?@contoso.com"), Some(4));
    }

    #[test]
    fn keys_with_the_same_hash_are_told_apart() {
        // Two keys forced onto one hash: the first owns the hashed slot, the second lives in the
        // full map, and each finds its own user.
        let keys = ["id-a", "id-b"];
        let owns = |i: u32, key: &str| keys[i as usize] == key;
        let mut index = KeyIndex::default();
        index.insert_own(7, 0, || keys[0].to_string());
        index.insert_own(7, 1, || keys[1].to_string());
        assert_eq!(index.full.len(), 1);
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(index.get_hashed(7, key, |j| owns(j, key)), Some(i as u32));
        }
        assert_eq!(index.get_hashed(7, "id-c", |j| owns(j, "id-c")), None);
    }
    use crate::model::MethodList;

    #[test]
    fn guid_ids_are_compared_by_value() {
        let lower = "6d341e10-39aa-4b99-8b79-9a76c3e893aa";
        assert_eq!(
            guid(lower),
            Some((0x6d34_1e10_39aa_4b99, 0x8b79_9a76_c3e8_93aa))
        );
        assert_eq!(guid(" 6D341E10-39AA-4b99-8B79-9a76c3e893aa\t"), guid(lower));
        for not in [
            "6d341e10-39aa-4b99-8b79-9a76c3e893a",
            "6d341e10-39aa-4b99-8b79-9a76c3e893aa0",
            "{6d341e10-39aa-4b99-8b79-9a76c3e893aa}",
            "6d341e1039aa-4b99-8b79-9a76c3e893aa0",
            "6d341e10_39aa-4b99-8b79-9a76c3e893aa",
            "6d341e10-39aa-4b99-8b79-9a76c3e893ag",
            "6d341e10-39aa-4b99-8b79-9a76c3e893a\u{e9}",
            "",
        ] {
            assert_eq!(guid(not), None, "{not:?}");
        }
        // A wrong digit or a missing hyphen anywhere.
        for at in 0..lower.len() {
            for bad in [b'g', b'-', b' ', b'0'] {
                let mut b = lower.as_bytes().to_vec();
                if b[at] == bad || (bad == b'0' && b[at] != b'-') {
                    continue;
                }
                b[at] = bad;
                let text = String::from_utf8(b).unwrap();
                assert_eq!(guid(&text), None, "{text:?}");
            }
        }
    }

    #[test]
    fn ids_join_alike_whether_guids_or_not() {
        // Each id below, in every spelling, must find the first user whose id is the same key
        // (trimmed, lower-cased), by the directory's text keys and by the join's GUID index alike.
        let ids = [
            "6d341e10-39aa-4b99-8b79-9a76c3e893aa",
            "6D341E10-39AA-4B99-8B79-9A76C3E893AA",
            " 6d341e10-39aa-4b99-8b79-9a76c3e893aa ",
            "{6d341e10-39aa-4b99-8b79-9a76c3e893aa}",
            "{6D341E10-39AA-4B99-8B79-9A76C3E893AA}",
            "6d341e10-39aa-4b99-8b79-9a76c3e893ab",
            "6d341e1039aa4b998b799a76c3e893aa",
            "S-1-5-21-1004",
            "s-1-5-21-1004",
        ];
        for start in 0..ids.len() {
            let order: Vec<&str> = ids[start..].iter().chain(&ids[..start]).copied().collect();
            let mut d = Directory::new();
            let mut firsts: Vec<(String, usize)> = Vec::new();
            for (n, id) in order.iter().enumerate() {
                let key = id_key(id).unwrap().into_owned();
                let known = firsts.iter().find(|(k, _)| *k == key).map(|&(_, i)| i);
                let (index, merged) = d.insert(user(Some(id), &format!("user{n}@x"), 0));
                assert_eq!(merged, known.is_some(), "{id:?} after {order:?}");
                if let Some(i) = known {
                    assert_eq!(index, i, "{id:?}");
                } else {
                    firsts.push((key, index));
                }
            }
            assert_eq!(d.len(), firsts.len());
            let g = GuestIndex::new(&d);
            for id in ids {
                let key = id_key(id).unwrap().into_owned();
                let want = firsts.iter().find(|(k, _)| *k == key).map(|&(_, i)| i);
                assert_eq!(d.find_id(id), want, "{id:?}");
                assert_eq!(g.find(&d, Some(id), None), want, "{id:?}");
            }
            for nobody in ["00000000-0000-0000-0000-000000000000", "nobody"] {
                assert_eq!(d.find_id(nobody), None);
                assert_eq!(g.find(&d, Some(nobody), None), None);
            }
        }
    }

    #[test]
    fn a_merged_records_guid_is_found_too() {
        // The second record joins the first by UPN and brings another id: the user keeps the
        // first, and the join finds it by either (the second through the text keys).
        let mut d = Directory::new();
        let first = "6d341e10-39aa-4b99-8b79-9a76c3e893aa";
        let second = "0f9e8d7c-6b5a-4938-2716-05f4e3d2c1b0";
        d.insert(user(Some(first), "ada@x", 0));
        assert_eq!(d.insert(user(Some(second), "ADA@x", 1)), (0, true));
        d.insert(user(
            Some("11111111-2222-3333-4444-555555555555"),
            "bob@x",
            1,
        ));
        let g = GuestIndex::new(&d);
        for (id, want) in [
            (first, 0),
            (second, 0),
            ("11111111-2222-3333-4444-555555555555", 1),
        ] {
            assert_eq!(g.find(&d, Some(id), None), Some(want), "{id}");
            assert_eq!(
                g.find(&d, Some(&id.to_uppercase()), Some("nobody@x")),
                Some(want)
            );
        }
    }

    fn user(id: Option<&str>, upn: &str, file: u32) -> User {
        User {
            object_id: id.map(str::to_string),
            upn: Some(upn.to_string()),
            sources: vec![Provenance { file, record: 0 }],
            ..User::default()
        }
    }

    #[test]
    fn joins_on_id_then_upn_case_insensitively() {
        let mut d = Directory::new();
        let mut reg = user(None, "Ada@Contoso.com", 0);
        reg.methods = Some(MethodList::from_names(["fido2".to_string()]));
        d.insert(reg);
        let mut users = user(Some("ID-1"), "ada@contoso.com", 1);
        users.access = Access::Blocked;
        assert_eq!(d.insert(users), (0, true));
        let mut again = user(Some("id-1"), "renamed@contoso.com", 2);
        again.access = Access::Allowed;
        assert_eq!(d.insert(again), (0, true));
        assert_eq!(d.len(), 1);
        assert_eq!(d.users[0].access, Access::Blocked);
        assert_eq!(d.conflicts.len(), 1);
        assert_eq!(d.conflicts[0].field, "access");
        assert_eq!(
            (d.conflicts[0].kept.as_str(), d.conflicts[0].other.as_str()),
            ("blocked", "allowed")
        );
        assert_eq!(d.users[0].sources.len(), 3);
    }

    #[test]
    fn unknown_is_filled_never_overwritten() {
        let mut d = Directory::new();
        let mut a = user(None, "a@x", 0);
        a.access = Access::NullInExport;
        d.insert(a);
        let mut b = user(None, "A@X", 1);
        b.access = Access::Allowed;
        b.per_user_state = PerUserState::Enforced;
        d.insert(b);
        assert_eq!(d.users[0].access, Access::Allowed);
        assert_eq!(d.users[0].per_user_state, PerUserState::Enforced);
        assert!(d.conflicts.is_empty());
    }
}

/// Finds the user of a sign-in: by object id, else by UPN (case-insensitive), else by the guest's
/// home form (`name@home.tld`, as sign-in logs write it) of a `name_home.tld#EXT#@tenant` UPN.
///
/// Users' own object ids written as GUIDs (all that Graph and MSOnline write) are indexed here by
/// their bits: a sign-in's id is then found without a trip to the user's text to confirm a hash
/// (each such trip is a cache miss per sign-in identity). Built for the join
/// only, not while merging: `methods` and the other streaming reports do not pay its memory.
#[derive(Debug, Default)]
pub struct GuestIndex {
    home: HashMap<String, u32>,
    by_guid: HashMap<Guid, u32, RandomState>,
}

impl GuestIndex {
    pub fn new(directory: &Directory) -> GuestIndex {
        let mut home = HashMap::new();
        let mut by_guid = HashMap::default();
        for (i, u) in directory.users.iter().enumerate() {
            if let Some(h) = u.upn.as_deref().and_then(super::guest_home_form) {
                home.entry(h).or_insert(i as u32);
            }
            // No two users have one id (the second record would have merged into the first).
            if let Some(g) = u.object_id.as_deref().and_then(guid) {
                by_guid.entry(g).or_insert(i as u32);
            }
        }
        GuestIndex { home, by_guid }
    }

    /// The index of the user a sign-in belongs to.
    pub fn find(
        &self,
        directory: &Directory,
        user_id: Option<&str>,
        upn: Option<&str>,
    ) -> Option<usize> {
        if let Some(id) = user_id {
            // A GUID not among the users' own ids may still be a merged record's: looked up as
            // text too.
            let own = guid(id).and_then(|g| self.by_guid.get(&g));
            if let Some(i) = own.map(|&i| i as usize).or_else(|| directory.find_id(id)) {
                return Some(i);
            }
        }
        let upn = upn?;
        directory.find_upn(upn).or_else(|| {
            let key = upn_key(upn)?;
            self.home.get(key.as_ref()).map(|&i| i as usize)
        })
    }
}
