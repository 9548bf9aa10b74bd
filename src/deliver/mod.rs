//! Delivery of the finished reports to people. `email` composes the summary mail and sends it over
//! SMTP (or writes it to an `.eml` for a dry run); `webhook` posts a summary card to a chat. Nothing
//! here computes report data: it renders the [`crate::report::audit::AuditReport`] it is given.

pub mod email;
pub mod webhook;
