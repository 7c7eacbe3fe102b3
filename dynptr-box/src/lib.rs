//! `Boxed`: dynptr's heap strategy. Every returned value gets one allocation, in the
//! global allocator or in any [`allocator_api2`] 0.2 allocator (the version `bumpalo`
//! and `hashbrown` implement), and is freed with exactly the layout it was allocated
//! with. Zero-sized values never reach the allocator.
//!
//! Pick it when returned values are large or their sizes unknown, when allocation is
//! cheap enough for your call rate, or when you bring your own allocator (a kernel
//! heap, a region); pick `Cached` to reuse one block call after call, `Inline` when
//! there is no allocator at all.
//!
//! # Examples
//!
//! ```
//! use core::future::Future;
//! use dynptr_box::Boxed;
//! use dynptr_core::DynPtr;
//!
//! let mut strategy = Boxed::new();
//! let mut total = 0;
//! for i in 1..=3u32 {
//!     let fut: DynPtr<'_, dyn Future<Output = u32>, Boxed> =
//!         DynPtr::new(&mut strategy, async move { i * 10 });
//!     total += futures::executor::block_on(fut);
//! }
//! assert_eq!(total, 60);
//! ```
//!
//! With an allocator of your own, and out-of-memory as an error instead of an abort:
//!
//! ```
//! use allocator_api2::alloc::{AllocError, Allocator, Layout};
//! use core::ptr::NonNull;
//! use dynptr_box::Boxed;
//! use dynptr_core::{DynPtr, RejectReason, Strategy};
//!
//! /// An allocator that refuses everything.
//! #[derive(Clone, Copy)]
//! struct Empty;
//! // SAFETY: it never returns a block, so it never hands out invalid memory.
//! unsafe impl Allocator for Empty {
//!     fn allocate(&self, _: Layout) -> Result<NonNull<[u8]>, AllocError> {
//!         Err(AllocError)
//!     }
//!     unsafe fn deallocate(&self, _: NonNull<u8>, _: Layout) {}
//! }
//!
//! let mut strategy = Boxed::new_in(Empty);
//! let big = [1u64; 16];
//! let err = strategy.try_adapt::<_, dyn core::fmt::Debug>(big).unwrap_err();
//! assert!(matches!(err.reason(), RejectReason::OutOfMemory { .. }));
//! assert_eq!(err.into_value(), [1u64; 16]); // the value comes back intact
//!
//! // A zero-sized value needs no memory, so even this allocator stores it.
//! let unit: DynPtr<'_, dyn core::fmt::Debug, _> = DynPtr::new(&mut strategy, ());
//! assert_eq!(format!("{unit:?}"), "()");
//! ```
#![no_std]
// docs.rs (`--cfg docsrs`, nightly) marks each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings), allow(dead_code))))]

extern crate alloc;

use core::alloc::Layout;
use core::fmt;
use core::mem::MaybeUninit;
use core::ptr::NonNull;

pub use allocator_api2::alloc::{AllocError, Allocator, Global};
use dynptr_core::{
    write_with, CoerceFrom, Committed, GiveBack, Held, Holder, OwningPtr, Placed, Rejected, Release,
    Strategy, ThreadSafePointers,
};

/// The heap strategy: one allocation per stored value, in the allocator `A`.
///
/// `A` is `'static` because a pinned value may be forgotten, and its memory must then
/// stay valid forever: memory borrowed from a shorter-lived allocator cannot. `A` is
/// `Clone` because every pointer carries its own clone of the allocator: an
/// `allocator-api2` allocator keeps its blocks valid until the last clone is dropped,
/// so a forgotten pointer (which keeps its clone forever) keeps its block valid even
/// after the strategy is gone. `Global` and `&'static MyAllocator` are zero-cost here.
///
/// `Default` when `A` is; `Send`/`Sync` when `A` is; [`ThreadSafePointers`] when `A` is `Send +
/// Sync`, so `#[dyn_trait(Send)]` wrappers may use it.
///
/// # Examples
///
/// ```
/// use dynptr_box::Boxed;
/// use dynptr_core::DynPtr;
///
/// let mut strategy = Boxed::default();
/// let iter: DynPtr<'_, dyn Iterator<Item = u32>, Boxed> =
///     DynPtr::new(&mut strategy, [1, 2, 3].into_iter().map(|x| x * x));
/// assert_eq!(iter.sum::<u32>(), 14);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Boxed<A = Global> {
    alloc: A,
}

impl Boxed<Global> {
    /// Boxes in the global allocator.
    pub const fn new() -> Self {
        Boxed { alloc: Global }
    }
}

impl<A> Boxed<A> {
    /// Boxes in `alloc`.
    ///
    /// ```
    /// use dynptr_box::{Boxed, Global};
    /// let strategy = Boxed::new_in(Global);
    /// # let _ = strategy;
    /// ```
    pub const fn new_in(alloc: A) -> Self {
        Boxed { alloc }
    }

    /// The allocator.
    pub const fn allocator(&self) -> &A {
        &self.alloc
    }
}

impl<A: Allocator + Clone + 'static> Boxed<A> {
    /// Allocates a block for a `T` and builds the value there; the `BoxPtr` is written
    /// by `commit`.
    #[inline(always)]
    fn try_box<'s, 'o, T, D, M>(
        &'s self,
        out: &'o mut MaybeUninit<BoxPtr<D, A>>,
        make: M,
    ) -> Result<Placed<'o, 's, T, D, Self>, Rejected<M>>
    where
        D: ?Sized + 's,
        M: FnOnce() -> T,
    {
        let layout = Layout::new::<T>();
        // Cloned before anything is allocated: a panicking `clone` then unwinds with
        // `make` still owned here (dropped by the unwind) and no block allocated.
        let alloc = self.alloc.clone();
        let raw: NonNull<T> = if layout.size() == 0 {
            // A zero-sized value needs no memory: an aligned dangling pointer is valid
            // for it, and `BoxPtr::drop` never deallocates a zero-sized layout.
            NonNull::dangling()
        } else {
            match alloc.allocate(layout) {
                Ok(block) => block.cast(),
                Err(AllocError) => return Err(Rejected::out_of_memory_for::<T>(make)),
            }
        };
        // A panicking `make` frees the block (the clone is dropped by the unwind).
        let undo = || {
            if layout.size() != 0 {
                // SAFETY: `raw` was just allocated by `alloc` with `layout`, and holds no
                // value (`make` panicked).
                unsafe { alloc.deallocate(raw.cast(), layout) }
            }
        };
        // SAFETY: `raw` is a fresh allocation of `layout` (valid and aligned for `T`),
        // or dangling and aligned for a zero-sized `T`.
        unsafe { write_with(raw, make, undo) };
        // SAFETY: `raw` is the value just built in a block nobody else knows; it never
        // moves, and has the allocation's provenance. The token is the allocator that
        // frees it.
        Ok(unsafe { Placed::new(raw, NonNull::from(out), alloc) })
    }
}

impl<A: Allocator + Clone + 'static> Strategy for Boxed<A> {
    type Ptr<'s, D: ?Sized + 's>
        = BoxPtr<D, A>
    where
        Self: 's;

    /// The allocator clone that frees the block (and goes into the `BoxPtr`).
    type Token<'s>
        = A
    where
        Self: 's;

    #[inline]
    fn try_place<'s, 'o, T, D, M>(
        &'s mut self,
        out: &'o mut MaybeUninit<BoxPtr<D, A>>,
        make: M,
    ) -> Result<Placed<'o, 's, T, D, Self>, Rejected<M>>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        self.try_box(out, make)
    }

    #[inline]
    fn try_place_shared<'s, 'o, T, D, M>(
        &'s self,
        out: &'o mut MaybeUninit<BoxPtr<D, A>>,
        make: M,
    ) -> Result<Placed<'o, 's, T, D, Self>, Rejected<M>>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        self.try_box(out, make)
    }

    /// Boxes the value; on allocation failure calls `handle_alloc_error`, as `Box::new`
    /// does (use [`try_place`](Strategy::try_place) to get an error instead).
    #[inline]
    fn place<'s, 'o, T, D, M>(
        &'s mut self,
        out: &'o mut MaybeUninit<BoxPtr<D, A>>,
        make: M,
    ) -> Placed<'o, 's, T, D, Self>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        self.place_shared(out, make)
    }

    #[inline]
    fn place_shared<'s, 'o, T, D, M>(
        &'s self,
        out: &'o mut MaybeUninit<BoxPtr<D, A>>,
        make: M,
    ) -> Placed<'o, 's, T, D, Self>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        match self.try_box(out, make) {
            Ok(placed) => placed,
            Err(_) => alloc::alloc::handle_alloc_error(Layout::new::<T>()),
        }
    }

    #[inline]
    fn commit<'s, 'o, T, D>(placed: Placed<'o, 's, T, D, Self>) -> Committed<'o>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
    {
        let (value, out, alloc) = placed.into_parts();
        // SAFETY: the value was built in a block `alloc` allocated with its layout (or is
        // zero-sized and dangling), owned by nobody else (`try_box`), outside `out`.
        unsafe { Held::commit(out, value, BoxBack(alloc)) }
    }

    /// Frees the block (the value's drop already ran, so that is the whole release).
    #[inline]
    unsafe fn discard<'s, 'o, T, D>(placed: Placed<'o, 's, T, D, Self>)
    where
        T: 's,
        D: ?Sized + 's,
    {
        let (value, _, alloc) = placed.into_parts();
        let layout = Layout::new::<T>();
        if layout.size() != 0 {
            // SAFETY: `try_box` allocated `value`'s block with (a clone of) `alloc` and
            // exactly `layout`; nothing else frees it, and its value is gone.
            unsafe { alloc.deallocate(value.cast(), layout) }
        }
    }
}

// SAFETY: a `BoxPtr<D, A>` owns its pointee and a clone of `A`, nothing else: sending
// it sends a `D` and an `A` (both `Send` when `D: Send` and `A: Send`, see the impls
// below), sharing it shares `&D` and `&A`.
unsafe impl<A: Allocator + Clone + Send + Sync + 'static> ThreadSafePointers for Boxed<A> {}

/// The pointer [`Boxed`] returns: one heap block holding the value, and the allocator
/// that frees it (core's [`Held`] with [`BoxBack`]). Two words for a zero-sized
/// allocator such as [`Global`].
pub type BoxPtr<D, A = Global> = Held<D, BoxBack<A>>;

/// How a [`BoxPtr`] gives its block back: the allocator (a clone of the strategy's)
/// frees it.
pub struct BoxBack<A>(A);

// SAFETY: a `BoxPtr` is made only by `Boxed::commit` (and `release_boxed`, for the
// same kind of block): the value's block was allocated by (a clone of) this allocator
// with exactly the value's layout, or not at all for a zero-sized value (a dangling
// pointer). `give_back` frees it once with that layout; until then nobody frees it, and
// a forgotten pointer keeps it (and this allocator clone) forever.
unsafe impl<A: Allocator> GiveBack for BoxBack<A> {
    #[inline(always)]
    unsafe fn needs_layout(&self, _: NonNull<u8>) -> bool {
        true
    }

    #[inline]
    unsafe fn give_back(self, addr: NonNull<u8>, layout: Option<Layout>) {
        let layout = layout.expect("`needs_layout` is true");
        if layout.size() != 0 {
            // SAFETY: allocated by this allocator (a clone of the allocating instance)
            // with exactly `layout`, and released once (the caller).
            unsafe { self.0.deallocate(addr, layout) }
        }
    }
}

impl<A> fmt::Debug for BoxBack<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("BoxBack")
            .field(&core::any::type_name::<A>())
            .finish()
    }
}

/// Moves `value` to the global heap and returns an owning [`Holder`] for it: what
/// `DynFoo::boxed(value)` uses. A zero-sized value is not allocated.
///
/// ```
/// use dynptr_core::Holder;
///
/// let mut r: Holder<'_, dyn core::fmt::Debug> = dynptr_box::boxed_receiver(String::from("hi"));
/// assert!(r.is_owned());
/// assert_eq!(format!("{:?}", r.get_mut()), "\"hi\"");
/// ```
pub fn boxed_receiver<'a, T: 'a, D>(value: T) -> Holder<'a, D>
where
    D: ?Sized + CoerceFrom<T> + 'a,
{
    let ptr: BoxPtr<D, Global> = Boxed::new().adapt(value);
    let ptr = core::mem::ManuallyDrop::new(ptr);
    let raw = OwningPtr::as_ptr(&*ptr);
    // SAFETY: `raw` is the pointee of a `BoxPtr<D, Global>` we stopped managing
    // (ManuallyDrop); `release_boxed` rebuilds that `BoxPtr` exactly once to release it.
    unsafe { Holder::from_raw_owned(raw, release_boxed::<D>) }
}

/// # Safety
///
/// `ptr` is the pointee of a `BoxPtr<D, Global>` that was forgotten, called once.
unsafe fn release_boxed<D: ?Sized>(ptr: NonNull<D>, how: Release) {
    // `Global` is a zero-sized, stateless allocator: rebuilding it is what the original
    // `BoxPtr` held (invariants 1 and 2 hold for `ptr` by the caller's guarantee).
    // SAFETY: as just said: the value at `ptr` is in a block of `Global`'s with its
    // exact layout, owned by nobody now.
    let boxed: BoxPtr<D, Global> = unsafe { Held::new(ptr, BoxBack(Global)) };
    match how {
        Release::Drop => drop(boxed),
        // SAFETY: the caller moved the value out; the box was never pinned (receivers
        // are not pinned).
        _ => unsafe { OwningPtr::release_moved(boxed) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_sized_values_never_allocate() {
        let mut s = Boxed::new_in(NoAlloc);
        let p: dynptr_core::DynPtr<'_, dyn core::fmt::Debug, _> = dynptr_core::DynPtr::new(&mut s, ());
        assert_eq!(alloc::format!("{p:?}"), "()");
    }

    /// Fails every call: a zero-sized value must never reach it.
    #[derive(Clone, Copy)]
    struct NoAlloc;
    // SAFETY: never returns memory.
    unsafe impl Allocator for NoAlloc {
        fn allocate(&self, _: Layout) -> Result<NonNull<[u8]>, AllocError> {
            panic!("a zero-sized value reached the allocator")
        }
        unsafe fn deallocate(&self, _: NonNull<u8>, _: Layout) {
            panic!("deallocate called for a zero-sized value")
        }
    }
}
