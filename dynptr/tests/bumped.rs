//! The hand-written `#[dyn_trait]` call flow (`common/async_iter.rs`) with `Bumped`:
//! static and dynamic dispatch agree, the wrapper makes no global allocation per call
//! once its arena is warm, and several wrappers share one arena (`&Bumped`).

#[allow(dead_code, unreachable_pub)]
#[path = "common/async_iter.rs"]
mod async_iter;

use async_iter::{block_on, sum_dyn, sum_static, AsyncIterator, Count, DynAsyncIterator};
use dynptr_bump::{Bumped, Reset};
use dynptr_core::testkit::thread_allocations;

#[global_allocator]
static GLOBAL: dynptr_core::testkit::CountingGlobalAllocator = dynptr_core::testkit::CountingGlobalAllocator;

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
    let before = thread_allocations();
    let rest = block_on(sum_dyn(&mut d));
    assert_eq!(thread_allocations() - before, 0, "allocated in steady state");
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
