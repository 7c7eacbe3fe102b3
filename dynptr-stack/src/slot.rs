//! `Slot`: storage reserved once on the caller's stack, pinned, reused call after call.

use core::cell::{Cell, UnsafeCell};
use core::fmt;
use core::marker::{PhantomData, PhantomPinned};
use core::mem::MaybeUninit;
use core::pin::Pin;
use core::ptr::NonNull;

use dynptr_core::{
    write_with, Capacity, CoerceFrom, Committed, GiveBack, Held, Placed, RejectReason, Rejected, Strategy,
};

use crate::align::{Alignment, Buf, A16};

/// `K` places of `N` bytes aligned to `A` (default [`A16`], one place), reserved once
/// by the caller (on its stack, pinned with [`core::pin::pin!`]) and reused by every
/// call of the dyn value that holds a [`SlotRef`] to it: the seed's "when you create
/// the dyn Trait, you reserve some space on the stack to store any futures it might
/// return". The value is constructed in the slot and never moves; the returned pointer
/// ([`SlotPtr`]) is a small handle into the slot.
///
/// # Forgotten values abort the process
///
/// A returned value that is forgotten (`mem::forget`, a leaked `Rc` cycle) may have
/// been pinned, and may borrow data that is gone by then: it is *abandoned*, never
/// dropped and its bytes never reused (see the owning-pointer contract in
/// `dynptr-core`). Heap strategies leak such memory; a stack slot cannot, because its
/// memory goes away with the stack frame. So:
///
/// - a place holding an abandoned value stays taken for the slot's whole life;
/// - **the next call through the exclusive entry point (`&mut self` methods) when every
///   place holds an abandoned value aborts the process**, and so does
/// - **dropping a slot while any place holds an abandoned value** (a slot cannot be
///   dropped while a value is alive: the value borrows it).
///
/// The abort is a panic while panicking (no `std` needed): with `panic = "unwind"` the
/// message is printed and the process aborts; with `panic = "abort"` the first panic
/// already ends it; on bare metal it is whatever your `#[panic_handler]` does, which
/// never returns. With `K > 1` places, `K - 1` forgotten values are survived (each
/// takes one place for good) and the abort comes when the slot is dropped.
///
/// # Shared entry point
///
/// Methods taking `&self` may have several values alive at once (two futures joined):
/// each takes a free place, and when none is free [`try_adapt_shared`] returns
/// [`RejectReason::Busy`] (`adapt_shared` panics with that message). Give the slot as
/// many places as values you join (`Slot<64, A16, 2>`), or use [`Inline`](crate::Inline).
///
/// # Threads
///
/// A slot is `Send` but not `Sync`, and [`SlotRef`] and [`SlotPtr`] are neither: the
/// places' flags are plain `Cell`s. A slot is therefore not [`ThreadSafePointers`], and
/// `#[dyn_trait(Send)]` wrappers cannot use it; use [`Inline`](crate::Inline) for those.
///
/// [`try_adapt_shared`]: Strategy::try_adapt_shared
/// [`ThreadSafePointers`]: dynptr_core::ThreadSafePointers
///
/// # Examples
///
/// ```
/// use core::future::Future;
/// use core::pin::pin;
/// use dynptr_core::DynPtr;
/// use dynptr_stack::{Slot, SlotRef};
///
/// // Reserved once, on this stack frame (`pin!` in a `let`, so that it lives to the
/// // end of the block).
/// let slot = pin!(Slot::<64>::new());
/// let mut strategy = SlotRef::new(slot);
/// let mut total = 0;
/// for i in 1..=3u32 {
///     // Each call's future is built in the slot, polled there, dropped there.
///     let fut: DynPtr<'_, dyn Future<Output = u32>, _> =
///         DynPtr::new(&mut strategy, async move { i * 10 });
///     total += poll_ready(fut);
/// }
/// assert_eq!(total, 60);
/// # fn poll_ready<F: Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     match f.as_mut().poll(&mut core::task::Context::from_waker(core::task::Waker::noop())) {
/// #         core::task::Poll::Ready(v) => v,
/// #         core::task::Poll::Pending => unreachable!(),
/// #     }
/// # }
/// ```
///
/// Too large for the slot is a compile-time error, as for `Inline`:
///
/// ```compile_fail,E0080
/// use core::pin::pin;
/// use dynptr_core::DynPtr;
/// use dynptr_stack::{Slot, SlotRef};
///
/// let slot = pin!(Slot::<8>::new());
/// let mut strategy = SlotRef::new(slot);
/// let p: DynPtr<'_, dyn core::fmt::Debug, _> = DynPtr::new(&mut strategy, [0u64; 2]);
/// ```
pub struct Slot<const N: usize, A: Alignment = A16, const K: usize = 1> {
    places: [Place<N, A>; K],
    // A slot must not be moved or forgotten once a value was built in it (`SlotRef::new`
    // takes it pinned); `!Unpin` also keeps `&mut Slot` from asserting uniqueness over
    // abandoned values that others may still point into (a waker list node).
    _pinned: PhantomPinned,
}

/// One place of a slot: the flag is the byte right before the buffer, so that a
/// pointer finds it from the value's address ([`SlotBack`] is zero-sized).
///
/// # Invariants
///
/// 1. `taken` is `false`, or the place holds an initialised value at offset 0 of
///    `buf`, owned by exactly one [`SlotPtr`], live or forgotten.
/// 2. Only the `SlotPtr` owning the value touches the value's bytes; a place is written
///    only while not `taken`.
/// 3. `taken` lies at `buf - 1` (checked at compile time in `new`).
#[repr(C)]
struct Place<const N: usize, A: Alignment> {
    _pad: MaybeUninit<A::Pad>,
    taken: Cell<bool>,
    buf: UnsafeCell<MaybeUninit<Buf<N, A>>>,
}

impl<const N: usize, A: Alignment> Place<N, A> {
    const fn new() -> Self {
        const {
            assert!(
                core::mem::offset_of!(Self, taken) + 1 == core::mem::offset_of!(Self, buf),
                "dynptr-stack: a place's flag is not right before its buffer"
            )
        };
        Place {
            _pad: MaybeUninit::uninit(),
            taken: Cell::new(false),
            buf: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }

    const CAPACITY: Capacity = Capacity::new(N, A::ALIGN);

    /// Builds the value `make` returns in this place, which must be empty; `reserve`
    /// marks it taken first (the shared entry point, whose `make` may use the slot
    /// itself). If `make` panics the place is empty again.
    #[inline(always)]
    fn place<'s, 'o, T: 's, D: ?Sized + 's, S>(
        &'s self,
        out: &'o mut MaybeUninit<SlotPtr<'s, D>>,
        make: impl FnOnce() -> T,
        reserve: bool,
    ) -> Placed<'o, 's, T, D, S>
    where
        S: Strategy<Ptr<'s, D> = SlotPtr<'s, D>, Token<'s> = SlotToken<'s>> + 's,
    {
        // Folded away: every caller checked (or asserted at compile time) that it fits.
        assert!(Self::CAPACITY.fits::<T>(), "dynptr-stack: value does not fit");
        debug_assert!(!self.taken.get());
        // From the whole place, not from `&self.buf`: the pointer reaches the flag too
        // (`SlotBack` finds it from the value's address).
        let place = NonNull::from(self).as_ptr();
        // SAFETY: a raw projection to a field of a live place; no reference is made.
        let buf = unsafe { &raw const (*place).buf };
        let dst = NonNull::new(UnsafeCell::raw_get(buf))
            .expect("a field of a place is non-null")
            .cast::<T>();
        if reserve {
            self.taken.set(true);
        }
        // SAFETY: `dst` is the start of `buf`: `N >= size_of::<T>()` bytes aligned to
        // `A::ALIGN >= align_of::<T>()` (asserted above); the place was empty, so nobody
        // else uses these bytes (invariant 2). A panic in `make` empties it again.
        unsafe { write_with(dst, make, || self.taken.set(false)) };
        let token = SlotToken {
            taken: &self.taken,
            reserved: reserve,
        };
        // SAFETY: `dst` is the value just built in the place, which nothing else uses
        // until it is committed or discarded (taken, or exclusively borrowed); it never
        // moves, and has the provenance of the whole place.
        unsafe { Placed::new(dst, NonNull::from(out), token) }
    }
}

impl<const N: usize, A: Alignment, const K: usize> Slot<N, A, K> {
    /// An empty slot. Pin it (`core::pin::pin!(Slot::new())`) and hand it to
    /// [`SlotRef::new`].
    ///
    /// A slot with no place (`K = 0`) could store nothing: it is a compile-time error.
    ///
    /// ```compile_fail,E0080
    /// use dynptr_stack::{align::A16, Slot};
    ///
    /// let slot = Slot::<64, A16, 0>::new();
    /// ```
    pub const fn new() -> Self {
        const { assert!(K > 0, "dynptr-stack: a `Slot` needs at least one place (K = 0)") };
        Slot {
            places: [const { Place::new() }; K],
            _pinned: PhantomPinned,
        }
    }

    /// The first empty place.
    #[inline(always)]
    fn free_place(&self) -> Option<&Place<N, A>> {
        self.places.iter().find(|place| !place.taken.get())
    }
}

impl<const N: usize, A: Alignment, const K: usize> Default for Slot<N, A, K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize, A: Alignment, const K: usize> Drop for Slot<N, A, K> {
    fn drop(&mut self) {
        // No `SlotPtr` is alive (each borrows the slot), so a taken place holds an
        // abandoned value, whose memory is about to be invalidated: abort instead.
        if self.places.iter().any(|place| place.taken.get()) {
            crate::abort(
                "dynptr-stack: a Slot is dropped while it holds an abandoned (forgotten) value, \
                 whose memory must stay valid forever; aborting the process",
            );
        }
    }
}

impl<const N: usize, A: Alignment, const K: usize> fmt::Debug for Slot<N, A, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let taken = self.places.iter().filter(|place| place.taken.get()).count();
        f.debug_struct("Slot")
            .field("capacity", &Place::<N, A>::CAPACITY)
            .field("places", &K)
            .field("taken", &taken)
            .finish()
    }
}

/// The strategy of a [`Slot`]: a handle to a pinned slot, held by the dyn value.
///
/// Not `Default` (it needs a slot), not `Clone` (one handle per slot at a time), not
/// `Send`/`Sync` and not [`ThreadSafePointers`](dynptr_core::ThreadSafePointers) (see [`Slot`]).
///
/// # Examples
///
/// ```
/// use core::pin::pin;
/// use dynptr_core::{DynPtr, RejectReason};
/// use dynptr_stack::{Slot, SlotRef};
///
/// let slot = pin!(Slot::<32>::new());
/// let strategy = SlotRef::new(slot);
/// // Two values alive together from the shared entry point: one place, so the second
/// // is refused (and given back).
/// let first: DynPtr<'_, dyn Iterator<Item = u8>, _> = DynPtr::new_shared(&strategy, 0..3);
/// let second = DynPtr::<dyn Iterator<Item = u8>, _>::try_new_shared(&strategy, 5..6);
/// let Err(rejected) = second else { panic!("one place, two values") };
/// assert_eq!(rejected.reason(), RejectReason::Busy);
/// assert_eq!(rejected.into_value(), 5..6);
/// assert_eq!(first.sum::<u8>(), 3);
/// ```
pub struct SlotRef<'a, const N: usize, A: Alignment = A16, const K: usize = 1> {
    // Pinned: it came as `Pin<&'a mut Slot>`, so its memory stays valid until its
    // `Drop` runs.
    slot: &'a Slot<N, A, K>,
}

impl<'a, const N: usize, A: Alignment, const K: usize> SlotRef<'a, N, A, K> {
    /// The strategy storing values in `slot`.
    ///
    /// ```
    /// use core::pin::pin;
    /// use dynptr_stack::{align::A32, Slot, SlotRef};
    ///
    /// // 2 places of 128 bytes aligned to 32.
    /// let slot = pin!(Slot::<128, A32, 2>::new());
    /// let strategy = SlotRef::new(slot);
    /// # let _ = strategy;
    /// ```
    pub fn new(slot: Pin<&'a mut Slot<N, A, K>>) -> Self {
        SlotRef {
            slot: slot.into_ref().get_ref(),
        }
    }
}

impl<const N: usize, A: Alignment, const K: usize> fmt::Debug for SlotRef<'_, N, A, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SlotRef").field(self.slot).finish()
    }
}

impl<'a, const N: usize, A: Alignment, const K: usize> SlotRef<'a, N, A, K> {
    /// A free place for the exclusive entry point. Every value from an earlier call
    /// has released its borrow of `self`, so a taken place holds an abandoned value; if
    /// all are taken, abort.
    #[inline(always)]
    fn exclusive_place(&self) -> &'a Place<N, A> {
        match self.slot.free_place() {
            Some(place) => place,
            None => crate::abort(
                "dynptr-stack: every place of this Slot holds an abandoned (forgotten) value, \
                 which can never be dropped nor its memory reused; aborting the process",
            ),
        }
    }
}

impl<'a, const N: usize, A: Alignment, const K: usize> Strategy for SlotRef<'a, N, A, K> {
    type Ptr<'s, D: ?Sized + 's>
        = SlotPtr<'s, D>
    where
        Self: 's;

    const CAPACITY: Capacity = Place::<N, A>::CAPACITY;

    /// The place's flag, set when the pointer is written.
    type Token<'s>
        = SlotToken<'s>
    where
        Self: 's;

    /// Builds the value in a free place; gives the maker back if the value does not
    /// fit. **Aborts** if every place holds an abandoned value (see [`Slot`]).
    #[inline]
    fn try_place<'s, 'o, T, D, M>(
        &'s mut self,
        out: &'o mut MaybeUninit<SlotPtr<'s, D>>,
        make: M,
    ) -> Result<Placed<'o, 's, T, D, Self>, Rejected<M>>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        if !Self::CAPACITY.fits::<T>() {
            return Err(Rejected::too_large_for::<T>(make, Self::CAPACITY));
        }
        // Exclusive: nothing else can take the place before the commit marks it.
        Ok(self.exclusive_place().place(out, make, false))
    }

    /// Builds the value in a free place, or returns [`RejectReason::Busy`] if every
    /// place holds a live (or abandoned) value.
    #[inline]
    fn try_place_shared<'s, 'o, T, D, M>(
        &'s self,
        out: &'o mut MaybeUninit<SlotPtr<'s, D>>,
        make: M,
    ) -> Result<Placed<'o, 's, T, D, Self>, Rejected<M>>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        if !Self::CAPACITY.fits::<T>() {
            return Err(Rejected::too_large_for::<T>(make, Self::CAPACITY));
        }
        match self.slot.free_place() {
            Some(place) => Ok(place.place(out, make, true)),
            None => Err(Rejected::new(make, RejectReason::Busy)),
        }
    }

    /// Marks the place taken and writes the pointer.
    #[inline]
    fn commit<'s, 'o, T, D>(placed: Placed<'o, 's, T, D, Self>) -> Committed<'o>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
    {
        let (value, out, SlotToken { taken, .. }) = placed.into_parts();
        taken.set(true);
        // SAFETY: the value was built at offset 0 of the place whose flag is `taken`, now
        // set, with a pointer that reaches the flag (`Place::place`); nobody else owns
        // it, it stays in the slot (outside `out`).
        unsafe { Held::commit(out, value, SlotBack(PhantomData)) }
    }

    /// Marks the place free.
    #[inline]
    unsafe fn discard<'s, 'o, T, D>(placed: Placed<'o, 's, T, D, Self>)
    where
        T: 's,
        D: ?Sized + 's,
    {
        let (_, _, SlotToken { taken, reserved }) = placed.into_parts();
        // The exclusive entry point never set it (`reserved` is known where the token
        // is made, so this folds away).
        if reserved {
            taken.set(false);
        }
    }
}

/// The pointer a [`SlotRef`] returns: the value's address (with its metadata); the
/// value itself stays in the slot (core's [`Held`] with [`SlotBack`]). Two words, like
/// `Box<dyn Trait>`: the place's flag is the byte right before the value.
pub type SlotPtr<'s, D> = Held<D, SlotBack<'s>>;

/// How a [`SlotPtr`] gives its place back: it clears the place's flag, the byte right
/// before the value. Zero-sized; borrows the slot for `'s`.
pub struct SlotBack<'s>(PhantomData<&'s Cell<bool>>);

/// What a value a [`SlotRef`] placed but has not committed keeps: its place's flag, and
/// whether placing it set the flag already (the shared entry point). Opaque.
#[derive(Debug)]
pub struct SlotToken<'s> {
    taken: &'s Cell<bool>,
    reserved: bool,
}

// SAFETY: a `SlotPtr` is made only by `SlotRef::commit`, for a value at offset 0 of a
// place, with its flag set (`Place` invariant 1), through a pointer derived from the
// whole place; the flag is the byte before the value (`Place` invariant 3), alive for
// `'s`. `give_back` clears it once: the place is free again; no place is written while its flag is set
// (`Place` invariant 2). A forgotten pointer leaves its place taken forever (never
// written again); the slot aborts the process rather than let that memory go (`Slot`'s
// `Drop`), and cannot be moved or forgotten itself, being pinned and `!Unpin`. No
// layout needed. `&Cell` makes the pointer neither `Send` nor `Sync`.
unsafe impl GiveBack for SlotBack<'_> {
    #[inline(always)]
    unsafe fn needs_layout(&self, _: NonNull<u8>) -> bool {
        false
    }

    #[inline(always)]
    unsafe fn give_back(self, addr: NonNull<u8>, _: Option<core::alloc::Layout>) {
        // SAFETY: the flag is the byte before the value, in the same place, which the
        // value's pointer reaches (see above).
        let flag = unsafe { addr.sub(1) }.cast::<Cell<bool>>();
        // SAFETY: a live `Cell<bool>` of the slot, borrowed for `'s`; shared access only.
        unsafe { flag.as_ref() }.set(false);
    }
}

impl fmt::Debug for SlotBack<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SlotBack")
    }
}
