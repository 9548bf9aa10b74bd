//! Sign-in readers through the library (`identify` + `read_signins`): the shared real samples with
//! exact extracted fields, synthetic admin center CSV pairs (English with the header quirks, French,
//! 2018 names), an MFA Server CSV, and (ignored, release only) a throughput measurement.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use mfaudit::input::mfa_server::{ColumnMap, Report};
use mfaudit::input::{Kind, ReadOptions, ReadStats, read_signins};

/// Detects named files (as the command line does) and returns them.
fn identify(
    paths: &[PathBuf],
    opts: &ReadOptions,
) -> mfaudit::error::Result<Vec<mfaudit::input::InputFile>> {
    let expanded = mfaudit::input::expand(paths, &[])?;
    Ok(mfaudit::input::identify(&expanded.files, opts)?.0)
}
use mfaudit::model::{SignIn, SignInStep};

use crate::support;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/signins")
        .join(name)
}

fn ts(s: &str) -> Option<jiff::Timestamp> {
    Some(s.parse().expect("test timestamp"))
}

fn some(s: &str) -> Option<Cow<'static, str>> {
    Some(Cow::Owned(s.to_string()))
}

/// Identifies `paths`, then reads the one activity file that is not an AuthDetails companion.
fn read(paths: &[PathBuf], opts: &ReadOptions) -> (Kind, Vec<SignIn<'static>>, ReadStats) {
    let files = identify(paths, opts).expect("identify");
    let companions: Vec<_> = files
        .iter()
        .filter(|f| f.kind == Kind::AuthDetailsCsv)
        .collect();
    let main: Vec<_> = files
        .iter()
        .filter(|f| f.kind != Kind::AuthDetailsCsv)
        .collect();
    assert_eq!(main.len(), 1, "{files:?}");
    let mut out = Vec::new();
    let stats = read_signins(main[0], &companions, opts, &mut |s| {
        out.push(s.into_owned());
        Ok(())
    })
    .expect("read");
    assert_eq!(stats.records, out.len() as u64);
    (main[0].kind, out, stats)
}

fn sample(rel: &str) -> Option<PathBuf> {
    support::samples().map(|s| s.join(rel))
}

#[test]
fn graph_beta_docs_page_with_duplicate_keys() {
    let Some(p) = sample("graph-docs/signin-list-beta-example1-response.json") else {
        return;
    };
    let (kind, s, stats) = read(&[p], &ReadOptions::default());
    assert_eq!(kind, Kind::SignInJson);
    assert_eq!((s.len(), stats.skipped), (1, 0));
    let want = SignIn {
        time: ts("2021-06-30T16:34:32Z"),
        request_id: some("1691d37b-8579-43a7-966a-0f35583c1300"),
        user_id: some("26be570a-1111-5555-b4e2-a37c6808512d"),
        upn: some("testaccount1@contoso.com"),
        error_code: Some(50126),
        failure_reason: some("Error validating credentials due to invalid username or password."),
        additional_details: some(
            "The user didn't enter the right credentials. \u{a0}It's expected to see some number of these errors in your logs due to users making mistakes.",
        ),
        authentication_requirement: some("singleFactorAuthentication"),
        mfa_method: None,
        steps: vec![SignInStep {
            method: some("Password"),
            succeeded: Some(false),
            result_detail: some(
                "Invalid username or password or Invalid on-premise username or password.",
            ),
            requirement: some("Primary authentication"),
        }],
        call_result: None,
        workload: false,
        interactive: Some(true),
        client_app: some("Browser"),
        app: some("Azure Portal"),
        app_id: some("c44b4083-3bb0-49c1-b47d-974e53cbdf3c"),
        ca_status: some("notApplied"),
        policies: Some(vec![]),
        required_by: Some(vec![]),
    };
    assert_eq!(s[0], want);
}

#[test]
fn graph_v1_page_with_next_link() {
    let Some(p) = sample("pallavp-azure-signin-logs/mock_data.json") else {
        return;
    };
    let (kind, s, _) = read(&[p], &ReadOptions::default());
    assert_eq!(kind, Kind::SignInJson);
    assert_eq!(s.len(), 1);
    let s = &s[0];
    assert_eq!(s.request_id, some("66ea54eb-6301-4ee5-be62-ff5a759b0100"));
    assert_eq!(s.time, ts("2023-12-01T16:03:35Z"));
    assert_eq!(s.upn, some("testaccount1@contoso.com"));
    assert_eq!(s.error_code, Some(0));
    assert_eq!(s.failure_reason, some("Other."));
    assert_eq!(s.additional_details, None);
    assert_eq!(s.authentication_requirement, None);
    assert!(s.steps.is_empty());
}

#[test]
fn azure_monitor_docs_record() {
    let Some(p) = sample("entra-docs/reference-azure-monitor-sign-ins-log-schema.example.json")
    else {
        return;
    };
    let (kind, s, stats) = read(&[p], &ReadOptions::default());
    assert_eq!(kind, Kind::AzureMonitorJson);
    assert_eq!(s.len(), 1);
    let s = &s[0];
    assert_eq!(s.time, ts("2019-03-12T16:02:15.5522137Z"));
    assert_eq!(s.request_id, some("0231f922-93fa-4005-bb11-b344eca03c01"));
    assert_eq!(s.error_code, Some(50140));
    assert_eq!(
        s.authentication_requirement,
        some("multiFactorAuthentication")
    );
    assert_eq!(s.steps.len(), 2);
    assert_eq!(
        s.steps[1],
        SignInStep {
            method: some("Previously satisfied"),
            succeeded: Some(true),
            result_detail: some("MFA requirement satisfied by claim in the token"),
            requirement: some("Multi-factor authentication"),
        }
    );
    assert_eq!(stats.first_time, ts("2019-03-12T16:02:15.5522137Z"));
}

#[test]
fn azure_monitor_json_lines_level_as_int() {
    let Some(p) = sample("elastic-integrations/test-signinlogs-sample.log") else {
        return;
    };
    let (kind, s, stats) = read(&[p], &ReadOptions::default());
    assert_eq!(kind, Kind::AzureMonitorJson);
    assert_eq!(s.len(), 2);
    assert_eq!(
        s[1].request_id,
        some("933f20c0-efdf-477f-9586-e5cc676f2e00")
    );
    assert_eq!(s[1].time, ts("2022-01-24T05:10:12.2444226Z"));
    assert_eq!(s[1].upn, some("mpliftrelastic20210901@outlook.com"));
    assert_eq!(s[1].error_code, Some(0));
    assert_eq!(s[1].failure_reason, None);
    assert_eq!(s[1].mfa_method, None);
    assert_eq!(
        s[1].steps,
        [SignInStep {
            method: some("Previously satisfied"),
            succeeded: Some(true),
            result_detail: some("First factor requirement satisfied by claim in the token"),
            requirement: some("Primary authentication"),
        }]
    );
    assert_eq!(stats.first_time, ts("2022-01-24T05:10:08.6816663Z"));
    assert_eq!(stats.last_time, ts("2022-01-24T05:10:12.2444226Z"));
}

#[test]
fn azure_monitor_json_lines_every_category_level_as_string() {
    let Some(p) = sample("elastic-integrations/test-signinlogs-raw.log") else {
        return;
    };
    let (kind, s, stats) = read(&[p], &ReadOptions::default());
    assert_eq!(kind, Kind::AzureMonitorJson);
    assert_eq!((s.len(), stats.skipped), (5, 0));
    assert!(stats.warnings.is_empty(), "{:?}", stats.warnings);
    // -05:00 offset, to UTC.
    assert_eq!(s[0].time, ts("2019-10-18T09:45:48.0729893Z"));
    assert_eq!(s[0].upn, some("test@elastic.co"));
    assert_eq!(s[0].error_code, Some(50140));
    assert_eq!(s[0].additional_details, None);
    assert_eq!(s[1].additional_details, some("MFA required"));
    assert_eq!(
        s[1].failure_reason,
        some(
            "This error occurred due to 'Keep me signed in' interrupt when the user was signing-in."
        )
    );
    assert_eq!(s[4].user_id, some("8a4de8b5-095c-47d0-a96f-a75130c61d53"));
}

#[test]
fn log_analytics_csv_export() {
    let Some(p) =
        sample("log-analytics-export-blog/SigninLogs-LogAnalytics-portal-export.excerpt.csv")
    else {
        return;
    };
    let (kind, s, stats) = read(&[p], &ReadOptions::default());
    assert_eq!(kind, Kind::LogAnalyticsCsv);
    assert_eq!((s.len(), stats.skipped), (2, 0));
    let want = SignIn {
        // CreatedDateTime [UTC], not TimeGenerated [UTC] (1:45:17.287 PM).
        time: ts("2023-09-19T13:42:37.848Z"),
        request_id: some("56b9bd55-36cc-4180-b997-270fa6e61a00"),
        user_id: None,
        upn: None,
        error_code: Some(0),
        failure_reason: None,
        additional_details: None,
        authentication_requirement: some("singleFactorAuthentication"),
        mfa_method: None,
        steps: vec![SignInStep {
            method: some("Previously satisfied"),
            succeeded: Some(true),
            result_detail: some("First factor requirement satisfied by claim in the token"),
            requirement: some("Primary authentication"),
        }],
        call_result: None,
        workload: false,
        interactive: Some(true),
        client_app: some("Browser"),
        app: some("Azure Portal"),
        app_id: some("c44b4083-3bb0-49c1-b47d-974e53cbdf3c"),
        ca_status: some("notApplied"),
        policies: None,
        required_by: Some(vec![]),
    };
    assert_eq!(s[0], want);
    assert_eq!(s[1].error_code, Some(50140));
    assert_eq!(
        s[1].failure_reason,
        some(
            "This error occurred due to 'Keep me signed in' interrupt when the user was signing-in."
        )
    );
    assert_eq!(s[1].time, ts("2023-09-19T11:21:02.145Z"));
}

#[test]
fn admin_center_csv_pair_with_header_quirks() {
    let main = fixture("InteractiveSignIns_2025-12-04_2025-12-05.csv");
    let details = fixture("InteractiveSignIns_AuthDetails_2025-12-04_2025-12-05.csv");
    let files = identify(&[main.clone(), details.clone()], &ReadOptions::default()).unwrap();
    assert_eq!(files[0].kind, Kind::SignInCsv);
    assert_eq!(files[1].kind, Kind::AuthDetailsCsv);
    let (_, s, stats) = read(&[main, details], &ReadOptions::default());
    assert_eq!((s.len(), stats.skipped), (3, 0));
    let want = SignIn {
        time: ts("2025-12-04T08:19:41Z"),
        request_id: some("11111111-aaaa-4000-8000-000000000001"),
        user_id: some("u0000000-0000-4000-8000-00000000000a"),
        upn: some("ada@contoso.example"),
        error_code: Some(500121),
        failure_reason: some("Authentication failed during strong authentication request."),
        additional_details: some("MFA denied; user declined the authentication"),
        authentication_requirement: some("Multifactor authentication"),
        mfa_method: some("Mobile app notification"),
        steps: vec![
            SignInStep {
                method: some("Password"),
                succeeded: Some(true),
                result_detail: some("Correct password"),
                requirement: some("Primary authentication"),
            },
            SignInStep {
                method: some("Mobile app notification"),
                succeeded: Some(false),
                result_detail: some("MFA denied; user declined the authentication"),
                requirement: some("Multifactor authentication"),
            },
        ],
        call_result: None,
        workload: false,
        // Interactive by the file's name (`InteractiveSignIns_…`).
        interactive: Some(true),
        client_app: some("Browser"),
        app: some("Azure Portal"),
        app_id: some("c44b4083-3bb0-49c1-b47d-974e53cbdf3c"),
        ca_status: some("Failure"),
        policies: None,
        required_by: None,
    };
    assert_eq!(s[0], want);
    assert_eq!(s[1].steps.len(), 2);
    assert_eq!(
        s[1].steps[1].result_detail,
        some("MFA successfully completed")
    );
    // No AuthDetails rows for the third sign-in; its failure reason spans two lines.
    assert!(s[2].steps.is_empty());
    assert_eq!(s[2].failure_reason, some("Line one\nline two"));
    assert_eq!(stats.last_time, ts("2025-12-04T09:00:00Z"));
}

#[test]
fn admin_center_csv_without_its_companion_has_no_steps() {
    let (_, s, _) = read(
        &[fixture("InteractiveSignIns_2025-12-04_2025-12-05.csv")],
        &ReadOptions::default(),
    );
    assert!(s.iter().all(|s| s.steps.is_empty()));
    assert_eq!(s[0].mfa_method, some("Mobile app notification"));
}

#[test]
fn french_admin_center_csv_pair() {
    let opts = ReadOptions::default();
    let main = identify(&[fixture("InteractiveSignIns_fr.csv")], &opts).unwrap();
    assert_eq!(main[0].kind, Kind::SignInCsv);
    // Detection does not know the French AuthDetails header yet: name the kind here.
    let mut companion = main[0].clone();
    companion.path = fixture("InteractiveSignIns_AuthDetails_fr.csv");
    companion.kind = Kind::AuthDetailsCsv;
    let mut s = Vec::new();
    let stats = read_signins(&main[0], &[&companion], &opts, &mut |x| {
        s.push(x.into_owned());
        Ok(())
    })
    .unwrap();
    assert_eq!((stats.records, stats.skipped), (1, 0));
    let want = SignIn {
        time: ts("2025-11-03T07:00:05Z"),
        request_id: some("22222222-bbbb-4000-8000-000000000001"),
        user_id: some("u2"),
        upn: some("zoe@contoso.example"),
        error_code: Some(0),
        failure_reason: some("Autre."),
        additional_details: some("Exigence MFA satisfaite par une revendication dans le jeton"),
        authentication_requirement: some("Authentification multifacteur"),
        mfa_method: some("Notification d'application mobile"),
        steps: vec![SignInStep {
            method: some("Mot de passe"),
            succeeded: Some(true),
            result_detail: some("Mot de passe correct"),
            requirement: some("Authentification principale"),
        }],
        call_result: None,
        workload: false,
        // Interactive by the file's name; this download has no client app column.
        interactive: Some(true),
        client_app: None,
        app: some("Portail Azure"),
        app_id: None,
        ca_status: None,
        policies: None,
        required_by: None,
    };
    assert_eq!(s[0], want);
}

#[test]
fn admin_center_csv_2018_names() {
    let (kind, s, _) = read(&[fixture("SignIns_2018.csv")], &ReadOptions::default());
    assert_eq!(kind, Kind::SignInCsv);
    assert_eq!(s[0].additional_details, some("MFA completed in Azure AD"));
    assert_eq!(s[0].mfa_method, some("Text message"));
    assert_eq!(
        s[0].authentication_requirement,
        some("multiFactorAuthentication")
    );
    assert_eq!(s[0].error_code, Some(0));
    assert_eq!(s[0].upn, some("cy@contoso.example"));
}

#[test]
fn mfa_server_csv_through_the_column_map() {
    let opts = ReadOptions {
        mfa_server: ColumnMap::parse(
            Report::Activity,
            "user=user name,time=Date_Time,result=Call Result",
        )
        .unwrap()
        .into(),
        ..ReadOptions::default()
    };
    let (kind, s, stats) = read(&[fixture("mfa-server-activity.csv")], &opts);
    assert_eq!(kind, Kind::MfaServerCsv);
    assert_eq!(s.len(), 3);
    assert_eq!(
        s[1],
        SignIn {
            time: ts("2019-03-01T08:20:11Z"),
            upn: some("bo@contoso.example"),
            call_result: some("FAILED_PHONE_APP_DENIED"),
            interactive: Some(true),
            ..SignIn::default()
        }
    );
    assert_eq!(stats.first_time, ts("2019-03-01T08:15:00Z"));
    assert_eq!(stats.last_time, ts("2019-03-02T17:02:00Z"));
}

#[test]
fn a_truncated_azure_monitor_blob_keeps_what_was_read() {
    let dir = support::tempdir();
    let line = r#"{"time":"2024-02-01T00:00:00Z","operationName":"Sign-in activity","category":"SignInLogs","resultType":"0","Level":4,"properties":{"id":"r1","createdDateTime":"2024-02-01T00:00:00Z","userPrincipalName":"a@c.example","status":{"errorCode":0}}}"#;
    let text = format!("{line}\n{line}\n{}", &line[..80]);
    let p = support::write(dir.path(), "PT1H.json", text);
    let (_, s, stats) = read(&[p], &ReadOptions::default());
    assert_eq!(s.len(), 2);
    assert_eq!(stats.warnings.len(), 1);
    assert!(
        stats.warnings[0].starts_with("stopped reading after 2 sign-ins: ")
            && stats.warnings[0].ends_with("the file is truncated"),
        "{:?}",
        stats.warnings
    );
}

/// Throughput on a generated Azure Monitor JSON Lines file of about 100 MB, against a bare serde
/// pass reading the same fields. Release only:
/// `cargo test --release --test integration signins::throughput -- --ignored --nocapture`
#[test]
#[ignore]
fn throughput() {
    use std::io::{BufRead, Write};
    use std::time::Instant;

    let dir = support::tempdir();
    let path = dir.path().join("PT1H.json");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut n = 0u64;
    let mut size = 0usize;
    while size < 100 * 1024 * 1024 {
        let line = generated_record(n);
        size += line.len() + 1;
        out.write_all(line.as_bytes()).unwrap();
        out.write_all(b"\n").unwrap();
        n += 1;
    }
    out.flush().unwrap();
    drop(out);

    // Baseline: read lines, serde_json into derived structs with borrowed strings.
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Step<'a> {
        #[serde(rename = "authenticationStepDateTime", borrow)]
        time: Option<&'a str>,
        #[serde(rename = "authenticationMethod", borrow)]
        method: Option<&'a str>,
        #[serde(rename = "authenticationMethodDetail", borrow)]
        detail: Option<&'a str>,
        succeeded: Option<bool>,
        #[serde(rename = "authenticationStepResultDetail", borrow)]
        result: Option<&'a str>,
        #[serde(rename = "authenticationStepRequirement", borrow)]
        requirement: Option<&'a str>,
    }
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Status<'a> {
        #[serde(rename = "errorCode")]
        error_code: Option<i64>,
        #[serde(rename = "failureReason", borrow)]
        failure_reason: Option<&'a str>,
        #[serde(rename = "additionalDetails", borrow)]
        additional_details: Option<&'a str>,
    }
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Mfa<'a> {
        #[serde(rename = "authMethod", borrow)]
        auth_method: Option<&'a str>,
    }
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    #[serde(rename_all = "camelCase")]
    struct Props<'a> {
        #[serde(borrow)]
        id: Option<&'a str>,
        #[serde(borrow)]
        created_date_time: Option<&'a str>,
        #[serde(borrow)]
        user_principal_name: Option<&'a str>,
        #[serde(borrow)]
        user_display_name: Option<&'a str>,
        #[serde(borrow)]
        user_id: Option<&'a str>,
        #[serde(borrow)]
        correlation_id: Option<&'a str>,
        #[serde(borrow)]
        status: Option<Status<'a>>,
        #[serde(borrow)]
        authentication_requirement: Option<&'a str>,
        #[serde(borrow)]
        mfa_detail: Option<Mfa<'a>>,
        #[serde(borrow)]
        authentication_details: Option<Vec<Step<'a>>>,
        is_interactive: Option<bool>,
        #[serde(borrow)]
        ip_address: Option<&'a str>,
    }
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Envelope<'a> {
        #[serde(borrow)]
        properties: Props<'a>,
    }
    let start = Instant::now();
    let mut reader =
        std::io::BufReader::with_capacity(256 * 1024, std::fs::File::open(&path).unwrap());
    let mut buf = Vec::new();
    let mut base_n = 0u64;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf).unwrap() == 0 {
            break;
        }
        let e: Envelope = serde_json::from_slice(&buf).unwrap();
        std::hint::black_box(&e);
        base_n += 1;
    }
    let base = start.elapsed();

    let opts = ReadOptions::default();
    let start = Instant::now();
    let files = identify(std::slice::from_ref(&path), &opts).unwrap();
    assert_eq!(files[0].kind, Kind::AzureMonitorJson);
    let identified = start.elapsed();
    let start = Instant::now();
    let mut steps = 0usize;
    let stats = read_signins(&files[0], &[], &opts, &mut |s| {
        steps += s.steps.len();
        std::hint::black_box(&s);
        Ok(())
    })
    .unwrap();
    let ours = start.elapsed();
    assert_eq!(stats.records, n);
    assert_eq!(base_n, n);

    // Where the time goes: opening (decode validates UTF-8 over the whole file), then framing.
    let start = Instant::now();
    let decoded = mfaudit::input::decode::open(&path, None).unwrap();
    let opened = start.elapsed();
    let start = Instant::now();
    let mut framed = 0u64;
    mfaudit::input::json_stream::for_each_record(decoded.reader, &path, |b, _| {
        std::hint::black_box(b);
        framed += 1;
        Ok(())
    })
    .unwrap();
    let framing = start.elapsed();
    assert_eq!(framed, n);
    eprintln!(
        "of which: decode::open {:.3}s, json_stream framing alone {:.3}s",
        opened.as_secs_f64(),
        framing.as_secs_f64()
    );

    // The same records as one array (the admin center download shape): the framing captures each
    // record whole instead of member by member.
    let array_path = dir.path().join("array.json");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&array_path).unwrap());
    out.write_all(b"[").unwrap();
    for i in 0..n {
        if i > 0 {
            out.write_all(b",\n").unwrap();
        }
        out.write_all(generated_record(i).as_bytes()).unwrap();
    }
    out.write_all(b"]").unwrap();
    out.flush().unwrap();
    drop(out);
    let decoded = mfaudit::input::decode::open(&array_path, None).unwrap();
    let start = Instant::now();
    mfaudit::input::json_stream::for_each_record(decoded.reader, &array_path, |b, _| {
        std::hint::black_box(b);
        Ok(())
    })
    .unwrap();
    let array_framing = start.elapsed();
    let files = identify(std::slice::from_ref(&array_path), &opts).unwrap();
    let start = Instant::now();
    let stats = read_signins(&files[0], &[], &opts, &mut |s| {
        std::hint::black_box(&s);
        Ok(())
    })
    .unwrap();
    let array_read = start.elapsed();
    assert_eq!(stats.records, n);
    eprintln!(
        "one array: json_stream framing alone {:.3}s; read_signins {:.3}s ({:.0} MiB/s); ratio read/bare {:.2}",
        array_framing.as_secs_f64(),
        array_read.as_secs_f64(),
        size as f64 / (1024.0 * 1024.0) / array_read.as_secs_f64(),
        array_read.as_secs_f64() / base.as_secs_f64()
    );
    let mb = size as f64 / (1024.0 * 1024.0);
    eprintln!(
        "{n} records, {mb:.1} MiB: bare serde {:.3}s ({:.0} MiB/s); identify {:.3}s; read_signins {:.3}s ({:.0} MiB/s); ratio read/bare {:.2}",
        base.as_secs_f64(),
        mb / base.as_secs_f64(),
        identified.as_secs_f64(),
        ours.as_secs_f64(),
        mb / ours.as_secs_f64(),
        ours.as_secs_f64() / base.as_secs_f64()
    );
    assert!(steps > 0);
}

/// One realistic Azure Monitor sign-in line (about 1.6 KB, like the real samples).
fn generated_record(n: u64) -> String {
    let fail = n.is_multiple_of(7);
    format!(
        r#"{{"time":"2024-03-01T{h:02}:{m:02}:{s:02}.1234567Z","resourceId":"/tenants/4bbb79f7-5724-4c9e-95f3-de075f6ec090/providers/Microsoft.aadiam","operationName":"Sign-in activity","operationVersion":"1.0","category":"SignInLogs","tenantId":"4bbb79f7-5724-4c9e-95f3-de075f6ec090","resultType":"{code}","resultSignature":"None","durationMs":0,"callerIpAddress":"203.0.113.{ip}","correlationId":"7532b99a-06da-4c23-91e5-{n:012}","identity":"User {u}","Level":4,"location":"US","properties":{{"id":"933f20c0-efdf-477f-9586-{n:012}","createdDateTime":"2024-03-01T{h:02}:{m:02}:{s:02}.1234567+00:00","userDisplayName":"User {u}","userPrincipalName":"user{u}@contoso.example","userId":"2ce85a15-8640-465d-b916-{u:012}","appId":"c44b4083-3bb0-49c1-b47d-974e53cbdf3c","appDisplayName":"Azure Portal","ipAddress":"203.0.113.{ip}","status":{{"errorCode":{code}{reason}}},"clientAppUsed":"Browser","userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0","deviceDetail":{{"deviceId":"","operatingSystem":"Windows 10","browser":"Edge 120.0.0"}},"location":{{"city":"Redmond","state":"Washington","countryOrRegion":"US","geoCoordinates":{{"latitude":47.6,"longitude":-122.1}}}},"mfaDetail":{{"authMethod":"Mobile app notification","authDetail":"Phone"}},"correlationId":"7532b99a-06da-4c23-91e5-{n:012}","conditionalAccessStatus":"success","appliedConditionalAccessPolicies":[{{"id":"ae11ffaa-9879-44e0-972c-7538fd5c4d1a","displayName":"Require MFA","enforcedGrantControls":["Mfa"],"enforcedSessionControls":[],"result":"success","conditionsSatisfied":3,"conditionsNotSatisfied":0}}],"originalRequestId":"933f20c0-efdf-477f-9586-{n:012}","isInteractive":true,"tokenIssuerName":"","tokenIssuerType":"AzureAD","authenticationProcessingDetails":[{{"key":"Login Hint Present","value":"True"}},{{"key":"Is CAE Token","value":"False"}}],"networkLocationDetails":[],"processingTimeInMilliseconds":312,"riskDetail":"none","riskLevelAggregated":"none","riskLevelDuringSignIn":"none","riskState":"none","riskEventTypes":[],"riskEventTypes_v2":[],"resourceDisplayName":"Windows Azure Service Management API","resourceId":"797f4846-ba00-4fd7-ba43-dac1f8f63013","resourceTenantId":"4bbb79f7-5724-4c9e-95f3-de075f6ec090","homeTenantId":"4bbb79f7-5724-4c9e-95f3-de075f6ec090","authenticationDetails":[{{"authenticationStepDateTime":"2024-03-01T{h:02}:{m:02}:{s:02}.1234567+00:00","authenticationMethod":"Password","authenticationMethodDetail":"Password Hash Sync","succeeded":true,"authenticationStepResultDetail":"Correct password","authenticationStepRequirement":"Primary authentication","StatusSequence":0,"RequestSequence":0}},{{"authenticationStepDateTime":"2024-03-01T{h:02}:{m:02}:{s:02}.1234567+00:00","authenticationMethod":"Mobile app notification","succeeded":{ok},"authenticationStepResultDetail":"{detail}","authenticationStepRequirement":"Multifactor authentication","StatusSequence":0,"RequestSequence":1}}],"authenticationRequirementPolicies":[{{"requirementProvider":"multiConditionalAccess","detail":"Conditional Access"}}],"authenticationRequirement":"multiFactorAuthentication","servicePrincipalId":"","userType":"Member","flaggedForReview":false,"isTenantRestricted":false,"autonomousSystemNumber":8075,"crossTenantAccessType":"none","privateLinkDetails":{{}},"ssoExtensionVersion":"","uniqueTokenIdentifier":"OTMzZjIwYzAtZWZkZi00NzdmLTk1ODYtZTVjYzU2NmQyZTAw","incomingTokenType":"none","authenticationProtocol":"none"}}}}"#,
        h = (n / 3600) % 24,
        m = (n / 60) % 60,
        s = n % 60,
        u = n % 5000,
        ip = n % 250,
        code = if fail { 500121 } else { 0 },
        reason = if fail {
            r#","failureReason":"Authentication failed during strong authentication request.","additionalDetails":"MFA denied; user declined the authentication""#
        } else {
            ""
        },
        ok = !fail,
        detail = if fail {
            "MFA denied; user declined the authentication"
        } else {
            "MFA successfully completed"
        },
    )
}
