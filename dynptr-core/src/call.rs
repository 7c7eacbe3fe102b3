//! The call future: how a dyn `async fn` call makes one indirect call when its future is
//! ready on the first poll, and builds that future where it is polled.
//!
//! A wrapper's `async fn` method returns a [`Call`]: it holds what the call needs (the
//! receiver and strategy borrows, the arguments) in a closure, and a slot for the
//! strategy's pointer. Nothing happens until the first poll, which runs the closure:
//! the closure makes the one indirect call, to the vtable shim, which knows the
//! future's type. The shim hands the strategy the slot ([`start`] or [`start_shared`]),
//! the strategy finds a place for the future (the slot itself for inline storage, a
//! heap block, a cache block, an arena, a stack slot) and the future is built there and
//! polled there, by its concrete type:
//!
//! - **Ready**: the future is dropped in place (no indirect call), its place given back,
//!   and the output returned: the whole call was one indirect call.
//! - **Pending**: the slot now holds the strategy's pointer to `dyn Future`, whose
//!   vtable is the `'static` table of thin functions (poll, drop) for that type; later
//!   polls and the drop go through it.
//!
//! Nothing moves after construction: the slot is inside the pinned `Call`.
//!
//! ```
//! use core::future::Future;
//! use core::task::Context;
//! use dynptr_core::call::{start, Call, CallSlot, Started};
//! use dynptr_core::Strategy;
//!
//! // The callee side: a shim that knows the future's type (what `#[dyn_trait]`
//! // generates for `async fn next(&mut self) -> u32`, behind a vtable).
//! fn next_shim<'a, 's, S: Strategy>(
//!     counter: &'s mut u32,
//!     strategy: &'s mut S,
//!     slot: CallSlot<'a, 's, dyn Future<Output = u32> + 's, S>,
//!     cx: &mut Context<'_>,
//! ) -> Started<'a, u32> {
//!     start(slot, strategy, cx, move || async move {
//!         *counter += 1;
//!         *counter
//!     })
//! }
//!
//! // The caller side (the wrapper's method): one future per call; nothing runs until
//! // it is polled.
//! async fn next<S: Strategy>(counter: &mut u32, strategy: &mut S) -> u32 {
//!     Call::new(move |slot, cx| next_shim(counter, strategy, slot, cx)).await
//! }
//! ```

use core::future::Future;
use core::marker::PhantomData;
use core::mem::{ManuallyDrop, MaybeUninit};
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll};

use crate::{CoerceFrom, Committed, DynPtr, Out, OwningPtr, Placed, Strategy};

/// The future a dyn `async fn` call returns: not started, then (if the callee's future
/// was pending on its first poll) running through the strategy's pointer, then done.
///
/// `F` is the start closure: it receives the slot and the context of the first poll
/// and makes the indirect call (see the [module docs](self)). `D` is the family of the
/// pointer the slot holds (`dyn Future<Output = T> + 's`, `+ Send`).
///
/// `Send` when the closure (the receiver and strategy borrows, the arguments) and the
/// pointer are. Polling after completion panics. Dropping it drops the running future
/// in place and gives its place back; forgetting it abandons the running future (the
/// strategy's [`OwningPtr`] rules), and once pinned its own memory (the slot) stays
/// valid by `Pin`'s guarantee.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Call<'s, D: ?Sized + 's, S: Strategy + 's, F> {
    // Invariant: the state (the first byte of both of `store`'s variants) is always
    // initialised; the start closure is initialised exactly when it is `Start`, the
    // slot's pointer exactly when it is `Filled`; nothing is in `store` when `Empty`.
    // One place for both: the start closure is moved out before the slot is written,
    // so a call future is as large as the larger of the two, plus the state.
    store: Store<'s, D, S, F>,
}

/// Where a [`Call`] is. (`Filled` is 1 and `Empty` 0: the state after the first poll
/// is "was it pending", one instruction.)
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
enum State {
    /// Not polled yet: the start closure is in the store.
    Start = 2,
    /// The slot holds the strategy's pointer to the callee's pending future.
    Filled = 1,
    /// Done (or started and not holding anything): the store is empty.
    Empty = 0,
}

/// A value behind the call's state: both variants of [`Store`] start with it, so the
/// state is at the same place whichever one holds the store, and [`start`] reaches it
/// through the slot it is given (it marks the call `Filled` as it commits).
#[repr(C)]
struct Tagged<T> {
    state: State,
    value: T,
}

/// The start closure, then the slot, each behind the state: a union, so that one
/// place serves both.
#[repr(C)]
union Store<'s, D: ?Sized + 's, S: Strategy + 's, F> {
    start: ManuallyDrop<Tagged<ManuallyDrop<F>>>,
    slot: ManuallyDrop<Tagged<MaybeUninit<DynPtr<'s, D, S>>>>,
}

// The slot holds the callee's future, pinned; `Call` is `Unpin` only if both could move
// freely (they cannot, for a `dyn Future`), as a structurally pinned field would be.
impl<'s, D: ?Sized + Unpin + 's, S: Strategy + 's, F: Unpin> Unpin for Call<'s, D, S, F> {}

impl<'s, D: ?Sized + 's, S: Strategy + 's, F> Call<'s, D, S, F> {
    /// A call that runs `start` on its first poll.
    #[inline(always)]
    pub fn new(start: F) -> Self
    where
        D: Future,
        F: for<'a, 'c, 'w> FnOnce(CallSlot<'a, 's, D, S>, &'c mut Context<'w>) -> Started<'a, D::Output>,
    {
        Call {
            store: Store {
                start: ManuallyDrop::new(Tagged {
                    state: State::Start,
                    value: ManuallyDrop::new(start),
                }),
            },
        }
    }
}

impl<'s, D, S, F> Future for Call<'s, D, S, F>
where
    D: ?Sized + Future + 's,
    S: Strategy + 's,
    F: for<'a, 'c, 'w> FnOnce(CallSlot<'a, 's, D, S>, &'c mut Context<'w>) -> Started<'a, D::Output>,
{
    type Output = D::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<D::Output> {
        // Nothing below moves `store`'s slot: the pointer in it stays where it was
        // written until it is dropped in place; the start closure is moved out, which
        // pinning allows (it is never pinned: `Call` is `Unpin` only when `F` is, and
        // the closure is not polled).
        // SAFETY: `this` is used only as just said.
        let this = unsafe { self.get_unchecked_mut() };
        match this.state() {
            State::Filled => {
                let slot = this.slot();
                // SAFETY: `Filled`: the slot is initialised.
                let ptr = unsafe { slot.assume_init_mut() };
                // SAFETY: the slot is pinned with `self` (it is never moved out of).
                let ready = unsafe { Pin::new_unchecked(ptr) }.poll(cx);
                if ready.is_ready() {
                    // Cleared first: if the drop panics, the pointer has still been
                    // dropped once (its own guarantee) and `Call`'s drop must not drop
                    // it again.
                    this.set_state(State::Empty);
                    // SAFETY: initialised, pinned, dropped here exactly once (`Empty`
                    // now); its memory is not reused while pinned.
                    unsafe { this.slot().assume_init_drop() };
                }
                ready
            }
            State::Start => {
                // SAFETY: `Start`: the closure is initialised; it is moved out once (the
                // state is `Empty` or `Filled` whenever this arm is left, by return or
                // by unwinding, so it is never read again).
                let start = unsafe { ManuallyDrop::take(Self::start_of(&mut this.store)) };
                if const { <S::Ptr<'s, D> as OwningPtr>::POINTEE_OUTSIDE } {
                    // Until the state is set below, a panic (in the callee, or in the
                    // closure after it) must leave the call `Empty`: the callee dropped
                    // whatever it placed while unwinding (`start`), and a pointer
                    // committed to the local is forgotten with it, which abandons its
                    // pointee (outside the call: `POINTEE_OUTSIDE`), as forgetting any
                    // `DynPtr` does.
                    let unwinding = SetEmptyOnDrop(this.state_mut());
                    // The pointer goes into a local, and into the store only if the
                    // callee's future is pending: no address inside `self` reaches the
                    // callee, so the compiler may keep the caller's state in registers
                    // across the call. A ready future leaves nothing to move.
                    let mut local = MaybeUninit::uninit();
                    let started = start(
                        CallSlot {
                            slot: NonNull::from(&mut local),
                            _brand: PhantomData,
                        },
                        cx,
                    );
                    // `Started` comes from `start` given this slot (the brand): pending
                    // means the local holds the pointer, ready that it holds nothing.
                    let poll = started.poll;
                    // Computed, not branched on: one store.
                    *unwinding.disarm() = if poll.is_pending() {
                        State::Filled
                    } else {
                        State::Empty
                    };
                    if poll.is_pending() {
                        // Moving the pointer leaves its pointee where it is, pinned:
                        // `POINTEE_OUTSIDE` promises that it lives outside the pointer.
                        // The store is free (the closure was moved out above).
                        *this.slot() = local;
                    }
                    return poll;
                }
                // The slot is in `self`: a future committed there lives in `self`'s
                // memory, so it must be dropped before that memory goes, even if the
                // closure panics after `start` committed it (or forgets the `Started`
                // and panics). `start` marks the state `Filled` as soon as it commits;
                // until the state is set below, the guard drops what a `Filled` slot
                // holds and leaves the call `Empty`. It keeps a raw pointer, so the
                // slot's borrow given to the callee stays valid meanwhile.
                let slot: *mut Tagged<MaybeUninit<DynPtr<'s, D, S>>> = this.tagged_slot();
                let unwinding = DropFilledOnUnwind { slot };
                // A raw projection: it keeps the provenance of the whole tagged slot, so
                // that `start` may reach the state before the value (no reference to the
                // value alone is made, which would narrow it).
                // SAFETY: `slot` is valid (just made from `this`); no reference is made.
                let value = unsafe { &raw mut (*slot).value };
                let started = start(
                    CallSlot {
                        // SAFETY: the store is free now (the closure was moved out); the
                        // slot (and the state before it, which only `start` writes
                        // meanwhile) stays valid and unmoved until `Call` drops what it
                        // holds (`CallSlot`'s guarantee to the callee).
                        // SAFETY: a projection of a valid pointer, not null.
                        slot: unsafe { NonNull::new_unchecked(value) },
                        _brand: PhantomData,
                    },
                    cx,
                );
                // `Started` comes from `start` given this slot (the brand): pending
                // means the slot holds the pointer, ready that it holds nothing.
                core::mem::forget(unwinding);
                this.set_state(if started.poll.is_pending() {
                    State::Filled
                } else {
                    State::Empty
                });
                started.poll
            }
            State::Empty => panic!("dynptr: a dyn call's future was polled after it completed"),
        }
    }
}

impl<'s, D: ?Sized + 's, S: Strategy + 's, F> Call<'s, D, S, F> {
    /// The state.
    #[inline(always)]
    fn state(&self) -> State {
        // SAFETY: the first field of both variants (`repr(C)`), of the same type, and
        // always initialised (the invariant); the other bytes are not read.
        unsafe { self.store.slot.state }
    }

    /// The state's place, in whichever variant holds the store.
    #[inline(always)]
    fn state_mut(&mut self) -> &mut State {
        // SAFETY: as in `state`; the closure's bytes are not touched.
        unsafe { &mut (*self.store.slot).state }
    }

    #[inline(always)]
    fn set_state(&mut self, state: State) {
        *self.state_mut() = state;
    }

    /// The slot's memory, initialised or not (`MaybeUninit` asserts nothing).
    #[inline(always)]
    fn slot(&mut self) -> &mut MaybeUninit<DynPtr<'s, D, S>> {
        // SAFETY: a `MaybeUninit` field of the union's variant: any bytes are valid for
        // it.
        unsafe { &mut (*self.store.slot).value }
    }

    /// The slot with the state before it, as a raw pointer (for the callee's borrow
    /// and the unwinding guard, which outlives it).
    #[inline(always)]
    fn tagged_slot(&mut self) -> *mut Tagged<MaybeUninit<DynPtr<'s, D, S>>> {
        // SAFETY: a union variant made of `MaybeUninit` fields: any bytes are valid.
        let tagged: &mut Tagged<_> = unsafe { &mut self.store.slot };
        tagged
    }

    /// The start closure's memory in `store`, initialised exactly in state `Start`.
    #[inline(always)]
    fn start_of<'x>(store: &'x mut Store<'s, D, S, F>) -> &'x mut ManuallyDrop<F> {
        // `ManuallyDrop<F>` may hold an uninitialised `F` only as long as nobody reads
        // it: the callers use it in state `Start` only.
        // SAFETY: the union field is not read here, only borrowed.
        unsafe { &mut (*store.start).value }
    }
}

/// Sets the state it borrows to `Empty` when dropped (while unwinding), unless
/// disarmed.
struct SetEmptyOnDrop<'a>(&'a mut State);

impl<'a> SetEmptyOnDrop<'a> {
    /// Gives the state back without touching it.
    #[inline(always)]
    fn disarm(self) -> &'a mut State {
        let this = ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped or used again: the borrow is moved out once.
        unsafe { core::ptr::read(&this.0) }
    }
}

impl Drop for SetEmptyOnDrop<'_> {
    fn drop(&mut self) {
        *self.0 = State::Empty;
    }
}

/// While a start closure runs with the slot inside the [`Call`]: if it unwinds, drops
/// what the slot holds if `start` committed a pointer there (the state is `Filled`),
/// and leaves the call `Empty`. Raw pointers: the closure holds the slot's borrow.
struct DropFilledOnUnwind<'s, D: ?Sized + 's, S: Strategy + 's> {
    slot: *mut Tagged<MaybeUninit<DynPtr<'s, D, S>>>,
}

impl<'s, D: ?Sized + 's, S: Strategy + 's> Drop for DropFilledOnUnwind<'s, D, S> {
    #[cold]
    fn drop(&mut self) {
        // It points into the `Call` being polled, which outlives this guard; the
        // closure that borrowed the slot has unwound, so nothing else uses it.
        // SAFETY: as just said.
        let tagged = unsafe { &mut *self.slot };
        let filled = tagged.state == State::Filled;
        // Set first: if the drop below panics, the pointer has still been dropped once
        // (its own guarantee) and `Call`'s drop must not drop it again.
        tagged.state = State::Empty;
        if filled {
            // SAFETY: `Filled`: `start` committed the pointer, so the slot is
            // initialised; dropped in place (it is pinned with the `Call`), exactly once.
            unsafe { tagged.value.assume_init_drop() };
        }
    }
}

impl<'s, D: ?Sized + 's, S: Strategy + 's, F> Drop for Call<'s, D, S, F> {
    fn drop(&mut self) {
        // (No state written back: nothing runs this drop again, even if it panics.)
        match self.state() {
            // SAFETY: `Filled`: the slot is initialised; dropped exactly once, here, in
            // place (a pinned `Call` is dropped where it is).
            State::Filled => unsafe { self.slot().assume_init_drop() },
            // SAFETY: `Start`: the closure is initialised; dropped exactly once, here.
            State::Start => unsafe { ManuallyDrop::drop(Self::start_of(&mut self.store)) },
            State::Empty => {}
        }
    }
}

/// Invariant in `'a`, and a unique borrow for `'a`.
type Brand<'a> = PhantomData<(fn(&'a ()) -> &'a (), &'a mut ())>;

/// The slot of a pinned [`Call`], handed to the callee on its first poll: where the
/// strategy writes its pointer to the callee's future. Only a `Call` makes one, so the
/// slot's memory is pinned: the value built there is never moved.
///
/// `'a` is invariant and higher-ranked in the start closure: only [`start`] (or
/// [`start_shared`]) given this very slot can make the [`Started`] the closure must
/// return.
pub struct CallSlot<'a, 's, D: ?Sized + 's, S: Strategy + 's> {
    /// The slot: valid for unique access during `'a`. When the strategy's pointer holds
    /// its pointee (not `OwningPtr::POINTEE_OUTSIDE`), it is the `value` of the `Call`'s
    /// [`Tagged`] slot and its provenance covers the state before it, which `start`
    /// marks `Filled` as soon as it commits; otherwise it is a local of `Call::poll`.
    slot: NonNull<MaybeUninit<DynPtr<'s, D, S>>>,
    _brand: Brand<'a>,
}

/// What a call's first poll gave: `Ready` with the output (nothing left in the slot),
/// or `Pending` with the strategy's pointer to the callee's future in the slot of
/// lifetime `'a`. Only [`start`] and [`start_shared`] make one, which is what lets
/// [`Call`] trust it.
#[must_use]
pub struct Started<'a, T> {
    poll: Poll<T>,
    _brand: PhantomData<fn(&'a ()) -> &'a ()>,
}

impl<T> Started<'_, T> {
    /// The first poll's result.
    #[inline(always)]
    pub fn into_poll(self) -> Poll<T> {
        self.poll
    }
}

impl<T: core::fmt::Debug> core::fmt::Debug for Started<'_, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("Started").field(&self.poll).finish()
    }
}

impl<D: ?Sized, S: Strategy> core::fmt::Debug for CallSlot<'_, '_, D, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CallSlot").finish_non_exhaustive()
    }
}

impl<D: ?Sized, S: Strategy, F> core::fmt::Debug for Call<'_, D, S, F> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let state = match self.state() {
            State::Start => "not started",
            State::Filled => "running",
            State::Empty => "done",
        };
        f.debug_struct("Call").field("state", &state).finish()
    }
}

/// The callee side of a call on a method taking `&mut self` or `self`: places the
/// future `make` returns with [`Strategy::place_then`] and polls it once there, by its
/// concrete type. Ready: drops it in place, [`discard`](Strategy::discard)s its place
/// (no pointer is ever written) and returns the output. Pending:
/// [`commit`](Strategy::commit)s, which writes the strategy's pointer into the slot for
/// the [`Call`]'s later polls. If that first poll panics, the future is dropped and its
/// place given back before the panic continues.
#[inline(always)]
pub fn start<'a, 's, T, D, S, M>(
    slot: CallSlot<'a, 's, D, S>,
    strategy: &'s mut S,
    cx: &mut Context<'_>,
    make: M,
) -> Started<'a, T::Output>
where
    T: Future + 's,
    D: ?Sized + Future<Output = T::Output> + CoerceFrom<T> + 's,
    S: Strategy + 's,
    M: FnOnce() -> T,
{
    let (out, state) = slot_parts(slot);
    strategy.place_then::<T, D, M, _>(
        out,
        make,
        #[inline(always)]
        |placed| first_poll(placed, cx, state),
    )
}

/// [`start`] for a method taking `&self`, through [`Strategy::place_shared_then`].
#[inline(always)]
pub fn start_shared<'a, 's, T, D, S, M>(
    slot: CallSlot<'a, 's, D, S>,
    strategy: &'s S,
    cx: &mut Context<'_>,
    make: M,
) -> Started<'a, T::Output>
where
    T: Future + 's,
    D: ?Sized + Future<Output = T::Output> + CoerceFrom<T> + 's,
    S: Strategy + 's,
    M: FnOnce() -> T,
{
    let (out, state) = slot_parts(slot);
    strategy.place_shared_then::<T, D, M, _>(
        out,
        make,
        #[inline(always)]
        |placed| first_poll(placed, cx, state),
    )
}

/// The slot as the strategy's output place, and the state to mark when committing:
/// only a slot inside the `Call` (the strategy's pointer holds its pointee) has one.
#[inline(always)]
fn slot_parts<'o, 'a: 'o, 's: 'o, D: ?Sized + 's, S: Strategy + 's>(
    slot: CallSlot<'a, 's, D, S>,
) -> (&'o mut MaybeUninit<S::Ptr<'s, D>>, Option<NonNull<State>>) {
    let state = if const { <S::Ptr<'s, D> as OwningPtr>::POINTEE_OUTSIDE } {
        None
    } else {
        Some(state_of(slot.slot))
    };
    // SAFETY: `CallSlot`'s invariant: valid for unique access during `'a`.
    (DynPtr::raw_slot(unsafe { &mut *slot.slot.as_ptr() }), state)
}

/// The state before a slot inside a [`Call`] (the `value` of its [`Tagged`] slot, with
/// the provenance of the whole: `CallSlot`'s invariant when the strategy's pointer holds
/// its pointee).
#[inline(always)]
fn state_of<P>(slot: NonNull<MaybeUninit<P>>) -> NonNull<State> {
    let offset = core::mem::offset_of!(Tagged<MaybeUninit<P>>, value);
    // SAFETY: `slot` is the `value` field of a `Tagged`, with the whole's provenance:
    // stepping back to its start stays in bounds; the state is its first field.
    unsafe { slot.byte_sub(offset).cast() }
}

/// A placed value not committed, guarding a first poll: if the poll panics, dropping
/// this drops the value in place by its type (no indirect call; nothing when it needs
/// no drop) and discards its place. The other paths [`disarm`](Self::disarm) it.
///
/// The work of the unwinding path is out of line and takes the placed value in parts,
/// by value: the guard's drop is then small enough to inline, and the guard stays in
/// registers on the paths that do not panic.
struct Finish<'o, 's, T: 's, D: ?Sized + 's, S: Strategy + 's>(ManuallyDrop<Placed<'o, 's, T, D, S>>);

/// A placed value whose value is being dropped: if that drop panics, dropping this
/// discards the place (the value's drop glue has run). Out of line like [`Finish`].
struct Discard<'o, 's, T: 's, D: ?Sized + 's, S: Strategy + 's>(ManuallyDrop<Placed<'o, 's, T, D, S>>);

/// Takes the placed value out of a guard that is never dropped.
#[inline(always)]
fn defuse<'o, 's, T: 's, D: ?Sized + 's, S: Strategy + 's>(
    guard: &mut ManuallyDrop<Placed<'o, 's, T, D, S>>,
) -> Placed<'o, 's, T, D, S> {
    // SAFETY: our callers take it out once, from a guard that is not used or dropped
    // again.
    unsafe { ManuallyDrop::take(guard) }
}

impl<'o, 's, T: 's, D: ?Sized + 's, S: Strategy + 's> Finish<'o, 's, T, D, S> {
    /// The placed value, the guard disarmed.
    #[inline(always)]
    fn disarm(self) -> Placed<'o, 's, T, D, S> {
        defuse(&mut ManuallyDrop::new(self).0)
    }
}

impl<'o, 's, T: 's, D: ?Sized + 's, S: Strategy + 's> Discard<'o, 's, T, D, S> {
    /// The placed value, the guard disarmed.
    #[inline(always)]
    fn disarm(self) -> Placed<'o, 's, T, D, S> {
        defuse(&mut ManuallyDrop::new(self).0)
    }
}

impl<'o, 's, T: 's, D: ?Sized + 's, S: Strategy + 's> Drop for Finish<'o, 's, T, D, S> {
    #[inline(always)]
    fn drop(&mut self) {
        let (value, out, token) = defuse(&mut self.0).into_parts();
        finish_unwinding::<T, D, S>(value, out, token);
    }
}

impl<'o, 's, T: 's, D: ?Sized + 's, S: Strategy + 's> Drop for Discard<'o, 's, T, D, S> {
    #[inline(always)]
    fn drop(&mut self) {
        let (value, out, token) = defuse(&mut self.0).into_parts();
        discard_unwinding::<T, D, S>(value, out, token);
    }
}

/// What [`Finish`] does while a first poll's panic unwinds. The parts are those of a
/// placed value, never committed, whose value is initialised.
#[cold]
#[inline(never)]
fn finish_unwinding<'s, T: 's, D: ?Sized + 's, S: Strategy + 's>(
    value: NonNull<T>,
    out: Out<'s, D, S>,
    token: S::Token<'s>,
) {
    // SAFETY: the parts of a `Placed` taken apart just before, put back together.
    drop_then_discard(unsafe { Placed::<'_, 's, T, D, S>::new(value, out, token) });
}

/// What [`Discard`] does while the drop of a placed value unwinds. The parts are those
/// of a placed value, never committed, whose value has been dropped.
#[cold]
#[inline(never)]
fn discard_unwinding<'s, T: 's, D: ?Sized + 's, S: Strategy + 's>(
    value: NonNull<T>,
    out: Out<'s, D, S>,
    token: S::Token<'s>,
) {
    // SAFETY: the parts of a `Placed` taken apart just before, put back together; its
    // value has been dropped, and it is only discarded below.
    let placed = unsafe { Placed::<'_, 's, T, D, S>::new(value, out, token) };
    // SAFETY: its value's drop glue has run (and panicked); it is not used again.
    unsafe { S::discard(placed) };
}

/// Drops a placed value that was never committed in place, by its type, then discards
/// its place, also if the value's drop panics (through [`Discard`]).
#[inline(always)]
fn drop_then_discard<'s, T: 's, D: ?Sized + 's, S: Strategy + 's>(placed: Placed<'_, 's, T, D, S>) {
    let value = placed.value();
    let unwinding = Discard(ManuallyDrop::new(placed));
    // SAFETY: the value is initialised, owned by the placed value and used by nobody
    // after this (`Placed`'s guarantee; nothing was committed); dropped once, here.
    unsafe { core::ptr::drop_in_place(value.as_ptr()) };
    let placed = unwinding.disarm();
    // SAFETY: the value has just been dropped in place, and is not used again.
    unsafe { S::discard(placed) };
}

/// Polls the value just placed, by its type. Ready: drops it and discards its place.
/// Pending: commits (the `Call` owns the pointer from then on). Panic: drops it and
/// discards its place while unwinding.
#[inline(always)]
fn first_poll<'a, 's, T, D, S>(
    placed: Placed<'_, 's, T, D, S>,
    cx: &mut Context<'_>,
    state: Option<NonNull<State>>,
) -> Started<'a, T::Output>
where
    T: Future + 's,
    D: ?Sized + CoerceFrom<T> + 's,
    S: Strategy + 's,
{
    let value = placed.value();
    let finish = Finish(ManuallyDrop::new(placed));
    // `value` is the placed value, owned by nobody else and reached through nothing
    // else during this poll; it is never moved (`Placed`: not before a commit or a
    // discard; `OwningPtr` rule 3 after).
    // SAFETY: a unique reference to the live value, as just argued.
    let future = unsafe { &mut *value.as_ptr() };
    // SAFETY: pinned, as just argued.
    let future = unsafe { Pin::new_unchecked(future) };
    let poll = future.poll(cx);
    if poll.is_ready() {
        drop_then_discard(finish.disarm());
    } else {
        let _: Committed<'_> = S::commit(finish.disarm());
        if let Some(state) = state {
            // The slot is inside the `Call`: from now on the `Call` must drop what it
            // holds, even if its closure panics before returning the `Started` (see
            // `DropFilledOnUnwind`).
            // SAFETY: `state_of`: the `Call`'s state, valid for writes while its closure
            // runs (now), reached by nothing else meanwhile.
            unsafe { state.as_ptr().write(State::Filled) };
        }
    }
    Started {
        poll,
        _brand: PhantomData,
    }
}
