#[dynptr::dyn_trait]
trait Limits {
    const MAX: usize;
    fn len(&self) -> usize;
}

fn main() {}
