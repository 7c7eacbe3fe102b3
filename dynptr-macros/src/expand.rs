//! Writes the expansion: the user's trait (untouched but for `Send`), the erased trait,
//! the blanket shim, the wrapper with its constructors, and the wrapper's impl of the
//! trait.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;
use syn::{GenericParam, Ident, Lifetime, ReturnType, Type};

use crate::parse::{ArgKind, Erase, Model, Recv, Ret};

pub(crate) fn expand(m: &Model) -> TokenStream {
    let item = &m.item;
    let erased_trait = erased_trait(m);
    let shim = shim(m);
    let wrapper = wrapper(m);
    let wrapper_impl = wrapper_impl(m);
    let callback = callback(m);
    let supers = super_impls(m);
    quote! {
        #item
        #erased_trait
        #shim
        #wrapper
        #wrapper_impl
        #callback
        #supers
    }
}

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
fn callback(m: &Model) -> TokenStream {
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
fn super_impls(m: &Model) -> TokenStream {
    let g = gen(m);
    let (wrapper, s, life, r) = (&m.wrapper, &m.strategy, &m.life, &m.receiver);
    let (params, args, assoc, preds) = (&g.params, &g.args, &g.assoc, &g.preds);
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

/// Pieces of generics the generated items share.
struct Gen {
    /// The trait's parameters with bounds, defaults removed.
    params: Vec<TokenStream>,
    /// The trait's parameters as arguments (`'x, K, N`).
    args: Vec<TokenStream>,
    /// The trait's lifetimes and type parameters, for `: '__s` bounds.
    outlives: Vec<TokenStream>,
    /// The trait's `where` predicates.
    preds: Vec<TokenStream>,
    /// The associated types' parameters.
    assoc: Vec<Ident>,
    /// `Item = Item` bindings for `T: Trait<.., Item = Item>`.
    bindings: Vec<TokenStream>,
}

fn gen(m: &Model) -> Gen {
    let mut g = Gen {
        params: Vec::new(),
        args: Vec::new(),
        outlives: Vec::new(),
        preds: Vec::new(),
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
    if let Some(w) = &m.item.generics.where_clause {
        g.preds = w.predicates.iter().map(|p| quote!(#p)).collect();
    }
    g
}

/// The erased trait's name for a method: prefixed, so that calls on a wrapper (which
/// implements both the trait and, through the blanket shim, the erased trait) are not
/// ambiguous.
fn erased_name(name: &Ident) -> Ident {
    Ident::new(&format!("__dynptr_{name}"), name.span())
}

/// The lifetime parameters of a generics list.
fn lifetimes_of(generics: &syn::Generics) -> Vec<&Lifetime> {
    generics.lifetimes().map(|l| &l.lifetime).collect()
}

fn assoc_names(m: &Model) -> Vec<(Ident, Ident)> {
    m.assoc
        .iter()
        .map(|a| (a.ident.clone(), a.param.clone()))
        .collect()
}

/// The erased trait's object type: `dyn ErasedFoo<'x, K, Item, S> + Send + 'a`.
fn erased_dyn(m: &Model, g: &Gen, life: &Lifetime) -> TokenStream {
    let erased = &m.erased;
    let s = &m.strategy;
    let (args, assoc, auto) = (&g.args, &g.assoc, &m.auto);
    quote!(dyn #erased<#(#args,)* #(#assoc,)* #s> #(+ ::core::marker::#auto)* + #life)
}

/// The return type of an erased method: a `DynPtr` for futures and `impl Trait`,
/// otherwise the method's own type.
fn erased_ret(m: &Model, ret: &Ret, output: &ReturnType, life: &Lifetime) -> TokenStream {
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

/// For a method returning `impl Bar<A, Assoc = X>`: `dyn ErasedBar<A, X, S> + 's`, the
/// type whose `WrapperOf` impl (emitted by `Bar`'s own `#[dyn_trait]`) names `DynBar`.
fn wrapper_key(m: &Model, ret: &Ret, life: &Lifetime) -> TokenStream {
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

/// The type an adapted argument has in the erased trait.
fn erased_arg_ty(m: &Model, ty: &Type, kind: &ArgKind, life: &Lifetime, stored: bool) -> TokenStream {
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
        ArgKind::Wrapper { erased, args, .. } => {
            let args = args.iter().map(|a| {
                let mut a = a.clone();
                erase.visit_generic_argument_mut(&mut a);
                a
            });
            quote!(<dyn #erased<#(#args,)* #s> + #life as ::dynptr::__private::WrapperOf<#life, #s>>::Borrowed)
        }
    }
}

/// The signature of a method in the erased trait and the shim (without the body).
fn erased_sig(m: &Model, g: &Gen, method: &crate::parse::Method) -> TokenStream {
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
            let mut p = p.clone();
            Erase {
                assoc: &names,
                life: None,
            }
            .visit_where_predicate_mut(&mut p);
            where_preds.push(quote!(#p));
        }
    }
    let receiver = match (method.recv, stored) {
        (Recv::Shared, true) => quote!(&#life self,),
        (Recv::Exclusive, true) => quote!(&#life mut self,),
        (Recv::Shared, false) => quote!(&self,),
        (Recv::Exclusive, false) => quote!(&mut self,),
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
    let outlives = if needs_life {
        let lts = method_lifetimes.iter().map(|l| quote!(#l: #life));
        let trait_outlives = g.outlives.iter().map(|o| quote!(#o: #life));
        let assoc_outlives = g.assoc.iter().map(|a| quote!(#a: #life));
        let self_outlives = stored.then(|| quote!(Self: #life,));
        let default =
            matches!(method.ret, Ret::Wrapper { .. }).then(|| quote!(#s: ::core::default::Default,));
        quote!(#(#lts,)* #(#trait_outlives,)* #(#assoc_outlives,)* #self_outlives #default)
    } else {
        quote!()
    };
    quote! {
        fn #name<#generic_life #slot_life #move_life #(#method_lifetimes),*>(
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

fn erased_trait(m: &Model) -> TokenStream {
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
            let mut erased = path.clone();
            let last = erased.segments.last_mut().unwrap();
            last.ident = format_ident!("Erased{}", last.ident);
            quote!(#erased<#s>)
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

fn shim(m: &Model) -> TokenStream {
    let g = gen(m);
    let erased = &m.erased;
    let s = &m.strategy;
    let trait_ident = &m.item.ident;
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
            (Ret::Future { .. }, Recv::Exclusive | Recv::Value) if method.in_place() => quote! {
                ::dynptr::__private::start(__dynptr_slot, __dynptr_strategy, __dynptr_cx, move || #call)
            },
            (Ret::Future { .. }, Recv::Shared) if method.in_place() => quote! {
                ::dynptr::__private::start_shared(__dynptr_slot, __dynptr_strategy, __dynptr_cx, move || #call)
            },
            (ret @ Ret::Wrapper { .. }, recv) => {
                let key = wrapper_key(m, ret, &life);
                let wrap = if recv == Recv::Exclusive {
                    quote!(wrap)
                } else {
                    quote!(wrap_shared)
                };
                quote!(<#key as ::dynptr::__private::Wrap<#life, #s, _>>::#wrap(__dynptr_strategy, #call))
            }
            (_, Recv::Exclusive | Recv::Value) => {
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
            __DynptrT: #trait_ident<#(#args,)* #(#bindings),*>,
            #(#preds,)*
        {
            #(#methods)*
            #clone_impl
        }
    }
}

fn wrapper(m: &Model) -> TokenStream {
    let g = gen(m);
    let vis = &m.item.vis;
    let (wrapper, trait_ident, s, life) = (&m.wrapper, &m.item.ident, &m.strategy, &m.life);
    let (params, args, assoc, preds, bindings) = (&g.params, &g.args, &g.assoc, &g.preds, &g.bindings);
    let dyn_ty = erased_dyn(m, &g, life);
    let life_s = Lifetime::new("'__dynptr_s", proc_macro2::Span::call_site());
    let dyn_ty_s = erased_dyn(m, &g, &life_s);
    let dyn_key = {
        let erased = &m.erased;
        quote!(dyn #erased<#(#args,)* #(#assoc,)* #s> + #life_s)
    };
    let r = &m.receiver;
    let outlives_s: Vec<TokenStream> = g
        .outlives
        .iter()
        .map(|o| quote!(#o: #life_s))
        .chain(g.assoc.iter().map(|a| quote!(#a: #life_s)))
        .collect();
    let lifetimes = lifetimes_of(&m.item.generics);
    let types: Vec<&Ident> = m.item.generics.type_params().map(|t| &t.ident).collect();
    let auto = &m.auto;
    let borrow_receiver = if m.all_shared {
        quote!(::dynptr::__private::SharedHolder)
    } else {
        quote!(::dynptr::__private::Holder)
    };
    let receiver = if m.by_value() {
        quote!(::dynptr::__private::OwnedHolder)
    } else {
        borrow_receiver.clone()
    };
    let wrap_receiver = |r: TokenStream| {
        if m.by_value() {
            quote!(::dynptr::__private::OwnedHolder::from_owned(#r))
        } else if m.all_shared {
            quote!(::dynptr::__private::SharedHolder::from_owned(#r))
        } else {
            r
        }
    };
    let impl_bound = quote!(#trait_ident<#(#args,)* #(#bindings),*> #(+ ::core::marker::#auto)* + #life);
    let impl_bound_s = quote!(#trait_ident<#(#args,)* #(#bindings),*> #(+ ::core::marker::#auto)* + #life_s);
    let self_ty = quote!(#wrapper<#life, #(#args,)* #(#assoc,)* #s>);
    let default_ty = quote!(#wrapper<#life, #(#args,)* #(#assoc,)* ::dynptr::__private::DefaultStrategy>);

    let slot_receiver = wrap_receiver(quote!(::dynptr::__private::Holder::in_slot(slot, value)));
    let boxed_receiver =
        wrap_receiver(quote!(::dynptr::__private::boxed_receiver::<__DynptrT, #dyn_ty>(value)));
    let from_mut = if m.all_shared {
        quote!(::dynptr::__private::SharedHolder::from_mut(value))
    } else {
        quote!(::dynptr::__private::Holder::from_mut(value))
    };
    let with_strategy = (!m.by_value()).then(|| {
        quote! {
            /// Borrows `value` exclusively, storing returned values with `strategy`.
            #[inline]
            pub fn with_strategy<__DynptrT>(value: &#life mut __DynptrT, strategy: #s) -> Self
            where
                __DynptrT: #impl_bound,
            {
                let value: &#life mut (#dyn_ty) = value;
                #wrapper {
                    __dynptr_receiver: #from_mut,
                    __dynptr_strategy: strategy,
                    __dynptr_marker: ::core::marker::PhantomData,
                }
            }

        }
    });
    let from_ref = m.all_shared.then(|| {
        quote! {
            /// Borrows `value` shared (every method of the trait takes `&self`), storing
            /// returned values with `strategy`.
            #[inline]
            pub fn from_ref_with_strategy<__DynptrT>(value: &#life __DynptrT, strategy: #s) -> Self
            where
                __DynptrT: #impl_bound,
            {
                let value: &#life (#dyn_ty) = value;
                #wrapper {
                    __dynptr_receiver: ::dynptr::__private::SharedHolder::from_ref(value),
                    __dynptr_strategy: strategy,
                    __dynptr_marker: ::core::marker::PhantomData,
                }
            }
        }
    });
    let new = (!m.by_value()).then(|| {
        quote! {
            /// Borrows `value` exclusively, with the default strategy (`Boxed`; without
            /// `dynptr`'s `box` feature, use `with_strategy`).
            #[inline]
            pub fn new<__DynptrT>(value: &#life mut __DynptrT) -> Self
            where
                __DynptrT: #impl_bound,
            {
                Self::with_strategy(value, ::core::default::Default::default())
            }

            /// [`new`](Self::new) under `dynosaur`'s name.
            #[inline]
            pub fn from_mut<__DynptrT>(value: &#life mut __DynptrT) -> Self
            where
                __DynptrT: #impl_bound,
            {
                Self::new(value)
            }

        }
    });
    let from_ref_default = m.all_shared.then(|| {
        quote! {
            /// Borrows `value` shared, with the default strategy (`Boxed`).
            #[inline]
            pub fn from_ref<__DynptrT>(value: &#life __DynptrT) -> Self
            where
                __DynptrT: #impl_bound,
            {
                Self::from_ref_with_strategy(value, ::core::default::Default::default())
            }
        }
    });
    let coerce_generics = quote!(#life, #(#params,)* #(#assoc,)* #s: ::dynptr::__private::Strategy);
    let doc = format!(
        "A dyn [`{trait_ident}`]: holds any implementor (borrowed or owned) and implements \
         [`{trait_ident}`] itself, storing each returned future or `impl Trait` value with the \
         strategy `{s}` (default `Boxed`). Generated by `#[dyn_trait]`."
    );
    let name_str = wrapper.to_string();
    let fmt_impl = |tr: &str| {
        let tr = Ident::new(tr, proc_macro2::Span::call_site());
        quote! {
            impl<#life, #(#params,)* #(#assoc,)* #s: ::dynptr::__private::Strategy, #r> ::core::fmt::#tr
                for #wrapper<#life, #(#args,)* #(#assoc,)* #s, #r>
            where
                #r: ::dynptr::__private::HoldsRef<#dyn_ty>,
                #(#preds,)*
            {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    ::core::fmt::#tr::fmt(::dynptr::__private::HoldsRef::receiver(&self.__dynptr_receiver), f)
                }
            }
        }
    };
    let mut fmt_impls = Vec::new();
    if m.clone {
        let erased = &m.erased;
        let wrap = if m.by_value() {
            quote!(::dynptr::__private::OwnedHolder::from_owned)
        } else if m.all_shared {
            quote!(::dynptr::__private::SharedHolder::from_owned)
        } else {
            quote!(::core::convert::identity)
        };
        fmt_impls.push(quote! {
            /// Clones the receiver onto the heap (whatever held the original: a borrow, a
            /// box, a slot) and the strategy.
            impl<#life, #(#params,)* #(#assoc,)* #s> ::core::clone::Clone for #self_ty
            where
                #s: ::dynptr::__private::Strategy + ::core::clone::Clone,
                #(#preds,)*
            {
                fn clone(&self) -> Self {
                    let receiver: &(#dyn_ty) = ::dynptr::__private::HoldsRef::receiver(&self.__dynptr_receiver);
                    #wrapper {
                        __dynptr_receiver: #wrap(#erased::<#(#args,)* #(#assoc,)* #s>::__dynptr_clone(receiver)),
                        __dynptr_strategy: ::core::clone::Clone::clone(&self.__dynptr_strategy),
                        __dynptr_marker: ::core::marker::PhantomData,
                    }
                }
            }
        });
    }
    if m.fmt_supers.iter().any(|f| f == "Debug") {
        fmt_impls.push(fmt_impl("Debug"));
    } else {
        fmt_impls.push(quote! {
            impl<#life, #(#params,)* #(#assoc,)* #s: ::dynptr::__private::Strategy, #r> ::core::fmt::Debug
                for #wrapper<#life, #(#args,)* #(#assoc,)* #s, #r>
            where
                #r: ::dynptr::__private::HoldsRef<#dyn_ty>,
                #(#preds,)*
            {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.debug_struct(#name_str)
                        .field("owned", &::dynptr::__private::HoldsRef::is_owned(&self.__dynptr_receiver))
                        .finish_non_exhaustive()
                }
            }
        });
    }
    if m.fmt_supers.iter().any(|f| f == "Display") {
        fmt_impls.push(fmt_impl("Display"));
    }
    quote! {
        ::dynptr::impl_coerce!([#coerce_generics] where [#(#preds),*] #dyn_ty);

        #[doc = #doc]
        #vis struct #wrapper<
            #life,
            #(#params,)*
            #(#assoc,)*
            #s: ::dynptr::__private::Strategy = ::dynptr::__private::DefaultStrategy,
            #r = #receiver<#life, #dyn_ty>,
        >
        where #(#preds,)*
        {
            __dynptr_receiver: #r,
            __dynptr_strategy: #s,
            __dynptr_marker: ::core::marker::PhantomData<(&#life (), #(&#lifetimes (),)* fn() -> (#(#types,)* #(#assoc,)*))>,
        }

        #[allow(clippy::type_complexity, clippy::needless_lifetimes)]
        impl<#life, #(#params,)* #(#assoc,)* #s: ::dynptr::__private::Strategy, #r> #wrapper<#life, #(#args,)* #(#assoc,)* #s, #r>
        where #(#preds,)*
        {
            /// Builds a wrapper from a receiver holder and a strategy (what a method
            /// returning `impl` of this trait uses).
            #[doc(hidden)]
            #[inline(always)]
            pub fn __from_parts(receiver: #r, strategy: #s) -> Self {
                #wrapper {
                    __dynptr_receiver: receiver,
                    __dynptr_strategy: strategy,
                    __dynptr_marker: ::core::marker::PhantomData,
                }
            }

            /// The strategy that stores returned values.
            #[inline]
            pub fn strategy(&self) -> &#s {
                &self.__dynptr_strategy
            }

            /// The strategy that stores returned values, mutably.
            #[inline]
            pub fn strategy_mut(&mut self) -> &mut #s {
                &mut self.__dynptr_strategy
            }
        }

        impl<'__dynptr_s, #(#params,)* #(#assoc,)* #s: ::dynptr::__private::Strategy + '__dynptr_s>
            ::dynptr::__private::WrapperOf<'__dynptr_s, #s> for #dyn_key
        where
            #(#outlives_s,)*
            #(#preds,)*
        {
            type Wrapper = #wrapper<'__dynptr_s, #(#args,)* #(#assoc,)* #s, ::dynptr::__private::DynPtr<'__dynptr_s, #dyn_ty_s, #s>>;
            type Borrowed = #wrapper<'__dynptr_s, #(#args,)* #(#assoc,)* #s, #borrow_receiver<'__dynptr_s, #dyn_ty_s>>;
        }

        impl<'__dynptr_s, #(#params,)* #(#assoc,)* #s, __DynptrT> ::dynptr::__private::Wrap<'__dynptr_s, #s, __DynptrT> for #dyn_key
        where
            #s: ::dynptr::__private::Strategy + ::core::default::Default + '__dynptr_s,
            __DynptrT: #impl_bound_s,
            #(#outlives_s,)*
            #(#preds,)*
        {
            #[inline]
            fn wrap(strategy: &'__dynptr_s mut #s, value: __DynptrT) -> Self::Wrapper {
                #wrapper::__from_parts(
                    ::dynptr::__private::DynPtr::new(strategy, value),
                    ::core::default::Default::default(),
                )
            }
            #[inline]
            fn borrow(value: &'__dynptr_s mut __DynptrT, strategy: #s) -> Self::Borrowed {
                let value: &'__dynptr_s mut (#dyn_ty_s) = value;
                #wrapper::__from_parts(#borrow_receiver::from_mut(value), strategy)
            }
            #[inline]
            fn wrap_shared(strategy: &'__dynptr_s #s, value: __DynptrT) -> Self::Wrapper {
                #wrapper::__from_parts(
                    ::dynptr::__private::DynPtr::new_shared(strategy, value),
                    ::core::default::Default::default(),
                )
            }
        }

        #[allow(clippy::type_complexity, clippy::needless_lifetimes)]
        impl<#life, #(#params,)* #(#assoc,)* #s: ::dynptr::__private::Strategy> #self_ty
        where #(#preds,)*
        {
            #with_strategy

            #from_ref

            /// Owns `value` on the heap (`Box` in the global allocator), storing returned
            /// values with `strategy`. Needs the `box` feature of `dynptr`.
            #[inline]
            pub fn boxed_with_strategy<__DynptrT>(value: __DynptrT, strategy: #s) -> Self
            where
                __DynptrT: #impl_bound,
            {
                #wrapper {
                    __dynptr_receiver: #boxed_receiver,
                    __dynptr_strategy: strategy,
                    __dynptr_marker: ::core::marker::PhantomData,
                }
            }

            /// Owns `value`, stored in `slot` (on your stack: no allocator needed),
            /// storing returned values with `strategy`.
            #[inline]
            pub fn in_slot_with_strategy<__DynptrT>(
                slot: &#life mut ::dynptr::__private::ReceiverSlot<__DynptrT>,
                value: __DynptrT,
                strategy: #s,
            ) -> Self
            where
                __DynptrT: #impl_bound,
            {
                #wrapper {
                    __dynptr_receiver: #slot_receiver,
                    __dynptr_strategy: strategy,
                    __dynptr_marker: ::core::marker::PhantomData,
                }
            }

            /// Whether the wrapper owns its receiver (`boxed`, `in_slot`) rather than
            /// borrowing it.
            #[inline]
            pub fn is_owned(&self) -> bool {
                ::dynptr::__private::HoldsRef::is_owned(&self.__dynptr_receiver)
            }
        }

        #[allow(clippy::type_complexity, clippy::needless_lifetimes)]
        impl<#life, #(#params,)* #(#assoc,)*> #default_ty
        where #(#preds,)*
        {
            #new

            #from_ref_default

            /// Owns `value` on the heap, with the default strategy (`Boxed`).
            #[inline]
            pub fn boxed<__DynptrT>(value: __DynptrT) -> Self
            where
                __DynptrT: #impl_bound,
            {
                Self::boxed_with_strategy(value, ::core::default::Default::default())
            }

            /// Owns `value`, stored in `slot`, with the default strategy (`Boxed`).
            #[inline]
            pub fn in_slot<__DynptrT>(
                slot: &#life mut ::dynptr::__private::ReceiverSlot<__DynptrT>,
                value: __DynptrT,
            ) -> Self
            where
                __DynptrT: #impl_bound,
            {
                Self::in_slot_with_strategy(slot, value, ::core::default::Default::default())
            }
        }

        #(#fmt_impls)*
    }
}

/// The caller's side of argument adaptation: statements that prepare each adapted
/// argument in the wrapper's frame (or its `async` block), and the expressions passed to
/// the erased method.
fn adapt_args(m: &Model, method: &crate::parse::Method, s: &Ident) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let mut prelude = Vec::new();
    let mut exprs = Vec::new();
    for (i, _, kind) in &method.args {
        match kind {
            ArgKind::Plain => exprs.push(quote!(#i)),
            ArgKind::Into(_) => {
                prelude.push(quote!(let #i = ::core::convert::Into::into(#i);));
                exprs.push(quote!(#i));
            }
            ArgKind::DynMut(_) => {
                prelude.push(quote!(let mut #i = #i;));
                exprs.push(quote!(&mut #i));
            }
            ArgKind::DynRef(_) => exprs.push(quote!(&#i)),
            ArgKind::FnOnce { inputs, .. } => {
                let once = Ident::new("__dynptr_once", crate::args::hygienic());
                let ps: Vec<Ident> = (0..inputs.len())
                    .map(|n| Ident::new(&format!("__dynptr_p{n}"), crate::args::hygienic()))
                    .collect();
                prelude.push(quote! {
                    let mut #once = ::core::option::Option::Some(#i);
                    // The callee gets an `FnOnce` over this and calls it at most once.
                    let mut #i = move |#(#ps: #inputs),*| match #once.take() {
                        ::core::option::Option::Some(f) => f(#(#ps),*),
                        ::core::option::Option::None => ::core::unreachable!("an FnOnce argument called twice"),
                    };
                });
                exprs.push(quote!(&mut #i));
            }
            ArgKind::Future(_) => {
                prelude.push(quote!(let #i = ::core::pin::pin!(#i);));
                exprs.push(quote!(#i));
            }
            ArgKind::RefDyn {
                mutable: true,
                bounds,
            } => {
                prelude.push(quote!(let mut #i: &mut (dyn #(#bounds)+* + '_) = #i;));
                exprs.push(quote!(&mut #i));
            }
            ArgKind::RefDyn {
                mutable: false,
                bounds,
            } => {
                prelude.push(quote!(let #i: &(dyn #(#bounds)+* + '_) = #i;));
                exprs.push(quote!(&#i));
            }
            ArgKind::Wrapper { erased, args, by_ref } => {
                let names = assoc_names(m);
                let args = args.iter().map(|a| {
                    let mut a = a.clone();
                    Erase {
                        assoc: &names,
                        life: None,
                    }
                    .visit_generic_argument_mut(&mut a);
                    a
                });
                let place = if *by_ref {
                    quote!(#i)
                } else {
                    prelude.push(quote!(let mut #i = #i;));
                    quote!(&mut #i)
                };
                exprs.push(quote! {
                    <dyn #erased<#(#args,)* #s> + '_ as ::dynptr::__private::Wrap<'_, #s, _>>::borrow(
                        #place,
                        ::core::default::Default::default(),
                    )
                });
            }
        }
    }
    (prelude, exprs)
}

/// Binds each argument expression to a local (`let __dynptr_a0 = expr;`), so that a
/// `move` closure captures the values (and borrows) rather than borrowing the locals.
fn bind_args(exprs: &[TokenStream]) -> (Vec<TokenStream>, Vec<Ident>) {
    let names: Vec<Ident> = (0..exprs.len())
        .map(|n| Ident::new(&format!("__dynptr_a{n}"), crate::args::hygienic()))
        .collect();
    let binds = exprs
        .iter()
        .zip(&names)
        .map(|(e, n)| quote!(let #n = #e;))
        .collect();
    (binds, names)
}

/// Where the trait's impl goes when it is not the trait's own wrapper: the wrapper of a
/// `#[dyn_trait]` trait that has this trait as a supertrait (through the callback).
pub(crate) struct SuperTarget {
    /// `'a, S, R` (with bounds), the other wrapper's generic parameters.
    pub(crate) generics: TokenStream,
    /// `DynWidget<'a, S, R>`.
    pub(crate) self_ty: TokenStream,
    /// `DynWidget`, for destructuring.
    pub(crate) wrapper: Ident,
    /// The other wrapper's strategy and receiver-holder parameters.
    pub(crate) strategy: Ident,
    pub(crate) receiver: Ident,
    /// The other wrapper's erased trait object (`dyn ErasedWidget<S> + 'a`).
    pub(crate) dyn_ty: TokenStream,
    /// The other wrapper's `where` predicates.
    pub(crate) preds: TokenStream,
    /// This trait's path and its erased trait's path, as seen from the other wrapper.
    pub(crate) trait_path: TokenStream,
    pub(crate) erased_path: TokenStream,
}

fn wrapper_impl(m: &Model) -> TokenStream {
    wrapper_impl_for(m, None)
}

pub(crate) fn wrapper_impl_for(m: &Model, target: Option<&SuperTarget>) -> TokenStream {
    let g = gen(m);
    let (erased, life) = (&m.erased, &m.life);
    let s = target.map_or(&m.strategy, |t| &t.strategy);
    let wrapper = target.map_or(&m.wrapper, |t| &t.wrapper);
    let trait_ident = &m.item.ident;
    let (params, args, assoc, preds) = (&g.params, &g.args, &g.assoc, &g.preds);
    let names = assoc_names(m);

    let mut s_bounds = vec![quote!(::dynptr::__private::Strategy)];
    let wrapper_args = m.methods.iter().any(|x| {
        x.args
            .iter()
            .any(|(_, _, k)| matches!(k, ArgKind::Wrapper { .. }))
    });
    if wrapper_args || m.methods.iter().any(|x| matches!(x.ret, Ret::Wrapper { .. })) {
        s_bounds.push(quote!(::core::default::Default));
    }
    if m.send {
        s_bounds.push(quote!(::dynptr::__private::ThreadSafePointers));
    }
    for a in &m.auto {
        s_bounds.push(quote!(::core::marker::#a));
    }
    let mut extra = Vec::new();
    for a in &m.assoc {
        if !a.bounds.is_empty() {
            let mut bounds = a.bounds.clone();
            for b in &mut bounds {
                Erase {
                    assoc: &names,
                    life: None,
                }
                .visit_type_param_bound_mut(b);
            }
            let p = &a.param;
            extra.push(quote!(#p: #bounds));
        }
    }
    if m.clone {
        extra.push(quote!(Self: ::core::clone::Clone));
    }
    if target.is_none() {
        for path in &m.dyn_supers {
            extra.push(quote!(Self: #path));
        }
    }
    if m.is_static && target.is_none() {
        extra.push(quote!(#life: 'static));
        extra.extend(g.outlives.iter().map(|o| quote!(#o: 'static)));
        extra.extend(g.assoc.iter().map(|a| quote!(#a: 'static)));
        extra.push(quote!(#s: 'static));
        let r = &m.receiver;
        extra.push(quote!(#r: 'static));
    }
    let assoc_items = m.assoc.iter().map(|a| {
        let (attrs, i, p) = (&a.attrs, &a.ident, &a.param);
        quote!(#(#attrs)* type #i = #p;)
    });
    let erased_path = match target {
        Some(t) => {
            let e = &t.erased_path;
            quote!(#e::<#s>)
        }
        None => quote!(#erased::<#(#args,)* #(#assoc,)* #s>),
    };
    let methods = m.methods.iter().map(|method| {
        let mut sig = method.sig.clone();
        if sig.asyncness.take().is_some() {
            let output = match &sig.output {
                ReturnType::Default => quote!(()),
                ReturnType::Type(_, ty) => quote!(#ty),
            };
            sig.output = syn::parse_quote!(-> impl ::core::future::Future<Output = #output>);
        }
        let (prelude, arg_exprs) = adapt_args(m, method, s);
        let hyg = |n: &str| Ident::new(n, crate::args::hygienic());
        let (r, st) = (hyg("__dynptr_r"), hyg("__dynptr_s"));
        let name = erased_name(&sig.ident);
        let body = if method.recv == Recv::Value {
            let (recv, token) = (hyg("__dynptr_recv"), hyg("__dynptr_token"));
            let unboxed = if method.boxed_self.is_some() {
                quote!(*self)
            } else {
                quote!(self)
            };
            let destructure = quote! {
                let #wrapper { __dynptr_receiver: #r, __dynptr_strategy: #st, .. } = #unboxed;
            };
            match &method.ret {
                Ret::Plain => quote! {
                    #destructure
                    ::core::mem::drop(#st);
                    #(#prelude)*
                    ::dynptr::__private::HoldsOwned::consume(#r, |#recv, #token| {
                        #erased_path::#name(#recv, #token, #(#arg_exprs),*)
                    })
                },
                _ if method.in_place() => {
                    let (binds, names) = bind_args(&arg_exprs);
                    let (slot, cx, sr) = (hyg("__dynptr_slot"), hyg("__dynptr_cx"), hyg("__dynptr_sr"));
                    // The receiver is moved out at the first poll, inside the call.
                    quote! {
                        #destructure
                        async move {
                            let mut #st = #st;
                            #(#prelude)*
                            #(#binds)*
                            let #sr = &mut #st;
                            ::dynptr::__private::Call::new(move |#slot, #cx| {
                                ::dynptr::__private::HoldsOwned::consume(#r, move |#recv, #token| {
                                    #erased_path::#name(#recv, #token, #sr, #(#names,)* #slot, #cx)
                                })
                            })
                            .await
                        }
                    }
                }
                _ => quote! {
                    #destructure
                    async move {
                        let mut #st = #st;
                        #(#prelude)*
                        let __dynptr_fut = ::dynptr::__private::HoldsOwned::consume(#r, |#recv, #token| {
                            #erased_path::#name(#recv, #token, &mut #st, #(#arg_exprs),*)
                        });
                        __dynptr_fut.await
                    }
                },
            }
        } else {
            let (recv, strategy) = match method.recv {
                Recv::Exclusive => (
                    quote!(::dynptr::__private::HoldsMut::receiver_mut(
                        &mut self.__dynptr_receiver
                    )),
                    quote!(&mut self.__dynptr_strategy),
                ),
                _ => (
                    quote!(::dynptr::__private::HoldsRef::receiver(&self.__dynptr_receiver)),
                    quote!(&self.__dynptr_strategy),
                ),
            };
            match &method.ret {
                Ret::Plain => quote! {
                    #(#prelude)*
                    #erased_path::#name(#recv, #(#arg_exprs),*)
                },
                _ if method.in_place() => {
                    let (binds, names) = bind_args(&arg_exprs);
                    let (slot, cx, w) = (hyg("__dynptr_slot"), hyg("__dynptr_cx"), hyg("__dynptr_w"));
                    // The closure captures the wrapper reference alone (one word to store
                    // in the call future, not a fat receiver pointer and the strategy's)
                    // and splits it into receiver and strategy when the call starts.
                    let (recv_w, strategy_w) = match method.recv {
                        Recv::Exclusive => (
                            quote!(::dynptr::__private::HoldsMut::receiver_mut(&mut #w.__dynptr_receiver)),
                            quote!(&mut #w.__dynptr_strategy),
                        ),
                        _ => (
                            quote!(::dynptr::__private::HoldsRef::receiver(&#w.__dynptr_receiver)),
                            quote!(&#w.__dynptr_strategy),
                        ),
                    };
                    let call = quote! {
                        ::dynptr::__private::Call::new(move |#slot, #cx| {
                            let #w = #w;
                            #erased_path::#name(#recv_w, #strategy_w, #(#names,)* #slot, #cx)
                        })
                    };
                    if method.adapts_args() || method.borrows_args {
                        // The adapted arguments live in this block, borrowed by the call;
                        // an `async` block also names the intersection of several
                        // borrows, which the returned opaque type cannot.
                        quote! {
                            let #w = self;
                            async move {
                                #(#prelude)*
                                #(#binds)*
                                #call.await
                            }
                        }
                    } else {
                        quote! {
                            let #w = self;
                            #(#binds)*
                            #call
                        }
                    }
                }
                Ret::Future { .. } if method.borrows_args || method.adapts_args() => quote! {
                    let #r = #recv;
                    let #st = #strategy;
                    async move {
                        #(#prelude)*
                        #erased_path::#name(#r, #st, #(#arg_exprs),*).await
                    }
                },
                _ => quote!(#erased_path::#name(#recv, #strategy, #(#arg_exprs),*)),
            }
        };
        let attrs = &method.cfg_attrs;
        quote! {
            #(#attrs)*
            #[inline]
            #sig {
                #body
            }
        }
    });
    let r = target.map_or(&m.receiver, |t| &t.receiver);
    let auto = &m.auto;
    let dyn_ty = target.map_or_else(|| erased_dyn(m, &g, life), |t| t.dyn_ty.clone());
    let access = if m.by_value() {
        quote!(::dynptr::__private::HoldsOwned<#dyn_ty>)
    } else if m.all_shared {
        quote!(::dynptr::__private::HoldsRef<#dyn_ty>)
    } else {
        quote!(::dynptr::__private::HoldsMut<#dyn_ty>)
    };
    if let Some(t) = target {
        let (generics, self_ty, tpath, tpreds) = (&t.generics, &t.self_ty, &t.trait_path, &t.preds);
        return quote! {
            #[allow(clippy::type_complexity, clippy::needless_lifetimes, clippy::manual_async_fn)]
            impl<#generics> #tpath for #self_ty
            where
                #s: #(#s_bounds)+*,
                #r: #access,
                #(#extra,)*
                #tpreds
            {
                #(#methods)*
            }
        };
    }
    quote! {
        #[allow(clippy::type_complexity, clippy::needless_lifetimes, clippy::manual_async_fn)]
        impl<#life, #(#params,)* #(#assoc,)* #s, #r> #trait_ident<#(#args),*>
            for #wrapper<#life, #(#args,)* #(#assoc,)* #s, #r>
        where
            #s: #(#s_bounds)+*,
            #r: #access #(+ ::core::marker::#auto)*,
            #(#extra,)*
            #(#preds,)*
        {
            #(#assoc_items)*
            #(#methods)*
        }
    }
}
