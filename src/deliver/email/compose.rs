//! What the mail says: the subject (leading with the number of enabled users not registered), a
//! plain-text and a mail-client HTML summary, and the report files attached (or named, when they
//! are too large to send).

use std::fmt::Write as _;
use std::path::PathBuf;

use lettre::Message;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Attachment, Body, MultiPart, SinglePart};

use super::*;
use crate::error::{MailError, Result};
use crate::report::audit::{AuditReport, AuditUser, flag};
use crate::report::escape_html as esc;
use crate::text::plural;

/// The subject: the custom one (with `{unregistered}` and `{date}` filled in) or
/// "N enabled users not registered for MFA — mfaudit audit DATE", led by "U of E enabled users
/// not protected by MFA" once who is required to use MFA is known for some, plus "(+A / -B since
/// last run)" when the report carries changes: A users newly not registered, B newly registered.
pub fn subject(report: &AuditReport, custom: Option<&str>) -> String {
    let v = crate::report::findings::unregistered(&report.summary);
    let unregistered = match (v.all_unknown, v.unknown) {
        (true, _) => "unknown".to_string(),
        (false, 0) => v.found.to_string(),
        (false, u) => format!("{} (+{u} unknown)", v.found),
    };
    let date = report_date(report);
    if let Some(custom) = custom {
        return custom
            .replace("{unregistered}", &unregistered)
            .replace("{date}", date);
    }
    // Who got in without MFA, beside the registration count, when a sign-in log says; without
    // one the body says it is unknown.
    let without = crate::report::findings::without_mfa(&report.without_mfa);
    let without = match (without.all_unknown, without.found, without.unknown) {
        (true, ..) => String::new(),
        (false, 0, 0) => ", 0 signed in without MFA".to_string(),
        (false, 0, u) => format!(
            ", MFA unknown for {}",
            plural(u, "successful sign-in", "successful sign-ins")
        ),
        (false, n, 0) => format!(", {n} signed in without MFA"),
        (false, n, u) => format!(
            ", {n} signed in without MFA (+{} unknown)",
            plural(u, "sign-in", "sign-ins")
        ),
    };
    // Unprotected enabled users lead, once a configuration (or the per-user state) says who is
    // required to use MFA.
    let u = crate::report::findings::unprotected(&report.summary);
    let lead = if u.all_unknown {
        String::new()
    } else {
        let found = match u.unknown {
            0 => u.found.to_string(),
            n => format!("{} (+{n} unknown)", u.found),
        };
        format!(
            "{found} of {} enabled users not protected by MFA, ",
            report.summary.users_enabled
        )
    };
    let mut s = if !lead.is_empty() && !v.all_unknown {
        format!("{lead}{unregistered} not registered{without} — mfaudit audit {date}")
    } else if v.all_unknown && report.summary.users_total == 0 {
        format!("MFA registration unknown (no directory export){without} — mfaudit audit {date}")
    } else if v.all_unknown {
        format!(
            "MFA registration unknown for {} enabled {}{without} — mfaudit audit {date}",
            v.unknown,
            if v.unknown == 1 { "user" } else { "users" }
        )
    } else {
        let users = if v.found == 1 { "user" } else { "users" };
        format!(
            "{unregistered} enabled {users} not registered for MFA{without} — mfaudit audit {date}"
        )
    };
    // An expired exception is loud: it leads the subject.
    let expired = report
        .exceptions
        .iter()
        .filter(|e| e.state == "expired")
        .count() as u64;
    if expired > 0 {
        s = format!(
            "{} expired, {s}",
            plural(expired, "exception", "exceptions")
        );
    }
    if let Some(changes) = &report.changes {
        let _ = write!(
            s,
            " (+{} / -{} since last run)",
            changes.newly_unregistered.len(),
            changes.newly_registered.len()
        );
    }
    s
}

/// The date part of `generated_at` (YYYY-MM-DD), or the whole value when it has no such prefix.
pub(super) fn report_date(report: &AuditReport) -> &str {
    let g = report.generated_at.as_str();
    match g.get(..10) {
        Some(d)
            if d.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            }) =>
        {
            d
        }
        _ => g,
    }
}

/// One report file the mail carries, or would: as it is, zipped, or left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packed {
    /// The file's name (`mfaudit-report.html`); zipped, the attachment is `NAME.zip`.
    pub name: &'static str,
    /// Its size as a file.
    pub bytes: u64,
    /// Its size zipped, when it was too large to go as it is.
    pub zipped: Option<u64>,
    /// It is in the mail (zipped when `zipped` is set).
    pub attached: bool,
}

impl Packed {
    /// The name it has in the mail.
    pub fn attached_as(&self) -> String {
        match self.zipped {
            Some(_) => format!("{}.zip", self.name),
            None => self.name.to_string(),
        }
    }

    /// `mfaudit-users.csv.zip (3.1 MB, zipped from 33.5 MB)`, `mfaudit-report.html (1.2 MB)`.
    pub fn described(&self) -> String {
        match self.zipped {
            Some(z) => format!(
                "{} ({}, zipped from {})",
                self.attached_as(),
                human_bytes(z),
                human_bytes(self.bytes)
            ),
            None => format!("{} ({})", self.name, human_bytes(self.bytes)),
        }
    }
}

/// What the operator is told on stderr: what the mail carries and what it left out.
pub fn attachments_said(attachments: &[Packed], limit: u64) -> String {
    let attached: Vec<String> = attachments
        .iter()
        .filter(|a| a.attached)
        .map(Packed::described)
        .collect();
    let left: Vec<String> = attachments
        .iter()
        .filter(|a| !a.attached)
        .map(Packed::described)
        .collect();
    let mut s = if attached.is_empty() {
        "nothing attached".to_string()
    } else {
        format!("attached {}", attached.join(", "))
    };
    if !left.is_empty() {
        let _ = write!(
            s,
            "; left out {}: over the {} limit (--email-max-attachment MB)",
            left.join(", "),
            human_bytes(limit)
        );
    }
    s
}

/// The mail, and what became of each report file.
pub struct Composed {
    pub message: Message,
    pub attachments: Vec<Packed>,
}

/// Fits the report files into the limit, in order: each goes as it is while the total stays
/// under the limit, else zipped when that fits, else it is left out.
fn pack(
    files: [(&'static str, &[u8], &'static str); 2],
    limit: u64,
) -> Result<(Vec<Packed>, Vec<SinglePart>)> {
    let mut budget = limit;
    let mut packed = Vec::new();
    let mut parts = Vec::new();
    for (name, bytes, content_type) in files {
        let size = bytes.len() as u64;
        if size <= budget {
            budget -= size;
            packed.push(Packed {
                name,
                bytes: size,
                zipped: None,
                attached: true,
            });
            parts.push(attachment(name, bytes.to_vec(), content_type)?);
            continue;
        }
        let zip = zipped(name, bytes)?;
        let z = zip.len() as u64;
        let attached = z <= budget;
        if attached {
            budget -= z;
            parts.push(attachment(&format!("{name}.zip"), zip, "application/zip")?);
        }
        packed.push(Packed {
            name,
            bytes: size,
            zipped: Some(z),
            attached,
        });
    }
    Ok((packed, parts))
}

/// `bytes` as the one file `name` of a zip archive (deflated; dated 1980-01-01, so that the same
/// report gives the same bytes).
fn zipped(name: &str, bytes: &[u8]) -> Result<Vec<u8>> {
    use std::io::Write as _;
    let fail = |e: &dyn fmt::Display| MailError::Zip {
        name: name.to_string(),
        detail: e.to_string(),
    };
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    zip.start_file(name, options).map_err(|e| fail(&e))?;
    zip.write_all(bytes).map_err(|e| fail(&e))?;
    let cursor = zip.finish().map_err(|e| fail(&e))?;
    Ok(cursor.into_inner())
}

/// Builds the message: multipart/mixed of multipart/alternative (text, mail-client HTML) and the
/// report files `mfaudit-report.html` and `mfaudit-users.csv`, each as it is, zipped or left out
/// to stay within `max_attachment_bytes` (see [`pack`]); the body says which, and how to get
/// what was left out.
pub fn compose(
    report: &AuditReport,
    html_report: &str,
    users_csv: &[u8],
    settings: &EmailSettings,
) -> Result<Composed> {
    let (attachments, parts) = pack(
        [
            (
                REPORT_ATTACHMENT,
                html_report.as_bytes(),
                "text/html; charset=utf-8",
            ),
            (CSV_ATTACHMENT, users_csv, "text/csv; charset=utf-8"),
        ],
        settings.max_attachment_bytes,
    )?;
    let body = Summaries {
        report,
        attachments: &attachments,
        limit: settings.max_attachment_bytes,
        report_files: &settings.report_files,
    };

    let mut builder = Message::builder()
        .from(parse_mailbox("--email-from", &settings.from)?)
        .subject(subject(report, settings.subject.as_deref()))
        .message_id(None)
        .user_agent(format!("mfaudit/{}", env!("CARGO_PKG_VERSION")));
    for to in &settings.to {
        builder = builder.to(parse_mailbox("--email-to", to)?);
    }
    let mut mixed =
        MultiPart::mixed().multipart(MultiPart::alternative_plain_html(body.text(), body.html()));
    for part in parts {
        mixed = mixed.singlepart(part);
    }
    let message = builder.multipart(mixed).map_err(MailError::Build)?;
    Ok(Composed {
        message,
        attachments,
    })
}

/// An attachment in base64, so its bytes (CRLF line ends of the CSV included) arrive exactly as
/// written, whatever the relays do to line endings.
pub(super) fn attachment(name: &str, bytes: Vec<u8>, content_type: &str) -> Result<SinglePart> {
    let ct = ContentType::parse(content_type).map_err(|e| MailError::ContentType {
        content_type: content_type.to_string(),
        detail: e.to_string(),
    })?;
    let body = Body::new_with_encoding(bytes, ContentTransferEncoding::Base64).map_err(|_| {
        MailError::Encode {
            name: name.to_string(),
        }
    })?;
    Ok(Attachment::new(name.to_string()).body(body, ct))
}

/// The mail's and the chat card's headline: unprotected enabled users once who is required to
/// use MFA is known for some, else the registration count (or what leaves it unknown).
pub fn headline(report: &AuditReport) -> String {
    let s = &report.summary;
    // Unprotected enabled users first, once who is required to use MFA is known for some.
    let u = crate::report::findings::unprotected(s);
    if !u.all_unknown {
        return u.sentence;
    }
    let v = crate::report::findings::unregistered(s);
    if v.unknown == 0 && !v.all_unknown {
        format!(
            "{} of {} {} not registered for MFA.",
            s.unregistered_enabled,
            plural(s.users_enabled, "enabled user", "enabled users"),
            if s.unregistered_enabled == 1 {
                "is"
            } else {
                "are"
            }
        )
    } else {
        v.sentence
    }
}

/// Each finding in one sentence: what was found, or what is unknown and what would settle it.
pub fn finding_sentences(report: &AuditReport) -> Vec<String> {
    use crate::report::findings;
    let s = &report.summary;
    let flagged = |names: &[&str]| {
        report
            .users
            .iter()
            .filter(|u| u.flags.iter().any(|f| names.contains(&f.as_ref())))
            .count() as u64
    };
    let unprotected = findings::unprotected(s);
    (!unprotected.all_unknown)
        .then_some(unprotected.sentence)
        .into_iter()
        .chain([
            findings::unregistered(s).sentence,
            findings::admins_without_mfa(s).sentence,
            findings::unable_to_complete(s).sentence,
            findings::fraud_and_fatigue(
                s,
                flagged(&[
                    flag::FRAUD_REPORTED,
                    flag::PUSH_FATIGUE,
                    flag::BLOCKED,
                    flag::BYPASS_USED,
                ]),
            )
            .sentence,
            findings::telephony_only(s, flagged(&[flag::TELEPHONY_ONLY])).sentence,
            findings::without_mfa(&report.without_mfa).sentence,
        ])
        .collect()
}

/// The two summaries (text and HTML) of one report.
pub(super) struct Summaries<'a> {
    pub(super) report: &'a AuditReport,
    pub(super) attachments: &'a [Packed],
    pub(super) limit: u64,
    pub(super) report_files: &'a [PathBuf],
}

impl Summaries<'_> {
    pub(super) fn headline(&self) -> String {
        headline(self.report)
    }

    pub(super) fn findings(&self) -> Vec<String> {
        finding_sentences(self.report)
    }

    /// Every finding list that holds someone (the HTML's action tables, in their order), then who
    /// signed in without MFA and the exceptions expired and expiring: each title with its users.
    pub(super) fn lists(&self) -> Vec<(&'static str, Vec<&AuditUser>)> {
        let mut lists: Vec<(&'static str, Vec<&AuditUser>)> = crate::report::findings::LISTS
            .iter()
            .map(|l| {
                let users = self
                    .report
                    .users
                    .iter()
                    .filter(|u| u.flags.iter().any(|f| l.flags.contains(&f.as_ref())))
                    .collect();
                (l.title, users)
            })
            .collect();
        lists.extend([
            ("Signed in without MFA", self.signed_in_without_mfa()),
            ("Exceptions expired", self.excepted("expired")),
            ("Exceptions expiring soon", self.excepted("expiring")),
        ]);
        lists.retain(|(_, users)| !users.is_empty());
        lists
    }

    /// Users whose exception is in `state` (`expired`, `expiring`).
    pub(super) fn excepted(&self, state: &str) -> Vec<&AuditUser> {
        self.report
            .users
            .iter()
            .filter(|u| u.exception.as_ref().is_some_and(|e| e.state == state))
            .collect()
    }

    /// Users who signed in without MFA, the most sign-ins first.
    pub(super) fn signed_in_without_mfa(&self) -> Vec<&AuditUser> {
        let count = |u: &AuditUser| {
            u.enforcement
                .observed
                .as_ref()
                .map_or(0, |o| o.signins_without_mfa)
        };
        let mut v: Vec<&AuditUser> = self.report.users.iter().filter(|u| count(u) > 0).collect();
        v.sort_by(|a, b| count(b).cmp(&count(a)).then_with(|| a.upn.cmp(&b.upn)));
        v
    }

    pub(super) fn changes_line(&self) -> Option<String> {
        let c = self.report.changes.as_ref()?;
        let n = |v: usize| v as u64;
        Some(format!(
            "Since the run of {}: {} newly not registered, {} newly registered, {}, {} added, {} removed.",
            c.previous_run,
            n(c.newly_unregistered.len()),
            n(c.newly_registered.len()),
            plural(
                n(c.state_changed.len()),
                "per-user state change",
                "per-user state changes"
            ),
            plural(n(c.users_added.len()), "user", "users"),
            n(c.users_removed.len())
        ))
    }

    pub(super) fn count_lines(&self) -> Vec<(&'static str, String)> {
        let s = &self.report.summary;
        let p = &s.per_user_state;
        let directory = if s.users_total == 0 {
            "no directory export among the inputs: registration and sign-in state unknown"
                .to_string()
        } else {
            let mut d = format!(
                "{}, {} enabled: {} registered, {} not registered",
                plural(s.users_total, "user", "users"),
                s.users_enabled,
                s.registered_enabled,
                s.unregistered_enabled
            );
            if s.registration_unknown_enabled > 0 {
                let _ = write!(d, ", {} unknown", s.registration_unknown_enabled);
            }
            d
        };
        let mut lines = vec![("Directory", directory)];
        if s.users_total > 0 {
            lines.push((
                "Per-user MFA state",
                format!(
                    "enforced {}, enabled {}, disabled {}, unknown {}",
                    p.enforced, p.enabled, p.disabled, p.unknown
                ),
            ));
        }
        if s.activity_inputs == 0 {
            lines.push((
                "Sign-ins",
                "no sign-in log among the inputs: challenges, completions and denials unknown"
                    .to_string(),
            ));
            return lines;
        }
        lines.push((
            "Sign-ins",
            format!(
                "{}, {}",
                plural(s.signins_total, "sign-in", "sign-ins"),
                plural(s.mfa_challenges, "MFA challenge", "MFA challenges")
            ),
        ));
        lines.push((
            "Challenged users",
            format!(
                "{}: {} completed MFA, {} unable to complete, {} with failures",
                s.challenged_users,
                s.users_completed_mfa,
                s.users_unable_to_complete,
                s.users_with_failures
            ),
        ));
        lines
    }

    /// What is attached, and for what was left out, why and how to get it. The files are named,
    /// never their paths: those are on the machine that ran the audit, not the reader's.
    pub(super) fn attachments_note(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let attached: Vec<String> = self
            .attachments
            .iter()
            .filter(|a| a.attached)
            .map(Packed::described)
            .collect();
        if !attached.is_empty() {
            notes.push(format!("Attached: {}.", attached.join(", ")));
        }
        let left: Vec<String> = self
            .attachments
            .iter()
            .filter(|a| !a.attached)
            .map(|a| match a.zipped {
                Some(z) => format!(
                    "{} ({}, {} zipped)",
                    a.name,
                    human_bytes(a.bytes),
                    human_bytes(z)
                ),
                None => format!("{} ({})", a.name, human_bytes(a.bytes)),
            })
            .collect();
        if !left.is_empty() {
            notes.push(format!(
                "Not attached: {}: over this mail's limit of {} for attachments.",
                left.join(", "),
                human_bytes(self.limit)
            ));
            let names: Vec<String> = self
                .report_files
                .iter()
                .filter_map(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .collect();
            notes.push(if names.is_empty() {
                "To get them, ask the sender to run the audit with --html FILE and --csv FILE (or --xlsx FILE) and share the files, or to raise --email-max-attachment.".to_string()
            } else {
                format!(
                    "The sender's audit wrote them as {}: ask the sender to share them, or to raise --email-max-attachment.",
                    names.join(", ")
                )
            });
        }
        notes
    }

    pub(super) fn footer(&self) -> String {
        format!(
            "mfaudit {} · generated {} · {} input files",
            env!("CARGO_PKG_VERSION"),
            self.report.generated_at,
            self.report.inputs.len()
        )
    }

    pub(super) fn text(&self) -> String {
        let r = self.report;
        let mut t = String::new();
        let _ = writeln!(t, "{}", self.headline());
        if let Some(c) = self.changes_line() {
            let _ = writeln!(t, "{c}");
        }
        t.push('\n');
        for (label, value) in self.count_lines() {
            let _ = writeln!(t, "{label}: {value}");
        }
        let _ = writeln!(t, "\nFindings");
        for f in self.findings() {
            let _ = writeln!(t, "  - {f}");
        }
        if !r.questions.is_empty() {
            let _ = writeln!(t, "\nThe six questions, and a seventh");
            for (i, (question, answer)) in crate::report::answers::all_questions(r).enumerate() {
                let _ = writeln!(t, "{}. {question}\n   {answer}", i + 1);
            }
        }
        if !r.mfa_completed_by.is_empty() {
            let _ = writeln!(t, "\nMFA completed by");
            for h in r.mfa_completed_by.iter().take(LISTED_REASONS) {
                let _ = writeln!(
                    t,
                    "  {}: {} sign-ins, {} users",
                    h.shown(),
                    h.count,
                    h.users
                );
            }
        }
        if !r.mfa_denied_because.is_empty() {
            let _ = writeln!(t, "\nMFA denied because");
            for d in r.mfa_denied_because.iter().take(LISTED_REASONS) {
                let _ = writeln!(
                    t,
                    "  {}: {}, {}",
                    d.reason,
                    plural(d.count, "sign-in", "sign-ins"),
                    plural(d.users, "user", "users")
                );
            }
        }
        for (title, users) in self.lists() {
            let _ = writeln!(t, "\n{title} ({})", users.len());
            for u in users.iter().take(LISTED_USERS) {
                let _ = writeln!(t, "  {}", u.upn);
            }
            if users.len() > LISTED_USERS {
                let _ = writeln!(
                    t,
                    "  ... and {} more (see the CSV)",
                    users.len() - LISTED_USERS
                );
            }
        }
        if !r.warnings.is_empty() {
            let _ = writeln!(t, "\nData warnings");
            for w in &r.warnings {
                let _ = writeln!(t, "  - {w}");
            }
        }
        t.push('\n');
        for note in self.attachments_note() {
            let _ = writeln!(t, "{note}");
        }
        let _ = writeln!(t, "\n-- \n{}", self.footer());
        t
    }

    /// Table-based HTML with inline styles only: what Outlook's Word engine and Gmail render.
    pub(super) fn html(&self) -> String {
        const TD: &str = "padding:4px 8px;border-bottom:1px solid #ddd;vertical-align:top";
        const TH: &str = "padding:4px 8px;border-bottom:2px solid #999;text-align:left";
        const H2: &str = "font-size:16px;margin:20px 0 6px 0";
        let r = self.report;
        let s = &r.summary;
        let mut h = String::new();
        h.push_str(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>mfaudit</title></head>\n",
        );
        h.push_str("<body style=\"margin:0;padding:16px;font-family:Segoe UI,Arial,sans-serif;font-size:14px;color:#222\">\n");
        let _ = writeln!(
            h,
            "<h1 style=\"font-size:20px;margin:0 0 8px 0\">{}</h1>",
            esc(&self.headline())
        );
        if let Some(c) = self.changes_line() {
            let _ = writeln!(h, "<p style=\"margin:0 0 8px 0\">{}</p>", esc(&c));
        }
        // The bar: rounded percents of the enabled users; "not registered" takes the rounding
        // remainder, so the three add up to 100 and "unknown" shows only when some are unknown.
        let rounded = |n: u64| {
            n.saturating_mul(100)
                .saturating_add(s.users_enabled / 2)
                .checked_div(s.users_enabled)
                .map(|p| p.min(100))
        };
        let unknown = s
            .users_enabled
            .saturating_sub(s.registered_enabled.saturating_add(s.unregistered_enabled));
        if let (Some(registered_pct), Some(unknown_pct)) =
            (rounded(s.registered_enabled), rounded(unknown))
        {
            let unknown_pct = if unknown > 0 { unknown_pct.max(1) } else { 0 };
            let unknown_pct = unknown_pct.min(100 - registered_pct);
            let unregistered_pct = 100 - registered_pct - unknown_pct;
            let rest = unknown_pct;
            h.push_str("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"border-collapse:collapse;margin:8px 0\"><tr>");
            for (pct, color, label) in [
                (registered_pct, "#2e7d32", "registered"),
                (unregistered_pct, "#c62828", "not registered"),
                (rest, "#9e9e9e", "unknown"),
            ] {
                if pct > 0 {
                    let _ = write!(
                        h,
                        "<td style=\"width:{pct}%;background:{color};color:#fff;font-size:12px;padding:2px 4px\">{pct}% {label}</td>"
                    );
                }
            }
            h.push_str("</tr></table>\n");
        }
        let _ = writeln!(
            h,
            "<table cellpadding=\"0\" cellspacing=\"0\" style=\"border-collapse:collapse\">"
        );
        for (label, value) in self.count_lines() {
            let _ = writeln!(
                h,
                "<tr><th style=\"{TH};border-bottom:1px solid #ddd\">{}</th><td style=\"{TD}\">{}</td></tr>",
                esc(label),
                esc(&value)
            );
        }
        h.push_str("</table>\n");
        let _ = writeln!(
            h,
            "<h2 style=\"{H2}\">Findings</h2>\n<ul style=\"margin:0;padding-left:20px\">"
        );
        for f in self.findings() {
            let _ = writeln!(h, "<li>{}</li>", esc(&f));
        }
        h.push_str("</ul>\n");
        if !r.questions.is_empty() {
            let _ = writeln!(
                h,
                "<h2 style=\"{H2}\">The six questions, and a seventh</h2>"
            );
            let _ = writeln!(
                h,
                "<table cellpadding=\"0\" cellspacing=\"0\" style=\"border-collapse:collapse\"><tr><th style=\"{TH}\">Question</th><th style=\"{TH}\">Answer</th></tr>"
            );
            for (question, answer) in crate::report::answers::all_questions(r) {
                let _ = writeln!(
                    h,
                    "<tr><td style=\"{TD}\">{}</td><td style=\"{TD}\">{}</td></tr>",
                    esc(question),
                    esc(answer)
                );
            }
            h.push_str("</table>\n");
        }
        for (title, first, rows) in [
            (
                "MFA completed by",
                "How",
                r.mfa_completed_by
                    .iter()
                    .take(LISTED_REASONS)
                    .map(|x| (x.shown(), x.count, x.users))
                    .collect::<Vec<_>>(),
            ),
            (
                "MFA denied because",
                "Reason",
                r.mfa_denied_because
                    .iter()
                    .take(LISTED_REASONS)
                    .map(|x| (x.reason.clone(), x.count, x.users))
                    .collect::<Vec<_>>(),
            ),
        ] {
            if rows.is_empty() {
                continue;
            }
            let _ = writeln!(h, "<h2 style=\"{H2}\">{title}</h2>");
            let _ = writeln!(
                h,
                "<table cellpadding=\"0\" cellspacing=\"0\" style=\"border-collapse:collapse\"><tr><th style=\"{TH}\">{first}</th><th style=\"{TH};text-align:right\">Sign-ins</th><th style=\"{TH};text-align:right\">Users</th></tr>"
            );
            for (name, count, users) in rows {
                let _ = writeln!(
                    h,
                    "<tr><td style=\"{TD}\">{}</td><td style=\"{TD};text-align:right\">{count}</td><td style=\"{TD};text-align:right\">{users}</td></tr>",
                    esc(&name)
                );
            }
            h.push_str("</table>\n");
        }
        for (title, users) in self.lists() {
            let _ = writeln!(
                h,
                "<h2 style=\"{H2}\">{} ({})</h2>",
                esc(title),
                users.len()
            );
            let _ = writeln!(
                h,
                "<table cellpadding=\"0\" cellspacing=\"0\" style=\"border-collapse:collapse\"><tr><th style=\"{TH}\">User</th><th style=\"{TH}\">Name</th><th style=\"{TH}\">Per-user MFA</th></tr>"
            );
            for u in users.iter().take(LISTED_USERS) {
                let _ = writeln!(
                    h,
                    "<tr><td style=\"{TD}\">{}</td><td style=\"{TD}\">{}</td><td style=\"{TD}\">{}</td></tr>",
                    esc(&u.upn),
                    esc(u.display_name.as_deref().unwrap_or("")),
                    esc(&u.per_user_state)
                );
            }
            h.push_str("</table>\n");
            if users.len() > LISTED_USERS {
                let _ = writeln!(
                    h,
                    "<p>... and {} more (see the CSV)</p>",
                    users.len() - LISTED_USERS
                );
            }
        }
        if !r.warnings.is_empty() {
            let _ = writeln!(h, "<h2 style=\"{H2}\">Data warnings</h2><ul>");
            for w in &r.warnings {
                let _ = writeln!(h, "<li>{}</li>", esc(w));
            }
            h.push_str("</ul>\n");
        }
        for note in self.attachments_note() {
            let _ = writeln!(h, "<p style=\"margin:12px 0 0 0\">{}</p>", esc(&note));
        }
        let _ = writeln!(
            h,
            "<p style=\"margin:16px 0 0 0;font-size:12px;color:#777\">{}</p>\n</body></html>",
            esc(&self.footer())
        );
        h
    }
}

pub(super) fn human_bytes(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    } else if bytes >= 1024 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}
