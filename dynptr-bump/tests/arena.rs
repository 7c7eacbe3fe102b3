//! The arena's memory regime: zero global allocations per call once warm (counted by a
//! per-thread `#[global_allocator]`), memory bounded over many calls, a shared arena
//! used by several values at once and reset between batches, the allocation limit, a
//! panic in a value's drop, and values dropped on other threads.

use core::fmt::Debug;
use core::future::Future;
use core::panic::AssertUnwindSafe;

use dynptr_bump::{Bumped, Reset};
use dynptr_core::testkit::{block_on, thread_allocations};
use dynptr_core::{impl_coerce, DynPtr, RejectReason, Strategy};

/// Values whose bytes a test reads back through the trait object.
trait Bytes {
    fn bytes(&self) -> &[u8];
}

impl<const N: usize> Bytes for [u8; N] {
    fn bytes(&self) -> &[u8] {
        self
    }
}

impl_coerce!(dyn Bytes);

/// Loop counts: small under Miri, which is slow.
const N: usize = if cfg!(miri) { 8 } else { 100_000 };

// Global allocations are counted per thread by the testkit's allocator.
#[global_allocator]
static GLOBAL: dynptr_core::testkit::CountingGlobalAllocator = dynptr_core::testkit::CountingGlobalAllocator;

/// What a `#[dyn_trait]` shim does for `async fn next(&mut self) -> u64` with a future
/// holding `extra` bytes across an await point.
fn call<S: Strategy, const EXTRA: usize>(strategy: &mut S, i: u64) -> u64 {
    let fut: DynPtr<'_, dyn Future<Output = u64>, S> = DynPtr::new(strategy, async move {
        let buf = core::hint::black_box([i as u8; EXTRA]);
        core::future::ready(()).await;
        i + u64::from(buf[EXTRA - 1])
    });
    block_on(fut)
}

// ---------------------------------------------------------------------------------------
// Zero allocations and bounded memory.
// ---------------------------------------------------------------------------------------

#[test]
fn a_warm_arena_makes_no_global_allocation_per_call() {
    fn check<const EXTRA: usize>() {
        let mut strategy = Bumped::new();
        assert_eq!(call::<_, EXTRA>(&mut strategy, 1), 2);
        let held = strategy.allocated_bytes();
        assert!(held >= EXTRA, "the first call allocated the chunk");

        let before = thread_allocations();
        let mut sum = 0u64;
        for i in 0..N as u64 {
            sum = sum.wrapping_add(call::<_, EXTRA>(&mut strategy, i));
        }
        assert_eq!(
            thread_allocations() - before,
            0,
            "EXTRA = {EXTRA}: allocated in steady state"
        );
        assert_eq!(
            strategy.allocated_bytes(),
            held,
            "EXTRA = {EXTRA}: the arena grew"
        );
        assert!(sum > 0);
    }
    check::<8>();
    check::<4096>();
}

#[test]
fn smaller_values_reuse_the_largest_block() {
    fn store<const SIZE: usize>(strategy: &mut Bumped) -> usize {
        let p: DynPtr<'_, dyn Bytes, _> = DynPtr::new(strategy, [SIZE as u8; SIZE]);
        let addr = DynPtr::as_ptr(&p).cast::<u8>().addr();
        let bytes = p.bytes();
        assert!(
            bytes.len() == SIZE && bytes.iter().all(|&b| b == SIZE as u8),
            "contents changed"
        );
        addr
    }
    fn cycle(strategy: &mut Bumped) {
        // Each value is larger than the previous one's block: it needs a new block.
        store::<24>(strategy);
        store::<100>(strategy);
        store::<300>(strategy);
        store::<700>(strategy);
        store::<1500>(strategy);
        // Smaller values reuse the large block.
        let a = store::<8>(strategy);
        let b = store::<1000>(strategy);
        assert_eq!(a, b, "the previous block was not reused");
    }
    let mut strategy = Bumped::new();
    cycle(&mut strategy);
    cycle(&mut strategy);
    let (held, before) = (strategy.allocated_bytes(), thread_allocations());
    for _ in 0..if cfg!(miri) { 2 } else { 200 } {
        cycle(&mut strategy);
    }
    assert_eq!(strategy.allocated_bytes(), held, "the arena grew");
    assert_eq!(thread_allocations() - before, 0, "allocated in steady state");
    assert_eq!(strategy.reset(), Reset::Reused);
}

#[test]
fn the_shared_entry_point_reuses_the_arena_once_values_are_dropped() {
    let arena = Bumped::new();
    let first: DynPtr<'_, dyn Debug, _> = DynPtr::new_shared(&arena, [1u64; 4]);
    let first_addr = DynPtr::as_ptr(&first).cast::<u8>();
    drop(first);
    let held = arena.allocated_bytes();

    let before = thread_allocations();
    for i in 0..N as u64 {
        // Two values alive together, both dropped before the next round.
        let a: DynPtr<'_, dyn Debug, _> = DynPtr::new_shared(&arena, [i; 4]);
        let b: DynPtr<'_, dyn Debug, _> = DynPtr::new_shared(&arena, [i + 1; 4]);
        assert_eq!(DynPtr::as_ptr(&a).cast::<u8>(), first_addr, "not reset when idle");
        assert_ne!(DynPtr::as_ptr(&a).cast::<u8>(), DynPtr::as_ptr(&b).cast::<u8>());
        assert_eq!(arena.outstanding(), 2);
    }
    assert_eq!(thread_allocations() - before, 0, "allocated in steady state");
    assert_eq!(arena.allocated_bytes(), held, "the arena grew");
}

#[test]
fn several_users_share_one_arena() {
    let mut arena = Bumped::new();
    let before_batches = thread_allocations();
    for batch in 0..3u64 {
        // Three users (dyn values holding `&Bumped`), calling `&self` methods; their
        // values overlap, so no call finds the arena idle.
        let (a, b, c) = (&arena, &arena, &arena);
        let mut kept: Vec<DynPtr<'_, dyn Debug, &Bumped>> = Vec::new();
        for i in 0..8u64 {
            kept.push(DynPtr::new_shared(&a, [batch, i]));
            kept.push(DynPtr::new_shared(&b, [batch; 40]));
            kept.push(DynPtr::new_shared(&c, (batch, i, "c")));
        }
        assert_eq!(arena.outstanding(), 24);
        let text = format!("{:?}", kept[0]);
        assert_eq!(text, format!("[{batch}, 0]"));
        drop(kept);
        assert_eq!(arena.outstanding(), 0);
        assert_eq!(arena.reset(), Reset::Reused);
    }
    // The first batch grew the arena; resets kept its largest chunk for the others.
    let grown = thread_allocations() - before_batches;
    assert!(grown > 0);
    let held = arena.allocated_bytes();
    let before = thread_allocations();
    for _ in 0..4 {
        let a = &arena;
        let values: Vec<_> = (0..24u64)
            .map(|i| DynPtr::<dyn Debug, &Bumped>::new_shared(&a, [i; 20]))
            .collect();
        drop(values);
    }
    assert!(arena.allocated_bytes() <= held);
    // Only the `Vec`s allocate.
    assert_eq!(thread_allocations() - before, 4);
}

#[test]
fn a_reset_frees_extra_chunks_and_keeps_the_largest() {
    let mut arena = Bumped::new();
    {
        let values: Vec<_> = (0..64u64)
            .map(|i| DynPtr::<dyn Debug, _>::new_shared(&arena, [i; 16]))
            .collect();
        assert!(arena.allocated_bytes() >= 64 * 128);
        drop(values);
    }
    let grown = arena.allocated_bytes();
    assert_eq!(arena.reset(), Reset::Reused);
    let kept = arena.allocated_bytes();
    assert!(kept < grown, "extra chunks were not freed: {kept} of {grown}");
    assert!(kept > 0, "the largest chunk was not kept");
}

// ---------------------------------------------------------------------------------------
// Limits and failures.
// ---------------------------------------------------------------------------------------

#[test]
fn the_allocation_limit_rejects_a_value_and_survives_a_replacement() {
    let mut strategy = Bumped::new();
    strategy.set_allocation_limit(Some(2048));
    assert_eq!(strategy.allocation_limit(), Some(2048));

    let big = [9u8; 4096];
    let err = strategy.try_adapt::<_, dyn Debug>(big).unwrap_err();
    assert!(matches!(err.reason(), RejectReason::OutOfMemory { .. }));
    assert_eq!(err.into_value(), [9u8; 4096], "the value comes back intact");
    let err = strategy.try_adapt_shared::<_, dyn Debug>(big).unwrap_err();
    assert!(matches!(err.reason(), RejectReason::OutOfMemory { .. }));
    assert_eq!(strategy.outstanding(), 0, "a rejected value was counted");

    // Forget a value so that the arena is replaced; the limit carries over.
    let small: DynPtr<'_, dyn Debug, _> = DynPtr::new(&mut strategy, [1u8; 16]);
    dynptr_core::testkit::forget_reachable(small);
    assert_eq!(strategy.reset(), Reset::Replaced { abandoned: 1 });
    assert_eq!(strategy.allocation_limit(), Some(2048));
    assert!(strategy.try_adapt::<_, dyn Debug>(big).is_err());
    assert!(strategy.try_adapt::<_, dyn Debug>([2u8; 64]).is_ok());
}

#[derive(Debug)]
struct PanicOnDrop {
    _bytes: [u8; 32],
}

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        panic!("a drop that panics (expected)");
    }
}

#[test]
fn a_panic_in_drop_still_gives_the_count_back() {
    let mut arena = Bumped::new();
    for shared in [false, true] {
        let p: DynPtr<'_, dyn Debug, _> = if shared {
            DynPtr::new_shared(&arena, PanicOnDrop { _bytes: [1; 32] })
        } else {
            DynPtr::new(&mut arena, PanicOnDrop { _bytes: [1; 32] })
        };
        let addr = DynPtr::as_ptr(&p).cast::<u8>();
        assert!(std::panic::catch_unwind(AssertUnwindSafe(move || drop(p))).is_err());
        assert_eq!(arena.outstanding(), 0, "shared = {shared}");
        // The next value through the same entry point reuses the memory: nothing was
        // abandoned, so the arena was neither leaked nor replaced.
        let q: DynPtr<'_, dyn Debug, _> = if shared {
            DynPtr::new_shared(&arena, [0u8; 32])
        } else {
            DynPtr::new(&mut arena, [0u8; 32])
        };
        assert_eq!(DynPtr::as_ptr(&q).cast::<u8>(), addr, "shared = {shared}");
        drop(q);
        assert_eq!(arena.reset(), Reset::Reused, "shared = {shared}");
    }
}

// ---------------------------------------------------------------------------------------
// Threads: values are as thread-safe as their pointees.
// ---------------------------------------------------------------------------------------

#[test]
fn futures_from_both_entry_points_are_dropped_on_other_threads() {
    let mut strategy = Bumped::new();
    let rounds = if cfg!(miri) { 2 } else { 100 };
    for round in 0..rounds {
        // `&mut` path: the one future runs and drops on another thread.
        let fut: DynPtr<'_, dyn Future<Output = u64> + Send, _> =
            DynPtr::new(&mut strategy, async move { round * 2 });
        let out = std::thread::scope(|s| s.spawn(move || block_on(fut)).join().unwrap());
        assert_eq!(out, round * 2);
        assert_eq!(strategy.outstanding(), 0);

        // `&self` path: two futures alive together, dropped on two threads at once.
        let a: DynPtr<'_, dyn Future<Output = u64> + Send, _> =
            DynPtr::new_shared(&strategy, async move { round + 1 });
        let b: DynPtr<'_, dyn Future<Output = u64> + Send, _> =
            DynPtr::new_shared(&strategy, async move { round + 2 });
        let (x, y) = std::thread::scope(|s| {
            let x = s.spawn(move || block_on(a));
            let y = s.spawn(move || block_on(b));
            (x.join().unwrap(), y.join().unwrap())
        });
        assert_eq!((x, y), (round + 1, round + 2));
        assert_eq!(strategy.outstanding(), 0);
    }
    assert_eq!(strategy.reset(), Reset::Reused);
}

#[test]
fn an_owned_arena_moves_to_another_thread_between_calls() {
    let mut strategy = Bumped::new();
    assert_eq!(call::<_, 8>(&mut strategy, 1), 2);
    let mut strategy = std::thread::spawn(move || {
        assert_eq!(call::<_, 8>(&mut strategy, 2), 4);
        strategy
    })
    .join()
    .unwrap();
    assert_eq!(call::<_, 8>(&mut strategy, 3), 6);
}
