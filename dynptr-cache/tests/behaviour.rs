//! What `Cached` promises beyond the conformance kit, checked against an allocator that
//! records every block: one block reused call after call, growth with exact-layout
//! deallocation, forgotten values abandoned with their block (a `Notify` waiter, a
//! `RefMut` of a dead local), panicking drops, the shared path with values alive
//! together (joined futures, threads), moved-out values and allocation failure.

mod common;

use core::alloc::Layout;
use core::cell::{Cell, RefCell};
use core::future::Future;
use core::panic::AssertUnwindSafe;
use core::pin::pin;
use core::task::Poll;

use common::{poll_once, rounds, Ledger, Page, Payload, Tracked, Wide};
use dynptr_cache::Cached;
use dynptr_core::testkit::{forget_reachable, YieldOnce};
use dynptr_core::{DynPtr, OwningPtr, RejectReason, Strategy};

type Probe<'s, A> = DynPtr<'s, dyn Payload + 's, Cached<A>>;
type Fut<'s, T, A> = DynPtr<'s, dyn Future<Output = T> + 's, Cached<A>>;

fn addr<D: ?Sized, S: Strategy>(p: &DynPtr<'_, D, S>) -> usize {
    (DynPtr::as_ptr(p) as *const u8).addr()
}

/// Whether the block `(start, layout)` holds the address `addr`.
fn contains((start, layout): (usize, Layout), addr: usize) -> bool {
    (start..start + layout.size()).contains(&addr)
}

#[test]
fn one_block_serves_every_call() {
    static LEDGER: Ledger = Ledger::strict();
    let mut cache = Cached::new_in(&LEDGER);
    let drops = Cell::new(0);
    let mut first = None;
    for round in 0..rounds() {
        let p: Probe<'_, _> = DynPtr::new(
            &mut cache,
            Tracked {
                drops: &drops,
                payload: round as u64,
            },
        );
        assert_eq!(p.payload(), round as u64);
        assert_eq!(
            *first.get_or_insert(addr(&p)),
            addr(&p),
            "round {round}: another block"
        );
        drop(p);
        assert_eq!(drops.get(), round + 1, "dropped when its pointer drops");
    }
    assert_eq!(
        (LEDGER.allocs(), LEDGER.deallocs()),
        (1, 0),
        "one allocation, kept"
    );
    let layout = cache.capacity().unwrap();
    assert_eq!(layout, Layout::new::<Tracked<'_>>());
    drop(cache);
    assert_eq!(LEDGER.deallocs(), 1, "the block is freed with the cache");
    assert!(LEDGER.live().is_empty());
}

#[test]
fn a_presized_cache_never_allocates_for_values_that_fit() {
    static LEDGER: Ledger = Ledger::strict();
    let layout = Layout::from_size_align(4096, 64).unwrap();
    let mut cache = Cached::with_capacity_in(layout, &LEDGER);
    assert_eq!(LEDGER.allocs(), 1);
    for round in 0..rounds() {
        let p: Probe<'_, _> = DynPtr::new(&mut cache, round as u64);
        assert_eq!(p.payload(), round as u64);
        drop(p);
        let q: Probe<'_, _> = DynPtr::new(&mut cache, Wide([1u8; 4000]));
        assert_eq!(q.payload(), 4000);
    }
    assert_eq!(LEDGER.allocs(), 1, "a value that fits allocated");
    assert_eq!(cache.capacity(), Some(layout));
    drop(cache);
    assert!(LEDGER.live().is_empty());
}

#[test]
fn the_block_grows_to_the_largest_size_and_alignment_and_is_freed_exactly() {
    static LEDGER: Ledger = Ledger::strict();
    let mut cache = Cached::new_in(&LEDGER);
    fn put<T: Payload>(cache: &mut Cached<&'static Ledger>, value: T, payload: u64) {
        let align = align_of::<T>();
        let p: Probe<'_, _> = DynPtr::new(cache, value);
        assert_eq!(addr(&p) % align, 0, "misaligned");
        assert_eq!(p.payload(), payload);
    }
    put(&mut cache, 7u64, 7);
    put(&mut cache, Wide([2u8; 100]), 200);
    put(&mut cache, Page([1u8; 4096]), 4096);
    // Smaller values now fit the grown block: no more allocations.
    let allocs = LEDGER.allocs();
    put(&mut cache, 9u64, 9);
    put(&mut cache, Wide([3u8; 10]), 30);
    assert_eq!(LEDGER.allocs(), allocs);
    assert_eq!(
        cache.capacity(),
        Some(Layout::from_size_align(4096, 4096).unwrap())
    );
    // A larger value grows the block, keeping the largest alignment seen; then both
    // fit without allocating.
    put(&mut cache, Wide([1u8; 9000]), 9000);
    assert_eq!(LEDGER.allocs(), allocs + 1);
    put(&mut cache, Page([2u8; 4096]), 8192);
    put(&mut cache, Wide([1u8; 9000]), 9000);
    assert_eq!(LEDGER.allocs(), allocs + 1);
    let capacity = cache.capacity().unwrap();
    assert_eq!(capacity.align(), 4096);
    assert!(capacity.size() >= 4096, "{capacity:?}");
    drop(cache);
    // The ledger panicked on any deallocation with a layout other than the allocating one.
    assert_eq!(LEDGER.allocs(), LEDGER.deallocs());
    assert!(LEDGER.live().is_empty());
}

#[test]
fn zero_sized_values_are_stored_like_any_other() {
    static LEDGER: Ledger = Ledger::strict();
    #[derive(Debug)]
    #[repr(align(32))]
    struct Unit;
    impl Payload for Unit {
        fn payload(&self) -> u64 {
            42
        }
    }
    let mut cache = Cached::new_in(&LEDGER);
    for _ in 0..rounds() {
        let p: Probe<'_, _> = DynPtr::new(&mut cache, Unit);
        assert_eq!(p.payload(), 42);
        assert_eq!(addr(&p) % 32, 0);
        drop(p);
        let q: Probe<'_, _> = DynPtr::new_shared(&cache, Unit);
        let r: Probe<'_, _> = DynPtr::new_shared(&cache, Unit);
        assert_ne!(addr(&q), addr(&r));
        assert_eq!(q.payload() + r.payload(), 84);
    }
    // The block (for its header), once; a one-off for each `r`, freed.
    let rounds = rounds();
    assert_eq!((LEDGER.allocs(), LEDGER.deallocs()), (1 + rounds, rounds));
    assert_eq!(cache.capacity().map(|c| c.size()), Some(0));
    drop(cache);
    assert!(LEDGER.live().is_empty());
}

#[test]
fn a_forgotten_value_keeps_its_block_and_the_next_call_takes_a_fresh_one() {
    static LEDGER: Ledger = Ledger::strict();
    let drops = Cell::new(0);
    let mut cache = Cached::new_in(&LEDGER);
    let fut = {
        let tracked = Tracked {
            drops: &drops,
            payload: 5,
        };
        async move {
            let tracked = tracked;
            YieldOnce::new().await;
            tracked.payload
        }
    };
    let mut pinned = Box::pin(Fut::new(&mut cache, fut));
    let abandoned = addr(&pinned);
    assert!(poll_once(pinned.as_mut()).is_pending());
    forget_reachable(pinned);
    assert_eq!(cache.abandoned(), 0, "noticed at the next call, not before");

    let p: Probe<'_, _> = DynPtr::new(&mut cache, 1u64);
    assert_ne!(addr(&p), abandoned, "the abandoned block was reused");
    drop(p);
    assert_eq!(cache.abandoned(), 1);
    assert_eq!(LEDGER.allocs(), 2, "a fresh block");
    // Steady state again on the fresh block.
    for _ in 0..rounds() {
        drop(Probe::new(&mut cache, 2u64));
    }
    assert_eq!(LEDGER.allocs(), 2);
    drop(cache);
    assert_eq!(drops.get(), 0, "an abandoned value was dropped");
    let live = LEDGER.live();
    assert_eq!(live.len(), 1, "only the abandoned block stays allocated");
    assert!(contains(live[0], abandoned), "the abandoned block was freed");
}

#[test]
fn forgotten_occupant_noticed_when_the_cache_drops() {
    static LEDGER: Ledger = Ledger::strict();
    let mut cache = Cached::new_in(&LEDGER);
    let p: Probe<'_, _> = DynPtr::new(&mut cache, 3u64);
    let abandoned = addr(&p);
    forget_reachable(p);
    drop(cache);
    assert_eq!(LEDGER.deallocs(), 0, "the block of a forgotten value was freed");
    assert!(contains(LEDGER.live()[0], abandoned));
}

/// A future waiting on a `Notify` links a node into the `Notify`'s intrusive list when
/// first polled. Forgotten, the node must stay where it is: `notify_waiters` writes to
/// it after the cache has been used again and dropped.
#[test]
fn forgotten_notify_waiter_stays_valid() {
    let notify: &'static tokio::sync::Notify = Box::leak(Box::new(tokio::sync::Notify::new()));
    let mut cache = Cached::new();
    {
        let fut = async move {
            notify.notified().await;
            1u32
        };
        let mut pinned = Box::pin(Fut::new(&mut cache, fut));
        assert!(poll_once(pinned.as_mut()).is_pending());
        forget_reachable(pinned);
    }
    // Another call through the same strategy, of the same type, that would land on the
    // same block if the cache reused it.
    for round in 0..rounds() as u32 {
        let fut = async move {
            YieldOnce::new().await;
            round
        };
        let mut fut = pin!(Fut::new(&mut cache, fut));
        assert!(poll_once(fut.as_mut()).is_pending());
        assert_eq!(poll_once(fut.as_mut()), Poll::Ready(round));
    }
    notify.notify_waiters();
    assert_eq!(cache.abandoned(), 1);
    drop(cache);
    notify.notify_waiters();
}

/// A future holding a `RefMut` of a local that ends after the forget: dropping the
/// future later would write the borrow flag of a dead local.
#[test]
#[allow(clippy::await_holding_refcell_ref)]
fn forgotten_refmut_of_a_dead_local_is_never_dropped() {
    let mut cache = Cached::new();
    {
        let local = RefCell::new(10u64);
        let fut = async {
            let mut guard = local.borrow_mut();
            YieldOnce::new().await;
            *guard += 1;
            *guard
        };
        let mut pinned = Box::pin(Fut::new(&mut cache, fut));
        assert!(poll_once(pinned.as_mut()).is_pending());
        forget_reachable(pinned);
        assert!(local.try_borrow().is_err());
    }
    for round in 0..rounds() as u64 {
        let mut fut = pin!(Fut::new(&mut cache, async move { round }));
        assert_eq!(poll_once(fut.as_mut()), Poll::Ready(round));
    }
    assert_eq!(cache.abandoned(), 1);
    drop(cache);
}

/// Panics in its drop.
struct Bomb<'c>(&'c Cell<usize>);

impl Payload for Bomb<'_> {
    fn payload(&self) -> u64 {
        0xb0
    }
}

impl Drop for Bomb<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
        panic!("Bomb dropped (expected)");
    }
}

#[test]
fn a_panicking_drop_gives_the_block_back_and_frees_nothing() {
    static LEDGER: Ledger = Ledger::strict();
    // Room for a `Tracked` too, so that the block never changes here.
    let mut cache = Cached::with_capacity_in(Layout::new::<Tracked<'_>>(), &LEDGER);
    let bombs = Cell::new(0);
    let p: Probe<'_, _> = DynPtr::new(&mut cache, Bomb(&bombs));
    let block = addr(&p);
    assert!(std::panic::catch_unwind(AssertUnwindSafe(move || drop(p))).is_err());
    assert_eq!(bombs.get(), 1);
    assert_eq!(LEDGER.deallocs(), 0, "a panicking drop freed the block");

    // The cache is usable: the next value goes to the same block, without allocating.
    let drops = Cell::new(0);
    let q: Probe<'_, _> = DynPtr::new(
        &mut cache,
        Tracked {
            drops: &drops,
            payload: 8,
        },
    );
    assert_eq!((addr(&q), q.payload()), (block, 8));
    drop(q);
    assert_eq!((drops.get(), bombs.get()), (1, 1));
    assert_eq!(cache.abandoned(), 0, "a panicking drop is not a forget");

    // Same on the shared path, for the block and for a one-off allocation.
    let first: Probe<'_, _> = DynPtr::new_shared(&cache, Bomb(&bombs));
    let second: Probe<'_, _> = DynPtr::new_shared(&cache, Bomb(&bombs));
    assert_eq!(addr(&first), block);
    assert!(std::panic::catch_unwind(AssertUnwindSafe(move || drop(second))).is_err());
    assert!(std::panic::catch_unwind(AssertUnwindSafe(move || drop(first))).is_err());
    assert_eq!(bombs.get(), 3);
    assert_eq!(
        (LEDGER.allocs(), LEDGER.deallocs()),
        (2, 1),
        "the one-off was freed once"
    );
    let r: Probe<'_, _> = DynPtr::new_shared(&cache, 4u64);
    assert_eq!(addr(&r), block, "the block is free again");
    drop(r);
    drop(cache);
    assert!(LEDGER.live().is_empty());
}

/// Two futures from the shared entry point, alive together and awaited with `join`:
/// one in the block, the other in a one-off allocation.
#[test]
fn joined_shared_futures_do_not_share_the_block() {
    static LEDGER: Ledger = Ledger::strict();
    let cache = Cached::new_in(&LEDGER);
    let get = |key: u64| -> Fut<'_, u64, _> {
        DynPtr::new_shared(&cache, async move {
            YieldOnce::new().await;
            key * 100
        })
    };
    for round in 0..rounds() as u64 {
        let (a, b) = (get(round), get(round + 1));
        let (addr_a, addr_b) = (addr(&a), addr(&b));
        assert_ne!(addr_a, addr_b, "two live values in one block");
        let sums = futures::executor::block_on(futures::future::join(a, b));
        assert_eq!(sums, (round * 100, round * 100 + 100));
    }
    // The first of each pair took the block (allocated once); each second one was a
    // one-off, freed when its future dropped.
    let rounds = rounds();
    assert_eq!(LEDGER.allocs(), 1 + rounds);
    assert_eq!(LEDGER.deallocs(), rounds);
    // One at a time, the shared path reuses the block.
    for key in 0..rounds as u64 {
        assert_eq!(futures::executor::block_on(get(key)), key * 100);
    }
    assert_eq!(LEDGER.allocs(), 1 + rounds);
    drop(cache);
    assert!(LEDGER.live().is_empty());
}

#[test]
fn a_value_forgotten_on_the_shared_path_is_noticed_by_the_next_exclusive_call() {
    static LEDGER: Ledger = Ledger::strict();
    let mut cache = Cached::new_in(&LEDGER);
    let p: Probe<'_, _> = DynPtr::new_shared(&cache, 1u64);
    let abandoned = addr(&p);
    forget_reachable(p);
    // Shared calls cannot tell a forgotten occupant from a live one: one-offs.
    let q: Probe<'_, _> = DynPtr::new_shared(&cache, 2u64);
    assert_ne!(addr(&q), abandoned);
    drop(q);
    assert_eq!((LEDGER.allocs(), LEDGER.deallocs()), (2, 1));
    // `&mut` proves that no pointer is alive: the block is left to the forgotten value.
    let r: Probe<'_, _> = DynPtr::new(&mut cache, 3u64);
    assert_ne!(addr(&r), abandoned);
    drop(r);
    assert_eq!(cache.abandoned(), 1);
    let s: Probe<'_, _> = DynPtr::new_shared(&cache, 4u64);
    drop(s);
    assert_eq!(LEDGER.allocs(), 3, "shared calls use the fresh block again");
    drop(cache);
    assert_eq!(LEDGER.live().len(), 1);
}

#[test]
fn threads_share_one_cache() {
    static LEDGER: Ledger = Ledger::strict();
    let cache = Cached::new_in(&LEDGER);
    let per_thread = if cfg!(miri) { 3 } else { 2000 };
    std::thread::scope(|scope| {
        for t in 0..2u64 {
            let cache = &cache;
            scope.spawn(move || {
                for i in 0..per_thread {
                    let payload = (t << 32) | i;
                    let p: DynPtr<'_, dyn Payload + Send + Sync, _> = DynPtr::new_shared(cache, payload);
                    core::hint::black_box(&p);
                    assert_eq!(p.payload(), payload, "another thread wrote into this value");
                }
            });
        }
    });
    drop(cache);
    assert_eq!(LEDGER.allocs(), LEDGER.deallocs());
}

#[test]
fn a_moved_out_value_releases_its_storage_once() {
    static LEDGER: Ledger = Ledger::strict();
    let mut cache = Cached::new_in(&LEDGER);
    let drops = Cell::new(0);
    for shared_second in [false, true] {
        let first: DynPtr<'_, Tracked<'_>, _> = DynPtr::new_shared(
            &cache,
            Tracked {
                drops: &drops,
                payload: 1,
            },
        );
        let second: DynPtr<'_, Tracked<'_>, _> = DynPtr::new_shared(
            &cache,
            Tracked {
                drops: &drops,
                payload: 2,
            },
        );
        // Move each value out, as a by-value `self` method does, then release.
        let (a, b) = if shared_second {
            (second, first)
        } else {
            (first, second)
        };
        for p in [a, b] {
            let mut raw = DynPtr::into_raw(p);
            // SAFETY: the pointee is initialised and owned by `raw`; it is read once.
            let value = unsafe { raw.as_mut_ptr().read() };
            let before = drops.get();
            // SAFETY: the pointee was moved out just now; `raw` was never pinned.
            unsafe { OwningPtr::release_moved(raw) };
            assert_eq!(drops.get(), before, "releasing the storage dropped the value");
            drop(value);
            assert_eq!(drops.get(), before + 1);
        }
    }
    assert_eq!(drops.get(), 4);
    assert_eq!((LEDGER.allocs(), LEDGER.deallocs()), (3, 2));
    let p: Probe<'_, _> = DynPtr::new(&mut cache, 1u64);
    drop(p);
    assert_eq!(cache.abandoned(), 0, "a released block looked forgotten");
    drop(cache);
    assert!(LEDGER.live().is_empty());
}

#[test]
fn allocation_failure_gives_the_value_back_and_keeps_the_cache_usable() {
    static LEDGER: Ledger = Ledger::strict();
    LEDGER.fail_above(64);
    let mut cache = Cached::new_in(&LEDGER);
    let p: Probe<'_, _> = DynPtr::new(&mut cache, 1u64);
    drop(p);
    for shared in [false, true] {
        let big = Wide([5u8; 200]);
        let result = if shared {
            Probe::try_new_shared(&cache, big)
        } else {
            Probe::try_new(&mut cache, big)
        };
        let Err(rejected) = result else {
            panic!("stored beyond the allocator's limit")
        };
        assert!(matches!(rejected.reason(), RejectReason::OutOfMemory { .. }));
        assert_eq!(
            rejected.into_value().payload(),
            1000,
            "the value came back intact"
        );
    }
    // The old block was freed before the failed allocation; small values still work.
    let p: Probe<'_, _> = DynPtr::new(&mut cache, 2u64);
    assert_eq!(p.payload(), 2);
    drop(p);
    let q: Probe<'_, _> = DynPtr::new_shared(&cache, 3u64);
    assert_eq!(q.payload(), 3);
    drop(q);
    drop(cache);
    assert!(LEDGER.live().is_empty());
    // `try_with_capacity_in` reports the failure too.
    assert!(Cached::try_with_capacity_in(Layout::new::<[u8; 65]>(), &LEDGER).is_err());
}
