//! From the 2026-12-03 audit: a `Call` whose start closure panics *after*
//! `call::start` returned pending.
//!
//! `start` has committed the callee's pending future into the call's slot, but the
//! closure unwinds before handing `Started` back. The call used to mark itself `Empty`
//! then: the pinned, polled future was never dropped, and with `Inline` it lives inside
//! the `Call`, whose memory is freed when the call future is dropped (Pin's drop
//! guarantee broken: a tokio `Notify` waiter node registered by the first poll was
//! freed without being unlinked, and `notify_waiters` wrote to freed memory, which Miri
//! reported). `start` now marks the call `Filled` as it commits, and the call's
//! unwinding guard drops what a `Filled` slot holds.
#![allow(missing_docs)]

use core::future::Future;
use core::panic::AssertUnwindSafe;
use core::sync::atomic::{AtomicUsize, Ordering};
use std::panic::catch_unwind;

use dynptr_core::call::{start, Call};
use dynptr_core::testkit::poll_once;
use dynptr_stack::Inline;
use tokio::sync::Notify;

/// Counts its drops.
struct Dropped(&'static AtomicUsize);

impl Drop for Dropped {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_panic_after_start_drops_the_committed_future() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    let notify = Notify::new();
    let notify = &notify;
    let mut strategy = Inline::<256>::new();
    {
        let strategy = &mut strategy;
        let call = Call::<'_, dyn Future<Output = ()> + '_, Inline<256>, _>::new(move |slot, cx| {
            let started = start(slot, strategy, cx, move || async move {
                let _dropped = Dropped(&DROPS);
                notify.notified().await;
            });
            assert!(started.into_poll().is_pending());
            panic!("after start");
        });
        let mut call = Box::pin(call);
        let r = catch_unwind(AssertUnwindSafe(|| poll_once(call.as_mut())));
        assert!(r.is_err());
        assert_eq!(
            DROPS.load(Ordering::SeqCst),
            1,
            "the committed future was not dropped"
        );
        // The call is done: dropping it drops nothing more.
        drop(call);
        assert_eq!(DROPS.load(Ordering::SeqCst), 1);
    }
    // The waiter was unlinked when the future was dropped.
    notify.notify_waiters();
}

/// The same with the `Started` forgotten before the panic.
#[test]
fn a_panic_after_a_forgotten_start_drops_the_committed_future() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    let notify = Notify::new();
    let notify = &notify;
    let mut strategy = Inline::<256>::new();
    {
        let strategy = &mut strategy;
        let call = Call::<'_, dyn Future<Output = ()> + '_, Inline<256>, _>::new(move |slot, cx| {
            let started = start(slot, strategy, cx, move || async move {
                let _dropped = Dropped(&DROPS);
                notify.notified().await;
            });
            // `Started` has no drop glue today, so this is also the "dropped" case; the
            // call must not depend on it either way.
            #[allow(clippy::forget_non_drop)]
            core::mem::forget(started);
            panic!("after start");
        });
        let mut call = Box::pin(call);
        assert!(catch_unwind(AssertUnwindSafe(|| poll_once(call.as_mut()))).is_err());
        assert_eq!(DROPS.load(Ordering::SeqCst), 1);
        // Polled after it completed (by unwinding): a panic, nothing dropped again.
        assert!(catch_unwind(AssertUnwindSafe(|| poll_once(call.as_mut()))).is_err());
        drop(call);
        assert_eq!(DROPS.load(Ordering::SeqCst), 1);
    }
    notify.notify_waiters();
}

/// The same through safe generated code? Here, the reference behaviour: a call whose
/// closure does not panic unlinks its waiter when dropped (passes under Miri).
#[test]
fn dropping_a_pending_inline_call_unlinks_its_waiter() {
    let notify = Notify::new();
    let notify = &notify;
    let mut strategy = Inline::<256>::new();
    {
        let strategy = &mut strategy;
        let call = Call::<'_, dyn Future<Output = ()> + '_, Inline<256>, _>::new(move |slot, cx| {
            start(slot, strategy, cx, move || async move {
                notify.notified().await;
            })
        });
        let mut call = Box::pin(call);
        assert!(poll_once(call.as_mut()).is_pending());
        drop(call);
    }
    notify.notify_waiters();
}
