//! Every diagnostic of `#[dyn_trait]`, with its expected message (trybuild).

#[test]
#[cfg_attr(miri, ignore = "compiles test crates")]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
