//! Delivery of the finished reports to people. `email` composes the summary mail and sends it over
//! SMTP (or writes it to an `.eml` for a dry run); `webhook` posts a summary card to a chat. Nothing
//! here computes report data: it renders the [`crate::report::audit::AuditReport`] it is given.

pub mod email;
pub mod webhook;

/// Whether `host` is this machine: the one place a secret may travel unencrypted (the tests' SMTP
/// server and webhook receiver).
pub(crate) fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
