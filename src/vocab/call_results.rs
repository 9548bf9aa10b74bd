//! The 45 `Call Result` codes of the Azure MFA Server activity download (formats.md §6), each with
//! Microsoft's short description, a broad description (paraphrased from howto-mfa-reporting.md), and
//! the outcome it really means. The prefix lies — `SUCCESS_NO_PIN_BUT_TIMEOUT` is a call that went to
//! voicemail — so every reader and report classifies by this table, never by the prefix.

use serde::Serialize;

/// What a call result means for the audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallClass {
    /// The user completed the second factor.
    Success,
    /// Succeeded without a call: an earlier success was cached.
    Cached,
    /// Succeeded through a one-time bypass an administrator granted.
    Bypass,
    /// Started but not finished as far as this record says (OTP sent, OATH code awaited).
    Pending,
    /// A `SUCCESS_*` code that was not a success: timeouts, expired PIN, invalid input.
    NotCompleted,
    /// The authentication failed.
    Failed,
    /// The user reported fraud.
    Fraud,
    /// The user (their phone number) is blocked.
    Blocked,
}

impl CallClass {
    /// The label `mfaudit codes` prints.
    pub fn label(self) -> &'static str {
        match self {
            Success => "success",
            Cached => "success (cached, no call)",
            Bypass => "bypass",
            Pending => "pending",
            NotCompleted => "not completed",
            Failed => "failed",
            Fraud => "fraud",
            Blocked => "blocked",
        }
    }

    /// True when the MFA requirement was met (by the user, a cache or a bypass).
    pub fn is_satisfied(self) -> bool {
        matches!(self, Success | Cached | Bypass)
    }

    /// True when the MFA requirement was not met and the record is final.
    pub fn is_denied(self) -> bool {
        matches!(self, NotCompleted | Failed | Fraud | Blocked)
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CallResult {
    pub code: &'static str,
    /// Microsoft's "Description" column (the short one).
    pub description: &'static str,
    /// What the code means, in a sentence.
    pub broad_description: &'static str,
    pub class: CallClass,
    /// The method the code implies, in the sign-in log's wording, when it implies one.
    pub method: Option<&'static str>,
    /// A push the user denied or left unanswered: a push-fatigue signal.
    pub push_refused: bool,
}

const VOICE: Option<&str> = Some("Phone call");
const SMS: Option<&str> = Some("Text message");
const APP: Option<&str> = Some("Mobile app notification");
const OATH: Option<&str> = Some("OATH verification code");
const QUESTIONS: Option<&str> = Some("Security questions");

const fn row(
    code: &'static str,
    description: &'static str,
    broad_description: &'static str,
    class: CallClass,
    method: Option<&'static str>,
) -> CallResult {
    CallResult {
        code,
        description,
        broad_description,
        class,
        method,
        push_refused: false,
    }
}

const fn push_refused(mut r: CallResult) -> CallResult {
    r.push_refused = true;
    r
}

use CallClass::*;

/// Every code, in Microsoft's order.
pub const CALL_RESULTS: &[CallResult] = &[
    row(
        "SUCCESS_WITH_PIN",
        "PIN Entered",
        "The user entered a PIN on the call: correct when the authentication succeeded; when it was denied, the PIN was wrong or the user is in Standard mode.",
        Success,
        VOICE,
    ),
    row(
        "SUCCESS_NO_PIN",
        "Only # Entered",
        "The user pressed only #: the right answer in Standard mode; in PIN mode a denied authentication means the PIN was left out.",
        Success,
        VOICE,
    ),
    row(
        "SUCCESS_WITH_PIN_BUT_TIMEOUT",
        "# Not Pressed After Entry",
        "Digits were typed but # never ended the entry, so nothing was sent.",
        NotCompleted,
        VOICE,
    ),
    row(
        "SUCCESS_NO_PIN_BUT_TIMEOUT",
        "No Phone Input - Timed Out",
        "The call was answered but nothing was pressed; usually voicemail took the call.",
        NotCompleted,
        VOICE,
    ),
    row(
        "SUCCESS_PIN_EXPIRED",
        "PIN Expired and Not Changed",
        "The user's PIN had expired and the required change was not completed.",
        NotCompleted,
        VOICE,
    ),
    row(
        "SUCCESS_USED_CACHE",
        "Used Cache",
        "No call was made: the same user name succeeded within the configured cache period.",
        Cached,
        None,
    ),
    row(
        "SUCCESS_BYPASSED_AUTH",
        "Bypassed Auth",
        "A one-time bypass granted to the user let the authentication through (see the Bypassed User History report).",
        Bypass,
        None,
    ),
    row(
        "SUCCESS_USED_IP_BASED_CACHE",
        "Used IP-based Cache",
        "No call was made: the same user, authentication type, application and IP succeeded within the cache period.",
        Cached,
        None,
    ),
    row(
        "SUCCESS_USED_APP_BASED_CACHE",
        "Used App-based Cache",
        "No call was made: the same user, authentication type and application succeeded within the cache period.",
        Cached,
        None,
    ),
    row(
        "SUCCESS_INVALID_INPUT",
        "Invalid Phone Input",
        "The phone sent an invalid response (a fax or modem, or * typed in the PIN).",
        NotCompleted,
        VOICE,
    ),
    row(
        "SUCCESS_USER_BLOCKED",
        "User is Blocked",
        "The user's phone number is blocked, by the user during a call, by an administrator, or after a fraud alert.",
        Blocked,
        None,
    ),
    row(
        "SUCCESS_SMS_AUTHENTICATED",
        "Text Message Authenticated",
        "Two-way text message: the user replied with the right one-time passcode (and PIN).",
        Success,
        SMS,
    ),
    row(
        "SUCCESS_SMS_SENT",
        "Text Message Sent",
        "The one-time passcode was texted; the user completes the authentication by entering it in the application.",
        Pending,
        SMS,
    ),
    row(
        "SUCCESS_PHONE_APP_AUTHENTICATED",
        "Mobile App Authenticated",
        "The user authenticated in the mobile app.",
        Success,
        APP,
    ),
    row(
        "SUCCESS_OATH_CODE_PENDING",
        "OATH Code Pending",
        "The user was asked for an OATH code and has not answered.",
        Pending,
        OATH,
    ),
    row(
        "SUCCESS_OATH_CODE_VERIFIED",
        "OATH Code Verified",
        "The user entered a valid OATH code.",
        Success,
        OATH,
    ),
    row(
        "SUCCESS_FALLBACK_OATH_CODE_VERIFIED",
        "Fallback OATH Code Verified",
        "The primary method was denied, then the user entered a valid OATH code as fallback.",
        Success,
        OATH,
    ),
    row(
        "SUCCESS_FALLBACK_SECURITY_QUESTIONS_ANSWERED",
        "Fallback Security Questions Answered",
        "The primary method was denied, then the user answered the security questions as fallback.",
        Success,
        QUESTIONS,
    ),
    row(
        "FAILED_PHONE_BUSY",
        "Auth Already In Progress",
        "An authentication for this user was already running, often because a RADIUS client sent the request twice.",
        Failed,
        None,
    ),
    row(
        "CONFIG_ISSUE",
        "Phone Unreachable",
        "The call could not be placed or was not answered (busy, disconnected, out of service, rang out).",
        Failed,
        VOICE,
    ),
    row(
        "FAILED_INVALID_PHONENUMBER",
        "Invalid Phone Number Format",
        "The phone number is not in a valid format.",
        Failed,
        None,
    ),
    row(
        "FAILED_USER_HUNGUP_ON_US",
        "User Hung Up the Phone",
        "The user answered and hung up without pressing any key.",
        Failed,
        VOICE,
    ),
    row(
        "FAILED_INVALID_EXTENSION",
        "Invalid Extension",
        "The phone extension holds characters other than digits, commas, *, # and a leading @.",
        Failed,
        VOICE,
    ),
    row(
        "FAILED_FRAUD_CODE_ENTERED",
        "Fraud Code Entered",
        "The user reported fraud during the call: the authentication was denied and the number blocked.",
        Fraud,
        VOICE,
    ),
    row(
        "FAILED_SERVER_ERROR",
        "Unable to Place Call",
        "The MFA service could not place the call.",
        Failed,
        VOICE,
    ),
    row(
        "FAILED_SMS_NOT_SENT",
        "Text Message Could Not Be Sent",
        "The text message could not be sent; the authentication was denied.",
        Failed,
        SMS,
    ),
    row(
        "FAILED_SMS_OTP_INCORRECT",
        "Text Message OTP Incorrect",
        "The user entered a wrong one-time passcode from the text message; the authentication was denied.",
        Failed,
        SMS,
    ),
    row(
        "FAILED_SMS_OTP_PIN_INCORRECT",
        "Text Message OTP + PIN Incorrect",
        "The one-time passcode or the PIN was wrong; the authentication was denied.",
        Failed,
        SMS,
    ),
    row(
        "FAILED_SMS_MAX_OTP_RETRY_REACHED",
        "Exceeded Maximum Text Message OTP Attempts",
        "The user used up the allowed one-time passcode attempts.",
        Failed,
        SMS,
    ),
    push_refused(row(
        "FAILED_PHONE_APP_DENIED",
        "Mobile App Denied",
        "The user pressed Deny in the mobile app.",
        Failed,
        APP,
    )),
    row(
        "FAILED_PHONE_APP_INVALID_PIN",
        "Mobile App Invalid PIN",
        "The user entered a wrong PIN in the mobile app.",
        Failed,
        APP,
    ),
    row(
        "FAILED_PHONE_APP_PIN_NOT_CHANGED",
        "Mobile App PIN Not Changed",
        "A PIN change the mobile app required was not completed.",
        Failed,
        APP,
    ),
    push_refused(row(
        "FAILED_FRAUD_REPORTED",
        "Fraud Reported",
        "The user reported fraud in the mobile app.",
        Fraud,
        APP,
    )),
    push_refused(row(
        "FAILED_PHONE_APP_NO_RESPONSE",
        "Mobile App No Response",
        "The user did not answer the mobile app request.",
        Failed,
        APP,
    )),
    row(
        "FAILED_PHONE_APP_ALL_DEVICES_BLOCKED",
        "Mobile App All Devices Blocked",
        "The user's app devices stopped answering notifications and were blocked.",
        Failed,
        APP,
    ),
    row(
        "FAILED_PHONE_APP_NOTIFICATION_FAILED",
        "Mobile App Notification Failed",
        "The notification could not be sent to the app on the user's device.",
        Failed,
        APP,
    ),
    row(
        "FAILED_PHONE_APP_INVALID_RESULT",
        "Mobile App Invalid Result",
        "The mobile app returned an invalid result.",
        Failed,
        APP,
    ),
    row(
        "FAILED_OATH_CODE_INCORRECT",
        "OATH Code Incorrect",
        "The user entered a wrong OATH code; the authentication was denied.",
        Failed,
        OATH,
    ),
    row(
        "FAILED_OATH_CODE_PIN_INCORRECT",
        "OATH Code + PIN Incorrect",
        "The OATH code or the PIN was wrong; the authentication was denied.",
        Failed,
        OATH,
    ),
    row(
        "FAILED_OATH_CODE_DUPLICATE",
        "Duplicate OATH Code",
        "The user entered an OATH code that was already used; the authentication was denied.",
        Failed,
        OATH,
    ),
    row(
        "FAILED_OATH_CODE_OLD",
        "OATH Code Out of Date",
        "The user entered an OATH code older than one already used; the authentication was denied.",
        Failed,
        OATH,
    ),
    row(
        "FAILED_OATH_TOKEN_TIMEOUT",
        "OATH Code Result Timeout",
        "The OATH code came after the attempt had timed out.",
        Failed,
        OATH,
    ),
    row(
        "FAILED_SECURITY_QUESTIONS_TIMEOUT",
        "Security Questions Result Timeout",
        "The security question answers came after the attempt had timed out.",
        Failed,
        QUESTIONS,
    ),
    row(
        "FAILED_AUTH_RESULT_TIMEOUT",
        "Auth Result Timeout",
        "The user took too long to complete the attempt.",
        Failed,
        None,
    ),
    row(
        "FAILED_AUTHENTICATION_THROTTLED",
        "Authentication Throttled",
        "The service throttled the attempt.",
        Failed,
        None,
    ),
];

/// The canonical form of a code as someone may type or export it: trimmed, upper case, spaces and
/// hyphens as underscores.
fn key(code: &str) -> String {
    code.trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

/// Looks a code up, case-insensitively.
pub fn lookup(code: &str) -> Option<&'static CallResult> {
    let k = key(code);
    CALL_RESULTS.iter().find(|r| r.code == k)
}

/// The `n` known codes closest to `code` (edit distance, then table order), for "did you mean".
pub fn closest(code: &str, n: usize) -> Vec<&'static str> {
    let k = key(code);
    let mut scored: Vec<(usize, usize, &'static str)> = CALL_RESULTS
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let d = if !k.is_empty() && r.code.contains(k.as_str()) {
                0
            } else {
                edit_distance(&k, r.code)
            };
            (d, i, r.code)
        })
        .collect();
    scored.sort();
    scored.into_iter().take(n).map(|(_, _, c)| c).collect()
}

/// Levenshtein distance over bytes (codes are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn table_walk() {
        assert_eq!(CALL_RESULTS.len(), 45);
        let mut seen = HashSet::new();
        for r in CALL_RESULTS {
            assert!(seen.insert(r.code), "duplicate {}", r.code);
            assert_eq!(key(r.code), r.code, "codes are canonical");
            assert_eq!(lookup(r.code), Some(r));
            assert_eq!(lookup(&r.code.to_lowercase()), Some(r));
            assert!(!r.description.is_empty() && r.broad_description.ends_with('.'));
            assert!(!(r.class.is_satisfied() && r.class.is_denied()));
            if r.push_refused {
                assert_eq!(r.method, APP, "{}", r.code);
            }
        }
    }

    #[test]
    fn the_prefix_lies() {
        let not_successes: Vec<&str> = CALL_RESULTS
            .iter()
            .filter(|r| r.code.starts_with("SUCCESS_") && !r.class.is_satisfied())
            .map(|r| r.code)
            .collect();
        assert_eq!(
            not_successes,
            [
                "SUCCESS_WITH_PIN_BUT_TIMEOUT",
                "SUCCESS_NO_PIN_BUT_TIMEOUT",
                "SUCCESS_PIN_EXPIRED",
                "SUCCESS_INVALID_INPUT",
                "SUCCESS_USER_BLOCKED",
                "SUCCESS_SMS_SENT",
                "SUCCESS_OATH_CODE_PENDING",
            ]
        );
        assert!(
            CALL_RESULTS
                .iter()
                .filter(|r| !r.code.starts_with("SUCCESS_"))
                .all(|r| r.class.is_denied())
        );
        assert_eq!(
            lookup("SUCCESS_USER_BLOCKED").map(|r| r.class),
            Some(Blocked)
        );
        assert_eq!(
            lookup("success bypassed auth").map(|r| r.class),
            Some(Bypass)
        );
        assert_eq!(
            lookup(" failed-fraud-reported ").map(|r| r.class),
            Some(Fraud)
        );
        assert_eq!(lookup("SUCCESS_SMS_SENT").map(|r| r.class), Some(Pending));
        assert_eq!(lookup("SUCCESS"), None);
    }

    #[test]
    fn push_refusals() {
        let codes: Vec<&str> = CALL_RESULTS
            .iter()
            .filter(|r| r.push_refused)
            .map(|r| r.code)
            .collect();
        assert_eq!(
            codes,
            [
                "FAILED_PHONE_APP_DENIED",
                "FAILED_FRAUD_REPORTED",
                "FAILED_PHONE_APP_NO_RESPONSE"
            ]
        );
    }

    #[test]
    fn closest_codes() {
        assert_eq!(
            closest("SUCCESS_NO_PIN_TIMEOUT", 2),
            ["SUCCESS_NO_PIN_BUT_TIMEOUT", "SUCCESS_NO_PIN"]
        );
        assert_eq!(
            closest("fraud", 3)[..2],
            ["FAILED_FRAUD_CODE_ENTERED", "FAILED_FRAUD_REPORTED"]
        );
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
