//! Runs one variant alone, for a profiler: `one <workload>/<variant> <n>`.
//!
//! ```text
//! cargo build --release -p benches --example one
//! valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out target/release/examples/one tiny/slot 100000
//! target/release/examples/one sweep64k/inline 100000    # the size sweep: sweep16/ .. sweep64k/
//! target/release/examples/one --list
//! ```
//!
//! Prints the checksum and the wall time per unit (one run, no warm-up: use the `speed`
//! bench for time). Instructions per unit: run it at two values of `n` under callgrind
//! and divide the difference (`benches/callgrind.sh` does that for every variant).

#[path = "../benches/common/mod.rs"]
mod common;

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let all = common::all();
    if args.first().map(String::as_str) == Some("--list") {
        for v in &all {
            println!("{}", v.id());
        }
        return;
    }
    if args.first().map(String::as_str) == Some("--diff-n") {
        // The two values of `n` to difference, and the units per `n`.
        let Some(v) = all.iter().find(|v| Some(&v.id()) == args.get(1)) else {
            eprintln!("usage: one --diff-n <workload>/<variant>");
            std::process::exit(2);
        };
        let w = v.workload;
        println!("{} {} {}", w.diff_n.0, w.diff_n.1, w.units_per_n);
        return;
    }
    let (Some(id), Some(n)) = (args.first(), args.get(1)) else {
        eprintln!("usage: one <workload>/<variant> <n> | one --list | one --diff-n <id>");
        std::process::exit(2);
    };
    let Some(variant) = all.iter().find(|v| v.id() == *id) else {
        eprintln!("no variant {id}; `one --list` lists them");
        std::process::exit(2);
    };
    let n: u32 = n.replace('_', "").parse().unwrap_or_else(|e| {
        eprintln!("{n:?} is not a u32: {e}");
        std::process::exit(2)
    });
    let start = Instant::now();
    let sum = core::hint::black_box((variant.run)(core::hint::black_box(n)));
    let elapsed = start.elapsed();
    println!(
        "{id}: checksum {sum}, {:.2} ns/{}",
        elapsed.as_nanos() as f64 / f64::from((n * variant.workload.units_per_n).max(1)),
        variant.workload.unit
    );
}
