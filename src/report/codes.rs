//! What `mfaudit codes [CODE]` prints: the MFA Server `Call Result` table, or one code explained,
//! so an admin holding an old activity download can read `SUCCESS_NO_PIN_BUT_TIMEOUT` as "went to
//! voicemail". As a table, CSV or JSON.

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::error::{Error, ReportError, Result, Usage};
use crate::vocab::call_results::{self, CALL_RESULTS, CallClass, CallResult};

/// How the codes are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Table,
    Csv,
    Json,
}

/// The table, or one code, in `format`. An unknown code is a usage error naming the closest known
/// codes.
pub(crate) fn render(code: Option<&str>, format: Format) -> Result<String> {
    let rows: Vec<&CallResult> = match code {
        None => CALL_RESULTS.iter().collect(),
        Some(c) => vec![call_results::lookup(c).ok_or_else(|| unknown(c))?],
    };
    Ok(match (format, code) {
        (Format::Table, None) => table(&rows),
        (Format::Table, Some(_)) => detail(rows[0]),
        (Format::Csv, _) => csv(&rows)?,
        (Format::Json, None) => json(&rows.iter().map(|r| JsonRow::from(*r)).collect::<Vec<_>>())?,
        (Format::Json, Some(_)) => json(&JsonRow::from(rows[0]))?,
    })
}

fn unknown(code: &str) -> Error {
    Usage::UnknownCode {
        code: code.trim().to_string(),
        closest: call_results::closest(code, 3).join(", "),
        count: CALL_RESULTS.len(),
    }
    .into()
}

/// Columns separated by two spaces, padded to the widest cell; the last column is not padded.
fn table(rows: &[&CallResult]) -> String {
    let header = ["Call Result", "Outcome", "Description"];
    let cells: Vec<[&str; 3]> = rows
        .iter()
        .map(|r| [r.code, r.class.label(), r.description])
        .collect();
    let widths: Vec<usize> = (0..2)
        .map(|i| {
            cells
                .iter()
                .map(|c| c[i].width())
                .chain([header[i].width()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |c: [&str; 3]| -> String {
        format!(
            "{}{}  {}{}  {}\n",
            c[0],
            " ".repeat(widths[0] - c[0].width()),
            c[1],
            " ".repeat(widths[1] - c[1].width()),
            c[2]
        )
    };
    let mut out = line(header);
    out.push_str(&line([
        &"-".repeat(widths[0]),
        &"-".repeat(widths[1]),
        &"-".repeat(header[2].width()),
    ]));
    for c in cells {
        out.push_str(&line(c));
    }
    out
}

/// One code, field by field.
fn detail(r: &CallResult) -> String {
    let fields = [
        ("Call Result", r.code),
        ("Description", r.description),
        ("Outcome", r.class.label()),
        ("Method", r.method.unwrap_or("-")),
        ("Broad description", r.broad_description),
    ];
    let width = fields.iter().map(|(k, _)| k.width()).max().unwrap_or(0);
    fields
        .iter()
        .map(|(k, v)| format!("{k}{}  {v}\n", " ".repeat(width - k.width())))
        .collect()
}

fn csv(rows: &[&CallResult]) -> Result<String> {
    let failed = |e: csv::Error| ReportError::serialize("writing CSV", e);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "Call Result",
        "Description",
        "Broad description",
        "Outcome",
        "Method",
    ])
    .map_err(failed)?;
    for r in rows {
        w.write_record([
            r.code,
            r.description,
            r.broad_description,
            r.class.label(),
            r.method.unwrap_or(""),
        ])
        .map_err(failed)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ReportError::serialize("writing CSV", e))?;
    String::from_utf8(bytes).map_err(|e| ReportError::serialize("writing CSV", e).into())
}

/// One code as `--format json` writes it.
#[derive(Debug, Serialize)]
struct JsonRow {
    code: &'static str,
    description: &'static str,
    broad_description: &'static str,
    outcome: CallClass,
    /// True when the MFA requirement was met (success, cache or bypass).
    satisfied: bool,
    method: Option<&'static str>,
}

impl From<&CallResult> for JsonRow {
    fn from(r: &CallResult) -> JsonRow {
        JsonRow {
            code: r.code,
            description: r.description,
            broad_description: r.broad_description,
            outcome: r.class,
            satisfied: r.class.is_satisfied(),
            method: r.method,
        }
    }
}

fn json<T: Serialize>(value: &T) -> Result<String> {
    let mut s = serde_json::to_string_pretty(value)
        .map_err(|e| ReportError::serialize("writing JSON", e))?;
    s.push('\n');
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_of_all_codes() {
        let t = render(None, Format::Table).unwrap();
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 2 + 45);
        let w = "SUCCESS_FALLBACK_SECURITY_QUESTIONS_ANSWERED".len();
        let o = "success (cached, no call)".len();
        assert_eq!(
            lines[0],
            format!("{:w$}  {:o$}  Description", "Call Result", "Outcome")
        );
        assert_eq!(
            lines[1],
            format!("{}  {}  -----------", "-".repeat(w), "-".repeat(o))
        );
        assert_eq!(
            lines[5],
            format!(
                "{:w$}  {:o$}  No Phone Input - Timed Out",
                "SUCCESS_NO_PIN_BUT_TIMEOUT", "not completed"
            )
        );
        assert_eq!(
            lines[46],
            format!(
                "{:w$}  {:o$}  Authentication Throttled",
                "FAILED_AUTHENTICATION_THROTTLED", "failed"
            )
        );
        assert!(lines.iter().all(|l| !l.ends_with(' ')));
    }

    #[test]
    fn one_code_explained() {
        assert_eq!(
            render(Some("success_no_pin_but_timeout"), Format::Table).unwrap(),
            "Call Result        SUCCESS_NO_PIN_BUT_TIMEOUT\n\
             Description        No Phone Input - Timed Out\n\
             Outcome            not completed\n\
             Method             Phone call\n\
             Broad description  The call was answered but nothing was pressed; usually voicemail took the call.\n"
        );
    }

    #[test]
    fn csv_is_quoted() {
        let t = render(Some("SUCCESS_WITH_PIN"), Format::Csv).unwrap();
        assert_eq!(
            t,
            "Call Result,Description,Broad description,Outcome,Method\n\
             SUCCESS_WITH_PIN,PIN Entered,\"The user entered a PIN on the call: correct when the authentication succeeded; when it was denied, the PIN was wrong or the user is in Standard mode.\",success,Phone call\n"
        );
        let all = render(None, Format::Csv).unwrap();
        let mut reader = csv::Reader::from_reader(all.as_bytes());
        let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(records.len(), 45);
        for (rec, row) in records.iter().zip(CALL_RESULTS) {
            assert_eq!(&rec[0], row.code);
            assert_eq!(&rec[2], row.broad_description);
        }
    }

    #[test]
    fn json_shapes() {
        let one: serde_json::Value =
            serde_json::from_str(&render(Some("SUCCESS_BYPASSED_AUTH"), Format::Json).unwrap())
                .unwrap();
        assert_eq!(
            one,
            serde_json::json!({
                "code": "SUCCESS_BYPASSED_AUTH",
                "description": "Bypassed Auth",
                "broad_description": "A one-time bypass granted to the user let the authentication through (see the Bypassed User History report).",
                "outcome": "bypass",
                "satisfied": true,
                "method": null
            })
        );
        let all: serde_json::Value =
            serde_json::from_str(&render(None, Format::Json).unwrap()).unwrap();
        let all = all.as_array().unwrap();
        assert_eq!(all.len(), 45);
        assert_eq!(all[3]["outcome"], "not-completed");
        assert_eq!(all[3]["satisfied"], false);
    }

    #[test]
    fn unknown_code_suggests() {
        let e = render(Some("SUCCESS_NO_PIN_TIMEOUT"), Format::Table).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert_eq!(
            e.to_string(),
            "unknown call result 'SUCCESS_NO_PIN_TIMEOUT'; closest: SUCCESS_NO_PIN_BUT_TIMEOUT, SUCCESS_NO_PIN, SUCCESS_WITH_PIN_BUT_TIMEOUT (`mfaudit codes` lists all 45)"
        );
    }
}
