//! A wrapper's default parameters are public names (what rustdoc shows on `DynFoo`'s
//! page): `S = DefaultStrategy` (`Boxed`) and `R = DefaultHolder<DynFoo<'a, .., S, ()>>`,
//! which is the holder the constructors build: a `Holder` (an exclusive borrow), a
//! `SharedHolder` (every method takes `&self`) or an `OwnedHolder` (a method takes `self`).

use dynptr::storage::{DefaultHolder, Holder, SharedHolder};
use dynptr::{dyn_trait, Boxed, DefaultStrategy, Strategy};
use dynptr_core::testkit::block_on;
use dynptr_core::OwnedHolder;
use static_assertions::assert_type_eq_all;

#[dyn_trait]
trait Counter {
    async fn next(&mut self) -> u32;
}

#[dyn_trait]
trait Reader<T> {
    fn get(&self) -> T;
}

#[dyn_trait]
trait Consume {
    fn finish(self) -> u32;
}

assert_type_eq_all!(DefaultStrategy, Boxed);
assert_type_eq_all!(
    DynCounter<'static>,
    DynCounter<'static, Boxed>,
    DynCounter<'static, Boxed, DefaultHolder<DynCounter<'static, Boxed, ()>>>,
    DynCounter<'static, Boxed, Holder<'static, dyn ErasedCounter<Boxed> + 'static>>
);
assert_type_eq_all!(
    DynReader<'static, u8>,
    DynReader<'static, u8, Boxed, SharedHolder<'static, dyn ErasedReader<u8, Boxed> + 'static>>
);
assert_type_eq_all!(
    DynConsume<'static>,
    DynConsume<'static, Boxed, OwnedHolder<'static, dyn ErasedConsume<Boxed> + 'static>>
);

struct Up(u32);

impl Reader<u8> for Up {
    fn get(&self) -> u8 {
        self.0 as u8
    }
}

impl Consume for Up {
    fn finish(self) -> u32 {
        self.0 * 10
    }
}

impl Counter for Up {
    async fn next(&mut self) -> u32 {
        self.0 += 1;
        self.0
    }
}

/// Generic over the strategy, with `R` left to its default: the projection normalizes
/// wherever `S` is generic.
async fn twice<'a, S: Strategy>(c: &mut DynCounter<'a, S>) -> u32 {
    c.next().await + c.next().await
}

#[test]
fn defaults_are_what_the_constructors_build() {
    let mut up = Up(0);
    {
        let mut c: DynCounter<'_> = DynCounter::new(&mut up);
        assert_eq!(block_on(twice(&mut c)), 3);
    }
    {
        let mut c: DynCounter<'_, dynptr_stack::Inline<64>> =
            DynCounter::with_strategy(&mut up, dynptr_stack::Inline::new());
        assert_eq!(block_on(twice(&mut c)), 7);
    }
    assert_eq!(up.0, 4);
    {
        let r: DynReader<'_, u8> = DynReader::from_ref(&up);
        assert_eq!(r.get(), 4);
    }
    let c: DynConsume<'_> = DynConsume::boxed(up);
    assert_eq!(c.finish(), 40);
}
