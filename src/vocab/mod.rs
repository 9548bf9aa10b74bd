//! The vocabularies, each one table in one module: method names, MFA Server call results, the MFA
//! result words of the sign-in report, sign-in error codes, CSV header aliases, and the built-in
//! directory roles. Adding a name is a one-line change here with a test, never a hunt through
//! readers.

pub mod block_actions;
pub mod call_results;
pub mod enforcement;
pub mod error_codes;
pub mod headers;
pub mod methods;
pub mod mfa_words;
pub mod names;
pub mod own_outputs;
pub mod roles;
pub mod workloads;

pub use workloads::is_workload_event_type;

/// Spellings already looked up on this thread, with what they gave: an export repeats the same few
/// dozen keys and names millions of times, and working one out means normalising it.
pub type Spellings<V> =
    std::cell::RefCell<std::collections::HashMap<Box<str>, V, foldhash::fast::RandomState>>;

/// What `work` gives for `spelling`, from `seen` when this thread looked it up before. Bounded: a
/// file of random names stops being remembered past a few hundred.
pub fn remembered<V: Copy>(
    seen: &'static std::thread::LocalKey<Spellings<V>>,
    spelling: &str,
    work: impl FnOnce(&str) -> V,
) -> V {
    /// Enough for any export's spellings.
    const MAX_SEEN: usize = 512;
    seen.with_borrow_mut(|seen| {
        if let Some(v) = seen.get(spelling) {
            return *v;
        }
        let v = work(spelling);
        if seen.len() < MAX_SEEN {
            seen.insert(spelling.into(), v);
        }
        v
    })
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    #[test]
    fn spellings_are_worked_out_once_and_the_memo_is_bounded() {
        thread_local! {
            static SEEN: super::Spellings<usize> = Default::default();
        }
        let calls = Cell::new(0);
        let len = |s: &str| {
            calls.set(calls.get() + 1);
            s.len()
        };
        assert_eq!(super::remembered(&SEEN, "abc", len), 3);
        assert_eq!(super::remembered(&SEEN, "abc", len), 3);
        assert_eq!(calls.get(), 1);
        for i in 0..1000 {
            let name = format!("name{i}");
            assert_eq!(super::remembered(&SEEN, &name, len), name.len());
        }
        assert_eq!(SEEN.with_borrow(|s| s.len()), 512);
        // Past the bound, answers are still right, only worked out each time.
        let before = calls.get();
        assert_eq!(super::remembered(&SEEN, "name999", len), 7);
        assert_eq!(calls.get(), before + 1);
    }
}
