//! A large future: each `next` fills a 4 KiB buffer, awaits, then reads it, so the
//! buffer is part of the future's state. Moving strategies copy (or allocate) 4 KiB
//! per call; non-moving ones build the future where it is polled.

use core::future::{ready, Future};
use core::hint::black_box;
use core::mem::MaybeUninit;
use core::pin::{pin, Pin};
use core::task::{Context, Poll, Waker};

use dynify::Dynify;
use dynptr::{dyn_trait, Boxed, Bumped, Cached, Inline, InlineOr, Slot, SlotRef, Strategy};
use smallbox::space::S64;
use smallbox::{smallbox, SmallBox};
use stackfuture::StackFuture;
use tokio_util::sync::ReusableBoxFuture;

use super::alloc::FORWARD;
use super::async_iter::{block_on, Count};
use super::{Variants, Workload};

pub(crate) static WORKLOAD: Workload = Workload {
    key: "big",
    title: "a future holding 4 KiB across an await",
    unit: "item",
    units_per_n: 1,
    bench_n: 1_000,
    diff_n: (10_000, 20_000),
};

/// The buffer held across the await.
const BUF: usize = 4096;
/// Capacity of the fixed-size variants: the future is `BUF` plus a few words.
const CAP: usize = BUF + 64;

pub(crate) static VARIANTS: Variants = &[
    ("static", "static dispatch", run_static),
    ("floor", "poll-based dyn (floor)", run_floor),
    ("async-trait", "async-trait", run_async_trait),
    ("dynosaur", "dynosaur", run_dynosaur),
    ("stackfuture", "stackfuture (N = 4160)", run_stackfuture),
    ("reusable-box", "tokio-util ReusableBoxFuture", run_reusable_box),
    ("dynify", "dynify `.init(&mut [u8; 4160])`", run_dynify),
    (
        "smallbox",
        "smallbox `SmallBox<_, S64>` (heap: 4 KiB > 512 B)",
        run_smallbox,
    ),
    ("boxed", "dynptr Boxed", run_boxed),
    ("boxed-in", "dynptr Boxed<&'static A>", run_boxed_in),
    ("inline", "dynptr Inline<4160>", run_inline),
    (
        "inline-or",
        "dynptr InlineOr<64> (falls back to Boxed)",
        run_inline_or,
    ),
    ("slot", "dynptr Slot<4160>", run_slot),
    ("bumped", "dynptr Bumped", run_bumped),
    (
        "bumped-shared",
        "dynptr &Bumped (shared arena)",
        run_bumped_shared,
    ),
    ("cached", "dynptr Cached", run_cached),
];

/// An iterator whose `next` future holds 4 KiB across an await.
#[derive(Debug)]
pub(crate) struct Big(Count);

impl Big {
    /// The work of one item before the await: the item and the filled buffer.
    #[inline(always)]
    fn fill(&mut self) -> Option<(u32, [u8; BUF])> {
        let item = self.0.step()?;
        Some((item, [item as u8; BUF]))
    }
}

/// The work after the await: read the buffer (all of it is observable).
#[inline(always)]
fn finish(item: u32, buf: &[u8; BUF]) -> u32 {
    let buf = black_box(buf);
    item.wrapping_add(u32::from(buf[item as usize % BUF]))
}

/// The trait, through `#[dyn_trait]`.
#[dyn_trait]
#[allow(async_fn_in_trait)]
pub(crate) trait BigIterator {
    async fn next(&mut self) -> Option<u32>;
}

impl BigIterator for Big {
    #[inline]
    async fn next(&mut self) -> Option<u32> {
        let (item, buf) = self.fill()?;
        // Always ready, but an await point: `buf` is held across it.
        ready(()).await;
        Some(finish(item, &buf))
    }
}

fn sum_of(n: u32) -> Big {
    Big(Count::new(n))
}

async fn sum_static(mut v: impl BigIterator) -> u32 {
    let mut sum = 0u32;
    while let Some(i) = v.next().await {
        sum = sum.wrapping_add(i);
    }
    sum
}

async fn sum_dyn<S: Strategy>(v: &mut DynBigIterator<'_, S>) -> u32 {
    let mut sum = 0u32;
    while let Some(i) = v.next().await {
        sum = sum.wrapping_add(i);
    }
    sum
}

fn run_static(n: u32) -> u64 {
    u64::from(block_on(sum_static(sum_of(n))))
}

/// The floor: the same work by hand, the buffer in the iterator (a poll-based trait has
/// no future to store it in).
pub(crate) trait PollBig {
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u32>>;
}

struct BigPoll {
    count: Count,
    buf: [u8; BUF],
}

impl PollBig for BigPoll {
    #[inline]
    fn poll_next(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<u32>> {
        let this = self.get_mut();
        let Some(item) = this.count.step() else {
            return Poll::Ready(None);
        };
        this.buf = [item as u8; BUF];
        Poll::Ready(Some(finish(item, &this.buf)))
    }
}

fn run_floor(n: u32) -> u64 {
    let mut it = BigPoll {
        count: Count::new(n),
        buf: [0; BUF],
    };
    let mut v: Pin<&mut dyn PollBig> = black_box(Pin::new(&mut it) as Pin<&mut dyn PollBig>);
    let mut cx = Context::from_waker(Waker::noop());
    let mut sum = 0u32;
    loop {
        match v.as_mut().poll_next(&mut cx) {
            Poll::Ready(Some(i)) => sum = sum.wrapping_add(i),
            Poll::Ready(None) => return u64::from(sum),
            Poll::Pending => core::hint::spin_loop(),
        }
    }
}

#[inline(always)]
fn run_dynptr<S: Strategy>(n: u32, s: S) -> u64 {
    let mut it = sum_of(n);
    let mut d = DynBigIterator::with_strategy(&mut it, s);
    u64::from(block_on(sum_dyn(black_box(&mut d))))
}

fn run_boxed(n: u32) -> u64 {
    run_dynptr(n, Boxed::new())
}

fn run_boxed_in(n: u32) -> u64 {
    run_dynptr(n, Boxed::new_in(&FORWARD))
}

fn run_inline(n: u32) -> u64 {
    run_dynptr(n, Inline::<CAP>::new())
}

fn run_inline_or(n: u32) -> u64 {
    run_dynptr(n, InlineOr::<64>::new())
}

fn run_slot(n: u32) -> u64 {
    let slot = pin!(Slot::<CAP>::new());
    run_dynptr(n, SlotRef::new(slot))
}

fn run_bumped(n: u32) -> u64 {
    run_dynptr(n, Bumped::new())
}

fn run_bumped_shared(n: u32) -> u64 {
    let arena = Bumped::new();
    run_dynptr(n, &arena)
}

fn run_cached(n: u32) -> u64 {
    run_dynptr(n, Cached::new())
}

// ---------------------------------------------------------------------------------------
// Peers: the same future (`BigIterator::next`) behind each crate's dyn form.
// ---------------------------------------------------------------------------------------

mod at {
    #[async_trait::async_trait(?Send)]
    pub(crate) trait BigIterator {
        async fn next(&mut self) -> Option<u32>;
    }

    #[async_trait::async_trait(?Send)]
    impl BigIterator for super::Big {
        async fn next(&mut self) -> Option<u32> {
            super::BigIterator::next(self).await
        }
    }
}

macro_rules! sum_loop {
    ($next:expr) => {{
        let mut sum = 0u32;
        while let Some(i) = $next.await {
            sum = sum.wrapping_add(i);
        }
        u64::from(sum)
    }};
}

fn run_async_trait(n: u32) -> u64 {
    let mut it = sum_of(n);
    let v: &mut dyn at::BigIterator = black_box(&mut it);
    block_on(async { sum_loop!(v.next()) })
}

mod dy {
    #[dynosaur::dynosaur(pub(crate) DynBigIterator = dyn(box) BigIterator)]
    #[allow(async_fn_in_trait)]
    pub(crate) trait BigIterator {
        async fn next(&mut self) -> Option<u32>;
    }

    impl BigIterator for super::Big {
        #[inline]
        fn next(&mut self) -> impl core::future::Future<Output = Option<u32>> {
            super::BigIterator::next(self)
        }
    }
}

fn run_dynosaur(n: u32) -> u64 {
    use dy::BigIterator as _;
    let mut it = sum_of(n);
    let v = black_box(dy::DynBigIterator::from_mut(&mut it));
    block_on(async { sum_loop!(v.next()) })
}

pub(crate) trait SfBigIterator {
    fn next(&mut self) -> StackFuture<'_, Option<u32>, CAP>;
}

impl SfBigIterator for Big {
    #[inline]
    fn next(&mut self) -> StackFuture<'_, Option<u32>, CAP> {
        StackFuture::from(BigIterator::next(self))
    }
}

fn run_stackfuture(n: u32) -> u64 {
    let mut it = sum_of(n);
    let v: &mut dyn SfBigIterator = black_box(&mut it);
    block_on(async { sum_loop!(v.next()) })
}

type RbOutput = (Option<u32>, Box<dyn RbBigIterator>);

/// See `tiny::RbIterator`: the iterator moves into each future and comes back.
pub(crate) trait RbBigIterator: Send {
    fn next_into(self: Box<Self>, slot: &mut ReusableBoxFuture<'static, RbOutput>);
}

impl RbBigIterator for Big {
    #[inline]
    fn next_into(self: Box<Self>, slot: &mut ReusableBoxFuture<'static, RbOutput>) {
        slot.set(async move {
            let mut this = self;
            let item = BigIterator::next(&mut *this).await;
            (item, this as Box<dyn RbBigIterator>)
        });
    }
}

fn run_reusable_box(n: u32) -> u64 {
    let it: Box<dyn RbBigIterator> = black_box(Box::new(sum_of(n)));
    let mut slot: ReusableBoxFuture<'static, RbOutput> = ReusableBoxFuture::new(core::future::pending());
    it.next_into(&mut slot);
    block_on(async {
        let mut sum = 0u32;
        loop {
            match (&mut slot).await {
                (Some(i), it) => {
                    sum = sum.wrapping_add(i);
                    it.next_into(&mut slot);
                }
                (None, _) => return u64::from(sum),
            }
        }
    })
}

mod dn {
    #[dynify::dynify]
    #[allow(async_fn_in_trait)]
    pub(crate) trait BigIterator {
        async fn next(&mut self) -> Option<u32>;
    }

    impl BigIterator for super::Big {
        #[inline]
        fn next(&mut self) -> impl core::future::Future<Output = Option<u32>> {
            super::BigIterator::next(self)
        }
    }
}

fn run_dynify(n: u32) -> u64 {
    let mut it = sum_of(n);
    let v: &mut dyn dn::DynBigIterator = black_box(&mut it);
    block_on(async {
        let mut buf = [MaybeUninit::<u8>::uninit(); CAP];
        sum_loop!(v.next().init(&mut buf))
    })
}

/// smallbox: the trait returns a `SmallBox` with 64 words (512 bytes) of inline space;
/// the future moves into it, or to the heap when a check of its size at run time says
/// it does not fit.
pub(crate) trait SbBigIterator {
    fn next(&mut self) -> SmallBox<dyn Future<Output = Option<u32>> + '_, S64>;
}

impl SbBigIterator for Big {
    #[inline]
    fn next(&mut self) -> SmallBox<dyn Future<Output = Option<u32>> + '_, S64> {
        smallbox!(BigIterator::next(self))
    }
}

fn run_smallbox(n: u32) -> u64 {
    let mut it = sum_of(n);
    let v: &mut dyn SbBigIterator = black_box(&mut it);
    block_on(async { sum_loop!(v.next()) })
}

/// The future's size: `CAP` must hold it.
pub(crate) fn future_size() -> usize {
    let mut it = sum_of(0);
    let size = size_of_val(&BigIterator::next(&mut it));
    size
}

/// Whether smallbox stores this workload's future on the heap.
pub(crate) fn smallbox_on_heap() -> bool {
    let mut it = sum_of(0);
    let on_heap = SbBigIterator::next(&mut it).is_heap();
    on_heap
}
