//! What marks a file as mfaudit's own output, shared by the writer that puts the mark and the
//! detection that refuses to read the file back as an export (an output is never an input). The
//! JSON report's `schema` (`mfaudit.…`) and the HTML report's `<meta name="generator">` are the
//! other two marks; they are plain text the detection matches as written.

/// The header row of `audit --csv`, in column order (the workbook's user sheets have the same):
/// the last version's, with `user_type` and `is_admin` beside the names.
pub const CSV_HEADER: [&str; 20] = with_type_and_role();

/// The header of the versions before `user_type` and `is_admin`.
const HEADER_18: [&str; 18] = [
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

/// [`HEADER_18`] with `user_type` and `is_admin` after its first two columns (the names).
const fn with_type_and_role() -> [&'static str; 20] {
    let mut out = [""; 20];
    let mut i = 0;
    while i < 20 {
        out[i] = match i {
            0 | 1 => HEADER_18[i],
            2 => "user_type",
            3 => "is_admin",
            _ => HEADER_18[i - 2],
        };
        i += 1;
    }
    out
}

/// The header rows earlier versions wrote (a folder holding last month's report still holds it):
/// 13 columns before the enforcement ones, 16 before the configured ones, 18 before `user_type`
/// and `is_admin`.
pub const EARLIER_CSV_HEADERS: [&[&str]; 3] = [
    HEADER_18.split_at(13).0,
    HEADER_18.split_at(16).0,
    &HEADER_18,
];

/// How the Markdown summary (`audit --markdown`) starts: its title, the generated time after it.
pub const MARKDOWN_TITLE: &str = "# MFA audit, generated ";
