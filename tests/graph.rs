//! Today's directory exports (Graph registration details, users, per-user state) and the flattened
//! MSOnline CSVs, through the classic reports.

use std::path::{Path, PathBuf};

use crate::support::{self, Test};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/graph")
        .join(name)
}

/// Runs mfaudit, expecting success; returns stdout and stderr as text.
fn run(args: &[&str], inputs: &[&Path]) -> (String, String) {
    let ran = Test::new().args(args).args(inputs).run();
    ran.utf8().ok();
    (ran.stdout, ran.stderr)
}

fn run_bytes(args: &[&str], inputs: &[&Path]) -> Vec<u8> {
    support::stdout_of(args, inputs)
}

const HEADER: &str = "\"UserPrincipalName\",\"MFA Status\",\"MFA Methods\"\r\n";

#[test]
fn graph_v1_sample_page() {
    let Some(samples) = support::samples() else {
        return;
    };
    let page = samples.join("graph-docs/userregistrationdetails-list-v1.0-example-response.json");
    let (out, err) = run(&["registered", "--format", "list"], &[&page]);
    assert_eq!(out, "AlexW@Contoso.com\nBiancaP@Contoso.com\n");
    assert_eq!(
        err,
        "note: 3 user(s) have no sign-in state in the inputs and were counted as enabled; a users export (Graph /users with accountEnabled, or the admin center 'Download users' CSV) would settle it\n"
    );
    let (out, _) = run(&["unregistered", "--format", "list"], &[&page]);
    assert_eq!(out, "AllanD@Contoso.com\n");
    let (out, err) = run(&["methods"], &[&page]);
    assert_eq!(
        out,
        format!(
            "{HEADER}\
             \"AlexW@Contoso.com\",\"Unknown\",\"microsoftAuthenticatorPush softwareOneTimePasscode\"\r\n\
             \"AllanD@Contoso.com\",\"Unknown\",\r\n\
             \"BiancaP@Contoso.com\",\"Unknown\",\"mobilePhone microsoftAuthenticatorPush softwareOneTimePasscode\"\r\n"
        )
    );
    assert_eq!(
        err,
        "note: 3 user(s) have MFA Status 'Unknown': no input gave their per-user MFA state; a per-user state export (perUserMfaState) or a Get-MsolUser export would settle it\n"
    );
    let (out, _) = run(
        &["registered", "--format", "list", "--user-type", "guest"],
        &[&page],
    );
    assert_eq!(out, "");
    let (out, _) = run(
        &["unregistered", "--format", "list", "--user-type", "guest"],
        &[&page],
    );
    assert_eq!(out, "AllanD@Contoso.com\n");
}

/// The 28 users of the admin center sample with no method, in file order.
const PORTAL_UNREGISTERED: &[&str] = &[
    "alexander.king@blazefaction.com",
    "amelia.martin@blazefaction.com",
    "avery.mitchell@blazefaction.com",
    "benjamin.clark@blazefaction.com",
    "blaze.carter@blazefaction.com",
    "charlotte.evans@blazefaction.com",
    "daniel.kim@blazefaction.com",
    "ella.thomas@blazefaction.com",
    "emma.wilson@blazefaction.com",
    "ethan.brooks@blazefaction.com",
    "grace.moore@blazefaction.com",
    "harper.adams@blazefaction.com",
    "henry.turner@blazefaction.com",
    "isabella.garcia@blazefaction.com",
    "jackson.lee@blazefaction.com",
    "james.walker@blazefaction.com",
    "jgribe@blazefaction.com",
    "liam.foster@blazefaction.com",
    "lucas.bennett@blazefaction.com",
    "margaret.simmons@blazefaction.com",
    "maya.patel@blazefaction.com",
    "mia.anderson@blazefaction.com",
    "michael.white@blazefaction.com",
    "Natalie.Johnson@blazefaction.com",
    "noah.reynolds@blazefaction.com",
    "olivia.scott@blazefaction.com",
    "sophia.nguyen@blazefaction.com",
    "william.harris@blazefaction.com",
];

#[test]
fn portal_registration_sample() {
    let Some(samples) = support::samples() else {
        return;
    };
    let csv = samples.join("jonathangribe-entra/exportUserRegistrationDetails_2026-9-23.csv");
    let (out, err) = run(&["registered", "--format", "csv"], &[&csv]);
    assert_eq!(
        out,
        "\"UserPrincipalName\"\r\n\"jonathan@jsg1220outlook.onmicrosoft.com\"\r\n\"jsg1220_outlook.com#EXT#@jsg1220outlook.onmicrosoft.com\"\r\n"
    );
    assert_eq!(
        err,
        "note: 30 user(s) have no sign-in state in the inputs and were counted as enabled; a users export (Graph /users with accountEnabled, or the admin center 'Download users' CSV) would settle it\n"
    );
    let (out, _) = run(&["unregistered", "--format", "list"], &[&csv]);
    let expected: String = PORTAL_UNREGISTERED
        .iter()
        .map(|u| format!("{u}\n"))
        .collect();
    assert_eq!(out, expected);
    let (out, _) = run(&["methods"], &[&csv]);
    let lines: Vec<&str> = out.split("\r\n").collect();
    assert_eq!(lines.len(), 32, "header, 30 users, and the empty rest");
    assert_eq!(lines[1], "\"alexander.king@blazefaction.com\",\"Unknown\",");
    assert_eq!(
        lines[18],
        "\"jonathan@jsg1220outlook.onmicrosoft.com\",\"Unknown\",\"microsoftAuthenticatorPush softwareOneTimePasscode\""
    );
    // Joined with the users sample: the guest is still found (its UPN joins), and user types arrive.
    let users = samples.join("jonathangribe-entra/entraproject_1_users.csv");
    let (out, _) = run(
        &["registered", "--format", "list", "--user-type", "member"],
        &[&csv, &users],
    );
    assert_eq!(
        out,
        "jonathan@jsg1220outlook.onmicrosoft.com\njsg1220_outlook.com#EXT#@jsg1220outlook.onmicrosoft.com\n"
    );
}

#[test]
fn registration_users_and_per_user_state_merge() {
    let inputs = [
        fixture("registration.csv"),
        fixture("users.csv"),
        fixture("per-user-state.csv"),
    ];
    let refs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    let (out, err) = run(&["methods"], &refs);
    assert_eq!(
        out,
        format!(
            "{HEADER}\
             \"ada@contoso.com\",\"Enforced\",\"microsoftAuthenticatorPush softwareOneTimePasscode\"\r\n\
             \"bob@contoso.com\",\"Disabled\",\r\n\
             \"cleo@contoso.com\",\"Enabled\",\"mobilePhone\"\r\n\
             \"dan@contoso.com\",\"Unknown\",\"email\"\r\n\
             \"eve@contoso.com\",\"Unknown\",\"Unknown\"\r\n"
        )
    );
    assert_eq!(
        err,
        "note: 2 user(s) have MFA Status 'Unknown': no input gave their per-user MFA state; a per-user state export (perUserMfaState) or a Get-MsolUser export would settle it\n\
         note: 1 user(s) have MFA Methods 'Unknown': they are in no registration source; the registration details export (admin center or Graph userRegistrationDetails) would settle it\n"
    );
    let (out, err) = run(&["registered", "--format", "csv"], &refs);
    assert_eq!(
        out,
        "\"UserPrincipalName\"\r\n\"ada@contoso.com\"\r\n\"cleo@contoso.com\"\r\n"
    );
    assert_eq!(
        err,
        "note: 1 enabled user(s) are in neither list: they are in no registration source; the registration details export (admin center or Graph userRegistrationDetails) would settle it\n"
    );
    // Bob has no method but his sign-in is blocked; Dan has only email (SSPR, not MFA).
    let (out, _) = run(&["unregistered", "--format", "csv"], &refs);
    assert_eq!(out, "\"UserPrincipalName\"\r\n\"dan@contoso.com\"\r\n");
    let (out, _) = run(
        &[
            "unregistered",
            "--format",
            "list",
            "--sign-in-allowed",
            "false",
        ],
        &refs,
    );
    assert_eq!(out, "");
    let (out, _) = run(
        &[
            "methods",
            "--per-user-state",
            "enforced",
            "--user-type",
            "member",
        ],
        &refs,
    );
    assert_eq!(
        out,
        format!(
            "{HEADER}\"ada@contoso.com\",\"Enforced\",\"microsoftAuthenticatorPush softwareOneTimePasscode\"\r\n"
        )
    );
}

#[test]
fn graph_sdk_csv_lost_arrays_warn() {
    let sdk = fixture("sdk-registration.csv");
    let (out, err) = run(&["registered", "--format", "list"], &[&sdk]);
    assert_eq!(out, "ada@contoso.com\n");
    assert_eq!(
        err,
        format!(
            "warning: {}: 2 user(s): methodsRegistered holds the type name 'System.String[]' instead of the methods, so the list was lost when the file was written (Export-Csv of Graph SDK objects); their methods are treated as unknown, not as none; export with ConvertTo-Json, or add @{{N='MethodsRegistered';E={{$_.MethodsRegistered -join ','}}}} before Export-Csv\n\
             note: 2 user(s) have no sign-in state in the inputs and were counted as enabled; a users export (Graph /users with accountEnabled, or the admin center 'Download users' CSV) would settle it\n",
            sdk.display()
        )
    );
    // IsMfaRegistered survived the export, so Bob is still known to be unregistered.
    let (out, _) = run(&["unregistered", "--format", "list"], &[&sdk]);
    assert_eq!(out, "bob@contoso.com\n");
    let (out, _) = run(&["methods", "--quiet"], &[&sdk]);
    assert_eq!(
        out,
        format!(
            "{HEADER}\"ada@contoso.com\",\"Unknown\",\"Unknown\"\r\n\"bob@contoso.com\",\"Unknown\",\"Unknown\"\r\n"
        )
    );
}

#[test]
fn graph_users_json_blocks_and_per_user_state_json() {
    let dir = support::tempdir();
    let reg = support::write(
        dir.path(),
        "reg.json",
        r#"{"@odata.context":"https://graph.microsoft.com/beta/$metadata#reports/authenticationMethods/userRegistrationDetails","@odata.nextLink":"https://graph.microsoft.com/beta/next","value":[
{"id":"1","userPrincipalName":"ada@contoso.com","isMfaRegistered":true,"methodsRegistered":["fido2"],"defaultMfaMethod":null,"systemPreferredAuthenticationMethods":[null]},
{"id":"2","userPrincipalName":"bob@contoso.com","isMfaRegistered":false,"methodsRegistered":[]}]}
{"value":[{"id":"3","userPrincipalName":"cy@contoso.com","isMfaRegistered":false,"methodsRegistered":[]}]}
"#,
    );
    let users = support::write(
        dir.path(),
        "users.json",
        "[{\"id\":\"1\",\"userPrincipalName\":\"ada@contoso.com\",\"accountEnabled\":true},{\"id\":\"2\",\"userPrincipalName\":\"bob@contoso.com\",\"accountEnabled\":false},{\"id\":\"3\",\"userPrincipalName\":\"cy@contoso.com\",\"accountEnabled\":true}]",
    );
    let state = support::write(
        dir.path(),
        "state.jsonl",
        "{\"userPrincipalName\":\"ada@contoso.com\",\"perUserMfaState\":\"ENFORCED\"}\n{\"userPrincipalName\":\"cy@contoso.com\",\"perUserMfaState\":\"disabled\"}\n",
    );
    let inputs = [reg.as_path(), users.as_path(), state.as_path()];
    let (out, err) = run(&["unregistered", "--format", "list"], &inputs);
    assert_eq!(out, "cy@contoso.com\n");
    assert_eq!(err, "");
    let (out, err) = run(&["methods"], &inputs);
    assert_eq!(
        out,
        format!(
            "{HEADER}\"ada@contoso.com\",\"Enforced\",\"fido2\"\r\n\"bob@contoso.com\",\"Unknown\",\r\n\"cy@contoso.com\",\"Disabled\",\r\n"
        )
    );
    assert_eq!(
        err,
        "note: 1 user(s) have MFA Status 'Unknown': no input gave their per-user MFA state; a per-user state export (perUserMfaState) or a Get-MsolUser export would settle it\n"
    );
}

#[test]
fn mfa_report_reads_back_byte_for_byte() {
    let report = fixture("MFA_Report.csv");
    let original = std::fs::read(&report).expect("fixture");
    let (out, err) = run(&["methods"], &[&report]);
    assert_eq!(out.as_bytes(), original.as_slice());
    assert_eq!(err, "");
    let (out, err) = run(&["registered", "--format", "list"], &[&report]);
    assert_eq!(
        out,
        "bob@contoso.com\ncarol@contoso.com\n张伟@contoso.com\n"
    );
    assert_eq!(
        err,
        "note: 5 user(s) have no sign-in state in the inputs and were counted as enabled; a users export (Graph /users with accountEnabled, or the admin center 'Download users' CSV) would settle it\n"
    );
    let (out, _) = run(&["unregistered", "--format", "list"], &[&report]);
    assert_eq!(out, "alice@contoso.com\nzoë@contoso.com\n");
}

#[test]
fn methods_round_trip_from_msonline() {
    let dir = support::tempdir();
    let msol = support::write(
        dir.path(),
        "msol.json",
        support::utf16le_bom(
            r#"[
    {"BlockCredential": false, "UserPrincipalName": "zoë@contoso.com", "StrongAuthenticationMethods": [], "StrongAuthenticationRequirements": []},
    {"BlockCredential": false, "UserPrincipalName": "bob@contoso.com",
     "StrongAuthenticationMethods": [{"IsDefault": true, "MethodType": "PhoneAppOTP"}, {"IsDefault": false, "MethodType": "PhoneAppNotification"}],
     "StrongAuthenticationRequirements": [{"State": "Enabled"}, {"State": "Enforced"}]},
    {"BlockCredential": true, "UserPrincipalName": "Ünal@contoso.com", "StrongAuthenticationMethods": [{"IsDefault": true, "MethodType": "OneWaySMS"}], "StrongAuthenticationRequirements": [{"State": "Enforced"}]}
]"#,
        ),
    );
    let first = run_bytes(&["methods"], &[&msol]);
    assert_eq!(
        String::from_utf8(first.clone()).expect("utf-8"),
        format!(
            "{HEADER}\"zoë@contoso.com\",\"Disabled\",\r\n\"bob@contoso.com\",\"Enabled Enforced\",\"PhoneAppOTP PhoneAppNotification\"\r\n\"Ünal@contoso.com\",\"Enforced\",\"OneWaySMS\"\r\n"
        )
    );
    let report = support::write(dir.path(), "MFA_Report.csv", &first);
    let second = run_bytes(&["methods"], &[&report]);
    assert_eq!(second, first);
    // 5.1's ASCII bytes read back the same way.
    let exact = run_bytes(&["methods", "--powershell-exact"], &[&msol]);
    let ascii = support::write(dir.path(), "MFA_Report_51.csv", &exact);
    assert_eq!(
        run_bytes(&["methods", "--powershell-exact"], &[&ascii]),
        exact
    );
}

#[test]
fn system_object_array_counts_as_registered_with_a_warning() {
    let dir = support::tempdir();
    let report = support::write(
        dir.path(),
        "MFA_Report.csv",
        "\"UserPrincipalName\",\"MFA Status\",\"MFA Methods\"\r\n\"a@contoso.com\",\"Enforced\",\"System.Object[]\"\r\n\"b@contoso.com\",\"Disabled\",\"System.Object[]\"\r\n\"c@contoso.com\",\"Disabled\",\r\n",
    );
    let (out, err) = run(&["registered", "--format", "list", "--quiet"], &[&report]);
    assert_eq!(out, "a@contoso.com\nb@contoso.com\n");
    assert_eq!(err, "");
    let (out, err) = run(&["unregistered", "--format", "list"], &[&report]);
    assert_eq!(out, "c@contoso.com\n");
    assert!(
        err.starts_with(&format!(
            "warning: {}: 2 user(s) have 'System.Object[]' as MFA Methods: the script wrote two or more methods as a type name, so they count as registered but their method names are lost;",
            report.display()
        )),
        "{err}"
    );
}

#[test]
fn admindroid_report_with_semicolons() {
    let dir = support::tempdir();
    let report = support::write(
        dir.path(),
        "MFAEnabledUserReport_2024-Jan-01-Mon 10-00 AM.csv",
        "\u{feff}DisplayName;UserPrincipalName;MFAStatus;ActivationStatus;DefaultMFAMethod;AllMFAMethods;MFAPhone;MFAEmail;LicenseStatus;IsAdmin;AdminRoles;SignInStatus\r\n\
         Ada;ada@contoso.com;Enforced;Yes;PhoneAppNotification;PhoneAppNotification,PhoneAppOTP;-;-;Licensed;True;Global Administrator;Allowed\r\n\
         Bo;bo@contoso.com;Enabled;No;-;-;-;-;Licensed;False;No roles;Allowed\r\n\
         Cy;cy@contoso.com;Enabled;Yes;OneWaySMS;OneWaySMS;+1 555;-;Unlicensed;False;No roles;Denied\r\n",
    );
    let (out, err) = run(&["registered", "--format", "list"], &[&report]);
    assert_eq!(out, "ada@contoso.com\n");
    assert_eq!(err, "");
    let (out, _) = run(&["unregistered", "--format", "list"], &[&report]);
    assert_eq!(out, "bo@contoso.com\n");
    let (out, _) = run(&["methods", "--admins-only"], &[&report]);
    assert_eq!(
        out,
        format!(
            "{HEADER}\"ada@contoso.com\",\"Enforced\",\"PhoneAppNotification PhoneAppOTP\"\r\n"
        )
    );
}

#[test]
fn bad_inputs_fail_with_one_line() {
    let dir = support::tempdir();
    let no_key = support::write(
        dir.path(),
        "reg.csv",
        "userDisplayName,isMfaCapable,methodsRegistered\r\nA,True,[]\r\n",
    );
    Test::new()
        .args(["methods"])
        .arg(&no_key)
        .run()
        .code(2)
        .stderr_is(&format!(
            "mfaudit: error: {}:line 1: this user registration details CSV has no column mfaudit can join on: expected userPrincipalName or id with one of methodsRegistered, isMfaRegistered, isMfaCapable (header names compared without case, spaces or underscores), found userDisplayName, isMfaCapable, methodsRegistered\n",
            no_key.display()
        ));
    let bad_cell = support::write(
        dir.path(),
        "reg2.csv",
        "userPrincipalName,methodsRegistered\r\na@x,[]\r\nb@x,\"[\"\"fido2\"\"\"\r\n",
    );
    let out = Test::new().args(["registered"]).arg(&bad_cell).run();
    out.code(2);
    let err = &out.stderr;
    assert!(
        err.starts_with(&format!(
            "mfaudit: error: {}:line 3: methodsRegistered is not a JSON array of names",
            bad_cell.display()
        )),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}
