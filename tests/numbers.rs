//! Numbers an auditor can sign (issue 16): no clean bill of health on unknown data, each file,
//! sign-in and user counted once, every export read as its author meant. Each test runs the
//! binary on exports it writes itself.

use std::path::Path;

use serde_json::Value;

use crate::support::{Test, tempdir, write};

/// Three enabled users, with object ids, as the admin center's "Download users" writes them.
const USERS: &str = "\u{feff}userPrincipalName,displayName,id,userType,accountEnabled\r\n\
ada@contoso.com,Ada,a0000000-0000-4000-8000-000000000001,Member,True\r\n\
bob@contoso.com,Bob,a0000000-0000-4000-8000-000000000002,Member,True\r\n\
cy@contoso.com,Cy,a0000000-0000-4000-8000-000000000003,Member,True\r\n";

/// Registration details for the three: ada registered (an admin), bob not, cy not.
const REGISTRATION: &str = r#"{"@odata.context":"https://graph.microsoft.com/beta/$metadata#reports/authenticationMethods/userRegistrationDetails","value":[
{"id":"a0000000-0000-4000-8000-000000000001","userPrincipalName":"ada@contoso.com","isAdmin":true,"isMfaRegistered":true,"isMfaCapable":true,"methodsRegistered":["microsoftAuthenticatorPush"]},
{"id":"a0000000-0000-4000-8000-000000000002","userPrincipalName":"bob@contoso.com","isAdmin":false,"isMfaRegistered":false,"isMfaCapable":false,"methodsRegistered":[]},
{"id":"a0000000-0000-4000-8000-000000000003","userPrincipalName":"cy@contoso.com","isAdmin":false,"isMfaRegistered":false,"isMfaCapable":false,"methodsRegistered":[]}]}"#;

/// One Graph sign-in record.
fn signin(
    id: &str,
    upn: Option<&str>,
    user_id: Option<&str>,
    minute: u32,
    details: &str,
) -> String {
    let mut fields = vec![
        format!("\"id\":\"{id}\""),
        format!("\"createdDateTime\":\"2026-11-28T10:{minute:02}:00Z\""),
    ];
    if let Some(u) = upn {
        fields.push(format!("\"userPrincipalName\":\"{u}\""));
    }
    if let Some(u) = user_id {
        fields.push(format!("\"userId\":\"{u}\""));
    }
    fields.push(format!(
        "\"status\":{{\"errorCode\":500121,\"failureReason\":\"Authentication failed during strong authentication request.\",\"additionalDetails\":\"{details}\"}}"
    ));
    fields.push("\"authenticationRequirement\":\"multiFactorAuthentication\"".into());
    fields.push("\"mfaDetail\":{\"authMethod\":\"Mobile app notification\"}".into());
    format!("{{{}}}", fields.join(","))
}

const DECLINED: &str = "MFA denied; user declined the authentication";

/// Runs `audit --json -` on `inputs` and returns the report with the run.
fn audit_json(args: &[&str], inputs: &[&Path]) -> (Value, crate::support::Ran) {
    let ran = Test::new()
        .args(["audit", "--json", "-"])
        .args(args)
        .args(inputs)
        .run();
    let report = serde_json::from_str(&ran.stdout).unwrap_or(Value::Null);
    (report, ran)
}

/// A bare users export: registration is unknown for everyone, and nothing anywhere says that
/// every user is registered; the threshold fails on what it cannot see.
#[test]
fn a_bare_users_export_is_never_a_clean_bill() {
    let dir = tempdir();
    let users = write(dir.path(), "users.csv", USERS);
    let html = dir.path().join("r.html");
    let eml = dir.path().join("m.eml");
    let ran = Test::new()
        .arg("audit")
        .arg(&users)
        .arg("--html")
        .arg(&html)
        .args([
            "--email-to",
            "sec@contoso.com",
            "--email-from",
            "mfaudit@contoso.com",
        ])
        .arg("--email-dry-run")
        .arg(&eml)
        .args(["--fail-if-unregistered", "0"])
        .run();
    ran.code(3);
    assert!(ran.stdout.starts_with(
        "mfaudit audit: 3 users (3 enabled): registration unknown for every enabled user (no registration export); no sign-in log\n"
    ), "{}", ran.stdout);
    assert!(ran.stderr.contains(
        "warning: policy: 0 enabled users are not registered and 3 enabled users' registration is unknown (threshold 0): the threshold is not shown to hold; the registration details export (admin center or Graph userRegistrationDetails) would settle it\n"
    ), "{}", ran.stderr);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(!page.contains('✓'), "a tick on unknown data");
    assert!(!page.contains("card good"), "a green card on unknown data");
    let mail = std::fs::read_to_string(&eml).unwrap();
    let subject = mail.lines().find(|l| l.starts_with("Subject:")).unwrap();
    assert!(
        subject.starts_with("Subject: MFA registration unknown for 3 enabled users"),
        "{subject}"
    );
    assert!(!mail.contains("0 enabled users not registered"));
    assert!(!mail.contains("Every enabled user is registered"));

    // Known data, the same threshold: passes only when it holds.
    let reg = write(dir.path(), "reg.json", REGISTRATION);
    Test::new()
        .arg("audit")
        .arg(&users)
        .arg(&reg)
        .args(["--fail-if-unregistered", "2"])
        .run()
        .code(0);
    Test::new()
        .arg("audit")
        .arg(&users)
        .arg(&reg)
        .args(["--fail-if-unregistered", "1"])
        .run()
        .code(3);
}

/// A sign-in-only run: no "every administrator has MFA", no "0 users", one missing-directory
/// warning, and counts in the singular where they are one.
#[test]
fn a_sign_in_only_run_says_what_it_cannot_know() {
    let dir = tempdir();
    let log = write(
        dir.path(),
        "signins.json",
        format!(
            "[{}]",
            signin("r1", Some("ada@contoso.com"), None, 1, DECLINED)
        ),
    );
    let html = dir.path().join("r.html");
    let ran = Test::new()
        .arg("audit")
        .arg(&log)
        .arg("--html")
        .arg(&html)
        .run();
    ran.code(0);
    assert!(ran.stdout.starts_with(
        "mfaudit audit: no directory export among the inputs, so registration and sign-in state are unknown; 1 sign-in, 1 MFA challenge\n"
    ), "{}", ran.stdout);
    assert_eq!(
        ran.stderr.matches("No directory export").count(),
        1,
        "{}",
        ran.stderr
    );
    assert!(
        !ran.stderr.contains("no directory export among the inputs"),
        "{}",
        ran.stderr
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        !page.contains("Every administrator"),
        "no all-clear on admins"
    );
    assert!(page.contains(
        "? Which administrators have MFA is unknown: no directory export was among the inputs"
    ));
}

/// A second audit in the same folder does not read the first one's outputs: the same 3 users.
#[test]
fn the_audits_own_outputs_are_never_inputs() {
    let dir = tempdir();
    let e = dir.path().join("e");
    write(&e, "users.csv", USERS);
    write(&e, "reg.json", REGISTRATION);
    let run = || {
        Test::new()
            .arg("audit")
            .arg(&e)
            .arg("--csv")
            .arg(e.join("out.csv"))
            .arg("--json")
            .arg(e.join("out.json"))
            .arg("--html")
            .arg(e.join("out.html"))
            .run()
    };
    run().code(0);
    let second = run();
    second.code(0);
    assert!(
        second.stdout.starts_with("mfaudit audit: 3 users"),
        "{}",
        second.stdout
    );
    for name in ["out.csv", "out.json", "out.html"] {
        assert!(
            second.stderr.contains(&format!(
                "note: {}: skipped: this run writes its --{} report there (in place of an earlier one)\n",
                e.join(name).display(),
                &name[4..]
            )),
            "{}",
            second.stderr
        );
    }
    // The same reports under other names are recognised by their content.
    std::fs::rename(e.join("out.csv"), e.join("old.csv")).unwrap();
    std::fs::rename(e.join("out.json"), e.join("old.json")).unwrap();
    let third = Test::new().arg("audit").arg(&e).run();
    third.code(0);
    assert!(
        third.stdout.starts_with("mfaudit audit: 3 users"),
        "{}",
        third.stdout
    );
    assert!(
        third.stderr.contains(&format!(
            "note: {}: skipped: an mfaudit report (its --csv output), not an export\n",
            e.join("old.csv").display()
        )),
        "{}",
        third.stderr
    );
    // Named explicitly, it is refused.
    Test::new().arg("audit").arg(e.join("old.json")).run().code(2).stderr_is(&format!(
        "mfaudit: error: {}: an mfaudit report (its --json output), not an export: give the exports it was made from instead\n",
        e.join("old.json").display()
    ));
}

/// A stray image, spreadsheet or unrelated JSON in an exports folder is passed over with one
/// warning (and listed by inspect); named explicitly it is an error.
#[test]
fn stray_files_in_a_folder_are_passed_over() {
    let dir = tempdir();
    let e = dir.path().join("e");
    write(&e, "users.csv", USERS);
    write(&e, "logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    write(&e, "book.xlsx", b"PK\x03\x04\x14\0\x06\0\x08\0\0\0!\0");
    write(&e, "settings.json", r#"{"theme":"dark","fontSize":12}"#);
    write(&e, "empty.json", "[]");
    let ran = Test::new().arg("audit").arg(&e).run();
    ran.code(0);
    for (name, why) in [
        (
            "book.xlsx",
            "binary data, not an export mfaudit reads (an image, a spreadsheet, an archive?)",
        ),
        (
            "empty.json",
            "the JSON holds no records (an empty array or page): an empty export is almost always a failed export; export it again",
        ),
        (
            "logo.png",
            "binary data, not an export mfaudit reads (an image, a spreadsheet, an archive?)",
        ),
        ("settings.json", "not an export mfaudit recognises"),
    ] {
        assert!(
            ran.stderr.contains(&format!(
                "warning: {}: skipped: {why}\n",
                e.join(name).display()
            )),
            "{name}: {}",
            ran.stderr
        );
    }
    Test::new()
        .arg("audit")
        .arg(e.join("logo.png"))
        .run()
        .code(2);
    let listed = Test::new()
        .args(["inspect", "--format", "json"])
        .arg(&e)
        .run();
    listed.code(0);
    let v: Value = serde_json::from_str(&listed.stdout).unwrap();
    assert_eq!(
        v["skipped"].as_array().map(Vec::len),
        Some(4),
        "{}",
        listed.stdout
    );
}

/// One log reached by name and through its folder, and the same sign-ins in a second export of
/// overlapping days: every sign-in counted once, and three denials are not six.
#[test]
fn each_sign_in_is_counted_once() {
    let dir = tempdir();
    let e = dir.path().join("e");
    write(&e, "users.csv", USERS);
    let id = |i: u32| format!("a000002{i}-1111-4222-8333-00000000002{i}");
    let records: Vec<String> = (0..3)
        .map(|i| signin(&id(i), Some("ada@contoso.com"), None, i, DECLINED))
        .collect();
    let log = write(&e, "logs/page.json", format!("[{}]", records.join(",")));
    // The admin center download of the same days: the same request ids (in upper case), and one
    // more sign-in.
    let again: Vec<String> = (0..3)
        .map(|i| {
            signin(
                &id(i).to_uppercase(),
                Some("ada@contoso.com"),
                None,
                i,
                DECLINED,
            )
        })
        .chain(std::iter::once(signin(
            "b0000001-1111-4222-8333-000000000001",
            Some("ada@contoso.com"),
            None,
            9,
            DECLINED,
        )))
        .collect();
    write(&e, "logs/download.json", format!("[{}]", again.join(",")));
    let (r, ran) = audit_json(&["--fatigue-threshold", "5"], &[&e, &log]);
    ran.code(0);
    assert_eq!(r["summary"]["signins_total"], 4, "{}", ran.stderr);
    assert_eq!(r["summary"]["duplicate_signins"], 3);
    let ada = &r["users"][0];
    assert_eq!(
        (ada["challenges"].as_u64(), ada["denied"].as_u64()),
        (Some(4), Some(4))
    );
    assert!(!ada["flags"].to_string().contains("push-fatigue"), "{ada}");
    assert!(ran.stderr.contains("warning: 3 sign-ins were met more than once (the same request id in two inputs, or twice in one): each was counted once.\n"), "{}", ran.stderr);
}

/// Service principals and managed identities are not users: out of every count, and counted.
#[test]
fn workload_identities_are_left_out_and_counted() {
    let dir = tempdir();
    let log = write(
        dir.path(),
        "PT1H.json",
        [
            r#"{"time":"2026-11-28T10:00:00Z","category":"SignInLogs","operationName":"Sign-in activity","properties":{"id":"u1","userPrincipalName":"ada@contoso.com","status":{"errorCode":0,"additionalDetails":"MFA requirement satisfied by claim in the token"},"authenticationRequirement":"multiFactorAuthentication"}}"#,
            r#"{"time":"2026-11-28T10:01:00Z","category":"ServicePrincipalSignInLogs","operationName":"Sign-in activity","properties":{"id":"s1","servicePrincipalId":"8c59ead7-d703-4a27-9e55-c96a0054c8d2","status":{"errorCode":0}}}"#,
            r#"{"time":"2026-11-28T10:02:00Z","category":"ManagedIdentitySignInLogs","operationName":"Sign-in activity","properties":{"id":"m1","servicePrincipalId":"9c59ead7-d703-4a27-9e55-c96a0054c8d2","status":{"errorCode":0}}}"#,
        ]
        .join("\n"),
    );
    let users = write(dir.path(), "users.csv", USERS);
    let (r, ran) = audit_json(&[], &[&users, &log]);
    ran.code(0);
    assert_eq!(r["summary"]["signins_total"], 1);
    assert_eq!(r["summary"]["mfa_challenges"], 1);
    assert_eq!(r["summary"]["workload_signins"], 2);
    assert_eq!(r["unmatched_signins"]["signins"], 0);
    assert!(ran.stderr.contains("warning: 2 sign-ins of workload identities (service principals, managed identities) are not user sign-ins: left out of every count.\n"), "{}", ran.stderr);
}

/// A first-factor failure ("User not found" on the password step) is no denied MFA challenge,
/// and a sign-in with only a user id joins the user another sign-in linked that id to.
#[test]
fn first_factor_text_and_id_only_sign_ins() {
    let dir = tempdir();
    // Users known by UPN only (no id column): the sign-ins link the id.
    let users = write(
        dir.path(),
        "users.csv",
        "userPrincipalName,accountEnabled\r\nada@contoso.com,True\r\n",
    );
    let log = write(
        dir.path(),
        "s.json",
        format!(
            "[{},{},{}]",
            r#"{"id":"f1","createdDateTime":"2026-11-28T10:00:00Z","userPrincipalName":"ghost@contoso.com","status":{"errorCode":50034,"failureReason":"User not found"},"authenticationRequirement":"singleFactorAuthentication","authenticationDetails":[{"authenticationMethod":"Password","succeeded":false,"authenticationStepResultDetail":"User not found","authenticationStepRequirement":"Primary authentication"}]}"#,
            signin(
                "r1",
                Some("ada@contoso.com"),
                Some("A0000000-0000-4000-8000-000000000001"),
                1,
                DECLINED
            ),
            signin(
                "r2",
                None,
                Some("a0000000-0000-4000-8000-000000000001"),
                2,
                DECLINED
            ),
        ),
    );
    let (r, ran) = audit_json(&[], &[&users, &log]);
    ran.code(0);
    assert_eq!(r["summary"]["mfa_challenges"], 2, "{}", r["summary"]);
    assert_eq!(r["mfa_denied_because"].as_array().map(Vec::len), Some(1));
    let upns: Vec<&str> = r["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["upn"].as_str().unwrap())
        .collect();
    assert_eq!(
        upns,
        ["ada@contoso.com", "ghost@contoso.com"],
        "no phantom user for the id"
    );
    assert_eq!(r["users"][0]["denied"], 2);
}

/// Culture dates share one order per file: 13/06/2025 makes 7/03/2025 the 7th of March; a file
/// whose every date can be read either way says so, naming --date-order.
#[test]
fn culture_dates_are_decided_per_file() {
    let dir = tempdir();
    let header = "TenantId,TimeGenerated [UTC],CreatedDateTime [UTC],Id,UserPrincipalName,ResultType,AuthenticationRequirement\r\n";
    let log = write(
        dir.path(),
        "la.csv",
        format!(
            "{header}t,13/06/2025 10:00,13/06/2025 10:00,x1,ada@contoso.com,0,singleFactorAuthentication\r\nt,7/03/2025 09:00,7/03/2025 09:00,x2,ada@contoso.com,0,singleFactorAuthentication\r\n"
        ),
    );
    let (r, ran) = audit_json(&[], &[&log]);
    ran.code(0);
    assert_eq!(
        r["inputs"][0]["first_time"], "2025-03-07T09:00:00Z",
        "{}",
        ran.stderr
    );
    assert_eq!(r["inputs"][0]["last_time"], "2025-06-13T10:00:00Z");
    let ambiguous = write(
        dir.path(),
        "la2.csv",
        format!(
            "{header}t,4/12/2025 10:00,4/12/2025 10:00,y1,ada@contoso.com,0,singleFactorAuthentication\r\n"
        ),
    );
    let (_, ran) = audit_json(&[], &[&ambiguous]);
    assert!(ran.stderr.contains(&format!(
        "warning: {}: none of the 1 culture dates in this file tells the day from the month (every one is 12 or less in both); they were read month-first: pass --date-order dmy if the export was written day-first\n",
        ambiguous.display()
    )), "{}", ran.stderr);
}

/// A renamed user (same object id) is a rename in the history, not a removal and a newly
/// registered user; a disabled account is said.
#[test]
fn history_follows_object_ids() {
    let dir = tempdir();
    let db = dir.path().join("h.db");
    let reg = write(dir.path(), "reg.json", REGISTRATION);
    let users = write(dir.path(), "users.csv", USERS);
    Test::new()
        .arg("audit")
        .arg(&users)
        .arg(&reg)
        .arg("--history")
        .arg(&db)
        .run()
        .code(0);
    let renamed = REGISTRATION.replace("ada@contoso.com", "ada.lovelace@contoso.com");
    let reg2 = write(dir.path(), "reg2.json", renamed);
    let users2 = write(
        dir.path(),
        "users2.csv",
        USERS
            .replace("ada@contoso.com", "ada.lovelace@contoso.com")
            .replace(
                "cy@contoso.com,Cy,a0000000-0000-4000-8000-000000000003,Member,True",
                "cy@contoso.com,Cy,a0000000-0000-4000-8000-000000000003,Member,False",
            ),
    );
    let (r, ran) = audit_json(&["--history", db.to_str().unwrap()], &[&users2, &reg2]);
    ran.code(0);
    let c = &r["changes"];
    assert_eq!(
        c["users_renamed"],
        serde_json::json!([{"from": "ada@contoso.com", "to": "ada.lovelace@contoso.com"}])
    );
    assert_eq!(c["users_added"], serde_json::json!([]));
    assert_eq!(c["users_removed"], serde_json::json!([]));
    assert_eq!(c["newly_registered"], serde_json::json!([]));
    assert_eq!(c["users_disabled"], serde_json::json!(["cy@contoso.com"]));
    // Backwards, nothing is "newly" anything.
    let diff = Test::new()
        .args(["diff", "--db"])
        .arg(&db)
        .args(["2", "1"])
        .run();
    diff.code(0);
    assert!(!diff.stdout.contains("Newly"), "{}", diff.stdout);
    assert!(
        diff.stdout.contains(
            "UPN at run 2 -> at run 1: 1\n  ada.lovelace@contoso.com -> ada@contoso.com\n"
        ),
        "{}",
        diff.stdout
    );
}

/// An AuthDetails CSV's rows are its records.
#[test]
fn auth_details_rows_are_counted() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/contoso/exports/signins");
    let ran = Test::new()
        .args(["inspect", "--format", "json"])
        .arg(&dir)
        .run();
    ran.code(0);
    let v: Value = serde_json::from_str(&ran.stdout).unwrap();
    let auth = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind_id"] == "auth-details-csv")
        .unwrap();
    assert_eq!(auth["records"], 5);
}
