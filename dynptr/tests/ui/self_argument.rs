#[dynptr::dyn_trait]
trait Merge {
    fn merge(&mut self, other: Self);
}

fn main() {}
