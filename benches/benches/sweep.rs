//! Time per call of every variant of the size sweep (a future holding 16 B .. 64 KiB
//! across a yield), with criterion, as the `speed` target does for the other workloads.
//!
//! ```text
//! cargo bench -p benches --bench sweep                 # every size (about 3 minutes)
//! cargo bench -p benches --bench sweep -- 'sweep4k/'   # one size
//! cargo run --release -p benches --example plot        # benches/sweep.svg, from target/criterion
//! ```
//!
//! One benchmark group per size (`sweep16` .. `sweep64k`), one benchmark per variant;
//! each iteration makes `bench_n` calls and the throughput in elements turns criterion's
//! time per iteration into time per call.

mod common;

use core::hint::black_box;
use core::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn sweep(c: &mut Criterion) {
    for (_, workload, variants) in common::sweep::SIZES {
        let mut group = c.benchmark_group(workload.key);
        group.throughput(Throughput::Elements(u64::from(
            workload.bench_n * workload.units_per_n,
        )));
        for &(key, _, run) in variants {
            let n = workload.bench_n;
            group.bench_function(key, |b| b.iter(|| run(black_box(n))));
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    // 98 benchmarks in about 3 minutes: shorter than `speed`'s runs. The figures drift
    // by up to 20% between runs on a shared 2-core machine; callgrind gives exact counts.
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20);
    targets = sweep
}
criterion_main!(benches);
