// A macro of the user's that forwards raw tokens is no different from a direct call.
#![forbid(unsafe_code)]
use dynptr::impl_coerce;
trait Foo {}
struct NotSend(std::rc::Rc<u8>);
macro_rules! forward {
    ($($t:tt)*) => { impl_coerce!($($t)*); };
}
forward!(['z> Send for NotSend {} #[cfg(any())] impl<'u] dyn Foo);
fn assert_send<T: Send>() {}
fn main() {
    assert_send::<NotSend>();
}
