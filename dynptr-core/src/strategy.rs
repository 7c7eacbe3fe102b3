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
/// kept inside it, and handed to the callee's vtable shim on every call. For an
/// `async fn`, the shim [`place`](Self::place)s the future (or
/// [`place_shared`](Self::place_shared)s it, for `&self` methods) in the caller's call
/// future and polls it there ([`call`](crate::call)); for an eager return
/// (`-> impl Iterator`), it [`adapt`](Self::adapt)s the value and the caller gets a
/// [`DynPtr`](crate::DynPtr) it can iterate or deref without knowing the concrete type.
///
/// The soundness of a strategy lives in its pointer type and in two unsafe
/// constructors: [`Self::Ptr`] implements the unsafe [`OwningPtr`] contract (drop exactly
/// once, a pinned pointer pins its pointee, a forgotten pointee is abandoned), a
/// [`Placed`] vouches for where a value is, a [`Committed`] that its pointer was
/// written. A strategy implements four methods: two entry points that find a place
/// ([`try_place`](Self::try_place), [`try_place_shared`](Self::try_place_shared)), and
/// how a placed value gets its pointer ([`commit`](Self::commit)) or gives its place
/// back ([`discard`](Self::discard)).
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
    /// compile-time error in [`place`](Self::place) and [`adapt`](Self::adapt) (a
    /// `const` check), and an `Err` from [`try_place`](Self::try_place) and
    /// [`try_adapt`](Self::try_adapt).
    const CAPACITY: Capacity = Capacity::UNBOUNDED;

    /// What a placed value carries until its pointer is written
    /// ([`commit`](Self::commit)) or its place given back ([`discard`](Self::discard)):
    /// the strategy's own bookkeeping for that place (an allocator clone, a flag to
    /// clear, a count to give back), `()` when there is none.
    type Token<'s>
    where
        Self: 's;

    /// Finds a place for a `T`, for a method taking `&mut self` or `self`, and builds
    /// the value `make` returns there (calling `make` only once the place is found, so
    /// that a large value is not built on the stack and copied). `out` is where the
    /// pointer will go; inline storage keeps the value inside it.
    ///
    /// At most one value from this entry point is alive at a time, because its pointer
    /// borrows the strategy exclusively; earlier values may still exist if they were
    /// forgotten (`mem::forget`): those are abandoned, see [`OwningPtr`].
    ///
    /// The pointer is not written yet: the caller either [`commit`](Self::commit)s
    /// (writes the pointer into `out`: the value outlives this call) or drops the value
    /// in place and [`discard`](Self::discard)s (a future ready on its first poll: no
    /// pointer was ever needed). Dropping the [`Placed`] instead leaks the place, as
    /// forgetting a pointer would.
    ///
    /// On failure `make` has not been called and is given back in [`Rejected`]: the
    /// value does not fit ([`RejectReason::TooLarge`]), memory is exhausted
    /// ([`RejectReason::OutOfMemory`]) or the storage is taken
    /// ([`RejectReason::Busy`]). If `make` panics, the strategy gives the place back
    /// before the panic continues.
    ///
    /// This and [`try_place_shared`](Self::try_place_shared) are the two entry points a
    /// strategy implements; with [`commit`](Self::commit) and
    /// [`discard`](Self::discard), every other method is built on them.
    fn try_place<'s, 'o, T, D, M>(
        &'s mut self,
        out: &'o mut MaybeUninit<Self::Ptr<'s, D>>,
        make: M,
    ) -> Result<Placed<'o, 's, T, D, Self>, Rejected<M>>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T;

    /// [`try_place`](Self::try_place) for a method taking `&self`: several values from
    /// this entry point may be alive at once (two futures joined), so the strategy must
    /// not hand the same place out twice, and must reserve it before calling `make`
    /// (which may itself use the strategy). Thread-safe when `Self: Sync`.
    fn try_place_shared<'s, 'o, T, D, M>(
        &'s self,
        out: &'o mut MaybeUninit<Self::Ptr<'s, D>>,
        make: M,
    ) -> Result<Placed<'o, 's, T, D, Self>, Rejected<M>>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T;

    /// Writes the pointer that owns the placed value into its `out`, and returns the
    /// proof. Must not panic (a panic here leaks the value and its place).
    fn commit<'s, 'o, T, D>(placed: Placed<'o, 's, T, D, Self>) -> Committed<'o>
    where
        Self: 's,
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's;

    /// Gives the place of a placed value back, without a pointer ever written for it.
    ///
    /// # Safety
    ///
    /// The value has been dropped in place (or moved out) and is not used again.
    unsafe fn discard<'s, 'o, T, D>(placed: Placed<'o, 's, T, D, Self>)
    where
        Self: 's,
        T: 's,
        D: ?Sized + 's;

    /// Like [`try_place`](Self::try_place), for a value that must be stored.
    ///
    /// A value beyond [`CAPACITY`](Self::CAPACITY) is a compile-time error (inline
    /// storage; heap strategies are unbounded); any other rejection panics with the
    /// [`RejectReason`]. Implementations override it to fail differently
    /// (`handle_alloc_error` for heap strategies).
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
        const { Self::CAPACITY.assert_fits::<T>() };
        match self.try_place(out, make) {
            Ok(placed) => placed,
            Err(rejected) => rejected.fail(),
        }
    }

    /// Like [`try_place_shared`](Self::try_place_shared), for a value that must be
    /// stored; fails like [`place`](Self::place).
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
        const { Self::CAPACITY.assert_fits::<T>() };
        match self.try_place_shared(out, make) {
            Ok(placed) => placed,
            Err(rejected) => rejected.fail(),
        }
    }

    /// [`place`](Self::place), then `then` with the placed value: what the call path
    /// ([`call::start`](crate::call::start)) uses, `then` being the first poll.
    ///
    /// Override it when placing has a slow path that calls out of line (growing a
    /// block, replacing an arena): run that path *and* `then` in a `#[cold]`
    /// `#[inline(never)]` function of its own, so that the fast path makes no call. A
    /// call whose path joins the fast one again makes the compiler save and restore
    /// callee-saved registers around the whole placing path, on every call. The default
    /// is `then(self.place(out, make))`.
    #[inline(always)]
    #[track_caller]
    fn place_then<'s, 'o, T, D, M, R>(
        &'s mut self,
        out: &'o mut MaybeUninit<Self::Ptr<'s, D>>,
        make: M,
        then: impl FnOnce(Placed<'o, 's, T, D, Self>) -> R,
    ) -> R
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        then(self.place(out, make))
    }

    /// [`place_shared`](Self::place_shared), then `then` with the placed value; see
    /// [`place_then`](Self::place_then).
    #[inline(always)]
    #[track_caller]
    fn place_shared_then<'s, 'o, T, D, M, R>(
        &'s self,
        out: &'o mut MaybeUninit<Self::Ptr<'s, D>>,
        make: M,
        then: impl FnOnce(Placed<'o, 's, T, D, Self>) -> R,
    ) -> R
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        then(self.place_shared(out, make))
    }

    /// Stores `value` for a method taking `&mut self` or `self` and returns the pointer
    /// by value (what eager returns such as `-> impl Iterator` use); gives the value
    /// back, untouched and not dropped, when it is not stored. Built on
    /// [`try_place`](Self::try_place) and [`commit`](Self::commit).
    #[inline]
    fn try_adapt<'s, T, D>(&'s mut self, value: T) -> Result<Self::Ptr<'s, D>, Rejected<T>>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
    {
        let mut out = MaybeUninit::uninit();
        match self.try_place::<T, D, _>(&mut out, move || value) {
            Ok(placed) => {
                let _: Committed<'_> = Self::commit(placed);
                // SAFETY: `commit` initialised `out` (its proof); the pointer was never
                // pinned, so moving it out is allowed.
                Ok(unsafe { out.assume_init() })
            }
            Err(rejected) => Err(rejected.map(|make| make())),
        }
    }

    /// Stores `value` for a method taking `&self`, by value; see
    /// [`try_place_shared`](Self::try_place_shared).
    #[inline]
    fn try_adapt_shared<'s, T, D>(&'s self, value: T) -> Result<Self::Ptr<'s, D>, Rejected<T>>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
    {
        let mut out = MaybeUninit::uninit();
        match self.try_place_shared::<T, D, _>(&mut out, move || value) {
            Ok(placed) => {
                let _: Committed<'_> = Self::commit(placed);
                // SAFETY: as in `try_adapt`.
                Ok(unsafe { out.assume_init() })
            }
            Err(rejected) => Err(rejected.map(|make| make())),
        }
    }

    /// Like [`try_adapt`](Self::try_adapt), for a value that must be stored; fails like
    /// [`place`](Self::place).
    #[inline]
    #[track_caller]
    fn adapt<'s, T, D>(&'s mut self, value: T) -> Self::Ptr<'s, D>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
    {
        let mut out = MaybeUninit::uninit();
        let _: Committed<'_> = Self::commit(self.place::<T, D, _>(&mut out, move || value));
        // SAFETY: `commit` initialised `out` (its proof); the pointer was never pinned,
        // so moving it out is allowed.
        unsafe { out.assume_init() }
    }

    /// Like [`try_adapt_shared`](Self::try_adapt_shared), for a value that must be
    /// stored; fails like [`place`](Self::place).
    #[inline]
    #[track_caller]
    fn adapt_shared<'s, T, D>(&'s self, value: T) -> Self::Ptr<'s, D>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
    {
        let mut out = MaybeUninit::uninit();
        let _: Committed<'_> = Self::commit(self.place_shared::<T, D, _>(&mut out, move || value));
        // SAFETY: as in `adapt`.
        unsafe { out.assume_init() }
    }
}

/// A value a strategy has placed and built ([`Strategy::try_place`]), whose pointer is
/// not written yet: its address, where the pointer goes, and the strategy's
/// [`Token`](Strategy::Token) for the place.
///
/// The caller of the in-place entry points reaches the value by its concrete type (a
/// first poll, a drop with no indirect call), then either commits (the pointer is
/// written into `out`) or drops the value and discards (the place is given back, no
/// pointer ever written). The borrow `'o` of `out` keeps `out` from moving meanwhile,
/// and with it a value stored inside it.
pub struct Placed<'o, 's, T, D: ?Sized + 's, S: Strategy + ?Sized + 's> {
    value: NonNull<T>,
    out: NonNull<MaybeUninit<S::Ptr<'s, D>>>,
    token: S::Token<'s>,
    _out: PhantomData<&'o mut MaybeUninit<S::Ptr<'s, D>>>,
}

impl<'o, 's, T, D: ?Sized + 's, S: Strategy + ?Sized + 's> Placed<'o, 's, T, D, S> {
    /// Records a placed value.
    ///
    /// Take `out`'s address first (`NonNull::from(out)`) and derive anything inside it
    /// (an inline value) from that address, so that no later use of the reference
    /// invalidates the value's pointer.
    ///
    /// # Safety
    ///
    /// `out` is valid for writes of a pointer for `'o` (it came from the `&'o mut` the
    /// entry point was given). `value` points to an initialised `T` in a place the
    /// strategy reserved for it (owned by nobody else), valid for reads and writes and
    /// for a unique reference, with the provenance of the live storage; it stays at
    /// this address, not moved or reused, until the place is committed (then the
    /// pointer owns it) or discarded, or forever if neither happens. If it lies inside
    /// `out`, it stays valid as long as `out` does.
    ///
    /// Putting back together the parts of a placed value taken apart with
    /// [`into_parts`](Self::into_parts) (to pass them by value) meets all of this, with the
    /// value in whatever state it had reached: if it has been dropped in place, the
    /// result may only be [`discard`](Strategy::discard)ed.
    #[inline(always)]
    pub unsafe fn new(
        value: NonNull<T>,
        out: NonNull<MaybeUninit<S::Ptr<'s, D>>>,
        token: S::Token<'s>,
    ) -> Self {
        Placed {
            value,
            out,
            token,
            _out: PhantomData,
        }
    }

    /// The value's address.
    #[inline(always)]
    pub fn value(&self) -> NonNull<T> {
        self.value
    }

    /// The value's address, where its pointer goes (valid for writes for `'o`; write
    /// through it without creating a reference to all of it when the value lies inside
    /// it), and the strategy's token: what [`commit`](Strategy::commit) and
    /// [`discard`](Strategy::discard) take apart.
    #[inline(always)]
    pub fn into_parts(self) -> (NonNull<T>, Out<'s, D, S>, S::Token<'s>) {
        (self.value, self.out, self.token)
    }
}

/// Where a placed value's pointer goes.
pub type Out<'s, D, S> = NonNull<MaybeUninit<<S as Strategy>::Ptr<'s, D>>>;

impl<T, D: ?Sized, S: Strategy + ?Sized> fmt::Debug for Placed<'_, '_, T, D, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Placed")
            .field("value", &self.value)
            .finish_non_exhaustive()
    }
}

/// Proof that [`Strategy::commit`] wrote a pointer into the `out` borrowed for `'o`.
#[derive(Debug)]
#[must_use]
pub struct Committed<'o>(PhantomData<&'o mut ()>);

impl Committed<'_> {
    /// Asserts that the pointer was written.
    ///
    /// # Safety
    ///
    /// The `out` of the [`Placed`] being committed now holds an initialised pointer that
    /// owns the placed value ([`OwningPtr`] contract).
    #[inline(always)]
    pub unsafe fn new() -> Self {
        Committed(PhantomData)
    }
}

/// Marker: this strategy's pointers are as thread-safe as their pointees.
///
/// Generic code cannot write "`S::Ptr<'s, D>: Send` for every `D: Send`", so a strategy
/// says it once here, and [`DynPtr`](crate::DynPtr) is `Send` when `D: Send` and
/// `S: ThreadSafePointers`, `Sync` when `D: Sync` and `S: ThreadSafePointers`. `#[dyn_trait(Send)]`
/// wrappers need it. Heap and inline strategies are `ThreadSafePointers`; a strategy whose
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
pub unsafe trait ThreadSafePointers: Strategy {}

/// The one bound generic code writes for the strategy of a `#[dyn_trait(Send)]` wrapper:
/// [`Strategy`] + [`ThreadSafePointers`] + `Send` + `Sync`, implemented for every such
/// strategy.
///
/// # Examples
///
/// ```
/// use dynptr_core::{SendStrategy, Strategy, ThreadSafePointers};
///
/// // Instead of `S: Strategy + ThreadSafePointers + Send + Sync`:
/// fn spawnable<S: SendStrategy>(strategy: S) -> impl Send + Sync {
///     strategy
/// }
/// fn also<S: Strategy + ThreadSafePointers + Send + Sync>(s: S) -> impl Send + Sync {
///     spawnable(s)
/// }
/// ```
pub trait SendStrategy: Strategy + ThreadSafePointers + Send + Sync {}

impl<S: Strategy + ThreadSafePointers + Send + Sync> SendStrategy for S {}

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
