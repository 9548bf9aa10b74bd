//! MFA Server activity CSVs. Their layout was never documented, so the administrator names the
//! user, time and call-result columns (`--mfa-server-columns user=COL,time=COL,result=COL`); names
//! match through `vocab::names::key`, so case, spaces and underscores do not matter. Each row becomes
//! a [`SignIn`] with only `upn`, `time` and `call_result`; the call result is interpreted later by
//! the call-result table, never here.

use std::borrow::Cow;

use super::csv_util::{self, field};
use super::decode::Decoded;
use super::when::FileDates;
use super::{Context, ReadStats};
use crate::error::{ColumnsError, Error, Position, Result, Usage};
use crate::model::SignIn;
use crate::vocab::names;

/// Which columns of an MFA Server CSV hold the user, the time and the call result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMap {
    pub user: String,
    pub time: String,
    pub result: String,
}

impl ColumnMap {
    /// Parses `user=COL,time=COL,result=COL` (`--mfa-server-columns`).
    pub fn parse(spec: &str) -> std::result::Result<ColumnMap, ColumnsError> {
        let mut map = ColumnMap::default();
        for part in spec.split(',') {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| ColumnsError::NotKeyValue {
                    part: part.to_string(),
                })?;
            let v = v.trim().to_string();
            match k.trim().to_ascii_lowercase().as_str() {
                "user" => map.user = v,
                "time" => map.time = v,
                "result" => map.result = v,
                other => {
                    return Err(ColumnsError::UnknownKey {
                        key: other.to_string(),
                    });
                }
            }
        }
        if map.user.is_empty() || map.result.is_empty() {
            return Err(ColumnsError::Missing);
        }
        Ok(map)
    }
}

/// Reads an MFA Server activity CSV through the column map. A row whose time is not a date is
/// skipped and counted; a file where no row could be read is an error.
pub fn read(
    decoded: Decoded,
    ctx: &Context,
    on: &mut dyn FnMut(SignIn<'_>) -> Result<()>,
) -> Result<ReadStats> {
    let path = ctx.path().to_path_buf();
    let Some(map) = &ctx.opts.mfa_server else {
        return Err(Usage::MfaServerNeedsColumns { path }.into());
    };
    let head = decoded.head.clone();
    let mut input = csv_util::open(decoded)?;
    let find = |role: &str, name: &str| -> Result<usize> {
        let want = names::key(name);
        input
            .normalized
            .iter()
            .position(|h| *h == want)
            .ok_or_else(|| {
                Error::input(
                    &path,
                    Position::Line(input.lines_before),
                    format!(
                        "--mfa-server-columns {role}={name}: no such column; the header has: {}",
                        input.headers.join(", ")
                    ),
                )
            })
    };
    let user_col = find("user", &map.user)?;
    let time_col = find("time", &map.time)?;
    let result_col = find("result", &map.result)?;
    let mut dates = FileDates::new(ctx.opts.day_first);
    csv_util::learn_date_order(&mut dates, ctx.file, ctx.opts, &head, Some(time_col))?;

    let mut stats = ReadStats::default();
    let mut first_bad: Option<Error> = None;
    let mut stopped: Option<Error> = None;
    let mut record = csv::StringRecord::new();
    loop {
        match input.reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                if record.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                let line = record.position().map_or(0, |p| input.line_of(p));
                let time = match field(&record, Some(time_col)) {
                    None => None,
                    Some(t) => match dates.parse(t, || format!("at line {line}")) {
                        Some(t) => Some(t),
                        None => {
                            let e = Error::input(
                                &path,
                                Position::Line(line),
                                format!("the {}", dates.why_not(&format!("{} cell", map.time), t)),
                            );
                            stats.skip(&e);
                            first_bad.get_or_insert(e);
                            continue;
                        }
                    },
                };
                let upn = field(&record, Some(user_col)).map(Cow::Borrowed);
                let call_result = field(&record, Some(result_col)).map(Cow::Borrowed);
                if upn.is_none() && call_result.is_none() {
                    let e = Error::input(
                        &path,
                        Position::Line(line),
                        format!("neither {} nor {} has a value", map.user, map.result),
                    );
                    stats.skip(&e);
                    first_bad.get_or_insert(e);
                    continue;
                }
                stats.records += 1;
                if let Some(t) = time {
                    stats.saw_time(t);
                }
                on(SignIn {
                    time,
                    upn,
                    call_result,
                    // A call is the second factor asked of someone signing in.
                    interactive: Some(true),
                    ..SignIn::default()
                })?;
            }
            Err(e) => {
                let err = input.error(&path, &e);
                if e.is_io_error() {
                    stopped = Some(err);
                    break;
                }
                stats.skip(&err);
                first_bad.get_or_insert(err);
            }
        }
    }
    if let Some(e) = stopped {
        if stats.records == 0 {
            return Err(e);
        }
        stats.warn(format!("stopped reading after {} rows: {e}", stats.records));
    }
    if stats.records == 0 {
        return Err(first_bad.unwrap_or_else(|| {
            Error::input(
                &path,
                Position::File,
                "holds no MFA Server activity rows: check that this is the right file",
            )
        }));
    }
    if let Some(w) = dates.warning() {
        stats.warn(w);
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{InputFile, Kind, ReadOptions, decode};

    fn read_text(text: &str, map: Option<ColumnMap>) -> Result<(Vec<SignIn<'static>>, ReadStats)> {
        let file = InputFile::in_memory("mfa.csv", Kind::MfaServerCsv, "UTF-8");
        let opts = ReadOptions {
            mfa_server: map,
            ..ReadOptions::default()
        };
        let ctx = Context {
            file: &file,
            opts: &opts,
        };
        let decoded = decode::from_bytes(&file.path, text.as_bytes().to_vec(), None)?;
        let mut out = Vec::new();
        let stats = read(decoded, &ctx, &mut |s| {
            out.push(s.into_owned());
            Ok(())
        })?;
        Ok((out, stats))
    }

    fn map() -> Option<ColumnMap> {
        Some(ColumnMap {
            user: "User Name".into(),
            time: "date_time".into(),
            result: "CALL RESULT".into(),
        })
    }

    #[test]
    fn reads_the_mapped_columns() {
        let text = "Date Time,User_Name,Phone,Call Result\r\n\
            2019-03-01 08:15:00,ada@contoso.com,+1 4255550100,SUCCESS_PHONE_APP_AUTHENTICATED\r\n\
            3/2/2019 9:00:00 PM,bo@contoso.com,,FAILED_PHONE_APP_DENIED\r\n";
        let (s, stats) = read_text(text, map()).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].upn.as_deref(), Some("ada@contoso.com"));
        assert_eq!(s[0].time, Some("2019-03-01T08:15:00Z".parse().unwrap()));
        assert_eq!(
            s[0].call_result.as_deref(),
            Some("SUCCESS_PHONE_APP_AUTHENTICATED")
        );
        assert_eq!(s[1].time, Some("2019-03-02T21:00:00Z".parse().unwrap()));
        assert_eq!(s[1].call_result.as_deref(), Some("FAILED_PHONE_APP_DENIED"));
        assert_eq!(s[1].error_code, None);
        assert_eq!(stats.records, 2);
        assert_eq!(
            stats.last_time,
            Some("2019-03-02T21:00:00Z".parse().unwrap())
        );
    }

    #[test]
    fn a_bad_row_is_skipped() {
        let text = "DateTime;UserName;CallResult\n2019-03-01T00:00:00Z;b@c.com;SUCCESS_NO_PIN\nnot a date;a@c.com;SUCCESS_NO_PIN\n";
        // The same line whatever the line ends (the csv crate counts CRLF records one short).
        for text in [text.to_string(), text.replace('\n', "\r\n")] {
            let (s, stats) = read_text(&text, map()).unwrap();
            assert_eq!(s.len(), 1);
            assert_eq!(stats.skipped, 1);
            assert_eq!(
                stats.warnings,
                [
                    "skipped a malformed record: mfa.csv:line 3: the date_time cell 'not a date' is not a date"
                ]
            );
        }
    }

    #[test]
    fn a_missing_column_names_the_header() {
        let e = read_text("When,Who,Result\n1/1/2019,a,SUCCESS_NO_PIN\n", map()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "mfa.csv:line 1: --mfa-server-columns user=User Name: no such column; the header has: When, Who, Result"
        );
        let e = read_text("a,b\n1,2\n", None).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let e = read_text("DateTime,UserName,CallResult\n", map()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "mfa.csv: holds no MFA Server activity rows: check that this is the right file"
        );
    }
}
