//! The seed's `AsyncIterator` sum loop: a tiny future (it holds `&mut Count`), ready on
//! its first poll. What one item costs is what the dyn machinery costs.

use core::future::Future;
use core::hint::black_box;
use core::mem::MaybeUninit;
use core::pin::{pin, Pin};

use dynify::Dynify;
use dynptr::{dyn_trait, sealed, Boxed, Bumped, Cached, Inline, InlineOr, Slot, SlotRef, Strategy};
use smallbox::space::S64;
use smallbox::{smallbox, SmallBox};
use stackfuture::StackFuture;
use tokio_util::sync::ReusableBoxFuture;

use super::alloc::FORWARD;
use super::async_iter::{block_on, sum_poll, Count, PollNext};
use super::{Variants, Workload};

pub(crate) static WORKLOAD: Workload = Workload {
    key: "tiny",
    title: "AsyncIterator sum loop, tiny future",
    unit: "item",
    units_per_n: 1,
    bench_n: 10_000,
    diff_n: (100_000, 200_000),
};

/// Inline capacity of the fixed-size variants (`Inline`, `Slot`, stackfuture, dynify).
const CAP: usize = 64;

pub(crate) static VARIANTS: Variants = &[
    ("static", "static dispatch", run_static),
    ("sealed", "dynptr #[sealed] enum (match)", run_sealed),
    ("floor", "poll-based dyn (floor)", run_floor),
    ("async-trait", "async-trait", run_async_trait),
    ("dynosaur", "dynosaur", run_dynosaur),
    ("stackfuture", "stackfuture (N = 64)", run_stackfuture),
    ("reusable-box", "tokio-util ReusableBoxFuture", run_reusable_box),
    ("dynify", "dynify `.init(&mut [u8; 64])`", run_dynify),
    ("smallbox", "smallbox `SmallBox<_, S64>` (inline)", run_smallbox),
    ("boxed", "dynptr Boxed", run_boxed),
    ("boxed-in", "dynptr Boxed<&'static A>", run_boxed_in),
    ("inline", "dynptr Inline<64>", run_inline),
    ("inline-or", "dynptr InlineOr<64>", run_inline_or),
    ("slot", "dynptr Slot<64>", run_slot),
    ("bumped", "dynptr Bumped", run_bumped),
    (
        "bumped-shared",
        "dynptr &Bumped (shared arena)",
        run_bumped_shared,
    ),
    ("cached", "dynptr Cached", run_cached),
];

/// The seed's trait, through `#[dyn_trait]`.
#[dyn_trait]
#[allow(async_fn_in_trait)]
pub(crate) trait AsyncIterator {
    type Item;
    async fn next(&mut self) -> Option<Self::Item>;
}

impl AsyncIterator for Count {
    type Item = u32;
    #[inline]
    async fn next(&mut self) -> Option<u32> {
        self.step()
    }
}

async fn sum_static(mut v: impl AsyncIterator<Item = u32>) -> u32 {
    let mut sum = 0u32;
    while let Some(i) = v.next().await {
        sum = sum.wrapping_add(i);
    }
    sum
}

async fn sum_dyn<S: Strategy>(v: &mut DynAsyncIterator<'_, u32, S>) -> u32 {
    let mut sum = 0u32;
    while let Some(i) = v.next().await {
        sum = sum.wrapping_add(i);
    }
    sum
}

fn run_static(n: u32) -> u64 {
    u64::from(block_on(sum_static(Count::new(n))))
}

/// A second implementor, so the sealed enum has a real choice to make.
pub(crate) struct Countdown(u32);

impl AsyncIterator for Countdown {
    type Item = u32;
    #[inline]
    async fn next(&mut self) -> Option<u32> {
        self.0 = self.0.checked_sub(1)?;
        Some(self.0 + 1)
    }
}

/// The sealed strategy: a closed set of implementors, dispatched by `match`.
#[sealed(AsyncIterator)]
pub(crate) enum AnyIter {
    Count(Count),
    Countdown(Countdown),
}

fn run_sealed(n: u32) -> u64 {
    // `black_box` hides which variant it is from the optimizer.
    let it: AnyIter = black_box(AnyIter::from(Count::new(n)));
    u64::from(block_on(sum_static(it)))
}

fn run_floor(n: u32) -> u64 {
    let mut it = Count::new(n);
    let v: Pin<&mut dyn PollNext> = black_box(Pin::new(&mut it) as Pin<&mut dyn PollNext>);
    u64::from(sum_poll(v))
}

/// `n` items through the `#[dyn_trait]` wrapper with strategy `s`.
#[inline(always)]
pub(crate) fn run_dynptr<S: Strategy>(n: u32, s: S) -> u64 {
    let mut it = Count::new(n);
    let mut d = DynAsyncIterator::with_strategy(&mut it, s);
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
    run_dynptr(n, InlineOr::<CAP>::new())
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
// Peers.
// ---------------------------------------------------------------------------------------

mod at {
    /// async-trait: every `next` returns `Pin<Box<dyn Future>>`.
    #[async_trait::async_trait(?Send)]
    pub(crate) trait AsyncIterator {
        type Item;
        async fn next(&mut self) -> Option<Self::Item>;
    }

    #[async_trait::async_trait(?Send)]
    impl AsyncIterator for super::Count {
        type Item = u32;
        async fn next(&mut self) -> Option<u32> {
            self.step()
        }
    }
}

fn run_async_trait(n: u32) -> u64 {
    let mut it = Count::new(n);
    let v: &mut dyn at::AsyncIterator<Item = u32> = black_box(&mut it);
    u64::from(block_on(async {
        let mut sum = 0u32;
        while let Some(i) = v.next().await {
            sum = sum.wrapping_add(i);
        }
        sum
    }))
}

mod dy {
    /// dynosaur: `DynAsyncIterator` boxes each future; static dispatch is untouched.
    #[dynosaur::dynosaur(pub(crate) DynAsyncIterator = dyn(box) AsyncIterator)]
    #[allow(async_fn_in_trait)]
    pub(crate) trait AsyncIterator {
        type Item;
        async fn next(&mut self) -> Option<Self::Item>;
    }

    impl AsyncIterator for super::Count {
        type Item = u32;
        #[inline]
        async fn next(&mut self) -> Option<u32> {
            self.step()
        }
    }
}

fn run_dynosaur(n: u32) -> u64 {
    use dy::AsyncIterator as _;
    let mut it = Count::new(n);
    let v = black_box(dy::DynAsyncIterator::from_mut(&mut it));
    u64::from(block_on(async {
        let mut sum = 0u32;
        while let Some(i) = v.next().await {
            sum = sum.wrapping_add(i);
        }
        sum
    }))
}

/// stackfuture: the trait returns a `StackFuture` (the future is moved into its buffer).
pub(crate) trait SfIterator {
    fn next(&mut self) -> StackFuture<'_, Option<u32>, CAP>;
}

impl SfIterator for Count {
    #[inline]
    fn next(&mut self) -> StackFuture<'_, Option<u32>, CAP> {
        StackFuture::from(AsyncIterator::next(self))
    }
}

fn run_stackfuture(n: u32) -> u64 {
    let mut it = Count::new(n);
    let v: &mut dyn SfIterator = black_box(&mut it);
    u64::from(block_on(async {
        let mut sum = 0u32;
        while let Some(i) = v.next().await {
            sum = sum.wrapping_add(i);
        }
        sum
    }))
}

/// What a `ReusableBoxFuture` holds here: the future gives the iterator back with the
/// item.
type RbOutput = (Option<u32>, Box<dyn RbIterator>);

/// tokio-util's `ReusableBoxFuture` reuses one heap block while the future type (its
/// layout) stays the same, but it may drop the previous future only because that future
/// owns what it uses (`'a` is fixed for the box's life): so the iterator moves into each
/// future and comes back with the item, as tokio-stream's wrappers do.
pub(crate) trait RbIterator: Send {
    /// Stores the future of the next item, which owns `self`, in `slot`.
    fn next_into(self: Box<Self>, slot: &mut ReusableBoxFuture<'static, RbOutput>);
}

impl RbIterator for Count {
    #[inline]
    fn next_into(self: Box<Self>, slot: &mut ReusableBoxFuture<'static, RbOutput>) {
        slot.set(async move {
            let mut this = self;
            let item = AsyncIterator::next(&mut *this).await;
            (item, this as Box<dyn RbIterator>)
        });
    }
}

fn run_reusable_box(n: u32) -> u64 {
    let it: Box<dyn RbIterator> = black_box(Box::new(Count::new(n)));
    let mut slot: ReusableBoxFuture<'static, RbOutput> = ReusableBoxFuture::new(core::future::pending());
    it.next_into(&mut slot);
    u64::from(block_on(async {
        let mut sum = 0u32;
        loop {
            match (&mut slot).await {
                (Some(i), it) => {
                    sum = sum.wrapping_add(i);
                    it.next_into(&mut slot);
                }
                (None, _) => return sum,
            }
        }
    }))
}

mod dn {
    /// dynify: `DynAsyncIterator::next` returns a constructor; the caller initialises the
    /// future in a buffer of its own.
    #[dynify::dynify]
    #[allow(async_fn_in_trait)]
    pub(crate) trait AsyncIterator {
        type Item;
        async fn next(&mut self) -> Option<Self::Item>;
    }

    impl AsyncIterator for super::Count {
        type Item = u32;
        #[inline]
        async fn next(&mut self) -> Option<u32> {
            self.step()
        }
    }
}

fn run_dynify(n: u32) -> u64 {
    let mut it = Count::new(n);
    let v: &mut dyn dn::DynAsyncIterator<Item = u32> = black_box(&mut it);
    u64::from(block_on(async {
        let mut buf = [MaybeUninit::<u8>::uninit(); CAP];
        let mut sum = 0u32;
        while let Some(i) = v.next().init(&mut buf).await {
            sum = sum.wrapping_add(i);
        }
        sum
    }))
}

/// smallbox: the trait returns a `SmallBox` with 64 words (512 bytes) of inline space;
/// the future moves into it, or to the heap when a check of its size at run time says
/// it does not fit.
pub(crate) trait SbIterator {
    fn next(&mut self) -> SmallBox<dyn Future<Output = Option<u32>> + '_, S64>;
}

impl SbIterator for Count {
    #[inline]
    fn next(&mut self) -> SmallBox<dyn Future<Output = Option<u32>> + '_, S64> {
        smallbox!(AsyncIterator::next(self))
    }
}

fn run_smallbox(n: u32) -> u64 {
    let mut it = Count::new(n);
    let v: &mut dyn SbIterator = black_box(&mut it);
    u64::from(block_on(async {
        let mut sum = 0u32;
        while let Some(i) = v.next().await {
            sum = sum.wrapping_add(i);
        }
        sum
    }))
}

/// Whether smallbox stores this workload's future on the heap.
pub(crate) fn smallbox_on_heap() -> bool {
    let mut it = Count::new(0);
    let on_heap = SbIterator::next(&mut it).is_heap();
    on_heap
}
