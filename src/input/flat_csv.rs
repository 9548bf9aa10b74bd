//! (being written)

use super::decode::Decoded;
use super::{Context, ReadStats};
use crate::error::{Error, Result};
use crate::model::User;

pub fn read(
    _decoded: Decoded,
    ctx: &Context,
    _on_user: &mut dyn FnMut(User) -> Result<()>,
) -> Result<ReadStats> {
    Err(Error::Failed(format!(
        "{}: reader not implemented yet",
        ctx.path().display()
    )))
}
