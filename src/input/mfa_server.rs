//! The MFA Server's CSV reports: the activity (call results), the *Blocked User History* and the
//! *Bypassed User History*. Their layout was never documented, so the administrator names the
//! columns of each (`--mfa-server-columns user=COL,time=COL,result=COL`,
//! `--mfa-server-blocked-columns user=COL,time=COL,action=COL`,
//! `--mfa-server-bypassed-columns user=COL,time=COL,length=COL`); names match through
//! `vocab::names::key`, so case, spaces and underscores do not matter. An activity row becomes a
//! [`SignIn`] with only `upn`, `time` and `call_result` (interpreted later by the call-result table,
//! never here); a history row becomes an event of [`MfaServerHistories`].

use std::borrow::Cow;

use super::csv_util::{self, field};
use super::decode::Decoded;
use super::detect::Kind;
use super::when::FileDates;
use super::{Context, ReadStats};
use crate::error::{ColumnsError, Error, Position, Result, Usage};
use crate::model::SignIn;
use crate::model::config::TenantConfig;
use crate::model::mfa_server::{BlockEvent, BypassEvent};
use crate::vocab::{block_actions, names};

/// The MFA Server reports a column map can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Report {
    /// The activity report: one row per call, with its `Call Result`.
    Activity,
    /// *Blocked User History*: blocks and unblocks.
    Blocked,
    /// *Bypassed User History*: one-time bypasses granted.
    Bypassed,
}

impl Report {
    /// The option (and, without the dashes, the config key) that names the report's columns.
    pub fn option(self) -> &'static str {
        match self {
            Report::Activity => "--mfa-server-columns",
            Report::Blocked => "--mfa-server-blocked-columns",
            Report::Bypassed => "--mfa-server-bypassed-columns",
        }
    }

    /// The keys a map takes: the required ones first.
    fn keys(self) -> &'static [&'static str] {
        match self {
            Report::Activity => &["user", "time", "result"],
            Report::Blocked => &["user", "time", "action", "by", "reason"],
            Report::Bypassed => &["user", "time", "length", "by", "reason"],
        }
    }

    fn required(self) -> &'static [&'static str] {
        match self {
            Report::Activity => &["user", "result"],
            Report::Blocked => &["user", "time", "action"],
            Report::Bypassed => &["user", "time"],
        }
    }

    /// What a map looks like, for messages.
    pub fn spec(self) -> &'static str {
        match self {
            Report::Activity => "user=COLUMN,time=COLUMN,result=COLUMN",
            Report::Blocked => "user=COLUMN,time=COLUMN,action=COLUMN[,by=COLUMN][,reason=COLUMN]",
            Report::Bypassed => {
                "user=COLUMN,time=COLUMN[,length=COLUMN][,by=COLUMN][,reason=COLUMN]"
            }
        }
    }

    /// The input kind of a file read through this report's map.
    pub fn kind(self) -> Kind {
        match self {
            Report::Activity => Kind::MfaServerCsv,
            Report::Blocked => Kind::MfaServerBlockedCsv,
            Report::Bypassed => Kind::MfaServerBypassedCsv,
        }
    }

    fn title(self) -> &'static str {
        match self {
            Report::Activity => "MFA Server activity",
            Report::Blocked => "Blocked User History",
            Report::Bypassed => "Bypassed User History",
        }
    }
}

/// Which columns of one MFA Server report hold what: `(key, column name)` pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    pub report: Report,
    columns: Vec<(&'static str, String)>,
}

impl ColumnMap {
    /// Parses `KEY=COLUMN,...` (`--mfa-server-columns` and the history options).
    pub fn parse(report: Report, spec: &str) -> std::result::Result<ColumnMap, ColumnsError> {
        let mut columns: Vec<(&'static str, String)> = Vec::new();
        for part in spec.split(',') {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| ColumnsError::NotKeyValue {
                    option: report.option(),
                    part: part.to_string(),
                    spec: report.spec(),
                })?;
            let k = k.trim().to_ascii_lowercase();
            let Some(key) = report.keys().iter().find(|key| **key == k) else {
                return Err(ColumnsError::UnknownKey {
                    option: report.option(),
                    key: k,
                    keys: crate::text::and_list(report.keys()),
                });
            };
            let v = v.trim().to_string();
            columns.retain(|(have, _)| have != key);
            if !v.is_empty() {
                columns.push((key, v));
            }
        }
        let required = report.required();
        if required
            .iter()
            .any(|k| !columns.iter().any(|(have, _)| have == k))
        {
            return Err(ColumnsError::Missing {
                option: report.option(),
                needs: crate::text::and_list(
                    &required
                        .iter()
                        .map(|k| format!("{k}=COLUMN"))
                        .collect::<Vec<_>>(),
                ),
            });
        }
        Ok(ColumnMap { report, columns })
    }

    /// The column named for `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.columns
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The named columns a header lacks.
    fn missing<'a>(&'a self, normalized: &[String]) -> Vec<&'a str> {
        self.columns
            .iter()
            .filter(|(_, name)| !normalized.contains(&names::key(name)))
            .map(|(_, name)| name.as_str())
            .collect()
    }
}

/// The column maps given, one per report at most.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMaps(Vec<ColumnMap>);

impl From<ColumnMap> for ColumnMaps {
    fn from(map: ColumnMap) -> ColumnMaps {
        ColumnMaps(vec![map])
    }
}

impl ColumnMaps {
    pub fn add(&mut self, map: ColumnMap) {
        self.0.retain(|m| m.report != map.report);
        self.0.push(map);
    }

    pub fn get(&self, report: Report) -> Option<&ColumnMap> {
        self.0.iter().find(|m| m.report == report)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Which report a CSV with this head is: the map whose every named column the header holds
    /// (the one naming the most when several do). `Err` says why none or more than one fits;
    /// with a single map, a file it does not fit is still given to it (its reader names the
    /// missing column).
    pub fn choose(&self, head: &str) -> std::result::Result<Report, String> {
        let (_, header, _) = csv_util::csv_header(head);
        let normalized: Vec<String> = header.iter().map(|h| names::key(h)).collect();
        let mut fits: Vec<(usize, Report)> = self
            .0
            .iter()
            .filter(|m| m.missing(&normalized).is_empty())
            .map(|m| (m.columns.len(), m.report))
            .collect();
        fits.sort_by_key(|f| std::cmp::Reverse(f.0));
        match fits.as_slice() {
            [] if self.0.len() == 1 => Ok(self.0[0].report),
            [] => Err(format!(
                "fits none of the MFA Server column maps ({}); the header has: {}",
                self.0
                    .iter()
                    .map(|m| format!(
                        "{} lacks {}",
                        m.report.option(),
                        m.missing(&normalized).join(", ")
                    ))
                    .collect::<Vec<_>>()
                    .join("; "),
                header.join(", ")
            )),
            [(n, a), (m, b), ..] if n == m => Err(format!(
                "fits both {} and {}: name a column in one of them that only its report has",
                a.option(),
                b.option()
            )),
            [(_, r), ..] => Ok(*r),
        }
    }

    /// Whether a header fits one of the maps (a CSV detected as another kind is read through a
    /// map only then).
    pub fn fits(&self, head: &str) -> Option<Report> {
        let (_, header, _) = csv_util::csv_header(head);
        let normalized: Vec<String> = header.iter().map(|h| names::key(h)).collect();
        self.0
            .iter()
            .filter(|m| m.missing(&normalized).is_empty())
            .max_by_key(|m| m.columns.len())
            .map(|m| m.report)
    }
}

/// One row of an MFA Server report, with the cells its map names.
struct Row<'r> {
    record: &'r csv::StringRecord,
    line: u64,
    time: Option<jiff::Timestamp>,
}

/// What a report's reader does with a row: `Ok(Err(why))` skips it, saying why.
type OnRow<'a> =
    dyn FnMut(&Row<'_>, &[Option<usize>]) -> Result<std::result::Result<(), String>> + 'a;

/// The CSV of one report, opened, with its map's columns found; `on` gets each row that is not
/// blank and whose time reads, and says why a row cannot be read (the row is then skipped and
/// counted). A file where no row could be read is an error.
fn read_rows(
    decoded: Decoded,
    ctx: &Context,
    report: Report,
    on: &mut OnRow<'_>,
) -> Result<ReadStats> {
    let path = ctx.path().to_path_buf();
    let Some(map) = ctx.opts.mfa_server.get(report) else {
        return Err(Usage::MfaServerNeedsColumns { path }.into());
    };
    let head = decoded.head.clone();
    let mut input = csv_util::open(decoded)?;
    let mut cols: Vec<Option<usize>> = Vec::new();
    for key in report.keys() {
        let Some(name) = map.get(key) else {
            cols.push(None);
            continue;
        };
        let want = names::key(name);
        let Some(i) = input.normalized.iter().position(|h| *h == want) else {
            return Err(Error::input(
                &path,
                Position::Line(input.lines_before),
                format!(
                    "{} {key}={name}: no such column; the header has: {}",
                    report.option(),
                    input.headers.join(", ")
                ),
            ));
        };
        cols.push(Some(i));
    }
    let time_key = report.keys().iter().position(|k| *k == "time");
    let time_col = time_key.and_then(|k| cols[k]);
    let mut dates = FileDates::new(ctx.opts.day_first);
    csv_util::learn_date_order(&mut dates, ctx.file, ctx.opts, &head, time_col)?;

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
                let mut bad = |why: String, stats: &mut ReadStats| {
                    let e = Error::input(&path, Position::Line(line), why);
                    stats.skip(&e);
                    first_bad.get_or_insert(e);
                };
                let time = match field(&record, time_col) {
                    None => None,
                    Some(t) => match dates.parse(t, || format!("at line {line}")) {
                        Some(t) => Some(t),
                        None => {
                            let column = map.get("time").unwrap_or("time");
                            bad(
                                format!("the {}", dates.why_not(&format!("{column} cell"), t)),
                                &mut stats,
                            );
                            continue;
                        }
                    },
                };
                match on(
                    &Row {
                        record: &record,
                        line,
                        time,
                    },
                    &cols,
                )? {
                    Ok(()) => {
                        stats.records += 1;
                        if let Some(t) = time {
                            stats.saw_time(t);
                        }
                    }
                    Err(why) => bad(why, &mut stats),
                }
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
                format!(
                    "holds no {} rows: check that this is the right file",
                    report.title()
                ),
            )
        }));
    }
    if let Some(w) = dates.warning() {
        stats.warn(w);
    }
    Ok(stats)
}

/// Reads an MFA Server activity CSV through its column map. A row whose time is not a date is
/// skipped and counted; a file where no row could be read is an error.
pub fn read(
    decoded: Decoded,
    ctx: &Context,
    on: &mut dyn FnMut(SignIn<'_>) -> Result<()>,
) -> Result<ReadStats> {
    let map = ctx.opts.mfa_server.get(Report::Activity).cloned();
    read_rows(decoded, ctx, Report::Activity, &mut |row, cols| {
        let upn = field(row.record, cols[0]).map(Cow::Borrowed);
        let call_result = field(row.record, cols[2]).map(Cow::Borrowed);
        if upn.is_none() && call_result.is_none() {
            let m = map.as_ref();
            return Ok(Err(format!(
                "neither {} nor {} has a value",
                m.and_then(|m| m.get("user")).unwrap_or("user"),
                m.and_then(|m| m.get("result")).unwrap_or("result")
            )));
        }
        on(SignIn {
            time: row.time,
            upn,
            call_result,
            // A call is the second factor asked of someone signing in.
            interactive: Some(true),
            ..SignIn::default()
        })?;
        Ok(Ok(()))
    })
}

/// Reads a Blocked or Bypassed User History through its column map into the configuration read
/// so far (the history becomes known even when every row is somebody else's). A row without a
/// user or a time, or whose action is neither a block nor an unblock, is skipped and counted.
pub fn read_history(decoded: Decoded, ctx: &Context, into: &mut TenantConfig) -> Result<ReadStats> {
    let report = match ctx.file.kind {
        Kind::MfaServerBlockedCsv => Report::Blocked,
        _ => Report::Bypassed,
    };
    let Some(map) = ctx.opts.mfa_server.get(report).cloned() else {
        return Err(Usage::MfaServerNeedsColumns {
            path: ctx.path().to_path_buf(),
        }
        .into());
    };
    let file = ctx.file.index;
    let mut blocks = Vec::new();
    let mut bypasses = Vec::new();
    let mut unread_lengths: Vec<String> = Vec::new();
    let mut stats = read_rows(decoded, ctx, report, &mut |row, cols| {
        let cell = |k: usize| field(row.record, cols[k]).map(|s| s.trim().to_string());
        let name = |k: &str| map.get(k).unwrap_or(k).to_string();
        let Some(user) = cell(0) else {
            return Ok(Err(format!(
                "the {} cell is empty: whose event it is is unknown",
                name("user")
            )));
        };
        let Some(time) = row.time else {
            return Ok(Err(format!(
                "the {} cell is empty: the order of the events needs it",
                name("time")
            )));
        };
        let (by, reason) = (cell(3), cell(4));
        match report {
            Report::Blocked => {
                let word = cell(2).unwrap_or_default();
                let Some(blocked) = block_actions::lookup(&word) else {
                    return Ok(Err(format!(
                        "the {} cell '{}' is neither a block nor an unblock; expected {}",
                        name("action"),
                        crate::text::quoted(&word, 40),
                        block_actions::expected()
                    )));
                };
                blocks.push(BlockEvent {
                    user,
                    time,
                    blocked,
                    by,
                    reason,
                    file,
                    line: row.line,
                });
            }
            _ => {
                let length = cell(2);
                let seconds = length.as_deref().and_then(seconds_of);
                if let (Some(l), None) = (&length, seconds) {
                    unread_lengths.push(format!(
                        "line {} ('{}')",
                        row.line,
                        crate::text::quoted(l, 20)
                    ));
                }
                bypasses.push(BypassEvent {
                    user,
                    time,
                    seconds,
                    by,
                    reason,
                    file,
                    line: row.line,
                });
            }
        }
        Ok(Ok(()))
    })?;
    if let Some(first) = unread_lengths.first() {
        let column = map.get("length").unwrap_or("length");
        stats.warn(format!(
            "{} not read as a number of seconds (first at {first}): counted as bypasses of unknown length",
            crate::text::plural(
                unread_lengths.len() as u64,
                &format!("{column} cell"),
                &format!("{column} cells")
            ),
        ));
    }
    let h = &mut into.mfa_server;
    match report {
        Report::Blocked => h.blocks.get_or_insert_with(Vec::new).extend(blocks),
        _ => h.bypasses.get_or_insert_with(Vec::new).extend(bypasses),
    }
    Ok(stats)
}

/// A bypass length: seconds (`300`, `300s`, `300 seconds`), minutes (`5 min`, `5 minutes`) or
/// `h:mm:ss` / `mm:ss`.
fn seconds_of(text: &str) -> Option<u64> {
    let t = text.trim().to_ascii_lowercase();
    if let Ok(n) = t.parse::<u64>() {
        return Some(n);
    }
    if t.contains(':') {
        let parts: Vec<u64> = t
            .split(':')
            .map(|p| p.trim().parse().ok())
            .collect::<Option<_>>()?;
        return match parts.as_slice() {
            [m, s] if *s < 60 => Some(m * 60 + s),
            [h, m, s] if *m < 60 && *s < 60 => Some(h * 3600 + m * 60 + s),
            _ => None,
        };
    }
    let digits = t.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == ' ');
    let unit = t[digits.len()..].trim();
    let n: u64 = digits.trim().parse().ok()?;
    match unit {
        "s" | "sec" | "secs" | "second" | "seconds" => Some(n),
        "m" | "min" | "mins" | "minute" | "minutes" => Some(n * 60),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{InputFile, Kind, ReadOptions, decode};

    fn read_text(text: &str, map: Option<ColumnMap>) -> Result<(Vec<SignIn<'static>>, ReadStats)> {
        let file = InputFile::in_memory("mfa.csv", Kind::MfaServerCsv, "UTF-8");
        let opts = ReadOptions {
            mfa_server: map.map(ColumnMaps::from).unwrap_or_default(),
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
        Some(
            ColumnMap::parse(
                Report::Activity,
                "user=User Name,time=date_time,result=CALL RESULT",
            )
            .unwrap(),
        )
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

    #[test]
    fn bypass_lengths() {
        for (text, want) in [
            ("300", Some(300)),
            (" 300 ", Some(300)),
            ("300s", Some(300)),
            ("90 Seconds", Some(90)),
            ("5 min", Some(300)),
            ("2 minutes", Some(120)),
            ("05:00", Some(300)),
            ("1:00:00", Some(3600)),
            ("1:60", None),
            ("1:2:3:4", None),
            ("5 hours", None),
            ("soon", None),
            ("", None),
            ("-5", None),
        ] {
            assert_eq!(seconds_of(text), want, "{text:?}");
        }
    }

    #[test]
    fn a_key_given_twice_keeps_the_last_and_an_empty_column_unsets_it() {
        let m = ColumnMap::parse(Report::Bypassed, "user=A,time=B,length=C,length=D").unwrap();
        assert_eq!(m.get("length"), Some("D"));
        let m = ColumnMap::parse(Report::Bypassed, "user=A,time=B,length=").unwrap();
        assert_eq!(m.get("length"), None);
        assert_eq!(
            ColumnMap::parse(Report::Blocked, "user=A,time=B,action=")
                .unwrap_err()
                .to_string(),
            "--mfa-server-blocked-columns needs at least user=COLUMN, time=COLUMN and action=COLUMN"
        );
    }
}
