//! Script-flattened MSOnline reports (formats.md §2.6): Microsoft's `MFA_Report.csv` (also read back
//! from `mfaudit methods`), the AdminDroid/o365reports MFA status reports, and in-house variants
//! (an `MFAState` column, a default-method column, one `True`/`False` column per method).
//!
//! `MFA Status` becomes the MSOnline requirement list again (`Enabled Enforced` → two States,
//! `Disabled` → none), so that `mfaudit methods` on an MFA_Report.csv writes the same bytes back.
//! `System.Object[]` in `MFA Methods` means "two or more methods, names lost": registered, methods
//! unknown. Extractor-Suite's `AuthenticationMethods.csv` also lands here (its `MFAstatus` column
//! says "has an MFA method", not the per-user state) and is read as registration data.

use super::csv_util::{self, CsvInput};
use super::decode::Decoded;
use super::msonline::is_type_name;
use super::{Context, ReadStats};
use crate::error::{Error, Position, Result};
use crate::model::{Access, MethodList, PerUserState, Requirements, User, UserType};
use crate::vocab::methods;

/// Every column of the flattened MSOnline family, by normalised header name.
const COLUMNS: &[(Col, &[&str])] = &[
    (Col::Upn, &["userprincipalname", "upn", "user", "username"]),
    (Col::ObjectId, &["objectid", "id", "userid"]),
    (
        Col::DisplayName,
        &["displayname", "name", "userdisplayname"],
    ),
    (
        Col::Status,
        &[
            "mfastatus",
            "mfastate",
            "perusermfastate",
            // A flattening script's own StrongAuthenticationRequirements column holding the
            // States (detection refuses the raw Export-Csv, whose cells are type names).
            "strongauthenticationrequirements",
        ],
    ),
    (
        Col::Methods,
        &[
            "mfamethods",
            "allmfamethods",
            "strongauthenticationmethodtypes",
            "registeredmethods",
            "methods",
            "strongauthenticationmethods",
        ],
    ),
    (
        Col::Default,
        &[
            "defaultmfamethod",
            "mfatype",
            "defaultstrongauthenticationmethodtype",
            "strongauthenticationmethodtype",
            "defaultmethod",
        ],
    ),
    (Col::Activation, &["activationstatus"]),
    (Col::SignInStatus, &["signinstatus"]),
    (Col::BlockCredential, &["blockcredential"]),
    (Col::AccountEnabled, &["accountenabled"]),
    (Col::IsAdmin, &["isadmin"]),
    (Col::License, &["licensestatus", "islicensed"]),
    (Col::UserType, &["usertype"]),
];

/// Headers that only Extractor-Suite's `AuthenticationMethods.csv` has (Graph method columns).
const EXTRACTOR_SUITE_MARKERS: &[&str] = &[
    "softwareoath",
    "hellobusiness",
    "certificatebasedauthconfiguration",
    "qrcodepin",
];

/// Per-method `True`/`False` columns that are not MFA registrations: every user has a password.
const NOT_A_REGISTRATION: &[&str] = &["password"];

/// Detection's question to this reader's table: does one of these (normalised) headers name a
/// flattened MFA column (MFA status, methods, default method, activation)?
pub(crate) fn names_mfa_columns(headers: &[String]) -> bool {
    let wanted = [Col::Status, Col::Methods, Col::Default, Col::Activation];
    COLUMNS
        .iter()
        .filter(|(c, _)| wanted.contains(c))
        .any(|(_, names)| headers.iter().any(|h| names.contains(&h.as_str())))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Upn,
    ObjectId,
    DisplayName,
    Status,
    Methods,
    Default,
    Activation,
    SignInStatus,
    BlockCredential,
    AccountEnabled,
    IsAdmin,
    License,
    UserType,
}

/// What the status column means in this file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusMeaning {
    /// The per-user MFA state (`Enabled`/`Enforced`/`Disabled`): MFA_Report, AdminDroid, in-house.
    PerUserState,
    /// "Has an MFA method" (`Enabled`/`Disabled`): Extractor-Suite's AuthenticationMethods.csv.
    Registered,
}

/// The columns found in one file.
struct Layout {
    cols: Vec<(Col, usize)>,
    /// `(column, method name)` for each per-method `True`/`False` column.
    method_flags: Vec<(usize, String)>,
    status: StatusMeaning,
}

impl Layout {
    fn find(csv: &CsvInput) -> Layout {
        let cols: Vec<(Col, usize)> = COLUMNS
            .iter()
            .filter_map(|(c, names)| csv.column(names).map(|i| (*c, i)))
            .collect();
        let taken = |i: usize| cols.iter().any(|(_, j)| *j == i);
        let method_flags = csv
            .normalized
            .iter()
            .enumerate()
            .filter(|(i, h)| {
                !taken(*i)
                    && !NOT_A_REGISTRATION.contains(&h.as_str())
                    && methods::lookup(h).is_some()
            })
            .map(|(i, _)| (i, csv.headers[i].trim().to_string()))
            .collect();
        let status = if csv
            .normalized
            .iter()
            .any(|h| EXTRACTOR_SUITE_MARKERS.contains(&h.as_str()))
        {
            StatusMeaning::Registered
        } else {
            StatusMeaning::PerUserState
        };
        Layout {
            cols,
            method_flags,
            status,
        }
    }

    fn get(&self, c: Col) -> Option<usize> {
        self.cols.iter().find(|(d, _)| *d == c).map(|(_, i)| *i)
    }

    fn has_mfa_column(&self) -> bool {
        !self.method_flags.is_empty()
            || [Col::Status, Col::Methods, Col::Default, Col::Activation]
                .iter()
                .any(|c| self.get(*c).is_some())
    }
}

/// Counts for the one-line warnings of a file.
#[derive(Debug, Default)]
struct Tally {
    no_key: u64,
    first_no_key: u64,
    lost: u64,
    odd_status: u64,
    odd_status_example: Option<String>,
}

impl Tally {
    fn finish(self, stats: &mut ReadStats) {
        if self.no_key > 0 {
            stats.warn(format!(
                "{} row(s) without a UserPrincipalName or object id were skipped (the first at line {}): they cannot be joined to anything",
                self.no_key, self.first_no_key
            ));
        }
        if self.lost > 0 {
            stats.warn(format!(
                "{} user(s) have 'System.Object[]' as MFA Methods: the script wrote two or more methods as a type name, so they count as registered but their method names are lost; a Get-MsolUser export (ConvertTo-Json -Depth 4) or a registration details export would give the names",
                self.lost
            ));
        }
        if self.odd_status > 0 {
            stats.warn(format!(
                "{} user(s) have an MFA status that is not Enabled, Enforced or Disabled (e.g. '{}'); their per-user state is treated as unknown",
                self.odd_status,
                self.odd_status_example.unwrap_or_default()
            ));
        }
    }
}

/// Reads one flattened MSOnline MFA report.
pub fn read(
    decoded: Decoded,
    ctx: &Context,
    on_user: &mut dyn FnMut(User) -> Result<()>,
) -> Result<ReadStats> {
    let path = ctx.path().to_path_buf();
    let mut csv = csv_util::open(decoded)?;
    let layout = Layout::find(&csv);
    let has_key = layout.get(Col::Upn).is_some() || layout.get(Col::ObjectId).is_some();
    if !has_key || !layout.has_mfa_column() {
        return Err(Error::input(
            &path,
            Position::Line(csv.lines_before),
            format!(
                "not a flattened MFA report mfaudit knows: expected UserPrincipalName (or ObjectId) with MFA Status and MFA Methods (MFA_Report.csv), or MFAStatus, ActivationStatus, DefaultMFAMethod, AllMFAMethods (AdminDroid), or MFAState with per-method True/False columns; found {}",
                csv.headers.join(", ")
            ),
        ));
    }
    let mut stats = ReadStats::default();
    let mut tally = Tally::default();
    let mut record = csv::StringRecord::new();
    let mut index = 0u64;
    let read: Vec<usize> = layout
        .cols
        .iter()
        .map(|(_, i)| *i)
        .chain(layout.method_flags.iter().map(|(i, _)| *i))
        .collect();
    while let Some(line) = csv.next_whole_record(&path, &mut record, &read)? {
        if let Some(user) = row_user(&record, &layout, ctx.provenance(index), &mut tally) {
            stats.records += 1;
            on_user(user)?;
        } else {
            if tally.no_key == 0 {
                tally.first_no_key = line;
            }
            tally.no_key += 1;
        }
        index += 1;
    }
    tally.finish(&mut stats);
    Ok(stats)
}

/// One row as a user; `None` when it has neither UPN nor object id.
fn row_user(
    record: &csv::StringRecord,
    layout: &Layout,
    provenance: crate::model::Provenance,
    tally: &mut Tally,
) -> Option<User> {
    let cell = |c: Col| csv_util::field(record, layout.get(c));
    let upn = cell(Col::Upn).map(str::to_string);
    let object_id = cell(Col::ObjectId).map(str::to_string);
    if upn.is_none() && object_id.is_none() {
        return None;
    }
    let mut user = User {
        upn,
        object_id,
        display_name: cell(Col::DisplayName).map(str::to_string),
        user_type: cell(Col::UserType).map_or(UserType::Unknown, UserType::parse),
        is_admin: cell(Col::IsAdmin).and_then(csv_util::parse_bool),
        is_licensed: cell(Col::License).and_then(license),
        default_method: cell(Col::Default)
            .filter(|m| *m != "-" && methods::is_some_method(m))
            .map(|m| methods::intern(m.to_string())),
        sources: vec![provenance],
        ..User::default()
    };
    user.access = if let Some(s) = cell(Col::SignInStatus) {
        access_from_bool(csv_util::parse_bool(s))
    } else if let Some(b) = cell(Col::BlockCredential) {
        access_from_bool(csv_util::parse_bool(b).map(|blocked| !blocked))
    } else {
        access_from_bool(cell(Col::AccountEnabled).and_then(csv_util::parse_bool))
    };

    match layout.status {
        StatusMeaning::PerUserState => {
            if let Some(text) = cell(Col::Status) {
                match requirement_states(text) {
                    Some(states) => {
                        user.per_user_state = states
                            .iter()
                            .flatten()
                            .map(|s| PerUserState::parse(s))
                            .find(|s| *s != PerUserState::Unknown)
                            .unwrap_or(PerUserState::Disabled);
                        user.requirements = Some(Requirements { states });
                    }
                    None if text.eq_ignore_ascii_case("unknown") => {}
                    None => {
                        tally.odd_status += 1;
                        tally
                            .odd_status_example
                            .get_or_insert_with(|| text.to_string());
                    }
                }
            }
        }
        StatusMeaning::Registered => {
            user.mfa_registered = cell(Col::Status).and_then(csv_util::parse_bool);
        }
    }

    if layout.get(Col::Methods).is_some() {
        match method_cell(cell(Col::Methods).unwrap_or("")) {
            MethodCell::Names(names) => user.methods = Some(MethodList::from_names(names)),
            MethodCell::Lost => {
                tally.lost += 1;
                user.methods_lost = true;
                user.mfa_registered = Some(true);
            }
            MethodCell::Unknown => {}
        }
    } else if !layout.method_flags.is_empty() {
        let names = layout
            .method_flags
            .iter()
            .filter(|(i, _)| {
                csv_util::field(record, Some(*i)).and_then(csv_util::parse_bool) == Some(true)
            })
            .map(|(_, name)| name.clone());
        user.methods = Some(MethodList::from_names(names));
    } else if let Some(active) = cell(Col::Activation).and_then(csv_util::parse_bool) {
        // AdminDroid's ActivationStatus: "has methods", without the list.
        user.mfa_registered = Some(active);
    }
    Some(user)
}

fn access_from_bool(allowed: Option<bool>) -> Access {
    match allowed {
        Some(true) => Access::Allowed,
        Some(false) => Access::Blocked,
        None => Access::Unknown,
    }
}

/// `Licensed`/`Unlicensed`, or `True`/`False`.
fn license(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "licensed" => Some(true),
        "unlicensed" => Some(false),
        _ => csv_util::parse_bool(text),
    }
}

/// `MFA Status` back into requirement States: `Disabled` is no requirement; one or more of
/// `Enabled`/`Enforced` separated by single spaces are the States as written. `None` for anything
/// else.
fn requirement_states(text: &str) -> Option<Vec<Option<String>>> {
    if text.eq_ignore_ascii_case("disabled") {
        return Some(vec![]);
    }
    let states: Vec<Option<String>> = text.split(' ').map(|s| Some(s.to_string())).collect();
    let all_known = states.iter().flatten().all(|s| {
        matches!(
            PerUserState::parse(s),
            PerUserState::Enabled | PerUserState::Enforced
        )
    });
    all_known.then_some(states)
}

/// What an `MFA Methods` / `AllMFAMethods` cell says.
#[derive(Debug, PartialEq, Eq)]
enum MethodCell {
    Names(Vec<String>),
    /// `System.Object[]`: two or more methods, names lost.
    Lost,
    /// `Unknown` (what `mfaudit methods` writes for users no registration source covered).
    Unknown,
}

/// Names separated by spaces (PowerShell's array stringification) or commas (AdminDroid); empty or
/// `-` is none.
fn method_cell(text: &str) -> MethodCell {
    let t = text.trim();
    if is_type_name(t) {
        return MethodCell::Lost;
    }
    if t.eq_ignore_ascii_case("unknown") {
        return MethodCell::Unknown;
    }
    if t == "-" {
        return MethodCell::Names(vec![]);
    }
    MethodCell::Names(
        t.split([' ', ','])
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Kind;

    fn read_text(text: &str) -> Result<(Vec<User>, ReadStats)> {
        let (users, stats) = crate::input::users_from_text("r.csv", text, None, Kind::FlatMsolCsv)?;
        Ok((users, stats))
    }

    fn names(u: &User) -> Option<Vec<&str>> {
        u.methods.as_ref().map(|m| m.names().collect())
    }

    fn states(u: &User) -> Option<Vec<&str>> {
        u.requirements
            .as_ref()
            .map(|r| r.states.iter().flatten().map(String::as_str).collect())
    }

    /// A flattening script's StrongAuthenticationMethods column of method names is a flattened
    /// report, not the raw Export-Csv (whose cells are type names).
    #[test]
    fn strong_authentication_columns_with_names_are_read() {
        let text = "UserPrincipalName,BlockCredential,StrongAuthenticationMethods,StrongAuthenticationRequirements\r\n\
                    a@x,False,\"PhoneAppOTP,OneWaySMS\",Enforced\r\n\
                    b@x,False,,\r\n";
        assert_eq!(
            crate::input::detect::detect(text).map(|d| d.kind),
            Some(Kind::FlatMsolCsv)
        );
        let (users, _) = read_text(text).unwrap();
        assert_eq!(names(&users[0]), Some(vec!["PhoneAppOTP", "OneWaySMS"]));
        assert_eq!(users[0].per_user_state, PerUserState::Enforced);
        assert_eq!(users[0].access, Access::Allowed);
        let raw = "UserPrincipalName,StrongAuthenticationMethods\r\n\
                   a@x,System.Collections.Generic.List`1[Microsoft.Online.Administration.StrongAuthenticationMethod]\r\n";
        assert_eq!(
            crate::input::detect::detect(raw).map(|d| d.kind),
            Some(Kind::MsolRawCsv)
        );
    }

    #[test]
    fn mfa_report() {
        let (users, stats) = read_text(
            "\"UserPrincipalName\",\"MFA Status\",\"MFA Methods\"\r\n\
             \"alice@contoso.com\",\"Disabled\",\r\n\
             \"bob@contoso.com\",\"Enabled Enforced\",\"PhoneAppOTP PhoneAppNotification\"\r\n\
             \"carol@contoso.com\",\"Enabled\",\"OneWaySMS\"\r\n\
             \"dan@contoso.com\",\"Enforced\",\"System.Object[]\"\r\n\
             \"erin@contoso.com\",\"Unknown\",\"Unknown\"\r\n",
        )
        .unwrap();
        assert_eq!(stats.records, 5);
        assert_eq!(states(&users[0]), Some(vec![]));
        assert_eq!(users[0].per_user_state, PerUserState::Disabled);
        assert_eq!(names(&users[0]), Some(vec![]));
        assert_eq!(states(&users[1]), Some(vec!["Enabled", "Enforced"]));
        assert_eq!(users[1].per_user_state, PerUserState::Enabled);
        assert_eq!(
            names(&users[1]),
            Some(vec!["PhoneAppOTP", "PhoneAppNotification"])
        );
        assert_eq!(users[2].per_user_state, PerUserState::Enabled);
        assert_eq!(users[3].mfa_registered, Some(true));
        assert!(users[3].methods_lost && users[3].methods.is_none());
        assert_eq!(users[4].requirements, None);
        assert_eq!(users[4].per_user_state, PerUserState::Unknown);
        assert!(users[4].methods.is_none());
        assert!(users.iter().all(|u| u.access == Access::Unknown));
        assert_eq!(users[2].sources[0].file, 0);
        assert_eq!(users[2].sources[0].record, 2);
        assert_eq!(
            stats.warnings,
            [
                "1 user(s) have 'System.Object[]' as MFA Methods: the script wrote two or more methods as a type name, so they count as registered but their method names are lost; a Get-MsolUser export (ConvertTo-Json -Depth 4) or a registration details export would give the names"
            ]
        );
    }

    #[test]
    fn admindroid_enabled_report() {
        let (users, stats) = read_text(
            "DisplayName,UserPrincipalName,MFAStatus,ActivationStatus,DefaultMFAMethod,AllMFAMethods,MFAPhone,MFAEmail,LicenseStatus,IsAdmin,AdminRoles,SignInStatus\r\n\
             Ada,ada@x,Enforced,Yes,PhoneAppNotification,\"PhoneAppNotification,PhoneAppOTP\",-,-,Licensed,True,Global Administrator,Allowed\r\n\
             Bo,bo@x,Enabled,No,-,-,-,-,Unlicensed,False,No roles,Denied\r\n",
        )
        .unwrap();
        assert!(stats.warnings.is_empty());
        let ada = &users[0];
        assert_eq!(ada.display_name.as_deref(), Some("Ada"));
        assert_eq!(ada.per_user_state, PerUserState::Enforced);
        assert_eq!(
            names(ada),
            Some(vec!["PhoneAppNotification", "PhoneAppOTP"])
        );
        assert_eq!(ada.default_method.as_deref(), Some("PhoneAppNotification"));
        assert_eq!(
            (ada.is_licensed, ada.is_admin, ada.access),
            (Some(true), Some(true), Access::Allowed)
        );
        let bo = &users[1];
        assert_eq!(names(bo), Some(vec![]));
        assert_eq!(bo.default_method, None);
        assert_eq!(
            (bo.is_licensed, bo.is_admin, bo.access),
            (Some(false), Some(false), Access::Blocked)
        );
    }

    #[test]
    fn admindroid_disabled_report_knows_no_methods() {
        let (users, _) = read_text(
            "DisplayName,UserPrincipalName,Department,MFAStatus,LicenseStatus,IsAdmin,AdminRoles,SignInStatus\r\n\
             Cy,cy@x,Sales,Disabled,Licensed,False,No roles,Allowed\r\n",
        )
        .unwrap();
        assert_eq!(users[0].per_user_state, PerUserState::Disabled);
        assert!(users[0].methods.is_none());
        assert_eq!(users[0].mfa_registered, None);
    }

    #[test]
    fn in_house_per_method_columns_and_semicolons() {
        let (users, stats) = read_text(
            "UserPrincipalName;MFAState;MFAType;OneWaySMS;PhoneAppOTP;PhoneAppNotification;Email\r\n\
             a@x;Enforced;PhoneAppNotification;False;True;True;a@home.example\r\n\
             b@x;Weird;;False;False;False;\r\n\
             ;Enabled;;True;False;False;\r\n",
        )
        .unwrap();
        assert_eq!(users.len(), 2);
        assert_eq!(
            names(&users[0]),
            Some(vec!["PhoneAppOTP", "PhoneAppNotification"])
        );
        assert_eq!(
            users[0].default_method.as_deref(),
            Some("PhoneAppNotification")
        );
        assert_eq!(names(&users[1]), Some(vec![]));
        assert_eq!(users[1].per_user_state, PerUserState::Unknown);
        assert_eq!(
            stats.warnings,
            [
                "1 row(s) without a UserPrincipalName or object id were skipped (the first at line 4): they cannot be joined to anything",
                "1 user(s) have an MFA status that is not Enabled, Enforced or Disabled (e.g. 'Weird'); their per-user state is treated as unknown"
            ]
        );
    }

    #[test]
    fn extractor_suite_authentication_methods() {
        let (users, _) = read_text(
            "\u{feff}\"user\",\"MFAstatus\",\"email\",\"fido2\",\"app\",\"password\",\"phone\",\"softwareoath\",\"hellobusiness\",\"temporaryAccessPass\",\"certificateBasedAuthConfiguration\",\"qrcodepin\"\r\n\
             \"a@x\",\"Enabled\",\"False\",\"True\",\"True\",\"True\",\"False\",\"False\",\"False\",\"False\",\"False\",\"False\"\r\n\
             \"b@x\",\"Disabled\",\"True\",\"False\",\"False\",\"True\",\"False\",\"False\",\"False\",\"False\",\"False\",\"False\"\r\n",
        )
        .unwrap();
        assert_eq!(users[0].mfa_registered, Some(true));
        assert_eq!(users[0].requirements, None);
        assert_eq!(users[0].per_user_state, PerUserState::Unknown);
        assert_eq!(names(&users[0]), Some(vec!["fido2", "app"]));
        assert_eq!(users[1].mfa_registered, Some(false));
        assert_eq!(names(&users[1]), Some(vec!["email"]));
    }

    #[test]
    fn unknown_header_lists_what_was_expected() {
        let err = read_text("DisplayName,MFAStatus\r\nA,Enabled\r\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "r.csv:line 1: not a flattened MFA report mfaudit knows: expected UserPrincipalName (or ObjectId) with MFA Status and MFA Methods (MFA_Report.csv), or MFAStatus, ActivationStatus, DefaultMFAMethod, AllMFAMethods (AdminDroid), or MFAState with per-method True/False columns; found DisplayName, MFAStatus"
        );
    }

    #[test]
    fn cells() {
        assert_eq!(requirement_states("Disabled"), Some(vec![]));
        assert_eq!(
            requirement_states("Enabled Enforced"),
            Some(vec![Some("Enabled".into()), Some("Enforced".into())])
        );
        assert_eq!(requirement_states("Enabled  Enforced"), None);
        assert_eq!(requirement_states("N/A"), None);
        assert_eq!(method_cell(""), MethodCell::Names(vec![]));
        assert_eq!(method_cell("-"), MethodCell::Names(vec![]));
        assert_eq!(method_cell("System.Object[]"), MethodCell::Lost);
        assert_eq!(
            method_cell("OneWaySMS, PhoneAppOTP"),
            MethodCell::Names(vec!["OneWaySMS".into(), "PhoneAppOTP".into()])
        );
        assert_eq!(license("Unlicensed"), Some(false));
    }
}
