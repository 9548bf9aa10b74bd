//! The audit's `--json` file: exactly the bytes `serde_json::to_writer_pretty` gives, written
//! faster. The users — nearly all of a large tenant's report — are pretty-printed in chunks on two
//! other threads while this one writes the chunks already done, in order, so formatting and the file
//! system overlap, and memory holds a few chunks, never the whole text.

use std::io::{self, Write};
use std::sync::mpsc::sync_channel;

use super::audit::{AuditReport, AuditUser};

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
    // Two formatters take alternate chunks; the writer takes them back in order.
    let chunks: Vec<&[AuditUser]> = report.users.chunks(CHUNK_USERS).collect();
    let chunks = &chunks;
    std::thread::scope(|scope| -> io::Result<()> {
        let mut receivers = Vec::with_capacity(FORMATTERS);
        for k in 0..FORMATTERS {
            let (tx, rx) = sync_channel::<serde_json::Result<Vec<u8>>>(CHUNKS_AHEAD);
            receivers.push(rx);
            scope.spawn(move || {
                for c in (k..chunks.len()).step_by(FORMATTERS) {
                    // The writer stopped (a write failed): nothing more to do.
                    if tx.send(format_users(chunks[c], c == 0)).is_err() {
                        return;
                    }
                }
            });
        }
        for c in 0..chunks.len() {
            let text = receivers[c % FORMATTERS]
                .recv()
                .map_err(|_| io::Error::other("internal: a JSON formatter stopped"))?;
            w.write_all(&text.map_err(io::Error::from)?)?;
        }
        Ok(())
    })?;
    w.write_all(b"\n  ]")?;
    w.write_all(&text.as_bytes()[at + EMPTY_USERS.len()..])
}

/// Users as they appear inside the `"users"` array: each object on new lines, four spaces in.
fn format_users(users: &[AuditUser], first: bool) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(users.len() * 640);
    let mut one = Vec::with_capacity(1024);
    for (i, u) in users.iter().enumerate() {
        out.extend_from_slice(if first && i == 0 {
            b"\n    "
        } else {
            b",\n    "
        });
        one.clear();
        serde_json::to_writer_pretty(&mut one, u)?;
        // One level deeper than at the top: four more spaces after every line break (line breaks
        // inside strings are escaped, so every raw one is between tokens).
        let mut rest = &one[..];
        while let Some(n) = memchr::memchr(b'\n', rest) {
            out.extend_from_slice(&rest[..=n]);
            out.extend_from_slice(b"    ");
            rest = &rest[n + 1..];
        }
        out.extend_from_slice(rest);
    }
    Ok(out)
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::audit::{Changes, InputSummary};

    fn user(i: usize) -> AuditUser {
        AuditUser {
            upn: format!("user{i}@contoso.com"),
            display_name: Some(format!("Line\nbreak \"{i}\" \u{2028} \\n  \"users\": []")),
            methods: vec!["Authenticator app (push)".into(), format!("m{i}").into()],
            flags: if i.is_multiple_of(2) {
                vec!["blocked".into()]
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
