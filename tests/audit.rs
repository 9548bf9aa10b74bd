//! The audit on a small synthetic tenant: a directory of six users and a stream of sign-ins in the
//! order logs come (newest first), checked field by field against the JSON contract of cli.md.

use mfaudit::audit::{AuditOptions, Auditor};
use mfaudit::model::{Access, Directory, MethodList, PerUserState, SignIn, User, UserType};
use mfaudit::report::audit::{AuditReport, InputSummary};
use serde_json::json;

use super::support::Test;

fn at(s: &str) -> jiff::Timestamp {
    s.parse().expect("test timestamp")
}

fn user(upn: &str, id: Option<&str>, access: Access, state: PerUserState) -> User {
    User {
        upn: Some(upn.into()),
        object_id: id.map(str::to_string),
        access,
        per_user_state: state,
        user_type: UserType::Member,
        ..User::default()
    }
}

fn registered(mut u: User, is_registered: bool, methods: &[&str]) -> User {
    u.mfa_registered = Some(is_registered);
    u.methods = Some(MethodList::from_names(
        methods.iter().map(|m| m.to_string()),
    ));
    u
}

fn tenant() -> Directory {
    let mut ada = registered(
        user(
            "ada@contoso.com",
            Some("id-ada"),
            Access::Allowed,
            PerUserState::Enforced,
        ),
        true,
        &["microsoftAuthenticatorPush", "softwareOneTimePasscode"],
    );
    ada.is_admin = Some(true);
    let mut bob = registered(
        user(
            "bob@contoso.com",
            Some("id-bob"),
            Access::Allowed,
            PerUserState::Enabled,
        ),
        true,
        &["mobilePhone"],
    );
    bob.is_admin = Some(false);
    bob.user_type = UserType::Unknown;
    let carol = registered(
        user(
            "carol@contoso.com",
            None,
            Access::Allowed,
            PerUserState::Disabled,
        ),
        false,
        &[],
    );
    let dave = registered(
        user(
            "dave@contoso.com",
            None,
            Access::Blocked,
            PerUserState::Unknown,
        ),
        true,
        &["fido2"],
    );
    let erin = user(
        "erin@contoso.com",
        None,
        Access::Unknown,
        PerUserState::Unknown,
    );
    let mut grace = registered(
        user(
            "Grace_Example.org#EXT#@contoso.onmicrosoft.com",
            None,
            Access::Allowed,
            PerUserState::Unknown,
        ),
        true,
        &["microsoftAuthenticatorPush"],
    );
    grace.user_type = UserType::Guest;
    let mut d = Directory::new();
    for u in [ada, bob, carol, dave, erin, grace] {
        d.insert(u);
    }
    d
}

fn signin(upn: Option<&str>, time: &str) -> SignIn<'static> {
    SignIn {
        upn: upn.map(|s| s.to_string().into()),
        time: Some(at(time)),
        ..SignIn::default()
    }
}

fn details(mut s: SignIn<'static>, text: &str) -> SignIn<'static> {
    s.additional_details = Some(text.to_string().into());
    s
}

/// The sign-in log, newest first as Graph and the portal return it.
fn signins() -> Vec<SignIn<'static>> {
    let mut v = vec![
        // Xavier is not in the directory; he reported fraud through MFA Server.
        SignIn {
            call_result: Some("FAILED_FRAUD_REPORTED".into()),
            ..signin(Some("xavier@fabrikam.com"), "2025-05-01T12:00:00Z")
        },
        // Bob: a strong-auth failure with no result word, then a text message that completed.
        SignIn {
            error_code: Some(500121),
            authentication_requirement: Some("multiFactorAuthentication".into()),
            ..signin(Some("bob@contoso.com"), "2025-05-01T11:00:00Z")
        },
        SignIn {
            mfa_method: Some("Text message".into()),
            user_id: Some("ID-BOB".into()),
            ..details(
                signin(None, "2025-05-01T10:00:00Z"),
                "MFA successfully completed",
            )
        },
        // Ada: five unanswered pushes in sixteen minutes, then a success; earlier a token claim.
        SignIn {
            mfa_method: Some("Mobile app notification".into()),
            ..details(
                signin(Some("Ada@Contoso.com"), "2025-05-01T09:20:00Z"),
                "MFA successfully completed",
            )
        },
    ];
    for minute in ["16", "12", "08", "04", "00"] {
        v.push(SignIn {
            mfa_method: Some("Mobile app notification".into()),
            ..details(
                signin(
                    Some("ada@contoso.com"),
                    &format!("2025-05-01T09:{minute}:00Z"),
                ),
                "MFA denied; user did not respond to mobile app notification",
            )
        });
    }
    v.push(SignIn {
        user_id: Some("id-ada".into()),
        ..details(
            signin(None, "2025-05-01T08:00:00Z"),
            "MFA requirement satisfied by claim in the token",
        )
    });
    // Carol: a single-factor sign-in, and a denial for lack of methods.
    v.push(SignIn {
        error_code: Some(0),
        authentication_requirement: Some("singleFactorAuthentication".into()),
        ..signin(Some("carol@contoso.com"), "2025-05-01T07:30:00Z")
    });
    v.push(details(
        signin(Some("carol@contoso.com"), "2025-05-01T07:00:00Z"),
        "MFA denied; user does not have any verification methods registered",
    ));
    // Erin: an interrupt (MFA required, the client must come back).
    v.push(SignIn {
        error_code: Some(50076),
        authentication_requirement: Some("Multifactor authentication".into()),
        ..signin(Some("erin@contoso.com"), "2025-05-01T06:00:00Z")
    });
    // Grace, a guest, signs in with her home address.
    v.push(details(
        signin(Some("grace@example.org"), "2025-05-01T05:00:00Z"),
        "MFA requirement satisfied by claim in the token",
    ));
    // A sign-in with no user at all, not an MFA one.
    v.push(signin(None, "2025-05-01T04:00:00Z"));
    v
}

fn audit(events: &[SignIn]) -> AuditReport {
    let directory = tenant();
    let mut auditor = Auditor::new(AuditOptions::default());
    for s in events {
        auditor.add(s);
    }
    let inputs = vec![InputSummary {
        path: "signins.json".into(),
        kind: "graph-signins".into(),
        records: events.len() as u64,
        activity: true,
        signin_fields: Some(Vec::new()),
        ..InputSummary::default()
    }];
    auditor.finish(directory, inputs, at("2025-05-02T00:00:00Z"))
}

fn to_json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).expect("serializable")
}

#[test]
fn synthetic_tenant_summary_and_rankings() {
    let report = audit(&signins());
    assert_eq!(report.schema, "mfaudit.audit/1");
    assert_eq!(report.generated_at, "2025-05-02T00:00:00Z");
    assert_eq!(
        to_json(&report.summary),
        json!({
            "users_total": 6, "users_enabled": 5,
            "registered_enabled": 3, "unregistered_enabled": 1,
            "per_user_state": { "enforced": 1, "enabled": 1, "disabled": 1, "unknown": 3 },
            "signins_total": 15, "mfa_challenges": 13,
            "challenged_users": 6,
            "users_completed_mfa": 3,
            "users_unable_to_complete": 3,
            "users_with_failures": 4,
            "registration_unknown_enabled": 1,
            "access_unknown": 1,
            "admins_without_mfa": 0,
            "admins_without_mfa_unknown": 2,
            "activity_inputs": 1,
            "duplicate_signins": 0,
            "workload_signins": 0,
            "excepted_enabled": 0, "unregistered_enabled_unexcepted": 1,
            // Ada's per-user MFA is enforced and Bob's enabled: always required (issue 20);
            // the three others' per-user state is unknown and no policy export was read.
            "enforcement": {
                "mfa_required": {"always": 2, "conditional": 0, "never": 0, "unknown": 3},
                "protected_enabled": 2,
                "users_signed_in_without_mfa": 1, "users_legacy_auth": 0,
                "security_defaults": null,
                "unprotected_enabled": 1, "protection_unknown_enabled": 2
            }
        })
    );
    assert_eq!(
        to_json(&report.mfa_completed_by),
        json!([
            { "how": "satisfied by claim in the token", "count": 2, "users": 2, "prompted": false },
            { "how": "successfully completed", "count": 2, "users": 2, "prompted": true }
        ])
    );
    assert_eq!(
        to_json(&report.mfa_denied_because),
        json!([
            { "reason": "user did not respond to mobile app notification", "count": 5, "users": 1 },
            { "reason": "Fraud Reported", "count": 1, "users": 1 },
            { "reason": "authentication failed during strong authentication request (500121)", "count": 1, "users": 1 },
            { "reason": "user does not have any verification methods registered", "count": 1, "users": 1 }
        ])
    );
    assert_eq!(
        to_json(&report.unmatched_signins),
        json!({ "signins": 2, "users": 1, "examples": ["xavier@fabrikam.com"] })
    );
}

/// `users[].enforcement` of a user with per-user MFA on (enforced or enabled) whose sign-ins
/// showed nothing of it, with a sign-in log read and no configuration export: required always by
/// per-user MFA, what only the policy export says null, the observed counts zero.
fn per_user_required_nothing_observed() -> serde_json::Value {
    json!({
        "mfa_required": "always", "phishing_resistant_required": null,
        "required_by": [{
            "source": "per-user", "policy": null, "policy_id": null, "via": null,
            "scope": "always", "conditions": []
        }],
        "excluded_by": null, "report_only": null,
        "unresolved": [
            "no Conditional Access policy export: whether a policy requires MFA of the user is unknown; export GET /identity/conditionalAccess/policies",
            "security defaults unknown: no identitySecurityDefaultsEnforcementPolicy export, and no enabled Conditional Access policy implies them off"
        ],
        "observed": {
            "signins_without_mfa": 0, "legacy_auth_signins": 0, "apps_without_mfa": [],
            "required_by": [], "last_without_mfa": null, "legacy_attempts": 0,
            "legacy_protocols": [], "policies": [], "report_only_would_require": []
        }
    })
}

#[test]
fn synthetic_tenant_users() {
    let report = audit(&signins());
    let upns: Vec<&str> = report.users.iter().map(|u| u.upn.as_str()).collect();
    assert_eq!(
        upns,
        [
            "ada@contoso.com",
            "bob@contoso.com",
            "carol@contoso.com",
            "dave@contoso.com",
            "erin@contoso.com",
            "Grace_Example.org#EXT#@contoso.onmicrosoft.com",
            "xavier@fabrikam.com"
        ]
    );
    assert_eq!(
        to_json(&report.users[0]),
        json!({
            "upn": "ada@contoso.com", "display_name": null, "object_id": "id-ada",
            "enabled": true, "registered": true, "per_user_state": "Enforced",
            "methods": ["Microsoft Authenticator (push)", "Authenticator app or software OATH code"],
            "strongest": "app-based", "user_type": "member", "is_admin": true,
            "challenges": 7, "completed": 2, "denied": 5,
            "last_result": "satisfied: successfully completed",
            "last_signin": "2025-05-01T09:20:00Z",
            "flags": ["push-fatigue-suspected"],
            "enforcement": per_user_required_nothing_observed(),
            "exception": null,
            "mfa_server": null
        })
    );
    assert_eq!(
        to_json(&report.users[1]),
        json!({
            "upn": "bob@contoso.com", "display_name": null, "object_id": "id-bob",
            "enabled": true, "registered": true, "per_user_state": "Enabled",
            "methods": ["Mobile phone (SMS or voice)"],
            "strongest": "telephony", "user_type": null, "is_admin": false,
            "challenges": 2, "completed": 1, "denied": 1,
            "last_result": "denied: authentication failed during strong authentication request (500121)",
            "last_signin": "2025-05-01T11:00:00Z",
            "flags": ["telephony-only"],
            "enforcement": per_user_required_nothing_observed(),
            "exception": null,
            "mfa_server": null
        })
    );
    let flags: Vec<(&str, Vec<&str>)> = report
        .users
        .iter()
        .map(|u| (u.upn.as_str(), u.flags.iter().map(|f| f.as_ref()).collect()))
        .collect();
    assert_eq!(
        flags[2..],
        [
            (
                "carol@contoso.com",
                vec![
                    "enabled-unregistered",
                    "challenged-never-completed",
                    "signed-in-without-mfa"
                ]
            ),
            ("dave@contoso.com", vec![]),
            ("erin@contoso.com", vec!["challenged-never-completed"]),
            ("Grace_Example.org#EXT#@contoso.onmicrosoft.com", vec![]),
            (
                "xavier@fabrikam.com",
                vec!["challenged-never-completed", "fraud-reported"]
            ),
        ]
    );
    // Carol's single-factor success got in without MFA; the log names no application.
    assert_eq!(
        to_json(&report.users[2].enforcement)["observed"],
        json!({
            "signins_without_mfa": 1, "legacy_auth_signins": 0,
            "apps_without_mfa": ["(application not in the log)"], "required_by": [],
            "last_without_mfa": "2025-05-01T07:30:00Z",
            "legacy_attempts": 0, "legacy_protocols": [], "policies": [],
            "report_only_would_require": []
        })
    );
    assert_eq!(report.users[4].registered, None);
    assert_eq!(report.users[4].enabled, None);
    assert_eq!(
        report.users[4].last_result.as_deref(),
        Some("pending: MFA required; the client must retry interactively (50076)")
    );
}

#[test]
fn synthetic_tenant_six_answers() {
    let report = audit(&signins());
    let answers: Vec<(&str, &str)> = report
        .questions
        .iter()
        .map(|q| (q.question.as_str(), q.answer.as_str()))
        .collect();
    assert_eq!(
        answers,
        [
            (
                "Was the sign-in challenged with MFA?",
                "13 sign-ins of 15 required MFA (86.7%): 4 satisfied, 8 denied, 1 neither satisfied nor denied (interrupted or in progress)."
            ),
            (
                "How did the user complete MFA?",
                "4 challenges were satisfied, 2 at a prompt and 2 without one (a claim in the token, a trusted location or device, an app password); most often: satisfied by claim in the token (2 times, 2 users); successfully completed (2 times, 2 users)."
            ),
            (
                "Why was the user unable to complete MFA?",
                "8 challenges were denied; most often: user did not respond to mobile app notification (5 times, 1 user); Fraud Reported (1 time, 1 user); authentication failed during strong authentication request (500121) (1 time, 1 user)."
            ),
            (
                "How many users are challenged for MFA?",
                "6 of the 6 users who signed in were challenged for MFA."
            ),
            (
                "How many users are unable to complete the MFA challenge?",
                "3 of the 6 challenged never completed MFA; 4 users had at least one denied challenge."
            ),
            (
                "What are the common MFA issues end users are running into?",
                "The most common denial is \"user did not respond to mobile app notification\" (5 times, 1 user); push fatigue suspected: 1 user; fraud reported: 1 user; challenged but never completed MFA: 3 users."
            ),
        ]
    );
}

#[test]
fn order_of_the_log_does_not_matter() {
    let newest_first = signins();
    let mut oldest_first = newest_first.clone();
    oldest_first.reverse();
    // Interleaved: every other event from each end.
    let mut shuffled = Vec::new();
    let (mut i, mut j) = (0, newest_first.len());
    while i < j {
        shuffled.push(newest_first[i].clone());
        i += 1;
        if i < j {
            j -= 1;
            shuffled.push(newest_first[j].clone());
        }
    }
    let expected = audit(&newest_first);
    for events in [oldest_first, shuffled] {
        let mut report = audit(&events);
        // Only the first-seen spelling of an unmatched user's name may differ; here it does not.
        report.inputs = expected.inputs.clone();
        assert_eq!(to_json(&report), to_json(&expected));
    }
}

#[test]
fn the_json_round_trips() {
    let report = audit(&signins());
    let text = serde_json::to_string(&report).expect("serializable");
    let back: AuditReport = serde_json::from_str(&text).expect("the contract reads back");
    // What only the run needs of its inputs is not part of the contract.
    let mut expected = report.clone();
    for i in &mut expected.inputs {
        i.activity = false;
        i.signin_fields = None;
    }
    assert_eq!(back, expected);
    let value: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(value["changes"], serde_json::Value::Null);
    assert_eq!(value["inputs"][0]["path"], "signins.json");
    assert_eq!(value["questions"].as_array().map(Vec::len), Some(6));
}

// `mfaudit codes` through the binary.

#[test]
fn codes_command_explains_one_code() {
    let ran = Test::new()
        .args(["codes", "success_no_pin_but_timeout"])
        .run();
    ran.ok().utf8();
    assert!(
        ran.stdout.contains("Outcome            not completed\n"),
        "{}",
        ran.stdout
    );
}

#[test]
fn codes_command_rejects_unknown_codes() {
    let ran = Test::new().args(["codes", "SUCCESS_NO_PIN_TIMEOUT"]).run();
    ran.code(2).utf8();
    assert!(
        ran.stderr
            .contains("closest: SUCCESS_NO_PIN_BUT_TIMEOUT, SUCCESS_NO_PIN"),
        "{}",
        ran.stderr
    );
}

#[test]
fn codes_command_lists_all_as_csv() {
    let ran = Test::new().args(["codes", "--format", "csv"]).run();
    ran.ok().utf8();
    let text = &ran.stdout;
    assert_eq!(text.lines().count(), 46);
    assert!(text.starts_with("Call Result,Description,Broad description,Outcome,Method\n"));
}
