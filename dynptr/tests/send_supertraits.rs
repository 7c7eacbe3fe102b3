//! `(Send)` traits over `(Send)` supertraits (async-trait's issue 92, found by porting
//! its tests): the supertrait's futures borrow the wrapper, so its impl for the
//! wrapper needs the same `Send`/`Sync` receiver as the supertrait's own wrapper; and a
//! trait whose own methods are not `&self` still asks `Sync` of its implementors when
//! a supertrait's erased form does.

use dynptr::{dyn_trait, Boxed};
use dynptr_core::testkit::block_on;

#[dyn_trait(Send)]
trait Named {
    async fn name(&self) -> String;
}

/// Own methods `&self`, like the supertrait's.
#[dyn_trait(Send)]
trait Greeter: Named {
    async fn greet(&self) -> String;
}

/// No `&self` method of its own: a no-self one (outside the vtable) and a `&mut self`.
#[dyn_trait(Send)]
trait Counter: Named {
    async fn make() -> u32
    where
        Self: Sized,
    {
        7
    }
    async fn bump(&mut self) -> u32;
}

struct Bot(u32);

impl Named for Bot {
    async fn name(&self) -> String {
        format!("bot{}", self.0)
    }
}

impl Greeter for Bot {
    async fn greet(&self) -> String {
        format!("hello from {}", self.name().await)
    }
}

impl Counter for Bot {
    async fn bump(&mut self) -> u32 {
        self.0 += 1;
        self.0
    }
}

fn assert_send<T: Send>(t: T) -> T {
    t
}

#[test]
fn a_send_trait_over_a_send_supertrait() {
    let mut bot = Bot(1);
    {
        let g = DynGreeter::new(&mut bot);
        // Both traits' futures through the wrapper are `Send`.
        let both = assert_send(async { (g.name().await, g.greet().await) });
        assert_eq!(block_on(both), ("bot1".to_owned(), "hello from bot1".to_owned()));
    }

    let mut c: DynCounter<'_, Boxed> = DynCounter::new(&mut bot);
    let n = block_on(assert_send(async { c.bump().await + c.bump().await }));
    assert_eq!(n, 2 + 3);
    assert_eq!(block_on(assert_send(c.name())), "bot3");
    assert_eq!(block_on(<Bot as Counter>::make()), 7);
}
