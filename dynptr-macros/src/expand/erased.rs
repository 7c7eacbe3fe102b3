//! The erased trait: the dyn-compatible (vtable) form of the user's trait.
//!
//! Input: the model. Output: `trait ErasedFoo<params.., assoc.., S: Strategy>` with one
//! method per dispatchable method: an `async fn` takes the strategy, the call's
//! `CallSlot` and the first poll's `Context` and returns `Started` (the in-place entry
//! point); an eager `-> impl Trait` takes the strategy and returns a `DynPtr` (or the
//! other trait's wrapper); adapted arguments take their `dyn` form.

use proc_macro2::TokenStream;
use quote::quote;
use syn::visit_mut::VisitMut;
use syn::{Lifetime, ReturnType, Type};

use crate::model::{ArgKind, Model, Recv, Ret};
use crate::parse::Erase;

use super::*;

/// The return type of an erased method: a `DynPtr` for futures and `impl Trait`,
/// otherwise the method's own type.
pub(super) fn erased_ret(m: &Model, ret: &Ret, output: &ReturnType, life: &Lifetime) -> TokenStream {
    let names = assoc_names(m);
    let mut erase = Erase {
        assoc: &names,
        life: Some(life),
    };
    let s = &m.strategy;
    match ret {
        Ret::Plain => {
            let mut output = output.clone();
            Erase {
                assoc: &names,
                life: None,
            }
            .visit_return_type_mut(&mut output);
            quote!(#output)
        }
        Ret::Future { output, send } => {
            let mut output: Type = (**output).clone();
            erase.visit_type_mut(&mut output);
            let send = send.then(|| quote!(+ ::core::marker::Send));
            quote! {
                -> ::dynptr::__private::DynPtr<
                    #life,
                    dyn ::core::future::Future<Output = #output> #send + #life,
                    #s,
                >
            }
        }
        Ret::Dyn { bounds } => {
            let mut bounds = bounds.clone();
            for b in &mut bounds {
                erase.visit_type_param_bound_mut(b);
            }
            quote!(-> ::dynptr::__private::DynPtr<#life, dyn #(#bounds)+* + #life, #s>)
        }
        Ret::Wrapper { .. } => {
            let key = wrapper_key(m, ret, life);
            quote!(-> <#key as ::dynptr::__private::WrapperOf<#life, #s>>::Wrapper)
        }
    }
}

/// The type an adapted argument has in the erased trait.
pub(super) fn erased_arg_ty(
    m: &Model,
    ty: &Type,
    kind: &ArgKind,
    life: &Lifetime,
    stored: bool,
) -> TokenStream {
    let names = assoc_names(m);
    let mut erase = Erase {
        assoc: &names,
        life: Some(life),
    };
    let mut bounds_of = |bounds: &[syn::TypeParamBound]| {
        let mut bounds = bounds.to_vec();
        for b in &mut bounds {
            erase.visit_type_param_bound_mut(b);
        }
        quote!(#(#bounds)+*)
    };
    let s = &m.strategy;
    match kind {
        ArgKind::Plain => {
            let mut ty = ty.clone();
            Erase {
                assoc: &names,
                life: stored.then_some(life),
            }
            .visit_type_mut(&mut ty);
            quote!(#ty)
        }
        ArgKind::Into(t) => {
            let mut t: Type = (**t).clone();
            erase.visit_type_mut(&mut t);
            quote!(#t)
        }
        ArgKind::DynMut(bounds) => {
            let b = bounds_of(bounds);
            quote!(&#life mut (dyn #b + #life))
        }
        ArgKind::DynRef(bounds) => {
            let b = bounds_of(bounds);
            quote!(&#life (dyn #b + #life))
        }
        ArgKind::FnOnce {
            inputs,
            output,
            autos,
        } => {
            let autos = bounds_of(autos);
            let autos = (!autos.is_empty()).then(|| quote!(+ #autos));
            let mut inputs = inputs.clone();
            for t in &mut inputs {
                erase.visit_type_mut(t);
            }
            let mut output = output.clone();
            erase.visit_return_type_mut(&mut output);
            quote!(&#life mut (dyn FnMut(#(#inputs),*) #output #autos + #life))
        }
        ArgKind::Future(bounds) => {
            let b = bounds_of(bounds);
            quote!(::core::pin::Pin<&#life mut (dyn #b + #life)>)
        }
        ArgKind::RefDyn {
            mutable: true,
            bounds,
        } => {
            let b = bounds_of(bounds);
            quote!(&#life mut &#life mut (dyn #b + #life))
        }
        ArgKind::RefDyn {
            mutable: false,
            bounds,
        } => {
            let b = bounds_of(bounds);
            quote!(&#life &#life (dyn #b + #life))
        }
        ArgKind::Wrapper { erased, args, by_ref } => {
            let args = args.iter().map(|a| {
                let mut a = a.clone();
                erase.visit_generic_argument_mut(&mut a);
                a
            });
            // `&mut impl Bar`: the caller keeps the wrapper, the callee borrows it (the
            // wrapper's own borrow, `'__dynptr_w`, outlives that borrow).
            if *by_ref {
                quote!(&#life mut <dyn #erased<#(#args,)* #s> + '__dynptr_w as ::dynptr::__private::WrapperOf<'__dynptr_w, #s>>::Borrowed)
            } else {
                quote!(<dyn #erased<#(#args,)* #s> + #life as ::dynptr::__private::WrapperOf<#life, #s>>::Borrowed)
            }
        }
    }
}

/// The signature of a method in the erased trait and the shim (without the body).
/// `Self: Send`, `Self: Sync + Send`: only auto traits on `Self`.
pub(super) fn is_self_auto(p: &syn::WherePredicate) -> bool {
    let syn::WherePredicate::Type(pt) = p else {
        return false;
    };
    matches!(&pt.bounded_ty, Type::Path(tp) if tp.qself.is_none() && tp.path.is_ident("Self"))
        && pt.bounds.iter().all(|b| match b {
            syn::TypeParamBound::Trait(t) => t
                .path
                .segments
                .last()
                .is_some_and(|s| s.ident == "Send" || s.ident == "Sync"),
            _ => false,
        })
}

pub(super) fn erased_sig(m: &Model, g: &Gen, method: &crate::model::Method) -> TokenStream {
    let names = assoc_names(m);
    let s = &m.strategy;
    let name = erased_name(&method.sig.ident);
    let life = Lifetime::new("'__dynptr_s", proc_macro2::Span::call_site());
    let stored = !matches!(method.ret, Ret::Plain);
    let needs_life = stored || method.adapts_args() || method.recv == Recv::Value;
    let args: Vec<TokenStream> = method
        .args
        .iter()
        .map(|(i, ty, kind)| {
            let ty = erased_arg_ty(m, ty, kind, &life, stored);
            quote!(#i: #ty)
        })
        .collect();
    let (ret, in_place) = match (&method.ret, method.in_place()) {
        (Ret::Future { output, send }, true) => {
            // The in-place entry point: the shim gets the call's slot and the first
            // poll's context, and returns that poll's result.
            let names = assoc_names(m);
            let mut output: Type = (**output).clone();
            Erase {
                assoc: &names,
                life: Some(&life),
            }
            .visit_type_mut(&mut output);
            let send = send.then(|| quote!(+ ::core::marker::Send));
            (
                quote!(-> ::dynptr::__private::Started<'__dynptr_a, #output>),
                quote! {
                    __dynptr_slot: ::dynptr::__private::CallSlot<
                        '__dynptr_a,
                        #life,
                        dyn ::core::future::Future<Output = #output> #send + #life,
                        #s,
                    >,
                    __dynptr_cx: &mut ::core::task::Context<'_>,
                },
            )
        }
        _ => (erased_ret(m, &method.ret, &method.sig.output, &life), quote!()),
    };
    let method_lifetimes = lifetimes_of(&method.sig.generics);
    let mut where_preds: Vec<TokenStream> = Vec::new();
    if let Some(w) = &method.sig.generics.where_clause {
        for p in &w.predicates {
            // `Self: Send` / `Self: Sync` (what `(Send)` adds): the erased object carries
            // its auto traits, so the vtable form leaves them out.
            if is_self_auto(p) {
                continue;
            }
            let mut p = p.clone();
            Erase {
                assoc: &names,
                life: None,
            }
            .visit_where_predicate_mut(&mut p);
            where_preds.push(quote!(#p));
        }
    }
    // A receiver lifetime the user named (`&'a self`) is kept: the return type may use it.
    let named = method.sig.inputs.iter().find_map(|a| match a {
        syn::FnArg::Receiver(r) => r.reference.as_ref().and_then(|(_, l)| l.clone()),
        syn::FnArg::Typed(_) => None,
    });
    let receiver = match (method.recv, stored) {
        (Recv::Pinned, true) => quote!(self: ::core::pin::Pin<&#life mut Self>,),
        (Recv::Pinned, false) => quote!(self: ::core::pin::Pin<&#named mut Self>,),
        (Recv::Shared, true) => quote!(&#life self,),
        (Recv::Exclusive, true) => quote!(&#life mut self,),
        (Recv::Shared, false) => quote!(&#named self,),
        (Recv::Exclusive, false) => quote!(&#named mut self,),
        // The token is invariant in its lifetime and `take` wants the receiver borrowed
        // for exactly that lifetime: the receiver stays unusable after the move.
        (Recv::Value, _) => {
            quote!(&'__dynptr_t mut self, __dynptr_token: ::dynptr::__private::MoveToken<'__dynptr_t>,)
        }
    };
    let move_life = (method.recv == Recv::Value).then(|| quote!('__dynptr_t,));
    let strategy = stored.then(|| {
        let mutability = (method.recv != Recv::Shared).then(|| quote!(mut));
        quote!(__dynptr_strategy: &#life #mutability #s,)
    });
    let generic_life = needs_life.then(|| quote!(#life,));
    let slot_life = method.in_place().then(|| quote!('__dynptr_a,));
    let wrapper_life = method
        .args
        .iter()
        .any(|(_, _, k)| matches!(k, ArgKind::Wrapper { by_ref: true, .. }))
        .then(|| quote!('__dynptr_w,));
    let outlives = if needs_life {
        let lts = method_lifetimes.iter().map(|l| quote!(#l: #life));
        let trait_outlives = g.outlives.iter().map(|o| quote!(#o: #life));
        let assoc_outlives = g.assoc.iter().map(|a| quote!(#a: #life));
        let self_outlives = stored.then(|| quote!(Self: #life,));
        // A receiver lifetime the user named is the storage lifetime itself: the method's
        // own signature ties its return to it.
        let named_is_life = named.as_ref().filter(|_| stored).map(|l| quote!(#life: #l,));
        let default =
            matches!(method.ret, Ret::Wrapper { .. }).then(|| quote!(#s: ::core::default::Default,));
        quote!(#(#lts,)* #(#trait_outlives,)* #(#assoc_outlives,)* #self_outlives #named_is_life #default)
    } else {
        quote!()
    };
    quote! {
        fn #name<#generic_life #slot_life #move_life #wrapper_life #(#method_lifetimes),*>(
            #receiver
            #strategy
            #(#args,)*
            #in_place
        ) #ret
        where
            #outlives
            #(#where_preds,)*
    }
}

pub(super) fn erased_trait(m: &Model) -> TokenStream {
    let g = gen(m);
    let vis = &m.item.vis;
    let erased = &m.erased;
    let s = &m.strategy;
    let trait_ident = &m.item.ident;
    let (params, assoc, preds) = (&g.params, &g.assoc, &g.preds);
    let methods = m.methods.iter().map(|method| {
        let sig = erased_sig(m, &g, method);
        let attrs = &method.cfg_attrs;
        quote!(#(#attrs)* #sig;)
    });
    let clone_method = m.clone.then(|| {
        let dyn_c = erased_dyn(
            m,
            &g,
            &Lifetime::new("'__dynptr_c", proc_macro2::Span::call_site()),
        );
        quote! {
            /// Clones the receiver onto the heap (the `Clone` supertrait).
            fn __dynptr_clone<'__dynptr_c>(&self) -> ::dynptr::__private::Holder<'__dynptr_c, #dyn_c>
            where
                Self: '__dynptr_c;
        }
    });
    let supers = {
        let f = &m.fmt_supers;
        let dyn_supers = m.dyn_supers.iter().map(|path| {
            let SuperParts {
                erased, erased_args, ..
            } = super_parts(path);
            quote!(#erased<#(#erased_args,)* #s>)
        });
        let all: Vec<TokenStream> = f
            .iter()
            .map(|f| quote!(::core::fmt::#f))
            .chain(dyn_supers)
            .collect();
        (!all.is_empty()).then(|| quote!(: #(#all)+*))
    };
    let doc = format!(
        "The dyn-compatible (vtable) form of [`{trait_ident}`], generated by `#[dyn_trait]`: \
         each method stores its returned value with the strategy `{s}`."
    );
    quote! {
        #[doc = #doc]
        #[doc(hidden)]
        #[allow(non_camel_case_types, clippy::type_complexity, clippy::needless_lifetimes)]
        #vis trait #erased<#(#params,)* #(#assoc,)* #s: ::dynptr::__private::Strategy> #supers
        where #(#preds,)*
        {
            #(#methods)*
            #clone_method
        }
    }
}
