//! Writes the expansion of `#[dyn_trait]`, one generated item per module. For a trait
//!
//! ```ignore
//! #[dyn_trait]
//! trait AsyncIterator { type Item; async fn next(&mut self) -> Option<Self::Item>; }
//! ```
//!
//! it writes, in this order:
//!
//! 1. the user's trait, untouched but for the `(Send)` rewrite;
//! 2. [`erased`]: `ErasedAsyncIterator<Item, S>`, the vtable form: each `async fn` is
//!    the first poll of its call, each eager `-> impl Trait` returns a `DynPtr`;
//! 3. [`shim`]: the blanket `impl<T: AsyncIterator, S> ErasedAsyncIterator<T::Item, S>
//!    for T`, the vtable entries;
//! 4. [`wrapper`]: the sized `DynAsyncIterator<'a, Item, S, R>` with its constructors and
//!    the `WrapperOf`/`Wrap` impls other traits' `impl AsyncIterator` returns and
//!    arguments use;
//! 5. [`forward`]: `impl AsyncIterator for DynAsyncIterator<..>`, each method forwarding
//!    through the vtable (an `async fn` as a `Call`);
//! 6. [`callback`]: the `macro_rules!` callback carrying the trait to other macros, and the
//!    impls of `#[dyn_trait]` supertraits for the wrapper;
//! 7. [`bridge`]: with `bridge`, the trait for `&T`, `&mut T`, `Box<T>`, `Arc<T>`.
//!
//! The model these read (what a trait, method, argument, return and receiver are) is in
//! `crate::model`. `snapshots/*.expanded.rs` show the output for representative traits.

mod bridge;
mod callback;
mod erased;
mod forward;
mod shim;
mod wrapper;

use proc_macro2::TokenStream;
use quote::quote;
use syn::visit_mut::VisitMut;
use syn::{GenericParam, Ident, Lifetime};

use crate::model::{Model, Ret};
use crate::parse::Erase;

pub(crate) use forward::{wrapper_impl_for, SuperTarget};

pub(crate) fn expand(m: &Model) -> TokenStream {
    let item = &m.item;
    let erased_trait = erased::erased_trait(m);
    let shim = shim::shim(m);
    let wrapper = wrapper::wrapper(m);
    let wrapper_impl = forward::wrapper_impl(m);
    let callback = callback::callback(m);
    let supers = callback::super_impls(m);
    let bridges = bridge::bridges(m);
    quote! {
        #item
        #erased_trait
        #shim
        #wrapper
        #wrapper_impl
        #callback
        #supers
        #bridges
    }
}

/// Pieces of generics the generated items share.
pub(super) struct Gen {
    /// The trait's parameters with bounds, defaults removed.
    params: Vec<TokenStream>,
    /// The trait's parameters as arguments (`'x, K, N`).
    args: Vec<TokenStream>,
    /// The trait's lifetimes and type parameters, for `: '__s` bounds.
    outlives: Vec<TokenStream>,
    /// The trait's `where` predicates that do not mention `Self`: every generated item
    /// carries them.
    preds: Vec<TokenStream>,
    /// The trait's `where` predicates that mention `Self` (`Self: Sized`,
    /// `Box<Self>: Send`): they hold of every implementor, so the shim has them; only the
    /// wrapper's impls of the trait carry them (where `Self` is the wrapper). The
    /// erased trait must not (`Self: Sized` would make it dyn-incompatible).
    self_preds: Vec<TokenStream>,
    /// The associated types' parameters.
    assoc: Vec<Ident>,
    /// `Item = Item` bindings for `T: Trait<.., Item = Item>`.
    bindings: Vec<TokenStream>,
}

pub(super) fn gen(m: &Model) -> Gen {
    let mut g = Gen {
        params: Vec::new(),
        args: Vec::new(),
        outlives: Vec::new(),
        preds: Vec::new(),
        self_preds: Vec::new(),
        assoc: m.assoc.iter().map(|a| a.param.clone()).collect(),
        bindings: m
            .assoc
            .iter()
            .map(|a| {
                let (i, p) = (&a.ident, &a.param);
                quote!(#i = #p)
            })
            .collect(),
    };
    for param in &m.item.generics.params {
        match param {
            GenericParam::Lifetime(l) => {
                let lt = &l.lifetime;
                let bounds = &l.bounds;
                g.params.push(if bounds.is_empty() {
                    quote!(#lt)
                } else {
                    quote!(#lt: #bounds)
                });
                g.args.push(quote!(#lt));
                g.outlives.push(quote!(#lt));
            }
            GenericParam::Type(t) => {
                let (i, b) = (&t.ident, &t.bounds);
                g.params
                    .push(if b.is_empty() { quote!(#i) } else { quote!(#i: #b) });
                g.args.push(quote!(#i));
                g.outlives.push(quote!(#i));
            }
            GenericParam::Const(c) => {
                let (i, ty) = (&c.ident, &c.ty);
                g.params.push(quote!(const #i: #ty));
                g.args.push(quote!(#i));
            }
        }
    }
    for l in &m.life_supers {
        g.self_preds.push(quote!(Self: #l));
    }
    if let Some(w) = &m.item.generics.where_clause {
        for p in &w.predicates {
            // Names `Self` (as a type, or as `Self::Assoc`).
            if crate::parse::mentions_ident(p, "Self") {
                g.self_preds.push(quote!(#p));
            } else {
                g.preds.push(quote!(#p));
            }
        }
    }
    g
}

/// The erased trait's name for a method: prefixed, so that calls on a wrapper (which
/// implements both the trait and, through the blanket shim, the erased trait) are not
/// ambiguous.
pub(super) fn erased_name(name: &Ident) -> Ident {
    Ident::new(&format!("__dynptr_{name}"), name.span())
}

/// The lifetime parameters of a generics list.
pub(super) fn lifetimes_of(generics: &syn::Generics) -> Vec<&Lifetime> {
    generics.lifetimes().map(|l| &l.lifetime).collect()
}

pub(super) fn assoc_names(m: &Model) -> Vec<(Ident, Ident)> {
    m.assoc
        .iter()
        .map(|a| (a.ident.clone(), a.param.clone()))
        .collect()
}

/// A `#[dyn_trait]` supertrait `a::Bar<A, Item = X>`, in its parts: the callback
/// macro's path `a::Bar` and the erased
/// trait with its arguments (bindings' types after the positional ones, in the order
/// written: the declaration order) ending with `,`: `a::ErasedBar<A, X,` (the caller
/// closes it with the strategy).
pub(super) struct SuperParts {
    pub(super) mac: syn::Path,
    pub(super) erased: syn::Path,
    pub(super) erased_args: Vec<TokenStream>,
}

pub(super) fn super_parts(path: &syn::Path) -> SuperParts {
    let mut mac = path.clone();
    let mut erased = path.clone();
    let mut erased_args = Vec::new();
    if let Some(last) = mac.segments.last_mut() {
        last.arguments = syn::PathArguments::None;
    }
    if let Some(syn::PathArguments::AngleBracketed(ab)) = path.segments.last().map(|s| &s.arguments) {
        let mut bound = Vec::new();
        for a in &ab.args {
            match a {
                syn::GenericArgument::AssocType(at) => {
                    let ty = &at.ty;
                    bound.push(quote!(#ty));
                }
                syn::GenericArgument::AssocConst(_) | syn::GenericArgument::Constraint(_) => {}
                other => erased_args.push(quote!(#other)),
            }
        }
        erased_args.extend(bound);
    }
    if let Some(last) = erased.segments.last_mut() {
        last.ident = quote::format_ident!("Erased{}", last.ident);
        last.arguments = syn::PathArguments::None;
    }
    SuperParts {
        mac,
        erased,
        erased_args,
    }
}

/// The erased trait's object type: `dyn ErasedFoo<'x, K, Item, S> + Send + 'a`.
pub(super) fn erased_dyn(m: &Model, g: &Gen, life: &Lifetime) -> TokenStream {
    let s = &m.strategy;
    erased_dyn_with(m, g, life, &quote!(#s))
}

/// [`erased_dyn`] with the strategy `s` in the strategy parameter's place.
pub(super) fn erased_dyn_with(m: &Model, g: &Gen, life: &Lifetime, s: &TokenStream) -> TokenStream {
    let erased = &m.erased;
    let (args, assoc, auto) = (&g.args, &g.assoc, &m.auto);
    quote!(dyn #erased<#(#args,)* #(#assoc,)* #s> #(+ ::core::marker::#auto)* + #life)
}

/// For a method returning `impl Bar<A, Assoc = X>`: `dyn ErasedBar<A, X, S> + 's`, the
/// type whose `WrapperOf` impl (emitted by `Bar`'s own `#[dyn_trait]`) names `DynBar`.
pub(super) fn wrapper_key(m: &Model, ret: &Ret, life: &Lifetime) -> TokenStream {
    let Ret::Wrapper { erased, args } = ret else {
        unreachable!()
    };
    let names = assoc_names(m);
    let mut erase = Erase {
        assoc: &names,
        life: Some(life),
    };
    let args = args.iter().map(|a| {
        let mut a = a.clone();
        erase.visit_generic_argument_mut(&mut a);
        a
    });
    let s = &m.strategy;
    quote!(dyn #erased<#(#args,)* #s> + #life)
}
