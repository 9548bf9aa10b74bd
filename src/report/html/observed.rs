//! The view of the "Who got in without MFA" section: the seventh answer's verdict, the users who
//! got in without MFA in pages, what required MFA as shares, and whether the applied policies were
//! in the logs at all. Applications, protocols and policies the templates read from the audit
//! JSON itself (`without_mfa`, `policies`).

use serde::Serialize;

use super::view::{Preview, USERS, count, percent_f};
use crate::report::audit::AuditReport;
use crate::report::findings;

#[derive(Serialize)]
pub(super) struct ObservedView {
    /// A sign-in log was read: the counts below are known (zero when nothing was seen).
    pub(super) known: bool,
    pub(super) tone: &'static str,
    pub(super) sentence: String,
    /// Successful interactive sign-ins whose log did not say whether MFA was required: the
    /// counts are a floor, shown with "+?".
    pub(super) unknown: u64,
    /// Users who got in without MFA, the most sign-ins first.
    pub(super) total: usize,
    pub(super) preview: Preview<usize>,
    /// Every one of them, for the page's data.
    #[serde(skip)]
    pub(super) rows: Vec<usize>,
    pub(super) providers: Vec<ProviderRow>,
    /// Policies the sign-ins showed (with `observed`), out of `policies`.
    pub(super) policies_seen: usize,
    /// The non-interactive sign-ins counted apart, as text ("1,204 non-interactive sign-ins").
    pub(super) noninteractive: String,
}

#[derive(Serialize)]
pub(super) struct ProviderRow {
    pub(super) name: String,
    pub(super) signins: u64,
    /// Its share of the MFA challenges.
    pub(super) share: String,
}

pub(super) fn observed_view(report: &AuditReport) -> ObservedView {
    let verdict = findings::without_mfa(&report.without_mfa);
    let without = |i: &usize| {
        report.users[*i]
            .enforcement
            .observed
            .as_ref()
            .map_or(0, |o| o.signins_without_mfa)
    };
    let mut selected: Vec<usize> = (0..report.users.len()).filter(|i| without(i) > 0).collect();
    // Most sign-ins without MFA first; the directory order among equals.
    selected.sort_by_key(|i| std::cmp::Reverse(without(i)));
    let w = &report.without_mfa;
    ObservedView {
        known: !verdict.all_unknown,
        tone: verdict.tone.class(),
        sentence: verdict.sentence,
        unknown: verdict.unknown,
        total: selected.len(),
        preview: Preview::of(selected.iter().copied(), selected.len(), USERS),
        rows: selected,
        providers: w
            .required_by
            .iter()
            .map(|p| ProviderRow {
                name: p.name.clone(),
                signins: p.signins,
                share: percent_f(p.share, 1.0),
            })
            .collect(),
        policies_seen: report
            .policies
            .iter()
            .filter(|p| p.observed.is_some())
            .count(),
        noninteractive: count(
            w.noninteractive_signins.unwrap_or(0),
            ("non-interactive sign-in", "non-interactive sign-ins"),
        ),
    }
}
