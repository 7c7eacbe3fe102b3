#[dynptr::dyn_trait]
trait Visitor {
    fn visit<T: Clone>(&mut self, value: T);
}

fn main() {}
