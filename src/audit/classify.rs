//! Classifying one sign-in (or one MFA Server call) as an MFA challenge, and how it ended.
//!
//! cli.md fixes the definitions: a *challenge* is a sign-in that required MFA — it carries one of
//! the MFA result words, or its authentication requirement is multifactor — whether or not the user
//! was prompted. It is *satisfied* or *denied* by those words. Only when no word is present do the
//! fallbacks speak, in this order: the MFA Server call result (by the table, never by its prefix),
//! the multifactor step's `succeeded`, then the sign-in error code. A sign-in the fallbacks cannot
//! settle (an interrupt such as 50074/50076, a failure before MFA) is *pending*: required, neither
//! satisfied nor denied.

use std::borrow::Cow;

use crate::model::{Challenge, Outcome, SignIn, SignInStep};
use crate::vocab::call_results::{self, CallClass};
use crate::vocab::error_codes::{self, CodeClass};
use crate::vocab::methods;
use crate::vocab::mfa_words::{self, Found, Signal, WordOutcome};

/// `how` when a multifactor step succeeded without any result word.
pub const STEP_SUCCEEDED: &str = "MFA step succeeded (no result in the log)";
/// `reason` when a multifactor step failed without any result word.
pub const STEP_FAILED: &str = "MFA step failed (no result in the log)";
/// `how` when a sign-in that required MFA succeeded and nothing says how.
pub const SIGNIN_SUCCEEDED: &str = "sign-in succeeded (no MFA result in the log)";
/// `detail` of a challenge nothing in the log settles.
pub const NO_RESULT: &str = "no MFA result in the log";

/// Classifies one sign-in; `None` when MFA was not required.
pub fn classify<'a>(s: &'a SignIn<'_>) -> Option<Challenge<'a>> {
    let call = s
        .call_result
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let code_class = s.error_code.map(error_codes::class);
    let required = is_multifactor(s.authentication_requirement.as_deref())
        || s.steps.iter().any(is_mfa_step)
        || call.is_some()
        || code_class == Some(CodeClass::MfaFailed);
    let found = find_word(s, required);
    if found.is_none() && !required {
        return None;
    }

    let call_row = call.and_then(call_results::lookup);
    let method = method_used(s, call_row);
    let push_method = method.as_deref().map(is_push);

    let mut c = Challenge {
        outcome: Outcome::Pending {
            detail: Cow::Borrowed(NO_RESULT),
        },
        method,
        fraud: texts(s).any(mfa_words::mentions_fraud),
        bypass: false,
        no_methods: false,
        blocked: false,
        push_unanswered_or_denied: false,
    };

    if let Some(found) = found {
        match found.signal() {
            Signal::PushRefused => c.push_unanswered_or_denied = push_method != Some(false),
            Signal::NoMethods => c.no_methods = true,
            Signal::Blocked => c.blocked = true,
            Signal::None => {}
        }
        c.outcome = match found.outcome() {
            WordOutcome::Satisfied => Outcome::Satisfied {
                how: found.into_wording(),
            },
            WordOutcome::Denied => Outcome::Denied {
                reason: found.into_wording(),
            },
        };
        return Some(c);
    }

    if let Some(code) = call {
        let Some(row) = call_row else {
            c.outcome = Outcome::Pending {
                detail: Cow::Owned(format!("call result not in the table: {code}")),
            };
            return Some(c);
        };
        c.outcome = match row.class {
            k if k.is_satisfied() => Outcome::Satisfied {
                how: Cow::Borrowed(row.description),
            },
            k if k.is_denied() => Outcome::Denied {
                reason: Cow::Borrowed(row.description),
            },
            _ => Outcome::Pending {
                detail: Cow::Borrowed(row.description),
            },
        };
        c.fraud |= row.class == CallClass::Fraud;
        c.bypass = row.class == CallClass::Bypass;
        c.blocked = row.class == CallClass::Blocked;
        c.push_unanswered_or_denied = row.push_refused;
        return Some(c);
    }

    if let Some(step) = s.steps.iter().rev().find(|st| is_mfa_step(st))
        && let Some(ok) = step.succeeded
    {
        c.outcome = if ok {
            Outcome::Satisfied {
                how: Cow::Borrowed(STEP_SUCCEEDED),
            }
        } else {
            Outcome::Denied {
                reason: match s.error_code {
                    Some(code) if error_codes::class(code) == CodeClass::MfaFailed => {
                        Cow::Owned(error_codes::describe(code))
                    }
                    _ => Cow::Borrowed(STEP_FAILED),
                },
            }
        };
        c.push_unanswered_or_denied = !ok && push_method == Some(true);
        return Some(c);
    }

    if let Some(code) = s.error_code {
        c.outcome = match error_codes::class(code) {
            CodeClass::Success => Outcome::Satisfied {
                how: Cow::Borrowed(SIGNIN_SUCCEEDED),
            },
            CodeClass::MfaFailed => {
                c.push_unanswered_or_denied = push_method == Some(true);
                Outcome::Denied {
                    reason: Cow::Owned(error_codes::describe(code)),
                }
            }
            _ => Outcome::Pending {
                detail: Cow::Owned(error_codes::describe(code)),
            },
        };
    }
    Some(c)
}

/// Whether a `how` of the report was met at a prompt, without one, or cannot be told: the MFA
/// result words' table, the MFA Server call results (a cached success or a bypass is no prompt),
/// a multifactor step that succeeded.
pub fn prompted(how: &str) -> Option<bool> {
    if how == STEP_SUCCEEDED {
        return Some(true);
    }
    if let Some(p) = mfa_words::prompted(how) {
        return Some(p);
    }
    call_results::CALL_RESULTS
        .iter()
        .find(|r| r.description == how && r.class.is_satisfied())
        .map(|r| r.class == CallClass::Success)
}

/// The first MFA result word, looking where the overall result is first (`additionalDetails`),
/// then the steps from the last one back, then the failure reason. The overall result is the MFA
/// result field (the portal's "Multifactor authentication result"): its words count as they are.
/// Elsewhere a phrase counts with an MFA prefix (`MFA denied; ...`), or without one only in an MFA
/// step, or in the failure reason of a sign-in that required MFA: a first-factor step's `User not
/// found` or `Authentication in progress` is no MFA challenge.
fn find_word(s: &SignIn<'_>, required: bool) -> Option<Found> {
    let marked = |text: &str, about_mfa: bool| {
        mfa_words::find_marked(text)
            .filter(|(_, prefixed)| *prefixed || about_mfa)
            .map(|(found, _)| found)
    };
    let mut steps = s.steps.iter().rev().filter_map(|st| {
        let detail = st.result_detail.as_deref()?;
        marked(detail, is_about_mfa(st))
    });
    s.additional_details
        .as_deref()
        .and_then(|d| marked(d, true))
        .or_else(|| steps.next())
        .or_else(|| {
            s.failure_reason
                .as_deref()
                .and_then(|r| marked(r, required))
        })
}

/// Every free text of a sign-in.
fn texts<'a>(s: &'a SignIn<'_>) -> impl Iterator<Item = &'a str> {
    s.additional_details
        .as_deref()
        .into_iter()
        .chain(s.steps.iter().filter_map(|st| st.result_detail.as_deref()))
        .chain(s.failure_reason.as_deref())
}

/// `multiFactorAuthentication`, `Multifactor authentication`, `Multi-factor authentication`.
pub fn is_multifactor(requirement: Option<&str>) -> bool {
    requirement.is_some_and(|r| {
        // Compared letter by letter, skipping what is not a letter: no allocation per sign-in.
        let mut letters = r.chars().filter(|c| c.is_alphanumeric());
        "multifactor".chars().all(|want| {
            letters
                .next()
                .is_some_and(|c| c.eq_ignore_ascii_case(&want))
        })
    })
}

fn is_mfa_step(step: &SignInStep<'_>) -> bool {
    is_multifactor(step.requirement.as_deref())
}

/// A step about MFA: a multifactor step, or one whose requirement the export left out and whose
/// method is an MFA method.
fn is_about_mfa(step: &SignInStep<'_>) -> bool {
    is_mfa_step(step)
        || (step.requirement.is_none()
            && step
                .method
                .as_deref()
                .and_then(methods::lookup)
                .is_some_and(|m| m.is_mfa))
}

/// The method of the multifactor step, else the first named method that is not the password, else
/// `mfaDetail.authMethod`, else what the call result implies.
fn method_used<'a>(
    s: &'a SignIn<'_>,
    call: Option<&call_results::CallResult>,
) -> Option<Cow<'a, str>> {
    let named = |st: &&SignInStep<'_>| st.method.as_deref().is_some_and(methods::is_some_method);
    s.steps
        .iter()
        .rev()
        .filter(named)
        .find(|st| is_mfa_step(st))
        .or_else(|| {
            s.steps.iter().filter(named).find(|st| {
                st.method
                    .as_deref()
                    .is_some_and(|m| methods::lookup(m) != Some(methods::PASSWORD))
            })
        })
        .and_then(|st| st.method.as_deref())
        .or_else(|| {
            s.mfa_method
                .as_deref()
                .filter(|m| methods::is_some_method(m))
        })
        .map(Cow::Borrowed)
        .or_else(|| call.and_then(|r| r.method).map(Cow::Borrowed))
}

fn is_push(method: &str) -> bool {
    methods::lookup(method) == Some(methods::PUSH)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `classify`, its method copied: a test's sign-ins are temporaries.
    fn classify(s: &SignIn<'_>) -> Option<Challenge<'static>> {
        super::classify(s).map(|c| Challenge {
            method: c.method.map(|m| Cow::Owned(m.into_owned())),
            ..c
        })
    }

    fn signin() -> SignIn<'static> {
        SignIn {
            upn: Some("ada@contoso.com".into()),
            ..SignIn::default()
        }
    }

    fn with_details(text: &str) -> SignIn<'static> {
        SignIn {
            additional_details: Some(text.to_string().into()),
            ..signin()
        }
    }

    fn step(
        method: &str,
        requirement: &str,
        ok: Option<bool>,
        detail: Option<&str>,
    ) -> SignInStep<'static> {
        SignInStep {
            method: Some(method.to_string().into()),
            requirement: Some(requirement.to_string().into()),
            succeeded: ok,
            result_detail: detail.map(|d| d.to_string().into()),
        }
    }

    fn satisfied(how: &str) -> Outcome {
        Outcome::Satisfied {
            how: how.to_string().into(),
        }
    }

    fn denied(reason: &str) -> Outcome {
        Outcome::Denied {
            reason: reason.to_string().into(),
        }
    }

    fn pending(detail: &str) -> Outcome {
        Outcome::Pending {
            detail: detail.to_string().into(),
        }
    }

    fn outcome(s: &SignIn<'_>) -> Option<Outcome> {
        classify(s).map(|c| c.outcome)
    }

    #[test]
    fn not_required_is_not_a_challenge() {
        assert_eq!(classify(&signin()), None);
        let single = SignIn {
            authentication_requirement: Some("singleFactorAuthentication".into()),
            error_code: Some(50126),
            additional_details: Some(
                "First factor requirement satisfied by claim in the token".into(),
            ),
            steps: vec![step(
                "Password",
                "Primary authentication",
                Some(true),
                Some("Correct password"),
            )],
            ..signin()
        };
        assert_eq!(classify(&single), None);
        // A benign interrupt without MFA.
        let kmsi = SignIn {
            error_code: Some(50140),
            ..signin()
        };
        assert_eq!(classify(&kmsi), None);
    }

    #[test]
    fn every_word_in_every_export_shape() {
        for word in mfa_words::WORDS {
            for text in [
                format!("MFA {}", word.phrase),
                format!("MFA denied; {}", word.phrase),
                format!("MFA requirement {}", word.phrase),
                word.phrase.to_uppercase(),
            ] {
                let expected = match word.outcome {
                    WordOutcome::Satisfied => satisfied(word.phrase),
                    WordOutcome::Denied => denied(word.phrase),
                };
                // In additionalDetails, in a step, and in the failure reason.
                let in_step = SignIn {
                    steps: vec![step(
                        "Mobile app notification",
                        "Multifactor authentication",
                        None,
                        Some(&text),
                    )],
                    ..signin()
                };
                // A bare phrase in the failure reason counts when the sign-in required MFA.
                let in_reason = SignIn {
                    failure_reason: Some(text.clone().into()),
                    authentication_requirement: (!text.starts_with("MFA"))
                        .then(|| "multiFactorAuthentication".into()),
                    ..signin()
                };
                assert_eq!(
                    outcome(&with_details(&text)),
                    Some(expected.clone()),
                    "{text}"
                );
                assert_eq!(outcome(&in_step), Some(expected.clone()), "{text}");
                assert_eq!(outcome(&in_reason), Some(expected), "{text}");
            }
        }
    }

    /// A first-factor step's result is no MFA result: `User not found` on the password step of a
    /// single-factor sign-in is a failed sign-in, not a denied challenge; the same words in an MFA
    /// step (or with the MFA prefix anywhere) are.
    #[test]
    fn first_factor_text_is_not_an_mfa_denial() {
        for detail in ["User not found", "Authentication in progress"] {
            let single = SignIn {
                authentication_requirement: Some("singleFactorAuthentication".into()),
                error_code: Some(50034),
                failure_reason: Some(detail.to_string().into()),
                steps: vec![step(
                    "Password",
                    "Primary authentication",
                    Some(false),
                    Some(detail),
                )],
                ..signin()
            };
            assert_eq!(classify(&single), None, "{detail}");
            let unknown_requirement = SignIn {
                steps: vec![SignInStep {
                    requirement: None,
                    ..step("Password", "", Some(false), Some(detail))
                }],
                ..signin()
            };
            assert_eq!(classify(&unknown_requirement), None, "{detail}");
        }
        let mfa_step = SignIn {
            steps: vec![step(
                "Mobile app notification",
                "Multifactor authentication",
                Some(false),
                Some("User not found"),
            )],
            ..signin()
        };
        assert_eq!(outcome(&mfa_step), Some(denied("user not found")));
        let prefixed = SignIn {
            steps: vec![step(
                "Password",
                "Primary authentication",
                Some(false),
                Some("MFA denied; user not found"),
            )],
            ..signin()
        };
        assert_eq!(outcome(&prefixed), Some(denied("user not found")));
    }

    #[test]
    fn export_examples() {
        let cases = [
            (
                "MFA requirement satisfied by claim in the token",
                satisfied("satisfied by claim in the token"),
            ),
            (
                "MFA denied; user declined the authentication",
                denied("user declined the authentication"),
            ),
            (
                "MFA successfully completed",
                satisfied("successfully completed"),
            ),
            (
                "MFA completed in Azure AD",
                satisfied("completed in the cloud"),
            ),
            (
                "MFA denied; Phone App Reported Fraud",
                denied("Phone App Reported Fraud"),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(outcome(&with_details(text)), Some(expected), "{text}");
        }
    }

    #[test]
    fn requirement_spellings() {
        for r in [
            "multiFactorAuthentication",
            "Multifactor authentication",
            "Multi-factor authentication",
            "MULTIFACTORAUTHENTICATION",
        ] {
            assert!(is_multifactor(Some(r)), "{r}");
            let s = SignIn {
                authentication_requirement: Some(r.into()),
                ..signin()
            };
            assert_eq!(outcome(&s), Some(pending(NO_RESULT)));
        }
        assert!(!is_multifactor(Some("singleFactorAuthentication")));
        assert!(!is_multifactor(None));
    }

    #[test]
    fn words_win_over_fallbacks() {
        // The Graph example of formats.md §5.1: password ok, push declined, 500121.
        let s = SignIn {
            error_code: Some(500121),
            failure_reason: Some(
                "Authentication failed during strong authentication request.".into(),
            ),
            authentication_requirement: Some("multiFactorAuthentication".into()),
            steps: vec![
                step(
                    "Password",
                    "Primary authentication",
                    Some(true),
                    Some("Correct password"),
                ),
                step(
                    "Mobile app notification",
                    "Multifactor authentication",
                    Some(false),
                    Some("MFA denied; user declined the authentication"),
                ),
            ],
            ..signin()
        };
        let c = classify(&s).unwrap();
        assert_eq!(c.outcome, denied("user declined the authentication"));
        assert_eq!(c.method.as_deref(), Some("Mobile app notification"));
        assert!(c.push_unanswered_or_denied);
        assert!(!c.fraud && !c.blocked && !c.bypass && !c.no_methods);
        // The last step's word wins: a declined push, then a text message that completed.
        let retried = SignIn {
            steps: vec![
                step(
                    "Mobile app notification",
                    "Multifactor authentication",
                    Some(false),
                    Some("MFA denied; user declined the authentication"),
                ),
                step(
                    "Text message",
                    "Multifactor authentication",
                    Some(true),
                    Some("MFA successfully completed"),
                ),
            ],
            ..signin()
        };
        let c = classify(&retried).unwrap();
        assert_eq!(c.outcome, satisfied("successfully completed"));
        assert_eq!(c.method.as_deref(), Some("Text message"));
    }

    #[test]
    fn fallbacks() {
        let mfa = |code: Option<i64>, steps: Vec<SignInStep<'static>>| SignIn {
            authentication_requirement: Some("multiFactorAuthentication".into()),
            error_code: code,
            steps,
            ..signin()
        };
        assert_eq!(
            outcome(&mfa(Some(0), vec![])),
            Some(satisfied(SIGNIN_SUCCEEDED))
        );
        assert_eq!(
            outcome(&mfa(Some(500121), vec![])),
            Some(denied(
                "authentication failed during strong authentication request (500121)"
            ))
        );
        assert_eq!(
            outcome(&mfa(Some(50076), vec![])),
            Some(pending(
                "MFA required; the client must retry interactively (50076)"
            ))
        );
        assert_eq!(
            outcome(&mfa(Some(50074), vec![])),
            Some(pending(
                "strong authentication required (interrupt) (50074)"
            ))
        );
        assert_eq!(
            outcome(&mfa(Some(53003), vec![])),
            Some(pending("blocked by Conditional Access (53003)"))
        );
        // 500121 alone makes a challenge, even without the requirement.
        let bare = SignIn {
            error_code: Some(500121),
            mfa_method: Some("Mobile app notification".into()),
            ..signin()
        };
        let c = classify(&bare).unwrap();
        assert!(matches!(c.outcome, Outcome::Denied { .. }));
        assert!(c.push_unanswered_or_denied);
        // Step results without words.
        let ok = step(
            "OATH verification code",
            "Multifactor authentication",
            Some(true),
            None,
        );
        assert_eq!(
            outcome(&mfa(Some(0), vec![ok])),
            Some(satisfied(STEP_SUCCEEDED))
        );
        let bad = step(
            "Mobile app notification",
            "Multi-factor authentication",
            Some(false),
            None,
        );
        let c = classify(&mfa(None, vec![bad.clone()])).unwrap();
        assert_eq!(c.outcome, denied(STEP_FAILED));
        assert!(c.push_unanswered_or_denied);
        let c = classify(&SignIn {
            steps: vec![bad],
            ..signin()
        })
        .unwrap();
        assert_eq!(
            c.outcome,
            denied(STEP_FAILED),
            "a multifactor step is a challenge"
        );
    }

    #[test]
    fn call_results_by_the_table() {
        let call = |code: &str| {
            classify(&SignIn {
                call_result: Some(code.into()),
                ..signin()
            })
            .unwrap()
        };
        let c = call("SUCCESS_PHONE_APP_AUTHENTICATED");
        assert_eq!(c.outcome, satisfied("Mobile App Authenticated"));
        assert_eq!(c.method.as_deref(), Some("Mobile app notification"));
        let c = call("SUCCESS_NO_PIN_BUT_TIMEOUT");
        assert_eq!(c.outcome, denied("No Phone Input - Timed Out"));
        assert_eq!(c.method.as_deref(), Some("Phone call"));
        assert!(!c.push_unanswered_or_denied);
        let c = call("SUCCESS_BYPASSED_AUTH");
        assert_eq!(c.outcome, satisfied("Bypassed Auth"));
        assert!(c.bypass);
        let c = call("SUCCESS_USER_BLOCKED");
        assert_eq!(c.outcome, denied("User is Blocked"));
        assert!(c.blocked);
        let c = call("FAILED_FRAUD_CODE_ENTERED");
        assert!(c.fraud && !c.push_unanswered_or_denied);
        let c = call("failed_fraud_reported");
        assert!(c.fraud && c.push_unanswered_or_denied);
        assert!(call("FAILED_PHONE_APP_NO_RESPONSE").push_unanswered_or_denied);
        assert!(call("FAILED_PHONE_APP_DENIED").push_unanswered_or_denied);
        assert!(!call("FAILED_PHONE_APP_NOTIFICATION_FAILED").push_unanswered_or_denied);
        assert_eq!(
            call("SUCCESS_SMS_SENT").outcome,
            pending("Text Message Sent")
        );
        assert_eq!(
            call("SUCCESS_SOMETHING_NEW").outcome,
            pending("call result not in the table: SUCCESS_SOMETHING_NEW")
        );
    }

    #[test]
    fn signals_from_words() {
        let c = classify(&with_details("MFA denied; user is blocked")).unwrap();
        assert!(c.blocked);
        let c = classify(&with_details(
            "MFA denied; user does not have any verification methods registered",
        ))
        .unwrap();
        assert!(c.no_methods);
        assert!(!c.push_unanswered_or_denied);
        let c = classify(&with_details("MFA denied; Fraud reported by user")).unwrap();
        assert!(c.fraud);
        // Declined, unknown method: counted as a push; declined on a phone call: not a push.
        assert!(
            classify(&with_details(
                "MFA denied; user declined the authentication"
            ))
            .unwrap()
            .push_unanswered_or_denied
        );
        let call = SignIn {
            mfa_method: Some("Phone call (Authentication phone)".into()),
            ..with_details("MFA denied; user declined the authentication")
        };
        let c = classify(&call).unwrap();
        assert!(!c.push_unanswered_or_denied);
        assert_eq!(
            c.method.as_deref(),
            Some("Phone call (Authentication phone)")
        );
        let c = classify(&with_details(
            "MFA denied; user did not respond to mobile app notification",
        ))
        .unwrap();
        assert!(c.push_unanswered_or_denied);
    }

    #[test]
    fn method_used() {
        let s = SignIn {
            steps: vec![
                step("Password", "Primary authentication", Some(true), None),
                step(
                    "Previously satisfied",
                    "Multifactor authentication",
                    Some(true),
                    Some("MFA requirement satisfied by claim in the token"),
                ),
            ],
            mfa_method: Some("Text message".into()),
            ..signin()
        };
        assert_eq!(
            classify(&s).unwrap().method.as_deref(),
            Some("Previously satisfied")
        );
        let s = SignIn {
            mfa_method: Some("Text message".into()),
            ..with_details("MFA successfully completed")
        };
        assert_eq!(
            classify(&s).unwrap().method.as_deref(),
            Some("Text message")
        );
        let s = SignIn {
            mfa_method: Some("none".into()),
            ..with_details("MFA successfully completed")
        };
        assert_eq!(classify(&s).unwrap().method, None);
    }
}
