//! `#[dyn_trait]`: one module per trait shape.

use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..10_000 {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
    }
    panic!("future did not complete")
}

mod async_iterator {
    use super::block_on;
    use dynptr::{dyn_trait, Boxed, Strategy};

    #[dyn_trait]
    pub(crate) trait AsyncIterator {
        type Item;
        async fn next(&mut self) -> Option<Self::Item>;
    }

    pub(crate) struct Count(pub(crate) u32, pub(crate) u32);

    impl AsyncIterator for Count {
        type Item = u32;
        async fn next(&mut self) -> Option<u32> {
            if self.0 < self.1 {
                self.0 += 1;
                Some(self.0)
            } else {
                None
            }
        }
    }

    async fn sum_static(mut v: impl AsyncIterator<Item = u32>) -> u32 {
        let mut result = 0;
        while let Some(i) = v.next().await {
            result += i;
        }
        result
    }

    async fn sum_dyn<S: Strategy>(v: &mut DynAsyncIterator<'_, u32, S>) -> u32 {
        let mut result = 0;
        while let Some(i) = v.next().await {
            result += i;
        }
        result
    }

    #[test]
    fn static_and_dyn_sums_agree() {
        for n in [0, 1, 10, 100] {
            let expected = n * (n + 1) / 2;
            assert_eq!(block_on(sum_static(Count(0, n))), expected);
            let mut it = Count(0, n);
            {
                let mut d = DynAsyncIterator::new(&mut it);
                assert_eq!(block_on(sum_dyn(&mut d)), expected);
            }
            let mut d = DynAsyncIterator::with_strategy(&mut it, Boxed::new());
            assert_eq!(block_on(sum_dyn(&mut d)), 0, "the borrowed iterator is exhausted");
        }
    }

    #[test]
    fn the_wrapper_implements_the_trait() {
        let mut it = Count(0, 4);
        assert_eq!(block_on(sum_static(DynAsyncIterator::new(&mut it))), 10);
    }

    #[test]
    fn owned_wrappers() {
        let mut owned = DynAsyncIterator::boxed(Count(0, 3));
        assert!(owned.is_owned());
        assert_eq!(block_on(sum_dyn(&mut owned)), 6);
        let mut slot = dynptr::__private::ReceiverSlot::new();
        let mut in_slot = DynAsyncIterator::in_slot(&mut slot, Count(0, 5));
        assert!(in_slot.is_owned());
        assert_eq!(block_on(sum_dyn(&mut in_slot)), 15);
    }
}
