//! `#[dyn_trait(Send)]` adds the bounds a `Send` future needs, as async-trait does, so
//! that implementors and default bodies compile without writing them: `X: Sync` for a
//! `&X` argument naming a type parameter (or `Self`), `X: Send` for `&mut X` and `X`,
//! and `Self: Sync` (`Send` for `&mut self`) on default bodies. Default bodies coerce
//! their value to the declared output, and declarations may keep argument patterns.

use dynptr::{dyn_trait, Boxed};
use dynptr_core::testkit::block_on;

#[dyn_trait(Send)]
trait Generic<T> {
    async fn take_ref(&self, thing: &T) -> usize;
    async fn take_mut(&mut self, thing: &mut T) -> usize;
    // The default body holds `&self` across no await, but its future is `Send` only
    // with `Self: Sync`, which the macro adds.
    async fn describe(&self) -> &'static str {
        let _me: &Self = self;
        "generic"
    }
}

struct One;

// No `T: Sync` / `T: Send` here: the trait's `where` clauses provide them.
impl<T> Generic<T> for One {
    async fn take_ref(&self, thing: &T) -> usize {
        let _keep = thing;
        core::mem::size_of::<T>()
    }
    async fn take_mut(&mut self, thing: &mut T) -> usize {
        let _keep = thing;
        1
    }
}

trait Ret {
    fn value(&self) -> u32;
}

struct Thing;

impl Ret for Thing {
    fn value(&self) -> u32 {
        5
    }
}

#[dyn_trait(Send)]
trait Coerce {
    // async-trait's issue 149: the default's `&Thing` coerces to `&dyn Ret`.
    async fn ret(&self) -> &dyn Ret {
        &Thing
    }
    // ... also through `return`.
    async fn early(&self, early: bool) -> &dyn Ret {
        if early {
            return &Thing;
        }
        &Thing
    }
    // async-trait's issue 226: patterns in a declaration.
    async fn tuple(&self, (left, right): (u8, u8)) -> u8;
}

impl Coerce for One {
    async fn tuple(&self, (left, right): (u8, u8)) -> u8 {
        left + right
    }
}

fn assert_send<F: Send>(f: F) -> F {
    f
}

#[test]
fn send_bounds_are_inferred() {
    let mut one = One;
    let mut d = DynGeneric::<u64>::new(&mut one);
    assert_eq!(block_on(assert_send(d.take_ref(&7))), 8);
    assert_eq!(block_on(assert_send(d.take_mut(&mut 7))), 1);
    assert_eq!(block_on(assert_send(d.describe())), "generic");
    let o = One;
    let c = DynCoerce::<Boxed>::from_ref(&o);
    assert_eq!(block_on(assert_send(c.ret())).value(), 5);
    assert_eq!(block_on(c.tuple((2, 3))), 5);
    assert_eq!(block_on(c.early(true)).value(), 5);
    assert_eq!(block_on(c.early(false)).value(), 5);
}

/// Generic code over the strategy of a `(Send)` wrapper writes one bound.
async fn through<S: dynptr::SendStrategy>(d: &DynCoerce<'_, S>) -> u8 {
    d.tuple((1, 1)).await
}

fn spawn_with<S: dynptr::SendStrategy + 'static>(d: DynCoerce<'static, S>) -> std::thread::JoinHandle<u8> {
    std::thread::spawn(move || block_on(through(&d)))
}

#[test]
fn one_bound_for_generic_send_code() {
    let o = One;
    let c = DynCoerce::<Boxed>::from_ref(&o);
    assert_eq!(block_on(through(&c)), 2);
    assert_eq!(spawn_with(DynCoerce::<Boxed>::boxed(One)).join().unwrap(), 2);
}

/// A `Send` (or `Send + Sync`) supertrait under plain `#[dyn_trait]`: the wrapper is
/// `Send` (and `Sync`) and implements the trait.
#[dyn_trait]
trait SendSuper: Send {
    async fn f(&self) -> u8;
    fn g(&mut self) -> u8;
}

#[dyn_trait]
trait SyncSuper: Send + Sync {
    async fn f(&self) -> u8;
}

impl SendSuper for One {
    async fn f(&self) -> u8 {
        1
    }
    fn g(&mut self) -> u8 {
        2
    }
}

impl SyncSuper for One {
    async fn f(&self) -> u8 {
        3
    }
}

#[test]
fn send_supertraits_under_plain_dyn_trait() {
    fn needs_send<T: SendSuper>(t: &mut T) -> u8 {
        block_on(t.f()) + t.g()
    }
    fn needs_sync<T: SyncSuper>(t: &T) -> u8 {
        block_on(t.f())
    }
    let mut one = One;
    let mut d = DynSendSuper::<Boxed>::new(&mut one);
    assert_eq!(needs_send(&mut d), 3);
    let one = One;
    let b = DynSyncSuper::<Boxed>::from_ref(&one);
    std::thread::scope(|s| {
        assert_eq!(s.spawn(|| needs_sync(&b)).join().unwrap(), 3);
    });
}
