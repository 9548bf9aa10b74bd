//! The audit's `--json` file: exactly the bytes `serde_json::to_writer_pretty` gives, written
//! faster. The users — nearly all of a large tenant's report — are pretty-printed in chunks on two
//! other threads while this one writes the chunks already done, in order, so formatting and the file
//! system overlap, and memory holds a few chunks, never the whole text.

use std::collections::HashMap;
use std::io::{self, Write};

use super::audit::{AuditReport, AuditUser, ObservedUser, UserEnforcement};

/// Users per chunk handed from the formatting thread to the writing one.
const CHUNK_USERS: usize = 2048;
/// Chunks each formatter gets ahead of the writer, at most.
const CHUNKS_AHEAD: usize = 2;
/// Formatting threads (the writer is mostly the kernel copying into the page cache).
const FORMATTERS: usize = 2;

/// How `"users"` looks in the report printed with no users; it is printed at the top level of the
/// object, two spaces in, so it cannot be confused with text inside a string (whose line breaks
/// and quotes are escaped).
const EMPTY_USERS: &str = "\n  \"users\": []";

/// Writes `report` as `serde_json::to_writer_pretty` would, followed by nothing.
pub fn write_pretty(w: &mut dyn Write, report: &AuditReport) -> io::Result<()> {
    if report.users.is_empty() {
        return serde_json::to_writer_pretty(&mut *w, report).map_err(io::Error::from);
    }
    // Everything but the users, with an empty list where they go.
    let shell = shallow_copy(report);
    let text = serde_json::to_string_pretty(&shell).map_err(io::Error::from)?;
    let at = text
        .find(EMPTY_USERS)
        .ok_or_else(|| io::Error::other("internal: no users member in the report"))?;
    w.write_all(&text.as_bytes()[..at])?;
    w.write_all(b"\n  \"users\": [")?;
    // The formatters take alternate chunks; the writer takes them back in order.
    let chunks: Vec<&[AuditUser]> = report.users.chunks(CHUNK_USERS).collect();
    crate::par::ordered(
        chunks.len(),
        FORMATTERS,
        CHUNKS_AHEAD,
        |c| format_users(chunks[c], c == 0),
        |text| w.write_all(&text),
    )?;
    w.write_all(b"\n  ]")?;
    w.write_all(&text.as_bytes()[at + EMPTY_USERS.len()..])
}

/// Users as they appear inside the `"users"` array: each object on new lines, four spaces in.
/// Written by hand rather than through serde: the users are most of a large report, and serde
/// formats each field name through its escaper and every value through `io::Write`.
fn format_users(users: &[AuditUser], first: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(users.len() * 640);
    // Users whose configured verdict is the same share it (one `Arc`): it is formatted once per
    // chunk. Keyed by address, which stays theirs while `users` is borrowed.
    let mut configured: Prefixes = HashMap::new();
    for (i, u) in users.iter().enumerate() {
        out.extend_from_slice(if first && i == 0 {
            b"\n    "
        } else {
            b",\n    "
        });
        write_user(&mut out, u, &mut configured);
    }
    out
}

/// A configured verdict's part of `enforcement`, formatted, by the verdict's address.
type Prefixes = HashMap<usize, Vec<u8>>;

/// One user as `serde_json::to_writer_pretty` writes it inside the users array (fields six spaces
/// in). The pattern names every field, so a field added to `AuditUser` fails to compile here
/// until it is written too; the order is the struct's (checked against serde by the tests).
fn write_user(out: &mut Vec<u8>, u: &AuditUser, configured: &mut Prefixes) {
    let AuditUser {
        upn,
        display_name,
        object_id,
        enabled,
        registered,
        per_user_state,
        methods,
        strongest,
        user_type,
        is_admin,
        challenges,
        completed,
        denied,
        last_result,
        last_signin,
        flags,
        enforcement,
        exception,
        mfa_server,
    } = u;
    out.push(b'{');
    key(out, "upn", true);
    string(out, upn);
    key(out, "display_name", false);
    opt_string(out, display_name.as_deref());
    key(out, "object_id", false);
    opt_string(out, object_id.as_deref());
    key(out, "enabled", false);
    opt_bool(out, *enabled);
    key(out, "registered", false);
    opt_bool(out, *registered);
    key(out, "per_user_state", false);
    string(out, per_user_state);
    key(out, "methods", false);
    strings(out, methods);
    key(out, "strongest", false);
    opt_string(out, strongest.as_deref());
    key(out, "user_type", false);
    opt_string(out, user_type.as_deref());
    key(out, "is_admin", false);
    opt_bool(out, *is_admin);
    key(out, "challenges", false);
    number(out, *challenges);
    key(out, "completed", false);
    number(out, *completed);
    key(out, "denied", false);
    number(out, *denied);
    key(out, "last_result", false);
    opt_string(out, last_result.as_deref());
    key(out, "last_signin", false);
    opt_string(out, last_signin.as_deref());
    key(out, "flags", false);
    strings(out, flags);
    key(out, "enforcement", false);
    user_enforcement(out, enforcement, configured);
    key(out, "exception", false);
    match exception {
        Some(e) => nested(out, e),
        None => out.extend_from_slice(b"null"),
    }
    key(out, "mfa_server", false);
    match mfa_server {
        Some(m) => nested(out, m),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b"\n    }");
}

/// `enforcement`: most users' is one of two shapes (nothing known; nothing seen in the logs),
/// written from a copy made once; what the logs saw of a user (every user who signed in) by hand
/// after the configured part: the nulls, or the verdict formatted through serde once per chunk.
fn user_enforcement(out: &mut Vec<u8>, e: &UserEnforcement, prefixes: &mut Prefixes) {
    static SHAPES: std::sync::LazyLock<[Vec<u8>; 2]> = std::sync::LazyLock::new(|| {
        [false, true].map(|logs| {
            let mut v = Vec::new();
            nested(
                &mut v,
                &UserEnforcement {
                    logs,
                    ..UserEnforcement::default()
                },
            );
            v
        })
    });
    // Every shape ends `"observed": null` and the closing brace.
    let tail = b"null\n      }".len();
    match (&e.configured, &e.observed) {
        (None, None) => out.extend_from_slice(&SHAPES[usize::from(e.logs)]),
        (None, Some(o)) => {
            let shape = &SHAPES[0];
            out.extend_from_slice(&shape[..shape.len() - tail]);
            observed(out, o);
            out.extend_from_slice(b"\n      }");
        }
        (Some(c), o) => {
            let prefix = prefixes
                .entry(std::sync::Arc::as_ptr(c) as usize)
                .or_insert_with(|| {
                    let mut v = Vec::new();
                    nested(
                        &mut v,
                        &UserEnforcement {
                            configured: Some(c.clone()),
                            observed: None,
                            logs: false,
                        },
                    );
                    v.truncate(v.len() - tail);
                    v
                });
            out.extend_from_slice(prefix);
            match o {
                Some(o) => observed(out, o),
                None if e.logs => observed(out, &ObservedUser::default()),
                None => out.extend_from_slice(b"null"),
            }
            out.extend_from_slice(b"\n      }");
        }
    }
}

/// `enforcement.observed` as serde pretty-prints it there (members ten spaces in).
fn observed(out: &mut Vec<u8>, o: &ObservedUser) {
    const IN: &[u8] = b"\n          ";
    let ObservedUser {
        signins_without_mfa,
        legacy_auth_signins,
        apps_without_mfa,
        required_by,
        last_without_mfa,
        legacy_attempts,
        legacy_protocols,
        policies,
        report_only_would_require,
    } = o;
    let member = |out: &mut Vec<u8>, name: &str, first: bool| {
        if !first {
            out.push(b',');
        }
        out.extend_from_slice(IN);
        out.push(b'"');
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\": ");
    };
    out.push(b'{');
    member(out, "signins_without_mfa", true);
    number(out, *signins_without_mfa);
    member(out, "legacy_auth_signins", false);
    number(out, *legacy_auth_signins);
    member(out, "apps_without_mfa", false);
    list(out, apps_without_mfa, |out, app| {
        string(out, app);
    });
    member(out, "required_by", false);
    list(out, required_by, |out, r| {
        named_count(out, "provider", &r.provider, r.signins);
    });
    member(out, "last_without_mfa", false);
    opt_string(out, last_without_mfa.as_deref());
    member(out, "legacy_attempts", false);
    number(out, *legacy_attempts);
    for (name, counts) in [
        ("legacy_protocols", legacy_protocols),
        ("policies", policies),
        ("report_only_would_require", report_only_would_require),
    ] {
        member(out, name, false);
        list(out, counts, |out, c| {
            named_count(out, "name", &c.name, c.signins)
        });
    }
    out.extend_from_slice(b"\n        }");
}

/// An array inside `observed`: `[]`, or one item per line twelve spaces in.
fn list<T>(out: &mut Vec<u8>, items: &[T], mut item: impl FnMut(&mut Vec<u8>, &T)) {
    if items.is_empty() {
        out.extend_from_slice(b"[]");
        return;
    }
    out.push(b'[');
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"\n            ");
        item(out, x);
    }
    out.extend_from_slice(b"\n          ]");
}

/// `{"NAME": "...", "signins": N}` as an array item inside `observed`.
fn named_count(out: &mut Vec<u8>, name: &str, value: &str, signins: u64) {
    out.extend_from_slice(b"{\n              \"");
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\": ");
    string(out, value);
    out.extend_from_slice(b",\n              \"signins\": ");
    number(out, signins);
    out.extend_from_slice(b"\n            }");
}

/// A value inside a user, as serde pretty-prints it there: its own lines six spaces further in
/// (a string holds no raw line break, so every one is the printer's).
fn nested(out: &mut Vec<u8>, value: &impl serde::Serialize) {
    let text = serde_json::to_vec_pretty(value).unwrap_or_else(|_| b"null".to_vec());
    for b in text {
        out.push(b);
        if b == b'\n' {
            out.extend_from_slice(b"      ");
        }
    }
}

/// A member's name on its own line, six spaces in (names are plain words: nothing to escape).
fn key(out: &mut Vec<u8>, name: &str, first: bool) {
    out.extend_from_slice(if first { b"\n      \"" } else { b",\n      \"" });
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\": ");
}

fn number(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

fn opt_bool(out: &mut Vec<u8>, b: Option<bool>) {
    out.extend_from_slice(match b {
        None => b"null",
        Some(true) => b"true",
        Some(false) => b"false",
    });
}

fn opt_string(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// An array of strings: `[]`, or one per line eight spaces in.
fn strings(out: &mut Vec<u8>, items: &[impl AsRef<str>]) {
    if items.is_empty() {
        out.extend_from_slice(b"[]");
        return;
    }
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        out.extend_from_slice(if i == 0 {
            b"\n        "
        } else {
            b",\n        "
        });
        string(out, item.as_ref());
    }
    out.extend_from_slice(b"\n      ]");
}

/// A JSON string escaped as serde_json escapes it: `"` and `\`, the short forms `\b \t \n \f \r`,
/// other control characters as `\u00xx` (lower-case hex), everything else as it is.
fn string(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.push(b'"');
    // Most strings need no escape: one pass over them without branches, then one copy.
    let plain = bytes
        .iter()
        .fold(true, |ok, &b| ok & (b >= 0x20) & (b != b'"') & (b != b'\\'));
    if plain {
        out.extend_from_slice(bytes);
    } else {
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let short: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                0x08 => b"\\b",
                0x09 => b"\\t",
                0x0A => b"\\n",
                0x0C => b"\\f",
                0x0D => b"\\r",
                0x00..=0x1F => b"",
                _ => continue,
            };
            out.extend_from_slice(&bytes[start..i]);
            start = i + 1;
            if short.is_empty() {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xF)]);
            } else {
                out.extend_from_slice(short);
            }
        }
        out.extend_from_slice(&bytes[start..]);
    }
    out.push(b'"');
}

/// The report without its users, borrowing nothing (the parts are small).
fn shallow_copy(r: &AuditReport) -> AuditReport {
    AuditReport {
        schema: r.schema.clone(),
        generated_at: r.generated_at.clone(),
        inputs: r.inputs.clone(),
        summary: r.summary.clone(),
        questions: r.questions.clone(),
        mfa_completed_by: r.mfa_completed_by.clone(),
        mfa_denied_because: r.mfa_denied_because.clone(),
        users: Vec::new(),
        changes: r.changes.clone(),
        warnings: r.warnings.clone(),
        unmatched_signins: r.unmatched_signins.clone(),
        methods_by_strength: r.methods_by_strength.clone(),
        trend: r.trend.clone(),
        without_mfa: r.without_mfa.clone(),
        policies: r.policies.clone(),
        exceptions: r.exceptions.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::audit::{Changes, InputSummary};
    use std::borrow::Cow;

    fn user(i: usize) -> AuditUser {
        AuditUser {
            upn: format!("user{i}@contoso.com"),
            display_name: Some(format!("Line\nbreak \"{i}\" \u{2028} \\n  \"users\": []")),
            methods: vec!["Authenticator app (push)".into(), format!("m{i}").into()],
            flags: if i.is_multiple_of(2) {
                vec!["blocked-from-mfa".into()]
            } else {
                Vec::new()
            },
            last_result: i.is_multiple_of(3).then(|| "denied: x".to_string()),
            ..AuditUser::default()
        }
    }

    fn report(n: usize) -> AuditReport {
        AuditReport {
            schema: "mfaudit.audit/1".into(),
            generated_at: "2025-05-02T00:00:00Z".into(),
            inputs: vec![InputSummary {
                path: "a\n  \"users\": []".into(),
                ..InputSummary::default()
            }],
            summary: Default::default(),
            questions: Vec::new(),
            mfa_completed_by: Vec::new(),
            mfa_denied_because: Vec::new(),
            users: (0..n).map(user).collect(),
            changes: Some(Changes::default()),
            warnings: vec!["w".into()],
            unmatched_signins: Default::default(),
            methods_by_strength: Vec::new(),
            trend: Vec::new(),
            without_mfa: Default::default(),
            policies: Vec::new(),
            exceptions: Vec::new(),
        }
    }

    #[test]
    fn same_bytes_as_serde_json_pretty() {
        for n in [
            0,
            1,
            2,
            CHUNK_USERS - 1,
            CHUNK_USERS,
            CHUNK_USERS + 1,
            3 * CHUNK_USERS + 5,
        ] {
            let r = report(n);
            let mut ours = Vec::new();
            write_pretty(&mut ours, &r).unwrap();
            let theirs = serde_json::to_vec_pretty(&r).unwrap();
            assert!(ours == theirs, "{n} users: the bytes differ");
        }
    }

    use proptest::prelude::*;

    /// Any text, with the characters JSON escapes (every control character, `"`, `\\`) and a few
    /// it does not (DEL, U+2028, accents, emoji) often.
    fn text() -> impl Strategy<Value = String> {
        let special: Vec<char> = (0u8..0x20)
            .map(char::from)
            .chain(['"', '\\', '\u{7f}', '\u{2028}', 'é', '😀'])
            .collect();
        proptest::collection::vec(
            prop_oneof![any::<char>(), proptest::sample::select(special)],
            0..12,
        )
        .prop_map(|chars| chars.into_iter().collect())
    }

    fn words() -> impl Strategy<Value = Vec<Cow<'static, str>>> {
        proptest::collection::vec(text().prop_map(Cow::Owned), 0..4)
    }

    prop_compose! {
        fn any_user()(
            upn in text(),
            names in (proptest::option::of(text()), proptest::option::of(text())),
            flags3 in (any::<Option<bool>>(), any::<Option<bool>>(), any::<Option<bool>>()),
            state in text(),
            lists in (words(), words()),
            optional in (proptest::option::of(text()), proptest::option::of(text())),
            counts in (any::<u64>(), any::<u64>(), any::<u64>()),
            last in (proptest::option::of(text()), proptest::option::of(text())),
            seen in (any::<bool>(), proptest::option::of((text(), text(), any::<u64>()))),
            more in (words(), proptest::option::of(text()), 0usize..3),
            verdict in proptest::option::of((text(), text(), any::<bool>())),
            exception in proptest::option::of((text(), any::<bool>())),
            mfa_server in proptest::option::of((any::<Option<bool>>(), proptest::option::of(text()), any::<Option<u64>>())),
        ) -> AuditUser {
            use crate::report::audit::{NamedCount, ObservedUser, ProviderSignins, UserEnforcement};
            let (logs, observed) = seen;
            let (extra_apps, last_time, repeat) = more;
            use crate::report::audit::{Configured, ExcludedBy, RequiredBy};
            let configured = verdict.map(|(policy, reason, scoped)| {
                std::sync::Arc::new(Configured {
                    mfa_required: Some(if scoped { "conditional" } else { "always" }.into()),
                    phishing_resistant_required: scoped.then_some(true),
                    required_by: Some(vec![RequiredBy {
                        source: "conditional-access".into(),
                        policy: Some(policy.as_str().into()),
                        policy_id: None,
                        via: Some(format!("group:{reason}")),
                        scope: if scoped { "conditional" } else { "always" }.into(),
                        conditions: std::sync::Arc::new(vec![reason.clone()]),
                    }]),
                    excluded_by: Some(vec![ExcludedBy {
                        policy: None,
                        policy_id: Some(policy.as_str().into()),
                        via: "user".into(),
                    }]),
                    report_only: None,
                    unresolved: Some(vec![reason]),
                    phishing_resistant_allowed: None,
                })
            });
            let enforcement = UserEnforcement {
                configured,
                observed: observed.map(|(app, name, n)| {
                    let counted = |k: usize| -> Vec<NamedCount> {
                        (0..k).map(|i| NamedCount { name: format!("{name}{i}"), signins: n / (i as u64 + 1) }).collect()
                    };
                    Box::new(ObservedUser {
                        signins_without_mfa: n,
                        legacy_auth_signins: n / 2,
                        apps_without_mfa: std::iter::once(app).chain(extra_apps.iter().map(|a| a.to_string())).collect(),
                        required_by: (0..repeat).map(|_| ProviderSignins { provider: name.clone(), signins: n }).collect(),
                        last_without_mfa: last_time,
                        legacy_attempts: n,
                        legacy_protocols: counted(repeat),
                        policies: counted(1),
                        report_only_would_require: counted(repeat.saturating_sub(1)),
                    })
                }),
                logs,
            };
            AuditUser {
                upn,
                display_name: names.0,
                object_id: names.1,
                enabled: flags3.0,
                registered: flags3.1,
                per_user_state: Cow::Owned(state),
                methods: lists.0,
                strongest: optional.0.map(Cow::Owned),
                user_type: optional.1.map(Cow::Owned),
                is_admin: flags3.2,
                challenges: counts.0,
                completed: counts.1,
                denied: counts.2,
                last_result: last.0,
                last_signin: last.1,
                flags: lists.1,
                enforcement,
                exception: exception.map(|(reason, expired)| {
                    Box::new(crate::report::audit::UserException {
                        class: "waiver".into(),
                        reason,
                        owner: Some("Ann".into()),
                        ticket: None,
                        expires: Some("2026-12-31".into()),
                        source: "exceptions.csv:2".into(),
                        state: if expired { "expired" } else { "active" }.into(),
                        covers: vec![],
                    })
                }),
                mfa_server: mfa_server.map(|(blocked, by, bypasses)| {
                    std::sync::Arc::new(crate::report::audit::MfaServerUser {
                        blocked,
                        block_events: bypasses,
                        block_by: by.clone(),
                        bypasses,
                        last_bypass_reason: by,
                        ..Default::default()
                    })
                }),
            }
        }
    }

    proptest! {
        /// The hand-written user formatter against serde_json, on any field values.
        #[test]
        fn users_written_by_hand_are_serde_json_bytes(
            users in proptest::collection::vec(any_user(), 1..6),
        ) {
            let mut r = report(0);
            r.users = users;
            // Users sharing one verdict, as the audit makes them.
            if r.users.len() > 2 {
                r.users[2].enforcement.configured = r.users[0].enforcement.configured.clone();
            }
            let mut ours = Vec::new();
            write_pretty(&mut ours, &r).unwrap();
            let theirs = serde_json::to_vec_pretty(&r).unwrap();
            prop_assert_eq!(String::from_utf8(ours).unwrap(), String::from_utf8(theirs).unwrap());
        }
    }

    #[test]
    fn a_failing_writer_stops_the_formatter() {
        struct Fails(usize);
        impl Write for Fails {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                if self.0 > 3 {
                    return Err(io::Error::other("disk full"));
                }
                self.0 += 1;
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let e = write_pretty(&mut Fails(0), &report(10 * CHUNK_USERS)).unwrap_err();
        assert_eq!(e.to_string(), "disk full");
    }
}
