// Without `box` there is no default strategy: `new` names none, and the error says to
// enable `box` or to pick one with `with_strategy`.
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Waker};

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
    let mut dyn_up = DynCount::new(&mut up);
    let call = pin!(dyn_up.next());
    let _ = call.poll(&mut Context::from_waker(Waker::noop()));
}
