//! `#[sealed(Trait)]`: an enum over a closed set of implementors implements the trait by
//! matching on its variant, with no vtable and no allocation, and mixes with dyn.

use dynptr::{dyn_trait, sealed, Strategy};
use dynptr_core::testkit::{block_on, thread_allocations};

pub(crate) mod iters {
    use super::*;

    #[dyn_trait]
    pub(crate) trait AsyncIterator {
        type Item;
        async fn next(&mut self) -> Option<Self::Item>;
        fn remaining(&self) -> impl Iterator<Item = Self::Item>;
        fn describe(&self) -> impl core::fmt::Display;
        fn into_label(self) -> String;
        async fn skip_while(&mut self, pred: impl Fn(&Self::Item) -> bool) -> usize;
    }

    pub(crate) struct Count(pub(crate) u32, pub(crate) u32);
    impl AsyncIterator for Count {
        type Item = u32;
        async fn next(&mut self) -> Option<u32> {
            (self.0 < self.1).then(|| {
                self.0 += 1;
                self.0
            })
        }
        fn remaining(&self) -> impl Iterator<Item = u32> {
            self.0 + 1..=self.1
        }
        fn describe(&self) -> impl core::fmt::Display {
            format!("count {}..{}", self.0, self.1)
        }
        fn into_label(self) -> String {
            "count".into()
        }
        async fn skip_while(&mut self, pred: impl Fn(&u32) -> bool) -> usize {
            let mut n = 0;
            while self.0 < self.1 && pred(&(self.0 + 1)) {
                self.0 += 1;
                n += 1;
            }
            n
        }
    }

    pub(crate) struct Repeat(pub(crate) u32, pub(crate) usize);
    impl AsyncIterator for Repeat {
        type Item = u32;
        async fn next(&mut self) -> Option<u32> {
            self.1 = self.1.checked_sub(1)?;
            Some(self.0)
        }
        fn remaining(&self) -> impl Iterator<Item = u32> {
            core::iter::repeat_n(self.0, self.1)
        }
        fn describe(&self) -> impl core::fmt::Display {
            self.0
        }
        fn into_label(self) -> String {
            "repeat".into()
        }
        async fn skip_while(&mut self, pred: impl Fn(&u32) -> bool) -> usize {
            let mut n = 0;
            while self.1 > 0 && pred(&self.0) {
                self.1 -= 1;
                n += 1;
            }
            n
        }
    }
}

use iters::{AsyncIterator, Count, DynAsyncIterator, Repeat};

#[sealed(iters::AsyncIterator)]
enum AnyIter {
    Count(Count),
    Repeat(Repeat),
}

async fn sum_static(mut v: impl AsyncIterator<Item = u32>) -> u32 {
    let mut t = 0;
    while let Some(i) = v.next().await {
        t += i;
    }
    t
}

async fn sum_dyn<S: Strategy>(v: &mut DynAsyncIterator<'_, u32, S>) -> u32 {
    let mut t = 0;
    while let Some(i) = v.next().await {
        t += i;
    }
    t
}

#[global_allocator]
static GLOBAL: dynptr_core::testkit::CountingGlobalAllocator = dynptr_core::testkit::CountingGlobalAllocator;

#[test]
fn the_enum_implements_the_trait_without_allocating() {
    let before = thread_allocations();
    let a: AnyIter = Count(0, 4).into();
    let b: AnyIter = Repeat(7, 3).into();
    assert_eq!(block_on(sum_static(a)), 10);
    assert_eq!(block_on(sum_static(b)), 21);
    let mut c = AnyIter::from(Count(0, 5));
    assert_eq!(block_on(c.skip_while(|x| *x < 3)), 2);
    assert_eq!(c.remaining().sum::<u32>(), 3 + 4 + 5);
    assert_eq!(thread_allocations(), before, "no allocation on any sealed path");
    assert_eq!(c.describe().to_string(), "count 2..5");
    assert_eq!(AnyIter::from(Repeat(1, 1)).into_label(), "repeat");
}

#[test]
fn sealed_and_dyn_mix() {
    // The trait has a by-value method, so the wrapper owns its receiver.
    let mut d = DynAsyncIterator::boxed(AnyIter::from(Repeat(2, 5)));
    assert_eq!(block_on(sum_dyn(&mut d)), 10);
}
