//! Without the `box` feature a wrapper has no default strategy: naming none is a
//! compile-time error that says what to do, and naming one compiles and runs. The
//! error comes at monomorphisation, so it is seen by a build, not a check (trybuild
//! builds when a case must pass). Runs only with `box` off; CI runs it as
//!
//! ```text
//! cargo test -p dynptr --no-default-features --features macros,stack --test ui_no_box
//! ```

#![cfg(not(feature = "box"))]

#[test]
#[cfg_attr(miri, ignore = "compiles test crates")]
fn no_default_strategy() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui_no_box/a_named_strategy.rs");
    t.compile_fail("tests/ui_no_box/no_default_strategy.rs");
}
