//! Detection: names the kind of an export from its first kilobytes of decoded text, never from the
//! file name. A pure function, so it is tested on snippets; it returns the reason too, so `inspect`
//! can show it and an unknown file's error can list what was tried.

use serde::Serialize;

use super::csv_util::csv_header;
use crate::vocab::headers::{SignInColumn as Col, signin_column};
use crate::vocab::names;

/// Every kind of input mfaudit knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// `Get-MsolUser | ConvertTo-Json` (Windows PowerShell 5.1 or PowerShell 7).
    MsolJson,
    /// `Get-MsolUser | Export-Clixml`.
    MsolClixml,
    /// A raw `Get-MsolUser | Export-Csv`: type names, no MFA data. Refused with an explanation.
    MsolRawCsv,
    /// `MFA_Report.csv` (UserPrincipalName, MFA Status, MFA Methods), read back in.
    MfaReportCsv,
    /// Script-flattened MSOnline reports (AdminDroid/o365reports, in-house variants).
    FlatMsolCsv,
    /// Graph `userRegistrationDetails` JSON (v1.0 or beta).
    GraphRegistrationJson,
    /// Registration details as CSV: the admin center download, the Graph SDK, other tools.
    RegistrationCsv,
    /// Graph `/users` JSON.
    GraphUsersJson,
    /// The admin center "Download users" CSV and other user lists.
    UsersCsv,
    /// Per-user MFA state collections (`perUserMfaState`) as JSON.
    PerUserStateJson,
    /// Per-user MFA state collections as CSV.
    PerUserStateCsv,
    /// Sign-ins as JSON: Graph `signIns` pages, the admin center JSON download, JSON Lines.
    SignInJson,
    /// The Azure Monitor diagnostic archive (`PT1H.json`, `{"records":[...]}`).
    AzureMonitorJson,
    /// The admin center sign-in CSV download (main file).
    SignInCsv,
    /// The admin center `*_AuthDetails_*.csv` companion.
    AuthDetailsCsv,
    /// Log Analytics "Export to CSV" of `SigninLogs`.
    LogAnalyticsCsv,
    /// MFA Server activity CSV (read through `--mfa-server-columns`).
    MfaServerCsv,
    /// Conditional Access policies: Graph pages, one policy per file, PowerShell SDK arrays.
    ConditionalAccessJson,
    /// The `identitySecurityDefaultsEnforcementPolicy` object.
    SecurityDefaultsJson,
    /// Active directory role assignments (`roleAssignments`, active PIM schedules/instances).
    RoleAssignmentsJson,
    /// Eligible (PIM) role assignments (`roleEligibilitySchedules` / `...Instances`).
    RoleEligibilityJson,
    /// `directoryRoles` with their members expanded.
    DirectoryRolesJson,
    /// Directory role definitions (`roleManagement/directory/roleDefinitions`).
    RoleDefinitionsJson,
    /// Groups, with `members` / `transitiveMembers` expanded or as objects alone.
    GroupsJson,
    /// A group membership CSV, one row per membership.
    GroupMembersCsv,
    /// An Exchange recipient export (`Get-EXOMailbox` / `Get-Recipient | Export-Csv`).
    ExchangeRecipientsCsv,
    /// The MFA Server's Blocked User History (read through `--mfa-server-blocked-columns`).
    MfaServerBlockedCsv,
    /// The MFA Server's Bypassed User History (read through `--mfa-server-bypassed-columns`).
    MfaServerBypassedCsv,
}

impl Kind {
    /// A short human name for messages and `inspect`.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::MsolJson => "Get-MsolUser JSON (ConvertTo-Json)",
            Kind::MsolClixml => "Get-MsolUser CLIXML (Export-Clixml)",
            Kind::MsolRawCsv => "raw Get-MsolUser Export-Csv",
            Kind::MfaReportCsv => "MFA_Report.csv (classic report)",
            Kind::FlatMsolCsv => "flattened MSOnline MFA report CSV",
            Kind::GraphRegistrationJson => "Graph userRegistrationDetails JSON",
            Kind::RegistrationCsv => "user registration details CSV",
            Kind::GraphUsersJson => "Graph users JSON",
            Kind::UsersCsv => "users CSV",
            Kind::PerUserStateJson => "per-user MFA state JSON",
            Kind::PerUserStateCsv => "per-user MFA state CSV",
            Kind::SignInJson => "sign-in log JSON",
            Kind::AzureMonitorJson => "Azure Monitor sign-in archive",
            Kind::SignInCsv => "admin center sign-in CSV",
            Kind::AuthDetailsCsv => "admin center sign-in AuthDetails CSV",
            Kind::LogAnalyticsCsv => "Log Analytics SigninLogs CSV",
            Kind::MfaServerCsv => "MFA Server activity CSV",
            Kind::ConditionalAccessJson => "Conditional Access policies JSON",
            Kind::SecurityDefaultsJson => "security defaults policy JSON",
            Kind::RoleAssignmentsJson => "directory role assignments JSON",
            Kind::RoleEligibilityJson => "eligible (PIM) role assignments JSON",
            Kind::DirectoryRolesJson => "directory roles with members JSON",
            Kind::RoleDefinitionsJson => "directory role definitions JSON",
            Kind::GroupsJson => "groups JSON",
            Kind::GroupMembersCsv => "group membership CSV",
            Kind::ExchangeRecipientsCsv => "Exchange recipient export CSV",
            Kind::MfaServerBlockedCsv => "MFA Server Blocked User History CSV",
            Kind::MfaServerBypassedCsv => "MFA Server Bypassed User History CSV",
        }
    }

    /// A configuration export (policies, security defaults, roles, groups): neither the
    /// directory of users nor activity.
    pub fn is_config(self) -> bool {
        matches!(
            self,
            Kind::ConditionalAccessJson
                | Kind::SecurityDefaultsJson
                | Kind::RoleAssignmentsJson
                | Kind::RoleEligibilityJson
                | Kind::DirectoryRolesJson
                | Kind::RoleDefinitionsJson
                | Kind::GroupsJson
                | Kind::GroupMembersCsv
                | Kind::ExchangeRecipientsCsv
                | Kind::MfaServerBlockedCsv
                | Kind::MfaServerBypassedCsv
        )
    }

    /// Activity: sign-in logs, their AuthDetails companions, MFA Server calls.
    pub fn is_activity(self) -> bool {
        matches!(
            self,
            Kind::SignInJson
                | Kind::AzureMonitorJson
                | Kind::SignInCsv
                | Kind::AuthDetailsCsv
                | Kind::LogAnalyticsCsv
                | Kind::MfaServerCsv
        )
    }

    /// A sign-in log (not MFA Server calls): only these can show who got in without MFA.
    pub fn is_signin_log(self) -> bool {
        matches!(
            self,
            Kind::SignInJson | Kind::AzureMonitorJson | Kind::SignInCsv | Kind::LogAnalyticsCsv
        )
    }

    /// True for kinds that describe users (the directory); false for activity and for
    /// configuration exports.
    pub fn is_directory(self) -> bool {
        !self.is_activity() && !self.is_config()
    }
}

/// The verdict and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    pub kind: Kind,
    pub reason: String,
}

/// Everything detection tries, for the "unknown format" message.
pub const TRIED: &str = "MSOnline exports (Get-MsolUser JSON/CLIXML, MFA_Report.csv, flattened CSVs), \
registration details, users, per-user MFA state, sign-ins (Graph, admin center JSON/CSV with AuthDetails, \
Azure Monitor, Log Analytics), Conditional Access, security defaults, roles, groups, Exchange recipients";

/// What `mfaudit pull`'s manifest is said to be when a folder walk passes it over (and how the
/// audit knows to read what it says about the files beside it).
pub const PULL_MANIFEST: &str =
    "the manifest of mfaudit pull (what was pulled and when), not an export";

/// What an output of mfaudit's own is, when the head is one: a report is never an input (a second
/// audit in the same folder must not read the first one's CSV as a directory export).
pub fn own_output(head: &str) -> Option<&'static str> {
    let text = head.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    match text.chars().next()? {
        '{' => {
            // `"schema": "mfaudit.audit/1"` is the first member mfaudit writes.
            let after = text[1..].trim_start();
            let rest = after.strip_prefix("\"schema\"")?.trim_start();
            let value = rest.strip_prefix(':')?.trim_start();
            if value.starts_with(&format!("\"{}\"", crate::pull::MANIFEST_SCHEMA)) {
                return Some(PULL_MANIFEST);
            }
            value
                .starts_with("\"mfaudit.")
                .then_some("an mfaudit report (its --json output), not an export")
        }
        '<' => {
            let lower = text[..text.len().min(4096)].to_ascii_lowercase();
            (lower.starts_with("<!doctype html")
                && lower.contains("<meta name=\"generator\" content=\"mfaudit"))
            .then_some("an mfaudit report (its --html output), not an export")
        }
        _ => {
            use crate::vocab::own_outputs::{CSV_HEADER, EARLIER_CSV_HEADERS, MARKDOWN_TITLE};
            if text.starts_with(MARKDOWN_TITLE) {
                return Some("an mfaudit report (its --markdown output), not an export");
            }
            let first = text.lines().next()?;
            let first = first.trim_end();
            let own = std::iter::once(&CSV_HEADER[..])
                .chain(EARLIER_CSV_HEADERS)
                .any(|header| header.join(",") == first);
            own.then_some("an mfaudit report (its --csv output), not an export")
        }
    }
}

/// Names the kind of a decoded input from its head. `None` when nothing matched.
pub fn detect(head: &str) -> Option<Detection> {
    let text = head.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    let first = text.chars().next()?;
    match first {
        '<' => detect_xml(text),
        '[' | '{' => detect_json(text),
        _ => detect_csv(text),
    }
}

fn found(kind: Kind, reason: impl Into<String>) -> Option<Detection> {
    Some(Detection {
        kind,
        reason: reason.into(),
    })
}

fn detect_xml(text: &str) -> Option<Detection> {
    if text.contains("schemas.microsoft.com/powershell/2004/04") || text.starts_with("<Objs") {
        return found(Kind::MsolClixml, "PowerShell CLIXML root <Objs>");
    }
    None
}

/// True when `"name"` appears as a JSON member name (case-insensitive).
fn has_key(lower: &str, name: &str) -> bool {
    let pat = format!("\"{}\"", name.to_ascii_lowercase());
    let mut from = 0;
    while let Some(i) = lower[from..].find(&pat) {
        let after = &lower[from + i + pat.len()..];
        if after.trim_start().starts_with(':') {
            return true;
        }
        from += i + pat.len();
    }
    false
}

fn detect_json(text: &str) -> Option<Detection> {
    let lower = text.to_ascii_lowercase();
    if let Some(ctx) = lower.find("$metadata#") {
        let rest = &lower[ctx..];
        if rest.starts_with("$metadata#reports/authenticationmethods/userregistrationdetails") {
            return found(
                Kind::GraphRegistrationJson,
                "@odata.context is userRegistrationDetails",
            );
        }
        if rest.starts_with("$metadata#auditlogs/signins") {
            return found(Kind::SignInJson, "@odata.context is auditLogs/signIns");
        }
        if let Some(d) = config_context(rest) {
            return Some(d);
        }
    }
    // Configuration exports before the user and sign-in heuristics: a role assignment's
    // expanded principal has a userPrincipalName, an eligibility schedule a createdDateTime and
    // a status.
    if let Some(d) = config_content(&lower) {
        return Some(d);
    }
    if has_key(&lower, "perusermfastate") {
        return found(Kind::PerUserStateJson, "records carry perUserMfaState");
    }
    if has_key(&lower, "strongauthenticationmethods")
        || has_key(&lower, "strongauthenticationrequirements")
        || has_key(&lower, "blockcredential")
    {
        return found(
            Kind::MsolJson,
            "records carry StrongAuthentication*/BlockCredential (Get-MsolUser)",
        );
    }
    if has_key(&lower, "operationname")
        && has_key(&lower, "properties")
        && has_key(&lower, "category")
    {
        return found(
            Kind::AzureMonitorJson,
            "records carry the Azure Monitor envelope (operationName, category, properties)",
        );
    }
    if has_key(&lower, "methodsregistered")
        || has_key(&lower, "ismfaregistered")
        || has_key(&lower, "ismfacapable")
    {
        return found(
            Kind::GraphRegistrationJson,
            "records carry methodsRegistered/isMfaRegistered",
        );
    }
    if has_key(&lower, "createddatetime")
        && (has_key(&lower, "authenticationdetails")
            || has_key(&lower, "status")
            || has_key(&lower, "appdisplayname")
            || has_key(&lower, "authenticationrequirement"))
    {
        return found(
            Kind::SignInJson,
            "records carry createdDateTime with sign-in fields (status, authenticationDetails)",
        );
    }
    if has_key(&lower, "accountenabled")
        || lower.contains("$metadata#users")
        || (has_key(&lower, "userprincipalname") && has_key(&lower, "id"))
    {
        return found(
            Kind::GraphUsersJson,
            "records carry userPrincipalName with id/accountEnabled (Graph users)",
        );
    }
    None
}

/// The configuration export an `@odata.context` names (`rest` starts at `$metadata#`, lower case).
fn config_context(rest: &str) -> Option<Detection> {
    let path = &rest["$metadata#".len()..];
    let is = |prefix: &str| path.starts_with(prefix);
    // The whole name of a collection (`groups`, not `groupSettings`).
    let whole = |name: &str| {
        is(name)
            && path[name.len()..]
                .chars()
                .next()
                .is_some_and(|c| matches!(c, '"' | '(' | '/'))
    };
    let (kind, why) = if is("identity/conditionalaccess/policies") {
        (
            Kind::ConditionalAccessJson,
            "@odata.context is identity/conditionalAccess/policies",
        )
    } else if is("policies/identitysecuritydefaultsenforcementpolicy") {
        (
            Kind::SecurityDefaultsJson,
            "@odata.context is policies/identitySecurityDefaultsEnforcementPolicy",
        )
    } else if is("rolemanagement/directory/roleeligibilityschedule") {
        (
            Kind::RoleEligibilityJson,
            "@odata.context is roleManagement/directory/roleEligibilitySchedule(Instance)s",
        )
    } else if is("rolemanagement/directory/roleassignment") {
        (
            Kind::RoleAssignmentsJson,
            "@odata.context is roleManagement/directory/roleAssignments",
        )
    } else if is("rolemanagement/directory/roledefinitions") {
        (
            Kind::RoleDefinitionsJson,
            "@odata.context is roleManagement/directory/roleDefinitions",
        )
    } else if whole("directoryroles") {
        (Kind::DirectoryRolesJson, "@odata.context is directoryRoles")
    } else if whole("groups") {
        (Kind::GroupsJson, "@odata.context is groups")
    } else {
        return None;
    };
    found(kind, why)
}

/// A configuration export recognised by the members its records carry (`lower` is the head in
/// lower case). The order matters: a policy names roles and groups, a role assignment may expand
/// its principal (a group) and its definition, a directory role has members.
fn config_content(lower: &str) -> Option<Detection> {
    let has = |name: &str| has_key(lower, name);
    if has("conditions")
        && has("state")
        && ((has("users") && has("applications"))
            || lower.contains("models.microsoftgraphconditionalaccess"))
    {
        return found(
            Kind::ConditionalAccessJson,
            "records carry conditions (users, applications) and state (Conditional Access policies)",
        );
    }
    if has("isenabled")
        && (lower.contains("00000000-0000-0000-0000-000000000005")
            || lower.contains("\"security defaults\""))
    {
        return found(
            Kind::SecurityDefaultsJson,
            "the Security Defaults policy object (id ...0005, isEnabled)",
        );
    }
    if has("roledefinitionid") && has("principalid") {
        let eligible = has("roleeligibilityscheduleid")
            || ((has("scheduleinfo") || has("membertype")) && !has("assignmenttype"));
        return if eligible {
            found(
                Kind::RoleEligibilityJson,
                "records carry principalId and roleDefinitionId with an eligibility schedule",
            )
        } else {
            found(
                Kind::RoleAssignmentsJson,
                "records carry principalId and roleDefinitionId (role assignments)",
            )
        };
    }
    if has("roletemplateid") {
        return found(
            Kind::DirectoryRolesJson,
            "records carry roleTemplateId (directoryRoles)",
        );
    }
    if has("rolepermissions") || (has("isbuiltin") && has("templateid")) {
        return found(
            Kind::RoleDefinitionsJson,
            "records carry rolePermissions / isBuiltIn (role definitions)",
        );
    }
    if has("id") && (has("members") || has("transitivemembers")) {
        return found(
            Kind::GroupsJson,
            "records carry id with members / transitiveMembers (groups)",
        );
    }
    if has("grouptypes") || (has("securityenabled") && has("mailenabled")) {
        return found(
            Kind::GroupsJson,
            "records carry groupTypes / securityEnabled (group objects)",
        );
    }
    None
}

/// Whether the rows in the head hold .NET type names in any of `columns` (or give nothing to go
/// by: no row with a value there, which a raw export of users without MFA data looks like too).
fn cells_hold_type_names(text: &str, columns: &[usize]) -> bool {
    let (_, _, delimiter) = csv_header(text);
    let mut rows = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut any_value = false;
    for record in rows.records().flatten() {
        for &c in columns {
            let Some(cell) = record.get(c).map(str::trim).filter(|v| !v.is_empty()) else {
                continue;
            };
            if super::msonline::is_type_name(cell) || cell.starts_with("System.") {
                return true;
            }
            any_value = true;
        }
    }
    !any_value
}

fn detect_csv(text: &str) -> Option<Detection> {
    let (type_line, header, _) = csv_header(text);
    let cols: Vec<String> = header.iter().map(|h| names::key(h)).collect();
    let has = |name: &str| cols.iter().any(|c| c == name);
    let any = |names: &[&str]| names.iter().any(|n| has(n));
    if let Some(t) = &type_line
        && t.to_ascii_lowercase()
            .contains("microsoft.online.administration.user")
        && !t.to_ascii_lowercase().contains("selected.")
    {
        return found(
            Kind::MsolRawCsv,
            "#TYPE Microsoft.Online.Administration.User",
        );
    }
    // A StrongAuthentication* column is a raw Get-MsolUser | Export-Csv only when its cells hold
    // .NET type names; a flattening script's column of method names is a flattened report.
    let strong: Vec<usize> = cols
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            matches!(
                c.as_str(),
                "strongauthenticationmethods" | "strongauthenticationrequirements"
            )
        })
        .map(|(i, _)| i)
        .collect();
    if !strong.is_empty() {
        if cells_hold_type_names(text, &strong) {
            return found(
                Kind::MsolRawCsv,
                "StrongAuthentication* columns hold type names",
            );
        }
        return found(
            Kind::FlatMsolCsv,
            "StrongAuthentication* columns hold method names and states (a flattened report)",
        );
    }
    if has("userprincipalname") && has("mfastatus") && has("mfamethods") && cols.len() == 3 {
        return found(
            Kind::MfaReportCsv,
            "header UserPrincipalName, MFA Status, MFA Methods",
        );
    }
    // An Exchange recipient export: what kind of mailbox each account is.
    if has("recipienttypedetails") {
        return found(
            Kind::ExchangeRecipientsCsv,
            "a RecipientTypeDetails column (Get-EXOMailbox / Get-Recipient)",
        );
    }
    // A membership CSV: a group and a member on every row (through the header alias table).
    {
        use crate::vocab::headers::{GroupMemberColumn as M, group_member_column};
        let member: Vec<Option<M>> = header.iter().map(|h| group_member_column(h)).collect();
        if member.contains(&Some(M::GroupId)) && member.contains(&Some(M::MemberId)) {
            return found(Kind::GroupMembersCsv, "groupId and memberId columns");
        }
    }
    // The directory CSVs are recognised through their readers' own alias tables.
    use super::graph::{Field as G, names_any};
    if names_any(&cols, &[G::PerUserState]) {
        return found(Kind::PerUserStateCsv, "a perUserMfaState column");
    }
    // Sign-in CSVs are recognised through the one header alias table (English, French, Spanish).
    let sig: Vec<Option<Col>> = header.iter().map(|h| signin_column(h)).collect();
    let has_col = |c: Col| sig.contains(&Some(c));
    if has_col(Col::RequestId)
        && has_col(Col::StepMethod)
        && (has_col(Col::StepSucceeded) || has_col(Col::StepResultDetail))
        && !has("date(utc)")
        && !has_col(Col::UserAgent)
        && !has_col(Col::Username)
    {
        return found(
            Kind::AuthDetailsCsv,
            "Request ID with Authentication method and Succeeded/Result detail",
        );
    }
    if any(&["timegenerated[utc]", "timegenerated"])
        && any(&["userprincipalname", "resulttype", "authenticationdetails"])
    {
        return found(
            Kind::LogAnalyticsCsv,
            "TimeGenerated with SigninLogs columns",
        );
    }
    // The main file's own date and request columns, not Graph property names that a user list
    // shares with Log Analytics (createdDateTime, id).
    let own = |c: Col, not: &[&str]| {
        header
            .iter()
            .zip(&cols)
            .any(|(h, n)| signin_column(h) == Some(c) && !not.contains(&n.as_str()))
    };
    if own(Col::Date, &["createddatetime", "createddatetime[utc]"])
        && (own(Col::RequestId, &["id"]) || own(Col::CorrelationId, &[]))
        && !has("accountenabled")
    {
        return found(
            Kind::SignInCsv,
            "Date (UTC) with Request ID (admin center sign-in download)",
        );
    }
    if names_any(&cols, &[G::Methods, G::MfaRegistered, G::MfaCapable]) {
        return found(
            Kind::RegistrationCsv,
            "registration details columns (methodsRegistered, isMfaCapable...)",
        );
    }
    if super::flat_csv::names_mfa_columns(&cols) {
        return found(
            Kind::FlatMsolCsv,
            "flattened MSOnline MFA columns (MFAStatus, MFA Methods...)",
        );
    }
    if names_any(&cols, &[G::Upn]) {
        return found(
            Kind::UsersCsv,
            "a userPrincipalName column without MFA columns (a user list)",
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> Option<Kind> {
        detect(s).map(|d| d.kind)
    }

    /// The audit CSV's header, as this version and the earlier ones wrote it (13, 16 and 18
    /// columns, `user_type` and `is_admin` in none of them), marks our own output; a header that
    /// merely starts like one does not.
    #[test]
    fn every_audit_csv_header_is_our_own_output() {
        use crate::vocab::own_outputs::CSV_HEADER;
        let csv = "an mfaudit report (its --csv output), not an export";
        let now = CSV_HEADER.join(",");
        assert!(now.starts_with("upn,display_name,user_type,is_admin,enabled,registered,"));
        let v18 = now.replace("user_type,is_admin,", "");
        let v16 = v18.replace(",mfa_required,excluded_by", "");
        let v13 = v16.replace(
            ",signins_without_mfa,legacy_auth_signins,apps_without_mfa",
            "",
        );
        assert!(v13.ends_with(",last_signin,flags"), "{v13}");
        for header in [&now, &v18, &v16, &v13] {
            let head = format!("\u{feff}{header}\r\nada@contoso.com");
            let head = head.trim_start_matches('\u{feff}');
            assert_eq!(own_output(head), Some(csv), "{header}");
        }
        for not_ours in [
            CSV_HEADER[..14].join(","),
            v18.replace(",mfa_required", ""),
            now.replace(",is_admin", ""),
        ] {
            assert_eq!(own_output(&not_ours), None, "{not_ours}");
        }
        assert_eq!(
            own_output("# MFA audit, generated 2026-11-30T08:00:00Z\n"),
            Some("an mfaudit report (its --markdown output), not an export")
        );
        assert_eq!(own_output("# MFA audit notes\n"), None);
    }

    #[test]
    fn json_kinds() {
        assert_eq!(
            kind("[\r\n    {\r\n        \"BlockCredential\":  false,"),
            Some(Kind::MsolJson)
        );
        assert_eq!(
            kind("{\"UserPrincipalName\":\"a\",\"StrongAuthenticationMethods\":[]}"),
            Some(Kind::MsolJson)
        );
        assert_eq!(
            kind(
                "{\"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#reports/authenticationMethods/userRegistrationDetails\", \"value\": []}"
            ),
            Some(Kind::GraphRegistrationJson)
        );
        assert_eq!(
            kind(
                "{\"@odata.context\":\"https://graph.microsoft.com/beta/$metadata#auditLogs/signIns\",\"value\":[]}"
            ),
            Some(Kind::SignInJson)
        );
        assert_eq!(
            kind(
                "{\"time\":\"x\",\"operationName\":\"Sign-in activity\",\"category\":\"SignInLogs\",\"properties\":{}}"
            ),
            Some(Kind::AzureMonitorJson)
        );
        assert_eq!(
            kind(
                "{\"records\":[{\"operationName\":\"Sign-in activity\",\"category\":\"SignInLogs\",\"properties\":{}}]}"
            ),
            Some(Kind::AzureMonitorJson)
        );
        assert_eq!(
            kind(
                "[{\"id\":\"1\",\"createdDateTime\":\"x\",\"userPrincipalName\":\"a\",\"status\":{}}]"
            ),
            Some(Kind::SignInJson)
        );
        assert_eq!(
            kind("[{\"id\":\"1\",\"userPrincipalName\":\"a\",\"accountEnabled\":true}]"),
            Some(Kind::GraphUsersJson)
        );
        assert_eq!(
            kind("[{\"userPrincipalName\":\"a\",\"perUserMfaState\":\"enforced\"}]"),
            Some(Kind::PerUserStateJson)
        );
        assert_eq!(kind("[{\"hello\":1}]"), None);
    }

    #[test]
    fn csv_kinds() {
        assert_eq!(
            kind("\"UserPrincipalName\",\"MFA Status\",\"MFA Methods\"\r\n"),
            Some(Kind::MfaReportCsv)
        );
        assert_eq!(
            kind(
                "#TYPE Microsoft.Online.Administration.User\r\n\"ExtensionData\",\"BlockCredential\""
            ),
            Some(Kind::MsolRawCsv)
        );
        assert_eq!(
            kind(
                "userPrincipalName,userDisplayName,isMfaCapable,isPasswordlessCapable,isSsprCapable,defaultMfaMethod,methodsRegistered,lastUpdatedDateTime"
            ),
            Some(Kind::RegistrationCsv)
        );
        assert_eq!(
            kind("\u{feff}id,displayName,userPrincipalName,department,jobTitle,userType"),
            Some(Kind::UsersCsv)
        );
        assert_eq!(
            kind(
                "DisplayName,UserPrincipalName,MFAStatus,ActivationStatus,DefaultMFAMethod,AllMFAMethods"
            ),
            Some(Kind::FlatMsolCsv)
        );
        assert_eq!(
            kind("Date (UTC),Request ID,User agent,Correlation ID,User ID"),
            Some(Kind::SignInCsv)
        );
        assert_eq!(
            kind(
                "Request ID,Date,Authentication method,Authentication method detail,Succeeded,Result detail,Requirement"
            ),
            Some(Kind::AuthDetailsCsv)
        );
        assert_eq!(
            kind(
                "TenantId,SourceSystem,TimeGenerated [UTC],ResourceId,OperationName,ResultType,UserPrincipalName"
            ),
            Some(Kind::LogAnalyticsCsv)
        );
        assert_eq!(
            kind("UserPrincipalName;MFA Status;MFA Methods"),
            Some(Kind::MfaReportCsv)
        );
        assert_eq!(kind("a,b,c"), None);
    }

    /// The configuration exports, by their context and by their members alone; and the exports
    /// they could be taken for still detected as before.
    #[test]
    fn config_kinds() {
        let ctx = |path: &str| {
            kind(&format!(
                "{{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#{path}\",\"value\":[]}}"
            ))
        };
        assert_eq!(
            ctx("identity/conditionalAccess/policies"),
            Some(Kind::ConditionalAccessJson)
        );
        assert_eq!(
            ctx("identity/conditionalAccess/policies/$entity"),
            Some(Kind::ConditionalAccessJson)
        );
        assert_eq!(
            ctx("policies/identitySecurityDefaultsEnforcementPolicy/$entity"),
            Some(Kind::SecurityDefaultsJson)
        );
        assert_eq!(
            ctx("roleManagement/directory/roleAssignments(principal())"),
            Some(Kind::RoleAssignmentsJson)
        );
        assert_eq!(
            ctx("roleManagement/directory/roleAssignmentScheduleInstances"),
            Some(Kind::RoleAssignmentsJson)
        );
        assert_eq!(
            ctx("roleManagement/directory/roleEligibilitySchedules"),
            Some(Kind::RoleEligibilityJson)
        );
        assert_eq!(
            ctx("roleManagement/directory/roleEligibilityScheduleInstances"),
            Some(Kind::RoleEligibilityJson)
        );
        assert_eq!(
            ctx("roleManagement/directory/roleDefinitions"),
            Some(Kind::RoleDefinitionsJson)
        );
        assert_eq!(
            ctx("directoryRoles(members())"),
            Some(Kind::DirectoryRolesJson)
        );
        assert_eq!(
            ctx("groups(id,displayName,members())"),
            Some(Kind::GroupsJson)
        );
        assert_eq!(ctx("groups"), Some(Kind::GroupsJson));
        assert_eq!(ctx("groupSettings"), None);
        assert_eq!(ctx("identity/conditionalAccess/namedLocations"), None);

        assert_eq!(
            kind(r#"[{"Conditions":{"Users":{},"Applications":{}},"State":"enabled"}]"#),
            Some(Kind::ConditionalAccessJson)
        );
        assert_eq!(
            kind(
                r#"[{"Conditions":"Microsoft.Graph.PowerShell.Models.MicrosoftGraphConditionalAccessConditionSet","State":"enabled"}]"#
            ),
            Some(Kind::ConditionalAccessJson)
        );
        assert_eq!(
            kind(
                r#"{"Id":"00000000-0000-0000-0000-000000000005","DisplayName":"Security Defaults","IsEnabled":true}"#
            ),
            Some(Kind::SecurityDefaultsJson)
        );
        assert_eq!(
            kind(
                r#"[{"id":"a","roleDefinitionId":"r","principalId":"p","directoryScopeId":"/","principal":{"id":"p","userPrincipalName":"a@x","accountEnabled":true}}]"#
            ),
            Some(Kind::RoleAssignmentsJson)
        );
        assert_eq!(
            kind(
                r#"[{"id":"e","roleDefinitionId":"r","principalId":"p","memberType":"Direct","status":"Provisioned","createdDateTime":"2024-01-01T00:00:00Z"}]"#
            ),
            Some(Kind::RoleEligibilityJson)
        );
        assert_eq!(
            kind(
                r#"[{"id":"d","displayName":"Global Administrator","roleTemplateId":"t","members":[]}]"#
            ),
            Some(Kind::DirectoryRolesJson)
        );
        assert_eq!(
            kind(r#"[{"id":"t","displayName":"x","templateId":"t","isBuiltIn":true}]"#),
            Some(Kind::RoleDefinitionsJson)
        );
        assert_eq!(
            kind(
                r#"[{"id":"g","displayName":"x","members":[{"id":"u","userPrincipalName":"a@x"}]}]"#
            ),
            Some(Kind::GroupsJson)
        );
        assert_eq!(
            kind(
                r#"{"id":"g","createdDateTime":"2024-05-24T09:26:12Z","displayName":"x","groupTypes":[],"securityEnabled":true}"#
            ),
            Some(Kind::GroupsJson)
        );
        // Users with the groups they are in are still users.
        assert_eq!(
            kind(
                r#"[{"id":"u","userPrincipalName":"a@x","accountEnabled":true,"memberOf":[{"id":"g","displayName":"x","securityEnabled":true}]}]"#
            ),
            Some(Kind::GraphUsersJson)
        );
        assert_eq!(
            kind("groupId,groupDisplayName,memberId,memberUserPrincipalName,memberType\r\n"),
            Some(Kind::GroupMembersCsv)
        );
        assert_eq!(kind("Group ID;Member ID\r\n"), Some(Kind::GroupMembersCsv));
    }

    #[test]
    fn config_kinds_are_neither_directory_nor_activity() {
        for k in [
            Kind::ConditionalAccessJson,
            Kind::SecurityDefaultsJson,
            Kind::RoleAssignmentsJson,
            Kind::RoleEligibilityJson,
            Kind::DirectoryRolesJson,
            Kind::RoleDefinitionsJson,
            Kind::GroupsJson,
            Kind::GroupMembersCsv,
            Kind::ExchangeRecipientsCsv,
            Kind::MfaServerBlockedCsv,
            Kind::MfaServerBypassedCsv,
        ] {
            assert!(
                k.is_config() && !k.is_directory() && !k.is_activity(),
                "{k:?}"
            );
            assert!(!k.is_signin_log());
        }
        assert!(Kind::UsersCsv.is_directory() && !Kind::UsersCsv.is_config());
        assert!(Kind::SignInJson.is_activity() && !Kind::SignInJson.is_config());
    }

    #[test]
    fn xml_kind() {
        assert_eq!(
            kind(
                "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">"
            ),
            Some(Kind::MsolClixml)
        );
    }
}
