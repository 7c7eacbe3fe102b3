//! Reads the user's trait into a model of what the expansion needs, collecting every
//! unsupported shape as a spanned error.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, ToTokens};
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{
    Attribute, FnArg, GenericArgument, GenericParam, Ident, ItemTrait, Lifetime, Pat, PathArguments,
    ReturnType, Signature, TraitItem, TraitItemFn, Type, TypeParamBound, WherePredicate,
};

use crate::args::Args;
pub(crate) use crate::model::*;

/// Collects errors instead of stopping at the first.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, span: impl ToTokens, msg: impl core::fmt::Display) {
        let err = syn::Error::new_spanned(span, msg);
        match &mut self.0 {
            Some(all) => all.combine(err),
            None => self.0 = Some(err),
        }
    }

    pub(crate) fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

pub(crate) fn parse(args: &Args, mut item: ItemTrait) -> syn::Result<Model> {
    let mut errors = Errors::default();
    let original = item.clone();

    // The wrapper cannot implement the trait (it still offers the vtable's methods
    // through the erased trait, and the trait itself compiles as written): why.
    let mut no_impl: Option<String> = None;
    match (&item.unsafety, args.unsafe_forward) {
        // The wrapper's impl would promise the trait's contract: only on the user's word.
        (Some(_), false) => {
            no_impl = Some(
                "it is an `unsafe trait`: if forwarding every method to the wrapped value \
                 upholds its contract, write `#[dyn_trait(unsafe(forward))]`"
                    .into(),
            )
        }
        (None, true) => errors.push(
            item.trait_token,
            "`unsafe(forward)` is only for an `unsafe trait`",
        ),
        _ => {}
    }
    if let Some(auto) = &item.auto_token {
        errors.push(auto, "`#[dyn_trait]` cannot be used on auto traits");
    }

    let used = UsedNames::of(&item);
    let strategy = if used.idents.iter().any(|i| i == "S") {
        format_ident!("__S")
    } else {
        format_ident!("S")
    };
    let receiver = if used.idents.iter().any(|i| i == "R") {
        format_ident!("__R")
    } else {
        format_ident!("R")
    };
    let life = if used.lifetimes.iter().any(|l| l == "a") {
        Lifetime::new("'__a", proc_macro2::Span::call_site())
    } else {
        Lifetime::new("'a", proc_macro2::Span::call_site())
    };

    // Supertraits: markers, and the formatting traits the wrapper forwards.
    let mut auto: Vec<Ident> = Vec::new();
    let mut fmt_supers: Vec<Ident> = Vec::new();
    let mut clone = false;
    let mut dyn_supers: Vec<syn::Path> = Vec::new();
    let mut plain_supers: Vec<syn::TraitBound> = Vec::new();
    let mut is_static = false;
    let mut life_supers = Vec::new();
    for bound in &item.supertraits {
        let t = match bound {
            TypeParamBound::Lifetime(l) if l.ident == "static" => {
                is_static = true;
                continue;
            }
            TypeParamBound::Lifetime(l) => {
                life_supers.push(l.clone());
                continue;
            }
            TypeParamBound::Trait(t) if matches!(t.modifier, syn::TraitBoundModifier::None) => t,
            other => {
                errors.push(
                    other,
                    "`#[dyn_trait]` supports trait and lifetime supertraits; `?Sized` and \
                     other relaxed bounds cannot be supertraits",
                );
                continue;
            }
        };
        let last = t.path.segments.last().unwrap();
        // `Send`, `core::marker::Send`, `::std::fmt::Debug`: a standard trait by name.
        let std_name = std_trait_name(&t.path);
        match std_name.as_deref() {
            Some("Send" | "Sync") => {
                if !auto.contains(&last.ident) {
                    auto.push(last.ident.clone());
                }
            }
            // The wrapper is sized, so it meets `Sized`; the erased trait leaves it out.
            Some("Sized") => {}
            Some("Debug" | "Display") => fmt_supers.push(last.ident.clone()),
            Some("Clone") => clone = true,
            // Any other standard trait (`Future`, `Iterator`, `Hash`, ...): the wrapper does
            // not forward it; its impl of the trait requires it of the wrapper (a `where`
            // bound), so it applies where the user implements it for the wrapper.
            Some(_) => plain_supers.push(t.clone()),
            None if t
                .path
                .segments
                .iter()
                .rev()
                .skip(1)
                .all(|seg| seg.arguments.is_none()) =>
            {
                // Another `#[dyn_trait]` trait (`Bar`, `Bar<u8>`, `Bar<Item = u32>`): its
                // callback implements it for our wrapper.
                dyn_supers.push(t.path.clone());
            }
            None => errors.push(
                t,
                "generic arguments are only supported on the last segment of a `#[dyn_trait]` \
                 supertrait's path",
            ),
        }
    }

    for param in &item.generics.params {
        if let GenericParam::Type(t) = param {
            if t.ident == "Self" {
                errors.push(t, "a type parameter cannot be named `Self`");
            }
        }
    }

    let mut assoc = Vec::new();
    for trait_item in &item.items {
        if let TraitItem::Type(ty) = trait_item {
            if !ty.generics.params.is_empty() || ty.generics.where_clause.is_some() {
                errors.push(
                    &ty.generics,
                    "generic associated types are not supported by `#[dyn_trait]`",
                );
            }
            if let Some((eq, _)) = &ty.default {
                errors.push(eq, "associated type defaults are not supported by `#[dyn_trait]`");
            }
            let clash = used.bare_idents.contains(&ty.ident);
            let param = if clash {
                format_ident!("__{}", ty.ident)
            } else {
                ty.ident.clone()
            };
            assoc.push(Assoc {
                attrs: cfg_attrs(&ty.attrs),
                ident: ty.ident.clone(),
                param,
                bounds: ty.bounds.clone(),
            });
        }
    }
    let assoc_names: Vec<(Ident, Ident)> = assoc.iter().map(|a| (a.ident.clone(), a.param.clone())).collect();

    let trait_params: Vec<Ident> = item.generics.type_params().map(|t| t.ident.clone()).collect();
    // `Pin<&mut Self>` methods go through the vtable only in a trait whose other
    // dispatchable methods take `&self` (the pinned holder gives no `&mut`).
    let pin_ok = item.items.iter().all(|it| match it {
        TraitItem::Fn(f) => match f.sig.inputs.first() {
            Some(FnArg::Receiver(r)) if !has_self_sized(&f.sig) => {
                if r.colon_token.is_some() {
                    pin_of_self(&r.ty)
                        || ref_of_self(&r.ty).is_some_and(|(_, mutable)| !mutable)
                        || (box_of_self(&r.ty).is_none() && ref_of_self(&r.ty).is_none())
                } else {
                    r.reference.is_some() && r.mutability.is_none()
                }
            }
            _ => true,
        },
        _ => true,
    });
    let mut methods = Vec::new();
    let mut outside = Vec::new();
    for trait_item in &mut item.items {
        match trait_item {
            TraitItem::Fn(f) => {
                // Before the `Send` rewrite, which turns `async fn` into `-> impl Future`.
                let lazy = f.sig.asyncness.is_some();
                if f.default.is_none() {
                    // A declaration may not bind patterns (`(w, h): (u32, u32)`, E0642);
                    // async-trait accepts them, so the trait keeps `_` in their place.
                    for arg in &mut f.sig.inputs {
                        if let FnArg::Typed(pt) = arg {
                            if !matches!(&*pt.pat, Pat::Ident(pi) if pi.by_ref.is_none() && pi.mutability.is_none() && pi.subpat.is_none())
                                && !matches!(&*pt.pat, Pat::Wild(_))
                            {
                                *pt.pat = syn::parse_quote!(_);
                            }
                        }
                    }
                }
                let as_written = f.clone();
                if args.send {
                    make_send(f, &trait_params);
                }
                if let Some(why) = outside_vtable(f, &assoc_names, pin_ok) {
                    // Kept for static dispatch; the wrapper cannot offer it. Its body on the
                    // wrapper uses the signature as written (an `async fn` implements the
                    // rewritten `-> impl Future + Send` too).
                    if f.default.is_none() {
                        let returns_impl =
                            matches!(&as_written.sig.output, ReturnType::Type(_, t) if contains_impl(t));
                        if returns_impl {
                            // No body can stand for it on the wrapper (its `impl Trait`
                            // needs a hidden type): the wrapper does not implement the trait.
                            no_impl.get_or_insert_with(|| {
                                format!(
                                    "`{}` returns `impl Trait` and cannot go through the vtable ({why}) \
                                     and has no default body",
                                    f.sig.ident
                                )
                            });
                        }
                        outside.push(Outside::Fn(as_written, why));
                    }
                } else if let Some(mut m) = method(f, &assoc_names, &mut errors) {
                    m.lazy = lazy;
                    methods.push(m);
                }
            }
            TraitItem::Type(_) => {}
            // Outside the vtable; the wrapper inherits a default, or cannot offer it.
            TraitItem::Const(c) => {
                if c.default.is_none() {
                    outside.push(Outside::Const(c.clone()));
                }
            }
            TraitItem::Macro(m) => {
                errors.push(m, "macros in trait bodies are not supported by `#[dyn_trait]`")
            }
            other => errors.push(other, "this item is not supported by `#[dyn_trait]`"),
        }
    }

    errors.finish()?;

    if args.send {
        for name in ["Send", "Sync"] {
            // A trait without methods in the vtable is all-shared too (its wrapper
            // borrows shared): `Send` needs `Sync` then. So may a `#[dyn_trait]`
            // supertrait (its `&self` methods' futures borrow the implementor, and its
            // erased form asks `Sync` of it): this macro cannot see its methods, so a
            // `(Send)` trait with such supertraits asks `Sync` too.
            let needs_sync = methods.iter().any(|m| m.recv == Recv::Shared)
                || methods.is_empty()
                || !dyn_supers.is_empty();
            if (name == "Send" || needs_sync) && !auto.iter().any(|a| a == name) {
                auto.push(Ident::new(name, proc_macro2::Span::call_site()));
            }
        }
    }
    // A `#[dyn_trait]` supertrait may have `&mut self` methods this macro cannot see.
    // (`Pin<&mut Self>` methods reach the value through the pinned holder, which gives
    // shared access besides.)
    let all_shared = dyn_supers.is_empty()
        && methods
            .iter()
            .all(|m| matches!(m.recv, Recv::Shared | Recv::Pinned));
    let wrapper = args.wrapper_name(&item.ident);
    let erased = format_ident!("Erased{}", item.ident);
    Ok(Model {
        item,
        send: args.send,
        bridge: args.bridge,
        wrapper,
        erased,
        strategy,
        life,
        assoc,
        methods,
        outside,
        auto,
        is_static,
        life_supers,
        all_shared,
        receiver,
        fmt_supers,
        clone,
        dyn_supers,
        plain_supers,
        no_impl,
        original,
        args_tokens: args.to_tokens(),
    })
}

/// `Pin<&mut Self>` (`Pin` bare or as `core::pin::Pin` / `std::pin::Pin`).
fn pin_of_self(ty: &Type) -> bool {
    let Type::Path(tp) = ty else { return false };
    if tp.qself.is_some() {
        return false;
    }
    let Some(last) = tp.path.segments.last() else {
        return false;
    };
    if last.ident != "Pin" {
        return false;
    }
    let PathArguments::AngleBracketed(ab) = &last.arguments else {
        return false;
    };
    let [GenericArgument::Type(Type::Reference(r))] = ab.args.iter().collect::<Vec<_>>()[..] else {
        return false;
    };
    r.mutability.is_some()
        && matches!(&*r.elem, Type::Path(p) if p.qself.is_none() && p.path.is_ident("Self"))
}

/// The name of a standard-library trait, written bare (`Send`, `Future`) or as a path
/// into `core`, `alloc` or `std` (`::core::marker::Sync`, `std::fmt::Debug`). A bare
/// name counts only if it is one of the prelude's or a well-known `core` trait (a
/// user's trait of another name is taken for a `#[dyn_trait]` trait).
fn std_trait_name(path: &syn::Path) -> Option<String> {
    const KNOWN: &[&str] = &[
        "Send",
        "Sync",
        "Sized",
        "Unpin",
        "Copy",
        "Clone",
        "Debug",
        "Display",
        "Default",
        "Eq",
        "PartialEq",
        "Ord",
        "PartialOrd",
        "Hash",
        "Drop",
        "Future",
        "IntoFuture",
        "Iterator",
        "IntoIterator",
        "DoubleEndedIterator",
        "ExactSizeIterator",
        "Extend",
        "FromIterator",
        "AsRef",
        "AsMut",
        "Borrow",
        "BorrowMut",
        "Deref",
        "DerefMut",
        "From",
        "Into",
        "TryFrom",
        "TryInto",
        "ToString",
        "ToOwned",
        "Error",
        "Any",
        "Fn",
        "FnMut",
        "FnOnce",
        "Read",
        "Write",
        "BufRead",
        "Seek",
    ];
    let first = &path.segments.first()?.ident;
    let last = &path.segments.last()?.ident;
    const MODULES: &[&str] = &[
        "marker", "fmt", "future", "iter", "ops", "convert", "hash", "cmp", "any", "error", "io", "borrow",
        "clone", "default", "string",
    ];
    let n = path.segments.len();
    let known = KNOWN.iter().any(|k| last == k);
    let rooted = n > 1 && (first == "core" || first == "std" || first == "alloc");
    let bare = path.leading_colon.is_none() && n == 1 && known;
    // `fmt::Debug` after `use core::fmt;`.
    let in_module = path.leading_colon.is_none()
        && n == 2
        && known
        && MODULES.iter().any(|m| path.segments[0].ident == m);
    (rooted || bare || in_module).then(|| last.to_string())
}

/// Attributes carried to generated copies of an item: conditional compilation and lint
/// levels.
pub(crate) fn cfg_attrs(attrs: &[Attribute]) -> Vec<Attribute> {
    attrs
        .iter()
        .filter(|a| {
            let p = a.path();
            p.is_ident("cfg") || p.is_ident("cfg_attr") || p.is_ident("allow") || p.is_ident("expect")
        })
        .cloned()
        .collect()
}

/// `#[dyn_trait(Send)]`: `async fn f() -> T` becomes `fn f() -> impl Future<Output = T> +
/// Send`, and `-> impl Trait` gains `+ Send`, as `trait_variant::make(Send)` does.
fn make_send(f: &mut TraitItemFn, trait_params: &[Ident]) {
    let has_default = f.default.is_some();
    send_bounds(&mut f.sig, trait_params, has_default);
    let sig = &mut f.sig;
    if sig.asyncness.take().is_some() {
        // A declared output without `impl Trait` in it can type the body's value.
        let typed = !matches!(&sig.output, ReturnType::Type(_, t) if contains_impl(t));
        let output = match &sig.output {
            ReturnType::Default => quote!(()),
            ReturnType::Type(_, ty) => quote!(#ty),
        };
        sig.output =
            syn::parse_quote!(-> impl ::core::future::Future<Output = #output> + ::core::marker::Send);
        if let Some(block) = &mut f.default {
            // Every argument moves into the future, used or not, so that it is dropped
            // when the future is, as in a native `async fn` (not when the call returns).
            let mut names = BoundNames(Vec::new());
            for arg in &sig.inputs {
                if let FnArg::Typed(pt) = arg {
                    names.visit_pat(&pt.pat);
                }
            }
            let names = names.0;
            if typed {
                // `return e` inside the `async` block sets the block's type: type it too.
                let ty: Type = syn::parse_quote!(#output);
                TypeReturns(&ty).visit_block_mut(block);
            }
            let stmts = &block.stmts;
            // The body's value is bound at the declared output type, so that it coerces
            // there (`&Thing` to `&dyn Ret`) as in a native `async fn`.
            let ret = Ident::new("__dynptr_ret", crate::args::hygienic());
            let body = if typed {
                quote! {
                    #[allow(clippy::let_unit_value, unreachable_code)]
                    let #ret: #output = { #(#stmts)* };
                    #[allow(unreachable_code)]
                    #ret
                }
            } else {
                quote!(#(#stmts)*)
            };
            *block = syn::parse_quote!({
                async move {
                    #[allow(unused_variables, clippy::let_unit_value)]
                    let _ = (#(&#names,)*);
                    #body
                }
            });
        }
    } else if let ReturnType::Type(_, ty) = &mut sig.output {
        if let Type::ImplTrait(imp) = &mut **ty {
            add_auto(imp, "Send");
        }
    }
    // The returned future may hold adapted `impl Trait` arguments: they must be `Send`
    // too (`Sync` behind `&`).
    for arg in &mut sig.inputs {
        if let FnArg::Typed(pt) = arg {
            match &mut *pt.ty {
                Type::ImplTrait(imp) => add_auto(imp, "Send"),
                Type::Reference(r) => {
                    let auto = if r.mutability.is_some() { "Send" } else { "Sync" };
                    if let Type::ImplTrait(imp) = &mut *r.elem {
                        add_auto(imp, auto);
                        // `&(impl Trait + Sync)`: `&impl Trait + Sync` is ambiguous.
                        let elem = (*r.elem).clone();
                        *r.elem = Type::Paren(syn::TypeParen {
                            paren_token: Default::default(),
                            elem: Box::new(elem),
                        });
                    }
                }
                _ => {}
            }
        }
    }
}

/// Under `(Send)`, the bounds a `Send` future of an `async fn` needs, added to the
/// method's `where` clause as async-trait adds them, so that implementors may assume
/// them: for each argument whose type names `Self` or a type parameter, `X: Sync` for
/// `&X`, `X: Send` for `&mut X` and `X`; and for a default body, which the trait itself
/// compiles, `Self: Sync` for `&self` (`Self: Send` for `&mut self` and `self`).
/// Concrete types are left alone (their bounds hold or fail on their own). Methods that
/// return neither a future nor `impl Trait` get none.
fn send_bounds(sig: &mut Signature, trait_params: &[Ident], has_default: bool) {
    let returns_future = sig.asyncness.is_some()
        || matches!(&sig.output, ReturnType::Type(_, t) if matches!(&**t, Type::ImplTrait(_)));
    if !returns_future {
        return;
    }
    let mut params: Vec<Ident> = trait_params.to_vec();
    params.extend(sig.generics.type_params().map(|t| t.ident.clone()));
    params.push(Ident::new("Self", proc_macro2::Span::call_site()));
    let generic = |ty: &Type| params.iter().any(|p| mentions_ident(ty, p));
    let mut preds: Vec<WherePredicate> = Vec::new();
    let mut push = |ty: &Type, auto: &str| {
        let auto = Ident::new(auto, proc_macro2::Span::call_site());
        preds.push(syn::parse_quote!(#ty: ::core::marker::#auto));
    };
    for arg in &sig.inputs {
        match arg {
            FnArg::Receiver(r) => {
                let shared = r.reference.is_some() && r.mutability.is_none() && r.colon_token.is_none();
                let self_ty: Type = syn::parse_quote!(Self);
                if r.colon_token.is_none() && has_default {
                    push(&self_ty, if shared { "Sync" } else { "Send" });
                }
            }
            FnArg::Typed(pt) => match &*pt.ty {
                Type::ImplTrait(_) => {}
                Type::Reference(r) if matches!(&*r.elem, Type::ImplTrait(_)) => {}
                Type::Reference(r) if generic(&r.elem) => {
                    push(&r.elem, if r.mutability.is_some() { "Send" } else { "Sync" })
                }
                ty @ (Type::Path(_) | Type::Tuple(_) | Type::Array(_) | Type::Slice(_)) if generic(ty) => {
                    push(ty, "Send")
                }
                _ => {}
            },
        }
    }
    // A bound on one of the method's own type parameters goes next to its other bounds
    // (clippy's `multiple_bound_locations` objects to a second place).
    let mut rest = Vec::new();
    for pred in preds {
        if let WherePredicate::Type(pt) = &pred {
            if let Type::Path(tp) = &pt.bounded_ty {
                if let Some(param) = sig
                    .generics
                    .type_params_mut()
                    .find(|p| tp.qself.is_none() && tp.path.is_ident(&p.ident))
                {
                    let in_where = param.bounds.is_empty();
                    if !in_where {
                        param.bounds.extend(pt.bounds.iter().cloned());
                        continue;
                    }
                }
            }
        }
        rest.push(pred);
    }
    if !rest.is_empty() {
        sig.generics.make_where_clause().predicates.extend(rest);
    }
}

/// Rewrites `return e` to `return { let r: T = e; r }` (not inside closures, `async`
/// blocks or nested items, whose `return`s are their own).
struct TypeReturns<'t>(&'t Type);

impl VisitMut for TypeReturns<'_> {
    fn visit_expr_return_mut(&mut self, r: &mut syn::ExprReturn) {
        if let Some(e) = &mut r.expr {
            self.visit_expr_mut(e);
            let ty = self.0;
            let ret = Ident::new("__dynptr_ret", crate::args::hygienic());
            **e = syn::parse_quote!({
                #[allow(clippy::let_unit_value)]
                let #ret: #ty = #e;
                #ret
            });
        }
    }
    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}
    fn visit_expr_async_mut(&mut self, _: &mut syn::ExprAsync) {}
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// The identifiers an argument pattern binds (`(w, h)`, `mut n`, `Point { x, .. }`).
struct BoundNames(Vec<Ident>);

impl Visit<'_> for BoundNames {
    fn visit_pat_ident(&mut self, p: &syn::PatIdent) {
        self.0.push(p.ident.clone());
        syn::visit::visit_pat_ident(self, p);
    }
}

fn add_auto(imp: &mut syn::TypeImplTrait, auto: &str) {
    if !imp.bounds.iter().any(|b| is_auto(b, auto)) {
        let auto = Ident::new(auto, proc_macro2::Span::call_site());
        imp.bounds.push(syn::parse_quote!(::core::marker::#auto));
    }
}

/// Splits an `impl` bound list into its one main trait and the auto traits.
fn split_bounds(
    imp: &syn::TypeImplTrait,
    errors: &mut Errors,
) -> Option<(syn::TraitBound, Vec<TypeParamBound>)> {
    let mut main = Vec::new();
    let mut autos = Vec::new();
    for bound in &imp.bounds {
        if let TypeParamBound::Trait(t) = bound {
            let last = t.path.segments.last().unwrap();
            if ["Send", "Sync", "Unpin"].iter().any(|a| last.ident == a) {
                autos.push(bound.clone());
            } else {
                main.push(t.clone());
            }
        }
    }
    if main.len() != 1 {
        errors.push(
            imp,
            "`#[dyn_trait]` needs exactly one non-auto trait in an `impl Trait` type \
             (auto traits `Send`, `Sync`, `Unpin` may follow)",
        );
        return None;
    }
    Some((main.pop().unwrap(), autos))
}

fn is_std_family(t: &syn::TraitBound) -> bool {
    let last = t.path.segments.last().unwrap();
    let std_path = t
        .path
        .segments
        .first()
        .is_some_and(|f| f.ident == "core" || f.ident == "std");
    std_path || last.ident == "Future" || STD_FAMILIES.iter().any(|f| last.ident == f)
}

/// For a `#[dyn_trait]` trait path `a::Bar<A, Item = X>`: `a::ErasedBar` and `[A, X]`.
fn erased_path(t: &syn::TraitBound, errors: &mut Errors) -> (syn::Path, Vec<GenericArgument>) {
    let mut erased = t.path.clone();
    let seg = erased.segments.last_mut().unwrap();
    let args = match &seg.arguments {
        PathArguments::AngleBracketed(ab) => ab
            .args
            .iter()
            .map(|a| match a {
                GenericArgument::AssocType(at) => GenericArgument::Type(at.ty.clone()),
                other => other.clone(),
            })
            .collect(),
        PathArguments::None => Vec::new(),
        PathArguments::Parenthesized(p) => {
            errors.push(p, "parenthesized arguments are only supported for `Fn` traits");
            Vec::new()
        }
    };
    seg.ident = format_ident!("Erased{}", seg.ident);
    seg.arguments = PathArguments::None;
    (erased, args)
}

fn arg_kind(ty: &Type, errors: &mut Errors) -> ArgKind {
    let (imp, reference) = match ty {
        Type::ImplTrait(imp) => (imp, None),
        Type::Reference(r) => match &*r.elem {
            Type::ImplTrait(imp) => (imp, Some(r.mutability.is_some())),
            other => {
                if contains_impl(other) {
                    errors.push(
                        other,
                        "`impl Trait` nested inside an argument type is not supported",
                    );
                }
                return ArgKind::Plain;
            }
        },
        other => {
            if contains_impl(other) {
                errors.push(
                    other,
                    "`impl Trait` nested inside an argument type is not supported",
                );
            }
            return ArgKind::Plain;
        }
    };
    let Some((main, autos)) = split_bounds(imp, errors) else {
        return ArgKind::Plain;
    };
    let mut bounds = vec![TypeParamBound::Trait(main.clone())];
    bounds.extend(autos.iter().cloned());
    let last = main.path.segments.last().unwrap();
    if !is_std_family(&main) {
        let (erased, args) = erased_path(&main, errors);
        return match reference {
            None | Some(true) => ArgKind::Wrapper {
                erased,
                args,
                by_ref: reference.is_some(),
            },
            Some(false) => {
                errors.push(
                    ty,
                    "`&impl Bar` of a `#[dyn_trait]` trait is not supported yet; take `&mut impl Bar` \
                     or `impl Bar`",
                );
                ArgKind::Plain
            }
        };
    }
    if let Some(mutable) = reference {
        if last.ident == "Into" || last.ident == "Future" || last.ident == "FnOnce" {
            errors.push(ty, "take this argument by value (`impl Trait`), not by reference");
            return ArgKind::Plain;
        }
        return ArgKind::RefDyn { mutable, bounds };
    }
    match last.ident.to_string().as_str() {
        "Into" => match &last.arguments {
            PathArguments::AngleBracketed(ab) if ab.args.len() == 1 => match &ab.args[0] {
                GenericArgument::Type(t) => ArgKind::Into(Box::new(t.clone())),
                other => {
                    errors.push(other, "expected `impl Into<T>`");
                    ArgKind::Plain
                }
            },
            _ => {
                errors.push(last, "expected `impl Into<T>`");
                ArgKind::Plain
            }
        },
        "Fn" => ArgKind::DynRef(bounds),
        "FnOnce" => match &last.arguments {
            PathArguments::Parenthesized(p) => ArgKind::FnOnce {
                inputs: p.inputs.iter().cloned().collect(),
                output: p.output.clone(),
                autos,
            },
            _ => {
                errors.push(last, "expected `impl FnOnce(..) -> ..`");
                ArgKind::Plain
            }
        },
        "Future" | "Stream" => ArgKind::Future(bounds),
        "Debug" | "Display" | "Any" => {
            errors.push(
                ty,
                "take `&impl Trait` for this trait (it is passed as `&dyn Trait`), or a concrete type",
            );
            ArgKind::Plain
        }
        _ => ArgKind::DynMut(bounds),
    }
}

fn is_auto(bound: &TypeParamBound, name: &str) -> bool {
    match bound {
        TypeParamBound::Trait(t) => t.path.segments.last().is_some_and(|s| s.ident == name),
        _ => false,
    }
}

/// Why a method cannot go through the vtable, if it cannot: such a method stays in the
/// trait for static dispatch and is left out of the erased trait.
fn outside_vtable(f: &TraitItemFn, assoc: &[(Ident, Ident)], pin_ok: bool) -> Option<&'static str> {
    let sig = &f.sig;
    if has_self_sized(sig) {
        return Some("it has `where Self: Sized`");
    }
    if sig
        .generics
        .params
        .iter()
        .any(|p| matches!(p, GenericParam::Type(_) | GenericParam::Const(_)))
        && generics_as_impl_args(sig).is_none()
    {
        return Some("it has type or const parameters");
    }
    let Some(FnArg::Receiver(r)) = sig.inputs.first() else {
        return Some("it has no `self`");
    };
    if r.colon_token.is_some() && pin_of_self(&r.ty) && !pin_ok {
        return Some(
            "its receiver is `Pin<&mut Self>` and the trait has `&mut self` or `self` methods: \
             a wrapper giving `&mut` access could not keep the value pinned",
        );
    }
    if r.colon_token.is_some()
        && box_of_self(&r.ty).is_none()
        && ref_of_self(&r.ty).is_none()
        && !pin_of_self(&r.ty)
    {
        return Some(
            "its receiver is a typed one (`self: Arc<Self>`, `Rc<Self>`, `Pin<Box<Self>>`, ..), \
             which a wrapper cannot hand to the value it holds",
        );
    }
    let self_arg = sig.inputs.iter().any(|a| match a {
        FnArg::Typed(pt) => bare_self(&pt.ty, assoc).is_some(),
        FnArg::Receiver(_) => false,
    });
    if self_arg {
        return Some("it takes `Self` by value in an argument");
    }
    if let ReturnType::Type(_, ty) = &sig.output {
        if bare_self(ty, assoc).is_some() {
            return Some("it returns `Self`");
        }
        // `async fn f(&self) -> Result<impl AsRef<str>, E>`: the future's output would
        // need a type of its own in the vtable.
        let nested = match &**ty {
            _ if sig.asyncness.is_some() => contains_impl(ty),
            Type::ImplTrait(imp) => imp.bounds.iter().any(|b| {
                let mut f = ImplFinder(false);
                f.visit_type_param_bound(b);
                f.0
            }),
            other => contains_impl(other),
        };
        if nested {
            return Some("its output holds an `impl Trait` nested in another type");
        }
    }
    None
}

fn method(f: &mut TraitItemFn, assoc: &[(Ident, Ident)], errors: &mut Errors) -> Option<Method> {
    // The model's copy: its arguments are renamed to plain identifiers for the generated
    // items, while the trait keeps the user's patterns (a default body binds them).
    // Type parameters that only stand for one argument's type become `impl Trait`
    // arguments there (`fn put<V: Into<String>>(&self, v: V)` is `v: impl Into<String>`).
    let generic = generics_as_impl_args(&f.sig);
    let mut model_sig = generic.clone().unwrap_or_else(|| f.sig.clone());
    let sig = &mut model_sig;
    let n_errors_before = errors.0.as_ref().map_or(0, |e| e.clone().into_iter().count());

    if let Some(c) = &sig.constness {
        errors.push(c, "`const fn` methods are not dyn-compatible");
    }
    if let Some(u) = &sig.unsafety {
        errors.push(u, "`unsafe fn` methods are not supported by `#[dyn_trait]` yet");
    }
    if let Some(v) = &sig.variadic {
        errors.push(v, "variadic methods are not supported");
    }
    for param in &sig.generics.params {
        match param {
            GenericParam::Lifetime(_) => {}
            GenericParam::Type(t) => errors.push(
                t,
                "generic methods cannot go in a vtable; take `&dyn Trait` or `&mut dyn Trait` instead of a type parameter",
            ),
            GenericParam::Const(c) => errors.push(c, "const generic methods cannot go in a vtable"),
        }
    }

    let mut recv = None;
    let mut boxed_self = None;
    let mut has_self = false;
    let mut args = Vec::new();
    let mut borrows_args = false;
    for (i, arg) in sig.inputs.iter_mut().enumerate() {
        match arg {
            FnArg::Receiver(r) => {
                has_self = true;
                if let Some(path) = r.colon_token.and_then(|_| box_of_self(&r.ty)) {
                    recv = Some(Recv::Value);
                    boxed_self = Some(path);
                } else if r.colon_token.is_some() && pin_of_self(&r.ty) {
                    recv = Some(Recv::Pinned);
                } else if let Some((life, mutable)) = r.colon_token.and_then(|_| ref_of_self(&r.ty)) {
                    // `self: &Self`, `self: &'a mut Self`: the same as `&self`, `&'a mut self`.
                    recv = Some(if mutable { Recv::Exclusive } else { Recv::Shared });
                    r.colon_token = None;
                    r.reference = Some((Default::default(), life));
                    r.mutability = mutable.then(Default::default);
                } else if r.reference.is_none() {
                    // (Other typed receivers never get here: `outside_vtable` keeps them out.)
                    recv = Some(Recv::Value);
                } else {
                    recv = Some(if r.mutability.is_some() {
                        Recv::Exclusive
                    } else {
                        Recv::Shared
                    });
                }
            }
            FnArg::Typed(pt) => {
                let kind = arg_kind(&pt.ty, errors);
                if let Some(span) = bare_self(&pt.ty, assoc) {
                    errors.push(span, "`Self` in an argument is not supported by `#[dyn_trait]`");
                }
                if has_borrow(&pt.ty) {
                    borrows_args = true;
                }
                let ident = match &*pt.pat {
                    Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() => pi.ident.clone(),
                    _ => format_ident!("__arg{}", i),
                };
                // The generated copies bind plain identifiers (patterns stay in the
                // user's own impls).
                *pt.pat = syn::parse_quote!(#ident);
                args.push((ident, (*pt.ty).clone(), kind));
            }
        }
    }
    let recv = match recv {
        Some(r) => r,
        None if has_self => Recv::Shared,
        None => {
            errors.push(
                &sig.ident,
                "a method without `self` cannot be called through a vtable; add `where Self: Sized` \
                 (with a default body) to leave it out of the dyn wrapper",
            );
            Recv::Shared
        }
    };

    let ret = if sig.asyncness.is_some() {
        let output = match &sig.output {
            ReturnType::Default => Box::new(syn::parse_quote!(())),
            ReturnType::Type(_, ty) => ty.clone(),
        };
        Ret::Future { output, send: false }
    } else {
        match &sig.output {
            // (A nested `impl Trait` never gets here: `outside_vtable` keeps it out.)
            ReturnType::Type(_, ty) => match &**ty {
                Type::ImplTrait(imp) => impl_ret(imp, errors),
                _ => Ret::Plain,
            },
            ReturnType::Default => Ret::Plain,
        }
    };
    let adapts = args.iter().any(|(_, _, k)| !matches!(k, ArgKind::Plain));
    if matches!(ret, Ret::Dyn { .. } | Ret::Wrapper { .. }) && adapts {
        errors.push(
            &sig.output,
            "a method returning `impl Trait` (other than a future) cannot take `impl Trait` \
             arguments: the returned value could hold the adapted argument, which lives in the \
             caller's frame. Return a future, or take a concrete argument type",
        );
    }
    if matches!(ret, Ret::Dyn { .. } | Ret::Wrapper { .. }) && recv == Recv::Value {
        errors.push(
            &sig.output,
            "a by-value `self` method can return a future or a plain value; returning another \
             `impl Trait` is not supported yet",
        );
    }
    if let (Ret::Dyn { .. } | Ret::Wrapper { .. }, true) = (&ret, borrows_args && !adapts) {
        errors.push(
            &sig.output,
            "a method returning `impl Trait` (other than a future) may only borrow `self`: \
             an opaque return type cannot name the intersection of several borrows. Take owned \
             or `'static` arguments, or return a future",
        );
    }
    if let ReturnType::Type(_, ty) = &sig.output {
        if let Some(span) = bare_self(ty, assoc) {
            errors.push(span, "`Self` in a return type is not supported by `#[dyn_trait]`");
        }
    }

    let n_errors_after = errors.0.as_ref().map_or(0, |e| e.clone().into_iter().count());
    if n_errors_after != n_errors_before {
        return None;
    }
    // The wrapper's impl keeps the trait's generic signature, with the renamed arguments.
    let impl_sig = generic.map(|_| {
        let mut impl_sig = sig.clone();
        impl_sig.generics = f.sig.generics.clone();
        for (to, from) in impl_sig.inputs.iter_mut().zip(&f.sig.inputs) {
            if let (FnArg::Typed(to), FnArg::Typed(from)) = (to, from) {
                to.ty = from.ty.clone();
            }
        }
        impl_sig
    });
    Some(Method {
        cfg_attrs: cfg_attrs(&f.attrs),
        sig: sig.clone(),
        impl_sig,
        recv,
        boxed_self,
        args,
        ret,
        borrows_args,
        lazy: false,
    })
}

/// Traits whose `impl Trait` arguments are adapted without knowing another
/// `#[dyn_trait]`: a method's type parameter bounded by one of these goes through the
/// vtable as an `impl Trait` argument.
const ADAPTED_FAMILIES: &[&str] = &[
    "Into",
    "Iterator",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "Fn",
    "FnMut",
    "FnOnce",
    "Future",
    "Stream",
];

/// A generic method whose every type parameter stands for exactly one argument's type
/// (`V`, `&V`, `&mut V`), bounded by one adapted standard trait (plus auto traits and
/// lifetimes), and which has no const parameters: the signature with those arguments
/// written as `impl Trait` and the parameters removed. `None` otherwise (the method then
/// stays outside the vtable).
fn generics_as_impl_args(sig: &Signature) -> Option<Signature> {
    let types: Vec<&syn::TypeParam> = sig.generics.type_params().collect();
    if types.is_empty() || sig.generics.const_params().next().is_some() {
        return None;
    }
    let mut out = sig.clone();
    for tp in types {
        let name = &tp.ident;
        let mut bounds: Vec<TypeParamBound> = tp.bounds.iter().cloned().collect();
        if let Some(w) = &sig.generics.where_clause {
            for pred in &w.predicates {
                let WherePredicate::Type(pt) = pred else { continue };
                if matches!(&pt.bounded_ty, Type::Path(p) if p.qself.is_none() && p.path.is_ident(name)) {
                    if pt.lifetimes.is_some() {
                        return None;
                    }
                    bounds.extend(pt.bounds.iter().cloned());
                }
            }
        }
        let mut mains = 0;
        for b in &bounds {
            match b {
                TypeParamBound::Trait(t) => {
                    if !matches!(t.modifier, syn::TraitBoundModifier::None) || t.lifetimes.is_some() {
                        return None;
                    }
                    let last = &t.path.segments.last()?.ident;
                    if ["Send", "Sync", "Unpin"].iter().any(|a| last == a) {
                        continue;
                    }
                    if !ADAPTED_FAMILIES.iter().any(|f| last == f) || mentions_ident(b, name) {
                        return None;
                    }
                    mains += 1;
                }
                TypeParamBound::Lifetime(_) => {}
                _ => return None,
            }
        }
        if mains != 1 {
            return None;
        }
        // Exactly one use: the whole type of one argument, or the referent of one.
        let uses: usize = sig
            .inputs
            .iter()
            .map(|a| match a {
                FnArg::Typed(pt) => count_ident(&pt.ty, name),
                FnArg::Receiver(_) => 0,
            })
            .sum::<usize>()
            + match &sig.output {
                ReturnType::Type(_, t) => count_ident(t, name),
                ReturnType::Default => 0,
            }
            + sig
                .generics
                .params
                .iter()
                .filter(|p| !matches!(p, GenericParam::Type(t) if t.ident == *name))
                .map(|p| usize::from(mentions_ident(p, name)))
                .sum::<usize>()
            + sig.generics.where_clause.iter().flat_map(|w| &w.predicates).map(|p| match p {
                WherePredicate::Type(pt) if matches!(&pt.bounded_ty, Type::Path(tp) if tp.path.is_ident(name)) => 0,
                other => usize::from(mentions_ident(other, name)),
            }).sum::<usize>();
        if uses != 1 {
            return None;
        }
        let imp: Type = syn::parse_quote!(impl #(#bounds)+*);
        let arg = out.inputs.iter_mut().find_map(|a| match a {
            FnArg::Typed(pt) if count_ident(&pt.ty, name) == 1 => Some(pt),
            _ => None,
        })?;
        match &mut *arg.ty {
            Type::Path(p) if p.qself.is_none() && p.path.is_ident(name) => *arg.ty = imp,
            Type::Reference(r) if matches!(&*r.elem, Type::Path(p) if p.qself.is_none() && p.path.is_ident(name)) => {
                *r.elem = imp
            }
            _ => return None,
        }
    }
    // Drop the parameters and their `where` predicates; lifetimes stay.
    let params = core::mem::take(&mut out.generics.params);
    out.generics.params = params
        .into_iter()
        .filter(|p| !matches!(p, GenericParam::Type(_)))
        .collect();
    if let Some(w) = &mut out.generics.where_clause {
        let names: Vec<Ident> = sig.generics.type_params().map(|t| t.ident.clone()).collect();
        let preds = core::mem::take(&mut w.predicates);
        w.predicates = preds
            .into_iter()
            .filter(|p| !names.iter().any(|n| mentions_ident(p, n)))
            .collect();
    }
    if out
        .generics
        .where_clause
        .as_ref()
        .is_some_and(|w| w.predicates.is_empty())
    {
        out.generics.where_clause = None;
    }
    if out.generics.params.is_empty() {
        out.generics.lt_token = None;
        out.generics.gt_token = None;
    }
    Some(out)
}

/// How often the identifier `name` occurs in `t`'s tokens (`V` in `&V`, `Vec<V>`,
/// `V: Into<String>`; `Self` in `Self::Item`).
pub(crate) fn count_ident<N: ?Sized>(t: &impl ToTokens, name: &N) -> usize
where
    Ident: PartialEq<N>,
{
    fn count<N: ?Sized>(stream: TokenStream, name: &N) -> usize
    where
        Ident: PartialEq<N>,
    {
        stream
            .into_iter()
            .map(|tt| match tt {
                proc_macro2::TokenTree::Ident(i) => usize::from(i == *name),
                proc_macro2::TokenTree::Group(g) => count(g.stream(), name),
                _ => 0,
            })
            .sum()
    }
    count(t.to_token_stream(), name)
}

pub(crate) fn mentions_ident<N: ?Sized>(t: &impl ToTokens, name: &N) -> bool
where
    Ident: PartialEq<N>,
{
    count_ident(t, name) > 0
}

/// `&Self`, `&'a mut Self`: the lifetime and whether it is `mut`.
pub(crate) fn ref_of_self(ty: &Type) -> Option<(Option<Lifetime>, bool)> {
    let Type::Reference(r) = ty else { return None };
    match &*r.elem {
        Type::Path(p) if p.qself.is_none() && p.path.is_ident("Self") => {
            Some((r.lifetime.clone(), r.mutability.is_some()))
        }
        _ => None,
    }
}

/// `Box<Self>` (any path ending in `Box`): the path without its arguments.
pub(crate) fn box_of_self(ty: &Type) -> Option<syn::Path> {
    let Type::Path(tp) = ty else { return None };
    let last = tp.path.segments.last()?;
    if last.ident != "Box" {
        return None;
    }
    let PathArguments::AngleBracketed(ab) = &last.arguments else {
        return None;
    };
    let is_self = ab.args.len() == 1
        && matches!(&ab.args[0], GenericArgument::Type(Type::Path(p)) if p.qself.is_none() && p.path.is_ident("Self"));
    if !is_self {
        return None;
    }
    let mut path = tp.path.clone();
    path.segments.last_mut().unwrap().arguments = PathArguments::None;
    Some(path)
}

fn impl_ret(imp: &syn::TypeImplTrait, errors: &mut Errors) -> Ret {
    let mut main = Vec::new();
    let mut autos = Vec::new();
    let mut send = false;
    // Lifetimes become the strategy's borrow; `use<..>` is implied.
    for bound in &imp.bounds {
        if let TypeParamBound::Trait(t) = bound {
            let last = t.path.segments.last().unwrap();
            if ["Send", "Sync", "Unpin"].iter().any(|a| last.ident == a) {
                send |= last.ident == "Send";
                autos.push(bound.clone());
            } else {
                main.push(bound.clone());
            }
        }
    }
    if main.is_empty() && !autos.is_empty() {
        // `-> impl Send` (and the other auto traits alone): a `DynPtr` to `dyn Send`.
        return Ret::Dyn { bounds: autos };
    }
    if main.len() != 1 {
        errors.push(
            imp,
            "`#[dyn_trait]` needs at most one non-auto trait in a returned `impl Trait` \
             (auto traits `Send`, `Sync`, `Unpin` may follow or stand alone)",
        );
        return Ret::Plain;
    }
    if let TypeParamBound::Trait(t) = &main[0] {
        let last = t.path.segments.last().unwrap();
        if !is_std_family(t) {
            let (erased, args) = erased_path(t, errors);
            return Ret::Wrapper { erased, args };
        }
        if last.ident == "Future" {
            if let PathArguments::AngleBracketed(ab) = &last.arguments {
                for arg in &ab.args {
                    if let GenericArgument::AssocType(at) = arg {
                        if at.ident == "Output" {
                            return Ret::Future {
                                output: Box::new(at.ty.clone()),
                                send,
                            };
                        }
                    }
                }
            }
            errors.push(last, "write the future's output: `impl Future<Output = T>`");
            return Ret::Plain;
        }
    }
    main.extend(autos);
    Ret::Dyn { bounds: main }
}

fn has_self_sized(sig: &Signature) -> bool {
    sig.generics.where_clause.as_ref().is_some_and(|w| {
        w.predicates.iter().any(|p| match p {
            WherePredicate::Type(pt) => {
                matches!(&pt.bounded_ty, Type::Path(tp) if tp.qself.is_none() && tp.path.is_ident("Self"))
                    && pt.bounds.iter().any(|b| is_auto(b, "Sized"))
            }
            _ => false,
        })
    })
}

struct ImplFinder(bool);

impl Visit<'_> for ImplFinder {
    fn visit_type_impl_trait(&mut self, _: &syn::TypeImplTrait) {
        self.0 = true;
    }
}

fn contains_impl(ty: &Type) -> bool {
    let mut f = ImplFinder(false);
    f.visit_type(ty);
    f.0
}

/// Whether a type holds a borrow: a reference or a lifetime other than `'static`.
fn has_borrow(ty: &Type) -> bool {
    struct Finder(bool);
    impl Visit<'_> for Finder {
        fn visit_type_reference(&mut self, r: &syn::TypeReference) {
            if r.lifetime.as_ref().is_none_or(|l| l.ident != "static") {
                self.0 = true;
            }
            syn::visit::visit_type_reference(self, r);
        }
        fn visit_lifetime(&mut self, l: &Lifetime) {
            if l.ident != "static" {
                self.0 = true;
            }
        }
        fn visit_type_bare_fn(&mut self, _: &syn::TypeBareFn) {}
    }
    let mut f = Finder(false);
    f.visit_type(ty);
    f.0
}

/// The span of a `Self` that is not `Self::Assoc` of one of the trait's associated types.
pub(crate) fn bare_self(ty: &Type, assoc: &[(Ident, Ident)]) -> Option<TokenStream> {
    struct Finder<'a> {
        assoc: &'a [(Ident, Ident)],
        found: Option<TokenStream>,
    }
    impl Visit<'_> for Finder<'_> {
        fn visit_type_path(&mut self, tp: &syn::TypePath) {
            if assoc_of(tp, self.assoc).is_some() {
                return;
            }
            if tp.qself.is_none() && tp.path.segments.first().is_some_and(|s| s.ident == "Self") {
                self.found.get_or_insert_with(|| tp.to_token_stream());
                return;
            }
            syn::visit::visit_type_path(self, tp);
        }
    }
    let mut f = Finder { assoc, found: None };
    f.visit_type(ty);
    f.found
}

/// `Self::X` or `<Self as Trait>::X` for an associated type `X`: its parameter name.
fn assoc_of<'a>(tp: &syn::TypePath, assoc: &'a [(Ident, Ident)]) -> Option<&'a Ident> {
    let segs = &tp.path.segments;
    let name = match &tp.qself {
        None if segs.len() == 2 && segs[0].ident == "Self" && segs[1].arguments.is_none() => &segs[1].ident,
        Some(q) if matches!(&*q.ty, Type::Path(p) if p.qself.is_none() && p.path.is_ident("Self")) => {
            let last = segs.last()?;
            if !last.arguments.is_none() {
                return None;
            }
            &last.ident
        }
        _ => return None,
    };
    assoc.iter().find(|(a, _)| a == name).map(|(_, p)| p)
}

/// Rewrites a type for the erased trait: `Self::X` becomes the parameter `X`, and (when
/// `life` is given) elided lifetimes become `life`.
pub(crate) struct Erase<'a> {
    pub(crate) assoc: &'a [(Ident, Ident)],
    pub(crate) life: Option<&'a Lifetime>,
}

impl VisitMut for Erase<'_> {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::Path(tp) = ty {
            if let Some(param) = assoc_of(tp, self.assoc) {
                *ty = syn::parse_quote!(#param);
                return;
            }
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }
    fn visit_type_reference_mut(&mut self, r: &mut syn::TypeReference) {
        if r.lifetime.is_none() {
            r.lifetime = self.life.cloned();
        }
        syn::visit_mut::visit_type_reference_mut(self, r);
    }
    fn visit_lifetime_mut(&mut self, l: &mut Lifetime) {
        if l.ident == "_" {
            if let Some(life) = self.life {
                *l = life.clone();
            }
        }
    }
    // Elision inside `fn(&T)` and `Fn(&T)` is their own: rewrite `Self::X` there, but
    // leave lifetimes alone.
    fn visit_type_bare_fn_mut(&mut self, f: &mut syn::TypeBareFn) {
        let life = self.life.take();
        syn::visit_mut::visit_type_bare_fn_mut(self, f);
        self.life = life;
    }
    fn visit_parenthesized_generic_arguments_mut(&mut self, p: &mut syn::ParenthesizedGenericArguments) {
        let life = self.life.take();
        syn::visit_mut::visit_parenthesized_generic_arguments_mut(self, p);
        self.life = life;
    }
}

/// Names the trait already uses, so that generated parameters do not shadow them.
struct UsedNames {
    idents: Vec<Ident>,
    lifetimes: Vec<Ident>,
    /// Single-segment paths (a type named like an associated type would be shadowed).
    bare_idents: Vec<Ident>,
}

impl UsedNames {
    fn of(item: &ItemTrait) -> Self {
        struct V(UsedNames);
        impl Visit<'_> for V {
            fn visit_ident(&mut self, i: &Ident) {
                self.0.idents.push(i.clone());
            }
            fn visit_lifetime(&mut self, l: &Lifetime) {
                self.0.lifetimes.push(l.ident.clone());
            }
            fn visit_type_path(&mut self, tp: &syn::TypePath) {
                if tp.qself.is_none() && tp.path.segments.len() == 1 {
                    self.0.bare_idents.push(tp.path.segments[0].ident.clone());
                }
                syn::visit::visit_type_path(self, tp);
            }
        }
        let mut v = V(UsedNames {
            idents: Vec::new(),
            lifetimes: Vec::new(),
            bare_idents: Vec::new(),
        });
        v.visit_item_trait(item);
        v.0
    }
}
