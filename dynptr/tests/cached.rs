//! `Cached` through the facade: the hand-written `AsyncIterator` wrapper allocates once
//! for a whole loop (not at all with a pre-sized block), a `#[dyn_trait]` wrapper uses it
//! like any strategy, and a `#[dyn_trait(Send)]` wrapper with `Cached` is `Send + Sync`:
//! its `&self` futures are joined on a multi-threaded runtime.

#[allow(dead_code, unreachable_pub)]
#[path = "common/async_iter.rs"]
mod async_iter;

extern crate alloc;

use alloc::sync::Arc;
use core::alloc::Layout;

use async_iter::{block_on, sum_dyn, Count, DynAsyncIterator};
use dynptr::dyn_trait;
use dynptr_cache::Cached;
use dynptr_core::testkit::CountingAllocator;

const N: u32 = if cfg!(miri) { 5 } else { 10_000 };

#[test]
fn one_allocation_for_a_whole_loop() {
    static COUNTER: CountingAllocator = CountingAllocator::new();
    let mut it = Count::new(N);
    let mut d = DynAsyncIterator::with_strategy(&mut it, Cached::new_in(&COUNTER));
    assert_eq!(block_on(sum_dyn(&mut d)), N * (N + 1) / 2);
    assert_eq!(COUNTER.counts(), (1, 0), "one block, kept for the next loop");
    assert_eq!(block_on(sum_dyn(&mut d)), 0);
    drop(d);
    assert_eq!(COUNTER.counts(), (1, 1));
}

#[test]
fn no_allocation_with_a_presized_block() {
    static COUNTER: CountingAllocator = CountingAllocator::new();
    let cache = Cached::with_capacity_in(Layout::new::<[u64; 4]>(), &COUNTER);
    assert_eq!(COUNTER.counts(), (1, 0));
    let mut it = Count::new(N);
    let mut d = DynAsyncIterator::with_strategy(&mut it, cache);
    assert_eq!(block_on(sum_dyn(&mut d)), N * (N + 1) / 2);
    assert_eq!(COUNTER.counts(), (1, 0), "the calls allocated");
}

/// A store whose lookups take `&self`: futures alive together.
#[dyn_trait(Send)]
pub trait Store {
    /// Looks a key up.
    async fn get(&self, key: u64) -> Option<u64>;
    /// Empties the store, returning how many entries it had.
    async fn clear(&mut self) -> usize;
}

struct Squares(Vec<u64>);

impl Store for Squares {
    async fn get(&self, key: u64) -> Option<u64> {
        tokio::task::yield_now().await;
        self.0.get(key as usize).copied()
    }
    async fn clear(&mut self) -> usize {
        tokio::task::yield_now().await;
        core::mem::take(&mut self.0).len()
    }
}

// `Cached` is `Sync` and `ThreadSafePointers`: the `(Send)` wrapper is `Send + Sync`, so its
// `&self` futures are `Send`.
static_assertions::assert_impl_all!(DynStore<'static, Cached>: Send, Sync);

#[test]
fn send_wrapper_with_cached_on_a_multithreaded_runtime() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let tasks = if cfg!(miri) { 2 } else { 16 };
    rt.block_on(async {
        let squares = Squares((0..100).map(|i| i * i).collect());
        let store: DynStore<'static, Cached> = DynStore::boxed_with_strategy(squares, Cached::new());
        let store = Arc::new(store);
        let mut handles = Vec::new();
        for i in 0..tasks {
            let store = Arc::clone(&store);
            handles.push(tokio::spawn(async move {
                // Two futures of the same wrapper alive at once: one in the block, one
                // in a one-off allocation (or both one-offs while another task holds
                // the block).
                tokio::join!(store.get(i), store.get(i + 1))
            }));
        }
        for (i, handle) in handles.into_iter().enumerate() {
            let i = i as u64;
            assert_eq!(handle.await.unwrap(), (Some(i * i), Some((i + 1) * (i + 1))));
        }
        let mut store = Arc::try_unwrap(store).ok().unwrap();
        let cleared = tokio::spawn(async move { (store.clear().await, store.get(0).await) })
            .await
            .unwrap();
        assert_eq!(cleared, (100, None));
    });
}
