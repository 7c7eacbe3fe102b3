//! The strategy conformance kit: generic checks every [`Strategy`] must pass. Every
//! backend of dynptr runs it; run it for a strategy of your own.
//!
//! [`check`] runs everything; each check is also public so a failure can be narrowed
//! down. The kit needs `std` (it catches panics and records leaked pointers) and is
//! meant for tests: `dynptr-core = { version = "0.1", features = ["testkit"] }` as a
//! dev-dependency.
//!
//! What it checks, for both entry points (`adapt`/`try_adapt` and their `_shared`
//! forms):
//! - each stored value is dropped exactly once, when its pointer drops, and reads back
//!   intact through the trait object;
//! - zero-sized values;
//! - sizes and alignments up to the declared [`Capacity`] (alignments up to 4096 for an
//!   unbounded strategy) come back at an aligned address, and beyond the capacity
//!   `try_adapt` gives the value back intact and undropped;
//! - a panic in a value's drop is propagated, drops nothing twice, and leaves the
//!   strategy usable;
//! - a value that is pinned, polled and forgotten (and one forgotten unpinned, and a
//!   future holding a `RefMut` of a local that ends after the forget) is abandoned: its
//!   drop never runs later, its memory is not reused while the strategy is used again,
//!   and it stays readable after the strategy is gone (Miri turns any violation into a
//!   use-after-free report);
//! - values from the shared entry point that are alive together never share storage;
//! - a future that borrows its own state across an await (a guard writing through a
//!   `&mut` into a local on drop, a `Vec::drain` of a local) can be dropped mid-await
//!   through both entry points: the strategy's drop path must not create a reference
//!   to the whole value before dropping it (under Miri, a shared re-borrow invalidates
//!   or freezes the future's borrows of itself, and its drop then writes through them).
//!
//! - the in-place entry point of `async fn` calls ([`call_paths`]): ready on the
//!   first poll, pending then ready, pending then dropped, pending and forgotten
//!   (pinned in a box, holding a `RefMut` of a dead local), a first poll that panics,
//!   a poll after completion, the caller's waker reaching the inner future, and two
//!   pending calls alive together, each followed by more calls on the same strategy.
//!
//! The kit's own values need a capacity of at least [`MIN_CAPACITY`]; it only stores
//! larger ones through `try_adapt`, so it compiles for inline strategies that reject
//! large values at compile time.
//!
//! The kit also carries the allocators that tests, examples and benchmarks count
//! with: [`CountingGlobalAllocator`] (a `#[global_allocator]` counting per thread, and
//! process-wide inside [`count_global`]), [`CountingAllocator`] (an `allocator-api2`
//! allocator over `Global` that counts) and [`FixedBuf`] (a fixed buffer, as a kernel
//! has before its heap).
//!
//! Auto traits cannot be checked generically at run time: call
//! [`assert_thread_safe`] (compile-time) and assert the negative cases with
//! `static_assertions` on your concrete pointer types.
//!
//! # Memory leaks under Miri
//!
//! Forgetting leaks by design. The kit keeps every pointer it abandons in a static
//! registry, so Miri's leak checker sees that memory as reachable; a strategy that
//! leaks its block when a value is abandoned should keep it reachable from the
//! abandoned pointer (or from a static) for the same reason.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::alloc::Layout;
use core::cell::{Cell, RefCell};
use core::future::Future;
use core::panic::AssertUnwindSafe;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll, Waker};
use std::sync::Mutex;

use crate::{impl_coerce, Capacity, DynPtr, RejectReason, Strategy, ThreadSafePointers};

mod allocators;

pub use allocators::{
    count_global, thread_allocations, CountingAllocator, CountingGlobalAllocator, FixedBuf, GlobalCounts,
    HeapStats,
};
// The name before the global counter also counted process-wide, kept so that tests
// written against it still build.
#[doc(hidden)]
pub use allocators::CountingGlobalAllocator as ThreadCountingAllocator;

/// The capacity the kit's own values need (its larger values go through `try_adapt`).
pub const MIN_CAPACITY: Capacity = Capacity::new(96, 8);

/// Options for strategies that differ in what they are allowed to do.
#[derive(Clone, Copy, Debug, Default)]
#[non_exhaustive]
pub struct Config {
    /// The strategy aborts the process when it is dropped while it holds an abandoned
    /// value (a stack slot, which cannot leak its memory). The kit then forgets such a
    /// strategy instead of dropping it.
    pub aborts_when_dropped_with_abandoned: bool,
}

impl Config {
    /// The default configuration: the strategy leaks abandoned values' memory.
    pub const fn new() -> Self {
        Config {
            aborts_when_dropped_with_abandoned: false,
        }
    }

    /// Sets [`aborts_when_dropped_with_abandoned`](Self::aborts_when_dropped_with_abandoned).
    pub const fn aborts_when_dropped_with_abandoned(mut self, yes: bool) -> Self {
        self.aborts_when_dropped_with_abandoned = yes;
        self
    }
}

/// Runs every check of the kit on strategies made by `make`, with the default
/// [`Config`]. Panics (with the name of the failed check) on a violation.
pub fn check<S: Strategy>(make: impl FnMut() -> S) {
    check_with(Config::new(), make);
}

/// Runs every check of the kit with `config`.
pub fn check_with<S: Strategy>(config: Config, mut make: impl FnMut() -> S) {
    assert!(
        S::CAPACITY.fits_layout(Layout::from_size_align(MIN_CAPACITY.size, MIN_CAPACITY.align).unwrap()),
        "the conformance kit needs a capacity of at least {MIN_CAPACITY:?}, the strategy declares {:?}",
        S::CAPACITY
    );
    drops_exactly_once(&mut make());
    zero_sized(&mut make());
    layouts(&mut make());
    panic_in_drop(&mut make());
    shared_values_do_not_overlap(&mut make());
    self_referential_drop(&mut make());
    forget_abandons(config, &mut make);
    call_paths(config, &mut make);
}

/// Compile-time check that `DynPtr`s of a [`ThreadSafePointers`] strategy are `Send`/`Sync`
/// exactly as their pointees allow, and `Unpin` for an `Unpin` pointee.
pub fn assert_thread_safe<S: ThreadSafePointers>() {
    fn send<T: Send>() {}
    fn sync<T: Sync>() {}
    fn unpin<T: Unpin>() {}
    fn check<'s, S: ThreadSafePointers + 's>() {
        send::<DynPtr<'s, dyn Future<Output = u8> + Send + 's, S>>();
        send::<DynPtr<'s, dyn Iterator<Item = u8> + Send + 's, S>>();
        sync::<DynPtr<'s, dyn Future<Output = u8> + Send + Sync + 's, S>>();
        sync::<DynPtr<'s, dyn core::fmt::Debug + Send + Sync + 's, S>>();
        unpin::<DynPtr<'s, u64, S>>();
    }
    check::<S>();
}

/// What the kit stores: a payload it can read back through the trait object, and
/// its address.
pub trait Probe {
    /// A checksum of the value's contents.
    fn payload(&self) -> u64;
}

impl_coerce!(dyn Probe);

/// A value that counts its drops in a shared counter and carries a payload.
struct Tracked<'c> {
    drops: &'c Cell<usize>,
    payload: u64,
}

impl Probe for Tracked<'_> {
    fn payload(&self) -> u64 {
        self.payload
    }
}

impl Drop for Tracked<'_> {
    fn drop(&mut self) {
        self.drops.set(self.drops.get() + 1);
    }
}

/// Each value is dropped exactly once, when its pointer drops, and reads back intact,
/// through both entry points.
pub fn drops_exactly_once<S: Strategy>(strategy: &mut S) {
    let drops = Cell::new(0);
    for round in 0..rounds() {
        let payload = 0x5eed_0000 + round as u64;
        let p: DynPtr<'_, dyn Probe, S> = DynPtr::new(
            strategy,
            Tracked {
                drops: &drops,
                payload,
            },
        );
        assert_eq!(p.payload(), payload, "adapt: value read back");
        assert_eq!(drops.get(), round * 2, "adapt: dropped before its pointer");
        drop(p);
        assert_eq!(drops.get(), round * 2 + 1, "adapt: not dropped exactly once");

        let p: DynPtr<'_, dyn Probe, S> = DynPtr::new_shared(
            strategy,
            Tracked {
                drops: &drops,
                payload,
            },
        );
        assert_eq!(p.payload(), payload, "adapt_shared: value read back");
        drop(p);
        assert_eq!(
            drops.get(),
            round * 2 + 2,
            "adapt_shared: not dropped exactly once"
        );
    }
}

std::thread_local! {
    static ZST_DROPS: Cell<usize> = const { Cell::new(0) };
}

struct Zst;

impl Probe for Zst {
    fn payload(&self) -> u64 {
        0x2e50
    }
}

impl Drop for Zst {
    fn drop(&mut self) {
        ZST_DROPS.with(|d| d.set(d.get() + 1));
    }
}

/// Zero-sized values are stored, read and dropped like any other.
pub fn zero_sized<S: Strategy>(strategy: &mut S) {
    let before = ZST_DROPS.with(Cell::get);
    for _ in 0..rounds() {
        let p: DynPtr<'_, dyn Probe, S> = DynPtr::new(strategy, Zst);
        assert_eq!(p.payload(), 0x2e50, "zero-sized value read back");
        drop(p);
        let q: DynPtr<'_, dyn Probe, S> = DynPtr::new_shared(strategy, Zst);
        assert_eq!(q.payload(), 0x2e50, "zero-sized value read back (shared)");
        drop(q);
    }
    assert_eq!(
        ZST_DROPS.with(Cell::get) - before,
        2 * rounds(),
        "zero-sized drops"
    );
}

macro_rules! aligns {
    ($($name:ident = $n:literal),*) => {$(
        #[derive(Clone, Copy)]
        #[repr(align($n))]
        struct $name;
    )*};
}
aligns!(
    A1 = 1,
    A2 = 2,
    A8 = 8,
    A16 = 16,
    A64 = 64,
    A256 = 256,
    A4096 = 4096
);

/// A value of size `N` (rounded up to the alignment) and the alignment of `A`.
struct Blob<'c, const N: usize, A> {
    _align: [A; 0],
    bytes: [u8; N],
    drops: &'c Cell<usize>,
}

impl<const N: usize, A> Probe for Blob<'_, N, A> {
    fn payload(&self) -> u64 {
        self.bytes.iter().enumerate().fold(0u64, |acc, (i, b)| {
            acc.wrapping_mul(31).wrapping_add(*b as u64 ^ i as u64)
        })
    }
}

impl<const N: usize, A> Drop for Blob<'_, N, A> {
    fn drop(&mut self) {
        self.drops.set(self.drops.get() + 1);
    }
}

fn blob<const N: usize, A>(drops: &Cell<usize>, seed: u8) -> Blob<'_, N, A> {
    let mut bytes = [0u8; N];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = seed.wrapping_add(i as u8).wrapping_mul(7);
    }
    Blob {
        _align: [],
        bytes,
        drops,
    }
}

fn one_layout<const N: usize, A, S: Strategy>(strategy: &mut S) {
    let drops = Cell::new(0);
    let layout = Layout::new::<Blob<'_, N, A>>();
    let expected = blob::<N, A>(&Cell::new(0), 3).payload();
    let fits = S::CAPACITY.fits_layout(layout);
    for shared in [false, true] {
        let value = blob::<N, A>(&drops, 3);
        let before = drops.get();
        let result = if shared {
            DynPtr::<dyn Probe, S>::try_new_shared(strategy, value)
        } else {
            DynPtr::<dyn Probe, S>::try_new(strategy, value)
        };
        match result {
            Ok(p) => {
                assert!(
                    fits,
                    "stored {layout:?} beyond the declared capacity {:?}",
                    S::CAPACITY
                );
                let addr = DynPtr::as_ptr(&p) as *const u8 as usize;
                assert_eq!(
                    addr % layout.align(),
                    0,
                    "{layout:?} stored misaligned at {addr:#x}"
                );
                assert_eq!(p.payload(), expected, "{layout:?}: contents changed");
                drop(p);
                assert_eq!(drops.get(), before + 1, "{layout:?}: not dropped exactly once");
            }
            Err(rejected) => {
                assert!(
                    !fits,
                    "{layout:?} fits the capacity {:?} but was rejected: {}",
                    S::CAPACITY,
                    rejected.reason()
                );
                assert!(
                    matches!(rejected.reason(), RejectReason::TooLarge { .. }),
                    "{layout:?}: wrong reason {}",
                    rejected.reason()
                );
                assert_eq!(drops.get(), before, "{layout:?}: rejected value was dropped");
                let value = rejected.into_value();
                assert_eq!(value.payload(), expected, "{layout:?}: rejected value changed");
                drop(value);
                assert_eq!(drops.get(), before + 1);
            }
        }
    }
}

/// Sizes and alignments up to the capacity are stored aligned and intact; beyond it
/// `try_adapt` gives the value back.
pub fn layouts<S: Strategy>(strategy: &mut S) {
    one_layout::<1, A1, S>(strategy);
    one_layout::<3, A2, S>(strategy);
    one_layout::<24, A8, S>(strategy);
    one_layout::<40, A16, S>(strategy);
    one_layout::<64, A64, S>(strategy);
    one_layout::<72, A8, S>(strategy);
    one_layout::<200, A8, S>(strategy);
    one_layout::<256, A256, S>(strategy);
    one_layout::<1000, A16, S>(strategy);
    one_layout::<4096, A4096, S>(strategy);
    one_layout::<20000, A64, S>(strategy);
}

/// A value whose drop panics.
struct PanicOnDrop<'c> {
    drops: &'c Cell<usize>,
}

impl Probe for PanicOnDrop<'_> {
    fn payload(&self) -> u64 {
        0xdead
    }
}

impl Drop for PanicOnDrop<'_> {
    fn drop(&mut self) {
        self.drops.set(self.drops.get() + 1);
        panic!("dynptr testkit: a drop that panics (expected)");
    }
}

/// A panic in a stored value's drop propagates, runs that drop once, and the strategy
/// stays usable.
pub fn panic_in_drop<S: Strategy>(strategy: &mut S) {
    let drops = Cell::new(0);
    for shared in [false, true] {
        let before = drops.get();
        let p: DynPtr<'_, dyn Probe, S> = if shared {
            DynPtr::new_shared(strategy, PanicOnDrop { drops: &drops })
        } else {
            DynPtr::new(strategy, PanicOnDrop { drops: &drops })
        };
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(move || drop(p)));
        assert!(outcome.is_err(), "the panic in drop was swallowed");
        assert_eq!(
            drops.get(),
            before + 1,
            "a panicking drop ran {} times",
            drops.get() - before
        );
        // The strategy is still usable, and the next value is dropped normally.
        let ok_drops = Cell::new(0);
        let q: DynPtr<'_, dyn Probe, S> = DynPtr::new(
            strategy,
            Tracked {
                drops: &ok_drops,
                payload: 9,
            },
        );
        assert_eq!(q.payload(), 9, "strategy unusable after a panicking drop");
        drop(q);
        assert_eq!(ok_drops.get(), 1);
        assert_eq!(drops.get(), before + 1, "the panicking value was dropped again");
    }
}

/// Values from the shared entry point that are alive together never share storage.
pub fn shared_values_do_not_overlap<S: Strategy>(strategy: &mut S) {
    let drops = Cell::new(0);
    let first: DynPtr<'_, dyn Probe, S> = DynPtr::new_shared(
        strategy,
        Tracked {
            drops: &drops,
            payload: 1,
        },
    );
    match DynPtr::<dyn Probe, S>::try_new_shared(
        strategy,
        Tracked {
            drops: &drops,
            payload: 2,
        },
    ) {
        Ok(second) => {
            let (a, b) = (
                DynPtr::as_ptr(&first) as *const u8,
                DynPtr::as_ptr(&second) as *const u8,
            );
            assert_ne!(a, b, "two live shared values at the same address");
            assert_eq!(
                (first.payload(), second.payload()),
                (1, 2),
                "shared values overwrote each other"
            );
            drop(second);
        }
        Err(rejected) => {
            assert_eq!(
                rejected.reason(),
                RejectReason::Busy,
                "second shared value: wrong reason"
            );
            assert_eq!(drops.get(), 0, "rejected shared value was dropped");
            assert_eq!(rejected.into_value().payload(), 2);
        }
    }
    assert_eq!(first.payload(), 1);
    drop(first);
    assert_eq!(drops.get(), 2);
}

/// A raw pointer the kit abandoned on purpose, kept reachable for Miri's leak checker.
struct Abandoned(#[allow(dead_code)] *const u8);
// SAFETY: the pointer is never dereferenced through the registry; it only keeps the
// abandoned memory reachable.
unsafe impl Send for Abandoned {}

static ABANDONED: Mutex<Vec<Abandoned>> = Mutex::new(Vec::new());

/// Writes through its borrow when dropped: the self-reference of [`self_referential_drop`].
struct WriteOnDrop<'a>(&'a mut [u8; 8]);

impl Drop for WriteOnDrop<'_> {
    fn drop(&mut self) {
        self.0[0] = 42;
    }
}

/// A future holding a `&mut` into its own state across an await, which writes through
/// it when dropped.
async fn writes_to_itself_on_drop() -> u8 {
    let mut buf = [0u8; 8];
    let guard = WriteOnDrop(&mut buf);
    YieldOnce::new().await;
    guard.0[2]
}

/// A future holding a `Vec::drain` of its own local across an await: the drain's drop
/// writes the vector's length back through its borrow.
async fn drains_its_own_vec() -> u8 {
    let mut v: Vec<u8> = Vec::with_capacity(4);
    v.extend_from_slice(&[1, 2, 3, 4]);
    let mut drain = v.drain(1..3);
    let first = drain.next();
    YieldOnce::new().await;
    first.unwrap_or(0) + drain.next().unwrap_or(0)
}

/// Futures that borrow their own state across an await are dropped mid-await, and run
/// to completion, through both entry points. A drop path that re-borrows the whole
/// value (say `Layout::for_value(&*ptr)`) before dropping it invalidates (Stacked
/// Borrows) or freezes (Tree Borrows) those borrows, and the drop glue then writes
/// through them: Miri reports it.
pub fn self_referential_drop<S: Strategy>(strategy: &mut S) {
    fn exclusive<S: Strategy, F: Future<Output = u8>>(strategy: &mut S, make: impl Fn() -> F, done: u8) {
        {
            let mut p = core::pin::pin!(DynPtr::<dyn Future<Output = u8>, S>::new(strategy, make()));
            assert!(
                poll_once(p.as_mut()).is_pending(),
                "self-referential future: ready too soon"
            );
        } // Dropped mid-await.
        let mut p = core::pin::pin!(DynPtr::<dyn Future<Output = u8>, S>::new(strategy, make()));
        assert!(poll_once(p.as_mut()).is_pending());
        assert_eq!(
            poll_once(p.as_mut()),
            Poll::Ready(done),
            "self-referential future: wrong output"
        );
    }
    fn shared<S: Strategy, F: Future<Output = u8>>(strategy: &S, make: impl Fn() -> F, done: u8) {
        let mut b = core::pin::pin!(DynPtr::<dyn Future<Output = u8>, S>::new_shared(strategy, make()));
        {
            let mut a = core::pin::pin!(DynPtr::<dyn Future<Output = u8>, S>::new_shared(strategy, make()));
            assert!(poll_once(a.as_mut()).is_pending());
            assert!(poll_once(b.as_mut()).is_pending());
        } // `a` is dropped mid-await, while `b` is alive.
        assert_eq!(
            poll_once(b.as_mut()),
            Poll::Ready(done),
            "self-referential future: wrong output"
        );
    }
    exclusive(strategy, writes_to_itself_on_drop, 0);
    exclusive(strategy, drains_its_own_vec, 5);
    shared(strategy, writes_to_itself_on_drop, 0);
    shared(strategy, drains_its_own_vec, 5);
}

/// Forgets `value` (its drop never runs) and keeps its memory reachable so that leak
/// checkers do not report the intended leak.
pub fn forget_reachable<T>(value: T) {
    let raw = Box::into_raw(Box::new(value));
    ABANDONED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(Abandoned(raw as *const u8));
}

/// A future that is pending on its first poll (waking itself) and ready on its second:
/// makes the future awaiting it hold its state across an await point.
#[derive(Clone, Copy, Debug, Default)]
pub struct YieldOnce(bool);

impl YieldOnce {
    /// A future that has not yielded yet.
    pub const fn new() -> Self {
        YieldOnce(false)
    }
}

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// Polls `future` to completion on this thread with a no-op waker, pinned on the stack:
/// an executor that never allocates.
///
/// # Panics
///
/// If the future is still pending after 100 000 polls (a test that would hang).
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = core::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..100_000 {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
    panic!("dynptr testkit: the future did not complete")
}

/// Polls `f` once with a no-op waker.
pub fn poll_once<F: Future + ?Sized>(f: Pin<&mut F>) -> Poll<F::Output> {
    f.poll(&mut Context::from_waker(Waker::noop()))
}

/// A pinned, polled, forgotten value is abandoned: never dropped later, its memory
/// never reused while the strategy goes on, still intact after the strategy is gone.
// Holding the `RefMut` across the await is the point of case 3.
#[allow(clippy::await_holding_refcell_ref)]
pub fn forget_abandons<S: Strategy>(config: Config, make: &mut impl FnMut() -> S) {
    // 1. A value forgotten without ever being pinned.
    {
        let drops = Cell::new(0);
        let mut strategy = make();
        let p: DynPtr<'_, dyn Probe, S> = DynPtr::new(
            &mut strategy,
            Tracked {
                drops: &drops,
                payload: 77,
            },
        );
        let abandoned = DynPtr::as_ptr(&p);
        forget_reachable(p);
        reuse_and_finish(config, strategy, &drops, abandoned, 77);
    }
    // 2. A future pinned in a box, polled once (it is now self-referential for all the
    //    strategy knows), then forgotten with its box.
    {
        let drops = Cell::new(0);
        let mut strategy = make();
        let fut = {
            let tracked = Tracked {
                drops: &drops,
                payload: 88,
            };
            async move {
                // Moves all of `tracked` in (a field access would capture only the
                // field, and `tracked` would drop here).
                let tracked = tracked;
                YieldOnce(false).await;
                tracked.payload()
            }
        };
        let mut pinned = Box::pin(DynPtr::<dyn Future<Output = u64>, S>::new(&mut strategy, fut));
        assert!(poll_once(pinned.as_mut()).is_pending());
        forget_reachable(pinned);
        assert_eq!(drops.get(), 0, "forgotten future dropped");
        reuse_then_drop_strategy(config, strategy, &drops);
    }
    // 3. A future holding a `RefMut` of a local that ends after the forget: a later drop
    //    of the future would release a borrow flag in dead memory (Miri reports it).
    {
        let drops = Cell::new(0);
        let mut strategy = make();
        {
            let local = RefCell::new(5u64);
            let fut = async {
                let mut guard = local.borrow_mut();
                YieldOnce(false).await;
                *guard += 1;
                *guard
            };
            let mut pinned = Box::pin(DynPtr::<dyn Future<Output = u64> + '_, S>::new(
                &mut strategy,
                fut,
            ));
            assert!(poll_once(pinned.as_mut()).is_pending());
            forget_reachable(pinned);
            // `local` is still borrowed by the abandoned future; it ends here.
            assert!(local.try_borrow().is_err());
        }
        reuse_then_drop_strategy(config, strategy, &drops);
    }
    // 4. A future that linked an intrusive list node living inside itself (what tokio's
    //    `Notify` waiters do), small and, where the strategy takes it, large (an
    //    `InlineOr`'s fallback): forgotten, the strategy used again, then the list walked
    //    through the abandoned node (a reused or freed node is a wrong magic natively and
    //    a use-after-free under Miri).
    waiter_forget::<S, 8>(config, make);
    waiter_forget::<S, 2048>(config, make);
}

/// An intrusive list of waiting futures, as `tokio::sync::Notify` keeps: each waiter's
/// node lives inside the waiting future, which links it on its first poll and unlinks
/// it when dropped. A forgotten waiter stays linked for good.
#[derive(Default)]
struct Waiters {
    head: Cell<Option<NonNull<WaiterNode>>>,
}

struct WaiterNode {
    magic: u64,
    next: Cell<Option<NonNull<WaiterNode>>>,
}

const WAITER_MAGIC: u64 = 0x5741_4954_4552_2121;

impl Waiters {
    /// Reads every linked node; the count of nodes whose magic is intact.
    fn walk(&self) -> (usize, usize) {
        let (mut all, mut intact) = (0, 0);
        let mut cur = self.head.get();
        while let Some(node) = cur {
            // SAFETY: a node is linked only while its future is pinned and alive, or
            // after that future was forgotten; a strategy keeps a forgotten value's
            // memory as it was (the rule under test: breaking it is what Miri reports).
            let node = unsafe { node.as_ref() };
            all += 1;
            intact += usize::from(node.magic == WAITER_MAGIC);
            cur = node.next.get();
        }
        (all, intact)
    }

    fn unlink(&self, target: NonNull<WaiterNode>) {
        let mut link = &self.head;
        while let Some(node) = link.get() {
            if node == target {
                // SAFETY: `node` is linked, hence alive (see `walk`).
                link.set(unsafe { node.as_ref() }.next.get());
                return;
            }
            // SAFETY: as above.
            link = &unsafe { node.as_ref() }.next;
        }
    }
}

/// A future waiting on a [`Waiters`] list: pending once (linking its node), then ready.
struct Waiter<'w, const BALLAST: usize> {
    list: &'w Waiters,
    node: WaiterNode,
    linked: Cell<bool>,
    ballast: [u8; BALLAST],
    _pinned: core::marker::PhantomPinned,
}

impl<const BALLAST: usize> Future for Waiter<'_, BALLAST> {
    type Output = usize;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<usize> {
        // Only shared access: the node's address stays valid while pinned.
        let this = self.into_ref().get_ref();
        if this.linked.get() {
            return Poll::Ready(this.ballast.len());
        }
        this.node.next.set(this.list.head.get());
        this.list.head.set(Some(NonNull::from(&this.node)));
        this.linked.set(true);
        Poll::Pending
    }
}

impl<const BALLAST: usize> Drop for Waiter<'_, BALLAST> {
    fn drop(&mut self) {
        if self.linked.get() {
            self.list.unlink(NonNull::from(&self.node));
        }
    }
}

fn waiter_forget<S: Strategy, const BALLAST: usize>(config: Config, make: &mut impl FnMut() -> S) {
    let list = Waiters::default();
    let mut strategy = make();
    let waiter = Waiter::<BALLAST> {
        list: &list,
        node: WaiterNode {
            magic: WAITER_MAGIC,
            next: Cell::new(None),
        },
        linked: Cell::new(false),
        ballast: [7; BALLAST],
        _pinned: core::marker::PhantomPinned,
    };
    let Ok(p) = DynPtr::<dyn Future<Output = usize> + '_, S>::try_new(&mut strategy, waiter) else {
        // Too large for this strategy: nothing to abandon.
        return;
    };
    let mut pinned = Box::pin(p);
    assert!(poll_once(pinned.as_mut()).is_pending());
    forget_reachable(pinned);
    assert_eq!(list.walk(), (1, 1));
    // A waiter that is dropped unlinks itself (the list works).
    {
        let mut alive = Box::pin(Waiter::<0> {
            list: &list,
            node: WaiterNode {
                magic: WAITER_MAGIC,
                next: Cell::new(None),
            },
            linked: Cell::new(false),
            ballast: [],
            _pinned: core::marker::PhantomPinned,
        });
        assert!(poll_once(alive.as_mut()).is_pending());
        assert_eq!(list.walk(), (2, 2));
    }
    assert_eq!(list.walk(), (1, 1));
    // Other calls through the same strategy, then the walk through the abandoned node.
    for round in 0..rounds() as u64 {
        let mut fut = core::pin::pin!(DynPtr::<dyn Future<Output = u64>, S>::new(
            &mut strategy,
            async move {
                YieldOnce(false).await;
                round
            }
        ));
        assert!(poll_once(fut.as_mut()).is_pending());
        assert_eq!(list.walk(), (1, 1), "an abandoned waiter's node was reused");
        assert_eq!(poll_once(fut.as_mut()), Poll::Ready(round));
    }
    assert_eq!(list.walk(), (1, 1), "an abandoned waiter's node was overwritten");
    finish(config, strategy);
    assert_eq!(
        list.walk(),
        (1, 1),
        "an abandoned waiter's node was freed with its strategy"
    );
}

fn reuse_and_finish<S: Strategy>(
    config: Config,
    mut strategy: S,
    abandoned_drops: &Cell<usize>,
    abandoned: *const (dyn Probe + '_),
    payload: u64,
) {
    let read_abandoned = || {
        // A strategy that breaks the rule under test makes this a use-after-free,
        // which Miri reports.
        // SAFETY: an abandoned value is never dropped, reused or freed; its borrow lives.
        unsafe { (*abandoned).payload() }
    };
    for round in 0..rounds() as u64 {
        let drops = Cell::new(0);
        let p: DynPtr<'_, dyn Probe, S> = DynPtr::new(
            &mut strategy,
            Tracked {
                drops: &drops,
                payload: round,
            },
        );
        assert_ne!(
            DynPtr::as_ptr(&p) as *const u8,
            abandoned as *const u8,
            "storage of an abandoned value was reused"
        );
        assert_eq!(read_abandoned(), payload, "an abandoned value was overwritten");
        drop(p);
        assert_eq!(drops.get(), 1);
    }
    assert_eq!(abandoned_drops.get(), 0, "an abandoned value was dropped");
    finish(config, strategy);
    assert_eq!(
        abandoned_drops.get(),
        0,
        "an abandoned value was dropped with its strategy"
    );
    assert_eq!(
        read_abandoned(),
        payload,
        "an abandoned value's memory was freed or reused"
    );
}

fn reuse_then_drop_strategy<S: Strategy>(config: Config, mut strategy: S, abandoned_drops: &Cell<usize>) {
    for round in 0..rounds() as u64 {
        let mut fut = core::pin::pin!(DynPtr::<dyn Future<Output = u64>, S>::new(
            &mut strategy,
            async move {
                YieldOnce(false).await;
                round
            }
        ));
        assert!(poll_once(fut.as_mut()).is_pending());
        assert_eq!(poll_once(fut.as_mut()), Poll::Ready(round));
    }
    assert_eq!(abandoned_drops.get(), 0, "an abandoned future was dropped");
    finish(config, strategy);
    assert_eq!(
        abandoned_drops.get(),
        0,
        "an abandoned future was dropped with its strategy"
    );
}

fn finish<S: Strategy>(config: Config, strategy: S) {
    if config.aborts_when_dropped_with_abandoned {
        forget_reachable(strategy);
    } else {
        drop(strategy);
    }
}

const fn rounds() -> usize {
    if cfg!(miri) {
        3
    } else {
        64
    }
}

/// A call through the in-place entry point for a method taking `&mut self`: what a
/// `#[dyn_trait]` wrapper's `async fn` returns, minus the vtable.
pub fn call<'s, S, F>(
    strategy: &'s mut S,
    make: impl FnOnce() -> F + 's,
) -> impl Future<Output = F::Output> + 's
where
    S: Strategy + 's,
    F: Future + 's,
    F::Output: 's,
{
    crate::call::Call::<'s, dyn Future<Output = F::Output> + 's, S, _>::new(move |slot, cx| {
        crate::call::start(slot, strategy, cx, make)
    })
}

/// [`call`] for a method taking `&self`.
pub fn call_shared<'s, S, F>(
    strategy: &'s S,
    make: impl FnOnce() -> F + 's,
) -> impl Future<Output = F::Output> + 's
where
    S: Strategy + 's,
    F: Future + 's,
    F::Output: 's,
{
    crate::call::Call::<'s, dyn Future<Output = F::Output> + 's, S, _>::new(move |slot, cx| {
        crate::call::start_shared(slot, strategy, cx, make)
    })
}

/// Polls once with `waker`.
fn poll_with<F: Future + ?Sized>(f: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    f.poll(&mut Context::from_waker(waker))
}

/// The in-place entry point ([`call`], [`call_shared`]): every way a call's future can
/// go, for both entry points, with the strategy used again after each.
///
/// - ready on its first poll (the value dropped exactly once, before the poll returns);
/// - pending, then ready (dropped once, when it completes);
/// - pending, then the call dropped (the value dropped once, with it);
/// - pending, pinned in a `Box` and forgotten, also holding a `RefMut` of a local that
///   ends after the forget: abandoned, never dropped, the strategy still usable;
/// - a first poll that panics: the value dropped once while unwinding, the call then
///   dropped without a second drop, the strategy still usable;
/// - polled again after completion: a panic, not undefined behaviour;
/// - the caller's waker reaches the inner future on every poll;
/// - two pending calls from the shared entry point alive together keep their own state.
// Holding the `RefMut` across the await is the point of the forget case.
#[allow(clippy::await_holding_refcell_ref)]
pub fn call_paths<S: Strategy>(config: Config, make: &mut impl FnMut() -> S) {
    let mut strategy = make();
    for round in 0..rounds() as u64 {
        call_round(&mut strategy, round, true);
        call_round(&mut strategy, round, false);
    }
    // Forgotten while pending, through each entry point.
    for exclusive in [true, false] {
        let drops = Cell::new(0);
        let mut strategy = make();
        {
            let local = RefCell::new(5u64);
            let tracked = Tracked {
                drops: &drops,
                payload: 9,
            };
            let make_fut = || async {
                let tracked = tracked;
                let mut guard = local.borrow_mut();
                YieldOnce(false).await;
                *guard += tracked.payload;
                *guard
            };
            if exclusive {
                let mut pinned = Box::pin(call(&mut strategy, make_fut));
                assert!(poll_once(pinned.as_mut()).is_pending());
                forget_reachable(pinned);
            } else {
                let mut pinned = Box::pin(call_shared(&strategy, make_fut));
                assert!(poll_once(pinned.as_mut()).is_pending());
                forget_reachable(pinned);
            }
            assert!(
                local.try_borrow().is_err(),
                "the abandoned future let go of its borrow"
            );
        }
        assert_eq!(drops.get(), 0, "a forgotten pending call dropped its future");
        for round in 0..rounds() as u64 {
            call_round(&mut strategy, round, exclusive);
        }
        assert_eq!(drops.get(), 0, "an abandoned future was dropped");
        finish(config, strategy);
        assert_eq!(
            drops.get(),
            0,
            "an abandoned future was dropped with its strategy"
        );
    }
    // Two pending calls from the shared entry point, alive together.
    let strategy = make();
    let (a, b) = (Cell::new(0), Cell::new(0));
    {
        let mut first = Box::pin(call_shared(&strategy, || tracked_future(&a, 1, true)));
        let mut second = Box::pin(call_shared(&strategy, || tracked_future(&b, 2, true)));
        assert!(poll_once(first.as_mut()).is_pending());
        assert!(poll_once(second.as_mut()).is_pending());
        assert_eq!(
            poll_once(first.as_mut()),
            Poll::Ready(1),
            "two pending calls share storage"
        );
        assert_eq!(
            poll_once(second.as_mut()),
            Poll::Ready(2),
            "two pending calls share storage"
        );
    }
    assert_eq!(
        (a.get(), b.get()),
        (1, 1),
        "values of overlapping calls not dropped once"
    );
    drop(strategy);
}

/// A future that owns a [`Tracked`] and returns its payload, after one pending poll if
/// `yields`.
fn tracked_future(drops: &Cell<usize>, payload: u64, yields: bool) -> impl Future<Output = u64> + '_ {
    let tracked = Tracked { drops, payload };
    async move {
        let tracked = tracked;
        if yields {
            YieldOnce(false).await;
        }
        tracked.payload()
    }
}

/// A future that records the waker it is polled with, pending once.
struct SeesWaker<'w>(&'w RefCell<Vec<Waker>>, bool);

impl Future for SeesWaker<'_> {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0.borrow_mut().push(cx.waker().clone());
        if self.1 {
            Poll::Ready(())
        } else {
            self.1 = true;
            Poll::Pending
        }
    }
}

/// A waker that counts its wakes.
fn counting_waker(wakes: &alloc::sync::Arc<core::sync::atomic::AtomicUsize>) -> Waker {
    struct Count(alloc::sync::Arc<core::sync::atomic::AtomicUsize>);
    impl alloc::task::Wake for Count {
        fn wake(self: alloc::sync::Arc<Self>) {
            self.0.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
        }
        fn wake_by_ref(self: &alloc::sync::Arc<Self>) {
            self.0.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
        }
    }
    Waker::from(alloc::sync::Arc::new(Count(wakes.clone())))
}

/// One round of every non-forgetting case, through one entry point.
fn call_round<S: Strategy>(strategy: &mut S, round: u64, exclusive: bool) {
    macro_rules! with_call {
        ($make:expr, |$c:ident| $body:block) => {
            if exclusive {
                let $c = core::pin::pin!(call(strategy, $make));
                $body
            } else {
                let $c = core::pin::pin!(call_shared(&*strategy, $make));
                $body
            }
        };
    }
    let drops = Cell::new(0);
    // Ready on the first poll: the value is gone before the poll returns.
    with_call!(|| tracked_future(&drops, round, false), |c| {
        let mut c = c;
        assert_eq!(poll_once(c.as_mut()), Poll::Ready(round));
        assert_eq!(drops.get(), 1, "a ready first poll did not drop its future once");
    });
    assert_eq!(drops.get(), 1, "a completed call dropped its future again");
    // Pending, then ready.
    with_call!(|| tracked_future(&drops, round + 1, true), |c| {
        let mut c = c;
        assert!(poll_once(c.as_mut()).is_pending());
        assert_eq!(drops.get(), 1, "a pending future was dropped");
        assert_eq!(poll_once(c.as_mut()), Poll::Ready(round + 1));
        assert_eq!(drops.get(), 2, "a completed future was not dropped once");
        // Polled after completion: a panic.
        let again = std::panic::catch_unwind(AssertUnwindSafe(|| poll_once(c.as_mut())));
        assert!(again.is_err(), "a completed call polled again did not panic");
    });
    assert_eq!(drops.get(), 2);
    // Pending, then dropped.
    with_call!(|| tracked_future(&drops, round, true), |c| {
        let mut c = c;
        assert!(poll_once(c.as_mut()).is_pending());
    });
    assert_eq!(
        drops.get(),
        3,
        "a pending call dropped did not drop its future once"
    );
    // A first poll that panics.
    with_call!(
        || {
            let tracked = Tracked {
                drops: &drops,
                payload: round,
            };
            async move {
                let tracked = tracked;
                if tracked.payload() < u64::MAX {
                    panic!("dynptr testkit: a first poll panics (expected)");
                }
                tracked.payload()
            }
        },
        |c| {
            let mut c = c;
            let panicked = std::panic::catch_unwind(AssertUnwindSafe(|| poll_once(c.as_mut())));
            assert!(panicked.is_err());
            assert_eq!(
                drops.get(),
                4,
                "a panicking first poll did not drop its future once"
            );
        }
    );
    assert_eq!(
        drops.get(),
        4,
        "a call whose first poll panicked dropped its future again"
    );
    // The caller's waker reaches the inner future, on the first poll and later.
    let seen = RefCell::new(Vec::new());
    let wakes = alloc::sync::Arc::new(core::sync::atomic::AtomicUsize::new(0));
    let waker = counting_waker(&wakes);
    with_call!(|| SeesWaker(&seen, false), |c| {
        let mut c = c;
        assert!(poll_with(c.as_mut(), &waker).is_pending());
        assert!(poll_with(c.as_mut(), &waker).is_ready());
    });
    let seen = seen.into_inner();
    assert_eq!(seen.len(), 2);
    // Waking what the inner future saw wakes the caller's waker (`will_wake` is not
    // used: it may say no for the same waker, and does under Miri).
    for w in &seen {
        w.wake_by_ref();
    }
    assert_eq!(
        wakes.load(core::sync::atomic::Ordering::Relaxed),
        2,
        "the inner future was polled with another waker"
    );
}
