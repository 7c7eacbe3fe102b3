//! `Cached` passes the strategy conformance kit (empty, pre-sized, in a custom
//! allocator), and its auto traits are what the docs say.

mod common;

use core::alloc::Layout;
use core::future::Future;

use common::Ledger;
use dynptr_cache::{CachePtr, Cached, Global};
use dynptr_core::{testkit, DynPtr};
use static_assertions::{assert_impl_all, assert_not_impl_any};

#[test]
fn empty_cache_passes_the_kit() {
    testkit::check(Cached::new);
}

#[test]
// The kit is slow under Miri; the other two runs cover the same code paths.
#[cfg_attr(miri, ignore)]
fn presized_cache_passes_the_kit() {
    testkit::check(|| Cached::with_capacity(Layout::from_size_align(128, 16).unwrap()));
}

#[test]
fn cache_in_a_checking_allocator_passes_the_kit() {
    static LEDGER: Ledger = Ledger::strict();
    testkit::check(|| Cached::new_in(&LEDGER));
    // Every block the kit did not abandon was freed with its exact layout (the ledger
    // panics otherwise); the kit abandons seven values (three through `DynPtr`, two
    // linked waiters, two pending calls), each keeping its block.
    assert_eq!(LEDGER.live().len(), 7, "blocks still allocated");
}

#[test]
fn cached_is_thread_safe() {
    testkit::assert_thread_safe::<Cached>();
    testkit::assert_thread_safe::<Cached<&'static Ledger>>();
}

/// An allocator that is `Send` but not `Sync`.
#[derive(Clone)]
#[allow(dead_code)]
struct SendOnly(core::cell::Cell<u8>);

// SAFETY: never returns memory.
unsafe impl dynptr_cache::Allocator for SendOnly {
    fn allocate(&self, _: Layout) -> Result<core::ptr::NonNull<[u8]>, dynptr_cache::AllocError> {
        Err(dynptr_cache::AllocError)
    }
    unsafe fn deallocate(&self, _: core::ptr::NonNull<u8>, _: Layout) {}
}

// The cache: `Sync` (its shared path is thread-safe) and `Send` with a `Sync`, `Send`
// allocator; not `Sync` with an allocator that is not.
assert_impl_all!(Cached: Send, Sync, Unpin, Default);
assert_impl_all!(Cached<SendOnly>: Send);
assert_not_impl_any!(Cached<SendOnly>: Sync);

// The pointer follows its pointee.
assert_impl_all!(CachePtr<'static, dyn Future<Output = u8> + Send, Global>: Send);
assert_not_impl_any!(CachePtr<'static, dyn Future<Output = u8>, Global>: Send, Sync);
assert_impl_all!(CachePtr<'static, dyn core::fmt::Debug + Send + Sync, Global>: Send, Sync);
assert_not_impl_any!(CachePtr<'static, dyn Future<Output = u8> + Send, SendOnly>: Send, Sync);
assert_impl_all!(DynPtr<'static, dyn Future<Output = u8> + Send, Cached>: Send);
assert_not_impl_any!(DynPtr<'static, dyn Future<Output = u8>, Cached>: Send, Sync, Unpin);
assert_impl_all!(DynPtr<'static, u64, Cached>: Send, Sync, Unpin);
