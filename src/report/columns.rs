//! The per-user columns, one definition for the audit CSV and the workbook's user sheets: each
//! cell typed (text, a count, true/false), so that the CSV prints them and the workbook stores
//! numbers as numbers. The column names are `vocab::own_outputs::CSV_HEADER`, in this order.

use std::borrow::Cow;

use super::audit::{AuditUser, ObservedUser};
use crate::vocab::own_outputs::CSV_HEADER;

/// What joins the items of a list cell (methods, flags).
const LIST_SEPARATOR: &str = "; ";

/// The number of columns.
pub(crate) const COUNT: usize = CSV_HEADER.len();

/// One cell of a user's row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell<'a> {
    /// Text, from an input or a vocabulary (empty: nothing to say).
    Text(Cow<'a, str>),
    Count(u64),
    Bool(bool),
    /// Unknown: no input settles it.
    Unknown,
}

impl Cell<'_> {
    fn text(s: Option<&str>) -> Cell<'_> {
        s.map_or(Cell::Unknown, |s| Cell::Text(Cow::Borrowed(s)))
    }

    fn known(value: Option<bool>) -> Cell<'static> {
        value.map_or(Cell::Unknown, Cell::Bool)
    }
}

/// The cells of one user, in the order of `CSV_HEADER`.
pub(crate) fn cells(user: &AuditUser) -> [Cell<'_>; COUNT] {
    let e = &user.enforcement;
    // Unknown when no sign-in log was read, zero when the logs showed nothing.
    let nothing = ObservedUser::default();
    let observed = match &e.observed {
        Some(o) => Some(&**o),
        None if e.logs => Some(&nothing),
        None => None,
    };
    let seen = |f: fn(&ObservedUser) -> u64| observed.map_or(Cell::Unknown, |o| Cell::Count(f(o)));
    let configured = e.configured.as_deref();
    [
        Cell::Text(Cow::Borrowed(&user.upn)),
        Cell::text(user.display_name.as_deref()),
        Cell::text(user.user_type.as_deref()),
        Cell::known(user.is_admin),
        Cell::known(user.enabled),
        Cell::known(user.registered),
        Cell::Text(Cow::Borrowed(&user.per_user_state)),
        Cell::Text(Cow::Owned(user.methods.join(LIST_SEPARATOR))),
        Cell::text(user.strongest.as_deref()),
        Cell::Count(user.challenges),
        Cell::Count(user.completed),
        Cell::Count(user.denied),
        Cell::text(user.last_result.as_deref()),
        Cell::text(user.last_signin.as_deref()),
        Cell::Text(Cow::Owned(user.flags.join(LIST_SEPARATOR))),
        seen(|o| o.signins_without_mfa),
        seen(|o| o.legacy_auth_signins),
        observed.map_or(Cell::Unknown, |o| {
            Cell::Text(Cow::Owned(o.apps_without_mfa.join(LIST_SEPARATOR)))
        }),
        // Unknown when no input settles it.
        Cell::text(configured.and_then(|c| c.mfa_required.as_deref())),
        // The first excluding policy, by name (else id); none when nothing excludes the user.
        Cell::text(
            configured
                .and_then(|c| c.excluded_by.as_ref()?.first())
                .and_then(|x| x.policy.as_deref().or(x.policy_id.as_deref())),
        ),
    ]
}
