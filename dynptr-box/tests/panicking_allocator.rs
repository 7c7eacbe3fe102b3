//! Issue 13, fault 4: an allocator whose `clone` panics must not lose the value. `Boxed`
//! clones its allocator before allocating or writing the value, so the unwind drops the
//! value (still owned by the call) and no block is left behind.

use core::alloc::Layout;
use core::cell::Cell;
use core::panic::AssertUnwindSafe;
use core::ptr::NonNull;
use std::panic::catch_unwind;

use dynptr_box::{AllocError, Allocator, Boxed, Global};
use dynptr_core::DynPtr;

std::thread_local! {
    static LIVE_BLOCKS: Cell<isize> = const { Cell::new(0) };
    static CLONE_PANICS: Cell<bool> = const { Cell::new(false) };
}

/// `Global`, counting live blocks per thread; its `clone` panics while `CLONE_PANICS`.
struct PanickyClone;

impl Clone for PanickyClone {
    fn clone(&self) -> Self {
        if CLONE_PANICS.with(Cell::get) {
            panic!("allocator clone panics");
        }
        PanickyClone
    }
}

// SAFETY: forwards to `Global` with the caller's arguments; the counter is a side table.
unsafe impl Allocator for PanickyClone {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let block = Global.allocate(layout)?;
        LIVE_BLOCKS.with(|n| n.set(n.get() + 1));
        Ok(block)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        LIVE_BLOCKS.with(|n| n.set(n.get() - 1));
        // SAFETY: forwarded: allocated by `Global` with `layout`, as the caller guarantees.
        unsafe { Global.deallocate(ptr, layout) }
    }
}

struct Counted<'a>(&'a Cell<usize>, [u64; 4]);

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

impl core::fmt::Debug for Counted<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}", self.1[3])
    }
}

#[test]
fn a_panicking_allocator_clone_drops_the_value_and_leaks_nothing() {
    let drops = Cell::new(0);
    let mut s = Boxed::new_in(PanickyClone);
    for shared in [false, true] {
        CLONE_PANICS.with(|p| p.set(true));
        let value = Counted(&drops, [1, 2, 3, 4]);
        let result = catch_unwind(AssertUnwindSafe(|| {
            let _p: DynPtr<'_, dyn core::fmt::Debug, _> = if shared {
                DynPtr::new_shared(&s, value)
            } else {
                DynPtr::new(&mut s, value)
            };
        }));
        CLONE_PANICS.with(|p| p.set(false));
        assert!(result.is_err(), "the clone did not panic");
        assert_eq!(
            drops.get(),
            1 + shared as usize,
            "the value was lost, not dropped"
        );
        assert_eq!(LIVE_BLOCKS.with(Cell::get), 0, "a block leaked");
    }
    // The strategy still works.
    let p: DynPtr<'_, dyn core::fmt::Debug, _> = DynPtr::new(&mut s, Counted(&drops, [0, 0, 0, 9]));
    assert_eq!(format!("{p:?}"), "9");
    drop(p);
    assert_eq!(drops.get(), 3);
    assert_eq!(LIVE_BLOCKS.with(Cell::get), 0);
}
