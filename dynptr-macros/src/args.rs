//! The attribute's arguments: `#[dyn_trait]`, `#[dyn_trait(Send)]`,
//! `#[dyn_trait(wrapper = DynName)]`, and `#[dyn_trait(unsafe(forward))]` on an
//! `unsafe trait`.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, Token};

#[derive(Default)]
pub(crate) struct Args {
    /// `Send`: returned futures and iterators are `Send`, the wrapper is `Send`.
    pub(crate) send: bool,
    /// `wrapper = Name`: the wrapper's name instead of `Dyn{Trait}`.
    pub(crate) wrapper: Option<Ident>,
    /// `unsafe(forward)`: for an `unsafe trait`, the user states that a wrapper which
    /// forwards every method to the value it holds upholds the trait's contract, so the
    /// macro may write `unsafe impl Foo for DynFoo`.
    pub(crate) unsafe_forward: bool,
    /// `bridge` (or dynosaur's `bridge(blanket)`): impls of the trait for `&T`,
    /// `&mut T`, `Box<T>` and `Arc<T>` of an implementor, where the receivers allow.
    /// `bridge(dyn)` and `bridge(none)` are the default: the wrapper alone.
    pub(crate) bridge: bool,
}

const USAGE: &str = "expected `#[dyn_trait]`, `#[dyn_trait(Send)]`, `#[dyn_trait(wrapper = DynName)]` \
                     or `#[dyn_trait(unsafe(forward))]`";

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut args = Args::default();
        while !input.is_empty() {
            if let Some(kw) = input.parse::<Option<Token![unsafe]>>()? {
                let inner;
                syn::parenthesized!(inner in input);
                let what: Ident = inner.parse()?;
                if what != "forward" || !inner.is_empty() {
                    return Err(syn::Error::new(what.span(), "expected `unsafe(forward)`"));
                }
                if args.unsafe_forward {
                    return Err(syn::Error::new(kw.span, "`unsafe(forward)` is given twice"));
                }
                args.unsafe_forward = true;
                if input.is_empty() {
                    break;
                }
                input
                    .parse::<Token![,]>()
                    .map_err(|e| syn::Error::new(e.span(), USAGE))?;
                continue;
            }
            let ident: Ident = input.parse().map_err(|e| syn::Error::new(e.span(), USAGE))?;
            if ident == "Send" {
                if args.send {
                    return Err(syn::Error::new(ident.span(), "`Send` is given twice"));
                }
                args.send = true;
            } else if ident == "bridge" {
                args.bridge = true;
                if input.peek(syn::token::Paren) {
                    let inner;
                    syn::parenthesized!(inner in input);
                    let kind: Ident = syn::ext::IdentExt::parse_any(&inner)?;
                    if kind == "dyn" || kind == "none" {
                        args.bridge = false;
                    } else if kind != "blanket" {
                        return Err(syn::Error::new(
                            kind.span(),
                            "expected `bridge`, `bridge(blanket)`, `bridge(dyn)` or `bridge(none)`",
                        ));
                    }
                }
            } else if ident == "wrapper" {
                input
                    .parse::<Token![=]>()
                    .map_err(|e| syn::Error::new(e.span(), USAGE))?;
                let name: Ident = input.parse()?;
                if args.wrapper.replace(name).is_some() {
                    return Err(syn::Error::new(ident.span(), "`wrapper` is given twice"));
                }
            } else {
                return Err(syn::Error::new(
                    ident.span(),
                    format!("unknown argument `{ident}`: {USAGE}"),
                ));
            }
            if input.is_empty() {
                break;
            }
            input
                .parse::<Token![,]>()
                .map_err(|e| syn::Error::new(e.span(), USAGE))?;
        }
        Ok(args)
    }
}

impl Args {
    /// The arguments as written, for the callback to parse again.
    pub(crate) fn to_tokens(&self) -> proc_macro2::TokenStream {
        let send = self.send.then(|| quote::quote!(Send,));
        let wrapper = self.wrapper.as_ref().map(|w| quote::quote!(wrapper = #w,));
        let forward = self.unsafe_forward.then(|| quote::quote!(unsafe(forward),));
        let bridge = self.bridge.then(|| quote::quote!(bridge,));
        quote::quote!(#send #wrapper #forward #bridge)
    }

    pub(crate) fn wrapper_name(&self, trait_ident: &Ident) -> Ident {
        self.wrapper
            .clone()
            .unwrap_or_else(|| Ident::new(&format!("Dyn{trait_ident}"), trait_ident.span()))
    }
}

/// The span for names the macro invents: resolves at the macro's definition for locals,
/// like `macro_rules!`.
pub(crate) fn hygienic() -> Span {
    Span::mixed_site()
}
