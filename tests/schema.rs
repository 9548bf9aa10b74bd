//! docs/audit.schema.json against real reports of the binary: the shipped example (every section
//! filled: sign-ins, configuration, exceptions), a second `--history` run (so `changes` is an
//! object), a run without a sign-in log, the MSOnline example; and the schema refusing what the
//! report never holds (a field it does not document, a value of the wrong type). The same checks,
//! and more, run from Python in docs/check_schema.py.

use std::path::Path;

use serde_json::Value;

use crate::support::{Test, tempdir};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("docs/audit.schema.json")).expect("the schema");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

/// `mfaudit audit ARGS --json -`, run in the repository, as JSON.
fn report(args: &[&str]) -> Value {
    let ran = Test::new()
        .current_dir(root())
        .env("SOURCE_DATE_EPOCH", "1796212800")
        .arg("audit")
        .args(args)
        .args(["--json", "-"])
        .run();
    ran.ok();
    serde_json::from_str(&ran.stdout).expect("the report is JSON")
}

fn assert_valid(v: &jsonschema::Validator, report: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(report)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {}", errors.join("\n"));
}

#[test]
fn real_reports_follow_the_schema() {
    let v = validator();
    let example = report(&[
        "examples/contoso/exports",
        "--exceptions",
        "examples/contoso/exceptions.toml",
    ]);
    assert_valid(&v, &example, "the shipped example");
    assert_valid(
        &v,
        &report(&["examples/contoso-msonline/exports"]),
        "the MSOnline example",
    );
    assert_valid(
        &v,
        &report(&[
            "examples/contoso/exports/exportUsers_2026-11-29.csv",
            "examples/contoso/exports/userRegistrationDetails.json",
        ]),
        "a run without a sign-in log",
    );
    let dir = tempdir();
    let db = dir.path().join("history.db");
    let db = db.to_str().unwrap();
    let first = report(&["examples/contoso/exports", "--history", db]);
    assert_valid(&v, &first, "a first --history run");
    let second = report(&["examples/contoso/exports", "--history", db]);
    assert!(second["changes"].is_object());
    assert_valid(&v, &second, "a second --history run");
}

#[test]
fn the_schema_refuses_what_a_report_never_holds() {
    let v = validator();
    let example = report(&["examples/contoso/exports"]);
    let mut extra = example.clone();
    extra["users"][0]["nickname"] = "Ada".into();
    assert!(!v.is_valid(&extra), "an undocumented field in a user");
    let mut wrong = example.clone();
    wrong["summary"]["users_total"] = "13".into();
    assert!(!v.is_valid(&wrong), "a count given as text");
    let mut flag = example;
    flag["users"][0]["flags"] = serde_json::json!(["not-a-flag"]);
    assert!(!v.is_valid(&flag), "a flag the report never raises");
}
