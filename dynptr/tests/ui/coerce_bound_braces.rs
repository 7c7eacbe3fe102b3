// A body smuggled through the trait object's bound tokens: `{ .. }` after the bounds
// would end the impl header and open the impl body.
#![forbid(unsafe_code)]
use dynptr::impl_coerce;
trait Foo {}
struct Small(u8);
impl Foo for Small {}
struct Big([u64; 64]);
impl Foo for Big {}
impl_coerce!(['z] dyn Foo + 'z {
    fn coerce(p: *mut __DynptrT) -> *mut Self { p as *mut Big as *mut Self }
} #[cfg(any())] impl<X> Foo for X);
fn main() {}
