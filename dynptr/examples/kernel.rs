//! A kernel-style example: block-device drivers behind a `#[dyn_trait]` trait, their
//! futures stored in a fixed 4 KiB static buffer (the kit's `FixedBuf`, an
//! `allocator_api2` allocator) through `Boxed<&'static FixedBuf>` (one block per call) and
//! `Cached<&'static FixedBuf>` (one block reused by every call), never in the global
//! heap: a counting `#[global_allocator]` checks that. Running out of that buffer is an
//! error the caller gets back with its value, not an abort.
//!
//! ```text
//! cargo run --example kernel
//! ```
//!
//! The drivers and the kernel's code are in `tests/common/kernel.rs`, shared with the
//! test `tests/kernel.rs`; the allocator is `dynptr_core::testkit::FixedBuf`.

#[allow(dead_code, unreachable_pub)]
#[path = "../tests/common/kernel.rs"]
mod kernel;

use core::alloc::Layout;

use dynptr::{Boxed, RejectReason, Strategy};
use dynptr_cache::Cached;
use dynptr_core::testkit::{FixedBuf, HeapStats};
use kernel::{expected_checksum, out_of_memory, run, DmaDisk, RamDisk, Run, BLOCK};

/// The kernel's heap for driver futures: one page.
static KERNEL_HEAP: FixedBuf<4096> = FixedBuf::new();

/// The kernel heap's counters since `before`.
fn heap_line(before: HeapStats) -> String {
    let now = KERNEL_HEAP.stats();
    format!(
        "kernel heap: {} blocks allocated, {} freed, {} live, high-water mark {} bytes",
        now.allocs - before.allocs,
        now.deallocs - before.deallocs,
        now.live,
        now.high_water
    )
}

fn main() {
    println!(
        "kernel heap: a FixedBuf of {} bytes (a static, page-aligned); drivers behind DynBlockDevice",
        KERNEL_HEAP.size()
    );
    let mut ram = RamDisk {
        seed: 0x5a,
        blocks: 64,
    };
    let mut dma = DmaDisk {
        seed: 0xc3,
        blocks: 64,
        interrupts: 0,
    };

    println!("\ncontrol, Boxed (the global heap): the counting #[global_allocator] sees each call");
    let r = run(&mut ram, Boxed::new());
    println!(
        "  {}: {} reads (+1 past the end) through DynBlockDevice, global heap allocations: {}",
        r.device, r.blocks, r.global_allocs
    );
    assert_eq!(r.global_allocs, r.blocks as usize + 1);

    println!("\nBoxed<&'static FixedBuf>: one block of the buffer per call, freed when the call ends");
    let before = KERNEL_HEAP.stats();
    report(
        &run(&mut ram, Boxed::new_in(&KERNEL_HEAP)),
        expected_checksum(0x5a, 64),
    );
    report(
        &run(&mut dma, Boxed::new_in(&KERNEL_HEAP)),
        expected_checksum(0xc3, 64),
    );
    println!("  {}", heap_line(before));
    assert_eq!(KERNEL_HEAP.stats().allocs - before.allocs, 2 * 65);

    println!("\nCached<&'static FixedBuf>: one block of the buffer, reused by every call of a device");
    let before = KERNEL_HEAP.stats();
    report(
        &run(&mut ram, Cached::new_in(&KERNEL_HEAP)),
        expected_checksum(0x5a, 64),
    );
    report(
        &run(&mut dma, Cached::new_in(&KERNEL_HEAP)),
        expected_checksum(0xc3, 64),
    );
    println!("  {}", heap_line(before));
    assert_eq!(KERNEL_HEAP.stats().allocs - before.allocs, 2);
    println!("  {} interrupts taken by the DMA disk", dma.interrupts);

    println!("\nout of memory: a future larger than the whole buffer, through DynPtr::try_new");
    oom("Boxed", Boxed::new_in(&KERNEL_HEAP));
    oom("Cached", Cached::new_in(&KERNEL_HEAP));
    let reserve = Layout::from_size_align(8192, 16).unwrap();
    let reserved = Cached::try_with_capacity_in(reserve, &KERNEL_HEAP);
    println!(
        "  Cached::try_with_capacity_in(8192 bytes) (reserving up front): {:?}",
        reserved.as_ref().err()
    );
    assert!(reserved.is_err());

    println!("\nthe buffer is still usable after the refusals:");
    report(
        &run(&mut dma, Cached::new_in(&KERNEL_HEAP)),
        expected_checksum(0xc3, 64),
    );

    let stats = KERNEL_HEAP.stats();
    println!(
        "\nkernel heap totals: {} allocations, {} frees, {} refused, {} live, high-water mark {} of {} bytes",
        stats.allocs,
        stats.deallocs,
        stats.failures,
        stats.live,
        stats.high_water,
        KERNEL_HEAP.size()
    );
    assert_eq!(stats.allocs, stats.deallocs);
    assert_eq!((stats.live, stats.errors, stats.failures), (0, 0, 3));
    println!("no allocation in the global heap on the driver path: checked");
}

/// Tries to store a future larger than the buffer with `strategy`, prints and checks
/// what came back.
fn oom<S: Strategy>(name: &str, mut strategy: S) {
    let oom = out_of_memory::<_, 8192>(&mut strategy);
    println!(
        "  {name}: a future of {} bytes (align {}): try_new gave Err({:?})",
        oom.layout.size(),
        oom.layout.align(),
        oom.reason
    );
    println!("    reason: {}", oom.reason);
    println!(
        "    the future came back intact and ran from the caller's stack: {} (expected {}); \
         global heap allocations meanwhile: {}",
        oom.output_after_return,
        3 * 8192,
        oom.global_allocs
    );
    assert!(matches!(oom.reason, RejectReason::OutOfMemory { layout } if layout == oom.layout));
    assert_eq!(oom.output_after_return, 3 * 8192);
    assert_eq!(oom.global_allocs, 0);
}

/// Prints a run and checks it.
fn report(r: &Run, expected: u32) {
    println!(
        "  {}: {} blocks of {BLOCK} bytes read, checksum {:08x} (expected {expected:08x})",
        r.device,
        r.blocks,
        r.checksum.unwrap_or(0),
    );
    println!(
        "    block {}: {:?}; global heap allocations: {}",
        r.blocks, r.past_the_end, r.global_allocs
    );
    assert_eq!(r.checksum, Ok(expected));
    assert_eq!(
        r.past_the_end,
        Err(kernel::IoError::OutOfRange { index: r.blocks })
    );
    assert_eq!(r.global_allocs, 0, "the driver path touched the global heap");
}
