//! Partially dyn-compatible traits: items that cannot go through a vtable (no `self`,
//! `Self` by value, type parameters, `where Self: Sized`, associated constants) no
//! longer refuse the trait. The trait compiles as written, static dispatch is untouched,
//! and the wrapper offers every dispatchable method (inheriting defaults); using an item
//! without a default on the wrapper fails to compile (`tests/ui/outside_*.rs`).

use dynptr::{dyn_trait, Boxed};
use futures::executor::block_on;

/// The example: an `async fn` without `self` next to a dispatchable one.
#[dyn_trait(Send)]
trait Repo {
    async fn open(path: &str) -> u32;
    async fn get(&self, key: u32) -> u32;
}

struct Mem(u32);

impl Repo for Mem {
    async fn open(path: &str) -> u32 {
        path.len() as u32
    }
    async fn get(&self, key: u32) -> u32 {
        self.0 + key
    }
}

#[test]
fn a_method_without_self_leaves_the_rest_dispatchable() {
    // Static dispatch of the method outside the vtable is untouched.
    assert_eq!(block_on(<Mem as Repo>::open("abcd")), 4);
    let mut mem = Mem(10);
    let d = DynRepo::with_strategy(&mut mem, Boxed::new());
    assert_eq!(block_on(d.get(5)), 15);
    // The wrapper still implements the trait (generic code over `impl Repo` takes it).
    async fn through<R: Repo>(r: &R) -> u32 {
        r.get(1).await
    }
    assert_eq!(block_on(through(&d)), 11);
}

/// Every kind of item outside the vtable, with and without defaults.
#[dyn_trait]
trait Shape {
    const SIDES: u32;
    const NAME: &'static str = "shape";
    fn new_unit() -> Self
    where
        Self: Sized;
    fn unit_area() -> u32 {
        1
    }
    fn same_as(&self, other: Self) -> bool
    where
        Self: Sized;
    fn scaled<F: Into<u32>>(&self, factor: F) -> u32;
    fn twice(&self) -> Self
    where
        Self: Sized;
    fn area(&self) -> u32;
    async fn perimeter(&mut self) -> u32;
    fn describe(&self) -> String {
        format!("{} with {} sides", Self::NAME, self.area())
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
struct Square(u32);

impl Shape for Square {
    const SIDES: u32 = 4;
    fn new_unit() -> Self {
        Square(1)
    }
    fn same_as(&self, other: Self) -> bool {
        *self == other
    }
    fn scaled<F: Into<u32>>(&self, factor: F) -> u32 {
        self.0 * factor.into()
    }
    fn twice(&self) -> Self {
        Square(self.0 * 2)
    }
    fn area(&self) -> u32 {
        self.0 * self.0
    }
    async fn perimeter(&mut self) -> u32 {
        4 * self.0
    }
}

#[test]
fn every_kind_of_item_outside_the_vtable() {
    // Static dispatch, as written.
    assert_eq!(Square::SIDES, 4);
    assert_eq!(Square::new_unit(), Square(1));
    assert!(Square(2).same_as(Square(2)));
    assert_eq!(Square(3).scaled(2u8), 6);
    assert_eq!(Square(3).twice(), Square(6));
    assert_eq!(<Square as Shape>::unit_area(), 1);

    // Through the wrapper: the dispatchable methods, and the defaults.
    let mut sq = Square(3);
    let mut d = DynShape::with_strategy(&mut sq, Boxed::new());
    assert_eq!(d.area(), 9);
    assert_eq!(block_on(d.perimeter()), 12);
    assert_eq!(<DynShape<'_> as Shape>::NAME, "shape");
    assert_eq!(<DynShape<'_> as Shape>::unit_area(), 1);
    // A default body runs on the wrapper, calling the receiver through the vtable.
    assert_eq!(d.describe(), "shape with 9 sides");
}

/// Trait-level `where` predicates on `Self` (async-trait's issue 44): they bind every
/// implementor and the wrapper (which meets them), not the erased trait.
mod self_predicates {
    use dynptr::dyn_trait;
    use dynptr_core::testkit::block_on;

    #[dyn_trait(Send)]
    pub(crate) trait StaticWithWhereSelf
    where
        Box<Self>: Sized,
        Self: Sized + Send,
    {
        async fn get_one() -> u8 {
            1
        }
        async fn get_two(&self) -> u8;
    }

    struct Two;

    impl StaticWithWhereSelf for Two {
        async fn get_two(&self) -> u8 {
            2
        }
    }

    #[test]
    fn self_predicates_stay_on_implementors_and_the_wrapper() {
        assert_eq!(block_on(<Two as StaticWithWhereSelf>::get_one()), 1);
        let two = Two;
        let d = DynStaticWithWhereSelf::<dynptr::Boxed>::from_ref(&two);
        assert_eq!(block_on(d.get_two()), 2);
        // The wrapper inherits the default of the method outside the vtable.
        assert_eq!(
            block_on(<DynStaticWithWhereSelf<'_> as StaticWithWhereSelf>::get_one()),
            1
        );
    }
}

/// An `async fn` whose output nests an `impl Trait` (async-trait's issue 281) stays out of
/// the vtable; with a default body the wrapper inherits it.
mod nested_impl_output {
    use dynptr::dyn_trait;
    use dynptr_core::testkit::block_on;

    #[dyn_trait(Send)]
    pub(crate) trait Named {
        type Error;
        async fn method(&self) -> Result<impl AsRef<str> + Send + Sync, Self::Error> {
            Ok("default")
        }
        fn names(&self) -> Option<impl Iterator<Item = u8>> {
            Some(0..3)
        }
        async fn id(&self) -> u32;
    }

    struct T;

    impl Named for T {
        type Error = ();
        async fn method(&self) -> Result<impl AsRef<str> + Send + Sync, Self::Error> {
            Ok(String::from("mine"))
        }
        async fn id(&self) -> u32 {
            9
        }
    }

    #[test]
    fn nested_impl_outputs_stay_static() {
        assert_eq!(block_on(T.method()).unwrap().as_ref(), "mine");
        let t = T;
        let d = DynNamed::<()>::from_ref(&t);
        assert_eq!(block_on(d.id()), 9);
        assert_eq!(block_on(d.method()).unwrap().as_ref(), "default");
        assert_eq!(d.names().unwrap().sum::<u8>(), 3);
    }
}

/// Traits the wrapper cannot implement still compile as written, and the wrapper offers
/// their vtable's methods as its own: an `unsafe trait` without `unsafe(forward)` (the
/// impl would promise its contract), and a method returning `impl Trait` outside the
/// vtable without a default (no body can stand for it on the wrapper).
mod wrapper_without_impl {
    use dynptr::{dyn_trait, Boxed};
    use dynptr_core::testkit::block_on;
    use static_assertions::{assert_impl_all, assert_not_impl_any};

    /// # Safety
    /// `size` is the implementor's size in bytes.
    #[dyn_trait]
    pub(crate) unsafe trait Pod {
        fn size(&self) -> usize;
        async fn bytes(&mut self, n: usize) -> usize;
    }

    struct Word(u64);

    // SAFETY: `size` is the size of `Word`.
    unsafe impl Pod for Word {
        fn size(&self) -> usize {
            core::mem::size_of::<Self>()
        }
        async fn bytes(&mut self, n: usize) -> usize {
            self.0 += n as u64;
            self.0 as usize
        }
    }

    // async-trait's issue 281, without a default body.
    #[dyn_trait(Send)]
    pub(crate) trait Named {
        type Error;
        async fn method(&self) -> Result<impl AsRef<str> + Send + Sync, Self::Error>;
        async fn id(&self) -> u32;
    }

    struct T;

    impl Named for T {
        type Error = u8;
        async fn method(&self) -> Result<impl AsRef<str> + Send + Sync, Self::Error> {
            Ok("mine")
        }
        async fn id(&self) -> u32 {
            7
        }
    }

    assert_not_impl_any!(DynPod<'static>: Pod);
    assert_not_impl_any!(DynNamed<'static, u8>: Named);
    // Their implementors keep them.
    assert_impl_all!(Word: Pod);
    assert_impl_all!(T: Named);

    #[test]
    fn the_wrapper_offers_the_vtable_methods_as_its_own() {
        let mut w = Word(40);
        let mut d = DynPod::with_strategy(&mut w, Boxed::new());
        assert_eq!(d.size(), 8);
        assert_eq!(block_on(d.bytes(2)), 42);
        drop(d);
        assert_eq!(w.0, 42);

        let t = T;
        let d = DynNamed::<u8>::from_ref(&t);
        assert_eq!(block_on(d.id()), 7);
        // The method outside the vtable stays with static dispatch.
        assert_eq!(block_on(t.method()).unwrap().as_ref(), "mine");
    }
}

/// A standard supertrait the wrapper does not forward (`Future`, `Iterator`, `Hash`):
/// the trait compiles (async-trait's issue 2), and the wrapper implements it where the
/// user implements the supertrait for the wrapper.
mod standard_supertraits {
    use core::hash::{Hash, Hasher};
    use dynptr::{dyn_trait, Boxed, Strategy};
    use static_assertions::{assert_impl_all, assert_not_impl_any};

    #[dyn_trait]
    pub(crate) trait Keyed: Hash {
        fn key(&self) -> u32;
    }

    #[allow(dead_code)] // the trait's point is that it compiles
    #[dyn_trait(Send)]
    pub(crate) trait Polled: core::future::Future {
        fn ready(&self) -> bool;
    }

    #[derive(Hash)]
    struct K(u32);

    impl Keyed for K {
        fn key(&self) -> u32 {
            self.0
        }
    }

    // Hashing a `DynKeyed` hashes its key: now the wrapper implements `Keyed`.
    impl<'a, S: Strategy, R> Hash for DynKeyed<'a, S, R>
    where
        R: dynptr::__private::HoldsRef<dyn ErasedKeyed<S> + 'a>,
    {
        fn hash<H: Hasher>(&self, state: &mut H) {
            self.key().hash(state)
        }
    }

    assert_impl_all!(DynKeyed<'static>: Keyed, Hash);
    assert_not_impl_any!(DynPolled<'static>: Polled);

    fn key_of(k: &impl Keyed) -> u32 {
        k.key()
    }

    #[test]
    fn the_wrapper_implements_the_trait_once_it_has_the_supertrait() {
        let k = K(5);
        let d = DynKeyed::from_ref_with_strategy(&k, Boxed::new());
        assert_eq!(key_of(&d), 5);
    }
}
