//! Typed receivers: `self: &Self` and `self: &mut Self` go through the vtable like `&self`
//! and `&mut self`; `self: Arc<Self>`, `self: Rc<Self>` and `self: Pin<&mut Self>` stay
//! in the trait for static dispatch (a wrapper holds its value by borrow or in a strategy
//! and cannot hand it out as an `Arc`, or pinned), and the wrapper inherits their default
//! bodies.

// Named on purpose: the shape under test.
#![allow(clippy::needless_lifetimes, clippy::needless_arbitrary_self_type)]

extern crate alloc;

use alloc::rc::Rc;
use alloc::sync::Arc;
use core::pin::Pin;

use dynptr::dyn_trait;
use dynptr_core::testkit::block_on;

#[dyn_trait]
trait Counter {
    fn get(self: &Self) -> u32;
    fn bump(self: &mut Self, by: u32);
    async fn get_later<'a>(self: &'a Self) -> u32;
    async fn bump_later(self: &mut Self) -> u32;
    async fn shared(self: Arc<Self>) -> u32 {
        7
    }
    fn counted(self: Rc<Self>) -> usize;
    fn pinned(self: Pin<&mut Self>) -> u32 {
        11
    }
}

struct C(u32);

impl Counter for C {
    fn get(&self) -> u32 {
        self.0
    }
    fn bump(&mut self, by: u32) {
        self.0 += by;
    }
    async fn get_later<'a>(&'a self) -> u32 {
        self.0
    }
    async fn bump_later(&mut self) -> u32 {
        self.0 += 1;
        self.0
    }
    async fn shared(self: Arc<Self>) -> u32 {
        self.0 * 2
    }
    fn counted(self: Rc<Self>) -> usize {
        Rc::strong_count(&self)
    }
}

#[test]
fn ref_receivers_go_through_the_vtable() {
    let mut c = C(1);
    let mut d = DynCounter::<dynptr::Boxed>::new(&mut c);
    assert_eq!(d.get(), 1);
    d.bump(4);
    assert_eq!(block_on(d.get_later()), 5);
    assert_eq!(block_on(d.bump_later()), 6);
    drop(d);
    assert_eq!(c.0, 6);
}

#[test]
fn typed_receivers_stay_for_static_dispatch() {
    // The implementor's own bodies, statically.
    assert_eq!(block_on(Arc::new(C(4)).shared()), 8);
    let rc = Rc::new(C(0));
    let _second = Rc::clone(&rc);
    assert_eq!(rc.counted(), 2);
    let mut c = C(3);
    assert_eq!(Pin::new(&mut c).pinned(), 11);
}

#[test]
// The wrapper borrows a non-`Sync` value here; the `Arc` only carries the receiver.
#[allow(clippy::arc_with_non_send_sync)]
fn the_wrapper_inherits_typed_receiver_defaults() {
    let mut c = C(1);
    let d = DynCounter::<dynptr::Boxed>::new(&mut c);
    // `Arc<DynCounter>` calls the trait's default body, not `C`'s.
    assert_eq!(block_on(Arc::new(d).shared()), 7);
    let mut c = C(1);
    let mut d = DynCounter::<dynptr::Boxed>::new(&mut c);
    assert_eq!(Pin::new(&mut d).pinned(), 11);
}
