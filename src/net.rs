//! What the parts that talk to the network agree on: which URLs a secret may be sent to. A
//! secret (an SMTP password, a webhook's signed URL, a Graph token) travels encrypted, or stays on
//! this machine (the tests' servers).

/// Whether `host` is this machine.
pub(crate) fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The host of `scheme://host[:port]/...`, brackets kept for IPv6.
pub(crate) fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if authority.starts_with('[') {
        &authority[..=authority.find(']')?]
    } else {
        authority.split(':').next()?
    };
    (!host.is_empty()).then_some(host)
}

/// Whether a secret may be sent to `url`: `https`, or `http` to this machine.
pub(crate) fn secret_may_go_to(url: &str) -> bool {
    let Some(host) = host_of(url) else {
        return false;
    };
    let scheme = url.split_once("://").map_or("", |(s, _)| s);
    scheme.eq_ignore_ascii_case("https")
        || (scheme.eq_ignore_ascii_case("http") && is_loopback(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_here() {
        for ok in [
            "https://graph.microsoft.com",
            "HTTPS://login.microsoftonline.us/x",
            "http://127.0.0.1:8080/v1.0",
            "http://[::1]:9/",
            "http://localhost/",
        ] {
            assert!(secret_may_go_to(ok), "{ok}");
        }
        for refused in [
            "http://graph.microsoft.com",
            "http://127.0.0.1.example.com/",
            "ftp://127.0.0.1/",
            "graph.microsoft.com",
            "https://",
            "http://user@evil.example/",
        ] {
            assert!(!secret_may_go_to(refused), "{refused}");
        }
    }
}
