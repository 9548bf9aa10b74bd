//! One module per command. Each takes already-parsed options, reads through `input`, asks
//! `report` for its data and writes through `output`.

pub mod audit;
pub mod classic;
pub mod codes;
pub mod history;
pub mod inspect;

pub use crate::console::Messages;
