//! The workloads and their variants, shared by the `speed` and `allocs` bench targets,
//! the `one` example and the `agree` test.
//!
//! Every variant is a `fn(n) -> u64`: it builds what it needs (the receiver, the dyn
//! value, the strategy), runs the workload `n` times and returns a checksum that every
//! variant of the workload must agree on. Per-item figures that must exclude the setup
//! (allocations, instructions) come from the difference between two values of `n`.
//!
//! Each dyn variant hides its dyn value behind `core::hint::black_box` once, as the
//! `tour` example does: otherwise the optimizer sees the concrete type through the
//! vtable and the "dyn" call is static.
#![allow(dead_code)]

pub(crate) mod alloc;
pub(crate) mod big;
pub(crate) mod iter;
pub(crate) mod send;
pub(crate) mod sweep;
pub(crate) mod tiny;
pub(crate) mod tree;

/// `Count`, the poll-based floor (`PollNext`, `sum_poll`) and the allocation-free
/// `block_on`, shared with dynptr's tests and `tour` example.
#[allow(dead_code, unreachable_pub, missing_docs)]
#[path = "../../../dynptr/tests/common/async_iter.rs"]
pub(crate) mod async_iter;

/// One workload: a row group in every table.
#[derive(Debug)]
pub(crate) struct Workload {
    /// Short name: `tiny`, `big`, `tree`, `iter`, `send`, `sweep16` .. `sweep64k`.
    pub(crate) key: &'static str,
    /// What it measures, for table titles.
    pub(crate) title: &'static str,
    /// What one unit of `n` is ("item", "call tree", ...).
    pub(crate) unit: &'static str,
    /// Units per `n` (2 for the `send` workload: each of its two tasks runs `n` items).
    pub(crate) units_per_n: u32,
    /// `n` per criterion iteration.
    pub(crate) bench_n: u32,
    /// The two values of `n` whose difference gives per-unit allocations and
    /// instructions.
    pub(crate) diff_n: (u32, u32),
}

impl Workload {
    /// One of the size sweep's workloads (the `sweep` bench target times them; `speed`
    /// times the others).
    pub(crate) fn is_sweep(&self) -> bool {
        self.key.starts_with("sweep")
    }
}

/// One way to run a workload.
#[derive(Debug)]
pub(crate) struct Variant {
    pub(crate) workload: &'static Workload,
    /// Short name, unique within the workload (`floor`, `slot`, ...).
    pub(crate) key: &'static str,
    /// Row label.
    pub(crate) name: &'static str,
    /// Runs the workload `n` times; returns the checksum.
    pub(crate) run: fn(u32) -> u64,
}

impl Variant {
    /// `workload/key`, the id the `one` example and the scripts take.
    pub(crate) fn id(&self) -> String {
        format!("{}/{}", self.workload.key, self.key)
    }
}

/// The key of every workload's floor: the ratios divide by it.
pub(crate) const FLOOR: &str = "floor";

/// Every variant of every workload, in table order.
pub(crate) fn all() -> Vec<Variant> {
    let mut all = Vec::new();
    for (workload, variants) in [
        (&tiny::WORKLOAD, tiny::VARIANTS),
        (&big::WORKLOAD, big::VARIANTS),
        (&tree::WORKLOAD, tree::VARIANTS),
        (&iter::WORKLOAD, iter::VARIANTS),
        (&send::WORKLOAD, send::VARIANTS),
    ]
    .into_iter()
    .chain(sweep::SIZES.map(|(_, w, v)| (w, v)))
    {
        for &(key, name, run) in variants {
            all.push(Variant {
                workload,
                key,
                name,
                run,
            });
        }
    }
    all
}

/// A workload's variant list: `(key, row label, run)`.
pub(crate) type Variants = &'static [(&'static str, &'static str, fn(u32) -> u64)];
