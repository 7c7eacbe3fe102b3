//! `impl_coerce!`'s grammar: the unsizing witness for a family of trait objects.
//!
//! Input (after the `$crate` path core's `macro_rules!` front passes, and a `;`):
//! `dyn Trait + ..`, `[params] dyn Trait<..> + .. + 'a`, or
//! `[params] where [predicates] dyn Trait<..> + 'a`.
//! Output: `unsafe impl<params, T> $crate::CoerceFrom<T> for dyn .. where T: <the
//! object's bounds>, predicates { fn coerce(ptr: *mut T) -> *mut Self { ptr } }`.
//!
//! Soundness rests on the body being the compiler's unsizing coercion, so every piece
//! the caller gives is parsed with syn's grammar (generic parameters, where predicates,
//! a trait object type) and re-emitted from the syntax tree: no token sequence can close
//! the generic list, end the where clause or add an item under the `unsafe impl`.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{
    bracketed, GenericParam, Lifetime, LifetimeParam, Path, Token, Type, TypeParamBound, WherePredicate,
};

/// A parsed `impl_coerce!` invocation.
pub(crate) struct Coerce {
    krate: Path,
    params: Punctuated<GenericParam, Token![,]>,
    preds: Punctuated<WherePredicate, Token![,]>,
    object: syn::TypeTraitObject,
}

const USAGE: &str =
    "expected `impl_coerce!(dyn Trait)`, `impl_coerce!([generic parameters] dyn Trait<..> + 'a)` \
                     or `impl_coerce!([generic parameters] where [predicates] dyn Trait<..> + 'a)`";

impl Parse for Coerce {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let krate = Path::parse_mod_style(input)?;
        input.parse::<Token![;]>()?;
        let explicit = input.peek(syn::token::Bracket);
        let mut params = Punctuated::new();
        let mut preds = Punctuated::new();
        if explicit {
            let content;
            bracketed!(content in input);
            params = Punctuated::parse_terminated(&content).map_err(|e| context(e, "generic parameters"))?;
            if input.peek(Token![where]) {
                input.parse::<Token![where]>()?;
                let content;
                bracketed!(content in input);
                preds =
                    Punctuated::parse_terminated(&content).map_err(|e| context(e, "`where` predicates"))?;
            }
        }
        let ty: Type = input.parse().map_err(|e| syn::Error::new(e.span(), USAGE))?;
        let mut object = match ty {
            Type::TraitObject(object) if object.dyn_token.is_some() => object,
            other => {
                return Err(syn::Error::new_spanned(
                    other,
                    "`impl_coerce!` takes a trait object type: `dyn Trait`",
                ))
            }
        };
        if !input.is_empty() {
            return Err(input.error(USAGE));
        }
        for param in &params {
            let attrs = match param {
                GenericParam::Lifetime(p) => &p.attrs,
                GenericParam::Type(p) => &p.attrs,
                GenericParam::Const(p) => &p.attrs,
            };
            if let Some(attr) = attrs.first() {
                return Err(syn::Error::new_spanned(
                    attr,
                    "`impl_coerce!`: attributes on generic parameters are not accepted",
                ));
            }
        }
        if !explicit {
            // `dyn Trait`: the object with any lifetime bound.
            let life = Lifetime::new("'__dynptr_a", Span::mixed_site());
            params.push(GenericParam::Lifetime(LifetimeParam::new(life.clone())));
            object.bounds.push(TypeParamBound::Lifetime(life));
        }
        Ok(Coerce {
            krate,
            params,
            preds,
            object,
        })
    }
}

/// Says which part of the invocation a syn error is about.
fn context(e: syn::Error, part: &str) -> syn::Error {
    syn::Error::new(e.span(), format!("`impl_coerce!`: these are not {part}: {e}"))
}

/// The impl, from the parsed pieces only.
pub(crate) fn expand(c: &Coerce) -> TokenStream {
    let Coerce {
        krate,
        params,
        preds,
        object,
    } = c;
    let t = syn::Ident::new("__DynptrT", Span::mixed_site());
    let ptr = syn::Ident::new("ptr", Span::mixed_site());
    let bounds = &object.bounds;
    let params = params.iter();
    let preds = preds.iter();
    quote! {
        // SAFETY: the body is the compiler's unsizing coercion from `*mut T` to the trait
        // object, which keeps address and provenance and attaches `T`'s metadata.
        unsafe impl<#(#params,)* #t> #krate::CoerceFrom<#t> for #object
        where
            #t: #bounds,
            #(#preds,)*
        {
            #[inline(always)]
            fn coerce(#ptr: *mut #t) -> *mut Self {
                #ptr
            }
        }
    }
}
