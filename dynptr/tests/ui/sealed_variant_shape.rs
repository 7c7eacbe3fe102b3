#[dynptr::dyn_trait]
trait Source {
    async fn pull(&mut self) -> u8;
}

struct Good;
impl Source for Good {
    async fn pull(&mut self) -> u8 {
        1
    }
}

#[dynptr::sealed(Source)]
enum AnySource {
    Good(Good),
    Named { inner: Good },
    Empty,
    Pair(Good, Good),
}

fn main() {}
