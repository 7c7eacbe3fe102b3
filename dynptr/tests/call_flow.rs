//! The call flow of a `#[dyn_trait]` wrapper, written by hand (`common/async_iter.rs`):
//! static and dynamic dispatch agree, the wrapper implements the user's trait, `Boxed`
//! allocates exactly once per call, and non-`Copy` items travel through it intact.

#[allow(dead_code, unreachable_pub)]
#[path = "common/async_iter.rs"]
mod async_iter;

use async_iter::{block_on, sum_dyn, sum_static, AsyncIterator, Count, DynAsyncIterator};
use dynptr::{Boxed, Strategy};
use dynptr_core::testkit::CountingAllocator;

/// Lengths to sum; small under Miri.
const LENGTHS: &[u32] = if cfg!(miri) {
    &[0, 1, 2, 7]
} else {
    &[0, 1, 2, 7, 100, 10_000]
};

fn triangle(n: u32) -> u32 {
    n * (n + 1) / 2
}

#[test]
fn static_and_dyn_dispatch_give_the_same_sum() {
    for &n in LENGTHS {
        let expected = triangle(n);
        assert_eq!(block_on(sum_static(Count::new(n))), expected, "static, n = {n}");

        let mut it = Count::new(n);
        let mut d: DynAsyncIterator<'_, u32, Boxed> = DynAsyncIterator::new(&mut it);
        assert_eq!(block_on(sum_dyn(&mut d)), expected, "dyn Boxed, n = {n}");
        // Exhausted, and stays so.
        assert_eq!(block_on(d.next()), None);
        assert_eq!(
            block_on(it.next()),
            None,
            "the wrapper drove the borrowed iterator"
        );
    }
}

#[test]
fn the_wrapper_implements_the_trait() {
    let mut it = Count::new(10);
    // `DynAsyncIterator::<u32>` takes the default strategy, `Boxed`.
    let sum = block_on(sum_static(DynAsyncIterator::<u32>::new(&mut it)));
    assert_eq!(sum, 55);
    assert_eq!(block_on(it.next()), None);

    // A generic function over the user's trait accepts the wrapper as well.
    let mut it = Count::new(4);
    let d = DynAsyncIterator::with_strategy(&mut it, Boxed::new());
    assert_eq!(block_on(collect(d)), [1, 2, 3, 4]);
}

/// Used by `boxed_allocates_exactly_once_per_call` only (tests run in parallel).
static COUNTER: CountingAllocator = CountingAllocator::new();

#[test]
fn boxed_allocates_exactly_once_per_call() {
    let n: u32 = if cfg!(miri) { 5 } else { 1000 };
    let mut it = Count::new(n);
    let mut d = DynAsyncIterator::with_strategy(&mut it, Boxed::new_in(&COUNTER));
    let (a0, d0) = (COUNTER.allocs(), COUNTER.deallocs());

    // Call by call: creating the call future does nothing; its first poll allocates
    // the callee's future once and, the future being ready, frees it before the poll
    // returns.
    for (k, expected) in (1..=n).enumerate() {
        let fut = d.next();
        assert_eq!(COUNTER.allocs() - a0, k, "a call allocated before its first poll");
        assert_eq!(block_on(fut), Some(expected));
        assert_eq!(COUNTER.allocs() - a0, k + 1, "allocations after call {}", k + 1);
        assert_eq!(COUNTER.deallocs() - d0, k + 1, "the future was freed");
    }
    let calls = n as usize;
    assert_eq!(block_on(d.next()), None);
    assert_eq!(COUNTER.allocs() - a0, calls + 1);

    // A whole loop: n items plus the final `None`, one allocation each, all freed.
    let mut it = Count::new(n);
    let mut d = DynAsyncIterator::with_strategy(&mut it, Boxed::new_in(&COUNTER));
    let (a1, d1, b1) = (COUNTER.allocs(), COUNTER.deallocs(), COUNTER.bytes());
    assert_eq!(block_on(sum_dyn(&mut d)), triangle(n));
    assert_eq!(COUNTER.allocs() - a1, calls + 1);
    assert_eq!(COUNTER.deallocs() - d1, calls + 1);
    let bytes = COUNTER.bytes() - b1;
    assert!(
        bytes > 0 && bytes % (calls + 1) == 0,
        "same-size block per call, got {bytes} bytes"
    );
}

/// Yields owned `String`s: a non-`Copy` item with a destructor.
struct Words(Vec<String>);

impl Words {
    fn new(words: &[&str]) -> Self {
        // Reversed, so that `pop` yields them in order.
        Words(words.iter().rev().map(|w| w.to_string()).collect())
    }
}

impl AsyncIterator for Words {
    type Item = String;

    async fn next(&mut self) -> Option<String> {
        self.0.pop()
    }
}

/// Static dispatch over any `AsyncIterator`, including a wrapper.
async fn collect<I: AsyncIterator>(mut v: I) -> Vec<I::Item> {
    let mut out = Vec::new();
    while let Some(item) = v.next().await {
        out.push(item);
    }
    out
}

/// Dynamic dispatch generic over the item and the strategy.
async fn collect_dyn<Item, S: Strategy>(v: &mut DynAsyncIterator<'_, Item, S>) -> Vec<Item> {
    let mut out = Vec::new();
    while let Some(item) = v.next().await {
        out.push(item);
    }
    out
}

#[test]
fn non_copy_items_through_the_generic_wrapper() {
    let mut words = Words::new(&["alpha", "beta", "gamma", "delta"]);
    let mut d: DynAsyncIterator<'_, String> = DynAsyncIterator::new(&mut words);

    // A future dropped before it is polled runs none of the method's body.
    drop(d.next());
    assert_eq!(block_on(d.next()).as_deref(), Some("alpha"));
    assert_eq!(block_on(collect_dyn(&mut d)), ["beta", "gamma", "delta"]);
    assert_eq!(block_on(d.next()), None);

    let mut words = Words::new(&["x", "yy", "zzz"]);
    let d = DynAsyncIterator::<String>::new(&mut words);
    let lengths: Vec<usize> = block_on(collect(d)).iter().map(String::len).collect();
    assert_eq!(lengths, [1, 2, 3]);
}

#[test]
fn the_stack_strategies_drive_the_same_loop() {
    use core::pin::pin;
    use dynptr_stack::{Inline, InlineOr, Slot, SlotRef};

    for &n in LENGTHS {
        let expected = triangle(n);
        let mut it = Count::new(n);
        let mut d: DynAsyncIterator<'_, u32, Inline<64>> = DynAsyncIterator::new(&mut it);
        assert_eq!(block_on(sum_dyn(&mut d)), expected, "Inline, n = {n}");

        let mut it = Count::new(n);
        // 8 bytes are too few for the future: every call takes the Boxed fallback.
        let mut d: DynAsyncIterator<'_, u32, InlineOr<8>> = DynAsyncIterator::new(&mut it);
        assert_eq!(block_on(sum_dyn(&mut d)), expected, "InlineOr<8>, n = {n}");

        let mut it = Count::new(n);
        let slot = pin!(Slot::<64>::new());
        let mut d = DynAsyncIterator::with_strategy(&mut it, SlotRef::new(slot));
        assert_eq!(block_on(sum_dyn(&mut d)), expected, "Slot, n = {n}");
        assert_eq!(block_on(d.next()), None);
    }
}
