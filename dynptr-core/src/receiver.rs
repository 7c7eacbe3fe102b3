//! How a dyn wrapper (`DynFoo`) holds its receiver: borrowed, or owned through a
//! storage that supplies a release function, behind one type so that the wrapper's type
//! does not depend on how its receiver is stored.

use core::fmt;
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::pin::Pin;
use core::ptr::NonNull;

use crate::{CoerceFrom, DynPtr, Strategy};

/// Shared access to a dyn wrapper's receiver, whatever holds it: a [`Holder`], a
/// [`SharedHolder`], or a [`DynPtr`] (a value another trait's method returned through a
/// strategy: `fn make(&self) -> impl Bar` gives a `DynBar` over a `DynPtr`).
pub trait HoldsRef<D: ?Sized> {
    /// Shared access.
    fn receiver(&self) -> &D;
    /// Whether the receiver is owned rather than borrowed.
    fn is_owned(&self) -> bool;
}

/// Exclusive access to a dyn wrapper's receiver.
pub trait HoldsMut<D: ?Sized>: HoldsRef<D> {
    /// Exclusive access.
    fn receiver_mut(&mut self) -> &mut D;
}

impl<D: ?Sized> HoldsRef<D> for Holder<'_, D> {
    #[inline(always)]
    fn receiver(&self) -> &D {
        self.get()
    }
    #[inline(always)]
    fn is_owned(&self) -> bool {
        Holder::is_owned(self)
    }
}

impl<D: ?Sized> HoldsMut<D> for Holder<'_, D> {
    #[inline(always)]
    fn receiver_mut(&mut self) -> &mut D {
        self.get_mut()
    }
}

impl<D: ?Sized> HoldsRef<D> for SharedHolder<'_, D> {
    #[inline(always)]
    fn receiver(&self) -> &D {
        self.get()
    }
    #[inline(always)]
    fn is_owned(&self) -> bool {
        SharedHolder::is_owned(self)
    }
}

impl<'s, D: ?Sized + 's, S: Strategy + 's> HoldsRef<D> for DynPtr<'s, D, S> {
    #[inline(always)]
    fn receiver(&self) -> &D {
        self
    }
    #[inline(always)]
    fn is_owned(&self) -> bool {
        true
    }
}

impl<'s, D: ?Sized + 's, S: Strategy + 's> HoldsMut<D> for DynPtr<'s, D, S> {
    #[inline(always)]
    fn receiver_mut(&mut self) -> &mut D {
        self
    }
}

/// What an owning [`Holder`] does with its storage when it is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Release {
    /// Drop the receiver in place, then release the storage.
    Drop,
    /// The receiver was moved out (a by-value `self` method): release the storage only.
    Moved,
}

/// Releases an owned receiver's storage.
///
/// # Safety
///
/// Called at most once per owned receiver, with the pointer the receiver was created
/// with; with [`Release::Moved`] only after the value was moved out.
pub type ReleaseFn<D> = unsafe fn(NonNull<D>, Release);

/// The receiver of a dyn wrapper: `&'a mut D`, or an owned `D` in some storage. For
/// traits whose methods all take `&self`, wrappers hold a [`SharedHolder`] instead,
/// which can also borrow `&'a D`.
///
/// # Invariants
///
/// 1. `ptr` points to a valid `D` for `'a` (borrowed) or until released (owned).
/// 2. Unless it was made by `from_ref` (only inside [`SharedHolder`], which never asks
///    for `&mut D`), nothing else accesses the pointee while this receiver exists (it
///    came from `&'a mut D` or from owned storage).
/// 3. If `release` is `Some`, this receiver owns the pointee and calls `release` exactly
///    once, when dropped or when the pointee is moved out.
pub struct Holder<'a, D: ?Sized> {
    ptr: NonNull<D>,
    release: Option<ReleaseFn<D>>,
    _marker: PhantomData<(&'a mut D, D)>,
}

// A pointer: the holder never pins its pointee (it hands out `&mut D`, and by-value
// methods move the value out), so it may move freely whatever `D` is, like `&mut D` and
// `Box<D>`. This lets a wrapper be `Unpin`, so `Pin<&mut DynFoo>` receivers work.
impl<D: ?Sized> Unpin for Holder<'_, D> {}

impl<'a, D: ?Sized> Holder<'a, D> {
    /// Borrows the receiver exclusively (all methods allowed but by-value `self`).
    #[inline(always)]
    pub fn from_mut(value: &'a mut D) -> Self {
        Holder {
            ptr: NonNull::from(value),
            release: None,
            _marker: PhantomData,
        }
    }

    /// Borrows the receiver shared: only for [`SharedHolder`], which never gives out
    /// `&mut D`.
    #[inline(always)]
    fn from_ref(value: &'a D) -> Self {
        Holder {
            ptr: NonNull::from(value),
            release: None,
            _marker: PhantomData,
        }
    }

    /// Stores `value` in `slot` (on the caller's stack, say) and owns it there: dropping
    /// the receiver drops the value; no allocator involved.
    ///
    /// If the receiver is forgotten, the value is leaked in place (never dropped); the
    /// slot may then be reused, which overwrites the leaked value without dropping it.
    /// That is sound because a receiver is never pinned: the futures a wrapper returns
    /// borrow the wrapper, they do not pin its receiver.
    #[inline]
    pub fn in_slot<T: 'a>(slot: &'a mut ReceiverSlot<T>, value: T) -> Self
    where
        D: CoerceFrom<T>,
    {
        let ptr = D::coerce_non_null(NonNull::from(slot.0.write(value)));
        Holder {
            ptr,
            release: Some(release_in_slot::<T, D>),
            _marker: PhantomData,
        }
    }

    /// Takes ownership of a receiver stored elsewhere (a heap block, ...).
    ///
    /// # Safety
    ///
    /// `ptr` points to a valid `D` that nothing else accesses until `release(ptr, _)`
    /// is called; calling `release(ptr, Release::Drop)` drops it and frees its storage,
    /// `release(ptr, Release::Moved)` frees the storage of a value moved out. Both are
    /// sound to call once from any thread the receiver can be sent to.
    #[inline]
    pub unsafe fn from_raw_owned(ptr: NonNull<D>, release: ReleaseFn<D>) -> Self {
        Holder {
            ptr,
            release: Some(release),
            _marker: PhantomData,
        }
    }

    /// Whether this receiver owns its value (rather than borrowing it).
    #[inline]
    pub fn is_owned(&self) -> bool {
        self.release.is_some()
    }

    /// Shared access.
    #[inline(always)]
    pub fn get(&self) -> &D {
        // SAFETY: invariant 1: valid for as long as `self` exists; only shared access is
        // given out here, tied to the borrow of `self`.
        unsafe { self.ptr.as_ref() }
    }

    /// Exclusive access.
    #[inline(always)]
    pub fn get_mut(&mut self) -> &mut D {
        // Every public constructor of `Holder` makes a mutable one; `from_ref` is only
        // used inside `SharedHolder`, which never calls this.
        // SAFETY: invariants 1 and 2: valid and unaliased, for the unique borrow of `self`.
        unsafe { self.ptr.as_mut() }
    }

    /// Gives the owned value to `take`, which must move it out (`ptr::read`), then
    /// releases the storage without dropping the value. `None` (and `take` is not
    /// called) for a borrowed receiver.
    ///
    /// # Safety
    ///
    /// `take` moves the value out of the pointer exactly once (or drops it in place) and
    /// does not keep the pointer.
    #[inline]
    pub unsafe fn take_owned<R>(self, take: impl FnOnce(NonNull<D>) -> R) -> Option<R> {
        let this = core::mem::ManuallyDrop::new(self);
        let release = this.release?;
        // If `take` panics after moving the value out, the storage must still be released
        // and the value not dropped again.
        struct Guard<D: ?Sized> {
            ptr: NonNull<D>,
            release: ReleaseFn<D>,
        }
        impl<D: ?Sized> Drop for Guard<D> {
            fn drop(&mut self) {
                // SAFETY: invariant 3: called once; the caller of `take_owned`
                // guarantees `take` moved the value out.
                unsafe { (self.release)(self.ptr, Release::Moved) }
            }
        }
        let _guard = Guard {
            ptr: this.ptr,
            release,
        };
        Some(take(this.ptr))
    }
}

impl<D: ?Sized> Drop for Holder<'_, D> {
    #[inline]
    fn drop(&mut self) {
        if let Some(release) = self.release {
            // SAFETY: invariant 3: we own the value and release it exactly once, here.
            unsafe { release(self.ptr, Release::Drop) }
        }
    }
}

// SAFETY: a `Holder` is a `&mut D` or an owned `D` (the `from_ref` form only exists
// inside `SharedHolder`, which has its own impls): sending it sends exclusive access
// to the value.
unsafe impl<D: ?Sized + Send> Send for Holder<'_, D> {}

// SAFETY: `&Holder` only gives `&D`.
unsafe impl<D: ?Sized + Sync> Sync for Holder<'_, D> {}

impl<D: ?Sized> fmt::Debug for Holder<'_, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Holder")
            .field("owned", &self.is_owned())
            .finish_non_exhaustive()
    }
}

/// Pinned access to a dyn wrapper's receiver, for `self: Pin<&mut Self>` methods: only a
/// holder whose receiver stays pinned until it is dropped ([`PinHolder`]) gives it. A
/// [`Holder`] does not: it may borrow an `&mut T` that moves once the borrow ends.
pub trait HoldsPinned<D: ?Sized>: HoldsRef<D> {
    /// Pinned access.
    fn receiver_pinned(&mut self) -> Pin<&mut D>;
}

/// The receiver of a dyn wrapper made from a pinned borrow (`DynFoo::from_pin`): pinned
/// access for `self: Pin<&mut Self>` methods and shared access for `&self` ones; no
/// `&mut` access (the value behind a `Pin` may not be `Unpin`). Safe code only: the
/// pinning guarantee is the `Pin` it was given.
pub struct PinHolder<'a, D: ?Sized>(Pin<&'a mut D>);

impl<'a, D: ?Sized> PinHolder<'a, D> {
    /// Holds the pinned borrow.
    #[inline(always)]
    pub fn new(value: Pin<&'a mut D>) -> Self {
        PinHolder(value)
    }
}

impl<D: ?Sized> HoldsRef<D> for PinHolder<'_, D> {
    #[inline(always)]
    fn receiver(&self) -> &D {
        &self.0
    }
    #[inline]
    fn is_owned(&self) -> bool {
        false
    }
}

impl<D: ?Sized> fmt::Debug for PinHolder<'_, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PinHolder").finish_non_exhaustive()
    }
}

impl<D: ?Sized> HoldsPinned<D> for PinHolder<'_, D> {
    #[inline(always)]
    fn receiver_pinned(&mut self) -> Pin<&mut D> {
        self.0.as_mut()
    }
}

/// The receiver of a dyn wrapper for a trait whose methods all take `&self`:
/// `&'a D`, `&'a mut D`, or an owned `D`. Only shared access is given out.
pub struct SharedHolder<'a, D: ?Sized>(Holder<'a, D>);

impl<'a, D: ?Sized> SharedHolder<'a, D> {
    /// Borrows the receiver shared.
    #[inline(always)]
    pub fn from_ref(value: &'a D) -> Self {
        SharedHolder(Holder::from_ref(value))
    }

    /// Borrows the receiver exclusively (only shared access is used).
    #[inline(always)]
    pub fn from_mut(value: &'a mut D) -> Self {
        SharedHolder(Holder::from_mut(value))
    }

    /// Owns a receiver: see [`Holder`]'s owning constructors.
    #[inline(always)]
    pub fn from_owned(receiver: Holder<'a, D>) -> Self {
        SharedHolder(receiver)
    }

    /// Whether this receiver owns its value.
    #[inline]
    pub fn is_owned(&self) -> bool {
        self.0.is_owned()
    }

    /// Shared access.
    #[inline(always)]
    pub fn get(&self) -> &D {
        self.0.get()
    }

    /// The owning receiver, for by-value `self` methods; `None` if borrowed.
    #[inline]
    pub fn into_owned(self) -> Option<Holder<'a, D>> {
        if self.0.is_owned() {
            Some(self.0)
        } else {
            None
        }
    }
}

// SAFETY: a `SharedHolder` is a `&D`, a `&mut D` or an owned `D`: sending it needs
// `D: Sync` (for `&D`) and `D: Send` (for the owned value).
unsafe impl<D: ?Sized + Send + Sync> Send for SharedHolder<'_, D> {}

// SAFETY: `&SharedHolder` only gives `&D`.
unsafe impl<D: ?Sized + Sync> Sync for SharedHolder<'_, D> {}

impl<D: ?Sized> fmt::Debug for SharedHolder<'_, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SharedHolder").field(&self.0).finish()
    }
}

/// Storage for an owned receiver without an allocator: create it on your stack, hand it
/// to `DynFoo::in_slot` (or [`Holder::in_slot`]), and the wrapper owns the value for
/// as long as it borrows the slot.
///
/// # Examples
///
/// ```
/// use dynptr_core::{Holder, ReceiverSlot};
///
/// let mut slot = ReceiverSlot::new();
/// let mut receiver: Holder<'_, dyn core::fmt::Debug> = Holder::in_slot(&mut slot, vec![1, 2]);
/// assert_eq!(format!("{:?}", receiver.get()), "[1, 2]");
/// receiver.get_mut();
/// drop(receiver); // drops the vector
/// ```
pub struct ReceiverSlot<T>(MaybeUninit<T>);

impl<T> ReceiverSlot<T> {
    /// An empty slot.
    pub const fn new() -> Self {
        ReceiverSlot(MaybeUninit::uninit())
    }
}

impl<T> Default for ReceiverSlot<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> fmt::Debug for ReceiverSlot<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReceiverSlot")
    }
}

/// # Safety
///
/// `ptr` points to a `T` written by `Holder::in_slot`, released once.
unsafe fn release_in_slot<T, D: ?Sized>(ptr: NonNull<D>, how: Release) {
    if how == Release::Drop {
        // SAFETY: the caller guarantees `ptr` is the slot's initialised `T`, owned by the
        // releasing receiver; the slot's memory belongs to the caller's frame and needs no
        // freeing.
        unsafe { core::ptr::drop_in_place(ptr.cast::<T>().as_ptr()) }
    }
}

/// Proof, handed to a by-value `self` shim, that the receiver it gets as `&'t mut D` is
/// owned by a holder that will release its storage without dropping the value once the
/// shim has moved it out (with the macro runtime's [`take`]). Only
/// [`HoldsOwned::consume`] makes one, together with that `&'t mut D`.
///
/// The token is *invariant* in `'t`: [`take`] accepts it only with a `&'t mut T` of
/// exactly that lifetime, which keeps the reference borrowed for all of `'t`, so nothing
/// can use the receiver after it was moved out.
#[derive(Debug)]
pub struct MoveToken<'t> {
    taken: &'t core::cell::Cell<bool>,
    addr: *const (),
    _invariant: PhantomData<fn(&'t ()) -> &'t ()>,
}

/// Moves the receiver out of its holder, for a by-value `self` shim. Not a public API
/// (reached through `__private`): the shim calls it inside [`HoldsOwned::consume`]'s
/// closure, with the token and the receiver that closure received, as the concrete type
/// the receiver was created from (the shim is the blanket impl for that type).
///
/// Why no call from the generated shim can make a value owned twice:
/// - `this` is borrowed for the token's whole lifetime `'t` (the token is invariant, so
///   `'t` cannot shrink): after `take`, `this` cannot be read, written or moved out again;
/// - the token is single-use (moved in), and the holder then releases the storage
///   without dropping whatever lives at the receiver's address;
/// - `this` must be at the receiver's address (checked), which for a value of nonzero
///   size pins it to the receiver (or a field of it: that is moved out alone, the rest
///   leaked).
///
/// Known hole (the 2026-12-03 audit, `dynptr-core/tests/audit_take_zst.rs`): for a
/// *zero-sized* receiver the address is dangling and shared by every zero-sized value of
/// its alignment, and `'t` is only bounded by the holder's lifetime, so code that calls
/// `take` itself (or a doc-hidden `__dynptr_*` shim) with a borrow of another
/// zero-sized value can duplicate that value. The generated shims only ever pass the
/// receiver `consume` handed them; do not call this yourself.
///
/// ```compile_fail,E0499
/// use dynptr_core::__private::{take, HoldsOwned};
/// use dynptr_core::{OwnedHolder, Holder, ReceiverSlot};
///
/// let mut slot = ReceiverSlot::new();
/// let owned = OwnedHolder::new(Holder::in_slot(&mut slot, vec![1u8, 2, 3])).unwrap();
/// owned.consume(|v: &mut Vec<u8>, token| {
///     let first = take(v, token);
///     let second = core::mem::take(v); // the same buffer a second time: rejected
///     (first, second)
/// });
/// ```
///
/// A zero-sized stand-in borrowed for less than the holder's lifetime is rejected (but
/// see the known hole above for one borrowed as long):
///
/// ```compile_fail,E0597
/// use dynptr_core::__private::{take, HoldsOwned};
/// use dynptr_core::{OwnedHolder, Holder, ReceiverSlot};
///
/// struct Unique; // a zero-sized capability that must have one owner
/// let mut slot = ReceiverSlot::new();
/// let owned = OwnedHolder::new(Holder::in_slot(&mut slot, Unique)).unwrap();
/// let mut other = Unique;
/// let _dup: Unique = owned.consume(|_v: &mut Unique, token| take(&mut other, token));
/// ```
///
/// # Panics
///
/// If `this` is not at the address of the receiver the token was made for.
#[inline]
pub fn take<'t, T>(this: &'t mut T, token: MoveToken<'t>) -> T {
    assert!(
        core::ptr::addr_eq(this as *const T, token.addr) && !token.taken.get(),
        "dynptr: `take` called with a token of another receiver"
    );
    token.taken.set(true);
    // The token was made by `HoldsOwned::consume` for this receiver (same address,
    // checked above; moved in, so this runs once); seeing `taken`, its holder releases
    // the storage without dropping the value, and `this` stays borrowed for all of `'t`.
    // SAFETY: `this` is a unique, initialised `T` that nothing reads or drops again.
    unsafe { core::ptr::read(this) }
}

/// A receiver holder a by-value `self` method can move the receiver out of.
pub trait HoldsOwned<D: ?Sized>: HoldsMut<D> + Sized {
    /// Calls `f` with the receiver and a [`MoveToken`]; if `f` moved the receiver out
    /// (the generated shim does, with the macro runtime's `take`), releases the storage without dropping it, otherwise drops it
    /// normally.
    fn consume<Out>(self, f: impl for<'t> FnOnce(&'t mut D, MoveToken<'t>) -> Out) -> Out;
}

/// The receiver of a dyn wrapper for a trait with by-value `self` methods: always owned
/// (on the heap with `boxed`, or in a [`ReceiverSlot`]), since only an owner can give its
/// receiver away.
pub struct OwnedHolder<'a, D: ?Sized>(Holder<'a, D>);

impl<'a, D: ?Sized> OwnedHolder<'a, D> {
    /// Takes an owning [`Holder`] (`boxed_receiver`, [`Holder::in_slot`]); `None`
    /// for a borrowed one.
    #[inline]
    pub fn new(receiver: Holder<'a, D>) -> Option<Self> {
        if receiver.is_owned() {
            Some(OwnedHolder(receiver))
        } else {
            None
        }
    }

    /// Like [`new`](Self::new), for the generated constructors, which only pass owning
    /// receivers.
    ///
    /// # Panics
    ///
    /// If `receiver` is borrowed.
    #[inline]
    #[track_caller]
    pub fn from_owned(receiver: Holder<'a, D>) -> Self {
        match Self::new(receiver) {
            Some(owned) => owned,
            None => panic!("dynptr: an owned receiver was expected"),
        }
    }
}

impl<D: ?Sized> HoldsRef<D> for OwnedHolder<'_, D> {
    #[inline(always)]
    fn receiver(&self) -> &D {
        self.0.get()
    }
    #[inline(always)]
    fn is_owned(&self) -> bool {
        true
    }
}

impl<D: ?Sized> HoldsMut<D> for OwnedHolder<'_, D> {
    #[inline(always)]
    fn receiver_mut(&mut self) -> &mut D {
        self.0.get_mut()
    }
}

impl<D: ?Sized> HoldsOwned<D> for OwnedHolder<'_, D> {
    fn consume<Out>(self, f: impl for<'t> FnOnce(&'t mut D, MoveToken<'t>) -> Out) -> Out {
        let taken = core::cell::Cell::new(false);
        let ptr = self.0.ptr;
        let mut this = core::mem::ManuallyDrop::new(self);
        // If `f` panics after taking the value, release without a drop; if before, drop.
        struct Finish<'t, 'a, D: ?Sized> {
            receiver: &'t mut core::mem::ManuallyDrop<OwnedHolder<'a, D>>,
            taken: &'t core::cell::Cell<bool>,
        }
        impl<D: ?Sized> Drop for Finish<'_, '_, D> {
            fn drop(&mut self) {
                // SAFETY: `receiver` is never used again after this (it was wrapped in
                // `ManuallyDrop` and only this guard touches it).
                let receiver = unsafe { core::mem::ManuallyDrop::take(self.receiver) };
                if self.taken.get() {
                    // SAFETY: `take` moved the value out exactly once; the pointer is the
                    // receiver's own.
                    let released = unsafe { receiver.0.take_owned(|_| ()) };
                    debug_assert!(released.is_some());
                } else {
                    drop(receiver);
                }
            }
        }
        let finish = Finish {
            receiver: &mut this,
            taken: &taken,
        };
        let token = MoveToken {
            taken: &taken,
            addr: ptr.as_ptr() as *const (),
            _invariant: PhantomData,
        };
        // SAFETY: invariant 1 of `Holder`: valid and owned; the unique reference ends
        // when `f` returns, before `Finish` releases or drops the value.
        let value = unsafe { &mut *ptr.as_ptr() };
        let out = f(value, token);
        drop(finish);
        out
    }
}

impl<'s, D: ?Sized + 's, S: Strategy + 's> HoldsOwned<D> for DynPtr<'s, D, S> {
    fn consume<Out>(self, f: impl for<'t> FnOnce(&'t mut D, MoveToken<'t>) -> Out) -> Out {
        let taken = core::cell::Cell::new(false);
        let mut raw = core::mem::ManuallyDrop::new(DynPtr::into_raw(self));
        struct Finish<'t, P: crate::OwningPtr> {
            raw: &'t mut core::mem::ManuallyDrop<P>,
            taken: &'t core::cell::Cell<bool>,
        }
        impl<P: crate::OwningPtr> Drop for Finish<'_, P> {
            fn drop(&mut self) {
                // SAFETY: `raw` is not used again after this.
                let raw = unsafe { core::mem::ManuallyDrop::take(self.raw) };
                if self.taken.get() {
                    // SAFETY: the pointee was moved out exactly once by `take`; a `DynPtr`
                    // consumed by value was not pinned.
                    unsafe { crate::OwningPtr::release_moved(raw) }
                } else {
                    drop(raw);
                }
            }
        }
        let finish = Finish {
            raw: &mut raw,
            taken: &taken,
        };
        // Derived through the guard's borrow, so that nothing re-borrows the pointer (which
        // may hold the pointee inline) while `value` is in use.
        let mut ptr = crate::OwningPtr::as_mut_ptr(&mut **finish.raw);
        let token = MoveToken {
            taken: &taken,
            addr: ptr.as_ptr() as *const (),
            _invariant: PhantomData,
        };
        // SAFETY: `OwningPtr` rule 1: valid for unique access; the reference ends when
        // `f` returns, before `Finish` releases or drops the pointee.
        let value = unsafe { ptr.as_mut() };
        let out = f(value, token);
        drop(finish);
        out
    }
}

// SAFETY: an `OwnedHolder` owns its `D`: sending it sends the value.
unsafe impl<D: ?Sized + Send> Send for OwnedHolder<'_, D> {}

// SAFETY: `&OwnedHolder` only gives `&D`.
unsafe impl<D: ?Sized + Sync> Sync for OwnedHolder<'_, D> {}

impl<D: ?Sized> fmt::Debug for OwnedHolder<'_, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OwnedHolder").field(&self.0).finish()
    }
}

/// A `#[dyn_trait]` wrapper (`DynFoo`), naming the holder it uses when its last
/// parameter, `R`, is not named: see [`DefaultHolder`]. Implemented by the macro, for
/// every `R`.
pub trait Wrapper {
    /// A [`Holder`] (the wrapper borrows its value exclusively), a [`SharedHolder`]
    /// (every method takes `&self`) or an [`OwnedHolder`] (a method takes `self`), over
    /// the trait's vtable form.
    type DefaultHolder;
}

/// The holder of a wrapper whose `R` parameter is not named: what `DynFoo::new(&mut
/// value)` and `DynFoo::with_strategy` build. `DynFoo<'a, S>` is `DynFoo<'a, S,
/// DefaultHolder<DynFoo<'a, S, ()>>>` (the `()` only names the wrapper's family).
///
/// ```
/// use dynptr_core::{DefaultHolder, Holder, Wrapper};
///
/// struct DynFoo<'a, R = DefaultHolder<DynFoo<'a, ()>>>(R, core::marker::PhantomData<&'a ()>);
/// impl<'a, R> Wrapper for DynFoo<'a, R> {
///     type DefaultHolder = Holder<'a, dyn core::fmt::Debug + 'a>;
/// }
///
/// let mut value = 7;
/// // `R` is not named: the wrapper's default holder.
/// let w: DynFoo<'_> = DynFoo(Holder::from_mut(&mut value), core::marker::PhantomData);
/// # let _ = w;
/// ```
pub type DefaultHolder<W> = <W as Wrapper>::DefaultHolder;
