// `unsafe(forward)` on a safe trait: there is no contract to promise.
#[dynptr::dyn_trait(unsafe(forward))]
trait Safe {
    fn f(&self);
}

fn main() {}
