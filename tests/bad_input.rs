//! Hostile and broken input (issue 8): every file of the corpus in `tests/fixtures/bad-input/`
//! gets exactly the message `messages.tsv` gives it, exit code 2, nothing on stdout and no panic;
//! and a run killed while it writes a report leaves the previous report intact.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::{Test, tempdir, write};

#[test]
fn every_bad_input_gets_its_exact_message() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad-input");
    let table = std::fs::read_to_string(dir.join("messages.tsv")).unwrap();
    let mut checked = 0;
    for line in table.lines() {
        let (name, message) = line.split_once('\t').unwrap();
        let path = dir.join(name);
        assert!(path.is_file(), "{name} is in the corpus");
        for command in ["inspect", "audit"] {
            Test::new()
                .arg(command)
                .arg("--quiet")
                .arg(&path)
                .run()
                .code(2)
                .stdout_is("")
                .stderr_is(&format!("mfaudit: error: {}{message}\n", path.display()));
        }
        checked += 1;
    }
    let files = std::fs::read_dir(&dir).unwrap().count() - 1;
    assert_eq!(checked, files, "every corpus file has a message");
}

/// A report being written when the process is killed: the file that was there stays whole.
#[test]
fn a_kill_during_a_report_write_leaves_the_previous_file_intact() {
    let dir = tempdir();
    let mut big = String::with_capacity(40 << 20);
    for i in 0..300_000 {
        big.push_str(&format!(
            "{{\"UserPrincipalName\":\"user{i}@contoso.com\",\"BlockCredential\":false,\"StrongAuthenticationMethods\":[{{\"MethodType\":\"PhoneAppOTP\",\"IsDefault\":true}}],\"StrongAuthenticationRequirements\":[]}}\n"
        ));
    }
    let input = write(dir.path(), "big.jsonl", big);
    let report = dir.path().join("MFA_Report.csv");
    let previous = "\"UserPrincipalName\",\"MFA Status\",\"MFA Methods\"\r\n\"kept@contoso.com\",\"Disabled\",\r\n";
    std::fs::write(&report, previous).unwrap();

    let mut child = Test::new()
        .args(["methods", "-o"])
        .arg(&report)
        .arg(&input)
        .spawn();
    // Wait until the temporary file beside the report holds data, then kill.
    let start = Instant::now();
    let mut caught = false;
    while start.elapsed() < Duration::from_secs(60) {
        let partial = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| {
                e.file_name().to_string_lossy().starts_with(".mfaudit-")
                    && e.metadata().map(|m| m.len() > 0).unwrap_or(false)
            });
        if partial {
            caught = true;
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().ok();
    child.wait().unwrap();
    assert!(
        caught,
        "the run was caught while writing its temporary file"
    );
    assert_eq!(
        std::fs::read_to_string(&report).unwrap(),
        previous,
        "the previous report is intact"
    );
}
