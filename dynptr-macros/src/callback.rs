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
    // `Bar<A, Item = X>`: this trait's parameters and associated types stand for `A`
    // and `X` in the impl (bindings matched by name).
    let bound: syn::Path = syn::parse2(trait_path.clone())?;
    let subst = substitution(&model, &bound)?;
    let mut trait_ref = bound.clone();
    if let Some(last) = trait_ref.segments.last_mut() {
        if let syn::PathArguments::AngleBracketed(ab) = &mut last.arguments {
            let positional: Vec<syn::GenericArgument> = ab
                .args
                .iter()
                .filter(|a| !matches!(a, syn::GenericArgument::AssocType(_)))
                .cloned()
                .collect();
            if positional.is_empty() {
                last.arguments = syn::PathArguments::None;
            } else {
                ab.args = positional.into_iter().collect();
            }
        }
    }
    let trait_path = quote::quote!(#trait_ref);
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
    let out = crate::expand::wrapper_impl_for(&model, Some(&target));
    if subst.types.is_empty() && subst.lifetimes.is_empty() {
        return Ok(out);
    }
    let mut item: syn::ItemImpl = syn::parse2(out)?;
    // The impl's own parameters are the other wrapper's: left alone.
    let params = core::mem::take(&mut item.generics.params);
    syn::visit_mut::VisitMut::visit_item_impl_mut(&mut { subst }, &mut item);
    item.generics.params = params;
    Ok(quote::quote!(#item))
}

/// This trait's parameters (and associated types' parameters) by the arguments a
/// supertrait bound `Bar<'x, A, Item = X>` gives them.
struct Subst {
    types: Vec<(syn::Ident, syn::Type)>,
    lifetimes: Vec<(syn::Lifetime, syn::Lifetime)>,
}

impl syn::visit_mut::VisitMut for Subst {
    fn visit_type_mut(&mut self, ty: &mut syn::Type) {
        if let syn::Type::Path(tp) = ty {
            if tp.qself.is_none() {
                if let Some(id) = tp.path.get_ident() {
                    if let Some((_, t)) = self.types.iter().find(|(p, _)| p == id) {
                        *ty = t.clone();
                        return;
                    }
                }
            }
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }
    fn visit_lifetime_mut(&mut self, l: &mut syn::Lifetime) {
        if let Some((_, to)) = self.lifetimes.iter().find(|(p, _)| p.ident == l.ident) {
            *l = to.clone();
        }
    }
}

fn substitution(model: &crate::model::Model, bound: &syn::Path) -> syn::Result<Subst> {
    let mut positional_types = Vec::new();
    let mut positional_lifetimes = Vec::new();
    let mut bindings = Vec::new();
    if let Some(syn::PathArguments::AngleBracketed(ab)) = bound.segments.last().map(|s| &s.arguments) {
        for a in &ab.args {
            match a {
                syn::GenericArgument::Type(t) => positional_types.push(t.clone()),
                syn::GenericArgument::Lifetime(l) => positional_lifetimes.push(l.clone()),
                syn::GenericArgument::AssocType(at) => bindings.push((at.ident.clone(), at.ty.clone())),
                other => return Err(syn::Error::new_spanned(
                    other,
                    "`#[dyn_trait]` supertraits take type and lifetime arguments and `Name = Type` bindings",
                )),
            }
        }
    }
    let name = &model.item.ident;
    let mut subst = Subst {
        types: Vec::new(),
        lifetimes: Vec::new(),
    };
    let mut types = positional_types.into_iter();
    let mut lifetimes = positional_lifetimes.into_iter();
    for p in &model.item.generics.params {
        match p {
            syn::GenericParam::Type(t) => {
                let arg = types.next().or_else(|| t.default.clone()).ok_or_else(|| {
                    syn::Error::new_spanned(bound, format!("`{name}` needs its parameter `{}` here", t.ident))
                })?;
                subst.types.push((t.ident.clone(), arg));
            }
            syn::GenericParam::Lifetime(l) => {
                let arg = lifetimes.next().ok_or_else(|| {
                    syn::Error::new_spanned(
                        bound,
                        format!("`{name}` needs its lifetime `{}` here", l.lifetime),
                    )
                })?;
                subst.lifetimes.push((l.lifetime.clone(), arg));
            }
            syn::GenericParam::Const(c) => {
                return Err(syn::Error::new_spanned(
                    &c.ident,
                    "`#[dyn_trait]` supertraits with const parameters are not supported",
                ))
            }
        }
    }
    for a in &model.assoc {
        let ty = bindings
            .iter()
            .find(|(i, _)| *i == a.ident)
            .map(|(_, t)| t.clone())
            .ok_or_else(|| {
                syn::Error::new_spanned(
                    bound,
                    format!(
                        "the wrapper implements `{name}` only with its associated type given: write `{name}<{} = ..>` in the supertrait",
                        a.ident
                    ),
                )
            })?;
        subst.types.push((a.param.clone(), ty));
    }
    Ok(subst)
}
