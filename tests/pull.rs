//! `mfaudit pull` against a Graph-shaped server on loopback. Microsoft Graph and the Microsoft
//! identity platform cannot run here (no network, no tenant), so `support::graph_server` plays
//! their documented behaviour over real TLS with a test CA: the token endpoint (client secret and
//! certificate assertions, checked as Entra ID checks them), paging by `@odata.nextLink`,
//! `$select`, the sign-in log's filter, `$batch`, throttling and dropped connections.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::graph_server::{
    Collection, Fault, FaultKind, GraphServer, Logged, Pki, Tenant,
};
use crate::support::{Ran, Test, tempdir, write};

const TENANT: &str = "contoso.onmicrosoft.com";
const CLIENT_ID: &str = "7f3c1a52-5d7e-4a55-9d0e-2f3b8c1d9a10";
const SECRET: &str = "Zx8Q~s3cr3t.value-THAT_must-never.show";
const GA: &str = "62e90394-69f5-4237-9190-012177145e10";

fn uid(i: usize) -> String {
    format!("00000000-0000-4000-8000-{i:012}")
}

fn upn(i: usize) -> String {
    format!("user{i}@contoso.com")
}

/// A user as Graph returns it without `$select` (more than the audit reads).
fn user(i: usize) -> Value {
    json!({
        "id": uid(i),
        "userPrincipalName": upn(i),
        "displayName": format!("User {i}"),
        "accountEnabled": i % 10 != 9,
        "userType": if i % 25 == 24 { "Guest" } else { "Member" },
        "assignedLicenses": if i % 7 == 6 { json!([]) } else { json!([{"disabledPlans": [], "skuId": "06ebc4ee-1bb5-47dd-8120-11324bc54e06"}]) },
        "mail": upn(i),
        "jobTitle": "Engineer",
        "createdDateTime": "2024-01-02T03:04:05Z",
        "businessPhones": [],
    })
}

fn registration(i: usize) -> Value {
    let registered = i % 3 != 2;
    json!({
        "id": uid(i),
        "userPrincipalName": upn(i),
        "userDisplayName": format!("User {i}"),
        "userType": if i % 25 == 24 { "guest" } else { "member" },
        "isAdmin": i == 1,
        "isSsprRegistered": registered,
        "isSsprEnabled": false,
        "isSsprCapable": false,
        "isMfaRegistered": registered,
        "isMfaCapable": registered,
        "isPasswordlessCapable": false,
        "isSystemPreferredAuthenticationMethodEnabled": false,
        "methodsRegistered": if registered { json!(["microsoftAuthenticatorPush", "softwareOneTimePasscode"]) } else { json!([]) },
        "userPreferredMethodForSecondaryAuthentication": if registered { "push" } else { "none" },
        "lastUpdatedDateTime": "2026-11-01T00:00:00Z",
    })
}

fn state(i: usize) -> &'static str {
    ["disabled", "enabled", "enforced"][i % 3]
}

/// Every 17th user has no per-user state (Graph answers 404 for them).
fn has_state(i: usize) -> bool {
    i % 17 != 16
}

/// User `i`'s line of the per-user state file: `null` for a user Graph has no state for.
fn state_line(i: usize) -> Value {
    let s = if has_state(i) {
        json!(state(i))
    } else {
        Value::Null
    };
    json!({"id": uid(i), "userPrincipalName": upn(i), "perUserMfaState": s})
}

/// The lines of the per-user state file in `out`.
fn state_lines(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out.join("per-user-mfa-state.json"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The time `hours` before the tests started, as Graph writes it: the same instant however late
/// a record is made (the server makes its records when they are paged, the by-hand files later).
fn ago(hours: i64) -> String {
    static START: std::sync::OnceLock<jiff::Timestamp> = std::sync::OnceLock::new();
    START
        .get_or_init(jiff::Timestamp::now)
        .checked_sub(jiff::SignedDuration::from_hours(hours))
        .unwrap()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// A sign-in as Graph's beta list returns it (with the properties the audit does not read).
fn signin(n: usize, users: usize, hours_ago: i64) -> Value {
    let i = n % users;
    let interactive = n % 5 != 4;
    let mfa = n.is_multiple_of(3);
    let failed = n % 11 == 10;
    let mut details = vec![json!({
        "authenticationStepDateTime": ago(hours_ago),
        "authenticationMethod": "Password",
        "authenticationMethodDetail": "Password in the cloud",
        "succeeded": !failed,
        "authenticationStepResultDetail": if failed { "Invalid username or password or Invalid on-premise username or password." } else { "Correct password" },
        "authenticationStepRequirement": "Primary authentication",
    })];
    if mfa && !failed {
        details.push(json!({
            "authenticationStepDateTime": ago(hours_ago),
            "authenticationMethod": "Mobile app notification",
            "authenticationMethodDetail": null,
            "succeeded": true,
            "authenticationStepResultDetail": "MFA successfully completed",
            "authenticationStepRequirement": "Multifactor authentication",
        }));
    }
    json!({
        "id": format!("5e7b0f6a-0000-4000-9000-{n:012}"),
        "createdDateTime": ago(hours_ago),
        "userDisplayName": format!("User {i}"),
        "userPrincipalName": upn(i),
        "userId": uid(i),
        "appId": "00000002-0000-0ff1-ce00-000000000000",
        "appDisplayName": "Office 365 Exchange Online",
        "ipAddress": "203.0.113.7",
        "clientAppUsed": if n % 13 == 12 { "IMAP4" } else { "Browser" },
        "correlationId": format!("c0000000-0000-4000-9000-{n:012}"),
        "originalRequestId": format!("5e7b0f6a-0000-4000-9000-{n:012}"),
        "isInteractive": interactive,
        "signInEventTypes": [if interactive { "interactiveUser" } else { "nonInteractiveUser" }],
        "servicePrincipalId": "",
        "conditionalAccessStatus": if mfa { "success" } else { "notApplied" },
        "authenticationRequirement": if mfa { "multiFactorAuthentication" } else { "singleFactorAuthentication" },
        "status": {"errorCode": if failed { 50126 } else { 0 }, "failureReason": if failed { "Error validating credentials due to invalid username or password." } else { "Other." }, "additionalDetails": null},
        "mfaDetail": if mfa && !failed { json!({"authMethod": "Mobile app notification", "authDetail": null}) } else { Value::Null },
        "authenticationDetails": details,
        "appliedConditionalAccessPolicies": if mfa { json!([{"id": "a1b2c3d4-0000-4000-8000-000000000001", "displayName": "Require MFA for staff", "enforcedGrantControls": ["Mfa"], "enforcedSessionControls": [], "result": "success"}]) } else { json!([]) },
        "authenticationRequirementPolicies": if mfa { json!([{"requirementProvider": "multiConditionalAccess", "detail": "Conditional Access"}]) } else { json!([]) },
        "location": {"city": "Redmond", "state": "Washington", "countryOrRegion": "US"},
        "deviceDetail": {"deviceId": "", "displayName": "", "operatingSystem": "Windows10", "browser": "Edge 120.0.0"},
        "riskLevelDuringSignIn": "none",
        "resourceDisplayName": "Office 365 Exchange Online",
    })
}

const STAFF: &str = "9a0e1f2d-0000-4000-8000-0000000000a1";
const BREAK_GLASS: &str = "9a0e1f2d-0000-4000-8000-0000000000b2";

fn policies() -> Vec<Value> {
    vec![json!({
        "id": "a1b2c3d4-0000-4000-8000-000000000001",
        "templateId": null,
        "displayName": "Require MFA for staff",
        "createdDateTime": "2025-01-01T00:00:00Z",
        "modifiedDateTime": "2025-06-01T00:00:00Z",
        "state": "enabled",
        "sessionControls": null,
        "conditions": {
            "userRiskLevels": [], "signInRiskLevels": [], "clientAppTypes": ["all"],
            "platforms": null, "locations": null, "devices": null,
            "applications": {"includeApplications": ["All"], "excludeApplications": [], "includeUserActions": [], "includeAuthenticationContextClassReferences": []},
            "users": {"includeUsers": [], "excludeUsers": [], "includeGroups": [STAFF], "excludeGroups": [BREAK_GLASS], "includeRoles": [GA], "excludeRoles": []}
        },
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"], "customAuthenticationFactors": [], "termsOfUse": [], "authenticationStrength": null}
    })]
}

fn member(i: usize) -> Value {
    json!({"@odata.type": "#microsoft.graph.user", "id": uid(i), "userPrincipalName": upn(i), "displayName": format!("User {i}"), "mail": upn(i)})
}

/// The tenant the tests pull: `users` users, their registrations and per-user states, sign-ins
/// (some older than a week: not asked for), a policy, security defaults, roles and the two groups
/// the policy names.
fn tenant(users: usize, signins: usize) -> Tenant {
    let mut t = Tenant::new(TENANT, CLIENT_ID);
    t.client_secret = Some(SECRET.to_string());
    let c = &mut t.collections;
    c.insert("/v1.0/users".into(), Collection::generated(users, user));
    c.insert(
        "/v1.0/reports/authenticationMethods/userRegistrationDetails".into(),
        Collection::generated(users, registration),
    );
    c.insert(
        "/beta/auditLogs/signIns".into(),
        Collection::generated(signins, move |n| {
            // Newest first, as Graph lists them; every tenth one is ten days old.
            let hours = if n % 10 == 9 {
                240
            } else {
                (n % 100) as i64 + 1
            };
            signin(n, users, hours)
        }),
    );
    c.insert(
        "/v1.0/identity/conditionalAccess/policies".into(),
        Collection::Items(policies()),
    );
    c.insert(
        "/v1.0/roleManagement/directory/roleAssignments".into(),
        Collection::Items(vec![json!({
            "id": "ra1", "principalId": uid(1), "roleDefinitionId": GA, "directoryScopeId": "/",
            "principalOrganizationId": "x", "resourceScope": "/",
            "principal": {"@odata.type": "#microsoft.graph.user", "id": uid(1), "userPrincipalName": upn(1), "displayName": "User 1"}
        })]),
    );
    c.insert(
        "/v1.0/roleManagement/directory/roleEligibilitySchedules".into(),
        Collection::Items(vec![json!({
            "id": "re1", "principalId": uid(4), "roleDefinitionId": GA, "directoryScopeId": "/",
            "memberType": "Direct", "status": "Provisioned", "createdDateTime": "2025-02-01T00:00:00Z",
            "createdUsing": "x", "modifiedDateTime": null, "appScopeId": null,
            "scheduleInfo": {"startDateTime": "2025-02-01T00:00:00Z", "expiration": {"type": "noExpiration"}},
            "principal": {"@odata.type": "#microsoft.graph.user", "id": uid(4), "userPrincipalName": upn(4)}
        })]),
    );
    c.insert(
        "/v1.0/roleManagement/directory/roleDefinitions".into(),
        Collection::Items(vec![json!({
            "id": GA, "templateId": GA, "displayName": "Global Administrator", "isBuiltIn": true,
            "isEnabled": true, "description": "Can manage all aspects", "rolePermissions": []
        })]),
    );
    c.insert(
        format!("/v1.0/groups/{STAFF}/transitiveMembers"),
        Collection::generated(users.min(40), member),
    );
    c.insert(
        format!("/v1.0/groups/{BREAK_GLASS}/transitiveMembers"),
        Collection::Items(vec![member(2)]),
    );
    t.singles.insert(
        "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy".into(),
        json!({"id": "00000000-0000-0000-0000-000000000005", "displayName": "Security Defaults", "description": "Security defaults is a set of basic identity security mechanisms.", "isEnabled": false}),
    );
    for i in 0..users {
        if has_state(i) {
            t.per_user_state.insert(uid(i), state(i).to_string());
        }
    }
    t
}

/// `mfaudit pull` against `server`, with the secret in the environment.
fn pull(server: &GraphServer, pki: &Pki, out: &Path, extra: &[&str]) -> Ran {
    Test::new()
        .env("MFAUDIT_CLIENT_SECRET", SECRET)
        .args(pull_args(server, pki, out))
        .args(extra)
        .run()
}

fn pull_args(server: &GraphServer, pki: &Pki, out: &Path) -> Vec<String> {
    let url = server.url();
    [
        "pull",
        "--tenant",
        TENANT,
        "--client-id",
        CLIENT_ID,
        "--graph-url",
        &url,
        "--login-url",
        &url,
        "--ca-file",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([
        pki.ca_pem.display().to_string(),
        "--out".to_string(),
        out.display().to_string(),
    ])
    .collect()
}

fn manifest(out: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap()
}

fn entry<'a>(m: &'a Value, file: &str) -> &'a Value {
    m["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["file"] == file)
        .unwrap_or_else(|| panic!("{file} not in the manifest: {m:#}"))
}

fn requests_to<'a>(log: &'a [Logged], path: &str) -> Vec<&'a Logged> {
    log.iter().filter(|l| l.path == path).collect()
}

/// The records of a file of Graph pages, one page per line.
fn page_records(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .flat_map(|line| {
            let page: Value = serde_json::from_str(line).unwrap();
            page["value"].as_array().unwrap().clone()
        })
        .collect()
}

#[test]
fn a_certificate_assertion_is_signed_and_checked_and_every_page_is_followed() {
    let pki = Pki::new();
    let mut t = tenant(2_345, 0);
    t.client_secret = None;
    t.max_page = 100;
    let server = GraphServer::start(&pki, t);
    let out = tempdir();
    let ran = Test::new()
        .args(pull_args(&server, &pki, out.path()))
        .args([
            "--certificate",
            pki.client_pem.to_str().unwrap(),
            "--only",
            "users",
        ])
        .run();
    ran.ok();
    let tokens = server.token_requests();
    assert_eq!(tokens.len(), 1, "{tokens:#?}");
    let t = &tokens[0];
    assert!(t.granted && t.signature_valid, "{t:#?}");
    assert_eq!(
        t.form["client_assertion_type"],
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    );
    assert_eq!(t.form["grant_type"], "client_credentials");
    assert_eq!(t.form["scope"], format!("{}/.default", server.url()));
    assert!(!t.form.contains_key("client_secret"));
    let header = t.assertion_header.as_ref().unwrap();
    use base64::Engine;
    let thumb = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(ring::digest::digest(
        &ring::digest::SHA256,
        &pki.client_cert_der,
    ));
    assert_eq!(
        header,
        &json!({"alg": "RS256", "typ": "JWT", "x5t#S256": thumb})
    );
    let claims = t.assertion_claims.as_ref().unwrap();
    assert_eq!(
        claims["aud"],
        format!("{}/{TENANT}/oauth2/v2.0/token", server.url())
    );
    assert_eq!(claims["iss"], CLIENT_ID);
    assert_eq!(claims["sub"], CLIENT_ID);
    let now = jiff::Timestamp::now().as_second();
    let nbf = claims["nbf"].as_i64().unwrap();
    assert!((now - 120..=now).contains(&nbf), "nbf {nbf}, now {now}");
    assert_eq!(claims["exp"].as_i64().unwrap() - nbf, 600);
    assert_eq!(claims["iat"].as_i64().unwrap(), nbf);
    let jti = claims["jti"].as_str().unwrap();
    assert_eq!(jti.len(), 32);
    // 24 pages of at most 100, each asked once, each link followed as Graph wrote it.
    let log = server.log();
    let pages = requests_to(&log, "/v1.0/users");
    assert_eq!(pages.len(), 24);
    assert_eq!(log.len(), 24);
    assert!(
        pages[0].target.starts_with("/v1.0/users?$select=id,userPrincipalName,displayName,accountEnabled,userType,assignedLicenses&$top=999"),
        "{}",
        pages[0].target
    );
    assert!(pages[1..].iter().all(|p| p.target.contains("$skiptoken=")));
    let records = page_records(&out.path().join("users.json"));
    assert_eq!(records.len(), 2_345);
    assert_eq!(records[2_344]["id"], uid(2_344));
    assert_eq!(
        records[3],
        json!({"id": uid(3), "userPrincipalName": upn(3), "displayName": "User 3", "accountEnabled": true, "userType": "Member", "assignedLicenses": [{"disabledPlans": [], "skuId": "06ebc4ee-1bb5-47dd-8120-11324bc54e06"}]})
    );
    let m = manifest(out.path());
    assert_eq!(m["schema"], "mfaudit.pull-manifest/1");
    assert_eq!(m["tenant"], TENANT);
    assert_eq!(m["credential"], "certificate");
    assert_eq!(m["complete"], true);
    let e = entry(&m, "users.json");
    assert_eq!(e["status"], "pulled");
    assert_eq!(e["records"], 2_345);
    assert_eq!(e["requests"], 24);
    assert_eq!(e["permission"], "User.Read.All");
    assert_eq!(m["files"].as_array().unwrap().len(), 1);
    assert_eq!(ran.stdout, "");
    assert!(
        ran.stderr
            .contains("note: pulled users.json: 2,345 records in 24 requests\n"),
        "{}",
        ran.stderr
    );
}

#[test]
fn throttling_waits_for_retry_after() {
    let pki = Pki::new();
    let mut t = tenant(300, 0);
    t.max_page = 100;
    t.faults.push(Fault {
        path_prefix: "/v1.0/reports/authenticationMethods/userRegistrationDetails".into(),
        kind: FaultKind::Status {
            status: 429,
            code: "TooManyRequests",
            retry_after: Some(2),
        },
        times: 1,
        on_page: 1,
    });
    let server = GraphServer::start(&pki, t);
    let out = tempdir();
    pull(&server, &pki, out.path(), &["--only", "registration"]).ok();
    let log = server.log();
    let asked = requests_to(
        &log,
        "/v1.0/reports/authenticationMethods/userRegistrationDetails",
    );
    let statuses: Vec<u16> = asked.iter().map(|l| l.status).collect();
    assert_eq!(statuses, [200, 429, 200, 200]);
    assert_eq!(
        asked[1].target, asked[2].target,
        "the same page asked again"
    );
    let waited = asked[2].at - asked[1].at;
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_secs(30),
        "waited {waited:?} after Retry-After: 2"
    );
    assert_eq!(
        page_records(&out.path().join("registration-details.json")).len(),
        300
    );
    assert_eq!(
        entry(&manifest(out.path()), "registration-details.json")["requests"],
        4
    );
}

#[test]
fn a_forbidden_dataset_fails_alone_names_its_permission_and_keeps_its_previous_file() {
    let pki = Pki::new();
    let mut t = tenant(120, 400);
    t.faults.push(Fault {
        path_prefix: "/v1.0/roleManagement/directory/roleAssignments".into(),
        kind: FaultKind::Status {
            status: 403,
            code: "Authorization_RequestDenied",
            retry_after: None,
        },
        times: 100,
        on_page: 0,
    });
    let server = GraphServer::start(&pki, t);
    let out = tempdir();
    let previous = write(
        out.path(),
        "role-assignments.json",
        "{\"value\":[]} (last week's)\n",
    );
    let ran = pull(&server, &pki, out.path(), &[]);
    ran.code(1);
    assert_eq!(
        std::fs::read_to_string(&previous).unwrap(),
        "{\"value\":[]} (last week's)\n"
    );
    let last = ran.stderr.lines().last().unwrap();
    assert_eq!(
        last,
        format!(
            "mfaudit: error: 1 of 10 files not pulled: role-assignments.json (needs RoleManagement.Read.Directory); the folder keeps their previous versions, if any: see {}",
            out.path().join("manifest.json").display()
        )
    );
    assert!(ran.stderr.contains(
        "warning: role-assignments.json not pulled (Graph answered 403 Authorization_RequestDenied: Insufficient privileges to complete the operation.; grant the app the application permission RoleManagement.Read.Directory (with admin consent)); the previous file was kept\n"
    ), "{}", ran.stderr);
    // A 403 is not retried: one request.
    assert_eq!(
        requests_to(
            &server.log(),
            "/v1.0/roleManagement/directory/roleAssignments"
        )
        .len(),
        1
    );
    let m = manifest(out.path());
    assert_eq!(m["complete"], false);
    let e = entry(&m, "role-assignments.json");
    assert_eq!(e["status"], "failed");
    assert_eq!(e["permission"], "RoleManagement.Read.Directory");
    assert_eq!(e["previous_kept"], true);
    assert_eq!(e["requests"], 1);
    for file in [
        "users.json",
        "registration-details.json",
        "per-user-mfa-state.json",
        "signins-interactive.json",
        "conditional-access-policies.json",
        "security-defaults.json",
        "role-eligibility.json",
        "role-definitions.json",
        "group-members.csv",
    ] {
        assert_eq!(entry(&m, file)["status"], "pulled", "{file}");
        assert!(out.path().join(file).is_file(), "{file}");
    }
    assert_eq!(entry(&m, "users.json")["records"], 120);
    // 400 sign-ins, of which every fifth is non-interactive and every tenth older than a week:
    // the interactive ones of the last week.
    let expected = (0..400).filter(|n| n % 5 != 4 && n % 10 != 9).count();
    assert_eq!(entry(&m, "signins-interactive.json")["records"], expected);
    // The next pull, of the users only: every other file is still in the folder, and the
    // manifest keeps saying how old each one is.
    pull(&server, &pki, out.path(), &["--only", "users"]).ok();
    let next = manifest(out.path());
    assert_eq!(next["complete"], true);
    assert_eq!(entry(&next, "users.json")["status"], "pulled");
    let kept = entry(&next, "registration-details.json");
    assert_eq!(kept["status"], "kept");
    assert_eq!(
        kept["pulled_at"],
        entry(&m, "registration-details.json")["pulled_at"]
    );
    assert_eq!(kept["records"], 120);
    assert_eq!(kept["requests"], 0);
    let unknown_age = entry(&next, "role-assignments.json");
    assert_eq!(unknown_age["status"], "kept");
    assert_eq!(unknown_age["pulled_at"], Value::Null);
    assert_eq!(next["files"].as_array().unwrap().len(), 10);
    assert_eq!(
        std::fs::read_to_string(out.path().join("group-members.csv"))
            .unwrap()
            .lines()
            .count(),
        1 + 40 + 1
    );
}

#[test]
fn per_user_state_is_asked_twenty_at_a_time_and_written_in_the_users_order() {
    let pki = Pki::new();
    let mut t = tenant(1_010, 0);
    t.max_page = 290;
    let server = GraphServer::start(&pki, t);
    let out = tempdir();
    pull(
        &server,
        &pki,
        out.path(),
        &["--only", "users,per-user-state", "--in-flight", "8"],
    )
    .ok();
    let log = server.log();
    let batches = requests_to(&log, "/beta/$batch");
    // Pages of 290 users, batches of 20 across them: 51, the last one of 10.
    assert_eq!(
        batches.len(),
        1_010usize.div_ceil(20),
        "{:?}",
        batches.iter().map(|b| b.batch_size).collect::<Vec<_>>()
    );
    let mut sizes: Vec<usize> = batches.iter().map(|b| b.batch_size).collect();
    sizes.sort();
    assert_eq!(sizes[0], 10);
    assert!(sizes[1..].iter().all(|&n| n == 20), "{sizes:?}");
    assert!(batches.iter().all(|b| b.status == 200));
    assert_eq!(batches.iter().map(|b| b.batch_size).sum::<usize>(), 1_010);
    // Only the users' own pages: the per-user state reads the ids from them.
    assert_eq!(requests_to(&log, "/v1.0/users").len(), 4);
    assert!(server.max_in_flight() <= 8);
    let lines = state_lines(out.path());
    assert_eq!(lines.len(), 1_010);
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line, &state_line(i), "line {i}");
    }
    let m = manifest(out.path());
    assert_eq!(entry(&m, "per-user-mfa-state.json")["requests"], 51);
    assert_eq!(
        entry(&m, "per-user-mfa-state.json")["permission"],
        "UserAuthenticationMethod.Read.All"
    );
}

#[test]
fn a_throttled_batch_item_is_asked_again_alone_within_the_requests_in_flight() {
    let pki = Pki::new();
    let mut t = tenant(200, 0);
    t.latency = Duration::from_millis(40);
    t.faults.push(Fault {
        path_prefix: "/beta/$batch".into(),
        kind: FaultKind::ItemThrottled { retry_after: 1 },
        times: 1,
        on_page: 3,
    });
    let server = GraphServer::start(&pki, t);
    let out = tempdir();
    pull(
        &server,
        &pki,
        out.path(),
        &["--only", "users,per-user-state", "--in-flight", "4"],
    )
    .ok();
    let log = server.log();
    let batches = requests_to(&log, "/beta/$batch");
    // Ten batches of twenty, and the one throttled user asked again on their own.
    let sizes: Vec<usize> = batches.iter().map(|b| b.batch_size).collect();
    assert_eq!(sizes.len(), 11, "{sizes:?}");
    assert_eq!(sizes.iter().filter(|&&n| n == 1).count(), 1, "{sizes:?}");
    assert_eq!(sizes.iter().sum::<usize>(), 201);
    let retried = batches.iter().position(|b| b.batch_size == 1).unwrap();
    let throttled = batches.iter().find(|b| b.page == 3).unwrap();
    assert!(
        batches[retried].at - throttled.at >= Duration::from_secs(1),
        "Retry-After: 1 obeyed"
    );
    // Requests overlapped, and never more than four at once.
    assert!(
        (2..=4).contains(&server.max_in_flight()),
        "{}",
        server.max_in_flight()
    );
    let lines = state_lines(out.path());
    assert_eq!(lines.len(), 200);
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line, &state_line(i), "line {i}");
    }
}

#[test]
fn a_connection_dropped_mid_page_is_asked_again() {
    let pki = Pki::new();
    let mut t = tenant(250, 0);
    t.max_page = 100;
    t.faults.push(Fault {
        path_prefix: "/v1.0/users".into(),
        kind: FaultKind::DropConnection,
        times: 1,
        on_page: 1,
    });
    let server = GraphServer::start(&pki, t);
    let out = tempdir();
    pull(&server, &pki, out.path(), &["--only", "users"]).ok();
    let log = server.log();
    let pages = requests_to(&log, "/v1.0/users");
    let dropped: Vec<bool> = pages.iter().map(|l| l.dropped).collect();
    assert_eq!(dropped, [false, true, false, false]);
    assert_eq!(pages[1].target, pages[2].target);
    let records = page_records(&out.path().join("users.json"));
    let ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let want: Vec<String> = (0..250).map(uid).collect();
    assert_eq!(ids, want, "every user once, in order");
}

/// The files of a folder other than this program's temporary ones, with their bytes.
fn files_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with(".mfaudit-"))
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_pull_stopped_by_a_signal_leaves_the_previous_files_as_they_were() {
    let pki = Pki::new();
    let mut t = tenant(3_000, 0);
    t.max_page = 50;
    t.latency = Duration::from_millis(40);
    let server = GraphServer::start(&pki, t);
    let out = tempdir();
    // Last week's pull.
    write(out.path(), "users.json", "{\"value\":[{\"id\":\"old\"}]}\n");
    write(
        out.path(),
        "per-user-mfa-state.json",
        "{\"id\":\"old\",\"perUserMfaState\":\"enforced\"}\n",
    );
    write(
        out.path(),
        "manifest.json",
        "{\"schema\":\"mfaudit.pull-manifest/1\"}\n",
    );
    let before = files_of(out.path());
    let mut child = Test::new()
        .env("MFAUDIT_CLIENT_SECRET", SECRET)
        .args(pull_args(&server, &pki, out.path()))
        .args(["--only", "users,per-user-state"])
        .spawn();
    let start = Instant::now();
    while server.log().len() < 10 {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the pull never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // SIGTERM, as a scheduler or a Ctrl-C'd shell sends it (sh's own kill: no procps needed).
    let killed = std::process::Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", child.id())])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(!status.success());
    assert_eq!(
        files_of(out.path()),
        before,
        "the previous files, byte for byte"
    );
    // The next pull completes, and clears what the stopped one left.
    let mut t = tenant(30, 0);
    t.max_page = 50;
    let server = GraphServer::start(&pki, t);
    pull(
        &server,
        &pki,
        out.path(),
        &["--only", "users,per-user-state"],
    )
    .ok();
    let left: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".mfaudit-"))
        .collect();
    assert_eq!(left, Vec::<String>::new());
    assert_eq!(page_records(&out.path().join("users.json")).len(), 30);
}

/// The same data as files written by hand: one page each, the records whole (with what the pull
/// does not select), the groups as a membership CSV.
fn write_by_hand(dir: &Path, users: usize, signins: usize) {
    let page = |context: &str, records: Vec<Value>| {
        format!(
            "{}\n",
            json!({"@odata.context": format!("https://graph.microsoft.com/{context}"), "value": records})
        )
    };
    write(
        dir,
        "users.json",
        page("v1.0/$metadata#users", (0..users).map(user).collect()),
    );
    write(
        dir,
        "registration-details.json",
        page(
            "v1.0/$metadata#reports/authenticationMethods/userRegistrationDetails",
            (0..users).map(registration).collect(),
        ),
    );
    let states: String = (0..users).map(|i| format!("{}\n", state_line(i))).collect();
    write(dir, "per-user-mfa-state.json", states);
    let t = tenant(users, signins);
    let Some(Collection::Generated { make, .. }) = t.collections.get("/beta/auditLogs/signIns")
    else {
        panic!("sign-ins")
    };
    let week_ago = ago(24 * 7);
    let signins: Vec<Value> = (0..signins)
        .map(|n| make(n))
        .filter(|s| {
            s["signInEventTypes"][0] == "interactiveUser"
                && s["createdDateTime"].as_str().unwrap() >= week_ago.as_str()
        })
        .collect();
    write(
        dir,
        "signins.json",
        page("beta/$metadata#auditLogs/signIns", signins),
    );
    write(
        dir,
        "policies.json",
        page(
            "v1.0/$metadata#identity/conditionalAccess/policies",
            policies(),
        ),
    );
    let single = |context: &str, mut v: Value| {
        v["@odata.context"] = json!(format!("https://graph.microsoft.com/{context}"));
        format!("{v}\n")
    };
    write(
        dir,
        "defaults.json",
        single(
            "v1.0/$metadata#policies/identitySecurityDefaultsEnforcementPolicy/$entity",
            t.singles["/v1.0/policies/identitySecurityDefaultsEnforcementPolicy"].clone(),
        ),
    );
    for (file, path, context) in [
        (
            "assignments.json",
            "/v1.0/roleManagement/directory/roleAssignments",
            "v1.0/$metadata#roleManagement/directory/roleAssignments(principal())",
        ),
        (
            "eligibility.json",
            "/v1.0/roleManagement/directory/roleEligibilitySchedules",
            "v1.0/$metadata#roleManagement/directory/roleEligibilitySchedules(principal())",
        ),
        (
            "definitions.json",
            "/v1.0/roleManagement/directory/roleDefinitions",
            "v1.0/$metadata#roleManagement/directory/roleDefinitions",
        ),
    ] {
        let Some(Collection::Items(items)) = t.collections.get(path) else {
            panic!("{path}")
        };
        write(dir, file, page(context, items.clone()));
    }
    let mut csv = String::from("groupId,memberId,memberUserPrincipalName,memberType\n");
    for i in 0..users.min(40) {
        csv.push_str(&format!("{STAFF},{},{},user\n", uid(i), upn(i)));
    }
    csv.push_str(&format!("{BREAK_GLASS},{},{},user\n", uid(2), upn(2)));
    write(dir, "members.csv", csv);
}

/// An audit's JSON report without what differs between two folders of the same data: the time and
/// the input files' paths.
fn audit_json(dir: &Path) -> (Value, Vec<u8>) {
    let ran = Test::new().args(["audit", "--json", "-"]).arg(dir).run();
    ran.ok();
    let mut v: Value = serde_json::from_str(&ran.stdout).unwrap();
    v.as_object_mut().unwrap().remove("generated_at");
    let mut kinds: Vec<(String, u64)> = v["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap().to_string(),
                i["records"].as_u64().unwrap(),
            )
        })
        .collect();
    kinds.sort();
    v["inputs"] = json!(kinds);
    let csv = Test::new().args(["audit", "--csv", "-"]).arg(dir).run();
    csv.ok();
    (v, csv.stdout_bytes)
}

#[test]
fn pull_then_audit_is_the_audit_of_the_same_data_written_by_hand() {
    let (users, signins) = (260, 900);
    let pki = Pki::new();
    let mut t = tenant(users, signins);
    t.max_page = 64;
    let server = GraphServer::start(&pki, t);
    let pulled = tempdir();
    pull(&server, &pki, pulled.path(), &[]).ok();
    let by_hand = tempdir();
    write_by_hand(by_hand.path(), users, signins);
    let (a, a_csv) = audit_json(pulled.path());
    let (b, b_csv) = audit_json(by_hand.path());
    assert_eq!(a, b);
    assert_eq!(
        String::from_utf8_lossy(&a_csv),
        String::from_utf8_lossy(&b_csv)
    );
    // And the audit read what was pulled, all of it known.
    assert_eq!(a["summary"]["users_total"], users);
    assert!(a["summary"]["signins_total"].as_u64().unwrap() > 0);
    // What the data itself leaves open, the same both ways: the users Graph has no per-user
    // state for, and the exclusion no exception explains.
    assert_eq!(
        a["warnings"],
        json!([
            "Per-user MFA state is unknown for 15 users; the per-user MFA state export (Get-MsolUser or Graph authentication/requirements) would settle it.",
            "1 user is excluded from an MFA policy with no exception that says why (e.g. user2@contoso.com); add them to an exceptions file with an owner, or end the exclusion."
        ])
    );
}

#[test]
fn the_secret_never_shows_and_a_refused_secret_says_why() {
    let pki = Pki::new();
    let server = GraphServer::start(&pki, tenant(10, 10));
    let out = tempdir();
    let ran = pull(&server, &pki, out.path(), &[]);
    ran.ok();
    let manifest_text = std::fs::read_to_string(out.path().join("manifest.json")).unwrap();
    for shown in [&ran.stdout, &ran.stderr, &manifest_text] {
        assert!(!shown.contains(SECRET), "{shown}");
    }
    assert_eq!(server.token_requests()[0].form["client_secret"], SECRET);
    // A wrong secret, from a file: refused, and the refusal is quoted without the secret.
    let file = write(
        out.path().join("s").as_path(),
        "secret.txt",
        "wrong-Secret~value\n",
    );
    let ran = Test::new()
        .args(pull_args(&server, &pki, out.path()))
        .args(["--client-secret-file", file.to_str().unwrap()])
        .run();
    ran.code(1);
    assert_eq!(
        ran.stderr.lines().last().unwrap(),
        format!(
            "mfaudit: error: no token from 127.0.0.1: the token endpoint answered 401 invalid_client: {}; check --tenant, --client-id and the credential registered on the app",
            server
                .token_requests()
                .last()
                .unwrap()
                .refusal
                .as_deref()
                .unwrap()
                .split(" Trace ID:")
                .next()
                .unwrap()
                .trim()
        )
    );
    assert!(!ran.stderr.contains("wrong-Secret~value"));
    // No secret at all.
    let ran = Test::new().args(pull_args(&server, &pki, out.path())).run();
    ran.code(2);
    assert_eq!(
        ran.stderr,
        "mfaudit: error: no credential for the app: pass --certificate FILE.pem or --client-secret-file FILE, or set MFAUDIT_CLIENT_SECRET\n"
    );
}

#[test]
fn a_token_is_only_sent_over_tls_or_to_this_machine() {
    let out = tempdir();
    let ran = Test::new()
        .env("MFAUDIT_CLIENT_SECRET", SECRET)
        .args([
            "pull",
            "--tenant",
            TENANT,
            "--client-id",
            CLIENT_ID,
            "--out",
            out.path().to_str().unwrap(),
            "--graph-url",
            "http://graph.example.com",
        ])
        .run();
    ran.code(2);
    assert_eq!(
        ran.stderr,
        "mfaudit: error: --graph-url http://graph.example.com: the token would travel unencrypted; use an https:// URL (http:// only to this machine, for tests)\n"
    );
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}

#[test]
fn a_token_is_renewed_before_it_expires_during_a_long_pull() {
    let pki = Pki::new();
    let mut t = tenant(2_000, 0);
    t.max_page = 50;
    t.token_lifetime_secs = 4;
    t.latency = Duration::from_millis(100);
    let server = GraphServer::start(&pki, t);
    let out = tempdir();
    pull(&server, &pki, out.path(), &["--only", "users"]).ok();
    // 40 pages of 100 ms, one at a time: at least 4 s; a token is renewed after 2 s, 2 s before
    // it expires.
    let tokens = server.token_requests();
    assert!(tokens.len() >= 2, "{} token requests", tokens.len());
    assert!(tokens.iter().all(|t| t.granted));
    let log = server.log();
    assert!(
        log.iter().all(|l| l.status == 200),
        "no request was refused"
    );
    assert_eq!(log.len(), 40);
}

#[test]
fn a_token_revoked_mid_pull_is_replaced_once_and_the_pull_goes_on() {
    let pki = Pki::new();
    let mut t = tenant(1_000, 0);
    t.max_page = 50;
    t.latency = Duration::from_millis(60);
    let server = GraphServer::start(&pki, t);
    let out = tempdir();
    let child = Test::new()
        .env("MFAUDIT_CLIENT_SECRET", SECRET)
        .args(pull_args(&server, &pki, out.path()))
        .args(["--only", "users"])
        .spawn();
    let start = Instant::now();
    while server.log().len() < 5 {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the pull never started"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    server.revoke_tokens();
    let out_of = child.wait_with_output().unwrap();
    assert!(
        out_of.status.success(),
        "{}",
        String::from_utf8_lossy(&out_of.stderr)
    );
    let log = server.log();
    let refused: Vec<&Logged> = log.iter().filter(|l| l.status == 401).collect();
    assert_eq!(refused.len(), 1, "one request met the revoked token");
    let after = log.iter().position(|l| l.status == 401).unwrap();
    assert_eq!(
        log[after + 1].target,
        log[after].target,
        "and was asked again"
    );
    assert_eq!(server.token_requests().len(), 2);
    assert_eq!(page_records(&out.path().join("users.json")).len(), 1_000);
}

#[test]
fn run_config_pulls_audits_and_says_when_the_pull_did_not_complete() {
    let pki = Pki::new();
    let mut t = tenant(50, 100);
    t.faults.push(Fault {
        path_prefix: "/beta/auditLogs/signIns".into(),
        kind: FaultKind::Status {
            status: 403,
            code: "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
            retry_after: None,
        },
        times: 1,
        on_page: 0,
    });
    let server = GraphServer::start(&pki, t);
    let dir = tempdir();
    write(dir.path(), "secret.txt", format!("{SECRET}\n"));
    let config = write(
        dir.path(),
        "mfaudit.toml",
        format!(
            "[pull]\ntenant = \"{TENANT}\"\nclient-id = \"{CLIENT_ID}\"\nclient-secret-file = \"secret.txt\"\nout = \"exports\"\ngraph-url = \"{url}\"\nlogin-url = \"{url}\"\nca-file = \"{ca}\"\n\n[outputs]\njson = \"reports/audit.json\"\n",
            url = server.url(),
            ca = pki.ca_pem.display()
        ),
    );
    let ran = Test::new()
        .args(["run", "--config", config.to_str().unwrap()])
        .current_dir(Path::new("/"))
        .run();
    ran.code(1);
    let report: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("reports/audit.json")).unwrap())
            .unwrap();
    assert_eq!(report["summary"]["users_total"], 50);
    // The manifest's account of the failed file comes first, in every report.
    let exports = dir.path().join("exports");
    let m = manifest(&exports);
    let said = format!(
        "The pull at {} could not fetch signins-interactive.json ({}); there is no earlier copy, so what it holds is unknown ({}).",
        m["finished"].as_str().unwrap(),
        entry(&m, "signins-interactive.json")["error"]
            .as_str()
            .unwrap(),
        exports.join("manifest.json").display()
    );
    assert_eq!(report["warnings"][0], said);
    assert!(
        said.contains("(Graph answered 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant"),
        "{said}"
    );
    // An auditor who receives the folder later is told the same by a plain audit of it.
    let (alone, _) = audit_json(&exports);
    assert_eq!(alone["warnings"][0], said);
    // Without the sign-ins, who got in without MFA is unknown, not none.
    assert_eq!(
        report["without_mfa"]["signins_without_mfa"],
        Value::Null,
        "{:#}",
        report["without_mfa"]
    );
    // The same job the next week, with the pull complete: exit 0.
    let ran = Test::new()
        .args(["run", "--config", config.to_str().unwrap()])
        .run();
    ran.ok();
    let m = manifest(&dir.path().join("exports"));
    assert_eq!(m["complete"], true);
    let report: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("reports/audit.json")).unwrap())
            .unwrap();
    assert!(
        report["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| !w.as_str().unwrap().contains("pull"))
    );
    // A week on, the secret was rotated and the job not told: no token, nothing pulled, the audit
    // of last week's files says so first, and the job exits 1.
    write(dir.path(), "secret.txt", "an-old-secret\n");
    let ran = Test::new()
        .args(["run", "--config", config.to_str().unwrap()])
        .run();
    ran.code(1);
    let report: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("reports/audit.json")).unwrap())
            .unwrap();
    let first = report["warnings"][0].as_str().unwrap();
    assert!(
        first.starts_with("The Graph pull before this audit did not run (no token from 127.0.0.1: the token endpoint answered 401 invalid_client: AADSTS7000215"),
        "{first}"
    );
    assert!(
        first.ends_with(&format!(
            "): every file audited is from an earlier pull, or missing; {} says how old each one is.",
            exports.join("manifest.json").display()
        )),
        "{first}"
    );
    assert!(!ran.stderr.contains("an-old-secret"));
}

/// The peak resident memory of a running process so far, in MiB (Linux), polled until it exits.
fn run_measuring_peak(mut child: std::process::Child) -> (std::process::ExitStatus, Option<u64>) {
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = None;
    loop {
        if let Ok(text) = std::fs::read_to_string(&status_file)
            && let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak = Some(kb / 1024);
        }
        if let Some(status) = child.try_wait().unwrap() {
            return (status, peak);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The speed target of the pull (BENCHMARKS.md): 200k users with their per-user state and 300k
/// sign-ins, 50 ms added to every request, with 4, 8 and 16 requests in flight; and the same pull
/// at a quarter of the size, to show memory does not grow with the data. Slow (minutes), so
/// ignored: `cargo test --release --test integration pull::benchmark -- --ignored --nocapture`.
#[test]
#[ignore]
fn benchmark() {
    let pki = Pki::new();
    let bench_tenant = |users: usize, signins: usize| {
        let mut t = Tenant::new(TENANT, CLIENT_ID);
        t.client_secret = Some(SECRET.to_string());
        t.latency = Duration::from_millis(50);
        t.max_page = 1000;
        t.collections
            .insert("/v1.0/users".into(), Collection::generated(users, user));
        t.collections.insert(
            "/beta/auditLogs/signIns".into(),
            Collection::generated(signins, move |n| {
                // Every one interactive and of the last week.
                let mut s = signin(n, users, (n % 150) as i64 + 1);
                s["signInEventTypes"] = json!(["interactiveUser"]);
                s["isInteractive"] = json!(true);
                s
            }),
        );
        for i in 0..users {
            t.per_user_state.insert(uid(i), state(i).to_string());
        }
        t
    };
    eprintln!(
        "| users | sign-ins | in flight | requests | of which $batch | wall time | peak memory |"
    );
    eprintln!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (users, signins, in_flight) in [
        (50_000, 75_000, 16),
        (200_000, 300_000, 4),
        (200_000, 300_000, 8),
        (200_000, 300_000, 16),
    ] {
        let server = GraphServer::start(&pki, bench_tenant(users, signins));
        let out = tempdir();
        let child = Test::new()
            .env("MFAUDIT_CLIENT_SECRET", SECRET)
            .args(pull_args(&server, &pki, out.path()))
            .args([
                "--only",
                "users,per-user-state,signins",
                "--in-flight",
                &in_flight.to_string(),
                "--quiet",
            ])
            .spawn();
        let start = Instant::now();
        let (status, peak) = run_measuring_peak(child);
        let wall = start.elapsed();
        assert!(status.success());
        let log = server.log();
        let batches = requests_to(&log, "/beta/$batch").len();
        assert!(batches <= users.div_ceil(20), "{batches} $batch requests");
        assert!(server.max_in_flight() <= in_flight);
        let m = manifest(out.path());
        assert_eq!(entry(&m, "users.json")["records"], users);
        assert_eq!(entry(&m, "per-user-mfa-state.json")["records"], users);
        assert_eq!(entry(&m, "signins-interactive.json")["records"], signins);
        eprintln!(
            "| {users} | {signins} | {in_flight} | {} | {batches} | {:.1} s | {} MiB |",
            log.len(),
            wall.as_secs_f64(),
            peak.map_or("?".to_string(), |p| p.to_string())
        );
    }
}

#[test]
fn a_key_that_is_not_the_certificates_is_refused_before_any_request() {
    let pki = Pki::new();
    let server = GraphServer::start(&pki, tenant(10, 0));
    let dir = tempdir();
    let other_key = dir.path().join("other-key.pem");
    let made = std::process::Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(&other_key)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let pem = std::fs::read_to_string(&pki.client_pem).unwrap();
    let cert_end =
        pem.find("-----END CERTIFICATE-----").unwrap() + "-----END CERTIFICATE-----\n".len();
    let mixed = write(
        dir.path(),
        "mixed.pem",
        format!(
            "{}{}",
            &pem[..cert_end],
            std::fs::read_to_string(&other_key).unwrap()
        ),
    );
    let out = dir.path().join("out");
    let ran = Test::new()
        .args(pull_args(&server, &pki, &out))
        .args(["--certificate", mixed.to_str().unwrap()])
        .run();
    ran.code(2);
    assert_eq!(
        ran.stderr,
        format!(
            "mfaudit: error: --certificate {}: the private key does not belong to the certificate in the same file\n",
            mixed.display()
        )
    );
    assert!(server.token_requests().is_empty());
    assert!(!out.exists());
}
