//! `Stream` through dyn (feature `futures`): a `#[dyn_trait]` method returning
//! `impl Stream<Item = T>` gives a `DynPtr` to `dyn Stream` that is itself a `Stream`,
//! `impl Stream` arguments are pinned by the caller and passed as `Pin<&mut dyn Stream>`,
//! and the `(Send)` form runs on a multi-thread tokio runtime. Every stream holds a
//! `Tally`, so each test sees it dropped exactly once, through every strategy.

#![cfg(all(feature = "futures", feature = "box", feature = "macros"))]

extern crate alloc;

use alloc::sync::Arc;
use core::pin::{pin, Pin};
use core::sync::atomic::{AtomicUsize, Ordering};
use core::task::{Context, Poll};

use dynptr::{dyn_trait, Boxed, DynPtr, Strategy, Stream, ThreadSafePointers};
use dynptr_bump::Bumped;
use dynptr_cache::Cached;
use dynptr_core::testkit::YieldOnce;
use dynptr_stack::{Inline, InlineOr, Slot, SlotRef};
use futures::executor::block_on;
use futures::StreamExt;

/// Items per stream: a few under Miri.
const N: u32 = if cfg!(miri) { 4 } else { 40 };

/// Counts its drops.
struct Tally(Arc<AtomicUsize>);

impl Drop for Tally {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// The trait under test, with the `Stream` path written three ways (`Feed` below, a
/// fourth).
#[dyn_trait]
trait Source {
    /// The items of `self`, borrowed, each after one `Pending`.
    fn items(&mut self) -> impl Stream<Item = u32>;
    /// `0, 2, .., 2(n - 1)`, each after one `Pending`; an exact `size_hint`.
    fn evens(&self, n: u32) -> impl futures::Stream<Item = u32>;
    /// `self`'s offset plus the sum of `s`.
    async fn sum(&mut self, s: impl futures::stream::Stream<Item = u32>) -> u32;
    /// The length of `s`: a type parameter, adapted as an `impl Stream` argument.
    async fn count<St: Stream<Item = u32>>(&self, s: St) -> usize;
}

struct Items {
    items: Vec<u32>,
    offset: u32,
    drops: Arc<AtomicUsize>,
}

impl Items {
    fn new(n: u32, drops: &Arc<AtomicUsize>) -> Self {
        Items {
            items: (1..=n).collect(),
            offset: 100,
            drops: Arc::clone(drops),
        }
    }
}

impl Source for Items {
    fn items(&mut self) -> impl Stream<Item = u32> {
        // A `!Unpin` stream (its state is an `async` block) that borrows `self.items`.
        let state = (self.items.iter(), Tally(Arc::clone(&self.drops)));
        futures::stream::unfold(state, |(mut it, tally)| async move {
            YieldOnce::new().await;
            let x = *it.next()?;
            Some((x, (it, tally)))
        })
    }

    fn evens(&self, n: u32) -> impl futures::Stream<Item = u32> {
        Evens {
            next: 0,
            n,
            yielded: false,
            _tally: Tally(Arc::clone(&self.drops)),
        }
    }

    async fn sum(&mut self, s: impl futures::stream::Stream<Item = u32>) -> u32 {
        s.fold(self.offset, |acc, x| async move { acc + x }).await
    }

    async fn count<St: Stream<Item = u32>>(&self, s: St) -> usize {
        s.count().await
    }
}

/// A hand-written stream: pending once before each item, with an exact size hint.
struct Evens {
    next: u32,
    n: u32,
    yielded: bool,
    _tally: Tally,
}

impl Stream for Evens {
    type Item = u32;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u32>> {
        let this = self.get_mut();
        if this.next == this.n {
            return Poll::Ready(None);
        }
        this.yielded = !this.yielded;
        if this.yielded {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        this.next += 1;
        Poll::Ready(Some(2 * (this.next - 1)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.n - self.next) as usize;
        (left, Some(left))
    }
}

/// A stream argument that is pending once before each item and counts its drop.
fn pending_arg(n: u32, drops: &Arc<AtomicUsize>) -> impl futures::Stream<Item = u32> {
    let tally = Tally(Arc::clone(drops));
    futures::stream::iter(1..=n).then(move |x| {
        let _held = &tally;
        async move {
            YieldOnce::new().await;
            x
        }
    })
}

fn triangle(n: u32) -> u32 {
    n * (n + 1) / 2
}

/// Every consumer and every method through one strategy; `name` says which.
fn drive<S: Strategy>(strategy: S, name: &str) {
    let drops = Arc::new(AtomicUsize::new(0));
    let count = || drops.load(Ordering::SeqCst);
    let mut src = Items::new(N, &drops);
    let mut d = DynSource::with_strategy(&mut src, strategy);

    // `collect` to the end.
    let all: Vec<u32> = block_on(d.items().collect());
    assert_eq!(all, (1..=N).collect::<Vec<_>>(), "{name}: collect");
    assert_eq!(count(), 1, "{name}: the collected stream dropped once");

    // Polled by hand: pending first, then the item, from the same pinned place.
    {
        let mut s = pin!(d.items());
        let mut cx = Context::from_waker(futures::task::noop_waker_ref());
        assert!(s.as_mut().poll_next(&mut cx).is_pending(), "{name}: yields first");
        assert_eq!(
            s.as_mut().poll_next(&mut cx),
            Poll::Ready(Some(1)),
            "{name}: poll_next"
        );
        // `next`, then dropped half-way.
        assert_eq!(block_on(s.next()), Some(2), "{name}: next");
        assert_eq!(count(), 1, "{name}: not dropped while alive");
    }
    assert_eq!(count(), 2, "{name}: the stream dropped half-way, once");

    // `fold` over a `&self` method's stream; `size_hint` forwarded.
    let evens = d.evens(N);
    assert_eq!(
        evens.size_hint(),
        (N as usize, Some(N as usize)),
        "{name}: size_hint"
    );
    let total = block_on(evens.fold(0, |acc, x| async move { acc + x }));
    assert_eq!(total, N * (N - 1), "{name}: fold");
    assert_eq!(count(), 3, "{name}: the folded stream dropped once");

    // An `impl Stream` argument, pending before each item, dropped once by the call.
    assert_eq!(
        block_on(d.sum(pending_arg(N, &drops))),
        100 + triangle(N),
        "{name}: argument"
    );
    assert_eq!(count(), 4, "{name}: the argument dropped once");

    // A dyn stream as the argument of another dyn call.
    let mut other = Items::new(N, &drops);
    let mut o = DynSource::new(&mut other);
    assert_eq!(
        block_on(d.sum(o.items())),
        100 + triangle(N),
        "{name}: dyn argument"
    );
    assert_eq!(count(), 5, "{name}: the dyn argument dropped once");

    // A generic stream argument, from a `&self` method.
    assert_eq!(
        block_on(d.count(pending_arg(N, &drops))),
        N as usize,
        "{name}: count"
    );
    assert_eq!(count(), 6, "{name}: the generic argument dropped once");

    // Static dispatch agrees: the wrapper implements the trait.
    assert_eq!(block_on(sum_static(d)), 100 + triangle(N), "{name}: static");
    assert_eq!(count(), 7, "{name}: the static call's stream dropped once");
}

/// Sums `v.items()` through `v.sum`, knowing only `impl Source`.
async fn sum_static(mut v: impl Source) -> u32 {
    let items: Vec<u32> = v.items().collect().await;
    v.sum(futures::stream::iter(items)).await
}

#[test]
fn boxed() {
    drive(Boxed::new(), "Boxed");
}

#[test]
fn inline() {
    drive(Inline::<256>::new(), "Inline<256>");
}

#[test]
fn inline_or_fitting_and_falling_back() {
    drive(InlineOr::<256>::new(), "InlineOr<256>");
    // 8 bytes are too few for every stream: each takes the `Boxed` fallback.
    drive(InlineOr::<8>::new(), "InlineOr<8>");
}

#[test]
fn slot() {
    let slot = pin!(Slot::<256>::new());
    drive(SlotRef::new(slot), "Slot<256>");
}

#[test]
fn cached() {
    drive(Cached::new(), "Cached");
}

#[test]
fn bumped_owned_and_shared() {
    drive(Bumped::new(), "Bumped");
    let arena = Bumped::new();
    drive(&arena, "&Bumped");
    drive(&arena, "&Bumped, again");
}

#[test]
fn a_bare_dyn_ptr_is_a_stream() {
    let drops = Arc::new(AtomicUsize::new(0));
    let mut strategy = Inline::<64>::new();
    let evens = Evens {
        next: 0,
        n: 3,
        yielded: false,
        _tally: Tally(Arc::clone(&drops)),
    };
    let p: DynPtr<'_, dyn Stream<Item = u32>, _> = DynPtr::new(&mut strategy, evens);
    assert_eq!(p.size_hint(), (3, Some(3)));
    assert_eq!(block_on(p.collect::<Vec<_>>()), [0, 2, 4]);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

/// The `(Send)` form: every stream and future it returns is `Send`.
#[dyn_trait(Send)]
trait Feed {
    /// `0 .. n`, each after a `yield_now`.
    fn ticks(&mut self, n: u32) -> impl Stream<Item = u32>;
    /// The sum of a `Send` stream argument.
    async fn total(&mut self, s: impl dynptr::Stream<Item = u32> + Send) -> u32;
}

struct Ticks(Arc<AtomicUsize>);

impl Feed for Ticks {
    fn ticks(&mut self, n: u32) -> impl Stream<Item = u32> + Send {
        let tally = Tally(Arc::clone(&self.0));
        futures::stream::unfold((0, tally), move |(i, tally)| async move {
            if i == n {
                return None;
            }
            tokio::task::yield_now().await;
            Some((i, (i + 1, tally)))
        })
    }

    async fn total(&mut self, s: impl Stream<Item = u32> + Send) -> u32 {
        s.fold(0, |acc, x| async move { acc + x }).await
    }
}

static_assertions::assert_impl_all!(DynFeed<'static, Boxed>: Send);
static_assertions::assert_impl_all!(
    DynPtr<'static, dyn Stream<Item = u32> + Send + 'static, Boxed>: Send, Stream
);

/// On a spawned task of a multi-thread runtime: a collected stream, a stream passed on
/// as a `Send` argument; each dropped once.
fn feed<S>(strategy: S) -> (Vec<u32>, u32, usize)
where
    S: Strategy + ThreadSafePointers + Send + 'static,
{
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("a tokio runtime");
    let drops = Arc::new(AtomicUsize::new(0));
    let task_drops = Arc::clone(&drops);
    let (all, total) = rt.block_on(async move {
        tokio::spawn(async move {
            let mut a = Ticks(Arc::clone(&task_drops));
            let mut b = Ticks(task_drops);
            let mut da = DynFeed::with_strategy(&mut a, strategy);
            let mut db = DynFeed::new(&mut b);
            let all: Vec<u32> = da.ticks(N).collect().await;
            let total = da.total(db.ticks(N)).await;
            (all, total)
        })
        .await
        .expect("the task completes")
    });
    (all, total, drops.load(Ordering::SeqCst))
}

fn check_feed<S>(strategy: S, name: &str)
where
    S: Strategy + ThreadSafePointers + Send + 'static,
{
    let (all, total, drops) = feed(strategy);
    assert_eq!(all, (0..N).collect::<Vec<_>>(), "{name}: collect");
    assert_eq!(total, N * (N - 1) / 2, "{name}: total");
    assert_eq!(drops, 2, "{name}: each stream dropped once");
}

#[test]
#[cfg_attr(miri, ignore = "tokio's multi-thread runtime")]
fn send_streams_on_a_multi_thread_runtime() {
    check_feed(Boxed::new(), "Boxed");
    check_feed(Inline::<256>::new(), "Inline<256>");
    check_feed(InlineOr::<8>::new(), "InlineOr<8>");
    check_feed(Cached::new(), "Cached");
    check_feed(Bumped::new(), "Bumped");
}
