//! The hand-written `#[dyn_trait]` call flow (`common/async_iter.rs`) with `Bumped`:
//! static and dynamic dispatch agree, the wrapper makes no global allocation per call
//! once its arena is warm, and several wrappers share one arena (`&Bumped`).

#[allow(dead_code, unreachable_pub)]
#[path = "common/async_iter.rs"]
mod async_iter;

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;
use std::alloc::System;

use async_iter::{block_on, sum_dyn, sum_static, AsyncIterator, Count, DynAsyncIterator};
use dynptr_bump::{Bumped, Reset};

std::thread_local! {
    static THREAD_ALLOCS: Cell<usize> = const { Cell::new(0) };
}

/// `System`, plus a per-thread count of allocations (tests run on parallel threads).
struct ThreadCountingGlobal;

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the
// only addition is a thread-local counter that never allocates.
unsafe impl GlobalAlloc for ThreadCountingGlobal {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = THREAD_ALLOCS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: forwarded: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded: `ptr` came from `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: ThreadCountingGlobal = ThreadCountingGlobal;

fn thread_allocs() -> usize {
    THREAD_ALLOCS.with(Cell::get)
}

const N: u32 = if cfg!(miri) { 7 } else { 100_000 };

fn triangle(n: u32) -> u32 {
    (1..=n).fold(0, u32::wrapping_add)
}

#[test]
fn bumped_wrapper_sums_without_allocating() {
    let mut it = Count::new(N);
    let mut d: DynAsyncIterator<'_, u32, Bumped> = DynAsyncIterator::new(&mut it);
    // The first call allocates the arena's chunk.
    assert_eq!(block_on(d.next()), Some(1));
    let before = thread_allocs();
    let rest = block_on(sum_dyn(&mut d));
    assert_eq!(thread_allocs() - before, 0, "allocated in steady state");
    assert_eq!(rest.wrapping_add(1), triangle(N));
    assert!(d.strategy().allocated_bytes() < 1024, "the arena grew");
    assert_eq!(d.strategy().outstanding(), 0);
}

#[test]
fn the_bumped_wrapper_implements_the_trait() {
    let mut it = Count::new(10);
    let sum = block_on(sum_static(DynAsyncIterator::<u32, Bumped>::new(&mut it)));
    assert_eq!(sum, 55);
    assert_eq!(block_on(it.next()), None);
}

#[test]
fn wrappers_share_one_arena() {
    let mut arena = Bumped::new();
    for round in 0..3 {
        let (mut x, mut y) = (Count::new(5), Count::new(4));
        let mut a = DynAsyncIterator::with_strategy(&mut x, &arena);
        let mut b = DynAsyncIterator::with_strategy(&mut y, &arena);
        let mut total = 0;
        // Interleaved calls through two wrappers, one arena.
        while let (Some(i), j) = (block_on(a.next()), block_on(b.next())) {
            total += i + j.unwrap_or(0);
        }
        assert_eq!(total, 15 + 10, "round {round}");
        assert_eq!(arena.reset(), Reset::Reused);
    }
}
