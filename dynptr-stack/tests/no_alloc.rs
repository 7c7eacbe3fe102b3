//! "Zero allocations" measured, not assumed: a global allocator counting the calls of
//! the current thread (tests run in parallel), around loops through each strategy.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};
use std::alloc::System;

use dynptr_core::{DynPtr, Strategy};
use dynptr_stack::{Inline, InlineOr, Slot, SlotRef};

std::thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

struct Counting;

// SAFETY: forwards every call to `System` unchanged; the counter is a const-initialised
// thread-local without destructor, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: forwarded from our caller (a non-zero-sized layout).
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded from our caller: `ptr` came from `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

const CALLS: u32 = if cfg!(miri) { 20 } else { 10_000 };

/// `CALLS` futures through `strategy`, each polled to completion; returns the sum and
/// the allocations made meanwhile.
fn run<S: Strategy, const BALLAST: usize>(strategy: &mut S) -> (u32, usize) {
    let before = allocations();
    let mut cx = Context::from_waker(Waker::noop());
    let mut sum = 0u32;
    for i in 0..CALLS {
        let ballast = [i as u8; BALLAST];
        let fut = async move { i + u32::from(ballast[BALLAST - 1] == i as u8) };
        let mut fut = pin!(DynPtr::<dyn Future<Output = u32>, S>::new(strategy, fut));
        match fut.as_mut().poll(&mut cx) {
            Poll::Ready(v) => sum = sum.wrapping_add(v),
            Poll::Pending => unreachable!(),
        }
    }
    (sum, allocations() - before)
}

fn expected() -> u32 {
    (0..CALLS).map(|i| i + 1).fold(0, u32::wrapping_add)
}

#[test]
fn inline_allocates_nothing() {
    assert_eq!(run::<_, 16>(&mut Inline::<64>::new()), (expected(), 0));
}

#[test]
fn slot_allocates_nothing() {
    let slot = pin!(Slot::<64>::new());
    let mut strategy = SlotRef::new(slot);
    assert_eq!(run::<_, 16>(&mut strategy), (expected(), 0));
}

#[test]
fn inline_or_allocates_only_for_values_that_do_not_fit() {
    let mut strategy = InlineOr::<64>::new();
    assert_eq!(run::<_, 16>(&mut strategy), (expected(), 0));
    assert_eq!(run::<_, 256>(&mut strategy), (expected(), CALLS as usize));
}
