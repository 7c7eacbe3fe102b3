//! The demo's logic on the host: the sums are right, static and dynamic dispatch agree,
//! and not one heap allocation happens (counted per thread by a global allocator).

use dynptr_core::testkit::thread_allocations;
use embedded_demo::{block_on, sum, sum_inline, sum_slot, Count};

#[global_allocator]
static GLOBAL: dynptr_core::testkit::CountingGlobalAllocator = dynptr_core::testkit::CountingGlobalAllocator;

#[test]
fn sums_agree_and_nothing_is_allocated() {
    for n in [0u32, 1, 3, 4, 5, 100, 1000] {
        let expected = n * (n + 1) / 2;
        let before = thread_allocations();
        assert_eq!(block_on(sum(Count::new(n))), expected, "static, n = {n}");
        assert_eq!(sum_inline(n), expected, "Inline, n = {n}");
        assert_eq!(sum_slot(n), expected, "Slot, n = {n}");
        assert_eq!(thread_allocations() - before, 0, "allocations, n = {n}");
    }
}

#[test]
fn the_generated_wrapper_allocates_nothing() {
    let before = thread_allocations();
    let (total, address) = embedded_demo::generated::sum_samples(100);
    assert_eq!(
        thread_allocations(),
        before,
        "allocations through #[dyn_trait] + Inline"
    );
    assert_eq!(total, 100 * 101 / 2);
    assert_eq!(address, 0x48);
}
