//! The demo's logic on the host: the sums are right, static and dynamic dispatch agree,
//! and not one heap allocation happens (counted per thread by a global allocator).

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;
use std::alloc::System;

use embedded_demo::{block_on, sum, sum_inline, sum_slot, Count};

std::thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

struct Counting;

// SAFETY: forwards every call to `System` unchanged; the counter is a const-initialised
// thread-local without destructor, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: forwarded from our caller.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded from our caller.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn sums_agree_and_nothing_is_allocated() {
    for n in [0u32, 1, 3, 4, 5, 100, 1000] {
        let expected = n * (n + 1) / 2;
        let before = ALLOCATIONS.with(Cell::get);
        assert_eq!(block_on(sum(Count::new(n))), expected, "static, n = {n}");
        assert_eq!(sum_inline(n), expected, "Inline, n = {n}");
        assert_eq!(sum_slot(n), expected, "Slot, n = {n}");
        assert_eq!(ALLOCATIONS.with(Cell::get) - before, 0, "allocations, n = {n}");
    }
}

#[test]
fn the_generated_wrapper_allocates_nothing() {
    let before = ALLOCATIONS.with(Cell::get);
    let (total, address) = embedded_demo::generated::sum_samples(100);
    assert_eq!(
        ALLOCATIONS.with(Cell::get),
        before,
        "allocations through #[dyn_trait] + Inline"
    );
    assert_eq!(total, 100 * 101 / 2);
    assert_eq!(address, 0x48);
}
