//! Fuzz target: the date parser (ISO, \/Date(ms)\/, culture strings).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = mfaudit::input::when::parse_time(text, None);
        let _ = mfaudit::input::when::parse_time(text, Some(true));
    }
});
