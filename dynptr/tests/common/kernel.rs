//! A kernel-style setting: a block-device driver behind a `#[dyn_trait]` trait, whose
//! futures live in a fixed, page-aligned static buffer ([`FixedBuf`], an
//! `allocator_api2` allocator) instead of the global heap. A counting
//! `#[global_allocator]` ([`global_allocs`]) proves the global heap is never touched on
//! that path, and running out of the buffer is an error the caller sees
//! ([`out_of_memory`]), not an abort.
//!
//! Included with `#[path]` by `examples/kernel.rs` and `tests/kernel.rs`.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::{Cell, UnsafeCell};
use core::fmt;
use core::future::Future;
use core::pin::{pin, Pin};
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use core::task::{Context, Poll, Waker};
use std::alloc::System;

use dynptr::{dyn_trait, AllocError, Allocator, DynPtr, RejectReason, Strategy};

// ---------------------------------------------------------------------------------------
// The global heap, counted per thread.
// ---------------------------------------------------------------------------------------

thread_local! {
    // `const` init of a type without drop glue: bumping it never allocates and never
    // registers a destructor, so the global allocator may use it.
    static GLOBAL_ALLOCS: Cell<usize> = const { Cell::new(0) };
}

/// `System`, counting the allocations each thread makes (tests run on parallel threads).
struct CountingGlobal;

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the
// only addition is a thread-local counter that never allocates.
unsafe impl GlobalAlloc for CountingGlobal {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = GLOBAL_ALLOCS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: forwarded: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let _ = GLOBAL_ALLOCS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: forwarded: the caller upholds `GlobalAlloc::alloc_zeroed`'s contract.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = GLOBAL_ALLOCS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: forwarded: `ptr` came from `System` (every block here does) with
        // `layout`, as the caller guarantees.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded: `ptr` came from `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingGlobal = CountingGlobal;

/// Allocations this thread has made in the global heap so far.
pub fn global_allocs() -> usize {
    GLOBAL_ALLOCS.with(Cell::get)
}

// ---------------------------------------------------------------------------------------
// The fixed buffer.
// ---------------------------------------------------------------------------------------

/// The buffer itself, page-aligned.
#[repr(C, align(4096))]
struct Page<const N: usize>(UnsafeCell<[u8; N]>);

/// A fixed-buffer allocator over `N` static bytes, as a kernel brings before it has a
/// heap: a bump pointer that steps back when the topmost block is freed (so a call
/// after call pattern reuses the same bytes) and goes back to the start when the last
/// live block is freed.
///
/// A value `mem::forget`-ed while it lives in the buffer (dynptr abandons it: its memory
/// must stay valid forever) keeps its block counted as live, so the bump pointer never
/// steps back over it: that memory is never handed out again.
///
/// Use it as `&'static FixedBuf<N>` (a `static`): `Boxed::new_in(&HEAP)`.
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

// SAFETY: the bytes are only reached through blocks, and invariant 2 makes every
// outstanding block disjoint from every other, so each block is accessed by its owner
// only; all bookkeeping is atomic.
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

// SAFETY: a returned block of nonzero size lies inside the static buffer (valid as long
// as the `FixedBuf`, `'static` where it is used), is aligned to `layout.align()`, is
// `layout.size()` bytes long, and overlaps no other outstanding block (invariant 2); it
// stays valid until its `deallocate`: its bytes are handed out again only after that
// (the bump pointer steps back over a block only when that block is deallocated, or
// over everything when every block is). A zero-sized request gets a dangling, aligned
// pointer and touches no bookkeeping.
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

// ---------------------------------------------------------------------------------------
// The driver interface and two devices.
// ---------------------------------------------------------------------------------------

/// Bytes per block.
pub const BLOCK: usize = 64;

/// A device error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IoError {
    /// No such block.
    OutOfRange {
        /// The block asked for.
        index: u32,
    },
}

/// A block device, as the kernel sees every driver.
#[dyn_trait]
pub trait BlockDevice {
    /// The driver's name, for the log.
    fn name(&self) -> &'static str;
    /// How many blocks the device has.
    fn blocks(&self) -> u32;
    /// Reads block `index` into `buf`.
    async fn read(&mut self, index: u32, buf: &mut [u8; BLOCK]) -> Result<(), IoError>;
}

/// The byte at `offset` of block `index` of a disk made with `seed`.
fn disk_byte(seed: u8, index: u32, offset: usize) -> u8 {
    seed ^ (index as u8).wrapping_mul(31) ^ (offset as u8)
}

/// A RAM disk: every read completes at once.
#[derive(Debug)]
pub struct RamDisk {
    /// What its contents derive from.
    pub seed: u8,
    /// Its size in blocks.
    pub blocks: u32,
}

impl BlockDevice for RamDisk {
    fn name(&self) -> &'static str {
        "ramdisk"
    }

    fn blocks(&self) -> u32 {
        self.blocks
    }

    async fn read(&mut self, index: u32, buf: &mut [u8; BLOCK]) -> Result<(), IoError> {
        if index >= self.blocks {
            return Err(IoError::OutOfRange { index });
        }
        for (offset, byte) in buf.iter_mut().enumerate() {
            *byte = disk_byte(self.seed, index, offset);
        }
        Ok(())
    }
}

/// A disk with a DMA engine: a read is submitted, the future waits for the completion
/// interrupt (pending once), then the data is copied from the DMA buffer.
#[derive(Debug)]
pub struct DmaDisk {
    /// What its contents derive from.
    pub seed: u8,
    /// Its size in blocks.
    pub blocks: u32,
    /// Completion interrupts taken.
    pub interrupts: u32,
}

impl BlockDevice for DmaDisk {
    fn name(&self) -> &'static str {
        "dma-disk"
    }

    fn blocks(&self) -> u32 {
        self.blocks
    }

    async fn read(&mut self, index: u32, buf: &mut [u8; BLOCK]) -> Result<(), IoError> {
        if index >= self.blocks {
            return Err(IoError::OutOfRange { index });
        }
        // The DMA buffer lives in the future, across the await: the future is as large
        // as the block (and more).
        let mut dma = [0u8; BLOCK];
        for (offset, byte) in dma.iter_mut().enumerate() {
            *byte = disk_byte(self.seed, index, offset);
        }
        Interrupt::default().await;
        self.interrupts += 1;
        buf.copy_from_slice(&dma);
        Ok(())
    }
}

/// Pending on the first poll (the "interrupt" wakes it), ready on the second.
#[derive(Debug, Default)]
pub struct Interrupt(bool);

impl Future for Interrupt {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// The kernel's executor: a no-op waker and the future pinned on the stack. Allocates
/// nothing. Panics if the future is not done after 1000 polls.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1000 {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
    panic!("the future did not complete in 1000 polls");
}

// ---------------------------------------------------------------------------------------
// The kernel's code: only sees `DynBlockDevice`.
// ---------------------------------------------------------------------------------------

/// Folds a block into a checksum (FNV-1a).
fn fold(sum: u32, block: &[u8; BLOCK]) -> u32 {
    block
        .iter()
        .fold(sum, |sum, &b| (sum ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

/// The checksum of nothing (FNV-1a's offset basis).
const CHECKSUM_START: u32 = 0x811c_9dc5;

/// Reads every block of `dev` through the dyn wrapper and checksums them.
///
/// # Errors
///
/// The device's error.
pub async fn checksum<S: Strategy>(dev: &mut DynBlockDevice<'_, S>) -> Result<u32, IoError> {
    let mut buf = [0u8; BLOCK];
    let mut sum = CHECKSUM_START;
    for index in 0..dev.blocks() {
        dev.read(index, &mut buf).await?;
        sum = fold(sum, &buf);
    }
    Ok(sum)
}

/// The checksum of a disk made with `seed`, computed without any device.
pub fn expected_checksum(seed: u8, blocks: u32) -> u32 {
    (0..blocks).fold(CHECKSUM_START, |sum, index| {
        let block: [u8; BLOCK] = core::array::from_fn(|offset| disk_byte(seed, index, offset));
        fold(sum, &block)
    })
}

/// What one run of the driver saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    /// The device's name.
    pub device: &'static str,
    /// Its blocks.
    pub blocks: u32,
    /// The checksum read through the wrapper.
    pub checksum: Result<u32, IoError>,
    /// What reading one block past the end gave.
    pub past_the_end: Result<(), IoError>,
    /// Allocations this thread made in the global heap during the run (wrapper built,
    /// every block read, the error read, wrapper dropped).
    pub global_allocs: usize,
}

/// Puts `device` behind a `DynBlockDevice` (borrowed: no allocation for the receiver)
/// with `strategy`, reads it all, then one block too far; counts the global heap's
/// allocations meanwhile.
pub fn run<S: Strategy>(device: &mut impl BlockDevice, strategy: S) -> Run {
    let before = global_allocs();
    let (device, blocks, checksum, past_the_end) = {
        let mut dev = DynBlockDevice::with_strategy(device, strategy);
        let checksum = block_on(checksum(&mut dev));
        let mut buf = [0; BLOCK];
        let past_the_end = block_on(dev.read(dev.blocks(), &mut buf));
        (dev.name(), dev.blocks(), checksum, past_the_end)
    };
    Run {
        device,
        blocks,
        checksum,
        past_the_end,
        global_allocs: global_allocs() - before,
    }
}

/// The future [`out_of_memory`] tries to store: it keeps a table of `LEN` bytes across
/// an await, so it is larger than `LEN`.
async fn big_future<const LEN: usize>() -> u32 {
    let table = [3u8; LEN];
    Interrupt::default().await;
    table.iter().map(|&b| u32::from(b)).sum()
}

/// What [`out_of_memory`] saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfMemory {
    /// The layout of the future that did not fit.
    pub layout: Layout,
    /// Why the strategy gave it back.
    pub reason: RejectReason,
    /// The future's output, run from the caller's stack after it came back.
    pub output_after_return: u32,
    /// Allocations this thread made in the global heap meanwhile.
    pub global_allocs: usize,
}

/// Tries to store a future of over `LEN` bytes with `strategy` (whose allocator is too
/// small for it): the strategy says why and gives the future back, intact, and the caller
/// runs it from its own stack.
///
/// # Panics
///
/// If the future was stored.
pub fn out_of_memory<S: Strategy, const LEN: usize>(strategy: &mut S) -> OutOfMemory {
    let before = global_allocs();
    let future = big_future::<LEN>();
    let layout = Layout::for_value(&future);
    let rejected = match DynPtr::<dyn Future<Output = u32>, S>::try_new(strategy, future) {
        Ok(_) => panic!("a {layout:?} future was stored"),
        Err(rejected) => rejected,
    };
    let reason = rejected.reason();
    let future = rejected.into_value();
    let output_after_return = block_on(future);
    OutOfMemory {
        layout,
        reason,
        output_after_return,
        global_allocs: global_allocs() - before,
    }
}
