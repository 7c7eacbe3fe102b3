#[dynptr::dyn_trait]
trait Cloner {
    fn duplicate(&self) -> Self
    where
        Self: Sized;
    fn id(&self) -> u32;
}

fn main() {}
