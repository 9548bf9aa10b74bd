//! Snapshot tests: what a user sees from `--help` of every command, from each usage error and from
//! `run --dump-config`. Each case runs the binary through [`Test`] and compares its exit code,
//! stdout and stderr, whole and exactly, with one file in `tests/snapshots/` (`NAME.txt`):
//!
//! ```text
//! command: mfaudit audit --help
//! exit: 0
//! --- stdout
//! (stdout, as printed)
//! --- stderr
//! (stderr, as printed)
//! ```
//!
//! A stream that does not end with a newline is followed by the line `\ no newline at end`.
//!
//! When an output changes on purpose, rewrite the files, then read the diff before committing it:
//!
//! ```text
//! UPDATE_SNAPSHOTS=1 cargo test --test integration snapshots
//! ```
//!
//! Without `UPDATE_SNAPSHOTS=1`, a difference fails the test, and so does a missing file (a new case
//! is never a silent pass); a file no case claims fails `every_snapshot_file_belongs_to_a_case`.
//!
//! The files hold nothing of the machine they were written on: every case runs from the repository
//! root with `COLUMNS=100` (clap wraps the help at the terminal's width, capped by the command's
//! `max_term_width` of 100; the test's pipes are no terminal, so the width comes from COLUMNS alone),
//! colour is off (stdout and stderr are pipes, and `Test` removes CLICOLOR_FORCE), and the repository
//! and a case's temporary folder are written `<repo>` and `<tmp>`.

use std::path::Path;

use crate::support::{Ran, Test, tempdir, write};

/// Every case's name, so that a file left behind by a renamed or deleted case is found.
const CASES: &[&str] = &[
    "help",
    "help-short",
    "help-registered",
    "help-unregistered",
    "help-methods",
    "help-audit",
    "help-inspect",
    "help-codes",
    "help-run",
    "help-pull",
    "help-history",
    "help-diff",
    "help-templates",
    "help-templates-dump",
    "usage-no-subcommand",
    "usage-unknown-subcommand",
    "usage-unknown-flag",
    "usage-missing-value",
    "usage-bad-enum-value",
    "usage-audit-without-inputs",
    "usage-two-outputs-on-stdout",
    "usage-email-from-without-email-to",
    "usage-unknown-code",
    "usage-unknown-encoding",
    "usage-bad-mfa-server-columns",
    "usage-run-without-config",
    "usage-diff-run-id-not-a-number",
    "dump-config",
    "dump-config-with-flags",
    "dump-config-password-file-over-env",
    "dump-config-password-from-env",
    "dump-config-password-env-empty",
    "dump-config-password-not-set",
    "config-error-unknown-key",
    "config-error-password-key",
];

/// The shipped example exports, relative to the repository root (every case's working folder).
const EXPORTS: &str = "examples/contoso/exports";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A case without environment or temporary folder of its own.
fn snapshot(name: &str, args: &[&str]) {
    check(name, args, &[], None);
}

/// Runs `mfaudit ARGS` from the repository root with `env` added, and compares what it did with
/// `tests/snapshots/NAME.txt`, `tmp` written `<tmp>`.
fn check(name: &str, args: &[&str], env: &[(&str, &str)], tmp: Option<&Path>) {
    assert!(CASES.contains(&name), "{name} is listed in CASES");
    let mut test = Test::new()
        .current_dir(repo())
        .env("COLUMNS", "100")
        .args(args);
    for (key, value) in env {
        test = test.env(key, value);
    }
    let ran = test.run();
    compare(name, &mask(&render(args, env, &ran), tmp));
}

/// The case as the snapshot file holds it.
fn render(args: &[&str], env: &[(&str, &str)], ran: &Ran) -> String {
    ran.utf8();
    let mut command: Vec<String> = env
        .iter()
        .map(|(key, value)| format!("{key}={}", quoted(value)))
        .collect();
    command.push("mfaudit".into());
    command.extend(args.iter().map(|a| quoted(a)));
    let exit = match ran.code {
        Some(code) => code.to_string(),
        None => "none (killed by a signal)".into(),
    };
    let mut text = format!("command: {}\nexit: {exit}\n", command.join(" "));
    for (name, stream) in [("stdout", &ran.stdout), ("stderr", &ran.stderr)] {
        text.push_str(&format!("--- {name}\n{stream}"));
        if !stream.is_empty() && !stream.ends_with('\n') {
            text.push_str("\n\\ no newline at end\n");
        }
    }
    text
}

/// An argument as a shell would need it written.
fn quoted(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=@:,".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// The paths of this machine replaced by placeholders, the longer first (a temporary folder may be
/// inside the repository).
fn mask(text: &str, tmp: Option<&Path>) -> String {
    let mut paths = vec![(repo().display().to_string(), "<repo>")];
    if let Some(tmp) = tmp {
        paths.push((tmp.display().to_string(), "<tmp>"));
    }
    paths.sort_by_key(|(path, _)| std::cmp::Reverse(path.len()));
    let mut text = text.to_string();
    for (path, placeholder) in paths {
        text = text.replace(&path, placeholder);
    }
    text
}

fn snapshot_dir() -> std::path::PathBuf {
    repo().join("tests/snapshots")
}

/// Whether this run rewrites the snapshot files instead of failing on them.
fn updating() -> bool {
    match std::env::var("UPDATE_SNAPSHOTS").as_deref() {
        Ok("1") => true,
        Ok("" | "0") | Err(std::env::VarError::NotPresent) => false,
        Ok(other) => panic!("UPDATE_SNAPSHOTS is {other:?}: set it to 1 to rewrite the snapshots"),
        Err(e) => panic!("UPDATE_SNAPSHOTS: {e}"),
    }
}

fn compare(name: &str, got: &str) {
    let update = updating();
    let path = snapshot_dir().join(format!("{name}.txt"));
    let want = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => panic!("{}: {e}", path.display()),
    };
    if want.as_deref() == Some(got) {
        return;
    }
    if update {
        std::fs::create_dir_all(snapshot_dir()).expect("create tests/snapshots");
        std::fs::write(&path, got).expect("write the snapshot");
        eprintln!("updated {}", path.display());
        return;
    }
    let Some(want) = want else {
        panic!(
            "{} is missing: run `UPDATE_SNAPSHOTS=1 cargo test --test integration snapshots` to write it, then read it\nthe output:\n{got}",
            path.display()
        );
    };
    let (line, (w, g)) = want
        .split_inclusive('\n')
        .map(Some)
        .chain(std::iter::repeat(None))
        .zip(
            got.split_inclusive('\n')
                .map(Some)
                .chain(std::iter::repeat(None)),
        )
        .enumerate()
        .find(|(_, (w, g))| w != g)
        .expect("the texts differ");
    panic!(
        "{name}: the output differs from {} at line {}\nwant: {w:?}\n got: {g:?}\nthe whole output:\n{got}\n(if the change is intended, run with UPDATE_SNAPSHOTS=1 and read the diff)",
        path.display(),
        line + 1
    );
}

#[test]
fn every_snapshot_file_belongs_to_a_case() {
    let Ok(entries) = std::fs::read_dir(snapshot_dir()) else {
        return; // No file yet: each case reports its own as missing.
    };
    for entry in entries {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let case = name.strip_suffix(".txt").unwrap_or(&name);
        assert!(
            CASES.contains(&case),
            "tests/snapshots/{name} belongs to no case: delete it or list its case in CASES"
        );
    }
}

// --help of every command (the list is `mfaudit --help`'s).

#[test]
fn help() {
    snapshot("help", &["--help"]);
}

#[test]
fn help_short() {
    snapshot("help-short", &["-h"]);
}

#[test]
fn help_registered() {
    snapshot("help-registered", &["registered", "--help"]);
}

#[test]
fn help_unregistered() {
    snapshot("help-unregistered", &["unregistered", "--help"]);
}

#[test]
fn help_methods() {
    snapshot("help-methods", &["methods", "--help"]);
}

#[test]
fn help_audit() {
    snapshot("help-audit", &["audit", "--help"]);
}

#[test]
fn help_inspect() {
    snapshot("help-inspect", &["inspect", "--help"]);
}

#[test]
fn help_codes() {
    snapshot("help-codes", &["codes", "--help"]);
}

#[test]
fn help_run() {
    snapshot("help-run", &["run", "--help"]);
}

#[test]
fn help_pull() {
    snapshot("help-pull", &["pull", "--help"]);
}

#[test]
fn help_history() {
    snapshot("help-history", &["history", "--help"]);
}

#[test]
fn help_diff() {
    snapshot("help-diff", &["diff", "--help"]);
}

#[test]
fn help_templates() {
    snapshot("help-templates", &["templates", "--help"]);
}

#[test]
fn help_templates_dump() {
    snapshot("help-templates-dump", &["templates", "dump", "--help"]);
}

// Usage errors: exit 2, the message on stderr, nothing on stdout.

#[test]
fn usage_no_subcommand() {
    snapshot("usage-no-subcommand", &[]);
}

#[test]
fn usage_unknown_subcommand() {
    snapshot("usage-unknown-subcommand", &["frobnicate"]);
}

#[test]
fn usage_unknown_flag() {
    snapshot("usage-unknown-flag", &["audit", "--frobnicate", EXPORTS]);
}

#[test]
fn usage_missing_value() {
    snapshot("usage-missing-value", &["audit", "--json"]);
}

#[test]
fn usage_bad_enum_value() {
    snapshot(
        "usage-bad-enum-value",
        &["registered", "--format", "xml", "x"],
    );
}

#[test]
fn usage_audit_without_inputs() {
    snapshot("usage-audit-without-inputs", &["audit"]);
}

#[test]
fn usage_two_outputs_on_stdout() {
    snapshot(
        "usage-two-outputs-on-stdout",
        &["audit", "--json", "-", "--csv", "-", "x"],
    );
}

#[test]
fn usage_email_from_without_email_to() {
    snapshot(
        "usage-email-from-without-email-to",
        &["audit", "--email-from", "a@b.com", EXPORTS],
    );
}

#[test]
fn usage_unknown_code() {
    snapshot("usage-unknown-code", &["codes", "NOPE"]);
}

#[test]
fn usage_unknown_encoding() {
    snapshot(
        "usage-unknown-encoding",
        &["--encoding", "klingon", "methods", EXPORTS],
    );
}

#[test]
fn usage_bad_mfa_server_columns() {
    snapshot(
        "usage-bad-mfa-server-columns",
        &["--mfa-server-columns", "x", "audit", EXPORTS],
    );
}

#[test]
fn usage_run_without_config() {
    snapshot("usage-run-without-config", &["run"]);
}

#[test]
fn usage_diff_run_id_not_a_number() {
    snapshot(
        "usage-diff-run-id-not-a-number",
        &["diff", "--db", "history.db", "1", "two"],
    );
}

// `run --dump-config`: the example configuration, flags over it, where the password comes from,
// and configuration errors with their line and column. Paths in a configuration resolve against
// its folder, so the dump holds the repository's path (written `<repo>`).

const EXAMPLE_CONFIG: &str = "examples/mfaudit.toml";

#[test]
fn dump_config() {
    snapshot(
        "dump-config",
        &["run", "--config", EXAMPLE_CONFIG, "--dump-config"],
    );
}

#[test]
fn dump_config_with_flags() {
    snapshot(
        "dump-config-with-flags",
        &[
            "run",
            "--config",
            EXAMPLE_CONFIG,
            "--dump-config",
            "--json",
            "out.json",
            "--fatigue-window",
            "9",
            "--email-to",
            "a@b.com",
            "--quiet",
            "x.csv",
        ],
    );
}

/// The example's `password-file` is used even with the variable set, and the dump says so.
#[test]
fn dump_config_password_file_over_env() {
    check(
        "dump-config-password-file-over-env",
        &["run", "--config", EXAMPLE_CONFIG, "--dump-config"],
        &[("MFAUDIT_SMTP_PASSWORD", "s3cret-from-env")],
        None,
    );
}

/// A configuration with an SMTP user and no password file, dumped with the variable `password`.
fn dump_with_password_env(name: &str, password: Option<&str>) {
    let dir = tempdir();
    let config = write(
        dir.path(),
        "mfaudit.toml",
        "inputs = [\"exports\"]\n\n[email]\nto = [\"security@contoso.com\"]\nfrom = \"mfaudit@contoso.com\"\nhost = \"smtp.contoso.com\"\nuser = \"svc-mfaudit@contoso.com\"\n",
    );
    let config = config.to_str().unwrap();
    let env: Vec<(&str, &str)> = password
        .map(|p| ("MFAUDIT_SMTP_PASSWORD", p))
        .into_iter()
        .collect();
    check(
        name,
        &["run", "--config", config, "--dump-config"],
        &env,
        Some(dir.path()),
    );
}

#[test]
fn dump_config_password_from_env() {
    dump_with_password_env("dump-config-password-from-env", Some("s3cret-from-env"));
}

#[test]
fn dump_config_password_env_empty() {
    dump_with_password_env("dump-config-password-env-empty", Some(""));
}

#[test]
fn dump_config_password_not_set() {
    dump_with_password_env("dump-config-password-not-set", None);
}

/// `run --config` on a file holding `toml`.
fn config_error(name: &str, toml: &str) {
    let dir = tempdir();
    let config = write(dir.path(), "mfaudit.toml", toml);
    check(
        name,
        &["run", "--config", config.to_str().unwrap()],
        &[],
        Some(dir.path()),
    );
}

#[test]
fn config_error_unknown_key() {
    config_error("config-error-unknown-key", "[outputs]\nhtlm = \"x\"\n");
}

#[test]
fn config_error_password_key() {
    config_error(
        "config-error-password-key",
        "[email]\npassword = \"hunter2\"\n",
    );
}
