// A trait with a by-value `self` method: only an owning wrapper can implement it, so the
// borrowing constructors do not exist.
#[dynptr::dyn_trait]
trait Consume {
    fn consume(self) -> u32;
}

struct Five;
impl Consume for Five {
    fn consume(self) -> u32 {
        5
    }
}

fn main() {
    let mut five = Five;
    let _ = DynConsume::new(&mut five);
}
