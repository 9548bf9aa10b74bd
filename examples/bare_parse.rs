//! The practical floor for the benchmark (issue 7): a bare serde_json pass that reads only the
//! fields the audit needs, with no detection, no classification, no report.
//!
//! ```text
//! cargo run --release --example bare_parse -- signins PT1H.json      # Azure Monitor JSON Lines
//! cargo run --release --example bare_parse -- msol51 msonline-5.1.json  # 5.1 UTF-16LE ConvertTo-Json
//! ```
//!
//! `signins` streams the file line by line (one record in memory). `msol51` decodes the UTF-16LE
//! file to UTF-8 as it reads and walks the array element by element with a serde visitor (one user
//! in memory). Prints what it counted, so the work
//! cannot be optimised away and the numbers can be compared with mfaudit's.

#![allow(
    clippy::print_stdout,
    reason = "a benchmark harness of its own: its timings are its output"
)]

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::process::ExitCode;

use serde::Deserialize;
use serde::de::{Deserializer, SeqAccess, Visitor};

#[derive(Deserialize)]
struct Record<'a> {
    #[serde(borrow)]
    properties: Props<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Props<'a> {
    #[serde(borrow, default)]
    user_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    user_principal_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    created_date_time: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    status: Option<Status<'a>>,
    #[serde(borrow, default)]
    authentication_requirement: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    authentication_details: Vec<Step<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Status<'a> {
    #[serde(default)]
    error_code: Option<i64>,
    #[serde(borrow, default)]
    additional_details: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Step<'a> {
    #[serde(borrow, default)]
    authentication_method: Option<Cow<'a, str>>,
    #[serde(default)]
    succeeded: Option<bool>,
    #[serde(borrow, default)]
    authentication_step_result_detail: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    authentication_step_requirement: Option<Cow<'a, str>>,
}

fn signins(path: &str) -> Result<String, String> {
    let file = File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut line = String::new();
    let (mut records, mut mfa, mut denied, mut failures, mut bytes) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    let (mut upn_bytes, mut failed_mfa_steps, mut method_bytes) = (0u64, 0u64, 0u64);
    loop {
        line.clear();
        let n = reader
            .read_line(&mut line)
            .map_err(|e| format!("{path}: {e}"))?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        let rec: Record = serde_json::from_str(text)
            .map_err(|e| format!("{path}: record {}: {e}", records + 1))?;
        let p = rec.properties;
        records += 1;
        upn_bytes += p.user_principal_name.as_deref().map_or(0, str::len) as u64
            + p.user_id.as_deref().map_or(0, str::len) as u64
            + p.created_date_time.as_deref().map_or(0, str::len) as u64;
        if p.authentication_requirement.as_deref() == Some("multiFactorAuthentication") {
            mfa += 1;
        }
        if let Some(st) = &p.status {
            if st.error_code.unwrap_or(0) != 0 {
                failures += 1;
            }
            if st
                .additional_details
                .as_deref()
                .is_some_and(|d| d.contains("denied"))
            {
                denied += 1;
            }
        }
        for step in &p.authentication_details {
            method_bytes += step.authentication_method.as_deref().map_or(0, str::len) as u64
                + step
                    .authentication_step_result_detail
                    .as_deref()
                    .map_or(0, str::len) as u64;
            if step.succeeded == Some(false)
                && step
                    .authentication_step_requirement
                    .as_deref()
                    .is_some_and(|r| r.starts_with("Multi"))
            {
                failed_mfa_steps += 1;
            }
        }
    }
    Ok(format!(
        "signins: {records} records, {bytes} bytes, {mfa} multifactor, {failures} failures, {denied} denied, {failed_mfa_steps} failed MFA steps, {upn_bytes}+{method_bytes} text bytes"
    ))
}

#[derive(Deserialize)]
struct MsolUser {
    #[serde(rename = "UserPrincipalName", default)]
    upn: Option<String>,
    #[serde(rename = "BlockCredential", default)]
    block_credential: Option<bool>,
    #[serde(rename = "StrongAuthenticationMethods", default)]
    methods: Option<Vec<MsolMethod>>,
    #[serde(rename = "StrongAuthenticationRequirements", default)]
    requirements: Option<Vec<MsolRequirement>>,
}

#[derive(Deserialize)]
struct MsolMethod {
    #[serde(rename = "MethodType", default)]
    method_type: Option<String>,
    #[serde(rename = "IsDefault", default)]
    _is_default: Option<bool>,
}

#[derive(Deserialize)]
struct MsolRequirement {
    #[serde(rename = "State", default)]
    state: Option<String>,
}

#[derive(Default)]
struct MsolTally {
    users: u64,
    registered: u64,
    unregistered: u64,
    enforced: u64,
    method_names: u64,
}

struct Walk;

impl<'de> Visitor<'de> for Walk {
    type Value = MsolTally;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of users")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<MsolTally, A::Error> {
        let mut t = MsolTally::default();
        while let Some(u) = seq.next_element::<MsolUser>()? {
            t.users += 1;
            let methods = u.methods.unwrap_or_default();
            t.method_names += methods.iter().filter(|m| m.method_type.is_some()).count() as u64;
            if u.block_credential == Some(false) && u.upn.is_some() {
                if methods.is_empty() {
                    t.unregistered += 1;
                } else {
                    t.registered += 1;
                }
            }
            if u.requirements
                .unwrap_or_default()
                .iter()
                .any(|r| r.state.as_deref() == Some("Enforced"))
            {
                t.enforced += 1;
            }
        }
        Ok(t)
    }
}

fn msol51(path: &str) -> Result<String, String> {
    // Streamed: UTF-16LE decoded to UTF-8 on the fly, one user in memory at a time.
    let file = File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
        .encoding(Some(encoding_rs::UTF_16LE))
        .build(file);
    let reader = BufReader::with_capacity(1 << 20, decoded);
    let mut de = serde_json::Deserializer::from_reader(reader);
    let t = de
        .deserialize_seq(Walk)
        .map_err(|e| format!("{path}: {e}"))?;
    Ok(format!(
        "msol51: {} users, {} registered, {} unregistered, {} enforced, {} method entries",
        t.users, t.registered, t.unregistered, t.enforced, t.method_names
    ))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [mode, path] if mode == "signins" => signins(path),
        [mode, path] if mode == "msol51" => msol51(path),
        _ => Err("usage: bare_parse signins|msol51 FILE".to_string()),
    };
    match result {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bare_parse: {e}");
            ExitCode::from(2)
        }
    }
}
