//! Runs one variant alone, for a profiler: `one <workload>/<variant> <n>`.
//!
//! ```text
//! cargo build --release -p benches --example one
//! valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out target/release/examples/one tiny/slot 100000
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
    let (Some(id), Some(n)) = (args.first(), args.get(1)) else {
        eprintln!("usage: one <workload>/<variant> <n> | one --list");
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
        elapsed.as_nanos() as f64 / f64::from(n.max(1)),
        variant.workload.unit
    );
}
