//! `mfaudit pull`: the Graph pull, with the client secret taken from the environment here, at the
//! edge, so the pull itself can be given one by a test.

use crate::commands::Messages;
use crate::error::Result;
use crate::pull;

pub fn run(opts: &pull::Options, msg: Messages) -> Result<pull::Pulled> {
    let pulled = pull::pull(opts, std::env::var(pull::SECRET_ENV).ok(), msg)?;
    msg.note(format!("wrote {}", crate::text::shown_path(&pulled.path)));
    Ok(pulled)
}
