//! dynptr without an allocator: the seed post's `AsyncIterator`, driven through dynamic
//! dispatch with every returned future stored inline ([`Inline`]) or in a slot reserved
//! on the stack ([`Slot`]), polled by a tiny executor. `#![no_std]`, no `alloc` crate,
//! no global allocator; CI builds it for `thumbv7em-none-eabihf` (a Cortex-M4F, no
//! heap) and runs its logic on the host (`tests/host.rs`, which also counts zero
//! allocations).
//!
//! The dyn wrapper is written by hand, in the shape `#[dyn_trait]` generates (see
//! `dynptr/tests/common/async_iter.rs`): the user's trait, the erased trait, the
//! blanket shim and the sized wrapper.
//!
//! ```
//! assert_eq!(embedded_demo::sum_inline(4), 10);
//! assert_eq!(embedded_demo::sum_slot(4), 10);
//! ```
#![no_std]

use core::future::Future;
use core::pin::{pin, Pin};
use core::task::{Context, Poll, Waker};

use dynptr_core::{DynPtr, Strategy};
use dynptr_stack::{Inline, Slot, SlotRef};

/// The seed post's trait: not dyn-compatible by itself.
#[allow(async_fn_in_trait)]
pub trait AsyncIterator {
    /// What the iterator yields.
    type Item;

    /// The next item, or `None` when the iterator is exhausted.
    async fn next(&mut self) -> Option<Self::Item>;
}

/// The erased (vtable) form of [`AsyncIterator`]: the future comes back as a [`DynPtr`]
/// stored by the strategy `S`.
pub trait ErasedAsyncIterator<Item, S: Strategy> {
    /// Calls [`AsyncIterator::next`] and stores its future with `strategy`.
    fn erased_next<'s>(
        &'s mut self,
        strategy: &'s mut S,
    ) -> DynPtr<'s, dyn Future<Output = Option<Item>> + 's, S>;
}

/// The shim: knows the future's type and hands it to the strategy.
impl<T: AsyncIterator, S: Strategy> ErasedAsyncIterator<T::Item, S> for T {
    #[inline]
    fn erased_next<'s>(
        &'s mut self,
        strategy: &'s mut S,
    ) -> DynPtr<'s, dyn Future<Output = Option<T::Item>> + 's, S> {
        DynPtr::new(strategy, T::next(self))
    }
}

/// A dyn [`AsyncIterator`]: the receiver as an erased trait object, next to the
/// strategy. No default strategy here: without `alloc` there is no `Boxed`.
pub struct DynAsyncIterator<'a, Item, S: Strategy> {
    inner: &'a mut (dyn ErasedAsyncIterator<Item, S> + 'a),
    strategy: S,
}

impl<'a, Item, S: Strategy> DynAsyncIterator<'a, Item, S> {
    /// Borrows `it`, storing every returned future with `strategy`.
    pub fn with_strategy<T: AsyncIterator<Item = Item> + 'a>(it: &'a mut T, strategy: S) -> Self {
        DynAsyncIterator { inner: it, strategy }
    }
}

impl<Item, S: Strategy + core::fmt::Debug> core::fmt::Debug for DynAsyncIterator<'_, Item, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DynAsyncIterator")
            .field("strategy", &self.strategy)
            .finish_non_exhaustive()
    }
}

impl<Item, S: Strategy> AsyncIterator for DynAsyncIterator<'_, Item, S> {
    type Item = Item;

    #[inline]
    fn next(&mut self) -> impl Future<Output = Option<Item>> {
        self.inner.erased_next(&mut self.strategy)
    }
}

/// Yields `1..=n`.
#[derive(Clone, Debug)]
pub struct Count {
    current: u32,
    end: u32,
}

impl Count {
    /// An iterator over `1..=n`.
    pub const fn new(n: u32) -> Self {
        Count { current: 0, end: n }
    }
}

impl AsyncIterator for Count {
    type Item = u32;

    async fn next(&mut self) -> Option<u32> {
        if self.current < self.end {
            self.current += 1;
            // Yield once in a while, so the executor really polls more than once.
            if self.current % 4 == 0 {
                YieldOnce(false).await;
            }
            Some(self.current)
        } else {
            None
        }
    }
}

/// Pending on its first poll (waking itself), ready on the second: makes a driver's
/// future really suspend once. Used by the firmware too.
#[derive(Debug, Default)]
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
        if core::mem::replace(&mut self.0, true) {
            Poll::Ready(())
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// Sums any [`AsyncIterator`] of `u32` (static dispatch; the dyn wrappers are one).
pub async fn sum<I: AsyncIterator<Item = u32>>(mut it: I) -> u32 {
    let mut total = 0u32;
    while let Some(i) = it.next().await {
        total = total.wrapping_add(i);
    }
    total
}

/// The tiny executor: polls `f` with a no-op waker until it is ready. No allocation,
/// no threads, no interrupts.
pub fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = f.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// `1 + .. + n` through dynamic dispatch, each future stored inside its pointer.
pub fn sum_inline(n: u32) -> u32 {
    let mut it = Count::new(n);
    let d = DynAsyncIterator::with_strategy(&mut it, Inline::<64>::new());
    block_on(sum(d))
}

/// `1 + .. + n` through dynamic dispatch, each future built in one slot reserved on
/// this stack frame.
pub fn sum_slot(n: u32) -> u32 {
    let mut it = Count::new(n);
    let slot = pin!(Slot::<64>::new());
    let d = DynAsyncIterator::with_strategy(&mut it, SlotRef::new(slot));
    block_on(sum(d))
}

/// The same idea through `#[dyn_trait]`: the generated wrapper needs no allocator when the
/// strategy is `Inline` or a stack slot (without `dynptr`'s `box` feature there is no
/// default strategy, so the wrapper is made with `with_strategy`).
pub mod generated {
    use dynptr::{dyn_trait, Inline};

    /// A sensor read through `dyn`.
    #[dyn_trait]
    #[allow(async_fn_in_trait)]
    pub trait Sensor {
        /// Reads one sample.
        async fn read(&mut self) -> u16;
        /// The sensor's bus address.
        fn address(&self) -> u8;
    }

    /// A sensor that counts up.
    #[derive(Debug)]
    pub struct Ramp(pub u16);

    impl Sensor for Ramp {
        async fn read(&mut self) -> u16 {
            self.0 = self.0.wrapping_add(1);
            self.0
        }
        fn address(&self) -> u8 {
            0x48
        }
    }

    /// Sums `n` samples read through the generated `DynSensor` with `Inline<32>`.
    pub fn sum_samples(n: u16) -> (u32, u8) {
        let mut ramp = Ramp(0);
        let mut d = DynSensor::with_strategy(&mut ramp, Inline::<32>::new());
        let mut total = 0u32;
        for _ in 0..n {
            total += u32::from(super::block_on(d.read()));
        }
        (total, d.address())
    }
}
