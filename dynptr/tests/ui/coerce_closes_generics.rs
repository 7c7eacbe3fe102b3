// The audit's route: close the generic list and write the body under the macro's `unsafe`.
#![forbid(unsafe_code)]
use dynptr::{impl_coerce, Boxed, DynPtr};
trait Foo { fn last(&self) -> u64; }
struct Small(u8);
impl Foo for Small { fn last(&self) -> u64 { 0 } }
struct Big([u64; 64]);
impl Foo for Big { fn last(&self) -> u64 { self.0[63] } }
impl_coerce!(['z> ::dynptr::CoerceFrom<Small> for dyn Foo + 'z {
    fn coerce(p: *mut Small) -> *mut Self { p as *mut Big }
} #[cfg(any())] impl<'u] dyn Foo);
fn main() {
    let mut s = Boxed::new();
    let p: DynPtr<'_, dyn Foo, Boxed> = DynPtr::new(&mut s, Small(1));
    let _ = p.last();
}
