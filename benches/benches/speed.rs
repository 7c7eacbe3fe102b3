//! Time per unit of every variant of every workload, with criterion.
//!
//! ```text
//! cargo bench -p benches --bench speed                  # everything (about 4 minutes)
//! cargo bench -p benches --bench speed -- tiny/         # one workload
//! cargo bench -p benches --bench speed -- 'tiny/(floor|slot)$'
//! python3 benches/report.py                             # the tables, from target/criterion
//! ```
//!
//! Each benchmark `workload/variant` runs the workload with `n = bench_n` per iteration;
//! its throughput in elements is the units that makes (`bench_n * units_per_n`), so
//! criterion's time divided by it is the time per unit; `report.py` does that division
//! and the ratios to the floor.

mod common;

use core::hint::black_box;
use core::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn speed(c: &mut Criterion) {
    let all = common::all();
    let mut workloads: Vec<&'static common::Workload> = Vec::new();
    // The size sweep has a target of its own (`sweep`), with shorter runs.
    for v in all.iter().filter(|v| !v.workload.is_sweep()) {
        if !workloads.iter().any(|w| w.key == v.workload.key) {
            workloads.push(v.workload);
        }
    }
    for workload in workloads {
        let mut group = c.benchmark_group(workload.key);
        group.throughput(Throughput::Elements(u64::from(
            workload.bench_n * workload.units_per_n,
        )));
        for v in all.iter().filter(|v| v.workload.key == workload.key) {
            let run = v.run;
            let n = workload.bench_n;
            group.bench_function(v.key, |b| b.iter(|| run(black_box(n))));
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    // Short runs: about 65 benchmarks in a few minutes. The figures drift by up to 20%
    // between runs on a shared 2-core machine; `allocs` and callgrind give the exact ones.
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    targets = speed
}
criterion_main!(benches);
