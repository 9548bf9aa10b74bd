//! The HTML audit report: golden snapshot, hostile names, no request to another host, template
//! overrides, long tables, headless Chromium, and the 200,000-user render time.

use std::path::Path;
use std::time::Instant;

use mfaudit::error::Error;
use mfaudit::report::audit::*;
use mfaudit::report::html::{PREVIEW, TEMPLATES, dump_templates, render, render_summary};

use crate::support;

const SCRIPT_NAME: &str = "<script>alert(1)</script>";
const IMG_NAME: &str = "\"><img src=x onerror=alert(1)>";
const FORMULA_NAME: &str = "=HYPERLINK(\"https://evil.example/x\",\"Click\")";

fn user(upn: &str, name: &str) -> AuditUser {
    AuditUser {
        upn: upn.into(),
        display_name: Some(name.into()),
        object_id: None,
        enabled: Some(true),
        registered: Some(true),
        per_user_state: "disabled".into(),
        methods: vec!["PhoneAppNotification".into()],
        strongest: Some("app-based".into()),
        user_type: Some("Member".into()),
        is_admin: Some(false),
        challenges: 0,
        completed: 0,
        denied: 0,
        last_result: None,
        last_signin: None,
        flags: vec![],
        enforcement: Default::default(),
        exception: None,
        mfa_server: None,
    }
}

/// A small tenant that exercises every section: warnings, every action table, changes, trend.
fn example_report() -> AuditReport {
    let mut users = vec![];
    let mut u = user("ada@contoso.example", "Ada Lovelace");
    u.per_user_state = "enforced".into();
    u.methods = vec!["Fido2".into(), "PhoneAppNotification".into()];
    u.strongest = Some("phishing-resistant".into());
    u.is_admin = Some(true);
    u.challenges = 12;
    u.completed = 12;
    u.last_result = Some("MFA successfully completed".into());
    u.last_signin = Some("2025-05-30T09:12:00Z".into());
    users.push(u);

    let mut u = user("grace@contoso.example", "Grace Hopper");
    u.registered = Some(false);
    u.methods = vec![];
    u.strongest = None;
    u.is_admin = Some(true);
    u.flags = vec![
        flag::ENABLED_UNREGISTERED.into(),
        flag::ADMIN_WITHOUT_MFA.into(),
    ];
    users.push(u);

    let mut u = user("guest_evil.example#EXT#@contoso.example", SCRIPT_NAME);
    u.user_type = Some("Guest".into());
    u.registered = Some(false);
    u.methods = vec![];
    u.strongest = None;
    u.challenges = 4;
    u.denied = 4;
    u.last_result = Some("MFA denied; user declined the authentication".into());
    u.last_signin = Some("2025-05-29T22:01:00Z".into());
    u.flags = vec![
        flag::ENABLED_UNREGISTERED.into(),
        flag::CHALLENGED_NEVER_COMPLETED.into(),
        flag::PUSH_FATIGUE.into(),
    ];
    users.push(u);

    let mut u = user("img@contoso.example", IMG_NAME);
    u.methods = vec!["OneWaySMS".into()];
    u.strongest = Some("telephony".into());
    u.challenges = 3;
    u.completed = 2;
    u.denied = 1;
    u.last_result = Some("MFA denied; user reported fraud".into());
    u.last_signin = Some("2025-05-28T07:45:00Z".into());
    u.flags = vec![flag::TELEPHONY_ONLY.into(), flag::FRAUD_REPORTED.into()];
    users.push(u);

    let mut u = user("formula@contoso.example", FORMULA_NAME);
    u.enabled = None;
    u.registered = None;
    u.per_user_state = "unknown".into();
    u.methods = vec![];
    u.strongest = None;
    u.challenges = 1;
    u.denied = 1;
    u.last_result =
        Some("MFA denied; user did not pass the MFA challenge (non interactive)".into());
    u.flags = vec![flag::CHALLENGED_NEVER_COMPLETED.into()];
    users.push(u);

    // What the logs showed, for the section on who got in without MFA: hostile application,
    // protocol and policy names among them.
    let logs = |o: ObservedUser| UserEnforcement {
        configured: None,
        observed: Some(Box::new(o)),
        logs: true,
    };
    users[2].flags.push(flag::SIGNED_IN_WITHOUT_MFA.into());
    users[2].flags.push(flag::LEGACY_AUTH_SIGN_IN.into());
    users[2].enforcement = logs(ObservedUser {
        signins_without_mfa: 5,
        legacy_auth_signins: 2,
        apps_without_mfa: vec![IMG_NAME.into(), "Office 365 Exchange Online".into()],
        required_by: vec![ProviderSignins {
            provider: "user".into(),
            signins: 4,
        }],
        last_without_mfa: Some("2025-05-29T21:58:00Z".into()),
        legacy_attempts: 6,
        legacy_protocols: vec![NamedCount {
            name: "IMAP4".into(),
            signins: 6,
        }],
        policies: vec![],
        report_only_would_require: vec![NamedCount {
            name: SCRIPT_NAME.into(),
            signins: 5,
        }],
    });
    users[3].flags.push(flag::SIGNED_IN_WITHOUT_MFA.into());
    users[3].enforcement = logs(ObservedUser {
        signins_without_mfa: 1,
        apps_without_mfa: vec!["Azure Portal".into()],
        required_by: vec![ProviderSignins {
            provider: "multiConditionalAccess".into(),
            signins: 2,
        }],
        last_without_mfa: Some("2025-05-27T10:00:00Z".into()),
        policies: vec![NamedCount {
            name: "Require MFA for admins".into(),
            signins: 2,
        }],
        ..ObservedUser::default()
    });
    users[0].enforcement = logs(ObservedUser::default());
    users[1].enforcement = logs(ObservedUser::default());
    users[4].enforcement = UserEnforcement {
        logs: true,
        ..UserEnforcement::default()
    };
    // Who is required to use MFA: Ada by a policy (and always), Grace excluded by a group with a
    // hostile name.
    users[0].enforcement.configured = Some(std::sync::Arc::new(Configured {
        mfa_required: Some("always".into()),
        phishing_resistant_required: Some(false),
        required_by: Some(vec![RequiredBy {
            source: "conditional-access".into(),
            policy: Some("Require MFA for admins".into()),
            policy_id: Some("4f5ac3a9-0000-4000-8000-000000000001".into()),
            via: Some("role:Global Administrator".into()),
            scope: "always".into(),
            conditions: Default::default(),
        }]),
        excluded_by: Some(vec![]),
        report_only: Some(vec![]),
        unresolved: Some(vec![]),
        phishing_resistant_allowed: None,
    }));
    users[1].flags.push(flag::EXCLUDED_FROM_MFA_POLICY.into());
    users[1].flags.push(flag::EXCEPTION_EXPIRED.into());
    users[1].exception = Some(Box::new(UserException {
        class: "waiver".into(),
        reason: SCRIPT_NAME.into(),
        owner: Some("Ann".into()),
        ticket: Some("INC-7".into()),
        expires: Some("2025-05-20".into()),
        source: "exceptions.csv:2".into(),
        state: "expired".into(),
        covers: vec![],
    }));
    users[1].enforcement.configured = Some(std::sync::Arc::new(Configured {
        mfa_required: Some("never".into()),
        phishing_resistant_required: Some(false),
        required_by: Some(vec![]),
        excluded_by: Some(vec![ExcludedBy {
            policy: Some("Require MFA for admins".into()),
            policy_id: Some("4f5ac3a9-0000-4000-8000-000000000001".into()),
            via: format!("group:{SCRIPT_NAME}"),
        }]),
        report_only: Some(vec![]),
        unresolved: Some(vec![]),
        phishing_resistant_allowed: None,
    }));

    let mut u = user("off@contoso.example", "Disabled Account");
    u.enabled = Some(false);
    u.registered = Some(false);
    u.methods = vec![];
    u.strongest = None;
    users.push(u);

    AuditReport {
        schema: SCHEMA.into(),
        generated_at: "2025-06-01T08:00:00Z".into(),
        inputs: vec![
            InputSummary {
                path: "exports/registration <details>.csv".into(),
                kind: "graph-registration-details-csv".into(),
                records: 6,
                warnings: vec!["line 7: a row with 3 fields <b>skipped</b>".into()],
                encoding: "utf-8".into(),
                first_time: None,
                last_time: None,
                fingerprint: None,
                incomplete: false,
                activity: false,
                signin_fields: None,
            },
            InputSummary {
                path: "exports/signins.json".into(),
                kind: "graph-signins-json".into(),
                records: 1234,
                warnings: vec![],
                encoding: "utf-16le".into(),
                first_time: Some("2025-05-01T00:00:03Z".into()),
                last_time: Some("2025-05-30T09:12:00Z".into()),
                fingerprint: None,
                incomplete: false,
                activity: true,
                signin_fields: Some(vec!["interactive", "client app", "application"]),
            },
        ],
        summary: Summary {
            users_total: 6,
            users_enabled: 5,
            registered_enabled: 2,
            unregistered_enabled: 2,
            per_user_state: PerUserStateCounts {
                enforced: 1,
                enabled: 0,
                disabled: 4,
                unknown: 1,
            },
            signins_total: 1234,
            mfa_challenges: 19,
            challenged_users: 3,
            users_completed_mfa: 2,
            users_unable_to_complete: 1,
            users_with_failures: 2,
            registration_unknown_enabled: 1,
            access_unknown: 1,
            admins_without_mfa: 1,
            admins_without_mfa_unknown: 0,
            activity_inputs: 1,
            duplicate_signins: 0,
            workload_signins: 0,
            enforcement: SummaryEnforcement {
                mfa_required: Some(RequiredCounts {
                    always: 3,
                    conditional: 0,
                    never: 1,
                    unknown: 1,
                }),
                protected_enabled: Some(2),
                users_signed_in_without_mfa: Some(2),
                users_legacy_auth: Some(1),
                security_defaults: Some(false),
                unprotected_enabled: Some(2),
                protection_unknown_enabled: Some(1),
            },
            excepted_enabled: 0,
            unregistered_enabled_unexcepted: 2,
        },
        questions: vec![
            Question {
                question: "How many users were challenged for MFA?".into(),
                answer: "3 users, 19 challenges.".into(),
            },
            Question {
                question: "How many users were unable to complete MFA?".into(),
                answer: format!("1 user ({SCRIPT_NAME})."),
            },
        ],
        mfa_completed_by: vec![
            HowCount {
                how: "MFA requirement satisfied by claim in the token".into(),
                count: 9,
                users: 1,
                prompted: Some(false),
            },
            HowCount {
                how: "MFA successfully completed".into(),
                count: 5,
                users: 2,
                prompted: Some(true),
            },
        ],
        mfa_denied_because: vec![
            ReasonCount {
                reason: "user declined the authentication".into(),
                count: 4,
                users: 1,
            },
            ReasonCount {
                reason: format!("user reported fraud {IMG_NAME}"),
                count: 1,
                users: 1,
            },
        ],
        users,
        changes: Some(Changes {
            previous_run: "2025-05-01T08:00:00Z".into(),
            newly_registered: vec!["ada@contoso.example".into()],
            newly_unregistered: vec!["grace@contoso.example".into()],
            state_changed: vec![StateChange {
                upn: "ada@contoso.example".into(),
                from: "enabled".into(),
                to: "enforced".into(),
            }],
            users_added: vec!["img@contoso.example".into()],
            users_removed: vec![],
            flags_raised: vec![FlagChange {
                upn: "img@contoso.example".into(),
                flag: flag::FRAUD_REPORTED.into(),
            }],
            flags_cleared: vec![],
            ..Changes::default()
        }),
        warnings: vec![
            "No sign-in log covers the last 2 days; export sign-ins again for a current view."
                .into(),
        ],
        unmatched_signins: UnmatchedSignIns {
            signins: 7,
            users: 2,
            examples: vec!["gone@contoso.example".into(), SCRIPT_NAME.into()],
        },
        methods_by_strength: vec![
            StrengthCount {
                strength: "phishing-resistant".into(),
                users: 1,
            },
            StrengthCount {
                strength: "app-based".into(),
                users: 1,
            },
            StrengthCount {
                strength: "telephony".into(),
                users: 1,
            },
        ],
        trend: vec![
            TrendPoint {
                run: "2025-04-01T08:00:00Z".into(),
                registered_share: 0.25,
                unregistered_enabled: 3,
            },
            TrendPoint {
                run: "2025-05-01T08:00:00Z".into(),
                registered_share: 0.3,
                unregistered_enabled: 3,
            },
            TrendPoint {
                run: "2025-06-01T08:00:00Z".into(),
                registered_share: 0.4,
                unregistered_enabled: 2,
            },
        ],
        without_mfa: WithoutMfa {
            question: "Who signed in without MFA?".into(),
            answer: format!(
                "2 users signed in without MFA (6 sign-ins); most often to {IMG_NAME}."
            ),
            signins_without_mfa: Some(6),
            users_without_mfa: Some(2),
            interactive_signins: Some(1234),
            noninteractive_signins: Some(20_480),
            interactive_assumed: Some(0),
            requirement_unknown: Some(3),
            apps: vec![
                AppCount {
                    app: IMG_NAME.into(),
                    signins: 4,
                    users: 1,
                },
                AppCount {
                    app: "Azure Portal".into(),
                    signins: 1,
                    users: 1,
                },
                AppCount {
                    app: "Office 365 Exchange Online".into(),
                    signins: 1,
                    users: 1,
                },
            ],
            legacy: vec![ProtocolCount {
                protocol: "IMAP4".into(),
                signins: 6,
                succeeded: 2,
                users: 1,
            }],
            required_by: vec![
                ProviderCount {
                    provider: "user".into(),
                    name: "per-user MFA".into(),
                    signins: 4,
                    share: 0.2105,
                },
                ProviderCount {
                    provider: "multiConditionalAccess".into(),
                    name: "Conditional Access".into(),
                    signins: 2,
                    share: 0.1053,
                },
            ],
        },
        policies: vec![
            PolicyReport {
                id: Some("4f5ac3a9-0000-4000-8000-000000000001".into()),
                name: Some("Require MFA for admins".into()),
                state: Some("enabled".into()),
                requires: Some("mfa".into()),
                users_covered: Some(1),
                users_excluded: Some(1),
                resources: Some("All".into()),
                conditions: Some(vec![]),
                observed: Some(PolicyObserved {
                    success: 2,
                    failure: 1,
                    not_applied: 30,
                    demands_mfa: true,
                    ..PolicyObserved::default()
                }),
            },
            PolicyReport {
                id: Some("4f5ac3a9-0000-4000-8000-000000000002".into()),
                name: Some(SCRIPT_NAME.into()),
                observed: Some(PolicyObserved {
                    report_only_failure: 5,
                    report_only_not_applied: 12,
                    demands_mfa: true,
                    ..PolicyObserved::default()
                }),
                ..PolicyReport::default()
            },
            PolicyReport {
                id: Some("4f5ac3a9-0000-4000-8000-000000000003".into()),
                name: Some("Only in the policy export".into()),
                state: Some("enabled".into()),
                ..PolicyReport::default()
            },
        ],
        exceptions: vec![
            ExceptionEntry {
                user: "grace@contoso.example".into(),
                class: "waiver".into(),
                reason: SCRIPT_NAME.into(),
                owner: Some("Ann".into()),
                ticket: Some("INC-7".into()),
                expires: Some("2025-05-20".into()),
                source: "exceptions.csv:2".into(),
                state: "expired".into(),
                matched: 1,
            },
            ExceptionEntry {
                user: "svc-*@contoso.example".into(),
                class: "service-account".into(),
                reason: "Backup jobs".into(),
                owner: None,
                ticket: None,
                expires: None,
                source: "exceptions.csv:3".into(),
                state: "active".into(),
                matched: 0,
            },
        ],
    }
}

/// The report with its one volatile part (the tool's version) replaced.
fn redacted(html: &str) -> String {
    html.replace(
        &format!("mfaudit {}", env!("CARGO_PKG_VERSION")),
        "mfaudit VERSION",
    )
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/html")
        .join(name)
}

#[test]
fn report_matches_the_golden_file() {
    let html = redacted(&render(&example_report(), None).unwrap());
    let golden = fixture("report.golden.html");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &html).unwrap();
        eprintln!("wrote {}", golden.display());
    }
    let expected = std::fs::read_to_string(&golden)
        .expect("golden file; regenerate with UPDATE_GOLDEN=1 cargo test --test integration html");
    if html != expected {
        let line = html
            .lines()
            .zip(expected.lines())
            .position(|(a, b)| a != b)
            .map_or(expected.lines().count().min(html.lines().count()), |i| i);
        panic!(
            "the report differs from {} at line {}:\n  got:      {:?}\n  expected: {:?}\n\
             (regenerate with UPDATE_GOLDEN=1 after checking the change by eye)",
            golden.display(),
            line + 1,
            html.lines().nth(line),
            expected.lines().nth(line)
        );
    }
}

#[test]
fn sections_come_in_the_order_a_reader_needs() {
    let html = render(&example_report(), None).unwrap();
    let order = [
        "id=\"warnings\"",
        "id=\"summary\"",
        "id=\"questions\"",
        "id=\"charts\"",
        "id=\"enabled-unregistered\"",
        "id=\"unable-to-complete\"",
        "id=\"fraud-fatigue\"",
        "id=\"telephony-only\"",
        "id=\"admins-without-mfa\"",
        "id=\"without-mfa\"",
        "id=\"signed-in-without-mfa\"",
        "id=\"apps-without-mfa\"",
        "id=\"legacy-protocols\"",
        "id=\"required-by\"",
        "id=\"policies-observed\"",
        "id=\"changes\"",
        "id=\"inputs\"",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|id| html.find(id).unwrap_or_else(|| panic!("{id} missing")))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    assert!(html.contains("id=\"chart-trend\""));
}

#[test]
fn a_clean_tenant_has_no_banner_no_changes_and_no_trend() {
    let mut report = example_report();
    report.warnings.clear();
    report.unmatched_signins = Default::default();
    report.summary.registration_unknown_enabled = 0;
    report.summary.unregistered_enabled = 0;
    report.summary.registered_enabled = 5;
    report.summary.admins_without_mfa = 0;
    report.summary.access_unknown = 0;
    report.summary.per_user_state.unknown = 0;
    for input in &mut report.inputs {
        input.warnings.clear();
    }
    report.changes = None;
    report.trend.truncate(1);
    report.users.retain(|u| u.flags.is_empty());
    let html = render(&report, None).unwrap();
    assert!(!html.contains("id=\"warnings\""));
    assert!(!html.contains("id=\"changes\""));
    assert!(!html.contains("href=\"#changes\""));
    assert!(!html.contains("id=\"chart-trend\""));
    assert!(html.contains("✓ Every enabled user is registered for MFA."));
    assert!(html.contains("✓ Every administrator the inputs name has MFA."));
}

/// Unknown is never a clean bill: with registration unknown for every enabled user and no
/// sign-in log, no card is green and no empty table says ✓.
#[test]
fn unknown_data_never_reads_as_success() {
    let mut report = example_report();
    report.users.retain(|u| u.flags.is_empty());
    let s = &mut report.summary;
    s.registered_enabled = 0;
    s.unregistered_enabled = 0;
    s.registration_unknown_enabled = s.users_enabled;
    s.admins_without_mfa = 0;
    s.admins_without_mfa_unknown = s.users_enabled;
    s.activity_inputs = 0;
    s.signins_total = 0;
    s.mfa_challenges = 0;
    s.challenged_users = 0;
    s.users_completed_mfa = 0;
    s.users_unable_to_complete = 0;
    s.users_with_failures = 0;
    // No configuration export either.
    s.enforcement = SummaryEnforcement::default();
    // No sign-in log: who got in without MFA is unknown, not none.
    report.without_mfa = WithoutMfa {
        question: "Who signed in without MFA?".into(),
        answer: "No sign-in activity was in the inputs.".into(),
        ..WithoutMfa::default()
    };
    report.policies.clear();
    for u in &mut report.users {
        u.enforcement = UserEnforcement::default();
    }
    let html = render(&report, None).unwrap();
    assert!(!html.contains("✓"), "a tick on unknown data");
    assert!(
        !html.contains("class=\"card good\""),
        "a green card on unknown data"
    );
    // Six before, and four for who is required to use MFA: the coverage section and its three
    // action tables (required but signed in without MFA, required and not registered, not required).
    assert_eq!(html.matches("<p class=\"unknown-note\">? ").count(), 10);
    assert!(html.contains("<p class=\"unknown-note\">? Who is protected by MFA is unknown: no configuration export was among the inputs; the Conditional Access policies export (GET /identity/conditionalAccess/policies) with the security defaults, directory role and group membership exports, and the per-user MFA state would settle it.</p>"));
    assert!(html.contains("<p class=\"unknown-note\">? Who signed in without MFA is unknown: no sign-in log was among the inputs; a sign-in log export (Graph signIns, the admin center download, Log Analytics) would settle it.</p>"));
    assert!(html.contains("<div class=\"card unknown\">\n    <div class=\"label\">Signed in without MFA</div>\n    <div class=\"value\">unknown</div>"));
    assert!(html.contains(
        "? Registration is unknown for all 5 enabled users; the registration details export (admin center or Graph userRegistrationDetails) would settle it."
    ));
    assert!(html.contains("<div class=\"card unknown\">\n    <div class=\"label\">Sign-ins</div>\n    <div class=\"value\">unknown</div>"));
}

/// With the logs read, the users who got in without MFA come most sign-ins first, with what the
/// logs said of them; nothing unknown and nothing found is the one case that reads as good.
#[test]
fn who_got_in_without_mfa_is_listed_from_the_logs() {
    let report = example_report();
    let html = render(&report, None).unwrap();
    let section =
        &html[html.find("id=\"without-mfa\"").unwrap()..html.find("id=\"coverage\"").unwrap()];
    let guest = section
        .find("guest_evil.example#EXT#@contoso.example")
        .unwrap();
    let img = section.find("img@contoso.example").unwrap();
    assert!(guest < img, "the most sign-ins without MFA first");
    assert!(
        !section.contains("ada@contoso.example"),
        "Ada signed in with MFA"
    );
    assert!(section.contains(
        "<td class=\"num\">5</td><td>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;, Office 365 Exchange Online</td><td class=\"when\">2025-05-29 21:58 UTC</td><td class=\"num\">2</td><td>IMAP4 (6)</td><td>per-user MFA (4)</td><td>&lt;script&gt;alert(1)&lt;/script&gt; (5)</td></tr>"
    ));
    assert!(section.contains("<td>Require MFA for admins (2), Conditional Access (2)</td>"));
    assert!(section.contains("20,480 non-interactive sign-ins counted apart"));
    assert!(section.contains("<tr><td>IMAP4</td><td class=\"num\">6</td><td class=\"num\">2</td><td class=\"num\">1</td></tr>"));
    assert!(section.contains(
        "<tr><td>per-user MFA</td><td class=\"num\">4</td><td class=\"num\">21.1%</td></tr>"
    ));
    // Policies the logs saw; the one only the export names is not in this table.
    assert!(section.contains("<span class=\"count\">2</span>"));
    assert!(!section.contains("Only in the policy export"));
    assert!(section.contains("<tr><td>Require MFA for admins</td><td>yes</td><td class=\"num\">2</td><td class=\"num\">1</td><td class=\"num\">30</td>"));
    // Some sign-ins do not say whether MFA was required: the count is not a clean bill.
    assert!(html.contains("<div class=\"value\">2+?</div>"));

    let mut clean = report.clone();
    clean.users.iter_mut().for_each(|u| {
        u.flags.retain(|f| f != flag::SIGNED_IN_WITHOUT_MFA);
        u.enforcement = UserEnforcement {
            logs: true,
            ..UserEnforcement::default()
        }
    });
    clean.without_mfa.signins_without_mfa = Some(0);
    clean.without_mfa.users_without_mfa = Some(0);
    clean.without_mfa.apps.clear();
    let html = render(&clean, None).unwrap();
    assert!(html.contains(
        "<p class=\"unknown-note\">? No sign-in is known to have got in without MFA, but 3 successful interactive sign-ins do not say whether MFA was required; an export with the authentication requirement would settle it.</p>"
    ));
    clean.without_mfa.requirement_unknown = Some(0);
    let html = render(&clean, None).unwrap();
    assert!(html.contains(
        "<p class=\"ok\">✓ No successful interactive sign-in in the logs got in without MFA.</p>"
    ));
    assert!(html.contains("<div class=\"card good\">\n    <div class=\"label\">Signed in without MFA</div>\n    <div class=\"value\">0</div>"));
}

/// Every place a value enters the page: names, UPN lists, chart labels, warnings, paths.
#[test]
fn hostile_names_never_appear_as_markup() {
    let html = render(&example_report(), None).unwrap();
    assert!(!html.contains(SCRIPT_NAME));
    assert!(!html.contains("<img"));
    assert!(!html.contains("<b>skipped</b>"));
    assert!(!html.contains("<details>.csv"));
    assert!(!html.contains(FORMULA_NAME));
    // Our own script is the only one, beside the page's data (JSON, never run).
    assert_eq!(html.matches("<script").count(), 2);
    assert_eq!(html.matches("</script").count(), 2);
    assert_eq!(
        html.matches("<script type=\"application/json\" id=\"mfaudit-data\">")
            .count(),
        1
    );
    // The names are still there, as text.
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;"));
    assert!(
        html.contains("<b>=HYPERLINK(&quot;https://evil.example/x&quot;,&quot;Click&quot;)</b>")
    );
    // In the SVG of the denial reasons, escaped by mfaudit itself.
    assert!(html.contains("user reported fraud &quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
}

#[test]
fn a_hostile_name_in_every_field_stays_text() {
    let nasty = "</td></tr></table><script>x()</script><a href=\"https://evil.example\">";
    let mut report = example_report();
    for u in &mut report.users {
        u.upn = format!("{}{nasty}", u.upn);
        u.display_name = Some(nasty.into());
        u.per_user_state = nasty.into();
        u.methods.push(nasty.into());
        u.strongest = Some(nasty.into());
        u.last_result = Some(nasty.into());
        u.last_signin = Some(nasty.into());
        u.flags.push(nasty.into());
    }
    report.generated_at = nasty.into();
    report.questions[0].answer = nasty.into();
    report.methods_by_strength[0].strength = nasty.into();
    report.mfa_completed_by[0].how = nasty.into();
    report.trend[0].run = nasty.into();
    report.inputs[0].kind = nasty.into();
    report.inputs[1].first_time = Some(nasty.into());
    if let Some(c) = &mut report.changes {
        c.previous_run = nasty.into();
        c.state_changed[0].to = nasty.into();
    }
    let html = render(&report, None).unwrap();
    assert!(!html.contains("<script>x()"));
    assert!(!html.contains("<a href=\"https://evil"));
    assert!(!html.contains("</table><script"));
    assert_eq!(html.matches("<script").count(), 2);
    // The data block holds the texts as JSON, every `<` escaped: nothing in it is markup.
    let data = page_data(&html);
    assert_eq!(data["u"][0][1], nasty);
    let block = &html[html.find("id=\"mfaudit-data\">").unwrap()..];
    let block = &block[..block.find("</script>").unwrap()];
    assert!(!block[1..].contains('<'), "{block}");
    assert_no_remote_reference(&html);
}

/// The page without its data block: JSON that the script parses and escapes, not markup.
fn without_data(html: &str) -> String {
    let open = "<script type=\"application/json\" id=\"mfaudit-data\">";
    match html.find(open) {
        Some(start) => {
            let end = start + html[start..].find("</script>").unwrap();
            format!("{}{}", &html[..start], &html[end..])
        }
        None => html.to_string(),
    }
}

/// `src=`/`href=` values never point at another host (http:, https:, or protocol-relative `//`).
/// The page's data is left out: it is JSON text the script parses and escapes, never markup
/// (every `<` in it is escaped, which `a_hostile_name_in_every_field_stays_text` checks).
fn assert_no_remote_reference(html: &str) {
    let lower = without_data(html).to_ascii_lowercase();
    for attr in ["src=", "href=", "action=", "srcset="] {
        for (at, _) in lower.match_indices(attr) {
            let value = lower[at + attr.len()..].trim_start_matches(['"', '\'', ' ']);
            assert!(
                !(value.starts_with("http:")
                    || value.starts_with("https:")
                    || value.starts_with("//")),
                "remote reference at byte {at}: {}",
                &html[at..(at + 80).min(html.len())]
            );
        }
    }
    assert!(
        !lower.contains("url(http"),
        "a stylesheet loads a remote URL"
    );
    assert!(
        !lower.contains("@import"),
        "a stylesheet imports another file"
    );
}

#[test]
fn no_src_or_href_points_at_another_host() {
    let mut report = example_report();
    report.users[0].display_name = Some("<img src=\"https://evil.example/p.png\">".into());
    report.users[1].display_name = Some("<a href='http://evil.example'>x</a>".into());
    let html = render(&report, None).unwrap();
    assert_no_remote_reference(&html);
    // The detector itself notices a remote reference.
    let caught = std::panic::catch_unwind(|| {
        assert_no_remote_reference("<img src=\"https://evil.example/p.png\">")
    });
    assert!(caught.is_err());
}

/// The page's data, as the script reads it.
fn page_data(html: &str) -> serde_json::Value {
    let start = html
        .find("<script type=\"application/json\" id=\"mfaudit-data\">")
        .expect("the data block")
        + "<script type=\"application/json\" id=\"mfaudit-data\">".len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).expect("the data is JSON")
}

#[test]
fn long_tables_show_their_first_rows_and_hold_every_user_as_data() {
    let mut report = example_report();
    let extra = 1201;
    for i in 0..extra {
        let mut u = user(&format!("user{i:05}@contoso.example"), &format!("User {i}"));
        u.registered = Some(false);
        u.flags = vec![flag::ENABLED_UNREGISTERED.into()];
        report.users.push(u);
    }
    let html = render(&report, None).unwrap();
    let start = html.find("id=\"enabled-unregistered\"").unwrap();
    let end = html.find("id=\"unable-to-complete\"").unwrap();
    let table = &html[start..end];
    assert!(table.contains("data-grid=\"users\" data-flags=\"enabled-unregistered\""));
    // Without scripts: the first rows, in the report's order, and what is left out said.
    assert_eq!(table.matches("<tr><td class=\"who\">").count(), PREVIEW);
    assert!(table.contains(&format!(
        "Shown here: the first {PREVIEW} of 1,203 users. With scripts enabled this page lists, sorts and filters every one;"
    )));
    assert!(table.contains(">1,203</span>"));
    // The data holds every user once, in the report's order, with this table's flag.
    let data = page_data(&html);
    let users = data["u"].as_array().unwrap();
    assert_eq!(users.len(), report.users.len());
    for (i, u) in report.users.iter().enumerate() {
        assert_eq!(users[i][0], u.upn.as_str(), "row {i}");
    }
    let flags = data["d"]["flags"].as_array().unwrap();
    let unregistered = users
        .iter()
        .filter(|u| {
            flags[u[14].as_u64().unwrap() as usize]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == "enabled-unregistered")
        })
        .count();
    assert_eq!(unregistered, 1203);
    // The page stays small: well under the 250 bytes a user the issue allows.
    assert!(
        html.len() < 250 * report.users.len() + 200_000,
        "{} bytes",
        html.len()
    );
}

#[test]
fn the_summary_for_the_mail_has_no_inventory_and_says_where_the_rest_is() {
    let mut report = example_report();
    for i in 0..100 {
        let mut u = user(&format!("user{i:05}@contoso.example"), &format!("User {i}"));
        u.registered = Some(false);
        u.flags = vec![flag::ENABLED_UNREGISTERED.into()];
        report.users.push(u);
    }
    let html = render_summary(&report, None).unwrap();
    assert!(!html.contains("id=\"mfaudit-data\""));
    assert!(!html.contains("id=\"inventory\""));
    assert!(html.contains(&format!(
        "Shown here: the first {PREVIEW} of 102 users. The full HTML report (--html) lists every one;"
    )));
}

#[test]
fn a_template_dir_file_replaces_the_built_in_one() {
    let dir = support::tempdir();
    support::write(
        dir.path(),
        "cards.hbs",
        "<p id=\"mine\">{{fmt_int summary.signins_total}} sign-ins, {{pct summary.registered_enabled summary.users_enabled}} {{> extra}}</p>",
    );
    support::write(
        dir.path(),
        "extra.hbs",
        "<b>{{#with (user_at 2)}}{{display_name}}{{/with}}</b>",
    );
    let html = render(&example_report(), Some(dir.path())).unwrap();
    assert!(html.contains(
        "<p id=\"mine\">1,234 sign-ins, 40.0% <b>&lt;script&gt;alert(1)&lt;/script&gt;</b></p>"
    ));
    assert!(!html.contains("Enabled, not registered"));
    // The other partials are still the built-in ones.
    assert!(html.contains("id=\"questions\""));
}

/// The documented way to write one's own rows: preview rows are indexes into the report's users,
/// which `(user i)` gives.
#[test]
fn a_custom_table_template_can_reach_each_user() {
    let dir = support::tempdir();
    support::write(
        dir.path(),
        "user_table.hbs",
        "<ul id=\"{{id}}\">{{#each preview.rows}}{{#with (user_at this)}}<li>{{upn}} {{display_name}}</li>{{/with}}{{/each}}</ul>\n",
    );
    let html = render(&example_report(), Some(dir.path())).unwrap();
    assert!(html.contains(
        "<ul id=\"telephony-only\"><li>img@contoso.example &quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;</li></ul>"
    ));
    assert!(html.contains(
        "<ul id=\"admins-without-mfa\"><li>grace@contoso.example Grace Hopper</li></ul>"
    ));
}

#[test]
fn a_broken_template_names_its_file_and_position() {
    let dir = support::tempdir();
    let path = support::write(dir.path(), "cards.hbs", "<p>\n  {{#if summary}}\n</p>\n");
    let err = render(&example_report(), Some(dir.path())).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Input { .. }), "{err:?}");
    assert_eq!(err.exit_code(), 2);
    assert!(text.starts_with(&format!("{}:", path.display())), "{text}");
    assert!(text.contains("not a valid handlebars template"), "{text}");
}

#[test]
fn strict_mode_makes_a_misspelt_field_an_error_naming_the_template() {
    let dir = support::tempdir();
    let path = support::write(dir.path(), "cards.hbs", "<p>\n{{summary.users_totl}}</p>");
    let err = render(&example_report(), Some(dir.path())).unwrap_err();
    let text = err.to_string();
    assert_eq!(err.exit_code(), 2);
    assert!(
        text.starts_with(&format!("{}:2:", path.display())),
        "{text}"
    );
    assert!(text.contains("users_totl"), "{text}");
}

#[test]
fn dumped_templates_render_the_same_report_and_are_not_overwritten() {
    let dir = support::tempdir();
    let target = dir.path().join("templates");
    assert_eq!(dump_templates(&target).unwrap(), TEMPLATES.len());
    let mut written: Vec<String> = std::fs::read_dir(&target)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    let mut expected: Vec<String> = TEMPLATES.iter().map(|(f, _)| f.to_string()).collect();
    expected.sort();
    assert_eq!(written, expected);
    let report = example_report();
    assert_eq!(
        render(&report, Some(&target)).unwrap(),
        render(&report, None).unwrap()
    );
    let err = dump_templates(&target).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("exists"), "{err}");
}

#[test]
fn templates_dump_gives_a_starting_point_and_never_replaces_a_file() {
    use support::Test;
    let dir = support::tempdir();
    let target = dir.path().join("my templates");
    let shown = target.display().to_string();
    let n = TEMPLATES.len();
    Test::new()
        .args(["templates", "dump"])
        .arg(&target)
        .run()
        .code(0)
        .stdout_is("")
        .stderr_is(&format!(
            "note: {n} templates written to {shown}; use them with --template-dir {shown}\n"
        ));
    for (file, text) in TEMPLATES {
        assert_eq!(
            std::fs::read_to_string(target.join(file)).unwrap(),
            *text,
            "{file}"
        );
    }
    // An edited template survives a second dump, which refuses before writing anything.
    let edited = target.join("banner.hbs");
    std::fs::write(&edited, "{{! mine }}").unwrap();
    std::fs::remove_file(target.join("style.hbs")).unwrap();
    Test::new()
        .args(["templates", "dump"])
        .arg(&target)
        .run()
        .code(2)
        .stdout_is("")
        .stderr_is(&format!(
            "mfaudit: error: {}: exists; choose an empty folder for the templates or remove the file\n",
            target.join(TEMPLATES[0].0).display()
        ));
    assert_eq!(std::fs::read_to_string(&edited).unwrap(), "{{! mine }}");
    assert!(!target.join("style.hbs").exists(), "nothing was written");
    // A link where a template would go, even one to nowhere, is left as it is.
    #[cfg(unix)]
    {
        let other = dir.path().join("other");
        std::fs::create_dir(&other).unwrap();
        let link = other.join("cards.hbs");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &link).unwrap();
        Test::new()
            .args(["templates", "dump"])
            .arg(&other)
            .run()
            .code(2)
            .stderr_is(&format!(
                "mfaudit: error: {}: exists; choose an empty folder for the templates or remove the file\n",
                link.display()
            ));
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        assert!(!dir.path().join("nowhere").exists());
    }
}

/// Appended to a copy of the report: sorts, filters and exports one table the way a reader would,
/// then writes what it saw into `<pre id="selftest">` for `--dump-dom`.
const SELF_TEST: &str = r#"<script>
setTimeout(function () {
  var box = document.getElementById("unable-to-complete"), out = [];
  function upns() {
    return Array.prototype.filter.call(box.querySelectorAll("tbody tr"), function (r) { return !r.hidden; })
      .map(function (r) { return r.querySelector(".upn").textContent; }).join(",");
  }
  var challenges = box.querySelectorAll("thead th button")[3];
  challenges.click(); out.push("asc " + upns());
  challenges.click(); out.push("desc " + upns());
  var input = box.querySelector(".tools input");
  input.value = "FORMULA"; input.dispatchEvent(new Event("input"));
  setTimeout(function () {
    out.push("filtered " + upns() + " | " + box.querySelector(".shown").textContent);
    var blob = null;
    URL.createObjectURL = function (b) { blob = b; return "about:blank"; };
    HTMLAnchorElement.prototype.click = function () {};
    box.querySelector("[data-export]").click();
    Promise.all([blob.arrayBuffer(), blob.text()]).then(function (got) {
      out.push("bom " + Array.prototype.slice.call(new Uint8Array(got[0]), 0, 3).join(","));
      out.push("csv " + JSON.stringify(got[1]));
      var pre = document.createElement("pre"); pre.id = "selftest"; pre.textContent = out.join("\n");
      document.body.appendChild(pre);
    });
  }, 400);
}, 100);
</script>"#;

/// Renders the report in headless Chromium (the binary named by MFAUDIT_TEST_CHROMIUM) and checks
/// the DOM it built and the screenshot it took.
#[test]
fn chromium_renders_the_report() {
    let Some(browser) = std::env::var_os("MFAUDIT_TEST_CHROMIUM") else {
        eprintln!("skipped: set MFAUDIT_TEST_CHROMIUM to the chromium binary to run this test");
        return;
    };
    let dir = support::tempdir();
    let page = dir.path().join("report.html");
    std::fs::write(&page, render(&example_report(), None).unwrap()).unwrap();
    let url = format!("file://{}", page.display());
    let chromium = |extra: &[String]| {
        let profile = tempfile::tempdir().unwrap();
        let out = std::process::Command::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .arg(&url)
            .output()
            .expect("run chromium");
        assert!(
            out.status.success(),
            "chromium failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };

    let dom = String::from_utf8(chromium(&[
        "--virtual-time-budget=5000".into(),
        "--dump-dom".into(),
    ]))
    .unwrap();
    assert!(
        dom.contains("<section id=\"questions\">"),
        "no questions section"
    );
    assert!(dom.contains("How many users were challenged for MFA?"));
    assert!(dom.contains("<span class=\"upn\">grace@contoso.example</span>"));
    // The hostile name is text in the DOM: the parser saw no element in it.
    assert!(dom.contains("<td class=\"who\"><b>&lt;script&gt;alert(1)&lt;/script&gt;</b>"));
    assert!(dom.contains("&gt;&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!dom.contains("<img"));
    // The script ran: the table tools are visible and headers became sort buttons.
    assert!(
        dom.contains("<div class=\"tools\"><input"),
        "script did not run"
    );
    assert!(dom.contains(
        "<th data-export=\"Name,User principal name\"><button type=\"button\">User</button></th>"
    ));

    // With scripts disabled every row is there and the controls stay out of the way. (The page's
    // own policy turns the script off: --dump-dom needs JavaScript in the browser itself.)
    let html = render(&example_report(), None).unwrap();
    let no_script = html.replace("script-src 'unsafe-inline'", "script-src 'none'");
    assert_ne!(no_script, html);
    std::fs::write(&page, no_script).unwrap();
    let static_dom = String::from_utf8(chromium(&["--dump-dom".into()])).unwrap();
    assert!(static_dom.contains("<div class=\"tools\" hidden=\"\"><input"));
    assert!(static_dom.contains("<span class=\"upn\">formula@contoso.example</span>"));
    assert!(static_dom.contains("<th data-export=\"Name,User principal name\">User</th>"));

    // The table script, driven like a reader would: sort, filter, export.
    let mut driven = render(&example_report(), None).unwrap();
    driven = driven.replace("</body>", &format!("{SELF_TEST}</body>"));
    std::fs::write(&page, driven).unwrap();
    let dom = String::from_utf8(chromium(&[
        "--virtual-time-budget=5000".into(),
        "--dump-dom".into(),
    ]))
    .unwrap();
    let start = dom
        .find("<pre id=\"selftest\">")
        .expect("the self-test finished");
    let seen = &dom[start..dom[start..].find("</pre>").unwrap() + start];
    let csv = "Name,User principal name,Per-user MFA,Methods,Challenges,Completed,Denied,\
Last result,Last sign-in,Flags\\r\\n\\\"'=HYPERLINK(\\\"\\\"https://evil.example/x\\\"\\\",\
\\\"\\\"Click\\\"\\\")\\\",formula@contoso.example,unknown,,1,0,1,\
MFA denied; user did not pass the MFA challenge (non interactive),,challenged-never-completed\\r\\n";
    assert_eq!(
        seen,
        format!(
            "<pre id=\"selftest\">asc formula@contoso.example,guest_evil.example#EXT#@contoso.example\n\
             desc guest_evil.example#EXT#@contoso.example,formula@contoso.example\n\
             filtered formula@contoso.example | 1 of 2 shown\n\
             bom 239,187,191\n\
             csv \"{csv}\""
        )
    );
    std::fs::write(&page, render(&example_report(), None).unwrap()).unwrap();

    let shot = dir.path().join("shot.png");
    chromium(&[
        format!("--screenshot={}", shot.display()),
        "--window-size=1280,2000".into(),
    ]);
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.len() > 10_000, "screenshot is only {} bytes", png.len());
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    if let Some(keep) = std::env::var_os("MFAUDIT_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
        std::fs::copy(
            &page,
            Path::new(&std::env::var_os("MFAUDIT_KEEP_SCREENSHOT").unwrap()).with_extension("html"),
        )
        .unwrap();
    }
}

/// Headless Chromium on `html` with `script` appended: the text of the `<pre id="selftest">` the
/// script writes.
fn self_test_in_chromium(browser: &std::ffi::OsStr, html: &str, script: &str) -> String {
    let dir = support::tempdir();
    let page = dir.path().join("report.html");
    std::fs::write(&page, html.replace("</body>", &format!("{script}</body>"))).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=20000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = String::from_utf8(out.stdout).unwrap();
    let start = dom
        .find("<pre id=\"selftest\">")
        .expect("the self-test finished")
        + "<pre id=\"selftest\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    dom[start..end].to_string()
}

/// The inventory and a long action table of a 5,000-user tenant, driven in a real browser the
/// way a reader would: sort over every row, page through, search, filter by a field.
#[test]
fn chromium_sorts_pages_and_filters_5000_users() {
    let Some(browser) = std::env::var_os("MFAUDIT_TEST_CHROMIUM") else {
        eprintln!("skipped: set MFAUDIT_TEST_CHROMIUM to the chromium binary to run this test");
        return;
    };
    let mut report = example_report();
    report.users.clear();
    report.changes = None;
    let n = 5000u64;
    for i in 0..n {
        let mut u = user(
            &format!("user{i:05}@contoso.example"),
            &format!("Person {i}"),
        );
        u.challenges = (i * 37) % 101;
        u.per_user_state = if i % 5 == 0 { "enforced" } else { "disabled" }.into();
        if i % 3 == 0 {
            u.registered = Some(false);
            u.flags = vec![flag::ENABLED_UNREGISTERED.into()];
        }
        report.users.push(u);
    }
    let html = render(&report, None).unwrap();
    // What each step must show, worked out here: a stable sort (equal keys keep the report's
    // order), pages of 100.
    let upn = |i: u64| format!("user{i:05}@contoso.example");
    let mut by_challenges: Vec<u64> = (0..n).collect();
    by_challenges.sort_by_key(|&i| std::cmp::Reverse((i * 37) % 101));
    let page2: Vec<String> = by_challenges[100..200].iter().map(|&i| upn(i)).collect();
    let mut unregistered: Vec<u64> = (0..n).filter(|i| i % 3 == 0).collect();
    unregistered.sort_by_key(|&i| (i * 37) % 101);
    let walked: Vec<String> = unregistered.iter().map(|&i| upn(i)).collect();
    let script = r#"<script>
setTimeout(function () {
  var out = [];
  function upns(box) { return Array.prototype.map.call(box.querySelectorAll("tbody tr .upn"), function (e) { return e.textContent; }); }
  function where(box) { return box.querySelector(".pager .where").textContent; }
  var inv = document.getElementById("users"), head = inv.querySelectorAll("thead th button");
  out.push("inventory " + upns(inv).length + " " + where(inv));
  head[7].click(); head[7].click();
  inv.querySelector('.pager [data-to="next"]').click();
  out.push("page 2 " + where(inv) + " " + upns(inv).join(","));
  var input = inv.querySelector(".tools input");
  input.value = "USER0123"; input.dispatchEvent(new Event("input"));
  setTimeout(function () {
    out.push("search " + inv.querySelector(".shown").textContent + " " + upns(inv).join(","));
    input.value = ""; input.dispatchEvent(new Event("input"));
    setTimeout(function () {
      var registered = inv.querySelectorAll(".tools select")[1];
      registered.value = "no"; registered.dispatchEvent(new Event("change"));
      out.push("registered no " + inv.querySelector(".shown").textContent + " " + where(inv));
      var t = document.getElementById("enabled-unregistered");
      t.querySelectorAll("thead th button")[3].click();
      var all = [], guard = 0;
      for (;;) {
        all = all.concat(upns(t));
        var next = t.querySelector('.pager [data-to="next"]');
        if (next.disabled || ++guard > 100) break;
        next.click();
      }
      out.push("walked " + where(t) + " " + all.join(","));
      var pre = document.createElement("pre"); pre.id = "selftest"; pre.textContent = out.join("\n");
      document.body.appendChild(pre);
    }, 400);
  }, 400);
}, 100);
</script>"#;
    let seen = self_test_in_chromium(&browser, &html, script);
    // The search keeps the sort (challenges, most first).
    let mut search: Vec<u64> = (1230..1240).collect();
    search.sort_by_key(|&i| std::cmp::Reverse((i * 37) % 101));
    let search: Vec<String> = search.into_iter().map(upn).collect();
    assert_eq!(
        seen.lines().collect::<Vec<_>>(),
        [
            "inventory 100 1–100 of 5,000".to_string(),
            format!("page 2 101–200 of 5,000 {}", page2.join(",")),
            format!("search 10 of 5,000 shown {}", search.join(",")),
            "registered no 1,667 of 5,000 shown 1–100 of 1,667".to_string(),
            format!("walked 1,601–1,667 of 1,667 {}", walked.join(",")),
        ]
    );
}

/// 200,000 users, a realistic worst case: a third unregistered, a tenth unable to complete MFA,
/// every action table long. Run with
/// `cargo test --release --test integration html::render_time_for_200k_users -- --ignored --nocapture`.
#[test]
#[ignore = "timing; run in release"]
fn render_time_for_200k_users() {
    let mut report = example_report();
    report.users.clear();
    let n: u64 = 200_000;
    for i in 0..n {
        let mut u = user(
            &format!("user{i:06}@contoso.example"),
            &format!("Person Number {i}"),
        );
        u.challenges = i % 17;
        u.completed = i % 13;
        u.last_result = Some("MFA successfully completed".into());
        u.last_signin = Some("2025-05-30T09:12:00Z".into());
        if i % 3 == 0 {
            u.registered = Some(false);
            u.methods.clear();
            u.flags.push(flag::ENABLED_UNREGISTERED.into());
        }
        if i % 10 == 0 {
            u.flags.push(flag::CHALLENGED_NEVER_COMPLETED.into());
        }
        if i % 7 == 0 {
            u.methods = vec!["OneWaySMS".into(), "TwoWayVoiceMobile".into()];
            u.flags.push(flag::TELEPHONY_ONLY.into());
        }
        if i % 50 == 0 {
            u.flags.push(flag::PUSH_FATIGUE.into());
        }
        if i % 100 == 0 {
            u.is_admin = Some(true);
            u.flags.push(flag::ADMIN_WITHOUT_MFA.into());
        }
        report.users.push(u);
    }
    report.summary.users_total = n;
    let cpu_before = thread_cpu_seconds();
    let start = Instant::now();
    let html = render(&report, None).unwrap();
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = thread_cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    let rows = html.matches("<tr><td class=\"who\">").count();
    eprintln!(
        "rendered {n} users ({rows} action-table rows, {:.1} MB) in {elapsed:.2} s wall, {} CPU",
        html.len() as f64 / 1e6,
        cpu.map_or("unknown".into(), |c| format!("{c:.2} s"))
    );
    if let Some(path) = std::env::var_os("MFAUDIT_BENCH_HTML") {
        std::fs::write(path, &html).unwrap();
    }
    // CPU time, when Linux tells it: the wall clock of a shared 2-core machine measures the
    // neighbours as much as the renderer.
    if !cfg!(debug_assertions) {
        let spent = cpu.unwrap_or(elapsed);
        assert!(spent < 2.0, "took {spent:.2} s");
    }
}

/// CPU time of the calling thread, from /proc/thread-self/schedstat (nanoseconds on CPU).
fn thread_cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns as f64 / 1e9)
}
