// Attributes have no place in the lists: `#[cfg(any())]` on a predicate is rejected
// rather than pasted (on a parameter: `coerce_attribute_on_parameter.rs`).
use dynptr::impl_coerce;
trait Foo<X> {}
impl_coerce!(['z] where [#[cfg(any())] u8: Sized] dyn Foo<u8> + 'z);
fn main() {}
