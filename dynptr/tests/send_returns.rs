//! `-> impl Future<Output = T> + Send` and `-> impl Iterator + Send` under plain
//! `#[dyn_trait]`: what `trait_variant::make` writes.

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
