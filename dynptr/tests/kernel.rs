//! The kernel example's logic (`tests/common/kernel.rs`), with assertions: drivers behind
//! `DynBlockDevice` whose futures live in a fixed static buffer never touch the global
//! heap (checked against a control that does), through `Boxed` (a block per call) and
//! `Cached` (one block per wrapper); out of memory in that buffer is an error that gives
//! the value back; a forgotten future's block is never reused; and the allocator passes
//! the strategy conformance kit through both. The allocator's own tests are in the kit
//! (`dynptr_core::testkit::FixedBuf`).

#[allow(dead_code, unreachable_pub)]
#[path = "common/kernel.rs"]
mod kernel;

use core::alloc::Layout;
use core::fmt::Debug;
use core::future::Future;

use dynptr::{Boxed, DynPtr, RejectReason, Strategy};
use dynptr_cache::Cached;
use dynptr_core::testkit;
use dynptr_core::testkit::{poll_once, thread_allocations, FixedBuf, HeapStats};
use kernel::{
    block_on, expected_checksum, out_of_memory, run, BlockDevice, DmaDisk, DynBlockDevice, IoError, RamDisk,
    Run, BLOCK,
};

/// Blocks per disk: few under Miri, which is slow.
const BLOCKS: u32 = if cfg!(miri) { 4 } else { 64 };

#[test]
fn the_counter_sees_the_global_heap() {
    let mut ram = RamDisk {
        seed: 1,
        blocks: BLOCKS,
    };
    let r = run(&mut ram, Boxed::new());
    assert_eq!(r.checksum, Ok(expected_checksum(1, BLOCKS)));
    assert_eq!(
        r.global_allocs,
        BLOCKS as usize + 1,
        "Boxed<Global>: one global allocation per call (the counter works)"
    );
}

#[test]
fn drivers_through_a_fixed_buffer_never_touch_the_global_heap() {
    static HEAP: FixedBuf<4096> = FixedBuf::new();
    let mut ram = RamDisk {
        seed: 0x5a,
        blocks: BLOCKS,
    };
    let mut dma = DmaDisk {
        seed: 0xc3,
        blocks: BLOCKS,
        interrupts: 0,
    };
    for round in 0..3 {
        let r = run(&mut ram, Boxed::new_in(&HEAP));
        assert_eq!(r.device, "ramdisk");
        assert_eq!(r.checksum, Ok(expected_checksum(0x5a, BLOCKS)));
        assert_eq!(r.past_the_end, Err(IoError::OutOfRange { index: BLOCKS }));
        assert_eq!(
            r.global_allocs, 0,
            "round {round}: the ramdisk path used the global heap"
        );

        let r = run(&mut dma, Boxed::new_in(&HEAP));
        assert_eq!(r.device, "dma-disk");
        assert_eq!(r.checksum, Ok(expected_checksum(0xc3, BLOCKS)));
        assert_eq!(r.past_the_end, Err(IoError::OutOfRange { index: BLOCKS }));
        assert_eq!(
            r.global_allocs, 0,
            "round {round}: the DMA path used the global heap"
        );
    }
    assert_eq!(dma.interrupts, 3 * BLOCKS);
    let calls = 3 * 2 * (BLOCKS as usize + 1);
    let stats = HEAP.stats();
    assert_eq!(
        stats,
        HeapStats {
            allocs: calls,
            deallocs: calls,
            failures: 0,
            live: 0,
            high_water: stats.high_water,
            errors: 0,
        }
    );
    // One future at a time, so the buffer holds at most the largest (the DMA read).
    assert!(
        (64..=256).contains(&stats.high_water),
        "high water {}",
        stats.high_water
    );
}

/// Checks a run of a disk made with `seed`: right data, right error past the end, no
/// global allocation.
fn assert_run(r: &Run, seed: u8) {
    assert_eq!(r.checksum, Ok(expected_checksum(seed, BLOCKS)), "{}", r.device);
    assert_eq!(r.past_the_end, Err(IoError::OutOfRange { index: BLOCKS }));
    assert_eq!(
        r.global_allocs, 0,
        "{}: the driver path used the global heap",
        r.device
    );
}

#[test]
fn cached_in_a_fixed_buffer_takes_one_block_per_wrapper() {
    static HEAP: FixedBuf<4096> = FixedBuf::new();
    let mut ram = RamDisk {
        seed: 0x21,
        blocks: BLOCKS,
    };
    let mut dma = DmaDisk {
        seed: 0x42,
        blocks: BLOCKS,
        interrupts: 0,
    };
    for round in 1..=3 {
        assert_run(&run(&mut ram, Cached::new_in(&HEAP)), 0x21);
        assert_run(&run(&mut dma, Cached::new_in(&HEAP)), 0x42);
        let stats = HEAP.stats();
        assert_eq!(
            (stats.allocs, stats.deallocs, stats.live),
            (2 * round, 2 * round, 0),
            "one block per wrapper, freed with it"
        );
    }
    // Reserved up front: no allocation during the calls at all.
    let mut strategy = Cached::try_with_capacity_in(Layout::from_size_align(256, 16).unwrap(), &HEAP)
        .expect("256 bytes fit");
    let allocs = HEAP.stats().allocs;
    assert_eq!(allocs, 7);
    let mut dev = DynBlockDevice::with_strategy(&mut dma, Cached::new_in(&HEAP));
    core::mem::swap(dev.strategy_mut(), &mut strategy);
    let mut buf = [0u8; BLOCK];
    for index in 0..BLOCKS {
        block_on(dev.read(index, &mut buf)).unwrap();
    }
    assert_eq!(HEAP.stats().allocs, allocs, "a reserved block was not enough");
    drop(dev);
    drop(strategy);
    let stats = HEAP.stats();
    assert_eq!((stats.live, stats.errors, stats.failures), (0, 0, 0));
}

/// The buffer of the out-of-memory tests: smaller under Miri, which is slow to move
/// large values.
const OOM_HEAP: usize = if cfg!(miri) { 512 } else { 4096 };
/// A future larger than the whole buffer.
const BIG: usize = 2 * OOM_HEAP;
/// A value that fills three quarters of the buffer.
const FILLER: usize = OOM_HEAP * 3 / 4;
/// A future that fits an empty buffer, but not next to the filler.
const REST: usize = OOM_HEAP / 2;

/// Out of memory in `heap` (empty at the start) through strategies made by `make`.
fn out_of_memory_gives_the_value_back<S: Strategy>(heap: &'static FixedBuf<OOM_HEAP>, make: fn() -> S) {
    // Larger than the whole buffer.
    let mut strategy = make();
    let oom = out_of_memory::<_, BIG>(&mut strategy);
    assert!(oom.layout.size() > BIG);
    assert_eq!(oom.reason, RejectReason::OutOfMemory { layout: oom.layout });
    assert_eq!(
        oom.output_after_return,
        3 * BIG as u32,
        "the future came back changed"
    );
    assert_eq!(oom.global_allocs, 0);
    assert_eq!(heap.stats().failures, 1);

    // Fits an empty buffer, but not what is left of it while another value lives.
    let mut holder = Boxed::new_in(heap);
    let filler: DynPtr<'_, dyn Debug, _> = DynPtr::new(&mut holder, [7u8; FILLER]);
    let oom = out_of_memory::<_, REST>(&mut strategy);
    assert_eq!(oom.reason, RejectReason::OutOfMemory { layout: oom.layout });
    assert_eq!(oom.output_after_return, 3 * REST as u32);
    assert_eq!(oom.global_allocs, 0);
    assert_eq!(heap.stats().failures, 2);
    assert!(heap.contains(DynPtr::as_ptr(&filler).cast::<u8>()));
    assert_eq!(format!("{filler:?}"), format!("{:?}", [7u8; FILLER]));
    drop(filler);

    // Once it is gone, the same strategy stores such a future, and the driver path works.
    let stored =
        DynPtr::<dyn Future<Output = u32>, _>::try_new(&mut strategy, async { [3u8; REST].len() as u32 })
            .expect("the buffer is empty again");
    assert_eq!(block_on(stored), REST as u32);
    drop(strategy);
    let mut ram = RamDisk {
        seed: 9,
        blocks: BLOCKS,
    };
    assert_run(&run(&mut ram, make()), 9);
    let stats = heap.stats();
    assert_eq!((stats.live, stats.errors, stats.failures), (0, 0, 2));
}

#[test]
fn out_of_memory_is_an_error_that_gives_the_value_back_boxed() {
    static HEAP: FixedBuf<OOM_HEAP> = FixedBuf::new();
    out_of_memory_gives_the_value_back(&HEAP, || Boxed::new_in(&HEAP));
}

#[test]
fn out_of_memory_is_an_error_that_gives_the_value_back_cached() {
    static HEAP: FixedBuf<OOM_HEAP> = FixedBuf::new();
    out_of_memory_gives_the_value_back(&HEAP, || Cached::new_in(&HEAP));
    // Reserving up front is fallible too.
    let too_much = Layout::from_size_align(BIG, 16).unwrap();
    assert!(Cached::try_with_capacity_in(too_much, &HEAP).is_err());
    assert_eq!(HEAP.stats().failures, 3);
}

#[test]
fn a_forgotten_future_keeps_its_block_forever() {
    static HEAP: FixedBuf<4096> = FixedBuf::new();
    let mut dma = DmaDisk {
        seed: 0x11,
        blocks: BLOCKS,
        interrupts: 0,
    };

    // Through the wrapper: a read pinned in a box, polled (waiting for its interrupt),
    // forgotten. Its buffer borrow and its device borrow end here.
    {
        let mut dev = DynBlockDevice::with_strategy(&mut dma, Boxed::new_in(&HEAP));
        let mut buf = [0u8; BLOCK];
        let mut read = Box::pin(dev.read(0, &mut buf));
        assert!(poll_once(read.as_mut()).is_pending());
        testkit::forget_reachable(read);
    }
    assert_eq!(HEAP.stats().live, 1, "the forgotten future's block was freed");

    // Directly: a value whose block we know, with recognisable contents (fully
    // initialised, so the test may read all of it).
    let mut strategy = Boxed::new_in(&HEAP);
    let marker = [0xA5u8; 200];
    let value = DynPtr::<dyn Debug, _>::new(&mut strategy, marker);
    let start = DynPtr::as_ptr(&value).cast::<u8>();
    let size = core::mem::size_of_val(&*value);
    assert_eq!(size, 200);
    testkit::forget_reachable(value);
    assert_eq!(HEAP.stats().live, 2);
    // A write to that block while this view lives would be the bug this test looks for.
    // SAFETY: the forgotten array's block: in the static buffer, initialised, never freed.
    let abandoned = unsafe { core::slice::from_raw_parts(start, size) }.to_vec();
    assert_eq!(abandoned, marker);

    // Many calls later, the driver path still works without the global heap, and no new
    // block overlaps the abandoned one.
    let rounds = if cfg!(miri) { 2 } else { 50 };
    for _ in 0..rounds {
        let r = run(&mut dma, Boxed::new_in(&HEAP));
        assert_eq!(
            (r.checksum, r.global_allocs),
            (Ok(expected_checksum(0x11, BLOCKS)), 0)
        );
        let probe = DynPtr::<dyn Debug, _>::new(&mut strategy, [1u64; 8]);
        let p = DynPtr::as_ptr(&probe).cast::<u8>();
        let (lo, hi) = (start.addr(), start.addr() + size);
        assert!(
            p.addr() + 64 <= lo || p.addr() >= hi,
            "a new block overlaps the abandoned one"
        );
    }
    // SAFETY: as above.
    let now = unsafe { core::slice::from_raw_parts(start, size) };
    assert_eq!(now, &abandoned[..], "the abandoned block was written");
    let stats = HEAP.stats();
    assert_eq!((stats.live, stats.errors), (2, 0));
    assert!(
        stats.high_water < HEAP.size(),
        "calls after the forget reuse the same bytes"
    );
}

#[test]
fn a_forgotten_future_leaves_its_cached_block_behind() {
    static HEAP: FixedBuf<4096> = FixedBuf::new();
    let mut dma = DmaDisk {
        seed: 0x33,
        blocks: BLOCKS,
        interrupts: 0,
    };
    let mut dev = DynBlockDevice::with_strategy(&mut dma, Cached::new_in(&HEAP));
    let mut buf = [0u8; BLOCK];
    {
        let mut read = Box::pin(dev.read(0, &mut buf));
        assert!(poll_once(read.as_mut()).is_pending());
        testkit::forget_reachable(read);
    }
    assert_eq!(HEAP.stats().live, 1);
    // The next call finds the block still taken: the cache leaks it to the forgotten
    // future and takes a fresh one from the buffer, which later calls reuse.
    let before = thread_allocations();
    let mut sum = 0u32;
    for index in 0..BLOCKS {
        block_on(dev.read(index, &mut buf)).unwrap();
        sum += u32::from(buf[0]);
    }
    assert_eq!(thread_allocations(), before);
    assert!(sum > 0);
    assert_eq!(dev.strategy().abandoned(), 1);
    let stats = HEAP.stats();
    assert_eq!((stats.allocs, stats.live), (2, 2));
    drop(dev);
    let stats = HEAP.stats();
    assert_eq!(
        (stats.deallocs, stats.live, stats.errors),
        (1, 1, 0),
        "the abandoned block was freed"
    );
}

/// `Boxed` and `Cached` over the fixed buffer pass dynptr's conformance kit (drop once,
/// zero-sized and over-aligned values up to 4096, panics in drop, shared values apart,
/// forgotten values abandoned).
#[test]
fn boxed_over_a_fixed_buffer_passes_the_conformance_kit() {
    static HEAP: FixedBuf<65536> = FixedBuf::new();
    testkit::check(|| Boxed::new_in(&HEAP));
    let stats = HEAP.stats();
    assert_eq!((stats.failures, stats.errors), (0, 0));
    assert!(stats.allocs > 10, "the kit's values went to the fixed buffer");
}

#[test]
#[cfg_attr(
    miri,
    ignore = "slow under Miri: the Boxed run covers the allocator, dynptr-cache runs Cached's kit"
)]
fn cached_over_a_fixed_buffer_passes_the_conformance_kit() {
    static HEAP: FixedBuf<65536> = FixedBuf::new();
    testkit::check(|| Cached::new_in(&HEAP));
    let stats = HEAP.stats();
    assert_eq!((stats.failures, stats.errors), (0, 0));
    assert!(stats.allocs > 5, "the kit's values went to the fixed buffer");
}
