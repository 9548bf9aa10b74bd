//! CSV sign-in logs: the admin center download (columns by the alias table in
//! [`crate::vocab::headers`], English, French, Spanish, 2018 names) with its AuthDetails
//! companion, and the Log Analytics "Export to CSV" of `SigninLogs`, whose `Status`,
//! `AuthenticationDetails` and `MfaDetail` cells hold JSON text.
//!
//! Memory: the main file streams, but its companion's steps must be at hand when a sign-in row
//! arrives, so [`StepIndex`] keeps every AuthDetails row — only what a step needs: the Request ID
//! once per sign-in, and per step a time and four numbers pointing into one table of distinct texts
//! (method, detail, result, requirement texts repeat, so each is stored once). That is roughly
//! 100 bytes per sign-in plus 40 bytes per step: about 60 MB for a full 250,000-sign-in download.

use std::borrow::Cow;
use std::collections::HashMap;

use super::{Parsed, Run, mfa_from_json, status_from_json, steps_from_json, steps_of, text};
use crate::error::{Error, Position, Result};
use crate::input::csv_util::{self, field, parse_bool};
use crate::input::decode::Decoded;
use crate::input::when::FileDates;
use crate::input::{Context, InputFile, Kind, ReadStats};
use crate::model::{SignIn, SignInStep};
use crate::vocab::headers::{ColumnIndex, SignInColumn as Col};

/// Status words that mean success when a file has no error code column.
const SUCCESS_WORDS: &[&str] = &[
    "success",
    "succès",
    "opération réussie",
    "réussite",
    "correcto",
    "éxito",
];

/// One AuthDetails row, compact: texts are ids into [`StepIndex::texts`] (0 = none).
#[derive(Debug, Clone, Copy)]
struct CompactStep {
    method: u32,
    result_detail: u32,
    requirement: u32,
    succeeded: Option<bool>,
}

/// The AuthDetails rows of a download, by Request ID (see the module comment for memory).
#[derive(Debug, Default)]
pub struct StepIndex {
    by_request: HashMap<Box<str>, Vec<CompactStep>>,
    /// Distinct texts; index 0 is the empty text.
    texts: Vec<Box<str>>,
    /// Rows that could not be read (counted into the main file's stats).
    skipped: Vec<Error>,
    warnings: Vec<String>,
    /// Each file's index among the inputs and the rows read from it.
    rows: Vec<(u32, u64)>,
}

impl StepIndex {
    /// Reads every AuthDetails file given.
    pub fn read(files: &[&InputFile], ctx: &Context) -> Result<StepIndex> {
        let mut index = StepIndex::default();
        let mut interned: HashMap<Box<str>, u32> = HashMap::new();
        for file in files {
            index.read_file(file, ctx, &mut interned)?;
        }
        let mut texts: Vec<Box<str>> = vec![Box::from(""); interned.len() + 1];
        for (t, id) in interned {
            texts[id as usize] = t;
        }
        index.texts = texts;
        Ok(index)
    }

    fn read_file(
        &mut self,
        file: &InputFile,
        ctx: &Context,
        interned: &mut HashMap<Box<str>, u32>,
    ) -> Result<()> {
        let decoded = crate::input::reopen(file, ctx.opts)?;
        let mut input = csv_util::open(decoded)?;
        let cols = ColumnIndex::new(&input.headers);
        let Some(request_col) = cols.get(Col::RequestId) else {
            return Err(Error::input(
                &file.path,
                Position::Line(input.lines_before),
                "an AuthDetails file without a Request ID column: give the *_AuthDetails_*.csv downloaded with the sign-ins",
            ));
        };
        let mut intern = |s: Option<&str>| -> u32 {
            let Some(s) = s else { return 0 };
            if let Some(id) = interned.get(s) {
                return *id;
            }
            let id = interned.len() as u32 + 1;
            interned.insert(Box::from(s), id);
            id
        };
        let mut record = csv::StringRecord::new();
        let mut rows = 0u64;
        loop {
            match input.reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    let Some(request) = field(&record, Some(request_col)) else {
                        continue;
                    };
                    rows += 1;
                    let get = |c| field(&record, cols.get(c));
                    let step = CompactStep {
                        method: intern(get(Col::StepMethod)),
                        result_detail: intern(get(Col::StepResultDetail)),
                        requirement: intern(get(Col::StepRequirement)),
                        succeeded: get(Col::StepSucceeded).and_then(parse_bool),
                    };
                    match self.by_request.get_mut(request) {
                        Some(steps) => steps.push(step),
                        None => {
                            self.by_request.insert(Box::from(request), vec![step]);
                        }
                    }
                }
                Err(e) => {
                    let err = input.error(&file.path, &e);
                    if e.is_io_error() {
                        if rows == 0 {
                            return Err(err);
                        }
                        self.warnings.push(format!(
                            "stopped reading the AuthDetails file after {rows} rows: {err}"
                        ));
                        break;
                    }
                    self.skipped.push(err);
                }
            }
        }
        self.rows.push((file.index, rows));
        Ok(())
    }

    /// The steps of one sign-in, in file order.
    fn steps(&self, request_id: &str) -> Vec<SignInStep<'_>> {
        let text = |id: u32| -> Option<Cow<'_, str>> {
            (id != 0)
                .then(|| self.texts.get(id as usize).map(|t| Cow::Borrowed(&**t)))
                .flatten()
        };
        self.by_request
            .get(request_id)
            .map(|steps| {
                steps
                    .iter()
                    .map(|s| SignInStep {
                        method: text(s.method),
                        succeeded: s.succeeded,
                        result_detail: text(s.result_detail),
                        requirement: text(s.requirement),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Number of sign-ins with steps.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.by_request.len()
    }
}

/// Reads an admin center sign-in CSV or a Log Analytics export.
pub fn read(
    decoded: Decoded,
    ctx: &Context,
    steps: &StepIndex,
    on: &mut dyn FnMut(SignIn<'_>) -> Result<()>,
) -> Result<ReadStats> {
    let path = ctx.path().to_path_buf();
    let mut run = Run::default();
    for e in &steps.skipped {
        run.stats.skip(e);
    }
    run.stats.warnings.extend(steps.warnings.iter().cloned());
    run.stats.companions.clone_from(&steps.rows);
    let head = decoded.head.clone();
    let mut input = csv_util::open(decoded)?;
    let cols = ColumnIndex::new(&input.headers);
    let mut dates = FileDates::new(ctx.opts.day_first);
    csv_util::learn_date_order(
        &mut dates,
        ctx.file,
        ctx.opts,
        &head,
        cols.get(Col::Date).or_else(|| cols.get(Col::TimeGenerated)),
    )?;
    if [
        Col::Date,
        Col::TimeGenerated,
        Col::RequestId,
        Col::Username,
        Col::UserId,
    ]
    .iter()
    .all(|c| cols.get(*c).is_none())
    {
        return Err(Error::input(
            &path,
            Position::Line(input.lines_before),
            format!(
                "no sign-in columns (Date (UTC), Request ID, Username, User ID) in the header of this {}: check that this is the right file",
                ctx.file.kind.describe()
            ),
        ));
    }
    let log_analytics = ctx.file.kind == Kind::LogAnalyticsCsv;
    // The admin center names its downloads after the log they are from.
    let file_interactive = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(crate::vocab::workloads::file_name_is_interactive);
    let mut record = csv::StringRecord::new();
    let mut framing: Result<()> = Ok(());
    loop {
        match input.reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                if record.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                let line = record.position().map_or(0, |p| input.line_of(p));
                let parsed = if record.len() != input.headers.len() {
                    // A row cut short or with a stray delimiter: its fields are not where the
                    // header says, so none of them can be trusted.
                    Err(Error::input(
                        &path,
                        Position::Line(line),
                        format!(
                            "expected {} fields as in the header, found {}",
                            input.headers.len(),
                            record.len()
                        ),
                    ))
                } else {
                    csv_util::check_size(&path, &record).and_then(|()| {
                        signin_from_row(
                            &record,
                            &cols,
                            steps,
                            &mut dates,
                            line,
                            log_analytics,
                            file_interactive,
                        )
                        .map_err(|m| Error::input(&path, Position::Line(line), m))
                    })
                };
                run.deliver(parsed, on)?;
            }
            Err(e) => {
                let err = input.error(&path, &e);
                if e.is_io_error() {
                    framing = Err(err);
                    break;
                }
                run.deliver(Err(err), on)?;
            }
        }
    }
    if let Some(w) = dates.warning() {
        run.stats.warn(w);
    }
    run.finish(&path, framing)
}

/// One CSV row as a sign-in.
fn signin_from_row<'a>(
    record: &'a csv::StringRecord,
    cols: &ColumnIndex,
    steps: &'a StepIndex,
    dates: &mut FileDates,
    line: u64,
    log_analytics: bool,
    file_interactive: Option<bool>,
) -> std::result::Result<Parsed<'a>, String> {
    let get = |c| field(record, cols.get(c));
    let owned = |c| get(c).map(Cow::Borrowed);
    let time = match get(Col::Date)
        .map(|t| ("Date", t))
        .or_else(|| get(Col::TimeGenerated).map(|t| ("TimeGenerated", t)))
    {
        None => None,
        Some((name, t)) => Some(
            dates
                .parse(t, || format!("at line {line}"))
                .ok_or_else(|| dates.why_not(name, t))?,
        ),
    };
    let status_cell = get(Col::Status);
    let status_json = match status_cell {
        Some(s) if s.starts_with('{') => Some(
            status_from_json(s).map_err(|e| format!("the Status cell is not valid JSON: {e}"))?,
        ),
        _ => None,
    };
    let (json_code, json_reason, json_details) = match status_json {
        Some(s) => (
            s.error_code,
            text(s.failure_reason),
            text(s.additional_details),
        ),
        None => (None, None, None),
    };
    let error_code = match get(Col::ErrorCode) {
        Some(c) => Some(super::raw::parse_code(c).ok_or_else(|| {
            format!(
                "the sign-in error code '{}' is not a number",
                super::shorten(c)
            )
        })?),
        None => json_code.or_else(|| {
            status_cell
                .filter(|s| !s.starts_with('{'))
                .filter(|s| SUCCESS_WORDS.iter().any(|w| s.to_lowercase() == *w))
                .map(|_| 0)
        }),
    };
    let mfa_method = match owned(Col::MfaMethod) {
        Some(m) => Some(m),
        None => match get(Col::MfaDetail) {
            Some(cell) if cell.starts_with('{') => text(
                mfa_from_json(cell)
                    .map_err(|e| format!("the MfaDetail cell is not valid JSON: {e}"))?
                    .auth_method,
            ),
            _ => None,
        },
    };
    let authentication_requirement = owned(Col::AuthenticationRequirement).or_else(|| {
        get(Col::MfaRequired).and_then(parse_bool).map(|required| {
            Cow::Borrowed(if required {
                "multiFactorAuthentication"
            } else {
                "singleFactorAuthentication"
            })
        })
    });
    let request_id = owned(Col::RequestId).or_else(|| owned(Col::OriginalRequestId));
    let step_list = match get(Col::AuthenticationDetails) {
        Some(cell) => steps_of(Some(steps_from_json(cell).map_err(|e| {
            format!("the AuthenticationDetails cell is not valid JSON: {e}")
        })?)),
        None if !log_analytics => request_id
            .as_deref()
            .map(|r| steps.steps(r))
            .unwrap_or_default(),
        None => vec![],
    };
    let signin = SignIn {
        time,
        request_id,
        user_id: owned(Col::UserId),
        upn: owned(Col::Username),
        error_code,
        failure_reason: owned(Col::FailureReason)
            .or(json_reason)
            .or_else(|| owned(Col::ResultDescription)),
        additional_details: owned(Col::MfaResult).or(json_details),
        authentication_requirement,
        mfa_method,
        steps: step_list,
        call_result: None,
        workload: false,
        interactive: get(Col::IsInteractive)
            .and_then(parse_bool)
            .or_else(|| {
                get(Col::Category).and_then(crate::vocab::workloads::category_is_interactive)
            })
            .or(file_interactive),
        client_app: owned(Col::ClientApp),
        app: owned(Col::Application),
        app_id: owned(Col::ApplicationId),
        ca_status: owned(Col::ConditionalAccess),
        policies: match get(Col::AppliedPolicies) {
            Some(cell) => Some(super::policies_of(
                super::policies_from_json(cell).map_err(|e| {
                    format!("the ConditionalAccessPolicies cell is not valid JSON: {e}")
                })?,
            )),
            None => None,
        },
        required_by: match get(Col::RequirementPolicies) {
            Some(cell) => Some(
                super::requirements_from_json(cell)
                    .map_err(|e| {
                        format!("the AuthenticationRequirementPolicies cell is not valid JSON: {e}")
                    })?
                    .0
                    .into_iter()
                    .filter_map(|p| text(Some(p)))
                    .collect(),
            ),
            None => None,
        },
    };
    let mut signin = signin;
    // A row of a workload identities' table, or a service principal's row without a user.
    signin.workload = get(Col::Category).is_some_and(crate::vocab::workloads::is_workload_category)
        || (get(Col::ServicePrincipalId)
            .is_some_and(crate::vocab::workloads::names_a_service_principal)
            && signin.upn.is_none()
            && signin.user_id.is_none());
    if signin.time.is_none()
        && signin.upn.is_none()
        && signin.user_id.is_none()
        && signin.request_id.is_none()
    {
        return Err("not a sign-in row: no date, username, user ID or request ID".into());
    }
    Ok(Parsed::SignIn(signin))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{ReadOptions, decode};
    use std::path::PathBuf;

    fn input(path: PathBuf, kind: Kind) -> InputFile {
        InputFile::in_memory(path, kind, "UTF-8")
    }

    fn read_text(
        text: &str,
        kind: Kind,
        companions: &[&InputFile],
    ) -> Result<(Vec<SignIn<'static>>, ReadStats)> {
        let file = input(PathBuf::from("s.csv"), kind);
        let opts = ReadOptions::default();
        let ctx = Context {
            file: &file,
            opts: &opts,
        };
        let decoded = decode::from_bytes(&file.path, text.as_bytes().to_vec(), None)?;
        let mut out = Vec::new();
        let stats = super::super::read_csv(decoded, &ctx, companions, &mut |s| {
            out.push(s.into_owned());
            Ok(())
        })?;
        Ok((out, stats))
    }

    #[test]
    fn log_analytics_json_cells() {
        let text = "TimeGenerated [UTC],Id,UserPrincipalName,UserDisplayName,ResultType,Status,MfaDetail,AuthenticationRequirement,IsInteractive\n\
            \"9/19/2023, 1:45:17.287 PM\",r1,ada@c.example,Ada,500121,\"{\"\"errorCode\"\":500121,\"\"failureReason\"\":\"\"Authentication failed\"\",\"\"additionalDetails\"\":\"\"MFA denied; user declined the authentication\"\"}\",\"{\"\"authMethod\"\":\"\"Mobile app notification\"\",\"\"authDetail\"\":\"\"Pixel\"\"}\",multiFactorAuthentication,FALSE\n";
        let (s, stats) = read_text(text, Kind::LogAnalyticsCsv, &[]).unwrap();
        assert_eq!(stats.skipped, 0);
        let s = &s[0];
        assert_eq!(s.time, Some("2023-09-19T13:45:17.287Z".parse().unwrap()));
        assert_eq!(s.error_code, Some(500121));
        assert_eq!(s.failure_reason.as_deref(), Some("Authentication failed"));
        assert_eq!(
            s.additional_details.as_deref(),
            Some("MFA denied; user declined the authentication")
        );
        assert_eq!(s.mfa_method.as_deref(), Some("Mobile app notification"));
    }

    #[test]
    fn a_bad_row_is_skipped_with_its_line() {
        let text = "Date (UTC),Request ID,Username,Sign-in error code,Status\n\
            2025-01-01T00:00:00Z,r1,a@c.example,oops,Failure\n\
            2025-01-01T00:00:01Z,r2,b@c.example,,Success\n\
            not a date,r3,c@c.example,0,Success\n";
        // The same lines whatever the line ends (the csv crate counts CRLF records one short).
        for text in [text.to_string(), text.replace('\n', "\r\n")] {
            let (s, stats) = read_text(&text, Kind::SignInCsv, &[]).unwrap();
            assert_eq!(s.len(), 1);
            assert_eq!(s[0].request_id.as_deref(), Some("r2"));
            // No code, but the Status says success.
            assert_eq!(s[0].error_code, Some(0));
            assert_eq!(
                stats.warnings,
                [
                    "skipped a malformed record: s.csv:line 2: the sign-in error code 'oops' is not a number",
                    "skipped a malformed record: s.csv:line 4: Date 'not a date' is not a date",
                ]
            );
        }
    }

    #[test]
    fn a_file_without_sign_in_columns_is_refused() {
        let e = read_text("Foo,Bar\n1,2\n", Kind::SignInCsv, &[]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "s.csv:line 1: no sign-in columns (Date (UTC), Request ID, Username, User ID) in the header of this admin center sign-in CSV: check that this is the right file"
        );
        let e = read_text("Date (UTC),Request ID\n", Kind::SignInCsv, &[]).unwrap_err();
        assert!(e.to_string().contains("holds no sign-in records"), "{e}");
    }

    #[test]
    fn auth_details_index_stores_each_text_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("AuthDetails.csv");
        let mut text = String::from(
            "Request ID,Date,Authentication method,Succeeded,Result detail,Requirement\n",
        );
        for i in 0..100 {
            text.push_str(&format!(
                "r{i},2025-01-01T00:00:00Z,Password,True,Correct password,Primary authentication\n\
                 r{i},2025-01-01T00:00:05Z,Text message,False,MFA denied; invalid verification code,Multifactor authentication\n"
            ));
        }
        std::fs::write(&path, text).unwrap();
        let companion = input(path, Kind::AuthDetailsCsv);
        let main = input(PathBuf::from("s.csv"), Kind::SignInCsv);
        let opts = ReadOptions::default();
        let ctx = Context {
            file: &main,
            opts: &opts,
        };
        let index = StepIndex::read(&[&companion], &ctx).unwrap();
        assert_eq!(index.len(), 100);
        // "", Password, Correct password, Primary..., Text message, MFA denied..., Multifactor...
        assert_eq!(index.texts.len(), 7);
        let steps = index.steps("r42");
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[1].method.as_deref(), Some("Text message"));
        assert_eq!(steps[1].succeeded, Some(false));
        assert!(index.steps("r100").is_empty());

        let (s, _) = read_text(
            "Date (UTC),Request ID,Username\n2025-01-01T00:00:05Z,r7,a@c.example\n",
            Kind::SignInCsv,
            &[&companion],
        )
        .unwrap();
        assert_eq!(s[0].steps, index.steps("r7"));
    }

    #[test]
    fn auth_details_without_request_id_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("AuthDetails.csv");
        std::fs::write(&path, "Authentication method,Succeeded\nPassword,True\n").unwrap();
        let companion = input(path.clone(), Kind::AuthDetailsCsv);
        let e = read_text(
            "Date (UTC),Request ID,Username\n2025-01-01T00:00:05Z,r7,a@c.example\n",
            Kind::SignInCsv,
            &[&companion],
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "{}:line 1: an AuthDetails file without a Request ID column: give the *_AuthDetails_*.csv downloaded with the sign-ins",
                path.display()
            )
        );
    }
}
