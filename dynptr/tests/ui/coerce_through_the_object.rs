// Smuggle a body through the trait object's bounds.
#![forbid(unsafe_code)]
use dynptr::impl_coerce;
trait Foo {}
struct Big([u64; 64]);
impl Foo for Big {}
impl_coerce!(['z] dyn Foo + 'z where __DynptrT: Sized {
    fn coerce(p: *mut __DynptrT) -> *mut Self { p.cast::<Big>() }
} #[cfg(any())] impl<'u> Foo for dyn Foo);
fn main() {}
