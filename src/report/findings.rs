//! The report's verdicts in words, said the same way everywhere (stdout, the HTML report, the
//! mail, the policy thresholds): a count the inputs settle, or how much is unknown and which
//! export would settle it. A missing export is never a clean bill of health: a verdict is
//! [`Tone::Good`] only when nothing it covers is unknown.

use super::audit::{Summary, flag};
use crate::model::settled_by;
use crate::text::plural;

/// How a verdict reads at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tone {
    /// Nothing found, and nothing unknown.
    Good,
    Warn,
    Bad,
    /// Nothing found, but the inputs cannot show there is nothing.
    Unknown,
}

impl Tone {
    pub fn class(self) -> &'static str {
        match self {
            Tone::Good => "good",
            Tone::Warn => "warn",
            Tone::Bad => "bad",
            Tone::Unknown => "unknown",
        }
    }
}

/// One verdict: how many were found, how many more could be, and the words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Known to be found (e.g. enabled users known not to be registered).
    pub found: u64,
    /// Not known either way: the worst case adds them.
    pub unknown: u64,
    /// The whole population is unknown (the export it needs is missing altogether).
    pub all_unknown: bool,
    pub tone: Tone,
    /// One sentence for a report.
    pub sentence: String,
    /// What would settle the unknown part, when there is one.
    pub settled_by: Option<&'static str>,
}

impl Verdict {
    /// The most there can be: the found and the unknown.
    pub fn worst_case(&self) -> u64 {
        self.found + self.unknown
    }
}

/// Whether the inputs held no directory export: every directory fact is unknown.
fn no_directory(s: &Summary) -> bool {
    s.users_total == 0
}

/// How a directory verdict is worded. In the templates `{N}` is the count found with its noun
/// (`found`), `{n}` and `{u}` the counts found and unknown, `{U}` the unknown count with "enabled
/// user(s)", and `{by}` the export that would settle it.
struct Words {
    /// No directory export at all.
    missing: &'static str,
    clear: &'static str,
    /// The noun phrase of the count found, singular and plural.
    found: (&'static str, &'static str),
    /// Found, nothing unknown: after `{N}`.
    found_rest: &'static str,
    /// Every enabled user unknown.
    all_unknown: &'static str,
    /// None found, some unknown.
    none_but: &'static str,
    /// Some found, some unknown.
    some_and: &'static str,
    by: &'static str,
}

fn fill(template: &str, w: &Words, found: u64, unknown: u64) -> String {
    template
        .replace("{N}", &plural(found, w.found.0, w.found.1))
        .replace("{U}", &plural(unknown, "enabled user", "enabled users"))
        .replace("{n}", &found.to_string())
        .replace("{u}", &unknown.to_string())
        .replace("{by}", w.by)
}

/// A verdict on directory facts: `found` known, `unknown` more possible.
fn directory_verdict(
    s: &Summary,
    found: u64,
    unknown: u64,
    found_tone: Tone,
    w: &Words,
) -> Verdict {
    if no_directory(s) {
        return Verdict {
            found,
            unknown: 0,
            all_unknown: true,
            tone: Tone::Unknown,
            sentence: fill(w.missing, w, found, 0),
            settled_by: Some(w.by),
        };
    }
    let all_unknown = unknown > 0 && unknown == s.users_enabled;
    let template = match (found, unknown) {
        (0, 0) => w.clear,
        (_, 0) => w.found_rest,
        _ if all_unknown && found == 0 => w.all_unknown,
        (0, _) => w.none_but,
        _ => w.some_and,
    };
    Verdict {
        found,
        unknown,
        all_unknown,
        tone: tone(found, unknown, found_tone),
        sentence: fill(template, w, found, unknown),
        settled_by: (unknown > 0).then_some(w.by),
    }
}

/// Enabled users not registered for MFA.
pub fn unregistered(s: &Summary) -> Verdict {
    directory_verdict(
        s,
        s.unregistered_enabled,
        s.registration_unknown_enabled,
        Tone::Bad,
        &Words {
            missing: "Registration is unknown: no directory export was among the inputs; {by} would settle it.",
            clear: "Every enabled user is registered for MFA.",
            found: ("enabled user is", "enabled users are"),
            found_rest: "{N} not registered for MFA.",
            all_unknown: "Registration is unknown for all {U}; {by} would settle it.",
            none_but: "No enabled user is known to be unregistered, but registration is unknown for {U}; {by} would settle it.",
            some_and: "{N} not registered for MFA, and registration is unknown for {u} more; {by} would settle it.",
            by: settled_by::REGISTRATION,
        },
    )
}

/// Enabled administrators without MFA.
pub fn admins_without_mfa(s: &Summary) -> Verdict {
    directory_verdict(
        s,
        s.admins_without_mfa,
        s.admins_without_mfa_unknown,
        Tone::Bad,
        &Words {
            missing: "Which administrators have MFA is unknown: no directory export was among the inputs; {by} would settle it.",
            clear: "Every administrator the inputs name has MFA.",
            found: ("administrator has", "administrators have"),
            found_rest: "{N} no MFA method.",
            all_unknown: "Which administrators have MFA is unknown for all {U}; {by} would settle it.",
            none_but: "No administrator is known to lack MFA, but {U} could be one (admin role or registration unknown); {by} would settle it.",
            some_and: "{N} no MFA method, and {U} more could be one (admin role or registration unknown); {by} would settle it.",
            by: "the registration details export (its isAdmin column), with registration for every administrator",
        },
    )
}

/// What settles who is required to use MFA.
pub const CONFIGURATION: &str = "the Conditional Access policies export (GET /identity/conditionalAccess/policies) with the security defaults, directory role and group membership exports, and the per-user MFA state";

/// Enabled users whom no source requires to use MFA (`mfa_required` never); unknown ones count
/// against a threshold.
pub fn not_required(s: &Summary) -> Verdict {
    let Some(r) = &s.enforcement.mfa_required else {
        return Verdict {
            found: 0,
            unknown: s.users_enabled,
            all_unknown: true,
            tone: Tone::Unknown,
            sentence: format!(
                "Who is required to use MFA is unknown: no configuration export was among the inputs; {CONFIGURATION} would settle it."
            ),
            settled_by: Some(CONFIGURATION),
        };
    };
    let sentence = match (r.never, r.unknown) {
        (0, 0) => {
            "Every enabled user is required to use MFA, always or under conditions.".to_string()
        }
        (0, u) => format!(
            "No enabled user is known to be free of MFA, but for {} it is unknown; {CONFIGURATION} would settle it.",
            plural(u, "enabled user", "enabled users")
        ),
        (n, 0) => format!(
            "{} required to use MFA by no source.",
            plural(n, "enabled user is", "enabled users are")
        ),
        (n, u) => format!(
            "{} required to use MFA by no source, and for {u} more it is unknown; {CONFIGURATION} would settle it.",
            plural(n, "enabled user is", "enabled users are")
        ),
    };
    Verdict {
        found: r.never,
        unknown: r.unknown,
        all_unknown: false,
        tone: tone(r.never, r.unknown, Tone::Bad),
        sentence,
        settled_by: Some(CONFIGURATION),
    }
}

/// Enabled users not protected: not registered, or not always required to use MFA.
pub fn unprotected(s: &Summary) -> Verdict {
    let e = &s.enforcement;
    let (Some(found), Some(unknown)) = (e.unprotected_enabled, e.protection_unknown_enabled) else {
        let mut v = not_required(s);
        v.sentence = format!(
            "Who is protected by MFA is unknown: no configuration export was among the inputs; {CONFIGURATION} would settle it."
        );
        return v;
    };
    let sentence = match (found, unknown) {
        (0, 0) => "Every enabled user is registered and always required to use MFA.".to_string(),
        (0, u) => format!(
            "No enabled user is known to be unprotected, but for {} it is unknown whether MFA is always required of them and they are registered.",
            plural(u, "enabled user", "enabled users")
        ),
        (n, 0) => format!(
            "{} not protected: not registered, or not always required to use MFA.",
            plural(n, "enabled user is", "enabled users are")
        ),
        (n, u) => format!(
            "{} not protected (not registered, or not always required to use MFA), and for {u} more it is unknown.",
            plural(n, "enabled user is", "enabled users are")
        ),
    };
    Verdict {
        found,
        unknown,
        all_unknown: false,
        tone: tone(found, unknown, Tone::Bad),
        sentence,
        settled_by: Some(CONFIGURATION),
    }
}

/// A configured finding over enabled users: `found` of them known, `unknown` more whose
/// requirement no input settles; all unknown without any configuration.
fn configured_verdict(s: &Summary, found: u64, clear: &str, found_words: (&str, &str)) -> Verdict {
    let Some(r) = &s.enforcement.mfa_required else {
        return not_required(s);
    };
    let unknown = r.unknown;
    let mut sentence = match found {
        0 => clear.to_string(),
        n => plural(n, found_words.0, found_words.1) + ".",
    };
    if unknown > 0 {
        sentence.push_str(&format!(
            " For {} who is required to use MFA is unknown; {CONFIGURATION} would settle it.",
            plural(unknown, "enabled user", "enabled users")
        ));
    }
    Verdict {
        found,
        unknown,
        all_unknown: false,
        tone: tone(found, unknown, Tone::Bad),
        sentence,
        settled_by: Some(CONFIGURATION),
    }
}

/// Required to use MFA and not registered.
pub fn required_not_registered(s: &Summary, found: u64) -> Verdict {
    configured_verdict(
        s,
        found,
        "No enabled user who is required to use MFA lacks a method.",
        (
            "enabled user is required to use MFA and not registered: whoever signs in first with the password registers the methods",
            "enabled users are required to use MFA and not registered: whoever signs in first with the password registers the methods",
        ),
    )
}

/// Required to use MFA always, and the logs show a sign-in without it.
pub fn required_but_signed_in_without_mfa(s: &Summary, found: u64) -> Verdict {
    if s.enforcement.users_signed_in_without_mfa.is_none() {
        return Verdict {
            found: 0,
            unknown: 0,
            all_unknown: true,
            tone: Tone::Unknown,
            sentence: format!(
                "Whether users required to use MFA got in without it is unknown: no sign-in log was among the inputs; {NO_ACTIVITY} would settle it."
            ),
            settled_by: Some(NO_ACTIVITY),
        };
    }
    configured_verdict(
        s,
        found,
        "No user who is always required to use MFA got in without it.",
        (
            "user always required to use MFA signed in without it",
            "users always required to use MFA signed in without it",
        ),
    )
}

/// What stands in for every activity count when no sign-in log was among the inputs.
pub const NO_ACTIVITY: &str = "a sign-in log export (Graph signIns, the admin center download, Azure Monitor or Log Analytics)";

/// Challenged users who never completed MFA.
pub fn unable_to_complete(s: &Summary) -> Verdict {
    activity_verdict(
        s,
        s.users_unable_to_complete,
        "Every challenged user completed MFA at least once.",
        (
            "challenged user never completed MFA.",
            "challenged users never completed MFA.",
        ),
        "Who could not complete MFA is unknown",
    )
}

/// Users with at least one denied MFA challenge.
pub fn with_failures(s: &Summary) -> Verdict {
    activity_verdict(
        s,
        s.users_with_failures,
        "No user had an MFA challenge denied.",
        (
            "user had an MFA challenge denied.",
            "users had an MFA challenge denied.",
        ),
        "Who had an MFA challenge denied is unknown",
    )
}

fn activity_verdict(
    s: &Summary,
    found: u64,
    clear: &str,
    (one, many): (&str, &str),
    unknown_what: &str,
) -> Verdict {
    // Found without a sign-in log (the MFA Server's block and bypass histories are not
    // activity): said, with the rest unknown.
    if s.activity_inputs == 0 && found > 0 {
        return Verdict {
            found,
            unknown: s.users_enabled.saturating_sub(found),
            all_unknown: false,
            tone: Tone::Bad,
            sentence: format!(
                "{found} {} No sign-in log was among the inputs, so the rest is unknown; {NO_ACTIVITY} would settle it.",
                if found == 1 { one } else { many }
            ),
            settled_by: Some(NO_ACTIVITY),
        };
    }
    if s.activity_inputs == 0 {
        return Verdict {
            found: 0,
            unknown: s.users_enabled,
            all_unknown: true,
            tone: Tone::Unknown,
            sentence: format!(
                "{unknown_what}: no sign-in log was among the inputs; {NO_ACTIVITY} would settle it."
            ),
            settled_by: Some(NO_ACTIVITY),
        };
    }
    Verdict {
        found,
        unknown: 0,
        all_unknown: false,
        tone: if found == 0 { Tone::Good } else { Tone::Bad },
        sentence: if found == 0 {
            clear.to_string()
        } else {
            format!("{found} {}", if found == 1 { one } else { many })
        },
        settled_by: None,
    }
}

/// Users who reported fraud, denied a burst of pushes, were blocked or used a bypass (`found` of
/// them, as the report's flags count them).
pub fn fraud_and_fatigue(s: &Summary, found: u64) -> Verdict {
    activity_verdict(
        s,
        found,
        "No fraud report, push fatigue, block or bypass.",
        (
            "user reported fraud, denied a burst of prompts, was blocked or used a bypass.",
            "users reported fraud, denied a burst of prompts, were blocked or used a bypass.",
        ),
        "Fraud reports, push fatigue, blocks and bypasses are unknown",
    )
}

/// Users whose only MFA methods are telephony (`found` of them, as the flags count them).
pub fn telephony_only(s: &Summary, found: u64) -> Verdict {
    directory_verdict(
        s,
        found,
        s.registration_unknown_enabled,
        Tone::Warn,
        &Words {
            missing: "Registered methods are unknown: no directory export was among the inputs; {by} would settle it.",
            clear: "No user relies on telephony alone.",
            found: ("user has", "users have"),
            found_rest: "{N} only telephony methods (SMS, voice).",
            all_unknown: "Registered methods are unknown for all {U}; {by} would settle it.",
            none_but: "No user is known to rely on telephony alone, but the methods of {U} are unknown; {by} would settle it.",
            some_and: "{N} only telephony methods, and the methods of {U} are unknown; {by} would settle it.",
            by: settled_by::REGISTRATION,
        },
    )
}

/// Who got in without MFA (the seventh answer's finding): bad when anyone did, unknown without a
/// sign-in log or when some successful sign-ins do not say whether MFA was required.
pub fn without_mfa(w: &super::audit::WithoutMfa) -> Verdict {
    let by = "a sign-in log export (Graph signIns, the admin center download, Log Analytics)";
    let (Some(users), Some(signins)) = (w.users_without_mfa, w.signins_without_mfa) else {
        return Verdict {
            found: 0,
            unknown: 0,
            all_unknown: true,
            tone: Tone::Unknown,
            sentence: format!(
                "Who signed in without MFA is unknown: no sign-in log was among the inputs; {by} would settle it."
            ),
            settled_by: Some(by),
        };
    };
    let unknown = w.requirement_unknown.unwrap_or(0);
    let sentence = match (users, unknown) {
        (0, 0) => "No successful interactive sign-in in the logs got in without MFA.".to_string(),
        (0, u) => format!(
            "No sign-in is known to have got in without MFA, but {} do not say whether MFA was required; an export with the authentication requirement would settle it.",
            plural(
                u,
                "successful interactive sign-in",
                "successful interactive sign-ins"
            )
        ),
        (n, _) => format!(
            "{} signed in without MFA being required or performed ({}){}.",
            plural(n, "user", "users"),
            plural(signins, "sign-in", "sign-ins"),
            w.apps
                .first()
                .map(|a| format!(", most often to {}", a.app))
                .unwrap_or_default()
        ),
    };
    Verdict {
        found: users,
        unknown,
        all_unknown: false,
        tone: tone(users, unknown, Tone::Bad),
        sentence,
        settled_by: None,
    }
}

/// Good only when nothing was found and nothing is unknown.
fn tone(found: u64, unknown: u64, found_tone: Tone) -> Tone {
    match (found, unknown) {
        (0, 0) => Tone::Good,
        (0, _) => Tone::Unknown,
        _ => found_tone,
    }
}

/// The one-line summary of a report (stdout's first line, the mail's headline).
pub fn headline(s: &Summary) -> String {
    let mut line = if no_directory(s) {
        "no directory export among the inputs, so registration and sign-in state are unknown"
            .to_string()
    } else if s.users_enabled > 0 && s.registration_unknown_enabled == s.users_enabled {
        format!(
            "{} ({} enabled): registration unknown for every enabled user (no registration export)",
            plural(s.users_total, "user", "users"),
            s.users_enabled
        )
    } else {
        let mut d = format!(
            "{} ({} enabled), {} registered and {} not registered among the enabled",
            plural(s.users_total, "user", "users"),
            s.users_enabled,
            s.registered_enabled,
            s.unregistered_enabled
        );
        if s.registration_unknown_enabled > 0 {
            d.push_str(&format!(", {} unknown", s.registration_unknown_enabled));
        }
        d
    };
    if s.activity_inputs == 0 {
        line.push_str("; no sign-in log");
    } else {
        line.push_str(&format!(
            "; {}, {}",
            plural(s.signins_total, "sign-in", "sign-ins"),
            plural(s.mfa_challenges, "MFA challenge", "MFA challenges")
        ));
    }
    line
}

/// The `--fail-if-*` thresholds: the most users a verdict may find before the run exits 3.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Thresholds {
    pub unregistered: Option<u64>,
    pub admins_without_mfa: Option<u64>,
    pub unable_to_complete: Option<u64>,
    pub not_required: Option<u64>,
}

/// The summary the thresholds decide on: the users a valid exception covers left out of each
/// count (cli.md). An exception that covers every flag also takes its user out of the unknowns.
pub fn unexcepted(r: &super::audit::AuditReport) -> Summary {
    use super::audit::flag;
    let mut s = r.summary.clone();
    for u in &r.users {
        let Some(e) = u.exception.as_deref() else {
            continue;
        };
        if !e.is_valid() || u.enabled == Some(false) {
            continue;
        }
        let has = |f: &str| u.flags.iter().any(|x| x == f);
        let covered = |f: &str| has(f) && e.covers(f);
        let all = e.covers.is_empty();
        if covered(flag::ENABLED_UNREGISTERED) {
            s.unregistered_enabled = s.unregistered_enabled.saturating_sub(1);
        } else if all && u.registered.is_none() {
            s.registration_unknown_enabled = s.registration_unknown_enabled.saturating_sub(1);
        }
        if covered(flag::ADMIN_WITHOUT_MFA) {
            s.admins_without_mfa = s.admins_without_mfa.saturating_sub(1);
        }
        if covered(flag::CHALLENGED_NEVER_COMPLETED) {
            s.users_unable_to_complete = s.users_unable_to_complete.saturating_sub(1);
        }
        if let Some(m) = &mut s.enforcement.mfa_required {
            if covered(flag::MFA_NOT_REQUIRED) {
                m.never = m.never.saturating_sub(1);
            } else if all
                && u.enforcement
                    .configured
                    .as_ref()
                    .is_some_and(|c| c.mfa_required.is_none())
            {
                m.unknown = m.unknown.saturating_sub(1);
            }
        }
    }
    s
}

/// Each threshold crossed, in words. A threshold is decided on the worst case: users whose status
/// is unknown could be on the wrong side of it, so it holds only when it would hold with all of
/// them counted (cli.md).
pub fn crossed(s: &Summary, t: &Thresholds) -> Vec<String> {
    // What was found and what is unknown, in the singular and the plural.
    type Words = ((&'static str, &'static str), (&'static str, &'static str));
    let checks: [(Option<u64>, Verdict, Words); 4] = [
        (
            t.unregistered,
            unregistered(s),
            (
                (
                    "enabled user is not registered",
                    "enabled users are not registered",
                ),
                (
                    "enabled user's registration is unknown",
                    "enabled users' registration is unknown",
                ),
            ),
        ),
        (
            t.admins_without_mfa,
            admins_without_mfa(s),
            (
                ("admin has no MFA method", "admins have no MFA method"),
                (
                    "enabled user could be an admin without MFA (admin role or registration unknown)",
                    "enabled users could be admins without MFA (admin role or registration unknown)",
                ),
            ),
        ),
        (
            t.unable_to_complete,
            unable_to_complete(s),
            (
                (
                    "challenged user could not complete MFA",
                    "challenged users could not complete MFA",
                ),
                (
                    "user's MFA completion is unknown",
                    "users' MFA completion is unknown",
                ),
            ),
        ),
        (
            t.not_required,
            not_required(s),
            (
                (
                    "enabled user is required to use MFA by no source",
                    "enabled users are required to use MFA by no source",
                ),
                (
                    "enabled user's MFA requirement is unknown",
                    "enabled users' MFA requirement is unknown",
                ),
            ),
        ),
    ];
    let mut crossed = Vec::new();
    for (threshold, v, ((found_one, found_many), (unknown_one, unknown_many))) in checks {
        let Some(n) = threshold else { continue };
        let found_words = plural(v.found, found_one, found_many);
        let unknown_words = plural(v.unknown, unknown_one, unknown_many);
        if v.found > n {
            crossed.push(format!("{found_words} (threshold {n})"));
        } else if v.all_unknown && v.unknown == 0 {
            let mut why = v.sentence.clone();
            if let Some(first) = why.get(..1) {
                why = first.to_lowercase() + &why[1..];
            }
            crossed.push(format!("the threshold {n} cannot be checked: {why}"));
        } else if v.worst_case() > n {
            let mut line = format!(
                "{found_words} and {unknown_words} (threshold {n}): the threshold is not shown to hold"
            );
            if let Some(by) = v.settled_by {
                line.push_str(&format!("; {by} would settle it"));
            }
            crossed.push(line);
        }
    }
    crossed
}

/// The finding lists (the HTML's action tables, the workbook's sheets, the mail's lists), in
/// the order the reports show them: which flags put a user in each.
pub struct FindingList {
    pub id: &'static str,
    pub title: &'static str,
    pub why: &'static str,
    /// The table's verdict, given how many users it lists.
    pub verdict: fn(&Summary, u64) -> Verdict,
    pub flags: &'static [&'static str],
}

impl FindingList {
    /// Whether the list holds `user`: the user carries one of its flags.
    pub fn holds(&self, user: &super::audit::AuditUser) -> bool {
        user.flags.iter().any(|f| self.flags.contains(&f.as_ref()))
    }
}

pub const LISTS: &[FindingList] = &[
    FindingList {
        id: "enabled-unregistered",
        title: "Enabled users not registered for MFA",
        why: "They can sign in but have no MFA method: the first to enrol, or to block.",
        verdict: |s, _| unregistered(s),
        flags: &[flag::ENABLED_UNREGISTERED],
    },
    FindingList {
        id: "unable-to-complete",
        title: "Users unable to complete MFA",
        why: "Challenged for MFA but never satisfied it: a broken method, a lost phone, or someone \
              else trying their password.",
        verdict: |s, _| unable_to_complete(s),
        flags: &[flag::CHALLENGED_NEVER_COMPLETED],
    },
    FindingList {
        id: "fraud-fatigue",
        title: "Fraud reports, push fatigue, blocks and bypasses",
        why: "A user reported fraud, denied a burst of prompts, was blocked, or signed in with a \
              one-time bypass: check with them first.",
        verdict: fraud_and_fatigue,
        flags: &[
            flag::FRAUD_REPORTED,
            flag::PUSH_FATIGUE,
            flag::BLOCKED,
            flag::BYPASS_USED,
        ],
    },
    FindingList {
        id: "telephony-only",
        title: "Users with telephony methods only",
        why: "SMS and voice calls are the weakest MFA methods: move them to an app or a passkey.",
        verdict: telephony_only,
        flags: &[flag::TELEPHONY_ONLY],
    },
    FindingList {
        id: "admins-without-mfa",
        title: "Administrators without MFA",
        why: "A privileged account without MFA is the most valuable account to steal.",
        verdict: |s, _| admins_without_mfa(s),
        flags: &[flag::ADMIN_WITHOUT_MFA],
    },
    FindingList {
        id: "required-but-signed-in-without-mfa",
        title: "Always required to use MFA, yet signed in without it",
        why: "The configuration says MFA is required at every sign-in, and the logs show a successful \
              one without it: the gap between policy and reality an auditor asks about first.",
        verdict: required_but_signed_in_without_mfa,
        flags: &[flag::REQUIRED_BUT_SIGNED_IN_WITHOUT_MFA],
    },
    FindingList {
        id: "required-not-registered",
        title: "Required to use MFA, not registered",
        why: "MFA is required of them and they have no method: whoever signs in first with the \
              password registers the methods.",
        verdict: required_not_registered,
        flags: &[
            flag::REQUIRED_NOT_REGISTERED,
            flag::PHISHING_RESISTANT_REQUIRED_NOT_REGISTERED,
        ],
    },
    FindingList {
        id: "mfa-not-required",
        title: "Enabled users no source requires to use MFA",
        why: "No enabled policy, per-user setting or security default requires MFA of them: a \
              password alone lets them in.",
        verdict: |s, _| not_required(s),
        flags: &[flag::MFA_NOT_REQUIRED],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn summary() -> Summary {
        Summary {
            users_total: 13,
            users_enabled: 12,
            registered_enabled: 9,
            unregistered_enabled: 3,
            activity_inputs: 1,
            signins_total: 1,
            mfa_challenges: 1,
            ..Summary::default()
        }
    }

    #[test]
    fn unknown_is_never_good() {
        let mut s = summary();
        assert_eq!(unregistered(&s).tone, Tone::Bad);
        s.unregistered_enabled = 0;
        s.registered_enabled = 12;
        assert_eq!(unregistered(&s).tone, Tone::Good);
        assert_eq!(
            unregistered(&s).sentence,
            "Every enabled user is registered for MFA."
        );
        // A bare users export: registration unknown for everyone.
        s.registered_enabled = 0;
        s.registration_unknown_enabled = 12;
        let v = unregistered(&s);
        assert_eq!((v.tone, v.found, v.worst_case()), (Tone::Unknown, 0, 12));
        assert!(v.all_unknown);
        assert_eq!(
            v.sentence,
            "Registration is unknown for all 12 enabled users; the registration details export (admin center or Graph userRegistrationDetails) would settle it."
        );
        // No sign-in log: the activity verdicts are unknown, not clear.
        s.activity_inputs = 0;
        assert_eq!(unable_to_complete(&s).tone, Tone::Unknown);
        assert_eq!(with_failures(&s).tone, Tone::Unknown);
        // A sign-in-only run: no directory.
        let s = Summary {
            activity_inputs: 1,
            signins_total: 1,
            ..Summary::default()
        };
        assert_eq!(admins_without_mfa(&s).tone, Tone::Unknown);
        assert_eq!(unregistered(&s).tone, Tone::Unknown);
        assert_eq!(
            headline(&s),
            "no directory export among the inputs, so registration and sign-in state are unknown; 1 sign-in, 0 MFA challenges"
        );
    }

    #[test]
    fn blocks_found_without_a_sign_in_log_are_said_and_the_rest_unknown() {
        let s = Summary {
            activity_inputs: 0,
            ..summary()
        };
        let v = fraud_and_fatigue(&s, 2);
        assert_eq!((v.tone, v.found, v.worst_case()), (Tone::Bad, 2, 12));
        assert_eq!(
            v.sentence,
            format!(
                "2 users reported fraud, denied a burst of prompts, were blocked or used a bypass. No sign-in log was among the inputs, so the rest is unknown; {NO_ACTIVITY} would settle it."
            )
        );
        assert_eq!(fraud_and_fatigue(&s, 0).tone, Tone::Unknown);
    }

    #[test]
    fn headline_grammar() {
        let mut s = summary();
        s.users_total = 1;
        s.mfa_challenges = 2;
        assert_eq!(
            headline(&s),
            "1 user (12 enabled), 9 registered and 3 not registered among the enabled; 1 sign-in, 2 MFA challenges"
        );
        s.activity_inputs = 0;
        s.registration_unknown_enabled = 2;
        assert_eq!(
            headline(&s),
            "1 user (12 enabled), 9 registered and 3 not registered among the enabled, 2 unknown; no sign-in log"
        );
    }
}
