//! The MFA result words of the Entra sign-in report (formats.md §5.8): the 12 documented ways a
//! requirement was satisfied and the 22 ways it was denied, plus phrasings seen in real logs. They
//! decide whether a challenge counts as satisfied or denied (cli.md), and their canonical wording is
//! what the audit's `how` and `reason` say.
//!
//! Exports put a prefix before the words (`MFA `, `MFA denied; `, `MFA requirement `); matching is
//! case-insensitive, strips one known prefix, and needs the phrase at the start of what remains,
//! ended by the text's end or punctuation — so `First factor requirement satisfied by claim in the
//! token` (not MFA) does not match.

use serde::Serialize;

/// Which list a phrase is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WordOutcome {
    Satisfied,
    Denied,
}

/// What else a phrase tells the audit about the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Signal {
    None,
    /// A push the user declined or left unanswered (push fatigue).
    PushRefused,
    /// The user has no verification method registered.
    NoMethods,
    /// The user is blocked from MFA.
    Blocked,
}

/// One phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MfaWord {
    /// Canonical wording, lower case as Microsoft documents it (`PIN` kept).
    pub phrase: &'static str,
    pub outcome: WordOutcome,
    /// On Microsoft's documented list (false: seen in logs but not on the list).
    pub documented: bool,
    pub signal: Signal,
}

const fn w(
    phrase: &'static str,
    outcome: WordOutcome,
    documented: bool,
    signal: Signal,
) -> MfaWord {
    MfaWord {
        phrase,
        outcome,
        documented,
        signal,
    }
}

use Signal::*;
use WordOutcome::*;

/// Every phrase. Documented ones first, in Microsoft's order.
pub const WORDS: &[MfaWord] = &[
    // Satisfied (12)
    w("completed in the cloud", Satisfied, true, None),
    w(
        "has expired due to the policies configured on tenant",
        Satisfied,
        true,
        None,
    ),
    w("registration prompted", Satisfied, true, None),
    w("satisfied by claim in the token", Satisfied, true, None),
    w(
        "satisfied by claim provided by external provider",
        Satisfied,
        true,
        None,
    ),
    w("satisfied by strong authentication", Satisfied, true, None),
    w(
        "skipped as flow exercised was Windows broker logon flow",
        Satisfied,
        true,
        None,
    ),
    w("skipped due to app password", Satisfied, true, None),
    w("skipped due to location", Satisfied, true, None),
    w("skipped due to registered device", Satisfied, true, None),
    w("skipped due to remembered device", Satisfied, true, None),
    w("successfully completed", Satisfied, true, None),
    // Denied (22)
    w("authentication in-progress", Denied, true, None),
    w("duplicate authentication attempt", Denied, true, None),
    w("entered incorrect code too many times", Denied, true, None),
    w("invalid authentication", Denied, true, None),
    w("invalid mobile app verification code", Denied, true, None),
    w("misconfiguration", Denied, true, None),
    w("phone call went to voicemail", Denied, true, None),
    w("phone number has an invalid format", Denied, true, None),
    w("service error", Denied, true, None),
    w("unable to reach the user's phone", Denied, true, None),
    w(
        "unable to send the mobile app notification to the device",
        Denied,
        true,
        None,
    ),
    w(
        "unable to send the mobile app notification",
        Denied,
        true,
        None,
    ),
    w(
        "user declined the authentication",
        Denied,
        true,
        PushRefused,
    ),
    w(
        "user did not respond to mobile app notification",
        Denied,
        true,
        PushRefused,
    ),
    w(
        "user does not have any verification methods registered",
        Denied,
        true,
        NoMethods,
    ),
    w("user entered incorrect code", Denied, true, None),
    w("user entered incorrect PIN", Denied, true, None),
    w(
        "user hung up the phone call without succeeding the authentication",
        Denied,
        true,
        None,
    ),
    w("user is blocked", Denied, true, Blocked),
    w(
        "user never entered the verification code",
        Denied,
        true,
        None,
    ),
    w("user not found", Denied, true, None),
    w("verification code already used once", Denied, true, None),
    // Seen in authenticationStepResultDetail, not on the documented list.
    w(
        "user did not select the correct number",
        Denied,
        false,
        PushRefused,
    ),
    w("invalid verification code", Denied, false, None),
];

/// The satisfied phrases that mean MFA was met without the user being prompted in this sign-in
/// (a claim in the token, a trusted location or device, an app password): the report keeps them
/// apart from the completions at a prompt.
pub const WITHOUT_PROMPT: &[&str] = &[
    "satisfied by claim in the token",
    "satisfied by claim provided by external provider",
    "skipped as flow exercised was Windows broker logon flow",
    "skipped due to app password",
    "skipped due to location",
    "skipped due to registered device",
    "skipped due to remembered device",
];

/// The satisfied phrases that mean the user was prompted and completed MFA in this sign-in.
pub const AT_A_PROMPT: &[&str] = &[
    "completed in the cloud",
    "registration prompted",
    "satisfied by strong authentication",
    "successfully completed",
];

/// Whether a satisfied phrase was met at a prompt (`Some(true)`), without one (`Some(false)`), or
/// the phrase does not say (`None`: `has expired due to the policies configured on tenant`, and
/// anything not on the lists).
pub fn prompted(phrase: &str) -> Option<bool> {
    if WITHOUT_PROMPT
        .iter()
        .any(|p| p.eq_ignore_ascii_case(phrase))
    {
        Some(false)
    } else if AT_A_PROMPT.iter().any(|p| p.eq_ignore_ascii_case(phrase)) {
        Some(true)
    } else {
        Option::None
    }
}

/// Other wordings of a phrase, lower case → the canonical phrase.
pub const ALIASES: &[(&str, &str)] = &[
    ("completed in azure ad", "completed in the cloud"),
    ("authentication in progress", "authentication in-progress"),
];

/// Prefixes exports put before the words, lower case, longest first.
pub const PREFIXES: &[&str] = &["mfa denied;", "mfa requirement", "mfa"];

/// What a text says about MFA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// One of the phrases.
    Word(&'static MfaWord),
    /// `MFA denied; ...` with words not in the table: denied, in the export's own words (trimmed,
    /// trailing full stop removed).
    DeniedOther(String),
}

impl Found {
    pub fn outcome(&self) -> WordOutcome {
        match self {
            Found::Word(w) => w.outcome,
            Found::DeniedOther(_) => Denied,
        }
    }

    /// The wording `how` / `reason` use.
    /// [`Found::wording`], kept: the table's phrase is borrowed, an export's own words moved.
    pub fn into_wording(self) -> std::borrow::Cow<'static, str> {
        match self {
            Found::Word(w) => std::borrow::Cow::Borrowed(w.phrase),
            Found::DeniedOther(s) => std::borrow::Cow::Owned(s),
        }
    }

    pub fn signal(&self) -> Signal {
        match self {
            Found::Word(w) => w.signal,
            Found::DeniedOther(_) => None,
        }
    }
}

/// Finds the MFA result in a free-text value, whatever prefix the export added, and whether the text carried one of the [`PREFIXES`] (`MFA `, `MFA denied; `...):
/// a phrase without one is an MFA result only where the text is about MFA (an MFA step, a
/// sign-in that required it), since `User not found` also ends a first-factor step.
pub fn find_marked(text: &str) -> Option<(Found, bool)> {
    let trimmed = text.trim();
    // Lower-cased on the stack for the usual short ASCII text: no allocation per sign-in.
    let mut stack = [0u8; 256];
    let lower: std::borrow::Cow<'_, str> = if trimmed.is_ascii() && trimmed.len() <= stack.len() {
        let bytes = &mut stack[..trimmed.len()];
        bytes.copy_from_slice(trimmed.as_bytes());
        bytes.make_ascii_lowercase();
        std::borrow::Cow::Borrowed(std::str::from_utf8(bytes).unwrap_or_default())
    } else {
        std::borrow::Cow::Owned(trimmed.to_lowercase())
    };
    let lower: &str = &lower;
    let mut rest: &str = lower;
    let mut denied_prefix = false;
    for p in PREFIXES {
        if let Some(r) = lower.strip_prefix(p)
            && (r.is_empty() || !r.starts_with(|c: char| c.is_alphanumeric()))
        {
            rest = r;
            denied_prefix = *p == "mfa denied;";
            break;
        }
    }
    let prefixed = rest.len() != lower.len();
    let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ';' || c == ':');
    if let Some(word) = phrase_at_start(rest) {
        return Some((Found::Word(word), prefixed));
    }
    if denied_prefix {
        // Keep the export's own casing for words we do not know.
        let offset = lower.len() - rest.len();
        let own = if lower.len() == trimmed.len() {
            trimmed.get(offset..).unwrap_or(rest)
        } else {
            rest
        };
        let own = own.trim().trim_end_matches('.');
        if !own.is_empty() {
            return Some((Found::DeniedOther(own.to_string()), true));
        }
    }
    Option::None
}

/// The longest phrase (or alias) that starts `rest` and ends at a word boundary.
fn phrase_at_start(rest: &str) -> Option<&'static MfaWord> {
    let ends_here = |len: usize| {
        rest[len..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric() && c != '-' && c != '\'')
    };
    /// Every phrase, then every alias with the word it stands for (resolved once).
    static CANDIDATES: std::sync::LazyLock<Vec<(&'static str, &'static MfaWord)>> =
        std::sync::LazyLock::new(|| {
            let words = WORDS.iter().map(|w| (w.phrase, w));
            let aliases = ALIASES.iter().filter_map(|(alias, canonical)| {
                WORDS
                    .iter()
                    .find(|w| w.phrase == *canonical)
                    .map(|w| (*alias, w))
            });
            words.chain(aliases).collect()
        });
    let first = rest.as_bytes().first()?.to_ascii_lowercase();
    let mut best: Option<(usize, &'static MfaWord)> = Option::None;
    for &(candidate, word) in CANDIDATES.iter() {
        let len = candidate.len();
        // Most candidates differ at the first letter: a byte, not a string, compared.
        if candidate.as_bytes()[0].to_ascii_lowercase() == first
            && rest.len() >= len
            && rest.is_char_boundary(len)
            && rest[..len].eq_ignore_ascii_case(candidate)
            && ends_here(len)
            && best.is_none_or(|(l, _)| len > l)
        {
            best = Some((len, word));
        }
    }
    best.map(|(_, w)| w)
}

/// True when a text mentions fraud (any wording: `fraud reported`, `fraud code entered`...).
pub fn mentions_fraud(text: &str) -> bool {
    // Every challenged sign-in's texts are searched: jump from one `f` to the next.
    let bytes = text.as_bytes();
    memchr::memchr2_iter(b'f', b'F', bytes).any(|i| {
        bytes
            .get(i..i + 5)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"fraud"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(text: &str) -> Option<Found> {
        find_marked(text).map(|(found, _)| found)
    }

    fn phrase(text: &str) -> Option<(&'static str, WordOutcome)> {
        match find(text)? {
            Found::Word(w) => Some((w.phrase, w.outcome)),
            Found::DeniedOther(_) => Option::None,
        }
    }

    #[test]
    fn every_satisfied_phrase_says_whether_it_was_prompted_or_is_named_unclear() {
        for word in WORDS.iter().filter(|w| w.outcome == Satisfied) {
            let p = prompted(word.phrase);
            assert!(
                p.is_some()
                    || word.phrase == "has expired due to the policies configured on tenant",
                "{}",
                word.phrase
            );
        }
        for p in WITHOUT_PROMPT.iter().chain(AT_A_PROMPT) {
            assert!(
                WORDS
                    .iter()
                    .any(|w| w.phrase == *p && w.outcome == Satisfied),
                "{p}"
            );
        }
    }

    #[test]
    fn table_walk() {
        let documented = |o| {
            WORDS
                .iter()
                .filter(|w| w.documented && w.outcome == o)
                .count()
        };
        assert_eq!(documented(Satisfied), 12);
        assert_eq!(documented(Denied), 22);
        for word in WORDS {
            assert_eq!(WORDS.iter().filter(|w| w.phrase == word.phrase).count(), 1);
            for text in [
                word.phrase.to_string(),
                word.phrase.to_uppercase(),
                format!("MFA {}", word.phrase),
                format!("MFA denied; {}", word.phrase),
                format!("MFA requirement {}.", word.phrase),
                format!("  mfa {} ", word.phrase),
            ] {
                assert_eq!(find(&text), Some(Found::Word(word)), "{text}");
            }
        }
        for (alias, canonical) in ALIASES {
            assert_eq!(alias.to_lowercase(), *alias);
            assert_eq!(
                phrase(&format!("MFA {alias}")).map(|p| p.0),
                Some(*canonical)
            );
        }
    }

    #[test]
    fn export_shapes() {
        assert_eq!(
            phrase("MFA requirement satisfied by claim in the token"),
            Some(("satisfied by claim in the token", Satisfied))
        );
        assert_eq!(
            phrase("MFA denied; user declined the authentication"),
            Some(("user declined the authentication", Denied))
        );
        assert_eq!(
            phrase("MFA successfully completed"),
            Some(("successfully completed", Satisfied))
        );
        assert_eq!(
            phrase("MFA completed in Azure AD"),
            Some(("completed in the cloud", Satisfied))
        );
        assert_eq!(
            phrase("Authentication in progress"),
            Some(("authentication in-progress", Denied))
        );
        assert_eq!(
            phrase("MFA denied; user did not select the correct number"),
            Some(("user did not select the correct number", Denied))
        );
        assert_eq!(
            phrase("MFA denied; User entered incorrect PIN"),
            Some(("user entered incorrect PIN", Denied))
        );
        // The longest phrase wins.
        assert_eq!(
            phrase("MFA denied; unable to send the mobile app notification to the device"),
            Some((
                "unable to send the mobile app notification to the device",
                Denied
            ))
        );
    }

    #[test]
    fn not_mfa_words() {
        for text in [
            "First factor requirement satisfied by claim in the token",
            "Correct password",
            "MFA required in Azure AD",
            "Invalid username or password or Invalid on-premise username or password.",
            "user is blockedx",
            "MFAsuccessfully completed",
            "",
        ] {
            assert_eq!(find(text), Option::None, "{text}");
        }
    }

    #[test]
    fn unknown_denials_keep_their_words() {
        assert_eq!(
            find("MFA denied; Phone App Reported Fraud."),
            Some(Found::DeniedOther("Phone App Reported Fraud".into()))
        );
        assert_eq!(find("MFA denied;"), Option::None);
        assert!(mentions_fraud("MFA denied; Phone App Reported Fraud."));
        assert!(!mentions_fraud(
            "MFA denied; user declined the authentication"
        ));
        for (text, fraud) in [
            ("fraud", true),
            ("FRAUD code entered", true),
            ("user reported frAud", true),
            ("ends with frau", false),
            ("f", false),
            ("", false),
            ("satisfied; failed; fraudulent", true),
            ("é fraud é", true),
        ] {
            assert_eq!(mentions_fraud(text), fraud, "{text}");
        }
    }

    #[test]
    fn signals() {
        let signal = |t: &str| find(t).map(|f| f.signal());
        assert_eq!(signal("MFA denied; user is blocked"), Some(Blocked));
        assert_eq!(
            signal("MFA denied; user does not have any verification methods registered"),
            Some(NoMethods)
        );
        assert_eq!(
            signal("MFA denied; user did not respond to mobile app notification"),
            Some(PushRefused)
        );
        assert_eq!(signal("MFA successfully completed"), Some(None));
    }
}
