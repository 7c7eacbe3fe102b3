//! Abandon on forget (DESIGN.md rule 1) for the arena: a forgotten value is never dropped
//! and its memory never reused or freed, so the arena holding it is leaked and replaced;
//! a value moved out (`release_moved`) gives its count back without a drop.
//!
//! Forgotten pointers go through `testkit::forget_reachable` and leaked arenas stay on
//! `dynptr-bump`'s static list, so Miri's leak checker sees the intended leaks as
//! reachable.

use core::cell::{Cell, RefCell};
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Waker};

use dynptr_bump::{leaked_arenas, Bumped, Reset};
use dynptr_core::testkit::{block_on, forget_reachable, YieldOnce};
use dynptr_core::{DynPtr, OwningPtr};
use tokio::sync::Notify;

/// Loop counts: small under Miri, which is slow.
const N: usize = if cfg!(miri) { 4 } else { 1000 };

fn addr<D: ?Sized, S: dynptr_core::Strategy>(p: &DynPtr<'_, D, S>) -> usize {
    DynPtr::as_ptr(p).cast::<u8>().addr()
}

#[test]
fn forgotten_pinned_future_in_an_intrusive_list_is_abandoned() {
    static NOTIFY: Notify = Notify::const_new();
    let mut cx = Context::from_waker(Waker::noop());
    let mut strategy = Bumped::new();
    let leaked_before = leaked_arenas();

    // A future whose state holds an intrusive list node linked into `NOTIFY`.
    let first: DynPtr<'_, dyn Future<Output = ()>, _> =
        DynPtr::new(&mut strategy, async { NOTIFY.notified().await });
    let first_addr = addr(&first);
    let mut first = Box::pin(first);
    assert!(
        first.as_mut().poll(&mut cx).is_pending(),
        "the node is now linked into NOTIFY"
    );
    forget_reachable(first);
    assert_eq!(strategy.outstanding(), 1);

    {
        // The next call finds the forgotten value: the arena is leaked, a fresh one used.
        let second: DynPtr<'_, dyn Future<Output = ()>, _> =
            DynPtr::new(&mut strategy, async { NOTIFY.notified().await });
        assert_ne!(addr(&second), first_addr, "the abandoned memory was reused");
        let mut second = pin!(second);
        assert!(second.as_mut().poll(&mut cx).is_pending());
        // Walks the waiter list and writes to the abandoned node: its memory must still
        // be valid (Miri reports a use-after-free otherwise).
        NOTIFY.notify_waiters();
        assert!(second.as_mut().poll(&mut cx).is_ready());
    }
    assert!(leaked_arenas() > leaked_before, "the arena was not leaked");
    assert_eq!(strategy.outstanding(), 0, "the fresh arena counts only its own");

    // The fresh arena is reclaimed as usual from now on.
    for _ in 0..N {
        block_on(DynPtr::<dyn Future<Output = ()>, _>::new(&mut strategy, async {
            YieldOnce::default().await
        }));
    }
    assert_eq!(strategy.reset(), Reset::Reused);
}

#[test]
fn forgotten_future_in_a_shared_arena_is_abandoned() {
    static NOTIFY: Notify = Notify::const_new();
    let mut cx = Context::from_waker(Waker::noop());
    let mut arena = Bumped::new();

    let first_addr = {
        let mut user = &arena;
        let first: DynPtr<'_, dyn Future<Output = ()>, _> =
            DynPtr::new(&mut user, async { NOTIFY.notified().await });
        let first_addr = addr(&first);
        let mut first = Box::pin(first);
        assert!(first.as_mut().poll(&mut cx).is_pending());
        forget_reachable(first);

        // Other users of the arena go on; nothing may reset it while the forgotten
        // value counts as outstanding.
        let mut other = &arena;
        for _ in 0..N {
            let p: DynPtr<'_, dyn Future<Output = ()>, _> =
                DynPtr::new(&mut other, async { NOTIFY.notified().await });
            assert_ne!(addr(&p), first_addr, "the abandoned memory was reused");
            let mut p = pin!(p);
            assert!(p.as_mut().poll(&mut cx).is_pending());
        }
        first_addr
    };
    assert_eq!(arena.outstanding(), 1);
    assert_eq!(arena.reset(), Reset::Replaced { abandoned: 1 });

    let mut user = &arena;
    let second: DynPtr<'_, dyn Future<Output = ()>, _> =
        DynPtr::new(&mut user, async { NOTIFY.notified().await });
    assert_ne!(addr(&second), first_addr);
    let mut second = pin!(second);
    assert!(second.as_mut().poll(&mut cx).is_pending());
    NOTIFY.notify_waiters();
    assert!(second.as_mut().poll(&mut cx).is_ready());
}

#[test]
fn forgotten_future_borrowing_a_dead_local_is_never_dropped() {
    let mut strategy = Bumped::new();
    let mut cx = Context::from_waker(Waker::noop());

    let abandoned_addr;
    {
        let cell = RefCell::new(0u32);
        #[expect(
            clippy::await_holding_refcell_ref,
            reason = "the point of the test: a borrow held while pending"
        )]
        let holds_refmut = async {
            let mut guard = cell.borrow_mut();
            *guard += 1;
            YieldOnce::default().await;
            *guard += 1;
        };
        let fut: DynPtr<'_, dyn Future<Output = ()> + '_, _> = DynPtr::new(&mut strategy, holds_refmut);
        abandoned_addr = addr(&fut);
        let mut fut = Box::pin(fut);
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        assert!(cell.try_borrow().is_err(), "the future holds the RefMut");
        forget_reachable(fut);
        assert!(cell.try_borrow().is_err(), "the forgotten future's drop ran");
    } // `cell` dies here, while the abandoned future still holds a `RefMut` of it.

    // Using the strategy again must not touch the abandoned future (Miri would report a
    // use-after-free of `cell` if its drop ran).
    for i in 0..N {
        let fut: DynPtr<'_, dyn Future<Output = usize>, _> = DynPtr::new(&mut strategy, async move {
            YieldOnce::default().await;
            i
        });
        assert_ne!(addr(&fut), abandoned_addr);
        assert_eq!(block_on(fut), i);
    }
    assert_eq!(strategy.outstanding(), 0);
}

#[test]
fn a_strategy_dropped_with_a_forgotten_value_leaks_its_arena() {
    let drops = Cell::new(0);
    let leaked_before = leaked_arenas();
    let abandoned: *const (dyn core::fmt::Debug + '_);
    {
        let mut strategy = Bumped::new();
        let p: DynPtr<'_, dyn core::fmt::Debug + '_, _> = DynPtr::new(
            &mut strategy,
            Noisy {
                drops: &drops,
                payload: [7; 24],
            },
        );
        abandoned = DynPtr::as_ptr(&p);
        forget_reachable(p);
    } // `strategy` is dropped here, holding a forgotten value.
    assert!(leaked_arenas() > leaked_before);
    assert_eq!(drops.get(), 0, "the abandoned value was dropped");
    // SAFETY: the abandoned value was never dropped and its arena was leaked, not freed
    // (the property under test; Miri reports a use-after-free otherwise); `drops`, which
    // it borrows, is still alive.
    let text = format!("{:?}", unsafe { &*abandoned });
    assert!(text.contains("[7, 7"), "abandoned value changed: {text}");
}

#[derive(Debug)]
struct Noisy<'c> {
    drops: &'c Cell<usize>,
    payload: [u8; 24],
}

impl Drop for Noisy<'_> {
    fn drop(&mut self) {
        self.drops.set(self.drops.get() + 1);
    }
}

#[test]
fn a_value_moved_out_gives_its_count_back_without_a_drop() {
    let drops = Cell::new(0);
    let mut arena = Bumped::new();
    for shared in [false, true] {
        let value = Noisy {
            drops: &drops,
            payload: [3; 24],
        };
        let p: DynPtr<'_, Noisy<'_>, _> = if shared {
            DynPtr::new_shared(&arena, value)
        } else {
            DynPtr::new(&mut arena, value)
        };
        let mut raw = DynPtr::into_raw(p);
        // SAFETY: the pointee is initialised and owned by `raw`; it is read once, and
        // `raw` is then released without dropping it.
        let moved = unsafe { raw.as_mut_ptr().as_ptr().read() };
        // SAFETY: the pointee was moved out just above; `raw` was never pinned.
        unsafe { OwningPtr::release_moved(raw) };
        assert_eq!(arena.outstanding(), 0, "the count was not given back");
        assert_eq!(drops.get(), usize::from(shared), "dropped while moved out");
        assert_eq!(moved.payload, [3; 24]);
        drop(moved);
        assert_eq!(drops.get(), usize::from(shared) + 1);
    }
    assert_eq!(arena.reset(), Reset::Reused, "nothing was abandoned");
}
