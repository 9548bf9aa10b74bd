//! The method catalog: every MSOnline `MethodType`, Graph `methodsRegistered` /
//! `defaultMfaMethod` / preferred-method value and sign-in step wording, mapped to one canonical
//! method with a display name and a strength class. Unknown names are kept verbatim as "other".

use std::collections::HashMap;

use foldhash::fast::RandomState;
use serde::Serialize;

use super::names;

/// How strong a method is, for the audit's charts and flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strength {
    /// FIDO2, passkeys, Windows Hello for Business, certificates, platform credentials.
    PhishingResistant,
    /// Microsoft Authenticator push or passwordless, software and hardware OATH.
    AppBased,
    /// SMS and voice calls.
    Telephony,
    /// Email, security questions, passwords: not MFA methods.
    NotMfa,
    /// Not in the catalog, or transitional (Temporary Access Pass).
    Other,
}

impl Strength {
    pub fn label(self) -> &'static str {
        match self {
            PhishingResistant => "phishing-resistant",
            AppBased => "app-based",
            Telephony => "telephony",
            NotMfa => "not MFA",
            Other => "other",
        }
    }
}

/// One row of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Method {
    /// Stable id (`authenticator-push`).
    pub id: &'static str,
    pub display: &'static str,
    pub strength: Strength,
    /// Counts towards "registered for MFA".
    pub is_mfa: bool,
}

const fn m(id: &'static str, display: &'static str, strength: Strength, is_mfa: bool) -> Method {
    Method {
        id,
        display,
        strength,
        is_mfa,
    }
}

use Strength::*;

/// Canonical methods.
pub const FIDO2: Method = m("fido2", "FIDO2 security key", PhishingResistant, true);
pub const PASSKEY: Method = m("passkey", "Passkey", PhishingResistant, true);
pub const WHFB: Method = m(
    "windows-hello",
    "Windows Hello for Business",
    PhishingResistant,
    true,
);
pub const MACOS: Method = m(
    "macos-platform-credential",
    "Platform credential for macOS",
    PhishingResistant,
    true,
);
pub const CERTIFICATE: Method = m(
    "certificate",
    "Certificate-based authentication",
    PhishingResistant,
    true,
);
pub const PUSH: Method = m(
    "authenticator-push",
    "Microsoft Authenticator (push)",
    AppBased,
    true,
);
pub const PASSWORDLESS: Method = m(
    "authenticator-passwordless",
    "Microsoft Authenticator (passwordless)",
    AppBased,
    true,
);
pub const SOFTWARE_OATH: Method = m(
    "software-oath",
    "Authenticator app or software OATH code",
    AppBased,
    true,
);
pub const HARDWARE_OATH: Method = m("hardware-oath", "Hardware OATH token", AppBased, true);
pub const SMS: Method = m("sms", "Text message (SMS)", Telephony, true);
pub const MOBILE_PHONE: Method = m(
    "mobile-phone",
    "Mobile phone (SMS or voice)",
    Telephony,
    true,
);
pub const VOICE_MOBILE: Method = m(
    "voice-mobile",
    "Voice call to mobile phone",
    Telephony,
    true,
);
pub const VOICE_ALTERNATE: Method = m(
    "voice-alternate",
    "Voice call to alternate phone",
    Telephony,
    true,
);
pub const VOICE_OFFICE: Method = m(
    "voice-office",
    "Voice call to office phone",
    Telephony,
    true,
);
pub const EMAIL: Method = m("email", "Email (SSPR only)", NotMfa, false);
pub const SECURITY_QUESTIONS: Method = m(
    "security-questions",
    "Security questions (SSPR only)",
    NotMfa,
    false,
);
pub const PASSWORD: Method = m("password", "Password", NotMfa, false);
pub const APP_PASSWORD: Method = m("app-password", "App password", NotMfa, false);
pub const TAP: Method = m(
    "temporary-access-pass",
    "Temporary Access Pass",
    Other,
    false,
);
pub const EXTERNAL: Method = m("external", "External authentication method", Other, true);

/// Every known name (compared lower-case, spaces removed) and its method.
pub const NAMES: &[(&str, Method)] = &[
    // MSOnline StrongAuthenticationMethods[].MethodType
    ("onewaysms", SMS),
    ("twowayvoicemobile", VOICE_MOBILE),
    ("twowayvoicealternatemobile", VOICE_ALTERNATE),
    ("twowayvoiceoffice", VOICE_OFFICE),
    ("phoneappotp", SOFTWARE_OATH),
    ("phoneappnotification", PUSH),
    // Graph methodsRegistered / defaultMfaMethod / usageAuthMethod
    ("mobilephone", MOBILE_PHONE),
    ("alternatemobilephone", VOICE_ALTERNATE),
    ("officephone", VOICE_OFFICE),
    ("microsoftauthenticatorpush", PUSH),
    ("microsoftauthenticatorpasswordless", PASSWORDLESS),
    ("softwareonetimepasscode", SOFTWARE_OATH),
    ("hardwareonetimepasscode", HARDWARE_OATH),
    ("fido2", FIDO2),
    ("fido2securitykey", FIDO2),
    ("fido", FIDO2),
    ("passkeydevicebound", PASSKEY),
    ("passkeydeviceboundauthenticator", PASSKEY),
    ("passkeydeviceboundwindowshello", PASSKEY),
    ("passkeysynced", PASSKEY),
    ("windowshelloforbusiness", WHFB),
    ("macossecureenclavekey", MACOS),
    ("x509certificate", CERTIFICATE),
    ("certificatebasedauthentication", CERTIFICATE),
    ("email", EMAIL),
    ("securityquestion", SECURITY_QUESTIONS),
    ("password", PASSWORD),
    ("apppassword", APP_PASSWORD),
    ("temporaryaccesspass", TAP),
    ("externalauthmethod", EXTERNAL),
    ("mobilesms", SMS),
    ("mobilecall", VOICE_MOBILE),
    ("alternatemobilecall", VOICE_ALTERNATE),
    ("appnotification", PUSH),
    ("appcode", SOFTWARE_OATH),
    // userPreferredMethodForSecondaryAuthentication / systemPreferredAuthenticationMethods
    ("push", PUSH),
    ("oath", SOFTWARE_OATH),
    ("sms", SMS),
    ("voicemobile", VOICE_MOBILE),
    ("voicealternatemobile", VOICE_ALTERNATE),
    ("voiceoffice", VOICE_OFFICE),
    // Sign-in authenticationDetails[].authenticationMethod and mfaDetail.authMethod wording
    ("textmessage", SMS),
    ("mobileappnotification", PUSH),
    ("mobileappverificationcode", SOFTWARE_OATH),
    ("authenticatorapp", PUSH),
    ("softwareoathtoken", SOFTWARE_OATH),
    ("oathverificationcode", SOFTWARE_OATH),
    ("voice", VOICE_MOBILE),
    ("phonecall(authenticationphone)", VOICE_MOBILE),
    ("phonecall(officephone)", VOICE_OFFICE),
    ("phonecall(alternateauthenticationphone)", VOICE_ALTERNATE),
    ("passwordlessphonesignin", PASSWORDLESS),
    ("fido2securitykey", FIDO2),
    (
        "x509certificate(certificatebasedauthentication)",
        CERTIFICATE,
    ),
    ("temporaryaccesspass", TAP),
    // Script-flattened CSV headers (Extractor-Suite AuthenticationMethods.csv)
    ("app", PUSH),
    ("phone", MOBILE_PHONE),
    ("softwareoath", SOFTWARE_OATH),
    ("hellobusiness", WHFB),
    ("certificatebasedauthconfiguration", CERTIFICATE),
];

/// The spellings exports use, exactly as they write them: a name read from a file that is one of
/// these is kept as a reference to this table instead of a copy (a tenant has millions of them).
pub const SPELLINGS: &[&str] = &[
    "OneWaySMS",
    "TwoWayVoiceMobile",
    "TwoWayVoiceAlternateMobile",
    "TwoWayVoiceOffice",
    "PhoneAppOTP",
    "PhoneAppNotification",
    "mobilePhone",
    "alternateMobilePhone",
    "officePhone",
    "microsoftAuthenticatorPush",
    "microsoftAuthenticatorPasswordless",
    "softwareOneTimePasscode",
    "hardwareOneTimePasscode",
    "fido2",
    "fido2SecurityKey",
    "passKeyDeviceBound",
    "passKeyDeviceBoundAuthenticator",
    "passKeyDeviceBoundWindowsHello",
    "passKeySynced",
    "windowsHelloForBusiness",
    "macOsSecureEnclaveKey",
    "x509Certificate",
    "email",
    "securityQuestion",
    "temporaryAccessPass",
    "externalAuthMethod",
    "push",
    "oath",
    "sms",
    "voiceMobile",
    "voiceAlternateMobile",
    "voiceOffice",
];

/// A method name as read: borrowed from [`SPELLINGS`] when it is one of them, else kept.
pub fn intern(name: String) -> std::borrow::Cow<'static, str> {
    static KNOWN: std::sync::LazyLock<std::collections::HashSet<&'static str, RandomState>> =
        std::sync::LazyLock::new(|| SPELLINGS.iter().copied().collect());
    match KNOWN.get(name.as_str()) {
        Some(s) => std::borrow::Cow::Borrowed(s),
        None => std::borrow::Cow::Owned(name),
    }
}

/// Looks a name up in any vocabulary, case- and space-insensitively. `None` for unknown names and
/// for `none`/empty (no method).
pub fn lookup(name: &str) -> Option<Method> {
    // Exports repeat a few dozen spellings millions of times: each is worked out once per thread.
    thread_local! {
        static SEEN: super::Spellings<Option<Method>> = Default::default();
    }
    super::remembered(&SEEN, name, lookup_uncached)
}

/// [`lookup`] itself: the name's [key](super::names::key) in the catalog.
fn lookup_uncached(name: &str) -> Option<Method> {
    /// The catalog's keys, hashed (the first spelling of a key wins, as a scan would find it).
    static BY_KEY: std::sync::LazyLock<HashMap<&'static [u8], Method, RandomState>> =
        std::sync::LazyLock::new(|| {
            let mut map = HashMap::default();
            for (key, method) in NAMES {
                map.entry(key.as_bytes()).or_insert(*method);
            }
            map
        });
    names::with_key(name, |key| BY_KEY.get(key).copied())
}

/// True when the name is a method at all (not `none`, not empty).
pub fn is_some_method(name: &str) -> bool {
    !names::is_blank(name) && !names::same(name, "none")
}

/// Counts towards "registered for MFA": the catalog's MFA methods only. An unknown name is kept (as
/// "other") and shown, but never makes a user registered: a name mfaudit cannot place is not proof
/// of a second factor.
pub fn counts_as_mfa(name: &str) -> bool {
    match lookup(name) {
        Some(m) => m.is_mfa,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_walk() {
        for (name, method) in NAMES {
            assert_eq!(names::key(name), *name, "catalog keys are keys");
            assert_eq!(lookup(name), Some(*method));
        }
        assert_eq!(lookup("OneWaySms"), Some(SMS));
        assert_eq!(lookup("Mobile app notification"), Some(PUSH));
        assert_eq!(lookup("FIDO2 security key"), Some(FIDO2));
        assert!(counts_as_mfa("microsoftAuthenticatorPush"));
        assert!(!counts_as_mfa("email"));
        assert!(!counts_as_mfa("securityQuestion"));
        assert!(!counts_as_mfa("somethingNew"));
        assert_eq!(lookup("somethingNew"), None);
        assert!(!is_some_method("none"));
    }

    #[test]
    fn hashed_lookup_agrees_with_a_scan() {
        let scan = |name: &str| {
            NAMES
                .iter()
                .find(|(n, _)| names::same(name, n))
                .map(|(_, m)| *m)
        };
        let long = "a".repeat(100);
        for name in [
            "Mobile app notification",
            " O N E W A Y S M S ",
            "one\u{a0}way\u{2003}sms",
            "ONEWAYSMS\t",
            "öneWaySms",
            "oneWaySms\u{0}",
            "",
            "   ",
            "none",
            long.as_str(),
            "FIDO2 security key",
            "K\u{212a}",
            "one\u{b}way\u{c}sms",
            "\u{b}",
            " N o N e ",
            "nonesuch",
        ] {
            assert_eq!(lookup(name), scan(name), "{name:?}");
            let k = names::key(name);
            assert_eq!(
                is_some_method(name),
                !k.is_empty() && k != "none",
                "{name:?}"
            );
        }
    }
}
