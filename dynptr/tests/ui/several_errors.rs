// Every unsupported item is reported, not only the first.
#[dynptr::dyn_trait]
trait Many {
    const A: u8;
    fn generic<T>(&self, t: T);
    fn bare();
}

fn main() {}
