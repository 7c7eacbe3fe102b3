#[dynptr::dyn_trait]
trait Consume {
    async fn consume(self) -> u32;
}

fn main() {}
