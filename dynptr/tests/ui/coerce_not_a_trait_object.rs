// What the trait object may not be: two lifetimes, a `?` bound, no trait, a second
// type after a comma.
use dynptr::impl_coerce;
trait Foo {}
impl_coerce!(dyn Foo + 'static);
impl_coerce!(['a] dyn ?Sized + Foo + 'a);
impl_coerce!(['a] dyn 'a);
impl_coerce!(['a] dyn Foo + 'a, u8);
fn main() {}
