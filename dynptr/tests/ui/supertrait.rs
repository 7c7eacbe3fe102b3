// A standard supertrait the wrapper does not forward: the trait compiles, and the
// wrapper implements it only once the user implements the supertrait for the wrapper.
#[dynptr::dyn_trait]
trait Named: PartialEq {
    fn name(&self) -> String;
}

#[derive(PartialEq)]
struct S;

impl Named for S {
    fn name(&self) -> String {
        "s".into()
    }
}

fn takes(n: &impl Named) -> String {
    n.name()
}

fn main() {
    let s = S;
    takes(&s);
    takes(&DynNamed::from_ref(&s));
}
