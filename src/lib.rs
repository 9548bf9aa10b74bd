//! mfaudit: audit MFA registration and activity in Microsoft Entra ID from exported files.
//!
//! The flow is one way: `input` (find → decode → detect → read) fills the `model`; `audit` reads
//! the inputs on every core, folds the sign-ins and joins them to the directory into the report
//! that `report` defines and writes; `deliver` mails it and `history` remembers it. `cli` parses
//! the command line, `config` layers the settings, `commands` wires one command each, and the
//! errors of every layer (`error`) are rendered once, in [`main_with_args`].

#![forbid(unsafe_code)]

pub mod audit;
pub mod cli;
pub mod commands;
pub mod config;
pub(crate) mod console;
pub mod deliver;
pub mod error;
pub mod history;
pub mod input;
pub mod model;
pub(crate) mod net;
pub(crate) mod output;
pub(crate) mod par;
pub mod pull;
pub mod report;
pub(crate) mod text;
pub(crate) mod timing;
pub(crate) mod vocab;

use clap::Parser;

use cli::{Cli, Command};
use commands::Messages;
use error::Result;

/// What a successful run tells the process: 0, or 3 when a policy threshold was crossed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Done,
    PolicyCrossed,
}

/// Runs mfaudit with these arguments (argv[0] first). Returns the exit code.
pub fn main_with_args<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(reading_options_after_the_command(args)) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match run(cli) {
        Ok(Status::Done) => 0,
        Ok(Status::PolicyCrossed) => 3,
        Err(e) if e.is_broken_pipe() => 0,
        Err(e) => {
            // One line, whatever the input quoted in it held.
            eprintln!("mfaudit: error: {}", text::one_line(&e.to_string()));
            e.exit_code()
        }
    }
}

/// The options that say how inputs are read, each with a value.
const READING_OPTIONS: &[&str] = &[
    "--encoding",
    "--date-order",
    "--mfa-server-columns",
    "--mfa-server-blocked-columns",
    "--mfa-server-bypassed-columns",
];

/// The reading options belong to the commands that read inputs (so that `--help` shows them only
/// there); given before the command, as earlier versions took them (`mfaudit --encoding X
/// audit ...`), they are moved after it, so that those command lines still work.
fn reading_options_after_the_command<I, T>(args: I) -> Vec<std::ffi::OsString>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let mut args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    let mut moved = Vec::new();
    let mut i = 1;
    while i < args.len() {
        let Some(arg) = args[i].to_str().map(str::to_string) else {
            break;
        };
        if !arg.starts_with('-') {
            // The command: the moved options go right after it.
            let at = i + 1;
            args.splice(at..at, moved);
            return args;
        }
        let name = arg.split_once('=').map_or(arg.as_str(), |(n, _)| n);
        if READING_OPTIONS.contains(&name) {
            let takes = if arg.contains('=') { 1 } else { 2 };
            let end = (i + takes).min(args.len());
            moved.extend(args.drain(i..end));
        } else {
            i += 1;
        }
    }
    // No command: put them back where they were, for clap to say what is missing.
    args.splice(1..1, moved);
    args
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<Status> {
    let msg = Messages {
        quiet: cli.global.quiet,
    };
    match cli.command {
        Command::Registered(a) => {
            let opts = a.read.read_options()?;
            commands::classic::list(commands::classic::Which::Registered, &a, &opts, msg)?;
            Ok(Status::Done)
        }
        Command::Unregistered(a) => {
            let opts = a.read.read_options()?;
            commands::classic::list(commands::classic::Which::Unregistered, &a, &opts, msg)?;
            Ok(Status::Done)
        }
        Command::Methods(a) => {
            let opts = a.read.read_options()?;
            commands::classic::methods(
                a.powershell_exact,
                a.output.as_deref(),
                &a.filters,
                &a.inputs,
                &opts,
                msg,
            )?;
            Ok(Status::Done)
        }
        Command::Inspect(a) => {
            let opts = a.read.read_options()?;
            commands::inspect::run(&a.inputs, a.format, &opts, msg)?;
            Ok(Status::Done)
        }
        Command::Policies(a) => {
            let opts = a.read.read_options()?;
            commands::policies::list(&a.inputs, a.format, &opts, msg)?;
            Ok(Status::Done)
        }
        Command::Explain(a) => {
            let opts = a.read.read_options()?;
            commands::policies::explain(&a.user, &a.inputs, a.format, &opts, msg)?;
            Ok(Status::Done)
        }
        Command::Pull(a) => {
            commands::pull::run(&a, msg)?;
            Ok(Status::Done)
        }
        Command::History(a) => {
            commands::history::list(&a.db, a.format)?;
            Ok(Status::Done)
        }
        Command::Diff(a) => {
            commands::history::diff(&a.db, a.from, a.to, a.format)?;
            Ok(Status::Done)
        }
        Command::Audit(a) => {
            let mut layer = cli.global.layer();
            layer.update(a.layer());
            commands::audit::run(&layer.resolve()?, msg)
        }
        Command::Run(a) => {
            let mut flags = cli.global.layer();
            flags.update(a.overrides.layer());
            commands::audit::run_config(&a.config, a.dump_config, flags)
        }
        Command::Templates(cli::TemplatesCommand::Dump { dir }) => {
            commands::templates::dump(&dir, msg)?;
            Ok(Status::Done)
        }
        Command::Codes(a) => {
            commands::codes::run(a.code.as_deref(), a.format)?;
            Ok(Status::Done)
        }
        Command::Completions(a) => {
            commands::manual::completions(a.shell)?;
            Ok(Status::Done)
        }
        Command::Man(a) => {
            commands::manual::man(a.dir.as_deref(), msg)?;
            Ok(Status::Done)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::reading_options_after_the_command as moved;

    fn words(args: &[&str]) -> Vec<String> {
        moved(args.iter().copied())
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect()
    }

    #[test]
    fn reading_options_before_the_command_still_work() {
        assert_eq!(
            words(&[
                "mfaudit",
                "--encoding",
                "utf-8",
                "-q",
                "--date-order=dmy",
                "audit",
                "x"
            ]),
            [
                "mfaudit",
                "-q",
                "audit",
                "--encoding",
                "utf-8",
                "--date-order=dmy",
                "x"
            ]
        );
        assert_eq!(
            words(&["mfaudit", "audit", "--encoding", "utf-8", "x"]),
            ["mfaudit", "audit", "--encoding", "utf-8", "x"]
        );
        assert_eq!(words(&["mfaudit", "--encoding"]), ["mfaudit", "--encoding"]);
    }
}
