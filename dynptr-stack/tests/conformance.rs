//! Every strategy of the crate passes the conformance kit of `dynptr-core` (its values
//! need 96 bytes aligned to 8, hence the capacities here).

use core::pin::Pin;
use std::sync::Mutex;

use dynptr_box::Boxed;
use dynptr_core::testkit::{self, Config};
use dynptr_stack::align::{A16, A64, A8};
use dynptr_stack::{Alignment, Inline, InlineOr, Slot, SlotRef};

// Under Miri (slow: about 25 s per run of the kit) one configuration per strategy.

#[test]
fn inline_passes_the_kit() {
    testkit::check(Inline::<128>::new);
    if cfg!(not(miri)) {
        testkit::check(Inline::<96, A8>::new);
        testkit::check(Inline::<256, A64>::new);
    }
}

#[test]
fn inline_or_passes_the_kit() {
    // The kit's small values go inline, its large ones to the fallback.
    testkit::check(InlineOr::<32>::new);
    if cfg!(not(miri)) {
        testkit::check(InlineOr::<128>::new);
        // A fallback that is itself bounded, and no allocator involved.
        testkit::check(|| InlineOr::<16, Inline<128>>::with_fallback(Inline::new()));
    }
}

/// A leaked slot's address, kept in a static so that Miri's leak checker sees the
/// leaked slots (the kit forgets values in them, so they can never be dropped) as
/// reachable.
struct Leaked(#[allow(dead_code)] *const u8);
// SAFETY: never dereferenced; it only keeps the allocation reachable.
unsafe impl Send for Leaked {}
static LEAKED: Mutex<Vec<Leaked>> = Mutex::new(Vec::new());

fn leaked_slot<const N: usize, A: Alignment, const K: usize>() -> Pin<&'static mut Slot<N, A, K>> {
    let slot: &'static mut Slot<N, A, K> = Box::leak(Box::new(Slot::new()));
    LEAKED
        .lock()
        .unwrap()
        .push(Leaked((&raw const *slot).cast::<u8>()));
    Pin::static_mut(slot)
}

#[test]
fn slot_passes_the_kit() {
    // Two places: the kit forgets one value per strategy and then goes on using it,
    // which a one-place slot answers with an abort (tested in `tests/abort.rs`). The
    // kit forgets the strategy instead of dropping it, and the slot is leaked.
    let config = Config::new().aborts_when_dropped_with_abandoned(true);
    testkit::check_with(config, || SlotRef::new(leaked_slot::<128, A16, 2>()));
    if cfg!(not(miri)) {
        testkit::check_with(config, || SlotRef::new(leaked_slot::<96, A8, 3>()));
    }
}

#[test]
fn thread_safe_strategies() {
    testkit::assert_thread_safe::<Inline<64>>();
    testkit::assert_thread_safe::<Inline<64, A64>>();
    testkit::assert_thread_safe::<InlineOr<64>>();
    testkit::assert_thread_safe::<InlineOr<64, Boxed, A8>>();
}
