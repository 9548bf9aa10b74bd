//! Chat delivery: a summary card posted after the reports are written, to a Teams workflow
//! webhook (an Adaptive Card), a Slack incoming webhook (`text` and blocks) or any receiver of
//! plain JSON. The card says what the mail says: the subject line, the headline, each finding in
//! one sentence and the key figures, unknown kept unknown. The URL carries the signature that lets
//! anyone post, so it is a secret like the SMTP password: read from `MFAUDIT_WEBHOOK_URL` or
//! `--webhook-url-file`, never printed, never in an error.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

use crate::error::{Result, WebhookError};
use crate::report::audit::AuditReport;
use crate::report::figures::{self, Value as Figure};
// Slack's blocks have hard length limits.
use crate::text::shorten as cut;

/// Where the URL comes from when no file names it.
pub const URL_ENV: &str = "MFAUDIT_WEBHOOK_URL";

/// How long a post may take, connection included.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The most of a receiver's error body an error message quotes.
const QUOTED_BODY: usize = 200;

/// The chat a card is shaped for (`--webhook-format`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// A Teams workflow ("Post to a channel when a webhook request is received"): an Adaptive Card.
    Teams,
    /// A Slack incoming webhook: `text` and blocks.
    Slack,
    /// The summary as plain JSON, for any other receiver.
    Json,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Teams => "teams",
            Format::Slack => "slack",
            Format::Json => "json",
        }
    }
}

/// The chat delivery as asked for (flags and config); [`settings`] checks it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    pub format: Option<Format>,
    pub url_file: Option<PathBuf>,
}

/// A checked webhook: its format and URL.
pub struct WebhookSettings {
    pub format: Format,
    url: String,
}

impl std::fmt::Debug for WebhookSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSettings")
            .field("format", &self.format)
            .field("url", &"***")
            .finish()
    }
}

impl WebhookSettings {
    /// The receiver's host, the one part of the URL a message may name.
    pub fn host(&self) -> &str {
        crate::net::host_of(&self.url).unwrap_or("?")
    }
}

/// The webhook to post to, or `None` when no `--webhook-format` was given; checked before
/// anything is read, so a mistake costs no audit.
pub fn settings(opts: &Options) -> Result<Option<WebhookSettings>> {
    settings_with_env_url(opts, std::env::var(URL_ENV).ok())
}

/// [`settings`] with the environment's URL given (the tests' way in).
pub fn settings_with_env_url(
    opts: &Options,
    env_url: Option<String>,
) -> Result<Option<WebhookSettings>> {
    let Some(format) = opts.format else {
        return match opts.url_file {
            Some(_) => Err(WebhookError::FileWithoutFormat.into()),
            None => Ok(None),
        };
    };
    let (url, from) = match (&opts.url_file, env_url) {
        (Some(path), _) => (read_url_file(path)?, shown(path)),
        (None, Some(url)) => (url.trim().to_string(), URL_ENV.to_string()),
        (None, None) => return Err(WebhookError::NoUrl { env: URL_ENV }.into()),
    };
    if url.is_empty() {
        return Err(WebhookError::Empty { from }.into());
    }
    if !crate::net::secret_may_go_to(&url) {
        return Err(WebhookError::NotHttps { from }.into());
    }
    Ok(Some(WebhookSettings { format, url }))
}

fn shown(path: &Path) -> String {
    format!("--webhook-url-file {}", crate::text::shown_path(path))
}

/// The URL on the file's first line.
fn read_url_file(path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path).map_err(|source| WebhookError::FileUnreadable {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(text.lines().next().unwrap_or("").trim().to_string())
}

/// The summary every format carries, in the mail's words.
struct Summary {
    subject: String,
    headline: String,
    findings: Vec<String>,
    figures: Vec<(&'static str, String, Value)>,
}

fn summary(report: &AuditReport, subject: Option<&str>) -> Summary {
    use super::email;
    let figures = figures::key_figures(report)
        .into_iter()
        .filter(|(name, _)| *name != "Generated at")
        .map(|(name, value)| {
            let (shown, json) = match value {
                Figure::Text(t) => (t.to_string(), json!(t)),
                Figure::Count(Some(n)) => (n.to_string(), json!(n)),
                Figure::Bool(Some(b)) => (if b { "yes" } else { "no" }.to_string(), json!(b)),
                Figure::Count(None) | Figure::Bool(None) => ("unknown".to_string(), Value::Null),
            };
            (name, shown, json)
        })
        .collect();
    Summary {
        subject: email::subject(report, subject),
        headline: email::headline(report),
        findings: email::finding_sentences(report),
        figures,
    }
}

/// The body posted for `format`: the subject line (or `--email-subject`'s), the headline, the
/// findings and the key figures.
pub fn payload(report: &AuditReport, format: Format, subject: Option<&str>) -> Value {
    let s = summary(report, subject);
    match format {
        Format::Json => json!({
            "subject": s.subject,
            "headline": s.headline,
            "generated_at": report.generated_at,
            "findings": s.findings,
            "figures": s.figures.iter().map(|(name, _, v)| (name.to_string(), v.clone())).collect::<serde_json::Map<_, _>>(),
        }),
        Format::Slack => {
            let findings: Vec<String> = s
                .findings
                .iter()
                .map(|f| format!("• {}", slack_escape(f)))
                .collect();
            let figures: Vec<String> = s
                .figures
                .iter()
                .map(|(name, shown, _)| format!("{name}: *{}*", slack_escape(shown)))
                .collect();
            json!({
                "text": s.subject,
                "blocks": [
                    {"type": "header", "text": {"type": "plain_text", "text": cut(&s.subject, 150)}},
                    {"type": "section", "text": {"type": "mrkdwn", "text": cut(&slack_escape(&s.headline), 3000)}},
                    {"type": "section", "text": {"type": "mrkdwn", "text": cut(&findings.join("\n"), 3000)}},
                    {"type": "section", "text": {"type": "mrkdwn", "text": cut(&figures.join("\n"), 3000)}},
                    {"type": "context", "elements": [{"type": "mrkdwn", "text": format!("mfaudit, {}", slack_escape(&report.generated_at))}]}
                ]
            })
        }
        Format::Teams => {
            let findings: Vec<String> = s
                .findings
                .iter()
                .map(|f| format!("- {}", teams_escape(f)))
                .collect();
            let facts: Vec<Value> = s
                .figures
                .iter()
                .map(|(name, shown, _)| json!({"title": name, "value": teams_escape(shown)}))
                .collect();
            json!({
                "type": "message",
                "attachments": [{
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": null,
                    "content": {
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard",
                        "version": "1.4",
                        "msteams": {"width": "Full"},
                        "body": [
                            {"type": "TextBlock", "text": teams_escape(&s.subject), "weight": "Bolder", "size": "Medium", "wrap": true},
                            {"type": "TextBlock", "text": teams_escape(&s.headline), "wrap": true},
                            {"type": "TextBlock", "text": findings.join("\n"), "wrap": true},
                            {"type": "FactSet", "facts": facts},
                            {"type": "TextBlock", "text": format!("mfaudit, {}", teams_escape(&report.generated_at)), "isSubtle": true, "size": "Small", "wrap": true}
                        ]
                    }
                }]
            })
        }
    }
}

/// Slack's mrkdwn: `&`, `<` and `>` escaped, so no text makes a link or a mention.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Adaptive Card text is Markdown: its markup characters escaped, so no text makes a link or
/// emphasis.
fn teams_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '`' | '<' | '>' | '~' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Posts the card; a receiver's refusal or a network failure is an error naming the host and
/// the status, never the URL.
pub fn post(report: &AuditReport, hook: &WebhookSettings, subject: Option<&str>) -> Result<()> {
    let body = payload(report, hook.format, subject).to_string();
    let fail = |detail: String| WebhookError::Post {
        format: hook.format.name(),
        host: hook.host().to_string(),
        detail: detail.replace(&hook.url, "<the webhook URL>"),
    };
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::PlatformVerifier)
        .build();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .tls_config(tls)
        .build()
        .into();
    let mut response = agent
        .post(&hook.url)
        .header("Content-Type", "application/json")
        .send(body.as_bytes())
        .map_err(|e| fail(e.to_string()))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let said = response
        .body_mut()
        .with_config()
        .limit(64 * 1024)
        .read_to_string()
        .unwrap_or_default();
    // One line, whatever the receiver sent: its line breaks and controls escaped.
    let said = crate::text::quoted(said.trim(), QUOTED_BODY);
    Err(fail(if said.is_empty() {
        format!("the receiver answered {status}")
    } else {
        format!("the receiver answered {status}: {said}")
    })
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(format: Option<Format>) -> Options {
        Options {
            format,
            url_file: None,
        }
    }

    fn refused(url: &str) -> String {
        settings_with_env_url(&opts(Some(Format::Slack)), Some(url.to_string()))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn https_and_loopback_http_only() {
        for ok in [
            "https://example.webhook.office.com/x?sig=1",
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "http://[::1]:9/h",
        ] {
            let s = settings_with_env_url(&opts(Some(Format::Teams)), Some(ok.into()))
                .unwrap()
                .unwrap();
            assert_eq!(s.url, ok);
        }
        let said = refused("http://hooks.slack.com/services/T/B/secret");
        assert_eq!(
            said,
            "MFAUDIT_WEBHOOK_URL: the webhook's URL must start with https:// (http:// only to this machine, for tests)"
        );
        assert!(!said.contains("secret"));
        assert!(refused("ftp://x/y").contains("https://"));
        assert!(refused("https://").contains("https://"));
    }

    #[test]
    fn no_format_no_webhook_and_a_file_without_a_format_refused() {
        assert!(
            settings_with_env_url(&opts(None), Some("https://x/y".into()))
                .unwrap()
                .is_none()
        );
        let e = settings_with_env_url(
            &Options {
                format: None,
                url_file: Some("u.txt".into()),
            },
            None,
        )
        .unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let e = settings_with_env_url(&opts(Some(Format::Json)), None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--webhook-format needs the webhook's URL: set MFAUDIT_WEBHOOK_URL or pass --webhook-url-file FILE"
        );
    }

    #[test]
    fn the_url_never_shows_in_debug() {
        let s = settings_with_env_url(
            &opts(Some(Format::Teams)),
            Some("https://h.example/x?sig=topsecret".into()),
        )
        .unwrap()
        .unwrap();
        let shown = format!("{s:?}");
        assert!(!shown.contains("topsecret"), "{shown}");
        assert_eq!(s.host(), "h.example");
    }

    #[test]
    fn markup_in_text_is_escaped() {
        assert_eq!(
            slack_escape("<!channel> & <http://x|y>"),
            "&lt;!channel&gt; &amp; &lt;http://x|y&gt;"
        );
        assert_eq!(
            teams_escape("[a](http://x) *b*"),
            "\\[a\\]\\(http://x\\) \\*b\\*"
        );
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("abc", 4), "abc");
    }
}
