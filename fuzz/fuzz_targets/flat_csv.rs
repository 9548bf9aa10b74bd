//! Fuzz target: the flattened MSOnline CSV reader (MFA_Report.csv, AdminDroid). Any input must give a result or an error, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mfaudit::input::{Kind, ReadOptions, read_bytes};

fuzz_target!(|data: &[u8]| {
    let opts = ReadOptions {
        ..ReadOptions::default()
    };
    let _ = read_bytes("fuzz", data.to_vec(), Some(Kind::FlatMsolCsv), &opts);
});
