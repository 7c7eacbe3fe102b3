//! From the 2026-12-03 audit (it found no hole here): `Cached`'s eager fast path
//! (`adapt`, `adapt_cold`) and its `place_then` override, under panics (allocator,
//! maker, first poll), growth, over-alignment, zero-sized values and forgotten values.
//! Each value must be dropped exactly once and the cache stay usable.
#![allow(missing_docs)]

use core::alloc::Layout;
use core::cell::Cell;
use core::future::Future;
use core::panic::AssertUnwindSafe;
use core::ptr::NonNull;
use std::panic::catch_unwind;

use allocator_api2::alloc::{AllocError, Allocator, Global};
use dynptr_cache::Cached;
use dynptr_core::testkit::{block_on, call, forget_reachable, poll_once, YieldOnce};
use dynptr_core::DynPtr;

std::thread_local! {
    static FAIL_ALLOC: Cell<bool> = const { Cell::new(false) };
}

#[derive(Clone, Copy, Default, Debug)]
struct PanicOnAlloc;

// SAFETY: forwards to `Global`; the panic happens before any block is handed out.
unsafe impl Allocator for PanicOnAlloc {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        if FAIL_ALLOC.with(|f| f.replace(false)) {
            panic!("allocate panics");
        }
        Global.allocate(layout)
    }
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: forwarded.
        unsafe { Global.deallocate(ptr, layout) }
    }
}

struct Counted<'a, const N: usize>(&'a Cell<usize>, [u8; N]);
impl<const N: usize> Drop for Counted<'_, N> {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}
impl<const N: usize> core::fmt::Debug for Counted<'_, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}", self.1.iter().map(|&b| b as usize).sum::<usize>())
    }
}

#[allow(dead_code)]
#[repr(align(4096))]
#[derive(Debug)]
struct Page([u8; 8]);

#[test]
fn adapt_cold_with_a_panicking_allocator_drops_the_value_once() {
    let drops = Cell::new(0);
    let mut cache = Cached::new_in(PanicOnAlloc);
    {
        let p: DynPtr<'_, dyn core::fmt::Debug, _> = DynPtr::new(&mut cache, Counted(&drops, [1; 8]));
        assert_eq!(format!("{p:?}"), "8");
    }
    assert_eq!(drops.get(), 1);
    // Too large for the block: `adapt_cold` regrows, and the allocator panics.
    FAIL_ALLOC.with(|f| f.set(true));
    let r = catch_unwind(AssertUnwindSafe(|| {
        let p: DynPtr<'_, dyn core::fmt::Debug, _> = DynPtr::new(&mut cache, Counted(&drops, [2; 256]));
        drop(p);
    }));
    assert!(r.is_err());
    assert_eq!(drops.get(), 2, "the value was dropped once, by the unwind");
    assert_eq!(
        cache.capacity(),
        None,
        "the old block went with the failed regrow"
    );
    // Still usable, on both paths and for every layout.
    let p: DynPtr<'_, dyn core::fmt::Debug, _> = DynPtr::new(&mut cache, Counted(&drops, [3; 64]));
    assert_eq!(format!("{p:?}"), "192");
    drop(p);
    let p: DynPtr<'_, dyn core::fmt::Debug, _> = DynPtr::new(&mut cache, Page([1; 8]));
    assert_eq!(DynPtr::as_ptr(&p).cast::<u8>().addr() % 4096, 0);
    drop(p);
    let p: DynPtr<'_, dyn core::fmt::Debug, _> = DynPtr::new(&mut cache, ());
    drop(p);
    let p: DynPtr<'_, dyn core::fmt::Debug, _> = DynPtr::new(&mut cache, Counted(&drops, [4; 8]));
    drop(p);
    assert_eq!(drops.get(), 4);
}

#[test]
fn place_then_fast_path_with_a_panicking_maker_or_first_poll() {
    let drops = Cell::new(0);
    let mut cache = Cached::new();
    // Allocates the block.
    assert_eq!(block_on(call(&mut cache, || async { 1u32 })), 1);
    // The maker panics on the fast path: nothing to drop, the block stays free.
    let r = catch_unwind(AssertUnwindSafe(|| {
        block_on(call(&mut cache, || -> core::future::Ready<u32> {
            panic!("maker")
        }))
    }));
    assert!(r.is_err());
    // The first poll panics on the fast path: the future is dropped once.
    let r = catch_unwind(AssertUnwindSafe(|| {
        let guard = Counted(&drops, [0; 8]);
        block_on(call(&mut cache, move || async move {
            let _guard = guard;
            panic!("first poll");
        }))
    }));
    assert!(r.is_err());
    assert_eq!(drops.get(), 1);
    // A pending call, then ready: the block is reused.
    assert_eq!(
        block_on(call(&mut cache, || async {
            YieldOnce::new().await;
            7u32
        })),
        7
    );
    assert_eq!(cache.abandoned(), 0);
}

#[test]
fn forgotten_values_on_the_fast_paths_keep_their_block() {
    let mut cache = Cached::new();
    let local = Cell::new(5u32);
    {
        let mut pending = Box::pin(call(&mut cache, || async {
            YieldOnce::new().await;
            local.get()
        }));
        assert!(poll_once(pending.as_mut()).is_pending());
        forget_reachable(pending);
    }
    // The eager fast path must not reuse the forgotten value's block.
    let p: DynPtr<'_, dyn Iterator<Item = u8>, Cached> = DynPtr::new(&mut cache, [9u8; 4].into_iter());
    assert_eq!(p.map(u32::from).sum::<u32>(), 36);
    assert_eq!(cache.abandoned(), 1);
    // And an eager value forgotten, then a call.
    let p: DynPtr<'_, dyn Iterator<Item = u8>, Cached> = DynPtr::new(&mut cache, [1u8; 4].into_iter());
    forget_reachable(p);
    assert_eq!(block_on(call(&mut cache, || async { 3u32 })), 3);
    assert_eq!(cache.abandoned(), 2);
}

#[test]
fn a_boxed_future_through_cached_polls_to_completion() {
    let mut cache = Cached::new();
    let fut: DynPtr<'_, dyn Future<Output = u32>, Cached> = DynPtr::new(&mut cache, async {
        YieldOnce::new().await;
        11
    });
    assert_eq!(block_on(fut), 11);
}
