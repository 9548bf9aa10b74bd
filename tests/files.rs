//! Files, streams and terminals (issue 17): outputs that never destroy, inputs that never loop or
//! explode, and text from inputs that never reaches a terminal as escape sequences. The device,
//! FIFO and symlink tests make their own nodes in a temporary folder (never on `/dev`) and say
//! they skipped where that is not permitted.

use std::path::{Path, PathBuf};

use crate::support::{Test, tempdir, write};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/contoso/exports")
}

/// `mknod PATH c MAJOR MINOR`; false (with a note) where it is not permitted.
#[cfg(unix)]
fn mknod(path: &Path, major: u32, minor: u32) -> bool {
    let ok = std::process::Command::new("mknod")
        .arg(path)
        .args(["c", &major.to_string(), &minor.to_string()])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("skipped: mknod is not permitted here");
    }
    ok
}

#[cfg(unix)]
fn mkfifo(path: &Path) -> bool {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("skipped: mkfifo is not available");
    }
    ok
}

#[cfg(unix)]
fn file_type(path: &Path) -> std::fs::FileType {
    std::fs::symlink_metadata(path).unwrap().file_type()
}

/// A device is written in place and stays a device; a write error (a full device) is an error.
#[cfg(unix)]
#[test]
fn a_device_output_is_written_in_place() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempdir();
    let null = dir.path().join("null");
    let full = dir.path().join("full");
    if !mknod(&null, 1, 3) || !mknod(&full, 1, 7) {
        return;
    }
    Test::new()
        .args(["methods", "-o"])
        .arg(&null)
        .arg(examples())
        .run()
        .code(0);
    assert!(file_type(&null).is_char_device(), "still a device");
    let ran = Test::new()
        .args(["audit", "--json"])
        .arg(&full)
        .arg(examples())
        .run();
    ran.code(1);
    assert!(
        ran.stderr.contains("No space left on device"),
        "{}",
        ran.stderr
    );
    assert!(file_type(&full).is_char_device());
}

/// A FIFO's reader gets the report; the FIFO stays a FIFO.
#[cfg(unix)]
#[test]
fn a_fifo_output_gets_the_report() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempdir();
    let fifo = dir.path().join("pipe");
    if !mkfifo(&fifo) {
        return;
    }
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(&fifo).unwrap())
    };
    Test::new()
        .args(["methods", "-o"])
        .arg(&fifo)
        .arg(examples())
        .run()
        .code(0);
    let got = reader.join().unwrap();
    assert!(got.starts_with(b"\"UserPrincipalName\",\"MFA Status\",\"MFA Methods\"\r\n"));
    assert!(file_type(&fifo).is_fifo());
}

/// A symlink's target is replaced; the link stays a link.
#[cfg(unix)]
#[test]
fn a_symlinked_output_replaces_its_target() {
    let dir = tempdir();
    let target = write(dir.path(), "real/report.csv", "old");
    let link = dir.path().join("report.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    Test::new()
        .args(["methods", "-o"])
        .arg(&link)
        .arg(examples())
        .run()
        .code(0);
    assert!(file_type(&link).is_symlink());
    assert!(
        std::fs::read_to_string(&target)
            .unwrap()
            .starts_with("\"UserPrincipalName\"")
    );
}

/// An output that is also an input is refused before anything is read or written.
#[test]
fn an_output_that_is_an_input_is_refused() {
    let dir = tempdir();
    let e = dir.path().join("e");
    let reg = write(
        &e,
        "userRegistrationDetails.json",
        std::fs::read(examples().join("userRegistrationDetails.json")).unwrap(),
    );
    write(
        &e,
        "users.csv",
        std::fs::read(examples().join("exportUsers_2026-11-29.csv")).unwrap(),
    );
    let before = std::fs::read(&reg).unwrap();
    // Reached through a folder or by name, the export is never replaced.
    Test::new()
        .arg("audit")
        .arg(&e)
        .arg("--json")
        .arg(&reg)
        .run()
        .code(2)
        .stderr_is(&format!(
            "mfaudit: error: {} is both an input (found in a folder given) and the --json output: the report would replace the export; write the report elsewhere\n",
            reg.display()
        ));
    assert_eq!(
        std::fs::read(&reg).unwrap(),
        before,
        "the export is as it was"
    );
    Test::new().arg("audit").arg(&reg).arg("--json").arg(&reg).run().code(2).stderr_is(&format!(
        "mfaudit: error: {} is both an input and the --json output: the report would replace the export; write the report elsewhere\n",
        reg.display()
    ));
    assert_eq!(
        std::fs::read(&reg).unwrap(),
        before,
        "the export is as it was"
    );
}

/// New reports get the umask's mode; a replaced one keeps its bits without setuid.
#[cfg(unix)]
#[test]
fn report_modes_follow_the_umask_and_the_replaced_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir();
    let new = dir.path().join("new.csv");
    let old = write(dir.path(), "old.csv", "x");
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o4640)).unwrap();
    for out in [&new, &old] {
        Test::new()
            .umask(0o077)
            .args(["methods", "-o"])
            .arg(out)
            .arg(examples())
            .run()
            .ok();
    }
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode(&new), 0o600);
    assert_eq!(mode(&old), 0o640);
}

/// When one output cannot be written, none is replaced, and no temporary file is left.
#[test]
fn a_run_is_all_or_nothing() {
    let dir = tempdir();
    let json = write(dir.path(), "a.json", "previous");
    let ran = Test::new()
        .arg("audit")
        .arg(examples())
        .arg("--json")
        .arg(&json)
        .arg("--csv")
        .arg(dir.path().join("no-such-folder/users.csv"))
        .run();
    ran.code(1);
    assert_eq!(std::fs::read_to_string(&json).unwrap(), "previous");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["a.json"]);
}

/// A run that failed (the mail was not sent) is not recorded: the next run still reports its
/// changes against the last run that completed.
#[test]
fn a_failed_run_is_not_in_the_history() {
    let dir = tempdir();
    let db = dir.path().join("h.db");
    // A port nothing listens on: taken, then let go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let ran = Test::new()
        .arg("audit")
        .arg(examples())
        .arg("--history")
        .arg(&db)
        .args([
            "--email-to",
            "a@contoso.com",
            "--email-from",
            "m@contoso.com",
        ])
        .args([
            "--smtp-host",
            "127.0.0.1",
            "--smtp-security",
            "none",
            "--smtp-port",
        ])
        .arg(port.to_string())
        .run();
    ran.code(1);
    Test::new()
        .args(["history", "--db"])
        .arg(&db)
        .run()
        .code(0)
        .stdout_is("Run  When  Users  Enabled  Registered share  Unregistered\n");
}

/// Standard input streams like a file: an endless stream of zeros is refused at once, and a log
/// through a pipe gives what the same log gives from its path.
#[test]
fn standard_input_streams() {
    let started = std::time::Instant::now();
    // The stream itself (not a copy of it in memory) is the process's standard input.
    Test::new()
        .args(["inspect", "-"])
        .stdin_file(std::fs::File::open("/dev/zero").unwrap())
        .run()
        .code(2)
        .stderr_is("mfaudit: error: -:byte 0: binary data (a NUL byte) where text was expected: this is not an export mfaudit reads\n");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let dir = tempdir();
    let mut log = String::new();
    for i in 0..20_000 {
        log.push_str(&format!(
            "{{\"time\":\"2026-11-28T10:00:00Z\",\"category\":\"SignInLogs\",\"operationName\":\"Sign-in activity\",\"properties\":{{\"id\":\"r{i}\",\"userPrincipalName\":\"u{}@contoso.com\",\"status\":{{\"errorCode\":0}}}}}}\n",
            i % 97
        ));
    }
    let path = write(dir.path(), "PT1H.json", &log);
    let from_path = Test::new().args(["audit", "--json", "-"]).arg(&path).run();
    let from_stdin = Test::new()
        .args(["audit", "--json", "-", "-"])
        .stdin(log)
        .run();
    from_path.code(0);
    from_stdin.code(0);
    let summary =
        |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap()["summary"].clone();
    assert_eq!(summary(&from_stdin.stdout), summary(&from_path.stdout));
    assert_eq!(summary(&from_stdin.stdout)["signins_total"], 20_000);
}

/// A link to an ancestor, and folders linking to each other: every file read once.
#[cfg(unix)]
#[test]
fn symlink_loops_in_inputs_end() {
    let dir = tempdir();
    let e = dir.path().join("e");
    for f in [
        "exportUsers_2026-11-29.csv",
        "userRegistrationDetails.json",
        "signins/InteractiveSignIns_2026-11-22_2026-11-29.json",
    ] {
        write(&e, f, std::fs::read(examples().join(f)).unwrap());
    }
    std::os::unix::fs::symlink("..", e.join("signins/up")).unwrap();
    std::os::unix::fs::symlink("../signins", e.join("signins/again")).unwrap();
    let json = |path: &Path| {
        let ran = Test::new().args(["audit", "--json", "-"]).arg(path).run();
        ran.code(0);
        serde_json::from_str::<serde_json::Value>(&ran.stdout).unwrap()
    };
    let r = json(&e);
    assert_eq!(r["summary"]["signins_total"], 25);
    assert_eq!(
        r["summary"]["duplicate_signins"], 0,
        "each file once, not its sign-ins twice"
    );
    assert_eq!(r["inputs"].as_array().map(Vec::len), Some(3));
}

/// A FIFO given as an input says what it is; in a folder it is passed over with a warning.
#[cfg(unix)]
#[test]
fn a_fifo_input_is_not_read() {
    let dir = tempdir();
    let fifo = dir.path().join("pipe.json");
    if !mkfifo(&fifo) {
        return;
    }
    write(
        dir.path(),
        "users.csv",
        "userPrincipalName,accountEnabled\r\nada@contoso.com,True\r\n",
    );
    Test::new().arg("inspect").arg(&fifo).run().code(2).stderr_is(&format!(
        "mfaudit: error: {}: is a FIFO (named pipe), which mfaudit does not read: to read a stream, pass - and redirect it to standard input\n",
        fifo.display()
    ));
    let ran = Test::new().arg("audit").arg(dir.path()).run();
    ran.code(0);
    assert!(
        ran.stderr.contains(&format!(
            "warning: {}: skipped: a FIFO (named pipe), not a file: not read\n",
            fifo.display()
        )),
        "{}",
        ran.stderr
    );
}

/// Broken CSV exports: a stray quote or a short row in a directory export is an error naming the
/// line; a sign-in CSV cut inside a quote keeps what was read and says so.
#[test]
fn broken_csv_exports_are_refused_or_said() {
    let dir = tempdir();
    let users = write(
        dir.path(),
        "users.csv",
        "userPrincipalName,accountEnabled\r\nada@contoso.com,True\r\n\"bob@contoso.com,True\r\ncy@contoso.com,True\r\n",
    );
    Test::new().arg("audit").arg(&users).run().code(2).stderr_is(&format!(
        "mfaudit: error: {}:line 3: the file ends inside the quoted field that opens on this line (a stray quote, or a file cut short)\n",
        users.display()
    ));
    let short = write(
        dir.path(),
        "short.csv",
        "userPrincipalName,accountEnabled\r\nada@contoso.com\r\n",
    );
    Test::new().arg("audit").arg(&short).run().code(2).stderr_is(&format!(
        "mfaudit: error: {}:line 2: expected 2 fields as in the header, found 1: the row is cut short or has a stray delimiter or quote\n",
        short.display()
    ));
    let header = "Date (UTC),Request ID,User ID,Username,Status,Sign-in error code,Multifactor authentication result,Authentication requirement\r\n";
    let signins = write(
        dir.path(),
        "InteractiveSignIns.csv",
        format!(
            "{header}2026-11-28T10:00:00Z,r1,,ada@contoso.com,Success,0,MFA successfully completed,Multifactor authentication\r\n2026-11-28T10:01:00Z,r2,,ada@contoso.com\r\n2026-11-28T10:02:00Z,r3,,\"ada@contoso.com,Success,0"
        ),
    );
    let ran = Test::new()
        .args(["audit", "--json", "-"])
        .arg(&signins)
        .run();
    ran.code(0);
    assert!(
        ran.stderr.contains("skipped a malformed record: "),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains(":line 3: expected 8 fields as in the header, found 4"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("stopped reading after 1 sign-in: "),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains(":line 4: the file ends inside the quoted field that opens on this line"),
        "{}",
        ran.stderr
    );
}

/// A Graph export whose last page still says more follow is read, and said to be incomplete:
/// on stderr and in the report's "what this data does not show".
#[test]
fn an_export_cut_after_a_page_is_incomplete() {
    let dir = tempdir();
    let reg = write(
        dir.path(),
        "reg.json",
        r#"{"@odata.context":"https://graph.microsoft.com/beta/$metadata#reports/authenticationMethods/userRegistrationDetails","@odata.nextLink":"https://graph.microsoft.com/beta/reports/authenticationMethods/userRegistrationDetails?$skiptoken=2","value":[{"userPrincipalName":"ada@contoso.com","isMfaRegistered":true}]}"#,
    );
    let ran = Test::new().args(["audit", "--json", "-"]).arg(&reg).run();
    ran.code(0);
    let r: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    assert_eq!(r["inputs"][0]["incomplete"], true);
    assert!(
        r["warnings"][0]
            .as_str()
            .unwrap()
            .contains("is incomplete: its last page says more pages follow"),
        "{}",
        r["warnings"]
    );
    assert!(
        ran.stderr.contains("the export is incomplete"),
        "{}",
        ran.stderr
    );
}

/// A JSON Lines record over the size limit skips that line, never held whole, not the rest.
#[test]
fn an_oversized_json_lines_record_skips_its_line() {
    let dir = tempdir();
    let mut log = String::from(
        "{\"id\":\"a\",\"createdDateTime\":\"2026-11-28T10:00:00Z\",\"userPrincipalName\":\"ada@contoso.com\",\"status\":{\"errorCode\":0}}\n",
    );
    log.push_str("{\"id\":\"b\",\"userPrincipalName\":\"");
    log.push_str(&"x".repeat(65 * 1024 * 1024));
    log.push_str("\"}\n");
    log.push_str("{\"id\":\"c\",\"createdDateTime\":\"2026-11-28T10:02:00Z\",\"userPrincipalName\":\"bob@contoso.com\",\"status\":{\"errorCode\":0}}\n");
    let path = write(dir.path(), "s.jsonl", log);
    let ran = Test::new().args(["audit", "--json", "-"]).arg(&path).run();
    ran.code(0);
    let r: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    assert_eq!(r["summary"]["signins_total"], 2);
    assert!(ran.stderr.contains(&format!(
        "skipped a malformed record: {}:2:1: one JSON record is larger than 64 MiB: not an export record",
        path.display()
    )), "{}", ran.stderr);
}

/// Escape sequences in a UPN anyone can type into a login page, and in a file's name, reach the
/// terminal escaped; an error is one line whatever the input quoted in it held.
#[test]
fn text_from_inputs_never_reaches_a_terminal_raw() {
    let dir = tempdir();
    let users = write(
        dir.path(),
        "users.csv",
        "userPrincipalName,accountEnabled\r\nada@contoso.com,True\r\n",
    );
    let evil = "\\u001b]0;pwned\\u0007\\u001b[2J\\u001b[32mAll users registered\\u001b[0m@x";
    let log = write(
        dir.path(),
        "s.json",
        format!(
            r#"[{{"id":"e1","createdDateTime":"2026-11-28T10:00:00Z","userPrincipalName":"{evil}","status":{{"errorCode":0}}}}]"#
        ),
    );
    let ran = Test::new().arg("audit").arg(&users).arg(&log).run();
    ran.code(0);
    assert!(
        !ran.stderr.contains('\u{1b}'),
        "raw escape on stderr: {:?}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains("\\x1b]0;pwned\\x07\\x1b[2J\\x1b[32mAll users registered"),
        "{}",
        ran.stderr
    );
    let name = dir.path().join("bad\u{1b}[2Jname\nline.json");
    std::fs::write(&name, "{\"hello\": 1}").unwrap();
    let ran = Test::new().arg("inspect").arg(&name).run();
    ran.code(2);
    assert_eq!(ran.stderr.lines().count(), 1, "one line: {:?}", ran.stderr);
    assert!(!ran.stderr.contains('\u{1b}'));
    assert!(
        ran.stderr.contains("bad\\x1b[2Jname\\nline.json"),
        "{}",
        ran.stderr
    );
}
