//! A stand-in for Microsoft Graph and the Microsoft identity platform's token endpoint, on
//! loopback, for the tests of `mfaudit pull`.
//!
//! Microsoft Graph cannot run here, so the tests of `mfaudit pull` (a Graph client that pulls the
//! Entra ID exports) run against this server, which plays Graph's documented behaviour over real
//! TLS with a test CA: [`Pki`] makes the CA, the server's certificate for 127.0.0.1 and localhost
//! and the client application's certificate with the `openssl` command, and [`GraphServer`] serves:
//!
//! * the token endpoint, `POST /{tenant}/oauth2/v2.0/token`: the client credentials grant with a
//!   client secret or a certificate's signed JWT assertion (checked as Entra ID checks it: header,
//!   thumbprint, RS256 signature, audience, issuer, subject, lifetime), answered with Entra ID's
//!   success and `AADSTS` error bodies;
//! * Graph itself, behind bearer tokens it issued (expiring, revocable): collections paged with
//!   `$top` and an opaque `$skiptoken` in `@odata.nextLink`, projected with `$select` and
//!   `$expand=name($select=...)`, the sign-in log's `$filter` (its default list is the interactive
//!   sign-ins), single objects, and `POST /beta/$batch` of per-user MFA states (at most 20 requests,
//!   answered in an order of its own);
//! * faults on request: an error status with `Retry-After`, or a connection dropped mid-page; and
//!   latency, with a gauge of the requests in flight.
//!
//! Every token request and Graph request is recorded for the tests to check.

use std::collections::{HashMap, HashSet};
use std::fmt::{self, Write as _};
use std::io::{self, BufRead, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::{SecureRandom, SystemRandom};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};
use serde_json::{Map, Value, json};

// ---------------------------------------------------------------------------------------------
// The test PKI
// ---------------------------------------------------------------------------------------------

/// A test CA, the server's certificate signed by it, and the client application's certificate,
/// made with the `openssl` command in a temporary folder that lives as long as this value.
#[derive(Debug)]
pub struct Pki {
    /// Keeps the folder alive.
    _tmp: tempfile::TempDir,
    /// The folder holding every file below.
    pub dir: PathBuf,
    /// The test CA's certificate (PEM), given to the client as `--ca-file`.
    pub ca_pem: PathBuf,
    /// The client application's certificate then its PKCS#8 private key, in one PEM file
    /// (RSA 2048, self-signed).
    pub client_pem: PathBuf,
    /// The DER of the client's certificate (its `x5t#S256` is base64url-nopad(sha256(der))).
    pub client_cert_der: Vec<u8>,
    /// The client's public key as a PKCS#1 RSAPublicKey (DER), as ring verifies with it.
    pub client_public_key_der: Vec<u8>,
    /// The server's certificate then the CA's.
    server_chain: Vec<CertificateDer<'static>>,
    /// The server's private key (ECDSA P-256, PKCS#8).
    server_key: PrivateKeyDer<'static>,
}

impl Default for Pki {
    fn default() -> Self {
        Pki::new()
    }
}

impl Pki {
    /// Makes the CA, the server's certificate (subjectAltName IP:127.0.0.1 and DNS:localhost) and
    /// the client's certificate. Prints nothing; panics when `openssl` fails (test setup).
    pub fn new() -> Pki {
        let tmp = tempfile::tempdir().expect("temporary folder for the test PKI");
        let dir = tmp.path().to_path_buf();
        let openssl = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(&dir)
                .output()
                .expect("run openssl (the test PKI is made with it)");
            assert!(
                out.status.success(),
                "openssl {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            );
        };
        // The CA: ECDSA P-256 (quick to make), a CA that may sign certificates.
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "3650",
            "-subj",
            "/CN=mfaudit test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
        // The server: a leaf for 127.0.0.1 and localhost, with the extensions webpki wants.
        openssl(&[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ]);
        write_file(
            &dir.join("server.ext"),
            "basicConstraints=critical,CA:FALSE\n\
             keyUsage=critical,digitalSignature\n\
             extendedKeyUsage=serverAuth\n\
             subjectAltName=IP:127.0.0.1,DNS:localhost\n\
             subjectKeyIdentifier=hash\n\
             authorityKeyIdentifier=keyid\n",
        );
        let serial = format!("0x{}", hex(&random_bytes(8)));
        openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-set_serial",
            &serial,
            "-days",
            "825",
            "-extfile",
            "server.ext",
            "-out",
            "server.pem",
        ]);
        // The client application: RSA 2048, self-signed, as registered on an app.
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "client.key",
            "-out",
            "client.crt",
            "-days",
            "365",
            "-subj",
            "/CN=mfaudit test client",
        ]);
        openssl(&[
            "x509",
            "-in",
            "client.crt",
            "-outform",
            "DER",
            "-out",
            "client.der",
        ]);
        openssl(&[
            "rsa",
            "-in",
            "client.key",
            "-RSAPublicKey_out",
            "-outform",
            "DER",
            "-out",
            "client.pub.der",
        ]);

        let client_pem = dir.join("client.pem");
        let mut both = read_file(&dir.join("client.crt"));
        both.extend_from_slice(&read_file(&dir.join("client.key")));
        write_file(&client_pem, both);

        let mut server_chain = Vec::new();
        for file in ["server.pem", "ca.pem"] {
            let pem = read_file(&dir.join(file));
            for cert in CertificateDer::pem_slice_iter(&pem) {
                server_chain.push(cert.expect("a certificate openssl wrote"));
            }
        }
        let server_key = PrivateKeyDer::from_pem_slice(&read_file(&dir.join("server.key")))
            .expect("the key openssl wrote");

        Pki {
            ca_pem: dir.join("ca.pem"),
            client_pem,
            client_cert_der: read_file(&dir.join("client.der")),
            client_public_key_der: read_file(&dir.join("client.pub.der")),
            server_chain,
            server_key,
            dir,
            _tmp: tmp,
        }
    }
}

fn read_file(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn write_file(path: &Path, bytes: impl AsRef<[u8]>) {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

// ---------------------------------------------------------------------------------------------
// What the tenant holds
// ---------------------------------------------------------------------------------------------

/// The records of one collection: a list, or made on demand (large collections cost nothing
/// until they are paged).
#[derive(Clone)]
pub enum Collection {
    Items(Vec<Value>),
    Generated {
        len: usize,
        make: Arc<dyn Fn(usize) -> Value + Send + Sync>,
    },
}

impl Collection {
    /// `len` records, record `i` being `make(i)`.
    pub fn generated(len: usize, make: impl Fn(usize) -> Value + Send + Sync + 'static) -> Self {
        Collection::Generated {
            len,
            make: Arc::new(make),
        }
    }

    fn len(&self) -> usize {
        match self {
            Collection::Items(items) => items.len(),
            Collection::Generated { len, .. } => *len,
        }
    }

    fn get(&self, i: usize) -> Value {
        match self {
            Collection::Items(items) => items.get(i).cloned().unwrap_or(Value::Null),
            Collection::Generated { make, .. } => make(i),
        }
    }
}

impl fmt::Debug for Collection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Collection::Items(items) => write!(f, "Items({} records)", items.len()),
            Collection::Generated { len, .. } => write!(f, "Generated({len} records)"),
        }
    }
}

/// What a fault does to the request it fires on.
#[derive(Clone, Debug)]
pub enum FaultKind {
    /// This status with Graph's error body for `code`, and `Retry-After: N` when given.
    Status {
        status: u16,
        code: &'static str,
        retry_after: Option<u64>,
    },
    /// The status line, the headers (the full Content-Length) and half the real body, then the
    /// socket closes.
    DropConnection,
    /// On a `$batch`: its first item answered `429 TooManyRequests` with `Retry-After: N` in the
    /// item's headers (Graph throttles items of a batch one by one), the others as usual.
    ItemThrottled { retry_after: u64 },
}

/// A fault fires on the first request whose decoded path starts with `path_prefix` and whose page
/// is `on_page` (0 without a `$skiptoken`, else the page the token points to; for `$batch`, the
/// number of `$batch` requests before it), `times` times.
#[derive(Clone, Debug)]
pub struct Fault {
    pub path_prefix: String,
    pub kind: FaultKind,
    pub times: usize,
    pub on_page: usize,
}

/// The tenant the server plays: its app registration and its directory's data.
#[derive(Clone, Debug)]
pub struct Tenant {
    pub tenant: String,
    pub client_id: String,
    /// When set, a client_secret grant with this value is accepted.
    pub client_secret: Option<String>,
    /// The lifetime of the tokens issued (default 3600).
    pub token_lifetime_secs: u64,
    /// By request path without the query, e.g. "/v1.0/users", "/beta/auditLogs/signIns",
    /// "/v1.0/groups/{id}/transitiveMembers".
    pub collections: HashMap<String, Collection>,
    /// Single objects by path, e.g. "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy".
    pub singles: HashMap<String, Value>,
    /// User id -> "disabled" | "enabled" | "enforced", for beta authentication/requirements.
    pub per_user_state: HashMap<String, String>,
    /// A page never holds more, whatever `$top` asks (default 999).
    pub max_page: usize,
    /// Added before every response, the token endpoint's included (default 0).
    pub latency: Duration,
    pub faults: Vec<Fault>,
}

impl Tenant {
    pub fn new(tenant: &str, client_id: &str) -> Tenant {
        Tenant {
            tenant: tenant.to_string(),
            client_id: client_id.to_string(),
            client_secret: None,
            token_lifetime_secs: 3600,
            collections: HashMap::new(),
            singles: HashMap::new(),
            per_user_state: HashMap::new(),
            max_page: 999,
            latency: Duration::ZERO,
            faults: Vec::new(),
        }
    }
}

/// One request to the token endpoint, as received and as judged.
#[derive(Clone, Debug)]
pub struct TokenRequest {
    pub at: Instant,
    /// The form, decoded.
    pub form: HashMap<String, String>,
    /// The client assertion's header and claims, when they decoded.
    pub assertion_header: Option<Value>,
    pub assertion_claims: Option<Value>,
    /// The assertion's RS256 signature verified with the client's public key.
    pub signature_valid: bool,
    pub granted: bool,
    /// The error_description of a refusal.
    pub refusal: Option<String>,
}

/// One Graph request (the token endpoint's are in [`TokenRequest`]).
#[derive(Clone, Debug)]
pub struct Logged {
    pub method: String,
    /// The path and query as received, still percent-encoded.
    pub target: String,
    /// The decoded path.
    pub path: String,
    pub at: Instant,
    /// The status sent (0 while the request is being handled).
    pub status: u16,
    /// The number of requests inside a `$batch`, else 0.
    pub batch_size: usize,
    pub page: usize,
    /// The connection was dropped mid-body (a DropConnection fault).
    pub dropped: bool,
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

/// The server, on 127.0.0.1 at a free port. Dropping it stops the accept loop (best effort:
/// connections already open finish on their own).
pub struct GraphServer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    accept: Option<JoinHandle<()>>,
}

/// The most a request line or header line may hold.
const MAX_LINE: usize = 16 * 1024;
/// The most header lines in a request.
const MAX_HEADERS: usize = 100;
/// The largest request body.
const MAX_BODY: usize = 32 << 20;
/// An idle keep-alive connection is closed after this.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// The most requests in one `$batch`.
const MAX_BATCH: usize = 20;
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const GRAPH_JSON: &str = "application/json; odata.metadata=minimal";

struct Shared {
    /// "https://127.0.0.1:PORT".
    url: String,
    /// The tenant, its faults moved to `faults`.
    tenant: Tenant,
    faults: Mutex<Vec<Fault>>,
    tls: Arc<ServerConfig>,
    /// base64url-nopad(sha256(client certificate DER)).
    client_thumbprint: String,
    client_public_key_der: Vec<u8>,
    /// Issued token -> when it expires.
    tokens: Mutex<HashMap<String, Instant>>,
    token_requests: Mutex<Vec<TokenRequest>>,
    log: Mutex<Vec<Logged>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    batches_seen: AtomicUsize,
    stop: AtomicBool,
}

impl GraphServer {
    /// Starts the server for `tenant` with the PKI's server certificate.
    pub fn start(pki: &Pki, mut tenant: Tenant) -> GraphServer {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(pki.server_chain.clone(), pki.server_key.clone_key())
            .expect("the server certificate and key");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("the bound address");
        let faults = std::mem::take(&mut tenant.faults);
        let shared = Arc::new(Shared {
            url: format!("https://127.0.0.1:{}", addr.port()),
            tenant,
            faults: Mutex::new(faults),
            tls: Arc::new(tls),
            client_thumbprint: URL_SAFE_NO_PAD.encode(sha256(&pki.client_cert_der)),
            client_public_key_der: pki.client_public_key_der.clone(),
            tokens: Mutex::new(HashMap::new()),
            token_requests: Mutex::new(Vec::new()),
            log: Mutex::new(Vec::new()),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            batches_seen: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
        });
        let for_loop = Arc::clone(&shared);
        let accept = thread::Builder::new()
            .name("graph-server".into())
            .spawn(move || accept_loop(&listener, &for_loop))
            .expect("start the accept thread");
        GraphServer {
            shared,
            addr,
            accept: Some(accept),
        }
    }

    /// "https://127.0.0.1:PORT", no trailing slash: both the login URL and the Graph URL.
    pub fn url(&self) -> String {
        self.shared.url.clone()
    }

    /// Every token request so far, in arrival order.
    pub fn token_requests(&self) -> Vec<TokenRequest> {
        lock(&self.shared.token_requests).clone()
    }

    /// Every Graph request so far (not the token requests), in arrival order.
    pub fn log(&self) -> Vec<Logged> {
        lock(&self.shared.log).clone()
    }

    /// The most Graph requests handled at once (the latency sleep included).
    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }

    /// Every token issued so far becomes invalid.
    pub fn revoke_tokens(&self) {
        lock(&self.shared.tokens).clear();
    }
}

impl Drop for GraphServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop, which then sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// A mutex's data, even after a panic elsewhere (a test's record maker, say).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for conn in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(tcp) = conn else {
            thread::sleep(Duration::from_millis(10));
            continue;
        };
        let shared = Arc::clone(shared);
        let _ = thread::Builder::new()
            .name("graph-connection".into())
            .spawn(move || serve_connection(&shared, tcp));
    }
}

type Tls = StreamOwned<ServerConnection, TcpStream>;

/// One connection: TLS, then HTTP/1.1 requests until either side closes.
fn serve_connection(shared: &Shared, tcp: TcpStream) {
    let _ = tcp.set_nodelay(true);
    let _ = tcp.set_read_timeout(Some(IDLE_TIMEOUT));
    let _ = tcp.set_write_timeout(Some(IDLE_TIMEOUT));
    let Ok(conn) = ServerConnection::new(Arc::clone(&shared.tls)) else {
        return;
    };
    let mut stream = StreamOwned::new(conn, tcp);
    loop {
        let request = match read_request(&mut stream) {
            Ok(request) => request,
            // A failed handshake, a closed connection or an idle timeout.
            Err(ReadError::Closed) => return,
            Err(ReadError::Malformed(why)) => {
                let ctx = Ctx::new(None);
                let response = graph_error(400, "BadRequest", &why, &ctx, &[]);
                if write_response(&mut stream, &response, true, response.body.len()).is_ok() {
                    close(&mut stream);
                }
                return;
            }
        };
        let close_after = request.wants_close() || shared.stop.load(Ordering::SeqCst);
        let outcome = shared.serve(&request);
        let response = &outcome.response;
        if outcome.dropped {
            let _ = write_response(&mut stream, response, false, response.body.len() / 2);
            // No close_notify: the connection just ends, mid-body.
            let _ = stream.sock.shutdown(Shutdown::Both);
            return;
        }
        if write_response(&mut stream, response, close_after, response.body.len()).is_err() {
            return;
        }
        drop(outcome);
        if close_after {
            close(&mut stream);
            return;
        }
    }
}

/// Ends the TLS session cleanly, then the TCP connection.
fn close(stream: &mut Tls) {
    stream.conn.send_close_notify();
    let _ = stream.flush();
    let _ = stream.sock.shutdown(Shutdown::Write);
}

// ---------------------------------------------------------------------------------------------
// HTTP/1.1
// ---------------------------------------------------------------------------------------------

struct Request {
    method: String,
    /// As received: the path and query, percent-encoded.
    target: String,
    http10: bool,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn wants_close(&self) -> bool {
        let tokens = self.header("connection").unwrap_or("");
        let has = |t: &str| tokens.split(',').any(|x| x.trim().eq_ignore_ascii_case(t));
        has("close") || (self.http10 && !has("keep-alive"))
    }
}

enum ReadError {
    /// The connection ended (or failed) before a whole request: nothing to answer.
    Closed,
    /// A request this server cannot read: answered 400, then the connection closes.
    Malformed(String),
}

fn malformed(why: impl Into<String>) -> ReadError {
    ReadError::Malformed(why.into())
}

/// One line without its CRLF; `None` at the end of the stream before any byte.
fn read_line(r: &mut Tls) -> Result<Option<String>, ReadError> {
    let mut buf = Vec::new();
    let n = Read::take(&mut *r, MAX_LINE as u64)
        .read_until(b'\n', &mut buf)
        .map_err(|_| ReadError::Closed)?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() != Some(&b'\n') {
        return Err(if n >= MAX_LINE {
            malformed("Request line or header line too long.")
        } else {
            ReadError::Closed
        });
    }
    buf.pop();
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    String::from_utf8(buf)
        .map(Some)
        .map_err(|_| malformed("Request line or header is not UTF-8."))
}

fn read_request(r: &mut Tls) -> Result<Request, ReadError> {
    // A stray CRLF before a request line is allowed (RFC 9112 2.2).
    let mut line = String::new();
    for _ in 0..4 {
        line = read_line(r)?.ok_or(ReadError::Closed)?;
        if !line.is_empty() {
            break;
        }
    }
    let mut parts = line.split(' ').filter(|p| !p.is_empty());
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed(format!("Malformed request line: {line:?}")));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(malformed(format!("Unsupported HTTP version: {version}")));
    }
    let mut request = Request {
        method: method.to_string(),
        target: target.to_string(),
        http10: version == "HTTP/1.0",
        headers: Vec::new(),
        body: Vec::new(),
    };
    loop {
        let line = read_line(r)?.ok_or(ReadError::Closed)?;
        if line.is_empty() {
            break;
        }
        if request.headers.len() >= MAX_HEADERS {
            return Err(malformed("Too many headers."));
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(malformed(format!("Malformed header: {line:?}")));
        };
        request
            .headers
            .push((name.trim().to_string(), value.trim().to_string()));
    }
    if request
        .header("expect")
        .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
    {
        r.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .and_then(|()| r.flush())
            .map_err(|_| ReadError::Closed)?;
    }
    if let Some(te) = request.header("transfer-encoding") {
        let last = te.rsplit(',').next().unwrap_or("").trim();
        if !last.eq_ignore_ascii_case("chunked") {
            return Err(malformed(format!("Unsupported Transfer-Encoding: {te}")));
        }
        request.body = read_chunked(r)?;
    } else {
        let mut length = None;
        for (name, value) in &request.headers {
            if name.eq_ignore_ascii_case("content-length") {
                let n: usize = value
                    .parse()
                    .map_err(|_| malformed(format!("Bad Content-Length: {value}")))?;
                if length.is_some_and(|l| l != n) {
                    return Err(malformed("Conflicting Content-Length headers."));
                }
                length = Some(n);
            }
        }
        let length = length.unwrap_or(0);
        if length > MAX_BODY {
            return Err(malformed("Request body too large."));
        }
        let mut body = vec![0; length];
        r.read_exact(&mut body).map_err(|_| ReadError::Closed)?;
        request.body = body;
    }
    Ok(request)
}

fn read_chunked(r: &mut Tls) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    loop {
        let line = read_line(r)?.ok_or(ReadError::Closed)?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| malformed(format!("Bad chunk size: {line:?}")))?;
        if size == 0 {
            // Trailers, up to the empty line.
            loop {
                match read_line(r)? {
                    None => return Err(ReadError::Closed),
                    Some(l) if l.is_empty() => return Ok(body),
                    Some(_) => {}
                }
            }
        }
        if size > MAX_BODY - body.len() {
            return Err(malformed("Request body too large."));
        }
        let start = body.len();
        body.resize(start + size, 0);
        r.read_exact(&mut body[start..])
            .map_err(|_| ReadError::Closed)?;
        match read_line(r)? {
            Some(l) if l.is_empty() => {}
            Some(_) => return Err(malformed("Chunk not followed by CRLF.")),
            None => return Err(ReadError::Closed),
        }
    }
}

struct Response {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// Writes the status line, the headers (Content-Length always the whole body's) and the first
/// `send` bytes of the body.
fn write_response(
    w: &mut impl Write,
    response: &Response,
    close: bool,
    send: usize,
) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (name, value) in &response.headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    let date = jiff::Timestamp::now().strftime("%a, %d %b %Y %H:%M:%S GMT");
    let _ = write!(
        head,
        "Date: {date}\r\nContent-Length: {}\r\nConnection: {}\r\n\r\n",
        response.body.len(),
        if close { "close" } else { "keep-alive" }
    );
    w.write_all(head.as_bytes())?;
    w.write_all(&response.body[..send.min(response.body.len())])?;
    w.flush()
}

// ---------------------------------------------------------------------------------------------
// Serving
// ---------------------------------------------------------------------------------------------

/// A response, and whether to drop the connection halfway through its body; the in-flight gauge
/// is held until the response is written.
struct Outcome<'a> {
    response: Response,
    dropped: bool,
    _in_flight: Option<InFlight<'a>>,
}

/// Counts one Graph request in flight while it lives.
struct InFlight<'a>(&'a Shared);

impl<'a> InFlight<'a> {
    fn enter(shared: &'a Shared) -> Self {
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(shared)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Ids for one Graph request's error bodies and headers.
struct Ctx {
    request_id: String,
    client_request_id: String,
}

impl Ctx {
    fn new(client_request_id: Option<&str>) -> Ctx {
        let request_id = uuid();
        Ctx {
            client_request_id: client_request_id.map_or_else(|| request_id.clone(), str::to_string),
            request_id,
        }
    }
}

/// A Graph response with a JSON body.
fn graph_json(status: u16, body: String, ctx: &Ctx) -> Response {
    Response {
        status,
        headers: vec![
            ("Content-Type", GRAPH_JSON.to_string()),
            ("request-id", ctx.request_id.clone()),
            ("client-request-id", ctx.client_request_id.clone()),
        ],
        body: body.into_bytes(),
    }
}

/// Graph's error body: code, message, innerError (date, request-id, client-request-id).
fn graph_error_body(code: &str, message: &str, ctx: &Ctx) -> String {
    format!(
        r#"{{"error":{{"code":{},"message":{},"innerError":{{"date":{},"request-id":{},"client-request-id":{}}}}}}}"#,
        Value::from(code),
        Value::from(message),
        Value::from(graph_date()),
        Value::from(ctx.request_id.as_str()),
        Value::from(ctx.client_request_id.as_str()),
    )
}

fn graph_error(
    status: u16,
    code: &str,
    message: &str,
    ctx: &Ctx,
    extra: &[(&'static str, String)],
) -> Response {
    let mut response = graph_json(status, graph_error_body(code, message, ctx), ctx);
    response.headers.extend_from_slice(extra);
    response
}

/// The message Graph gives with a fault's status.
fn fault_message(status: u16) -> &'static str {
    match status {
        401 => "Access token validation failure.",
        403 => "Insufficient privileges to complete the operation.",
        404 => "Resource not found.",
        429 => "Too many requests. Please retry after the time given in the Retry-After header.",
        500 => "An internal server error occurred.",
        502 => "Bad gateway.",
        503 => "The service is temporarily unavailable. Please retry later.",
        504 => "The request timed out.",
        _ => "The request failed.",
    }
}

/// The request target split: the raw path, the decoded path and the raw query.
struct Target<'r> {
    raw_path: &'r str,
    path: String,
    query: &'r str,
}

impl Target<'_> {
    fn of(target: &str) -> Target<'_> {
        let (raw_path, query) = target.split_once('?').unwrap_or((target, ""));
        Target {
            raw_path,
            path: percent_decode(raw_path, false),
            query,
        }
    }
}

/// What a Graph request asks for.
enum Route<'t> {
    Batch(Option<Value>),
    Collection(&'t Collection, Box<Query>),
    Single(&'t Value),
    NotFound,
    MethodNotAllowed,
}

/// A Graph request's answer and what the log keeps of it.
struct Served {
    response: Response,
    page: usize,
    batch_size: usize,
    dropped: bool,
}

impl Served {
    fn plain(response: Response) -> Served {
        Served {
            response,
            page: 0,
            batch_size: 0,
            dropped: false,
        }
    }
}

impl Shared {
    fn serve(&self, request: &Request) -> Outcome<'_> {
        let at = Instant::now();
        let target = Target::of(&request.target);
        if let Some(tenant) = token_path_tenant(&target.path) {
            thread::sleep(self.tenant.latency);
            return Outcome {
                response: self.token(request, tenant, at),
                dropped: false,
                _in_flight: None,
            };
        }
        let in_flight = InFlight::enter(self);
        let index = {
            let mut log = lock(&self.log);
            log.push(Logged {
                method: request.method.clone(),
                target: request.target.clone(),
                path: target.path.clone(),
                at,
                status: 0,
                batch_size: 0,
                page: 0,
                dropped: false,
            });
            log.len() - 1
        };
        thread::sleep(self.tenant.latency);
        let ctx = Ctx::new(request.header("client-request-id"));
        let served = self.graph(request, &target, &ctx);
        if let Some(entry) = lock(&self.log).get_mut(index) {
            entry.status = served.response.status;
            entry.batch_size = served.batch_size;
            entry.page = served.page;
            entry.dropped = served.dropped;
        }
        Outcome {
            response: served.response,
            dropped: served.dropped,
            _in_flight: Some(in_flight),
        }
    }

    // --- The token endpoint -------------------------------------------------------------------

    fn token(&self, request: &Request, path_tenant: &str, at: Instant) -> Response {
        let form = parse_form(&request.body);
        let mut record = TokenRequest {
            at,
            form,
            assertion_header: None,
            assertion_claims: None,
            signature_valid: false,
            granted: false,
            refusal: None,
        };
        let verdict = self.judge_token_request(request, path_tenant, &mut record);
        let response = match verdict {
            Ok(()) => {
                record.granted = true;
                let token = URL_SAFE_NO_PAD.encode(random_bytes(32));
                let lifetime = self.tenant.token_lifetime_secs;
                let now = Instant::now();
                // A lifetime too long for an Instant is as good as forever.
                let expiry = now
                    .checked_add(Duration::from_secs(lifetime))
                    .unwrap_or(now + Duration::from_secs(100 * 365 * 24 * 3600));
                lock(&self.tokens).insert(token.clone(), expiry);
                let body = format!(
                    r#"{{"token_type":"Bearer","expires_in":{lifetime},"ext_expires_in":{lifetime},"access_token":{}}}"#,
                    Value::from(token)
                );
                token_response(200, body)
            }
            Err(refusal) => {
                record.refusal = Some(refusal.description.clone());
                token_response(refusal.status, refusal.body())
            }
        };
        lock(&self.token_requests).push(record);
        response
    }

    fn judge_token_request(
        &self,
        request: &Request,
        path_tenant: &str,
        record: &mut TokenRequest,
    ) -> Result<(), Refusal> {
        let tenant = &self.tenant;
        if request.method != "POST" {
            return Err(Refusal::bad_request(
                "invalid_request",
                format!(
                    "AADSTS900561: The endpoint only accepts POST requests. Received a {} request.",
                    request.method
                ),
            ));
        }
        if path_tenant != tenant.tenant {
            return Err(Refusal::bad_request(
                "invalid_request",
                format!(
                    "AADSTS90002: Tenant '{path_tenant}' not found. Check to make sure you have the \
                     correct tenant ID and are signing into the correct cloud."
                ),
            ));
        }
        let form = &record.form;
        let field = |name: &str| form.get(name).map(String::as_str).filter(|v| !v.is_empty());
        let required = |name: &str| {
            field(name).ok_or_else(|| {
                Refusal::bad_request(
                    "invalid_request",
                    format!(
                        "AADSTS900144: The request body must contain the following parameter: \
                         '{name}'."
                    ),
                )
            })
        };
        let grant_type = required("grant_type")?;
        if grant_type != "client_credentials" {
            return Err(Refusal::bad_request(
                "unsupported_grant_type",
                format!("AADSTS70003: The app requested an unsupported grant type '{grant_type}'."),
            ));
        }
        let client_id = required("client_id")?;
        if client_id != tenant.client_id {
            return Err(Refusal::bad_request(
                "unauthorized_client",
                format!(
                    "AADSTS700016: Application with identifier '{client_id}' was not found in the \
                     directory '{}'.",
                    tenant.tenant
                ),
            ));
        }
        let scope = required("scope")?;
        if scope != format!("{}/.default", self.url) {
            return Err(Refusal::bad_request(
                "invalid_scope",
                format!(
                    "AADSTS70011: The provided request must include a 'scope' input parameter. The \
                     provided value for the input parameter 'scope' is not valid. The scope \
                     {scope} is not valid."
                ),
            ));
        }
        let secret = field("client_secret").map(str::to_string);
        let assertion = field("client_assertion").map(str::to_string);
        let assertion_type = field("client_assertion_type").map(str::to_string);
        match (secret, assertion) {
            (Some(_), Some(_)) => Err(Refusal::bad_request(
                "invalid_request",
                "AADSTS9002313: Invalid request. Request is malformed or invalid: both \
                 client_secret and client_assertion were given."
                    .to_string(),
            )),
            (Some(secret), None) => {
                if tenant.client_secret.as_deref() == Some(secret.as_str()) {
                    Ok(())
                } else {
                    Err(Refusal::invalid_client(format!(
                        "AADSTS7000215: Invalid client secret provided. Ensure the secret being \
                         sent in the request is the client secret value, not the client secret \
                         ID, for a secret added to app '{}'.",
                        tenant.client_id
                    )))
                }
            }
            (None, Some(assertion)) => {
                if assertion_type.as_deref() != Some(JWT_BEARER) {
                    return Err(Refusal::bad_request(
                        "invalid_request",
                        format!(
                            "AADSTS90014: The required field 'client_assertion_type' is missing \
                             from the credential or is not '{JWT_BEARER}'."
                        ),
                    ));
                }
                self.judge_assertion(&assertion, record)
            }
            (None, None) => Err(Refusal::bad_request(
                "invalid_request",
                "AADSTS7000216: 'client_assertion', 'client_secret' or 'request' is required for \
                 the 'client_credentials' grant type."
                    .to_string(),
            )),
        }
    }

    /// Checks a client assertion as Entra ID does, recording its header, claims and signature.
    fn judge_assertion(&self, jwt: &str, record: &mut TokenRequest) -> Result<(), Refusal> {
        let malformed = |why: &str| {
            Refusal::invalid_client(format!(
                "AADSTS50027: JWT token is invalid or malformed: {why}."
            ))
        };
        let parts: Vec<&str> = jwt.split('.').collect();
        let [header_b64, claims_b64, signature_b64] = parts[..] else {
            return Err(malformed("not three dot-separated parts"));
        };
        let decode_json = |part: &str| {
            URL_SAFE_NO_PAD
                .decode(part)
                .ok()
                .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
                .filter(Value::is_object)
        };
        let header = decode_json(header_b64);
        let claims = decode_json(claims_b64);
        record.assertion_header.clone_from(&header);
        record.assertion_claims.clone_from(&claims);
        let signature = URL_SAFE_NO_PAD.decode(signature_b64).ok();
        if let Some(signature) = &signature {
            let key = ring::signature::UnparsedPublicKey::new(
                &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                &self.client_public_key_der,
            );
            let signed = &jwt[..header_b64.len() + 1 + claims_b64.len()];
            record.signature_valid = key.verify(signed.as_bytes(), signature).is_ok();
        }
        let (Some(header), Some(claims), Some(_)) = (header, claims, signature) else {
            return Err(malformed(
                "a part is not base64url (without padding) of a JSON object",
            ));
        };

        let text = |v: &Value, name: &str| v.get(name).and_then(Value::as_str).map(str::to_string);
        let alg = text(&header, "alg").unwrap_or_default();
        if alg != "RS256" {
            return Err(Refusal::invalid_client(format!(
                "AADSTS5002738: Invalid JWT token. '{alg}' is not a supported signature algorithm. \
                 Supported signing algorithms are: 'RS256'."
            )));
        }
        if text(&header, "typ").as_deref() != Some("JWT") {
            return Err(malformed("the header's typ is not JWT"));
        }
        let thumbprint = text(&header, "x5t#S256").unwrap_or_default();
        if thumbprint != self.client_thumbprint {
            return Err(Refusal::invalid_client(format!(
                "AADSTS700027: The certificate with identifier used to sign the client assertion \
                 is not registered on application. [Reason - The key was not found., Thumbprint of \
                 key used by client: '{thumbprint}', Please visit the Azure Portal, Enterprise \
                 applications and check that the certificate is registered for app '{}'.]",
                self.tenant.client_id
            )));
        }
        if !record.signature_valid {
            return Err(Refusal::invalid_client(
                "AADSTS700027: Client assertion failed signature validation. [Reason - The key was \
                 found but the signature does not verify.]"
                    .to_string(),
            ));
        }

        let audience = format!("{}/{}/oauth2/v2.0/token", self.url, self.tenant.tenant);
        if text(&claims, "aud").as_deref() != Some(audience.as_str()) {
            return Err(Refusal::invalid_client(format!(
                "AADSTS50012: Client assertion audience claim does not match Realm issuer. The \
                 audience must be '{audience}'."
            )));
        }
        let client_id = self.tenant.client_id.as_str();
        if text(&claims, "iss").as_deref() != Some(client_id)
            || text(&claims, "sub").as_deref() != Some(client_id)
        {
            return Err(Refusal::invalid_client(
                "AADSTS700021: Client assertion application identifier doesn't match 'client_id' \
                 parameter (the iss and sub claims must both be the client id)."
                    .to_string(),
            ));
        }
        if text(&claims, "jti").is_none_or(|j| j.is_empty()) {
            return Err(malformed("the jti claim is missing or empty"));
        }
        let number = |name: &str| claims.get(name).and_then(Value::as_f64);
        let (Some(exp), Some(nbf)) = (number("exp"), number("nbf")) else {
            return Err(malformed("the exp and nbf claims must be numbers"));
        };
        let now = unix_now();
        if exp <= now || nbf > now + 60.0 || exp - nbf > 3600.0 {
            return Err(Refusal::invalid_client(format!(
                "AADSTS700024: Client assertion is not within its valid time range. Current time: \
                 {now:.0}, assertion valid from {nbf}, expiry time of assertion {exp} (at most \
                 3600 seconds)."
            )));
        }
        Ok(())
    }

    // --- Graph ----------------------------------------------------------------------------------

    fn authenticate(&self, request: &Request) -> Result<(), &'static str> {
        let token = request
            .header("authorization")
            .and_then(|h| {
                let (scheme, rest) = h.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
            })
            .filter(|t| !t.is_empty())
            .ok_or("Access token is empty.")?;
        match lock(&self.tokens).get(token) {
            Some(expiry) if Instant::now() < *expiry => Ok(()),
            _ => Err("Lifetime validation failed, the token is expired."),
        }
    }

    fn take_fault(&self, path: &str, page: usize) -> Option<FaultKind> {
        let mut faults = lock(&self.faults);
        let fault = faults
            .iter_mut()
            .find(|f| f.times > 0 && f.on_page == page && path.starts_with(&f.path_prefix))?;
        fault.times -= 1;
        Some(fault.kind.clone())
    }

    fn graph(&self, request: &Request, target: &Target<'_>, ctx: &Ctx) -> Served {
        if let Err(message) = self.authenticate(request) {
            let challenge = (
                "WWW-Authenticate",
                "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"".to_string(),
            );
            return Served::plain(graph_error(
                401,
                "InvalidAuthenticationToken",
                message,
                ctx,
                &[challenge],
            ));
        }
        let path = target.path.as_str();
        let get = request.method == "GET";
        let mut page = 0;
        let mut batch_size = 0;
        let route = if path == "/beta/$batch" {
            if request.method == "POST" {
                let body = serde_json::from_slice::<Value>(&request.body).ok();
                batch_size = body
                    .as_ref()
                    .and_then(|b| b.get("requests"))
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                page = self.batches_seen.fetch_add(1, Ordering::SeqCst);
                Route::Batch(body)
            } else {
                Route::MethodNotAllowed
            }
        } else if let Some(collection) = self.tenant.collections.get(path) {
            if !get {
                Route::MethodNotAllowed
            } else {
                match Query::parse(target.query, is_sign_ins(path)) {
                    Ok(query) => {
                        page = query.skip.map_or(0, |s| s.page);
                        Route::Collection(collection, Box::new(query))
                    }
                    Err(message) => {
                        return Served::plain(graph_error(400, "BadRequest", &message, ctx, &[]));
                    }
                }
            }
        } else if let Some(single) = self.tenant.singles.get(path) {
            if get {
                Route::Single(single)
            } else {
                Route::MethodNotAllowed
            }
        } else {
            Route::NotFound
        };

        let mut dropped = false;
        let mut throttle_first = None;
        match self.take_fault(path, page) {
            Some(FaultKind::Status {
                status,
                code,
                retry_after,
            }) => {
                let extra: Vec<_> = retry_after
                    .map(|s| ("Retry-After", s.to_string()))
                    .into_iter()
                    .collect();
                return Served {
                    response: graph_error(status, code, fault_message(status), ctx, &extra),
                    page,
                    batch_size,
                    dropped: false,
                };
            }
            Some(FaultKind::DropConnection) => dropped = true,
            Some(FaultKind::ItemThrottled { retry_after }) => throttle_first = Some(retry_after),
            None => {}
        }
        let response = match route {
            Route::Batch(body) => self.batch(body, ctx, throttle_first),
            Route::Collection(collection, query) => self.page(collection, &query, target, ctx),
            Route::Single(single) => self.single(single, path, ctx),
            Route::MethodNotAllowed => graph_error(
                405,
                "Request_BadRequest",
                "Specified HTTP method is not allowed for the request target.",
                ctx,
                &[],
            ),
            Route::NotFound => graph_error(
                404,
                "Request_ResourceNotFound",
                &format!(
                    "Resource '{}' does not exist or one of its queried reference-property objects \
                     are not present.",
                    path.rsplit('/').next().unwrap_or(path)
                ),
                ctx,
                &[],
            ),
        };
        Served {
            response,
            page,
            batch_size,
            dropped,
        }
    }

    /// One page of a collection: scanned from the skiptoken's index, filtered while scanning,
    /// until the page is full or the collection ends.
    fn page(
        &self,
        collection: &Collection,
        query: &Query,
        target: &Target<'_>,
        ctx: &Ctx,
    ) -> Response {
        let size = query
            .top
            .unwrap_or(self.tenant.max_page)
            .min(self.tenant.max_page)
            .max(1);
        let len = collection.len();
        let skip = query.skip.unwrap_or_default();
        let mut next = skip.next;
        let mut records = Vec::new();
        while next < len && records.len() < size {
            let record = collection.get(next);
            next += 1;
            if query.filter.matches(&record) {
                records.push(project(record, query.select.as_deref(), &query.expand));
            }
        }

        let (version, entity) = version_and_last(&target.path);
        let mut context = format!("{}/{version}/$metadata#{entity}", self.url);
        if let Some(select) = &query.select {
            let mut listed: Vec<String> = select.clone();
            for expand in &query.expand {
                let inner = expand.select.as_deref().unwrap_or_default().join(",");
                listed.push(format!("{}({inner})", expand.name));
            }
            let _ = write!(context, "({})", listed.join(","));
        }
        let mut body = format!(r#"{{"@odata.context":{}"#, Value::from(context));
        if next < len {
            let mut link = format!("{}{}?", self.url, target.raw_path);
            for (key, value) in &query.pairs {
                if !key.eq_ignore_ascii_case("$skiptoken") {
                    let _ = write!(link, "{}={}&", graph_encode(key), graph_encode(value));
                }
            }
            let token = Skip {
                next,
                page: skip.page.saturating_add(1),
            }
            .encode();
            let _ = write!(link, "$skiptoken={token}");
            let _ = write!(body, r#","@odata.nextLink":{}"#, Value::from(link));
        }
        body.push_str(r#","value":["#);
        for (i, record) in records.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            body.push_str(&record.to_string());
        }
        body.push_str("]}");
        graph_json(200, body, ctx)
    }

    fn single(&self, single: &Value, path: &str, ctx: &Ctx) -> Response {
        let (version, _) = version_and_last(path);
        let rest = path
            .trim_start_matches('/')
            .split_once('/')
            .map_or("", |(_, rest)| rest);
        let mut value = single.clone();
        if let Value::Object(map) = &mut value {
            map.insert(
                "@odata.context".to_string(),
                Value::from(format!("{}/{version}/$metadata#{rest}/$entity", self.url)),
            );
        }
        graph_json(200, value.to_string(), ctx)
    }

    /// `POST /beta/$batch` of `GET /users/{id}/authentication/requirements`, answered in reverse
    /// order.
    fn batch(&self, body: Option<Value>, ctx: &Ctx, throttle_first: Option<u64>) -> Response {
        let bad_payload =
            || graph_error(400, "BadRequest", "Invalid batch payload format.", ctx, &[]);
        let Some(requests) = body
            .as_ref()
            .and_then(|b| b.get("requests"))
            .and_then(Value::as_array)
        else {
            return bad_payload();
        };
        if requests.len() > MAX_BATCH {
            return graph_error(
                400,
                "BadRequest",
                "Maximum number of requests in a batch is 20.",
                ctx,
                &[],
            );
        }
        let mut ids = HashSet::new();
        let mut responses = Vec::with_capacity(requests.len());
        for item in requests {
            let id = match item.get("id") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => return bad_payload(),
            };
            if !ids.insert(id.clone()) {
                return graph_error(
                    400,
                    "BadRequest",
                    &format!("Batch request contains a duplicate request id: '{id}'."),
                    ctx,
                    &[],
                );
            }
            let method = item.get("method").and_then(Value::as_str).unwrap_or("");
            let url = item.get("url").and_then(Value::as_str).unwrap_or("");
            if let (Some(after), true) = (throttle_first, responses.is_empty()) {
                responses.push(json!({
                    "id": id,
                    "status": 429,
                    "headers": {"Content-Type": "application/json", "Retry-After": after.to_string()},
                    "body": {"error": {"code": "TooManyRequests", "message": fault_message(429)}},
                }));
                continue;
            }
            let (status, body) = self.batch_item(method, url);
            responses.push(json!({
                "id": id,
                "status": status,
                "headers": {"Content-Type": "application/json"},
                "body": body,
            }));
        }
        responses.reverse();
        graph_json(200, json!({ "responses": responses }).to_string(), ctx)
    }

    fn batch_item(&self, method: &str, url: &str) -> (u16, Value) {
        let item_error = |code: &str, message: &str| {
            json!({"error": {
                "code": code,
                "message": message,
                "innerError": {"date": graph_date(), "request-id": uuid(), "client-request-id": uuid()},
            }})
        };
        if !method.eq_ignore_ascii_case("GET") {
            return (
                405,
                item_error(
                    "Request_BadRequest",
                    "Specified HTTP method is not allowed for the request target.",
                ),
            );
        }
        let path = url.split('?').next().unwrap_or("");
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let ["users", id, "authentication", "requirements"] = segments[..] else {
            return (
                400,
                item_error(
                    "BadRequest",
                    &format!("Resource not found for the segment in '{url}'."),
                ),
            );
        };
        let id = percent_decode(id, false);
        if id.is_empty() {
            return (400, item_error("BadRequest", "The user id is empty."));
        }
        match self.tenant.per_user_state.get(&id) {
            Some(state) => (
                200,
                json!({
                    "@odata.context": format!(
                        "{}/beta/$metadata#users('{id}')/authentication/requirements/$entity",
                        self.url
                    ),
                    "perUserMfaState": state,
                }),
            ),
            None => (
                404,
                item_error(
                    "Request_ResourceNotFound",
                    &format!(
                        "Resource '{id}' does not exist or one of its queried reference-property \
                         objects are not present."
                    ),
                ),
            ),
        }
    }
}

/// The tenant of a token endpoint path, `/{tenant}/oauth2/v2.0/token`.
fn token_path_tenant(path: &str) -> Option<&str> {
    let rest = path.strip_prefix('/')?;
    let tenant = rest.strip_suffix("/oauth2/v2.0/token")?;
    (!tenant.is_empty() && !tenant.contains('/')).then_some(tenant)
}

/// The sign-in log, whose default list is the interactive sign-ins.
fn is_sign_ins(path: &str) -> bool {
    path.ends_with("/auditLogs/signIns")
}

/// The API version (the first segment) and the last segment of a path.
fn version_and_last(path: &str) -> (&str, &str) {
    let trimmed = path.trim_matches('/');
    let version = trimmed.split('/').next().unwrap_or("");
    let last = trimmed.rsplit('/').next().unwrap_or("");
    (version, last)
}

/// A refused token request.
struct Refusal {
    status: u16,
    error: &'static str,
    description: String,
}

impl Refusal {
    fn bad_request(error: &'static str, description: String) -> Refusal {
        Refusal {
            status: 400,
            error,
            description,
        }
    }

    fn invalid_client(description: String) -> Refusal {
        Refusal {
            status: 401,
            error: "invalid_client",
            description,
        }
    }

    /// Entra ID's error body: error, error_description, error_codes, timestamp, trace_id,
    /// correlation_id.
    fn body(&self) -> String {
        let code: u64 = self
            .description
            .strip_prefix("AADSTS")
            .map(|rest| {
                rest.chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
            })
            .and_then(|digits| digits.parse().ok())
            .unwrap_or(0);
        let timestamp = jiff::Timestamp::now()
            .strftime("%Y-%m-%d %H:%M:%SZ")
            .to_string();
        format!(
            r#"{{"error":{},"error_description":{},"error_codes":[{code}],"timestamp":{},"trace_id":{},"correlation_id":{}}}"#,
            Value::from(self.error),
            Value::from(self.description.as_str()),
            Value::from(timestamp),
            Value::from(uuid()),
            Value::from(uuid()),
        )
    }
}

fn token_response(status: u16, body: String) -> Response {
    Response {
        status,
        headers: vec![
            (
                "Content-Type",
                "application/json; charset=utf-8".to_string(),
            ),
            ("Cache-Control", "no-store, no-cache".to_string()),
            ("Pragma", "no-cache".to_string()),
            ("x-ms-request-id", uuid()),
        ],
        body: body.into_bytes(),
    }
}

// ---------------------------------------------------------------------------------------------
// OData query options
// ---------------------------------------------------------------------------------------------

/// Where a page starts: the index of the next record to examine, and the page's number.
#[derive(Clone, Copy, Debug, Default)]
struct Skip {
    next: usize,
    page: usize,
}

impl Skip {
    fn encode(self) -> String {
        URL_SAFE_NO_PAD.encode(format!("next={}&page={}", self.next, self.page))
    }

    fn decode(token: &str) -> Option<Skip> {
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(token.trim()).ok()?).ok()?;
        let (next, page) = text.split_once('&')?;
        Some(Skip {
            next: next.strip_prefix("next=")?.parse().ok()?,
            page: page.strip_prefix("page=")?.parse().ok()?,
        })
    }
}

/// One item of `$expand`: a property, and its own `$select`.
#[derive(Debug)]
struct Expand {
    name: String,
    select: Option<Vec<String>>,
}

/// The supported `$filter`: `createdDateTime ge X`, and the event type of a sign-in.
#[derive(Debug, Default)]
struct Filter {
    since: Option<String>,
    event_type: Option<String>,
}

impl Filter {
    fn matches(&self, record: &Value) -> bool {
        if let Some(since) = &self.since {
            match record.get("createdDateTime").and_then(Value::as_str) {
                Some(created) if created >= since.as_str() => {}
                _ => return false,
            }
        }
        if let Some(event_type) = &self.event_type {
            match record.get("signInEventTypes").and_then(Value::as_array) {
                Some(types) => {
                    if !types
                        .iter()
                        .any(|t| t.as_str() == Some(event_type.as_str()))
                    {
                        return false;
                    }
                }
                // A sign-in without the property is an interactive one.
                None => {
                    if event_type != "interactiveUser" {
                        return false;
                    }
                }
            }
        }
        true
    }

    fn parse(text: &str, sign_ins: bool) -> Result<Filter, String> {
        let mut filter = Filter::default();
        let invalid = |clause: &str| format!("Invalid filter clause: '{clause}'.");
        for clause in split_and(text) {
            let clause = clause.trim();
            let words: Vec<&str> = clause.split_whitespace().collect();
            if let ["createdDateTime", op, value] = words[..]
                && op.eq_ignore_ascii_case("ge")
            {
                filter.since = Some(value.trim_matches('\'').to_string());
            } else if let Some(lambda) = clause
                .strip_prefix("signInEventTypes/any(")
                .and_then(|rest| rest.strip_suffix(')'))
            {
                let (var, body) = lambda.split_once(':').ok_or_else(|| invalid(clause))?;
                let words: Vec<&str> = body.split_whitespace().collect();
                let [v, op, value] = words[..] else {
                    return Err(invalid(clause));
                };
                let value = value
                    .strip_prefix('\'')
                    .and_then(|v| v.strip_suffix('\''))
                    .ok_or_else(|| invalid(clause))?;
                if v != var.trim() || !op.eq_ignore_ascii_case("eq") {
                    return Err(invalid(clause));
                }
                filter.event_type = Some(value.to_string());
            } else {
                return Err(invalid(clause));
            }
        }
        if sign_ins && filter.event_type.is_none() {
            filter.event_type = Some("interactiveUser".to_string());
        }
        Ok(filter)
    }
}

/// The clauses of a filter joined by ` and ` (any case).
fn split_and(text: &str) -> Vec<&str> {
    let lower = text.to_ascii_lowercase();
    let mut clauses = Vec::new();
    let mut start = 0;
    while let Some(at) = lower[start..].find(" and ") {
        clauses.push(&text[start..start + at]);
        start += at + " and ".len();
    }
    clauses.push(&text[start..]);
    clauses
        .into_iter()
        .filter(|c| !c.trim().is_empty())
        .collect()
}

/// A collection request's query options, decoded.
#[derive(Debug)]
struct Query {
    /// Every option as decoded, in order (the next link repeats them).
    pairs: Vec<(String, String)>,
    top: Option<usize>,
    skip: Option<Skip>,
    select: Option<Vec<String>>,
    expand: Vec<Expand>,
    filter: Filter,
}

impl Query {
    fn parse(raw: &str, sign_ins: bool) -> Result<Query, String> {
        let pairs: Vec<(String, String)> = raw
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (percent_decode(k, true), percent_decode(v, true))
            })
            .collect();
        let mut query = Query {
            pairs: Vec::new(),
            top: None,
            skip: None,
            select: None,
            expand: Vec::new(),
            filter: Filter::default(),
        };
        let mut filter = "";
        for (key, value) in &pairs {
            match key.to_ascii_lowercase().as_str() {
                "$top" => {
                    let top = value.trim().parse::<usize>().ok().filter(|&n| n > 0);
                    query.top = Some(top.ok_or_else(|| {
                        format!(
                            "Invalid page size specified: '{value}'. Must be a positive number."
                        )
                    })?);
                }
                "$skiptoken" => {
                    query.skip = Some(Skip::decode(value).ok_or_else(|| {
                        "The specified page token value has expired and can no longer be \
                         included in your request."
                            .to_string()
                    })?);
                }
                "$select" => query.select = Some(split_list(value)),
                "$expand" => query.expand = parse_expand(value)?,
                "$filter" => filter = value,
                // $count, $orderby and the like: not used by the client; ignored.
                _ => {}
            }
        }
        query.filter = Filter::parse(filter, sign_ins)?;
        query.pairs = pairs;
        Ok(query)
    }
}

/// A comma-separated list, trimmed, without empty items.
fn split_list(text: &str) -> Vec<String> {
    split_top_level(text, ',')
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Splits at `sep` outside parentheses.
fn split_top_level(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if c == sep && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// `$expand=principal($select=id,userPrincipalName),other`.
fn parse_expand(text: &str) -> Result<Vec<Expand>, String> {
    let mut items = Vec::new();
    for item in split_top_level(text, ',') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let Some(open) = item.find('(') else {
            items.push(Expand {
                name: item.to_string(),
                select: None,
            });
            continue;
        };
        let inner = item[open + 1..]
            .strip_suffix(')')
            .ok_or_else(|| format!("Invalid $expand item: '{item}'."))?;
        let mut select = None;
        for option in split_top_level(inner, ';') {
            if let Some((k, v)) = option.split_once('=')
                && k.trim().eq_ignore_ascii_case("$select")
            {
                select = Some(split_list(v));
            }
        }
        items.push(Expand {
            name: item[..open].trim().to_string(),
            select,
        });
    }
    Ok(items)
}

/// A record projected by `$select` (keeping `@odata.type` and the expanded properties, each
/// projected by its own `$select`).
fn project(record: Value, select: Option<&[String]>, expand: &[Expand]) -> Value {
    let Value::Object(map) = record else {
        return record;
    };
    if select.is_none() && expand.iter().all(|e| e.select.is_none()) {
        return Value::Object(map);
    }
    let named = |list: &[String], key: &str| list.iter().any(|s| s.eq_ignore_ascii_case(key));
    let mut out = Map::new();
    for (key, value) in map {
        if let Some(e) = expand.iter().find(|e| e.name.eq_ignore_ascii_case(&key)) {
            let value = match &e.select {
                Some(inner) => project_nested(value, inner),
                None => value,
            };
            out.insert(key, value);
        } else if select.is_none_or(|s| key == "@odata.type" || named(s, &key)) {
            out.insert(key, value);
        }
    }
    Value::Object(out)
}

fn project_nested(value: Value, select: &[String]) -> Value {
    match value {
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| project(v, Some(select), &[]))
                .collect(),
        ),
        other => project(other, Some(select), &[]),
    }
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// %XX decoded (and `+` as a space in a query or form); a bad escape is kept as it is.
fn percent_decode(text: &str, plus_as_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match (hex_digit(bytes[i + 1]), hex_digit(bytes[i + 2])) {
                    (Some(hi), Some(lo)) => {
                        out.push(hi << 4 | lo);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            b'+' if plus_as_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encoding as Graph writes its next links: `$ , = ( ) / :` kept, spaces `%20`, quotes
/// `%27`.
fn graph_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~$,=()/:".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// An `application/x-www-form-urlencoded` body.
fn parse_form(body: &[u8]) -> HashMap<String, String> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Random bytes (from the system; a counter and the clock should that ever fail).
fn random_bytes(n: usize) -> Vec<u8> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut bytes = vec![0; n];
    if SystemRandom::new().fill(&mut bytes).is_err() {
        let seed = COUNTER.fetch_add(1, Ordering::SeqCst)
            ^ SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64);
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (seed.rotate_left(8 * (i as u32 % 8)) & 0xFF) as u8 ^ i as u8;
        }
    }
    bytes
}

/// A random id shaped like a UUID.
fn uuid() -> String {
    let h = hex(&random_bytes(16));
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The time as Graph writes it in innerError.date.
fn graph_date() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

// ---------------------------------------------------------------------------------------------
// Self tests (they run with `cargo test --test integration graph_server`)
// ---------------------------------------------------------------------------------------------

const TEST_TENANT: &str = "11111111-2222-3333-4444-555555555555";
const TEST_CLIENT: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const TEST_SECRET: &str = "s3cret~value";

/// A client that trusts the test CA and returns error statuses as responses.
fn test_agent(pki: &Pki) -> ureq::Agent {
    let ca = ureq::tls::Certificate::from_pem(&read_file(&pki.ca_pem)).expect("the test CA");
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::Specific(Arc::new(vec![ca])))
        .build();
    ureq::Agent::config_builder()
        .tls_config(tls)
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .new_agent()
}

fn test_tenant() -> Tenant {
    let mut tenant = Tenant::new(TEST_TENANT, TEST_CLIENT);
    tenant.client_secret = Some(TEST_SECRET.to_string());
    tenant
}

fn token_url(server: &GraphServer) -> String {
    format!("{}/{TEST_TENANT}/oauth2/v2.0/token", server.url())
}

/// Posts a token request with these credentials: the status and the JSON body.
fn request_token(
    agent: &ureq::Agent,
    server: &GraphServer,
    credentials: &[(&str, &str)],
) -> (u16, Value) {
    let scope = format!("{}/.default", server.url());
    let mut form = vec![
        ("grant_type", "client_credentials"),
        ("client_id", TEST_CLIENT),
        ("scope", scope.as_str()),
    ];
    form.extend_from_slice(credentials);
    let mut response = agent
        .post(token_url(server))
        .send_form(form)
        .expect("token request");
    let status = response.status().as_u16();
    (status, response.body_mut().read_json().expect("token JSON"))
}

fn secret_token(agent: &ureq::Agent, server: &GraphServer) -> String {
    let (status, body) = request_token(agent, server, &[("client_secret", TEST_SECRET)]);
    assert_eq!(status, 200, "{body}");
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

/// GETs a URL with a token: the status, the Retry-After header and the JSON body.
fn get_json(agent: &ureq::Agent, url: &str, token: Option<&str>) -> (u16, Option<String>, Value) {
    let mut request = agent.get(url).header("ConsistencyLevel", "eventual");
    if let Some(token) = token {
        request = request.header("Authorization", format!("Bearer {token}"));
    }
    let mut response = request.call().expect("GET");
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = response.body_mut().read_json().expect("Graph JSON");
    (status, retry_after, body)
}

/// Follows the next links from `url`: the records of every page and the number of pages.
fn all_pages(agent: &ureq::Agent, url: &str, token: &str) -> (Vec<Value>, usize) {
    let mut records = Vec::new();
    let mut pages = 0;
    let mut next = Some(url.to_string());
    while let Some(url) = next {
        let (status, _, body) = get_json(agent, &url, Some(token));
        assert_eq!(status, 200, "{url}: {body}");
        pages += 1;
        records.extend(body["value"].as_array().expect("value").iter().cloned());
        next = body["@odata.nextLink"].as_str().map(str::to_string);
    }
    (records, pages)
}

fn ids(records: &[Value]) -> Vec<&str> {
    records.iter().filter_map(|r| r["id"].as_str()).collect()
}

#[test]
fn graph_server_pages_a_collection_with_select_across_next_links() {
    let pki = Pki::new();
    let mut tenant = test_tenant();
    tenant.collections.insert(
        "/v1.0/users".to_string(),
        Collection::generated(2500, |i| {
            json!({
                "id": format!("u{i:05}"),
                "userPrincipalName": format!("user{i}@contoso.example"),
                "displayName": format!("User {i}"),
                "accountEnabled": true,
            })
        }),
    );
    tenant.collections.insert(
        "/v1.0/roleManagement/directory/roleAssignments".to_string(),
        Collection::Items(vec![json!({
            "@odata.type": "#microsoft.graph.unifiedRoleAssignment",
            "id": "ra1",
            "roleDefinitionId": "62e90394-69f5-4237-9190-012177145e10",
            "principalId": "u1",
            "directoryScopeId": "/",
            "principal": {
                "@odata.type": "#microsoft.graph.user",
                "id": "u1",
                "userPrincipalName": "a@contoso.example",
                "displayName": "A",
            },
        })]),
    );
    let server = GraphServer::start(&pki, tenant);
    let agent = test_agent(&pki);
    let token = secret_token(&agent, &server);

    let first = format!(
        "{}/v1.0/users?$select=id,userPrincipalName&$top=999",
        server.url()
    );
    let (_, _, page) = get_json(&agent, &first, Some(&token));
    assert_eq!(
        page["@odata.context"],
        format!(
            "{}/v1.0/$metadata#users(id,userPrincipalName)",
            server.url()
        )
    );
    let link = page["@odata.nextLink"].as_str().expect("a next link");
    assert!(
        link.starts_with(&format!(
            "{}/v1.0/users?$select=id,userPrincipalName&$top=999&$skiptoken=",
            server.url()
        )),
        "{link}"
    );

    let (records, pages) = all_pages(&agent, &first, &token);
    assert_eq!(pages, 3);
    let want: Vec<String> = (0..2500).map(|i| format!("u{i:05}")).collect();
    assert_eq!(ids(&records), want);
    for record in &records {
        let keys: Vec<&String> = record.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["id", "userPrincipalName"], "{record}");
    }
    let log = server.log();
    let pages_logged: Vec<usize> = log.iter().skip(1).map(|l| l.page).collect();
    assert_eq!(pages_logged, [0, 1, 2]);
    assert!(log.iter().all(|l| l.status == 200 && !l.dropped));

    // $expand keeps the expanded property, projected by its own $select.
    let (status, _, page) = get_json(
        &agent,
        &format!(
            "{}/v1.0/roleManagement/directory/roleAssignments?$select=id,roleDefinitionId&$expand=principal($select=id,userPrincipalName)",
            server.url()
        ),
        Some(&token),
    );
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        page["value"],
        json!([{
            "@odata.type": "#microsoft.graph.unifiedRoleAssignment",
            "id": "ra1",
            "roleDefinitionId": "62e90394-69f5-4237-9190-012177145e10",
            "principal": {"@odata.type": "#microsoft.graph.user", "id": "u1", "userPrincipalName": "a@contoso.example"},
        }])
    );

    // A page never holds more than max_page, whatever $top asks.
    let (_, _, page) = get_json(
        &agent,
        &format!("{}/v1.0/users?$top=5000", server.url()),
        Some(&token),
    );
    assert_eq!(page["value"].as_array().map(Vec::len), Some(999));
    assert_eq!(page["value"][0]["displayName"], "User 0");
}

#[test]
fn graph_server_refuses_missing_expired_and_revoked_tokens() {
    let pki = Pki::new();
    let mut tenant = test_tenant();
    tenant.singles.insert(
        "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy".to_string(),
        json!({"id": "00000000-0000-0000-0000-000000000005", "isEnabled": false}),
    );
    let server = GraphServer::start(&pki, tenant);
    let agent = test_agent(&pki);
    let url = format!(
        "{}/v1.0/policies/identitySecurityDefaultsEnforcementPolicy",
        server.url()
    );

    let (status, _, body) = get_json(&agent, &url, None);
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    assert_eq!(body["error"]["message"], "Access token is empty.");
    assert!(body["error"]["innerError"]["request-id"].is_string());

    let (status, _, body) = get_json(&agent, &url, Some("not-a-token"));
    assert_eq!(status, 401, "{body}");

    let (status, body) = request_token(&agent, &server, &[("client_secret", "wrong")]);
    assert_eq!(status, 401);
    assert_eq!(body["error"], "invalid_client");
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| d.starts_with("AADSTS7000215"))
    );

    let token = secret_token(&agent, &server);
    let (status, _, body) = get_json(&agent, &url, Some(&token));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["isEnabled"], false);
    assert!(body["@odata.context"].as_str().is_some_and(|c| {
        c.ends_with("/v1.0/$metadata#policies/identitySecurityDefaultsEnforcementPolicy/$entity")
    }));

    server.revoke_tokens();
    let (status, _, body) = get_json(&agent, &url, Some(&token));
    assert_eq!(status, 401);
    assert_eq!(
        body["error"]["message"],
        "Lifetime validation failed, the token is expired."
    );
    let fresh = secret_token(&agent, &server);
    assert_ne!(fresh, token);
    let (status, _, _) = get_json(&agent, &url, Some(&fresh));
    assert_eq!(status, 200);

    let (status, _, body) = get_json(
        &agent,
        &format!("{}/v1.0/nothing", server.url()),
        Some(&fresh),
    );
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "Request_ResourceNotFound");

    // A connection that does not speak TLS just closes.
    let mut plain = TcpStream::connect(server.addr).expect("connect");
    plain
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    plain
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("write");
    let mut ignored = Vec::new();
    if let Err(e) = plain.read_to_end(&mut ignored) {
        assert!(
            !matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ),
            "the server kept a failed handshake open"
        );
    }

    let requests = server.token_requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(
        requests.iter().map(|r| r.granted).collect::<Vec<_>>(),
        [false, true, true]
    );
    assert_eq!(requests[0].form["client_secret"], "wrong");
}

#[test]
fn graph_server_answers_batches_of_per_user_states() {
    let pki = Pki::new();
    let mut tenant = test_tenant();
    tenant
        .per_user_state
        .insert("u1".to_string(), "enforced".to_string());
    tenant
        .per_user_state
        .insert("u2".to_string(), "disabled".to_string());
    let server = GraphServer::start(&pki, tenant);
    let agent = test_agent(&pki);
    let token = secret_token(&agent, &server);
    let url = format!("{}/beta/$batch", server.url());
    let batch = |ids: &[&str]| {
        let requests: Vec<Value> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                json!({"id": (i + 1).to_string(), "method": "GET",
                       "url": format!("/users/{id}/authentication/requirements")})
            })
            .collect();
        json!({ "requests": requests }).to_string()
    };

    let too_many: Vec<String> = (0..21).map(|i| format!("u{i}")).collect();
    let too_many: Vec<&str> = too_many.iter().map(String::as_str).collect();
    let mut response = agent
        .post(&url)
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .send(batch(&too_many))
        .expect("batch");
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.body_mut().read_json().expect("JSON");
    assert_eq!(
        body["error"]["message"],
        "Maximum number of requests in a batch is 20."
    );

    // Sent chunked (a reader of unknown length).
    let payload = batch(&["u1", "nobody", "u2"]);
    let mut reader = io::Cursor::new(payload.into_bytes());
    let mut response = agent
        .post(&url)
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .send(ureq::SendBody::from_reader(&mut reader))
        .expect("batch");
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.body_mut().read_json().expect("JSON");
    let responses = body["responses"].as_array().expect("responses");
    let order: Vec<&str> = responses.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(order, ["3", "2", "1"]);
    let by_id = |id: &str| {
        responses
            .iter()
            .find(|r| r["id"] == id)
            .expect("a response per request")
    };
    assert_eq!(by_id("1")["status"], 200);
    assert_eq!(by_id("1")["body"]["perUserMfaState"], "enforced");
    assert_eq!(by_id("2")["status"], 404);
    assert_eq!(
        by_id("2")["body"]["error"]["code"],
        "Request_ResourceNotFound"
    );
    assert_eq!(by_id("3")["status"], 200);
    assert_eq!(by_id("3")["body"]["perUserMfaState"], "disabled");

    let log = server.log();
    assert_eq!(
        log.iter()
            .map(|l| (l.batch_size, l.page))
            .collect::<Vec<_>>(),
        [(21, 0), (3, 1)]
    );
}

#[test]
fn graph_server_throttles_with_retry_after_then_serves_the_retry() {
    let pki = Pki::new();
    let mut tenant = test_tenant();
    tenant.collections.insert(
        "/v1.0/users".to_string(),
        Collection::Items(vec![json!({"id": "u1"})]),
    );
    tenant.faults.push(Fault {
        path_prefix: "/v1.0/users".to_string(),
        kind: FaultKind::Status {
            status: 429,
            code: "TooManyRequests",
            retry_after: Some(1),
        },
        times: 1,
        on_page: 0,
    });
    let server = GraphServer::start(&pki, tenant);
    let agent = test_agent(&pki);
    let token = secret_token(&agent, &server);
    let url = format!("{}/v1.0/users", server.url());

    let (status, retry_after, body) = get_json(&agent, &url, Some(&token));
    assert_eq!(status, 429);
    assert_eq!(retry_after.as_deref(), Some("1"));
    assert_eq!(body["error"]["code"], "TooManyRequests");
    let (status, retry_after, body) = get_json(&agent, &url, Some(&token));
    assert_eq!(status, 200);
    assert_eq!(retry_after, None);
    assert_eq!(ids(body["value"].as_array().expect("value")), ["u1"]);
    assert_eq!(
        server.log().iter().map(|l| l.status).collect::<Vec<_>>(),
        [429, 200]
    );
}

#[test]
fn graph_server_drops_a_connection_mid_page() {
    let pki = Pki::new();
    let mut tenant = test_tenant();
    tenant.collections.insert(
        "/v1.0/users".to_string(),
        Collection::generated(5, |i| json!({"id": format!("u{i}")})),
    );
    tenant.faults.push(Fault {
        path_prefix: "/v1.0/users".to_string(),
        kind: FaultKind::DropConnection,
        times: 1,
        on_page: 1,
    });
    let server = GraphServer::start(&pki, tenant);
    let agent = test_agent(&pki);
    let token = secret_token(&agent, &server);

    let (_, _, first) = get_json(
        &agent,
        &format!("{}/v1.0/users?$top=2", server.url()),
        Some(&token),
    );
    let next = first["@odata.nextLink"].as_str().expect("next link");
    let mut response = agent
        .get(next)
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .expect("the head arrives");
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.body_mut().read_to_string().is_err());
    let (records, pages) = all_pages(&agent, next, &token);
    assert_eq!(ids(&records), ["u2", "u3", "u4"]);
    assert_eq!(pages, 2);
    let dropped: Vec<(usize, bool)> = server.log().iter().map(|l| (l.page, l.dropped)).collect();
    assert_eq!(dropped, [(0, false), (1, true), (1, false), (2, false)]);
}

#[test]
fn graph_server_filters_sign_ins_like_graph() {
    let pki = Pki::new();
    let mut tenant = test_tenant();
    let sign_in = |id: &str, at: &str, types: &[&str]| json!({"id": id, "createdDateTime": at, "signInEventTypes": types, "userId": "x"});
    tenant.collections.insert(
        "/beta/auditLogs/signIns".to_string(),
        Collection::Items(vec![
            sign_in("a", "2024-05-01T08:00:00Z", &["interactiveUser"]),
            sign_in("b", "2024-05-01T09:00:00Z", &["nonInteractiveUser"]),
            json!({"id": "c", "createdDateTime": "2024-05-02T10:00:00Z"}),
            sign_in("d", "2024-05-03T11:00:00Z", &["nonInteractiveUser"]),
            sign_in("e", "2024-05-03T12:00:00Z", &["interactiveUser"]),
        ]),
    );
    let server = GraphServer::start(&pki, tenant);
    let agent = test_agent(&pki);
    let token = secret_token(&agent, &server);
    let base = format!("{}/beta/auditLogs/signIns", server.url());
    let pull = |query: &str| {
        let (records, _) = all_pages(&agent, &format!("{base}?{query}"), &token);
        ids(&records)
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    };

    assert_eq!(pull("$top=1"), ["a", "c", "e"]);
    assert_eq!(
        pull("$filter=createdDateTime%20ge%202024-05-02T00:00:00Z&$top=1"),
        ["c", "e"]
    );
    let non_interactive = "signInEventTypes/any(t:%20t%20eq%20%27nonInteractiveUser%27)";
    assert_eq!(
        pull(&format!("$filter={non_interactive}&$top=1")),
        ["b", "d"]
    );
    assert_eq!(
        pull(&format!(
            "$filter=createdDateTime+ge+2024-05-02T00:00:00Z+and+{non_interactive}&$top=5"
        )),
        ["d"]
    );
    // The next link carries the filter, encoded as Graph encodes it.
    let (_, _, page) = get_json(
        &agent,
        &format!(
            "{base}?$filter=createdDateTime%20ge%202024-05-01T00:00:00Z%20and%20{non_interactive}&$top=1"
        ),
        Some(&token),
    );
    let link = page["@odata.nextLink"].as_str().expect("next link");
    assert!(
        link.contains(
            "?$filter=createdDateTime%20ge%202024-05-01T00:00:00Z%20and%20signInEventTypes/any(t:%20t%20eq%20%27nonInteractiveUser%27)&$top=1&$skiptoken="
        ),
        "{link}"
    );
    let (status, _, body) = get_json(
        &agent,
        &format!("{base}?$filter=userId%20eq%20%27x%27"),
        Some(&token),
    );
    assert_eq!(status, 400, "{body}");
}

/// The client's private key, from the PEM file the client is given.
fn test_client_key(pki: &Pki) -> ring::signature::RsaKeyPair {
    let pem = String::from_utf8(read_file(&pki.client_pem)).expect("PEM text");
    let b64: String = pem
        .split("-----BEGIN PRIVATE KEY-----")
        .nth(1)
        .and_then(|rest| rest.split("-----END PRIVATE KEY-----").next())
        .expect("a PKCS#8 key after the certificate")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let der = STANDARD.decode(b64).expect("base64");
    ring::signature::RsaKeyPair::from_pkcs8(&der).expect("an RSA key")
}

/// A client assertion over these claims, signed with the client's key.
fn test_assertion(pki: &Pki, claims: &Value) -> String {
    let header = json!({
        "alg": "RS256",
        "typ": "JWT",
        "x5t#S256": URL_SAFE_NO_PAD.encode(sha256(&pki.client_cert_der)),
    });
    let signed = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let key = test_client_key(pki);
    let mut signature = vec![0; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        signed.as_bytes(),
        &mut signature,
    )
    .expect("sign");
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature))
}

#[test]
fn graph_server_checks_certificate_assertions() {
    let pki = Pki::new();
    let server = GraphServer::start(&pki, Tenant::new(TEST_TENANT, TEST_CLIENT));
    let agent = test_agent(&pki);
    let now = unix_now() as u64;
    let claims = json!({
        "aud": token_url(&server),
        "iss": TEST_CLIENT,
        "sub": TEST_CLIENT,
        "jti": uuid(),
        "nbf": now,
        "exp": now + 600,
    });
    let assertion = test_assertion(&pki, &claims);
    let (status, body) = request_token(
        &agent,
        &server,
        &[
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", &assertion),
        ],
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);

    // The same signature over other claims.
    let mut parts: Vec<String> = assertion.split('.').map(str::to_string).collect();
    let mut other = claims.clone();
    other["jti"] = Value::from("another");
    parts[1] = URL_SAFE_NO_PAD.encode(other.to_string());
    let (status, body) = request_token(
        &agent,
        &server,
        &[
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", &parts.join(".")),
        ],
    );
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "invalid_client");

    // Signed well, but expired.
    let mut expired = claims.clone();
    expired["nbf"] = Value::from(now - 1200);
    expired["exp"] = Value::from(now - 600);
    let (status, _) = request_token(
        &agent,
        &server,
        &[
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", &test_assertion(&pki, &expired)),
        ],
    );
    assert_eq!(status, 401);

    let requests = server.token_requests();
    assert_eq!(requests.len(), 3);
    assert!(requests[0].granted && requests[0].signature_valid);
    assert_eq!(requests[0].assertion_claims.as_ref(), Some(&claims));
    assert_eq!(
        requests[0]
            .assertion_header
            .as_ref()
            .map(|h| h["alg"].clone()),
        Some(Value::from("RS256"))
    );
    assert!(!requests[1].granted && !requests[1].signature_valid);
    assert!(
        requests[1]
            .refusal
            .as_deref()
            .is_some_and(|r| r.starts_with("AADSTS700027")),
        "{:?}",
        requests[1].refusal
    );
    assert!(!requests[2].granted && requests[2].signature_valid);
    assert!(
        requests[2]
            .refusal
            .as_deref()
            .is_some_and(|r| r.starts_with("AADSTS700024"))
    );
}

#[test]
fn graph_server_counts_requests_in_flight() {
    let pki = Pki::new();
    let mut tenant = test_tenant();
    tenant.latency = Duration::from_millis(150);
    tenant.collections.insert(
        "/v1.0/users".to_string(),
        Collection::Items(vec![json!({"id": "u1"})]),
    );
    let server = GraphServer::start(&pki, tenant);
    let agent = test_agent(&pki);
    let token = secret_token(&agent, &server);
    let url = format!("{}/v1.0/users", server.url());
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let (status, _, _) = get_json(&agent, &url, Some(&token));
                assert_eq!(status, 200);
            });
        }
    });
    assert_eq!(server.max_in_flight(), 2);
}
