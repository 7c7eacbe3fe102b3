//! Rule 1 of the design with tokio's real `Notify`: a future holding a waiter (an
//! intrusive list node) is polled, pinned, forgotten; the strategy is used again; then
//! the Notify walks its list through the abandoned node. Under Miri, reusing or freeing
//! the abandoned value's memory is reported. The kit (`testkit::check`, run for every
//! strategy in `conformance.rs`) holds the same scenario with its own waiter list, and
//! the `RefMut` one; this file keeps the combination the kit does not build, an
//! `InlineOr` whose fallback is a stack slot.
//!
//! The one-place stack slot answers the reuse with an abort: `tests/abort.rs` runs that
//! in a child process. Here the slot has two places and is leaked.

use core::future::Future;
use core::pin::{pin, Pin};
use core::task::Poll;

use dynptr_box::Boxed;
use dynptr_core::testkit::poll_once;
use dynptr_core::testkit::{forget_reachable, YieldOnce};
use dynptr_core::{DynPtr, Strategy};
use dynptr_stack::align::A16;
use dynptr_stack::{InlineOr, Slot, SlotRef};
use tokio::sync::Notify;

/// The Notify scenario for any strategy. `ballast` makes the future larger (to test the
/// fallback of `InlineOr`).
fn notify_forget<S: Strategy, const BALLAST: usize>(strategy: &mut S, notify: &'static Notify) {
    let ballast = [7u8; BALLAST];
    let waiting = async move {
        notify.notified().await;
        ballast.len()
    };
    let mut pinned = Box::pin(DynPtr::<dyn Future<Output = usize>, S>::new(strategy, waiting));
    // Registers the waiter node, which lives in the strategy's storage.
    assert!(poll_once(pinned.as_mut()).is_pending());
    forget_reachable(pinned);

    // Another call through the same strategy.
    {
        let mut next = pin!(DynPtr::<dyn Future<Output = u32>, S>::new(strategy, async {
            YieldOnce::new().await;
            42
        }));
        assert!(poll_once(next.as_mut()).is_pending());
        assert_eq!(poll_once(next.as_mut()), Poll::Ready(42));
    }

    // Walks the waiter list, abandoned node included.
    notify.notify_waiters();

    // And the strategy still works.
    let again: DynPtr<'_, dyn Iterator<Item = u8>, S> = DynPtr::new(strategy, 1..4u8);
    assert_eq!(again.sum::<u8>(), 6);
}

/// A two-place slot, leaked: after the forget it holds an abandoned value forever, so
/// it must never be dropped (that would abort).
fn leaked_two_place_slot() -> SlotRef<'static, 256, A16, 2> {
    let slot: &'static mut Slot<256, A16, 2> = Box::leak(Box::new(Slot::new()));
    let slot = Pin::static_mut(slot);
    SlotRef::new(slot)
}

#[test]
fn inline_or_with_a_slot_fallback() {
    static NOTIFY: Notify = Notify::const_new();
    // Too large for 16 bytes: built in the slot.
    let mut strategy = InlineOr::<16, _>::with_fallback(leaked_two_place_slot());
    notify_forget::<_, 64>(&mut strategy, &NOTIFY);
    // Small values go inline and leave the slot alone.
    let small: DynPtr<'_, dyn Iterator<Item = u8>, _> = DynPtr::new(&mut strategy, 0..5u8);
    assert!(DynPtr::into_raw(small).is_inline());
}

#[test]
fn boxed_fallback_type_is_the_default() {
    let _: InlineOr<64> = InlineOr::<64, Boxed>::new();
}
