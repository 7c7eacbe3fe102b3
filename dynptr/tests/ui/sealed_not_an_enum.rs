#[dynptr::dyn_trait]
trait Source {
    async fn pull(&mut self) -> u8;
}

#[dynptr::sealed(Source)]
struct NotAnEnum;

fn main() {}
