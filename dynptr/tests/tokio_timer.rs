//! The caller's waker reaches the inner future through the in-place call path: a
//! `#[dyn_trait(Send)]` `async fn` that sleeps on tokio's timer (pending on its first
//! poll, so the strategy commits its pointer) completes on a real multi-thread runtime,
//! woken by the timer, through every strategy that can hold it.

use core::time::Duration;

use dynptr::{dyn_trait, Boxed, Strategy, ThreadSafePointers};

#[dyn_trait(Send)]
trait Ticker {
    async fn tick(&mut self, ms: u64) -> u32;
}

struct Count(u32);

impl Ticker for Count {
    async fn tick(&mut self, ms: u64) -> u32 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        self.0 += 1;
        self.0
    }
}

/// Three sleeping calls in a row on a spawned task, each pending then woken.
fn ticks<S>(strategy: S) -> u32
where
    S: Strategy + ThreadSafePointers + Send + Sync + 'static,
{
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .expect("a tokio runtime");
    rt.block_on(async move {
        let task = tokio::spawn(async move {
            let mut count = Count(0);
            let mut d = DynTicker::with_strategy(&mut count, strategy);
            let mut last = 0;
            for _ in 0..3 {
                last = d.tick(2).await;
            }
            last
        });
        // A waker that did not reach the sleep would leave the task pending forever.
        tokio::time::timeout(Duration::from_secs(20), task)
            .await
            .expect("the timer woke the task (the caller's waker reached the inner future)")
            .expect("the task completes")
    })
}

#[test]
#[cfg_attr(miri, ignore = "tokio's timer and threads")]
fn a_timer_wakes_the_inner_future_boxed() {
    assert_eq!(ticks(Boxed::new()), 3);
}

#[cfg(feature = "cache")]
#[test]
#[cfg_attr(miri, ignore = "tokio's timer and threads")]
fn a_timer_wakes_the_inner_future_cached() {
    assert_eq!(ticks(dynptr::Cached::new()), 3);
}

#[cfg(feature = "stack")]
#[test]
#[cfg_attr(miri, ignore = "tokio's timer and threads")]
fn a_timer_wakes_the_inner_future_inline() {
    assert_eq!(ticks(dynptr::Inline::<256>::new()), 3);
}

#[cfg(all(feature = "stack", feature = "alloc"))]
#[test]
#[cfg_attr(miri, ignore = "tokio's timer and threads")]
fn a_timer_wakes_the_inner_future_inline_or() {
    assert_eq!(ticks(dynptr::InlineOr::<256>::new()), 3);
}
