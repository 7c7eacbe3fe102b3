//! dynptr's benchmarks: no library code. The workloads live in `benches/common/` and
//! are shared by the two bench targets (`speed`, criterion; `allocs`, allocations per
//! call), the `one` example (one variant alone, for callgrind) and the `agree` test
//! (every variant computes the same result). See `README.md` for the tables and how to
//! reproduce them.
#![no_std]
