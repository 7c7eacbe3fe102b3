//! The `Send` variant: `#[dyn_trait(Send)]`, two tasks on a 2-thread tokio runtime, each
//! summing its own iterator through its own dyn value (the allocator is shared: heap
//! strategies contend on it). Time is wall time over the items of both tasks.
//!
//! The stack `Slot` is not here: it is not `ThreadSafePointers` (its flags are `Cell`s), so
//! `#[dyn_trait(Send)]` wrappers cannot use it.

use core::future::Future;
use core::hint::black_box;
use core::mem::MaybeUninit;
use core::pin::Pin;
use std::sync::OnceLock;

use dynify::Dynify;
use dynptr::{dyn_trait, Boxed, Bumped, Cached, Inline, InlineOr, Strategy, ThreadSafePointers};
use smallbox::space::S64;
use smallbox::{smallbox, SmallBox};
use tokio::runtime::Runtime;
use tokio_util::sync::ReusableBoxFuture;

use super::alloc::FORWARD;
use super::async_iter::{sum_poll, Count, PollNext};
use super::tiny::{RbIterator, SfIterator};
use super::{Variants, Workload};

pub(crate) static WORKLOAD: Workload = Workload {
    key: "send",
    title: "`#[dyn_trait(Send)]` sum loop, 2 tasks on a 2-thread tokio runtime",
    unit: "item",
    units_per_n: 2,
    bench_n: 50_000,
    diff_n: (100_000, 200_000),
};

/// Capacity of the fixed-size variants.
const CAP: usize = 64;

pub(crate) static VARIANTS: Variants = &[
    ("static", "static dispatch", run_static),
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
    ("bumped", "dynptr Bumped", run_bumped),
    ("cached", "dynptr Cached", run_cached),
];

/// The runtime every variant shares: built once, two worker threads.
fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .expect("a 2-thread tokio runtime")
    })
}

/// Spawns `task(n)` twice and adds the results.
fn on_two_threads<F>(n: u32, task: fn(u32) -> F) -> u64
where
    F: Future<Output = u64> + Send + 'static,
{
    runtime().block_on(async {
        let a = tokio::spawn(task(n));
        let b = tokio::spawn(task(n));
        a.await.expect("task a") + b.await.expect("task b")
    })
}

/// The seed's trait with `Send` futures, through `#[dyn_trait(Send)]`.
#[dyn_trait(Send)]
#[allow(async_fn_in_trait)]
pub(crate) trait SendIterator {
    type Item;
    async fn next(&mut self) -> Option<Self::Item>;
}

impl SendIterator for Count {
    type Item = u32;
    #[inline]
    async fn next(&mut self) -> Option<u32> {
        self.step()
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

fn run_static(n: u32) -> u64 {
    on_two_threads(n, |n| async move {
        let mut it = Count::new(n);
        sum_loop!(SendIterator::next(&mut it))
    })
}

fn run_floor(n: u32) -> u64 {
    on_two_threads(n, |n| async move {
        let mut it = Count::new(n);
        let v = black_box(Pin::new(&mut it) as Pin<&mut (dyn PollNext + Send)>);
        u64::from(sum_poll(v))
    })
}

async fn sum_dyn<S: Strategy + ThreadSafePointers + Send>(n: u32, s: S) -> u64 {
    let mut it = Count::new(n);
    let mut d = DynSendIterator::with_strategy(&mut it, s);
    let d = black_box(&mut d);
    sum_loop!(d.next())
}

fn run_boxed(n: u32) -> u64 {
    on_two_threads(n, |n| sum_dyn(n, Boxed::new()))
}

fn run_boxed_in(n: u32) -> u64 {
    on_two_threads(n, |n| sum_dyn(n, Boxed::new_in(&FORWARD)))
}

fn run_inline(n: u32) -> u64 {
    on_two_threads(n, |n| sum_dyn(n, Inline::<CAP>::new()))
}

fn run_inline_or(n: u32) -> u64 {
    on_two_threads(n, |n| sum_dyn(n, InlineOr::<CAP>::new()))
}

fn run_bumped(n: u32) -> u64 {
    on_two_threads(n, |n| sum_dyn(n, Bumped::new()))
}

fn run_cached(n: u32) -> u64 {
    on_two_threads(n, |n| sum_dyn(n, Cached::new()))
}

// ---------------------------------------------------------------------------------------
// Peers.
// ---------------------------------------------------------------------------------------

mod at {
    #[async_trait::async_trait]
    pub(crate) trait AsyncIterator {
        type Item;
        async fn next(&mut self) -> Option<Self::Item>;
    }

    #[async_trait::async_trait]
    impl AsyncIterator for super::Count {
        type Item = u32;
        async fn next(&mut self) -> Option<u32> {
            self.step()
        }
    }
}

fn run_async_trait(n: u32) -> u64 {
    on_two_threads(n, |n| async move {
        let mut it = Count::new(n);
        let v: &mut (dyn at::AsyncIterator<Item = u32> + Send) = black_box(&mut it);
        sum_loop!(v.next())
    })
}

mod dy {
    use core::future::Future;

    /// `Send` supertrait: dynosaur's `DynSendIterator` is `Send` only then.
    #[dynosaur::dynosaur(pub(crate) DynSendIterator = dyn(box) SendIterator)]
    pub(crate) trait SendIterator: Send {
        type Item;
        fn next(&mut self) -> impl Future<Output = Option<Self::Item>> + Send;
    }

    impl SendIterator for super::Count {
        type Item = u32;
        #[inline]
        fn next(&mut self) -> impl Future<Output = Option<u32>> + Send {
            super::SendIterator::next(self)
        }
    }
}

fn run_dynosaur(n: u32) -> u64 {
    use dy::SendIterator as _;
    on_two_threads(n, |n| async move {
        let mut it = Count::new(n);
        let v = black_box(dy::DynSendIterator::from_mut(&mut it));
        sum_loop!(v.next())
    })
}

fn run_stackfuture(n: u32) -> u64 {
    on_two_threads(n, |n| async move {
        let mut it = Count::new(n);
        let v: &mut (dyn SfIterator + Send) = black_box(&mut it);
        sum_loop!(v.next())
    })
}

fn run_reusable_box(n: u32) -> u64 {
    on_two_threads(n, |n| async move {
        let it: Box<dyn RbIterator> = black_box(Box::new(Count::new(n)));
        let mut slot: ReusableBoxFuture<'static, (Option<u32>, Box<dyn RbIterator>)> =
            ReusableBoxFuture::new(core::future::pending());
        it.next_into(&mut slot);
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
    use core::future::Future;

    #[dynify::dynify]
    pub(crate) trait SendIterator {
        type Item;
        fn next(&mut self) -> impl Future<Output = Option<Self::Item>> + Send;
    }

    impl SendIterator for super::Count {
        type Item = u32;
        #[inline]
        fn next(&mut self) -> impl Future<Output = Option<u32>> + Send {
            super::SendIterator::next(self)
        }
    }
}

fn run_dynify(n: u32) -> u64 {
    on_two_threads(n, |n| async move {
        let mut it = Count::new(n);
        let v: &mut (dyn dn::DynSendIterator<Item = u32> + Send) = black_box(&mut it);
        let mut buf = [MaybeUninit::<u8>::uninit(); CAP];
        sum_loop!(v.next().init(&mut buf))
    })
}

/// smallbox, with `Send` futures: a `SmallBox` is `Send` when its value is.
pub(crate) trait SbSendIterator {
    fn next(&mut self) -> SmallBox<dyn Future<Output = Option<u32>> + Send + '_, S64>;
}

impl SbSendIterator for Count {
    #[inline]
    fn next(&mut self) -> SmallBox<dyn Future<Output = Option<u32>> + Send + '_, S64> {
        smallbox!(SendIterator::next(self))
    }
}

fn run_smallbox(n: u32) -> u64 {
    on_two_threads(n, |n| async move {
        let mut it = Count::new(n);
        let v: &mut (dyn SbSendIterator + Send) = black_box(&mut it);
        sum_loop!(v.next())
    })
}
