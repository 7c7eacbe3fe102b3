//! Allocators for tests, examples and benchmarks: the counting global allocator
//! ([`CountingGlobalAllocator`]), a counting `allocator-api2` allocator
//! ([`CountingAllocator`]) and a fixed buffer ([`FixedBuf`]).

use alloc::vec::Vec;
use core::alloc::{GlobalAlloc, Layout};
use core::cell::{Cell, UnsafeCell};
use core::fmt;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicBool, AtomicIsize, AtomicU64, AtomicUsize, Ordering};
use std::alloc::System;
use std::sync::Mutex;

use allocator_api2::alloc::{AllocError, Allocator};

std::thread_local! {
    // `const` init of a type without drop glue: bumping it never allocates and never
    // registers a destructor, so the global allocator may use it.
    static THREAD_ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

/// Whether [`count_global`] is running: the process-wide counters below move only then.
static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static BYTES: AtomicUsize = AtomicUsize::new(0);
/// Bytes allocated minus bytes freed while counting (blocks from before may be freed
/// meanwhile, so this can go negative).
static GROWTH: AtomicIsize = AtomicIsize::new(0);
/// The largest [`GROWTH`] since [`count_global`] started.
static PEAK_GROWTH: AtomicIsize = AtomicIsize::new(0);

/// `System`, counting allocations two ways, for "allocates nothing" tests and for
/// examples and benchmarks that report allocations:
///
/// - always, per thread: [`thread_allocations`] (tests run on parallel threads, so a
///   process-wide count would see the other tests);
/// - process-wide, across all threads (a runtime's workers allocate too), only inside
///   [`count_global`]: allocations, bytes, the heap's growth and its peak
///   ([`GlobalCounts`]).
///
/// Outside `count_global` an allocation pays the thread-local increment and one relaxed
/// load of the switch; inside, a few atomic read-modify-writes (several nanoseconds:
/// time with the switch off). A `realloc` counts as one allocation of its new size.
///
/// # Examples
///
/// ```
/// use dynptr_core::testkit::{count_global, thread_allocations, CountingGlobalAllocator};
///
/// #[global_allocator]
/// static GLOBAL: CountingGlobalAllocator = CountingGlobalAllocator;
///
/// fn main() {
///     let before = thread_allocations();
///     let (boxed, counts) = count_global(|| Box::new([0u8; 100]));
///     assert_eq!(thread_allocations() - before, 1);
///     assert_eq!((counts.allocations, counts.bytes, counts.growth), (1, 100, 100));
///     let ((), counts) = count_global(|| drop(boxed));
///     assert_eq!((counts.allocations, counts.growth, counts.peak_growth), (0, -100, 0));
/// }
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct CountingGlobalAllocator;

impl CountingGlobalAllocator {
    #[inline(always)]
    fn allocated(size: usize) {
        // During thread teardown the slot may be gone; those allocations matter to no test.
        let _ = THREAD_ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            BYTES.fetch_add(size, Ordering::Relaxed);
            grow(size as isize);
        }
    }
}

#[inline(always)]
fn grow(delta: isize) {
    let now = GROWTH.fetch_add(delta, Ordering::Relaxed) + delta;
    PEAK_GROWTH.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
// `System`'s guarantees (and the caller's obligations) carry over; the only additions
// are a thread-local counter and atomics, none of which allocates.
unsafe impl GlobalAlloc for CountingGlobalAllocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Self::allocated(layout.size());
        // SAFETY: forwarded: the caller upholds `GlobalAlloc::alloc`'s contract
        // (a non-zero-sized `layout`).
        unsafe { System.alloc(layout) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Self::allocated(layout.size());
        // SAFETY: forwarded: the caller upholds `GlobalAlloc::alloc_zeroed`'s contract
        // (a non-zero-sized `layout`).
        unsafe { System.alloc_zeroed(layout) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // The new block counts before the old one goes, as when `realloc` moves it.
        Self::allocated(new_size);
        if COUNTING.load(Ordering::Relaxed) {
            grow(-(layout.size() as isize));
        }
        // SAFETY: forwarded: the caller guarantees `ptr` came from this allocator (so
        // from `System`) with `layout`, and that `new_size` is valid for it.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            grow(-(layout.size() as isize));
        }
        // SAFETY: forwarded: the caller guarantees `ptr` came from this allocator (so
        // from `System`) with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Allocations this thread made through [`CountingGlobalAllocator`] so far (0 if it is
/// not the global allocator).
pub fn thread_allocations() -> usize {
    THREAD_ALLOCATIONS.with(Cell::get)
}

/// What [`count_global`] saw, process-wide, while its closure ran.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GlobalCounts {
    /// Allocations (a `realloc` is one).
    pub allocations: usize,
    /// Bytes asked for by those allocations (a `realloc` asks for its new size).
    pub bytes: usize,
    /// Bytes allocated minus bytes freed: how much the heap grew (negative if it shrank).
    pub growth: isize,
    /// The largest growth at any moment, at least 0.
    pub peak_growth: isize,
}

/// Turns the switch off when [`count_global`]'s closure returns or unwinds.
struct CountingOff;

impl Drop for CountingOff {
    fn drop(&mut self) {
        COUNTING.store(false, Ordering::SeqCst);
    }
}

/// Runs `f` with [`CountingGlobalAllocator`]'s process-wide counters on, and returns
/// what it counted meanwhile, on every thread. All zeros if it is not the global
/// allocator.
///
/// # Panics
///
/// If another `count_global` is running (nested, or on another thread): the counts
/// would mix. Where tests run in parallel, keep such a test alone in its binary.
pub fn count_global<R>(f: impl FnOnce() -> R) -> (R, GlobalCounts) {
    let growth = GROWTH.load(Ordering::SeqCst);
    PEAK_GROWTH.store(growth, Ordering::SeqCst);
    let (allocations, bytes) = (ALLOCATIONS.load(Ordering::SeqCst), BYTES.load(Ordering::SeqCst));
    assert!(
        !COUNTING.swap(true, Ordering::SeqCst),
        "dynptr testkit: count_global calls overlap"
    );
    let off = CountingOff;
    let out = f();
    drop(off);
    let counts = GlobalCounts {
        allocations: ALLOCATIONS.load(Ordering::SeqCst) - allocations,
        bytes: BYTES.load(Ordering::SeqCst) - bytes,
        growth: GROWTH.load(Ordering::SeqCst) - growth,
        peak_growth: PEAK_GROWTH.load(Ordering::SeqCst) - growth,
    };
    (out, counts)
}

/// An `allocator-api2` allocator that forwards to `Global`, counts, and checks every
/// deallocation against the blocks it handed out, for the tests of strategies that take
/// an allocator (`Boxed::new_in(&COUNTER)`, `Cached::new_in(&COUNTER)`): one `static` per
/// test, since tests run in parallel.
///
/// It keeps a table of the live blocks (their pointers, so that Miri's leak checker sees
/// an abandoned block as reachable, and their layouts). A deallocation of a block it does
/// not hold, or with another layout than the allocating one, is a contract breach: it is
/// counted in [`errors`](Self::errors) and *not* forwarded (that would be undefined
/// behaviour), or, for an allocator made with [`strict`](Self::strict), it panics. So is
/// a zero-sized request (strategies keep zero-sized values out of allocators); it is
/// still served. [`fail_above`](Self::fail_above) makes larger requests fail, for
/// out-of-memory paths.
///
/// ```
/// use dynptr_core::testkit::CountingAllocator;
/// use allocator_api2::alloc::{Allocator, Layout};
///
/// static COUNTER: CountingAllocator = CountingAllocator::new();
/// let layout = Layout::new::<u64>();
/// let block = (&COUNTER).allocate(layout).unwrap();
/// assert_eq!((COUNTER.allocs(), COUNTER.deallocs(), COUNTER.bytes()), (1, 0, 8));
/// assert!(COUNTER.is_live(block.cast::<u8>().as_ptr().addr()));
/// // SAFETY: allocated just above with `layout`.
/// unsafe { (&COUNTER).deallocate(block.cast(), layout) };
/// assert_eq!(COUNTER.counts(), (1, 1));
/// assert_eq!((COUNTER.live_blocks(), COUNTER.errors()), (0, 0));
///
/// COUNTER.fail_above(4);
/// assert!((&COUNTER).allocate(layout).is_err());
/// assert_eq!(COUNTER.failures(), 1);
/// ```
#[derive(Debug, Default)]
pub struct CountingAllocator {
    allocs: AtomicUsize,
    deallocs: AtomicUsize,
    bytes: AtomicUsize,
    errors: AtomicUsize,
    failures: AtomicUsize,
    /// Requests larger than this fail (`usize::MAX` until `fail_above`).
    limit: AtomicUsize,
    strict: bool,
    /// The live blocks and the layouts they were allocated with; the latest layout.
    table: Mutex<Table>,
}

#[derive(Debug, Default)]
struct Table {
    live: Vec<(Block, Layout)>,
    last: Option<Layout>,
}

/// A live block's address, with its provenance (Miri's leak checker follows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Block(NonNull<u8>);

// SAFETY: the pointer is only compared and kept, never dereferenced, so sending it to
// another thread (inside the table's mutex) cannot race on the memory it points to.
unsafe impl Send for Block {}

impl CountingAllocator {
    /// No allocation yet; a contract breach is counted in [`errors`](Self::errors).
    pub const fn new() -> Self {
        Self::with(false)
    }

    /// No allocation yet; a contract breach panics (in `deallocate`, possibly while
    /// unwinding: an abort, which still fails the test).
    pub const fn strict() -> Self {
        Self::with(true)
    }

    const fn with(strict: bool) -> Self {
        CountingAllocator {
            allocs: AtomicUsize::new(0),
            deallocs: AtomicUsize::new(0),
            bytes: AtomicUsize::new(0),
            errors: AtomicUsize::new(0),
            failures: AtomicUsize::new(0),
            limit: AtomicUsize::new(usize::MAX),
            strict,
            table: Mutex::new(Table {
                live: Vec::new(),
                last: None,
            }),
        }
    }

    /// Blocks allocated so far (successful requests).
    pub fn allocs(&self) -> usize {
        self.allocs.load(Ordering::SeqCst)
    }

    /// Deallocations so far (contract breaches included).
    pub fn deallocs(&self) -> usize {
        self.deallocs.load(Ordering::SeqCst)
    }

    /// Bytes of the successful requests so far.
    pub fn bytes(&self) -> usize {
        self.bytes.load(Ordering::SeqCst)
    }

    /// `(allocs, deallocs)`.
    pub fn counts(&self) -> (usize, usize) {
        (self.allocs(), self.deallocs())
    }

    /// Contract breaches so far: deallocations of blocks it does not hold or with
    /// another layout, and zero-sized requests. Every test should end with 0.
    pub fn errors(&self) -> usize {
        self.errors.load(Ordering::SeqCst)
    }

    /// Requests refused by [`fail_above`](Self::fail_above) (or by `Global`).
    pub fn failures(&self) -> usize {
        self.failures.load(Ordering::SeqCst)
    }

    /// Makes requests larger than `bytes` fail from now on.
    pub fn fail_above(&self, bytes: usize) {
        self.limit.store(bytes, Ordering::SeqCst);
    }

    /// The blocks allocated and not deallocated, as `(address, layout)`, oldest first.
    pub fn live(&self) -> Vec<(usize, Layout)> {
        let table = self.table();
        table
            .live
            .iter()
            .map(|(b, l)| (b.0.as_ptr().addr(), *l))
            .collect()
    }

    /// How many blocks are allocated and not deallocated.
    pub fn live_blocks(&self) -> usize {
        self.table().live.len()
    }

    /// Whether the block at `addr` is allocated and not deallocated.
    pub fn is_live(&self, addr: usize) -> bool {
        self.table().live.iter().any(|(b, _)| b.0.as_ptr().addr() == addr)
    }

    /// The layout of the latest successful request.
    pub fn last_layout(&self) -> Option<Layout> {
        self.table().last
    }

    fn table(&self) -> std::sync::MutexGuard<'_, Table> {
        // A panic while the lock is held leaves the table consistent (every update is
        // one push or one removal), so a poisoned lock is still usable.
        self.table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn breach(&self, what: &str) {
        self.errors.fetch_add(1, Ordering::SeqCst);
        if self.strict {
            panic!("dynptr testkit: allocator contract broken: {what}");
        }
    }
}

// SAFETY: every block comes from `Global` (valid until deallocated, whatever becomes of
// this allocator), and goes back to it only when the table holds it with the very layout
// the caller passes (so once, with the allocating layout); anything else is kept
// (leaked) and counted. References to it (`Boxed::new_in(&COUNTER)`, through
// allocator-api2's `impl Allocator for &A`) share its one table.
unsafe impl Allocator for CountingAllocator {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        if layout.size() == 0 {
            self.breach("a zero-sized request");
        }
        if layout.size() > self.limit.load(Ordering::SeqCst) {
            self.failures.fetch_add(1, Ordering::SeqCst);
            return Err(AllocError);
        }
        let block = allocator_api2::alloc::Global.allocate(layout).inspect_err(|_| {
            self.failures.fetch_add(1, Ordering::SeqCst);
        })?;
        let mut table = self.table();
        table.live.push((Block(block.cast()), layout));
        table.last = Some(layout);
        drop(table);
        self.allocs.fetch_add(1, Ordering::SeqCst);
        self.bytes.fetch_add(layout.size(), Ordering::SeqCst);
        Ok(block)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        self.deallocs.fetch_add(1, Ordering::SeqCst);
        let mut table = self.table();
        let Some(i) = table.live.iter().position(|(b, _)| b.0 == ptr) else {
            drop(table);
            return self.breach("deallocating a block it does not hold (a double free?)");
        };
        if table.live[i].1 != layout {
            drop(table);
            return self.breach("deallocating with another layout than the allocating one");
        }
        table.live.swap_remove(i);
        drop(table);
        // SAFETY: the table held `ptr`, allocated by `Global` with `layout` (checked
        // above) and not deallocated since (its entry is removed now, so this runs once
        // per allocation); the caller does not use it again.
        unsafe { allocator_api2::alloc::Global.deallocate(ptr, layout) }
    }
}

/// The buffer itself, page-aligned.
#[repr(C, align(4096))]
struct Page<const N: usize>(UnsafeCell<[u8; N]>);

/// A fixed-buffer `allocator-api2` allocator over `N` bytes, as a kernel brings before
/// it has a heap: a bump pointer that steps back when the topmost block is freed (so a
/// call-after-call pattern reuses the same bytes) and goes back to the start when the
/// last live block is freed. Running out is an [`AllocError`], never a panic.
///
/// The buffer is page-aligned (4096), so any alignment up to that is served without
/// waste at the start. A value `mem::forget`-ed while it lives in the buffer (dynptr
/// abandons it: its memory must stay valid forever) keeps its block counted as live,
/// so the bump pointer never steps back over it: that memory is never handed out again.
///
/// Use it as `&'static FixedBuf<N>` (a `static`), e.g. `Boxed::new_in(&HEAP)` or
/// `Cached::new_in(&HEAP)`; [`stats`](Self::stats) says what it did.
///
/// # Examples
///
/// ```
/// use allocator_api2::alloc::{Allocator, Layout};
/// use dynptr_core::testkit::{FixedBuf, HeapStats};
///
/// static HEAP: FixedBuf<256> = FixedBuf::new();
/// let layout = Layout::from_size_align(100, 64).unwrap();
/// let block = HEAP.allocate(layout).unwrap();
/// assert!(HEAP.contains(block.cast::<u8>().as_ptr()));
/// assert_eq!(block.cast::<u8>().as_ptr().addr() % 64, 0);
/// // Out of room: an error, not a panic.
/// assert!(HEAP.allocate(Layout::new::<[u8; 200]>()).is_err());
/// // SAFETY: allocated just above by `HEAP` with `layout`, and not used again.
/// unsafe { HEAP.deallocate(block.cast(), layout) };
/// assert_eq!(
///     HEAP.stats(),
///     HeapStats { allocs: 1, deallocs: 1, failures: 1, live: 0, high_water: 100, errors: 0 }
/// );
/// ```
///
/// # Invariants
///
/// 1. `state` packs `(offset, live)` as `offset | live << 32`: the bytes `[0, offset)` of
///    the buffer may have been handed out, and `live` blocks of nonzero size are
///    allocated and not yet deallocated. `offset <= N < 2^32`.
/// 2. Every block handed out and not yet deallocated lies in `[0, offset)`, and no two
///    such blocks overlap: a block is carved from `[offset, N)` by the same atomic
///    update that raises `offset`; `offset` goes back to a block's start only in the
///    update that deallocates that block while it ends at `offset` (the others, disjoint
///    from it and below `offset`, lie below its start), and to 0 only in the update that
///    takes `live` from 1 to 0, when no block is outstanding.
/// 3. Nothing reads or writes the bytes except through the block pointers handed out.
pub struct FixedBuf<const N: usize> {
    bytes: Page<N>,
    state: AtomicU64,
    allocs: AtomicUsize,
    deallocs: AtomicUsize,
    failures: AtomicUsize,
    errors: AtomicUsize,
    high_water: AtomicUsize,
}

// SAFETY: the bytes are only reached through blocks (invariant 3), and invariant 2
// makes every outstanding block disjoint from every other, so each block is accessed by
// its owner only; all bookkeeping is atomic.
unsafe impl<const N: usize> Sync for FixedBuf<N> {}

/// What a [`FixedBuf`] has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeapStats {
    /// Blocks handed out.
    pub allocs: usize,
    /// Blocks given back.
    pub deallocs: usize,
    /// Requests refused: out of memory.
    pub failures: usize,
    /// Blocks allocated and not given back (live, or abandoned).
    pub live: usize,
    /// The highest offset reached, in bytes.
    pub high_water: usize,
    /// Deallocations that broke the allocator contract (must stay 0).
    pub errors: usize,
}

const LIVE_SHIFT: u32 = 32;
const OFFSET_MASK: u64 = (1 << LIVE_SHIFT) - 1;

impl<const N: usize> FixedBuf<N> {
    /// An empty buffer.
    ///
    /// # Panics
    ///
    /// At compile time in a `static`, if `N` does not fit 32 bits.
    pub const fn new() -> Self {
        assert!((N as u64) < 1 << LIVE_SHIFT, "FixedBuf: N must fit 32 bits");
        FixedBuf {
            bytes: Page(UnsafeCell::new([0; N])),
            state: AtomicU64::new(0),
            allocs: AtomicUsize::new(0),
            deallocs: AtomicUsize::new(0),
            failures: AtomicUsize::new(0),
            errors: AtomicUsize::new(0),
            high_water: AtomicUsize::new(0),
        }
    }

    /// The buffer's size in bytes.
    pub const fn size(&self) -> usize {
        N
    }

    fn base(&self) -> *mut u8 {
        self.bytes.0.get().cast()
    }

    /// Whether `ptr` points into the buffer.
    pub fn contains(&self, ptr: *const u8) -> bool {
        let base = self.base().addr();
        (base..base + N).contains(&ptr.addr())
    }

    /// The counters.
    pub fn stats(&self) -> HeapStats {
        let state = self.state.load(Ordering::SeqCst);
        HeapStats {
            allocs: self.allocs.load(Ordering::SeqCst),
            deallocs: self.deallocs.load(Ordering::SeqCst),
            failures: self.failures.load(Ordering::SeqCst),
            live: (state >> LIVE_SHIFT) as usize,
            high_water: self.high_water.load(Ordering::SeqCst),
            errors: self.errors.load(Ordering::SeqCst),
        }
    }

    /// Carves `layout` from `[offset, N)`; `None` when it does not fit.
    fn bump(&self, layout: Layout) -> Option<NonNull<[u8]>> {
        let base = self.base();
        let mut state = self.state.load(Ordering::SeqCst);
        let (start, end) = loop {
            let (offset, live) = ((state & OFFSET_MASK) as usize, state >> LIVE_SHIFT);
            let start = base
                .addr()
                .checked_add(offset)?
                .checked_next_multiple_of(layout.align())?
                - base.addr();
            let end = start.checked_add(layout.size())?;
            if end > N {
                return None;
            }
            let new = end as u64 | (live + 1) << LIVE_SHIFT;
            match self
                .state
                .compare_exchange(state, new, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(_) => break (start, end),
                Err(now) => state = now,
            }
        };
        self.high_water.fetch_max(end, Ordering::SeqCst);
        // In bounds (`start + size <= N`), with the buffer's provenance.
        let block = NonNull::new(base.wrapping_add(start))?;
        Some(NonNull::slice_from_raw_parts(block, layout.size()))
    }
}

impl<const N: usize> Default for FixedBuf<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> fmt::Debug for FixedBuf<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FixedBuf")
            .field("size", &N)
            .field("stats", &self.stats())
            .finish()
    }
}

// SAFETY: a returned block of nonzero size lies inside the buffer (valid as long as the
// `FixedBuf`, which the `&FixedBuf` the caller allocates through outlives), is aligned
// to `layout.align()`, is `layout.size()` bytes long, and overlaps no other outstanding
// block (invariant 2); it stays valid until its `deallocate`: its bytes are handed out
// again only after that (the bump pointer steps back over a block only when that block
// is deallocated, or over everything when every block is). A zero-sized request gets a
// dangling, aligned pointer and touches no bookkeeping. `FixedBuf` is not `Clone`, so
// every block is freed through the allocator that made it.
unsafe impl<const N: usize> Allocator for FixedBuf<N> {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        if layout.size() == 0 {
            // Aligned, non-null, never dereferenced for zero bytes.
            let dangling = NonNull::new(core::ptr::without_provenance_mut::<u8>(layout.align()));
            return dangling
                .map(|p| NonNull::slice_from_raw_parts(p, 0))
                .ok_or(AllocError);
        }
        match self.bump(layout) {
            Some(block) => {
                self.allocs.fetch_add(1, Ordering::SeqCst);
                Ok(block)
            }
            None => {
                self.failures.fetch_add(1, Ordering::SeqCst);
                Err(AllocError)
            }
        }
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        if layout.size() == 0 {
            return;
        }
        if !self.contains(ptr.as_ptr()) {
            self.errors.fetch_add(1, Ordering::SeqCst);
            return;
        }
        // Where the block starts and ends, as offsets (`contains` checked it is inside).
        let start = ptr.as_ptr().addr() - self.base().addr();
        let end = start + layout.size();
        let mut state = self.state.load(Ordering::SeqCst);
        loop {
            let (offset, live) = ((state & OFFSET_MASK) as usize, state >> LIVE_SHIFT);
            let new = match live {
                0 => {
                    self.errors.fetch_add(1, Ordering::SeqCst);
                    return;
                }
                // The last live block: the whole buffer is free again.
                1 => 0,
                // The topmost block: the bump pointer goes back to its start (every other
                // outstanding block lies below it, invariant 2).
                _ if end == offset => start as u64 | (live - 1) << LIVE_SHIFT,
                _ => offset as u64 | (live - 1) << LIVE_SHIFT,
            };
            match self
                .state
                .compare_exchange(state, new, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(_) => break,
                Err(now) => state = now,
            }
        }
        self.deallocs.fetch_add(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    /// Alignment, the bump pointer stepping back, reset, refusal, zero-sized requests.
    #[test]
    fn fixed_buf_allocates_and_reclaims() {
        static HEAP: FixedBuf<4096> = FixedBuf::new();
        let heap = &HEAP;

        let a = heap.allocate(layout(10, 1)).unwrap().cast::<u8>();
        let b = heap.allocate(layout(100, 64)).unwrap().cast::<u8>();
        assert_eq!(b.as_ptr().addr() % 64, 0);
        assert!(b.as_ptr().addr() >= a.as_ptr().addr() + 10);
        assert_eq!(heap.stats().high_water, 64 + 100);
        let c = heap.allocate(layout(4096 - 164, 1)).unwrap().cast::<u8>();
        assert!(heap.allocate(layout(1, 1)).is_err(), "the buffer is full");
        assert_eq!(heap.stats().failures, 1);
        // SAFETY: `c` was allocated by `heap` with this layout, and is freed once.
        unsafe { heap.deallocate(c, layout(4096 - 164, 1)) };
        // The topmost block went back: the same bytes come out again.
        let c2 = heap.allocate(layout(4096 - 164, 1)).unwrap().cast::<u8>();
        assert_eq!(c2, c);
        // SAFETY: `c2` was allocated by `heap` with this layout, and is freed once.
        unsafe { heap.deallocate(c2, layout(4096 - 164, 1)) };
        // A block below the top: freed, but the bump pointer stays (until empty).
        // SAFETY: `a` was allocated by `heap` with this layout, and is freed once.
        unsafe { heap.deallocate(a, layout(10, 1)) };
        assert_eq!(heap.stats().live, 1);
        let d = heap.allocate(layout(8, 8)).unwrap().cast::<u8>();
        assert!(
            d.as_ptr().addr() >= b.as_ptr().addr() + 100,
            "memory below a live block came back"
        );
        // SAFETY: `d` was allocated by `heap` with this layout, and is freed once.
        unsafe { heap.deallocate(d, layout(8, 8)) };
        // SAFETY: `b` was allocated by `heap` with this layout, and is freed once.
        unsafe { heap.deallocate(b, layout(100, 64)) };
        // Empty: back to the start, page-aligned.
        let e = heap.allocate(layout(4096, 4096)).unwrap().cast::<u8>();
        assert_eq!(e, a, "the empty buffer starts over");
        assert_eq!(e.as_ptr().addr() % 4096, 0);
        // SAFETY: `e` was allocated by `heap` with this layout, and is freed once.
        unsafe { heap.deallocate(e, layout(4096, 4096)) };

        let zst = heap.allocate(layout(0, 16)).unwrap();
        assert_eq!(zst.len(), 0);
        assert_eq!(zst.cast::<u8>().as_ptr().addr() % 16, 0);
        // SAFETY: a zero-sized block from `heap`, freed once.
        unsafe { heap.deallocate(zst.cast(), layout(0, 16)) };
        let stats = heap.stats();
        assert_eq!(
            (stats.allocs, stats.deallocs, stats.live, stats.errors),
            (6, 6, 0, 0)
        );
    }

    /// Blocks are writable over their whole length, and hold what was written while
    /// their neighbours are written too.
    #[test]
    fn blocks_are_disjoint_and_writable() {
        static HEAP: FixedBuf<1024> = FixedBuf::new();
        let sizes = [(1, 1), (7, 2), (24, 8), (33, 16), (64, 64), (5, 1)];
        let blocks: [NonNull<[u8]>; 6] =
            core::array::from_fn(|i| HEAP.allocate(layout(sizes[i].0, sizes[i].1)).unwrap());
        for (i, (block, &(size, align))) in blocks.iter().zip(&sizes).enumerate() {
            assert_eq!(block.len(), size);
            assert_eq!(
                block.cast::<u8>().as_ptr().addr() % align,
                0,
                "block {i} misaligned"
            );
            // SAFETY: the block is `size` bytes, allocated above and not yet freed; no
            // other reference to its bytes exists.
            unsafe { block.cast::<u8>().as_ptr().write_bytes(i as u8 + 1, size) };
        }
        for (i, (block, &(size, align))) in blocks.iter().zip(&sizes).enumerate() {
            // SAFETY: as above; the bytes were initialised by `write_bytes`.
            let bytes = unsafe { core::slice::from_raw_parts(block.cast::<u8>().as_ptr(), size) };
            assert!(
                bytes.iter().all(|&b| b == i as u8 + 1),
                "block {i} was overwritten"
            );
            // SAFETY: allocated by `HEAP` with this layout, freed once; `bytes` is dead.
            unsafe { HEAP.deallocate(block.cast(), layout(size, align)) };
        }
        assert_eq!(HEAP.stats().live, 0);
    }

    /// Running out is an error, not a panic, for one large request and for many small
    /// ones; the buffer serves again once blocks are freed.
    #[test]
    fn exhaustion_is_an_alloc_error() {
        static HEAP: FixedBuf<256> = FixedBuf::new();
        assert_eq!(HEAP.allocate(layout(257, 1)), Err(AllocError));
        let mut held = [None; 8];
        for slot in &mut held {
            *slot = Some(HEAP.allocate(layout(32, 32)).unwrap());
        }
        assert_eq!(HEAP.allocate(layout(1, 1)), Err(AllocError));
        assert_eq!(HEAP.stats().failures, 2);
        for block in held.iter().rev().flatten() {
            // SAFETY: allocated by `HEAP` with this layout, freed once.
            unsafe { HEAP.deallocate(block.cast(), layout(32, 32)) };
        }
        let whole = HEAP.allocate(layout(256, 256)).unwrap();
        // SAFETY: allocated by `HEAP` with this layout, freed once.
        unsafe { HEAP.deallocate(whole.cast(), layout(256, 256)) };
        let stats = HEAP.stats();
        assert_eq!(
            (stats.allocs, stats.deallocs, stats.live, stats.errors),
            (9, 9, 0, 0)
        );
    }

    /// A block from elsewhere, or a second free, is recorded as an error, not acted on.
    #[test]
    fn contract_breaks_are_recorded() {
        static HEAP: FixedBuf<64> = FixedBuf::new();
        let mut outside = 0u64;
        // SAFETY: a contract break on purpose: `deallocate` checks the pointer is not
        // in its buffer and touches nothing.
        unsafe { HEAP.deallocate(NonNull::from(&mut outside).cast(), Layout::new::<u64>()) };
        let block = HEAP.allocate(layout(8, 8)).unwrap();
        // SAFETY: allocated by `HEAP` with this layout, freed once.
        unsafe { HEAP.deallocate(block.cast(), layout(8, 8)) };
        // SAFETY: a contract break on purpose: with no live block, `deallocate` records
        // an error and touches nothing.
        unsafe { HEAP.deallocate(block.cast(), layout(8, 8)) };
        assert_eq!(HEAP.stats().errors, 2);
    }

    /// Threads allocating and freeing together never get overlapping blocks.
    #[test]
    fn threads_share_the_buffer() {
        static HEAP: FixedBuf<4096> = FixedBuf::new();
        let rounds = if cfg!(miri) { 8 } else { 500 };
        std::thread::scope(|s| {
            for t in 0..4u8 {
                s.spawn(move || {
                    for _ in 0..rounds {
                        let Ok(block) = HEAP.allocate(layout(48, 16)) else {
                            continue;
                        };
                        let p = block.cast::<u8>().as_ptr();
                        // SAFETY: 48 bytes, allocated above, not yet freed, ours alone.
                        unsafe { p.write_bytes(t, 48) };
                        std::thread::yield_now();
                        // SAFETY: as above; initialised by `write_bytes`.
                        let bytes = unsafe { core::slice::from_raw_parts(p, 48) };
                        assert!(bytes.iter().all(|&b| b == t), "a block was shared");
                        // SAFETY: allocated by `HEAP` with this layout, freed once.
                        unsafe { HEAP.deallocate(block.cast(), layout(48, 16)) };
                    }
                });
            }
        });
        let stats = HEAP.stats();
        assert_eq!((stats.live, stats.errors), (0, 0));
        assert_eq!(stats.allocs, stats.deallocs);
    }
}
