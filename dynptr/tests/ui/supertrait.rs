#[dynptr::dyn_trait]
trait Named: PartialEq {
    fn name(&self) -> String;
}

fn main() {}
