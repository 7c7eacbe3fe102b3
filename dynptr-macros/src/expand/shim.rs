//! The blanket shim: `impl<.., S, T: Foo> ErasedFoo<.., S> for T`, the vtable entries.
//!
//! Input: the model. Output: one impl whose methods call the ordinary `T::method`: an
//! `async fn` through `call::start`/`start_shared` (the future placed and polled once in
//! place), an eager return through `DynPtr::new`/`new_shared` (or `Wrap::wrap`), a
//! plain return as is; by-value `self` moves the receiver out with `take`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Ident, Lifetime};

use crate::model::{ArgKind, Model, Recv, Ret};

use super::erased::erased_sig;
use super::*;

pub(super) fn shim(m: &Model) -> TokenStream {
    let g = gen(m);
    let erased = &m.erased;
    let s = &m.strategy;
    let trait_ident = &m.item.ident;
    // The erased object carries these, so every value behind it has them; the shim may
    // then call methods whose `where` clause asks `Self: Sync` (a `(Send)` trait's).
    let auto = &m.auto;
    let (params, args, assoc, preds, bindings) = (&g.params, &g.args, &g.assoc, &g.preds, &g.bindings);
    let methods = m.methods.iter().map(|method| {
        let sig = erased_sig(m, &g, method);
        let attrs = &method.cfg_attrs;
        let name = &method.sig.ident;
        let arg_exprs = method.args.iter().map(|(i, _, kind)| match kind {
            ArgKind::FnOnce { inputs, .. } => {
                let ps: Vec<Ident> = (0..inputs.len())
                    .map(|n| Ident::new(&format!("__dynptr_p{n}"), crate::args::hygienic()))
                    .collect();
                quote!(move |#(#ps),*| #i(#(#ps),*))
            }
            _ => quote!(#i),
        });
        let (this_stmt, this) = if method.recv == Recv::Value {
            let this = Ident::new("__dynptr_this", crate::args::hygienic());
            let rebox = method
                .boxed_self
                .as_ref()
                .map(|b| quote!(let #this = #b::new(#this);));
            (
                quote! {
                    let #this: __DynptrT = ::dynptr::__private::take(self, __dynptr_token);
                    #rebox
                },
                quote!(#this),
            )
        } else {
            (quote!(), quote!(self))
        };
        let call = quote!({
            #this_stmt
            <__DynptrT as #trait_ident<#(#args),*>>::#name(#this, #(#arg_exprs),*)
        });
        let life = Lifetime::new("'__dynptr_s", proc_macro2::Span::call_site());
        let body = match (&method.ret, method.recv) {
            (Ret::Plain, _) => call,
            (Ret::Future { .. }, Recv::Exclusive | Recv::Value | Recv::Pinned) if method.in_place() => quote! {
                ::dynptr::__private::start(__dynptr_slot, __dynptr_strategy, __dynptr_cx, move || #call)
            },
            (Ret::Future { .. }, Recv::Shared) if method.in_place() => quote! {
                ::dynptr::__private::start_shared(__dynptr_slot, __dynptr_strategy, __dynptr_cx, move || #call)
            },
            (ret @ Ret::Wrapper { .. }, recv) => {
                let key = wrapper_key(m, ret, &life);
                let wrap = if matches!(recv, Recv::Exclusive | Recv::Pinned) {
                    quote!(wrap)
                } else {
                    quote!(wrap_shared)
                };
                quote!(<#key as ::dynptr::__private::Wrap<#life, #s, _>>::#wrap(__dynptr_strategy, #call))
            }
            (_, Recv::Exclusive | Recv::Value | Recv::Pinned) => {
                quote!(::dynptr::__private::DynPtr::new(__dynptr_strategy, #call))
            }
            (_, Recv::Shared) => quote!(::dynptr::__private::DynPtr::new_shared(__dynptr_strategy, #call)),
        };
        quote! {
            #(#attrs)*
            #[inline]
            #sig {
                #body
            }
        }
    });
    let clone_impl = m.clone.then(|| {
        let dyn_c = erased_dyn(
            m,
            &g,
            &Lifetime::new("'__dynptr_c", proc_macro2::Span::call_site()),
        );
        quote! {
            #[inline]
            fn __dynptr_clone<'__dynptr_c>(&self) -> ::dynptr::__private::Holder<'__dynptr_c, #dyn_c>
            where
                Self: '__dynptr_c,
            {
                ::dynptr::__private::boxed_receiver::<__DynptrT, #dyn_c>(
                    <__DynptrT as ::core::clone::Clone>::clone(self),
                )
            }
        }
    });
    quote! {
        #[allow(clippy::type_complexity, clippy::needless_lifetimes)]
        impl<#(#params,)* #(#assoc,)* #s, __DynptrT> #erased<#(#args,)* #(#assoc,)* #s> for __DynptrT
        where
            #s: ::dynptr::__private::Strategy,
            __DynptrT: #trait_ident<#(#args,)* #(#bindings),*> #(+ ::core::marker::#auto)*,
            #(#preds,)*
        {
            #(#methods)*
            #clone_impl
        }
    }
}
