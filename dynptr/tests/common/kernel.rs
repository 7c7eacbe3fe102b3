//! A kernel-style setting: a block-device driver behind a `#[dyn_trait]` trait, whose
//! futures live in a fixed, page-aligned static buffer (the kit's
//! [`FixedBuf`](dynptr_core::testkit::FixedBuf), an `allocator_api2` allocator) instead
//! of the global heap. The kit's counting `#[global_allocator]`
//! ([`thread_allocations`]) proves the global heap is never touched on that path, and
//! running out of the buffer is an error the caller sees ([`out_of_memory`]), not an
//! abort.
//!
//! Included with `#[path]` by `examples/kernel.rs` and `tests/kernel.rs`.

use core::alloc::Layout;
use core::future::Future;
use core::pin::{pin, Pin};
use core::task::{Context, Poll, Waker};

use dynptr::{dyn_trait, DynPtr, RejectReason, Strategy};
use dynptr_core::testkit::{thread_allocations, CountingGlobalAllocator};

#[global_allocator]
static GLOBAL: CountingGlobalAllocator = CountingGlobalAllocator;

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
    let before = thread_allocations();
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
        global_allocs: thread_allocations() - before,
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
    let before = thread_allocations();
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
        global_allocs: thread_allocations() - before,
    }
}
