//! Generated code uses absolute paths and raises no warnings, even with strict lints and
//! local modules shadowing `core`, `std` and `dynptr`.
#![deny(warnings, missing_docs, missing_debug_implementations, unused_qualifications)]
#![allow(dead_code)]

/// A module named like a crate, to catch relative paths in the expansion.
mod core {}
/// Another one.
mod std {}

/// A public module, so that `missing_docs` applies to the generated items.
pub mod api {
    /// Shadows the crate name inside this module.
    mod dynptr {}

    /// A trait with every kind of method the macro supports.
    #[::dynptr::dyn_trait]
    #[allow(async_fn_in_trait)]
    pub trait Service<T: ::core::fmt::Debug> {
        /// Output.
        type Out;
        /// Async.
        async fn call(&mut self, input: T) -> Self::Out;
        /// Iterator.
        fn parts(&self) -> impl Iterator<Item = u8>;
        /// Plain.
        fn name(&self) -> &str;
    }

    /// A type named like the generated strategy parameter.
    #[derive(Debug)]
    pub struct S;

    /// A trait mentioning `S`, so the macro picks another parameter name.
    #[::dynptr::dyn_trait]
    #[allow(async_fn_in_trait)]
    pub trait UsesS {
        /// Takes an `S`.
        async fn take(&self, s: S) -> u8;
    }
}

struct Impl;

impl api::Service<u8> for Impl {
    type Out = u16;
    async fn call(&mut self, input: u8) -> u16 {
        u16::from(input) * 2
    }
    fn parts(&self) -> impl Iterator<Item = u8> {
        [1, 2, 3].into_iter()
    }
    fn name(&self) -> &str {
        "impl"
    }
}

impl api::UsesS for Impl {
    async fn take(&self, _: api::S) -> u8 {
        9
    }
}

#[test]
fn works_with_shadowing_modules() {
    let mut i = Impl;
    let mut d = api::DynService::new(&mut i);
    assert_eq!(::futures::executor::block_on(api::Service::call(&mut d, 21)), 42);
    assert_eq!(api::Service::parts(&d).sum::<u8>(), 6);
    assert_eq!(api::Service::name(&d), "impl");
    let i2 = Impl;
    let d2 = api::DynUsesS::from_ref(&i2);
    assert_eq!(::futures::executor::block_on(api::UsesS::take(&d2, api::S)), 9);
}

/// A `pub` trait declared inside a function body (async-trait's tests have three): its
/// exported callback must not trip `non_local_definitions` (CI denies warnings).
#[test]
fn a_pub_trait_inside_a_function() {
    // `pub` on purpose (it is what exports the callback), unreachable from outside.
    #[allow(unreachable_pub)]
    #[dynptr::dyn_trait]
    pub trait Local {
        async fn get(&self) -> u32;
    }
    struct X;
    impl Local for X {
        async fn get(&self) -> u32 {
            3
        }
    }
    let x = X;
    let w = DynLocal::from_ref(&x);
    assert_eq!(dynptr_core::testkit::block_on(w.get()), 3);
}
