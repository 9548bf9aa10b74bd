//! Synthetic tenant generator for benchmarks and smoke tests (issue 7).
//!
//! ```text
//! cargo run --release --example gen_tenant -- --users N --signins M --seed S --out DIR [--shapes all|LIST] [--noninteractive K]
//! ```
//!
//! Writes one tenant — the same users and the same sign-ins — in every input shape mfaudit reads,
//! deterministically from the seed (a hand-written splitmix64; no `rand` crate). Directory exports go
//! under `DIR/users/`, sign-in logs under `DIR/signins/`, and `DIR/manifest.txt` lists each file with
//! its size and record count. The byte rules follow `../shared/docs/formats.md` and
//! `../shared/docs/powershell.md` (5.1's JavaScriptSerializer escapes and re-indent pass, CLIXML
//! framing); what those documents mark as unverified is generated as they describe it.
//!
//! Shapes (`--shapes` takes a comma list): msol51 msol7 clixml regdetails regcsv users states
//! graph-signins portal-json portal-csv azure-monitor log-analytics.
//!
//! `--policies P --groups G --nesting D --role-assignments R` adds the tenant's configuration under
//! `DIR/config/` (issue 20): P Conditional Access policies of every kind the evaluation tells apart,
//! G groups with members nested D deep, R directory role assignments, security defaults off.
//!
//! `--noninteractive K` adds K non-interactive sign-ins (token refreshes, the bulk of a real log)
//! as their own Azure Monitor archive under `DIR/signins/noninteractive/`, from a stream of their
//! own: the other files are the same bytes with or without it.

#![allow(
    clippy::print_stdout,
    reason = "a command-line tool of its own: its manifest is its output"
)]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

// ---------------------------------------------------------------------------------------------
// Randomness: splitmix64, so a seed gives the same tenant on every platform and Rust version.

struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0); the modulo bias is irrelevant here.
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
    fn guid(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Dates: milliseconds since the Unix epoch, UTC.

fn civil(ms: i64) -> (i64, u32, u32, u32, u32, u32, u32) {
    let secs = ms.div_euclid(1000);
    let milli = ms.rem_euclid(1000) as u32;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400) as u32;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, sod / 3600, (sod / 60) % 60, sod % 60, milli)
}

/// `2025-05-01T08:30:00Z` (Graph, PowerShell 7, CLIXML `DT`).
fn iso_z(ms: i64) -> String {
    let (y, mo, d, h, mi, s, _) = civil(ms);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// ISO with 7 fractional digits and a suffix (`Z` or `+00:00`), as Azure Monitor writes it.
fn iso7(ms: i64, sub: u32, suffix: &str) -> String {
    let (y, mo, d, h, mi, s, milli) = civil(ms);
    format!(
        "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:07}{suffix}",
        milli * 10_000 + sub % 10_000
    )
}

/// ISO with trailing fractional zeros trimmed (registration report `lastUpdatedDateTime`).
fn iso_trimmed(ms: i64, sub: u32) -> String {
    let (y, mo, d, h, mi, s, milli) = civil(ms);
    let frac = format!("{:07}", milli * 10_000 + sub % 10_000);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    } else {
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{frac}Z")
    }
}

/// The Log Analytics UI form: `9/19/2023, 1:45:17.287 PM`.
fn la_date(ms: i64) -> String {
    let (y, mo, d, h, mi, s, milli) = civil(ms);
    let (h12, ampm) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    format!("{mo}/{d}/{y}, {h12}:{mi:02}:{s:02}.{milli:03} {ampm}")
}

const DAY_MS: i64 = 86_400_000;
/// 2025-05-01T00:00:00Z: the first sign-in of the generated month.
const LOG_START_MS: i64 = 1_746_057_600_000;

// ---------------------------------------------------------------------------------------------
// Vocabulary of the tenant.

const FIRST: &[&str] = &[
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Margaret",
    "Ken",
    "Barbara",
    "Dennis",
    "Radia",
    "Edsger",
    "Frances",
    "John",
    "Katherine",
    "Tim",
    "Hedy",
    "Donald",
    "Joan",
    "Niklaus",
    "Sophie",
    "Brian",
    "Zoë",
    "José",
    "Renée",
    "Jürgen",
    "Søren",
    "Łukasz",
    "Chloé",
    "Mónica",
    "Siobhán",
    "Björn",
];
const LAST: &[&str] = &[
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Thompson",
    "Liskov",
    "Ritchie",
    "Perlman",
    "Dijkstra",
    "Allen",
    "Backus",
    "Johnson",
    "Berners-Lee",
    "Lamarr",
    "Knuth",
    "Clarke",
    "Wirth",
    "Wilson",
    "Kernighan",
    "O'Brien",
    "Müller",
    "García",
    "Núñez",
    "Öztürk",
    "Smith",
    "Nakamura",
    "Okafor",
    "Dubois",
    "Kowalski",
];
const DEPARTMENTS: &[&str] = &[
    "Sales",
    "Finance",
    "Engineering",
    "Human Resources",
    "Legal",
    "Marketing",
    "Support",
    "R&D",
];
const TITLES: &[&str] = &[
    "Analyst",
    "Engineer",
    "Manager",
    "Director",
    "Consultant",
    "Intern",
    "Accountant",
    "Architect",
];
/// (city, state, country, latitude, longitude, first IP octets, ASN)
const PLACES: &[(&str, &str, &str, &str, &str, &str, u32)] = &[
    (
        "Redmond",
        "Washington",
        "US",
        "47.6740",
        "-122.1215",
        "203.0.113",
        8075,
    ),
    (
        "Paris",
        "Paris",
        "FR",
        "48.8566",
        "2.3522",
        "198.51.100",
        3215,
    ),
    (
        "Madrid", "Madrid", "ES", "40.4168", "-3.7038", "192.0.2", 3352,
    ),
    (
        "Berlin",
        "Berlin",
        "DE",
        "52.5200",
        "13.4050",
        "203.0.113",
        3320,
    ),
    (
        "London",
        "England",
        "GB",
        "51.5072",
        "-0.1276",
        "198.51.100",
        2856,
    ),
    (
        "Bengaluru",
        "Karnataka",
        "IN",
        "12.9716",
        "77.5946",
        "192.0.2",
        55836,
    ),
    (
        "São Paulo",
        "São Paulo",
        "BR",
        "-23.5505",
        "-46.6333",
        "203.0.113",
        28573,
    ),
];
const COUNTRY_NAMES: &[&str] = &[
    "United States",
    "France",
    "Spain",
    "Germany",
    "United Kingdom",
    "India",
    "Brazil",
];
const GUEST_HOMES: &[&str] = &[
    "fabrikam.com",
    "outlook.com",
    "gmail.com",
    "northwind.example",
];
/// (app id, name, resource id, resource name)
const APPS: &[(&str, &str, &str, &str)] = &[
    (
        "00000002-0000-0ff1-ce00-000000000000",
        "Office 365 Exchange Online",
        "00000002-0000-0ff1-ce00-000000000000",
        "Office 365 Exchange Online",
    ),
    (
        "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
        "Azure Portal",
        "797f4846-ba00-4fd7-ba43-dac1f8f63013",
        "Windows Azure Service Management API",
    ),
    (
        "1fec8e78-bce4-4aaf-ab1b-5451cc387264",
        "Microsoft Teams",
        "00000003-0000-0000-c000-000000000000",
        "Microsoft Graph",
    ),
    (
        "4765445b-32c6-49b0-83e6-1d93765276ca",
        "OfficeHome",
        "00000003-0000-0ff1-ce00-000000000000",
        "Office 365 SharePoint Online",
    ),
    (
        "d3590ed6-52b3-4102-aeff-aad2292ab01c",
        "Microsoft Office",
        "00000003-0000-0000-c000-000000000000",
        "Microsoft Graph",
    ),
];
/// (user agent, operating system, browser, client app)
const CLIENTS: &[(&str, &str, &str, &str)] = &[
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
        "Windows10",
        "Edge 124.0.2478",
        "Browser",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
        "MacOs",
        "Safari 17.4",
        "Browser",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
        "Ios 17.4",
        "Mobile Safari",
        "Mobile Apps and Desktop clients",
    ),
    (
        "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17531; Pro)",
        "Windows10",
        "",
        "Mobile Apps and Desktop clients",
    ),
];
const SKUS: &[&str] = &[
    "ENTERPRISEPACK",
    "SPE_E5",
    "EMS",
    "FLOW_FREE",
    "POWER_BI_STANDARD",
];

/// MFA result words of formats.md §5.8 that mean the requirement was satisfied.
const SATISFIED: &[&str] = &[
    "completed in the cloud",
    "has expired due to the policies configured on tenant",
    "registration prompted",
    "satisfied by claim in the token",
    "satisfied by claim provided by external provider",
    "satisfied by strong authentication",
    "skipped as flow exercised was Windows broker logon flow",
    "skipped due to app password",
    "skipped due to location",
    "skipped due to registered device",
    "skipped due to remembered device",
    "successfully completed",
];
/// MFA result words of formats.md §5.8 that mean the challenge was denied.
const DENIED: &[&str] = &[
    "authentication in-progress",
    "duplicate authentication attempt",
    "entered incorrect code too many times",
    "invalid authentication",
    "invalid mobile app verification code",
    "misconfiguration",
    "phone call went to voicemail",
    "phone number has an invalid format",
    "service error",
    "unable to reach the user's phone",
    "unable to send the mobile app notification to the device",
    "unable to send the mobile app notification",
    "user declined the authentication",
    "user did not respond to mobile app notification",
    "user does not have any verification methods registered",
    "user entered incorrect code",
    "user entered incorrect PIN",
    "user hung up the phone call without succeeding the authentication",
    "user is blocked",
    "user never entered the verification code",
    "user not found",
    "verification code already used once",
];
/// Not in the documented list; the wording fraud reports are assumed to take (unverified).
const FRAUD_WORDS: &str = "user reported fraud";
const FAILURE_500121: &str = "Authentication failed during strong authentication request.";

// ---------------------------------------------------------------------------------------------
// Methods: one row per profile, with the MSOnline MethodTypes and the Graph names a user with that
// profile shows. The strength classes of issue 3 are all covered.

/// Sign-in display name of a second factor.
#[derive(Clone, Copy, PartialEq)]
enum Factor {
    Push,
    Oath,
    Sms,
    Voice,
    Fido2,
    Hello,
    Passwordless,
}

impl Factor {
    fn display(self) -> &'static str {
        match self {
            Factor::Push => "Mobile app notification",
            Factor::Oath => "OATH verification code",
            Factor::Sms => "Text message",
            Factor::Voice => "Phone call",
            Factor::Fido2 => "FIDO2 security key",
            Factor::Hello => "Windows Hello for Business",
            Factor::Passwordless => "Passwordless phone sign-in",
        }
    }
}

struct Profile {
    weight: u32,
    /// (MethodType, IsDefault)
    msol: &'static [(&'static str, bool)],
    graph: &'static [&'static str],
    graph_default: &'static str,
    system_preferred: &'static str,
    factors: &'static [Factor],
}

const PROFILES: &[Profile] = &[
    Profile {
        weight: 300,
        msol: &[],
        graph: &[],
        graph_default: "none",
        system_preferred: "none",
        factors: &[],
    },
    Profile {
        weight: 260,
        msol: &[("PhoneAppNotification", true), ("PhoneAppOTP", false)],
        graph: &["microsoftAuthenticatorPush", "softwareOneTimePasscode"],
        graph_default: "microsoftAuthenticatorPush",
        system_preferred: "push",
        factors: &[Factor::Push, Factor::Oath],
    },
    Profile {
        weight: 110,
        msol: &[
            ("PhoneAppNotification", true),
            ("PhoneAppOTP", false),
            ("OneWaySMS", false),
            ("TwoWayVoiceMobile", false),
        ],
        graph: &[
            "microsoftAuthenticatorPush",
            "softwareOneTimePasscode",
            "mobilePhone",
        ],
        graph_default: "microsoftAuthenticatorPush",
        system_preferred: "push",
        factors: &[Factor::Push, Factor::Sms],
    },
    Profile {
        weight: 90,
        msol: &[("OneWaySMS", true), ("TwoWayVoiceMobile", false)],
        graph: &["mobilePhone"],
        graph_default: "mobilePhone",
        system_preferred: "sms",
        factors: &[Factor::Sms, Factor::Voice],
    },
    Profile {
        weight: 25,
        msol: &[("TwoWayVoiceOffice", true)],
        graph: &["officePhone"],
        graph_default: "officePhone",
        system_preferred: "voiceOffice",
        factors: &[Factor::Voice],
    },
    Profile {
        weight: 20,
        msol: &[
            ("TwoWayVoiceMobile", true),
            ("TwoWayVoiceAlternateMobile", false),
        ],
        graph: &["mobilePhone", "alternateMobilePhone"],
        graph_default: "mobilePhone",
        system_preferred: "voiceMobile",
        factors: &[Factor::Voice],
    },
    Profile {
        weight: 40,
        msol: &[("PhoneAppOTP", true)],
        graph: &["softwareOneTimePasscode"],
        graph_default: "softwareOneTimePasscode",
        system_preferred: "oath",
        factors: &[Factor::Oath],
    },
    Profile {
        weight: 10,
        msol: &[],
        graph: &["hardwareOneTimePasscode"],
        graph_default: "none",
        system_preferred: "oath",
        factors: &[Factor::Oath],
    },
    Profile {
        weight: 30,
        msol: &[],
        graph: &["fido2SecurityKey"],
        graph_default: "none",
        system_preferred: "none",
        factors: &[Factor::Fido2],
    },
    Profile {
        weight: 50,
        msol: &[("PhoneAppNotification", true), ("PhoneAppOTP", false)],
        graph: &[
            "windowsHelloForBusiness",
            "microsoftAuthenticatorPush",
            "softwareOneTimePasscode",
        ],
        graph_default: "microsoftAuthenticatorPush",
        system_preferred: "push",
        factors: &[Factor::Hello, Factor::Push],
    },
    Profile {
        weight: 25,
        msol: &[("PhoneAppNotification", true)],
        graph: &[
            "passKeyDeviceBound",
            "microsoftAuthenticatorPasswordless",
            "microsoftAuthenticatorPush",
        ],
        graph_default: "microsoftAuthenticatorPush",
        system_preferred: "push",
        factors: &[Factor::Passwordless, Factor::Push],
    },
    Profile {
        weight: 25,
        msol: &[],
        graph: &["email", "securityQuestion"],
        graph_default: "none",
        system_preferred: "none",
        factors: &[],
    },
    Profile {
        weight: 10,
        msol: &[],
        graph: &["temporaryAccessPass"],
        graph_default: "none",
        system_preferred: "none",
        factors: &[],
    },
    Profile {
        weight: 5,
        msol: &[("PhoneAppNotification", false), ("PhoneAppOTP", false)],
        graph: &["microsoftAuthenticatorPush", "softwareOneTimePasscode"],
        graph_default: "microsoftAuthenticatorPush",
        system_preferred: "push",
        factors: &[Factor::Push],
    },
];

#[derive(Clone, Copy, PartialEq)]
enum State {
    Disabled,
    Enabled,
    Enforced,
}

struct User {
    id: String,
    /// The directory's form: original case, `#EXT#` for guests.
    upn: String,
    /// The sign-in logs' form: lower case, home form for guests.
    signin_upn: String,
    first: &'static str,
    last: &'static str,
    display: String,
    guest: bool,
    /// `None`: BlockCredential missing from the export (PowerShell drops such users from P1/P2).
    blocked: Option<bool>,
    state: State,
    profile: &'static Profile,
    licensed: bool,
    sku: &'static str,
    admin: bool,
    phone: String,
    place: usize,
    department: &'static str,
    title: &'static str,
    created_ms: i64,
    password_ms: i64,
    synced: bool,
    immutable: String,
    devices: Vec<(String, String, String)>,
    /// Push fatigue target: gets bursts of denied pushes.
    fatigue: bool,
    /// Reports a fraudulent prompt once.
    fraud: bool,
}

fn ascii_fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let r = match c {
            'ë' | 'é' | 'è' => "e",
            'É' => "E",
            'ü' => "u",
            'ö' | 'ø' | 'ó' => "o",
            'Ö' => "O",
            'Ø' => "O",
            'ł' => "l",
            'Ł' => "L",
            'á' | 'ã' => "a",
            'í' => "i",
            'ú' => "u",
            'ñ' => "n",
            '\'' | ' ' => "",
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push_str(r);
    }
    out
}

fn make_users(rng: &mut Rng, n: usize) -> Vec<User> {
    let total_weight: u32 = PROFILES.iter().map(|p| p.weight).sum();
    let mut users = Vec::with_capacity(n);
    for i in 0..n {
        let first = rng.pick(FIRST);
        let last = rng.pick(LAST);
        let guest = rng.chance(0.08);
        let local = format!("{}.{}{}", ascii_fold(first), ascii_fold(last), i + 1);
        let (upn, signin_upn) = if guest {
            let home = rng.pick(GUEST_HOMES);
            (
                format!(
                    "{}_{}#EXT#@contoso.onmicrosoft.com",
                    local.to_lowercase(),
                    home
                ),
                format!("{}@{}", local.to_lowercase(), home),
            )
        } else {
            (
                format!("{local}@contoso.com"),
                format!("{local}@contoso.com").to_lowercase(),
            )
        };
        let mut w = rng.below(u64::from(total_weight)) as u32;
        let mut profile = &PROFILES[0];
        for p in PROFILES {
            if w < p.weight {
                profile = p;
                break;
            }
            w -= p.weight;
        }
        // Guests rarely register in the resource tenant.
        if guest && rng.chance(0.7) {
            profile = &PROFILES[0];
        }
        let blocked = if rng.chance(0.002) {
            None
        } else {
            Some(rng.chance(0.06))
        };
        let state = match rng.below(100) {
            0..=64 => State::Disabled,
            65..=76 => State::Enabled,
            _ => State::Enforced,
        };
        let created_ms = LOG_START_MS - (rng.below(6 * 365) as i64 + 30) * DAY_MS
            + rng.below(DAY_MS as u64) as i64;
        let password_ms = created_ms + (rng.below(200) as i64) * DAY_MS;
        let synced = !guest && rng.chance(0.4);
        let mut immutable = String::new();
        if synced {
            for _ in 0..22 {
                immutable.push(rng.pick(&[
                    'A', 'b', 'C', 'd', 'E', 'f', 'G', 'h', 'k', 'M', 'n', 'Q', 'r', 'T', 'w', 'X',
                    'z', '0', '3', '7', '9', '+', '/',
                ]));
            }
            immutable.push_str("==");
        }
        let has_app = profile.msol.iter().any(|m| m.0.starts_with("PhoneApp"));
        let mut devices = vec![];
        if has_app {
            for _ in 0..(1 + usize::from(rng.chance(0.15))) {
                devices.push((
                    rng.pick(&["iPhone 15", "Pixel 8", "SM-S918B", "iPhone 13 mini"])
                        .to_string(),
                    rng.guid(),
                    format!("6.{}.{}", 2400 + rng.below(12), rng.below(9000) + 100),
                ));
            }
        }
        let sku: &'static str = rng.pick(SKUS);
        let department: &'static str = rng.pick(DEPARTMENTS);
        let title: &'static str = rng.pick(TITLES);
        users.push(User {
            id: rng.guid(),
            upn,
            signin_upn,
            first,
            last,
            display: format!("{first} {last}"),
            guest,
            blocked,
            state,
            profile,
            licensed: !guest && rng.chance(0.9),
            sku,
            admin: !guest && rng.chance(0.01),
            phone: format!("+1 425555{:04}", rng.below(10_000)),
            place: rng.below(PLACES.len() as u64) as usize,
            department,
            title,
            created_ms,
            password_ms,
            synced,
            immutable,
            devices,
            fatigue: false,
            fraud: false,
        });
    }
    // A few push-fatigue targets and fraud reporters among the enabled users with push.
    let pushers: Vec<usize> = (0..n)
        .filter(|&i| {
            users[i].profile.factors.contains(&Factor::Push) && users[i].blocked == Some(false)
        })
        .collect();
    if !pushers.is_empty() {
        let fatigue = (n / 2000).clamp(3, 500);
        for _ in 0..fatigue {
            let i = pushers[rng.below(pushers.len() as u64) as usize];
            users[i].fatigue = true;
        }
        for _ in 0..(n / 5000).clamp(2, 200) {
            let i = pushers[rng.below(pushers.len() as u64) as usize];
            users[i].fraud = true;
        }
    }
    users
}

// ---------------------------------------------------------------------------------------------
// A small ordered JSON tree, because the three JSON dialects (5.1, 7, Graph) differ only in how
// they print the same values.

enum J {
    Null,
    B(bool),
    I(i64),
    S(String),
    /// A DateTime (ms since the epoch, UTC).
    Date(i64),
    A(Vec<J>),
    O(Vec<(&'static str, J)>),
}

fn s(v: impl Into<String>) -> J {
    J::S(v.into())
}

/// JavaScriptSerializer's string escapes (5.1): also `'`, `<`, `>`, `&` as `\u00XX`.
fn escape_51(out: &mut String, v: &str) {
    out.push('"');
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20
                || matches!(
                    c,
                    '\'' | '<' | '>' | '&' | '\u{85}' | '\u{2028}' | '\u{2029}'
                ) =>
            {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Newtonsoft's and serde-style escapes (PowerShell 7, Graph, Azure Monitor).
fn escape_std(out: &mut String, v: &str) {
    out.push('"');
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}') => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// JavaScriptSerializer's compact text (5.1 `ConvertTo-Json -Compress`).
fn compact_51(j: &J, out: &mut String) {
    match j {
        J::Null => out.push_str("null"),
        J::B(b) => out.push_str(if *b { "true" } else { "false" }),
        J::I(i) => {
            let _ = write!(out, "{i}");
        }
        J::S(v) => escape_51(out, v),
        J::Date(ms) => {
            let _ = write!(out, "\"\\/Date({ms})\\/\"");
        }
        J::A(items) => {
            out.push('[');
            for (k, it) in items.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                compact_51(it, out);
            }
            out.push(']');
        }
        J::O(members) => {
            out.push('{');
            for (k, (key, v)) in members.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                escape_51(out, key);
                out.push(':');
                compact_51(v, out);
            }
            out.push('}');
        }
    }
}

fn spaces(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

/// Windows PowerShell 5.1's re-indent pass over compact JSON (powershell.md §6.3): not JSON-aware,
/// `":  "` after keys, nested containers aligned 4 columns right of where their key started plus
/// the length of `"key":  `, CRLF, `[`⏎⏎`]` for empty containers. `src[*pos]` is just after the
/// opening bracket; on return it is just after the closing one.
fn reindent_51(
    src: &[u8],
    pos: &mut usize,
    out: &mut String,
    base: usize,
    extra: usize,
    object: bool,
) {
    out.push_str("\r\n");
    let indent = base + extra + 4;
    let mut at_member_start = true;
    let mut before_colon = object;
    let mut key_len = 0usize;
    while *pos < src.len() {
        let c = src[*pos];
        match c {
            b'"' => {
                if at_member_start {
                    spaces(out, indent);
                    at_member_start = false;
                }
                let start = *pos;
                *pos += 1;
                while *pos < src.len() && src[*pos] != b'"' {
                    if src[*pos] == b'\\' {
                        *pos += 1;
                    }
                    *pos += 1;
                }
                *pos += 1;
                let text = &src[start..*pos];
                // The compact text was built from a String: always UTF-8 on char boundaries here.
                out.push_str(std::str::from_utf8(text).unwrap_or(""));
                if before_colon {
                    key_len += text.len();
                }
                continue;
            }
            b':' if object && before_colon => {
                out.push_str(":  ");
                key_len += 3;
                before_colon = false;
            }
            b',' => {
                out.push_str(",\r\n");
                at_member_start = true;
                before_colon = object;
                key_len = 0;
            }
            b'{' | b'[' => {
                let nested_object = c == b'{';
                *pos += 1;
                if object {
                    out.push(c as char);
                    reindent_51(src, pos, out, indent, key_len, nested_object);
                } else {
                    spaces(out, indent);
                    out.push(c as char);
                    reindent_51(src, pos, out, indent, 0, nested_object);
                }
                at_member_start = false;
                continue;
            }
            b'}' | b']' => {
                out.push_str("\r\n");
                spaces(out, base + extra);
                out.push(c as char);
                *pos += 1;
                return;
            }
            _ => {
                if at_member_start {
                    spaces(out, indent);
                    at_member_start = false;
                }
                out.push(c as char);
            }
        }
        *pos += 1;
    }
}

/// Newtonsoft's indented form (PowerShell 7): 2 spaces, `"key": value`, ISO dates.
fn pretty_7(j: &J, out: &mut String, level: usize, nl: &str) {
    match j {
        J::Date(ms) => {
            out.push('"');
            out.push_str(&iso_z(*ms));
            out.push('"');
        }
        J::S(v) => escape_std(out, v),
        J::A(items) if items.is_empty() => out.push_str("[]"),
        J::O(members) if members.is_empty() => out.push_str("{}"),
        J::A(items) => {
            out.push('[');
            for (k, it) in items.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                out.push_str(nl);
                spaces(out, (level + 1) * 2);
                pretty_7(it, out, level + 1, nl);
            }
            out.push_str(nl);
            spaces(out, level * 2);
            out.push(']');
        }
        J::O(members) => {
            out.push('{');
            for (k, (key, v)) in members.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                out.push_str(nl);
                spaces(out, (level + 1) * 2);
                escape_std(out, key);
                out.push_str(": ");
                pretty_7(v, out, level + 1, nl);
            }
            out.push_str(nl);
            spaces(out, level * 2);
            out.push('}');
        }
        other => compact_51(other, out),
    }
}

const EXT_DATA: &str = "System.Runtime.Serialization.ExtensionDataObject";
const SERVICE_STATUS: &str = "Microsoft.Online.Administration.ServiceStatus";

/// A `Get-MsolUser` object as `ConvertTo-Json` (default `-Depth 2`) sees it: items of lists keep
/// their primitive properties, anything deeper is a type-name string.
fn msol_json(u: &User) -> J {
    let p = &PLACES[u.place];
    let methods = J::A(
        u.profile
            .msol
            .iter()
            .map(|(t, d)| {
                J::O(vec![
                    ("ExtensionData", s(EXT_DATA)),
                    ("IsDefault", J::B(*d)),
                    ("MethodType", s(*t)),
                ])
            })
            .collect(),
    );
    let requirements = match u.state {
        State::Disabled => J::A(vec![]),
        st => J::A(vec![J::O(vec![
            ("ExtensionData", s(EXT_DATA)),
            ("RelyingParty", s("*")),
            (
                "RememberDevicesNotIssuedBefore",
                J::Date(u.created_ms + 3 * DAY_MS),
            ),
            (
                "State",
                s(if st == State::Enabled {
                    "Enabled"
                } else {
                    "Enforced"
                }),
            ),
        ])]),
    };
    let registered = !u.profile.msol.is_empty();
    let details = if registered {
        J::O(vec![
            ("ExtensionData", J::O(vec![])),
            ("AlternativePhoneNumber", J::Null),
            (
                "Email",
                s(format!(
                    "{}@example.org",
                    ascii_fold(u.first).to_lowercase()
                )),
            ),
            ("OldPin", J::Null),
            ("PhoneNumber", s(u.phone.clone())),
            ("Pin", J::Null),
        ])
    } else {
        J::Null
    };
    let apps = J::A(
        u.devices
            .iter()
            .map(|(name, id, ver)| {
                J::O(vec![
                    ("AuthenticationType", J::I(3)),
                    ("DeviceName", s(name.clone())),
                    ("DeviceTag", s("SoftwareTokenActivated")),
                    ("DeviceToken", s(id[..8].to_string())),
                    ("ExtensionData", s(EXT_DATA)),
                    ("Id", s(id.clone())),
                    ("NotificationType", J::I(4)),
                    ("OathSecretKey", J::Null),
                    ("OathTokenTimeDrift", J::I(0)),
                    ("PhoneAppVersion", s(ver.clone())),
                ])
            })
            .collect(),
    );
    let licenses = if u.licensed {
        J::A(vec![J::O(vec![
            (
                "AccountSku",
                s("Microsoft.Online.Administration.AccountSkuIdentifier"),
            ),
            ("AccountSkuId", s(format!("contoso:{}", u.sku))),
            ("ExtensionData", s(EXT_DATA)),
            ("GroupsAssigningLicense", s("")),
            ("ServiceStatus", s([SERVICE_STATUS; 4].join(" "))),
        ])])
    } else {
        J::A(vec![])
    };
    J::O(vec![
        ("ExtensionData", J::O(vec![])),
        ("AlternateEmailAddresses", J::A(vec![])),
        ("BlockCredential", u.blocked.map_or(J::Null, J::B)),
        ("City", s(p.0)),
        ("Country", s(COUNTRY_NAMES[u.place])),
        ("Department", s(u.department)),
        ("DisplayName", s(u.display.clone())),
        ("FirstName", s(u.first)),
        (
            "ImmutableId",
            if u.synced {
                s(u.immutable.clone())
            } else {
                J::Null
            },
        ),
        ("IsLicensed", J::B(u.licensed)),
        (
            "LastDirSyncTime",
            if u.synced {
                J::Date(LOG_START_MS - 3_600_000)
            } else {
                J::Null
            },
        ),
        ("LastName", s(u.last)),
        ("LastPasswordChangeTimestamp", J::Date(u.password_ms)),
        ("Licenses", licenses),
        (
            "MobilePhone",
            if registered {
                s(u.phone.clone())
            } else {
                J::Null
            },
        ),
        ("ObjectId", s(u.id.clone())),
        (
            "OverallProvisioningStatus",
            J::I(if u.licensed { 1 } else { 0 }),
        ),
        ("PasswordNeverExpires", J::B(false)),
        ("SignInName", s(u.upn.clone())),
        ("StrongAuthenticationMethods", methods),
        ("StrongAuthenticationPhoneAppDetails", apps),
        (
            "StrongAuthenticationProofupTime",
            if registered {
                J::I(u.created_ms / 1000)
            } else {
                J::Null
            },
        ),
        ("StrongAuthenticationRequirements", requirements),
        ("StrongAuthenticationUserDetails", details),
        ("StrongPasswordRequired", J::B(true)),
        ("Title", s(u.title)),
        ("UsageLocation", s(p.2)),
        ("UserPrincipalName", s(u.upn.clone())),
        ("UserType", J::I(i64::from(u.guest))),
        ("ValidationStatus", J::I(1)),
        ("WhenCreated", J::Date(u.created_ms)),
    ])
}

// ---------------------------------------------------------------------------------------------
// Output plumbing.

/// A text file in one of the encodings PowerShell and the portals write.
struct Out {
    w: BufWriter<File>,
    utf16: bool,
    path: PathBuf,
    records: u64,
    buf: Vec<u8>,
}

impl Out {
    fn create(path: PathBuf, utf16: bool, utf8_bom: bool) -> io::Result<Out> {
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&path)?);
        if utf16 {
            w.write_all(&[0xFF, 0xFE])?;
        } else if utf8_bom {
            w.write_all(&[0xEF, 0xBB, 0xBF])?;
        }
        Ok(Out {
            w,
            utf16,
            path,
            records: 0,
            buf: Vec::new(),
        })
    }
    fn put(&mut self, text: &str) -> io::Result<()> {
        if self.utf16 {
            self.buf.clear();
            for unit in text.encode_utf16() {
                self.buf.extend_from_slice(&unit.to_le_bytes());
            }
            self.w.write_all(&self.buf)
        } else {
            self.w.write_all(text.as_bytes())
        }
    }
    fn finish(mut self, manifest: &mut Vec<(PathBuf, u64)>) -> io::Result<()> {
        self.w.flush()?;
        manifest.push((self.path, self.records));
        Ok(())
    }
}

fn csv_writer(path: &Path, bom: bool) -> io::Result<csv::Writer<File>> {
    let mut f = File::create(path)?;
    if bom {
        f.write_all(&[0xEF, 0xBB, 0xBF])?;
    }
    Ok(csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .buffer_capacity(1 << 20)
        .from_writer(f))
}

fn csv_err(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

// ---------------------------------------------------------------------------------------------
// Directory exports.

fn write_msol_51(
    path: PathBuf,
    users: &[User],
    manifest: &mut Vec<(PathBuf, u64)>,
) -> io::Result<()> {
    let mut out = Out::create(path, true, false)?;
    let mut compact = String::new();
    let mut pretty = String::new();
    out.put("[")?;
    pretty.push_str("\r\n");
    for (i, u) in users.iter().enumerate() {
        compact.clear();
        compact_51(&msol_json(u), &mut compact);
        if i > 0 {
            pretty.push_str(",\r\n");
        }
        // An element of the top-level array: on its own line at 4 spaces, content based there.
        spaces(&mut pretty, 4);
        pretty.push('{');
        let mut pos = 1;
        reindent_51(compact.as_bytes(), &mut pos, &mut pretty, 4, 0, true);
        out.put(&pretty)?;
        pretty.clear();
        out.records += 1;
    }
    pretty.push_str("\r\n]");
    out.put(&pretty)?;
    out.finish(manifest)
}

fn write_msol_7(
    path: PathBuf,
    users: &[User],
    manifest: &mut Vec<(PathBuf, u64)>,
) -> io::Result<()> {
    let mut out = Out::create(path, false, false)?;
    let mut text = String::from("[");
    for (i, u) in users.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str("\r\n  ");
        pretty_7(&msol_json(u), &mut text, 1, "\r\n");
        out.put(&text)?;
        text.clear();
        out.records += 1;
    }
    text.push_str("\r\n]");
    out.put(&text)?;
    out.finish(manifest)
}

/// CLIXML text escaping (powershell.md §7.3).
fn clixml_escape(out: &mut String, v: &str) {
    let mut chars = v.chars().peekable();
    while let Some(c) = chars.next() {
        let code = c as u32;
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '_' if matches!(chars.peek(), Some('x' | 'X')) => out.push_str("_x005F_"),
            _ if code < 0x20 || (0x7F..=0x9F).contains(&code) => {
                let _ = write!(out, "_x{code:04X}_");
            }
            _ if code > 0xFFFF => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "_x{:04X}_", unit);
                }
            }
            _ => out.push(c),
        }
    }
}

/// `Export-Clixml` state: object and type-list ids are separate counters; a type list seen before
/// is written as `TNRef`.
struct Clixml {
    text: String,
    next_obj: u64,
    types: Vec<&'static [&'static str]>,
    level: usize,
}

impl Clixml {
    fn line(&mut self, s: &str) {
        spaces(&mut self.text, self.level * 2);
        self.text.push_str(s);
        self.text.push_str("\r\n");
    }
    fn prim(&mut self, tag: &str, name: &str, value: &str) {
        spaces(&mut self.text, self.level * 2);
        let _ = write!(self.text, "<{tag} N=\"{name}\"");
        if value.is_empty() {
            self.text.push_str(" />\r\n");
        } else {
            self.text.push('>');
            clixml_escape(&mut self.text, value);
            let _ = write!(self.text, "</{tag}>\r\n");
        }
    }
    fn nil(&mut self, name: &str) {
        self.line(&format!("<Nil N=\"{name}\" />"));
    }
    fn open_obj(&mut self, name: Option<&str>, types: &'static [&'static str]) {
        let id = self.next_obj;
        self.next_obj += 1;
        match name {
            Some(n) => self.line(&format!("<Obj N=\"{n}\" RefId=\"{id}\">")),
            None => self.line(&format!("<Obj RefId=\"{id}\">")),
        }
        self.level += 1;
        if let Some(t) = self.types.iter().position(|t| std::ptr::eq(*t, types)) {
            self.line(&format!("<TNRef RefId=\"{t}\" />"));
        } else {
            let t = self.types.len();
            self.types.push(types);
            self.line(&format!("<TN RefId=\"{t}\">"));
            self.level += 1;
            for ty in types {
                let mut escaped = String::new();
                clixml_escape(&mut escaped, ty);
                self.line(&format!("<T>{escaped}</T>"));
            }
            self.level -= 1;
            self.line("</TN>");
        }
    }
    fn close(&mut self, tag: &str) {
        self.level -= 1;
        self.line(&format!("</{tag}>"));
    }
    fn enum_obj(&mut self, name: &str, types: &'static [&'static str], text: &str, value: i64) {
        self.open_obj(Some(name), types);
        self.line(&format!("<ToString>{text}</ToString>"));
        self.line(&format!("<I32>{value}</I32>"));
        self.close("Obj");
    }
    /// A `List<T>` property: `<Obj><TN/><LST>items</LST></Obj>`; items written by `each`.
    fn list<T>(
        &mut self,
        name: &str,
        types: &'static [&'static str],
        items: &[T],
        mut each: impl FnMut(&mut Self, &T),
    ) {
        self.open_obj(Some(name), types);
        if items.is_empty() {
            self.line("<LST />");
        } else {
            self.line("<LST>");
            self.level += 1;
            for it in items {
                each(self, it);
            }
            self.close("LST");
        }
        self.close("Obj");
    }
}

static T_USER: &[&str] = &["Microsoft.Online.Administration.User", "System.Object"];
static T_METHOD_LIST: &[&str] = &[
    "System.Collections.Generic.List`1[[Microsoft.Online.Administration.StrongAuthenticationMethod, Microsoft.Online.Administration.PSModule, Version=1.1.183.81, Culture=neutral, PublicKeyToken=31bf3856ad364e35]]",
    "System.Object",
];
static T_METHOD: &[&str] = &[
    "Microsoft.Online.Administration.StrongAuthenticationMethod",
    "System.Object",
];
static T_REQ_LIST: &[&str] = &[
    "System.Collections.Generic.List`1[[Microsoft.Online.Administration.StrongAuthenticationRequirement, Microsoft.Online.Administration.PSModule, Version=1.1.183.81, Culture=neutral, PublicKeyToken=31bf3856ad364e35]]",
    "System.Object",
];
static T_REQ: &[&str] = &[
    "Microsoft.Online.Administration.StrongAuthenticationRequirement",
    "System.Object",
];
static T_APP_LIST: &[&str] = &[
    "System.Collections.Generic.List`1[[Microsoft.Online.Administration.StrongAuthenticationPhoneAppDetail, Microsoft.Online.Administration.PSModule, Version=1.1.183.81, Culture=neutral, PublicKeyToken=31bf3856ad364e35]]",
    "System.Object",
];
static T_APP: &[&str] = &[
    "Microsoft.Online.Administration.StrongAuthenticationPhoneAppDetail",
    "System.Object",
];
static T_DETAILS: &[&str] = &[
    "Microsoft.Online.Administration.StrongAuthenticationUserDetails",
    "System.Object",
];
static T_LICENSE_LIST: &[&str] = &[
    "System.Collections.Generic.List`1[[Microsoft.Online.Administration.UserLicense, Microsoft.Online.Administration.PSModule, Version=1.1.183.81, Culture=neutral, PublicKeyToken=31bf3856ad364e35]]",
    "System.Object",
];
static T_LICENSE: &[&str] = &[
    "Microsoft.Online.Administration.UserLicense",
    "System.Object",
];
static T_STRING_LIST: &[&str] = &[
    "System.Collections.Generic.List`1[[System.String, mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089]]",
    "System.Object",
];
static T_USER_TYPE: &[&str] = &[
    "Microsoft.Online.Administration.UserType",
    "System.Enum",
    "System.ValueType",
    "System.Object",
];
static T_PROV: &[&str] = &[
    "Microsoft.Online.Administration.ProvisioningStatus",
    "System.Enum",
    "System.ValueType",
    "System.Object",
];
static T_VALID: &[&str] = &[
    "Microsoft.Online.Administration.ValidationStatus",
    "System.Enum",
    "System.ValueType",
    "System.Object",
];
static T_EXT: &[&str] = &[
    "System.Runtime.Serialization.ExtensionDataObject",
    "System.Object",
];

/// One live MSOnline user through `Export-Clixml` (default depth 2): the user's adapted properties
/// at depth 1, list items' properties at depth 0 (complex values there become strings).
fn clixml_user(x: &mut Clixml, u: &User) {
    let p = &PLACES[u.place];
    x.open_obj(None, T_USER);
    x.line("<ToString>Microsoft.Online.Administration.User</ToString>");
    x.line("<Props>");
    x.level += 1;
    x.open_obj(Some("ExtensionData"), T_EXT);
    x.line("<ToString>System.Runtime.Serialization.ExtensionDataObject</ToString>");
    x.line("<Props />");
    x.close("Obj");
    x.list(
        "AlternateEmailAddresses",
        T_STRING_LIST,
        &[] as &[&str],
        |_, _| {},
    );
    match u.blocked {
        Some(b) => x.prim("B", "BlockCredential", if b { "true" } else { "false" }),
        None => x.nil("BlockCredential"),
    }
    x.prim("S", "City", p.0);
    x.prim("S", "Country", COUNTRY_NAMES[u.place]);
    x.prim("S", "Department", u.department);
    x.prim("S", "DisplayName", &u.display);
    x.prim("S", "FirstName", u.first);
    if u.synced {
        x.prim("S", "ImmutableId", &u.immutable);
    } else {
        x.nil("ImmutableId");
    }
    x.prim("B", "IsLicensed", if u.licensed { "true" } else { "false" });
    if u.synced {
        x.prim("DT", "LastDirSyncTime", &iso_z(LOG_START_MS - 3_600_000));
    } else {
        x.nil("LastDirSyncTime");
    }
    x.prim("S", "LastName", u.last);
    x.prim("DT", "LastPasswordChangeTimestamp", &iso_z(u.password_ms));
    let licenses: Vec<&User> = if u.licensed { vec![u] } else { vec![] };
    x.list("Licenses", T_LICENSE_LIST, &licenses, |x, u| {
        x.open_obj(None, T_LICENSE);
        x.line("<ToString>Microsoft.Online.Administration.UserLicense</ToString>");
        x.line("<Props>");
        x.level += 1;
        x.prim(
            "S",
            "AccountSku",
            "Microsoft.Online.Administration.AccountSkuIdentifier",
        );
        x.prim("S", "AccountSkuId", &format!("contoso:{}", u.sku));
        x.prim("S", "ExtensionData", EXT_DATA);
        x.prim(
            "S",
            "GroupsAssigningLicense",
            "System.Collections.Generic.List`1[System.Guid]",
        );
        x.prim(
            "S",
            "ServiceStatus",
            "System.Collections.Generic.List`1[Microsoft.Online.Administration.ServiceStatus]",
        );
        x.close("Props");
        x.close("Obj");
    });
    let registered = !u.profile.msol.is_empty();
    if registered {
        x.prim("S", "MobilePhone", &u.phone);
    } else {
        x.nil("MobilePhone");
    }
    x.prim("G", "ObjectId", &u.id);
    x.enum_obj(
        "OverallProvisioningStatus",
        T_PROV,
        if u.licensed { "Success" } else { "None" },
        i64::from(u.licensed),
    );
    x.prim("B", "PasswordNeverExpires", "false");
    x.prim("S", "SignInName", &u.upn);
    x.list(
        "StrongAuthenticationMethods",
        T_METHOD_LIST,
        u.profile.msol,
        |x, (t, d)| {
            x.open_obj(None, T_METHOD);
            x.line(
                "<ToString>Microsoft.Online.Administration.StrongAuthenticationMethod</ToString>",
            );
            x.line("<Props>");
            x.level += 1;
            x.prim("S", "ExtensionData", EXT_DATA);
            x.prim("B", "IsDefault", if *d { "true" } else { "false" });
            x.prim("S", "MethodType", t);
            x.close("Props");
            x.close("Obj");
        },
    );
    x.list("StrongAuthenticationPhoneAppDetails", T_APP_LIST, &u.devices, |x, (name, id, ver)| {
        x.open_obj(None, T_APP);
        x.line("<ToString>Microsoft.Online.Administration.StrongAuthenticationPhoneAppDetail</ToString>");
        x.line("<Props>");
        x.level += 1;
        x.prim("S", "AuthenticationType", "Notification, OTP");
        x.prim("S", "DeviceName", name);
        x.prim("S", "DeviceTag", "SoftwareTokenActivated");
        x.prim("S", "DeviceToken", &id[..8]);
        x.prim("S", "ExtensionData", EXT_DATA);
        x.prim("G", "Id", id);
        x.prim("S", "NotificationType", "GCM");
        x.nil("OathSecretKey");
        x.prim("I32", "OathTokenTimeDrift", "0");
        x.prim("S", "PhoneAppVersion", ver);
        x.close("Props");
        x.close("Obj");
    });
    if registered {
        x.prim(
            "I64",
            "StrongAuthenticationProofupTime",
            &(u.created_ms / 1000).to_string(),
        );
    } else {
        x.nil("StrongAuthenticationProofupTime");
    }
    let reqs: Vec<&str> = match u.state {
        State::Disabled => vec![],
        State::Enabled => vec!["Enabled"],
        State::Enforced => vec!["Enforced"],
    };
    x.list("StrongAuthenticationRequirements", T_REQ_LIST, &reqs, |x, st| {
        x.open_obj(None, T_REQ);
        x.line("<ToString>Microsoft.Online.Administration.StrongAuthenticationRequirement</ToString>");
        x.line("<Props>");
        x.level += 1;
        x.prim("S", "ExtensionData", EXT_DATA);
        x.prim("S", "RelyingParty", "*");
        x.prim("DT", "RememberDevicesNotIssuedBefore", &iso_z(u.created_ms + 3 * DAY_MS));
        x.prim("S", "State", st);
        x.close("Props");
        x.close("Obj");
    });
    if registered {
        x.open_obj(Some("StrongAuthenticationUserDetails"), T_DETAILS);
        x.line(
            "<ToString>Microsoft.Online.Administration.StrongAuthenticationUserDetails</ToString>",
        );
        x.line("<Props>");
        x.level += 1;
        x.nil("AlternativePhoneNumber");
        x.prim(
            "S",
            "Email",
            &format!("{}@example.org", ascii_fold(u.first).to_lowercase()),
        );
        x.prim("S", "ExtensionData", EXT_DATA);
        x.nil("OldPin");
        x.prim("S", "PhoneNumber", &u.phone);
        x.nil("Pin");
        x.close("Props");
        x.close("Obj");
    } else {
        x.nil("StrongAuthenticationUserDetails");
    }
    x.prim("B", "StrongPasswordRequired", "true");
    x.prim("S", "Title", u.title);
    x.prim("S", "UsageLocation", p.2);
    x.prim("S", "UserPrincipalName", &u.upn);
    x.enum_obj(
        "UserType",
        T_USER_TYPE,
        if u.guest { "Guest" } else { "Member" },
        i64::from(u.guest),
    );
    x.enum_obj("ValidationStatus", T_VALID, "Healthy", 1);
    x.prim("DT", "WhenCreated", &iso_z(u.created_ms));
    x.close("Props");
    x.close("Obj");
}

fn write_clixml(
    path: PathBuf,
    users: &[User],
    manifest: &mut Vec<(PathBuf, u64)>,
) -> io::Result<()> {
    let mut out = Out::create(path, true, false)?;
    out.put(
        "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">\r\n",
    )?;
    let mut x = Clixml {
        text: String::new(),
        next_obj: 0,
        types: vec![],
        level: 1,
    };
    for u in users {
        clixml_user(&mut x, u);
        out.put(&x.text)?;
        x.text.clear();
        out.records += 1;
    }
    out.put("</Objs>")?;
    out.finish(manifest)
}

fn registration_record(u: &User, ms: i64) -> J {
    let p = u.profile;
    let mfa = p
        .graph
        .iter()
        .any(|m| !matches!(*m, "email" | "securityQuestion" | "temporaryAccessPass"));
    let passwordless = p.graph.iter().any(|m| {
        matches!(
            *m,
            "fido2SecurityKey"
                | "windowsHelloForBusiness"
                | "passKeyDeviceBound"
                | "microsoftAuthenticatorPasswordless"
        )
    });
    J::O(vec![
        ("id", s(u.id.clone())),
        ("userPrincipalName", s(u.upn.clone())),
        ("userDisplayName", s(u.display.clone())),
        ("userType", s(if u.guest { "guest" } else { "member" })),
        ("isAdmin", J::B(u.admin)),
        ("isSsprRegistered", J::B(!p.graph.is_empty())),
        ("isSsprEnabled", J::B(!u.guest)),
        ("isSsprCapable", J::B(!u.guest && !p.graph.is_empty())),
        ("isMfaRegistered", J::B(mfa)),
        ("isMfaCapable", J::B(mfa)),
        ("isPasswordlessCapable", J::B(passwordless)),
        (
            "lastUpdatedDateTime",
            s(iso_trimmed(ms, (u.created_ms % 9973) as u32)),
        ),
        (
            "methodsRegistered",
            J::A(p.graph.iter().map(|m| s(*m)).collect()),
        ),
        ("isSystemPreferredAuthenticationMethodEnabled", J::B(true)),
        (
            "systemPreferredAuthenticationMethods",
            J::A(if p.system_preferred == "none" {
                vec![]
            } else {
                vec![s(p.system_preferred)]
            }),
        ),
        (
            "userPreferredMethodForSecondaryAuthentication",
            s(if u.guest && p.graph.is_empty() {
                ""
            } else {
                p.system_preferred
            }),
        ),
        ("defaultMfaMethod", s(p.graph_default)),
    ])
}

/// Compact Graph JSON (the service's own output): standard escapes, dates already strings.
fn compact_std(j: &J, out: &mut String) {
    match j {
        J::S(v) => escape_std(out, v),
        J::Date(ms) => {
            out.push('"');
            out.push_str(&iso_z(*ms));
            out.push('"');
        }
        J::A(items) => {
            out.push('[');
            for (k, it) in items.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                compact_std(it, out);
            }
            out.push(']');
        }
        J::O(members) => {
            out.push('{');
            for (k, (key, v)) in members.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                escape_std(out, key);
                out.push(':');
                compact_std(v, out);
            }
            out.push('}');
        }
        other => compact_51(other, out),
    }
}

/// Graph pages, several in one file (one page per line), `@odata.nextLink` on all but the last.
fn write_pages(
    path: PathBuf,
    context: &str,
    next: &str,
    per_page: usize,
    count: usize,
    mut record: impl FnMut(usize, &mut String),
    manifest: &mut Vec<(PathBuf, u64)>,
) -> io::Result<()> {
    let mut out = Out::create(path, false, false)?;
    let mut text = String::new();
    let pages = count.div_ceil(per_page).max(1);
    for page in 0..pages {
        let _ = write!(text, "{{\"@odata.context\":\"{context}\",");
        if page + 1 < pages {
            let _ = write!(
                text,
                "\"@odata.nextLink\":\"{next}?$skiptoken=page{:06}\",",
                page + 1
            );
        }
        text.push_str("\"value\":[");
        for i in page * per_page..((page + 1) * per_page).min(count) {
            if i > page * per_page {
                text.push(',');
            }
            record(i, &mut text);
            out.records += 1;
        }
        text.push_str("]}\n");
        out.put(&text)?;
        text.clear();
    }
    out.finish(manifest)
}

fn write_directory(
    dir: &Path,
    users: &[User],
    shapes: &BTreeSet<String>,
    manifest: &mut Vec<(PathBuf, u64)>,
) -> io::Result<()> {
    let report_ms = LOG_START_MS + 31 * DAY_MS;
    if shapes.contains("msol51") {
        write_msol_51(dir.join("msonline-5.1.json"), users, manifest)?;
    }
    if shapes.contains("msol7") {
        write_msol_7(dir.join("msonline-7.json"), users, manifest)?;
    }
    if shapes.contains("clixml") {
        write_clixml(dir.join("msonline-5.1.clixml"), users, manifest)?;
    }
    if shapes.contains("regdetails") {
        write_pages(
            dir.join("userRegistrationDetails.json"),
            "https://graph.microsoft.com/beta/$metadata#reports/authenticationMethods/userRegistrationDetails",
            "https://graph.microsoft.com/beta/reports/authenticationMethods/userRegistrationDetails",
            999,
            users.len(),
            |i, text| compact_std(&registration_record(&users[i], report_ms), text),
            manifest,
        )?;
    }
    if shapes.contains("regcsv") {
        let path = dir.join("exportUserRegistrationDetails_2025-6-1.csv");
        let mut w = csv_writer(&path, true)?;
        w.write_record([
            "userPrincipalName",
            "userDisplayName",
            "isMfaCapable",
            "isPasswordlessCapable",
            "isSsprCapable",
            "defaultMfaMethod",
            "methodsRegistered",
            "lastUpdatedDateTime",
        ])
        .map_err(csv_err)?;
        let mut count = 0;
        for u in users {
            // Microsoft's report leaves out disabled users.
            if u.blocked == Some(true) {
                continue;
            }
            let J::O(rec) = registration_record(u, report_ms) else {
                continue;
            };
            let field = |name: &str| -> String {
                match rec.iter().find(|(k, _)| *k == name).map(|(_, v)| v) {
                    Some(J::B(b)) => if *b { "True" } else { "False" }.to_string(),
                    Some(J::S(v)) => v.clone(),
                    Some(j @ J::A(_)) => {
                        let mut t = String::new();
                        compact_std(j, &mut t);
                        t
                    }
                    _ => String::new(),
                }
            };
            w.write_record([
                field("userPrincipalName"),
                field("userDisplayName"),
                field("isMfaCapable"),
                field("isPasswordlessCapable"),
                field("isSsprCapable"),
                field("defaultMfaMethod"),
                field("methodsRegistered"),
                field("lastUpdatedDateTime"),
            ])
            .map_err(csv_err)?;
            count += 1;
        }
        w.flush()?;
        manifest.push((path, count));
    }
    if shapes.contains("users") {
        write_pages(
            dir.join("graph-users.json"),
            "https://graph.microsoft.com/v1.0/$metadata#users(id,userPrincipalName,displayName,accountEnabled,userType,createdDateTime,onPremisesSyncEnabled)",
            "https://graph.microsoft.com/v1.0/users",
            999,
            users.len(),
            |i, text| {
                let u = &users[i];
                compact_std(
                    &J::O(vec![
                        ("id", s(u.id.clone())),
                        ("userPrincipalName", s(u.upn.clone())),
                        ("displayName", s(u.display.clone())),
                        ("accountEnabled", J::B(u.blocked != Some(true))),
                        ("userType", s(if u.guest { "Guest" } else { "Member" })),
                        ("createdDateTime", J::Date(u.created_ms)),
                        (
                            "onPremisesSyncEnabled",
                            if u.synced { J::B(true) } else { J::Null },
                        ),
                    ]),
                    text,
                )
            },
            manifest,
        )?;
    }
    if shapes.contains("states") {
        let path = dir.join("per-user-mfa-state.csv");
        let mut w = csv_writer(&path, false)?;
        w.write_record(["id", "userPrincipalName", "perUserMfaState"])
            .map_err(csv_err)?;
        for u in users {
            let st = match u.state {
                State::Disabled => "disabled",
                State::Enabled => "enabled",
                State::Enforced => "enforced",
            };
            w.write_record([u.id.as_str(), u.upn.as_str(), st])
                .map_err(csv_err)?;
        }
        w.flush()?;
        manifest.push((path, users.len() as u64));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Sign-ins.

struct Step {
    method: &'static str,
    detail: &'static str,
    succeeded: bool,
    result: String,
    mfa: bool,
    offset_ms: i64,
}

struct SignIn {
    id: String,
    correlation: String,
    time_ms: i64,
    sub: u32,
    user_id: String,
    upn: String,
    display: String,
    guest: bool,
    interactive: bool,
    app: usize,
    client: usize,
    place: usize,
    ip: String,
    error: i64,
    failure: &'static str,
    additional: Option<String>,
    mfa_required: bool,
    ca_status: &'static str,
    policy: Option<&'static str>,
    steps: Vec<Step>,
    level_string: bool,
    processing_ms: u64,
}

fn password_step(ok: bool) -> Step {
    Step {
        method: "Password",
        detail: "Password in the cloud",
        succeeded: ok,
        result: if ok {
            "Correct password".into()
        } else {
            "Invalid username or password or Invalid on-premise username or password.".into()
        },
        mfa: false,
        offset_ms: 0,
    }
}

fn token_step() -> Step {
    Step {
        method: "Previously satisfied",
        detail: "",
        succeeded: true,
        result: "First factor requirement satisfied by claim in the token".into(),
        mfa: false,
        offset_ms: 0,
    }
}

fn mfa_step(f: Factor, ok: bool, result: String, offset_ms: i64) -> Step {
    Step {
        method: f.display(),
        detail: match f {
            Factor::Sms | Factor::Voice => "+X XXXXXXXX64",
            _ => "",
        },
        succeeded: ok,
        result,
        mfa: true,
        offset_ms,
    }
}

/// The sign-in's common part; the outcome is filled by [`outcome`].
fn base_signin(rng: &mut Rng, u: &User, time_ms: i64) -> SignIn {
    let place = if rng.chance(0.9) {
        u.place
    } else {
        rng.below(PLACES.len() as u64) as usize
    };
    SignIn {
        id: rng.guid(),
        correlation: rng.guid(),
        time_ms,
        sub: rng.below(10_000) as u32,
        user_id: u.id.clone(),
        upn: u.signin_upn.clone(),
        display: u.display.clone(),
        guest: u.guest,
        interactive: rng.chance(0.8),
        app: rng.below(APPS.len() as u64) as usize,
        client: rng.below(CLIENTS.len() as u64) as usize,
        place,
        ip: format!("{}.{}", PLACES[place].5, rng.below(254) + 1),
        error: 0,
        failure: "",
        additional: None,
        mfa_required: false,
        ca_status: "notApplied",
        policy: None,
        steps: vec![],
        level_string: rng.chance(0.1),
        processing_ms: 40 + rng.below(900),
    }
}

/// Chooses what happened, in proportions a tenant shows over a month.
fn outcome(rng: &mut Rng, u: &User, si: &mut SignIn) {
    let factors = u.profile.factors;
    if u.blocked == Some(true) {
        si.error = 50057;
        si.failure = "User account is disabled. The account has been disabled by an administrator.";
        let mut st = password_step(false);
        st.result =
            "User account is disabled. The account has been disabled by an administrator.".into();
        si.steps.push(st);
        return;
    }
    let roll = rng.below(1000);
    let prompt_ok = |rng: &mut Rng, si: &mut SignIn, f: Factor| {
        si.mfa_required = true;
        si.ca_status = "success";
        si.policy = Some(if u.state == State::Disabled {
            "multiConditionalAccess"
        } else {
            "user"
        });
        si.additional = Some("MFA successfully completed".into());
        si.steps.push(password_step(true));
        si.steps.push(mfa_step(
            f,
            true,
            "MFA successfully completed".into(),
            9_000 + rng.below(20_000) as i64,
        ));
    };
    match roll {
        // Single factor, token or password.
        0..=449 => {
            if rng.chance(0.6) {
                si.steps.push(token_step());
            } else {
                si.steps.push(password_step(true));
            }
        }
        // MFA satisfied by the claim in the token.
        450..=629 => {
            si.mfa_required = true;
            si.ca_status = "success";
            si.policy = Some("multiConditionalAccess");
            si.additional = Some("MFA requirement satisfied by claim in the token".into());
            si.steps.push(token_step());
            si.steps.push(Step {
                method: "Previously satisfied",
                detail: "",
                succeeded: true,
                result: "MFA requirement satisfied by claim in the token".into(),
                mfa: true,
                offset_ms: 0,
            });
        }
        // A fresh prompt, completed.
        630..=779 => match factors.first() {
            Some(_) => {
                let f = rng.pick(factors);
                prompt_ok(rng, si, f);
            }
            None => {
                // Unregistered user asked to register.
                si.error = 50079;
                si.failure = "Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access.";
                si.mfa_required = true;
                si.policy = Some("mfaRegistrationRequiredBySecurityDefaults");
                si.additional = Some("MFA registration prompted".into());
                si.steps.push(password_step(true));
            }
        },
        // The rest of the satisfied vocabulary.
        780..=819 => {
            let words = rng.pick(SATISFIED);
            si.mfa_required = true;
            si.ca_status = "success";
            si.policy = Some("multiConditionalAccess");
            let text = if words.starts_with("satisfied") {
                format!("MFA requirement {words}")
            } else {
                format!("MFA {words}")
            };
            si.additional = Some(text.clone());
            si.steps.push(password_step(true));
            si.steps.push(Step {
                method: if words.contains("claim") {
                    "Previously satisfied"
                } else {
                    factors
                        .first()
                        .map_or("Previously satisfied", |f| f.display())
                },
                detail: "",
                succeeded: true,
                result: text,
                mfa: true,
                offset_ms: 2_000,
            });
        }
        // Interrupts that are not failures.
        820..=869 => {
            si.steps.push(password_step(true));
            match rng.below(3) {
                0 => {
                    si.error = 50140;
                    si.failure = "This error occurred due to 'Keep me signed in' interrupt when the user was signing-in.";
                }
                1 => {
                    si.error = 50074;
                    si.failure = "Strong Authentication is required.";
                    si.mfa_required = true;
                    si.additional = Some("MFA required in Azure AD".into());
                    si.interactive = true;
                }
                _ => {
                    si.error = 50076;
                    si.failure = "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access.";
                    si.mfa_required = true;
                    si.additional = Some("MFA required".into());
                    si.interactive = false;
                }
            }
        }
        // Denied challenges: the whole denied vocabulary.
        870..=919 => {
            let words = rng.pick(DENIED);
            let f = factors.first().copied().unwrap_or(Factor::Sms);
            si.error = 500121;
            si.failure = FAILURE_500121;
            si.mfa_required = true;
            si.ca_status = "failure";
            si.policy = Some(if u.state == State::Disabled {
                "multiConditionalAccess"
            } else {
                "user"
            });
            let text = format!("MFA denied; {words}");
            si.additional = Some(text.clone());
            si.steps.push(password_step(true));
            si.steps.push(mfa_step(f, false, text, 30_000));
        }
        // Wrong password.
        920..=964 => {
            si.error = 50126;
            si.failure = "Error validating credentials due to invalid username or password.";
            si.steps.push(password_step(false));
        }
        // Blocked by Conditional Access, external MFA, locked.
        965..=979 => {
            si.steps.push(password_step(true));
            match rng.below(3) {
                0 => {
                    si.error = 53003;
                    si.failure = "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.";
                    si.ca_status = "failure";
                }
                1 => {
                    si.error = 50158;
                    si.failure = "External security challenge was not satisfied.";
                    si.mfa_required = true;
                    si.additional = Some("MFA denied; invalid authentication".into());
                }
                _ => {
                    si.error = 50053;
                    si.failure = "Account is locked because user tried to sign in too many times with an incorrect user ID or password.";
                }
            }
        }
        // Forced registration of an enforced user with nothing registered.
        _ => {
            si.error = 50072;
            si.failure = "Users needs to enroll for second factor authentication (interactive).";
            si.mfa_required = true;
            si.policy = Some("user");
            si.additional = Some("MFA registration prompted".into());
            si.steps.push(password_step(true));
        }
    }
}

/// Denied or unanswered pushes a few minutes apart, sometimes ending in an approval.
fn fatigue_burst(rng: &mut Rng, u: &User, start_ms: i64, out: &mut Vec<SignIn>) {
    let n = 6 + rng.below(10) as usize;
    let mut t = start_ms;
    for _ in 0..n {
        let mut si = base_signin(rng, u, t);
        si.place = (u.place + 3) % PLACES.len();
        si.ip = format!("{}.{}", PLACES[si.place].5, 200 + rng.below(50));
        si.interactive = true;
        si.error = 500121;
        si.failure = FAILURE_500121;
        si.mfa_required = true;
        si.ca_status = "failure";
        si.policy = Some("user");
        let words = if rng.chance(0.6) {
            "user did not respond to mobile app notification"
        } else {
            "user declined the authentication"
        };
        let text = format!("MFA denied; {words}");
        si.additional = Some(text.clone());
        si.steps.push(password_step(true));
        si.steps.push(mfa_step(Factor::Push, false, text, 60_000));
        out.push(si);
        t += 60_000 + rng.below(120_000) as i64;
    }
    if rng.chance(0.4) {
        let mut si = base_signin(rng, u, t);
        si.interactive = true;
        si.mfa_required = true;
        si.ca_status = "success";
        si.policy = Some("user");
        si.additional = Some("MFA successfully completed".into());
        si.steps.push(password_step(true));
        si.steps.push(mfa_step(
            Factor::Push,
            true,
            "MFA successfully completed".into(),
            20_000,
        ));
        out.push(si);
    }
}

fn fraud_signin(rng: &mut Rng, u: &User, t: i64) -> SignIn {
    let mut si = base_signin(rng, u, t);
    si.interactive = true;
    si.error = 500121;
    si.failure = FAILURE_500121;
    si.mfa_required = true;
    si.ca_status = "failure";
    si.policy = Some("user");
    let text = format!("MFA denied; {FRAUD_WORDS}");
    si.additional = Some(text.clone());
    si.steps.push(password_step(true));
    si.steps.push(mfa_step(Factor::Push, false, text, 15_000));
    si
}

// --- Sign-in writers --------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq)]
enum Flavor {
    /// Graph `signIns` and the admin center JSON download: lower-case userType, `Z` dates.
    Graph,
    /// Azure Monitor `properties`: capitalised userType, 7-digit `+00:00` dates, sequences.
    Monitor,
}

fn kv(out: &mut String, key: &str, value: &str) {
    out.push('"');
    out.push_str(key);
    out.push_str("\":");
    escape_std(out, value);
    out.push(',');
}

fn kraw(out: &mut String, key: &str, raw: impl std::fmt::Display) {
    let _ = write!(out, "\"{key}\":{raw},");
}

fn signin_date(si: &SignIn, offset_ms: i64, flavor: Flavor) -> String {
    match flavor {
        Flavor::Graph => iso_z(si.time_ms + offset_ms),
        Flavor::Monitor => iso7(si.time_ms + offset_ms, si.sub, "+00:00"),
    }
}

fn steps_json(si: &SignIn, flavor: Flavor, out: &mut String) {
    out.push('[');
    for (k, st) in si.steps.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        out.push('{');
        kv(
            out,
            "authenticationStepDateTime",
            &signin_date(si, st.offset_ms, flavor),
        );
        kv(out, "authenticationMethod", st.method);
        if !st.detail.is_empty() && (flavor == Flavor::Graph || st.mfa) {
            kv(out, "authenticationMethodDetail", st.detail);
        }
        kraw(out, "succeeded", st.succeeded);
        kv(out, "authenticationStepResultDetail", &st.result);
        kv(
            out,
            "authenticationStepRequirement",
            if st.mfa {
                "Multifactor authentication"
            } else {
                "Primary authentication"
            },
        );
        if flavor == Flavor::Monitor {
            kraw(
                out,
                "StatusSequence",
                if st.mfa && !st.succeeded { 1 } else { 0 },
            );
            kraw(out, "RequestSequence", 0);
        }
        out.pop();
        out.push('}');
    }
    out.push(']');
}

fn policies_json(si: &SignIn, flavor: Flavor, out: &mut String) {
    out.push('[');
    if si.mfa_required || si.ca_status != "notApplied" {
        let result = match si.ca_status {
            "failure" => "failure",
            "success" => "success",
            _ => "notApplied",
        };
        out.push_str("{\"id\":\"6c4e6ab5-3c29-4a2b-9f0a-2d7f1a0c5b11\",\"displayName\":\"Require MFA for all users\",\"enforcedGrantControls\":[\"Mfa\"],");
        if flavor == Flavor::Graph {
            out.push_str("\"enforcedSessionControls\":[],");
        }
        kv(out, "result", result);
        if flavor == Flavor::Monitor {
            out.push_str("\"conditionsSatisfied\":3}");
        } else {
            out.push_str("\"conditionsSatisfied\":\"application,users\",\"conditionsNotSatisfied\":\"none\"}");
        }
    }
    out.push(']');
}

fn requirement_policies_json(si: &SignIn, out: &mut String) {
    match si.policy {
        Some(p) => {
            let detail = match p {
                "user" => "Per-user MFA",
                "mfaRegistrationRequiredBySecurityDefaults" => "Security defaults",
                _ => "Conditional Access",
            };
            let _ = write!(
                out,
                "[{{\"requirementProvider\":\"{p}\",\"detail\":\"{detail}\"}}]"
            );
        }
        None => out.push_str("[]"),
    }
}

/// The sign-in object (Graph) or the `properties` object (Azure Monitor).
fn signin_json(si: &SignIn, flavor: Flavor, out: &mut String) {
    let (app_id, app, res_id, res) = APPS[si.app];
    let (agent, os, browser, client_app) = CLIENTS[si.client];
    let place = PLACES[si.place];
    out.push('{');
    kv(out, "id", &si.id);
    kv(out, "createdDateTime", &signin_date(si, 0, flavor));
    kv(out, "userDisplayName", &si.display);
    kv(out, "userPrincipalName", &si.upn);
    kv(out, "userId", &si.user_id);
    kv(out, "appId", app_id);
    kv(out, "appDisplayName", app);
    kv(out, "ipAddress", &si.ip);
    out.push_str("\"status\":{");
    kraw(out, "errorCode", si.error);
    if !si.failure.is_empty() || flavor == Flavor::Graph {
        kv(
            out,
            "failureReason",
            if si.failure.is_empty() {
                "Other."
            } else {
                si.failure
            },
        );
    }
    match &si.additional {
        Some(a) => kv(out, "additionalDetails", a),
        None if flavor == Flavor::Graph => kraw(out, "additionalDetails", "null"),
        None => {}
    }
    out.pop();
    out.push_str("},");
    kv(out, "clientAppUsed", client_app);
    if flavor == Flavor::Graph {
        kv(out, "userAgent", agent);
        let _ = write!(
            out,
            "\"deviceDetail\":{{\"deviceId\":\"\",\"operatingSystem\":\"{os}\",\"browser\":\"{browser}\"}},"
        );
    } else {
        let _ = write!(
            out,
            "\"deviceDetail\":{{\"operatingSystem\":\"{os}\",\"browser\":\"{browser}\"}},"
        );
    }
    out.push_str("\"location\":{");
    kv(out, "city", place.0);
    kv(out, "state", place.1);
    kv(out, "countryOrRegion", place.2);
    if flavor == Flavor::Graph {
        let _ = write!(
            out,
            "\"geoCoordinates\":{{\"latitude\":{},\"longitude\":{}}}}},",
            place.3, place.4
        );
    } else {
        out.pop();
        out.push_str("},");
    }
    kv(out, "correlationId", &si.correlation);
    kv(out, "conditionalAccessStatus", si.ca_status);
    out.push_str("\"appliedConditionalAccessPolicies\":");
    policies_json(si, flavor, out);
    out.push(',');
    if flavor == Flavor::Graph {
        kv(out, "originalRequestId", &si.id);
    }
    kraw(out, "isInteractive", si.interactive);
    if flavor == Flavor::Graph {
        let _ = write!(
            out,
            "\"signInEventTypes\":[\"{}\"],",
            if si.interactive {
                "interactiveUser"
            } else {
                "nonInteractiveUser"
            }
        );
    }
    // Azure Monitor records are kept to the size the issue calibrates against (~1.6 KB a record,
    // 300,000 records ≈ 480 MB): the fields the audit does not read are Graph-only here.
    let full = flavor == Flavor::Graph;
    if full {
        kv(out, "tokenIssuerType", "AzureAD");
        out.push_str("\"authenticationProcessingDetails\":[{\"key\":\"Login Hint Present\",\"value\":\"True\"},{\"key\":\"Is CAE Token\",\"value\":\"False\"}],");
        kraw(out, "processingTimeInMilliseconds", si.processing_ms);
        kv(out, "riskDetail", "none");
        kv(out, "riskLevelAggregated", "none");
        kv(out, "riskState", "none");
    }
    kv(out, "resourceDisplayName", res);
    kv(out, "resourceId", res_id);
    if full {
        kv(out, "resourceTenantId", TENANT);
    }
    if full || si.guest {
        kv(
            out,
            "homeTenantId",
            if si.guest { HOME_TENANT } else { TENANT },
        );
    }
    out.push_str("\"authenticationDetails\":");
    steps_json(si, flavor, out);
    out.push(',');
    out.push_str("\"authenticationRequirementPolicies\":");
    requirement_policies_json(si, out);
    out.push(',');
    kv(
        out,
        "authenticationRequirement",
        if si.mfa_required {
            "multiFactorAuthentication"
        } else {
            "singleFactorAuthentication"
        },
    );
    let user_type = match (flavor, si.guest) {
        (Flavor::Graph, true) => "guest",
        (Flavor::Graph, false) => "member",
        (Flavor::Monitor, true) => "Guest",
        (Flavor::Monitor, false) => "Member",
    };
    kv(out, "userType", user_type);
    if full {
        kraw(out, "flaggedForReview", false);
        kraw(out, "autonomousSystemNumber", place.6);
        kv(out, "uniqueTokenIdentifier", &si.id[..22]);
        kv(out, "authenticationProtocol", "none");
    }
    if full || si.guest {
        kv(
            out,
            "crossTenantAccessType",
            if si.guest { "b2bCollaboration" } else { "none" },
        );
    }
    out.pop();
    out.push('}');
}

const TENANT: &str = "4bbb79f7-5724-4c9e-95f3-de075f6ec090";
const HOME_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

fn monitor_record(si: &SignIn, out: &mut String) {
    out.push('{');
    kv(out, "time", &iso7(si.time_ms + 1_500, si.sub, "Z"));
    kv(
        out,
        "resourceId",
        &format!("/tenants/{TENANT}/providers/Microsoft.aadiam"),
    );
    kv(out, "operationName", "Sign-in activity");
    kv(out, "operationVersion", "1.0");
    kv(
        out,
        "category",
        if si.interactive {
            "SignInLogs"
        } else {
            "NonInteractiveUserSignInLogs"
        },
    );
    kv(out, "tenantId", TENANT);
    kv(out, "resultType", &si.error.to_string());
    kv(out, "resultSignature", "None");
    if si.error != 0 {
        kv(out, "resultDescription", si.failure);
    }
    kraw(out, "durationMs", 0);
    kv(out, "callerIpAddress", &si.ip);
    kv(out, "correlationId", &si.correlation);
    kv(out, "identity", &si.display);
    if si.level_string {
        kv(out, "Level", "4");
    } else {
        kraw(out, "Level", 4);
    }
    kv(out, "location", PLACES[si.place].2);
    out.push_str("\"properties\":");
    signin_json(si, Flavor::Monitor, out);
    out.push('}');
}

const PORTAL_HEADER: &[&str] = &[
    "Date (UTC)",
    "Request ID",
    "User agent",
    "Correlation ID",
    "User ID",
    "User",
    "Username",
    "User type",
    "Cross tenant access type",
    "Incoming token type",
    "Authentication Protocol",
    "Unique token identifier",
    "Original transfer method",
    "Client credential type",
    "Token Protection - Sign In Session",
    "Token Protection - Sign In Session StatusCode",
    "Application",
    "Application ID ",
    "App owner tenant ID",
    "Resource",
    "Resource ID ",
    "Resource tenant ID",
    "Resource owner tenant ID",
    "Home tenant ID",
    "Home tenant name",
    "IP address",
    "Location",
    "Status",
    "Sign-in error code",
    "Failure reason",
    "Client app",
    "Device ID",
    "Browser",
    "Operating System",
    "Compliant",
    "Managed",
    "Join Type",
    "Multifactor authentication result",
    "Multifactor authentication auth method",
    "Multifactor authentication auth detail",
    "Authentication requirement",
    "Sign-in identifier",
    "Session ID",
    "IP address (seen by resource)",
    "Through Global Secure Access",
    "Global Secure Access IP address",
    "Autonomous system  number",
    "Flagged for review",
    "Token issuer type",
    "Incoming token type",
    "Token issuer name",
    "Latency",
    "Conditional Access",
    "Managed Identity type",
    "Associated Resource Id",
    "Federated Token Id",
    "Federated Token Issuer",
];

fn portal_row(si: &SignIn) -> Vec<String> {
    let (app_id, app, res_id, res) = APPS[si.app];
    let (agent, os, browser, client_app) = CLIENTS[si.client];
    let place = PLACES[si.place];
    let mfa_step = si.steps.iter().find(|s| s.mfa);
    let status = match si.error {
        0 => "Success",
        50140 | 50074 | 50072 | 50076 => "Interrupted",
        _ => "Failure",
    };
    let row: Vec<String> = vec![
        iso_z(si.time_ms),
        si.id.clone(),
        agent.into(),
        si.correlation.clone(),
        si.user_id.clone(),
        si.display.clone(),
        si.upn.clone(),
        if si.guest { "Guest" } else { "Member" }.into(),
        if si.guest {
            "B2B collaboration"
        } else {
            "None"
        }
        .into(),
        "None".into(),
        "None".into(),
        si.id[..22].into(),
        "None".into(),
        "None".into(),
        "".into(),
        "".into(),
        app.into(),
        app_id.into(),
        TENANT.into(),
        res.into(),
        res_id.into(),
        TENANT.into(),
        TENANT.into(),
        if si.guest { HOME_TENANT } else { TENANT }.into(),
        if si.guest { "Fabrikam" } else { "Contoso" }.into(),
        si.ip.clone(),
        format!("{}, {}, {}", place.0, place.1, place.2),
        status.into(),
        si.error.to_string(),
        if si.failure.is_empty() {
            "Other."
        } else {
            si.failure
        }
        .into(),
        client_app.into(),
        "".into(),
        browser.into(),
        os.into(),
        "false".into(),
        "false".into(),
        "".into(),
        si.additional.clone().unwrap_or_default(),
        mfa_step.map_or("", |s| s.method).into(),
        mfa_step.map_or("", |s| s.detail).into(),
        if si.mfa_required {
            "Multifactor authentication"
        } else {
            "Single-factor authentication"
        }
        .into(),
        si.upn.clone(),
        si.correlation.clone(),
        "".into(),
        "false".into(),
        "".into(),
        place.6.to_string(),
        "false".into(),
        "AzureAD".into(),
        "None".into(),
        "".into(),
        si.processing_ms.to_string(),
        match si.ca_status {
            "success" => "Success",
            "failure" => "Failure",
            _ => "Not Applied",
        }
        .into(),
        "".into(),
        "".into(),
        "".into(),
        "".into(),
    ];
    row
}

const LA_HEADER: &str = "TenantId,SourceSystem,TimeGenerated [UTC],ResourceId,OperationName,OperationVersion,Category,ResultType,ResultSignature,ResultDescription,DurationMs,CorrelationId,Resource,ResourceGroup,ResourceProvider,Identity,Level,Location,AlternateSignInName,AppDisplayName,AppId,AuthenticationContextClassReferences,AuthenticationDetails,AppliedEventListeners,AuthenticationMethodsUsed,AuthenticationProcessingDetails,AuthenticationRequirement,AuthenticationRequirementPolicies,ClientAppUsed,ConditionalAccessPolicies,ConditionalAccessStatus,CreatedDateTime [UTC],DeviceDetail,IsInteractive,Id,IPAddress,IsRisky,LocationDetails,MfaDetail,NetworkLocationDetails,OriginalRequestId,ProcessingTimeInMilliseconds,RiskDetail,RiskEventTypes,RiskEventTypes_V2,RiskLevelAggregated,RiskLevelDuringSignIn,RiskState,ResourceDisplayName,ResourceIdentity,ResourceServicePrincipalId,ServicePrincipalId,ServicePrincipalName,Status,TokenIssuerName,TokenIssuerType,UserAgent,UserDisplayName,UserId,UserPrincipalName,AADTenantId,UserType,FlaggedForReview,IPAddressFromResourceProvider,SignInIdentifier,SignInIdentifierType,ResourceTenantId,HomeTenantId,UniqueTokenIdentifier,SessionLifetimePolicies,AutonomousSystemNumber,AuthenticationProtocol,CrossTenantAccessType,AppliedConditionalAccessPolicies,RiskLevel,Type";

fn la_row(si: &SignIn) -> Vec<String> {
    let (app_id, app, res_id, res) = APPS[si.app];
    let (agent, os, browser, client_app) = CLIENTS[si.client];
    let place = PLACES[si.place];
    let mut details = String::new();
    steps_json(si, Flavor::Monitor, &mut details);
    let mut req_policies = String::new();
    requirement_policies_json(si, &mut req_policies);
    let mut ca = String::new();
    policies_json(si, Flavor::Monitor, &mut ca);
    let mut status = String::new();
    status.push('{');
    kraw(&mut status, "errorCode", si.error);
    if !si.failure.is_empty() {
        kv(&mut status, "failureReason", si.failure);
    }
    if let Some(a) = &si.additional {
        kv(&mut status, "additionalDetails", a);
    }
    status.pop();
    status.push('}');
    let mut loc = String::new();
    loc.push('{');
    kv(&mut loc, "city", place.0);
    kv(&mut loc, "state", place.1);
    kv(&mut loc, "countryOrRegion", place.2);
    let _ = write!(
        loc,
        "\"geoCoordinates\":{{\"latitude\":{},\"longitude\":{}}}}}",
        place.3, place.4
    );
    let tenant = TENANT.to_string();
    vec![
        tenant.clone(),
        "Azure AD".into(),
        la_date(si.time_ms + 150_000),
        format!("/tenants/{TENANT}/providers/Microsoft.aadiam"),
        "Sign-in activity".into(),
        "1".into(),
        "SignInLogs".into(),
        si.error.to_string(),
        "None".into(),
        if si.error != 0 { si.failure.to_string() } else { String::new() },
        "0".into(),
        si.correlation.clone(),
        "Microsoft.aadiam".into(),
        "Microsoft.aadiam".into(),
        "".into(),
        si.display.clone(),
        "4".into(),
        place.2.into(),
        "".into(),
        app.into(),
        app_id.into(),
        "[]".into(),
        details,
        "".into(),
        "".into(),
        "[{\"key\":\"Login Hint Present\",\"value\":\"True\"},{\"key\":\"Is CAE Token\",\"value\":\"False\"}]".into(),
        if si.mfa_required { "multiFactorAuthentication" } else { "singleFactorAuthentication" }.into(),
        req_policies,
        client_app.into(),
        ca.clone(),
        si.ca_status.into(),
        la_date(si.time_ms),
        format!("{{\"deviceId\":\"\",\"operatingSystem\":\"{os}\",\"browser\":\"{browser}\"}}"),
        if si.interactive { "TRUE" } else { "FALSE" }.into(),
        si.id.clone(),
        si.ip.clone(),
        "".into(),
        loc,
        "{}".into(),
        "[]".into(),
        si.id.clone(),
        si.processing_ms.to_string(),
        "none".into(),
        "[]".into(),
        "[]".into(),
        "none".into(),
        "none".into(),
        "none".into(),
        res.into(),
        res_id.into(),
        "".into(),
        "".into(),
        "".into(),
        status,
        "".into(),
        "AzureAD".into(),
        agent.into(),
        si.display.clone(),
        si.user_id.clone(),
        si.upn.clone(),
        tenant.clone(),
        if si.guest { "Guest" } else { "Member" }.into(),
        "FALSE".into(),
        "".into(),
        si.upn.clone(),
        "userPrincipalName".into(),
        tenant.clone(),
        if si.guest { HOME_TENANT } else { TENANT }.into(),
        si.id[..22].into(),
        "[]".into(),
        place.6.to_string(),
        "none".into(),
        if si.guest { "b2bCollaboration" } else { "none" }.into(),
        ca,
        "".into(),
        "SigninLogs".into(),
    ]
}

/// The admin center CSV pair: main and AuthDetails writers, their paths and row counts.
type PortalCsv = (
    csv::Writer<File>,
    csv::Writer<File>,
    PathBuf,
    PathBuf,
    u64,
    u64,
);

/// All sign-in writers, fed one event at a time so the log is never held in memory.
struct SignInSinks {
    graph: Option<(Out, usize)>,
    portal_json: Option<Out>,
    portal_csv: Option<PortalCsv>,
    monitor: Option<Out>,
    la: Option<(csv::Writer<File>, PathBuf, u64)>,
    text: String,
    total: u64,
}

const GRAPH_PAGE: usize = 1000;

impl SignInSinks {
    fn open(dir: &Path, shapes: &BTreeSet<String>) -> io::Result<SignInSinks> {
        let graph = if shapes.contains("graph-signins") {
            Some((
                Out::create(dir.join("graph-signins.json"), false, false)?,
                0,
            ))
        } else {
            None
        };
        let portal_json = if shapes.contains("portal-json") {
            let mut o = Out::create(
                dir.join("InteractiveSignIns_2025-05-01_2025-05-31.json"),
                false,
                false,
            )?;
            o.put("[")?;
            Some(o)
        } else {
            None
        };
        let portal_csv = if shapes.contains("portal-csv") {
            let main = dir.join("InteractiveSignIns_2025-05-01_2025-05-31.csv");
            let auth = dir.join("InteractiveSignIns_AuthDetails_2025-05-01_2025-05-31.csv");
            let mut m = csv_writer(&main, true)?;
            m.write_record(PORTAL_HEADER).map_err(csv_err)?;
            let mut a = csv_writer(&auth, true)?;
            a.write_record([
                "Request ID",
                "Date",
                "Authentication method",
                "Authentication method detail",
                "Succeeded",
                "Result detail",
                "Requirement",
            ])
            .map_err(csv_err)?;
            Some((m, a, main, auth, 0, 0))
        } else {
            None
        };
        let monitor = if shapes.contains("azure-monitor") {
            let d = dir.join(format!("tenantId={TENANT}/y=2025/m=05/d=01/h=00/m=00"));
            fs::create_dir_all(&d)?;
            Some(Out::create(d.join("PT1H.json"), false, false)?)
        } else {
            None
        };
        let la = if shapes.contains("log-analytics") {
            let path = dir.join("SigninLogs-LogAnalytics.csv");
            let mut f = File::create(&path)?;
            f.write_all(LA_HEADER.as_bytes())?;
            f.write_all(b"\r\n")?;
            let w = csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .buffer_capacity(1 << 20)
                .from_writer(f);
            Some((w, path, 0))
        } else {
            None
        };
        Ok(SignInSinks {
            graph,
            portal_json,
            portal_csv,
            monitor,
            la,
            text: String::new(),
            total: 0,
        })
    }

    fn push(&mut self, si: &SignIn) -> io::Result<()> {
        if let Some((out, in_page)) = &mut self.graph {
            self.text.clear();
            if *in_page == 0 {
                self.text.push_str("{\"@odata.context\":\"https://graph.microsoft.com/beta/$metadata#auditLogs/signIns\",\"value\":[");
            } else {
                self.text.push(',');
            }
            signin_json(si, Flavor::Graph, &mut self.text);
            *in_page += 1;
            out.records += 1;
            if *in_page == GRAPH_PAGE {
                let _ = writeln!(
                    self.text,
                    "],\"@odata.nextLink\":\"https://graph.microsoft.com/beta/auditLogs/signIns?$top=1000&$skiptoken=p{:07}\"}}",
                    out.records
                );
                *in_page = 0;
            }
            out.put(&self.text)?;
        }
        if let Some(out) = &mut self.portal_json {
            self.text.clear();
            if out.records > 0 {
                self.text.push(',');
            }
            self.text.push_str("\r\n");
            signin_json(si, Flavor::Graph, &mut self.text);
            out.put(&self.text)?;
            out.records += 1;
        }
        if let Some((m, a, _, _, nm, na)) = &mut self.portal_csv {
            m.write_record(portal_row(si)).map_err(csv_err)?;
            *nm += 1;
            for st in &si.steps {
                a.write_record([
                    si.id.as_str(),
                    &iso_z(si.time_ms + st.offset_ms),
                    st.method,
                    st.detail,
                    if st.succeeded { "true" } else { "false" },
                    &st.result,
                    if st.mfa {
                        "Multifactor authentication"
                    } else {
                        "Primary authentication"
                    },
                ])
                .map_err(csv_err)?;
                *na += 1;
            }
        }
        if let Some(out) = &mut self.monitor {
            self.text.clear();
            monitor_record(si, &mut self.text);
            self.text.push_str("\r\n");
            out.put(&self.text)?;
            out.records += 1;
        }
        if let Some((w, _, n)) = &mut self.la {
            w.write_record(la_row(si)).map_err(csv_err)?;
            *n += 1;
        }
        self.total += 1;
        Ok(())
    }

    fn finish(self, manifest: &mut Vec<(PathBuf, u64)>) -> io::Result<()> {
        if let Some((mut out, in_page)) = self.graph {
            if in_page > 0 {
                out.put("]}\n")?;
            }
            out.finish(manifest)?;
        }
        if let Some(mut out) = self.portal_json {
            out.put("\r\n]")?;
            out.finish(manifest)?;
        }
        if let Some((mut m, mut a, pm, pa, nm, na)) = self.portal_csv {
            m.flush()?;
            a.flush()?;
            manifest.push((pm, nm));
            manifest.push((pa, na));
        }
        if let Some(out) = self.monitor {
            out.finish(manifest)?;
        }
        if let Some((mut w, p, n)) = self.la {
            w.flush()?;
            manifest.push((p, n));
        }
        Ok(())
    }
}

/// Generates `count` sign-ins in time order over 30 days and feeds them to the sinks.
fn write_signins(
    rng: &mut Rng,
    users: &[User],
    count: usize,
    sinks: &mut SignInSinks,
) -> io::Result<()> {
    if count == 0 {
        return Ok(());
    }
    let span = 30 * DAY_MS;
    let step = (span / count as i64).max(1);
    let fatigue: Vec<&User> = users.iter().filter(|u| u.fatigue).collect();
    let fraud: Vec<&User> = users.iter().filter(|u| u.fraud).collect();
    // Where the bursts and fraud reports go, as positions in the stream.
    let mut specials: Vec<(usize, bool, usize)> = vec![];
    for (k, _) in fatigue.iter().enumerate() {
        specials.push((rng.below(count as u64) as usize, true, k));
    }
    for (k, _) in fraud.iter().enumerate() {
        specials.push((rng.below(count as u64) as usize, false, k));
    }
    specials.sort();
    let mut next_special = 0;
    let mut burst = Vec::new();
    let mut written = 0usize;
    let mut i = 0usize;
    while written < count {
        let t = LOG_START_MS + i as i64 * step + rng.below(step as u64) as i64;
        while next_special < specials.len() && specials[next_special].0 <= i && written < count {
            let (_, is_burst, k) = specials[next_special];
            next_special += 1;
            burst.clear();
            if is_burst {
                fatigue_burst(rng, fatigue[k], t, &mut burst);
            } else {
                burst.push(fraud_signin(rng, fraud[k], t));
            }
            for si in burst.iter().take(count - written) {
                sinks.push(si)?;
                written += 1;
            }
        }
        if written >= count {
            break;
        }
        let si = if users.is_empty() || rng.chance(0.003) {
            // Someone no longer in the directory: counted by the audit, not dropped.
            let mut ghost = User {
                id: rng.guid(),
                upn: String::new(),
                signin_upn: format!("former.employee{}@contoso.com", rng.below(500)),
                first: "Former",
                last: "Employee",
                display: "Former Employee".into(),
                guest: false,
                blocked: Some(false),
                state: State::Disabled,
                profile: &PROFILES[0],
                licensed: false,
                sku: SKUS[0],
                admin: false,
                phone: String::new(),
                place: 0,
                department: DEPARTMENTS[0],
                title: TITLES[0],
                created_ms: 0,
                password_ms: 0,
                synced: false,
                immutable: String::new(),
                devices: vec![],
                fatigue: false,
                fraud: false,
            };
            ghost.upn = ghost.signin_upn.clone();
            let mut si = base_signin(rng, &ghost, t);
            outcome(rng, &ghost, &mut si);
            si
        } else {
            // Skewed: a minority of users produce most sign-ins.
            let r = rng.unit();
            let idx = ((r * r) * users.len() as f64) as usize;
            let u = &users[idx.min(users.len() - 1)];
            let mut si = base_signin(rng, u, t);
            outcome(rng, u, &mut si);
            si
        };
        sinks.push(&si)?;
        written += 1;
        i += 1;
    }
    Ok(())
}

/// Built-in role template ids the policies and assignments use (Global, Security, Exchange,
/// SharePoint and User Administrator).
const ROLE_IDS: [&str; 5] = [
    "62e90394-69f5-4237-9190-012177145e10",
    "194ae4cb-b126-40b2-bd5b-6091b380977d",
    "29232cdf-9323-42fd-ade2-1d097af3e4de",
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
    "fe930be7-5e62-47db-91af-98c3a49a38b1",
];

/// The tenant's configuration: groups nested `nesting` deep (group k's parent is group
/// (k - 1) / 4 while that stays within the levels), each with 8 direct user members; policies of
/// every kind the evaluation tells apart, targeting those groups and roles; role assignments.
fn write_config(
    rng: &mut Rng,
    users: &[User],
    args: &Args,
    dir: &Path,
    manifest: &mut Vec<(PathBuf, u64)>,
) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let gid = |k: usize| format!("9a0c{k:04x}-0000-4000-8000-{k:012x}");
    let pick = |rng: &mut Rng| &users[rng.below(users.len().max(1) as u64) as usize];
    // Level of each group: the first at level 0, four children per group below it.
    let mut level = vec![0usize; args.groups];
    let mut text = String::from(
        "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#groups(id,displayName,members())\",\"value\":[",
    );
    for k in 0..args.groups {
        if k > 0 {
            level[k] = (level[(k - 1) / 4] + 1).min(args.nesting.saturating_sub(1));
        }
        let mut members = Vec::new();
        for _ in 0..8 {
            if users.is_empty() {
                break;
            }
            let u = pick(rng);
            members.push(format!(
                "{{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\"{}\",\"userPrincipalName\":\"{}\"}}",
                u.id, u.upn
            ));
        }
        // Child groups, while the nesting allows.
        for c in 1..=4 {
            let child = 4 * k + c;
            if child < args.groups && level[k] + 1 < args.nesting {
                members.push(format!(
                    "{{\"@odata.type\":\"#microsoft.graph.group\",\"id\":\"{}\"}}",
                    gid(child)
                ));
            }
        }
        if k > 0 {
            text.push(',');
        }
        let _ = write!(
            text,
            "\r\n{{\"id\":\"{}\",\"displayName\":\"Team {k}\",\"transitiveMembers\":null,\"members\":[{}]}}",
            gid(k),
            members.join(",")
        );
    }
    text.push_str("\r\n]}\r\n");
    let mut out = Out::create(dir.join("groups.json"), false, false)?;
    out.put(&text)?;
    out.records = args.groups as u64;
    out.finish(manifest)?;

    let mut text = String::from(
        "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/roleAssignments(principal())\",\"value\":[",
    );
    for k in 0..args.role_assignments {
        if users.is_empty() {
            break;
        }
        let u = pick(rng);
        // One in ten scoped to an administrative unit (not covered by role-targeted policies).
        let scope = if k % 10 == 9 {
            "/administrativeUnits/au-1"
        } else {
            "/"
        };
        if k > 0 {
            text.push(',');
        }
        let _ = write!(
            text,
            "\r\n{{\"id\":\"ra-{k}\",\"roleDefinitionId\":\"{}\",\"principalId\":\"{}\",\"directoryScopeId\":\"{scope}\",\"principal\":{{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\"{}\",\"userPrincipalName\":\"{}\"}}}}",
            ROLE_IDS[k % ROLE_IDS.len()],
            u.id,
            u.id,
            u.upn
        );
    }
    text.push_str("\r\n]}\r\n");
    let mut out = Out::create(dir.join("roleAssignments.json"), false, false)?;
    out.put(&text)?;
    out.records = args.role_assignments as u64;
    out.finish(manifest)?;

    let group = |rng: &mut Rng| gid(rng.below(args.groups.max(1) as u64) as usize);
    let mut policies = Vec::new();
    for k in 0..args.policies {
        let id = format!("6b6e1d1e-1d3c-4e1a-9d7e-{k:012}");
        let (name, state, users_json, clients, grant, narrowing) = match k % 10 {
            // All users, the top group (and so its nested ones) excluded.
            0 => ("MFA for all users", "enabled", format!("\"includeUsers\":[\"All\"],\"excludeGroups\":[\"{}\"]", gid(0)), "\"all\"", "\"builtInControls\":[\"mfa\"],\"operator\":\"OR\"", ""),
            1 => ("MFA for a team", "enabled", format!("\"includeGroups\":[\"{}\"]", group(rng)), "\"all\"", "\"builtInControls\":[\"mfa\"],\"operator\":\"OR\"", ""),
            2 => ("Admins: phishing-resistant", "enabled", format!("\"includeRoles\":[\"{}\",\"{}\"]", ROLE_IDS[0], ROLE_IDS[1]), "\"all\"", "\"builtInControls\":[],\"operator\":\"OR\",\"authenticationStrength\":{\"id\":\"00000000-0000-0000-0000-000000000004\",\"displayName\":\"Phishing-resistant MFA\"}", ""),
            3 => ("Block legacy clients", "enabled", "\"includeUsers\":[\"All\"]".to_string(), "\"exchangeActiveSync\",\"other\"", "\"builtInControls\":[\"block\"],\"operator\":\"OR\"", ""),
            4 => ("MFA or compliant device", "enabled", format!("\"includeGroups\":[\"{}\"]", group(rng)), "\"all\"", "\"builtInControls\":[\"mfa\",\"compliantDevice\"],\"operator\":\"OR\"", ""),
            5 => ("MFA outside trusted locations", "enabled", "\"includeUsers\":[\"All\"]".to_string(), "\"browser\",\"mobileAppsAndDesktopClients\"", "\"builtInControls\":[\"mfa\"],\"operator\":\"OR\"", ",\"locations\":{\"includeLocations\":[\"All\"],\"excludeLocations\":[\"AllTrusted\"]}"),
            6 => ("Report-only MFA for guests", "enabledForReportingButNotEnforced", "\"includeGuestsOrExternalUsers\":{\"guestOrExternalUserTypes\":\"b2bCollaborationGuest,b2bCollaborationMember\",\"externalTenants\":{\"membershipKind\":\"all\"}}".to_string(), "\"all\"", "\"builtInControls\":[\"mfa\"],\"operator\":\"OR\"", ""),
            7 => ("Disabled MFA policy", "disabled", "\"includeUsers\":[\"All\"]".to_string(), "\"all\"", "\"builtInControls\":[\"mfa\"],\"operator\":\"OR\"", ""),
            8 => ("MFA for high sign-in risk", "enabled", format!("\"includeUsers\":[\"All\"],\"excludeGroups\":[\"{}\"]", group(rng)), "\"all\"", "\"builtInControls\":[\"mfa\"],\"operator\":\"OR\"", ",\"signInRiskLevels\":[\"high\"]"),
            _ => ("MFA to register security info", "enabled", "\"includeUsers\":[\"All\"]".to_string(), "\"all\"", "\"builtInControls\":[\"mfa\"],\"operator\":\"OR\"", ""),
        };
        let apps = if k % 10 == 9 {
            "\"includeApplications\":[],\"includeUserActions\":[\"urn:user:registersecurityinfo\"]"
        } else {
            "\"includeApplications\":[\"All\"],\"excludeApplications\":[]"
        };
        policies.push(format!(
            "\r\n{{\"id\":\"{id}\",\"displayName\":\"{name} {k}\",\"state\":\"{state}\",\"createdDateTime\":\"2025-01-01T00:00:00Z\",\"conditions\":{{\"users\":{{{users_json}}},\"applications\":{{{apps}}},\"clientAppTypes\":[{clients}]{narrowing}}},\"grantControls\":{{{grant}}}}}"
        ));
    }
    let text = format!(
        "{{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies\",\"value\":[{}\r\n]}}\r\n",
        policies.join(",")
    );
    let mut out = Out::create(dir.join("conditionalAccessPolicies.json"), false, false)?;
    out.put(&text)?;
    out.records = args.policies as u64;
    out.finish(manifest)?;

    let mut out = Out::create(dir.join("securityDefaults.json"), false, false)?;
    out.put("{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#policies/identitySecurityDefaultsEnforcementPolicy/$entity\",\"id\":\"00000000-0000-0000-0000-000000000005\",\"displayName\":\"Security Defaults\",\"isEnabled\":false}\r\n")?;
    out.records = 1;
    out.finish(manifest)
}

/// `count` non-interactive sign-ins over the same 30 days, as one Azure Monitor archive
/// (`NonInteractiveUserSignInLogs`): token refreshes by the directory's users, most single-factor
/// on a claim in the token, some with the MFA claim, a few failures.
fn write_noninteractive(
    rng: &mut Rng,
    users: &[User],
    count: usize,
    dir: &Path,
    manifest: &mut Vec<(PathBuf, u64)>,
) -> io::Result<()> {
    let d = dir.join(format!(
        "noninteractive/tenantId={TENANT}/y=2025/m=05/d=01/h=00/m=00"
    ));
    fs::create_dir_all(&d)?;
    let mut out = Out::create(d.join("PT1H.json"), false, false)?;
    let step = (30 * DAY_MS / count as i64).max(1);
    let mut text = String::new();
    for i in 0..count {
        let t = LOG_START_MS + i as i64 * step + rng.below(step as u64) as i64;
        let r = rng.unit();
        let idx = ((r * r) * users.len().max(1) as f64) as usize;
        let Some(u) = users.get(idx.min(users.len().saturating_sub(1))) else {
            break;
        };
        let mut si = base_signin(rng, u, t);
        si.interactive = false;
        si.steps.push(token_step());
        match rng.below(100) {
            0..=69 => {}
            70..=94 => {
                si.mfa_required = true;
                si.ca_status = "success";
                si.policy = Some("multiConditionalAccess");
                si.additional = Some("MFA requirement satisfied by claim in the token".into());
            }
            _ => {
                si.error = 70044;
                si.failure = "The session has expired or is invalid due to sign-in frequency checks by conditional access.";
            }
        }
        text.clear();
        monitor_record(&si, &mut text);
        text.push_str("\r\n");
        out.put(&text)?;
        out.records += 1;
    }
    out.finish(manifest)
}

// ---------------------------------------------------------------------------------------------

const ALL_SHAPES: &[&str] = &[
    "msol51",
    "msol7",
    "clixml",
    "regdetails",
    "regcsv",
    "users",
    "states",
    "graph-signins",
    "portal-json",
    "portal-csv",
    "azure-monitor",
    "log-analytics",
];

struct Args {
    users: usize,
    signins: usize,
    noninteractive: usize,
    policies: usize,
    groups: usize,
    nesting: usize,
    role_assignments: usize,
    seed: u64,
    out: PathBuf,
    shapes: BTreeSet<String>,
}

const USAGE: &str = "usage: gen_tenant --users N --signins M --seed S --out DIR [--shapes all|LIST] [--noninteractive K] [--policies P --groups G --nesting D --role-assignments R]\n  shapes: msol51 msol7 clixml regdetails regcsv users states graph-signins portal-json portal-csv azure-monitor log-analytics";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        users: 1000,
        signins: 2000,
        noninteractive: 0,
        policies: 0,
        groups: 0,
        nesting: 1,
        role_assignments: 0,
        seed: 1,
        out: PathBuf::from("target/tenant"),
        shapes: BTreeSet::new(),
    };
    let mut shapes = "all".to_string();
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--users" => args.users = value()?.parse().map_err(|e| format!("--users: {e}"))?,
            "--signins" => {
                args.signins = value()?.parse().map_err(|e| format!("--signins: {e}"))?
            }
            "--noninteractive" => {
                args.noninteractive = value()?
                    .parse()
                    .map_err(|e| format!("--noninteractive: {e}"))?
            }
            "--policies" => {
                args.policies = value()?.parse().map_err(|e| format!("--policies: {e}"))?
            }
            "--groups" => args.groups = value()?.parse().map_err(|e| format!("--groups: {e}"))?,
            "--nesting" => {
                args.nesting = value()?.parse().map_err(|e| format!("--nesting: {e}"))?
            }
            "--role-assignments" => {
                args.role_assignments = value()?
                    .parse()
                    .map_err(|e| format!("--role-assignments: {e}"))?
            }
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--out" => args.out = PathBuf::from(value()?),
            "--shapes" => shapes = value()?,
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    for name in shapes.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if name == "all" {
            args.shapes.extend(ALL_SHAPES.iter().map(|s| s.to_string()));
        } else if ALL_SHAPES.contains(&name) {
            args.shapes.insert(name.to_string());
        } else {
            return Err(format!("unknown shape {name}\n{USAGE}"));
        }
    }
    Ok(args)
}

fn run(args: &Args) -> io::Result<()> {
    let mut rng = Rng(args.seed);
    let users = make_users(&mut rng, args.users);
    let users_dir = args.out.join("users");
    let signins_dir = args.out.join("signins");
    fs::create_dir_all(&users_dir)?;
    fs::create_dir_all(&signins_dir)?;
    let mut manifest = vec![];
    write_directory(&users_dir, &users, &args.shapes, &mut manifest)?;
    // Sign-ins draw from their own stream so the directory files do not change with --signins.
    let mut rng = Rng(args.seed ^ 0x5151_5151_5151_5151);
    let mut sinks = SignInSinks::open(&signins_dir, &args.shapes)?;
    write_signins(&mut rng, &users, args.signins, &mut sinks)?;
    sinks.finish(&mut manifest)?;
    if args.policies + args.groups + args.role_assignments > 0 {
        let mut rng = Rng(args.seed ^ 0x3c3c_3c3c_3c3c_3c3c);
        write_config(
            &mut rng,
            &users,
            args,
            &args.out.join("config"),
            &mut manifest,
        )?;
    }
    if args.noninteractive > 0 {
        let mut rng = Rng(args.seed ^ 0x7e7e_7e7e_7e7e_7e7e);
        write_noninteractive(
            &mut rng,
            &users,
            args.noninteractive,
            &signins_dir,
            &mut manifest,
        )?;
    }
    let mut text = String::new();
    let _ = writeln!(
        text,
        "# gen_tenant --users {} --signins {} --noninteractive {} --seed {}\n# users: {} guests, {} blocked, {} push-fatigue targets, {} fraud reporters",
        args.users,
        args.signins,
        args.noninteractive,
        args.seed,
        users.iter().filter(|u| u.guest).count(),
        users.iter().filter(|u| u.blocked == Some(true)).count(),
        users.iter().filter(|u| u.fatigue).count(),
        users.iter().filter(|u| u.fraud).count(),
    );
    for (path, records) in &manifest {
        let bytes = fs::metadata(path)?.len();
        let rel = path.strip_prefix(&args.out).unwrap_or(path);
        let _ = writeln!(text, "{}\t{}\t{}", rel.display(), bytes, records);
    }
    fs::write(args.out.join("manifest.txt"), &text)?;
    print!("{text}");
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_tenant: {e}");
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pretty(compact: &str) -> String {
        let mut out = String::new();
        let b = compact.as_bytes();
        out.push(b[0] as char);
        let mut pos = 1;
        reindent_51(b, &mut pos, &mut out, 0, 0, b[0] == b'{');
        out
    }

    #[test]
    fn reindent_matches_powershell_51_vectors() {
        assert_eq!(
            pretty(r#"{"a":1,"b":[1,2],"c":{"d":"x"}}"#),
            "{\r\n    \"a\":  1,\r\n    \"b\":  [\r\n              1,\r\n              2\r\n          ],\r\n    \"c\":  {\r\n              \"d\":  \"x\"\r\n          }\r\n}"
        );
        assert_eq!(pretty("[]"), "[\r\n\r\n]");
        assert_eq!(pretty("{}"), "{\r\n\r\n}");
        assert_eq!(pretty("[1]"), "[\r\n    1\r\n]");
        assert_eq!(
            pretty(r#"{"Name":"x","Arr":[],"Obj":{}}"#),
            "{\r\n    \"Name\":  \"x\",\r\n    \"Arr\":  [\r\n\r\n            ],\r\n    \"Obj\":  {\r\n\r\n            }\r\n}"
        );
    }

    #[test]
    fn escapes_and_dates() {
        let mut out = String::new();
        compact_51(
            &J::O(vec![
                ("N", s("O'Brien <a&b>")),
                ("D", J::Date(1718447400000)),
            ]),
            &mut out,
        );
        assert_eq!(
            out,
            r#"{"N":"O\u0027Brien \u003ca\u0026b\u003e","D":"\/Date(1718447400000)\/"}"#
        );
        assert_eq!(iso_z(1718447400000), "2024-06-15T10:30:00Z");
        assert_eq!(la_date(1695131117287), "9/19/2023, 1:45:17.287 PM");
        let mut x = String::new();
        clixml_escape(&mut x, "a\r\nb_x0041_<&>");
        assert_eq!(x, "a_x000D__x000A_b_x005F_x0041_&lt;&amp;&gt;");
    }

    #[test]
    fn same_seed_same_users() {
        let a = make_users(&mut Rng(7), 50);
        let b = make_users(&mut Rng(7), 50);
        assert!(
            a.iter()
                .zip(&b)
                .all(|(x, y)| x.id == y.id && x.upn == y.upn)
        );
        assert!(a.iter().any(|u| u.guest && u.upn.contains("#EXT#")));
    }
}
