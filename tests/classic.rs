//! The classic reports (issue 2): the golden vectors of powershell.md for fixture F1, in every
//! MSOnline JSON shape, the shipped example tenant, and bad input.

use std::path::{Path, PathBuf};

use crate::support::{Test, tempdir, write};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/classic")
        .join(name)
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/contoso-msonline")
        .join(name)
}

// The appendix of powershell.md, verbatim.
const P1_CONSOLE_51: &str = "\r\nUserPrincipalName\r\n-----------------\r\nbob@contoso.com  \r\ncarol@contoso.com\r\n\r\n\r\n";
const P1_CONSOLE_7_UNIX: &str =
    "\nUserPrincipalName\n-----------------\nbob@contoso.com\ncarol@contoso.com\n\n";
const P2_CONSOLE_51: &str = "\r\nUserPrincipalName\r\n-----------------\r\nalice@contoso.com\r\nfrank@contoso.com\r\n\r\n\r\n";
const P2_CONSOLE_7_UNIX: &str =
    "\nUserPrincipalName\n-----------------\nalice@contoso.com\nfrank@contoso.com\n\n";
const P3_CSV_WIN: &str = "\"UserPrincipalName\",\"MFA Status\",\"MFA Methods\"\r\n\"alice@contoso.com\",\"Disabled\",\r\n\"bob@contoso.com\",\"Enforced\",\"PhoneAppOTP PhoneAppNotification\"\r\n\"carol@contoso.com\",\"Enabled\",\"OneWaySMS\"\r\n\"dave@contoso.com\",\"Disabled\",\"PhoneAppOTP\"\r\n\"erin@contoso.com\",\"Disabled\",\r\n\"frank@contoso.com\",\"Disabled\",\r\n";

const F1_SHAPES: &[&str] = &[
    "f1-ps51-utf16.json",
    "f1-ps7.json",
    "f1.jsonl",
    "f1-value-count.json",
];

fn stdout_of(args: &[&str], input: &Path) -> Vec<u8> {
    crate::support::stdout_of(args, &[input])
}

#[test]
fn p3_csv_is_byte_identical_in_every_json_shape() {
    for shape in F1_SHAPES {
        let f = fixture(shape);
        assert_eq!(
            String::from_utf8(stdout_of(&["methods"], &f)).unwrap(),
            P3_CSV_WIN,
            "{shape}"
        );
        assert_eq!(
            String::from_utf8(stdout_of(&["methods", "--powershell-exact"], &f)).unwrap(),
            P3_CSV_WIN,
            "{shape}"
        );
    }
}

#[test]
fn p1_and_p2_console_tables() {
    for shape in F1_SHAPES {
        let f = fixture(shape);
        assert_eq!(
            stdout_of(&["registered", "--powershell-exact"], &f),
            P1_CONSOLE_51.as_bytes(),
            "{shape}"
        );
        assert_eq!(
            stdout_of(&["unregistered", "--powershell-exact"], &f),
            P2_CONSOLE_51.as_bytes(),
            "{shape}"
        );
        if cfg!(unix) {
            assert_eq!(
                stdout_of(&["registered"], &f),
                P1_CONSOLE_7_UNIX.as_bytes(),
                "{shape}"
            );
            assert_eq!(
                stdout_of(&["unregistered"], &f),
                P2_CONSOLE_7_UNIX.as_bytes(),
                "{shape}"
            );
        }
    }
}

#[test]
fn list_csv_and_json_formats() {
    let f = fixture("f1-ps51-utf16.json");
    assert_eq!(
        stdout_of(&["registered", "-f", "list"], &f),
        b"bob@contoso.com\ncarol@contoso.com\n"
    );
    assert_eq!(
        stdout_of(&["registered", "--format", "csv"], &f),
        b"\"UserPrincipalName\"\r\n\"bob@contoso.com\"\r\n\"carol@contoso.com\"\r\n"
    );
    assert_eq!(
        String::from_utf8(stdout_of(&["unregistered", "-f", "json"], &f)).unwrap(),
        "[\n  {\n    \"UserPrincipalName\": \"alice@contoso.com\"\n  },\n  {\n    \"UserPrincipalName\": \"frank@contoso.com\"\n  }\n]\n"
    );
}

#[test]
fn a_single_user_export_is_a_bare_object() {
    let f = fixture("bob-single-ps51.json");
    assert_eq!(
        stdout_of(&["methods"], &f),
        b"\"UserPrincipalName\",\"MFA Status\",\"MFA Methods\"\r\n\"bob@contoso.com\",\"Enforced\",\"PhoneAppOTP PhoneAppNotification\"\r\n"
    );
}

#[test]
fn non_ascii_utf8_and_the_51_question_mark() {
    let dir = tempdir();
    let f = write(
        dir.path(),
        "zoe.json",
        "[{\"UserPrincipalName\":\"zo\u{eb}@contoso.com\",\"BlockCredential\":false,\"StrongAuthenticationMethods\":[],\"StrongAuthenticationRequirements\":[]},{\"UserPrincipalName\":\"smile\u{1F600}@contoso.com\",\"BlockCredential\":false,\"StrongAuthenticationMethods\":[],\"StrongAuthenticationRequirements\":[]}]",
    );
    let header = "\"UserPrincipalName\",\"MFA Status\",\"MFA Methods\"\r\n";
    assert_eq!(
        String::from_utf8(stdout_of(&["methods"], &f)).unwrap(),
        format!(
            "{header}\"zo\u{eb}@contoso.com\",\"Disabled\",\r\n\"smile\u{1F600}@contoso.com\",\"Disabled\",\r\n"
        )
    );
    assert_eq!(
        stdout_of(&["methods", "--powershell-exact"], &f),
        format!(
            "{header}\"zo?@contoso.com\",\"Disabled\",\r\n\"smile??@contoso.com\",\"Disabled\",\r\n"
        )
        .as_bytes()
    );
}

#[test]
fn windows_1252_file_is_read_with_a_warning() {
    let f = fixture("zoe-ps51-ansi.json");
    let out = Test::new().arg("methods").arg(&f).run();
    out.ok().utf8().stdout_is(
        "\"UserPrincipalName\",\"MFA Status\",\"MFA Methods\"\r\n\"zo\u{eb}@contoso.com\",\"Disabled\",\r\n",
    );
    let stderr = &out.stderr;
    assert!(
        stderr.contains("not valid UTF-8; read as Windows-1252"),
        "{stderr}"
    );
    // --encoding overrides detection: read as UTF-8 the byte 0xEB is invalid.
    Test::new()
        .args(["methods", "--encoding", "windows-1252"])
        .arg(&f)
        .run()
        .ok()
        .stderr_is("");
}

#[test]
fn the_shipped_example_tenant_matches_its_expected_reports() {
    let expected = |name: &str| std::fs::read(example(&format!("expected/{name}"))).unwrap();
    for shape in [
        "exports/msol-ps51.json",
        "exports/msol-ps7.json",
        "exports/msol-ps51.clixml",
    ] {
        let f = example(shape);
        assert_eq!(
            stdout_of(&["methods"], &f),
            expected("MFA_Report.csv"),
            "{shape}"
        );
        assert_eq!(
            stdout_of(&["methods", "--powershell-exact"], &f),
            expected("MFA_Report.ps51.csv"),
            "{shape}"
        );
        for which in ["registered", "unregistered"] {
            assert_eq!(
                stdout_of(&[which, "--powershell-exact"], &f),
                expected(&format!("{which}.ps51.txt"))
            );
            assert_eq!(
                stdout_of(&[which, "-f", "csv"], &f),
                expected(&format!("{which}.csv"))
            );
            if cfg!(unix) {
                assert_eq!(stdout_of(&[which], &f), expected(&format!("{which}.txt")));
            }
        }
    }
}

#[test]
fn output_file_is_written_and_left_untouched_on_error() {
    let dir = tempdir();
    let out = dir.path().join("MFA_Report.csv");
    Test::new()
        .args(["methods", "-o"])
        .arg(&out)
        .arg(fixture("f1-ps7.json"))
        .run()
        .ok()
        .stdout_is("");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), P3_CSV_WIN);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode(&out),
            0o644,
            "a new report is readable like any file, not private like a temp file"
        );
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).unwrap();
        Test::new()
            .args(["methods", "-o"])
            .arg(&out)
            .arg(fixture("f1-ps7.json"))
            .run()
            .ok();
        assert_eq!(mode(&out), 0o640, "a replaced report keeps its permissions");
    }
    let bad = write(
        dir.path(),
        "bad.json",
        "[{\"UserPrincipalName\":\"a\",\"BlockCredential\":false},\n{\"UserPrincipalName\":",
    );
    Test::new()
        .args(["methods", "-o"])
        .arg(&out)
        .arg(&bad)
        .run()
        .code(2);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        P3_CSV_WIN,
        "the previous report survives"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary file left behind");
}

/// Each bad input: exit 2 and exactly one line naming the file, the position and what was expected.
#[test]
fn bad_input_gets_one_clear_line() {
    let dir = tempdir();
    let cases: &[(&str, &[u8], &str)] = &[
        ("empty.json", b"", "empty.json: the file is empty: an empty export is almost always a failed export; export it again"),
        ("truncated.json", b"[{\"UserPrincipalName\":\"a\",\"BlockCredential\":false},\n {\"UserPrincipalName\":\"b\"", "truncated.json:2:26: the JSON ends inside a value that starts at 2:2: the file is truncated"),
        ("wrongtype.json", b"[{\"UserPrincipalName\":5,\"BlockCredential\":false}]", "wrongtype.json:1:23: expected a Get-MsolUser object: invalid type: integer `5`, expected a string"),
        ("garbage.json", b"{\"BlockCredential\":false,]", "garbage.json:1:26: expected a member name, found ']'"),
        ("unknown.csv", b"a,b,c\r\n1,2,3\r\n", "unknown.csv: not an export mfaudit recognises"),
        ("raw.csv", b"#TYPE Microsoft.Online.Administration.User\r\n\"ExtensionData\",\"BlockCredential\",\"StrongAuthenticationMethods\"\r\n", "raw.csv: this is a raw Get-MsolUser | Export-Csv"),
        ("lost.json", b"[{\"UserPrincipalName\":\"a\",\"BlockCredential\":false,\"StrongAuthenticationMethods\":[\"Microsoft.Online.Administration.StrongAuthenticationMethod\"]}]", "lost.json:1:2: StrongAuthenticationMethods holds the type name 'Microsoft.Online.Administration.StrongAuthenticationMethod' instead of the methods"),
        ("binary.json", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "binary.json:byte 8: binary data"),
    ];
    for (name, bytes, want) in cases {
        let f = write(dir.path(), name, bytes);
        let out = Test::new().arg("methods").arg(&f).run();
        out.code(2).utf8().stdout_is("");
        let stderr = &out.stderr;
        assert_eq!(stderr.lines().count(), 1, "{name}: one line: {stderr}");
        let line = stderr.trim_end();
        let want = format!(
            "mfaudit: error: {}",
            f.parent().unwrap().join(want).display()
        );
        assert!(
            line.starts_with(&want),
            "{name}:\n got: {line}\nwant: {want}"
        );
        assert!(!line.contains("panicked"), "{name}");
    }
}

#[test]
fn lost_data_names_the_fix() {
    let dir = tempdir();
    let f = write(
        dir.path(),
        "lost.json",
        "{\"UserPrincipalName\":\"a\",\"BlockCredential\":false,\"StrongAuthenticationMethods\":\"Microsoft.Online.Administration.StrongAuthenticationMethod\"}",
    );
    let out = Test::new().arg("registered").arg(&f).run();
    out.code(2).utf8();
    assert!(
        out.stderr.contains("ConvertTo-Json -Depth 4"),
        "{}",
        out.stderr
    );
}

#[test]
fn zero_users_after_filtering_write_zero_bytes() {
    let f = fixture("f1-ps7.json");
    assert_eq!(
        stdout_of(
            &["registered", "-f", "csv", "--per-user-state", "disabled"],
            &f
        ),
        b""
    );
    assert_eq!(
        stdout_of(
            &[
                "registered",
                "--powershell-exact",
                "--per-user-state",
                "disabled"
            ],
            &f
        ),
        b""
    );
    assert_eq!(stdout_of(&["methods", "--per-user-state", "enforced"], &f), b"\"UserPrincipalName\",\"MFA Status\",\"MFA Methods\"\r\n\"bob@contoso.com\",\"Enforced\",\"PhoneAppOTP PhoneAppNotification\"\r\n");
}
