//! `self: Pin<&mut Self>` methods through the vtable: a wrapper made with `from_pin`
//! (over a pinned borrow) calls them, and the trait's `&self` methods; a wrapper over a
//! plain `&mut` borrow does not implement the trait (the value could move once the
//! borrow ends, so it cannot be pinned).

use core::future::Future;
use core::marker::PhantomPinned;
use core::pin::{pin, Pin};
use core::task::{Context, Poll};

use dynptr::storage::PinHolder;
use dynptr::{dyn_trait, Boxed};
use dynptr_core::testkit::block_on;
use static_assertions::{assert_impl_all, assert_not_impl_any};

#[dyn_trait]
trait Source {
    /// Polls for the next value.
    fn poll_value(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32>;
    /// Restarts from `at`; returns the value it was at.
    async fn restart(self: Pin<&mut Self>, at: u32) -> u32;
    fn name(&self) -> &'static str;
}

/// `!Unpin`: it checks that it was not moved since it was first pinned.
struct Pinned {
    at: u32,
    home: Option<*const Pinned>,
    _pin: PhantomPinned,
}

impl Pinned {
    fn new(at: u32) -> Self {
        Pinned {
            at,
            home: None,
            _pin: PhantomPinned,
        }
    }
    fn check(self: Pin<&mut Self>) -> &mut u32 {
        let here: *const Pinned = &*self;
        // SAFETY: the fields are not structurally pinned: only `at` and `home` are
        // written, nothing is moved out.
        let this = unsafe { self.get_unchecked_mut() };
        let home = *this.home.get_or_insert(here);
        assert_eq!(home, here, "moved while pinned");
        &mut this.at
    }
}

impl Source for Pinned {
    fn poll_value(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<u32> {
        let at = self.check();
        *at += 1;
        Poll::Ready(*at)
    }
    async fn restart(self: Pin<&mut Self>, at: u32) -> u32 {
        core::future::ready(()).await;
        core::mem::replace(self.check(), at)
    }
    fn name(&self) -> &'static str {
        "pinned"
    }
}

type PinnedSource<'a> = DynSource<'a, Boxed, PinHolder<'a, dyn ErasedSource<Boxed> + 'a>>;

assert_impl_all!(PinnedSource<'static>: Source);
// Over `&mut` (`new`) or `&` (`from_ref`): no pinned access, no impl of the trait.
assert_not_impl_any!(DynSource<'static>: Source);

/// A future polling the source once.
struct Next<'a, S: ?Sized>(Pin<&'a mut S>);

impl<S: ?Sized + Source> Future for Next<'_, S> {
    type Output = u32;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        self.0.as_mut().poll_value(cx)
    }
}

async fn two<S: Source>(mut s: Pin<&mut S>) -> (u32, u32) {
    let a = Next(s.as_mut()).await;
    let b = Next(s.as_mut()).await;
    (a, b)
}

#[test]
fn a_pinned_wrapper_calls_pinned_methods() {
    let mut value = pin!(Pinned::new(10));
    let mut d = DynSource::from_pin(value.as_mut());
    assert_eq!(d.name(), "pinned");
    // The wrapper is `Unpin`: `Pin::new` pins it, and its receiver stays pinned.
    assert_eq!(block_on(two(Pin::new(&mut d))), (11, 12));
    assert_eq!(block_on(Pin::new(&mut d).restart(100)), 12);
    // The value did not move (its `check` would have failed) and kept its state.
    assert_eq!(block_on(value.as_mut().restart(0)), 100);

    let mut boxed = Box::pin(Pinned::new(0));
    let mut d = DynSource::from_pin_with_strategy(boxed.as_mut(), Boxed::new());
    assert_eq!(block_on(two(Pin::new(&mut d))), (1, 2));
}
