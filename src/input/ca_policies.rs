//! Conditional Access policies (enforcement.md §1.1) and the security defaults policy (§1.2).
//!
//! Policies come as Graph pages (`identity/conditionalAccess/policies`, pages one per file or
//! concatenated), one policy per file (backup tools, `Get-MgIdentityConditionalAccessPolicy
//! -ConditionalAccessPolicyId X | ConvertTo-Json -Depth 10`), or arrays from the PowerShell SDK
//! with PascalCase names: member names match in any case, annotation members are passed over
//! (see [`config_json`](super::config_json)). A policy written without `-Depth` holds type names
//! where its conditions belong: the file is refused with the fix, never read as "no users".
//!
//! Each condition that narrows where a policy applies is named in one short string
//! (`platforms: android, iOS`, `locations: All except AllTrusted`, `sign-in risk: high`), so that
//! the evaluation can say why a policy applies only sometimes; a condition this reader does not
//! know, when set, is named too rather than passed over.

use super::config_json::{Object, Problem, Shape, for_each_object, is_empty, nameless};
use super::decode::Decoded;
use super::{Context, Kind, ReadStats};
use crate::error::{Error, Position, Result};
use crate::model::config::{
    AppTargets, Grant, GuestTargets, Policy, PolicyState, Strength, TenantConfig, UserTargets,
};

/// Reads a policy export or the security defaults policy into `into`.
pub fn read(decoded: Decoded, ctx: &Context, into: &mut TenantConfig) -> Result<ReadStats> {
    match ctx.file.kind {
        Kind::ConditionalAccessJson => read_policies(decoded, ctx, into),
        Kind::SecurityDefaultsJson => read_security_defaults(decoded, ctx, into),
        _ => Err(Error::Internal(
            "the Conditional Access reader was given a file of another kind",
        )),
    }
}

const POLICY: &str = "expected a Conditional Access policy object (conditions, state)";

fn read_policies(decoded: Decoded, ctx: &Context, into: &mut TenantConfig) -> Result<ReadStats> {
    let mut stats = ReadStats::default();
    let mut policies = Vec::new();
    let mut times = Vec::new();
    for_each_object(decoded, ctx, POLICY, named, &mut stats, |o| {
        let p = policy(o, ctx.file.index)?;
        times.extend(
            p.modified
                .as_deref()
                .or(p.created.as_deref())
                .and_then(|t| super::when::parse_time(t, None)),
        );
        policies.push(p);
        Ok(())
    })?;
    for t in times {
        stats.saw_time(t);
    }
    if policies.is_empty() {
        stats.warn("the export holds no policy: the tenant has no Conditional Access policy, or the export failed");
    }
    into.policies
        .get_or_insert_with(Vec::new)
        .append(&mut policies);
    note_file(&mut into.policy_files, ctx.file.index);
    Ok(stats)
}

/// `policy 'NAME': ` for a message about a record, when it has a name or an id.
fn named(o: &Object) -> String {
    o.text("displayName")
        .or_else(|| o.text("id"))
        .map(|n| format!("policy '{}': ", crate::text::quoted(&n, 80)))
        .unwrap_or_default()
}

/// Records that `file` gave a part of the configuration (once).
pub(crate) fn note_file(files: &mut Vec<u32>, file: u32) {
    if !files.contains(&file) {
        files.push(file);
    }
}

fn policy(o: &Object, file: u32) -> std::result::Result<Policy, Problem> {
    let conditions = o
        .object("conditions", "conditions")?
        .ok_or(Problem::Missing("conditions"))?;
    let state = o.text("state").ok_or(Problem::Missing("state"))?;
    let users = conditions
        .object("users", "conditions.users")?
        .ok_or(Problem::Missing("conditions.users"))?;
    let applications = conditions
        .object("applications", "conditions.applications")?
        .ok_or(Problem::Missing("conditions.applications"))?;
    Ok(Policy {
        id: o.text("id"),
        name: o.text("displayName"),
        state: PolicyState::parse(&state),
        users: user_targets(users)?,
        applications: app_targets(applications)?,
        client_app_types: conditions.list("clientAppTypes", "conditions.clientAppTypes")?,
        narrowing: narrowing(conditions, applications)?,
        grant: grant(o)?,
        created: o.text("createdDateTime"),
        modified: o.text("modifiedDateTime"),
        file,
    })
}

fn user_targets(u: &Object) -> std::result::Result<UserTargets, Shape> {
    let list = |name: &str| u.list(name, &format!("conditions.users.{name}"));
    Ok(UserTargets {
        include_users: list("includeUsers")?,
        exclude_users: list("excludeUsers")?,
        include_groups: list("includeGroups")?,
        exclude_groups: list("excludeGroups")?,
        include_roles: list("includeRoles")?,
        exclude_roles: list("excludeRoles")?,
        include_guests: guests(u, "includeGuestsOrExternalUsers")?,
        exclude_guests: guests(u, "excludeGuestsOrExternalUsers")?,
    })
}

fn guests(u: &Object, name: &str) -> std::result::Result<Option<GuestTargets>, Shape> {
    let path = format!("conditions.users.{name}");
    let Some(g) = u.object(name, &path)? else {
        return Ok(None);
    };
    let types = g.words(
        "guestOrExternalUserTypes",
        &format!("{path}.guestOrExternalUserTypes"),
    )?;
    let tenants_path = format!("{path}.externalTenants");
    let (all_tenants, tenants) = match g.object("externalTenants", &tenants_path)? {
        None => (true, Vec::new()),
        Some(t) => {
            let members = t.list("members", &format!("{tenants_path}.members"))?;
            let all = match t.text("membershipKind") {
                Some(kind) => kind.eq_ignore_ascii_case("all"),
                None => members.is_empty(),
            };
            (all, if all { Vec::new() } else { members })
        }
    };
    if types.is_empty() && tenants.is_empty() && all_tenants {
        // `{"guestOrExternalUserTypes": "none"}`-like emptiness names nobody.
        return Ok(None);
    }
    Ok(Some(GuestTargets {
        types,
        all_tenants,
        tenants,
    }))
}

fn app_targets(a: &Object) -> std::result::Result<AppTargets, Shape> {
    let list = |name: &str| a.list(name, &format!("conditions.applications.{name}"));
    Ok(AppTargets {
        include: list("includeApplications")?,
        exclude: list("excludeApplications")?,
        user_actions: list("includeUserActions")?,
        auth_contexts: list("includeAuthenticationContextClassReferences")?,
    })
}

/// Conditions that are not narrowing ones (targets, or read into their own fields).
const TARGETS: [&str; 3] = ["users", "applications", "clientAppTypes"];

/// The flags conditions: member, and the name the report gives it.
const RISKS: [(&str, &str); 5] = [
    ("signInRiskLevels", "sign-in risk"),
    ("userRiskLevels", "user risk"),
    ("insiderRiskLevels", "insider risk"),
    ("servicePrincipalRiskLevels", "service principal risk"),
    ("agentIdRiskLevels", "agent risk"),
];

/// The conditions with include and exclude lists: member, its lists, and the report's name.
const LISTED: [(&str, &str, &str, &str); 2] = [
    (
        "platforms",
        "includePlatforms",
        "excludePlatforms",
        "platforms",
    ),
    (
        "locations",
        "includeLocations",
        "excludeLocations",
        "locations",
    ),
];

/// Every narrowing condition that is set, named (see the module's documentation).
fn narrowing(c: &Object, applications: &Object) -> std::result::Result<Vec<String>, Shape> {
    let mut out = Vec::new();
    let mut known: Vec<&str> = TARGETS.to_vec();
    for (member, include, exclude, label) in LISTED {
        known.push(member);
        if let Some(o) = c.object(member, &format!("conditions.{member}"))? {
            let path = |list: &str| format!("conditions.{member}.{list}");
            include_except(
                &mut out,
                label,
                &o.list(include, &path(include))?,
                &o.list(exclude, &path(exclude))?,
            );
        }
    }
    for (member, label) in RISKS {
        known.push(member);
        let levels = c.words(member, &format!("conditions.{member}"))?;
        if !levels.is_empty() {
            out.push(format!("{label}: {}", levels.join(", ")));
        }
    }
    known.push("devices");
    if let Some(d) = c.object("devices", "conditions.devices")? {
        let path = |name: &str| format!("conditions.devices.{name}");
        include_except(
            &mut out,
            "devices",
            &d.list("includeDevices", &path("includeDevices"))?,
            &d.list("excludeDevices", &path("excludeDevices"))?,
        );
        include_except(
            &mut out,
            "device states",
            &d.list("includeDeviceStates", &path("includeDeviceStates"))?,
            &d.list("excludeDeviceStates", &path("excludeDeviceStates"))?,
        );
        if let Some(f) = d.object("deviceFilter", &path("deviceFilter"))? {
            out.push(filter("device filter", f));
        }
    }
    known.push("deviceStates");
    if let Some(d) = c.object("deviceStates", "conditions.deviceStates")? {
        let path = |name: &str| format!("conditions.deviceStates.{name}");
        include_except(
            &mut out,
            "device states",
            &d.list("includeStates", &path("includeStates"))?,
            &d.list("excludeStates", &path("excludeStates"))?,
        );
    }
    known.push("authenticationFlows");
    if let Some(f) = c.object("authenticationFlows", "conditions.authenticationFlows")? {
        let methods = f.words(
            "transferMethods",
            "conditions.authenticationFlows.transferMethods",
        )?;
        if !methods.is_empty() {
            out.push(format!("authentication flows: {}", methods.join(", ")));
        }
    }
    known.push("clientApplications");
    if let Some(a) = c.object("clientApplications", "conditions.clientApplications")? {
        let path = |name: &str| format!("conditions.clientApplications.{name}");
        let mut include = a.list(
            "includeServicePrincipals",
            &path("includeServicePrincipals"),
        )?;
        include.extend(a.list(
            "includeAgentIdServicePrincipals",
            &path("includeAgentIdServicePrincipals"),
        )?);
        let mut exclude = a.list(
            "excludeServicePrincipals",
            &path("excludeServicePrincipals"),
        )?;
        exclude.extend(a.list(
            "excludeAgentIdServicePrincipals",
            &path("excludeAgentIdServicePrincipals"),
        )?);
        include_except(&mut out, "client applications", &include, &exclude);
        if let Some(f) = a.object("servicePrincipalFilter", &path("servicePrincipalFilter"))? {
            out.push(filter("client applications filter", f));
        }
    }
    if let Some(f) = applications.object(
        "applicationFilter",
        "conditions.applications.applicationFilter",
    )? {
        out.push(filter("application filter", f));
    }
    // Anything else that is set (`times`, the agent conditions, a condition newer than this
    // reader) narrows too, as far as anyone can tell: named by its member.
    for name in c.data_names() {
        if known.iter().any(|k| k.eq_ignore_ascii_case(name)) {
            continue;
        }
        if c.get(name).is_some_and(|v| !is_empty(v)) {
            let label = lower_first(name);
            if !out.contains(&label) {
                out.push(label);
            }
        }
    }
    Ok(out)
}

/// `label: a, b`, `label: a except c`, or `label: except c`; nothing when both lists are empty.
fn include_except(out: &mut Vec<String>, label: &str, include: &[String], exclude: &[String]) {
    // `All` with nothing excepted (any location, any platform) narrows nothing.
    let everything = include.iter().all(|x| x.trim().eq_ignore_ascii_case("all"));
    let text = match (include.is_empty(), exclude.is_empty()) {
        (true, true) => return,
        (false, true) if everything => return,
        (false, true) => include.join(", "),
        (false, false) => format!("{} except {}", include.join(", "), exclude.join(", ")),
        (true, false) => format!("except {}", exclude.join(", ")),
    };
    out.push(format!("{label}: {text}"));
}

/// `label: mode rule` for a device, application or service principal filter.
fn filter(label: &str, f: &Object) -> String {
    match (f.text("mode"), f.text("rule")) {
        (Some(mode), Some(rule)) => format!("{label}: {mode} {rule}"),
        (None, Some(rule)) => format!("{label}: {rule}"),
        _ => label.to_string(),
    }
}

/// A PascalCase member name as Graph spells it (`Times` → `times`).
fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn grant(o: &Object) -> std::result::Result<Grant, Shape> {
    let Some(g) = o.object("grantControls", "grantControls")? else {
        return Ok(Grant::default());
    };
    let mut controls = g.list("builtInControls", "grantControls.builtInControls")?;
    // Terms of use and custom factors are controls too: with OR, either lets the user in.
    for (member, control) in [
        ("termsOfUse", "termsOfUse"),
        ("customAuthenticationFactors", "customAuthenticationFactors"),
    ] {
        if !g
            .list(member, &format!("grantControls.{member}"))?
            .is_empty()
        {
            controls.push(control.to_string());
        }
    }
    let strength = match g.object(
        "authenticationStrength",
        "grantControls.authenticationStrength",
    )? {
        None => None,
        Some(s) => {
            let strength = Strength {
                id: s.text("id"),
                name: s.text("displayName"),
                combinations: s.list(
                    "allowedCombinations",
                    "grantControls.authenticationStrength.allowedCombinations",
                )?,
            };
            (strength != Strength::default()).then_some(strength)
        }
    };
    Ok(Grant {
        operator: g.text("operator"),
        controls,
        strength,
    })
}

const SECURITY_DEFAULTS: &str = "expected the identitySecurityDefaultsEnforcementPolicy object";

fn read_security_defaults(
    decoded: Decoded,
    ctx: &Context,
    into: &mut TenantConfig,
) -> Result<ReadStats> {
    let mut stats = ReadStats::default();
    let mut enabled = None;
    for_each_object(decoded, ctx, SECURITY_DEFAULTS, nameless, &mut stats, |o| {
        enabled = Some(o.bool("isEnabled").ok_or(Problem::Missing("isEnabled"))?);
        Ok(())
    })?;
    let Some(on) = enabled else {
        return Err(Error::input(ctx.path(), Position::File, SECURITY_DEFAULTS));
    };
    if let Some(before) = into.security_defaults
        && before != on
    {
        stats.warn(format!(
            "an earlier input says security defaults are {}, this one that they are {}: this one is used",
            on_off(before),
            on_off(on)
        ));
    }
    into.security_defaults = Some(on);
    into.security_defaults_file = Some(ctx.file.index);
    Ok(stats)
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::config_read;

    /// A policy written the way Graph writes one, with `conditions` and `grant` spliced in.
    fn graph_policy(name: &str, state: &str, users: &str, extra: &str, grant: &str) -> String {
        format!(
            r#"{{"id":"id-{name}","displayName":"{name}","state":"{state}","createdDateTime":"2024-01-02T03:04:05Z","modifiedDateTime":"2024-02-03T04:05:06Z",
               "conditions":{{"clientAppTypes":["all"],"applications":{{"includeApplications":["All"],"excludeApplications":[]}},
                 "users":{{{users}}}{extra}}},
               "grantControls":{grant}}}"#
        )
    }

    fn read(text: &str) -> Result<(TenantConfig, ReadStats)> {
        config_read("p.json", text)
    }

    fn policies(text: &str) -> Vec<Policy> {
        read(text).unwrap().0.policies.unwrap()
    }

    #[test]
    fn a_graph_page_of_policies() {
        let page = format!(
            r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies","value":[{},{}]}}"#,
            graph_policy(
                "mfa",
                "enabled",
                r#""includeUsers":["All"],"excludeUsers":["u1"],"excludeGroups":["g1"],"excludeRoles":["62e90394-69f5-4237-9190-012177145e10"]"#,
                "",
                r#"{"operator":"OR","builtInControls":["mfa"]}"#
            ),
            graph_policy(
                "report",
                "enabledForReportingButNotEnforced",
                r#""includeGroups":["g2"]"#,
                "",
                "null"
            )
        );
        let (config, stats) = read(&page).unwrap();
        assert_eq!(stats.records, 2);
        assert!(stats.warnings.is_empty(), "{:?}", stats.warnings);
        let p = config.policies.unwrap();
        assert_eq!(p[0].id.as_deref(), Some("id-mfa"));
        assert_eq!(p[0].label(), "mfa");
        assert_eq!(p[0].state, PolicyState::Enabled);
        assert_eq!(p[0].users.include_users, ["All"]);
        assert_eq!(p[0].users.exclude_users, ["u1"]);
        assert_eq!(p[0].users.exclude_groups, ["g1"]);
        assert_eq!(
            p[0].users.exclude_roles,
            ["62e90394-69f5-4237-9190-012177145e10"]
        );
        assert_eq!(p[0].applications.include, ["All"]);
        assert_eq!(p[0].client_app_types, ["all"]);
        assert!(p[0].narrowing.is_empty());
        assert_eq!(
            p[0].grant,
            Grant {
                operator: Some("OR".into()),
                controls: vec!["mfa".into()],
                strength: None
            }
        );
        assert_eq!(p[0].created.as_deref(), Some("2024-01-02T03:04:05Z"));
        assert_eq!(p[0].modified.as_deref(), Some("2024-02-03T04:05:06Z"));
        assert_eq!(p[1].state, PolicyState::EnabledForReportingButNotEnforced);
        assert_eq!(p[1].grant, Grant::default());
        assert_eq!(config.policy_files, [0]);
        assert_eq!(
            stats.last_time.map(|t| t.to_string()).as_deref(),
            Some("2024-02-03T04:05:06Z")
        );
    }

    #[test]
    fn concatenated_pages_and_a_cut_export() {
        let one = graph_policy("a", "enabled", r#""includeUsers":["All"]"#, "", "null");
        let two = graph_policy("b", "disabled", r#""includeUsers":["None"]"#, "", "null");
        let text = format!(
            "{{\"@odata.context\":\"https://graph.microsoft.com/beta/$metadata#identity/conditionalAccess/policies\",\"@odata.nextLink\":\"https://next\",\"value\":[{one}]}}\n{{\"value\":[{two}]}}\n"
        );
        let (config, stats) = read(&text).unwrap();
        assert_eq!(config.policies.unwrap().len(), 2);
        assert!(!stats.incomplete);
        let cut = format!(
            "{{\"@odata.context\":\"https://graph.microsoft.com/beta/$metadata#identity/conditionalAccess/policies\",\"@odata.nextLink\":\"https://next\",\"value\":[{one}]}}"
        );
        let (_, stats) = read(&cut).unwrap();
        assert!(stats.incomplete);
    }

    #[test]
    fn an_empty_page_is_an_export_of_no_policy() {
        let (config, stats) = read(
            r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies","value":[]}"#,
        )
        .unwrap();
        assert_eq!(config.policies, Some(Vec::new()));
        assert_eq!(stats.records, 0);
        assert_eq!(stats.warnings.len(), 1);
    }

    /// One policy per file as Windows PowerShell 5.1 writes it from the Graph SDK's JSON: the
    /// `": "` re-indent, `@odata.type` and `name@odata.type` annotation members everywhere.
    #[test]
    fn one_policy_with_annotation_members() {
        let text = r##"{
    "@odata.context":  "https://graph.microsoft.com/beta/$metadata#identity/conditionalAccess/policies/$entity",
    "@odata.type":  "#microsoft.graph.conditionalAccessPolicy",
    "id":  "p1",
    "displayName":  "CA",
    "state@odata.type":  "#microsoft.graph.conditionalAccessPolicyState",
    "state":  "enabled",
    "conditions":  {
        "@odata.type":  "#microsoft.graph.conditionalAccessConditionSet",
        "clientAppTypes@odata.type":  "#Collection(microsoft.graph.conditionalAccessClientApp)",
        "clientAppTypes":  ["exchangeActiveSync", "other"],
        "platforms":  null, "locations":  null, "times":  null, "devices": null,
        "applications":  {"@odata.type": "#microsoft.graph.conditionalAccessApplications", "includeApplications@odata.type": "#Collection(String)", "includeApplications": ["All"], "applicationFilter": null},
        "users":  {"@odata.type": "#microsoft.graph.conditionalAccessUsers", "includeUsers": ["All"], "excludeGroups": ["g"], "includeGuestsOrExternalUsers": null}
    },
    "grantControls":  {"@odata.type": "#microsoft.graph.conditionalAccessGrantControls", "operator": "OR", "builtInControls": ["block"], "termsOfUse": [], "authenticationStrength@odata.context": "x", "authenticationStrength": null},
    "#microsoft.graph.restore":  {"title": "microsoft.graph.restore", "target": "x"}
}"##;
        let p = policies(text);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].client_app_types, ["exchangeActiveSync", "other"]);
        assert!(p[0].narrowing.is_empty(), "{:?}", p[0].narrowing);
        assert_eq!(p[0].grant.controls, ["block"]);
        assert_eq!(p[0].users.exclude_groups, ["g"]);
        assert_eq!(p[0].users.include_guests, None);
    }

    /// `Get-MgIdentityConditionalAccessPolicy -All | ConvertTo-Json -Depth 10`: an array of SDK
    /// objects, PascalCase names, an `AdditionalProperties` bag.
    #[test]
    fn powershell_sdk_array_in_pascal_case() {
        let text = r##"[
          {"Conditions":{"Applications":{"ExcludeApplications":[],"IncludeApplications":["Office365"],"IncludeAuthenticationContextClassReferences":[],"IncludeUserActions":[]},
             "ClientAppTypes":["browser","mobileAppsAndDesktopClients"],"Devices":null,"Locations":{"ExcludeLocations":["AllTrusted"],"IncludeLocations":["All"]},
             "Platforms":{"ExcludePlatforms":[],"IncludePlatforms":["android","iOS"]},"SignInRiskLevels":["high","medium"],"UserRiskLevels":[],
             "Users":{"ExcludeGroups":[],"ExcludeRoles":[],"ExcludeUsers":[],"IncludeGroups":["g1"],"IncludeRoles":[],"IncludeUsers":[],
                      "IncludeGuestsOrExternalUsers":{"GuestOrExternalUserTypes":"b2bCollaborationGuest,b2bCollaborationMember","ExternalTenants":{"MembershipKind":"enumerated","Members":["t1"],"AdditionalProperties":{"@odata.type":"#microsoft.graph.conditionalAccessEnumeratedExternalTenants"}}},
                      "AdditionalProperties":{}},
             "AdditionalProperties":{}},
           "CreatedDateTime":"2024-01-01T00:00:00Z","DisplayName":"SDK","GrantControls":{"BuiltInControls":["mfa","compliantDevice"],"CustomAuthenticationFactors":[],"Operator":"AND","TermsOfUse":[],
             "AuthenticationStrength":{"Id":"00000000-0000-0000-0000-000000000004","DisplayName":null,"AllowedCombinations":[]}},
           "Id":"p2","ModifiedDateTime":null,"State":"ENABLED","AdditionalProperties":{}}
        ]"##;
        let p = policies(text);
        assert_eq!(p[0].name.as_deref(), Some("SDK"));
        assert_eq!(p[0].state, PolicyState::Enabled);
        assert_eq!(p[0].users.include_groups, ["g1"]);
        assert_eq!(
            p[0].users.include_guests,
            Some(GuestTargets {
                types: vec![
                    "b2bCollaborationGuest".into(),
                    "b2bCollaborationMember".into()
                ],
                all_tenants: false,
                tenants: vec!["t1".into()],
            })
        );
        assert_eq!(p[0].applications.include, ["Office365"]);
        assert_eq!(
            p[0].client_app_types,
            ["browser", "mobileAppsAndDesktopClients"]
        );
        assert_eq!(
            p[0].narrowing,
            [
                "platforms: android, iOS",
                "locations: All except AllTrusted",
                "sign-in risk: high, medium"
            ]
        );
        assert_eq!(p[0].grant.operator.as_deref(), Some("AND"));
        assert_eq!(p[0].grant.controls, ["mfa", "compliantDevice"]);
        assert_eq!(
            p[0].grant.strength,
            Some(Strength {
                id: Some("00000000-0000-0000-0000-000000000004".into()),
                name: None,
                combinations: vec![],
            })
        );
        assert_eq!(p[0].modified, None);
    }

    #[test]
    fn every_narrowing_condition_is_named() {
        let extra = r#","platforms":{"includePlatforms":["all"],"excludePlatforms":["windows","macOS"]},
            "locations":{"includeLocations":["loc1"],"excludeLocations":[]},
            "signInRiskLevels":["high"],"userRiskLevels":["medium","low"],"insiderRiskLevels":"elevated",
            "servicePrincipalRiskLevels":["high"],
            "devices":{"includeDevices":[],"excludeDevices":[],"deviceFilter":{"mode":"exclude","rule":"device.isCompliant -eq True"}},
            "times":{"included":["x"]},
            "authenticationFlows":{"transferMethods":"deviceCodeFlow"},
            "clientApplications":{"includeServicePrincipals":["sp1"],"excludeServicePrincipals":[]},
            "agents":null, "futureCondition": {"setting": [ ]}"#;
        let text = graph_policy(
            "n",
            "enabled",
            r#""includeUsers":["All"]"#,
            extra,
            r#"{"operator":"OR","builtInControls":["mfa"]}"#,
        );
        assert_eq!(
            policies(&text)[0].narrowing,
            [
                "platforms: all except windows, macOS",
                "locations: loc1",
                "sign-in risk: high",
                "user risk: medium, low",
                "insider risk: elevated",
                "service principal risk: high",
                "device filter: exclude device.isCompliant -eq True",
                "authentication flows: deviceCodeFlow",
                "client applications: sp1",
                "times",
            ]
        );
    }

    #[test]
    fn strength_by_name_with_combinations_and_user_actions() {
        let text = r#"{"displayName":"reg","state":"enabled","conditions":{"applications":{"includeApplications":[],"includeUserActions":["urn:user:registersecurityinfo"],"includeAuthenticationContextClassReferences":["c1"]},"users":{"includeUsers":["All"]},"clientAppTypes":[]},
            "grantControls":{"operator":"OR","builtInControls":[],"authenticationStrength":{"displayName":"Phishing-resistant MFA","allowedCombinations":["windowsHelloForBusiness","fido2"]}}}"#;
        let p = &policies(text)[0];
        assert_eq!(
            p.applications.user_actions,
            ["urn:user:registersecurityinfo"]
        );
        assert_eq!(p.applications.auth_contexts, ["c1"]);
        assert!(p.client_app_types.is_empty());
        assert_eq!(
            p.grant.strength,
            Some(Strength {
                id: None,
                name: Some("Phishing-resistant MFA".into()),
                combinations: vec!["windowsHelloForBusiness".into(), "fido2".into()],
            })
        );
        assert!(p.grant.controls.is_empty());
    }

    #[test]
    fn guests_of_every_tenant_and_terms_of_use() {
        let users = r##""includeUsers":[],"includeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"internalGuest,serviceProvider","externalTenants":{"@odata.type":"#microsoft.graph.conditionalAccessAllExternalTenants","membershipKind":"all"}},"excludeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"b2bDirectConnectUser"}"##;
        let text = graph_policy(
            "g",
            "enabled",
            users,
            "",
            r#"{"operator":"OR","builtInControls":["mfa"],"termsOfUse":["tou1"]}"#,
        );
        let p = &policies(&text)[0];
        let include = p.users.include_guests.as_ref().unwrap();
        assert_eq!(include.types, ["internalGuest", "serviceProvider"]);
        assert!(include.all_tenants && include.tenants.is_empty());
        let exclude = p.users.exclude_guests.as_ref().unwrap();
        assert_eq!(exclude.types, ["b2bDirectConnectUser"]);
        assert!(exclude.all_tenants);
        assert_eq!(p.grant.controls, ["mfa", "termsOfUse"]);
    }

    /// `ConvertTo-Json` without `-Depth`: `conditions.users` is a type name. The file is refused,
    /// naming the member, where it is and the fix.
    #[test]
    fn a_depth_cut_export_is_refused_with_the_fix() {
        let text = "[\r\n    {\r\n        \"Conditions\":  {\r\n                           \"Applications\":  \"Microsoft.Graph.PowerShell.Models.MicrosoftGraphConditionalAccessApplications\",\r\n                           \"Users\":  \"Microsoft.Graph.PowerShell.Models.MicrosoftGraphConditionalAccessUsers\"\r\n                       },\r\n        \"DisplayName\":  \"CA000\",\r\n        \"State\":  \"enabled\"\r\n    }\r\n]";
        let err = read(text).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert_eq!(
            err.to_string(),
            "p.json:5:38: policy 'CA000': conditions.users holds the type name 'Microsoft.Graph.PowerShell.Models.MicrosoftGraphConditionalAccessUsers' instead of its value: ConvertTo-Json cut the export at its depth (2 by default), so the data is not in the file; export again with ConvertTo-Json -Depth 10"
        );
        // A list cut the same way.
        let text = graph_policy(
            "l",
            "enabled",
            r#""includeUsers":"System.String[]""#,
            "",
            "null",
        );
        let err = read(&text).unwrap_err().to_string();
        assert!(
            err.contains("conditions.users.includeUsers holds the type name 'System.String[]'"),
            "{err}"
        );
    }

    /// A file detected as policies whose later records are not policies: an error naming the
    /// record, where it starts and what it lacks.
    #[test]
    fn records_that_are_not_policies_are_errors_with_positions() {
        let good = r#"{"conditions":{"users":{},"applications":{}},"state":"enabled"}"#;
        let err = |bad: &str| read(&format!("[{good},\n {bad}]")).unwrap_err().to_string();
        assert_eq!(
            err(r#"{"displayName":"x","state":"enabled","conditions":{"applications":{}}}"#),
            "p.json:2:2: policy 'x': expected a Conditional Access policy object (conditions, state): no conditions.users"
        );
        assert_eq!(
            err(r#"{"conditions":{"users":{},"applications":{}}}"#),
            "p.json:2:2: expected a Conditional Access policy object (conditions, state): no state"
        );
        assert_eq!(
            err("7"),
            "p.json:2:2: expected a Conditional Access policy object (conditions, state)"
        );
        assert_eq!(
            err(
                r#"{"id":"p9","state":"enabled","conditions":{"users":{"includeUsers":{"a":1}},"applications":{}}}"#
            ),
            "p.json:2:2: policy 'p9': conditions.users.includeUsers is 'an object', expected a list of names"
        );
        assert!(
            read(&format!("[{good}, {{\"state\":"))
                .unwrap_err()
                .to_string()
                .contains("truncated")
        );
    }

    #[test]
    fn security_defaults_entity_and_sdk_object() {
        let (config, stats) = config_read(
            "sd.json",
            r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#policies/identitySecurityDefaultsEnforcementPolicy/$entity","id":"00000000-0000-0000-0000-000000000005","displayName":"Security Defaults","description":"x","isEnabled":true}"#,
        )
        .unwrap();
        assert_eq!(config.security_defaults, Some(true));
        assert_eq!(config.security_defaults_file, Some(0));
        assert_eq!(stats.records, 1);
        let (config, _) = config_read(
            "sd.json",
            "{\r\n    \"Description\":  \"x\",\r\n    \"DisplayName\":  \"Security Defaults\",\r\n    \"Id\":  \"00000000-0000-0000-0000-000000000005\",\r\n    \"IsEnabled\":  false,\r\n    \"AdditionalProperties\":  {}\r\n}",
        )
        .unwrap();
        assert_eq!(config.security_defaults, Some(false));
        assert!(config.policies.is_none());
        let err = config_read(
            "sd.json",
            r#"[{"id":"00000000-0000-0000-0000-000000000005","isEnabled":true},{"id":"x"}]"#,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "sd.json:1:65: expected the identitySecurityDefaultsEnforcementPolicy object: no isEnabled"
        );
    }
}
