//! How cost grows with the future's size: each `next` puts a buffer of `B` bytes in its
//! future, writes to it, yields once (pending on the first poll) and reads it back, for
//! `B` = 16 B to 64 KiB in powers of four (one workload per size, `sweep16` ..
//! `sweep64k`).
//!
//! The buffer is held across a real suspension (`YieldOnce`), so it is part of the
//! future's state, and its address escapes through `black_box`, so it is in memory.
//! Only two bytes of it are written and read: filling 64 KiB would cost the same in
//! every variant and hide what storing the future costs. So a strategy that builds the
//! future where it is polled (the call's local area, a slot, a cache block, an arena,
//! a fresh box) should cost the same at every size, and one that moves it (stackfuture,
//! smallbox, `Box::pin` of a value built on the stack) should cost a copy of `B` bytes
//! more per call.
//!
//! Fixed capacities are "sized to fit": `B + 64` (the future is `B` plus a few words;
//! `agree.rs` checks that). `InlineOr<512>` has smallbox's `S64` capacity (64 words,
//! 512 bytes), so both store the futures up to 256 B inline and fall back to the heap
//! from 1 KiB on.

use core::future::Future;
use core::hint::black_box;
use core::mem::MaybeUninit;
use core::pin::{pin, Pin};
use core::task::{Context, Poll, Waker};

use dynify::Dynify;
use dynptr::{dyn_trait, Boxed, Bumped, Cached, Inline, InlineOr, Slot, SlotRef, Strategy};
use dynptr_core::testkit::YieldOnce;
use smallbox::space::S64;
use smallbox::{smallbox, SmallBox};
use stackfuture::StackFuture;

use super::async_iter::{Count, PollNext};
use super::{Variants, Workload};

/// `InlineOr`'s inline capacity here: smallbox's `S64` (64 words).
const OR_CAP: usize = 512;

/// The buffer a future holds: `B` bytes, two of them written.
struct Buffer<const B: usize>([MaybeUninit<u8>; B]);

/// Where `item` writes in a buffer of `B` bytes: a place that moves with the item, and
/// the last byte.
#[inline(always)]
fn places<const B: usize>(item: u32) -> (usize, usize) {
    (item as usize % B, B - 1)
}

impl<const B: usize> Buffer<B> {
    /// A buffer with nothing written (nothing to do at run time).
    #[inline(always)]
    fn uninit() -> Self {
        Buffer([MaybeUninit::uninit(); B])
    }

    /// Writes `item`'s two bytes; the buffer's address escapes, so it lives in memory
    /// (the future's state) and the writes are not optimised away.
    #[inline(always)]
    fn write(&mut self, item: u32) {
        let (at, last) = places::<B>(item);
        self.0[last].write((item >> 3) as u8);
        self.0[at].write(item as u8);
        black_box(&mut self.0);
    }

    /// `item` combined with the two bytes [`write`](Self::write) wrote.
    #[inline(always)]
    fn read(&self, item: u32) -> u32 {
        let (at, last) = places::<B>(item);
        let buf = black_box(&self.0);
        // SAFETY: `write` initialised `buf[at]` (this buffer's last call of `write` had
        // the same `item`, so the same places).
        let a = unsafe { buf[at].assume_init() };
        // SAFETY: `write` initialised `buf[last]`, as above: the same `item`, the same
        // place; `at` may equal `last`, which then holds `item as u8`.
        let b = unsafe { buf[last].assume_init() };
        item.wrapping_add(u32::from(a)).wrapping_add(u32::from(b) << 8)
    }
}

/// An iterator whose `next` future holds `B` bytes across a yield.
#[derive(Debug)]
pub(crate) struct Sweep<const B: usize>(Count);

impl<const B: usize> Sweep<B> {
    fn new(n: u32) -> Self {
        Sweep(Count::new(n))
    }
}

/// The trait, through `#[dyn_trait]`.
#[dyn_trait]
#[allow(async_fn_in_trait)]
pub(crate) trait SweepIterator {
    async fn next(&mut self) -> Option<u32>;
}

impl<const B: usize> SweepIterator for Sweep<B> {
    #[inline]
    async fn next(&mut self) -> Option<u32> {
        let item = self.0.step()?;
        // Written where it lives (in the future's state), not built and moved there.
        let mut buf = Buffer::<B>::uninit();
        buf.write(item);
        // Pending once: `buf` is in the future's state while it is suspended.
        YieldOnce::new().await;
        Some(buf.read(item))
    }
}

/// The size of `Sweep<B>`'s `next` future: `B` plus a few words.
pub(crate) fn future_size<const B: usize>() -> usize {
    let mut it = Sweep::<B>::new(0);
    let size = size_of_val(&SweepIterator::next(&mut it));
    size
}

/// Whether smallbox stores `Sweep<B>`'s future on the heap.
pub(crate) fn smallbox_on_heap<const B: usize>() -> bool {
    let mut it = Sweep::<B>::new(0);
    let on_heap = SbSweep::next(&mut it).is_heap();
    on_heap
}

/// Polls `f` to completion on this thread with a no-op waker, polling again at once when
/// it is pending (every future here has woken itself by then, as a ready queue would
/// find it). Unlike `async_iter::block_on` it does not pause (`spin_loop`) in between:
/// a pause per call would add the same ~15 ns to every variant.
pub(crate) fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = f.as_mut().poll(&mut cx) {
            return out;
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

fn run_static<const B: usize>(n: u32) -> u64 {
    let mut it = Sweep::<B>::new(n);
    block_on(async { sum_loop!(SweepIterator::next(&mut it)) })
}

/// The floor: the same work through a poll-based trait, the buffer in the iterator
/// (a poll-based trait has no future to store it in), pending once per item too.
struct SweepPoll<const B: usize> {
    count: Count,
    buf: Buffer<B>,
    /// The item between its two polls.
    pending: Option<u32>,
}

impl<const B: usize> PollNext for SweepPoll<B> {
    #[inline]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u32>> {
        let this = self.get_mut();
        if let Some(item) = this.pending.take() {
            return Poll::Ready(Some(this.buf.read(item)));
        }
        let Some(item) = this.count.step() else {
            return Poll::Ready(None);
        };
        this.buf.write(item);
        this.pending = Some(item);
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

fn run_floor<const B: usize>(n: u32) -> u64 {
    let mut it = SweepPoll::<B> {
        count: Count::new(n),
        buf: Buffer::uninit(),
        pending: None,
    };
    let mut v: Pin<&mut dyn PollNext> = black_box(Pin::new(&mut it) as Pin<&mut dyn PollNext>);
    let mut cx = Context::from_waker(Waker::noop());
    let mut sum = 0u32;
    loop {
        match v.as_mut().poll_next(&mut cx) {
            Poll::Ready(Some(i)) => sum = sum.wrapping_add(i),
            Poll::Ready(None) => return u64::from(sum),
            // Polled again at once, as `block_on` does.
            Poll::Pending => {}
        }
    }
}

#[inline(always)]
fn run_dynptr<const B: usize, S: Strategy>(n: u32, s: S) -> u64 {
    let mut it = Sweep::<B>::new(n);
    let mut d = DynSweepIterator::with_strategy(&mut it, s);
    let d = black_box(&mut d);
    block_on(async { sum_loop!(d.next()) })
}

fn run_boxed<const B: usize>(n: u32) -> u64 {
    run_dynptr::<B, _>(n, Boxed::new())
}

fn run_inline<const B: usize, const CAP: usize>(n: u32) -> u64 {
    run_dynptr::<B, _>(n, Inline::<CAP>::new())
}

fn run_inline_or<const B: usize>(n: u32) -> u64 {
    run_dynptr::<B, _>(n, InlineOr::<OR_CAP>::new())
}

fn run_inline_or_cached<const B: usize>(n: u32) -> u64 {
    run_dynptr::<B, _>(n, InlineOr::<OR_CAP, Cached>::with_fallback(Cached::new()))
}

fn run_slot<const B: usize, const CAP: usize>(n: u32) -> u64 {
    let slot = pin!(Slot::<CAP>::new());
    run_dynptr::<B, _>(n, SlotRef::new(slot))
}

fn run_cached<const B: usize>(n: u32) -> u64 {
    run_dynptr::<B, _>(n, Cached::new())
}

fn run_bumped<const B: usize>(n: u32) -> u64 {
    run_dynptr::<B, _>(n, Bumped::new())
}

fn run_bumped_shared<const B: usize>(n: u32) -> u64 {
    let arena = Bumped::new();
    run_dynptr::<B, _>(n, &arena)
}

// ---------------------------------------------------------------------------------------
// Peers: the same future (`SweepIterator::next`) behind each crate's dyn form.
// ---------------------------------------------------------------------------------------

mod dy {
    #[dynosaur::dynosaur(pub(crate) DynSweepIterator = dyn(box) SweepIterator)]
    #[allow(async_fn_in_trait)]
    pub(crate) trait SweepIterator {
        async fn next(&mut self) -> Option<u32>;
    }

    impl<const B: usize> SweepIterator for super::Sweep<B> {
        #[inline]
        fn next(&mut self) -> impl core::future::Future<Output = Option<u32>> {
            super::SweepIterator::next(self)
        }
    }
}

fn run_dynosaur<const B: usize>(n: u32) -> u64 {
    use dy::SweepIterator as _;
    let mut it = Sweep::<B>::new(n);
    let v = black_box(dy::DynSweepIterator::from_mut(&mut it));
    block_on(async { sum_loop!(v.next()) })
}

/// stackfuture: the future moves into a `StackFuture` of capacity `N`.
pub(crate) trait SfSweep<const N: usize> {
    fn next(&mut self) -> StackFuture<'_, Option<u32>, N>;
}

impl<const B: usize, const N: usize> SfSweep<N> for Sweep<B> {
    #[inline]
    fn next(&mut self) -> StackFuture<'_, Option<u32>, N> {
        StackFuture::from(SweepIterator::next(self))
    }
}

fn run_stackfuture<const B: usize, const CAP: usize>(n: u32) -> u64 {
    let mut it = Sweep::<B>::new(n);
    let v: &mut dyn SfSweep<CAP> = black_box(&mut it);
    block_on(async { sum_loop!(v.next()) })
}

mod dn {
    #[dynify::dynify]
    #[allow(async_fn_in_trait)]
    pub(crate) trait SweepIterator {
        async fn next(&mut self) -> Option<u32>;
    }

    impl<const B: usize> SweepIterator for super::Sweep<B> {
        #[inline]
        fn next(&mut self) -> impl core::future::Future<Output = Option<u32>> {
            super::SweepIterator::next(self)
        }
    }
}

fn run_dynify<const B: usize, const CAP: usize>(n: u32) -> u64 {
    let mut it = Sweep::<B>::new(n);
    let v: &mut dyn dn::DynSweepIterator = black_box(&mut it);
    block_on(async {
        let mut buf = [MaybeUninit::<u8>::uninit(); CAP];
        sum_loop!(v.next().init(&mut buf))
    })
}

/// smallbox: the future moves into a `SmallBox` with 512 bytes of inline space, or to
/// the heap when it does not fit (a check of its size at run time).
pub(crate) trait SbSweep {
    fn next(&mut self) -> SmallBox<dyn Future<Output = Option<u32>> + '_, S64>;
}

impl<const B: usize> SbSweep for Sweep<B> {
    #[inline]
    fn next(&mut self) -> SmallBox<dyn Future<Output = Option<u32>> + '_, S64> {
        smallbox!(SweepIterator::next(self))
    }
}

fn run_smallbox<const B: usize>(n: u32) -> u64 {
    let mut it = Sweep::<B>::new(n);
    let v: &mut dyn SbSweep = black_box(&mut it);
    block_on(async { sum_loop!(v.next()) })
}

// ---------------------------------------------------------------------------------------
// One workload per size.
// ---------------------------------------------------------------------------------------

/// `$workload` and `$variants` for each buffer of `$b` bytes (`$human`), with fixed
/// capacities `$cap`.
macro_rules! sizes {
    ($($workload:ident $variants:ident $key:literal $human:literal $b:literal $cap:literal;)*) => {$(
        pub(crate) static $workload: Workload = Workload {
            key: $key,
            title: concat!("a future holding ", $human, " across a yield"),
            unit: "call",
            units_per_n: 1,
            bench_n: 1_000,
            diff_n: (1_000, 2_000),
        };

        pub(crate) static $variants: Variants = &[
            ("static", "static dispatch", run_static::<$b>),
            ("floor", "poll-based dyn (floor)", run_floor::<$b>),
            ("dynosaur", "dynosaur", run_dynosaur::<$b>),
            (
                "stackfuture",
                concat!("stackfuture (N = ", stringify!($cap), ")"),
                run_stackfuture::<$b, $cap>,
            ),
            (
                "dynify",
                concat!("dynify `.init(&mut [u8; ", stringify!($cap), "])`"),
                run_dynify::<$b, $cap>,
            ),
            ("smallbox", "smallbox `SmallBox<_, S64>`", run_smallbox::<$b>),
            ("boxed", "dynptr Boxed", run_boxed::<$b>),
            (
                "inline",
                concat!("dynptr Inline<", stringify!($cap), ">"),
                run_inline::<$b, $cap>,
            ),
            ("inline-or", "dynptr InlineOr<512>", run_inline_or::<$b>),
            (
                "inline-or-cached",
                "dynptr InlineOr<512, Cached>",
                run_inline_or_cached::<$b>,
            ),
            (
                "slot",
                concat!("dynptr Slot<", stringify!($cap), ">"),
                run_slot::<$b, $cap>,
            ),
            ("cached", "dynptr Cached", run_cached::<$b>),
            ("bumped", "dynptr Bumped", run_bumped::<$b>),
            (
                "bumped-shared",
                "dynptr &Bumped (shared arena)",
                run_bumped_shared::<$b>,
            ),
        ];
    )*};
}

sizes! {
    W16 V16 "sweep16" "16 B" 16 80;
    W64 V64 "sweep64" "64 B" 64 128;
    W256 V256 "sweep256" "256 B" 256 320;
    W1K V1K "sweep1k" "1 KiB" 1024 1088;
    W4K V4K "sweep4k" "4 KiB" 4096 4160;
    W16K V16K "sweep16k" "16 KiB" 16384 16448;
    W64K V64K "sweep64k" "64 KiB" 65536 65600;
}

/// Every size's buffer bytes, workload and variants, smallest first.
pub(crate) static SIZES: [(usize, &Workload, Variants); 7] = [
    (16, &W16, V16),
    (64, &W64, V64),
    (256, &W256, V256),
    (1024, &W1K, V1K),
    (4096, &W4K, V4K),
    (16384, &W16K, V16K),
    (65536, &W64K, V64K),
];

/// Every variant's key and a label without sizes, in table order: the plot's lines.
/// `agree.rs` checks that every size has exactly these variants.
pub(crate) static LINES: [(&str, &str); 14] = [
    ("static", "static dispatch"),
    ("floor", "poll-based dyn (floor)"),
    ("dynosaur", "dynosaur (boxing)"),
    ("stackfuture", "stackfuture (N = B + 64)"),
    ("dynify", "dynify (caller's buffer, B + 64)"),
    ("smallbox", "smallbox SmallBox<_, S64>"),
    ("boxed", "dynptr Boxed"),
    ("inline", "dynptr Inline<B + 64>"),
    ("inline-or", "dynptr InlineOr<512>"),
    ("inline-or-cached", "dynptr InlineOr<512, Cached>"),
    ("slot", "dynptr Slot<B + 64>"),
    ("cached", "dynptr Cached"),
    ("bumped", "dynptr Bumped"),
    ("bumped-shared", "dynptr &Bumped"),
];

/// `(buffer size, future size, smallbox stores it on the heap)` for every size.
pub(crate) fn layouts() -> [(usize, usize, bool); 7] {
    [
        (16, future_size::<16>(), smallbox_on_heap::<16>()),
        (64, future_size::<64>(), smallbox_on_heap::<64>()),
        (256, future_size::<256>(), smallbox_on_heap::<256>()),
        (1024, future_size::<1024>(), smallbox_on_heap::<1024>()),
        (4096, future_size::<4096>(), smallbox_on_heap::<4096>()),
        (16384, future_size::<16384>(), smallbox_on_heap::<16384>()),
        (65536, future_size::<65536>(), smallbox_on_heap::<65536>()),
    ]
}
