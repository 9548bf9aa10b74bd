//! Talking to Graph as a well-behaved client of a shared service: at most a set number of requests
//! in flight, throttling (`429`) and unavailability (`503`, `504`) retried after `Retry-After` or a
//! capped exponential backoff with jitter, dropped connections retried, the token renewed before it
//! expires (and once more on a `401`). Everything a server sends back is redacted of the secret
//! before it can reach a message.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use ring::rand::{SecureRandom, SystemRandom};

use super::auth::{self, Credential};
use super::endpoints::Endpoints;
use crate::error::PullError;

/// Tries per request: the first and five retries.
pub(super) const MAX_ATTEMPTS: u32 = 6;
/// The first backoff; each retry doubles it, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// The longest `Retry-After` obeyed: a longer one is read as this.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);
/// The largest response body read (a page of a thousand sign-ins with every detail is a few MB).
const MAX_BODY: u64 = 256 * 1024 * 1024;
/// The most of an error body quoted in a message.
const QUOTED: usize = 300;

/// Why a request gave up.
#[derive(Debug)]
pub enum Failure {
    /// Graph answered with an error status: its code and message as sent.
    Status {
        status: u16,
        code: String,
        message: String,
    },
    /// No answer after every retry.
    Network(String),
    /// An answer that is not what Graph sends.
    Response(String),
    /// No token.
    Token(String),
    /// Writing the dataset's file failed.
    Write(crate::error::Error),
    /// Stopped because the dataset it feeds on failed (that failure is the one reported).
    Upstream(String),
    /// Not asked: another part of the same dataset failed first, and its failure is the one
    /// reported.
    Cancelled,
}

impl Failure {
    /// One line saying what happened.
    pub fn describe(&self) -> String {
        match self {
            Failure::Status {
                status,
                code,
                message,
            } => {
                let code = if code.is_empty() {
                    String::new()
                } else {
                    format!(" {code}")
                };
                if message.is_empty() {
                    format!("Graph answered {status}{code}")
                } else {
                    format!("Graph answered {status}{code}: {message}")
                }
            }
            Failure::Network(m) => format!("no answer from Graph: {m}"),
            Failure::Response(m) => format!("an unexpected answer from Graph: {m}"),
            Failure::Token(m) => format!("no token: {m}"),
            Failure::Write(e) => e.to_string(),
            Failure::Upstream(m) => m.clone(),
            Failure::Cancelled => "stopped after another failure".to_string(),
        }
    }

    /// Whether the app lacks a permission (or a license Graph checks the same way).
    pub fn denied(&self) -> bool {
        matches!(self, Failure::Status { status: 403, .. })
    }
}

/// Counts a dataset's requests.
#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

impl Counter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
    fn add(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// How many requests may be in flight at once, shared by every dataset of a pull.
struct Permits {
    free: Mutex<usize>,
    freed: Condvar,
}

struct Permit<'a>(&'a Permits);

impl Permits {
    fn acquire(&self) -> Permit<'_> {
        let mut free = self.free.lock().unwrap_or_else(|p| p.into_inner());
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(|p| p.into_inner());
        }
        *free -= 1;
        Permit(self)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        self.0.freed.notify_one();
    }
}

/// A token and when to renew it.
struct Token {
    value: Arc<str>,
    renew_at: Instant,
}

/// What a pull's requests share: the connection pool, the token, the permits.
pub struct Http {
    agent: ureq::Agent,
    pub endpoints: Endpoints,
    tenant: String,
    client_id: String,
    credential: Credential,
    token: Mutex<Option<Token>>,
    permits: Permits,
    rng: SystemRandom,
}

/// One answer: status, `Retry-After`, body.
struct Answer {
    status: u16,
    retry_after: Option<Duration>,
    body: Vec<u8>,
}

impl Http {
    pub fn new(
        endpoints: Endpoints,
        tenant: &str,
        client_id: &str,
        credential: Credential,
        roots: Option<Vec<ureq::tls::Certificate<'static>>>,
        in_flight: usize,
    ) -> Http {
        let roots = match roots {
            Some(certs) => ureq::tls::RootCerts::Specific(Arc::new(certs)),
            None => ureq::tls::RootCerts::PlatformVerifier,
        };
        let tls = ureq::tls::TlsConfig::builder().root_certs(roots).build();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // A redirect would carry the token elsewhere; Graph's list endpoints never redirect.
            .max_redirects(0)
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_recv_response(Some(Duration::from_secs(180)))
            .timeout_recv_body(Some(Duration::from_secs(300)))
            .max_idle_connections_per_host(in_flight.max(1) + 1)
            .user_agent(concat!("mfaudit/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls)
            .build()
            .into();
        Http {
            agent,
            endpoints,
            tenant: tenant.to_string(),
            client_id: client_id.to_string(),
            credential,
            token: Mutex::new(None),
            permits: Permits {
                free: Mutex::new(in_flight.max(1)),
                freed: Condvar::new(),
            },
            rng: SystemRandom::new(),
        }
    }

    /// A GET on Graph (`url` absolute and on Graph): the body of a successful answer.
    pub fn get(&self, url: &str, counter: &Counter) -> Result<Vec<u8>, Failure> {
        self.call(url, None, counter)
    }

    /// A POST of a JSON body on Graph.
    pub fn post_json(&self, url: &str, body: &[u8], counter: &Counter) -> Result<Vec<u8>, Failure> {
        self.call(url, Some(body), counter)
    }

    fn call(&self, url: &str, body: Option<&[u8]>, counter: &Counter) -> Result<Vec<u8>, Failure> {
        if !self.endpoints.on_graph(url) {
            return Err(Failure::Response(format!(
                "a link off Graph ({}), not followed",
                crate::net::host_of(url).unwrap_or("?")
            )));
        }
        let mut renewed = false;
        let mut attempt = 1;
        loop {
            let token = self.bearer().map_err(|e| Failure::Token(e.to_string()))?;
            let sent = {
                let _permit = self.permits.acquire();
                counter.add();
                self.send_graph(url, body, &token)
            };
            match sent {
                Ok(a) if (200..300).contains(&a.status) => return Ok(a.body),
                Ok(a) if a.status == 401 && !renewed => {
                    // Revoked or expired early: one new token, then the answer stands.
                    self.forget(&token);
                    renewed = true;
                }
                Ok(a) if retried(a.status) && attempt < MAX_ATTEMPTS => {
                    std::thread::sleep(a.retry_after.unwrap_or_else(|| self.backoff(attempt)));
                    attempt += 1;
                }
                Ok(a) => return Err(self.status_failure(a)),
                Err(_) if attempt < MAX_ATTEMPTS => {
                    std::thread::sleep(self.backoff(attempt));
                    attempt += 1;
                }
                Err(e) => return Err(Failure::Network(self.redact(&e.to_string()))),
            }
        }
    }

    fn send_graph(
        &self,
        url: &str,
        body: Option<&[u8]>,
        token: &str,
    ) -> Result<Answer, ureq::Error> {
        let bearer = format!("Bearer {token}");
        let response = match body {
            None => self
                .agent
                .get(url)
                .header("Authorization", &bearer)
                .header("Accept", "application/json")
                .call(),
            Some(b) => self
                .agent
                .post(url)
                .header("Authorization", &bearer)
                .header("Accept", "application/json")
                .header("Content-Type", "application/json")
                .send(b),
        }?;
        answer(response)
    }

    /// The current token, renewed when due.
    fn bearer(&self) -> Result<Arc<str>, PullError> {
        let mut slot = self.token.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(t) = slot.as_ref()
            && Instant::now() < t.renew_at
        {
            return Ok(t.value.clone());
        }
        let token = self.fetch_token()?;
        let value = token.value.clone();
        *slot = Some(token);
        Ok(value)
    }

    /// Drops `stale` (a token Graph refused), unless another request already renewed it.
    fn forget(&self, stale: &str) {
        let mut slot = self.token.lock().unwrap_or_else(|p| p.into_inner());
        if slot.as_ref().is_some_and(|t| &*t.value == stale) {
            *slot = None;
        }
    }

    /// Checks that a token can be had, before any dataset starts.
    pub fn sign_in(&self) -> Result<(), PullError> {
        self.bearer().map(|_| ())
    }

    fn fetch_token(&self) -> Result<Token, PullError> {
        let url = self.endpoints.token_url(&self.tenant);
        let host = crate::net::host_of(&url).unwrap_or("?").to_string();
        let fail = |detail: String| PullError::Token {
            host: host.clone(),
            detail: self.redact(&detail),
        };
        let mut attempt = 1;
        loop {
            let form =
                self.credential
                    .token_form(&self.client_id, &url, &self.endpoints.scope())?;
            let asked = Instant::now();
            let sent = self
                .agent
                .post(&url)
                .header("Accept", "application/json")
                .send_form(form.iter().map(|(k, v)| (*k, v.as_str())))
                .and_then(answer);
            match sent {
                Ok(a) if a.status == 200 => {
                    let t: TokenAnswer = serde_json::from_slice(&a.body).map_err(|e| {
                        fail(format!("the token endpoint's answer is not a token ({e})"))
                    })?;
                    let lifetime = Duration::from_secs(t.expires_in.max(0) as u64);
                    return Ok(Token {
                        value: t.access_token.into(),
                        renew_at: asked + auth::renew_after(lifetime),
                    });
                }
                Ok(a) if retried(a.status) && attempt < MAX_ATTEMPTS => {
                    std::thread::sleep(a.retry_after.unwrap_or_else(|| self.backoff(attempt)));
                    attempt += 1;
                }
                Ok(a) => return Err(fail(token_refusal(&a))),
                Err(_) if attempt < MAX_ATTEMPTS => {
                    std::thread::sleep(self.backoff(attempt));
                    attempt += 1;
                }
                Err(e) => return Err(fail(e.to_string())),
            }
        }
    }

    /// The capped exponential backoff before retry `attempt`, with up to half of it again as
    /// jitter so that parallel requests do not come back together.
    pub(super) fn backoff(&self, attempt: u32) -> Duration {
        let base = FIRST_BACKOFF
            .saturating_mul(1 << (attempt - 1).min(16))
            .min(MAX_BACKOFF);
        let mut r = [0u8; 2];
        let _ = self.rng.fill(&mut r);
        let jitter = f64::from(u16::from_le_bytes(r)) / f64::from(u16::MAX) / 2.0;
        base.mul_f64(1.0 + jitter)
    }

    fn status_failure(&self, a: Answer) -> Failure {
        let body = serde_json::from_slice(&a.body).unwrap_or(serde_json::Value::Null);
        self.failure(a.status, &body)
    }

    /// An error answer (a request's, or an item's inside a `$batch`) as a failure: Graph's
    /// `error.code` and `error.message`, quoted on one line, without the secret.
    pub(super) fn failure(&self, status: u16, body: &serde_json::Value) -> Failure {
        let text = |key: &str| {
            let said = body
                .get("error")
                .and_then(|e| e.get(key))
                .and_then(|v| v.as_str())
                .unwrap_or("");
            self.redact(&crate::text::quoted(said, QUOTED))
        };
        Failure::Status {
            status,
            code: text("code"),
            message: text("message"),
        }
    }

    /// `text` without the client secret.
    fn redact(&self, text: &str) -> String {
        match self.credential.secret() {
            Some(s) if !s.is_empty() => text.replace(s, "***"),
            _ => text.to_string(),
        }
    }
}

/// The statuses a request (or a `$batch` item) is asked again after: throttled, unavailable,
/// timed out behind the gateway.
pub(super) fn retried(status: u16) -> bool {
    matches!(status, 429 | 503 | 504)
}

/// A `Retry-After` of whole seconds (what Graph sends), capped at [`MAX_RETRY_AFTER`].
pub(super) fn retry_after(value: &str) -> Option<Duration> {
    let secs = value.trim().parse::<u64>().ok()?;
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

fn answer(mut response: ureq::http::Response<ureq::Body>) -> Result<Answer, ureq::Error> {
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(retry_after);
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_vec()?;
    Ok(Answer {
        status,
        retry_after,
        body,
    })
}

#[derive(serde::Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: i64,
}

/// What the token endpoint said: `error_description`'s first sentence line (the rest is trace and
/// correlation ids), else the status.
fn token_refusal(a: &Answer) -> String {
    #[derive(serde::Deserialize)]
    struct Refusal {
        #[serde(default)]
        error: String,
        #[serde(default)]
        error_description: String,
    }
    match serde_json::from_slice::<Refusal>(&a.body) {
        Ok(r) if !r.error_description.is_empty() || !r.error.is_empty() => {
            let said = r
                .error_description
                .split(['\r', '\n'])
                .next()
                .unwrap_or("")
                .trim();
            let said = said.split(" Trace ID:").next().unwrap_or(said);
            format!(
                "the token endpoint answered {} {}: {}",
                a.status,
                r.error,
                crate::text::quoted(said, QUOTED)
            )
        }
        _ => format!("the token endpoint answered {}", a.status),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_errors_and_token_refusals_read_as_one_line() {
        let http = Http::new(
            Endpoints::new(super::super::Cloud::Global, None, None).unwrap(),
            "t",
            "c",
            Credential::Secret("s3cr3t".into()),
            None,
            1,
        );
        let f = http.failure(
            403,
            &serde_json::json!({"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation. not s3cr3t","innerError":{}}}),
        );
        assert_eq!(
            f.describe(),
            "Graph answered 403 Authorization_RequestDenied: Insufficient privileges to complete the operation. not ***"
        );
        assert!(f.denied());
        assert_eq!(
            http.failure(502, &serde_json::Value::Null).describe(),
            "Graph answered 502"
        );
        assert_eq!(retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(retry_after("86400"), Some(MAX_RETRY_AFTER));
        assert_eq!(retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        let a = Answer {
            status: 401,
            retry_after: None,
            body: br#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Trace ID: 1 Correlation ID: 2\r\nTimestamp: 3"}"#.to_vec(),
        };
        assert_eq!(
            token_refusal(&a),
            "the token endpoint answered 401 invalid_client: AADSTS7000215: Invalid client secret provided."
        );
    }

    #[test]
    fn backoff_doubles_up_to_its_cap_with_at_most_half_again() {
        let endpoints = Endpoints::new(super::super::Cloud::Global, None, None).unwrap();
        let http = Http::new(endpoints, "t", "c", Credential::Secret("s".into()), None, 2);
        for (attempt, base) in [(1, 500), (2, 1000), (3, 2000), (8, 30_000), (30, 30_000)] {
            let d = http.backoff(attempt).as_millis() as u64;
            assert!((base..=base * 3 / 2).contains(&d), "{attempt}: {d}");
        }
        assert_eq!(http.redact("a s b"), "a *** b");
    }
}
