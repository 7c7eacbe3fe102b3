//! `Bumped`: dynptr's arena strategy. Every returned value is placed in a
//! [`bumpalo`] arena that the strategy owns; the arena's memory is reused once no value
//! stored in it is alive, so a loop of ten million calls runs in one small chunk with
//! **zero heap allocations per call** once the first call has allocated that chunk.
//!
//! Pick it for tight loops through a dyn value (each call bumps a pointer instead of
//! calling `malloc`/`free`), for values of varying or large sizes that an inline
//! buffer cannot hold, or to keep the memory of a batch of calls in one region you
//! control ([`Bumped::with_capacity`], [`Bumped::set_allocation_limit`]). Pick `Boxed`
//! when values outlive each other in no particular order for a long time (an arena
//! reclaims nothing until *all* its values are gone), `Inline` when there is no
//! allocator at all.
//!
//! # Examples
//!
//! ```
//! use core::future::Future;
//! use dynptr_bump::Bumped;
//! use dynptr_core::DynPtr;
//!
//! let mut strategy = Bumped::new();
//! let mut total = 0;
//! for i in 1..=1000u32 {
//!     let fut: DynPtr<'_, dyn Future<Output = u32>, Bumped> =
//!         DynPtr::new(&mut strategy, async move { i * 2 });
//!     total += futures::executor::block_on(fut);
//! }
//! assert_eq!(total, 1000 * 1001);
//! // Each call reused the memory of the previous one: one chunk served them all.
//! assert!(strategy.allocated_bytes() < 1024);
//! ```
//!
//! # Two ways to use an arena
//!
//! - **Owned, `Bumped`**: a dyn value keeps its own arena (`DynFoo::<.., Bumped>::new`,
//!   `Bumped` is `Default`). Methods taking `&mut self` (or `self`) store their value in
//!   the previous value's block when it fits (the borrow checker guarantees that value
//!   is gone by then), else bump a new block, resetting the arena first if its current
//!   chunk is full: the hot path is a few compares and the value's own write. Methods
//!   taking `&self` may have several values alive at once; they bump through the arena,
//!   which is reset when a call finds none of them alive.
//! - **Shared, `&Bumped`**: several dyn values store their values in one arena
//!   (`DynFoo::with_strategy(&mut a, &arena)`, `DynBar::with_strategy(&mut b, &arena)`).
//!   The arena is reset whenever a call finds no value alive; between batches whose
//!   values overlap, call [`Bumped::reset`], which needs `&mut` and so can only run when
//!   every dyn value using the arena is gone.
//!
//! ```
//! use dynptr_bump::{Bumped, Reset};
//! use dynptr_core::DynPtr;
//!
//! let mut arena = Bumped::new();
//! for batch in 0..3u64 {
//!     let (mut a, mut b) = (&arena, &arena); // two users of one arena
//!     let x: DynPtr<'_, dyn Iterator<Item = u64>, &Bumped> = DynPtr::new(&mut a, 0..batch);
//!     let y: DynPtr<'_, dyn Iterator<Item = u64>, &Bumped> = DynPtr::new(&mut b, batch..10);
//!     assert_eq!(x.chain(y).sum::<u64>(), 45);
//!     assert_eq!(arena.reset(), Reset::Reused); // nothing was forgotten
//! }
//! ```
//!
//! # Forgotten values (`mem::forget`)
//!
//! A value whose pointer is forgotten, pinned or not, is *abandoned* (see
//! [`OwningPtr`] rule 4): its drop never runs, and its memory is never reused or
//! freed, because it may have been pinned (a future linked into an intrusive waiter
//! list, say) and its drop may touch borrows that have ended. An arena holding such a
//! value is therefore never reset and never freed: `Bumped` counts the values it
//! handed out and not yet got back, and when a reset finds that count non-zero (at a
//! `&mut` call, in [`Bumped::reset`], or when the strategy is dropped), where the
//! borrow checker guarantees that no value is alive any more, the remaining ones were
//! forgotten: the whole arena is leaked (kept reachable from a static list, so leak
//! checkers such as Miri's and LeakSanitizer's do not report it) and a fresh arena
//! takes its place. One leaked arena per reset that found forgotten values;
//! [`leaked_arenas`] counts them.
//!
//! # Why not a `&Bump` of your own
//!
//! No strategy here borrows a user's [`bumpalo::Bump`]: once such a borrow ends, safe
//! code may `reset()` or drop the `Bump` (bumpalo's own `Box::pin` has the same hole,
//! bumpalo issues #186 and #226), freeing the memory of a value that was pinned and
//! forgotten in it, which nothing here could detect or prevent. The arena must
//! therefore be owned by the strategy (`Bumped`) or borrowed from one (`&Bumped`),
//! whose reset refuses to reuse memory that holds abandoned values. A `&'static Bump`
//! is sound (it can never be reset or freed) but never reclaims anything: if that is
//! what you want, it is an `allocator-api2` allocator (bumpalo's `allocator-api2`
//! feature) for `Boxed<&'static Bump>`.
//!
//! # Threads
//!
//! [`bumpalo::Bump`] is `Send` but not `Sync`, and so is `Bumped`:
//!
//! - a dyn value owning a `Bumped` can move to another thread between calls, but cannot
//!   be shared between threads; a dyn value using `&Bumped` cannot leave the arena's
//!   thread at all (`&Bumped` is not `Send`);
//! - a dyn wrapper is `Sync` only when its strategy is, so a `Bumped` wrapper is never
//!   `Sync`: `&self` methods are called from one thread at a time;
//! - the *values* returned are as thread-safe as their pointees: `Bumped` and `&Bumped`
//!   are [`ThreadSafePointers`], so `DynPtr<'_, dyn Future<..> + Send, Bumped>` is `Send` and
//!   `#[dyn_trait(Send)]` wrappers accept `Bumped`; their `&mut self` futures can be
//!   spawned. A future that borrows the wrapper itself through `&self` is `Send` only
//!   if the wrapper is `Sync`, which a `Bumped` one is not.
//!
//! What that costs: a pointer from a `&mut self` call gives its count back with a plain
//! store (it is the only value alive, the arena is exclusively borrowed), so the hot
//! path has no atomic read-modify-write; a pointer from a `&self` call or through
//! `&Bumped` may be dropped on another thread while others are created, so the count is
//! incremented and decremented atomically (two locked instructions per call, which on a
//! typical x86 core cost more than the rest of the call: use `&mut self` methods, or
//! `Boxed`, where that matters).
//!
//! Memory reclaimed by a reset is reused only after every value stored in it has been
//! dropped, on whatever thread that happened.
//!
//! Needs a target with pointer-sized atomic compare-and-swap.
#![no_std]
// docs.rs (`--cfg docsrs`, nightly) marks each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings), allow(dead_code))))]

extern crate alloc;

use alloc::boxed::Box;
use core::alloc::Layout;
use core::cell::UnsafeCell;
use core::fmt;
use core::mem::{align_of, size_of, MaybeUninit};
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

use bumpalo::Bump;
#[cfg(doc)]
use dynptr_core::OwningPtr;
use dynptr_core::{
    write_with, CoerceFrom, Committed, GiveBack, Held, Placed, Rejected, Strategy, ThreadSafePointers,
};

/// The arena strategy: values in a [`bumpalo::Bump`] owned by the strategy, reclaimed
/// when none of them is alive, leaked (and replaced) if one was forgotten.
///
/// As a strategy by value (`DynFoo<.., Bumped>`) it serves one dyn value; borrowed
/// (`DynFoo<.., &Bumped>`) it serves several at once. See the [crate docs](crate) for
/// both, for forgotten values and for threads.
///
/// `Send`, not `Sync`, [`ThreadSafePointers`], `Default`.
///
/// # Examples
///
/// ```
/// use dynptr_bump::Bumped;
/// use dynptr_core::DynPtr;
///
/// let mut strategy = Bumped::default();
/// let iter: DynPtr<'_, dyn Iterator<Item = u32>, Bumped> =
///     DynPtr::new(&mut strategy, [1, 2, 3].into_iter().map(|x| x * x));
/// assert_eq!(iter.sum::<u32>(), 14);
/// ```
///
/// # Invariants
///
/// 1. `live` is the number of [`BumpPtr`]s created from the current arena that have
///    not released their count (by being dropped, or by `release_moved`): values alive,
///    plus values abandoned (forgotten).
/// 2. The memory of each value counted in `live` lies in the arena's `bump` (or is
///    dangling, for a zero-sized value). The arena is reset or dropped only when `live`
///    is zero; when it is not zero and the arena must go, its `bump` is leaked (see
///    `leak`) and replaced.
/// 3. No reference to the `Arena` inside `arena` outlives a call of one of the
///    methods below, and those methods run on one thread at a time (`Bumped` is not
///    `Sync`) and never call into user code while holding one: a `&mut Arena` created
///    inside a method is unique.
/// 4. Whenever the strategy is exclusively borrowed (the only time `room` is read): if
///    `room` is not zero, `live` is zero and `room` is the size of the arena's `last`
///    block, so the exclusive entry point may reuse that block after one comparison.
///    Zero says nothing (the exclusive entry point then takes the long way, which sets
///    it again). Whoever counts a value in `live` clears `room` first (the shared entry
///    point finds it clear, see `finish_shared`), or with the strategy exclusively
///    borrowed; so does every reset.
pub struct Bumped {
    arena: UnsafeCell<Arena>,
    counts: Counts,
}

/// What a [`BumpPtr`] gives back to when it drops: the count of outstanding values
/// (`live`), and the room of the exclusive entry point's block (`room`); see
/// [`Bumped`]'s invariants.
#[derive(Debug)]
struct Counts {
    live: AtomicUsize,
    room: AtomicUsize,
}

/// The `room` a [`BumpBack`] carries for a value of the shared entry point (no block
/// size is that large).
const SHARED: usize = usize::MAX;

/// The arena proper: the `Bump`, and the block the exclusive entry point reuses.
///
/// # Invariants
///
/// 1. If `last.size` is not zero, `last.ptr` starts `last.size` bytes of `bump`'s
///    memory, aligned to at least [`BLOCK_ALIGN`], that `bump` handed out to the
///    exclusive entry point and will not hand out again: no reset has happened since
///    (every reset goes through [`Arena::reset`], which empties `last`). Only values
///    from the exclusive entry point are ever stored there.
struct Arena {
    bump: Bump,
    /// [`Block::EMPTY`] when there is none (one size test, no `Option` tag).
    last: Block,
}

/// The least alignment of the exclusive entry point's blocks, so that the test whether
/// a value fits the previous block needs no alignment check for ordinary values.
const BLOCK_ALIGN: usize = 16;

/// A block of arena memory (see [`Arena`]).
#[derive(Clone, Copy)]
struct Block {
    ptr: NonNull<u8>,
    size: usize,
}

impl Block {
    /// No block: dangling, of size 0 (no value of non-zero size fits it).
    const EMPTY: Block = Block {
        ptr: NonNull::dangling(),
        size: 0,
    };
}

// SAFETY: `Bump` is `Send`; `last` only points into memory that `bump` owns, so moving
// the arena to another thread moves that memory's owner with it. A `Bumped` (the only
// owner of an `Arena`) moves only when no pointer borrows it, so nothing on the old
// thread still uses that memory (forgotten values are never touched again).
unsafe impl Send for Arena {}

impl Arena {
    /// Makes all of `bump`'s memory reusable, and forgets the exclusive block with it.
    fn reset(&mut self) {
        self.last = Block::EMPTY;
        self.bump.reset();
    }

    /// Whether a value of `layout` fits the current chunk wherever its bump pointer
    /// stands: no new chunk needed.
    fn fits_current_chunk(&self, layout: Layout) -> bool {
        // The size rounded up to the alignment, plus the most that aligning the bump
        // pointer can skip.
        let need = layout.pad_to_align().size() + (layout.align() - 1);
        self.bump.chunk_capacity() >= need
    }
}

/// What [`Bumped::reset`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reset {
    /// No value was outstanding: the arena's memory will be reused from the start (its
    /// largest chunk is kept, the others are freed).
    Reused,
    /// Values stored in the arena were forgotten: the arena was leaked whole and a fresh
    /// one took its place.
    Replaced {
        /// How many values were abandoned in the leaked arena.
        abandoned: usize,
    },
}

impl Bumped {
    /// An empty arena; the first stored value allocates its first chunk.
    ///
    /// ```
    /// let strategy = dynptr_bump::Bumped::new();
    /// assert_eq!(strategy.allocated_bytes(), 0);
    /// ```
    pub fn new() -> Self {
        Self::from_bump(Bump::new())
    }

    /// An arena with room for at least `bytes` bytes before it allocates again.
    ///
    /// # Panics
    ///
    /// If the initial chunk cannot be allocated.
    ///
    /// ```
    /// let strategy = dynptr_bump::Bumped::with_capacity(4096);
    /// assert!(strategy.allocated_bytes() >= 4096);
    /// ```
    pub fn with_capacity(bytes: usize) -> Self {
        Self::from_bump(Bump::with_capacity(bytes))
    }

    fn from_bump(bump: Bump) -> Self {
        Bumped {
            arena: UnsafeCell::new(Arena {
                bump,
                last: Block::EMPTY,
            }),
            counts: Counts {
                live: AtomicUsize::new(0),
                room: AtomicUsize::new(0),
            },
        }
    }

    /// Bytes of memory the arena holds (its chunks, used or free), as
    /// [`Bump::allocated_bytes`](bumpalo::Bump::allocated_bytes) counts them. Arenas
    /// leaked because of forgotten values are not included.
    ///
    /// ```
    /// use dynptr_bump::Bumped;
    /// use dynptr_core::DynPtr;
    ///
    /// let mut strategy = Bumped::new();
    /// drop(DynPtr::<'_, dyn core::fmt::Debug, _>::new(&mut strategy, [0u8; 100]));
    /// assert!(strategy.allocated_bytes() >= 100);
    /// ```
    pub fn allocated_bytes(&self) -> usize {
        self.with_arena(|arena| arena.bump.allocated_bytes())
    }

    /// How many stored values have not been dropped yet: those alive, plus those
    /// forgotten since the last reset.
    ///
    /// ```
    /// use dynptr_bump::Bumped;
    /// use dynptr_core::DynPtr;
    ///
    /// let arena = Bumped::new();
    /// let a: DynPtr<'_, dyn core::fmt::Debug, _> = DynPtr::new_shared(&arena, 1u8);
    /// let b: DynPtr<'_, dyn core::fmt::Debug, _> = DynPtr::new_shared(&arena, 2u8);
    /// assert_eq!(arena.outstanding(), 2);
    /// drop((a, b));
    /// assert_eq!(arena.outstanding(), 0);
    /// ```
    pub fn outstanding(&self) -> usize {
        self.counts.live.load(Ordering::Acquire)
    }

    /// The largest number of bytes the arena may allocate from the global allocator,
    /// if limited. A value that would need more is rejected:
    /// [`try_adapt`](Strategy::try_adapt) gives it back with
    /// [`RejectReason::OutOfMemory`](dynptr_core::RejectReason::OutOfMemory),
    /// [`adapt`](Strategy::adapt) calls `handle_alloc_error`.
    pub fn allocation_limit(&self) -> Option<usize> {
        self.with_arena(|arena| arena.bump.allocation_limit())
    }

    /// Sets the allocation limit (see [`allocation_limit`](Self::allocation_limit)); it
    /// applies to new chunks only, and carries over to the fresh arena that replaces a
    /// leaked one.
    ///
    /// ```
    /// use dynptr_bump::Bumped;
    /// use dynptr_core::{RejectReason, Strategy};
    ///
    /// let mut strategy = Bumped::new();
    /// strategy.set_allocation_limit(Some(1024));
    /// let err = strategy.try_adapt::<_, dyn core::fmt::Debug>([0u8; 4096]).unwrap_err();
    /// assert!(matches!(err.reason(), RejectReason::OutOfMemory { .. }));
    /// ```
    pub fn set_allocation_limit(&mut self, limit: Option<usize>) {
        self.arena.get_mut().bump.set_allocation_limit(limit);
    }

    /// Makes the arena's memory reusable: resets it if no stored value is outstanding,
    /// otherwise (some were forgotten: none can be alive, since this takes `&mut self`)
    /// leaks it whole and starts a fresh one.
    ///
    /// `Bumped` already reclaims its memory on its own whenever a call finds the current
    /// chunk full and no value alive; call this between batches when the arena is shared
    /// (`&Bumped`) and the values of a batch overlap, so that no call found it idle, or to
    /// give back the memory of a leaked value's arena early.
    ///
    /// ```
    /// use dynptr_bump::{Bumped, Reset};
    /// use dynptr_core::DynPtr;
    ///
    /// let mut arena = Bumped::new();
    /// let kept: DynPtr<'_, dyn core::fmt::Debug, _> = DynPtr::new_shared(&arena, [1u64; 8]);
    /// let forgotten: DynPtr<'_, dyn core::fmt::Debug, _> = DynPtr::new_shared(&arena, 2u64);
    /// drop(kept);
    /// core::mem::forget(forgotten);
    /// assert_eq!(arena.reset(), Reset::Replaced { abandoned: 1 });
    /// assert_eq!(arena.reset(), Reset::Reused);
    /// ```
    pub fn reset(&mut self) -> Reset {
        match *self.counts.live.get_mut() {
            0 => {
                // Invariant 2: no value is counted, so none lives in the arena.
                self.arena.get_mut().reset();
                // Invariant 4: the block went with the reset.
                *self.counts.room.get_mut() = 0;
                Reset::Reused
            }
            abandoned => self.replace_abandoned(abandoned),
        }
    }

    /// Leaks the arena, which holds `abandoned` forgotten values, and starts a fresh one.
    #[cold]
    #[inline(never)]
    fn replace_abandoned(&mut self, abandoned: usize) -> Reset {
        let arena = self.arena.get_mut();
        let fresh = Bump::new();
        fresh.set_allocation_limit(arena.bump.allocation_limit());
        leak(core::mem::replace(&mut arena.bump, fresh));
        // `Arena` invariant 1: the block was memory of the leaked `Bump`.
        arena.last = Block::EMPTY;
        // Invariant 1: the fresh arena holds no value; the forgotten pointers still
        // refer to `live` but never touch it (they are never dropped).
        *self.counts.live.get_mut() = 0;
        // Invariant 4: no block.
        *self.counts.room.get_mut() = 0;
        Reset::Replaced { abandoned }
    }

    /// Calls `f` with the arena.
    #[inline(always)]
    fn with_arena<R>(&self, f: impl FnOnce(&Arena) -> R) -> R {
        // SAFETY: invariant 3: no `&mut Arena` exists while a method runs other than one
        // it created itself, and this reference lives only during `f`, which is bumpalo
        // code that does not reach back into this `Bumped`.
        f(unsafe { &*self.arena.get() })
    }

    /// Resets the arena, through `&self`, when no value is outstanding.
    #[inline(never)]
    fn reset_idle(&self) {
        // Invariant 3: no other `&Arena` exists now (only method running, on the arena's
        // only thread). Invariant 2: the caller saw a zero count (acquire) and only this
        // thread increments it, so no value lives in the arena.
        // SAFETY: unique access (invariant 3); resetting frees nothing in use (invariant 2).
        unsafe { (*self.arena.get()).reset() };
        // Invariant 4: the block went with the reset.
        self.counts.room.store(0, Ordering::Relaxed);
    }

    /// Bumps a block for a `T` out of the arena (a dangling one if `T` is zero-sized).
    #[inline(always)]
    fn bump_block<T>(&self) -> Option<NonNull<T>> {
        if size_of::<T>() == 0 {
            // A zero-sized value needs no memory: an aligned dangling pointer is valid
            // for it.
            return Some(NonNull::dangling());
        }
        self.with_arena(|arena| arena.bump.try_alloc_layout(Layout::new::<T>()))
            .ok()
            .map(NonNull::cast)
    }

    /// Memory for a `T` from the exclusive entry point, or `None` if the arena cannot
    /// grow. Nothing stored in the arena can be alive (`self` is borrowed exclusively),
    /// so: if values were forgotten, the arena is replaced; otherwise the previous
    /// value's block is reused when the new value fits it.
    ///
    /// Returns memory valid for a `T` and aligned for it (dangling for a zero-sized
    /// `T`) that nothing else uses until `live` drops back to zero, as the caller must
    /// set `live` to 1 before anything else reads it.
    #[inline(always)]
    fn exclusive_block<T>(&mut self) -> Option<NonNull<T>> {
        let outstanding = *self.counts.live.get_mut();
        if outstanding != 0 {
            // Some were forgotten: none can be alive.
            self.replace_abandoned(outstanding);
        }
        // `live` is zero now: the block's last occupant is gone (invariant 1), and
        // `room` may say so (invariant 4).
        *self.counts.room.get_mut() = self.arena.get_mut().last.size;
        match self.reusable_block::<T>() {
            Some(block) => Some(block),
            None => self.exclusive_block_slow(Layout::new::<T>()).map(NonNull::cast),
        }
    }

    /// The fast path of [`exclusive_block`](Self::exclusive_block): the previous value's
    /// block when nothing was forgotten and the new value fits it (or a dangling
    /// pointer for a zero-sized value), without any call; `None` sends the caller to
    /// `exclusive_block`. Same guarantee as `exclusive_block`.
    #[inline(always)]
    fn reusable_block<T>(&mut self) -> Option<NonNull<T>> {
        if size_of::<T>() == 0 {
            // A zero-sized value needs no memory: an aligned dangling pointer is valid
            // for it, once nothing forgotten is counted.
            return (*self.counts.live.get_mut() == 0).then(NonNull::dangling);
        }
        // Invariant 4: a non-zero `room` says that nothing is counted and that the block
        // is `room` bytes; zero fits no `T` of non-zero size. Blocks are aligned to at
        // least `BLOCK_ALIGN` (`Arena` invariant 1): for most values, the alignment test
        // folds away.
        let room = *self.counts.room.get_mut();
        let block = self.arena.get_mut().last;
        if room >= size_of::<T>() && (align_of::<T>() <= BLOCK_ALIGN || block.ptr.cast::<T>().is_aligned()) {
            Some(block.ptr.cast())
        } else {
            None
        }
    }

    /// [`Strategy::place_then`] when the fast path cannot serve: out of line, so that
    /// the fast path makes no call.
    #[cold]
    #[inline(never)]
    fn place_then_cold<'s, 'o, T: 's, D, M: FnOnce() -> T, R>(
        &'s mut self,
        out: &'o mut MaybeUninit<BumpPtr<'s, D>>,
        make: M,
        then: impl FnOnce(Placed<'o, 's, T, D, Self>) -> R,
    ) -> R
    where
        D: ?Sized + CoerceFrom<T> + 's,
    {
        let Some(raw) = self.exclusive_block::<T>() else {
            alloc::alloc::handle_alloc_error(Layout::new::<T>())
        };
        // SAFETY: `raw` comes straight from `exclusive_block`.
        then(unsafe { self.finish_exclusive(raw, out, make) })
    }

    /// [`exclusive_block`](Self::exclusive_block) when the block is missing or too small:
    /// resets the arena if its current chunk is full, then bumps a new block. `live` is
    /// zero.
    #[cold]
    #[inline(never)]
    fn exclusive_block_slow(&mut self, layout: Layout) -> Option<NonNull<u8>> {
        // Invariant 4: the block may go with a reset below, and the allocation may fail.
        *self.counts.room.get_mut() = 0;
        let arena = self.arena.get_mut();
        if !arena.fits_current_chunk(layout) {
            // Reclaim lazily, when the chunk is full: memory stays bounded by the chunk.
            // Invariant 2: the count is zero.
            arena.reset();
        }
        let ptr = arena
            .bump
            .try_alloc_layout(layout.align_to(BLOCK_ALIGN).ok()?)
            .ok()?;
        // `Arena` invariant 1: fresh memory bumpalo hands out to nobody else, aligned to
        // at least `BLOCK_ALIGN`.
        arena.last = Block {
            ptr,
            size: layout.size(),
        };
        // Invariant 4: `live` is zero.
        *self.counts.room.get_mut() = layout.size();
        Some(ptr)
    }

    /// Memory for a `T` from the shared entry point, or `None` if the arena cannot
    /// grow: other values may be alive; the arena is reset if none is, so that a batch
    /// of values that overlap starts in an empty chunk.
    ///
    /// Returns memory valid for a `T` and aligned for it (dangling for a zero-sized
    /// `T`) that nothing else uses until its value's count is released, as the caller
    /// must count it in `live`.
    #[inline(always)]
    fn shared_block<T>(&self) -> Option<NonNull<T>> {
        // Acquire: pairs with the release decrement of every dropped value, so their
        // last accesses to arena memory happen before it is reused.
        if self.counts.live.load(Ordering::Acquire) == 0 {
            self.reset_idle();
        }
        self.bump_block::<T>()
    }

    /// Builds a value from the exclusive entry point in memory from
    /// [`exclusive_block`](Self::exclusive_block); it is counted by `commit` (nothing
    /// else uses the arena before: it stays exclusively borrowed).
    ///
    /// # Safety
    ///
    /// `raw` came from `exclusive_block` on this `self`, with nothing in between.
    #[inline(always)]
    unsafe fn finish_exclusive<'s, 'o, T, D: ?Sized + 's>(
        &'s mut self,
        raw: NonNull<T>,
        out: &'o mut MaybeUninit<BumpPtr<'s, D>>,
        make: impl FnOnce() -> T,
    ) -> Placed<'o, 's, T, D, Bumped> {
        // SAFETY: `raw` is valid and aligned for a `T` in arena memory nothing else uses
        // (the caller's guarantee from `exclusive_block`), and the arena is not reset
        // while the strategy is borrowed. A panicking `make` leaves nothing to undo.
        unsafe { write_with(raw, make, || {}) };
        // What `room` goes back to when the value's pointer drops (the arena keeps its
        // block while the strategy is borrowed).
        let room = *self.counts.room.get_mut();
        let token = BumpToken {
            counts: &self.counts,
            exclusive: true,
            room,
        };
        // SAFETY: `raw` is the value just built in arena memory reserved for it, which
        // does not move, with the arena's provenance.
        unsafe { Placed::new(raw, NonNull::from(out), token) }
    }

    /// Counts a value from the shared entry point, in memory from
    /// [`shared_block`](Self::shared_block), and builds it there.
    ///
    /// # Safety
    ///
    /// `raw` came from `shared_block` on this `self`, with nothing in between.
    #[inline(always)]
    unsafe fn finish_shared<'s, 'o, T, D: ?Sized + 's, S>(
        &'s self,
        raw: NonNull<T>,
        out: &'o mut MaybeUninit<BumpPtr<'s, D>>,
        make: impl FnOnce() -> T,
    ) -> Placed<'o, 's, T, D, S>
    where
        S: Strategy<Ptr<'s, D> = BumpPtr<'s, D>, Token<'s> = BumpToken<'s>> + 's,
    {
        // Counted before `make` runs: `make` may use the arena itself (an eager return
        // whose body makes another dyn call), and must not see it idle and reset it.
        // A read-modify-write: values from this entry point may be dropped on other
        // threads meanwhile. Relaxed: only this thread reads the count to decide a
        // reset, with acquire.
        self.counts.live.fetch_add(1, Ordering::Relaxed);
        // Invariant 4 holds without clearing `room`: it is zero already. It is set only
        // while `live` is zero, so the first shared call after that saw `live` at zero
        // and reset the arena, which cleared it (`shared_block`), and every later one
        // found it zero.
        let counts = &self.counts;
        let live = &counts.live;
        // A panicking `make` leaves no value: its count is given back (Release, as a
        // drop does).
        let undo = || {
            live.fetch_sub(1, Ordering::Release);
        };
        // The count added just above keeps the arena from being reset (invariant 2)
        // until this value releases it; `shared_block` gave us `raw` for this value only.
        // SAFETY: `raw` is valid and aligned for a `T` in arena memory nothing else uses.
        unsafe { write_with(raw, make, undo) };
        let token = BumpToken {
            counts,
            exclusive: false,
            room: 0,
        };
        // SAFETY: as in `finish_exclusive`; the count keeps the memory reserved.
        unsafe { Placed::new(raw, NonNull::from(out), token) }
    }

    /// The shared entry point, for `Bumped` and `&Bumped` alike.
    #[inline(always)]
    fn try_place_shared_as<'s, 'o, T, D: ?Sized + 's, S, M: FnOnce() -> T>(
        &'s self,
        out: &'o mut MaybeUninit<BumpPtr<'s, D>>,
        make: M,
    ) -> Result<Placed<'o, 's, T, D, S>, Rejected<M>>
    where
        S: Strategy<Ptr<'s, D> = BumpPtr<'s, D>, Token<'s> = BumpToken<'s>> + 's,
    {
        match self.shared_block::<T>() {
            // SAFETY: `raw` comes straight from `shared_block`.
            Some(raw) => Ok(unsafe { self.finish_shared(raw, out, make) }),
            None => Err(Rejected::out_of_memory_for::<T>(make)),
        }
    }

    /// [`try_place_shared_as`](Self::try_place_shared_as), calling `handle_alloc_error`
    /// if the arena cannot grow.
    #[inline(always)]
    fn place_shared_as<'s, 'o, T, D: ?Sized + 's, S, M: FnOnce() -> T>(
        &'s self,
        out: &'o mut MaybeUninit<BumpPtr<'s, D>>,
        make: M,
    ) -> Placed<'o, 's, T, D, S>
    where
        S: Strategy<Ptr<'s, D> = BumpPtr<'s, D>, Token<'s> = BumpToken<'s>> + 's,
    {
        let Some(raw) = self.shared_block::<T>() else {
            alloc::alloc::handle_alloc_error(Layout::new::<T>())
        };
        // SAFETY: `raw` comes straight from `shared_block`.
        unsafe { self.finish_shared(raw, out, make) }
    }
}

/// What a value [`Bumped`] placed but has not committed keeps: the arena's counts and
/// the entry point (with the room to give back, on the exclusive one). Opaque.
#[derive(Debug)]
pub struct BumpToken<'s> {
    counts: &'s Counts,
    /// Which entry point (known at compile time where the token is made).
    exclusive: bool,
    /// On the exclusive entry point, its `room` before this value.
    room: usize,
}

/// Writes the pointer of a placed value (counting it, on the exclusive path).
#[inline(always)]
fn commit_bump<'o, 's, T, D, S>(placed: Placed<'o, 's, T, D, S>) -> Committed<'o>
where
    D: ?Sized + CoerceFrom<T> + 's,
    S: Strategy<Ptr<'s, D> = BumpPtr<'s, D>, Token<'s> = BumpToken<'s>> + 's,
{
    let (
        value,
        out,
        BumpToken {
            counts,
            exclusive,
            room,
        },
    ) = placed.into_parts();
    let room = if exclusive { room } else { SHARED };
    if exclusive {
        // The strategy is exclusively borrowed (`'s`): no other thread looks; the
        // count was zero (one value, counted once). `Bumped` invariant 4: `room` first.
        counts.room.store(0, Ordering::Relaxed);
        counts.live.store(1, Ordering::Relaxed);
    }
    // SAFETY: the value was built in arena memory reserved for it (outside `out`) and
    // is now counted once in `live` (exclusive: the count is 1, the strategy borrowed).
    unsafe { Held::commit(out, value, BumpBack { counts, room }) }
}

/// Gives back the count of a placed value that was dropped (the shared path counted it
/// when it was placed; the exclusive path counts only at commit).
#[inline(always)]
fn discard_bump<'s, T, D: ?Sized + 's, S>(placed: Placed<'_, 's, T, D, S>)
where
    S: Strategy<Token<'s> = BumpToken<'s>> + 's,
{
    let (
        _,
        _,
        BumpToken {
            counts, exclusive, ..
        },
    ) = placed.into_parts();
    if !exclusive {
        // Release: as a drop does (the value's last accesses happen before a reset).
        counts.live.fetch_sub(1, Ordering::Release);
    }
}

impl Default for Bumped {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Bumped {
    fn drop(&mut self) {
        let abandoned = *self.counts.live.get_mut();
        if abandoned != 0 {
            // Invariant 2: forgotten values live in the arena; it must never be freed.
            leak(core::mem::replace(&mut self.arena.get_mut().bump, Bump::new()));
        }
    }
}

impl fmt::Debug for Bumped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bumped")
            .field("allocated_bytes", &self.allocated_bytes())
            .field("outstanding", &self.outstanding())
            .finish()
    }
}

impl Strategy for Bumped {
    type Ptr<'s, D: ?Sized + 's>
        = BumpPtr<'s, D>
    where
        Self: 's;

    type Token<'s> = BumpToken<'s>;

    /// Stores the value in the previous value's block if it fits, else bumps a new one
    /// (resetting the arena if its chunk is full, replacing it if a value was forgotten).
    #[inline]
    fn try_place<'s, 'o, T, D, M>(
        &'s mut self,
        out: &'o mut MaybeUninit<BumpPtr<'s, D>>,
        make: M,
    ) -> Result<Placed<'o, 's, T, D, Self>, Rejected<M>>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        match self.exclusive_block::<T>() {
            // SAFETY: `raw` comes straight from `exclusive_block`.
            Some(raw) => Ok(unsafe { self.finish_exclusive(raw, out, make) }),
            None => Err(Rejected::out_of_memory_for::<T>(make)),
        }
    }

    #[inline]
    fn try_place_shared<'s, 'o, T, D, M>(
        &'s self,
        out: &'o mut MaybeUninit<BumpPtr<'s, D>>,
        make: M,
    ) -> Result<Placed<'o, 's, T, D, Self>, Rejected<M>>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        self.try_place_shared_as(out, make)
    }

    /// Like [`try_place`](Strategy::try_place); calls `handle_alloc_error` if the arena
    /// cannot grow, as `Box::new` does.
    #[inline]
    fn place<'s, 'o, T, D, M>(
        &'s mut self,
        out: &'o mut MaybeUninit<BumpPtr<'s, D>>,
        make: M,
    ) -> Placed<'o, 's, T, D, Self>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        let Some(raw) = self.exclusive_block::<T>() else {
            alloc::alloc::handle_alloc_error(Layout::new::<T>())
        };
        // SAFETY: `raw` comes straight from `exclusive_block`.
        unsafe { self.finish_exclusive(raw, out, make) }
    }

    #[inline]
    fn place_shared<'s, 'o, T, D, M>(
        &'s self,
        out: &'o mut MaybeUninit<BumpPtr<'s, D>>,
        make: M,
    ) -> Placed<'o, 's, T, D, Self>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        self.place_shared_as(out, make)
    }

    /// The fast path (nothing forgotten, the previous block fits) has no call; a new
    /// block and the rest of the call run out of line.
    #[inline(always)]
    fn place_then<'s, 'o, T, D, M, R>(
        &'s mut self,
        out: &'o mut MaybeUninit<BumpPtr<'s, D>>,
        make: M,
        then: impl FnOnce(Placed<'o, 's, T, D, Self>) -> R,
    ) -> R
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        match self.reusable_block::<T>() {
            // SAFETY: `raw` comes straight from `reusable_block`.
            Some(raw) => then(unsafe { self.finish_exclusive(raw, out, make) }),
            None => self.place_then_cold(out, make, then),
        }
    }

    #[inline]
    fn commit<'s, 'o, T, D>(placed: Placed<'o, 's, T, D, Self>) -> Committed<'o>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
    {
        commit_bump(placed)
    }

    #[inline]
    unsafe fn discard<'s, 'o, T, D>(placed: Placed<'o, 's, T, D, Self>)
    where
        T: 's,
        D: ?Sized + 's,
    {
        discard_bump(placed)
    }
}

/// A shared arena: every dyn value holding `&Bumped` stores into the same arena, which
/// is reset whenever a call finds no value alive (and by [`Bumped::reset`] between
/// batches). Both entry points behave as [`Bumped`]'s shared one.
impl Strategy for &Bumped {
    type Ptr<'s, D: ?Sized + 's>
        = BumpPtr<'s, D>
    where
        Self: 's;

    type Token<'s>
        = BumpToken<'s>
    where
        Self: 's;

    #[inline]
    fn try_place<'s, 'o, T, D, M>(
        &'s mut self,
        out: &'o mut MaybeUninit<BumpPtr<'s, D>>,
        make: M,
    ) -> Result<Placed<'o, 's, T, D, Self>, Rejected<M>>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        // `&mut &Bumped` borrows the reference exclusively, not the arena: other users
        // of the arena may have values alive.
        Self::try_place_shared(self, out, make)
    }

    #[inline]
    fn try_place_shared<'s, 'o, T, D, M>(
        &'s self,
        out: &'o mut MaybeUninit<BumpPtr<'s, D>>,
        make: M,
    ) -> Result<Placed<'o, 's, T, D, Self>, Rejected<M>>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        let arena: &'s Bumped = self;
        arena.try_place_shared_as(out, make)
    }

    #[inline]
    fn place<'s, 'o, T, D, M>(
        &'s mut self,
        out: &'o mut MaybeUninit<BumpPtr<'s, D>>,
        make: M,
    ) -> Placed<'o, 's, T, D, Self>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        Self::place_shared(self, out, make)
    }

    #[inline]
    fn place_shared<'s, 'o, T, D, M>(
        &'s self,
        out: &'o mut MaybeUninit<BumpPtr<'s, D>>,
        make: M,
    ) -> Placed<'o, 's, T, D, Self>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
        M: FnOnce() -> T,
    {
        let arena: &'s Bumped = self;
        arena.place_shared_as(out, make)
    }

    #[inline]
    fn commit<'s, 'o, T, D>(placed: Placed<'o, 's, T, D, Self>) -> Committed<'o>
    where
        T: 's,
        D: ?Sized + CoerceFrom<T> + 's,
    {
        commit_bump(placed)
    }

    #[inline]
    unsafe fn discard<'s, 'o, T, D>(placed: Placed<'o, 's, T, D, Self>)
    where
        T: 's,
        D: ?Sized + 's,
    {
        discard_bump(placed)
    }
}

// SAFETY: a `BumpPtr<'s, D>` touches, besides its pointee, only the arena's counts
// `live` and `room`, atomics: a pointer from the shared entry point decrements `live`
// with an atomic read-modify-write; one from the exclusive entry point stores zero
// into `live` and its room into `room`, which races with nothing because the strategy stays exclusively borrowed while that pointer exists
// (`BumpPtr` invariant 3), and the borrow can only end after the pointer's drop, on
// whichever thread, happened before (the means by which the pointer came back, such as
// a scoped thread's join, synchronises). The arena's memory of a counted value is not
// reused before its count is released (`Bumped` invariant 2), and a reset on the
// arena's thread acquires the count that every drop released.
unsafe impl ThreadSafePointers for Bumped {}

// SAFETY: as for `Bumped`: the pointers are the same type, all from the shared entry
// point.
unsafe impl ThreadSafePointers for &Bumped {}

/// The pointer [`Bumped`] returns: a value in the arena, and the arena's count of
/// outstanding values, which it decrements when dropped (core's [`Held`] with
/// [`BumpBack`]).
pub type BumpPtr<'s, D> = Held<D, BumpBack<'s>>;

/// How a [`BumpPtr`] gives its place back: it gives its count back to the arena (the
/// memory itself goes back with the arena's next reset).
#[derive(Debug)]
pub struct BumpBack<'s> {
    counts: &'s Counts,
    // Invariant: [`SHARED`], or the strategy is exclusively borrowed for `'s` by this
    // pointer: `live` is exactly 1, `room` zero, and nothing else accesses them
    // meanwhile; this is the `room` to give back, which the arena's `last` block still
    // has.
    room: usize,
}

// SAFETY: a `BumpPtr` is made only by `commit_bump`, for a value in memory of the arena
// whose count is `live` (or dangling and aligned, for a zero-sized value), counted once
// in `live`; until the count is given back that memory is neither reused nor freed
// (`Bumped` invariant 2). `give_back` gives it back once. A forgotten pointer never
// does, so its arena is never reset or freed but leaked (`Bumped` invariant 2). No
// layout needed. The count is atomic: giving it back from another thread is sound (see
// `ThreadSafePointers for Bumped`).
unsafe impl GiveBack for BumpBack<'_> {
    #[inline(always)]
    unsafe fn needs_layout(&self, _: NonNull<u8>) -> bool {
        false
    }

    #[inline(always)]
    unsafe fn give_back(self, _: NonNull<u8>, _: Option<Layout>) {
        if self.room != SHARED {
            // The invariant: the count is 1 and ours alone: no read-modify-write
            // needed. Relaxed: the strategy reads the counts only after its exclusive
            // borrow has ended, which orders these stores before that read. `room` as
            // it was before this value (`Bumped` invariant 4).
            self.counts.live.store(0, Ordering::Relaxed);
            self.counts.room.store(self.room, Ordering::Relaxed);
        } else {
            // Release: pairs with the acquire load before a reset, so this value's
            // last accesses to its memory happen before that memory is reused.
            self.counts.live.fetch_sub(1, Ordering::Release);
        }
    }
}

/// An arena that holds abandoned values, leaked on purpose: a node of a push-only list
/// whose head is [`LEAKED`], so the memory stays reachable from a static and leak
/// checkers do not report it.
struct Leaked {
    _arena: Bump,
    _next: AtomicPtr<Leaked>,
}

/// The list of leaked arenas (never read: it only keeps them reachable).
static LEAKED: AtomicPtr<Leaked> = AtomicPtr::new(ptr::null_mut());

/// How many arenas [`LEAKED`] holds.
static LEAKED_COUNT: AtomicUsize = AtomicUsize::new(0);

/// Keeps `arena`, which holds abandoned values, alive and reachable forever: it is
/// never reset and never freed.
#[cold]
#[inline(never)]
fn leak(arena: Bump) {
    let node: &'static Leaked = Box::leak(Box::new(Leaked {
        _arena: arena,
        _next: AtomicPtr::new(ptr::null_mut()),
    }));
    let raw = ptr::from_ref(node).cast_mut();
    let mut head = LEAKED.load(Ordering::Relaxed);
    loop {
        node._next.store(head, Ordering::Relaxed);
        match LEAKED.compare_exchange_weak(head, raw, Ordering::Release, Ordering::Relaxed) {
            Ok(_) => break,
            Err(current) => head = current,
        }
    }
    LEAKED_COUNT.fetch_add(1, Ordering::Relaxed);
}

/// How many arenas this process has leaked because values stored in them were forgotten
/// (`mem::forget` of a returned value): one per reset that found forgotten values.
///
/// ```
/// use dynptr_bump::{leaked_arenas, Bumped};
/// use dynptr_core::DynPtr;
///
/// let before = leaked_arenas();
/// let mut strategy = Bumped::new();
/// let p: DynPtr<'_, dyn core::fmt::Debug, _> = DynPtr::new(&mut strategy, [7u8; 16]);
/// core::mem::forget(p);
/// // The next call finds the forgotten value: the arena is leaked, a fresh one used.
/// drop(DynPtr::<'_, dyn core::fmt::Debug, _>::new(&mut strategy, 1u8));
/// assert!(leaked_arenas() > before);
/// ```
pub fn leaked_arenas() -> usize {
    LEAKED_COUNT.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dynptr_core::{DynPtr, OwningPtr};

    fn chunks(strategy: &mut Bumped) -> usize {
        strategy.arena.get_mut().bump.iter_allocated_chunks().count()
    }

    fn store<const N: usize>(strategy: &mut Bumped) -> usize {
        let p = strategy.adapt::<_, [u8; N]>([N as u8; N]);
        let addr = p.as_ptr().cast::<u8>().addr().get();
        assert_eq!(addr % BLOCK_ALIGN, 0);
        addr
    }

    #[test]
    fn a_full_chunk_is_reset_before_the_arena_grows() {
        let mut strategy = Bumped::new();
        // Each value outgrows the previous block and, soon, the chunk: without a reset
        // each would leave its chunk behind.
        store::<24>(&mut strategy);
        store::<300>(&mut strategy);
        store::<700>(&mut strategy);
        store::<1500>(&mut strategy);
        store::<3000>(&mut strategy);
        store::<6000>(&mut strategy);
        assert!(chunks(&mut strategy) <= 2, "{} chunks", chunks(&mut strategy));
    }

    fn room(strategy: &mut Bumped) -> usize {
        *strategy.counts.room.get_mut()
    }

    /// `room` (invariant 4) through the call path: kept by a ready call, cleared by a
    /// pending one and given back by its drop, cleared by a value forgotten on the
    /// shared path, after which the next exclusive call replaces the arena.
    #[test]
    fn room_follows_the_counts() {
        use dynptr_core::testkit::{block_on, call, call_shared, forget_reachable, poll_once, YieldOnce};

        let mut strategy = Bumped::new();
        assert_eq!(room(&mut strategy), 0, "no block yet");
        let pending = || async {
            YieldOnce::new().await;
            2u32
        };
        assert_eq!(block_on(call(&mut strategy, pending)), 2);
        let size = room(&mut strategy);
        assert_eq!(size, strategy.arena.get_mut().last.size);
        assert_ne!(size, 0);
        assert_eq!(block_on(call(&mut strategy, || async { 1u32 })), 1);
        assert_eq!(room(&mut strategy), size, "kept by a ready call");
        assert_eq!(block_on(call(&mut strategy, pending)), 2);
        assert_eq!(room(&mut strategy), size, "given back by the pointer's drop");
        let mut forgotten = Box::pin(call_shared(&strategy, pending));
        assert!(poll_once(forgotten.as_mut()).is_pending());
        forget_reachable(forgotten);
        assert_eq!(room(&mut strategy), 0, "cleared by the shared count");
        let before = leaked_arenas();
        assert_eq!(block_on(call(&mut strategy, || async { 4u32 })), 4);
        assert!(
            leaked_arenas() > before,
            "the arena is left to the forgotten value"
        );
        assert_ne!(room(&mut strategy), 0, "a fresh block, free");
    }

    #[test]
    fn every_reset_forgets_the_exclusive_block() {
        let mut strategy = Bumped::new();
        store::<64>(&mut strategy);
        assert_ne!(strategy.arena.get_mut().last.size, 0);
        assert_eq!(strategy.reset(), Reset::Reused);
        assert_eq!(strategy.arena.get_mut().last.size, 0, "explicit reset");

        store::<64>(&mut strategy);
        drop(DynPtr::<'_, u8, _>::new_shared(&strategy, 1));
        assert_eq!(
            strategy.arena.get_mut().last.size,
            0,
            "reset of an idle shared call"
        );

        let old = store::<64>(&mut strategy);
        // Forgotten: the next call leaks the arena, block included.
        let forgotten = strategy.adapt::<_, [u8; 8]>([7; 8]);
        assert_eq!(forgotten.as_ptr().cast::<u8>().addr().get(), old);
        dynptr_core::testkit::forget_reachable(forgotten);
        assert_ne!(
            store::<64>(&mut strategy),
            old,
            "the block of the leaked arena was reused"
        );
    }
}
