//! The one comparison key for names read from exports: CSV headers, JSON member names, method
//! names. Exports spell one name many ways (`MFA Status`, `mfa_status`, `MFAStatus`;
//! `Nom d'utilisateur`, `Nom d’utilisateur`; a byte-order mark or a trailing space on the first
//! header), so every table compares keys, never spellings.
//!
//! A key is the name lower-cased with whitespace, `_`, `-`, `.`, apostrophes in all their forms and
//! byte-order marks left out. [`key`] builds it for any text; [`with_key`] builds it on the stack for
//! the short ASCII names that make up nearly all of a large export, and gives the same bytes (a
//! property test holds the two paths to each other).

/// Characters a key leaves out: what people and tools put between words, and what Excel and
/// PowerShell add around them.
fn ignored(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '_' | '-' | '.' | '\'' | '\u{2019}' | '`' | '\u{b4}' | '\u{feff}'
        )
}

/// [`ignored`] for an ASCII byte (`char::is_whitespace` on ASCII is space and tab through carriage
/// return, which includes the vertical tab that `u8::is_ascii_whitespace` leaves out).
fn ignored_ascii(b: u8) -> bool {
    matches!(b, b' ' | 0x09..=0x0d | b'_' | b'-' | b'.' | b'\'' | b'`')
}

/// The comparison key of a name.
pub fn key(name: &str) -> String {
    name.chars()
        .filter(|c| !ignored(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Longer than any name a table holds: a longer ASCII name takes the slow path.
const STACK_KEY: usize = 64;

/// Calls `f` with the key of `name` (as [`key`] gives it), built without allocating when the name is
/// ASCII and its key short.
pub fn with_key<R>(name: &str, f: impl FnOnce(&[u8]) -> R) -> R {
    let mut buf = [0u8; STACK_KEY];
    let mut len = 0;
    for &b in name.as_bytes() {
        if !b.is_ascii() {
            return f(key(name).as_bytes());
        }
        if ignored_ascii(b) {
            continue;
        }
        if len == STACK_KEY {
            return f(key(name).as_bytes());
        }
        buf[len] = b.to_ascii_lowercase();
        len += 1;
    }
    f(&buf[..len])
}

/// The entry of `table` whose name (`name_of`) is `value`, case, spaces and punctuation aside.
/// Logs nearly always write a table's own spelling: that is tried first, with no key built for
/// every entry of every record.
pub fn find<'t, T>(table: &'t [T], name_of: impl Fn(&T) -> &str, value: &str) -> Option<&'t T> {
    table.iter().find(|e| name_of(e) == value).or_else(|| {
        with_key(value, |key| {
            table.iter().find(|e| with_key(name_of(e), |k| k == key))
        })
    })
}

/// `key(name) == want` without building the key; `want` is a key already (lower case, nothing
/// [`ignored`]).
pub fn same(name: &str, want: &str) -> bool {
    let mut want = want.chars();
    for c in name
        .chars()
        .filter(|c| !ignored(*c))
        .flat_map(char::to_lowercase)
    {
        if want.next() != Some(c) {
            return false;
        }
    }
    want.next().is_none()
}

/// True when the name's key is empty (nothing but whitespace, separators and marks).
pub fn is_blank(name: &str) -> bool {
    name.chars().all(ignored)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn spellings_of_one_name_share_a_key() {
        for spelling in [
            "MFA Status",
            "mfa_status",
            "MFAStatus",
            "\u{feff}MFA_Status",
            " mfa-status\t",
            "M.F.A. Status",
        ] {
            assert_eq!(key(spelling), "mfastatus", "{spelling:?}");
        }
        assert_eq!(key("Nom d'utilisateur"), key("Nom d’utilisateur"));
        assert_eq!(key("Nom d`utilisateur"), "nomdutilisateur");
        assert_eq!(key("Autonomous system  number"), "autonomoussystemnumber");
        assert_eq!(key("Application ID "), "applicationid");
        assert_eq!(key("Détail du résultat"), "détaildurésultat");
        assert_eq!(key("one\u{a0}way\u{2003}sms"), "onewaysms");
        assert!(same(" O N E W A Y S M S ", "onewaysms"));
        assert!(!same("onewaysmsx", "onewaysms"));
        assert!(!same("onewaysm", "onewaysms"));
        assert!(is_blank(" _ \u{feff}"));
        assert!(!is_blank(" x "));
    }

    /// Names as exports write them: ASCII letters and separators mostly, some accents, marks and
    /// odd whitespace, and now and then a name longer than the stack buffer.
    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            "[A-Za-z _.'`\\-\t\r\n\u{b}\u{c}]{0,80}",
            "[A-Za-zéÉß _'\u{2019}\u{b4}\u{feff}\u{a0}\u{2003}\u{212a}İ]{0,40}",
            any::<String>(),
        ]
    }

    proptest! {
        #[test]
        fn the_stack_path_agrees_with_the_key(name in name()) {
            let slow = key(&name);
            prop_assert_eq!(with_key(&name, <[u8]>::to_vec), slow.as_bytes().to_vec());
            prop_assert!(same(&name, &slow));
            prop_assert_eq!(is_blank(&name), slow.is_empty());
        }
    }
}
