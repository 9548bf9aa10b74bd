//! Every reader on every encoding PowerShell and Excel write (issue 2): each fixture, re-encoded as
//! UTF-8, UTF-8 with BOM, UTF-16LE and UTF-16BE with BOM, and Windows-1252, reads to the same
//! records; directory exports give the same MFA_Report.csv byte for byte.

use std::path::{Path, PathBuf};

use crate::support::{Test, stdout_of, tempdir, write};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The fixture's text, whatever it was saved as.
fn text_of(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        let units: Vec<u16> = rest
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16(&units).unwrap();
    }
    let s = String::from_utf8(bytes).unwrap();
    s.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(s)
}

fn encodings(text: &str) -> Vec<(&'static str, Vec<u8>)> {
    let mut out = vec![
        ("utf8", text.as_bytes().to_vec()),
        (
            "utf8bom",
            [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        ),
        (
            "utf16le",
            [
                vec![0xFF, 0xFE],
                text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            ]
            .concat(),
        ),
        (
            "utf16be",
            [
                vec![0xFE, 0xFF],
                text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            ]
            .concat(),
        ),
    ];
    let (ansi, _, lossy) = encoding_rs::WINDOWS_1252.encode(text);
    if !lossy {
        out.push(("ansi", ansi.into_owned()));
    }
    out
}

fn inspect(path: &Path) -> (String, u64) {
    let out = Test::new()
        .args(["inspect", "--quiet", "--format", "json"])
        .arg(path)
        .run();
    out.ok();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout_bytes).unwrap();
    let f = &v["files"][0];
    (
        f["kind"].as_str().unwrap().to_string(),
        f["records"].as_u64().unwrap(),
    )
}

#[test]
fn every_reader_reads_every_encoding_alike() {
    let fixtures = [
        "tests/fixtures/classic/f1-ps7.json",
        "tests/fixtures/classic/f1.jsonl",
        "examples/contoso-msonline/exports/msol-ps51.clixml",
        "examples/contoso-msonline/expected/MFA_Report.csv",
        "examples/contoso/exports/userRegistrationDetails.json",
        "examples/contoso/exports/exportUsers_2026-11-29.csv",
        "examples/contoso/exports/per-user-mfa-state.csv",
        "tests/fixtures/graph/registration.csv",
        "tests/fixtures/graph/MFA_Report.csv",
        "examples/contoso/exports/signins/InteractiveSignIns_2026-11-22_2026-11-29.json",
        "tests/fixtures/signins/InteractiveSignIns_2025-12-04_2025-12-05.csv",
        "tests/fixtures/signins/InteractiveSignIns_fr.csv",
        "tests/fixtures/signins/SignIns_2018.csv",
    ];
    let dir = tempdir();
    let mut variants = 0;
    for fixture in fixtures {
        let source = root().join(fixture);
        let text = text_of(&source);
        let (kind, records) = inspect(&source);
        assert!(records > 0, "{fixture}");
        let directory = !kind.contains("sign-in") && !kind.contains("signin");
        let report = directory.then(|| stdout_of(&["methods"], &[source.as_path()]));
        let name = source.file_name().unwrap().to_string_lossy().into_owned();
        for (label, bytes) in encodings(&text) {
            let path = write(dir.path(), &format!("{label}/{name}"), bytes);
            assert_eq!(
                inspect(&path),
                (kind.clone(), records),
                "{fixture} as {label}"
            );
            if let Some(want) = &report {
                let got = stdout_of(&["methods", "--quiet"], &[path.as_path()]);
                assert_eq!(&got, want, "{fixture} as {label}: the same MFA_Report.csv");
            }
            variants += 1;
        }
    }
    assert!(variants >= 55, "{variants} variants read");
}

/// A file whose first 64 KiB show UTF-8 (a multi-byte character) is read as UTF-8; a Windows-1252
/// byte further on is then refused with its line and the way out, not read as Windows-1252 with
/// the UTF-8 before it turned to mojibake. With `--encoding` it is read.
#[test]
fn utf8_shown_early_makes_a_later_ansi_byte_an_error() {
    let dir = tempdir();
    let mut text = String::from("userPrincipalName,displayName,id,accountEnabled\n");
    text.push_str("zoe@contoso.com,Zoë Brown,c0470000-0000-4000-8000-000000000001,True\n");
    let mut line = 2;
    while text.len() < 70_000 {
        line += 1;
        text.push_str(&format!(
            "user{line}@contoso.com,User {line},c0470000-0000-4000-8000-{line:012},True\n"
        ));
    }
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(
        b"ann@contoso.com,Ann M\xFCller,c0470000-0000-4000-8000-999999999999,True\n",
    );
    let path = write(dir.path(), "users.csv", bytes);
    let want = format!(
        "mfaudit: error: {}:line {}: invalid UTF-8 inside a field (pass --encoding LABEL if the file is not UTF-8)\n",
        path.display(),
        line + 1
    );
    Test::new()
        .arg("methods")
        .arg(&path)
        .run()
        .code(2)
        .stderr_is(&want);
    let out = Test::new()
        .args(["methods", "--quiet", "--encoding", "windows-1252"])
        .arg(&path)
        .run();
    out.code(0).utf8();
    let report = &out.stdout;
    assert!(report.contains("\"ann@contoso.com\""), "{report}");
}
