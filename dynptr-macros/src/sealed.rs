//! `#[sealed(Trait)]` on an enum of implementors: the enum implements `Trait` by matching
//! on its variant (no vtable, no allocation). The enum's side is here; the trait's items
//! arrive through the trait's callback (`sealed_impl`).

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Fields, Ident, ItemEnum, Path, TypeParamBound};

use crate::parse::{Errors, Model, Ret};

/// The attribute: checks the enum's shape, adds `From` impls and a per-variant check that
/// the variant's type implements the trait, and asks the trait's callback for the impl.
pub(crate) fn sealed(trait_path: Path, item: ItemEnum) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    if item.variants.is_empty() {
        errors.push(&item.ident, "a sealed enum needs at least one variant");
    }
    for v in &item.variants {
        match &v.fields {
            Fields::Unnamed(f) if f.unnamed.len() == 1 => {}
            _ => errors.push(
                v,
                "each variant of a sealed enum holds one implementor: write `Name(Type)`",
            ),
        }
        if let Some((eq, _)) = &v.discriminant {
            errors.push(eq, "a sealed enum's variants cannot have discriminants");
        }
    }
    errors.finish()?;
    let (impl_generics, ty_generics, where_clause) = item.generics.split_for_impl();
    let name = &item.ident;
    let mut from_impls = Vec::new();
    let mut checks = Vec::new();
    for v in &item.variants {
        let vname = &v.ident;
        let ty = &v.fields.iter().next().unwrap().ty;
        from_impls.push(quote! {
            impl #impl_generics ::core::convert::From<#ty> for #name #ty_generics #where_clause {
                #[inline]
                fn from(value: #ty) -> Self {
                    #name::#vname(value)
                }
            }
        });
        // Points the error at the variant whose type does not implement the trait.
        checks.push(quote_spanned! {ty.span()=>
            const _: fn() = || {
                fn implements_the_sealed_trait<T: ?Sized + #trait_path>() {}
                implements_the_sealed_trait::<#ty>();
            };
        });
    }
    Ok(quote! {
        #item
        #(#from_impls)*
        #(#checks)*
        #trait_path! { sealed [#trait_path] [#item] }
    })
}

/// The trait's side: `impl Trait for Enum` from the trait's model.
pub(crate) fn sealed_impl(m: &Model, item: ItemEnum, trait_path: &TokenStream) -> syn::Result<TokenStream> {
    if !m.item.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &m.item.generics,
            "`#[sealed]` does not support generic traits yet",
        ));
    }
    let name = &item.ident;
    let (impl_generics, ty_generics, where_clause) = item.generics.split_for_impl();
    let variants: Vec<(&Ident, &syn::Type)> = item
        .variants
        .iter()
        .map(|v| (&v.ident, &v.fields.iter().next().unwrap().ty))
        .collect();
    let first = variants[0].1;
    let mut preds: Vec<TokenStream> = where_clause
        .map(|w| w.predicates.iter().map(|p| quote!(#p)).collect())
        .unwrap_or_default();
    let assoc_items = m.assoc.iter().map(|a| {
        let i = &a.ident;
        quote!(type #i = <#first as #trait_path>::#i;)
    });
    for (_, ty) in &variants[1..] {
        let bindings = m.assoc.iter().map(|a| {
            let i = &a.ident;
            quote!(#i = <#first as #trait_path>::#i)
        });
        preds.push(quote!(#ty: #trait_path<#(#bindings),*>));
    }
    let mut helpers = Vec::new();
    let mut methods = Vec::new();
    for method in &m.methods {
        let sig = method.impl_sig.as_ref().unwrap_or(&method.sig);
        let mname = &sig.ident;
        let args: Vec<&Ident> = method.args.iter().map(|(i, _, _)| i).collect();
        let this = Ident::new("__dynptr_v", crate::args::hygienic());
        // `match self { Enum::A(v) => <A as Trait>::m(v, ..), .. }`, each value wrapped in
        // the helper enum's variant when the method returns a non-future `impl Trait`.
        let arms = |helper: Option<&Ident>, awaited: bool| {
            let arms = variants.iter().enumerate().map(|(n, (vname, ty))| {
                let call = quote!(<#ty as #trait_path>::#mname(#this, #(#args),*));
                let call = if awaited { quote!(#call.await) } else { call };
                let value = match helper {
                    Some(h) => {
                        let v = format_ident!("V{}", n);
                        quote!(#h::#v(#call))
                    }
                    None => call,
                };
                quote!(#name::#vname(#this) => #value,)
            });
            quote!(match self { #(#arms)* })
        };
        let attrs = &method.cfg_attrs;
        let body = match &method.ret {
            Ret::Plain => arms(None, false),
            Ret::Future { .. } if sig.asyncness.is_some() => arms(None, true),
            Ret::Future { .. } => {
                let m = arms(None, true);
                quote!(async move { #m })
            }
            Ret::Dyn { bounds } => {
                let helper = format_ident!("__DynptrSealed{}{}", name, to_camel(&mname.to_string()));
                helpers.push(helper_enum(&helper, variants.len(), bounds, sig.span())?);
                arms(Some(&helper), false)
            }
            Ret::Wrapper { .. } => {
                return Err(syn::Error::new_spanned(
                    &sig.output,
                    "`#[sealed]` does not support methods returning another `#[dyn_trait]` trait yet",
                ))
            }
        };
        methods.push(quote! {
            #(#attrs)*
            #[inline]
            #[allow(clippy::manual_async_fn)]
            #sig {
                #body
            }
        });
    }
    Ok(quote! {
        #(#helpers)*
        impl #impl_generics #trait_path for #name #ty_generics
        where
            #(#preds,)*
        {
            #(#assoc_items)*
            #(#methods)*
        }
    })
}

fn to_camel(s: &str) -> String {
    s.split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
        })
        .collect()
}

/// An enum over the variants' return values that implements the returned family.
fn helper_enum(name: &Ident, n: usize, bounds: &[TypeParamBound], span: Span) -> syn::Result<TokenStream> {
    let params: Vec<Ident> = (0..n).map(|i| format_ident!("V{}", i)).collect();
    let main = bounds
        .iter()
        .find_map(|b| match b {
            TypeParamBound::Trait(t) => Some(t),
            _ => None,
        })
        .ok_or_else(|| syn::Error::new(span, "expected a trait"))?;
    let family = main.path.segments.last().unwrap().ident.to_string();
    let arms = |body: TokenStream| {
        let arms = params.iter().map(|p| quote!(#name::#p(__dynptr_x) => #body,));
        quote!(match self { #(#arms)* })
    };
    let impls = match family.as_str() {
        "Iterator" | "DoubleEndedIterator" | "ExactSizeIterator" => {
            let next = arms(quote!(::core::iter::Iterator::next(__dynptr_x)));
            let hint = arms(quote!(::core::iter::Iterator::size_hint(__dynptr_x)));
            let mut out = quote! {
                impl<__DynptrItem, #(#params: ::core::iter::Iterator<Item = __DynptrItem>),*> ::core::iter::Iterator for #name<#(#params),*> {
                    type Item = __DynptrItem;
                    #[inline]
                    fn next(&mut self) -> ::core::option::Option<__DynptrItem> { #next }
                    #[inline]
                    fn size_hint(&self) -> (usize, ::core::option::Option<usize>) { #hint }
                }
            };
            if family == "DoubleEndedIterator" {
                let back = arms(quote!(::core::iter::DoubleEndedIterator::next_back(__dynptr_x)));
                out.extend(quote! {
                    impl<__DynptrItem, #(#params: ::core::iter::DoubleEndedIterator<Item = __DynptrItem>),*> ::core::iter::DoubleEndedIterator for #name<#(#params),*> {
                        #[inline]
                        fn next_back(&mut self) -> ::core::option::Option<__DynptrItem> { #back }
                    }
                });
            }
            if family == "ExactSizeIterator" {
                out.extend(quote! {
                    impl<__DynptrItem, #(#params: ::core::iter::ExactSizeIterator<Item = __DynptrItem>),*> ::core::iter::ExactSizeIterator for #name<#(#params),*> {}
                });
            }
            out
        }
        "Debug" | "Display" => {
            let tr = format_ident!("{}", family);
            let fmt = arms(quote!(::core::fmt::#tr::fmt(__dynptr_x, f)));
            quote! {
                impl<#(#params: ::core::fmt::#tr),*> ::core::fmt::#tr for #name<#(#params),*> {
                    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result { #fmt }
                }
            }
        }
        other => {
            return Err(syn::Error::new(
                span,
                format!(
                    "`#[sealed]` supports returned `impl Iterator`, `DoubleEndedIterator`, \
                     `ExactSizeIterator`, `Debug`, `Display` and futures; not `impl {other}` yet"
                ),
            ))
        }
    };
    Ok(quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug)]
        pub enum #name<#(#params),*> { #(#params(#params)),* }
        #impls
    })
}
