//! One module per command. Each takes already-parsed options, reads through `input`, asks
//! `report` for its data and writes through `output`.

pub(crate) mod audit;
pub(crate) mod classic;
pub(crate) mod codes;
pub mod history;
pub(crate) mod inspect;
pub(crate) mod manual;
pub(crate) mod policies;
pub(crate) mod pull;
pub(crate) mod templates;

pub use crate::console::Messages;
