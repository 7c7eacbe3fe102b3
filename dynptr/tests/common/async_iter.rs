//! The full call flow of a `#[dyn_trait]` wrapper, written by hand: the shape the macro
//! generates for
//!
//! ```ignore
//! #[dyn_trait]
//! trait AsyncIterator {
//!     type Item;
//!     async fn next(&mut self) -> Option<Self::Item>;
//! }
//! ```
//!
//! 1. the user's trait, untouched ([`AsyncIterator`]);
//! 2. the erased (vtable) trait, dyn-compatible because its method is the first poll of
//!    the call (it takes the call's slot and the context, and returns what that poll
//!    gave) instead of returning an opaque future, and generic over the strategy
//!    ([`ErasedAsyncIterator`]); the trait's associated type becomes a generic
//!    parameter, since a `dyn` type must name every associated type;
//! 3. the blanket shim `impl<T: AsyncIterator, S: Strategy> ErasedAsyncIterator<T::Item, S>
//!    for T`: it calls the ordinary `T::next`, has the strategy place the future (in the
//!    slot itself for `Inline`) and polls it there (`dynptr::call::start`);
//! 4. the sized wrapper [`DynAsyncIterator`], holding the receiver as
//!    `&mut dyn ErasedAsyncIterator<Item, S>` next to the strategy, and implementing
//!    [`AsyncIterator`] itself by returning a `dynptr::call::Call`: the call future that
//!    makes the one indirect call on its first poll.
//!
//! Plus what the tests and the `tour` example drive it with: the seed post's
//! `sum_static`/`sum_dyn`, a [`Count`] iterator with a tiny always-ready future, the
//! poll-based floor ([`PollNext`], [`sum_poll`]) and a non-allocating [`block_on`].
//!
//! Included with `#[path]` by `tests/call_flow.rs` and `examples/tour.rs`.

use core::future::Future;
use core::pin::{pin, Pin};
use core::task::{Context, Poll, Waker};

use dynptr::call::{start, Call, CallSlot, Started};
use dynptr::{Boxed, Strategy};

// ---------------------------------------------------------------------------------------
// 1. The user's trait.
// ---------------------------------------------------------------------------------------

/// The seed post's trait: not dyn-compatible (`dyn AsyncIterator` is error E0038).
#[allow(async_fn_in_trait)]
pub trait AsyncIterator {
    /// What the iterator yields.
    type Item;

    /// The next item, or `None` when the iterator is exhausted.
    async fn next(&mut self) -> Option<Self::Item>;
}

// ---------------------------------------------------------------------------------------
// 2. The erased (vtable) trait: what the macro generates next to the user's trait.
// ---------------------------------------------------------------------------------------

/// The dyn-compatible form of [`AsyncIterator`]: an `async fn` becomes the first poll
/// of its call. The shim gets the strategy, the call's slot (inside the caller's pinned
/// call future) and the first poll's context, and returns that poll's result.
/// `Item` is [`AsyncIterator::Item`], lifted to a generic parameter.
pub trait ErasedAsyncIterator<Item, S: Strategy> {
    /// Calls [`AsyncIterator::next`], places its future with `strategy` and polls it
    /// once, there.
    fn erased_next<'a, 's>(
        &'s mut self,
        strategy: &'s mut S,
        slot: CallSlot<'a, 's, dyn Future<Output = Option<Item>> + 's, S>,
        cx: &mut Context<'_>,
    ) -> Started<'a, Option<Item>>;
}

// ---------------------------------------------------------------------------------------
// 3. The shim: the vtable entry, the call's one indirect call. The callee knows the
//    future's type: the strategy finds it a place (the slot itself for `Inline`, a heap
//    block, a cache block, an arena, a stack slot), the future is built there and
//    polled there. Ready: dropped in place, the place given back, no pointer ever
//    written. Pending: the strategy writes its pointer to `dyn Future` into the slot,
//    whose vtable serves the later polls and the drop.
// ---------------------------------------------------------------------------------------

impl<T: AsyncIterator, S: Strategy> ErasedAsyncIterator<T::Item, S> for T {
    #[inline]
    fn erased_next<'a, 's>(
        &'s mut self,
        strategy: &'s mut S,
        slot: CallSlot<'a, 's, dyn Future<Output = Option<T::Item>> + 's, S>,
        cx: &mut Context<'_>,
    ) -> Started<'a, Option<T::Item>> {
        // The ordinary, statically dispatched method builds the future in its place.
        start(slot, strategy, cx, move || T::next(self))
    }
}

// ---------------------------------------------------------------------------------------
// 4. The sized wrapper the caller holds.
// ---------------------------------------------------------------------------------------

/// A dyn [`AsyncIterator`] yielding `Item`, whose futures are stored by the strategy `S`.
///
/// Sized: it holds the receiver (borrowed for `'a`) as a trait object of the erased
/// trait, plus the strategy's state, and hands the strategy to the receiver's vtable
/// shim on every call.
///
/// Note on inference: `DynAsyncIterator::new(&mut it)` alone does not pick the default
/// `S = Boxed` (defaults of type parameters are not used for inference in expressions);
/// write `DynAsyncIterator::<u32>::new(..)` (any explicit argument makes the omitted ones
/// take their defaults), annotate the binding, or pass the strategy to
/// [`with_strategy`](Self::with_strategy).
pub struct DynAsyncIterator<'a, Item, S: Strategy = Boxed> {
    inner: &'a mut (dyn ErasedAsyncIterator<Item, S> + 'a),
    strategy: S,
}

impl<'a, Item, S: Strategy> DynAsyncIterator<'a, Item, S> {
    /// Borrows `it`, with the strategy's default state.
    pub fn new<T: AsyncIterator<Item = Item> + 'a>(it: &'a mut T) -> Self
    where
        S: Default,
    {
        Self::with_strategy(it, S::default())
    }

    /// Borrows `it`, storing every returned future with `strategy`.
    pub fn with_strategy<T: AsyncIterator<Item = Item> + 'a>(it: &'a mut T, strategy: S) -> Self {
        DynAsyncIterator { inner: it, strategy }
    }

    /// The strategy (its state: counters, an allocator).
    pub fn strategy(&self) -> &S {
        &self.strategy
    }
}

/// The wrapper implements the user's trait, so it goes wherever `impl AsyncIterator`
/// does. `next` returns a [`Call`]: it holds the wrapper's borrow and nothing happens
/// until its first poll, which makes the one indirect call.
impl<Item, S: Strategy> AsyncIterator for DynAsyncIterator<'_, Item, S> {
    type Item = Item;

    #[inline]
    fn next(&mut self) -> impl Future<Output = Option<Item>> {
        Call::new(move |slot, cx| {
            let this = self;
            this.inner.erased_next(&mut this.strategy, slot, cx)
        })
    }
}

// ---------------------------------------------------------------------------------------
// The seed post's functions.
// ---------------------------------------------------------------------------------------

/// Static dispatch: no wrapper, no strategy. Wrapping sum (the tour sums 10 M items).
pub async fn sum_static(mut v: impl AsyncIterator<Item = u32>) -> u32 {
    let mut result = 0u32;
    while let Some(i) = v.next().await {
        result = result.wrapping_add(i);
    }
    result
}

/// Dynamic dispatch through the wrapper, with any strategy. Wrapping sum.
pub async fn sum_dyn<S: Strategy>(v: &mut DynAsyncIterator<'_, u32, S>) -> u32 {
    let mut result = 0u32;
    while let Some(i) = v.next().await {
        result = result.wrapping_add(i);
    }
    result
}

// ---------------------------------------------------------------------------------------
// Test iterator, poll-based floor, executor.
// ---------------------------------------------------------------------------------------

/// Yields `1..=n`. Its `next` future holds only `&mut Count` and is ready on first poll.
///
/// The counter steps as `current = (current + 1) & mask`, with `mask` all ones but
/// hidden from the optimizer by [`core::hint::black_box`] when the counter is created:
/// the counter is then no induction variable it can analyse, so it can neither replace
/// the statically dispatched sum loop by the closed form `n(n+1)/2` nor vectorise it,
/// and every variant runs the same scalar loop body. One `and` per item and no memory
/// traffic (a `black_box` per item costs a stack round trip that shows in the dyn
/// variants). The [`AsyncIterator`] and [`PollNext`] impls share the step.
#[derive(Clone, Debug)]
pub struct Count {
    current: u32,
    end: u32,
    mask: u32,
}

impl Count {
    /// An iterator over `1..=n`.
    pub fn new(n: u32) -> Self {
        Count {
            current: 0,
            end: n,
            mask: core::hint::black_box(u32::MAX),
        }
    }

    /// The next item: what every variant's `next` does.
    #[inline(always)]
    pub fn step(&mut self) -> Option<u32> {
        if self.current < self.end {
            self.current = (self.current + 1) & self.mask;
            Some(self.current)
        } else {
            None
        }
    }
}

impl AsyncIterator for Count {
    type Item = u32;

    #[inline]
    async fn next(&mut self) -> Option<u32> {
        self.step()
    }
}

/// The floor of the benchmark: a hand-written poll-based trait, dyn-compatible as is,
/// one indirect call per item and no future to store.
pub trait PollNext {
    /// `Ready(Some(item))`, `Ready(None)` when exhausted, or `Pending`.
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u32>>;
}

impl PollNext for Count {
    #[inline]
    fn poll_next(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<u32>> {
        Poll::Ready(self.get_mut().step())
    }
}

/// Sums a [`PollNext`] through `dyn`: the floor no strategy can beat. Wrapping sum.
pub fn sum_poll(mut v: Pin<&mut dyn PollNext>) -> u32 {
    let mut cx = Context::from_waker(Waker::noop());
    let mut result = 0u32;
    loop {
        match v.as_mut().poll_next(&mut cx) {
            Poll::Ready(Some(i)) => result = result.wrapping_add(i),
            Poll::Ready(None) => return result,
            Poll::Pending => core::hint::spin_loop(),
        }
    }
}

/// Polls `f` to completion on the current thread with a no-op waker, busy-polling while
/// it is pending. Allocates nothing.
pub fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = f.as_mut().poll(&mut cx) {
            return out;
        }
        core::hint::spin_loop();
    }
}
