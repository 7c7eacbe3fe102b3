//! A custom `allocator-api2` allocator for the `Boxed<A>` rows, reached through a
//! `&'static` handle as a kernel heap or a region allocator would be.
//!
//! It forwards to the global allocator, so the rows measure what `Boxed<A>` itself adds
//! for an allocator that is not `Global` (the pointer-sized handle every `BoxPtr`
//! carries, the generic allocation path), and the `allocs` target's counting global
//! allocator sees its blocks.

use core::ptr::NonNull;

use allocator_api2::alloc::{AllocError, Allocator, Global, Layout};

/// Forwards every request to [`Global`].
#[derive(Debug)]
pub(crate) struct Forward;

/// The one instance; `Boxed::new_in(&FORWARD)` is the custom-allocator strategy.
pub(crate) static FORWARD: Forward = Forward;

// SAFETY: every method forwards to `Global` with the caller's arguments unchanged, so
// the blocks it returns are `Global`'s (valid for the layout, alive until deallocated
// through this allocator, which forwards to the `Global` that allocated them) and the
// caller's obligations are `Global`'s. `Forward` has no state, so every reference to it
// is an equivalent allocator.
unsafe impl Allocator for Forward {
    #[inline]
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        Global.allocate(layout)
    }

    #[inline]
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: forwarded from our caller: `ptr` was allocated by this allocator, that
        // is by `Global`, with `layout`.
        unsafe { Global.deallocate(ptr, layout) }
    }
}
