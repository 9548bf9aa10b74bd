//! `completions SHELL` and `man`: generated from the command definitions themselves, so they
//! cannot fall behind the flags. Nothing is installed; the README says where each file goes.

use std::path::Path;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::console::Messages;
use crate::error::Result;
use crate::output::{self, Destination};

/// The completion script for `shell`, on standard output.
pub fn completions(shell: clap_complete::Shell) -> Result<()> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "mfaudit", &mut script);
    let dest = Destination::Stdout;
    output::emit(&dest, |w| {
        w.write_all(&script).map_err(output::io_err(&dest))
    })
}

/// The manual pages: `mfaudit.1` and one per command (`mfaudit-audit.1`, ...), each as roff.
fn pages() -> Result<Vec<(String, Vec<u8>)>> {
    let mut cmd = Cli::command();
    // Built, each command knows its display name (`mfaudit-audit`): its page's title.
    cmd.build();
    let mut pages = Vec::new();
    let render = |c: clap::Command, name: String| -> Result<(String, Vec<u8>)> {
        let mut roff = Vec::new();
        clap_mangen::Man::new(c)
            .source(concat!("mfaudit ", env!("CARGO_PKG_VERSION")))
            .manual("mfaudit manual")
            .render(&mut roff)
            .map_err(|e| crate::error::Error::io(Path::new(&name), e))?;
        Ok((name, roff))
    };
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("mfaudit-{}", sub.get_name());
        pages.push(render(sub.clone(), format!("{name}.1"))?);
    }
    pages.insert(0, render(cmd, "mfaudit.1".to_string())?);
    Ok(pages)
}

/// `mfaudit.1` on standard output, or every page written into `dir` (created if missing;
/// earlier pages of the same names replaced, all of them or none).
pub fn man(dir: Option<&Path>, msg: Messages) -> Result<()> {
    let pages = pages()?;
    let Some(dir) = dir else {
        let dest = Destination::Stdout;
        return output::emit(&dest, |w| {
            w.write_all(&pages[0].1).map_err(output::io_err(&dest))
        });
    };
    std::fs::create_dir_all(dir).map_err(|e| crate::error::Error::io(dir, e))?;
    let mut outputs = output::Outputs::new();
    for (name, roff) in &pages {
        let dest = Destination::of(&dir.join(name));
        outputs.stage(&dest, |w| w.write_all(roff).map_err(output::io_err(&dest)))?;
    }
    outputs.commit()?;
    msg.note(format!(
        "{} manual pages written to {}",
        pages.len(),
        crate::text::shown_path(dir)
    ));
    Ok(())
}
