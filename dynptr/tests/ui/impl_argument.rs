#[dynptr::dyn_trait]
trait Sink {
    async fn extend(&mut self, items: impl Iterator<Item = u8>);
}

fn main() {}
