//! Fuzz target: the path standard input takes (a stream read once: its head for detection, then
//! the rest), fed in chunks of a size the input picks, as a pipe delivers them. Any input must
//! give a result or an error, never a panic or a hang.
#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;
use mfaudit::input::{ReadOptions, read_stream};

/// Hands out the bytes a few at a time, as a pipe does.
struct Trickle {
    data: Vec<u8>,
    at: usize,
    chunk: usize,
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.chunk.min(buf.len()).min(self.data.len() - self.at);
        buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let stream = Trickle {
        data: rest.to_vec(),
        at: 0,
        chunk: usize::from(first).max(1),
    };
    let _ = read_stream("-", Box::new(stream), &ReadOptions::default());
});
