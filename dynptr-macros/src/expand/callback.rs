//! The `macro_rules!` callback that carries the trait to other `#[dyn_trait]` macros
//! and to `#[sealed]`, and the impls of `#[dyn_trait]` supertraits for the wrapper.
//!
//! Input: the model (with the trait as written, `original`). Output: `macro_rules!
//! __dynptr_trait_Foo`, `pub(crate) use .. as Foo`, and one `Bar! { supertrait .. }` per
//! `#[dyn_trait]` supertrait `Bar`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Ident;

use crate::model::Model;

use super::*;

/// Names of standard macros a trait's callback must not shadow (the callback is
/// imported under the trait's own name, in the macro namespace).
const STD_MACRO_NAMES: &[&str] = &[
    "Clone",
    "Copy",
    "Debug",
    "Default",
    "Eq",
    "Hash",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "test",
    "bench",
];

/// The `macro_rules!` callback that carries the trait to other macros: `Foo! { .. }`
/// expands to `dyn_trait_callback! { [..] [args] trait Foo { .. } }`. Imported next to
/// the trait under the trait's name, so `use path::Foo` brings both; crate-local.
pub(super) fn callback(m: &Model) -> TokenStream {
    let name = &m.item.ident;
    if STD_MACRO_NAMES.iter().any(|n| name == n) {
        return quote!();
    }
    let mac = Ident::new(&format!("__dynptr_trait_{name}"), name.span());
    let (original, args) = (&m.original, &m.args_tokens);
    quote! {
        #[doc(hidden)]
        #[allow(unused_macros, non_snake_case)]
        macro_rules! #mac {
            ($($callback:tt)*) => {
                ::dynptr::__private::dyn_trait_callback! { [$($callback)*] [#args] #original }
            };
        }
        #[doc(hidden)]
        #[allow(unused_imports)]
        pub(crate) use #mac as #name;
    }
}

/// For each `#[dyn_trait]` supertrait `Bar`: `Bar! { supertrait .. }`, which implements
/// `Bar` for this trait's wrapper.
pub(super) fn super_impls(m: &Model) -> TokenStream {
    let g = gen(m);
    let (wrapper, s, life, r) = (&m.wrapper, &m.strategy, &m.life, &m.receiver);
    let (params, args, assoc) = (&g.params, &g.args, &g.assoc);
    let preds: Vec<&TokenStream> = g.preds.iter().chain(&g.self_preds).collect();
    let dyn_ty = erased_dyn(m, &g, life);
    let calls = m.dyn_supers.iter().map(|path| {
        let mut erased = path.clone();
        let last = erased.segments.last_mut().unwrap();
        last.ident = format_ident!("Erased{}", last.ident);
        quote! {
            #path! {
                supertrait
                [#life, #(#params,)* #(#assoc,)* #s: ::dynptr::__private::Strategy, #r]
                [#wrapper<#life, #(#args,)* #(#assoc,)* #s, #r>]
                [#wrapper] [#s] [#r]
                [#dyn_ty]
                [#(#preds,)*]
                [#path] [#erased]
            }
        }
    });
    quote!(#(#calls)*)
}
