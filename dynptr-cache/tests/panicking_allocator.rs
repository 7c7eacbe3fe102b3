//! Issue 13, fault 3: on the shared path, a panic in the allocator while the block is
//! being grown must give the block back. Before the fix the block stayed marked taken:
//! later shared calls paid one-off allocations, `abandoned()` counted a value nobody
//! forgot, and the cache's drop leaked.

use core::alloc::Layout;
use core::cell::Cell;
use core::panic::AssertUnwindSafe;
use core::ptr::NonNull;
use std::panic::catch_unwind;

use dynptr_cache::{AllocError, Allocator, Cached, Global};
use dynptr_core::DynPtr;

std::thread_local! {
    static LIVE_BLOCKS: Cell<isize> = const { Cell::new(0) };
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
    static ALLOC_PANICS: Cell<bool> = const { Cell::new(false) };
}

/// `Global`, counting per thread; `allocate` panics while `ALLOC_PANICS` is set.
#[derive(Clone, Copy)]
struct PanickyAlloc;

// SAFETY: forwards to `Global` with the caller's arguments; the counters are side tables.
unsafe impl Allocator for PanickyAlloc {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        if ALLOC_PANICS.with(Cell::get) {
            panic!("allocator panics");
        }
        let block = Global.allocate(layout)?;
        LIVE_BLOCKS.with(|n| n.set(n.get() + 1));
        ALLOCS.with(|n| n.set(n.get() + 1));
        Ok(block)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        LIVE_BLOCKS.with(|n| n.set(n.get() - 1));
        // SAFETY: forwarded: allocated by `Global` with `layout`, as the caller guarantees.
        unsafe { Global.deallocate(ptr, layout) }
    }
}

fn allocs() -> usize {
    ALLOCS.with(Cell::get)
}

#[test]
fn a_panicking_allocator_on_the_shared_path_gives_the_block_back() {
    let drops = Cell::new(0);
    let mut cache = Cached::new_in(PanickyAlloc);
    {
        struct Counted<'a>(&'a Cell<usize>, [u64; 8]);
        impl Drop for Counted<'_> {
            fn drop(&mut self) {
                self.0.set(self.0.get() + 1);
            }
        }
        impl core::fmt::Debug for Counted<'_> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                write!(f, "{}", self.1[7])
            }
        }
        // The empty block must grow for the value: the allocator panics there.
        ALLOC_PANICS.with(|p| p.set(true));
        let result = catch_unwind(AssertUnwindSafe(|| {
            let _p: DynPtr<'_, dyn core::fmt::Debug, _> = DynPtr::new_shared(&cache, Counted(&drops, [7; 8]));
        }));
        ALLOC_PANICS.with(|p| p.set(false));
        assert!(result.is_err(), "the allocator did not panic");
        assert_eq!(drops.get(), 1, "the value was not dropped by the unwind");

        // The block is free again: the next shared value grows it (one allocation) and
        // the one after reuses it (none), instead of one-off allocations each.
        let before = allocs();
        for round in 0..3 {
            let p: DynPtr<'_, dyn core::fmt::Debug, _> =
                DynPtr::new_shared(&cache, Counted(&drops, [round; 8]));
            assert_eq!(format!("{p:?}"), round.to_string());
        }
        assert_eq!(
            allocs() - before,
            1,
            "the block stayed taken: one-off allocations"
        );
        assert_eq!(drops.get(), 4);
    }
    // An exclusive call sees no occupant: nothing is counted as abandoned.
    let p: DynPtr<'_, dyn core::fmt::Debug, _> = DynPtr::new(&mut cache, 5u64);
    assert_eq!(format!("{p:?}"), "5");
    drop(p);
    assert_eq!(
        cache.abandoned(),
        0,
        "a value nobody forgot was counted as abandoned"
    );
    drop(cache);
    assert_eq!(LIVE_BLOCKS.with(Cell::get), 0, "the cache's drop leaked");
}
