//! The `Strategy` trait, its declared capacity and the error that gives a value back.

use core::alloc::Layout;
use core::fmt;
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ptr::NonNull;

use crate::{CoerceFrom, OwningPtr};

/// How a callee stores a value whose type only it knows, as "some kind of pointer to
/// `dyn Trait`".
///
/// A strategy is chosen where a dyn value is created (`DynFoo::with_strategy(.., S)`),
/// kept inside it, and handed to the callee's vtable shim on every call; the shim calls
/// [`adapt`](Self::adapt) (methods taking `&mut self` or `self`) or
/// [`adapt_shared`](Self::adapt_shared) (methods taking `&self`) with the value it
/// returns, and the caller gets a [`DynPtr`](crate::DynPtr) it can await, iterate or
/// deref without knowing the concrete type.
///
/// The soundness of a strategy lives in its pointer type: [`Self::Ptr`] must implement
/// the unsafe [`OwningPtr`] contract (drop exactly once, a pinned pointer pins its
/// pointee, a forgotten pointee is abandoned). The methods here are safe to implement.
///
/// # Examples
///
/// A strategy generic code can use, here driving a `dyn Iterator` through whatever
/// strategy the caller picked:
///
/// ```
/// use dynptr_core::{DynPtr, Strategy};
///
/// fn evens<S: Strategy>(strategy: &mut S, limit: u32) -> u32 {
///     let iter = (0..limit).filter(|n| n % 2 == 0);
///     let ptr: DynPtr<'_, dyn Iterator<Item = u32>, S> = DynPtr::new(strategy, iter);
///     ptr.sum()
/// }
/// ```
pub trait Strategy {
    /// The owning pointer this strategy returns, for any trait object family `D`
    /// (`dyn Future<Output = u32> + 's`, `dyn Iterator<Item = T> + 's`, ...).
    ///
    /// `'s` is the borrow of the strategy the pointer may hold (a cache block, an arena,
    /// a stack slot); strategies that keep nothing (heap boxes, inline storage) ignore it.
    type Ptr<'s, D: ?Sized + 's>: OwningPtr<Target = D>
    where
        Self: 's;

    /// The largest size and alignment this strategy can store. Values beyond it are a
    /// compile-time error in [`adapt`](Self::adapt) where the strategy can check that in
    /// a `const` (inline storage), and an `Err` from [`try_adapt`](Self::try_adapt).
    const CAPACITY: Capacity = Capacity::UNBOUNDED;

    /// Stores the value `make` returns for a method taking `&mut self` or `self`,
    /// writing the pointer into `out` and building the value directly in its place
    /// (calling `make` only once that place is found, so that a large value is not
    /// built on the stack and copied). At most one value from this entry point is alive
    /// at a time, because the pointer borrows the strategy exclusively; earlier values
    /// may still exist if they were forgotten (`mem::forget`): those are abandoned, see
    /// [`OwningPtr`].
    ///
    /// On success `out` is initialised and the returned [`Placed`] points to the value
    /// inside the pointee. On failure `out` is untouched, `make` has not been called and
    /// is given back in [`Rejected`]: the value does not fit
    /// ([`RejectReason::TooLarge`]), memory is exhausted
    /// ([`RejectReason::OutOfMemory`]) or the storage is taken ([`RejectReason::Busy`]).
    ///
    /// If `make` panics, the strategy gives the place back (or abandons it) before the
    /// panic continues, and `out` stays uninitialised.
    ///
    /// This and [`try_adapt_shared_in`](Self::try_adapt_shared_in) are the two methods a
    /// strategy implements; every other entry point is built on them.
    fn try_adapt_in<'s, 'o, T, D, M>(
        &'s mut self,
        out: &'o mut MaybeUninit<Self::Ptr<'s, D>>,
        make: M,
    ) -> Result<Placed<'o, T>, Rejected<M>>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T;

    /// [`try_adapt_in`](Self::try_adapt_in) for a method taking `&self`: several values
    /// from this entry point may be alive at once (two futures joined), so the strategy
    /// must not hand the same storage out twice. Thread-safe when `Self: Sync`.
    fn try_adapt_shared_in<'s, 'o, T, D, M>(
        &'s self,
        out: &'o mut MaybeUninit<Self::Ptr<'s, D>>,
        make: M,
    ) -> Result<Placed<'o, T>, Rejected<M>>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T;

    /// Like [`try_adapt_in`](Self::try_adapt_in), for a value that must be stored.
    ///
    /// A value beyond [`CAPACITY`](Self::CAPACITY) is a compile-time error (for inline
    /// storage; heap strategies are unbounded); any other rejection panics with the
    /// [`RejectReason`]. Implementations override it to fail differently
    /// (`handle_alloc_error` for heap strategies).
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
        const { Self::CAPACITY.assert_fits::<T>() };
        match self.try_adapt_in(out, make) {
            Ok(placed) => placed,
            Err(rejected) => rejected.fail(),
        }
    }

    /// Like [`try_adapt_shared_in`](Self::try_adapt_shared_in), for a value that must be
    /// stored; fails like [`adapt_in`](Self::adapt_in).
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
        const { Self::CAPACITY.assert_fits::<T>() };
        match self.try_adapt_shared_in(out, make) {
            Ok(placed) => placed,
            Err(rejected) => rejected.fail(),
        }
    }

    /// Stores `value` for a method taking `&mut self` or `self` and returns the pointer
    /// by value (what eager returns such as `-> impl Iterator` use); gives the value
    /// back, untouched and not dropped, when it is not stored. Built on
    /// [`try_adapt_in`](Self::try_adapt_in).
    #[inline]
    fn try_adapt<'s, T, D>(&'s mut self, value: T) -> Result<Self::Ptr<'s, D>, Rejected<T>>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
    {
        let mut out = MaybeUninit::uninit();
        match self.try_adapt_in(&mut out, move || value) {
            // SAFETY: `try_adapt_in` initialised `out` when it returned `Ok`; the pointer
            // was never pinned, so moving it out is allowed.
            Ok(_) => Ok(unsafe { out.assume_init() }),
            Err(rejected) => Err(rejected.map(|make| make())),
        }
    }

    /// Stores `value` for a method taking `&self`, by value; see
    /// [`try_adapt_shared_in`](Self::try_adapt_shared_in).
    #[inline]
    fn try_adapt_shared<'s, T, D>(&'s self, value: T) -> Result<Self::Ptr<'s, D>, Rejected<T>>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
    {
        let mut out = MaybeUninit::uninit();
        match self.try_adapt_shared_in(&mut out, move || value) {
            // SAFETY: as in `try_adapt`.
            Ok(_) => Ok(unsafe { out.assume_init() }),
            Err(rejected) => Err(rejected.map(|make| make())),
        }
    }

    /// Like [`try_adapt`](Self::try_adapt), for a value that must be stored; fails like
    /// [`adapt_in`](Self::adapt_in).
    #[inline]
    #[track_caller]
    fn adapt<'s, T, D>(&'s mut self, value: T) -> Self::Ptr<'s, D>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
    {
        let mut out = MaybeUninit::uninit();
        self.adapt_in(&mut out, move || value);
        // SAFETY: `adapt_in` returned, so it initialised `out`; the pointer was never
        // pinned, so moving it out is allowed.
        unsafe { out.assume_init() }
    }

    /// Like [`try_adapt_shared`](Self::try_adapt_shared), for a value that must be
    /// stored; fails like [`adapt_in`](Self::adapt_in).
    #[inline]
    #[track_caller]
    fn adapt_shared<'s, T, D>(&'s self, value: T) -> Self::Ptr<'s, D>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
    {
        let mut out = MaybeUninit::uninit();
        self.adapt_shared_in(&mut out, move || value);
        // SAFETY: as in `adapt`.
        unsafe { out.assume_init() }
    }
}

/// Where a strategy put a value: the address of the value itself (not of the
/// `dyn` pointee), returned by [`Strategy::try_adapt_in`] with the pointer it wrote.
///
/// The caller of the in-place entry points uses it to reach the value by its concrete
/// type (a first poll, a drop with no indirect call) while the pointer in `out` stays
/// where it was written; the borrow `'o` of `out` keeps that pointer from moving
/// meanwhile.
#[derive(Debug)]
pub struct Placed<'o, T> {
    ptr: NonNull<T>,
    _out: PhantomData<&'o mut T>,
}

impl<T> Placed<'_, T> {
    /// Records where a value is.
    ///
    /// # Safety
    ///
    /// `ptr` points to the initialised value owned by the pointer just written to the
    /// `out` this is returned for; it is valid for reads and writes (and for a unique
    /// reference, the value being the pointer's pointee) for as long as that pointer
    /// does not move and owns the value, and has the provenance of the live storage.
    #[inline(always)]
    pub unsafe fn new(ptr: NonNull<T>) -> Self {
        Placed {
            ptr,
            _out: PhantomData,
        }
    }

    /// The value's address.
    #[inline(always)]
    pub fn as_ptr(&self) -> NonNull<T> {
        self.ptr
    }
}

/// Marker: this strategy's pointers are as thread-safe as their pointees.
///
/// Generic code cannot write "`S::Ptr<'s, D>: Send` for every `D: Send`", so a strategy
/// says it once here, and [`DynPtr`](crate::DynPtr) is `Send` when `D: Send` and
/// `S: ThreadSafe`, `Sync` when `D: Sync` and `S: ThreadSafe`. `#[dyn_trait(Send)]`
/// wrappers need it. Heap and inline strategies are `ThreadSafe`; a strategy whose
/// pointers update unsynchronised shared state when they drop (a `Cell` counter in an
/// arena, a stack slot flag) is not.
///
/// # Safety
///
/// ## Implementor
///
/// For every `'s` and `D`, sending a `Self::Ptr<'s, D>` to another thread when
/// `D: Send` (and dropping it there), and sharing `&Self::Ptr<'s, D>` between threads
/// when `D: Sync`, must be sound: whatever state the pointer touches besides the pointee
/// is itself thread-safe.
///
/// ## Caller
///
/// Nothing beyond the usual: rely on the `Send`/`Sync` impls of `DynPtr`.
pub unsafe trait ThreadSafe: Strategy {}

/// The largest value a strategy can store: its size and its alignment.
///
/// # Examples
///
/// ```
/// use dynptr_core::Capacity;
///
/// let cap = Capacity::new(64, 16);
/// assert!(cap.fits::<[u8; 64]>());
/// assert!(!cap.fits::<[u8; 65]>());
/// assert!(!cap.fits::<Aligned32>());
/// assert!(Capacity::UNBOUNDED.fits::<[u64; 4096]>());
/// # #[repr(align(32))] struct Aligned32;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Capacity {
    /// Largest size in bytes.
    pub size: usize,
    /// Largest alignment in bytes (a power of two).
    pub align: usize,
}

impl Capacity {
    /// No limit a real value can reach (`isize::MAX` bytes, the largest alignment the
    /// allocation APIs accept).
    pub const UNBOUNDED: Capacity = Capacity {
        size: isize::MAX as usize,
        align: 1 << 29,
    };

    /// A capacity of `size` bytes aligned to `align` (a power of two).
    pub const fn new(size: usize, align: usize) -> Self {
        Capacity { size, align }
    }

    /// Whether a value of this layout fits.
    pub const fn fits_layout(self, layout: Layout) -> bool {
        layout.size() <= self.size && layout.align() <= self.align
    }

    /// Whether a `T` fits.
    pub const fn fits<T>(self) -> bool {
        self.fits_layout(Layout::new::<T>())
    }

    /// Whether this capacity is [`UNBOUNDED`](Self::UNBOUNDED).
    pub const fn is_unbounded(self) -> bool {
        self.size == Self::UNBOUNDED.size && self.align == Self::UNBOUNDED.align
    }

    /// Fails to compile (when evaluated in a `const` context, as `const { .. }`) with a
    /// message naming `T`'s size and alignment and this capacity, if `T` does not fit.
    ///
    /// Inline strategies call it from [`Strategy::adapt`]; like any
    /// post-monomorphization error it shows in `cargo build`, not in `cargo check`.
    ///
    /// ```compile_fail
    /// use dynptr_core::Capacity;
    /// const CAP: Capacity = Capacity::new(8, 8);
    /// const { CAP.assert_fits::<[u8; 9]>() };
    /// ```
    #[track_caller]
    pub const fn assert_fits<T>(self) {
        let (size, align) = (core::mem::size_of::<T>(), core::mem::align_of::<T>());
        if size > self.size || align > self.align {
            const_panic::concat_panic!(
                "dynptr: the value does not fit this strategy's storage: size ",
                size,
                ", align ",
                align,
                "; capacity: size ",
                self.size,
                ", align ",
                self.align,
                ". Pick a larger capacity, or a strategy with a fallback."
            );
        }
    }
}

/// Why a strategy did not store a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RejectReason {
    /// The value's size or alignment exceeds the strategy's [`Capacity`].
    TooLarge {
        /// The value's layout.
        layout: Layout,
        /// What the strategy can store.
        capacity: Capacity,
    },
    /// The allocator could not provide memory.
    OutOfMemory {
        /// The layout that was requested.
        layout: Layout,
    },
    /// The storage is occupied by another live value (a `&self` method whose earlier
    /// value is still alive, with a strategy that has a single place and no fallback).
    Busy,
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RejectReason::TooLarge { layout, capacity } => write!(
                f,
                "value of size {} and align {} does not fit a capacity of size {} and align {}",
                layout.size(),
                layout.align(),
                capacity.size,
                capacity.align
            ),
            RejectReason::OutOfMemory { layout } => write!(
                f,
                "out of memory allocating {} bytes aligned to {}",
                layout.size(),
                layout.align()
            ),
            RejectReason::Busy => f.write_str("the strategy's storage is occupied"),
        }
    }
}

/// A value a strategy did not store, given back intact (never dropped, never moved
/// out of its owner's hands), with the reason.
///
/// # Examples
///
/// ```
/// use dynptr_core::{Capacity, RejectReason, Rejected};
///
/// let rejected = Rejected::too_large([7u8; 100], Capacity::new(64, 8));
/// assert!(matches!(rejected.reason(), RejectReason::TooLarge { .. }));
/// let value = rejected.into_value();
/// assert_eq!(value, [7u8; 100]);
/// ```
pub struct Rejected<T> {
    value: T,
    reason: RejectReason,
}

impl<T> Rejected<T> {
    /// Gives `value` back with `reason`.
    pub fn new(value: T, reason: RejectReason) -> Self {
        Rejected { value, reason }
    }

    /// `value` exceeds `capacity`.
    pub fn too_large(value: T, capacity: Capacity) -> Self {
        Self::new(
            value,
            RejectReason::TooLarge {
                layout: Layout::new::<T>(),
                capacity,
            },
        )
    }

    /// The allocator refused the memory for `value`.
    pub fn out_of_memory(value: T) -> Self {
        Self::new(
            value,
            RejectReason::OutOfMemory {
                layout: Layout::new::<T>(),
            },
        )
    }

    /// Gives back a maker `make` of a `T` that was not called because `T` exceeds
    /// `capacity` (the in-place entry points' rejection).
    pub fn too_large_for<V>(make: T, capacity: Capacity) -> Self {
        Self::new(
            make,
            RejectReason::TooLarge {
                layout: Layout::new::<V>(),
                capacity,
            },
        )
    }

    /// Gives back a maker `make` of a `V` that was not called because the allocator
    /// refused memory for a `V`.
    pub fn out_of_memory_for<V>(make: T) -> Self {
        Self::new(
            make,
            RejectReason::OutOfMemory {
                layout: Layout::new::<V>(),
            },
        )
    }

    /// The same rejection over `f(value)`: a maker turned into the value it makes.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Rejected<U> {
        Rejected {
            value: f(self.value),
            reason: self.reason,
        }
    }

    /// Why the value was not stored.
    pub fn reason(&self) -> RejectReason {
        self.reason
    }

    /// The value, intact.
    pub fn into_value(self) -> T {
        self.value
    }

    /// The value and the reason.
    pub fn into_parts(self) -> (T, RejectReason) {
        (self.value, self.reason)
    }

    /// Panics with the reason (dropping the value first). What [`Strategy::adapt`] does
    /// by default.
    #[cold]
    #[track_caller]
    pub fn fail(self) -> ! {
        let reason = self.reason;
        drop(self.value);
        panic!("dynptr: {reason}")
    }
}

impl<T> fmt::Debug for Rejected<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rejected")
            .field("type", &core::any::type_name::<T>())
            .field("reason", &self.reason)
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Display for Rejected<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} was not stored: {}",
            core::any::type_name::<T>(),
            self.reason
        )
    }
}

impl<T> core::error::Error for Rejected<T> {}
