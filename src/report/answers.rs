//! The English of the six answers of Microsoft's MFA sign-in report, from the audit's counts: the
//! arithmetic is the audit's (`audit::build`), the words are here, in one place.

use super::audit::{HowCount, Question, ReasonCount, Summary, flag};
use crate::text::plural;

/// The six questions of Microsoft's MFA sign-in report, in its order.
pub const QUESTIONS: [&str; 6] = [
    "Was the sign-in challenged with MFA?",
    "How did the user complete MFA?",
    "Why was the user unable to complete MFA?",
    "How many users are challenged for MFA?",
    "How many users are unable to complete the MFA challenge?",
    "What are the common MFA issues end users are running into?",
];

/// The seventh question, beside the six of Microsoft's report (issue 19).
pub const SEVENTH: &str = "Who signed in without MFA?";

/// The seventh answer, in `w` (whose counts are filled, or null without a sign-in log).
pub fn without_mfa(w: &mut super::audit::WithoutMfa, s: &Summary) {
    w.question = SEVENTH.to_string();
    let (Some(signins), Some(users)) = (w.signins_without_mfa, w.users_without_mfa) else {
        w.answer = "No sign-in activity was in the inputs; add a sign-in log export (Graph signIns, the admin center download, Log Analytics) to answer this.".to_string();
        return;
    };
    let mut parts = Vec::new();
    if signins == 0 {
        parts.push(
            "No successful interactive sign-in in the logs got in without MFA being required or performed"
                .to_string(),
        );
    } else {
        let apps: Vec<String> = w
            .apps
            .iter()
            .take(3)
            .map(|a| match a.users {
                // Sign-ins that name no user the logs could join.
                0 => format!("{} ({})", a.app, plural(a.signins, "sign-in", "sign-ins")),
                _ => format!(
                    "{} ({}, {})",
                    a.app,
                    plural(a.signins, "sign-in", "sign-ins"),
                    plural(a.users, "user", "users")
                ),
            })
            .collect();
        let who = match users {
            0 => format!(
                "{} got in interactively without MFA being required or performed, none of them naming a user",
                plural(signins, "sign-in", "sign-ins")
            ),
            _ => format!(
                "{} signed in interactively without MFA being required or performed ({})",
                plural(users, "user", "users"),
                plural(signins, "sign-in", "sign-ins")
            ),
        };
        parts.push(format!("{who}; most often to: {}", apps.join("; ")));
    }
    if let Some(unknown) = w.requirement_unknown.filter(|n| *n > 0) {
        parts.push(format!(
            "for {} more the logs do not say whether MFA was required (no authentication requirement in the export), so they may have got in without it",
            plural(unknown, "successful interactive sign-in", "successful interactive sign-ins")
        ));
    }
    if !w.legacy.is_empty() {
        let legacy_users = s.enforcement.users_legacy_auth.unwrap_or(0);
        let protocols: Vec<String> = w
            .legacy
            .iter()
            .take(3)
            .map(|p| {
                format!(
                    "{} ({} of {} succeeded)",
                    p.protocol,
                    p.succeeded,
                    plural(p.signins, "sign-in", "sign-ins")
                )
            })
            .collect();
        parts.push(format!(
            "legacy protocols, over which no MFA is possible: {}; {} got in over one",
            protocols.join("; "),
            plural(legacy_users, "enabled user", "enabled users")
        ));
    }
    if let Some(n) = w.noninteractive_signins.filter(|n| *n > 0) {
        parts.push(if n == 1 {
            "1 non-interactive sign-in refreshed a session and is not counted as without MFA"
                .to_string()
        } else {
            format!(
                "{n} non-interactive sign-ins refreshed sessions and are not counted as without MFA"
            )
        });
    }
    let mut answer = parts.join("; ");
    answer.push('.');
    w.answer = answer;
}

/// The issue flags the sixth answer names, with its words for them, in its order.
pub const ISSUE_FLAGS: [(&str, &str); 6] = [
    (flag::PUSH_FATIGUE, "push fatigue suspected"),
    (flag::FRAUD_REPORTED, "fraud reported"),
    (flag::BLOCKED, "blocked in MFA"),
    (flag::BYPASS_USED, "one-time bypass used"),
    (
        flag::NO_METHODS_IN_LOGS,
        "logs say no methods registered although the directory says registered",
    ),
    (
        flag::CHALLENGED_NEVER_COMPLETED,
        "challenged but never completed MFA",
    ),
];

/// What the answers are worded from.
pub struct Facts<'a> {
    pub signins: u64,
    pub challenges: u64,
    pub satisfied: u64,
    pub denied: u64,
    pub pending: u64,
    /// Users with at least one sign-in.
    pub signed_in_users: u64,
    pub summary: &'a Summary,
    pub completed_by: &'a [HowCount],
    pub denied_because: &'a [ReasonCount],
    /// Users carrying each of [`ISSUE_FLAGS`].
    pub flagged: [u64; 6],
}

/// The six answers.
pub fn questions(f: &Facts<'_>) -> Vec<Question> {
    let (s, completed_by, denied_because) = (f.summary, f.completed_by, f.denied_because);
    let q = |question: &str, answer: String| Question {
        question: question.to_string(),
        answer,
    };
    let no_logs = "No sign-in activity was in the inputs; add a sign-in log export (Graph signIns, the admin center download, Log Analytics) to answer this.";
    if f.signins == 0 {
        return QUESTIONS
            .iter()
            .map(|question| q(question, no_logs.to_string()))
            .collect();
    }
    let top = |items: Vec<(&str, u64, u64)>| -> String {
        items
            .iter()
            .take(3)
            .map(|(what, count, users)| {
                format!(
                    "{what} ({}, {})",
                    plural(*count, "time", "times"),
                    plural(*users, "user", "users")
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let hows: Vec<(&str, u64, u64)> = completed_by
        .iter()
        .map(|h| (h.how.as_str(), h.count, h.users))
        .collect();
    let reasons: Vec<(&str, u64, u64)> = denied_because
        .iter()
        .map(|r| (r.reason.as_str(), r.count, r.users))
        .collect();

    let a1 = format!(
        "{} of {} required MFA ({}): {} satisfied, {} denied, {} neither satisfied nor denied (interrupted or in progress).",
        plural(f.challenges, "sign-in", "sign-ins"),
        f.signins,
        percent(f.challenges, f.signins),
        f.satisfied,
        f.denied,
        f.pending
    );
    let a2 = if f.satisfied == 0 {
        "No MFA challenge was satisfied.".to_string()
    } else {
        // Prompted completions apart from requirements met without a prompt.
        let by = |p: Option<bool>| -> u64 {
            completed_by
                .iter()
                .filter(|h| h.prompted == p)
                .map(|h| h.count)
                .sum()
        };
        let (prompted, unprompted, unsaid) = (by(Some(true)), by(Some(false)), by(None));
        let mut split = format!(
            "{prompted} at a prompt and {unprompted} without one (a claim in the token, a trusted location or device, an app password)"
        );
        if unsaid > 0 {
            split.push_str(&format!(", {unsaid} not saying which"));
        }
        format!(
            "{} satisfied, {split}; most often: {}.",
            plural(f.satisfied, "challenge was", "challenges were"),
            top(hows)
        )
    };
    let a3 = if f.denied == 0 {
        "No MFA challenge was denied.".to_string()
    } else {
        format!(
            "{} denied; most often: {}.",
            plural(f.denied, "challenge was", "challenges were"),
            top(reasons.clone())
        )
    };
    let signed_in = f.signed_in_users;
    let a4 = format!(
        "{} of the {} {} challenged for MFA.",
        s.challenged_users,
        plural(signed_in, "user who signed in", "users who signed in"),
        if s.challenged_users == 1 {
            "was"
        } else {
            "were"
        }
    );
    let a5 = format!(
        "{} of the {} challenged never completed MFA; {} at least one denied challenge.",
        s.users_unable_to_complete,
        s.challenged_users,
        plural(s.users_with_failures, "user had", "users had")
    );
    let mut issues = Vec::new();
    if let Some((reason, count, n)) = reasons.first() {
        issues.push(format!(
            "the most common denial is \"{reason}\" ({}, {})",
            plural(*count, "time", "times"),
            plural(*n, "user", "users")
        ));
    }
    for ((_, text), &n) in ISSUE_FLAGS.iter().zip(&f.flagged) {
        if n > 0 {
            issues.push(format!("{text}: {}", plural(n, "user", "users")));
        }
    }
    let a6 = if issues.is_empty() {
        "No MFA issues in the logs.".to_string()
    } else {
        let mut text = issues.join("; ");
        if let Some(first) = text.get(..1) {
            text = first.to_uppercase() + &text[1..];
        }
        text + "."
    };
    [a1, a2, a3, a4, a5, a6]
        .into_iter()
        .zip(QUESTIONS)
        .map(|(answer, question)| q(question, answer))
        .collect()
}

/// `25%`, `33.3%`; `0%` of nothing.
pub fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0%".to_string();
    }
    let p = part as f64 * 100.0 / whole as f64;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

/// The six questions and the seventh (who signed in without MFA), as question and answer.
pub fn all_questions(
    report: &super::audit::AuditReport,
) -> impl Iterator<Item = (&str, &str)> + '_ {
    let seventh = &report.without_mfa;
    report
        .questions
        .iter()
        .map(|q| (q.question.as_str(), q.answer.as_str()))
        .chain(
            (!seventh.question.is_empty())
                .then_some((seventh.question.as_str(), seventh.answer.as_str())),
        )
}

/// The human summary of an audit (stdout): the headline, the six questions answered, what changed
/// since the previous run, and the files written.
pub fn summary_text(report: &super::audit::AuditReport, written: &[std::path::PathBuf]) -> String {
    use std::fmt::Write as _;
    let mut w = String::new();
    let _ = writeln!(
        w,
        "mfaudit audit: {}",
        super::findings::headline(&report.summary)
    );
    let _ = writeln!(w);
    for (i, (question, answer)) in all_questions(report).enumerate() {
        let _ = writeln!(w, "{}. {question}\n   {answer}", i + 1);
    }
    if let Some(c) = &report.changes {
        let _ = writeln!(w);
        let _ = writeln!(
            w,
            "Since the previous run ({}):",
            super::changes::to_the_second(&c.previous_run)
        );
        w.push_str(&super::changes::render_changes(c));
    }
    if !written.is_empty() {
        let _ = writeln!(w);
        let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        let _ = writeln!(w, "Written: {}", names.join(", "));
    }
    w
}

#[cfg(test)]
mod tests {
    #[test]
    fn percentages() {
        assert_eq!(super::percent(1, 4), "25%");
        assert_eq!(super::percent(1, 3), "33.3%");
        assert_eq!(super::percent(0, 0), "0%");
    }
}
