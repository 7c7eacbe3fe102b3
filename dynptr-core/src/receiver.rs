//! How a dyn wrapper (`DynFoo`) holds its receiver: borrowed, or owned through a
//! storage that supplies a release function, behind one type so that the wrapper's type
//! does not depend on how its receiver is stored.

use core::fmt;
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ptr::NonNull;

use crate::{CoerceFrom, DynPtr, Strategy};

/// Shared access to a dyn wrapper's receiver, whatever holds it: a [`Receiver`], a
/// [`SharedReceiver`], or a [`DynPtr`] (a value another trait's method returned through a
/// strategy: `fn make(&self) -> impl Bar` gives a `DynBar` over a `DynPtr`).
pub trait ReceiverRef<D: ?Sized> {
    /// Shared access.
    fn receiver(&self) -> &D;
    /// Whether the receiver is owned rather than borrowed.
    fn is_owned(&self) -> bool;
}

/// Exclusive access to a dyn wrapper's receiver.
pub trait ReceiverMut<D: ?Sized>: ReceiverRef<D> {
    /// Exclusive access.
    fn receiver_mut(&mut self) -> &mut D;
}

impl<D: ?Sized> ReceiverRef<D> for Receiver<'_, D> {
    #[inline(always)]
    fn receiver(&self) -> &D {
        self.get()
    }
    #[inline(always)]
    fn is_owned(&self) -> bool {
        Receiver::is_owned(self)
    }
}

impl<D: ?Sized> ReceiverMut<D> for Receiver<'_, D> {
    #[inline(always)]
    fn receiver_mut(&mut self) -> &mut D {
        self.get_mut()
    }
}

impl<D: ?Sized> ReceiverRef<D> for SharedReceiver<'_, D> {
    #[inline(always)]
    fn receiver(&self) -> &D {
        self.get()
    }
    #[inline(always)]
    fn is_owned(&self) -> bool {
        SharedReceiver::is_owned(self)
    }
}

impl<'s, D: ?Sized + 's, S: Strategy + 's> ReceiverRef<D> for DynPtr<'s, D, S> {
    #[inline(always)]
    fn receiver(&self) -> &D {
        self
    }
    #[inline(always)]
    fn is_owned(&self) -> bool {
        true
    }
}

impl<'s, D: ?Sized + 's, S: Strategy + 's> ReceiverMut<D> for DynPtr<'s, D, S> {
    #[inline(always)]
    fn receiver_mut(&mut self) -> &mut D {
        self
    }
}

/// What an owning [`Receiver`] does with its storage when it is done.
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
/// traits whose methods all take `&self`, wrappers hold a [`SharedReceiver`] instead,
/// which can also borrow `&'a D`.
///
/// # Invariants
///
/// 1. `ptr` points to a valid `D` for `'a` (borrowed) or until released (owned).
/// 2. If `mutable`, nothing else accesses the pointee while this receiver exists
///    (it came from `&'a mut D` or from owned storage).
/// 3. If `release` is `Some`, this receiver owns the pointee and calls `release` exactly
///    once, when dropped or when the pointee is moved out.
pub struct Receiver<'a, D: ?Sized> {
    ptr: NonNull<D>,
    mutable: bool,
    release: Option<ReleaseFn<D>>,
    _marker: PhantomData<(&'a mut D, D)>,
}

impl<'a, D: ?Sized> Receiver<'a, D> {
    /// Borrows the receiver exclusively (all methods allowed but by-value `self`).
    #[inline(always)]
    pub fn from_mut(value: &'a mut D) -> Self {
        Receiver {
            ptr: NonNull::from(value),
            mutable: true,
            release: None,
            _marker: PhantomData,
        }
    }

    /// Borrows the receiver shared: only for [`SharedReceiver`], which never gives out
    /// `&mut D`.
    #[inline(always)]
    fn from_ref(value: &'a D) -> Self {
        Receiver {
            ptr: NonNull::from(value),
            mutable: false,
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
        Receiver {
            ptr,
            mutable: true,
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
        Receiver {
            ptr,
            mutable: true,
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
        debug_assert!(self.mutable);
        // SAFETY: invariants 1 and 2 (every public constructor of `Receiver` makes a
        // mutable one; `from_ref` is only used inside `SharedReceiver`, which never
        // calls this): valid, and nothing else accesses it; the unique reference is tied
        // to the unique borrow of `self`.
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

impl<D: ?Sized> Drop for Receiver<'_, D> {
    #[inline]
    fn drop(&mut self) {
        if let Some(release) = self.release {
            // SAFETY: invariant 3: we own the value and release it exactly once, here.
            unsafe { release(self.ptr, Release::Drop) }
        }
    }
}

// SAFETY: a `Receiver` is a `&mut D` or an owned `D` (the `from_ref` form only exists
// inside `SharedReceiver`, which has its own impls): sending it sends exclusive access
// to the value.
unsafe impl<D: ?Sized + Send> Send for Receiver<'_, D> {}

// SAFETY: `&Receiver` only gives `&D`.
unsafe impl<D: ?Sized + Sync> Sync for Receiver<'_, D> {}

impl<D: ?Sized> fmt::Debug for Receiver<'_, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("owned", &self.is_owned())
            .field("mutable", &self.mutable)
            .finish_non_exhaustive()
    }
}

/// The receiver of a dyn wrapper for a trait whose methods all take `&self`:
/// `&'a D`, `&'a mut D`, or an owned `D`. Only shared access is given out.
pub struct SharedReceiver<'a, D: ?Sized>(Receiver<'a, D>);

impl<'a, D: ?Sized> SharedReceiver<'a, D> {
    /// Borrows the receiver shared.
    #[inline(always)]
    pub fn from_ref(value: &'a D) -> Self {
        SharedReceiver(Receiver::from_ref(value))
    }

    /// Borrows the receiver exclusively (only shared access is used).
    #[inline(always)]
    pub fn from_mut(value: &'a mut D) -> Self {
        SharedReceiver(Receiver::from_mut(value))
    }

    /// Owns a receiver: see [`Receiver`]'s owning constructors.
    #[inline(always)]
    pub fn from_owned(receiver: Receiver<'a, D>) -> Self {
        SharedReceiver(receiver)
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
    pub fn into_owned(self) -> Option<Receiver<'a, D>> {
        if self.0.is_owned() {
            Some(self.0)
        } else {
            None
        }
    }
}

// SAFETY: a `SharedReceiver` is a `&D`, a `&mut D` or an owned `D`: sending it needs
// `D: Sync` (for `&D`) and `D: Send` (for the owned value).
unsafe impl<D: ?Sized + Send + Sync> Send for SharedReceiver<'_, D> {}

// SAFETY: `&SharedReceiver` only gives `&D`.
unsafe impl<D: ?Sized + Sync> Sync for SharedReceiver<'_, D> {}

impl<D: ?Sized> fmt::Debug for SharedReceiver<'_, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SharedReceiver").field(&self.0).finish()
    }
}

/// Storage for an owned receiver without an allocator: create it on your stack, hand it
/// to `DynFoo::in_slot` (or [`Receiver::in_slot`]), and the wrapper owns the value for
/// as long as it borrows the slot.
///
/// # Examples
///
/// ```
/// use dynptr_core::{Receiver, ReceiverSlot};
///
/// let mut slot = ReceiverSlot::new();
/// let mut receiver: Receiver<'_, dyn core::fmt::Debug> = Receiver::in_slot(&mut slot, vec![1, 2]);
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
/// `ptr` points to a `T` written by `Receiver::in_slot`, released once.
unsafe fn release_in_slot<T, D: ?Sized>(ptr: NonNull<D>, how: Release) {
    if how == Release::Drop {
        // SAFETY: the caller guarantees `ptr` is the slot's initialised `T`, owned by the
        // releasing receiver; the slot's memory belongs to the caller's frame and needs no
        // freeing.
        unsafe { core::ptr::drop_in_place(ptr.cast::<T>().as_ptr()) }
    }
}
