//! From the 2026-12-03 audit: the hole of `dynptr-stack/tests/call_panic_after_start.rs`
//! (now closed), reached through `#[dyn_trait]`-generated code only.
//!
//! A by-value `async fn run(self)` on a wrapper whose receiver is a `DynPtr` (a value
//! another method returned as `impl Job`). The generated start closure runs
//! `HoldsOwned::consume`, whose guard releases the receiver's storage *after* the shim's
//! `start` has committed the pending future. If that release panics (the fallback's
//! allocator panics in `deallocate`), `Call::poll` unwinds; it used to set its state to
//! `Empty`, so the future, pinned inline in the call future, was never dropped and its
//! memory was freed with the call future (a tokio `Notify` waiter node registered by
//! the first poll was then written through after free). Now the call drops it while
//! unwinding.
#![allow(missing_docs)]

use core::alloc::Layout;
use core::cell::Cell;
use core::future::Future;
use core::panic::AssertUnwindSafe;
use core::ptr::NonNull;
use std::panic::catch_unwind;

use allocator_api2::alloc::{AllocError, Allocator, Global};
use dynptr::{dyn_trait, Boxed};
use dynptr_core::testkit::poll_once;
use dynptr_stack::InlineOr;
use tokio::sync::Notify;

std::thread_local! {
    static PANIC_ON_FREE: Cell<bool> = const { Cell::new(false) };
}

/// `Global`, except that `deallocate` panics (after freeing) while `PANIC_ON_FREE`.
#[derive(Clone, Copy, Default)]
struct PanicOnFree;

// SAFETY: forwards to `Global`; the panic comes after the block was freed.
unsafe impl Allocator for PanicOnFree {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        Global.allocate(layout)
    }
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: forwarded.
        unsafe { Global.deallocate(ptr, layout) };
        if PANIC_ON_FREE.with(|p| p.replace(false)) {
            panic!("deallocate panics");
        }
    }
}

#[dyn_trait]
trait Job {
    async fn run(self) -> u32;
}

#[dyn_trait]
trait Maker {
    fn make(&mut self) -> impl Job;
}

std::thread_local! {
    /// Futures dropped on this thread (each test runs on its own).
    static DROPS: Cell<usize> = const { Cell::new(0) };
}

/// Counts its drop in `DROPS`.
struct Dropped;

impl Drop for Dropped {
    fn drop(&mut self) {
        DROPS.with(|d| d.set(d.get() + 1));
    }
}

fn drops() -> usize {
    DROPS.with(Cell::get)
}

/// Too large for the inline buffer: the receiver goes to the fallback (`Boxed`).
struct BigJob<'n> {
    notify: &'n Notify,
    _ballast: [u8; 512],
}

impl Job for BigJob<'_> {
    // The future keeps only the `&Notify`: small enough for the inline buffer.
    #[allow(clippy::manual_async_fn)]
    fn run(self) -> impl Future<Output = u32> {
        let notify = self.notify;
        async move {
            let _dropped = Dropped;
            notify.notified().await;
            1
        }
    }
}

struct Factory<'n>(&'n Notify);

impl Maker for Factory<'_> {
    fn make(&mut self) -> impl Job {
        BigJob {
            notify: self.0,
            _ballast: [0; 512],
        }
    }
}

type S = InlineOr<256, Boxed<PanicOnFree>>;

#[test]
fn a_release_panic_in_a_by_value_call_drops_the_pinned_future() {
    let notify = Notify::new();
    let mut factory = Factory(&notify);
    {
        let mut maker = DynMaker::with_strategy(&mut factory, S::default());
        let job = maker.make();
        let mut run = Box::pin(job.run());
        PANIC_ON_FREE.with(|p| p.set(true));
        let r = catch_unwind(AssertUnwindSafe(|| poll_once(run.as_mut())));
        assert!(r.is_err(), "the release panicked");
        assert_eq!(drops(), 1, "the committed future was not dropped");
        drop(run);
        assert_eq!(drops(), 1);
    }
    notify.notify_waiters();
}

/// Without the panic: the by-value call's future is dropped in place and unlinks its
/// waiter (passes under Miri).
#[test]
fn by_value_call_unlinks_its_waiter_when_dropped() {
    let notify = Notify::new();
    let before = drops();
    let mut factory = Factory(&notify);
    {
        let mut maker = DynMaker::with_strategy(&mut factory, S::default());
        let job = maker.make();
        let mut run = Box::pin(job.run());
        assert!(poll_once(run.as_mut()).is_pending());
        drop(run);
        assert_eq!(drops(), before + 1);
    }
    notify.notify_waiters();
}
