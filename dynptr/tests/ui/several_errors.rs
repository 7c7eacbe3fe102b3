// Every unsupported item is reported, not only the first.
#[dynptr::dyn_trait]
trait Many {
    unsafe fn a(&self);
    const fn b(&self);
    fn c(&self, v: Vec<impl Clone>);
}

fn main() {}
