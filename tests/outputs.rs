//! The workbook (`--xlsx`) and the Markdown summary (`--markdown`) of `mfaudit audit`, and the
//! audit CSV's `user_type` and `is_admin` columns, through the binary on a small tenant written
//! here: six users, one of them with a UPN that reads as a spreadsheet formula and one (a guest)
//! with a display name full of Markdown, HTML and a control character. No sign-in log and no
//! Conditional Access export are among the inputs, so every activity figure is unknown, and so
//! is who is required to use MFA, except the one user whose per-user MFA is enforced.
//!
//! Every expected value is worked out from the tenant below: ada (enabled, Authenticator push,
//! an admin, per-user MFA enforced: always required), bob (enabled, no method: not registered),
//! the formula UPN (enabled, a FIDO2 key), eve (an enabled guest with a phone only: telephony
//! only), dan (disabled, no method), fay (enabled, in no registration export: her registration
//! and admin role are unknown). The per-user state export names ada alone, so the state of the
//! five others is unknown. The sentences are those of `report::findings` and `audit::build` for
//! these counts; the run's date is fixed with `SOURCE_DATE_EPOCH`.

use std::io::Read;
use std::path::Path;

use calamine::{Data, Reader, Xlsx};

use crate::support::{Ran, Test, tempdir, write};

/// 2026-12-02T12:00:00Z.
const TODAY: &str = "1796212800";
const GENERATED: &str = "2026-12-02T12:00:00Z";

/// A UPN a spreadsheet would run as a formula if it were not written as text.
const FORMULA_UPN: &str = "=HYPERLINK(\"http://evil.example\",\"x\")@contoso.com";

const EVE_UPN: &str = "eve_fabrikam.com#EXT#@contoso.onmicrosoft.com";

/// Eve's display name: a heading, HTML, emphasis, a link, code, strikethrough, math, an entity, a
/// backslash, a numbered list's `1.` and a BEL at the end.
const EVE_NAME: &str = "# Eve <b>_x_</b> [y](http://e.vil) `z` ~s~ $m$ &amp; \\ 1. \u{7}";

/// Bob's display name breaks a Markdown table cell and emphasises unless escaped.
const BOB_NAME: &str = "Bob | *Builder*";

/// Writes the tenant into `dir/exports`: the admin center's users download, a per-user MFA
/// state export naming ada alone, and Graph's registration details (without fay).
fn tenant(dir: &Path) {
    let id = |n: u32| format!("e0000000-0000-4000-8000-{n:012}");
    write(
        dir,
        "exports/exportUsers.csv",
        format!(
            "\u{feff}userPrincipalName,displayName,id,userType,accountEnabled\r\n\
             ada@contoso.com,Ada Lovelace,{},Member,True\r\n\
             bob@contoso.com,{BOB_NAME},{},Member,True\r\n\
             \"{}\",Formula,{},Member,True\r\n\
             {EVE_UPN},\"{}\",{},Guest,True\r\n\
             dan@contoso.com,Dan,{},Member,False\r\n\
             fay@contoso.com,Fay,{},Member,True\r\n",
            id(1),
            id(2),
            FORMULA_UPN.replace('"', "\"\""),
            id(3),
            EVE_NAME.replace('"', "\"\""),
            id(4),
            id(5),
            id(6),
        ),
    );
    write(
        dir,
        "exports/perUserMfaState.csv",
        format!(
            "UserPrincipalName,Id,perUserMfaState\r\nada@contoso.com,{},enforced\r\n",
            id(1)
        ),
    );
    let registered = |n: u32, upn: &str, admin: bool, methods: &[&str]| {
        let user_type = if upn == EVE_UPN { "guest" } else { "member" };
        serde_json::json!({
            "id": id(n), "userPrincipalName": upn, "userDisplayName": "ignored",
            "userType": user_type, "isAdmin": admin, "isMfaRegistered": !methods.is_empty(),
            "isMfaCapable": !methods.is_empty(), "methodsRegistered": methods,
        })
    };
    let page = serde_json::json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#reports/authenticationMethods/userRegistrationDetails",
        "value": [
            registered(1, "ada@contoso.com", true, &["microsoftAuthenticatorPush"]),
            registered(2, "bob@contoso.com", false, &[]),
            registered(3, FORMULA_UPN, false, &["fido2SecurityKey"]),
            registered(4, EVE_UPN, false, &["mobilePhone"]),
            registered(5, "dan@contoso.com", false, &[]),
        ],
    });
    write(
        dir,
        "exports/userRegistrationDetails.json",
        serde_json::to_string_pretty(&page).expect("a page"),
    );
}

/// `mfaudit audit ARGS exports` in `dir`, on [`TODAY`].
fn audit(dir: &Path, args: &[&str]) -> Ran {
    Test::new()
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", TODAY)
        .arg("audit")
        .args(args)
        .arg("exports")
        .run()
}

/// The warnings of every run on the tenant: fay's registration, the five per-user states
/// nobody exported, no sign-in log.
const WARNINGS: [&str; 3] = [
    "Registration is unknown for 1 enabled user (in neither the registered nor the unregistered count); the registration details export (admin center or Graph userRegistrationDetails) would settle it.",
    "Per-user MFA state is unknown for 5 users; the per-user MFA state export (Get-MsolUser or Graph authentication/requirements) would settle it.",
    "No sign-in activity was in the inputs: the challenge questions are unanswered and no activity flag can be raised; add a sign-in log export.",
];

/// Each of the seven answers without a sign-in log.
const NO_LOGS: &str = "No sign-in activity was in the inputs; add a sign-in log export (Graph signIns, the admin center download, Log Analytics) to answer this.";

/// The seven questions, in the report's order.
const QUESTIONS: [&str; 7] = [
    "Was the sign-in challenged with MFA?",
    "How did the user complete MFA?",
    "Why was the user unable to complete MFA?",
    "How many users are challenged for MFA?",
    "How many users are unable to complete the MFA challenge?",
    "What are the common MFA issues end users are running into?",
    "Who signed in without MFA?",
];

/// The finding sheets, in `findings::LISTS` order: each title cut at a word to fit Excel's 31
/// characters, with `…` where it was cut.
const FINDING_SHEETS: [&str; 8] = [
    "Enabled users not registered…",
    "Users unable to complete MFA",
    "Fraud reports, push fatigue…",
    "Users with telephony methods…",
    "Administrators without MFA",
    "Always required to use MFA…",
    "Required to use MFA, not…",
    "Enabled users no source…",
];

/// The audit CSV's header, which the user sheets share: the names, the two new columns, then
/// the eighteen-column header of the version before.
const HEADER: &str = "upn,display_name,user_type,is_admin,enabled,registered,per_user_state,methods,strongest,challenges,completed,denied,last_result,last_signin,flags,signins_without_mfa,legacy_auth_signins,apps_without_mfa,mfa_required,excluded_by";

// ---------------------------------------------------------------------------------------------
// The workbook

fn s(text: &str) -> Data {
    Data::String(text.into())
}

fn n(value: f64) -> Data {
    Data::Float(value)
}

fn b(value: bool) -> Data {
    Data::Bool(value)
}

const E: Data = Data::Empty;

/// A user row: the fourteen cells of the user, then the six that are the same for every user
/// here (no sign-in log: the observed counts unknown; no exclusion).
fn user_row(cells: [Data; 15], mfa_required: Data) -> Vec<Data> {
    let mut row = cells.to_vec();
    row.extend([E, E, E, mfa_required, E]);
    row
}

/// The users, in the report's order (the users download's), cell by cell: the names as text,
/// the flags, sign-in state, registration and admin role as booleans (empty when unknown), the
/// counts as numbers. The challenge counts are 0, not unknown (no MFA Server history either).
fn users() -> [Vec<Data>; 6] {
    [
        user_row(
            [
                s("ada@contoso.com"),
                s("Ada Lovelace"),
                s("member"),
                b(true),
                b(true),
                b(true),
                s("Enforced"),
                s("Microsoft Authenticator (push)"),
                s("app-based"),
                n(0.0),
                n(0.0),
                n(0.0),
                E,
                E,
                E,
            ],
            // Per-user MFA enforced: required at every sign-in.
            s("always"),
        ),
        user_row(
            [
                s("bob@contoso.com"),
                s(BOB_NAME),
                s("member"),
                b(false),
                b(true),
                b(false),
                s("Unknown"),
                E,
                E,
                n(0.0),
                n(0.0),
                n(0.0),
                E,
                E,
                s("enabled-unregistered"),
            ],
            E,
        ),
        user_row(
            [
                // Text, not a formula: no leading `'` either (the CSV's protection).
                s(FORMULA_UPN),
                s("Formula"),
                s("member"),
                b(false),
                b(true),
                b(true),
                s("Unknown"),
                s("FIDO2 security key"),
                s("phishing-resistant"),
                n(0.0),
                n(0.0),
                n(0.0),
                E,
                E,
                E,
            ],
            E,
        ),
        user_row(
            [
                s(EVE_UPN),
                // Every character as written, the BEL too (stored as Excel escapes it, `_x0007_`).
                s(EVE_NAME),
                s("guest"),
                b(false),
                b(true),
                b(true),
                s("Unknown"),
                s("Mobile phone (SMS or voice)"),
                s("telephony"),
                n(0.0),
                n(0.0),
                n(0.0),
                E,
                E,
                s("telephony-only"),
            ],
            E,
        ),
        user_row(
            [
                s("dan@contoso.com"),
                s("Dan"),
                s("member"),
                b(false),
                b(false),
                b(false),
                s("Unknown"),
                E,
                E,
                n(0.0),
                n(0.0),
                n(0.0),
                E,
                E,
                E,
            ],
            E,
        ),
        user_row(
            [
                s("fay@contoso.com"),
                s("Fay"),
                s("member"),
                // In no registration export: admin role and registration unknown.
                E,
                b(true),
                E,
                s("Unknown"),
                E,
                E,
                n(0.0),
                n(0.0),
                n(0.0),
                E,
                E,
                E,
            ],
            E,
        ),
    ]
}

/// The rows of a sheet, as calamine reads them.
fn rows(book: &mut Xlsx<std::io::Cursor<Vec<u8>>>, sheet: &str) -> Vec<Vec<Data>> {
    let range = book
        .worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("sheet {sheet}: {e}"));
    range.rows().map(<[Data]>::to_vec).collect()
}

/// The tenant in a new folder, audited with `--xlsx audit.xlsx`: the workbook's bytes.
fn tenant_workbook() -> Vec<u8> {
    let dir = tempdir();
    tenant(dir.path());
    audit(dir.path(), &["--xlsx", "audit.xlsx"]).ok();
    std::fs::read(dir.path().join("audit.xlsx")).expect("the workbook")
}

fn open(bytes: Vec<u8>) -> Xlsx<std::io::Cursor<Vec<u8>>> {
    calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an XLSX workbook")
}

/// The Summary's rows: the key figures (unknown ones empty), the seven answers, the warnings.
fn summary_rows() -> Vec<Vec<Data>> {
    let figure = |label: &str, value: Data| vec![s(label), value];
    let mut rows = vec![
        vec![s("Key figure"), s("Value")],
        figure("Generated at", s(GENERATED)),
        figure("Users", n(6.0)),
        figure("Enabled users", n(5.0)),
        // ada, the formula UPN, eve.
        figure("Enabled users registered for MFA", n(3.0)),
        figure("Enabled users not registered", n(1.0)),
        figure("Enabled users whose registration is unknown", n(1.0)),
        figure("Per-user MFA enforced", n(1.0)),
        figure("Per-user MFA enabled", n(0.0)),
        figure("Per-user MFA disabled", n(0.0)),
        figure("Per-user MFA state unknown", n(5.0)),
        // No sign-in log: unknown, not zero.
        figure("Sign-ins", E),
        figure("MFA challenges", E),
        figure("Users challenged", E),
        figure("Users who completed MFA", E),
        figure("Users unable to complete MFA", E),
        // ada; the four other enabled users have no source that settles it.
        figure("Enabled users always required to use MFA", n(1.0)),
        figure("Enabled users required to use MFA under conditions", n(0.0)),
        figure("Enabled users no source requires to use MFA", n(0.0)),
        figure("Enabled users whose MFA requirement is unknown", n(4.0)),
        // ada is registered and always required; bob is not registered; the others unknown.
        figure(
            "Enabled users protected (registered, MFA always required)",
            n(1.0),
        ),
        figure("Enabled users not protected", n(1.0)),
        figure("Enabled users whose protection is unknown", n(3.0)),
        figure("Enabled users who signed in without MFA", E),
        figure("Enabled users who signed in over a legacy protocol", E),
        figure("Security defaults on", E),
        vec![E, E],
        vec![s("Question"), s("Answer")],
    ];
    rows.extend(QUESTIONS.iter().map(|q| vec![s(q), s(NO_LOGS)]));
    rows.push(vec![E, E]);
    rows.push(vec![s("Warnings"), E]);
    rows.extend(
        WARNINGS
            .iter()
            .enumerate()
            .map(|(i, w)| vec![s(&format!("Warning {}", i + 1)), s(w)]),
    );
    rows
}

/// The sheets exactly, the Users sheet's header and every row's cells, the finding sheets' rows
/// (bob alone is not registered, eve alone has telephony only, no one else is in a list), and
/// not one formula anywhere: the formula UPN is text.
#[test]
fn the_workbook_holds_the_summary_every_user_and_each_finding() {
    let mut book = open(tenant_workbook());
    let mut names = vec!["Summary", "Users"];
    names.extend(FINDING_SHEETS);
    assert_eq!(book.sheet_names(), names);

    let header: Vec<Data> = HEADER.split(',').map(s).collect();
    let users = users();
    let mut want = vec![header.clone()];
    want.extend(users.iter().cloned());
    assert_eq!(rows(&mut book, "Users"), want);
    assert_eq!(
        rows(&mut book, FINDING_SHEETS[0]),
        [header.clone(), users[1].clone()]
    );
    assert_eq!(
        rows(&mut book, FINDING_SHEETS[3]),
        [header.clone(), users[3].clone()]
    );
    for empty in [1, 2, 4, 5, 6, 7] {
        assert_eq!(
            rows(&mut book, FINDING_SHEETS[empty]),
            std::slice::from_ref(&header),
            "{}",
            FINDING_SHEETS[empty]
        );
    }
    assert_eq!(rows(&mut book, "Summary"), summary_rows());
    for sheet in names {
        let formulas = book.worksheet_formula(sheet).expect("formulas");
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{sheet} has a formula"
        );
    }
}

/// One part of the workbook's zip, as text.
fn part(xlsx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).expect("a zip");
    let mut text = String::new();
    zip.by_name(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .read_to_string(&mut text)
        .expect("UTF-8 XML");
    text
}

/// The user sheets' header row is frozen and the filter covers the whole table (header and
/// every row, the 20 columns A to T); the columns have set widths. calamine shows none of this,
/// so the sheets' XML is read from the zip.
#[test]
fn the_user_sheets_freeze_their_header_and_filter_the_whole_table() {
    let xlsx = tenant_workbook();
    let frozen =
        "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>";
    // Sheet 2 is Users (a header and 6 users), 3 the not registered (bob), 4 the unable to
    // complete (nobody).
    for (sheet, filter) in [(2, "A1:T7"), (3, "A1:T2"), (4, "A1:T1")] {
        let xml = part(&xlsx, &format!("xl/worksheets/sheet{sheet}.xml"));
        assert!(xml.contains(frozen), "sheet {sheet}: {xml}");
        assert!(
            xml.contains(&format!("<autoFilter ref=\"{filter}\"/>")),
            "sheet {sheet}: {xml}"
        );
        assert!(
            xml.contains("<col min=\"1\" max=\"1\" width=\"34.7109375\" customWidth=\"1\"/>"),
            "sheet {sheet}: the UPN column is 34 characters wide: {xml}"
        );
    }
    // The Summary is not a table: nothing frozen, no filter.
    let summary = part(&xlsx, "xl/worksheets/sheet1.xml");
    assert!(!summary.contains("<pane"), "{summary}");
    assert!(!summary.contains("<autoFilter"), "{summary}");
}

// ---------------------------------------------------------------------------------------------
// The Markdown summary

const REGISTRATION: &str =
    "the registration details export (admin center or Graph userRegistrationDetails)";
const CONFIGURATION: &str = "the Conditional Access policies export (GET /identity/conditionalAccess/policies) with the security defaults, directory role and group membership exports, and the per-user MFA state";
const NO_ACTIVITY: &str = "a sign-in log export (Graph signIns, the admin center download, Azure Monitor or Log Analytics)";

/// The summary of the tenant, byte for byte: the key figures as in the workbook (unknown said
/// as such), each finding's count and verdict with its users, the answers, the warnings. Bob's
/// `|` and `*` are escaped (the cell stays one cell), and so is everything in eve's name that
/// Markdown would read: the leading `#`, `<` and `>`, `_`, `[` and `]`, the backticks, `~`, `$`,
/// `&` and the backslash; her BEL is written `\x07` (its backslash escaped in turn). Her `1.`
/// is not at the start, so it stays.
fn expected_markdown() -> String {
    let eve = "\\# Eve \\<b\\>\\_x\\_\\</b\\> \\[y\\](http://e.vil) \\`z\\` \\~s\\~ \\$m\\$ \\&amp; \\\\ 1. \\\\x07";
    let answers: String = QUESTIONS
        .iter()
        .map(|q| format!("- **{q}** {NO_LOGS}\n"))
        .collect();
    let warnings: String = WARNINGS.iter().map(|w| format!("- {w}\n")).collect();
    format!(
        "# MFA audit, generated {GENERATED}

**6 users (5 enabled), 3 registered and 1 not registered among the enabled, 1 unknown; no sign-in log**

## Key figures

| Figure | Value |
| --- | ---: |
| Generated at | {GENERATED} |
| Users | 6 |
| Enabled users | 5 |
| Enabled users registered for MFA | 3 |
| Enabled users not registered | 1 |
| Enabled users whose registration is unknown | 1 |
| Per-user MFA enforced | 1 |
| Per-user MFA enabled | 0 |
| Per-user MFA disabled | 0 |
| Per-user MFA state unknown | 5 |
| Sign-ins | unknown |
| MFA challenges | unknown |
| Users challenged | unknown |
| Users who completed MFA | unknown |
| Users unable to complete MFA | unknown |
| Enabled users always required to use MFA | 1 |
| Enabled users required to use MFA under conditions | 0 |
| Enabled users no source requires to use MFA | 0 |
| Enabled users whose MFA requirement is unknown | 4 |
| Enabled users protected (registered, MFA always required) | 1 |
| Enabled users not protected | 1 |
| Enabled users whose protection is unknown | 3 |
| Enabled users who signed in without MFA | unknown |
| Enabled users who signed in over a legacy protocol | unknown |
| Security defaults on | unknown |

## Findings

### Enabled users not registered for MFA (1)

1 enabled user is not registered for MFA, and registration is unknown for 1 more; {REGISTRATION} would settle it.

| UPN | Display name |
| --- | --- |
| bob@contoso.com | Bob \\| \\*Builder\\* |

### Users unable to complete MFA (0)

Who could not complete MFA is unknown: no sign-in log was among the inputs; {NO_ACTIVITY} would settle it.

### Fraud reports, push fatigue, blocks and bypasses (0)

Fraud reports, push fatigue, blocks and bypasses are unknown: no sign-in log was among the inputs; {NO_ACTIVITY} would settle it.

### Users with telephony methods only (1)

1 user has only telephony methods, and the methods of 1 enabled user are unknown; {REGISTRATION} would settle it.

| UPN | Display name |
| --- | --- |
| eve\\_fabrikam.com#EXT#@contoso.onmicrosoft.com | {eve} |

### Administrators without MFA (0)

No administrator is known to lack MFA, but 1 enabled user could be one (admin role or registration unknown); the registration details export (its isAdmin column), with registration for every administrator would settle it.

### Always required to use MFA, yet signed in without it (0)

Whether users required to use MFA got in without it is unknown: no sign-in log was among the inputs; {NO_ACTIVITY} would settle it.

### Required to use MFA, not registered (0)

No enabled user who is required to use MFA lacks a method. For 4 enabled users who is required to use MFA is unknown; {CONFIGURATION} would settle it.

### Enabled users no source requires to use MFA (0)

No enabled user is known to be free of MFA, but for 4 enabled users it is unknown; {CONFIGURATION} would settle it.

## Answers

{answers}
## Warnings

{warnings}"
    )
}

#[test]
fn the_markdown_summary_is_exact_and_escapes_what_the_inputs_say() {
    let dir = tempdir();
    tenant(dir.path());
    audit(dir.path(), &["--markdown", "audit.md"]).ok();
    let written = std::fs::read_to_string(dir.path().join("audit.md")).expect("the summary");
    assert_eq!(written, expected_markdown());
}

/// A finding lists its first 10 users and says how many more there are.
#[test]
fn a_finding_shows_its_first_ten_users() {
    let dir = tempdir();
    let mut users = String::from("userPrincipalName,displayName,id,userType,accountEnabled\r\n");
    for i in 1..=12 {
        users.push_str(&format!(
            "u{i:02}@contoso.com,User {i},e0000000-0000-4000-8000-{i:012},Member,True\r\n"
        ));
    }
    write(dir.path(), "exports/users.csv", users);
    let ids: Vec<serde_json::Value> = (1..=12)
        .map(|i| {
            serde_json::json!({
                "id": format!("e0000000-0000-4000-8000-{i:012}"),
                "userPrincipalName": format!("u{i:02}@contoso.com"), "isAdmin": false,
                "isMfaRegistered": false, "isMfaCapable": false, "methodsRegistered": [],
            })
        })
        .collect();
    write(
        dir.path(),
        "exports/registration.json",
        serde_json::json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#reports/authenticationMethods/userRegistrationDetails",
            "value": ids,
        })
        .to_string(),
    );
    let ran = audit(dir.path(), &["--markdown", "-"]);
    ran.ok();
    let rows: String = (1..=10)
        .map(|i| format!("| u{i:02}@contoso.com | User {i} |\n"))
        .collect();
    let want = format!(
        "### Enabled users not registered for MFA (12)\n\n12 enabled users are not registered for MFA.\n\n\
         | UPN | Display name |\n| --- | --- |\n{rows}\nAnd 2 more (the CSV and the workbook list every user).\n\n\
         ### Users unable to complete MFA (0)\n"
    );
    assert!(ran.stdout.contains(&want), "{}", ran.stdout);
}

// ---------------------------------------------------------------------------------------------
// Standard output

/// `--xlsx -` and `--markdown -` write the same bytes as a file would (the run's date fixed, the
/// workbook's creation time is the report's); the summary then goes to stderr.
#[test]
fn both_outputs_write_to_standard_output() {
    let dir = tempdir();
    tenant(dir.path());
    audit(
        dir.path(),
        &["--xlsx", "audit.xlsx", "--markdown", "audit.md"],
    )
    .ok();
    let xlsx = std::fs::read(dir.path().join("audit.xlsx")).expect("the workbook");
    let ran = audit(dir.path(), &["--xlsx", "-"]);
    ran.ok();
    assert!(ran.stdout_bytes == xlsx, "--xlsx - writes the workbook");
    assert!(
        ran.stderr
            .starts_with("mfaudit audit: 6 users (5 enabled), 3 registered"),
        "{}",
        ran.stderr
    );
    let ran = audit(dir.path(), &["--markdown", "-"]);
    ran.ok().stdout_is(&expected_markdown());
    assert!(
        ran.stderr.starts_with("mfaudit audit: 6 users"),
        "{}",
        ran.stderr
    );
}

/// Standard output carries one report: two `-` are refused before anything is read or written.
#[test]
fn two_outputs_on_standard_output_are_refused() {
    let dir = tempdir();
    tenant(dir.path());
    for (a, b, named) in [
        ("--xlsx", "--markdown", "--xlsx and --markdown"),
        ("--csv", "--xlsx", "--csv and --xlsx"),
        ("--json", "--markdown", "--json and --markdown"),
    ] {
        audit(dir.path(), &[a, "-", b, "-"]).code(2).stdout_is("").stderr_is(&format!(
            "mfaudit: error: {named} all write to standard output ('-'): at most one output may go there; give the others a file name\n"
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// The CSV, the config file, outputs among the inputs

/// The CSV gains `user_type` and `is_admin` beside the names: `member` or `guest` as the users
/// export says, the admin role from the registration details (empty for fay, in none). The
/// formula UPN gets its leading `'`; eve's name stays as written, BEL included (the CSV keeps the
/// input's text; only a cell that starts like a formula is changed).
#[test]
fn the_csv_has_the_user_type_and_the_admin_role() {
    let dir = tempdir();
    tenant(dir.path());
    let ran = audit(dir.path(), &["--csv", "-"]);
    ran.ok();
    let formula = FORMULA_UPN.replace('"', "\"\"");
    ran.stdout_is(&format!(
        "\u{feff}{}\r\n\
         ada@contoso.com,Ada Lovelace,member,true,true,true,Enforced,Microsoft Authenticator (push),app-based,0,0,0,,,,,,,always,\r\n\
         bob@contoso.com,{BOB_NAME},member,false,true,false,Unknown,,,0,0,0,,,enabled-unregistered,,,,,\r\n\
         \"'{formula}\",Formula,member,false,true,true,Unknown,FIDO2 security key,phishing-resistant,0,0,0,,,,,,,,\r\n\
         {EVE_UPN},{EVE_NAME},guest,false,true,true,Unknown,Mobile phone (SMS or voice),telephony,0,0,0,,,telephony-only,,,,,\r\n\
         dan@contoso.com,Dan,member,false,false,false,Unknown,,,0,0,0,,,,,,,,\r\n\
         fay@contoso.com,Fay,member,,true,,Unknown,,,0,0,0,,,,,,,,\r\n",
        HEADER
    ));
}

/// `[outputs]` names both (relative to the config file's folder); `--dump-config` shows them.
#[test]
fn the_config_file_names_both_outputs() {
    let dir = tempdir();
    tenant(dir.path());
    write(
        dir.path(),
        "mfaudit.toml",
        "inputs = [\"exports\"]\nquiet = true\n[outputs]\nxlsx = \"out/audit.xlsx\"\nmarkdown = \"out/audit.md\"\n",
    );
    std::fs::create_dir(dir.path().join("out")).expect("out/");
    let config = dir.path().join("mfaudit.toml");
    Test::new()
        .env("SOURCE_DATE_EPOCH", TODAY)
        .arg("run")
        .arg("--config")
        .arg(&config)
        .run()
        .ok();
    let md = std::fs::read_to_string(dir.path().join("out/audit.md")).expect("the summary");
    assert_eq!(md, expected_markdown());
    let mut book = open(std::fs::read(dir.path().join("out/audit.xlsx")).expect("the workbook"));
    assert_eq!(rows(&mut book, "Summary"), summary_rows());
    let ran = Test::new()
        .arg("run")
        .arg("--config")
        .arg(&config)
        .arg("--dump-config")
        .run();
    ran.ok();
    let folder = std::path::absolute(dir.path()).expect("absolute");
    assert!(
        ran.stdout.contains(&format!(
            "[outputs]\nxlsx = \"{}\"\nmarkdown = \"{}\"\n",
            folder.join("out/audit.xlsx").display(),
            folder.join("out/audit.md").display()
        )),
        "{}",
        ran.stdout
    );
}

/// A second run in a folder that holds the first one's workbook and summary: what it writes
/// again is passed over with a note (the workbook is binary, which is no reason to warn), an
/// earlier summary under another name is recognised as ours by its title, and named as an
/// input it is refused.
#[test]
fn earlier_outputs_in_the_exports_folder_are_passed_over() {
    let dir = tempdir();
    tenant(dir.path());
    let args = [
        "--quiet",
        "--xlsx",
        "exports/audit.xlsx",
        "--markdown",
        "exports/audit.md",
    ];
    audit(dir.path(), &args).ok();
    let again = audit(dir.path(), &args[1..]);
    again.ok();
    let lines = again.stderr_lines();
    for (name, option) in [("audit.md", "--markdown"), ("audit.xlsx", "--xlsx")] {
        let note = format!(
            "note: exports/{name}: skipped: this run writes its {option} report there (in place of an earlier one)"
        );
        assert!(lines.contains(&note.as_str()), "{}", again.stderr);
    }
    std::fs::rename(
        dir.path().join("exports/audit.md"),
        dir.path().join("exports/old.md"),
    )
    .expect("rename");
    let third = audit(dir.path(), &[]);
    third.ok();
    assert!(
        third.stderr_lines().contains(
            &"note: exports/old.md: skipped: an mfaudit report (its --markdown output), not an export"
        ),
        "{}",
        third.stderr
    );
    Test::new()
        .current_dir(dir.path())
        .args(["audit", "exports/old.md"])
        .run()
        .code(2)
        .stderr_is("mfaudit: error: exports/old.md: an mfaudit report (its --markdown output), not an export: give the exports it was made from instead\n");
}

/// A run that fails writes nothing: the earlier workbook and summary stay as they were.
#[test]
fn a_failed_run_leaves_the_earlier_workbook_and_summary() {
    let dir = tempdir();
    tenant(dir.path());
    write(dir.path(), "audit.xlsx", "earlier workbook");
    write(dir.path(), "audit.md", "earlier summary");
    audit(
        dir.path(),
        &[
            "--xlsx",
            "audit.xlsx",
            "--markdown",
            "audit.md",
            "--csv",
            "no-such-folder/users.csv",
        ],
    )
    .code(1);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("audit.xlsx")).expect("kept"),
        "earlier workbook"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("audit.md")).expect("kept"),
        "earlier summary"
    );
}
