// Under `#[dyn_trait(Send)]` every implementor's future must be `Send`: an `Rc` held
// across an await is refused at the impl, naming the value that is not `Send`.
use std::rc::Rc;

#[dynptr::dyn_trait(Send)]
trait Job {
    async fn run(&self) -> u32;
}

struct J;

impl Job for J {
    async fn run(&self) -> u32 {
        let rc = Rc::new(1);
        std::future::ready(()).await;
        *rc
    }
}

fn main() {}
