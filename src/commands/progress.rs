//! A progress line on stderr for long reads: shown only when stderr is a terminal and `--quiet`
//! is not given, so logs and pipes stay clean.

use std::io::IsTerminal;
use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

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
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(8));
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {prefix} {human_pos} {msg} ({per_sec}, {elapsed})",
                )
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            let name = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            bar.set_prefix(crate::text::escape_control(&name).into_owned());
            bar.set_message(what);
            bar
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
