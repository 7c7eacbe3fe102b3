//! The owning-pointer contract backends implement, and `DynPtr`, the pointer callers see.

use core::alloc::Layout;
use core::cell::UnsafeCell;
use core::fmt;
use core::future::Future;
use core::iter::FusedIterator;
use core::marker::PhantomData;
use core::mem::{ManuallyDrop, MaybeUninit};
use core::ops::{Deref, DerefMut};
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll};

use crate::{CoerceFrom, Rejected, Strategy, ThreadSafePointers};

/// The owning-pointer contract: what a strategy's pointer type promises about the
/// value it points to. Every soundness rule of dynptr that concerns storage is here.
///
/// Callers never use an `OwningPtr` directly; [`DynPtr`] wraps it and provides
/// `Deref`, `DerefMut`, pinning, `Future`, `Iterator` and the auto traits.
///
/// # Safety
///
/// ## Implementor
///
/// A value `p` of a type implementing `OwningPtr` *owns* one initialised
/// `Self::Target`, the *pointee*:
///
/// 1. **Access.** `as_ptr(&p)` and `as_mut_ptr(&mut p)` return a pointer to the
///    pointee, aligned, dereferenceable for `size_of_val` bytes, whose provenance comes
///    from the live storage (never from an integer). The pointer from `as_ptr` is valid
///    for reads while the borrow of `p` lasts; the one from `as_mut_ptr` for reads and
///    writes and for creating a unique `&mut`, while the borrow lasts. Both return the
///    same address every time as long as `p` does not move.
/// 2. **Drop exactly once.** Dropping `p` drops the pointee in place exactly once and
///    then releases its storage, with the exact layout it was obtained with. A panic in
///    the pointee's drop must not lead to a second drop, a use of freed memory, or a
///    storage that can no longer be used; the panic continues. Between the last use
///    of the pointee and its drop, nothing creates a reference to it (not even a shared
///    one to read its layout: [`layout_of`] reads it without one), since a pinned
///    pointee may hold borrows of its own state that its drop glue writes through.
/// 3. **Pinning is structural.** The pointee never moves while `p` does not move: it is
///    stored outside `p` (heap, arena, slot) or inside `p` at a fixed offset. Moving
///    `p` moves an inline pointee with it, which is why [`DynPtr`] is `Unpin` only when
///    the pointee is.
/// 4. **Abandon on forget.** If `p` is forgotten (`mem::forget`, a leaked `Rc` cycle,
///    a `ManuallyDrop` never dropped), its pointee is *abandoned*: nothing may drop it
///    later, move it, or reuse, overwrite or free its memory, ever. The pointee may
///    borrow data whose lifetime has ended by then (its drop would touch dead data) and
///    it may have been pinned (its memory must stay valid). A heap strategy leaks such
///    a block and takes a fresh one; an arena holding one is never reset or freed; a
///    storage that cannot be leaked (a stack slot leaving scope) aborts the process
///    rather than be invalidated.
/// 5. **Auto traits.** `p` is `Send`/`Sync` only if doing so is sound for the storage
///    state it touches; [`DynPtr`] adds the pointee's requirements on top (and relies on
///    [`ThreadSafePointers`] for generic strategies).
///
/// ## Caller
///
/// - Reference the pointee only through `as_ptr`/`as_mut_ptr`, within the borrow of `p`
///   they were obtained from, as a shared or unique reference respectively.
/// - Once the pointee is treated as pinned, never move `p` again before dropping it,
///   unless [`POINTEE_OUTSIDE`](Self::POINTEE_OUTSIDE) is true.
/// - [`release_moved`](Self::release_moved) only after the pointee has been moved out
///   (or dropped in place) and `p` is not pinned.
pub unsafe trait OwningPtr: Sized {
    /// The pointee: a `dyn Trait` (or any type, for a monomorphic use).
    type Target: ?Sized;

    /// Whether the pointee lives outside the pointer (a heap block, an arena, a stack
    /// slot), so that moving the pointer never moves the pointee, even once the
    /// pointee has been pinned. `false` (the default) for storage inside the pointer.
    ///
    /// When true, a [`Call`](crate::call::Call) lets the strategy write its pointer
    /// into a local of the first poll and moves it into the call future only if the
    /// callee's future is pending: the call future's memory then never escapes to the
    /// callee, and its state stays in registers. Part of the unsafe contract: true only
    /// if every pointer of this type keeps its pointee outside itself (rule 3 with no
    /// inline case).
    const POINTEE_OUTSIDE: bool = false;

    /// A pointer for shared access to the pointee.
    fn as_ptr(&self) -> NonNull<Self::Target>;

    /// A pointer for unique access to the pointee.
    fn as_mut_ptr(&mut self) -> NonNull<Self::Target>;

    /// Releases the storage as if the pointee had been dropped, without dropping it:
    /// for a by-value `self` method that moved the pointee out.
    ///
    /// # Safety
    ///
    /// The pointee has been moved out of (read with `ptr::read`) or dropped in place, and
    /// is not used again; `this` has not been pinned.
    unsafe fn release_moved(this: Self);
}

/// A strategy's owning pointer to a `D` (usually `dyn Trait + 's`): what a dyn call
/// returns to its caller.
///
/// `DynPtr<'s, dyn Future<Output = T> + 's, S>` is a `Future`,
/// `DynPtr<'s, dyn Iterator<Item = T> + 's, S>` an `Iterator` (with the `futures`
/// feature, `DynPtr<'s, dyn Stream<Item = T> + 's, S>` a `Stream`), and any `DynPtr` derefs
/// to its pointee. It owns the pointee: dropping it drops the pointee once and gives the
/// storage back to the strategy.
///
/// Pinning is structural: `DynPtr` is `Unpin` only when `D` is, and a pinned `DynPtr`
/// pins its pointee ([`as_pin_mut`](Self::as_pin_mut)). A `DynPtr` of a future is
/// therefore `!Unpin`; `.await` pins it for you, `core::pin::pin!` where you poll by
/// hand.
///
/// `Send` when `D: Send` and the strategy is [`ThreadSafePointers`]; `Sync` when `D: Sync` and
/// the strategy is [`ThreadSafePointers`].
///
/// # Examples
///
/// ```
/// use dynptr_core::{DynPtr, Strategy};
///
/// // Works with every strategy: the callee picks a concrete iterator, the caller
/// // only sees `dyn Iterator`.
/// fn squares<S: Strategy>(s: &mut S, n: u64) -> DynPtr<'_, dyn Iterator<Item = u64> + '_, S> {
///     DynPtr::new(s, (1..=n).map(|i| i * i))
/// }
/// ```
#[repr(transparent)]
pub struct DynPtr<'s, D: ?Sized + 's, S: Strategy + 's> {
    // Invariant: `raw` upholds the `OwningPtr` contract for the pointee it owns.
    raw: S::Ptr<'s, D>,
    _pointee: PhantomData<D>,
}

impl<'s, D: ?Sized + 's, S: Strategy + 's> DynPtr<'s, D, S> {
    /// Stores `value` with [`Strategy::adapt`] (exclusive entry point).
    #[inline]
    #[track_caller]
    pub fn new<T: 's>(strategy: &'s mut S, value: T) -> Self
    where
        D: CoerceFrom<T>,
    {
        Self::from_raw(strategy.adapt(value))
    }

    /// Stores `value` with [`Strategy::try_adapt`], giving it back if it was not stored.
    #[inline]
    pub fn try_new<T: 's>(strategy: &'s mut S, value: T) -> Result<Self, Rejected<T>>
    where
        D: CoerceFrom<T>,
    {
        strategy.try_adapt(value).map(Self::from_raw)
    }

    /// Stores `value` with [`Strategy::adapt_shared`] (shared entry point, for `&self`
    /// methods).
    #[inline]
    #[track_caller]
    pub fn new_shared<T: 's>(strategy: &'s S, value: T) -> Self
    where
        D: CoerceFrom<T>,
    {
        Self::from_raw(strategy.adapt_shared(value))
    }

    /// Stores `value` with [`Strategy::try_adapt_shared`].
    #[inline]
    pub fn try_new_shared<T: 's>(strategy: &'s S, value: T) -> Result<Self, Rejected<T>>
    where
        D: CoerceFrom<T>,
    {
        strategy.try_adapt_shared(value).map(Self::from_raw)
    }

    /// The slot of a `DynPtr` as the slot of the strategy's raw pointer (the same
    /// memory: `DynPtr` is `repr(transparent)`), for the in-place entry points.
    #[inline(always)]
    pub(crate) fn raw_slot(slot: &mut MaybeUninit<Self>) -> &mut MaybeUninit<S::Ptr<'s, D>> {
        // SAFETY: the same memory, of a `repr(transparent)` wrapper, for the same
        // borrow; `MaybeUninit` asserts nothing about its contents.
        unsafe { &mut *(slot as *mut MaybeUninit<Self>).cast() }
    }

    /// Wraps a strategy's raw pointer.
    #[inline(always)]
    pub fn from_raw(raw: S::Ptr<'s, D>) -> Self {
        DynPtr {
            raw,
            _pointee: PhantomData,
        }
    }

    /// The strategy's raw pointer (an associated function, so it never shadows a method
    /// of the pointee).
    #[inline(always)]
    pub fn into_raw(this: Self) -> S::Ptr<'s, D> {
        this.raw
    }

    /// The address of the pointee, for comparisons and diagnostics.
    #[inline(always)]
    pub fn as_ptr(this: &Self) -> *const D {
        this.raw.as_ptr().as_ptr()
    }

    /// A pinned reference to the pointee, from a pinned `DynPtr`.
    #[inline(always)]
    pub fn as_pin_mut(self: Pin<&mut Self>) -> Pin<&mut D> {
        // Pinning is structural (`OwningPtr` rule 3): `DynPtr` is `Unpin` only when `D`
        // is, `into_raw` needs it by value (a pinned one cannot give that), and the
        // pointee is dropped before its storage is released (rule 2) or abandoned (rule 4).
        // SAFETY: the projection keeps every pinning guarantee, as just argued.
        unsafe { self.map_unchecked_mut(|this| &mut **this) }
    }
}

impl<'s, D: ?Sized + 's, S: Strategy + 's> Deref for DynPtr<'s, D, S> {
    type Target = D;

    #[inline(always)]
    fn deref(&self) -> &D {
        let ptr = self.raw.as_ptr();
        // SAFETY: `OwningPtr` rule 1: valid for shared access while `self` is borrowed,
        // which the returned reference's lifetime is tied to.
        unsafe { ptr.as_ref() }
    }
}

impl<'s, D: ?Sized + 's, S: Strategy + 's> DerefMut for DynPtr<'s, D, S> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut D {
        let mut ptr = self.raw.as_mut_ptr();
        // SAFETY: `OwningPtr` rule 1: valid for unique access while `self` is mutably
        // borrowed, which the returned reference's lifetime is tied to.
        unsafe { ptr.as_mut() }
    }
}

// Structural pinning (see `as_pin_mut`): the pointer may move freely only if its
// pointee may.
impl<'s, D: ?Sized + Unpin + 's, S: Strategy + 's> Unpin for DynPtr<'s, D, S> {}

// SAFETY: `S: ThreadSafePointers` promises that `S::Ptr<'s, D>` may be sent when `D: Send`;
// the pointee itself is `Send`.
unsafe impl<'s, D: ?Sized + Send, S: ThreadSafePointers> Send for DynPtr<'s, D, S> {}

// SAFETY: `S: ThreadSafePointers` promises that `&S::Ptr<'s, D>` may be shared when `D: Sync`;
// through `&DynPtr` only `&D` is reachable, and `D: Sync`.
unsafe impl<'s, D: ?Sized + Sync, S: ThreadSafePointers> Sync for DynPtr<'s, D, S> {}

impl<'s, D: ?Sized + Future + 's, S: Strategy + 's> Future for DynPtr<'s, D, S> {
    type Output = D::Output;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<D::Output> {
        self.as_pin_mut().poll(cx)
    }
}

/// Feature `futures`: a `DynPtr` to `dyn Stream` is a `Stream`, pinned as a future is
/// (structurally, through [`as_pin_mut`](DynPtr::as_pin_mut)).
#[cfg(feature = "futures")]
impl<'s, D: ?Sized + futures_core::Stream + 's, S: Strategy + 's> futures_core::Stream for DynPtr<'s, D, S> {
    type Item = D::Item;

    #[inline(always)]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<D::Item>> {
        self.as_pin_mut().poll_next(cx)
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (**self).size_hint()
    }
}

#[cfg(feature = "futures")]
impl<'s, D: ?Sized + futures_core::stream::FusedStream + 's, S: Strategy + 's>
    futures_core::stream::FusedStream for DynPtr<'s, D, S>
{
    #[inline]
    fn is_terminated(&self) -> bool {
        (**self).is_terminated()
    }
}

impl<'s, D: ?Sized + Iterator + 's, S: Strategy + 's> Iterator for DynPtr<'s, D, S> {
    type Item = D::Item;

    #[inline(always)]
    fn next(&mut self) -> Option<D::Item> {
        (**self).next()
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (**self).size_hint()
    }

    #[inline]
    fn nth(&mut self, n: usize) -> Option<D::Item> {
        (**self).nth(n)
    }
}

impl<'s, D: ?Sized + DoubleEndedIterator + 's, S: Strategy + 's> DoubleEndedIterator for DynPtr<'s, D, S> {
    #[inline]
    fn next_back(&mut self) -> Option<D::Item> {
        (**self).next_back()
    }
}

impl<'s, D: ?Sized + ExactSizeIterator + 's, S: Strategy + 's> ExactSizeIterator for DynPtr<'s, D, S> {
    #[inline]
    fn len(&self) -> usize {
        (**self).len()
    }
}

impl<'s, D: ?Sized + FusedIterator + 's, S: Strategy + 's> FusedIterator for DynPtr<'s, D, S> {}

impl<'s, D: ?Sized + fmt::Debug + 's, S: Strategy + 's> fmt::Debug for DynPtr<'s, D, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

impl<'s, D: ?Sized + fmt::Display + 's, S: Strategy + 's> fmt::Display for DynPtr<'s, D, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

/// The layout of the value at `ptr`, read from its metadata (a vtable's size and
/// alignment, a slice's length) without claiming that the value is not being mutated.
///
/// `Layout::for_value(ptr.as_ref())` would create a shared reference to the whole value,
/// which is a read of every byte of it for the borrow models: a pinned future that holds
/// a `&mut` into its own state (a guard over a local buffer, a `Vec::drain` of a local)
/// would have that borrow invalidated (Stacked Borrows) or frozen (Tree Borrows), and its
/// drop glue would then write through it. std's `Box` uses the unstable
/// `Layout::for_value_raw`; on stable, this reads the layout through a shared reference
/// to `UnsafeCell<D>` (the same layout as `D`), which permits mutation through other
/// pointers and so performs no such read. Use it in every drop or release path.
///
/// # Safety
///
/// `ptr` points to a value of type `D` whose memory is still allocated and was
/// initialised (it may have been moved out of with `ptr::read`, not yet dropped).
///
/// # Examples
///
/// ```
/// use core::ptr::NonNull;
/// use dynptr_core::{layout_of, CoerceFrom};
///
/// let mut value = [0u64; 3];
/// let ptr: NonNull<dyn core::fmt::Debug> = <dyn core::fmt::Debug>::coerce_non_null(NonNull::from(&mut value));
/// // SAFETY: `ptr` points to `value`, alive and initialised.
/// let layout = unsafe { layout_of(ptr) };
/// assert_eq!((layout.size(), layout.align()), (24, 8));
/// ```
#[inline(always)]
pub unsafe fn layout_of<D: ?Sized>(ptr: NonNull<D>) -> Layout {
    // `UnsafeCell<D>` has the in-memory representation of `D`, so the metadata of `ptr`
    // describes it too, and the cast keeps that metadata.
    let cell = ptr.as_ptr() as *const UnsafeCell<D>;
    // The reference is used only to read the metadata; being to an `UnsafeCell`, it
    // asserts nothing about other pointers into the value while it lives.
    // SAFETY: the caller guarantees `ptr` points to allocated, initialised, aligned `D`.
    let cell = unsafe { &*cell };
    Layout::for_value(cell)
}

/// Drops the value at `ptr` in place, then calls `release` with its address and
/// layout, also when the value's drop panics (the panic then continues). The one
/// routine every backend's `Drop` uses, so that "drop exactly once, then release with
/// the layout of the value" is written once.
///
/// # Safety
///
/// `ptr` points to an initialised, owned value that nothing else will drop or use
/// after this call (except through `release`, which receives the memory back).
#[inline]
pub unsafe fn drop_in_place_then_release<D: ?Sized>(
    ptr: NonNull<D>,
    release: impl FnOnce(NonNull<u8>, Layout),
) {
    // SAFETY: the caller guarantees `ptr` points to an initialised value.
    let layout = unsafe { layout_of(ptr) };
    let addr = ptr.cast();
    // SAFETY: forwarded from our caller.
    unsafe { drop_in_place_then(ptr, move || release(addr, layout)) }
}

/// Drops the value at `ptr` in place, then calls `then`, also when the value's drop
/// panics (the panic then continues): [`drop_in_place_then_release`] for a release step that
/// needs neither the address nor the layout (a flag cleared, a slot handed back).
///
/// Cheaper on a hot path: `drop_in_place_then_release` reads the layout from the vtable before
/// the drop and keeps it, with the address, where the unwinding path can find it (on
/// the stack); here the guard holds only what `then` captures.
///
/// # Safety
///
/// `ptr` points to an initialised, owned value that nothing else will drop or use
/// after this call.
#[inline]
pub unsafe fn drop_in_place_then<D: ?Sized>(ptr: NonNull<D>, then: impl FnOnce()) {
    let _then = Then(ManuallyDrop::new(then));
    // SAFETY: the caller guarantees the value is initialised, owned and dropped by
    // nobody else; the guard runs `then` after the drop, or during unwinding if it
    // panics.
    unsafe { core::ptr::drop_in_place(ptr.as_ptr()) };
}

/// Runs its closure when dropped: after the guarded step returns, or while unwinding
/// from it.
struct Then<F: FnOnce()>(ManuallyDrop<F>);

impl<F: FnOnce()> Then<F> {
    /// Disarms the guard: the closure is dropped without running.
    #[inline(always)]
    fn disarm(self) {
        let mut this = ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped, so the closure is taken out exactly once.
        drop(unsafe { ManuallyDrop::take(&mut this.0) });
    }
}

impl<F: FnOnce()> Drop for Then<F> {
    #[inline(always)]
    fn drop(&mut self) {
        // SAFETY: `drop` runs once, and nothing else takes the closure out.
        let then = unsafe { ManuallyDrop::take(&mut self.0) };
        then();
    }
}

/// Builds the value `make` returns directly at `dst` (so a large value is not built on
/// the stack and copied); if `make` panics, runs `undo` (give the place back) before
/// the panic continues. What a strategy's [`Strategy::try_place`] uses once it has a
/// place.
///
/// # Safety
///
/// `dst` is valid for writes of a `T` and aligned for `T` (any non-null aligned pointer
/// for a zero-sized `T`).
#[inline(always)]
pub unsafe fn write_with<T>(dst: NonNull<T>, make: impl FnOnce() -> T, undo: impl FnOnce()) {
    let guard = Then(ManuallyDrop::new(undo));
    // SAFETY: the caller guarantees `dst` is valid and aligned for a write of `T`.
    unsafe { dst.as_ptr().write(make()) };
    guard.disarm();
}

/// Writes `value` to `dst` and returns the trait-object pointer to it.
///
/// # Safety
///
/// `dst` is valid for writes of a `T` and aligned for `T` (any non-null aligned pointer
/// for a zero-sized `T`).
#[inline(always)]
pub unsafe fn write_coerced<T, D: ?Sized + CoerceFrom<T>>(dst: NonNull<T>, value: T) -> NonNull<D> {
    // SAFETY: the caller guarantees `dst` is valid and aligned for a write of `T`.
    unsafe { dst.as_ptr().write(value) };
    D::coerce_non_null(dst)
}

/// A pointer with the address and provenance of `data` and the metadata (vtable, slice
/// length) of `meta`: how inline storage finds its value again after it moved, since
/// stable Rust cannot build a pointer to an unsized type from parts
/// (`ptr::from_raw_parts` and `pointer::with_metadata_of` are unstable).
///
/// `meta`'s own address and provenance are ignored, so it may be dangling: an inline
/// strategy keeps `D::coerce_non_null(NonNull::<T>::dangling())` (a pointer that
/// carries `T`'s vtable) and calls this with the current address of its buffer on every
/// access. No indirect call, no integer round trip: the data word is overwritten with a
/// *pointer* (rule 2 of the design: provenance comes from the live storage).
///
/// # Layout assumption, checked at compile time
///
/// This overwrites the first word of a copy of `meta`, so it relies on pointers to
/// unsized types being laid out as `(data pointer, metadata)`, which is what rustc does
/// for every such pointer (smallbox relies on the same). Stable Rust has exactly two
/// kinds of metadata, a vtable (`dyn Trait`) and a length (`[T]`, `str`, and structs
/// ending in either); a `const` assertion in this crate checks both layouts, so a
/// compiler that changed them would fail to build `dynptr-core` instead of producing
/// wrong pointers. Pointers to sized types are a single data word and are simply
/// replaced. A debug assertion re-checks the result.
///
/// # Examples
///
/// ```
/// use core::fmt::Debug;
/// use core::ptr::NonNull;
/// use dynptr_core::{with_metadata_of, CoerceFrom};
///
/// // The vtable of `u32` as `dyn Debug`, without any `u32` to point to.
/// let meta: NonNull<dyn Debug> = <dyn Debug>::coerce_non_null(NonNull::<u32>::dangling());
///
/// let mut value = 7u32;
/// let ptr = with_metadata_of(NonNull::from(&mut value).cast::<u8>(), meta);
/// // SAFETY: `ptr` has the address and provenance of `value` and `u32`'s vtable.
/// assert_eq!(format!("{:?}", unsafe { ptr.as_ref() }), "7");
/// ```
#[inline(always)]
pub fn with_metadata_of<D: ?Sized>(data: NonNull<u8>, meta: NonNull<D>) -> NonNull<D> {
    const {
        assert!(
            size_of::<NonNull<D>>() == size_of::<NonNull<u8>>()
                || size_of::<NonNull<D>>() == 2 * size_of::<NonNull<u8>>(),
            "dynptr: a pointer whose metadata is not one word"
        )
    };
    let mut out = meta;
    // `out` is a local `NonNull<D>`, at least one pointer wide and pointer-aligned; its
    // first word is the data pointer (`DATA_FIRST` below), so after the write it is the
    // non-null `data` with `meta`'s untouched metadata: a valid `NonNull<D>`.
    // SAFETY: an in-bounds, aligned write of a `NonNull<u8>` into a local.
    unsafe { (&raw mut out).cast::<NonNull<u8>>().write(data) };
    debug_assert!(
        out.cast::<u8>() == data,
        "dynptr: pointer layout is not data-first"
    );
    out
}

/// The layout assumption of [`with_metadata_of`], for both kinds of metadata stable Rust
/// has: the first word of a pointer to `dyn Trait` and of a pointer to `[T]` is the data
/// address. Evaluated at compile time: if the first word were the vtable, reading it as
/// an integer would fail const evaluation; if it were the length, the comparison would.
const DATA_FIRST: () = {
    #[repr(C)]
    struct Words(core::mem::MaybeUninit<usize>, core::mem::MaybeUninit<usize>);
    const ADDR: usize = 0x1000;
    const LEN: usize = 3;
    let data = ADDR as *const u8;

    let dyn_ptr: *const dyn fmt::Debug = data;
    // SAFETY: a pointer to `dyn Trait` is two words (asserted by `transmute` itself);
    // `MaybeUninit` may hold any bytes, including a pointer with provenance.
    let words: Words = unsafe { core::mem::transmute::<*const dyn fmt::Debug, Words>(dyn_ptr) };
    // SAFETY: if the first word is the data pointer, it is the integer `ADDR` (a pointer
    // without provenance), an initialised `usize`. If it were the vtable pointer, const
    // evaluation would refuse to read it as an integer: a compile error, as intended.
    let first = unsafe { words.0.assume_init() };
    assert!(first == ADDR, "dyn pointers are not data-first");

    let slice_ptr: *const [u8] = core::ptr::slice_from_raw_parts(data, LEN);
    // SAFETY: as above, for a pointer to a slice.
    let words: Words = unsafe { core::mem::transmute::<*const [u8], Words>(slice_ptr) };
    // SAFETY: both words of a slice pointer built from an integer address are integers
    // (an address without provenance, a length).
    let first = unsafe { words.0.assume_init() };
    // SAFETY: as above.
    let second = unsafe { words.1.assume_init() };
    assert!(
        first == ADDR && second == LEN,
        "slice pointers are not data-first"
    );
};
// Forces the evaluation of the check.
const _: () = DATA_FIRST;
