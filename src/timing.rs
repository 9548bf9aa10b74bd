//! Phase timings on stderr when the environment variable `MFAUDIT_TIMINGS` is set: where a long
//! run spends its time (BENCHMARKS.md says how the figures there were taken). Off by default; a phase costs one
//! check then.

use std::sync::OnceLock;
use std::time::Instant;

/// Prints `seconds phase` (seconds since the first phase of the run) when timings are on.
pub fn phase(what: &str) {
    static ON: OnceLock<Option<Instant>> = OnceLock::new();
    let start = ON.get_or_init(|| std::env::var_os("MFAUDIT_TIMINGS").map(|_| Instant::now()));
    if let Some(start) = start {
        eprintln!(
            "mfaudit: timing: {:7.3} s {what}",
            start.elapsed().as_secs_f64()
        );
    }
}
