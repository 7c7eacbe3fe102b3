//! Every variant of every workload computes the same checksum (small `n`; no timing).

#[path = "../benches/common/mod.rs"]
mod common;

/// Runs `f` on a thread with a 64 MiB stack: unoptimised, the 64 KiB futures of the
/// size sweep (held inline, copied by the moving peers) need more than a test thread's.
fn with_big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(f)
        .expect("a thread")
        .join()
        .expect("the check passed");
}

#[test]
fn every_variant_agrees_with_static_dispatch() {
    with_big_stack(|| {
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
    });
}

#[test]
fn the_big_future_fits_the_fixed_capacities() {
    let size = common::big::future_size();
    assert!(
        size > 4096 && size <= 4096 + 64,
        "the 4 KiB future is {size} bytes"
    );
}

/// The sweep's futures hold their buffer (bigger than it) and fit the capacities sized
/// to fit (`B + 64`); smallbox's 512 bytes hold them up to 256 B, as `InlineOr<512>`'s do.
#[test]
fn the_sweep_futures_hold_their_buffers_and_fit() {
    with_big_stack(|| {
        for (bytes, size, on_heap) in common::sweep::layouts() {
            assert!(
                size > bytes && size <= bytes + 64,
                "the future holding {bytes} B is {size} bytes"
            );
            assert_eq!(on_heap, size > 512, "smallbox with the {size}-byte future");
        }
    });
}

/// smallbox stores each workload's future where its row label says: inline when it
/// fits its 512 bytes, on the heap when not.
#[test]
fn smallbox_stores_where_the_labels_say() {
    assert!(!common::tiny::smallbox_on_heap(), "tiny: inline");
    assert!(common::big::smallbox_on_heap(), "big: 4 KiB on the heap");
    assert!(!common::iter::smallbox_on_heap(), "iter: inline");
    assert_eq!(
        common::tree::smallbox_on_heap(),
        [false, true],
        "tree: leaves inline, inner nodes on the heap"
    );
}

/// The plot's lines are every size's variants, in order.
#[test]
fn every_size_has_the_plotted_variants() {
    let lines: Vec<&str> = common::sweep::LINES.iter().map(|l| l.0).collect();
    for (_, workload, variants) in common::sweep::SIZES {
        let keys: Vec<&str> = variants.iter().map(|v| v.0).collect();
        assert_eq!(keys, lines, "{}", workload.key);
    }
}
