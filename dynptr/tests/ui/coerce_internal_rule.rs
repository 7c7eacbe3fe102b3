// Rule-like invocations (`impl_coerce!(@..)`, as a `macro_rules!` with internal rules
// would have) are not a way around the grammar: the input must parse as a whole.
#![forbid(unsafe_code)]
use dynptr::impl_coerce;
trait Foo {}
struct NotSend(std::rc::Rc<u8>);
impl_coerce!(@impl ['z> Send for NotSend {} #[cfg(any())] impl<'u,] [] [] [] [] [] [] [[] Foo,] ());

impl_coerce!(@bounds {@impl ['z> Send for NotSend {} #[cfg(any())] impl<'u,] [] [] [] []}
    [] [] [] [] [] ());
impl_coerce!(@dyn ['z> Send for NotSend {} #[cfg(any())] impl<'u,] [] [] [] [] [] [] [[] Foo,] ());
fn main() {}
