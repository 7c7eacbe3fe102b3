// A macro in type position is not a trait object: refused before it could expand.
#![forbid(unsafe_code)]
use dynptr::impl_coerce;
trait Foo {}
macro_rules! obj { () => { dyn Foo } }
impl_coerce!(['z] obj!());
fn main() {}
