//! Generic methods whose type parameters stand for one argument each, bounded by a
//! standard trait that `#[dyn_trait]` adapts, go through the vtable like `impl Trait`
//! arguments: `fn put<V: Into<String>>(&self, v: V)` is `v: impl Into<String>`. Other
//! generic methods stay outside the vtable (see `partial.rs`).

use core::future::Future;

use dynptr::{dyn_trait, Boxed};
use dynptr_core::testkit::block_on;

#[dyn_trait]
trait Store {
    fn put<V: Into<String>>(&mut self, v: V) -> usize;
    fn extend<I>(&mut self, items: I) -> usize
    where
        I: Iterator<Item = u32>;
    fn each<F: FnMut(&str)>(&self, f: F);
    fn once<F>(&self, f: F) -> u32
    where
        F: FnOnce(u32) -> u32 + Send;
    async fn wait<Fut: Future<Output = u32>>(&self, fut: Fut) -> u32;
    fn sum_ref<I: Iterator<Item = u32>>(&self, items: &mut I) -> u32;
    // Not adapted (two uses of `T`, a non-adapted bound): outside the vtable, default
    // inherited.
    fn same<T: Into<String>>(&self, a: T, b: T) -> bool {
        a.into() == b.into()
    }
    fn cloned<T: Clone>(&self, t: &T) -> T {
        t.clone()
    }
}

#[derive(Default)]
struct Mem {
    strings: Vec<String>,
    numbers: Vec<u32>,
}

impl Store for Mem {
    fn put<V: Into<String>>(&mut self, v: V) -> usize {
        self.strings.push(v.into());
        self.strings.len()
    }
    fn extend<I>(&mut self, items: I) -> usize
    where
        I: Iterator<Item = u32>,
    {
        self.numbers.extend(items);
        self.numbers.len()
    }
    fn each<F: FnMut(&str)>(&self, mut f: F) {
        for s in &self.strings {
            f(s);
        }
    }
    fn once<F>(&self, f: F) -> u32
    where
        F: FnOnce(u32) -> u32 + Send,
    {
        f(self.numbers.len() as u32)
    }
    async fn wait<Fut: Future<Output = u32>>(&self, fut: Fut) -> u32 {
        fut.await + 1
    }
    fn sum_ref<I: Iterator<Item = u32>>(&self, items: &mut I) -> u32 {
        items.take(2).sum()
    }
}

#[test]
fn generic_methods_go_through_the_vtable() {
    let mut mem = Mem::default();
    let mut d = DynStore::<Boxed>::new(&mut mem);
    assert_eq!(d.put("a"), 1);
    assert_eq!(d.put(String::from("b")), 2);
    assert_eq!(d.extend([1, 2, 3].into_iter()), 3);
    let mut seen = String::new();
    d.each(|s| seen.push_str(s));
    assert_eq!(seen, "ab");
    assert_eq!(d.once(|n| n * 10), 30);
    assert_eq!(block_on(d.wait(async { 41 })), 42);
    let mut it = 5..;
    assert_eq!(d.sum_ref(&mut it), 11);
    assert_eq!(it.next(), Some(7));
    // Outside the vtable: the wrapper inherits the defaults.
    assert!(d.same("x", "x"));
    assert_eq!(d.cloned(&7u8), 7);
    drop(d);
    assert_eq!(mem.strings, ["a", "b"]);
    assert_eq!(mem.numbers, [1, 2, 3]);
}

/// Under `(Send)`: bounds in `where` clauses, `&F` of a `Fn`, a generic future argument
/// of an `async fn`, a generic argument of an eager `-> impl Future + Send`.
#[dyn_trait(Send)]
trait SendGeneric: Sync {
    fn put<V>(&self, v: V) -> usize
    where
        V: Into<String> + Send;
    fn each<F: Fn(u32) -> u32 + Sync>(&self, f: &F) -> u32;
    async fn wait<Fu: Future<Output = u8>>(&self, f: Fu) -> u8;
    fn later<V: Into<String>>(&self, v: V) -> impl Future<Output = usize> + Send;
}

struct X;

impl SendGeneric for X {
    fn put<V>(&self, v: V) -> usize
    where
        V: Into<String> + Send,
    {
        v.into().len()
    }
    fn each<F: Fn(u32) -> u32 + Sync>(&self, f: &F) -> u32 {
        f(2)
    }
    async fn wait<Fu: Future<Output = u8>>(&self, f: Fu) -> u8 {
        f.await + 1
    }
    fn later<V: Into<String>>(&self, v: V) -> impl Future<Output = usize> + Send {
        let n = v.into().len();
        async move { n }
    }
}

#[test]
fn generic_methods_under_send() {
    let x = X;
    let d = DynSendGeneric::<Boxed>::from_ref(&x);
    assert_eq!(d.put("abc"), 3);
    assert_eq!(d.each(&|n| n * 5), 10);
    assert_eq!(block_on(d.wait(async { 4 })), 5);
    assert_eq!(block_on(d.later("ab")), 2);
    std::thread::scope(|s| {
        assert_eq!(s.spawn(|| d.put("four")).join().unwrap(), 4);
    });
}
