//! `Boxed` passes the strategy conformance kit, in the global allocator and in a
//! custom one.

use dynptr_box::{Boxed, Global};
use dynptr_core::testkit;

#[test]
fn global_allocator_passes_the_kit() {
    testkit::check(Boxed::new);
}

#[test]
fn explicit_global_passes_the_kit() {
    testkit::check(|| Boxed::new_in(Global));
}

#[test]
fn boxed_is_thread_safe() {
    testkit::assert_thread_safe::<Boxed>();
}
