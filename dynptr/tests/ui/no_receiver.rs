#[dynptr::dyn_trait]
trait Factory {
    fn create() -> u32;
}

fn main() {}
