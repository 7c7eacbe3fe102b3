//! Helpers shared by the test files: an allocator that checks every deallocation
//! against the allocation it frees (the kit's), a value that counts its drops, and a
//! poll function (the future that yields once is `dynptr_core::testkit::YieldOnce`).

#![allow(dead_code, unreachable_pub)]

use core::cell::Cell;

use dynptr_core::impl_coerce;

/// An allocator (used as `&'static Ledger`, one static per test, made with
/// `Ledger::strict()`): the kit's counting allocator, which forwards to `Global`, records
/// every live block with its layout, and (strict) panics on a deallocation of a block it
/// does not hold or with a layout other than the allocating one, and on a zero-sized
/// request; `fail_above(bytes)` makes larger requests fail.
pub type Ledger = dynptr_core::testkit::CountingAllocator;

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
