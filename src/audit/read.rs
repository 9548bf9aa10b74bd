//! Reading the activity on both cores while the directory is read: one thread frames the sign-in
//! logs and folds their records into a ledger, offering batches of JSON records to the other,
//! which helps once the directory is in. Arrival numbers (input, then record) keep the merged
//! ledgers exactly what reading in order gives; inputs are folded whole, in order, so that a
//! sign-in two inputs share is counted from the input given first. Nothing outside this module
//! knows about the batches or the arrival numbers.

use std::sync::atomic::{AtomicBool, Ordering};

use super::AuditOptions;
use super::ledger::{Ledger, SeenIds};
use crate::console::{Messages, Progress};
use crate::error::{Error, Result};
use crate::input::signins::{self, BatchSink, JsonBatch};
use crate::input::{self, InputFile, ReadOptions, ReadStats};
use crate::par;

/// Batches of sign-in records waiting for the helper thread, at most.
pub(super) const SHARED_BATCHES: usize = 4;

/// The arrival number of record `index` of activity input `n`: inputs in order, records in order
/// (the records of a page on one JSON Lines line share it, and are folded by one thread in order).
pub(super) fn arrival(n: usize, index: u64) -> u64 {
    ((n as u64) << 40) | index
}

/// How the reader thread left one activity input.
pub(super) enum FileRead {
    /// Read on this thread alone: its stats, or the error it is.
    Whole(Result<ReadStats>),
    /// Read with help: this thread's part and how the framing ended (see
    /// [`input::finish_signins_shared`]).
    Shared(signins::JsonPart, Result<()>),
}

/// Reads every activity input into a ledger, offering JSON record batches to a helper; returns
/// it with how each input was read, in order, up to the first input that failed. Each input is
/// folded whole before the next one starts (its batches a helper took are waited for): a sign-in
/// that two inputs share is then always counted from the input given first.
#[allow(clippy::too_many_arguments)]
pub(super) fn read_activity(
    files: &[&InputFile],
    auth: &[&InputFile],
    opts: &ReadOptions,
    msg: Messages,
    audit_opts: AuditOptions,
    stop: &AtomicBool,
    share: &par::Share<JsonBatch>,
    seen: &std::sync::Arc<SeenIds>,
) -> Result<(Vec<Ledger>, Vec<FileRead>)> {
    let mut ledger = Ledger::sharing(audit_opts, seen.clone());
    let mut out: Vec<FileRead> = Vec::new();
    let stopped = || Error::Stopped;
    for (n, f) in files.iter().enumerate() {
        if n > 0 {
            share.settle(|batch| {
                let file = batch.file;
                let mut part = signins::JsonPart::default();
                let _ =
                    input::read_signin_batch(files[file], opts, &batch, &mut part, &mut |s, i| {
                        ledger.add_at(&s, arrival(file, i));
                        Ok(())
                    });
                if let Some(FileRead::Shared(mine, _)) = out.get_mut(file) {
                    mine.absorb(part);
                }
            });
        }
        let mut progress = Progress::new(msg.quiet, &f.path, "sign-ins");
        if input::shares_work(f) {
            // Counted when handed over, or when read here.
            let counted = std::cell::RefCell::new(&mut progress);
            let mut sink = Handover {
                share,
                stop,
                counted: &counted,
            };
            let (part, framing) =
                input::read_signins_shared(f, n, opts, &mut sink, &mut |s, index| {
                    if stop.load(Ordering::Relaxed) {
                        return Err(stopped());
                    }
                    counted.borrow_mut().inc();
                    ledger.add_at(&s, arrival(n, index));
                    Ok(())
                })?;
            progress.finish();
            if matches!(&framing, Err(Error::Stopped)) {
                return Ok((vec![ledger], out));
            }
            // A broken file may still count as read (with a warning): decided with all its parts.
            out.push(FileRead::Shared(part, framing));
        } else {
            let mut count = 0u64;
            let read = input::read_signins(f, auth, opts, &mut |s| {
                progress.inc();
                if count.is_multiple_of(4096) && stop.load(Ordering::Relaxed) {
                    return Err(stopped());
                }
                ledger.add_at(&s, arrival(n, count));
                count += 1;
                Ok(())
            });
            progress.finish();
            match read {
                Err(Error::Stopped) => return Ok((vec![ledger], out)),
                Err(e) => {
                    out.push(FileRead::Whole(Err(e)));
                    return Ok((vec![ledger], out));
                }
                Ok(s) => out.push(FileRead::Whole(Ok(s))),
            }
        }
    }
    // Batches still queued (the helper was busy with the directory) are read here as well.
    share.close();
    let helped = help_read(files, opts, audit_opts, share, seen);
    for (n, part) in helped.parts.into_iter().enumerate() {
        if let (Some(part), Some(FileRead::Shared(mine, _))) = (part, out.get_mut(n)) {
            mine.absorb(part);
        }
    }
    Ok((vec![ledger, helped.ledger], out))
}

/// What a helper thread read of the shared inputs.
pub(super) struct Helped {
    pub(super) ledger: Ledger,
    /// Per activity input.
    pub(super) parts: Vec<Option<signins::JsonPart>>,
}

impl Helped {
    fn new(files: usize, audit_opts: AuditOptions, seen: &std::sync::Arc<SeenIds>) -> Helped {
        Helped {
            ledger: Ledger::sharing(audit_opts, seen.clone()),
            parts: (0..files).map(|_| None).collect(),
        }
    }

    /// Reads batches until the reader closes the hand-over.
    fn read_all(
        &mut self,
        files: &[&InputFile],
        opts: &ReadOptions,
        share: &par::Share<JsonBatch>,
    ) {
        while let Some(batch) = share.take() {
            let n = batch.file;
            let part = self.parts[n].get_or_insert_default();
            let ledger = &mut self.ledger;
            // The ledger never fails, so neither does reading the batch: bad records are counted
            // in the part.
            let _ = input::read_signin_batch(files[n], opts, &batch, part, &mut |s, index| {
                ledger.add_at(&s, arrival(n, index));
                Ok(())
            });
            share.done();
        }
    }
}

/// A helper's side: reads shared batches until the reader closes the hand-over (the directory's
/// thread once the directory is in, and the reader itself for what is still queued at the end).
pub(super) fn help_read(
    files: &[&InputFile],
    opts: &ReadOptions,
    audit_opts: AuditOptions,
    share: &par::Share<JsonBatch>,
    seen: &std::sync::Arc<SeenIds>,
) -> Helped {
    let mut helped = Helped::new(files.len(), audit_opts, seen);
    helped.read_all(files, opts, share);
    helped
}

/// The hand-over of one file's batches to the helper thread, counting what it takes.
struct Handover<'a, 'p> {
    share: &'a par::Share<JsonBatch>,
    stop: &'a AtomicBool,
    counted: &'a std::cell::RefCell<&'p mut Progress>,
}

impl BatchSink for Handover<'_, '_> {
    fn has_room(&self) -> bool {
        self.share.has_room()
    }

    fn offer(&mut self, batch: JsonBatch) -> Option<JsonBatch> {
        if self.stop.load(Ordering::Relaxed) {
            // Given back, to be read here: reading it fails with `stopped`.
            return Some(batch);
        }
        let records = batch.len() as u64;
        let back = self.share.offer(batch);
        if back.is_none() {
            self.counted.borrow_mut().inc_by(records);
        }
        back
    }
}
