//! Zero heap allocations per call in steady state, counted by a `#[global_allocator]`
//! (per thread, so tests running in parallel do not disturb each other's counts).

use core::alloc::Layout;
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use dynptr_cache::Cached;
use dynptr_core::testkit::thread_allocations;
use dynptr_core::{DynPtr, Strategy};

#[global_allocator]
static GLOBAL: dynptr_core::testkit::CountingGlobalAllocator = dynptr_core::testkit::CountingGlobalAllocator;

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
    let before = thread_allocations();
    assert_eq!(ready(it.next_erased(&mut cache)), Some(1));
    assert_eq!(
        thread_allocations() - before,
        1,
        "the first call allocates the block"
    );

    let before = thread_allocations();
    let mut sum = 1u64;
    while let Some(i) = ready(it.next_erased(&mut cache)) {
        sum += u64::from(i);
    }
    assert_eq!(thread_allocations() - before, 0, "allocations in steady state");
    assert_eq!(sum, u64::from(CALLS) * u64::from(CALLS + 1) / 2);
}

#[test]
fn no_allocation_at_all_with_a_presized_block() {
    let before = thread_allocations();
    let mut cache = Cached::with_capacity(Layout::from_size_align(64, 16).unwrap());
    assert_eq!(thread_allocations() - before, 1, "the block, allocated up front");

    let before = thread_allocations();
    let mut it = Counter { n: 0, end: CALLS };
    let mut calls = 0;
    while ready(it.next_erased(&mut cache)).is_some() {
        calls += 1;
        // The shared path reuses the block too while it is free.
        assert_eq!(ready(it.peek_erased(&cache)), calls);
    }
    assert_eq!(calls, CALLS);
    assert_eq!(
        thread_allocations() - before,
        0,
        "allocations with a pre-sized block"
    );
}

#[test]
fn the_counter_counts() {
    // The allocator above is in effect: a test that can fail.
    let before = thread_allocations();
    let boxed = core::hint::black_box(Box::new(5u64));
    assert_eq!(thread_allocations() - before, 1);
    drop(boxed);
}
