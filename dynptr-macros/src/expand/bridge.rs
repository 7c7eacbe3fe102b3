//! Bridge impls (`#[dyn_trait(bridge)]`, dynosaur's `bridge(blanket)`): the trait for
//! pointers to an implementor, so that `&T`, `&mut T`, `Box<T>` and `Arc<T>` go where
//! `impl Foo` does (and `Arc<DynFoo<'static>>` with them).
//!
//! Input: the model (the trait as emitted, after the `Send` rewrite). Output, for each
//! pointer whose receivers allow it:
//!
//! ```text
//! impl<'__dynptr_b, K, __DynptrB> Foo<K> for &'__dynptr_b __DynptrB
//! where __DynptrB: Foo<K>, Self: <supertraits>, <the trait's predicates>
//! {
//!     type Item = <__DynptrB as Foo<K>>::Item;
//!     fn get(&self, k: K) -> impl Future<Output = ..> { <__DynptrB as Foo<K>>::get(&**self, k) }
//! }
//! ```
//!
//! `&T` needs every method to take `&self` (or no `self`), `&mut T` `&self` or `&mut self`,
//! `Arc<T>` as `&T`, `Box<T>` anything but another typed receiver. A method that cannot
//! be forwarded (a typed receiver like `self: Arc<Self>`, `Self` by value in an argument
//! or the return type) keeps its default body if it has one; without one, that pointer
//! gets no impl.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{FnArg, Ident, ReturnType, TraitItem, Type};

use crate::model::Model;

use super::*;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ptr {
    Ref,
    Mut,
    Box,
    Arc,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Recv {
    None,
    Shared,
    Exclusive,
    Value,
    BoxSelf,
    Other,
}

fn recv_of(sig: &syn::Signature) -> Recv {
    match sig.inputs.first() {
        Some(FnArg::Receiver(r)) if r.colon_token.is_none() => match (&r.reference, r.mutability) {
            (None, _) => Recv::Value,
            (Some(_), None) => Recv::Shared,
            (Some(_), Some(_)) => Recv::Exclusive,
        },
        Some(FnArg::Receiver(r)) => {
            if crate::parse::box_of_self(&r.ty).is_some() {
                Recv::BoxSelf
            } else if let Some((_, mutable)) = crate::parse::ref_of_self(&r.ty) {
                if mutable {
                    Recv::Exclusive
                } else {
                    Recv::Shared
                }
            } else {
                Recv::Other
            }
        }
        _ => Recv::None,
    }
}

fn forwards(ptr: Ptr, recv: Recv) -> bool {
    match recv {
        Recv::None | Recv::Shared => true,
        Recv::Exclusive => matches!(ptr, Ptr::Mut | Ptr::Box),
        Recv::Value | Recv::BoxSelf => ptr == Ptr::Box,
        Recv::Other => false,
    }
}

pub(super) fn bridges(m: &Model) -> TokenStream {
    if m.no_impl.is_some() && m.item.unsafety.is_some() {
        // Forwarding an `unsafe trait` needs the user's `unsafe(forward)`.
        return TokenStream::new();
    }
    if !m.bridge {
        return quote!();
    }
    let impls = [Ptr::Ref, Ptr::Mut, Ptr::Box, Ptr::Arc]
        .into_iter()
        .filter_map(|p| bridge(m, p));
    quote!(#(#impls)*)
}

fn bridge(m: &Model, ptr: Ptr) -> Option<TokenStream> {
    let g = gen(m);
    let trait_ident = &m.item.ident;
    let (params, args, preds, self_preds) = (&g.params, &g.args, &g.preds, &g.self_preds);
    let b = Ident::new("__DynptrB", proc_macro2::Span::call_site());
    let this = quote!(<#b as #trait_ident<#(#args),*>>);
    let names = assoc_names(m);
    let mut items = Vec::new();
    for item in &m.item.items {
        match item {
            TraitItem::Type(t) => {
                let (attrs, i) = (crate::parse::cfg_attrs(&t.attrs), &t.ident);
                items.push(quote!(#(#attrs)* type #i = #this::#i;));
            }
            TraitItem::Const(c) => {
                let (attrs, i, ty) = (crate::parse::cfg_attrs(&c.attrs), &c.ident, &c.ty);
                items.push(quote!(#(#attrs)* const #i: #ty = #this::#i;));
            }
            TraitItem::Fn(f) => {
                let recv = recv_of(&f.sig);
                let self_by_value = f.sig.inputs.iter().any(|a| match a {
                    FnArg::Typed(pt) => crate::parse::bare_self(&pt.ty, &names).is_some(),
                    FnArg::Receiver(_) => false,
                }) || matches!(&f.sig.output, ReturnType::Type(_, t) if crate::parse::bare_self(t, &names).is_some());
                if !forwards(ptr, recv) || self_by_value {
                    if f.default.is_some() {
                        continue;
                    }
                    return None;
                }
                items.push(forward_fn(f, recv, &this, m.send));
            }
            _ => {}
        }
    }
    let supers = &m.item.supertraits;
    let supers = (!supers.is_empty()).then(|| quote!(Self: #supers,));
    let unsafety = &m.item.unsafety;
    let (lt, self_ty) = match ptr {
        Ptr::Ref => (quote!('__dynptr_b,), quote!(&'__dynptr_b #b)),
        Ptr::Mut => (quote!('__dynptr_b,), quote!(&'__dynptr_b mut #b)),
        Ptr::Box => (quote!(), quote!(::dynptr::__private::Box<#b>)),
        Ptr::Arc => (quote!(), quote!(::dynptr::__private::Arc<#b>)),
    };
    let imp = quote! {
        #[allow(clippy::type_complexity, clippy::needless_lifetimes, clippy::manual_async_fn)]
        #unsafety impl<#lt #(#params,)* #b> #trait_ident<#(#args),*> for #self_ty
        where
            #b: #trait_ident<#(#args),*>,
            #supers
            #(#preds,)*
            #(#self_preds,)*
        {
            #(#items)*
        }
    };
    Some(match ptr {
        Ptr::Ref | Ptr::Mut => imp,
        Ptr::Box => quote!(::dynptr::__private::if_alloc! { #imp }),
        Ptr::Arc => quote!(::dynptr::__private::if_arc! { #imp }),
    })
}

/// One forwarding method: the trait's signature (an `async fn` as `-> impl Future`, so
/// that the implementor's own future is returned, `Send` when the trait says so), the
/// arguments renamed, the implementor's method called on the pointee.
fn forward_fn(f: &syn::TraitItemFn, recv: Recv, this: &TokenStream, send: bool) -> TokenStream {
    let mut sig = f.sig.clone();
    let mut arg_names = Vec::new();
    let mut apit = false;
    for (i, arg) in sig.inputs.iter_mut().enumerate() {
        if let FnArg::Typed(pt) = arg {
            let name = Ident::new(&format!("__dynptr_b{i}"), proc_macro2::Span::call_site());
            *pt.pat = syn::parse_quote!(#name);
            apit |= matches!(&*pt.ty, Type::ImplTrait(_))
                || matches!(&*pt.ty, Type::Reference(r) if matches!(&*r.elem, Type::ImplTrait(_)));
            arg_names.push(name);
        }
    }
    if sig.asyncness.take().is_some() {
        let output = match &sig.output {
            ReturnType::Default => quote!(()),
            ReturnType::Type(_, ty) => quote!(#ty),
        };
        let send = send.then(|| quote!(+ ::core::marker::Send));
        sig.output = syn::parse_quote!(-> impl ::core::future::Future<Output = #output> #send);
    }
    let generic_args: Vec<TokenStream> = f
        .sig
        .generics
        .params
        .iter()
        .filter_map(|p| match p {
            syn::GenericParam::Type(t) => {
                let i = &t.ident;
                Some(quote!(#i))
            }
            syn::GenericParam::Const(c) => {
                let i = &c.ident;
                Some(quote!(#i))
            }
            syn::GenericParam::Lifetime(_) => None,
        })
        .collect();
    let turbofish = (!generic_args.is_empty() && !apit).then(|| quote!(::<#(#generic_args),*>));
    let receiver = match recv {
        Recv::None => None,
        Recv::Shared => Some(quote!(&**self)),
        Recv::Exclusive => Some(quote!(&mut **self)),
        Recv::Value | Recv::BoxSelf => Some(quote!(*self)),
        Recv::Other => unreachable!("not forwarded"),
    };
    let name = &sig.ident;
    let attrs = crate::parse::cfg_attrs(&f.attrs);
    let call_args = receiver.into_iter().chain(arg_names.iter().map(|n| quote!(#n)));
    quote! {
        #(#attrs)*
        #[inline]
        #sig {
            #this::#name #turbofish(#(#call_args),*)
        }
    }
}
