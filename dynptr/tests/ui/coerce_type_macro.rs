// A type macro in a type position expands as a type: it cannot add items either.
use dynptr::impl_coerce;
trait Foo {}
macro_rules! not_a_type {
    () => { u8 {} };
}
impl_coerce!(['z] where [not_a_type!(): Sized] dyn Foo + 'z);
fn main() {}
