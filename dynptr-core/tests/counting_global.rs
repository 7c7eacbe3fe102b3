//! The kit's counting global allocator: per-thread counts always, process-wide counts
//! (allocations, bytes, growth, peak) inside `count_global`. One test: the process-wide
//! counts would see any test running beside it.

#![cfg(feature = "testkit")]

use core::hint::black_box;
use core::panic::AssertUnwindSafe;
use std::panic::catch_unwind;

use dynptr_core::testkit::{count_global, thread_allocations, CountingGlobalAllocator, GlobalCounts};

#[global_allocator]
static GLOBAL: CountingGlobalAllocator = CountingGlobalAllocator;

#[test]
fn counts_per_thread_and_process_wide() {
    // Per thread, with the switch off.
    let before = thread_allocations();
    let boxed = black_box(Box::new(7u64));
    assert_eq!(thread_allocations() - before, 1);
    drop(boxed);

    // Process-wide: one allocation, its bytes, the heap's growth.
    let (kept, counts) = count_global(|| black_box(Vec::<u8>::with_capacity(100)));
    assert_eq!(
        counts,
        GlobalCounts {
            allocations: 1,
            bytes: 100,
            growth: 100,
            peak_growth: 100
        }
    );
    // A realloc is one allocation of its new size; the peak sees the new block before
    // the old one goes.
    let (kept, counts) = count_global(move || {
        let mut kept = kept;
        kept.reserve_exact(300);
        black_box(kept)
    });
    assert_eq!(kept.capacity(), 300);
    assert_eq!(
        counts,
        GlobalCounts {
            allocations: 1,
            bytes: 300,
            growth: 200,
            peak_growth: 300
        }
    );
    // Freeing a block from before: the heap shrinks, the peak stays at the start.
    let ((), counts) = count_global(|| drop(kept));
    assert_eq!(
        counts,
        GlobalCounts {
            allocations: 0,
            bytes: 0,
            growth: -300,
            peak_growth: 0
        }
    );
    // Growth and peak: two blocks alive together, then both freed.
    let ((), counts) = count_global(|| {
        let a = black_box(vec![1u8; 1000]);
        let b = black_box(vec![2u8; 500]);
        drop((a, b));
    });
    assert_eq!(
        counts,
        GlobalCounts {
            allocations: 2,
            bytes: 1500,
            growth: 0,
            peak_growth: 1500
        }
    );

    // Across threads: what another thread allocates counts too.
    let ((), counts) = count_global(|| {
        std::thread::scope(|s| {
            s.spawn(|| {
                for _ in 0..10 {
                    black_box(vec![0u8; 1000]);
                }
            });
        });
    });
    assert!(counts.allocations >= 10, "{counts:?}");
    assert!(counts.bytes >= 10_000, "{counts:?}");
    // Nothing counted with the switch off.
    let ((), nothing) = count_global(|| ());
    assert_eq!(nothing, GlobalCounts::default());
    black_box(vec![0u8; 10]);
    let ((), nothing) = count_global(|| ());
    assert_eq!(nothing, GlobalCounts::default());

    // Overlapping calls are refused, and the outer one goes on counting.
    let ((), counts) = count_global(|| {
        let nested = catch_unwind(AssertUnwindSafe(|| count_global(|| ())));
        assert!(nested.is_err(), "a nested count_global ran");
        black_box(Box::new(1u8));
    });
    assert!(counts.allocations >= 1);
    // A closure that panics leaves the switch off.
    let panicked = catch_unwind(|| count_global(|| panic!("expected")));
    assert!(panicked.is_err());
    let ((), nothing) = count_global(|| ());
    assert_eq!(nothing, GlobalCounts::default());

    // The thread count does not see other threads: spawning one costs this thread a
    // few allocations, not the hundred the spawned thread makes.
    let before = thread_allocations();
    std::thread::spawn(|| {
        for _ in 0..100 {
            black_box(Box::new(0u8));
        }
    })
    .join()
    .unwrap();
    assert!(thread_allocations() - before < 100);
}
