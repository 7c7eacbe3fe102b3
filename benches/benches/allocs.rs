//! Heap allocations and bytes per unit for every variant of every workload, counted by
//! a global allocator.
//!
//! ```text
//! cargo bench -p benches --bench allocs            # every variant
//! cargo bench -p benches --bench allocs -- tiny/   # those whose id contains "tiny/"
//! ```
//!
//! Each variant runs once to warm up (the tokio runtime, lazy statics), then at the two
//! values of `n` in its workload's `diff_n`; the difference divided by the difference
//! in `n` is the steady-state figure per unit, free of the setup (building the dyn
//! value, an arena's first chunk), which is reported apart as what the smaller run
//! allocated beyond `n` units. Besides the tables it writes
//! `target/bench-results/allocs.tsv` for `report.py`.

mod common;

use core::alloc::{GlobalAlloc, Layout};
use core::fmt::Write as _;
use core::hint::black_box;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::alloc::System;

/// The system allocator, counting allocations and their bytes while [`COUNTING`] is on
/// (across all threads: the `send` workload allocates on tokio's workers).
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

#[inline(always)]
fn count(bytes: usize) {
    if COUNTING.load(Ordering::Relaxed) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(bytes as u64, Ordering::Relaxed);
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
// `System`'s guarantees (and the caller's obligations) carry over; the counters are
// atomics and never allocate.
unsafe impl GlobalAlloc for Counting {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: forwarded from our caller, who guarantees a non-zero-sized `layout`.
        unsafe { System.alloc(layout) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: forwarded from our caller, who guarantees a non-zero-sized `layout`.
        unsafe { System.alloc_zeroed(layout) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded from our caller: `ptr` was allocated by this allocator (that
        // is, by `System`) with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        // SAFETY: forwarded from our caller: `ptr` was allocated by `System` with
        // `layout`, and `new_size` is valid for it.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations and bytes during one run of `v` with `n` units.
fn counted(v: &common::Variant, n: u32) -> (u64, u64) {
    let (a0, b0) = (ALLOCATIONS.load(Ordering::SeqCst), BYTES.load(Ordering::SeqCst));
    COUNTING.store(true, Ordering::SeqCst);
    black_box((v.run)(black_box(n)));
    COUNTING.store(false, Ordering::SeqCst);
    (
        ALLOCATIONS.load(Ordering::SeqCst) - a0,
        BYTES.load(Ordering::SeqCst) - b0,
    )
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument filters by id.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let all = common::all();
    let mut tables = String::new();
    let mut tsv = String::from("id\tname\tunit\ttitle\tallocs_per_unit\tbytes_per_unit\tsetup_allocs\n");
    let mut current = "";
    for v in all
        .iter()
        .filter(|v| filter.as_deref().is_none_or(|f| v.id().contains(f)))
    {
        let w = v.workload;
        if w.key != current {
            current = w.key;
            let _ = write!(
                tables,
                "\n{} ({}; per {}, steady state: runs with n = {} and {}, differenced)\n\n",
                w.key, w.title, w.unit, w.diff_n.0, w.diff_n.1
            );
            tables.push_str("| variant | allocs/unit | bytes/unit | setup allocs |\n|---|---:|---:|---:|\n");
        }
        black_box((v.run)(black_box(2)));
        let (n0, n1) = w.diff_n;
        let (a0, b0) = counted(v, n0);
        let (a1, b1) = counted(v, n1);
        let units = f64::from((n1 - n0) * w.units_per_n);
        let allocs = (a1 as f64 - a0 as f64) / units;
        let bytes = (b1 as f64 - b0 as f64) / units;
        let setup = a0 as f64 - allocs * f64::from(n0 * w.units_per_n);
        let _ = writeln!(tables, "| {} | {allocs:.2} | {bytes:.1} | {setup:.0} |", v.name);
        let _ = writeln!(
            tsv,
            "{}\t{}\t{}\t{}\t{allocs:.4}\t{bytes:.2}\t{setup:.0}",
            v.id(),
            v.name,
            w.unit,
            w.title
        );
    }
    println!("{tables}");
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/bench-results");
    let path = format!("{dir}/allocs.tsv");
    match std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, tsv)) {
        Ok(()) => println!("written: {path}"),
        Err(e) => eprintln!("could not write {path}: {e}"),
    }
}
