//! The attribute's arguments: `#[dyn_trait]`, `#[dyn_trait(Send)]`,
//! `#[dyn_trait(wrapper = DynName)]`.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, Token};

#[derive(Default)]
pub(crate) struct Args {
    /// `Send`: returned futures and iterators are `Send`, the wrapper is `Send`.
    pub(crate) send: bool,
    /// `wrapper = Name`: the wrapper's name instead of `Dyn{Trait}`.
    pub(crate) wrapper: Option<Ident>,
}

const USAGE: &str = "expected `#[dyn_trait]`, `#[dyn_trait(Send)]` or `#[dyn_trait(wrapper = DynName)]`";

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut args = Args::default();
        while !input.is_empty() {
            let ident: Ident = input.parse().map_err(|e| syn::Error::new(e.span(), USAGE))?;
            if ident == "Send" {
                if args.send {
                    return Err(syn::Error::new(ident.span(), "`Send` is given twice"));
                }
                args.send = true;
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
        quote::quote!(#send #wrapper)
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
