//! The wrapper's impl of the user's trait: each method forwards through the vtable.
//!
//! Input: the model (or another trait's wrapper as the target, for supertraits). Output:
//! `impl Foo for DynFoo<..>`: an `async fn` returns a `call::Call` whose first poll makes
//! the indirect call (inside an `async` block when arguments are adapted or borrowed), an
//! eager return calls the erased method at once; adapted arguments are prepared in the
//! caller's frame.

use proc_macro2::TokenStream;
use quote::quote;
use syn::visit_mut::VisitMut;
use syn::{Ident, ReturnType, Type};

use crate::model::{ArgKind, Model, Outside, Recv, Ret};
use crate::parse::Erase;

use super::*;

/// The caller's side of argument adaptation: statements that prepare each adapted
/// argument in the wrapper's frame (or its `async` block), and the expressions passed to
/// the erased method.
pub(super) fn adapt_args(
    m: &Model,
    method: &crate::model::Method,
    s: &Ident,
) -> (Vec<TokenStream>, Vec<TokenStream>) {
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
                let wrap = quote! {
                    <dyn #erased<#(#args,)* #s> + '_ as ::dynptr::__private::Wrap<'_, #s, _>>::borrow(
                        #place,
                        ::core::default::Default::default(),
                    )
                };
                if *by_ref {
                    // `&mut impl Bar`: the wrapper lives here, the callee borrows it.
                    prelude.push(quote!(let mut #i = #wrap;));
                    exprs.push(quote!(&mut #i));
                } else {
                    exprs.push(wrap);
                }
            }
        }
    }
    (prelude, exprs)
}

/// The receiver (through the holder) and the strategy of the wrapper `who` (`self`, or
/// a local holding `&self`/`&mut self`), for a method with receiver `recv`.
fn holder_access(recv: Recv, who: &TokenStream) -> (TokenStream, TokenStream) {
    match recv {
        Recv::Exclusive => (
            quote!(::dynptr::__private::HoldsMut::receiver_mut(&mut #who.__dynptr_receiver)),
            quote!(&mut #who.__dynptr_strategy),
        ),
        // `who` is the wrapper unpinned (`Pin::get_mut`: the wrapper is `Unpin`); the
        // receiver is pinned by its holder.
        Recv::Pinned => (
            quote!(::dynptr::__private::HoldsPinned::receiver_pinned(&mut #who.__dynptr_receiver)),
            quote!(&mut #who.__dynptr_strategy),
        ),
        _ => (
            quote!(::dynptr::__private::HoldsRef::receiver(&#who.__dynptr_receiver)),
            quote!(&#who.__dynptr_strategy),
        ),
    }
}

/// Binds each argument expression to a local (`let __dynptr_a0 = expr;`), so that a
/// `move` closure captures the values (and borrows) rather than borrowing the locals.
pub(super) fn bind_args(exprs: &[TokenStream]) -> (Vec<TokenStream>, Vec<Ident>) {
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

pub(super) fn wrapper_impl(m: &Model) -> TokenStream {
    wrapper_impl_for(m, None)
}

pub(crate) fn wrapper_impl_for(m: &Model, target: Option<&SuperTarget>) -> TokenStream {
    if m.no_impl.is_some() && target.is_some() {
        // Another wrapper's impl of its trait then requires this one of itself, unmet.
        return TokenStream::new();
    }
    let g = gen(m);
    let (erased, life) = (&m.erased, &m.life);
    let s = target.map_or(&m.strategy, |t| &t.strategy);
    let wrapper = target.map_or(&m.wrapper, |t| &t.wrapper);
    let trait_ident = &m.item.ident;
    // An `unsafe trait` reaches here only under `unsafe(forward)`: the user's promise.
    let unsafety = &m.item.unsafety;
    let (params, args, assoc, preds) = (&g.params, &g.args, &g.assoc, &g.preds);
    let self_preds = &g.self_preds;
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
    // A returned pointer is `Send` only with a `ThreadSafePointers` strategy: needed
    // under `(Send)`, and for a method returning `impl .. + Send` under plain
    // `#[dyn_trait]` (what `trait_variant::make` writes).
    if m.send || m.methods.iter().any(|x| x.ret.is_send()) {
        s_bounds.push(quote!(::dynptr::__private::ThreadSafePointers));
    }
    for a in &m.auto {
        s_bounds.push(quote!(::core::marker::#a));
    }
    if m.methods.iter().any(|x| x.recv == Recv::Pinned) {
        // `Pin::get_mut` of the wrapper (its receiver is pinned by the holder).
        s_bounds.push(quote!(::core::marker::Unpin));
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
    // The trait's impl needs the supertraits of the wrapper: the standard ones it does
    // not forward make it apply where the user implements them for the wrapper.
    let mut super_bounds = Vec::new();
    if target.is_none() {
        for path in &m.dyn_supers {
            super_bounds.push(quote!(Self: #path));
        }
    }
    for bound in &m.plain_supers {
        super_bounds.push(quote!(Self: #bound));
    }
    // What `Foo: 'static` asks of the wrapper, on its impl of the trait alone (the
    // inherent methods below serve a wrapper of any lifetime, as `&dyn Foo` does).
    let mut static_extra = Vec::new();
    if m.is_static && target.is_none() {
        static_extra.push(quote!(#life: 'static));
        static_extra.extend(g.outlives.iter().map(|o| quote!(#o: 'static)));
        static_extra.extend(g.assoc.iter().map(|a| quote!(#a: 'static)));
        static_extra.push(quote!(#s: 'static));
        let r = &m.receiver;
        static_extra.push(quote!(#r: 'static));
    }
    let assoc_items = m.assoc.iter().map(|a| {
        let (attrs, i, p) = (&a.attrs, &a.ident, &a.param);
        quote!(#(#attrs)* type #i = #p;)
    });
    let erased_path = match target {
        // (`crate::callback` replaces this trait's parameters by the supertrait's
        // arguments afterwards.)
        Some(t) => {
            let e = &t.erased_path;
            quote!(#e::<#(#args,)* #(#assoc,)* #s>)
        }
        None => quote!(#erased::<#(#args,)* #(#assoc,)* #s>),
    };
    let methods = m.methods.iter().map(|method| {
        let mut sig = method.impl_sig.clone().unwrap_or_else(|| method.sig.clone());
        // The wrapper is `Send`/`Sync` by its own bounds; an impl method may ask less than
        // the trait's (and `Self: Sync` on a wrapper with lifetimes trips a rustc
        // limitation on higher-ranked auto-trait bounds).
        if let Some(w) = &mut sig.generics.where_clause {
            let preds = core::mem::take(&mut w.predicates);
            w.predicates = preds
                .into_iter()
                .filter(|p| !super::erased::is_self_auto(p))
                .collect();
        }
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
            // `self: Pin<&mut Self>`: the wrapper unpinned first (it is `Unpin`).
            let pinned = hyg("__dynptr_pinned");
            let (unpin, who) = if method.recv == Recv::Pinned {
                (
                    quote!(let #pinned = ::core::pin::Pin::get_mut(self);),
                    quote!(#pinned),
                )
            } else {
                (quote!(), quote!(self))
            };
            let (recv, strategy) = holder_access(method.recv, &who);
            let inner = match &method.ret {
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
                    let (recv_w, strategy_w) = holder_access(method.recv, &quote!(#w));
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
                            let #w = #who;
                            async move {
                                #(#prelude)*
                                #(#binds)*
                                #call.await
                            }
                        }
                    } else {
                        quote! {
                            let #w = #who;
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
            };
            quote!(#unpin #inner)
        };
        (method, sig, body)
    });
    let methods: Vec<_> = methods.collect();
    // The wrapper offers the vtable's methods as its own (`Self::Item` named by the
    // wrapper's parameter) when it cannot implement the trait, and also beside its impl
    // when the trait asks its implementors to outlive something (`Foo: 'static`,
    // `where Self: 'buf`): the wrapper is then the borrow itself, and its impl would
    // stretch the borrow to that lifetime where a call needs it only for the call
    // (`&'short mut (dyn Sink<'buf> + 'buf)` separates the two; a wrapper cannot).
    let inherent_why = match (&m.no_impl, target) {
        (Some(why), None) => Some(format!("The wrapper does not implement the trait: {why}.")),
        (None, None) if m.is_static || outlives_self(m) => Some(
            "The trait asks its implementors to outlive a lifetime, so the wrapper \
             implements it only where its own lifetime is as long; these methods serve a \
             wrapper that borrows for less (a call borrows the wrapper for the call \
             alone), as a method call on `&dyn` does. Generic code that needs the trait \
             takes a wrapper owning its receiver or borrowing for that long."
                .to_string(),
        ),
        _ => None,
    };
    let inherent = if let Some(why) = inherent_why {
        let vis = &m.item.vis;
        // An inherent `-> impl Trait` captures no lifetime by itself in this edition: a
        // returned future becomes an `async fn` awaiting the call (which captures every
        // lifetime); other `impl Trait` returns are not offered.
        let methods = methods.iter().filter_map(|(method, sig, body)| {
            if m.no_impl.is_none() && WRAPPER_ITEMS.contains(&sig.ident.to_string().as_str()) {
                // The wrapper's own item of that name; the trait's method is still
                // reached through the trait.
                return None;
            }
            let mut sig = sig.clone();
            let body = match &method.ret {
                Ret::Plain => quote!(#body),
                Ret::Future { output, .. } => {
                    sig.asyncness = Some(Default::default());
                    sig.output = syn::parse_quote!(-> #output);
                    quote!({ #body }.await)
                }
                // A standard family's pointer (`-> impl Iterator`): every borrow the
                // call takes is named, and the returned `impl` captures it.
                Ret::Dyn { .. } if matches!(method.recv, Recv::Shared | Recv::Exclusive) => {
                    capture_borrows(&mut sig, &names);
                    quote!(#body)
                }
                // Other `impl Trait` returns: through the trait (a wrapper meeting its
                // bounds).
                Ret::Dyn { .. } | Ret::Wrapper { .. } => return None,
            };
            Erase {
                assoc: &names,
                life: None,
            }
            .visit_signature_mut(&mut sig);
            let attrs = &method.cfg_attrs;
            let doc = format!("[`{trait_ident}::{}`], through the vtable.", sig.ident);
            Some(quote! {
                #(#attrs)*
                #[doc = #doc]
                #[inline]
                #vis #sig {
                    #body
                }
            })
        });
        let r = &m.receiver;
        let auto = &m.auto;
        let dyn_ty = erased_dyn(m, &g, life);
        let access = holds(m, &dyn_ty);
        let doc = format!("The methods of [`{trait_ident}`] that go through the vtable. {why}");
        let inherent = quote! {
            #[doc = #doc]
            #[allow(clippy::type_complexity, clippy::needless_lifetimes, clippy::manual_async_fn)]
            impl<#life, #(#params,)* #(#assoc,)* #s, #r> #wrapper<#life, #(#args,)* #(#assoc,)* #s, #r>
            where
                #s: #(#s_bounds)+*,
                #r: #access #(+ ::core::marker::#auto)*,
                #(#extra,)*
                #(#preds,)*
            {
                #(#methods)*
            }
        };
        if m.no_impl.is_some() {
            return inherent;
        }
        inherent
    } else {
        TokenStream::new()
    };
    let methods = methods.iter().map(|(method, sig, body)| {
        let attrs = &method.cfg_attrs;
        quote! {
            #(#attrs)*
            #[inline]
            #sig {
                #body
            }
        }
    });
    let wrapper_name = wrapper.to_string();
    let outside = m
        .outside
        .iter()
        .map(|item| outside_item(&trait_ident.to_string(), &wrapper_name, item, m.send));
    let r = target.map_or(&m.receiver, |t| &t.receiver);
    let auto = &m.auto;
    let dyn_ty = target.map_or_else(|| erased_dyn(m, &g, life), |t| t.dyn_ty.clone());
    let access = holds(m, &dyn_ty);
    if let Some(t) = target {
        let (generics, self_ty, tpath, tpreds) = (&t.generics, &t.self_ty, &t.trait_path, &t.preds);
        return quote! {
            #[allow(clippy::type_complexity, clippy::needless_lifetimes, clippy::manual_async_fn)]
            #unsafety impl<#generics> #tpath for #self_ty
            where
                #s: #(#s_bounds)+*,
                // The supertrait's `(Send)` futures borrow the wrapper: its receiver
                // must be `Send`/`Sync` as the supertrait's own wrapper's is.
                #r: #access #(+ ::core::marker::#auto)*,
                #(#extra,)*
                #(#super_bounds,)*
                #(#self_preds,)*
                #tpreds
            {
                #(#assoc_items)*
                #(#methods)*
                #(#outside)*
            }
        };
    }
    quote! {
        #[allow(clippy::type_complexity, clippy::needless_lifetimes, clippy::manual_async_fn)]
        #unsafety impl<#life, #(#params,)* #(#assoc,)* #s, #r> #trait_ident<#(#args),*>
            for #wrapper<#life, #(#args,)* #(#assoc,)* #s, #r>
        where
            #s: #(#s_bounds)+*,
            #r: #access #(+ ::core::marker::#auto)*,
            #(#extra,)*
            #(#static_extra,)*
            #(#super_bounds,)*
            #(#preds,)*
            #(#self_preds,)*
        {
            #(#assoc_items)*
            #(#methods)*
            #(#outside)*
        }
        #inherent
    }
}

/// An inherent method returning `impl Trait` captures in this edition only the lifetimes
/// its bounds name: every elided borrow of `sig` becomes one named lifetime, which the
/// named ones outlive and the return names.
fn capture_borrows(sig: &mut syn::Signature, names: &[(Ident, Ident)]) {
    let c: syn::Lifetime = syn::Lifetime::new("'__dynptr_c", proc_macro2::Span::call_site());
    let named: Vec<syn::Lifetime> = sig.generics.lifetimes().map(|l| l.lifetime.clone()).collect();
    sig.generics.params.insert(0, syn::parse_quote!(#c));
    let w = sig.generics.make_where_clause();
    for l in &named {
        w.predicates.push(syn::parse_quote!(#l: #c));
    }
    let mut erase = Erase {
        assoc: names,
        life: Some(&c),
    };
    for arg in &mut sig.inputs {
        match arg {
            syn::FnArg::Receiver(r) => {
                if let Some((_, l @ None)) = &mut r.reference {
                    *l = Some(c.clone());
                }
                erase.visit_type_mut(&mut r.ty);
            }
            syn::FnArg::Typed(pt) => erase.visit_type_mut(&mut pt.ty),
        }
    }
    if let ReturnType::Type(_, ty) = &mut sig.output {
        erase.visit_type_mut(ty);
        if let Type::ImplTrait(it) = &mut **ty {
            it.bounds.push(syn::TypeParamBound::Lifetime(c));
        }
    }
}

/// The wrapper's own inherent items (constructors, accessors): a trait method of the same
/// name is not offered inherently beside the trait's impl.
const WRAPPER_ITEMS: &[&str] = &[
    "arc",
    "boxed",
    "boxed_with_strategy",
    "from_arc",
    "from_arc_with_strategy",
    "from_mut",
    "from_pin",
    "from_pin_with_strategy",
    "from_ref",
    "from_ref_with_strategy",
    "in_slot",
    "in_slot_with_strategy",
    "is_owned",
    "new",
    "new_box",
    "strategy",
    "strategy_mut",
    "with_strategy",
];

/// Whether the trait asks `Self` to outlive a lifetime other than `'static`
/// (`trait Sink<'b>: 'b`, `where Self: 'b`).
fn outlives_self(m: &Model) -> bool {
    !m.life_supers.is_empty()
        || m.item.generics.where_clause.as_ref().is_some_and(|w| {
            w.predicates.iter().any(|p| {
                matches!(p, syn::WherePredicate::Type(t)
                    if matches!(&t.bounded_ty, syn::Type::Path(tp) if tp.qself.is_none() && tp.path.is_ident("Self"))
                        && t.bounds.iter().any(|b| matches!(b, syn::TypeParamBound::Lifetime(_))))
            })
        })
}

/// The holder trait the wrapper's receiver storage must implement for its methods.
fn holds(m: &Model, dyn_ty: &TokenStream) -> TokenStream {
    let base = if m.by_value() {
        quote!(::dynptr::__private::HoldsOwned<#dyn_ty>)
    } else if m.all_shared {
        quote!(::dynptr::__private::HoldsRef<#dyn_ty>)
    } else {
        quote!(::dynptr::__private::HoldsMut<#dyn_ty>)
    };
    if m.methods.iter().any(|x| x.recv == Recv::Pinned) {
        // `Pin<&mut Self>` methods: only a pinned receiver (`from_pin`), and the wrapper
        // itself `Unpin` so that its fields are reached without `unsafe`.
        quote!(#base + ::dynptr::__private::HoldsPinned<#dyn_ty> + ::core::marker::Unpin)
    } else {
        base
    }
}

/// The wrapper's body for an item outside the vtable that has no default: it compiles
/// until it is used, and a use (a call of the method, a read of the constant, on the
/// wrapper) fails to compile with a message naming the item and why.
fn outside_item(trait_name: &str, wrapper: &str, item: &Outside, send: bool) -> TokenStream {
    match item {
        Outside::Fn(f, why) => {
            let mut sig = f.sig.clone();
            // The declaration's patterns are plain names (or `_`): nothing to bind.
            for arg in &mut sig.inputs {
                if let syn::FnArg::Typed(pt) = arg {
                    *pt.pat = syn::parse_quote!(_);
                }
            }
            // An `async fn` would capture its arguments (a raw pointer would make the
            // future not `Send`); a pending future captures nothing.
            let tail = if sig.asyncness.take().is_some() {
                let output = match &sig.output {
                    ReturnType::Default => quote!(()),
                    ReturnType::Type(_, ty) => quote!(#ty),
                };
                let send = send.then(|| quote!(+ ::core::marker::Send));
                sig.output = syn::parse_quote!(-> impl ::core::future::Future<Output = #output> #send);
                quote!(::core::future::pending())
            } else {
                quote!(::core::unreachable!())
            };
            let attrs = crate::parse::cfg_attrs(&f.attrs);
            let msg = format!(
                "dynptr: `{trait_name}::{}` cannot be called on a `{wrapper}`: {why}, so it does not go \
                 through the vtable, and it has no default body. Call it on a concrete type, or give \
                 it a default body",
                sig.ident
            );
            quote! {
                #(#attrs)*
                #[allow(unreachable_code, clippy::diverging_sub_expression)]
                #sig {
                    struct __DynptrOutsideVtable<T: ?Sized>(::core::marker::PhantomData<T>);
                    impl<T: ?Sized> __DynptrOutsideVtable<T> {
                        const FAIL: () = ::core::panic!(#msg);
                    }
                    #[allow(clippy::let_unit_value)]
                    let () = __DynptrOutsideVtable::<Self>::FAIL;
                    #tail
                }
            }
        }
        Outside::Const(c) => {
            let (ident, ty) = (&c.ident, &c.ty);
            let attrs = crate::parse::cfg_attrs(&c.attrs);
            quote! {
                #(#attrs)*
                const #ident: #ty = ::dynptr::__private::OutsideVtable::<Self, #ty>::VALUE;
            }
        }
    }
}
