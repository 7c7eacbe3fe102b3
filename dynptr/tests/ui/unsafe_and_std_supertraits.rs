// An `unsafe trait` needs `unsafe(forward)`: the wrapper's impl would promise its contract.
#[dynptr::dyn_trait]
unsafe trait Pod {
    fn size(&self) -> usize;
}

// A standard trait as a supertrait is not mistaken for a `#[dyn_trait]` trait.
#[dynptr::dyn_trait]
trait Polled: core::future::Future {
    fn ready(&self) -> bool;
}

#[dynptr::dyn_trait]
trait Iter: Iterator {
    fn peek(&self) -> bool;
}

// `unsafe(forward)` on a safe trait.
#[dynptr::dyn_trait(unsafe(forward))]
trait Safe {
    fn f(&self);
}

fn main() {}
