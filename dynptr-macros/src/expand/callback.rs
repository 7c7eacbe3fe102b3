//! The `macro_rules!` callback that carries the trait to other `#[dyn_trait]` macros
//! and to `#[sealed]`, and the impls of `#[dyn_trait]` supertraits for the wrapper.
//!
//! Input: the model (with the trait as written, `original`). Output: `macro_rules!
//! __dynptr_trait_Foo`, `pub(crate) use .. as Foo`, and one `Bar! { supertrait .. }` per
//! `#[dyn_trait]` supertrait `Bar`.

use proc_macro2::TokenStream;
use quote::quote;
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
/// the trait under the trait's name, so `use path::Foo` brings both.
///
/// A `pub` trait's callback is exported (`#[macro_export]`, under a name unique to the
/// trait) and re-exported next to it, so other crates' `#[dyn_trait]` traits and
/// `#[sealed]` enums reach it through the trait's path; its `crate::` paths become
/// `$crate::`. The trait's other names resolve where the callback expands: a type the
/// trait names through a `use` must be in scope there too.
pub(super) fn callback(m: &Model) -> TokenStream {
    let name = &m.item.ident;
    if STD_MACRO_NAMES.iter().any(|n| name == n) {
        return quote!();
    }
    let args = &m.args_tokens;
    let original = &m.original;
    if matches!(m.item.vis, syn::Visibility::Public(_)) {
        let tokens = quote!(#original);
        let mac = Ident::new(
            &format!("__dynptr_trait_{name}_{:016x}", fnv(&tokens.to_string())),
            name.span(),
        );
        let original = dollar_crate(tokens);
        return quote! {
            #[doc(hidden)]
            #[macro_export]
            // A `pub` trait inside a function body exports its callback from there.
            #[allow(non_local_definitions)]
            macro_rules! #mac {
                ($($callback:tt)*) => {
                    ::dynptr::__private::dyn_trait_callback! { [$($callback)*] [#args] #original }
                };
            }
            #[doc(hidden)]
            #[allow(unused_imports)]
            pub use #mac as #name;
        };
    }
    let mac = Ident::new(&format!("__dynptr_trait_{name}"), name.span());
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

/// `crate` at the start of a path becomes `$crate` (the defining crate, wherever the
/// callback expands).
fn dollar_crate(tokens: TokenStream) -> TokenStream {
    use proc_macro2::{Group, Punct, Spacing, TokenTree};
    let mut out = Vec::new();
    let mut prev_colons = false;
    let mut iter = tokens.into_iter().peekable();
    while let Some(tt) = iter.next() {
        match tt {
            TokenTree::Group(g) => {
                let mut ng = Group::new(g.delimiter(), dollar_crate(g.stream()));
                ng.set_span(g.span());
                out.push(TokenTree::Group(ng));
                prev_colons = false;
            }
            TokenTree::Ident(i) if i == "crate" && !prev_colons => {
                let next_is_path = matches!(iter.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ':');
                if next_is_path {
                    out.push(TokenTree::Punct(Punct::new('$', Spacing::Alone)));
                }
                out.push(TokenTree::Ident(i));
                prev_colons = false;
            }
            TokenTree::Punct(p) => {
                prev_colons = p.as_char() == ':';
                out.push(TokenTree::Punct(p));
            }
            other => {
                prev_colons = false;
                out.push(other);
            }
        }
    }
    out.into_iter().collect()
}

/// FNV-1a: a name unique to the trait's tokens, the same on every build.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
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
        // `path` as written (with its bindings) goes to the callback, which matches the
        // bindings to the supertrait's associated types by name.
        let SuperParts { mac, erased, .. } = super_parts(path);
        quote! {
            #mac! {
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
