// End the `where` clause with a body of one's own, then switch the real impl off.
#![forbid(unsafe_code)]
use dynptr::impl_coerce;
trait Foo {}
struct Small(u8);
impl Foo for Small {}
struct Big([u64; 64]);
impl Foo for Big {}
impl_coerce!(['z] where [__DynptrT: Sized {
    fn coerce(p: *mut __DynptrT) -> *mut Self { p.cast::<Big>() }
} #[cfg(any())] impl<'u> Foo for Small where] dyn Foo + 'z);
fn main() {}
