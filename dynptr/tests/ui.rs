//! Every diagnostic of `#[dyn_trait]`, with its expected message (trybuild), and every
//! route tried for smuggling a `CoerceFrom` body of one's own through `impl_coerce!`
//! (`coerce_*.rs`; the generics, where-clause, second-impl, parameter-bound and
//! forwarding-macro routes compiled before its input was parsed with syn).

#[test]
#[cfg_attr(miri, ignore = "compiles test crates")]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
