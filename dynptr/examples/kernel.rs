//! A kernel-style example: block-device drivers behind a `#[dyn_trait]` trait, their
//! futures stored in a fixed 4 KiB static buffer (an `allocator_api2` allocator,
//! `FixedBuf`) through `Boxed<&'static FixedBuf>`, never in the global heap; a counting
//! `#[global_allocator]` checks that. Running out of that buffer is an error the caller
//! gets back with its value, not an abort.
//!
//! ```text
//! cargo run --example kernel
//! ```
//!
//! The allocator, the drivers and the kernel's code are in `tests/common/kernel.rs`,
//! shared with the test `tests/kernel.rs`.

#[allow(dead_code, unreachable_pub)]
#[path = "../tests/common/kernel.rs"]
mod kernel;

use dynptr::{Boxed, RejectReason};
use kernel::{out_of_memory, run, DmaDisk, FixedBuf, RamDisk, Run, BLOCK};

/// The kernel's heap for driver futures: one page.
static KERNEL_HEAP: FixedBuf<4096> = FixedBuf::new();

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
    let heap = KERNEL_HEAP.stats();
    let r = run(&mut ram, Boxed::new_in(&KERNEL_HEAP));
    report(&r, kernel::expected_checksum(0x5a, 64));
    let after = KERNEL_HEAP.stats();
    println!(
        "  kernel heap: {} blocks allocated, {} freed, {} live, high-water mark {} bytes",
        after.allocs - heap.allocs,
        after.deallocs - heap.deallocs,
        after.live,
        after.high_water
    );
    let heap = after;
    let r = run(&mut dma, Boxed::new_in(&KERNEL_HEAP));
    report(&r, kernel::expected_checksum(0xc3, 64));
    let after = KERNEL_HEAP.stats();
    println!(
        "  kernel heap: {} blocks allocated, {} freed, {} live, high-water mark {} bytes; {} interrupts taken",
        after.allocs - heap.allocs,
        after.deallocs - heap.deallocs,
        after.live,
        after.high_water,
        dma.interrupts
    );

    println!("\nout of memory: a future larger than the whole buffer, through DynPtr::try_new");
    let mut strategy = Boxed::new_in(&KERNEL_HEAP);
    let oom = out_of_memory::<_, 8192>(&mut strategy);
    println!(
        "  a future of {} bytes (align {}): try_new gave Err({:?})",
        oom.layout.size(),
        oom.layout.align(),
        oom.reason
    );
    println!("  reason: {}", oom.reason);
    println!(
        "  the future came back intact and ran from the caller's stack: {} (expected {})",
        oom.output_after_return,
        3 * 8192
    );
    println!("  global heap allocations meanwhile: {}", oom.global_allocs);
    assert!(matches!(oom.reason, RejectReason::OutOfMemory { layout } if layout == oom.layout));
    assert_eq!(oom.output_after_return, 3 * 8192);
    assert_eq!(oom.global_allocs, 0);

    println!("\nthe buffer is still usable after the refusal:");
    let r = run(&mut ram, Boxed::new_in(&KERNEL_HEAP));
    report(&r, kernel::expected_checksum(0x5a, 64));

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
    assert_eq!((stats.live, stats.errors), (0, 0));
    println!("no allocation in the global heap on the driver path: checked");
}

/// Prints a run and checks it.
fn report(r: &Run, expected: u32) {
    println!(
        "  {}: {} blocks of {BLOCK} bytes read through DynBlockDevice, checksum {:08x} (expected {expected:08x})",
        r.device,
        r.blocks,
        r.checksum.unwrap_or(0)
    );
    println!("  reading block {} gives {:?}", r.blocks, r.past_the_end);
    println!("  global heap allocations during the run: {}", r.global_allocs);
    assert_eq!(r.checksum, Ok(expected));
    assert_eq!(
        r.past_the_end,
        Err(kernel::IoError::OutOfRange { index: r.blocks })
    );
    assert_eq!(r.global_allocs, 0, "the driver path touched the global heap");
}
