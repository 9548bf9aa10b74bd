//! Chat delivery: the summary card posted to a real HTTP receiver on loopback (a Teams workflow or
//! a Slack webhook cannot run here; the receiver answers as they do, 200 or an error status), the
//! body asserted, the URL never printed, a failed post exiting 1 after the reports are written.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use serde_json::{Value, json};

use crate::support::{Ran, Test, tempdir};

/// A receiver that takes one POST, answers `status` with `answer`, and hands back the request's
/// path, content type and body.
struct Receiver {
    url: String,
    got: mpsc::Receiver<(String, String, Vec<u8>)>,
}

fn receiver(status: &'static str, answer: &'static str) -> Receiver {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free loopback port");
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let Ok((stream, _)) = listener.accept() else {
            return;
        };
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut request_line = String::new();
        reader.read_line(&mut request_line).unwrap();
        let (mut length, mut content_type) = (0usize, String::new());
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').unwrap();
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap(),
                "content-type" => content_type = value.trim().to_string(),
                _ => {}
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let mut stream = stream;
        write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
            answer.len()
        )
        .unwrap();
        let path = request_line.split(' ').nth(1).unwrap_or("").to_string();
        let _ = tx.send((path, content_type, body));
    });
    Receiver {
        url: format!("http://127.0.0.1:{port}/workflows/run?sig=s3cr3t-signature"),
        got: rx,
    }
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/contoso/exports")
}

fn audit(url: &str, args: &[&str], out: &Path) -> Ran {
    Test::new()
        .env("SOURCE_DATE_EPOCH", "1795910400")
        .env("MFAUDIT_WEBHOOK_URL", url)
        .args(["audit", "--json"])
        .arg(out.join("audit.json"))
        .args(args)
        .arg(example())
        .run()
}

fn posted(r: &Receiver) -> (String, String, Value) {
    let (path, content_type, body) = r
        .got
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the receiver got a post");
    (path, content_type, serde_json::from_slice(&body).unwrap())
}

/// The report's own words, as the card must carry them.
fn subject_of(dir: &Path) -> String {
    let eml = Test::new()
        .env("SOURCE_DATE_EPOCH", "1795910400")
        .args([
            "audit",
            "--quiet",
            "--email-to",
            "a@example.com",
            "--email-from",
            "m@example.com",
            "--email-dry-run",
        ])
        .arg(dir.join("m.eml"))
        .arg(example())
        .run();
    assert_eq!(eml.code, Some(0), "{}", eml.stderr);
    let text = std::fs::read_to_string(dir.join("m.eml")).unwrap();
    let parsed = mailparse::parse_mail(text.as_bytes()).unwrap();
    parsed
        .headers
        .iter()
        .find(|h| h.get_key() == "Subject")
        .unwrap()
        .get_value()
}

#[test]
fn json_card_carries_the_subject_findings_and_figures() {
    let dir = tempdir();
    let r = receiver("200 OK", "");
    let ran = audit(&r.url, &["--webhook-format", "json"], dir.path());
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let (path, content_type, body) = posted(&r);
    assert_eq!(path, "/workflows/run?sig=s3cr3t-signature");
    assert_eq!(content_type, "application/json");
    let report: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("audit.json")).unwrap()).unwrap();
    assert_eq!(body["subject"], json!(subject_of(dir.path())));
    assert_eq!(body["generated_at"], report["generated_at"]);
    let figures = &body["figures"];
    assert_eq!(figures["Users"], report["summary"]["users_total"]);
    assert_eq!(figures["Enabled users"], report["summary"]["users_enabled"]);
    assert_eq!(
        figures["Enabled users not registered"],
        report["summary"]["unregistered_enabled"]
    );
    assert_eq!(figures["Sign-ins"], report["summary"]["signins_total"]);
    let findings = body["findings"].as_array().unwrap();
    assert!(findings.len() >= 7, "{findings:?}");
    assert_eq!(
        stderr_line(&ran, "summary posted"),
        "note: summary posted to the json webhook at 127.0.0.1"
    );
    assert!(!ran.stderr.contains("s3cr3t"), "{}", ran.stderr);
    assert!(!ran.stdout.contains("s3cr3t"));
}

fn stderr_line<'a>(ran: &'a Ran, has: &str) -> &'a str {
    ran.stderr
        .lines()
        .find(|l| l.contains(has))
        .unwrap_or_else(|| panic!("no line with {has:?} in {}", ran.stderr))
}

#[test]
fn teams_gets_an_adaptive_card_and_slack_text_and_blocks() {
    let dir = tempdir();
    let subject = subject_of(dir.path());

    let r = receiver("202 Accepted", "");
    let ran = audit(&r.url, &["--webhook-format", "teams"], dir.path());
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let (_, _, card) = posted(&r);
    assert_eq!(card["type"], "message");
    let attachment = &card["attachments"][0];
    assert_eq!(
        attachment["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    let content = &attachment["content"];
    assert_eq!(content["type"], "AdaptiveCard");
    assert_eq!(content["version"], "1.4");
    let body = content["body"].as_array().unwrap();
    // The subject, escaped for the card's Markdown (its parentheses and the like).
    let escaped: String = subject
        .chars()
        .flat_map(|c| {
            let esc = "\\*_[]()#`<>~|".contains(c);
            esc.then_some('\\').into_iter().chain(std::iter::once(c))
        })
        .collect();
    assert_eq!(body[0]["text"], json!(escaped));
    assert_eq!(body[3]["type"], "FactSet");
    assert_eq!(
        body[3]["facts"][0],
        json!({"title": "Users", "value": "13"})
    );

    let r = receiver("200 OK", "ok");
    let ran = audit(&r.url, &["--webhook-format", "slack"], dir.path());
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let (_, _, msg) = posted(&r);
    assert_eq!(msg["text"], json!(subject));
    let blocks = msg["blocks"].as_array().unwrap();
    assert_eq!(blocks[0]["type"], "header");
    assert_eq!(blocks[0]["text"]["text"], json!(subject));
    assert!(
        blocks[3]["text"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Users: *13*\nEnabled users: *12*\n"),
        "{}",
        blocks[3]
    );
}

#[test]
fn a_refused_post_exits_1_after_the_reports_without_the_url() {
    let dir = tempdir();
    let r = receiver("403 Forbidden", "signature <invalid>\u{1b}[31m");
    let ran = audit(&r.url, &["--webhook-format", "slack"], dir.path());
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    assert!(
        dir.path().join("audit.json").is_file(),
        "the report is written first"
    );
    assert_eq!(
        stderr_line(&ran, "not posted"),
        "mfaudit: error: summary not posted to the slack webhook at 127.0.0.1: the receiver answered 403 Forbidden: signature <invalid>\\x1b[31m"
    );
    assert!(!ran.stderr.contains("s3cr3t"), "{}", ran.stderr);
}

#[test]
fn webhook_mistakes_are_usage_errors_before_anything_is_read() {
    let dir = tempdir();
    let ran = audit(
        "http://hooks.example.com/services/s3cr3t",
        &["--webhook-format", "teams"],
        dir.path(),
    );
    assert_eq!(ran.code, Some(2), "{}", ran.stderr);
    assert_eq!(
        ran.stderr.trim_end(),
        "mfaudit: error: MFAUDIT_WEBHOOK_URL: the webhook's URL must start with https:// (http:// only to this machine, for tests)"
    );
    assert!(!dir.path().join("audit.json").exists());

    let file = dir.path().join("url.txt");
    std::fs::write(&file, "\n").unwrap();
    let ran = Test::new()
        .args(["audit", "--webhook-format", "json", "--webhook-url-file"])
        .arg(&file)
        .arg(example())
        .run();
    assert_eq!(ran.code, Some(2), "{}", ran.stderr);
    assert_eq!(
        ran.stderr.trim_end(),
        format!(
            "mfaudit: error: --webhook-url-file {}: the first line is empty; put the webhook's URL on it",
            file.display()
        )
    );
}

#[test]
fn the_url_file_and_the_config_section() {
    let dir = tempdir();
    let r = receiver("200 OK", "");
    std::fs::write(dir.path().join("hook-url"), format!("{}\n", r.url)).unwrap();
    let config = dir.path().join("mfaudit.toml");
    std::fs::write(
        &config,
        format!(
            "inputs = [{:?}]\n[outputs]\njson = \"audit.json\"\n[webhook]\nformat = \"json\"\nurl-file = \"hook-url\"\n",
            example().display().to_string()
        ),
    )
    .unwrap();
    let ran = Test::new()
        .env("SOURCE_DATE_EPOCH", "1795910400")
        .args(["run", "--config"])
        .arg(&config)
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let (_, _, body) = posted(&r);
    assert_eq!(body["figures"]["Users"], 13);
    assert!(dir.path().join("audit.json").is_file());
    assert!(!ran.stderr.contains("s3cr3t"), "{}", ran.stderr);
}
