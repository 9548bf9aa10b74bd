//! The audit's per-user CSV (`audit --csv`), safe to open in a spreadsheet: guests choose their own
//! display names, so a cell that a spreadsheet would run as a formula gets a leading `'`.
//! The classic reports keep PowerShell's bytes and never go through this writer.

use std::borrow::Cow;
use std::io::{self, Write};

use super::audit::AuditReport;
use super::columns::{self, Cell};
use crate::vocab::own_outputs::CSV_HEADER as HEADER;

/// Writes one row per user: a UTF-8 BOM (so Excel reads non-ASCII names right), the header, then
/// the users in report order. Unknown values are empty cells; booleans are `true` and `false`.
pub fn write_users_csv(w: &mut dyn Write, report: &AuditReport) -> io::Result<()> {
    w.write_all("\u{feff}".as_bytes())?;
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(w);
    out.write_record(HEADER).map_err(into_io)?;
    for user in &report.users {
        for cell in columns::cells(user) {
            out.write_field(shown(&cell).as_bytes()).map_err(into_io)?;
        }
        // An empty record ends the one whose fields were just written.
        out.write_record(None::<&[u8]>).map_err(into_io)?;
    }
    out.flush()
}

/// A cell as the CSV writes it, text neutralized.
fn shown<'a>(cell: &'a Cell<'_>) -> Cow<'a, str> {
    match cell {
        Cell::Text(text) => neutralize(text),
        Cell::Count(n) => Cow::Owned(n.to_string()),
        Cell::Bool(true) => Cow::Borrowed("true"),
        Cell::Bool(false) => Cow::Borrowed("false"),
        Cell::Unknown => Cow::Borrowed(""),
    }
}

/// A cell a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, or any
/// control character: TAB, CR, and NUL, which some spreadsheets skip before reading `=`) gets a
/// leading `'`; a plain number such as `-5` or `+3.2` stays as it is.
pub fn neutralize(cell: &str) -> Cow<'_, str> {
    let risky = cell
        .chars()
        .next()
        .is_some_and(|c| c.is_control() || matches!(c, '=' | '+' | '-' | '@'));
    if risky && !is_plain_number(cell) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// `[+-]digits[.digits][e[+-]digits]`: what a spreadsheet reads as a number, not a formula.
fn is_plain_number(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(int)
        && frac.is_none_or(digits)
        && !(int.is_empty() && frac.is_none_or(str::is_empty));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

fn into_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::audit::{
        AuditUser, Configured, ExcludedBy, ObservedUser, SCHEMA, Summary, UserEnforcement,
    };

    fn report(users: Vec<AuditUser>) -> AuditReport {
        AuditReport {
            schema: SCHEMA.into(),
            generated_at: "2025-06-01T08:00:00Z".into(),
            inputs: vec![],
            summary: Summary::default(),
            questions: vec![],
            mfa_completed_by: vec![],
            mfa_denied_because: vec![],
            users,
            changes: None,
            warnings: vec![],
            unmatched_signins: Default::default(),
            methods_by_strength: vec![],
            trend: vec![],
            without_mfa: Default::default(),
            policies: Vec::new(),
            exceptions: Vec::new(),
        }
    }

    fn csv_of(users: Vec<AuditUser>) -> String {
        let mut out = Vec::new();
        write_users_csv(&mut out, &report(users)).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn neutralizes_every_formula_start() {
        assert_eq!(neutralize("=1+1"), "'=1+1");
        assert_eq!(neutralize("+cmd"), "'+cmd");
        assert_eq!(
            neutralize("-2+3+cmd|' /C calc'!A0"),
            "'-2+3+cmd|' /C calc'!A0"
        );
        assert_eq!(neutralize("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralize("\t=1"), "'\t=1");
        assert_eq!(neutralize("\r=1"), "'\r=1");
        // NUL (and any control character) first: some spreadsheets skip it and read the `=`.
        assert_eq!(neutralize("\0=1+1"), "'\0=1+1");
        assert_eq!(neutralize("\u{1}@x"), "'\u{1}@x");
        assert_eq!(
            neutralize("=HYPERLINK(\"http://x\",\"y\")"),
            "'=HYPERLINK(\"http://x\",\"y\")"
        );
    }

    #[test]
    fn leaves_plain_numbers_and_text_alone() {
        for plain in [
            "-5",
            "+3.2",
            "-0.5",
            "12",
            "-1e5",
            "+2E-3",
            "-.5",
            "Ada Lovelace",
            "",
            "a=b",
        ] {
            assert_eq!(neutralize(plain), plain, "{plain:?}");
        }
        for risky in ["-", "+", "-.", "-5e", "-5-3", "+1.2.3", "-e5", "- 5", "-5 "] {
            assert_eq!(neutralize(risky), format!("'{risky}"), "{risky:?}");
        }
    }

    #[test]
    fn writes_header_rows_and_hostile_values_exactly() {
        let users = vec![
            AuditUser {
                upn: "ada@contoso.com".into(),
                display_name: Some("=HYPERLINK(\"http://evil\",\"x\")".into()),
                user_type: Some("member".into()),
                is_admin: Some(true),
                enabled: Some(true),
                registered: Some(false),
                per_user_state: "disabled".into(),
                methods: vec![],
                challenges: 3,
                completed: 0,
                denied: 3,
                last_result: Some("MFA denied; user declined the authentication".into()),
                last_signin: Some("2025-05-30T10:00:00Z".into()),
                flags: vec![
                    "enabled-unregistered".into(),
                    "push-fatigue-suspected".into(),
                ],
                ..Default::default()
            },
            AuditUser {
                upn: "@guest#EXT#@contoso.com".into(),
                display_name: Some("-5".into()),
                user_type: Some("guest".into()),
                enabled: None,
                registered: None,
                per_user_state: "unknown".into(),
                methods: vec!["PhoneAppNotification".into(), "OneWaySMS".into()],
                strongest: Some("+cmd".into()),
                last_result: None,
                flags: vec![],
                ..Default::default()
            },
            AuditUser {
                upn: "bo@contoso.com".into(),
                // An unknown user type is the export's own text.
                user_type: Some("=evil".into()),
                per_user_state: "disabled".into(),
                enforcement: UserEnforcement {
                    logs: true,
                    observed: Some(Box::new(ObservedUser {
                        signins_without_mfa: 2,
                        legacy_auth_signins: 1,
                        apps_without_mfa: vec!["=cmd|' /C calc'!A0".into(), "Azure Portal".into()],
                        ..Default::default()
                    })),
                    ..Default::default()
                },
                ..Default::default()
            },
            AuditUser {
                upn: "cy@contoso.com".into(),
                per_user_state: "disabled".into(),
                enforcement: UserEnforcement {
                    logs: true,
                    configured: Some(std::sync::Arc::new(Configured {
                        mfa_required: Some("never".into()),
                        excluded_by: Some(vec![ExcludedBy {
                            policy: Some("=Exclude break-glass".into()),
                            policy_id: Some("p1".into()),
                            via: "group:BG".into(),
                        }]),
                        ..Default::default()
                    })),
                    ..Default::default()
                },
                ..Default::default()
            },
        ];
        let expected = "\u{feff}upn,display_name,user_type,is_admin,enabled,registered,per_user_state,\
methods,strongest,challenges,completed,denied,last_result,last_signin,flags,\
signins_without_mfa,legacy_auth_signins,apps_without_mfa,mfa_required,excluded_by\r\n\
ada@contoso.com,\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",member,true,true,false,disabled,,,\
3,0,3,MFA denied; user declined the authentication,2025-05-30T10:00:00Z,\
enabled-unregistered; push-fatigue-suspected,,,,,\r\n\
'@guest#EXT#@contoso.com,-5,guest,,,,unknown,PhoneAppNotification; OneWaySMS,'+cmd,0,0,0,,,,,,,,\r\n\
bo@contoso.com,,'=evil,,,,disabled,,,0,0,0,,,,2,1,'=cmd|' /C calc'!A0; Azure Portal,,\r\n\
cy@contoso.com,,,,,,disabled,,,0,0,0,,,,0,0,,never,'=Exclude break-glass\r\n";
        assert_eq!(csv_of(users), expected);
    }

    #[test]
    fn quotes_embedded_newlines_and_neutralizes_a_leading_tab() {
        let users = vec![AuditUser {
            upn: "x@y".into(),
            display_name: Some("\tline1\nline2".into()),
            per_user_state: "enabled".into(),
            ..Default::default()
        }];
        let text = csv_of(users);
        let second = text.split("\r\n").nth(1).unwrap();
        assert_eq!(
            second,
            "x@y,\"'\tline1\nline2\",,,,,enabled,,,0,0,0,,,,,,,,"
        );
    }
}
