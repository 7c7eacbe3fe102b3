//! Issue 13, fault 1: dropping a pinned, polled, self-referential future. Every drop path
//! read the layout through a shared reference to the whole value before the drop; under
//! Miri that invalidated (Stacked Borrows) or froze (Tree Borrows) the `&mut` the future
//! held into its own state, and the drop glue then wrote through it. These are the
//! audit's reproductions; the same shapes run in `testkit::check` for every strategy,
//! and `every_strategy_drops_self_referential_futures` calls that check directly here.
//! Natively they pass either way: the tests matter under Miri (CI runs both models).

#![cfg(feature = "box")]

use core::future::Future;
use core::pin::pin;

use dynptr::{Boxed, DynPtr};
use dynptr_core::testkit::{self, poll_once, YieldOnce};

struct WriteOnDrop<'a>(&'a mut [u8; 8]);

impl Drop for WriteOnDrop<'_> {
    fn drop(&mut self) {
        self.0[0] = 42;
    }
}

#[test]
fn boxed() {
    let fut = async {
        let mut buf = [0u8; 8];
        let g = WriteOnDrop(&mut buf);
        YieldOnce::new().await;
        g.0[2]
    };
    let mut s = Boxed::new();
    let mut p = pin!(DynPtr::<dyn Future<Output = u8>, Boxed>::new(&mut s, fut));
    assert!(poll_once(p.as_mut()).is_pending());
} // Dropped mid-await.

#[test]
fn boxed_vec_drain() {
    let fut = async {
        let mut v = vec![1u8, 2, 3, 4];
        let mut drain = v.drain(1..3);
        let first = drain.next();
        YieldOnce::new().await;
        first.unwrap_or(0) + drain.next().unwrap_or(0)
    };
    let mut s = Boxed::new();
    let mut p = pin!(DynPtr::<dyn Future<Output = u8>, Boxed>::new(&mut s, fut));
    assert!(poll_once(p.as_mut()).is_pending());
} // Dropped mid-await: the drain's drop writes the vector's length through its borrow.

#[test]
fn boxed_shared_entry_point() {
    let fut = async {
        let mut buf = [0u8; 8];
        let g = WriteOnDrop(&mut buf);
        YieldOnce::new().await;
        g.0[2]
    };
    let s = Boxed::new();
    let mut p = pin!(DynPtr::<dyn Future<Output = u8>, Boxed>::new_shared(&s, fut));
    assert!(poll_once(p.as_mut()).is_pending());
}

#[test]
fn every_strategy_drops_self_referential_futures() {
    use dynptr_stack::{Inline, InlineOr, Slot, SlotRef};
    testkit::self_referential_drop(&mut Boxed::new());
    testkit::self_referential_drop(&mut Inline::<128>::new());
    // Too small for the futures: every value takes InlineOr's fallback (Boxed).
    testkit::self_referential_drop(&mut InlineOr::<8>::new());
    let slot = pin!(Slot::<128, dynptr_stack::align::A16, 2>::new());
    testkit::self_referential_drop(&mut SlotRef::new(slot));
    testkit::self_referential_drop(&mut dynptr_bump::Bumped::new());
    testkit::self_referential_drop(&mut &dynptr_bump::Bumped::new());
    // The shared scenario keeps two values alive: the second is a one-off allocation.
    testkit::self_referential_drop(&mut dynptr_cache::Cached::new());
}
