//! `InlineOr<N, F>`: inline when the value fits, otherwise the fallback strategy `F`.

use core::fmt;
use core::marker::PhantomData;
use core::mem::{ManuallyDrop, MaybeUninit};
use core::ptr::NonNull;

use dynptr_box::Boxed;
use dynptr_core::{Capacity, CoerceFrom, OwningPtr, Placed, Rejected, Strategy, ThreadSafe};

use crate::align::{Alignment, A16};
use crate::inline::InlinePtr;

/// Inline storage of `N` bytes aligned to `A` when the value fits, otherwise the
/// fallback strategy `F` (default [`Boxed`], one heap allocation).
///
/// The choice is made per concrete type at compile time: `adapt` branches on the
/// constant `Capacity::fits::<T>()`, so a callee whose value fits pays no branch and no
/// allocation, and one whose value does not goes straight to `F`. Callers see one
/// pointer type ([`InlineOrPtr`]) that knows which of the two it holds.
///
/// `F` may be any strategy: `Boxed<MyAllocator>`, a larger `Inline`, a
/// [`SlotRef`](crate::SlotRef). The capacity is the larger of the two in each dimension
/// (unbounded with `Boxed`). Available with the `alloc` feature, which also brings in
/// the default `F = Boxed`.
///
/// `Default` and `Clone` when `F` is; [`ThreadSafe`] when `F` is.
///
/// # Examples
///
/// ```
/// use core::fmt::Debug;
/// use dynptr_core::DynPtr;
/// use dynptr_stack::InlineOr;
///
/// let mut strategy = InlineOr::<32>::new();
/// // 4 bytes: stored inline.
/// let small: DynPtr<'_, dyn Debug, _> = DynPtr::new(&mut strategy, 7u32);
/// assert!(DynPtr::into_raw(small).is_inline());
/// // 4 KiB: boxed.
/// let large: DynPtr<'_, dyn Debug, _> = DynPtr::new(&mut strategy, [0u8; 4096]);
/// assert!(!DynPtr::into_raw(large).is_inline());
/// ```
///
/// With another fallback (here: a larger inline buffer, no allocator involved):
///
/// ```
/// use dynptr_core::DynPtr;
/// use dynptr_stack::{Inline, InlineOr};
///
/// let mut strategy: InlineOr<16, Inline<256>> = InlineOr::with_fallback(Inline::new());
/// let it: DynPtr<'_, dyn Iterator<Item = u64>, _> = DynPtr::new(&mut strategy, [3u64; 20].into_iter());
/// assert_eq!(it.sum::<u64>(), 60);
/// ```
pub struct InlineOr<const N: usize, F = Boxed, A: Alignment = A16> {
    fallback: F,
    _align: PhantomData<A>,
}

impl<const N: usize, A: Alignment> InlineOr<N, Boxed, A> {
    /// Inline, or boxed in the global allocator.
    pub const fn new() -> Self {
        Self::with_fallback(Boxed::new())
    }
}

impl<const N: usize, F, A: Alignment> InlineOr<N, F, A> {
    /// Inline, or stored by `fallback`.
    pub const fn with_fallback(fallback: F) -> Self {
        InlineOr {
            fallback,
            _align: PhantomData,
        }
    }

    /// The fallback strategy.
    pub const fn fallback(&self) -> &F {
        &self.fallback
    }
}

impl<const N: usize, F: Default, A: Alignment> Default for InlineOr<N, F, A> {
    fn default() -> Self {
        Self::with_fallback(F::default())
    }
}

impl<const N: usize, F: Clone, A: Alignment> Clone for InlineOr<N, F, A> {
    fn clone(&self) -> Self {
        Self::with_fallback(self.fallback.clone())
    }
}

impl<const N: usize, F: fmt::Debug, A: Alignment> fmt::Debug for InlineOr<N, F, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InlineOr")
            .field("inline", &Capacity::new(N, A::ALIGN))
            .field("fallback", &self.fallback)
            .finish()
    }
}

const fn max(a: usize, b: usize) -> usize {
    if a > b {
        a
    } else {
        b
    }
}

impl<const N: usize, F: Strategy, A: Alignment> InlineOr<N, F, A> {
    const INLINE: Capacity = Capacity::new(N, A::ALIGN);
}

impl<const N: usize, F: Strategy, A: Alignment> Strategy for InlineOr<N, F, A> {
    type Ptr<'s, D: ?Sized + 's>
        = InlineOrPtr<'s, D, N, F, A>
    where
        Self: 's;

    const CAPACITY: Capacity = Capacity::new(max(N, F::CAPACITY.size), max(A::ALIGN, F::CAPACITY.align));

    /// Inline (in `out`'s own buffer) if `T` fits, decided at compile time; otherwise
    /// through the fallback, which may give the maker back.
    #[inline]
    fn try_adapt_in<'s, 'o, T, D, M>(
        &'s mut self,
        out: &'o mut MaybeUninit<Self::Ptr<'s, D>>,
        make: M,
    ) -> Result<Placed<'o, T>, Rejected<M>>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        if const { Self::INLINE.fits::<T>() } {
            Ok(InlinePtr::init(InlineOrPtr::inline_slot(out), make))
        } else {
            self.fallback.try_adapt_in(InlineOrPtr::fallback_slot(out), make)
        }
    }

    #[inline]
    fn try_adapt_shared_in<'s, 'o, T, D, M>(
        &'s self,
        out: &'o mut MaybeUninit<Self::Ptr<'s, D>>,
        make: M,
    ) -> Result<Placed<'o, T>, Rejected<M>>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        if const { Self::INLINE.fits::<T>() } {
            Ok(InlinePtr::init(InlineOrPtr::inline_slot(out), make))
        } else {
            self.fallback
                .try_adapt_shared_in(InlineOrPtr::fallback_slot(out), make)
        }
    }

    /// Inline if `T` fits, otherwise `F::adapt_in` (with whatever it does for a value it
    /// cannot store: `Boxed` calls `handle_alloc_error`).
    #[inline]
    #[track_caller]
    fn adapt_in<'s, 'o, T, D, M>(
        &'s mut self,
        out: &'o mut MaybeUninit<Self::Ptr<'s, D>>,
        make: M,
    ) -> Placed<'o, T>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        if const { Self::INLINE.fits::<T>() } {
            InlinePtr::init(InlineOrPtr::inline_slot(out), make)
        } else {
            self.fallback.adapt_in(InlineOrPtr::fallback_slot(out), make)
        }
    }

    #[inline]
    #[track_caller]
    fn adapt_shared_in<'s, 'o, T, D, M>(
        &'s self,
        out: &'o mut MaybeUninit<Self::Ptr<'s, D>>,
        make: M,
    ) -> Placed<'o, T>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        if const { Self::INLINE.fits::<T>() } {
            InlinePtr::init(InlineOrPtr::inline_slot(out), make)
        } else {
            self.fallback
                .adapt_shared_in(InlineOrPtr::fallback_slot(out), make)
        }
    }
}

// SAFETY: an `InlineOrPtr` is either an `InlinePtr` (sound to send/share when `D` is,
// as for `Inline`'s `ThreadSafe`) or `F::Ptr`, which `F: ThreadSafe` vouches for.
unsafe impl<const N: usize, F: ThreadSafe, A: Alignment> ThreadSafe for InlineOr<N, F, A> {}

/// The pointer [`InlineOr`] returns: the value inline, or `F`'s pointer to it.
///
/// # Invariants
///
/// `store` holds an initialised `InlinePtr` when `inline` is true, an initialised
/// `F::Ptr` otherwise; this pointer owns it.
pub struct InlineOrPtr<'s, D: ?Sized + 's, const N: usize, F: Strategy + 's, A: Alignment = A16> {
    // First, so that both pointers start at offset 0 of `Self` (`repr(C)`) and each
    // can be written in place through a cast of `out`.
    store: Store<'s, D, N, F, A>,
    inline: bool,
}

/// One of the two pointers, in place (a union: no tag, no move to build it).
#[repr(C)]
union Store<'s, D: ?Sized + 's, const N: usize, F: Strategy + 's, A: Alignment> {
    inline: ManuallyDrop<InlinePtr<D, N, A>>,
    fallback: ManuallyDrop<F::Ptr<'s, D>>,
}

impl<'s, D: ?Sized + 's, const N: usize, F: Strategy + 's, A: Alignment> InlineOrPtr<'s, D, N, F, A> {
    /// Marks `out` as inline and gives its store as an `InlinePtr` slot.
    #[inline(always)]
    fn inline_slot(out: &mut MaybeUninit<Self>) -> &mut MaybeUninit<InlinePtr<D, N, A>> {
        Self::slot(out, true)
    }

    /// Marks `out` as a fallback and gives its store as an `F::Ptr` slot.
    #[inline(always)]
    fn fallback_slot(out: &mut MaybeUninit<Self>) -> &mut MaybeUninit<F::Ptr<'s, D>> {
        Self::slot(out, false)
    }

    #[inline(always)]
    fn slot<P>(out: &mut MaybeUninit<Self>, inline: bool) -> &mut MaybeUninit<P> {
        let this = out.as_mut_ptr();
        // SAFETY: a raw projection to a field of `out`, which is valid memory.
        let flag = unsafe { &raw mut (*this).inline };
        // SAFETY: `out` is valid for writes, and so is its field.
        unsafe { flag.write(inline) };
        // SAFETY: a raw projection to a field of `out`, which is valid memory.
        let store = unsafe { &raw mut (*this).store };
        // Every field of a `repr(C)` union is at offset 0, and `P` is one of them; the
        // returned borrow is `out`'s.
        // SAFETY: a unique borrow of valid memory for `out`'s borrow, as `MaybeUninit`
        // (no validity asserted).
        unsafe { &mut *store.cast::<MaybeUninit<P>>() }
    }

    /// Whether the value is stored inline (rather than by the fallback).
    pub fn is_inline(&self) -> bool {
        self.inline
    }
}

impl<'s, D: ?Sized + 's, const N: usize, F: Strategy + 's, A: Alignment> Drop
    for InlineOrPtr<'s, D, N, F, A>
{
    #[inline]
    fn drop(&mut self) {
        // `inline` says which field is initialised (the invariant).
        if self.inline {
            // SAFETY: the initialised field, borrowed.
            let p = unsafe { &mut self.store.inline };
            // SAFETY: dropped once, here.
            unsafe { ManuallyDrop::drop(p) }
        } else {
            // SAFETY: the initialised field, borrowed.
            let p = unsafe { &mut self.store.fallback };
            // SAFETY: dropped once, here.
            unsafe { ManuallyDrop::drop(p) }
        }
    }
}

// SAFETY: every method forwards to the pointer it holds, which upholds the contract
// itself (`InlinePtr`, or `F::Ptr` by `F: Strategy`); dropping an `InlineOrPtr` drops
// that pointer exactly once, and forgetting it forgets that pointer (abandoning its
// value). Pinning: an inline value is at a fixed offset inside `self`, a fallback value
// wherever `F` keeps it; neither moves while `self` does not.
unsafe impl<'s, D: ?Sized + 's, const N: usize, F: Strategy + 's, A: Alignment> OwningPtr
    for InlineOrPtr<'s, D, N, F, A>
{
    type Target = D;

    #[inline(always)]
    fn as_ptr(&self) -> NonNull<D> {
        if self.inline {
            // SAFETY: the invariant: the inline pointer is the initialised field.
            unsafe { self.store.inline.as_ptr() }
        } else {
            // SAFETY: the invariant: the fallback pointer is the initialised field.
            unsafe { self.store.fallback.as_ptr() }
        }
    }

    #[inline(always)]
    fn as_mut_ptr(&mut self) -> NonNull<D> {
        if self.inline {
            // SAFETY: as in `as_ptr`.
            unsafe { (*self.store.inline).as_mut_ptr() }
        } else {
            // SAFETY: as in `as_ptr`.
            unsafe { (*self.store.fallback).as_mut_ptr() }
        }
    }

    #[inline]
    unsafe fn release_moved(this: Self) {
        let mut this = ManuallyDrop::new(this);
        if this.inline {
            // SAFETY: the initialised field (the invariant), borrowed.
            let p = unsafe { &mut this.store.inline };
            // SAFETY: taken once: `this` is never dropped.
            let p = unsafe { ManuallyDrop::take(p) };
            // SAFETY: forwarded: the caller moved the value out and did not pin `this`.
            unsafe { OwningPtr::release_moved(p) }
        } else {
            // SAFETY: the initialised field (the invariant), borrowed.
            let p = unsafe { &mut this.store.fallback };
            // SAFETY: taken once: `this` is never dropped.
            let p = unsafe { ManuallyDrop::take(p) };
            // SAFETY: as above.
            unsafe { OwningPtr::release_moved(p) }
        }
    }
}

impl<'s, D: ?Sized + 's, const N: usize, F: Strategy + 's, A: Alignment> fmt::Debug
    for InlineOrPtr<'s, D, N, F, A>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InlineOrPtr")
            .field("inline", &self.is_inline())
            .finish_non_exhaustive()
    }
}
