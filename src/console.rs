//! What reaches the terminal while a command runs: warnings and notes on stderr (silenced by
//! `--quiet`; stdout carries data only), and a progress line for long reads. Text from inputs in
//! either has its control characters escaped ([`crate::text`]).

use std::io::IsTerminal;
use std::path::Path;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Warnings and notes on stderr (silenced by `--quiet`); stdout carries data only.
#[derive(Debug, Clone, Copy)]
pub struct Messages {
    pub quiet: bool,
}

impl Messages {
    /// A warning on stderr, as one line: text from inputs in it has its control characters
    /// escaped ([`crate::text::escape_control`]).
    pub fn warn(&self, text: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("warning: {}", crate::text::escape_control(text.as_ref()));
        }
    }

    /// A note on stderr, escaped like a warning.
    pub fn note(&self, text: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("note: {}", crate::text::escape_control(text.as_ref()));
        }
    }
}

/// A rate as people read it: `769,425/s`, whole records, digits grouped.
pub fn rate(per_second: f64) -> String {
    let n = if per_second.is_finite() && per_second > 0.0 {
        per_second.round() as u64
    } else {
        0
    };
    format!("{}/s", crate::report::html::thousands(n))
}

/// Counts records as a file streams.
pub struct Progress {
    bar: ProgressBar,
    count: u64,
}

impl Progress {
    pub fn new(quiet: bool, path: &Path, what: &'static str) -> Progress {
        let bar = if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            let name = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            styled(
                ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(8)),
                &name,
                what,
            )
        };
        Progress { bar, count: 0 }
    }

    /// One more record.
    pub fn inc(&mut self) {
        self.inc_by(1);
    }

    /// `n` more records.
    pub fn inc_by(&mut self, n: u64) {
        let before = self.count / 4096;
        self.count += n;
        if self.count / 4096 != before {
            self.bar.set_position(self.count);
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A spinner counting `what`, labelled `name` (escaped: it may come from an input).
fn styled(bar: ProgressBar, name: &str, what: &'static str) -> ProgressBar {
    bar.set_style(
        ProgressStyle::with_template("{spinner} {prefix} {human_pos} {msg} ({rate}, {elapsed})")
            .map(|s| {
                s.with_key(
                    "rate",
                    |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = w.write_str(&rate(state.per_sec()));
                    },
                )
            })
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_prefix(crate::text::escape_control(name).into_owned());
    bar.set_message(what);
    bar
}

/// Progress lines of work running side by side (the datasets of a pull), one line each.
pub struct ProgressGroup {
    multi: Option<MultiProgress>,
}

impl ProgressGroup {
    pub fn new(quiet: bool) -> ProgressGroup {
        let shown = !quiet && std::io::stderr().is_terminal();
        ProgressGroup {
            multi: shown
                .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(8))),
        }
    }

    /// One more line, counting `what` for `name`.
    pub fn bar(&self, name: &str, what: &'static str) -> Progress {
        let bar = match &self.multi {
            Some(m) => styled(m.add(ProgressBar::no_length()), name, what),
            None => ProgressBar::hidden(),
        };
        Progress { bar, count: 0 }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rates_read_as_whole_records_with_grouped_digits() {
        assert_eq!(super::rate(769_424.874_5), "769,425/s");
        assert_eq!(super::rate(0.4), "0/s");
        assert_eq!(super::rate(f64::NAN), "0/s");
        assert_eq!(super::rate(1234.5), "1,235/s");
    }
}
