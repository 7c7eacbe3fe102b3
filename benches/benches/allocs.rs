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

use core::fmt::Write as _;
use core::hint::black_box;

use dynptr_core::testkit::{count_global, CountingGlobalAllocator};

/// The kit's counting allocator: process-wide inside `count_global` (the `send`
/// workload allocates on tokio's workers).
#[global_allocator]
static GLOBAL: CountingGlobalAllocator = CountingGlobalAllocator;

/// Allocations and bytes during one run of `v` with `n` units.
fn counted(v: &common::Variant, n: u32) -> (u64, u64) {
    let ((), counts) = count_global(|| {
        black_box((v.run)(black_box(n)));
    });
    (counts.allocations as u64, counts.bytes as u64)
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
