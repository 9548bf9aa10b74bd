//! (being written)

use super::decode::Decoded;
use super::{Context, ReadStats};
use crate::error::{Error, Result};
use crate::model::SignIn;

/// Which columns of an MFA Server CSV hold the user, the time and the call result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMap {
    pub user: String,
    pub time: String,
    pub result: String,
}

pub fn read(
    _decoded: Decoded,
    ctx: &Context,
    _on: &mut dyn FnMut(SignIn) -> Result<()>,
) -> Result<ReadStats> {
    Err(Error::Failed(format!(
        "{}: reader not implemented yet",
        ctx.path().display()
    )))
}
