#[dynptr::dyn_trait]
trait Filter {
    fn filter(&self, items: impl Iterator<Item = u32>) -> impl Iterator<Item = u32>;
}

fn main() {}
