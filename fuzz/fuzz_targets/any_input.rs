//! Fuzz target: decoding, detection and whichever reader the content picks. Any input must give a result or an error, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mfaudit::input::{ReadOptions, read_bytes};

fuzz_target!(|data: &[u8]| {
    let opts = ReadOptions {
        ..ReadOptions::default()
    };
    let _ = read_bytes("fuzz", data.to_vec(), None, &opts);
});
