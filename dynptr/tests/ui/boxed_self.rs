#[dynptr::dyn_trait]
trait Node {
    fn detach(self: Box<Self>) -> u32;
}

fn main() {}
