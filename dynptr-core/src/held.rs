//! The owning pointer every out-of-line strategy uses: a value in a place, and how to
//! give that place back. Written (and proved) once; a backend writes only its
//! [`GiveBack`].

use core::alloc::Layout;
use core::fmt;
use core::marker::PhantomData;
use core::mem::{ManuallyDrop, MaybeUninit};
use core::ptr::NonNull;

use crate::{drop_in_place_then, drop_in_place_then_release, layout_of, CoerceFrom, Committed, OwningPtr};

/// How a [`Held`] pointer gives its place back once its value is gone: free the block,
/// clear the flag, decrement the count. A backend's half of the owning mechanism.
///
/// # Safety
///
/// ## Implementor
///
/// `give_back` releases exactly the place of the value at `addr` (whose layout is
/// `layout`, given when [`needs_layout`](Self::needs_layout) said so), once. Until it runs, the place
/// stays reserved for that value: never reused, moved, overwritten or freed, also when
/// the `GiveBack` is forgotten with its pointer (the value is then abandoned). It may
/// run while a panic in the value's drop unwinds.
///
/// ## Caller
///
/// Call `give_back` once, after the value was dropped in place or moved out, with the
/// value's address and layout.
pub unsafe trait GiveBack {
    /// Whether `give_back` will need the layout of the value at `addr`. When false,
    /// [`Held`] does not read it (no loads from the vtable, nothing kept for the
    /// unwinding path) and passes `None`. Asked before the value is dropped.
    ///
    /// # Safety
    ///
    /// `addr` is the address of the (still initialised) value this `GiveBack` is for.
    unsafe fn needs_layout(&self, addr: NonNull<u8>) -> bool;

    /// Gives the place of the value at `addr` back.
    ///
    /// # Safety
    ///
    /// See the trait: once, after the value is gone, with its address and, if
    /// [`needs_layout`](Self::needs_layout) said so, its layout.
    unsafe fn give_back(self, addr: NonNull<u8>, layout: Option<Layout>);
}

/// A strategy's pointer to a value stored outside the pointer (a heap block, a cache
/// block, an arena, a stack slot), with the strategy's [`GiveBack`]: two words plus
/// whatever `G` holds (nothing for `Cached` and for `Boxed` in a zero-sized allocator).
///
/// Implements [`OwningPtr`] once for every such strategy: access, drop exactly once
/// then give back (also when the drop panics), the layout read without a reference to
/// the value, and the by-value move-out path. `Unpin` (the value does not move with the
/// pointer); `Send`/`Sync` when the pointee and `G` are.
pub struct Held<D: ?Sized, G: GiveBack> {
    // Invariant: `ptr` points to an initialised pointee owned by this `Held`, in a place
    // that `back` gives back (`GiveBack`'s contract), with the provenance of the live
    // storage; it never moves.
    ptr: NonNull<D>,
    back: ManuallyDrop<G>,
    _owns: PhantomData<D>,
}

impl<D: ?Sized, G: GiveBack> Held<D, G> {
    /// A pointer owning the value at `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` points to an initialised value that nothing else owns, in a place that
    /// `back` gives back; the value does not move, and its place stays reserved until
    /// `back` runs (or forever); `ptr` has the provenance of the live storage.
    #[inline(always)]
    pub unsafe fn new(ptr: NonNull<D>, back: G) -> Self {
        Held {
            ptr,
            back: ManuallyDrop::new(back),
            _owns: PhantomData,
        }
    }

    /// The commit of a strategy whose pointer is a `Held`: writes a `Held` owning
    /// `value` (as a `D`) with `back` into `out`, and returns the proof.
    ///
    /// # Safety
    ///
    /// As [`Held::new`] for `value` and `back`; `out` is valid for writes, and `value`
    /// does not lie inside it.
    #[inline(always)]
    pub unsafe fn commit<'o, T>(out: NonNull<MaybeUninit<Self>>, value: NonNull<T>, back: G) -> Committed<'o>
    where
        D: CoerceFrom<T>,
    {
        // SAFETY: forwarded from our caller.
        let held = unsafe { Held::new(D::coerce_non_null(value), back) };
        // SAFETY: `out` is valid for writes, and the value is elsewhere: a reference to
        // `out` invalidates nothing.
        unsafe { (*out.as_ptr()).write(held) };
        // SAFETY: `out` now holds a pointer owning the placed value.
        unsafe { Committed::new() }
    }
}

// SAFETY: the invariant gives rule 1 (the pointer, unchanged, with the storage's
// provenance) and rule 3 (the value lives outside `self`); `drop` drops the value once
// and then gives its place back once, also while unwinding (rule 2, through
// `drop_in_place_then`, whose layout read makes no reference to the value); a forgotten
// `Held` never runs `back`, and `GiveBack`'s contract keeps the place reserved (rule 4);
// the `Send`/`Sync` impls below require them of `D` and `G` (rule 5).
unsafe impl<D: ?Sized, G: GiveBack> OwningPtr for Held<D, G> {
    type Target = D;

    // The invariant: the value lives where `ptr` points, never inside the `Held`.
    const POINTEE_OUTSIDE: bool = true;

    #[inline(always)]
    fn as_ptr(&self) -> NonNull<D> {
        self.ptr
    }

    #[inline(always)]
    fn as_mut_ptr(&mut self) -> NonNull<D> {
        self.ptr
    }

    #[inline]
    unsafe fn release_moved(this: Self) {
        let mut this = ManuallyDrop::new(this);
        // SAFETY: `this` is never dropped or used again: `back` is taken once.
        let back = unsafe { ManuallyDrop::take(&mut this.back) };
        let addr = this.ptr.cast();
        // SAFETY: `addr` is the value's address; its memory is still there.
        let layout = if unsafe { back.needs_layout(addr) } {
            // SAFETY: the value's memory is still there (moved out, not freed).
            Some(unsafe { layout_of(this.ptr) })
        } else {
            None
        };
        // SAFETY: the caller moved the value out; its place is given back once.
        unsafe { back.give_back(addr, layout) }
    }
}

impl<D: ?Sized, G: GiveBack> Drop for Held<D, G> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: `drop` runs once, and nothing else takes `back` out.
        let back = unsafe { ManuallyDrop::take(&mut self.back) };
        let addr = self.ptr.cast();
        // SAFETY: the invariant: `addr` is the value's, initialised until the drop below.
        if unsafe { back.needs_layout(addr) } {
            // SAFETY: `drop_in_place_then_release` hands over the value's address and
            // layout after dropping it (or while unwinding), once.
            let release = move |addr, layout| unsafe { back.give_back(addr, Some(layout)) };
            // SAFETY: the invariant: initialised and owned by `self`, which is being
            // dropped, so nothing uses the value afterwards.
            unsafe { drop_in_place_then_release(self.ptr, release) }
        } else {
            // SAFETY: run by `drop_in_place_then` after the drop (or while unwinding),
            // once.
            let release = move || unsafe { back.give_back(addr, None) };
            // SAFETY: as above.
            unsafe { drop_in_place_then(self.ptr, release) }
        }
    }
}

// The value lives outside the pointer, which may move freely (like `Box<T>`);
// `DynPtr` stays `Unpin` only when its pointee is.
impl<D: ?Sized, G: GiveBack> Unpin for Held<D, G> {}

// SAFETY: `Held` owns a `D` and a `G`, and touches nothing else; sending it sends both.
unsafe impl<D: ?Sized + Send, G: GiveBack + Send> Send for Held<D, G> {}

// SAFETY: `&Held` reaches `&D` (through `DynPtr`) and `&G` only.
unsafe impl<D: ?Sized + Sync, G: GiveBack + Sync> Sync for Held<D, G> {}

impl<D: ?Sized, G: GiveBack> fmt::Debug for Held<D, G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Held")
            .field("ptr", &self.ptr.cast::<u8>())
            .field("strategy", &core::any::type_name::<G>())
            .finish()
    }
}
