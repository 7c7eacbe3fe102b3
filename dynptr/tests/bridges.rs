//! `#[dyn_trait(bridge)]` (dynosaur's `bridge(blanket)`): the trait for `&T`, `&mut T`,
//! `Box<T>` and `Arc<T>` of an implementor where the receivers allow, so that those (and
//! `Arc<DynStore<'static>>`, as object_store's `Arc<dyn ObjectStore>`) go where
//! `impl Store` does.

extern crate alloc;

use alloc::sync::Arc;

use dynptr::dyn_trait;
use dynptr_core::testkit::block_on;

#[dyn_trait(Send, bridge)]
trait Store: Sync {
    type Key;
    const NAME: &'static str;
    async fn get(&self, key: u32) -> Option<u32>;
    fn keys(&self) -> impl Iterator<Item = u32> + Send;
    fn label() -> &'static str
    where
        Self: Sized;
    async fn described(&self) -> String {
        String::from("default")
    }
}

struct Mem(Vec<u32>);

impl Store for Mem {
    type Key = u32;
    const NAME: &'static str = "mem";
    async fn get(&self, key: u32) -> Option<u32> {
        self.0.get(key as usize).copied()
    }
    fn keys(&self) -> impl Iterator<Item = u32> + Send {
        0..self.0.len() as u32
    }
    fn label() -> &'static str {
        "Mem"
    }
    async fn described(&self) -> String {
        format!("mem of {}", self.0.len())
    }
}

async fn total<S: Store>(s: S) -> (u32, String) {
    let mut sum = 0;
    for k in s.keys() {
        sum += s.get(k).await.unwrap_or(0);
    }
    (sum, s.described().await)
}

fn name_of<S: Store>(_: &S) -> &'static str {
    S::NAME
}

#[test]
fn shared_bridges() {
    let mem = Mem(vec![1, 2, 3]);
    assert_eq!(block_on(total(&mem)), (6, "mem of 3".into()));
    let mut mem = mem;
    assert_eq!(block_on(total(&mut mem)), (6, "mem of 3".into()));
    assert_eq!(block_on(total(Box::new(Mem(vec![4])))), (4, "mem of 1".into()));
    let arc = Arc::new(Mem(vec![5, 5]));
    assert_eq!(block_on(total(Arc::clone(&arc))), (10, "mem of 2".into()));
    // The implementor's items, not the defaults.
    assert_eq!(name_of(&&mem), "mem");
    assert_eq!(<&Mem as Store>::label(), "Mem");
    assert_eq!(<Arc<Mem> as Store>::NAME, "mem");
}

#[test]
fn arc_of_the_wrapper_goes_where_impl_store_does() {
    let store: Arc<DynStore<'static, u32>> = Arc::new(DynStore::boxed(Mem(vec![7, 8])));
    assert_eq!(block_on(total(Arc::clone(&store))), (15, "mem of 2".into()));
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let s = Arc::clone(&store);
            std::thread::spawn(move || block_on(s.get(1)))
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), Some(8));
    }
}

/// `&mut self` methods: `&mut T` and `Box<T>` only; by-value `self`: `Box<T>` only.
#[dyn_trait(bridge)]
trait Counter {
    fn bump(&mut self) -> u32;
    fn peek(&self) -> u32;
}

#[dyn_trait(bridge(blanket))]
trait Consume {
    fn finish(self) -> u32;
    fn size(&self) -> u32;
}

struct C(u32);

impl Counter for C {
    fn bump(&mut self) -> u32 {
        self.0 += 1;
        self.0
    }
    fn peek(&self) -> u32 {
        self.0
    }
}

impl Consume for C {
    fn finish(self) -> u32 {
        self.0 * 10
    }
    fn size(&self) -> u32 {
        1
    }
}

fn bump_twice<T: Counter>(mut t: T) -> u32 {
    t.bump();
    t.bump()
}

#[test]
fn exclusive_and_by_value_bridges() {
    let mut c = C(0);
    assert_eq!(bump_twice(&mut c), 2);
    assert_eq!(bump_twice(Box::new(C(5))), 7);
    assert_eq!(c.peek(), 2);
    fn finish<T: Consume>(t: T) -> u32 {
        t.size() + t.finish()
    }
    assert_eq!(finish(Box::new(C(3))), 31);
    static_assertions::assert_not_impl_any!(&'static C: Counter, Consume);
    static_assertions::assert_not_impl_any!(&'static mut C: Consume);
    static_assertions::assert_impl_all!(&'static mut C: Counter);
}

/// `DynFoo::from_arc`: a wrapper sharing its receiver through an `Arc` (every method
/// takes `&self`), `'static` when the value is, next to the `Arc`'s other owners.
mod from_arc {
    use alloc::sync::Arc;
    use core::sync::atomic::{AtomicU32, Ordering};

    use dynptr::{dyn_trait, Boxed};
    use dynptr_core::testkit::block_on;

    #[dyn_trait(Send)]
    pub(crate) trait Counter: Sync {
        async fn bump(&self, by: u32) -> u32;
        fn get(&self) -> u32;
    }

    struct Shared(AtomicU32);

    impl Counter for Shared {
        async fn bump(&self, by: u32) -> u32 {
            self.0.fetch_add(by, Ordering::SeqCst) + by
        }
        fn get(&self) -> u32 {
            self.0.load(Ordering::SeqCst)
        }
    }

    fn is_static_send<T: 'static + Send + Sync>(_: &T) {}

    #[test]
    fn the_wrapper_shares_the_arc() {
        let arc = Arc::new(Shared(AtomicU32::new(1)));
        let d = DynCounter::from_arc(Arc::clone(&arc));
        is_static_send(&d);
        assert_eq!(Arc::strong_count(&arc), 2);
        assert_eq!(block_on(d.bump(2)), 3);
        // The other owner sees it; a clone of the wrapper's `Arc` shares the value too.
        assert_eq!(arc.get(), 3);
        let again = Arc::clone(d.arc());
        assert_eq!(Arc::strong_count(&arc), 3);
        let e = DynCounter::from_arc_with_strategy(Arc::clone(&arc), Boxed::new());
        assert_eq!(block_on(e.bump(4)), 7);
        drop((d, e, again));
        assert_eq!(Arc::strong_count(&arc), 1);
        // Across threads: the wrapper is `Send` and the value `Sync`.
        let d = DynCounter::from_arc(Arc::clone(&arc));
        std::thread::spawn(move || block_on(d.bump(10))).join().unwrap();
        assert_eq!(arc.get(), 17);
    }
}
