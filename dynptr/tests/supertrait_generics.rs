//! `#[dyn_trait]` supertraits with generic parameters and associated types:
//! `trait Feed: Source<Item = u32> + Keyed<String>`. The wrapper of `Feed` implements
//! each with the arguments the bound gives (bindings matched by name), and the erased
//! trait of `Feed` extends theirs.

use dynptr::{dyn_trait, Boxed};
use dynptr_core::testkit::block_on;

#[dyn_trait]
trait Source {
    type Item;
    async fn next(&mut self) -> Option<Self::Item>;
}

#[dyn_trait]
trait Keyed<K> {
    fn key(&self) -> K;
}

#[dyn_trait]
trait Feed: Source<Item = u32> + Keyed<String> {
    fn rewind(&mut self) -> u32;
}

struct Count {
    at: u32,
    end: u32,
}

impl Source for Count {
    type Item = u32;
    async fn next(&mut self) -> Option<u32> {
        (self.at < self.end).then(|| {
            self.at += 1;
            self.at
        })
    }
}

impl Keyed<String> for Count {
    fn key(&self) -> String {
        format!("count-{}", self.end)
    }
}

impl Feed for Count {
    fn rewind(&mut self) -> u32 {
        core::mem::replace(&mut self.at, 0)
    }
}

async fn sum(s: &mut impl Source<Item = u32>) -> u32 {
    let mut total = 0;
    while let Some(v) = s.next().await {
        total += v;
    }
    total
}

fn key_of<K>(k: &impl Keyed<K>) -> K {
    k.key()
}

#[test]
fn the_wrapper_implements_generic_supertraits() {
    let mut c = Count { at: 0, end: 3 };
    let mut d = DynFeed::with_strategy(&mut c, Boxed::new());
    assert_eq!(key_of(&d), "count-3");
    assert_eq!(block_on(d.next()), Some(1));
    assert_eq!(d.rewind(), 1);
    // Generic code over the supertrait, with its associated type, takes the wrapper.
    assert_eq!(block_on(sum(&mut d)), 1 + 2 + 3);
    assert_eq!(d.rewind(), 3);
    drop(d);
    assert_eq!(c.at, 0);
}
