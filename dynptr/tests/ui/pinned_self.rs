#[dynptr::dyn_trait]
trait Poller {
    fn poll_ready(self: core::pin::Pin<&mut Self>) -> bool;
}

fn main() {}
