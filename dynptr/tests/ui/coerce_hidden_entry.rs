// The hidden proc macro behind `impl_coerce!` applies the same grammar to its path.
#![forbid(unsafe_code)]
trait Foo {}
struct Small(u8);
impl Foo for Small {}
dynptr_core::__impl_coerce!(dynptr_core::CoerceFrom<Small> for dyn Foo {
    fn coerce(p: *mut Small) -> *mut Self { p }
} #[cfg(any())] mod x; dyn Foo);
fn main() {}
