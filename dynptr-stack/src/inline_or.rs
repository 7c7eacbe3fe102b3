//! `InlineOr<N, F>`: inline when the value fits, otherwise the fallback strategy `F`.

use core::fmt;
use core::marker::PhantomData;
use core::mem::{ManuallyDrop, MaybeUninit};
use core::ptr::NonNull;

use dynptr_box::Boxed;
use dynptr_core::{
    Capacity, CoerceFrom, Committed, OwningPtr, Placed, Rejected, Strategy, ThreadSafePointers,
};

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
/// `Default` and `Clone` when `F` is; [`ThreadSafePointers`] when `F` is.
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

    /// The fallback's token, for a value the fallback placed; nothing for an inline
    /// one (which of the two is known from the value's type).
    type Token<'s>
        = MaybeUninit<F::Token<'s>>
    where
        Self: 's;

    /// Inline (in `out`'s own buffer) if `T` fits, decided at compile time; otherwise
    /// through the fallback, which may give the maker back.
    #[inline]
    fn try_place<'s, 'o, T, D, M>(
        &'s mut self,
        out: &'o mut MaybeUninit<Self::Ptr<'s, D>>,
        make: M,
    ) -> Result<Placed<'o, 's, T, D, Self>, Rejected<M>>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        if const { Self::INLINE.fits::<T>() } {
            Ok(InlineOrPtr::place_inline(out, make))
        } else {
            let out = NonNull::from(out);
            // SAFETY: the fallback's slot lies in `out`, valid for `'o`.
            let slot = unsafe { &mut *InlineOrPtr::fallback_slot(out).as_ptr() };
            self.fallback
                .try_place(slot, make)
                .map(|placed| InlineOrPtr::from_fallback(placed, out))
        }
    }

    #[inline]
    fn try_place_shared<'s, 'o, T, D, M>(
        &'s self,
        out: &'o mut MaybeUninit<Self::Ptr<'s, D>>,
        make: M,
    ) -> Result<Placed<'o, 's, T, D, Self>, Rejected<M>>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        if const { Self::INLINE.fits::<T>() } {
            Ok(InlineOrPtr::place_inline(out, make))
        } else {
            let out = NonNull::from(out);
            // SAFETY: the fallback's slot lies in `out`, valid for `'o`.
            let slot = unsafe { &mut *InlineOrPtr::fallback_slot(out).as_ptr() };
            self.fallback
                .try_place_shared(slot, make)
                .map(|placed| InlineOrPtr::from_fallback(placed, out))
        }
    }

    /// Inline if `T` fits, otherwise `F::place` (with whatever it does for a value it
    /// cannot store: `Boxed` calls `handle_alloc_error`).
    #[inline]
    #[track_caller]
    fn place<'s, 'o, T, D, M>(
        &'s mut self,
        out: &'o mut MaybeUninit<Self::Ptr<'s, D>>,
        make: M,
    ) -> Placed<'o, 's, T, D, Self>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        if const { Self::INLINE.fits::<T>() } {
            InlineOrPtr::place_inline(out, make)
        } else {
            let out = NonNull::from(out);
            // SAFETY: the fallback's slot lies in `out`, valid for `'o`.
            let slot = unsafe { &mut *InlineOrPtr::fallback_slot(out).as_ptr() };
            InlineOrPtr::from_fallback(self.fallback.place(slot, make), out)
        }
    }

    #[inline]
    #[track_caller]
    fn place_shared<'s, 'o, T, D, M>(
        &'s self,
        out: &'o mut MaybeUninit<Self::Ptr<'s, D>>,
        make: M,
    ) -> Placed<'o, 's, T, D, Self>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        if const { Self::INLINE.fits::<T>() } {
            InlineOrPtr::place_inline(out, make)
        } else {
            let out = NonNull::from(out);
            // SAFETY: the fallback's slot lies in `out`, valid for `'o`.
            let slot = unsafe { &mut *InlineOrPtr::fallback_slot(out).as_ptr() };
            InlineOrPtr::from_fallback(self.fallback.place_shared(slot, make), out)
        }
    }

    #[inline]
    fn commit<'s, 'o, T, D>(placed: Placed<'o, 's, T, D, Self>) -> Committed<'o>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
    {
        let (value, out, token) = placed.into_parts();
        if const { Self::INLINE.fits::<T>() } {
            InlineOrPtr::<D, N, F, A>::set_inline(out, true);
            // SAFETY: `place_inline` built the `T` at the start of the inline pointer's
            // buffer.
            unsafe { InlinePtr::finish::<T>(InlineOrPtr::<D, N, F, A>::inline_slot(out)) }
        } else {
            InlineOrPtr::<D, N, F, A>::set_inline(out, false);
            // SAFETY: the value's type does not fit inline, so the fallback placed it
            // and its token is initialised.
            let token = unsafe { token.assume_init() };
            let slot = InlineOrPtr::<D, N, F, A>::fallback_slot(out);
            // SAFETY: the fallback placed this value with this token, in this slot.
            let placed = unsafe { Placed::new(value, slot, token) };
            let _: Committed<'_> = F::commit(placed);
            // SAFETY: the fallback wrote its pointer, and the flag says so.
            unsafe { Committed::new() }
        }
    }

    #[inline]
    unsafe fn discard<'s, 'o, T, D>(placed: Placed<'o, 's, T, D, Self>)
    where
        T: 's,
        D: ?Sized + 's,
    {
        if const { !Self::INLINE.fits::<T>() } {
            let (value, out, token) = placed.into_parts();
            // SAFETY: the value's type does not fit inline, so the fallback placed it
            // and its token is initialised.
            let token = unsafe { token.assume_init() };
            let slot = InlineOrPtr::<D, N, F, A>::fallback_slot(out);
            // SAFETY: the fallback placed this value with this token, in this slot.
            let placed = unsafe { Placed::new(value, slot, token) };
            // SAFETY: forwarded: the value was dropped in place by our caller.
            unsafe { F::discard(placed) }
        }
    }
}

// SAFETY: an `InlineOrPtr` is either an `InlinePtr` (sound to send/share when `D` is,
// as for `Inline`'s `ThreadSafePointers`) or `F::Ptr`, which `F: ThreadSafePointers` vouches for.
unsafe impl<const N: usize, F: ThreadSafePointers, A: Alignment> ThreadSafePointers for InlineOr<N, F, A> {}

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
    /// Builds the value in the inline pointer's buffer inside `out`.
    #[inline(always)]
    fn place_inline<'o, T>(
        out: &'o mut MaybeUninit<Self>,
        make: impl FnOnce() -> T,
    ) -> Placed<'o, 's, T, D, InlineOr<N, F, A>> {
        let out = NonNull::from(out);
        let value = InlinePtr::build(Self::inline_slot(out), make);
        // SAFETY: `value` was just built at the start of the inline buffer, derived from
        // `out`'s address; it stays there as long as `out` does. The token is unused for
        // an inline value.
        unsafe { Placed::new(value, out, MaybeUninit::uninit()) }
    }

    /// A value the fallback placed, as placed by `InlineOr`.
    #[inline(always)]
    fn from_fallback<'o, T>(
        placed: Placed<'o, 's, T, D, F>,
        out: NonNull<MaybeUninit<Self>>,
    ) -> Placed<'o, 's, T, D, InlineOr<N, F, A>> {
        let (value, _, token) = placed.into_parts();
        // SAFETY: the fallback's guarantee, for its slot inside `out`.
        unsafe { Placed::new(value, out, MaybeUninit::new(token)) }
    }

    /// Where the inline pointer goes in `out` (every field of a `repr(C)` union is at
    /// offset 0).
    #[inline(always)]
    fn inline_slot(out: NonNull<MaybeUninit<Self>>) -> NonNull<MaybeUninit<InlinePtr<D, N, A>>> {
        Self::store(out).cast()
    }

    /// Where the fallback's pointer goes in `out`.
    #[inline(always)]
    fn fallback_slot(out: NonNull<MaybeUninit<Self>>) -> NonNull<MaybeUninit<F::Ptr<'s, D>>> {
        Self::store(out).cast()
    }

    #[inline(always)]
    fn store(out: NonNull<MaybeUninit<Self>>) -> NonNull<Store<'s, D, N, F, A>> {
        let this = out.as_ptr().cast::<Self>();
        // SAFETY: a raw projection to a field of `out`, which is valid memory.
        let store = unsafe { &raw mut (*this).store };
        NonNull::new(store).expect("a field of `out` is non-null")
    }

    /// Writes which pointer `out` holds.
    #[inline(always)]
    fn set_inline(out: NonNull<MaybeUninit<Self>>, inline: bool) {
        let this = out.as_ptr().cast::<Self>();
        // SAFETY: a raw projection to a field of `out`, which is valid memory.
        let flag = unsafe { &raw mut (*this).inline };
        // SAFETY: `out` is valid for writes, and so is its field.
        unsafe { flag.write(inline) };
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
