//! Exceptions (cli.md, "Exceptions and account classes"): who is excepted from the findings, as
//! what, why, by whom and until when. Each one is explicit and shown; none hides a user.

use serde::Serialize;

/// The account classes an exception can name, as the exceptions file writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    BreakGlass,
    ServiceAccount,
    SharedMailbox,
    ResourceMailbox,
    SyncAccount,
    Waiver,
}

/// Each class with its name in the file.
pub const CLASSES: &[(&str, Class)] = &[
    ("break-glass", Class::BreakGlass),
    ("service-account", Class::ServiceAccount),
    ("shared-mailbox", Class::SharedMailbox),
    ("resource-mailbox", Class::ResourceMailbox),
    ("sync-account", Class::SyncAccount),
    ("waiver", Class::Waiver),
];

impl Class {
    pub fn parse(s: &str) -> Option<Class> {
        CLASSES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(s.trim()))
            .map(|(_, c)| *c)
    }

    pub fn name(self) -> &'static str {
        CLASSES
            .iter()
            .find(|(_, c)| *c == self)
            .map_or("waiver", |(name, _)| name)
    }

    /// A mailbox, whose account should not sign in at all.
    pub fn is_mailbox(self) -> bool {
        matches!(self, Class::SharedMailbox | Class::ResourceMailbox)
    }
}

/// Whom an exception names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// An object id or a UPN, compared without case.
    Exact(String),
    /// A UPN pattern with `*` standing for any run of characters.
    Pattern(String),
}

impl Who {
    pub fn parse(s: &str) -> Who {
        let s = s.trim();
        if s.contains('*') {
            Who::Pattern(s.to_ascii_lowercase())
        } else {
            Who::Exact(s.to_ascii_lowercase())
        }
    }

    /// Whether a user with this UPN and object id is the one named.
    pub fn matches(&self, upn: &str, object_id: Option<&str>) -> bool {
        match self {
            Who::Exact(x) => {
                upn.eq_ignore_ascii_case(x)
                    || object_id.is_some_and(|id| id.eq_ignore_ascii_case(x))
            }
            Who::Pattern(p) => glob_match(p, &upn.to_ascii_lowercase()),
        }
    }
}

/// `*` as any run of characters, everything else literal (both lower-cased by the caller).
fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if parts.len() == 1 {
        return pattern == text;
    }
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}

/// One exception as the file gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Exception {
    pub who: Who,
    /// As written, for messages.
    pub user: String,
    pub class: Class,
    pub reason: String,
    pub owner: Option<String>,
    pub ticket: Option<String>,
    pub expires: Option<jiff::civil::Date>,
    /// The flags it covers; every flag when empty.
    pub covers: Vec<String>,
    /// `FILE:LINE`.
    pub source: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_and_exact_names() {
        let p = Who::parse("svc-*@Contoso.com");
        assert!(p.matches("SVC-backup@contoso.com", None));
        assert!(!p.matches("backup-svc@contoso.com", None));
        assert!(Who::parse("*").matches("anyone@x", None));
        assert!(Who::parse("a*b*c").matches("axxbyyc", None));
        assert!(!Who::parse("a*b*c").matches("acb", None));
        assert!(!Who::parse("ab*ba").matches("aba", None));
        let id = Who::parse("C0470000-0000-4000-8000-000000000001");
        assert!(id.matches("x@y", Some("c0470000-0000-4000-8000-000000000001")));
        assert!(Who::parse("Ada@Contoso.com").matches("ada@contoso.com", None));
    }
}
