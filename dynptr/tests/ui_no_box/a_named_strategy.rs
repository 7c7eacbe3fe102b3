// Without `box`, `with_strategy` names the storage: this builds and runs.
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use dynptr::Inline;

#[dynptr::dyn_trait]
trait Count {
    async fn next(&mut self) -> u32;
}

struct Up(u32);

impl Count for Up {
    async fn next(&mut self) -> u32 {
        self.0 += 1;
        self.0
    }
}

fn main() {
    let mut up = Up(0);
    let mut dyn_up = DynCount::with_strategy(&mut up, Inline::<64>::new());
    let mut call = pin!(dyn_up.next());
    match call.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(n) => assert_eq!(n, 1),
        Poll::Pending => panic!("the call is ready at once"),
    }
}
