//! Every variant of every workload computes the same checksum (small `n`; no timing).

#[path = "../benches/common/mod.rs"]
mod common;

#[test]
fn every_variant_agrees_with_static_dispatch() {
    let all = common::all();
    for n in [0, 1, 2, 7, 100] {
        for v in &all {
            let reference = all
                .iter()
                .find(|r| r.workload.key == v.workload.key && r.key == "static")
                .expect("every workload has a static row");
            assert_eq!((v.run)(n), (reference.run)(n), "{} with n = {n}", v.id());
        }
    }
}

#[test]
fn the_big_future_fits_the_fixed_capacities() {
    let size = common::big::future_size();
    assert!(
        size > 4096 && size <= 4096 + 64,
        "the 4 KiB future is {size} bytes"
    );
}
