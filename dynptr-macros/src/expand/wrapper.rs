//! The wrapper the caller holds: `DynFoo<'a, .., S = DefaultStrategy, R = DefaultHolder<..>>`.
//!
//! Input: the model. Output: the struct, its constructors (`new`, `with_strategy`,
//! `boxed`, `in_slot`, `from_ref`, ..), `Debug`, and the `WrapperOf`/`Wrap` impls that
//! let other traits return and take `impl Foo` through this wrapper.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Ident, Lifetime};

use crate::model::Model;

use super::*;

pub(super) fn wrapper(m: &Model) -> TokenStream {
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
    let default_ty = quote!(#wrapper<#life, #(#args,)* #(#assoc,)* ::dynptr::DefaultStrategy>);

    let slot_receiver = wrap_receiver(quote!(::dynptr::__private::Holder::in_slot(slot, value)));
    let boxed_receiver = wrap_receiver(quote!(::dynptr::__private::boxed_receiver::<_, #dyn_ty>(value)));
    let from_mut = if m.all_shared {
        quote!(::dynptr::__private::SharedHolder::from_mut(value))
    } else {
        quote!(::dynptr::__private::Holder::from_mut(value))
    };
    let with_strategy = (!m.by_value()).then(|| {
        quote! {
            /// Borrows `value` exclusively, storing returned values with `strategy`.
            #[inline]
            pub fn with_strategy(value: &#life mut (impl #impl_bound), strategy: #s) -> Self
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
            pub fn from_ref_with_strategy(value: &#life (impl #impl_bound), strategy: #s) -> Self
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
            pub fn new(value: &#life mut (impl #impl_bound)) -> Self
            {
                Self::with_strategy(value, ::core::default::Default::default())
            }

            /// [`new`](Self::new) under `dynosaur`'s name.
            #[inline]
            pub fn from_mut(value: &#life mut (impl #impl_bound)) -> Self
            {
                Self::new(value)
            }

        }
    });
    let from_ref_default = m.all_shared.then(|| {
        quote! {
            /// Borrows `value` shared, with the default strategy (`Boxed`).
            #[inline]
            pub fn from_ref(value: &#life (impl #impl_bound)) -> Self
            {
                Self::from_ref_with_strategy(value, ::core::default::Default::default())
            }
        }
    });
    // Every method takes `&self`: the receiver can be shared through an `Arc` (with the
    // facade's `alloc` and atomics; `if_arc!` drops the impl otherwise).
    let from_arc = m.all_shared.then(|| {
        let arc_ty = quote!(::dynptr::__private::ArcHolder<#dyn_ty>);
        // `S` is the default strategy here: the erased trait object names it.
        let dyn_default = erased_dyn_with(m, &g, life, &quote!(::dynptr::DefaultStrategy));
        let arc_ty_default = quote!(::dynptr::__private::ArcHolder<#dyn_default>);
        let impl_bound_default = &impl_bound;
        quote! {
            ::dynptr::__private::if_arc! {
                #[allow(clippy::type_complexity, clippy::needless_lifetimes, clippy::implied_bounds_in_impls)]
                impl<#life, #(#params,)* #(#assoc,)* #s: ::dynptr::__private::Strategy>
                    #wrapper<#life, #(#args,)* #(#assoc,)* #s, #arc_ty>
                where
                    #(#preds,)*
                {
                    /// Holds `value` through an `Arc`, shared with the `Arc`'s other owners
                    /// (every method of the trait takes `&self`), storing returned values
                    /// with `strategy`.
                    #[inline]
                    pub fn from_arc_with_strategy(
                        value: ::dynptr::__private::Arc<(impl #impl_bound)>,
                        strategy: #s,
                    ) -> Self
                    {
                        let value: ::dynptr::__private::Arc<#dyn_ty> = value;
                        #wrapper {
                            __dynptr_receiver: ::dynptr::__private::ArcHolder::new(value),
                            __dynptr_strategy: strategy,
                            __dynptr_marker: ::core::marker::PhantomData,
                        }
                    }


                    /// The `Arc` the wrapper holds (a clone shares the value).
                    #[inline]
                    pub fn arc(&self) -> &::dynptr::__private::Arc<#dyn_ty> {
                        self.__dynptr_receiver.arc()
                    }
                }

                #[allow(clippy::type_complexity, clippy::needless_lifetimes, clippy::implied_bounds_in_impls)]
                impl<#life, #(#params,)* #(#assoc,)*>
                    #wrapper<#life, #(#args,)* #(#assoc,)* ::dynptr::DefaultStrategy, #arc_ty_default>
                where
                    #(#preds,)*
                {
                    /// Holds `value` through an `Arc`, with the default strategy (`Boxed`).
                    #[inline]
                    pub fn from_arc(value: ::dynptr::__private::Arc<(impl #impl_bound_default)>) -> Self
                    {
                        Self::from_arc_with_strategy(value, ::core::default::Default::default())
                    }
                }
            }
        }
    });
    // `self: Pin<&mut Self>` methods: a wrapper over a pinned borrow.
    let pinned = m.methods.iter().any(|x| x.recv == crate::model::Recv::Pinned) && !m.by_value();
    let from_pin = pinned.then(|| {
        let pin_ty = quote!(::dynptr::__private::PinHolder<#life, #dyn_ty>);
        let dyn_default = erased_dyn_with(m, &g, life, &quote!(::dynptr::DefaultStrategy));
        let pin_ty_default = quote!(::dynptr::__private::PinHolder<#life, #dyn_default>);
        quote! {
            #[allow(clippy::type_complexity, clippy::needless_lifetimes, clippy::implied_bounds_in_impls)]
            impl<#life, #(#params,)* #(#assoc,)* #s: ::dynptr::__private::Strategy>
                #wrapper<#life, #(#args,)* #(#assoc,)* #s, #pin_ty>
            where
                #(#preds,)*
            {
                /// Borrows the pinned `value` (for the trait's `self: Pin<&mut Self>`
                /// methods; its `&self` methods work too), storing returned values with
                /// `strategy`.
                #[inline]
                pub fn from_pin_with_strategy(
                    value: ::core::pin::Pin<&#life mut (impl #impl_bound)>,
                    strategy: #s,
                ) -> Self
                {
                    let value: ::core::pin::Pin<&#life mut (#dyn_ty)> = value;
                    #wrapper {
                        __dynptr_receiver: ::dynptr::__private::PinHolder::new(value),
                        __dynptr_strategy: strategy,
                        __dynptr_marker: ::core::marker::PhantomData,
                    }
                }
            }

            #[allow(clippy::type_complexity, clippy::needless_lifetimes, clippy::implied_bounds_in_impls)]
            impl<#life, #(#params,)* #(#assoc,)*>
                #wrapper<#life, #(#args,)* #(#assoc,)* ::dynptr::DefaultStrategy, #pin_ty_default>
            where
                #(#preds,)*
            {
                /// Borrows the pinned `value`, with the default strategy (`Boxed`).
                #[inline]
                pub fn from_pin(value: ::core::pin::Pin<&#life mut (impl #impl_bound)>) -> Self
                {
                    Self::from_pin_with_strategy(value, ::core::default::Default::default())
                }
            }
        }
    });
    let coerce_generics = quote!(#life, #(#params,)* #(#assoc,)* #s: ::dynptr::__private::Strategy);
    let doc = match &m.no_impl {
        None => format!(
            "A dyn [`{trait_ident}`]: holds any implementor (borrowed or owned) and implements \
             [`{trait_ident}`] itself, storing each returned future or `impl Trait` value with the \
             strategy `{s}` (default `Boxed`). Generated by `#[dyn_trait]`."
        ),
        Some(why) => format!(
            "A dyn [`{trait_ident}`]: holds any implementor (borrowed or owned) and offers the \
             methods of [`{trait_ident}`] that go through the vtable as its own, storing each \
             returned future or `impl Trait` value with the strategy `{s}` (default `Boxed`). It \
             does not implement [`{trait_ident}`]: {why}. Generated by `#[dyn_trait]`."
        ),
    };
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
            #s: ::dynptr::__private::Strategy = ::dynptr::DefaultStrategy,
            #r = ::dynptr::storage::DefaultHolder<#wrapper<#life, #(#args,)* #(#assoc,)* #s, ()>>,
        >
        where #(#preds,)*
        {
            __dynptr_receiver: #r,
            __dynptr_strategy: #s,
            __dynptr_marker: ::core::marker::PhantomData<(&#life (), #(&#lifetimes (),)* fn() -> (#(#types,)* #(#assoc,)*))>,
        }

        #[doc(hidden)]
        impl<#life, #(#params,)* #(#assoc,)* #s: ::dynptr::__private::Strategy, #r> ::dynptr::storage::Wrapper
            for #wrapper<#life, #(#args,)* #(#assoc,)* #s, #r>
        where
            #(#preds,)*
            #dyn_ty: #life,
        {
            type DefaultHolder = #receiver<#life, #dyn_ty>;
        }

        #[allow(clippy::type_complexity, clippy::needless_lifetimes, clippy::implied_bounds_in_impls)]
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

        #[allow(clippy::type_complexity, clippy::needless_lifetimes, clippy::implied_bounds_in_impls)]
        impl<#life, #(#params,)* #(#assoc,)* #s: ::dynptr::__private::Strategy> #self_ty
        where #(#preds,)*
        {
            #with_strategy

            #from_ref

            /// Owns `value` on the heap (`Box` in the global allocator), storing returned
            /// values with `strategy`. Needs the `box` feature of `dynptr`.
            #[inline]
            pub fn boxed_with_strategy(value: (impl #impl_bound), strategy: #s) -> Self
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

        #[allow(clippy::type_complexity, clippy::needless_lifetimes, clippy::implied_bounds_in_impls)]
        impl<#life, #(#params,)* #(#assoc,)*> #default_ty
        where #(#preds,)*
        {
            #new

            #from_ref_default

            /// Owns `value` on the heap, with the default strategy (`Boxed`).
            #[inline]
            pub fn boxed(value: (impl #impl_bound)) -> Self
            {
                Self::boxed_with_strategy(value, ::core::default::Default::default())
            }

            /// dynosaur's name for [`boxed`](Self::boxed), so that ported code compiles
            /// unchanged where it passes `&mut DynFoo::new_box(..)` on.
            #[doc(hidden)]
            #[inline]
            pub fn new_box(value: (impl #impl_bound)) -> Self
            {
                Self::boxed(value)
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

        #from_arc

        #from_pin
    }
}
