//! App-only sign-in (the OAuth 2.0 client credentials grant): the credential the app proves itself
//! with, and the form that asks the token endpoint for a Graph token. With a certificate the proof
//! is a client assertion: a JWT signed RS256 with the certificate's key, its SHA-256 thumbprint in
//! the `x5t#S256` header, the token endpoint as its audience, valid for minutes. The secret and
//! the key never reach a message: [`Credential`]'s `Debug` hides them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};

use crate::error::PullError;

/// Where the client secret comes from when no file names it.
pub const SECRET_ENV: &str = "MFAUDIT_CLIENT_SECRET";

/// How long a client assertion is valid: long enough for a slow token endpoint, short enough that
/// a captured one is soon worthless.
const ASSERTION_LIFETIME_SECS: i64 = 600;

/// How the app proves itself.
pub enum Credential {
    Secret(String),
    Certificate {
        key: Box<RsaKeyPair>,
        /// base64url(SHA-256(the certificate's DER)): the `x5t#S256` header.
        thumbprint: String,
    },
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::Secret(_) => f.write_str("Credential::Secret(***)"),
            Credential::Certificate { thumbprint, .. } => {
                write!(f, "Credential::Certificate(x5t#S256 {thumbprint})")
            }
        }
    }
}

impl Credential {
    /// The credential as given: a certificate file, a secret file, or the secret in
    /// [`SECRET_ENV`] (`env_secret`, the tests' way in).
    pub fn load(
        certificate: Option<&Path>,
        secret_file: Option<&Path>,
        env_secret: Option<String>,
    ) -> Result<Credential, PullError> {
        match (certificate, secret_file) {
            (Some(_), Some(_)) => Err(PullError::TwoCredentials),
            (Some(pem), None) => certificate_credential(pem),
            (None, Some(file)) => {
                let text = std::fs::read_to_string(file).map_err(|source| {
                    PullError::SecretUnreadable {
                        path: file.to_path_buf(),
                        source,
                    }
                })?;
                let secret = text.lines().next().unwrap_or("").trim().to_string();
                if secret.is_empty() {
                    return Err(PullError::EmptySecret {
                        from: format!("--client-secret-file {}", crate::text::shown_path(file)),
                    });
                }
                Ok(Credential::Secret(secret))
            }
            (None, None) => match env_secret.map(|s| s.trim().to_string()) {
                Some(s) if !s.is_empty() => Ok(Credential::Secret(s)),
                Some(_) => Err(PullError::EmptySecret {
                    from: SECRET_ENV.to_string(),
                }),
                None => Err(PullError::NoCredential { env: SECRET_ENV }),
            },
        }
    }

    /// The secret, for redacting it from anything a server sends back.
    pub fn secret(&self) -> Option<&str> {
        match self {
            Credential::Secret(s) => Some(s),
            Credential::Certificate { .. } => None,
        }
    }

    /// The token request's form: a fresh assertion each time.
    pub fn token_form(
        &self,
        client_id: &str,
        token_url: &str,
        scope: &str,
    ) -> Result<Vec<(&'static str, String)>, PullError> {
        let mut form = vec![
            ("client_id", client_id.to_string()),
            ("scope", scope.to_string()),
            ("grant_type", "client_credentials".to_string()),
        ];
        match self {
            Credential::Secret(s) => form.push(("client_secret", s.clone())),
            Credential::Certificate { key, thumbprint } => {
                let now = jiff::Timestamp::now().as_second();
                form.push((
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_string(),
                ));
                form.push((
                    "client_assertion",
                    assertion(key, thumbprint, client_id, token_url, now)?,
                ));
            }
        }
        Ok(form)
    }
}

/// The client assertion: `header.claims.signature`, each part base64url without padding.
fn assertion(
    key: &RsaKeyPair,
    thumbprint: &str,
    client_id: &str,
    audience: &str,
    now: i64,
) -> Result<String, PullError> {
    let rng = SystemRandom::new();
    let mut jti = [0u8; 16];
    rng.fill(&mut jti).map_err(|_| PullError::Signing)?;
    let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "x5t#S256": thumbprint});
    let claims = serde_json::json!({
        "aud": audience,
        "iss": client_id,
        "sub": client_id,
        "jti": jti.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        "nbf": now,
        "iat": now,
        "exp": now + ASSERTION_LIFETIME_SECS,
    });
    let signed = format!(
        "{}.{}",
        B64URL.encode(header.to_string()),
        B64URL.encode(claims.to_string())
    );
    let mut signature = vec![0u8; key.public().modulus_len()];
    key.sign(&RSA_PKCS1_SHA256, &rng, signed.as_bytes(), &mut signature)
        .map_err(|_| PullError::Signing)?;
    Ok(format!("{signed}.{}", B64URL.encode(signature)))
}

/// The certificate and its RSA key from one PEM file (the certificate first when it holds a
/// chain), checked to belong together before any request is made.
fn certificate_credential(path: &Path) -> Result<Credential, PullError> {
    let bad = |detail: String| PullError::Certificate {
        path: path.to_path_buf(),
        detail,
    };
    let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot read it ({e})")))?;
    let (mut cert, mut key) = (None, None);
    for item in ureq::tls::parse_pem(&bytes) {
        match item.map_err(|e| bad(format!("not a readable PEM file ({e})")))? {
            ureq::tls::PemItem::Certificate(c) if cert.is_none() => cert = Some(c.der().to_vec()),
            ureq::tls::PemItem::PrivateKey(k) if key.is_none() => key = Some(k.der().to_vec()),
            _ => {}
        }
    }
    let Some(cert) = cert else {
        return Err(bad(
            "no certificate in it: expected a BEGIN CERTIFICATE block (the certificate uploaded to the app registration) beside the private key".into(),
        ));
    };
    let Some(der) = key else {
        return Err(bad(
            "no unencrypted private key in it: expected a BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY block (a key exported with a passphrase must be decrypted first, e.g. openssl pkey -in key.pem -out plain.pem)".into(),
        ));
    };
    // PKCS#8 (BEGIN PRIVATE KEY) or PKCS#1 (BEGIN RSA PRIVATE KEY); an EC key is neither.
    let key = RsaKeyPair::from_pkcs8(&der)
        .or_else(|_| RsaKeyPair::from_der(&der))
        .map_err(|e| {
            bad(format!(
                "the private key is not an RSA key ring can sign RS256 with ({e}): client assertions are signed RS256, so the certificate needs an RSA key of 2048 bits or more"
            ))
        })?;
    // The certificate's subject public key holds the key's PKCS#1 public key as it is: a key
    // from another certificate would only be refused by the token endpoint, later and vaguely.
    if memchr::memmem::find(&cert, key.public().as_ref()).is_none() {
        return Err(bad(
            "the private key does not belong to the certificate in the same file".into(),
        ));
    }
    let thumbprint = B64URL.encode(ring::digest::digest(&ring::digest::SHA256, &cert));
    Ok(Credential::Certificate {
        key: Box::new(key),
        thumbprint,
    })
}

/// When a token of `lifetime` is renewed: five minutes before it expires, or half-way through a
/// short one, so a long pull never sends an expired token.
pub fn renew_after(lifetime: Duration) -> Duration {
    lifetime.saturating_sub(Duration::from_secs(300).min(lifetime / 2))
}

/// The paths a pull's credential came from, for the manifest (never the secret).
pub fn describe(certificate: Option<&PathBuf>) -> &'static str {
    if certificate.is_some() {
        "certificate"
    } else {
        "client secret"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_come_from_the_file_or_the_environment_and_never_show() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("secret.txt");
        std::fs::write(&file, "  s3cr3t~value \nignored\n").unwrap();
        let c = Credential::load(None, Some(&file), Some("other".into())).unwrap();
        assert_eq!(c.secret(), Some("s3cr3t~value"));
        assert_eq!(format!("{c:?}"), "Credential::Secret(***)");
        let c = Credential::load(None, None, Some("fromenv".into())).unwrap();
        assert_eq!(c.secret(), Some("fromenv"));
        let e = Credential::load(None, None, None).unwrap_err().to_string();
        assert_eq!(
            e,
            "no credential for the app: pass --certificate FILE.pem or --client-secret-file FILE, or set MFAUDIT_CLIENT_SECRET"
        );
        std::fs::write(&file, "\n").unwrap();
        assert!(
            Credential::load(None, Some(&file), None)
                .unwrap_err()
                .to_string()
                .contains("first line is empty")
        );
        assert!(matches!(
            Credential::load(Some(&file), Some(&file), None),
            Err(PullError::TwoCredentials)
        ));
    }

    #[test]
    fn a_certificate_file_without_a_key_or_a_cert_is_explained() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.pem");
        std::fs::write(&file, "not pem at all").unwrap();
        let e = Credential::load(Some(&file), None, None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no certificate in it"), "{e}");
    }

    #[test]
    fn tokens_are_renewed_before_they_expire() {
        assert_eq!(
            renew_after(Duration::from_secs(3600)),
            Duration::from_secs(3300)
        );
        assert_eq!(
            renew_after(Duration::from_secs(60)),
            Duration::from_secs(30)
        );
        assert_eq!(renew_after(Duration::ZERO), Duration::ZERO);
    }
}
