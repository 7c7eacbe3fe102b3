//! The model `#[dyn_trait]` works from: what a trait, a method, an argument, a return
//! and a receiver are, once parsed (`crate::parse` builds it, collecting every
//! unsupported shape as a spanned error; `crate::expand` writes the generated items from
//! it). Extending the macro to a new shape starts here: add the variant, teach `parse`
//! to recognise it, and each generator in `expand` what to emit for it.

use proc_macro2::TokenStream;
use syn::punctuated::Punctuated;
use syn::{
    Attribute, GenericArgument, Ident, ItemTrait, Lifetime, ReturnType, Signature, Token, Type,
    TypeParamBound,
};

/// One trait under `#[dyn_trait]`.
pub(crate) struct Model {
    pub(crate) item: ItemTrait,
    pub(crate) send: bool,
    /// `bridge`: impls for `&T`, `&mut T`, `Box<T>`, `Arc<T>` (`crate::expand::bridge`).
    pub(crate) bridge: bool,
    pub(crate) wrapper: Ident,
    pub(crate) erased: Ident,
    /// The strategy parameter's name (`S`, or `__S` if the trait mentions an `S`).
    pub(crate) strategy: Ident,
    /// The wrapper's borrow lifetime (`'a`, or `'__a` if the trait uses `'a`).
    pub(crate) life: Lifetime,
    pub(crate) assoc: Vec<Assoc>,
    pub(crate) methods: Vec<Method>,
    /// Auto traits the erased trait object carries (`Send`, `Sync`).
    pub(crate) auto: Vec<Ident>,
    /// The trait requires `'static` of its implementors.
    pub(crate) is_static: bool,
    /// Lifetime supertraits other than `'static` (`trait Sink<'b>: 'b`): each is the
    /// predicate `Self: 'b` on the wrapper's impl of the trait.
    pub(crate) life_supers: Vec<Lifetime>,
    /// Every method in the vtable takes `&self`.
    pub(crate) all_shared: bool,
    /// The wrapper's receiver-storage parameter (`R`, or `__R`).
    pub(crate) receiver: Ident,
    /// `Debug` / `Display` supertraits: the erased trait requires them and the wrapper
    /// forwards them to its receiver.
    pub(crate) fmt_supers: Vec<Ident>,
    /// `Clone` supertrait: the wrapper clones its receiver onto the heap.
    pub(crate) clone: bool,
    /// Supertraits that are `#[dyn_trait]` traits (without generic parameters).
    pub(crate) dyn_supers: Vec<syn::Path>,
    /// Standard supertraits the wrapper cannot forward (`Future`, `Hash`, ...): its impl
    /// of the trait requires them of itself.
    pub(crate) plain_supers: Vec<syn::TraitBound>,
    /// Why the wrapper cannot implement the trait at all (an `unsafe trait` without
    /// `unsafe(forward)`, a method returning `impl Trait` outside the vtable without a
    /// default), if so: the trait, the erased trait and the wrapper are still generated.
    pub(crate) no_impl: Option<String>,
    /// Items that cannot go through the vtable and have no default: the wrapper's impl
    /// of the trait gives each a body that fails to compile where it is used.
    pub(crate) outside: Vec<Outside>,
    /// The trait as the user wrote it, and the attribute's arguments, for the callback.
    pub(crate) original: ItemTrait,
    pub(crate) args_tokens: TokenStream,
}

impl Model {
    /// Some method takes `self` by value: the wrapper must own its receiver.
    pub(crate) fn by_value(&self) -> bool {
        self.methods.iter().any(|m| m.recv == Recv::Value)
    }
}

/// A trait item outside the vtable, without a default: a method without `self`, with
/// `Self` by value in an argument or the return type, with type or const parameters,
/// or with `where Self: Sized`; or an associated constant. The trait keeps it as
/// written (static dispatch is untouched); the wrapper cannot offer it.
pub(crate) enum Outside {
    /// The method's declaration (after the `Send` rewrite) and why it is outside.
    Fn(syn::TraitItemFn, &'static str),
    /// The constant's declaration.
    Const(syn::TraitItemConst),
}

pub(crate) struct Assoc {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) ident: Ident,
    /// The wrapper's type parameter standing for it.
    pub(crate) param: Ident,
    pub(crate) bounds: Punctuated<TypeParamBound, Token![+]>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Recv {
    Shared,
    Exclusive,
    /// `self` by value: only an owning wrapper can call it.
    Value,
    /// `self: Pin<&mut Self>`: only a wrapper whose receiver is pinned can call it (one
    /// made with `from_pin`, whose holder implements `HoldsPinned`).
    Pinned,
}

/// How an argument crosses the vtable.
pub(crate) enum ArgKind {
    /// Passed as is.
    Plain,
    /// `impl Into<T>`: converted by the caller, before the call; the callee gets a `T`.
    Into(Box<Type>),
    /// `impl Iterator<..>`, `impl FnMut(..)`, ...: the caller keeps the value and passes
    /// `&mut dyn Trait`, which implements the trait.
    DynMut(Vec<TypeParamBound>),
    /// `impl Fn(..)`: passed as `&dyn Fn(..)`.
    DynRef(Vec<TypeParamBound>),
    /// `impl FnOnce(A..) -> R`: passed as `&mut dyn FnMut` over an `Option`, called once.
    FnOnce {
        inputs: Vec<Type>,
        output: ReturnType,
        autos: Vec<TypeParamBound>,
    },
    /// `impl Future<Output = T>` or `impl Stream<Item = T>`: pinned by the caller, passed
    /// as `Pin<&mut dyn Future>` / `Pin<&mut dyn Stream>` (each implements its trait).
    Future(Vec<TypeParamBound>),
    /// `&impl Trait` / `&mut impl Trait` of a standard family: `&&dyn Trait` /
    /// `&mut &mut dyn Trait` (`&dyn Trait` implements the trait for these families).
    RefDyn {
        mutable: bool,
        bounds: Vec<TypeParamBound>,
    },
    /// `impl Bar` / `&mut impl Bar` of a `#[dyn_trait]` trait: passed as a borrowing
    /// `DynBar` with a fresh strategy of the same kind.
    Wrapper {
        erased: syn::Path,
        args: Vec<GenericArgument>,
        by_ref: bool,
    },
}

pub(crate) enum Ret {
    /// An ordinary return type: passed through.
    Plain,
    /// `async fn` or `-> impl Future<Output = T>`: a `DynPtr` to `dyn Future`.
    Future { output: Box<Type>, send: bool },
    /// `-> impl Trait` of a standard family: a `DynPtr` to `dyn Trait` (auto traits
    /// after the main trait).
    Dyn { bounds: Vec<TypeParamBound> },
    /// `-> impl Bar<A, Assoc = X>` of a `#[dyn_trait]` trait `Bar`: its wrapper
    /// `DynBar`, owning the value through the strategy.
    Wrapper {
        /// `path::ErasedBar`, without generic arguments.
        erased: syn::Path,
        /// `A` and `X`, in the order written (associated types in declaration order).
        args: Vec<GenericArgument>,
    },
}

/// Traits whose trait objects `dynptr-core` knows (`CoerceFrom` impls): a returned
/// `impl` of any other trait is taken to be a `#[dyn_trait]` trait.
pub(crate) const STD_FAMILIES: &[&str] = &[
    "Into",
    "Iterator",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "Debug",
    "Display",
    "Fn",
    "FnMut",
    "FnOnce",
    "Any",
    // `futures_core::Stream` (the facade's `futures` feature), however it is imported.
    "Stream",
];

pub(crate) struct Method {
    /// `#[cfg]`-like attributes carried to every generated copy.
    pub(crate) cfg_attrs: Vec<Attribute>,
    /// The trait's signature (after the `Send` rewrite), arguments renamed to plain
    /// identifiers.
    pub(crate) sig: Signature,
    /// For a generic method whose type parameters became `impl Trait` arguments in
    /// `sig`: the trait's generic signature (arguments renamed alike), which the
    /// wrapper's impl must repeat.
    pub(crate) impl_sig: Option<Signature>,
    pub(crate) recv: Recv,
    /// `self: Box<Self>`: the `Box` path to rebuild the box around the moved receiver.
    pub(crate) boxed_self: Option<syn::Path>,
    pub(crate) args: Vec<(Ident, Type, ArgKind)>,
    pub(crate) ret: Ret,
    /// An argument holds a borrow besides `self`'s (the wrapper then awaits inside an
    /// `async` block, since an opaque type cannot name the intersection of lifetimes).
    pub(crate) borrows_args: bool,
    /// Declared `async fn`: the call happens at the first poll, in place (a
    /// `dynptr_core::call::Call`); a `fn -> impl Future` runs its body when
    /// called, so it stays eager.
    pub(crate) lazy: bool,
}

impl Ret {
    /// A future or `impl Trait` returned with `+ Send`.
    pub(crate) fn is_send(&self) -> bool {
        match self {
            Ret::Future { send, .. } => *send,
            Ret::Dyn { bounds } => bounds.iter().any(|b| match b {
                TypeParamBound::Trait(t) => t.path.segments.last().is_some_and(|s| s.ident == "Send"),
                _ => false,
            }),
            Ret::Plain | Ret::Wrapper { .. } => false,
        }
    }
}

impl Method {
    /// The call goes through the in-place entry point: an `async fn`.
    pub(crate) fn in_place(&self) -> bool {
        self.lazy && matches!(self.ret, Ret::Future { .. })
    }

    /// Some argument is adapted to a `dyn` form on the caller's side.
    pub(crate) fn adapts_args(&self) -> bool {
        self.args.iter().any(|(_, _, k)| !matches!(k, ArgKind::Plain))
    }
}
