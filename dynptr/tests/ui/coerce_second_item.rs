// Anything after the trait object (a second item) is refused.
#![forbid(unsafe_code)]
use dynptr::impl_coerce;
trait Foo {}
impl_coerce!(dyn Foo; impl Foo for u8 {});
fn main() {}
