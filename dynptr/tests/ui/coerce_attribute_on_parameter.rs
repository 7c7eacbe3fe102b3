// Attributes on the generic parameters (a `cfg` that removes one) are refused.
#![forbid(unsafe_code)]
use dynptr::impl_coerce;
trait Foo<X> {}
impl_coerce!(['z, #[cfg(any())] X] dyn Foo<u8> + 'z);
fn main() {}
