//! Helpers shared by the test files: an allocator that checks every deallocation
//! against the allocation it frees, a value that counts its drops, and a poll function
//! (the future that yields once is `dynptr_core::testkit::YieldOnce`).

#![allow(dead_code, unreachable_pub)]

use core::alloc::Layout;
use core::cell::Cell;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use dynptr_cache::{AllocError, Allocator, Global};
use dynptr_core::impl_coerce;

/// An allocator (used as `&'static Ledger`, one static per test) that forwards to
/// `Global`, records every live block with its layout, and panics on a deallocation of
/// a block it does not hold or with a layout other than the allocating one.
#[derive(Debug)]
pub struct Ledger {
    live: Mutex<Vec<(usize, Layout)>>,
    allocs: AtomicUsize,
    deallocs: AtomicUsize,
    /// Allocations larger than this fail.
    limit: AtomicUsize,
}

impl Ledger {
    pub const fn new() -> Self {
        Ledger {
            live: Mutex::new(Vec::new()),
            allocs: AtomicUsize::new(0),
            deallocs: AtomicUsize::new(0),
            limit: AtomicUsize::new(usize::MAX),
        }
    }

    /// Successful allocations so far.
    pub fn allocs(&self) -> usize {
        self.allocs.load(Ordering::SeqCst)
    }

    /// Deallocations so far.
    pub fn deallocs(&self) -> usize {
        self.deallocs.load(Ordering::SeqCst)
    }

    /// The blocks currently allocated, as (address, layout).
    pub fn live(&self) -> Vec<(usize, Layout)> {
        self.live.lock().unwrap().clone()
    }

    /// Makes allocations larger than `bytes` fail.
    pub fn fail_above(&self, bytes: usize) {
        self.limit.store(bytes, Ordering::SeqCst);
    }
}

// SAFETY: every block comes from `Global` and goes back to it with the layout it was
// allocated with (checked: a mismatch panics before reaching `Global`); all
// `&'static Ledger` copies refer to the same ledger and the stateless `Global`.
unsafe impl Allocator for &'static Ledger {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        assert_ne!(layout.size(), 0, "a zero-sized layout reached the allocator");
        if layout.size() > self.limit.load(Ordering::SeqCst) {
            return Err(AllocError);
        }
        let block = Global.allocate(layout)?;
        self.live
            .lock()
            .unwrap()
            .push((block.cast::<u8>().as_ptr().addr(), layout));
        self.allocs.fetch_add(1, Ordering::SeqCst);
        Ok(block)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        {
            let mut live = self.live.lock().unwrap();
            let i = live
                .iter()
                .position(|&(addr, _)| addr == ptr.as_ptr().addr())
                .expect("deallocating a block that is not allocated (double free?)");
            assert_eq!(
                live[i].1, layout,
                "deallocated with a layout other than the allocating one"
            );
            live.swap_remove(i);
        }
        self.deallocs.fetch_add(1, Ordering::SeqCst);
        // SAFETY: the block was allocated by `Global` with `layout` (checked above) and
        // the caller does not use it again.
        unsafe { Global.deallocate(ptr, layout) }
    }
}

/// What the tests store: a value they can read back through the trait object.
pub trait Payload {
    fn payload(&self) -> u64;
}

impl_coerce!(dyn Payload);
impl_coerce!(dyn Payload + Send + Sync);

/// Counts its drops in `drops`.
#[derive(Debug)]
pub struct Tracked<'c> {
    pub drops: &'c Cell<usize>,
    pub payload: u64,
}

impl Payload for Tracked<'_> {
    fn payload(&self) -> u64 {
        self.payload
    }
}

impl Drop for Tracked<'_> {
    fn drop(&mut self) {
        self.drops.set(self.drops.get() + 1);
    }
}

impl Payload for u64 {
    fn payload(&self) -> u64 {
        *self
    }
}

/// A payload of `N` bytes aligned to 64.
#[derive(Debug)]
#[repr(align(64))]
pub struct Wide<const N: usize>(pub [u8; N]);

impl<const N: usize> Payload for Wide<N> {
    fn payload(&self) -> u64 {
        self.0.iter().map(|&b| u64::from(b)).sum()
    }
}

/// A 4096-byte value aligned to 4096.
#[derive(Debug)]
#[repr(align(4096))]
pub struct Page(pub [u8; 4096]);

impl Payload for Page {
    fn payload(&self) -> u64 {
        self.0.iter().map(|&b| u64::from(b)).sum()
    }
}

/// Polls once with a no-op waker.
#[allow(unused_imports)]
pub use dynptr_core::testkit::poll_once;

/// Fewer iterations under Miri.
pub const fn rounds() -> usize {
    if cfg!(miri) {
        4
    } else {
        200
    }
}
