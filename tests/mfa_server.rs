//! The MFA Server's Blocked User History and Bypassed User History (issue 21, item 5), end to end
//! through the binary. Their layout was never documented (formats.md §6), so they are read through
//! column maps (`--mfa-server-blocked-columns`, `--mfa-server-bypassed-columns`, and the config
//! file's keys); the files here are written in the shape an administrator's download or export
//! would plausibly have: a header row, one event per row, newest first as portals list them.
//! Every expected value is worked out by hand from the rows written, not taken from a run.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::{Ran, Test, tempdir, write};

const BLOCKED_MAP: &str = "user=Username,time=Date Time,action=Action,by=Admin,reason=Reason";
const BYPASSED_MAP: &str =
    "user=Username,time=Date Time,length=Bypass Length,by=Admin,reason=Reason";
const ACTIVITY_MAP: &str = "user=Username,time=Date Time,result=Call Result";

/// Four enabled users, as the admin center's "Download users" CSV lists them.
fn users(dir: &Path) {
    write(
        dir,
        "exports/users.csv",
        "userPrincipalName,displayName,accountEnabled\r\n\
         ada@contoso.com,Ada,True\r\n\
         bo@contoso.com,Bo,True\r\n\
         cy@contoso.com,Cy,True\r\n\
         di@contoso.com,Di,True\r\n",
    );
}

fn blocked_history(dir: &Path, name: &str, rows: &[&str]) {
    let mut text = String::from("Date Time,Username,Action,Admin,Reason\r\n");
    for r in rows {
        text.push_str(r);
        text.push_str("\r\n");
    }
    write(dir, &format!("exports/{name}"), text);
}

fn bypassed_history(dir: &Path, name: &str, rows: &[&str]) {
    let mut text = String::from("Date Time,Username,Bypass Length,Admin,Reason\r\n");
    for r in rows {
        text.push_str(r);
        text.push_str("\r\n");
    }
    write(dir, &format!("exports/{name}"), text);
}

/// `mfaudit ARGS audit --json report.json exports` in `dir`.
fn audit(dir: &Path, args: &[&str]) -> Ran {
    Test::new()
        .current_dir(dir)
        .args(args)
        .args(["audit", "--json", "report.json", "exports"])
        .run()
}

fn report(dir: &Path, args: &[&str]) -> (Value, Ran) {
    let ran = audit(dir, args);
    ran.ok();
    let text = std::fs::read_to_string(dir.join("report.json")).expect("the report");
    (serde_json::from_str(&text).expect("JSON"), ran)
}

fn user<'r>(report: &'r Value, upn: &str) -> &'r Value {
    report["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["upn"] == upn)
        .unwrap_or_else(|| panic!("{upn} is in the report"))
}

fn flags(report: &Value, upn: &str) -> Vec<String> {
    user(report, upn)["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect()
}

fn has(report: &Value, upn: &str, flag: &str) -> bool {
    flags(report, upn).iter().any(|f| f == flag)
}

/// The report's entry of the input of this kind.
fn input_of<'r>(report: &'r Value, kind: &str) -> &'r Value {
    report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == kind)
        .unwrap_or_else(|| panic!("an input of kind {kind}"))
}

const BOTH: [&str; 4] = [
    "--mfa-server-blocked-columns",
    BLOCKED_MAP,
    "--mfa-server-bypassed-columns",
    BYPASSED_MAP,
];

#[test]
fn block_and_unblock_sequences_decide_the_state_at_the_end() {
    let dir = tempdir();
    let d = dir.path();
    users(d);
    // Newest first. Ada: blocked, then unblocked (not blocked). Bo: unblocked, then blocked again
    // (blocked). Cy: a block and an unblock in the same second (the block wins: the worse).
    // Di: nothing.
    blocked_history(
        d,
        "blocked.csv",
        &[
            "2019-03-09 12:00:00,bo@contoso.com,Blocked,helpdesk@contoso.com,Fraud reported again",
            "2019-03-06 08:30:00,CY@contoso.com,Unblock,admin@contoso.com,Tie",
            "2019-03-06 08:30:00,cy@contoso.com,Block,admin@contoso.com,Tie",
            "2019-03-05 10:00:00,bo@contoso.com,Unblocked,admin@contoso.com,Called the user",
            "2019-03-04 09:00:00,ada@contoso.com,Unblocked,admin@contoso.com,Phone found",
            "2019-03-02 07:00:00,bo@contoso.com,Block,helpdesk@contoso.com,Fraud reported",
            "2019-03-01 08:00:00,ada@contoso.com,Blocked,admin@contoso.com,Lost phone",
        ],
    );
    let (r, _) = report(d, &BOTH[..2]);
    assert_eq!(
        user(&r, "ada@contoso.com")["mfa_server"],
        json!({
            "blocked": false, "block_events": 2, "block_changed": "2019-03-04T09:00:00Z",
            "block_by": "admin@contoso.com", "block_reason": "Phone found",
            "bypasses": null, "last_bypass": null, "last_bypass_seconds": null,
            "last_bypass_by": null, "last_bypass_reason": null
        })
    );
    assert_eq!(
        user(&r, "bo@contoso.com")["mfa_server"],
        json!({
            "blocked": true, "block_events": 3, "block_changed": "2019-03-09T12:00:00Z",
            "block_by": "helpdesk@contoso.com", "block_reason": "Fraud reported again",
            "bypasses": null, "last_bypass": null, "last_bypass_seconds": null,
            "last_bypass_by": null, "last_bypass_reason": null
        })
    );
    let cy = &user(&r, "cy@contoso.com")["mfa_server"];
    assert_eq!(
        (&cy["blocked"], &cy["block_events"]),
        (&json!(true), &json!(2))
    );
    assert_eq!(
        user(&r, "di@contoso.com")["mfa_server"],
        json!({
            "blocked": false, "block_events": 0, "block_changed": null, "block_by": null,
            "block_reason": null, "bypasses": null, "last_bypass": null,
            "last_bypass_seconds": null, "last_bypass_by": null, "last_bypass_reason": null
        })
    );
    assert!(!has(&r, "ada@contoso.com", "blocked-from-mfa"));
    assert!(has(&r, "bo@contoso.com", "blocked-from-mfa"));
    assert!(has(&r, "cy@contoso.com", "blocked-from-mfa"));
    assert!(!has(&r, "di@contoso.com", "blocked-from-mfa"));
    assert!(!has(&r, "ada@contoso.com", "bypass-used"));
}

#[test]
fn overlapping_exports_count_each_event_once() {
    let dir = tempdir();
    let d = dir.path();
    users(d);
    blocked_history(
        d,
        "blocked-week1.csv",
        &[
            "2019-03-04 09:00:00,ada@contoso.com,Unblocked,admin@contoso.com,Phone found",
            "2019-03-01 08:00:00,ada@contoso.com,Blocked,admin@contoso.com,Lost phone",
        ],
    );
    blocked_history(
        d,
        "blocked-week2.csv",
        &[
            "2019-03-10 09:00:00,ada@contoso.com,Blocked,admin@contoso.com,Lost it again",
            "2019-03-04 09:00:00,ada@contoso.com,Unblocked,admin@contoso.com,Phone found",
        ],
    );
    bypassed_history(
        d,
        "bypassed-week1.csv",
        &["2019-03-02 08:00:00,cy@contoso.com,300,admin@contoso.com,Travelling"],
    );
    bypassed_history(
        d,
        "bypassed-week2.csv",
        &[
            "2019-03-11 08:00:00,cy@contoso.com,0:10:00,admin@contoso.com,Phone broken",
            "2019-03-02 08:00:00,cy@contoso.com,300,admin@contoso.com,Travelling",
        ],
    );
    let (r, ran) = report(d, &BOTH);
    let ada = &user(&r, "ada@contoso.com")["mfa_server"];
    assert_eq!(ada["block_events"], 3);
    assert_eq!(ada["blocked"], true);
    assert_eq!(ada["block_reason"], "Lost it again");
    let cy = &user(&r, "cy@contoso.com")["mfa_server"];
    assert_eq!(
        cy,
        &json!({
            "blocked": false, "block_events": 0, "block_changed": null, "block_by": null,
            "block_reason": null, "bypasses": 2, "last_bypass": "2019-03-11T08:00:00Z",
            "last_bypass_seconds": 600, "last_bypass_by": "admin@contoso.com",
            "last_bypass_reason": "Phone broken"
        })
    );
    assert_eq!(flags(&r, "cy@contoso.com"), ["bypass-used"]);
    let want = "1 block or unblock and 1 bypass of the MFA Server histories are repeated (overlapping exports): each is counted once";
    assert!(
        r["warnings"].as_array().unwrap().iter().any(|w| w == want),
        "{:?}",
        r["warnings"]
    );
    assert!(
        ran.stderr_lines().contains(&&*format!("warning: {want}")),
        "{}",
        ran.stderr
    );
}

#[test]
fn bypass_lengths_in_every_form_and_one_that_does_not_read() {
    let dir = tempdir();
    let d = dir.path();
    users(d);
    bypassed_history(
        d,
        "bypassed.csv",
        &[
            "2019-03-06 08:00:00,di@contoso.com,soon,admin@contoso.com,No length",
            "2019-03-05 08:00:00,ada@contoso.com,2 min,admin@contoso.com,Minutes",
            "2019-03-04 08:00:00,bo@contoso.com,90 seconds,admin@contoso.com,Seconds",
            "2019-03-03 08:00:00,cy@contoso.com,01:00:00,admin@contoso.com,An hour",
        ],
    );
    let (r, ran) = report(d, &BOTH[2..]);
    let seconds = |upn| user(&r, upn)["mfa_server"]["last_bypass_seconds"].clone();
    assert_eq!(seconds("ada@contoso.com"), 120);
    assert_eq!(seconds("bo@contoso.com"), 90);
    assert_eq!(seconds("cy@contoso.com"), 3600);
    assert_eq!(seconds("di@contoso.com"), Value::Null);
    assert_eq!(user(&r, "di@contoso.com")["mfa_server"]["bypasses"], 1);
    // Without a Blocked User History, nobody's block state is known.
    assert_eq!(
        user(&r, "di@contoso.com")["mfa_server"]["blocked"],
        Value::Null
    );
    for u in ["ada", "bo", "cy", "di"] {
        assert_eq!(
            flags(&r, &format!("{u}@contoso.com")),
            ["bypass-used"],
            "{u}"
        );
    }
    let input = input_of(&r, "mfa-server-bypassed-csv");
    assert_eq!(input["records"], 4);
    assert_eq!(
        input["warnings"],
        json!([
            "1 Bypass Length cell not read as a number of seconds (first at line 2 ('soon')): counted as bypasses of unknown length"
        ])
    );
    assert!(
        ran.stderr
            .contains("warning: exports/bypassed.csv: 1 Bypass Length cell not read")
    );
}

#[test]
fn a_block_call_after_the_unblock_keeps_the_flag() {
    let dir = tempdir();
    let d = dir.path();
    users(d);
    // Ada and Bo were unblocked on 4 March; the MFA Server said "user is blocked" to Ada after
    // that (so she is blocked again, in a way the history does not show) and to Bo before it.
    blocked_history(
        d,
        "blocked.csv",
        &[
            "2019-03-04 09:00:00,ada@contoso.com,Unblocked,admin@contoso.com,Phone found",
            "2019-03-04 09:00:00,bo@contoso.com,Unblocked,admin@contoso.com,Phone found",
        ],
    );
    write(
        d,
        "exports/activity.csv",
        "Date Time,Username,Call Result\r\n\
         2019-03-05 08:00:00,ada@contoso.com,SUCCESS_USER_BLOCKED\r\n\
         2019-03-03 08:00:00,bo@contoso.com,SUCCESS_USER_BLOCKED\r\n\
         2019-03-03 08:00:00,cy@contoso.com,SUCCESS_USER_BLOCKED\r\n",
    );
    let args = [
        "--mfa-server-columns",
        ACTIVITY_MAP,
        "--mfa-server-blocked-columns",
        BLOCKED_MAP,
    ];
    let (r, _) = report(d, &args);
    assert!(has(&r, "ada@contoso.com", "blocked-from-mfa"));
    assert!(!has(&r, "bo@contoso.com", "blocked-from-mfa"));
    // Cy has no event in the history: the call decides.
    assert!(has(&r, "cy@contoso.com", "blocked-from-mfa"));
    let kinds: Vec<&str> = r["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["mfa-server-csv", "mfa-server-blocked-csv", "users-csv"]
    );
}

#[test]
fn without_a_history_the_field_is_null_and_the_flags_are_the_calls() {
    let dir = tempdir();
    let d = dir.path();
    users(d);
    let (r, _) = report(d, &[]);
    for u in r["users"].as_array().unwrap() {
        assert_eq!(u["mfa_server"], Value::Null);
    }
}

#[test]
fn users_of_the_histories_in_no_row_are_named() {
    let dir = tempdir();
    let d = dir.path();
    users(d);
    blocked_history(
        d,
        "blocked.csv",
        &[
            "2019-03-04 09:00:00,left@contoso.com,Blocked,admin@contoso.com,Left",
            "2019-03-04 09:00:00,ada@contoso.com,Blocked,admin@contoso.com,Lost phone",
        ],
    );
    let (r, _) = report(d, &BOTH[..2]);
    let want = "1 user of the MFA Server histories is in no directory export or sign-in log (the histories join users by UPN), so no row shows their events: left@contoso.com";
    assert!(
        r["warnings"].as_array().unwrap().iter().any(|w| w == want),
        "{:?}",
        r["warnings"]
    );
    assert_eq!(r["users"].as_array().unwrap().len(), 4);
}

#[test]
fn a_row_that_cannot_be_read_is_skipped_with_its_line() {
    let dir = tempdir();
    let d = dir.path();
    users(d);
    blocked_history(
        d,
        "blocked.csv",
        &[
            "2019-03-04 09:00:00,ada@contoso.com,Paused,admin@contoso.com,?",
            ",bo@contoso.com,Blocked,admin@contoso.com,No time",
            "2019-03-04 09:00:00,,Blocked,admin@contoso.com,No user",
            "yesterday,cy@contoso.com,Blocked,admin@contoso.com,Bad time",
            "2019-03-04 09:00:00,di@contoso.com,Blocked,admin@contoso.com,Fine",
        ],
    );
    let (r, ran) = report(d, &BOTH[..2]);
    let input = input_of(&r, "mfa-server-blocked-csv");
    assert_eq!(input["records"], 1);
    assert_eq!(
        input["warnings"],
        json!([
            "skipped a malformed record: exports/blocked.csv:line 2: the Action cell 'Paused' is neither a block nor an unblock; expected Block, Blocked, Unblock, Unblocked (or True/False)",
            "skipped a malformed record: exports/blocked.csv:line 3: the Date Time cell is empty: the order of the events needs it",
            "skipped a malformed record: exports/blocked.csv:line 4: the Username cell is empty: whose event it is is unknown",
            "skipped a malformed record: exports/blocked.csv:line 5: the Date Time cell 'yesterday' is not a date",
        ])
    );
    assert_eq!(user(&r, "di@contoso.com")["mfa_server"]["blocked"], true);
    assert_eq!(user(&r, "ada@contoso.com")["mfa_server"]["block_events"], 0);
    assert!(ran.stderr.contains("line 2: the Action cell 'Paused'"));
}

#[test]
fn every_mistake_in_a_column_map_is_said_exactly() {
    let dir = tempdir();
    let d = dir.path();
    users(d);
    blocked_history(
        d,
        "blocked.csv",
        &["2019-03-04 09:00:00,ada@contoso.com,Blocked,admin@contoso.com,Lost phone"],
    );
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "--mfa-server-blocked-columns",
                "user=Username,time=Date Time",
            ],
            "mfaudit: error: --mfa-server-blocked-columns needs at least user=COLUMN, time=COLUMN and action=COLUMN\n",
        ),
        (
            &["--mfa-server-blocked-columns", "user"],
            "mfaudit: error: --mfa-server-blocked-columns: 'user' is not KEY=COLUMN; expected user=COLUMN,time=COLUMN,action=COLUMN[,by=COLUMN][,reason=COLUMN]\n",
        ),
        (
            &["--mfa-server-bypassed-columns", "user=U,time=T,action=A"],
            "mfaudit: error: --mfa-server-bypassed-columns: unknown key 'action'; expected user, time, length, by and reason\n",
        ),
        (
            &["--mfa-server-columns", "user=U"],
            "mfaudit: error: --mfa-server-columns needs at least user=COLUMN and result=COLUMN\n",
        ),
        (
            &[
                "--mfa-server-blocked-columns",
                "user=Username,time=When,action=Action",
            ],
            "mfaudit: error: exports/blocked.csv:line 1: --mfa-server-blocked-columns time=When: no such column; the header has: Date Time, Username, Action, Admin, Reason\n",
        ),
    ];
    for (args, want) in cases {
        audit(d, args).code(2).stderr_is(want);
    }
}

#[test]
fn each_csv_goes_to_the_map_it_fits() {
    let dir = tempdir();
    let d = dir.path();
    users(d);
    blocked_history(
        d,
        "blocked.csv",
        &["2019-03-04 09:00:00,ada@contoso.com,Blocked,admin@contoso.com,Lost phone"],
    );
    bypassed_history(
        d,
        "bypassed.csv",
        &["2019-03-04 09:00:00,bo@contoso.com,300,admin@contoso.com,Travelling"],
    );
    write(
        d,
        "exports/activity.csv",
        "Date Time,Username,Call Result\r\n2019-03-05 08:00:00,cy@contoso.com,SUCCESS_BYPASSED_AUTH\r\n",
    );
    let mut args = vec!["--mfa-server-columns", ACTIVITY_MAP];
    args.extend(BOTH);
    let ran = Test::new()
        .current_dir(d)
        .args(&args)
        .args(["inspect", "--format", "json", "exports"])
        .run();
    ran.ok();
    let inspected: Value = serde_json::from_str(&ran.stdout).unwrap();
    let kinds: Vec<(String, String)> = inspected["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["path"].as_str().unwrap().to_string(),
                i["kind_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("exports/activity.csv", "mfa-server-csv"),
        ("exports/blocked.csv", "mfa-server-blocked-csv"),
        ("exports/bypassed.csv", "mfa-server-bypassed-csv"),
        ("exports/users.csv", "users-csv"),
    ];
    assert_eq!(
        kinds,
        want.map(|(p, k)| (p.to_string(), k.to_string())),
        "{}",
        ran.stdout
    );
    // The bypass call and the bypass history both raise bypass-used.
    let (r, _) = report(d, &args);
    assert_eq!(flags(&r, "bo@contoso.com"), ["bypass-used"]);
    assert!(has(&r, "cy@contoso.com", "bypass-used"));
    assert_eq!(user(&r, "cy@contoso.com")["mfa_server"]["bypasses"], 0);
}

#[test]
fn a_csv_two_maps_fit_or_none_fits_is_refused_by_name() {
    let dir = tempdir();
    let d = dir.path();
    write(
        d,
        "both.csv",
        "Date,Username,Action,Length\r\n2019-03-01,a@contoso.com,Block,30\r\n",
    );
    write(
        d,
        "none.csv",
        "Date,Login,Other\r\n2019-03-01,a@contoso.com,x\r\n",
    );
    let maps = [
        "--mfa-server-blocked-columns",
        "user=Username,time=Date,action=Action",
        "--mfa-server-bypassed-columns",
        "user=Username,time=Date,length=Length",
    ];
    let run = |file: &str| {
        Test::new()
            .current_dir(d)
            .args(maps)
            .args(["inspect", file])
            .run()
    };
    run("both.csv").code(2).stderr_is(
        "mfaudit: error: both.csv:line 1: fits both --mfa-server-blocked-columns and --mfa-server-bypassed-columns: name a column in one of them that only its report has\n",
    );
    run("none.csv").code(2).stderr_is(
        "mfaudit: error: none.csv:line 1: fits none of the MFA Server column maps (--mfa-server-blocked-columns lacks Username, Action; --mfa-server-bypassed-columns lacks Username, Length); the header has: Date, Login, Other\n",
    );
}

#[test]
fn the_config_file_names_the_maps() {
    let dir = tempdir();
    let d = dir.path();
    users(d);
    blocked_history(
        d,
        "blocked.csv",
        &["2019-03-04 09:00:00,ada@contoso.com,Blocked,admin@contoso.com,Lost phone"],
    );
    write(
        d,
        "mfaudit.toml",
        format!(
            "inputs = [\"exports\"]\nmfa-server-blocked-columns = \"{BLOCKED_MAP}\"\n\n[outputs]\njson = \"report.json\"\n"
        ),
    );
    Test::new()
        .current_dir(d)
        .args(["run", "--config", "mfaudit.toml"])
        .run()
        .ok();
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("report.json")).unwrap()).unwrap();
    assert_eq!(user(&r, "ada@contoso.com")["mfa_server"]["blocked"], true);
    write(
        d,
        "bad.toml",
        "inputs = [\"exports\"]\nmfa-server-bypassed-columns = \"user=U\"\n",
    );
    let ran = Test::new()
        .current_dir(d)
        .args(["run", "--config", "bad.toml"])
        .run();
    ran.code(2);
    assert!(
        ran.stderr.contains("mfa-server-bypassed-columns")
            && ran.stderr.contains(
                "--mfa-server-bypassed-columns needs at least user=COLUMN and time=COLUMN"
            ),
        "{}",
        ran.stderr
    );
}
