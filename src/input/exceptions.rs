//! The exceptions files (`--exceptions FILE`, cli.md): CSV with the headers `user`, `class`,
//! `reason`, `owner`, `expires`, `ticket`, `covers`, or TOML `[[exception]]` tables with the same
//! keys. Every mistake is an error naming the file and line: an exception nobody can check is not
//! an exception.

use std::path::Path;

use crate::error::{Error, Position, Result};
use crate::model::exceptions::{CLASSES, Class, Exception, Who};

/// Reads one exceptions file (`.toml` as TOML, anything else as CSV, after decoding it like every
/// input: a BOM, UTF-16 from PowerShell).
pub fn read_exceptions(path: &Path) -> Result<Vec<Exception>> {
    let mut decoded = super::decode::open(path, None)?;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut decoded.reader, &mut text)
        .map_err(|e| Error::io(path, e))?;
    let toml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    if toml {
        from_toml(path, &text)
    } else {
        from_csv(path, &text)
    }
}

/// One exception's fields as the file wrote them.
#[derive(Default)]
struct Fields {
    user: Option<String>,
    class: Option<String>,
    reason: Option<String>,
    owner: Option<String>,
    expires: Option<String>,
    ticket: Option<String>,
    covers: Option<String>,
}

const KEYS: [&str; 7] = [
    "user", "class", "reason", "owner", "expires", "ticket", "covers",
];

fn from_csv(path: &Path, text: &str) -> Result<Vec<Exception>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::input(path, Position::Line(1), format!("not a CSV: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
        .collect();
    if let Some(unknown) = header.iter().find(|h| !KEYS.contains(&h.as_str())) {
        return Err(Error::input(
            path,
            Position::Line(1),
            format!(
                "unknown column '{}': an exceptions file has the columns {}",
                crate::text::escape_control(unknown),
                KEYS.join(", ")
            ),
        ));
    }
    let mut out = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        // Where the next record starts, counted from its byte offset: the reader stops before the
        // `\n` of a CRLF line end, so the line ends right after it are skipped first.
        let bytes = text.as_bytes();
        let mut at = (reader.position().byte() as usize).min(bytes.len());
        while at < bytes.len() && (bytes[at] == b'\r' || bytes[at] == b'\n') {
            at += 1;
        }
        let line = bytes[..at].iter().filter(|b| **b == b'\n').count() as u64 + 1;
        let more = reader.read_record(&mut record).map_err(|e| {
            let what = match e.kind() {
                csv::ErrorKind::UnequalLengths {
                    expected_len, len, ..
                } => format!(
                    "the row has {len} fields where the header has {expected_len}: quote a value that holds a comma"
                ),
                _ => format!("a row the CSV cannot read: {e}"),
            };
            Error::input(path, Position::Line(line), what)
        })?;
        if !more {
            break;
        }
        let cell = |key: &str| {
            header
                .iter()
                .position(|h| h == key)
                .and_then(|i| record.get(i))
                .map(str::to_string)
                .filter(|v| !v.is_empty())
        };
        let fields = Fields {
            user: cell("user"),
            class: cell("class"),
            reason: cell("reason"),
            owner: cell("owner"),
            expires: cell("expires"),
            ticket: cell("ticket"),
            covers: cell("covers"),
        };
        out.push(exception(path, line, fields)?);
    }
    Ok(out)
}

fn from_toml(path: &Path, text: &str) -> Result<Vec<Exception>> {
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() as u64 + 1;
    let doc: toml::Spanned<toml::Table> = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(s.start));
        Error::input(
            path,
            Position::Line(line),
            format!("not valid TOML: {}", e.message()),
        )
    })?;
    let doc = doc.into_inner();
    if let Some(other) = doc.keys().find(|k| *k != "exception") {
        return Err(Error::input(
            path,
            Position::File,
            format!(
                "unknown key '{}': an exceptions file holds [[exception]] tables",
                crate::text::escape_control(other)
            ),
        ));
    }
    // Where each table is, from the parser's own spans, for the messages.
    #[derive(serde::Deserialize)]
    struct Spans {
        #[serde(default)]
        exception: Vec<toml::Spanned<toml::Table>>,
    }
    let lines: Vec<u64> = toml::from_str::<Spans>(text)
        .map(|s| {
            s.exception
                .iter()
                .map(|t| line_of(t.span().start))
                .collect()
        })
        .unwrap_or_default();
    let tables = match doc.get("exception") {
        None => return Ok(Vec::new()),
        Some(toml::Value::Array(a)) => a.clone(),
        Some(_) => {
            return Err(Error::input(
                path,
                Position::File,
                "'exception' must be [[exception]] tables",
            ));
        }
    };
    let mut out = Vec::new();
    for (k, t) in tables.iter().enumerate() {
        let line = lines.get(k).copied().unwrap_or(0);
        let toml::Value::Table(t) = t else {
            return Err(Error::input(
                path,
                Position::Line(line),
                "an [[exception]] must be a table",
            ));
        };
        if let Some(unknown) = t.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(Error::input(
                path,
                Position::Line(line),
                format!(
                    "unknown key '{}': an exception has the keys {}",
                    crate::text::escape_control(unknown),
                    KEYS.join(", ")
                ),
            ));
        }
        let text_of = |key: &str| -> Result<Option<String>> {
            match t.get(key) {
                None => Ok(None),
                Some(toml::Value::String(s)) => {
                    Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty()))
                }
                Some(toml::Value::Datetime(d)) => Ok(Some(d.to_string())),
                Some(toml::Value::Array(a)) if key == "covers" => Ok(Some(
                    a.iter()
                        .filter_map(|v| v.as_str())
                        .collect::<Vec<_>>()
                        .join(";"),
                )),
                Some(_) => Err(Error::input(
                    path,
                    Position::Line(line),
                    format!("'{key}' must be text"),
                )),
            }
        };
        let fields = Fields {
            user: text_of("user")?,
            class: text_of("class")?,
            reason: text_of("reason")?,
            owner: text_of("owner")?,
            expires: text_of("expires")?,
            ticket: text_of("ticket")?,
            covers: text_of("covers")?,
        };
        out.push(exception(path, line, fields)?);
    }
    Ok(out)
}

/// One exception checked: a user, a known class, a reason; a waiver's owner and expiry; a date.
fn exception(path: &Path, line: u64, f: Fields) -> Result<Exception> {
    let err = |m: String| Error::input(path, Position::Line(line), m);
    let user = f
        .user
        .ok_or_else(|| err("no user: give a UPN, an object id or a UPN pattern with *".into()))?;
    let class_text = f
        .class
        .ok_or_else(|| err(format!("no class for {user}: one of {}", class_names())))?;
    let class = Class::parse(&class_text).ok_or_else(|| {
        err(format!(
            "unknown class '{}': one of {}",
            crate::text::escape_control(&class_text),
            class_names()
        ))
    })?;
    let reason = f.reason.ok_or_else(|| {
        err(format!(
            "no reason for {user}: say why the exception exists"
        ))
    })?;
    let expires = match &f.expires {
        None => None,
        Some(d) => Some(d.parse::<jiff::civil::Date>().map_err(|_| {
            err(format!(
                "expires '{}' is not a date: write YYYY-MM-DD",
                crate::text::escape_control(d)
            ))
        })?),
    };
    if class == Class::Waiver && (f.owner.is_none() || expires.is_none()) {
        return Err(err(format!(
            "the waiver for {user} needs an owner and an expiry date (owner, expires): a waiver nobody owns or that never ends is a silent filter"
        )));
    }
    Ok(Exception {
        who: Who::parse(&user),
        user,
        class,
        reason,
        owner: f.owner,
        ticket: f.ticket,
        expires,
        covers: f
            .covers
            .map(|c| {
                c.split([';', ','])
                    .map(|x| x.trim().to_string())
                    .filter(|x| !x.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        source: format!("{}:{line}", path.display()),
    })
}

fn class_names() -> String {
    CLASSES
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str, text: &str) -> Result<Vec<Exception>> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        read_exceptions(&p).map_err(|e| {
            // Messages without the temporary folder, for exact comparison.
            Error::input(
                name,
                Position::File,
                e.to_string()
                    .replace(&format!("{}/", dir.path().display()), ""),
            )
        })
    }

    fn message(r: Result<Vec<Exception>>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn csv_and_toml_give_the_same_exceptions() {
        let csv = "\u{feff}user,class,reason,owner,expires,ticket,covers\r\nbg@contoso.com,break-glass,Emergency access,,,,\r\nsvc-*@contoso.com,service-account,Backup jobs,,,CHG-1,\r\nbo@contoso.com,waiver,New phone,Ann,2026-12-31,INC-7,enabled-unregistered;admin-without-mfa\r\n";
        let toml = "[[exception]]\nuser = \"bg@contoso.com\"\nclass = \"break-glass\"\nreason = \"Emergency access\"\n\n[[exception]]\nuser = \"svc-*@contoso.com\"\nclass = \"service-account\"\nreason = \"Backup jobs\"\nticket = \"CHG-1\"\n\n[[exception]]\nuser = \"bo@contoso.com\"\nclass = \"waiver\"\nreason = \"New phone\"\nowner = \"Ann\"\nexpires = 2026-12-31\nticket = \"INC-7\"\ncovers = [\"enabled-unregistered\", \"admin-without-mfa\"]\n";
        let a = read("x.csv", csv).unwrap();
        let b = read("x.toml", toml).unwrap();
        assert_eq!(a.len(), 3);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(
                (
                    &x.who, x.class, &x.reason, &x.owner, &x.ticket, x.expires, &x.covers
                ),
                (
                    &y.who, y.class, &y.reason, &y.owner, &y.ticket, y.expires, &y.covers
                )
            );
        }
        assert_eq!(a[1].who, Who::Pattern("svc-*@contoso.com".into()));
        assert_eq!(a[2].expires, Some(jiff::civil::date(2026, 12, 31)));
        assert_eq!(a[2].covers, ["enabled-unregistered", "admin-without-mfa"]);
        assert!(a[2].source.ends_with("x.csv:4"), "{}", a[2].source);
        assert!(b[2].source.ends_with("x.toml:12"), "{}", b[2].source);
    }

    #[test]
    fn every_mistake_names_the_line() {
        let head = "user,class,reason,owner,expires\n";
        let cases = [
            (
                format!("{head}a@x,robot,Because,,\n"),
                "x.csv:line 2: unknown class 'robot': one of break-glass, service-account, shared-mailbox, resource-mailbox, sync-account, waiver",
            ),
            (
                format!("{head}a@x,waiver,Because,,2026-01-01\n"),
                "x.csv:line 2: the waiver for a@x needs an owner and an expiry date (owner, expires): a waiver nobody owns or that never ends is a silent filter",
            ),
            (
                format!("{head}a@x,waiver,Because,Ann,\n"),
                "x.csv:line 2: the waiver for a@x needs an owner and an expiry date (owner, expires): a waiver nobody owns or that never ends is a silent filter",
            ),
            (
                format!("{head}a@x,waiver,Because,Ann,31/12/2026\n"),
                "x.csv:line 2: expires '31/12/2026' is not a date: write YYYY-MM-DD",
            ),
            (
                format!("{head}b@x,break-glass,Ok,,\na@x,break-glass,,,\n"),
                "x.csv:line 3: no reason for a@x: say why the exception exists",
            ),
            (
                format!("{head},break-glass,Ok,,\n"),
                "x.csv:line 2: no user: give a UPN, an object id or a UPN pattern with *",
            ),
            (
                "user,klass\na,b\n".to_string(),
                "x.csv:line 1: unknown column 'klass': an exceptions file has the columns user, class, reason, owner, expires, ticket, covers",
            ),
        ];
        for (text, want) in cases {
            let got = message(read("x.csv", &text));
            assert!(got.ends_with(want), "{got}\n  want …{want}");
        }
        let got = message(read(
            "x.toml",
            "[[exception]]\nuser = \"a@x\"\nclass = \"break-glass\"\nreason = \"r\"\n\n[[exception]]\nuser = \"b@x\"\nclass = \"nope\"\nreason = \"r\"\n",
        ));
        assert!(got.ends_with("x.toml:line 6: unknown class 'nope': one of break-glass, service-account, shared-mailbox, resource-mailbox, sync-account, waiver"), "{got}");
    }
}
