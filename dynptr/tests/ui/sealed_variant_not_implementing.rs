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

struct NotASource;

#[dynptr::sealed(Source)]
enum AnySource {
    Good(Good),
    Bad(NotASource),
}

fn main() {}
