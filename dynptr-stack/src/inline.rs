//! `Inline<N>`: the value lives inside the pointer the strategy returns.

use core::cell::UnsafeCell;
use core::fmt;
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ptr::NonNull;

use dynptr_core::{
    with_metadata_of, write_with, Capacity, CoerceFrom, Committed, OwningPtr, Placed, Rejected, Strategy,
    ThreadSafePointers,
};

use crate::align::{Alignment, Buf, A16};

/// The inline strategy: every returned value is stored inside the returned pointer, in
/// `N` bytes aligned to `A` (default [`A16`]); nothing is allocated and nothing is
/// borrowed, like `stackfuture::StackFuture` but with any alignment up to 4096 and a
/// `try_` path that gives the value back.
///
/// A value larger than `N` bytes or aligned more than `A` is a **compile-time error**
/// of [`adapt`](Strategy::adapt) (and so of `DynPtr::new`) whose message names both
/// layouts; [`try_adapt`](Strategy::try_adapt) returns it instead, intact. Like every
/// post-monomorphization error it shows in `cargo build`/`cargo test`, not in
/// `cargo check`.
///
/// The pointer ([`InlinePtr`]) is returned by value, so it is moved (copied) at least
/// once after the value is written; pick `N` close to the size of the values you
/// expect. A pinned `InlinePtr` (`.await` pins it) pins its value: the value is moved
/// only before it is first polled.
///
/// `Inline` is a zero-sized `Copy` type, `Default`, `Send`, `Sync` and [`ThreadSafePointers`]:
/// a pointer is `Send`/`Sync` exactly when its value is.
///
/// # Examples
///
/// ```
/// use core::future::Future;
/// use dynptr_core::DynPtr;
/// use dynptr_stack::Inline;
///
/// let mut strategy = Inline::<64>::new();
/// let base = 10;
/// let fut: DynPtr<'_, dyn Future<Output = u32>, _> =
///     DynPtr::new(&mut strategy, async move { base + 1 });
/// assert_eq!(poll_ready(fut), 11);
/// # fn poll_ready<F: Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     match f.as_mut().poll(&mut core::task::Context::from_waker(core::task::Waker::noop())) {
/// #         core::task::Poll::Ready(v) => v,
/// #         core::task::Poll::Pending => unreachable!(),
/// #     }
/// # }
/// ```
///
/// Alignment up to 4096 through a marker type, and the value back when it does not fit:
///
/// ```
/// use core::fmt::Debug;
/// use dynptr_core::{DynPtr, RejectReason, Strategy};
/// use dynptr_stack::{align::A64, Inline};
///
/// #[derive(Debug, PartialEq)]
/// #[repr(align(64))]
/// struct Line([u8; 64]);
///
/// let mut strategy = Inline::<64, A64>::new();
/// let p: DynPtr<'_, dyn Debug, _> = DynPtr::new(&mut strategy, Line([1; 64]));
/// assert_eq!(DynPtr::as_ptr(&p).cast::<u8>().addr() % 64, 0);
/// # drop(p);
///
/// let mut small = Inline::<16>::new();
/// let rejected = small.try_adapt::<_, dyn Debug>(Line([2; 64])).unwrap_err();
/// assert!(matches!(rejected.reason(), RejectReason::TooLarge { .. }));
/// assert_eq!(rejected.into_value(), Line([2; 64]));
/// ```
///
/// A value that is too large does not compile:
///
/// ```compile_fail,E0080
/// use dynptr_core::DynPtr;
/// use dynptr_stack::Inline;
///
/// let mut strategy = Inline::<16>::new();
/// // error: the value does not fit this strategy's storage: size 17, align 1; capacity: size 16, align 16
/// let p: DynPtr<'_, dyn core::fmt::Debug, _> = DynPtr::new(&mut strategy, [0u8; 17]);
/// ```
///
/// Nor does one that is aligned more than the storage:
///
/// ```compile_fail,E0080
/// use dynptr_core::DynPtr;
/// use dynptr_stack::Inline;
///
/// #[derive(Debug)]
/// #[repr(align(32))]
/// struct Aligned32(u8);
///
/// let mut strategy = Inline::<64>::new(); // aligned to 16
/// // error: the value does not fit this strategy's storage: size 32, align 32; capacity: size 64, align 16
/// let p: DynPtr<'_, dyn core::fmt::Debug, _> = DynPtr::new(&mut strategy, Aligned32(1));
/// ```
#[derive(Clone, Copy, Default)]
pub struct Inline<const N: usize, A: Alignment = A16> {
    _align: PhantomData<A>,
}

impl<const N: usize, A: Alignment> Inline<N, A> {
    /// The strategy (it has no state).
    pub const fn new() -> Self {
        Inline { _align: PhantomData }
    }
}

impl<const N: usize, A: Alignment> fmt::Debug for Inline<N, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Inline<{N}, align {}>", A::ALIGN)
    }
}

impl<const N: usize, A: Alignment> Strategy for Inline<N, A> {
    type Ptr<'s, D: ?Sized + 's>
        = InlinePtr<D, N, A>
    where
        Self: 's;

    const CAPACITY: Capacity = InlinePtr::<(), N, A>::CAPACITY;

    type Token<'s> = ();

    /// Builds the value in `out`'s own buffer (inside the caller's call future, for an
    /// `async fn`); gives the maker back if the value does not fit.
    #[inline]
    fn try_place<'s, 'o, T, D, M>(
        &'s mut self,
        out: &'o mut MaybeUninit<InlinePtr<D, N, A>>,
        make: M,
    ) -> Result<Placed<'o, 's, T, D, Self>, Rejected<M>>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        InlinePtr::try_place(out, make)
    }

    /// As [`try_place`](Self::try_place): each call has its own buffer, so any number
    /// of values from `&self` methods can be alive together.
    #[inline]
    fn try_place_shared<'s, 'o, T, D, M>(
        &'s self,
        out: &'o mut MaybeUninit<InlinePtr<D, N, A>>,
        make: M,
    ) -> Result<Placed<'o, 's, T, D, Self>, Rejected<M>>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        InlinePtr::try_place(out, make)
    }

    /// Writes `T`'s metadata next to the value: `out` is then the pointer.
    #[inline]
    fn commit<'s, 'o, T, D>(placed: Placed<'o, 's, T, D, Self>) -> Committed<'o>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
    {
        let (_, out, ()) = placed.into_parts();
        // SAFETY: `out` holds the value `T` at the start of its buffer (`try_place`).
        unsafe { InlinePtr::finish::<T>(out) }
    }

    /// Nothing to give back: the buffer is the caller's.
    #[inline]
    unsafe fn discard<'s, 'o, T, D>(_: Placed<'o, 's, T, D, Self>)
    where
        T: 's,
        D: ?Sized + 's,
    {
    }
}

// SAFETY: an `InlinePtr<D, N, A>` holds its `D` inline and a pointer to `D`'s
// metadata (a vtable in static memory, or a length), nothing shared: sending it sends
// the `D` (sound when `D: Send`), sharing it shares `&D` (sound when `D: Sync`), see the
// `Send`/`Sync` impls below.
unsafe impl<const N: usize, A: Alignment> ThreadSafePointers for Inline<N, A> {}

/// The pointer [`Inline`] returns: it holds the value itself, in `N` bytes aligned to
/// `A`.
///
/// Finding the value costs no indirect call: the pointer keeps the value's metadata
/// (its vtable) and rebuilds the trait-object pointer from the current address of its
/// buffer on every access ([`with_metadata_of`]), so it stays valid after a move.
/// Dropping it calls the value's drop glue through the vtable, which Rust skips for
/// types without drop glue (their vtable entry is null).
///
/// # Invariants
///
/// 1. `buf` holds an initialised value of some type `T` at offset 0, owned by this
///    pointer, with `size_of::<T>() <= N` and `align_of::<T>() <= A::ALIGN` (so `buf`
///    is large and aligned enough for it).
/// 2. `meta` carries the metadata of `T` as a `D` (it is `D::coerce` of a dangling
///    pointer to a `T`); its address is meaningless and never used.
pub struct InlinePtr<D: ?Sized, const N: usize, A: Alignment = A16> {
    // `UnsafeCell`: the value may have interior mutability and is reached through
    // `&InlinePtr` (rule 5 of the design); `MaybeUninit`: the bytes past the value are
    // never initialised (and never written).
    buf: UnsafeCell<MaybeUninit<Buf<N, A>>>,
    meta: NonNull<D>,
    // Owns a `D`: drop check, and `Unpin` only when `D` is.
    _owns: PhantomData<D>,
}

impl<D: ?Sized, const N: usize, A: Alignment> InlinePtr<D, N, A> {
    /// What fits.
    pub(crate) const CAPACITY: Capacity = Capacity::new(N, A::ALIGN);

    /// Builds the value `make` returns in `out`'s buffer, if it fits; its metadata is
    /// written by [`finish`](Self::finish).
    #[inline(always)]
    pub(crate) fn try_place<'o, 's, T, S, M>(
        out: &'o mut MaybeUninit<Self>,
        make: M,
    ) -> Result<Placed<'o, 's, T, D, S>, Rejected<M>>
    where
        S: Strategy<Ptr<'s, D> = Self, Token<'s> = ()> + 's,
        D: 's,
        M: FnOnce() -> T,
    {
        if Self::CAPACITY.fits::<T>() {
            let out = NonNull::from(out);
            let value = Self::build(out, make);
            // SAFETY: `value` is the value just built at the start of `out`'s buffer,
            // derived from `out`'s address; it stays there as long as `out` does.
            Ok(unsafe { Placed::new(value, out, ()) })
        } else {
            Err(Rejected::too_large_for::<T>(make, Self::CAPACITY))
        }
    }

    /// Builds the value `make` returns at the start of `out`'s buffer; the value must
    /// fit. If `make` panics, `out` stays uninitialised (nothing to undo).
    #[inline(always)]
    pub(crate) fn build<T>(out: NonNull<MaybeUninit<Self>>, make: impl FnOnce() -> T) -> NonNull<T> {
        // Folded away: every caller checked (or asserted at compile time) that it fits.
        assert!(Self::CAPACITY.fits::<T>(), "dynptr-stack: value does not fit");
        let this = out.as_ptr().cast::<Self>();
        // SAFETY: a raw projection to a field of `out`, which is valid memory.
        let buf = unsafe { UnsafeCell::raw_get(&raw mut (*this).buf) };
        let dst = NonNull::new(buf.cast::<T>()).expect("a field of `out` is non-null");
        // SAFETY: `dst` is the start of `buf`, which has at least `N >= size_of::<T>()`
        // bytes and is aligned to `A::ALIGN >= align_of::<T>()` (asserted above), and is
        // not otherwise in use. This is invariant 1 once `finish` writes `meta`.
        unsafe { write_with(dst, make, || {}) };
        dst
    }

    /// Writes `T`'s metadata into `out` (invariant 2), which holds a `T` at the start of
    /// its buffer (invariant 1): `out` is then an initialised `InlinePtr`. Only the
    /// metadata field is written, through a raw projection: the value is not touched.
    ///
    /// # Safety
    ///
    /// `out` is valid for writes and holds an initialised `T` built by `build`.
    #[inline(always)]
    pub(crate) unsafe fn finish<'o, T>(out: NonNull<MaybeUninit<Self>>) -> Committed<'o>
    where
        D: CoerceFrom<T>,
    {
        // Only the metadata of `T` is kept (`coerce` does not dereference).
        let meta = D::coerce_non_null(NonNull::<T>::dangling());
        let this = out.as_ptr().cast::<Self>();
        // SAFETY: a raw projection to a field of `out`, which is valid memory.
        let meta_field = unsafe { &raw mut (*this).meta };
        // SAFETY: `out` is valid for writes, and so is its field.
        unsafe { meta_field.write(meta) };
        // SAFETY: both invariants hold now: `out` is a pointer owning the value.
        unsafe { Committed::new() }
    }
}

// SAFETY:
// - Access (rule 1): `as_ptr`/`as_mut_ptr` derive the pointer from `buf` as it is now
//   (a shared borrow of the `UnsafeCell`, or a unique borrow), so its provenance is the
//   live storage, and attach `T`'s metadata (invariant 2) with `with_metadata_of`. By
//   invariant 1 the value is at offset 0, initialised and aligned. Same address as long
//   as `self` does not move.
// - Drop exactly once (rule 2): `Drop` drops the value in place once; the memory is
//   part of `self` and needs no release. A panic in the value's
//   drop propagates after the drop glue ran once; nothing is dropped again.
// - Pinning (rule 3): the value is at a fixed offset inside `self`.
// - Abandon on forget (rule 4): a forgotten `InlinePtr` is never dropped, and its memory
//   (wherever the forgotten pointer lives) is not touched by this crate again.
// - Auto traits (rule 5): see the `Send`/`Sync` impls below.
unsafe impl<D: ?Sized, const N: usize, A: Alignment> OwningPtr for InlinePtr<D, N, A> {
    type Target = D;

    #[inline(always)]
    fn as_ptr(&self) -> NonNull<D> {
        with_metadata_of(NonNull::from(&self.buf).cast(), self.meta)
    }

    #[inline(always)]
    fn as_mut_ptr(&mut self) -> NonNull<D> {
        // A raw borrow, not `&mut self.buf`: a unique reference to the (`Unpin`) buffer
        // would assert uniqueness over a pinned value that may point into itself (a
        // polled future), invalidating its inner borrows; `&mut self` itself asserts
        // nothing when `D: !Unpin`.
        let buf = UnsafeCell::raw_get(&raw mut self.buf);
        let data = NonNull::new(buf.cast::<u8>()).expect("a field of `self` is non-null");
        with_metadata_of(data, self.meta)
    }

    #[inline]
    unsafe fn release_moved(this: Self) {
        // The value was moved out (or dropped) by the caller; the storage is `this`.
        core::mem::forget(this);
    }
}

impl<D: ?Sized, const N: usize, A: Alignment> Drop for InlinePtr<D, N, A> {
    #[inline]
    fn drop(&mut self) {
        let ptr = self.as_mut_ptr();
        // SAFETY: invariant 1: the value is initialised and owned by `self`, which is
        // being dropped, so nothing uses the value afterwards.
        unsafe { core::ptr::drop_in_place(ptr.as_ptr()) };
    }
}

// SAFETY: `InlinePtr` owns a `D` (inline) and a pointer to immutable, static metadata;
// sending it sends the `D`.
unsafe impl<D: ?Sized + Send, const N: usize, A: Alignment> Send for InlinePtr<D, N, A> {}

// SAFETY: `&InlinePtr` reaches only `&D` (through `Deref` of `DynPtr`), so sharing it is
// sharing `&D`.
unsafe impl<D: ?Sized + Sync, const N: usize, A: Alignment> Sync for InlinePtr<D, N, A> {}

impl<D: ?Sized, const N: usize, A: Alignment> fmt::Debug for InlinePtr<D, N, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InlinePtr")
            .field("capacity", &Self::CAPACITY)
            .finish_non_exhaustive()
    }
}
