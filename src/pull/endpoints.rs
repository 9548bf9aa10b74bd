//! Where a pull goes: the sign-in and Graph hosts of each national cloud, or the URLs given for a
//! test server. A token is only ever sent to a URL that keeps it secret (`https`, or `http` to
//! this machine), and a page's `@odata.nextLink` is only followed on the Graph origin itself.

use crate::error::PullError;

/// The national clouds (`--cloud`), each with its own sign-in and Graph hosts.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Deserialize,
    serde::Serialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Cloud {
    /// Microsoft Entra ID worldwide.
    #[default]
    Global,
    /// US Government L4 (GCC High).
    Usgov,
    /// US Government L5 (DoD).
    UsgovDod,
    /// Microsoft Entra ID operated by 21Vianet.
    China,
}

/// Each cloud's name, sign-in endpoint and Graph endpoint (Microsoft's national cloud deployments
/// table for Graph).
const CLOUDS: &[(Cloud, &str, &str, &str)] = &[
    (
        Cloud::Global,
        "global",
        "https://login.microsoftonline.com",
        "https://graph.microsoft.com",
    ),
    (
        Cloud::Usgov,
        "usgov",
        "https://login.microsoftonline.us",
        "https://graph.microsoft.us",
    ),
    (
        Cloud::UsgovDod,
        "usgov-dod",
        "https://login.microsoftonline.us",
        "https://dod-graph.microsoft.us",
    ),
    (
        Cloud::China,
        "china",
        "https://login.chinacloudapi.cn",
        "https://microsoftgraph.chinacloudapi.cn",
    ),
];

impl Cloud {
    fn row(self) -> &'static (Cloud, &'static str, &'static str, &'static str) {
        CLOUDS
            .iter()
            .find(|(c, ..)| *c == self)
            .expect("every cloud has a row")
    }

    pub fn name(self) -> &'static str {
        self.row().1
    }
}

/// The two bases a pull talks to, without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub login: String,
    pub graph: String,
}

impl Endpoints {
    /// The cloud's endpoints, either replaced by the URL given for it.
    pub fn new(
        cloud: Cloud,
        graph_url: Option<&str>,
        login_url: Option<&str>,
    ) -> Result<Endpoints, PullError> {
        let &(_, _, login, graph) = cloud.row();
        Ok(Endpoints {
            login: checked("--login-url", login_url.unwrap_or(login))?,
            graph: checked("--graph-url", graph_url.unwrap_or(graph))?,
        })
    }

    /// The token endpoint of `tenant` (also the client assertion's audience).
    pub fn token_url(&self, tenant: &str) -> String {
        format!("{}/{}/oauth2/v2.0/token", self.login, encode(tenant))
    }

    /// The app-only scope: every application permission granted on this Graph.
    pub fn scope(&self) -> String {
        format!("{}/.default", self.graph)
    }

    /// Whether `url` (a page's `@odata.nextLink`) is on this Graph: scheme, host and port the same,
    /// so a page can never send the token anywhere else.
    pub fn on_graph(&self, url: &str) -> bool {
        url.len() > self.graph.len()
            && url[..self.graph.len()].eq_ignore_ascii_case(&self.graph)
            && url.as_bytes()[self.graph.len()] == b'/'
    }
}

/// A base URL as given: `https`, or `http` to this machine; no query or fragment.
fn checked(flag: &'static str, url: &str) -> Result<String, PullError> {
    let url = url.trim().trim_end_matches('/');
    if url.contains(['?', '#', ' ']) || crate::net::host_of(url).is_none() {
        return Err(PullError::BadUrl {
            flag,
            url: url.to_string(),
        });
    }
    if !crate::net::secret_may_go_to(url) {
        return Err(PullError::NotHttps {
            flag,
            url: url.to_string(),
        });
    }
    Ok(url.to_string())
}

/// Percent-encodes a query value or a path segment the way Graph's own links are written: letters,
/// digits and the characters OData syntax uses stay; spaces and the rest are `%XX`.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~$,()/:'=@!*;".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cloud_has_its_hosts() {
        let e = Endpoints::new(Cloud::UsgovDod, None, None).unwrap();
        assert_eq!(e.login, "https://login.microsoftonline.us");
        assert_eq!(e.graph, "https://dod-graph.microsoft.us");
        assert_eq!(e.scope(), "https://dod-graph.microsoft.us/.default");
        let e = Endpoints::new(Cloud::China, None, None).unwrap();
        assert_eq!(
            e.token_url("contoso.partner.onmschina.cn"),
            "https://login.chinacloudapi.cn/contoso.partner.onmschina.cn/oauth2/v2.0/token"
        );
        assert_eq!(Cloud::Global.name(), "global");
    }

    #[test]
    fn overrides_are_https_or_loopback_http() {
        let e = Endpoints::new(
            Cloud::Global,
            Some("http://127.0.0.1:4000/"),
            Some("https://login.example"),
        )
        .unwrap();
        assert_eq!(e.graph, "http://127.0.0.1:4000");
        assert_eq!(e.login, "https://login.example");
        let refused = Endpoints::new(Cloud::Global, Some("http://graph.example"), None)
            .unwrap_err()
            .to_string();
        assert_eq!(
            refused,
            "--graph-url http://graph.example: the token would travel unencrypted; use an https:// URL (http:// only to this machine, for tests)"
        );
        assert!(Endpoints::new(Cloud::Global, None, Some("login.example")).is_err());
        assert!(Endpoints::new(Cloud::Global, Some("https://g.example/?x"), None).is_err());
    }

    #[test]
    fn next_links_stay_on_graph() {
        let e = Endpoints::new(Cloud::Global, None, None).unwrap();
        assert!(e.on_graph("https://graph.microsoft.com/v1.0/users?$skiptoken=x"));
        assert!(e.on_graph("HTTPS://GRAPH.MICROSOFT.COM/beta/x"));
        assert!(!e.on_graph("https://graph.microsoft.com.evil.example/v1.0/users"));
        assert!(!e.on_graph("https://graph.microsoft.com:8443/v1.0/users"));
        assert!(!e.on_graph("http://graph.microsoft.com/v1.0/users"));
        assert!(!e.on_graph("https://graph.microsoft.com"));
    }

    #[test]
    fn queries_are_encoded_as_graph_writes_them() {
        assert_eq!(
            encode(
                "createdDateTime ge 2026-11-26T00:00:00Z and signInEventTypes/any(t: t eq 'nonInteractiveUser')"
            ),
            "createdDateTime%20ge%202026-11-26T00:00:00Z%20and%20signInEventTypes/any(t:%20t%20eq%20'nonInteractiveUser')"
        );
        assert_eq!(encode("a&b#c+d"), "a%26b%23c%2Bd");
    }
}
