//! Exceptions with owners and expiry (issue 21, first part), end to end through the binary: every
//! class from a CSV and a TOML exceptions file, matched by UPN, object id and `*` pattern; the
//! directory synchronisation accounts inferred from their names; every validation error, exactly;
//! the states at the boundary days with the run's date fixed (`SOURCE_DATE_EPOCH`); exceptions
//! that match nobody; the `--fail-if-*` thresholds with and without exceptions, and `covers`; the
//! three new flags and the summary's two counts; the config file's `[exceptions]`; the warning
//! for MFA-policy exclusions no exception explains. The contract is `../shared/docs/cli.md`
//! ("Exceptions and account classes"); every expected value is worked out from it, not taken
//! from what the binary prints. cli.md fixes the shape of an error (one line: the file, the
//! position, what was expected), the wording is src/input/exceptions.rs's. The exports are
//! written here, in the shapes of the admin center and Graph.

use std::path::Path;

use mailparse::MailHeaderMap;
use serde_json::{Value, json};

use crate::support::{Ran, Test, tempdir, write};

// ---------------------------------------------------------------------------------------------
// The run's date

/// 2026-12-02T12:00:00Z: "today" of every run here (noon, so that no time zone moves the date).
const TODAY: &str = "1796212800";

/// 2026-12-03T12:00:00Z: the day after.
const TOMORROW: &str = "1796299200";

// ---------------------------------------------------------------------------------------------
// The directory side

const PUSH: &[&str] = &["microsoftAuthenticatorPush"];
const KEY: &[&str] = &["fido2SecurityKey"];
const HELLO: &[&str] = &["windowsHelloForBusiness"];
const NO_METHOD: &[&str] = &[];

/// One user of a test's directory.
#[derive(Debug, Clone, Copy)]
struct Person {
    upn: &'static str,
    /// The last digits of its object id (see [`object_id`]).
    n: u32,
    /// `displayName`; the UPN's local part when `None`.
    name: Option<&'static str>,
    /// `accountEnabled`.
    enabled: bool,
    /// `methodsRegistered`; `None`: the user is not in the registration details.
    methods: Option<&'static [&'static str]>,
    /// The registration details' `isAdmin`.
    admin: bool,
}

/// An enabled member registered with the Authenticator app.
fn person(upn: &'static str, n: u32) -> Person {
    Person {
        upn,
        n,
        name: None,
        enabled: true,
        methods: Some(PUSH),
        admin: false,
    }
}

impl Person {
    fn named(self, name: &'static str) -> Person {
        Person {
            name: Some(name),
            ..self
        }
    }
    fn disabled(self) -> Person {
        Person {
            enabled: false,
            ..self
        }
    }
    fn methods(self, methods: &'static [&'static str]) -> Person {
        Person {
            methods: Some(methods),
            ..self
        }
    }
    /// Not in the registration details: its methods are unknown.
    fn unknown_methods(self) -> Person {
        Person {
            methods: None,
            ..self
        }
    }
    fn admin(self) -> Person {
        Person {
            admin: true,
            ..self
        }
    }
    fn id(&self) -> String {
        object_id(self.n)
    }
    fn name(&self) -> &'static str {
        self.name
            .unwrap_or_else(|| self.upn.split('@').next().unwrap_or(self.upn))
    }
}

/// The object id of user `n` of a test.
fn object_id(n: u32) -> String {
    format!("e0000000-0000-4000-8000-{n:012}")
}

/// A Graph page: `@odata.context` naming the collection, the records in `value`.
fn page(context: &str, values: &[Value]) -> String {
    serde_json::to_string_pretty(&json!({
        "@odata.context": format!("https://graph.microsoft.com/v1.0/$metadata#{context}"),
        "value": values,
    }))
    .expect("a page")
}

/// Writes into `dir` the admin center's users download, the per-user MFA state (disabled for
/// all) and the registration details of `people`.
fn directory(dir: &Path, people: &[Person]) {
    let mut users =
        String::from("\u{feff}userPrincipalName,displayName,id,userType,accountEnabled\r\n");
    let mut states = String::from("UserPrincipalName,Id,perUserMfaState\r\n");
    let mut registered = Vec::new();
    for p in people {
        users.push_str(&format!(
            "{},{},{},Member,{}\r\n",
            p.upn,
            p.name(),
            p.id(),
            if p.enabled { "True" } else { "False" }
        ));
        states.push_str(&format!("{},{},disabled\r\n", p.upn, p.id()));
        if let Some(methods) = p.methods {
            registered.push(json!({
                "id": p.id(), "userPrincipalName": p.upn, "userDisplayName": p.name(),
                "userType": "member", "isAdmin": p.admin, "isMfaRegistered": !methods.is_empty(),
                "isMfaCapable": !methods.is_empty(), "methodsRegistered": methods,
            }));
        }
    }
    write(dir, "exportUsers.csv", users);
    write(dir, "perUserMfaState.csv", states);
    write(
        dir,
        "userRegistrationDetails.json",
        page(
            "reports/authenticationMethods/userRegistrationDetails",
            &registered,
        ),
    );
}

/// A folder holding `exports/` (the directory of `people`), where the tests write their
/// exceptions files.
fn tenant(people: &[Person]) -> tempfile::TempDir {
    let dir = tempdir();
    directory(&dir.path().join("exports"), people);
    dir
}

/// Lines of text, each ended by a newline.
fn text(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// The header every CSV exceptions file here starts with.
const HEADER: &str = "user,class,reason,owner,expires,ticket,covers";

/// A CSV exceptions file: the header, then `rows` (line 2 onwards).
fn csv(rows: &[&str]) -> String {
    let mut all = vec![HEADER];
    all.extend_from_slice(rows);
    text(&all)
}

// ---------------------------------------------------------------------------------------------
// Running the binary

/// `mfaudit audit ARGS exports` in `dir` on 2026-12-02: the exceptions files are named relative
/// to `dir`, so each `source` reads `NAME:LINE`.
fn audit_in(dir: &Path, args: &[&str]) -> Ran {
    audit_on(dir, TODAY, args)
}

/// [`audit_in`] on the day `epoch` (seconds).
fn audit_on(dir: &Path, epoch: &str, args: &[&str]) -> Ran {
    Test::new()
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", epoch)
        .arg("audit")
        .args(args)
        .arg("exports")
        .run()
}

/// `audit --json report.json ARGS exports` in `dir` on 2026-12-02 (the summary on stdout, the
/// warnings alone on stderr); asserts it succeeded and returns the report with the run.
fn report_in(dir: &Path, args: &[&str]) -> (Value, Ran) {
    report_on(dir, TODAY, args)
}

/// [`report_in`] on the day `epoch` (seconds).
fn report_on(dir: &Path, epoch: &str, args: &[&str]) -> (Value, Ran) {
    let mut all = vec!["--json", "report.json"];
    all.extend_from_slice(args);
    let ran = audit_on(dir, epoch, &all);
    ran.ok();
    let written = std::fs::read_to_string(dir.join("report.json")).expect("the report");
    let report = serde_json::from_str(&written)
        .unwrap_or_else(|e| panic!("the report is JSON ({e}): {written}"));
    (report, ran)
}

fn user<'a>(report: &'a Value, upn: &str) -> &'a Value {
    report["users"]
        .as_array()
        .and_then(|users| users.iter().find(|u| u["upn"] == upn))
        .unwrap_or_else(|| panic!("{upn} is in the report: {:#}", report["users"]))
}

/// Asserts each user's `exception`, and that the report has no other user.
fn assert_exceptions(report: &Value, expected: &[(&str, Value)]) {
    for (upn, exception) in expected {
        assert_eq!(
            user(report, upn)["exception"],
            *exception,
            "{upn}'s exception"
        );
    }
    assert_eq!(
        report["users"].as_array().map(Vec::len),
        Some(expected.len()),
        "every user is asserted"
    );
}

/// Asserts each user's `flags`, and that the report has no other user.
fn assert_flags(report: &Value, expected: &[(&str, &[&str])]) {
    for (upn, flags) in expected {
        assert_eq!(user(report, upn)["flags"], json!(flags), "{upn}'s flags");
    }
    assert_eq!(
        report["users"].as_array().map(Vec::len),
        Some(expected.len()),
        "every user is asserted"
    );
}

/// `users[].exception` of an exception without owner, ticket or expiry (cli.md's shape).
fn marked(class: &str, reason: &str, source: &str) -> Value {
    json!({
        "class": class, "reason": reason, "owner": null, "ticket": null, "expires": null,
        "source": source, "state": "active",
    })
}

/// `users[].exception` of a waiver owned by Ann Lee, ending on `expires`.
fn waiver(reason: &str, expires: &str, source: &str, state: &str) -> Value {
    json!({
        "class": "waiver", "reason": reason, "owner": "Ann Lee", "ticket": null,
        "expires": expires, "source": source, "state": state,
    })
}

/// What every audit here without a sign-in log warns about.
const NO_SIGN_INS: &str = "No sign-in activity was in the inputs: the challenge questions are unanswered and no activity flag can be raised; add a sign-in log export.";

/// The words that name the enabled users not registered in a crossed threshold.
fn not_registered(n: u64, threshold: u64) -> String {
    let users = if n == 1 {
        "enabled user is"
    } else {
        "enabled users are"
    };
    format!("warning: policy: {n} {users} not registered (threshold {threshold})\n")
}

// ---------------------------------------------------------------------------------------------
// 1. Every class, from CSV and TOML

/// The directory of [`every_class_from_csv_and_toml`].
fn every_class_people() -> [Person; 8] {
    [
        person("ada@contoso.com", 1),
        person("bg@contoso.com", 2).methods(KEY),
        person("svc-backup@contoso.com", 3).methods(NO_METHOD),
        person("svc-print@contoso.com", 4).methods(NO_METHOD),
        person("reception@contoso.com", 5).disabled(),
        person("room-1@contoso.com", 6).disabled(),
        person("dirsync@contoso.com", 7).named("Entra Connect"),
        person("bob@contoso.com", 8).methods(NO_METHOD),
    ]
}

/// cli.md: an exception names a user by UPN (any case), object id or `*` pattern, with one of
/// the six classes; each user it names carries it in `users[].exception` with `source`
/// `FILE:LINE` (the line its record or `[[exception]]` table starts on); `report.exceptions`
/// lists each with the users it names. The CSV is PowerShell's `Export-Csv` (a BOM, every field
/// quoted, CRLF, a quoted reason over two lines, doubled quotes); the TOML says the same with a
/// TOML date and a `covers` array. A user no exception names has `exception: null`.
#[test]
fn every_class_from_csv_and_toml() {
    let dir = tenant(&every_class_people());
    let shared_id = object_id(5).to_ascii_uppercase();
    write(
        dir.path(),
        "exceptions.csv",
        [
            "\u{feff}\"user\",\"class\",\"reason\",\"owner\",\"expires\",\"ticket\",\"covers\"\r\n",
            "\"BG@Contoso.com\",\"break-glass\",\"Emergency access\nsee the runbook\",\"\",\"\",\"\",\"\"\r\n",
            "\"svc-*@contoso.com\",\"service-account\",\"Backup and print jobs\",\"\",\"\",\"CHG-1\",\"\"\r\n",
            &format!("\"{shared_id}\",\"shared-mailbox\",\"Reception's mailbox, the scanner's \"\"IMAP\"\" login\",\"\",\"\",\"\",\"\"\r\n"),
            "\"room-1@contoso.com\",\"resource-mailbox\",\"Meeting room\",\"\",\"\",\"\",\"\"\r\n",
            "\"dirsync@contoso.com\",\"sync-account\",\"Entra Connect\",\"\",\"\",\"\",\"\"\r\n",
            "\"bob@contoso.com\",\"waiver\",\"New phone on order\",\"Ann Lee\",\"2027-03-31\",\"INC-7\",\"enabled-unregistered\"\r\n",
        ]
        .concat(),
    );
    write(
        dir.path(),
        "exceptions.toml",
        text(&[
            "# Exceptions, reviewed every month.", // 1
            "",                                    // 2
            "[[exception]]",                       // 3
            "user = \"BG@Contoso.com\"",
            "class = \"break-glass\"",
            "reason = \"\"\"Emergency access",
            "see the runbook\"\"\"", // 7
            "",
            "[[exception]]", // 9
            "user = \"svc-*@contoso.com\"",
            "class = \"service-account\"",
            "reason = \"Backup and print jobs\"",
            "ticket = \"CHG-1\"",
            "",
            "[[exception]]", // 15
            &format!("user = \"{shared_id}\""),
            "class = \"shared-mailbox\"",
            "reason = \"Reception's mailbox, the scanner's \\\"IMAP\\\" login\"",
            "",
            "[[exception]]", // 20
            "user = \"room-1@contoso.com\"",
            "class = \"resource-mailbox\"",
            "reason = \"Meeting room\"",
            "",
            "[[exception]]", // 25
            "user = \"dirsync@contoso.com\"",
            "class = \"sync-account\"",
            "reason = \"Entra Connect\"",
            "",
            "[[exception]]", // 30
            "user = \"bob@contoso.com\"",
            "class = \"waiver\"",
            "reason = \"New phone on order\"",
            "owner = \"Ann Lee\"",
            "expires = 2027-03-31",
            "ticket = \"INC-7\"",
            "covers = [\"enabled-unregistered\"]",
        ]),
    );
    let shared = "Reception's mailbox, the scanner's \"IMAP\" login";
    for (file, lines) in [
        ("exceptions.csv", [2, 4, 5, 6, 7, 8]),
        ("exceptions.toml", [3, 9, 15, 20, 25, 30]),
    ] {
        let at = |k: usize| format!("{file}:{}", lines[k]);
        let (report, ran) = report_in(dir.path(), &["--exceptions", file]);
        ran.stderr_is(&format!("warning: {NO_SIGN_INS}\n"));
        let service = json!({
            "class": "service-account", "reason": "Backup and print jobs", "owner": null,
            "ticket": "CHG-1", "expires": null, "source": at(1), "state": "active",
        });
        assert_exceptions(
            &report,
            &[
                ("ada@contoso.com", Value::Null),
                (
                    "bg@contoso.com",
                    marked("break-glass", "Emergency access\nsee the runbook", &at(0)),
                ),
                ("svc-backup@contoso.com", service.clone()),
                ("svc-print@contoso.com", service),
                (
                    "reception@contoso.com",
                    marked("shared-mailbox", shared, &at(2)),
                ),
                (
                    "room-1@contoso.com",
                    marked("resource-mailbox", "Meeting room", &at(3)),
                ),
                (
                    "dirsync@contoso.com",
                    marked("sync-account", "Entra Connect", &at(4)),
                ),
                (
                    "bob@contoso.com",
                    json!({
                        "class": "waiver", "reason": "New phone on order", "owner": "Ann Lee",
                        "ticket": "INC-7", "expires": "2027-03-31", "source": at(5),
                        "state": "active",
                    }),
                ),
            ],
        );
        let entry = |user: &str, class: &str, reason: &str, k: usize, matched: u64| {
            json!({
                "user": user, "class": class, "reason": reason, "owner": null, "ticket": null,
                "expires": null, "source": at(k), "state": "active", "matched": matched,
            })
        };
        let mut service = entry(
            "svc-*@contoso.com",
            "service-account",
            "Backup and print jobs",
            1,
            2,
        );
        service["ticket"] = json!("CHG-1");
        assert_eq!(
            report["exceptions"],
            json!([
                entry(
                    "BG@Contoso.com",
                    "break-glass",
                    "Emergency access\nsee the runbook",
                    0,
                    1
                ),
                service,
                entry(&shared_id, "shared-mailbox", shared, 2, 1),
                entry("room-1@contoso.com", "resource-mailbox", "Meeting room", 3, 1),
                entry("dirsync@contoso.com", "sync-account", "Entra Connect", 4, 1),
                {
                    "user": "bob@contoso.com", "class": "waiver", "reason": "New phone on order",
                    "owner": "Ann Lee", "ticket": "INC-7", "expires": "2027-03-31",
                    "source": at(5), "state": "active", "matched": 1,
                },
            ]),
            "{file}"
        );
        // Nobody is hidden: the three enabled users without a method stay in the count.
        assert_eq!(report["summary"]["unregistered_enabled"], 3, "{file}");
        assert_eq!(report["summary"]["users_enabled"], 6, "{file}");
    }
}

/// cli.md: directory synchronisation accounts are inferred from their names, each saying why in
/// `source: "inferred:..."`: a UPN starting `Sync_` (any case), or the display name Entra Connect
/// gives the account. A name that merely contains "sync" is not one. An exceptions file that
/// names such an account wins over the inference. An inferred class is valid: the threshold
/// leaves those accounts out, the summary keeps them in `unregistered_enabled`.
#[test]
fn the_sync_account_is_inferred_from_its_upn_or_its_display_name() {
    let dir = tenant(&[
        person("Sync_AADC01_3f2a9c1b7e4d@contoso.onmicrosoft.com", 1)
            .named("Directory sync (old server)")
            .methods(NO_METHOD),
        person("adsync@contoso.com", 2)
            .named("On-Premises Directory Synchronization Service Account")
            .methods(NO_METHOD),
        person("syncbot@contoso.com", 3)
            .named("Sync bot")
            .methods(NO_METHOD),
        person("sync_aadc02_77aa01@contoso.onmicrosoft.com", 4)
            .named("On-Premises Directory Synchronization Service Account")
            .methods(NO_METHOD),
    ]);
    write(
        dir.path(),
        "ex.csv",
        csv(&[
            "sync_AADC02_*@contoso.onmicrosoft.com,sync-account,Entra Connect on AADC02,,,CHG-9,",
        ]),
    );
    let (report, _) = report_in(dir.path(), &["--exceptions", "ex.csv"]);
    let mut named = marked("sync-account", "Entra Connect on AADC02", "ex.csv:2");
    named["ticket"] = json!("CHG-9");
    assert_exceptions(
        &report,
        &[
            (
                "Sync_AADC01_3f2a9c1b7e4d@contoso.onmicrosoft.com",
                marked(
                    "sync-account",
                    "directory synchronisation account",
                    "inferred:UPN Sync_* (the directory synchronisation account)",
                ),
            ),
            (
                "adsync@contoso.com",
                marked(
                    "sync-account",
                    "directory synchronisation account",
                    "inferred:display name On-Premises Directory Synchronization Service Account",
                ),
            ),
            ("syncbot@contoso.com", Value::Null),
            ("sync_aadc02_77aa01@contoso.onmicrosoft.com", named),
        ],
    );
    let s = &report["summary"];
    assert_eq!(
        (
            &s["unregistered_enabled"],
            &s["excepted_enabled"],
            &s["unregistered_enabled_unexcepted"]
        ),
        (&json!(4), &json!(3), &json!(1))
    );

    // Without any exceptions file the three accounts are inferred and left out of the
    // threshold: syncbot alone counts.
    audit_in(dir.path(), &["--fail-if-unregistered", "1"]).ok();
    audit_in(dir.path(), &["--fail-if-unregistered", "0"])
        .code(3)
        .stderr_is(&format!("warning: {NO_SIGN_INS}\n{}", not_registered(1, 0)));
}

// ---------------------------------------------------------------------------------------------
// 2. Every validation error

/// The valid first table of the TOML cases.
const FIRST_TABLE: &str = "[[exception]]\nuser = \"ada@contoso.com\"\nclass = \"break-glass\"\nreason = \"Emergency\"\n\n";

/// The class list every class error gives.
const CLASSES: &str =
    "one of break-glass, service-account, shared-mailbox, resource-mailbox, sync-account, waiver";

/// The waiver error for `user`.
fn waiver_needs(user: &str) -> String {
    format!(
        "the waiver for {user} needs an owner and an expiry date (owner, expires): a waiver nobody owns or that never ends is a silent filter"
    )
}

/// cli.md (exit code 2: one line names the file, the position and what was expected) and the
/// issue: every mistake in an exceptions file is an error naming the file and the line of the
/// record or `[[exception]]` table, the audit stops with exit code 2 and writes no report.
#[test]
fn every_mistake_is_one_line_naming_the_file_and_line() {
    let dir = tenant(&[person("ada@contoso.com", 1), person("bob@contoso.com", 2)]);
    let keys = "user, class, reason, owner, expires, ticket, covers";
    let csv_row_width = format!(
        "{HEADER}\nada@contoso.com,break-glass,Emergency,,,,\nbob@contoso.com,waiver,Phone,Ann Lee,2026-12-31\n"
    );
    let cases: Vec<(&str, String, String)> = vec![
        (
            "class.csv",
            csv(&["ada@contoso.com,robot,Because,,,,"]),
            format!("line 2: unknown class 'robot': {CLASSES}"),
        ),
        (
            "class.toml",
            format!("{FIRST_TABLE}[[exception]]\nuser = \"bob@contoso.com\"\nclass = \"robot\"\nreason = \"Because\"\n"),
            format!("line 6: unknown class 'robot': {CLASSES}"),
        ),
        (
            "no-class.csv",
            csv(&["ada@contoso.com,,Because,,,,"]),
            format!("line 2: no class for ada@contoso.com: {CLASSES}"),
        ),
        (
            "column.csv",
            "user,class,reason,notes\nada@contoso.com,break-glass,Emergency,see wiki\n".into(),
            format!("line 1: unknown column 'notes': an exceptions file has the columns {keys}"),
        ),
        (
            "key.toml",
            format!("{FIRST_TABLE}[[exception]]\nuser = \"bob@contoso.com\"\nclass = \"break-glass\"\nreason = \"Emergency\"\nnotes = \"see wiki\"\n"),
            format!("line 6: unknown key 'notes': an exception has the keys {keys}"),
        ),
        (
            "owner.csv",
            csv(&["ada@contoso.com,break-glass,Emergency,,,,", "bob@contoso.com,waiver,New phone,,2026-12-31,INC-7,"]),
            format!("line 3: {}", waiver_needs("bob@contoso.com")),
        ),
        (
            "owner.toml",
            format!("{FIRST_TABLE}[[exception]]\nuser = \"bob@contoso.com\"\nclass = \"waiver\"\nreason = \"New phone\"\nexpires = 2026-12-31\n"),
            format!("line 6: {}", waiver_needs("bob@contoso.com")),
        ),
        (
            "expiry.csv",
            csv(&["bob@contoso.com,waiver,New phone,Ann Lee,,INC-7,"]),
            format!("line 2: {}", waiver_needs("bob@contoso.com")),
        ),
        (
            "expiry.toml",
            "[[exception]]\nuser = \"bob@contoso.com\"\nclass = \"waiver\"\nreason = \"New phone\"\nowner = \"Ann Lee\"\n".into(),
            format!("line 1: {}", waiver_needs("bob@contoso.com")),
        ),
        (
            "date.csv",
            csv(&["bob@contoso.com,waiver,New phone,Ann Lee,2026-02-30,,"]),
            "line 2: expires '2026-02-30' is not a date: write YYYY-MM-DD".into(),
        ),
        (
            "date-order.csv",
            csv(&["bob@contoso.com,service-account,Jobs,,31/12/2026,,"]),
            "line 2: expires '31/12/2026' is not a date: write YYYY-MM-DD".into(),
        ),
        (
            "date.toml",
            format!("{FIRST_TABLE}[[exception]]\nuser = \"bob@contoso.com\"\nclass = \"waiver\"\nreason = \"New phone\"\nowner = \"Ann Lee\"\nexpires = \"next week\"\n"),
            "line 6: expires 'next week' is not a date: write YYYY-MM-DD".into(),
        ),
        (
            "datetime.toml",
            "[[exception]]\nuser = \"bob@contoso.com\"\nclass = \"waiver\"\nreason = \"New phone\"\nowner = \"Ann Lee\"\nexpires = 2026-12-31T00:00:00Z\n".into(),
            "line 1: expires '2026-12-31T00:00:00Z' is not a date: write YYYY-MM-DD".into(),
        ),
        (
            "user.csv",
            csv(&["ada@contoso.com,break-glass,Emergency,,,,", ",service-account,Jobs,,,,"]),
            "line 3: no user: give a UPN, an object id or a UPN pattern with *".into(),
        ),
        (
            "user.toml",
            "[[exception]]\nclass = \"service-account\"\nreason = \"Jobs\"\n".into(),
            "line 1: no user: give a UPN, an object id or a UPN pattern with *".into(),
        ),
        (
            "reason.csv",
            csv(&["ada@contoso.com,break-glass,,,,,"]),
            "line 2: no reason for ada@contoso.com: say why the exception exists".into(),
        ),
        (
            "reason.toml",
            format!("{FIRST_TABLE}[[exception]]\nuser = \"bob@contoso.com\"\nclass = \"break-glass\"\n"),
            "line 6: no reason for bob@contoso.com: say why the exception exists".into(),
        ),
        (
            "syntax.toml",
            "[[exception]]\nuser = \"bob@contoso.com\"\nclass = \"break-glass\"\nreason = Emergency access\n".into(),
            "line 4: not valid TOML: string values must be quoted, expected literal string".into(),
        ),
        (
            "header.toml",
            format!("{FIRST_TABLE}[[exception]\nuser = \"bob@contoso.com\"\n"),
            "line 6: not valid TOML: unclosed array table, expected `]`".into(),
        ),
        (
            "width.csv",
            csv_row_width,
            "line 3: the row has 5 fields where the header has 7: quote a value that holds a comma".to_string(),
        ),
    ];
    for (name, content, message) in cases {
        write(dir.path(), name, content);
        let ran = audit_in(dir.path(), &["--json", "report.json", "--exceptions", name]);
        ran.code(2)
            .stdout_is("")
            .stderr_is(&format!("mfaudit: error: {name}:{message}\n"));
        assert!(
            !dir.path().join("report.json").exists(),
            "{name}: no report is written"
        );
    }

    // A file that is not `[[exception]]` tables is refused as a whole.
    write(
        dir.path(),
        "tables.toml",
        "[exceptions]\nuser = \"bob@contoso.com\"\n",
    );
    audit_in(dir.path(), &["--exceptions", "tables.toml"])
        .code(2)
        .stderr_is("mfaudit: error: tables.toml: unknown key 'exceptions': an exceptions file holds [[exception]] tables\n");

    // The mistake is found in the second file given too, and named there.
    write(
        dir.path(),
        "good.csv",
        csv(&["ada@contoso.com,break-glass,Emergency,,,,"]),
    );
    audit_in(
        dir.path(),
        &["--exceptions", "good.csv", "--exceptions", "class.csv"],
    )
    .code(2)
    .stderr_is(&format!(
        "mfaudit: error: class.csv:line 2: unknown class 'robot': {CLASSES}\n"
    ));
}

// ---------------------------------------------------------------------------------------------
// 3. Expiry at the boundary days

/// Five waivers on 2026-12-02 ending yesterday, today, tomorrow, in 14 days and in 15.
const BOUNDARIES: [&str; 5] = [
    "gone@contoso.com,waiver,Laptop rebuild,Ann Lee,2026-12-01,,",
    "today@contoso.com,waiver,Travelling,Ann Lee,2026-12-02,,",
    "d1@contoso.com,waiver,Travelling,Ann Lee,2026-12-03,,",
    "d14@contoso.com,waiver,Travelling,Ann Lee,2026-12-16,,",
    "d15@contoso.com,waiver,Travelling,Ann Lee,2026-12-17,,",
];

fn boundary_tenant() -> tempfile::TempDir {
    let dir = tenant(&[
        person("gone@contoso.com", 1).methods(NO_METHOD),
        person("today@contoso.com", 2),
        person("d1@contoso.com", 3),
        person("d14@contoso.com", 4),
        person("d15@contoso.com", 5),
    ]);
    write(dir.path(), "ex.csv", csv(&BOUNDARIES));
    dir
}

/// The states of the five waivers of [`BOUNDARIES`], in order, as `users[].exception` gives them.
fn assert_states(report: &Value, states: [&str; 5]) {
    let expected: Vec<(&str, Value)> = BOUNDARIES
        .iter()
        .zip(states)
        .enumerate()
        .map(|(k, (row, state))| {
            let f: Vec<&str> = row.split(',').collect();
            (
                f[0],
                waiver(f[2], f[4], &format!("ex.csv:{}", k + 2), state),
            )
        })
        .collect();
    assert_exceptions(report, &expected);
    let listed: Vec<&Value> = report["exceptions"]
        .as_array()
        .expect("exceptions")
        .iter()
        .map(|e| &e["state"])
        .collect();
    assert_eq!(listed, states.map(|s| json!(s)).iter().collect::<Vec<_>>());
}

/// The subject of the mail `audit ARGS exports --email-dry-run` writes in `dir` on the day
/// `epoch`.
fn subject_of(dir: &Path, epoch: &str, args: &[&str]) -> String {
    let mut all = vec![
        "--email-to",
        "sec@contoso.com",
        "--email-from",
        "mfaudit@contoso.com",
        "--email-dry-run",
        "mail.eml",
    ];
    all.extend_from_slice(args);
    audit_on(dir, epoch, &all).ok();
    let bytes = std::fs::read(dir.join("mail.eml")).expect("the message is written");
    let mail = mailparse::parse_mail(&bytes).expect("a parsable message");
    mail.headers.get_first_value("Subject").expect("a subject")
}

/// cli.md: `expiring` means within 14 days, the end day itself included (an exception ending
/// today still covers today); the day after its end it is `expired`, raises `exception-expired`
/// and covers nothing, and the warning about it comes first (the issue: "loud: subject line and
/// top of the report"). The mail's subject leads with "1 exception expired, ".
#[test]
fn expiry_at_the_boundary_days() {
    let dir = boundary_tenant();
    let (report, ran) = report_in(dir.path(), &["--exceptions", "ex.csv"]);
    assert_states(
        &report,
        ["expired", "expiring", "expiring", "expiring", "active"],
    );
    assert_flags(
        &report,
        &[
            (
                "gone@contoso.com",
                &["enabled-unregistered", "exception-expired"],
            ),
            ("today@contoso.com", &[]),
            ("d1@contoso.com", &[]),
            ("d14@contoso.com", &[]),
            ("d15@contoso.com", &[]),
        ],
    );
    let expired = "1 exception has expired and covers nothing any more: gone@contoso.com (waiver, ex.csv:2); renew or remove it.";
    assert_eq!(report["warnings"], json!([expired, NO_SIGN_INS]));
    ran.stderr_is(&format!("warning: {expired}\nwarning: {NO_SIGN_INS}\n"));
    let s = &report["summary"];
    assert_eq!(
        (
            &s["excepted_enabled"],
            &s["unregistered_enabled"],
            &s["unregistered_enabled_unexcepted"]
        ),
        (&json!(4), &json!(1), &json!(1))
    );
    // The subject of the same run without the exceptions file, led by the expired one: the
    // excepted users stay in its counts.
    let without = subject_of(dir.path(), TODAY, &[]);
    assert!(
        without.ends_with(" — mfaudit audit 2026-12-02"),
        "{without}"
    );
    assert_eq!(
        subject_of(dir.path(), TODAY, &["--exceptions", "ex.csv"]),
        format!("1 exception expired, {without}")
    );

    // `--exception-warning-days 0`: only the end day itself is expiring.
    let (report, _) = report_in(
        dir.path(),
        &["--exceptions", "ex.csv", "--exception-warning-days", "0"],
    );
    assert_states(
        &report,
        ["expired", "expiring", "active", "active", "active"],
    );

    // The day after: two expired, in the plural, in the warning and the subject; the one ending
    // 15 days after the first run's date is now within 14 days.
    let (report, _) = report_on(dir.path(), TOMORROW, &["--exceptions", "ex.csv"]);
    assert_states(
        &report,
        ["expired", "expired", "expiring", "expiring", "expiring"],
    );
    assert_eq!(
        report["warnings"][0],
        "2 exceptions have expired and cover nothing any more: gone@contoso.com (waiver, ex.csv:2), today@contoso.com (waiver, ex.csv:3); renew or remove them."
    );
    let without = subject_of(dir.path(), TOMORROW, &[]);
    assert!(
        without.ends_with(" — mfaudit audit 2026-12-03"),
        "{without}"
    );
    assert_eq!(
        subject_of(dir.path(), TOMORROW, &["--exceptions", "ex.csv"]),
        format!("2 exceptions expired, {without}")
    );
}

// ---------------------------------------------------------------------------------------------
// 4. Exceptions that match nobody, users outside the directory

/// A Graph sign-in page: one successful interactive sign-in with MFA by each of `who` (UPN,
/// object id), carrying every field the audit reads.
fn signins(who: &[(&str, &str)]) -> String {
    let records: Vec<Value> = who
        .iter()
        .enumerate()
        .map(|(k, (upn, id))| {
            json!({
                "id": format!("5a000000-0000-4000-8000-{k:012}"),
                "createdDateTime": format!("2026-11-28T10:{k:02}:00Z"),
                "userPrincipalName": upn, "userId": id, "userDisplayName": upn,
                "appDisplayName": "Office 365 Exchange Online", "clientAppUsed": "Browser",
                "isInteractive": true,
                "status": { "errorCode": 0, "failureReason": "Other.", "additionalDetails": "MFA requirement satisfied by claim in the token" },
                "conditionalAccessStatus": "success",
                "appliedConditionalAccessPolicies": [],
                "authenticationRequirement": "multiFactorAuthentication",
                "authenticationRequirementPolicies": [
                    { "requirementProvider": "multiConditionalAccess", "detail": "Conditional Access" },
                ],
                "mfaDetail": { "authMethod": "Mobile app notification", "authDetail": null },
            })
        })
        .collect();
    page("auditLogs/signIns", &records)
}

/// The issue: a pattern that matches nobody is a warning, not an error; an exception for a
/// user outside the directory who signed in (a sign-in log names them) matches that user; one
/// for a user no input names is said to match nobody. The exceptions stay
/// in `report.exceptions` with `matched` 0.
#[test]
fn exceptions_that_match_nobody_are_warned_about() {
    let dir = tenant(&[person("ada@contoso.com", 1)]);
    write(
        &dir.path().join("exports"),
        "signins.json",
        signins(&[
            ("zed@contoso.com", &object_id(9)),
            ("yan@contoso.com", &object_id(10)),
        ]),
    );
    write(
        dir.path(),
        "ex.csv",
        csv(&[
            "print-*@contoso.com,service-account,Print servers,,,,",
            "Zed@Contoso.com,service-account,Mail relay,,,,",
            "yan@contoso.com,shared-mailbox,Helpdesk mailbox,,,,",
            "ghost@contoso.com,waiver,Left last year,Ann Lee,2027-01-31,,",
        ]),
    );
    let (report, _) = report_in(dir.path(), &["--exceptions", "ex.csv"]);
    assert_exceptions(
        &report,
        &[
            ("ada@contoso.com", Value::Null),
            (
                "zed@contoso.com",
                marked("service-account", "Mail relay", "ex.csv:3"),
            ),
            (
                "yan@contoso.com",
                marked("shared-mailbox", "Helpdesk mailbox", "ex.csv:4"),
            ),
        ],
    );
    let matched: Vec<(&Value, &Value)> = report["exceptions"]
        .as_array()
        .expect("exceptions")
        .iter()
        .map(|e| (&e["user"], &e["matched"]))
        .collect();
    assert_eq!(
        matched,
        [
            (&json!("print-*@contoso.com"), &json!(0)),
            (&json!("Zed@Contoso.com"), &json!(1)),
            (&json!("yan@contoso.com"), &json!(1)),
            (&json!("ghost@contoso.com"), &json!(0)),
        ]
    );
    assert_eq!(
        report["warnings"],
        json!([
            "2 sign-ins of 2 users are not in the directory (e.g. zed@contoso.com, yan@contoso.com); they are listed after the directory users, without registration data.",
            "The exception for print-*@contoso.com (ex.csv:2) matches no user of the inputs.",
            "The exception for ghost@contoso.com (ex.csv:5) matches no user of the inputs.",
        ])
    );
    // Their sign-in is not known to be enabled: no mailbox flag for the mailbox.
    assert_eq!(user(&report, "yan@contoso.com")["flags"], json!([]));
}

/// cli.md: an exception names a user by UPN or object id; a sign-in log gives both (`userId`), so
/// an exception by object id matches a user known only from the sign-ins.
#[test]
fn an_object_id_matches_a_user_known_only_from_the_sign_ins() {
    let dir = tenant(&[person("ada@contoso.com", 1)]);
    write(
        &dir.path().join("exports"),
        "signins.json",
        signins(&[("yan@contoso.com", &object_id(10))]),
    );
    write(
        dir.path(),
        "ex.csv",
        csv(&[&format!(
            "{},shared-mailbox,Helpdesk mailbox,,,,",
            object_id(10)
        )]),
    );
    let (report, _) = report_in(dir.path(), &["--exceptions", "ex.csv"]);
    assert_exceptions(
        &report,
        &[
            ("ada@contoso.com", Value::Null),
            (
                "yan@contoso.com",
                marked("shared-mailbox", "Helpdesk mailbox", "ex.csv:2"),
            ),
        ],
    );
    assert_eq!(report["exceptions"][0]["matched"], 1);
}

/// cli.md: `excepted_enabled` counts the *enabled* users with a valid exception, beside
/// `users_enabled`: a user only a sign-in log names is not known to be enabled (it is in neither).
#[test]
fn excepted_enabled_counts_only_enabled_users() {
    let dir = tenant(&[person("ada@contoso.com", 1).methods(NO_METHOD)]);
    write(
        &dir.path().join("exports"),
        "signins.json",
        signins(&[("zed@contoso.com", &object_id(9))]),
    );
    write(
        dir.path(),
        "ex.csv",
        csv(&[
            "ada@contoso.com,service-account,Backups,,,,",
            "zed@contoso.com,service-account,Mail relay,,,,",
        ]),
    );
    let (report, _) = report_in(dir.path(), &["--exceptions", "ex.csv"]);
    assert_eq!(user(&report, "zed@contoso.com")["enabled"], Value::Null);
    let s = &report["summary"];
    assert_eq!(
        (
            &s["users_enabled"],
            &s["excepted_enabled"],
            &s["unregistered_enabled_unexcepted"]
        ),
        (&json!(1), &json!(1), &json!(0))
    );
}

// ---------------------------------------------------------------------------------------------
// 5. Thresholds with and without exceptions

/// cli.md: the `--fail-if-*` thresholds count only users without a valid exception (`active` or
/// `expiring`); an expired exception covers nothing; `covers` limits an exception to the flags it
/// names (all when empty). The reports still count every user.
#[test]
fn thresholds_leave_out_only_what_a_valid_exception_covers() {
    let dir = tenant(&[
        person("ok@contoso.com", 1),
        person("ann@contoso.com", 2).methods(NO_METHOD),
        person("ben@contoso.com", 3).methods(NO_METHOD),
        person("adm@contoso.com", 4).methods(NO_METHOD).admin(),
    ]);
    let unregistered = ["--fail-if-unregistered", "0"];
    let admins = ["--fail-if-admins-without-mfa", "0"];
    let no_sign_ins = format!("warning: {NO_SIGN_INS}\n");
    let admin_crossed = "warning: policy: 1 admin has no MFA method (threshold 0)\n";

    // No exceptions: three enabled users not registered, one of them an admin.
    audit_in(dir.path(), &unregistered)
        .code(3)
        .stderr_is(&format!("{no_sign_ins}{}", not_registered(3, 0)));
    audit_in(dir.path(), &admins)
        .code(3)
        .stderr_is(&format!("{no_sign_ins}{admin_crossed}"));

    // Each one excepted (Ann's waiver expiring, the others active): both thresholds hold.
    write(
        dir.path(),
        "all.csv",
        csv(&[
            "ann@contoso.com,waiver,New phone,Ann Lee,2026-12-10,,",
            "ben@contoso.com,service-account,Scanner,,,,",
            "adm@contoso.com,break-glass,Emergency access,,,,",
        ]),
    );
    let (report, ran) = report_in(
        dir.path(),
        &[
            "--exceptions",
            "all.csv",
            unregistered[0],
            "0",
            admins[0],
            "0",
        ],
    );
    ran.stderr_is(&no_sign_ins);
    assert_eq!(
        user(&report, "ann@contoso.com")["exception"]["state"],
        "expiring"
    );
    let s = &report["summary"];
    assert_eq!(
        (
            &s["unregistered_enabled"],
            &s["excepted_enabled"],
            &s["unregistered_enabled_unexcepted"]
        ),
        (&json!(3), &json!(3), &json!(0))
    );

    // Ann's waiver expired: she counts again.
    write(
        dir.path(),
        "expired.csv",
        csv(&[
            "ann@contoso.com,waiver,New phone,Ann Lee,2026-11-30,,",
            "ben@contoso.com,service-account,Scanner,,,,",
            "adm@contoso.com,break-glass,Emergency access,,,,",
        ]),
    );
    let expired = "warning: 1 exception has expired and covers nothing any more: ann@contoso.com (waiver, expired.csv:2); renew or remove it.\n";
    audit_in(
        dir.path(),
        &["--exceptions", "expired.csv", "--fail-if-unregistered", "0"],
    )
    .code(3)
    .stderr_is(&format!("{expired}{no_sign_ins}{}", not_registered(1, 0)));
    audit_in(
        dir.path(),
        &["--exceptions", "expired.csv", "--fail-if-unregistered", "1"],
    )
    .ok();

    // The admin's exception covers enabled-unregistered alone: out of that threshold, still in
    // the admins' one. In TOML, `covers` is a list; in CSV, names split by `;`.
    write(
        dir.path(),
        "covers.toml",
        text(&[
            "[[exception]]",
            "user = \"ann@contoso.com\"",
            "class = \"waiver\"",
            "reason = \"New phone\"",
            "owner = \"Ann Lee\"",
            "expires = \"2027-01-31\"",
            "",
            "[[exception]]",
            "user = \"ben@contoso.com\"",
            "class = \"service-account\"",
            "reason = \"Scanner\"",
            "covers = \"enabled-unregistered; admin-without-mfa\"",
            "",
            "[[exception]]",
            "user = \"adm@contoso.com\"",
            "class = \"break-glass\"",
            "reason = \"Emergency access\"",
            "covers = [\"enabled-unregistered\"]",
        ]),
    );
    audit_in(
        dir.path(),
        &["--exceptions", "covers.toml", "--fail-if-unregistered", "0"],
    )
    .ok()
    .stderr_is(&no_sign_ins);
    audit_in(
        dir.path(),
        &["--exceptions", "covers.toml", admins[0], admins[1]],
    )
    .code(3)
    .stderr_is(&format!("{no_sign_ins}{admin_crossed}"));
    // Covering admin-without-mfa alone leaves the admin in the unregistered count.
    write(
        dir.path(),
        "admin-only.csv",
        csv(&[
            "ann@contoso.com,waiver,New phone,Ann Lee,2027-01-31,,",
            "ben@contoso.com,service-account,Scanner,,,,",
            "adm@contoso.com,break-glass,Emergency access,,,,admin-without-mfa",
        ]),
    );
    let (report, ran) = report_in(
        dir.path(),
        &[
            "--exceptions",
            "admin-only.csv",
            "--fail-if-admins-without-mfa",
            "0",
        ],
    );
    ran.stderr_is(&no_sign_ins);
    assert_eq!(report["summary"]["unregistered_enabled_unexcepted"], 1);
    audit_in(
        dir.path(),
        &[
            "--exceptions",
            "admin-only.csv",
            "--fail-if-unregistered",
            "0",
        ],
    )
    .code(3)
    .stderr_is(&format!("{no_sign_ins}{}", not_registered(1, 0)));
}

// ---------------------------------------------------------------------------------------------
// 6. The flags and the summary's counts

/// cli.md and the issue: a shared or resource mailbox whose sign-in is enabled raises
/// `shared-mailbox-sign-in-enabled` (it should be blocked; a disabled one does not); a
/// break-glass account whose methods are known and include no phishing-resistant one raises
/// `break-glass-without-phishing-resistant` (a FIDO2 key or Windows Hello for Business is one;
/// unknown methods raise nothing). Excepted users keep every other flag. `excepted_enabled` counts
/// the enabled users with a valid exception, `unregistered_enabled_unexcepted` the enabled users
/// not registered whom none covers.
#[test]
fn the_mailbox_and_break_glass_flags_and_the_summary() {
    let dir = tenant(&[
        person("ada@contoso.com", 1).methods(NO_METHOD),
        person("shared-on@contoso.com", 2).methods(NO_METHOD),
        person("shared-off@contoso.com", 3)
            .methods(NO_METHOD)
            .disabled(),
        person("room-on@contoso.com", 4),
        person("bg-key@contoso.com", 5).methods(KEY),
        person("bg-hello@contoso.com", 6).methods(HELLO),
        person("bg-push@contoso.com", 7),
        person("bg-none@contoso.com", 8).methods(NO_METHOD),
        person("bg-unknown@contoso.com", 9).unknown_methods(),
        person("svc@contoso.com", 10).methods(NO_METHOD),
    ]);
    write(
        dir.path(),
        "ex.csv",
        csv(&[
            "shared-*@contoso.com,shared-mailbox,Shared mailboxes,,,,",
            "room-on@contoso.com,resource-mailbox,Meeting room,,,,",
            "bg-*@contoso.com,break-glass,Emergency access,,,,",
            "svc@contoso.com,service-account,Backups,,,,",
        ]),
    );
    let (report, _) = report_in(dir.path(), &["--exceptions", "ex.csv"]);
    let unregistered = "enabled-unregistered";
    let mailbox = "shared-mailbox-sign-in-enabled";
    let break_glass = "break-glass-without-phishing-resistant";
    assert_flags(
        &report,
        &[
            ("ada@contoso.com", &[unregistered]),
            ("shared-on@contoso.com", &[unregistered, mailbox]),
            ("shared-off@contoso.com", &[]),
            ("room-on@contoso.com", &[mailbox]),
            ("bg-key@contoso.com", &[]),
            ("bg-hello@contoso.com", &[]),
            ("bg-push@contoso.com", &[break_glass]),
            ("bg-none@contoso.com", &[unregistered, break_glass]),
            ("bg-unknown@contoso.com", &[]),
            ("svc@contoso.com", &[unregistered]),
        ],
    );
    let s = &report["summary"];
    assert_eq!(
        (
            &s["users_enabled"],
            &s["unregistered_enabled"],
            &s["excepted_enabled"],
            &s["unregistered_enabled_unexcepted"]
        ),
        (&json!(9), &json!(4), &json!(8), &json!(1))
    );

    // The same users without the exceptions file: no class, none of the two flags.
    let (report, _) = report_in(dir.path(), &[]);
    for u in report["users"].as_array().expect("users") {
        let flags = u["flags"].as_array().expect("flags");
        assert!(
            !flags.contains(&json!(mailbox)) && !flags.contains(&json!(break_glass)),
            "{u}"
        );
    }
    let s = &report["summary"];
    assert_eq!(
        (
            &s["excepted_enabled"],
            &s["unregistered_enabled_unexcepted"]
        ),
        (&json!(0), &json!(4))
    );
}

// ---------------------------------------------------------------------------------------------
// 7. The config file

/// cli.md: `[exceptions] files = [...]` in the config of `mfaudit run --config`, resolved against
/// the config file's folder whatever the working folder, CSV and TOML side by side;
/// `warning-days` sets the expiring window, and `--exception-warning-days` on the command line
/// wins over it.
#[test]
fn the_config_files_exceptions_section() {
    let root = tempdir();
    let jobs = root.path().join("jobs");
    directory(
        &jobs.join("exports"),
        &[
            person("ann@contoso.com", 1).methods(NO_METHOD),
            person("bg@contoso.com", 2).methods(KEY),
        ],
    );
    write(
        &jobs,
        "waivers.csv",
        csv(&["ann@contoso.com,waiver,New phone,Ann Lee,2026-12-22,INC-3,"]),
    );
    write(
        &jobs,
        "accounts.toml",
        "[[exception]]\nuser = \"bg@contoso.com\"\nclass = \"break-glass\"\nreason = \"Emergency access\"\n",
    );
    let config = write(
        &jobs,
        "mfaudit.toml",
        text(&[
            "inputs = [\"exports\"]",
            "[outputs]",
            "json = \"audit.json\"",
            "[policy]",
            "fail-if-unregistered = 0",
            "[exceptions]",
            "files = [\"waivers.csv\", \"accounts.toml\"]",
            "warning-days = 30",
        ]),
    );
    let elsewhere = tempdir();
    let run = |args: &[&str]| {
        let ran = Test::new()
            .current_dir(elsewhere.path())
            .env("SOURCE_DATE_EPOCH", TODAY)
            .arg("run")
            .arg("--config")
            .arg(&config)
            .args(args)
            .run();
        ran.ok();
        let written = std::fs::read_to_string(jobs.join("audit.json")).expect("the report");
        serde_json::from_str::<Value>(&written).expect("JSON")
    };
    let ann = |state: &str| {
        json!({
            "class": "waiver", "reason": "New phone", "owner": "Ann Lee", "ticket": "INC-3",
            "expires": "2026-12-22", "source": format!("{}:2", jobs.join("waivers.csv").display()),
            "state": state,
        })
    };
    let bg = marked(
        "break-glass",
        "Emergency access",
        &format!("{}:1", jobs.join("accounts.toml").display()),
    );
    // 20 days to go: expiring within 30; Ann's waiver holds the threshold.
    let report = run(&[]);
    assert_exceptions(
        &report,
        &[
            ("ann@contoso.com", ann("expiring")),
            ("bg@contoso.com", bg.clone()),
        ],
    );
    // Not within 14.
    let report = run(&["--exception-warning-days", "14"]);
    assert_exceptions(
        &report,
        &[("ann@contoso.com", ann("active")), ("bg@contoso.com", bg)],
    );
}

// ---------------------------------------------------------------------------------------------
// 8. MFA-policy exclusions with and without an exception

/// A tenant with one enabled policy requiring MFA of all users but the group "Break glass" (bob)
/// and cy, excluded by name; the security defaults off.
fn excluding_tenant() -> tempfile::TempDir {
    let ada = person("ada@contoso.com", 1);
    let bob = person("bob@contoso.com", 2).methods(KEY);
    let cy = person("cy@contoso.com", 3);
    let dir = tenant(&[ada, bob, cy]);
    let exports = dir.path().join("exports");
    let group = "9a000000-0000-4000-8000-000000000001";
    let policy = json!({
        "id": "0ca00000-0000-4000-8000-000000000001",
        "displayName": "MFA for everyone",
        "state": "enabled",
        "createdDateTime": "2026-01-15T09:00:00Z",
        "modifiedDateTime": "2026-10-01T09:00:00Z",
        "conditions": {
            "users": {
                "includeUsers": ["All"], "excludeUsers": [cy.id()], "includeGroups": [],
                "excludeGroups": [group], "includeRoles": [], "excludeRoles": [],
                "includeGuestsOrExternalUsers": null, "excludeGuestsOrExternalUsers": null,
            },
            "applications": {
                "includeApplications": ["All"], "excludeApplications": [], "includeUserActions": [],
                "includeAuthenticationContextClassReferences": [], "applicationFilter": null,
            },
            "clientAppTypes": ["all"], "platforms": null, "locations": null, "devices": null,
            "times": null, "signInRiskLevels": [], "userRiskLevels": [],
            "servicePrincipalRiskLevels": [],
        },
        "grantControls": {
            "operator": "OR", "builtInControls": ["mfa"], "customAuthenticationFactors": [],
            "termsOfUse": [], "authenticationStrength": null,
        },
        "sessionControls": null,
    });
    write(
        &exports,
        "conditionalAccessPolicies.json",
        page("identity/conditionalAccess/policies", &[policy]),
    );
    write(
        &exports,
        "groups.json",
        page(
            "groups(id,displayName,members(id,userPrincipalName))",
            &[json!({
                "id": group, "displayName": "Break glass",
                "members": [{
                    "@odata.type": "#microsoft.graph.user", "id": bob.id(),
                    "userPrincipalName": bob.upn,
                }],
            })],
        ),
    );
    write(
        &exports,
        "securityDefaults.json",
        serde_json::to_string_pretty(&json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/identitySecurityDefaultsEnforcementPolicy/$entity",
            "id": "00000000-0000-0000-0000-000000000005",
            "displayName": "Security Defaults",
            "isEnabled": false,
        }))
        .expect("security defaults"),
    );
    dir
}

/// The issue: "an exclusion from an MFA policy with no matching exception is called out"; once an
/// exceptions file names the excluded user, that user is no longer in the warning; an expired
/// exception explains nothing.
#[test]
fn an_exclusion_from_an_mfa_policy_needs_an_exception() {
    let dir = excluding_tenant();
    let (report, ran) = report_in(dir.path(), &[]);
    for upn in ["bob@contoso.com", "cy@contoso.com"] {
        assert_eq!(
            user(&report, upn)["flags"],
            json!(["mfa-not-required", "excluded-from-mfa-policy"]),
            "{upn}"
        );
    }
    ran.stderr_is(&format!(
        "warning: {NO_SIGN_INS}\nwarning: 2 users are excluded from an MFA policy with no exception that says why (e.g. bob@contoso.com, cy@contoso.com); add them to an exceptions file with an owner, or end the exclusion.\n"
    ));

    // Bob's break-glass exception says why; cy is still unexplained.
    write(
        dir.path(),
        "bob.csv",
        csv(&["bob@contoso.com,break-glass,Emergency access,,,,"]),
    );
    report_in(dir.path(), &["--exceptions", "bob.csv"]).1.stderr_is(&format!(
        "warning: {NO_SIGN_INS}\nwarning: 1 user is excluded from an MFA policy with no exception that says why (e.g. cy@contoso.com); add them to an exceptions file with an owner, or end the exclusion.\n"
    ));

    // Both explained: no warning of it.
    write(
        dir.path(),
        "both.csv",
        csv(&[
            "bob@contoso.com,break-glass,Emergency access,,,,",
            "cy@contoso.com,waiver,Travelling without a phone,Ann Lee,2026-12-20,INC-9,",
        ]),
    );
    report_in(dir.path(), &["--exceptions", "both.csv"])
        .1
        .stderr_is(&format!("warning: {NO_SIGN_INS}\n"));

    // Cy's waiver expired: it explains nothing any more.
    write(
        dir.path(),
        "expired.csv",
        csv(&[
            "bob@contoso.com,break-glass,Emergency access,,,,",
            "cy@contoso.com,waiver,Travelling without a phone,Ann Lee,2026-11-20,INC-9,",
        ]),
    );
    report_in(dir.path(), &["--exceptions", "expired.csv"]).1.stderr_is(&format!(
        "warning: 1 exception has expired and covers nothing any more: cy@contoso.com (waiver, expired.csv:3); renew or remove it.\nwarning: {NO_SIGN_INS}\nwarning: 1 user is excluded from an MFA policy with no exception that says why (e.g. cy@contoso.com); add them to an exceptions file with an owner, or end the exclusion.\n"
    ));
}

// ---------------------------------------------------------------------------------------------
// Bugs found by these tests

/// The issue: a pattern that matches nobody is warned about, and `report.exceptions[].matched`
/// counts the users an exception names. An exception that names a user of the directory does not
/// match nobody, even when an earlier line names the same user too (a renewed waiver added below
/// the old one; an exact break-glass entry below a broad pattern).
#[test]
fn an_exception_that_names_a_user_never_matches_nobody() {
    let dir = tenant(&[
        person("bob@contoso.com", 1).methods(NO_METHOD),
        person("adm@contoso.com", 2).methods(KEY),
    ]);
    write(
        dir.path(),
        "ex.csv",
        csv(&[
            "bob@contoso.com,waiver,New phone,Ann Lee,2026-11-30,,",
            "bob@contoso.com,waiver,New phone (renewed),Ann Lee,2027-01-31,,",
            "*@contoso.com,service-account,Everyone is a robot,,,,",
            "adm@contoso.com,break-glass,Emergency access,,,,",
        ]),
    );
    let (report, _) = report_in(dir.path(), &["--exceptions", "ex.csv"]);
    let matched: Vec<&Value> = report["exceptions"]
        .as_array()
        .expect("exceptions")
        .iter()
        .map(|e| &e["matched"])
        .collect();
    assert_eq!(matched, [&json!(1), &json!(1), &json!(2), &json!(1)]);
    let warnings = report["warnings"].as_array().expect("warnings");
    assert!(
        !warnings
            .iter()
            .any(|w| w.as_str().is_some_and(|w| w.contains("matches no user"))),
        "{warnings:?}"
    );
}

/// cli.md: an expired exception covers nothing; a valid one covers its user. When a file names a
/// user twice, the renewed (valid) waiver is the one that counts, not the expired line above it:
/// no `exception-expired` on the user, and the threshold holds.
#[test]
fn a_valid_exception_wins_over_an_expired_one_for_the_same_user() {
    let dir = tenant(&[person("bob@contoso.com", 1).methods(NO_METHOD)]);
    write(
        dir.path(),
        "ex.csv",
        csv(&[
            "bob@contoso.com,waiver,New phone,Ann Lee,2026-11-30,,",
            "bob@contoso.com,waiver,New phone (renewed),Ann Lee,2027-01-31,,",
        ]),
    );
    let (report, _) = report_in(
        dir.path(),
        &["--exceptions", "ex.csv", "--fail-if-unregistered", "0"],
    );
    assert_eq!(
        user(&report, "bob@contoso.com")["exception"],
        waiver("New phone (renewed)", "2027-01-31", "ex.csv:3", "active")
    );
    assert_eq!(
        user(&report, "bob@contoso.com")["flags"],
        json!(["enabled-unregistered"])
    );
}

/// cli.md: `source` is `FILE:LINE`, the line of the exception's `[[exception]]` table. TOML allows
/// spaces inside the brackets (`[[ exception ]]`), and a multi-line string may hold a line that
/// starts `[[exception]]`: neither moves or loses the line.
#[test]
fn toml_lines_come_from_the_tables_themselves() {
    let dir = tenant(&[person("ada@contoso.com", 1), person("bob@contoso.com", 2)]);
    write(
        dir.path(),
        "spaced.toml",
        text(&[
            "# Exceptions",
            "",
            "[[ exception ]]",
            "user = \"bob@contoso.com\"",
            "class = \"break-glass\"",
            "reason = \"Emergency access\"",
        ]),
    );
    let (report, _) = report_in(dir.path(), &["--exceptions", "spaced.toml"]);
    assert_eq!(
        user(&report, "bob@contoso.com")["exception"]["source"],
        "spaced.toml:3"
    );
    write(
        dir.path(),
        "multiline.toml",
        text(&[
            "[[exception]]",
            "user = \"ada@contoso.com\"",
            "class = \"break-glass\"",
            "reason = \"\"\"Emergency access:",
            "[[exception]] tables in the runbook\"\"\"",
            "",
            "[[exception]]",
            "user = \"bob@contoso.com\"",
            "class = \"waiver\"",
            "reason = \"New phone\"",
        ]),
    );
    audit_in(dir.path(), &["--exceptions", "multiline.toml"])
        .code(2)
        .stderr_is(&format!(
            "mfaudit: error: multiline.toml:line 7: {}\n",
            waiver_needs("bob@contoso.com")
        ));
}
