//! The view of the "Who is required to use MFA" section: how many enabled users each scope
//! covers, which sources require it and of how many, the users an exclusion removes from an MFA
//! policy (the first rows, all of them in the page's data), and whether a policy export was read at all. The policies themselves the
//! template reads from the audit JSON (`policies`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::view::{Preview, USERS, percent};
use crate::report::audit::AuditReport;
use crate::report::findings;

#[derive(Serialize)]
pub(super) struct CoverageView {
    /// Some input said who is required to use MFA (a configuration export, or per-user states).
    pub(super) known: bool,
    pub(super) tone: &'static str,
    pub(super) sentence: String,
    /// Shares of the enabled users, as text.
    pub(super) pct: CoveragePct,
    /// `on`, `off`, or `unknown`.
    pub(super) security_defaults: &'static str,
    /// Each source that requires MFA of someone, with how many enabled users, widest first.
    pub(super) sources: Vec<SourceRow>,
    /// Users an exclusion removes from an enabled MFA policy: indexes into `users`.
    pub(super) excluded_total: usize,
    pub(super) excluded_preview: Preview<usize>,
    /// Every one of them, for the page's data.
    #[serde(skip)]
    pub(super) excluded: Vec<usize>,
    /// A policy export was read (the policies table has configured rows).
    pub(super) policies_known: bool,
}

#[derive(Serialize, Default)]
pub(super) struct CoveragePct {
    pub(super) always: String,
    pub(super) conditional: String,
    pub(super) never: String,
    pub(super) unknown: String,
    pub(super) protected: String,
}

#[derive(Serialize)]
pub(super) struct SourceRow {
    /// The policy's name, `per-user MFA` or `security defaults`.
    pub(super) name: String,
    pub(super) always: u64,
    pub(super) conditional: u64,
}

pub(super) fn coverage_view(report: &AuditReport) -> CoverageView {
    let s = &report.summary;
    let verdict = findings::unprotected(s);
    let e = &s.enforcement;
    let pct = match &e.mfa_required {
        Some(r) => CoveragePct {
            always: percent(r.always, s.users_enabled),
            conditional: percent(r.conditional, s.users_enabled),
            never: percent(r.never, s.users_enabled),
            unknown: percent(r.unknown, s.users_enabled),
            protected: percent(e.protected_enabled.unwrap_or(0), s.users_enabled),
        },
        None => CoveragePct::default(),
    };
    // Enabled users per source, counted from each user's own list.
    let mut sources: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut excluded = Vec::new();
    for (i, u) in report.users.iter().enumerate() {
        let Some(c) = &u.enforcement.configured else {
            continue;
        };
        if u.enabled == Some(false) {
            continue;
        }
        for r in c.required_by.iter().flatten() {
            let name = match r.source.as_ref() {
                "per-user" => "per-user MFA".to_string(),
                "security-defaults" => "security defaults".to_string(),
                _ => r
                    .policy
                    .as_deref()
                    .or(r.policy_id.as_deref())
                    .unwrap_or("(unnamed policy)")
                    .to_string(),
            };
            let entry = sources.entry(name).or_default();
            if r.scope == "always" {
                entry.0 += 1;
            } else {
                entry.1 += 1;
            }
        }
        if c.excluded_by.as_ref().is_some_and(|x| !x.is_empty()) {
            excluded.push(i);
        }
    }
    let mut sources: Vec<SourceRow> = sources
        .into_iter()
        .map(|(name, (always, conditional))| SourceRow {
            name,
            always,
            conditional,
        })
        .collect();
    sources.sort_by(|a, b| {
        (b.always + b.conditional, b.always).cmp(&(a.always + a.conditional, a.always))
    });
    CoverageView {
        known: e.mfa_required.is_some(),
        tone: verdict.tone.class(),
        sentence: verdict.sentence,
        pct,
        security_defaults: match e.security_defaults {
            Some(true) => "on",
            Some(false) => "off",
            None => "unknown",
        },
        sources,
        excluded_total: excluded.len(),
        excluded_preview: Preview::of(excluded.iter().copied(), excluded.len(), USERS),
        excluded,
        policies_known: report.policies.iter().any(|p| p.state.is_some()),
    }
}
