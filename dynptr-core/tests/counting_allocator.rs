//! The kit's checking `allocator-api2` allocator: counts, the live table, the limit, and
//! contract breaches counted (default) or panicking (`strict`).

#![cfg(feature = "testkit")]

use core::alloc::Layout;
use std::panic::catch_unwind;

use allocator_api2::alloc::Allocator;
use dynptr_core::testkit::CountingAllocator;

#[test]
fn counts_and_tracks_live_blocks() {
    static A: CountingAllocator = CountingAllocator::new();
    let (small, big) = (Layout::new::<u32>(), Layout::new::<[u64; 8]>());
    let x = A.allocate(small).unwrap().cast::<u8>();
    let y = A.allocate(big).unwrap().cast::<u8>();
    assert_eq!((A.allocs(), A.bytes(), A.live_blocks()), (2, 4 + 64, 2));
    assert_eq!(A.last_layout(), Some(big));
    assert_eq!(A.live(), [(x.as_ptr().addr(), small), (y.as_ptr().addr(), big)]);
    // SAFETY: allocated above with that layout, not used again.
    unsafe { A.deallocate(x, small) };
    assert!(!A.is_live(x.as_ptr().addr()) && A.is_live(y.as_ptr().addr()));
    // SAFETY: as above.
    unsafe { A.deallocate(y, big) };
    assert_eq!((A.counts(), A.live_blocks(), A.errors()), ((2, 2), 0, 0));

    A.fail_above(16);
    assert!(A.allocate(big).is_err());
    assert_eq!((A.failures(), A.allocs(), A.live_blocks()), (1, 2, 0));
}

#[test]
fn breaches_are_counted_and_not_forwarded() {
    static A: CountingAllocator = CountingAllocator::new();
    let layout = Layout::new::<[u32; 4]>();
    let block = A.allocate(layout).unwrap().cast::<u8>();
    // SAFETY: a breach on purpose: the kit keeps the block and counts it (not forwarded).
    unsafe { A.deallocate(block, Layout::new::<[u32; 2]>()) };
    assert_eq!((A.errors(), A.live_blocks()), (1, 1));
    // SAFETY: the right layout this time.
    unsafe { A.deallocate(block, layout) };
    assert_eq!((A.errors(), A.live_blocks()), (1, 0));
    // SAFETY: a double free on purpose: counted, not forwarded.
    unsafe { A.deallocate(block, layout) };
    assert_eq!((A.errors(), A.deallocs()), (2, 3));
    // A zero-sized request is served, and counted as a breach.
    let zst = A.allocate(Layout::new::<()>()).unwrap().cast::<u8>();
    assert_eq!(A.errors(), 3);
    // SAFETY: allocated above with that layout.
    unsafe { A.deallocate(zst, Layout::new::<()>()) };
    assert_eq!((A.errors(), A.live_blocks()), (3, 0));
}

#[test]
fn strict_panics_on_a_breach() {
    static A: CountingAllocator = CountingAllocator::strict();
    let layout = Layout::new::<u64>();
    let block = A.allocate(layout).unwrap().cast::<u8>();
    // SAFETY: allocated above with that layout.
    unsafe { A.deallocate(block, layout) };
    // SAFETY: a double free on purpose: strict panics before forwarding it.
    let double = catch_unwind(|| unsafe { A.deallocate(block, layout) });
    assert!(double.is_err(), "a double free went unnoticed");
    let zst = catch_unwind(|| A.allocate(Layout::new::<()>()));
    assert!(zst.is_err(), "a zero-sized request went unnoticed");
    assert_eq!(A.errors(), 2);
    // Still usable after the panics (the table's lock is not left poisoned for good).
    let block = A.allocate(layout).unwrap().cast::<u8>();
    // SAFETY: allocated above with that layout.
    unsafe { A.deallocate(block, layout) };
    assert_eq!((A.live_blocks(), A.allocs()), (0, 2));
}
