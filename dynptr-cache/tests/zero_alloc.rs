//! Zero heap allocations per call in steady state, counted by a `#[global_allocator]`
//! (per thread, so tests running in parallel do not disturb each other's counts).

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};
use std::alloc::System;

use dynptr_cache::Cached;
use dynptr_core::{DynPtr, Strategy};

std::thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

/// `System`, counting the allocations of the current thread.
struct Counting;

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the
// counter is a `const`-initialised thread-local `Cell` that never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // `try_with`: the thread-local may be gone while the thread exits.
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: forwarded from our caller (a layout of non-zero size).
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded from our caller: `ptr` came from `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: forwarded from our caller.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

/// What a `#[dyn_trait]` shim does for `async fn next(&mut self) -> Option<u32>`: the
/// callee's future, stored by the strategy.
struct Counter {
    n: u32,
    end: u32,
}

impl Counter {
    async fn next(&mut self) -> Option<u32> {
        (self.n < self.end).then(|| {
            self.n += 1;
            self.n
        })
    }

    fn next_erased<'s, S: Strategy>(
        &'s mut self,
        strategy: &'s mut S,
    ) -> DynPtr<'s, dyn Future<Output = Option<u32>> + 's, S> {
        DynPtr::new(strategy, self.next())
    }

    /// A `&self` method's shim (the shared entry point).
    fn peek_erased<'s, S: Strategy>(
        &'s self,
        strategy: &'s S,
    ) -> DynPtr<'s, dyn Future<Output = u32> + 's, S> {
        DynPtr::new_shared(strategy, async move { self.n })
    }
}

fn ready<F: Future>(f: F) -> F::Output {
    match pin!(f).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("the test's futures are always ready"),
    }
}

const CALLS: u32 = if cfg!(miri) { 20 } else { 10_000 };

#[test]
fn no_allocation_after_the_first_call() {
    let mut cache = Cached::new();
    let mut it = Counter { n: 0, end: CALLS };
    let before = allocations();
    assert_eq!(ready(it.next_erased(&mut cache)), Some(1));
    assert_eq!(allocations() - before, 1, "the first call allocates the block");

    let before = allocations();
    let mut sum = 1u64;
    while let Some(i) = ready(it.next_erased(&mut cache)) {
        sum += u64::from(i);
    }
    assert_eq!(allocations() - before, 0, "allocations in steady state");
    assert_eq!(sum, u64::from(CALLS) * u64::from(CALLS + 1) / 2);
}

#[test]
fn no_allocation_at_all_with_a_presized_block() {
    let before = allocations();
    let mut cache = Cached::with_capacity(Layout::from_size_align(64, 16).unwrap());
    assert_eq!(allocations() - before, 1, "the block, allocated up front");

    let before = allocations();
    let mut it = Counter { n: 0, end: CALLS };
    let mut calls = 0;
    while ready(it.next_erased(&mut cache)).is_some() {
        calls += 1;
        // The shared path reuses the block too while it is free.
        assert_eq!(ready(it.peek_erased(&cache)), calls);
    }
    assert_eq!(calls, CALLS);
    assert_eq!(allocations() - before, 0, "allocations with a pre-sized block");
}

#[test]
fn the_counter_counts() {
    // The allocator above is in effect: a test that can fail.
    let before = allocations();
    let boxed = core::hint::black_box(Box::new(5u64));
    assert_eq!(allocations() - before, 1);
    drop(boxed);
}
