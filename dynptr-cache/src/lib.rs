//! `Cached`: dynptr's recycled box. The strategy owns one heap block and stores every
//! returned value in it, call after call: after the first call (or none, with
//! [`Cached::with_capacity`]) a loop of calls allocates nothing.
//!
//! Pick it for a hot loop of calls through one dyn value (an `AsyncIterator`'s `next`,
//! a stream of requests) when your allocator is slow or absent from the fast path, or
//! when you must not allocate in steady state. Pick `Boxed` when returned values are
//! kept around side by side, `Inline` when there is no allocator at all.
//!
//! # Examples
//!
//! One block, reused by every call:
//!
//! ```
//! use core::future::Future;
//! use dynptr_cache::Cached;
//! use dynptr_core::DynPtr;
//!
//! let mut strategy = Cached::new();
//! let mut addresses = Vec::new();
//! let mut total = 0;
//! for i in 1..=3u32 {
//!     let fut: DynPtr<'_, dyn Future<Output = u32>, Cached> =
//!         DynPtr::new(&mut strategy, async move { i * 10 });
//!     addresses.push(DynPtr::as_ptr(&fut) as *const u8);
//!     total += futures::executor::block_on(fut);
//! }
//! assert_eq!(total, 60);
//! assert!(addresses.iter().all(|&a| a == addresses[0]), "the same block every time");
//! ```
//!
//! # How it behaves
//!
//! - **Reuse and growth.** A value is written into the block when its size and
//!   alignment fit the block's; otherwise the block is freed and a larger one allocated
//!   (the larger of the old and new sizes and alignments, so alternating layouts settle
//!   on one block). A block is always freed with the exact layout it was allocated with.
//! - **Layout.** A 16-byte header sits right before each value (the cache it belongs to,
//!   and whether it is in the block or a one-off allocation), so that the pointer a call
//!   returns is a plain fat pointer to the value: two words, returned in registers, like
//!   a `Box<dyn Trait>`. The value starts `max(16, align)` bytes into the block. Zero-sized
//!   values are stored like any other (the first one allocates a 16-byte block).
//! - **Drops.** A value is dropped when its pointer drops, not when the next value
//!   arrives: nothing is "replaced". A panic in that drop propagates and the block is
//!   given back to the cache all the same.
//! - **Forgotten values** (`mem::forget` of a returned pointer, pinned or not) are
//!   *abandoned*, as dynptr's owning-pointer contract requires: never dropped (their
//!   borrows may have ended), their block never reused, moved or freed. The cache notices
//!   at the next call through `&mut` (or when it is dropped) that the block is still
//!   occupied although no pointer can be alive, leaks that block and allocates a fresh
//!   one: one leaked block per forgotten value, counted by [`Cached::abandoned`]. The
//!   allocator must then keep the leaked block valid after the cache is gone, so the
//!   cache keeps one clone of its allocator alive forever (`mem::forget`), which is free
//!   for `Global` and `&'static` allocators.
//! - **`&self` methods** (the shared entry point, [`Strategy::adapt_shared`]) can have
//!   several values alive at once (`join(a.get(1), a.get(2))`). The first one claims
//!   the block with an atomic flag; while the block is taken, each further value gets a
//!   one-off allocation (its own layout plus the header), freed when its pointer drops
//!   (what `Boxed` does for every value). A value forgotten on this path keeps the block taken until
//!   the next `&mut` call or the cache's drop notices it; until then shared calls
//!   allocate.
//! - **Threads.** `Cached<A>` is `Sync` when `A` is (the flag is atomic), and
//!   [`ThreadSafePointers`] when `A: Send + Sync`, so `#[dyn_trait(Send)]` wrappers may use it
//!   and are `Sync`.
#![no_std]
// docs.rs (`--cfg docsrs`, nightly) marks each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings), allow(dead_code))))]

extern crate alloc;

use core::alloc::Layout;
use core::cell::UnsafeCell;
use core::fmt;
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

pub use allocator_api2::alloc::{AllocError, Allocator, Global};
use dynptr_core::{
    write_with, CoerceFrom, Committed, GiveBack, Held, Placed, Rejected, Strategy, ThreadSafePointers,
};

/// The recycled-box strategy: one heap block, in the allocator `A`, reused by every
/// returned value that fits it.
///
/// `A` is `'static` because a forgotten value's block must stay valid forever, which
/// memory borrowed from a shorter-lived allocator cannot. `A` is `Clone` for the same
/// reason, as in `Boxed`: an `allocator-api2` allocator keeps its blocks valid until the
/// last clone is dropped, so once a value has been abandoned in a block, the cache
/// forgets one clone of `A` when it drops, and the leaked block stays valid. `Global` and
/// `&'static MyAllocator` are zero-cost here.
///
/// `Default` when `A` is; `Send` when `A` is; `Sync` when `A` is; [`ThreadSafePointers`] when `A`
/// is `Send + Sync`. See the [crate docs](crate#how-it-behaves) for reuse, growth,
/// forgotten values and the `&self` path.
///
/// # Examples
///
/// A cache sized up front, so that even the first call allocates nothing:
///
/// ```
/// use core::alloc::Layout;
/// use dynptr_cache::Cached;
/// use dynptr_core::DynPtr;
///
/// let mut strategy = Cached::with_capacity(Layout::from_size_align(256, 16).unwrap());
/// let iter: DynPtr<'_, dyn Iterator<Item = u32>, Cached> =
///     DynPtr::new(&mut strategy, [1, 2, 3].into_iter().map(|x| x * x));
/// assert_eq!(iter.sum::<u32>(), 14);
/// assert_eq!(strategy.capacity(), Layout::from_size_align(256, 16).ok());
/// ```
///
/// # Invariants
///
/// 1. `block` is accessed only through `&mut self`, or by a shared-path call between
///    its successful `occupied` false-to-true exchange and the moment it hands the
///    block to a pointer or stores `false` again. While a pointer holds the block it
///    does not access `block`, except that its release reads the block's size (for
///    `room`) right before it clears `occupied`, found through its header.
/// 2. If `block.layout.size() > 0`, `block.ptr` was allocated by `alloc` with exactly
///    `block.layout`, whose alignment is at least that of `Header`; it is owned by this
///    cache and holds no abandoned value. Otherwise `block.ptr` is dangling and was never
///    allocated.
/// 3. `occupied` is `true` iff a [`CachePtr`] whose header says `Place::Block` and
///    points to this cache exists that has not dropped or been released: alive, or
///    forgotten. Its pointee is the only value in the block.
/// 4. `one_offs` counts the shared path's one-off allocations whose pointer has not
///    dropped or been released (alive, or forgotten).
/// 5. `abandoned` counts the blocks this cache leaked to forgotten values; each stays
///    allocated in `alloc` forever.
/// 6. Whenever the cache is exclusively borrowed (the only time `room` is read): if
///    `room` is not zero, `occupied` is false and `room` is `block.layout.size()`:
///    the exclusive path may take the block after one comparison. Zero says nothing
///    (the exclusive path then takes the long way, which sets it again). Whoever sets
///    `occupied` clears `room` first, or with the cache exclusively borrowed.
pub struct Cached<A: Allocator + Clone + 'static = Global> {
    room: AtomicUsize,
    occupied: AtomicBool,
    block: UnsafeCell<Block>,
    one_offs: AtomicUsize,
    abandoned: usize,
    alloc: A,
}

/// The cache's heap block: where it is and the exact layout it was allocated with.
#[derive(Clone, Copy)]
struct Block {
    ptr: NonNull<u8>,
    layout: Layout,
}

impl Block {
    /// No block: dangling, never allocated.
    const EMPTY: Block = Block {
        ptr: NonNull::dangling(),
        layout: Layout::new::<()>(),
    };

    /// Whether a value needing `need` (see [`Slot`]) fits.
    #[inline(always)]
    fn fits(&self, need: Layout) -> bool {
        // A block has an alignment of at least `MIN_ALIGN` (invariant 2 of `Cached`), and
        // the empty block fails the size test (every `need` holds a header), so the
        // alignment test folds away at compile time for the common alignments.
        need.size() <= self.layout.size()
            && (need.align() <= MIN_ALIGN || need.align() <= self.layout.align())
    }
}

/// What sits right before every stored value (at `value - HEADER`): how its pointer
/// finds the cache and gives the storage back, without carrying more than the value's
/// own (fat) pointer.
#[repr(C)]
struct Header<A: Allocator + Clone + 'static> {
    /// The cache that handed out the storage, alive for the pointer's `'s`.
    cache: *const Cached<A>,
    /// The cache's block, or a one-off allocation.
    place: Place,
}

/// Size of the header, and the smallest offset of a value in its block.
const HEADER: usize = 16;

/// The smallest alignment of a block (the header's).
const MIN_ALIGN: usize = 8;

/// Where a [`CachePtr`]'s pointee lives, which says how to release it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// The cache's block: release by clearing the cache's `occupied` flag.
    Block,
    /// A one-off allocation of the shared path: release by deallocating it.
    OneOff,
}

/// Where a value of layout `value` goes in a block: at `offset` (the header right before
/// it), in a block of at least `need` (size and alignment).
#[derive(Clone, Copy)]
struct Slot {
    offset: usize,
    need: Layout,
}

impl Slot {
    /// The slot for a value of layout `value`.
    #[inline(always)]
    const fn of(value: Layout) -> Result<Slot, AllocError> {
        let align = if value.align() > HEADER {
            value.align()
        } else {
            HEADER
        };
        // `offset` is a multiple of 16 and of the value's alignment, so the value is
        // aligned, the header (8-aligned) right before it too, and `offset >= HEADER`.
        let offset = align;
        let Some(size) = offset.checked_add(value.size()) else {
            return Err(AllocError);
        };
        let block_align = if value.align() > MIN_ALIGN {
            value.align()
        } else {
            MIN_ALIGN
        };
        match Layout::from_size_align(size, block_align) {
            Ok(need) => Ok(Slot { offset, need }),
            Err(_) => Err(AllocError),
        }
    }

    /// The slot of a `T`, computed at compile time.
    #[inline(always)]
    const fn for_type<T>() -> Result<Slot, AllocError> {
        Slot::of(Layout::new::<T>())
    }
}

/// Compile-time facts the header arithmetic relies on.
const _: () = {
    assert!(size_of::<Header<Global>>() <= HEADER);
    assert!(align_of::<Header<Global>>() <= MIN_ALIGN);
};

impl Cached<Global> {
    /// An empty cache in the global allocator: the first call allocates the block.
    ///
    /// ```
    /// use dynptr_cache::Cached;
    /// let mut strategy = Cached::new();
    /// assert_eq!(strategy.capacity(), None);
    /// ```
    #[inline]
    pub const fn new() -> Self {
        Self::new_in(Global)
    }

    /// A cache in the global allocator whose block is allocated now, large enough for
    /// any value of at most `layout.size()` bytes and `layout.align()` alignment, so that
    /// such values never allocate. Calls
    /// [`handle_alloc_error`](alloc::alloc::handle_alloc_error) if the allocation fails.
    ///
    /// ```
    /// use core::alloc::Layout;
    /// use dynptr_cache::Cached;
    ///
    /// // Room for a future of up to 4 KiB aligned to 64.
    /// let layout = Layout::from_size_align(4096, 64).unwrap();
    /// let mut strategy = Cached::with_capacity(layout);
    /// assert_eq!(strategy.capacity(), Some(layout));
    /// ```
    pub fn with_capacity(layout: Layout) -> Self {
        Self::with_capacity_in(layout, Global)
    }
}

impl<A: Allocator + Clone + 'static> Cached<A> {
    /// An empty cache in `alloc`.
    ///
    /// ```
    /// use dynptr_cache::{Cached, Global};
    /// let strategy = Cached::new_in(Global);
    /// # let _ = strategy;
    /// ```
    #[inline]
    pub const fn new_in(alloc: A) -> Self {
        Cached {
            room: AtomicUsize::new(0),
            occupied: AtomicBool::new(false),
            block: UnsafeCell::new(Block::EMPTY),
            one_offs: AtomicUsize::new(0),
            abandoned: 0,
            alloc,
        }
    }

    /// A cache in `alloc` with its block allocated now, for values up to `layout`. Calls
    /// [`handle_alloc_error`](alloc::alloc::handle_alloc_error) if the allocation fails.
    ///
    /// ```
    /// use core::alloc::Layout;
    /// use dynptr_cache::{Cached, Global};
    /// let mut strategy = Cached::with_capacity_in(Layout::new::<[u64; 8]>(), Global);
    /// assert_eq!(strategy.capacity(), Some(Layout::new::<[u64; 8]>()));
    /// ```
    pub fn with_capacity_in(layout: Layout, alloc: A) -> Self {
        match Self::try_with_capacity_in(layout, alloc) {
            Ok(cache) => cache,
            Err(AllocError) => alloc::alloc::handle_alloc_error(layout),
        }
    }

    /// Like [`with_capacity_in`](Self::with_capacity_in), returning an error if the
    /// allocation fails.
    ///
    /// ```
    /// use core::alloc::Layout;
    /// use dynptr_cache::{Cached, Global};
    /// let strategy = Cached::try_with_capacity_in(Layout::new::<[u8; 64]>(), Global);
    /// assert!(strategy.is_ok());
    /// ```
    pub fn try_with_capacity_in(layout: Layout, alloc: A) -> Result<Self, AllocError> {
        let mut cache = Self::new_in(alloc);
        let slot = Slot::of(layout)?;
        cache.make_room(slot.need)?;
        Ok(cache)
    }

    /// The allocator.
    #[inline]
    pub const fn allocator(&self) -> &A {
        &self.alloc
    }

    /// The largest value the cache stores without allocating: every value of at most
    /// this size and alignment fits its block. `None` if it holds no block yet (or it
    /// left its last block to a forgotten value).
    ///
    /// Takes `&mut self`: a value stored through the shared entry point may be resizing
    /// the block, and `&mut self` proves that none is alive.
    ///
    /// ```
    /// use dynptr_cache::Cached;
    /// use dynptr_core::DynPtr;
    ///
    /// let mut strategy = Cached::new();
    /// let p: DynPtr<'_, dyn core::fmt::Debug, Cached> = DynPtr::new(&mut strategy, [0u64; 4]);
    /// drop(p);
    /// let capacity = strategy.capacity().unwrap();
    /// assert_eq!((capacity.size(), capacity.align()), (32, 8));
    /// ```
    pub fn capacity(&mut self) -> Option<Layout> {
        let block = self.block.get_mut();
        if block.layout.size() == 0 {
            return None;
        }
        // A value of alignment `block.layout.align()` (the largest that fits) sits at
        // offset `max(HEADER, align)`; smaller alignments have offsets no larger.
        let align = block.layout.align();
        let size = block.layout.size() - align.max(HEADER);
        Layout::from_size_align(size, align).ok()
    }

    /// How many blocks this cache has left to forgotten values (leaked, never reused).
    ///
    /// A forgotten value is detected at the next call through `&mut` or when the cache
    /// drops; one forgotten on the shared path while the block was taken (a one-off
    /// allocation) is not counted.
    ///
    /// ```
    /// use dynptr_cache::Cached;
    /// use dynptr_core::DynPtr;
    ///
    /// let mut strategy = Cached::new();
    /// let p: DynPtr<'_, dyn core::fmt::Debug, Cached> = DynPtr::new(&mut strategy, 1u8);
    /// core::mem::forget(p); // the block is abandoned with its value
    /// let q: DynPtr<'_, dyn core::fmt::Debug, Cached> = DynPtr::new(&mut strategy, 2u8);
    /// drop(q);
    /// assert_eq!(strategy.abandoned(), 1);
    /// ```
    #[inline]
    pub fn abandoned(&self) -> usize {
        self.abandoned
    }

    /// Makes the block ready for a value needing `need`: leaks it if its last occupant
    /// was forgotten, grows it if `need` does not fit; the block is free then, and
    /// `room` says so (invariant 6).
    #[cold]
    #[inline(never)]
    fn make_room(&mut self, need: Layout) -> Result<(), AllocError> {
        // Cleared first: `regrow` may fail and leave no block (invariant 6).
        *self.room.get_mut() = 0;
        // `&mut self` proves that no pointer borrowing the cache is alive, so an occupant
        // was forgotten.
        if *self.occupied.get_mut() {
            self.abandon();
        }
        if !self.block.get_mut().fits(need) {
            regrow(&self.alloc, self.block.get_mut(), need)?;
        }
        *self.room.get_mut() = self.block.get_mut().layout.size();
        Ok(())
    }

    /// The block's occupant was forgotten: leave the block to it (invariant 3 becomes
    /// "no pointer", invariant 2 "no block") and count it (invariant 5).
    #[cold]
    fn abandon(&mut self) {
        *self.room.get_mut() = 0;
        *self.block.get_mut() = Block::EMPTY;
        *self.occupied.get_mut() = false;
        self.abandoned += 1;
    }

    /// Builds the value `make` returns in `base` (a block or a one-off allocation) at
    /// `offset`; the header and the pointer are written by `commit`.
    ///
    /// # Safety
    ///
    /// `base` is valid for writes of `offset + size_of::<T>()` bytes and aligned to
    /// `max(align_of::<T>(), 8)`, `offset` is `Slot::for_type::<T>()`'s, and `claim`
    /// says truthfully what `base` is: [`Claim::Exclusive`] this cache's block, exclusively
    /// borrowed and not marked occupied; [`Claim::Block`] this cache's block, marked
    /// occupied by this call; [`Claim::OneOff`] a fresh allocation in `self.alloc` with
    /// exactly `Slot::for_type::<T>()`'s `need`, counted in `one_offs`.
    #[inline(always)]
    unsafe fn build<'s, 'o, T: 's, D: ?Sized + 's>(
        &'s self,
        base: NonNull<u8>,
        offset: usize,
        out: &'o mut MaybeUninit<CachePtr<'s, D, A>>,
        make: impl FnOnce() -> T,
        claim: Claim,
    ) -> Placed<'o, 's, T, D, Cached<A>> {
        // SAFETY: `offset <= offset + size_of::<T>()`, within the memory the caller
        // vouches for.
        let data = unsafe { base.add(offset) }.cast::<T>();
        // A panicking `make` gives the storage back: the block to the cache, the
        // one-off allocation to the allocator.
        // SAFETY: the storage holds no value (`make` panicked) and is released once.
        let undo = || unsafe { self.give_back(claim, data.cast(), Layout::new::<T>()) };
        // SAFETY: `data` is valid for writes of a `T` and aligned to it (`offset` is a
        // multiple of `align_of::<T>()`, `base` aligned to it).
        unsafe { write_with(data, make, undo) };
        // SAFETY: `data` is the value just built in storage reserved for it (see
        // `claim`), which does not move; it has the storage's provenance.
        unsafe { Placed::new(data, NonNull::from(out), CacheToken { cache: self, claim }) }
    }

    /// Gives back the storage of a value that was dropped or never built.
    ///
    /// # Safety
    ///
    /// `claim` describes the storage of the value at `data` (of layout `layout`)
    /// truthfully (see `build`); it holds no value now and is released once.
    #[inline(always)]
    unsafe fn give_back(&self, claim: Claim, data: NonNull<u8>, layout: Layout) {
        match claim {
            Claim::Exclusive => {}
            // SAFETY: `Claim::Block`: this call claimed the block (our caller's
            // guarantee) and gives it back once.
            Claim::Block => unsafe { self.release_block() },
            // SAFETY: forwarded from our caller.
            Claim::OneOff => unsafe { self.release_one_off(data, layout) },
        }
    }

    /// The exclusive path, generic over what to do when the allocator fails.
    ///
    /// The value never goes through an out-of-line call: passed by value, it would be
    /// spilled to the stack and copied (a 4 KiB copy for a 4 KiB future, and narrow
    /// stores followed by a wide load for a small one), which costs more than the frame
    /// the call to `make_room` needs.
    #[inline(always)]
    fn adapt_exclusive<'s, 'o, T: 's, D, M: FnOnce() -> T, E>(
        &'s mut self,
        out: &'o mut MaybeUninit<CachePtr<'s, D, A>>,
        value: M,
        oom: impl FnOnce(M) -> E,
    ) -> Result<Placed<'o, 's, T, D, Self>, E>
    where
        D: ?Sized + CoerceFrom<T> + 's,
    {
        let Ok(slot) = (const { Slot::for_type::<T>() }) else {
            return Err(oom(value));
        };
        if !self.room_for(slot.need) && self.make_room(slot.need).is_err() {
            return Err(oom(value));
        }
        let base = self.block.get_mut().ptr;
        // The block holds no value: `room` said so, or `make_room` left the forgotten
        // occupant's block behind. It is marked occupied by `commit`: nothing else can
        // use the cache before, since it stays exclusively borrowed.
        // SAFETY: large and aligned enough (invariant 6 with the alignment test, or
        // `make_room`), empty.
        Ok(unsafe { self.build(base, slot.offset, out, value, Claim::Exclusive) })
    }

    /// Whether the block is free and fits `need`, in one comparison (invariant 6); the
    /// alignment test folds away at compile time for alignments up to `MIN_ALIGN`.
    /// False says nothing: `make_room` finds out.
    #[inline(always)]
    fn room_for(&mut self, need: Layout) -> bool {
        *self.room.get_mut() >= need.size()
            && (need.align() <= MIN_ALIGN || need.align() <= self.block.get_mut().layout.align())
    }

    /// [`Strategy::place_then`] when the block is taken by a forgotten value, missing or
    /// too small: out of line, so that the fast path makes no call.
    #[cold]
    #[inline(never)]
    fn place_then_cold<'s, 'o, T: 's, D, M: FnOnce() -> T, R>(
        &'s mut self,
        out: &'o mut MaybeUninit<CachePtr<'s, D, A>>,
        make: M,
        then: impl FnOnce(Placed<'o, 's, T, D, Self>) -> R,
    ) -> R
    where
        D: ?Sized + CoerceFrom<T> + 's,
    {
        match self.adapt_exclusive(out, make, drop) {
            Ok(placed) => then(placed),
            Err(()) => alloc::alloc::handle_alloc_error(Layout::new::<T>()),
        }
    }

    /// [`Strategy::adapt`] when the block is taken by a forgotten value, missing or too
    /// small: out of line, so that the fast path makes no call (the value is copied into
    /// this call, once, on this path only).
    #[cold]
    #[inline(never)]
    #[track_caller]
    fn adapt_cold<'s, T: 's, D>(&'s mut self, value: &mut MaybeUninit<T>) -> CachePtr<'s, D, A>
    where
        D: ?Sized + CoerceFrom<T> + 's,
    {
        // SAFETY: initialised by the caller, which never uses it again.
        let value = unsafe { value.assume_init_read() };
        let mut out = MaybeUninit::uninit();
        let placed = match self.adapt_exclusive(&mut out, move || value, drop) {
            Ok(placed) => placed,
            Err(()) => alloc::alloc::handle_alloc_error(Layout::new::<T>()),
        };
        let _: Committed<'_> = Self::commit(placed);
        // SAFETY: `commit` initialised `out` (its proof); the pointer was never pinned,
        // so moving it out is allowed.
        unsafe { out.assume_init() }
    }

    /// The shared path, generic over what to do when the allocator fails.
    #[inline]
    fn adapt_shared_with<'s, 'o, T: 's, D, M: FnOnce() -> T, E>(
        &'s self,
        out: &'o mut MaybeUninit<CachePtr<'s, D, A>>,
        value: M,
        oom: impl FnOnce(M) -> E,
    ) -> Result<Placed<'o, 's, T, D, Self>, E>
    where
        D: ?Sized + CoerceFrom<T> + 's,
    {
        let Ok(slot) = (const { Slot::for_type::<T>() }) else {
            return Err(oom(value));
        };
        // Acquire: see the block as the last holder (whose drop stored `false` with
        // Release) left it.
        if self
            .occupied
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            // Invariant 6: no exclusive call can run while this value's borrow lives, and
            // none reads `room` before this store if the value is forgotten.
            self.room.store(0, Ordering::Relaxed);
            let block = self.block.get();
            // SAFETY: we won the exchange, so invariant 1 gives us exclusive access to
            // `block` until we hand it to a pointer or release the flag.
            let block = unsafe { &mut *block };
            if !block.fits(slot.need) {
                // A panicking allocator unwinds through `regrow`: the guard gives the
                // (now empty) block back, or it would stay claimed by no pointer.
                let unclaim = Unclaim(&self.occupied);
                let grown = regrow(&self.alloc, block, slot.need);
                if grown.is_err() {
                    return Err(oom(value)); // `unclaim` gives the block back.
                }
                core::mem::forget(unclaim);
            }
            let base = block.ptr;
            // SAFETY: the block is at least `slot.need` large and aligned (invariant 2 and
            // `fits`), and we claimed it for this value.
            return Ok(unsafe { self.build(base, slot.offset, out, value, Claim::Block) });
        }
        // The block is taken by a live value (or a forgotten one): a one-off allocation.
        match self.alloc.allocate(slot.need) {
            Ok(fresh) => {
                self.one_offs.fetch_add(1, Ordering::Relaxed);
                // SAFETY: a fresh allocation of exactly `slot.need` in `self.alloc`,
                // counted in `one_offs` just now.
                Ok(unsafe { self.build(fresh.cast(), slot.offset, out, value, Claim::OneOff) })
            }
            Err(AllocError) => Err(oom(value)),
        }
    }
}

impl<A: Allocator + Clone + 'static> Cached<A> {
    /// Gives the block back: clears `occupied` (invariant 3), and sets `room` (invariant
    /// 6) so that the next exclusive call takes the block after one comparison.
    ///
    /// # Safety
    ///
    /// The caller holds the block (a pointer to a value in it, dropped or moved out).
    #[inline(always)]
    unsafe fn release_block(&self) {
        let block = self.block.get();
        // SAFETY: invariant 1: the holder of the block may read it until it clears
        // `occupied`, which happens below; nobody writes it meanwhile.
        let size = unsafe { (*block).layout.size() };
        // Before the flag: once it is clear, another holder may claim the block and clear
        // `room` (its store then comes after this one).
        self.room.store(size, Ordering::Relaxed);
        // Release: the next holder (Acquire) sees the block as we leave it.
        self.occupied.store(false, Ordering::Release);
    }

    /// Frees a one-off allocation whose value (of layout `layout`, at `data`) was dropped
    /// or moved out.
    ///
    /// # Safety
    ///
    /// `data` is the address of the pointee of a [`CachePtr`] of this cache whose header
    /// says [`Place::OneOff`], `layout` its layout; the pointee has been dropped or moved
    /// out, and the allocation is released only this once.
    #[inline]
    unsafe fn release_one_off(&self, data: NonNull<u8>, layout: Layout) {
        // The allocation's layout, as `Slot::for_type::<T>()` computed it when storing.
        let Ok(slot) = Slot::of(layout) else {
            unreachable!("the value was stored with this layout")
        };
        // SAFETY: the value was written `slot.offset` bytes into its allocation.
        let base = unsafe { data.sub(slot.offset) };
        // SAFETY: a one-off allocation in `self.alloc` with exactly `slot.need`
        // (the header, see `CacheBack`), released once (the caller).
        unsafe { self.alloc.deallocate(base, slot.need) };
        self.one_offs.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Clears the `occupied` flag it guards when dropped: gives back a block that the shared
/// path claimed but did not hand to a pointer, on an error return or while unwinding.
struct Unclaim<'a>(&'a AtomicBool);

impl Drop for Unclaim<'_> {
    #[inline]
    fn drop(&mut self) {
        // Release: as `release_block`.
        self.0.store(false, Ordering::Release);
    }
}

/// Frees `block` (with its exact layout) and allocates one that fits `need`: the larger
/// of the two sizes and of the two alignments. On failure `block` is left empty.
#[cold]
#[inline(never)]
fn regrow<A: Allocator>(alloc: &A, block: &mut Block, need: Layout) -> Result<(), AllocError> {
    let old = core::mem::replace(block, Block::EMPTY);
    if old.layout.size() != 0 {
        // SAFETY: invariant 2 of `Cached`: the block was allocated by `alloc` with exactly
        // `old.layout`, holds no abandoned value, and the caller has exclusive access to
        // it; `block` no longer refers to it.
        unsafe { alloc.deallocate(old.ptr, old.layout) };
    }
    let size = old.layout.size().max(need.size());
    let align = old.layout.align().max(need.align());
    let new = Layout::from_size_align(size, align).map_err(|_| AllocError)?;
    let ptr = alloc.allocate(new)?;
    *block = Block {
        ptr: ptr.cast(),
        layout: new,
    };
    Ok(())
}

impl<A: Allocator + Clone + Default + 'static> Default for Cached<A> {
    /// An empty cache in `A::default()`.
    fn default() -> Self {
        Self::new_in(A::default())
    }
}

impl<A: Allocator + Clone + 'static> Drop for Cached<A> {
    fn drop(&mut self) {
        if *self.occupied.get_mut() {
            // `&mut self`: no pointer is alive, so the occupant was forgotten.
            self.abandon();
        }
        let block = *self.block.get_mut();
        if block.layout.size() != 0 {
            // SAFETY: invariant 2: allocated by `alloc` with exactly this layout and not
            // abandoned (checked above); the cache is going away, so nothing uses it.
            unsafe { self.alloc.deallocate(block.ptr, block.layout) };
        }
        if self.abandoned != 0 || *self.one_offs.get_mut() != 0 {
            // Blocks of forgotten values must stay valid forever: keep a clone of the
            // allocator alive (see the type's docs).
            core::mem::forget(self.alloc.clone());
        }
    }
}

impl<A: Allocator + Clone + 'static> Strategy for Cached<A> {
    type Ptr<'s, D: ?Sized + 's>
        = CachePtr<'s, D, A>
    where
        Self: 's;

    /// Which storage a placed value is in, and how to give it back.
    type Token<'s>
        = CacheToken<'s, A>
    where
        Self: 's;

    #[inline]
    fn try_place<'s, 'o, T, D, M>(
        &'s mut self,
        out: &'o mut MaybeUninit<CachePtr<'s, D, A>>,
        make: M,
    ) -> Result<Placed<'o, 's, T, D, Self>, Rejected<M>>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        self.adapt_exclusive(out, make, Rejected::out_of_memory_for::<T>)
    }

    #[inline]
    fn try_place_shared<'s, 'o, T, D, M>(
        &'s self,
        out: &'o mut MaybeUninit<CachePtr<'s, D, A>>,
        make: M,
    ) -> Result<Placed<'o, 's, T, D, Self>, Rejected<M>>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        self.adapt_shared_with(out, make, Rejected::out_of_memory_for::<T>)
    }

    /// Stores the value in the block; on allocation failure calls `handle_alloc_error`,
    /// as `Box::new` does (use [`try_place`](Strategy::try_place) to get an error
    /// instead).
    #[inline]
    fn place<'s, 'o, T, D, M>(
        &'s mut self,
        out: &'o mut MaybeUninit<CachePtr<'s, D, A>>,
        make: M,
    ) -> Placed<'o, 's, T, D, Self>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        match self.adapt_exclusive(out, make, drop) {
            Ok(placed) => placed,
            Err(()) => alloc::alloc::handle_alloc_error(Layout::new::<T>()),
        }
    }

    /// Stores the value in the block if it is free, else in a one-off allocation; on
    /// allocation failure calls `handle_alloc_error`.
    #[inline]
    fn place_shared<'s, 'o, T, D, M>(
        &'s self,
        out: &'o mut MaybeUninit<CachePtr<'s, D, A>>,
        make: M,
    ) -> Placed<'o, 's, T, D, Self>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        match self.adapt_shared_with(out, make, drop) {
            Ok(placed) => placed,
            Err(()) => alloc::alloc::handle_alloc_error(Layout::new::<T>()),
        }
    }

    /// The fast path (the block is free and fits) has no call; refilling the block and
    /// the rest of the call run out of line.
    #[inline(always)]
    fn place_then<'s, 'o, T, D, M, R>(
        &'s mut self,
        out: &'o mut MaybeUninit<CachePtr<'s, D, A>>,
        make: M,
        then: impl FnOnce(Placed<'o, 's, T, D, Self>) -> R,
    ) -> R
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        match const { Slot::for_type::<T>() } {
            Ok(slot) if self.room_for(slot.need) => {
                let base = self.block.get_mut().ptr;
                // `room` is not zero, so the block is free (`occupied` is false) and
                // `room` is its size (invariant 6); `commit` marks it occupied, and the
                // cache stays exclusively borrowed until then.
                // SAFETY: the block is free, large and aligned enough (invariants 2, 6).
                let placed = unsafe { self.build(base, slot.offset, out, make, Claim::Exclusive) };
                then(placed)
            }
            _ => self.place_then_cold(out, make, then),
        }
    }

    /// The fast path (the block is free and fits) has no call, so the shim of an eager
    /// return (`-> impl Iterator`) saves no register; refilling the block and the rest
    /// run out of line.
    #[inline(always)]
    #[track_caller]
    fn adapt<'s, T, D>(&'s mut self, value: T) -> CachePtr<'s, D, A>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
    {
        match const { Slot::for_type::<T>() } {
            Ok(slot) if self.room_for(slot.need) => {
                let base = self.block.get_mut().ptr;
                let mut out = MaybeUninit::uninit();
                // `room` is not zero, so the block is free (`occupied` is false) and
                // `room` is its size (invariant 6); `commit` marks it occupied, and the
                // cache stays exclusively borrowed until then.
                // SAFETY: the block is free, large and aligned enough (invariants 2, 6).
                let placed =
                    unsafe { self.build(base, slot.offset, &mut out, move || value, Claim::Exclusive) };
                let _: Committed<'_> = Self::commit(placed);
                // SAFETY: `commit` initialised `out` (its proof); the pointer was never
                // pinned, so moving it out is allowed.
                unsafe { out.assume_init() }
            }
            _ => {
                let mut value = MaybeUninit::new(value);
                self.adapt_cold(&mut value)
            }
        }
    }

    /// Writes the header (and marks the block occupied, on the exclusive path), then
    /// the pointer.
    #[inline]
    fn commit<'s, 'o, T, D>(placed: Placed<'o, 's, T, D, Self>) -> Committed<'o>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
    {
        let (value, out, CacheToken { cache, claim }) = placed.into_parts();
        let place = match claim {
            Claim::Exclusive => {
                // The cache is exclusively borrowed (`'s`): no other thread looks.
                // Invariant 6: `room` first.
                cache.room.store(0, Ordering::Relaxed);
                cache.occupied.store(true, Ordering::Relaxed);
                Place::Block
            }
            Claim::Block => Place::Block,
            Claim::OneOff => Place::OneOff,
        };
        // SAFETY: `Slot::of` puts at least `HEADER` bytes of the storage before the
        // value.
        let header = unsafe { value.cast::<u8>().sub(HEADER) }.cast::<Header<A>>();
        // SAFETY: the header's 16 bytes lie in the storage (above), aligned to 8 (the
        // value's offset is a multiple of 16 and the storage is 8-aligned).
        unsafe { header.write(Header { cache, place }) };
        // SAFETY: the value was built in storage the header now describes truthfully, owned
        // by nobody else, outside `out`; it does not move.
        unsafe { Held::commit(out, value, CacheBack(PhantomData)) }
    }

    #[inline]
    unsafe fn discard<'s, 'o, T, D>(placed: Placed<'o, 's, T, D, Self>)
    where
        T: 's,
        D: ?Sized + 's,
    {
        let (value, _, CacheToken { cache, claim }) = placed.into_parts();
        // SAFETY: the token describes the value's storage; the value was dropped by our
        // caller, and the storage is given back once.
        unsafe { cache.give_back(claim, value.cast(), Layout::new::<T>()) }
    }
}

/// What a value [`Cached`] placed but has not committed keeps: the cache and how the
/// value's storage was claimed. Opaque.
pub struct CacheToken<'s, A: Allocator + Clone + 'static> {
    cache: &'s Cached<A>,
    claim: Claim,
}

impl<A: Allocator + Clone + 'static> fmt::Debug for CacheToken<'_, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CacheToken")
            .field("claim", &self.claim)
            .finish_non_exhaustive()
    }
}

/// How a placed value's storage was claimed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Claim {
    /// The cache's block on the exclusive path: not yet marked occupied.
    Exclusive,
    /// The cache's block on the shared path, marked occupied.
    Block,
    /// A one-off allocation, counted in `one_offs`.
    OneOff,
}

// SAFETY: a `CachePtr<'s, D, A>` owns a `D` and reaches `&'s Cached<A>` through its
// header, through which its drop clears an atomic flag or deallocates a one-off block
// with `&A` and decrements an atomic counter. With `A: Sync`, `Cached<A>` is `Sync` (see
// its impl), so that may happen on another thread; the pointee is sent only when
// `D: Send` (the `Send` impl of `CachePtr` below), shared only when `D: Sync`.
unsafe impl<A: Allocator + Clone + Send + Sync + 'static> ThreadSafePointers for Cached<A> {}

// SAFETY: the cache owns its block (raw memory, no value in it that outlives the borrows
// of its pointers: once the cache can be moved, every pointer is gone) and its `A`.
// Moving it to another thread moves an `A` (`A: Send`) and the right to free the block
// there, which any `A: Allocator` permits for a block it allocated.
unsafe impl<A: Allocator + Clone + Send + 'static> Send for Cached<A> {}

// SAFETY: through `&Cached` threads use the atomics, `&A` (`A: Sync`), and `block`
// only as invariant 1 says: the thread that wins the `occupied` exchange (Acquire) has
// it alone until it hands it to a pointer, whose drop ends that with a Release store.
unsafe impl<A: Allocator + Clone + Sync + 'static> Sync for Cached<A> {}

impl<A: Allocator + Clone + fmt::Debug + 'static> fmt::Debug for Cached<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `block` is not read: a shared-path call may be resizing it (invariant 1).
        f.debug_struct("Cached")
            .field("occupied", &self.occupied.load(Ordering::Relaxed))
            .field("one_offs", &self.one_offs.load(Ordering::Relaxed))
            .field("abandoned", &self.abandoned)
            .field("alloc", &self.alloc)
            .finish_non_exhaustive()
    }
}

/// The pointer [`Cached`] returns: the value in the cache's block (or, on the shared
/// path while the block is taken, in a one-off allocation), borrowing the cache for
/// `'s` (core's [`Held`] with [`CacheBack`]). Two words, like `Box<dyn Trait>`:
/// everything else it needs is in the header right before the value.
///
/// Dropping it drops the value and gives the block back to the cache; forgetting it
/// abandons the value with its block (see the [crate docs](crate#how-it-behaves)).
pub type CachePtr<'s, D, A = Global> = Held<D, CacheBack<'s, A>>;

/// How a [`CachePtr`] gives its storage back, from the header before the value: the
/// block to the cache (clear `occupied`), or a one-off allocation to the allocator.
/// Zero-sized.
pub struct CacheBack<'s, A: Allocator + Clone + 'static>(PhantomData<&'s Cached<A>>);

// SAFETY: a `CachePtr` is made only by `Cached::commit`, which first writes the header
// `HEADER` bytes before the value: the cache that stored it (borrowed for `'s`) and
// where it lives (`Place::Block`: the cache's block, marked occupied for it;
// `Place::OneOff`: an allocation in the cache's allocator of exactly
// `Slot::of(layout).need`, counted in `one_offs`, the value at that slot's offset).
// Nothing writes the header while the pointer exists. `give_back` reads it and
// releases that storage once. A forgotten pointer never releases: its block stays
// occupied and the cache leaks it when it notices (`Cached::abandon`, `Cached::drop`,
// keeping an allocator clone alive), a forgotten one-off stays counted and allocated.
// Sending the pointer makes its drop use `&Cached<A>` on another thread: `Send` needs
// `Cached<A>: Sync` (`A: Sync`), which `PhantomData<&Cached<A>>` expresses.
unsafe impl<A: Allocator + Clone + 'static> GiveBack for CacheBack<'_, A> {
    /// Only a one-off needs it (its allocation's size): the block path reads no vtable.
    #[inline(always)]
    unsafe fn needs_layout(&self, addr: NonNull<u8>) -> bool {
        // SAFETY: forwarded: `addr` is the value's, whose header is before it.
        let Header { place, .. } = unsafe { header_of::<A>(addr) };
        place == Place::OneOff
    }

    #[inline]
    unsafe fn give_back(self, addr: NonNull<u8>, layout: Option<Layout>) {
        // SAFETY: forwarded: `addr` is the value's, whose header is before it.
        let Header { cache, place } = unsafe { header_of::<A>(addr) };
        // SAFETY: the cache that stored the value, borrowed for `'s`; used through `&`.
        let cache = unsafe { &*cache };
        match place {
            // SAFETY: the header says the value is in the cache's block, which its pointer
            // held until now; released once.
            Place::Block => unsafe { cache.release_block() },
            // SAFETY: a one-off of `cache` holding this value (the header), whose value is
            // gone (the caller); released once.
            Place::OneOff => unsafe {
                cache.release_one_off(addr, layout.expect("a one-off needs its layout"))
            },
        }
    }
}

/// The header before the value at `addr`.
///
/// # Safety
///
/// `addr` is the address of a value a `CachePtr` owns (its header was written by
/// `commit` and not since).
#[inline(always)]
unsafe fn header_of<A: Allocator + Clone + 'static>(addr: NonNull<u8>) -> Header<A> {
    // SAFETY: the header lies `HEADER` bytes before the value, in the same storage.
    let header = unsafe { addr.sub(HEADER) }.cast::<Header<A>>();
    // SAFETY: initialised by `commit`, and not written since.
    unsafe { header.read() }
}

impl<A: Allocator + Clone + 'static> fmt::Debug for CacheBack<'_, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CacheBack")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::boxed::Box;
    use dynptr_core::testkit::{block_on, call, call_shared, forget_reachable, poll_once, YieldOnce};

    fn room(cache: &mut Cached) -> usize {
        *cache.room.get_mut()
    }

    /// `room` (invariant 6) through the call path: kept by a ready call, cleared by a
    /// pending one and given back by its drop, cleared by a value forgotten on the
    /// shared path, whose block the next exclusive call then leaves to it.
    #[test]
    fn room_follows_the_block() {
        let mut cache = Cached::new();
        assert_eq!(room(&mut cache), 0, "no block yet");
        let pending = || async {
            YieldOnce::new().await;
            2u32
        };
        assert_eq!(block_on(call(&mut cache, pending)), 2);
        let size = room(&mut cache);
        assert_eq!(Some(size), cache.capacity().map(|c| c.size() + HEADER));
        assert_eq!(block_on(call(&mut cache, || async { 1u32 })), 1);
        assert_eq!(room(&mut cache), size, "kept by a ready call");
        assert_eq!(block_on(call(&mut cache, pending)), 2);
        assert_eq!(room(&mut cache), size, "given back by the pointer's drop");
        let mut forgotten = Box::pin(call_shared(&cache, pending));
        assert!(poll_once(forgotten.as_mut()).is_pending());
        forget_reachable(forgotten);
        assert_eq!(room(&mut cache), 0, "cleared by the shared claim");
        assert_eq!(block_on(call(&mut cache, || async { 4u32 })), 4);
        assert_eq!(cache.abandoned(), 1, "the forgotten value keeps its block");
        assert_ne!(room(&mut cache), 0, "a fresh block, free");
    }
}
