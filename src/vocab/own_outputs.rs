//! What marks a file as mfaudit's own output, shared by the writer that puts the mark and the
//! detection that refuses to read the file back as an export (an output is never an input). The
//! JSON report's `schema` (`mfaudit.…`) and the HTML report's `<meta name="generator">` are the
//! other two marks; they are plain text the detection matches as written.

/// The header row of `audit --csv`, in column order.
pub const CSV_HEADER: [&str; 18] = [
    "upn",
    "display_name",
    "enabled",
    "registered",
    "per_user_state",
    "methods",
    "strongest",
    "challenges",
    "completed",
    "denied",
    "last_result",
    "last_signin",
    "flags",
    "signins_without_mfa",
    "legacy_auth_signins",
    "apps_without_mfa",
    "mfa_required",
    "excluded_by",
];

/// The widths of the header rows earlier versions wrote, each the first columns of
/// [`CSV_HEADER`] (a folder holding last month's report still holds it): 13 before the
/// enforcement columns, 16 before the configured ones.
pub const EARLIER_CSV_WIDTHS: &[usize] = &[13, 16];
