//! The configuration readers on the real baseline export (`j0eyv-conditional-access-baseline`):
//! every policy and group file through the binary (`inspect --format json`: kinds and counts),
//! and through the library the policies read field by field, as the files say.

use std::path::{Path, PathBuf};

use serde_json::Value;

use mfaudit::input::{ReadOptions, read_config};
use mfaudit::model::config::{
    AppTargets, Grant, GuestTargets, Policy, PolicyState, Strength, TenantConfig, UserTargets,
};

use crate::support::{self, Test};

/// The baseline's folder, when the shared samples are there.
fn baseline() -> Option<PathBuf> {
    support::samples().map(|s| s.join("j0eyv-conditional-access-baseline"))
}

/// The files of one of its folders, sorted.
fn files_of(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("sample folder")
        .map(|e| e.expect("folder entry").path())
        .collect();
    files.sort();
    files
}

#[test]
fn every_policy_and_group_file_is_inspected_with_its_kind_and_count() {
    // `samples()` says on stderr that the test is skipped.
    let Some(base) = baseline() else {
        return;
    };
    let policies = files_of(&base.join("ConditionalAccess"));
    let groups = files_of(&base.join("Groups"));
    assert_eq!((policies.len(), groups.len()), (36, 36));
    let ran = Test::new()
        .args(["inspect", "--format", "json"])
        .args(&policies)
        .args(&groups)
        .run();
    ran.ok();
    let report: Value = serde_json::from_str(&ran.stdout).expect("inspect's JSON");
    let files = report["files"].as_array().expect("files");
    assert_eq!(files.len(), 72);
    assert_eq!(report["skipped"], Value::Array(vec![]));
    for (f, path) in files.iter().zip(policies.iter().chain(&groups)) {
        let is_policy = policies.contains(path);
        let shown = path.display().to_string();
        assert_eq!(f["path"], shown.as_str());
        let (kind, contents) = if is_policy {
            ("conditional-access-json", "1 policy")
        } else {
            ("groups-json", "1 group (0 with members)")
        };
        assert_eq!(f["kind_id"], kind, "{shown}");
        assert_eq!(f["records"], 1, "{shown}");
        assert_eq!(f["contents"], contents, "{shown}");
        assert_eq!(f["warnings"], Value::Array(vec![]), "{shown}");
        assert_eq!(f["signin_fields"], Value::Null, "{shown}");
    }
    // Most are Windows PowerShell 5.1's UTF-16LE; CA005 and CA006 (and a group) are UTF-8.
    let utf8: Vec<&str> = files
        .iter()
        .filter(|f| f["encoding"] != "UTF-16LE (BOM)")
        .map(|f| f["path"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(utf8.len(), 3, "{utf8:?}");
    assert!(
        utf8.iter()
            .all(|p| p.contains("CA005") || p.contains("CA006"))
    );
    // The folders themselves give the same files.
    let ran = Test::new()
        .args(["inspect", "--format", "json"])
        .arg(base.join("ConditionalAccess"))
        .arg(base.join("Groups"))
        .run();
    ran.ok();
    let again: Value = serde_json::from_str(&ran.stdout).expect("inspect's JSON");
    assert_eq!(again["files"].as_array().map(Vec::len), Some(72));
}

/// Reads every file of the given folders into one configuration, through the library.
fn read_all(dirs: &[PathBuf]) -> TenantConfig {
    let opts = ReadOptions::default();
    let expanded = mfaudit::input::expand(dirs, &[]).expect("expand");
    let (files, skipped) = mfaudit::input::identify(&expanded.files, &opts).expect("identify");
    assert!(skipped.is_empty(), "{skipped:?}");
    let mut config = TenantConfig::default();
    for f in &files {
        assert!(f.kind.is_config(), "{}: {:?}", f.path.display(), f.kind);
        let stats = read_config(f, &opts, &mut config).expect("read");
        assert_eq!(stats.records, 1, "{}", f.path.display());
        assert!(stats.warnings.is_empty(), "{:?}", stats.warnings);
    }
    config
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The 24 admin roles CA100 targets, in the file's order.
const CA100_ROLES: &[&str] = &[
    "62e90394-69f5-4237-9190-012177145e10",
    "194ae4cb-b126-40b2-bd5b-6091b380977d",
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
    "29232cdf-9323-42fd-ade2-1d097af3e4de",
    "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
    "729827e3-9c14-49f7-bb1b-9608f156bbb8",
    "b0f54661-2d74-4c50-afa3-1ec803f12efe",
    "fe930be7-5e62-47db-91af-98c3a49a38b1",
    "c4e39bd9-1100-46d3-8c65-fb160da0071f",
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
    "158c047a-c907-4556-b7ef-446551a6b5f7",
    "966707d0-3269-4727-9be2-8c3a10f19b9d",
    "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
    "e8611ab8-c189-46e8-94e1-60213ab1f814",
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    "3a2c62db-5318-420d-8d74-23affee5d9d5",
    "d2562ede-74db-457e-a7b6-544e236ebb61",
    "db506228-d27e-4b7d-95e5-295956d6615f",
    "6b942400-691f-4bf0-9d12-d8a254a2baf5",
    "e93e3737-fa85-474a-aee4-7d3fb86510f3",
    "b6a27b2b-f905-4b2e-81b5-0d90e0ef1fdb",
    "1707125e-0aa2-4d4d-8655-a7c786c76a25",
    "69091246-20e8-4a56-aa4d-066075b2a7a8",
    "11451d60-acb2-45eb-a7d6-43d0f0125c13",
];

/// The same roles as CA105 lists them: AI Administrator after Agent Registry Administrator.
fn ca105_roles() -> Vec<String> {
    let ai = "d2562ede-74db-457e-a7b6-544e236ebb61";
    let mut roles: Vec<String> = strings(CA100_ROLES)
        .into_iter()
        .filter(|r| r != ai)
        .collect();
    let registry = roles
        .iter()
        .position(|r| r == "6b942400-691f-4bf0-9d12-d8a254a2baf5")
        .expect("Agent Registry Administrator");
    roles.insert(registry + 1, ai.to_string());
    roles
}

/// A policy as the baseline writes most of them: every client, the file's own index and dates.
#[allow(clippy::too_many_arguments)]
fn expected(
    id: &str,
    name: &str,
    state: PolicyState,
    users: UserTargets,
    applications: AppTargets,
    client_app_types: &[&str],
    narrowing: &[&str],
    grant: Grant,
    (created, modified): (&str, Option<&str>),
    file: u32,
) -> Policy {
    Policy {
        id: Some(id.into()),
        name: Some(name.into()),
        state,
        users,
        applications,
        client_app_types: strings(client_app_types),
        narrowing: strings(narrowing),
        grant,
        created: Some(created.into()),
        modified: modified.map(str::to_string),
        file,
    }
}

fn all_apps() -> AppTargets {
    AppTargets {
        include: strings(&["All"]),
        ..AppTargets::default()
    }
}

fn grant(controls: &[&str]) -> Grant {
    Grant {
        operator: Some("OR".into()),
        controls: strings(controls),
        strength: None,
    }
}

/// Grant controls that are an authentication strength alone.
fn strength(id: &str, name: &str, combinations: &[&str]) -> Grant {
    Grant {
        operator: Some("OR".into()),
        controls: vec![],
        strength: Some(Strength {
            id: Some(id.into()),
            name: Some(name.into()),
            combinations: strings(combinations),
        }),
    }
}

const BREAK_GLASS: &str = "2802b872-ccfb-4b29-a9a9-459808dfb11b";

#[test]
fn the_baseline_policies_read_as_the_files_say() {
    // `samples()` says on stderr that the test is skipped.
    let Some(base) = baseline() else {
        return;
    };
    let config = read_all(&[base.join("ConditionalAccess"), base.join("Groups")]);
    let policies = config.policies.as_ref().expect("policies");
    assert_eq!(policies.len(), 36);
    assert_eq!(config.policy_files.len(), 36);
    assert_eq!(config.security_defaults, None);
    assert_eq!(config.roles, None);
    // 36 group files, two of which describe the same groups as two others.
    assert_eq!(config.group_files.len(), 36);
    assert_eq!(config.groups.len(), 34);
    assert!(config.groups.values().all(|g| g.members.is_none()));
    assert_eq!(
        config.groups[BREAK_GLASS].name.as_deref(),
        Some("CA-BreakGlassAccounts - Exclude")
    );
    let report_only = policies
        .iter()
        .filter(|p| p.state == PolicyState::EnabledForReportingButNotEnforced)
        .count();
    assert_eq!(report_only, 5, "CA105 and CA502-CA505");

    let find = |prefix: &str| {
        policies
            .iter()
            .find(|p| p.label().starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix} is read"))
    };
    // Files are read in sorted order: CA000 is the first input, CA501 the thirty-first.
    assert_eq!(
        *find("CA000"),
        expected(
            "809741fe-fb1b-4746-9ff0-83a978a4c891",
            "CA000-Global-IdentityProtection-AnyApp-AnyPlatform-MFA",
            PolicyState::Enabled,
            UserTargets {
                include_users: strings(&["All"]),
                exclude_groups: strings(&[
                    "8e75af29-5176-4372-a718-724b8a4620dc",
                    "cfa1f128-ec48-4ee1-9ea9-1c28fdb57722",
                    "2eee133e-3427-4860-81b9-057d5b28b022",
                    "349156c1-2fb1-4ffa-9cd3-5c4418e24e4c",
                    "7452a2db-063a-4048-84b0-ff691fa2900e",
                    BREAK_GLASS,
                    "68ce874b-21a9-4ca9-b447-f09a037be53a",
                ]),
                exclude_roles: strings(&["d29b2b05-8046-44ba-8758-1e26182fcf32"]),
                ..UserTargets::default()
            },
            all_apps(),
            &["all"],
            &[],
            grant(&["mfa"]),
            (
                "2026-02-13T11:37:41.7574033Z",
                Some("2026-02-13T12:19:57.1916067Z")
            ),
            0,
        )
    );
    assert_eq!(
        *find("CA002"),
        expected(
            "c1acdef5-cfc8-470b-a7db-1f71ba4be1fb",
            "CA002-Global-IdentityProtection-AnyApp-AnyPlatform-Block-LegacyAuthentication",
            PolicyState::Enabled,
            UserTargets {
                include_users: strings(&["All"]),
                exclude_groups: strings(&[BREAK_GLASS, "8861a932-f1d1-4d1d-a5e6-cdce20fada27"]),
                ..UserTargets::default()
            },
            all_apps(),
            &["exchangeActiveSync", "other"],
            &[],
            grant(&["block"]),
            (
                "2024-05-24T09:27:53.9288463Z",
                Some("2024-06-21T06:29:20.5985936Z")
            ),
            2,
        )
    );
    assert_eq!(
        *find("CA003"),
        expected(
            "5c19fad7-8c1b-4a0e-9087-3423c99680ad",
            "CA003-Global-BaseProtection-RegisterOrJoin-AnyPlatform-MFA",
            PolicyState::Enabled,
            UserTargets {
                include_users: strings(&["All"]),
                exclude_groups: strings(&[BREAK_GLASS, "c4906422-18aa-47d8-b808-8c4919b655d8"]),
                ..UserTargets::default()
            },
            AppTargets {
                user_actions: strings(&["urn:user:registerdevice"]),
                ..AppTargets::default()
            },
            &["all"],
            &[],
            grant(&["mfa"]),
            (
                "2024-05-24T09:27:54.9043036Z",
                Some("2024-06-21T07:05:31.5617075Z")
            ),
            3,
        )
    );
    assert_eq!(
        *find("CA100"),
        expected(
            "977083ba-6daf-4860-bdf8-2bc5505a6428",
            "CA100-Admins-IdentityProtection-AdminPortals-AnyPlatform-MFA",
            PolicyState::Enabled,
            UserTargets {
                exclude_groups: strings(&[BREAK_GLASS, "70899f87-a5ba-4145-8bd5-2230db5dbbff"]),
                include_roles: strings(CA100_ROLES),
                ..UserTargets::default()
            },
            AppTargets {
                include: strings(&["MicrosoftAdminPortals"]),
                ..AppTargets::default()
            },
            &["all"],
            &[],
            strength(
                "00000000-0000-0000-0000-000000000002",
                "Multifactor authentication",
                &[
                    "windowsHelloForBusiness",
                    "fido2",
                    "x509CertificateMultiFactor",
                    "deviceBasedPush",
                    "temporaryAccessPassOneTime",
                    "temporaryAccessPassMultiUse",
                    "password,microsoftAuthenticatorPush",
                    "password,softwareOath",
                    "password,hardwareOath",
                    "password,sms",
                    "password,voice",
                    "federatedMultiFactor",
                    "microsoftAuthenticatorPush,federatedSingleFactor",
                    "softwareOath,federatedSingleFactor",
                    "hardwareOath,federatedSingleFactor",
                    "sms,federatedSingleFactor",
                    "voice,federatedSingleFactor",
                ],
            ),
            (
                "2024-05-24T09:27:58.5579287Z",
                Some("2026-06-08T18:08:09.0776786Z")
            ),
            7,
        )
    );
    assert_eq!(
        *find("CA105"),
        expected(
            "d2cebefb-fc77-4986-8890-4fe511825ee7",
            "CA105-Admins-IdentityProtection-AnyApp-AnyPlatform-PhishingResistantMFA",
            PolicyState::EnabledForReportingButNotEnforced,
            UserTargets {
                exclude_groups: strings(&[BREAK_GLASS, "ab2172b3-67e0-4b55-b538-21467c8ebd45"]),
                include_roles: ca105_roles(),
                ..UserTargets::default()
            },
            AppTargets {
                include: strings(&["All"]),
                exclude: strings(&["14d82eec-204b-4c2f-b7e8-296a70dab67e"]),
                ..AppTargets::default()
            },
            &["all"],
            &[],
            strength(
                "00000000-0000-0000-0000-000000000004",
                "Phishing-resistant MFA",
                &[
                    "windowsHelloForBusiness",
                    "fido2",
                    "x509CertificateMultiFactor"
                ],
            ),
            (
                "2025-01-27T07:20:59.2720129Z",
                Some("2026-06-08T18:17:31.7432682Z")
            ),
            12,
        )
    );
    assert_eq!(
        *find("CA400"),
        expected(
            "1ccca3dd-93cb-4c14-9ae1-abe557971060",
            "CA400-GuestUsers-IdentityProtection-AnyApp-AnyPlatform-MFA",
            PolicyState::Enabled,
            UserTargets {
                exclude_groups: strings(&[BREAK_GLASS, "349156c1-2fb1-4ffa-9cd3-5c4418e24e4c"]),
                include_guests: Some(GuestTargets {
                    types: strings(&[
                        "internalGuest",
                        "b2bCollaborationGuest",
                        "b2bCollaborationMember",
                        "b2bDirectConnectUser",
                        "otherExternalUser",
                        "serviceProvider",
                    ]),
                    all_tenants: true,
                    tenants: vec![],
                }),
                ..UserTargets::default()
            },
            all_apps(),
            &["all"],
            &[],
            grant(&["mfa"]),
            (
                "2024-05-24T09:28:08.0239156Z",
                Some("2024-05-24T10:57:40.9680552Z")
            ),
            26,
        )
    );
    assert_eq!(
        *find("CA501"),
        expected(
            "24a6aa5d-c135-4605-8b40-761f103a981e",
            "CA501-Agents-IdentityProtection-AnyApp-AnyPlatform-BLOCK-HighRiskAgent",
            PolicyState::Enabled,
            UserTargets {
                include_users: strings(&["None"]),
                ..UserTargets::default()
            },
            all_apps(),
            &["all"],
            &["agent risk: high"],
            grant(&["block"]),
            ("2026-02-13T12:04:33.5948003Z", None),
            31,
        )
    );
}

/// The conditions the other baseline policies narrow by, each named.
#[test]
fn the_baseline_narrowing_conditions() {
    // `samples()` says on stderr that the test is skipped.
    let Some(base) = baseline() else {
        return;
    };
    let config = read_all(&[base.join("ConditionalAccess")]);
    let narrowing = |prefix: &str| {
        config
            .policies
            .iter()
            .flatten()
            .find(|p| p.label().starts_with(prefix))
            .map(|p| p.narrowing.clone())
            .unwrap_or_else(|| panic!("{prefix} is read"))
    };
    assert_eq!(
        narrowing("CA001"),
        ["locations: All except 185c993e-10a9-44fa-98d1-230c8f72f497"]
    );
    assert_eq!(
        narrowing("CA004"),
        ["authentication flows: deviceCodeFlow, authenticationTransfer"]
    );
    assert_eq!(
        narrowing("CA005"),
        [
            "platforms: android, iOS",
            "device filter: exclude device.isCompliant -eq True -and device.deviceOwnership -eq \"Company\""
        ]
    );
    // Any location, with nothing excepted, narrows nothing.
    assert!(narrowing("CA101").is_empty());
    assert_eq!(narrowing("CA201"), ["user risk: high"]);
    assert_eq!(
        narrowing("CA204"),
        ["platforms: all except android, iOS, windows, macOS"]
    );
    assert_eq!(narrowing("CA210"), ["sign-in risk: high"]);
    assert_eq!(
        narrowing("CA503"),
        ["agents", "agentContext"],
        "conditions this reader does not know are named, not passed over"
    );
    assert_eq!(narrowing("CA504"), ["agent risk: medium, high", "agents"]);
}

/// Broken configuration exports through the binary: exit 2, one line naming the file, where and
/// what was expected, nothing on stdout.
#[test]
fn broken_configuration_exports_are_one_line_errors() {
    let dir = support::tempdir();
    // `Get-MgIdentityConditionalAccessPolicy | ConvertTo-Json > policies.json` in Windows
    // PowerShell 5.1: UTF-16LE, the default depth of 2.
    let cut = "[\r\n    {\r\n        \"Conditions\":  {\r\n                           \"Applications\":  \"Microsoft.Graph.PowerShell.Models.MicrosoftGraphConditionalAccessApplications\",\r\n                           \"ClientAppTypes\":  \"all\",\r\n                           \"Users\":  \"Microsoft.Graph.PowerShell.Models.MicrosoftGraphConditionalAccessUsers\"\r\n                       },\r\n        \"DisplayName\":  \"Require MFA\",\r\n        \"State\":  \"enabled\"\r\n    }\r\n]\r\n";
    let cases = [
        (
            support::write(dir.path(), "policies.json", support::utf16le_bom(cut)),
            ":6:38: policy 'Require MFA': conditions.users holds the type name 'Microsoft.Graph.PowerShell.Models.MicrosoftGraphConditionalAccessUsers' instead of its value: ConvertTo-Json cut the export at its depth (2 by default), so the data is not in the file; export again with ConvertTo-Json -Depth 10",
        ),
        (
            support::write(
                dir.path(),
                "groups.json",
                r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#groups","value":[{"id":"g1","members":[{"id":"u1"}]},{"displayName":"no id","members":[]}]}"#,
            ),
            ":1:116: expected a group object (id, displayName, members): no id",
        ),
        (
            support::write(
                dir.path(),
                "members.csv",
                "groupId,memberId\r\ng1,u1\r\n\"g2,u2\r\n",
            ),
            ":line 3: the file ends inside the quoted field that opens on this line (a stray quote, or a file cut short)",
        ),
        (
            support::write(
                dir.path(),
                "roles.json",
                "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/roleAssignments\",\"value\":[{\"principalId\":\"u1\",\"roleDefinitionId\":\"r\"",
            ),
            ":1:156: the JSON ends inside a value that starts at 1:114: the file is truncated",
        ),
    ];
    for (path, message) in cases {
        Test::new()
            .args(["inspect", "--quiet"])
            .arg(&path)
            .run()
            .code(2)
            .stdout_is("")
            .stderr_is(&format!("mfaudit: error: {}{message}\n", path.display()));
    }
}
