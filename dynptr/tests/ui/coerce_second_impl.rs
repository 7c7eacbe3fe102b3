// Closing the generics bracket to write a second item under the macro's `unsafe`:
// here `Send` for a type holding an `Rc`.
#![forbid(unsafe_code)]
use dynptr::impl_coerce;
trait Foo {}
struct NotSend(std::rc::Rc<u8>);
impl_coerce!(['z> Send for NotSend {} #[cfg(any())] impl<'u] dyn Foo);
fn assert_send<T: Send>() {}
fn main() {
    assert_send::<NotSend>();
}
