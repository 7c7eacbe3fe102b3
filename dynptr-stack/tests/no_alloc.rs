//! "Zero allocations" measured, not assumed: a global allocator counting the calls of
//! the current thread (tests run in parallel), around loops through each strategy.

use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use dynptr_core::testkit::thread_allocations;
use dynptr_core::{DynPtr, Strategy};
use dynptr_stack::{Inline, InlineOr, Slot, SlotRef};

#[global_allocator]
static GLOBAL: dynptr_core::testkit::CountingGlobalAllocator = dynptr_core::testkit::CountingGlobalAllocator;

const CALLS: u32 = if cfg!(miri) { 20 } else { 10_000 };

/// `CALLS` futures through `strategy`, each polled to completion; returns the sum and
/// the allocations made meanwhile.
fn run<S: Strategy, const BALLAST: usize>(strategy: &mut S) -> (u32, usize) {
    let before = thread_allocations();
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
    (sum, thread_allocations() - before)
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
