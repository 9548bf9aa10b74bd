//! The words of the MFA Server's *Blocked User History* action column: which mean the user was
//! blocked and which unblocked. The report's layout was never documented, so the table takes the
//! spellings an administrator's export would plausibly hold; a word it lacks is reported, naming
//! these, never guessed.

/// Each spelling (compared by `vocab::names` key), and whether it blocks.
pub const BLOCK_ACTIONS: &[(&str, bool)] = &[
    ("Block", true),
    ("Blocked", true),
    ("Block user", true),
    ("User blocked", true),
    ("Lock", true),
    ("Locked", true),
    ("True", true),
    ("Unblock", false),
    ("Unblocked", false),
    ("Unblock user", false),
    ("User unblocked", false),
    ("Unlock", false),
    ("Unlocked", false),
    ("False", false),
];

/// Whether `word` blocks (`Some(true)`) or unblocks; `None` for a word the table lacks.
pub fn lookup(word: &str) -> Option<bool> {
    super::names::find(BLOCK_ACTIONS, |(w, _)| w, word).map(|(_, b)| *b)
}

/// The words, for a message about one the table lacks.
pub fn expected() -> &'static str {
    "Block, Blocked, Unblock, Unblocked (or True/False)"
}

#[cfg(test)]
mod tests {
    use super::lookup;

    #[test]
    fn spellings_and_case_do_not_matter() {
        assert_eq!(lookup("BLOCKED"), Some(true));
        assert_eq!(lookup("block_user"), Some(true));
        assert_eq!(lookup(" Unblocked "), Some(false));
        assert_eq!(lookup("user-unblocked"), Some(false));
        assert_eq!(lookup("Paused"), None);
        assert_eq!(lookup(""), None);
    }
}
