//! The `#[dyn_trait]` attribute of [dynptr](https://docs.rs/dynptr). Use it through the
//! facade, `dynptr::dyn_trait`, whose docs show what it generates; the generated code
//! refers to `::dynptr`.
//!
//! The work is in `parse.rs` (reading the trait into a model, collecting every
//! unsupported shape as a spanned error) and `expand.rs` (writing the erased trait, the
//! blanket shim, the wrapper and its impl of the trait).

mod args;
mod callback;
mod coerce;
mod expand;
mod model;
mod parse;
mod sealed;
#[cfg(test)]
mod snapshots;

use proc_macro::TokenStream;
use quote::ToTokens;
use syn::ItemTrait;

/// Makes a trait with `async fn` and `-> impl Trait` methods usable through dynamic
/// dispatch: generates `Dyn{Trait}`, a sized wrapper that implements the trait and
/// stores each returned value with a strategy. See `dynptr`'s documentation.
#[proc_macro_attribute]
pub fn dyn_trait(args: TokenStream, input: TokenStream) -> TokenStream {
    let args = match syn::parse::<args::Args>(args) {
        Ok(args) => args,
        Err(e) => return with_item(e, input),
    };
    let item = match syn::parse::<ItemTrait>(input.clone()) {
        Ok(item) => item,
        Err(e) => {
            return syn::Error::new(e.span(), "`#[dyn_trait]` goes on a trait definition")
                .to_compile_error()
                .into()
        }
    };
    match parse::parse(&args, item) {
        Ok(model) => expand::expand(&model).into(),
        Err(e) => with_item(e, input),
    }
}

/// Derives, for an enum of implementors of a `#[dyn_trait]` trait, an impl of the trait
/// that dispatches by matching on the variant: `#[sealed(AsyncIterator)] enum AnyIter {
/// Count(Count), Lines(Lines) }`. See `dynptr`'s documentation.
#[proc_macro_attribute]
pub fn sealed(args: TokenStream, input: TokenStream) -> TokenStream {
    let path = match syn::parse::<syn::Path>(args) {
        Ok(p) => p,
        Err(e) => {
            return syn::Error::new(
                e.span(),
                "expected `#[sealed(Trait)]`, naming a `#[dyn_trait]` trait",
            )
            .to_compile_error()
            .into()
        }
    };
    let item = match syn::parse::<syn::ItemEnum>(input) {
        Ok(item) => item,
        Err(e) => {
            return syn::Error::new(e.span(), "`#[sealed]` goes on an enum")
                .to_compile_error()
                .into()
        }
    };
    match sealed::sealed(path, item) {
        Ok(ts) => ts.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// The callback a `#[dyn_trait]` trait's `macro_rules!` forwards to:
/// `[request] [args] trait Foo { .. }`. Requests: `supertrait [generics] [self type]
/// [wrapper] [S] [R] [dyn type] [where predicates] [trait path] [erased path]` implements
/// `Foo` for another trait's wrapper. Not a public API.
#[doc(hidden)]
#[proc_macro]
pub fn __dyn_trait_callback(input: TokenStream) -> TokenStream {
    match callback::callback(input.into()) {
        Ok(ts) => ts.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// The errors, plus the user's item unchanged so that its own uses do not add a cascade
/// of unrelated errors.
fn with_item(err: syn::Error, input: TokenStream) -> TokenStream {
    let mut out = err.to_compile_error();
    if let Ok(item) = syn::parse::<ItemTrait>(input) {
        item.to_tokens(&mut out);
    }
    out.into()
}

/// The grammar behind `dynptr_core::impl_coerce!` (which passes its `$crate` path first):
/// parses the generic parameters, predicates and trait object with syn, so that no
/// invocation can write its own `CoerceFrom` body. Not a public API: use `impl_coerce!`.
#[doc(hidden)]
#[proc_macro]
pub fn __impl_coerce(input: TokenStream) -> TokenStream {
    match syn::parse::<coerce::Coerce>(input) {
        Ok(c) => coerce::expand(&c).into(),
        Err(e) => e.to_compile_error().into(),
    }
}
