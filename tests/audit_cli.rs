//! `audit` and `run` end to end through the binary, on the shipped Contoso example: the JSON
//! contract, the stdout summary, the policy exit code, history across runs, the email dry run and
//! the config file.

use std::path::{Path, PathBuf};

use crate::support::{Ran, Test, tempdir, write};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/contoso/exports")
}

fn audit(dir: &Path, extra: &[&str]) -> (Ran, serde_json::Value) {
    let json = dir.join("audit.json");
    let ran = Test::new()
        .env("SOURCE_DATE_EPOCH", "1795910400")
        .arg("audit")
        .arg(example())
        .arg("--json")
        .arg(&json)
        .args(extra)
        .run();
    let value = std::fs::read_to_string(&json)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(serde_json::Value::Null);
    (ran, value)
}

fn user<'a>(report: &'a serde_json::Value, upn: &str) -> &'a serde_json::Value {
    report["users"]
        .as_array()
        .and_then(|users| users.iter().find(|u| u["upn"] == upn))
        .unwrap_or_else(|| panic!("{upn} is in the report"))
}

#[test]
fn the_example_tenant_audit_answers_with_exact_numbers() {
    let dir = tempdir();
    let (out, r) = audit(dir.path(), &[]);
    out.ok();
    assert_eq!(r["schema"], "mfaudit.audit/1");
    assert_eq!(r["generated_at"], "2026-11-29T00:00:00Z");
    assert_eq!(
        r["summary"],
        serde_json::json!({
            "users_total": 13, "users_enabled": 12, "registered_enabled": 9, "unregistered_enabled": 3,
            "per_user_state": {"enforced": 3, "enabled": 2, "disabled": 8, "unknown": 0},
            "signins_total": 32, "mfa_challenges": 22, "challenged_users": 9,
            "users_completed_mfa": 7, "users_unable_to_complete": 2, "users_with_failures": 4,
            "registration_unknown_enabled": 0, "access_unknown": 0,
            "admins_without_mfa": 1, "admins_without_mfa_unknown": 0, "activity_inputs": 3,
            "duplicate_signins": 0, "workload_signins": 0,
            "excepted_enabled": 0, "unregistered_enabled_unexcepted": 3,
            // "Require MFA for all users" covers everyone but the MFA exclusions group (Carol,
            // Judy, Oscar); Judy's per-user MFA is enabled, so only Carol and Oscar are never
            // required. Protected: always required and registered (not Heidi).
            "enforcement": {
                "mfa_required": {"always": 10, "conditional": 0, "never": 2, "unknown": 0},
                "protected_enabled": 9,
                "users_signed_in_without_mfa": 3, "users_legacy_auth": 1,
                "security_defaults": false,
                "unprotected_enabled": 3, "protection_unknown_enabled": 0
            }
        }),
        "{:#}",
        r["summary"]
    );
    let kinds: Vec<&str> = r["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "conditional-access-json",
            "groups-json",
            "role-assignments-json",
            "role-eligibility-json",
            "security-defaults-json",
            "users-csv",
            "per-user-state-csv",
            "sign-in-json",
            "sign-in-csv",
            "auth-details-csv",
            "sign-in-json",
            "graph-registration-json"
        ]
    );
    assert_eq!(
        user(&r, "erin@contoso.com")["flags"],
        serde_json::json!(["push-fatigue-suspected"])
    );
    assert_eq!(
        user(&r, "frank@contoso.com")["flags"],
        serde_json::json!(["challenged-never-completed", "fraud-reported"])
    );
    assert_eq!(
        user(&r, "heidi@contoso.com")["flags"],
        serde_json::json!([
            "enabled-unregistered",
            "admin-without-mfa",
            "required-not-registered",
            "phishing-resistant-required-not-registered"
        ])
    );
    assert_eq!(
        user(&r, "bob@contoso.com")["flags"],
        serde_json::json!(["telephony-only"])
    );
    assert_eq!(
        user(&r, "judy@contoso.com")["flags"],
        serde_json::json!([
            "registered-never-challenged",
            "signed-in-without-mfa",
            "excluded-from-mfa-policy",
            "required-but-signed-in-without-mfa"
        ])
    );
    // The seventh answer: Carol and Judy got in to SharePoint on a single factor, Oscar read his
    // mail over IMAP; the four token refreshes of the non-interactive download are counted apart.
    assert_eq!(
        r["without_mfa"],
        serde_json::json!({
            "question": "Who signed in without MFA?",
            "answer": "3 users signed in interactively without MFA being required or performed (4 sign-ins); most often to: Office 365 SharePoint Online (3 sign-ins, 2 users); Office 365 Exchange Online (1 sign-in, 1 user); legacy protocols, over which no MFA is possible: IMAP4 (1 of 1 sign-in succeeded); POP3 (0 of 1 sign-in succeeded); 1 enabled user got in over one; 4 non-interactive sign-ins refreshed sessions and are not counted as without MFA.",
            "signins_without_mfa": 4, "users_without_mfa": 3,
            "interactive_signins": 28, "noninteractive_signins": 4,
            "interactive_assumed": 0, "requirement_unknown": 0,
            "apps": [
                {"app": "Office 365 SharePoint Online", "signins": 3, "users": 2},
                {"app": "Office 365 Exchange Online", "signins": 1, "users": 1}
            ],
            "legacy": [
                {"protocol": "IMAP4", "signins": 1, "succeeded": 1, "users": 1},
                {"protocol": "POP3", "signins": 1, "succeeded": 0, "users": 1}
            ],
            // Per-user MFA for Alice, Bob, Erin and Mallory (4 + 2 + 7 + 2 sign-ins), Conditional
            // Access for Frank, Grace, Heidi, Ivan and Zoë, over the 22 challenges.
            "required_by": [
                {"provider": "user", "name": "per-user MFA", "signins": 15, "share": 0.6818},
                {"provider": "multiConditionalAccess", "name": "Conditional Access", "signins": 5, "share": 0.2273}
            ]
        })
    );
    // Each policy as the sign-ins of the JSON downloads saw it (the CSV carries no policies).
    let observed: Vec<serde_json::Value> = r["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| serde_json::json!([p["name"], p["observed"]]))
        .collect();
    assert_eq!(
        observed,
        [
            serde_json::json!(["Require MFA for all users", {
                "success": 9, "failure": 11, "not_applied": 9, "report_only_success": 0,
                "report_only_failure": 0, "report_only_not_applied": 0, "not_enabled": 0,
                "report_only_interrupted": 0, "unknown": 0, "demands_mfa": true}]),
            serde_json::json!(["Require MFA for excluded staff (report-only)", {
                "success": 0, "failure": 0, "not_applied": 0, "report_only_success": 0,
                "report_only_failure": 7, "report_only_not_applied": 22, "not_enabled": 0,
                "report_only_interrupted": 0, "unknown": 0, "demands_mfa": true}]),
            // In the policy export, never named by a sign-in.
            serde_json::json!(["Block legacy authentication", null]),
            serde_json::json!(["Phishing-resistant MFA for Global Administrators", null])
        ]
    );
    // What only the policy export says, with each policy's reach over the enabled users.
    let configured: Vec<serde_json::Value> = r["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            serde_json::json!([
                p["state"],
                p["requires"],
                p["users_covered"],
                p["users_excluded"],
                p["resources"],
                p["conditions"]
            ])
        })
        .collect();
    assert_eq!(
        configured,
        [
            serde_json::json!(["enabled", "mfa", 9, 3, "All", []]),
            serde_json::json!(["enabledForReportingButNotEnforced", "mfa", 3, 0, "All", []]),
            serde_json::json!([
                "enabled",
                "block",
                9,
                3,
                "All",
                ["client apps: exchangeActiveSync, other"]
            ]),
            serde_json::json!([
                "enabled",
                "authentication-strength:Phishing-resistant MFA",
                2,
                0,
                "All",
                []
            ]),
        ]
    );
    assert_eq!(
        user(&r, "carol@contoso.com")["enforcement"]["observed"],
        serde_json::json!({
            "signins_without_mfa": 2, "legacy_auth_signins": 0,
            "apps_without_mfa": ["Office 365 SharePoint Online"], "required_by": [],
            "last_without_mfa": "2026-11-24T10:00:00Z", "legacy_attempts": 0,
            "legacy_protocols": [], "policies": [],
            "report_only_would_require": [{"name": "Require MFA for excluded staff (report-only)", "signins": 2}]
        })
    );
    assert_eq!(
        user(&r, "oscar@contoso.com")["flags"],
        serde_json::json!([
            "enabled-unregistered",
            "signed-in-without-mfa",
            "legacy-auth-sign-in",
            "mfa-not-required",
            "excluded-from-mfa-policy"
        ])
    );
    assert_eq!(
        user(&r, "oscar@contoso.com")["enforcement"]["observed"]["legacy_protocols"],
        serde_json::json!([{"name": "IMAP4", "signins": 1}, {"name": "POP3", "signins": 1}])
    );
    assert_eq!(
        user(&r, "alice@contoso.com")["enforcement"]["observed"]["signins_without_mfa"],
        0,
        "Alice's token refreshes are single-factor, yet not sign-ins without MFA"
    );
    // The guest signed in with the home form of the UPN and still joins.
    let grace = user(&r, "grace_fabrikam.com#EXT#@contoso.onmicrosoft.com");
    assert_eq!(
        (grace["challenges"].as_u64(), grace["completed"].as_u64()),
        (Some(1), Some(1))
    );
    // Unknown stays unknown: the user who only signed in.
    let eve = user(&r, "eve@contoso.com");
    assert_eq!(
        (&eve["enabled"], &eve["registered"]),
        (&serde_json::Value::Null, &serde_json::Value::Null)
    );
    assert_eq!(
        r["unmatched_signins"]["examples"],
        serde_json::json!(["eve@contoso.com"])
    );
    assert_eq!(r["changes"], serde_json::Value::Null);

    out.utf8();
    let stdout = &out.stdout;
    assert!(stdout.starts_with("mfaudit audit: 13 users (12 enabled), 9 registered and 3 not registered among the enabled; 32 sign-ins, 22 MFA challenges\n"), "{stdout}");
    for q in [
        "1. Was the sign-in challenged with MFA?",
        "6. What are the common MFA issues end users are running into?",
    ] {
        assert!(stdout.contains(q), "{stdout}");
    }
}

#[test]
fn policy_threshold_exits_3_after_writing() {
    let dir = tempdir();
    let (out, r) = audit(
        dir.path(),
        &[
            "--fail-if-unregistered",
            "2",
            "--fail-if-admins-without-mfa",
            "0",
        ],
    );
    out.code(3).utf8();
    assert_eq!(
        r["summary"]["unregistered_enabled"], 3,
        "the report was written first"
    );
    let stderr = &out.stderr;
    assert!(
        stderr.contains("warning: policy: 3 enabled users are not registered (threshold 2)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning: policy: 1 admin has no MFA method (threshold 0)"),
        "{stderr}"
    );
    let (out, _) = audit(dir.path(), &["--fail-if-unregistered", "3"]);
    out.code(0);
}

#[test]
fn history_records_runs_and_a_rerun_changes_nothing() {
    let dir = tempdir();
    let db = dir.path().join("history.db");
    let db_arg = db.to_str().unwrap();
    let (out, first) = audit(dir.path(), &["--history", db_arg]);
    out.ok();
    assert_eq!(first["changes"], serde_json::Value::Null);
    let (out, second) = audit(dir.path(), &["--history", db_arg]);
    out.ok();
    let c = &second["changes"];
    for list in [
        "newly_registered",
        "newly_unregistered",
        "state_changed",
        "users_added",
        "users_removed",
    ] {
        assert_eq!(c[list], serde_json::json!([]), "{list}");
    }
    assert_eq!(second["trend"].as_array().map(Vec::len), Some(2));
    let listing = Test::new().args(["history", "--db", db_arg]).run();
    listing.ok().utf8();
    let text = &listing.stdout;
    assert_eq!(
        text.lines()
            .filter(|l| l.trim_start().starts_with(['1', '2']))
            .count(),
        2,
        "{text}"
    );
}

#[test]
fn email_dry_run_writes_the_message() {
    let dir = tempdir();
    let eml = dir.path().join("audit.eml");
    let (out, _) = audit(
        dir.path(),
        &[
            "--email-to",
            "security@contoso.com",
            "--email-from",
            "mfaudit@contoso.com",
            "--email-dry-run",
            eml.to_str().unwrap(),
        ],
    );
    out.ok();
    let bytes = std::fs::read(&eml).unwrap();
    let mail = mailparse::parse_mail(&bytes).unwrap();
    let subject = mail
        .headers
        .iter()
        .find(|h| h.get_key() == "Subject")
        .unwrap()
        .get_value();
    assert_eq!(
        subject,
        "3 of 12 enabled users not protected by MFA, 3 not registered, 3 signed in without MFA — mfaudit audit 2026-11-29"
    );
    assert_eq!(mail.ctype.mimetype, "multipart/mixed");
}

#[test]
fn run_with_a_config_file_and_flags_over_it() {
    let dir = tempdir();
    let config = write(
        dir.path(),
        "mfaudit.toml",
        format!(
            "inputs = [{:?}]\n[outputs]\njson = \"out/audit.json\"\n[policy]\nfail-if-unregistered = 0\n",
            example().display().to_string()
        ),
    );
    std::fs::create_dir_all(dir.path().join("out")).unwrap();
    Test::new()
        .env("SOURCE_DATE_EPOCH", "1795910400")
        .arg("run")
        .arg("--config")
        .arg(&config)
        .run()
        .code(3);
    assert!(dir.path().join("out/audit.json").is_file());
    let out = Test::new()
        .arg("run")
        .arg("--config")
        .arg(&config)
        .args(["--fail-if-unregistered", "5", "--dump-config"])
        .run();
    out.ok().utf8();
    let dump = &out.stdout;
    assert!(dump.contains("fail-if-unregistered = 5"), "{dump}");
    let bad = write(
        dir.path(),
        "bad.toml",
        "inputs = []\n[email]\npassword = \"hunter2\"\n",
    );
    let out = Test::new().arg("run").arg("--config").arg(&bad).run();
    out.code(2);
    assert!(!out.stderr.contains("hunter2"), "{}", out.stderr);
}

#[test]
fn codes_explains_a_code() {
    let out = Test::new()
        .args(["codes", "success_no_pin_but_timeout", "--format", "json"])
        .run();
    out.ok();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout_bytes).unwrap();
    assert_eq!(v["code"], "SUCCESS_NO_PIN_BUT_TIMEOUT");
}

/// A sign-in log of `n` Azure Monitor records for 60 users (some unknown to the directory), with
/// malformed lines at `bad`, and the registration details of 50 of those users.
fn large_tenant(dir: &Path, n: usize, bad: &[usize]) -> (PathBuf, PathBuf) {
    let details = [
        "MFA successfully completed",
        "MFA denied; user declined the authentication",
        "MFA denied; user did not respond to mobile app notification",
        "MFA requirement satisfied by claim in the token",
        "",
    ];
    let mut log = String::new();
    for i in 0..n {
        if bad.contains(&i) {
            log.push_str(
                "{\"time\":\"2025-05-01T00:00:00Z\",\"properties\":{\"userPrincipalName\":\n",
            );
            continue;
        }
        let user = (i * 7) % 60;
        let upn = if i % 5 == 0 {
            format!("User{user}@Contoso.com")
        } else {
            format!("user{user}@contoso.com")
        };
        let id = if i % 3 == 0 {
            String::new()
        } else {
            format!(",\"userId\":\"id-{user}\"")
        };
        // Some records carry no time: the timeless ones must merge in the order of the file.
        let time = if i % 11 == 0 {
            String::new()
        } else {
            format!(
                ",\"createdDateTime\":\"2025-05-01T{:02}:{:02}:{:02}Z\"",
                (i / 3600) % 24,
                (i / 60) % 60,
                i % 60
            )
        };
        let words = details[(i * 13 / 7) % details.len()];
        let requirement = if words.is_empty() {
            "singleFactorAuthentication"
        } else {
            "multiFactorAuthentication"
        };
        log.push_str(&format!(
            "{{\"time\":\"2025-05-01T00:00:00Z\",\"category\":\"SignInLogs\",\"properties\":{{\"userPrincipalName\":\"{upn}\"{id}{time},\"status\":{{\"errorCode\":0,\"additionalDetails\":\"{words}\"}},\"authenticationRequirement\":\"{requirement}\",\"mfaDetail\":{{\"authMethod\":\"Mobile app notification\"}}}}}}\n"
        ));
    }
    let mut users = Vec::new();
    for u in 0..50 {
        users.push(format!(
            "{{\"id\":\"id-{u}\",\"userPrincipalName\":\"user{u}@contoso.com\",\"isMfaRegistered\":{},\"methodsRegistered\":[\"microsoftAuthenticatorPush\"]}}",
            u % 4 != 0
        ));
    }
    let registration = format!(
        "{{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#reports/authenticationMethods/userRegistrationDetails\",\"value\":[{}]}}",
        users.join(",")
    );
    (
        write(dir, "userRegistrationDetails.json", registration),
        write(dir, "PT1H.json", log),
    )
}

/// `audit` reads a JSON log on two threads (the directory's thread takes batches of records once
/// it is done). Whatever share each thread gets, the report is the one folding the log in order
/// gives — sequentially, through the library — including which malformed lines are reported.
#[test]
fn the_two_thread_audit_equals_the_sequential_fold() {
    use mfaudit::audit::{AuditOptions, Auditor};
    use mfaudit::input::{self, ReadOptions};
    use mfaudit::model::Directory;

    let dir = tempdir();
    let bad = [3, 700, 1500, 2100, 2101, 2500, 5998];
    let (registration, log) = large_tenant(dir.path(), 6000, &bad);
    let json = dir.path().join("audit.json");
    Test::new()
        .env("SOURCE_DATE_EPOCH", "1795910400")
        .args(["--quiet", "audit", "--json"])
        .arg(&json)
        .arg(&registration)
        .arg(&log)
        .run()
        .ok();
    let cli: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();

    let opts = ReadOptions::default();
    let expanded = input::expand(&[registration.clone(), log.clone()], &[]).unwrap();
    let (files, _) = input::identify(&expanded.files, &opts).unwrap();
    let mut directory = Directory::new();
    input::read_users(&files[0], &opts, &mut |u| {
        directory.insert(u);
        Ok(())
    })
    .unwrap();
    let mut auditor = Auditor::new(AuditOptions::default());
    let stats = input::read_signins(&files[1], &[], &opts, &mut |s| {
        auditor.add(&s);
        Ok(())
    })
    .unwrap();
    let at = "2026-11-29T00:00:00Z".parse().unwrap();
    let sequential = serde_json::to_value(auditor.finish(directory, Vec::new(), at)).unwrap();

    for part in [
        "summary",
        "questions",
        "mfa_completed_by",
        "mfa_denied_because",
        "users",
        "unmatched_signins",
    ] {
        assert_eq!(cli[part], sequential[part], "{part}");
    }
    assert_eq!(cli["summary"]["signins_total"], 6000 - bad.len() as u64);
    assert_eq!(cli["inputs"][1]["records"], stats.records);
    assert_eq!(
        cli["inputs"][1]["warnings"],
        serde_json::json!(stats.warnings)
    );
    // The first five malformed lines in the file's order, then "more".
    let warnings = stats.warnings.join("\n");
    assert_eq!(warnings.matches("skipped a malformed record").count(), 5);
    assert!(
        warnings.contains(":4:"),
        "line 4 (record 3) is reported first: {warnings}"
    );
    assert!(warnings.ends_with("more malformed records skipped (see the count)"));
}

/// Records the readers skipped are reported on stderr with their lines, not only in `--json`.
#[test]
fn skipped_records_are_reported_on_stderr() {
    let dir = tempdir();
    let (registration, log) = large_tenant(dir.path(), 600, &[3, 200, 201, 300, 400, 500, 599]);
    let out = Test::new()
        .args(["audit"])
        .arg(&registration)
        .arg(&log)
        .run();
    out.ok().utf8();
    let stderr = &out.stderr;
    let path = log.display().to_string();
    let skipped: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with(&format!("warning: {path}: ")))
        .collect();
    assert_eq!(skipped.len(), 6, "{stderr}");
    for (line, number) in skipped.iter().zip([4, 201, 202, 301, 401]) {
        let want = format!("warning: {path}: skipped a malformed record: {path}:{number}:");
        assert!(line.starts_with(&want), "{line}");
    }
    assert_eq!(
        skipped[5],
        format!("warning: {path}: more malformed records skipped (see the count)")
    );
}

#[test]
fn timings_on_stderr_only_when_asked() {
    let dir = tempdir();
    let (registration, log) = large_tenant(dir.path(), 50, &[]);
    // MFAUDIT_TIMINGS is never inherited from the shell running the tests (`Test` removes it).
    let run = |timings: bool| {
        let mut test = Test::new();
        if timings {
            test = test.env("MFAUDIT_TIMINGS", "1");
        }
        let out = test
            .args(["--quiet", "audit"])
            .arg(&registration)
            .arg(&log)
            .run();
        out.ok().utf8();
        (out.stdout, out.stderr)
    };
    let (plain_out, plain_err) = run(false);
    assert_eq!(plain_err, "");
    let (timed_out, timed_err) = run(true);
    assert_eq!(timed_out, plain_out, "timings never touch stdout");
    let phases: Vec<&str> = timed_err
        .lines()
        .map(|l| {
            let rest = l.strip_prefix("mfaudit: timing: ").expect(l);
            let (seconds, phase) = rest.trim_start().split_once(" s ").expect(l);
            seconds.parse::<f64>().expect(l);
            phase
        })
        .collect();
    assert_eq!(
        phases,
        [
            "start",
            "inputs identified",
            "directory read",
            "sign-ins read",
            "sign-ins joined to the directory",
            "configuration evaluated",
            "user rows built",
            "report built",
            "reports written",
            "done"
        ]
    );
}

/// An Exchange recipient export classes the shared and resource mailboxes (inferred, with where
/// it came from), and a mailbox whose sign-in is enabled is flagged: it should be blocked. A
/// blocked one is classed without the flag; a user mailbox is no class at all.
#[test]
fn an_exchange_export_classes_the_mailboxes() {
    let dir = tempdir();
    write(
        dir.path(),
        "users.csv",
        "userPrincipalName,displayName,id,accountEnabled\r\n\
         reception@contoso.com,Reception,c0470000-0000-4000-8000-000000000001,True\r\n\
         room1@contoso.com,Room 1,c0470000-0000-4000-8000-000000000002,False\r\n\
         ada@contoso.com,Ada,c0470000-0000-4000-8000-000000000003,True\r\n",
    );
    write(
        dir.path(),
        "mailboxes.csv",
        "#TYPE Deserialized.Microsoft.Exchange.Data.Directory.Management.Mailbox\r\n\
         \"DisplayName\",\"UserPrincipalName\",\"PrimarySmtpAddress\",\"RecipientTypeDetails\",\"ExternalDirectoryObjectId\"\r\n\
         \"Reception\",\"reception@contoso.com\",\"reception@contoso.com\",\"SharedMailbox\",\"c0470000-0000-4000-8000-000000000001\"\r\n\
         \"Room 1\",\"room1@contoso.com\",\"room1@contoso.com\",\"RoomMailbox\",\"\"\r\n\
         \"Ada\",\"ada@contoso.com\",\"ada@contoso.com\",\"UserMailbox\",\"c0470000-0000-4000-8000-000000000003\"\r\n",
    );
    let ran = Test::new()
        .env("SOURCE_DATE_EPOCH", "1795910400")
        .args(["audit", "--json", "-"])
        .arg(dir.path())
        .run();
    ran.ok();
    let r: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    let row = |upn: &str| {
        let u = user(&r, upn);
        (u["exception"].clone(), u["flags"].clone())
    };
    let inferred = |class: &str, kind: &str| {
        serde_json::json!({
            "class": class, "reason": format!("{kind} (Exchange recipient export)"),
            "owner": null, "ticket": null, "expires": null,
            "source": format!("inferred:RecipientTypeDetails {kind}"), "state": "active"
        })
    };
    assert_eq!(
        row("reception@contoso.com"),
        (
            inferred("shared-mailbox", "SharedMailbox"),
            serde_json::json!(["shared-mailbox-sign-in-enabled"])
        )
    );
    assert_eq!(
        row("room1@contoso.com"),
        (
            inferred("resource-mailbox", "RoomMailbox"),
            serde_json::json!([])
        )
    );
    assert_eq!(
        row("ada@contoso.com"),
        (serde_json::Value::Null, serde_json::json!([]))
    );
    assert_eq!(r["summary"]["excepted_enabled"], 1);
}

/// `[classes]` in the config file classes accounts by UPN pattern (inferred, with the pattern as
/// its source); the exceptions file's entry for the same user wins; a key that is not a class
/// (or a waiver, which needs an owner) is refused with exit 2.
#[test]
fn config_classes_class_accounts_by_pattern() {
    let dir = tempdir();
    write(
        dir.path(),
        "exports/users.csv",
        "userPrincipalName,displayName,accountEnabled\r\nsvc-backup@contoso.com,Backup,True\r\nsvc-scan@contoso.com,Scan,True\r\nada@contoso.com,Ada,True\r\n",
    );
    write(
        dir.path(),
        "exceptions.csv",
        "user,class,reason\r\nsvc-scan@contoso.com,shared-mailbox,The scanner's mailbox\r\n",
    );
    let config = write(
        dir.path(),
        "mfaudit.toml",
        "inputs = [\"exports\"]\n[outputs]\njson = \"audit.json\"\n[exceptions]\nfiles = [\"exceptions.csv\"]\n[classes]\nservice-account = [\"svc-*@contoso.com\"]\n",
    );
    Test::new()
        .env("SOURCE_DATE_EPOCH", "1795910400")
        .args(["--quiet", "run", "--config"])
        .arg(&config)
        .run()
        .ok();
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("audit.json")).unwrap())
            .unwrap();
    let class = |upn: &str| {
        let e = &user(&r, upn)["exception"];
        (e["class"].clone(), e["source"].clone())
    };
    assert_eq!(
        class("svc-backup@contoso.com"),
        (
            serde_json::json!("service-account"),
            serde_json::json!("inferred:[classes] service-account = svc-*@contoso.com")
        )
    );
    assert_eq!(
        class("svc-scan@contoso.com").0,
        serde_json::json!("shared-mailbox")
    );
    assert_eq!(
        user(&r, "ada@contoso.com")["exception"],
        serde_json::Value::Null
    );
    let bad = write(
        dir.path(),
        "bad.toml",
        "inputs = [\"exports\"]\n[classes]\nwaiver = [\"ada@contoso.com\"]\n",
    );
    Test::new()
        .args(["run", "--config"])
        .arg(&bad)
        .run()
        .code(2)
        .stderr_is("mfaudit: error: [classes] waiver: not an account class; use break-glass, service-account, shared-mailbox, resource-mailbox or sync-account (a waiver belongs in an exceptions file, with its owner and expiry)\n");
}

/// The shipped example with its exceptions: the mail leads with the expired one and lists the
/// expired and the expiring ones by user, after the other lists.
#[test]
fn the_mail_lists_expired_and_expiring_exceptions() {
    let dir = tempdir();
    let eml = dir.path().join("audit.eml");
    let exceptions = example().parent().unwrap().join("exceptions.toml");
    let (out, _) = audit(
        dir.path(),
        &[
            "--exceptions",
            exceptions.to_str().unwrap(),
            "--email-to",
            "security@contoso.com",
            "--email-from",
            "mfaudit@contoso.com",
            "--email-dry-run",
            eml.to_str().unwrap(),
        ],
    );
    out.ok();
    let bytes = std::fs::read(&eml).unwrap();
    let mail = mailparse::parse_mail(&bytes).unwrap();
    let subject = mail
        .headers
        .iter()
        .find(|h| h.get_key() == "Subject")
        .unwrap()
        .get_value();
    assert_eq!(
        subject,
        "1 exception expired, 3 of 12 enabled users not protected by MFA, 3 not registered, 3 signed in without MFA — mfaudit audit 2026-11-29"
    );
    let text = mail
        .subparts
        .iter()
        .flat_map(|p| std::iter::once(p).chain(p.subparts.iter()))
        .find(|p| p.ctype.mimetype == "text/plain")
        .unwrap()
        .get_body()
        .unwrap();
    assert!(
        text.replace("\r\n", "\n").contains(
            "\nExceptions expired (1)\n  carol@contoso.com\n\nExceptions expiring soon (1)\n  judy@contoso.com\n"
        ),
        "{text}"
    );
}

/// An unattended job's first run makes its report and history folders, and says so.
#[test]
fn a_config_run_makes_its_output_folders() {
    let dir = tempdir();
    let config = write(
        dir.path(),
        "mfaudit.toml",
        format!(
            "inputs = [{:?}]\n[outputs]\njson = \"reports/2026/audit.json\"\nhistory = \"state/history.db\"\n",
            example().display().to_string()
        ),
    );
    let ran = Test::new()
        .current_dir(dir.path())
        .arg("run")
        .arg("--config")
        .arg(&config)
        .run();
    ran.ok();
    assert!(dir.path().join("reports/2026/audit.json").is_file());
    assert!(dir.path().join("state/history.db").is_file());
    let notes: Vec<&str> = ran
        .stderr_lines()
        .into_iter()
        .filter(|l| l.starts_with("note: created the folder"))
        .collect();
    assert_eq!(notes.len(), 2, "{}", ran.stderr);
    assert!(notes[0].ends_with("reports/2026 for --json"), "{notes:?}");
    assert!(notes[1].ends_with("state for --history"), "{notes:?}");
    // The second run finds them there: nothing to say.
    let again = Test::new()
        .current_dir(dir.path())
        .arg("run")
        .arg("--config")
        .arg(&config)
        .run();
    again.ok();
    assert!(
        !again.stderr.contains("created the folder"),
        "{}",
        again.stderr
    );
}

/// The completion scripts and manual pages are generated from the commands themselves, and the
/// shells and groff that read them accept them (each skipped, and said, where not installed).
#[test]
fn completions_and_manual_pages_parse() {
    let have = |tool: &str| {
        std::process::Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let dir = tempdir();
    for (shell, check, args) in [
        ("bash", "bash", &["-n"][..]),
        ("zsh", "zsh", &["-n"][..]),
        ("fish", "fish", &["--no-execute"][..]),
        ("powershell", "", &[][..]),
        ("elvish", "", &[][..]),
    ] {
        let ran = Test::new().args(["completions", shell]).run();
        ran.ok();
        let script = &ran.stdout;
        for command in [
            "audit",
            "inspect",
            "policies",
            "explain",
            "completions",
            "man",
        ] {
            assert!(script.contains(command), "{shell}: {command} missing");
        }
        assert!(script.contains("email-max-attachment"), "{shell}");
        if check.is_empty() {
            continue;
        }
        if !have(check) {
            eprintln!("skipped: {check} is not installed to parse its completions");
            continue;
        }
        let file = write(dir.path(), &format!("mfaudit.{shell}"), script);
        let out = std::process::Command::new(check)
            .args(args)
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let pages = dir.path().join("man1");
    let ran = Test::new().arg("man").arg("--dir").arg(&pages).run();
    ran.ok();
    assert!(
        ran.stderr.contains("16 manual pages written to"),
        "{}",
        ran.stderr
    );
    let mut names: Vec<String> = std::fs::read_dir(&pages)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names.len(), 16);
    assert!(names.contains(&"mfaudit-pull.1".to_string()));
    assert_eq!(names[0], "mfaudit-audit.1");
    assert!(names.contains(&"mfaudit.1".to_string()));
    let audit = std::fs::read_to_string(pages.join("mfaudit-audit.1")).unwrap();
    assert!(
        audit.contains(".TH mfaudit-audit 1  \"mfaudit 0.1.0\" \"mfaudit manual\""),
        "{}",
        &audit[..200]
    );
    assert!(audit.contains("\\-\\-email\\-max\\-attachment"));
    let printed = Test::new().arg("man").run();
    printed.ok();
    assert_eq!(
        printed.stdout,
        std::fs::read_to_string(pages.join("mfaudit.1")).unwrap()
    );
    if have("groff") {
        for name in &names {
            let out = std::process::Command::new("groff")
                // Macro misuse is what a generated page could get wrong; a line too long to
                // justify at 80 columns (`break`) is only layout.
                .args(["-man", "-Tutf8", "-z", "-wmac", "-Wbreak"])
                .arg(pages.join(name))
                .output()
                .unwrap();
            assert!(
                out.status.success() && out.stderr.is_empty(),
                "{name}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    } else {
        eprintln!("skipped: groff is not installed to read the manual pages");
    }
}
