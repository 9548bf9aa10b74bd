//! Every way mfaudit runs work in parallel, behind plain functions, so that no other module starts
//! a thread or calls rayon: maps, parts, [`join`] and [`sort_unstable`] on rayon's pool (one thread
//! per core; a map writes each result straight into the vector's memory), for the steps after
//! reading that touch every user; [`alongside`] for work that waits (reading files) on a thread of
//! its own, with a bounded hand-over ([`Share`]) to whichever thread is free; [`ordered`] for items
//! made on other threads and consumed in order (the `--json` writer); [`in_background`] for work
//! that waits on the operating system; and [`free_in_background`] for a large value nobody needs
//! to wait to see freed.

use rayon::iter::{
    IndexedParallelIterator, IntoParallelIterator, IntoParallelRefMutIterator, ParallelIterator,
};
use rayon::slice::{ParallelSlice, ParallelSliceMut};

/// `items.iter().enumerate().map(f).collect()`, computed on every core (on this thread below
/// `MIN_PER_THREAD` items), results in order.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(usize, &T) -> R + Sync) -> Vec<R> {
    let mut refs: Vec<&T> = items.iter().collect();
    map_mut(&mut refs, |i, t| f(i, t))
}

/// [`map`] with each item borrowed mutably (to move parts of it into the result). The results are
/// written in place by the threads that compute them: not made first as defaults on one thread
/// (a large result's page faults would then all fall on that thread before the work begins), and
/// not one vector per thread then their concatenation (a copy, and a higher peak).
pub fn map_mut<T: Send, R: Send>(items: &mut [T], f: impl Fn(usize, &mut T) -> R + Sync) -> Vec<R> {
    if threads_for(items.len()) == 1 {
        return items.iter_mut().enumerate().map(|(i, t)| f(i, t)).collect();
    }
    let mut out = Vec::new();
    items
        .par_iter_mut()
        .enumerate()
        .with_min_len(MIN_PER_JOB)
        .map(|(i, t)| f(i, t))
        .collect_into_vec(&mut out);
    out
}

/// `n` values made by `make`, on every core: a large vector's memory is first touched, page by
/// page, by the threads that fill it.
pub fn filled<R: Send>(n: usize, make: impl Fn() -> R + Sync) -> Vec<R> {
    if threads_for(n) == 1 {
        return std::iter::repeat_with(make).take(n).collect();
    }
    let mut out = Vec::new();
    (0..n)
        .into_par_iter()
        .with_min_len(MIN_PER_JOB)
        .map(|_| make())
        .collect_into_vec(&mut out);
    out
}

/// `(a(), b())`, on two cores when one is free.
pub fn join<RA: Send, RB: Send>(
    a: impl FnOnce() -> RA + Send,
    b: impl FnOnce() -> RB + Send,
) -> (RA, RB) {
    rayon::join(a, b)
}

/// `items.sort_unstable()`, on every core.
pub fn sort_unstable<T: Ord + Send>(items: &mut [T]) {
    items.par_sort_unstable();
}

/// Runs `background` on a thread of its own while `foreground` runs on this one; both results,
/// once both are done (the background's `Err` when it panicked). For work that blocks on files or
/// on a [`Share`], which must not hold one of the pool's threads.
pub fn alongside<RB: Send, RF>(
    background: impl FnOnce() -> RB + Send,
    foreground: impl FnOnce() -> RF,
) -> (std::thread::Result<RB>, RF) {
    std::thread::scope(|scope| {
        let handle = scope.spawn(background);
        let here = foreground();
        (handle.join(), here)
    })
}

/// Makes item `i` for every `i` below `count` with `make` on `threads` threads (thread `k` makes
/// items `k`, `k + threads`, ...; each at most `ahead` items before the consumer), and hands them
/// to `consume` on this thread in order: the making overlaps the consuming, and memory holds a few
/// items, never all of them. An error from `consume` stops the makers and is returned.
pub fn ordered<T: Send, E>(
    count: usize,
    threads: usize,
    ahead: usize,
    make: impl Fn(usize) -> T + Sync,
    mut consume: impl FnMut(T) -> Result<(), E>,
) -> Result<(), E> {
    let threads = threads.max(1);
    let make = &make;
    std::thread::scope(|scope| {
        let mut receivers = Vec::with_capacity(threads);
        for k in 0..threads {
            let (tx, rx) = std::sync::mpsc::sync_channel::<T>(ahead);
            receivers.push(rx);
            scope.spawn(move || {
                for i in (k..count).step_by(threads) {
                    // The consumer stopped (its error is the result): nothing more to make.
                    if tx.send(make(i)).is_err() {
                        return;
                    }
                }
            });
        }
        for i in 0..count {
            // A maker that panicked: the scope re-raises its panic once the others are joined.
            let Ok(item) = receivers[i % threads].recv() else {
                break;
            };
            consume(item)?;
        }
        Ok(())
    })
}

/// Frees `value` on a thread of its own. Dropping a tree of hundreds of thousands of small blocks
/// (a large tenant's tables, a template's data) takes a while that nobody needs to wait for; the
/// caller decides when, since freeing while another step allocates a lot slows that step.
pub fn free_in_background<T: Send + 'static>(value: T) {
    in_background(move || drop(value));
}

/// Runs `f` on a thread of its own, not joined unless the caller joins it: for work that waits on
/// the operating system (flushes to disk while a large file is written, a network exchange that
/// must give up at a deadline).
pub fn in_background<R: Send + 'static>(
    f: impl FnOnce() -> R + Send + 'static,
) -> std::thread::JoinHandle<R> {
    std::thread::spawn(f)
}

/// Items a map's thread takes at a time, at least: enough that handing work between threads costs
/// nothing next to it.
const MIN_PER_JOB: usize = 1024;

/// `f` over consecutive parts of `items`, one part per thread: for folds (counts, sums) over
/// many items, whose per-part results the caller combines.
pub fn parts<T: Sync, R: Send>(items: &[T], f: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    parts_of(items, MIN_PER_THREAD, f)
}

/// [`parts`] for items that are each much work (files to open): a thread for as few as
/// `min_per_thread` of them.
pub fn parts_of<T: Sync, R: Send>(
    items: &[T],
    min_per_thread: usize,
    f: impl Fn(&[T]) -> R + Sync,
) -> Vec<R> {
    let chunk = items
        .len()
        .div_ceil(threads_for_at_least(items.len(), min_per_thread))
        .max(1);
    if chunk >= items.len() {
        return items.chunks(chunk).map(f).collect();
    }
    let mut out = Vec::new();
    items.par_chunks(chunk).map(&f).collect_into_vec(&mut out);
    out
}

/// Items below which a thread is not worth starting, for cheap items.
const MIN_PER_THREAD: usize = 4096;

fn threads_for(items: usize) -> usize {
    threads_for_at_least(items, MIN_PER_THREAD)
}

fn threads_for_at_least(items: usize, min_per_thread: usize) -> usize {
    std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(items / min_per_thread.max(1))
        .max(1)
}

/// Work handed from one thread to whichever other thread is free. The producer [`offer`]s each
/// item: it is queued when there is room and given back otherwise (so the producer does it
/// itself, and memory stays bounded). Helpers [`take`] until the producer [`close`]s.
///
/// [`offer`]: Share::offer
/// [`take`]: Share::take
/// [`close`]: Share::close
pub struct Share<T> {
    state: std::sync::Mutex<ShareState<T>>,
    ready: std::sync::Condvar,
    capacity: usize,
}

struct ShareState<T> {
    items: std::collections::VecDeque<T>,
    closed: bool,
    /// Items taken by helpers and not yet [`Share::done`] with.
    busy: usize,
}

impl<T> Share<T> {
    pub fn new(capacity: usize) -> Share<T> {
        Share {
            state: std::sync::Mutex::new(ShareState {
                items: std::collections::VecDeque::with_capacity(capacity),
                closed: false,
                busy: 0,
            }),
            ready: std::sync::Condvar::new(),
            capacity,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ShareState<T>> {
        // A helper that panicked leaves consistent state behind (a queue of items).
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Queues `item` for a helper, or gives it back when the queue is full or closed.
    pub fn offer(&self, item: T) -> Option<T> {
        let mut s = self.lock();
        if s.closed || s.items.len() >= self.capacity {
            return Some(item);
        }
        s.items.push_back(item);
        self.ready.notify_one();
        None
    }

    /// Whether an item offered now would be queued.
    pub fn has_room(&self) -> bool {
        let s = self.lock();
        !s.closed && s.items.len() < self.capacity
    }

    /// The next item; waits while the queue is empty and open; `None` once it is closed and empty.
    /// The helper says [`Share::done`] once it has finished with the item.
    pub fn take(&self) -> Option<T> {
        let mut s = self.lock();
        loop {
            if let Some(item) = s.items.pop_front() {
                s.busy += 1;
                return Some(item);
            }
            if s.closed {
                return None;
            }
            s = self
                .ready
                .wait(s)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }

    /// A helper finished with an item it took.
    pub fn done(&self) {
        let mut s = self.lock();
        s.busy = s.busy.saturating_sub(1);
        self.ready.notify_all();
    }

    /// Waits until every item offered so far is finished with: those still queued are handed to
    /// `here` (the producer does them itself), those a helper took are waited for. What the
    /// producer does next then comes after all of them.
    pub fn settle(&self, mut here: impl FnMut(T)) {
        let mut s = self.lock();
        loop {
            if let Some(item) = s.items.pop_front() {
                drop(s);
                here(item);
                s = self.lock();
                continue;
            }
            if s.busy == 0 {
                return;
            }
            s = self
                .ready
                .wait(s)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }

    /// No more offers: helpers finish what is queued, then `take` returns `None`.
    pub fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_all();
    }

    /// Closes the hand-over when dropped: however the producer ends (a panic included), its
    /// helpers are not left waiting.
    pub fn closer(&self) -> Closer<'_, T> {
        Closer(self)
    }
}

/// See [`Share::closer`].
pub struct Closer<'a, T>(&'a Share<T>);

impl<T> Drop for Closer<'_, T> {
    fn drop(&mut self) {
        self.0.close();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order_and_indexes() {
        for n in [0, 1, 4095, 4096 * 2 + 7, 50_000] {
            let items: Vec<u64> = (0..n as u64).collect();
            let got = super::map(&items, |i, v| (i as u64) * 1_000_000 + v * 2);
            let want: Vec<u64> = (0..n as u64).map(|v| v * 1_000_000 + v * 2).collect();
            assert_eq!(got, want, "n = {n}");
            let mut items = items;
            let moved = super::map_mut(&mut items, |i, v| {
                let out = (i as u64) * 1_000_000 + *v * 2;
                *v = 0;
                out
            });
            assert_eq!(moved, want, "mut, n = {n}");
            assert!(items.iter().all(|v| *v == 0));
            assert_eq!(super::filled(n, || 7u8), vec![7u8; n], "filled, n = {n}");
        }
    }

    #[test]
    fn ordered_hands_items_over_in_order_and_stops_at_an_error() {
        for (count, threads, ahead) in [(0, 2, 1), (1, 2, 2), (1000, 2, 2), (999, 3, 1), (10, 1, 4)]
        {
            let mut got = Vec::new();
            let r: Result<(), ()> = super::ordered(
                count,
                threads,
                ahead,
                |i| i * 3,
                |v| {
                    got.push(v);
                    Ok(())
                },
            );
            assert_eq!(r, Ok(()));
            assert_eq!(
                got,
                (0..count).map(|i| i * 3).collect::<Vec<_>>(),
                "{count} {threads}"
            );
        }
        let made = std::sync::atomic::AtomicUsize::new(0);
        let mut seen = 0;
        let r = super::ordered(
            100_000,
            2,
            2,
            |i| {
                made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                i
            },
            |i| {
                seen += 1;
                if i == 10 { Err("stop") } else { Ok(()) }
            },
        );
        assert_eq!(r, Err("stop"));
        assert_eq!(seen, 11);
        // The makers stop soon after: a few items ahead each, not the whole range.
        assert!(made.into_inner() < 100, "the makers went on");
    }

    #[test]
    fn alongside_gives_both_results_and_a_background_panic_as_err() {
        let (bg, fg) = super::alongside(|| 1 + 1, || "here");
        assert_eq!((bg.ok(), fg), (Some(2), "here"));
        let (bg, fg) = super::alongside(|| -> u8 { panic!("reader failed") }, || 7);
        assert!(bg.is_err());
        assert_eq!(fg, 7);
    }

    #[test]
    fn parts_cover_every_item_once_in_order() {
        for n in [0, 1, 4095, 4096 * 2 + 7, 50_000] {
            let items: Vec<u64> = (0..n as u64).collect();
            let parts = super::parts(&items, |part| part.to_vec());
            let joined: Vec<u64> = parts.concat();
            assert_eq!(joined, items, "n = {n}");
            let sums: u64 = super::parts(&items, |part| part.iter().sum::<u64>())
                .into_iter()
                .sum();
            assert_eq!(sums, items.iter().sum::<u64>(), "n = {n}");
            let one_each = super::parts_of(&items, 1, |part| part.to_vec());
            assert_eq!(one_each.concat(), items, "n = {n}, one per thread");
        }
    }

    #[test]
    fn share_hands_over_or_gives_back_and_ends_on_close() {
        let share = super::Share::new(2);
        assert_eq!(share.offer(1), None);
        assert_eq!(share.offer(2), None);
        assert_eq!(share.offer(3), Some(3), "full: given back");
        let taken = std::thread::scope(|scope| {
            let helper = scope.spawn(|| {
                let mut got = Vec::new();
                while let Some(i) = share.take() {
                    got.push(i);
                }
                got
            });
            for i in 4..1000 {
                // Whatever the helper does not take in time, this thread keeps.
                let _ = share.offer(i);
            }
            share.close();
            helper.join().unwrap()
        });
        assert_eq!(&taken[..2], [1, 2]);
        assert!(taken.windows(2).all(|w| w[0] < w[1]), "in order");
        assert_eq!(share.offer(5000), Some(5000), "closed: given back");
        assert_eq!(share.take(), None);
    }

    /// `settle` returns once every item offered is finished: queued ones done by the producer,
    /// taken ones waited for.
    #[test]
    fn settle_waits_for_every_item_offered() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let share = super::Share::new(4);
        let finished = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            scope.spawn(|| {
                while let Some(n) = share.take() {
                    std::thread::sleep(std::time::Duration::from_millis(n));
                    finished.fetch_add(1, Ordering::SeqCst);
                    share.done();
                }
            });
            let mut here = 0;
            for round in 0..20 {
                let mut offered = 0;
                for _ in 0..6 {
                    if share.offer(round % 3).is_none() {
                        offered += 1;
                    } else {
                        here += 1;
                    }
                }
                let before = finished.load(Ordering::SeqCst);
                share.settle(|_| here += 1);
                // Nothing a helper holds is unfinished now.
                assert!(finished.load(Ordering::SeqCst) >= before);
                assert_eq!(share.lock().busy, 0);
                assert!(share.lock().items.is_empty());
                let _ = offered;
            }
            share.close();
            assert_eq!(here + finished.load(Ordering::SeqCst), 120);
        });
    }

    #[test]
    fn a_producer_that_panics_does_not_leave_its_helper_waiting() {
        let share = super::Share::<u32>::new(2);
        std::thread::scope(|scope| {
            let producer = scope.spawn(|| {
                let _closer = share.closer();
                assert_eq!(share.offer(1), None);
                panic!("the producer failed");
            });
            let mut got = Vec::new();
            while let Some(i) = share.take() {
                got.push(i);
            }
            assert_eq!(got, [1]);
            assert!(producer.join().is_err());
        });
    }
}
