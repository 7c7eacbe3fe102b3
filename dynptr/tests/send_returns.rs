//! `-> impl Future<Output = T> + Send` and `-> impl Iterator + Send` under plain
//! `#[dyn_trait]`: what `trait_variant::make` writes.

extern crate alloc;

use core::future::Future;

use dynptr::{dyn_trait, Boxed};

#[dyn_trait]
trait Fetch {
    fn fetch(&self, key: u32) -> impl Future<Output = u32> + Send;
    fn keys(&self) -> impl Iterator<Item = u32> + Send;
}

struct Table(Vec<u32>);

impl Fetch for Table {
    fn fetch(&self, key: u32) -> impl Future<Output = u32> + Send {
        let v = self.0[key as usize];
        async move { v }
    }
    fn keys(&self) -> impl Iterator<Item = u32> + Send {
        (0..self.0.len() as u32).collect::<Vec<_>>().into_iter()
    }
}

fn assert_send<T: Send>(t: T) -> T {
    t
}

#[test]
fn send_returns_under_plain_dyn_trait() {
    let t = Table(vec![5, 6, 7]);
    let d = DynFetch::<Boxed>::from_ref(&t);
    let fut = assert_send(d.fetch(2));
    assert_eq!(futures::executor::block_on(fut), 7);
    assert_eq!(assert_send(d.keys()).sum::<u32>(), 3);
}

/// `-> impl Send` alone (and the other auto traits alone): a `DynPtr` to `dyn Send`,
/// dropped where the caller drops it, never moved out of its place.
#[dyn_trait]
trait Token {
    fn token(&self) -> impl Send;
    fn shared(&mut self) -> impl Send + Sync {
        alloc::sync::Arc::new(7u8)
    }
    fn pinned(&self) -> impl Unpin;
}

struct Counted<'c>(&'c core::sync::atomic::AtomicUsize);

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.fetch_add(1, core::sync::atomic::Ordering::SeqCst);
    }
}

struct Issuer(&'static core::sync::atomic::AtomicUsize);

impl Token for Issuer {
    fn token(&self) -> impl Send {
        Counted(self.0)
    }
    fn pinned(&self) -> impl Unpin {
        Counted(self.0)
    }
}

fn assert_send_sync<T: Send + Sync>(t: T) -> T {
    t
}

#[test]
fn auto_trait_returns_alone() {
    static DROPS: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);
    let mut issuer = Issuer(&DROPS);
    let mut d = DynToken::<Boxed>::new(&mut issuer);
    let t = assert_send(d.token());
    assert_eq!(DROPS.load(core::sync::atomic::Ordering::SeqCst), 0);
    drop(t);
    assert_eq!(DROPS.load(core::sync::atomic::Ordering::SeqCst), 1);
    let p = d.pinned();
    let _moved: Box<dyn Unpin> = Box::new(p);
    drop(_moved);
    assert_eq!(DROPS.load(core::sync::atomic::Ordering::SeqCst), 2);
    drop(assert_send_sync(d.shared()));
    drop(d);
    #[cfg(feature = "stack")]
    {
        let inline = DynToken::with_strategy(&mut issuer, dynptr::Inline::<64>::new());
        drop(assert_send(inline.token()));
        assert_eq!(DROPS.load(core::sync::atomic::Ordering::SeqCst), 3);
    }
}
