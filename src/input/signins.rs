//! (being written)

use super::decode::Decoded;
use super::{Context, InputFile, ReadStats};
use crate::error::{Error, Result};
use crate::model::SignIn;

pub fn read_json(
    _decoded: Decoded,
    ctx: &Context,
    _on: &mut dyn FnMut(SignIn) -> Result<()>,
) -> Result<ReadStats> {
    Err(Error::Failed(format!(
        "{}: reader not implemented yet",
        ctx.path().display()
    )))
}

pub fn read_csv(
    _decoded: Decoded,
    ctx: &Context,
    _auth_details: &[&InputFile],
    _on: &mut dyn FnMut(SignIn) -> Result<()>,
) -> Result<ReadStats> {
    Err(Error::Failed(format!(
        "{}: reader not implemented yet",
        ctx.path().display()
    )))
}
