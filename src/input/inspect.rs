//! What mfaudit made of each input — kind (and why), encoding, records, users matched to the
//! merged directory, date range, warnings — and what the merged directory knows and does not
//! (`mfaudit inspect`; `report::inspection` writes it).

use std::path::PathBuf;

use serde::Serialize;

use crate::error::Result;
use crate::input::load::Inputs;
use crate::input::{self, ReadOptions};
use crate::model::config::TenantConfig;
use crate::model::{Access, Conflict, Directory, PerUserState, settled_by};

/// One file's line in the inspection.
#[derive(Debug, Serialize)]
pub struct FileReport {
    pub path: String,
    pub kind: String,
    pub kind_id: input::Kind,
    pub detected_because: String,
    pub encoding: String,
    pub records: u64,
    /// Directory files: records that joined a user another input already had.
    /// Activity files: sign-ins whose user is in the directory.
    pub matched: u64,
    pub skipped: u64,
    pub first_time: Option<String>,
    pub last_time: Option<String>,
    pub warnings: Vec<String>,
    /// Sign-in logs: which of the fields that tell enforcement their sign-ins carried; null for
    /// every other input.
    pub signin_fields: Option<SignInFieldsReport>,
    /// Configuration exports: what the file holds (`36 policies`, `12 role assignments`,
    /// `40 groups (3 with members)`); null for every other input.
    pub contents: Option<String>,
}

/// The enforcement fields a sign-in log carried, and those it did not (unknown for its sign-ins).
#[derive(Debug, Serialize)]
pub struct SignInFieldsReport {
    pub carried: Vec<&'static str>,
    pub missing: Vec<&'static str>,
}

/// What the merged directory knows.
#[derive(Debug, Serialize, Default)]
pub struct DirectoryReport {
    pub users: u64,
    pub access_allowed: u64,
    pub access_blocked: u64,
    /// MSOnline records with a null BlockCredential: PowerShell drops them from both lists.
    pub access_null_in_msonline_export: u64,
    /// No input gave the sign-in state: counted as enabled in the reports.
    pub access_unknown: u64,
    pub per_user_state_known: u64,
    pub per_user_state_unknown: u64,
    pub registration_unknown: u64,
    /// Blocked users with no registration data (expected: the registration report omits them).
    pub blocked_without_registration: u64,
    pub conflicts: Vec<Conflict>,
    /// What to add to settle the unknowns.
    pub advice: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Inspection {
    pub files: Vec<FileReport>,
    /// Files found in folders and not read, and why.
    pub skipped: Vec<input::Skipped>,
    pub directory: DirectoryReport,
}

/// Reads every input and describes it.
pub fn inspect(paths: &[PathBuf], opts: &ReadOptions) -> Result<Inspection> {
    let inputs = Inputs::identify(paths, opts, &[])?;
    let mut directory = Directory::new();
    let mut files = Vec::new();
    let mut contents: Vec<Option<String>> = vec![None; inputs.all.len()];
    for f in &inputs.all {
        let mut matched = 0u64;
        let stats = if f.kind.is_config() {
            let mut config = TenantConfig::default();
            let stats = input::read_config(f, opts, &mut config)?;
            contents[f.index as usize] = Some(config_contents(f.kind, &config, &stats));
            stats
        } else if f.kind.is_directory() {
            input::read_users(f, opts, &mut |u| {
                if directory.insert(u).1 {
                    matched += 1;
                }
                Ok(())
            })?
        } else if f.kind == input::Kind::AuthDetailsCsv {
            input::ReadStats::default()
        } else {
            // Activity is matched after the directory is complete (below).
            input::ReadStats::default()
        };
        files.push((f, stats, matched));
    }
    let auth: Vec<&input::InputFile> = inputs
        .all
        .iter()
        .filter(|f| f.kind == input::Kind::AuthDetailsCsv)
        .collect();
    let guest_index = crate::model::directory::GuestIndex::new(&directory);
    let mut read = Vec::new();
    for (f, mut stats, mut matched) in files {
        if f.kind.is_activity() && f.kind != input::Kind::AuthDetailsCsv {
            stats = input::read_signins(f, &auth, opts, &mut |s| {
                if guest_index
                    .find(&directory, s.user_id.as_deref(), s.upn.as_deref())
                    .is_some()
                {
                    matched += 1;
                }
                Ok(())
            })?;
        }
        read.push((f, stats, matched));
    }
    // An AuthDetails file is read with its main sign-in file: its rows come from there.
    let companions: Vec<(u32, u64)> = read
        .iter()
        .flat_map(|(_, s, _)| s.companions.iter().copied())
        .collect();
    for (f, stats, _) in &mut read {
        if let Some(&(_, rows)) = companions.iter().find(|(i, _)| *i == f.index) {
            stats.records = rows;
        }
    }
    let mut out = Vec::new();
    for (f, stats, matched) in read {
        let mut warnings = f.warnings.clone();
        warnings.extend(stats.warnings.iter().cloned());
        out.push(FileReport {
            path: f.path.display().to_string(),
            kind: f.kind.describe().to_string(),
            kind_id: f.kind,
            detected_because: f.reason.clone(),
            encoding: f.encoding.clone(),
            records: stats.records,
            matched,
            skipped: stats.skipped,
            first_time: stats.first_time.map(|t| t.to_string()),
            last_time: stats.last_time.map(|t| t.to_string()),
            warnings,
            signin_fields: f.kind.is_signin_log().then(|| SignInFieldsReport {
                carried: stats.fields.names(),
                missing: stats.fields.missing(),
            }),
            contents: contents[f.index as usize].take(),
        });
    }
    Ok(Inspection {
        files: out,
        skipped: inputs.skipped.clone(),
        directory: describe(&directory),
    })
}

/// What one configuration export holds, in words (`36 policies`, `40 groups (3 with members)`).
fn config_contents(kind: input::Kind, c: &TenantConfig, stats: &input::ReadStats) -> String {
    use crate::text::plural;
    use input::Kind;
    let assignments = c.roles.as_ref().map_or(0, Vec::len) as u64;
    match kind {
        Kind::ConditionalAccessJson => plural(
            c.policies.as_ref().map_or(0, Vec::len) as u64,
            "policy",
            "policies",
        ),
        Kind::SecurityDefaultsJson => match c.security_defaults {
            Some(true) => "security defaults on".into(),
            _ => "security defaults off".into(),
        },
        Kind::RoleEligibilityJson => plural(
            assignments,
            "eligible role assignment",
            "eligible role assignments",
        ),
        Kind::RoleAssignmentsJson | Kind::DirectoryRolesJson => {
            plural(assignments, "role assignment", "role assignments")
        }
        Kind::ExchangeRecipientsCsv => {
            let shared = c
                .mailboxes
                .iter()
                .filter(|m| m.class == crate::model::exceptions::Class::SharedMailbox)
                .count();
            format!(
                "{}: {shared} shared, {} room or equipment mailboxes",
                plural(stats.records, "recipient", "recipients"),
                c.mailboxes.len() - shared
            )
        }
        Kind::MfaServerBlockedCsv => {
            let events = c.mfa_server.blocks.as_deref().unwrap_or_default();
            let blocks = events.iter().filter(|e| e.blocked).count() as u64;
            let users: std::collections::HashSet<String> =
                events.iter().map(|e| e.user.to_lowercase()).collect();
            format!(
                "{}, {} of {}",
                plural(blocks, "block", "blocks"),
                plural(events.len() as u64 - blocks, "unblock", "unblocks"),
                plural(users.len() as u64, "user", "users")
            )
        }
        Kind::MfaServerBypassedCsv => {
            let events = c.mfa_server.bypasses.as_deref().unwrap_or_default();
            let users: std::collections::HashSet<String> =
                events.iter().map(|e| e.user.to_lowercase()).collect();
            format!(
                "{} granted to {}",
                plural(events.len() as u64, "one-time bypass", "one-time bypasses"),
                plural(users.len() as u64, "user", "users")
            )
        }
        Kind::RoleDefinitionsJson => {
            let custom = c
                .role_built_in
                .iter()
                .filter(|(_, built_in)| !**built_in)
                .count();
            format!(
                "{} ({custom} custom)",
                plural(stats.records, "role definition", "role definitions")
            )
        }
        _ => {
            let with_members = c.groups.values().filter(|g| g.members.is_some()).count();
            let groups = format!(
                "{} ({with_members} with members)",
                plural(c.groups.len() as u64, "group", "groups")
            );
            if kind == Kind::GroupMembersCsv {
                format!(
                    "{}: {groups}",
                    plural(stats.records, "membership", "memberships")
                )
            } else {
                groups
            }
        }
    }
}

fn describe(d: &Directory) -> DirectoryReport {
    let mut r = DirectoryReport {
        users: d.len() as u64,
        conflicts: d.conflicts.clone(),
        ..DirectoryReport::default()
    };
    // Each gap with what would settle it, as the gap of each user says.
    let mut registration_gaps: std::collections::BTreeMap<String, u64> = Default::default();
    let mut state_gaps: std::collections::BTreeMap<String, u64> = Default::default();
    for u in &d.users {
        match u.access {
            Access::Allowed => r.access_allowed += 1,
            Access::Blocked => r.access_blocked += 1,
            Access::NullInExport => r.access_null_in_msonline_export += 1,
            Access::Unknown => r.access_unknown += 1,
        }
        if u.per_user_state == PerUserState::Unknown {
            r.per_user_state_unknown += 1;
            *state_gaps.entry(crate::model::state_why(u)).or_default() += 1;
        } else {
            r.per_user_state_known += 1;
        }
        if u.methods.is_none() && u.mfa_registered.is_none() {
            // Microsoft's registration report leaves disabled users out: that is not a gap.
            if u.access == Access::Blocked {
                r.blocked_without_registration += 1;
            } else {
                r.registration_unknown += 1;
                if let Some(gap) = crate::model::methods_gap(u) {
                    *registration_gaps.entry(gap.why()).or_default() += 1;
                }
            }
        }
    }
    if r.access_unknown > 0 {
        r.advice.push(format!(
            "{} user(s) have no sign-in state (counted as enabled): add {}",
            r.access_unknown,
            settled_by::SIGN_IN_STATE
        ));
    }
    if r.access_null_in_msonline_export > 0 {
        r.advice.push(format!(
            "{} MSOnline record(s) carry BlockCredential as null: PowerShell's pipelines leave them out of both lists, and so does mfaudit",
            r.access_null_in_msonline_export
        ));
    }
    for (why, n) in state_gaps {
        r.advice.push(format!(
            "{n} user(s) have no per-user MFA state (MFA Status reads Unknown): {why}"
        ));
    }
    for (why, n) in registration_gaps {
        r.advice
            .push(format!("{n} user(s) have no registration data: {why}"));
    }
    r
}
