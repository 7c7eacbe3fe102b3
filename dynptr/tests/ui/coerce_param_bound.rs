// Closing the generics bracket from inside a parameter's bounds.
#![forbid(unsafe_code)]
use dynptr::impl_coerce;
trait Foo {}
struct NotSend<X>(std::rc::Rc<X>);
impl_coerce!([X: Sized> Send for NotSend<X> {} #[cfg(any())] impl<'z, Y: Sized] dyn Foo + 'z);
fn assert_send<T: Send>() {}
fn main() {
    assert_send::<NotSend<u8>>();
}
