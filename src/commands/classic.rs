//! `registered`, `unregistered` and `methods`: the classic reports, written as PowerShell wrote
//! them. Users stream from a single export straight to the output.

use crate::cli::{FilterArgs, ListArgs, ListFormat as ListFormatArg, UserTypeArg};
use crate::error::Result;
use crate::input::ReadOptions;
use crate::model::{Access, User, UserType, settled_by};
use crate::output::{self, Destination};
use crate::report::classic::Filter;
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
    fn passes(&mut self, u: &User, f: &Filter) -> bool {
        match f.passes(u) {
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

/// The filters the flags ask for.
fn filter(f: &FilterArgs) -> Filter {
    Filter {
        per_user_state: f.per_user_state.iter().map(|s| s.state()).collect(),
        user_type: f.user_type.map(|t| match t {
            UserTypeArg::Guest => UserType::Guest,
            UserTypeArg::Member => UserType::Member,
        }),
        admins_only: f.admins_only,
        licensed_only: f.licensed_only,
        sign_in_allowed: f.sign_in_allowed,
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
    let filters = filter(&args.filters);
    let mut unknowns = Unknowns {
        filter_field: filters.field(),
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
            if !unknowns.passes(u, &filters) {
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
    let filters = filter(filters);
    let mut unknowns = Unknowns {
        filter_field: filters.field(),
        ..Unknowns::default()
    };
    let mut state_unknown: std::collections::BTreeMap<String, u64> = Default::default();
    let mut methods_unknown: std::collections::BTreeMap<String, u64> = Default::default();
    let mut stats = Vec::new();
    output::emit(&dest, |w| {
        let ioe = output::io_err(&dest);
        let mut report = MethodsWriter::new(exact);
        stats = load::for_each_user(&inputs, opts, msg, &mut |u| {
            if !unknowns.passes(u, &filters) {
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
