//! `registered`, `unregistered` and `methods`: the classic reports, written as PowerShell wrote
//! them. Users stream from a single export straight to the output.

use crate::cli::{FilterArgs, ListArgs, ListFormat as ListFormatArg, UserTypeArg};
use crate::error::Result;
use crate::input::ReadOptions;
use crate::model::{Access, User, UserType, settled_by};
use crate::output::{self, Destination};
use crate::report::classic::{self, Verdict};
use crate::report::classic_out::{ListFormat, ListWriter, MethodsWriter};

use super::Messages;
use crate::input::load::{self, Inputs};

/// Which of the two lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Registered,
    Unregistered,
}

/// Counts of users whose facts were unknown, for the notes on stderr.
#[derive(Debug, Default)]
struct Unknowns {
    access_unknown: u64,
    /// Enabled users in neither list for want of registration data, by what would settle it.
    registration_unknown: std::collections::BTreeMap<String, u64>,
    filtered_unknown: u64,
    filter_field: &'static str,
}

impl Unknowns {
    /// Whether `u` passes the filters; a user whose fact a filter needs is unknown is left out
    /// and counted.
    fn passes(&mut self, u: &User, f: &FilterArgs) -> bool {
        match passes(u, f) {
            Some(p) => p,
            None => {
                self.filtered_unknown += 1;
                false
            }
        }
    }

    fn report(&self, msg: Messages) {
        if self.access_unknown > 0 {
            msg.note(format!(
                "{} user(s) have no sign-in state in the inputs and were counted as enabled; {} would settle it",
                self.access_unknown,
                settled_by::SIGN_IN_STATE
            ));
        }
        for (why, n) in &self.registration_unknown {
            msg.note(format!("{n} enabled user(s) are in neither list: {why}"));
        }
        if self.filtered_unknown > 0 {
            msg.note(format!(
                "{} user(s) were left out because no input gave their {}",
                self.filtered_unknown, self.filter_field
            ));
        }
    }
}

/// Applies the filters; `None` when the fact a filter needs is unknown.
fn passes(u: &User, f: &FilterArgs) -> Option<bool> {
    if !f.per_user_state.is_empty()
        && !f
            .per_user_state
            .iter()
            .any(|s| s.state() == u.per_user_state)
    {
        return Some(false);
    }
    if let Some(t) = f.user_type {
        let guest = match &u.user_type {
            UserType::Guest => true,
            UserType::Member => false,
            _ => match &u.upn {
                Some(upn) => upn.to_ascii_lowercase().contains("#ext#"),
                None => return None,
            },
        };
        if guest != (t == UserTypeArg::Guest) {
            return Some(false);
        }
    }
    if f.admins_only && !u.is_admin? {
        return Some(false);
    }
    if f.licensed_only && !u.is_licensed? {
        return Some(false);
    }
    if let Some(allowed) = f.sign_in_allowed {
        let is_allowed = match u.access {
            Access::Allowed => true,
            Access::Blocked => false,
            _ => return None,
        };
        if is_allowed != allowed {
            return Some(false);
        }
    }
    Some(true)
}

fn filter_field(f: &FilterArgs) -> &'static str {
    if f.admins_only {
        "admin role (the registration details export carries isAdmin)"
    } else if f.licensed_only {
        "license state (Get-MsolUser's IsLicensed)"
    } else if f.sign_in_allowed.is_some() {
        "sign-in state (a users export)"
    } else {
        "user type"
    }
}

/// The `-o` file, as an output that is never an input.
fn output_paths(out: Option<&std::path::Path>) -> Vec<crate::input::OutputPath<'_>> {
    out.map(|path| crate::input::OutputPath { option: "-o", path })
        .into_iter()
        .collect()
}

/// P1 / P2.
pub fn list(which: Which, args: &ListArgs, opts: &ReadOptions, msg: Messages) -> Result<()> {
    let outputs = output_paths(args.output.as_deref());
    let inputs = Inputs::identify(&args.inputs, opts, &outputs)?;
    let dest = Destination::from_option(args.output.as_deref());
    let mut unknowns = Unknowns {
        filter_field: filter_field(&args.filters),
        ..Unknowns::default()
    };
    let want = match which {
        Which::Registered => Verdict::Registered,
        Which::Unregistered => Verdict::Unregistered,
    };
    let format = match args.format {
        ListFormatArg::Table => ListFormat::Table,
        ListFormatArg::Csv => ListFormat::Csv,
        ListFormatArg::List => ListFormat::List,
        ListFormatArg::Json => ListFormat::Json,
    };
    let mut stats = Vec::new();
    output::emit(&dest, |w| {
        let ioe = output::io_err(&dest);
        let mut list = ListWriter::new(format, args.powershell_exact);
        stats = load::for_each_user(&inputs, opts, msg, &mut |u| {
            if !unknowns.passes(u, &args.filters) {
                return Ok(());
            }
            let v = classic::verdict(u);
            if v == Verdict::RegistrationUnknown
                && let Some(gap) = crate::model::methods_gap(u)
            {
                *unknowns.registration_unknown.entry(gap.why()).or_default() += 1;
            }
            if u.access == Access::Unknown {
                unknowns.access_unknown += 1;
            }
            if v != want {
                return Ok(());
            }
            list.push(w, u.upn.as_deref()).map_err(&ioe)
        })?;
        list.finish(w).map_err(&ioe)
    })?;
    load::print_warnings(&inputs, &stats, msg);
    unknowns.report(msg);
    Ok(())
}

/// P3: MFA_Report.csv.
pub fn methods(
    exact: bool,
    out: Option<&std::path::Path>,
    filters: &FilterArgs,
    inputs: &[std::path::PathBuf],
    opts: &ReadOptions,
    msg: Messages,
) -> Result<()> {
    let inputs = Inputs::identify(inputs, opts, &output_paths(out))?;
    let dest = Destination::from_option(out);
    let mut unknowns = Unknowns {
        filter_field: filter_field(filters),
        ..Unknowns::default()
    };
    let mut state_unknown: std::collections::BTreeMap<String, u64> = Default::default();
    let mut methods_unknown: std::collections::BTreeMap<String, u64> = Default::default();
    let mut stats = Vec::new();
    output::emit(&dest, |w| {
        let ioe = output::io_err(&dest);
        let mut report = MethodsWriter::new(exact);
        stats = load::for_each_user(&inputs, opts, msg, &mut |u| {
            if !unknowns.passes(u, filters) {
                return Ok(());
            }
            if classic::mfa_status(u) == "Unknown" {
                *state_unknown.entry(crate::model::state_why(u)).or_default() += 1;
            }
            if let Some(gap) = crate::model::methods_gap(u) {
                *methods_unknown.entry(gap.why()).or_default() += 1;
            }
            report.push(w, u).map_err(&ioe)
        })?;
        Ok(())
    })?;
    load::print_warnings(&inputs, &stats, msg);
    for (why, n) in &state_unknown {
        msg.note(format!("{n} user(s) have MFA Status 'Unknown': {why}"));
    }
    for (why, n) in &methods_unknown {
        msg.note(format!("{n} user(s) have MFA Methods 'Unknown': {why}"));
    }
    unknowns.report(msg);
    Ok(())
}
