#[dynptr::dyn_trait]
trait Named: Clone {
    fn name(&self) -> String;
}

fn main() {}
