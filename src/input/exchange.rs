//! Exchange recipient exports (`Get-EXOMailbox -ResultSize Unlimited | Export-Csv`, `Get-Recipient
//! | Export-Csv`), recognised by their `RecipientTypeDetails` column: which accounts are shared,
//! room and equipment mailboxes, so that the audit can class them (and check that their sign-in
//! is blocked).

use std::path::Path;

use super::csv_util;
use super::decode::Decoded;
use super::{Context, ReadStats};
use crate::error::{Error, Position, Result};
use crate::model::config::{Mailbox, TenantConfig};
use crate::model::exceptions::Class;
use crate::vocab::names;

/// `RecipientTypeDetails` values that make an account a mailbox no person signs in to.
pub const MAILBOX_TYPES: &[(&str, Class)] = &[
    ("SharedMailbox", Class::SharedMailbox),
    ("RoomMailbox", Class::ResourceMailbox),
    ("EquipmentMailbox", Class::ResourceMailbox),
    ("SchedulingMailbox", Class::ResourceMailbox),
];

/// The columns read, by their key (`vocab::names::key`).
const UPN: &str = "userprincipalname";
const SMTP: &str = "primarysmtpaddress";
const OBJECT_ID: &str = "externaldirectoryobjectid";
const TYPE: &str = "recipienttypedetails";

pub fn read(decoded: Decoded, ctx: &Context, into: &mut TenantConfig) -> Result<ReadStats> {
    let path: &Path = ctx.path();
    let mut csv = csv_util::open(decoded)?;
    let column = |key: &str| csv.headers.iter().position(|h| names::key(h) == key);
    let Some(kind) = column(TYPE) else {
        return Err(Error::input(
            path,
            Position::Line(csv.lines_before),
            "an Exchange recipient export needs its RecipientTypeDetails column",
        ));
    };
    let (upn, smtp, id) = (column(UPN), column(SMTP), column(OBJECT_ID));
    if upn.is_none() && smtp.is_none() && id.is_none() {
        return Err(Error::input(
            path,
            Position::Line(csv.lines_before),
            "an Exchange recipient export needs UserPrincipalName, PrimarySmtpAddress or ExternalDirectoryObjectId to name each account",
        ));
    }
    let read: Vec<usize> = [Some(kind), upn, smtp, id].into_iter().flatten().collect();
    let mut stats = ReadStats::default();
    let mut record = csv::StringRecord::new();
    while let Some(_line) = csv.next_whole_record(path, &mut record, &read)? {
        stats.records += 1;
        let cell = |i: Option<usize>| csv_util::field(&record, i);
        let Some(details) = cell(Some(kind)) else {
            continue;
        };
        let Some((_, class)) = MAILBOX_TYPES
            .iter()
            .find(|(t, _)| t.eq_ignore_ascii_case(details.trim()))
        else {
            continue;
        };
        into.mailboxes.push(Mailbox {
            upn: cell(upn).map(str::to_string),
            smtp: cell(smtp).map(str::to_string),
            object_id: cell(id).map(str::to_string),
            class: *class,
            kind: details.trim().to_string(),
            file: ctx.file.index,
        });
    }
    Ok(stats)
}
