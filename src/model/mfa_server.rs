//! The MFA Server's *Blocked User History* and *Bypassed User History* reports (formats.md §6):
//! each row an event, as the readers fill them. A history that was not among the inputs is `None`:
//! then nobody's block state or bypasses are known, never "not blocked" or "no bypass".

/// One block or unblock of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockEvent {
    pub user: String,
    pub time: jiff::Timestamp,
    /// Blocked (`true`) or unblocked.
    pub blocked: bool,
    pub by: Option<String>,
    pub reason: Option<String>,
    /// Where it was read: the input's index and the line.
    pub file: u32,
    pub line: u64,
}

/// One one-time bypass granted to a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BypassEvent {
    pub user: String,
    pub time: jiff::Timestamp,
    /// The bypass length in seconds, when the report has it and it reads as one.
    pub seconds: Option<u64>,
    pub by: Option<String>,
    pub reason: Option<String>,
    pub file: u32,
    pub line: u64,
}

/// The histories read, over every input.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MfaServerHistories {
    /// `None` without a Blocked User History among the inputs.
    pub blocks: Option<Vec<BlockEvent>>,
    /// `None` without a Bypassed User History among the inputs.
    pub bypasses: Option<Vec<BypassEvent>>,
}

impl MfaServerHistories {
    pub fn is_empty(&self) -> bool {
        self.blocks.is_none() && self.bypasses.is_none()
    }
}
