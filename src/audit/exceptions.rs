//! Exceptions applied to the report (cli.md, "Exceptions and account classes"): each user named
//! by an exception, or recognised as a directory synchronisation account, is marked with the
//! class, the reason and the state as of the run's date. Nobody is hidden: an excepted user keeps
//! every flag and stays in every list; only the thresholds leave valid exceptions out.

use std::borrow::Cow;

use crate::model::config::Mailbox;
use crate::model::exceptions::{Class, Exception, Who};
use crate::report::audit::{AuditReport, AuditUser, ExceptionEntry, UserException, flag};
use crate::text::plural;

/// How an exception stands on `today`.
fn state(
    expires: Option<jiff::civil::Date>,
    today: jiff::civil::Date,
    warning_days: i64,
) -> &'static str {
    match expires {
        None => "active",
        Some(e) if e < today => "expired",
        Some(e) => {
            let left = today
                .until(e)
                .map_or(i64::MAX, |span| i64::from(span.get_days()));
            if left <= warning_days {
                "expiring"
            } else {
                "active"
            }
        }
    }
}

/// The mailbox an Exchange recipient export says the account is, by object id, UPN or address.
fn mailbox<'m>(u: &AuditUser, mailboxes: &'m [Mailbox]) -> Option<&'m Mailbox> {
    let same = |a: &Option<String>, b: Option<&str>| {
        a.as_deref()
            .zip(b)
            .is_some_and(|(a, b)| a.trim().eq_ignore_ascii_case(b.trim()))
    };
    mailboxes.iter().find(|m| {
        same(&m.object_id, u.object_id.as_deref())
            || same(&m.upn, Some(&u.upn))
            || same(&m.smtp, Some(&u.upn))
    })
}

/// The directory synchronisation accounts Entra Connect creates: why the user is one, if it is.
fn sync_account(u: &AuditUser) -> Option<&'static str> {
    if u.upn.to_ascii_lowercase().starts_with("sync_") {
        Some("inferred:UPN Sync_* (the directory synchronisation account)")
    } else if u.display_name.as_deref().is_some_and(|d| {
        d.trim()
            .eq_ignore_ascii_case("On-Premises Directory Synchronization Service Account")
    }) {
        Some("inferred:display name On-Premises Directory Synchronization Service Account")
    } else {
        None
    }
}

/// Marks the users, raises the exception flags, fills the summary's counts, the list of
/// exceptions and the warnings.
pub(crate) fn apply(
    report: &mut AuditReport,
    exceptions: &[Exception],
    mailboxes: &[Mailbox],
    today: jiff::civil::Date,
    warning_days: i64,
) {
    let mut matched = vec![0u64; exceptions.len()];
    for u in &mut report.users {
        // Every exception naming the user counts as matching; the one that applies is a valid
        // one before an expired one, an exact name before a pattern, then the file's order.
        let naming: Vec<usize> = exceptions
            .iter()
            .enumerate()
            .filter(|(_, e)| e.who.matches(&u.upn, u.object_id.as_deref()))
            .map(|(k, _)| k)
            .collect();
        for &k in &naming {
            matched[k] += 1;
        }
        let found = naming.iter().copied().min_by_key(|&k| {
            let e = &exceptions[k];
            (
                state(e.expires, today, warning_days) == "expired",
                matches!(e.who, Who::Pattern(_)),
                k,
            )
        });
        let mark = match found {
            Some(k) => {
                let e = &exceptions[k];
                Some(UserException {
                    class: e.class.name().to_string(),
                    reason: e.reason.clone(),
                    owner: e.owner.clone(),
                    ticket: e.ticket.clone(),
                    expires: e.expires.map(|d| d.to_string()),
                    source: e.source.clone(),
                    state: state(e.expires, today, warning_days).to_string(),
                    covers: e.covers.clone(),
                })
            }
            None => mailbox(u, mailboxes)
                .map(|m| UserException {
                    class: m.class.name().to_string(),
                    reason: format!("{} (Exchange recipient export)", m.kind),
                    owner: None,
                    ticket: None,
                    expires: None,
                    source: format!("inferred:RecipientTypeDetails {}", m.kind),
                    state: "active".to_string(),
                    covers: Vec::new(),
                })
                .or_else(|| {
                    sync_account(u).map(|why| UserException {
                        class: Class::SyncAccount.name().to_string(),
                        reason: "directory synchronisation account".to_string(),
                        owner: None,
                        ticket: None,
                        expires: None,
                        source: why.to_string(),
                        state: "active".to_string(),
                        covers: Vec::new(),
                    })
                }),
        };
        let Some(mark) = mark else { continue };
        let class = Class::parse(&mark.class);
        if mark.state == "expired" {
            u.flags.push(Cow::Borrowed(flag::EXCEPTION_EXPIRED));
        }
        if class.is_some_and(Class::is_mailbox) && u.enabled == Some(true) {
            u.flags
                .push(Cow::Borrowed(flag::SHARED_MAILBOX_SIGN_IN_ENABLED));
        }
        if class == Some(Class::BreakGlass)
            && u.registered.is_some()
            && u.strongest.as_deref() != Some("phishing-resistant")
        {
            u.flags
                .push(Cow::Borrowed(flag::BREAK_GLASS_WITHOUT_PHISHING_RESISTANT));
        }
        u.exception = Some(Box::new(mark));
    }
    let s = &mut report.summary;
    s.excepted_enabled = 0;
    s.unregistered_enabled_unexcepted = 0;
    // Over the directory's users, as the summary's other counts (they come first).
    let directory = (s.users_total as usize).min(report.users.len());
    for u in &report.users[..directory] {
        if u.enabled == Some(false) {
            continue;
        }
        let e = u.exception.as_deref();
        s.excepted_enabled += u64::from(e.is_some_and(UserException::is_valid));
        let unregistered = u.flags.iter().any(|f| f == flag::ENABLED_UNREGISTERED);
        if unregistered && !e.is_some_and(|e| e.covers(flag::ENABLED_UNREGISTERED)) {
            s.unregistered_enabled_unexcepted += 1;
        }
    }
    report.exceptions = exceptions
        .iter()
        .zip(&matched)
        .map(|(e, &n)| ExceptionEntry {
            user: e.user.clone(),
            class: e.class.name().to_string(),
            reason: e.reason.clone(),
            owner: e.owner.clone(),
            ticket: e.ticket.clone(),
            expires: e.expires.map(|d| d.to_string()),
            source: e.source.clone(),
            state: state(e.expires, today, warning_days).to_string(),
            matched: n,
        })
        .collect();
    let expired: Vec<String> = report
        .exceptions
        .iter()
        .filter(|e| e.state == "expired")
        .map(|e| format!("{} ({}, {})", e.user, e.class, e.source))
        .collect();
    if !expired.is_empty() {
        report.warnings.insert(
            0,
            format!(
                "{} nothing any more: {}; renew or remove {}.",
                plural(
                    expired.len() as u64,
                    "exception has expired and covers",
                    "exceptions have expired and cover"
                ),
                expired.join(", "),
                if expired.len() == 1 { "it" } else { "them" }
            ),
        );
    }
    for e in report.exceptions.iter().filter(|e| e.matched == 0) {
        report.warnings.push(format!(
            "The exception for {} ({}) matches no user of the inputs.",
            e.user, e.source
        ));
    }
    // An exclusion from an MFA policy is a decision someone owns: without an exception, say so.
    let unexplained: Vec<&str> = report
        .users
        .iter()
        .filter(|u| u.flags.iter().any(|f| f == flag::EXCLUDED_FROM_MFA_POLICY))
        .filter(|u| !u.exception.as_deref().is_some_and(UserException::is_valid))
        .map(|u| u.upn.as_str())
        .collect();
    if !unexplained.is_empty() {
        let shown: Vec<&str> = unexplained.iter().take(5).copied().collect();
        report.warnings.push(format!(
            "{} excluded from an MFA policy with no exception that says why (e.g. {}); add them to an exceptions file with an owner, or end the exclusion.",
            plural(unexplained.len() as u64, "user is", "users are"),
            shown.join(", ")
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn states_at_the_boundaries() {
        let today = date(2026, 12, 2);
        assert_eq!(state(None, today, 14), "active");
        assert_eq!(state(Some(date(2026, 12, 1)), today, 14), "expired");
        // The day itself still counts; the last warning day is 14 days on.
        assert_eq!(state(Some(date(2026, 12, 2)), today, 14), "expiring");
        assert_eq!(state(Some(date(2026, 12, 16)), today, 14), "expiring");
        assert_eq!(state(Some(date(2026, 12, 17)), today, 14), "active");
        assert_eq!(state(Some(date(2026, 12, 3)), today, 0), "active");
    }
}
