//! The receiving end of a `#[dyn_trait]` trait's `macro_rules!` callback.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::ItemTrait;

use crate::expand::SuperTarget;

/// Splits `[a] [b] rest` into bracketed groups and the rest.
fn groups(input: TokenStream) -> (Vec<TokenStream>, TokenStream) {
    let mut out = Vec::new();
    let mut iter = input.into_iter().peekable();
    while let Some(TokenTree::Group(g)) = iter.peek() {
        if g.delimiter() != Delimiter::Bracket {
            break;
        }
        out.push(g.stream());
        iter.next();
    }
    (out, iter.collect())
}

pub(crate) fn callback(input: TokenStream) -> syn::Result<TokenStream> {
    let (outer, rest) = groups(input);
    let [request, args] = <[TokenStream; 2]>::try_from(outer)
        .map_err(|_| syn::Error::new(proc_macro2::Span::call_site(), "dynptr: malformed callback"))?;
    let args: crate::args::Args = syn::parse2(args)?;
    let item: ItemTrait = syn::parse2(rest)?;
    let model = crate::parse::parse(&args, item)?;

    let mut request = request.into_iter();
    match request.next() {
        Some(TokenTree::Ident(i)) if i == "supertrait" => {}
        Some(TokenTree::Ident(i)) if i == "sealed" => {
            let (parts, _) = groups(request.collect());
            let [path, item] = <[TokenStream; 2]>::try_from(parts).map_err(|_| {
                syn::Error::new(proc_macro2::Span::call_site(), "dynptr: malformed sealed request")
            })?;
            let item: syn::ItemEnum = syn::parse2(item)?;
            return crate::sealed::sealed_impl(&model, item, &path);
        }
        _ => {
            return Err(syn::Error::new(
                proc_macro2::Span::call_site(),
                "dynptr: unknown callback request",
            ))
        }
    }
    let (parts, _) = groups(request.collect());
    let [generics, self_ty, wrapper, strategy, receiver, dyn_ty, preds, trait_path, erased_path] =
        <[TokenStream; 9]>::try_from(parts).map_err(|_| {
            syn::Error::new(
                proc_macro2::Span::call_site(),
                "dynptr: malformed supertrait request",
            )
        })?;
    if !model.item.generics.params.is_empty() || !model.assoc.is_empty() {
        return Err(syn::Error::new_spanned(
            &model.item.ident,
            "`#[dyn_trait]` supertraits with generic parameters or associated types are not supported yet",
        ));
    }
    let target = SuperTarget {
        generics,
        self_ty,
        wrapper: syn::parse2(wrapper)?,
        strategy: syn::parse2(strategy)?,
        receiver: syn::parse2(receiver)?,
        dyn_ty,
        preds,
        trait_path,
        erased_path,
    };
    Ok(crate::expand::wrapper_impl_for(&model, Some(&target)))
}
