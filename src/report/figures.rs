//! The report's key figures and its seven answers, as the workbook's Summary sheet and the
//! Markdown summary list them: one list, one wording. A figure the inputs cannot settle is
//! unknown, never zero: the directory's without a directory export, the activity's without a
//! sign-in log, the protection counts without the exports that settle them.

use super::audit::AuditReport;

/// One figure's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value<'a> {
    Text(&'a str),
    /// `None`: unknown.
    Count(Option<u64>),
    /// `None`: unknown.
    Bool(Option<bool>),
}

/// The key figures, in the order the reports show them.
pub(crate) fn key_figures(r: &AuditReport) -> Vec<(&'static str, Value<'_>)> {
    use Value::{Bool, Count, Text};
    let s = &r.summary;
    // As `findings` reads them: no user at all is no directory export.
    let directory = |n: u64| (s.users_total > 0).then_some(n);
    let activity = |n: u64| (s.activity_inputs > 0).then_some(n);
    let e = &s.enforcement;
    let required = e.mfa_required.as_ref();
    let p = &s.per_user_state;
    vec![
        ("Generated at", Text(&r.generated_at)),
        ("Users", Count(directory(s.users_total))),
        ("Enabled users", Count(directory(s.users_enabled))),
        (
            "Enabled users registered for MFA",
            Count(directory(s.registered_enabled)),
        ),
        (
            "Enabled users not registered",
            Count(directory(s.unregistered_enabled)),
        ),
        (
            "Enabled users whose registration is unknown",
            Count(directory(s.registration_unknown_enabled)),
        ),
        ("Per-user MFA enforced", Count(directory(p.enforced))),
        ("Per-user MFA enabled", Count(directory(p.enabled))),
        ("Per-user MFA disabled", Count(directory(p.disabled))),
        ("Per-user MFA state unknown", Count(directory(p.unknown))),
        ("Sign-ins", Count(activity(s.signins_total))),
        ("MFA challenges", Count(activity(s.mfa_challenges))),
        ("Users challenged", Count(activity(s.challenged_users))),
        (
            "Users who completed MFA",
            Count(activity(s.users_completed_mfa)),
        ),
        (
            "Users unable to complete MFA",
            Count(activity(s.users_unable_to_complete)),
        ),
        (
            "Enabled users always required to use MFA",
            Count(required.map(|m| m.always)),
        ),
        (
            "Enabled users required to use MFA under conditions",
            Count(required.map(|m| m.conditional)),
        ),
        (
            "Enabled users no source requires to use MFA",
            Count(required.map(|m| m.never)),
        ),
        (
            "Enabled users whose MFA requirement is unknown",
            Count(required.map(|m| m.unknown)),
        ),
        (
            "Enabled users protected (registered, MFA always required)",
            Count(e.protected_enabled),
        ),
        ("Enabled users not protected", Count(e.unprotected_enabled)),
        (
            "Enabled users whose protection is unknown",
            Count(e.protection_unknown_enabled),
        ),
        (
            "Enabled users who signed in without MFA",
            Count(e.users_signed_in_without_mfa),
        ),
        (
            "Enabled users who signed in over a legacy protocol",
            Count(e.users_legacy_auth),
        ),
        ("Security defaults on", Bool(e.security_defaults)),
    ]
}

/// The seven answers: the six of Microsoft's report, then who signed in without MFA.
pub(crate) fn answers(r: &AuditReport) -> impl Iterator<Item = (&str, &str)> {
    r.questions
        .iter()
        .map(|q| (q.question.as_str(), q.answer.as_str()))
        .chain(std::iter::once((
            r.without_mfa.question.as_str(),
            r.without_mfa.answer.as_str(),
        )))
}
