#[dynptr::dyn_trait]
trait Index {
    fn matching(&self, prefix: &str) -> impl Iterator<Item = u32>;
}

fn main() {}
